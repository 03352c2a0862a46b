//! The story of the first two years: a ministerial meeting of five adopts its agenda and two
//! decisions (one with an interpretative statement), KP joins by decision, and the next
//! decision needs six: KP's objection blocks it, KP's silence does not.

use jiff::{SignedDuration, Timestamp, Zoned, civil::date};
use rsm_core::{
    agenda::{Agenda, ItemSpec, Proposer},
    body::{Basket, default_bodies},
    decision::{
        AdoptedBy, Author, Context, DecisionEvent, DecisionKind, DecisionState, Draft, EventKind,
        ParticipationChange, Position, StatementKind, check, number_adopted, review, state,
    },
    document::{Distribution, Document, Language, Symbol, SymbolPrefix, SymbolRegistry},
    journal::{DecisionRecord, Intervention, JournalError, Recorded, Speaker, journal},
    meeting::{Delegation, Meeting, MeetingPlan, Place},
    participation::{ParticipationStatus, Timeline},
    party::PartyCode::{self, *},
};

use crate::common::{council, ev, founding, seoul, ts};

/// Appends events one by one, each checked first, as the store would.
struct Log<'a> {
    ctx: Context<'a>,
    draft: Draft,
    events: Vec<DecisionEvent>,
}

impl<'a> Log<'a> {
    fn new(ctx: Context<'a>, draft: Draft) -> Self {
        Self {
            ctx,
            draft,
            events: Vec::new(),
        }
    }
    fn add(&mut self, at: &str, kind: EventKind) {
        let e = ev(self.events.len() as u64 + 1, ts(at), kind);
        check(&self.ctx, &self.draft, &self.events, &e).unwrap_or_else(|err| panic!("{err}"));
        self.events.push(e);
    }
    fn try_add(&mut self, at: &str, kind: EventKind) -> Result<(), String> {
        let e = ev(self.events.len() as u64 + 1, ts(at), kind);
        check(&self.ctx, &self.draft, &self.events, &e).map_err(|err| err.to_string())?;
        self.events.push(e);
        Ok(())
    }
    fn state(&self, at: &str) -> DecisionState {
        state(&self.ctx, &self.draft, &self.events, ts(at))
    }
}

fn joins(party: PartyCode) -> EventKind {
    EventKind::Position {
        party,
        position: Position::Joins,
    }
}

fn adopted_at(s: &DecisionState) -> Timestamp {
    match s {
        DecisionState::Adopted { at, .. } => *at,
        other => panic!("not adopted: {other:?}"),
    }
}

#[test]
fn five_adopt_kp_joins_and_six_must_agree() {
    let bodies = default_bodies(2026);
    let body = council();
    let wg = &bodies[2];
    let zone = seoul();
    let mut timeline: Timeline = founding();
    let mc = SymbolPrefix::parse("MC").unwrap();
    let mut registry = SymbolRegistry::default();

    // The meeting: Seoul, 12 May 2026, five delegations, CN in the chair by rotation.
    let start: Zoned = "2026-05-12T09:30[Asia/Seoul]".parse().unwrap();
    let plan = MeetingPlan {
        body: body.id.clone(),
        title: "First Meeting of the Ministerial Council".into(),
        start: start.clone(),
        end: "2026-05-12T17:30[Asia/Seoul]".parse().unwrap(),
        place: Place::Hybrid {
            venue: "Seoul".into(),
            link: "https://meet.rsm.example/mc-1".into(),
        },
        chair_override: None,
        delegations: [CN, JP, KR, RU, US]
            .into_iter()
            .map(|p| {
                (
                    p,
                    Delegation {
                        head: format!("Foreign Minister of {}", p.name()),
                        members: vec!["Adviser".into()],
                    },
                )
            })
            .collect(),
    };
    let meeting = Meeting::schedule(plan, &body, &timeline).unwrap();
    assert_eq!(meeting.chair(), CN);

    // The agenda, with KR's proposed item and the economic working group's report.
    let mut agenda = Agenda::for_meeting(&meeting);
    let item = |title: &str, basket, mins, by| ItemSpec {
        title: title.into(),
        basket,
        duration: Some(SignedDuration::from_mins(mins)),
        proposed_by: by,
    };
    let opening = agenda
        .add(
            &body,
            &timeline,
            None,
            item(
                "Opening and adoption of the agenda",
                None,
                30,
                Proposer::Secretariat,
            ),
        )
        .unwrap();
    let security = agenda
        .add(
            &body,
            &timeline,
            None,
            item(
                "Confidence-building measures",
                Some(Basket::Security),
                150,
                Proposer::Secretariat,
            ),
        )
        .unwrap();
    let launches = agenda
        .add(
            &body,
            &timeline,
            Some(security),
            item(
                "Launch pre-notification",
                Some(Basket::Security),
                90,
                Proposer::Party(JP),
            ),
        )
        .unwrap();
    let energy = agenda
        .add(
            &body,
            &timeline,
            None,
            item(
                "Energy cooperation network",
                Some(Basket::Economic),
                90,
                Proposer::Party(KR),
            ),
        )
        .unwrap();
    let report = Document::create(
        &mut registry,
        Symbol::parse("WGE.REP/1/26").unwrap(),
        wg.id.clone(),
        "Report of the Working Group on Economic Cooperation",
        Distribution::Limited,
        Language::En,
    )
    .unwrap();
    agenda.link(energy, &report).unwrap();
    assert!(
        agenda.warnings(meeting.length()).is_empty(),
        "270 min fit in 8 h"
    );
    let numbers: Vec<_> = agenda.numbered().into_iter().map(|n| n.number).collect();
    assert_eq!(numbers, ["1", "2", "2.1", "3"]);

    // Decisions of 2026 are read against the timeline as it stood; the live one changes below.
    let timeline_2026 = timeline.clone();
    let ctx = Context {
        body: &body,
        timeline: &timeline_2026,
        zone: &zone,
    };
    let created = ts("2026-05-01T00:00:00Z");

    // The agenda is adopted like any decision.
    let mut agenda_decision = Log::new(
        ctx,
        Draft::new(
            body.id.clone(),
            "Agenda",
            DecisionKind::Agenda,
            "Items 1–3",
            created,
            Author::Secretariat,
        )
        .unwrap(),
    );
    agenda_decision.add("2026-05-12T00:35:00Z", EventKind::Tabled);
    agenda_decision.add("2026-05-12T00:40:00Z", EventKind::ConsensusEstablished);
    assert!(matches!(
        agenda_decision.state("2026-05-12T01:00:00Z"),
        DecisionState::Adopted {
            by: AdoptedBy::Consensus,
            ..
        }
    ));

    // Decision A: every participant joins; RU attaches an interpretative statement.
    let mut a = Log::new(
        ctx,
        Draft::new(
            body.id.clone(),
            "Launch pre-notification",
            DecisionKind::Substantive,
            "Parties notify launches 24 h ahead.",
            created,
            Author::Secretariat,
        )
        .unwrap(),
    );
    a.add("2026-05-12T02:00:00Z", EventKind::Tabled);
    for p in [CN, JP, KR, US] {
        a.add("2026-05-12T02:10:00Z", joins(p));
    }
    a.add(
        "2026-05-12T02:11:00Z",
        EventKind::Position {
            party: RU,
            position: Position::NoObjection,
        },
    );
    a.add("2026-05-12T02:15:00Z", EventKind::ConsensusEstablished);
    a.add(
        "2026-05-12T02:16:00Z",
        EventKind::Statement {
            party: RU,
            kind: StatementKind::Interpretative,
            text: "Space launch vehicles are covered only as far as ...".into(),
        },
    );
    // Decision B: adopted by silence after the meeting, nobody breaking it.
    let mut b = Log::new(
        ctx,
        Draft::new(
            body.id.clone(),
            "Energy network study",
            DecisionKind::Substantive,
            "The Council requests a study.",
            created,
            Author::Secretariat,
        )
        .unwrap(),
    );
    b.add("2026-05-12T05:00:00Z", EventKind::Tabled);
    let deadline = "2026-05-20T09:00:00+09:00"; // 09:00 Seoul time
    assert!(
        b.try_add(
            "2026-05-12T06:00:00Z",
            EventKind::PutUnderSilence {
                until: ts("2026-05-12T05:59:00Z")
            }
        )
        .unwrap_err()
        .contains("not after")
    );
    b.add(
        "2026-05-12T06:00:00Z",
        EventKind::PutUnderSilence {
            until: ts(deadline),
        },
    );
    assert_eq!(
        b.state("2026-05-19T23:59:59Z"),
        DecisionState::UnderSilence {
            until: ts(deadline)
        }
    );
    let sa = a.state("2026-06-01T00:00:00Z");
    let sb = b.state("2026-06-01T00:00:00Z");
    assert_eq!(adopted_at(&sb), ts(deadline));
    let numbered = number_adopted(
        &mc,
        &[("a", adopted_at(&sa)), ("b", adopted_at(&sb))],
        &zone,
    );
    let sym_a = numbered[0].1.clone();
    let sym_b = numbered[1].1.clone();
    assert_eq!(
        (sym_a.to_string().as_str(), sym_b.to_string().as_str()),
        ("MC.DEC/1/26", "MC.DEC/2/26")
    );
    registry.register(sym_a.clone()).unwrap();
    registry.register(sym_b.clone()).unwrap();

    // The journal of the meeting shows the items, speakers, documents and the statement.
    let ra = review(&ctx, &a.draft, &a.events, ts("2026-06-01T00:00:00Z"));
    assert_eq!(
        ra.text_digest(),
        rsm_core::document::Sha256::of(b"Parties notify launches 24 h ahead.")
    );
    let speak = |item, speaker, at: &str, seq| Intervention {
        item,
        speaker,
        at: ts(at),
        seq,
    };
    let mut recorded = Recorded {
        symbol: registry.allocate(&mc, &rsm_core::document::Series::journals(), None),
        meeting: &meeting,
        agenda: &agenda,
        opened: ts("2026-05-12T00:30:00Z"),
        closed: Some(ts("2026-05-12T08:20:00Z")),
        interventions: vec![
            speak(launches, Speaker::Party(RU), "2026-05-12T02:05:00Z", 3),
            speak(launches, Speaker::Party(JP), "2026-05-12T02:01:00Z", 2),
            speak(opening, Speaker::Chair, "2026-05-12T00:30:00Z", 1),
        ],
        documents: vec![report.symbol().clone()],
        decisions: vec![
            DecisionRecord {
                symbol: Some(sym_b.clone()),
                title: "Energy network study".into(),
                item: Some(energy),
                state: sb.clone(),
                statements: vec![],
            },
            DecisionRecord {
                symbol: Some(sym_a.clone()),
                title: "Launch pre-notification".into(),
                item: Some(launches),
                state: sa.clone(),
                statements: ra.statements.clone(),
            },
        ],
        attachments: vec![],
    };
    let j = journal(&recorded).unwrap();
    assert_eq!(j.symbol.to_string(), "MC.JOUR/1");
    assert_eq!(
        j.opened.to_string(),
        "2026-05-12T09:30:00+09:00[Asia/Seoul]"
    );
    assert_eq!(j.chair, CN);
    assert_eq!(j.attendance.len(), 5);
    let launch_item = j.items.iter().find(|i| i.id == launches).unwrap();
    assert_eq!(launch_item.number, "2.1");
    let speakers: Vec<_> = launch_item.speakers.iter().map(|f| f.speaker).collect();
    assert_eq!(
        speakers,
        [Speaker::Party(JP), Speaker::Party(RU)],
        "in order of time"
    );
    assert_eq!(launch_item.decisions[0].statements[0].party, RU);
    assert_eq!(
        j.documents
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["MC.DEC/1/26", "MC.DEC/2/26", "WGE.REP/1/26"]
    );
    assert_eq!(
        journal(&recorded).unwrap(),
        j,
        "the same records give the same journal"
    );
    recorded.interventions.push(speak(
        launches,
        Speaker::Party(KP),
        "2026-05-12T03:00:00Z",
        4,
    ));
    assert_eq!(journal(&recorded), Err(JournalError::NotPresent(KP)));

    // KP joins by decision of the five, accepting the decisions already taken.
    let join = ParticipationChange::new(
        KP,
        ParticipationStatus::Participating,
        date(2027, 6, 1),
        true,
    )
    .unwrap();
    let mut j_dec = Log::new(
        ctx,
        Draft::new(
            body.id.clone(),
            "Participation of the DPRK",
            DecisionKind::Participation(join.clone()),
            "The Council welcomes ...",
            ts("2027-05-01T00:00:00Z"),
            Author::Secretariat,
        )
        .unwrap(),
    );
    j_dec.add("2027-05-20T01:00:00Z", EventKind::Tabled);
    assert!(
        j_dec
            .try_add("2027-05-20T01:05:00Z", joins(KP))
            .unwrap_err()
            .contains("not a participating member")
    );
    j_dec.add("2027-05-20T02:00:00Z", EventKind::ConsensusEstablished);
    let adopted = adopted_at(&j_dec.state("2027-05-21T00:00:00Z"));
    let sym_join = number_adopted(&mc, &[((), adopted)], &zone)[0].1.clone();
    assert_eq!(sym_join.to_string(), "MC.DEC/1/27");
    let before_join: Vec<DecisionState> = [&a, &b]
        .iter()
        .map(|l| l.state("2027-12-31T00:00:00Z"))
        .collect();
    timeline
        .record(join.status_change(&sym_join, date(2027, 5, 20)))
        .unwrap();

    // After the change, six must agree; decisions already taken are untouched.
    let ctx6 = Context {
        body: &body,
        timeline: &timeline,
        zone: &zone,
    };
    assert_eq!(body.must_agree_on(date(2027, 7, 1), &timeline).len(), 6);
    for (log, before) in [&a, &b].iter().zip(&before_join) {
        assert_eq!(
            &state(&ctx6, &log.draft, &log.events, ts("2027-12-31T00:00:00Z")),
            before
        );
    }
    let next = Draft::new(
        body.id.clone(),
        "Family reunions",
        DecisionKind::Substantive,
        "Reunions resume.",
        ts("2027-07-01T00:00:00Z"),
        Author::Secretariat,
    )
    .unwrap();

    // KP's objection blocks.
    let mut blocked = Log::new(ctx6, next.clone());
    blocked.add("2027-07-02T01:00:00Z", EventKind::Tabled);
    for p in [CN, JP, KR, RU, US] {
        blocked.add("2027-07-02T01:10:00Z", joins(p));
    }
    blocked.add(
        "2027-07-02T01:20:00Z",
        EventKind::Position {
            party: KP,
            position: Position::Objects {
                reason: "Sequencing".into(),
            },
        },
    );
    assert!(
        matches!(blocked.state("2027-07-03T00:00:00Z"), DecisionState::Blocked { objections } if objections.len() == 1 && objections[0].party == KP)
    );
    assert!(
        blocked
            .try_add("2027-07-02T01:30:00Z", EventKind::ConsensusEstablished)
            .unwrap_err()
            .contains("KP")
    );

    // KP's silence does not: adopted by silence with KP saying nothing.
    let mut silent = Log::new(ctx6, next);
    silent.add(
        "2027-07-02T01:00:00Z",
        EventKind::PutUnderSilence {
            until: ts("2027-07-09T00:00:00Z"),
        },
    );
    for p in [CN, JP, KR, RU, US] {
        silent.add("2027-07-03T00:00:00Z", joins(p));
    }
    assert_eq!(
        silent.state("2027-07-09T00:00:00Z"),
        DecisionState::Adopted {
            at: ts("2027-07-09T00:00:00Z"),
            by: AdoptedBy::Silence,
            revision: 1
        }
    );
    let r = review(
        &ctx6,
        &silent.draft,
        &silent.events,
        ts("2027-07-10T00:00:00Z"),
    );
    assert_eq!(r.silent(&ctx6, date(2027, 7, 9)), vec![KP]);
}
