//! Fuzz the entry bundle decoder.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::tiles::{decode_entry_bundle, encode_entry_bundle};

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = decode_entry_bundle(data) {
        assert_eq!(encode_entry_bundle(&entries).unwrap(), data);
    }
});
