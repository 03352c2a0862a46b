//! Fuzz the signed-note parser and verifier, and vkey parsing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::{Note, NoteSigner, NoteVerifier};

fuzz_target!(|data: &[u8]| {
    if let Ok(n) = Note::parse(data) {
        // Re-serialisation is canonical for parsed notes.
        assert_eq!(Note::parse(n.to_text().as_bytes()).as_ref(), Ok(&n));
        let v = NoteSigner::from_seed("fuzz", &[1; 32]).unwrap().verifier();
        let _ = n.verify(&[v]);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = NoteVerifier::from_vkey(s);
        let _ = NoteSigner::from_skey(s);
    }
});
