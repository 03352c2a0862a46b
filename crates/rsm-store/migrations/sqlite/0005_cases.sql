-- Humanitarian case referrals (rsm-humanitarian::case). The case's header (type, parties,
-- status, instants) is what lists, deadlines and the yearly report need and holds nothing
-- personal; the person's fields and the consent or legal basis live in `case_files`, read
-- only through `CaseStore::read_case_file`, which audits every read. The history of steps
-- is append-only. Nothing here goes to the log; `commitment` is the optional salted hash
-- the parties may choose to enter there, with its salt kept beside it so they can prove it.

CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY,
    type_id                TEXT    NOT NULL,
    referring_party        TEXT    NOT NULL,
    receiving_party        TEXT    NOT NULL,
    status                 TEXT    NOT NULL,  -- referred | accepted | declined | in-progress | closed | withdrawn
    outcome                TEXT,              -- the closing outcome
    opened_by              TEXT    NOT NULL,  -- username of the referring focal point
    opened_by_account      BIGINT,
    referred_at            BIGINT  NOT NULL,
    last_receiving_step_at BIGINT,
    resolved_at            BIGINT,
    revision               BIGINT  NOT NULL,
    commitment             TEXT,              -- 64 hex: SHA-256(salt || canonical referral)
    salt                   TEXT,
    log_index              BIGINT
);
CREATE INDEX cases_referring ON cases (referring_party, status);
CREATE INDEX cases_receiving ON cases (receiving_party, status);
CREATE INDEX cases_referred_at ON cases (referred_at);

CREATE TABLE case_files (
    case_id  BIGINT NOT NULL PRIMARY KEY REFERENCES cases (id),
    fields   TEXT   NOT NULL,  -- JSON object: field name -> value, only the type's fields
    basis    TEXT   NOT NULL   -- JSON: {"consent": {...}} or {"legal": {...}}
);
CREATE TRIGGER case_files_no_update BEFORE UPDATE ON case_files
BEGIN SELECT RAISE(ABORT, 'case files are append-only'); END;
CREATE TRIGGER case_files_no_delete BEFORE DELETE ON case_files
BEGIN SELECT RAISE(ABORT, 'case files are append-only'); END;

CREATE TABLE case_events (
    case_id     BIGINT  NOT NULL REFERENCES cases (id),
    seq         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,  -- refer | accept | decline | progress | close | withdraw
    side        TEXT    NOT NULL,  -- referring | receiving
    actor       TEXT    NOT NULL,
    account_id  BIGINT,
    text        TEXT    NOT NULL,  -- reason, note or outcome
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
