//! Scenarios as data, and the N-1 outage sweep.

use rsm_energy::scenario::Scenario;
use rsm_energy::sweep::{OutageKind, n_minus_1, outages};
use rsm_energy::{EnergyError, HighsSolver, data, solve};

use crate::support::{TWO_NODE, close, net};

#[test]
fn scenario_toml_parses_and_applies() {
    let s = Scenario::from_toml(
        r#"
        name = "no KP, dear LNG"
        exclude_transit = ["KP"]
        cut_supplies = ["Sakhalin"]
        demand_growth = 1.1
        [demand_factor]
        KR = 1.5
        [price_factor]
        LNG_spot = 2.0
        [capital_cost_factor]
        "*" = 1.2
        "#,
    )
    .unwrap();
    let base = data::builtin("nea14-annual").unwrap().unwrap();
    let n = s.apply(&base).unwrap();
    let link = |name: &str| n.links.iter().find(|l| l.name == name).unwrap();
    assert_eq!(link("KOR_RU_KP_new").p_nom_max, 0.0);
    assert_eq!(link("KOR_KP_KR_new").p_nom_max, 0.0);
    assert!(link("KOR_SUB_new").p_nom_max > 0.0);
    close(link("PS1_new").capital_cost, 7620.367054 * 1.2, 1e-12);
    let sak = n.supplies.iter().find(|s| s.name == "Sakhalin").unwrap();
    assert_eq!(sak.p_nom, 0.0);
    let lng = n.supplies.iter().find(|s| s.name == "LNG_spot").unwrap();
    close(lng.marginal_cost, 714.0, 1e-12);
    close(n.load_of("KR")[0], 172.60274 * 1.1 * 1.5, 1e-12);
    close(n.load_of("JP")[0], 246.575342 * 1.1, 1e-12);
    // Same shape as the base: warm starts stay possible.
    assert_eq!(n.links.len(), base.links.len());
}

#[test]
fn unknown_names_in_scenarios_are_errors() {
    let base = net(&TWO_NODE).unwrap();
    for text in [
        "cut_links = [\"nope\"]",
        "cut_supplies = [\"nope\"]",
        "exclude_transit = [\"ZZ\"]",
        "[price_factor]\nnope = 2.0",
        "demand_growth = -1.0",
    ] {
        let s = Scenario::from_toml(text).unwrap();
        assert!(
            matches!(s.apply(&base), Err(EnergyError::Scenario(_))),
            "{text}"
        );
    }
    assert!(Scenario::from_toml("unknown_key = 1").is_err());
}

#[test]
fn excluding_kp_never_lowers_cost() {
    let base = data::builtin("nea14-annual").unwrap().unwrap();
    let solver = HighsSolver::default();
    let p0 = solve(&base, &solver).unwrap();
    let s = Scenario {
        exclude_transit: vec!["KP".into()],
        ..Scenario::default()
    };
    let p1 = solve(&s.apply(&base).unwrap(), &solver).unwrap();
    assert!(p1.objective >= p0.objective - 1e-6);
    close(p1.build("KOR_KP_KR_new").unwrap().new_capacity, 0.0, 1e-9);
}

#[test]
fn n_minus_1_sweep_on_the_annual_network() {
    let base = data::builtin("nea14-annual").unwrap().unwrap();
    let list = outages(&base);
    assert_eq!(list.iter().filter(|o| o.0 == OutageKind::Link).count(), 11);
    assert_eq!(list.iter().filter(|o| o.0 == OutageKind::Supply).count(), 7);
    let (p0, results) = n_minus_1(&base, &HighsSolver::default()).unwrap();
    assert_eq!(results.len(), list.len());
    for r in &results {
        assert!(r.delta >= -1e-6 * p0.objective, "{} {}", r.name, r.delta);
        // Each outage equals a cold solve of the same scenario.
        let sc = match r.kind {
            OutageKind::Link => Scenario::link_outage(&r.name),
            OutageKind::Supply => Scenario::supply_outage(&r.name),
        };
        let cold = solve(&sc.apply(&base).unwrap(), &HighsSolver::default()).unwrap();
        close(r.plan.objective, cold.objective, 1e-9);
    }
}

#[test]
fn run_many_and_compare_table() {
    use rsm_energy::run::{compare_table, run_many, summary};
    let base = data::builtin("nea14-annual").unwrap().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut scenarios = vec![Scenario::default()];
    for f in ["no-kp-transit", "lng-shock", "either-or", "sakhalin-cut"] {
        let path = dir.join(format!("{f}.toml"));
        scenarios.push(rsm_energy::run::load_scenario(&path).unwrap());
    }
    let reports = run_many(&base, &scenarios, &HighsSolver::default()).unwrap();
    assert_eq!(reports.len(), 5);
    assert!(summary(&reports[0]).starts_with("objective 56966865.8570\n"));
    assert!(reports[3].plan.integer);
    let table = compare_table(&reports);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("scenario,objective,delta,unserved,"));
    assert!(lines[1].starts_with("base,56966865.8570,0.0000,"));
    assert!(lines[2].starts_with("no-KP-transit,"));
    for r in &reports[1..] {
        assert!(
            r.plan.objective >= reports[0].plan.objective - 1e-6,
            "{}",
            r.scenario
        );
    }
}
