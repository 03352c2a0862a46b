//! Fuzz the witness policy parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::WitnessPolicy;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = WitnessPolicy::parse(s);
    }
});
