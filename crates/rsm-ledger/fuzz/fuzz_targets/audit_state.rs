//! Fuzz restoring saved auditor state.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::{AuditConfig, Auditor, NoteSigner};

fuzz_target!(|data: &[u8]| {
    let cfg = AuditConfig {
        origin: "fuzz".into(),
        log_key: NoteSigner::from_seed("fuzz", &[1; 32]).unwrap().verifier(),
        pins: Default::default(),
        max_anchor_lag: None,
        policy: None,
    };
    // Saved state is canonical only up to ordering, so just require no panic and that a
    // restored auditor saves and restores again.
    if let Ok(a) = Auditor::resume(cfg.clone(), data) {
        assert!(Auditor::resume(cfg, &a.save()).is_ok());
    }
});
