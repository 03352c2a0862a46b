//! The planner as the CLI uses it: load a network, apply a scenario, solve, report, write results.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde_json::json;

use crate::csv::read_dir;
use crate::data::builtin;
use crate::error::{EnergyError, Result};
use crate::lp::LpSolver;
use crate::network::Network;
use crate::plan::{Plan, solve_with};
use crate::scenario::Scenario;
use crate::security::{CountryN1, Dependence, dependence, n1_by_country};

/// Everything one planning run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Scenario label (empty for the base case).
    pub scenario: String,
    /// The network as solved (scenario applied).
    pub network: Network,
    /// The optimum.
    pub plan: Plan,
    /// N-1 per country with the optimal capacities.
    pub n1: Vec<CountryN1>,
    /// Supplier and transit dependence per country.
    pub dependence: Vec<Dependence>,
}

/// A network by built-in name (`nea14-daily`, `nea14-annual`) or by folder path.
pub fn load_network(name_or_dir: &str) -> Result<Network> {
    match builtin(name_or_dir) {
        Some(net) => net,
        None => read_dir(Path::new(name_or_dir)),
    }
}

/// Reads a scenario TOML file.
pub fn load_scenario(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|source| EnergyError::Io {
        path: path.to_owned(),
        source,
    })?;
    Scenario::from_toml(&text)
}

/// Applies `scenario` (if any) to `base`, solves and computes the indicators.
pub fn run(base: &Network, scenario: Option<&Scenario>, solver: &dyn LpSolver) -> Result<Report> {
    let network = match scenario {
        Some(s) => s.apply(base)?,
        None => base.clone(),
    };
    let rules = scenario.map(Scenario::build_rules).unwrap_or_default();
    let plan = solve_with(&network, &rules, solver)?;
    Ok(Report {
        scenario: scenario.map(|s| s.name.clone()).unwrap_or_default(),
        n1: n1_by_country(&network, Some(&plan)),
        dependence: dependence(&network, &plan),
        network,
        plan,
    })
}

/// Runs several scenarios on one base network in parallel (for `plan sweep` / `plan compare`).
pub fn run_many(
    base: &Network,
    scenarios: &[Scenario],
    solver: &dyn LpSolver,
) -> Result<Vec<Report>> {
    scenarios
        .par_iter()
        .map(|s| run(base, Some(s), solver))
        .collect()
}

/// A text summary; its first line is `objective <value>` in the network's cost unit.
pub fn summary(r: &Report) -> String {
    let p = &r.plan;
    let mut s = String::new();
    let _ = writeln!(s, "objective {:.4}", p.objective);
    if !r.scenario.is_empty() {
        let _ = writeln!(s, "scenario {}", r.scenario);
    }
    let _ = writeln!(
        s,
        "costs supply {:.1} unserved {:.1} link_operation {:.1} capital {:.1}",
        p.costs.supply, p.costs.unserved, p.costs.link_operation, p.costs.capital
    );
    let _ = writeln!(
        s,
        "model {} variables {} constraints {} nonzeros, {} simplex iterations",
        p.size.columns, p.size.rows, p.size.nonzeros, p.iterations
    );
    for b in p.builds.iter().filter(|b| b.new_capacity > 1e-6) {
        let _ = writeln!(
            s,
            "build {} {:.6} mcm/d capex {:.1}",
            b.link, b.new_capacity, b.capex
        );
    }
    for u in &p.unserved {
        let _ = writeln!(
            s,
            "unserved {} {:.3} mcm/yr peak {:.3} mcm/d",
            u.bus, u.volume, u.peak
        );
    }
    for b in &p.bus_names {
        if let Some(price) = p.mean_price(&r.network, b) {
            let _ = writeln!(s, "price {b} {price:.4}");
        }
    }
    for c in &r.n1 {
        let _ = writeln!(
            s,
            "n-1 {} {:.1}% (largest {})",
            c.country, c.percent, c.largest
        );
    }
    for d in &r.dependence {
        let top = d
            .origins
            .first()
            .map(|(n, v)| format!("{n} {:.1}%", v * 100.0));
        let _ = writeln!(
            s,
            "dependence {} top origin {} max foreign {:.1}% hhi {:.3}",
            d.country,
            top.unwrap_or_default(),
            d.max_single_supplier * 100.0,
            d.hhi
        );
    }
    let _ = writeln!(s, "input_hash {}", p.input_hash);
    let _ = writeln!(s, "result_hash {}", p.result_hash);
    s
}

/// A side-by-side table of several runs (for `plan compare`): objective, change against the
/// first run, unserved volume, and new capacity per link that any run builds.
pub fn compare_table(reports: &[Report]) -> String {
    let mut links: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.plan.builds.iter())
        .filter(|b| b.new_capacity > 1e-6)
        .map(|b| b.link.as_str())
        .collect();
    links.sort_unstable();
    links.dedup();
    let base = reports.first().map_or(0.0, |r| r.plan.objective);
    let mut s = String::from("scenario,objective,delta,unserved");
    for l in &links {
        let _ = write!(s, ",{l}");
    }
    s.push('\n');
    for r in reports {
        let unserved: f64 = r.plan.unserved.iter().map(|u| u.volume).sum::<f64>() + 0.0;
        let name = if r.scenario.is_empty() {
            "base"
        } else {
            r.scenario.as_str()
        };
        let _ = write!(
            s,
            "{name},{:.4},{:.4},{unserved:.3}",
            r.plan.objective,
            r.plan.objective - base
        );
        for l in &links {
            let v = r.plan.build(l).map_or(0.0, |b| b.new_capacity);
            let _ = write!(s, ",{v:.6}");
        }
        s.push('\n');
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|source| EnergyError::Io { path, source })
}

fn table(header: &str, rows: &[Vec<String>], columns: &[String]) -> String {
    let mut s = String::from(header);
    for c in columns {
        s.push(',');
        s.push_str(c);
    }
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

/// Time series `[component][t]` as a CSV with one row per snapshot.
fn series(net: &Network, names: &[String], values: &[Vec<f64>]) -> String {
    let rows: Vec<Vec<String>> = net
        .snapshots
        .iter()
        .enumerate()
        .map(|(t, snap)| {
            std::iter::once(snap.name.clone())
                .chain(values.iter().map(|v| v[t].to_string()))
                .collect()
        })
        .collect();
    table("t", &rows, names)
}

/// Writes `builds.csv`, `flows.csv`, `dispatch.csv`, `prices.csv`, `unserved.csv`,
/// `security.csv` and `summary.json` into `dir` (created if needed).
pub fn write_report(r: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| EnergyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let p = &r.plan;
    let mut s = String::from("link,p_nom,p_nom_opt,new_capacity,capex\n");
    for b in &p.builds {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            b.link, b.p_nom, b.p_nom_opt, b.new_capacity, b.capex
        );
    }
    write(dir, "builds.csv", &s)?;
    write(
        dir,
        "flows.csv",
        &series(&r.network, &p.link_names, &p.flows),
    )?;
    write(
        dir,
        "dispatch.csv",
        &series(&r.network, &p.supply_names, &p.dispatch),
    )?;
    write(
        dir,
        "prices.csv",
        &series(&r.network, &p.bus_names, &p.prices),
    )?;
    let mut s = String::from("bus,volume,peak\n");
    for u in &p.unserved {
        let _ = writeln!(s, "{},{},{}", u.bus, u.volume, u.peak);
    }
    write(dir, "unserved.csv", &s)?;
    let mut s = String::from("country,ep_m,p_m,s_m,lng_m,i_m,d_max,n1_percent,largest\n");
    for c in &r.n1 {
        let t = &c.terms;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{}",
            c.country, t.ep_m, t.p_m, t.s_m, t.lng_m, t.i_m, t.d_max, c.percent, c.largest
        );
    }
    write(dir, "security.csv", &s)?;
    let summary = json!({
        "scenario": r.scenario,
        "objective": p.objective,
        "costs": {
            "supply": p.costs.supply,
            "unserved": p.costs.unserved,
            "link_operation": p.costs.link_operation,
            "capital": p.costs.capital,
        },
        "builds": p.builds.iter().map(|b| json!({"link": b.link, "new_capacity": b.new_capacity, "capex": b.capex})).collect::<Vec<_>>(),
        "unserved": p.unserved.iter().map(|u| json!({"bus": u.bus, "volume": u.volume, "peak": u.peak})).collect::<Vec<_>>(),
        "mean_prices": p.bus_names.iter().map(|b| json!({"bus": b, "price": p.mean_price(&r.network, b)})).collect::<Vec<_>>(),
        "n1": r.n1.iter().map(|c| json!({"country": c.country, "percent": c.percent, "largest": c.largest})).collect::<Vec<_>>(),
        "dependence": r.dependence.iter().map(|d| json!({
            "country": d.country, "origins": d.origins, "transit": d.transit,
            "max_single_supplier": d.max_single_supplier, "hhi": d.hhi})).collect::<Vec<_>>(),
        "model": {"variables": p.size.columns, "constraints": p.size.rows, "nonzeros": p.size.nonzeros, "iterations": p.iterations},
        "input_hash": p.input_hash,
        "result_hash": p.result_hash,
    });
    let text =
        serde_json::to_string_pretty(&summary).map_err(|e| EnergyError::Solver(e.to_string()))?;
    write(dir, "summary.json", &text)
}
