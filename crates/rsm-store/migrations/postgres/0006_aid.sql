-- Aid tracking (rsm-humanitarian::aid): flows in their original currency and the dated
-- conversion table. Money is an integer count of the currency's minor units; a rate is the
-- exact decimal text as entered. Both tables are append-only.

CREATE TABLE aid_flows (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT   NOT NULL CHECK (kind IN ('pledge', 'commitment', 'disbursement')),
    donor         TEXT   NOT NULL,
    recipient     TEXT   NOT NULL,
    sector        TEXT   NOT NULL,
    flow_date     TEXT   NOT NULL,
    currency      TEXT   NOT NULL,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    description   TEXT   NOT NULL,
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT   NOT NULL
);
CREATE INDEX aid_flows_date ON aid_flows (flow_date);
CREATE INDEX aid_flows_donor ON aid_flows (donor, flow_date);
CREATE TRIGGER aid_flows_append_only BEFORE UPDATE OR DELETE ON aid_flows
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();

CREATE TABLE aid_rates (
    currency       TEXT   NOT NULL,
    effective      TEXT   NOT NULL,
    units_per_usd  TEXT   NOT NULL,
    source         TEXT   NOT NULL,
    recorded_at    BIGINT NOT NULL,
    PRIMARY KEY (currency, effective)
);
CREATE TRIGGER aid_rates_append_only BEFORE UPDATE OR DELETE ON aid_rates
FOR EACH ROW EXECUTE FUNCTION rsm_append_only();
