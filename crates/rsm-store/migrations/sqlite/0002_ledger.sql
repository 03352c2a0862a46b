-- The notification log (rsm-ledger): entries, stored Merkle hashes, signed checkpoints and
-- the out-of-band key pins. Every table is append-only: no code path updates or deletes.

CREATE TABLE log_entries (
    idx          INTEGER NOT NULL PRIMARY KEY,
    party        TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    entry_type   TEXT    NOT NULL,
    leaf_hash    BLOB    NOT NULL,
    bytes        BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    UNIQUE (party, seq)
);
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;

-- Complete subtree hashes (level, index), as Frontier::append returns them.
CREATE TABLE log_hashes (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hash   BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;

-- Signed checkpoints (signed note text, cosignatures included), one per size.
CREATE TABLE log_checkpoints (
    size       INTEGER NOT NULL PRIMARY KEY,
    root       BLOB    NOT NULL,
    note       TEXT    NOT NULL,
    signed_at  INTEGER NOT NULL
);
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;

-- Parties' first public keys, pinned by the secretariat from an out-of-band letter.
CREATE TABLE log_key_pins (
    party       TEXT    NOT NULL PRIMARY KEY,
    public_key  BLOB    NOT NULL,
    pinned_at   INTEGER NOT NULL
);
CREATE TRIGGER log_key_pins_no_update BEFORE UPDATE ON log_key_pins
BEGIN SELECT RAISE(ABORT, 'key pins are append-only'); END;
CREATE TRIGGER log_key_pins_no_delete BEFORE DELETE ON log_key_pins
BEGIN SELECT RAISE(ABORT, 'key pins are append-only'); END;
