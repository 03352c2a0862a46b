//! The secretariat's pages for what a meeting records: session times in the meeting's local
//! time (optimistic revision, the conflict shown), speakers per agenda item, and a party's
//! change of participation taken as a decision. Delegates may not write them; outsiders of
//! a restricted body get the missing page.

use axum::{
    body::Body,
    http::{Request, header},
};
use jiff::Timestamp;
use rsm_store::{AccountStore, Attribution, DeliberationStore};
use rsm_web::auth::secret_digest;

use crate::{Reply, TestApp};

/// Opens (once) a session for `who`: cookie `sess-<who>`, CSRF token `csrf-<who>`.
async fn session(app: &TestApp, who: &str) -> String {
    let at: Timestamp = "2026-03-02T03:00:00Z".parse().unwrap();
    let open = app
        .store
        .session(&secret_digest(&format!("sess-{who}")), at)
        .await
        .unwrap();
    if open.is_some() {
        return format!("rsm_session=sess-{who}");
    }
    app.store
        .create_session(
            &secret_digest(&format!("sess-{who}")),
            app.ids[who],
            &format!("csrf-{who}"),
            "2026-03-03T03:00:00Z".parse().unwrap(),
            &Attribution::host_cli(at),
        )
        .await
        .unwrap();
    format!("rsm_session=sess-{who}")
}

async fn post(app: &TestApp, path: &str, who: &str, form: &str) -> Reply {
    let cookie = session(app, who).await;
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf=csrf-{who}&{form}")))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn session_times_and_speakers_are_recorded_in_local_time() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let page = app.call("GET", "/meetings/1", "officer", None).await;
    assert!(
        page.text.contains("action=\"/meetings/1/session\""),
        "{}",
        page.text
    );
    let delegate_view = app.call("GET", "/meetings/1", "kr.delegate", None).await;
    assert!(!delegate_view.text.contains("/meetings/1/session"));

    let r = post(
        &app,
        "/meetings/1/session",
        "officer",
        "revision=1&opened_at=2026-04-20T09%3A05&closed_at=2026-04-20T16%3A30",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let m = app.store.meeting(1).await.unwrap().unwrap();
    assert_eq!(
        m.opened_at,
        Some("2026-04-20T00:05:00Z".parse().unwrap()),
        "09:05 in Seoul"
    );
    assert_eq!(m.closed_at, Some("2026-04-20T07:30:00Z".parse().unwrap()));
    assert_eq!(m.revision, 2);
    let page = app.call("GET", "/meetings/1", "officer", None).await;
    assert!(
        page.text.contains("value=\"2026-04-20T09:05\""),
        "{}",
        page.text
    );

    // A second edit from the same (now stale) revision is a conflict, shown, not lost.
    let r = post(
        &app,
        "/meetings/1/session",
        "officer",
        "revision=1&opened_at=2026-04-20T09%3A10",
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("reload"), "{}", r.text);
    assert_eq!(app.store.meeting(1).await.unwrap().unwrap().revision, 2);

    let r = post(
        &app,
        "/meetings/1/speakers",
        "officer",
        "item=1&speaker=KR&at=2026-04-20T09%3A30",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let spoken = app.store.interventions(1).await.unwrap();
    assert_eq!(spoken.len(), 1);
    assert_eq!(
        spoken[0].at,
        "2026-04-20T00:30:00Z".parse::<Timestamp>().unwrap()
    );
    // Before the opening: refused, shown next to the form, nothing stored.
    let r = post(
        &app,
        "/meetings/1/speakers",
        "officer",
        "item=1&speaker=JP&at=2026-04-20T08%3A00",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("role=\"alert\""), "{}", r.text);
    assert_eq!(app.store.interventions(1).await.unwrap().len(), 1);
    let journal = app
        .call("GET", "/meetings/1/journal", "officer", None)
        .await;
    assert!(journal.text.contains("09:30"), "{}", journal.text);

    // A delegate may not record; an outsider of the restricted body gets the missing page.
    let r = post(
        &app,
        "/meetings/1/session",
        "kr.delegate",
        "revision=2&opened_at=2026-04-20T09%3A00",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = post(
        &app,
        "/meetings/1/speakers",
        "kr.delegate",
        "item=1&speaker=KR&at=2026-04-20T09%3A40",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let missing = post(&app, "/meetings/99/session", "jp.delegate", "revision=1").await;
    assert_eq!(missing.status, 404);
    for path in ["/meetings/2/session", "/meetings/2/speakers"] {
        let r = post(
            &app,
            path,
            "jp.delegate",
            "revision=1&item=1&speaker=JP&at=2026-05-04T10%3A00",
        )
        .await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.text.contains("First round") && !r.text.contains("Panmunjom"));
    }
    let m = app.store.meeting(1).await.unwrap().unwrap();
    assert_eq!(m.revision, 2, "nothing changed");
}

#[tokio::test]
async fn a_partys_change_of_participation_is_taken_as_a_decision_through_the_pages() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    // Joining without accepting the decisions already taken is refused, shown on the page.
    let r = post(
        &app,
        "/meetings/1/drafts",
        "officer",
        "title=KP+joins&text=The+Council+welcomes+KP&kind=participation&p_party=KP\
         &p_status=participating&p_effective=2026-06-01",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let drafts_before = app.store.drafts().await.unwrap().len();
    let r = post(
        &app,
        "/meetings/1/drafts",
        "officer",
        "title=KP+joins&text=The+Council+welcomes+KP&kind=participation&p_party=KP\
         &p_status=participating&p_effective=2026-06-01&p_accepts=yes",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let to = r.headers["location"].to_str().unwrap().to_owned();
    let id = to.trim_start_matches("/drafts/");
    let d = app
        .call("GET", &format!("/api/v1/drafts/{id}"), "kr.delegate", None)
        .await;
    assert_eq!(d.json["kind"], "participation", "{}", d.text);
    assert_eq!(
        d.json["participation"], "KP participating from 2026-06-01",
        "{}",
        d.text
    );
    assert_eq!(d.json["state"], "under consideration", "{}", d.text);
    assert_eq!(app.store.drafts().await.unwrap().len(), drafts_before + 1);
    // A delegate cannot put one forward through the secretariat's form.
    let r = post(
        &app,
        "/meetings/1/drafts",
        "kr.delegate",
        "title=X&text=Y&kind=participation&p_party=KP&p_status=participating\
         &p_effective=2026-06-01&p_accepts=yes",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(app.store.drafts().await.unwrap().len(), drafts_before + 1);
}

#[tokio::test]
async fn editing_a_meeting_is_optimistic_and_leaves_a_notice() {
    use rsm_store::{MailEventKind, MailStore};
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let form = app.call("GET", "/meetings/1/edit", "officer", None).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("value=\"2026-04-20T09:00\""),
        "{}",
        form.text
    );
    assert!(
        form.text.contains("name=\"revision\" value=\"1\""),
        "{}",
        form.text
    );
    let r = app
        .call("GET", "/meetings/1/edit", "kr.delegate", None)
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .call("GET", "/meetings/2/edit", "jp.delegate", None)
        .await;
    assert_eq!(r.status, 404);
    assert!(!r.text.contains("First round"));

    let change = "revision=1&title=Second+Ministerial+Council+(Busan)&start=2026-04-21T09%3A00\
                  &end=2026-04-21T17%3A00&time_zone=Asia%2FSeoul&venue=Busan&link=";
    let r = post(&app, "/meetings/1/edit", "officer", change).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let m = app.store.meeting(1).await.unwrap().unwrap();
    assert_eq!(m.revision, 2);
    assert_eq!(m.meeting.title, "Second Ministerial Council (Busan)");
    assert_eq!(
        m.meeting.start,
        "2026-04-21T00:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(m.meeting.venue.as_deref(), Some("Busan"));
    assert_eq!(m.meeting.delegations.len(), 5, "delegations kept");
    let changed: Vec<_> = app
        .store
        .pending_mail_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == MailEventKind::MeetingChanged)
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "the change leaves its notice in its own transaction"
    );

    // Another officer's form, loaded at revision 1, comes back with the conflict and its
    // own values; the first change stands.
    let stale = "revision=1&title=Council+in+Jeju&start=2026-04-22T09%3A00\
                 &end=2026-04-22T17%3A00&time_zone=Asia%2FSeoul&venue=Jeju&link=";
    let r = post(&app, "/meetings/1/edit", "officer", stale).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("reload"), "{}", r.text);
    assert!(r.text.contains("value=\"Council in Jeju\""), "{}", r.text);
    let m = app.store.meeting(1).await.unwrap().unwrap();
    assert_eq!((m.revision, m.meeting.venue.as_deref()), (2, Some("Busan")));
    // Bad input is shown and changes nothing.
    let r = post(
        &app,
        "/meetings/1/edit",
        "officer",
        "revision=2&title=X&start=2026-04-22T09%3A00&end=2026-04-22T08%3A00&time_zone=Asia%2FSeoul&venue=Jeju",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(app.store.meeting(1).await.unwrap().unwrap().revision, 2);
    // A delegate cannot edit, through the page or the API; an outsider gets "not found".
    let r = post(
        &app,
        "/meetings/1/edit",
        "kr.delegate",
        &change.replace("revision=1", "revision=2"),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let body = serde_json::json!({"expected_revision": 2, "title": "X", "start": "2026-04-22T09:00",
        "end": "2026-04-22T17:00", "time_zone": "Asia/Seoul", "venue": "Jeju"});
    let r = app
        .call(
            "PUT",
            "/api/v1/meetings/1",
            "kr.delegate",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .call(
            "PUT",
            "/api/v1/meetings/2",
            "jp.delegate",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .call("PUT", "/api/v1/meetings/1", "officer", Some(body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["revision"], 3);
    assert_eq!(r.json["venue"], "Jeju");
}

#[tokio::test]
async fn a_documents_page_shows_its_revision_chain_with_the_issued_hashes() {
    use rsm_core::{
        body::BodyId,
        document::{Language, Sha256, Symbol},
    };
    use rsm_store::DistributionKind;
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    let rev = Symbol::parse("MC.INF/2/26/Rev.1").unwrap();
    let rev_id = app
        .store
        .create_document(
            &rev,
            &BodyId::parse("ministerial-council").unwrap(),
            "Information note (revised)",
            DistributionKind::Public,
            Language::En,
            &who,
        )
        .await
        .unwrap();
    app.store
        .issue_version(&rev, Language::En, 1, b"revised text", &who)
        .await
        .unwrap();
    let page = app.call("GET", "/documents/3", "jp.delegate", None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let history = page.text.split("id=\"document-history\"").nth(1).unwrap();
    let original = history.find("MC.INF/2/26<").unwrap();
    let revised = history.find("MC.INF/2/26/Rev.1").unwrap();
    assert!(original < revised, "in symbol order: {history}");
    for bytes in [&b"issued text"[..], b"revised text"] {
        let digest = Sha256::of(bytes).to_string();
        assert!(history.contains(&digest), "{digest}: {history}");
    }
    assert!(history.contains(&format!("href=\"/documents/{rev_id}\"")));
    assert!(
        !history.contains("MC.INF/1/26"),
        "another base symbol is not in the chain"
    );
    // The restricted body's document: members see it; outsiders get the missing page.
    let missing = app.call("GET", "/documents/99", "jp.delegate", None).await;
    assert_eq!(missing.status, 404);
    let r = app.call("GET", "/documents/2", "jp.delegate", None).await;
    assert_eq!(r.status, 404);
    assert!(!r.text.contains("PRT"), "{}", r.text);
    let r = app.call("GET", "/documents/2", "kr.delegate", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("PRT.INF/1/26"));
}
