-- Tender documents (issue 18): one row per file on a tender, the file itself kept beside the
-- database by its content hash, and its text page by page. No unique key (DuckDB cannot alter
-- a table with an index): the repository checks (tender, sha256) before adding.
CREATE SEQUENCE document_id_seq START 1;
CREATE TABLE documents (
    id          BIGINT PRIMARY KEY,
    tender_id   BIGINT NOT NULL,
    sha256      VARCHAR NOT NULL,
    filename    VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    size_bytes  BIGINT NOT NULL,
    pages       INTEGER NOT NULL,
    words       INTEGER NOT NULL,
    added_by    VARCHAR NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL
);
CREATE TABLE document_pages (
    document_id BIGINT NOT NULL,
    page        INTEGER NOT NULL,
    section     VARCHAR,
    text        VARCHAR NOT NULL
);
