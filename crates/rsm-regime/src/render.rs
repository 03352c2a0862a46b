//! CSV and JSON renderings of a compliance report: pure functions with a stable order, so
//! two parties computing from the same events get byte-identical files.

use crate::compliance::{ComplianceReport, ObligationRow};

/// The CSV header of [`to_csv`].
pub const CSV_HEADER: &str = "year,party,type,basket,subject,regime_version,due_utc,due_local,received_utc,status,delay_seconds,delay,reason,notices";

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A delay as `2d 3h 4m 5s` (leading zero units omitted).
pub fn human_delay(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    let mut out = String::from(sign);
    if d > 0 {
        out += &format!("{d}d ");
    }
    if d > 0 || h > 0 {
        out += &format!("{h}h ");
    }
    if d > 0 || h > 0 || m > 0 {
        out += &format!("{m}m ");
    }
    out += &format!("{sec}s");
    out
}

fn csv_row(year: i16, r: &ObligationRow) -> String {
    let delay = r.status.delay_seconds();
    let reason = match r.status {
        crate::compliance::Status::Voluntary { reason } => serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        _ => String::new(),
    };
    [
        year.to_string(),
        r.party.clone(),
        r.type_id.clone(),
        r.basket.clone(),
        r.subject.clone(),
        r.regime_version.clone().unwrap_or_default(),
        r.due.map(|t| t.to_string()).unwrap_or_default(),
        r.due_local.clone().unwrap_or_default(),
        r.received.map(|t| t.to_string()).unwrap_or_default(),
        r.status.code().to_owned(),
        delay.map(|d| d.to_string()).unwrap_or_default(),
        delay.map(human_delay).unwrap_or_default(),
        reason,
        r.notices.join(" "),
    ]
    .iter()
    .map(|s| field(s))
    .collect::<Vec<_>>()
    .join(",")
}

/// The compliance table as CSV (header, one line per obligation, `\n` line ends).
pub fn to_csv(report: &ComplianceReport) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for r in &report.rows {
        out += &csv_row(report.year, r);
        out.push('\n');
    }
    out
}

/// The whole report (table, patterns, consultations, acknowledgements, anomalies) as
/// pretty-printed JSON with a final newline.
pub fn to_json(report: &ComplianceReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report types serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_as_days_hours_minutes() {
        assert_eq!(human_delay(5), "5s");
        assert_eq!(human_delay(3_600 * 5), "5h 0m 0s");
        assert_eq!(human_delay(86_400 * 2 + 61), "2d 0h 1m 1s");
        assert_eq!(human_delay(-90), "-1m 30s");
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}
