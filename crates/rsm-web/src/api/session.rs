//! `/api/v1/session`: password sign-in (a server-side session in a cookie) and sign-out.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rsm_store::AccountStore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{input::ApiJson, people::PersonView};
use crate::{
    AppState,
    auth::{Caller, SESSION_COOKIE, Via, random_token, secret_digest, verify_password},
    error::ApiError,
};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub account: PersonView,
    /// Send as the `x-csrf-token` header on every write made with the session cookie.
    pub csrf_token: String,
    pub expires_at: String,
}

/// The outcome of a successful sign-in: the cookie value and what the client is told.
pub struct NewSession {
    pub cookie: String,
    pub signed_in: SignedIn,
}

/// Checks credentials (throttled) and opens a session. Shared by the API and the pages.
pub async fn open_session(
    state: &AppState,
    caller: &Caller,
    username: &str,
    password: String,
) -> Result<NewSession, ApiError> {
    let now = state.clock.now();
    state.throttle.check(username, &caller.source, now)?;
    let account = state.store.account_by_username(username).await?;
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = verify_password(password, hash).await?;
    let account = match account {
        Some(a) if ok && !a.disabled => a,
        _ => {
            state.throttle.fail(username, &caller.source, now);
            tracing::info!(username, source = caller.source, "failed sign-in");
            return Err(ApiError::SignInRequired(
                "the user name or password is not right".into(),
            ));
        }
    };
    state.throttle.succeed(username);
    let session_id = random_token(32);
    let csrf = random_token(24);
    let expires_at = now
        .checked_add(state.config.session_ttl)
        .map_err(|e| ApiError::internal(&e))?;
    let mut who = caller.attribution(now);
    who.actor = account.username.clone();
    who.account_id = Some(account.id);
    state
        .store
        .create_session(
            &secret_digest(&session_id),
            account.id,
            &csrf,
            expires_at,
            &who,
        )
        .await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_ttl.as_secs();
    Ok(NewSession {
        cookie: format!(
            "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ),
        signed_in: SignedIn {
            account: PersonView::from(&account),
            csrf_token: csrf,
            expires_at: expires_at.to_string(),
        },
    })
}

/// The cookie that ends a session in the browser.
pub fn clearing_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Signs in with a user name and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = SignedIn), (status = 401, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)))]
pub async fn sign_in(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let session = open_session(&state, &caller, input.username.trim(), input.password).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&session.cookie).map_err(|e| ApiError::internal(&e))?,
    );
    Ok((StatusCode::OK, headers, Json(session.signed_in)).into_response())
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    security(("session" = [])),
    responses((status = 204), (status = 401, body = crate::error::Problem)))]
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Via::Session { token_hash, .. } = &caller.via else {
        return Err(ApiError::SignInRequired("no session to end".into()));
    };
    state
        .store
        .delete_session(token_hash, &caller.attribution(state.clock.now()))
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&clearing_cookie(&state)).map_err(|e| ApiError::internal(&e))?,
    );
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
