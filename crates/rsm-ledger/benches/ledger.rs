//! Benchmarks of rsm-ledger, with the machine's raw SHA-256 and Ed25519 speeds measured in
//! the same run so every figure can be read against the hardware's own limit.
//!
//! Run: `cargo bench -p rsm-ledger --bench ledger` (set `RSM_BENCH_TREE` to change the size
//! of the big tree, default 10,000,000 leaves).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signer as _, SigningKey};
use rsm_ledger::envelope::TYPE_KEY_REGISTER;
use rsm_ledger::{
    Anchor, AuditConfig, Auditor, EntryBody, EntryType, Hash, LedgerState, MemoryTree, NoteSigner,
    Party, commit_public, leaf_hash, node_hash, sha256, verify_consistency, verify_inclusion,
};

/// Deterministic index sequence (no RNG reads in this workspace).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) % n
    }
}

fn machine_limits(c: &mut Criterion) {
    let mut g = c.benchmark_group("machine");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let buf = vec![0x5au8; 1 << 20];
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("sha256_1MiB", |b| b.iter(|| sha256(black_box(&buf))));
    g.throughput(Throughput::Elements(1));
    let (l, r) = (Hash([1; 32]), Hash([2; 32]));
    g.bench_function("sha256_node_hash_65B", |b| {
        b.iter(|| node_hash(black_box(&l), black_box(&r)))
    });
    let key = SigningKey::from_bytes(&[7; 32]);
    let msg = vec![0x42u8; 220];
    let sig = key.sign(&msg);
    let vk = key.verifying_key();
    g.bench_function("ed25519_verify_strict_220B", |b| {
        b.iter(|| vk.verify_strict(black_box(&msg), black_box(&sig)).unwrap())
    });
    g.finish();
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("tree");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    let entry = vec![0x11u8; 200];
    g.bench_function("append_200B_entry", |b| {
        b.iter_custom(|n| {
            let mut t = MemoryTree::new();
            let start = Instant::now();
            for _ in 0..n {
                black_box(t.append(black_box(&entry)));
            }
            start.elapsed()
        })
    });
    g.finish();
}

fn big_tree(c: &mut Criterion) {
    let n: u64 = std::env::var("RSM_BENCH_TREE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let t0 = Instant::now();
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append_leaf_hash(leaf_hash(&i.to_be_bytes()));
    }
    eprintln!(
        "built a {n}-leaf tree (all stored hashes in memory) in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let root = t.root();
    let mut g = c.benchmark_group("proofs");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    let mut rng = Lcg(1);
    g.bench_function(BenchmarkId::new("inclusion_proof_generate", n), |b| {
        b.iter(|| black_box(t.inclusion_proof(rng.next(n), n).unwrap()))
    });
    let mut rng = Lcg(2);
    g.bench_function(BenchmarkId::new("consistency_proof_generate", n), |b| {
        b.iter(|| black_box(t.consistency_proof(1 + rng.next(n - 1), n).unwrap()))
    });
    let samples: Vec<(u64, Vec<Hash>)> = {
        let mut rng = Lcg(3);
        (0..1024)
            .map(|_| {
                let i = rng.next(n);
                (i, t.inclusion_proof(i, n).unwrap())
            })
            .collect()
    };
    let mut k = 0usize;
    g.bench_function(BenchmarkId::new("inclusion_proof_verify", n), |b| {
        b.iter(|| {
            let (i, p) = &samples[k % samples.len()];
            k += 1;
            verify_inclusion(&leaf_hash(&i.to_be_bytes()), *i, n, p, &root).unwrap()
        })
    });
    let old = n / 3 + 1;
    let old_root = t.root_at(old).unwrap();
    let cp = t.consistency_proof(old, n).unwrap();
    g.bench_function(BenchmarkId::new("consistency_proof_verify", n), |b| {
        b.iter(|| verify_consistency(old, n, black_box(&cp), &old_root, &root).unwrap())
    });
    g.finish();
}

/// A log of `n` envelopes from six parties plus the secretariat, all valid.
fn envelopes(n: usize) -> Vec<Vec<u8>> {
    let parties = ["SEC", "CN", "JP", "KP", "KR", "RU", "US"];
    let keys: Vec<SigningKey> = (0..parties.len())
        .map(|i| SigningKey::from_bytes(&[i as u8 + 1; 32]))
        .collect();
    let mut tree = MemoryTree::new();
    let mut state = LedgerState::default();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let pi = i % parties.len();
        let party = Party::new(parties[pi]).unwrap();
        let head = state.chains.head(&party);
        let (ty, data) = if head.next_seq == 0 {
            (
                TYPE_KEY_REGISTER,
                keys[pi].verifying_key().to_bytes().to_vec(),
            )
        } else {
            ("notification.launch", vec![])
        };
        let env = EntryBody {
            party,
            seq: head.next_seq,
            prev: head.last,
            entry_type: EntryType::new(ty).unwrap(),
            commitment: commit_public(&(i as u64).to_be_bytes()),
            anchor: Anchor {
                size: tree.size(),
                root: tree.root(),
            },
            data,
        }
        .sign(&keys[pi])
        .unwrap();
        let bytes = env.encode().unwrap();
        let a = state
            .admit(&bytes, tree.store(), tree.size(), u64::MAX)
            .unwrap();
        let o = tree.append(&bytes);
        state.commit(o.index, &a);
        out.push(bytes);
    }
    out
}

fn audit(c: &mut Criterion) {
    let n = 20_000;
    let entries = envelopes(n);
    let batch: Vec<(u64, &[u8])> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, e.as_slice()))
        .collect();
    let log_key = NoteSigner::from_seed("rsm.example/log", &[9; 32]).unwrap();
    let cfg = AuditConfig {
        origin: "rsm.example/log".into(),
        log_key: log_key.verifier(),
        pins: Default::default(),
        max_anchor_lag: None,
        policy: None,
    };
    let mut g = c.benchmark_group("audit");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(n as u64));
    // The machine's limit for this work, measured next to it: verifying the same 20,000
    // signatures with rayon and nothing else (messages prepared beforehand).
    let jobs: Vec<(
        ed25519_dalek::VerifyingKey,
        Vec<u8>,
        ed25519_dalek::Signature,
    )> = entries
        .iter()
        .map(|e| {
            let env = rsm_ledger::Envelope::parse(e).unwrap();
            let key = SigningKey::from_bytes(&[1; 32]);
            let msg = env.body.signing_message().unwrap();
            let sig = key.sign(&msg);
            (key.verifying_key(), msg, sig)
        })
        .collect();
    g.bench_function(
        BenchmarkId::new("raw_ed25519_verify_rayon", format!("{n}_signatures")),
        |b| {
            use rayon::prelude::*;
            b.iter(|| {
                jobs.par_iter()
                    .for_each(|(k, m, s)| k.verify_strict(m, s).unwrap())
            })
        },
    );
    // The auditor's default: cofactored batch verification (see `sigcheck`).
    g.bench_function(
        BenchmarkId::new("full_audit_ed25519_rayon", format!("{n}_entries")),
        |b| {
            b.iter(|| {
                let mut a = Auditor::new(cfg.clone());
                let f = a.feed_entries(&batch);
                assert!(f.is_empty());
                a
            })
        },
    );
    // The same with one `verify_strict` per entry (`rsm ledger audit --strict`).
    g.bench_function(
        BenchmarkId::new("full_audit_strict_rayon", format!("{n}_entries")),
        |b| {
            b.iter(|| {
                let mut a = Auditor::new(cfg.clone());
                a.set_signature_check(rsm_ledger::SignatureCheck::Strict);
                let f = a.feed_entries(&batch);
                assert!(f.is_empty());
                a
            })
        },
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = machine_limits, append, big_tree, audit
}
criterion_main!(benches);
