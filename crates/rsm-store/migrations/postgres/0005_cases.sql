-- Humanitarian case referrals (rsm-humanitarian::case). See the SQLite migration of the
-- same number for the meaning of each column.

CREATE TABLE cases (
    id                     BIGSERIAL PRIMARY KEY,
    type_id                TEXT    NOT NULL,
    referring_party        TEXT    NOT NULL,
    receiving_party        TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    outcome                TEXT,
    opened_by              TEXT    NOT NULL,
    opened_by_account      BIGINT,
    referred_at            BIGINT  NOT NULL,
    last_receiving_step_at BIGINT,
    resolved_at            BIGINT,
    revision               BIGINT  NOT NULL,
    commitment             TEXT,
    salt                   TEXT,
    log_index              BIGINT
);
CREATE INDEX cases_referring ON cases (referring_party, status);
CREATE INDEX cases_receiving ON cases (receiving_party, status);
CREATE INDEX cases_referred_at ON cases (referred_at);

CREATE TABLE case_files (
    case_id  BIGINT NOT NULL PRIMARY KEY REFERENCES cases (id),
    fields   TEXT   NOT NULL,
    basis    TEXT   NOT NULL
);
CREATE TRIGGER case_files_append_only BEFORE UPDATE OR DELETE ON case_files
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE case_events (
    case_id     BIGINT  NOT NULL REFERENCES cases (id),
    seq         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    side        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    account_id  BIGINT,
    text        TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
