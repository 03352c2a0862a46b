//! `/documents/{id}`: one document as its readers see it — symbol, distribution, each
//! language version with its status — and its visible history: every document of the same
//! base symbol (the original, `/Rev.n`, `/Corr.n`, `/Add.n`) that the reader may read, with
//! the SHA-256 of each issued version and where it was entered in the log. A document the
//! reader may not see is the same 404 page as a missing one.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};

use super::{Ctx, Page};
use crate::{
    AppState,
    api::documents::{self, DocumentView},
    error::ApiError,
};

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    ctx: &'a Ctx,
    d: DocumentView,
    /// The chain of the same base symbol, in symbol order (this document included).
    history: Vec<DocumentView>,
}

async fn document_page(state: &AppState, page: &Page, id: i64) -> Result<Response, ApiError> {
    let (doc, _) = documents::readable(state, &page.caller, id).await?;
    let base = doc.symbol.base();
    let mut chain: Vec<_> = documents::visible_documents(state, &page.caller.actor)
        .await?
        .into_iter()
        .filter(|d| d.symbol.base() == base)
        .collect();
    chain.sort_by_key(|d| d.symbol.to_string());
    page.render(&DocumentPage {
        ctx: &page.ctx,
        d: documents::doc_view(&doc),
        history: chain.iter().map(documents::doc_view).collect(),
    })
}

/// `GET /documents/{id}`.
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = document_page(&state, &page, id).await;
    page.finish(r)
}
