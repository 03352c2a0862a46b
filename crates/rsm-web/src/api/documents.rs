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
    document::{FollowUp, Language, Series, Symbol, SymbolPrefix, SymbolRegistry},
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

/// A new document (secretariat). Its symbol is either given (`symbol`), or assigned: the
/// next number of a `series`, or the next `/Rev.`, `/Add.` or `/Corr.` of the document it
/// `follows`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    /// An explicit symbol, e.g. `MC.INF/1/26`; must not be assigned yet.
    #[serde(default)]
    pub symbol: Option<String>,
    /// A series (`DEC`, `GAL`, `INF`, `JOUR`, …): the next free number of the series is
    /// assigned, e.g. `MC.DEC/3/26`.
    #[serde(default)]
    pub series: Option<String>,
    /// With `series`: the body's own prefix (`MC`, `WGS`, …; the default) or `SEC`, the
    /// secretariat's series (`SEC.GAL/12/26`).
    #[serde(default)]
    pub prefix: Option<String>,
    /// With `series`: numbered per calendar year (`/26`; the default) or not (`MC.JOUR/5`).
    #[serde(default)]
    pub yearly: Option<bool>,
    /// The symbol of a document this one follows (same body), with `follow_up`.
    #[serde(default)]
    pub follows: Option<String>,
    /// With `follows`: `rev` (a revision), `add` (an addendum) or `corr` (a corrigendum).
    #[serde(default)]
    pub follow_up: Option<String>,
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

/// How the symbol of a new document is chosen.
enum SymbolChoice {
    Given(Symbol),
    Next {
        prefix: SymbolPrefix,
        series: Series,
        year: Option<i16>,
    },
    FollowUp {
        of: Symbol,
        kind: FollowUp,
    },
}

impl SymbolChoice {
    /// The symbol under `registry` (every assigned symbol).
    fn symbol(&self, registry: &SymbolRegistry) -> Result<Symbol, ApiError> {
        match self {
            Self::Given(s) => Ok(s.clone()),
            Self::Next {
                prefix,
                series,
                year,
            } => Ok(registry.next(prefix, series, *year)),
            Self::FollowUp { of, kind } => registry
                .next_follow_up(of, *kind)
                .map_err(|e| ApiError::invalid("follows", e.to_string())),
        }
    }
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Which symbol `input` asks for, checked against what `caller` may read.
async fn symbol_choice(
    state: &AppState,
    caller: &Caller,
    body: &Body,
    input: &CreateDocument,
    today: jiff::civil::Date,
) -> Result<SymbolChoice, ApiError> {
    let (symbol, series, follows) = (
        blank(&input.symbol),
        blank(&input.series),
        blank(&input.follows),
    );
    if [symbol, series, follows].iter().flatten().count() > 1 {
        return Err(ApiError::invalid(
            "symbol",
            "give one of: a symbol, a series for the next number, or the document this one follows",
        ));
    }
    if let Some(s) = symbol {
        return Symbol::parse(s)
            .map(SymbolChoice::Given)
            .map_err(|e| ApiError::invalid("symbol", e.to_string()));
    }
    if let Some(series) = series {
        let series =
            Series::parse(series).map_err(|e| ApiError::invalid("series", e.to_string()))?;
        let own = super::meetings::body_prefix(body);
        let prefix = match blank(&input.prefix) {
            None => own,
            Some(p) if p == own.as_str() => own,
            Some("SEC") => SymbolPrefix::parse("SEC").expect("valid prefix"),
            Some(_) => {
                return Err(ApiError::invalid(
                    "prefix",
                    format!("must be the body's own prefix ({own}) or SEC"),
                ));
            }
        };
        let year = input.yearly.unwrap_or(true).then(|| today.year());
        return Ok(SymbolChoice::Next {
            prefix,
            series,
            year,
        });
    }
    if let Some(of) = follows {
        let of = Symbol::parse(of).map_err(|e| ApiError::invalid("follows", e.to_string()))?;
        let kind = blank(&input.follow_up)
            .and_then(FollowUp::parse)
            .ok_or_else(|| ApiError::invalid("follow_up", "must be rev, add or corr"))?;
        // The document followed must be one the caller may read: otherwise it is as
        // missing as a symbol never assigned.
        let followed = visible_documents(state, &caller.actor)
            .await?
            .into_iter()
            .find(|d| d.symbol == of)
            .ok_or_else(|| ApiError::NotFoundField {
                field: "follows".into(),
                rule: format!("no document has the symbol {of}"),
            })?;
        if followed.body != body.id {
            return Err(ApiError::invalid(
                "follows",
                format!(
                    "{of} is a document of {}: its revision, addendum or corrigendum belongs to that body",
                    followed.body
                ),
            ));
        }
        return Ok(SymbolChoice::FollowUp { of, kind });
    }
    Err(ApiError::invalid(
        "series",
        "give a series for the next number (or a symbol, or the document this one follows)",
    ))
}

/// Checks and stores a new document (shared by the API and the pages): the body must be
/// visible and managed by the caller; every field is checked before anything is stored; a
/// symbol already assigned is refused naming the field. Returns the id and the symbol.
pub(crate) async fn create_document_for(
    state: &AppState,
    caller: &Caller,
    input: &CreateDocument,
) -> Result<(i64, Symbol), ApiError> {
    let body_id = BodyId::parse(input.body.trim()).map_err(|_| ApiError::NotFound)?;
    let body = visible_body(state, caller, &body_id).await?;
    caller
        .require(state, Action::ManageDeliberation(&body))
        .await?;
    let (today, _) = state.today_and_timeline().await?;
    let choice = symbol_choice(state, caller, &body, input, today).await?;
    let distribution = DistributionKind::parse(input.distribution.trim()).ok_or_else(|| {
        ApiError::invalid("distribution", "must be public, limited or restricted")
    })?;
    let original = language("language", input.language.trim())?;
    if input.title.trim().is_empty() {
        return Err(ApiError::invalid(
            "title",
            "document title must not be empty",
        ));
    }
    let field = match choice {
        SymbolChoice::Given(_) => "symbol",
        SymbolChoice::Next { .. } => "series",
        SymbolChoice::FollowUp { .. } => "follows",
    };
    // An assigned number can be taken by a concurrent request between reading the registry
    // and the insert; the unique symbol refuses the second, which then takes the next one.
    for _ in 0..3 {
        let registry = SymbolRegistry::from_existing(
            state.store.documents().await?.into_iter().map(|d| d.symbol),
        )
        .map_err(|e| ApiError::internal(&e))?;
        let symbol = choice.symbol(&registry)?;
        if registry.contains(&symbol) {
            return Err(ApiError::invalid(
                field,
                format!("symbol {symbol} is already assigned"),
            ));
        }
        match state
            .store
            .create_document(
                &symbol,
                &body.id,
                input.title.trim(),
                distribution,
                original,
                &caller.attribution(state.clock.now()),
            )
            .await
        {
            Ok(id) => return Ok((id, symbol)),
            Err(StoreError::Conflict(_)) if !matches!(choice, SymbolChoice::Given(_)) => continue,
            Err(StoreError::Conflict(_)) => {
                return Err(ApiError::invalid(
                    field,
                    format!("symbol {symbol} is already assigned"),
                ));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::Conflict(
        "other documents took the next symbols of this series meanwhile: try again".into(),
    ))
}

/// Creates a document under a new symbol (secretariat): given, or the next of a series, or
/// the next revision, addendum or corrigendum of a document; a used symbol is refused.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = CreateDocument,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = DocumentView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_document(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateDocument>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let (id, _) = create_document_for(&state, &caller, &input).await?;
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
    request_translation_for(&state, &caller, id, &input.language).await?;
    get_document(State(state), caller, Path(id)).await
}

/// Starts the `language` version of document `id` (shared by the API and the pages).
pub(crate) async fn request_translation_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    language_code: &str,
) -> Result<(), ApiError> {
    let (doc, body) = readable(state, caller, id).await?;
    caller
        .require(state, Action::ManageDeliberation(&body))
        .await?;
    let lang = language("language", language_code.trim())?;
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
    Ok(())
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
    issue_version_for(
        &state,
        &caller,
        id,
        &input.language,
        input.expected_revision,
        input.content.as_bytes(),
    )
    .await?;
    get_document(State(state), caller, Path(id)).await
}

/// Issues the `language` version of document `id` with exactly `bytes` (shared by the API
/// and the pages): stored once under their SHA-256, which is entered in the log.
pub(crate) async fn issue_version_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    language_code: &str,
    expected_revision: i64,
    bytes: &[u8],
) -> Result<(), ApiError> {
    let (doc, body) = readable(state, caller, id).await?;
    caller
        .require(state, Action::ManageDeliberation(&body))
        .await?;
    let lang = language("language", language_code.trim())?;
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
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "content",
            "an issued version has content",
        ));
    }
    let who = caller.attribution(state.clock.now());
    state
        .store
        .issue_version(&doc.symbol, lang, expected_revision, bytes, &who)
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
    Ok(())
}

/// The exact bytes of an issued version.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content/{language}", tag = "documents",
    params(("id" = i64, Path, description = "document id"), ("language" = String, Path, description = "en, zh, ja, ko or ru")),
    responses((status = 200, content_type = "text/plain", body = String, description = "the issued bytes: text/plain when they are UTF-8 text, else application/octet-stream as an attachment"), (status = 404, body = crate::error::Problem)))]
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
    // A text is shown as text; any other file (a PDF uploaded from the pages) is offered as
    // a download under its symbol, never guessed at by the browser.
    let text = std::str::from_utf8(&bytes).is_ok();
    let mut resp = bytes.into_response();
    let headers = resp.headers_mut();
    if text {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    } else {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let name = format!("{}.{lang}", doc.symbol.to_string().replace('/', "_"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(resp)
}
