//! Integration tests of rsm-core, in one binary: deliberation properties and scenarios.

mod common;
mod consensus;
mod journal;
mod scenario;
mod silence;
mod symbols;
