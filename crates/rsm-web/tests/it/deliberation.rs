//! Deliberation through the API: a ministerial meeting where five parties adopt an agenda
//! and two decisions (one with an interpretative statement), KP joins by decision and the
//! next decision needs six; the silence procedure read from the clock; bad input refused
//! with nothing changed; a restricted body's meeting undetectable by outsiders.

use rsm_core::{access::Role, party::PartyCode};
use rsm_store::{AccountStore, Attribution, NewAccount, TokenScope};
use rsm_web::auth::secret_digest;
use serde_json::{Value, json};

use crate::TestApp;

/// Adds delegate accounts `cn.delegate`, `ru.delegate`, `us.delegate`, `kp.delegate`.
async fn more_delegates(app: &TestApp) {
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    for p in [PartyCode::CN, PartyCode::RU, PartyCode::US, PartyCode::KP] {
        let name = format!("{}.delegate", p.as_str().to_lowercase());
        let account = app
            .store
            .create_account(
                &NewAccount {
                    username: name.clone(),
                    display_name: name.clone(),
                    role: Role::Delegate(p),
                    password_hash: None,
                    language: "en".into(),
                    time_zone: "UTC".into(),
                },
                &who,
            )
            .await
            .unwrap();
        app.store
            .create_token(
                account.id,
                "test",
                &secret_digest(&format!("tok-{name}")),
                TokenScope::Write,
                None,
                &who,
            )
            .await
            .unwrap();
    }
}

fn delegate(p: &str) -> String {
    format!("{}.delegate", p.to_lowercase())
}

async fn ok(app: &TestApp, method: &str, path: &str, who: &str, body: Value) -> Value {
    let r = app.call(method, path, who, Some(body)).await;
    assert!(
        r.status.is_success(),
        "{method} {path} as {who}: {} {}",
        r.status,
        r.text
    );
    r.json
}

async fn draft(app: &TestApp, body: Value) -> i64 {
    ok(app, "POST", "/api/v1/drafts", "officer", body).await["id"]
        .as_i64()
        .unwrap()
}

async fn step(app: &TestApp, d: i64, step: &str) -> Value {
    ok(
        app,
        "POST",
        &format!("/api/v1/drafts/{d}/procedure"),
        "officer",
        json!({ "step": step }),
    )
    .await
}

async fn join_all(app: &TestApp, d: i64, parties: &[&str]) {
    for p in parties {
        ok(
            app,
            "POST",
            &format!("/api/v1/drafts/{d}/positions"),
            &delegate(p),
            json!({"party": p, "position": "joins"}),
        )
        .await;
    }
}

async fn log_size(app: &TestApp) -> u64 {
    app.call("GET", "/api/v1/log", "public", None).await.json["size"]
        .as_u64()
        .unwrap()
}

const FIVE: [&str; 5] = ["CN", "JP", "KR", "RU", "US"];

#[tokio::test]
async fn a_ministerial_meeting_adopts_its_agenda_and_decisions_and_kp_joins() {
    let app = TestApp::new().await;
    more_delegates(&app).await;

    // The secretariat schedules the meeting; the chair comes from the rotation.
    let delegations: Vec<Value> = FIVE
        .iter()
        .map(|p| json!({"party": p, "head": format!("Minister ({p})")}))
        .collect();
    let m = ok(
        &app,
        "POST",
        "/api/v1/meetings",
        "officer",
        json!({
            "body": "ministerial-council", "title": "Second Ministerial Council",
            "start": "2026-04-20T09:00", "end": "2026-04-20T12:00", "time_zone": "Asia/Seoul",
            "venue": "Seoul", "delegations": delegations,
            "timetable": [{"label": "Morning", "start": "2026-04-20T09:00", "end": "2026-04-20T12:00"}]
        }),
    )
    .await;
    let mid = m["id"].as_i64().unwrap();
    assert_eq!(m["start"], "2026-04-20T09:00:00+09:00[Asia/Seoul]");
    assert_eq!(m["length_minutes"], 180);

    // The agenda: items by the secretariat, one proposed by KR and accepted, a sub-item.
    let items = format!("/api/v1/meetings/{mid}/items");
    let opening = ok(
        &app,
        "POST",
        &items,
        "officer",
        json!({"title": "Opening", "minutes": 15}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let csbm = ok(
        &app,
        "POST",
        &items,
        "officer",
        json!({"title": "Confidence-building measures", "basket": "security"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok(&app, "POST", &items, "officer", json!({"title": "Launch notifications", "basket": "security", "minutes": 90, "parent": csbm})).await;
    let proposed = ok(&app, "POST", &items, "kr.delegate", json!({"title": "Separated families", "basket": "humanitarian", "minutes": 120, "party": "KR"})).await["id"]
        .as_i64()
        .unwrap();
    let m = app
        .call(
            "GET",
            &format!("/api/v1/meetings/{mid}"),
            "jp.delegate",
            None,
        )
        .await
        .json;
    let numbers: Vec<Value> = m["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].clone())
        .collect();
    assert_eq!(numbers, [json!("1"), json!("2"), json!("2.1"), Value::Null]);
    assert_eq!(m["over_length"], false);
    let m = ok(
        &app,
        "POST",
        &format!("/api/v1/meetings/{mid}/items/{proposed}/accept"),
        "officer",
        json!({"expected_revision": 1}),
    )
    .await;
    assert_eq!(m["agenda"][3]["number"], "3");
    assert_eq!(m["planned_minutes"], 225);
    assert_eq!(
        m["over_length"], true,
        "225 planned minutes in a 180-minute meeting"
    );

    // The agenda is adopted like any decision: five join, consensus is established.
    let log_before = log_size(&app).await;
    let agenda = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Adoption of the agenda", "kind": "agenda",
               "text": "The Council adopts its agenda.", "meeting": mid, "item": opening}),
    )
    .await;
    step(&app, agenda, "table").await;
    join_all(&app, agenda, &FIVE).await;
    let adopted = step(&app, agenda, "consensus").await;
    assert_eq!(adopted["state"], "adopted");
    assert_eq!(adopted["symbol"], "MC.DEC/1/26");

    // Decision 2, with RU's interpretative statement.
    let d2 = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Launch pre-notification",
               "text": "Each party notifies launches 24 hours ahead.", "meeting": mid, "item": csbm}),
    )
    .await;
    step(&app, d2, "table").await;
    join_all(&app, d2, &FIVE).await;
    ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d2}/statements"),
        "ru.delegate",
        json!({"party": "RU", "kind": "interpretative", "text": "RU understands launches to include space launches."}),
    )
    .await;
    let d2v = step(&app, d2, "consensus").await;
    assert_eq!(d2v["symbol"], "MC.DEC/2/26");
    assert_eq!(d2v["statements"][0]["party"], "RU");
    assert_eq!(d2v["statements"][0]["kind"], "interpretative");
    // Both adoptions entered in the log, with their text digests recorded.
    assert_eq!(log_size(&app).await, log_before + 2);
    let decisions = app
        .call("GET", "/api/v1/decisions", "public", None)
        .await
        .json;
    assert_eq!(decisions.as_array().unwrap().len(), 2);
    assert_eq!(decisions[1]["text_sha256"], d2v["text_sha256"]);

    // KP joins by decision (accepting the decisions already taken).
    let join = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Participation of the DPRK", "kind": "participation",
               "text": "The DPRK participates from 1 June 2026 and accepts the decisions taken.",
               "meeting": mid,
               "participation": {"party": "KP", "status": "participating", "effective": "2026-06-01", "accepts_decisions_taken": true}}),
    )
    .await;
    step(&app, join, "table").await;
    join_all(&app, join, &FIVE).await;
    assert_eq!(step(&app, join, "consensus").await["symbol"], "MC.DEC/3/26");
    let kp = app.call("GET", "/api/v1/parties/KP", "public", None).await;
    assert!(kp.text.contains("MC.DEC/3/26"), "{}", kp.text);

    // After KP's joining, the next decision needs six: KP's objection blocks it.
    app.clock.set("2026-06-10T00:00:00Z".parse().unwrap());
    let d4 = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Family reunions", "text": "Reunions resume."}),
    )
    .await;
    let v = step(&app, d4, "table").await;
    assert_eq!(v["must_agree"].as_array().unwrap().len(), 6);
    join_all(&app, d4, &FIVE).await;
    ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d4}/positions"),
        "kp.delegate",
        json!({"party": "KP", "position": "objects", "reason": "timing"}),
    )
    .await;
    let blocked = app
        .call(
            "POST",
            &format!("/api/v1/drafts/{d4}/procedure"),
            "officer",
            Some(json!({"step": "consensus"})),
        )
        .await;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert!(blocked.text.contains("KP"), "{}", blocked.text);
    join_all(&app, d4, &["KP"]).await;
    assert_eq!(step(&app, d4, "consensus").await["symbol"], "MC.DEC/4/26");

    // The journal shows the items, the proposal's item, the decisions and the statement.
    let j = app
        .call(
            "GET",
            &format!("/api/v1/meetings/{mid}/journal"),
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(j.status, 200, "{}", j.text);
    assert!(j.text.contains("Separated families"), "{}", j.text);
    assert!(j.text.contains("MC.DEC/2/26"), "{}", j.text);
    assert!(j.text.contains("RU (interpretative)"), "{}", j.text);
}

#[tokio::test]
async fn silence_is_broken_by_an_objection_and_otherwise_adopts_at_the_deadline() {
    let app = TestApp::new().await;
    let d = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Energy network", "text": "The Council …"}),
    )
    .await;
    let under = ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d}/silence"),
        "officer",
        json!({"until": "2026-03-09T09:00:00+09:00"}),
    )
    .await;
    assert_eq!(under["state"], "under silence");
    // No job runs: once the clock passes the deadline, the draft reads as adopted then.
    app.clock.set("2026-03-09T00:00:01Z".parse().unwrap());
    let read = app
        .call("GET", &format!("/api/v1/drafts/{d}"), "public", None)
        .await
        .json;
    assert_eq!(read["state"], "adopted");
    assert_eq!(read["adopted_by"], "silence");
    assert_eq!(read["adopted_at"], "2026-03-09T00:00:00+00:00[UTC]");
    assert_eq!(read["symbol"], "MC.DEC/1/26");

    let d = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Gas pipeline", "text": "The Council …"}),
    )
    .await;
    ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d}/silence"),
        "officer",
        json!({"until": "2026-03-20T00:00:00Z"}),
    )
    .await;
    let broken = ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d}/positions"),
        "jp.delegate",
        json!({"party": "JP", "position": "objects", "reason": "route not agreed"}),
    )
    .await;
    assert_eq!(broken["state"], "silence broken");
    assert_eq!(broken["broken_by"], "JP");
    app.clock.set("2026-03-21T00:00:00Z".parse().unwrap());
    let read = app
        .call("GET", &format!("/api/v1/drafts/{d}"), "public", None)
        .await
        .json;
    assert_eq!(read["state"], "silence broken");

    // The calendar feed carries meetings and silence deadlines with explicit zones.
    let d = draft(
        &app,
        json!({"body": "ministerial-council", "title": "Ports", "text": "The Council …"}),
    )
    .await;
    ok(
        &app,
        "POST",
        &format!("/api/v1/drafts/{d}/silence"),
        "officer",
        json!({"until": "2026-03-30T09:00:00+09:00"}),
    )
    .await;
    let ics = app
        .call(
            "GET",
            "/api/v1/calendar.ics?token=tok-jp.delegate",
            "public",
            None,
        )
        .await;
    assert_eq!(ics.status, 200);
    assert!(
        ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(ics.text.contains("BEGIN:VCALENDAR"), "{}", ics.text);
    assert!(ics.text.contains("Silence ends: Ports"), "{}", ics.text);
    assert!(
        ics.text.contains("DTSTART;TZID=UTC:20260330T000000"),
        "{}",
        ics.text
    );
    let bad = app
        .call("GET", "/api/v1/calendar.ics?token=nope", "public", None)
        .await;
    assert_eq!(bad.status, 401);
}

async fn counts(app: &TestApp) -> (usize, usize, usize, usize) {
    let n = |v: Value| v.as_array().unwrap().len();
    (
        n(app
            .call("GET", "/api/v1/meetings", "officer", None)
            .await
            .json),
        n(app
            .call("GET", "/api/v1/documents", "officer", None)
            .await
            .json),
        n(app
            .call("GET", "/api/v1/drafts", "officer", None)
            .await
            .json),
        app.call("GET", "/api/v1/drafts/1", "officer", None)
            .await
            .json["events"]
            .as_u64()
            .unwrap() as usize,
    )
}

fn problem(r: &crate::Reply, status: u16, field: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    if let Some(f) = field {
        assert_eq!(r.json["field"], f, "{}", r.text);
    }
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_changes_nothing() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    more_delegates(&app).await;
    let before = counts(&app).await;

    // An objection from a non-member (KP is only invited).
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/positions",
            "kp.delegate",
            Some(json!({"party": "KP", "position": "objects", "reason": "no"})),
        )
        .await;
    problem(&r, 422, Some("party"));
    // An objection without a reason.
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/positions",
            "jp.delegate",
            Some(json!({"party": "JP", "position": "objects"})),
        )
        .await;
    problem(&r, 422, Some("reason"));
    // A chair who is not a member.
    let r = app
        .call(
            "POST",
            "/api/v1/meetings",
            "officer",
            Some(json!({
            "body": "ministerial-council", "title": "Council", "start": "2026-06-01T10:00",
            "end": "2026-06-01T12:00", "time_zone": "Asia/Seoul", "venue": "Seoul",
            "chair": "KP", "chair_reason": "goodwill"})),
        )
        .await;
    problem(&r, 422, Some("chair"));
    // An end before the start, a fixed offset instead of a zone.
    let r = app
        .call(
            "POST",
            "/api/v1/meetings",
            "officer",
            Some(json!({
            "body": "ministerial-council", "title": "Council", "start": "2026-06-01T10:00",
            "end": "2026-06-01T09:00", "time_zone": "Asia/Seoul", "venue": "Seoul"})),
        )
        .await;
    problem(&r, 422, Some("end"));
    // A silence deadline in the past.
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/silence",
            "officer",
            Some(json!({"until": "2026-03-01T00:00:00Z"})),
        )
        .await;
    problem(&r, 422, Some("until"));
    // A duplicate symbol.
    let r = app
        .call(
            "POST",
            "/api/v1/documents",
            "officer",
            Some(json!({
            "symbol": "MC.INF/1/26", "body": "ministerial-council", "title": "Again",
            "distribution": "public", "language": "en"})),
        )
        .await;
    problem(&r, 422, Some("symbol"));
    // A decision in a body the author may not see.
    let r = app
        .call(
            "POST",
            "/api/v1/drafts",
            "jp.delegate",
            Some(json!({
            "body": "peace-regime-talks", "title": "Probe", "text": "…", "party": "JP"})),
        )
        .await;
    problem(&r, 404, None);
    // A party speaking for another.
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/positions",
            "kr.delegate",
            Some(json!({"party": "JP", "position": "joins"})),
        )
        .await;
    problem(&r, 403, None);
    assert_eq!(counts(&app).await, before, "nothing stored changed");

    // Concurrent edits: the second edit of revision 1 is a conflict naming both revisions.
    ok(
        &app,
        "POST",
        "/api/v1/drafts/1/revisions",
        "officer",
        json!({"base_revision": 1, "text": "First edit"}),
    )
    .await;
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/revisions",
            "officer",
            Some(json!({"base_revision": 1, "text": "Second edit"})),
        )
        .await;
    problem(&r, 409, None);
    let detail = r.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("revision 1") && detail.contains("revision 2"),
        "{detail}"
    );
    let read = app
        .call("GET", "/api/v1/drafts/1", "officer", None)
        .await
        .json;
    assert_eq!(read["text"], "First edit");
    assert_eq!(read["revision"], 2);
    // A stale agenda edit is a conflict too.
    ok(
        &app,
        "POST",
        "/api/v1/meetings/1/items/1/move",
        "officer",
        json!({"expected_revision": 1, "position": 1}),
    )
    .await;
    let r = app
        .call(
            "POST",
            "/api/v1/meetings/1/items/1/move",
            "officer",
            Some(json!({"expected_revision": 1, "position": 0})),
        )
        .await;
    problem(&r, 409, None);
}

#[tokio::test]
async fn a_restricted_bodys_meeting_is_undetectable_by_outsiders() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let missing = app
        .call("GET", "/api/v1/meetings/999", "jp.delegate", None)
        .await;
    for who in [
        "public",
        "jp.delegate",
        "ru.auditor",
        "kr.redcross",
        "cn.energy",
    ] {
        for path in [
            "/api/v1/meetings",
            "/api/v1/drafts",
            "/api/v1/documents",
            "/api/v1/decisions",
        ] {
            let r = app.call("GET", path, who, None).await;
            assert_eq!(r.status, 200);
            assert!(
                !r.text.contains("First round")
                    && !r.text.contains("peace")
                    && !r.text.contains("PRT"),
                "{who} {path}: {}",
                r.text
            );
        }
        for path in [
            "/api/v1/meetings/2",
            "/api/v1/meetings/2/journal",
            "/api/v1/drafts/2",
            "/api/v1/documents/2",
        ] {
            let r = app.call("GET", path, who, None).await;
            assert_eq!(r.status, 404, "{who} {path}");
            assert_eq!(
                r.text, missing.text,
                "{who} {path}: indistinguishable from a missing one"
            );
        }
        let hits = app
            .call("GET", "/api/v1/search?q=first+round", who, None)
            .await;
        assert!(!hits.text.contains("First round"), "{who}: {}", hits.text);
        let hits = app.call("GET", "/api/v1/search?q=PRT.INF", who, None).await;
        assert!(!hits.text.contains("PRT"), "{who}: {}", hits.text);
        for page in [
            "/meetings",
            "/meetings/2",
            "/meetings/2/journal",
            "/drafts/2",
        ] {
            let r = app.call("GET", page, who, None).await;
            assert!(
                !r.text.contains("First round") && !r.text.contains("Panmunjom"),
                "{who} {page}"
            );
        }
    }
    for who in ["jp.delegate", "ru.auditor"] {
        let ics = app
            .call(
                "GET",
                &format!("/api/v1/calendar.ics?token=tok-{who}"),
                "public",
                None,
            )
            .await;
        assert!(
            ics.text.contains("Second Ministerial Council"),
            "{}",
            ics.text
        );
        assert!(
            !ics.text.contains("First round") && !ics.text.contains("Panmunjom"),
            "{who}: {}",
            ics.text
        );
    }
    // Members see it everywhere.
    let ics = app
        .call(
            "GET",
            "/api/v1/calendar.ics?token=tok-kr.delegate",
            "public",
            None,
        )
        .await;
    assert!(ics.text.contains("First round"), "{}", ics.text);
    assert!(ics.text.contains("TZID=Asia/Seoul"), "{}", ics.text);
    let hits = app
        .call("GET", "/api/v1/search?q=first+round", "kr.delegate", None)
        .await;
    assert!(hits.text.contains("First round"), "{}", hits.text);
    let m = app
        .call("GET", "/api/v1/meetings/2", "kr.delegate", None)
        .await;
    assert_eq!(m.status, 200);
}

#[tokio::test]
async fn pages_show_meetings_agendas_drafts_and_the_journal() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let list = app.call("GET", "/meetings", "kr.delegate", None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("Second Ministerial Council") && list.text.contains("First round"));
    let m = app.call("GET", "/meetings/1", "kr.delegate", None).await;
    assert_eq!(m.status, 200, "{}", m.text);
    assert!(
        m.text.contains("Opening") && m.text.contains("Launch notices"),
        "{}",
        m.text
    );
    assert!(
        m.text.contains("hx-post=\"/meetings/1/items\""),
        "the delegate may propose"
    );
    let d = app.call("GET", "/drafts/1", "jp.delegate", None).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert!(d.text.contains("Launch pre-notification") && d.text.contains("/drafts/1/position"));
    let j = app
        .call("GET", "/meetings/1/journal", "officer", None)
        .await;
    assert_eq!(j.status, 200, "{}", j.text);
    assert!(
        j.text.contains("MC.JOUR/1") && j.text.contains("Opening"),
        "{}",
        j.text
    );
    // The dashboard lists KR's action item.
    let dash = app.call("GET", "/", "kr.delegate", None).await;
    assert!(
        dash.text.contains("Circulate the template"),
        "{}",
        dash.text
    );
}
