//! SHA-256 fingerprints of inputs and results, over a canonical text so that equal inputs give equal hashes.

use sha2::{Digest, Sha256};

use crate::csv::to_files;
use crate::network::Network;

/// Hex SHA-256 of the canonical CSV rendering of a network (sorted components, shortest round-trip numbers).
pub fn network_hash(net: &Network) -> String {
    let mut sorted = net.clone();
    sorted.sort();
    let mut h = Sha256::new();
    for (name, text) in to_files(&sorted) {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// Incremental hasher of named numbers; values are rounded to 9 significant digits
/// so that results agree across platforms whose last bits differ.
#[derive(Default)]
pub struct ResultHasher(Sha256);

impl ResultHasher {
    /// Adds one labelled value.
    pub fn add(&mut self, label: &str, value: f64) {
        let v = if value.abs() < 1e-9 { 0.0 } else { value };
        self.0.update(format!("{label}={v:.8e}\n").as_bytes());
    }

    /// The hex digest.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
