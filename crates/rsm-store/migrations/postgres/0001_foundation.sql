-- The foundation: participation, bodies, accounts, sessions, API tokens and the audit trail.
-- Instants are BIGINT microseconds since the Unix epoch (UTC); civil dates are TEXT YYYY-MM-DD.

CREATE FUNCTION rsm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TABLE participation_changes (
    id          BIGSERIAL PRIMARY KEY,
    party       TEXT    NOT NULL CHECK (party IN ('CN','JP','KP','KR','RU','US')),
    status      TEXT    NOT NULL CHECK (status IN ('participating','invited','suspended','withdrawn')),
    effective   TEXT    NOT NULL,
    basis       TEXT    NOT NULL,
    recorded_on TEXT    NOT NULL,
    recorded_at BIGINT  NOT NULL,
    recorded_by TEXT    NOT NULL
);
CREATE TRIGGER participation_changes_append_only BEFORE UPDATE OR DELETE ON participation_changes
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE body_revisions (
    body_id             TEXT    NOT NULL,
    revision            BIGINT  NOT NULL,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    visibility          TEXT    NOT NULL,
    members             TEXT    NOT NULL,
    activation          TEXT    NOT NULL,
    chair_rotation      TEXT    NOT NULL,
    rotation_start_year BIGINT  NOT NULL,
    changed_at          BIGINT  NOT NULL,
    changed_by          TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    PRIMARY KEY (body_id, revision)
);
CREATE TRIGGER body_revisions_append_only BEFORE UPDATE OR DELETE ON body_revisions
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE accounts (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role_kind     TEXT    NOT NULL,
    party         TEXT,
    body_id       TEXT,
    password_hash TEXT,
    disabled      BIGINT  NOT NULL DEFAULT 0,
    language      TEXT    NOT NULL DEFAULT 'en',
    time_zone     TEXT    NOT NULL DEFAULT 'UTC',
    created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    csrf_token  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    scope       TEXT    NOT NULL CHECK (scope IN ('read','write')),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE audit_events (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT  NOT NULL,
    actor      TEXT    NOT NULL,
    account_id BIGINT,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    detail     TEXT    NOT NULL
);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
