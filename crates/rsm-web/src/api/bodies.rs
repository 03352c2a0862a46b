//! `/api/v1/bodies`: bodies, their members, activity and chair; restricted ones only for members.

use std::collections::BTreeSet;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use jiff::civil::Date;
use rsm_core::{
    access::{Action, visible_bodies},
    body::{Activation, Body, BodyId, BodyKind, Membership, Visibility},
    participation::Timeline,
};
use rsm_store::{AuditStore, BodyRevision, BodyStore};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{ApiJson, parse_party};
use crate::{AppState, auth::Caller, error::ApiError};

/// A body as it stands today.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyView {
    pub id: String,
    pub name: String,
    /// `ministerial-council`, `working-group:<basket>` or `talks`.
    pub kind: String,
    /// `public` or `restricted`.
    pub visibility: String,
    /// The member parties, or `null` when every participating party is a member.
    pub members: Option<Vec<String>>,
    /// Members whose agreement a consensus needs today.
    pub must_agree_today: Vec<String>,
    pub active_today: bool,
    /// Present when the body is active only while this party participates.
    pub active_while_participating: Option<String>,
    pub chair_today: Option<String>,
    pub chair_rotation: Vec<String>,
    pub rotation_start_year: i16,
    pub revision: i64,
    pub changed_at: String,
    pub changed_by: String,
}

/// One past revision of a body.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i64,
    pub name: String,
    pub visibility: String,
    pub members: Option<Vec<String>>,
    pub chair_rotation: Vec<String>,
    pub changed_at: String,
    pub changed_by: String,
    pub reason: String,
}

/// A new body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// 2–40 characters a-z, 0-9 and '-'.
    pub id: String,
    #[serde(flatten)]
    pub fields: BodyFields,
}

/// A new revision of a body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    /// The revision this edit starts from; a conflict is reported if it is not the latest.
    pub expected_revision: i64,
    #[serde(flatten)]
    pub fields: BodyFields,
}

/// The editable parts of a body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BodyFields {
    pub name: String,
    pub kind: String,
    pub visibility: String,
    /// Member party codes; leave out for "every participating party".
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub active_while_participating: Option<String>,
    #[serde(default)]
    pub chair_rotation: Vec<String>,
    pub rotation_start_year: i16,
    /// The decision or act behind the change.
    pub reason: String,
}

pub(crate) fn members_view(m: &Membership) -> Option<Vec<String>> {
    match m {
        Membership::AllParticipating => None,
        Membership::Parties(set) => Some(set.iter().map(|p| p.as_str().to_owned()).collect()),
    }
}

pub(crate) fn view(rev: &BodyRevision, today: Date, t: &Timeline) -> BodyView {
    let b = &rev.body;
    BodyView {
        id: b.id.to_string(),
        name: b.name.clone(),
        kind: b.kind.as_str().into(),
        visibility: b.visibility.as_str().into(),
        members: members_view(&b.membership),
        must_agree_today: b
            .must_agree_on(today, t)
            .into_iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        active_today: b.is_active_on(today, t),
        active_while_participating: match b.activation {
            Activation::Always => None,
            Activation::WhileParticipating(p) => Some(p.as_str().into()),
        },
        chair_today: b.chair_on(today, t).map(|p| p.as_str().to_owned()),
        chair_rotation: b
            .chair_rotation
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        rotation_start_year: b.rotation_start_year,
        revision: rev.revision,
        changed_at: rev.changed_at.to_string(),
        changed_by: rev.changed_by.clone(),
    }
}

/// Parses and checks a body's editable fields (shared by the API and the pages).
pub(crate) fn parse_fields(id: BodyId, f: &BodyFields) -> Result<Body, ApiError> {
    let kind = BodyKind::parse(&f.kind).ok_or_else(|| {
        ApiError::invalid(
            "kind",
            "must be ministerial-council, working-group:security, working-group:economic, working-group:humanitarian or talks",
        )
    })?;
    let visibility = Visibility::parse(&f.visibility)
        .ok_or_else(|| ApiError::invalid("visibility", "must be public or restricted"))?;
    let membership = match &f.members {
        None => Membership::AllParticipating,
        Some(list) => Membership::Parties(
            list.iter()
                .map(|p| parse_party("members", p))
                .collect::<Result<BTreeSet<_>, _>>()?,
        ),
    };
    let activation = match &f.active_while_participating {
        None => Activation::Always,
        Some(p) => Activation::WhileParticipating(parse_party("active_while_participating", p)?),
    };
    let chair_rotation = f
        .chair_rotation
        .iter()
        .map(|p| parse_party("chair_rotation", p))
        .collect::<Result<Vec<_>, _>>()?;
    if !(1945..=2200).contains(&f.rotation_start_year) {
        return Err(ApiError::invalid(
            "rotation_start_year",
            "must be a year between 1945 and 2200",
        ));
    }
    if f.reason.trim().is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "must name the decision or act behind the change",
        ));
    }
    Ok(Body {
        id,
        name: f.name.trim().to_owned(),
        kind,
        visibility,
        membership,
        activation,
        chair_rotation,
        rotation_start_year: f.rotation_start_year,
    })
}

/// Loads a body the caller may see; everything else is "not found", whether or not it exists.
pub(crate) async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(BodyRevision, Date, Timeline), ApiError> {
    let id = BodyId::parse(id).map_err(|_| ApiError::NotFound)?;
    let rev = state.store.body(&id).await?.ok_or(ApiError::NotFound)?;
    caller.require(state, Action::ReadBody(&rev.body)).await?;
    let (today, timeline) = state.today_and_timeline().await?;
    if rev.body.visibility == Visibility::Restricted {
        state
            .store
            .record_audit(
                &caller.attribution(state.clock.now()),
                "body.read",
                &format!("body:{}", rev.body.id),
                "",
            )
            .await?;
    }
    Ok((rev, today, timeline))
}

/// The bodies the caller may see (restricted bodies only for their members).
#[utoipa::path(get, path = "/api/v1/bodies", tag = "bodies",
    responses((status = 200, body = Vec<BodyView>)))]
pub async fn list_bodies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<BodyView>>, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies = state.store.bodies().await?;
    let shown: Vec<&Body> = visible_bodies(&caller.actor, &bodies, today, &timeline);
    if shown.iter().any(|b| b.visibility == Visibility::Restricted) {
        state
            .store
            .record_audit(
                &caller.attribution(state.clock.now()),
                "body.list",
                "bodies",
                "list included restricted bodies",
            )
            .await?;
    }
    let mut out = Vec::with_capacity(shown.len());
    for body in shown {
        if let Some(rev) = state.store.body(&body.id).await? {
            out.push(view(&rev, today, &timeline));
        }
    }
    Ok(Json(out))
}

/// One body, as it stands today.
#[utoipa::path(get, path = "/api/v1/bodies/{id}", tag = "bodies",
    params(("id" = String, Path, description = "body id")),
    responses((status = 200, body = BodyView), (status = 404, body = crate::error::Problem)))]
pub async fn get_body(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<BodyView>, ApiError> {
    let (rev, today, timeline) = visible(&state, &caller, &id).await?;
    Ok(Json(view(&rev, today, &timeline)))
}

/// Every revision of a body, oldest first.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/history", tag = "bodies",
    params(("id" = String, Path, description = "body id")),
    responses((status = 200, body = Vec<RevisionView>), (status = 404, body = crate::error::Problem)))]
pub async fn body_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<RevisionView>>, ApiError> {
    let (rev, _, _) = visible(&state, &caller, &id).await?;
    let history = state.store.body_history(&rev.body.id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|r| RevisionView {
                revision: r.revision,
                name: r.body.name,
                visibility: r.body.visibility.as_str().into(),
                members: members_view(&r.body.membership),
                chair_rotation: r
                    .body
                    .chair_rotation
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
                changed_at: r.changed_at.to_string(),
                changed_by: r.changed_by,
                reason: r.reason,
            })
            .collect(),
    ))
}

/// Creates a body (secretariat).
#[utoipa::path(post, path = "/api/v1/bodies", tag = "bodies", request_body = CreateBody,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = BodyView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_body(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<BodyView>), ApiError> {
    caller.require(&state, Action::CreateBody).await?;
    let id = BodyId::parse(&input.id).map_err(|e| ApiError::invalid("id", e.to_string()))?;
    let body = parse_fields(id, &input.fields)?;
    if let Some(existing) = state.store.body(&body.id).await? {
        // A body the caller may not see is reported as a conflict without naming it.
        caller
            .require(&state, Action::ReadBody(&existing.body))
            .await
            .map_err(|_| ApiError::Conflict("a body with this id already exists".into()))?;
        return Err(ApiError::Conflict(format!(
            "body {} already exists",
            body.id
        )));
    }
    let now = state.clock.now();
    state
        .store
        .create_body(&body, input.fields.reason.trim(), &caller.attribution(now))
        .await?;
    let (rev, today, timeline) = visible(&state, &caller, body.id.as_str()).await?;
    Ok((StatusCode::CREATED, Json(view(&rev, today, &timeline))))
}

/// Edits a body, adding a revision (secretariat).
#[utoipa::path(put, path = "/api/v1/bodies/{id}", tag = "bodies",
    params(("id" = String, Path, description = "body id")), request_body = UpdateBody,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = BodyView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_body(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UpdateBody>,
) -> Result<Json<BodyView>, ApiError> {
    let id = BodyId::parse(&id).map_err(|_| ApiError::NotFound)?;
    let current = state.store.body(&id).await?.ok_or(ApiError::NotFound)?;
    caller
        .require(&state, Action::EditBody(&current.body))
        .await?;
    let body = parse_fields(id, &input.fields)?;
    let now = state.clock.now();
    state
        .store
        .update_body(
            &body,
            input.expected_revision,
            input.fields.reason.trim(),
            &caller.attribution(now),
        )
        .await?;
    let (rev, today, timeline) = visible(&state, &caller, body.id.as_str()).await?;
    Ok(Json(view(&rev, today, &timeline)))
}
