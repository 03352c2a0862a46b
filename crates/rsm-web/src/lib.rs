//! RSM's HTTP face: the JSON API under `/api/v1`, sign-in, OpenAPI, health and readiness.
//!
//! Handlers are thin: they parse input, ask the one policy ([`auth::Caller::require`]), call
//! the store, and map the one error type ([`error::ApiError`]) to a problem+json response.

pub mod api;
pub mod auth;
pub mod clock;
pub mod energy;
pub mod error;
pub mod ics;
pub mod log;
pub mod mail;
pub mod notify;
pub mod pages;
pub mod tiles;
pub mod tls;
pub mod witness;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use jiff::civil::Date;
use rsm_core::participation::Timeline;
use rsm_store::{ParticipationStore, Store};
use tower_http::{set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer};

use crate::{auth::Throttle, clock::Clock, error::ApiError};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (off only for plain-HTTP localhost).
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session_ttl: jiff::SignedDuration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            session_ttl: jiff::SignedDuration::from_hours(12),
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<Throttle>,
    /// The notification log, when this server runs one.
    pub log: Option<Arc<log::Log>>,
    /// The gas network's base plan, solved on first view and kept.
    pub energy: Arc<tokio::sync::OnceCell<Result<pages::energy::EnergyPlan, String>>>,
    /// Planner runs computed at once (one: the solver gets the cores).
    pub energy_runs: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self {
            store,
            clock,
            config: Arc::new(config),
            throttle: Arc::new(Throttle::default()),
            log: None,
            energy: Arc::new(tokio::sync::OnceCell::new()),
            energy_runs: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// The same state serving `log`.
    pub fn with_log(mut self, log: Arc<log::Log>) -> Self {
        self.log = Some(log);
        self
    }

    /// Today's date (UTC) and the participation timeline: what the policy needs.
    pub async fn today_and_timeline(&self) -> Result<(Date, Timeline), ApiError> {
        let today = self.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        Ok((today, self.store.timeline().await?))
    }
}

/// The whole application: API, OpenAPI document, health, and the cross-cutting layers.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let openapi = Arc::new(openapi);
    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    Router::new()
        .merge(api)
        .merge(pages::routes())
        .merge(tiles::routes())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .fallback(pages::fallback)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(pages::CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Serves `router(state)` on `listener` until `shutdown` completes, then drains
/// in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// [`serve`] over HTTPS: only connections whose TLS handshake completed reach the router.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: tls::ServerTls,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // `tap_io` (doing nothing) gives the TLS listener axum's `ConnectInfo<SocketAddr>`.
    let listener = tls::TlsListener::new(listener, tls).tap_io(|_| {});
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
