//! Sign-in, sign-out, the language switcher and one's own preferences.
//!
//! Sign-in goes through `api::session::open_session` (throttling, audit) like the API's.
//! Before there is a session, the sign-in form is protected by a double-submit token: a
//! random value in a `SameSite=Strict` cookie that the form must echo.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use rsm_core::access::Action;
use rsm_store::AccountStore;
use serde::Deserialize;

use super::{
    Ctx, FieldErrors, LANG_COOKIE, Page, PageForm, SIGNIN_COOKIE, local_path, redirect_with_flash,
};
use crate::{
    AppState,
    api::{
        input::{check_language, check_time_zone},
        session::{clearing_cookie, open_session},
    },
    auth::{Via, constant_time_eq, random_token},
    error::ApiError,
};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    ctx: &'a Ctx,
    form_token: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

fn signin_cookie(state: &AppState, value: &str) -> Option<HeaderValue> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SIGNIN_COOKIE}={value}; Path=/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    ))
    .ok()
}

fn sign_in_page(
    state: &AppState,
    page: &Page,
    next: &str,
    username: &str,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let form_token = random_token(18);
    let status = if error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = page.render_status(
        status,
        &SignInPage {
            ctx: &page.ctx,
            form_token: form_token.clone(),
            next: local_path(next).to_owned(),
            username: username.to_owned(),
            error,
        },
    )?;
    if let Some(v) = signin_cookie(state, &form_token) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// `GET /sign-in`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<Next>,
) -> Response {
    if page.caller.account.is_some() {
        return Redirect::to(local_path(q.next.as_deref().unwrap_or("/"))).into_response();
    }
    let r = sign_in_page(&state, &page, q.next.as_deref().unwrap_or("/"), "", None);
    page.finish(r)
}

/// `POST /sign-in`.
pub async fn sign_in(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let next = form.get("next");
    let username = form.get("username").trim().to_owned();
    let sent = form.get("form_token");
    let cookie = form.signin_token.clone();
    if sent.is_empty() || !constant_time_eq(sent.as_bytes(), cookie.as_bytes()) {
        let r = sign_in_page(
            &state,
            page,
            &next,
            &username,
            Some(page.ctx.t("signin-expired")),
        );
        return page.finish(r);
    }
    match open_session(&state, &page.caller, &username, form.get("password")).await {
        Ok(session) => {
            let mut r = Redirect::to(local_path(&next)).into_response();
            if let Ok(v) = HeaderValue::from_str(&session.cookie) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(ApiError::SignInRequired(_)) => {
            let r = sign_in_page(
                &state,
                page,
                &next,
                &username,
                Some(page.ctx.t("signin-wrong")),
            );
            page.finish(r)
        }
        Err(ApiError::Throttled { .. }) => {
            let r = sign_in_page(
                &state,
                page,
                &next,
                &username,
                Some(page.ctx.t("signin-throttled")),
            );
            page.finish(r)
        }
        Err(e) => page.error_page(e),
    }
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    if let Via::Session { token_hash, .. } = &page.caller.via
        && let Err(e) = state
            .store
            .delete_session(token_hash, &page.caller.attribution(state.clock.now()))
            .await
    {
        return page.error_page(e.into());
    }
    let mut r = redirect_with_flash("/sign-in", "flash-signed-out");
    if let Ok(v) = HeaderValue::from_str(&clearing_cookie(&state)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `POST /language`: the switcher in the header. Signed in, it sets the account's language
/// (as `PUT /api/v1/me/preferences` does); signed out, a cookie.
pub async fn set_language(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let language = form.get("language");
    let back = form.get("back");
    let back = local_path(&back);
    if let Err(e) = check_language("language", &language) {
        return page.error_page(e);
    }
    match &page.caller.account {
        Some(account) => {
            let r = async {
                page.caller
                    .require(&state, Action::ManageOwnAccount)
                    .await?;
                state
                    .store
                    .set_preferences(
                        account.id,
                        &language,
                        &account.time_zone,
                        &page.caller.attribution(state.clock.now()),
                    )
                    .await?;
                Ok(Redirect::to(back).into_response())
            }
            .await;
            page.finish(r)
        }
        None => {
            let mut r = Redirect::to(back).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{LANG_COOKIE}={language}; Path=/; SameSite=Lax; Max-Age=31536000"
            )) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
    }
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage<'a> {
    ctx: &'a Ctx,
    language: String,
    time_zone: String,
    zones: Vec<&'static str>,
    errors: FieldErrors,
    /// The e-mail notices form (`mailpref-`).
    mail: MailForm,
}

/// The e-mail notices form on `/me`: the saved settings, or the values sent with their
/// errors.
#[derive(Debug, Default)]
struct MailForm {
    address: String,
    /// `immediate`, `digest` or `none`.
    mode: String,
    /// Settings are saved for this account.
    saved: bool,
    errors: FieldErrors,
}

async fn saved_mail_form(state: &AppState, account_id: i64) -> Result<MailForm, ApiError> {
    use rsm_store::MailStore;
    Ok(match state.store.mail_settings(account_id).await? {
        Some(s) => MailForm {
            address: s.address,
            mode: s.mode.as_str().into(),
            saved: true,
            errors: FieldErrors::default(),
        },
        None => MailForm {
            mode: "digest".into(),
            ..MailForm::default()
        },
    })
}

const ZONES: [&str; 8] = [
    "Asia/Seoul",
    "Asia/Pyongyang",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Europe/Moscow",
    "America/New_York",
    "Europe/Vienna",
    "UTC",
];

/// `GET /me`: language and time zone.
pub async fn me(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        page.caller
            .require(&state, Action::ManageOwnAccount)
            .await?;
        let account = page.caller.account()?;
        page.render(&MePage {
            ctx: &page.ctx,
            language: account.language.clone(),
            time_zone: account.time_zone.clone(),
            zones: ZONES.to_vec(),
            errors: FieldErrors::default(),
            mail: saved_mail_form(&state, account.id).await?,
        })
    }
    .await;
    page.finish(r)
}

/// `POST /me`: saves language and time zone with the API's rules.
pub async fn save_preferences(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let language = form.get("language");
    let time_zone = form.get("time_zone").trim().to_owned();
    let r = async {
        page.caller
            .require(&state, Action::ManageOwnAccount)
            .await?;
        let account = page.caller.account()?;
        let checked = check_language("language", &language)
            .and_then(|()| check_time_zone("time_zone", &time_zone));
        if let Err(e) = checked {
            let errors = FieldErrors::from_error(&page.ctx, e, &["language", "time_zone"])?;
            return page.render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &MePage {
                    ctx: &page.ctx,
                    language: language.clone(),
                    time_zone: time_zone.clone(),
                    zones: ZONES.to_vec(),
                    errors,
                    mail: saved_mail_form(&state, account.id).await?,
                },
            );
        }
        state
            .store
            .set_preferences(
                account.id,
                &language,
                &time_zone,
                &page.caller.attribution(state.clock.now()),
            )
            .await?;
        Ok(redirect_with_flash("/me", "flash-saved"))
    }
    .await;
    page.finish(r)
}

/// `POST /me/mail`: saves one's e-mail address and notice mode with the API's rules
/// (`api::mail::save`); refused values are shown next to their fields, nothing stored.
pub async fn save_mail(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let input = crate::api::mail::MailSettingsView {
        address: form.get("address").trim().to_owned(),
        mode: form.get("mode"),
    };
    let r = async {
        match crate::api::mail::save(&state, &page.caller, &input).await {
            Ok(_) => Ok(redirect_with_flash("/me", "flash-saved")),
            Err(e) => {
                let errors = FieldErrors::from_error(&page.ctx, e, &["address", "mode"])?;
                let account = page.caller.account()?;
                let saved = saved_mail_form(&state, account.id).await?.saved;
                page.render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &MePage {
                        ctx: &page.ctx,
                        language: account.language.clone(),
                        time_zone: account.time_zone.clone(),
                        zones: ZONES.to_vec(),
                        errors: FieldErrors::default(),
                        mail: MailForm {
                            address: input.address.clone(),
                            mode: input.mode.clone(),
                            saved,
                            errors,
                        },
                    },
                )
            }
        }
    }
    .await;
    page.finish(r)
}
