//! ENTSOG's modelled security-of-supply indicators on a peak day: the remaining flexibility of
//! each country and the disrupted demand shared cooperatively between countries when a piece of
//! infrastructure or a source is lost (ENTSOG TYNDP, Annex F "Methodology", modelling-based
//! indicators).
//!
//! Both are computed on a *day situation*: one snapshot (a peak day), the capacities of a plan
//! (existing plus built) fixed, nothing built, and no priced `shed_*` supplies — unserved demand is
//! what these indicators measure, as an explicit slack per bus, not a cost.
//!
//! - **Remaining flexibility** of country Z: Z's demand is doubled; the share of that additional
//!   demand the network can still carry, without curtailing any other country more than it already
//!   was, is RF(Z) (100 %: Z could be supplied twice over; 0 %: not a unit more, or Z is already
//!   short). One LP per country; the other countries' curtailment is bounded by the day's minimal
//!   curtailment.
//! - **Cooperative disrupted demand**: first the least total unserved demand U of the day (under an
//!   outage, say); then, keeping the total at U, the flows that minimise the largest disrupted rate
//!   of any country — so, where the network allows, every country bears the same rate. The result
//!   per country is the disrupted demand (mcm/d) and the disrupted rate (share of its demand).

use std::collections::BTreeMap;

use crate::error::{EnergyError, Result};
use crate::lp::{LinearProgram, LpSolver};
use crate::model::formulate;
use crate::network::{Network, Snapshot};
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::sweep::{OutageKind, outages};

/// Below this, an amount of gas (mcm/d) counts as zero.
const TOLERANCE: f64 = 1e-7;

/// The remaining flexibility of one country.
#[derive(Debug, Clone, PartialEq)]
pub struct RemainingFlexibility {
    /// Country code.
    pub country: String,
    /// The snapshot used: the country's peak day.
    pub snapshot: String,
    /// The country's demand that day (mcm/d).
    pub demand: f64,
    /// Of a second helping of that demand, how much can still be delivered (mcm/d).
    pub additional_served: f64,
    /// `100 × additional_served / demand`; 0 when the country is already short that day.
    pub percent: f64,
}

/// One country's share of a disruption.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryDisruption {
    /// Country code.
    pub country: String,
    /// The country's demand that day (mcm/d).
    pub demand: f64,
    /// Demand that cannot be met (mcm/d).
    pub disrupted: f64,
    /// `disrupted / demand`, in 0..=1.
    pub rate: f64,
}

/// The cooperative disrupted demand of one outage (or of the intact network).
#[derive(Debug, Clone, PartialEq)]
pub struct Disruption {
    /// What is out of service (empty: nothing).
    pub outage: String,
    /// The snapshot used: the region's peak day.
    pub snapshot: String,
    /// Total demand that cannot be met (mcm/d).
    pub total_disrupted: f64,
    /// Per country with demand, in code order.
    pub countries: Vec<CountryDisruption>,
}

impl Disruption {
    /// Whether any demand goes unmet.
    pub fn is_disrupted(&self) -> bool {
        self.total_disrupted > TOLERANCE
    }
}

/// Everything this module reports for a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct EntsogIndicators {
    /// Remaining flexibility per country, in code order.
    pub remaining_flexibility: Vec<RemainingFlexibility>,
    /// Cooperative disrupted demand on the regional peak day under each single outage of
    /// [`outages`] of that day (built links included), in that order.
    pub disruptions: Vec<Disruption>,
}

/// The day situation of `net` in snapshot `t`: capacities from `plan` when given (existing plus
/// built), nothing extendable, weight 1, `shed_*` supplies removed.
pub fn day_situation(net: &Network, plan: Option<&Plan>, t: usize) -> Network {
    let mut day = net.clone();
    for link in &mut day.links {
        if let Some(b) = plan.and_then(|p| p.build(&link.name)) {
            link.p_nom = b.p_nom_opt;
        }
        link.extendable = false;
        link.p_nom_max = link.p_nom;
        link.capital_cost = 0.0;
    }
    day.supplies.retain(|s| !s.is_shed());
    day.snapshots = vec![Snapshot {
        name: net.snapshots[t].name.clone(),
        weight: 1.0,
    }];
    for load in &mut day.loads {
        load.p_set = vec![load.p_set[t]];
    }
    day
}

/// Demand per country in snapshot `t` (countries with positive demand only).
fn demand_by_country(net: &Network, t: usize) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for load in &net.loads {
        if let Some(c) = net.country_of(&load.bus) {
            let v = load.p_set.get(t).copied().unwrap_or(0.0);
            if v > 0.0 {
                *out.entry(c.to_owned()).or_insert(0.0) += v;
            }
        }
    }
    out
}

/// The snapshot with the largest total demand of `country` (of all countries when `None`; the
/// first on ties).
fn peak_snapshot(net: &Network, country: Option<&str>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for t in 0..net.num_snapshots() {
        let total: f64 = net
            .loads
            .iter()
            .filter(|l| country.is_none_or(|c| net.country_of(&l.bus) == Some(c)))
            .map(|l| l.p_set[t])
            .sum();
        if total > best.1 {
            best = (t, total);
        }
    }
    best.0
}

/// A day's program with every cost zeroed and a slack column (unserved demand, bounded by the
/// bus's demand) at every bus with demand. Returns the program and `(bus index, country, column)`.
fn slack_program(day: &Network) -> (LinearProgram, Vec<(usize, Option<String>, usize)>) {
    let mut f = formulate(day);
    for c in &mut f.lp.columns {
        c.cost = 0.0;
    }
    f.lp.offset = 0.0;
    let mut slacks = Vec::new();
    for (b, bus) in day.buses.iter().enumerate() {
        let demand = day.load_of(&bus.name)[0];
        if demand > 0.0 {
            let row = f.balance_rows[b][0];
            let col = f.lp.add_col(0.0, 0.0, demand, vec![(row, 1.0)]);
            slacks.push((b, bus.country.clone(), col));
        }
    }
    (f.lp, slacks)
}

/// Least unserved demand of a day per country (and its total), minimising the total.
fn least_unserved(day: &Network, solver: &dyn LpSolver) -> Result<(f64, BTreeMap<String, f64>)> {
    let (mut lp, slacks) = slack_program(day);
    for &(_, _, col) in &slacks {
        lp.columns[col].cost = 1.0;
    }
    let sol = solver.solve(&lp, None)?;
    let mut by_country = BTreeMap::new();
    let mut total = 0.0;
    for (_, country, col) in &slacks {
        let v = sol.columns[*col].max(0.0);
        total += v;
        if let Some(c) = country {
            *by_country.entry(c.clone()).or_insert(0.0) += v;
        }
    }
    Ok((total, by_country))
}

/// Remaining flexibility of every country with demand, each on its own peak day, with the
/// capacities of `plan` (or the existing ones).
pub fn remaining_flexibility(
    net: &Network,
    plan: Option<&Plan>,
    solver: &dyn LpSolver,
) -> Result<Vec<RemainingFlexibility>> {
    remaining_flexibility_with(net, plan, solver, &|| {})
}

fn remaining_flexibility_with(
    net: &Network,
    plan: Option<&Plan>,
    solver: &dyn LpSolver,
    on_step: &dyn Fn(),
) -> Result<Vec<RemainingFlexibility>> {
    let countries: Vec<String> = demand_by_country_any(net);
    let mut out = Vec::with_capacity(countries.len());
    for country in countries {
        let t = peak_snapshot(net, Some(&country));
        let day = day_situation(net, plan, t);
        let demand = demand_by_country(&day, 0)
            .get(&country)
            .copied()
            .unwrap_or(0.0);
        let (_, short) = least_unserved(&day, solver)?;
        let already_short = short.get(&country).copied().unwrap_or(0.0);
        let snapshot = day.snapshots[0].name.clone();
        on_step();
        if already_short > TOLERANCE {
            out.push(RemainingFlexibility {
                country,
                snapshot,
                demand,
                additional_served: 0.0,
                percent: 0.0,
            });
            continue;
        }
        // Double the country's demand: the slack at its buses may cover only the addition, and
        // no other country may be curtailed beyond its least shortfall of the day.
        let mut doubled = day.clone();
        for load in &mut doubled.loads {
            if day.country_of(&load.bus) == Some(country.as_str()) {
                load.p_set[0] *= 2.0;
            }
        }
        let (mut lp, slacks) = slack_program(&doubled);
        let mut caps: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (b, c, col) in &slacks {
            match c.as_deref() {
                Some(c) if c == country => {
                    lp.columns[*col].cost = 1.0;
                    lp.columns[*col].upper = day.load_of(&day.buses[*b].name)[0];
                }
                Some(c) => caps.entry(c).or_default().push(*col),
                None => lp.columns[*col].upper = 0.0,
            }
        }
        for (c, cols) in caps {
            let least = short.get(c).copied().unwrap_or(0.0);
            let bound = if least > TOLERANCE {
                least * (1.0 + 1e-9)
            } else {
                0.0
            };
            let row = lp.add_row(f64::NEG_INFINITY, bound);
            for col in cols {
                lp.columns[col].entries.push((row, 1.0));
            }
        }
        let sol = solver
            .solve(&lp, None)
            .map_err(|e| EnergyError::Solver(format!("remaining flexibility of {country}: {e}")))?;
        let unserved: f64 = slacks
            .iter()
            .filter(|(_, c, _)| c.as_deref() == Some(country.as_str()))
            .map(|(_, _, col)| sol.columns[*col].max(0.0))
            .sum();
        let additional_served = (demand - unserved).clamp(0.0, demand);
        out.push(RemainingFlexibility {
            percent: 100.0 * additional_served / demand,
            country,
            snapshot,
            demand,
            additional_served,
        });
    }
    Ok(out)
}

/// Countries with demand in any snapshot, in code order.
fn demand_by_country_any(net: &Network) -> Vec<String> {
    let mut out: Vec<String> = net
        .loads
        .iter()
        .filter(|l| l.p_set.iter().any(|v| *v > 0.0))
        .filter_map(|l| net.country_of(&l.bus).map(str::to_owned))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The cooperative disrupted demand of a day situation (see the module docs).
pub fn cooperative_disruption(
    day: &Network,
    outage: &str,
    solver: &dyn LpSolver,
) -> Result<Disruption> {
    let demand = demand_by_country(day, 0);
    let (total, least) = least_unserved(day, solver)?;
    let snapshot = day.snapshots[0].name.clone();
    let mut shares: BTreeMap<String, f64> = least;
    if total > TOLERANCE {
        // Minimise the largest rate r with Σ slack = U (within tolerance) and
        // slack(country) ≤ r × demand(country).
        let (mut lp, slacks) = slack_program(day);
        let rate = lp.add_col(1.0, 0.0, 1.0, Vec::new());
        let total_row = lp.add_row(f64::NEG_INFINITY, total * (1.0 + 1e-9) + TOLERANCE);
        let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
        for (c, d) in &demand {
            let row = lp.add_row(f64::NEG_INFINITY, 0.0);
            lp.columns[rate].entries.push((row, -d));
            rows.insert(c, row);
        }
        for (_, c, col) in &slacks {
            lp.columns[*col].entries.push((total_row, 1.0));
            if let Some(row) = c.as_deref().and_then(|c| rows.get(c)) {
                lp.columns[*col].entries.push((*row, 1.0));
            }
        }
        let sol = solver
            .solve(&lp, None)
            .map_err(|e| EnergyError::Solver(format!("cooperative disruption: {e}")))?;
        shares.clear();
        for (_, c, col) in &slacks {
            if let Some(c) = c {
                *shares.entry(c.clone()).or_insert(0.0) += sol.columns[*col].max(0.0);
            }
        }
    }
    let countries = demand
        .iter()
        .map(|(c, d)| {
            let disrupted = shares.get(c).copied().unwrap_or(0.0);
            let disrupted = if disrupted > TOLERANCE {
                disrupted
            } else {
                0.0
            };
            CountryDisruption {
                country: c.clone(),
                demand: *d,
                disrupted,
                rate: disrupted / d,
            }
        })
        .collect();
    Ok(Disruption {
        outage: outage.to_owned(),
        snapshot,
        total_disrupted: if total > TOLERANCE { total } else { 0.0 },
        countries,
    })
}

/// How many steps [`entsog_indicators`] reports: one per country with demand and one per
/// outage of the peak day.
pub fn entsog_steps(net: &Network, plan: Option<&Plan>) -> usize {
    let day = day_situation(net, plan, peak_snapshot(net, None));
    demand_by_country_any(net).len() + outages(&day).len()
}

/// Remaining flexibility per country and the cooperative disrupted demand under every single
/// outage, with the capacities of `plan` (or the existing ones). `on_step` is called after each
/// country and each outage (see [`entsog_steps`]), for progress bars.
pub fn entsog_indicators(
    net: &Network,
    plan: Option<&Plan>,
    solver: &dyn LpSolver,
    on_step: &dyn Fn(),
) -> Result<EntsogIndicators> {
    let remaining_flexibility = remaining_flexibility_with(net, plan, solver, on_step)?;
    let t = peak_snapshot(net, None);
    let day = day_situation(net, plan, t);
    let mut disruptions = Vec::new();
    for (kind, name) in outages(&day) {
        let scenario = match kind {
            OutageKind::Link => Scenario::link_outage(&name),
            OutageKind::Supply => Scenario::supply_outage(&name),
        };
        let outaged = scenario.apply(&day)?;
        disruptions.push(cooperative_disruption(&outaged, &name, solver)?);
        on_step();
    }
    Ok(EntsogIndicators {
        remaining_flexibility,
        disruptions,
    })
}
