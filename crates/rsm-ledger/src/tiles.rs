//! C2SP `tlog-tiles`: tile paths, tile contents from stored hashes, entry bundles, and the
//! client side that authenticates a set of tiles against a checkpoint root.

use std::collections::BTreeMap;
use std::fmt;

use crate::hash::{HASH_SIZE, Hash, leaf_hash, node_hash};
use crate::merkle::{HashReader, NodeId, StorageError, TreeError, root_at};

/// Height of a tile in tree levels.
pub const TILE_HEIGHT: u8 = 8;
/// Number of hashes in a full tile.
pub const TILE_WIDTH: u64 = 256;
/// Largest tile level the spec allows.
pub const MAX_TILE_LEVEL: u8 = 63;
/// Largest entry an entry bundle can hold.
pub const MAX_BUNDLE_ENTRY: usize = u16::MAX as usize;

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// Merkle tree hashes at tree level `8 · L`.
    Hashes(u8),
    /// An entry bundle (`tile/entries/…`).
    Entries,
}

/// A tile (or entry bundle) address: kind, index, and width (256 for a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Level or entries.
    pub kind: TileKind,
    /// Index of the tile within its level.
    pub index: u64,
    /// Number of hashes or entries, 1..=256.
    pub width: u16,
}

/// A malformed tile path, tile body or bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The path is not a canonical tile path.
    #[error("invalid tile path: {0}")]
    BadPath(&'static str),
    /// A tile body of the wrong length.
    #[error("tile {tile} must be {expected} bytes, found {found}")]
    BadLength {
        /// The tile path.
        tile: String,
        /// Expected length.
        expected: usize,
        /// Found length.
        found: usize,
    },
    /// An entry too large for a bundle.
    #[error("entry of {0} bytes does not fit an entry bundle")]
    EntryTooLarge(usize),
    /// A truncated or over-long entry bundle.
    #[error("malformed entry bundle: {0}")]
    BadBundle(&'static str),
    /// The tile does not exist in a tree of this size.
    #[error("tile {tile} does not exist in a tree of size {size}")]
    NotInTree {
        /// The tile path.
        tile: String,
        /// Tree size.
        size: u64,
    },
    /// A tile needed for the check is missing.
    #[error("missing tile {0}")]
    Missing(String),
    /// A full tile does not hash to the entry above it.
    #[error("tile {tile} hashes to {computed}, but the level above says {expected}")]
    ParentMismatch {
        /// The tile path.
        tile: String,
        /// Hash computed from the tile.
        computed: Hash,
        /// Hash in the tile above.
        expected: Hash,
    },
    /// The tiles do not produce the checkpoint root.
    #[error("tiles give root {computed} for size {size}, checkpoint says {expected}")]
    RootMismatch {
        /// Tree size.
        size: u64,
        /// Computed root.
        computed: Hash,
        /// Checkpoint root.
        expected: Hash,
    },
    /// An entry does not hash to its level-0 tile hash.
    #[error("entry {index} hashes to {computed}, the tile says {expected}")]
    EntryMismatch {
        /// Leaf index.
        index: u64,
        /// Leaf hash of the entry.
        computed: Hash,
        /// Hash in the tile.
        expected: Hash,
    },
    /// Reading stored hashes failed.
    #[error("{0}")]
    Tree(String),
}

impl From<TreeError> for TileError {
    fn from(e: TreeError) -> Self {
        TileError::Tree(e.to_string())
    }
}

/// Encodes a tile index as 3-digit path elements, all but the last prefixed with `x`.
pub fn encode_index(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(i, g)| {
            if i == last {
                format!("{g:03}")
            } else {
                format!("x{g:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn small_decimal(s: &str, max: u64) -> Option<u64> {
    let v = crate::checkpoint::parse_decimal(s)?;
    (v <= max).then_some(v)
}

impl TileId {
    /// A full hash tile at `level`, `index`.
    pub fn full(level: u8, index: u64) -> Self {
        TileId {
            kind: TileKind::Hashes(level),
            index,
            width: TILE_WIDTH as u16,
        }
    }

    /// Whether the tile is partial.
    pub fn is_partial(&self) -> bool {
        u64::from(self.width) < TILE_WIDTH
    }

    /// The path below the log prefix, e.g. `tile/0/x001/x234/067.p/8`.
    pub fn path(&self) -> String {
        let kind = match self.kind {
            TileKind::Hashes(l) => l.to_string(),
            TileKind::Entries => "entries".to_owned(),
        };
        let mut p = format!("tile/{kind}/{}", encode_index(self.index));
        if self.is_partial() {
            p.push_str(&format!(".p/{}", self.width));
        }
        p
    }

    /// Parses a canonical tile path (with or without a leading `/`).
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let bad = TileError::BadPath;
        if path.len() > 128 {
            return Err(bad("too long"));
        }
        let p = path.strip_prefix('/').unwrap_or(path);
        let rest = p
            .strip_prefix("tile/")
            .ok_or(bad("must start with tile/"))?;
        let (kind, rest) = rest.split_once('/').ok_or(bad("missing index"))?;
        let kind = if kind == "entries" {
            TileKind::Entries
        } else {
            TileKind::Hashes(
                small_decimal(kind, u64::from(MAX_TILE_LEVEL)).ok_or(bad("bad level"))? as u8,
            )
        };
        let (idx, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let w = small_decimal(w, TILE_WIDTH - 1).ok_or(bad("bad width"))?;
                if w == 0 {
                    return Err(bad("width must be 1..=255"));
                }
                (i, w as u16)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let groups: Vec<&str> = idx.split('/').collect();
        let mut n: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let digits = if i + 1 < groups.len() {
                g.strip_prefix('x')
                    .ok_or(bad("inner index groups need an x prefix"))?
            } else {
                g
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("index groups are 3 digits"));
            }
            let v: u64 = digits.parse().map_err(|_| bad("index"))?;
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(v))
                .ok_or(bad("index overflows"))?;
        }
        if n > u64::MAX / TILE_WIDTH {
            return Err(bad("index beyond any tree"));
        }
        let id = TileId {
            kind,
            index: n,
            width,
        };
        if id.path() != p {
            return Err(bad("not canonical"));
        }
        Ok(id)
    }

    /// Number of level-`8L` subtrees (or entries) in a tree of `size`.
    fn units(kind: TileKind, size: u64) -> u64 {
        match kind {
            TileKind::Entries => size,
            TileKind::Hashes(l) => {
                let shift = u32::from(l) * u32::from(TILE_HEIGHT);
                if shift >= 64 { 0 } else { size >> shift }
            }
        }
    }

    /// Whether the tile exists in the tree of `size`.
    pub fn exists_in(&self, size: u64) -> bool {
        let units = Self::units(self.kind, size);
        self.index
            .checked_mul(TILE_WIDTH)
            .and_then(|s| s.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= units)
    }

    /// The stored hashes a hash tile consists of (empty for levels above any 2^64 tree).
    pub fn node_ids(&self) -> Vec<NodeId> {
        let level = match self.kind {
            TileKind::Hashes(l) if l < 8 => l * TILE_HEIGHT,
            TileKind::Hashes(_) => return Vec::new(),
            TileKind::Entries => 0,
        };
        (0..u64::from(self.width))
            .map(|i| NodeId::new(level, self.first_entry().wrapping_add(i)))
            .collect()
    }

    /// Position of the tile's first hash within its level (for an entry bundle: the index of
    /// its first entry). Saturates for indices beyond any tree.
    pub fn first_entry(&self) -> u64 {
        self.index.saturating_mul(TILE_WIDTH)
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// All hash tiles (full and the partial rightmost ones) of a tree of `size`, level by level.
pub fn hash_tiles_for_size(size: u64) -> Vec<TileId> {
    let mut out = Vec::new();
    for l in 0..=MAX_TILE_LEVEL {
        let units = TileId::units(TileKind::Hashes(l), size);
        if units == 0 {
            break;
        }
        for n in 0..units / TILE_WIDTH {
            out.push(TileId::full(l, n));
        }
        let w = units % TILE_WIDTH;
        if w > 0 {
            out.push(TileId {
                kind: TileKind::Hashes(l),
                index: units / TILE_WIDTH,
                width: w as u16,
            });
        }
    }
    out
}

/// The hash tiles of a tree of `new` entries that hold a hash the tree of `old` entries did
/// not have yet: what a mirror that has checked `old` entries must still fetch (the partial
/// tiles it had, grown, and the new ones). Every tile when `old` is 0.
pub fn hash_tiles_grown(old: u64, new: u64) -> Vec<TileId> {
    hash_tiles_for_size(new)
        .into_iter()
        .filter(|t| {
            let old_units = TileId::units(t.kind, old);
            t.index
                .saturating_mul(TILE_WIDTH)
                .saturating_add(u64::from(t.width))
                > old_units
        })
        .collect()
}

/// The entry bundles of a tree of `size`.
pub fn entry_bundles_for_size(size: u64) -> Vec<TileId> {
    let mut out: Vec<TileId> = (0..size / TILE_WIDTH)
        .map(|n| TileId {
            kind: TileKind::Entries,
            index: n,
            width: TILE_WIDTH as u16,
        })
        .collect();
    if !size.is_multiple_of(TILE_WIDTH) {
        out.push(TileId {
            kind: TileKind::Entries,
            index: size / TILE_WIDTH,
            width: (size % TILE_WIDTH) as u16,
        });
    }
    out
}

/// The body of a hash tile (concatenated 32-byte hashes) read from stored hashes, checking
/// that the tile exists in the tree of `size`.
pub fn read_tile(reader: &impl HashReader, tile: &TileId, size: u64) -> Result<Vec<u8>, TileError> {
    if matches!(tile.kind, TileKind::Entries) || !tile.exists_in(size) {
        return Err(TileError::NotInTree {
            tile: tile.path(),
            size,
        });
    }
    let hashes = reader
        .read_hashes(&tile.node_ids())
        .map_err(|e| TileError::Tree(e.to_string()))?;
    Ok(hashes.iter().flat_map(|h| h.0).collect())
}

/// Encodes an entry bundle: each entry as a big-endian `u16` length and its bytes.
pub fn encode_entry_bundle<T: AsRef<[u8]>>(entries: &[T]) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for e in entries {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLarge(e.len()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decodes an entry bundle strictly (no trailing bytes, at most 256 entries).
pub fn decode_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if out.len() as u64 == TILE_WIDTH {
            return Err(TileError::BadBundle("more than 256 entries"));
        }
        if rest.len() < 2 {
            return Err(TileError::BadBundle("truncated length"));
        }
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if rest.len() < 2 + n {
            return Err(TileError::BadBundle("truncated entry"));
        }
        out.push(&rest[2..2 + n]);
        rest = &rest[2 + n..];
    }
    Ok(out)
}

/// Tiles fetched by a client, keyed by (level, index); the widest copy of each is kept.
#[derive(Debug, Clone, Default)]
pub struct TileSet {
    tiles: BTreeMap<(u8, u64), Vec<Hash>>,
}

impl TileSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a hash tile body fetched at `tile`.
    pub fn insert(&mut self, tile: &TileId, body: &[u8]) -> Result<(), TileError> {
        let TileKind::Hashes(level) = tile.kind else {
            return Err(TileError::BadPath("not a hash tile"));
        };
        let expected = usize::from(tile.width) * HASH_SIZE;
        if body.len() != expected {
            return Err(TileError::BadLength {
                tile: tile.path(),
                expected,
                found: body.len(),
            });
        }
        let hashes: Vec<Hash> = body
            .chunks_exact(HASH_SIZE)
            .map(|c| Hash::from_slice(c).unwrap_or_default())
            .collect();
        let e = self.tiles.entry((level, tile.index)).or_default();
        if hashes.len() > e.len() {
            *e = hashes;
        }
        Ok(())
    }

    /// The hashes of tile (level, index), if present.
    pub fn get(&self, level: u8, index: u64) -> Option<&[Hash]> {
        self.tiles.get(&(level, index)).map(Vec::as_slice)
    }

    /// The hash at tree level `8·level` and position `pos`, if present.
    fn hash_at(&self, level: u8, pos: u64) -> Option<Hash> {
        let t = self.get(level, pos / TILE_WIDTH)?;
        t.get((pos % TILE_WIDTH) as usize).copied()
    }

    /// Checks that the tiles of a tree of `size` are complete and all chain up to `root`:
    /// every full tile hashes to its entry in the tile above, and the right edge gives the
    /// root. After this, every hash in the set is authenticated by the checkpoint.
    pub fn verify(&self, size: u64, root: &Hash) -> Result<(), TileError> {
        for t in hash_tiles_for_size(size) {
            let TileKind::Hashes(level) = t.kind else {
                continue;
            };
            let hashes = self
                .get(level, t.index)
                .filter(|h| h.len() >= usize::from(t.width))
                .ok_or_else(|| TileError::Missing(t.path()))?;
            if t.is_partial() {
                continue;
            }
            let computed = subtree_root(&hashes[..TILE_WIDTH as usize]);
            let expected = self
                .hash_at(level + 1, t.index)
                .ok_or_else(|| TileError::Missing(format!("parent of {t}")))?;
            if computed != expected {
                return Err(TileError::ParentMismatch {
                    tile: t.path(),
                    computed,
                    expected,
                });
            }
        }
        let computed = root_at(self, size)?;
        if computed != *root {
            return Err(TileError::RootMismatch {
                size,
                computed,
                expected: *root,
            });
        }
        Ok(())
    }

    /// Checks the entries of a bundle against the level-0 tile hashes (call after
    /// [`TileSet::verify`]).
    pub fn verify_bundle(&self, bundle: &TileId, entries: &[&[u8]]) -> Result<(), TileError> {
        if entries.len() != usize::from(bundle.width) {
            return Err(TileError::BadBundle(
                "entry count differs from the bundle width",
            ));
        }
        for (i, e) in entries.iter().enumerate() {
            let index = bundle.first_entry() + i as u64;
            let expected = self
                .hash_at(0, index)
                .ok_or_else(|| TileError::Missing(TileId::full(0, index / TILE_WIDTH).path()))?;
            let computed = leaf_hash(e);
            if computed != expected {
                return Err(TileError::EntryMismatch {
                    index,
                    computed,
                    expected,
                });
            }
        }
        Ok(())
    }
}

/// Merkle root of a power-of-two number of hashes.
fn subtree_root(hashes: &[Hash]) -> Hash {
    let mut level: Vec<Hash> = hashes.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    level[0]
}

impl HashReader for TileSet {
    /// Any complete subtree hash, computed from the tile at the level just below it.
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError> {
        ids.iter()
            .map(|id| {
                let l = id.level / TILE_HEIGHT;
                let r = id.level % TILE_HEIGHT;
                let first = id.index << r;
                let count = 1u64 << r;
                let hashes: Option<Vec<Hash>> =
                    (first..first + count).map(|p| self.hash_at(l, p)).collect();
                hashes
                    .map(|h| subtree_root(&h))
                    .ok_or_else(|| StorageError::msg(format!("no tile covers {id:?}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_encoding() {
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(1234067), "x001/x234/067");
        assert_eq!(encode_index(1000), "x001/000");
        let max = TileId::parse_path("tile/entries/x072/x057/x594/x037/x927/935").unwrap();
        assert_eq!(max.first_entry(), u64::MAX / 256 * 256);
        assert!(
            TileId::parse_path("tile/63/000")
                .unwrap()
                .node_ids()
                .is_empty()
        );
        let t = TileId::parse_path("tile/0/x001/x234/067.p/8").unwrap();
        assert_eq!(t.index, 1234067);
        assert_eq!(t.width, 8);
        assert_eq!(
            TileId::parse_path("tile/entries/x001/x234/067")
                .unwrap()
                .kind,
            TileKind::Entries
        );
        for bad in [
            "tile/0/x000/067",
            "tile/0/1234067",
            "tile/00/067",
            "tile/64/067",
            "tile/0/067.p/0",
            "tile/0/067.p/256",
            "tile/0/067.p/08",
            "tile/0/x1/067",
            "tile/0/x001/x234",
            "tile/0/067/",
            "tile/0/67",
            "tile//067",
            "tile/entries/067.p/",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x072/x057/x594/x037/x927/936",
        ] {
            assert!(TileId::parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tile_counts_match_spec_example() {
        // Size 70,000: 273 full level-0 tiles, one partial of width 112, one full level-1
        // tile, one partial level-1 tile of width 17, one partial level-2 tile of width 1.
        let t = hash_tiles_for_size(70_000);
        let l0: Vec<_> = t.iter().filter(|x| x.kind == TileKind::Hashes(0)).collect();
        assert_eq!(l0.len(), 274);
        assert_eq!(l0.last().unwrap().width, 112);
        let l1: Vec<_> = t.iter().filter(|x| x.kind == TileKind::Hashes(1)).collect();
        assert_eq!(l1.len(), 2);
        assert_eq!(l1[1].width, 17);
        let l2: Vec<_> = t.iter().filter(|x| x.kind == TileKind::Hashes(2)).collect();
        assert_eq!((l2.len(), l2[0].width), (1, 1));
        let s = hash_tiles_for_size(256);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].width, 1);
    }

    #[test]
    fn bundles_roundtrip() {
        let b = encode_entry_bundle(&[b"a".as_slice(), b"", b"xyz"]).unwrap();
        assert_eq!(b, [0, 1, b'a', 0, 0, 0, 3, b'x', b'y', b'z']);
        assert_eq!(
            decode_entry_bundle(&b).unwrap(),
            vec![&b"a"[..], b"", b"xyz"]
        );
        assert!(decode_entry_bundle(&b[..b.len() - 1]).is_err());
        assert!(decode_entry_bundle(&[0]).is_err());
        assert!(encode_entry_bundle(&[vec![0u8; 65536]]).is_err());
    }
}
