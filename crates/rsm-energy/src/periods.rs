//! Multi-period capacity expansion: several investment periods over the same snapshots, with
//! capacity built in one period available in every later one (infinite lifetimes).
//!
//! Per period `p` with objective weight `W_p` (e.g. discounted years) and demand factor `k_p`,
//! the operational model of [`crate::model`] is repeated with loads × `k_p` and operating
//! costs × `W_p`; an extendable link gets a build variable `B[l,q]` per period, flows in
//! period `p` are bounded by `p_nom + Σ_{q ≤ p} B[l,q]`, total builds by `p_nom_max − p_nom`,
//! and `B[l,q]` costs `capital_cost × Σ_{p ≥ q} W_p` (the annuity paid in every weighted year
//! it is active, as PyPSA's multi-investment objective does).

use crate::error::{EnergyError, Result};
use crate::lp::{LinearProgram, LpSolver};
use crate::network::Network;
use crate::plan::ModelSize;

/// One investment period.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// Label, e.g. `2030`.
    pub name: String,
    /// Objective weight: the (discounted) number of years the period stands for.
    pub weight: f64,
    /// Factor on every load in this period.
    pub demand_factor: f64,
}

/// New capacity of one link built in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodBuild {
    /// Link name.
    pub link: String,
    /// Period label.
    pub period: String,
    /// New capacity (mcm/d).
    pub new_capacity: f64,
}

/// The optimum of a multi-period plan.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiPlan {
    /// Objective value.
    pub objective: f64,
    /// Builds with positive capacity, by link then period.
    pub builds: Vec<PeriodBuild>,
    /// Weighted operating cost (supplies, unserved demand, links) per period.
    pub operating_cost: Vec<f64>,
    /// Weighted capital cost per period (of everything active in it).
    pub capital_cost: Vec<f64>,
    /// Weighted-snapshot unserved volume per period (mcm/yr, not multiplied by `W_p`).
    pub unserved: Vec<f64>,
    /// Model size.
    pub size: ModelSize,
}

/// Solves `net` over `periods` (in time order).
pub fn solve_periods(
    net: &Network,
    periods: &[Period],
    solver: &dyn LpSolver,
) -> Result<MultiPlan> {
    if periods.is_empty() {
        return Err(EnergyError::Scenario("no investment periods".into()));
    }
    for p in periods {
        if !(p.weight.is_finite()
            && p.weight >= 0.0
            && p.demand_factor.is_finite()
            && p.demand_factor >= 0.0)
        {
            return Err(EnergyError::Scenario(format!(
                "period `{}`: weight and demand factor must be finite and ≥ 0",
                p.name
            )));
        }
    }
    let idx = net.bus_index();
    let (np, nt) = (periods.len(), net.num_snapshots());
    let loads: Vec<Vec<f64>> = net.buses.iter().map(|b| net.load_of(&b.name)).collect();
    let mut lp = LinearProgram::default();
    // balance[p][t][b], cap[p][t][l] (extendable links only)
    let mut balance = vec![vec![Vec::new(); nt]; np];
    let mut cap = vec![vec![vec![None; net.links.len()]; nt]; np];
    for (p, period) in periods.iter().enumerate() {
        for t in 0..nt {
            for (l, link) in net.links.iter().enumerate() {
                if link.extendable {
                    cap[p][t][l] = Some(lp.add_row(f64::NEG_INFINITY, link.p_nom));
                }
            }
            for load in &loads {
                let d = load[t] * period.demand_factor;
                balance[p][t].push(lp.add_row(d, d));
            }
        }
    }
    let max_rows: Vec<Option<usize>> = net
        .links
        .iter()
        .map(|l| {
            (l.extendable && l.p_nom_max.is_finite())
                .then(|| lp.add_row(f64::NEG_INFINITY, l.p_nom_max - l.p_nom))
        })
        .collect();
    let mut supply_cols = Vec::new();
    let mut link_cols = Vec::new();
    for (p, period) in periods.iter().enumerate() {
        for (t, snap) in net.snapshots.iter().enumerate() {
            let w = period.weight * snap.weight;
            for (s, sup) in net.supplies.iter().enumerate() {
                let row = balance[p][t][idx[sup.bus.as_str()]];
                let c = lp.add_col(w * sup.marginal_cost, 0.0, sup.p_nom, vec![(row, 1.0)]);
                supply_cols.push((p, t, s, c));
            }
            for (l, link) in net.links.iter().enumerate() {
                let (b0, b1) = (idx[link.bus0.as_str()], idx[link.bus1.as_str()]);
                let mut entries = vec![
                    (balance[p][t][b0], -1.0),
                    (balance[p][t][b1], link.efficiency),
                ];
                let upper = match cap[p][t][l] {
                    Some(r) => {
                        entries.push((r, 1.0));
                        f64::INFINITY
                    }
                    None => link.p_nom,
                };
                entries.sort_by_key(|e| e.0);
                let c = lp.add_col(w * link.marginal_cost, 0.0, upper, entries);
                link_cols.push((p, t, l, c));
            }
        }
    }
    let mut build_cols = Vec::new();
    for (l, link) in net.links.iter().enumerate() {
        if !link.extendable {
            continue;
        }
        for q in 0..np {
            let active: f64 = periods[q..].iter().map(|p| p.weight).sum();
            let mut entries: Vec<(usize, f64)> = (q..np)
                .flat_map(|p| (0..nt).map(move |t| (p, t)))
                .filter_map(|(p, t)| cap[p][t][l].map(|r| (r, -1.0)))
                .collect();
            if let Some(r) = max_rows[l] {
                entries.push((r, 1.0));
            }
            let c = lp.add_col(link.capital_cost * active, 0.0, f64::INFINITY, entries);
            build_cols.push((l, q, c));
        }
    }
    let sol = solver.solve(&lp, None)?;
    let x = &sol.columns;
    let mut operating_cost = vec![0.0; np];
    let mut unserved = vec![0.0; np];
    for &(p, t, s, c) in &supply_cols {
        let sup = &net.supplies[s];
        operating_cost[p] += periods[p].weight * net.snapshots[t].weight * sup.marginal_cost * x[c];
        if sup.is_shed() {
            unserved[p] += net.snapshots[t].weight * x[c];
        }
    }
    for &(p, t, l, c) in &link_cols {
        operating_cost[p] +=
            periods[p].weight * net.snapshots[t].weight * net.links[l].marginal_cost * x[c];
    }
    let mut capital_cost = vec![0.0; np];
    let mut builds = Vec::new();
    for &(l, q, c) in &build_cols {
        for (p, period) in periods.iter().enumerate().skip(q) {
            capital_cost[p] += period.weight * net.links[l].capital_cost * x[c];
        }
        if x[c] > 1e-9 {
            builds.push(PeriodBuild {
                link: net.links[l].name.clone(),
                period: periods[q].name.clone(),
                new_capacity: x[c],
            });
        }
    }
    Ok(MultiPlan {
        objective: sol.objective,
        builds,
        operating_cost,
        capital_cost,
        unserved,
        size: ModelSize {
            columns: lp.columns.len(),
            rows: lp.rows.len(),
            nonzeros: lp.nonzeros(),
        },
    })
}
