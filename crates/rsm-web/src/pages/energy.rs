//! `/energy`: the regional gas network and its least-cost plan, drawn as an SVG map (each
//! pipeline coloured by how full it runs, new capacity dashed), with the costs, the builds,
//! each country's N-1, remaining flexibility and supplier dependence, and the demand each
//! single outage would disrupt (shared cooperatively).
//!
//! The plan of the shipped network (`nea14-daily`) is solved once per server, on the
//! blocking pool, the first time someone opens the page, and kept. Under `/energy/runs` the
//! economic working group keeps scenarios, runs them in the background (with progress),
//! compares runs side by side and attaches a result to an agenda item or a draft decision.

use std::collections::BTreeSet;
use std::time::Instant;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode},
    response::Response,
};
use rsm_core::access::Action;
use rsm_store::{DeliberationStore, EnergyStore, RunStatus, StoredRun};

use super::{Ctx, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::energy::{
        AttachInput, NetworkInput, ScenarioInput, attach, create_network_for, create_scenario_for,
        network_view, queue_run, update_network_for, update_scenario_for,
    },
    energy::{NETWORK, RunResult, compute, planning_body, result_of},
    error::ApiError,
};

/// A solved plan, as the page keeps it.
pub struct EnergyPlan {
    pub result: RunResult,
    pub solve_ms: u128,
}

/// The map's drawing area (SVG user units) and the region it shows (degrees).
const W: f64 = 900.0;
const H: f64 = 560.0;
const LON: (f64, f64) = (66.0, 156.0);
const LAT: (f64, f64) = (16.0, 70.0);

fn project(lon: f64, lat: f64) -> (f64, f64) {
    (
        (lon - LON.0) / (LON.1 - LON.0) * W,
        (LAT.1 - lat) / (LAT.1 - LAT.0) * H,
    )
}

pub struct MapNode {
    pub name: String,
    pub x: String,
    pub y: String,
    pub label_x: String,
    pub market: bool,
}

pub struct MapLink {
    pub name: String,
    pub x1: String,
    pub y1: String,
    pub x2: String,
    pub y2: String,
    pub width: String,
    /// `idle`, `low`, `mid`, `high` (share of capacity used on average) or `candidate`.
    pub class: String,
    pub new: bool,
    pub title: String,
}

pub struct BuildRow {
    pub link: String,
    pub existing: String,
    pub new_capacity: String,
    pub capex: String,
}

pub struct CountryRow {
    pub country: String,
    pub n1: String,
    pub n1_ok: bool,
    pub largest: String,
    pub flexibility: String,
    pub top_origin: String,
    pub hhi: String,
}

pub struct DisruptionRow {
    pub outage: String,
    pub total: String,
    pub shares: String,
}

/// A plan as every energy page shows it.
pub struct PlanView {
    pub network: String,
    pub nodes: Vec<MapNode>,
    pub links: Vec<MapLink>,
    pub objective: String,
    pub supply: String,
    pub capital: String,
    pub operation: String,
    pub unserved: String,
    pub builds: Vec<BuildRow>,
    pub countries: Vec<CountryRow>,
    pub disruptions: Vec<DisruptionRow>,
    /// Outages considered (all, disrupting or not).
    pub outages: usize,
    pub columns: usize,
    pub rows: usize,
    pub input_hash: String,
    pub result_hash: String,
}

#[derive(Template)]
#[template(path = "energy.html")]
struct EnergyPage<'a> {
    ctx: &'a Ctx,
    network: &'static str,
    plan: PlanView,
    solve_ms: u128,
}

fn money(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && s != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// Solves the shipped network's base case with its indicators.
pub fn solve_base() -> Result<EnergyPlan, String> {
    let t = Instant::now();
    let result = compute(NETWORK, None, "", &|_| {}, &|| {})?;
    Ok(EnergyPlan {
        result,
        solve_ms: t.elapsed().as_millis(),
    })
}

fn map(result: &RunResult) -> (Vec<MapNode>, Vec<MapLink>) {
    let nodes = result
        .buses
        .iter()
        .map(|b| {
            let (x, y) = project(b.x, b.y);
            MapNode {
                name: b.name.clone(),
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                label_x: format!("{:.1}", x + 8.0),
                market: b.market,
            }
        })
        .collect();
    let pos = |name: &str| {
        result
            .buses
            .iter()
            .find(|b| b.name == name)
            .map(|b| project(b.x, b.y))
    };
    let mut links = Vec::new();
    for l in &result.links {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(&l.bus0), pos(&l.bus1)) else {
            continue;
        };
        let (built, mean) = (l.capacity, l.mean_flow);
        let (class, width) = if built < 1e-6 {
            ("candidate", 1.0)
        } else {
            let share = mean / built;
            let class = match share {
                s if s < 0.05 => "idle",
                s if s < 0.5 => "low",
                s if s < 0.9 => "mid",
                _ => "high",
            };
            (class, 1.5 + built.sqrt() * 0.45)
        };
        links.push(MapLink {
            name: l.link.clone(),
            x1: format!("{x1:.1}"),
            y1: format!("{y1:.1}"),
            x2: format!("{x2:.1}"),
            y2: format!("{y2:.1}"),
            width: format!("{width:.1}"),
            class: class.into(),
            new: l.candidate,
            title: format!(
                "{}: {} → {}, capacity {built:.1} mcm/d, mean flow {mean:.1} mcm/d",
                l.link, l.bus0, l.bus1
            ),
        });
    }
    // Candidates underneath, built pipelines on top.
    links.sort_by_key(|l| l.class != "candidate");
    (nodes, links)
}

/// A value shown to one decimal: round-off below that (and -0.0) as 0.
fn tenth(v: f64) -> f64 {
    if v.abs() < 0.05 { 0.0 } else { v }
}

fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.0} %")
    } else {
        "–".into()
    }
}

/// The view of a result (the network is read for its coordinates).
pub fn plan_view(result: &RunResult) -> Result<PlanView, ApiError> {
    let (nodes, links) = map(result);
    Ok(PlanView {
        network: result.network.clone(),
        nodes,
        links,
        objective: money(result.objective),
        supply: money(result.cost_supply),
        capital: money(result.cost_capital),
        operation: money(result.cost_operation),
        unserved: money(result.cost_unserved),
        builds: result
            .builds
            .iter()
            .map(|b| BuildRow {
                link: b.link.clone(),
                existing: format!("{:.1}", b.existing),
                new_capacity: format!("{:.1}", b.new_capacity),
                capex: money(b.capex),
            })
            .collect(),
        countries: result
            .countries
            .iter()
            .map(|c| CountryRow {
                country: c.country.clone(),
                n1: percent(c.n1_percent),
                n1_ok: c.n1_percent >= 100.0,
                largest: c.largest_infrastructure.clone(),
                flexibility: c.remaining_flexibility.map_or_else(|| "–".into(), percent),
                top_origin: c
                    .top_origin
                    .as_ref()
                    .map_or_else(String::new, |(o, s)| format!("{o} {:.0} %", s * 100.0)),
                hhi: c.hhi.map_or_else(String::new, |h| format!("{h:.2}")),
            })
            .collect(),
        disruptions: result
            .disruptions
            .iter()
            .filter(|d| d.total > 0.0)
            .map(|d| DisruptionRow {
                outage: d.outage.clone(),
                total: format!("{:.1}", d.total),
                shares: d
                    .countries
                    .iter()
                    // Shares below the table's precision are the solver's indifference.
                    .filter(|(_, v, _)| *v >= 0.05)
                    .map(|(c, v, r)| format!("{c} {v:.1} ({:.0} %)", r * 100.0))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        outages: result.disruptions.len(),
        columns: result.variables,
        rows: result.constraints,
        input_hash: result.input_hash.clone(),
        result_hash: result.result_hash.clone(),
    })
}

/// `GET /energy`.
pub async fn energy(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let plan = state
            .energy
            .get_or_init(|| async {
                tokio::task::spawn_blocking(solve_base)
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            })
            .await
            .as_ref()
            .map_err(|e| ApiError::internal(e))?;
        page.render(&EnergyPage {
            ctx: &page.ctx,
            network: NETWORK,
            plan: plan_view(&plan.result)?,
            solve_ms: plan.solve_ms,
        })
    }
    .await;
    page.finish(r)
}

/// One run in a list.
pub struct RunRow {
    pub id: i64,
    pub network: String,
    pub scenario: String,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub requested: String,
    pub requested_by: String,
    pub objective: String,
}

fn run_row(ctx: &Ctx, r: &StoredRun) -> RunRow {
    let objective = result_of(r)
        .ok()
        .flatten()
        .map_or_else(String::new, |x| money(x.objective));
    RunRow {
        id: r.id,
        network: r.network.clone(),
        scenario: r
            .scenario_name
            .clone()
            .unwrap_or_else(|| ctx.t("energy-base-case")),
        status: r.status.as_str().into(),
        done: r.steps_done,
        total: r.steps_total.max(1),
        requested: ctx.when(&r.requested_at),
        requested_by: r.requested_by.clone(),
        objective,
    }
}

pub struct ScenarioRow {
    pub id: i64,
    pub name: String,
    pub revision: i64,
    pub updated: String,
    pub updated_by: String,
}

#[derive(Template)]
#[template(path = "energy_runs.html")]
struct RunsPage<'a> {
    ctx: &'a Ctx,
    may_plan: bool,
    shipped: &'static str,
    networks: Vec<ScenarioRow>,
    scenarios: Vec<ScenarioRow>,
    runs: Vec<RunRow>,
    error: Option<String>,
    name: String,
    toml: String,
}

const EXAMPLE_SCENARIO: &str = "# Scenario in the planner's TOML, e.g.:\n\
     # exclude_transit = [\"KP\"]\n# cut_links = [\"RU_FE_CN_NE\"]\n# demand_growth = 1.1\n\
     # [price_factor]\n# LNG_spot = 1.5\n";

async fn runs_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
    name: String,
    toml: String,
) -> Result<Response, ApiError> {
    page.caller.require(state, Action::ReadEnergyPlans).await?;
    let may_plan = planning_body(state, &page.caller).await.is_ok();
    let scenarios = state
        .store
        .energy_scenarios()
        .await?
        .into_iter()
        .map(|s| ScenarioRow {
            id: s.id,
            name: s.name,
            revision: s.revision,
            updated: page.ctx.when(&s.updated_at),
            updated_by: s.updated_by,
        })
        .collect();
    let networks = state
        .store
        .energy_networks()
        .await?
        .into_iter()
        .map(|s| ScenarioRow {
            id: s.id,
            name: s.name,
            revision: s.revision,
            updated: page.ctx.when(&s.updated_at),
            updated_by: s.updated_by,
        })
        .collect();
    let runs = state
        .store
        .energy_runs(50)
        .await?
        .iter()
        .map(|r| run_row(&page.ctx, r))
        .collect();
    page.render_status(
        status,
        &RunsPage {
            ctx: &page.ctx,
            may_plan,
            shipped: NETWORK,
            networks,
            scenarios,
            runs,
            error,
            name,
            toml,
        },
    )
}

/// `GET /energy/runs`: scenarios, runs, and the forms to add and run them.
pub async fn runs(State(state): State<AppState>, page: Page) -> Response {
    let r = runs_page(
        &state,
        &page,
        StatusCode::OK,
        None,
        String::new(),
        EXAMPLE_SCENARIO.into(),
    )
    .await;
    page.finish(r)
}

fn inline_error(ctx: &Ctx, e: &ApiError) -> Option<(StatusCode, String)> {
    match e {
        ApiError::Invalid { field, rule } => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field}: {}", super::translate_rule(ctx, rule)),
        )),
        ApiError::Conflict(detail) => Some((StatusCode::CONFLICT, detail.clone())),
        _ => None,
    }
}

/// `POST /energy/scenarios`: a new scenario.
pub async fn create_scenario(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let input = ScenarioInput {
        name: form.get("name"),
        toml: form.get("toml"),
        revision: None,
    };
    match create_scenario_for(&state, &page.caller, &input).await {
        Ok(_) => redirect_with_flash("/energy/runs", "flash-saved"),
        Err(e) => match inline_error(&page.ctx, &e) {
            Some((status, msg)) => {
                let r = runs_page(&state, page, status, Some(msg), input.name, input.toml).await;
                page.finish(r)
            }
            None => page.finish(Err(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "energy_scenario.html")]
struct ScenarioPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    name: String,
    toml: String,
    revision: i64,
    may_plan: bool,
    error: Option<String>,
}

/// `GET /energy/scenarios/{id}`.
pub async fn scenario(State(state): State<AppState>, Path(id): Path<i64>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let s = state
            .store
            .energy_scenario(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        page.render(&ScenarioPage {
            ctx: &page.ctx,
            id,
            name: s.name,
            toml: s.text,
            revision: s.revision,
            may_plan: planning_body(&state, &page.caller).await.is_ok(),
            error: None,
        })
    }
    .await;
    page.finish(r)
}

/// `POST /energy/scenarios/{id}`: saves an edit (refused if someone saved in between).
pub async fn update_scenario(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let revision = form.get("revision").parse::<i64>().unwrap_or(0);
    let input = ScenarioInput {
        name: form.get("name"),
        toml: form.get("toml"),
        revision: Some(revision),
    };
    match update_scenario_for(&state, &page.caller, id, &input).await {
        Ok(()) => redirect_with_flash(&format!("/energy/scenarios/{id}"), "flash-saved"),
        Err(e) => match inline_error(&page.ctx, &e) {
            Some((status, msg)) => page.finish(page.render_status(
                status,
                &ScenarioPage {
                    ctx: &page.ctx,
                    id,
                    name: input.name,
                    toml: input.toml,
                    revision,
                    may_plan: true,
                    error: Some(msg),
                },
            )),
            None => page.finish(Err(e)),
        },
    }
}

/// `POST /energy/runs`: starts a run (scenario id, or empty for the base case).
pub async fn start_run(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let scenario = form.opt("scenario").and_then(|s| s.parse::<i64>().ok());
    let network = form.opt("network").and_then(|s| s.parse::<i64>().ok());
    match queue_run(&state, &page.caller, network, scenario).await {
        Ok(id) => redirect_with_flash(&format!("/energy/runs/{id}"), "flash-saved"),
        Err(e) => page.finish(Err(e)),
    }
}

/// One file of a network as the edit form shows it.
pub struct FileField {
    pub name: String,
    pub id: String,
    pub text: String,
    pub rows: usize,
}

#[derive(Template)]
#[template(path = "energy_network.html")]
struct NetworkPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    name: String,
    revision: i64,
    files: Vec<FileField>,
    may_plan: bool,
    error: Option<String>,
}

const FILES: [&str; 5] = [
    "buses.csv",
    "links.csv",
    "supplies.csv",
    "loads.csv",
    "snapshots.csv",
];

fn file_fields(files: &std::collections::BTreeMap<String, String>) -> Vec<FileField> {
    FILES
        .iter()
        .filter(|f| **f != "snapshots.csv" || files.contains_key(**f))
        .map(|f| {
            let text = files.get(*f).cloned().unwrap_or_default();
            FileField {
                name: (*f).to_owned(),
                id: format!("file-{}", f.trim_end_matches(".csv")),
                rows: text.lines().count().clamp(4, 16),
                text,
            }
        })
        .collect()
}

/// `POST /energy/networks`: a new network, a copy of the shipped one to edit.
pub async fn create_network(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        planning_body(&state, &page.caller).await?;
        let shipped = rsm_energy::run::load_network(NETWORK).map_err(|e| ApiError::internal(&e))?;
        let input = NetworkInput {
            name: form.get("name"),
            files: rsm_energy::csv::to_files(&shipped),
            revision: None,
        };
        create_network_for(&state, &page.caller, &input).await
    }
    .await;
    match r {
        Ok(id) => redirect_with_flash(&format!("/energy/networks/{id}"), "flash-saved"),
        Err(e) => match inline_error(&page.ctx, &e) {
            Some((status, msg)) => {
                let r = runs_page(
                    &state,
                    page,
                    status,
                    Some(msg),
                    String::new(),
                    String::new(),
                )
                .await;
                page.finish(r)
            }
            None => page.finish(Err(e)),
        },
    }
}

/// `GET /energy/networks/{id}`.
pub async fn network(State(state): State<AppState>, Path(id): Path<i64>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let n = state
            .store
            .energy_network(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let view = network_view(n)?;
        page.render(&NetworkPage {
            ctx: &page.ctx,
            id,
            name: view.name,
            revision: view.revision,
            files: file_fields(&view.files),
            may_plan: planning_body(&state, &page.caller).await.is_ok(),
            error: None,
        })
    }
    .await;
    page.finish(r)
}

/// `POST /energy/networks/{id}`: saves edited files (checked; refused if someone saved in
/// between).
pub async fn update_network(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let revision = form.get("revision").parse::<i64>().unwrap_or(0);
    let files: std::collections::BTreeMap<String, String> = FILES
        .iter()
        .filter_map(|f| {
            form.opt(f)
                .map(|t| ((*f).to_owned(), normalise_newlines(&t)))
        })
        .collect();
    let input = NetworkInput {
        name: form.get("name"),
        files,
        revision: Some(revision),
    };
    match update_network_for(&state, &page.caller, id, &input).await {
        Ok(()) => redirect_with_flash(&format!("/energy/networks/{id}"), "flash-saved"),
        Err(e) => match inline_error(&page.ctx, &e) {
            Some((status, msg)) => page.finish(page.render_status(
                status,
                &NetworkPage {
                    ctx: &page.ctx,
                    id,
                    name: input.name.clone(),
                    revision,
                    files: file_fields(&input.files),
                    may_plan: true,
                    error: Some(msg),
                },
            )),
            None => page.finish(Err(e)),
        },
    }
}

/// Browsers send CR LF in text areas; the planner's files use LF.
fn normalise_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// An agenda item or draft a result can be attached to.
pub struct TargetOption {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "energy_run.html")]
struct RunPage<'a> {
    ctx: &'a Ctx,
    run: RunRow,
    error: Option<String>,
    finished: bool,
    plan: Option<PlanView>,
    may_plan: bool,
    targets: Vec<TargetOption>,
    attachments: Vec<TargetOption>,
}

#[derive(Template)]
#[template(path = "energy_run_status.html")]
struct RunStatusFragment<'a> {
    ctx: &'a Ctx,
    run: RunRow,
    finished: bool,
}

/// The agenda items and drafts the caller may see, for the attach form.
async fn targets(state: &AppState, page: &Page) -> Result<Vec<TargetOption>, ApiError> {
    let mut out = Vec::new();
    for (m, _) in crate::api::meetings::visible_meetings(state, &page.caller.actor).await? {
        for item in state.store.items(m.id).await? {
            out.push(TargetOption {
                value: format!("item:{}", item.id),
                label: format!("{} — {}", m.meeting.title, item.item.title),
            });
        }
    }
    for d in crate::api::decisions::visible_drafts(state, &page.caller.actor).await? {
        out.push(TargetOption {
            value: format!("draft:{}", d.draft.id),
            label: format!("{}: {}", page.ctx.t("energy-draft"), d.draft.draft.title),
        });
    }
    Ok(out)
}

/// `GET /energy/runs/{id}`: progress while it runs; the plan once done.
pub async fn run(State(state): State<AppState>, Path(id): Path<i64>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let stored = state
            .store
            .energy_run(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let plan = result_of(&stored)?.map(|r| plan_view(&r)).transpose()?;
        let may_plan = planning_body(&state, &page.caller).await.is_ok();
        let options = if may_plan && plan.is_some() {
            targets(&state, &page).await?
        } else {
            Vec::new()
        };
        // Attachments are listed only where the reader may see their target.
        let mut attachments = Vec::new();
        for a in state.store.energy_run_attachments(id).await? {
            let value = match a.target {
                rsm_store::AttachTarget::AgendaItem(i) => format!("item:{i}"),
                rsm_store::AttachTarget::Draft(d) => format!("draft:{d}"),
            };
            let label = match a.target {
                rsm_store::AttachTarget::AgendaItem(i) => match state.store.item(i).await? {
                    Some(item)
                        if crate::api::meetings::visible_meeting(
                            &state,
                            &page.caller,
                            item.item.meeting,
                        )
                        .await
                        .is_ok() =>
                    {
                        Some((format!("/meetings/{}", item.item.meeting), item.item.title))
                    }
                    _ => None,
                },
                rsm_store::AttachTarget::Draft(d) => {
                    match crate::api::decisions::visible_draft(&state, &page.caller, d).await {
                        Ok(read) => Some((format!("/drafts/{d}"), read.draft.draft.title)),
                        Err(_) => None,
                    }
                }
            };
            if let Some((href, title)) = label {
                attachments.push(TargetOption {
                    value: href,
                    label: format!("{title} ({value}, {})", page.ctx.when(&a.attached_at)),
                });
            }
        }
        page.render(&RunPage {
            ctx: &page.ctx,
            finished: matches!(stored.status, RunStatus::Done | RunStatus::Failed),
            error: stored.error.clone(),
            run: run_row(&page.ctx, &stored),
            plan,
            may_plan,
            targets: options,
            attachments,
        })
    }
    .await;
    page.finish(r)
}

/// `GET /energy/runs/{id}/status`: the progress fragment htmx polls; once the run is
/// finished it asks the browser to reload the page, which then shows the result.
pub async fn run_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    page: Page,
) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let stored = state
            .store
            .energy_run(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let finished = matches!(stored.status, RunStatus::Done | RunStatus::Failed);
        let mut response = page.render(&RunStatusFragment {
            ctx: &page.ctx,
            run: run_row(&page.ctx, &stored),
            finished,
        })?;
        if finished {
            response
                .headers_mut()
                .insert("hx-refresh", HeaderValue::from_static("true"));
        }
        Ok(response)
    }
    .await;
    page.finish(r)
}

/// `POST /energy/runs/{id}/attach`: attaches the result to `target` (`item:N` or `draft:N`).
pub async fn attach_run(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let target = form.get("target");
    let input = match target.split_once(':') {
        Some(("item", n)) => AttachInput {
            agenda_item: n.parse().ok(),
            draft: None,
        },
        Some(("draft", n)) => AttachInput {
            agenda_item: None,
            draft: n.parse().ok(),
        },
        _ => AttachInput {
            agenda_item: None,
            draft: None,
        },
    };
    match attach(&state, &page.caller, id, &input).await {
        Ok(_) => redirect_with_flash(&format!("/energy/runs/{id}"), "flash-saved"),
        Err(e) => page.finish(Err(e)),
    }
}

pub struct CompareColumn {
    pub id: i64,
    pub scenario: String,
    pub objective: String,
    pub delta: String,
    pub unserved: String,
    pub input_hash: String,
}

pub struct CompareRow {
    pub label: String,
    pub cells: Vec<String>,
    /// The cells are not all equal.
    pub differs: bool,
}

#[derive(Template)]
#[template(path = "energy_compare.html")]
struct ComparePage<'a> {
    ctx: &'a Ctx,
    columns: Vec<CompareColumn>,
    builds: Vec<CompareRow>,
    countries: Vec<CompareRow>,
    disruptions: Vec<CompareRow>,
}

/// `GET /energy/compare?run=A&run=B…`: finished runs side by side, the first as reference.
pub async fn compare(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadEnergyPlans).await?;
        let ids: Vec<i64> = q
            .iter()
            .filter(|(k, _)| k == "run")
            .map(|(_, v)| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid("run", "must be a run number"))
            })
            .collect::<Result<_, _>>()?;
        if !(2..=6).contains(&ids.len()) {
            return Err(ApiError::invalid("run", "choose two to six finished runs"));
        }
        let mut results = Vec::new();
        for id in &ids {
            let stored = state
                .store
                .energy_run(*id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let result = result_of(&stored)?
                .ok_or_else(|| ApiError::invalid("run", format!("run {id} has no result")))?;
            results.push((stored, result));
        }
        page.render(&compare_view(&page.ctx, &results))
    }
    .await;
    page.finish(r)
}

fn row(label: String, cells: Vec<String>) -> CompareRow {
    let differs = cells.windows(2).any(|w| w[0] != w[1]);
    CompareRow {
        label,
        cells,
        differs,
    }
}

fn compare_view<'a>(ctx: &'a Ctx, results: &[(StoredRun, RunResult)]) -> ComparePage<'a> {
    let base = results[0].1.objective;
    let columns = results
        .iter()
        .map(|(s, r)| CompareColumn {
            id: s.id,
            scenario: s
                .scenario_name
                .clone()
                .unwrap_or_else(|| ctx.t("energy-base-case")),
            objective: money(r.objective),
            delta: money(r.objective - base),
            unserved: format!("{:.1}", tenth(r.unserved.iter().map(|u| u.volume).sum())),
            input_hash: r.input_hash.chars().take(12).collect(),
        })
        .collect();
    let links: BTreeSet<&str> = results
        .iter()
        .flat_map(|(_, r)| r.builds.iter().map(|b| b.link.as_str()))
        .collect();
    let builds = links
        .into_iter()
        .map(|l| {
            row(
                l.to_owned(),
                results
                    .iter()
                    .map(|(_, r)| {
                        r.builds
                            .iter()
                            .find(|b| b.link == l)
                            .map_or_else(|| "0.0".into(), |b| format!("{:.1}", b.new_capacity))
                    })
                    .collect(),
            )
        })
        .collect();
    let countries_set: BTreeSet<&str> = results
        .iter()
        .flat_map(|(_, r)| r.countries.iter().map(|c| c.country.as_str()))
        .collect();
    let countries = countries_set
        .into_iter()
        .map(|c| {
            row(
                c.to_owned(),
                results
                    .iter()
                    .map(|(_, r)| {
                        r.countries.iter().find(|x| x.country == c).map_or_else(
                            || "–".into(),
                            |x| {
                                format!(
                                    "N-1 {} · RF {}",
                                    percent(x.n1_percent),
                                    x.remaining_flexibility.map_or_else(|| "–".into(), percent)
                                )
                            },
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let outages: BTreeSet<&str> = results
        .iter()
        .flat_map(|(_, r)| {
            r.disruptions
                .iter()
                .filter(|d| d.total > 0.0)
                .map(|d| d.outage.as_str())
        })
        .collect();
    let disruptions = outages
        .into_iter()
        .map(|o| {
            row(
                o.to_owned(),
                results
                    .iter()
                    .map(|(_, r)| {
                        r.disruptions
                            .iter()
                            .find(|d| d.outage == o)
                            .map_or_else(|| "–".into(), |d| format!("{:.1}", d.total))
                    })
                    .collect(),
            )
        })
        .collect();
    ComparePage {
        ctx,
        columns,
        builds,
        countries,
        disruptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1234567.4), "1,234,567");
        assert_eq!(money(999.0), "999");
        assert_eq!(money(-1000.0), "-1,000");
    }

    #[test]
    fn projection_keeps_the_region_inside_the_map() {
        let (x, y) = project(127.0, 37.0); // Seoul area
        assert!((0.0..W).contains(&x) && (0.0..H).contains(&y));
        let (x0, _) = project(LON.0, 40.0);
        let (_, y0) = project(120.0, LAT.1);
        assert_eq!((x0, y0), (0.0, 0.0));
    }
}
