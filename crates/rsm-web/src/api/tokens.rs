//! `/api/v1/tokens`: API tokens for the command line and scripts — shown once, stored hashed.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rsm_core::access::Action;
use rsm_store::{AccountStore, ApiToken, TokenScope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery};
use crate::{
    AppState,
    auth::{Caller, random_token, secret_digest},
    error::ApiError,
};

/// A token's record (never the token).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// `read` (GET only) or `write`.
    pub scope: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            account_id: t.account_id,
            name: t.name.clone(),
            scope: t.scope.as_str().into(),
            created_at: t.created_at.to_string(),
            expires_at: t.expires_at.map(|x| x.to_string()),
            revoked_at: t.revoked_at.map(|x| x.to_string()),
            last_used_at: t.last_used_at.map(|x| x.to_string()),
        }
    }
}

/// A new token, with the secret shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. It cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub record: TokenView,
}

/// What a new token may do and for how long.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// A label, 1–100 characters, e.g. `kr-mirror`.
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// Days until it expires (1–3650); never when absent.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    /// Another account to create the token for (administrator only).
    #[serde(default)]
    pub account_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TokenFilter {
    /// Another account's tokens (administrator only).
    pub account_id: Option<i64>,
}

/// Mints a token for `account_id`. Shared by the API and the host command line.
pub async fn mint(
    state: &AppState,
    account_id: i64,
    input: &CreateToken,
    who: &rsm_store::Attribution,
) -> Result<CreatedToken, ApiError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "must be 1–100 characters"));
    }
    let scope = TokenScope::parse(&input.scope)
        .ok_or_else(|| ApiError::invalid("scope", "must be read or write"))?;
    let expires_at = match input.expires_in_days {
        None => None,
        Some(days @ 1..=3650) => Some(
            who.at
                .checked_add(jiff::SignedDuration::from_hours(24 * days))
                .map_err(|e| ApiError::internal(&e))?,
        ),
        Some(_) => {
            return Err(ApiError::invalid(
                "expires_in_days",
                "must be between 1 and 3650",
            ));
        }
    };
    let token = format!("rsm_{}", random_token(32));
    let record = state
        .store
        .create_token(
            account_id,
            name,
            &secret_digest(&token),
            scope,
            expires_at,
            who,
        )
        .await?;
    Ok(CreatedToken {
        token,
        record: TokenView::from(&record),
    })
}

async fn target_account(
    state: &AppState,
    caller: &Caller,
    requested: Option<i64>,
) -> Result<i64, ApiError> {
    let own = caller.account()?.id;
    match requested {
        Some(id) if id != own => {
            caller.require(state, Action::ManagePeople).await?;
            state.store.account(id).await?.ok_or(ApiError::NotFound)?;
            Ok(id)
        }
        _ => {
            caller.require(state, Action::ManageOwnAccount).await?;
            Ok(own)
        }
    }
}

/// The caller's tokens (or another account's, for the administrator).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokenFilter),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = crate::error::Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TokenFilter>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    let account = target_account(&state, &caller, q.account_id).await?;
    let tokens = state.store.tokens_of(account).await?;
    Ok(Json(tokens.iter().map(TokenView::from).collect()))
}

/// Creates a token; the response is the only time it is shown.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::error::Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    caller.require(&state, Action::ManageOwnAccount).await?;
    let account = target_account(&state, &caller, input.account_id).await?;
    let who = caller.attribution(state.clock.now());
    let created = mint(&state, account, &input, &who).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes a token (its owner, or the administrator). Other people's tokens are "not found".
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "token id")),
    security(("session" = []), ("token" = [])),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    revoke(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes token `id` for its owner or the administrator (shared by the API and the pages).
pub(crate) async fn revoke(state: &AppState, caller: &Caller, id: i64) -> Result<(), ApiError> {
    caller.require(state, Action::ManageOwnAccount).await?;
    let token = state.store.token(id).await?.ok_or(ApiError::NotFound)?;
    if Some(token.account_id) != caller.actor.account_id() {
        caller
            .require(state, Action::ManagePeople)
            .await
            .map_err(|_| ApiError::NotFound)?;
    }
    if token.revoked_at.is_some() {
        return Err(ApiError::Conflict("the token is already revoked".into()));
    }
    state
        .store
        .revoke_token(id, &caller.attribution(state.clock.now()))
        .await?;
    Ok(())
}
