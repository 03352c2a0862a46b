//! Who is calling: session cookies, API tokens, password hashing and sign-in throttling.

use std::{collections::HashMap, net::SocketAddr, sync::Mutex};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{Method, request::Parts},
};
use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use rsm_core::access::{Action, Actor};
use rsm_store::{Account, AccountStore, Attribution, TokenScope};
use sha2::{Digest, Sha256};

use crate::{AppState, error::ApiError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rsm_session";
/// The header carrying the CSRF token for cookie-authenticated API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `n` random bytes from the operating system, base64url without padding.
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 hex of a high-entropy secret (session ids, API tokens). Not for passwords.
pub fn secret_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (OWASP's default parameters), on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))
}

/// Checks a password against a stored argon2 PHC string, on a blocking thread.
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        // Without a stored hash we still spend the time, so timing tells nothing.
        let fallback = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q5y8K4vXGzI8v6k0dUuT0Ue3bC1a3Ql1nBLuY8oYx0E";
        let stored = phc.as_deref().unwrap_or(fallback);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && phc.is_some()
    })
    .await
    .map_err(|e| ApiError::internal(&e))
}

/// The rules every new password must meet.
pub fn check_new_password(field: &str, password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(ApiError::invalid(field, "must be at least 12 characters"));
    }
    if n > 256 {
        return Err(ApiError::invalid(field, "must be at most 256 characters"));
    }
    Ok(())
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Public,
    Session { token_hash: String, csrf: String },
    Token { id: i64, scope: TokenScope },
}

/// The caller of a request: actor for the policy, account, origin.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub account: Option<Account>,
    pub source: String,
    pub via: Via,
}

impl Caller {
    /// The attribution of a write made by this caller at `at`.
    pub fn attribution(&self, at: Timestamp) -> Attribution {
        Attribution {
            actor: self
                .account
                .as_ref()
                .map(|a| a.username.clone())
                .unwrap_or_else(|| "public".into()),
            account_id: self.account.as_ref().map(|a| a.id),
            source: self.source.clone(),
            at,
        }
    }

    /// Asks the policy; every handler goes through here.
    pub async fn require(&self, state: &AppState, action: Action<'_>) -> Result<(), ApiError> {
        let (today, timeline) = state.today_and_timeline().await?;
        rsm_core::access::decide(&self.actor, action, today, &timeline)?;
        Ok(())
    }

    pub fn account(&self) -> Result<&Account, ApiError> {
        self.account
            .as_ref()
            .ok_or_else(|| ApiError::SignInRequired("sign in first".into()))
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Self::identify(parts, state, CsrfCheck::Header).await
    }
}

/// Where a cookie-authenticated write must carry its CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsrfCheck {
    /// In the `x-csrf-token` header, checked while identifying (the API).
    Header,
    /// In a form field the caller checks after reading the body (the pages:
    /// see `pages::PageForm`, which compares it with [`Via::Session`]'s `csrf`).
    FormField,
}

impl Caller {
    /// Says who is calling: bearer token, session cookie, or the public.
    pub async fn identify(
        parts: &Parts,
        state: &AppState,
        csrf_check: CsrfCheck,
    ) -> Result<Self, ApiError> {
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string())
            .unwrap_or_else(|| "local".into());
        let now = state.clock.now();

        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let value = auth
                .to_str()
                .map_err(|_| ApiError::SignInRequired("Authorization header is not text".into()))?;
            let token = value.strip_prefix("Bearer ").ok_or_else(|| {
                ApiError::SignInRequired("Authorization must be `Bearer <token>`".into())
            })?;
            let (stored, account) = state
                .store
                .token_by_hash(&secret_digest(token.trim()))
                .await?
                .ok_or_else(|| ApiError::SignInRequired("the API token is not known".into()))?;
            if stored.revoked_at.is_some() {
                return Err(ApiError::SignInRequired(
                    "the API token has been revoked".into(),
                ));
            }
            if stored.expires_at.is_some_and(|e| e <= now) {
                return Err(ApiError::SignInRequired("the API token has expired".into()));
            }
            if account.disabled {
                return Err(ApiError::SignInRequired(
                    "the token's account is disabled".into(),
                ));
            }
            if stored.scope == TokenScope::Read && !is_safe(&parts.method) {
                return Err(ApiError::Forbidden(
                    "this API token has the read scope: it cannot change anything".into(),
                ));
            }
            state.store.touch_token(stored.id, now).await?;
            return Ok(Self {
                actor: Actor::Account {
                    id: account.id,
                    role: account.role.clone(),
                },
                account: Some(account),
                source,
                via: Via::Token {
                    id: stored.id,
                    scope: stored.scope,
                },
            });
        }

        if let Some(session_id) = cookie_value(parts, SESSION_COOKIE) {
            let token_hash = secret_digest(session_id);
            if let Some(session) = state.store.session(&token_hash, now).await? {
                if !is_safe(&parts.method) && csrf_check == CsrfCheck::Header {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                        return Err(ApiError::Forbidden(format!(
                            "a signed-in write needs the {CSRF_HEADER} header from sign-in"
                        )));
                    }
                }
                return Ok(Self {
                    actor: Actor::Account {
                        id: session.account.id,
                        role: session.account.role.clone(),
                    },
                    account: Some(session.account),
                    source,
                    via: Via::Session {
                        token_hash,
                        csrf: session.csrf_token,
                    },
                });
            }
        }

        Ok(Self {
            actor: Actor::Public,
            account: None,
            source,
            via: Via::Public,
        })
    }
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failed sign-ins per user name and per address, counted in a sliding window.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Timestamp>>>,
}

impl Throttle {
    /// Failures allowed per user name within the window.
    pub const PER_USER: usize = 5;
    /// Failures allowed per address within the window.
    pub const PER_ADDRESS: usize = 20;
    pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);

    fn keys(username: &str, source: &str) -> [(String, usize); 2] {
        [
            (format!("user:{}", username.to_lowercase()), Self::PER_USER),
            (format!("addr:{source}"), Self::PER_ADDRESS),
        ]
    }

    /// Refuses when too many recent failures; says when to retry.
    pub fn check(&self, username: &str, source: &str, now: Timestamp) -> Result<(), ApiError> {
        let mut map = self.failures.lock().expect("throttle lock");
        let since = now - Self::WINDOW;
        for (key, limit) in Self::keys(username, source) {
            if let Some(list) = map.get_mut(&key) {
                list.retain(|t| *t > since);
                if list.len() >= limit {
                    let oldest = list[0];
                    let wait = (oldest + Self::WINDOW).duration_since(now).as_secs().max(1);
                    return Err(ApiError::Throttled {
                        retry_after_secs: u64::try_from(wait).unwrap_or(1),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn fail(&self, username: &str, source: &str, now: Timestamp) {
        let mut map = self.failures.lock().expect("throttle lock");
        for (key, _) in Self::keys(username, source) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn succeed(&self, username: &str) {
        let mut map = self.failures.lock().expect("throttle lock");
        map.remove(&format!("user:{}", username.to_lowercase()));
    }
}
