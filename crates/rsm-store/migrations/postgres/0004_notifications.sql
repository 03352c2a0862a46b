-- Notifications (rsm-regime): the contents beside the log, and the regime versions.
-- The log carries each notification's commitment; the content lives here, keyed by that
-- commitment, stored (idempotently) before the entry is appended. Append-only.

CREATE TABLE notification_contents (
    commitment     TEXT   NOT NULL PRIMARY KEY,
    content        TEXT   NOT NULL,
    salt           TEXT,
    restricted_to  TEXT,
    stored_at      BIGINT NOT NULL
);
CREATE TRIGGER notification_contents_append_only BEFORE UPDATE OR DELETE ON notification_contents
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE notification_entries (
    idx         BIGINT NOT NULL PRIMARY KEY, -- the log index (log_entries.idx)
    commitment  TEXT   NOT NULL REFERENCES notification_contents (commitment),
    party       TEXT   NOT NULL,
    type_id     TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    ref_idx     BIGINT,
    received_at BIGINT NOT NULL
);
CREATE INDEX notification_entries_party ON notification_entries (party, type_id);
CREATE INDEX notification_entries_ref ON notification_entries (ref_idx);
CREATE TRIGGER notification_entries_append_only BEFORE UPDATE OR DELETE ON notification_entries
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE regime_versions (
    effective_at  BIGINT NOT NULL PRIMARY KEY,
    basis         TEXT   NOT NULL,
    text          TEXT   NOT NULL,
    text_sha256   TEXT   NOT NULL,
    recorded_at   BIGINT NOT NULL
);
CREATE TRIGGER regime_versions_append_only BEFORE UPDATE OR DELETE ON regime_versions
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
