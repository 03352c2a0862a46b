//! Participation through the API: five parties before KP joins, six after, the past unchanged.

use serde_json::json;

use crate::TestApp;

fn codes(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn kp_joins_and_answers_for_past_dates_stay() {
    let app = TestApp::new().await;
    let before = app
        .call("GET", "/api/v1/parties?date=2026-05-31", "public", None)
        .await;
    assert_eq!(
        codes(&before.json["must_agree"]),
        ["CN", "JP", "KR", "RU", "US"]
    );
    let council_before = app
        .call(
            "GET",
            "/api/v1/bodies/denuclearisation-talks",
            "public",
            None,
        )
        .await;
    assert_eq!(council_before.json["active_today"], false);

    let join = app
        .call(
            "POST",
            "/api/v1/parties/KP/participation",
            "officer",
            Some(json!({"status": "participating", "effective": "2026-06-01", "basis": "MC.DEC/3/26"})),
        )
        .await;
    assert_eq!(join.status, 201, "{}", join.text);
    assert_eq!(join.json["history"].as_array().unwrap().len(), 2);

    let after = app
        .call("GET", "/api/v1/parties?date=2026-06-01", "public", None)
        .await;
    assert_eq!(
        codes(&after.json["must_agree"]),
        ["CN", "JP", "KP", "KR", "RU", "US"]
    );
    assert_eq!(codes(&after.json["owe_notifications"]).len(), 6);
    let again = app
        .call("GET", "/api/v1/parties?date=2026-05-31", "public", None)
        .await;
    assert_eq!(
        again.text, before.text,
        "the answer for a past date is unchanged"
    );

    app.clock.set("2026-06-02T00:00:00Z".parse().unwrap());
    let talks = app
        .call(
            "GET",
            "/api/v1/bodies/denuclearisation-talks",
            "public",
            None,
        )
        .await;
    assert_eq!(talks.json["active_today"], true);
    let kp = app.call("GET", "/api/v1/parties/KP", "public", None).await;
    assert_eq!(kp.json["status"], "participating");
    assert_eq!(kp.json["basis"], "MC.DEC/3/26");

    // Changing what was true yesterday is refused.
    let retro = app
        .call(
            "POST",
            "/api/v1/parties/KP/participation",
            "officer",
            Some(json!({"status": "suspended", "effective": "2026-06-01", "basis": "x"})),
        )
        .await;
    assert_eq!(retro.status, 422);
    assert_eq!(retro.json["field"], "effective");
}
