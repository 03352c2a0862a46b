//! The server-rendered pages: a second face over the same store and policy as the API.
//!
//! Every page handler takes a [`Page`] (who is calling, in which language and time zone)
//! and asks the one policy through `Caller::require`, exactly as the API does. Form posts
//! come through [`PageForm`], which checks the session's CSRF token in the `csrf` field
//! before the handler runs, so no form can forget it. Errors are the API's [`ApiError`],
//! mapped once to a friendly page by [`Page::error_page`]; a restricted body is the same
//! 404 page as a missing one.
//!
//! Modules, one per page group: `session` (sign-in, sign-out, language and preferences),
//! `dashboard`, `parties`, `bodies`, `people` (accounts and tokens), `audit`; `assets`
//! serves the CSS, htmx and the icon; `i18n` holds the catalogues.

pub mod aid;
pub mod assets;
pub mod audit;
pub mod bodies;
pub mod cases;
pub mod dashboard;
pub mod documents;
pub mod energy;
pub mod i18n;
pub mod kin;
pub mod kin_draws;
pub mod meetings;
pub mod notifications;
pub mod parties;
pub mod people;
pub mod session;

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use jiff::tz::TimeZone;
use rsm_core::access::Role;

use crate::{
    AppState,
    auth::{Caller, CsrfCheck, Via, constant_time_eq, cookie_value},
    error::ApiError,
};
use i18n::Lang;

/// The cookie holding a signed-out visitor's chosen language.
pub const LANG_COOKIE: &str = "rsm_lang";
/// The cookie carrying a one-shot flash message key to the next page.
pub const FLASH_COOKIE: &str = "rsm_flash";
/// The cookie of the sign-in form's double-submit token (there is no session yet).
pub const SIGNIN_COOKIE: &str = "rsm_signin";

/// The pages' Content-Security-Policy: scripts and styles only from our own `/assets`
/// (no inline script or style), no framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route(
            "/sign-in",
            get(session::sign_in_form).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/language", post(session::set_language))
        .route("/me", get(session::me).post(session::save_preferences))
        .route("/me/mail", post(session::save_mail))
        .route("/parties", get(parties::list))
        .route("/parties/{code}", get(parties::detail))
        .route(
            "/parties/{code}/participation",
            post(parties::record_change),
        )
        .route("/energy", get(energy::energy))
        .route("/energy/runs", get(energy::runs).post(energy::start_run))
        .route("/energy/runs/{id}", get(energy::run))
        .route("/energy/runs/{id}/status", get(energy::run_status))
        .route("/energy/runs/{id}/attach", post(energy::attach_run))
        .route("/energy/scenarios", post(energy::create_scenario))
        .route(
            "/energy/scenarios/{id}",
            get(energy::scenario).post(energy::update_scenario),
        )
        .route("/energy/compare", get(energy::compare))
        .route("/energy/networks", post(energy::create_network))
        .route(
            "/energy/networks/{id}",
            get(energy::network).post(energy::update_network),
        )
        .route("/bodies", get(bodies::list))
        .route("/bodies/new", get(bodies::new_form).post(bodies::create))
        .route("/bodies/{id}", get(bodies::detail))
        .route(
            "/bodies/{id}/edit",
            get(bodies::edit_form).post(bodies::update),
        )
        .route("/people", get(people::list).post(people::create))
        .route("/people/{id}/disable", post(people::disable))
        .route("/people/{id}/enable", post(people::enable))
        .route("/tokens", get(people::tokens).post(people::create_token))
        .route("/tokens/{id}/revoke", post(people::revoke_token))
        .route("/audit", get(audit::list))
        .merge(notifications::routes())
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/{id}", get(meetings::detail))
        .route("/meetings/{id}/items", post(meetings::add_item))
        .route(
            "/meetings/{id}/items/{item}/accept",
            post(meetings::accept_item),
        )
        .route("/meetings/{id}/drafts", post(meetings::new_draft))
        .route("/meetings/{id}/journal", get(meetings::journal))
        .route("/meetings/{id}/session", post(meetings::record_session))
        .merge(documents::routes())
        .route(
            "/meetings/{id}/edit",
            get(meetings::edit).post(meetings::update),
        )
        .route("/meetings/{id}/speakers", post(meetings::add_speaker))
        .route("/drafts/{id}", get(meetings::draft))
        .route("/drafts/{id}/position", post(meetings::position))
        .route("/drafts/{id}/procedure", post(meetings::procedure))
        .route("/aid", get(aid::aid).post(aid::record))
        .route("/aid/import", post(aid::import))
        .route("/aid/rates", post(aid::add_rate))
        .route("/aid/{id}/reversal", post(aid::reverse))
        .route("/reports/humanitarian/{year}", get(aid::report))
        .route(
            "/reports/humanitarian/{year}/publish",
            post(aid::publish_report),
        )
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/new", get(cases::new_form))
        .route("/cases/{id}", get(cases::detail))
        .route("/cases/{id}/steps", post(cases::step))
        .route("/assets/{file}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        .merge(kin::routes())
        .merge(kin_draws::routes())
}

/// The answer to an unknown address: the API's problem+json under `/api/`, the 404 page
/// everywhere else.
pub async fn fallback(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::NotFound.into_response();
    }
    let ctx = Ctx::anonymous(lang_of_headers(&headers), uri.path());
    error_response(&ctx, ApiError::NotFound)
}

/// The signed-in person, as the layout shows them.
#[derive(Debug, Clone)]
pub struct UserBox {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl UserBox {
    pub fn is_admin(&self) -> bool {
        self.role == Role::SecretariatAdmin
    }
    pub fn is_secretariat(&self) -> bool {
        matches!(self.role, Role::SecretariatAdmin | Role::SecretariatOfficer)
    }
}

/// What the layout needs on every page: language, time zone, who, CSRF token, flash.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub tz: TimeZone,
    pub user: Option<UserBox>,
    /// The session's CSRF token (empty when signed out); every form carries it.
    pub csrf: String,
    pub flash: Option<String>,
    /// The path of this page, for the navigation and the language switcher.
    pub path: String,
}

impl Ctx {
    fn anonymous(lang: Lang, path: &str) -> Self {
        Self {
            lang,
            tz: TimeZone::UTC,
            user: None,
            csrf: String::new(),
            flash: None,
            path: path.to_owned(),
        }
    }

    /// A translated text.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A translated text with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.t_args(key, &[(name, value)])
    }

    /// A translated text with two arguments.
    pub fn t2(&self, key: &str, name: &str, value: &str, name2: &str, value2: &str) -> String {
        self.lang.t_args(key, &[(name, value), (name2, value2)])
    }

    /// An instant in the reader's time zone, with the zone named.
    pub fn when(&self, at: &jiff::Timestamp) -> String {
        i18n::when(*at, &self.tz)
    }

    /// The reader's time zone name.
    pub fn tz_name(&self) -> &str {
        self.tz.iana_name().unwrap_or("UTC")
    }

    /// Whether the navigation entry for `prefix` is the current page.
    pub fn at(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path == prefix || self.path.starts_with(&format!("{prefix}/"))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(UserBox::is_admin)
    }

    pub fn is_secretariat(&self) -> bool {
        self.user.as_ref().is_some_and(UserBox::is_secretariat)
    }

    /// A Korean humanitarian focal point (the family tracing registry's users).
    pub fn is_kin_focal(&self) -> bool {
        self.user.as_ref().is_some_and(|u| {
            matches!(
                u.role,
                Role::FocalPoint(rsm_core::party::PartyCode::KR | rsm_core::party::PartyCode::KP)
            )
        })
    }

    /// The language's name in itself, for the switcher.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        [
            ("en", "English"),
            ("ko", "한국어"),
            ("zh", "中文"),
            ("ja", "日本語"),
            ("ru", "Русский"),
        ]
        .into_iter()
        .map(|(code, name)| (code, name, code == self.lang.code()))
        .collect()
    }

    /// A status, kind or role label in the reader's language.
    pub fn label(&self, prefix: &str, value: &str) -> String {
        self.t(&format!("{prefix}-{}", value.replace(':', "-")))
    }

    /// An audit action in words (`session.sign-in` → "signed in"); unknown ones as they are.
    pub fn action_label(&self, action: &str) -> String {
        let key = format!("action-{}", action.replace('.', "-"));
        if Lang::EN.has(&key) {
            self.t(&key)
        } else {
            action.to_owned()
        }
    }

    /// Whether two texts are equal (for `selected` in templates, whatever their types).
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// A party's name in the reader's language.
    pub fn party(&self, code: &str) -> String {
        self.t(&format!("party-{}", code.to_ascii_lowercase()))
    }
}

fn lang_of_headers(headers: &HeaderMap) -> Lang {
    if let Some(code) = header_cookie(headers, LANG_COOKIE) {
        return Lang::from_code(code);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::EN, Lang::negotiate)
}

fn header_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A page request: the caller (through the same identification as the API) and the
/// context the layout renders with.
pub struct Page {
    pub caller: Caller,
    pub ctx: Ctx,
    /// A flash was shown: the response clears its cookie.
    had_flash: bool,
}

/// A page whose caller could not even be identified (e.g. a revoked token, the database
/// down): answered with the error page in the visitor's language.
pub struct PageRejection(Response);

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

impl Page {
    async fn from_parts(parts: &Parts, state: &AppState) -> Result<Self, PageRejection> {
        let caller = match Caller::identify(parts, state, CsrfCheck::FormField).await {
            Ok(c) => c,
            Err(e) => {
                let ctx = Ctx::anonymous(lang_of_headers(&parts.headers), parts.uri.path());
                return Err(PageRejection(error_response(&ctx, e)));
            }
        };
        let (lang, tz, user) = match &caller.account {
            Some(a) => (
                Lang::from_code(&a.language),
                TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC),
                Some(UserBox {
                    username: a.username.clone(),
                    display_name: a.display_name.clone(),
                    role: a.role.clone(),
                }),
            ),
            None => (lang_of_headers(&parts.headers), TimeZone::UTC, None),
        };
        let csrf = match &caller.via {
            Via::Session { csrf, .. } => csrf.clone(),
            _ => String::new(),
        };
        let flash_key = cookie_value(parts, FLASH_COOKIE).filter(|k| {
            k.starts_with("flash-") && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        let flash = flash_key.map(|k| lang.t(k));
        Ok(Self {
            had_flash: flash.is_some(),
            caller,
            ctx: Ctx {
                lang,
                tz,
                user,
                csrf,
                flash,
                path: parts.uri.path().to_owned(),
            },
        })
    }

    /// Renders a template as this page's answer.
    pub fn render(&self, template: &impl Template) -> Result<Response, ApiError> {
        self.render_status(StatusCode::OK, template)
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        template: &impl Template,
    ) -> Result<Response, ApiError> {
        let html = template.render().map_err(|e| ApiError::internal(&e))?;
        let mut response = (status, Html(html)).into_response();
        if self.had_flash {
            response.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static("rsm_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            );
        }
        Ok(response)
    }

    /// The answer of a handler: its page, or the error page (sign-in asked for by redirect).
    pub fn finish(&self, result: Result<Response, ApiError>) -> Response {
        match result {
            Ok(r) => r,
            Err(ApiError::SignInRequired(_)) if self.caller.account.is_none() => {
                Redirect::to(&format!("/sign-in?next={}", urlencode(&self.ctx.path)))
                    .into_response()
            }
            Err(e) => self.error_page(e),
        }
    }

    /// The friendly page for an error.
    pub fn error_page(&self, e: ApiError) -> Response {
        error_response(&self.ctx, e)
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts, state).await
    }
}

/// A form post: the page and the form's fields, with the session's CSRF token already
/// checked against the `csrf` field.
pub struct PageForm {
    pub page: Page,
    fields: Vec<(String, String)>,
    /// The sign-in form's double-submit cookie, empty when not sent.
    pub signin_token: String,
}

impl PageForm {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name` (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `Some(value)` unless the field is absent or blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty())
    }
}

impl FromRequest<AppState> for PageForm {
    type Rejection = PageRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let page = Page::from_parts(&parts, state).await?;
        let signin_token = cookie_value(&parts, SIGNIN_COOKIE)
            .unwrap_or_default()
            .to_owned();
        let bytes = match Bytes::from_request(Request::from_parts(parts, body), state).await {
            Ok(b) => b,
            Err(_) => return Err(PageRejection(page.error_page(ApiError::TooLarge))),
        };
        let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        if let Via::Session { csrf, .. } = &page.caller.via {
            let sent = fields
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
                return Err(PageRejection(
                    page.error_page(ApiError::Forbidden("csrf".into())),
                ));
            }
        }
        Ok(Self {
            page,
            fields,
            signin_token,
        })
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    title: String,
    message: String,
    reference: Option<String>,
}

fn error_response(ctx: &Ctx, e: ApiError) -> Response {
    let (status, title, message, reference) = match &e {
        ApiError::NotFound | ApiError::NotFoundField { .. } => (
            StatusCode::NOT_FOUND,
            ctx.t("error-404-title"),
            ctx.t("error-404-text"),
            None,
        ),
        ApiError::Forbidden(reason) if reason == "csrf" => (
            StatusCode::FORBIDDEN,
            ctx.t("error-403-title"),
            ctx.t("error-csrf-text"),
            None,
        ),
        ApiError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            ctx.t("error-403-title"),
            ctx.t("error-403-text"),
            None,
        ),
        ApiError::SignInRequired(_) => (
            StatusCode::UNAUTHORIZED,
            ctx.t("error-401-title"),
            ctx.t("error-401-text"),
            None,
        ),
        ApiError::Throttled { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.t("error-429-title"),
            ctx.t("signin-throttled"),
            None,
        ),
        ApiError::Internal { reference } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            ctx.t("error-500-title"),
            ctx.t("error-500-text"),
            Some(reference.clone()),
        ),
        ApiError::Invalid { field, rule } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("error-422-title"),
            format!("{field}: {}", translate_rule(ctx, rule)),
            None,
        ),
        ApiError::Conflict(_) => (
            StatusCode::CONFLICT,
            ctx.t("error-409-title"),
            ctx.t("error-409-text"),
            None,
        ),
        ApiError::Malformed(_) | ApiError::TooLarge => (
            StatusCode::BAD_REQUEST,
            ctx.t("error-400-title"),
            ctx.t("error-400-text"),
            None,
        ),
    };
    // The error page does not echo the address asked for: a concealed body's 404 is then
    // byte for byte the 404 of a body that never existed.
    let ctx = &Ctx {
        path: "/".into(),
        ..ctx.clone()
    };
    let page = ErrorPage {
        ctx,
        title,
        message,
        reference,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            let reference = crate::auth::random_token(6);
            tracing::error!(reference, error = %err, "error page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Internal error. Reference: {reference}"),
            )
                .into_response()
        }
    }
}

/// An API rule in the reader's language when the catalogue has it.
pub fn translate_rule(ctx: &Ctx, rule: &str) -> String {
    if let Some(key) = i18n::rule_key(rule) {
        return ctx.t(key);
    }
    match i18n::rule_shape(rule) {
        Some((key, args)) => {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ctx.lang.t_args(key, &args)
        }
        None => rule.to_owned(),
    }
}

/// Field errors of a form, shown next to each field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors {
    errors: Vec<(String, String)>,
    /// An error not tied to one field (e.g. a conflict).
    pub general: Option<String>,
}

impl FieldErrors {
    /// The message for `field`, if any.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.general.is_none()
    }

    /// Turns an error of a form's submission into messages; `Err` for errors that are
    /// not about the input (they get the error page).
    pub fn from_error(ctx: &Ctx, e: ApiError, known: &[&str]) -> Result<Self, ApiError> {
        let mut out = Self::default();
        match e {
            ApiError::Invalid { field, rule } | ApiError::NotFoundField { field, rule } => {
                let message = translate_rule(ctx, &rule);
                if known.contains(&field.as_str()) {
                    out.errors.push((field, message));
                } else {
                    out.general = Some(message);
                }
            }
            ApiError::Conflict(_) => out.general = Some(ctx.t("form-conflict")),
            other => return Err(other),
        }
        Ok(out)
    }
}

/// A 303 to `to` that shows the flash `key` on the next page.
pub fn redirect_with_flash(to: &str, key: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// A local path to go back to after a form: only same-site absolute paths.
pub fn local_path(s: &str) -> &str {
    if s.starts_with('/') && !s.starts_with("//") && !s.contains('\\') {
        s
    } else {
        "/"
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_500_page_shows_the_logged_reference_and_nothing_else() {
        let ctx = Ctx::anonymous(Lang::EN, "/bodies");
        let e = ApiError::internal(&"database is locked at /var/lib/rsm/rsm.db");
        let ApiError::Internal { reference } = &e else {
            unreachable!()
        };
        let reference = reference.clone();
        let r = error_response(&ctx, e);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = body_of(r).await;
        assert!(html.contains(&format!("<code>{reference}</code>")));
        assert!(!html.contains("database") && !html.contains("/var/lib"));
    }

    #[tokio::test]
    async fn the_404_page_is_translated() {
        let ctx = Ctx::anonymous(Lang::from_code("ko"), "/x");
        let r = error_response(&ctx, ApiError::NotFound);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(body_of(r).await.contains("페이지를 찾을 수 없음"));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/bodies"), "/bodies");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil"), "/");
    }
}
