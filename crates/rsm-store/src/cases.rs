//! Humanitarian case referrals: the case header (type, parties, status, instants — nothing
//! personal), the case file (the person's fields and the consent or legal basis), and the
//! append-only history of steps.
//!
//! The rules live in `rsm_humanitarian::case`; this module keeps what was decided. The
//! header is read freely by the server to decide access and compute deadlines; the file is
//! read only through [`CaseStore::read_case_file`], which appends a `case.read` audit event
//! in the same transaction, so no read of personal data goes unrecorded. A step names the
//! revision it starts from; a concurrent step makes it a conflict.

use std::collections::BTreeMap;

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use rsm_core::party::PartyCode;
use rsm_humanitarian::{
    case::{Basis, CaseStatus, ConsentScope, LegalBasis, Side, Step, report_outcome},
    report::CaseFact,
};
use serde_json::{Value, json};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros, parse_date, parse_party};

/// A referral as it is stored when opened.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub type_id: String,
    pub referring: PartyCode,
    pub receiving: PartyCode,
    /// Only the type's fields (checked by `rsm_humanitarian::case::check_referral`).
    pub fields: BTreeMap<String, String>,
    pub basis: Basis,
    /// The optional salted commitment to the referral: (SHA-256 hex, salt hex).
    pub commitment: Option<(String, String)>,
}

/// A case's header: what lists, deadlines, access decisions and the report need. Nothing
/// personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    pub type_id: String,
    pub referring: PartyCode,
    pub receiving: PartyCode,
    pub status: CaseStatus,
    /// The closing outcome, once closed.
    pub outcome: Option<String>,
    /// The referring focal point who opened it (the case's owner).
    pub opened_by: String,
    pub opened_by_account: Option<i64>,
    pub referred_at: Timestamp,
    /// The receiving side's last acceptance or progress note (follow-ups count from it).
    pub last_receiving_step_at: Option<Timestamp>,
    /// When it was declined, closed or withdrawn.
    pub resolved_at: Option<Timestamp>,
    pub revision: i64,
    /// SHA-256 hex of salt || the referral's canonical JSON, when the parties chose one.
    pub commitment: Option<String>,
    pub salt: Option<String>,
    /// Where the commitment sits in the log, once entered.
    pub log_index: Option<i64>,
}

/// One step in a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub seq: i64,
    pub at: Timestamp,
    /// `refer`, `accept`, `decline`, `progress`, `close` or `withdraw`.
    pub kind: String,
    pub side: Side,
    pub actor: String,
    /// The reason, note or outcome (empty for refer and accept).
    pub text: String,
}

/// The personal part of a case: fields, basis and the history's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub fields: BTreeMap<String, String>,
    pub basis: Basis,
    pub events: Vec<CaseEvent>,
}

/// Storage of case referrals.
#[allow(async_fn_in_trait)]
pub trait CaseStore {
    /// Stores a checked referral with its first event (`refer`), audited as `case.open`
    /// (the audit detail names the type and parties, never a person). The referral instant
    /// is `who.at`.
    async fn open_case(&self, case: &NewCase, who: &Attribution) -> Result<i64, StoreError>;
    /// The header of one case (no audit: nothing personal).
    async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError>;
    /// Headers of the cases `party` referred or received, newest first.
    async fn cases_of_party(&self, party: PartyCode) -> Result<Vec<StoredCase>, StoreError>;
    /// Headers of every case, newest first (for the server's own computations; never shown).
    async fn all_cases(&self) -> Result<Vec<StoredCase>, StoreError>;
    /// The personal part of a case, read by `side`; appends `case.read` to the audit trail
    /// in the same transaction. `None` if there is no such case (nothing recorded then).
    async fn read_case_file(
        &self,
        id: i64,
        side: Side,
        who: &Attribution,
    ) -> Result<Option<CaseFile>, StoreError>;
    /// Records `step` (already judged by `rsm_humanitarian::case::next_status`) taken by
    /// `side` at `who.at`, moving the case to `new_status`. Fails with a conflict if the case
    /// is no longer at `expected_revision`; returns the new revision.
    async fn record_case_step(
        &self,
        id: i64,
        expected_revision: i64,
        side: Side,
        step: &Step,
        new_status: CaseStatus,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Notes where the case's commitment was entered in the log.
    async fn set_case_log_index(
        &self,
        id: i64,
        index: i64,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// The cases referred from `from` to `to` (UTC days, both included) as the yearly report
    /// counts them.
    async fn case_facts(&self, from: Date, to: Date) -> Result<Vec<CaseFact>, StoreError>;
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn encode_basis(b: &Basis) -> String {
    match b {
        Basis::Consent {
            recorded_by,
            recorded_on,
            scope,
        } => json!({"consent": {
            "recorded_by": recorded_by,
            "recorded_on": recorded_on.to_string(),
            "scope": scope.as_str(),
        }}),
        Basis::Legal { basis, explanation } => json!({"legal": {
            "basis": basis.as_str(),
            "explanation": explanation,
        }}),
    }
    .to_string()
}

fn decode_basis(s: &str) -> Result<Basis, StoreError> {
    let v: Value = serde_json::from_str(s).map_err(|e| corrupt(format!("case basis: {e}")))?;
    let text = |v: &Value, k: &str| -> Result<String, StoreError> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| corrupt(format!("case basis lacks {k}")))
    };
    if let Some(c) = v.get("consent") {
        Ok(Basis::Consent {
            recorded_by: text(c, "recorded_by")?,
            recorded_on: parse_date(&text(c, "recorded_on")?)?,
            scope: ConsentScope::parse(&text(c, "scope")?)
                .ok_or_else(|| corrupt("case consent scope"))?,
        })
    } else if let Some(l) = v.get("legal") {
        Ok(Basis::Legal {
            basis: LegalBasis::parse(&text(l, "basis")?)
                .ok_or_else(|| corrupt("case legal basis"))?,
            explanation: text(l, "explanation")?,
        })
    } else {
        Err(corrupt("case basis is neither consent nor legal"))
    }
}

fn parse_side(s: &str) -> Result<Side, StoreError> {
    match s {
        "referring" => Ok(Side::Referring),
        "receiving" => Ok(Side::Receiving),
        other => Err(corrupt(format!("case side {other:?}"))),
    }
}

type CaseRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

type FactRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
);

const CASE_COLUMNS: &str = "id, type_id, referring_party, receiving_party, status, outcome, \
    opened_by, opened_by_account, referred_at, last_receiving_step_at, resolved_at, revision, \
    commitment, salt, log_index";

fn decode_case(r: CaseRow) -> Result<StoredCase, StoreError> {
    let opt = |v: Option<i64>| v.map(from_micros).transpose();
    Ok(StoredCase {
        id: r.0,
        type_id: r.1,
        referring: parse_party(&r.2)?,
        receiving: parse_party(&r.3)?,
        status: CaseStatus::parse(&r.4).ok_or_else(|| corrupt(format!("case status {:?}", r.4)))?,
        outcome: r.5,
        opened_by: r.6,
        opened_by_account: r.7,
        referred_at: from_micros(r.8)?,
        last_receiving_step_at: opt(r.9)?,
        resolved_at: opt(r.10)?,
        revision: r.11,
        commitment: r.12,
        salt: r.13,
        log_index: r.14,
    })
}

/// A transaction holding SQLite's write lock from its start ([`Store::begin_write`]).
async fn write_tx(store: &Store) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    store
        .begin_write("UPDATE cases SET revision = revision WHERE id = -1")
        .await
}

async fn append_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    kind: &str,
    side: Side,
    text: &str,
    who: &Attribution,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, at, kind, side, actor, account_id, text) \
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $2), \
         $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(id)
    .bind(micros(who.at))
    .bind(kind)
    .bind(side.as_str())
    .bind(&who.actor)
    .bind(who.account_id)
    .bind(text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl CaseStore for Store {
    async fn open_case(&self, case: &NewCase, who: &Attribution) -> Result<i64, StoreError> {
        let fields = serde_json::to_string(&case.fields).map_err(corrupt)?;
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO cases (type_id, referring_party, receiving_party, status, opened_by, \
             opened_by_account, referred_at, revision, commitment, salt) \
             VALUES ($1, $2, $3, 'referred', $4, $5, $6, 1, $7, $8) RETURNING id",
        )
        .bind(&case.type_id)
        .bind(case.referring.as_str())
        .bind(case.receiving.as_str())
        .bind(&who.actor)
        .bind(who.account_id)
        .bind(micros(who.at))
        .bind(case.commitment.as_ref().map(|c| c.0.clone()))
        .bind(case.commitment.as_ref().map(|c| c.1.clone()))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO case_files (case_id, fields, basis) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(fields)
            .bind(encode_basis(&case.basis))
            .execute(&mut *tx)
            .await?;
        append_event(&mut tx, id, "refer", Side::Referring, "", who).await?;
        audit::append(
            &mut *tx,
            who,
            "case.open",
            &format!("case:{id}"),
            &format!(
                "{} referred by {} to {}",
                case.type_id, case.referring, case.receiving
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError> {
        let row: Option<CaseRow> =
            sqlx::query_as(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(decode_case).transpose()
    }

    async fn cases_of_party(&self, party: PartyCode) -> Result<Vec<StoredCase>, StoreError> {
        let rows: Vec<CaseRow> = sqlx::query_as(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE referring_party = $1 OR receiving_party = $2 \
             ORDER BY referred_at DESC, id DESC"
        ))
        .bind(party.as_str())
        .bind(party.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_case).collect()
    }

    async fn all_cases(&self) -> Result<Vec<StoredCase>, StoreError> {
        let rows: Vec<CaseRow> = sqlx::query_as(&format!(
            "SELECT {CASE_COLUMNS} FROM cases ORDER BY referred_at DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_case).collect()
    }

    async fn read_case_file(
        &self,
        id: i64,
        side: Side,
        who: &Attribution,
    ) -> Result<Option<CaseFile>, StoreError> {
        // The audit event first: it takes the write lock, and the read cannot happen
        // without it being committed with it.
        let mut tx = self.pool().begin().await?;
        audit::append(
            &mut *tx,
            who,
            "case.read",
            &format!("case:{id}"),
            &format!("case file read by the {} side", side.as_str()),
        )
        .await?;
        let file: Option<(String, String)> =
            sqlx::query_as("SELECT fields, basis FROM case_files WHERE case_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((fields, basis)) = file else {
            tx.rollback().await?;
            return Ok(None);
        };
        let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, at, kind, side, actor, text FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&fields).map_err(|e| corrupt(format!("case fields: {e}")))?;
        let events = rows
            .into_iter()
            .map(|(seq, at, kind, side, actor, text)| {
                Ok(CaseEvent {
                    seq,
                    at: from_micros(at)?,
                    kind,
                    side: parse_side(&side)?,
                    actor,
                    text,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(CaseFile {
            fields,
            basis: decode_basis(&basis)?,
            events,
        }))
    }

    async fn record_case_step(
        &self,
        id: i64,
        expected_revision: i64,
        side: Side,
        step: &Step,
        new_status: CaseStatus,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let (outcome, text) = match step {
            Step::Accept => (None, String::new()),
            Step::Decline { reason } | Step::Withdraw { reason } => (None, reason.clone()),
            Step::Progress { note } => (None, note.clone()),
            Step::Close { outcome, note } => (
                Some(outcome.clone()),
                if note.is_empty() {
                    outcome.clone()
                } else {
                    format!("{outcome}: {note}")
                },
            ),
        };
        let receiving_step =
            side == Side::Receiving && matches!(step, Step::Accept | Step::Progress { .. });
        let resolved = !new_status.is_open();
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE cases SET status = $1, outcome = COALESCE($2, outcome), \
             last_receiving_step_at = COALESCE($3, last_receiving_step_at), \
             resolved_at = COALESCE($4, resolved_at), \
             revision = revision + 1 WHERE id = $5 AND revision = $6",
        )
        .bind(new_status.as_str())
        .bind(outcome)
        .bind(receiving_step.then(|| micros(who.at)))
        .bind(resolved.then(|| micros(who.at)))
        .bind(id)
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let current: Option<(i64,)> =
                sqlx::query_as("SELECT revision FROM cases WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match current {
                None => StoreError::NotFound(format!("case {id}")),
                Some((c,)) => StoreError::Conflict(format!(
                    "revision {} of case {id} (you acted on revision {expected_revision}; reload and try again)",
                    c
                )),
            });
        }
        append_event(&mut tx, id, step.kind(), side, &text, who).await?;
        audit::append(
            &mut *tx,
            who,
            &format!("case.{}", step.kind()),
            &format!("case:{id}"),
            &format!("now {new_status}"),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn set_case_log_index(
        &self,
        id: i64,
        index: i64,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE cases SET log_index = $1 WHERE id = $2 AND log_index IS NULL AND commitment IS NOT NULL",
        )
        .bind(index)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "case {id} awaiting its log entry"
            )));
        }
        audit::append(
            &mut *tx,
            who,
            "case.commit",
            &format!("case:{id}"),
            &format!("commitment entered in the log at {index}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn case_facts(&self, from: Date, to: Date) -> Result<Vec<CaseFact>, StoreError> {
        let start = |d: Date| {
            d.to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| corrupt(format!("date {d}: {e}")))
        };
        let lo = start(from)?;
        let hi = to
            .tomorrow()
            .map_err(|e| corrupt(format!("date {to}: {e}")))
            .and_then(start)?;
        let rows: Vec<FactRow> = sqlx::query_as(
            "SELECT referring_party, receiving_party, type_id, referred_at, status, outcome, \
                 resolved_at FROM cases WHERE referred_at >= $1 AND referred_at < $2 ORDER BY id",
        )
        .bind(micros(lo))
        .bind(micros(hi))
        .fetch_all(self.pool())
        .await?;
        let day = |t: Timestamp| t.to_zoned(TimeZone::UTC).date();
        rows.into_iter()
            .map(
                |(referring, receiving, kind, at, status, outcome, resolved)| {
                    let status = CaseStatus::parse(&status)
                        .ok_or_else(|| corrupt(format!("case status {status:?}")))?;
                    Ok(CaseFact {
                        referring_party: parse_party(&referring)?,
                        receiving_party: parse_party(&receiving)?,
                        kind,
                        referred_on: day(from_micros(at)?),
                        outcome: report_outcome(status, outcome.as_deref()),
                        resolved_on: resolved.map(from_micros).transpose()?.map(day),
                    })
                },
            )
            .collect()
    }
}
