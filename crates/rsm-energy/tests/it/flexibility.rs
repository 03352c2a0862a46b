//! ENTSOG's remaining flexibility and cooperative disrupted demand against hand-computed values.

use rsm_energy::HighsSolver;
use rsm_energy::flexibility::{
    cooperative_disruption, day_situation, entsog_indicators, remaining_flexibility,
};
use rsm_energy::scenario::Scenario;

use crate::support::{close, net};

/// Two fields at AA_A (100 and 50 mcm/d) feed BB_B (demand 80) through a 120 mcm/d pipeline and
/// CC_C (demand 40) through a 50 mcm/d pipeline; no shed supplies needed on the intact day.
const FORK: [(&str, &str); 4] = [
    ("buses.csv", "bus,x,y\nAA_A,0,0\nBB_B,1,0\nCC_C,0,1\n"),
    (
        "links.csv",
        "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
         a_b,AA_A,BB_B,120,0,0,100,0,1,1\n\
         a_c,AA_A,CC_C,50,0,0,100,0,1,1\n",
    ),
    (
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield1,AA_A,100,10\nfield2,AA_A,50,12\n\
         shed_BB_B,BB_B,1000,1000\nshed_CC_C,CC_C,1000,1000\n",
    ),
    ("loads.csv", "t,BB_B,CC_C\nlow,40,20\npeak,80,40\n"),
];

#[test]
fn remaining_flexibility_worked_example() {
    let n = net(&FORK).unwrap();
    let rf = remaining_flexibility(&n, None, &HighsSolver::default()).unwrap();
    assert_eq!(rf.len(), 2);
    // BB doubled to 160 on its peak day: CC keeps its 40, so 150 − 40 = 110 reach BB
    // (pipeline 120): 30 of the additional 80 → 37.5 %.
    assert_eq!(rf[0].country, "BB");
    assert_eq!(rf[0].snapshot, "peak");
    close(rf[0].demand, 80.0, 1e-12);
    close(rf[0].additional_served, 30.0, 1e-9);
    close(rf[0].percent, 37.5, 1e-9);
    // CC doubled to 80: its pipeline carries 50, 10 of the additional 40 → 25 %.
    assert_eq!(rf[1].country, "CC");
    close(rf[1].percent, 25.0, 1e-9);
}

#[test]
fn a_country_already_short_has_no_remaining_flexibility_and_others_cannot_take_from_it() {
    // CC's demand exceeds its pipeline: it is short by 10 on the peak day.
    let list = crate::support::with(&FORK, "loads.csv", "t,BB_B,CC_C\npeak,80,60\n");
    let n = net(&list).unwrap();
    let rf = remaining_flexibility(&n, None, &HighsSolver::default()).unwrap();
    let cc = rf.iter().find(|r| r.country == "CC").unwrap();
    assert_eq!(cc.percent, 0.0);
    // BB doubled: CC still gets its 50, so BB gets 150 − 50 = 100: 20 of 80 → 25 %.
    let bb = rf.iter().find(|r| r.country == "BB").unwrap();
    close(bb.percent, 25.0, 1e-9);
}

#[test]
fn disrupted_demand_is_shared_at_one_rate_where_the_network_allows() {
    let n = net(&FORK).unwrap();
    let day = day_situation(&n, None, 1);
    // Losing field2 leaves 100 for 120 of demand: 20 short, shared 1/6 each.
    let out = Scenario::supply_outage("field2").apply(&day).unwrap();
    let d = cooperative_disruption(&out, "field2", &HighsSolver::default()).unwrap();
    close(d.total_disrupted, 20.0, 1e-9);
    assert!(d.is_disrupted());
    for c in &d.countries {
        close(c.rate, 20.0 / 120.0, 1e-7);
    }
    close(d.countries[0].disrupted, 80.0 / 6.0, 1e-6);
}

#[test]
fn a_lost_pipeline_disrupts_only_what_cannot_be_rerouted() {
    let n = net(&FORK).unwrap();
    let steps = std::cell::Cell::new(0);
    let ind = entsog_indicators(&n, None, &HighsSolver::default(), &|| {
        steps.set(steps.get() + 1)
    })
    .unwrap();
    assert_eq!(steps.get(), rsm_energy::flexibility::entsog_steps(&n, None));
    assert_eq!(steps.get(), 2 + 4);
    let names: Vec<&str> = ind.disruptions.iter().map(|d| d.outage.as_str()).collect();
    assert_eq!(names, ["a_b", "a_c", "field1", "field2"]);
    // Without a_c, CC (40) has no other route: 100 % disrupted; BB untouched.
    let a_c = &ind.disruptions[1];
    close(a_c.total_disrupted, 40.0, 1e-9);
    assert_eq!(a_c.countries[0].disrupted, 0.0);
    close(a_c.countries[1].rate, 1.0, 1e-9);
    // Losing field1 leaves 50 for 120: 70 short, at one rate of 7/12 — but CC's pipeline (50)
    // does not limit it, so both carry 7/12.
    let f1 = &ind.disruptions[2];
    close(f1.total_disrupted, 70.0, 1e-9);
    for c in &f1.countries {
        close(c.rate, 70.0 / 120.0, 1e-7);
    }
}

#[test]
fn nea14_daily_indicators_cover_every_country_and_outage() {
    let n = rsm_energy::data::builtin("nea14-daily").unwrap().unwrap();
    let solver = HighsSolver::default();
    let plan = rsm_energy::solve(&n, &solver).unwrap();
    let ind = entsog_indicators(&n, Some(&plan), &solver, &|| {}).unwrap();
    let countries: Vec<&str> = ind
        .remaining_flexibility
        .iter()
        .map(|r| r.country.as_str())
        .collect();
    assert_eq!(countries, ["CN", "JP", "KR"]);
    for rf in &ind.remaining_flexibility {
        assert!((0.0..=100.0 + 1e-9).contains(&rf.percent), "{rf:?}");
    }
    assert!(!ind.disruptions.is_empty());
    for d in &ind.disruptions {
        let sum: f64 = d.countries.iter().map(|c| c.disrupted).sum();
        close(sum, d.total_disrupted, 1e-6);
    }
}
