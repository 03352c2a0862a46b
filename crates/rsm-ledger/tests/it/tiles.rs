//! Tiles served from stored hashes authenticate against the root, give the same proofs as
//! the store, and any tampering is found.

use rsm_ledger::tiles::{
    TileError, TileId, TileSet, decode_entry_bundle, encode_entry_bundle, entry_bundles_for_size,
    hash_tiles_for_size, read_tile,
};
use rsm_ledger::{MemoryTree, prove_consistency, prove_inclusion, root_at};

fn entry(i: u64) -> Vec<u8> {
    format!("e{i}").into_bytes()
}

fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(&entry(i));
    }
    t
}

fn tiles_of(t: &MemoryTree, size: u64) -> TileSet {
    let mut set = TileSet::new();
    for id in hash_tiles_for_size(size) {
        let body = read_tile(t.store(), &id, size).unwrap();
        // Round-trip through the path, as a client would fetch it.
        let parsed = TileId::parse_path(&id.path()).unwrap();
        set.insert(&parsed, &body).unwrap();
    }
    set
}

#[test]
fn tiles_authenticate_and_prove() {
    let t = tree(70_000);
    for size in [
        1u64, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000,
    ] {
        let set = tiles_of(&t, size);
        let root = t.root_at(size).unwrap();
        set.verify(size, &root).unwrap();
        assert_eq!(root_at(&set, size).unwrap(), root);
        for idx in [0, size / 3, size - 1] {
            assert_eq!(
                prove_inclusion(&set, idx, size).unwrap(),
                t.inclusion_proof(idx, size).unwrap()
            );
        }
        if size > 1 {
            assert_eq!(
                prove_consistency(&set, size / 2, size).unwrap(),
                t.consistency_proof(size / 2, size).unwrap()
            );
        }
        for b in entry_bundles_for_size(size) {
            let entries: Vec<Vec<u8>> = (b.first_entry()..b.first_entry() + u64::from(b.width))
                .map(entry)
                .collect();
            let body = encode_entry_bundle(&entries).unwrap();
            let decoded = decode_entry_bundle(&body).unwrap();
            set.verify_bundle(&b, &decoded).unwrap();
        }
    }
}

#[test]
fn tampering_is_detected() {
    let t = tree(70_000);
    let size = 70_000;
    let root = t.root();
    // A flipped bit in a full level-0 tile.
    let mut set = TileSet::new();
    for id in hash_tiles_for_size(size) {
        let mut body = read_tile(t.store(), &id, size).unwrap();
        if id == TileId::full(0, 5) {
            body[100] ^= 1;
        }
        set.insert(&id, &body).unwrap();
    }
    assert!(matches!(
        set.verify(size, &root),
        Err(TileError::ParentMismatch { .. })
    ));
    // A flipped bit in the partial level-0 tile: only the root can catch it.
    let mut set = TileSet::new();
    for id in hash_tiles_for_size(size) {
        let mut body = read_tile(t.store(), &id, size).unwrap();
        if id.is_partial() && id.kind == rsm_ledger::tiles::TileKind::Hashes(0) {
            body[0] ^= 1;
        }
        set.insert(&id, &body).unwrap();
    }
    assert!(matches!(
        set.verify(size, &root),
        Err(TileError::RootMismatch { .. })
    ));
    // A missing tile.
    let mut set = TileSet::new();
    for id in hash_tiles_for_size(size).into_iter().skip(1) {
        set.insert(&id, &read_tile(t.store(), &id, size).unwrap())
            .unwrap();
    }
    assert!(matches!(
        set.verify(size, &root),
        Err(TileError::Missing(_))
    ));
    // A wrong entry in a bundle.
    let set = tiles_of(&t, size);
    let b = entry_bundles_for_size(size)[3];
    let mut entries: Vec<Vec<u8>> = (b.first_entry()..b.first_entry() + 256)
        .map(entry)
        .collect();
    entries[17] = b"forged".to_vec();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    assert!(matches!(
        set.verify_bundle(&b, &refs),
        Err(TileError::EntryMismatch { index, .. }) if index == 3 * 256 + 17
    ));
    // Tiles that do not exist yet are refused by the server side.
    assert!(read_tile(t.store(), &TileId::full(0, 300), size).is_err());
}
