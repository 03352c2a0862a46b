//! Fuzz notice validation: JSON content against every type of the default regime.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_regime::default_regime;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let regime = default_regime().expect("the default regime parses");
    for t in regime.types() {
        match t.validate(&value) {
            Ok(notice) => assert_eq!(&notice.type_id, &t.id),
            Err(errors) => {
                assert!(!errors.is_empty());
                for e in errors {
                    let _ = e.to_string();
                }
            }
        }
    }
});
