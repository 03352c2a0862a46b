//! Integration tests of the API: the authorization matrix, sign-in, tokens, bad input and
//! participation, each against a fresh SQLite database and a settable clock.

mod access_matrix;
mod aid;
mod auth_flows;
mod bad_input;
mod calendar_zones;
mod cases;
mod deliberation;
mod deliberation_matrix;
mod documents_pages;
mod energy_planning;
mod kin;
mod kin_draws;
mod mail;
mod meeting_records;
mod notification_pages;
mod notifications;
mod pages;
mod participation;
mod report_publication;
mod witness;

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use jiff::{Timestamp, civil::date};
use rsm_core::{
    access::Role,
    body::{BodyId, default_bodies},
    participation::Timeline,
    party::PartyCode,
};
use rsm_store::{
    AccountStore, Attribution, BodyStore, NewAccount, ParticipationStore, Store, TokenScope,
};
use rsm_web::{AppState, WebConfig, auth::secret_digest, clock::ManualClock};
use serde_json::Value;
use tower::ServiceExt;

/// The roles the tests act as, in the order of the matrix columns.
pub const ROLES: [&str; 8] = [
    "public",
    "admin",
    "officer",
    "kr.delegate",
    "jp.delegate",
    "ru.auditor",
    "kr.redcross",
    "cn.energy",
];

fn role_of(name: &str) -> Role {
    use PartyCode::*;
    match name {
        "admin" => Role::SecretariatAdmin,
        "officer" => Role::SecretariatOfficer,
        "kr.delegate" => Role::Delegate(KR),
        "jp.delegate" => Role::Delegate(JP),
        "ru.auditor" => Role::Auditor(RU),
        "kr.redcross" => Role::FocalPoint(KR),
        "cn.energy" => Role::WorkingGroupMember(CN, BodyId::parse("wg-economic").unwrap()),
        other => panic!("no role {other}"),
    }
}

/// A running app over a fresh database, seeded like the demo: founded 2026-01-01, the
/// default bodies, one account per role with a write token `tok-<name>`.
pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub log: Arc<rsm_web::log::Log>,
    pub clock: Arc<ManualClock>,
    pub ids: std::collections::HashMap<&'static str, i64>,
    _dir: tempfile::TempDir,
}

/// A response: status, headers and the body parsed as JSON (Null when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    pub text: String,
}

impl TestApp {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        let start: Timestamp = "2026-03-02T03:00:00Z".parse().unwrap();
        let who = Attribution::host_cli(start);
        store
            .seed_timeline(
                &Timeline::founding(date(2026, 1, 1), "Founding Declaration"),
                &who,
            )
            .await
            .unwrap();
        for b in default_bodies(2026) {
            store.create_body(&b, "founding", &who).await.unwrap();
        }
        let mut ids = std::collections::HashMap::new();
        for name in &ROLES[1..] {
            let account = store
                .create_account(
                    &NewAccount {
                        username: (*name).into(),
                        display_name: (*name).into(),
                        role: role_of(name),
                        password_hash: None,
                        language: "en".into(),
                        time_zone: "UTC".into(),
                    },
                    &who,
                )
                .await
                .unwrap();
            store
                .create_token(
                    account.id,
                    "test",
                    &secret_digest(&format!("tok-{name}")),
                    TokenScope::Write,
                    None,
                    &who,
                )
                .await
                .unwrap();
            ids.insert(*name, account.id);
        }
        let clock = Arc::new(ManualClock::new(start));
        let config = WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        };
        let log = rsm_web::log::Log::start(
            store.clone(),
            clock.clone(),
            rsm_web::log::LogConfig::new("rsm.test/log", [7; 32]),
        )
        .await
        .unwrap();
        let state = AppState::new(store.clone(), clock.clone(), config).with_log(log.clone());
        Self {
            router: rsm_web::router(state),
            store,
            log,
            clock,
            ids,
            _dir: dir,
        }
    }

    /// Sends a request as `who` (a role name using its token, or `public`).
    pub async fn call(&self, method: &str, path: &str, who: &str, body: Option<Value>) -> Reply {
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if who != "public" {
            req = req.header(header::AUTHORIZATION, format!("Bearer tok-{who}"));
        }
        let req = match body {
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
            text,
        }
    }
}
