//! Aid flows and the dated conversion table (`rsm_humanitarian::aid`), append-only.
//!
//! Flows are written in one transaction however many there are, so a CSV import lands
//! whole or not at all, with one audit event naming the range of ids.

use jiff::{Timestamp, civil::Date};
use rsm_core::party::PartyCode;
use rsm_humanitarian::aid::{
    Currency, Flow, FlowKind, Money, Rate, RateEntry, RateTable, Recipient, Sector,
};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros, parse_date, parse_party};

/// A stored flow with its id and who recorded it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFlow {
    pub id: i64,
    pub flow: Flow,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
    /// The reversal cancelling this flow, if it was reversed (the flow itself stays).
    pub reversal: Option<AidReversal>,
}

/// A reversal entry of the aid ledger: it cancels one flow, which stays visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidReversal {
    pub reason: String,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
}

/// A yearly humanitarian report as published: frozen bytes, served unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedReport {
    pub year: i16,
    /// The day the report was computed as of.
    pub cut_off: Date,
    pub body_json: String,
    pub body_csv: String,
    /// SHA-256 of `body_json`, hex.
    pub sha256: String,
    /// The log entry carrying the hash (none when the server runs without a log).
    pub log_index: Option<i64>,
    pub published_at: Timestamp,
    pub published_by: String,
}

/// Which flows to list (all conditions must hold), by date then id.
#[derive(Debug, Clone, Default)]
pub struct AidFilter {
    pub donor: Option<PartyCode>,
    /// A recipient as text: a party code or a name.
    pub recipient: Option<String>,
    pub sector: Option<Sector>,
    pub kind: Option<FlowKind>,
    /// Dated on or after.
    pub from: Option<Date>,
    /// Dated on or before.
    pub until: Option<Date>,
}

/// Aid flows and the conversion table.
#[allow(async_fn_in_trait)]
pub trait AidStore {
    /// Records flows in one transaction (all or none) with one audit event; returns their ids.
    async fn record_aid_flows(
        &self,
        flows: &[Flow],
        who: &Attribution,
    ) -> Result<Vec<i64>, StoreError>;
    async fn aid_flows(&self, filter: &AidFilter) -> Result<Vec<StoredFlow>, StoreError>;
    /// Adds a rate; a second rate for one currency and day is a conflict.
    async fn add_aid_rate(&self, rate: &RateEntry, who: &Attribution) -> Result<(), StoreError>;
    /// The whole conversion table.
    async fn aid_rates(&self) -> Result<RateTable, StoreError>;
    /// Reverses flow `id` with a reason (one audit event). A flow reversed already is a
    /// conflict; an unknown flow is `NotFound`.
    async fn reverse_aid_flow(
        &self,
        id: i64,
        reason: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Stores a published report (one audit event); a year published already is a conflict.
    async fn publish_humanitarian_report(
        &self,
        report: &PublishedReport,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// The published report of `year`, if any.
    async fn humanitarian_report(&self, year: i16) -> Result<Option<PublishedReport>, StoreError>;
}

type FlowRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn corrupt(id: i64, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("aid flow {id}: {what}: {e}"))
}

fn decode(r: FlowRow) -> Result<StoredFlow, StoreError> {
    let (
        id,
        kind,
        donor,
        recipient,
        sector,
        date,
        currency,
        minor,
        description,
        at,
        by,
        reason,
        reversed_at,
        reversed_by,
    ) = r;
    let reversal = match (reason, reversed_at, reversed_by) {
        (Some(reason), Some(at), Some(by)) => Some(AidReversal {
            reason,
            recorded_at: from_micros(at)?,
            recorded_by: by,
        }),
        _ => None,
    };
    let currency = Currency::parse(&currency).map_err(|e| corrupt(id, "currency", e))?;
    Ok(StoredFlow {
        id,
        flow: Flow {
            kind: FlowKind::parse(&kind).map_err(|e| corrupt(id, "kind", e))?,
            donor: parse_party(&donor)?,
            recipient: Recipient::parse(&recipient).map_err(|e| corrupt(id, "recipient", e))?,
            sector: Sector::parse(&sector).map_err(|e| corrupt(id, "sector", e))?,
            date: parse_date(&date)?,
            amount: Money { currency, minor },
            description,
        },
        recorded_at: from_micros(at)?,
        recorded_by: by,
        reversal,
    })
}

impl AidStore for Store {
    async fn record_aid_flows(
        &self,
        flows: &[Flow],
        who: &Attribution,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut ids = Vec::with_capacity(flows.len());
        for f in flows {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO aid_flows (kind, donor, recipient, sector, flow_date, currency, \
                 amount_minor, description, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(f.kind.as_str())
            .bind(f.donor.as_str())
            .bind(f.recipient.to_string())
            .bind(f.sector.id())
            .bind(f.date.to_string())
            .bind(f.amount.currency.code())
            .bind(f.amount.minor)
            .bind(&f.description)
            .bind(micros(who.at))
            .bind(&who.actor)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
            let target = if first == last {
                format!("aid:{first}")
            } else {
                format!("aid:{first}-{last}")
            };
            audit::append(
                &mut *tx,
                who,
                "aid.record",
                &target,
                &format!(
                    "{} flow{}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn aid_flows(&self, f: &AidFilter) -> Result<Vec<StoredFlow>, StoreError> {
        let rows: Vec<FlowRow> = sqlx::query_as(
            "SELECT f.id, f.kind, f.donor, f.recipient, f.sector, f.flow_date, f.currency, \
             f.amount_minor, f.description, f.recorded_at, f.recorded_by, \
             r.reason, r.recorded_at, r.recorded_by \
             FROM aid_flows f LEFT JOIN aid_reversals r ON r.flow_id = f.id \
             WHERE ($1 IS NULL OR donor = $1) AND ($2 IS NULL OR recipient = $2) \
             AND ($3 IS NULL OR sector = $3) AND ($4 IS NULL OR kind = $4) \
             AND ($5 IS NULL OR flow_date >= $5) AND ($6 IS NULL OR flow_date <= $6) \
             ORDER BY f.flow_date, f.id",
        )
        .bind(f.donor.map(|p| p.as_str().to_owned()))
        .bind(f.recipient.clone())
        .bind(f.sector.map(|s| s.id().to_owned()))
        .bind(f.kind.map(|k| k.as_str().to_owned()))
        .bind(f.from.map(|d| d.to_string()))
        .bind(f.until.map(|d| d.to_string()))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode).collect()
    }

    async fn add_aid_rate(&self, r: &RateEntry, who: &Attribution) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO aid_rates (currency, effective, units_per_usd, source, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.currency.code())
        .bind(r.effective.to_string())
        .bind(r.units_per_usd.to_string())
        .bind(&r.source)
        .bind(micros(who.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_or(e, || {
                format!("a {} rate in force from {}", r.currency, r.effective)
            })
        })?;
        audit::append(
            &mut *tx,
            who,
            "aid.rate",
            &format!("rate:{}:{}", r.currency, r.effective),
            &format!("{} per USD ({})", r.units_per_usd, r.source),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn aid_rates(&self) -> Result<RateTable, StoreError> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT currency, effective, units_per_usd, source FROM aid_rates \
             ORDER BY currency, effective",
        )
        .fetch_all(self.pool())
        .await?;
        let entries = rows
            .into_iter()
            .map(|(currency, effective, rate, source)| {
                let bad = |e: rsm_humanitarian::aid::FieldError| {
                    StoreError::Corrupt(format!("aid rate {currency} {effective}: {e}"))
                };
                Ok(RateEntry {
                    currency: Currency::parse(&currency).map_err(bad)?,
                    effective: parse_date(&effective)?,
                    units_per_usd: Rate::parse(&rate).map_err(bad)?,
                    source,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        RateTable::new(entries).map_err(|e| StoreError::Corrupt(format!("aid rates: {e}")))
    }

    async fn reverse_aid_flow(
        &self,
        id: i64,
        reason: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        // Reads, then writes: the write lock first.
        let mut tx = self
            .begin_write("UPDATE aid_flows SET id = id WHERE id = -1")
            .await?;
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM aid_flows WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("aid flow {id}")));
        }
        sqlx::query(
            "INSERT INTO aid_reversals (flow_id, reason, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(reason)
        .bind(micros(who.at))
        .bind(&who.actor)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("a reversal of aid flow {id}")))?;
        audit::append(&mut *tx, who, "aid.reverse", &format!("aid:{id}"), reason).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn publish_humanitarian_report(
        &self,
        r: &PublishedReport,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO humanitarian_reports (year, cut_off, body_json, body_csv, sha256, \
             log_index, published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(i32::from(r.year))
        .bind(r.cut_off.to_string())
        .bind(&r.body_json)
        .bind(&r.body_csv)
        .bind(&r.sha256)
        .bind(r.log_index)
        .bind(micros(r.published_at))
        .bind(&r.published_by)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("a published report of {}", r.year)))?;
        audit::append(
            &mut *tx,
            who,
            "report.publish",
            &format!("report:humanitarian:{}", r.year),
            &format!("cut-off {}, sha256 {}", r.cut_off, r.sha256),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn humanitarian_report(&self, year: i16) -> Result<Option<PublishedReport>, StoreError> {
        type Row = (String, String, String, String, Option<i64>, i64, String);
        let row: Option<Row> = sqlx::query_as(
            "SELECT cut_off, body_json, body_csv, sha256, log_index, published_at, published_by \
             FROM humanitarian_reports WHERE year = $1",
        )
        .bind(i32::from(year))
        .fetch_optional(self.pool())
        .await?;
        row.map(
            |(cut_off, body_json, body_csv, sha256, log_index, at, by)| {
                Ok(PublishedReport {
                    year,
                    cut_off: parse_date(&cut_off)?,
                    body_json,
                    body_csv,
                    sha256,
                    log_index,
                    published_at: from_micros(at)?,
                    published_by: by,
                })
            },
        )
        .transpose()
    }
}
