//! Extractors whose rejections are problem+json, and shared input rules.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

/// `Json<T>` whose rejection names the field and the rule.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Query<T>` whose rejection names the field and the rule.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Parses a civil date within the range the mechanism's records can hold.
pub fn parse_date(field: &str, s: &str) -> Result<jiff::civil::Date, ApiError> {
    let rule = "must be a date YYYY-MM-DD between 1945-01-01 and 2200-12-31";
    let date: jiff::civil::Date = s.parse().map_err(|_| ApiError::invalid(field, rule))?;
    if date < jiff::civil::date(1945, 1, 1) || date > jiff::civil::date(2200, 12, 31) {
        return Err(ApiError::invalid(field, rule));
    }
    Ok(date)
}

/// Parses a party code for a named field.
pub fn parse_party(field: &str, s: &str) -> Result<rsm_core::party::PartyCode, ApiError> {
    s.parse()
        .map_err(|e: rsm_core::party::UnknownParty| ApiError::invalid(field, e.to_string()))
}

/// The languages the interface speaks.
pub const LANGUAGES: [&str; 5] = ["en", "ko", "zh", "ja", "ru"];

pub fn check_language(field: &str, s: &str) -> Result<(), ApiError> {
    if LANGUAGES.contains(&s) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            "must be one of en, ko, zh, ja, ru",
        ))
    }
}

pub fn check_time_zone(field: &str, s: &str) -> Result<(), ApiError> {
    jiff::tz::TimeZone::get(s)
        .map(|_| ())
        .map_err(|_| ApiError::invalid(field, "must be an IANA time zone such as Asia/Seoul"))
}
