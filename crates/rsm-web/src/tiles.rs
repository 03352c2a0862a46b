//! The C2SP `tlog-tiles` read API under `/log/`: `checkpoint`, hash tiles
//! `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]`, so standard tile
//! clients (and `rsm ledger audit`) can read and check the log. Public, no sign-in; full
//! tiles never change and are served as immutable.

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rsm_ledger::{TileId, TileKind, tiles::encode_entry_bundle};
use rsm_store::LedgerStore;

use crate::{AppState, api::log::log, error::ApiError};

/// The tile routes, to merge into the application.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/tile/{*path}", get(tile))
}

fn with_headers(body: Vec<u8>, content_type: &'static str, cache: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let log = log(&state)?;
    let cp = log.published().ok_or(ApiError::NotFound)?;
    Ok(with_headers(
        cp.note.into_bytes(),
        "text/plain; charset=utf-8",
        "no-cache",
    ))
}

async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let log = log(&state)?;
    let tile =
        TileId::parse_path(&format!("tile/{path}")).map_err(|e| ApiError::NotFoundField {
            field: "tile".into(),
            rule: e.to_string(),
        })?;
    // Serve what the latest checkpoint commits to, nothing beyond.
    let size = log.published().map(|c| c.size).unwrap_or(0);
    if !tile.exists_in(size) {
        return Err(ApiError::NotFound);
    }
    let cache = if tile.is_partial() {
        "public, max-age=5"
    } else {
        "public, max-age=31536000, immutable"
    };
    let start = tile.first_entry();
    let end = start + u64::from(tile.width);
    let body = match tile.kind {
        TileKind::Entries => {
            // Served as stored: a missing row shows up as a short bundle to the auditor.
            let entries = log.store().log_entries(start, end).await?;
            let bytes: Vec<&[u8]> = entries.iter().map(|e| e.bytes.as_slice()).collect();
            encode_entry_bundle(&bytes).map_err(|e| ApiError::internal(&e))?
        }
        TileKind::Hashes(_) => {
            let ids = tile.node_ids();
            let Some(first) = ids.first() else {
                return Err(ApiError::NotFound);
            };
            let hashes = log
                .store()
                .log_hash_range(first.level, first.index, first.index + ids.len() as u64)
                .await?;
            hashes.iter().flat_map(|h| h.0).collect()
        }
    };
    Ok(with_headers(body, "application/octet-stream", cache))
}
