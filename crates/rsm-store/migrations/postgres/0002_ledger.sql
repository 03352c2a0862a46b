-- The notification log (rsm-ledger): entries, stored Merkle hashes, signed checkpoints and
-- the out-of-band key pins. Every table is append-only: no code path updates or deletes.

CREATE TABLE log_entries (
    idx          BIGINT  NOT NULL PRIMARY KEY,
    party        TEXT    NOT NULL,
    seq          BIGINT  NOT NULL,
    entry_type   TEXT    NOT NULL,
    leaf_hash    BYTEA   NOT NULL,
    bytes        BYTEA   NOT NULL,
    received_at  BIGINT  NOT NULL,
    UNIQUE (party, seq)
);
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

-- Complete subtree hashes (level, index), as Frontier::append returns them.
CREATE TABLE log_hashes (
    level  BIGINT NOT NULL,
    idx    BIGINT NOT NULL,
    hash   BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

-- Signed checkpoints (signed note text, cosignatures included), one per size.
CREATE TABLE log_checkpoints (
    size       BIGINT NOT NULL PRIMARY KEY,
    root       BYTEA  NOT NULL,
    note       TEXT   NOT NULL,
    signed_at  BIGINT NOT NULL
);
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

-- Parties' first public keys, pinned by the secretariat from an out-of-band letter.
CREATE TABLE log_key_pins (
    party       TEXT   NOT NULL PRIMARY KEY,
    public_key  BYTEA  NOT NULL,
    pinned_at   BIGINT NOT NULL
);
CREATE TRIGGER log_key_pins_append_only BEFORE UPDATE OR DELETE ON log_key_pins
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
