//! Properties of consensus at a meeting: an objection by a member blocks; abstention,
//! absence and non-members do not; the latest position of each member counts.

use jiff::SignedDuration;
use proptest::prelude::*;
use rsm_core::{
    decision::{
        AdoptedBy, Context, DecisionError, DecisionKind, DecisionState, EventKind, Position, check,
        review, state,
    },
    party::PartyCode,
};

use crate::common::{council, draft, ev, founding, seoul, ts};

fn position(kind: u8) -> Position {
    match kind {
        0 => Position::Joins,
        1 => Position::NoObjection,
        2 => Position::Abstains,
        _ => Position::Objects {
            reason: "the text prejudges the talks".into(),
        },
    }
}

proptest! {
    #[test]
    fn consensus_is_the_absence_of_a_members_objection(
        said in prop::collection::vec((0usize..6, 0u8..4), 0..20),
    ) {
        let (body, timeline, zone) = (council(), founding(), seoul());
        let ctx = Context { body: &body, timeline: &timeline, zone: &zone };
        let d = draft(&body, "consensus", DecisionKind::Substantive, ts("2026-05-12T00:00:00Z"));
        let start = ts("2026-05-12T01:00:00Z");
        let mut events = vec![ev(1, start, EventKind::Tabled)];
        let mut latest = std::collections::BTreeMap::new();
        for (i, (p, k)) in said.iter().enumerate() {
            let party = PartyCode::ALL[*p];
            let e = ev(i as u64 + 2, start + SignedDuration::from_mins(i as i64 + 1), EventKind::Position { party, position: position(*k) });
            let verdict = check(&ctx, &d, &events, &e);
            if party == PartyCode::KP {
                let refused_as_non_member = matches!(verdict, Err(DecisionError::NotAMember { .. }));
                prop_assert!(refused_as_non_member);
            } else {
                prop_assert_eq!(verdict, Ok(()));
                latest.insert(party, *k);
            }
            events.push(e);
        }
        let objectors: Vec<PartyCode> = latest.iter().filter(|(_, k)| **k == 3).map(|(p, _)| *p).collect();
        let as_of = ts("2026-05-12T12:00:00Z");
        let s = state(&ctx, &d, &events, as_of);
        let gavel = ev(100, ts("2026-05-12T11:00:00Z"), EventKind::ConsensusEstablished);
        if objectors.is_empty() {
            prop_assert_eq!(s, DecisionState::UnderConsideration);
            prop_assert_eq!(check(&ctx, &d, &events, &gavel), Ok(()));
            events.push(gavel);
            prop_assert_eq!(
                state(&ctx, &d, &events, as_of),
                DecisionState::Adopted { at: ts("2026-05-12T11:00:00Z"), by: AdoptedBy::Consensus, revision: 1 }
            );
        } else {
            let blocked_by: Vec<PartyCode> = match s {
                DecisionState::Blocked { objections } => objections.iter().map(|o| o.party).collect(),
                other => return Err(TestCaseError::fail(format!("expected blocked, got {other:?}"))),
            };
            prop_assert_eq!(&blocked_by, &objectors);
            prop_assert_eq!(check(&ctx, &d, &events, &gavel), Err(DecisionError::ObjectionsStand(objectors)));
            // Recorded anyway (a bad row), the gavel changes nothing.
            events.push(gavel);
            let still_blocked = matches!(state(&ctx, &d, &events, as_of), DecisionState::Blocked { .. });
            prop_assert!(still_blocked);
        }
        let r = review(&ctx, &d, &events, as_of);
        prop_assert!(!r.positions.contains_key(&PartyCode::KP));
        let silent = r.silent(&ctx, as_of.to_zoned(zone.clone()).date());
        prop_assert!(silent.iter().all(|p| !latest.contains_key(p) && *p != PartyCode::KP));
    }
}

#[test]
fn a_new_revision_puts_the_text_to_the_members_afresh() {
    let (body, timeline, zone) = (council(), founding(), seoul());
    let ctx = Context {
        body: &body,
        timeline: &timeline,
        zone: &zone,
    };
    let d = draft(
        &body,
        "revised",
        DecisionKind::Substantive,
        ts("2026-05-12T00:00:00Z"),
    );
    let events = vec![
        ev(1, ts("2026-05-12T01:00:00Z"), EventKind::Tabled),
        ev(
            2,
            ts("2026-05-12T02:00:00Z"),
            EventKind::Position {
                party: PartyCode::JP,
                position: position(3),
            },
        ),
        ev(
            3,
            ts("2026-05-12T03:00:00Z"),
            EventKind::Revised {
                base: 1,
                text: "Compromise text".into(),
                by: rsm_core::decision::Author::Party(PartyCode::KR),
            },
        ),
    ];
    let r = review(&ctx, &d, &events, ts("2026-05-12T04:00:00Z"));
    assert_eq!(r.state, DecisionState::UnderConsideration);
    assert_eq!((r.revision, r.text.as_str()), (2, "Compromise text"));
    assert!(r.positions.is_empty());
}
