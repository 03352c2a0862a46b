//! Separated families under `/api/v1/kin`: a focal point's tracing registry (requests and
//! persons), imports (all-or-nothing or skipping bad rows), match runs on a blocking thread,
//! the review queue with explanations, decisions and replies, and exports to the other side
//! with a manifest whose hash the secretariat enters in the log.
//!
//! Who: the humanitarian focal points of KR (and of KP while KP participates), each in their
//! own party's registry (`Action::KinRegistry`); everyone else gets 404. The cross-side
//! exchange (importing the other side's list, exporting one's own) also needs KP to
//! participate (`Action::KinExchange`); while it does not, it is refused with the reason,
//! and the registry itself still works.
//!
//! The manifest decision: the host cannot sign for a party (it never holds a party's key),
//! so an export's manifest — party, kind, record count, columns, the SHA-256 of the exported
//! file, the instant; never a name — is entered in the log by the secretariat as a
//! `kin.list-export` entry committing (`commit_public`) to the manifest's exact bytes. The
//! log's signed checkpoints then vouch for it, and the receiving society checks the file's
//! hash against the manifest and the manifest against the log. A party that wants its own
//! signature as well submits the same manifest with `rsm submit --content MANIFEST`.
//!
//! Every read of personal data goes through `KinStore` methods that append an audit event
//! in the same transaction.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use rsm_core::{
    access::{Action, Role},
    party::PartyCode,
};
use rsm_kin::{
    RowIssue,
    batch::{self, BatchOptions},
    csvin::BadRowPolicy,
    explain::Explanation,
    linker::{Progress, Stage},
    records,
    registry::{self, Format, ListKind},
};
use rsm_store::{
    Attribution, AuditStore, CandidateFilter, KinCandidate, KinKind, KinRecord, KinStore,
    NewKinCandidate, NewKinImport, Store,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery};
use crate::{AppState, auth::Caller, clock::Clock, error::ApiError, error::Problem};

/// Candidates below this probability are not kept for review (runners-up above it are).
pub const REVIEW_FLOOR: f64 = 0.05;

/// The registry the caller works in: their own party's, if the policy lets them.
pub async fn registry_party(state: &AppState, caller: &Caller) -> Result<PartyCode, ApiError> {
    let party = caller
        .actor
        .role()
        .and_then(Role::party)
        .unwrap_or(PartyCode::KR);
    caller.require(state, Action::KinRegistry(party)).await?;
    Ok(party)
}

/// The kind of list a party's own society keeps: the South's requests, the North's persons.
pub fn own_kind(party: PartyCode) -> KinKind {
    if party == PartyCode::KP {
        KinKind::Person
    } else {
        KinKind::Request
    }
}

fn list_kind(k: KinKind) -> ListKind {
    match k {
        KinKind::Request => ListKind::Requests,
        KinKind::Person => ListKind::Persons,
    }
}

/// Why the exchange is closed, or None when it is open.
pub async fn exchange_closed(
    state: &AppState,
    caller: &Caller,
    party: PartyCode,
) -> Result<Option<String>, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    Ok(
        rsm_core::access::decide(&caller.actor, Action::KinExchange(party), today, &timeline)
            .err()
            .map(|d| d.reason),
    )
}

// ---- wire types --------------------------------------------------------------------------

/// A registry's overview (no personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryView {
    pub party: String,
    /// The kind of list this society keeps itself (`request` or `person`).
    pub own_kind: String,
    pub requests: i64,
    pub persons: i64,
    pub runs: i64,
    pub candidates: i64,
    pub open: i64,
    pub accepted: i64,
    /// Whether lists may be exchanged with the other side now.
    pub exchange_open: bool,
    /// Why not, when closed.
    pub exchange_closed_reason: Option<String>,
    pub imports: Vec<ImportView>,
    pub runs_list: Vec<RunView>,
    pub exports: Vec<ExportView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    pub format: String,
    pub policy: String,
    pub rows_read: i64,
    pub rows_kept: i64,
    pub issues: Vec<IssueView>,
    pub imported_at: String,
    pub imported_by: String,
}

/// A bad row (or a note on a kept row): line in a CSV file, item number in a JSON one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssueView {
    pub line: u64,
    pub reason: String,
}

fn issue_view(i: &RowIssue) -> IssueView {
    IssueView {
        line: i.line,
        reason: i.reason.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    pub id: i64,
    /// running | finished | failed
    pub state: String,
    pub requests: i64,
    pub persons: i64,
    pub candidates: i64,
    pub message: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub started_by: String,
    /// While running: the matcher's stage (`load`, `prepare`, `index`, `train`, `score`,
    /// `assign`) and the work done of `total` in it.
    pub stage: String,
    pub done: i64,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportView {
    pub id: i64,
    pub kind: String,
    pub manifest: String,
    pub manifest_sha256: String,
    pub log_index: Option<i64>,
    pub exported_at: String,
}

/// An upload: the file's text (or base64 bytes, e.g. EUC-KR) in the data/kin layout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// `request` (tracing requests) or `person` (persons).
    pub kind: String,
    /// `csv` or `json` (an array of objects keyed by column name).
    pub format: String,
    /// `refuse`: any bad row refuses the whole import; `skip`: bad rows are reported and the
    /// rest imported.
    pub policy: String,
    pub filename: Option<String>,
    pub content: Option<String>,
    pub content_base64: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub id: i64,
    pub rows_read: usize,
    pub rows_kept: usize,
    /// Bad rows skipped (policy `skip`).
    pub skipped: Vec<IssueView>,
    /// Notes on rows kept.
    pub notes: Vec<IssueView>,
}

/// A 422 listing every bad row of a refused import.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowsProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub errors: Vec<IssueView>,
}

/// An import's failure: bad rows under `refuse`, or another error.
pub enum ImportError {
    Rows(Vec<RowIssue>),
    Api(ApiError),
}

impl From<ApiError> for ImportError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<rsm_store::StoreError> for ImportError {
    fn from(e: rsm_store::StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl IntoResponse for ImportError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Rows(rows) => {
                let body = RowsProblem {
                    problem: Problem {
                        kind: "urn:rsm:problem:invalid-field".into(),
                        title: "Unprocessable Entity".into(),
                        status: 422,
                        detail: format!(
                            "{} bad row(s); nothing was imported: {}",
                            rows.len(),
                            rows.iter()
                                .take(20)
                                .map(|r| format!("line {}: {}", r.line, r.reason))
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        field: Some("content".into()),
                        rule: Some("every row must be valid (policy refuse)".into()),
                        reference: None,
                    },
                    errors: rows.iter().map(issue_view).collect(),
                };
                let mut r = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("application/problem+json"),
                );
                r
            }
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RunOptions {
    /// Answer only once the run has finished (default false: answer at once, state `running`).
    pub wait: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RecordQuery {
    /// `request` or `person`.
    pub kind: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CandidateQuery {
    /// `queue` (default: no accept or reject yet) or `all`.
    pub filter: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    pub record_id: String,
    pub import_id: i64,
    #[schema(value_type = Object)]
    pub fields: Value,
}

/// One piece of evidence, as the matcher gave it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    pub field: String,
    pub level: u8,
    /// Weight in bits (positive favours a match).
    pub weight: f64,
    pub text: String,
}

/// The explanation of a candidate pair.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
pub struct ExplanationView {
    pub summary: String,
    pub prior: f64,
    pub total: f64,
    pub evidence: Vec<EvidenceView>,
}

fn explanation_view(e: &Explanation) -> ExplanationView {
    ExplanationView {
        summary: e.summary.clone(),
        prior: e.prior,
        total: e.total,
        evidence: e
            .evidence
            .iter()
            .map(|x| EvidenceView {
                field: x.field.to_string(),
                level: x.level,
                weight: x.weight,
                text: x.text.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub decision: String,
    pub note: String,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    pub id: i64,
    pub run_id: i64,
    pub request_id: String,
    pub person_id: String,
    pub score: f64,
    pub weight: f64,
    /// The matcher's one-to-one assignment (false: a runner-up shown for review).
    pub assigned: bool,
    /// open | accept | reject | more-information
    pub status: String,
    pub explanation: ExplanationView,
    #[schema(value_type = Object)]
    pub request: Value,
    #[schema(value_type = Object)]
    pub person: Value,
    pub decisions: Vec<DecisionView>,
    pub replies: Vec<DecisionView>,
}

pub fn candidate_view(c: &KinCandidate) -> CandidateView {
    let json = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    };
    CandidateView {
        id: c.id,
        run_id: c.run_id,
        request_id: c.request_id.clone(),
        person_id: c.person_id.clone(),
        score: c.score,
        weight: c.weight,
        assigned: c.assigned,
        status: c.status.clone(),
        explanation: serde_json::from_str(&c.explanation).unwrap_or_default(),
        request: json(&c.request),
        person: json(&c.person),
        decisions: c
            .decisions
            .iter()
            .map(|d| DecisionView {
                decision: d.decision.clone(),
                note: d.note.clone(),
                at: d.at.to_string(),
                by: d.by.clone(),
            })
            .collect(),
        replies: c
            .replies
            .iter()
            .map(|d| DecisionView {
                decision: d.reply.clone(),
                note: d.note.clone(),
                at: d.at.to_string(),
                by: d.by.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// accept | reject | more-information
    pub decision: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// alive | deceased | unknown
    pub reply: String,
    pub note: Option<String>,
}

/// An export: the list (CSV), its manifest, and the log entry the manifest's hash is in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportResult {
    pub id: i64,
    pub manifest: String,
    pub manifest_sha256: String,
    pub log_index: u64,
    pub filename: String,
    /// The exported list, CSV in the data/kin layout.
    pub content: String,
}

/// The manifest of an exported list: no personal data, only what identifies the file.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    format: &'static str,
    party: &'a str,
    kind: &'a str,
    records: usize,
    columns: &'a [&'a str],
    content_sha256: String,
    exported_at: String,
    log_entry_type: &'static str,
}

/// The log entry type of an export manifest.
pub const EXPORT_ENTRY_TYPE: &str = "kin.list-export";

// ---- the workflow, shared with the pages ------------------------------------------------

/// A checked upload, ready to import.
pub struct Upload {
    pub kind: KinKind,
    pub format: Format,
    pub refuse: bool,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Parses the kind, format and policy fields.
pub fn parse_upload_fields(
    kind: &str,
    format: &str,
    policy: &str,
) -> Result<(KinKind, Format, bool), ApiError> {
    let kind = KinKind::parse(kind)
        .ok_or_else(|| ApiError::invalid("kind", "must be request or person"))?;
    let format = match format {
        "csv" => Format::Csv,
        "json" => Format::Json,
        _ => return Err(ApiError::invalid("format", "must be csv or json")),
    };
    let refuse = match policy {
        "refuse" => true,
        "skip" => false,
        _ => return Err(ApiError::invalid("policy", "must be refuse or skip")),
    };
    Ok((kind, format, refuse))
}

/// Imports an upload into the caller's registry. Under `refuse`, any bad row refuses the
/// whole upload and nothing is stored; under `skip`, the good rows are stored in one
/// transaction with the import's report.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    up: Upload,
) -> Result<(i64, registry::Upload), ImportError> {
    let party = registry_party(state, caller).await?;
    if up.kind != own_kind(party) {
        caller.require(state, Action::KinExchange(party)).await?;
    }
    let existing = state.store.kin_record_ids(party.as_str(), up.kind).await?;
    let label = if up.filename.is_empty() {
        "upload".to_owned()
    } else {
        up.filename.clone()
    };
    let bytes = up.bytes;
    let kind = up.kind;
    let format = up.format;
    let checked = tokio::task::spawn_blocking(move || {
        registry::read_upload(&bytes, format, list_kind(kind), &label, &existing)
            .map(|u| (u, hex(&Sha256::digest(&bytes))))
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::invalid("content", e.to_string()))?;
    let (checked, sha) = checked;
    if up.refuse && !checked.bad.is_empty() {
        return Err(ImportError::Rows(checked.bad));
    }
    let imp = NewKinImport {
        party: party.as_str().into(),
        kind: up.kind,
        filename: up.filename.clone(),
        format: match up.format {
            Format::Csv => "csv",
            Format::Json => "json",
        }
        .into(),
        policy: if up.refuse { "refuse" } else { "skip" }.into(),
        content_sha256: sha,
        rows_read: checked.rows_read as i64,
        issues: serde_json::to_string(&checked.bad.iter().map(issue_view).collect::<Vec<_>>())
            .map_err(|e| ApiError::internal(&e))?,
        records: checked
            .kept
            .iter()
            .map(|k| (k.id.clone(), Value::Object(k.fields.clone()).to_string()))
            .collect(),
    };
    let who = caller.attribution(state.clock.now());
    let id = state.store.kin_import(&imp, &who).await?;
    Ok((id, checked))
}

fn fields_of(records: &[KinRecord]) -> Vec<Map<String, Value>> {
    records
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.fields).ok())
        .filter_map(|v| v.as_object().cloned())
        .collect()
}

/// The name a matcher stage is recorded under.
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Load => "load",
        Stage::Prepare => "prepare",
        Stage::Index => "index",
        Stage::Train => "train",
        Stage::Score => "score",
        Stage::Assign => "assign",
    }
}

/// A running match's latest progress report, shared between the matcher's threads and the
/// task that records it.
#[derive(Default)]
pub struct RunProgress(std::sync::Mutex<Option<Progress>>);

impl RunProgress {
    /// Records a report.
    pub fn set(&self, p: Progress) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
    }
    /// The latest report, if any.
    pub fn get(&self) -> Option<Progress> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs the matcher over stored records (blocking: call on a blocking thread); progress
/// reports go to `progress`.
pub fn match_records(
    requests: &[KinRecord],
    persons: &[KinRecord],
    progress: &RunProgress,
) -> Result<(Vec<NewKinCandidate>, String), String> {
    let rcsv = registry::to_csv(ListKind::Requests, fields_of(requests).iter());
    let pcsv = registry::to_csv(ListKind::Persons, fields_of(persons).iter());
    let r = records::load_requests(&rcsv[..], "requests", BadRowPolicy::Skip)
        .map_err(|e| e.to_string())?;
    let p = records::load_persons(&pcsv[..], "persons", BadRowPolicy::Skip)
        .map_err(|e| e.to_string())?;
    let opts = BatchOptions {
        explain: true,
        include_runners_up: true,
        ..BatchOptions::default()
    };
    let mut issues = r.issues;
    issues.extend(p.issues);
    let out = batch::run_records(&r.records, &p.records, issues, &opts, &|p| progress.set(p))
        .map_err(|e| e.to_string())?;
    let candidates: Vec<NewKinCandidate> = out
        .predictions
        .iter()
        .filter(|p| p.assigned || p.score >= REVIEW_FLOOR)
        .map(|p| NewKinCandidate {
            request_id: p.request_id.clone(),
            person_id: p.person_id.clone(),
            score: p.score,
            weight: p.weight,
            assigned: p.assigned,
            explanation: serde_json::to_string(
                &p.explanation
                    .as_ref()
                    .map(explanation_view)
                    .unwrap_or_default(),
            )
            .unwrap_or_else(|_| "{}".into()),
        })
        .collect();
    let assigned = candidates.iter().filter(|c| c.assigned).count();
    Ok((
        candidates.clone(),
        format!(
            "{} requests × {} persons: {assigned} matches, {} runners-up for review",
            r.records.len(),
            p.records.len(),
            candidates.len() - assigned
        ),
    ))
}

async fn finish_run(
    store: Store,
    clock: Arc<dyn Clock>,
    who: Attribution,
    run: i64,
    requests: Vec<KinRecord>,
    persons: Vec<KinRecord>,
) {
    let progress = Arc::new(RunProgress::default());
    let shared = progress.clone();
    let mut job = tokio::task::spawn_blocking(move || match_records(&requests, &persons, &shared));
    let mut recorded = None;
    let outcome = loop {
        tokio::select! {
            r = &mut job => break r,
            () = tokio::time::sleep(std::time::Duration::from_millis(250)) => {
                let now = progress.get().map(|p| (p.stage, p.done, p.total));
                if let Some((stage, done, total)) = now.filter(|n| Some(*n) != recorded) {
                    recorded = now;
                    let (done, total) = (i64::try_from(done).unwrap_or(i64::MAX), i64::try_from(total).unwrap_or(i64::MAX));
                    if let Err(e) = store.kin_run_progress(run, stage_name(stage), done, total).await {
                        tracing::warn!(run, error = %e, "could not record a match run's progress");
                    }
                }
            }
        }
    };
    let who = Attribution {
        at: clock.now(),
        ..who
    };
    let result = match outcome {
        Ok(Ok((cands, message))) => store.kin_finish_run(run, &cands, &message, &who).await,
        Ok(Err(e)) => store.kin_fail_run(run, &e, &who).await,
        Err(e) => {
            store
                .kin_fail_run(run, &format!("the matcher stopped: {e}"), &who)
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(run, error = %e, "could not record the end of a match run");
    }
}

/// Starts a match run over the registry's requests and persons; the matcher runs on a
/// blocking thread. With `wait`, answers once it has finished.
pub async fn start_run(state: &AppState, caller: &Caller, wait: bool) -> Result<i64, ApiError> {
    let party = registry_party(state, caller).await?;
    let who = caller.attribution(state.clock.now());
    let counts = state.store.kin_counts(party.as_str()).await?;
    if counts.requests == 0 || counts.persons == 0 {
        return Err(ApiError::invalid(
            "records",
            "a match run needs both tracing requests and persons: import both lists first",
        ));
    }
    let requests = state
        .store
        .kin_records(party.as_str(), KinKind::Request, &who)
        .await?;
    let persons = state
        .store
        .kin_records(party.as_str(), KinKind::Person, &who)
        .await?;
    let run = state
        .store
        .kin_start_run(
            party.as_str(),
            requests.len() as i64,
            persons.len() as i64,
            &who,
        )
        .await
        .map_err(|e| match e {
            rsm_store::StoreError::Conflict(m) => {
                ApiError::Conflict(format!("{m}: wait for it to finish"))
            }
            e => e.into(),
        })?;
    let task = finish_run(
        state.store.clone(),
        state.clock.clone(),
        who,
        run,
        requests,
        persons,
    );
    if wait {
        task.await;
    } else {
        tokio::spawn(task);
    }
    Ok(run)
}

/// Exports the society's own list to the other side: the CSV, its manifest, and the
/// manifest's commitment entered in the log by the secretariat.
pub async fn export(state: &AppState, caller: &Caller) -> Result<ExportResult, ApiError> {
    let party = registry_party(state, caller).await?;
    caller.require(state, Action::KinExchange(party)).await?;
    let log = state
        .log
        .clone()
        .ok_or_else(|| ApiError::Conflict("the log is not running here: exports need it".into()))?;
    let kind = own_kind(party);
    let now = state.clock.now();
    let who = caller.attribution(now);
    let records = state.store.kin_records(party.as_str(), kind, &who).await?;
    let csv = registry::to_csv(list_kind(kind), fields_of(&records).iter());
    let manifest = serde_json::to_string(&Manifest {
        format: "rsm-kin-list/v1",
        party: party.as_str(),
        kind: kind.as_str(),
        records: records.len(),
        columns: list_kind(kind).columns(),
        content_sha256: hex(&Sha256::digest(&csv)),
        exported_at: now.to_string(),
        log_entry_type: EXPORT_ENTRY_TYPE,
    })
    .map_err(|e| ApiError::internal(&e))?;
    let manifest_sha256 = hex(&Sha256::digest(manifest.as_bytes()));
    let acked = log
        .append_secretariat(
            EXPORT_ENTRY_TYPE,
            rsm_ledger::commit_public(manifest.as_bytes()),
            format!("{} {}", party.as_str(), kind.as_str()).into_bytes(),
            None,
            who.clone(),
        )
        .await
        .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
    let id = state
        .store
        .kin_record_export(
            party.as_str(),
            kind,
            &manifest,
            &manifest_sha256,
            Some(acked.index as i64),
            &who,
        )
        .await?;
    Ok(ExportResult {
        id,
        manifest,
        manifest_sha256,
        log_index: acked.index,
        filename: format!(
            "{}-{}s-{id}.csv",
            party.as_str().to_lowercase(),
            kind.as_str()
        ),
        content: String::from_utf8(csv).map_err(|e| ApiError::internal(&e))?,
    })
}

/// The registry's overview.
pub async fn overview(state: &AppState, caller: &Caller) -> Result<RegistryView, ApiError> {
    let party = registry_party(state, caller).await?;
    let p = party.as_str();
    // The imports' bad-row reports quote ids and values of rows: audited like the records.
    state
        .store
        .record_audit(
            &caller.attribution(state.clock.now()),
            "kin.read-overview",
            &format!("kin-registry:{p}"),
            "counts, imports with their bad-row reports, runs, exports",
        )
        .await?;
    let counts = state.store.kin_counts(p).await?;
    let closed = exchange_closed(state, caller, party).await?;
    Ok(RegistryView {
        party: p.into(),
        own_kind: own_kind(party).as_str().into(),
        requests: counts.requests,
        persons: counts.persons,
        runs: counts.runs,
        candidates: counts.candidates,
        open: counts.open,
        accepted: counts.accepted,
        exchange_open: closed.is_none(),
        exchange_closed_reason: closed,
        imports: state
            .store
            .kin_imports(p)
            .await?
            .into_iter()
            .map(|i| ImportView {
                id: i.id,
                kind: i.kind.as_str().into(),
                filename: i.filename,
                format: i.format,
                policy: i.policy,
                rows_read: i.rows_read,
                rows_kept: i.rows_kept,
                issues: serde_json::from_str(&i.issues).unwrap_or_default(),
                imported_at: i.imported_at.to_string(),
                imported_by: i.imported_by,
            })
            .collect(),
        runs_list: state
            .store
            .kin_runs(p)
            .await?
            .into_iter()
            .map(run_view)
            .collect(),
        exports: state
            .store
            .kin_exports(p)
            .await?
            .into_iter()
            .map(|e| ExportView {
                id: e.id,
                kind: e.kind.as_str().into(),
                manifest: e.manifest,
                manifest_sha256: e.manifest_sha256,
                log_index: e.log_index,
                exported_at: e.exported_at.to_string(),
            })
            .collect(),
    })
}

pub fn run_view(r: rsm_store::KinRun) -> RunView {
    RunView {
        id: r.id,
        state: r.state,
        requests: r.requests,
        persons: r.persons,
        candidates: r.candidates,
        message: r.message,
        started_at: r.started_at.to_string(),
        finished_at: r.finished_at.map(|t| t.to_string()),
        started_by: r.started_by,
        stage: r.stage,
        done: r.done,
        total: r.total,
    }
}

/// Records a review decision (checked against the list of decisions).
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    decision: &str,
    note: &str,
) -> Result<(), ApiError> {
    let party = registry_party(state, caller).await?;
    if !rsm_store::DECISIONS.contains(&decision) {
        return Err(ApiError::invalid(
            "decision",
            "must be accept, reject or more-information",
        ));
    }
    check_note(note)?;
    let who = caller.attribution(state.clock.now());
    state
        .store
        .kin_decide(party.as_str(), id, decision, note.trim(), &who)
        .await?;
    Ok(())
}

/// Records a reply on a candidate's person.
pub async fn reply(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reply: &str,
    note: &str,
) -> Result<(), ApiError> {
    let party = registry_party(state, caller).await?;
    if !rsm_store::REPLIES.contains(&reply) {
        return Err(ApiError::invalid(
            "reply",
            "must be alive, deceased or unknown",
        ));
    }
    check_note(note)?;
    let who = caller.attribution(state.clock.now());
    state
        .store
        .kin_reply(party.as_str(), id, reply, note.trim(), &who)
        .await?;
    Ok(())
}

fn check_note(note: &str) -> Result<(), ApiError> {
    if note.chars().count() > 2000 {
        return Err(ApiError::invalid("note", "at most 2,000 characters"));
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---- handlers ---------------------------------------------------------------------------

/// The caller's registry: counts, imports, runs, exports, and whether the exchange is open.
#[utoipa::path(get, path = "/api/v1/kin", tag = "kin",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = RegistryView), (status = 404, body = Problem)))]
pub async fn get_registry(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RegistryView>, ApiError> {
    Ok(Json(overview(&state, &caller).await?))
}

/// One record to register by hand (a form), in the data/kin columns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// `request` or `person`.
    pub kind: String,
    /// Column name → value, e.g. `{"request_id": "S1", "sought_name": "이용호", …}`.
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
}

/// Registers one record with the rules of an import (all-or-nothing): a bad field is a
/// 422 naming the reason, a used id a 422 too.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    kind: KinKind,
    fields: Map<String, Value>,
) -> Result<(i64, registry::Upload), ImportError> {
    let fields: Map<String, Value> = fields
        .into_iter()
        .filter(|(_, v)| !matches!(v, Value::String(s) if s.trim().is_empty()))
        .collect();
    import(
        state,
        caller,
        Upload {
            kind,
            format: Format::Json,
            refuse: true,
            filename: "registration".into(),
            bytes: Value::Array(vec![Value::Object(fields)])
                .to_string()
                .into_bytes(),
        },
    )
    .await
}

/// Registers one tracing request or person.
#[utoipa::path(post, path = "/api/v1/kin/records", tag = "kin", request_body = RegisterInput,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = ImportResult), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = RowsProblem)))]
pub async fn create_record(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<ImportResult>), ImportError> {
    registry_party(&state, &caller).await?;
    let kind = KinKind::parse(&input.kind)
        .ok_or_else(|| ApiError::invalid("kind", "must be request or person"))?;
    let (id, u) = register(&state, &caller, kind, input.fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportResult {
            id,
            rows_read: u.rows_read,
            rows_kept: u.kept.len(),
            skipped: Vec::new(),
            notes: u.notes.iter().map(issue_view).collect(),
        }),
    ))
}

/// The registry's records of one kind (personal data: the read is audited).
#[utoipa::path(get, path = "/api/v1/kin/records", tag = "kin", params(RecordQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [RecordView]), (status = 404, body = Problem)))]
pub async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> Result<Json<Vec<RecordView>>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    let kind = KinKind::parse(&q.kind)
        .ok_or_else(|| ApiError::invalid("kind", "must be request or person"))?;
    let who = caller.attribution(state.clock.now());
    let records = state.store.kin_records(party.as_str(), kind, &who).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| RecordView {
                record_id: r.record_id,
                import_id: r.import_id,
                fields: serde_json::from_str(&r.fields).unwrap_or(Value::Null),
            })
            .collect(),
    ))
}

/// Imports a list. Bad rows are named with line and reason: under `refuse` the whole
/// import is refused (422 with `errors`), under `skip` the rest is imported.
#[utoipa::path(post, path = "/api/v1/kin/imports", tag = "kin", request_body = ImportInput,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = ImportResult), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = RowsProblem)))]
pub async fn create_import(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ImportInput>,
) -> Result<(StatusCode, Json<ImportResult>), ImportError> {
    registry_party(&state, &caller).await?;
    let (kind, format, refuse) = parse_upload_fields(&input.kind, &input.format, &input.policy)?;
    let bytes = match (input.content, input.content_base64) {
        (Some(t), None) => t.into_bytes(),
        (None, Some(b)) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| ApiError::invalid("content_base64", "must be standard base64"))?
        }
        _ => {
            return Err(ApiError::invalid(
                "content",
                "give exactly one of content and content_base64",
            )
            .into());
        }
    };
    let (id, u) = import(
        &state,
        &caller,
        Upload {
            kind,
            format,
            refuse,
            filename: input.filename.unwrap_or_default(),
            bytes,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportResult {
            id,
            rows_read: u.rows_read,
            rows_kept: u.kept.len(),
            skipped: u.bad.iter().map(issue_view).collect(),
            notes: u.notes.iter().map(issue_view).collect(),
        }),
    ))
}

/// The registry's match runs, newest first.
#[utoipa::path(get, path = "/api/v1/kin/runs", tag = "kin",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [RunView]), (status = 404, body = Problem)))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RunView>>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    Ok(Json(
        state
            .store
            .kin_runs(party.as_str())
            .await?
            .into_iter()
            .map(run_view)
            .collect(),
    ))
}

/// Starts a match run over the registry's requests and persons.
#[utoipa::path(post, path = "/api/v1/kin/runs", tag = "kin", params(RunOptions),
    security(("session" = []), ("token" = [])),
    responses((status = 202, body = RunView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(opts): ApiQuery<RunOptions>,
) -> Result<(StatusCode, Json<RunView>), ApiError> {
    let wait = opts.wait.unwrap_or(false);
    let id = start_run(&state, &caller, wait).await?;
    let party = registry_party(&state, &caller).await?;
    let run = state
        .store
        .kin_run(party.as_str(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(run_view(run))))
}

/// One match run and its state.
#[utoipa::path(get, path = "/api/v1/kin/runs/{id}", tag = "kin",
    params(("id" = i64, Path, description = "run id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = RunView), (status = 404, body = Problem)))]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RunView>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    let run = state
        .store
        .kin_run(party.as_str(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(run_view(run)))
}

/// The review queue (or every candidate), best score first, with explanations and the two
/// records (personal data: the read is audited).
#[utoipa::path(get, path = "/api/v1/kin/candidates", tag = "kin", params(CandidateQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [CandidateView]), (status = 404, body = Problem)))]
pub async fn list_candidates(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CandidateQuery>,
) -> Result<Json<Vec<CandidateView>>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    let filter = match q.filter.as_deref() {
        None | Some("queue") => CandidateFilter::Queue,
        Some("all") => CandidateFilter::All,
        Some(_) => return Err(ApiError::invalid("filter", "must be queue or all")),
    };
    let who = caller.attribution(state.clock.now());
    let list = state
        .store
        .kin_candidates(party.as_str(), filter, &who)
        .await?;
    Ok(Json(list.iter().map(candidate_view).collect()))
}

/// One candidate with its explanation, records, decisions and replies (audited read).
#[utoipa::path(get, path = "/api/v1/kin/candidates/{id}", tag = "kin",
    params(("id" = i64, Path, description = "candidate id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = CandidateView), (status = 404, body = Problem)))]
pub async fn get_candidate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CandidateView>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    let who = caller.attribution(state.clock.now());
    let c = state
        .store
        .kin_candidate(party.as_str(), id, &who)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(candidate_view(&c)))
}

/// Records a review decision: accept, reject, or ask for more information.
#[utoipa::path(post, path = "/api/v1/kin/candidates/{id}/decision", tag = "kin",
    params(("id" = i64, Path, description = "candidate id")), request_body = DecisionInput,
    security(("session" = []), ("token" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn post_decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<StatusCode, ApiError> {
    decide(
        &state,
        &caller,
        id,
        &input.decision,
        input.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a reply on the candidate's person: alive, deceased or unknown.
#[utoipa::path(post, path = "/api/v1/kin/candidates/{id}/reply", tag = "kin",
    params(("id" = i64, Path, description = "candidate id")), request_body = ReplyInput,
    security(("session" = []), ("token" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn post_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> Result<StatusCode, ApiError> {
    reply(
        &state,
        &caller,
        id,
        &input.reply,
        input.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Exports the society's own list to the other side (closed while KP does not participate).
#[utoipa::path(post, path = "/api/v1/kin/exports", tag = "kin",
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = ExportResult), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn create_export(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<ExportResult>), ApiError> {
    Ok((StatusCode::CREATED, Json(export(&state, &caller).await?)))
}

/// The kin routes.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(get_registry))
        .routes(routes!(list_records, create_record))
        .routes(routes!(create_import))
        .routes(routes!(list_runs, create_run))
        .routes(routes!(get_run))
        .routes(routes!(list_candidates))
        .routes(routes!(get_candidate))
        .routes(routes!(post_decision))
        .routes(routes!(post_reply))
        .routes(routes!(create_export))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::pages::kin::KIN_UPLOAD_LIMIT,
        ))
}
