//! The NE Asia 14-node network (`nea14-annual`, `nea14-daily`) compiled into the crate, the default network.

use crate::csv::{Files, parse};
use crate::error::Result;
use crate::network::Network;

macro_rules! folder {
    ($dir:literal) => {
        [
            (
                "buses.csv",
                include_str!(concat!("../data/", $dir, "/buses.csv")),
            ),
            (
                "links.csv",
                include_str!(concat!("../data/", $dir, "/links.csv")),
            ),
            (
                "supplies.csv",
                include_str!(concat!("../data/", $dir, "/supplies.csv")),
            ),
            (
                "loads.csv",
                include_str!(concat!("../data/", $dir, "/loads.csv")),
            ),
        ]
    };
}

fn files(list: [(&str, &str); 4]) -> Files {
    list.iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect()
}

/// Names of the built-in networks.
pub const BUILTIN: [&str; 2] = ["nea14-annual", "nea14-daily"];

/// The built-in network of that name (`nea14-annual` or `nea14-daily`).
pub fn builtin(name: &str) -> Option<Result<Network>> {
    match name {
        "nea14-annual" => Some(parse(&files(folder!("nea14-annual")))),
        "nea14-daily" => Some(parse(&files(folder!("nea14-daily")))),
        _ => None,
    }
}

/// The default network: `nea14-daily`.
pub fn default_network() -> Result<Network> {
    parse(&files(folder!("nea14-daily")))
}
