//! Security-of-supply indicators: the EU N-1 formula (Regulation 2017/1938, Annex II) per country
//! and the dependence of each country on single supplier and transit countries, traced from flows.

use std::collections::BTreeMap;

use crate::network::Network;
use crate::plan::Plan;

/// The terms of the N-1 formula, all in mcm/d.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct N1Terms {
    /// EPm: technical capacity of entry points (pipelines from abroad), as delivered.
    pub ep_m: f64,
    /// Pm: maximal technical production capability.
    pub p_m: f64,
    /// Sm: maximal technical storage deliverability.
    pub s_m: f64,
    /// LNGm: maximal technical LNG send-out capacity.
    pub lng_m: f64,
    /// Im: technical capacity of the single largest gas infrastructure.
    pub i_m: f64,
    /// Dmax: total daily demand on the peak day.
    pub d_max: f64,
}

impl N1Terms {
    /// N-1 [%] = (EPm + Pm + Sm + LNGm − Im) / Dmax × 100; `None` when there is no demand.
    pub fn percent(&self) -> Option<f64> {
        (self.d_max > 0.0)
            .then(|| (self.ep_m + self.p_m + self.s_m + self.lng_m - self.i_m) / self.d_max * 100.0)
    }
}

/// The N-1 indicator of one country.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryN1 {
    /// Country code.
    pub country: String,
    /// The terms.
    pub terms: N1Terms,
    /// Name of the single largest infrastructure (Im).
    pub largest: String,
    /// N-1 in percent (≥ 100 meets the standard).
    pub percent: f64,
}

/// N-1 per country with demand. Capacities are existing ones, or the optimal ones of `plan`
/// (existing plus built) when given. Entry points are links from a bus of another country into
/// the country (capacity × efficiency, as delivered); LNG terminals are links from a bus without
/// country (the LNG market); production is every non-`shed_` supply in the country; the model has
/// no storage (Sm = 0). Im is the largest single entry link or LNG terminal.
pub fn n1_by_country(net: &Network, plan: Option<&Plan>) -> Vec<CountryN1> {
    let mut demand: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for l in &net.loads {
        if let Some(c) = net.country_of(&l.bus) {
            let d = demand
                .entry(c)
                .or_insert_with(|| vec![0.0; net.num_snapshots()]);
            d.iter_mut().zip(&l.p_set).for_each(|(a, b)| *a += b);
        }
    }
    let capacity = |i: usize| -> f64 {
        let link = &net.links[i];
        plan.and_then(|p| p.build(&link.name))
            .map_or(link.p_nom, |b| b.p_nom_opt)
    };
    let mut out = Vec::new();
    for (country, d) in demand {
        let mut terms = N1Terms {
            d_max: d.iter().copied().fold(0.0, f64::max),
            ..N1Terms::default()
        };
        let mut largest = (0.0, String::new());
        for (i, link) in net.links.iter().enumerate() {
            let (c0, c1) = (net.country_of(&link.bus0), net.country_of(&link.bus1));
            if c1 != Some(country) || c0 == Some(country) {
                continue;
            }
            let cap = capacity(i) * link.efficiency;
            if c0.is_none() {
                terms.lng_m += cap;
            } else {
                terms.ep_m += cap;
            }
            if cap > largest.0 {
                largest = (cap, link.name.clone());
            }
        }
        terms.p_m = net
            .supplies
            .iter()
            .filter(|s| !s.is_shed() && net.country_of(&s.bus) == Some(country))
            .map(|s| s.p_nom)
            .sum::<f64>()
            + 0.0; // an empty f64 sum is -0.0
        terms.i_m = largest.0;
        out.push(CountryN1 {
            country: country.to_owned(),
            percent: terms.percent().unwrap_or(f64::INFINITY),
            terms,
            largest: largest.1,
        });
    }
    out
}

/// Where a country's gas comes from and which countries it crosses, over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependence {
    /// Consuming country.
    pub country: String,
    /// Weighted consumption over the year (mcm).
    pub consumption: f64,
    /// Share of consumption by origin (country of the supply, `LNG` for the market, `unserved`), descending.
    pub origins: Vec<(String, f64)>,
    /// Share of consumption that crossed each other country on its way (not counting gas produced there), descending.
    pub transit: Vec<(String, f64)>,
    /// Largest share of one foreign origin (the LNG market counts as one).
    pub max_single_supplier: f64,
    /// Herfindahl–Hirschman index of origins (0–1).
    pub hhi: f64,
}

/// Label of the origin of unserved demand.
pub const UNSERVED: &str = "unserved";
/// Label of the origin of gas from a bus without country (the LNG market).
pub const MARKET: &str = "LNG";

/// Traces the optimal flows of `plan` with proportional sharing at every bus (each outflow
/// carries the mix of the bus it leaves) and reports each consuming country's dependence.
pub fn dependence(net: &Network, plan: &Plan) -> Vec<Dependence> {
    let idx = net.bus_index();
    let nb = net.buses.len();
    let mut labels: Vec<String> = net.buses.iter().filter_map(|b| b.country.clone()).collect();
    labels.extend(net.links.iter().flat_map(|l| l.transit.iter().cloned()));
    labels.push(MARKET.into());
    labels.push(UNSERVED.into());
    labels.sort();
    labels.dedup();
    let li: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let nl = labels.len();
    let bus_country: Vec<Option<usize>> = net
        .buses
        .iter()
        .map(|b| b.country.as_deref().map(|c| li[c]))
        .collect();

    // Incoming links of every bus, with the labels of their transit countries.
    let mut incoming: Vec<Vec<(usize, usize, Vec<usize>)>> = vec![Vec::new(); nb];
    for (l, link) in net.links.iter().enumerate() {
        let through = link.transit.iter().map(|x| li[x.as_str()]).collect();
        incoming[idx[link.bus1.as_str()]].push((l, idx[link.bus0.as_str()], through));
    }
    // consumption[country][origin], crossed[country][label]
    let mut cons: BTreeMap<usize, (f64, Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for t in 0..net.num_snapshots() {
        let w = net.snapshots[t].weight;
        // Local injections per bus and origin.
        let mut inject = vec![vec![0.0; nl]; nb];
        for (s, sup) in net.supplies.iter().enumerate() {
            let b = idx[sup.bus.as_str()];
            let o = if sup.is_shed() {
                li[UNSERVED]
            } else {
                bus_country[b].unwrap_or(li[MARKET])
            };
            inject[b][o] += plan.dispatch[s][t];
        }
        // Visit buses in topological order of the flows (Kahn), cyclic leftovers last;
        // Gauss–Seidel sweeps then converge in one pass when flows are acyclic.
        let mut indeg = vec![0usize; nb];
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); nb];
        for (b, ins) in incoming.iter().enumerate() {
            for (l, b0, _) in ins {
                if plan.flows[*l][t] > 0.0 {
                    indeg[b] += 1;
                    out[*b0].push(b);
                }
            }
        }
        let mut order: Vec<usize> = (0..nb).filter(|b| indeg[*b] == 0).collect();
        let mut head = 0;
        while head < order.len() {
            let b = order[head];
            head += 1;
            for &c in &out[b] {
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    order.push(c);
                }
            }
        }
        order.extend((0..nb).filter(|b| indeg[*b] > 0));
        let mut origin = vec![vec![0.0; nl]; nb];
        let mut been = vec![vec![0.0; nl]; nb];
        for _ in 0..(nb + 2) {
            let mut change = 0.0f64;
            for &b in &order {
                let mut tot = inject[b].iter().sum::<f64>();
                let mut o = inject[b].clone();
                let mut e = vec![0.0; nl];
                for (k, v) in inject[b].iter().enumerate() {
                    if let Some(c) = bus_country[b]
                        && k != li[UNSERVED]
                    {
                        e[c] += v;
                    }
                }
                for (l, b0, through) in &incoming[b] {
                    let q = plan.flows[*l][t] * net.links[*l].efficiency;
                    if q <= 0.0 {
                        continue;
                    }
                    tot += q;
                    for k in 0..nl {
                        o[k] += q * origin[*b0][k];
                        e[k] += q * if through.contains(&k) {
                            1.0
                        } else {
                            been[*b0][k]
                        };
                    }
                }
                if tot > 0.0 {
                    for k in 0..nl {
                        let (no, mut ne) = (o[k] / tot, e[k] / tot);
                        if bus_country[b] == Some(k) {
                            ne = 1.0;
                        }
                        change = change
                            .max((no - origin[b][k]).abs())
                            .max((ne - been[b][k]).abs());
                        origin[b][k] = no;
                        been[b][k] = ne;
                    }
                }
            }
            if change < 1e-12 {
                break;
            }
        }
        for l in &net.loads {
            let b = idx[l.bus.as_str()];
            let Some(c) = bus_country[b] else { continue };
            let d = l.p_set[t] * w;
            let entry = cons
                .entry(c)
                .or_insert_with(|| (0.0, vec![0.0; nl], vec![0.0; nl]));
            entry.0 += d;
            for k in 0..nl {
                entry.1[k] += d * origin[b][k];
                entry.2[k] += d * (been[b][k] - origin[b][k]).max(0.0);
            }
        }
    }
    let sorted = |v: Vec<(String, f64)>| {
        let mut v: Vec<(String, f64)> = v.into_iter().filter(|(_, s)| *s > 1e-9).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    cons.into_iter()
        .filter(|(_, (d, _, _))| *d > 0.0)
        .map(|(c, (d, o, e))| {
            let origins = sorted(
                labels
                    .iter()
                    .cloned()
                    .zip(o.iter().map(|x| x / d))
                    .collect(),
            );
            let transit = sorted(
                labels
                    .iter()
                    .cloned()
                    .zip(e.iter().map(|x| x / d))
                    .enumerate()
                    .filter(|(k, _)| *k != c)
                    .map(|(_, p)| p)
                    .collect(),
            );
            let max_single_supplier = origins
                .iter()
                .filter(|(n, _)| *n != labels[c] && n != UNSERVED)
                .map(|(_, s)| *s)
                .fold(0.0, f64::max);
            let hhi = origins.iter().map(|(_, s)| s * s).sum::<f64>() + 0.0;
            Dependence {
                country: labels[c].clone(),
                consumption: d,
                origins,
                transit,
                max_single_supplier,
                hhi,
            }
        })
        .collect()
}
