//! Fuzz tile path parsing: whatever parses prints back to the same path.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsm_ledger::tiles::TileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(t) = TileId::parse_path(s)
    {
        assert_eq!(t.path(), s.strip_prefix('/').unwrap_or(s));
    }
});
