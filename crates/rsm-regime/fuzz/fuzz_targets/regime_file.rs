//! Fuzz the regime file parser: any bytes either parse or give located, non-empty issues.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_regime::Regime;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Regime::parse(text) {
        Ok(regime) => {
            for t in regime.types() {
                assert!(regime.get(t.id.as_str()).is_some());
            }
        }
        Err(e) => {
            assert!(!e.issues.is_empty());
            let _ = e.to_string();
        }
    }
});
