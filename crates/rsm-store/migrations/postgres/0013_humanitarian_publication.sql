-- Published humanitarian reports and aid reversals (issue 9 follow-up).
--
-- A yearly report is published once, frozen: its JSON and CSV as published, byte for byte,
-- with the cut-off it was computed from and the log entry carrying its hash. Readers are
-- served these bytes, never a recomputation, so two reads cannot be differenced.
-- An aid reversal cancels one flow (at most one reversal per flow), with a reason; the flow
-- stays in the ledger. Both tables are append-only.

CREATE TABLE humanitarian_reports (
    year          INTEGER PRIMARY KEY,
    cut_off       TEXT    NOT NULL,
    body_json     TEXT    NOT NULL,
    body_csv      TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    log_index     BIGINT,
    published_at  BIGINT  NOT NULL,
    published_by  TEXT    NOT NULL
);
CREATE TRIGGER humanitarian_reports_append_only BEFORE UPDATE OR DELETE ON humanitarian_reports
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE aid_reversals (
    flow_id       BIGINT  PRIMARY KEY REFERENCES aid_flows (id),
    reason        TEXT    NOT NULL,
    recorded_at   BIGINT  NOT NULL,
    recorded_by   TEXT    NOT NULL
);
CREATE TRIGGER aid_reversals_append_only BEFORE UPDATE OR DELETE ON aid_reversals
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
