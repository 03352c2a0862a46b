//! The mechanism's own rules: parties, their participation over time, bodies and who may do what.
//!
//! This crate is pure: no I/O, no clock, no HTTP. Dates and instants come in as arguments.

pub mod access;
pub mod body;
pub mod participation;
pub mod party;
