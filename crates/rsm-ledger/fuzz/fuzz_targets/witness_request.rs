//! Fuzz the tlog-witness add-checkpoint request parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::AddCheckpointRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = AddCheckpointRequest::parse(data) {
        assert_eq!(r.encode(), data);
    }
});
