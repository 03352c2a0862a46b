//! `tlog-proof` receipts: encode, parse, verify offline under a log key and a witness policy.

use rsm_ledger::{
    Checkpoint, CosignatureSigner, MemoryTree, NoteSigner, TlogProof, TlogProofError,
    WitnessPolicy, leaf_hash,
};

const ORIGIN: &str = "rsm.example/log";

#[test]
fn receipt_roundtrip_and_verification() {
    let log = NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap();
    let w1 = CosignatureSigner::from_seed("w1.example", &[2; 32]).unwrap();
    let w2 = CosignatureSigner::from_seed("w2.example", &[3; 32]).unwrap();
    let mut t = MemoryTree::new();
    for i in 0..1000u32 {
        t.append(format!("entry {i}").as_bytes());
    }
    let mut note = Checkpoint::new(ORIGIN, 1000, t.root()).sign(&log).unwrap();
    let text = note.text().to_owned();
    note.add_signature(w1.cosign(&text, 1_800_000_000).unwrap());
    note.add_signature(w2.cosign(&text, 1_800_000_001).unwrap());
    let policy = WitnessPolicy::parse(&format!(
        "log {}\nwitness a {}\nwitness b {}\ngroup g all a b\nquorum g\n",
        log.verifier().to_vkey(),
        w1.verifier().to_vkey(),
        w2.verifier().to_vkey()
    ))
    .unwrap();
    let idx = 737;
    let p = TlogProof {
        extra: Some(b"rsm".to_vec()),
        index: idx,
        proof: t.inclusion_proof(idx, 1000).unwrap(),
        checkpoint: note.to_text().into_bytes(),
    };
    let bytes = p.encode();
    let text_form = String::from_utf8(bytes.clone()).unwrap();
    assert!(text_form.starts_with("c2sp.org/tlog-proof@v1\nextra cnNt\nindex 737\n"));
    let parsed = TlogProof::parse(&bytes).unwrap();
    assert_eq!(parsed, p);
    let leaf = leaf_hash(b"entry 737");
    let ok = parsed.verify(&leaf, ORIGIN, &policy).unwrap();
    assert_eq!(ok.cosigners.len(), 2);
    parsed
        .verify_with_log_key(&leaf, ORIGIN, &log.verifier())
        .unwrap();
    // Wrong leaf, wrong index, wrong origin.
    assert!(matches!(
        parsed.verify(&leaf_hash(b"entry 736"), ORIGIN, &policy),
        Err(TlogProofError::Inclusion(_))
    ));
    let mut wrong = parsed.clone();
    wrong.index = 736;
    assert!(wrong.verify(&leaf, ORIGIN, &policy).is_err());
    assert!(parsed.verify(&leaf, "elsewhere", &policy).is_err());
    // Without the second cosignature the policy fails, the log key alone still verifies.
    let mut one = Checkpoint::new(ORIGIN, 1000, t.root()).sign(&log).unwrap();
    one.add_signature(w1.cosign(&text, 1_800_000_000).unwrap());
    let p1 = TlogProof {
        checkpoint: one.to_text().into_bytes(),
        ..parsed.clone()
    };
    assert!(matches!(
        p1.verify(&leaf, ORIGIN, &policy),
        Err(TlogProofError::Policy(_))
    ));
    assert!(
        p1.verify_with_log_key(&leaf, ORIGIN, &log.verifier())
            .is_ok()
    );
    // No extra line.
    let p2 = TlogProof {
        extra: None,
        ..parsed
    };
    assert_eq!(TlogProof::parse(&p2.encode()).unwrap(), p2);
}

#[test]
fn malformed_receipts_rejected() {
    for bad in [
        &b""[..],
        b"c2sp.org/tlog-proof@v2\nindex 1\n\nx\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"c2sp.org/tlog-proof@v1\nindex 01\n\nx\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\nx\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\n\nno signatures\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\n",
    ] {
        assert!(
            TlogProof::parse(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(
        TlogProof::parse(
            "c2sp.org/tlog-proof@v1\nindex 1\n\nx\n\n\u{2014} a AAAAAAAA\n".as_bytes()
        )
        .is_ok()
    );
}
