//! The shipped Northeast Asia regime: it parses, has every type the mission needs, and each
//! type accepts a realistic sample.

use serde_json::json;

use crate::support::{regime, ty};

#[test]
fn default_regime_has_every_required_type_with_an_origin() {
    let r = regime();
    assert_eq!(r.id, "northeast-asia");
    let ids: Vec<&str> = r.types().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "military-activity",
            "observation-invitation",
            "annual-calendar",
            "annual-exchange",
            "defence-planning",
            "launch-pre",
            "launch-post",
            "nuclear-modernisation",
            "missile-defence",
            "hazardous-incident",
            "clarification-request",
            "clarification-reply",
            "security-outlook",
        ]
    );
    for t in r.types() {
        assert!(t.origin.len() > 40, "{} needs an origin note", t.id);
    }
    assert_eq!(
        ty(&r, "launch-pre").id.log_entry_type(),
        "notification.launch-pre"
    );
    // Fields keep file order (forms are generated from it).
    let names: Vec<&str> = ty(&r, "military-activity")
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(&names[..3], ["designation", "purpose", "activity_type"]);
    assert!(
        r.reply_type()
            .is_some_and(|t| t.id.as_str() == "clarification-reply")
    );
}

pub fn samples() -> Vec<(&'static str, serde_json::Value)> {
    let square = json!({"polygon": [[127.0, 37.5], [128.0, 37.5], [128.0, 38.0], [127.0, 38.0]]});
    let circle = json!({"centre": [131.0, 40.0], "radius_km": 60});
    let sha = "ab".repeat(32);
    vec![
        (
            "military-activity",
            json!({
                "designation": "Eastern Shield 2027", "purpose": "Defensive field training",
                "activity_type": "land", "parties_involved": ["KR", "US"], "command_level": "division",
                "window": {"start": "2027-04-12T06:00", "end": "2027-04-20T18:00", "zone": "Asia/Seoul"},
                "area": square, "troops": 9500, "tanks": 120,
                "attachments": [{"name": "map.pdf", "sha256": sha}]
            }),
        ),
        (
            "observation-invitation",
            json!({
                "activity_notification": "log/123", "activity_type": "land",
                "window": {"start": "2027-04-12T06:00", "end": "2027-04-20T18:00", "zone": "Asia/Seoul"},
                "troops": 14000, "observers_per_party": 2, "programme": "Day 1: briefing"
            }),
        ),
        (
            "annual-calendar",
            json!({"year": 2028, "activities": "One division exercise in April"}),
        ),
        (
            "annual-exchange",
            json!({
                "year": 2028, "command_organisation": "…", "personnel": 500000, "major_systems": "…"
            }),
        ),
        (
            "defence-planning",
            json!({
                "year": 2027, "policy_and_doctrine": "…", "force_planning": "…", "budget": 45000
            }),
        ),
        (
            "launch-pre",
            json!({
                "launch_class": "space-launch", "number": 1,
                "launch_window": {"start": "2027-05-01T10:00", "end": "2027-05-01T14:00", "zone": "Asia/Shanghai"},
                "launch_area": circle, "impact_area": square, "azimuth": 95
            }),
        ),
        (
            "launch-post",
            json!({
                "launch_class": "space-launch", "outcome": "orbit-reached",
                "launched_at": {"time": "2027-05-01T11:02", "zone": "Asia/Shanghai"}
            }),
        ),
        (
            "nuclear-modernisation",
            json!({
                "year": 2027, "systems": "…", "planned_changes": "none", "granularity": "national-total"
            }),
        ),
        (
            "missile-defence",
            json!({"year": 2027, "systems": "…", "batteries": 2, "site_area": circle}),
        ),
        (
            "hazardous-incident",
            json!({
                "occurred_at": {"time": "2027-06-03T02:15", "zone": "Asia/Tokyo"},
                "area": circle, "description": "Close approach of aircraft", "contact": "duty officer",
                "parties_concerned": ["JP", "CN"]
            }),
        ),
        (
            "clarification-request",
            json!({
                "addressee": ["RU"], "activity": "Unscheduled movement", "questions": "Purpose?",
                "dates": {"start": "2027-07-01", "end": "2027-07-03"}
            }),
        ),
        (
            "clarification-reply",
            json!({"request": "log/200", "objectives": "Readiness check"}),
        ),
        (
            "security-outlook",
            json!({
                "year": 2027, "regional_outlook": "…", "spending_permille_gdp": 27
            }),
        ),
    ]
}

#[test]
fn each_type_validates_a_sample() {
    let r = regime();
    let samples = samples();
    assert_eq!(samples.len(), r.types().len(), "one sample per type");
    for (id, content) in samples {
        let notice = ty(&r, id)
            .validate(&content)
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert_eq!(notice.type_id.as_str(), id);
    }
}

#[test]
fn default_regime_figures_match_the_facts() {
    use rsm_regime::regime::{Deadline, DeadlineZone, Lead};
    let r = regime();
    let ma = ty(&r, "military-activity");
    let t: Vec<(String, i64, bool)> = ma
        .threshold
        .as_ref()
        .unwrap()
        .any
        .iter()
        .map(|c| (c.field.clone(), c.at_least, c.when.is_some()))
        .collect();
    assert_eq!(
        t,
        [
            ("troops".into(), 9000, false),
            ("tanks".into(), 250, false),
            ("acv".into(), 500, false),
            ("artillery".into(), 250, false),
            ("troops".into(), 3000, true),
        ]
    );
    assert!(matches!(
        &ma.deadline,
        Deadline::BeforeStart {
            lead: Lead::Days(42),
            zone: DeadlineZone::Activity,
            ..
        }
    ));
    assert!(matches!(
        ty(&r, "annual-exchange").deadline,
        Deadline::Annual {
            month: 12,
            day: 15,
            for_next_year: true,
            ..
        }
    ));
    assert!(matches!(
        ty(&r, "annual-calendar").deadline,
        Deadline::Annual {
            month: 11,
            day: 15,
            for_next_year: true,
            ..
        }
    ));
    assert!(matches!(
        ty(&r, "launch-pre").deadline,
        Deadline::BeforeStart {
            lead: Lead::Hours(24),
            ..
        }
    ));
    match &ty(&r, "clarification-reply").deadline {
        Deadline::AfterRequest {
            hours: 48,
            escalation,
        } => {
            assert_eq!(escalation.len(), 2);
            assert!(escalation.iter().all(|s| s.within_hours == 48));
        }
        other => panic!("{other:?}"),
    }
    assert!(ty(&r, "nuclear-modernisation").voluntary);
    assert!(ty(&r, "missile-defence").voluntary);
    assert!(ty(&r, "security-outlook").voluntary);
}
