//! The default Northeast Asia regime shipped with RSM (`regimes/northeast-asia.toml`).

use crate::regime::{Regime, RegimeError};

/// The text of the default regime file.
pub const DEFAULT_REGIME_TOML: &str = include_str!("../regimes/northeast-asia.toml");

/// The default regime, parsed.
pub fn default_regime() -> Result<Regime, RegimeError> {
    Regime::parse(DEFAULT_REGIME_TOML)
}
