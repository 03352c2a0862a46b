//! `/api/v1/people`: accounts and roles (secretariat administrator).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rsm_core::{
    access::{Action, Role},
    body::{BodyId, BodyKind},
};
use rsm_store::{Account, AccountStore, BodyStore, NewAccount};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{ApiJson, check_language, check_time_zone, parse_party};
use crate::{
    AppState,
    auth::{Caller, check_new_password, hash_password},
    error::ApiError,
};

/// An account as shown to its owner and the administrator. Never carries a secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `secretariat-admin`, `secretariat-officer`, `delegate`, `auditor`, `focal-point`, `working-group-member`.
    pub role: String,
    pub party: Option<String>,
    pub body: Option<String>,
    pub disabled: bool,
    pub language: String,
    pub time_zone: String,
    pub created_at: String,
    /// Whether the account can sign in with a password.
    pub has_password: bool,
}

impl From<&Account> for PersonView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.kind().into(),
            party: a.role.party().map(|p| p.as_str().to_owned()),
            body: a.role.body().map(|b| b.to_string()),
            disabled: a.disabled,
            language: a.language.clone(),
            time_zone: a.time_zone.clone(),
            created_at: a.created_at.to_string(),
            has_password: a.password_hash.is_some(),
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePerson {
    /// 3–64 characters a-z, 0-9, '.', '_' and '-'.
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Required for party roles.
    #[serde(default)]
    pub party: Option<String>,
    /// Required for working-group members: the working group's body id.
    #[serde(default)]
    pub body: Option<String>,
    /// At least 12 characters; leave out for a token-only account.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// Checks a user name against the account rules.
pub fn check_username(field: &str, s: &str) -> Result<(), ApiError> {
    let ok = (3..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            "must be 3–64 characters of a-z, 0-9, '.', '_' and '-'",
        ))
    }
}

/// Builds and checks a role; a working-group member's body must be an existing working group.
pub async fn role_from_input(
    state: &AppState,
    kind: &str,
    party: Option<&str>,
    body: Option<&str>,
) -> Result<Role, ApiError> {
    let party = party.map(|p| parse_party("party", p)).transpose()?;
    let body = match body {
        None => None,
        Some(b) => {
            let id = BodyId::parse(b).map_err(|e| ApiError::invalid("body", e.to_string()))?;
            let found = state.store.body(&id).await?;
            match found {
                Some(rev) if matches!(rev.body.kind, BodyKind::WorkingGroup(_)) => Some(id),
                _ => {
                    return Err(ApiError::invalid(
                        "body",
                        "must be the id of a working group",
                    ));
                }
            }
        }
    };
    Role::from_parts(kind, party, body).map_err(|e| {
        use rsm_core::access::RoleError as R;
        let field = match e {
            R::UnknownKind(_) => "role",
            R::PartyRequired(_) | R::PartyNotAllowed(_) => "party",
            R::BodyRequired | R::BodyNotAllowed(_) => "body",
        };
        ApiError::invalid(field, e.to_string())
    })
}

/// Every account (administrator).
#[utoipa::path(get, path = "/api/v1/people", tag = "people",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<PersonView>), (status = 403, body = crate::error::Problem)))]
pub async fn list_people(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    caller.require(&state, Action::ListPeople).await?;
    let accounts = state.store.accounts().await?;
    Ok(Json(accounts.iter().map(PersonView::from).collect()))
}

/// Creates an account (administrator).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = CreatePerson,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = PersonView), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreatePerson>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    caller.require(&state, Action::ManagePeople).await?;
    let new = new_account(&state, input).await?;
    let account = state
        .store
        .create_account(&new, &caller.attribution(state.clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&account))))
}

/// Checks a new account's fields and hashes its password (shared by the API and the pages).
pub(crate) async fn new_account(
    state: &AppState,
    input: CreatePerson,
) -> Result<NewAccount, ApiError> {
    check_username("username", &input.username)?;
    let display_name = input.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "display_name",
            "must be 1–200 characters",
        ));
    }
    let role = role_from_input(
        state,
        &input.role,
        input.party.as_deref(),
        input.body.as_deref(),
    )
    .await?;
    let language = input.language.unwrap_or_else(|| "en".into());
    check_language("language", &language)?;
    let time_zone = input.time_zone.unwrap_or_else(|| "UTC".into());
    check_time_zone("time_zone", &time_zone)?;
    let password_hash = match input.password {
        Some(p) => {
            check_new_password("password", &p)?;
            Some(hash_password(p).await?)
        }
        None => None,
    };
    Ok(NewAccount {
        username: input.username,
        display_name: display_name.to_owned(),
        role,
        password_hash,
        language,
        time_zone,
    })
}

async fn load(state: &AppState, id: i64) -> Result<Account, ApiError> {
    state.store.account(id).await?.ok_or(ApiError::NotFound)
}

/// One account (administrator, or the account itself).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "account id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PersonView), (status = 404, body = crate::error::Problem)))]
pub async fn get_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonView>, ApiError> {
    if caller.actor.account_id() == Some(id) {
        caller.require(&state, Action::ManageOwnAccount).await?;
    } else {
        caller.require(&state, Action::ListPeople).await?;
    }
    Ok(Json(PersonView::from(&load(&state, id).await?)))
}

pub(crate) async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    id: i64,
    disabled: bool,
) -> Result<Json<PersonView>, ApiError> {
    caller.require(state, Action::ManagePeople).await?;
    if disabled && caller.actor.account_id() == Some(id) {
        return Err(ApiError::invalid(
            "id",
            "an administrator cannot disable their own account",
        ));
    }
    load(state, id).await?;
    state
        .store
        .set_disabled(id, disabled, &caller.attribution(state.clock.now()))
        .await?;
    Ok(Json(PersonView::from(&load(state, id).await?)))
}

/// Disables an account and ends its sessions (administrator). Its tokens stop working.
#[utoipa::path(post, path = "/api/v1/people/{id}/disable", tag = "people",
    params(("id" = i64, Path, description = "account id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PersonView), (status = 404, body = crate::error::Problem)))]
pub async fn disable_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonView>, ApiError> {
    set_disabled(&state, &caller, id, true).await
}

/// Enables a disabled account (administrator).
#[utoipa::path(post, path = "/api/v1/people/{id}/enable", tag = "people",
    params(("id" = i64, Path, description = "account id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PersonView), (status = 404, body = crate::error::Problem)))]
pub async fn enable_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonView>, ApiError> {
    set_disabled(&state, &caller, id, false).await
}
