//! Scenarios as data (TOML): transit countries excluded, links or supplies cut, demand growth, price changes.
//!
//! Applying a scenario never changes the shape of the model: a cut component keeps its place
//! with zero capacity, so a scenario's solve can be warm-started from the base solution.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{EnergyError, Result};
use crate::model::BuildRules;
use crate::network::Network;

/// A planning scenario. Every field is optional; the empty scenario is the base case.
///
/// ```toml
/// name = "no-KP-transit"
/// exclude_transit = ["KP"]       # links touching or crossing these countries are unavailable
/// cut_links = ["FER"]            # links out of service (existing and new capacity)
/// cut_supplies = ["Sakhalin"]    # supplies out of service
/// no_build = ["KOR_SUB_new"]     # links that may not be extended
/// demand_growth = 1.1            # all loads × 1.1
/// [demand_factor]                # loads × factor, by bus or country (after demand_growth)
/// KR = 1.2
/// [price_factor]                 # supply marginal cost × factor, by supply, bus or country
/// LNG_spot = 2.5
/// yes_no = ["JP_SAK_new"]        # built whole or not at all (MILP)
/// either_or = [["KOR_RU_KP_new", "KOR_SUB_new"]]  # at most one of each group (MILP)
/// [capital_cost_factor]          # link capital cost × factor, by link or "*"
/// "*" = 1.3
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Label.
    #[serde(default)]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Countries whose territory may not be crossed.
    #[serde(default)]
    pub exclude_transit: Vec<String>,
    /// Links out of service.
    #[serde(default)]
    pub cut_links: Vec<String>,
    /// Supplies out of service.
    #[serde(default)]
    pub cut_supplies: Vec<String>,
    /// Links that may not be extended.
    #[serde(default)]
    pub no_build: Vec<String>,
    /// Factor on every load.
    #[serde(default)]
    pub demand_growth: Option<f64>,
    /// Factors on loads by bus or country.
    #[serde(default)]
    pub demand_factor: BTreeMap<String, f64>,
    /// Factors on supply marginal costs by supply name, bus or country.
    #[serde(default)]
    pub price_factor: BTreeMap<String, f64>,
    /// Factors on link capital costs by link name, or `*` for all.
    #[serde(default)]
    pub capital_cost_factor: BTreeMap<String, f64>,
    /// Links built whole or not at all (makes the program a MILP).
    #[serde(default)]
    pub yes_no: Vec<String>,
    /// Groups of links of which at most one may be built (MILP).
    #[serde(default)]
    pub either_or: Vec<Vec<String>>,
}

fn check_factor(what: &str, key: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v < 0.0 {
        return Err(EnergyError::Scenario(format!(
            "{what} `{key}` = {v} must be a finite number ≥ 0"
        )));
    }
    Ok(())
}

impl Scenario {
    /// Parses a scenario from TOML text.
    pub fn from_toml(text: &str) -> Result<Scenario> {
        toml::from_str(text).map_err(|e| EnergyError::Scenario(e.to_string()))
    }

    /// The yes/no and either-or build rules of this scenario.
    pub fn build_rules(&self) -> BuildRules {
        BuildRules {
            yes_no: self.yes_no.clone(),
            either_or: self.either_or.clone(),
        }
    }

    /// A scenario with one link out of service.
    pub fn link_outage(link: &str) -> Scenario {
        Scenario {
            name: format!("outage {link}"),
            cut_links: vec![link.to_owned()],
            ..Scenario::default()
        }
    }

    /// A scenario with one supply out of service.
    pub fn supply_outage(supply: &str) -> Scenario {
        Scenario {
            name: format!("outage {supply}"),
            cut_supplies: vec![supply.to_owned()],
            ..Scenario::default()
        }
    }

    /// The network under this scenario. Unknown names are errors.
    pub fn apply(&self, base: &Network) -> Result<Network> {
        let mut net = base.clone();
        let countries: Vec<String> = net.buses.iter().filter_map(|b| b.country.clone()).collect();
        let is_country = |c: &str| countries.iter().any(|x| x == c);
        for c in &self.exclude_transit {
            if !is_country(c) && !net.links.iter().any(|l| l.transit.contains(c)) {
                return Err(EnergyError::Scenario(format!(
                    "exclude_transit: unknown country `{c}`"
                )));
            }
        }
        let excluded: Vec<usize> = net
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let cs = base.link_countries(l);
                self.exclude_transit.iter().any(|c| cs.contains(c))
            })
            .map(|(i, _)| i)
            .collect();
        for i in excluded {
            cut_link(&mut net.links[i]);
        }
        for name in &self.cut_links {
            let l = net
                .links
                .iter_mut()
                .find(|l| &l.name == name)
                .ok_or_else(|| {
                    EnergyError::Scenario(format!("cut_links: unknown link `{name}`"))
                })?;
            cut_link(l);
        }
        for name in &self.no_build {
            let l = net
                .links
                .iter_mut()
                .find(|l| &l.name == name)
                .ok_or_else(|| EnergyError::Scenario(format!("no_build: unknown link `{name}`")))?;
            l.p_nom_max = l.p_nom;
        }
        for name in &self.cut_supplies {
            let s = net
                .supplies
                .iter_mut()
                .find(|s| &s.name == name)
                .ok_or_else(|| {
                    EnergyError::Scenario(format!("cut_supplies: unknown supply `{name}`"))
                })?;
            s.p_nom = 0.0;
        }
        if let Some(g) = self.demand_growth {
            check_factor("demand_growth", "", g)?;
            for l in &mut net.loads {
                l.p_set.iter_mut().for_each(|v| *v *= g);
            }
        }
        for (key, f) in &self.demand_factor {
            check_factor("demand_factor", key, *f)?;
            let mut hit = false;
            for l in &mut net.loads {
                if &l.bus == key || base.country_of(&l.bus) == Some(key.as_str()) {
                    hit = true;
                    l.p_set.iter_mut().for_each(|v| *v *= f);
                }
            }
            if !hit {
                return Err(EnergyError::Scenario(format!(
                    "demand_factor: no load at bus or country `{key}`"
                )));
            }
        }
        for (key, f) in &self.price_factor {
            check_factor("price_factor", key, *f)?;
            let mut hit = false;
            for s in &mut net.supplies {
                if &s.name == key || &s.bus == key || base.country_of(&s.bus) == Some(key.as_str())
                {
                    hit = true;
                    s.marginal_cost *= f;
                }
            }
            if !hit {
                return Err(EnergyError::Scenario(format!(
                    "price_factor: no supply, bus or country `{key}`"
                )));
            }
        }
        for (key, f) in &self.capital_cost_factor {
            check_factor("capital_cost_factor", key, *f)?;
            let mut hit = false;
            for l in &mut net.links {
                if key == "*" || &l.name == key {
                    hit = true;
                    l.capital_cost *= f;
                }
            }
            if !hit {
                return Err(EnergyError::Scenario(format!(
                    "capital_cost_factor: unknown link `{key}`"
                )));
            }
        }
        Ok(net)
    }
}

fn cut_link(l: &mut crate::network::Link) {
    l.p_nom = 0.0;
    l.p_nom_max = 0.0;
}
