//! `/api/v1/regime`, `/api/v1/notifications`, `/api/v1/compliance`: the CSBM regime, signed
//! notifications beside the log, and the compliance table computed when read.
//!
//! The server never signs for a party: `prepare` returns the exact envelope bytes to sign
//! (the party signs them with its own key, in the CLI or in the browser), and `submit`
//! checks the signed envelope against the content before storing the content and appending
//! the entry. See [`crate::notify`] for what the entries mean.

use std::time::Duration;

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use jiff::Timestamp;
use rsm_core::{access::Action, body::Body, participation::Timeline, party::PartyCode};
use rsm_ledger::{
    Anchor, EntryBody, EntryType, Envelope, Party, commit_public, commit_salted,
    envelope::ENTRY_SIGNING_DOMAIN,
};
use rsm_regime::{
    ComplianceReport, FieldError, RegimeHistory, SubmitError as RegimeSubmitError,
    regime::{Deadline, Distribution, FieldKind, Lead, Owers},
};
use rsm_store::{
    BodyStore, LedgerStore, NewContent, NewNotificationEntry, NotificationFilter,
    NotificationStore, ParticipationStore, StoredRegimeVersion,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery};
use crate::{
    AppState,
    api::log::{log, submit_error},
    auth::Caller,
    error::{ApiError, Problem},
    notify::{self, Hidden, Kind, Record, Viewer},
};

// ---- wire types ---------------------------------------------------------------------

/// One field of a notification type, for generating forms.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldView {
    pub name: String,
    pub title: Option<String>,
    /// integer, boolean, date, date_range, datetime, time_window, area, enum, parties, text,
    /// attachments.
    pub kind: String,
    pub required: bool,
    pub unit: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub values: Option<Vec<String>>,
    pub max_len: Option<usize>,
}

/// One notification type of the regime in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeView {
    pub id: String,
    pub title: String,
    pub basket: String,
    pub voluntary: bool,
    /// `participating`, `public` or `body:<id>`.
    pub distribution: String,
    /// `participating` or `body:<id>`.
    pub owed_by: String,
    /// The deadline rule in words.
    pub deadline: String,
    pub origin: String,
    pub fields: Vec<FieldView>,
}

/// A regime version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub regime: String,
    pub version: String,
    pub effective: String,
    pub basis: String,
    /// SHA-256 of the regime file text (hex); `null` for the default regime shipped with RSM.
    pub text_sha256: Option<String>,
    /// The regime file; `null` for the default regime.
    pub text: Option<String>,
}

/// The regime: its versions and the types of the version in force now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeView {
    pub versions: Vec<VersionView>,
    pub in_force: String,
    pub types: Vec<TypeView>,
}

/// A new regime version, adopted by a secretariat act (or decision).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersion {
    /// RFC 3339 instant, not in the past.
    pub effective: String,
    /// The act or decision that adopted it, e.g. `SEC.ACT/2027/4`.
    pub basis: String,
    /// The regime file (TOML).
    pub text: String,
}

/// Content to check against the regime.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateInput {
    /// Regime type id, e.g. `military-activity`.
    #[serde(rename = "type")]
    pub type_id: String,
    /// The content, as a JSON object or as its JSON text.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

/// One field that fails the regime.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub path: String,
    pub rule: String,
    pub message: String,
    #[schema(value_type = Object)]
    pub value: Option<serde_json::Value>,
}

/// The verdict on content.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    pub valid: bool,
    pub errors: Vec<FieldProblem>,
}

/// What the party is about to sign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareInput {
    #[schema(example = "KR")]
    pub party: String,
    /// Regime type id, or `notification-ack` for an acknowledgement.
    #[serde(rename = "type")]
    pub type_id: String,
    /// The exact JSON text to commit to.
    pub content: String,
    /// 64 hex digits: commit salted (required for types restricted to a body).
    pub salt: Option<String>,
    /// Empty (original), `amends N`, `cancels N` or `ack N`.
    #[serde(default)]
    pub data: String,
}

/// The envelope body to sign: sign `message` (domain prefix and body) with Ed25519, then
/// submit `body || signature` as the envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Prepared {
    /// The canonical envelope body, base64.
    pub body: String,
    /// `rsm-entry/v1\n` || body, base64: the bytes to sign.
    pub message: String,
    pub entry_type: String,
    /// Hex.
    pub commitment: String,
    pub seq: u64,
    pub prev: String,
    pub anchor_size: u64,
}

/// A signed notification with its content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitNotification {
    /// The signed envelope, base64.
    pub envelope: String,
    /// The exact JSON text the envelope's commitment commits to.
    pub content: String,
    /// The salt of a salted commitment, 64 hex digits.
    pub salt: Option<String>,
}

/// An accepted notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub index: u64,
    pub leaf_hash: String,
    /// C2SP tlog-proof receipt, when a checkpoint covered the entry in time.
    pub receipt: Option<String>,
    /// The compliance status as of now (`on_time`, `late`, `voluntary`, …); `null` for
    /// acknowledgements, requests and replies.
    pub status: Option<String>,
    pub delay_seconds: Option<i64>,
}

/// An acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AckView {
    pub party: String,
    pub index: u64,
    pub received_at: String,
}

/// A notification with its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub index: u64,
    pub party: String,
    #[serde(rename = "type")]
    pub type_id: String,
    /// original, amends, cancels, ack.
    pub kind: String,
    pub reference: Option<u64>,
    pub received_at: String,
    pub commitment: String,
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// The exact text committed to.
    pub content_text: String,
    pub salt: Option<String>,
    pub restricted_to: Option<String>,
}

/// One notification with its receipt and acknowledgements.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDetail {
    #[serde(flatten)]
    pub notification: NotificationView,
    /// The signed envelope, base64.
    pub envelope: String,
    pub receipt: Option<String>,
    pub acknowledgements: Vec<AckView>,
    /// Parties entitled to it that have not acknowledged it.
    pub not_acknowledged: Vec<String>,
    pub status: Option<String>,
    pub delay_seconds: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// UTC year received.
    pub year: Option<i16>,
    pub party: Option<String>,
    #[serde(rename = "type")]
    pub type_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    pub year: i16,
    /// Only this party's rows.
    pub party: Option<String>,
    /// RFC 3339 instant; now when absent.
    pub as_of: Option<String>,
}

// ---- errors -------------------------------------------------------------------------

/// A refusal listing every failing field (problem+json with `errors`), or any other error.
pub enum NotifyError {
    Fields(Vec<FieldError>),
    Api(ApiError),
}

impl From<ApiError> for NotifyError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<rsm_store::StoreError> for NotifyError {
    fn from(e: rsm_store::StoreError) -> Self {
        Self::Api(e.into())
    }
}

fn problems(errors: &[FieldError]) -> Vec<FieldProblem> {
    errors
        .iter()
        .map(|e| FieldProblem {
            path: e.path.clone(),
            rule: e.rule.as_str().to_owned(),
            message: e.message.clone(),
            value: e.value.clone(),
        })
        .collect()
}

/// The body of a 422 listing every failing field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldsProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub errors: Vec<FieldProblem>,
}

impl IntoResponse for NotifyError {
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
                            "{} field(s) fail the regime: {}",
                            errors.len(),
                            errors
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        field: first.map(|e| e.path.clone()),
                        rule: first.map(|e| e.rule.as_str().to_owned()),
                        reference: None,
                    },
                    errors: problems(&errors),
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

fn regime_error(e: RegimeSubmitError) -> NotifyError {
    match e {
        RegimeSubmitError::Invalid(errs) => NotifyError::Fields(errs),
        RegimeSubmitError::UnknownType { .. } => {
            NotifyError::Api(ApiError::invalid("type", e.to_string()))
        }
        RegimeSubmitError::NoRegimeInForce(_) => NotifyError::Api(ApiError::internal(&e)),
    }
}

// ---- shared loading -----------------------------------------------------------------

/// Everything a read needs: regime history, timeline, bodies.
pub struct Loaded {
    pub history: RegimeHistory,
    pub timeline: Timeline,
    pub bodies: Vec<Body>,
    pub stored: Vec<StoredRegimeVersion>,
}

pub async fn load(state: &AppState) -> Result<Loaded, ApiError> {
    let timeline = state.store.timeline().await?;
    let bodies = state.store.bodies().await?;
    let stored = state.store.regime_versions().await?;
    let history = notify::history(notify::founding_instant(&timeline), &texts(&stored))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Loaded {
        history,
        timeline,
        bodies,
        stored,
    })
}

fn texts(stored: &[StoredRegimeVersion]) -> Vec<notify::VersionText> {
    stored
        .iter()
        .map(|v| notify::VersionText {
            effective: v.effective_at,
            basis: v.basis.clone(),
            text: v.text.clone(),
        })
        .collect()
}

fn distribution_text(d: &Distribution) -> String {
    match d {
        Distribution::AllParticipating => "participating".into(),
        Distribution::Public => "public".into(),
        Distribution::Body(b) => format!("body:{b}"),
    }
}

fn deadline_text(d: &Deadline) -> String {
    let lead = |l: &Lead| match l {
        Lead::Days(d) => format!("{d} days"),
        Lead::Hours(h) => format!("{h} hours"),
    };
    match d {
        Deadline::None => "none (voluntary)".into(),
        Deadline::BeforeStart { lead: l, start, .. } => {
            format!("{} before the start of {start}", lead(l))
        }
        Deadline::Annual {
            month,
            day,
            for_next_year,
            ..
        } => format!(
            "each year by {day} {} ({})",
            [
                "", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"
            ][usize::try_from(*month).unwrap_or(0).min(12)],
            if *for_next_year {
                "for the next year"
            } else {
                "for the year"
            }
        ),
        Deadline::AfterRequest { hours, .. } => format!("{hours} hours after the request"),
        Deadline::AfterEvent { hours, event, .. } => format!("{hours} hours after {event}"),
    }
}

/// The types of a regime, for forms.
pub fn type_views(regime: &rsm_regime::Regime) -> Vec<TypeView> {
    regime
        .types()
        .iter()
        .map(|t| TypeView {
            id: t.id.to_string(),
            title: t.title.clone(),
            basket: t.basket.as_str().into(),
            voluntary: t.voluntary,
            distribution: distribution_text(&t.distribution),
            owed_by: match &t.owed_by {
                Owers::AllParticipating => "participating".into(),
                Owers::BodyMembers(b) => format!("body:{b}"),
            },
            deadline: deadline_text(&t.deadline),
            origin: t.origin.clone(),
            fields: t
                .fields
                .iter()
                .map(|f| {
                    let mut v = FieldView {
                        name: f.name.clone(),
                        title: f.title.clone(),
                        kind: f.kind.as_str().into(),
                        required: f.required,
                        unit: None,
                        min: None,
                        max: None,
                        values: None,
                        max_len: None,
                    };
                    match &f.kind {
                        FieldKind::Integer { unit, min, max } => {
                            v.unit = Some(unit.clone());
                            v.min = *min;
                            v.max = *max;
                        }
                        FieldKind::Enum { values } => v.values = Some(values.clone()),
                        FieldKind::Text { max_len } => v.max_len = Some(*max_len),
                        _ => {}
                    }
                    v
                })
                .collect(),
        })
        .collect()
}

/// The compliance events' records: every stored notification entry.
pub async fn records(state: &AppState) -> Result<Vec<Record>, ApiError> {
    Ok(state
        .store
        .notifications(&NotificationFilter::default())
        .await?
        .iter()
        .map(Record::from_stored)
        .collect())
}

fn parse_party_code(field: &str, s: &str) -> Result<PartyCode, ApiError> {
    super::input::parse_party(field, s)
}

fn to_hex(b: &[u8]) -> String {
    rsm_ledger::hash::to_hex(b)
}

fn parse_salt(s: Option<&str>) -> Result<Option<[u8; 32]>, ApiError> {
    s.map(|s| {
        rsm_ledger::hash::from_hex(s.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ApiError::invalid("salt", "must be 64 hex digits"))
    })
    .transpose()
}

fn content_json(text: &str) -> Result<serde_json::Value, ApiError> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::invalid("content", format!("is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::invalid("content", "must be a JSON object"));
    }
    Ok(v)
}

/// The type and distribution an entry's content falls under; for an acknowledgement,
/// those of the acknowledged notification (checked to exist and be visible).
async fn target_type(
    state: &AppState,
    loaded: &Loaded,
    type_id: &str,
    kind: Kind,
    now: Timestamp,
) -> Result<(String, Distribution), ApiError> {
    match kind {
        Kind::Ack(of) => {
            let n = state
                .store
                .notification(of)
                .await?
                .filter(|n| n.kind != rsm_store::EntryKind::Ack)
                .ok_or_else(|| ApiError::NotFoundField {
                    field: "data".into(),
                    rule: format!("no notification at log index {of}"),
                })?;
            let d = notify::distribution_of(&loaded.history, &n.type_id, n.received_at);
            Ok((n.type_id, d))
        }
        _ => {
            let ty = loaded
                .history
                .in_force_at(now)
                .and_then(|v| v.regime.get(type_id))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "type",
                        format!("`{type_id}` is not a notification type of the regime in force"),
                    )
                })?;
            Ok((type_id.to_owned(), ty.distribution.clone()))
        }
    }
}

fn status_of(report: &ComplianceReport, index: u64) -> (Option<String>, Option<i64>) {
    let id = index.to_string();
    report
        .rows
        .iter()
        .find(|r| r.subject == id || r.notices.contains(&id))
        .map(|r| (Some(r.status.code().to_owned()), r.status.delay_seconds()))
        .unwrap_or((None, None))
}

// ---- handlers -----------------------------------------------------------------------

/// The regime: its versions and the notification types in force now (for forms).
#[utoipa::path(get, path = "/api/v1/regime", tag = "notifications",
    responses((status = 200, body = RegimeView)))]
pub async fn get_regime(State(state): State<AppState>) -> Result<Json<RegimeView>, ApiError> {
    let loaded = load(&state).await?;
    let now = state.clock.now();
    let mut versions = Vec::new();
    for (i, v) in loaded.history.versions().iter().enumerate() {
        let stored = i.checked_sub(1).and_then(|j| loaded.stored.get(j));
        versions.push(VersionView {
            regime: v.regime.id.clone(),
            version: v.regime.version.clone(),
            effective: v.effective.to_string(),
            basis: v.basis.clone(),
            text_sha256: stored.map(|s| s.text_sha256.clone()),
            text: stored.map(|s| s.text.clone()),
        });
    }
    let in_force = loaded
        .history
        .in_force_at(now)
        .or_else(|| loaded.history.versions().first())
        .ok_or_else(|| ApiError::internal(&"no regime"))?;
    Ok(Json(RegimeView {
        versions,
        in_force: in_force.regime.version.clone(),
        types: type_views(&in_force.regime),
    }))
}

/// Adopts a regime version (secretariat, with the act's reference): stored, then entered
/// in the log as a `regime.version` entry committing to the text's SHA-256.
#[utoipa::path(post, path = "/api/v1/regime/versions", tag = "notifications",
    request_body = NewVersion, security(("session" = []), ("token" = [])),
    responses((status = 201, body = VersionView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewVersion>,
) -> Result<(StatusCode, Json<VersionView>), ApiError> {
    caller.require(&state, Action::SubmitLogEntry(None)).await?;
    let log = log(&state)?.clone();
    let now = state.clock.now();
    let effective: Timestamp = input
        .effective
        .parse()
        .map_err(|_| ApiError::invalid("effective", "must be an RFC 3339 instant"))?;
    let regime = rsm_regime::Regime::parse(&input.text)
        .map_err(|e| ApiError::invalid("text", e.to_string()))?;
    let mut loaded = load(&state).await?;
    loaded
        .history
        .add(
            rsm_regime::RegimeVersion {
                effective,
                basis: input.basis.trim().to_owned(),
                regime: regime.clone(),
            },
            now,
        )
        .map_err(|e| {
            let field = match e {
                rsm_regime::HistoryError::MissingBasis => "basis",
                rsm_regime::HistoryError::OtherRegime { .. } => "text",
                _ => "effective",
            };
            ApiError::invalid(field, e.to_string())
        })?;
    let digest = rsm_ledger::hash::sha256(input.text.as_bytes());
    let v = StoredRegimeVersion {
        effective_at: effective,
        basis: input.basis.trim().to_owned(),
        text: input.text.clone(),
        text_sha256: digest.to_hex(),
        recorded_at: now,
    };
    let who = caller.attribution(now);
    state.store.add_regime_version(&v, &who).await?;
    log.append_secretariat(
        notify::REGIME_VERSION_ENTRY,
        digest,
        v.basis.clone().into_bytes(),
        None,
        who,
    )
    .await
    .map_err(submit_error)?;
    Ok((
        StatusCode::CREATED,
        Json(VersionView {
            regime: regime.id,
            version: regime.version,
            effective: effective.to_string(),
            basis: v.basis,
            text_sha256: Some(v.text_sha256),
            text: Some(v.text),
        }),
    ))
}

/// Checks content against the regime in force; stores nothing (for validation as you type).
#[utoipa::path(post, path = "/api/v1/notifications/validate", tag = "notifications",
    request_body = ValidateInput,
    responses((status = 200, body = Validation), (status = 422, body = Problem)))]
pub async fn validate(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ValidateInput>,
) -> Result<Json<Validation>, ApiError> {
    let loaded = load(&state).await?;
    let content = match input.content {
        serde_json::Value::String(s) => content_json(&s)?,
        v => v,
    };
    match loaded
        .history
        .validate_at(&input.type_id, &content, state.clock.now())
    {
        Ok(_) => Ok(Json(Validation {
            valid: true,
            errors: Vec::new(),
        })),
        Err(RegimeSubmitError::Invalid(errs)) => Ok(Json(Validation {
            valid: false,
            errors: problems(&errs),
        })),
        Err(e @ RegimeSubmitError::UnknownType { .. }) => {
            Err(ApiError::invalid("type", e.to_string()))
        }
        Err(e) => Err(ApiError::internal(&e)),
    }
}

/// The exact envelope body a party signs for this content (seq, prev and anchor filled
/// from the log): lets a browser sign with WebCrypto without reimplementing the encoding.
#[utoipa::path(post, path = "/api/v1/notifications/prepare", tag = "notifications",
    request_body = PrepareInput,
    responses((status = 200, body = Prepared), (status = 422, body = Problem)))]
pub async fn prepare(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PrepareInput>,
) -> Result<Json<Prepared>, ApiError> {
    let log = log(&state)?;
    let party = parse_party_code("party", &input.party)?;
    let entry_type = if input.type_id == notify::ACK_ENTRY_TYPE {
        notify::ACK_ENTRY_TYPE.to_owned()
    } else {
        format!("{}{}", notify::NOTIFICATION_PREFIX, input.type_id)
    };
    let et = EntryType::new(&entry_type).map_err(|e| ApiError::invalid("type", e.to_string()))?;
    Kind::parse(&entry_type, input.data.as_bytes()).map_err(|e| ApiError::invalid("data", e))?;
    content_json(&input.content)?;
    let commitment = match parse_salt(input.salt.as_deref())? {
        Some(s) => commit_salted(&s, input.content.as_bytes()),
        None => commit_public(input.content.as_bytes()),
    };
    let p = Party::new(party.as_str()).map_err(|e| ApiError::invalid("party", e.to_string()))?;
    let (seq, prev, _) = log.party_head(&p);
    let head = log.head();
    let body = EntryBody {
        party: p,
        seq,
        prev,
        entry_type: et,
        commitment,
        anchor: Anchor {
            size: head.size,
            root: head.root,
        },
        data: input.data.into_bytes(),
    };
    let encoded = body
        .encode()
        .map_err(|e| ApiError::invalid("data", e.to_string()))?;
    let mut message = ENTRY_SIGNING_DOMAIN.to_vec();
    message.extend_from_slice(&encoded);
    Ok(Json(Prepared {
        body: B64.encode(&encoded),
        message: B64.encode(&message),
        entry_type,
        commitment: commitment.to_hex(),
        seq,
        prev: prev.to_hex(),
        anchor_size: head.size,
    }))
}

/// Submits a notification (or an acknowledgement) signed by the party: the envelope's type
/// must be `notification.<type>` (or `notification-ack`), its commitment must match the
/// content, and the content must pass the regime (422 lists every failing field; nothing is
/// stored). The content is stored, then the entry appended. A late notification is accepted
/// and its status says so.
#[utoipa::path(post, path = "/api/v1/notifications", tag = "notifications",
    request_body = SubmitNotification, security(("session" = []), ("token" = [])),
    responses((status = 201, body = Submitted), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = FieldsProblem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SubmitNotification>,
) -> Result<(StatusCode, Json<Submitted>), NotifyError> {
    caller
        .require(
            &state,
            Action::SubmitLogEntry(caller.actor.role().and_then(|r| r.party())),
        )
        .await?;
    let log = log(&state)?.clone();
    let bytes = B64
        .decode(input.envelope.trim())
        .map_err(|_| ApiError::invalid("envelope", "must be standard base64"))?;
    let env = Envelope::parse(&bytes).map_err(|e| ApiError::invalid("envelope", e.to_string()))?;
    let party = parse_party_code("party", env.body.party.as_str())?;
    caller
        .require(&state, Action::SubmitLogEntry(Some(party)))
        .await?;
    let entry_type = env.body.entry_type.as_str().to_owned();
    let type_id = notify::type_of_entry(&entry_type).ok_or_else(|| {
        ApiError::invalid(
            "envelope",
            format!("entry type `{entry_type}` is not notification.<type> or notification-ack"),
        )
    })?;
    let kind =
        Kind::parse(&entry_type, &env.body.data).map_err(|e| ApiError::invalid("data", e))?;
    // The commitment.
    let salt = parse_salt(input.salt.as_deref())?;
    let expected = match &salt {
        Some(s) => commit_salted(s, input.content.as_bytes()),
        None => commit_public(input.content.as_bytes()),
    };
    if expected != env.body.commitment {
        return Err(ApiError::invalid(
            "content",
            "does not match the envelope's commitment (commit to the exact JSON text sent)",
        )
        .into());
    }
    let content = content_json(&input.content)?;
    let now = state.clock.now();
    let loaded = load(&state).await?;
    let (judged_type, distribution) = target_type(&state, &loaded, type_id, kind, now).await?;
    let (today, _) = state.today_and_timeline().await?;
    if let Kind::Ack(of) | Kind::Amends(of) | Kind::Cancels(of) = kind {
        let target =
            state
                .store
                .notification(of)
                .await?
                .ok_or_else(|| ApiError::NotFoundField {
                    field: "data".into(),
                    rule: format!("no notification at log index {of}"),
                })?;
        // A party sees what it acknowledges; concealed ones do not exist for it.
        if notify::may_read(
            &caller.actor,
            &distribution,
            &loaded.bodies,
            today,
            &loaded.timeline,
        )
        .is_err()
        {
            return Err(ApiError::NotFound.into());
        }
        match kind {
            Kind::Ack(_) if target.party == party.as_str() => {
                return Err(ApiError::invalid(
                    "data",
                    "a party does not acknowledge its own notification",
                )
                .into());
            }
            Kind::Amends(_) | Kind::Cancels(_)
                if target.party != party.as_str() || target.type_id != type_id =>
            {
                return Err(ApiError::invalid(
                    "data",
                    "only the sender amends or cancels a notification, under the same type",
                )
                .into());
            }
            _ => {}
        }
    }
    let restricted = match &distribution {
        Distribution::Body(b) => Some(b.as_str().to_owned()),
        _ => None,
    };
    if restricted.is_some() && salt.is_none() {
        return Err(ApiError::invalid(
            "salt",
            "a notification restricted to a body must be committed with a salt",
        )
        .into());
    }
    if matches!(kind, Kind::Original | Kind::Amends(_)) {
        loaded
            .history
            .validate_at(&judged_type, &content, now)
            .map_err(regime_error)?;
    }
    // The signature, chain and anchor are the log's to check; a refusal there leaves the
    // content stored (content-addressed, harmless) but no entry.
    let who = caller.attribution(now);
    let commitment = env.body.commitment.to_hex();
    state
        .store
        .put_notification_content(
            &NewContent {
                commitment: commitment.clone(),
                content: input.content.clone(),
                salt: salt.map(|s| to_hex(&s)),
                restricted_to: restricted,
            },
            &who,
        )
        .await?;
    let acked = log
        .submit(bytes.clone(), who.clone())
        .await
        .map_err(submit_error)?;
    let entry = state
        .store
        .log_entry(acked.index)
        .await?
        .ok_or_else(|| ApiError::internal(&"appended entry missing"))?;
    let (store_kind, reference) = kind.store_kind();
    state
        .store
        .link_notification(
            &NewNotificationEntry {
                index: acked.index,
                commitment,
                party: party.as_str().to_owned(),
                type_id: type_id.to_owned(),
                kind: store_kind,
                reference,
                received_at: entry.received_at,
            },
            &who,
        )
        .await?;
    let (status, delay) = if matches!(kind, Kind::Ack(_)) {
        (None, None)
    } else {
        let recs = records(&state).await?;
        let report = notify::compliance(
            &loaded.history,
            &loaded.timeline,
            &loaded.bodies,
            &recs,
            notify::utc_year(entry.received_at),
            now,
            Viewer::All,
        );
        let (mut s, mut d) = status_of(&report, acked.index);
        if s.is_none() {
            // Annual notices and follow-ups may count in another year.
            for y in [-1, 1] {
                let other = notify::compliance(
                    &loaded.history,
                    &loaded.timeline,
                    &loaded.bodies,
                    &recs,
                    notify::utc_year(entry.received_at) + y,
                    now,
                    Viewer::All,
                );
                (s, d) = status_of(&other, acked.index);
                if s.is_some() {
                    break;
                }
            }
        }
        (s, d)
    };
    let mut out = Submitted {
        index: acked.index,
        leaf_hash: acked.leaf_hash.to_hex(),
        receipt: None,
        status,
        delay_seconds: delay,
    };
    if let Some(cp) = log
        .checkpoint_covering(acked.index, Duration::from_secs(10))
        .await
    {
        let r = log.receipt(acked.index, &cp).await.map_err(submit_error)?;
        out.receipt = Some(String::from_utf8_lossy(&r).into_owned());
    }
    Ok((StatusCode::CREATED, Json(out)))
}

fn view(n: &rsm_store::StoredNotification) -> NotificationView {
    NotificationView {
        index: n.index,
        party: n.party.clone(),
        type_id: n.type_id.clone(),
        kind: n.kind.as_str().into(),
        reference: n.reference,
        received_at: n.received_at.to_string(),
        commitment: n.commitment.clone(),
        content: serde_json::from_str(&n.content).unwrap_or(serde_json::Value::Null),
        content_text: n.content.clone(),
        salt: n.salt.clone(),
        restricted_to: n.restricted_to.clone(),
    }
}

/// The stored notifications `caller` may see (acknowledgements included), filtered.
pub async fn visible(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    filter: &NotificationFilter,
) -> Result<Vec<rsm_store::StoredNotification>, ApiError> {
    let (today, _) = state.today_and_timeline().await?;
    let all = state.store.notifications(filter).await?;
    let mut types = std::collections::BTreeMap::new();
    let every = state
        .store
        .notifications(&NotificationFilter::default())
        .await?;
    for n in &every {
        types.insert(n.index, (n.type_id.clone(), n.received_at));
    }
    Ok(all
        .into_iter()
        .filter(|n| {
            let (t, at) = match n.kind {
                rsm_store::EntryKind::Ack => n
                    .reference
                    .and_then(|r| types.get(&r).cloned())
                    .unwrap_or((n.type_id.clone(), n.received_at)),
                _ => (n.type_id.clone(), n.received_at),
            };
            let d = notify::distribution_of(&loaded.history, &t, at);
            notify::may_read(&caller.actor, &d, &loaded.bodies, today, &loaded.timeline).is_ok()
        })
        .collect())
}

fn year_filter(year: Option<i16>) -> Result<(Option<Timestamp>, Option<Timestamp>), ApiError> {
    let Some(y) = year else {
        return Ok((None, None));
    };
    let start = |y: i16| -> Result<Timestamp, ApiError> {
        jiff::civil::date(y, 1, 1)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|_| ApiError::invalid("year", "out of range"))
    };
    if !(1945..=2200).contains(&y) {
        return Err(ApiError::invalid("year", "must be between 1945 and 2200"));
    }
    Ok((Some(start(y)?), Some(start(y + 1)?)))
}

/// Notifications the caller may see (by UTC year received, party, type), oldest first.
/// Content of "all participating" types needs a party's or the secretariat's account;
/// restricted ones exist only for the body's members.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListQuery),
    responses((status = 200, body = [NotificationView]), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    let loaded = load(&state).await?;
    let (from, until) = year_filter(q.year)?;
    let filter = NotificationFilter {
        party: q
            .party
            .as_deref()
            .map(|p| parse_party_code("party", p).map(|p| p.as_str().to_owned()))
            .transpose()?,
        type_id: q.type_id,
        from,
        until,
        reference: None,
    };
    Ok(Json(
        visible(&state, &caller, &loaded, &filter)
            .await?
            .iter()
            .map(view)
            .collect(),
    ))
}

/// One notification: content, log receipt, acknowledgements and who has not acknowledged.
#[utoipa::path(get, path = "/api/v1/notifications/{index}", tag = "notifications",
    params(("index" = u64, Path, description = "log index")),
    responses((status = 200, body = NotificationDetail), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_notification(
    State(state): State<AppState>,
    caller: Caller,
    Path(index): Path<u64>,
) -> Result<Json<NotificationDetail>, ApiError> {
    Ok(Json(detail(&state, &caller, index).await?))
}

/// The detail of one notification as `caller` may see it.
pub async fn detail(
    state: &AppState,
    caller: &Caller,
    index: u64,
) -> Result<NotificationDetail, ApiError> {
    let loaded = load(state).await?;
    let n = state
        .store
        .notification(index)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (today, _) = state.today_and_timeline().await?;
    let type_for = if n.kind == rsm_store::EntryKind::Ack {
        match n.reference {
            Some(r) => state.store.notification(r).await?.map(|t| t.type_id),
            None => None,
        }
        .unwrap_or(n.type_id.clone())
    } else {
        n.type_id.clone()
    };
    let d = notify::distribution_of(&loaded.history, &type_for, n.received_at);
    match notify::may_read(&caller.actor, &d, &loaded.bodies, today, &loaded.timeline) {
        Ok(()) => {}
        Err(Hidden::Concealed) => return Err(ApiError::NotFound),
        Err(Hidden::SignIn) => {
            return Err(ApiError::SignInRequired(
                "sign in to see notifications distributed to the participating parties".into(),
            ));
        }
    }
    let entry = state
        .store
        .log_entry(index)
        .await?
        .ok_or(ApiError::NotFound)?;
    let receipt = match log(state)?.published().filter(|c| c.size > index) {
        Some(cp) => Some(
            String::from_utf8_lossy(
                &log(state)?
                    .receipt(index, &cp)
                    .await
                    .map_err(submit_error)?,
            )
            .into_owned(),
        ),
        None => None,
    };
    let acks: Vec<AckView> = state
        .store
        .notifications(&NotificationFilter {
            reference: Some(index),
            type_id: Some("ack".into()),
            ..Default::default()
        })
        .await?
        .iter()
        .map(|a| AckView {
            party: a.party.clone(),
            index: a.index,
            received_at: a.received_at.to_string(),
        })
        .collect();
    let recs = records(state).await?;
    let now = state.clock.now();
    let report = notify::compliance(
        &loaded.history,
        &loaded.timeline,
        &loaded.bodies,
        &recs,
        notify::utc_year(n.received_at),
        now,
        Viewer::All,
    );
    let id = index.to_string();
    let not_acknowledged = report
        .acknowledgements
        .iter()
        .find(|a| a.notification == id)
        .map(|a| a.missing.clone())
        .unwrap_or_default();
    let (mut status, mut delay) = status_of(&report, index);
    if status.is_none() {
        for y in [-1, 1] {
            let other = notify::compliance(
                &loaded.history,
                &loaded.timeline,
                &loaded.bodies,
                &recs,
                notify::utc_year(n.received_at) + y,
                now,
                Viewer::All,
            );
            (status, delay) = status_of(&other, index);
            if status.is_some() {
                break;
            }
        }
    }
    Ok(NotificationDetail {
        notification: view(&n),
        envelope: B64.encode(&entry.bytes),
        receipt,
        acknowledgements: acks,
        not_acknowledged,
        status,
        delay_seconds: delay,
    })
}

/// The compliance report for a year as the caller may see it.
pub async fn report(
    state: &AppState,
    caller: &Caller,
    q: &ComplianceQuery,
) -> Result<ComplianceReport, ApiError> {
    if !(1945..=2200).contains(&q.year) {
        return Err(ApiError::invalid("year", "must be between 1945 and 2200"));
    }
    let as_of = match &q.as_of {
        Some(s) => s
            .parse::<Timestamp>()
            .map_err(|_| ApiError::invalid("as_of", "must be an RFC 3339 instant"))?,
        None => state.clock.now(),
    };
    let party = q
        .party
        .as_deref()
        .map(|p| parse_party_code("party", p))
        .transpose()?;
    let loaded = load(state).await?;
    let recs = records(state).await?;
    let mut r = notify::compliance(
        &loaded.history,
        &loaded.timeline,
        &loaded.bodies,
        &recs,
        q.year,
        as_of,
        Viewer::of(&caller.actor),
    );
    if let Some(p) = party {
        r.rows.retain(|row| row.party == p.as_str());
        r.patterns.retain(|x| x.party == p.as_str());
        r.acknowledgements.retain(|x| x.party == p.as_str());
        r.consultations
            .retain(|x| x.from == p.as_str() || x.to == p.as_str());
    }
    Ok(r)
}

/// The compliance report for a year (JSON): obligations per party and type, patterns near
/// thresholds, consultations, acknowledgements, anomalies; computed when read.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "notifications", params(ComplianceQuery),
    responses((status = 200, body = Object, content_type = "application/json"),
        (status = 422, body = Problem)))]
pub async fn compliance_json(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> Result<Response, ApiError> {
    let r = report(&state, &caller, &q).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        rsm_regime::to_json(&r),
    )
        .into_response())
}

/// The compliance table for a year (CSV), byte-identical to `rsm compliance --mirror`.
#[utoipa::path(get, path = "/api/v1/compliance.csv", tag = "notifications",
    params(ComplianceQuery),
    responses((status = 200, body = String, content_type = "text/csv"),
        (status = 422, body = Problem)))]
pub async fn compliance_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> Result<Response, ApiError> {
    let r = report(&state, &caller, &q).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        rsm_regime::to_csv(&r),
    )
        .into_response())
}

/// This module's routes (merged into [`super::routes`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(get_regime))
        .routes(routes!(add_version))
        .routes(routes!(validate))
        .routes(routes!(prepare))
        .routes(routes!(list, submit))
        .routes(routes!(get_notification))
        .routes(routes!(compliance_json))
        .routes(routes!(compliance_csv))
}
