//! Validation of notification content: every failing field is listed with path, rule and value.

use serde_json::{Value, json};

use rsm_regime::{FieldRule, FieldValue, notice::FieldError};

use crate::support::{regime, ty};

fn military(overrides: Value) -> Value {
    let mut base = json!({
        "designation": "Eastern Shield", "purpose": "training", "activity_type": "land",
        "parties_involved": ["KR"], "command_level": "division",
        "window": {"start": "2027-04-12T06:00", "end": "2027-04-20T18:00", "zone": "Asia/Seoul"},
        "area": {"centre": [127.0, 37.5], "radius_km": 30}, "troops": 9500
    });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn errors(content: Value) -> Vec<FieldError> {
    let r = regime();
    ty(&r, "military-activity")
        .validate(&content)
        .expect_err("must fail")
}

fn has(errs: &[FieldError], path: &str, rule: FieldRule) -> FieldError {
    errs.iter()
        .find(|e| e.path == path && e.rule == rule)
        .cloned()
        .unwrap_or_else(|| panic!("expected {path} {rule:?} in {errs:#?}"))
}

#[test]
fn a_valid_notice_is_typed() {
    let r = regime();
    let n = ty(&r, "military-activity")
        .validate(&military(json!({})))
        .unwrap();
    assert_eq!(n.integer("troops"), Some(9500));
    let Some(FieldValue::TimeWindow { start, .. }) = n.get("window") else {
        panic!("window")
    };
    assert_eq!(start.timestamp().to_string(), "2027-04-11T21:00:00Z");
    assert!(
        n.get("tanks").is_none(),
        "absent optional fields stay absent"
    );
}

#[test]
fn every_failing_field_is_listed_at_once() {
    let errs = errors(military(json!({
        "troops": -5, "activity_type": "submarine", "designation": null, "colour": "red",
        "purpose": 42
    })));
    assert_eq!(errs.len(), 5, "{errs:#?}");
    let e = has(&errs, "troops", FieldRule::BelowMin);
    assert_eq!(e.value, Some(json!(-5)));
    assert!(
        e.to_string()
            .contains("troops: must be at least 0 troops (below_min); got -5"),
        "{e}"
    );
    has(&errs, "activity_type", FieldRule::UnknownValue);
    assert!(
        has(&errs, "designation", FieldRule::Required)
            .value
            .is_none()
    );
    has(&errs, "colour", FieldRule::UnknownField);
    has(&errs, "purpose", FieldRule::WrongType);
}

#[test]
fn integers_respect_max_and_type() {
    has(
        &errors(military(json!({"troops": 3_000_000}))),
        "troops",
        FieldRule::AboveMax,
    );
    has(
        &errors(military(json!({"troops": 12.5}))),
        "troops",
        FieldRule::WrongType,
    );
    has(
        &errors(military(json!({"troops": "9000"}))),
        "troops",
        FieldRule::WrongType,
    );
}

#[test]
fn text_length_counts_characters() {
    let long = "가".repeat(201);
    let e = has(
        &errors(military(json!({"designation": long}))),
        "designation",
        FieldRule::TooLong,
    );
    assert!(e.message.contains("201"));
    let r = regime();
    let ok = military(json!({"designation": "가".repeat(200)}));
    assert!(ty(&r, "military-activity").validate(&ok).is_ok());
}

#[test]
fn time_windows_need_an_iana_zone_and_order() {
    let w = |start: &str, end: &str, zone: Value| {
        military(json!({"window": {"start": start, "end": end, "zone": zone}}))
    };
    has(
        &errors(w(
            "2027-04-12T06:00",
            "2027-04-11T06:00",
            json!("Asia/Seoul"),
        )),
        "window.end",
        FieldRule::EndBeforeStart,
    );
    has(
        &errors(w(
            "2027-04-12T06:00",
            "2027-04-13T06:00",
            json!("Asia/Atlantis"),
        )),
        "window.zone",
        FieldRule::BadZone,
    );
    has(
        &errors(w("2027-04-12T06:00", "2027-04-13T06:00", json!("+09:00"))),
        "window.zone",
        FieldRule::BadZone,
    );
    has(
        &errors(w("2027-04-12", "2027-04-13T06:00", json!("Asia/Seoul"))),
        "window.start",
        FieldRule::BadDateTime,
    );
    has(
        &errors(w(
            "2027-04-12T06:00Z",
            "2027-04-13T06:00",
            json!("Asia/Seoul"),
        )),
        "window.start",
        FieldRule::BadDateTime,
    );
    let errs = errors(military(
        json!({"window": {"start": "2027-04-12T06:00", "end": "2027-04-13T06:00"}}),
    ));
    has(&errs, "window.zone", FieldRule::Required);
    has(
        &errors(military(
            json!({"window": {"start": "2027-04-12T06:00", "end": "2027-04-13T06:00", "zone": "Asia/Seoul", "x": 1}}),
        )),
        "window.x",
        FieldRule::UnknownField,
    );
}

#[test]
fn areas_are_checked_as_polygons_or_circles() {
    let bow_tie = json!({"polygon": [[0, 0], [1, 1], [1, 0], [0, 1]]});
    let e = has(
        &errors(military(json!({"area": bow_tie}))),
        "area.polygon",
        FieldRule::BadPolygon,
    );
    assert!(e.message.contains("intersect"), "{e}");
    let two = json!({"polygon": [[0, 0], [1, 1], [0, 0]]});
    has(
        &errors(military(json!({"area": two}))),
        "area.polygon",
        FieldRule::BadPolygon,
    );
    let off = json!({"polygon": [[0, 0], [200, 1], [1, 0]]});
    has(
        &errors(military(json!({"area": off}))),
        "area.polygon",
        FieldRule::BadPolygon,
    );
    let not_point = json!({"polygon": [[0, 0], [1], [1, 0]]});
    has(
        &errors(military(json!({"area": not_point}))),
        "area.polygon[1]",
        FieldRule::WrongType,
    );
    let circle = json!({"centre": [127, 95], "radius_km": 10});
    has(
        &errors(military(json!({"area": circle}))),
        "area",
        FieldRule::BadCircle,
    );
    let no_radius = json!({"centre": [127, 38]});
    has(
        &errors(military(json!({"area": no_radius}))),
        "area.radius_km",
        FieldRule::Required,
    );
    has(
        &errors(military(json!({"area": "Korea"}))),
        "area",
        FieldRule::WrongType,
    );
}

#[test]
fn parties_must_be_codes_without_repeats() {
    let errs = errors(military(json!({"parties_involved": ["KR", "XX", "KR", 5]})));
    has(&errs, "parties_involved[1]", FieldRule::UnknownParty);
    has(&errs, "parties_involved[2]", FieldRule::Duplicate);
    has(&errs, "parties_involved[3]", FieldRule::WrongType);
    has(
        &errors(military(json!({"parties_involved": []}))),
        "parties_involved",
        FieldRule::Empty,
    );
}

#[test]
fn attachments_need_a_name_and_a_sha256() {
    let errs = errors(military(json!({"attachments": [
        {"name": "a.pdf", "sha256": "xyz"}, {"sha256": "ab".repeat(32)}, "file"
    ]})));
    has(&errs, "attachments[0].sha256", FieldRule::BadSha256);
    has(&errs, "attachments[1].name", FieldRule::Required);
    has(&errs, "attachments[2]", FieldRule::WrongType);
}

#[test]
fn date_ranges_must_not_end_before_they_start() {
    let r = regime();
    let t = ty(&r, "clarification-request");
    let base = |dates: Value| json!({"addressee": ["RU"], "activity": "a", "questions": "q", "dates": dates});
    let errs = t
        .validate(&base(json!({"start": "2027-07-03", "end": "2027-07-01"})))
        .unwrap_err();
    has(&errs, "dates.end", FieldRule::EndBeforeStart);
    let errs = t
        .validate(&base(json!({"start": "2027-02-30", "end": "2027-07-01"})))
        .unwrap_err();
    has(&errs, "dates.start", FieldRule::BadDate);
    let errs = t
        .validate(&base(
            json!({"start": "2027-07-01T00:00", "end": "2027-07-01"}),
        ))
        .unwrap_err();
    has(&errs, "dates.start", FieldRule::BadDate);
    assert!(
        t.validate(&base(json!({"start": "2027-07-01", "end": "2027-07-01"})))
            .is_ok()
    );
}

#[test]
fn booleans_datetimes_and_non_objects() {
    let r = regime();
    let cal = ty(&r, "annual-calendar");
    let errs = cal
        .validate(&json!({"year": 2028, "activities": "x", "none_planned": "no"}))
        .unwrap_err();
    has(&errs, "none_planned", FieldRule::WrongType);
    let errs = cal.validate(&json!([1, 2])).unwrap_err();
    has(&errs, "", FieldRule::NotObject);
    let post = ty(&r, "launch-post");
    let errs = post
        .validate(&json!({"launch_class": "srbm", "outcome": "nominal", "launched_at": {"time": "yesterday", "zone": "Asia/Pyongyang"}}))
        .unwrap_err();
    has(&errs, "launched_at.time", FieldRule::BadDateTime);
}
