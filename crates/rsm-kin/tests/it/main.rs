//! Integration tests of rsm-kin, in one binary (see style.md: few test binaries).

mod accuracy;
mod batch;
mod known_names;
mod link;
mod matching;
mod normalise;
mod reuse;
mod tf_tables;

/// The shared data directory beside the project, when present.
pub fn shared_data() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    p.is_dir().then_some(p)
}
