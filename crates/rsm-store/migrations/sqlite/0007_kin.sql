-- Separated families (rsm-kin): a focal point's tracing registry, list exchange, match runs,
-- the review queue and replies. Personal data lives only here (never in the log); every read
-- of it is audited by the store's read methods. Each row belongs to one party's registry.

-- One upload (or registration) of records: what was read, what was kept, what was reported.
CREATE TABLE kin_imports (
    id              INTEGER PRIMARY KEY,
    party           TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('request','person')),
    filename        TEXT    NOT NULL,
    format          TEXT    NOT NULL,             -- csv | json
    policy          TEXT    NOT NULL CHECK (policy IN ('refuse','skip')),
    content_sha256  TEXT    NOT NULL,
    rows_read       BIGINT  NOT NULL,
    rows_kept       BIGINT  NOT NULL,
    issues          TEXT    NOT NULL,             -- JSON array of {line, reason}
    imported_at     BIGINT  NOT NULL,
    imported_by     TEXT    NOT NULL
);
CREATE TRIGGER kin_imports_no_update BEFORE UPDATE ON kin_imports
BEGIN SELECT RAISE(ABORT, 'kin imports are append-only'); END;
CREATE TRIGGER kin_imports_no_delete BEFORE DELETE ON kin_imports
BEGIN SELECT RAISE(ABORT, 'kin imports are append-only'); END;

-- Tracing requests (kind request: the South's/diaspora layout) and persons (kind person: the
-- North's layout); `fields` is the row as a JSON object keyed by the data/kin column names.
CREATE TABLE kin_records (
    id          INTEGER PRIMARY KEY,
    party       TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('request','person')),
    record_id   TEXT    NOT NULL,                 -- request_id or person_id
    import_id   BIGINT  NOT NULL REFERENCES kin_imports (id),
    fields      TEXT    NOT NULL,
    UNIQUE (party, kind, record_id)
);

CREATE TABLE kin_runs (
    id           INTEGER PRIMARY KEY,
    party        TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('running','finished','failed')),
    requests     BIGINT  NOT NULL,
    persons      BIGINT  NOT NULL,
    candidates   BIGINT  NOT NULL DEFAULT 0,
    message      TEXT    NOT NULL DEFAULT '',
    started_at   BIGINT  NOT NULL,
    finished_at  BIGINT,
    started_by   TEXT    NOT NULL
);

-- A candidate pair of a run: score, weight, and the explanation (JSON), as the matcher gave them.
CREATE TABLE kin_candidates (
    id           INTEGER PRIMARY KEY,
    run_id       BIGINT  NOT NULL REFERENCES kin_runs (id),
    party        TEXT    NOT NULL,
    request_id   TEXT    NOT NULL,
    person_id    TEXT    NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    weight       DOUBLE PRECISION NOT NULL,
    assigned     BIGINT  NOT NULL,
    explanation  TEXT    NOT NULL
);
CREATE INDEX kin_candidates_run ON kin_candidates (run_id);
CREATE INDEX kin_candidates_party ON kin_candidates (party);
CREATE TRIGGER kin_candidates_no_update BEFORE UPDATE ON kin_candidates
BEGIN SELECT RAISE(ABORT, 'kin candidates are append-only'); END;
CREATE TRIGGER kin_candidates_no_delete BEFORE DELETE ON kin_candidates
BEGIN SELECT RAISE(ABORT, 'kin candidates are append-only'); END;

-- Review decisions and replies: append-only; a candidate's state is its latest decision.
CREATE TABLE kin_decisions (
    id            INTEGER PRIMARY KEY,
    candidate_id  BIGINT  NOT NULL REFERENCES kin_candidates (id),
    decision      TEXT    NOT NULL CHECK (decision IN ('accept','reject','more-information')),
    note          TEXT    NOT NULL,
    decided_at    BIGINT  NOT NULL,
    decided_by    TEXT    NOT NULL
);
CREATE INDEX kin_decisions_candidate ON kin_decisions (candidate_id);
CREATE TRIGGER kin_decisions_no_update BEFORE UPDATE ON kin_decisions
BEGIN SELECT RAISE(ABORT, 'kin decisions are append-only'); END;
CREATE TRIGGER kin_decisions_no_delete BEFORE DELETE ON kin_decisions
BEGIN SELECT RAISE(ABORT, 'kin decisions are append-only'); END;

CREATE TABLE kin_replies (
    id            INTEGER PRIMARY KEY,
    candidate_id  BIGINT  NOT NULL REFERENCES kin_candidates (id),
    reply         TEXT    NOT NULL CHECK (reply IN ('alive','deceased','unknown')),
    note          TEXT    NOT NULL,
    recorded_at   BIGINT  NOT NULL,
    recorded_by   TEXT    NOT NULL
);
CREATE INDEX kin_replies_candidate ON kin_replies (candidate_id);
CREATE TRIGGER kin_replies_no_update BEFORE UPDATE ON kin_replies
BEGIN SELECT RAISE(ABORT, 'kin replies are append-only'); END;
CREATE TRIGGER kin_replies_no_delete BEFORE DELETE ON kin_replies
BEGIN SELECT RAISE(ABORT, 'kin replies are append-only'); END;

-- Exports to the other side: the signed manifest (no personal data) and its log entry.
CREATE TABLE kin_exports (
    id               INTEGER PRIMARY KEY,
    party            TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('request','person')),
    manifest         TEXT    NOT NULL,
    manifest_sha256  TEXT    NOT NULL,
    log_index        BIGINT,
    exported_at      BIGINT  NOT NULL,
    exported_by      TEXT    NOT NULL
);
CREATE TRIGGER kin_exports_no_update BEFORE UPDATE ON kin_exports
BEGIN SELECT RAISE(ABORT, 'kin exports are append-only'); END;
CREATE TRIGGER kin_exports_no_delete BEFORE DELETE ON kin_exports
BEGIN SELECT RAISE(ABORT, 'kin exports are append-only'); END;
