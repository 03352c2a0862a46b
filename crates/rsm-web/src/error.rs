//! The API's one error type, mapped once to `application/problem+json` (RFC 9457).

use axum::{
    Json,
    extract::rejection::{JsonRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rsm_core::access::Denied;
use rsm_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A field breaks a rule.
    #[error("{field}: {rule}")]
    Invalid { field: String, rule: String },
    /// The request body is not well-formed.
    #[error("{0}")]
    Malformed(String),
    #[error("the request body is larger than the limit")]
    TooLarge,
    #[error("{0}")]
    SignInRequired(String),
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// A named field points at nothing (a bad code in a path).
    #[error("{field}: {rule}")]
    NotFoundField { field: String, rule: String },
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// A fault of ours; details go to the log under the reference, not to the client.
    #[error("internal error (reference {reference})")]
    Internal { reference: String },
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// Logs `err` under a fresh reference and returns the opaque 500.
    pub fn internal(err: &dyn std::fmt::Display) -> Self {
        let reference = crate::auth::random_token(6);
        tracing::error!(reference, error = %err, "internal error");
        Self::Internal { reference }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::SignInRequired(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NotFoundField { .. } => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid-field",
            Self::Malformed(_) => "malformed-request",
            Self::TooLarge => "body-too-large",
            Self::SignInRequired(_) => "sign-in-required",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound | Self::NotFoundField { .. } => "not-found",
            Self::Conflict(_) => "conflict",
            Self::Throttled { .. } => "throttled",
            Self::Internal { .. } => "internal",
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:rsm:problem:<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The offending field, when one is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule the field breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Quote this to the secretariat: it finds the log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (field, rule) = match &self {
            Self::Invalid { field, rule } | Self::NotFoundField { field, rule } => {
                (Some(field.clone()), Some(rule.clone()))
            }
            _ => (None, None),
        };
        let reference = match &self {
            Self::Internal { reference } => Some(reference.clone()),
            _ => None,
        };
        let problem = Problem {
            kind: format!("urn:rsm:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            field,
            rule,
            reference,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Self::Throttled { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rsm\""),
            );
        }
        response
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        if d.conceal {
            Self::NotFound
        } else if d.needs_sign_in {
            Self::SignInRequired(d.reason)
        } else {
            Self::Forbidden(d.reason)
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        use rsm_core::{body::BodyError as B, participation::ParticipationError as P};
        match e {
            StoreError::Conflict(what) => Self::Conflict(format!("{what} already exists")),
            StoreError::NotFound(_) => Self::NotFound,
            StoreError::Participation(p) => {
                let field = match p {
                    P::MissingBasis => "basis",
                    P::Unchanged { .. } => "status",
                    P::Retroactive { .. } | P::OutOfOrder { .. } => "effective",
                };
                Self::invalid(field, p.to_string())
            }
            StoreError::Body(b) => {
                let field = match b {
                    B::BadId(_) => "id",
                    B::EmptyName | B::LongName => "name",
                    B::RestrictedNeedsMembers | B::NoMembers => "members",
                    B::ChairNotMember(_) | B::ChairTwice(_) => "chair_rotation",
                };
                Self::invalid(field, b.to_string())
            }
            other => Self::internal(&other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // serde names the path and the rule, e.g. "name: invalid type: integer".
                let text = e.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                    .unwrap_or(&text)
                    .to_owned();
                match detail.split_once(": ") {
                    Some((field, rule)) if !field.contains(' ') => Self::invalid(field, rule),
                    _ => Self::invalid("body", detail),
                }
            }
            JsonRejection::JsonSyntaxError(e) => Self::Malformed(format!(
                "the body is not valid JSON: {}",
                e.body_text()
                    .trim_start_matches("Failed to parse the request body as JSON: ")
            )),
            JsonRejection::MissingJsonContentType(_) => {
                Self::Malformed("send the body as Content-Type: application/json".into())
            }
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::TooLarge
            }
            other => Self::Malformed(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        let detail = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text)
            .to_owned();
        match detail.split_once(": ") {
            Some((field, rule)) if !field.contains(' ') => Self::invalid(field, rule),
            _ => Self::invalid("query", detail),
        }
    }
}
