//! Integration tests of rsm-humanitarian, in one binary.

mod aid;
mod report;
