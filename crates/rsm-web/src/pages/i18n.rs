//! The translation catalogues (Fluent, compiled in), language negotiation and the display
//! of instants in the reader's time zone.
//!
//! Each language has one `i18n/<lang>/main.ftl`. A key missing from a catalogue falls back
//! to English, so a partly translated catalogue still gives a whole page.

use std::{collections::HashMap, sync::LazyLock};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use jiff::{Timestamp, tz::TimeZone};

use crate::api::input::LANGUAGES;

type Bundle = FluentBundle<FluentResource>;

const SOURCES: [(&str, &str); 5] = [
    ("en", include_str!("../../i18n/en/main.ftl")),
    ("ko", include_str!("../../i18n/ko/main.ftl")),
    ("zh", include_str!("../../i18n/zh/main.ftl")),
    ("ja", include_str!("../../i18n/ja/main.ftl")),
    ("ru", include_str!("../../i18n/ru/main.ftl")),
];

/// The compiled catalogues. They are constant data built from the sources above, so one
/// shared copy is as good as one per app.
static CATALOGUES: LazyLock<HashMap<&'static str, Bundle>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, src)| {
            let resource = FluentResource::try_new((*src).to_owned())
                .unwrap_or_else(|(_, errors)| panic!("i18n/{lang}/main.ftl: {errors:?}"));
            let id = lang.parse().expect("language ids are valid");
            let mut bundle = Bundle::new_concurrent(vec![id]);
            // No bidi isolation marks: every language here is left-to-right.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .unwrap_or_else(|e| panic!("i18n/{lang}/main.ftl: {e:?}"));
            (*lang, bundle)
        })
        .collect()
});

/// A language the interface speaks (one of [`LANGUAGES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(&'static str);

impl Lang {
    pub const EN: Lang = Lang("en");

    /// The language for a stored or sent code; English when unknown.
    pub fn from_code(code: &str) -> Self {
        LANGUAGES
            .iter()
            .find(|l| l.eq_ignore_ascii_case(code))
            .map_or(Self::EN, |l| Lang(l))
    }

    /// The first supported language of an `Accept-Language` header, by quality.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut wanted: Vec<(f32, &str)> = accept_language
            .split(',')
            .filter_map(|item| {
                let mut parts = item.trim().split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
        wanted
            .iter()
            .find_map(|(_, tag)| {
                let primary = tag.split(['-', '_']).next().unwrap_or(tag);
                LANGUAGES
                    .iter()
                    .find(|l| l.eq_ignore_ascii_case(primary))
                    .map(|l| Lang(l))
            })
            .unwrap_or(Self::EN)
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// The text of `key` in this language (English when missing).
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text of `key` with named arguments.
    pub fn t_args(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        self.format(key, Some(&fa))
    }

    fn format(self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        for lang in [self.0, "en"] {
            let bundle = &CATALOGUES[lang];
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                let text = bundle.format_pattern(pattern, args, &mut errors);
                return text.into_owned();
            }
        }
        tracing::warn!(key, "missing translation key");
        key.to_owned()
    }

    /// Whether the catalogue of this language itself has `key` (no fallback).
    pub fn has(self, key: &str) -> bool {
        CATALOGUES[self.0].has_message(key)
    }
}

/// Every message id of the English catalogue (for completeness tests).
pub fn english_keys() -> Vec<String> {
    let (_, src) = SOURCES[0];
    src.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, _)| k.trim())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(str::to_owned)
        .collect()
}

/// An instant as the reader sees it: `2026-03-02 12:00 KST (Asia/Seoul)`.
pub fn when(at: Timestamp, tz: &TimeZone) -> String {
    let zoned = at.to_zoned(tz.clone());
    let name = tz.iana_name().unwrap_or("UTC");
    format!("{} ({name})", zoned.strftime("%Y-%m-%d %H:%M %Z"))
}

/// The translation key of an API validation rule, so the rule can be shown in the reader's
/// language; `None` keeps the API's English text.
pub fn rule_key(rule: &str) -> Option<&'static str> {
    // Most specific first: the first needle found in the rule wins.
    const RULES: [(&str, &str); 31] = [
        ("basis must name", "rule-basis"),
        ("may not rewrite past answers", "rule-retroactive"),
        ("recorded in date order", "rule-out-of-order"),
        ("is already", "rule-unchanged"),
        ("must be one of participating", "rule-status"),
        ("is not a party code", "rule-party"),
        ("must name the decision or act", "rule-reason"),
        ("must be public or restricted", "rule-visibility"),
        ("must be ministerial-council", "rule-kind"),
        ("name must not be empty", "rule-name-empty"),
        ("name is longer than", "rule-name-long"),
        ("a restricted body needs", "rule-restricted-members"),
        ("members must not be empty", "rule-no-members"),
        ("which is not a member", "rule-chair-not-member"),
        ("twice", "rule-chair-twice"),
        ("is not valid: use 2–40", "rule-body-id"),
        ("must be at least 12 characters", "rule-password-short"),
        ("must be 3–64 characters", "rule-username"),
        ("must be 1–200 characters", "rule-display-name"),
        ("must be 1–100 characters", "rule-token-name"),
        ("must be read or write", "rule-scope"),
        ("must be between 1 and 3650", "rule-expiry"),
        ("must be an IANA time zone", "rule-time-zone"),
        ("already exists", "rule-exists"),
        ("must fall within the session", "rule-within-session"),
        ("must be the id of a working group", "rule-working-group"),
        ("must be a year such as", "rule-year-any"),
        ("must be a run number", "rule-run-number"),
        ("is not the account's password", "rule-wrong-password"),
        ("its date cannot be after today", "rule-paid-not-future"),
        ("must name where the rate comes from", "rule-rate-source"),
    ];
    RULES
        .iter()
        .find(|(needle, _)| rule.contains(needle))
        .map(|(_, key)| *key)
}

/// A rule of one of the API's common shapes, as a translation key and its arguments; the
/// values in the rule (choices, bounds, counts) are kept as they are, since the reader types
/// them. For rules `rule_key` does not know.
pub fn rule_shape(rule: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    let rule = rule.trim().trim_end_matches('.');
    if rule == "must not be empty" || rule == "must be given" || rule == "is required" {
        return Some(("rule-required", vec![]));
    }
    if let Some(n) = rule
        .strip_prefix("must be a whole number from ")
        .filter(|n| n.parse::<i64>().is_ok())
    {
        return Some(("rule-whole-from", vec![("min", n.to_owned())]));
    }
    // "must be a date YYYY-MM-DD[ between A and B]" and "must be a year between A and B":
    // the bounds differ by field, so they are kept.
    if let Some(rest) = rule.strip_prefix("must be a date YYYY-MM-DD") {
        return match between(rest.trim_start()) {
            Some((min, max)) => Some(("rule-date", vec![("min", min), ("max", max)])),
            None if rest.is_empty() => Some(("rule-date-any", vec![])),
            None => None,
        };
    }
    if let Some((min, max)) = rule.strip_prefix("must be a year ").and_then(between) {
        return Some(("rule-year", vec![("min", min), ("max", max)]));
    }
    if rule.starts_with("must be an RFC 3339 instant") {
        return Some(("rule-instant", vec![]));
    }
    if rule.starts_with("must be an e-mail address") {
        return Some(("rule-email", vec![]));
    }
    // Rules without values.
    const PLAIN: [(&str, &str); 5] = [
        ("must be standard base64", "rule-base64"),
        ("must be 64 hex digits", "rule-hex64"),
        ("must be a JSON object", "rule-json-object"),
        ("must not be negative", "rule-not-negative"),
        ("must be a date and time", "rule-datetime"),
    ];
    if let Some((_, key)) = PLAIN.iter().find(|(text, _)| rule == *text) {
        return Some((key, vec![]));
    }
    // Rules with one count: (before it, after it, key, argument).
    const COUNTED: [(&str, &str, &str, &str); 5] = [
        ("must be at most ", " KiB", "rule-at-most-kib", "size"),
        (
            "must be at least ",
            " characters",
            "rule-at-least-chars",
            "count",
        ),
        (
            "must say why the flow is reversed: 1 to ",
            " characters, no control characters",
            "rule-reversal-reason",
            "count",
        ),
        (
            "must be at most ",
            " characters",
            "rule-at-most-chars",
            "count",
        ),
        (
            "is longer than ",
            " characters",
            "rule-at-most-chars",
            "count",
        ),
    ];
    for (before, after, key, arg) in COUNTED {
        if let Some(n) = rule
            .strip_prefix(before)
            .and_then(|r| r.strip_suffix(after))
            .filter(|n| n.parse::<u64>().is_ok())
        {
            return Some((key, vec![(arg, n.to_owned())]));
        }
    }
    // "must be between 1 and 200 characters" and "must be 1–200 characters".
    if let Some(r) = rule.strip_suffix(" characters") {
        let range = r
            .strip_prefix("must be ")
            .and_then(|r| between(r).or_else(|| dash_range(r)));
        if let Some((min, max)) = range {
            return Some(("rule-chars-between", vec![("min", min), ("max", max)]));
        }
    }
    if let Some(n) = rule
        .strip_prefix("must be a year before ")
        .filter(|n| n.parse::<i32>().is_ok())
    {
        return Some(("rule-year-before", vec![("year", n.to_owned())]));
    }
    if rule == "must be a whole number" || rule == "must be a number" {
        return Some(("rule-whole-number", vec![]));
    }
    if rule.starts_with("must be a local date and time YYYY-MM-DDTHH:MM") {
        return Some(("rule-local-datetime", vec![]));
    }
    if let Some((min, max)) = rule.strip_prefix("must be ").and_then(between) {
        return Some(("rule-between", vec![("min", min), ("max", max)]));
    }
    // "must be one of a, b, c" and "must be a, b or c": a closed list of literal values.
    let list = rule
        .strip_prefix("must be one of ")
        .map(|r| r.split(", ").map(str::to_owned).collect::<Vec<_>>())
        .or_else(|| {
            let r = rule.strip_prefix("must be ")?;
            let (head, last) = r.rsplit_once(" or ")?;
            let mut items: Vec<String> = head.split(", ").map(str::to_owned).collect();
            items.push(last.to_owned());
            Some(items)
        })?;
    (list.len() >= 2 && list.iter().all(|v| is_value(v)))
        .then(|| ("rule-one-of", vec![("choices", list.join(", "))]))
}

/// "between A and B" with two literal values.
fn between(rule: &str) -> Option<(String, String)> {
    rule.strip_prefix("between ")
        .and_then(|r| r.split_once(" and "))
        .filter(|(a, b)| is_value(a) && is_value(b))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
}

/// "A–B" with two whole numbers.
fn dash_range(rule: &str) -> Option<(String, String)> {
    rule.split_once('–')
        .filter(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok())
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
}

/// A literal value of a rule: one word of letters, digits and `-_./:` (no prose).
fn is_value(v: &str) -> bool {
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::negotiate("ko-KR,ko;q=0.9,en;q=0.8").code(), "ko");
        assert_eq!(Lang::negotiate("fr-FR, ja;q=0.5").code(), "ja");
        assert_eq!(Lang::negotiate("de").code(), "en");
        assert_eq!(Lang::negotiate("en;q=0.1, ru;q=0.9").code(), "ru");
        assert_eq!(Lang::negotiate("").code(), "en");
    }

    #[test]
    fn rules_of_common_shapes_keep_their_values() {
        let shape = |r: &str| {
            rule_shape(r).map(|(k, a)| (k, a.into_iter().map(|(_, v)| v).collect::<Vec<_>>()))
        };
        assert_eq!(shape("must not be empty"), Some(("rule-required", vec![])));
        assert_eq!(
            shape("must be rev, add or corr"),
            Some(("rule-one-of", vec!["rev, add, corr".into()]))
        );
        assert_eq!(
            shape("must be one of en, ko, zh, ja, ru"),
            Some(("rule-one-of", vec!["en, ko, zh, ja, ru".into()]))
        );
        assert_eq!(
            shape("must be between 1 and 3650"),
            Some(("rule-between", vec!["1".into(), "3650".into()]))
        );
        assert_eq!(
            shape("must be a whole number from 1"),
            Some(("rule-whole-from", vec!["1".into()]))
        );
        assert_eq!(
            shape("must be at most 200 characters"),
            Some(("rule-at-most-chars", vec!["200".into()]))
        );
        assert_eq!(
            shape("must be a year between 1990 and 2100"),
            Some(("rule-year", vec!["1990".into(), "2100".into()]))
        );
        assert_eq!(
            shape("must be a date YYYY-MM-DD between 1945-01-01 and 2200-12-31"),
            Some(("rule-date", vec!["1945-01-01".into(), "2200-12-31".into()]))
        );
        assert_eq!(
            shape("must be a date YYYY-MM-DD"),
            Some(("rule-date-any", vec![]))
        );
        assert_eq!(
            shape("must be between 1 and 200 characters"),
            Some(("rule-chars-between", vec!["1".into(), "200".into()]))
        );
        assert_eq!(
            shape("must be 1–100 characters"),
            Some(("rule-chars-between", vec!["1".into(), "100".into()]))
        );
        assert_eq!(
            shape("must be at most 32 KiB"),
            Some(("rule-at-most-kib", vec!["32".into()]))
        );
        assert_eq!(
            shape("must be an RFC 3339 instant such as 2026-04-20T09:00:00+09:00"),
            Some(("rule-instant", vec![]))
        );
        assert_eq!(
            shape("must say why the flow is reversed: 1 to 500 characters, no control characters"),
            Some(("rule-reversal-reason", vec!["500".into()]))
        );
        assert_eq!(
            shape("must be a year before 2100"),
            Some(("rule-year-before", vec!["2100".into()]))
        );
        // A rule with more after the shape is not cut short.
        assert_eq!(shape("must be a date YYYY-MM-DD after the opening"), None);
        // Prose is left to the API's English text rather than cut into a wrong list.
        assert_eq!(shape("must be the body's own prefix (MC) or SEC"), None);
        assert_eq!(
            shape("must name the decision or act behind the change"),
            None
        );
        // Translated with the values kept.
        let (key, args) = rule_shape("must be refuse or skip").unwrap();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            Lang::from_code("ko").t_args(key, &args),
            "다음 중 하나를 선택하십시오: refuse, skip."
        );
        // The bounds are the rule's, not a fixed pair.
        let (key, args) = rule_shape("must be a year between 1990 and 2100").unwrap();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            Lang::from_code("ru").t_args(key, &args),
            "Введите год от 1990 до 2100."
        );
    }

    #[test]
    fn prose_rules_of_the_pages_are_translated() {
        for (rule, key) in [
            ("must fall within the session", "rule-within-session"),
            ("must be the id of a working group", "rule-working-group"),
            ("must be a year such as 2026", "rule-year-any"),
            ("is not the account's password", "rule-wrong-password"),
            (
                "a disbursement is money paid: its date cannot be after today (2026-11-28)",
                "rule-paid-not-future",
            ),
            (
                "must name where the rate comes from (at most 200 characters)",
                "rule-rate-source",
            ),
        ] {
            assert_eq!(rule_key(rule), Some(key), "{rule}");
            for lang in ["ko", "ja", "zh", "ru"] {
                assert_ne!(
                    Lang::from_code(lang).t(key),
                    Lang::from_code("en").t(key),
                    "{lang} {key}"
                );
            }
        }
    }

    #[test]
    fn every_translated_catalogue_is_complete() {
        for lang in ["ko", "ja", "zh", "ru"] {
            for key in english_keys() {
                assert!(Lang::from_code(lang).has(&key), "{lang} lacks {key}");
            }
        }
    }

    #[test]
    fn every_catalogue_parses_and_falls_back_to_english() {
        for (lang, _) in SOURCES {
            let l = Lang::from_code(lang);
            assert!(!l.t("nav-dashboard").is_empty());
            assert_ne!(l.t("nav-dashboard"), "nav-dashboard");
        }
    }

    #[test]
    fn instants_name_the_zone() {
        let at: Timestamp = "2026-03-02T15:30:00Z".parse().unwrap();
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        assert_eq!(when(at, &seoul), "2026-03-03 00:30 KST (Asia/Seoul)");
    }
}
