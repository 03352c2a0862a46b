//! Property: any rewrite of the log by the host — a changed byte, a dropped entry, two entries
//! swapped — is reported by the auditor, at the entry concerned or through the checkpoint.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rsm_ledger::{Auditor, Finding};

use crate::entries::{config, honest_log};

fn audit(entries: &[Vec<u8>], checkpoint: &[u8]) -> Vec<Finding> {
    let mut a = Auditor::new(config(BTreeMap::new()));
    let batch: Vec<(u64, &[u8])> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, e.as_slice()))
        .collect();
    let mut f = a.feed_entries(&batch);
    f.extend(a.feed_checkpoint(checkpoint, None));
    f.extend(a.finish());
    f
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn flipped_byte_is_reported_at_its_entry(i in any::<prop::sample::Index>(), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let log = honest_log();
        let cp = log.checkpoint(log.tree.size());
        let mut entries = log.entries.clone();
        let i = i.index(entries.len());
        let p = pos.index(entries[i].len());
        entries[i][p] ^= 1 << bit;
        let f = audit(&entries, &cp);
        prop_assert!(f.iter().any(|x| x.index() == Some(i as u64)), "entry {i} byte {p}: {f:?}");
        let root_caught = f.iter().any(|x| matches!(x, Finding::CheckpointMismatch { .. }));
        prop_assert!(root_caught, "checkpoint not flagged: {:?}", f);
    }

    #[test]
    fn dropped_entry_is_reported(i in any::<prop::sample::Index>()) {
        let log = honest_log();
        let cp = log.checkpoint(log.tree.size());
        let mut entries = log.entries.clone();
        entries.remove(i.index(entries.len()));
        let f = audit(&entries, &cp);
        prop_assert!(!f.is_empty());
    }

    #[test]
    fn swapped_entries_are_reported(i in any::<prop::sample::Index>(), j in any::<prop::sample::Index>()) {
        let log = honest_log();
        let cp = log.checkpoint(log.tree.size());
        let mut entries = log.entries.clone();
        let (i, j) = (i.index(entries.len()), j.index(entries.len()));
        prop_assume!(entries[i] != entries[j]);
        entries.swap(i, j);
        let f = audit(&entries, &cp);
        prop_assert!(f.iter().any(|x| x.index() == Some(i.min(j) as u64)), "{i}<->{j}: {f:?}");
    }
}
