//! The gas network model: buses, links (pipelines, LNG regasification), supplies, loads and snapshots.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::error::{EnergyError, InputProblem, Result};

/// A node of the network (PyPSA's bus).
#[derive(Debug, Clone, PartialEq)]
pub struct Bus {
    /// Unique name, e.g. `RU_VLA`.
    pub name: String,
    /// Longitude (degrees east).
    pub x: f64,
    /// Latitude (degrees north).
    pub y: f64,
    /// ISO-like country code; `None` for a market node such as the world LNG market.
    pub country: Option<String>,
}

/// A directed link: a pipeline or an LNG regasification terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Unique name.
    pub name: String,
    /// Bus where the flow enters (and is measured).
    pub bus0: String,
    /// Bus where `efficiency` of the flow arrives.
    pub bus1: String,
    /// Existing capacity, mcm/d (measured at `bus0`).
    pub p_nom: f64,
    /// Whether new capacity may be built.
    pub extendable: bool,
    /// Upper bound of total capacity when extendable (may be infinite).
    pub p_nom_max: f64,
    /// Length, km.
    pub length: f64,
    /// Annualised cost per unit of new capacity per year (cost unit per mcm/d).
    pub capital_cost: f64,
    /// Share of the entering flow that arrives at `bus1`.
    pub efficiency: f64,
    /// Cost per unit of entering flow.
    pub marginal_cost: f64,
    /// Countries the route crosses besides the countries of its two buses.
    pub transit: Vec<String>,
}

/// A source of gas at a bus: a field, an LNG market, a domestic block or an unserved-demand penalty (`shed_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    /// Unique name; names starting with `shed_` are unserved demand.
    pub name: String,
    /// Bus it feeds.
    pub bus: String,
    /// Capacity, mcm/d.
    pub p_nom: f64,
    /// Cost per mcm.
    pub marginal_cost: f64,
}

impl Supply {
    /// Whether this supply stands for unserved demand (load shedding).
    pub fn is_shed(&self) -> bool {
        self.name.starts_with(SHED_PREFIX)
    }
}

/// Prefix of the names of unserved-demand supplies.
pub const SHED_PREFIX: &str = "shed_";

/// One period of the model and the number of days it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Label from the `t` column.
    pub name: String,
    /// Objective weight (days); by default 365 / number of snapshots.
    pub weight: f64,
}

/// Demand at one bus, one value per snapshot (mcm/d).
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// The bus.
    pub bus: String,
    /// Demand per snapshot.
    pub p_set: Vec<f64>,
}

/// A whole network. Components are kept sorted by name, so that models and hashes are deterministic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Network {
    /// Buses.
    pub buses: Vec<Bus>,
    /// Links.
    pub links: Vec<Link>,
    /// Supplies.
    pub supplies: Vec<Supply>,
    /// Snapshots in time order.
    pub snapshots: Vec<Snapshot>,
    /// Loads, one per bus at most.
    pub loads: Vec<Load>,
}

/// Country of a bus name by convention: the prefix before `_` (or the whole name) when it is two upper-case letters.
pub fn country_from_name(name: &str) -> Option<String> {
    let prefix = name.split('_').next().unwrap_or(name);
    (prefix.len() == 2 && prefix.bytes().all(|b| b.is_ascii_uppercase())).then(|| prefix.to_owned())
}

/// Default snapshot weight: the year split evenly.
pub fn default_weight(snapshots: usize) -> f64 {
    365.0 / snapshots.max(1) as f64
}

fn check_nonneg(file: &str, row: usize, column: &str, v: f64) -> Result<()> {
    if v.is_nan() {
        return Err(EnergyError::input(
            file,
            row,
            column,
            InputProblem::NotANumber("NaN".into()),
        ));
    }
    if v < 0.0 {
        return Err(EnergyError::input(
            file,
            row,
            column,
            InputProblem::Negative(v),
        ));
    }
    Ok(())
}

fn check_finite_nonneg(file: &str, row: usize, column: &str, v: f64) -> Result<()> {
    check_nonneg(file, row, column, v)?;
    if v.is_infinite() {
        return Err(EnergyError::input(
            file,
            row,
            column,
            InputProblem::Infinite,
        ));
    }
    Ok(())
}

fn check_cost(file: &str, row: usize, column: &str, v: f64) -> Result<()> {
    // Costs may be negative (a subsidy) but must be finite numbers.
    if v.is_nan() {
        return Err(EnergyError::input(
            file,
            row,
            column,
            InputProblem::NotANumber("NaN".into()),
        ));
    }
    if v.is_infinite() {
        return Err(EnergyError::input(
            file,
            row,
            column,
            InputProblem::Infinite,
        ));
    }
    Ok(())
}

impl Network {
    /// Number of snapshots.
    pub fn num_snapshots(&self) -> usize {
        self.snapshots.len()
    }

    /// Index of a bus by name.
    pub fn bus_index(&self) -> BTreeMap<&str, usize> {
        self.buses
            .iter()
            .enumerate()
            .map(|(i, b)| (b.name.as_str(), i))
            .collect()
    }

    /// Country of the named bus, if any.
    pub fn country_of(&self, bus: &str) -> Option<&str> {
        self.buses
            .iter()
            .find(|b| b.name == bus)
            .and_then(|b| b.country.as_deref())
    }

    /// All countries a link touches: those of its buses and its transit countries, sorted.
    pub fn link_countries(&self, link: &Link) -> BTreeSet<String> {
        let mut s: BTreeSet<String> = link.transit.iter().cloned().collect();
        for b in [&link.bus0, &link.bus1] {
            if let Some(c) = self.country_of(b) {
                s.insert(c.to_owned());
            }
        }
        s
    }

    /// Demand of a bus per snapshot (zeros when it has no load).
    pub fn load_of(&self, bus: &str) -> Vec<f64> {
        self.loads
            .iter()
            .find(|l| l.bus == bus)
            .map(|l| l.p_set.clone())
            .unwrap_or_else(|| vec![0.0; self.num_snapshots()])
    }

    /// Sorts components by name (snapshots keep their time order).
    pub fn sort(&mut self) {
        self.buses.sort_by(|a, b| a.name.cmp(&b.name));
        self.links.sort_by(|a, b| a.name.cmp(&b.name));
        self.supplies.sort_by(|a, b| a.name.cmp(&b.name));
        self.loads.sort_by(|a, b| a.bus.cmp(&b.bus));
    }

    /// Checks names, references, values and reachability. Rows in errors are the
    /// 1-based lines the component has (or would have) in its CSV file, in the current order.
    pub fn validate(&self) -> Result<()> {
        let mut names = BTreeSet::new();
        for (i, b) in self.buses.iter().enumerate() {
            let row = i + 2;
            if !names.insert(b.name.as_str()) {
                return Err(EnergyError::input(
                    "buses.csv",
                    row,
                    "bus",
                    InputProblem::Duplicate(b.name.clone()),
                ));
            }
            check_cost("buses.csv", row, "x", b.x)?;
            check_cost("buses.csv", row, "y", b.y)?;
        }
        let known = |bus: &str| names.contains(bus);
        let mut link_names = BTreeSet::new();
        for (i, l) in self.links.iter().enumerate() {
            let (f, row) = ("links.csv", i + 2);
            if !link_names.insert(l.name.as_str()) {
                return Err(EnergyError::input(
                    f,
                    row,
                    "name",
                    InputProblem::Duplicate(l.name.clone()),
                ));
            }
            for (col, bus) in [("bus0", &l.bus0), ("bus1", &l.bus1)] {
                if !known(bus) {
                    return Err(EnergyError::input(
                        f,
                        row,
                        col,
                        InputProblem::UnknownBus(bus.clone()),
                    ));
                }
            }
            if l.bus0 == l.bus1 {
                return Err(EnergyError::input(
                    f,
                    row,
                    "bus1",
                    InputProblem::Inconsistent(format!("link from `{}` to itself", l.bus0)),
                ));
            }
            check_finite_nonneg(f, row, "p_nom", l.p_nom)?;
            check_nonneg(f, row, "p_nom_max", l.p_nom_max)?;
            check_finite_nonneg(f, row, "length", l.length)?;
            check_finite_nonneg(f, row, "capital_cost", l.capital_cost)?;
            check_cost(f, row, "marginal_cost", l.marginal_cost)?;
            if l.efficiency.is_nan() || l.efficiency <= 0.0 || l.efficiency > 1.0 {
                return Err(EnergyError::input(
                    f,
                    row,
                    "efficiency",
                    InputProblem::Efficiency(l.efficiency),
                ));
            }
            if l.extendable && l.p_nom_max < l.p_nom {
                return Err(EnergyError::input(
                    f,
                    row,
                    "p_nom_max",
                    InputProblem::Inconsistent(format!(
                        "p_nom_max {} is below p_nom {}",
                        l.p_nom_max, l.p_nom
                    )),
                ));
            }
        }
        let mut supply_names = BTreeSet::new();
        for (i, s) in self.supplies.iter().enumerate() {
            let (f, row) = ("supplies.csv", i + 2);
            if !supply_names.insert(s.name.as_str()) {
                return Err(EnergyError::input(
                    f,
                    row,
                    "name",
                    InputProblem::Duplicate(s.name.clone()),
                ));
            }
            if !known(&s.bus) {
                return Err(EnergyError::input(
                    f,
                    row,
                    "bus",
                    InputProblem::UnknownBus(s.bus.clone()),
                ));
            }
            check_finite_nonneg(f, row, "p_nom", s.p_nom)?;
            check_cost(f, row, "marginal_cost", s.marginal_cost)?;
        }
        let t = self.num_snapshots();
        for (i, s) in self.snapshots.iter().enumerate() {
            check_finite_nonneg("snapshots.csv", i + 2, "weight", s.weight)?;
        }
        let mut load_buses = BTreeSet::new();
        for l in &self.loads {
            if !known(&l.bus) {
                return Err(EnergyError::input(
                    "loads.csv",
                    1,
                    &l.bus,
                    InputProblem::UnknownBus(l.bus.clone()),
                ));
            }
            if !load_buses.insert(l.bus.as_str()) {
                return Err(EnergyError::input(
                    "loads.csv",
                    1,
                    &l.bus,
                    InputProblem::Duplicate(l.bus.clone()),
                ));
            }
            if l.p_set.len() != t {
                return Err(EnergyError::input(
                    "loads.csv",
                    l.p_set.len().min(t) + 2,
                    &l.bus,
                    InputProblem::Missing,
                ));
            }
            for (k, v) in l.p_set.iter().enumerate() {
                check_finite_nonneg("loads.csv", k + 2, &l.bus, *v)?;
            }
        }
        self.check_reachability()
    }

    /// Every bus with positive demand must be reachable from a real (non-`shed_`) supply
    /// with positive capacity, along links that have or may get capacity.
    fn check_reachability(&self) -> Result<()> {
        let idx = self.bus_index();
        let n = self.buses.len();
        let mut adj = vec![Vec::new(); n];
        for l in &self.links {
            if l.p_nom > 0.0 || (l.extendable && l.p_nom_max > 0.0) {
                adj[idx[l.bus0.as_str()]].push(idx[l.bus1.as_str()]);
            }
        }
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        for s in &self.supplies {
            if !s.is_shed() && s.p_nom > 0.0 {
                let b = idx[s.bus.as_str()];
                if !seen[b] {
                    seen[b] = true;
                    queue.push_back(b);
                }
            }
        }
        while let Some(b) = queue.pop_front() {
            for &c in &adj[b] {
                if !seen[c] {
                    seen[c] = true;
                    queue.push_back(c);
                }
            }
        }
        for l in &self.loads {
            if l.p_set.iter().any(|v| *v > 0.0) && !seen[idx[l.bus.as_str()]] {
                return Err(EnergyError::Unreachable { bus: l.bus.clone() });
            }
        }
        Ok(())
    }
}
