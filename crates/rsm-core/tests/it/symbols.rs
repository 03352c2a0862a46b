//! Properties of symbol assignment: whatever symbols are already assigned, the next number
//! of a series and the next revision, addendum or corrigendum of a document are free, parse
//! back to themselves, keep the document's base, and come one after another when assigned
//! in turn — so a duplicate symbol is never handed out.

use std::collections::BTreeSet;

use proptest::prelude::*;
use rsm_core::document::{FollowUp, Series, Symbol, SymbolPrefix, SymbolRegistry};

/// A symbol from a small space, so collisions between bases are frequent.
fn symbol() -> impl Strategy<Value = Symbol> {
    (
        0usize..2,
        0usize..2,
        1u32..4,
        prop::option::of(25u8..27),
        prop::option::of(1u32..3),
        prop::option::of(1u32..3),
        prop::option::of(1u32..3),
    )
        .prop_map(|(p, s, n, y, rev, add, corr)| {
            let mut text = format!("{}.{}/{n}", ["MC", "SEC"][p], ["DEC", "GAL"][s]);
            if let Some(y) = y {
                text.push_str(&format!("/{y:02}"));
            }
            for (tag, v) in [("Rev", rev), ("Add", add), ("Corr", corr)] {
                if let Some(v) = v {
                    text.push_str(&format!("/{tag}.{v}"));
                }
            }
            Symbol::parse(&text).expect("generated symbols are valid")
        })
}

proptest! {
    #[test]
    fn follow_ups_are_free_and_keep_their_base(
        existing in prop::collection::btree_set(symbol(), 1..25),
        pick in any::<prop::sample::Index>(),
        kind in 0usize..3,
        times in 1usize..4,
    ) {
        let mut registry = SymbolRegistry::from_existing(existing.iter().cloned()).unwrap();
        let of = pick.get(&existing.iter().cloned().collect::<Vec<_>>()).clone();
        let kind = FollowUp::ALL[kind];
        let mut handed = BTreeSet::new();
        for _ in 0..times {
            let next = registry.next_follow_up(&of, kind).unwrap();
            prop_assert!(!registry.contains(&next), "{next} is already assigned");
            prop_assert_eq!(Symbol::parse(&next.to_string()).unwrap(), next.clone());
            prop_assert_eq!(next.base(), of.base());
            let (s, o) = (next.suffixes(), of.suffixes());
            match kind {
                FollowUp::Revision => {
                    let highest = existing
                        .iter()
                        .chain(&handed)
                        .filter(|e| e.base() == of.base())
                        .filter_map(|e| e.suffixes().rev)
                        .max();
                    prop_assert_eq!(s.rev, Some(highest.map_or(1, |h| h + 1)));
                    prop_assert_eq!((s.add, s.corr), (None, None));
                }
                FollowUp::Addendum => {
                    prop_assert_eq!(s.rev, o.rev);
                    prop_assert!(s.add.is_some() && s.corr.is_none());
                }
                FollowUp::Corrigendum => {
                    prop_assert_eq!((s.rev, s.add), (o.rev, o.add));
                    prop_assert!(s.corr.is_some());
                }
            }
            registry.register(next.clone()).unwrap();
            handed.insert(next);
        }
    }

    #[test]
    fn the_next_number_of_a_series_is_free(
        existing in prop::collection::btree_set(symbol(), 0..25),
        p in 0usize..2,
        s in 0usize..2,
        year in prop::option::of(2025i16..2027),
    ) {
        let registry = SymbolRegistry::from_existing(existing.iter().cloned()).unwrap();
        let prefix = SymbolPrefix::parse(["MC", "SEC"][p]).unwrap();
        let series = Series::parse(["DEC", "GAL"][s]).unwrap();
        let next = registry.next(&prefix, &series, year);
        prop_assert!(!registry.contains(&next));
        prop_assert!(next.is_base());
        let used = existing
            .iter()
            .filter(|e| e.prefix() == &prefix && e.series() == &series)
            .filter(|e| e.year() == year.map(|y| (y % 100) as u8))
            .map(Symbol::number)
            .max()
            .unwrap_or(0);
        prop_assert_eq!(next.number(), used + 1);
    }
}
