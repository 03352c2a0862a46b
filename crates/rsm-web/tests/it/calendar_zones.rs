//! The iCalendar feed's `VTIMEZONE` components: read back the way a client that knows no
//! IANA names (Outlook) reads them, every instant of a year gets the offset jiff's database
//! gives; the feed carries one component per zone it uses, before the events.

use jiff::{SignedDuration, Timestamp, civil::DateTime, tz::TimeZone};
use rsm_web::ics::vtimezone;

/// The offset (seconds) a client derives at `t` from a `VTIMEZONE` text: the `TZOFFSETTO`
/// of the latest observance whose onset (its local `DTSTART` in `TZOFFSETFROM`) is not
/// after `t`.
fn offset_read_back(component: &str, t: Timestamp) -> i32 {
    let mut best: Option<(Timestamp, i32)> = None;
    let mut start = None;
    let mut from = None;
    for line in component.split("\r\n") {
        if let Some(v) = line.strip_prefix("DTSTART:") {
            start = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("TZOFFSETFROM:") {
            from = Some(seconds(v));
        } else if let Some(v) = line.strip_prefix("TZOFFSETTO:") {
            let to = seconds(v);
            let local: DateTime =
                DateTime::strptime("%Y%m%dT%H%M%S", start.take().unwrap()).unwrap();
            let onset = local
                .to_zoned(TimeZone::UTC)
                .unwrap()
                .timestamp()
                .checked_sub(SignedDuration::from_secs(i64::from(from.take().unwrap())))
                .unwrap();
            if onset <= t && best.is_none_or(|(b, _)| onset >= b) {
                best = Some((onset, to));
            }
        }
    }
    best.expect("an observance in force").1
}

fn seconds(v: &str) -> i32 {
    let sign = if v.starts_with('-') { -1 } else { 1 };
    let d = &v[1..];
    let h: i32 = d[0..2].parse().unwrap();
    let m: i32 = d[2..4].parse().unwrap();
    let s: i32 = d.get(4..6).map_or(0, |s| s.parse().unwrap());
    sign * (h * 3600 + m * 60 + s)
}

#[test]
fn every_instant_reads_back_with_the_databases_offset() {
    let from: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let to: Timestamp = "2027-12-31T00:00:00Z".parse().unwrap();
    for name in [
        "America/New_York",
        "Europe/Moscow",
        "Asia/Seoul",
        "Asia/Tokyo",
        "Asia/Shanghai",
        "Australia/Lord_Howe",
        "UTC",
    ] {
        let zone = TimeZone::get(name).unwrap();
        let component = vtimezone(&zone, name, from, to);
        assert!(component.starts_with(&format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\n")));
        let mut t = from;
        while t < to {
            assert_eq!(
                offset_read_back(&component, t),
                zone.to_offset(t).seconds(),
                "{name} at {t}\n{component}"
            );
            t = t.checked_add(SignedDuration::from_mins(97)).unwrap();
        }
    }
}

#[test]
fn a_dst_zone_lists_its_transitions_in_local_time() {
    let zone = TimeZone::get("America/New_York").unwrap();
    let c = vtimezone(
        &zone,
        "America/New_York",
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2026-12-31T00:00:00Z".parse().unwrap(),
    );
    assert!(
        c.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT"
        ),
        "{c}"
    );
    assert!(
        c.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD"
        ),
        "{c}"
    );
    let seoul = vtimezone(
        &TimeZone::get("Asia/Seoul").unwrap(),
        "Asia/Seoul",
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2026-12-31T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(
        seoul,
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Seoul\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
         TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:KST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    );
}

#[tokio::test]
async fn the_feed_defines_every_zone_it_names_before_the_events() {
    let app = crate::TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/silence",
            "officer",
            Some(serde_json::json!({"until": "2026-03-30T09:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A draft of no meeting keeps its deadline in UTC.
    let d = app
        .call(
            "POST",
            "/api/v1/drafts",
            "officer",
            Some(serde_json::json!({"body": "ministerial-council", "title": "Ports", "text": "The Council …"})),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.text);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/drafts/{}/silence", d.json["id"]),
            "officer",
            Some(serde_json::json!({"until": "2026-03-31T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ics = app
        .call(
            "GET",
            "/api/v1/calendar.ics?token=tok-kr.delegate",
            "public",
            None,
        )
        .await
        .text;
    let first_event = ics.find("BEGIN:VEVENT").expect("events");
    let mut named: Vec<&str> = ics
        .split("\r\n")
        .filter_map(|l| {
            l.split_once(";TZID=")
                .map(|(_, rest)| rest.split(':').next().unwrap())
        })
        .collect();
    named.sort();
    named.dedup();
    assert_eq!(named, vec!["Asia/Seoul", "UTC"], "{ics}");
    for tzid in named {
        let def = format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n");
        assert_eq!(ics.matches(&def).count(), 1, "{tzid}: {ics}");
        assert!(ics.find(&def).unwrap() < first_event, "{ics}");
    }
    // An outsider's feed defines no zone for the restricted meeting it does not see, and
    // the components say nothing about it either.
    let jp = app
        .call(
            "GET",
            "/api/v1/calendar.ics?token=tok-jp.delegate",
            "public",
            None,
        )
        .await
        .text;
    assert!(jp.contains("TZID:Asia/Seoul"), "{jp}");
    assert!(!jp.contains("First round"), "{jp}");
}
