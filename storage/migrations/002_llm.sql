-- The LLM layer: one row per HTTP attempt, validated answers, and what endpoints refuse.
CREATE SEQUENCE llm_call_id_seq START 1;

CREATE TABLE llm_calls (
    id                 BIGINT PRIMARY KEY DEFAULT nextval('llm_call_id_seq'),
    called_at          TIMESTAMPTZ NOT NULL,
    call_id            VARCHAR NOT NULL,
    tender_id          BIGINT,
    step               VARCHAR NOT NULL,
    attempt            INTEGER NOT NULL,
    reask              INTEGER NOT NULL DEFAULT 0,
    mode               VARCHAR NOT NULL,
    model              VARCHAR NOT NULL,
    base_url           VARCHAR NOT NULL,
    status             VARCHAR NOT NULL,          -- ok | error | cached
    http_status        INTEGER,
    error_class        VARCHAR,
    error              VARCHAR,
    prompt_tokens      INTEGER NOT NULL DEFAULT 0,
    completion_tokens  INTEGER NOT NULL DEFAULT 0,
    cached_tokens      INTEGER NOT NULL DEFAULT 0,
    latency_ms         DOUBLE NOT NULL DEFAULT 0,
    cost               DOUBLE NOT NULL DEFAULT 0,
    prompt_version     VARCHAR
);

CREATE TABLE llm_cache (
    key         VARCHAR PRIMARY KEY,
    step        VARCHAR NOT NULL,
    model       VARCHAR NOT NULL,
    answer      VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Output modes ("json_schema", "tool", "json_object") and parameters ("param:max_tokens")
-- an endpoint refused for a model; they are not tried again until Settings re-probes.
CREATE TABLE llm_capabilities (
    base_url    VARCHAR NOT NULL,
    model       VARCHAR NOT NULL,
    feature     VARCHAR NOT NULL,
    reason      VARCHAR,
    refused_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (base_url, model, feature)
);
