//! The mechanism's own rules: parties, their participation over time, bodies, who may do
//! what, and how the bodies deliberate: meetings, agendas, documents, decisions (consensus
//! and the silence procedure), journals and action items.
//!
//! This crate is pure: no I/O, no clock, no HTTP. Dates and instants come in as arguments.

pub mod access;
pub mod action;
pub mod agenda;
pub mod body;
pub mod decision;
pub mod document;
pub mod journal;
pub mod meeting;
pub mod participation;
pub mod party;
