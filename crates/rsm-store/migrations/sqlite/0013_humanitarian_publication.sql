-- Published humanitarian reports and aid reversals (issue 9 follow-up).
--
-- A yearly report is published once, frozen: its JSON and CSV as published, byte for byte,
-- with the cut-off it was computed from and the log entry carrying its hash. Readers are
-- served these bytes, never a recomputation, so two reads cannot be differenced.
-- An aid reversal cancels one flow (at most one reversal per flow), with a reason; the flow
-- stays in the ledger. Both tables are append-only.

CREATE TABLE humanitarian_reports (
    year          INTEGER PRIMARY KEY,
    cut_off       TEXT    NOT NULL,   -- YYYY-MM-DD
    body_json     TEXT    NOT NULL,
    body_csv      TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,   -- hex, of body_json
    log_index     INTEGER,           -- NULL when the server runs without a log
    published_at  INTEGER NOT NULL,
    published_by  TEXT    NOT NULL
);
CREATE TRIGGER humanitarian_reports_no_update BEFORE UPDATE ON humanitarian_reports
BEGIN SELECT RAISE(ABORT, 'published reports are append-only'); END;
CREATE TRIGGER humanitarian_reports_no_delete BEFORE DELETE ON humanitarian_reports
BEGIN SELECT RAISE(ABORT, 'published reports are append-only'); END;

CREATE TABLE aid_reversals (
    flow_id       INTEGER PRIMARY KEY REFERENCES aid_flows (id),
    reason        TEXT    NOT NULL,
    recorded_at   INTEGER NOT NULL,
    recorded_by   TEXT    NOT NULL
);
CREATE TRIGGER aid_reversals_no_update BEFORE UPDATE ON aid_reversals
BEGIN SELECT RAISE(ABORT, 'aid reversals are append-only'); END;
CREATE TRIGGER aid_reversals_no_delete BEFORE DELETE ON aid_reversals
BEGIN SELECT RAISE(ABORT, 'aid reversals are append-only'); END;
