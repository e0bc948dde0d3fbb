-- Documents read in the background (issue 18): a long PDF is accepted at once (checked, kept,
-- counted) and its pages are read after, in chunks, so `pages_read` of `pages` is the
-- progress and a restart resumes where it stopped. `in_matrix` says its requirements are in
-- the compliance matrix, so the matrix reads a document once, not on every view. A matrix
-- row merged into another keeps the ref it went into.
ALTER TABLE documents ADD COLUMN state VARCHAR DEFAULT 'ready';
ALTER TABLE documents ADD COLUMN pages_read INTEGER DEFAULT 0;
ALTER TABLE documents ADD COLUMN error VARCHAR;
ALTER TABLE documents ADD COLUMN in_matrix BOOLEAN DEFAULT false;
UPDATE documents SET state = 'ready', pages_read = pages, in_matrix = false;
ALTER TABLE requirements ADD COLUMN merged_into VARCHAR;
