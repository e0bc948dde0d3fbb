-- The audit log: sign-ins, decisions, bid approvals and edits, exports, settings changes,
-- imports, re-analyses and refused attempts.
-- Append-only: rows are inserted, never updated or deleted (storage.audit has no such path).
CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE audit_log (
    id       BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    "at"     TIMESTAMPTZ NOT NULL,
    actor    VARCHAR NOT NULL,              -- a username, or "cli" / "system"
    role     VARCHAR,                       -- viewer | bid_manager | approver | admin
    action   VARCHAR NOT NULL,              -- core.audit.AuditAction
    target   VARCHAR NOT NULL DEFAULT '',   -- "tender 12", "user bob", "settings: review policy"
    detail   VARCHAR NOT NULL DEFAULT '',   -- short text, never secrets
    outcome  VARCHAR NOT NULL DEFAULT 'ok'  -- ok | refused
);
CREATE INDEX audit_log_at ON audit_log ("at");
