//! The deliberation fixture (a Council meeting, a restricted peace-talks meeting, drafts,
//! documents, an action item) and its rows of the access matrix.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rsm_core::{
    action::{ActionItem, Owner},
    agenda::Proposer,
    body::BodyId,
    decision::{Author, DecisionEvent, DecisionKind, Draft, EventKind},
    document::{Language, Symbol},
    meeting::Delegation,
    party::PartyCode,
};
use rsm_store::{
    Attribution, DeliberationStore, DistributionKind, ItemStatus, NewItem, NewMeeting,
};
use serde_json::{Value, json};

use crate::TestApp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Seeds, with fixed ids: meeting 1 (Council, 2026-04-20 in Seoul, five delegations) with
/// item 1 (accepted) and item 2 (proposed by KR); meeting 2 (peace-regime talks); draft 1
/// (Council, tabled) and draft 2 (peace talks, tabled); documents 1 (`MC.INF/1/26`, public),
/// 2 (`PRT.INF/1/26`, restricted) and 3 (`MC.INF/2/26`, issued in English); action 1 (KR's).
pub async fn seed(app: &TestApp) {
    let s = &app.store;
    let who = Attribution::host_cli(ts("2026-03-02T03:00:00Z"));
    let mc = BodyId::parse("ministerial-council").unwrap();
    let prt = BodyId::parse("peace-regime-talks").unwrap();
    let delegations = |parties: &[PartyCode]| {
        parties
            .iter()
            .map(|p| {
                (
                    *p,
                    Delegation {
                        head: format!("Head of the {p} delegation"),
                        members: vec![],
                    },
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    use PartyCode::*;
    let m1 = s
        .create_meeting(
            &NewMeeting {
                body: mc.clone(),
                title: "Second Ministerial Council".into(),
                start: ts("2026-04-20T00:00:00Z"),
                end: ts("2026-04-20T08:00:00Z"),
                zone: "Asia/Seoul".into(),
                venue: Some("Seoul".into()),
                link: None,
                chair: CN,
                chair_override: None,
                delegations: delegations(&[CN, JP, KR, RU, US]),
                timetable: vec![],
            },
            &who,
        )
        .await
        .unwrap();
    let m2 = s
        .create_meeting(
            &NewMeeting {
                body: prt.clone(),
                title: "First round".into(),
                start: ts("2026-05-04T01:00:00Z"),
                end: ts("2026-05-04T07:00:00Z"),
                zone: "Asia/Seoul".into(),
                venue: Some("Panmunjom".into()),
                link: None,
                chair: CN,
                chair_override: None,
                delegations: delegations(&[CN, KR, US]),
                timetable: vec![],
            },
            &who,
        )
        .await
        .unwrap();
    assert_eq!((m1, m2), (1, 2));
    let item = |title: &str, proposer, status| NewItem {
        meeting: m1,
        parent: None,
        basket: None,
        title: title.into(),
        minutes: Some(30),
        proposer,
        status,
        symbols: vec![],
    };
    s.add_item(
        &item("Opening", Proposer::Secretariat, ItemStatus::Accepted),
        &who,
    )
    .await
    .unwrap();
    s.add_item(
        &item("Launch notices", Proposer::Party(KR), ItemStatus::Proposed),
        &who,
    )
    .await
    .unwrap();
    for (body, meeting, title) in [
        (&mc, m1, "Launch pre-notification"),
        (&prt, m2, "Confidence measures"),
    ] {
        let d = s
            .create_draft(
                &Draft::new(
                    body.clone(),
                    title,
                    DecisionKind::Substantive,
                    "The body decides …",
                    ts("2026-03-02T03:00:00Z"),
                    Author::Secretariat,
                )
                .unwrap(),
                Some(meeting),
                None,
                &who,
            )
            .await
            .unwrap();
        s.append_event(
            d,
            &DecisionEvent {
                seq: 1,
                at: ts("2026-03-02T03:00:00Z"),
                kind: EventKind::Tabled,
            },
            &who,
        )
        .await
        .unwrap();
    }
    for (sym, body, dist) in [
        ("MC.INF/1/26", &mc, DistributionKind::Public),
        ("PRT.INF/1/26", &prt, DistributionKind::Restricted),
        ("MC.INF/2/26", &mc, DistributionKind::Public),
    ] {
        s.create_document(
            &Symbol::parse(sym).unwrap(),
            body,
            "Information note",
            dist,
            Language::En,
            &who,
        )
        .await
        .unwrap();
    }
    s.issue_version(
        &Symbol::parse("MC.INF/2/26").unwrap(),
        Language::En,
        1,
        b"issued text",
        &who,
    )
    .await
    .unwrap();
    s.create_action(
        &mc,
        Some(m1),
        &ActionItem::new(
            "Circulate the template",
            Owner::Party(KR),
            jiff::civil::date(2026, 5, 1),
            None,
        )
        .unwrap(),
        &who,
    )
    .await
    .unwrap();
}

type Row = (&'static str, &'static str, String, Option<Value>, [u16; 8]);

/// The rows: public, admin, officer, kr.delegate, jp.delegate, ru.auditor, kr.redcross, cn.energy.
pub fn rows() -> Vec<Row> {
    const SEC_W: [u16; 8] = [401, 201, 201, 403, 403, 403, 403, 403];
    const SEC_U: [u16; 8] = [401, 200, 200, 403, 403, 403, 403, 403];
    const KR_ONLY: [u16; 8] = [401, 403, 403, 200, 403, 403, 403, 403];
    const ALL: [u16; 8] = [200; 8];
    const PEACE: [u16; 8] = [404, 200, 200, 200, 404, 404, 404, 404];
    let meeting = json!({
        "body": "ministerial-council", "title": "Extraordinary Council",
        "start": "2026-06-01T10:00", "end": "2026-06-01T17:00", "time_zone": "Asia/Tokyo",
        "venue": "Tokyo", "delegations": [{"party": "JP", "head": "Minister"}]
    });
    let draft =
        json!({"body": "ministerial-council", "title": "Energy network", "text": "The Council …"});
    let update = json!({
        "expected_revision": 1, "title": "Changed", "start": "2026-06-02T10:00",
        "end": "2026-06-02T17:00", "time_zone": "Asia/Seoul", "venue": "Seoul"
    });
    vec![
        (
            "GET",
            "/api/v1/meetings",
            "/api/v1/meetings".into(),
            None,
            ALL,
        ),
        (
            "POST",
            "/api/v1/meetings",
            "/api/v1/meetings".into(),
            Some(meeting),
            SEC_W,
        ),
        (
            "GET",
            "/api/v1/meetings/{id}",
            "/api/v1/meetings/1".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/meetings/{id}",
            "/api/v1/meetings/2".into(),
            None,
            PEACE,
        ),
        (
            "PUT",
            "/api/v1/meetings/{id}",
            "/api/v1/meetings/1".into(),
            Some(update.clone()),
            SEC_U,
        ),
        (
            "PUT",
            "/api/v1/meetings/{id}",
            "/api/v1/meetings/2".into(),
            Some(update),
            [404, 200, 200, 403, 404, 404, 404, 404],
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/items",
            "/api/v1/meetings/1/items".into(),
            Some(json!({"title": "Any other business", "minutes": 10})),
            SEC_W,
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/items",
            "/api/v1/meetings/1/items".into(),
            Some(json!({"title": "Family reunions", "basket": "humanitarian", "party": "KR"})),
            [401, 403, 403, 201, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/items",
            "/api/v1/meetings/2/items".into(),
            Some(json!({"title": "Probe", "party": "JP"})),
            [404, 403, 403, 403, 404, 404, 404, 404],
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/items/{item}/accept",
            "/api/v1/meetings/1/items/2/accept".into(),
            Some(json!({"expected_revision": 1})),
            SEC_U,
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/items/{item}/move",
            "/api/v1/meetings/1/items/1/move".into(),
            Some(json!({"expected_revision": 1, "position": 3})),
            SEC_U,
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/session",
            "/api/v1/meetings/2/session".into(),
            Some(json!({"expected_revision": 1, "opened_at": "2026-05-04T01:05:00Z"})),
            [404, 200, 200, 403, 404, 404, 404, 404],
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/interventions",
            "/api/v1/meetings/1/interventions".into(),
            Some(json!({"item": 1, "speaker": "KR", "at": "2026-04-20T01:00:00Z"})),
            SEC_W,
        ),
        (
            "GET",
            "/api/v1/meetings/{id}/journal",
            "/api/v1/meetings/1/journal".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/meetings/{id}/journal",
            "/api/v1/meetings/2/journal".into(),
            None,
            PEACE,
        ),
        (
            "GET",
            "/api/v1/calendar.ics",
            "/api/v1/calendar.ics?token=tok-kr.delegate".into(),
            None,
            ALL,
        ),
        ("GET", "/api/v1/drafts", "/api/v1/drafts".into(), None, ALL),
        (
            "POST",
            "/api/v1/drafts",
            "/api/v1/drafts".into(),
            Some(draft),
            SEC_W,
        ),
        (
            "GET",
            "/api/v1/drafts/{id}",
            "/api/v1/drafts/1".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/drafts/{id}",
            "/api/v1/drafts/2".into(),
            None,
            PEACE,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/revisions",
            "/api/v1/drafts/1/revisions".into(),
            Some(json!({"base_revision": 1, "text": "The Council decides, revised …"})),
            SEC_U,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/positions",
            "/api/v1/drafts/1/positions".into(),
            Some(json!({"party": "KR", "position": "joins"})),
            KR_ONLY,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/positions",
            "/api/v1/drafts/2/positions".into(),
            Some(json!({"party": "JP", "position": "objects", "reason": "probe"})),
            [404, 403, 403, 403, 404, 404, 404, 404],
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/amendments",
            "/api/v1/drafts/1/amendments".into(),
            Some(json!({"party": "KR", "text": "add a date"})),
            KR_ONLY,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/statements",
            "/api/v1/drafts/1/statements".into(),
            Some(json!({"party": "KR", "kind": "interpretative", "text": "KR understands …"})),
            KR_ONLY,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/silence",
            "/api/v1/drafts/1/silence".into(),
            Some(json!({"until": "2026-03-10T00:00:00Z"})),
            SEC_U,
        ),
        (
            "POST",
            "/api/v1/drafts/{id}/procedure",
            "/api/v1/drafts/1/procedure".into(),
            Some(json!({"step": "consensus"})),
            SEC_U,
        ),
        (
            "GET",
            "/api/v1/decisions",
            "/api/v1/decisions".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/actions",
            "/api/v1/actions".into(),
            None,
            ALL,
        ),
        (
            "POST",
            "/api/v1/actions",
            "/api/v1/actions".into(),
            Some(
                json!({"body": "ministerial-council", "title": "Report", "owner": "JP", "due": "2026-06-01"}),
            ),
            SEC_W,
        ),
        (
            "POST",
            "/api/v1/actions/{id}/complete",
            "/api/v1/actions/1/complete".into(),
            Some(json!({"expected_revision": 1})),
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/documents",
            "/api/v1/documents".into(),
            None,
            ALL,
        ),
        (
            "POST",
            "/api/v1/documents",
            "/api/v1/documents".into(),
            Some(
                json!({"symbol": "MC.INF/9/26", "body": "ministerial-council", "title": "Note", "distribution": "limited", "language": "en"}),
            ),
            SEC_W,
        ),
        (
            "GET",
            "/api/v1/documents/{id}",
            "/api/v1/documents/1".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/documents/{id}",
            "/api/v1/documents/2".into(),
            None,
            PEACE,
        ),
        (
            "POST",
            "/api/v1/documents/{id}/translations",
            "/api/v1/documents/1/translations".into(),
            Some(json!({"language": "ko"})),
            SEC_U,
        ),
        (
            "POST",
            "/api/v1/documents/{id}/issue",
            "/api/v1/documents/1/issue".into(),
            Some(json!({"language": "en", "expected_revision": 1, "content": "Text"})),
            SEC_U,
        ),
        (
            "GET",
            "/api/v1/documents/{id}/content/{language}",
            "/api/v1/documents/3/content/en".into(),
            None,
            ALL,
        ),
        (
            "GET",
            "/api/v1/documents/{id}/content/{language}",
            "/api/v1/documents/2/content/en".into(),
            None,
            [404; 8],
        ),
    ]
}
