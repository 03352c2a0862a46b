//! Aid tracking and the humanitarian report through the API and the pages: who may record
//! for which donor, every bad field and row named, nothing stored on a refusal, CSV round
//! trip, the conversion table, the report's suppression marks, and the access-matrix rows.

use axum::{
    body::Body,
    http::{Request, header},
};
use serde_json::{Value, json};

use crate::{Reply, TestApp};

/// One access-matrix row: method, documented route, path, body, expected statuses.
type Row = (&'static str, &'static str, String, Option<Value>, [u16; 8]);

/// The access-matrix rows of the aid routes: public, admin, officer, kr.delegate,
/// jp.delegate, ru.auditor, kr.redcross, cn.energy.
pub fn rows() -> Vec<Row> {
    const READ: [u16; 8] = [401, 200, 200, 200, 200, 200, 200, 200];
    let flow = json!({"kind": "pledge", "donor": "KR", "recipient": "UNHCR", "sector": "food",
        "date": "2026-02-01", "currency": "USD", "amount": "1000.00"});
    let rate = json!({"currency": "KRW", "effective": "2026-01-01", "units_per_usd": "1400",
        "source": "synthetic"});
    vec![
        ("GET", "/api/v1/aid", "/api/v1/aid".into(), None, READ),
        (
            "POST",
            "/api/v1/aid",
            "/api/v1/aid".into(),
            Some(flow),
            [401, 201, 201, 403, 403, 403, 201, 403],
        ),
        // An empty import: refused for its missing header by anyone signed in.
        (
            "POST",
            "/api/v1/aid/import",
            "/api/v1/aid/import".into(),
            None,
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        (
            "GET",
            "/api/v1/aid.csv",
            "/api/v1/aid.csv".into(),
            None,
            READ,
        ),
        (
            "GET",
            "/api/v1/aid/summary",
            "/api/v1/aid/summary?year=2026".into(),
            None,
            READ,
        ),
        (
            "GET",
            "/api/v1/aid/rates",
            "/api/v1/aid/rates".into(),
            None,
            READ,
        ),
        (
            "POST",
            "/api/v1/aid/rates",
            "/api/v1/aid/rates".into(),
            Some(rate),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        // Not published: 404 to everyone signed in, the secretariat included.
        (
            "GET",
            "/api/v1/reports/humanitarian/{year}",
            "/api/v1/reports/humanitarian/2025".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        // The draft: the secretariat only; concealed (404) from everyone else.
        (
            "GET",
            "/api/v1/reports/humanitarian/{year}/draft",
            "/api/v1/reports/humanitarian/2025/draft".into(),
            None,
            [401, 200, 200, 404, 404, 404, 404, 404],
        ),
        (
            "POST",
            "/api/v1/reports/humanitarian/{year}/publish",
            "/api/v1/reports/humanitarian/2025/publish".into(),
            Some(json!({})),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/aid/{id}/reversal",
            "/api/v1/aid/1/reversal".into(),
            Some(json!({"reason": "recorded twice"})),
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
    ]
}

/// Publishes `year`'s report as the secretariat, with the cut-off given (or today).
pub async fn publish(app: &TestApp, year: i16, cut_off: Option<&str>) -> Reply {
    let body = match cut_off {
        Some(d) => json!({ "cut_off": d }),
        None => json!({}),
    };
    app.call(
        "POST",
        &format!("/api/v1/reports/humanitarian/{year}/publish"),
        "officer",
        Some(body),
    )
    .await
}

async fn csv(app: &TestApp, who: &str, text: &str) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/aid/import")
        .header(header::AUTHORIZATION, format!("Bearer tok-{who}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(text.to_owned()))
        .unwrap();
    app.send(req).await
}

async fn form(app: &TestApp, who: &str, path: &str, body: &str) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer tok-{who}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(req).await
}

async fn count(app: &TestApp) -> usize {
    let r = app.call("GET", "/api/v1/aid", "officer", None).await;
    r.json["flows"].as_array().unwrap().len()
}

async fn with_rates(app: &TestApp) {
    for (c, d, r) in [
        ("KRW", "2025-01-01", "1385.20"),
        ("KRW", "2026-01-01", "1400"),
        ("JPY", "2025-01-01", "150"),
    ] {
        let reply = app
            .call(
                "POST",
                "/api/v1/aid/rates",
                "officer",
                Some(json!({"currency": c, "effective": d, "units_per_usd": r, "source": "synthetic"})),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

#[tokio::test]
async fn a_focal_point_records_its_own_partys_aid_and_nobody_elses() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    let flow = json!({"kind": "disbursement", "donor": "KR", "recipient": "KP", "sector": "health",
        "date": "2026-02-01", "currency": "KRW", "amount": "14000000", "description": "Vaccines"});
    let r = app
        .call("POST", "/api/v1/aid", "kr.redcross", Some(flow.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["amount"], "14000000");
    assert_eq!(r.json["usd_cents"], 1_000_000, "at 1400 won to the dollar");
    assert_eq!(r.json["recorded_by"], "kr.redcross");

    // Another party's donor: forbidden, nothing stored.
    let mut jp = flow.clone();
    jp["donor"] = json!("JP");
    jp["currency"] = json!("JPY");
    let r = app
        .call("POST", "/api/v1/aid", "kr.redcross", Some(jp.clone()))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("focal point of JP")
    );
    // A delegate of the donor party is not its focal point.
    let r = app
        .call("POST", "/api/v1/aid", "kr.delegate", Some(flow.clone()))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .call("POST", "/api/v1/aid", "public", Some(flow.clone()))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(count(&app).await, 1);

    // Readers: any signed-in account; the public signs in first.
    let list = app
        .call("GET", "/api/v1/aid?donor=KR&year=2026", "jp.delegate", None)
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["totals"]["disbursed_usd_cents"], 1_000_000);
    assert_eq!(
        app.call("GET", "/api/v1/aid", "public", None).await.status,
        401
    );
}

#[tokio::test]
async fn bad_input_names_every_field_and_stores_nothing() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    let bad = json!({"kind": "gift", "donor": "KR", "recipient": "", "sector": "education",
        "date": "2026-02-30", "currency": "XYZ", "amount": "-1"});
    let r = app
        .call("POST", "/api/v1/aid", "kr.redcross", Some(bad))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let fields: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["kind", "recipient", "sector", "date", "currency"],
        "{}",
        r.text
    );
    assert_eq!(r.json["field"], "kind");

    for (field, value, rule) in [
        ("amount", "-5", "must not be negative"),
        ("amount", "10.5", "KRW has 0 decimal places"),
        ("date", "1989-12-31", "between 1990-01-01 and 2100-12-31"),
        ("date", "2026-03-03", "cannot be after today"),
        ("currency", "RUB", "no rate for RUB"),
    ] {
        let mut f = json!({"kind": "disbursement", "donor": "KR", "recipient": "UNHCR", "sector": "food",
            "date": "2026-02-01", "currency": "KRW", "amount": "1000"});
        f[field] = json!(value);
        let r = app
            .call("POST", "/api/v1/aid", "kr.redcross", Some(f))
            .await;
        assert_eq!(r.status, 422, "{field}={value}: {}", r.text);
        assert!(r.text.contains(rule), "{field}={value}: {}", r.text);
    }
    // A float amount is refused by type: money is never a float.
    let r = app
        .call("POST", "/api/v1/aid", "kr.redcross", Some(json!({"kind": "pledge", "donor": "KR",
            "recipient": "UNHCR", "sector": "food", "date": "2026-02-01", "currency": "USD", "amount": 10.5})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(count(&app).await, 0);

    // Bad filters and years.
    assert_eq!(
        app.call("GET", "/api/v1/aid?sector=education", "officer", None)
            .await
            .status,
        422
    );
    assert_eq!(
        app.call("GET", "/api/v1/aid?year=1800", "officer", None)
            .await
            .status,
        422
    );
    let r = app
        .call("GET", "/api/v1/reports/humanitarian/20x6", "officer", None)
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("year"))
    );
    let r = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2026?format=xml",
            "officer",
            None,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (422, Some("format"))
    );
}

const GOOD: &str = "kind,donor,recipient,sector,date,currency,amount,description
pledge,KR,UNICEF,health,2025-03-01,KRW,27704000,Measles appeal
commitment,KR,UNICEF,health,2025-06-01,KRW,13852000,
disbursement,KR,UNICEF,health,2026-01-15,KRW,7000000,\"first tranche, paid\"
";

#[tokio::test]
async fn csv_import_is_all_or_nothing_and_export_reads_back() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    let bad = format!(
        "{GOOD}pledge,KR,UNICEF,education,2025-03-01,KRW,5,\npledge,KR,UNICEF,food,2025-03-01,KRW,-5,\n"
    );
    let r = csv(&app, "kr.redcross", &bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", r.text);
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["field"].as_str()),
        (Some(5), Some("sector"))
    );
    assert_eq!(
        (errors[1]["line"].as_u64(), errors[1]["field"].as_str()),
        (Some(6), Some("amount"))
    );
    assert_eq!(
        count(&app).await,
        0,
        "nothing of a refused import is stored"
    );

    // A row of another donor: the whole file is refused.
    let foreign = format!("{GOOD}pledge,JP,UNICEF,food,2025-03-01,JPY,500,\n");
    let r = csv(&app, "kr.redcross", &foreign).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(count(&app).await, 0);

    let r = csv(&app, "kr.redcross", GOOD).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["imported"], 3);
    let audit = app
        .call("GET", "/api/v1/audit?action=aid.record", "admin", None)
        .await;
    assert_eq!(
        audit.json.as_array().unwrap().len(),
        1,
        "one audit event for the import"
    );

    let export = app.call("GET", "/api/v1/aid.csv", "ru.auditor", None).await;
    assert_eq!(export.status, 200);
    assert!(
        export.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        export.text.contains("\"first tranche, paid\""),
        "{}",
        export.text
    );
    // The export imports back as the same flows (into a second mechanism).
    let other = TestApp::new().await;
    with_rates(&other).await;
    let r = csv(&other, "officer", &export.text).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let again = other.call("GET", "/api/v1/aid.csv", "officer", None).await;
    assert_eq!(again.text, export.text);

    // A file larger than the server's general body limit (64 KiB) still imports whole.
    let mut big = String::from("kind,donor,recipient,sector,date,currency,amount,description\n");
    for i in 0..2000 {
        big.push_str(&format!(
            "pledge,KR,WFP,food,2025-05-01,USD,{i}.50,bulk row {i:05}\n"
        ));
    }
    assert!(big.len() > 64 * 1024);
    let r = csv(&app, "kr.redcross", &big).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["imported"], 2000);
    assert_eq!(count(&app).await, 2003);

    let summary = app
        .call(
            "GET",
            "/api/v1/aid/summary?sector=health",
            "cn.energy",
            None,
        )
        .await;
    assert_eq!(summary.status, 200);
    let kr = &summary.json["by_donor"][0];
    assert_eq!(kr["donor"], "KR");
    // 27,704,000 won at 1385.20 = 20,000 dollars pledged; 7,000,000 at 1400 = 5,000 paid.
    assert_eq!(kr["pledged_usd_cents"], 2_000_000);
    assert_eq!(kr["disbursed_usd_cents"], 500_000);
    assert_eq!(kr["gap_usd_cents"], 1_500_000);
    assert_eq!(
        summary.json["by_sector_and_year"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn the_conversion_table_is_the_secretariats_and_refuses_bad_rates() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    let rate = |c: &str, d: &str, r: &str| json!({"currency": c, "effective": d, "units_per_usd": r, "source": "synthetic"});
    let dup = app
        .call(
            "POST",
            "/api/v1/aid/rates",
            "officer",
            Some(rate("KRW", "2026-01-01", "1")),
        )
        .await;
    assert_eq!(dup.status, 409, "{}", dup.text);
    for (body, field) in [
        (rate("ZZZ", "2026-01-01", "1"), "currency"),
        (rate("USD", "2026-01-01", "1"), "currency"),
        (rate("EUR", "2026-01-01", "-0.9"), "units_per_usd"),
        (rate("EUR", "2026-01-01", "0"), "units_per_usd"),
        (rate("EUR", "1900-01-01", "0.9"), "effective"),
        (
            rate("EUR", "2026-01-01", "0.9")
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "source")
                .map(|(k, v)| (k.clone(), v.clone()))
                .chain([("source".to_owned(), json!(" "))])
                .collect::<serde_json::Map<_, _>>()
                .into(),
            "source",
        ),
    ] {
        let r = app
            .call("POST", "/api/v1/aid/rates", "admin", Some(body))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (422, Some(field)),
            "{}",
            r.text
        );
    }
    let r = app
        .call(
            "POST",
            "/api/v1/aid/rates",
            "kr.redcross",
            Some(rate("EUR", "2026-01-01", "0.9")),
        )
        .await;
    assert_eq!(r.status, 403);
    let rates = app
        .call("GET", "/api/v1/aid/rates", "kr.delegate", None)
        .await;
    assert_eq!(rates.json.as_array().unwrap().len(), 3, "{}", rates.text);
    assert_eq!(
        rates.json[1]["units_per_usd"], "1385.20",
        "exact decimal as entered"
    );
}

#[tokio::test]
async fn the_report_publishes_aid_and_marks_what_it_withholds() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    assert_eq!(csv(&app, "kr.redcross", GOOD).await.status, 201);
    let p = publish(&app, 2025, None).await;
    assert_eq!(p.status, 201, "{}", p.text);
    let r = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2025",
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "published");
    assert_eq!(r.json["threshold"], 5);
    let kr_health = r.json["aid_by_sector"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["donor"] == "KR" && a["sector"] == "health")
        .unwrap()
        .clone();
    assert_eq!(kr_health["pledged_usd_cents"], 2_000_000);
    assert_eq!(kr_health["committed_usd_cents"], 1_000_000);
    // Medians over no resolved case are withheld, never zero.
    assert!(
        r.json["median_days_to_resolution"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["median_days"].is_null())
    );
    let c = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2025?format=csv",
            "jp.delegate",
            None,
        )
        .await;
    assert!(c.text.starts_with("table,row,column,value\n"), "{}", c.text);
    assert!(
        c.text
            .contains("median-days-to-resolution,KR,median,suppressed\n"),
        "{}",
        c.text
    );
    assert!(
        c.text
            .contains("aid-by-sector,KR,health:pledged-usd-cents,2000000\n"),
        "{}",
        c.text
    );
    assert_eq!(
        app.call("GET", "/api/v1/reports/humanitarian/2025", "public", None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_pages_draw_the_charts_and_refuse_like_the_api() {
    let app = TestApp::new().await;
    with_rates(&app).await;
    assert_eq!(csv(&app, "kr.redcross", GOOD).await.status, 201);
    let page = app
        .call("GET", "/aid?year=2025&stage=pledge", "kr.redcross", None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        page.text.matches("<svg").count(),
        3,
        "gap, sector × year, matrix"
    );
    assert!(
        page.text
            .contains("pledged 20,000 USD, disbursed 5,000 USD (25 %); gap 15,000 USD"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Measles appeal"));
    assert!(
        page.text.contains("action=\"/aid/import\""),
        "a focal point gets the forms"
    );
    let reader = app.call("GET", "/aid", "jp.delegate", None).await;
    assert_eq!(reader.status, 200);
    assert!(
        !reader.text.contains("action=\"/aid/import\""),
        "a delegate reads only"
    );
    let public = app.call("GET", "/aid", "public", None).await;
    assert_eq!(public.status, 303);
    assert!(
        public.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in")
    );

    // A form with a bad amount: the page names it, nothing stored.
    let before = count(&app).await;
    let r = form(&app, "kr.redcross", "/aid", "kind=pledge&donor=KR&recipient=WFP&sector=food&date=2026-01-02&currency=USD&amount=-3&description=").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("amount: must not be negative"),
        "{}",
        r.text
    );
    let r = form(&app, "kr.redcross", "/aid", "kind=pledge&donor=JP&recipient=WFP&sector=food&date=2026-01-02&currency=USD&amount=3&description=").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = form(
        &app,
        "kr.redcross",
        "/aid/import",
        "csv=kind%2Cdonor%0Apledge%2CKR",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = form(
        &app,
        "kr.redcross",
        "/aid/rates",
        "currency=EUR&effective=2026-01-01&units_per_usd=0.9&source=x",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(count(&app).await, before);
    let r = form(&app, "kr.redcross", "/aid", "kind=pledge&donor=KR&recipient=WFP&sector=food&date=2026-01-02&currency=USD&amount=3&description=").await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(count(&app).await, before + 1);

    // Before publication: 404 to a reader; the secretariat previews the draft, labelled.
    let unpublished = app
        .call("GET", "/reports/humanitarian/2025", "ru.auditor", None)
        .await;
    assert_eq!(unpublished.status, 404, "{}", unpublished.text);
    assert!(!unpublished.text.contains("20,000 / 0"));
    let draft = app
        .call("GET", "/reports/humanitarian/2025", "officer", None)
        .await;
    assert_eq!(draft.status, 200, "{}", draft.text);
    assert!(
        draft.text.contains("Draft, not published"),
        "{}",
        draft.text
    );
    assert!(
        draft
            .text
            .contains("action=\"/reports/humanitarian/2025/publish\"")
    );
    // A reader cannot publish through the form; a bad cut-off is named; then it publishes.
    let r = form(
        &app,
        "ru.auditor",
        "/reports/humanitarian/2025/publish",
        "cut_off=2026-03-01",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = form(
        &app,
        "officer",
        "/reports/humanitarian/2025/publish",
        "cut_off=2025-12-31",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("cut_off"), "{}", r.text);
    let r = form(
        &app,
        "officer",
        "/reports/humanitarian/2025/publish",
        "cut_off=2026-03-02",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let report = app
        .call("GET", "/reports/humanitarian/2025", "ru.auditor", None)
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert!(report.text.contains("Published report"), "{}", report.text);
    assert!(
        !report
            .text
            .contains("action=\"/reports/humanitarian/2025/publish\"")
    );
    assert!(
        report.text.contains("Small counts are withheld"),
        "{}",
        report.text
    );
    assert!(
        report.text.contains("20,000 / 0"),
        "KR's health pledges: {}",
        report.text
    );
    let bad = app
        .call("GET", "/reports/humanitarian/nineteen", "ru.auditor", None)
        .await;
    assert_eq!(bad.status, 422);
}

/// The case half of the report, from cases referred through the case API: counts by type
/// and outcome with small cells withheld (and their row totals, so they cannot be worked
/// out), a median only over five resolved cases, and nothing personal in either format.
#[tokio::test]
async fn the_report_counts_referred_cases_and_withholds_small_cells() {
    use rsm_core::{access::Role, party::PartyCode};
    let app = TestApp::new().await;
    crate::cases::add_account(&app, "jp.focal", Role::FocalPoint(PartyCode::JP)).await;
    let ids = crate::cases::refer_many(&app, "JP", 8).await;
    // Six declined a day later: declines are resolutions, one day each.
    app.clock.set("2026-03-03T03:00:00Z".parse().unwrap());
    for id in &ids[..6] {
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
    // The year over, the secretariat publishes with a cut-off in January.
    app.clock.set("2027-02-01T03:00:00Z".parse().unwrap());
    let p = publish(&app, 2026, Some("2027-01-31")).await;
    assert_eq!(p.status, 201, "{}", p.text);
    let r = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2026",
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["as_of"], "2027-01-31");
    let kinds = &r.json["cases_by_kind"];
    let kr = kinds["rows"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p == "KR")
        .unwrap();
    let col = kinds["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "trafficking-victim")
        .unwrap();
    assert_eq!(kinds["cells"][kr][col], 8, "{}", r.text);
    assert_eq!(kinds["total"], 8);
    let outcomes = &r.json["cases_by_outcome"];
    let col = |name: &str| {
        outcomes["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == name)
            .unwrap()
    };
    // Two open cases: withheld, and so is another number of KR's row — here its six
    // declines, since 8 − 6 would give the 2 away — and then the declines' column total,
    // which equals them. The shared total of 8 stays published.
    assert!(outcomes["cells"][kr][col("open")].is_null(), "{}", r.text);
    assert!(
        outcomes["cells"][kr][col("declined")].is_null(),
        "{}",
        r.text
    );
    assert!(
        outcomes["column_totals"][col("declined")].is_null(),
        "{}",
        r.text
    );
    assert_eq!(outcomes["row_totals"][kr], 8);
    let median = |row: &str| {
        r.json["median_days_to_resolution"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["row"] == row)
            .unwrap()["median_days"]
            .clone()
    };
    assert_eq!(median("KR"), json!("1"), "six resolved cases, one day each");
    assert!(median("JP").is_null());
    assert!(
        !r.text.contains("Synthetic"),
        "nothing personal in the report"
    );
    let csv = app
        .call(
            "GET",
            "/api/v1/reports/humanitarian/2026?format=csv",
            "ru.auditor",
            None,
        )
        .await;
    assert!(
        csv.text.contains("cases-by-outcome,KR,open,suppressed\n"),
        "{}",
        csv.text
    );
    assert!(!csv.text.contains("Synthetic"));
    let page = app
        .call("GET", "/reports/humanitarian/2026", "ru.auditor", None)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Trafficking victim identified"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("<td>suppressed</td>"),
        "withheld cells shown as suppressed: {}",
        page.text
    );
}
