//! Fuzz checkpoint body parsing and signed checkpoint opening.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::{Checkpoint, NoteSigner, open_checkpoint};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(c) = Checkpoint::parse_text(s)
    {
        assert_eq!(c.to_text(), s);
    }
    let v = NoteSigner::from_seed("fuzz", &[1; 32]).unwrap().verifier();
    let _ = open_checkpoint(data, "fuzz", &v, &[]);
});
