//! Solving a network and reading the optimum: builds, flows, costs, unserved demand and nodal prices.

use crate::error::{EnergyError, Result};
use crate::hash::{ResultHasher, network_hash};
use crate::lp::{LpSolution, LpSolver};
use crate::model::{BuildRules, Formulation, add_build_rules, formulate};
use crate::network::Network;

/// New capacity of one extendable link.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// Link name.
    pub link: String,
    /// Existing capacity.
    pub p_nom: f64,
    /// Optimal total capacity.
    pub p_nom_opt: f64,
    /// Optimal new capacity, `p_nom_opt − p_nom`.
    pub new_capacity: f64,
    /// Annualised cost of the new capacity.
    pub capex: f64,
}

/// Annual cost by component (cost unit of the network, e.g. k$).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Costs {
    /// Supplies other than unserved demand.
    pub supply: f64,
    /// Unserved-demand penalties (`shed_*`).
    pub unserved: f64,
    /// Link operating costs (transit fees, compression).
    pub link_operation: f64,
    /// Annualised capital cost of new capacity.
    pub capital: f64,
}

impl Costs {
    /// The total, equal to the objective.
    pub fn total(&self) -> f64 {
        self.supply + self.unserved + self.link_operation + self.capital
    }
}

/// Unserved demand at one bus over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct Unserved {
    /// Bus.
    pub bus: String,
    /// Weighted total over the year (mcm).
    pub volume: f64,
    /// Largest value in one snapshot (mcm/d).
    pub peak: f64,
}

/// Size of the optimisation model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSize {
    /// Variables.
    pub columns: usize,
    /// Constraints.
    pub rows: usize,
    /// Nonzeros.
    pub nonzeros: usize,
}

/// The optimum of a network: everything a planner reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Objective value (network's cost unit per year).
    pub objective: f64,
    /// Costs by component; their total equals `objective`.
    pub costs: Costs,
    /// One entry per extendable link, in link order.
    pub builds: Vec<Build>,
    /// Link names in the order of `flows`.
    pub link_names: Vec<String>,
    /// `flows[l][t]`: flow entering link `l` (mcm/d).
    pub flows: Vec<Vec<f64>>,
    /// Supply names in the order of `dispatch`.
    pub supply_names: Vec<String>,
    /// `dispatch[s][t]` (mcm/d).
    pub dispatch: Vec<Vec<f64>>,
    /// Bus names in the order of `prices`.
    pub bus_names: Vec<String>,
    /// `prices[b][t]`: dual of the node balance divided by the snapshot weight (cost per mcm).
    pub prices: Vec<Vec<f64>>,
    /// Buses with unserved demand.
    pub unserved: Vec<Unserved>,
    /// Model size.
    pub size: ModelSize,
    /// Simplex iterations.
    pub iterations: i64,
    /// Whether build decisions were yes/no (a MILP); prices are then those of the fixed LP.
    pub integer: bool,
    /// SHA-256 of the input network.
    pub input_hash: String,
    /// SHA-256 of objective, builds and flows (rounded to 9 digits).
    pub result_hash: String,
}

impl Plan {
    /// The build of the named link, if it is extendable.
    pub fn build(&self, link: &str) -> Option<&Build> {
        self.builds.iter().find(|b| b.link == link)
    }

    /// Mean price of a bus over the year, weighted by snapshot weights.
    pub fn mean_price(&self, net: &Network, bus: &str) -> Option<f64> {
        let b = self.bus_names.iter().position(|n| n == bus)?;
        let total_w: f64 = net.snapshots.iter().map(|s| s.weight).sum();
        Some(
            net.snapshots
                .iter()
                .zip(&self.prices[b])
                .map(|(s, p)| s.weight * p)
                .sum::<f64>()
                / total_w,
        )
    }
}

/// Builds and solves the LP of a valid network.
pub fn solve(net: &Network, solver: &dyn LpSolver) -> Result<Plan> {
    solve_from(net, solver, None).map(|(plan, _)| plan)
}

/// Like [`solve`], optionally warm-started from a primal solution of a model of the same shape;
/// returns the raw column values too, for warm-starting neighbours.
pub fn solve_from(
    net: &Network,
    solver: &dyn LpSolver,
    start: Option<&[f64]>,
) -> Result<(Plan, Vec<f64>)> {
    let f = formulate(net);
    let start = start.filter(|s| s.len() == f.lp.columns.len());
    let sol = solver
        .solve(&f.lp, start)
        .map_err(|e| explain_infeasible(net, solver, e))?;
    let plan = read(net, &f, &sol);
    Ok((plan, sol.columns))
}

/// Solves `net` with yes/no and either-or build rules (a MILP when any rule is given).
/// Nodal prices come from the LP with the build decisions fixed at their optimal values.
pub fn solve_with(net: &Network, rules: &BuildRules, solver: &dyn LpSolver) -> Result<Plan> {
    if rules.is_empty() {
        return solve(net, solver);
    }
    let mut f = formulate(net);
    add_build_rules(net, &mut f, rules)?;
    let mip = solver
        .solve(&f.lp, None)
        .map_err(|e| explain_infeasible(net, solver, e))?;
    for (c, col) in f.lp.columns.iter_mut().enumerate() {
        if col.integer {
            let v = mip.columns[c].round();
            col.integer = false;
            col.lower = v;
            col.upper = v;
        }
    }
    let sol = solver.solve(&f.lp, None)?;
    let mut plan = read(net, &f, &sol);
    plan.integer = true;
    Ok(plan)
}

/// Demand that cannot be met at one bus in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    /// Bus.
    pub bus: String,
    /// Snapshot label.
    pub snapshot: String,
    /// Smallest possible shortfall (mcm/d).
    pub amount: f64,
}

/// Explains an infeasible network: adds an unserved-demand slack at every bus and snapshot,
/// minimises the weighted total slack (ignoring costs), and lists where demand cannot be met.
/// Empty when the network is feasible.
pub fn diagnose(net: &Network, solver: &dyn LpSolver) -> Result<Vec<Shortfall>> {
    let mut f = formulate(net);
    for c in &mut f.lp.columns {
        c.cost = 0.0;
    }
    f.lp.offset = 0.0;
    let mut slacks = Vec::new();
    for (b, rows) in f.balance_rows.iter().enumerate() {
        for (t, r) in rows.iter().enumerate() {
            let w = net.snapshots[t].weight.max(1e-9);
            slacks.push((b, t, f.lp.add_col(w, 0.0, f64::INFINITY, vec![(*r, 1.0)])));
        }
    }
    let sol = solver.solve(&f.lp, None)?;
    Ok(slacks
        .into_iter()
        .filter(|(_, _, c)| sol.columns[*c] > 1e-7)
        .map(|(b, t, c)| Shortfall {
            bus: net.buses[b].name.clone(),
            snapshot: net.snapshots[t].name.clone(),
            amount: sol.columns[c],
        })
        .collect())
}

fn explain_infeasible(net: &Network, solver: &dyn LpSolver, e: EnergyError) -> EnergyError {
    let EnergyError::Infeasible(status) = e else {
        return e;
    };
    match diagnose(net, solver) {
        Ok(list) if !list.is_empty() => {
            let mut by_bus: Vec<(String, f64, usize)> = Vec::new();
            for s in &list {
                match by_bus.iter_mut().find(|(b, _, _)| *b == s.bus) {
                    Some(x) => {
                        x.1 = x.1.max(s.amount);
                        x.2 += 1;
                    }
                    None => by_bus.push((s.bus.clone(), s.amount, 1)),
                }
            }
            let parts: Vec<String> = by_bus
                .iter()
                .map(|(b, peak, n)| {
                    format!("{b} short by up to {peak:.3} mcm/d in {n} snapshot(s)")
                })
                .collect();
            EnergyError::Infeasible(format!(
                "demand cannot be met ({status}): {}; add shed_* supplies to price unserved demand",
                parts.join(", ")
            ))
        }
        _ => EnergyError::Infeasible(status),
    }
}

/// Reads a plan from the solution of the formulation of `net`.
pub fn read(net: &Network, f: &Formulation, sol: &LpSolution) -> Plan {
    let x = &sol.columns;
    let nt = net.num_snapshots();
    let mut costs = Costs::default();
    let dispatch: Vec<Vec<f64>> = f
        .supply_cols
        .iter()
        .map(|cols| cols.iter().map(|c| x[*c]).collect())
        .collect();
    let mut unserved = Vec::new();
    for (s, sup) in net.supplies.iter().enumerate() {
        let cost: f64 = (0..nt)
            .map(|t| net.snapshots[t].weight * sup.marginal_cost * dispatch[s][t])
            .sum();
        if sup.is_shed() {
            costs.unserved += cost;
            let volume: f64 = (0..nt)
                .map(|t| net.snapshots[t].weight * dispatch[s][t])
                .sum();
            let peak = dispatch[s].iter().copied().fold(0.0, f64::max);
            if peak > 1e-6 {
                unserved.push(Unserved {
                    bus: sup.bus.clone(),
                    volume,
                    peak,
                });
            }
        } else {
            costs.supply += cost;
        }
    }
    let flows: Vec<Vec<f64>> = f
        .link_cols
        .iter()
        .map(|cols| cols.iter().map(|c| x[*c]).collect())
        .collect();
    let mut builds = Vec::new();
    for (l, link) in net.links.iter().enumerate() {
        costs.link_operation += (0..nt)
            .map(|t| net.snapshots[t].weight * link.marginal_cost * flows[l][t])
            .sum::<f64>();
        if let Some(c) = f.cap_cols[l] {
            let new_capacity = x[c] - link.p_nom;
            let capex = link.capital_cost * new_capacity;
            costs.capital += capex;
            builds.push(Build {
                link: link.name.clone(),
                p_nom: link.p_nom,
                p_nom_opt: x[c],
                new_capacity,
                capex,
            });
        }
    }
    let prices = f
        .balance_rows
        .iter()
        .map(|rows| {
            rows.iter()
                .enumerate()
                .map(|(t, r)| {
                    let w = net.snapshots[t].weight;
                    if w > 0.0 { sol.row_duals[*r] / w } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let mut h = ResultHasher::default();
    h.add("objective", sol.objective);
    for b in &builds {
        h.add(&b.link, b.new_capacity);
    }
    for (l, link) in net.links.iter().enumerate() {
        for (t, v) in flows[l].iter().enumerate() {
            h.add(&format!("{}[{t}]", link.name), *v);
        }
    }
    Plan {
        objective: sol.objective,
        costs,
        builds,
        link_names: net.links.iter().map(|l| l.name.clone()).collect(),
        flows,
        supply_names: net.supplies.iter().map(|s| s.name.clone()).collect(),
        dispatch,
        bus_names: net.buses.iter().map(|b| b.name.clone()).collect(),
        prices,
        unserved,
        size: ModelSize {
            columns: f.lp.columns.len(),
            rows: f.lp.rows.len(),
            nonzeros: f.lp.nonzeros(),
        },
        iterations: sol.iterations,
        integer: false,
        input_hash: network_hash(net),
        result_hash: h.finish(),
    }
}
