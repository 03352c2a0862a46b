//! The demo's deliberation, relative to the demo's clock: a Ministerial Council meeting held
//! a month ago with its adopted agenda, two adopted decisions (one with Russia's
//! interpretative statement), interventions and an action item; an open draft under silence
//! until a week from now; an upcoming working-group meeting; and a meeting of the restricted
//! peace-regime talks that only their members see.
//!
//! Adoptions are recorded as events only: the server numbers them and enters their text
//! digests in the log the first time it reads them, as it does for any adoption.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp, ToSpan, Zoned, tz::TimeZone};
use rsm_core::{
    action::{ActionItem, Owner},
    agenda::Proposer,
    body::{Basket, BodyId},
    decision::{Author, DecisionEvent, DecisionKind, Draft, EventKind, Position, StatementKind},
    document::{Language, Symbol},
    journal::Speaker,
    meeting::Delegation,
    party::PartyCode,
};
use rsm_store::{
    AccountStore, Attribution, DeliberationStore, DistributionKind, ItemStatus, MailMode,
    MailStore, NewItem, NewMeeting, Slot, Store,
};

fn at_local(now: Timestamp, days: i64, hour: i8, zone: &TimeZone) -> Zoned {
    let day = now
        .to_zoned(zone.clone())
        .date()
        .checked_add(days.days())
        .expect("demo dates are representable");
    day.at(hour, 0, 0, 0)
        .to_zoned(zone.clone())
        .expect("demo times exist")
}

fn delegations(parties: &[PartyCode]) -> BTreeMap<PartyCode, Delegation> {
    parties
        .iter()
        .map(|p| {
            (
                *p,
                Delegation {
                    head: format!("Minister for Foreign Affairs ({})", p.name()),
                    members: vec!["Deputy head".into(), "Adviser".into()],
                },
            )
        })
        .collect()
}

/// Seeds the deliberation of the demo.
pub async fn seed(store: &Store, who: &Attribution) -> anyhow::Result<()> {
    use PartyCode::*;
    let now = who.at;
    let seoul = TimeZone::get("Asia/Seoul")?;
    let mc = BodyId::parse("ministerial-council")?;
    let five = [CN, JP, KR, RU, US];
    // E-mail notices: the officer and Korea's delegate read them at once, Japan's delegate
    // as a daily digest (synthetic addresses; without `smtp_host` they stay queued, visible
    // in the database's `mail_outbox`).
    for (username, mode) in [
        ("officer", MailMode::Immediate),
        ("kr.delegate", MailMode::Immediate),
        ("jp.delegate", MailMode::Digest),
    ] {
        if let Some(a) = store.account_by_username(username).await? {
            store
                .set_mail_settings(a.id, &format!("{username}@demo.rsm.example"), mode, who)
                .await?;
        }
    }

    // The Council met a month ago in Seoul, 09:00–17:00.
    let start = at_local(now, -30, 9, &seoul);
    let end = at_local(now, -30, 17, &seoul);
    let t = |minutes: i64| start.timestamp() + SignedDuration::from_mins(minutes);
    let council = store
        .create_meeting(
            &NewMeeting {
                body: mc.clone(),
                title: "Second Ministerial Council".into(),
                start: start.timestamp(),
                end: end.timestamp(),
                zone: "Asia/Seoul".into(),
                venue: Some("Lotte Hotel, Seoul".into()),
                link: None,
                chair: KR,
                chair_override: Some((KR, "host country, by agreement of the Council".into())),
                delegations: delegations(&five),
                timetable: vec![
                    Slot {
                        label: "Morning session".into(),
                        start: t(0),
                        end: t(180),
                    },
                    Slot {
                        label: "Afternoon session".into(),
                        start: t(300),
                        end: t(480),
                    },
                ],
            },
            who,
        )
        .await?;
    store
        .record_session(council, 1, Some(t(5)), Some(t(470)), who)
        .await?;
    let template = Symbol::parse(&format!("MC.INF/1/{:02}", start.year() % 100))?;
    store
        .create_document(
            &template,
            &mc,
            "Template for launch pre-notifications",
            DistributionKind::Public,
            Language::En,
            who,
        )
        .await?;
    let item = |title: &str, basket, minutes, proposer, parent, symbols: Vec<Symbol>| NewItem {
        meeting: council,
        parent,
        basket,
        title: title.into(),
        minutes,
        proposer,
        status: ItemStatus::Accepted,
        symbols,
    };
    let sec = Proposer::Secretariat;
    let opening = store
        .add_item(
            &item("Opening of the meeting", None, Some(10), sec, None, vec![]),
            who,
        )
        .await?;
    let adoption = store
        .add_item(
            &item("Adoption of the agenda", None, Some(10), sec, None, vec![]),
            who,
        )
        .await?;
    let security = store
        .add_item(
            &item(
                "Confidence-building measures",
                Some(Basket::Security),
                None,
                sec,
                None,
                vec![],
            ),
            who,
        )
        .await?;
    let launches = store
        .add_item(
            &item(
                "Pre-notification of missile and space launches",
                Some(Basket::Security),
                Some(90),
                Proposer::Party(KR),
                Some(security),
                vec![template.clone()],
            ),
            who,
        )
        .await?;
    store
        .add_item(
            &item(
                "Annual exchange of military information",
                Some(Basket::Security),
                Some(60),
                sec,
                Some(security),
                vec![],
            ),
            who,
        )
        .await?;
    let energy = store
        .add_item(
            &item(
                "Regional energy cooperation network",
                Some(Basket::Economic),
                Some(90),
                sec,
                None,
                vec![],
            ),
            who,
        )
        .await?;
    store
        .add_item(
            &item(
                "Reunion of separated families",
                Some(Basket::Humanitarian),
                Some(90),
                Proposer::Party(KR),
                None,
                vec![],
            ),
            who,
        )
        .await?;
    store
        .add_item(
            &item("Closing of the meeting", None, Some(10), sec, None, vec![]),
            who,
        )
        .await?;
    for (item, speaker, minutes) in [
        (opening, Speaker::Chair, 5),
        (adoption, Speaker::Chair, 15),
        (launches, Speaker::Party(KR), 40),
        (launches, Speaker::Party(JP), 52),
        (launches, Speaker::Party(RU), 61),
        (energy, Speaker::Party(CN), 305),
        (energy, Speaker::Party(US), 320),
    ] {
        store
            .record_intervention(council, item, speaker, t(minutes), who)
            .await?;
    }

    // Adopted: the agenda, and the launch decision with Russia's statement.
    let decide = |title: &str, kind, text: &str, created: Timestamp| {
        Draft::new(mc.clone(), title, kind, text, created, Author::Secretariat)
    };
    let mut drafts = Vec::new();
    drafts.push((
        store
            .create_draft(
                &decide(
                    "Adoption of the agenda",
                    DecisionKind::Agenda,
                    "The Ministerial Council adopts the agenda of its second meeting.",
                    t(10),
                )?,
                Some(council),
                Some(adoption),
                who,
            )
            .await?,
        t(12),
        None,
    ));
    drafts.push((
        store
            .create_draft(
                &decide(
                    "Pre-notification of missile and space launches",
                    DecisionKind::Substantive,
                    "Each participating State notifies the others, through the mechanism, of \
                     every launch of a ballistic missile or space launch vehicle at least 24 \
                     hours in advance, using the template in MC.INF/1.",
                    t(30),
                )?,
                Some(council),
                Some(launches),
                who,
            )
            .await?,
        t(70),
        Some((
            RU,
            "The Russian Federation understands this decision to apply to launches from the \
             national territory of each participating State.",
        )),
    ));
    for (draft, when, statement) in drafts {
        let mut events = vec![EventKind::Tabled];
        events.extend(five.iter().map(|p| EventKind::Position {
            party: *p,
            position: Position::Joins,
        }));
        if let Some((party, text)) = statement {
            events.push(EventKind::Statement {
                party,
                kind: StatementKind::Interpretative,
                text: text.into(),
            });
        }
        events.push(EventKind::ConsensusEstablished);
        let n = events.len() as i64;
        for (i, kind) in events.into_iter().enumerate() {
            let at = when - SignedDuration::from_mins(n - i as i64);
            store
                .append_event(
                    draft,
                    &DecisionEvent {
                        seq: i as u64 + 1,
                        at,
                        kind,
                    },
                    who,
                )
                .await?;
        }
    }

    // Open: the energy network under silence until a week from now, 12:00 in Seoul.
    let energy_draft = store
        .create_draft(
            &decide(
                "Regional energy cooperation network",
                DecisionKind::Substantive,
                "The Ministerial Council asks the Working Group on Economic Cooperation to \
                 report on a regional natural-gas pipeline network by its next meeting.",
                t(330),
            )?,
            Some(council),
            Some(energy),
            who,
        )
        .await?;
    for (i, kind) in [
        EventKind::Tabled,
        EventKind::PutUnderSilence {
            until: at_local(now, 7, 12, &seoul).timestamp(),
        },
    ]
    .into_iter()
    .enumerate()
    {
        store
            .append_event(
                energy_draft,
                &DecisionEvent {
                    seq: i as u64 + 1,
                    at: t(400 + i as i64),
                    kind,
                },
                who,
            )
            .await?;
    }

    // Follow-up: Korea circulates its launch calendar.
    let decision = Symbol::parse(&format!("MC.DEC/2/{:02}", start.year() % 100))?;
    store
        .create_action(
            &mc,
            Some(council),
            &ActionItem::new(
                "Circulate the national launch calendar for next year",
                Owner::Party(KR),
                (now + SignedDuration::from_hours(24 * 30))
                    .to_zoned(seoul.clone())
                    .date(),
                Some(decision),
            )?,
            who,
        )
        .await?;

    // Upcoming: the economic working group (by video) and the peace-regime talks.
    let wg_start = at_local(now, 14, 10, &seoul);
    store
        .create_meeting(
            &NewMeeting {
                body: BodyId::parse("wg-economic")?,
                title: "Working group: gas pipeline planning".into(),
                start: wg_start.timestamp(),
                end: wg_start.timestamp() + SignedDuration::from_hours(3),
                zone: "Asia/Seoul".into(),
                venue: None,
                link: Some("https://meet.rsm.example/wg-economic".into()),
                chair: CN,
                chair_override: None,
                delegations: delegations(&five),
                timetable: vec![],
            },
            who,
        )
        .await?;
    let prt_start = at_local(now, 21, 10, &seoul);
    store
        .create_meeting(
            &NewMeeting {
                body: BodyId::parse("peace-regime-talks")?,
                title: "Peace regime talks: first round".into(),
                start: prt_start.timestamp(),
                end: prt_start.timestamp() + SignedDuration::from_hours(6),
                zone: "Asia/Seoul".into(),
                venue: Some("Panmunjom".into()),
                link: None,
                chair: CN,
                chair_override: None,
                delegations: delegations(&[CN, KR, US]),
                timetable: vec![],
            },
            who,
        )
        .await?;
    Ok(())
}
