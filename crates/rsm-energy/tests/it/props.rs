//! Property tests: for random small networks the CSV round trip is exact, the optimum
//! balances every node, respects every bound, and its costs add up to the objective.

use proptest::prelude::*;
use rsm_energy::csv::{parse, to_files};
use rsm_energy::{Bus, HighsSolver, Link, Load, Network, Snapshot, Supply, solve};

fn network() -> impl Strategy<Value = Network> {
    (2usize..5, 1usize..4)
        .prop_flat_map(|(nb, nt)| {
            let links = prop::collection::vec(
                (
                    0..nb,
                    0..nb,
                    0.0f64..50.0,
                    any::<bool>(),
                    0.0f64..80.0,
                    0.0f64..500.0,
                    0.8f64..=1.0,
                    0.0f64..5.0,
                ),
                1..6,
            );
            let supplies = prop::collection::vec((0..nb, 0.0f64..100.0, 1.0f64..100.0), 1..4);
            let loads = prop::collection::vec(prop::collection::vec(0.0f64..40.0, nt), nb);
            (Just((nb, nt)), links, supplies, loads)
        })
        .prop_map(|((nb, nt), links, supplies, loads)| {
            let bus = |i: usize| format!("B{i}");
            let mut net = Network {
                buses: (0..nb)
                    .map(|i| Bus {
                        name: bus(i),
                        x: i as f64,
                        y: 0.0,
                        country: None,
                    })
                    .collect(),
                snapshots: (0..nt)
                    .map(|t| Snapshot {
                        name: t.to_string(),
                        weight: 365.0 / nt as f64,
                    })
                    .collect(),
                ..Network::default()
            };
            for (k, (b0, b1, p_nom, ext, extra, cc, eff, mc)) in links.into_iter().enumerate() {
                if b0 == b1 {
                    continue;
                }
                net.links.push(Link {
                    name: format!("L{k}"),
                    bus0: bus(b0),
                    bus1: bus(b1),
                    p_nom,
                    extendable: ext,
                    p_nom_max: if ext { p_nom + extra } else { 0.0 },
                    length: 100.0,
                    capital_cost: cc,
                    efficiency: eff,
                    marginal_cost: mc,
                    transit: Vec::new(),
                });
            }
            for (k, (b, p_nom, mc)) in supplies.into_iter().enumerate() {
                net.supplies.push(Supply {
                    name: format!("S{k}"),
                    bus: bus(b),
                    p_nom,
                    marginal_cost: mc,
                });
            }
            for b in 0..nb {
                net.supplies.push(Supply {
                    name: format!("shed_{b}"),
                    bus: bus(b),
                    p_nom: 1e6,
                    marginal_cost: 1000.0,
                });
            }
            net.loads = loads
                .into_iter()
                .enumerate()
                .map(|(b, p_set)| Load { bus: bus(b), p_set })
                .collect();
            net.sort();
            net
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_round_trip_is_exact(net in network()) {
        prop_assume!(net.validate().is_ok());
        prop_assert_eq!(parse(&to_files(&net)).unwrap(), net);
    }

    #[test]
    fn optimum_balances_nodes_and_costs_add_up(net in network()) {
        prop_assume!(net.validate().is_ok());
        let p = solve(&net, &HighsSolver::default()).unwrap();
        let tol = 1e-6 * p.objective.abs().max(1.0);
        prop_assert!((p.costs.total() - p.objective).abs() <= tol);
        for (b, bus) in net.buses.iter().enumerate() {
            let load = net.load_of(&bus.name);
            for (t, d) in load.iter().enumerate() {
                let mut inflow = 0.0;
                for (s, sup) in net.supplies.iter().enumerate() {
                    if sup.bus == bus.name {
                        inflow += p.dispatch[s][t];
                    }
                }
                for (l, link) in net.links.iter().enumerate() {
                    if link.bus1 == bus.name {
                        inflow += link.efficiency * p.flows[l][t];
                    }
                    if link.bus0 == bus.name {
                        inflow -= p.flows[l][t];
                    }
                }
                prop_assert!((inflow - d).abs() <= 1e-6, "bus {} t {}: {} vs {}", b, t, inflow, d);
            }
        }
        for (l, link) in net.links.iter().enumerate() {
            let cap = p.build(&link.name).map_or(link.p_nom, |b| b.p_nom_opt);
            prop_assert!(cap <= link.p_nom_max.max(link.p_nom) + 1e-6);
            for f in &p.flows[l] {
                prop_assert!(*f >= -1e-9 && *f <= cap + 1e-6);
            }
        }
    }
}

fn csvish() -> impl Strategy<Value = String> {
    // Lines of short cells drawn from names, numbers and junk the parser must survive.
    let cell = prop_oneof![
        Just(String::new()),
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("-1".to_owned()),
        Just("AA_A".to_owned()),
        Just("BB_B".to_owned()),
        Just("True".to_owned()),
        "[a-z_0-9.]{0,6}",
        any::<f64>().prop_map(|f| f.to_string()),
    ];
    prop::collection::vec(prop::collection::vec(cell, 0..5), 0..5).prop_map(|rows| {
        rows.iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The readers answer garbage with an error, never a panic.
    #[test]
    fn parsers_never_panic(which in 0usize..5, text in csvish()) {
        let mut files: rsm_energy::csv::Files = crate::support::files(&crate::support::TWO_NODE);
        let names = ["buses.csv", "links.csv", "supplies.csv", "loads.csv", "snapshots.csv"];
        files.insert(names[which].to_owned(), text.clone());
        let _ = parse(&files);
        let mut pypsa = rsm_energy::csv::Files::new();
        for n in ["buses.csv", "links.csv", "generators.csv", "loads.csv", "loads-p_set.csv", "snapshots.csv"] {
            pypsa.insert(n.to_owned(), text.clone());
        }
        let _ = rsm_energy::csv::parse_pypsa(&pypsa);
        let _ = rsm_energy::scenario::Scenario::from_toml(&text);
    }
}
