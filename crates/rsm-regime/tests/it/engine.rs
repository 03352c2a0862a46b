//! Engine rules that the scenarios do not show: body-owed types, restricted distribution,
//! 29 February, hour leads on date fields, amendment chains and anomalies.

use jiff::civil::date;
use rsm_core::{body::default_bodies, participation::Timeline, party::PartyCode};
use rsm_regime::{
    ComplianceOptions, ComplianceReport, Context, Event, Regime, RegimeHistory, Status, Submission,
    SubmissionKind, SubmitError, compute, default_regime,
};
use serde_json::{Value, json};

use crate::support::ts;

const PEACE: &str = r#"
id = "peace"
version = "1"
title = "Measures of the peace-regime talks"

[[types]]
id = "armistice-report"
title = "Yearly report on incidents along the line"
basket = "security"
origin = "test regime"
owed_by = "body:peace-regime-talks"
distribution = "body:peace-regime-talks"

[types.fields.year]
kind = "integer"
unit = "year"
required = true

[types.fields.summary]
kind = "text"
max_len = 100
required = true

[types.deadline]
rule = "annual"
month = 2
day = 29
year_field = "year"
zone = "UTC"

[[types]]
id = "drill"
title = "Drill"
basket = "security"
origin = "test regime"

[types.fields.day]
kind = "date"
required = true

[types.deadline]
rule = "before_start"
hours = 12
start = "day"
zone = "Asia/Seoul"
"#;

fn run(regime: Regime, events: &[Event], year: i16, as_of: &str) -> ComplianceReport {
    let h = RegimeHistory::single(regime, ts("2026-01-01T00:00:00Z"), "Founding Declaration");
    let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
    let b = default_bodies(2026);
    let ctx = Context {
        history: &h,
        timeline: &t,
        bodies: &b,
    };
    compute(ctx, events, year, ts(as_of), &ComplianceOptions::default())
}

fn submit(
    regime: &Regime,
    id: &str,
    party: PartyCode,
    ty: &str,
    at: &str,
    content: Value,
) -> Event {
    let notice = regime.get(ty).unwrap().validate(&content).unwrap();
    Event::Submitted(Submission {
        id: id.into(),
        party,
        type_id: ty.into(),
        received: ts(at),
        kind: SubmissionKind::Original(notice),
    })
}

fn amend(
    regime: &Regime,
    id: &str,
    of: &str,
    party: PartyCode,
    ty: &str,
    at: &str,
    content: Value,
) -> Event {
    let notice = regime.get(ty).unwrap().validate(&content).unwrap();
    Event::Submitted(Submission {
        id: id.into(),
        party,
        type_id: ty.into(),
        received: ts(at),
        kind: SubmissionKind::Amends {
            of: of.into(),
            notice,
        },
    })
}

#[test]
fn a_body_owed_annual_type_binds_only_participating_members_and_29_february_falls_back() {
    let regime = Regime::parse(PEACE).unwrap();
    let cn = submit(
        &regime,
        "cn",
        PartyCode::CN,
        "armistice-report",
        "2027-02-20T00:00:00Z",
        json!({"year": 2027, "summary": "quiet"}),
    );
    let report = run(
        regime.clone(),
        std::slice::from_ref(&cn),
        2027,
        "2027-04-01T00:00:00Z",
    );
    let rows: Vec<(&str, Status, Option<&str>)> = report
        .rows
        .iter()
        .filter(|r| r.type_id == "armistice-report")
        .map(|r| (r.party.as_str(), r.status, r.due_local.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("CN", Status::OnTime, Some("2027-02-28 24:00 UTC")),
            ("KR", Status::Missing, Some("2027-02-28 24:00 UTC")),
            ("US", Status::Missing, Some("2027-02-28 24:00 UTC")),
        ],
        "JP and RU are not members; KP does not participate"
    );
    let leap = run(regime, &[], 2028, "2028-04-01T00:00:00Z");
    assert_eq!(
        leap.rows[0].due_local.as_deref(),
        Some("2028-02-29 24:00 UTC")
    );
}

#[test]
fn a_restricted_notice_is_owed_acknowledgement_only_by_the_bodys_participating_members() {
    let regime = Regime::parse(PEACE).unwrap();
    let events = [
        submit(
            &regime,
            "cn",
            PartyCode::CN,
            "armistice-report",
            "2027-02-20T00:00:00Z",
            json!({"year": 2027, "summary": "quiet"}),
        ),
        Event::Ack(rsm_regime::Ack {
            party: PartyCode::US,
            of: "cn".into(),
            received: ts("2027-02-20T01:00:00Z"),
        }),
        Event::Ack(rsm_regime::Ack {
            party: PartyCode::JP,
            of: "cn".into(),
            received: ts("2027-02-20T01:00:00Z"),
        }),
    ];
    let report = run(regime, &events, 2027, "2027-04-01T00:00:00Z");
    let acks = &report.acknowledgements[0];
    assert_eq!(acks.entitled, ["KR", "US"]);
    assert_eq!(acks.acknowledged, ["US"]);
    assert_eq!(acks.missing, ["KR"]);
    assert_eq!(report.anomalies.len(), 1);
    assert!(
        report.anomalies[0]
            .problem
            .contains("JP acknowledges `cn` but was not entitled")
    );
}

#[test]
fn an_hour_lead_on_a_date_counts_from_the_start_of_that_day_in_the_deadline_zone() {
    let regime = Regime::parse(PEACE).unwrap();
    // 10 May 00:00 in Seoul is 9 May 15:00Z; 12 hours before is 9 May 03:00Z.
    let events = [
        submit(
            &regime,
            "a",
            PartyCode::JP,
            "drill",
            "2027-05-09T03:00:00Z",
            json!({"day": "2027-05-10"}),
        ),
        submit(
            &regime,
            "b",
            PartyCode::JP,
            "drill",
            "2027-05-09T04:00:00Z",
            json!({"day": "2027-05-10"}),
        ),
        submit(
            &regime,
            "c",
            PartyCode::JP,
            "drill",
            "2027-05-09T15:00:00Z",
            json!({"day": "2027-05-10"}),
        ),
    ];
    let report = run(regime, &events, 2027, "2027-06-01T00:00:00Z");
    let statuses: Vec<(&str, Status)> = report
        .rows
        .iter()
        .filter(|r| r.type_id == "drill")
        .map(|r| (r.subject.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("a", Status::OnTime),
            ("b", Status::Late { by_seconds: 3600 }),
            (
                "c",
                Status::NotifiedAtStart {
                    after_start_seconds: 0
                }
            ),
        ]
    );
    assert_eq!(report.rows[3].due, Some(ts("2027-05-09T03:00:00Z")));
}

fn activity(start: &str, troops: i64) -> Value {
    json!({
        "designation": "X", "purpose": "Y", "activity_type": "land", "parties_involved": ["KR"],
        "command_level": "division", "area": {"centre": [127.0, 37.0], "radius_km": 10},
        "window": {"start": start, "end": "2027-12-30T00:00", "zone": "Asia/Seoul"},
        "troops": troops
    })
}

#[test]
fn an_amendment_chain_is_judged_on_its_latest_content_and_lists_every_entry() {
    let r = default_regime().unwrap();
    let ma = "military-activity";
    let events = [
        // Due 24:00 Seoul on 2027-08-20 for a start on 1 October.
        submit(
            &r,
            "o",
            PartyCode::KR,
            ma,
            "2027-08-01T00:00:00Z",
            activity("2027-10-01T06:00", 8000),
        ),
        // The first amendment raises troops above the threshold, before the deadline.
        amend(
            &r,
            "a1",
            "o",
            PartyCode::KR,
            ma,
            "2027-08-05T00:00:00Z",
            activity("2027-10-01T06:00", 9500),
        ),
        // The second amends the first and brings the start forward: the deadline (24:00
        // Seoul on 2027-07-30) had passed when the original was received.
        amend(
            &r,
            "a2",
            "a1",
            PartyCode::KR,
            ma,
            "2027-08-06T00:00:00Z",
            activity("2027-09-10T06:00", 9500),
        ),
    ];
    let report = run(r, &events, 2027, "2027-12-31T00:00:00Z");
    let row = report.rows.iter().find(|r| r.subject == "o").unwrap();
    assert_eq!(row.notices, ["o", "a1", "a2"]);
    assert_eq!(row.due, Some(ts("2027-07-30T15:00:00Z")));
    // From 2027-07-30T15:00Z to 2027-08-01T00:00Z: 1 day 9 hours.
    assert_eq!(
        row.status,
        Status::Late {
            by_seconds: 86_400 + 9 * 3600
        }
    );
}

#[test]
fn unknown_types_duplicates_and_dangling_references_are_anomalies() {
    let r = default_regime().unwrap();
    let cal = json!({"year": 2028, "activities": "x"});
    let mut events = vec![
        submit(
            &r,
            "n1",
            PartyCode::CN,
            "annual-calendar",
            "2027-11-01T00:00:00Z",
            cal.clone(),
        ),
        submit(
            &r,
            "n1",
            PartyCode::CN,
            "annual-calendar",
            "2027-11-02T00:00:00Z",
            cal.clone(),
        ),
        amend(
            &r,
            "n2",
            "ghost",
            PartyCode::CN,
            "annual-calendar",
            "2027-11-03T00:00:00Z",
            cal.clone(),
        ),
    ];
    let Event::Submitted(mut odd) = submit(
        &r,
        "n3",
        PartyCode::JP,
        "annual-calendar",
        "2027-11-04T00:00:00Z",
        cal,
    ) else {
        unreachable!()
    };
    odd.type_id = "weather-report".into();
    events.push(Event::Submitted(odd));
    let report = run(r, &events, 2027, "2027-12-31T00:00:00Z");
    let problems: Vec<(&str, &str)> = report
        .anomalies
        .iter()
        .map(|a| (a.event.as_str(), a.problem.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            ("n1", "duplicate event id; the later event is ignored"),
            ("n2", "refers to `ghost`, which was not received before it"),
            ("n3", "type `weather-report` is in no version of the regime"),
        ]
    );
    let jp = report.rows.iter().find(|r| r.subject == "n3").unwrap();
    assert_eq!(jp.status.code(), "voluntary");
}

#[test]
fn the_history_validates_against_the_version_in_force_at_receipt() {
    let h = RegimeHistory::single(
        default_regime().unwrap(),
        ts("2026-01-01T00:00:00Z"),
        "Founding Declaration",
    );
    let content = json!({"year": 2028, "activities": "x"});
    assert!(
        h.validate_at("annual-calendar", &content, ts("2027-01-01T00:00:00Z"))
            .is_ok()
    );
    assert_eq!(
        h.validate_at("annual-calendar", &content, ts("2025-01-01T00:00:00Z"))
            .unwrap_err(),
        SubmitError::NoRegimeInForce(ts("2025-01-01T00:00:00Z"))
    );
    let err = h
        .validate_at("weather", &content, ts("2027-01-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`weather` is not a notification type of regime version 1"
    );
    let err = h
        .validate_at(
            "annual-calendar",
            &json!({"year": "next"}),
            ts("2027-01-01T00:00:00Z"),
        )
        .unwrap_err();
    let SubmitError::Invalid(fields) = &err else {
        panic!("{err}")
    };
    assert_eq!(fields.len(), 2, "{err}");
}

/// Regression: the first annual notice *received* counts, not the one with the smallest id.
#[test]
fn the_earliest_received_annual_notice_counts_whatever_its_id() {
    let r = default_regime().unwrap();
    let cal = json!({"year": 2028, "activities": "x"});
    let events = [
        submit(
            &r,
            "z-early",
            PartyCode::CN,
            "annual-calendar",
            "2027-11-01T00:00:00Z",
            cal.clone(),
        ),
        submit(
            &r,
            "a-late",
            PartyCode::CN,
            "annual-calendar",
            "2027-11-20T00:00:00Z",
            cal,
        ),
    ];
    let report = run(r, &events, 2027, "2027-12-31T00:00:00Z");
    let row = report
        .rows
        .iter()
        .find(|r| r.party == "CN" && r.type_id == "annual-calendar")
        .unwrap();
    assert_eq!(row.status, Status::OnTime);
    assert_eq!(row.received, Some(ts("2027-11-01T00:00:00Z")));
    assert_eq!(row.notices, ["z-early", "a-late"]);
}

#[test]
fn a_restricted_types_rows_are_concealed_from_non_members_and_the_public() {
    let regime = Regime::parse(PEACE).unwrap();
    let events = [
        submit(
            &regime,
            "cn",
            PartyCode::CN,
            "armistice-report",
            "2027-02-20T00:00:00Z",
            json!({"year": 2027, "summary": "quiet"}),
        ),
        Event::Ack(rsm_regime::Ack {
            party: PartyCode::JP,
            of: "cn".into(),
            received: ts("2027-02-20T01:00:00Z"),
        }),
        submit(
            &regime,
            "d",
            PartyCode::JP,
            "drill",
            "2027-05-01T00:00:00Z",
            json!({"day": "2027-05-10"}),
        ),
    ];
    let report = run(regime, &events, 2027, "2027-06-01T00:00:00Z");
    let bodies = default_bodies(2026);
    let types = |r: &ComplianceReport| -> Vec<String> {
        let mut t: Vec<String> = r.rows.iter().map(|x| x.type_id.clone()).collect();
        t.extend(
            r.acknowledgements
                .iter()
                .map(|a| format!("ack {}", a.notification)),
        );
        t.extend(r.anomalies.iter().map(|a| format!("anomaly {}", a.event)));
        t.sort();
        t.dedup();
        t
    };
    assert_eq!(
        types(&report.visible_to(Some(PartyCode::KR), &bodies)),
        [
            "ack cn",
            "ack d",
            "anomaly ack:JP:cn",
            "armistice-report",
            "drill"
        ]
    );
    assert_eq!(
        types(&report.visible_to(Some(PartyCode::JP), &bodies)),
        ["ack d", "drill"]
    );
    assert_eq!(types(&report.visible_to(None, &bodies)), ["ack d", "drill"]);
    let json = rsm_regime::to_json(&report.visible_to(Some(PartyCode::US), &bodies));
    assert!(json.contains("\"restricted_to\": \"peace-regime-talks\""));
}

#[test]
fn the_near_threshold_margin_and_count_are_configurable() {
    let r = default_regime().unwrap();
    let ma = "military-activity";
    let events = [
        submit(
            &r,
            "a",
            PartyCode::RU,
            ma,
            "2027-03-01T00:00:00Z",
            activity("2027-05-01T06:00", 8600),
        ),
        submit(
            &r,
            "b",
            PartyCode::RU,
            ma,
            "2027-03-02T00:00:00Z",
            activity("2027-05-02T06:00", 8200),
        ),
    ];
    let h = RegimeHistory::single(r, ts("2026-01-01T00:00:00Z"), "Founding Declaration");
    let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
    let b = default_bodies(2026);
    let ctx = Context {
        history: &h,
        timeline: &t,
        bodies: &b,
    };
    let with = |near_margin_percent, near_min_count| {
        let options = ComplianceOptions {
            near_margin_percent,
            near_min_count,
        };
        let report = compute(ctx, &events, 2027, ts("2027-12-31T00:00:00Z"), &options);
        report
            .patterns
            .iter()
            .map(|p| p.activities.iter().map(|a| a.value).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with(10, 2),
        [vec![8600, 8200]],
        "8,200 is within 10 % of 9,000 (8,100)"
    );
    assert!(
        with(5, 2).is_empty(),
        "within 5 % (8,550) only 8,600: one is not a pattern"
    );
    assert_eq!(with(5, 1), [vec![8600]]);
}
