//! `/api/v1/parties`: the six parties and their participation over time (public to read).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rsm_core::{
    access::Action,
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode,
};
use rsm_store::ParticipationStore;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery, parse_date};
use crate::{AppState, auth::Caller, error::ApiError};

/// A party and its status on the date asked about.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "KR")]
    pub code: String,
    pub name: String,
    /// `participating`, `invited`, `suspended` or `withdrawn`.
    pub status: String,
    /// The date the status took effect, if it was ever set.
    pub since: Option<String>,
    /// The decision or act that set it.
    pub basis: Option<String>,
}

/// One change in a party's participation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub status: String,
    pub effective: String,
    pub basis: String,
    pub recorded_on: String,
}

/// A party, its status and its whole participation history.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDetail {
    #[serde(flatten)]
    pub party: PartyView,
    pub history: Vec<ChangeView>,
}

/// The parties on a date, and who counts for what.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartiesView {
    /// The date the answer is for.
    pub date: String,
    pub parties: Vec<PartyView>,
    /// Parties whose agreement a mechanism-wide consensus needs on that date.
    pub must_agree: Vec<String>,
    /// Parties that owe notifications on that date.
    pub owe_notifications: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    /// Answer for this date (YYYY-MM-DD); today when absent.
    pub date: Option<String>,
}

/// A change of a party's participation, made by a decision or act.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetParticipation {
    /// `participating`, `invited`, `suspended` or `withdrawn`.
    pub status: String,
    /// First day of the new status (YYYY-MM-DD), today or later.
    pub effective: String,
    /// The decision symbol or act, e.g. `MC.DEC/1/27`.
    pub basis: String,
}

pub(crate) fn party_view(t: &Timeline, party: PartyCode, date: jiff::civil::Date) -> PartyView {
    let change = t.change_in_force(party, date);
    PartyView {
        code: party.as_str().into(),
        name: party.name().into(),
        status: t.status_on(party, date).as_str().into(),
        since: change.map(|c| c.effective.to_string()),
        basis: change.map(|c| c.basis.clone()),
    }
}

fn detail(t: &Timeline, party: PartyCode, date: jiff::civil::Date) -> PartyDetail {
    PartyDetail {
        party: party_view(t, party, date),
        history: t
            .history(party)
            .iter()
            .map(|c| ChangeView {
                status: c.status.as_str().into(),
                effective: c.effective.to_string(),
                basis: c.basis.clone(),
                recorded_on: c.recorded_on.to_string(),
            })
            .collect(),
    }
}

fn codes(parties: Vec<PartyCode>) -> Vec<String> {
    parties.into_iter().map(|p| p.as_str().to_owned()).collect()
}

fn path_party(code: &str) -> Result<PartyCode, ApiError> {
    code.parse()
        .map_err(|e: rsm_core::party::UnknownParty| ApiError::NotFoundField {
            field: "code".into(),
            rule: e.to_string(),
        })
}

/// The six parties and their participation on a date.
#[utoipa::path(get, path = "/api/v1/parties", tag = "parties", params(AsOf),
    responses((status = 200, body = PartiesView), (status = 422, body = crate::error::Problem)))]
pub async fn list_parties(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AsOf>,
) -> Result<Json<PartiesView>, ApiError> {
    caller.require(&state, Action::ReadParties).await?;
    let (today, timeline) = state.today_and_timeline().await?;
    let date = match q.date.as_deref() {
        Some(d) => parse_date("date", d)?,
        None => today,
    };
    Ok(Json(PartiesView {
        date: date.to_string(),
        parties: PartyCode::ALL
            .into_iter()
            .map(|p| party_view(&timeline, p, date))
            .collect(),
        must_agree: codes(timeline.participating_on(date)),
        owe_notifications: codes(timeline.owe_notifications_on(date)),
    }))
}

/// One party with its participation history.
#[utoipa::path(get, path = "/api/v1/parties/{code}", tag = "parties",
    params(("code" = String, Path, description = "party code"), AsOf),
    responses((status = 200, body = PartyDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_party(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> Result<Json<PartyDetail>, ApiError> {
    caller.require(&state, Action::ReadParties).await?;
    let party = path_party(&code)?;
    let (today, timeline) = state.today_and_timeline().await?;
    let date = match q.date.as_deref() {
        Some(d) => parse_date("date", d)?,
        None => today,
    };
    Ok(Json(detail(&timeline, party, date)))
}

/// Parses a participation change recorded at `now` (shared by the API and the pages).
pub(crate) fn parse_change(
    party: PartyCode,
    input: &SetParticipation,
    now: jiff::Timestamp,
) -> Result<StatusChange, ApiError> {
    let status = ParticipationStatus::parse(&input.status).ok_or_else(|| {
        ApiError::invalid(
            "status",
            "must be one of participating, invited, suspended, withdrawn",
        )
    })?;
    let effective = parse_date("effective", &input.effective)?;
    Ok(StatusChange {
        party,
        status,
        effective,
        basis: input.basis.trim().to_owned(),
        recorded_on: now.to_zoned(jiff::tz::TimeZone::UTC).date(),
    })
}

/// Records a change of participation (secretariat only). Past answers never change:
/// the effective date is today or later, and after the party's last change.
#[utoipa::path(post, path = "/api/v1/parties/{code}/participation", tag = "parties",
    params(("code" = String, Path, description = "party code")),
    request_body = SetParticipation,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = PartyDetail), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn set_participation(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<SetParticipation>,
) -> Result<(StatusCode, Json<PartyDetail>), ApiError> {
    caller.require(&state, Action::SetParticipation).await?;
    let party = path_party(&code)?;
    let now = state.clock.now();
    let change = parse_change(party, &input, now)?;
    let effective = change.effective;
    state
        .store
        .record_change(&change, &caller.attribution(now))
        .await?;
    let timeline = state.store.timeline().await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&timeline, party, effective)),
    ))
}
