//! Cosignatures, witness policies, and the witness side of `add-checkpoint`.

use rsm_ledger::{
    AddCheckpointRequest, Checkpoint, CosignatureSigner, Hash, MemoryTree, Note, NoteSigner,
    NoteVerifier, PolicyError, Witness, WitnessError, WitnessPolicy, WitnessState,
};

const ORIGIN: &str = "rsm.example/log";

fn log_key() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap()
}

fn witness(i: u8) -> CosignatureSigner {
    CosignatureSigner::from_seed(&format!("w{i}.example"), &[10 + i; 32]).unwrap()
}

fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(&i.to_be_bytes());
    }
    t
}

fn signed(t: &MemoryTree, size: u64) -> Note {
    Checkpoint::new(ORIGIN, size, t.root_at(size).unwrap())
        .sign(&log_key())
        .unwrap()
}

fn policy_text(quorum: &str) -> String {
    let mut s = format!("# test policy\nlog {}\n", log_key().verifier().to_vkey());
    for i in 1..=3 {
        s += &format!(
            "witness W{i} {} https://w{i}.example\n",
            witness(i).verifier().to_vkey()
        );
    }
    s += "group two 2 W1 W2 W3\ngroup first any W1\n";
    s += &format!("quorum {quorum}\n");
    s
}

#[test]
fn cosignature_vkey_and_key_id_use_type_4() {
    let w = witness(1);
    let v = w.verifier();
    let vkey = v.to_vkey();
    let parsed = NoteVerifier::from_vkey(&vkey).unwrap();
    assert_eq!(parsed, v);
    assert_eq!(parsed.kind(), rsm_ledger::KeyKind::CosignatureV1);
    assert_eq!(
        v.key_id(),
        rsm_ledger::note::key_id("w1.example", 0x04, v.public_key().as_bytes())
    );
    // Signed message layout.
    assert_eq!(
        rsm_ledger::cosign::cosigned_message("o\n1\nAAAA\n", 1679315147),
        b"cosignature/v1\ntime 1679315147\no\n1\nAAAA\n"
    );
}

/// Vectors from transparency-dev/formats' cosignature tests: a native type-0x04 witness vkey
/// (a real witness), a type-0x01 vkey accepted for cosigning, and a cosignature line whose
/// timestamp is 1727964367.
#[test]
fn go_formats_cosignature_vectors() {
    let native = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
    let v = NoteVerifier::from_vkey(native).unwrap();
    assert_eq!(v.kind(), rsm_ledger::KeyKind::CosignatureV1);
    assert_eq!(v.key_id(), 0xda77ade7);
    assert_eq!(v.to_vkey(), native);
    assert_eq!(NoteVerifier::cosigner_from_vkey(native).unwrap(), v);
    let plain = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
    let p = NoteVerifier::from_vkey(plain).unwrap();
    assert_eq!(p.key_id(), 0x7997405c);
    let c = NoteVerifier::cosigner_from_vkey(plain).unwrap();
    assert_eq!(c.kind(), rsm_ledger::KeyKind::CosignatureV1);
    assert_eq!(c.public_key(), p.public_key());
    assert_eq!(
        c.key_id(),
        rsm_ledger::note::key_id("TEST", 0x04, p.public_key().as_bytes())
    );
    let line = "\u{2014} x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==\n";
    let n = Note::parse(format!("t\n\n{line}").as_bytes()).unwrap();
    assert_eq!(
        rsm_ledger::cosign::cosignature_timestamp(&n.signatures()[0]),
        Some(1727964367)
    );
}

#[test]
fn quorum_rules() {
    let t = tree(5);
    let mut note = signed(&t, 5);
    let text = note.text().to_owned();
    let none = WitnessPolicy::parse(&policy_text("none")).unwrap();
    let two = WitnessPolicy::parse(&policy_text("two")).unwrap();
    let first = WitnessPolicy::parse(&policy_text("first")).unwrap();
    let bytes = |n: &Note| n.to_text().into_bytes();
    assert!(none.verify_checkpoint(&bytes(&note), ORIGIN).is_ok());
    assert!(matches!(
        two.verify_checkpoint(&bytes(&note), ORIGIN),
        Err(PolicyError::NoQuorum { .. })
    ));
    note.add_signature(witness(2).cosign(&text, 1_700_000_000).unwrap());
    assert!(matches!(
        first.verify_checkpoint(&bytes(&note), ORIGIN),
        Err(PolicyError::NoQuorum { .. })
    ));
    assert!(two.verify_checkpoint(&bytes(&note), ORIGIN).is_err());
    // A cosignature from an unknown witness does not count and is ignored.
    note.add_signature(
        CosignatureSigner::from_seed("stranger", &[99; 32])
            .unwrap()
            .cosign(&text, 5)
            .unwrap(),
    );
    assert!(two.verify_checkpoint(&bytes(&note), ORIGIN).is_err());
    note.add_signature(witness(1).cosign(&text, 1_700_000_001).unwrap());
    let ok = two.verify_checkpoint(&bytes(&note), ORIGIN).unwrap();
    assert_eq!(ok.cosigners.len(), 2);
    assert!(first.verify_checkpoint(&bytes(&note), ORIGIN).is_ok());
    // A cosignature over another checkpoint (replayed line) is a bad known signature.
    let other = signed(&t, 4);
    let mut forged = note.clone();
    forged.add_signature(witness(3).cosign(other.text(), 1).unwrap());
    assert!(two.verify_checkpoint(&bytes(&forged), ORIGIN).is_err());
    // Wrong origin.
    assert!(two.verify_checkpoint(&bytes(&note), "other").is_err());
}

#[test]
fn policy_syntax_errors() {
    let ok = policy_text("two");
    assert!(WitnessPolicy::parse(&ok).is_ok());
    let w1 = witness(1).verifier().to_vkey();
    let log = log_key().verifier().to_vkey();
    for bad in [
        String::new(),
        format!("log {log}\n"),
        format!("log {log}\nquorum W1\n"),
        format!("log {log}\nwitness W1 {w1}\nwitness W1 {w1}\nquorum W1\n"),
        format!("log {log}\nwitness W1 {w1}\ngroup g 2 W1\nquorum g\n"),
        format!("log {log}\nwitness W1 {w1}\ngroup g 0 W1\nquorum g\n"),
        format!("log {log}\nwitness W1 {w1}\ngroup g any W1 W1\nquorum g\n"),
        format!("log {log}\nquorum g\ngroup g any W1\nwitness W1 {w1}\n"),
        format!("log {log}\nwitness W1 {w1}\nquorum W1\nquorum W1\n"),
        format!("log {w1}\nquorum none\n"),
        format!("log {log}\nfrobnicate\nquorum none\n"),
        format!("log {log}\nwitness none {w1}\nquorum none\n"),
    ] {
        assert!(WitnessPolicy::parse(&bad).is_err(), "{bad}");
    }
    // A type-0x01 vkey is accepted for a witness and used as a cosigner key (as Go does).
    let p = WitnessPolicy::parse(&format!("log {log}\nwitness W1 {log}\nquorum W1\n")).unwrap();
    assert_eq!(
        p.witnesses()[0].key.kind(),
        rsm_ledger::KeyKind::CosignatureV1
    );
    // Hex witness keys take the witness name as key name.
    let raw = rsm_ledger::hash::to_hex(witness(1).verifier().public_key().as_bytes());
    let p = WitnessPolicy::parse(&format!(
        "log {log}\nwitness w1.example {raw}\nquorum w1.example\n"
    ))
    .unwrap();
    assert_eq!(p.witnesses()[0].key, witness(1).verifier());
}

#[test]
fn witness_add_checkpoint_flow() {
    let t = tree(40);
    let mut w = Witness::new(witness(1));
    w.add_log(ORIGIN, log_key().verifier());
    let req = |old: u64, proof: Vec<Hash>, size: u64| AddCheckpointRequest {
        old_size: old,
        proof,
        checkpoint: signed(&t, size).to_text().into_bytes(),
    };
    // First contact.
    let r = w.add_checkpoint(&req(0, vec![], 10), None, 1000).unwrap();
    assert_eq!(r.state.size, 10);
    let mut n = signed(&t, 10);
    let line = r.response_body();
    assert!(line.starts_with("\u{2014} w1.example "));
    n.add_signature(r.cosignatures[0].clone());
    let v = n.verify(&[w.verifier()]).unwrap();
    assert_eq!(v[0].timestamp, Some(1000));
    let st = Some(r.state);
    // Advance with a proof, through the wire encoding.
    let body = req(10, t.consistency_proof(10, 30).unwrap(), 30).encode();
    let parsed = AddCheckpointRequest::parse(&body).unwrap();
    let r2 = w.add_checkpoint(&parsed, st, 1001).unwrap();
    assert_eq!(
        r2.state,
        WitnessState {
            size: 30,
            root: t.root_at(30).unwrap()
        }
    );
    // Stale old size: conflict carrying the witness's size.
    let e = w
        .add_checkpoint(
            &req(10, t.consistency_proof(10, 40).unwrap(), 40),
            Some(r2.state),
            1002,
        )
        .unwrap_err();
    assert_eq!(e, WitnessError::Conflict { size: 30 });
    assert_eq!(e.spec_status(), 409);
    // Bad proof.
    let mut p = t.consistency_proof(30, 40).unwrap();
    p[0].0[0] ^= 1;
    let e = w
        .add_checkpoint(&req(30, p, 40), Some(r2.state), 1002)
        .unwrap_err();
    assert_eq!(e.spec_status(), 422);
    // Same size, different root: conflict.
    let mut t2 = MemoryTree::new();
    for i in 0..30u64 {
        t2.append(&(i + 1000).to_be_bytes());
    }
    let forged2 = Checkpoint::new(ORIGIN, 30, t2.root())
        .sign(&log_key())
        .unwrap();
    let e = w
        .add_checkpoint(
            &AddCheckpointRequest {
                old_size: 30,
                proof: vec![],
                checkpoint: forged2.to_text().into_bytes(),
            },
            Some(r2.state),
            1003,
        )
        .unwrap_err();
    assert_eq!(e.spec_status(), 409);
    // Old size larger than the checkpoint: bad request.
    let e = w
        .add_checkpoint(&req(30, vec![], 20), Some(r2.state), 1004)
        .unwrap_err();
    assert_eq!(e.spec_status(), 400);
    // Unknown origin.
    let other = Checkpoint::new("other.example", 1, Hash([1; 32]))
        .sign(&log_key())
        .unwrap();
    let e = w
        .add_checkpoint(
            &AddCheckpointRequest {
                old_size: 0,
                proof: vec![],
                checkpoint: other.to_text().into_bytes(),
            },
            None,
            1,
        )
        .unwrap_err();
    assert_eq!(e.spec_status(), 404);
    // Signed by an untrusted key.
    let rogue = NoteSigner::from_seed(ORIGIN, &[66; 32]).unwrap();
    let bad = Checkpoint::new(ORIGIN, 40, t.root()).sign(&rogue).unwrap();
    let e = w
        .add_checkpoint(
            &AddCheckpointRequest {
                old_size: 30,
                proof: t.consistency_proof(30, 40).unwrap(),
                checkpoint: bad.to_text().into_bytes(),
            },
            Some(r2.state),
            1,
        )
        .unwrap_err();
    assert_eq!(e.spec_status(), 403);
    // Malformed requests.
    for b in [
        &b""[..],
        b"old 01\n\n",
        b"old 1\nnot-a-hash\n\n",
        b"new 1\n\n",
    ] {
        assert!(AddCheckpointRequest::parse(b).is_err());
    }
}
