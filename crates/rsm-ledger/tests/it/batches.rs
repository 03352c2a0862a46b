//! The monitor's fast paths: signatures checked in cofactored batches (a bad one inside a
//! batch is still named), what batch mode accepts that strict mode does not, small-order keys
//! refused, and hash tiles checked only where the tree grew.

use std::collections::BTreeMap;

use curve25519_dalek::{EdwardsPoint, Scalar, constants::EIGHT_TORSION};
use ed25519_dalek::SigningKey;
use rsm_ledger::envelope::{ENTRY_SIGNING_DOMAIN, TYPE_KEY_ROTATE};
use rsm_ledger::tiles::{hash_tiles_for_size, hash_tiles_grown, read_tile};
use rsm_ledger::{
    Anchor, Auditor, EntryBody, EntryType, Finding, Hash, MemoryTree, Party, SignatureCheck,
    TileKind, commit_public, leaf_hash,
};
use sha2::{Digest, Sha512};

use crate::entries::{Log, config, party_key};

/// Registrations of SEC, KR and JP, then `n` notifications alternating KR and JP, built by
/// hand (not admitted) so that entry `bad_at` can carry a defect chosen by `sign_bad`.
fn log_with(n: u64, bad_at: u64, sign_bad: impl Fn(EntryBody) -> Vec<u8>) -> Log {
    let mut log = Log::new();
    for p in ["SEC", "KR", "JP"] {
        log.register(p, &party_key(p, 0));
    }
    let mut heads: BTreeMap<&str, (u64, Hash)> = BTreeMap::new();
    for p in ["KR", "JP"] {
        let h = log.state.chains.head(&Party::new(p).unwrap());
        heads.insert(p, (h.next_seq, h.last));
    }
    let anchor = Anchor {
        size: log.tree.size(),
        root: log.tree.root(),
    };
    for i in 0..n {
        let party = if i % 2 == 0 { "KR" } else { "JP" };
        let (seq, prev) = heads[party];
        let body = EntryBody {
            party: Party::new(party).unwrap(),
            seq,
            prev,
            entry_type: EntryType::new("notification.launch").unwrap(),
            commitment: commit_public(format!("{party} {seq}").as_bytes()),
            anchor,
            data: vec![],
        };
        let index = log.tree.size();
        let bytes = if index == bad_at {
            sign_bad(body)
        } else {
            body.sign(&party_key(party, 0)).unwrap().encode().unwrap()
        };
        heads.insert(party, (seq + 1, leaf_hash(&bytes)));
        log.force(bytes);
    }
    log
}

fn audit(log: &Log, mode: SignatureCheck) -> Vec<Finding> {
    // Every entry keeps the anchor of the registrations: no lag limit here.
    let mut cfg = config(BTreeMap::new());
    cfg.max_anchor_lag = None;
    let mut a = Auditor::new(cfg);
    a.set_signature_check(mode);
    let mut f = Vec::new();
    // Fed in two parts, as a monitor run on a schedule would.
    let all = log.batch(0);
    let (first, second) = all.split_at(all.len() / 3);
    f.extend(a.feed_entries(first));
    f.extend(a.feed_entries(second));
    assert_eq!(a.root(), log.tree.root());
    f
}

#[test]
fn one_bad_signature_inside_a_batch_is_named_by_index_and_party() {
    // 3,000 entries: every batch holds hundreds of signatures; the forged one sits inside.
    let bad_at = 1_504;
    let log = log_with(3_000, bad_at, |body| {
        // JP's entry signed with a key that is not JP's.
        body.sign(&party_key("JP", 7)).unwrap().encode().unwrap()
    });
    for mode in [SignatureCheck::Batch, SignatureCheck::Strict] {
        let f = audit(&log, mode);
        assert_eq!(f.len(), 1, "{mode:?}: {:?}", &f[..f.len().min(5)]);
        match &f[0] {
            Finding::BadSignature { index, party, seq } => {
                assert_eq!(*index, bad_at);
                assert_eq!(party.as_str(), "JP");
                assert_eq!(*seq, (bad_at - 3) / 2 + 1);
            }
            other => panic!("{mode:?}: {other}"),
        }
        assert_eq!(
            f[0].to_string(),
            format!(
                "entry {bad_at}: party JP seq {}: signature does not verify under the key in force",
                (bad_at - 3) / 2 + 1
            )
        );
    }
    // A clean log of the same shape has no finding in either mode.
    let clean = log_with(3_000, u64::MAX, |_| unreachable!());
    assert!(audit(&clean, SignatureCheck::Batch).is_empty());
    assert!(audit(&clean, SignatureCheck::Strict).is_empty());
}

#[test]
fn two_bad_signatures_in_different_batches_are_both_named() {
    let log = log_with(2_000, 10, |mut body| {
        body.data = b"changed after signing".to_vec();
        let mut b = body.clone();
        b.data.clear();
        let sig = b.sign(&party_key("KR", 0)).unwrap().signature;
        let mut bytes = body.encode().unwrap();
        bytes.extend_from_slice(&sig);
        bytes
    });
    // A second defect far away: flip a bit of one signature's s half.
    let mut log2 = log;
    let far = 1_901usize;
    let last = log2.entries[far].len() - 1;
    log2.entries[far][last - 3] ^= 0x10;
    let mut tree = MemoryTree::new();
    for e in &log2.entries {
        tree.append(e);
    }
    log2.tree = tree;
    let f = audit(&log2, SignatureCheck::Batch);
    let bad: Vec<u64> = f
        .iter()
        .filter(|f| matches!(f, Finding::BadSignature { .. }))
        .filter_map(Finding::index)
        .collect();
    assert_eq!(bad, vec![10, far as u64], "{f:?}");
}

/// The secret scalar of an Ed25519 seed (RFC 8032 §5.1.5), to make a signature only the key
/// holder could make.
fn secret_scalar(seed: &[u8; 32]) -> Scalar {
    let h = Sha512::digest(seed);
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    Scalar::from_bytes_mod_order(a)
}

#[test]
fn strict_mode_names_a_signer_malleated_r_and_batch_mode_judges_it_the_same_every_run() {
    // JP's own key signs with R + T, T of order 8: the strict rule refuses it; the batch
    // equation may or may not (its coefficient cancels T one time in eight, fixed by the
    // batch's transcript). Nobody without JP's key can make such a signature.
    let bad_at = 40;
    let log = log_with(60, bad_at, |body| {
        let mut seed = [0u8; 32];
        seed[..2].copy_from_slice(b"JP");
        assert_eq!(
            SigningKey::from_bytes(&seed).verifying_key(),
            party_key("JP", 0).verifying_key()
        );
        let key = party_key("JP", 0);
        let enc = body.encode().unwrap();
        let mut msg = ENTRY_SIGNING_DOMAIN.to_vec();
        msg.extend_from_slice(&enc);
        let r = Scalar::from(987_654_321u64);
        let big_r = (EdwardsPoint::mul_base(&r) + EIGHT_TORSION[3])
            .compress()
            .to_bytes();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r)
                .chain_update(key.verifying_key().as_bytes())
                .chain_update(&msg)
                .finalize()
                .into(),
        );
        let s = r + k * secret_scalar(&seed);
        let mut bytes = enc;
        bytes.extend_from_slice(&big_r);
        bytes.extend_from_slice(s.as_bytes());
        bytes
    });
    let batched = audit(&log, SignatureCheck::Batch);
    assert!(
        batched
            .iter()
            .all(|f| matches!(f, Finding::BadSignature { index, .. } if *index == bad_at)),
        "{batched:?}"
    );
    assert_eq!(
        format!("{:?}", audit(&log, SignatureCheck::Batch)),
        format!("{batched:?}")
    );
    let strict = audit(&log, SignatureCheck::Strict);
    assert!(
        matches!(&strict[..], [Finding::BadSignature { index, .. }] if *index == bad_at),
        "{strict:?}"
    );
}

#[test]
fn a_rotation_to_a_key_of_small_order_is_refused() {
    let mut log = Log::new();
    for p in ["SEC", "KR"] {
        log.register(p, &party_key(p, 0));
    }
    // The identity point: with it, anyone could satisfy the cofactored equation.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let env = log
        .body("KR", TYPE_KEY_ROTATE, identity.to_vec())
        .sign(&party_key("KR", 0))
        .unwrap();
    let idx = log.force(env.encode().unwrap());
    let mut a = Auditor::new(config(BTreeMap::new()));
    let f = a.feed_entries(&log.batch(0));
    assert!(
        matches!(&f[..], [Finding::Key { index, error: rsm_ledger::KeyError::BadKeyData(_) }] if *index == idx),
        "{f:?}"
    );
    // The server's admission refuses it the same way.
    let mut fresh = Log::new();
    for p in ["SEC", "KR"] {
        fresh.register(p, &party_key(p, 0));
    }
    let bytes = fresh
        .body("KR", TYPE_KEY_ROTATE, identity.to_vec())
        .sign(&party_key("KR", 0))
        .unwrap()
        .encode()
        .unwrap();
    assert!(
        fresh
            .state
            .admit(&bytes, fresh.tree.store(), fresh.tree.size(), 1000)
            .is_err()
    );
}

#[test]
fn hash_tiles_grown_are_the_new_and_the_grown_partial_ones() {
    let paths = |v: Vec<rsm_ledger::TileId>| v.iter().map(|t| t.path()).collect::<Vec<_>>();
    assert_eq!(
        paths(hash_tiles_grown(0, 70_000)),
        paths(hash_tiles_for_size(70_000))
    );
    assert_eq!(
        paths(hash_tiles_grown(300, 600)),
        vec!["tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"]
    );
    // Nothing grew: nothing to fetch. A full tile stays fetched once.
    assert!(hash_tiles_grown(600, 600).is_empty());
    assert_eq!(paths(hash_tiles_grown(512, 513)), vec!["tile/0/002.p/1"]);
    assert_eq!(
        paths(hash_tiles_grown(65_535, 65_536)),
        vec!["tile/0/255", "tile/1/000", "tile/2/000.p/1"]
    );
}

#[test]
fn served_hash_tiles_are_compared_with_the_replayed_entries() {
    let log = log_with(700, u64::MAX, |_| unreachable!());
    let mut a = Auditor::new(config(BTreeMap::new()));
    assert!(a.feed_entries(&log.batch(0)).is_empty());
    // Regression: a resumed run with nothing new feeds an empty batch.
    assert!(a.feed_entries(&[]).is_empty());
    let size = log.tree.size();
    for t in hash_tiles_for_size(size) {
        let body = read_tile(log.tree.store(), &t, size).unwrap();
        assert_eq!(a.check_hash_tile(&t, &body), None, "{}", t.path());
        let mut bad = body.clone();
        bad[33] ^= 1;
        match a.check_hash_tile(&t, &bad) {
            Some(Finding::HashTileMismatch {
                tile,
                level,
                position,
                ..
            }) => {
                assert_eq!(tile, t.path());
                let TileKind::Hashes(l) = t.kind else {
                    unreachable!()
                };
                assert_eq!(level, l * 8);
                assert_eq!(position, t.first_entry() + 1);
            }
            other => panic!("{}: {other:?}", t.path()),
        }
        assert!(a.check_hash_tile(&t, &body[..body.len() - 32]).is_some());
    }
}
