//! `VTIMEZONE` components for the iCalendar feed, generated from jiff's time zone database,
//! so that a client that does not know an IANA name (Outlook) places each event exactly
//! where one that does (Google) places it.
//!
//! A component lists the observance in force at the start of the range, then every
//! transition up to its end, each as a one-off `STANDARD` or `DAYLIGHT` observance whose
//! `DTSTART` is the local time (in the offset before it) at which it begins. No `RRULE` is
//! guessed: the database's own transitions are the truth, including rule changes.

use std::collections::BTreeMap;

use jiff::{
    SignedDuration, Timestamp,
    tz::{Offset, TimeZone},
};

fn offset(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, (a % 3600) / 60, a % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn local(t: Timestamp, o: Offset) -> String {
    o.to_datetime(t).strftime("%Y%m%dT%H%M%S").to_string()
}

/// The `VTIMEZONE` of `zone`, named `tzid`, valid for events between `from` and `to`.
pub fn vtimezone(zone: &TimeZone, tzid: &str, from: Timestamp, to: Timestamp) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n");
    let first = zone.to_offset_info(from);
    let mut previous = first.offset();
    let kind = |dst: bool| if dst { "DAYLIGHT" } else { "STANDARD" };
    out.push_str(&format!(
        "BEGIN:{k}\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{o}\r\nTZOFFSETTO:{o}\r\nTZNAME:{n}\r\nEND:{k}\r\n",
        k = kind(first.dst().is_dst()),
        o = offset(previous),
        n = first.abbreviation(),
    ));
    for t in zone.following(from) {
        if t.timestamp() > to {
            break;
        }
        out.push_str(&format!(
            "BEGIN:{k}\r\nDTSTART:{start}\r\nTZOFFSETFROM:{before}\r\nTZOFFSETTO:{after}\r\nTZNAME:{n}\r\nEND:{k}\r\n",
            k = kind(t.dst().is_dst()),
            start = local(t.timestamp(), previous),
            before = offset(previous),
            after = offset(t.offset()),
            n = t.abbreviation(),
        ));
        previous = t.offset();
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// The instants each zone must cover, by TZID.
#[derive(Debug, Default)]
pub struct Zones(BTreeMap<String, (TimeZone, Timestamp, Timestamp)>);

impl Zones {
    /// Notes that an event in `zone` (named `tzid`) happens at `t`.
    pub fn note(&mut self, tzid: &str, zone: &TimeZone, t: Timestamp) {
        self.0
            .entry(tzid.to_owned())
            .and_modify(|(_, a, b)| {
                *a = (*a).min(t);
                *b = (*b).max(t);
            })
            .or_insert((zone.clone(), t, t));
    }

    /// One `VTIMEZONE` per zone, each covering its events with a day to spare either side.
    pub fn components(&self) -> String {
        let day = SignedDuration::from_hours(24);
        self.0
            .iter()
            .map(|(tzid, (zone, a, b))| {
                let from = a.checked_sub(day).unwrap_or(*a);
                let to = b.checked_add(day).unwrap_or(*b);
                vtimezone(zone, tzid, from, to)
            })
            .collect()
    }

    /// `calendar` (an iCalendar text) with the components inserted before its first
    /// component, as RFC 5545 recommends.
    pub fn insert_into(&self, calendar: &str) -> String {
        let components = self.components();
        let at = calendar
            .find("BEGIN:VEVENT")
            .or_else(|| calendar.find("END:VCALENDAR"))
            .unwrap_or(calendar.len());
        format!("{}{components}{}", &calendar[..at], &calendar[at..])
    }
}
