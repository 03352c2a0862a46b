//! Fuzz the C2SP tlog-proof parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::TlogProof;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = TlogProof::parse(data) {
        assert_eq!(TlogProof::parse(&p.encode()).as_ref(), Ok(&p));
    }
});
