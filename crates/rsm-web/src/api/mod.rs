//! The JSON API under `/api/v1`: routes, wire types and the OpenAPI document.

pub mod aid;
pub mod audit;
pub mod bodies;
pub mod cases;
pub mod decisions;
pub mod documents;
pub mod energy;
pub mod input;
pub mod kin;
pub mod kin_draws;
pub mod log;
pub mod mail;
pub mod me;
pub mod meetings;
pub mod notifications;
pub mod parties;
pub mod people;
pub mod search;
pub mod session;
pub mod tokens;

use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

pub use input::{ApiJson, ApiQuery};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "RSM API",
        description = "The platform of the Northeast Asia regional security mechanism. Errors are application/problem+json.",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "parties", description = "Parties and their participation over time"),
        (name = "bodies", description = "Bodies, members and chair rotation"),
        (name = "people", description = "Accounts (secretariat administrator)"),
        (name = "me", description = "The signed-in account"),
        (name = "tokens", description = "API tokens"),
        (name = "audit", description = "The audit trail (secretariat administrator)"),
        (name = "session", description = "Sign-in and sign-out"),
        (name = "search", description = "Search over what the caller may see"),
        (name = "log", description = "The notification log: signed submissions, receipts, proofs (tiles under /log/)"),
        (name = "notifications", description = "The CSBM regime, signed notifications with their contents, compliance"),
        (name = "meetings", description = "Meetings, agendas, journals and the calendar feed"),
        (name = "decisions", description = "Draft decisions, consensus and silence, adopted decisions, action items"),
        (name = "documents", description = "Documents, symbols, language versions and issued content"),
        (name = "energy", description = "The gas planner: scenarios, background runs, results attached to agenda items and decisions"),
        (name = "cases", description = "Humanitarian case referral between the parties' focal points"),
        (name = "kin", description = "Separated families: tracing registry, list exchange, matching and review (focal points of KR, and KP while it participates)"),
        (name = "aid", description = "Aid flows, the conversion table, and the yearly humanitarian report (suppressed aggregates)")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(parties::list_parties))
        .routes(routes!(parties::get_party))
        .routes(routes!(parties::set_participation))
        .routes(routes!(bodies::list_bodies, bodies::create_body))
        .routes(routes!(bodies::get_body, bodies::update_body))
        .routes(routes!(bodies::body_history))
        .routes(routes!(people::list_people, people::create_person))
        .routes(routes!(people::get_person))
        .routes(routes!(people::disable_person))
        .routes(routes!(people::enable_person))
        .routes(routes!(me::get_me))
        .routes(routes!(me::change_password))
        .routes(routes!(me::set_preferences))
        .routes(routes!(mail::get_mail, mail::set_mail))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(audit::list_audit))
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(search::search))
        .routes(routes!(log::log_info))
        .routes(routes!(log::submit_entry))
        .routes(routes!(log::submit_batch))
        .routes(routes!(log::get_entry))
        .routes(routes!(log::get_receipt))
        .routes(routes!(log::inclusion_proof))
        .routes(routes!(log::consistency_proof))
        .routes(routes!(log::party_head))
        .routes(routes!(log::pin_key))
        .merge(notifications::routes())
        .merge(deliberation_routes())
        .merge(aid::routes())
        .merge(energy_routes())
        .merge(case_routes())
        .merge(kin::routes())
        .merge(kin_draws::routes())
}

/// The routes of the gas planner.
fn energy_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(energy::list_scenarios, energy::create_scenario))
        .routes(routes!(energy::get_scenario, energy::update_scenario))
        .routes(routes!(energy::list_runs, energy::create_run))
        .routes(routes!(energy::get_run))
        .routes(routes!(energy::create_attachment))
        .routes(routes!(energy::list_networks, energy::create_network))
        .routes(routes!(energy::get_network, energy::update_network))
}

/// The routes of humanitarian case referral.
fn case_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cases::list_referral_types))
        .routes(routes!(cases::list_cases, cases::open_case))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::case_step))
}

/// The routes of meetings, decisions and documents.
fn deliberation_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meetings::list_meetings, meetings::create_meeting))
        .routes(routes!(meetings::get_meeting, meetings::update_meeting))
        .routes(routes!(meetings::add_item))
        .routes(routes!(meetings::accept_item))
        .routes(routes!(meetings::move_item))
        .routes(routes!(meetings::record_session))
        .routes(routes!(meetings::add_intervention))
        .routes(routes!(meetings::get_journal))
        .routes(routes!(meetings::calendar))
        .routes(routes!(decisions::list_drafts, decisions::create_draft))
        .routes(routes!(decisions::get_draft))
        .routes(routes!(decisions::revise_draft))
        .routes(routes!(decisions::take_position))
        .routes(routes!(decisions::propose_amendment))
        .routes(routes!(decisions::make_statement))
        .routes(routes!(decisions::put_under_silence))
        .routes(routes!(decisions::procedure))
        .routes(routes!(decisions::list_decisions))
        .routes(routes!(decisions::list_actions, decisions::create_action))
        .routes(routes!(decisions::complete_action))
        .routes(routes!(
            documents::list_documents,
            documents::create_document
        ))
        .routes(routes!(documents::get_document))
        .routes(routes!(documents::request_translation))
        .routes(routes!(documents::issue_version))
        .routes(routes!(documents::version_content))
}
