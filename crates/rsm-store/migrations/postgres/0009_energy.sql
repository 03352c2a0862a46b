-- The economic working group's planning: scenarios (TOML, as rsm-energy reads them), runs of
-- the planner with their frozen input and their result, and results attached to agenda items
-- or draft decisions with the hashes of input and result. Instants are BIGINT microseconds.

CREATE TABLE energy_scenarios (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    toml        TEXT    NOT NULL,
    revision    BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    updated_by  TEXT    NOT NULL
);

-- A run keeps the scenario text it was started with, so re-running it after a crash gives
-- the same result; status moves queued → running → done | failed.
CREATE TABLE energy_runs (
    id             BIGSERIAL PRIMARY KEY,
    network        TEXT    NOT NULL,
    scenario_name  TEXT,
    scenario_toml  TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    steps_done     BIGINT  NOT NULL,
    steps_total    BIGINT  NOT NULL,
    requested_at   BIGINT  NOT NULL,
    requested_by   TEXT    NOT NULL,
    finished_at    BIGINT,
    input_hash     TEXT,
    result_hash    TEXT,
    result         TEXT,
    error          TEXT
);
CREATE INDEX energy_runs_status ON energy_runs(status);

CREATE TABLE energy_attachments (
    id           BIGSERIAL PRIMARY KEY,
    run_id       BIGINT  NOT NULL REFERENCES energy_runs(id),
    target_kind  TEXT    NOT NULL CHECK (target_kind IN ('agenda-item', 'draft')),
    target_id    BIGINT  NOT NULL,
    input_hash   TEXT    NOT NULL,
    result_hash  TEXT    NOT NULL,
    attached_at  BIGINT  NOT NULL,
    attached_by  TEXT    NOT NULL,
    UNIQUE (run_id, target_kind, target_id)
);
CREATE INDEX energy_attachments_target ON energy_attachments(target_kind, target_id);
