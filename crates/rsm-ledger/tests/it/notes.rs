//! Signed notes and checkpoints: the Go `sumdb/note` known answer, cross-checks with the
//! independent `signed_note` crate, and the checkpointer's refusal to sign forks.

use rsm_ledger::{
    Checkpoint, CheckpointError, Checkpointer, Hash, MemoryTree, Note, NoteError, NoteSigner,
    NoteVerifier, open_checkpoint,
};
use signed_note::{Note as SnNote, StandardSigner, StandardVerifier, VerifierList, Verifiers as _};

// The published example of golang.org/x/mod/sumdb/note.
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const GO_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

#[test]
fn go_known_answer() {
    let signer = NoteSigner::from_skey(GO_SKEY).unwrap();
    assert_eq!(signer.verifier().to_vkey(), GO_VKEY);
    assert_eq!(signer.to_skey(), GO_SKEY);
    let mut n = Note::new(GO_TEXT).unwrap();
    n.sign(&signer).unwrap();
    assert_eq!(n.to_text(), format!("{GO_TEXT}\n{GO_SIG}"));
    let v = NoteVerifier::from_vkey(GO_VKEY).unwrap();
    let parsed = Note::parse(n.to_text().as_bytes()).unwrap();
    assert_eq!(parsed.verify(std::slice::from_ref(&v)).unwrap().len(), 1);
    // Tampered text fails.
    let bad = n.to_text().replace("cryptography", "cryptographY");
    assert!(matches!(
        Note::parse(bad.as_bytes()).unwrap().verify(&[v]),
        Err(NoteError::InvalidSignature { .. })
    ));
}

#[test]
fn vkey_manglings_rejected() {
    let b = GO_VKEY.as_bytes().to_vec();
    for i in 0..b.len() {
        let mut m = b.clone();
        m[i] = m[i].wrapping_add(1);
        if let Ok(s) = std::str::from_utf8(&m) {
            assert!(NoteVerifier::from_vkey(s).is_err(), "{s}");
        }
        let cut = std::str::from_utf8(&b[..i]).unwrap();
        assert!(NoteVerifier::from_vkey(cut).is_err(), "{cut}");
    }
}

#[test]
fn unknown_keys_ignored_known_bad_rejected() {
    let log = NoteSigner::from_seed("rsm.example/log", &[1; 32]).unwrap();
    let other = NoteSigner::from_seed("other.example", &[2; 32]).unwrap();
    let mut n = Note::new("hello\n").unwrap();
    n.sign(&other).unwrap();
    n.sign(&log).unwrap();
    let got = n.verify(&[log.verifier()]).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "rsm.example/log");
    // Only unknown signatures: rejected.
    assert_eq!(
        n.verify(&[NoteSigner::from_seed("x", &[3; 32]).unwrap().verifier()]),
        Err(NoteError::NoKnownSignature)
    );
    // Same name, different key (different ID): ignored, so no known signature.
    let imposter = NoteSigner::from_seed("rsm.example/log", &[9; 32]).unwrap();
    assert_eq!(
        n.verify(&[imposter.verifier()]),
        Err(NoteError::NoKnownSignature)
    );
    // A corrupted signature from the known key rejects the whole note.
    let mut bad = n.clone();
    let mut s = bad.signatures()[1].clone();
    s.signature[0] ^= 1;
    bad.add_signature(s);
    assert!(matches!(
        bad.verify(&[log.verifier()]),
        Err(NoteError::InvalidSignature { .. })
    ));
}

#[test]
fn too_many_signatures_rejected() {
    let log = NoteSigner::from_seed("log", &[1; 32]).unwrap();
    let mut n = Note::new("x\n").unwrap();
    for _ in 0..=rsm_ledger::note::MAX_SIGNATURES {
        n.sign(&log).unwrap();
    }
    assert!(matches!(
        Note::parse(n.to_text().as_bytes()),
        Err(NoteError::TooManySignatures(_))
    ));
}

#[test]
fn interop_with_signed_note_crate() {
    // Ours -> theirs.
    let log = NoteSigner::from_seed("rsm.example/log", &[5; 32]).unwrap();
    let cp = Checkpoint::new("rsm.example/log", 42, Hash([0xab; 32]));
    let note = cp.sign(&log).unwrap();
    let v = StandardVerifier::new(&log.verifier().to_vkey()).unwrap();
    let list = VerifierList::new(vec![Box::new(v)]);
    let theirs = SnNote::from_bytes(note.to_text().as_bytes()).unwrap();
    let (ok, _) = theirs.verify(&list).unwrap();
    assert_eq!(ok.len(), 1);
    assert!(list.verifier("rsm.example/log", log.key_id()).is_ok());
    // Theirs -> ours.
    let s = StandardSigner::new(&log.to_skey()).unwrap();
    let mut tn = SnNote::new(cp.to_text().as_bytes(), &[]).unwrap();
    tn.add_sigs(&[&s]).unwrap();
    let bytes = tn.to_bytes();
    assert_eq!(bytes, note.to_text().as_bytes());
    let opened = open_checkpoint(&bytes, "rsm.example/log", &log.verifier(), &[]).unwrap();
    assert_eq!(opened.checkpoint, cp);
}

#[test]
fn open_checkpoint_checks_origin_and_log_key() {
    let log = NoteSigner::from_seed("rsm.example/log", &[5; 32]).unwrap();
    let cp = Checkpoint::new("rsm.example/log", 1, Hash([1; 32]));
    let text = cp.sign(&log).unwrap().to_text();
    assert!(matches!(
        open_checkpoint(text.as_bytes(), "other", &log.verifier(), &[]),
        Err(CheckpointError::WrongOrigin { .. })
    ));
    let other = NoteSigner::from_seed("rsm.example/log", &[6; 32]).unwrap();
    assert!(open_checkpoint(text.as_bytes(), "rsm.example/log", &other.verifier(), &[]).is_err());
}

#[test]
fn checkpointer_refuses_forks_and_rollbacks() {
    let log = NoteSigner::from_seed("rsm.example/log", &[5; 32]).unwrap();
    let mut cpr = Checkpointer::new("rsm.example/log", log.clone(), None);
    let mut t = MemoryTree::new();
    for i in 0..10u8 {
        t.append(&[i]);
    }
    cpr.sign_from_reader(t.store(), 10).unwrap();
    for i in 10..17u8 {
        t.append(&[i]);
    }
    let n = cpr.sign_from_reader(t.store(), 17).unwrap();
    assert!(n.text().starts_with("rsm.example/log\n17\n"));
    assert_eq!(cpr.last(), Some((17, t.root())));
    // Rollback.
    assert!(matches!(
        cpr.sign(12, t.root_at(12).unwrap(), &[], &[]),
        Err(CheckpointError::Rollback { .. })
    ));
    // Same size, other root.
    assert!(matches!(
        cpr.sign(17, Hash([0; 32]), &[], &[]),
        Err(CheckpointError::Inconsistent { .. })
    ));
    // A fork: a different tree of size 20 whose consistency proof cannot match.
    let mut fork = MemoryTree::new();
    for i in 0..20u8 {
        fork.append(&[i ^ 0x80]);
    }
    let p = fork.consistency_proof(17, 20).unwrap();
    assert!(matches!(
        cpr.sign(20, fork.root(), &p, &[]),
        Err(CheckpointError::Inconsistent { .. })
    ));
    assert_eq!(cpr.last(), Some((17, t.root())));
}
