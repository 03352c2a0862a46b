-- Progress of a match run (stage, done of total) and the reunion draws made in the app.
ALTER TABLE kin_runs ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE kin_runs ADD COLUMN done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kin_runs ADD COLUMN total BIGINT NOT NULL DEFAULT 0;

-- A reunion draw: the eligible list and the committee's weights as committed to the log
-- (salted; the salt is kept here so the draw can be verified by anyone it is given to).
-- The result is not stored: it is computed when read from the first published checkpoint
-- that covers the commitment entry, so nobody can choose the seed after the fact.
CREATE TABLE kin_draws (
    id           INTEGER PRIMARY KEY,
    party        TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    count        BIGINT  NOT NULL,
    weights      TEXT    NOT NULL,
    eligible     TEXT    NOT NULL,
    applicants   BIGINT  NOT NULL,
    salt         TEXT    NOT NULL,
    list_digest  TEXT    NOT NULL,
    log_index    BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL
);
CREATE INDEX kin_draws_party ON kin_draws (party);
CREATE TRIGGER kin_draws_no_update BEFORE UPDATE ON kin_draws
BEGIN SELECT RAISE(ABORT, 'kin draws are append-only'); END;
CREATE TRIGGER kin_draws_no_delete BEFORE DELETE ON kin_draws
BEGIN SELECT RAISE(ABORT, 'kin draws are append-only'); END;
