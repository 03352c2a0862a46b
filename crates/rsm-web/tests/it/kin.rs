//! The family tracing workflow over HTTP: imports with bad rows under both policies
//! (nothing half-imported), runs and the review queue, decisions and replies stored,
//! every read of personal data audited, the exchange closed until KP participates, and
//! the forbidden paths (delegates, auditors, the secretariat, other parties: 404).

use rsm_core::{access::Role, party::PartyCode};
use rsm_store::{AccountStore, Attribution, AuditFilter, AuditStore, NewAccount, TokenScope};
use rsm_web::auth::secret_digest;
use serde_json::{Value, json};

use crate::{ROLES, TestApp};

const SOUTH: &str = include_str!("../../../rsm-kin/data/demo/south.csv");
const NORTH: &str = include_str!("../../../rsm-kin/data/demo/north.csv");

/// Three good requests and three bad ones (lines 3, 5, 6).
const WITH_BAD_ROWS: &str = "request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date\n\
T1,A1,이옥례,1926-05-10,이용호,M,1940,brother,이영식,함남,함주,,,2002-07-20\n\
T2,A1,이옥례,1926-05-10,이용수,M,19x0,brother,,함남,함주,,,2002-07-20\n\
T3,A2,김순희,1930-01-01,김철수,M,1941,brother,,평남,평양,,,2002-07-20\n\
T4,A3,박영자,1931-02-30,박철,M,1940,brother,,평남,평양,,,2002-07-20\n\
T1,A4,최정숙,1933-03-03,최광일,M,1938,brother,,황해,옹진,,,2002-07-20\n\
T5,A5,한명자,1935-01-01,한동수,M,1937,brother,,황해,연백,,,2002-07-20\n";

fn upload(kind: &str, format: &str, policy: &str, content: &str) -> Value {
    json!({"kind": kind, "format": format, "policy": policy, "filename": format!("{kind}s.{format}"), "content": content})
}

async fn registry(app: &TestApp) -> Value {
    let r = app.call("GET", "/api/v1/kin", "kr.redcross", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

pub(crate) async fn kp_participates(app: &TestApp) {
    let r = app
        .call(
            "POST",
            "/api/v1/parties/KP/participation",
            "officer",
            Some(json!({"status": "participating", "effective": "2026-03-02", "basis": "MC.DEC/1/26"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn audit_count(app: &TestApp, prefix: &str) -> usize {
    app.store
        .list_audit(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action.starts_with(prefix))
        .count()
}

#[tokio::test]
async fn import_with_bad_rows_refuses_whole_or_skips_as_chosen() {
    let app = TestApp::new().await;
    // Refuse: every bad row named with its line, nothing stored.
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "csv", "refuse", WITH_BAD_ROWS)),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let lines: Vec<u64> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 5, 6], "{}", r.text);
    assert!(
        r.json["errors"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("same request_id as line 2")
    );
    assert_eq!(registry(&app).await["requests"], 0, "nothing half-imported");
    assert_eq!(registry(&app).await["imports"].as_array().unwrap().len(), 0);

    // Skip: the good rows in, the bad ones reported.
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "csv", "skip", WITH_BAD_ROWS)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.json["rows_read"].as_u64(), r.json["rows_kept"].as_u64()),
        (Some(6), Some(3))
    );
    assert_eq!(r.json["skipped"].as_array().unwrap().len(), 3);
    let reg = registry(&app).await;
    assert_eq!(reg["requests"], 3);
    assert_eq!(reg["imports"][0]["issues"].as_array().unwrap().len(), 3);

    // The same rows again: already registered, so refused (refuse) or all skipped (skip).
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload(
                "request",
                "csv",
                "refuse",
                "request_id,sought_name\nT1,이용호\n",
            )),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("already in the registry")
    );

    // JSON, items numbered.
    let json_list = json!([
        {"request_id": "J1", "sought_name": "박철수", "sought_birth_year": "1939"},
        {"request_id": "J2", "sought_name": "박영수", "sought_birth_year": "1x39"}
    ])
    .to_string();
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "json", "refuse", &json_list)),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["errors"][0]["line"], 2);
    // A file that is not a list at all names the field and the reason.
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "json", "skip", "{\"a\": 1}")),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("content"))
    );
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("friend", "csv", "skip", "x")),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("kind"))
    );
    assert_eq!(registry(&app).await["requests"], 3);

    // One record registered by hand: the same checks.
    let one = |fields: Value| json!({"kind": "request", "fields": fields});
    let r = app
        .call(
            "POST",
            "/api/v1/kin/records",
            "kr.redcross",
            Some(one(
                json!({"request_id": "H1", "sought_name": "정광일", "sought_birth_year": "1933"}),
            )),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .call(
            "POST",
            "/api/v1/kin/records",
            "kr.redcross",
            Some(one(
                json!({"request_id": "H2", "sought_name": "정광수", "sought_birth_year": "1833x"}),
            )),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("birth year")
    );
    let r = app
        .call(
            "POST",
            "/api/v1/kin/records",
            "kr.redcross",
            Some(one(json!({"request_id": "H1", "sought_name": "정광일"}))),
        )
        .await;
    assert_eq!(r.status, 422, "a used id");
    let r = post_form(
        &app,
        "/kin/register",
        "request_id=H3&sought_name=%EC%9C%A4%EB%8F%99%EC%88%98&sought_birth_year=1939",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = post_form(
        &app,
        "/kin/register",
        "request_id=H4&sought_name=x&sought_birth_year=abc",
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("not a number"), "{}", r.text);
    assert_eq!(registry(&app).await["requests"], 5);

    // The page: the same refusal, rendered with lines and "nothing was imported".
    let page = multipart_import(&app, "request", "csv", "refuse", WITH_BAD_ROWS).await;
    assert_eq!(page.status, 422);
    assert!(page.text.contains("nothing was imported"), "{}", page.text);
    assert!(page.text.contains("birth year is not a number"));
    assert_eq!(registry(&app).await["requests"], 5);
}

pub(crate) async fn post_form(app: &TestApp, path: &str, body: &str) -> crate::Reply {
    use axum::{body::Body, http::Request};
    let req = Request::post(path)
        .header("authorization", "Bearer tok-kr.redcross")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(req).await
}

async fn multipart_import(
    app: &TestApp,
    kind: &str,
    format: &str,
    policy: &str,
    content: &str,
) -> crate::Reply {
    use axum::{body::Body, http::Request};
    let boundary = "kinboundary";
    let mut body = String::new();
    for (k, v) in [("kind", kind), ("format", format), ("policy", policy)] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    let req = Request::post("/kin/import")
        .header("authorization", "Bearer tok-kr.redcross")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn exchange_is_closed_until_kp_participates_but_the_registry_works() {
    let app = TestApp::new().await;
    let reg = registry(&app).await;
    assert_eq!(reg["exchange_open"], false);
    assert!(
        reg["exchange_closed_reason"]
            .as_str()
            .unwrap()
            .contains("KP to participate")
    );
    // Own list: fine. The other side's list and exports: refused with the reason.
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "csv", "refuse", SOUTH)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("person", "csv", "refuse", NORTH)),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("KP to participate")
    );
    let r = app
        .call("POST", "/api/v1/kin/exports", "kr.redcross", None)
        .await;
    assert_eq!(r.status, 403);
    let page = app.call("GET", "/kin", "kr.redcross", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Exchange with the other side is closed"));
    assert!(page.text.contains("KP to participate"));
    assert_eq!(registry(&app).await["persons"], 0);

    kp_participates(&app).await;
    let reg = registry(&app).await;
    assert_eq!(reg["exchange_open"], true);
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("person", "csv", "refuse", NORTH)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Export: the list, and a manifest whose commitment the secretariat entered in the log.
    let r = app
        .call("POST", "/api/v1/kin/exports", "kr.redcross", None)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let manifest = r.json["manifest"].as_str().unwrap();
    assert!(
        r.json["content"].as_str().unwrap().contains("김"),
        "the list itself goes to the other side"
    );
    assert!(
        !manifest.contains("김") && !manifest.contains("S0001"),
        "no personal data in the manifest"
    );
    let index = r.json["log_index"].as_u64().unwrap();
    let entry = app
        .call(
            "GET",
            &format!("/api/v1/log/entries/{index}"),
            "public",
            None,
        )
        .await;
    assert_eq!(entry.status, 200, "{}", entry.text);
    assert!(entry.text.contains("kin.list-export"), "{}", entry.text);
    assert!(!entry.text.contains("김"));
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(entry.json["envelope"].as_str().unwrap())
        .unwrap();
    let env = rsm_ledger::Envelope::parse(&bytes).unwrap();
    assert_eq!(
        env.body.commitment,
        rsm_ledger::commit_public(manifest.as_bytes()),
        "the entry commits to the manifest"
    );
    assert_eq!(env.body.data, b"KR request");
    assert_eq!(registry(&app).await["exports"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_run_fills_the_queue_and_decisions_and_replies_are_stored_and_every_read_audited() {
    let app = TestApp::new().await;
    kp_participates(&app).await;
    for (kind, list) in [("request", SOUTH), ("person", NORTH)] {
        let r = app
            .call(
                "POST",
                "/api/v1/kin/imports",
                "kr.redcross",
                Some(upload(kind, "csv", "refuse", list)),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = app
        .call("POST", "/api/v1/kin/runs?wait=true", "kr.redcross", None)
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json["state"], "finished", "{}", r.text);
    assert!(r.json["candidates"].as_i64().unwrap() >= 50);
    let run = r.json["id"].as_i64().unwrap();
    let r = app
        .call(
            "GET",
            &format!("/api/v1/kin/runs/{run}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(r.json["state"], "finished");

    let before = audit_count(&app, "kin.read").await;
    let q = app
        .call("GET", "/api/v1/kin/candidates", "kr.redcross", None)
        .await;
    assert_eq!(q.status, 200);
    assert_eq!(
        audit_count(&app, "kin.read").await,
        before + 1,
        "the queue read is audited"
    );
    let queue = q.json.as_array().unwrap().clone();
    let first = &queue[0];
    assert!(
        first["explanation"]["summary"]
            .as_str()
            .unwrap()
            .contains("surname"),
        "{first}"
    );
    assert!(
        !first["explanation"]["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(first["request"]["sought_name"].is_string());
    let id = first["id"].as_i64().unwrap();

    let bad = app
        .call(
            "POST",
            &format!("/api/v1/kin/candidates/{id}/decision"),
            "kr.redcross",
            Some(json!({"decision": "maybe"})),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (422, Some("decision"))
    );
    let r = app
        .call(
            "POST",
            &format!("/api/v1/kin/candidates/{id}/decision"),
            "kr.redcross",
            Some(json!({"decision": "more-information", "note": "ask for the village"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/kin/candidates/{id}/decision"),
            "kr.redcross",
            Some(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/kin/candidates/{id}/reply"),
            "kr.redcross",
            Some(json!({"reply": "alive", "note": "letter received"})),
        )
        .await;
    assert_eq!(r.status, 204);
    let bad = app
        .call(
            "POST",
            &format!("/api/v1/kin/candidates/{id}/reply"),
            "kr.redcross",
            Some(json!({"reply": "missing"})),
        )
        .await;
    assert_eq!(bad.status, 422);

    let before = audit_count(&app, "kin.read").await;
    let c = app
        .call(
            "GET",
            &format!("/api/v1/kin/candidates/{id}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(
        audit_count(&app, "kin.read").await,
        before + 1,
        "one candidate's read is audited"
    );
    assert_eq!(c.json["status"], "accept");
    assert_eq!(c.json["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(c.json["replies"][0]["decision"], "alive");
    let q2 = app
        .call("GET", "/api/v1/kin/candidates", "kr.redcross", None)
        .await;
    assert_eq!(
        q2.json.as_array().unwrap().len(),
        queue.len() - 1,
        "accepted leaves the queue"
    );
    let reg = registry(&app).await;
    assert_eq!(reg["accepted"], 1);

    let before = audit_count(&app, "kin.read").await;
    registry(&app).await;
    assert_eq!(
        audit_count(&app, "kin.read").await,
        before + 1,
        "the overview (bad-row reports) is audited"
    );
    // Pages read personal data too: each view is audited.
    for path in ["/kin", "/kin/review", "/kin/review?filter=all"] {
        let before = audit_count(&app, "kin.read").await;
        let p = app.call("GET", path, "kr.redcross", None).await;
        assert_eq!(p.status, 200, "{path}: {}", p.text);
        assert!(
            audit_count(&app, "kin.read").await > before,
            "{path} read without audit"
        );
    }
    let page = app.call("GET", "/kin/review", "kr.redcross", None).await;
    assert!(page.text.contains("Why the matcher proposes this pair"));
    assert!(
        page.text.contains("initial-sound rule") || page.text.contains("same class"),
        "explanations shown"
    );
    // A decision through the page.
    let second = queue[1]["id"].as_i64().unwrap();
    let form = post_form(
        &app,
        &format!("/kin/review/{second}/decision"),
        "decision=reject&note=other+family",
    )
    .await;
    assert_eq!(form.status, 303, "{}", form.text);
    let c = app
        .call(
            "GET",
            &format!("/api/v1/kin/candidates/{second}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(c.json["status"], "reject");
    assert_eq!(c.json["decisions"][0]["note"], "other family");
    // A second run while none runs is fine; the records are read (audited) again.
    let before = audit_count(&app, "kin.read-records").await;
    let r = app
        .call("POST", "/api/v1/kin/runs?wait=true", "kr.redcross", None)
        .await;
    assert_eq!(r.json["state"], "finished");
    assert_eq!(audit_count(&app, "kin.read-records").await, before + 2);
    // The new run's queue: no duplicates of the earlier run, decided pairs stay decided.
    let q3 = app
        .call("GET", "/api/v1/kin/candidates", "kr.redcross", None)
        .await;
    assert_eq!(
        q3.json.as_array().unwrap().len(),
        queue.len() - 2,
        "{}",
        q3.text
    );
    assert!(
        q3.json
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["run_id"] == r.json["id"])
    );
    assert_eq!(registry(&app).await["accepted"], 1);
}

#[tokio::test]
async fn nobody_but_the_registrys_focal_points_sees_anything() {
    let app = TestApp::new().await;
    kp_participates(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(upload("request", "csv", "refuse", SOUTH)),
        )
        .await;
    assert_eq!(r.status, 201);
    // A KP focal point and a JP one, besides the matrix roles.
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    for (name, party) in [
        ("kp.redcross", PartyCode::KP),
        ("jp.redcross", PartyCode::JP),
    ] {
        let a = app
            .store
            .create_account(
                &NewAccount {
                    username: name.into(),
                    display_name: name.into(),
                    role: Role::FocalPoint(party),
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
                "t",
                &secret_digest(&format!("tok-{name}")),
                TokenScope::Write,
                None,
                &who,
            )
            .await
            .unwrap();
    }
    let paths = [
        ("GET", "/api/v1/kin"),
        ("GET", "/api/v1/kin/records?kind=request"),
        ("GET", "/api/v1/kin/candidates"),
        ("GET", "/kin"),
        ("GET", "/kin/review"),
        ("GET", "/kin/runs"),
        ("GET", "/kin/import"),
    ];
    for who in ROLES
        .iter()
        .filter(|r| **r != "kr.redcross" && **r != "public")
        .chain(["jp.redcross"].iter())
    {
        for (m, p) in paths {
            let r = app.call(m, p, who, None).await;
            assert_eq!(r.status, 404, "{who} {p}: {}", r.text);
            assert!(
                !r.text.contains("S0001") && !r.text.contains("김"),
                "{who} {p} leaks"
            );
        }
        let r = app
            .call(
                "POST",
                "/api/v1/kin/imports",
                who,
                Some(upload("request", "csv", "skip", SOUTH)),
            )
            .await;
        assert_eq!(r.status, 404, "{who} import");
    }
    // Signed out: sign in first (API 401, pages redirect).
    assert_eq!(
        app.call("GET", "/api/v1/kin", "public", None).await.status,
        401
    );
    assert_eq!(app.call("GET", "/kin", "public", None).await.status, 303);
    // KP's focal point works in KP's own registry only (KP participates here): KR's
    // requests are not in it.
    let kp = app.call("GET", "/api/v1/kin", "kp.redcross", None).await;
    assert_eq!(kp.status, 200);
    assert_eq!(
        (kp.json["party"].as_str(), kp.json["requests"].as_i64()),
        (Some("KP"), Some(0))
    );
    let recs = app
        .call(
            "GET",
            "/api/v1/kin/records?kind=request",
            "kp.redcross",
            None,
        )
        .await;
    assert_eq!(recs.json.as_array().unwrap().len(), 0);
    // The navigation shows the registry to the focal point only.
    assert!(
        app.call("GET", "/", "kr.redcross", None)
            .await
            .text
            .contains("href=\"/kin\"")
    );
    assert!(
        !app.call("GET", "/", "kr.delegate", None)
            .await
            .text
            .contains("href=\"/kin\"")
    );
}

/// method, route, path, body, expected status per role.
type MatrixRow = (&'static str, &'static str, String, Option<Value>, [u16; 8]);

/// The kin rows of the access matrix (roles in [`ROLES`] order). KP does not participate
/// in the matrix's fixture, so the exchange is closed (403 for the focal point).
pub fn matrix_rows() -> Vec<MatrixRow> {
    let fp = |ok: u16| [401, 404, 404, 404, 404, 404, ok, 404];
    vec![
        ("GET", "/api/v1/kin", "/api/v1/kin".into(), None, fp(200)),
        (
            "GET",
            "/api/v1/kin/records",
            "/api/v1/kin/records?kind=request".into(),
            None,
            fp(200),
        ),
        (
            "POST",
            "/api/v1/kin/imports",
            "/api/v1/kin/imports".into(),
            Some(upload(
                "request",
                "csv",
                "refuse",
                "request_id,sought_name\nM1,김철수\n",
            )),
            fp(201),
        ),
        (
            "POST",
            "/api/v1/kin/records",
            "/api/v1/kin/records".into(),
            Some(
                json!({"kind": "request", "fields": {"request_id": "R1", "sought_name": "김철수"}}),
            ),
            fp(201),
        ),
        (
            "GET",
            "/api/v1/kin/runs",
            "/api/v1/kin/runs".into(),
            None,
            fp(200),
        ),
        (
            "POST",
            "/api/v1/kin/runs",
            "/api/v1/kin/runs".into(),
            None,
            fp(422),
        ),
        (
            "GET",
            "/api/v1/kin/runs/{id}",
            "/api/v1/kin/runs/1".into(),
            None,
            fp(404),
        ),
        (
            "GET",
            "/api/v1/kin/candidates",
            "/api/v1/kin/candidates".into(),
            None,
            fp(200),
        ),
        (
            "GET",
            "/api/v1/kin/candidates/{id}",
            "/api/v1/kin/candidates/1".into(),
            None,
            fp(404),
        ),
        (
            "POST",
            "/api/v1/kin/candidates/{id}/decision",
            "/api/v1/kin/candidates/1/decision".into(),
            Some(json!({"decision": "accept"})),
            fp(404),
        ),
        (
            "POST",
            "/api/v1/kin/candidates/{id}/reply",
            "/api/v1/kin/candidates/1/reply".into(),
            Some(json!({"reply": "alive"})),
            fp(404),
        ),
        (
            "POST",
            "/api/v1/kin/exports",
            "/api/v1/kin/exports".into(),
            None,
            fp(403),
        ),
        (
            "GET",
            "/api/v1/kin/draws",
            "/api/v1/kin/draws".into(),
            None,
            fp(200),
        ),
        (
            "POST",
            "/api/v1/kin/draws",
            "/api/v1/kin/draws".into(),
            Some(json!({"title": "Round", "count": 1,
                "eligible": "applicant_id,birth_year,relationship\nA1,1930,mother\n"})),
            fp(201),
        ),
        (
            "GET",
            "/api/v1/kin/draws/{id}",
            "/api/v1/kin/draws/999".into(),
            None,
            fp(404),
        ),
    ]
}
