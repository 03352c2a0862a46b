-- Aid tracking (rsm-humanitarian::aid): flows in their original currency and the dated
-- conversion table. Money is an integer count of the currency's minor units; a rate is the
-- exact decimal text as entered. Both tables are append-only.

CREATE TABLE aid_flows (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('pledge', 'commitment', 'disbursement')),
    donor         TEXT    NOT NULL,   -- party code
    recipient     TEXT    NOT NULL,   -- party code, or the name of an organisation or country
    sector        TEXT    NOT NULL,
    flow_date     TEXT    NOT NULL,   -- YYYY-MM-DD
    currency      TEXT    NOT NULL,   -- ISO 4217
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    description   TEXT    NOT NULL,
    recorded_at   INTEGER NOT NULL,
    recorded_by   TEXT    NOT NULL
);
CREATE INDEX aid_flows_date ON aid_flows (flow_date);
CREATE INDEX aid_flows_donor ON aid_flows (donor, flow_date);
CREATE TRIGGER aid_flows_no_update BEFORE UPDATE ON aid_flows
BEGIN SELECT RAISE(ABORT, 'aid flows are append-only'); END;
CREATE TRIGGER aid_flows_no_delete BEFORE DELETE ON aid_flows
BEGIN SELECT RAISE(ABORT, 'aid flows are append-only'); END;

CREATE TABLE aid_rates (
    currency       TEXT    NOT NULL,
    effective      TEXT    NOT NULL,  -- YYYY-MM-DD, first day in force
    units_per_usd  TEXT    NOT NULL,  -- exact decimal
    source         TEXT    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (currency, effective)
);
CREATE TRIGGER aid_rates_no_update BEFORE UPDATE ON aid_rates
BEGIN SELECT RAISE(ABORT, 'aid rates are append-only'); END;
CREATE TRIGGER aid_rates_no_delete BEFORE DELETE ON aid_rates
BEGIN SELECT RAISE(ABORT, 'aid rates are append-only'); END;
