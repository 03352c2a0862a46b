//! Shared fixtures: the founding bodies and timeline, the Council, Seoul time.

use jiff::{Timestamp, civil::date, tz::TimeZone};
use rsm_core::{
    body::{Body, default_bodies},
    decision::{Author, DecisionEvent, DecisionKind, Draft, EventKind},
    participation::Timeline,
};

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn council() -> Body {
    default_bodies(2026).remove(0)
}

pub fn founding() -> Timeline {
    Timeline::founding(date(2026, 1, 1), "Founding Declaration")
}

pub fn seoul() -> TimeZone {
    TimeZone::get("Asia/Seoul").unwrap()
}

pub fn draft(body: &Body, title: &str, kind: DecisionKind, at: Timestamp) -> Draft {
    Draft::new(
        body.id.clone(),
        title,
        kind,
        &format!("The Council decides on {title}."),
        at,
        Author::Secretariat,
    )
    .unwrap()
}

pub fn ev(seq: u64, at: Timestamp, kind: EventKind) -> DecisionEvent {
    DecisionEvent { seq, at, kind }
}
