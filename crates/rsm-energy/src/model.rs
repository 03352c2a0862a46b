//! The least-cost capacity expansion and dispatch LP with PyPSA's semantics.
//!
//! Per snapshot `t` with weight `w_t`: supply dispatch `g[s,t] ∈ [0, p_nom_s]`; link flow
//! `f[l,t] ≥ 0` measured where it enters (`bus0`), bounded by `p_nom_l` or by the capacity
//! variable `P_l ∈ [p_nom_l, p_nom_max_l]` of an extendable link; node balance at every bus:
//! `Σ g + Σ_{l into b} η_l f[l,t] − Σ_{l out of b} f[l,t] = load[b,t]`.
//! Objective: `Σ_t w_t (Σ mc_s g[s,t] + Σ mc_l f[l,t]) + Σ capital_cost_l (P_l − p_nom_l)`.

use crate::error::{EnergyError, Result};
use crate::lp::LinearProgram;
use crate::network::Network;

/// The program of a network with the maps from components to columns and rows.
#[derive(Debug, Clone)]
pub struct Formulation {
    /// The program.
    pub lp: LinearProgram,
    /// `supply_cols[s][t]`: dispatch of supply `s` in snapshot `t`.
    pub supply_cols: Vec<Vec<usize>>,
    /// `link_cols[l][t]`: flow entering link `l` in snapshot `t`.
    pub link_cols: Vec<Vec<usize>>,
    /// Capacity column of each extendable link.
    pub cap_cols: Vec<Option<usize>>,
    /// `balance_rows[b][t]`: node balance of bus `b` in snapshot `t`.
    pub balance_rows: Vec<Vec<usize>>,
}

/// Builds the LP of `net` (which must be valid).
pub fn formulate(net: &Network) -> Formulation {
    let idx = net.bus_index();
    let nt = net.num_snapshots();
    let nb = net.buses.len();
    let mut lp = LinearProgram::default();

    // Snapshot-major order of rows and columns, as linopy lays out PyPSA's model.
    let ext: Vec<usize> = (0..net.links.len())
        .filter(|l| net.links[*l].extendable)
        .collect();
    let mut cap_rows: Vec<Option<Vec<usize>>> = net
        .links
        .iter()
        .map(|l| l.extendable.then(|| Vec::with_capacity(nt)))
        .collect();
    for _ in 0..nt {
        for &l in &ext {
            let r = lp.add_row(f64::NEG_INFINITY, 0.0);
            if let Some(rows) = cap_rows[l].as_mut() {
                rows.push(r);
            }
        }
    }
    let loads: Vec<Vec<f64>> = net.buses.iter().map(|b| net.load_of(&b.name)).collect();
    let mut balance_rows = vec![Vec::with_capacity(nt); nb];
    for t in 0..nt {
        for (b, load) in loads.iter().enumerate() {
            balance_rows[b].push(lp.add_row(load[t], load[t]));
        }
    }

    let mut supply_cols = vec![Vec::with_capacity(nt); net.supplies.len()];
    for (t, snap) in net.snapshots.iter().enumerate() {
        let w = snap.weight;
        for (s, sup) in net.supplies.iter().enumerate() {
            let b = idx[sup.bus.as_str()];
            supply_cols[s].push(lp.add_col(
                w * sup.marginal_cost,
                0.0,
                sup.p_nom,
                vec![(balance_rows[b][t], 1.0)],
            ));
        }
    }

    let mut link_cols = vec![Vec::with_capacity(nt); net.links.len()];
    for (t, snap) in net.snapshots.iter().enumerate() {
        let w = snap.weight;
        for (l, link) in net.links.iter().enumerate() {
            let (b0, b1) = (idx[link.bus0.as_str()], idx[link.bus1.as_str()]);
            let mut entries = vec![
                (balance_rows[b0][t], -1.0),
                (balance_rows[b1][t], link.efficiency),
            ];
            let upper = match &cap_rows[l] {
                Some(rows) => {
                    entries.push((rows[t], 1.0));
                    f64::INFINITY
                }
                None => link.p_nom,
            };
            entries.sort_by_key(|e| e.0);
            link_cols[l].push(lp.add_col(w * link.marginal_cost, 0.0, upper, entries));
        }
    }
    let mut cap_cols = Vec::with_capacity(net.links.len());
    for (l, link) in net.links.iter().enumerate() {
        cap_cols.push(cap_rows[l].as_ref().map(|rows| {
            lp.offset -= link.capital_cost * link.p_nom;
            lp.add_col(
                link.capital_cost,
                link.p_nom,
                link.p_nom_max,
                rows.iter().map(|r| (*r, -1.0)).collect(),
            )
        }));
    }
    Formulation {
        lp,
        supply_cols,
        link_cols,
        cap_cols,
        balance_rows,
    }
}

/// Rules that turn builds into yes/no decisions, making the program a MILP.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildRules {
    /// Extendable links built whole (to `p_nom_max`) or not at all.
    pub yes_no: Vec<String>,
    /// Groups of extendable links of which at most one may be built (e.g. the North Korean
    /// route or the subsea bypass).
    pub either_or: Vec<Vec<String>>,
}

impl BuildRules {
    /// Whether there are no rules (the program stays an LP).
    pub fn is_empty(&self) -> bool {
        self.yes_no.is_empty() && self.either_or.is_empty()
    }
}

/// Adds a binary build decision `y_l` for every link named in `rules`:
/// `P_l = p_nom + y_l (p_nom_max − p_nom)` for yes/no links, `P_l ≤ p_nom + y_l (p_nom_max − p_nom)`
/// for the others, and `Σ_{l ∈ group} y_l ≤ 1` for each either-or group.
/// Returns the binary columns by link index.
pub fn add_build_rules(
    net: &Network,
    f: &mut Formulation,
    rules: &BuildRules,
) -> Result<Vec<(usize, usize)>> {
    let find = |name: &str| -> Result<usize> {
        let l = net
            .links
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| EnergyError::Scenario(format!("build rule: unknown link `{name}`")))?;
        let link = &net.links[l];
        if !link.extendable || !link.p_nom_max.is_finite() {
            return Err(EnergyError::Scenario(format!(
                "build rule: link `{name}` must be extendable with a finite p_nom_max"
            )));
        }
        Ok(l)
    };
    let mut binaries: Vec<(usize, usize)> = Vec::new();
    let mut binary_of = |l: usize, whole: bool, f: &mut Formulation| -> usize {
        if let Some((_, c)) = binaries.iter().find(|(x, _)| *x == l) {
            return *c;
        }
        let link = &net.links[l];
        let cap = f.cap_cols[l].expect("extendable link has a capacity column");
        let (lo, hi) = if whole {
            (link.p_nom, link.p_nom)
        } else {
            (f64::NEG_INFINITY, link.p_nom)
        };
        let row = f.lp.add_row(lo, hi);
        f.lp.columns[cap].entries.push((row, 1.0));
        let y =
            f.lp.add_col(0.0, 0.0, 1.0, vec![(row, -(link.p_nom_max - link.p_nom))]);
        f.lp.columns[y].integer = true;
        binaries.push((l, y));
        y
    };
    for name in &rules.yes_no {
        let l = find(name)?;
        binary_of(l, true, f);
    }
    for group in &rules.either_or {
        let row = f.lp.add_row(f64::NEG_INFINITY, 1.0);
        for name in group {
            let l = find(name)?;
            let y = binary_of(l, false, f);
            f.lp.columns[y].entries.push((row, 1.0));
        }
    }
    Ok(binaries)
}
