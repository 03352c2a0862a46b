//! `/api/v1/aid` (flows: list and filter, record one, import and export CSV, the conversion
//! table, the aggregates) and `/api/v1/reports/humanitarian/{year}` (the yearly report for
//! the Ministerial Council, JSON or CSV, small counts suppressed by
//! `rsm_humanitarian::report`).
//!
//! Reading aid needs a signed-in account (`Action::ReadAid`); recording a flow needs
//! `Action::RecordAid(donor)` for its donor — for an import, for every donor in the file,
//! checked before anything is stored. An import is all or nothing: a 422 lists every bad
//! row with its line, field and rule.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use rsm_core::{access::Action, party::PartyCode};
use rsm_humanitarian::{
    aid::{
        self, Currency, FieldError, Flow, FlowInput, FlowKind, Rate, RateEntry, RateTable,
        RowError, Sector, Totals,
    },
    report::{self, CaseFact, MIN_CELL, Published, PublishedTable, YearlyReport},
};
use rsm_store::{AidFilter, AidStore, CaseStore, StoredFlow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, Problem},
};

// ---- wire types ---------------------------------------------------------------------

/// One aid flow.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowView {
    pub id: i64,
    /// `pledge`, `commitment` or `disbursement`.
    pub kind: String,
    pub donor: String,
    /// A party code, or the name of an organisation or country.
    pub recipient: String,
    pub sector: String,
    pub date: String,
    /// ISO 4217.
    pub currency: String,
    /// The amount in the original currency, exact (`1250.50`).
    pub amount: String,
    /// The same in the currency's minor units.
    pub amount_minor: i64,
    /// Converted at the rate in force on the flow's date, in US cents.
    pub usd_cents: i64,
    pub description: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The reversal cancelling this flow, if any: a reversed flow counts in no total.
    pub reversal: Option<ReversalView>,
}

/// A reversal entry of the aid ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReversalView {
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A reversal to record: why the flow is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReversal {
    #[schema(example = "recorded twice")]
    pub reason: String,
}

/// A flow to record. The amount is a decimal string (never a float).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFlow {
    pub kind: String,
    pub donor: String,
    pub recipient: String,
    /// `food`, `health`, `shelter`, `water-sanitation` or `protection`.
    pub sector: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub currency: String,
    #[schema(example = "1250.50")]
    pub amount: String,
    #[serde(default)]
    pub description: String,
}

/// Which flows to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FlowQuery {
    pub donor: Option<String>,
    pub recipient: Option<String>,
    pub sector: Option<String>,
    pub kind: Option<String>,
    /// Dated on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Dated on or before (YYYY-MM-DD).
    pub until: Option<String>,
    /// Only this calendar year (overrides from/until).
    pub year: Option<i16>,
}

/// Sums in US cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsView {
    pub pledged_usd_cents: i64,
    pub committed_usd_cents: i64,
    pub disbursed_usd_cents: i64,
    /// Pledged minus disbursed.
    pub gap_usd_cents: i64,
    pub flows: u64,
}

impl From<Totals> for TotalsView {
    fn from(t: Totals) -> Self {
        Self {
            pledged_usd_cents: t.pledged,
            committed_usd_cents: t.committed,
            disbursed_usd_cents: t.disbursed,
            gap_usd_cents: t.gap(),
            flows: t.flows,
        }
    }
}

/// The flows asked for, with their totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowList {
    pub flows: Vec<FlowView>,
    pub totals: TotalsView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorYearRow {
    pub sector: String,
    pub year: i16,
    #[serde(flatten)]
    pub totals: TotalsView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixRow {
    pub donor: String,
    pub recipient: String,
    #[serde(flatten)]
    pub totals: TotalsView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DonorRow {
    pub donor: String,
    #[serde(flatten)]
    pub totals: TotalsView,
}

/// The aggregates of the flows asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct AidSummary {
    pub by_sector_and_year: Vec<SectorYearRow>,
    pub donor_recipient: Vec<MatrixRow>,
    /// The pledged-versus-disbursed gap of each donor.
    pub by_donor: Vec<DonorRow>,
    pub overall: TotalsView,
}

/// The result of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
    pub ids: Vec<i64>,
}

/// One rate of the conversion table.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateView {
    pub currency: String,
    /// First day in force (YYYY-MM-DD).
    pub effective: String,
    /// Units of the currency one US dollar buys, exact decimal (`1385.20`).
    pub units_per_usd: String,
    /// Where the rate comes from.
    pub source: String,
}

/// One refused field; `line` for a CSV row.
#[derive(Debug, Serialize, ToSchema)]
pub struct AidFieldProblem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub field: String,
    pub rule: String,
}

/// A 422 listing every refused field (and row).
#[derive(Debug, Serialize, ToSchema)]
pub struct AidProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub errors: Vec<AidFieldProblem>,
}

/// A refusal listing every failing field or row, or any other error.
pub enum AidError {
    Fields(Vec<AidFieldProblem>),
    Api(ApiError),
}

impl From<ApiError> for AidError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<rsm_store::StoreError> for AidError {
    fn from(e: rsm_store::StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl From<Vec<FieldError>> for AidError {
    fn from(es: Vec<FieldError>) -> Self {
        Self::Fields(
            es.into_iter()
                .map(|e| AidFieldProblem {
                    line: None,
                    field: e.field,
                    rule: e.rule,
                })
                .collect(),
        )
    }
}

impl From<Vec<RowError>> for AidError {
    fn from(es: Vec<RowError>) -> Self {
        Self::Fields(
            es.into_iter()
                .map(|e| AidFieldProblem {
                    line: Some(e.line),
                    field: e.field,
                    rule: e.rule,
                })
                .collect(),
        )
    }
}

impl AidError {
    /// The one message of the first problem (for pages).
    pub fn messages(&self) -> Vec<String> {
        match self {
            Self::Fields(es) => es
                .iter()
                .map(|e| match e.line {
                    Some(l) => format!("line {l}: {}: {}", e.field, e.rule),
                    None => format!("{}: {}", e.field, e.rule),
                })
                .collect(),
            Self::Api(e) => vec![e.to_string()],
        }
    }
}

impl IntoResponse for AidError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Fields(errors) => {
                let detail = self_detail(&errors);
                let first = errors.first();
                let body = AidProblem {
                    problem: Problem {
                        kind: "urn:rsm:problem:invalid-field".into(),
                        title: "Unprocessable Entity".into(),
                        status: 422,
                        detail,
                        field: first.map(|e| e.field.clone()),
                        rule: first.map(|e| e.rule.clone()),
                        reference: None,
                    },
                    errors,
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

fn self_detail(errors: &[AidFieldProblem]) -> String {
    let shown: Vec<String> = errors
        .iter()
        .take(20)
        .map(|e| match e.line {
            Some(l) => format!("line {l}: {}: {}", e.field, e.rule),
            None => format!("{}: {}", e.field, e.rule),
        })
        .collect();
    format!(
        "{} problem(s), nothing stored: {}{}",
        errors.len(),
        shown.join("; "),
        if errors.len() > 20 { "; …" } else { "" }
    )
}

// ---- shared with the pages ----------------------------------------------------------

/// Parses the query into a store filter; errors name the parameter.
pub fn filter_of(q: &FlowQuery) -> Result<AidFilter, ApiError> {
    let field = |name: &str, e: FieldError| ApiError::invalid(name, e.rule);
    let mut f = AidFilter {
        donor: q
            .donor
            .as_deref()
            .map(|d| super::input::parse_party("donor", d))
            .transpose()?,
        recipient: q.recipient.clone().filter(|r| !r.trim().is_empty()),
        sector: q
            .sector
            .as_deref()
            .map(|s| Sector::parse(s).map_err(|e| field("sector", e)))
            .transpose()?,
        kind: q
            .kind
            .as_deref()
            .map(|k| FlowKind::parse(k).map_err(|e| field("kind", e)))
            .transpose()?,
        from: q
            .from
            .as_deref()
            .map(|d| aid::parse_flow_date("from", d).map_err(|e| field("from", e)))
            .transpose()?,
        until: q
            .until
            .as_deref()
            .map(|d| aid::parse_flow_date("until", d).map_err(|e| field("until", e)))
            .transpose()?,
    };
    if let Some(y) = q.year {
        check_year(y)?;
        f.from = Some(jiff::civil::date(y, 1, 1));
        f.until = Some(jiff::civil::date(y, 12, 31));
    }
    Ok(f)
}

fn check_year(y: i16) -> Result<(), ApiError> {
    let (a, b) = (aid::FIRST_DATE.year(), aid::LAST_DATE.year());
    if (a..=b).contains(&y) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "year",
            format!("must be a year between {a} and {b}"),
        ))
    }
}

/// The flows matching `filter`, converted with the stored table.
pub async fn load(
    state: &AppState,
    filter: &AidFilter,
) -> Result<(Vec<StoredFlow>, Vec<i64>, RateTable), ApiError> {
    load_from(&state.store, filter).await
}

/// [`load`] from a store (the demo freezes a report before any server runs).
pub async fn load_from(
    store: &rsm_store::Store,
    filter: &AidFilter,
) -> Result<(Vec<StoredFlow>, Vec<i64>, RateTable), ApiError> {
    let table = store.aid_rates().await?;
    let stored = store.aid_flows(filter).await?;
    let cents = stored
        .iter()
        .map(|s| {
            table
                .to_usd_cents(s.flow.amount, s.flow.date)
                .map_err(|e| ApiError::internal(&format!("aid flow {}: {e}", s.id)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((stored, cents, table))
}

pub fn flow_view(s: &StoredFlow, usd_cents: i64) -> FlowView {
    let f = &s.flow;
    FlowView {
        id: s.id,
        kind: f.kind.as_str().into(),
        donor: f.donor.as_str().into(),
        recipient: f.recipient.to_string(),
        sector: f.sector.id().into(),
        date: f.date.to_string(),
        currency: f.amount.currency.code().into(),
        amount: f.amount.to_string(),
        amount_minor: f.amount.minor,
        usd_cents,
        description: f.description.clone(),
        recorded_by: s.recorded_by.clone(),
        recorded_at: s.recorded_at.to_string(),
        reversal: s.reversal.as_ref().map(|r| ReversalView {
            reason: r.reason.clone(),
            recorded_by: r.recorded_by.clone(),
            recorded_at: r.recorded_at.to_string(),
        }),
    }
}

/// The longest reversal reason accepted.
pub const MAX_REVERSAL_REASON: usize = 500;

/// Reverses flow `id`: the flow stays in the ledger, a reversal entry cancels it in every
/// total. Allowed to whoever may record the flow's donor's aid (its focal point, or the
/// secretariat); a flow is reversed once (409 after). Unknown flow: 404.
pub async fn reverse(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: &str,
) -> Result<(), ApiError> {
    caller.require(state, Action::ReadAid).await?;
    let flows = state.store.aid_flows(&AidFilter::default()).await?;
    let flow = flows
        .iter()
        .find(|f| f.id == id)
        .ok_or(ApiError::NotFound)?;
    caller
        .require(state, Action::RecordAid(flow.flow.donor))
        .await?;
    let reason = reason.trim();
    if reason.is_empty()
        || reason.chars().count() > MAX_REVERSAL_REASON
        || reason.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "reason",
            format!(
                "must say why the flow is reversed: 1 to {MAX_REVERSAL_REASON} characters, no control characters"
            ),
        ));
    }
    if flow.reversal.is_some() {
        return Err(ApiError::Conflict(format!("a reversal of aid flow {id}")));
    }
    let now = state.clock.now();
    state
        .store
        .reverse_aid_flow(id, reason, &caller.attribution(now))
        .await?;
    Ok(())
}

fn input_of(n: &NewFlow) -> FlowInput {
    FlowInput {
        kind: n.kind.clone(),
        donor: n.donor.clone(),
        recipient: n.recipient.clone(),
        sector: n.sector.clone(),
        date: n.date.clone(),
        currency: n.currency.clone(),
        amount: n.amount.clone(),
        description: n.description.clone(),
    }
}

/// Checks and records flows for `caller`: signed in, allowed for every donor, every field
/// valid; then one transaction.
pub async fn record_flows(
    state: &AppState,
    caller: &Caller,
    flows: Result<Vec<Flow>, AidError>,
    donors_in_input: &[PartyCode],
) -> Result<Vec<i64>, AidError> {
    caller.require(state, Action::ReadAid).await?;
    for d in donors_in_input {
        caller.require(state, Action::RecordAid(*d)).await?;
    }
    let flows = flows?;
    for f in &flows {
        caller.require(state, Action::RecordAid(f.donor)).await?;
    }
    if flows.is_empty() {
        return Err(AidError::Fields(vec![AidFieldProblem {
            line: None,
            field: "body".into(),
            rule: "holds no flow".into(),
        }]));
    }
    let now = state.clock.now();
    Ok(state
        .store
        .record_aid_flows(&flows, &caller.attribution(now))
        .await?)
}

/// Today (UTC) for validation.
fn today(state: &AppState) -> jiff::civil::Date {
    state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// Records one flow from form or JSON input.
pub async fn record_one(
    state: &AppState,
    caller: &Caller,
    input: &FlowInput,
) -> Result<i64, AidError> {
    caller.require(state, Action::ReadAid).await?;
    let table = state.store.aid_rates().await?;
    let donors: Vec<PartyCode> = input.donor.trim().parse().ok().into_iter().collect();
    let flow = input
        .validate(&table, today(state))
        .map(|f| vec![f])
        .map_err(AidError::from);
    let ids = record_flows(state, caller, flow, &donors).await?;
    Ok(ids[0])
}

/// Imports a CSV text: all rows or none.
pub async fn import(state: &AppState, caller: &Caller, text: &str) -> Result<Vec<i64>, AidError> {
    caller.require(state, Action::ReadAid).await?;
    let table = state.store.aid_rates().await?;
    let flows = aid::import_csv(text, &table, today(state)).map_err(AidError::from);
    record_flows(state, caller, flows, &[]).await
}

/// The summary of flows.
/// Reversed flows count in no total: they are left out here.
pub fn summary(stored: &[StoredFlow], cents: &[i64]) -> AidSummary {
    let (flows, cents): (Vec<Flow>, Vec<i64>) = stored
        .iter()
        .zip(cents)
        .filter(|(s, _)| s.reversal.is_none())
        .map(|(s, c)| (s.flow.clone(), *c))
        .unzip();
    let converted: Vec<aid::Converted<'_>> = flows
        .iter()
        .zip(&cents)
        .map(|(flow, c)| aid::Converted {
            flow,
            usd_cents: *c,
        })
        .collect();
    AidSummary {
        by_sector_and_year: aid::by_sector_and_year(&converted)
            .into_iter()
            .map(|((sector, year), t)| SectorYearRow {
                sector: sector.id().into(),
                year,
                totals: t.into(),
            })
            .collect(),
        donor_recipient: aid::donor_recipient_matrix(&converted)
            .into_iter()
            .map(|((d, r), t)| MatrixRow {
                donor: d.as_str().into(),
                recipient: r.to_string(),
                totals: t.into(),
            })
            .collect(),
        by_donor: aid::by_donor(&converted)
            .into_iter()
            .map(|(d, t)| DonorRow {
                donor: d.as_str().into(),
                totals: t.into(),
            })
            .collect(),
        overall: aid::overall(&converted).into(),
    }
}

/// The case facts the report counts: the cases referred in `year`, from the case store.
pub async fn report_cases(store: &rsm_store::Store, year: i16) -> Result<Vec<CaseFact>, ApiError> {
    Ok(store
        .case_facts(
            jiff::civil::date(year, 1, 1),
            jiff::civil::date(year, 12, 31),
        )
        .await?)
}

/// The year of a report path, checked: a 422 naming `year`.
pub fn parse_year(year: &str) -> Result<i16, ApiError> {
    let year: i16 = year
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid("year", "must be a year such as 2026"))?;
    check_year(year)?;
    Ok(year)
}

/// The first instant after the cut-off day (UTC): what was recorded before it counts.
fn end_of(cut_off: jiff::civil::Date) -> jiff::Timestamp {
    cut_off
        .tomorrow()
        .unwrap_or(cut_off)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(jiff::Timestamp::MAX, |z| z.timestamp())
}

/// Computes the report of `year` as of the end of `cut_off` (UTC): the pure engine over the
/// cases and the aid flows (and reversals) recorded by then. No authorization here: the
/// callers ([`publish`], [`draft`]) check it.
pub async fn compute_report(
    store: &rsm_store::Store,
    year: i16,
    cut_off: jiff::civil::Date,
) -> Result<YearlyReport, ApiError> {
    let filter = AidFilter {
        from: Some(jiff::civil::date(year, 1, 1)),
        until: Some(jiff::civil::date(year, 12, 31)),
        ..AidFilter::default()
    };
    let end = end_of(cut_off);
    let (stored, cents, _) = load_from(store, &filter).await?;
    let flows: Vec<Flow> = stored
        .iter()
        .zip(&cents)
        .filter(|(s, _)| counts_at(s, end))
        .map(|(s, _)| s.flow.clone())
        .collect();
    let kept: Vec<i64> = stored
        .iter()
        .zip(&cents)
        .filter(|(s, _)| counts_at(s, end))
        .map(|(_, c)| *c)
        .collect();
    let converted: Vec<aid::Converted<'_>> = flows
        .iter()
        .zip(&kept)
        .map(|(flow, c)| aid::Converted {
            flow,
            usd_cents: *c,
        })
        .collect();
    let cases = report_cases(store, year).await?;
    Ok(report::yearly_report(year, cut_off, &cases, &converted))
}

/// Whether a flow counts at instant `end`: recorded before it and not reversed before it.
fn counts_at(s: &StoredFlow, end: jiff::Timestamp) -> bool {
    s.recorded_at < end && s.reversal.as_ref().is_none_or(|r| r.recorded_at >= end)
}

/// The secretariat's draft of `year`, computed as of today and labelled `draft`. Anyone
/// else (signed in) is told it does not exist (404); unsigned, 401.
pub async fn draft(
    state: &AppState,
    caller: &Caller,
    year: &str,
) -> Result<YearlyReport, ApiError> {
    caller
        .require(state, Action::ReadHumanitarianReport)
        .await?;
    caller
        .require(state, Action::PublishHumanitarianReport)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let year = parse_year(year)?;
    compute_report(&state.store, year, today(state)).await
}

/// The published report of `year` (any signed-in account); 404 naming `year` before
/// publication.
pub async fn published(
    state: &AppState,
    caller: &Caller,
    year: &str,
) -> Result<rsm_store::PublishedReport, ApiError> {
    caller
        .require(state, Action::ReadHumanitarianReport)
        .await?;
    let year = parse_year(year)?;
    state
        .store
        .humanitarian_report(year)
        .await?
        .ok_or_else(|| ApiError::NotFoundField {
            field: "year".into(),
            rule: format!("the humanitarian report of {year} is not published yet"),
        })
}

/// What to publish: the cut-off, by default today.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishReport {
    /// YYYY-MM-DD: outcomes, flows and reversals recorded by the end of this day count. On
    /// or after the 1st of January following the year, and not in the future. Default today.
    pub cut_off: Option<String>,
}

/// A publication, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationView {
    pub year: i16,
    pub cut_off: String,
    /// SHA-256 of the published JSON bytes, hex: the log entry commits to these bytes.
    pub sha256: String,
    /// The log entry committing to the JSON bytes (`null` when the server runs without a log).
    pub log_index: Option<i64>,
    pub published_at: String,
    pub published_by: String,
}

/// Serializes publications (see [`publish`]).
static PUBLISHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The log entry type of a published report (its commitment is to the JSON bytes).
pub const REPORT_ENTRY_TYPE: &str = "humanitarian.report";

/// Publishes the report of `year` (the secretariat): computes it once as of the cut-off,
/// enters the hash of its JSON in the log and stores the bytes, frozen. A year is
/// published once: a second publication is a 409 (a correction is a new decision of the
/// Council, not a silent re-publication).
pub async fn publish(
    state: &AppState,
    caller: &Caller,
    year: &str,
    body: &PublishReport,
) -> Result<PublicationView, ApiError> {
    caller
        .require(state, Action::PublishHumanitarianReport)
        .await?;
    let year = parse_year(year)?;
    let today = today(state);
    let first_after = jiff::civil::date(year, 12, 31)
        .tomorrow()
        .map_err(|_| ApiError::invalid("year", "must be a year before 2100"))?;
    if today < first_after {
        return Err(ApiError::invalid(
            "year",
            format!("{year} is not over: its report can be published from {first_after}"),
        ));
    }
    let cut_off = match body.cut_off.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(text) => {
            aid::parse_flow_date("cut_off", text).map_err(|e| ApiError::invalid(e.field, e.rule))?
        }
    };
    if cut_off < first_after || cut_off > today {
        return Err(ApiError::invalid(
            "cut_off",
            format!("must be between {first_after} (the year is over) and today ({today})"),
        ));
    }
    // One publication at a time in this process: the check below and the log entry must
    // not interleave with another publication of the same year (the store's primary key
    // would refuse the second row, but only after its log entry was made).
    let _one_at_a_time = PUBLISHING.lock().await;
    if state.store.humanitarian_report(year).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "the humanitarian report of {year} is published already; a published report is not \
             replaced"
        )));
    }
    let who = caller.attribution(state.clock.now());
    let stored = freeze(&state.store, state.log.as_deref(), year, cut_off, &who).await?;
    Ok(publication_view(&stored))
}

/// Computes the report of `year` as of `cut_off` once, enters the hash of its JSON in the
/// log (when there is one) and stores its bytes: the publication step, without the checks
/// of [`publish`] (who, which dates), which its callers make.
pub async fn freeze(
    store: &rsm_store::Store,
    log: Option<&crate::log::Log>,
    year: i16,
    cut_off: jiff::civil::Date,
    who: &rsm_store::Attribution,
) -> Result<rsm_store::PublishedReport, ApiError> {
    let r = compute_report(store, year, cut_off).await?;
    let body_json = serde_json::to_string(&report_view(&r, ReportStatus::Published))
        .map_err(|e| ApiError::internal(&format!("report JSON: {e}")))?;
    let body_csv = report::to_csv(&r);
    let sha256 = rsm_ledger::sha256(body_json.as_bytes()).to_hex();
    let log_index = match log {
        Some(log) => Some(
            log.append_secretariat(
                REPORT_ENTRY_TYPE,
                rsm_ledger::commit_public(body_json.as_bytes()),
                format!("humanitarian report {year}, cut-off {cut_off}").into_bytes(),
                None,
                who.clone(),
            )
            .await
            .map_err(|e| ApiError::internal(&format!("{e:?}")))?
            .index as i64,
        ),
        None => None,
    };
    let stored = rsm_store::PublishedReport {
        year,
        cut_off,
        body_json,
        body_csv,
        sha256,
        log_index,
        published_at: who.at,
        published_by: who.actor.clone(),
    };
    store.publish_humanitarian_report(&stored, who).await?;
    Ok(stored)
}

pub fn publication_view(p: &rsm_store::PublishedReport) -> PublicationView {
    PublicationView {
        year: p.year,
        cut_off: p.cut_off.to_string(),
        sha256: p.sha256.clone(),
        log_index: p.log_index,
        published_at: p.published_at.to_string(),
        published_by: p.published_by.clone(),
    }
}

// ---- report wire types ----------------------------------------------------------------

/// A table of counts; `null` is a withheld number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CountTableView {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Option<u64>>>,
    pub row_totals: Vec<Option<u64>>,
    pub column_totals: Vec<Option<u64>>,
    pub total: Option<u64>,
}

fn count(p: &Published<u64>) -> Option<u64> {
    p.value().copied()
}

fn table_view(t: &PublishedTable) -> CountTableView {
    CountTableView {
        rows: t.rows.clone(),
        columns: t.columns.clone(),
        cells: t
            .cells
            .iter()
            .map(|r| r.iter().map(count).collect())
            .collect(),
        row_totals: t.row_totals.iter().map(count).collect(),
        column_totals: t.column_totals.iter().map(count).collect(),
        total: count(&t.total),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MedianView {
    /// A party code or `all`.
    pub row: String,
    /// Days, `null` when fewer than five cases were resolved.
    pub median_days: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AidSectorView {
    pub donor: String,
    pub sector: String,
    pub pledged_usd_cents: i64,
    pub committed_usd_cents: i64,
    pub disbursed_usd_cents: i64,
}

/// Whether a report is the published one or the secretariat's draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Frozen: the same bytes for every reader, whenever read.
    Published,
    /// Computed as of today for the secretariat's preview; never served to anyone else.
    Draft,
}

/// The yearly humanitarian report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportView {
    pub year: i16,
    pub status: ReportStatus,
    /// The cut-off: outcomes, flows and reversals recorded by the end of this day count.
    pub as_of: String,
    /// Counts from 1 to this minus one are withheld (`null`), and so are the numbers that
    /// would let them be recovered from totals.
    pub threshold: u64,
    pub cases_by_kind: CountTableView,
    pub cases_by_outcome: CountTableView,
    pub median_days_to_resolution: Vec<MedianView>,
    pub aid_by_sector: Vec<AidSectorView>,
}

pub fn report_view(r: &YearlyReport, status: ReportStatus) -> ReportView {
    ReportView {
        year: r.year,
        status,
        as_of: r.as_of.to_string(),
        threshold: MIN_CELL,
        cases_by_kind: table_view(&r.by_kind),
        cases_by_outcome: table_view(&r.by_outcome),
        median_days_to_resolution: r
            .median_days
            .iter()
            .map(|m| MedianView {
                row: m.row.clone(),
                median_days: m.median.value().map(ToString::to_string),
            })
            .collect(),
        aid_by_sector: r
            .aid_by_sector
            .iter()
            .filter_map(|a| {
                a.totals.value().map(|t| AidSectorView {
                    donor: a.donor.as_str().into(),
                    sector: a.sector.id().into(),
                    pledged_usd_cents: t.pledged,
                    committed_usd_cents: t.committed,
                    disbursed_usd_cents: t.disbursed,
                })
            })
            .collect(),
    }
}

// ---- handlers ---------------------------------------------------------------------------

/// Aid flows, filtered, oldest first, with their totals (any signed-in account).
#[utoipa::path(get, path = "/api/v1/aid", tag = "aid", params(FlowQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = FlowList), (status = 401, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_flows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FlowQuery>,
) -> Result<Json<FlowList>, ApiError> {
    caller.require(&state, Action::ReadAid).await?;
    let (stored, cents, _) = load(&state, &filter_of(&q)?).await?;
    let s = summary(&stored, &cents);
    Ok(Json(FlowList {
        flows: stored
            .iter()
            .zip(&cents)
            .map(|(s, c)| flow_view(s, *c))
            .collect(),
        totals: s.overall,
    }))
}

/// Records one flow: the donor's focal point or the secretariat. A 422 lists every bad
/// field.
#[utoipa::path(post, path = "/api/v1/aid", tag = "aid", request_body = NewFlow,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = FlowView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = AidProblem)))]
pub async fn record_flow(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewFlow>,
) -> Result<(StatusCode, Json<FlowView>), AidError> {
    let id = record_one(&state, &caller, &input_of(&body)).await?;
    let (stored, cents, _) = load(&state, &AidFilter::default()).await?;
    let (s, c) = stored
        .iter()
        .zip(&cents)
        .find(|(s, _)| s.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(flow_view(s, *c))))
}

/// The largest CSV an import accepts (the rest of the API keeps the server's smaller limit):
/// room for [`aid::MAX_IMPORT_ROWS`] rows of about 100 bytes.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Imports flows from CSV (`kind,donor,recipient,sector,date,currency,amount[,description]`):
/// all rows or none; a 422 lists every bad row with its line.
#[utoipa::path(post, path = "/api/v1/aid/import", tag = "aid",
    request_body(content = String, content_type = "text/csv"),
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Imported), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = AidProblem)))]
pub async fn import_flows(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), AidError> {
    caller.require(&state, Action::ReadAid).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::Malformed("the CSV must be UTF-8".into()))?;
    let ids = import(&state, &caller, text).await?;
    Ok((
        StatusCode::CREATED,
        Json(Imported {
            imported: ids.len(),
            ids,
        }),
    ))
}

/// The flows as CSV, in the import's format (filters as for the list).
#[utoipa::path(get, path = "/api/v1/aid.csv", tag = "aid", params(FlowQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = String, content_type = "text/csv"),
        (status = 401, body = Problem)))]
pub async fn export_flows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FlowQuery>,
) -> Result<Response, ApiError> {
    caller.require(&state, Action::ReadAid).await?;
    let (stored, _, _) = load(&state, &filter_of(&q)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"aid.csv\"",
            ),
        ],
        // Reversed flows are left out: the CSV is the import's format, which has no
        // reversal, and importing a reversed flow back would count it again.
        aid::export_csv(
            stored
                .iter()
                .filter(|s| s.reversal.is_none())
                .map(|s| &s.flow),
        ),
    )
        .into_response())
}

/// Aggregates: by sector and year, donor × recipient, and each donor's pledged-versus-
/// disbursed gap, in US cents.
#[utoipa::path(get, path = "/api/v1/aid/summary", tag = "aid", params(FlowQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = AidSummary), (status = 401, body = Problem)))]
pub async fn aid_summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FlowQuery>,
) -> Result<Json<AidSummary>, ApiError> {
    caller.require(&state, Action::ReadAid).await?;
    let (stored, cents, _) = load(&state, &filter_of(&q)?).await?;
    Ok(Json(summary(&stored, &cents)))
}

/// The dated conversion table.
#[utoipa::path(get, path = "/api/v1/aid/rates", tag = "aid",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<RateView>), (status = 401, body = Problem)))]
pub async fn list_rates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RateView>>, ApiError> {
    caller.require(&state, Action::ReadAid).await?;
    let table = state.store.aid_rates().await?;
    Ok(Json(table.entries().map(rate_view).collect()))
}

pub fn rate_view(e: &RateEntry) -> RateView {
    RateView {
        currency: e.currency.code().into(),
        effective: e.effective.to_string(),
        units_per_usd: e.units_per_usd.to_string(),
        source: e.source.clone(),
    }
}

/// Adds a rate to the conversion table (the secretariat). A second rate for one currency
/// and day is a conflict.
#[utoipa::path(post, path = "/api/v1/aid/rates", tag = "aid", request_body = RateView,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = RateView), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_rate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<RateView>,
) -> Result<(StatusCode, Json<RateView>), ApiError> {
    let entry = add_rate_entry(&state, &caller, &body).await?;
    Ok((StatusCode::CREATED, Json(rate_view(&entry))))
}

/// Checks and stores a rate (the secretariat); shared with the page's form.
pub async fn add_rate_entry(
    state: &AppState,
    caller: &Caller,
    body: &RateView,
) -> Result<RateEntry, ApiError> {
    caller.require(state, Action::ManageAidRates).await?;
    let invalid = |e: FieldError| ApiError::invalid(e.field, e.rule);
    let currency = Currency::parse(body.currency.trim()).map_err(invalid)?;
    if currency == Currency::USD {
        return Err(ApiError::invalid(
            "currency",
            "US dollars convert at one: the table holds the other currencies",
        ));
    }
    let entry = RateEntry {
        currency,
        effective: aid::parse_flow_date("effective", &body.effective).map_err(invalid)?,
        units_per_usd: Rate::parse(&body.units_per_usd).map_err(invalid)?,
        source: body.source.trim().to_owned(),
    };
    if entry.source.is_empty() || entry.source.chars().count() > 200 {
        return Err(ApiError::invalid(
            "source",
            "must name where the rate comes from (at most 200 characters)",
        ));
    }
    let now = state.clock.now();
    state
        .store
        .add_aid_rate(&entry, &caller.attribution(now))
        .await?;
    Ok(entry)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

fn report_format(q: &ReportQuery) -> Result<bool, ApiError> {
    match q.format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::invalid("format", "must be json or csv")),
    }
}

/// The published yearly humanitarian report for the Ministerial Council (any signed-in
/// account), served as the bytes published: aggregates only; a count below five, and any
/// number that would give one away, is `null` (JSON) or `suppressed` (CSV). Before
/// publication, 404.
#[utoipa::path(get, path = "/api/v1/reports/humanitarian/{year}", tag = "aid",
    params(("year" = String, Path, description = "calendar year"), ReportQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReportView), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn humanitarian_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = report_format(&q)?;
    let p = published(&state, &caller, &year).await?;
    let etag = format!("\"{}\"", p.sha256);
    if csv {
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::ETAG, etag),
            ],
            p.body_csv,
        )
            .into_response())
    } else {
        Ok((
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::ETAG, etag),
            ],
            p.body_json,
        )
            .into_response())
    }
}

/// The secretariat's draft of the year's report, computed as of today and marked
/// `"status": "draft"`; 404 to everyone else.
#[utoipa::path(get, path = "/api/v1/reports/humanitarian/{year}/draft", tag = "aid",
    params(("year" = String, Path, description = "calendar year"), ReportQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReportView), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn humanitarian_report_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv = report_format(&q)?;
    let r = draft(&state, &caller, &year).await?;
    if csv {
        Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            format!("# DRAFT, not published\n{}", report::to_csv(&r)),
        )
            .into_response())
    } else {
        Ok(Json(report_view(&r, ReportStatus::Draft)).into_response())
    }
}

/// Publishes the year's report (the secretariat), frozen: computed once as of the cut-off,
/// its hash entered in the log, its bytes stored and served unchanged afterwards. A year is
/// published once (409 after).
#[utoipa::path(post, path = "/api/v1/reports/humanitarian/{year}/publish", tag = "aid",
    params(("year" = String, Path, description = "calendar year")),
    request_body = PublishReport,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = PublicationView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn publish_humanitarian_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<String>,
    ApiJson(body): ApiJson<PublishReport>,
) -> Result<(StatusCode, Json<PublicationView>), ApiError> {
    let view = publish(&state, &caller, &year, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Reverses a flow (its donor's focal point or the secretariat), with a reason: the flow
/// stays in the history and counts in no total. Once only (409 after).
#[utoipa::path(post, path = "/api/v1/aid/{id}/reversal", tag = "aid",
    params(("id" = i64, Path, description = "the flow's id")),
    request_body = NewReversal,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = FlowView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse_flow(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewReversal>,
) -> Result<(StatusCode, Json<FlowView>), ApiError> {
    reverse(&state, &caller, id, &body.reason).await?;
    let (stored, cents, _) = load(&state, &AidFilter::default()).await?;
    let (s, c) = stored
        .iter()
        .zip(&cents)
        .find(|(s, _)| s.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(flow_view(s, *c))))
}

/// This module's routes (merged into [`super::routes`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_flows, record_flow))
        .merge(
            utoipa_axum::router::OpenApiRouter::new()
                .routes(routes!(import_flows))
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .routes(routes!(export_flows))
        .routes(routes!(aid_summary))
        .routes(routes!(list_rates, add_rate))
        .routes(routes!(humanitarian_report))
        .routes(routes!(humanitarian_report_draft))
        .routes(routes!(publish_humanitarian_report))
        .routes(routes!(reverse_flow))
}
