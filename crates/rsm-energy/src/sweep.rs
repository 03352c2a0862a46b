//! Outage sweeps: every single link and supply out of service (N-1), solved in parallel with rayon.

use rayon::prelude::*;

use crate::error::Result;
use crate::lp::LpSolver;
use crate::network::Network;
use crate::plan::{Plan, solve_from};
use crate::scenario::Scenario;

/// What an outage takes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutageKind {
    /// An existing link (pipeline or LNG terminal).
    Link,
    /// A supply (field, market or domestic block).
    Supply,
}

/// One outage and its optimum.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageResult {
    /// Link or supply.
    pub kind: OutageKind,
    /// Name of the component out of service.
    pub name: String,
    /// The plan without it.
    pub plan: Plan,
    /// Objective increase over the base case.
    pub delta: f64,
    /// Weighted unserved volume over the year (mcm).
    pub unserved_volume: f64,
}

/// The outages of a sweep: every link with existing capacity, then every real (non-`shed_`)
/// supply with capacity, each in name order.
pub fn outages(net: &Network) -> Vec<(OutageKind, String)> {
    let links = net
        .links
        .iter()
        .filter(|l| l.p_nom > 0.0)
        .map(|l| (OutageKind::Link, l.name.clone()));
    let supplies = net
        .supplies
        .iter()
        .filter(|s| !s.is_shed() && s.p_nom > 0.0)
        .map(|s| (OutageKind::Supply, s.name.clone()));
    links.chain(supplies).collect()
}

/// Solves the base case and every single outage of [`outages`] in parallel; each outage is
/// warm-started from the base solution (the model keeps its shape). Results are in outage order.
pub fn n_minus_1(net: &Network, solver: &dyn LpSolver) -> Result<(Plan, Vec<OutageResult>)> {
    let (base, x0) = solve_from(net, solver, None)?;
    sweep(net, solver, &base, Some(&x0), &outages(net)).map(|r| (base, r))
}

/// Solves the given outages in parallel against a solved base case.
pub fn sweep(
    net: &Network,
    solver: &dyn LpSolver,
    base: &Plan,
    start: Option<&[f64]>,
    list: &[(OutageKind, String)],
) -> Result<Vec<OutageResult>> {
    list.par_iter()
        .map(|(kind, name)| {
            let sc = match kind {
                OutageKind::Link => Scenario::link_outage(name),
                OutageKind::Supply => Scenario::supply_outage(name),
            };
            let n = sc.apply(net)?;
            let (plan, _) = solve_from(&n, solver, start)?;
            let unserved_volume = plan.unserved.iter().map(|u| u.volume).sum::<f64>() + 0.0;
            Ok(OutageResult {
                kind: *kind,
                name: name.clone(),
                delta: plan.objective - base.objective,
                unserved_volume,
                plan,
            })
        })
        .collect()
}
