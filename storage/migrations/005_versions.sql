-- Later notices of the same procedure (OCDS ocid, eForms ContractFolderID…) update the tender
-- they belong to; each update is kept with what it changed.
ALTER TABLE tenders ADD COLUMN version INTEGER DEFAULT 1;

CREATE TABLE tender_versions (
    tender_id    BIGINT NOT NULL,
    version      INTEGER NOT NULL,
    changes      JSON NOT NULL,
    source_file  VARCHAR,
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    reanalysed   BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (tender_id, version)
);
