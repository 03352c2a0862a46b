//! Properties of the engine: lateness is monotone in receipt time, the result does not
//! depend on the order of events, and a reply before its due time is never late.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use rsm_core::{body::default_bodies, participation::Timeline, party::PartyCode};
use rsm_regime::{
    ComplianceOptions, Event, RegimeHistory, Reply, Request, Submission, SubmissionKind,
    compliance::{ConsultState, Context, Status},
    compute, default_regime, to_csv, to_json,
};
use serde_json::json;

use crate::support::ts;

fn history() -> RegimeHistory {
    RegimeHistory::single(
        default_regime().unwrap(),
        ts("2026-01-01T00:00:00Z"),
        "Founding Declaration",
    )
}

fn exchange(id: &str, party: PartyCode, received: Timestamp) -> Event {
    let r = default_regime().unwrap();
    let notice = r
        .get("annual-exchange")
        .unwrap()
        .validate(&json!({"year": 2028, "command_organisation": "x", "personnel": 1, "major_systems": "x"}))
        .unwrap();
    Event::Submitted(Submission {
        id: id.into(),
        party,
        type_id: "annual-exchange".into(),
        received,
        kind: SubmissionKind::Original(notice),
    })
}

fn status_of(events: &[Event], party: PartyCode, as_of: Timestamp) -> Status {
    let h = history();
    let t = Timeline::founding(jiff::civil::date(2026, 1, 1), "Founding Declaration");
    let b = default_bodies(2026);
    let ctx = Context {
        history: &h,
        timeline: &t,
        bodies: &b,
    };
    let report = compute(ctx, events, 2027, as_of, &ComplianceOptions::default());
    report
        .rows
        .iter()
        .find(|r| r.party == party.as_str() && r.type_id == "annual-exchange")
        .unwrap()
        .status
}

fn rank(s: Status) -> (u8, i64) {
    match s {
        Status::OnTime => (0, 0),
        Status::Late { by_seconds } => (1, by_seconds),
        other => panic!("unexpected {other:?}"),
    }
}

const BASE: &str = "2027-12-10T00:00:00Z";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn lateness_is_monotone_in_receipt_time(a in 0i64..20 * 86_400, b in 0i64..20 * 86_400, p in 0usize..6) {
        let party = [PartyCode::CN, PartyCode::JP, PartyCode::KR, PartyCode::RU, PartyCode::US][p % 5];
        let (early, late) = (a.min(b), a.max(b));
        let at = |s: i64| ts(BASE).checked_add(SignedDuration::from_secs(s)).unwrap();
        let as_of = ts("2028-02-01T00:00:00Z");
        let s1 = rank(status_of(&[exchange("e", party, at(early))], party, as_of));
        let s2 = rank(status_of(&[exchange("e", party, at(late))], party, as_of));
        prop_assert!(s1 <= s2, "{s1:?} then {s2:?}");
    }

    #[test]
    fn result_does_not_depend_on_event_order(
        offsets in proptest::collection::vec((0usize..5, 0i64..40 * 86_400), 1..12),
        seed in any::<u64>(),
    ) {
        let parties = [PartyCode::CN, PartyCode::JP, PartyCode::KR, PartyCode::RU, PartyCode::US];
        let mut events: Vec<Event> = offsets
            .iter()
            .enumerate()
            .map(|(i, (p, s))| {
                let at = ts("2027-11-20T00:00:00Z").checked_add(SignedDuration::from_secs(*s)).unwrap();
                if i % 3 == 2 {
                    Event::Request(Request { id: format!("q{i}"), from: parties[*p], to: parties[(p + 1) % 5], about: None, received: at })
                } else {
                    exchange(&format!("n{i}"), parties[*p], at)
                }
            })
            .collect();
        let h = history();
        let t = Timeline::founding(jiff::civil::date(2026, 1, 1), "Founding Declaration");
        let b = default_bodies(2026);
        let ctx = Context { history: &h, timeline: &t, bodies: &b };
        let as_of = ts("2027-12-25T00:00:00Z");
        let one = compute(ctx, &events, 2027, as_of, &ComplianceOptions::default());
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..events.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            events.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let two = compute(ctx, &events, 2027, as_of, &ComplianceOptions::default());
        prop_assert_eq!(to_csv(&one), to_csv(&two));
        prop_assert_eq!(to_json(&one), to_json(&two));
    }

    #[test]
    fn a_reply_before_its_due_time_is_never_late(reply_after in 0i64..=48 * 3600, as_of_after in 0i64..20 * 86_400) {
        let asked = ts("2027-05-01T00:00:00Z");
        let replied = asked.checked_add(SignedDuration::from_secs(reply_after)).unwrap();
        let as_of = replied.checked_add(SignedDuration::from_secs(as_of_after)).unwrap();
        let events = [
            Event::Request(Request { id: "q".into(), from: PartyCode::US, to: PartyCode::RU, about: None, received: asked }),
            Event::Reply(Reply { id: "r".into(), request: "q".into(), from: PartyCode::RU, received: replied }),
        ];
        let h = history();
        let t = Timeline::founding(jiff::civil::date(2026, 1, 1), "Founding Declaration");
        let b = default_bodies(2026);
        let ctx = Context { history: &h, timeline: &t, bodies: &b };
        let report = compute(ctx, &events, 2027, as_of, &ComplianceOptions::default());
        prop_assert_eq!(&report.consultations[0].state, &ConsultState::AnsweredOnTime);
    }
}

#[test]
fn events_after_as_of_are_not_seen() {
    let at = ts("2027-12-10T00:00:00Z");
    let events = [exchange("e", PartyCode::KR, at)];
    assert_eq!(
        status_of(&events, PartyCode::KR, ts("2027-12-09T00:00:00Z")),
        Status::Pending
    );
    assert_eq!(
        status_of(&events, PartyCode::KR, ts("2027-12-31T00:00:00Z")),
        Status::OnTime
    );
    assert_eq!(
        status_of(&[], PartyCode::KR, ts("2027-12-31T00:00:00Z")),
        Status::Missing
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any ring either is refused with a reason or comes back closed, with its points valid.
    #[test]
    fn polygon_check_never_panics_and_accepted_rings_are_closed(
        pts in proptest::collection::vec((-200.0f64..200.0, -100.0f64..100.0), 0..12)
    ) {
        if let Ok(rsm_regime::geo::Area::Polygon { ring }) = rsm_regime::geo::polygon(&pts) {
            prop_assert!(ring.len() >= 4);
            prop_assert_eq!(ring.first(), ring.last());
            prop_assert!(ring.iter().all(|p| p.lon.abs() <= 180.0 && p.lat.abs() <= 90.0));
        }
    }
}
