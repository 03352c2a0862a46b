//! `/kin/draws`: the reunion draw in the app — fix a draw (title, count, the committee's
//! weights, the eligible list from the registry or pasted), see it wait for the first
//! published checkpoint after its commitment, then its ranked result with the seed, and
//! download every file `rsm kin verify-draw` needs. Same functions as the API
//! (`api::kin_draws`), so the same policy and audit apply; to anyone but the registry's
//! focal points these pages are "not found".

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rsm_store::KinStore;

use super::{Ctx, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::kin::registry_party,
    api::kin_draws::{self as flow, DEFAULT_WEIGHTS, DrawDetail, DrawInput, DrawView},
    error::ApiError,
};

/// The draw pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kin/draws", get(list).post(create))
        .route("/kin/draws/{id}", get(detail))
        .route("/kin/draws/{id}/files/{name}", get(file))
}

#[derive(Template)]
#[template(path = "kin_draws.html")]
struct DrawsPage<'a> {
    ctx: &'a Ctx,
    draws: Vec<DrawView>,
    title: String,
    count: String,
    weights: String,
    eligible: String,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: Option<(&PageForm, String)>,
) -> Result<Response, ApiError> {
    let draws = flow::views(state, &page.caller).await?;
    let (title, count, weights, eligible, error) = match form {
        Some((f, e)) => (
            f.get("title"),
            f.get("count"),
            f.get("weights"),
            f.get("eligible"),
            Some(e),
        ),
        None => (
            String::new(),
            "10".into(),
            DEFAULT_WEIGHTS.to_owned(),
            String::new(),
            None,
        ),
    };
    page.render_status(
        status,
        &DrawsPage {
            ctx: &page.ctx,
            draws,
            title,
            count,
            weights,
            eligible,
            error,
        },
    )
}

/// `GET /kin/draws`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let r = list_page(&state, &page, StatusCode::OK, None).await;
    page.finish(r)
}

/// `POST /kin/draws`: fixes a draw and shows it.
pub async fn create(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        let count = form.get("count");
        let input = DrawInput {
            title: form.get("title"),
            count: match count.trim().parse::<i64>() {
                Ok(c) => c,
                Err(_) => {
                    let e = page.ctx.t("kin-draw-count-rule");
                    return list_page(
                        &state,
                        page,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some((&form, e)),
                    )
                    .await;
                }
            },
            weights: Some(form.get("weights")),
            eligible: Some(form.get("eligible")),
        };
        match flow::create(&state, &page.caller, input).await {
            Ok(id) => Ok(redirect_with_flash(
                &format!("/kin/draws/{id}"),
                "flash-kin-draw-fixed",
            )),
            Err(ApiError::Invalid { field, rule }) => {
                list_page(
                    &state,
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((&form, format!("{field}: {rule}"))),
                )
                .await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    page.finish(r)
}

#[derive(Template)]
#[template(path = "kin_draw.html")]
struct DrawPage<'a> {
    ctx: &'a Ctx,
    view: DrawDetail,
    total_weight: u64,
    files: [&'static str; 7],
    state_label: String,
}

/// The files of a draw's verification bundle, as downloaded.
const BUNDLE_FILES: [&str; 7] = [
    "eligible.csv",
    "weights.toml",
    "salt.txt",
    "checkpoint.note",
    "receipt.proof",
    "result.csv",
    "vkey.txt",
];

async fn load(state: &AppState, page: &Page, id: i64) -> Result<DrawDetail, ApiError> {
    let party = registry_party(state, &page.caller).await?;
    let who = page.caller.attribution(state.clock.now());
    let d = state
        .store
        .kin_draw(party.as_str(), id, &who)
        .await?
        .ok_or(ApiError::NotFound)?;
    flow::detail(state, &d).await
}

/// `GET /kin/draws/{id}`.
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = async {
        let d = load(&state, &page, id).await?;
        let total_weight = d.drawn.iter().map(|x| x.weight).sum();
        let state_label = page.ctx.t(&format!("kin-draw-state-{}", d.draw.state));
        page.render_status(
            StatusCode::OK,
            &DrawPage {
                ctx: &page.ctx,
                view: d,
                total_weight,
                files: BUNDLE_FILES,
                state_label,
            },
        )
    }
    .await;
    page.finish(r)
}

/// `GET /kin/draws/{id}/files/{name}`: one file of the verification bundle.
pub async fn file(
    State(state): State<AppState>,
    page: Page,
    Path((id, name)): Path<(i64, String)>,
) -> Response {
    let r = async {
        let d = load(&state, &page, id).await?;
        let b = d.bundle.ok_or(ApiError::NotFound)?;
        let (body, mime) = match name.as_str() {
            "eligible.csv" => (b.eligible, "text/csv; charset=utf-8"),
            "weights.toml" => (b.weights, "text/plain; charset=utf-8"),
            "salt.txt" => (b.salt, "text/plain; charset=utf-8"),
            "checkpoint.note" => (b.checkpoint, "text/plain; charset=utf-8"),
            "receipt.proof" => (b.receipt, "text/plain; charset=utf-8"),
            "result.csv" => (b.result, "text/csv; charset=utf-8"),
            "vkey.txt" => (format!("{}\n", b.vkey), "text/plain; charset=utf-8"),
            _ => return Err(ApiError::NotFound),
        };
        let mut resp = (StatusCode::OK, body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"draw-{id}-{name}\""))
        {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(resp)
    }
    .await;
    page.finish(r)
}
