//! `/api/v1/drafts`, `/api/v1/decisions`, `/api/v1/actions`: draft decisions and how they are
//! taken (positions, silence, consensus, statements), adopted decisions with their numbers,
//! and the action items that follow.
//!
//! A draft's state is computed from its events and the clock on every read. When a read
//! finds a draft newly adopted (by consensus, or by a silence whose deadline has passed),
//! the adoption is numbered per body and year, stored once, and its text's SHA-256 entered
//! in the log as `decision.adopted`; an adopted participation decision is applied to the
//! participation timeline. No background job is involved.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use jiff::{Timestamp, tz::TimeZone};
use rsm_core::{
    access::{Action, Actor},
    action::{ActionItem, Owner},
    body::{Body, BodyId},
    decision::{
        self, AdoptedBy, Author, BreakReason, Context, DecisionError, DecisionEvent, DecisionKind,
        DecisionState, Draft, EventKind, ParticipationChange, Position, Review, StatementKind,
    },
    document::{Symbol, SymbolRegistry},
    participation::{ParticipationStatus, Timeline},
};
use rsm_store::{
    Adoption, Attribution, BodyStore, DeliberationStore, ParticipationStore, StoreError,
    StoredDraft,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    input::{ApiJson, parse_date, parse_party},
    meetings::{Created, body_prefix, parse_instant, visible_body, zone_of},
};
use crate::{AppState, auth::Caller, error::ApiError};

/// A draft as read at one instant.
#[derive(Debug, Clone)]
pub(crate) struct DraftRead {
    pub draft: StoredDraft,
    pub body: Body,
    pub zone: TimeZone,
    pub events: Vec<DecisionEvent>,
    pub review: Review,
    pub symbol: Option<Symbol>,
    pub timeline: Timeline,
}

/// The zone in which a draft's dates are taken: its meeting's, else UTC.
pub(crate) async fn draft_zone(state: &AppState, d: &StoredDraft) -> Result<TimeZone, ApiError> {
    Ok(match d.meeting {
        Some(m) => match state.store.meeting(m).await? {
            Some(m) => zone_of(&m),
            None => TimeZone::UTC,
        },
        None => TimeZone::UTC,
    })
}

/// Records adoptions that reading has revealed: numbered per body and year, stored once,
/// the text's digest entered in the log, participation decisions applied.
pub(crate) async fn settle(state: &AppState) -> Result<(), ApiError> {
    let now = state.clock.now();
    let timeline = state.store.timeline().await?;
    let adopted = state.store.adoptions().await?;
    let mut registry = SymbolRegistry::from_existing(adopted.iter().map(|a| a.symbol.clone()))
        .map_err(|e| ApiError::internal(&e))?;
    let done: std::collections::BTreeSet<i64> = adopted.iter().map(|a| a.draft).collect();
    let mut fresh = Vec::new();
    for d in state.store.drafts().await? {
        if done.contains(&d.id) {
            continue;
        }
        let Some(body) = state.store.body(&d.draft.body).await?.map(|r| r.body) else {
            continue;
        };
        let zone = draft_zone(state, &d).await?;
        let events = state.store.decision_events(d.id).await?;
        let ctx = Context {
            body: &body,
            timeline: &timeline,
            zone: &zone,
        };
        let review = decision::review(&ctx, &d.draft, &events, now);
        if let DecisionState::Adopted { at, .. } = review.state {
            fresh.push((at, d, body, zone, review));
        }
    }
    fresh.sort_by_key(|(at, d, ..)| (*at, d.id));
    for (at, d, body, zone, review) in fresh {
        let year = at.to_zoned(zone.clone()).year();
        let symbol = registry.allocate(
            &body_prefix(&body),
            &rsm_core::document::Series::decisions(),
            Some(year),
        );
        let adoption = Adoption {
            draft: d.id,
            symbol: symbol.clone(),
            adopted_at: at,
            digest: review.text_digest(),
        };
        let who = Attribution {
            actor: "rsm".into(),
            account_id: None,
            source: "adoption".into(),
            at: now,
        };
        match state.store.record_adoption(&adoption, &who).await {
            Ok(()) => {}
            // Another reader recorded it first.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
        if let Some(log) = &state.log {
            let bytes = review.text.as_bytes();
            log.append_secretariat(
                "decision.adopted",
                rsm_ledger::commit_public(bytes),
                symbol.to_string().into_bytes(),
                None,
                who.clone(),
            )
            .await
            .map_err(|e| ApiError::internal(&format!("{e:?}")))?;
        }
        if let DecisionKind::Participation(change) = &d.draft.kind {
            let recorded_on = at.to_zoned(zone.clone()).date();
            if let Err(e) = state
                .store
                .record_change(&change.status_change(&symbol, recorded_on), &who)
                .await
            {
                tracing::warn!(error = %e, draft = d.id, "adopted participation decision not applied");
            }
        }
    }
    Ok(())
}

async fn read(
    state: &AppState,
    d: StoredDraft,
    body: Body,
    timeline: &Timeline,
    adoptions: &BTreeMap<i64, Symbol>,
) -> Result<DraftRead, ApiError> {
    let zone = draft_zone(state, &d).await?;
    let events = state.store.decision_events(d.id).await?;
    let ctx = Context {
        body: &body,
        timeline,
        zone: &zone,
    };
    let review = decision::review(&ctx, &d.draft, &events, state.clock.now());
    Ok(DraftRead {
        symbol: adoptions.get(&d.id).cloned(),
        draft: d,
        body,
        zone,
        events,
        review,
        timeline: timeline.clone(),
    })
}

async fn adoption_symbols(state: &AppState) -> Result<BTreeMap<i64, Symbol>, ApiError> {
    Ok(state
        .store
        .adoptions()
        .await?
        .into_iter()
        .map(|a| (a.draft, a.symbol))
        .collect())
}

/// The drafts of bodies `actor` may see, settled and read now.
pub(crate) async fn visible_drafts(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<DraftRead>, ApiError> {
    settle(state).await?;
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies: BTreeMap<BodyId, Body> = state
        .store
        .bodies()
        .await?
        .into_iter()
        .filter(|b| rsm_core::access::decide(actor, Action::ReadBody(b), today, &timeline).is_ok())
        .map(|b| (b.id.clone(), b))
        .collect();
    let symbols = adoption_symbols(state).await?;
    let mut out = Vec::new();
    for d in state.store.drafts().await? {
        if let Some(body) = bodies.get(&d.draft.body).cloned() {
            out.push(read(state, d, body, &timeline, &symbols).await?);
        }
    }
    Ok(out)
}

/// The drafts taken up at a meeting (the caller has already been allowed to see it).
pub(crate) async fn meeting_drafts(
    state: &AppState,
    meeting: i64,
) -> Result<Vec<DraftRead>, ApiError> {
    settle(state).await?;
    let timeline = state.store.timeline().await?;
    let symbols = adoption_symbols(state).await?;
    let mut out = Vec::new();
    for d in state.store.drafts().await? {
        if d.meeting != Some(meeting) {
            continue;
        }
        if let Some(body) = state.store.body(&d.draft.body).await?.map(|r| r.body) {
            out.push(read(state, d, body, &timeline, &symbols).await?);
        }
    }
    Ok(out)
}

/// A draft the caller may see, settled and read now; else "not found".
pub(crate) async fn visible_draft(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<DraftRead, ApiError> {
    settle(state).await?;
    let d = state.store.draft(id).await?.ok_or(ApiError::NotFound)?;
    let body = visible_body(state, caller, &d.draft.body).await?;
    let timeline = state.store.timeline().await?;
    let symbols = adoption_symbols(state).await?;
    read(state, d, body, &timeline, &symbols).await
}

/// A member's position.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionView {
    pub party: String,
    /// `joins`, `no objection`, `abstains`, `objects`; `silent` when none was given.
    pub position: String,
    pub reason: Option<String>,
}

/// A statement or reservation attached to a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    pub party: String,
    /// `interpretative` or `reservation`.
    pub kind: String,
    pub text: String,
    pub at: String,
}

/// A draft decision with its state at the instant of reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    pub id: i64,
    pub body: String,
    pub meeting: Option<i64>,
    pub item: Option<i64>,
    pub title: String,
    /// `substantive`, `agenda` or `participation`.
    pub kind: String,
    /// For a participation decision: `KP participating from 2026-06-01`.
    pub participation: Option<String>,
    pub text: String,
    /// Current text revision; send it as `base_revision` when revising.
    pub revision: u32,
    /// `draft`, `under consideration`, `under silence`, `silence broken`, `adopted`,
    /// `blocked` or `withdrawn`, computed from the events and the clock.
    pub state: String,
    /// Under silence: the deadline; adopted: the adoption instant.
    pub until: Option<String>,
    pub adopted_at: Option<String>,
    /// `consensus` or `silence`.
    pub adopted_by: Option<String>,
    /// Who broke the silence, and why.
    pub broken_by: Option<String>,
    pub break_reason: Option<String>,
    /// The decision's number once adopted, e.g. `MC.DEC/1/26`.
    pub symbol: Option<String>,
    /// SHA-256 of the current text.
    pub text_sha256: String,
    /// Members who must agree now (participating members of the body).
    pub must_agree: Vec<String>,
    pub positions: Vec<PositionView>,
    pub statements: Vec<StatementView>,
    pub amendments: Vec<StatementView>,
    /// Events recorded so far.
    pub events: usize,
    /// The time zone in which the draft's dates are taken.
    pub time_zone: String,
}

pub(crate) fn statement_kind(k: StatementKind) -> &'static str {
    match k {
        StatementKind::Interpretative => "interpretative",
        StatementKind::Reservation => "reservation",
    }
}

pub(crate) fn draft_view(r: &DraftRead, now: Timestamp) -> DraftView {
    let ctx = Context {
        body: &r.body,
        timeline: &r.timeline,
        zone: &r.zone,
    };
    let local = |t: Timestamp| t.to_zoned(r.zone.clone()).to_string();
    let today = ctx.date_of(now);
    let must = r.body.must_agree_on(today, &r.timeline);
    let mut positions: Vec<PositionView> = must
        .iter()
        .map(|p| match r.review.positions.get(p) {
            Some(pos) => PositionView {
                party: p.as_str().into(),
                position: pos.as_str().into(),
                reason: match pos {
                    Position::Objects { reason } => Some(reason.clone()),
                    _ => None,
                },
            },
            None => PositionView {
                party: p.as_str().into(),
                position: "silent".into(),
                reason: None,
            },
        })
        .collect();
    for (p, pos) in &r.review.positions {
        if !must.contains(p) {
            positions.push(PositionView {
                party: p.as_str().into(),
                position: pos.as_str().into(),
                reason: None,
            });
        }
    }
    let (mut until, mut adopted_at, mut adopted_by, mut broken_by, mut break_reason) =
        (None, None, None, None, None);
    match &r.review.state {
        DecisionState::UnderSilence { until: u } => until = Some(local(*u)),
        DecisionState::Adopted { at, by, .. } => {
            adopted_at = Some(local(*at));
            adopted_by = Some(match by {
                AdoptedBy::Consensus => "consensus".to_owned(),
                AdoptedBy::Silence => "silence".to_owned(),
            });
        }
        DecisionState::SilenceBroken { by, reason, .. } => {
            broken_by = Some(by.as_str().to_owned());
            break_reason = Some(match reason {
                BreakReason::Objection(r) => format!("objection: {r}"),
                BreakReason::Amendment(a) => format!("amendment: {a}"),
            });
        }
        _ => {}
    }
    let d = &r.draft.draft;
    DraftView {
        id: r.draft.id,
        body: d.body.to_string(),
        meeting: r.draft.meeting,
        item: r.draft.item,
        title: d.title.clone(),
        kind: match d.kind {
            DecisionKind::Substantive => "substantive",
            DecisionKind::Agenda => "agenda",
            DecisionKind::Participation(_) => "participation",
        }
        .into(),
        participation: match &d.kind {
            DecisionKind::Participation(c) => Some(format!(
                "{} {} from {}",
                c.party,
                c.status.as_str(),
                c.effective
            )),
            _ => None,
        },
        text: r.review.text.clone(),
        revision: r.review.revision,
        state: r.review.state.as_str().into(),
        until,
        adopted_at,
        adopted_by,
        broken_by,
        break_reason,
        symbol: r.symbol.as_ref().map(|s| s.to_string()),
        text_sha256: r.review.text_digest().to_string(),
        must_agree: must.iter().map(|p| p.as_str().to_owned()).collect(),
        positions,
        statements: r
            .review
            .statements
            .iter()
            .map(|s| StatementView {
                party: s.party.as_str().into(),
                kind: statement_kind(s.kind).into(),
                text: s.text.clone(),
                at: local(s.at),
            })
            .collect(),
        amendments: r
            .review
            .amendments
            .iter()
            .map(|a| StatementView {
                party: a.party.as_str().into(),
                kind: "amendment".into(),
                text: a.text.clone(),
                at: local(a.at),
            })
            .collect(),
        events: r.events.len(),
        time_zone: r.zone.iana_name().unwrap_or("UTC").into(),
    }
}

pub(crate) fn decision_error(e: DecisionError) -> ApiError {
    match &e {
        DecisionError::Empty(f) => ApiError::invalid(
            match *f {
                "title" => "title",
                _ => "text",
            },
            e.to_string(),
        ),
        DecisionError::NotAMember { .. } => ApiError::invalid("party", e.to_string()),
        DecisionError::ReasonRequired => ApiError::invalid("reason", e.to_string()),
        DecisionError::DeadlineNotInFuture { .. } => ApiError::invalid("until", e.to_string()),
        DecisionError::JoinWithoutAcceptance(_) => {
            ApiError::invalid("accepts_decisions_taken", e.to_string())
        }
        DecisionError::Conflict { .. }
        | DecisionError::ObjectionsStand(_)
        | DecisionError::NotNow { .. }
        | DecisionError::OutOfOrder { .. } => ApiError::Conflict(e.to_string()),
        DecisionError::WrongBody { .. } => ApiError::internal(&e),
    }
}

/// Checks `kind` against the draft's events at the clock's instant and appends it.
pub(crate) async fn record(
    state: &AppState,
    caller: &Caller,
    r: &DraftRead,
    kind: EventKind,
) -> Result<(), ApiError> {
    let now = state.clock.now();
    let event = DecisionEvent {
        seq: r.events.len() as u64 + 1,
        at: now,
        kind,
    };
    let ctx = Context {
        body: &r.body,
        timeline: &r.timeline,
        zone: &r.zone,
    };
    decision::check(&ctx, &r.draft.draft, &r.events, &event).map_err(decision_error)?;
    state
        .store
        .append_event(r.draft.id, &event, &caller.attribution(now))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(what) => ApiError::Conflict(format!(
                "{what} was recorded by someone else first: reload the draft and try again"
            )),
            other => other.into(),
        })?;
    Ok(())
}

/// A new draft decision: the secretariat's, or a delegate's naming its own party.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    pub body: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub meeting: Option<i64>,
    #[serde(default)]
    pub item: Option<i64>,
    /// `substantive` (default), `agenda` or `participation`.
    #[serde(default)]
    pub kind: Option<String>,
    /// For a participation decision.
    #[serde(default)]
    pub participation: Option<ParticipationInput>,
    /// The sponsoring party (a delegate's own); leave out for the secretariat.
    #[serde(default)]
    pub party: Option<String>,
}

/// A party's change of participation, decided by the body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationInput {
    pub party: String,
    /// `participating`, `invited`, `suspended` or `withdrawn`.
    pub status: String,
    /// First day of the new status, `YYYY-MM-DD`.
    pub effective: String,
    /// The joining party accepts the decisions already taken (required to join).
    #[serde(default)]
    pub accepts_decisions_taken: bool,
}

/// Creates a draft decision.
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    input: &CreateDraft,
) -> Result<i64, ApiError> {
    let body_id = BodyId::parse(&input.body).map_err(|_| ApiError::NotFound)?;
    let body = visible_body(state, caller, &body_id).await?;
    let author = match &input.party {
        Some(p) => {
            let party = parse_party("party", p)?;
            caller
                .require(state, Action::SpeakFor(&body, party))
                .await?;
            Author::Party(party)
        }
        None => {
            caller
                .require(state, Action::ManageDeliberation(&body))
                .await?;
            Author::Secretariat
        }
    };
    let now = state.clock.now();
    if let Some(m) = input.meeting {
        let meeting = state
            .store
            .meeting(m)
            .await?
            .filter(|x| x.meeting.body == body.id)
            .ok_or_else(|| ApiError::invalid("meeting", "no such meeting of this body"))?;
        if let Some(i) = input.item {
            state
                .store
                .item(i)
                .await?
                .filter(|x| x.item.meeting == meeting.id)
                .ok_or_else(|| {
                    ApiError::invalid("item", "no such item on that meeting's agenda")
                })?;
        }
    } else if input.item.is_some() {
        return Err(ApiError::invalid("item", "an item needs its meeting"));
    }
    let kind = match input.kind.as_deref().unwrap_or("substantive") {
        "substantive" => DecisionKind::Substantive,
        "agenda" => DecisionKind::Agenda,
        "participation" => {
            let p = input.participation.as_ref().ok_or_else(|| {
                ApiError::invalid("participation", "a participation decision names the change")
            })?;
            let party = parse_party("participation.party", &p.party)?;
            let status = ParticipationStatus::parse(&p.status).ok_or_else(|| {
                ApiError::invalid(
                    "participation.status",
                    "must be participating, invited, suspended or withdrawn",
                )
            })?;
            let effective = parse_date("participation.effective", &p.effective)?;
            if effective < now.to_zoned(TimeZone::UTC).date() {
                return Err(ApiError::invalid(
                    "participation.effective",
                    "a change of participation takes effect in the future",
                ));
            }
            DecisionKind::Participation(
                ParticipationChange::new(party, status, effective, p.accepts_decisions_taken)
                    .map_err(decision_error)?,
            )
        }
        _ => {
            return Err(ApiError::invalid(
                "kind",
                "must be substantive, agenda or participation",
            ));
        }
    };
    let draft = Draft::new(
        body.id.clone(),
        &input.title,
        kind,
        &input.text,
        now,
        author,
    )
    .map_err(decision_error)?;
    Ok(state
        .store
        .create_draft(&draft, input.meeting, input.item, &caller.attribution(now))
        .await?)
}

/// The drafts the caller may see, with their state now.
#[utoipa::path(get, path = "/api/v1/drafts", tag = "decisions",
    responses((status = 200, body = Vec<DraftView>)))]
pub async fn list_drafts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DraftView>>, ApiError> {
    let now = state.clock.now();
    Ok(Json(
        visible_drafts(&state, &caller.actor)
            .await?
            .iter()
            .map(|r| draft_view(r, now))
            .collect(),
    ))
}

/// Creates a draft decision (the secretariat, or a delegate for its own party).
#[utoipa::path(post, path = "/api/v1/drafts", tag = "decisions", request_body = CreateDraft,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateDraft>,
) -> Result<(StatusCode, Json<DraftView>), ApiError> {
    let id = create(&state, &caller, &input).await?;
    let r = visible_draft(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(draft_view(&r, state.clock.now()))))
}

/// One draft with its state, positions and statements now.
#[utoipa::path(get, path = "/api/v1/drafts/{id}", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")),
    responses((status = 200, body = DraftView), (status = 404, body = crate::error::Problem)))]
pub async fn get_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    Ok(Json(draft_view(&r, state.clock.now())))
}

/// A new text, made on revision `base_revision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revise {
    pub base_revision: u32,
    pub text: String,
    /// The revising party (a delegate's own); leave out for the secretariat.
    #[serde(default)]
    pub party: Option<String>,
}

async fn author_for(
    state: &AppState,
    caller: &Caller,
    body: &Body,
    party: Option<&str>,
) -> Result<Author, ApiError> {
    match party {
        Some(p) => {
            let party = parse_party("party", p)?;
            caller.require(state, Action::SpeakFor(body, party)).await?;
            Ok(Author::Party(party))
        }
        None => {
            caller
                .require(state, Action::ManageDeliberation(body))
                .await?;
            Ok(Author::Secretariat)
        }
    }
}

/// Revises the text; an edit made on an older revision is a conflict naming both.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/revisions", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = Revise,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn revise_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Revise>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    let by = author_for(&state, &caller, &r.body, input.party.as_deref()).await?;
    record(
        &state,
        &caller,
        &r,
        EventKind::Revised {
            base: input.base_revision,
            text: input.text,
            by,
        },
    )
    .await?;
    get_draft(State(state), caller, Path(id)).await
}

/// A member's position, taken by its own delegate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakePosition {
    pub party: String,
    /// `joins`, `no-objection`, `abstains` or `objects`.
    pub position: String,
    /// Required with `objects`.
    #[serde(default)]
    pub reason: Option<String>,
}

pub(crate) fn parse_position(p: &str, reason: Option<&str>) -> Result<Position, ApiError> {
    Ok(match p {
        "joins" => Position::Joins,
        "no-objection" => Position::NoObjection,
        "abstains" => Position::Abstains,
        "objects" => Position::Objects {
            reason: reason.unwrap_or_default().trim().to_owned(),
        },
        _ => {
            return Err(ApiError::invalid(
                "position",
                "must be joins, no-objection, abstains or objects",
            ));
        }
    })
}

/// Takes a position for the delegate's own party; an objection needs a reason and breaks a
/// silence procedure.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/positions", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = TakePosition,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn take_position(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TakePosition>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    let party = parse_party("party", &input.party)?;
    caller
        .require(&state, Action::SpeakFor(&r.body, party))
        .await?;
    let position = parse_position(&input.position, input.reason.as_deref())?;
    record(&state, &caller, &r, EventKind::Position { party, position }).await?;
    get_draft(State(state), caller, Path(id)).await
}

/// An amendment proposed by a member (it breaks a silence procedure).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeAmendment {
    pub party: String,
    pub text: String,
}

/// Proposes an amendment for the delegate's own party.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/amendments", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = ProposeAmendment,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn propose_amendment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProposeAmendment>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    let party = parse_party("party", &input.party)?;
    caller
        .require(&state, Action::SpeakFor(&r.body, party))
        .await?;
    record(
        &state,
        &caller,
        &r,
        EventKind::AmendmentProposed {
            party,
            text: input.text,
        },
    )
    .await?;
    get_draft(State(state), caller, Path(id)).await
}

/// An interpretative statement or formal reservation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeStatement {
    pub party: String,
    /// `interpretative` or `reservation`.
    pub kind: String,
    pub text: String,
}

/// Attaches a statement for the delegate's own party.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/statements", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = MakeStatement,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn make_statement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MakeStatement>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    let party = parse_party("party", &input.party)?;
    caller
        .require(&state, Action::SpeakFor(&r.body, party))
        .await?;
    let kind = match input.kind.as_str() {
        "interpretative" => StatementKind::Interpretative,
        "reservation" => StatementKind::Reservation,
        _ => {
            return Err(ApiError::invalid(
                "kind",
                "must be interpretative or reservation",
            ));
        }
    };
    record(
        &state,
        &caller,
        &r,
        EventKind::Statement {
            party,
            kind,
            text: input.text,
        },
    )
    .await?;
    get_draft(State(state), caller, Path(id)).await
}

/// Puts the draft under silence until an exact instant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutUnderSilence {
    /// RFC 3339 instant, in the future.
    pub until: String,
}

/// Puts the draft under silence (secretariat); a deadline not in the future is refused.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/silence", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = PutUnderSilence,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn put_under_silence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PutUnderSilence>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&r.body))
        .await?;
    let until = parse_instant("until", &input.until)?;
    record(&state, &caller, &r, EventKind::PutUnderSilence { until }).await?;
    get_draft(State(state), caller, Path(id)).await
}

/// A step of procedure taken by the secretariat or the chair.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureStep {
    /// `table` (put before the body), `consensus` (establish that no member objects) or
    /// `withdraw`.
    pub step: String,
}

/// Tables the draft, establishes consensus, or withdraws it (secretariat).
#[utoipa::path(post, path = "/api/v1/drafts/{id}/procedure", tag = "decisions",
    params(("id" = i64, Path, description = "draft id")), request_body = ProcedureStep,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = DraftView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn procedure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProcedureStep>,
) -> Result<Json<DraftView>, ApiError> {
    let r = visible_draft(&state, &caller, id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&r.body))
        .await?;
    let kind = match input.step.as_str() {
        "table" => EventKind::Tabled,
        "consensus" => EventKind::ConsensusEstablished,
        "withdraw" => EventKind::Withdrawn {
            by: Author::Secretariat,
        },
        _ => {
            return Err(ApiError::invalid(
                "step",
                "must be table, consensus or withdraw",
            ));
        }
    };
    record(&state, &caller, &r, kind).await?;
    get_draft(State(state), caller, Path(id)).await
}

/// An adopted decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub symbol: String,
    pub draft: i64,
    pub body: String,
    pub title: String,
    pub adopted_at: String,
    /// SHA-256 of the adopted text, as entered in the log.
    pub text_sha256: String,
    pub statements: Vec<StatementView>,
}

/// Adopted decisions the caller may see, by number.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions",
    responses((status = 200, body = Vec<DecisionView>)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DecisionView>>, ApiError> {
    let now = state.clock.now();
    let reads = visible_drafts(&state, &caller.actor).await?;
    let adoptions = state.store.adoptions().await?;
    let mut out = Vec::new();
    for a in adoptions {
        if let Some(r) = reads.iter().find(|r| r.draft.id == a.draft) {
            let v = draft_view(r, now);
            out.push(DecisionView {
                symbol: a.symbol.to_string(),
                draft: a.draft,
                body: v.body,
                title: v.title,
                adopted_at: a.adopted_at.to_zoned(r.zone.clone()).to_string(),
                text_sha256: a.digest.to_string(),
                statements: v.statements,
            });
        }
    }
    Ok(Json(out))
}

/// An action item with its status now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub body: String,
    pub meeting: Option<i64>,
    pub title: String,
    /// `secretariat` or a party code.
    pub owner: String,
    pub due: String,
    pub decision: Option<String>,
    /// `open`, `done` or `overdue`.
    pub status: String,
    pub revision: i64,
}

/// A new action item (secretariat).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAction {
    pub body: String,
    #[serde(default)]
    pub meeting: Option<i64>,
    pub title: String,
    /// `secretariat` or a party code.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// The decision it follows from, e.g. `MC.DEC/1/26`.
    #[serde(default)]
    pub decision: Option<String>,
}

pub(crate) fn owner_str(o: Owner) -> String {
    match o {
        Owner::Secretariat => "secretariat".into(),
        Owner::Party(p) => p.as_str().into(),
    }
}

/// The action items of bodies the caller may see.
pub(crate) async fn visible_actions(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<ActionView>, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let now = state.clock.now();
    let bodies = state.store.bodies().await?;
    let mut out = Vec::new();
    for a in state.store.actions().await? {
        let Some(body) = bodies.iter().find(|b| b.id == a.body) else {
            continue;
        };
        if rsm_core::access::decide(actor, Action::ReadBody(body), today, &timeline).is_err() {
            continue;
        }
        out.push(ActionView {
            id: a.id,
            body: a.body.to_string(),
            meeting: a.meeting,
            title: a.item.title.clone(),
            owner: owner_str(a.item.owner),
            due: a.item.due.to_string(),
            decision: a.item.decision.as_ref().map(|s| s.to_string()),
            status: a.item.status(now, &TimeZone::UTC).as_str().into(),
            revision: a.revision,
        });
    }
    Ok(out)
}

/// Action items the caller may see.
#[utoipa::path(get, path = "/api/v1/actions", tag = "decisions",
    responses((status = 200, body = Vec<ActionView>)))]
pub async fn list_actions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ActionView>>, ApiError> {
    Ok(Json(visible_actions(&state, &caller.actor).await?))
}

/// Creates an action item (secretariat).
#[utoipa::path(post, path = "/api/v1/actions", tag = "decisions", request_body = CreateAction,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_action(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateAction>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let body_id = BodyId::parse(&input.body).map_err(|_| ApiError::NotFound)?;
    let body = visible_body(&state, &caller, &body_id).await?;
    caller
        .require(&state, Action::ManageDeliberation(&body))
        .await?;
    let owner = if input.owner == "secretariat" {
        Owner::Secretariat
    } else {
        Owner::Party(parse_party("owner", &input.owner)?)
    };
    let due = parse_date("due", &input.due)?;
    let decision = input
        .decision
        .as_deref()
        .map(|s| Symbol::parse(s.trim()).map_err(|e| ApiError::invalid("decision", e.to_string())))
        .transpose()?;
    if let Some(m) = input.meeting
        && state
            .store
            .meeting(m)
            .await?
            .filter(|x| x.meeting.body == body.id)
            .is_none()
    {
        return Err(ApiError::invalid("meeting", "no such meeting of this body"));
    }
    let item = ActionItem::new(&input.title, owner, due, decision)
        .map_err(|e| ApiError::invalid("title", e.to_string()))?;
    let id = state
        .store
        .create_action(
            &body.id,
            input.meeting,
            &item,
            &caller.attribution(state.clock.now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Marks an action item done (the secretariat, or a delegate of the owning party).
#[utoipa::path(post, path = "/api/v1/actions/{id}/complete", tag = "decisions",
    params(("id" = i64, Path, description = "action item id")),
    request_body = super::meetings::Revision, security(("session" = []), ("token" = [])),
    responses((status = 200, body = Created), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn complete_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::meetings::Revision>,
) -> Result<Json<Created>, ApiError> {
    let a = state
        .store
        .actions()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(ApiError::NotFound)?;
    let body = visible_body(&state, &caller, &a.body).await?;
    match a.item.owner {
        Owner::Party(p) if super::meetings::party_of(&caller) == Some(p) => {
            caller.require(&state, Action::SpeakFor(&body, p)).await?;
        }
        _ => {
            caller
                .require(&state, Action::ManageDeliberation(&body))
                .await?
        }
    }
    let now = state.clock.now();
    state
        .store
        .complete_action(id, input.expected_revision, now, &caller.attribution(now))
        .await?;
    Ok(Json(Created { id }))
}
