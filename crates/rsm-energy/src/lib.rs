//! Regional gas network model and least-cost planner: PyPSA's CSV vocabulary in, a capacity
//! expansion and dispatch LP solved by HiGHS, builds, flows, costs and nodal prices out.
//!
//! The crate is a pure library: no clock, no randomness, no I/O beyond the explicit
//! folder readers and writers in [`csv`] and [`run`].

pub mod csv;
pub mod data;
pub mod error;
pub mod flexibility;
pub mod hash;
pub mod lp;
pub mod model;
pub mod network;
pub mod plan;

pub use error::{EnergyError, InputProblem, Result};
pub use lp::{HighsSolver, LinearProgram, LpSolver};
pub use network::{Bus, Link, Load, Network, Snapshot, Supply};
pub use plan::{Build, Costs, Plan, solve};
pub mod periods;
pub mod run;
pub mod scenario;
pub mod security;
pub mod sweep;
