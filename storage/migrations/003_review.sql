-- Human review: why a tender waits, the append-only decision log, and bid document workflow.
ALTER TABLE tenders ADD COLUMN review_stage VARCHAR;

CREATE SEQUENCE decision_id_seq START 1;

-- Append-only: rows are inserted, never updated or deleted (storage.decisions has no such path).
CREATE TABLE decisions (
    id               BIGINT PRIMARY KEY,
    tender_id        BIGINT NOT NULL,
    action           VARCHAR NOT NULL,   -- accept | go | no_go | reopen
    status_before    VARCHAR NOT NULL,
    status_after     VARCHAR NOT NULL,
    decided_by       VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    decided_at       TIMESTAMPTZ NOT NULL,
    reason           VARCHAR NOT NULL DEFAULT '',
    stage            VARCHAR,            -- relevance | score | approval (why it waited)
    ai_proposal      VARCHAR,            -- go | no_go
    ai_relevant      BOOLEAN,
    ai_confidence    DOUBLE,
    ai_score         DOUBLE,
    analyst          VARCHAR,
    model            VARCHAR,
    prompt_version   VARCHAR,
    overrides        JSON NOT NULL DEFAULT '{}',
    policy           JSON NOT NULL DEFAULT '{}',
    profile_version  INTEGER
);
CREATE INDEX decisions_tender ON decisions (tender_id);

-- Bid documents: who wrote each version, and its approval and export.
ALTER TABLE bids ADD COLUMN edited_by VARCHAR;
ALTER TABLE bids ADD COLUMN note VARCHAR;
ALTER TABLE bids ADD COLUMN approved_by VARCHAR;
ALTER TABLE bids ADD COLUMN approved_at TIMESTAMPTZ;
ALTER TABLE bids ADD COLUMN exported_at TIMESTAMPTZ;
