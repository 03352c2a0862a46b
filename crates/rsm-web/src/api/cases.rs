//! `/api/v1/cases` and `/api/v1/referral-types`: humanitarian case referral between the
//! parties' focal points.
//!
//! A focal point opens a case and refers it to another participating party's focal point
//! (`POST /api/v1/cases`); the referral is judged by `rsm_humanitarian::case::check_referral`
//! and a 422 lists every failing field. Only the focal points of the two parties see a case
//! (`Action::ReadCase`); to everyone else, the secretariat included, it is "not found". The
//! receiving side sees only the fields the type marks as referred, and not who took the
//! consent. Every read of a case's file is audited by the store (`case.read`). Steps (`POST
//! /api/v1/cases/{id}/steps`) go through `next_status` and name the revision they act on.
//!
//! If asked (`commit_to_log`), a salted commitment to the referral (`SHA-256("rsm-salted-
//! commitment/v1\n" || salt || canonical JSON)`, see [`canonical_referral`]) is entered in the
//! log as a secretariat entry `case.referred` with empty data: the log then proves the
//! referral existed at that time, and nothing else. The salt stays with the case.

use std::{collections::BTreeMap, sync::OnceLock};

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use jiff::Timestamp;
use rsm_core::{
    access::{Action, Role},
    party::PartyCode,
};
use rsm_humanitarian::case::{
    Basis, CaseStatus, ConsentScope, FieldError, FieldKind, LegalBasis, NewReferral, ReferralType,
    ReferralTypes, Side, Step, StepError, check_referral, deadline, default_referral_types,
    next_status,
};
use rsm_store::{CaseFile, CaseStore, NewCase, StoredCase};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    input::{ApiJson, parse_date, parse_party},
    notifications::{FieldProblem, FieldsProblem},
};
use crate::{AppState, auth::Caller, error::ApiError, error::Problem};

/// The shipped referral types (parsed once; the file is checked by the crate's tests).
pub fn referral_types() -> &'static ReferralTypes {
    static TYPES: OnceLock<ReferralTypes> = OnceLock::new();
    TYPES.get_or_init(|| default_referral_types().expect("the shipped referral types parse"))
}

// ---- wire types -------------------------------------------------------------------------

/// One field of a referral type.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldView {
    pub name: String,
    pub title: String,
    /// `text`, `date`, `choice`, `country` or `integer`.
    pub kind: String,
    pub required: bool,
    /// Shown to the receiving party (`false`: kept by the referring party).
    pub referred: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    pub not_after_today: bool,
}

/// A referral type.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralTypeView {
    pub id: String,
    pub title: String,
    pub origin: String,
    pub response_days: i64,
    pub follow_up_days: i64,
    pub outcomes: Vec<String>,
    pub fields: Vec<FieldView>,
}

/// The referral types and the fixed lists a referral's basis is chosen from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralTypesView {
    pub version: String,
    pub types: Vec<ReferralTypeView>,
    pub consent_scopes: Vec<String>,
    pub legal_bases: Vec<String>,
}

pub(crate) fn field_view(f: &rsm_humanitarian::case::FieldSpec) -> FieldView {
    let mut v = FieldView {
        name: f.name.clone(),
        title: f.title.clone(),
        kind: f.kind.as_str().into(),
        required: f.required,
        referred: f.referred,
        values: None,
        max_len: None,
        min: None,
        max: None,
        not_after_today: false,
    };
    match &f.kind {
        FieldKind::Text { max_len } => v.max_len = Some(*max_len),
        FieldKind::Date { not_after_today } => v.not_after_today = *not_after_today,
        FieldKind::Choice { values } => v.values = Some(values.clone()),
        FieldKind::Country => {}
        FieldKind::Integer { min, max } => {
            v.min = Some(*min);
            v.max = Some(*max);
        }
    }
    v
}

/// The consent the person gave, as recorded by the referring side.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// Who took the consent.
    pub recorded_by: String,
    /// `YYYY-MM-DD`, not after today, not older than a year.
    pub recorded_on: String,
    /// `referral` or `referral-and-services`.
    pub scope: String,
}

/// The legal basis for referring without consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisInput {
    /// `vital-interest`, `best-interests-of-child`, `important-public-interest` or
    /// `legal-obligation`.
    pub basis: String,
    /// Why the person cannot consent.
    pub explanation: String,
}

/// A new referral.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseInput {
    /// The referral type's id.
    #[serde(rename = "type")]
    pub type_id: String,
    /// The party whose focal point receives the case.
    pub receiving_party: String,
    /// The type's fields (strings; integers may be numbers). Unknown fields are refused.
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Value>,
    pub consent: Option<ConsentInput>,
    pub legal_basis: Option<LegalBasisInput>,
    /// Enter a salted commitment to the referral in the log (nothing personal).
    #[serde(default)]
    pub commit_to_log: bool,
}

/// A step on a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `accept`, `decline`, `progress`, `close` or `withdraw`.
    pub step: String,
    /// The revision the step acts on (from the case as read).
    pub expected_revision: i64,
    /// For decline and withdraw.
    #[serde(default)]
    pub reason: String,
    /// For progress (required) and close (optional).
    #[serde(default)]
    pub note: String,
    /// For close: one of the type's outcomes.
    #[serde(default)]
    pub outcome: String,
}

/// What is due next on an open case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    /// `response` or `follow-up`.
    pub kind: String,
    #[schema(value_type = String)]
    pub due: Timestamp,
    /// `overdue`, `due-soon` or `on-time`, at the instant of reading.
    pub urgency: String,
}

/// A case as a list shows it: nothing personal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    #[serde(rename = "type")]
    pub type_id: String,
    pub type_title: String,
    pub referring_party: String,
    pub receiving_party: String,
    /// The caller's side: `referring` or `receiving`.
    pub my_side: String,
    /// `referred`, `accepted`, `declined`, `in-progress`, `closed` or `withdrawn`.
    pub status: String,
    pub outcome: Option<String>,
    #[schema(value_type = String)]
    pub referred_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub resolved_at: Option<Timestamp>,
    pub deadline: Option<DeadlineView>,
    /// The steps the caller may take now.
    pub allowed_steps: Vec<String>,
    pub revision: i64,
}

/// The basis as the caller may see it (the receiving side does not see who took consent).
#[derive(Debug, Serialize, ToSchema)]
pub struct BasisView {
    /// `consent` or `legal-basis`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// One step of the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    #[schema(value_type = String)]
    pub at: Timestamp,
    pub kind: String,
    pub side: String,
    pub actor: String,
    pub text: String,
}

/// A case with what the caller's side may see of its file.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// The referring side sees every field; the receiving side only the referred ones.
    pub fields: BTreeMap<String, String>,
    pub basis: BasisView,
    pub history: Vec<EventView>,
    pub commitment: Option<String>,
    pub log_index: Option<i64>,
}

/// A case opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    pub id: i64,
    pub revision: i64,
    pub commitment: Option<String>,
    pub log_index: Option<i64>,
}

/// A step taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepTaken {
    pub id: i64,
    pub status: String,
    pub revision: i64,
}

// ---- errors -------------------------------------------------------------------------------

/// A refusal listing every failing field, or any other error.
pub enum CaseError {
    Fields(Vec<FieldError>),
    Api(ApiError),
}

impl From<ApiError> for CaseError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<rsm_store::StoreError> for CaseError {
    fn from(e: rsm_store::StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl IntoResponse for CaseError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Fields(errors) => {
                let first = errors.first();
                let body = FieldsProblem {
                    problem: Problem {
                        kind: "urn:rsm:problem:invalid-field".into(),
                        title: "Unprocessable Entity".into(),
                        status: 422,
                        detail: format!(
                            "{} field(s) refused: {}",
                            errors.len(),
                            errors
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        field: first.map(|e| e.field.clone()),
                        rule: first.map(|e| e.rule.to_owned()),
                        reference: None,
                    },
                    errors: errors
                        .iter()
                        .map(|e| FieldProblem {
                            path: e.field.clone(),
                            rule: e.rule.to_owned(),
                            message: e.message.clone(),
                            value: None,
                        })
                        .collect(),
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

fn step_error(e: StepError) -> ApiError {
    match e {
        StepError::Field(f) => ApiError::invalid(f.field, f.message),
        StepError::WrongSide { .. } => ApiError::Forbidden(e.to_string()),
        StepError::WrongStatus { .. } => ApiError::Conflict(e.to_string()),
    }
}

// ---- shared by the API and the pages ---------------------------------------------------------

/// The caller's focal-point party, if a focal point.
pub(crate) fn focal_party(caller: &Caller) -> Option<PartyCode> {
    match caller.actor.role() {
        Some(Role::FocalPoint(p)) => Some(*p),
        _ => None,
    }
}

fn side_of(case: &StoredCase, party: Option<PartyCode>) -> Option<Side> {
    match party {
        Some(p) if p == case.referring => Some(Side::Referring),
        Some(p) if p == case.receiving => Some(Side::Receiving),
        _ => None,
    }
}

/// The steps `side` may take on a case now.
pub(crate) fn allowed_steps(
    rt: Option<&ReferralType>,
    status: CaseStatus,
    side: Side,
) -> Vec<String> {
    let Some(rt) = rt else { return Vec::new() };
    let candidates = [
        Step::Accept,
        Step::Decline { reason: "r".into() },
        Step::Progress { note: "n".into() },
        Step::Close {
            outcome: rt.outcomes.first().cloned().unwrap_or_default(),
            note: String::new(),
        },
        Step::Withdraw { reason: "r".into() },
    ];
    candidates
        .iter()
        .filter(|s| next_status(rt, status, side, s).is_ok())
        .map(|s| s.kind().to_owned())
        .collect()
}

/// The summary of a case for `side` at `now`.
pub(crate) fn summary(case: &StoredCase, side: Side, now: Timestamp) -> CaseSummary {
    let rt = referral_types().get(&case.type_id);
    let next = rt.and_then(|rt| {
        deadline(
            rt,
            case.status,
            case.referred_at,
            case.last_receiving_step_at,
        )
    });
    CaseSummary {
        id: case.id,
        type_id: case.type_id.clone(),
        type_title: rt.map_or_else(|| case.type_id.clone(), |t| t.title.clone()),
        referring_party: case.referring.to_string(),
        receiving_party: case.receiving.to_string(),
        my_side: side.as_str().into(),
        status: case.status.as_str().into(),
        outcome: case.outcome.clone(),
        referred_at: case.referred_at,
        resolved_at: case.resolved_at,
        deadline: next.map(|d| DeadlineView {
            kind: d.kind.as_str().into(),
            due: d.due,
            urgency: d.urgency(now).as_str().into(),
        }),
        allowed_steps: allowed_steps(rt, case.status, side),
        revision: case.revision,
    }
}

/// The cases the caller may see, newest first: a focal point's party's cases, each passed
/// through `Action::ReadCase`; nothing for anyone else.
pub(crate) async fn my_cases(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(StoredCase, Side)>, ApiError> {
    caller.require(state, Action::ListCases).await?;
    let Some(party) = focal_party(caller) else {
        return Ok(Vec::new());
    };
    let (today, timeline) = state.today_and_timeline().await?;
    Ok(state
        .store
        .cases_of_party(party)
        .await?
        .into_iter()
        .filter(|c| {
            rsm_core::access::decide(
                &caller.actor,
                Action::ReadCase {
                    referring: c.referring,
                    receiving: c.receiving,
                },
                today,
                &timeline,
            )
            .is_ok()
        })
        .filter_map(|c| side_of(&c, Some(party)).map(|s| (c, s)))
        .collect())
}

/// A case the caller may read, with their side; "not found" otherwise.
pub(crate) async fn readable(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(StoredCase, Side), ApiError> {
    if caller.account.is_none() {
        return Err(ApiError::SignInRequired("sign in first".into()));
    }
    let case = state.store.case(id).await?.ok_or(ApiError::NotFound)?;
    caller
        .require(
            state,
            Action::ReadCase {
                referring: case.referring,
                receiving: case.receiving,
            },
        )
        .await?;
    let side = side_of(&case, focal_party(caller)).ok_or(ApiError::NotFound)?;
    Ok((case, side))
}

fn basis_view(basis: &Basis, side: Side) -> BasisView {
    match basis {
        Basis::Consent {
            recorded_by,
            recorded_on,
            scope,
        } => BasisView {
            kind: "consent".into(),
            recorded_by: (side == Side::Referring).then(|| recorded_by.clone()),
            recorded_on: Some(recorded_on.to_string()),
            scope: Some(scope.as_str().into()),
            legal_basis: None,
            explanation: None,
        },
        Basis::Legal { basis, explanation } => BasisView {
            kind: "legal-basis".into(),
            recorded_by: None,
            recorded_on: None,
            scope: None,
            legal_basis: Some(basis.as_str().into()),
            explanation: Some(explanation.clone()),
        },
    }
}

/// What `side` may see of a file: every field for the referring side, the referred ones
/// for the receiving side.
pub(crate) fn visible_fields(
    case: &StoredCase,
    side: Side,
    file: &CaseFile,
) -> BTreeMap<String, String> {
    match side {
        Side::Referring => file.fields.clone(),
        Side::Receiving => referral_types()
            .get(&case.type_id)
            .map(|t| t.referred_fields(&file.fields))
            .unwrap_or_default(),
    }
}

/// Reads a case for the caller (the file read is audited by the store).
pub(crate) async fn case_view(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<CaseView, ApiError> {
    let (case, side) = readable(state, caller, id).await?;
    let now = state.clock.now();
    let file = state
        .store
        .read_case_file(id, side, &caller.attribution(now))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(CaseView {
        summary: summary(&case, side, now),
        fields: visible_fields(&case, side, &file),
        basis: basis_view(&file.basis, side),
        history: file
            .events
            .iter()
            .map(|e| EventView {
                seq: e.seq,
                at: e.at,
                kind: e.kind.clone(),
                side: e.side.as_str().into(),
                actor: e.actor.clone(),
                text: e.text.clone(),
            })
            .collect(),
        commitment: case.commitment.clone(),
        log_index: case.log_index,
    })
}

fn field_text(name: &str, v: &Value) -> Result<Option<String>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(FieldError {
            field: format!("fields.{name}"),
            rule: "wrong_type",
            message: "must be text (or a number for integer fields)".into(),
        }),
    }
}

/// Parses the basis: exactly one of consent and legal basis.
fn parse_basis(
    consent: Option<&ConsentInput>,
    legal: Option<&LegalBasisInput>,
    errors: &mut Vec<FieldError>,
) -> Option<Basis> {
    let err = |field: &str, rule: &'static str, message: String| FieldError {
        field: field.into(),
        rule,
        message,
    };
    match (consent, legal) {
        (Some(_), Some(_)) => {
            errors.push(err(
                "legal_basis",
                "consent_or_legal_basis",
                "give the person's consent or a legal basis, not both".into(),
            ));
            None
        }
        (None, None) => None,
        (Some(c), None) => {
            let scope = ConsentScope::parse(&c.scope);
            if scope.is_none() {
                errors.push(err(
                    "consent.scope",
                    "not_in_list",
                    "must be one of referral, referral-and-services".into(),
                ));
            }
            let on = match parse_date("consent.recorded_on", &c.recorded_on) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(err(
                        "consent.recorded_on",
                        "bad_date",
                        "must be a date YYYY-MM-DD".into(),
                    ));
                    None
                }
            };
            Some(Basis::Consent {
                recorded_by: c.recorded_by.trim().to_owned(),
                recorded_on: on?,
                scope: scope?,
            })
        }
        (None, Some(l)) => {
            let Some(basis) = LegalBasis::parse(&l.basis) else {
                errors.push(err(
                    "legal_basis.basis",
                    "not_in_list",
                    format!(
                        "must be one of {}",
                        LegalBasis::ALL.map(LegalBasis::as_str).join(", ")
                    ),
                ));
                return None;
            };
            Some(Basis::Legal {
                basis,
                explanation: l.explanation.trim().to_owned(),
            })
        }
    }
}

/// The exact text a case's salted commitment covers: compact JSON with keys in this order —
/// type, referring, receiving, referred_at (RFC 3339), fields (sorted by name), basis.
pub fn canonical_referral(
    type_id: &str,
    referring: PartyCode,
    receiving: PartyCode,
    referred_at: Timestamp,
    fields: &BTreeMap<String, String>,
    basis: &Basis,
) -> String {
    let q = |s: &str| Value::String(s.to_owned()).to_string();
    let fields = fields
        .iter()
        .map(|(k, v)| format!("{}:{}", q(k), q(v)))
        .collect::<Vec<_>>()
        .join(",");
    let basis = match basis {
        Basis::Consent {
            recorded_by,
            recorded_on,
            scope,
        } => format!(
            "{{\"consent\":{{\"recorded_by\":{},\"recorded_on\":{},\"scope\":{}}}}}",
            q(recorded_by),
            q(&recorded_on.to_string()),
            q(scope.as_str())
        ),
        Basis::Legal { basis, explanation } => format!(
            "{{\"legal\":{{\"basis\":{},\"explanation\":{}}}}}",
            q(basis.as_str()),
            q(explanation)
        ),
    };
    format!(
        "{{\"type\":{},\"referring\":{},\"receiving\":{},\"referred_at\":{},\"fields\":{{{fields}}},\"basis\":{basis}}}",
        q(type_id),
        q(referring.as_str()),
        q(receiving.as_str()),
        q(&referred_at.to_string()),
    )
}

/// Opens and refers a case for the caller's party. Nothing is stored on a refusal.
pub(crate) async fn open(
    state: &AppState,
    caller: &Caller,
    input: &OpenCaseInput,
) -> Result<Opened, CaseError> {
    let Some(party) = caller.account.as_ref().and_then(|a| a.role.party()) else {
        // The public is asked to sign in; the secretariat refers no cases.
        caller.require(state, Action::ListCases).await?;
        return Err(ApiError::Forbidden(
            "only a party's humanitarian focal point refers cases".into(),
        )
        .into());
    };
    caller.require(state, Action::OpenCase(party)).await?;
    let receiving = parse_party("receiving_party", &input.receiving_party)?;
    let mut errors = Vec::new();
    let mut fields = BTreeMap::new();
    for (k, v) in &input.fields {
        match field_text(k, v) {
            Ok(Some(s)) if !s.trim().is_empty() => {
                fields.insert(k.clone(), s.trim().to_owned());
            }
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    let basis = parse_basis(
        input.consent.as_ref(),
        input.legal_basis.as_ref(),
        &mut errors,
    );
    let now = state.clock.now();
    let (_, timeline) = state.today_and_timeline().await?;
    // The day of referral is the referring caseworker's calendar day (Seoul is a day ahead
    // of UTC each morning): dates of birth, identification and consent are judged by it.
    let zone = caller
        .account
        .as_ref()
        .and_then(|a| jiff::tz::TimeZone::get(&a.time_zone).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let today = now.to_zoned(zone).date();
    let referral = NewReferral {
        type_id: input.type_id.clone(),
        referring: party,
        receiving,
        fields,
        basis,
    };
    if let Err(more) = check_referral(referral_types(), &referral, &timeline, today) {
        // A basis that failed to parse is reported once, by its own field.
        let parse_failed = !errors.is_empty() && referral.basis.is_none();
        errors.extend(
            more.into_iter()
                .filter(|e| !(parse_failed && e.rule == "consent_or_legal_basis")),
        );
    }
    if !errors.is_empty() {
        return Err(CaseError::Fields(errors));
    }
    let basis = referral.basis.clone().expect("checked above");
    let commitment = input.commit_to_log.then(|| {
        let mut salt = [0u8; 32];
        getrandom::fill(&mut salt).expect("the operating system provides randomness");
        let text = canonical_referral(
            &referral.type_id,
            party,
            receiving,
            now,
            &referral.fields,
            &basis,
        );
        let c = rsm_ledger::commit_salted(&salt, text.as_bytes());
        (c, salt)
    });
    let who = caller.attribution(now);
    let id = state
        .store
        .open_case(
            &NewCase {
                type_id: referral.type_id.clone(),
                referring: party,
                receiving,
                fields: referral.fields.clone(),
                basis,
                commitment: commitment
                    .as_ref()
                    .map(|(c, s)| (c.to_hex(), rsm_ledger::hash::to_hex(s))),
            },
            &who,
        )
        .await?;
    let mut log_index = None;
    if let (Some((c, _)), Some(log)) = (&commitment, &state.log) {
        let acked = log
            .append_secretariat("case.referred", *c, Vec::new(), None, who.clone())
            .await
            .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
        let index = i64::try_from(acked.index).map_err(|e| ApiError::internal(&e))?;
        state.store.set_case_log_index(id, index, &who).await?;
        log_index = Some(index);
    }
    Ok(Opened {
        id,
        revision: 1,
        commitment: commitment.map(|(c, _)| c.to_hex()),
        log_index,
    })
}

/// Parses a step's input.
pub(crate) fn parse_step(input: &StepInput) -> Result<Step, ApiError> {
    Ok(match input.step.as_str() {
        "accept" => Step::Accept,
        "decline" => Step::Decline {
            reason: input.reason.trim().to_owned(),
        },
        "progress" => Step::Progress {
            note: input.note.trim().to_owned(),
        },
        "close" => Step::Close {
            outcome: input.outcome.trim().to_owned(),
            note: input.note.trim().to_owned(),
        },
        "withdraw" => Step::Withdraw {
            reason: input.reason.trim().to_owned(),
        },
        _ => {
            return Err(ApiError::invalid(
                "step",
                "must be one of accept, decline, progress, close, withdraw",
            ));
        }
    })
}

/// Takes a step on a case as the caller's side.
pub(crate) async fn take_step(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &StepInput,
) -> Result<StepTaken, ApiError> {
    let (case, side) = readable(state, caller, id).await?;
    let party = focal_party(caller).ok_or(ApiError::NotFound)?;
    caller
        .require(
            state,
            Action::ActOnCase {
                referring: case.referring,
                receiving: case.receiving,
                acting_for: party,
            },
        )
        .await?;
    let step = parse_step(input)?;
    let rt = referral_types().get(&case.type_id).ok_or_else(|| {
        ApiError::internal(&format!("case {id} has unknown type {}", case.type_id))
    })?;
    let next = next_status(rt, case.status, side, &step).map_err(step_error)?;
    let who = caller.attribution(state.clock.now());
    let revision = state
        .store
        .record_case_step(id, input.expected_revision, side, &step, next, &who)
        .await?;
    Ok(StepTaken {
        id,
        status: next.as_str().into(),
        revision,
    })
}

/// The referral types as wire data.
pub(crate) fn types_view() -> ReferralTypesView {
    let t = referral_types();
    ReferralTypesView {
        version: t.version.clone(),
        types: t
            .types()
            .iter()
            .map(|rt| ReferralTypeView {
                id: rt.id.clone(),
                title: rt.title.clone(),
                origin: rt.origin.clone(),
                response_days: rt.response_days,
                follow_up_days: rt.follow_up_days,
                outcomes: rt.outcomes.clone(),
                fields: rt.fields.iter().map(field_view).collect(),
            })
            .collect(),
        consent_scopes: ConsentScope::ALL
            .iter()
            .map(|s| s.as_str().into())
            .collect(),
        legal_bases: LegalBasis::ALL.iter().map(|s| s.as_str().into()).collect(),
    }
}

// ---- handlers -----------------------------------------------------------------------------

/// The referral types: their fields, deadlines and outcomes; the consent scopes and legal
/// bases.
#[utoipa::path(get, path = "/api/v1/referral-types", tag = "cases",
    responses((status = 200, body = ReferralTypesView)))]
pub async fn list_referral_types(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ReferralTypesView>, ApiError> {
    caller.require(&state, Action::ReadReferralTypes).await?;
    Ok(Json(types_view()))
}

/// The caller's cases (referred by or to their party; focal points only — an empty list for
/// everyone else), newest first, with deadlines computed now. Nothing personal.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = Problem)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    let now = state.clock.now();
    Ok(Json(
        my_cases(&state, &caller)
            .await?
            .iter()
            .map(|(c, s)| summary(c, *s, now))
            .collect(),
    ))
}

/// Opens a case and refers it to another participating party's focal point. 422 lists every
/// failing field (unknown fields, missing consent or legal basis, a non-participating party).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = OpenCaseInput,
    responses((status = 201, body = Opened), (status = 422, body = FieldsProblem),
        (status = 403, body = Problem)))]
pub async fn open_case(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OpenCaseInput>,
) -> Result<(StatusCode, Json<Opened>), CaseError> {
    let opened = open(&state, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(opened)))
}

/// One case, as the caller's side may see it. The read is audited. "Not found" for anyone
/// but the focal points of its two parties.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "case id")),
    responses((status = 200, body = CaseView), (status = 404, body = Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(case_view(&state, &caller, id).await?))
}

/// A step: the receiving side accepts, declines (with a reason), records progress (a note)
/// or closes (with one of the type's outcomes); the referring side withdraws (with a reason).
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = StepInput,
    params(("id" = i64, Path, description = "case id")),
    responses((status = 200, body = StepTaken), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn case_step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<StepTaken>, ApiError> {
    Ok(Json(take_step(&state, &caller, id, &input).await?))
}
