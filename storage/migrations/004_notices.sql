-- Portal formats (OCDS, TED, eForms, SAM.gov): what kind of notice, which procedure it belongs
-- to, other classification schemes, lots and documents.
ALTER TABLE tenders ADD COLUMN notice_type VARCHAR DEFAULT 'tender';
ALTER TABLE tenders ADD COLUMN form_type VARCHAR;
ALTER TABLE tenders ADD COLUMN procedure_id VARCHAR;
ALTER TABLE tenders ADD COLUMN published_at TIMESTAMPTZ;
ALTER TABLE tenders ADD COLUMN classifications JSON DEFAULT '[]';
ALTER TABLE tenders ADD COLUMN lots JSON DEFAULT '[]';
ALTER TABLE tenders ADD COLUMN documents JSON DEFAULT '[]';
