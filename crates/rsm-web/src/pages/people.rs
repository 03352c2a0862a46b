//! `/people` (administrator: accounts, roles, disable/enable) and `/tokens` (everyone: my
//! API tokens — created and shown once, revoked). The rules are the API's
//! (`api::people::new_account`, `api::tokens::mint`, `api::tokens::revoke`).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use rsm_core::access::{Action, Role};
use rsm_store::AccountStore;

use super::{Ctx, FieldErrors, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::{
        people::{CreatePerson, new_account, set_disabled},
        tokens::{CreateToken, mint, revoke},
    },
    error::ApiError,
};

/// An account in the table.
pub struct PersonRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub party: String,
    pub disabled: bool,
    pub language: String,
    pub time_zone: String,
    pub created: String,
    pub is_me: bool,
}

/// The new-account form, as typed (the password is never echoed).
#[derive(Debug, Clone, Default)]
pub struct PersonForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub party: String,
    pub body: String,
    pub language: String,
    pub time_zone: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage<'a> {
    ctx: &'a Ctx,
    people: Vec<PersonRow>,
    form: PersonForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, String)>,
    parties: Vec<&'static str>,
}

async fn people_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: PersonForm,
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    page.caller.require(state, Action::ListPeople).await?;
    let me = page.caller.actor.account_id();
    let people = state
        .store
        .accounts()
        .await?
        .iter()
        .map(|a| PersonRow {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: page.ctx.label("role", a.role.kind()),
            party: a
                .role
                .party()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            disabled: a.disabled,
            language: a.language.clone(),
            time_zone: a.time_zone.clone(),
            created: page.ctx.when(&a.created_at),
            is_me: Some(a.id) == me,
        })
        .collect();
    page.render_status(
        status,
        &PeoplePage {
            ctx: &page.ctx,
            people,
            form,
            errors,
            roles: Role::KINDS
                .into_iter()
                .map(|k| (k, page.ctx.label("role", k)))
                .collect(),
            parties: rsm_core::party::PartyCode::ALL
                .into_iter()
                .map(|p| p.as_str())
                .collect(),
        },
    )
}

/// `GET /people` (administrator).
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let form = PersonForm {
        role: "delegate".into(),
        language: "en".into(),
        time_zone: "UTC".into(),
        ..PersonForm::default()
    };
    let r = people_page(&state, &page, StatusCode::OK, form, FieldErrors::default()).await;
    page.finish(r)
}

/// `POST /people` (administrator): creates an account with the API's rules.
pub async fn create(State(state): State<AppState>, post: PageForm) -> Response {
    let page = &post.page;
    let form = PersonForm {
        username: post.get("username").trim().to_owned(),
        display_name: post.get("display_name"),
        role: post.get("role"),
        party: post.get("party"),
        body: post.get("body").trim().to_owned(),
        language: post.get("language"),
        time_zone: post.get("time_zone").trim().to_owned(),
    };
    let r = async {
        page.caller.require(&state, Action::ManagePeople).await?;
        let input = CreatePerson {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            role: form.role.clone(),
            party: post.opt("party"),
            body: post.opt("body"),
            password: post.opt("password"),
            language: post.opt("language"),
            time_zone: post.opt("time_zone"),
        };
        let attempt = async {
            let new = new_account(&state, input).await?;
            state
                .store
                .create_account(&new, &page.caller.attribution(state.clock.now()))
                .await?;
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => Ok(redirect_with_flash("/people", "flash-account-created")),
            Err(e) => {
                let errors = FieldErrors::from_error(
                    &page.ctx,
                    e,
                    &[
                        "username",
                        "display_name",
                        "role",
                        "party",
                        "body",
                        "password",
                        "language",
                        "time_zone",
                    ],
                )?;
                people_page(
                    &state,
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    form.clone(),
                    errors,
                )
                .await
            }
        }
    }
    .await;
    page.finish(r)
}

async fn toggle(state: &AppState, post: &PageForm, id: i64, disabled: bool) -> Response {
    let page = &post.page;
    let r = async {
        let _updated = set_disabled(state, &page.caller, id, disabled).await?;
        let flash = if disabled {
            "flash-account-disabled"
        } else {
            "flash-account-enabled"
        };
        Ok(redirect_with_flash("/people", flash))
    }
    .await;
    page.finish(r)
}

/// `POST /people/{id}/disable` (administrator).
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    post: PageForm,
) -> Response {
    toggle(&state, &post, id, true).await
}

/// `POST /people/{id}/enable` (administrator).
pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    post: PageForm,
) -> Response {
    toggle(&state, &post, id, false).await
}

/// A token in the table (never its secret).
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created: String,
    pub expires: Option<String>,
    pub revoked: Option<String>,
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage<'a> {
    ctx: &'a Ctx,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    created: Option<String>,
    name: String,
    scope: String,
    expires_in_days: String,
    errors: FieldErrors,
}

struct TokenInput {
    name: String,
    scope: String,
    expires_in_days: String,
}

async fn tokens_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    created: Option<String>,
    input: TokenInput,
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    page.caller.require(state, Action::ManageOwnAccount).await?;
    let account = page.caller.account()?;
    let tokens = state
        .store
        .tokens_of(account.id)
        .await?
        .iter()
        .rev()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name.clone(),
            scope: page.ctx.label("scope", t.scope.as_str()),
            created: page.ctx.when(&t.created_at),
            expires: t.expires_at.as_ref().map(|x| page.ctx.when(x)),
            revoked: t.revoked_at.as_ref().map(|x| page.ctx.when(x)),
            last_used: t.last_used_at.as_ref().map(|x| page.ctx.when(x)),
        })
        .collect();
    page.render_status(
        status,
        &TokensPage {
            ctx: &page.ctx,
            tokens,
            created,
            name: input.name,
            scope: input.scope,
            expires_in_days: input.expires_in_days,
            errors,
        },
    )
}

/// `GET /tokens`: my API tokens.
pub async fn tokens(State(state): State<AppState>, page: Page) -> Response {
    let input = TokenInput {
        name: String::new(),
        scope: "read".into(),
        expires_in_days: "90".into(),
    };
    let r = tokens_page(
        &state,
        &page,
        StatusCode::OK,
        None,
        input,
        FieldErrors::default(),
    )
    .await;
    page.finish(r)
}

/// `POST /tokens`: creates a token and shows it this once.
pub async fn create_token(State(state): State<AppState>, post: PageForm) -> Response {
    let page = &post.page;
    let input = TokenInput {
        name: post.get("name"),
        scope: post.get("scope"),
        expires_in_days: post.get("expires_in_days").trim().to_owned(),
    };
    let r = async {
        page.caller
            .require(&state, Action::ManageOwnAccount)
            .await?;
        let account_id = page.caller.account()?.id;
        let attempt = async {
            let expires_in_days = match input.expires_in_days.as_str() {
                "" => None,
                s => Some(s.parse::<i64>().map_err(|_| {
                    ApiError::invalid("expires_in_days", "must be between 1 and 3650")
                })?),
            };
            let request = CreateToken {
                name: input.name.clone(),
                scope: input.scope.clone(),
                expires_in_days,
                account_id: None,
            };
            mint(
                &state,
                account_id,
                &request,
                &page.caller.attribution(state.clock.now()),
            )
            .await
        }
        .await;
        match attempt {
            Ok(created) => {
                let blank = TokenInput {
                    name: String::new(),
                    scope: "read".into(),
                    expires_in_days: "90".into(),
                };
                tokens_page(
                    &state,
                    page,
                    StatusCode::CREATED,
                    Some(created.token),
                    blank,
                    FieldErrors::default(),
                )
                .await
            }
            Err(e) => {
                let errors =
                    FieldErrors::from_error(&page.ctx, e, &["name", "scope", "expires_in_days"])?;
                tokens_page(
                    &state,
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    input,
                    errors,
                )
                .await
            }
        }
    }
    .await;
    page.finish(r)
}

/// `POST /tokens/{id}/revoke`: my own token (the administrator's any; others' are not found).
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    post: PageForm,
) -> Response {
    let page = &post.page;
    let r = async {
        revoke(&state, &page.caller, id).await?;
        Ok(redirect_with_flash("/tokens", "flash-token-revoked"))
    }
    .await;
    page.finish(r)
}
