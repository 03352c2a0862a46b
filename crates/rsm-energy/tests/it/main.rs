//! Integration tests of rsm-energy, in one binary.

mod bad_input;
mod flexibility;
mod nea14;
mod props;
mod roundtrip;
mod scenarios;
mod security;
mod small;
mod support;
