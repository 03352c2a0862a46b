//! Property tests of the Merkle tree against an independent implementation (`ct-merkle`).

use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use proptest::prelude::*;
use rsm_ledger::{Hash, MemoryTree, NodeId, verify_consistency, verify_inclusion};
use sha2_011::Sha256;

fn build(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(&leaf_data(i));
    }
    t
}

fn leaf_data(i: u64) -> Vec<u8> {
    format!("entry {i}").into_bytes()
}

fn flat(p: &[Hash]) -> Vec<u8> {
    p.iter().flat_map(|h| h.0).collect()
}

fn ct_root(h: Hash, n: u64) -> RootHash<Sha256> {
    RootHash::new(h.0.into(), n)
}

/// Checks every inclusion proof of leaf `m` and consistency proof from `m` in the tree of
/// `n` with both verifiers, and that a corrupted proof fails both.
fn check_pair(t: &MemoryTree, m: u64, n: u64) {
    check_pair_with(t, m, n, true);
}

fn check_pair_with(t: &MemoryTree, m: u64, n: u64, corrupt: bool) {
    let root_n = t.root_at(n).unwrap();
    let ct_n = ct_root(root_n, n);
    // Inclusion of leaf m-1 (m >= 1).
    let idx = m - 1;
    let p = t.inclusion_proof(idx, n).unwrap();
    let leaf = t.store().get(NodeId::new(0, idx)).unwrap();
    verify_inclusion(&leaf, idx, n, &p, &root_n).unwrap();
    let ctp = InclusionProof::<Sha256>::from_bytes(flat(&p));
    ct_n.verify_inclusion(&leaf_data(idx), idx, &ctp).unwrap();
    if corrupt && !p.is_empty() {
        let mut bad = p.clone();
        let k = (m as usize) % bad.len();
        bad[k].0[0] ^= 1;
        assert!(verify_inclusion(&leaf, idx, n, &bad, &root_n).is_err());
        let ctp = InclusionProof::<Sha256>::from_bytes(flat(&bad));
        assert!(ct_n.verify_inclusion(&leaf_data(idx), idx, &ctp).is_err());
    }
    // Consistency m -> n.
    let root_m = t.root_at(m).unwrap();
    let c = t.consistency_proof(m, n).unwrap();
    verify_consistency(m, n, &c, &root_m, &root_n).unwrap();
    let ctc = ConsistencyProof::<Sha256>::try_from_bytes(flat(&c)).unwrap();
    ct_n.verify_consistency(&ct_root(root_m, m), &ctc).unwrap();
    if corrupt && !c.is_empty() {
        let mut bad = c.clone();
        let k = (n as usize) % bad.len();
        bad[k].0[31] ^= 0x80;
        assert!(verify_consistency(m, n, &bad, &root_m, &root_n).is_err());
        let ctc = ConsistencyProof::<Sha256>::try_from_bytes(flat(&bad)).unwrap();
        assert!(ct_n.verify_consistency(&ct_root(root_m, m), &ctc).is_err());
        // Truncated and extended proofs fail too.
        assert!(verify_consistency(m, n, &c[..c.len() - 1], &root_m, &root_n).is_err());
        let mut long = c.clone();
        long.push(root_n);
        assert!(verify_consistency(m, n, &long, &root_m, &root_n).is_err());
    }
}

/// Exhaustive over all 1 <= m <= n <= 600 (180,300 pairs), both verifiers on every pair;
/// corruptions on every 5th pair (a debug build hashes slowly).
#[test]
fn exhaustive_pairs_up_to_600() {
    let t = build(600);
    for n in 1..=600u64 {
        for m in 1..=n {
            check_pair_with(&t, m, n, (m + n) % 5 == 0);
        }
    }
}

#[test]
fn roots_agree_with_ct_merkle() {
    let mut ours = MemoryTree::new();
    let mut theirs = ct_merkle::mem_backed_tree::MemoryBackedTree::<Sha256, Vec<u8>>::new();
    for i in 0..1100u64 {
        ours.append(&leaf_data(i));
        theirs.push(leaf_data(i));
        assert_eq!(
            ours.root().0.as_slice(),
            theirs.root().as_bytes().as_slice()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Sampled larger sizes.
    #[test]
    fn sampled_large_sizes(n in 601u64..20_000, a in any::<u64>()) {
        let t = build(n);
        let m = 1 + a % n;
        check_pair(&t, m, n);
        check_pair(&t, n, n);
        check_pair(&t, 1, n);
    }
}
