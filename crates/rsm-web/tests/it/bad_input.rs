//! Bad input gets a 4xx problem naming the field and the rule, and nothing stored changes.

use axum::{
    body::Body,
    http::{Request, header},
};
use serde_json::json;

use crate::TestApp;

/// Everything a client could observe about bodies, people and parties.
async fn snapshot(app: &TestApp) -> String {
    let mut s = String::new();
    for path in [
        "/api/v1/bodies",
        "/api/v1/people",
        "/api/v1/parties?date=2027-01-01",
    ] {
        s.push_str(&app.call("GET", path, "admin", None).await.text);
    }
    s
}

#[tokio::test]
async fn each_bad_input_names_field_and_rule_and_changes_nothing() {
    let app = TestApp::new().await;
    let before = snapshot(&app).await;
    let person = |patch: serde_json::Value| {
        let mut base = json!({"username": "new.person", "display_name": "New", "role": "delegate", "party": "KR"});
        for (k, v) in patch.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    };
    let cases: Vec<(&str, &str, serde_json::Value, u16, &str)> = vec![
        (
            "POST",
            "/api/v1/people",
            person(json!({"party": "XX"})),
            422,
            "party",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"username": "Bad Name"})),
            422,
            "username",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"role": "king"})),
            422,
            "role",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"password": "short"})),
            422,
            "password",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"time_zone": "Mars/Olympus"})),
            422,
            "time_zone",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"language": "fr"})),
            422,
            "language",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"role": "working-group-member", "body": "peace-regime-talks"})),
            422,
            "body",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"username": "kr.delegate"})),
            409,
            "",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"surprise": true})),
            422,
            "surprise",
        ),
        (
            "POST",
            "/api/v1/people",
            person(json!({"display_name": 7})),
            422,
            "display_name",
        ),
        (
            "POST",
            "/api/v1/parties/KP/participation",
            json!({"status": "joined", "effective": "2026-06-01", "basis": "x"}),
            422,
            "status",
        ),
        (
            "POST",
            "/api/v1/parties/KP/participation",
            json!({"status": "participating", "effective": "2026-02-30", "basis": "x"}),
            422,
            "effective",
        ),
        (
            "POST",
            "/api/v1/parties/KP/participation",
            json!({"status": "participating", "effective": "2026-01-15", "basis": "x"}),
            422,
            "effective",
        ),
        (
            "POST",
            "/api/v1/parties/KP/participation",
            json!({"status": "participating", "effective": "2999-01-01", "basis": "x"}),
            422,
            "effective",
        ),
        (
            "POST",
            "/api/v1/parties/KP/participation",
            json!({"status": "participating", "effective": "2026-06-01", "basis": " "}),
            422,
            "basis",
        ),
        (
            "POST",
            "/api/v1/parties/JP/participation",
            json!({"status": "participating", "effective": "2026-06-01", "basis": "x"}),
            422,
            "status",
        ),
        (
            "POST",
            "/api/v1/parties/XX/participation",
            json!({"status": "participating", "effective": "2026-06-01", "basis": "x"}),
            404,
            "code",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "Bad Id", "name": "x", "kind": "talks", "visibility": "public", "rotation_start_year": 2026, "reason": "r"}),
            422,
            "id",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "ok-id", "name": " ", "kind": "talks", "visibility": "public", "rotation_start_year": 2026, "reason": "r"}),
            422,
            "name",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "ok-id", "name": "x", "kind": "club", "visibility": "public", "rotation_start_year": 2026, "reason": "r"}),
            422,
            "kind",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "ok-id", "name": "x", "kind": "talks", "visibility": "restricted", "rotation_start_year": 2026, "reason": "r"}),
            422,
            "members",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "ok-id", "name": "x", "kind": "talks", "visibility": "public", "members": ["KR"], "chair_rotation": ["JP"], "rotation_start_year": 2026, "reason": "r"}),
            422,
            "chair_rotation",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "ok-id", "name": "x", "kind": "talks", "visibility": "public", "rotation_start_year": 3000, "reason": "r"}),
            422,
            "rotation_start_year",
        ),
        (
            "POST",
            "/api/v1/bodies",
            json!({"id": "wg-security", "name": "x", "kind": "talks", "visibility": "public", "rotation_start_year": 2026, "reason": "r"}),
            409,
            "",
        ),
        (
            "PUT",
            "/api/v1/bodies/wg-security",
            json!({"expected_revision": 7, "name": "x", "kind": "talks", "visibility": "public", "rotation_start_year": 2026, "reason": "r"}),
            409,
            "",
        ),
        (
            "POST",
            "/api/v1/tokens",
            json!({"name": "x", "scope": "admin"}),
            422,
            "scope",
        ),
        (
            "POST",
            "/api/v1/tokens",
            json!({"name": "x", "scope": "read", "expires_in_days": 0}),
            422,
            "expires_in_days",
        ),
    ];
    for (method, path, body, status, field) in cases {
        let r = app.call(method, path, "admin", Some(body.clone())).await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{method} {path} {body}: {}",
            r.text
        );
        assert_eq!(r.headers["content-type"], "application/problem+json");
        if !field.is_empty() {
            assert_eq!(r.json["field"], field, "{method} {path} {body}: {}", r.text);
            assert!(r.json["rule"].as_str().is_some_and(|s| !s.is_empty()));
        }
    }
    for (path, field) in [
        ("/api/v1/parties?date=yesterday", "date"),
        ("/api/v1/parties?date=1900-01-01", "date"),
        ("/api/v1/audit?limit=0", "limit"),
        ("/api/v1/audit?limit=many", "limit"),
        ("/api/v1/search?q=", "q"),
    ] {
        let r = app.call("GET", path, "admin", None).await;
        assert_eq!(r.status, 422, "{path}: {}", r.text);
        assert_eq!(r.json["field"], field, "{path}: {}", r.text);
    }
    assert_eq!(snapshot(&app).await, before, "nothing stored changed");
}

#[tokio::test]
async fn malformed_and_oversize_bodies_are_refused() {
    let app = TestApp::new().await;
    let raw = |body: Vec<u8>, content_type: &str| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/people")
            .header(header::AUTHORIZATION, "Bearer tok-admin")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let broken = app
        .send(raw(b"{\"username\": ".to_vec(), "application/json"))
        .await;
    assert_eq!(broken.status, 400);
    assert_eq!(broken.headers["content-type"], "application/problem+json");
    let wrong_type = app
        .send(raw(
            b"username=x".to_vec(),
            "application/x-www-form-urlencoded",
        ))
        .await;
    assert_eq!(wrong_type.status, 400, "{}", wrong_type.text);
    let mut big = b"{\"username\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 200 * 1024));
    big.extend(b"\"}");
    let oversize = app.send(raw(big, "application/json")).await;
    assert_eq!(oversize.status, 413, "{}", oversize.text);
    assert_eq!(oversize.headers["content-type"], "application/problem+json");
    let unknown_route = app.call("GET", "/api/v1/nothing-here", "admin", None).await;
    assert_eq!(unknown_route.status, 404);
    assert_eq!(
        unknown_route.headers["content-type"],
        "application/problem+json"
    );
}
