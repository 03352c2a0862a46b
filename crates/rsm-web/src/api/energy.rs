//! `/api/v1/energy`: the economic working group's scenarios (the planner's TOML), runs of the
//! planner in the background with their progress and result, and results attached to agenda
//! items and draft decisions with their input and result hashes.
//!
//! Any signed-in account reads plans; the economic working group's members and the secretariat
//! edit scenarios, start runs and attach results. An attachment target in a body the caller may
//! not see is "not found".

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rsm_core::access::Action;
use std::collections::BTreeMap;

use rsm_store::{
    AttachTarget, DeliberationStore, EnergyStore, StoreError, StoredAttachment, StoredNetwork,
    StoredRun, StoredScenario,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::ApiJson;
use super::meetings::{visible_body, visible_meeting};
use crate::{
    AppState,
    auth::Caller,
    energy::{self, RunResult},
    error::ApiError,
};

/// A scenario as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioView {
    pub id: i64,
    pub name: String,
    /// The scenario in the planner's TOML (see `rsm plan run --scenario`).
    pub toml: String,
    pub revision: i64,
    pub updated_at: String,
    pub updated_by: String,
}

/// A scenario to create, or the new text of one (with the revision it was read at).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    pub name: String,
    pub toml: String,
    /// Required when updating: the revision you edited.
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A network the working group edits: the planner's CSV files (`buses.csv`, `links.csv`,
/// `supplies.csv`, `loads.csv`, optional `snapshots.csv`).
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkView {
    pub id: i64,
    pub name: String,
    pub files: BTreeMap<String, String>,
    pub revision: i64,
    pub updated_at: String,
    pub updated_by: String,
}

/// A network to create, or the new files of one (with the revision it was read at).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkInput {
    pub name: String,
    pub files: BTreeMap<String, String>,
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A run of the planner.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    pub id: i64,
    pub network: String,
    /// `None`: the base case.
    pub scenario: Option<String>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub steps_done: i64,
    pub steps_total: i64,
    pub requested_at: String,
    pub requested_by: String,
    pub finished_at: Option<String>,
    pub input_hash: Option<String>,
    pub result_hash: Option<String>,
    pub error: Option<String>,
    pub result: Option<RunResult>,
    pub attachments: Vec<AttachmentView>,
}

/// A run to start: a stored scenario (the base case when left out) on a stored network (the
/// shipped network when left out).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    #[serde(default)]
    pub scenario: Option<i64>,
    #[serde(default)]
    pub network: Option<i64>,
}

/// Where to attach a run's result: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachInput {
    #[serde(default)]
    pub agenda_item: Option<i64>,
    #[serde(default)]
    pub draft: Option<i64>,
}

/// A result attached to an agenda item or a draft decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub run: i64,
    /// `agenda-item` or `draft`.
    pub target_kind: String,
    pub target_id: i64,
    pub input_hash: String,
    pub result_hash: String,
    pub attached_at: String,
    pub attached_by: String,
}

pub(crate) fn scenario_view(s: StoredScenario) -> ScenarioView {
    ScenarioView {
        id: s.id,
        name: s.name,
        toml: s.text,
        revision: s.revision,
        updated_at: s.updated_at.to_string(),
        updated_by: s.updated_by,
    }
}

pub(crate) fn network_view(n: StoredNetwork) -> Result<NetworkView, ApiError> {
    let files = serde_json::from_str(&n.text).map_err(|e| ApiError::internal(&e))?;
    Ok(NetworkView {
        id: n.id,
        name: n.name,
        files,
        revision: n.revision,
        updated_at: n.updated_at.to_string(),
        updated_by: n.updated_by,
    })
}

/// The files a network may have.
const NETWORK_FILES: [&str; 5] = [
    "buses.csv",
    "links.csv",
    "supplies.csv",
    "loads.csv",
    "snapshots.csv",
];

/// Checks a network and returns its name and files as JSON, ready to store.
pub(crate) fn checked_network(input: &NetworkInput) -> Result<(String, String), ApiError> {
    let name = check_name(&input.name)?.to_owned();
    if name == energy::NETWORK || rsm_energy::data::BUILTIN.contains(&name.as_str()) {
        return Err(ApiError::invalid(
            "name",
            "is the name of a shipped network",
        ));
    }
    for (file, text) in &input.files {
        if !NETWORK_FILES.contains(&file.as_str()) {
            return Err(ApiError::invalid(
                format!("files.{file}"),
                "unknown file: use buses.csv, links.csv, supplies.csv, loads.csv, snapshots.csv",
            ));
        }
        if text.len() > 256 * 1024 {
            return Err(ApiError::invalid(
                format!("files.{file}"),
                "must be at most 256 KiB",
            ));
        }
    }
    energy::check_network_files(&input.files)?;
    let json = serde_json::to_string(&input.files).map_err(|e| ApiError::internal(&e))?;
    Ok((name, json))
}

pub(crate) fn attachment_view(a: StoredAttachment) -> AttachmentView {
    let (kind, id) = match a.target {
        AttachTarget::AgendaItem(id) => ("agenda-item", id),
        AttachTarget::Draft(id) => ("draft", id),
    };
    AttachmentView {
        id: a.id,
        run: a.run_id,
        target_kind: kind.into(),
        target_id: id,
        input_hash: a.input_hash,
        result_hash: a.result_hash,
        attached_at: a.attached_at.to_string(),
        attached_by: a.attached_by,
    }
}

pub(crate) fn run_view(
    r: StoredRun,
    attachments: Vec<StoredAttachment>,
) -> Result<RunView, ApiError> {
    let result = energy::result_of(&r)?;
    Ok(RunView {
        id: r.id,
        network: r.network,
        scenario: r.scenario_name,
        status: r.status.as_str().into(),
        steps_done: r.steps_done,
        steps_total: r.steps_total,
        requested_at: r.requested_at.to_string(),
        requested_by: r.requested_by,
        finished_at: r.finished_at.map(|t| t.to_string()),
        input_hash: r.input_hash,
        result_hash: r.result_hash,
        error: r.error,
        result,
        attachments: attachments.into_iter().map(attachment_view).collect(),
    })
}

/// A stale revision or a taken name: the store's message as it is.
fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(what) if what.starts_with("revision") => ApiError::Conflict(what),
        other => other.into(),
    }
}

fn check_name(name: &str) -> Result<&str, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be empty"));
    }
    if name.chars().count() > 80 {
        return Err(ApiError::invalid("name", "must be at most 80 characters"));
    }
    Ok(name)
}

/// Checks a scenario and returns its name and text, ready to store.
pub(crate) fn checked_scenario(input: &ScenarioInput) -> Result<(String, String), ApiError> {
    let name = check_name(&input.name)?.to_owned();
    if input.toml.len() > 32 * 1024 {
        return Err(ApiError::invalid("toml", "must be at most 32 KiB"));
    }
    energy::check_scenario(&input.toml)?;
    Ok((name, input.toml.clone()))
}

/// The revision an update names: required.
fn edited_revision(revision: Option<i64>) -> Result<i64, ApiError> {
    revision.ok_or_else(|| ApiError::invalid("revision", "give the revision you edited"))
}

/// Creates a scenario as `caller` (the API and the pages): planners only, text checked.
pub(crate) async fn create_scenario_for(
    state: &AppState,
    caller: &Caller,
    input: &ScenarioInput,
) -> Result<i64, ApiError> {
    energy::planning_body(state, caller).await?;
    let (name, toml) = checked_scenario(input)?;
    let who = caller.attribution(state.clock.now());
    Ok(state
        .store
        .create_energy_scenario(&name, &toml, &who)
        .await?)
}

/// Saves an edit of scenario `id` made at `input.revision`.
pub(crate) async fn update_scenario_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &ScenarioInput,
) -> Result<(), ApiError> {
    energy::planning_body(state, caller).await?;
    let revision = edited_revision(input.revision)?;
    let (name, toml) = checked_scenario(input)?;
    let who = caller.attribution(state.clock.now());
    state
        .store
        .update_energy_scenario(id, revision, &name, &toml, &who)
        .await
        .map_err(conflict)
}

/// Creates a network as `caller`: planners only, every file checked.
pub(crate) async fn create_network_for(
    state: &AppState,
    caller: &Caller,
    input: &NetworkInput,
) -> Result<i64, ApiError> {
    energy::planning_body(state, caller).await?;
    let (name, files) = checked_network(input)?;
    let who = caller.attribution(state.clock.now());
    Ok(state
        .store
        .create_energy_network(&name, &files, &who)
        .await?)
}

/// Saves an edit of network `id` made at `input.revision`.
pub(crate) async fn update_network_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &NetworkInput,
) -> Result<(), ApiError> {
    energy::planning_body(state, caller).await?;
    let revision = edited_revision(input.revision)?;
    let (name, files) = checked_network(input)?;
    let who = caller.attribution(state.clock.now());
    state
        .store
        .update_energy_network(id, revision, &name, &files, &who)
        .await
        .map_err(conflict)
}

/// The scenarios.
#[utoipa::path(get, path = "/api/v1/energy/scenarios", tag = "energy",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [ScenarioView]), (status = 401, body = crate::error::Problem)))]
pub async fn list_scenarios(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ScenarioView>>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let list = state.store.energy_scenarios().await?;
    Ok(Json(list.into_iter().map(scenario_view).collect()))
}

/// Creates a scenario (economic working group, secretariat). The text must parse and name
/// only links, supplies, buses and countries of the network.
#[utoipa::path(post, path = "/api/v1/energy/scenarios", tag = "energy", request_body = ScenarioInput,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = ScenarioView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_scenario(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ScenarioInput>,
) -> Result<(StatusCode, Json<ScenarioView>), ApiError> {
    let id = create_scenario_for(&state, &caller, &input).await?;
    let s = state
        .store
        .energy_scenario(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(scenario_view(s))))
}

/// One scenario.
#[utoipa::path(get, path = "/api/v1/energy/scenarios/{id}", tag = "energy",
    params(("id" = i64, Path, description = "scenario id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ScenarioView), (status = 404, body = crate::error::Problem)))]
pub async fn get_scenario(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ScenarioView>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let s = state
        .store
        .energy_scenario(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(scenario_view(s)))
}

/// Replaces a scenario's name and text, if nobody changed it since `revision`.
#[utoipa::path(put, path = "/api/v1/energy/scenarios/{id}", tag = "energy", request_body = ScenarioInput,
    params(("id" = i64, Path, description = "scenario id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ScenarioView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_scenario(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScenarioInput>,
) -> Result<Json<ScenarioView>, ApiError> {
    update_scenario_for(&state, &caller, id, &input).await?;
    let s = state
        .store
        .energy_scenario(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(scenario_view(s)))
}

/// The networks the working group keeps.
#[utoipa::path(get, path = "/api/v1/energy/networks", tag = "energy",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [NetworkView]), (status = 401, body = crate::error::Problem)))]
pub async fn list_networks(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NetworkView>>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let list = state.store.energy_networks().await?;
    Ok(Json(
        list.into_iter()
            .map(network_view)
            .collect::<Result<_, _>>()?,
    ))
}

/// Creates a network from its CSV files; every file is checked (errors name the file, line
/// and column).
#[utoipa::path(post, path = "/api/v1/energy/networks", tag = "energy", request_body = NetworkInput,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = NetworkView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_network(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NetworkInput>,
) -> Result<(StatusCode, Json<NetworkView>), ApiError> {
    let id = create_network_for(&state, &caller, &input).await?;
    let n = state
        .store
        .energy_network(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(network_view(n)?)))
}

/// One network with its files.
#[utoipa::path(get, path = "/api/v1/energy/networks/{id}", tag = "energy",
    params(("id" = i64, Path, description = "network id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = NetworkView), (status = 404, body = crate::error::Problem)))]
pub async fn get_network(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<NetworkView>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let n = state
        .store
        .energy_network(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(network_view(n)?))
}

/// Replaces a network's name and files, if nobody changed it since `revision`.
#[utoipa::path(put, path = "/api/v1/energy/networks/{id}", tag = "energy", request_body = NetworkInput,
    params(("id" = i64, Path, description = "network id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = NetworkView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_network(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NetworkInput>,
) -> Result<Json<NetworkView>, ApiError> {
    update_network_for(&state, &caller, id, &input).await?;
    let n = state
        .store
        .energy_network(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(network_view(n)?))
}

/// Queues a run and answers at once (202); the run goes on in the background.
pub(crate) async fn queue_run(
    state: &AppState,
    caller: &Caller,
    network: Option<i64>,
    scenario: Option<i64>,
) -> Result<i64, ApiError> {
    energy::planning_body(state, caller).await?;
    let (network_name, network_files) =
        match network {
            None => (energy::NETWORK.to_owned(), None),
            Some(id) => {
                let n = state.store.energy_network(id).await?.ok_or_else(|| {
                    ApiError::NotFoundField {
                        field: "network".into(),
                        rule: format!("there is no network {id}"),
                    }
                })?;
                (n.name, Some(n.text))
            }
        };
    let (name, toml) =
        match scenario {
            None => (None, String::new()),
            Some(id) => {
                let s = state.store.energy_scenario(id).await?.ok_or_else(|| {
                    ApiError::NotFoundField {
                        field: "scenario".into(),
                        rule: format!("there is no scenario {id}"),
                    }
                })?;
                (Some(s.name), s.text)
            }
        };
    let who = caller.attribution(state.clock.now());
    let steps = tokio::task::spawn_blocking(energy::estimated_steps)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let id = state
        .store
        .queue_energy_run(
            &network_name,
            network_files.as_deref(),
            name.as_deref(),
            &toml,
            steps,
            &who,
        )
        .await?;
    let run = state
        .store
        .energy_run(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    energy::start(state, run);
    Ok(id)
}

/// The latest runs, newest first.
#[utoipa::path(get, path = "/api/v1/energy/runs", tag = "energy",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [RunView]), (status = 401, body = crate::error::Problem)))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RunView>>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let runs = state.store.energy_runs(100).await?;
    let mut out = Vec::with_capacity(runs.len());
    for r in runs {
        let a = state.store.energy_run_attachments(r.id).await?;
        out.push(run_view(r, a)?);
    }
    Ok(Json(out))
}

/// Starts a run of the planner on a stored scenario (or the base case).
#[utoipa::path(post, path = "/api/v1/energy/runs", tag = "energy", request_body = RunInput,
    security(("session" = []), ("token" = [])),
    responses((status = 202, body = RunView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
pub async fn create_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RunInput>,
) -> Result<(StatusCode, Json<RunView>), ApiError> {
    let id = queue_run(&state, &caller, input.network, input.scenario).await?;
    let run = state
        .store
        .energy_run(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(run_view(run, Vec::new())?)))
}

/// One run: its progress, and its result once done.
#[utoipa::path(get, path = "/api/v1/energy/runs/{id}", tag = "energy",
    params(("id" = i64, Path, description = "run id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = RunView), (status = 404, body = crate::error::Problem)))]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RunView>, ApiError> {
    caller.require(&state, Action::ReadEnergyPlans).await?;
    let run = state
        .store
        .energy_run(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let a = state.store.energy_run_attachments(id).await?;
    Ok(Json(run_view(run, a)?))
}

/// Attaches a finished run's result to an agenda item or a draft decision the caller can see.
pub(crate) async fn attach(
    state: &AppState,
    caller: &Caller,
    run: i64,
    input: &AttachInput,
) -> Result<i64, ApiError> {
    energy::planning_body(state, caller).await?;
    let target = match (input.agenda_item, input.draft) {
        (Some(item), None) => {
            let stored = state.store.item(item).await?.ok_or(ApiError::NotFound)?;
            visible_meeting(state, caller, stored.item.meeting).await?;
            AttachTarget::AgendaItem(item)
        }
        (None, Some(draft)) => {
            let stored = state.store.draft(draft).await?.ok_or(ApiError::NotFound)?;
            visible_body(state, caller, &stored.draft.body).await?;
            AttachTarget::Draft(draft)
        }
        _ => {
            return Err(ApiError::invalid(
                "agenda_item",
                "give exactly one of agenda_item and draft",
            ));
        }
    };
    let who = caller.attribution(state.clock.now());
    state
        .store
        .attach_energy_run(run, target, &who)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(what) if what.contains("no result") => ApiError::Conflict(what),
            other => other.into(),
        })
}

/// Attaches a run's result (with its input and result hashes) to an agenda item or a draft.
#[utoipa::path(post, path = "/api/v1/energy/runs/{id}/attachments", tag = "energy",
    request_body = AttachInput, params(("id" = i64, Path, description = "run id")),
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = AttachmentView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AttachInput>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let aid = attach(&state, &caller, id, &input).await?;
    let a = state
        .store
        .energy_run_attachments(id)
        .await?
        .into_iter()
        .find(|a| a.id == aid)
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(attachment_view(a))))
}
