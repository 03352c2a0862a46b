//! CSBM regimes of RSM as data: the regime file, validation of notification content,
//! deadlines, consultations and the compliance table. A pure library: time comes in as
//! arguments, nothing here reads the clock.

pub mod compliance;
pub mod default;
pub mod geo;
pub mod history;
pub mod notice;
pub mod regime;
pub mod render;
pub mod zone;

pub use compliance::{
    Ack, ComplianceOptions, ComplianceReport, Context, Event, Reply, Request, Status, Submission,
    SubmissionKind, compute,
};
pub use default::{DEFAULT_REGIME_TOML, default_regime};
pub use history::{HistoryError, RegimeHistory, RegimeVersion, SubmitError};
pub use notice::{FieldError, FieldRule, FieldValue, Notice};
pub use regime::{NotificationType, Regime, RegimeError, RegimeIssue, TypeId};
pub use render::{to_csv, to_json};
