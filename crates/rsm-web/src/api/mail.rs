//! `/api/v1/me/mail`: one's e-mail address and whether notices come at once, as a daily
//! digest, or not at all.

use axum::{Json, extract::State};
use rsm_core::access::Action;
use rsm_store::{MailMode, MailStore};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::ApiJson;
use crate::{AppState, auth::Caller, error::ApiError};

/// E-mail settings.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettingsView {
    /// Where notices go.
    pub address: String,
    /// `immediate`, `digest` (one message a day) or `none`.
    pub mode: String,
}

/// One's e-mail settings (404 when none are saved).
#[utoipa::path(get, path = "/api/v1/me/mail", tag = "me",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = MailSettingsView), (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
pub async fn get_mail(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MailSettingsView>, ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    let account = caller.account()?;
    let s = state
        .store
        .mail_settings(account.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(MailSettingsView {
        address: s.address,
        mode: s.mode.as_str().into(),
    }))
}

/// Checks and saves one's e-mail settings (shared by the API and the pages).
pub(crate) async fn save(
    state: &AppState,
    caller: &Caller,
    input: &MailSettingsView,
) -> Result<MailSettingsView, ApiError> {
    caller.require(state, Action::ManageOwnAccount).await?;
    let account = caller.account()?;
    let address = input.address.trim();
    if !crate::mail::valid_address(address) {
        return Err(ApiError::invalid(
            "address",
            "must be an e-mail address such as name@example.org",
        ));
    }
    let mode = MailMode::parse(input.mode.trim())
        .ok_or_else(|| ApiError::invalid("mode", "must be immediate, digest or none"))?;
    let s = state
        .store
        .set_mail_settings(
            account.id,
            address,
            mode,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    Ok(MailSettingsView {
        address: s.address,
        mode: s.mode.as_str().into(),
    })
}

/// Sets one's e-mail address and notice preference.
#[utoipa::path(put, path = "/api/v1/me/mail", tag = "me", request_body = MailSettingsView,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = MailSettingsView), (status = 401, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn set_mail(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<MailSettingsView>,
) -> Result<Json<MailSettingsView>, ApiError> {
    Ok(Json(save(&state, &caller, &input).await?))
}
