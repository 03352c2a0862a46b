//! The notification pages at router level: calendar (list and month), a notification with
//! its acknowledgements, the generated form and its draft endpoint, the compliance page.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use rsm_store::{AccountStore, Attribution};
use rsm_web::auth::secret_digest;
use serde_json::json;

use crate::{
    Reply, TestApp,
    notifications::{exercise, send, setup},
};

async fn session(app: &TestApp, who: &str) -> String {
    app.store
        .create_session(
            &secret_digest(&format!("sess-{who}")),
            app.ids[who],
            &format!("csrf-{who}"),
            "2026-03-09T03:00:00Z".parse().unwrap(),
            &Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
    format!("rsm_session=sess-{who}")
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> Reply {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn calendar_notification_form_and_compliance_pages() {
    let app = TestApp::new().await;
    setup(&app).await;
    let r = send(
        &app,
        "kr.delegate",
        "KR",
        "military-activity",
        &exercise("2026-05-01T06:00", "2026-05-05T18:00", 12000),
        "",
    )
    .await;
    let i = r.json["index"].as_u64().unwrap();
    send(
        &app,
        "jp.delegate",
        "JP",
        "notification-ack",
        &json!({"of": i.to_string()}),
        &format!("ack {i}"),
    )
    .await;
    let jp = session(&app, "jp.delegate").await;
    let kr = session(&app, "kr.delegate").await;

    let list = get(&app, "/notifications", &jp).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.text.contains(&format!("href=\"/notifications/{i}\"")));
    let month = get(
        &app,
        "/notifications?view=month&month=2026-05&party=KR",
        &jp,
    )
    .await;
    assert_eq!(month.status, StatusCode::OK);
    assert!(month.text.contains("class=\"chip\""), "{}", month.text);
    // The week view: Monday 27 April to Sunday 3 May holds the exercise starting on 1 May;
    // the week after does not.
    let week = get(
        &app,
        "/notifications?view=week&week=2026-04-29&party=KR",
        &jp,
    )
    .await;
    assert_eq!(week.status, StatusCode::OK);
    assert!(
        week.text.contains("2026-04-27"),
        "the week starts on Monday"
    );
    assert!(
        week.text
            .contains(&format!("class=\"chip\" href=\"/notifications/{i}\""))
    );
    let later = get(&app, "/notifications?view=week&week=2026-05-04", &jp).await;
    assert!(
        !later
            .text
            .contains(&format!("class=\"chip\" href=\"/notifications/{i}\""))
    );
    let none = get(&app, "/notifications?party=CN", &jp).await;
    assert!(!none.text.contains(&format!("/notifications/{i}\"")));

    let page = get(&app, &format!("/notifications/{i}"), &kr).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("id=\"acks\""));
    assert!(page.text.contains("JP"));
    assert!(
        !page.text.contains("id=\"ack-form\""),
        "the sender does not acknowledge"
    );
    let us = get(&app, &format!("/notifications/{i}"), &jp).await;
    assert!(
        !us.text.contains("id=\"ack-form\""),
        "JP acknowledged already"
    );
    let missing = get(&app, "/notifications/999", &jp).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let form = get(&app, "/notifications/new?type=launch-pre", &kr).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("name=\"f.launch_window.start\""));
    assert!(form.text.contains("id=\"key-file\""));
    assert!(
        !form.text.contains("name=\"key"),
        "the key input has no name"
    );
    // Not a delegate: no form.
    let officer = session(&app, "officer").await;
    assert_eq!(
        get(&app, "/notifications/new", &officer).await.status,
        StatusCode::FORBIDDEN
    );

    // The draft: JSON for the script, the errors fragment for htmx.
    let body = "csrf=csrf-kr.delegate&type=military-activity&f.troops=-5&f.parties_involved=KR&f.parties_involved=JP";
    let req = |accept: &str| {
        Request::builder()
            .method("POST")
            .uri("/notifications/draft")
            .header(header::COOKIE, &kr)
            .header(header::ACCEPT, accept)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let j = app.send(req("application/json")).await;
    assert_eq!(j.status, StatusCode::OK, "{}", j.text);
    assert_eq!(j.json["valid"], false);
    let content: serde_json::Value =
        serde_json::from_str(j.json["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["troops"], -5);
    assert_eq!(content["parties_involved"], json!(["KR", "JP"]));
    let h = app.send(req("text/html")).await;
    assert!(
        h.text.contains("troops") && h.text.contains("alert"),
        "{}",
        h.text
    );
    // Without the CSRF field: refused, nothing computed.
    let bad = Request::builder()
        .method("POST")
        .uri("/notifications/draft")
        .header(header::COOKIE, &kr)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("type=military-activity"))
        .unwrap();
    assert_eq!(app.send(bad).await.status, StatusCode::FORBIDDEN);

    let c = get(&app, "/compliance?year=2026", &jp).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert!(c.text.contains("<svg class=\"chart\""));
    assert!(c.text.contains("c-on_time"));
    assert!(c.text.contains("/api/v1/compliance.csv?year=2026"));

    // The iCalendar feed: the token in the address, only what its account may see.
    let feed = |t: &str| {
        Request::builder()
            .uri(format!("/notifications.ics?token={t}"))
            .body(Body::empty())
            .unwrap()
    };
    let ics = app.send(feed("tok-jp.delegate")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(
        ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(ics.text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.text.contains(&format!("UID:rsm-notification-{i}\r\n")));
    assert!(ics.text.contains("DTSTART;VALUE=DATE:20260501"));
    assert!(ics.text.lines().all(|l| l.len() <= 76), "folded");
    assert_eq!(
        app.send(feed("nope")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let anon = app
        .send(
            Request::builder()
                .uri("/notifications.ics")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);

    // The map: the region's coastlines and the notified area, linked.
    let map = get(&app, "/notifications/map?party=KR", &jp).await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.text);
    assert!(
        map.text
            .contains("<path class=\"land\" aria-hidden=\"true\" d=\"M")
    );
    assert!(
        map.text
            .contains(&format!("<a href=\"/notifications/{i}\" aria-label="))
    );
    assert!(map.text.contains("<ellipse class=\"area p-KR\""));
}
