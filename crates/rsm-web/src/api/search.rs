//! `/api/v1/search`: finds parties, bodies, meetings and documents by name (documents also
//! by the text of their issued versions) — only among what the caller may see.

use axum::{Json, extract::State};
use rsm_core::{
    access::{Actor, visible_bodies},
    party::PartyCode,
};
use rsm_store::{BodyStore, DeliberationStore};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::ApiQuery;
use crate::{AppState, auth::Caller, error::ApiError};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find (case-insensitive), 1–200 characters.
    pub q: String,
}

/// One hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Hit {
    /// `party`, `body`, `meeting` or `document`.
    pub kind: String,
    pub id: String,
    pub title: String,
    /// The API address of the hit.
    pub href: String,
}

/// Hits the caller may see; a restricted body is never a hit, nor counted, for outsiders.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 422, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<Hit>>, ApiError> {
    Ok(Json(hits(&state, &caller.actor, &q.q).await?))
}

/// The hits of `q` among what `actor` may see (shared by the API and the pages). A document
/// matches by symbol and title, or by the text of an issued version it may read.
pub(crate) async fn hits(state: &AppState, actor: &Actor, q: &str) -> Result<Vec<Hit>, ApiError> {
    let needle = q.trim().to_lowercase();
    if needle.is_empty() || needle.chars().count() > 200 {
        return Err(ApiError::invalid("q", "must be 1–200 characters"));
    }
    let words: Vec<&str> = needle.split_whitespace().collect();
    let matches = |text: &str| {
        let text = text.to_lowercase();
        words.iter().all(|w| text.contains(w))
    };
    let mut hits = Vec::new();
    for p in PartyCode::ALL {
        if matches(&format!("{} {}", p.as_str(), p.name())) {
            hits.push(Hit {
                kind: "party".into(),
                id: p.as_str().into(),
                title: p.name().into(),
                href: format!("/api/v1/parties/{p}"),
            });
        }
    }
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies = state.store.bodies().await?;
    for b in visible_bodies(actor, &bodies, today, &timeline) {
        if matches(&format!("{} {}", b.id, b.name)) {
            hits.push(Hit {
                kind: "body".into(),
                id: b.id.to_string(),
                title: b.name.clone(),
                href: format!("/api/v1/bodies/{}", b.id),
            });
        }
    }
    for (m, _) in super::meetings::visible_meetings(state, actor).await? {
        if matches(&m.meeting.title) {
            hits.push(Hit {
                kind: "meeting".into(),
                id: m.id.to_string(),
                title: m.meeting.title.clone(),
                href: format!("/api/v1/meetings/{}", m.id),
            });
        }
    }
    for d in super::documents::visible_documents(state, actor).await? {
        let mut found = matches(&format!("{} {}", d.symbol, d.title));
        for digest in d.versions.iter().filter_map(|v| v.digest) {
            if found {
                break;
            }
            if let Some(bytes) = state.store.blob(&digest).await? {
                found = matches(&String::from_utf8_lossy(&bytes));
            }
        }
        if found {
            hits.push(Hit {
                kind: "document".into(),
                id: d.id.to_string(),
                title: format!("{} {}", d.symbol, d.title),
                href: format!("/api/v1/documents/{}", d.id),
            });
        }
    }
    Ok(hits)
}
