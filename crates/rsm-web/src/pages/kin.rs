//! `/kin`: the separated-family tracing registry of a focal point — counts, requests and
//! persons (`/kin`), list upload with bad rows named (`/kin/import`), match runs (`/kin/runs`),
//! the review queue with each candidate's explanation, decisions and replies
//! (`/kin/review`), and the export to the other side (`POST /kin/export`). The same
//! workflow functions as the API (`api::kin`), so the same policy and audit apply; to anyone
//! but the registry's focal points every one of these pages is "not found".

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use rsm_store::{CandidateFilter, KinKind, KinStore};
use serde::Deserialize;
use serde_json::Value;

use super::{Ctx, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::kin::{
        self as flow, CandidateView, ImportError, IssueView, RegistryView, Upload, candidate_view,
        parse_upload_fields,
    },
    auth::{Via, constant_time_eq},
    error::ApiError,
};

/// Largest upload accepted (a list of some hundred thousand rows).
pub const KIN_UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// Most records listed on the registry page (the counts give the totals).
const LIST_LIMIT: usize = 200;

/// The kin pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kin", get(registry))
        .route(
            "/kin/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(KIN_UPLOAD_LIMIT)),
        )
        .route("/kin/register", post(register))
        .route("/kin/runs", get(runs).post(start_run))
        .route("/kin/review", get(review))
        .route("/kin/review/{id}/decision", post(decide))
        .route("/kin/review/{id}/reply", post(reply))
        .route("/kin/export", post(export))
}

/// A record as a list of (label, value) pairs in column order.
pub struct RecordRow {
    pub id: String,
    pub cells: Vec<String>,
}

const REQUEST_SHOWN: [&str; 8] = [
    "request_id",
    "applicant_name",
    "sought_name",
    "sought_sex",
    "sought_birth_year",
    "relationship",
    "hometown_province",
    "hometown_county",
];
const PERSON_SHOWN: [&str; 8] = [
    "person_id",
    "name",
    "sex",
    "birth_date",
    "calendar",
    "father_name",
    "birthplace_province",
    "birthplace_county",
];

fn cell(fields: &Value, col: &str) -> String {
    fields
        .get(col)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn rows_of(records: &[rsm_store::KinRecord], cols: &[&str]) -> Vec<RecordRow> {
    records
        .iter()
        .take(LIST_LIMIT)
        .map(|r| {
            let f: Value = serde_json::from_str(&r.fields).unwrap_or(Value::Null);
            RecordRow {
                id: r.record_id.clone(),
                cells: cols[1..].iter().map(|c| cell(&f, c)).collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "kin.html")]
struct RegistryPage<'a> {
    ctx: &'a Ctx,
    view: RegistryView,
    request_cols: Vec<String>,
    person_cols: Vec<String>,
    requests: Vec<RecordRow>,
    persons: Vec<RecordRow>,
    list_limit: usize,
}

fn col_labels(ctx: &Ctx, cols: &[&str]) -> Vec<String> {
    cols.iter()
        .map(|c| ctx.t(&format!("kin-col-{}", c.replace('_', "-"))))
        .collect()
}

/// `GET /kin`.
pub async fn registry(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        let view = flow::overview(&state, &page.caller).await?;
        let who = page.caller.attribution(state.clock.now());
        let requests = state
            .store
            .kin_records(&view.party, KinKind::Request, &who)
            .await?;
        let persons = state
            .store
            .kin_records(&view.party, KinKind::Person, &who)
            .await?;
        page.render(&RegistryPage {
            ctx: &page.ctx,
            request_cols: col_labels(&page.ctx, &REQUEST_SHOWN),
            person_cols: col_labels(&page.ctx, &PERSON_SHOWN),
            requests: rows_of(&requests, &REQUEST_SHOWN),
            persons: rows_of(&persons, &PERSON_SHOWN),
            list_limit: LIST_LIMIT,
            view,
        })
    }
    .await;
    page.finish(r)
}

#[derive(Template)]
#[template(path = "kin_import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    own_kind: String,
    exchange_closed: Option<String>,
    /// The outcome of a post: (stored, rows read, rows kept, bad rows, notes).
    outcome: Option<ImportOutcome>,
    error: Option<String>,
    kind: String,
    format: String,
    policy: String,
    /// The own kind's columns for the registration form: (name, label, value).
    register_fields: Vec<(String, String, String)>,
}

fn register_fields(
    ctx: &Ctx,
    kind: KinKind,
    values: &dyn Fn(&str) -> String,
) -> Vec<(String, String, String)> {
    let list = match kind {
        KinKind::Request => rsm_kin::registry::ListKind::Requests,
        KinKind::Person => rsm_kin::registry::ListKind::Persons,
    };
    list.columns()
        .iter()
        .map(|c| {
            (
                c.to_string(),
                ctx.t(&format!("kin-col-{}", c.replace('_', "-"))),
                values(c),
            )
        })
        .collect()
}

struct ImportOutcome {
    stored: bool,
    rows_read: usize,
    rows_kept: usize,
    bad: Vec<IssueView>,
    notes: Vec<IssueView>,
}

/// `GET /kin/import`.
pub async fn import_form(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        let party = flow::registry_party(&state, &page.caller).await?;
        let closed = flow::exchange_closed(&state, &page.caller, party).await?;
        let own = flow::own_kind(party).as_str().to_owned();
        page.render(&ImportPage {
            ctx: &page.ctx,
            register_fields: register_fields(&page.ctx, flow::own_kind(party), &|_| String::new()),
            kind: own.clone(),
            own_kind: own,
            exchange_closed: closed,
            outcome: None,
            error: None,
            format: "csv".into(),
            policy: "refuse".into(),
        })
    }
    .await;
    page.finish(r)
}

/// `POST /kin/import` (multipart: csrf, kind, format, policy, file).
pub async fn import(State(state): State<AppState>, page: Page, mut form: Multipart) -> Response {
    let r = async {
        let party = flow::registry_party(&state, &page.caller).await?;
        let mut fields = std::collections::HashMap::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::Malformed(format!("the upload is not a form: {e}")))?
        {
            let name = field.name().unwrap_or("").to_owned();
            if name == "file" {
                let filename = field.file_name().unwrap_or("").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::Malformed(format!("the file could not be read: {e}")))?;
                file = Some((filename, bytes.to_vec()));
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::Malformed(e.to_string()))?;
                fields.insert(name, text);
            }
        }
        if let Via::Session { csrf, .. } = &page.caller.via {
            let sent = fields.get("csrf").map(String::as_str).unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
                return Err(ApiError::Forbidden("csrf".into()));
            }
        }
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let (kind_s, format_s, policy_s) = (get("kind"), get("format"), get("policy"));
        let closed = flow::exchange_closed(&state, &page.caller, party).await?;
        let own = flow::own_kind(party).as_str().to_owned();
        let render = |status: StatusCode, outcome: Option<ImportOutcome>, error: Option<String>| {
            page.render_status(
                status,
                &ImportPage {
                    ctx: &page.ctx,
                    register_fields: register_fields(&page.ctx, flow::own_kind(party), &|_| {
                        String::new()
                    }),
                    own_kind: own.clone(),
                    exchange_closed: closed.clone(),
                    outcome,
                    error,
                    kind: kind_s.clone(),
                    format: format_s.clone(),
                    policy: policy_s.clone(),
                },
            )
        };
        let (kind, format, refuse) = match parse_upload_fields(&kind_s, &format_s, &policy_s) {
            Ok(x) => x,
            Err(e) => return render(StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())),
        };
        let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(page.ctx.t("kin-import-no-file")),
            );
        };
        match flow::import(
            &state,
            &page.caller,
            Upload {
                kind,
                format,
                refuse,
                filename,
                bytes,
            },
        )
        .await
        {
            Ok((_, u)) => render(
                StatusCode::OK,
                Some(ImportOutcome {
                    stored: true,
                    rows_read: u.rows_read,
                    rows_kept: u.kept.len(),
                    bad: u
                        .bad
                        .iter()
                        .map(|i| IssueView {
                            line: i.line,
                            reason: i.reason.clone(),
                        })
                        .collect(),
                    notes: u
                        .notes
                        .iter()
                        .map(|i| IssueView {
                            line: i.line,
                            reason: i.reason.clone(),
                        })
                        .collect(),
                }),
                None,
            ),
            Err(ImportError::Rows(rows)) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(ImportOutcome {
                    stored: false,
                    rows_read: 0,
                    rows_kept: 0,
                    bad: rows
                        .iter()
                        .map(|i| IssueView {
                            line: i.line,
                            reason: i.reason.clone(),
                        })
                        .collect(),
                    notes: Vec::new(),
                }),
                None,
            ),
            Err(ImportError::Api(ApiError::Invalid { rule, .. })) => {
                render(StatusCode::UNPROCESSABLE_ENTITY, None, Some(rule))
            }
            Err(ImportError::Api(ApiError::Forbidden(reason))) => {
                render(StatusCode::FORBIDDEN, None, Some(reason))
            }
            Err(ImportError::Api(ApiError::Conflict(m))) => {
                render(StatusCode::CONFLICT, None, Some(m))
            }
            Err(ImportError::Api(e)) => Err(e),
        }
    }
    .await;
    page.finish(r)
}

/// `POST /kin/register`: one record of the society's own kind, from the form.
pub async fn register(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        let party = flow::registry_party(&state, &page.caller).await?;
        let kind = flow::own_kind(party);
        let fields = register_fields(&page.ctx, kind, &|c| form.get(c).trim().to_owned());
        let map: serde_json::Map<String, Value> = fields
            .iter()
            .filter(|(_, _, v)| !v.is_empty())
            .map(|(k, _, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let error = match flow::register(&state, &page.caller, kind, map).await {
            Ok(_) => return Ok(redirect_with_flash("/kin", "flash-kin-registered")),
            Err(ImportError::Rows(rows)) => rows
                .iter()
                .map(|r| r.reason.clone())
                .collect::<Vec<_>>()
                .join("; "),
            Err(ImportError::Api(ApiError::Invalid { rule, .. })) => rule,
            Err(ImportError::Api(e)) => return Err(e),
        };
        let closed = flow::exchange_closed(&state, &page.caller, party).await?;
        page.render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                ctx: &page.ctx,
                own_kind: kind.as_str().into(),
                exchange_closed: closed,
                outcome: None,
                error: Some(error),
                kind: kind.as_str().into(),
                format: "csv".into(),
                policy: "refuse".into(),
                register_fields: fields,
            },
        )
    }
    .await;
    page.finish(r)
}

#[derive(Template)]
#[template(path = "kin_runs.html")]
struct RunsPage<'a> {
    ctx: &'a Ctx,
    runs: Vec<flow::RunView>,
    running: bool,
    requests: i64,
    persons: i64,
    error: Option<String>,
}

async fn runs_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let party = flow::registry_party(state, &page.caller).await?;
    let counts = state.store.kin_counts(party.as_str()).await?;
    let runs: Vec<flow::RunView> = state
        .store
        .kin_runs(party.as_str())
        .await?
        .into_iter()
        .map(flow::run_view)
        .collect();
    page.render_status(
        status,
        &RunsPage {
            ctx: &page.ctx,
            running: runs.iter().any(|r| r.state == "running"),
            runs,
            requests: counts.requests,
            persons: counts.persons,
            error,
        },
    )
}

/// `GET /kin/runs`.
pub async fn runs(State(state): State<AppState>, page: Page) -> Response {
    let r = runs_page(&state, &page, StatusCode::OK, None).await;
    page.finish(r)
}

/// `POST /kin/runs`: starts a run (the page shows its state).
pub async fn start_run(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        match flow::start_run(&state, &page.caller, false).await {
            Ok(_) => Ok(redirect_with_flash("/kin/runs", "flash-kin-run-started")),
            Err(ApiError::Invalid { rule, .. }) => {
                runs_page(&state, page, StatusCode::UNPROCESSABLE_ENTITY, Some(rule)).await
            }
            Err(ApiError::Conflict(m)) => {
                runs_page(&state, page, StatusCode::CONFLICT, Some(m)).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    page.finish(r)
}

/// One evidence row as shown.
pub struct EvidenceRow {
    pub field: String,
    pub text: String,
    pub weight: String,
    pub sign: &'static str,
}

/// A candidate as the review page shows it.
pub struct CandidateCard {
    pub c: CandidateView,
    pub score_pct: String,
    pub status_label: String,
    pub request: Vec<(String, String)>,
    pub person: Vec<(String, String)>,
    pub evidence: Vec<EvidenceRow>,
    pub total: String,
}

fn pairs(ctx: &Ctx, v: &Value, cols: &[&str]) -> Vec<(String, String)> {
    cols.iter()
        .map(|c| {
            (
                ctx.t(&format!("kin-col-{}", c.replace('_', "-"))),
                cell(v, c),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

const REQUEST_REVIEW: [&str; 14] = [
    "request_id",
    "applicant_name",
    "applicant_birth_date",
    "applicant_country",
    "relationship",
    "sought_name",
    "sought_sex",
    "sought_birth_year",
    "sought_father_name",
    "hometown_province",
    "hometown_county",
    "hometown_township",
    "hometown_village",
    "registration_date",
];
const PERSON_REVIEW: [&str; 11] = [
    "person_id",
    "name",
    "sex",
    "birth_date",
    "calendar",
    "father_name",
    "birthplace_province",
    "birthplace_county",
    "birthplace_village",
    "residence_province",
    "relatives_in_south",
];

fn card(ctx: &Ctx, c: CandidateView) -> CandidateCard {
    let evidence = c
        .explanation
        .evidence
        .iter()
        .filter(|e| e.weight.abs() >= 0.05 || e.level != 0)
        .map(|e| EvidenceRow {
            field: {
                let key = format!("kin-field-{}", e.field.replace('_', "-"));
                if super::i18n::Lang::EN.has(&key) {
                    ctx.t(&key)
                } else {
                    e.field.clone()
                }
            },
            text: e.text.clone(),
            weight: format!("{:+.1}", e.weight),
            sign: if e.weight > 0.05 {
                "for"
            } else if e.weight < -0.05 {
                "against"
            } else {
                "neutral"
            },
        })
        .collect();
    CandidateCard {
        score_pct: format!("{:.0} %", c.score * 100.0),
        status_label: ctx.t(&format!("kin-status-{}", c.status)),
        request: pairs(ctx, &c.request, &REQUEST_REVIEW),
        person: pairs(ctx, &c.person, &PERSON_REVIEW),
        total: format!("{:+.1}", c.explanation.total),
        evidence,
        c,
    }
}

#[derive(Template)]
#[template(path = "kin_review.html")]
struct ReviewPage<'a> {
    ctx: &'a Ctx,
    cards: Vec<CandidateCard>,
    all: bool,
    shown: String,
}

/// Candidates shown on one review page (best first).
const REVIEW_PAGE: usize = 10;

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    pub filter: Option<String>,
}

/// `GET /kin/review[?filter=all]`.
pub async fn review(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ReviewQuery>,
) -> Response {
    let r = async {
        let party = flow::registry_party(&state, &page.caller).await?;
        let all = q.filter.as_deref() == Some("all");
        let who = page.caller.attribution(state.clock.now());
        let list = state
            .store
            .kin_candidates(
                party.as_str(),
                if all {
                    CandidateFilter::All
                } else {
                    CandidateFilter::Queue
                },
                &who,
            )
            .await?;
        page.render(&ReviewPage {
            ctx: &page.ctx,
            cards: list
                .iter()
                .take(REVIEW_PAGE)
                .map(|c| card(&page.ctx, candidate_view(c)))
                .collect(),
            all,
            shown: page.ctx.lang.t_args(
                "kin-review-shown",
                &[
                    ("shown", &list.len().min(REVIEW_PAGE).to_string()),
                    ("total", &list.len().to_string()),
                ],
            ),
        })
    }
    .await;
    page.finish(r)
}

/// `POST /kin/review/{id}/decision` (decision, note).
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        flow::decide(
            &state,
            &page.caller,
            id,
            &form.get("decision"),
            &form.get("note"),
        )
        .await?;
        Ok(redirect_with_flash("/kin/review", "flash-kin-decided"))
    }
    .await;
    page.finish(r)
}

/// `POST /kin/review/{id}/reply` (reply, note).
pub async fn reply(State(state): State<AppState>, Path(id): Path<i64>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        flow::reply(
            &state,
            &page.caller,
            id,
            &form.get("reply"),
            &form.get("note"),
        )
        .await?;
        Ok(redirect_with_flash(
            "/kin/review?filter=all",
            "flash-kin-replied",
        ))
    }
    .await;
    page.finish(r)
}

/// `POST /kin/export`: the list as a CSV download; the manifest's hash and its log entry
/// travel in headers and are listed on `/kin`.
pub async fn export(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        let out = flow::export(&state, &page.caller).await?;
        let mut resp = (StatusCode::OK, out.content).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", out.filename))
        {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        if let Ok(v) = HeaderValue::from_str(&out.manifest_sha256) {
            h.insert("x-rsm-manifest-sha256", v);
        }
        h.insert("x-rsm-log-index", HeaderValue::from(out.log_index));
        Ok(resp)
    }
    .await;
    page.finish(r)
}
