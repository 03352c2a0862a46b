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
);

fn corrupt(id: i64, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("aid flow {id}: {what}: {e}"))
}

fn decode(r: FlowRow) -> Result<StoredFlow, StoreError> {
    let (id, kind, donor, recipient, sector, date, currency, minor, description, at, by) = r;
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
            "SELECT id, kind, donor, recipient, sector, flow_date, currency, amount_minor, \
             description, recorded_at, recorded_by FROM aid_flows \
             WHERE ($1 IS NULL OR donor = $1) AND ($2 IS NULL OR recipient = $2) \
             AND ($3 IS NULL OR sector = $3) AND ($4 IS NULL OR kind = $4) \
             AND ($5 IS NULL OR flow_date >= $5) AND ($6 IS NULL OR flow_date <= $6) \
             ORDER BY flow_date, id",
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
}
