//! `/api/v1/audit`: the append-only audit trail (secretariat administrator).

use axum::{Json, extract::State};
use rsm_core::access::Action;
use rsm_store::{AuditFilter, AuditStore};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::ApiQuery;
use crate::{AppState, auth::Caller, error::ApiError};

/// One audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub account_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub source: String,
    pub detail: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only events older than this id (paging).
    pub before: Option<i64>,
    /// Only events by this user name.
    pub actor: Option<String>,
    /// Only events of this action, e.g. `body.read`.
    pub action: Option<String>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<AuditView>), (status = 403, body = crate::error::Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    caller.require(&state, Action::ReadAudit).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 1000"));
    }
    let events = state
        .store
        .list_audit(&AuditFilter {
            before_id: q.before,
            actor: q.actor,
            action: q.action,
            limit,
        })
        .await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| AuditView {
                id: e.id,
                at: e.at.to_string(),
                actor: e.actor,
                account_id: e.account_id,
                action: e.action,
                target: e.target,
                source: e.source,
                detail: e.detail,
            })
            .collect(),
    ))
}
