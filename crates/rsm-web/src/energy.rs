//! The planner behind the web app: a run's result as the API and pages show it, the
//! computation (solve, then ENTSOG's indicators, step by step), and the background runner
//! that records progress and outcome in the store.
//!
//! A run is queued with its frozen input and acknowledged at once; one run at a time is
//! computed on the blocking pool. Runs left queued or running by a crash are resumed by
//! [`resume`] at start-up, and give the same result (the planner is deterministic).

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};
use std::time::Duration;

use rsm_core::body::{Basket, Body, BodyKind};
use rsm_energy::{
    HighsSolver,
    flexibility::{entsog_indicators, entsog_steps},
    run::{load_network, run},
    scenario::Scenario,
};
use rsm_store::{BodyStore, EnergyStore, RunOutcome, StoredRun};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AppState, error::ApiError};

/// The network the web app plans on.
pub const NETWORK: &str = "nea14-daily";

/// New capacity on one link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BuildResult {
    pub link: String,
    /// Existing capacity, mcm/d.
    pub existing: f64,
    pub new_capacity: f64,
    pub capex: f64,
}

/// How a link is used: capacity after building and the mean flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkUse {
    pub link: String,
    pub capacity: f64,
    pub mean_flow: f64,
}

/// Demand not met at one bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnservedResult {
    pub bus: String,
    /// Over the year, mcm.
    pub volume: f64,
    /// On the worst day, mcm/d.
    pub peak: f64,
}

/// One country's security of supply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CountryResult {
    pub country: String,
    /// EU N-1 indicator, percent.
    pub n1_percent: f64,
    pub largest_infrastructure: String,
    /// ENTSOG remaining flexibility on the country's peak day, percent.
    pub remaining_flexibility: Option<f64>,
    /// The largest origin of its gas and its share (0..1).
    pub top_origin: Option<(String, f64)>,
    pub hhi: Option<f64>,
}

/// The cooperative disrupted demand under one outage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DisruptionResult {
    pub outage: String,
    /// mcm/d on the region's peak day.
    pub total: f64,
    /// `(country, disrupted mcm/d, rate 0..1)` for countries with disruption.
    pub countries: Vec<(String, f64, f64)>,
}

/// Everything a run produces, as stored and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunResult {
    pub network: String,
    /// Scenario name; empty for the base case.
    pub scenario: String,
    /// In the network's cost unit (k$ per year).
    pub objective: f64,
    pub cost_supply: f64,
    pub cost_capital: f64,
    pub cost_operation: f64,
    pub cost_unserved: f64,
    pub builds: Vec<BuildResult>,
    pub links: Vec<LinkUse>,
    pub unserved: Vec<UnservedResult>,
    pub countries: Vec<CountryResult>,
    pub disruptions: Vec<DisruptionResult>,
    pub variables: usize,
    pub constraints: usize,
    /// SHA-256 of the solved input (network and scenario), hex.
    pub input_hash: String,
    /// SHA-256 of the plan, hex.
    pub result_hash: String,
}

/// Checks a scenario's text against the network: parses and applies it. Errors name the field
/// (`toml`) and the planner's reason.
pub fn check_scenario(text: &str) -> Result<Option<Scenario>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let scenario =
        Scenario::from_toml(text).map_err(|e| ApiError::invalid("toml", e.to_string()))?;
    let net = load_network(NETWORK).map_err(|e| ApiError::internal(&e))?;
    scenario
        .apply(&net)
        .map_err(|e| ApiError::invalid("toml", e.to_string()))?;
    Ok(Some(scenario))
}

/// Steps a run reports before the solve tells the exact number (existing links only).
pub fn estimated_steps() -> i64 {
    load_network(NETWORK)
        .map(|n| 1 + entsog_steps(&n, None) as i64)
        .unwrap_or(1)
}

/// Solves `scenario_toml` on the network and computes the indicators; `on_total` is told the
/// exact number of steps once the plan is known, `on_step` is called after each step.
pub fn compute(
    network: &str,
    scenario_toml: &str,
    on_total: &dyn Fn(i64),
    on_step: &dyn Fn(),
) -> Result<RunResult, String> {
    let net = load_network(network).map_err(|e| e.to_string())?;
    let scenario = if scenario_toml.trim().is_empty() {
        None
    } else {
        Some(Scenario::from_toml(scenario_toml).map_err(|e| e.to_string())?)
    };
    let solver = HighsSolver::default();
    let report = run(&net, scenario.as_ref(), &solver).map_err(|e| e.to_string())?;
    let plan = &report.plan;
    on_total(1 + entsog_steps(&report.network, Some(plan)) as i64);
    on_step();
    let entsog = entsog_indicators(&report.network, Some(plan), &solver, on_step)
        .map_err(|e| e.to_string())?;
    let links = report
        .network
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let capacity = plan.build(&l.name).map_or(l.p_nom, |b| b.p_nom_opt);
            let flows = plan.flows.get(i).map(Vec::as_slice).unwrap_or_default();
            let mean = if flows.is_empty() {
                0.0
            } else {
                flows.iter().sum::<f64>() / flows.len() as f64
            };
            LinkUse {
                link: l.name.clone(),
                capacity: clean(capacity),
                mean_flow: clean(mean),
            }
        })
        .collect();
    let countries = report
        .n1
        .iter()
        .map(|n| {
            let dep = report.dependence.iter().find(|d| d.country == n.country);
            CountryResult {
                country: n.country.clone(),
                n1_percent: n.percent,
                largest_infrastructure: n.largest.clone(),
                remaining_flexibility: entsog
                    .remaining_flexibility
                    .iter()
                    .find(|r| r.country == n.country)
                    .map(|r| r.percent),
                top_origin: dep.and_then(|d| d.origins.first().cloned()),
                hhi: dep.map(|d| d.hhi),
            }
        })
        .collect();
    Ok(RunResult {
        network: network.to_owned(),
        scenario: report.scenario.clone(),
        objective: plan.objective,
        cost_supply: plan.costs.supply,
        cost_capital: plan.costs.capital,
        cost_operation: plan.costs.link_operation,
        cost_unserved: plan.costs.unserved,
        builds: plan
            .builds
            .iter()
            .filter(|b| b.new_capacity > 1e-6)
            .map(|b| BuildResult {
                link: b.link.clone(),
                existing: b.p_nom,
                new_capacity: b.new_capacity,
                capex: b.capex,
            })
            .collect(),
        links,
        unserved: plan
            .unserved
            .iter()
            .map(|u| UnservedResult {
                bus: u.bus.clone(),
                volume: u.volume,
                peak: u.peak,
            })
            .collect(),
        countries,
        disruptions: entsog
            .disruptions
            .iter()
            .map(|d| DisruptionResult {
                outage: d.outage.clone(),
                total: d.total_disrupted,
                countries: d
                    .countries
                    .iter()
                    .filter(|c| c.disrupted > 0.0)
                    .map(|c| (c.country.clone(), c.disrupted, c.rate))
                    .collect(),
            })
            .collect(),
        variables: plan.size.columns,
        constraints: plan.size.rows,
        input_hash: plan.input_hash.clone(),
        result_hash: plan.result_hash.clone(),
    })
}

fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 { 0.0 } else { v }
}

/// The economic working groups the caller may plan in (the first is used for attribution).
pub async fn planning_body(
    state: &AppState,
    caller: &crate::auth::Caller,
) -> Result<Body, ApiError> {
    let bodies = state.store.bodies().await?;
    let mut last = None;
    for body in bodies
        .into_iter()
        .filter(|b| b.kind == BodyKind::WorkingGroup(Basket::Economic))
    {
        match caller
            .require(state, rsm_core::access::Action::PlanEnergy(&body))
            .await
        {
            Ok(()) => return Ok(body),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        ApiError::Forbidden("there is no economic working group to plan for".into())
    }))
}

/// Starts computing a queued run in the background.
pub fn start(state: &AppState, run: StoredRun) {
    let state = state.clone();
    tokio::spawn(async move {
        // One run at a time: the machine's cores go to the solver, not to contention.
        let _permit = state.energy_runs.clone().acquire_owned().await;
        execute(&state, run).await;
    });
}

async fn execute(state: &AppState, run: StoredRun) {
    let id = run.id;
    let done = Arc::new(AtomicI64::new(0));
    let total = Arc::new(AtomicI64::new(run.steps_total.max(1)));
    let _ = state
        .store
        .energy_run_progress(id, 0, total.load(Ordering::Relaxed))
        .await;
    let (d, t) = (done.clone(), total.clone());
    let mut job = tokio::task::spawn_blocking(move || {
        compute(
            &run.network,
            &run.scenario_toml,
            &|n| t.store(n, Ordering::Relaxed),
            &|| {
                d.fetch_add(1, Ordering::Relaxed);
            },
        )
    });
    let result = loop {
        tokio::select! {
            r = &mut job => break r,
            () = tokio::time::sleep(Duration::from_millis(250)) => {
                let _ = state
                    .store
                    .energy_run_progress(id, done.load(Ordering::Relaxed), total.load(Ordering::Relaxed))
                    .await;
            }
        }
    };
    let outcome = match result {
        Ok(Ok(r)) => match serde_json::to_string(&r) {
            Ok(json) => RunOutcome::Done {
                input_hash: r.input_hash.clone(),
                result_hash: r.result_hash.clone(),
                result: json,
            },
            Err(e) => RunOutcome::Failed(e.to_string()),
        },
        Ok(Err(e)) => RunOutcome::Failed(e),
        Err(e) => RunOutcome::Failed(format!("the planner stopped: {e}")),
    };
    if let Err(e) = state
        .store
        .finish_energy_run(id, &outcome, state.clock.now())
        .await
    {
        tracing::error!(run = id, error = %e, "recording an energy run's outcome failed");
    }
}

/// Starts every run a previous process left queued or running; returns how many.
pub async fn resume(state: &AppState) -> Result<usize, rsm_store::StoreError> {
    let runs = state.store.unfinished_energy_runs().await?;
    let n = runs.len();
    for run in runs {
        start(state, run);
    }
    Ok(n)
}

/// A stored run's result, parsed.
pub fn result_of(run: &StoredRun) -> Result<Option<RunResult>, ApiError> {
    run.result
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::internal(&e))
}
