//! `/energy`: the regional gas network and its least-cost plan, drawn as an SVG map (each
//! pipeline coloured by how full it runs, new capacity dashed), with the costs, the builds,
//! and each country's N-1 and supplier dependence.
//!
//! The plan of the shipped network (`nea14-daily`) is solved once per server, on the
//! blocking pool, the first time someone opens the page, and kept.

use std::time::Instant;

use askama::Template;
use axum::{extract::State, response::Response};
use rsm_core::access::Action;
use rsm_energy::{HighsSolver, run::Report};

use super::{Ctx, Page};
use crate::{AppState, error::ApiError};

/// The network the page shows.
pub const NETWORK: &str = "nea14-daily";

/// A solved plan, as the page keeps it.
pub struct EnergyPlan {
    pub report: Report,
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
    pub top_origin: String,
    pub hhi: String,
}

#[derive(Template)]
#[template(path = "energy.html")]
struct EnergyPage<'a> {
    ctx: &'a Ctx,
    network: &'static str,
    nodes: Vec<MapNode>,
    links: Vec<MapLink>,
    objective: String,
    supply: String,
    capital: String,
    operation: String,
    unserved: String,
    builds: Vec<BuildRow>,
    countries: Vec<CountryRow>,
    columns: usize,
    rows: usize,
    solve_ms: u128,
    input_hash: String,
    result_hash: String,
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
    if v < 0.0 { format!("-{out}") } else { out }
}

fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 { 0.0 } else { v }
}

/// Solves the shipped network's base case.
pub fn solve_base() -> Result<EnergyPlan, String> {
    let t = Instant::now();
    let network = rsm_energy::run::load_network(NETWORK).map_err(|e| e.to_string())?;
    let report =
        rsm_energy::run::run(&network, None, &HighsSolver::default()).map_err(|e| e.to_string())?;
    Ok(EnergyPlan {
        report,
        solve_ms: t.elapsed().as_millis(),
    })
}

fn map(report: &Report) -> (Vec<MapNode>, Vec<MapLink>) {
    let net = &report.network;
    let plan = &report.plan;
    let nodes = net
        .buses
        .iter()
        .map(|b| {
            let (x, y) = project(b.x, b.y);
            MapNode {
                name: b.name.clone(),
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                label_x: format!("{:.1}", x + 8.0),
                market: b.country.is_none(),
            }
        })
        .collect();
    let pos = |name: &str| {
        net.buses
            .iter()
            .find(|b| b.name == name)
            .map(|b| project(b.x, b.y))
    };
    let mut links = Vec::new();
    for (i, l) in net.links.iter().enumerate() {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(&l.bus0), pos(&l.bus1)) else {
            continue;
        };
        let built = plan
            .builds
            .iter()
            .find(|b| b.link == l.name)
            .map_or(l.p_nom, |b| b.p_nom_opt);
        let flows = plan
            .link_names
            .iter()
            .position(|n| *n == l.name)
            .and_then(|k| plan.flows.get(k))
            .or_else(|| plan.flows.get(i));
        let mean = flows.map_or(0.0, |f| {
            if f.is_empty() {
                0.0
            } else {
                f.iter().sum::<f64>() / f.len() as f64
            }
        });
        // Solver round-off gives -0.0 and 1e-12; show them as the zero they are.
        let (mean, built) = (clean(mean), clean(built));
        let new = l.extendable && l.p_nom == 0.0;
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
            name: l.name.clone(),
            x1: format!("{x1:.1}"),
            y1: format!("{y1:.1}"),
            x2: format!("{x2:.1}"),
            y2: format!("{y2:.1}"),
            width: format!("{width:.1}"),
            class: class.into(),
            new,
            title: format!(
                "{}: {} → {}, capacity {built:.1} mcm/d, mean flow {mean:.1} mcm/d",
                l.name, l.bus0, l.bus1
            ),
        });
    }
    // Candidates underneath, built pipelines on top.
    links.sort_by_key(|l| l.class != "candidate");
    (nodes, links)
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
        let report = &plan.report;
        let p = &report.plan;
        let (nodes, links) = map(report);
        page.render(&EnergyPage {
            ctx: &page.ctx,
            network: NETWORK,
            nodes,
            links,
            objective: money(p.objective),
            supply: money(p.costs.supply),
            capital: money(p.costs.capital),
            operation: money(p.costs.link_operation),
            unserved: money(p.costs.unserved),
            builds: p
                .builds
                .iter()
                .filter(|b| b.new_capacity > 1e-6)
                .map(|b| BuildRow {
                    link: b.link.clone(),
                    existing: format!("{:.1}", b.p_nom),
                    new_capacity: format!("{:.1}", b.new_capacity),
                    capex: money(b.capex),
                })
                .collect(),
            countries: report
                .n1
                .iter()
                .map(|n| {
                    let dep = report.dependence.iter().find(|d| d.country == n.country);
                    CountryRow {
                        country: n.country.clone(),
                        n1: format!("{:.0} %", n.percent),
                        n1_ok: n.percent >= 100.0,
                        largest: n.largest.clone(),
                        top_origin: dep
                            .and_then(|d| d.origins.first())
                            .map_or_else(String::new, |(o, s)| format!("{o} {:.0} %", s * 100.0)),
                        hhi: dep.map_or_else(String::new, |d| format!("{:.2}", d.hhi)),
                    }
                })
                .collect(),
            columns: p.size.columns,
            rows: p.size.rows,
            solve_ms: plan.solve_ms,
            input_hash: p.input_hash.chars().take(16).collect(),
            result_hash: p.result_hash.chars().take(16).collect(),
        })
    }
    .await;
    r.unwrap_or_else(|e| page.error_page(e))
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
