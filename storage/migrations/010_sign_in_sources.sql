-- Failed sign-ins are throttled per username *and* source (the client's address), so nobody
-- can lock another person out from elsewhere; '' when the source is not known.
-- (DuckDB cannot alter a table that has an index: the index is dropped and made again.)
DROP INDEX sign_in_failures_user;
ALTER TABLE sign_in_failures ADD COLUMN source VARCHAR NOT NULL DEFAULT '';
CREATE INDEX sign_in_failures_user ON sign_in_failures (username);
