//! `/api/v1/meetings`: meetings of a body, their agenda (added by the secretariat, proposed
//! by members' delegates), timetable, session times, interventions and generated journal;
//! and `/api/v1/calendar.ics`, the iCalendar feed of what the token's owner may see.
//!
//! A meeting of a restricted body is "not found" for anyone who may not see the body.

use std::collections::{BTreeMap, HashMap};

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use jiff::{SignedDuration, Timestamp, Zoned, civil::DateTime, tz::TimeZone};
use rsm_core::{
    access::{Action, Actor},
    agenda::{Agenda, ItemId, ItemSpec, Proposer},
    body::{Basket, Body, BodyId, BodyKind},
    decision::DecisionState,
    document::Symbol,
    journal::{self, DecisionRecord, Intervention, Journal, Recorded, Speaker},
    meeting::{ChairOverride, Delegation, Meeting, MeetingError, MeetingPlan, Place},
    participation::Timeline,
    party::PartyCode,
};
use rsm_store::{
    AccountStore, BodyStore, DeliberationStore, ItemStatus, NewItem, NewMeeting, Slot, StoredItem,
    StoredMeeting,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery, parse_party};
use crate::{AppState, auth::Caller, error::ApiError};

/// One delegation at a meeting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationView {
    pub party: String,
    pub head: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// One session of the timetable; times are local to the meeting's zone (`YYYY-MM-DDTHH:MM`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotView {
    pub label: String,
    pub start: String,
    pub end: String,
}

/// An agenda item with its number (accepted items only are numbered: 1, 1.1, 2 …).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub number: Option<String>,
    pub depth: u8,
    pub parent: Option<i64>,
    pub title: String,
    pub basket: Option<String>,
    pub minutes: Option<i64>,
    /// `secretariat` or a party code.
    pub proposer: String,
    /// `proposed` or `accepted`.
    pub status: String,
    pub documents: Vec<String>,
    pub revision: i64,
}

/// A meeting with its agenda, as it stands at the instant of reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub body: String,
    pub body_name: String,
    pub title: String,
    /// RFC 9557 with the zone, e.g. `2026-04-20T09:00:00+09:00[Asia/Seoul]`.
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub venue: Option<String>,
    pub link: Option<String>,
    pub chair: String,
    /// Why the rotation's chair was overridden, when it was.
    pub chair_override_reason: Option<String>,
    pub delegations: Vec<DelegationView>,
    pub timetable: Vec<SlotView>,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// `upcoming`, `in-session` or `past`, from the clock.
    pub status: String,
    pub length_minutes: i64,
    /// Planned minutes of the accepted agenda.
    pub planned_minutes: i64,
    /// The planned agenda is longer than the meeting.
    pub over_length: bool,
    pub agenda: Vec<ItemView>,
    pub revision: i64,
}

/// A meeting to schedule (secretariat). Times are local in `time_zone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeeting {
    pub body: String,
    pub title: String,
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    /// IANA zone, e.g. `Asia/Seoul`.
    pub time_zone: String,
    #[serde(default)]
    pub venue: Option<String>,
    /// An `https://` video link.
    #[serde(default)]
    pub link: Option<String>,
    /// A party to chair instead of the rotation's, with `chair_reason`.
    #[serde(default)]
    pub chair: Option<String>,
    #[serde(default)]
    pub chair_reason: Option<String>,
    #[serde(default)]
    pub delegations: Vec<DelegationView>,
    #[serde(default)]
    pub timetable: Vec<SlotView>,
}

/// An agenda item: the secretariat adds it, a delegate proposes it for its own party.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    pub title: String,
    /// `security`, `economic` or `humanitarian`; leave out for procedural items.
    #[serde(default)]
    pub basket: Option<String>,
    #[serde(default)]
    pub minutes: Option<i64>,
    /// The item this is a sub-item of.
    #[serde(default)]
    pub parent: Option<i64>,
    /// Symbols of documents to consider under the item.
    #[serde(default)]
    pub documents: Vec<String>,
    /// The proposing party (a delegate's own); leave out when the secretariat adds it.
    #[serde(default)]
    pub party: Option<String>,
}

/// Optimistic revision of the row being changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub expected_revision: i64,
}

/// Moves an item among its siblings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveItem {
    pub expected_revision: i64,
    /// 0-based position among its siblings.
    pub position: i64,
}

/// When the meeting opened and closed (RFC 3339 instants).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub expected_revision: i64,
    #[serde(default)]
    pub opened_at: Option<String>,
    #[serde(default)]
    pub closed_at: Option<String>,
}

/// Who took the floor under which item, and when.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntervention {
    pub item: i64,
    /// `chair`, `secretariat` or a party code.
    pub speaker: String,
    /// RFC 3339 instant.
    pub at: String,
}

/// Created: the new object's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The symbol prefix of a body's documents: `MC`, `WGS`, `WGE`, `WGH`, or the initials of
/// a talks body's id (`PRT`, `DT`).
pub(crate) fn body_prefix(body: &Body) -> rsm_core::document::SymbolPrefix {
    let s = match body.kind {
        BodyKind::MinisterialCouncil => "MC".to_owned(),
        BodyKind::WorkingGroup(Basket::Security) => "WGS".into(),
        BodyKind::WorkingGroup(Basket::Economic) => "WGE".into(),
        BodyKind::WorkingGroup(Basket::Humanitarian) => "WGH".into(),
        BodyKind::Talks => body
            .id
            .as_str()
            .split('-')
            .filter_map(|w| w.chars().next())
            .collect::<String>()
            .to_uppercase(),
    };
    rsm_core::document::SymbolPrefix::parse(&s)
        .unwrap_or_else(|_| rsm_core::document::SymbolPrefix::parse("X").expect("valid"))
}

/// A body the caller may see, or "not found".
pub(crate) async fn visible_body(
    state: &AppState,
    caller: &Caller,
    id: &BodyId,
) -> Result<Body, ApiError> {
    let rev = state.store.body(id).await?.ok_or(ApiError::NotFound)?;
    caller.require(state, Action::ReadBody(&rev.body)).await?;
    Ok(rev.body)
}

/// A meeting the caller may see, with its body; else "not found".
pub(crate) async fn visible_meeting(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(StoredMeeting, Body), ApiError> {
    let m = state.store.meeting(id).await?.ok_or(ApiError::NotFound)?;
    let body = visible_body(state, caller, &m.meeting.body).await?;
    Ok((m, body))
}

pub(crate) fn zone_of(m: &StoredMeeting) -> TimeZone {
    TimeZone::get(&m.meeting.zone).unwrap_or(TimeZone::UTC)
}

pub(crate) fn local(t: Timestamp, zone: &TimeZone) -> Zoned {
    t.to_zoned(zone.clone())
}

fn minutes(d: SignedDuration) -> i64 {
    d.as_secs() / 60
}

/// Items with their numbers: accepted items numbered 1, 1.1 …; proposals unnumbered.
pub(crate) fn numbered(items: &[StoredItem]) -> Vec<ItemView> {
    let mut out = Vec::with_capacity(items.len());
    let mut top = 0;
    let mut sub: HashMap<i64, u32> = HashMap::new();
    let mut top_number: HashMap<i64, u32> = HashMap::new();
    for i in items {
        let accepted = i.item.status == ItemStatus::Accepted;
        let number = match i.item.parent {
            None if accepted => {
                top += 1;
                top_number.insert(i.id, top);
                Some(top.to_string())
            }
            Some(p) if accepted => top_number.get(&p).map(|n| {
                let k = sub.entry(p).or_default();
                *k += 1;
                format!("{n}.{k}")
            }),
            _ => None,
        };
        out.push(ItemView {
            id: i.id,
            number,
            depth: u8::from(i.item.parent.is_some()),
            parent: i.item.parent,
            title: i.item.title.clone(),
            basket: i.item.basket.map(|b| b.as_str().to_owned()),
            minutes: i.item.minutes,
            proposer: match i.item.proposer {
                Proposer::Secretariat => "secretariat".into(),
                Proposer::Party(p) => p.as_str().into(),
            },
            status: i.item.status.as_str().into(),
            documents: i.item.symbols.iter().map(|s| s.to_string()).collect(),
            revision: i.revision,
        });
    }
    out
}

/// Planned minutes of the accepted agenda: an item's own duration covers its sub-items.
pub(crate) fn planned_minutes(items: &[StoredItem]) -> i64 {
    items
        .iter()
        .filter(|i| i.item.parent.is_none() && i.item.status == ItemStatus::Accepted)
        .map(|top| {
            top.item.minutes.unwrap_or_else(|| {
                items
                    .iter()
                    .filter(|s| {
                        s.item.parent == Some(top.id) && s.item.status == ItemStatus::Accepted
                    })
                    .filter_map(|s| s.item.minutes)
                    .sum()
            })
        })
        .sum()
}

pub(crate) fn meeting_status(m: &StoredMeeting, now: Timestamp) -> &'static str {
    if now < m.meeting.start {
        "upcoming"
    } else if now < m.meeting.end {
        "in-session"
    } else {
        "past"
    }
}

pub(crate) fn view(
    m: &StoredMeeting,
    body: &Body,
    items: &[StoredItem],
    now: Timestamp,
) -> MeetingView {
    let zone = zone_of(m);
    let fmt = |t: Timestamp| local(t, &zone).to_string();
    let civil = |t: Timestamp| {
        local(t, &zone)
            .datetime()
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let length = minutes(m.meeting.end.duration_since(m.meeting.start));
    let planned = planned_minutes(items);
    MeetingView {
        id: m.id,
        body: body.id.to_string(),
        body_name: body.name.clone(),
        title: m.meeting.title.clone(),
        start: fmt(m.meeting.start),
        end: fmt(m.meeting.end),
        time_zone: m.meeting.zone.clone(),
        venue: m.meeting.venue.clone(),
        link: m.meeting.link.clone(),
        chair: m.meeting.chair.as_str().into(),
        chair_override_reason: m.meeting.chair_override.as_ref().map(|(_, r)| r.clone()),
        delegations: m
            .meeting
            .delegations
            .iter()
            .map(|(p, d)| DelegationView {
                party: p.as_str().into(),
                head: d.head.clone(),
                members: d.members.clone(),
            })
            .collect(),
        timetable: m
            .meeting
            .timetable
            .iter()
            .map(|s| SlotView {
                label: s.label.clone(),
                start: civil(s.start),
                end: civil(s.end),
            })
            .collect(),
        opened_at: m.opened_at.map(fmt),
        closed_at: m.closed_at.map(fmt),
        status: meeting_status(m, now).into(),
        length_minutes: length,
        planned_minutes: planned,
        over_length: planned > length,
        agenda: numbered(items),
        revision: m.revision,
    }
}

fn meeting_error(e: MeetingError) -> ApiError {
    let field = match &e {
        MeetingError::EmptyTitle => "title",
        MeetingError::WrongBody { .. } => "body",
        MeetingError::EndNotAfterStart { .. } => "end",
        MeetingError::NotIanaZone | MeetingError::ZoneMismatch { .. } => "time_zone",
        MeetingError::BodyInactive { .. } => "start",
        MeetingError::ChairNotMember { .. } | MeetingError::NoChair { .. } => "chair",
        MeetingError::OverrideWithoutReason => "chair_reason",
        MeetingError::DelegationNotMember { .. } | MeetingError::NoHead(_) => "delegations",
        MeetingError::EmptyVenue => "venue",
        MeetingError::BadLink(_) => "link",
    };
    ApiError::invalid(field, e.to_string())
}

pub(crate) fn parse_local(field: &str, s: &str, zone: &TimeZone) -> Result<Zoned, ApiError> {
    let dt: DateTime = s
        .parse()
        .map_err(|_| ApiError::invalid(field, "must be a local date and time YYYY-MM-DDTHH:MM"))?;
    dt.to_zoned(zone.clone())
        .map_err(|e| ApiError::invalid(field, e.to_string()))
}

pub(crate) fn parse_instant(field: &str, s: &str) -> Result<Timestamp, ApiError> {
    s.parse().map_err(|_| {
        ApiError::invalid(
            field,
            "must be an RFC 3339 instant such as 2026-04-20T09:00:00+09:00",
        )
    })
}

fn place(venue: Option<String>, link: Option<String>) -> Result<Place, ApiError> {
    match (venue, link) {
        (Some(v), None) => Ok(Place::Venue(v)),
        (None, Some(l)) => Ok(Place::Video(l)),
        (Some(venue), Some(link)) => Ok(Place::Hybrid { venue, link }),
        (None, None) => Err(ApiError::invalid(
            "venue",
            "give a venue, a video link or both",
        )),
    }
}

/// The core meeting rebuilt from what is stored (for journals).
pub(crate) fn core_meeting(
    m: &StoredMeeting,
    body: &Body,
    timeline: &Timeline,
) -> Result<Meeting, ApiError> {
    let zone = zone_of(m);
    let plan =
        MeetingPlan {
            body: body.id.clone(),
            title: m.meeting.title.clone(),
            start: local(m.meeting.start, &zone),
            end: local(m.meeting.end, &zone),
            place: place(m.meeting.venue.clone(), m.meeting.link.clone())?,
            chair_override: m.meeting.chair_override.as_ref().map(|(party, reason)| {
                ChairOverride {
                    party: *party,
                    reason: reason.clone(),
                }
            }),
            delegations: m.meeting.delegations.clone(),
        };
    Meeting::schedule(plan, body, timeline).map_err(|e| ApiError::internal(&e))
}

/// The meetings the caller may see, by start.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    responses((status = 200, body = Vec<MeetingView>)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MeetingView>>, ApiError> {
    let now = state.clock.now();
    let mut out = Vec::new();
    for (m, body) in visible_meetings(&state, &caller.actor).await? {
        let items = state.store.items(m.id).await?;
        out.push(view(&m, &body, &items, now));
    }
    Ok(Json(out))
}

/// Every meeting `actor` may see, with its body.
pub(crate) async fn visible_meetings(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(StoredMeeting, Body)>, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies: BTreeMap<BodyId, Body> = state
        .store
        .bodies()
        .await?
        .into_iter()
        .filter(|b| rsm_core::access::decide(actor, Action::ReadBody(b), today, &timeline).is_ok())
        .map(|b| (b.id.clone(), b))
        .collect();
    Ok(state
        .store
        .meetings()
        .await?
        .into_iter()
        .filter_map(|m| bodies.get(&m.meeting.body).cloned().map(|b| (m, b)))
        .collect())
}

/// One meeting with its agenda.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = MeetingView), (status = 404, body = crate::error::Problem)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MeetingView>, ApiError> {
    let (m, body) = visible_meeting(&state, &caller, id).await?;
    let items = state.store.items(m.id).await?;
    Ok(Json(view(&m, &body, &items, state.clock.now())))
}

/// Checks and stores a meeting (shared by the API and the pages).
pub(crate) async fn schedule(
    state: &AppState,
    caller: &Caller,
    input: &CreateMeeting,
) -> Result<i64, ApiError> {
    let new = plan_meeting(state, caller, input).await?;
    Ok(state
        .store
        .create_meeting(&new, &caller.attribution(state.clock.now()))
        .await?)
}

/// A change of a scheduled meeting (secretariat): every field of a new one but the body,
/// and the revision the change was made on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeeting {
    pub expected_revision: i64,
    pub title: String,
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    pub time_zone: String,
    #[serde(default)]
    pub venue: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub chair: Option<String>,
    #[serde(default)]
    pub chair_reason: Option<String>,
    #[serde(default)]
    pub delegations: Vec<DelegationView>,
    #[serde(default)]
    pub timetable: Vec<SlotView>,
}

/// Checks and stores a change of a meeting (shared by the API and the pages). A change
/// made on an older revision is a conflict that names both revisions.
pub(crate) async fn reschedule(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: UpdateMeeting,
) -> Result<(), ApiError> {
    let (m, _) = visible_meeting(state, caller, id).await?;
    let as_new = CreateMeeting {
        body: m.meeting.body.to_string(),
        title: input.title,
        start: input.start,
        end: input.end,
        time_zone: input.time_zone,
        venue: input.venue,
        link: input.link,
        chair: input.chair,
        chair_reason: input.chair_reason,
        delegations: input.delegations,
        timetable: input.timetable,
    };
    let new = plan_meeting(state, caller, &as_new).await?;
    state
        .store
        .update_meeting(
            id,
            input.expected_revision,
            &new,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    Ok(())
}

/// Changes a scheduled meeting (secretariat); everyone concerned is notified.
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "meetings", request_body = UpdateMeeting,
    params(("id" = i64, Path, description = "meeting id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = MeetingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn update_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UpdateMeeting>,
) -> Result<Json<MeetingView>, ApiError> {
    reschedule(&state, &caller, id, input).await?;
    get_meeting(State(state), caller, Path(id)).await
}

/// Checks a meeting plan against the body, the participation timeline and the clock.
async fn plan_meeting(
    state: &AppState,
    caller: &Caller,
    input: &CreateMeeting,
) -> Result<NewMeeting, ApiError> {
    let body_id = BodyId::parse(&input.body).map_err(|_| ApiError::NotFoundField {
        field: "body".into(),
        rule: "no such body".into(),
    })?;
    let body = match state.store.body(&body_id).await? {
        Some(rev) => rev.body,
        None => {
            return Err(ApiError::NotFoundField {
                field: "body".into(),
                rule: "no such body".into(),
            });
        }
    };
    caller
        .require(state, Action::ReadBody(&body))
        .await
        .map_err(|_| ApiError::NotFoundField {
            field: "body".into(),
            rule: "no such body".into(),
        })?;
    caller
        .require(state, Action::ManageDeliberation(&body))
        .await?;
    let zone = TimeZone::get(input.time_zone.trim()).map_err(|_| {
        ApiError::invalid("time_zone", "must be an IANA time zone such as Asia/Seoul")
    })?;
    let start = parse_local("start", &input.start, &zone)?;
    let end = parse_local("end", &input.end, &zone)?;
    let chair_override = match &input.chair {
        None => None,
        Some(p) if p.trim().is_empty() => None,
        Some(p) => Some(ChairOverride {
            party: parse_party("chair", p)?,
            reason: input.chair_reason.clone().unwrap_or_default(),
        }),
    };
    let mut delegations = BTreeMap::new();
    for d in &input.delegations {
        let party = parse_party("delegations", &d.party)?;
        if delegations
            .insert(
                party,
                Delegation {
                    head: d.head.trim().to_owned(),
                    members: d.members.clone(),
                },
            )
            .is_some()
        {
            return Err(ApiError::invalid(
                "delegations",
                format!("{party} is listed twice"),
            ));
        }
    }
    let venue = input.venue.clone().filter(|v| !v.trim().is_empty());
    let link = input.link.clone().filter(|v| !v.trim().is_empty());
    let plan = MeetingPlan {
        body: body.id.clone(),
        title: input.title.trim().to_owned(),
        start: start.clone(),
        end: end.clone(),
        place: place(venue.clone(), link.clone())?,
        chair_override: chair_override.clone(),
        delegations: delegations.clone(),
    };
    let (_, timeline) = state.today_and_timeline().await?;
    let meeting = Meeting::schedule(plan, &body, &timeline).map_err(meeting_error)?;
    if start.timestamp() <= state.clock.now() {
        return Err(ApiError::invalid(
            "start",
            "a meeting is scheduled in the future",
        ));
    }
    let mut timetable = Vec::new();
    for s in &input.timetable {
        let a = parse_local("timetable", &s.start, &zone)?.timestamp();
        let b = parse_local("timetable", &s.end, &zone)?.timestamp();
        if s.label.trim().is_empty() || b <= a || a < start.timestamp() || b > end.timestamp() {
            return Err(ApiError::invalid(
                "timetable",
                "each session needs a label and must lie within the meeting, ending after it starts",
            ));
        }
        timetable.push(Slot {
            label: s.label.trim().to_owned(),
            start: a,
            end: b,
        });
    }
    let new = NewMeeting {
        body: body.id.clone(),
        title: meeting.title().to_owned(),
        start: start.timestamp(),
        end: end.timestamp(),
        zone: meeting.zone_name().to_owned(),
        venue,
        link,
        chair: meeting.chair(),
        chair_override: chair_override.map(|o| (o.party, o.reason.trim().to_owned())),
        delegations,
        timetable,
    };
    Ok(new)
}

/// Schedules a meeting (secretariat).
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = CreateMeeting,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = MeetingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateMeeting>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    let id = schedule(&state, &caller, &input).await?;
    let (m, body) = visible_meeting(&state, &caller, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&m, &body, &[], state.clock.now())),
    ))
}

/// Adds (secretariat) or proposes (a delegate, for its own party) an agenda item.
pub(crate) async fn add_item_for(
    state: &AppState,
    caller: &Caller,
    meeting: i64,
    input: &AddItem,
) -> Result<i64, ApiError> {
    let (m, body) = visible_meeting(state, caller, meeting).await?;
    let (proposer, status) = match &input.party {
        Some(p) => {
            let party = parse_party("party", p)?;
            caller
                .require(state, Action::SpeakFor(&body, party))
                .await?;
            (Proposer::Party(party), ItemStatus::Proposed)
        }
        None => {
            caller
                .require(state, Action::ManageDeliberation(&body))
                .await?;
            (Proposer::Secretariat, ItemStatus::Accepted)
        }
    };
    let basket = match input.basket.as_deref() {
        None | Some("") => None,
        Some(b) => Some(Basket::parse(b).ok_or_else(|| {
            ApiError::invalid("basket", "must be security, economic or humanitarian")
        })?),
    };
    if input.minutes.is_some_and(|m| !(1..=1440).contains(&m)) {
        return Err(ApiError::invalid("minutes", "must be between 1 and 1440"));
    }
    let items = state.store.items(m.id).await?;
    if let Some(parent) = input.parent {
        let p = items
            .iter()
            .find(|i| i.id == parent)
            .ok_or_else(|| ApiError::invalid("parent", "no such item on this agenda"))?;
        if p.item.parent.is_some() {
            return Err(ApiError::invalid(
                "parent",
                "the agenda has one level of sub-items",
            ));
        }
    }
    let symbols = input
        .documents
        .iter()
        .map(|s| Symbol::parse(s.trim()).map_err(|e| ApiError::invalid("documents", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    // The core agenda checks the title and the proposer's membership on the meeting's date.
    let (_, timeline) = state.today_and_timeline().await?;
    let zone = zone_of(&m);
    let mut agenda = Agenda::new(body.id.clone(), local(m.meeting.start, &zone).date());
    agenda
        .add(
            &body,
            &timeline,
            None,
            ItemSpec {
                title: input.title.clone(),
                basket,
                duration: input.minutes.map(SignedDuration::from_mins),
                proposed_by: proposer,
            },
        )
        .map_err(|e| {
            let field = match e {
                rsm_core::agenda::AgendaError::NotAMember { .. } => "party",
                rsm_core::agenda::AgendaError::BadDuration => "minutes",
                _ => "title",
            };
            ApiError::invalid(field, e.to_string())
        })?;
    let item = NewItem {
        meeting: m.id,
        parent: input.parent,
        basket,
        title: input.title.trim().to_owned(),
        minutes: input.minutes,
        proposer,
        status,
        symbols,
    };
    Ok(state
        .store
        .add_item(&item, &caller.attribution(state.clock.now()))
        .await?)
}

/// Adds an item (secretariat) or proposes one (a delegate, naming its own party).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")), request_body = AddItem,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AddItem>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let item = add_item_for(&state, &caller, id, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id: item })))
}

async fn managed_item(
    state: &AppState,
    caller: &Caller,
    meeting: i64,
    item: i64,
) -> Result<StoredItem, ApiError> {
    let (_, body) = visible_meeting(state, caller, meeting).await?;
    let item = state
        .store
        .item(item)
        .await?
        .filter(|i| i.item.meeting == meeting)
        .ok_or(ApiError::NotFound)?;
    caller
        .require(state, Action::ManageDeliberation(&body))
        .await?;
    Ok(item)
}

/// Accepts a proposed item onto the agenda (secretariat).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/accept", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id"), ("item" = i64, Path, description = "item id")),
    request_body = Revision, security(("session" = []), ("token" = [])),
    responses((status = 200, body = MeetingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn accept_item(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<Revision>,
) -> Result<Json<MeetingView>, ApiError> {
    let it = managed_item(&state, &caller, id, item).await?;
    if it.item.status == ItemStatus::Accepted {
        return Err(ApiError::Conflict(format!(
            "item {item} is already on the agenda"
        )));
    }
    state
        .store
        .accept_item(
            item,
            input.expected_revision,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    get_meeting(State(state), caller, Path(id)).await
}

/// Moves an item among its siblings (secretariat).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/move", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id"), ("item" = i64, Path, description = "item id")),
    request_body = MoveItem, security(("session" = []), ("token" = [])),
    responses((status = 200, body = MeetingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn move_item(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<MoveItem>,
) -> Result<Json<MeetingView>, ApiError> {
    managed_item(&state, &caller, id, item).await?;
    state
        .store
        .move_item(
            item,
            input.expected_revision,
            input.position,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    get_meeting(State(state), caller, Path(id)).await
}

/// Records when the meeting opened and closed (secretariat).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/session", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")), request_body = Session,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = MeetingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn record_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Session>,
) -> Result<Json<MeetingView>, ApiError> {
    let (_, body) = visible_meeting(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let opened = input
        .opened_at
        .as_deref()
        .map(|s| parse_instant("opened_at", s))
        .transpose()?;
    let closed = input
        .closed_at
        .as_deref()
        .map(|s| parse_instant("closed_at", s))
        .transpose()?;
    if let (Some(o), Some(c)) = (opened, closed)
        && c < o
    {
        return Err(ApiError::invalid(
            "closed_at",
            "the meeting closes after it opens",
        ));
    }
    state
        .store
        .record_session(
            id,
            input.expected_revision,
            opened,
            closed,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    get_meeting(State(state), caller, Path(id)).await
}

/// Records who took the floor under an item (secretariat).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/interventions", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")), request_body = NewIntervention,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_intervention(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NewIntervention>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (m, body) = visible_meeting(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let items = state.store.items(id).await?;
    if !items
        .iter()
        .any(|i| i.id == input.item && i.item.status == ItemStatus::Accepted)
    {
        return Err(ApiError::invalid(
            "item",
            "no such item on this meeting's agenda",
        ));
    }
    let speaker = match input.speaker.as_str() {
        "chair" => Speaker::Chair,
        "secretariat" => Speaker::Secretariat,
        p => {
            let party = parse_party("speaker", p)?;
            if !m.meeting.delegations.contains_key(&party) {
                return Err(ApiError::invalid(
                    "speaker",
                    format!("{party} has no delegation at this meeting"),
                ));
            }
            Speaker::Party(party)
        }
    };
    let at = parse_instant("at", &input.at)?;
    if at < m.opened_at.unwrap_or(m.meeting.start) || m.closed_at.is_some_and(|c| at > c) {
        return Err(ApiError::invalid("at", "must fall within the session"));
    }
    let new = state
        .store
        .record_intervention(
            id,
            input.item,
            speaker,
            at,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: new })))
}

/// The journal of a meeting, generated from its records.
pub(crate) async fn build_journal(
    state: &AppState,
    m: &StoredMeeting,
    body: &Body,
) -> Result<Journal, ApiError> {
    let (_, timeline) = state.today_and_timeline().await?;
    let meeting = core_meeting(m, body, &timeline)?;
    let items = state.store.items(m.id).await?;
    // Rebuild the accepted agenda in the core, mapping stored ids to core item ids.
    let mut agenda = Agenda::for_meeting(&meeting);
    let mut ids: HashMap<i64, ItemId> = HashMap::new();
    let mut documents = Vec::new();
    for i in items
        .iter()
        .filter(|i| i.item.status == ItemStatus::Accepted)
    {
        let parent = match i.item.parent {
            Some(p) => match ids.get(&p) {
                Some(id) => Some(*id),
                None => continue,
            },
            None => None,
        };
        let id = agenda
            .add(
                body,
                &timeline,
                parent,
                ItemSpec {
                    title: i.item.title.clone(),
                    basket: i.item.basket,
                    duration: i.item.minutes.map(SignedDuration::from_mins),
                    proposed_by: i.item.proposer,
                },
            )
            .map_err(|e| ApiError::internal(&e))?;
        ids.insert(i.id, id);
        documents.extend(i.item.symbols.iter().cloned());
    }
    let interventions = state
        .store
        .interventions(m.id)
        .await?
        .into_iter()
        .filter_map(|i| {
            ids.get(&i.item).map(|item| Intervention {
                item: *item,
                speaker: i.speaker,
                at: i.at,
                seq: i.id as u64,
            })
        })
        .collect();
    let mut decisions = Vec::new();
    for d in super::decisions::meeting_drafts(state, m.id).await? {
        decisions.push(DecisionRecord {
            symbol: d.symbol.clone(),
            title: d.draft.draft.title.clone(),
            item: d.draft.item.and_then(|i| ids.get(&i).copied()),
            state: d.review.state.clone(),
            statements: d.review.statements.clone(),
        });
    }
    let symbol = Symbol::new(
        body_prefix(body),
        rsm_core::document::Series::journals(),
        u32::try_from(m.id).unwrap_or(1),
        None,
    )
    .map_err(|e| ApiError::internal(&e))?;
    let rec = Recorded {
        symbol,
        meeting: &meeting,
        agenda: &agenda,
        opened: m.opened_at.unwrap_or(m.meeting.start),
        closed: m.closed_at,
        interventions,
        documents,
        decisions,
        attachments: Vec::new(),
    };
    journal::journal(&rec).map_err(|e| ApiError::internal(&e))
}

/// The journal as JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalView {
    pub symbol: String,
    pub body: String,
    pub title: String,
    pub time_zone: String,
    pub opened: String,
    pub closed: Option<String>,
    pub chair: String,
    pub chair_override: Option<String>,
    pub attendance: Vec<DelegationView>,
    pub items: Vec<JournalItemView>,
    pub other_decisions: Vec<JournalDecisionView>,
    pub documents: Vec<String>,
}

/// One journal item: number, title, speakers, decisions.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalItemView {
    pub number: String,
    pub title: String,
    pub basket: Option<String>,
    pub documents: Vec<String>,
    /// Speakers in order, with local time (`HH:MM`).
    pub speakers: Vec<String>,
    pub decisions: Vec<JournalDecisionView>,
}

/// A decision in a journal, with its statements.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalDecisionView {
    pub symbol: Option<String>,
    pub title: String,
    pub state: String,
    /// `PARTY (interpretative|reservation): text`.
    pub statements: Vec<String>,
    /// Standing objections (`PARTY: reason`) or who broke the silence.
    pub objections: Vec<String>,
}

pub(crate) fn speaker_label(s: Speaker) -> String {
    match s {
        Speaker::Chair => "Chair".into(),
        Speaker::Secretariat => "Secretariat".into(),
        Speaker::Party(p) => p.as_str().into(),
    }
}

pub(crate) fn journal_view(j: &Journal) -> JournalView {
    let dec = |d: &journal::JournalDecision| JournalDecisionView {
        symbol: d.symbol.as_ref().map(|s| s.to_string()),
        title: d.title.clone(),
        state: d.state.as_str().into(),
        objections: match &d.state {
            DecisionState::Blocked { objections } => objections
                .iter()
                .map(|o| format!("{}: {}", o.party, o.reason))
                .collect(),
            DecisionState::SilenceBroken { by, reason, .. } => vec![format!(
                "{by}: {}",
                match reason {
                    rsm_core::decision::BreakReason::Objection(r)
                    | rsm_core::decision::BreakReason::Amendment(r) => r,
                }
            )],
            _ => Vec::new(),
        },
        statements: d
            .statements
            .iter()
            .map(|s| {
                format!(
                    "{} ({}): {}",
                    s.party,
                    match s.kind {
                        rsm_core::decision::StatementKind::Interpretative => "interpretative",
                        rsm_core::decision::StatementKind::Reservation => "reservation",
                    },
                    s.text
                )
            })
            .collect(),
    };
    JournalView {
        symbol: j.symbol.to_string(),
        body: j.body.to_string(),
        title: j.title.clone(),
        time_zone: j.zone.clone(),
        opened: j.opened.to_string(),
        closed: j.closed.as_ref().map(|c| c.to_string()),
        chair: j.chair.as_str().into(),
        chair_override: j.chair_override.clone(),
        attendance: j
            .attendance
            .iter()
            .map(|(p, d)| DelegationView {
                party: p.as_str().into(),
                head: d.head.clone(),
                members: d.members.clone(),
            })
            .collect(),
        items: j
            .items
            .iter()
            .map(|i| JournalItemView {
                number: i.number.clone(),
                title: i.title.clone(),
                basket: i.basket.map(|b| b.as_str().into()),
                documents: i.documents.iter().map(|d| d.symbol.to_string()).collect(),
                speakers: i
                    .speakers
                    .iter()
                    .map(|f| format!("{} {}", f.at.strftime("%H:%M"), speaker_label(f.speaker)))
                    .collect(),
                decisions: i.decisions.iter().map(dec).collect(),
            })
            .collect(),
        other_decisions: j.other_decisions.iter().map(dec).collect(),
        documents: j.documents.iter().map(|s| s.to_string()).collect(),
    }
}

/// The journal of a meeting, generated from what was recorded.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/journal", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = JournalView), (status = 404, body = crate::error::Problem)))]
pub async fn get_journal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<JournalView>, ApiError> {
    let (m, body) = visible_meeting(&state, &caller, id).await?;
    let j = build_journal(&state, &m, &body).await?;
    Ok(Json(journal_view(&j)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// An API token of the account whose calendar this is (calendar clients cannot send headers).
    pub token: String,
}

fn ics_local(t: Timestamp, zone: &TimeZone) -> String {
    local(t, zone).strftime("%Y%m%dT%H%M%S").to_string()
}

/// The iCalendar feed of the meetings and silence deadlines the token's owner may see.
#[utoipa::path(get, path = "/api/v1/calendar.ics", tag = "meetings", params(CalendarQuery),
    responses((status = 200, content_type = "text/calendar", body = String),
        (status = 401, body = crate::error::Problem)))]
pub async fn calendar(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Result<Response, ApiError> {
    use icalendar::{Calendar, Component, Event, EventLike, Property};
    let (stored, account) = state
        .store
        .token_by_hash(&crate::auth::secret_digest(q.token.trim()))
        .await?
        .ok_or_else(|| ApiError::SignInRequired("the calendar token is not known".into()))?;
    let now = state.clock.now();
    if stored.revoked_at.is_some()
        || stored.expires_at.is_some_and(|e| e <= now)
        || account.disabled
    {
        return Err(ApiError::SignInRequired(
            "the calendar token is no longer valid".into(),
        ));
    }
    let actor = Actor::Account {
        id: account.id,
        role: account.role.clone(),
    };
    let mut cal = Calendar::new();
    cal.name("RSM");
    let dt = |key: &str, t: Timestamp, zone: &TimeZone, name: &str| {
        let mut p = Property::new(key, ics_local(t, zone));
        p.add_parameter("TZID", name);
        p.done()
    };
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut zones = crate::ics::Zones::default();
    for (m, body) in visible_meetings(&state, &actor).await? {
        let zone = zone_of(&m);
        zones.note(&m.meeting.zone, &zone, m.meeting.start);
        zones.note(&m.meeting.zone, &zone, m.meeting.end);
        let mut e = Event::new();
        e.uid(&format!("meeting-{}@rsm", m.id))
            .summary(&format!("{} — {}", body.name, m.meeting.title))
            .append_property(Property::new("DTSTAMP", stamp.clone()))
            .append_property(dt("DTSTART", m.meeting.start, &zone, &m.meeting.zone))
            .append_property(dt("DTEND", m.meeting.end, &zone, &m.meeting.zone));
        if let Some(v) = &m.meeting.venue {
            e.location(v);
        }
        if let Some(l) = &m.meeting.link {
            e.url(l);
        }
        cal.push(e.done());
    }
    for d in super::decisions::visible_drafts(&state, &actor).await? {
        if let DecisionState::UnderSilence { until } = d.review.state {
            let zone_name = d.zone.iana_name().unwrap_or("UTC").to_owned();
            zones.note(&zone_name, &d.zone, until);
            let mut e = Event::new();
            e.uid(&format!("silence-{}@rsm", d.draft.id))
                .summary(&format!("Silence ends: {}", d.draft.draft.title))
                .append_property(Property::new("DTSTAMP", stamp.clone()))
                .append_property(dt("DTSTART", until, &d.zone, &zone_name))
                .append_property(dt("DTEND", until, &d.zone, &zone_name));
            cal.push(e.done());
        }
    }
    let mut resp = zones.insert_into(&cal.done().to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(resp)
}

/// The Ministerial Council's last meeting held before `now` and the warning, if no meeting
/// is scheduled within twelve months of it.
pub(crate) fn council_gap(
    meetings: &[(StoredMeeting, Body)],
    now: Timestamp,
) -> Option<rsm_core::meeting::MinisterialGap> {
    let council: Vec<&StoredMeeting> = meetings
        .iter()
        .filter(|(_, b)| b.kind == BodyKind::MinisterialCouncil)
        .map(|(m, _)| m)
        .collect();
    let last = council
        .iter()
        .filter(|m| m.meeting.start <= now)
        .max_by_key(|m| m.meeting.start)?;
    let scheduled: Vec<Zoned> = council
        .iter()
        .map(|m| local(m.meeting.start, &zone_of(m)))
        .collect();
    rsm_core::meeting::ministerial_gap(&local(last.meeting.start, &zone_of(last)), &scheduled, now)
}

pub(crate) fn party_of(caller: &Caller) -> Option<PartyCode> {
    match caller.actor.role() {
        Some(rsm_core::access::Role::Delegate(p)) => Some(*p),
        _ => None,
    }
}
