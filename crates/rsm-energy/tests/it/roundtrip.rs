//! The exporter writes the folder the loader reads back to the same network.

use rsm_energy::csv::{parse, read_dir, to_files, write_dir};
use rsm_energy::data;

use crate::support::{TWO_NODE, net};

#[test]
fn nea14_daily_round_trips_through_files() {
    let n = data::default_network().unwrap();
    let again = parse(&to_files(&n)).unwrap();
    assert_eq!(n, again);
}

#[test]
fn round_trip_through_a_folder_keeps_weights_countries_and_transit() {
    let mut n = net(&TWO_NODE).unwrap();
    n.snapshots[0].weight = 12.5;
    n.buses[0].country = Some("XX".into());
    n.links[0].transit = vec!["KP".into(), "MN".into()];
    let dir = std::env::temp_dir().join(format!("rsm-energy-rt-{}", std::process::id()));
    write_dir(&n, &dir).unwrap();
    let back = read_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(n, back);
}

#[test]
fn committed_copy_matches_shared_data() {
    for name in data::BUILTIN {
        if let Some(dir) = crate::support::shared_dir(name) {
            assert_eq!(
                read_dir(&dir).unwrap(),
                data::builtin(name).unwrap().unwrap()
            );
        }
    }
}

#[test]
fn pypsa_export_folders_read_as_the_same_network() {
    use rsm_energy::{HighsSolver, solve};
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (name, objective) in [
        ("nea14-annual", 56_966_865.857_0),
        ("nea14-daily", 58_206_763.426_5),
    ] {
        let dir = fixtures.join(format!("pypsa-export-{}", &name[6..]));
        let from_pypsa = read_dir(&dir).unwrap();
        let ours = data::builtin(name).unwrap().unwrap();
        // PyPSA writes p_nom_max = inf for fixed links; the reader keeps 0 there, as ours say.
        assert_eq!(from_pypsa.buses, ours.buses);
        assert_eq!(from_pypsa.supplies, ours.supplies);
        assert_eq!(from_pypsa.loads, ours.loads);
        assert_eq!(from_pypsa.snapshots, ours.snapshots);
        assert_eq!(from_pypsa.links, ours.links);
        let p = solve(&from_pypsa, &HighsSolver::default()).unwrap();
        assert!((p.objective - objective).abs() / objective < 1e-8);
    }
}

#[test]
fn pypsa_export_with_unsupported_attributes_is_refused() {
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pypsa-export-annual");
    let dir = std::env::temp_dir().join(format!("rsm-energy-pypsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "buses.csv",
        "generators.csv",
        "loads.csv",
        "loads-p_set.csv",
        "snapshots.csv",
    ] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("links.csv"),
        "name,bus0,bus1,p_nom,p_min_pu\nx,RU_IRK,RU_YAK,10,-1\n",
    )
    .unwrap();
    let err = read_dir(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.starts_with("links.csv:2: column `p_min_pu`"), "{err}");
}
