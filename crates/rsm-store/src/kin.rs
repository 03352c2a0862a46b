//! Separated families: a focal point's tracing registry (requests and persons in the
//! `data/kin` layouts), imports, match runs, candidates with their explanations, review
//! decisions and replies, and exports with their signed manifests.
//!
//! Every method that returns personal data takes an [`Attribution`] and appends an audit
//! event (`kin.read…`) in the same transaction as the read, so no read of personal data
//! escapes the audit trail. Writes are audited likewise. An import is all-or-nothing: its
//! rows and its audit event commit together, and a duplicate id refuses the whole import.

use jiff::Timestamp;
use sqlx::Any;

use crate::{Attribution, Store, StoreError, audit, from_micros, micros};

/// Requests (tracing requests: the South's layout) or persons (the North's layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KinKind {
    Request,
    Person,
}

impl KinKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Person => "person",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "request" => Some(Self::Request),
            "person" => Some(Self::Person),
            _ => None,
        }
    }
}

/// An import to store: its metadata and the rows kept (each `(record_id, fields JSON)`).
#[derive(Debug, Clone)]
pub struct NewKinImport {
    pub party: String,
    pub kind: KinKind,
    pub filename: String,
    pub format: String,
    /// `refuse` (all-or-nothing) or `skip` (bad rows reported, the rest kept).
    pub policy: String,
    pub content_sha256: String,
    pub rows_read: i64,
    /// JSON array of `{line, reason}`.
    pub issues: String,
    pub records: Vec<(String, String)>,
}

/// A stored import (no personal data).
#[derive(Debug, Clone, PartialEq)]
pub struct KinImport {
    pub id: i64,
    pub party: String,
    pub kind: KinKind,
    pub filename: String,
    pub format: String,
    pub policy: String,
    pub content_sha256: String,
    pub rows_read: i64,
    pub rows_kept: i64,
    pub issues: String,
    pub imported_at: Timestamp,
    pub imported_by: String,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct KinRecord {
    pub id: i64,
    pub kind: KinKind,
    pub record_id: String,
    pub import_id: i64,
    /// The row as a JSON object keyed by the data/kin column names.
    pub fields: String,
}

/// A registry's counts (no personal data).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KinCounts {
    pub requests: i64,
    pub persons: i64,
    pub runs: i64,
    pub candidates: i64,
    /// Candidates without an accept or reject decision.
    pub open: i64,
    pub accepted: i64,
}

/// A match run.
#[derive(Debug, Clone, PartialEq)]
pub struct KinRun {
    pub id: i64,
    pub party: String,
    /// running | finished | failed
    pub state: String,
    pub requests: i64,
    pub persons: i64,
    pub candidates: i64,
    pub message: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub started_by: String,
    /// The matcher's current stage while running (`index`, `train`, `score`, `assign`).
    pub stage: String,
    /// Work done of `total` in that stage.
    pub done: i64,
    pub total: i64,
}

/// A reunion draw to record: its list and weights as committed to the log.
#[derive(Debug, Clone)]
pub struct NewKinDraw {
    pub party: String,
    pub title: String,
    pub count: i64,
    /// The committee's weights (TOML, `rsm-kin::draw::Weights`).
    pub weights: String,
    /// The eligible list (CSV `applicant_id,birth_year,relationship`).
    pub eligible: String,
    pub applicants: i64,
    /// The commitment's salt, hex.
    pub salt: String,
    /// SHA-256 of the canonical list and weights, hex.
    pub list_digest: String,
    /// The log entry holding the salted commitment.
    pub log_index: i64,
}

/// A recorded reunion draw.
#[derive(Debug, Clone)]
pub struct KinDraw {
    pub id: i64,
    pub draw: NewKinDraw,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A candidate to store.
#[derive(Debug, Clone)]
pub struct NewKinCandidate {
    pub request_id: String,
    pub person_id: String,
    pub score: f64,
    pub weight: f64,
    pub assigned: bool,
    /// The explanation as JSON.
    pub explanation: String,
}

/// A candidate with the two records it links and its review state.
#[derive(Debug, Clone, PartialEq)]
pub struct KinCandidate {
    pub id: i64,
    pub run_id: i64,
    pub party: String,
    pub request_id: String,
    pub person_id: String,
    pub score: f64,
    pub weight: f64,
    pub assigned: bool,
    pub explanation: String,
    /// The request's fields (JSON), if the record is still in the registry.
    pub request: Option<String>,
    /// The person's fields (JSON).
    pub person: Option<String>,
    /// open | accept | reject | more-information: the latest decision on this pair
    /// (request, person), in whichever run it was taken.
    pub status: String,
    pub decisions: Vec<KinDecision>,
    pub replies: Vec<KinReply>,
}

/// A review decision.
#[derive(Debug, Clone, PartialEq)]
pub struct KinDecision {
    pub decision: String,
    pub note: String,
    pub at: Timestamp,
    pub by: String,
}

/// A reply on a candidate's person (alive, deceased, unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct KinReply {
    pub reply: String,
    pub note: String,
    pub at: Timestamp,
    pub by: String,
}

/// A recorded export.
#[derive(Debug, Clone, PartialEq)]
pub struct KinExport {
    pub id: i64,
    pub party: String,
    pub kind: KinKind,
    pub manifest: String,
    pub manifest_sha256: String,
    pub log_index: Option<i64>,
    pub exported_at: Timestamp,
    pub exported_by: String,
}

/// Which candidates to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateFilter {
    /// No accept or reject yet (open or more information asked).
    Queue,
    All,
}

/// A run `running` for longer than this (seconds) is taken to have been interrupted.
pub const STALE_RUN_SECS: i64 = 6 * 3600;

/// The review decisions a focal point may take.
pub const DECISIONS: [&str; 3] = ["accept", "reject", "more-information"];
/// The replies that may be recorded.
pub const REPLIES: [&str; 3] = ["alive", "deceased", "unknown"];

#[allow(async_fn_in_trait)]
pub trait KinStore {
    /// Stores an import and all its rows in one transaction; a record id already in the
    /// registry (or twice in the import) is a conflict and nothing is stored.
    async fn kin_import(&self, imp: &NewKinImport, who: &Attribution) -> Result<i64, StoreError>;
    /// The registry's imports, newest first (metadata only).
    async fn kin_imports(&self, party: &str) -> Result<Vec<KinImport>, StoreError>;
    /// The ids of a kind already registered (pseudonymous ids only, to refuse repeats).
    async fn kin_record_ids(
        &self,
        party: &str,
        kind: KinKind,
    ) -> Result<std::collections::HashSet<String>, StoreError>;
    /// Counts for the registry page.
    async fn kin_counts(&self, party: &str) -> Result<KinCounts, StoreError>;
    /// Every record of a kind (audited read of personal data).
    async fn kin_records(
        &self,
        party: &str,
        kind: KinKind,
        who: &Attribution,
    ) -> Result<Vec<KinRecord>, StoreError>;
    /// Starts a run over the registry's current records.
    async fn kin_start_run(
        &self,
        party: &str,
        requests: i64,
        persons: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Stores a run's candidates and marks it finished, in one transaction.
    async fn kin_finish_run(
        &self,
        run: i64,
        candidates: &[NewKinCandidate],
        message: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Marks a run failed with its reason.
    async fn kin_fail_run(
        &self,
        run: i64,
        message: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    async fn kin_runs(&self, party: &str) -> Result<Vec<KinRun>, StoreError>;
    async fn kin_run(&self, party: &str, id: i64) -> Result<Option<KinRun>, StoreError>;
    /// Candidates with their records (audited read of personal data), best score first.
    async fn kin_candidates(
        &self,
        party: &str,
        filter: CandidateFilter,
        who: &Attribution,
    ) -> Result<Vec<KinCandidate>, StoreError>;
    /// One candidate of the party's registry (audited read), or None.
    async fn kin_candidate(
        &self,
        party: &str,
        id: i64,
        who: &Attribution,
    ) -> Result<Option<KinCandidate>, StoreError>;
    /// Appends a review decision (one of [`DECISIONS`]).
    async fn kin_decide(
        &self,
        party: &str,
        candidate: i64,
        decision: &str,
        note: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Appends a reply (one of [`REPLIES`]).
    async fn kin_reply(
        &self,
        party: &str,
        candidate: i64,
        reply: &str,
        note: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Records an export's manifest and the log entry its hash went to.
    async fn kin_record_export(
        &self,
        party: &str,
        kind: KinKind,
        manifest: &str,
        manifest_sha256: &str,
        log_index: Option<i64>,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn kin_exports(&self, party: &str) -> Result<Vec<KinExport>, StoreError>;
    /// Records a running match run's stage and progress (no audit event: no data moves).
    async fn kin_run_progress(
        &self,
        run: i64,
        stage: &str,
        done: i64,
        total: i64,
    ) -> Result<(), StoreError>;
    /// Records a reunion draw (append-only) with its audit event.
    async fn kin_record_draw(
        &self,
        draw: &NewKinDraw,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// The party's draws, newest first (audited: the lists hold applicants' ids and years).
    async fn kin_draws(&self, party: &str, who: &Attribution) -> Result<Vec<KinDraw>, StoreError>;
    /// One draw of the party's (audited read), or None.
    async fn kin_draw(
        &self,
        party: &str,
        id: i64,
        who: &Attribution,
    ) -> Result<Option<KinDraw>, StoreError>;
}

/// A transaction holding SQLite's write lock from its start ([`Store::begin_write`]).
async fn write_tx(store: &Store) -> Result<sqlx::Transaction<'static, Any>, StoreError> {
    store
        .begin_write("UPDATE kin_runs SET state = state WHERE id = -1")
        .await
}

fn kind_of(s: &str) -> Result<KinKind, StoreError> {
    KinKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("kin kind {s:?}")))
}

type ImportRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    String,
);
type RunRow = (
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    String,
    String,
    i64,
    i64,
);
type ExportRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    String,
);
const RUN_COLUMNS: &str = "id, party, state, requests, persons, candidates, message, started_at, finished_at, started_by, \
     stage, done, total";
type DrawRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
);
const DRAW_COLUMNS: &str = "id, party, title, count, weights, eligible, applicants, salt, list_digest, log_index, \
     created_at, created_by";

fn decode_draw(r: DrawRow) -> Result<KinDraw, StoreError> {
    Ok(KinDraw {
        id: r.0,
        draw: NewKinDraw {
            party: r.1,
            title: r.2,
            count: r.3,
            weights: r.4,
            eligible: r.5,
            applicants: r.6,
            salt: r.7,
            list_digest: r.8,
            log_index: r.9,
        },
        created_at: from_micros(r.10)?,
        created_by: r.11,
    })
}
type CandRow = (
    i64,
    i64,
    String,
    String,
    String,
    f64,
    f64,
    i64,
    String,
    Option<String>,
    Option<String>,
);
const CAND_SELECT: &str = "SELECT c.id, c.run_id, c.party, c.request_id, c.person_id, c.score, c.weight, c.assigned, c.explanation, \
     (SELECT r.fields FROM kin_records r WHERE r.party = c.party AND r.kind = 'request' AND r.record_id = c.request_id), \
     (SELECT p.fields FROM kin_records p WHERE p.party = c.party AND p.kind = 'person' AND p.record_id = c.person_id) \
     FROM kin_candidates c";

/// The latest decision on a candidate's pair (request, person), whichever run proposed it:
/// decisions follow the pair, so a new run does not reopen a decided pair.
const PAIR_LATEST: &str = "(SELECT d.decision FROM kin_decisions d JOIN kin_candidates c2 ON d.candidate_id = c2.id \
     WHERE c2.party = c.party AND c2.request_id = c.request_id AND c2.person_id = c.person_id \
     ORDER BY d.id DESC LIMIT 1)";

/// In the review queue: a candidate of the latest finished run whose pair has no accept or
/// reject yet (asking for more information keeps it in the queue).
const QUEUE_CONDITION: &str = "c.run_id = (SELECT MAX(r.id) FROM kin_runs r WHERE r.party = c.party AND r.state = 'finished') \
     AND COALESCE((SELECT d.decision FROM kin_decisions d JOIN kin_candidates c2 ON d.candidate_id = c2.id \
     WHERE c2.party = c.party AND c2.request_id = c.request_id AND c2.person_id = c.person_id \
     ORDER BY d.id DESC LIMIT 1), 'open') IN ('open', 'more-information')";

fn decode_run(r: RunRow) -> Result<KinRun, StoreError> {
    Ok(KinRun {
        id: r.0,
        party: r.1,
        state: r.2,
        requests: r.3,
        persons: r.4,
        candidates: r.5,
        message: r.6,
        started_at: from_micros(r.7)?,
        finished_at: r.8.map(from_micros).transpose()?,
        started_by: r.9,
        stage: r.10,
        done: r.11,
        total: r.12,
    })
}

impl Store {
    async fn kin_decorate(
        conn: &mut sqlx::AnyConnection,
        rows: Vec<CandRow>,
    ) -> Result<Vec<KinCandidate>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let decisions: Vec<(String, String, i64, String)> = sqlx::query_as(
                "SELECT d.decision, d.note, d.decided_at, d.decided_by FROM kin_decisions d \
                 JOIN kin_candidates c2 ON d.candidate_id = c2.id \
                 WHERE c2.party = $1 AND c2.request_id = $2 AND c2.person_id = $3 ORDER BY d.id",
            )
            .bind(&r.2)
            .bind(&r.3)
            .bind(&r.4)
            .fetch_all(&mut *conn)
            .await?;
            let replies: Vec<(String, String, i64, String)> = sqlx::query_as(
                "SELECT d.reply, d.note, d.recorded_at, d.recorded_by FROM kin_replies d \
                 JOIN kin_candidates c2 ON d.candidate_id = c2.id \
                 WHERE c2.party = $1 AND c2.request_id = $2 AND c2.person_id = $3 ORDER BY d.id",
            )
            .bind(&r.2)
            .bind(&r.3)
            .bind(&r.4)
            .fetch_all(&mut *conn)
            .await?;
            let decisions = decisions
                .into_iter()
                .map(|(decision, note, at, by)| {
                    Ok(KinDecision {
                        decision,
                        note,
                        at: from_micros(at)?,
                        by,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let replies = replies
                .into_iter()
                .map(|(reply, note, at, by)| {
                    Ok(KinReply {
                        reply,
                        note,
                        at: from_micros(at)?,
                        by,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            out.push(KinCandidate {
                id: r.0,
                run_id: r.1,
                party: r.2,
                request_id: r.3,
                person_id: r.4,
                score: r.5,
                weight: r.6,
                assigned: r.7 != 0,
                explanation: r.8,
                request: r.9,
                person: r.10,
                status: decisions
                    .last()
                    .map(|d| d.decision.clone())
                    .unwrap_or_else(|| "open".into()),
                decisions,
                replies,
            });
        }
        Ok(out)
    }

    async fn kin_candidate_exists(
        tx: &mut sqlx::Transaction<'static, Any>,
        party: &str,
        id: i64,
    ) -> Result<(), StoreError> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM kin_candidates WHERE id = $1 AND party = $2")
                .bind(id)
                .bind(party)
                .fetch_optional(&mut **tx)
                .await?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(format!("candidate {id}")))
    }
}

impl KinStore for Store {
    async fn kin_import(&self, imp: &NewKinImport, who: &Attribution) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO kin_imports (party, kind, filename, format, policy, content_sha256, rows_read, rows_kept, issues, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&imp.party)
        .bind(imp.kind.as_str())
        .bind(&imp.filename)
        .bind(&imp.format)
        .bind(&imp.policy)
        .bind(&imp.content_sha256)
        .bind(imp.rows_read)
        .bind(imp.records.len() as i64)
        .bind(&imp.issues)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        for (record_id, fields) in &imp.records {
            sqlx::query(
                "INSERT INTO kin_records (party, kind, record_id, import_id, fields) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&imp.party)
            .bind(imp.kind.as_str())
            .bind(record_id)
            .bind(id)
            .bind(fields)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::conflict_or(e, || format!("{} {record_id}", imp.kind.as_str()))
            })?;
        }
        audit::append(
            &mut *tx,
            who,
            "kin.import",
            &format!("kin-import:{id}"),
            &format!(
                "{} {}s kept of {} rows read ({}, {})",
                imp.records.len(),
                imp.kind.as_str(),
                imp.rows_read,
                imp.policy,
                imp.party
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn kin_imports(&self, party: &str) -> Result<Vec<KinImport>, StoreError> {
        let rows: Vec<ImportRow> = sqlx::query_as(
            "SELECT id, party, kind, filename, format, policy, content_sha256, rows_read, rows_kept, issues, imported_at, imported_by \
             FROM kin_imports WHERE party = $1 ORDER BY id DESC",
        )
        .bind(party)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(KinImport {
                    id: r.0,
                    party: r.1,
                    kind: kind_of(&r.2)?,
                    filename: r.3,
                    format: r.4,
                    policy: r.5,
                    content_sha256: r.6,
                    rows_read: r.7,
                    rows_kept: r.8,
                    issues: r.9,
                    imported_at: from_micros(r.10)?,
                    imported_by: r.11,
                })
            })
            .collect()
    }

    async fn kin_record_ids(
        &self,
        party: &str,
        kind: KinKind,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT record_id FROM kin_records WHERE party = $1 AND kind = $2")
                .bind(party)
                .bind(kind.as_str())
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    async fn kin_counts(&self, party: &str) -> Result<KinCounts, StoreError> {
        let (requests, persons): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM kin_records WHERE party = $1 AND kind = 'request'), \
                    (SELECT COUNT(*) FROM kin_records WHERE party = $1 AND kind = 'person')",
        )
        .bind(party)
        .fetch_one(self.pool())
        .await?;
        let (runs, candidates): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM kin_runs WHERE party = $1), \
                    (SELECT COUNT(*) FROM kin_candidates WHERE party = $1)",
        )
        .bind(party)
        .fetch_one(self.pool())
        .await?;
        let (open,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM kin_candidates c WHERE c.party = $1 AND {QUEUE_CONDITION}"
        ))
        .bind(party)
        .fetch_one(self.pool())
        .await?;
        let (accepted,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT c.request_id, c.person_id FROM kin_candidates c \
             WHERE c.party = $1 AND {PAIR_LATEST} = 'accept') pairs"
        ))
        .bind(party)
        .fetch_one(self.pool())
        .await?;
        Ok(KinCounts {
            requests,
            persons,
            runs,
            candidates,
            open,
            accepted,
        })
    }

    async fn kin_records(
        &self,
        party: &str,
        kind: KinKind,
        who: &Attribution,
    ) -> Result<Vec<KinRecord>, StoreError> {
        let mut tx = write_tx(self).await?;
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT id, record_id, import_id, fields FROM kin_records WHERE party = $1 AND kind = $2 ORDER BY record_id",
        )
        .bind(party)
        .bind(kind.as_str())
        .fetch_all(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.read-records",
            &format!("kin-registry:{party}"),
            &format!("{} {}s", rows.len(), kind.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(id, record_id, import_id, fields)| KinRecord {
                id,
                kind,
                record_id,
                import_id,
                fields,
            })
            .collect())
    }

    async fn kin_start_run(
        &self,
        party: &str,
        requests: i64,
        persons: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        // A run still `running` after STALE_RUN_SECS was interrupted (the server stopped
        // during it): it is marked failed rather than blocking the registry for ever.
        let stale_before = micros(who.at) - STALE_RUN_SECS * 1_000_000;
        let stale = sqlx::query(
            "UPDATE kin_runs SET state = 'failed', message = 'interrupted: the server stopped during the run', \
             finished_at = $1 WHERE party = $2 AND state = 'running' AND started_at < $3",
        )
        .bind(micros(who.at))
        .bind(party)
        .bind(stale_before)
        .execute(&mut *tx)
        .await?;
        if stale.rows_affected() > 0 {
            audit::append(
                &mut *tx,
                who,
                "kin.run-fail",
                &format!("kin-registry:{party}"),
                "interrupted runs marked failed",
            )
            .await?;
        }
        let running: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM kin_runs WHERE party = $1 AND state = 'running'")
                .bind(party)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((id,)) = running {
            return Err(StoreError::Conflict(format!(
                "match run {id} (still running)"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO kin_runs (party, state, requests, persons, started_at, started_by) \
             VALUES ($1, 'running', $2, $3, $4, $5) RETURNING id",
        )
        .bind(party)
        .bind(requests)
        .bind(persons)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.run-start",
            &format!("kin-run:{id}"),
            &format!("{requests} requests × {persons} persons"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn kin_finish_run(
        &self,
        run: i64,
        candidates: &[NewKinCandidate],
        message: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = write_tx(self).await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT party, state FROM kin_runs WHERE id = $1")
                .bind(run)
                .fetch_optional(&mut *tx)
                .await?;
        let (party, state) = row.ok_or_else(|| StoreError::NotFound(format!("match run {run}")))?;
        if state != "running" {
            return Err(StoreError::Conflict(format!(
                "match run {run} already {state}"
            )));
        }
        for c in candidates {
            sqlx::query(
                "INSERT INTO kin_candidates (run_id, party, request_id, person_id, score, weight, assigned, explanation) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(run)
            .bind(&party)
            .bind(&c.request_id)
            .bind(&c.person_id)
            .bind(c.score)
            .bind(c.weight)
            .bind(i64::from(c.assigned))
            .bind(&c.explanation)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE kin_runs SET state = 'finished', candidates = $1, message = $2, finished_at = $3 WHERE id = $4",
        )
        .bind(candidates.len() as i64)
        .bind(message)
        .bind(micros(who.at))
        .bind(run)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.run-finish",
            &format!("kin-run:{run}"),
            &format!("{} candidates", candidates.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn kin_fail_run(
        &self,
        run: i64,
        message: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE kin_runs SET state = 'failed', message = $1, finished_at = $2 WHERE id = $3 AND state = 'running'",
        )
        .bind(message)
        .bind(micros(who.at))
        .bind(run)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("running match run {run}")));
        }
        audit::append(
            &mut *tx,
            who,
            "kin.run-fail",
            &format!("kin-run:{run}"),
            message,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn kin_runs(&self, party: &str) -> Result<Vec<KinRun>, StoreError> {
        let rows: Vec<RunRow> = sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM kin_runs WHERE party = $1 ORDER BY id DESC"
        ))
        .bind(party)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_run).collect()
    }

    async fn kin_run(&self, party: &str, id: i64) -> Result<Option<KinRun>, StoreError> {
        let row: Option<RunRow> = sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM kin_runs WHERE party = $1 AND id = $2"
        ))
        .bind(party)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_run).transpose()
    }

    async fn kin_candidates(
        &self,
        party: &str,
        filter: CandidateFilter,
        who: &Attribution,
    ) -> Result<Vec<KinCandidate>, StoreError> {
        let mut tx = write_tx(self).await?;
        let cond: &str = match filter {
            CandidateFilter::All => "",
            CandidateFilter::Queue => QUEUE_CONDITION,
        };
        let cond = if cond.is_empty() {
            String::new()
        } else {
            format!(" AND {cond}")
        };
        let rows: Vec<CandRow> = sqlx::query_as(&format!(
            "{CAND_SELECT} WHERE c.party = $1{cond} ORDER BY c.run_id DESC, c.score DESC, c.id"
        ))
        .bind(party)
        .fetch_all(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.read-candidates",
            &format!("kin-registry:{party}"),
            &format!("{} candidates", rows.len()),
        )
        .await?;
        let out = Self::kin_decorate(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn kin_candidate(
        &self,
        party: &str,
        id: i64,
        who: &Attribution,
    ) -> Result<Option<KinCandidate>, StoreError> {
        let mut tx = write_tx(self).await?;
        let row: Option<CandRow> =
            sqlx::query_as(&format!("{CAND_SELECT} WHERE c.party = $1 AND c.id = $2"))
                .bind(party)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        audit::append(
            &mut *tx,
            who,
            "kin.read-candidate",
            &format!("kin-candidate:{id}"),
            &format!("{} / {}", row.3, row.4),
        )
        .await?;
        let mut out = Self::kin_decorate(&mut tx, vec![row]).await?;
        tx.commit().await?;
        Ok(out.pop())
    }

    async fn kin_decide(
        &self,
        party: &str,
        candidate: i64,
        decision: &str,
        note: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        if !DECISIONS.contains(&decision) {
            return Err(StoreError::Corrupt(format!("decision {decision:?}")));
        }
        self.kin_candidate_note(
            CandidateNote::Decision,
            party,
            candidate,
            decision,
            note,
            who,
        )
        .await
    }

    async fn kin_reply(
        &self,
        party: &str,
        candidate: i64,
        reply: &str,
        note: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        if !REPLIES.contains(&reply) {
            return Err(StoreError::Corrupt(format!("reply {reply:?}")));
        }
        self.kin_candidate_note(CandidateNote::Reply, party, candidate, reply, note, who)
            .await
    }

    async fn kin_record_export(
        &self,
        party: &str,
        kind: KinKind,
        manifest: &str,
        manifest_sha256: &str,
        log_index: Option<i64>,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO kin_exports (party, kind, manifest, manifest_sha256, log_index, exported_at, exported_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(party)
        .bind(kind.as_str())
        .bind(manifest)
        .bind(manifest_sha256)
        .bind(log_index)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.export",
            &format!("kin-export:{id}"),
            &format!("{} list, manifest {manifest_sha256}", kind.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn kin_exports(&self, party: &str) -> Result<Vec<KinExport>, StoreError> {
        let rows: Vec<ExportRow> =
            sqlx::query_as(
                "SELECT id, party, kind, manifest, manifest_sha256, log_index, exported_at, exported_by \
                 FROM kin_exports WHERE party = $1 ORDER BY id DESC",
            )
            .bind(party)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(KinExport {
                    id: r.0,
                    party: r.1,
                    kind: kind_of(&r.2)?,
                    manifest: r.3,
                    manifest_sha256: r.4,
                    log_index: r.5,
                    exported_at: from_micros(r.6)?,
                    exported_by: r.7,
                })
            })
            .collect()
    }

    async fn kin_run_progress(
        &self,
        run: i64,
        stage: &str,
        done: i64,
        total: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE kin_runs SET stage = $1, done = $2, total = $3 WHERE id = $4 AND state = 'running'",
        )
        .bind(stage)
        .bind(done)
        .bind(total)
        .bind(run)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn kin_record_draw(&self, d: &NewKinDraw, who: &Attribution) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO kin_draws (party, title, count, weights, eligible, applicants, salt, list_digest, \
             log_index, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&d.party)
        .bind(&d.title)
        .bind(d.count)
        .bind(&d.weights)
        .bind(&d.eligible)
        .bind(d.applicants)
        .bind(&d.salt)
        .bind(&d.list_digest)
        .bind(d.log_index)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "kin.draw",
            &format!("kin-draw:{id}"),
            &format!(
                "{} of {} applicants; commitment at log entry {}",
                d.count, d.applicants, d.log_index
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn kin_draws(&self, party: &str, who: &Attribution) -> Result<Vec<KinDraw>, StoreError> {
        let mut tx = write_tx(self).await?;
        let rows: Vec<DrawRow> = sqlx::query_as(&format!(
            "SELECT {DRAW_COLUMNS} FROM kin_draws WHERE party = $1 ORDER BY id DESC"
        ))
        .bind(party)
        .fetch_all(&mut *tx)
        .await?;
        if !rows.is_empty() {
            audit::append(
                &mut *tx,
                who,
                "kin.read-draws",
                &format!("kin-registry:{party}"),
                &format!("{} draws", rows.len()),
            )
            .await?;
        }
        tx.commit().await?;
        rows.into_iter().map(decode_draw).collect()
    }

    async fn kin_draw(
        &self,
        party: &str,
        id: i64,
        who: &Attribution,
    ) -> Result<Option<KinDraw>, StoreError> {
        let mut tx = write_tx(self).await?;
        let row: Option<DrawRow> = sqlx::query_as(&format!(
            "SELECT {DRAW_COLUMNS} FROM kin_draws WHERE party = $1 AND id = $2"
        ))
        .bind(party)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            audit::append(
                &mut *tx,
                who,
                "kin.read-draw",
                &format!("kin-draw:{id}"),
                "",
            )
            .await?;
        }
        tx.commit().await?;
        row.map(decode_draw).transpose()
    }
}

/// What is recorded on a candidate pair: a review decision or the other side's reply.
#[derive(Debug, Clone, Copy)]
enum CandidateNote {
    Decision,
    Reply,
}

impl Store {
    /// Appends a decision or reply (already checked against its list) to a candidate of
    /// `party`'s registry, with its audit event, in one transaction.
    async fn kin_candidate_note(
        &self,
        kind: CandidateNote,
        party: &str,
        candidate: i64,
        value: &str,
        note: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let (sql, action) = match kind {
            CandidateNote::Decision => (
                "INSERT INTO kin_decisions (candidate_id, decision, note, decided_at, decided_by) \
                 VALUES ($1, $2, $3, $4, $5)",
                "kin.decide",
            ),
            CandidateNote::Reply => (
                "INSERT INTO kin_replies (candidate_id, reply, note, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5)",
                "kin.reply",
            ),
        };
        let mut tx = write_tx(self).await?;
        Self::kin_candidate_exists(&mut tx, party, candidate).await?;
        sqlx::query(sql)
            .bind(candidate)
            .bind(value)
            .bind(note)
            .bind(micros(who.at))
            .bind(&who.actor)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut *tx,
            who,
            action,
            &format!("kin-candidate:{candidate}"),
            value,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
