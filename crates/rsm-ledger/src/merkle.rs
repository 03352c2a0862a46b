//! The RFC 6962 / RFC 9162 Merkle tree: stored hashes, appends, proofs and their verification.
//!
//! # Storage model
//!
//! Every *complete* subtree of the log has a stored hash, addressed by a [`NodeId`]
//! `(level, index)`: the Merkle Tree Hash of leaves `[index·2^level, (index+1)·2^level)`.
//! Level 0 holds the leaf hashes. A log of `n` entries has fewer than `2n` stored hashes,
//! they never change once written, and the C2SP tiles are simply the stored hashes of levels
//! 0, 8, 16, … (see [`crate::tiles`]).
//!
//! Appending an entry ([`Frontier::append`]) returns the new stored hashes, which the caller
//! persists in the same transaction as the entry. Any root, inclusion proof or consistency
//! proof for a tree of size `n` needs O(log n) stored hashes. The needed ids are computed
//! first ([`inclusion_plan`], [`consistency_plan`], [`root_plan`]) so an asynchronous store
//! can fetch them in one query and then call [`ProofPlan::assemble`]; a synchronous store can
//! implement [`HashReader`] and use [`prove_inclusion`] and friends directly.

use std::fmt;

use crate::hash::{Hash, empty_root, leaf_hash, node_hash};

/// The address of a stored hash: the complete subtree of `2^level` leaves starting at leaf
/// `index · 2^level`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree (0 = leaf).
    pub level: u8,
    /// Position of the subtree among those of its level, from the left.
    pub index: u64,
}

impl NodeId {
    /// A node id.
    pub const fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// The first leaf covered by this subtree.
    pub fn first_leaf(self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf covered by this subtree.
    pub fn end_leaf(self) -> u64 {
        (self.index + 1) << self.level
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({}, {})", self.level, self.index)
    }
}

/// A failure of the storage behind a [`HashReader`]; the message is the backend's.
#[derive(Debug, thiserror::Error)]
#[error("hash storage: {0}")]
pub struct StorageError(pub Box<dyn std::error::Error + Send + Sync>);

impl StorageError {
    /// Wraps any backend error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StorageError(Box::new(e))
    }

    /// A storage error from a message.
    pub fn msg(m: impl Into<String>) -> Self {
        StorageError(m.into().into())
    }
}

/// Why a proof or root could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Requested leaf.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// A consistency proof was asked between sizes that do not make sense.
    #[error("no consistency proof from size {old} to size {new}")]
    BadSizes {
        /// Old size.
        old: u64,
        /// New size.
        new: u64,
    },
    /// The requested tree is larger than the stored tree.
    #[error("tree size {requested} exceeds the stored size {stored}")]
    BeyondStored {
        /// Requested size.
        requested: u64,
        /// Stored size.
        stored: u64,
    },
    /// The storage returned a different number of hashes than asked for.
    #[error("asked the storage for {asked} hashes, got {got}")]
    ShortRead {
        /// Number asked.
        asked: usize,
        /// Number returned.
        got: usize,
    },
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Read access to stored hashes (a database table, tiles, or memory).
pub trait HashReader {
    /// Returns the stored hashes for `ids`, in the same order. Every id names a complete
    /// subtree of the stored tree.
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError>;
}

impl<T: HashReader + ?Sized> HashReader for &T {
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError> {
        (**self).read_hashes(ids)
    }
}

/// The decomposition of leaves `[start, end)` into maximal complete subtrees, left to right,
/// as RFC 6962's recursion splits it. `start` must be aligned as in that recursion (true for
/// every range arising in a proof or root).
pub fn subtree_ids(start: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut pos = start;
    let n = end - start;
    for level in (0..64u8).rev() {
        let w = 1u64 << level;
        if n & w != 0 {
            out.push(NodeId::new(level, pos >> level));
            pos += w;
        }
    }
    out
}

/// Hashes a right-to-left fold of complete subtree hashes into the hash of their union.
fn fold_right(hashes: &[Hash]) -> Hash {
    let mut it = hashes.iter().rev();
    let Some(last) = it.next() else {
        return empty_root();
    };
    let mut h = *last;
    for x in it {
        h = node_hash(x, &h);
    }
    h
}

/// The stored hashes a root or proof needs, and how to combine them.
///
/// Obtain one from [`root_plan`], [`inclusion_plan`] or [`consistency_plan`]; fetch
/// [`ids`](Self::ids) from storage; then [`assemble`](Self::assemble).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ids: Vec<NodeId>,
    /// `(start, end)` ranges into `ids`; each group folds into one output hash.
    groups: Vec<(usize, usize)>,
}

impl ProofPlan {
    fn from_ranges(ranges: &[(u64, u64)]) -> Self {
        let mut ids = Vec::new();
        let mut groups = Vec::with_capacity(ranges.len());
        for &(a, b) in ranges {
            let s = ids.len();
            ids.extend(subtree_ids(a, b));
            groups.push((s, ids.len()));
        }
        ProofPlan { ids, groups }
    }

    /// The stored hashes to fetch (may contain duplicates; order matters).
    pub fn ids(&self) -> &[NodeId] {
        &self.ids
    }

    /// Number of hashes the assembled result will have.
    pub fn output_len(&self) -> usize {
        self.groups.len()
    }

    /// Combines the fetched hashes (same order as [`ids`](Self::ids)) into the proof.
    pub fn assemble(&self, hashes: &[Hash]) -> Result<Vec<Hash>, TreeError> {
        if hashes.len() != self.ids.len() {
            return Err(TreeError::ShortRead {
                asked: self.ids.len(),
                got: hashes.len(),
            });
        }
        Ok(self
            .groups
            .iter()
            .map(|&(s, e)| fold_right(&hashes[s..e]))
            .collect())
    }

    /// Reads the ids from `reader` and assembles.
    pub fn run(&self, reader: &impl HashReader) -> Result<Vec<Hash>, TreeError> {
        if self.ids.is_empty() {
            return self.assemble(&[]);
        }
        let hashes = reader.read_hashes(&self.ids)?;
        self.assemble(&hashes)
    }
}

/// Largest power of two strictly smaller than `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The plan for the root hash of the tree of `size` leaves (one output hash).
pub fn root_plan(size: u64) -> ProofPlan {
    ProofPlan::from_ranges(&[(0, size)])
}

/// The plan for the inclusion proof of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1), hashes ordered from the leaf's sibling upwards.
pub fn inclusion_plan(index: u64, size: u64) -> Result<ProofPlan, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut ranges = Vec::new();
    let (mut lo, mut hi) = (0u64, size);
    // Walk down from the root; siblings are collected top-down, then reversed.
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index < lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    Ok(ProofPlan::from_ranges(&ranges))
}

/// The plan for the consistency proof from tree size `old` to tree size `new`
/// (RFC 9162 §2.1.4.1). `0 < old <= new`; the proof is empty when `old == new`.
pub fn consistency_plan(old: u64, new: u64) -> Result<ProofPlan, TreeError> {
    if old == 0 || old > new {
        return Err(TreeError::BadSizes { old, new });
    }
    let mut ranges = Vec::new();
    let (mut lo, mut hi) = (0u64, new);
    let mut complete = true; // the RFC's `b` flag
    while old != hi {
        let k = split_point(hi - lo);
        if old <= lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
            complete = false;
        }
    }
    if !complete {
        ranges.push((lo, hi));
    }
    ranges.reverse();
    Ok(ProofPlan::from_ranges(&ranges))
}

/// The root hash of the tree of `size` leaves read from `reader`.
pub fn root_at(reader: &impl HashReader, size: u64) -> Result<Hash, TreeError> {
    if size == 0 {
        return Ok(empty_root());
    }
    Ok(root_plan(size).run(reader)?[0])
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves, read from `reader`.
pub fn prove_inclusion(
    reader: &impl HashReader,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError> {
    inclusion_plan(index, size)?.run(reader)
}

/// The consistency proof from size `old` to size `new`, read from `reader`.
pub fn prove_consistency(
    reader: &impl HashReader,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, TreeError> {
    consistency_plan(old, new)?.run(reader)
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Leaf index.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// The old size is larger than the new one.
    #[error("old size {old} is larger than new size {new}")]
    SizeOrder {
        /// Old size.
        old: u64,
        /// New size.
        new: u64,
    },
    /// A consistency proof from the empty tree is not defined.
    #[error("no consistency proof from the empty tree")]
    EmptyOldTree,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("wrong proof length: expected {expected}, found {found}")]
    ProofLength {
        /// Expected number of hashes.
        expected: usize,
        /// Number given.
        found: usize,
    },
    /// The recomputed root differs from the claimed one.
    #[error("root mismatch: computed {computed}, expected {expected}")]
    RootMismatch {
        /// Recomputed root.
        computed: Hash,
        /// Claimed root.
        expected: Hash,
    },
}

/// Number of hashes in an inclusion proof for `index` in a tree of `size` (index < size).
fn inclusion_len(index: u64, size: u64) -> usize {
    // Bits below the highest differing bit of index and size-1, plus the ones above where the
    // path goes along the right edge: equals the RFC walk length.
    let last = size - 1;
    let inner = 64 - (index ^ last).leading_zeros();
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

/// The root implied by an inclusion proof, or an error if the proof has the wrong shape
/// (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_len(index, size);
    if proof.len() != expected {
        return Err(VerifyError::ProofLength {
            expected,
            found: proof.len(),
        });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(VerifyError::ProofLength {
                expected,
                found: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(VerifyError::ProofLength {
            expected,
            found: proof.len(),
        });
    }
    Ok(r)
}

/// Verifies that `leaf` is the leaf hash at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf, index, size, proof)?;
    if computed != *root {
        return Err(VerifyError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// Verifies a consistency proof from (`old`, `old_root`) to (`new`, `new_root`)
/// (RFC 9162 §2.1.4.2). Requires `0 < old <= new`; equal sizes need an empty proof and
/// equal roots.
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), VerifyError> {
    let mismatch = |computed: Hash, expected: &Hash| VerifyError::RootMismatch {
        computed,
        expected: *expected,
    };
    if old > new {
        return Err(VerifyError::SizeOrder { old, new });
    }
    if old == 0 {
        // RFC 9162 defines no consistency proof from the empty tree; callers that track a
        // log from scratch (a witness at size 0) accept any first checkpoint instead.
        return Err(VerifyError::EmptyOldTree);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(VerifyError::ProofLength {
                expected: 0,
                found: proof.len(),
            });
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(mismatch(*new_root, old_root))
        };
    }
    // 0 < old < new.
    let expected_len = consistency_len(old, new);
    if proof.len() != expected_len {
        return Err(VerifyError::ProofLength {
            expected: expected_len,
            found: proof.len(),
        });
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if snode == 0 {
            return Err(VerifyError::ProofLength {
                expected: expected_len,
                found: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(VerifyError::ProofLength {
            expected: expected_len,
            found: proof.len(),
        });
    }
    if fr != *old_root {
        return Err(mismatch(fr, old_root));
    }
    if sr != *new_root {
        return Err(mismatch(sr, new_root));
    }
    Ok(())
}

/// Number of hashes in a consistency proof for `0 < old < new`.
fn consistency_len(old: u64, new: u64) -> usize {
    // Same walk as the generator, counting only.
    let (mut lo, mut hi) = (0u64, new);
    let mut n = 0usize;
    let mut complete = true;
    while old != hi {
        let k = split_point(hi - lo);
        if old <= lo + k {
            hi = lo + k;
        } else {
            lo += k;
            complete = false;
        }
        n += 1;
    }
    if !complete {
        n += 1;
    }
    n
}

/// What one append produced: the leaf's index, its hash, and the stored hashes to persist
/// atomically with the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Index of the new leaf (= tree size before the append).
    pub index: u64,
    /// Leaf hash of the new entry.
    pub leaf_hash: Hash,
    /// New stored hashes: the leaf `(0, index)` first, then any completed parents upwards.
    pub nodes: Vec<(NodeId, Hash)>,
}

/// The right edge of the tree: the hashes of the maximal complete subtrees covering
/// `[0, size)`. Enough to append and to compute the current root without any read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// One hash per set bit of `size`, highest bit (leftmost subtree) first.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored hashes that make up the frontier of a tree of `size` leaves; load them and
    /// call [`Frontier::from_hashes`] to resume appending after a restart.
    pub fn ids(size: u64) -> Vec<NodeId> {
        subtree_ids(0, size)
    }

    /// Rebuilds a frontier from the hashes of [`Frontier::ids`]`(size)`, in that order.
    pub fn from_hashes(size: u64, hashes: Vec<Hash>) -> Result<Self, TreeError> {
        let want = size.count_ones() as usize;
        if hashes.len() != want {
            return Err(TreeError::ShortRead {
                asked: want,
                got: hashes.len(),
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// Rebuilds the frontier of a tree of `size` from a [`HashReader`].
    pub fn load(reader: &impl HashReader, size: u64) -> Result<Self, TreeError> {
        let ids = Self::ids(size);
        let hashes = if ids.is_empty() {
            Vec::new()
        } else {
            reader.read_hashes(&ids)?
        };
        Self::from_hashes(size, hashes)
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Current root hash.
    pub fn root(&self) -> Hash {
        fold_right(&self.hashes)
    }

    /// Appends the entry `data` (hashed as an RFC 6962 leaf).
    pub fn append(&mut self, data: &[u8]) -> AppendOutcome {
        self.append_leaf_hash(leaf_hash(data))
    }

    /// Appends a leaf by its already computed leaf hash.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> AppendOutcome {
        let index = self.size;
        let mut nodes = Vec::with_capacity(1 + index.trailing_ones() as usize);
        nodes.push((NodeId::new(0, index), leaf));
        let mut h = leaf;
        let mut level = 0u8;
        let mut idx = index;
        while idx & 1 == 1 {
            let left = self.hashes.pop().unwrap_or_default();
            h = node_hash(&left, &h);
            level += 1;
            idx >>= 1;
            nodes.push((NodeId::new(level, idx), h));
        }
        self.hashes.push(h);
        self.size += 1;
        AppendOutcome {
            index,
            leaf_hash: leaf,
            nodes,
        }
    }
}

/// Stored hashes kept in memory, one vector per level.
#[derive(Debug, Clone, Default)]
pub struct MemoryHashStore {
    levels: Vec<Vec<Hash>>,
}

impl MemoryHashStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records stored hashes produced by [`Frontier::append`]. Hashes must arrive in append
    /// order (as appends produce them).
    pub fn apply(&mut self, nodes: &[(NodeId, Hash)]) {
        for &(id, h) in nodes {
            let l = usize::from(id.level);
            if self.levels.len() <= l {
                self.levels.resize_with(l + 1, Vec::new);
            }
            let v = &mut self.levels[l];
            let i = id.index as usize;
            if i == v.len() {
                v.push(h);
            } else if i < v.len() {
                v[i] = h;
            } else {
                v.resize(i + 1, Hash::ZERO);
                v[i] = h;
            }
        }
    }

    /// Number of leaves stored.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |v| v.len() as u64)
    }

    /// One stored hash, if present.
    pub fn get(&self, id: NodeId) -> Option<Hash> {
        self.levels
            .get(usize::from(id.level))?
            .get(usize::try_from(id.index).ok()?)
            .copied()
    }
}

impl HashReader for MemoryHashStore {
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError> {
        ids.iter()
            .map(|&id| {
                self.get(id)
                    .ok_or_else(|| StorageError::msg(format!("no stored hash at {id:?}")))
            })
            .collect()
    }
}

/// An in-memory log: frontier plus stored hashes. Useful for tests, benchmarks, mirrors and
/// the auditor.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    frontier: Frontier,
    store: MemoryHashStore,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an entry.
    pub fn append(&mut self, data: &[u8]) -> AppendOutcome {
        let out = self.frontier.append(data);
        self.store.apply(&out.nodes);
        out
    }

    /// Appends a leaf hash.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> AppendOutcome {
        let out = self.frontier.append_leaf_hash(leaf);
        self.store.apply(&out.nodes);
        out
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Current root.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The stored hashes.
    pub fn store(&self) -> &MemoryHashStore {
        &self.store
    }

    /// Root at an earlier (or the current) size.
    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        self.check(size)?;
        root_at(&self.store, size)
    }

    /// Inclusion proof of `index` in the tree of `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check(size)?;
        prove_inclusion(&self.store, index, size)
    }

    /// Consistency proof from `old` to `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, TreeError> {
        self.check(new)?;
        prove_consistency(&self.store, old, new)
    }

    fn check(&self, size: u64) -> Result<(), TreeError> {
        if size > self.size() {
            return Err(TreeError::BeyondStored {
                requested: size,
                stored: self.size(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_match_recursive_definition() {
        let mut t = MemoryTree::new();
        let mut leaves = Vec::new();
        for i in 0..300u32 {
            let o = t.append(&i.to_be_bytes());
            leaves.push(o.leaf_hash);
            assert_eq!(t.root(), reference_root(&leaves), "size {}", i + 1);
        }
        for s in 0..=300u64 {
            assert_eq!(t.root_at(s).unwrap(), reference_root(&leaves[..s as usize]));
        }
    }

    #[test]
    fn proofs_roundtrip_small() {
        let mut t = MemoryTree::new();
        for i in 0..70u32 {
            t.append(&i.to_le_bytes());
        }
        for n in 1..=70u64 {
            let root = t.root_at(n).unwrap();
            for m in 0..n {
                let p = t.inclusion_proof(m, n).unwrap();
                let leaf = t.store().get(NodeId::new(0, m)).unwrap();
                verify_inclusion(&leaf, m, n, &p, &root).unwrap();
            }
            for m in 1..=n {
                let p = t.consistency_proof(m, n).unwrap();
                verify_consistency(m, n, &p, &t.root_at(m).unwrap(), &root).unwrap();
            }
        }
    }

    #[test]
    fn proofs_need_logarithmic_reads() {
        struct Counting<'a>(&'a MemoryHashStore, std::cell::Cell<(usize, usize)>);
        impl HashReader for Counting<'_> {
            fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError> {
                let (calls, n) = self.1.get();
                self.1.set((calls + 1, n + ids.len()));
                self.0.read_hashes(ids)
            }
        }
        let mut t = MemoryTree::new();
        for i in 0..5000u32 {
            t.append(&i.to_be_bytes());
        }
        let r = Counting(t.store(), std::cell::Cell::new((0, 0)));
        prove_inclusion(&r, 1234, 4999).unwrap();
        assert_eq!(r.1.get().0, 1, "one batched read");
        assert!(r.1.get().1 <= 2 * 13);
        // Plans alone, for huge trees: at most 2·⌈log2 n⌉ stored hashes.
        for n in [2u64, 3, 1000, 10_000_000, (1 << 40) + 12_345, u64::MAX / 2] {
            let bound = 2 * (64 - (n - 1).leading_zeros()) as usize;
            for m in [0, 1, n / 3, n / 2, n - 2, n - 1] {
                let p = inclusion_plan(m, n).unwrap();
                assert!(p.ids().len() <= bound, "incl {m} {n}: {}", p.ids().len());
                if m > 0 {
                    let c = consistency_plan(m, n).unwrap();
                    assert!(
                        c.ids().len() <= bound + 1,
                        "cons {m} {n}: {}",
                        c.ids().len()
                    );
                }
            }
            assert!(root_plan(n).ids().len() <= 64);
        }
    }

    #[test]
    fn frontier_reload() {
        let mut t = MemoryTree::new();
        for i in 0..1000u32 {
            t.append(&i.to_le_bytes());
        }
        let f = Frontier::load(t.store(), 1000).unwrap();
        assert_eq!(f.root(), t.root());
    }
}
