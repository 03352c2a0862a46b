//! Helpers: small networks written as CSV text.

use rsm_energy::csv::{Files, parse};
use rsm_energy::{Network, Result};

/// Files from `(name, text)` pairs.
pub fn files(list: &[(&str, &str)]) -> Files {
    list.iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect()
}

/// Two buses A → B; A has a cheap field, B a dear local supply; one existing link with losses
/// and one extendable link; 60 mcm/d demand at B in one snapshot (weight 365).
pub const TWO_NODE: [(&str, &str); 4] = [
    ("buses.csv", "bus,x,y\nAA_A,0,0\nBB_B,1,0\n"),
    (
        "links.csv",
        "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost\n\
         old,AA_A,BB_B,30,0,0,100,0,0.9,1\n\
         new,AA_A,BB_B,0,1,100,100,100,0.9,1\n",
    ),
    (
        "supplies.csv",
        "name,bus,p_nom,marginal_cost\nfield,AA_A,100,10\nlocal,BB_B,100,50\n",
    ),
    ("loads.csv", "t,BB_B\n0,60\n"),
];

/// Parses a list of files.
pub fn net(list: &[(&str, &str)]) -> Result<Network> {
    parse(&files(list))
}

/// Replaces one file of a list.
pub fn with<'a>(
    list: &[(&'a str, &'a str)],
    name: &'a str,
    text: &'a str,
) -> Vec<(&'a str, &'a str)> {
    list.iter()
        .map(|(n, t)| if *n == name { (*n, text) } else { (*n, *t) })
        .collect()
}

/// Asserts relative closeness.
#[track_caller]
pub fn close(a: f64, b: f64, tol: f64) {
    let scale = b.abs().max(1.0);
    assert!((a - b).abs() <= tol * scale, "{a} vs {b}");
}

/// The shared data folder, when the repository sits next to it.
pub fn shared_dir(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/energy")
        .join(name);
    p.exists().then_some(p)
}
