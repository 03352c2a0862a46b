//! Bad input is refused with a named error that points at file, row and column.

use rsm_energy::{EnergyError, InputProblem};

use crate::support::{TWO_NODE, net, with};

const LINK_HEAD: &str =
    "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n";

fn input_error(list: &[(&str, &str)]) -> (String, usize, String, InputProblem) {
    match net(list) {
        Err(EnergyError::Input {
            file,
            row,
            column,
            problem,
        }) => (file, row, column, problem),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn unknown_bus_in_links() {
    let links = format!(
        "{LINK_HEAD}old,AA_A,BB_B,30,0,0,100,0,0.9,1\nnew,AA_A,ZZ_Z,0,1,100,100,100,0.9,1\n"
    );
    let e = input_error(&with(&TWO_NODE, "links.csv", &links));
    assert_eq!(
        e,
        (
            "links.csv".into(),
            3,
            "bus1".into(),
            InputProblem::UnknownBus("ZZ_Z".into())
        )
    );
    let msg = net(&with(&TWO_NODE, "links.csv", &links))
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "links.csv:3: column `bus1`: unknown bus `ZZ_Z`");
}

#[test]
fn negative_capacity() {
    let sup = "name,bus,p_nom,marginal_cost\nfield,AA_A,100,10\nlocal,BB_B,-5,50\n";
    let e = input_error(&with(&TWO_NODE, "supplies.csv", sup));
    assert_eq!(
        e,
        (
            "supplies.csv".into(),
            3,
            "p_nom".into(),
            InputProblem::Negative(-5.0)
        )
    );
}

#[test]
fn nan_cost() {
    let links = format!("{LINK_HEAD}old,AA_A,BB_B,30,0,0,100,NaN,0.9,1\n");
    let e = input_error(&with(&TWO_NODE, "links.csv", &links));
    assert_eq!(e.0, "links.csv");
    assert_eq!((e.1, e.2.as_str()), (2, "capital_cost"));
    assert_eq!(e.3, InputProblem::NotANumber("NaN".into()));
}

#[test]
fn missing_cost() {
    let sup = "name,bus,p_nom,marginal_cost\nfield,AA_A,100,\nlocal,BB_B,100,50\n";
    let e = input_error(&with(&TWO_NODE, "supplies.csv", sup));
    assert_eq!(
        e,
        (
            "supplies.csv".into(),
            2,
            "marginal_cost".into(),
            InputProblem::Missing
        )
    );
}

#[test]
fn missing_cost_column() {
    let sup = "name,bus,p_nom\nfield,AA_A,100\n";
    let e = input_error(&with(&TWO_NODE, "supplies.csv", sup));
    assert_eq!(
        e,
        (
            "supplies.csv".into(),
            1,
            "marginal_cost".into(),
            InputProblem::Missing
        )
    );
}

#[test]
fn negative_demand_names_snapshot_row_and_bus_column() {
    let e = input_error(&with(&TWO_NODE, "loads.csv", "t,BB_B\n0,60\n1,-1\n"));
    assert_eq!(
        e,
        (
            "loads.csv".into(),
            3,
            "BB_B".into(),
            InputProblem::Negative(-1.0)
        )
    );
}

#[test]
fn efficiency_above_one() {
    let links = format!("{LINK_HEAD}old,AA_A,BB_B,30,0,0,100,0,1.2,1\n");
    let e = input_error(&with(&TWO_NODE, "links.csv", &links));
    assert_eq!(e.2, "efficiency");
    assert_eq!(e.3, InputProblem::Efficiency(1.2));
}

#[test]
fn demand_node_unreachable_from_any_supply() {
    // The only link runs B → A, so nothing reaches B's demand except shedding.
    let links = format!("{LINK_HEAD}back,BB_B,AA_A,30,0,0,100,0,0.9,1\n");
    let list = with(&TWO_NODE, "links.csv", &links);
    let list = with(
        &list,
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield,AA_A,100,10\nshed_B,BB_B,1000,1000\n",
    );
    match net(&list) {
        Err(EnergyError::Unreachable { bus }) => assert_eq!(bus, "BB_B"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn short_row() {
    let e = input_error(&with(&TWO_NODE, "buses.csv", "bus,x,y\nAA_A,0\nBB_B,1,0\n"));
    assert_eq!(e.0, "buses.csv");
    assert_eq!(e.1, 2);
    assert_eq!(
        e.3,
        InputProblem::RowWidth {
            expected: 3,
            found: 2
        }
    );
}
