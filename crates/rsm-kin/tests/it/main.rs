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

/// A shared dev set's South requests (with its diaspora requests, if it has
/// them) and North persons, read skipping bad rows; `None` when the shared
/// data is not beside the project.
pub fn dev_set(
    set: &str,
) -> Option<(
    Vec<rsm_kin::records::Request>,
    Vec<rsm_kin::records::Person>,
)> {
    use rsm_kin::csvin::BadRowPolicy;
    use rsm_kin::records;
    let dir = shared_data()?.join("kin").join(set);
    let open = |f: &str| std::fs::File::open(dir.join(f)).unwrap();
    let mut requests = records::load_requests(open("south.csv"), "south", BadRowPolicy::Skip)
        .unwrap()
        .records;
    if dir.join("diaspora.csv").is_file() {
        requests.extend(
            records::load_requests(open("diaspora.csv"), "diaspora", BadRowPolicy::Skip)
                .unwrap()
                .records,
        );
    }
    let persons = records::load_persons(open("north.csv"), "north", BadRowPolicy::Skip)
        .unwrap()
        .records;
    Some((requests, persons))
}
