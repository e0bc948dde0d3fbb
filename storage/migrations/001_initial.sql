-- Tenders as imported, with their processing state.
CREATE SEQUENCE tender_id_seq START 1;

CREATE TABLE tenders (
    id              BIGINT PRIMARY KEY,
    source          VARCHAR NOT NULL,
    source_id       VARCHAR,
    source_file     VARCHAR,
    dedupe_key      VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    description     VARCHAR NOT NULL DEFAULT '',
    buyer           VARCHAR,
    value_amount    DOUBLE,
    value_currency  VARCHAR,
    deadline        TIMESTAMPTZ,
    cpv_codes       VARCHAR[] NOT NULL DEFAULT [],
    country         VARCHAR,
    language        VARCHAR,
    url             VARCHAR,
    raw             JSON,
    imported_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- processing state (status names are the contract in DESIGN.md)
    status          VARCHAR NOT NULL DEFAULT 'pending',
    claimed_from    VARCHAR,
    lease_until     TIMESTAMPTZ,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           VARCHAR,
    status_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);

CREATE TABLE filter_results (
    tender_id       BIGINT PRIMARY KEY,
    is_relevant     BOOLEAN NOT NULL,
    confidence      DOUBLE NOT NULL,
    categories      VARCHAR[] NOT NULL DEFAULT [],
    reasoning       VARCHAR NOT NULL DEFAULT '',
    evidence        VARCHAR[] NOT NULL DEFAULT [],
    analyst         VARCHAR NOT NULL,
    model           VARCHAR,
    prompt_version  VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE ratings (
    tender_id        BIGINT PRIMARY KEY,
    overall_score    DOUBLE NOT NULL,
    strategic_fit    DOUBLE NOT NULL,
    win_probability  DOUBLE NOT NULL,
    effort_required  DOUBLE NOT NULL,
    strengths        VARCHAR[] NOT NULL DEFAULT [],
    risks            VARCHAR[] NOT NULL DEFAULT [],
    recommendation   VARCHAR NOT NULL,
    reasoning        VARCHAR NOT NULL DEFAULT '',
    analyst          VARCHAR NOT NULL,
    model            VARCHAR,
    prompt_version   VARCHAR,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE bids (
    tender_id           BIGINT NOT NULL,
    version             INTEGER NOT NULL,
    executive_summary   VARCHAR NOT NULL,
    technical_approach  VARCHAR NOT NULL,
    value_proposition   VARCHAR NOT NULL,
    timeline_estimate   VARCHAR NOT NULL,
    status              VARCHAR NOT NULL DEFAULT 'draft',
    analyst             VARCHAR NOT NULL,
    model               VARCHAR,
    prompt_version      VARCHAR,
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tender_id, version)
);

-- The company profile: every save is a new version; the newest is in force.
CREATE TABLE company_profiles (
    version   INTEGER PRIMARY KEY,
    profile   JSON NOT NULL,
    saved_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Small shared switches (worker paused, …) that the dashboard and the CLI both read.
CREATE TABLE app_state (
    key        VARCHAR PRIMARY KEY,
    value      JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
