-- The compliance matrix (issue 18): one row per requirement or evaluation criterion of a
-- tender, found in its documents or added by the bid team, with its owner, status and
-- response. Rows are never deleted: a wrong one is dropped (kept, marked), so refs stay.
CREATE TABLE requirements (
    tender_id   BIGINT NOT NULL,
    ref         VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    source      VARCHAR,
    page        INTEGER,
    section     VARCHAR,
    mandatory   BOOLEAN NOT NULL,
    kind        VARCHAR NOT NULL,
    weight      DOUBLE,
    owner       VARCHAR,
    status      VARCHAR NOT NULL DEFAULT 'open',
    response    VARCHAR NOT NULL DEFAULT '',
    origin      VARCHAR NOT NULL,
    dropped     BOOLEAN NOT NULL DEFAULT false,
    updated_by  VARCHAR,
    updated_at  TIMESTAMPTZ
);
