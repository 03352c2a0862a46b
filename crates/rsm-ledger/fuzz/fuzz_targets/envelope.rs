//! Fuzz the entry envelope parser: whatever parses re-encodes to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = Envelope::parse(data) {
        assert_eq!(e.encode().unwrap(), data);
    }
});
