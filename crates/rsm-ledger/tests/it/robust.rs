//! Every parser of outside bytes never panics on arbitrary or mutated input (the same
//! parsers as the cargo-fuzz targets in `fuzz/`, exercised in ordinary test runs).

use proptest::prelude::*;
use rsm_ledger::tiles::{TileId, decode_entry_bundle, encode_entry_bundle};
use rsm_ledger::{
    AddCheckpointRequest, AuditConfig, Auditor, Checkpoint, Envelope, Hash, Note, NoteSigner,
    NoteVerifier, TlogProof, WitnessPolicy, open_checkpoint,
};

fn log_key() -> NoteSigner {
    NoteSigner::from_seed("rsm.example/log", &[1; 32]).unwrap()
}

fn all_parsers(data: &[u8]) {
    if let Ok(n) = Note::parse(data) {
        assert_eq!(Note::parse(n.to_text().as_bytes()).as_ref(), Ok(&n));
        let _ = n.verify(&[log_key().verifier()]);
    }
    let _ = open_checkpoint(data, "rsm.example/log", &log_key().verifier(), &[]);
    if let Ok(p) = TlogProof::parse(data) {
        assert_eq!(TlogProof::parse(&p.encode()).as_ref(), Ok(&p));
    }
    if let Ok(e) = Envelope::parse(data) {
        assert_eq!(e.encode().unwrap(), data);
    }
    if let Ok(r) = AddCheckpointRequest::parse(data) {
        assert_eq!(r.encode(), data);
    }
    if let Ok(b) = decode_entry_bundle(data) {
        assert_eq!(encode_entry_bundle(&b).unwrap(), data);
    }
    let cfg = AuditConfig {
        origin: "rsm.example/log".into(),
        log_key: log_key().verifier(),
        pins: Default::default(),
        max_anchor_lag: None,
        policy: None,
    };
    let _ = Auditor::resume(cfg, data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(c) = Checkpoint::parse_text(s) {
            assert_eq!(c.to_text(), s);
        }
        let _ = WitnessPolicy::parse(s);
        if let Ok(t) = TileId::parse_path(s) {
            assert_eq!(t.path(), s.strip_prefix('/').unwrap_or(s));
        }
        let _ = NoteVerifier::from_vkey(s);
        let _ = NoteSigner::from_skey(s);
    }
}

/// Valid inputs of every format, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    let mut t = rsm_ledger::MemoryTree::new();
    for i in 0..10u8 {
        t.append(&[i]);
    }
    let note = Checkpoint::new("rsm.example/log", 10, t.root())
        .sign(&log_key())
        .unwrap()
        .to_text();
    let proof = TlogProof {
        extra: Some(b"x".to_vec()),
        index: 3,
        proof: t.inclusion_proof(3, 10).unwrap(),
        checkpoint: note.clone().into_bytes(),
    };
    let req = AddCheckpointRequest {
        old_size: 5,
        proof: t.consistency_proof(5, 10).unwrap(),
        checkpoint: note.clone().into_bytes(),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let env = rsm_ledger::EntryBody {
        party: rsm_ledger::Party::new("KR").unwrap(),
        seq: 4,
        prev: Hash([1; 32]),
        entry_type: rsm_ledger::EntryType::new("notification.launch").unwrap(),
        commitment: Hash([2; 32]),
        anchor: rsm_ledger::Anchor {
            size: 10,
            root: t.root(),
        },
        data: vec![9; 40],
    }
    .sign(&key)
    .unwrap();
    let policy = format!(
        "log {}\nwitness a {}\ngroup g any a\nquorum g\n",
        log_key().verifier().to_vkey(),
        rsm_ledger::CosignatureSigner::from_seed("w", &[4; 32])
            .unwrap()
            .verifier()
            .to_vkey()
    );
    vec![
        note.into_bytes(),
        proof.encode(),
        req.encode(),
        env.encode().unwrap(),
        policy.into_bytes(),
        b"tile/1/x001/x234/067.p/8".to_vec(),
        encode_entry_bundle(&[b"ab".as_slice(), b"c"]).unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        all_parsers(&data);
    }

    #[test]
    fn mutated_valid_inputs_never_panic(
        which in 0usize..7,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut d = seeds().swap_remove(which);
        for (pos, byte, op) in edits {
            let i = if d.is_empty() { 0 } else { pos % d.len() };
            match op {
                0 if !d.is_empty() => d[i] = byte,
                1 => d.insert(i, byte),
                _ if !d.is_empty() => { d.remove(i); }
                _ => {}
            }
        }
        all_parsers(&d);
    }
}

#[test]
fn seeds_parse() {
    for s in seeds() {
        all_parsers(&s);
    }
}
