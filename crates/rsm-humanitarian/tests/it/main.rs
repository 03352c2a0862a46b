//! Integration tests of rsm-humanitarian, in one binary.

mod aid;
mod cases;
mod report;
