//! Sign-in, sessions, CSRF, throttling, password change and API token life cycles.

use axum::{
    body::Body,
    http::{Request, header},
};
use serde_json::json;

use crate::{Reply, TestApp};

const PASSWORD: &str = "correct horse battery staple";

async fn with_password_account(app: &TestApp) {
    let r = app
        .call(
            "POST",
            "/api/v1/people",
            "admin",
            Some(
                json!({"username": "kr.envoy", "display_name": "KR Envoy", "role": "delegate",
                        "party": "KR", "password": PASSWORD, "time_zone": "Asia/Seoul"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(!r.text.contains("argon2"), "hashes never leave the server");
}

async fn sign_in(app: &TestApp, password: &str) -> Reply {
    app.call(
        "POST",
        "/api/v1/session",
        "public",
        Some(json!({"username": "kr.envoy", "password": password})),
    )
    .await
}

fn session_cookie(reply: &Reply) -> String {
    let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

async fn with_cookie(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if let Some(c) = csrf {
        req = req.header("x-csrf-token", c);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn wrong_then_right_password_then_sign_out() {
    let app = TestApp::new().await;
    with_password_account(&app).await;
    let wrong = sign_in(&app, "not the password at all").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.json["detail"],
        "the user name or password is not right"
    );
    let unknown = app
        .call(
            "POST",
            "/api/v1/session",
            "public",
            Some(json!({"username": "nobody", "password": "whatever it is"})),
        )
        .await;
    assert_eq!(
        unknown.text, wrong.text,
        "unknown users and wrong passwords look the same"
    );

    let ok = sign_in(&app, PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let cookie = session_cookie(&ok);
    let csrf = ok.json["csrf_token"].as_str().unwrap().to_owned();
    let me = with_cookie(&app, "GET", "/api/v1/me", &cookie, None, None).await;
    assert_eq!(me.json["username"], "kr.envoy");

    // A write with the cookie needs the CSRF token.
    let prefs = json!({"language": "ko", "time_zone": "Asia/Seoul"});
    let no_csrf = with_cookie(
        &app,
        "PUT",
        "/api/v1/me/preferences",
        &cookie,
        None,
        Some(prefs.clone()),
    )
    .await;
    assert_eq!(no_csrf.status, 403, "{}", no_csrf.text);
    let bad_csrf = with_cookie(
        &app,
        "PUT",
        "/api/v1/me/preferences",
        &cookie,
        Some("forged"),
        Some(prefs.clone()),
    )
    .await;
    assert_eq!(bad_csrf.status, 403);
    let good = with_cookie(
        &app,
        "PUT",
        "/api/v1/me/preferences",
        &cookie,
        Some(&csrf),
        Some(prefs),
    )
    .await;
    assert_eq!(good.status, 200, "{}", good.text);

    let out = with_cookie(
        &app,
        "DELETE",
        "/api/v1/session",
        &cookie,
        Some(&csrf),
        None,
    )
    .await;
    assert_eq!(out.status, 204, "{}", out.text);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = with_cookie(&app, "GET", "/api/v1/me", &cookie, None, None).await;
    assert_eq!(after.status, 401, "the session is gone on the server too");

    let audit = app
        .call("GET", "/api/v1/audit?actor=kr.envoy", "admin", None)
        .await;
    let actions: Vec<_> = audit
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"session.sign-in".to_owned())
            && actions.contains(&"session.sign-out".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_and_the_window_passes() {
    let app = TestApp::new().await;
    with_password_account(&app).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "wrong password again").await.status, 401);
    }
    let throttled = sign_in(&app, PASSWORD).await;
    assert_eq!(
        throttled.status, 429,
        "even the right password waits: {}",
        throttled.text
    );
    assert!(throttled.headers.contains_key(header::RETRY_AFTER));
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    assert_eq!(sign_in(&app, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn password_change_ends_sessions_and_checks_rules() {
    let app = TestApp::new().await;
    with_password_account(&app).await;
    let ok = sign_in(&app, PASSWORD).await;
    let cookie = session_cookie(&ok);
    let csrf = ok.json["csrf_token"].as_str().unwrap().to_owned();
    let short = with_cookie(
        &app,
        "PUT",
        "/api/v1/me/password",
        &cookie,
        Some(&csrf),
        Some(json!({"current_password": PASSWORD, "new_password": "short"})),
    )
    .await;
    assert_eq!(short.status, 422);
    assert_eq!(short.json["field"], "new_password");
    let changed = with_cookie(
        &app,
        "PUT",
        "/api/v1/me/password",
        &cookie,
        Some(&csrf),
        Some(json!({"current_password": PASSWORD, "new_password": "an even longer passphrase"})),
    )
    .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    assert_eq!(
        with_cookie(&app, "GET", "/api/v1/me", &cookie, None, None)
            .await
            .status,
        401
    );
    assert_eq!(sign_in(&app, PASSWORD).await.status, 401);
    assert_eq!(sign_in(&app, "an even longer passphrase").await.status, 200);
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::new().await;
    with_password_account(&app).await;
    let cookie = session_cookie(&sign_in(&app, PASSWORD).await);
    app.clock.advance(jiff::SignedDuration::from_hours(13));
    assert_eq!(
        with_cookie(&app, "GET", "/api/v1/me", &cookie, None, None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_expiring_and_revocable() {
    let app = TestApp::new().await;
    let created = app
        .call(
            "POST",
            "/api/v1/tokens",
            "kr.delegate",
            Some(json!({"name": "mirror", "scope": "read", "expires_in_days": 1})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let token = created.json["token"].as_str().unwrap().to_owned();
    let id = created.json["id"].as_i64().unwrap();
    let listed = app.call("GET", "/api/v1/tokens", "kr.delegate", None).await;
    assert!(
        !listed.text.contains(&token),
        "the token is never shown again"
    );

    let bearer = |method: &str, path: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"name": "x", "scope": "read"}).to_string(),
            ))
            .unwrap()
    };
    assert_eq!(app.send(bearer("GET", "/api/v1/me")).await.status, 200);
    let write = app.send(bearer("POST", "/api/v1/tokens")).await;
    assert_eq!(
        write.status, 403,
        "a read token cannot write: {}",
        write.text
    );

    app.clock.advance(jiff::SignedDuration::from_hours(25));
    let expired = app.send(bearer("GET", "/api/v1/me")).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json["detail"], "the API token has expired");

    // Another party's delegate cannot revoke it, nor learn it exists.
    let other = app
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(other.status, 404);
    let revoked = app
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            "kr.delegate",
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.clock.advance(jiff::SignedDuration::from_hours(-25));
    let after = app.send(bearer("GET", "/api/v1/me")).await;
    assert_eq!(after.json["detail"], "the API token has been revoked");
    let again = app
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            "kr.delegate",
            None,
        )
        .await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn a_disabled_account_is_locked_out_at_once() {
    let app = TestApp::new().await;
    let jp = app.ids["jp.delegate"];
    assert_eq!(
        app.call("GET", "/api/v1/me", "jp.delegate", None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.call(
            "POST",
            &format!("/api/v1/people/{jp}/disable"),
            "admin",
            None
        )
        .await
        .status,
        200
    );
    let locked = app.call("GET", "/api/v1/me", "jp.delegate", None).await;
    assert_eq!(locked.status, 401);
    let own = app.ids["admin"];
    let selfish = app
        .call(
            "POST",
            &format!("/api/v1/people/{own}/disable"),
            "admin",
            None,
        )
        .await;
    assert_eq!(
        selfish.status, 422,
        "the administrator cannot lock themself out"
    );
}
