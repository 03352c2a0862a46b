//! The auditor: replays the log (entries and checkpoints, in order) and reports precisely
//! what is wrong — leaf hashes and roots, signatures under the key in force, per-party
//! chains, anchors, checkpoint consistency and split views. Its state can be saved and
//! resumed. Ordinary signatures are checked in parallel with rayon, in ed25519-dalek batches by
//! default or strictly one by one ([`SignatureCheck`]; see [`crate::sigcheck`] for what each
//! accepts).

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::VerifyingKey;
use rayon::prelude::*;

use crate::checkpoint::{Checkpoint, open_checkpoint};
use crate::envelope::{Envelope, EnvelopeError, Party, TYPE_KEY_PIN};
use crate::hash::{Hash, empty_root, leaf_hash};
use crate::keys::{ChainError, ChainHead, KeyError, KeyRegistry, PartyChains};
use crate::merkle::{MemoryTree, verify_consistency};
use crate::note::NoteVerifier;
use crate::policy::{PolicyError, WitnessPolicy};
use crate::sigcheck::{SignatureCheck, SignedEntry, failing};
use crate::tiles::{TileId, TileKind};

/// What the auditor needs to know beforehand.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// The log origin.
    pub origin: String,
    /// The log's checkpoint key.
    pub log_key: NoteVerifier,
    /// Out-of-band pins of each party's first key.
    pub pins: BTreeMap<Party, VerifyingKey>,
    /// Largest allowed distance between an entry's index and its anchor size.
    pub max_anchor_lag: Option<u64>,
    /// If set, every checkpoint must also be cosigned by a quorum of this policy.
    pub policy: Option<WitnessPolicy>,
}

/// One problem found, with where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Entries are missing or out of order: the batch stops there.
    IndexGap {
        /// Next index the auditor expects.
        expected: u64,
        /// Index given.
        found: u64,
    },
    /// A served hash tile differs from the hashes computed from the entries (the server
    /// would prove from hashes that are not the log's).
    HashTileMismatch {
        /// Tile path, e.g. `tile/0/001.p/7`.
        tile: String,
        /// Tree level of the hashes (8 × tile level).
        level: u8,
        /// Position of the differing hash within its tree level.
        position: u64,
        /// Hash computed from the entries; `None` when the tile reaches beyond them.
        expected: Option<Hash>,
        /// Hash served (`None` when the tile is too short).
        found: Option<Hash>,
    },
    /// An entry is not a valid envelope.
    Malformed {
        /// Leaf index.
        index: u64,
        /// Parse error.
        error: EnvelopeError,
    },
    /// An entry's signature does not verify under the key in force.
    BadSignature {
        /// Leaf index.
        index: u64,
        /// Party.
        party: Party,
        /// Sequence number.
        seq: u64,
    },
    /// A key problem (no key, bad registration or rotation).
    Key {
        /// Leaf index.
        index: u64,
        /// The problem.
        error: KeyError,
    },
    /// A break in a party's chain.
    Chain {
        /// Leaf index.
        index: u64,
        /// The break.
        error: ChainError,
    },
    /// The anchor names a size beyond the entry itself.
    AnchorAhead {
        /// Leaf index.
        index: u64,
        /// Anchor size.
        anchor_size: u64,
    },
    /// The anchor root is not the log's root at that size.
    AnchorMismatch {
        /// Leaf index.
        index: u64,
        /// Anchor size.
        anchor_size: u64,
        /// Root of the log at that size.
        expected: Hash,
        /// Root in the anchor.
        found: Hash,
    },
    /// The anchor is older than allowed.
    AnchorStale {
        /// Leaf index.
        index: u64,
        /// Anchor size.
        anchor_size: u64,
    },
    /// A checkpoint that does not parse or is not signed by the log key.
    CheckpointInvalid {
        /// The error.
        error: String,
    },
    /// A signed checkpoint whose root differs from the root of the entries.
    CheckpointMismatch {
        /// Size.
        size: u64,
        /// Root recomputed from the entries.
        computed: Hash,
        /// Root the log signed.
        signed: Hash,
    },
    /// Two signed checkpoints of the same size with different roots: a split view.
    SplitView {
        /// Size.
        size: u64,
        /// Root seen first.
        first: Hash,
        /// Conflicting root.
        second: Hash,
    },
    /// A secretariat `key.pin` entry that is malformed, or that contradicts the auditor's
    /// own out-of-band pin of that party's first key.
    BadPin {
        /// Index of the pin entry.
        index: u64,
        /// What is wrong.
        reason: String,
    },
    /// A checkpoint without the witness quorum the policy requires.
    NoQuorum {
        /// Size.
        size: u64,
        /// Witnesses whose cosignature verified.
        cosigned: Vec<String>,
    },
    /// A signed checkpoint is larger than the entries supplied so far (reported by
    /// [`Auditor::finish`]): the log withholds entries, or the audit stopped early.
    EntriesMissing {
        /// Checkpoint size.
        size: u64,
        /// Entries replayed.
        have: u64,
    },
    /// A consistency proof supplied with a checkpoint does not verify.
    Inconsistent {
        /// Earlier size.
        old: u64,
        /// Later size.
        new: u64,
        /// The failure.
        error: String,
    },
}

impl Finding {
    /// The leaf index concerned, if any.
    pub fn index(&self) -> Option<u64> {
        match self {
            Finding::Malformed { index, .. }
            | Finding::BadSignature { index, .. }
            | Finding::Key { index, .. }
            | Finding::Chain { index, .. }
            | Finding::AnchorAhead { index, .. }
            | Finding::AnchorMismatch { index, .. }
            | Finding::AnchorStale { index, .. } => Some(*index),
            Finding::IndexGap { found, .. } => Some(*found),
            _ => None,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::IndexGap { expected, found } => {
                write!(
                    f,
                    "entries out of order: expected index {expected}, found {found}"
                )
            }
            Finding::HashTileMismatch {
                tile,
                level,
                position,
                expected,
                found,
            } => {
                let show = |h: &Option<Hash>| h.map_or("nothing".to_owned(), |h| h.to_string());
                write!(
                    f,
                    "hash tile {tile}: hash at level {level} position {position} is {}, the entries give {}",
                    show(found),
                    show(expected)
                )
            }
            Finding::Malformed { index, error } => write!(f, "entry {index}: {error}"),
            Finding::BadSignature { index, party, seq } => write!(
                f,
                "entry {index}: party {party} seq {seq}: signature does not verify under the key in force"
            ),
            Finding::Key { index, error } => write!(f, "entry {index}: {error}"),
            Finding::Chain { index, error } => write!(f, "entry {index}: {error}"),
            Finding::AnchorAhead { index, anchor_size } => {
                write!(
                    f,
                    "entry {index}: anchor size {anchor_size} is not before the entry"
                )
            }
            Finding::AnchorMismatch {
                index,
                anchor_size,
                expected,
                found,
            } => write!(
                f,
                "entry {index}: anchor root at size {anchor_size} is {found}, the log's is {expected}"
            ),
            Finding::AnchorStale { index, anchor_size } => {
                write!(f, "entry {index}: anchor size {anchor_size} is too old")
            }
            Finding::CheckpointInvalid { error } => write!(f, "invalid checkpoint: {error}"),
            Finding::CheckpointMismatch {
                size,
                computed,
                signed,
            } => write!(
                f,
                "checkpoint at size {size} signs root {signed}, the entries give {computed}"
            ),
            Finding::SplitView {
                size,
                first,
                second,
            } => write!(
                f,
                "SPLIT VIEW: two signed checkpoints of size {size}: roots {first} and {second}"
            ),
            Finding::BadPin { index, reason } => write!(f, "entry {index}: key pin: {reason}"),
            Finding::NoQuorum { size, cosigned } => write!(
                f,
                "checkpoint at size {size} lacks a witness quorum (cosigned by {cosigned:?})"
            ),
            Finding::EntriesMissing { size, have } => write!(
                f,
                "a checkpoint of size {size} was signed but only {have} entries were supplied"
            ),
            Finding::Inconsistent { old, new, error } => {
                write!(
                    f,
                    "checkpoint {new} is not consistent with checkpoint {old}: {error}"
                )
            }
        }
    }
}

/// An error restoring saved auditor state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid audit state: {0}")]
pub struct StateError(pub &'static str);

/// The auditor.
#[derive(Debug, Clone)]
pub struct Auditor {
    cfg: AuditConfig,
    tree: MemoryTree,
    leaves: Vec<Hash>,
    keys: KeyRegistry,
    chains: PartyChains,
    /// Roots of verified log checkpoints, by size.
    checkpoints: BTreeMap<u64, Hash>,
    entries_checked: u64,
    signatures: SignatureCheck,
    /// The last anchor checked (size, the log's root at that size): entries written close
    /// together share their anchor, and a past root never changes.
    last_anchor: Option<(u64, Hash)>,
}

/// An ordinary entry whose signature is checked after the in-order pass.
struct SigJob<'b> {
    index: u64,
    key: VerifyingKey,
    party: Party,
    seq: u64,
    bytes: &'b [u8],
}

impl Auditor {
    /// A fresh auditor for an empty log.
    pub fn new(cfg: AuditConfig) -> Self {
        let keys = KeyRegistry::new(cfg.pins.clone());
        Auditor {
            cfg,
            tree: MemoryTree::new(),
            leaves: Vec::new(),
            keys,
            chains: PartyChains::new(),
            checkpoints: BTreeMap::new(),
            entries_checked: 0,
            signatures: SignatureCheck::default(),
            last_anchor: None,
        }
    }

    /// Chooses how ordinary entries' signatures are checked (batches by default).
    pub fn set_signature_check(&mut self, mode: SignatureCheck) {
        self.signatures = mode;
    }

    /// How ordinary entries' signatures are checked.
    pub fn signature_check(&self) -> SignatureCheck {
        self.signatures
    }

    /// Number of entries replayed.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Root of the replayed entries.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The key registry learnt so far.
    pub fn keys(&self) -> &KeyRegistry {
        &self.keys
    }

    /// The chain heads learnt so far.
    pub fn chains(&self) -> &PartyChains {
        &self.chains
    }

    /// The largest verified checkpoint (size, root).
    pub fn last_checkpoint(&self) -> Option<(u64, Hash)> {
        self.checkpoints.iter().next_back().map(|(s, r)| (*s, *r))
    }

    /// The leaf hash of entry `index`, if replayed.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.leaves.get(usize::try_from(index).ok()?).copied()
    }

    /// Compares a served hash tile with the hashes computed from the replayed entries: every
    /// hash in it must be the auditor's own. Since the replayed root is checked against the
    /// signed checkpoint, a tile that passes is authenticated by that checkpoint. The tile
    /// must lie within the replayed entries.
    pub fn check_hash_tile(&self, tile: &TileId, body: &[u8]) -> Option<Finding> {
        let TileKind::Hashes(_) = tile.kind else {
            return Some(Finding::CheckpointInvalid {
                error: format!("{} is not a hash tile", tile.path()),
            });
        };
        let ids = tile.node_ids();
        let level = ids.first().map_or(0, |id| id.level);
        for (i, id) in ids.iter().enumerate() {
            let found = body
                .get(i * 32..i * 32 + 32)
                .and_then(|b| Hash::from_slice(b).ok());
            let expected = self.tree.store().get(*id);
            if found.is_none() || found != expected {
                return Some(Finding::HashTileMismatch {
                    tile: tile.path(),
                    level,
                    position: id.index,
                    expected,
                    found,
                });
            }
        }
        if body.len() != ids.len() * 32 {
            return Some(Finding::HashTileMismatch {
                tile: tile.path(),
                level,
                position: tile.first_entry() + ids.len() as u64,
                expected: None,
                found: body
                    .get(ids.len() * 32..)
                    .and_then(|b| Hash::from_slice(b.get(..32)?).ok()),
            });
        }
        None
    }

    /// Replays entries `(index, bytes)` in order. Indices must continue the log without gaps.
    pub fn feed_entries(&mut self, batch: &[(u64, &[u8])]) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut jobs: Vec<SigJob<'_>> = Vec::new();
        let size_before = self.tree.size();
        // Hashing and parsing need no state: done on every core first; the checks that
        // depend on order (tree, chains, keys, anchors) follow in index order.
        let prepared: Vec<(Hash, Result<Envelope, EnvelopeError>)> = batch
            .par_iter()
            .map(|&(_, bytes)| (leaf_hash(bytes), Envelope::parse(bytes)))
            .collect();
        for (&(index, bytes), (leaf, parsed)) in batch.iter().zip(prepared) {
            if index != self.tree.size() {
                findings.push(Finding::IndexGap {
                    expected: self.tree.size(),
                    found: index,
                });
                break;
            }
            self.tree.append_leaf_hash(leaf);
            self.leaves.push(leaf);
            self.entries_checked += 1;
            let env = match parsed {
                Ok(e) => e,
                Err(error) => {
                    findings.push(Finding::Malformed { index, error });
                    continue;
                }
            };
            self.check_anchor(index, &env, &mut findings);
            if let Err(error) = self.chains.check(&env) {
                findings.push(Finding::Chain { index, error });
            }
            self.chains.advance(&env, leaf);
            if env.body.party == Party::secretariat()
                && env.body.entry_type.as_str() == TYPE_KEY_PIN
            {
                // The secretariat's signature on it is checked with the other signatures
                // below; a forged pin is reported as a bad signature.
                self.learn_pin(index, &env, &mut findings);
            }
            if KeyRegistry::is_key_entry(&env) {
                match self.keys.check(index, &env) {
                    Ok(change) => self.keys.apply(index, &env, change),
                    Err(KeyError::Signature(_)) => findings.push(Finding::BadSignature {
                        index,
                        party: env.body.party.clone(),
                        seq: env.body.seq,
                    }),
                    Err(error) => findings.push(Finding::Key { index, error }),
                }
            } else {
                match self.keys.signing_key(index, &env) {
                    // A parsed envelope has exactly one encoding, so its stored bytes are
                    // what was signed (after the domain tag): no re-encoding needed.
                    Ok(key) => jobs.push(SigJob {
                        index,
                        key,
                        party: env.body.party,
                        seq: env.body.seq,
                        bytes,
                    }),
                    Err(error) => findings.push(Finding::Key { index, error }),
                }
            }
        }
        let signed: Vec<SignedEntry<'_>> = jobs
            .iter()
            .map(|j| SignedEntry {
                key: &j.key,
                bytes: j.bytes,
            })
            .collect();
        for bad in failing(&signed, self.signatures) {
            let j = &jobs[bad];
            findings.push(Finding::BadSignature {
                index: j.index,
                party: j.party.clone(),
                seq: j.seq,
            });
        }
        // Checkpoints that were ahead of the entries can now be checked.
        let size = self.tree.size();
        let due: Vec<(u64, Hash)> = self
            .checkpoints
            .range(size_before + 1..size + 1)
            .map(|(s, r)| (*s, *r))
            .collect();
        for (s, r) in due {
            self.check_root(s, r, &mut findings);
        }
        findings.sort_by_key(|f| f.index().unwrap_or(u64::MAX));
        findings
    }

    fn check_anchor(&mut self, index: u64, env: &Envelope, findings: &mut Vec<Finding>) {
        let a = env.body.anchor;
        if a.size > index {
            findings.push(Finding::AnchorAhead {
                index,
                anchor_size: a.size,
            });
            return;
        }
        let expected = match self.last_anchor {
            Some((size, root)) if size == a.size => root,
            _ if a.size == 0 => empty_root(),
            _ => match self.tree.root_at(a.size) {
                Ok(r) => {
                    self.last_anchor = Some((a.size, r));
                    r
                }
                Err(_) => return,
            },
        };
        if expected != a.root {
            findings.push(Finding::AnchorMismatch {
                index,
                anchor_size: a.size,
                expected,
                found: a.root,
            });
        }
        if let Some(lag) = self.cfg.max_anchor_lag
            && index - a.size > lag
        {
            findings.push(Finding::AnchorStale {
                index,
                anchor_size: a.size,
            });
        }
    }

    fn check_root(&self, size: u64, signed: Hash, findings: &mut Vec<Finding>) {
        if let Ok(computed) = self.tree.root_at(size)
            && computed != signed
        {
            findings.push(Finding::CheckpointMismatch {
                size,
                computed,
                signed,
            });
        }
    }

    /// Feeds a signed checkpoint note. It is checked against the entries now if they reach
    /// its size, otherwise once they do. A consistency proof from the largest checkpoint seen
    /// so far may be supplied to check it immediately.
    pub fn feed_checkpoint(
        &mut self,
        note: &[u8],
        proof_from_last: Option<&[Hash]>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let cp: Checkpoint = match open_checkpoint(note, &self.cfg.origin, &self.cfg.log_key, &[]) {
            Ok(sc) => sc.checkpoint,
            Err(e) => {
                findings.push(Finding::CheckpointInvalid {
                    error: e.to_string(),
                });
                return findings;
            }
        };
        if let Some(p) = &self.cfg.policy {
            match p.verify_checkpoint(note, &self.cfg.origin) {
                Ok(_) => {}
                Err(PolicyError::NoQuorum { cosigned }) => findings.push(Finding::NoQuorum {
                    size: cp.size,
                    cosigned,
                }),
                Err(e) => findings.push(Finding::CheckpointInvalid {
                    error: e.to_string(),
                }),
            }
        }
        if let Some(&first) = self.checkpoints.get(&cp.size) {
            if first != cp.root {
                findings.push(Finding::SplitView {
                    size: cp.size,
                    first,
                    second: cp.root,
                });
            }
            return findings;
        }
        if let (Some(proof), Some((old, old_root))) = (proof_from_last, self.last_checkpoint())
            && old < cp.size
            && old > 0
            && let Err(e) = verify_consistency(old, cp.size, proof, &old_root, &cp.root)
        {
            findings.push(Finding::Inconsistent {
                old,
                new: cp.size,
                error: e.to_string(),
            });
        }
        self.checkpoints.insert(cp.size, cp.root);
        if cp.size <= self.tree.size() {
            self.check_root(cp.size, cp.root, &mut findings);
        }
        findings
    }

    /// Findings that remain open at the end of an audit run: signed checkpoints beyond the
    /// entries supplied (their roots could not be checked yet).
    pub fn finish(&self) -> Vec<Finding> {
        let have = self.tree.size();
        self.checkpoints
            .range(have + 1..)
            .map(|(&size, _)| Finding::EntriesMissing { size, have })
            .collect()
    }

    /// Serialises the auditor's state (leaf hashes, keys, chains, checkpoints).
    pub fn save(&self) -> Vec<u8> {
        let mut b = b"RSM-AUDIT-STATE/2\n".to_vec();
        b.extend_from_slice(&self.entries_checked.to_be_bytes());
        b.extend_from_slice(&(self.leaves.len() as u64).to_be_bytes());
        for l in &self.leaves {
            b.extend_from_slice(&l.0);
        }
        let heads = self.chains.heads();
        b.extend_from_slice(&(heads.len() as u64).to_be_bytes());
        for (p, h) in heads {
            put_party(&mut b, p);
            b.extend_from_slice(&h.next_seq.to_be_bytes());
            b.extend_from_slice(&h.last.0);
        }
        let hist = self.keys.history();
        let n: usize = hist.values().map(Vec::len).sum();
        b.extend_from_slice(&(n as u64).to_be_bytes());
        for (p, v) in hist {
            for (from, k) in v {
                put_party(&mut b, p);
                b.extend_from_slice(&from.to_be_bytes());
                b.extend_from_slice(k.as_bytes());
            }
        }
        b.extend_from_slice(&(self.checkpoints.len() as u64).to_be_bytes());
        for (s, r) in &self.checkpoints {
            b.extend_from_slice(&s.to_be_bytes());
            b.extend_from_slice(&r.0);
        }
        let pins = self.keys.pins();
        b.extend_from_slice(&(pins.len() as u64).to_be_bytes());
        for (p, k) in pins {
            put_party(&mut b, p);
            b.extend_from_slice(k.as_bytes());
        }
        b
    }

    /// Applies a `key.pin` entry (data: the party code, then its 32-byte key): later
    /// registrations of that party must carry the pinned key.
    fn learn_pin(&mut self, index: u64, env: &Envelope, findings: &mut Vec<Finding>) {
        let d = &env.body.data;
        let parsed = (d.len() == 34)
            .then(|| {
                let party = Party::new(std::str::from_utf8(&d[..2]).ok()?).ok()?;
                let key: [u8; 32] = d[2..].try_into().ok()?;
                Some((party, VerifyingKey::from_bytes(&key).ok()?))
            })
            .flatten();
        let Some((party, key)) = parsed else {
            findings.push(Finding::BadPin {
                index,
                reason: "data is not a party code and an Ed25519 key".into(),
            });
            return;
        };
        if let Some(own) = self.cfg.pins.get(&party)
            && *own != key
        {
            findings.push(Finding::BadPin {
                index,
                reason: format!("the log pins {party} to another key than this auditor's pin"),
            });
            return;
        }
        if self.keys.current(&party).is_some() {
            findings.push(Finding::BadPin {
                index,
                reason: format!("{party} already has a registered key"),
            });
            return;
        }
        self.keys.pin(party, key);
    }

    /// Restores an auditor from [`save`](Self::save)d bytes.
    pub fn resume(cfg: AuditConfig, bytes: &[u8]) -> Result<Self, StateError> {
        // Version 1 states predate pins learnt from the log; version 2 adds them at the end.
        let (mut r, with_pins) =
            if let Some(r) = bytes.strip_prefix(b"RSM-AUDIT-STATE/2\n".as_slice()) {
                (r, true)
            } else {
                let r = bytes
                    .strip_prefix(b"RSM-AUDIT-STATE/1\n".as_slice())
                    .ok_or(StateError("bad header"))?;
                (r, false)
            };
        let mut a = Auditor::new(cfg);
        a.entries_checked = take_u64(&mut r)?;
        let n = take_u64(&mut r)?;
        if n > (r.len() / 32) as u64 {
            return Err(StateError("leaf count exceeds data"));
        }
        for _ in 0..n {
            let h = take_hash(&mut r)?;
            a.tree.append_leaf_hash(h);
            a.leaves.push(h);
        }
        let heads = take_u64(&mut r)?;
        for _ in 0..heads {
            let p = take_party(&mut r)?;
            let next_seq = take_u64(&mut r)?;
            let last = take_hash(&mut r)?;
            a.chains.set_head(p, ChainHead { next_seq, last });
        }
        let keys = take_u64(&mut r)?;
        for _ in 0..keys {
            let p = take_party(&mut r)?;
            let from = take_u64(&mut r)?;
            let k = take_hash(&mut r)?;
            let k = VerifyingKey::from_bytes(&k.0).map_err(|_| StateError("bad key"))?;
            a.keys.restore(p, from, k);
        }
        let cps = take_u64(&mut r)?;
        for _ in 0..cps {
            let s = take_u64(&mut r)?;
            let h = take_hash(&mut r)?;
            a.checkpoints.insert(s, h);
        }
        if with_pins {
            let pins = take_u64(&mut r)?;
            for _ in 0..pins {
                let p = take_party(&mut r)?;
                let k = take_hash(&mut r)?;
                let k = VerifyingKey::from_bytes(&k.0).map_err(|_| StateError("bad key"))?;
                a.keys.pin(p, k);
            }
        }
        if !r.is_empty() {
            return Err(StateError("trailing bytes"));
        }
        Ok(a)
    }
}

fn put_party(b: &mut Vec<u8>, p: &Party) {
    b.push(p.as_str().len() as u8);
    b.extend_from_slice(p.as_str().as_bytes());
}

fn take<'a>(r: &mut &'a [u8], n: usize) -> Result<&'a [u8], StateError> {
    if r.len() < n {
        return Err(StateError("truncated"));
    }
    let (h, t) = r.split_at(n);
    *r = t;
    Ok(h)
}

fn take_u64(r: &mut &[u8]) -> Result<u64, StateError> {
    let s = take(r, 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(u64::from_be_bytes(a))
}

fn take_hash(r: &mut &[u8]) -> Result<Hash, StateError> {
    Hash::from_slice(take(r, 32)?).map_err(|_| StateError("hash"))
}

fn take_party(r: &mut &[u8]) -> Result<Party, StateError> {
    let n = usize::from(take(r, 1)?[0]);
    let s = std::str::from_utf8(take(r, n)?).map_err(|_| StateError("party"))?;
    Party::new(s).map_err(|_| StateError("party"))
}
