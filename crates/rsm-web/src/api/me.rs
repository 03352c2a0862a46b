//! `/api/v1/me`: the signed-in account, its password and preferences.

use axum::{Json, extract::State, http::StatusCode};
use rsm_core::access::Action;
use rsm_store::AccountStore;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    input::{ApiJson, check_language, check_time_zone},
    people::PersonView,
};
use crate::{
    AppState,
    auth::{Caller, check_new_password, hash_password, verify_password},
    error::ApiError,
};

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PersonView), (status = 401, body = crate::error::Problem)))]
pub async fn get_me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PersonView>, ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    Ok(Json(PersonView::from(caller.account()?)))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Changes one's own password; every session of the account ends.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "me", request_body = ChangePassword,
    security(("session" = []), ("token" = [])),
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    let account = caller.account()?;
    let now = state.clock.now();
    state
        .throttle
        .check(&account.username, &caller.source, now)?;
    if !verify_password(input.current_password, account.password_hash.clone()).await? {
        state.throttle.fail(&account.username, &caller.source, now);
        return Err(ApiError::invalid(
            "current_password",
            "is not the account's password",
        ));
    }
    check_new_password("new_password", &input.new_password)?;
    let hash = hash_password(input.new_password).await?;
    state
        .store
        .set_password(account.id, &hash, &caller.attribution(now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Language and time zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// `en`, `ko`, `zh`, `ja` or `ru`.
    pub language: String,
    /// An IANA time zone, e.g. `Asia/Seoul`.
    pub time_zone: String,
}

/// Sets one's language and time zone.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "me", request_body = Preferences,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PersonView), (status = 422, body = crate::error::Problem)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<Preferences>,
) -> Result<Json<PersonView>, ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    let account = caller.account()?;
    check_language("language", &input.language)?;
    check_time_zone("time_zone", &input.time_zone)?;
    state
        .store
        .set_preferences(
            account.id,
            &input.language,
            &input.time_zone,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    let updated = state
        .store
        .account(account.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(PersonView::from(&updated)))
}
