-- Accounts, server-side sign-in sessions and failed sign-in attempts (for throttling).
CREATE TABLE accounts (
    username       VARCHAR PRIMARY KEY,   -- lower case, what people type to sign in
    display_name   VARCHAR NOT NULL,
    role           VARCHAR NOT NULL,      -- viewer | bid_manager | approver | admin
    password_hash  VARCHAR NOT NULL,      -- scrypt$n$r$p$salt$hash; never the password
    email          VARCHAR,               -- for single sign-on: the identity provider's email
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     VARCHAR NOT NULL,
    disabled_at    TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ NOT NULL
);

-- A session is known by the SHA-256 of its random token; the token lives only in the cookie.
CREATE TABLE auth_sessions (
    token_hash     VARCHAR PRIMARY KEY,
    username       VARCHAR NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    client         VARCHAR                -- how the browser reached us, for the audit log
);
CREATE INDEX auth_sessions_user ON auth_sessions (username);

-- One row per failed sign-in; counted per username over a window, then trimmed.
CREATE TABLE sign_in_failures (
    username       VARCHAR NOT NULL,
    failed_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_user ON sign_in_failures (username);
