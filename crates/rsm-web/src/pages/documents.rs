//! `/documents`: the documents a reader may see, filtered by body, series, language and
//! status and searched with the API's search (which never returns what the reader may not
//! see); `/documents/new`, the secretariat's form that assigns a symbol (the next number of
//! a series, or the next `/Rev.`, `/Add.`, `/Corr.` of a document); `/documents/{id}`, one
//! document as its readers see it — symbol, distribution, each language version with its
//! status, the forms to request a translation and to issue a version (an uploaded file,
//! whose SHA-256 is entered in the log) — and its visible history: every document of the
//! same base symbol (the original, `/Rev.n`, `/Corr.n`, `/Add.n`) that the reader may
//! read, with the SHA-256 of each issued version and where it was entered in the log.
//!
//! Rules and authorization are the API's (`api::documents::*_for`), called as they are; a
//! document of a restricted body is the same 404 page as a missing one, and is not counted
//! in the list.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use rsm_core::{
    access::{Action, visible_bodies},
    document::{FollowUp, Language, Symbol},
};
use rsm_store::{BodyStore, StoredDocument};
use serde::Deserialize;

use super::{Ctx, FieldErrors, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::documents::{self, CreateDocument, DocumentView},
    auth::{Via, constant_time_eq},
    error::ApiError,
};

/// The largest file a version may be issued from.
pub const ISSUE_UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

/// The document pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/new", get(new_form))
        .route("/documents/symbol/{*symbol}", get(by_symbol))
        .route("/documents/{id}", get(detail))
        .route("/documents/{id}/translations", post(request_translation))
        .route(
            "/documents/{id}/issue",
            post(issue).layer(DefaultBodyLimit::max(ISSUE_UPLOAD_LIMIT)),
        )
}

/// The series offered in the form (others may be typed).
const SERIES: [&str; 6] = ["DEC", "GAL", "INF", "JOUR", "REP", "PC"];

/// The list's filters, as sent in the address.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    /// 1-based page of the list; the first when empty.
    #[serde(default)]
    pub page: String,
}

/// Rows on one page of the list.
pub const PAGE_SIZE: usize = 50;

/// The list's place among its pages, with the addresses of the neighbouring pages.
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The page `f.page` asks for (a whole number from 1; past the end, the last page) of
    /// `total` rows; the neighbours keep the filters.
    fn new(f: &ListQuery, total: usize) -> Result<Pager, ApiError> {
        let asked = match f.page.trim() {
            "" => 1,
            p => p
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| ApiError::invalid("page", "must be a whole number from 1"))?,
        };
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = asked.min(pages);
        let address = |n: usize| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("q", &f.q),
                ("body", &f.body),
                ("series", &f.series),
                ("language", &f.language),
                ("status", &f.status),
            ] {
                if !v.is_empty() {
                    q.append_pair(k, v);
                }
            }
            q.append_pair("page", &n.to_string());
            format!("/documents?{}", q.finish())
        };
        Ok(Pager {
            page,
            pages,
            previous: (page > 1).then(|| address(page - 1)),
            next: (page < pages).then(|| address(page + 1)),
        })
    }
}

/// One row of the list.
pub struct Row {
    pub id: i64,
    pub symbol: String,
    pub title: String,
    pub body: String,
    pub series: String,
    pub distribution: String,
    /// (language, status, original) in language order.
    pub versions: Vec<(String, String, bool)>,
    /// The newest readable document of the same base symbol, when it is another one.
    pub latest: Option<(i64, String)>,
    /// The last issue of a version, or the creation, as a date in the reader's zone.
    pub date: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<Row>,
    /// Documents that pass the filters, on every page.
    total: usize,
    pager: Pager,
    bodies: Vec<(String, String)>,
    series: Vec<String>,
    languages: Vec<&'static str>,
    statuses: [&'static str; 3],
    f: ListQuery,
    /// The search's refusal (e.g. a query too long), shown by the box.
    q_error: Option<String>,
    may_create: bool,
}

fn local_date(ctx: &Ctx, t: jiff::Timestamp) -> String {
    t.to_zoned(ctx.tz.clone()).date().to_string()
}

fn row(ctx: &Ctx, d: &StoredDocument, all: &[StoredDocument]) -> Row {
    let latest = all
        .iter()
        .filter(|o| o.symbol.base() == d.symbol.base())
        .max_by_key(|o| (o.symbol.suffixes(), o.id))
        .filter(|o| o.id != d.id)
        .map(|o| (o.id, o.symbol.to_string()));
    let last = d
        .versions
        .iter()
        .filter_map(|v| v.issued_at)
        .max()
        .unwrap_or(d.created_at);
    Row {
        id: d.id,
        symbol: d.symbol.to_string(),
        title: d.title.clone(),
        body: d.body.to_string(),
        series: d.symbol.series().to_string(),
        distribution: d.distribution.as_str().into(),
        versions: d
            .versions
            .iter()
            .map(|v| (v.language.as_str().into(), v.status.clone(), v.original))
            .collect(),
        latest,
        date: local_date(ctx, last),
    }
}

fn passes(d: &StoredDocument, f: &ListQuery) -> bool {
    let (lang, status) = (f.language.as_str(), f.status.as_str());
    (f.body.is_empty() || d.body.as_str() == f.body)
        && (f.series.is_empty() || d.symbol.series().as_str() == f.series)
        && (lang.is_empty() && status.is_empty()
            || d.versions.iter().any(|v| {
                (lang.is_empty() || v.language.as_str() == lang)
                    && (status.is_empty() || v.status == status)
            }))
}

async fn list_page(state: &AppState, page: &Page, f: ListQuery) -> Result<Response, ApiError> {
    let readable = documents::visible_documents(state, &page.caller.actor).await?;
    let mut q_error = None;
    let found: Option<BTreeSet<String>> = if f.q.trim().is_empty() {
        None
    } else {
        match crate::api::search::hits(state, &page.caller.actor, &f.q).await {
            Ok(hits) => Some(
                hits.into_iter()
                    .filter(|h| h.kind == "document")
                    .map(|h| h.id)
                    .collect(),
            ),
            Err(ApiError::Invalid { rule, .. }) => {
                q_error = Some(super::translate_rule(&page.ctx, &rule));
                Some(BTreeSet::new())
            }
            Err(e) => return Err(e),
        }
    };
    let mut shown: Vec<&StoredDocument> = readable
        .iter()
        .filter(|d| passes(d, &f))
        .filter(|d| {
            found
                .as_ref()
                .is_none_or(|ids| ids.contains(&d.id.to_string()))
        })
        .collect();
    shown.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.symbol.cmp(&b.symbol))
    });
    let pager = Pager::new(&f, shown.len())?;
    let rows = shown
        .iter()
        .skip((pager.page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|d| row(&page.ctx, d, &readable))
        .collect();
    // The filters offer only what the reader may see.
    let (today, timeline) = state.today_and_timeline().await?;
    let all_bodies = state.store.bodies().await?;
    let visible = visible_bodies(&page.caller.actor, &all_bodies, today, &timeline);
    let mut may_create = false;
    for b in &visible {
        if page
            .caller
            .require(state, Action::ManageDeliberation(b))
            .await
            .is_ok()
        {
            may_create = true;
            break;
        }
    }
    let bodies = visible
        .iter()
        .map(|b| (b.id.to_string(), b.name.clone()))
        .collect();
    let series: BTreeSet<String> = readable
        .iter()
        .map(|d| d.symbol.series().to_string())
        .collect();
    let status = if q_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render_status(
        status,
        &ListPage {
            ctx: &page.ctx,
            rows,
            total: shown.len(),
            pager,
            bodies,
            series: series.into_iter().collect(),
            languages: Language::ALL.iter().map(|l| l.as_str()).collect(),
            statuses: ["original", "in-translation", "issued"],
            f,
            q_error,
            may_create,
        },
    )
}

/// `GET /documents`.
pub async fn list(State(state): State<AppState>, page: Page, q: Query<ListQuery>) -> Response {
    let r = list_page(&state, &page, q.0).await;
    page.finish(r)
}

/// `GET /documents/symbol/{symbol}`: the document under a symbol (agenda and journal links).
pub async fn by_symbol(
    State(state): State<AppState>,
    page: Page,
    Path(symbol): Path<String>,
) -> Response {
    let r = async {
        let symbol = Symbol::parse(&symbol).map_err(|_| ApiError::NotFound)?;
        let doc = documents::visible_documents(&state, &page.caller.actor)
            .await?
            .into_iter()
            .find(|d| d.symbol == symbol)
            .ok_or(ApiError::NotFound)?;
        Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response())
    }
    .await;
    page.finish(r)
}

/// The new-document form's values, kept when it is refused.
#[derive(Debug, Default)]
pub struct NewForm {
    pub body: String,
    /// `series` (the next number) or `follows` (a revision, addendum or corrigendum).
    pub assign: String,
    pub series: String,
    pub prefix: String,
    /// `yearly` or `continuous`.
    pub numbering: String,
    pub follows: String,
    pub follow_up: String,
    pub distribution: String,
    pub language: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "document_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    form: NewForm,
    errors: FieldErrors,
    /// (id, name, own prefix) of the bodies whose business the caller manages.
    bodies: Vec<(String, String, String)>,
    series: [&'static str; 6],
    /// Symbols of readable documents, to follow.
    symbols: Vec<String>,
    follow_ups: [&'static str; 3],
    languages: Vec<&'static str>,
}

async fn new_page(
    state: &AppState,
    page: &Page,
    form: NewForm,
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let all_bodies = state.store.bodies().await?;
    let mut bodies = Vec::new();
    for b in visible_bodies(&page.caller.actor, &all_bodies, today, &timeline) {
        if page
            .caller
            .require(state, Action::ManageDeliberation(b))
            .await
            .is_ok()
        {
            bodies.push((
                b.id.to_string(),
                b.name.clone(),
                crate::api::meetings::body_prefix(b).to_string(),
            ));
        }
    }
    if bodies.is_empty() {
        // Only those who manage some body's business create documents; the signed-out are
        // asked to sign in first.
        page.caller.require(state, Action::ManageOwnAccount).await?;
        return Err(ApiError::Forbidden(
            "only the secretariat creates documents".into(),
        ));
    }
    let mut symbols: Vec<String> = documents::visible_documents(state, &page.caller.actor)
        .await?
        .iter()
        .map(|d| d.symbol.to_string())
        .collect();
    symbols.sort();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render_status(
        status,
        &NewPage {
            ctx: &page.ctx,
            form,
            errors,
            bodies,
            series: SERIES,
            symbols,
            follow_ups: FollowUp::ALL.map(FollowUp::as_str),
            languages: Language::ALL.iter().map(|l| l.as_str()).collect(),
        },
    )
}

/// `GET /documents/new` (secretariat).
pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    let form = NewForm {
        assign: "series".into(),
        numbering: "yearly".into(),
        distribution: "public".into(),
        language: "en".into(),
        follow_up: "rev".into(),
        ..NewForm::default()
    };
    let r = new_page(&state, &page, form, FieldErrors::default()).await;
    page.finish(r)
}

/// The fields of the new-document form that errors are shown next to.
const NEW_FIELDS: [&str; 9] = [
    "body",
    "series",
    "prefix",
    "follows",
    "follow_up",
    "distribution",
    "language",
    "title",
    "symbol",
];

/// `POST /documents`: creates a document under an assigned symbol (secretariat).
pub async fn create(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let values = NewForm {
        body: form.get("body"),
        assign: form.get("assign"),
        series: form.get("series").trim().to_uppercase(),
        prefix: form.get("prefix"),
        numbering: form.get("numbering"),
        follows: form.get("follows").trim().to_owned(),
        follow_up: form.get("follow_up"),
        distribution: form.get("distribution"),
        language: form.get("language"),
        title: form.get("title"),
    };
    let follows = values.assign == "follows";
    let input = CreateDocument {
        symbol: None,
        series: (!follows).then(|| values.series.clone()),
        prefix: (!follows).then(|| values.prefix.clone()),
        yearly: (!follows).then_some(values.numbering != "continuous"),
        follows: follows.then(|| values.follows.clone()),
        follow_up: follows.then(|| values.follow_up.clone()),
        body: values.body.clone(),
        title: values.title.clone(),
        distribution: values.distribution.clone(),
        language: values.language.clone(),
    };
    let r = match documents::create_document_for(&state, &page.caller, &input).await {
        Ok((id, _)) => Ok(redirect_with_flash(
            &format!("/documents/{id}"),
            "flash-saved",
        )),
        Err(e) => match FieldErrors::from_error(&page.ctx, e, &NEW_FIELDS) {
            Ok(errors) => new_page(&state, page, values, errors).await,
            Err(e) => Err(e),
        },
    };
    page.finish(r)
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    ctx: &'a Ctx,
    d: DocumentView,
    /// The chain of the same base symbol, in symbol order (this document included).
    history: Vec<DocumentView>,
    /// The secretariat's forms are shown.
    may_manage: bool,
    /// Languages without a version yet (for the translation form).
    missing: Vec<&'static str>,
    /// The original is issued (translations may be issued).
    original_issued: bool,
    error: Option<String>,
}

async fn document_page(
    state: &AppState,
    page: &Page,
    id: i64,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let (doc, body) = documents::readable(state, &page.caller, id).await?;
    let base = doc.symbol.base();
    let mut chain: Vec<_> = documents::visible_documents(state, &page.caller.actor)
        .await?
        .into_iter()
        .filter(|d| d.symbol.base() == base)
        .collect();
    chain.sort_by_key(|d| d.symbol.to_string());
    let may_manage = page
        .caller
        .require(state, Action::ManageDeliberation(&body))
        .await
        .is_ok();
    let have: BTreeSet<Language> = doc.versions.iter().map(|v| v.language).collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.render_status(
        status,
        &DocumentPage {
            ctx: &page.ctx,
            original_issued: doc
                .versions
                .iter()
                .any(|v| v.original && v.status == "issued"),
            missing: Language::ALL
                .into_iter()
                .filter(|l| !have.contains(l))
                .map(Language::as_str)
                .collect(),
            d: documents::doc_view(&doc),
            history: chain.iter().map(documents::doc_view).collect(),
            may_manage,
            error,
        },
    )
}

/// `GET /documents/{id}`.
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = document_page(&state, &page, id, None).await;
    page.finish(r)
}

/// An error of a form on the document page as a message above it; `None` for errors that
/// get the error page (not found, forbidden…).
fn form_error(ctx: &Ctx, e: &ApiError) -> Option<String> {
    match e {
        ApiError::Invalid { field, rule } => Some(format!(
            "{}: {}",
            ctx.t(&format!("docs-field-{field}")),
            super::translate_rule(ctx, rule)
        )),
        ApiError::Conflict(_) => Some(ctx.t("form-conflict")),
        _ => None,
    }
}

async fn after_form(
    state: &AppState,
    page: &Page,
    id: i64,
    result: Result<(), ApiError>,
    flash: &str,
) -> Response {
    match result {
        Ok(()) => redirect_with_flash(&format!("/documents/{id}"), flash),
        Err(e) => match form_error(&page.ctx, &e) {
            Some(message) => {
                let status = if matches!(e, ApiError::Conflict(_)) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let r = document_page(state, page, id, Some(message))
                    .await
                    .map(|mut r| {
                        *r.status_mut() = status;
                        r
                    });
                page.finish(r)
            }
            None => page.error_page(e),
        },
    }
}

/// `POST /documents/{id}/translations` (secretariat): starts a language version.
pub async fn request_translation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let result =
        documents::request_translation_for(&state, &page.caller, id, &form.get("language")).await;
    after_form(&state, page, id, result, "flash-saved").await
}

/// `POST /documents/{id}/issue` (secretariat; multipart: csrf, language, revision, file):
/// issues a version with the uploaded file's exact bytes.
pub async fn issue(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let mut fields = BTreeMap::new();
    let mut file: Vec<u8> = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return page.error_page(ApiError::Malformed(format!(
                    "the upload is not a form: {e}"
                )));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let read = field.bytes().await;
        match read {
            Ok(bytes) if name == "file" => file = bytes.to_vec(),
            Ok(bytes) => {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
            Err(_) => return page.error_page(ApiError::TooLarge),
        }
    }
    if let Via::Session { csrf, .. } = &page.caller.via {
        let sent = fields.get("csrf").map(String::as_str).unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
            return page.error_page(ApiError::Forbidden("csrf".into()));
        }
    }
    let language = fields.get("language").cloned().unwrap_or_default();
    let result = match fields.get("revision").and_then(|r| r.trim().parse().ok()) {
        Some(revision) => {
            documents::issue_version_for(&state, &page.caller, id, &language, revision, &file).await
        }
        None => Err(ApiError::Malformed("revision".into())),
    };
    after_form(&state, &page, id, result, "flash-saved").await
}
