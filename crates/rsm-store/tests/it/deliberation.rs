//! The deliberation story: a Council meeting scheduled, its agenda built, a document issued
//! (its bytes stored once under their digest), a draft decided by events, an adoption
//! numbered, an action item done, interventions recorded; stale edits are conflicts and
//! history tables refuse changes. The same story runs on each backend.

use std::collections::BTreeMap;

use jiff::{Timestamp, civil::date};
use rsm_core::{
    action::{ActionItem, Owner},
    agenda::Proposer,
    body::{Basket, BodyId},
    decision::{
        Author, DecisionEvent, DecisionKind, Draft, EventKind, ParticipationChange, Position,
        StatementKind,
    },
    document::{Language, Sha256, Symbol},
    journal::Speaker,
    meeting::Delegation,
    participation::ParticipationStatus,
    party::PartyCode,
};
use rsm_store::{
    Adoption, Attribution, AuditFilter, AuditStore, DeliberationStore, DistributionKind,
    ItemStatus, NewItem, NewMeeting, Slot, Store, StoreError,
};

fn at(s: &str) -> Attribution {
    Attribution {
        actor: "officer".into(),
        account_id: None,
        source: "127.0.0.1".into(),
        at: s.parse::<Timestamp>().unwrap(),
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn story(store: &Store, url: &str) {
    let who = at("2026-03-01T09:00:00Z");
    let mc = BodyId::parse("ministerial-council").unwrap();
    let mut delegations = BTreeMap::new();
    for p in [
        PartyCode::CN,
        PartyCode::JP,
        PartyCode::KR,
        PartyCode::RU,
        PartyCode::US,
    ] {
        delegations.insert(
            p,
            Delegation {
                head: format!("Minister of {p}"),
                members: vec!["Adviser".into()],
            },
        );
    }
    let plan = NewMeeting {
        body: mc.clone(),
        title: "First Ministerial Council".into(),
        start: ts("2026-04-20T00:00:00Z"),
        end: ts("2026-04-20T08:00:00Z"),
        zone: "Asia/Seoul".into(),
        venue: Some("Seoul".into()),
        link: None,
        chair: PartyCode::CN,
        chair_override: Some((PartyCode::KR, "host country".into())),
        delegations,
        timetable: vec![Slot {
            label: "Morning session".into(),
            start: ts("2026-04-20T00:00:00Z"),
            end: ts("2026-04-20T03:00:00Z"),
        }],
    };
    let m = store.create_meeting(&plan, &who).await.unwrap();
    let stored = store.meeting(m).await.unwrap().unwrap();
    assert_eq!(stored.meeting, plan);
    assert_eq!(stored.revision, 1);
    assert_eq!(store.meetings().await.unwrap().len(), 1);
    assert!(store.meeting(m + 100).await.unwrap().is_none());

    // Session times: a stale revision is a conflict that changes nothing.
    let rev = store
        .record_session(m, 1, Some(ts("2026-04-20T00:05:00Z")), None, &who)
        .await
        .unwrap();
    assert_eq!(rev, 2);
    let err = store
        .record_session(m, 1, None, Some(ts("2026-04-20T08:00:00Z")), &who)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let stored = store.meeting(m).await.unwrap().unwrap();
    assert_eq!(stored.opened_at, Some(ts("2026-04-20T00:05:00Z")));
    assert_eq!(stored.closed_at, None);

    // Agenda: items, a sub-item, a proposal accepted, a reorder.
    let item = |title: &str, parent, proposer, status| NewItem {
        meeting: m,
        parent,
        basket: Some(Basket::Security),
        title: title.into(),
        minutes: Some(30),
        proposer,
        status,
        symbols: vec![],
    };
    let opening = store
        .add_item(
            &NewItem {
                basket: None,
                ..item("Opening", None, Proposer::Secretariat, ItemStatus::Accepted)
            },
            &who,
        )
        .await
        .unwrap();
    let csbm = store
        .add_item(
            &item("CSBMs", None, Proposer::Secretariat, ItemStatus::Accepted),
            &who,
        )
        .await
        .unwrap();
    let sub = store
        .add_item(
            &NewItem {
                symbols: vec![Symbol::parse("MC.INF/1/26").unwrap()],
                ..item(
                    "Launch notifications",
                    Some(csbm),
                    Proposer::Party(PartyCode::KR),
                    ItemStatus::Proposed,
                )
            },
            &who,
        )
        .await
        .unwrap();
    let items = store.items(m).await.unwrap();
    assert_eq!(
        items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [opening, csbm, sub]
    );
    assert_eq!(items[2].item.symbols[0].to_string(), "MC.INF/1/26");
    assert_eq!(items[2].item.status, ItemStatus::Proposed);
    store.accept_item(sub, 1, &who).await.unwrap();
    assert!(matches!(
        store.accept_item(sub, 1, &who).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    store.move_item(csbm, 1, 0, &who).await.unwrap();
    let items = store.items(m).await.unwrap();
    assert_eq!(
        items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [csbm, sub, opening]
    );
    assert_eq!(items[1].item.status, ItemStatus::Accepted);

    // Documents: a duplicate symbol is a conflict; an issued version's bytes are stored
    // once under their digest and cannot be issued again.
    let sym = Symbol::parse("MC.INF/1/26").unwrap();
    store
        .create_document(
            &sym,
            &mc,
            "Launch notification template",
            DistributionKind::Public,
            Language::En,
            &who,
        )
        .await
        .unwrap();
    let dup = store
        .create_document(
            &sym,
            &mc,
            "again",
            DistributionKind::Limited,
            Language::En,
            &who,
        )
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
    let digest = store
        .issue_version(&sym, Language::En, 1, b"template text", &who)
        .await
        .unwrap();
    assert_eq!(digest, Sha256::of(b"template text"));
    assert_eq!(
        store.blob(&digest).await.unwrap().as_deref(),
        Some(&b"template text"[..])
    );
    let again = store
        .issue_version(&sym, Language::En, 2, b"other text", &who)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
    store
        .request_translation(&sym, Language::Ko, &who)
        .await
        .unwrap();
    store
        .issue_version(&sym, Language::Ko, 1, b"template text", &who)
        .await
        .unwrap();
    store
        .set_version_log_index(&sym, Language::En, 7)
        .await
        .unwrap();
    let doc = store.document(&sym).await.unwrap().unwrap();
    assert_eq!(doc.versions.len(), 2);
    assert_eq!(doc.versions[0].log_index, Some(7));
    assert!(doc.versions.iter().all(|v| v.status == "issued"));

    // Drafts: events appended in order; a concurrent append is a conflict.
    let draft = Draft::new(
        mc.clone(),
        "Launch pre-notification",
        DecisionKind::Substantive,
        "The Council decides …",
        ts("2026-04-20T01:00:00Z"),
        Author::Secretariat,
    )
    .unwrap();
    let d = store
        .create_draft(&draft, Some(m), Some(csbm), &who)
        .await
        .unwrap();
    let events = [
        EventKind::Tabled,
        EventKind::Position {
            party: PartyCode::KR,
            position: Position::Joins,
        },
        EventKind::Position {
            party: PartyCode::JP,
            position: Position::Objects {
                reason: "needs a threshold".into(),
            },
        },
        EventKind::Revised {
            base: 1,
            text: "The Council decides, with a threshold …".into(),
            by: Author::Party(PartyCode::JP),
        },
        EventKind::Statement {
            party: PartyCode::RU,
            kind: StatementKind::Interpretative,
            text: "RU understands …".into(),
        },
        EventKind::PutUnderSilence {
            until: ts("2026-04-27T09:00:00Z"),
        },
        EventKind::AmendmentProposed {
            party: PartyCode::CN,
            text: "add a date".into(),
        },
        EventKind::ConsensusEstablished,
        EventKind::Withdrawn {
            by: Author::Secretariat,
        },
    ];
    for (i, kind) in events.iter().enumerate() {
        let e = DecisionEvent {
            seq: i as u64 + 1,
            at: ts("2026-04-20T02:00:00Z"),
            kind: kind.clone(),
        };
        store.append_event(d, &e, &who).await.unwrap();
    }
    let stored = store.decision_events(d).await.unwrap();
    assert_eq!(
        stored.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        events
    );
    let clash = DecisionEvent {
        seq: 3,
        at: ts("2026-04-20T03:00:00Z"),
        kind: EventKind::Tabled,
    };
    assert!(matches!(
        store.append_event(d, &clash, &who).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert_eq!(store.draft(d).await.unwrap().unwrap().draft, draft);

    let join = Draft::new(
        mc.clone(),
        "KP joins",
        DecisionKind::Participation(
            ParticipationChange::new(
                PartyCode::KP,
                ParticipationStatus::Participating,
                date(2026, 6, 1),
                true,
            )
            .unwrap(),
        ),
        "KP participates from 1 June 2026.",
        ts("2026-04-20T01:00:00Z"),
        Author::Secretariat,
    )
    .unwrap();
    let j = store
        .create_draft(&join, Some(m), None, &who)
        .await
        .unwrap();
    assert_eq!(store.draft(j).await.unwrap().unwrap().draft, join);
    assert_eq!(store.drafts().await.unwrap().len(), 2);

    // Adoption: numbered once.
    let adoption = Adoption {
        draft: d,
        symbol: Symbol::parse("MC.DEC/1/26").unwrap(),
        adopted_at: ts("2026-04-20T04:00:00Z"),
        digest: Sha256::of(b"text"),
    };
    store.record_adoption(&adoption, &who).await.unwrap();
    assert!(matches!(
        store.record_adoption(&adoption, &who).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert_eq!(store.adoptions().await.unwrap(), vec![adoption]);

    // Action items and interventions.
    let action = ActionItem::new(
        "Circulate the template",
        Owner::Secretariat,
        date(2026, 5, 1),
        Some(Symbol::parse("MC.DEC/1/26").unwrap()),
    )
    .unwrap();
    let a = store
        .create_action(&mc, Some(m), &action, &who)
        .await
        .unwrap();
    store
        .complete_action(a, 1, ts("2026-04-28T00:00:00Z"), &who)
        .await
        .unwrap();
    assert!(
        store
            .complete_action(a, 1, ts("2026-04-29T00:00:00Z"), &who)
            .await
            .is_err()
    );
    let actions = store.actions().await.unwrap();
    assert_eq!(actions[0].item.done_at, Some(ts("2026-04-28T00:00:00Z")));
    store
        .record_intervention(
            m,
            csbm,
            Speaker::Party(PartyCode::KR),
            ts("2026-04-20T01:10:00Z"),
            &who,
        )
        .await
        .unwrap();
    store
        .record_intervention(m, csbm, Speaker::Chair, ts("2026-04-20T01:00:00Z"), &who)
        .await
        .unwrap();
    let floor = store.interventions(m).await.unwrap();
    assert_eq!(floor[0].speaker, Speaker::Chair);
    assert_eq!(floor[1].speaker, Speaker::Party(PartyCode::KR));

    // Every write is in the audit trail.
    let audit = store
        .list_audit(&AuditFilter {
            limit: 500,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    for action in [
        "meeting.create",
        "meeting.session",
        "agenda.add",
        "agenda.propose",
        "agenda.accept",
        "agenda.reorder",
        "document.create",
        "document.issue",
        "document.translate",
        "draft.create",
        "draft.position",
        "decision.adopted",
        "action.create",
        "action.complete",
        "meeting.intervention",
    ] {
        assert!(
            audit.iter().any(|e| e.action == action),
            "{action} not audited"
        );
    }

    // History tables refuse changes, even by hand.
    for sql in [
        "UPDATE decision_events SET text = 'forged'",
        "DELETE FROM decision_events",
        "UPDATE drafts SET text = 'forged'",
        "DELETE FROM adopted_decisions",
        "UPDATE blobs SET bytes = bytes",
        "UPDATE document_versions SET digest = 'forged' WHERE status = 'issued'",
        "DELETE FROM interventions",
    ] {
        assert!(crate::raw_sql(url, sql).await.is_err(), "{sql} was allowed");
    }
}

#[tokio::test]
async fn deliberation_story_on_sqlite() {
    let (store, url, _dir) = crate::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn deliberation_story_on_postgres() {
    match crate::postgres("deliberation").await {
        Some((store, url)) => story(&store, &url).await,
        None => eprintln!("RSM_TEST_POSTGRES_URL not set: PostgreSQL story skipped (CI sets it)"),
    }
}
