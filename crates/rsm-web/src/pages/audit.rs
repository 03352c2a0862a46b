//! `/audit` (administrator): the audit trail, newest first, filtered by actor and action,
//! paged by id. The filter form is plain HTML; htmx swaps the results in place.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use rsm_core::access::Action;
use rsm_store::{AuditFilter, AuditStore};
use serde::Deserialize;

use super::{Ctx, Page};
use crate::{AppState, error::ApiError};

const PAGE_SIZE: u32 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    before: Option<String>,
}

pub struct EventRow {
    pub id: i64,
    pub when: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub source: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    ctx: &'a Ctx,
    actor: String,
    action: String,
    events: Vec<EventRow>,
    /// The query string of the next (older) page, when there is one.
    older: Option<String>,
    paged: bool,
}

/// `GET /audit`.
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadAudit).await?;
        let actor = q.actor.unwrap_or_default().trim().to_owned();
        let action = q.action.unwrap_or_default().trim().to_owned();
        let before = match q.before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .map_err(|_| ApiError::invalid("before", "must be a number"))?,
            ),
        };
        let mut events = state
            .store
            .list_audit(&AuditFilter {
                before_id: before,
                actor: Some(actor.clone()).filter(|s| !s.is_empty()),
                action: Some(action.clone()).filter(|s| !s.is_empty()),
                limit: PAGE_SIZE + 1,
            })
            .await?;
        let more = events.len() > PAGE_SIZE as usize;
        events.truncate(PAGE_SIZE as usize);
        let older = match (more, events.last()) {
            (true, Some(last)) => Some(
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("actor", &actor)
                    .append_pair("action", &action)
                    .append_pair("before", &last.id.to_string())
                    .finish(),
            ),
            _ => None,
        };
        page.render(&AuditPage {
            ctx: &page.ctx,
            actor,
            action,
            events: events
                .into_iter()
                .map(|e| EventRow {
                    id: e.id,
                    when: page.ctx.when(&e.at),
                    actor: e.actor,
                    action: e.action,
                    target: e.target,
                    source: e.source,
                    detail: e.detail,
                })
                .collect(),
            older,
            paged: before.is_some(),
        })
    }
    .await;
    page.finish(r)
}
