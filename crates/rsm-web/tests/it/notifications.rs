//! Notifications through the API: keys registered, notifications signed by the parties
//! (never by the server), refused with every failing field, acknowledged, and the
//! compliance table of a timeline (on time, late, a party joining mid-year, a request
//! answered late) computed when read.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use ed25519_dalek::{Signer, SigningKey};
use jiff::SignedDuration;
use rsm_core::{access::Role, party::PartyCode};
use rsm_ledger::{Anchor, EntryBody, EntryType, Hash, commit_public};
use rsm_store::{AccountStore, Attribution, NewAccount, TokenScope};
use rsm_web::auth::secret_digest;
use serde_json::{Value, json};

use crate::TestApp;

pub fn key(p: &str) -> SigningKey {
    SigningKey::from_bytes(&[p.as_bytes()[0] ^ p.as_bytes()[1]; 32])
}

fn delegate(p: &str) -> String {
    format!("{}.delegate", p.to_lowercase())
}

/// Adds delegates for CN, RU and US, pins every party's key and registers it.
pub async fn setup(app: &TestApp) {
    let who = Attribution::host_cli(rsm_web::clock::Clock::now(&*app.clock));
    for p in ["CN", "RU", "US"] {
        let code: PartyCode = p.parse().unwrap();
        let a = app
            .store
            .create_account(
                &NewAccount {
                    username: delegate(p),
                    display_name: delegate(p),
                    role: Role::Delegate(code),
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
                a.id,
                "test",
                &secret_digest(&format!("tok-{}", delegate(p))),
                TokenScope::Write,
                None,
                &who,
            )
            .await
            .unwrap();
    }
    for p in ["CN", "JP", "KR", "RU", "US"] {
        let k = key(p);
        let pk = rsm_ledger::hash::to_hex(k.verifying_key().as_bytes());
        let r = app
            .call(
                "POST",
                "/api/v1/log/keys",
                "admin",
                Some(json!({"party": p, "public_key": pk})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let head = app
            .call("GET", &format!("/api/v1/log/parties/{p}"), "public", None)
            .await
            .json;
        let size = app.call("GET", "/api/v1/log", "public", None).await.json["size"]
            .as_u64()
            .unwrap();
        // Anchor to the current tree through the prepare endpoint's view of the log.
        let prep = app
            .call(
                "POST",
                "/api/v1/notifications/prepare",
                "public",
                Some(json!({"party": p, "type": "security-outlook", "content": "{}"})),
            )
            .await
            .json;
        let body = B64.decode(prep["body"].as_str().unwrap()).unwrap();
        // The anchor sits before the 2-byte data length at the end of the body.
        let n = body.len();
        let root = Hash::from_slice(&body[n - 2 - 32..n - 2]).unwrap();
        assert_eq!(prep["anchor_size"].as_u64().unwrap(), size);
        let data = k.verifying_key().to_bytes().to_vec();
        let env = EntryBody {
            party: rsm_ledger::Party::new(p).unwrap(),
            seq: head["next_seq"].as_u64().unwrap(),
            prev: Hash::from_hex(head["prev"].as_str().unwrap()).unwrap(),
            entry_type: EntryType::new("key.register").unwrap(),
            commitment: commit_public(&data),
            anchor: Anchor { size, root },
            data,
        }
        .sign(&k)
        .unwrap();
        let r = app
            .call(
                "POST",
                "/api/v1/log/entries?wait=false",
                &delegate(p),
                Some(json!({"envelope": B64.encode(env.encode().unwrap())})),
            )
            .await;
        assert_eq!(r.status, 201, "{p}: {}", r.text);
    }
}

/// Prepares, signs (as the party would, with its own key) and submits.
pub async fn send(
    app: &TestApp,
    who: &str,
    signer: &str,
    type_id: &str,
    content: &Value,
    data: &str,
) -> crate::Reply {
    let text = content.to_string();
    let prep = app
        .call(
            "POST",
            "/api/v1/notifications/prepare",
            who,
            Some(json!({"party": signer, "type": type_id, "content": text, "data": data})),
        )
        .await;
    assert_eq!(prep.status, 200, "{}", prep.text);
    let mut env = B64.decode(prep.json["body"].as_str().unwrap()).unwrap();
    let msg = B64.decode(prep.json["message"].as_str().unwrap()).unwrap();
    let sig = key(signer).sign(&msg);
    env.extend_from_slice(&sig.to_bytes());
    app.call(
        "POST",
        "/api/v1/notifications",
        who,
        Some(json!({"envelope": B64.encode(&env), "content": text})),
    )
    .await
}

pub fn exercise(start: &str, end: &str, troops: i64) -> Value {
    json!({
        "designation": "Exercise", "purpose": "Readiness", "activity_type": "land",
        "parties_involved": ["KR"], "command_level": "division",
        "window": {"start": start, "end": end, "zone": "Asia/Seoul"},
        "area": {"centre": [127.5, 37.8], "radius_km": 40},
        "troops": troops
    })
}

fn row<'a>(report: &'a Value, party: &str, type_id: &str, subject: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["party"] == party && r["type_id"] == type_id && r["subject"] == subject)
        .unwrap_or_else(|| panic!("no row {party} {type_id} {subject} in {report:#}"))
}

#[tokio::test]
async fn a_timeline_of_notifications_gives_the_compliance_table() {
    let app = TestApp::new().await;
    setup(&app).await;

    // KR: an exercise 60 days ahead (on time), and one 10 days ahead (late).
    let on_time = send(
        &app,
        "kr.delegate",
        "KR",
        "military-activity",
        &exercise("2026-05-01T06:00", "2026-05-05T18:00", 12000),
        "",
    )
    .await;
    assert_eq!(on_time.status, 201, "{}", on_time.text);
    assert_eq!(on_time.json["status"], "on_time");
    assert!(on_time.json["receipt"].is_string());
    let on_time = on_time.json["index"].as_u64().unwrap();
    let late = send(
        &app,
        "kr.delegate",
        "KR",
        "military-activity",
        &exercise("2026-03-12T06:00", "2026-03-14T18:00", 9500),
        "",
    )
    .await;
    assert_eq!(
        late.status, 201,
        "a late notification is accepted: {}",
        late.text
    );
    assert_eq!(late.json["status"], "late");
    assert!(late.json["delay_seconds"].as_i64().unwrap() > 0);
    let late = late.json["index"].as_u64().unwrap();

    // KP joins on 1 June (recorded today): it owes nothing due before.
    let r = app
        .call(
            "POST",
            "/api/v1/parties/KP/participation",
            "officer",
            Some(json!({"status": "participating", "effective": "2026-06-01", "basis": "MC.DEC/1/26"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);

    // JP asks RU for clarification; RU answers after 72 hours (due within 48).
    let req = send(
        &app,
        "jp.delegate",
        "JP",
        "clarification-request",
        &json!({"addressee": ["RU"], "activity": "Naval movements", "questions": "Purpose?"}),
        "",
    )
    .await;
    assert_eq!(req.status, 201, "{}", req.text);
    let req = req.json["index"].as_u64().unwrap();
    app.clock.advance(SignedDuration::from_hours(72));
    let reply = send(
        &app,
        "ru.delegate",
        "RU",
        "clarification-reply",
        &json!({"request": req.to_string(), "objectives": "A routine exercise"}),
        "",
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);

    // JP acknowledges KR's first notification.
    let ack = send(
        &app,
        "jp.delegate",
        "JP",
        "notification-ack",
        &json!({"of": on_time.to_string()}),
        &format!("ack {on_time}"),
    )
    .await;
    assert_eq!(ack.status, 201, "{}", ack.text);
    let d = app
        .call(
            "GET",
            &format!("/api/v1/notifications/{on_time}"),
            "us.delegate",
            None,
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.json["acknowledgements"][0]["party"], "JP");
    assert_eq!(d.json["not_acknowledged"], json!(["CN", "RU", "US"]));
    assert!(d.json["receipt"].is_string());

    let report = app
        .call("GET", "/api/v1/compliance?year=2026", "jp.delegate", None)
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let rep = &report.json;
    assert_eq!(
        row(rep, "KR", "military-activity", &on_time.to_string())["status"],
        "on_time"
    );
    assert_eq!(
        row(rep, "KR", "military-activity", &late.to_string())["status"],
        "late"
    );
    // Defence planning (due 31 March) is pending for the five, not owed by KP.
    assert_eq!(
        row(rep, "CN", "defence-planning", "year 2026")["status"],
        "pending"
    );
    assert!(
        !rep["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["party"] == "KP" && r["type_id"] == "defence-planning"),
        "KP owes nothing due before it joined"
    );
    // The annual calendar for 2027 (due 15 November) is owed by KP too.
    assert_eq!(
        row(rep, "KP", "annual-calendar", "year 2027")["status"],
        "pending"
    );
    let c = &rep["consultations"][0];
    assert_eq!(c["from"], "JP");
    assert_eq!(c["to"], "RU");
    assert_eq!(c["state"], "answered_late");

    // CSV too, and the party filter.
    let csv = app
        .call(
            "GET",
            "/api/v1/compliance.csv?year=2026&party=KR",
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.text.lines().skip(1).all(|l| l.contains(",KR,")),
        "{}",
        csv.text
    );
    assert!(csv.text.contains(",late,"));
}

#[tokio::test]
async fn forbidden_and_invalid_submissions_store_nothing() {
    let app = TestApp::new().await;
    setup(&app).await;
    let count = || async {
        app.call("GET", "/api/v1/notifications", "admin", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len()
    };
    let ok = exercise("2026-05-01T06:00", "2026-05-05T18:00", 12000);
    // KR's delegate may not submit JP's notification, nor an auditor its party's.
    let r = send(&app, "kr.delegate", "JP", "military-activity", &ok, "").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = send(&app, "ru.auditor", "RU", "military-activity", &ok, "").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = send(&app, "public", "KR", "military-activity", &ok, "").await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Every failing field is listed.
    let mut bad = ok.clone();
    bad["troops"] = json!(-5);
    bad["activity_type"] = json!("space");
    bad["window"]["end"] = json!("2026-04-01T00:00");
    bad.as_object_mut().unwrap().remove("designation");
    let r = send(&app, "kr.delegate", "KR", "military-activity", &bad, "").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let paths: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for p in ["troops", "activity_type", "window", "designation"] {
        assert!(
            paths.iter().any(|x| x.starts_with(p)),
            "{p} not in {paths:?}"
        );
    }
    assert!(r.json["errors"][0]["rule"].is_string());
    // A content that is not what was signed.
    let prep = app
        .call(
            "POST",
            "/api/v1/notifications/prepare",
            "kr.delegate",
            Some(json!({"party": "KR", "type": "military-activity", "content": ok.to_string()})),
        )
        .await
        .json;
    let mut env = B64.decode(prep["body"].as_str().unwrap()).unwrap();
    let sig = key("KR").sign(&B64.decode(prep["message"].as_str().unwrap()).unwrap());
    env.extend_from_slice(&sig.to_bytes());
    // A notification without its content is refused by the raw log endpoint.
    let r = app
        .call(
            "POST",
            "/api/v1/log/entries",
            "kr.delegate",
            Some(json!({"envelope": B64.encode(&env)})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["field"], "entry_type");
    let mut other = ok.clone();
    other["troops"] = json!(8000);
    let r = app
        .call(
            "POST",
            "/api/v1/notifications",
            "kr.delegate",
            Some(json!({"envelope": B64.encode(&env), "content": other.to_string()})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["field"], "content");
    // An unknown type.
    let r = send(&app, "kr.delegate", "KR", "no-such-type", &ok, "").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["field"], "type");
    assert_eq!(count().await, 0);

    // A signed-out reader sees no participating-only content; a party's account does.
    let r = send(&app, "kr.delegate", "KR", "military-activity", &ok, "").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let i = r.json["index"].as_u64().unwrap();
    assert_eq!(
        app.call("GET", "/api/v1/notifications", "public", None)
            .await
            .json,
        json!([])
    );
    let r = app
        .call("GET", &format!("/api/v1/notifications/{i}"), "public", None)
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .call(
            "GET",
            &format!("/api/v1/notifications/{i}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    // A party does not acknowledge its own notification; another party does, once per
    // its own key only.
    let r = send(
        &app,
        "kr.delegate",
        "KR",
        "notification-ack",
        &json!({"of": i.to_string()}),
        &format!("ack {i}"),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = send(
        &app,
        "kr.delegate",
        "JP",
        "notification-ack",
        &json!({"of": i.to_string()}),
        &format!("ack {i}"),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = send(
        &app,
        "jp.delegate",
        "JP",
        "notification-ack",
        &json!({"of": "999"}),
        "ack 999",
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Validation as you type stores nothing and lists the errors.
    let v = app
        .call(
            "POST",
            "/api/v1/notifications/validate",
            "public",
            Some(json!({"type": "military-activity", "content": bad})),
        )
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(v.json["valid"], false);
    assert!(v.json["errors"].as_array().unwrap().len() >= 4);
    assert_eq!(count().await, 1);
}

#[tokio::test]
async fn a_regime_version_takes_effect_by_a_secretariat_act_entered_in_the_log() {
    let app = TestApp::new().await;
    let text = rsm_regime::DEFAULT_REGIME_TOML.replacen("version = \"1\"", "version = \"2\"", 1);
    let body = |effective: &str, basis: &str| json!({"effective": effective, "basis": basis, "text": text});
    // Not retroactive, needs its act, only the secretariat.
    let r = app
        .call(
            "POST",
            "/api/v1/regime/versions",
            "admin",
            Some(body("2026-01-15T00:00:00Z", "SEC.ACT/2026/1")),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["field"], "effective");
    let r = app
        .call(
            "POST",
            "/api/v1/regime/versions",
            "admin",
            Some(body("2026-07-01T00:00:00Z", " ")),
        )
        .await;
    assert_eq!(r.json["field"], "basis", "{}", r.text);
    let r = app
        .call(
            "POST",
            "/api/v1/regime/versions",
            "kr.delegate",
            Some(body("2026-07-01T00:00:00Z", "SEC.ACT/2026/1")),
        )
        .await;
    assert_eq!(r.status, 403);
    let before = app.call("GET", "/api/v1/log", "public", None).await.json["size"]
        .as_u64()
        .unwrap();
    let r = app
        .call(
            "POST",
            "/api/v1/regime/versions",
            "officer",
            Some(body("2026-07-01T00:00:00Z", "SEC.ACT/2026/1")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sha = r.json["text_sha256"].as_str().unwrap().to_owned();
    let regime = app.call("GET", "/api/v1/regime", "public", None).await.json;
    assert_eq!(regime["versions"].as_array().unwrap().len(), 2);
    assert_eq!(regime["in_force"], "1", "not before it takes effect");
    assert_eq!(regime["versions"][1]["basis"], "SEC.ACT/2026/1");
    // Its text's hash is in the log, as a secretariat entry.
    let e = app
        .call(
            "GET",
            &format!("/api/v1/log/entries/{before}"),
            "public",
            None,
        )
        .await
        .json;
    assert_eq!(e["party"], "SEC");
    assert_eq!(e["entry_type"], "regime.version");
    let env =
        rsm_ledger::Envelope::parse(&B64.decode(e["envelope"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(env.body.commitment.to_hex(), sha);
    app.clock.set("2026-07-02T00:00:00Z".parse().unwrap());
    let regime = app.call("GET", "/api/v1/regime", "public", None).await.json;
    assert_eq!(regime["in_force"], "2");
}

/// Regression for the crash window between appending a notification's entry and linking it
/// to its stored content: the start-up pass links it, once.
#[tokio::test]
async fn an_entry_appended_before_a_crash_is_linked_at_start_up() {
    let app = TestApp::new().await;
    setup(&app).await;
    let text = exercise("2026-05-01T06:00", "2026-05-05T18:00", 12000).to_string();
    let prep = app
        .call(
            "POST",
            "/api/v1/notifications/prepare",
            "kr.delegate",
            Some(json!({"party": "KR", "type": "military-activity", "content": text, "data": ""})),
        )
        .await;
    assert_eq!(prep.status, 200, "{}", prep.text);
    let mut env = B64.decode(prep.json["body"].as_str().unwrap()).unwrap();
    let msg = B64.decode(prep.json["message"].as_str().unwrap()).unwrap();
    env.extend_from_slice(&key("KR").sign(&msg).to_bytes());
    let parsed = rsm_ledger::Envelope::parse(&env).unwrap();
    // What the handler does before the crash: the content, then the entry; no link.
    let who = rsm_store::Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    use rsm_store::NotificationStore as _;
    app.store
        .put_notification_content(
            &rsm_store::NewContent {
                commitment: parsed.body.commitment.to_hex(),
                content: text.clone(),
                salt: None,
                restricted_to: None,
            },
            &who,
        )
        .await
        .unwrap();
    let acked = app.log.submit(env, who).await.unwrap();
    let path = format!("/api/v1/notifications/{}", acked.index);
    assert_eq!(
        app.call("GET", &path, "jp.delegate", None).await.status,
        404
    );
    assert_eq!(rsm_web::notify::relink(&app.store).await.unwrap(), 1);
    let r = app.call("GET", &path, "jp.delegate", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(rsm_web::notify::relink(&app.store).await.unwrap(), 0);
}
