//! Entry envelopes, key registration and rotation, admission, and the audit.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use rsm_ledger::envelope::{TYPE_KEY_REGISTER, TYPE_KEY_ROTATE};
use rsm_ledger::{
    Anchor, AuditConfig, Auditor, Checkpoint, EntryBody, EntryType, Envelope, EnvelopeError,
    Finding, Hash, LedgerState, MemoryTree, Note, NoteSigner, Party, commit_public, commit_salted,
    verify_salted,
};

pub const ORIGIN: &str = "rsm.example/log";

pub fn log_key() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap()
}

pub fn party_key(p: &str, generation: u8) -> SigningKey {
    let mut seed = [generation; 32];
    seed[..p.len()].copy_from_slice(p.as_bytes());
    SigningKey::from_bytes(&seed)
}

/// A log writer that produces valid entries (what the server plus honest parties do).
pub struct Log {
    pub tree: MemoryTree,
    pub state: LedgerState,
    pub entries: Vec<Vec<u8>>,
}

impl Log {
    pub fn new() -> Self {
        Log {
            tree: MemoryTree::new(),
            state: LedgerState::default(),
            entries: Vec::new(),
        }
    }

    pub fn body(&self, party: &str, ty: &str, data: Vec<u8>) -> EntryBody {
        let p = Party::new(party).unwrap();
        let head = self.state.chains.head(&p);
        EntryBody {
            party: p,
            seq: head.next_seq,
            prev: head.last,
            entry_type: EntryType::new(ty).unwrap(),
            commitment: commit_public(format!("{party} content {}", head.next_seq).as_bytes()),
            anchor: Anchor {
                size: self.tree.size(),
                root: self.tree.root(),
            },
            data,
        }
    }

    /// Admits and appends; panics if the server would refuse.
    pub fn submit(&mut self, env: &Envelope) -> u64 {
        let bytes = env.encode().unwrap();
        let a = self
            .state
            .admit(&bytes, self.tree.store(), self.tree.size(), 1000)
            .unwrap();
        let out = self.tree.append(&bytes);
        assert_eq!(out.leaf_hash, a.leaf_hash);
        self.state.commit(out.index, &a);
        self.entries.push(bytes);
        out.index
    }

    /// Appends raw bytes without admission (a misbehaving host).
    pub fn force(&mut self, bytes: Vec<u8>) -> u64 {
        let out = self.tree.append(&bytes);
        self.entries.push(bytes);
        out.index
    }

    pub fn register(&mut self, party: &str, key: &SigningKey) -> u64 {
        let env = self
            .body(
                party,
                TYPE_KEY_REGISTER,
                key.verifying_key().to_bytes().to_vec(),
            )
            .sign(key)
            .unwrap();
        self.submit(&env)
    }

    pub fn notify(&mut self, party: &str, key: &SigningKey) -> u64 {
        let env = self
            .body(party, "notification.launch", vec![])
            .sign(key)
            .unwrap();
        self.submit(&env)
    }

    pub fn checkpoint(&self, size: u64) -> Vec<u8> {
        Checkpoint::new(ORIGIN, size, self.tree.root_at(size).unwrap())
            .sign(&log_key())
            .unwrap()
            .to_text()
            .into_bytes()
    }

    pub fn batch(&self, from: usize) -> Vec<(u64, &[u8])> {
        self.entries[from..]
            .iter()
            .enumerate()
            .map(|(i, e)| ((from + i) as u64, e.as_slice()))
            .collect()
    }
}

pub fn config(pins: BTreeMap<Party, ed25519_dalek::VerifyingKey>) -> AuditConfig {
    AuditConfig {
        origin: ORIGIN.to_owned(),
        log_key: log_key().verifier(),
        pins,
        max_anchor_lag: Some(1000),
        policy: None,
    }
}

/// A clean history with three parties, a rotation, and checkpoints.
pub fn honest_log() -> Log {
    let mut log = Log::new();
    for p in ["SEC", "KR", "JP"] {
        log.register(p, &party_key(p, 0));
    }
    for _ in 0..5 {
        log.notify("KR", &party_key("KR", 0));
        log.notify("JP", &party_key("JP", 0));
    }
    // KR rotates (signed by the old key) and continues with the new one.
    let new = party_key("KR", 1);
    let env = log
        .body(
            "KR",
            TYPE_KEY_ROTATE,
            new.verifying_key().to_bytes().to_vec(),
        )
        .sign(&party_key("KR", 0))
        .unwrap();
    log.submit(&env);
    for _ in 0..3 {
        log.notify("KR", &new);
    }
    log.notify("SEC", &party_key("SEC", 0));
    log
}

#[test]
fn envelope_roundtrip_and_strict_parse() {
    let log = honest_log();
    for e in &log.entries {
        let env = Envelope::parse(e).unwrap();
        assert_eq!(&env.encode().unwrap(), e);
    }
    let e = &log.entries[4];
    // Every truncation fails, as does a trailing byte and another version.
    for n in 0..e.len() {
        assert!(Envelope::parse(&e[..n]).is_err(), "prefix {n}");
    }
    let mut t = e.clone();
    t.push(0);
    assert_eq!(Envelope::parse(&t), Err(EnvelopeError::TrailingBytes(1)));
    let mut v = e.clone();
    v[0] = 2;
    assert_eq!(Envelope::parse(&v), Err(EnvelopeError::Version(2)));
    let mut p = e.clone();
    p[2] = b'k'; // lower-case party
    assert!(matches!(
        Envelope::parse(&p),
        Err(EnvelopeError::BadParty(_))
    ));
    for bad in ["", "K", "kr", "KRX", "SECR", "K1"] {
        assert!(Party::new(bad).is_err(), "{bad}");
    }
    assert!(Party::new("SEC").is_ok() && Party::new("KP").is_ok());
    for bad in ["", "Upper", "with space", &"x".repeat(65)] {
        assert!(EntryType::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn salted_commitments() {
    let salt = [7u8; 32];
    let c = commit_salted(&salt, b"tracing request 123");
    assert!(verify_salted(&c, &salt, b"tracing request 123"));
    assert!(!verify_salted(&c, &[8; 32], b"tracing request 123"));
    assert!(!verify_salted(&c, &salt, b"tracing request 124"));
    assert_ne!(c, commit_public(b"tracing request 123"));
}

#[test]
fn admission_refuses_bad_submissions() {
    let mut log = honest_log();
    let kr = party_key("KR", 1);
    let size = log.tree.size();
    let admit = |log: &Log, env: &Envelope| {
        log.state
            .admit(&env.encode().unwrap(), log.tree.store(), size, 1000)
    };
    // Old key after rotation.
    let env = log
        .body("KR", "notification.launch", vec![])
        .sign(&party_key("KR", 0))
        .unwrap();
    assert!(
        admit(&log, &env)
            .unwrap_err()
            .to_string()
            .contains("does not verify")
    );
    // Skipped sequence number.
    let mut b = log.body("KR", "notification.launch", vec![]);
    b.seq += 2;
    let e = admit(&log, &b.sign(&kr).unwrap()).unwrap_err();
    assert_eq!(e.to_string(), "party KR: expected seq 10 found 12");
    // Wrong previous hash.
    let mut b = log.body("KR", "notification.launch", vec![]);
    b.prev = Hash([9; 32]);
    assert!(admit(&log, &b.sign(&kr).unwrap()).is_err());
    // Anchor not a state of the log.
    let mut b = log.body("KR", "notification.launch", vec![]);
    b.anchor.root = Hash([1; 32]);
    assert!(admit(&log, &b.sign(&kr).unwrap()).is_err());
    // Anchor ahead.
    let mut b = log.body("KR", "notification.launch", vec![]);
    b.anchor.size += 1;
    assert!(admit(&log, &b.sign(&kr).unwrap()).is_err());
    // Unregistered party; second registration.
    let env = log
        .body("US", "notification.launch", vec![])
        .sign(&party_key("US", 0))
        .unwrap();
    assert!(admit(&log, &env).is_err());
    let env = log
        .body(
            "JP",
            TYPE_KEY_REGISTER,
            party_key("JP", 5).verifying_key().to_bytes().to_vec(),
        )
        .sign(&party_key("JP", 5))
        .unwrap();
    assert!(admit(&log, &env).is_err());
    // Pre-verified under a key that is not the one in force (here the rotated-out key):
    // the signature is checked again, so the claim cannot smuggle an old key's entry in.
    let old = party_key("KR", 0);
    let env = log
        .body("KR", "notification.launch", vec![])
        .sign(&old)
        .unwrap();
    let e = log
        .state
        .admit_preverified(
            &env.encode().unwrap(),
            log.tree.store(),
            size,
            1000,
            Some(&old.verifying_key()),
        )
        .unwrap_err();
    assert!(e.to_string().contains("does not verify"), "{e}");
    // Registrations are always checked, whatever is claimed.
    let jp = party_key("JP", 5);
    let env = log
        .body(
            "JP",
            TYPE_KEY_REGISTER,
            jp.verifying_key().to_bytes().to_vec(),
        )
        .sign(&jp)
        .unwrap();
    let claimed = jp.verifying_key();
    assert!(
        log.state
            .admit_preverified(
                &env.encode().unwrap(),
                log.tree.store(),
                size,
                1000,
                Some(&claimed)
            )
            .is_err()
    );
    // A valid one still goes through.
    log.notify("KR", &kr);
    // Start-up replay rebuilds the same state.
    let mut replayed = LedgerState::default();
    for (i, e) in log.entries.iter().enumerate() {
        replayed.replay_entry(i as u64, e).unwrap();
    }
    assert_eq!(replayed.chains, log.state.chains);
    assert_eq!(replayed.keys, log.state.keys);
}

#[test]
fn audit_clean_log_and_resume() {
    let log = honest_log();
    let mut a = Auditor::new(config(BTreeMap::new()));
    assert!(a.feed_checkpoint(&log.checkpoint(10), None).is_empty());
    let half = 12;
    let f = a.feed_entries(&log.batch(0)[..half]);
    assert!(f.is_empty(), "{f:?}");
    let saved = a.save();
    let mut b = Auditor::resume(config(BTreeMap::new()), &saved).unwrap();
    assert_eq!(b.root(), a.root());
    let f = b.feed_entries(&log.batch(half));
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(b.root(), log.tree.root());
    let n = log.tree.size();
    let p = log.tree.consistency_proof(10, n).unwrap();
    assert!(b.feed_checkpoint(&log.checkpoint(n), Some(&p)).is_empty());
    let kr = Party::new("KR").unwrap();
    assert_eq!(
        b.keys().key_at(&kr, n - 1),
        Some(party_key("KR", 1).verifying_key())
    );
    assert_eq!(
        b.keys().key_at(&kr, 5),
        Some(party_key("KR", 0).verifying_key())
    );
    // A truncated state is refused.
    assert!(Auditor::resume(config(BTreeMap::new()), &saved[..saved.len() - 1]).is_err());
}

fn audit_all(log: &Log) -> Vec<Finding> {
    let mut a = Auditor::new(config(BTreeMap::new()));
    a.feed_entries(&log.batch(0))
}

#[test]
fn audit_reports_sequence_and_chain_breaks() {
    let mut log = honest_log();
    let kr = party_key("KR", 1);
    let mut b = log.body("KR", "notification.launch", vec![]);
    b.seq += 2;
    let idx = log.force(b.sign(&kr).unwrap().encode().unwrap());
    let f = audit_all(&log);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].to_string(),
        format!("entry {idx}: party KR: expected seq 10 found 12")
    );
    let mut log = honest_log();
    let mut b = log.body("JP", "notification.launch", vec![]);
    b.prev = Hash::ZERO;
    let idx = log.force(b.sign(&party_key("JP", 0)).unwrap().encode().unwrap());
    let f = audit_all(&log);
    assert!(
        matches!(&f[..], [Finding::Chain { index, .. }] if *index == idx),
        "{f:?}"
    );
}

#[test]
fn audit_reports_signatures_keys_anchors_garbage() {
    let mut log = honest_log();
    // Forged by the host with the KR key that was rotated out.
    let forged = log
        .body("KR", "notification.launch", vec![])
        .sign(&party_key("KR", 0))
        .unwrap();
    let i1 = log.force(forged.encode().unwrap());
    // Garbage leaf.
    let i2 = log.force(b"not an envelope".to_vec());
    // Back-dated anchor (a root that was never the log's).
    let mut b = log.body("JP", "notification.launch", vec![]);
    b.anchor = Anchor {
        size: 3,
        root: Hash([5; 32]),
    };
    let i3 = log.force(b.sign(&party_key("JP", 0)).unwrap().encode().unwrap());
    // A party the registry does not know.
    let b = log.body("US", "notification.launch", vec![]);
    let i4 = log.force(b.sign(&party_key("US", 0)).unwrap().encode().unwrap());
    // A registration that contradicts a pin.
    let mut pins = BTreeMap::new();
    pins.insert(
        Party::new("RU").unwrap(),
        party_key("RU", 0).verifying_key(),
    );
    let rogue = party_key("RU", 9);
    let b = log.body(
        "RU",
        TYPE_KEY_REGISTER,
        rogue.verifying_key().to_bytes().to_vec(),
    );
    let i5 = log.force(b.sign(&rogue).unwrap().encode().unwrap());
    let mut a = Auditor::new(config(pins));
    let f = a.feed_entries(&log.batch(0));
    let idx: Vec<u64> = f.iter().filter_map(Finding::index).collect();
    assert_eq!(idx, vec![i1, i2, i3, i4, i5], "{f:#?}");
    assert!(matches!(f[0], Finding::BadSignature { .. }));
    assert!(matches!(f[1], Finding::Malformed { .. }));
    assert!(matches!(
        f[2],
        Finding::AnchorMismatch { anchor_size: 3, .. }
    ));
    assert!(f[3].to_string().contains("party US has no registered key"));
    assert!(f[4].to_string().contains("pinned key"));
}

#[test]
fn audit_reports_split_view_and_bad_checkpoints() {
    let log = honest_log();
    let mut a = Auditor::new(config(BTreeMap::new()));
    assert!(a.feed_entries(&log.batch(0)).is_empty());
    assert!(a.feed_checkpoint(&log.checkpoint(8), None).is_empty());
    // The same size, another root, signed by the log: split view.
    let other = Checkpoint::new(ORIGIN, 8, Hash([3; 32]))
        .sign(&log_key())
        .unwrap();
    let f = a.feed_checkpoint(other.to_text().as_bytes(), None);
    assert!(
        matches!(f[..], [Finding::SplitView { size: 8, .. }]),
        "{f:?}"
    );
    assert!(f[0].to_string().starts_with("SPLIT VIEW"));
    // A root that the entries do not give.
    let bad = Checkpoint::new(ORIGIN, 9, Hash([4; 32]))
        .sign(&log_key())
        .unwrap();
    let f = a.feed_checkpoint(bad.to_text().as_bytes(), None);
    assert!(
        matches!(f[..], [Finding::CheckpointMismatch { size: 9, .. }]),
        "{f:?}"
    );
    // Not signed by the log key.
    let rogue = NoteSigner::from_seed(ORIGIN, &[42; 32]).unwrap();
    let n = Checkpoint::new(ORIGIN, 9, log.tree.root_at(9).unwrap())
        .sign(&rogue)
        .unwrap();
    let f = a.feed_checkpoint(n.to_text().as_bytes(), None);
    assert!(
        matches!(f[..], [Finding::CheckpointInvalid { .. }]),
        "{f:?}"
    );
    // A checkpoint ahead of the entries is checked when they arrive.
    let mut b = Auditor::new(config(BTreeMap::new()));
    let ahead = Checkpoint::new(ORIGIN, 15, Hash([6; 32]))
        .sign(&log_key())
        .unwrap();
    assert!(
        b.feed_checkpoint(ahead.to_text().as_bytes(), None)
            .is_empty()
    );
    let f = b.feed_entries(&log.batch(0));
    assert!(
        matches!(f[..], [Finding::CheckpointMismatch { size: 15, .. }]),
        "{f:?}"
    );
    // With a witness policy, a checkpoint without the quorum is reported (and still used).
    let w = rsm_ledger::CosignatureSigner::from_seed("w.example", &[8; 32]).unwrap();
    let mut cfg = config(BTreeMap::new());
    cfg.policy = Some(
        rsm_ledger::WitnessPolicy::parse(&format!(
            "log {}\nwitness w {}\nquorum w\n",
            log_key().verifier().to_vkey(),
            w.verifier().to_vkey()
        ))
        .unwrap(),
    );
    let mut d = Auditor::new(cfg);
    let f = d.feed_checkpoint(&log.checkpoint(5), None);
    assert!(
        matches!(&f[..], [Finding::NoQuorum { size: 5, .. }]),
        "{f:?}"
    );
    let mut n = Note::parse(&log.checkpoint(6)).unwrap();
    let text = n.text().to_owned();
    n.add_signature(w.cosign(&text, 1_800_000_000).unwrap());
    assert!(d.feed_checkpoint(n.to_text().as_bytes(), None).is_empty());
    // Gaps stop the batch.
    let mut c = Auditor::new(config(BTreeMap::new()));
    let f = c.feed_entries(&log.batch(1));
    assert!(
        matches!(
            f[..],
            [Finding::IndexGap {
                expected: 0,
                found: 1
            }]
        ),
        "{f:?}"
    );
}

#[test]
fn audit_holds_registrations_to_the_pins_the_log_records() {
    let mut log = Log::new();
    let sec = party_key("SEC", 0);
    log.register("SEC", &sec);
    let pinned = party_key("US", 0);
    let mut data = b"US".to_vec();
    data.extend_from_slice(pinned.verifying_key().as_bytes());
    let env = log
        .body("SEC", rsm_ledger::envelope::TYPE_KEY_PIN, data)
        .sign(&sec)
        .unwrap();
    log.submit(&env);
    let mut bad = log
        .body("SEC", rsm_ledger::envelope::TYPE_KEY_PIN, b"U".to_vec())
        .sign(&sec)
        .unwrap()
        .encode()
        .unwrap();
    // A malformed pin (one byte of data), still properly signed.
    let bad_index = log.force(std::mem::take(&mut bad));
    let _ = bad_index;
    // The host registers another key for the US than the one it pinned.
    let other = party_key("US", 9);
    let reg = log
        .body(
            "US",
            TYPE_KEY_REGISTER,
            other.verifying_key().to_bytes().to_vec(),
        )
        .sign(&other)
        .unwrap()
        .encode()
        .unwrap();
    let reg_index = log.force(reg);

    // Fed in one go, and fed across a save/resume after the pin: the same findings.
    let mut a = Auditor::new(config(BTreeMap::new()));
    let all = a.feed_entries(&log.batch(0));
    let mut b = Auditor::new(config(BTreeMap::new()));
    let mut split = b.feed_entries(&log.batch(0)[..2]);
    let mut b = Auditor::resume(config(BTreeMap::new()), &b.save()).unwrap();
    split.extend(b.feed_entries(&log.batch(2)));
    for findings in [&all, &split] {
        let text: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|f| f.contains("entry 2: key pin")),
            "{text:?}"
        );
        assert!(
            findings.iter().any(|f| matches!(
                f,
                Finding::Key { index, error: rsm_ledger::KeyError::PinMismatch(_) } if *index == reg_index
            )),
            "{text:?}"
        );
    }
    // An auditor whose own out-of-band pin differs from the log's says so.
    let mut pins = BTreeMap::new();
    pins.insert(Party::new("US").unwrap(), other.verifying_key());
    let mut c = Auditor::new(config(pins));
    let text: Vec<String> = c
        .feed_entries(&log.batch(0))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        text.iter()
            .any(|f| f.contains("entry 1: key pin") && f.contains("another key")),
        "{text:?}"
    );
}
