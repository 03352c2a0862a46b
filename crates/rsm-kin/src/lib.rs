//! `rsm-kin`: record linkage for Korean separated-family tracing.
//!
//! Tracing requests from the South (and the diaspora, in romanised
//! spelling) are linked to persons on the North's list: names are
//! canonicalised (NFC, the initial-sound rule 리/이, surname classes by hanja,
//! romanisations, childhood forms), dates converted (lunar → solar), and
//! hometowns mapped through a gazetteer of the 1952–54 reorganisations.
//! Candidate pairs come from several blocking keys; a Fellegi–Sunter model
//! trained by EM without labels scores them; every pair carries an
//! explanation a caseworker can read.
//!
//! A pure library: no clock, no RNG (seeds are parameters), no I/O beyond
//! the readers and writers it is given.

pub mod calendar;
pub mod csvin;
pub mod error;
pub mod gazetteer;
pub mod hangul;
pub mod names;
pub mod records;
pub mod surname;

pub use error::{KinError, Result, RowIssue};
pub mod batch;
pub mod block;
pub mod compare;
pub mod draw;
pub mod explain;
pub mod features;
pub mod link;
pub mod linker;
pub mod model;
pub mod registry;
pub mod stream;
