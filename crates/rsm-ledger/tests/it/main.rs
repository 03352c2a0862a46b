//! Integration tests of rsm-ledger (one binary; one module per area).

mod props;
mod vectors;
