//! The pages over the same policy: sessions with the form CSRF field, the restricted body's
//! 404 page, inline validation, the HTML fallback, headers and languages.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use jiff::Timestamp;
use rsm_store::{AccountStore, Attribution};
use rsm_web::auth::secret_digest;

use crate::{Reply, TestApp};

/// Opens a session for `who` directly in the store: cookie value `sess-<who>`, CSRF
/// token `csrf-<who>`.
async fn session(app: &TestApp, who: &str) -> String {
    let at: Timestamp = "2026-03-02T03:00:00Z".parse().unwrap();
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

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::builder().uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &str) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn restricted_body_page_is_the_missing_body_page_for_outsiders() {
    let app = TestApp::new().await;
    let jp = session(&app, "jp.delegate").await;
    let hidden = get(&app, "/bodies/peace-regime-talks", Some(&jp)).await;
    let missing = get(&app, "/bodies/peace-regime-tolks", Some(&jp)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let strip = |s: &str| {
        s.replace("peace-regime-talks", "X")
            .replace("peace-regime-tolks", "X")
    };
    assert_eq!(strip(&hidden.text), strip(&missing.text));
    for path in ["/", "/bodies", "/parties"] {
        let page = get(&app, path, Some(&jp)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.text.to_lowercase().contains("peace"), "{path} leaks");
    }
    let kr = session(&app, "kr.delegate").await;
    let seen = get(&app, "/bodies/peace-regime-talks", Some(&kr)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.text.contains("Peace Regime"));
}

#[tokio::test]
async fn form_posts_need_the_sessions_csrf_field() {
    let app = TestApp::new().await;
    let admin = session(&app, "admin").await;
    let form = "language=ko&back=%2F";
    let refused = post_form(&app, "/language", &admin, form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = post_form(&app, "/language", &admin, &format!("{form}&csrf=nope")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let me = app.store.account(app.ids["admin"]).await.unwrap().unwrap();
    assert_eq!(me.language, "en", "nothing changed");
    let ok = post_form(
        &app,
        "/language",
        &admin,
        &format!("{form}&csrf=csrf-admin"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = get(&app, "/", Some(&admin)).await;
    assert!(page.text.contains("<html lang=\"ko\">"));
    // The API keeps asking for the header, not a form field.
    let api = Request::builder()
        .method("PUT")
        .uri("/api/v1/me/preferences")
        .header(header::COOKIE, &admin)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"language":"en","time_zone":"UTC"}"#))
        .unwrap();
    assert_eq!(app.send(api).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_is_shown_next_to_its_field_and_changes_nothing() {
    let app = TestApp::new().await;
    let officer = session(&app, "officer").await;
    let r = post_form(
        &app,
        "/bodies/new",
        &officer,
        "csrf=csrf-officer&id=Bad+Id&name=X&kind=talks&visibility=public&all_members=on&rotation_start_year=2026&reason=r",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text
            .contains(r#"<p class="field-error" id="f-id-error">"#)
    );
    let r = post_form(
        &app,
        "/parties/KP/participation",
        &officer,
        "csrf=csrf-officer&status=participating&effective=2026-01-05&basis=MC.DEC%2F1%2F26",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains(r#"id="f-effective-error""#));
    // Not the secretariat: the 403 page, not a form.
    let kr = session(&app, "kr.delegate").await;
    let r = post_form(&app, "/bodies/new", &kr, "csrf=csrf-kr.delegate&id=x-talks").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("<h1>"));
}

#[tokio::test]
async fn pages_speak_html_and_the_api_keeps_problem_json() {
    let app = TestApp::new().await;
    let page = get(&app, "/no/such/page", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let api = get(&app, "/api/v1/no-such", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    // Signed out: the dashboard asks for nothing, admin pages send to sign-in.
    let audit = get(&app, "/audit", None).await;
    assert_eq!(audit.status, StatusCode::SEE_OTHER);
    assert_eq!(audit.headers[header::LOCATION], "/sign-in?next=%2Faudit");
    let kr = session(&app, "kr.delegate").await;
    assert_eq!(
        get(&app, "/audit", Some(&kr)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_public_gets_its_accept_language() {
    let app = TestApp::new().await;
    let req = Request::builder()
        .uri("/sign-in")
        .header(header::ACCEPT_LANGUAGE, "ko-KR,ko;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<html lang=\"ko\">"));
    assert!(r.text.contains("로그인"));
}

#[tokio::test]
async fn the_energy_page_draws_the_network_and_its_plan_for_signed_in_users_only() {
    let app = TestApp::new().await;
    let public = get(&app, "/energy", None).await;
    assert_ne!(public.status, StatusCode::OK, "the plan is not public");
    assert!(!public.text.contains("<svg viewBox=\"0 0 900 560\""));
    let cn = session(&app, "cn.energy").await;
    let page = get(&app, "/energy", Some(&cn)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    // The map: every bus of the shipped network, pipelines as lines with their flows.
    for bus in ["RU_VLA", "CN_NE", "KR", "JP", "LNG"] {
        assert!(
            page.text.contains(&format!(">{bus}</text>")),
            "{bus} missing"
        );
    }
    assert!(page.text.contains("class=\"pipe flow-"));
    assert!(page.text.contains("PS1_X"));
    // Costs with thousands separators, and N-1 per country.
    assert!(page.text.contains("N-1"));
    assert!(page.text.contains("HiGHS"));
    // Korean too.
    let ko = {
        let req = Request::builder()
            .uri("/energy")
            .header(header::COOKIE, &cn)
            .header(header::ACCEPT_LANGUAGE, "ko")
            .body(Body::empty())
            .unwrap();
        app.send(req).await
    };
    assert_eq!(ko.status, StatusCode::OK);
}
