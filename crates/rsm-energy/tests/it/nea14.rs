//! The reference optima of the NE Asia network (PyPSA 1.4 + HiGHS 1.16).

use rsm_energy::{HighsSolver, data, solve};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn nea14_annual_objective_matches_pypsa() {
    let net = data::builtin("nea14-annual").unwrap().unwrap();
    let plan = solve(&net, &HighsSolver::default()).unwrap();
    assert!(
        rel(plan.objective, 56_966_865.857_0) < 1e-8,
        "{}",
        plan.objective
    );
    assert!(rel(plan.costs.total(), plan.objective) < 1e-9);
}

#[test]
fn nea14_daily_objective_matches_pypsa() {
    let net = data::builtin("nea14-daily").unwrap().unwrap();
    let plan = solve(&net, &HighsSolver::default()).unwrap();
    assert_eq!(plan.size.columns, 12_056);
    assert!(
        rel(plan.objective, 58_206_763.426_5) < 1e-8,
        "{}",
        plan.objective
    );
}

#[test]
fn nea14_annual_as_one_investment_period_matches_pypsa() {
    use rsm_energy::periods::{Period, solve_periods};
    let net = data::builtin("nea14-annual").unwrap().unwrap();
    let one = [Period {
        name: "2030".into(),
        weight: 1.0,
        demand_factor: 1.0,
    }];
    let p = solve_periods(&net, &one, &HighsSolver::default()).unwrap();
    assert!(rel(p.objective, 56_966_865.857_0) < 1e-8, "{}", p.objective);
}
