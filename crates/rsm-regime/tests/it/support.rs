//! Helpers shared by the integration tests.

use jiff::Timestamp;
use rsm_regime::{NotificationType, Regime, default_regime};

pub fn regime() -> Regime {
    default_regime().expect("the default regime parses")
}

pub fn ty<'r>(regime: &'r Regime, id: &str) -> &'r NotificationType {
    regime.get(id).unwrap_or_else(|| panic!("type {id}"))
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}
