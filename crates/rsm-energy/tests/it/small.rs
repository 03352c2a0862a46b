//! Small networks with optima computed by hand.

use rsm_energy::{HighsSolver, solve};

use crate::support::{TWO_NODE, close, net, with};

#[test]
fn two_nodes_build_the_cheaper_route() {
    // Existing link carries 30 in, 27 out; the other 33 arrive through the new link,
    // 33 / 0.9 = 36.667 entering: 365 × (10 + 1) × (30 + 36.667) + 100 × 36.667.
    let n = net(&TWO_NODE).unwrap();
    let p = solve(&n, &HighsSolver::default()).unwrap();
    let new_cap = 33.0 / 0.9;
    close(
        p.objective,
        365.0 * 11.0 * (30.0 + new_cap) + 100.0 * new_cap,
        1e-9,
    );
    close(p.build("new").unwrap().new_capacity, new_cap, 1e-9);
    close(p.costs.capital, 100.0 * new_cap, 1e-9);
    close(p.costs.link_operation, 365.0 * (30.0 + new_cap), 1e-9);
    assert!(p.unserved.is_empty());
    // Prices: the field sets A's; B's is the delivered cost through the new link,
    // operating cost plus capital cost spread over the 365 days, grossed up for losses.
    let a = p.bus_names.iter().position(|b| b == "AA_A").unwrap();
    let b = p.bus_names.iter().position(|b| b == "BB_B").unwrap();
    close(p.prices[a][0], 10.0, 1e-9);
    close(p.prices[b][0], (11.0 + 100.0 / 365.0) / 0.9, 1e-9);
}

#[test]
fn unserved_demand_is_reported_where_it_happens() {
    let list = with(
        &TWO_NODE,
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield,AA_A,20,10\nshed_B,BB_B,1000,1000\n",
    );
    let list = with(
        &list,
        "links.csv",
        "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
         old,AA_A,BB_B,100,0,0,100,0,1,0\n",
    );
    let p = solve(&net(&list).unwrap(), &HighsSolver::default()).unwrap();
    close(p.objective, 365.0 * (20.0 * 10.0 + 40.0 * 1000.0), 1e-9);
    assert_eq!(p.unserved.len(), 1);
    assert_eq!(p.unserved[0].bus, "BB_B");
    close(p.unserved[0].volume, 365.0 * 40.0, 1e-9);
    close(p.unserved[0].peak, 40.0, 1e-9);
    close(p.costs.unserved, 365.0 * 40_000.0, 1e-9);
}

#[test]
fn snapshot_weights_scale_operating_costs_not_capital() {
    // Two snapshots weighted 100 and 265 days; demand 10 then 50; one link may be built.
    let list = [
        ("buses.csv", "bus,x,y\nAA_A,0,0\nBB_B,1,0\n"),
        (
            "links.csv",
            "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
             new,AA_A,BB_B,0,1,1000,100,365,1,0\n",
        ),
        (
            "supplies.csv",
            "name,bus,p_nom,marginal_cost\nfield,AA_A,100,1\nlocal,BB_B,100,3\n",
        ),
        ("loads.csv", "t,BB_B\nwinter,50\nsummer,10\n"),
        ("snapshots.csv", "t,weight\nwinter,100\nsummer,265\n"),
    ];
    let n = net(&list).unwrap();
    assert_eq!(n.snapshots[0].weight, 100.0);
    let p = solve(&n, &HighsSolver::default()).unwrap();
    // Capacity x: saves (3 − 1) per day in each snapshot where it is used.
    // The first 10 units are used all year: saving 2 × 365 = 730 > 365 → build.
    // Units 10..50 only in winter: saving 2 × 100 = 200 < 365 → do not build.
    close(p.build("new").unwrap().new_capacity, 10.0, 1e-9);
    close(
        p.objective,
        365.0 * 10.0 + 100.0 * (10.0 * 1.0 + 40.0 * 3.0) + 265.0 * 10.0 * 1.0,
        1e-9,
    );
}

#[test]
fn results_are_deterministic_and_hashed() {
    let n = net(&TWO_NODE).unwrap();
    let p1 = solve(&n, &HighsSolver::default()).unwrap();
    let p2 = solve(&n, &HighsSolver::default()).unwrap();
    assert_eq!(p1.result_hash, p2.result_hash);
    assert_eq!(p1.input_hash.len(), 64);
    let mut reordered = n.clone();
    reordered.links.reverse();
    assert_eq!(rsm_energy::hash::network_hash(&reordered), p1.input_hash);
}

const TWO_ROUTES: [(&str, &str); 4] = [
    ("buses.csv", "bus,x,y\nAA_A,0,0\nBB_B,1,0\n"),
    (
        "links.csv",
        "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
         r1,AA_A,BB_B,0,1,100,100,100,1,0\n\
         r2,AA_A,BB_B,0,1,30,100,50,1,0\n",
    ),
    (
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield,AA_A,1000,10\nlocal,BB_B,100,100\n",
    ),
    ("loads.csv", "t,BB_B\n0,50\n"),
];

#[test]
fn either_or_and_yes_no_builds() {
    use rsm_energy::model::BuildRules;
    use rsm_energy::plan::solve_with;
    let n = net(&TWO_ROUTES).unwrap();
    let s = HighsSolver::default();
    let ops = 365.0 * 10.0 * 50.0;
    // LP: the cheap small route is filled, the rest goes on r1.
    let lp = solve(&n, &s).unwrap();
    close(lp.objective, ops + 30.0 * 50.0 + 20.0 * 100.0, 1e-9);
    // Either-or: r1 alone carries everything.
    let rules = BuildRules {
        either_or: vec![vec!["r1".into(), "r2".into()]],
        ..BuildRules::default()
    };
    let p = solve_with(&n, &rules, &s).unwrap();
    assert!(p.integer);
    close(p.objective, ops + 50.0 * 100.0, 1e-9);
    close(p.build("r2").unwrap().new_capacity, 0.0, 1e-9);
    // Yes/no r1 is built whole (100), which still beats the small route plus local gas.
    let rules = BuildRules {
        yes_no: vec!["r1".into()],
        either_or: vec![vec!["r1".into(), "r2".into()]],
    };
    let p = solve_with(&n, &rules, &s).unwrap();
    close(p.build("r1").unwrap().new_capacity, 100.0, 1e-9);
    close(p.objective, ops + 100.0 * 100.0, 1e-9);
    // Prices come from the LP with builds fixed: B's gas comes from A over a built route.
    let b = p.bus_names.iter().position(|x| x == "BB_B").unwrap();
    close(p.prices[b][0], 10.0, 1e-9);
    // Unknown or non-extendable links are refused.
    let bad = BuildRules {
        yes_no: vec!["nope".into()],
        ..BuildRules::default()
    };
    assert!(solve_with(&n, &bad, &s).is_err());
}

#[test]
fn infeasible_network_is_explained() {
    use rsm_energy::plan::diagnose;
    let list = with(
        &TWO_NODE,
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield,AA_A,20,10\n",
    );
    let n = net(&list).unwrap();
    let s = HighsSolver::default();
    let err = solve(&n, &s).unwrap_err().to_string();
    assert!(err.starts_with("infeasible: demand cannot be met"), "{err}");
    assert!(err.contains("BB_B short by up to 42.000 mcm/d"), "{err}");
    let d = diagnose(&n, &s).unwrap();
    assert_eq!(d.len(), 1);
    // 20 enters, 18 arrives through the 0.9-efficient links: 60 − 18 = 42 short.
    close(d[0].amount, 42.0, 1e-9);
    assert!(diagnose(&net(&TWO_NODE).unwrap(), &s).unwrap().is_empty());
}

#[test]
fn two_periods_build_as_demand_grows() {
    use rsm_energy::periods::{Period, solve_periods};
    // A → B, field 10/mcm, local 100/mcm; new link capital cost 100 per unit and year.
    // Demand 10 then 20 (factor 2); period weights 1 and 0.5 (discounting).
    let list = [
        ("buses.csv", "bus,x,y\nAA_A,0,0\nBB_B,1,0\n"),
        (
            "links.csv",
            "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
             new,AA_A,BB_B,0,1,inf,100,100,1,0\n",
        ),
        (
            "supplies.csv",
            "name,bus,p_nom,marginal_cost\nfield,AA_A,1000,10\nlocal,BB_B,1000,100\n",
        ),
        ("loads.csv", "t,BB_B\n0,10\n"),
    ];
    let n = net(&list).unwrap();
    let periods = [
        Period {
            name: "2030".into(),
            weight: 1.0,
            demand_factor: 1.0,
        },
        Period {
            name: "2040".into(),
            weight: 0.5,
            demand_factor: 2.0,
        },
    ];
    let p = solve_periods(&n, &periods, &HighsSolver::default()).unwrap();
    // 10 built in 2030 (active both periods: 100 × 1.5), 10 more in 2040 (100 × 0.5);
    // operation 365 × 10 × 10 in 2030 and 0.5 × 365 × 20 × 10 in 2040.
    close(
        p.objective,
        10.0 * 150.0 + 10.0 * 50.0 + 36_500.0 + 36_500.0,
        1e-9,
    );
    assert_eq!(p.builds.len(), 2);
    assert_eq!(
        (p.builds[0].period.as_str(), p.builds[1].period.as_str()),
        ("2030", "2040")
    );
    close(p.builds[0].new_capacity, 10.0, 1e-9);
    close(p.builds[1].new_capacity, 10.0, 1e-9);
    close(p.capital_cost[0], 1000.0, 1e-9);
    close(p.capital_cost[1], 1000.0, 1e-9);
    close(
        p.operating_cost.iter().sum::<f64>() + p.capital_cost.iter().sum::<f64>(),
        p.objective,
        1e-9,
    );
    // One period with weight 1 and factor 1 is the single-period model.
    let one = solve_periods(&n, &periods[..1], &HighsSolver::default()).unwrap();
    close(
        one.objective,
        solve(&n, &HighsSolver::default()).unwrap().objective,
        1e-9,
    );
}
