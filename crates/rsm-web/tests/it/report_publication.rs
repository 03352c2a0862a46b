//! The published humanitarian report is frozen (the differencing attack finds nothing to
//! difference), drafts are the secretariat's alone, a year is published once, bad input is
//! named and stores nothing; aid reversals: who may reverse, bad input, once only, totals
//! net of reversals with the original still listed.

use rsm_core::{access::Role, party::PartyCode};
use serde_json::json;

use crate::{TestApp, aid::publish};

async fn report(app: &TestApp, year: i16, who: &str, csv: bool) -> crate::Reply {
    let q = if csv { "?format=csv" } else { "" };
    app.call(
        "GET",
        &format!("/api/v1/reports/humanitarian/{year}{q}"),
        who,
        None,
    )
    .await
}

fn usd_flow(donor: &str, date: &str, amount: &str) -> serde_json::Value {
    json!({"kind": "pledge", "donor": donor, "recipient": "UNHCR", "sector": "food",
        "date": date, "currency": "USD", "amount": amount})
}

#[tokio::test]
async fn a_published_report_does_not_change_when_cases_or_aid_are_recorded_after_it() {
    let app = TestApp::new().await;
    crate::cases::add_account(&app, "jp.focal", Role::FocalPoint(PartyCode::JP)).await;
    let ids = crate::cases::refer_many(&app, "JP", 7).await;
    let r = app
        .call(
            "POST",
            "/api/v1/aid",
            "kr.redcross",
            Some(usd_flow("KR", "2026-02-01", "1000.00")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let flow = r.json["id"].as_i64().unwrap();

    // Before publication: nobody reads it; the secretariat's draft is labelled.
    assert_eq!(report(&app, 2026, "jp.delegate", false).await.status, 404);
    app.clock.set("2027-01-10T03:00:00Z".parse().unwrap());
    let p = publish(&app, 2026, None).await;
    assert_eq!(p.status, 201, "{}", p.text);
    assert_eq!(p.json["cut_off"], "2027-01-10");
    let json_before = report(&app, 2026, "jp.delegate", false).await;
    let csv_before = report(&app, 2026, "ru.auditor", true).await;
    assert_eq!(json_before.status, 200, "{}", json_before.text);
    assert_eq!(json_before.json["status"], "published");
    // The log commits to exactly these bytes.
    assert_eq!(
        p.json["sha256"],
        rsm_ledger::sha256(json_before.text.as_bytes()).to_hex()
    );
    assert!(p.json["log_index"].is_u64(), "{}", p.text);
    assert_eq!(
        json_before.headers["etag"].to_str().unwrap(),
        format!("\"{}\"", p.json["sha256"].as_str().unwrap())
    );

    // After publication: two cases declined (outcomes shift), a flow of 2026 recorded late,
    // the early flow reversed. A recomputed report would differ in all three places.
    app.clock.set("2027-01-20T03:00:00Z".parse().unwrap());
    for id in &ids[..2] {
        let r = app
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/steps"),
                "jp.focal",
                Some(json!({"step": "decline", "reason": "No capacity", "expected_revision": 1})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = app
        .call(
            "POST",
            "/api/v1/aid",
            "kr.redcross",
            Some(usd_flow("KR", "2026-06-01", "7.00")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/aid/{flow}/reversal"),
            "kr.redcross",
            Some(json!({"reason": "entered in the wrong year"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let json_after = report(&app, 2026, "jp.delegate", false).await;
    let csv_after = report(&app, 2026, "ru.auditor", true).await;
    assert_eq!(
        json_after.text, json_before.text,
        "the JSON bytes are frozen"
    );
    assert_eq!(csv_after.text, csv_before.text, "the CSV bytes are frozen");
    let page_a = app
        .call("GET", "/reports/humanitarian/2026", "kr.delegate", None)
        .await;
    assert_eq!(page_a.status, 200, "{}", page_a.text);
    assert!(page_a.text.contains("2027-01-10"), "the cut-off is shown");

    // The draft (secretariat) does move: the freeze, not a lack of change, kept it still.
    let draft = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2026/draft",
            "officer",
            None,
        )
        .await;
    assert_eq!(draft.status, 200, "{}", draft.text);
    assert_eq!(draft.json["status"], "draft");
    let kr_food = |v: &serde_json::Value| {
        v["aid_by_sector"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["donor"] == "KR" && a["sector"] == "food")
            .unwrap()["pledged_usd_cents"]
            .clone()
    };
    assert_eq!(kr_food(&json_before.json), 100_000);
    assert_eq!(
        kr_food(&draft.json),
        700,
        "reversal netted, late flow counted"
    );
}

#[tokio::test]
async fn only_the_secretariat_sees_a_draft_and_publishes_once() {
    let app = TestApp::new().await;
    for who in [
        "kr.delegate",
        "jp.delegate",
        "ru.auditor",
        "kr.redcross",
        "cn.energy",
    ] {
        let r = app
            .call("GET", "/api/v1/reports/humanitarian/2025/draft", who, None)
            .await;
        assert_eq!(r.status, 404, "{who}: {}", r.text);
        let page = app
            .call("GET", "/reports/humanitarian/2025", who, None)
            .await;
        assert_eq!(page.status, 404, "{who}");
        assert!(!page.text.contains("Draft, not published"), "{who}");
        let r = publish_as(&app, who, 2025, json!({})).await;
        assert_eq!(r.status, 403, "{who}: {}", r.text);
    }
    assert_eq!(
        app.call(
            "GET",
            "/api/v1/reports/humanitarian/2025/draft",
            "public",
            None
        )
        .await
        .status,
        401
    );
    assert_eq!(
        publish_as(&app, "public", 2025, json!({})).await.status,
        401
    );
    assert_eq!(report(&app, 2025, "officer", false).await.status, 404);
    // This year's draft has no publish form: the year is not over.
    let page = app
        .call("GET", "/reports/humanitarian/2026", "officer", None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("The year is not over"), "{}", page.text);
    assert!(!page.text.contains("/publish\""));

    // Two publications at once: one lands, the other is refused.
    let (first, second) = tokio::join!(
        publish(&app, 2025, Some("2026-01-31")),
        publish(&app, 2025, Some("2026-01-31"))
    );
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", first.text, second.text);
    let bytes = report(&app, 2025, "jp.delegate", false).await.text;
    let again = publish(&app, 2025, Some("2026-02-28")).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.headers["content-type"], "application/problem+json");
    let after = report(&app, 2025, "jp.delegate", false).await;
    assert_eq!(
        after.text, bytes,
        "a refused re-publication changes nothing"
    );
    assert_eq!(after.json["as_of"], "2026-01-31");
}

async fn publish_as(app: &TestApp, who: &str, year: i16, body: serde_json::Value) -> crate::Reply {
    app.call(
        "POST",
        &format!("/api/v1/reports/humanitarian/{year}/publish"),
        who,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn bad_years_and_cut_offs_are_named_and_publish_nothing() {
    let app = TestApp::new().await; // today 2026-03-02
    for (year, body, field) in [
        ("20x6", json!({}), "year"),
        ("1800", json!({}), "year"),
        ("2026", json!({}), "year"),                           // not over
        ("2025", json!({"cut_off": "2025-12-31"}), "cut_off"), // before the year is over
        ("2025", json!({"cut_off": "2026-03-03"}), "cut_off"), // in the future
        ("2025", json!({"cut_off": "31/01/2026"}), "cut_off"),
    ] {
        let r = app
            .call(
                "POST",
                &format!("/api/v1/reports/humanitarian/{year}/publish"),
                "officer",
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, 422, "{year} {body}: {}", r.text);
        assert!(r.text.contains(field), "{year} {body}: {}", r.text);
    }
    let r = app
        .call(
            "POST",
            "/api/v1/reports/humanitarian/2025/publish",
            "officer",
            Some(json!({"cutoff": "2026-01-31"})),
        )
        .await;
    assert_eq!(r.status, 422, "unknown field: {}", r.text);
    for path in [
        "/api/v1/reports/humanitarian/20x6",
        "/api/v1/reports/humanitarian/20x6/draft",
    ] {
        let r = app.call("GET", path, "officer", None).await;
        assert_eq!(r.status, 422, "{path}: {}", r.text);
        assert!(r.text.contains("year"), "{}", r.text);
    }
    assert_eq!(report(&app, 2025, "officer", false).await.status, 404);
    assert_eq!(report(&app, 2026, "officer", false).await.status, 404);
}

/// The pledged total of the flow list and how many flows it lists.
async fn pledged(app: &TestApp) -> (i64, usize) {
    let r = app.call("GET", "/api/v1/aid", "jp.delegate", None).await;
    (
        r.json["totals"]["pledged_usd_cents"].as_i64().unwrap(),
        r.json["flows"].as_array().unwrap().len(),
    )
}

#[tokio::test]
async fn a_flow_is_reversed_once_by_its_donor_or_the_secretariat_and_nets_out() {
    let app = TestApp::new().await;
    crate::cases::add_account(&app, "jp.focal", Role::FocalPoint(PartyCode::JP)).await;
    let mut ids = Vec::new();
    for amount in ["1000.00", "250.00"] {
        let r = app
            .call(
                "POST",
                "/api/v1/aid",
                "kr.redcross",
                Some(usd_flow("KR", "2026-02-01", amount)),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json["id"].as_i64().unwrap());
    }
    assert_eq!(pledged(&app).await, (125_000, 2));
    let path = format!("/api/v1/aid/{}/reversal", ids[0]);
    let reason = json!({"reason": "recorded twice"});
    // The forbidden paths: nothing stored.
    assert_eq!(
        app.call("POST", &path, "public", Some(reason.clone()))
            .await
            .status,
        401
    );
    for who in ["jp.focal", "kr.delegate", "ru.auditor", "cn.energy"] {
        let r = app.call("POST", &path, who, Some(reason.clone())).await;
        assert_eq!(r.status, 403, "{who}: {}", r.text);
    }
    let r = app
        .call(
            "POST",
            "/api/v1/aid/99999/reversal",
            "officer",
            Some(reason.clone()),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    for bad in [
        json!({"reason": "  "}),
        json!({"reason": "x".repeat(501)}),
        json!({"reason": "a\u{0007}b"}),
    ] {
        let r = app.call("POST", &path, "kr.redcross", Some(bad)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains("reason"), "{}", r.text);
    }
    let r = app
        .call("POST", &path, "kr.redcross", Some(json!({"why": "x"})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(pledged(&app).await, (125_000, 2), "nothing stored");

    // The donor's focal point reverses; the flow stays listed, the totals net it out.
    let r = app
        .call("POST", &path, "kr.redcross", Some(reason.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["reversal"]["reason"], "recorded twice");
    assert_eq!(r.json["reversal"]["recorded_by"], "kr.redcross");
    assert_eq!(pledged(&app).await, (25_000, 2));
    let summary = app
        .call("GET", "/api/v1/aid/summary", "jp.delegate", None)
        .await;
    assert_eq!(summary.json["overall"]["pledged_usd_cents"], 25_000);
    assert_eq!(summary.json["overall"]["flows"], 1);
    let again = app
        .call("POST", &path, "officer", Some(reason.clone()))
        .await;
    assert_eq!(again.status, 409, "{}", again.text);

    // The secretariat reverses the other, through the page's form.
    let page = app.call("GET", "/aid?year=2026", "kr.redcross", None).await;
    assert!(
        page.text.contains("Reversed by kr.redcross"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!("action=\"/aid/{}/reversal\"", ids[1]))
    );
    assert!(
        !page
            .text
            .contains(&format!("action=\"/aid/{}/reversal\"", ids[0]))
    );
    let reader = app.call("GET", "/aid?year=2026", "jp.delegate", None).await;
    assert!(
        !reader.text.contains("/reversal\""),
        "a reader gets no form"
    );
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/aid/{}/reversal", ids[1]))
        .header(axum::http::header::AUTHORIZATION, "Bearer tok-officer")
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from("reason=pledge+withdrawn"))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(pledged(&app).await, (0, 2));
}
