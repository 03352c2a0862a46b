//! Integration tests of rsm-ledger (one binary; one module per area).

mod batches;
mod entries;
mod go_interop;
mod notes;
mod props;
mod receipts;
mod robust;
mod tamper;
mod tiles;
mod vectors;
mod witness;
