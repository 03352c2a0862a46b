//! Dated versions of a regime, and which one is in force at an instant.
//!
//! A version takes effect through an adopted decision (or, until meetings exist, a
//! secretariat act); its `basis` names it. Versions are appended in order and never
//! rewritten, so a judgement about a past deadline never changes afterwards.

use jiff::Timestamp;

use crate::{
    notice::{FieldError, Notice},
    regime::Regime,
};

/// One version with the instant it takes effect and the act that adopted it.
#[derive(Debug, Clone)]
pub struct RegimeVersion {
    pub effective: Timestamp,
    /// Decision symbol or act reference, e.g. `MC.DEC/3/27` or `SEC.ACT/2027/4`.
    pub basis: String,
    pub regime: Regime,
}

/// Why a version cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("basis must name the decision or act that adopted the version (it is empty)")]
    MissingBasis,
    #[error(
        "effective {effective} is not after the last version's {last}: versions are added in order"
    )]
    OutOfOrder {
        effective: Timestamp,
        last: Timestamp,
    },
    #[error(
        "effective {effective} is before the recording instant {recorded}: a version may not rewrite past judgements"
    )]
    Retroactive {
        effective: Timestamp,
        recorded: Timestamp,
    },
    #[error("regime id `{got}` differs from the history's `{expected}`")]
    OtherRegime { expected: String, got: String },
}

/// The versions of one regime, oldest first.
#[derive(Debug, Clone, Default)]
pub struct RegimeHistory {
    versions: Vec<RegimeVersion>,
}

impl RegimeHistory {
    /// A history with a single version.
    pub fn single(regime: Regime, effective: Timestamp, basis: &str) -> Self {
        Self {
            versions: vec![RegimeVersion {
                effective,
                basis: basis.to_owned(),
                regime,
            }],
        }
    }

    /// Appends `version`, recorded at `recorded` (the caller's "now"). Refused if it takes
    /// effect before `recorded`, or not after the last version.
    pub fn add(&mut self, version: RegimeVersion, recorded: Timestamp) -> Result<(), HistoryError> {
        if version.basis.trim().is_empty() {
            return Err(HistoryError::MissingBasis);
        }
        if version.effective < recorded {
            return Err(HistoryError::Retroactive {
                effective: version.effective,
                recorded,
            });
        }
        if let Some(last) = self.versions.last() {
            if version.effective <= last.effective {
                return Err(HistoryError::OutOfOrder {
                    effective: version.effective,
                    last: last.effective,
                });
            }
            if version.regime.id != last.regime.id {
                return Err(HistoryError::OtherRegime {
                    expected: last.regime.id.clone(),
                    got: version.regime.id.clone(),
                });
            }
        }
        self.versions.push(version);
        Ok(())
    }

    /// The version in force at `at`: the last one effective at or before it.
    pub fn in_force_at(&self, at: Timestamp) -> Option<&RegimeVersion> {
        self.versions.iter().rev().find(|v| v.effective <= at)
    }

    pub fn versions(&self) -> &[RegimeVersion] {
        &self.versions
    }

    /// Validates the content of a notification of `type_id` received at `received` against
    /// the version in force then: what the server does on submission, and what a party
    /// does when it rebuilds compliance events from stored notifications.
    pub fn validate_at(
        &self,
        type_id: &str,
        content: &serde_json::Value,
        received: Timestamp,
    ) -> Result<Notice, SubmitError> {
        let version = self
            .in_force_at(received)
            .ok_or(SubmitError::NoRegimeInForce(received))?;
        let ty = version
            .regime
            .get(type_id)
            .ok_or_else(|| SubmitError::UnknownType {
                type_id: type_id.to_owned(),
                version: version.regime.version.clone(),
            })?;
        ty.validate(content).map_err(SubmitError::Invalid)
    }
}

/// Why a notification's content is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmitError {
    #[error("no regime version is in force at {0}")]
    NoRegimeInForce(Timestamp),
    #[error("`{type_id}` is not a notification type of regime version {version}")]
    UnknownType { type_id: String, version: String },
    #[error("{} field(s) fail the regime: {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
}
