//! The journal refuses records that contradict the meeting: closing before opening, items
//! not on the agenda, interventions outside the session.

use jiff::SignedDuration;
use rsm_core::{
    agenda::{Agenda, ItemId, ItemSpec, Proposer},
    document::Symbol,
    journal::{Intervention, JournalError, Recorded, Speaker, journal},
    meeting::{Delegation, Meeting, MeetingPlan, Place},
    party::PartyCode,
};

use crate::common::{council, founding, ts};

#[test]
fn records_that_contradict_the_meeting_are_refused() {
    let (body, timeline) = (council(), founding());
    let plan = MeetingPlan {
        body: body.id.clone(),
        title: "Extraordinary meeting".into(),
        start: "2026-09-01T10:00[Europe/Moscow]".parse().unwrap(),
        end: "2026-09-01T13:00[Europe/Moscow]".parse().unwrap(),
        place: Place::Video("https://meet.rsm.example/x".into()),
        chair_override: None,
        delegations: [(
            PartyCode::RU,
            Delegation {
                head: "Deputy Minister".into(),
                members: vec![],
            },
        )]
        .into_iter()
        .collect(),
    };
    let meeting = Meeting::schedule(plan, &body, &timeline).unwrap();
    let mut agenda = Agenda::for_meeting(&meeting);
    let item = agenda
        .add(
            &body,
            &timeline,
            None,
            ItemSpec {
                title: "Consultation on unusual activities".into(),
                basket: Some(rsm_core::body::Basket::Security),
                duration: Some(SignedDuration::from_hours(2)),
                proposed_by: Proposer::Party(PartyCode::RU),
            },
        )
        .unwrap();
    let base = Recorded {
        symbol: Symbol::parse("MC.JOUR/2").unwrap(),
        meeting: &meeting,
        agenda: &agenda,
        opened: ts("2026-09-01T07:00:00Z"),
        closed: Some(ts("2026-09-01T09:45:00Z")),
        interventions: vec![Intervention {
            item,
            speaker: Speaker::Party(PartyCode::RU),
            at: ts("2026-09-01T07:05:00Z"),
            seq: 1,
        }],
        documents: vec![],
        decisions: vec![],
        attachments: vec![],
    };
    let j = journal(&base).unwrap();
    assert_eq!(j.zone, "Europe/Moscow");
    assert_eq!(
        j.opened.to_string(),
        "2026-09-01T10:00:00+03:00[Europe/Moscow]"
    );
    assert_eq!(j.items[0].speakers.len(), 1);

    let mut r = base.clone();
    r.closed = Some(ts("2026-09-01T06:00:00Z"));
    assert!(matches!(
        journal(&r),
        Err(JournalError::ClosedBeforeOpened { .. })
    ));
    let mut r = base.clone();
    r.interventions[0].item = ItemId(99);
    assert_eq!(journal(&r), Err(JournalError::UnknownItem(ItemId(99))));
    let mut r = base.clone();
    r.interventions[0].at = ts("2026-09-01T10:00:00Z");
    assert!(matches!(
        journal(&r),
        Err(JournalError::OutsideSession { .. })
    ));
    let other = Agenda::new(
        rsm_core::body::BodyId::parse("wg-security").unwrap(),
        jiff::civil::date(2026, 9, 1),
    );
    let mut r = base;
    r.agenda = &other;
    assert!(matches!(
        journal(&r),
        Err(JournalError::AgendaOfAnotherBody { .. })
    ));
}
