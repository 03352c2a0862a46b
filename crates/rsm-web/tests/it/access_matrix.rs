//! Every API route × every role, against a table of allowed and denied answers, and a
//! check that the restricted body leaks nowhere to outsiders.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{ROLES, TestApp};

/// One row: method, the route as the OpenAPI document names it, the concrete path, a body,
/// and the expected status for each role in [`ROLES`] order:
/// public, admin, officer, kr.delegate, jp.delegate, ru.auditor, kr.redcross, cn.energy.
struct Row {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<Value>,
    expect: [u16; 8],
}

fn body_fields(name: &str) -> Value {
    json!({
        "name": name, "kind": "working-group:security", "visibility": "public",
        "chair_rotation": ["CN", "JP"], "rotation_start_year": 2026, "reason": "SEC.ACT/1"
    })
}

fn rows(app: &TestApp) -> Vec<Row> {
    let id = |n: &str| app.ids[n];
    let row = |method, route, path: String, body, expect| Row {
        method,
        route,
        path,
        body,
        expect,
    };
    let mut peace = body_fields("Peace talks, renamed");
    peace["visibility"] = json!("restricted");
    peace["kind"] = json!("talks");
    peace["members"] = json!(["CN", "KP", "KR", "US"]);
    peace["chair_rotation"] = json!(["CN", "KR"]);
    peace["expected_revision"] = json!(1);
    let mut wg = body_fields("Working Group on Security and Confidence-Building");
    wg["expected_revision"] = json!(1);
    let mut new_body = body_fields("Expert group");
    new_body["id"] = json!("expert-group");
    let mut all = vec![
        row(
            "GET",
            "/api/v1/parties",
            "/api/v1/parties".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/parties/{code}",
            "/api/v1/parties/KR".into(),
            None,
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/parties/{code}/participation",
            "/api/v1/parties/KP/participation".into(),
            Some(
                json!({"status": "participating", "effective": "2026-06-01", "basis": "MC.DEC/1/26"}),
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/bodies",
            "/api/v1/bodies".into(),
            None,
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/bodies",
            "/api/v1/bodies".into(),
            Some(new_body),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/bodies/{id}",
            "/api/v1/bodies/ministerial-council".into(),
            None,
            [200; 8],
        ),
        row(
            "PUT",
            "/api/v1/bodies/{id}",
            "/api/v1/bodies/wg-security".into(),
            Some(wg),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/bodies/{id}/history",
            "/api/v1/bodies/wg-security/history".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/bodies/{id}",
            "/api/v1/bodies/peace-regime-talks".into(),
            None,
            [404, 200, 200, 200, 404, 404, 404, 404],
        ),
        row(
            "PUT",
            "/api/v1/bodies/{id}",
            "/api/v1/bodies/peace-regime-talks".into(),
            Some(peace),
            [404, 200, 200, 403, 404, 404, 404, 404],
        ),
        row(
            "GET",
            "/api/v1/bodies/{id}/history",
            "/api/v1/bodies/peace-regime-talks/history".into(),
            None,
            [404, 200, 200, 200, 404, 404, 404, 404],
        ),
        row(
            "GET",
            "/api/v1/people",
            "/api/v1/people".into(),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/people",
            "/api/v1/people".into(),
            Some(
                json!({"username": "us.delegate", "display_name": "US", "role": "delegate", "party": "US"}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/people/{id}",
            format!("/api/v1/people/{}", id("kr.delegate")),
            None,
            [401, 200, 403, 200, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/people/{id}/disable",
            format!("/api/v1/people/{}/disable", id("jp.delegate")),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/people/{id}/enable",
            format!("/api/v1/people/{}/enable", id("jp.delegate")),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/me",
            "/api/v1/me".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "PUT",
            "/api/v1/me/password",
            "/api/v1/me/password".into(),
            Some(
                json!({"current_password": "not-the-password", "new_password": "a long enough password"}),
            ),
            // Token-only accounts have no password to change.
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        row(
            "PUT",
            "/api/v1/me/preferences",
            "/api/v1/me/preferences".into(),
            Some(json!({"language": "ko", "time_zone": "Asia/Seoul"})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/v1/me/mail",
            "/api/v1/me/mail".into(),
            None,
            // Nobody has saved e-mail settings yet.
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "PUT",
            "/api/v1/me/mail",
            "/api/v1/me/mail".into(),
            Some(json!({"address": "someone@example.org", "mode": "digest"})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            Some(json!({"name": "mirror", "scope": "read"})),
            [401, 201, 201, 201, 201, 201, 201, 201],
        ),
        row(
            "DELETE",
            "/api/v1/tokens/{id}",
            // The administrator's own token (tokens are numbered in account order).
            "/api/v1/tokens/1".into(),
            None,
            [401, 204, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit".into(),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/session",
            "/api/v1/session".into(),
            Some(json!({"username": "admin", "password": "wrong password"})),
            [401; 8],
        ),
        row(
            "DELETE",
            "/api/v1/session",
            "/api/v1/session".into(),
            None,
            [401; 8],
        ),
        row(
            "GET",
            "/api/v1/search",
            "/api/v1/search?q=talks".into(),
            None,
            [200; 8],
        ),
        row("GET", "/api/v1/log", "/api/v1/log".into(), None, [200; 8]),
        row(
            "GET",
            "/api/v1/log/entries/{index}",
            "/api/v1/log/entries/0".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/log/entries/{index}/receipt",
            "/api/v1/log/entries/999/receipt".into(),
            None,
            [404; 8],
        ),
        row(
            "GET",
            "/api/v1/log/proof/inclusion",
            "/api/v1/log/proof/inclusion?index=0&size=1".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/log/proof/consistency",
            "/api/v1/log/proof/consistency?old=1&new=1".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/log/parties/{party}",
            "/api/v1/log/parties/KR".into(),
            None,
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/log/entries",
            "/api/v1/log/entries".into(),
            Some(json!({"envelope": "AAAA"})),
            [401, 422, 422, 422, 422, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/log/entries/batch",
            "/api/v1/log/entries/batch".into(),
            Some(json!({"envelopes": ["AAAA"]})),
            [401, 422, 422, 422, 422, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/log/keys",
            "/api/v1/log/keys".into(),
            Some(json!({"party": "KR", "public_key": "not a key"})),
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        // Notifications (the CSBM regime).
        row(
            "GET",
            "/api/v1/regime",
            "/api/v1/regime".into(),
            None,
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/regime/versions",
            "/api/v1/regime/versions".into(),
            Some(json!({"effective": "not an instant", "basis": "SEC.ACT/1", "text": "x"})),
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/notifications/validate",
            "/api/v1/notifications/validate".into(),
            Some(json!({"type": "military-activity", "content": {}})),
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/notifications/prepare",
            "/api/v1/notifications/prepare".into(),
            Some(json!({"party": "KR", "type": "military-activity", "content": "{}"})),
            [200; 8],
        ),
        row(
            "POST",
            "/api/v1/notifications",
            "/api/v1/notifications".into(),
            Some(json!({"envelope": "AAAA", "content": "{}"})),
            [401, 422, 422, 422, 422, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/notifications",
            "/api/v1/notifications?year=2026".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/notifications/{index}",
            "/api/v1/notifications/999".into(),
            None,
            [404; 8],
        ),
        row(
            "GET",
            "/api/v1/compliance",
            "/api/v1/compliance?year=2026".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/compliance.csv",
            "/api/v1/compliance.csv?year=2026".into(),
            None,
            [200; 8],
        ),
        row(
            "GET",
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            None,
            [200; 8],
        ),
    ];
    // The rows each area's tests keep beside their own seeds.
    let areas = [
        crate::energy_planning::matrix_rows(),
        crate::aid::rows(),
        crate::cases::matrix_rows(),
        crate::kin::matrix_rows(),
        crate::deliberation_matrix::rows(),
    ];
    for (method, route, path, body, expect) in areas.into_iter().flatten() {
        all.push(Row {
            method,
            route,
            path,
            body,
            expect,
        });
    }
    all
}

#[tokio::test]
async fn every_route_by_every_role_matches_the_table() {
    let reads = TestApp::new().await;
    crate::deliberation_matrix::seed(&reads).await;
    crate::cases::seed(&reads).await;
    crate::energy_planning::seed(&reads).await;
    let table = rows(&reads);
    let mut failures = Vec::new();
    for row in &table {
        for (i, who) in ROLES.iter().enumerate() {
            // Writes get a fresh database each, so one role's success cannot mask another's.
            let fresh;
            let app = if row.method == "GET" {
                &reads
            } else {
                fresh = TestApp::new().await;
                crate::deliberation_matrix::seed(&fresh).await;
                crate::cases::seed(&fresh).await;
                crate::energy_planning::seed(&fresh).await;
                &fresh
            };
            let reply = app.call(row.method, &row.path, who, row.body.clone()).await;
            if reply.status.as_u16() != row.expect[i] {
                failures.push(format!(
                    "{} {} as {who}: expected {}, got {} {}",
                    row.method, row.path, row.expect[i], reply.status, reply.text
                ));
            }
            if !reply.status.is_success() && row.route != "/api/v1/openapi.json" {
                assert_eq!(
                    reply.headers["content-type"], "application/problem+json",
                    "{} {} as {who}",
                    row.method, row.path
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The table covers every route the OpenAPI document lists.
    let doc = reads
        .call("GET", "/api/v1/openapi.json", "public", None)
        .await
        .json;
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let tested: BTreeSet<_> = table
        .iter()
        .map(|r| (r.method.to_owned(), r.route.to_owned()))
        .filter(|(_, route)| route != "/api/v1/openapi.json")
        .collect();
    assert_eq!(
        documented, tested,
        "routes documented vs routes in the table"
    );
}

#[tokio::test]
async fn the_restricted_body_leaks_nowhere_to_outsiders() {
    let app = TestApp::new().await;
    let missing = app
        .call("GET", "/api/v1/bodies/no-such-body", "jp.delegate", None)
        .await;
    for who in [
        "public",
        "jp.delegate",
        "ru.auditor",
        "kr.redcross",
        "cn.energy",
    ] {
        let list = app.call("GET", "/api/v1/bodies", who, None).await;
        assert!(!list.text.contains("peace"), "{who} list: {}", list.text);
        assert_eq!(
            list.json.as_array().unwrap().len(),
            5,
            "{who} counts five bodies"
        );
        for q in ["peace", "regime", "talks", "Korean Peninsula"] {
            let hits = app
                .call(
                    "GET",
                    &format!("/api/v1/search?q={}", q.replace(' ', "+")),
                    who,
                    None,
                )
                .await;
            assert!(
                !hits.text.to_lowercase().contains("peace"),
                "{who} search {q}: {}",
                hits.text
            );
        }
        for path in [
            "/api/v1/bodies/peace-regime-talks",
            "/api/v1/bodies/peace-regime-talks/history",
        ] {
            let hidden = app.call("GET", path, who, None).await;
            assert_eq!(hidden.status, 404, "{who} {path}");
            assert_eq!(
                hidden.text, missing.text,
                "{who}: indistinguishable from a missing body"
            );
        }
        // Creating a body under the hidden id does not reveal its name either.
        if who == "public" {
            continue;
        }
        let mut body = body_fields("probe");
        body["id"] = json!("peace-regime-talks");
        let probe = app.call("POST", "/api/v1/bodies", who, Some(body)).await;
        assert!(!probe.text.contains("Peace"), "{who}: {}", probe.text);
    }
    let member = app
        .call("GET", "/api/v1/search?q=peace", "kr.delegate", None)
        .await;
    assert!(
        member.text.contains("peace-regime-talks"),
        "{}",
        member.text
    );
    // A member's read of the restricted body is in the audit trail.
    app.call(
        "GET",
        "/api/v1/bodies/peace-regime-talks",
        "kr.delegate",
        None,
    )
    .await;
    let audit = app
        .call("GET", "/api/v1/audit?action=body.read", "admin", None)
        .await;
    let events = audit.json.as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["actor"] == "kr.delegate" && e["target"] == "body:peace-regime-talks"),
        "{}",
        audit.text
    );
}
