//! Properties of the silence procedure: what breaks it, what does not, when it adopts, and
//! that the outcome depends only on the recorded events.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;
use rsm_core::{
    decision::{
        AdoptedBy, BreakReason, Context, DecisionEvent, DecisionKind, DecisionState, EventKind,
        Position, state,
    },
    party::PartyCode,
};

use crate::common::{council, draft, ev, founding, seoul, ts};

/// One thing a party does after the draft is put under silence.
#[derive(Debug, Clone)]
struct Act {
    party: PartyCode,
    /// Seconds after the start of the procedure.
    offset: i64,
    kind: u8,
}

fn act(window: i64) -> impl Strategy<Value = Act> {
    (0usize..6, 0..window * 2, 0u8..4).prop_map(|(p, offset, kind)| Act {
        party: PartyCode::ALL[p],
        offset,
        kind,
    })
}

fn event_of(seq: u64, start: Timestamp, a: &Act) -> DecisionEvent {
    let at = start + SignedDuration::from_secs(a.offset);
    let kind = match a.kind {
        0 => EventKind::Position {
            party: a.party,
            position: Position::Objects {
                reason: format!("objection {seq}"),
            },
        },
        1 => EventKind::AmendmentProposed {
            party: a.party,
            text: format!("amendment {seq}"),
        },
        2 => EventKind::Position {
            party: a.party,
            position: Position::Joins,
        },
        _ => EventKind::Position {
            party: a.party,
            position: Position::Abstains,
        },
    };
    ev(seq, at, kind)
}

const START: &str = "2026-03-02T00:00:00Z";

/// The procedure started at `START` for `window` seconds, then the acts, each with its
/// sequence number (2, 3, …).
fn events(window: i64, acts: &[Act]) -> (Timestamp, Vec<DecisionEvent>) {
    let start = ts(START);
    let until = start + SignedDuration::from_secs(window);
    let mut events = vec![ev(1, start, EventKind::PutUnderSilence { until })];
    events.extend(
        acts.iter()
            .enumerate()
            .map(|(i, a)| event_of(i as u64 + 2, start, a)),
    );
    (until, events)
}

/// What the rules say: the first (by instant, then sequence) objection or amendment by a
/// member strictly before the deadline breaks silence; KP is not a member in 2026.
fn expected(until: Timestamp, events: &[DecisionEvent]) -> DecisionState {
    let mut sorted: Vec<_> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.seq));
    for e in sorted {
        if e.at >= until {
            break;
        }
        let (party, reason) = match &e.kind {
            EventKind::Position {
                party,
                position: Position::Objects { reason },
            } => (*party, BreakReason::Objection(reason.clone())),
            EventKind::AmendmentProposed { party, text } => {
                (*party, BreakReason::Amendment(text.clone()))
            }
            _ => continue,
        };
        if party != PartyCode::KP {
            return DecisionState::SilenceBroken {
                by: party,
                at: e.at,
                reason,
            };
        }
    }
    DecisionState::Adopted {
        at: until,
        by: AdoptedBy::Silence,
        revision: 1,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Objections and amendments by members before the deadline break silence, those at or
    /// after it do not count, KP (not a member) never counts, and without a break the draft
    /// is adopted exactly at the deadline — whenever after the deadline one reads it.
    #[test]
    fn silence_follows_the_rules(
        window in 1i64..864_000,
        acts in prop::collection::vec(act(864_000), 0..12),
        late in 0i64..100_000_000,
    ) {
        let (body, timeline, zone) = (council(), founding(), seoul());
        let ctx = Context { body: &body, timeline: &timeline, zone: &zone };
        let d = draft(&body, "silence", DecisionKind::Substantive, ts("2026-03-01T00:00:00Z"));
        let acts: Vec<Act> = acts.into_iter().map(|mut a| { a.offset %= window * 2; a }).collect();
        let (until, events) = events(window, &acts);
        let want = expected(until, &events);
        prop_assert_eq!(state(&ctx, &d, &events, until), want.clone());
        prop_assert_eq!(
            state(&ctx, &d, &events, until + SignedDuration::from_secs(late)),
            want.clone()
        );
        // Before the deadline: broken as soon as the break is recorded, under silence until.
        let before = until - SignedDuration::from_secs(1);
        let read_before = state(&ctx, &d, &events, before);
        match &want {
            DecisionState::SilenceBroken { .. } => prop_assert_eq!(read_before, want),
            _ => prop_assert_eq!(read_before, DecisionState::UnderSilence { until }),
        }
    }

    /// The order in which events are handed over does not matter: they are sorted by
    /// instant, ties by sequence number.
    #[test]
    fn event_order_does_not_matter(
        window in 1i64..86_400,
        acts in prop::collection::vec(act(86_400), 0..12),
        shuffle_seed in any::<u64>(),
    ) {
        let (body, timeline, zone) = (council(), founding(), seoul());
        let ctx = Context { body: &body, timeline: &timeline, zone: &zone };
        let d = draft(&body, "order", DecisionKind::Substantive, ts("2026-03-01T00:00:00Z"));
        let acts: Vec<Act> = acts.into_iter().map(|mut a| { a.offset %= window * 2; a }).collect();
        let (until, events) = events(window, &acts);
        let mut shuffled = events.clone();
        // A deterministic permutation from the seed (Fisher–Yates with an LCG).
        let mut x = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        for as_of in [until - SignedDuration::from_secs(1), until, until + SignedDuration::from_hours(24 * 400)] {
            prop_assert_eq!(state(&ctx, &d, &events, as_of), state(&ctx, &d, &shuffled, as_of));
        }
    }

    /// The reader's time zone plays no part: the same instant read from any capital gives the
    /// same state, and the adoption instant shown in any capital is the deadline.
    #[test]
    fn reader_zone_does_not_matter(window in 1i64..864_000, extra in 0i64..864_000) {
        let (body, timeline, zone) = (council(), founding(), seoul());
        let ctx = Context { body: &body, timeline: &timeline, zone: &zone };
        let d = draft(&body, "zones", DecisionKind::Substantive, ts("2026-03-01T00:00:00Z"));
        let (until, events) = events(window, &[]);
        let reading = until + SignedDuration::from_secs(extra);
        let states: Vec<_> = ["Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Europe/Moscow", "America/New_York", "Asia/Pyongyang"]
            .into_iter()
            .map(|name| {
                let local = reading.to_zoned(TimeZone::get(name).unwrap());
                let s = state(&ctx, &d, &events, local.timestamp());
                if let DecisionState::Adopted { at, .. } = &s {
                    assert_eq!(at.to_zoned(local.time_zone().clone()).timestamp(), until);
                }
                s
            })
            .collect();
        prop_assert!(states.windows(2).all(|w| w[0] == w[1]));
        prop_assert_eq!(&states[0], &DecisionState::Adopted { at: until, by: AdoptedBy::Silence, revision: 1 });
    }
}

#[test]
fn an_objection_at_the_deadline_is_too_late() {
    let (body, timeline, zone) = (council(), founding(), seoul());
    let ctx = Context {
        body: &body,
        timeline: &timeline,
        zone: &zone,
    };
    let d = draft(
        &body,
        "deadline",
        DecisionKind::Substantive,
        ts("2026-03-01T00:00:00Z"),
    );
    let until = ts("2026-03-09T09:00:00Z");
    let objection = |seq, at| {
        ev(
            seq,
            ts(at),
            EventKind::Position {
                party: PartyCode::RU,
                position: Position::Objects {
                    reason: "late".into(),
                },
            },
        )
    };
    let start = ev(1, ts(START), EventKind::PutUnderSilence { until });
    let at_deadline = [start.clone(), objection(2, "2026-03-09T09:00:00Z")];
    assert_eq!(
        state(&ctx, &d, &at_deadline, ts("2026-03-10T00:00:00Z")),
        DecisionState::Adopted {
            at: until,
            by: AdoptedBy::Silence,
            revision: 1
        }
    );
    assert!(
        rsm_core::decision::check(&ctx, &d, &at_deadline[..1], &at_deadline[1]).is_err(),
        "recording it is refused: the draft is adopted by then"
    );
    let just_before = [start, objection(2, "2026-03-09T08:59:59.999Z")];
    assert!(matches!(
        state(&ctx, &d, &just_before, ts("2026-03-10T00:00:00Z")),
        DecisionState::SilenceBroken {
            by: PartyCode::RU,
            ..
        }
    ));
}
