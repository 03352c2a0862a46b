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
