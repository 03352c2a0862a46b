//! Humanitarian case referral over the API and the pages: life cycles between two parties'
//! focal points (a decline, a closure, a withdrawal), need-to-know (the receiving side sees
//! only the referred fields; everyone but the two focal points gets 404), audited reads,
//! refused input that stores nothing, and the optional commitment in the log.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use rsm_core::{access::Role, party::PartyCode};
use rsm_store::{
    AccountStore, Attribution, AuditFilter, AuditStore, CaseStore, LedgerStore, NewAccount,
    TokenScope,
};
use rsm_web::auth::secret_digest;
use serde_json::{Value, json};

use crate::{Reply, TestApp};

/// Adds a focal point (or any role) with token `tok-<name>` and session `sess-<name>`
/// (CSRF `csrf-<name>`).
pub async fn add_account(app: &TestApp, name: &str, role: Role) -> i64 {
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    let account = app
        .store
        .create_account(
            &NewAccount {
                username: name.into(),
                display_name: name.into(),
                role,
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
    app.store
        .create_session(
            &secret_digest(&format!("sess-{name}")),
            account.id,
            &format!("csrf-{name}"),
            "2026-12-31T00:00:00Z".parse().unwrap(),
            &who,
        )
        .await
        .unwrap();
    account.id
}

/// A valid trafficking-victim referral from KR to `to` with the person's consent.
/// Refers `n` cases from KR's focal point to `to`; their ids.
pub async fn refer_many(app: &TestApp, to: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let r = app
            .call("POST", "/api/v1/cases", "kr.redcross", Some(referral(to)))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json["id"].as_i64().unwrap());
    }
    ids
}

pub fn referral(to: &str) -> Value {
    json!({
        "type": "trafficking-victim",
        "receiving_party": to,
        "fields": {
            "given_name": "Synthetic", "family_name": "Test-Person",
            "sex": "female", "age_group": "adult", "nationality": "VN",
            "date_identified": "2026-02-27", "exploitation": "labour",
            "immediate_need": "shelter", "internal_reference": "KR-TV-SECRET-17",
            "identified_by": "Synthetic border unit 4"
        },
        "consent": {"recorded_by": "Caseworker Synthetic-Kim", "recorded_on": "2026-03-01", "scope": "referral"}
    })
}

/// The access matrix's case: kr.redcross refers case 1 to JP.
pub async fn seed(app: &TestApp) {
    let r = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

/// The access matrix's rows for the case routes (roles in `ROLES` order: public, admin,
/// officer, kr.delegate, jp.delegate, ru.auditor, kr.redcross, cn.energy). Case 1 is KR's
/// referral to JP: only kr.redcross (KR's focal point) knows it exists.
#[allow(clippy::type_complexity)]
pub fn matrix_rows() -> Vec<(&'static str, &'static str, String, Option<Value>, [u16; 8])> {
    const ONLY_KR: [u16; 8] = [401, 404, 404, 404, 404, 404, 200, 404];
    vec![
        (
            "GET",
            "/api/v1/referral-types",
            "/api/v1/referral-types".into(),
            None,
            [200; 8],
        ),
        (
            "GET",
            "/api/v1/cases",
            "/api/v1/cases".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/cases",
            "/api/v1/cases".into(),
            Some(referral("CN")),
            [401, 403, 403, 403, 403, 403, 201, 403],
        ),
        (
            "GET",
            "/api/v1/cases/{id}",
            "/api/v1/cases/1".into(),
            None,
            ONLY_KR,
        ),
        (
            "POST",
            "/api/v1/cases/{id}/steps",
            "/api/v1/cases/1/steps".into(),
            Some(
                json!({"step": "withdraw", "reason": "The person withdrew consent", "expected_revision": 1}),
            ),
            ONLY_KR,
        ),
    ]
}

#[tokio::test]
async fn the_day_of_referral_is_the_caseworkers_own() {
    let app = two_focal_points().await;
    let seoul = add_account(&app, "kr.focal.seoul", Role::FocalPoint(PartyCode::KR)).await;
    let who = Attribution::host_cli("2026-03-01T00:00:00Z".parse().unwrap());
    app.store
        .set_preferences(seoul, "ko", "Asia/Seoul", &who)
        .await
        .unwrap();
    // 23:30 UTC on 1 March is 08:30 on 2 March in Seoul.
    app.clock.set("2026-03-01T23:30:00Z".parse().unwrap());
    let mut r = referral("JP");
    r["fields"]["date_identified"] = json!("2026-03-02");
    r["consent"]["recorded_on"] = json!("2026-03-02");
    let utc = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(r.clone()))
        .await;
    assert_eq!(
        utc.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "still 1 March in UTC"
    );
    let seoul = app
        .call("POST", "/api/v1/cases", "kr.focal.seoul", Some(r))
        .await;
    assert_eq!(seoul.status, StatusCode::CREATED, "{}", seoul.text);
}

async fn two_focal_points() -> TestApp {
    let app = TestApp::new().await;
    add_account(&app, "jp.focal", Role::FocalPoint(PartyCode::JP)).await;
    add_account(&app, "cn.focal", Role::FocalPoint(PartyCode::CN)).await;
    app
}

async fn step(app: &TestApp, who: &str, id: i64, body: Value) -> Reply {
    app.call(
        "POST",
        &format!("/api/v1/cases/{id}/steps"),
        who,
        Some(body),
    )
    .await
}

async fn case_reads(app: &TestApp, id: i64) -> Vec<String> {
    app.store
        .list_audit(&AuditFilter {
            action: Some("case.read".into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.target == format!("case:{id}"))
        .map(|e| e.actor)
        .collect()
}

#[tokio::test]
async fn a_referral_is_accepted_worked_on_and_closed() {
    let app = two_focal_points().await;
    let opened = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let id = opened.json["id"].as_i64().unwrap();

    // JP's focal point finds it in its list, with the answer due in two days.
    let list = app.call("GET", "/api/v1/cases", "jp.focal", None).await;
    assert_eq!(list.json.as_array().unwrap().len(), 1);
    let item = &list.json[0];
    assert_eq!(item["status"], "referred");
    assert_eq!(item["my_side"], "receiving");
    assert_eq!(item["deadline"]["kind"], "response");
    assert_eq!(item["deadline"]["due"], "2026-03-04T03:00:00Z");
    assert_eq!(item["deadline"]["urgency"], "due-soon");
    assert_eq!(item["allowed_steps"], json!(["accept", "decline"]));
    assert!(
        !list.text.contains("Synthetic"),
        "a list holds nothing personal"
    );

    // Three days on, the answer is overdue.
    app.clock.set("2026-03-05T03:00:00Z".parse().unwrap());
    let list = app.call("GET", "/api/v1/cases", "kr.redcross", None).await;
    assert_eq!(list.json[0]["deadline"]["urgency"], "overdue");
    assert_eq!(list.json[0]["allowed_steps"], json!(["withdraw"]));

    // The referring side may not answer its own referral.
    let r = step(
        &app,
        "kr.redcross",
        id,
        json!({"step": "accept", "expected_revision": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "accept", "expected_revision": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["revision"], 2);
    // A stale revision is a conflict.
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "progress", "note": "x", "expected_revision": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "progress", "note": "", "expected_revision": 2}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json["field"], "note");
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "progress", "note": "Shelter place found", "expected_revision": 2}),
    )
    .await;
    assert_eq!(r.json["status"], "in-progress", "{}", r.text);
    let list = app.call("GET", "/api/v1/cases", "jp.focal", None).await;
    assert_eq!(list.json[0]["deadline"]["kind"], "follow-up");
    assert_eq!(list.json[0]["deadline"]["due"], "2026-03-19T03:00:00Z");
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "close", "outcome": "resettled", "expected_revision": 3}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json["field"], "outcome");
    let r = step(&app, "jp.focal", id, json!({"step": "close", "outcome": "reunited-with-family", "note": "with her sister", "expected_revision": 3})).await;
    assert_eq!(r.json["status"], "closed", "{}", r.text);

    let seen = app
        .call("GET", &format!("/api/v1/cases/{id}"), "kr.redcross", None)
        .await;
    assert_eq!(seen.json["status"], "closed");
    assert_eq!(seen.json["outcome"], "reunited-with-family");
    assert!(seen.json["deadline"].is_null());
    let kinds: Vec<&str> = seen.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["refer", "accept", "progress", "close"]);
    // The yearly report's view of it.
    let facts = app
        .store
        .case_facts(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 12, 31),
        )
        .await
        .unwrap();
    assert_eq!(
        facts[0].outcome.as_deref(),
        Some("closed:reunited-with-family")
    );
}

#[tokio::test]
async fn a_referral_is_declined_with_a_reason_and_then_is_over() {
    let app = two_focal_points().await;
    let id = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "decline", "expected_revision": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (r.json["field"].as_str(), r.json["rule"].as_str()),
        (Some("reason"), Some("give the reason for declining"))
    );
    let r = step(&app, "jp.focal", id, json!({"step": "decline", "reason": "No shelter capacity this month", "expected_revision": 1})).await;
    assert_eq!(r.json["status"], "declined", "{}", r.text);
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "accept", "expected_revision": 2}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a declined case is over: {}",
        r.text
    );
    let r = step(
        &app,
        "kr.redcross",
        id,
        json!({"step": "withdraw", "reason": "x", "expected_revision": 2}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let seen = app
        .call("GET", &format!("/api/v1/cases/{id}"), "kr.redcross", None)
        .await;
    assert_eq!(
        seen.json["history"][1]["text"],
        "No shelter capacity this month"
    );
    assert_eq!(seen.json["allowed_steps"], json!([]));
}

#[tokio::test]
async fn the_referring_side_withdraws_when_consent_is_withdrawn() {
    let app = two_focal_points().await;
    let id = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let r = step(
        &app,
        "jp.focal",
        id,
        json!({"step": "withdraw", "reason": "x", "expected_revision": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = step(&app, "kr.redcross", id, json!({"step": "withdraw", "reason": "The person withdrew consent", "expected_revision": 1})).await;
    assert_eq!(r.json["status"], "withdrawn", "{}", r.text);
}

#[tokio::test]
async fn the_receiving_side_sees_only_the_referred_fields_and_every_read_is_audited() {
    let app = two_focal_points().await;
    let id = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    assert!(
        case_reads(&app, id).await.is_empty(),
        "opening is not reading"
    );

    let jp = app
        .call("GET", &format!("/api/v1/cases/{id}"), "jp.focal", None)
        .await;
    assert_eq!(jp.status, StatusCode::OK);
    let fields = jp.json["fields"].as_object().unwrap();
    assert_eq!(fields["given_name"], "Synthetic");
    assert!(!fields.contains_key("internal_reference"));
    assert!(!fields.contains_key("identified_by"));
    assert!(!jp.text.contains("KR-TV-SECRET-17") && !jp.text.contains("border unit"));
    assert_eq!(jp.json["basis"]["kind"], "consent");
    assert_eq!(jp.json["basis"]["scope"], "referral");
    assert!(jp.json["basis"].get("recorded_by").is_none());
    assert!(!jp.text.contains("Synthetic-Kim"));

    let kr = app
        .call("GET", &format!("/api/v1/cases/{id}"), "kr.redcross", None)
        .await;
    assert_eq!(kr.json["fields"]["internal_reference"], "KR-TV-SECRET-17");
    assert_eq!(kr.json["basis"]["recorded_by"], "Caseworker Synthetic-Kim");

    // The same on the pages.
    kr_session(&app).await;
    let page = page_get(&app, &format!("/cases/{id}"), "jp.focal").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Test-Person"));
    for hidden in ["KR-TV-SECRET-17", "border unit", "Synthetic-Kim"] {
        assert!(
            !page.text.contains(hidden),
            "{hidden} on the receiving side's page"
        );
    }
    let page = page_get(&app, &format!("/cases/{id}"), "kr.redcross").await;
    assert!(page.text.contains("KR-TV-SECRET-17"));

    assert_eq!(
        case_reads(&app, id).await,
        ["kr.redcross", "jp.focal", "kr.redcross", "jp.focal"]
    );
}

/// A session for the matrix's kr.redcross (cookie `sess-kr.redcross`).
async fn kr_session(app: &TestApp) {
    app.store
        .create_session(
            &secret_digest("sess-kr.redcross"),
            app.ids["kr.redcross"],
            "csrf-kr.redcross",
            "2026-12-31T00:00:00Z".parse().unwrap(),
            &Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_pages_refer_accept_and_remind() {
    let app = two_focal_points().await;
    kr_session(&app).await;
    let form = page_get(&app, "/cases/new?type=refugee-assistance", "kr.redcross").await;
    assert_eq!(form.status, StatusCode::OK);
    for input in [
        "f.household_size",
        "f.need",
        "recorded_by",
        "legal_basis",
        "receiving_party",
    ] {
        assert!(form.text.contains(&format!("name=\"{input}\"")), "{input}");
    }
    assert!(
        !form.text.contains("value=\"KP\""),
        "KP does not participate"
    );
    let fields = "type=refugee-assistance&receiving_party=JP&f.given_name=Synthetic&f.family_name=Refugee-Two\
        &f.nationality=MM&f.household_size=4&f.current_location=Synthetic+camp&f.need=shelter&f.vulnerability=none";
    // No consent recorded: refused next to the field, nothing stored.
    let r = page_post(
        &app,
        "/cases",
        "kr.redcross",
        &format!("{fields}&basis=consent&recorded_by=&recorded_on=&scope=referral"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("id=\"c-on-error\""), "{}", r.text);
    assert!(
        r.text.contains("Refugee-Two"),
        "the form keeps what was typed"
    );
    assert!(app.store.all_cases().await.unwrap().is_empty());
    let r = page_post(&app, "/cases", "kr.redcross", &format!("{fields}&basis=consent&recorded_by=Caseworker+Synthetic&recorded_on=2026-03-01&scope=referral")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    assert!(at.starts_with("/cases/"));

    let dash = page_get(&app, "/", "jp.focal").await;
    assert!(
        !dash.text.contains(&format!("href=\"{at}\"")),
        "five days to answer: not yet due soon"
    );
    app.clock.set("2026-03-06T04:00:00Z".parse().unwrap());
    let dash = page_get(&app, "/", "jp.focal").await;
    assert!(
        dash.text.contains(&format!("href=\"{at}\"")),
        "the dashboard reminds of the answer due"
    );
    assert!(
        dash.text
            .contains("Due soon: Refugee in need of assistance (KR → JP)")
    );
    let list = page_get(&app, "/cases", "jp.focal").await;
    assert!(list.text.contains("urgency-due-soon"));
    let id = at.trim_start_matches("/cases/");
    let r = page_post(
        &app,
        &format!("/cases/{id}/steps"),
        "jp.focal",
        "step=accept&expected_revision=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = page_get(&app, &at, "jp.focal").await;
    assert!(page.text.contains("case-accepted") && page.text.contains("id=\"case-progress\""));
    // A stale form is told so, and changes nothing.
    let r = page_post(
        &app,
        &format!("/cases/{id}/steps"),
        "jp.focal",
        "step=accept&expected_revision=1",
    )
    .await;
    assert!(r.text.contains("id=\"case-error\""), "{}", r.text);
    // The referring side is not offered the receiving side's steps.
    let page = page_get(&app, &at, "kr.redcross").await;
    assert!(
        !page.text.contains("id=\"case-progress\"") && page.text.contains("id=\"case-withdraw\"")
    );
}

async fn page_get(app: &TestApp, path: &str, who: &str) -> Reply {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("rsm_session=sess-{who}"))
        .body(Body::empty())
        .unwrap();
    app.send(req).await
}

async fn page_post(app: &TestApp, path: &str, who: &str, form: &str) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, format!("rsm_session=sess-{who}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf=csrf-{who}&{form}")))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn nobody_else_sees_a_case_not_even_that_it_exists() {
    let app = two_focal_points().await;
    for (name, role) in [
        ("kr.delegate2", Role::Delegate(PartyCode::KR)),
        ("admin2", Role::SecretariatAdmin),
    ] {
        add_account(&app, name, role).await;
    }
    let id = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let missing = app.call("GET", "/api/v1/cases/999", "cn.focal", None).await;
    for who in [
        "cn.focal",
        "kr.delegate",
        "jp.delegate",
        "ru.auditor",
        "cn.energy",
        "admin",
        "officer",
    ] {
        let r = app
            .call("GET", &format!("/api/v1/cases/{id}"), who, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(r.text, missing.text, "{who}: same answer as a missing case");
        let list = app.call("GET", "/api/v1/cases", who, None).await;
        assert_eq!(list.json, json!([]), "{who}");
        let s = step(
            &app,
            who,
            id,
            json!({"step": "accept", "expected_revision": 1}),
        )
        .await;
        assert_eq!(s.status, StatusCode::NOT_FOUND, "{who}");
    }
    for who in ["cn.focal", "kr.delegate2", "admin2"] {
        let page = page_get(&app, &format!("/cases/{id}"), who).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{who}");
        let list = page_get(&app, "/cases", who).await;
        assert!(
            !list.text.contains("trafficking") && !list.text.contains(&format!("/cases/{id}")),
            "{who}"
        );
    }
    assert_eq!(
        app.call("GET", &format!("/api/v1/cases/{id}"), "public", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        case_reads(&app, id).await.is_empty(),
        "refused reads read nothing"
    );
    // Only a focal point refers, for its own party.
    for who in ["kr.delegate", "admin", "ru.auditor"] {
        let r = app
            .call("POST", "/api/v1/cases", who, Some(referral("JP")))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.text);
    }
}

#[tokio::test]
async fn bad_referrals_are_refused_field_by_field_and_store_nothing() {
    let app = two_focal_points().await;
    let mut no_consent = referral("JP");
    no_consent.as_object_mut().unwrap().remove("consent");
    let r = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(no_consent))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.json["field"], "consent");
    assert_eq!(r.json["rule"], "consent_or_legal_basis");

    let mut bad = referral("KP");
    bad["fields"]["religion"] = json!("x");
    bad["fields"]["nationality"] = json!("Viet Nam");
    let r = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(bad))
        .await;
    let errors: Vec<(String, String)> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("receiving_party".to_owned(), "not_participating".to_owned()),
            ("fields.nationality".to_owned(), "not_a_country".to_owned()),
            ("fields.religion".to_owned(), "unknown_field".to_owned()),
        ]
    );
    assert!(r.json["detail"].as_str().unwrap().contains("KP is invited"));

    let mut both = referral("JP");
    both["legal_basis"] = json!({"basis": "vital-interest", "explanation": "unconscious"});
    let r = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(both))
        .await;
    assert_eq!(r.json["field"], "legal_basis");
    let mut legal = referral("JP");
    legal.as_object_mut().unwrap().remove("consent");
    legal["legal_basis"] = json!({"basis": "convenience", "explanation": "x"});
    let r = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(legal))
        .await;
    assert_eq!(r.json["field"], "legal_basis.basis");
    let r = app
        .call(
            "POST",
            "/api/v1/cases",
            "kr.redcross",
            Some(json!({"type": "trafficking-victim"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

    assert!(
        app.store.all_cases().await.unwrap().is_empty(),
        "nothing stored"
    );
    let r = app
        .call("GET", "/api/v1/referral-types", "public", None)
        .await;
    assert_eq!(r.json["types"].as_array().unwrap().len(), 3);
    assert_eq!(r.json["legal_bases"][0], "vital-interest");
}

#[tokio::test]
async fn a_commitment_enters_the_log_only_when_asked_and_carries_nothing_personal() {
    let app = two_focal_points().await;
    let before = app.store.log_size().await.unwrap();
    let plain = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(referral("JP")))
        .await;
    assert!(plain.json["log_index"].is_null());
    assert_eq!(app.store.log_size().await.unwrap(), before);
    let mut r = referral("CN");
    r["commit_to_log"] = json!(true);
    let committed = app
        .call("POST", "/api/v1/cases", "kr.redcross", Some(r))
        .await;
    assert_eq!(committed.status, StatusCode::CREATED, "{}", committed.text);
    let index = committed.json["log_index"].as_i64().unwrap();
    assert_eq!(app.store.log_size().await.unwrap(), before + 1);
    let entry = app.store.log_entry(index as u64).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&entry.bytes);
    assert!(text.contains("case.referred"));
    for personal in ["Synthetic", "Test-Person", "VN", "KR-TV"] {
        assert!(!text.contains(personal), "{personal} in the log entry");
    }
    let c = committed.json["commitment"].as_str().unwrap();
    assert!(
        text.contains(c)
            || entry
                .bytes
                .windows(32)
                .any(|w| rsm_ledger::hash::to_hex(w) == c)
    );
    // Whoever holds the case and its salt can prove the entry commits to this referral.
    let id = committed.json["id"].as_i64().unwrap();
    let head = app.store.case(id).await.unwrap().unwrap();
    assert_eq!(head.commitment.as_deref(), Some(c));
    assert_eq!(head.log_index, Some(index));
    let file = app
        .store
        .read_case_file(
            id,
            rsm_humanitarian::case::Side::Referring,
            &Attribution::host_cli(head.referred_at),
        )
        .await
        .unwrap()
        .unwrap();
    let text = rsm_web::api::cases::canonical_referral(
        &head.type_id,
        head.referring,
        head.receiving,
        head.referred_at,
        &file.fields,
        &file.basis,
    );
    let parsed: Value = serde_json::from_str(&text).expect("the canonical text is JSON");
    assert_eq!(parsed["fields"]["family_name"], "Test-Person");
    let salt: [u8; 32] = rsm_ledger::hash::from_hex(head.salt.as_deref().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let commitment = rsm_ledger::Hash::from_hex(c).unwrap();
    assert!(rsm_ledger::verify_salted(
        &commitment,
        &salt,
        text.as_bytes()
    ));
    assert!(!rsm_ledger::verify_salted(
        &commitment,
        &salt,
        text.replace("Test-Person", "Other").as_bytes()
    ));
}
