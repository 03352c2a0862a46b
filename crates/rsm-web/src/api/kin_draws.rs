//! The reunion draw in the app, under `/api/v1/kin/draws`: a focal point fixes the eligible
//! list (from the registry's applicants, or a CSV) and the committee's weights; the app
//! enters a salted commitment to both in the log (`kin.draw-list`, signed by the
//! secretariat) and keeps the salt; the draw's seed is the root of the **first published
//! checkpoint whose tree includes that entry**, so it did not exist when the list was fixed
//! and nobody can pick it afterwards. The result is never stored: it is computed from the
//! stored checkpoint whenever it is read, exactly as `rsm kin verify-draw` recomputes it
//! from the bundle ([`DrawBundle`]) anyone with access can download.
//!
//! Who: the focal points of the registry's party (`Action::KinRegistry`), like the rest of
//! the registry; everyone else gets 404. Reads are audited (the list holds applicants' ids
//! and birth years).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rsm_kin::draw::{self, EligibleList, Weights};
use rsm_store::{
    Attribution, KinDraw, KinKind, KinRecord, KinStore, LedgerStore, NewKinDraw, StoredCheckpoint,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::ApiJson;
use super::kin::registry_party;
use crate::{AppState, auth::Caller, error::ApiError, error::Problem, log::Published};

/// The entry type a draw's list commitment is entered under (as `rsm kin draw-list`).
pub const DRAW_LIST_ENTRY_TYPE: &str = "kin.draw-list";

/// The weights a new draw starts from: the committee may change every number.
pub const DEFAULT_WEIGHTS: &str = "# The committee's weights (rsm-kin-draw/v1): the older and the closer, the likelier.\n\
reference_year = 2026\n\
\n\
[age]\n\
0 = 1\n\
70 = 2\n\
80 = 4\n\
90 = 8\n\
\n\
[relationship]\n\
father = 4\n\
mother = 4\n\
child = 4\n\
spouse = 4\n\
brother = 3\n\
sister = 3\n\
\"*\" = 1\n";

/// A new draw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DrawInput {
    /// What the draw is for, e.g. "Reunion round 22, Mount Kumgang".
    pub title: String,
    /// How many applicants to draw (at most the list's length).
    pub count: i64,
    /// The committee's weights (TOML); the default weights when absent.
    pub weights: Option<String>,
    /// The eligible list as CSV (`applicant_id,birth_year,relationship`); when absent, one
    /// row per applicant of the registry's tracing requests.
    pub eligible: Option<String>,
}

/// A draw as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawView {
    pub id: i64,
    pub title: String,
    pub count: i64,
    pub applicants: i64,
    /// SHA-256 of the canonical list and weights (what the commitment hides, salted).
    pub list_digest: String,
    /// The log entry holding the salted commitment.
    pub log_index: i64,
    pub created_at: String,
    pub created_by: String,
    /// `waiting` until a published checkpoint covers the entry, then `drawn`.
    pub state: String,
}

/// One drawn applicant.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawnView {
    pub rank: usize,
    pub applicant_id: String,
    pub weight: u64,
}

/// Everything `rsm kin verify-draw` needs, as text files.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawBundle {
    /// `eligible.csv`
    pub eligible: String,
    /// `weights.toml`
    pub weights: String,
    /// `salt.txt`: 64 hex digits.
    pub salt: String,
    /// `checkpoint.note`: the seed checkpoint as published (witness cosignatures included).
    pub checkpoint: String,
    /// `receipt.proof`: the C2SP tlog-proof of the commitment entry under that checkpoint.
    pub receipt: String,
    /// `result.csv`: the draw's result.
    pub result: String,
    /// The log's verifier key.
    pub vkey: String,
}

/// A draw with its result once the seed exists.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawDetail {
    #[serde(flatten)]
    pub draw: DrawView,
    /// The seed checkpoint's size and root (hex), once published.
    pub seed_checkpoint_size: Option<u64>,
    pub seed: Option<String>,
    pub drawn: Vec<DrawnView>,
    /// The files to verify the draw offline, once drawn.
    pub bundle: Option<DrawBundle>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The eligible list of a registry: one row per applicant of its tracing requests, with the
/// birth year of the applicant and, of the applicant's requests, the relationship the
/// weights rate highest (ties: the first request by id). Requests whose applicant has no
/// readable birth date are left out and named in the second list.
pub fn eligible_from_registry(requests: &[KinRecord], weights: &Weights) -> (String, Vec<String>) {
    use std::collections::BTreeMap;
    let mut best: BTreeMap<String, (i32, String, u64)> = BTreeMap::new();
    let mut left_out = Vec::new();
    let mut sorted: Vec<&KinRecord> = requests
        .iter()
        .filter(|r| r.kind == KinKind::Request)
        .collect();
    sorted.sort_by(|a, b| a.record_id.cmp(&b.record_id));
    for r in sorted {
        let fields: serde_json::Value = serde_json::from_str(&r.fields).unwrap_or_default();
        let text = |k: &str| fields.get(k).and_then(|v| v.as_str()).unwrap_or("").trim();
        let applicant = text("applicant_id");
        let year = text("applicant_birth_date")
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok());
        let relationship = text("relationship").to_lowercase();
        let (Some(year), false, false) = (year, applicant.is_empty(), relationship.is_empty())
        else {
            left_out.push(format!(
                "{}: no applicant id, birth year or relationship",
                r.record_id
            ));
            continue;
        };
        let w = weights.weight_of(year, &relationship).unwrap_or(0);
        match best.get_mut(applicant) {
            Some(b) if w > b.2 => *b = (year, relationship, w),
            Some(_) => {}
            None => {
                best.insert(applicant.to_owned(), (year, relationship, w));
            }
        }
    }
    let mut csv = String::from("applicant_id,birth_year,relationship\n");
    for (id, (year, rel, _)) in best {
        csv.push_str(&format!("{id},{year},{rel}\n"));
    }
    (csv, left_out)
}

/// Checks a new draw's input; returns the parsed list and weights.
fn check(
    title: &str,
    count: i64,
    weights_text: &str,
    eligible: &str,
) -> Result<(EligibleList, Weights), ApiError> {
    if title.trim().is_empty() || title.chars().count() > 200 {
        return Err(ApiError::invalid(
            "title",
            "must be between 1 and 200 characters",
        ));
    }
    let weights =
        Weights::parse(weights_text).map_err(|e| ApiError::invalid("weights", e.to_string()))?;
    let list = EligibleList::read_csv(eligible.as_bytes())
        .map_err(|e| ApiError::invalid("eligible", e.to_string()))?;
    let n = list.applicants().len() as i64;
    if n == 0 {
        return Err(ApiError::invalid("eligible", "the list has no applicant"));
    }
    if count < 1 || count > n {
        return Err(ApiError::invalid(
            "count",
            format!("must be between 1 and the list's {n} applicants"),
        ));
    }
    // Every applicant must have a weight: found now, not after the commitment.
    draw::draw(&list, &weights, [0; 32], 0)
        .map_err(|e| ApiError::invalid("weights", e.to_string()))?;
    Ok((list, weights))
}

/// Fixes a draw: checks it, enters the salted commitment in the log, and records it.
/// `salt` is the caller's fresh randomness (the handlers draw it from the OS).
#[allow(clippy::too_many_arguments)]
pub async fn record_draw(
    log: &crate::log::Log,
    party: &str,
    title: &str,
    count: i64,
    weights_text: &str,
    eligible: &str,
    salt: [u8; 32],
    who: &Attribution,
) -> Result<i64, ApiError> {
    let (list, weights) = check(title, count, weights_text, eligible)?;
    let canonical = draw::canonical_bytes(&list, &weights);
    let acked = log
        .append_secretariat(
            DRAW_LIST_ENTRY_TYPE,
            rsm_ledger::commit_salted(&salt, &canonical),
            format!("{party} reunion draw").into_bytes(),
            None,
            who.clone(),
        )
        .await
        .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
    let id = log
        .store()
        .kin_record_draw(
            &NewKinDraw {
                party: party.to_owned(),
                title: title.trim().to_owned(),
                count,
                weights: weights_text.to_owned(),
                eligible: eligible.to_owned(),
                applicants: list.applicants().len() as i64,
                salt: hex(&salt),
                list_digest: hex(&draw::list_digest(&list, &weights)),
                log_index: acked.index as i64,
            },
            who,
        )
        .await?;
    Ok(id)
}

/// The draw's result, computed from the first published checkpoint covering its entry
/// (None while there is none).
pub async fn resolve(
    state: &AppState,
    d: &KinDraw,
) -> Result<Option<(StoredCheckpoint, draw::Draw)>, ApiError> {
    let Some(cp) = state
        .store
        .first_checkpoint_covering(d.draw.log_index as u64)
        .await?
    else {
        return Ok(None);
    };
    let weights = Weights::parse(&d.draw.weights)
        .map_err(|e| ApiError::internal(&format!("stored weights: {e}")))?;
    let list = EligibleList::read_csv(d.draw.eligible.as_bytes())
        .map_err(|e| ApiError::internal(&format!("stored list: {e}")))?;
    let result = draw::draw(&list, &weights, cp.root.0, d.draw.count as usize)
        .map_err(|e| ApiError::internal(&format!("stored draw: {e}")))?;
    Ok(Some((cp, result)))
}

/// A draw's summary.
pub fn draw_view(d: &KinDraw, drawn: bool) -> DrawView {
    DrawView {
        id: d.id,
        title: d.draw.title.clone(),
        count: d.draw.count,
        applicants: d.draw.applicants,
        list_digest: d.draw.list_digest.clone(),
        log_index: d.draw.log_index,
        created_at: d.created_at.to_string(),
        created_by: d.created_by.clone(),
        state: if drawn { "drawn" } else { "waiting" }.into(),
    }
}

/// A draw with its result and verification bundle.
pub async fn detail(state: &AppState, d: &KinDraw) -> Result<DrawDetail, ApiError> {
    let resolved = resolve(state, d).await?;
    let Some((cp, result)) = resolved else {
        return Ok(DrawDetail {
            draw: draw_view(d, false),
            seed_checkpoint_size: None,
            seed: None,
            drawn: Vec::new(),
            bundle: None,
        });
    };
    let bundle = match &state.log {
        Some(log) => {
            let published = Published {
                size: cp.size,
                root: cp.root,
                note: cp.note.clone(),
            };
            let receipt = log
                .receipt(d.draw.log_index as u64, &published)
                .await
                .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
            Some(DrawBundle {
                eligible: d.draw.eligible.clone(),
                weights: d.draw.weights.clone(),
                salt: format!("{}\n", d.draw.salt),
                checkpoint: cp.note.clone(),
                receipt: String::from_utf8_lossy(&receipt).into_owned(),
                result: draw::render_result(&result),
                vkey: log.vkey().to_owned(),
            })
        }
        None => None,
    };
    Ok(DrawDetail {
        draw: draw_view(d, true),
        seed_checkpoint_size: Some(cp.size),
        seed: Some(cp.root.to_hex()),
        drawn: result
            .drawn
            .iter()
            .map(|x| DrawnView {
                rank: x.rank,
                applicant_id: x.applicant_id.clone(),
                weight: x.weight,
            })
            .collect(),
        bundle,
    })
}

/// Fresh salt from the operating system.
pub fn fresh_salt() -> Result<[u8; 32], ApiError> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| ApiError::internal(&format!("no randomness: {e}")))?;
    Ok(salt)
}

/// Creates a draw for the caller's registry (shared by the API and the pages).
pub async fn create(state: &AppState, caller: &Caller, input: DrawInput) -> Result<i64, ApiError> {
    let party = registry_party(state, caller).await?;
    let log = state
        .log
        .clone()
        .ok_or_else(|| ApiError::Conflict("the log is not running here: draws need it".into()))?;
    let who = caller.attribution(state.clock.now());
    let weights_text = input
        .weights
        .filter(|w| !w.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_WEIGHTS.to_owned());
    let eligible = match input.eligible.filter(|e| !e.trim().is_empty()) {
        Some(e) => e,
        None => {
            let weights = Weights::parse(&weights_text)
                .map_err(|e| ApiError::invalid("weights", e.to_string()))?;
            let requests = state
                .store
                .kin_records(party.as_str(), KinKind::Request, &who)
                .await?;
            eligible_from_registry(&requests, &weights).0
        }
    };
    record_draw(
        &log,
        party.as_str(),
        &input.title,
        input.count,
        &weights_text,
        &eligible,
        fresh_salt()?,
        &who,
    )
    .await
}

/// The registry's draws, newest first.
#[utoipa::path(get, path = "/api/v1/kin/draws", tag = "kin",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [DrawView]), (status = 404, body = Problem)))]
pub async fn list_draws(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DrawView>>, ApiError> {
    Ok(Json(views(&state, &caller).await?))
}

/// The caller's registry's draws, newest first (shared by the API and the pages).
pub async fn views(state: &AppState, caller: &Caller) -> Result<Vec<DrawView>, ApiError> {
    let party = registry_party(state, caller).await?;
    let who = caller.attribution(state.clock.now());
    let mut out = Vec::new();
    for d in state.store.kin_draws(party.as_str(), &who).await? {
        let drawn = state
            .store
            .first_checkpoint_covering(d.draw.log_index as u64)
            .await?
            .is_some();
        out.push(draw_view(&d, drawn));
    }
    Ok(out)
}

/// Fixes a new draw: its list and weights are committed to the log at once; the result
/// exists from the first published checkpoint after that.
#[utoipa::path(post, path = "/api/v1/kin/draws", tag = "kin", request_body = DrawInput,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = DrawDetail), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draw(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<DrawInput>,
) -> Result<(StatusCode, Json<DrawDetail>), ApiError> {
    let id = create(&state, &caller, input).await?;
    let party = registry_party(&state, &caller).await?;
    let who = caller.attribution(state.clock.now());
    let d = state
        .store
        .kin_draw(party.as_str(), id, &who)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(detail(&state, &d).await?)))
}

/// One draw, with its result and the files to verify it once its seed is published.
#[utoipa::path(get, path = "/api/v1/kin/draws/{id}", tag = "kin",
    params(("id" = i64, Path, description = "The draw")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DrawDetail), (status = 404, body = Problem)))]
pub async fn get_draw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DrawDetail>, ApiError> {
    let party = registry_party(&state, &caller).await?;
    let who = caller.attribution(state.clock.now());
    let d = state
        .store
        .kin_draw(party.as_str(), id, &who)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(detail(&state, &d).await?))
}

/// The draw routes.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_draws, create_draw))
        .routes(routes!(get_draw))
}
