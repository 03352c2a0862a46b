//! `/api/v1/documents`: documents under unique symbols, their distribution, language
//! versions and issued content. The bytes of an issued version are stored once under their
//! SHA-256, and that digest is entered in the log (`document.issued`, data = the symbol).
//!
//! Who reads what: public documents of a visible body, everyone; limited, signed-in
//! accounts; restricted, the secretariat and delegates or auditors of member parties. A
//! document the caller may not read is "not found".

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rsm_core::{
    access::{Action, Actor, Role},
    body::{Body, BodyId},
    document::{Language, Symbol},
    participation::Timeline,
};
use rsm_store::{BodyStore, DeliberationStore, DistributionKind, StoreError, StoredDocument};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{input::ApiJson, meetings::visible_body};
use crate::{AppState, auth::Caller, error::ApiError};

/// One language version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub language: String,
    pub original: bool,
    /// `original`, `in-translation` or `issued`.
    pub status: String,
    pub sha256: Option<String>,
    pub issued_at: Option<String>,
    /// Where the digest sits in the notification log.
    pub log_index: Option<i64>,
    pub revision: i64,
}

/// A document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub symbol: String,
    pub body: String,
    pub title: String,
    /// `public`, `limited` or `restricted` (to its body).
    pub distribution: String,
    pub versions: Vec<VersionView>,
}

/// A new document (secretariat).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    /// e.g. `MC.INF/1/26`; must not be assigned yet.
    pub symbol: String,
    pub body: String,
    pub title: String,
    pub distribution: String,
    /// Language of the original: en, zh, ja, ko or ru.
    pub language: String,
}

/// Starts a translation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestTranslation {
    pub language: String,
}

/// Issues a language version with exactly this content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueVersion {
    pub language: String,
    pub expected_revision: i64,
    /// The issued text (UTF-8).
    pub content: String,
}

pub(crate) fn doc_view(d: &StoredDocument) -> DocumentView {
    DocumentView {
        id: d.id,
        symbol: d.symbol.to_string(),
        body: d.body.to_string(),
        title: d.title.clone(),
        distribution: d.distribution.as_str().into(),
        versions: d
            .versions
            .iter()
            .map(|v| VersionView {
                language: v.language.as_str().into(),
                original: v.original,
                status: v.status.clone(),
                sha256: v.digest.map(|d| d.to_string()),
                issued_at: v.issued_at.map(|t| t.to_string()),
                log_index: v.log_index,
                revision: v.revision,
            })
            .collect(),
    }
}

/// Whether `actor` may read `doc` of `body` (which it may see) today.
pub(crate) fn may_read(
    actor: &Actor,
    doc: &StoredDocument,
    body: &Body,
    today: jiff::civil::Date,
    timeline: &Timeline,
) -> bool {
    if rsm_core::access::decide(actor, Action::ReadBody(body), today, timeline).is_err() {
        return false;
    }
    match doc.distribution {
        DistributionKind::Public => true,
        DistributionKind::Limited => actor.role().is_some(),
        DistributionKind::Restricted => match actor.role() {
            Some(Role::SecretariatAdmin | Role::SecretariatOfficer) => true,
            Some(Role::Delegate(p) | Role::Auditor(p)) => {
                body.names_member(*p) || body.must_agree_on(today, timeline).contains(p)
            }
            Some(Role::WorkingGroupMember(_, b)) => *b == body.id,
            _ => false,
        },
    }
}

/// The documents `actor` may read.
pub(crate) async fn visible_documents(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<StoredDocument>, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies = state.store.bodies().await?;
    Ok(state
        .store
        .documents()
        .await?
        .into_iter()
        .filter(|d| {
            bodies
                .iter()
                .find(|b| b.id == d.body)
                .is_some_and(|b| may_read(actor, d, b, today, &timeline))
        })
        .collect())
}

pub(crate) async fn readable(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(StoredDocument, Body), ApiError> {
    let doc = state
        .store
        .documents()
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(ApiError::NotFound)?;
    let body = visible_body(state, caller, &doc.body).await?;
    let (today, timeline) = state.today_and_timeline().await?;
    if !may_read(&caller.actor, &doc, &body, today, &timeline) {
        return Err(ApiError::NotFound);
    }
    Ok((doc, body))
}

fn language(field: &str, s: &str) -> Result<Language, ApiError> {
    s.parse()
        .map_err(|e: rsm_core::document::DocumentError| ApiError::invalid(field, e.to_string()))
}

/// Documents the caller may read.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    responses((status = 200, body = Vec<DocumentView>)))]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    Ok(Json(
        visible_documents(&state, &caller.actor)
            .await?
            .iter()
            .map(doc_view)
            .collect(),
    ))
}

/// One document with its version history.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = DocumentView), (status = 404, body = crate::error::Problem)))]
pub async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DocumentView>, ApiError> {
    let (doc, _) = readable(&state, &caller, id).await?;
    Ok(Json(doc_view(&doc)))
}

/// Creates a document under a new symbol (secretariat); a used symbol is refused.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = CreateDocument,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = DocumentView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_document(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateDocument>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let body_id = BodyId::parse(&input.body).map_err(|_| ApiError::NotFound)?;
    let body = visible_body(&state, &caller, &body_id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let symbol = Symbol::parse(input.symbol.trim())
        .map_err(|e| ApiError::invalid("symbol", e.to_string()))?;
    let distribution = DistributionKind::parse(&input.distribution).ok_or_else(|| {
        ApiError::invalid("distribution", "must be public, limited or restricted")
    })?;
    let original = language("language", &input.language)?;
    if input.title.trim().is_empty() {
        return Err(ApiError::invalid(
            "title",
            "document title must not be empty",
        ));
    }
    let id = state
        .store
        .create_document(
            &symbol,
            &body.id,
            &input.title,
            distribution,
            original,
            &caller.attribution(state.clock.now()),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ApiError::invalid("symbol", format!("symbol {symbol} is already assigned"))
            }
            other => other.into(),
        })?;
    let (doc, _) = readable(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(doc_view(&doc))))
}

/// Starts a translation of a document (secretariat).
#[utoipa::path(post, path = "/api/v1/documents/{id}/translations", tag = "documents",
    params(("id" = i64, Path, description = "document id")), request_body = RequestTranslation,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DocumentView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn request_translation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RequestTranslation>,
) -> Result<Json<DocumentView>, ApiError> {
    let (doc, body) = readable(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let lang = language("language", &input.language)?;
    state
        .store
        .request_translation(&doc.symbol, lang, &caller.attribution(state.clock.now()))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::invalid(
                "language",
                format!("{} already has a {lang} version", doc.symbol),
            ),
            other => other.into(),
        })?;
    get_document(State(state), caller, Path(id)).await
}

/// Issues a language version (secretariat): its bytes are stored once under their SHA-256
/// and the digest is entered in the log.
#[utoipa::path(post, path = "/api/v1/documents/{id}/issue", tag = "documents",
    params(("id" = i64, Path, description = "document id")), request_body = IssueVersion,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DocumentView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn issue_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<IssueVersion>,
) -> Result<Json<DocumentView>, ApiError> {
    let (doc, body) = readable(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let lang = language("language", &input.language)?;
    let version = doc
        .versions
        .iter()
        .find(|v| v.language == lang)
        .ok_or_else(|| {
            ApiError::invalid("language", format!("{} has no {lang} version", doc.symbol))
        })?;
    if version.status == "issued" {
        return Err(ApiError::Conflict(format!(
            "the {lang} version of {} was issued and never changes; issue a revision under a new symbol",
            doc.symbol
        )));
    }
    if !version.original
        && !doc
            .versions
            .iter()
            .any(|v| v.original && v.status == "issued")
    {
        return Err(ApiError::invalid(
            "language",
            "a translation is issued after its original",
        ));
    }
    if input.content.trim().is_empty() {
        return Err(ApiError::invalid(
            "content",
            "an issued version has content",
        ));
    }
    let bytes = input.content.as_bytes();
    let who = caller.attribution(state.clock.now());
    state
        .store
        .issue_version(&doc.symbol, lang, input.expected_revision, bytes, &who)
        .await?;
    if let Some(log) = &state.log {
        let acked = log
            .append_secretariat(
                "document.issued",
                rsm_ledger::commit_public(bytes),
                doc.symbol.to_string().into_bytes(),
                None,
                who,
            )
            .await
            .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
        state
            .store
            .set_version_log_index(&doc.symbol, lang, acked.index as i64)
            .await?;
    }
    get_document(State(state), caller, Path(id)).await
}

/// The exact bytes of an issued version.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content/{language}", tag = "documents",
    params(("id" = i64, Path, description = "document id"), ("language" = String, Path, description = "en, zh, ja, ko or ru")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = crate::error::Problem)))]
pub async fn version_content(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, lang)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let (doc, _) = readable(&state, &caller, id).await?;
    let lang: Language = lang.parse().map_err(|_| ApiError::NotFound)?;
    let digest = doc
        .versions
        .iter()
        .find(|v| v.language == lang)
        .and_then(|v| v.digest)
        .ok_or(ApiError::NotFound)?;
    let bytes = state.store.blob(&digest).await?.ok_or(ApiError::NotFound)?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(resp)
}
