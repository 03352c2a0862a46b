-- Notifications (rsm-regime): the contents beside the log, and the regime versions.
-- The log carries each notification's commitment; the content lives here, keyed by that
-- commitment, stored (idempotently) before the entry is appended. Append-only.

CREATE TABLE notification_contents (
    commitment     TEXT    NOT NULL PRIMARY KEY, -- 64 hex digits, as in the envelope
    content        TEXT    NOT NULL,             -- the exact JSON text committed to
    salt           TEXT,                         -- 64 hex digits for a salted commitment
    restricted_to  TEXT,                         -- body id when distribution is restricted
    stored_at      INTEGER NOT NULL
);
CREATE TRIGGER notification_contents_no_update BEFORE UPDATE ON notification_contents
BEGIN SELECT RAISE(ABORT, 'notification contents are append-only'); END;
CREATE TRIGGER notification_contents_no_delete BEFORE DELETE ON notification_contents
BEGIN SELECT RAISE(ABORT, 'notification contents are append-only'); END;

-- A log entry that is a notification (or an acknowledgement), linked to its content.
CREATE TABLE notification_entries (
    idx         INTEGER NOT NULL PRIMARY KEY, -- the log index (log_entries.idx)
    commitment  TEXT    NOT NULL REFERENCES notification_contents (commitment),
    party       TEXT    NOT NULL,
    type_id     TEXT    NOT NULL,   -- regime type id; `ack` for acknowledgements
    kind        TEXT    NOT NULL,   -- original | amends | cancels | ack
    ref_idx     INTEGER,            -- the entry amended, cancelled or acknowledged
    received_at INTEGER NOT NULL
);
CREATE INDEX notification_entries_party ON notification_entries (party, type_id);
CREATE INDEX notification_entries_ref ON notification_entries (ref_idx);
CREATE TRIGGER notification_entries_no_update BEFORE UPDATE ON notification_entries
BEGIN SELECT RAISE(ABORT, 'notification entries are append-only'); END;
CREATE TRIGGER notification_entries_no_delete BEFORE DELETE ON notification_entries
BEGIN SELECT RAISE(ABORT, 'notification entries are append-only'); END;

-- Regime versions after the default one, each adopted by a secretariat act (or decision)
-- and entered in the log as a `regime.version` entry committing to the text's hash.
CREATE TABLE regime_versions (
    effective_at  INTEGER NOT NULL PRIMARY KEY,
    basis         TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    text_sha256   TEXT    NOT NULL,
    recorded_at   INTEGER NOT NULL
);
CREATE TRIGGER regime_versions_no_update BEFORE UPDATE ON regime_versions
BEGIN SELECT RAISE(ABORT, 'regime versions are append-only'); END;
CREATE TRIGGER regime_versions_no_delete BEFORE DELETE ON regime_versions
BEGIN SELECT RAISE(ABORT, 'regime versions are append-only'); END;
