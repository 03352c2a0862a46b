//! `/meetings`: meetings I may see (upcoming and past), scheduling (secretariat), one
//! meeting (timetable, numbered agenda with the planned-time warning, an htmx form to add
//! or propose items, its drafts), a draft decision (positions of every member, the silence
//! countdown, statements, forms to take a position or object), and the journal with a
//! print stylesheet. Rules and authorization are the API's; a restricted body's meeting is
//! the same 404 page as a missing one.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};
use rsm_core::decision::{DecisionState, EventKind};

use super::{Ctx, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::{
        decisions::{self, DraftView},
        meetings::{self, AddItem, CreateMeeting, DelegationView, JournalView, MeetingView},
    },
    error::ApiError,
};

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    upcoming: Vec<MeetingView>,
    past: Vec<MeetingView>,
    may_schedule: bool,
    bodies: Vec<(String, String)>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    page: &Page,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for (m, body) in meetings::visible_meetings(state, &page.caller.actor).await? {
        let items = state.store_items(m.id).await?;
        let v = meetings::view(&m, &body, &items, now);
        if m.meeting.end > now {
            upcoming.push(v);
        } else {
            past.push(v);
        }
    }
    past.reverse();
    let (today, timeline) = state.today_and_timeline().await?;
    let bodies = rsm_store::BodyStore::bodies(&state.store).await?;
    let bodies = rsm_core::access::visible_bodies(&page.caller.actor, &bodies, today, &timeline)
        .into_iter()
        .map(|b| (b.id.to_string(), b.name.clone()))
        .collect();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    page.render_status(
        status,
        &ListPage {
            ctx: &page.ctx,
            upcoming,
            past,
            may_schedule: page.ctx.is_secretariat(),
            bodies,
            error,
        },
    )
}

/// `GET /meetings`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let r = list_page(&state, &page, None).await;
    page.finish(r)
}

fn error_text(ctx: &Ctx, e: &ApiError) -> Option<String> {
    match e {
        ApiError::Invalid { field, rule } => {
            Some(format!("{field}: {}", super::translate_rule(ctx, rule)))
        }
        ApiError::Conflict(detail) => Some(detail.clone()),
        _ => None,
    }
}

/// `POST /meetings`: schedules a meeting (secretariat).
pub async fn create(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let delegations = form
        .all("party")
        .into_iter()
        .map(|p| DelegationView {
            head: format!("Head of delegation ({p})"),
            party: p,
            members: vec![],
        })
        .collect();
    let input = CreateMeeting {
        body: form.get("body"),
        title: form.get("title"),
        start: form.get("start"),
        end: form.get("end"),
        time_zone: form.get("time_zone"),
        venue: form.opt("venue"),
        link: form.opt("link"),
        chair: form.opt("chair"),
        chair_reason: form.opt("chair_reason"),
        delegations,
        timetable: vec![],
    };
    match meetings::schedule(&state, &page.caller, &input).await {
        Ok(id) => redirect_with_flash(&format!("/meetings/{id}"), "flash-saved"),
        Err(e) => match error_text(&page.ctx, &e) {
            Some(msg) => {
                let r = list_page(&state, page, Some(msg)).await;
                page.finish(r)
            }
            None => page.error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage<'a> {
    ctx: &'a Ctx,
    m: MeetingView,
    drafts: Vec<DraftView>,
    may_manage: bool,
    /// The delegate's own party, if a member may propose.
    my_party: Option<String>,
    error: Option<String>,
    /// The recorded opening and closing as `datetime-local` values in the meeting's zone.
    opened_local: String,
    closed_local: String,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaFragment<'a> {
    ctx: &'a Ctx,
    m: MeetingView,
    may_manage: bool,
    my_party: Option<String>,
    error: Option<String>,
}

async fn meeting_view(
    state: &AppState,
    page: &Page,
    id: i64,
) -> Result<(MeetingView, bool, Option<String>), ApiError> {
    let (m, body) = meetings::visible_meeting(state, &page.caller, id).await?;
    let items = state.store_items(m.id).await?;
    let v = meetings::view(&m, &body, &items, state.clock.now());
    let may_manage = page
        .caller
        .require(state, rsm_core::access::Action::ManageDeliberation(&body))
        .await
        .is_ok();
    let my_party = match meetings::party_of(&page.caller) {
        Some(p)
            if page
                .caller
                .require(state, rsm_core::access::Action::SpeakFor(&body, p))
                .await
                .is_ok() =>
        {
            Some(p.as_str().to_owned())
        }
        _ => None,
    };
    Ok((v, may_manage, my_party))
}

async fn meeting_page(
    state: &AppState,
    page: &Page,
    id: i64,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let (m, may_manage, my_party) = meeting_view(state, page, id).await?;
    let now = state.clock.now();
    let drafts = decisions::meeting_drafts(state, id)
        .await?
        .iter()
        .map(|r| decisions::draft_view(r, now))
        .collect();
    let local = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| s.get(..16))
            .unwrap_or_default()
            .to_owned()
    };
    let (opened_local, closed_local) = (local(&m.opened_at), local(&m.closed_at));
    page.render(&MeetingPage {
        ctx: &page.ctx,
        m,
        drafts,
        may_manage,
        my_party,
        error,
        opened_local,
        closed_local,
    })
}

/// `GET /meetings/{id}`.
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = meeting_page(&state, &page, id, None).await;
    page.finish(r)
}

/// `POST /meetings/{id}/items`: adds (secretariat) or proposes (a delegate) an item. With
/// htmx, answers the agenda fragment; otherwise redirects back.
pub async fn add_item(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let input = AddItem {
        title: form.get("title"),
        basket: form.opt("basket"),
        minutes: form.opt("minutes").and_then(|m| m.parse().ok()),
        parent: form.opt("parent").and_then(|m| m.parse().ok()),
        documents: form
            .opt("documents")
            .map(|d| d.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        party: form.opt("party"),
    };
    let result = meetings::add_item_for(&state, &page.caller, id, &input).await;
    let error = match &result {
        Ok(_) => None,
        Err(e) => match error_text(&page.ctx, e) {
            Some(msg) => Some(msg),
            None => return page.error_page(result.expect_err("an error")),
        },
    };
    if headers.contains_key("hx-request") {
        let r = async {
            let (m, may_manage, my_party) = meeting_view(&state, page, id).await?;
            page.render(&AgendaFragment {
                ctx: &page.ctx,
                m,
                may_manage,
                my_party,
                error,
            })
        }
        .await;
        return page.finish(r);
    }
    match error {
        None => redirect_with_flash(&format!("/meetings/{id}"), "flash-saved"),
        Some(msg) => {
            let r = meeting_page(&state, page, id, Some(msg)).await;
            page.finish(r)
        }
    }
}

/// `POST /meetings/{id}/items/{item}/accept` (secretariat).
pub async fn accept_item(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let input = meetings::Revision {
        expected_revision: form.get("revision").parse().unwrap_or_default(),
    };
    match meetings::accept_item(
        State(state.clone()),
        page.caller.clone(),
        Path((id, item)),
        crate::api::ApiJson(input),
    )
    .await
    {
        Ok(_) => redirect_with_flash(&format!("/meetings/{id}"), "flash-saved"),
        Err(e) => page.error_page(e),
    }
}

/// `POST /meetings/{id}/drafts`: a new draft decision on this meeting (secretariat).
pub async fn new_draft(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let (m, _) = meetings::visible_meeting(&state, &page.caller, id).await?;
        let input = decisions::CreateDraft {
            body: m.meeting.body.to_string(),
            title: form.get("title"),
            text: form.get("text"),
            meeting: Some(id),
            item: form.opt("item").and_then(|i| i.parse().ok()),
            kind: form.opt("kind"),
            participation: (form.opt("kind").as_deref() == Some("participation")).then(|| {
                decisions::ParticipationInput {
                    party: form.get("p_party"),
                    status: form.get("p_status"),
                    effective: form.get("p_effective"),
                    accepts_decisions_taken: form.opt("p_accepts").is_some(),
                }
            }),
            party: None,
        };
        let d = decisions::create(&state, &page.caller, &input).await?;
        // Put before the body at once.
        let r = decisions::visible_draft(&state, &page.caller, d).await?;
        decisions::record(&state, &page.caller, &r, EventKind::Tabled).await?;
        Ok::<_, ApiError>(d)
    }
    .await;
    match r {
        Ok(d) => redirect_with_flash(&format!("/drafts/{d}"), "flash-saved"),
        Err(e) => after_meeting_write(&state, page, id, Err(e)).await,
    }
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage<'a> {
    ctx: &'a Ctx,
    d: DraftView,
    meeting_title: Option<String>,
    /// Time left under silence, in words.
    countdown: Option<String>,
    may_manage: bool,
    my_party: Option<String>,
    error: Option<String>,
}

async fn draft_page(
    state: &AppState,
    page: &Page,
    id: i64,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let r = decisions::visible_draft(state, &page.caller, id).await?;
    let now = state.clock.now();
    let d = decisions::draft_view(&r, now);
    let countdown = match r.review.state {
        DecisionState::UnderSilence { until } => {
            let left = until.duration_since(now);
            let hours = left.as_hours();
            Some(page.ctx.t1(
                "silence-left",
                "time",
                &format!("{}d {}h", hours / 24, hours % 24),
            ))
        }
        _ => None,
    };
    let meeting_title = match r.draft.meeting {
        Some(m) => rsm_store::DeliberationStore::meeting(&state.store, m)
            .await?
            .map(|m| m.meeting.title),
        None => None,
    };
    let may_manage = page
        .caller
        .require(state, rsm_core::access::Action::ManageDeliberation(&r.body))
        .await
        .is_ok();
    let my_party = match meetings::party_of(&page.caller) {
        Some(p)
            if page
                .caller
                .require(state, rsm_core::access::Action::SpeakFor(&r.body, p))
                .await
                .is_ok() =>
        {
            Some(p.as_str().to_owned())
        }
        _ => None,
    };
    page.render(&DraftPage {
        ctx: &page.ctx,
        d,
        meeting_title,
        countdown,
        may_manage,
        my_party,
        error,
    })
}

/// `GET /drafts/{id}`.
pub async fn draft(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = draft_page(&state, &page, id, None).await;
    page.finish(r)
}

/// `POST /drafts/{id}/position`: the delegate's position for its own party.
pub async fn position(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let r = decisions::visible_draft(&state, &page.caller, id).await?;
        let party = super::super::api::input::parse_party("party", &form.get("party"))?;
        page.caller
            .require(&state, rsm_core::access::Action::SpeakFor(&r.body, party))
            .await?;
        let kind = if form.get("position") == "statement" {
            EventKind::Statement {
                party,
                kind: rsm_core::decision::StatementKind::Interpretative,
                text: form.get("reason"),
            }
        } else {
            EventKind::Position {
                party,
                position: decisions::parse_position(
                    &form.get("position"),
                    form.opt("reason").as_deref(),
                )?,
            }
        };
        decisions::record(&state, &page.caller, &r, kind).await
    }
    .await;
    after(&state, page, id, r).await
}

/// `POST /drafts/{id}/procedure`: table, silence until, consensus (secretariat).
pub async fn procedure(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let r = decisions::visible_draft(&state, &page.caller, id).await?;
        page.caller
            .require(
                &state,
                rsm_core::access::Action::ManageDeliberation(&r.body),
            )
            .await?;
        let kind = match form.get("step").as_str() {
            "table" => EventKind::Tabled,
            "consensus" => EventKind::ConsensusEstablished,
            "silence" => {
                let zone =
                    jiff::tz::TimeZone::get(page.ctx.tz_name()).unwrap_or(jiff::tz::TimeZone::UTC);
                let local: jiff::civil::DateTime = form
                    .get("until")
                    .parse()
                    .map_err(|_| ApiError::invalid("until", "must be a date and time"))?;
                let until = local
                    .to_zoned(zone)
                    .map_err(|e| ApiError::invalid("until", e.to_string()))?
                    .timestamp();
                EventKind::PutUnderSilence { until }
            }
            _ => {
                return Err(ApiError::invalid(
                    "step",
                    "must be table, silence or consensus",
                ));
            }
        };
        decisions::record(&state, &page.caller, &r, kind).await
    }
    .await;
    after(&state, page, id, r).await
}

async fn after(state: &AppState, page: &Page, id: i64, r: Result<(), ApiError>) -> Response {
    match r {
        Ok(()) => redirect_with_flash(&format!("/drafts/{id}"), "flash-saved"),
        Err(e) => match error_text(&page.ctx, &e) {
            Some(msg) => {
                let r = draft_page(state, page, id, Some(msg)).await;
                page.finish(r)
            }
            None => page.error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    j: JournalView,
}

/// `GET /meetings/{id}/journal`: the journal, generated from the records; printable.
pub async fn journal(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, body) = meetings::visible_meeting(&state, &page.caller, id).await?;
        let j = meetings::build_journal(&state, &m, &body).await?;
        page.render(&JournalPage {
            ctx: &page.ctx,
            id,
            j: meetings::journal_view(&j),
        })
    }
    .await;
    page.finish(r)
}

impl AppState {
    async fn store_items(&self, meeting: i64) -> Result<Vec<rsm_store::StoredItem>, ApiError> {
        Ok(rsm_store::DeliberationStore::items(&self.store, meeting).await?)
    }
}

impl Ctx {
    /// A label whose value has spaces (`under silence` → key `state-under-silence`).
    pub fn spaced_label(&self, prefix: &str, value: &str) -> String {
        self.label(prefix, &value.replace(' ', "-"))
    }
}

/// A local date and time (`YYYY-MM-DDTHH:MM`, as a `datetime-local` field sends it) in the
/// meeting's zone, as the RFC 3339 instant the API takes; empty stays empty.
fn local_instant(
    field: &str,
    value: Option<String>,
    zone: &jiff::tz::TimeZone,
) -> Result<Option<String>, ApiError> {
    value
        .map(|v| meetings::parse_local(field, v.trim(), zone).map(|z| z.timestamp().to_string()))
        .transpose()
}

/// `POST /meetings/{id}/session`: records when the meeting opened and closed, in the
/// meeting's local time (secretariat). A stale revision is shown as the conflict it is.
pub async fn record_session(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let (m, _) = meetings::visible_meeting(&state, &page.caller, id).await?;
        let zone = meetings::zone_of(&m);
        let input = meetings::Session {
            expected_revision: form.get("revision").parse().unwrap_or_default(),
            opened_at: local_instant("opened_at", form.opt("opened_at"), &zone)?,
            closed_at: local_instant("closed_at", form.opt("closed_at"), &zone)?,
        };
        meetings::record_session(
            State(state.clone()),
            page.caller.clone(),
            Path(id),
            crate::api::ApiJson(input),
        )
        .await
        .map(|_| ())
    }
    .await;
    after_meeting_write(&state, page, id, r).await
}

/// `POST /meetings/{id}/speakers`: records who took the floor under an item, at a local
/// time of the meeting (secretariat).
pub async fn add_speaker(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let (m, _) = meetings::visible_meeting(&state, &page.caller, id).await?;
        let zone = meetings::zone_of(&m);
        let at = local_instant("at", form.opt("at"), &zone)?.ok_or_else(|| {
            ApiError::invalid("at", "must be a local date and time YYYY-MM-DDTHH:MM")
        })?;
        let input = meetings::NewIntervention {
            item: form
                .get("item")
                .parse()
                .map_err(|_| ApiError::invalid("item", "no such item on this meeting's agenda"))?,
            speaker: form.get("speaker"),
            at,
        };
        meetings::add_intervention(
            State(state.clone()),
            page.caller.clone(),
            Path(id),
            crate::api::ApiJson(input),
        )
        .await
        .map(|_| ())
    }
    .await;
    after_meeting_write(&state, page, id, r).await
}

async fn after_meeting_write(
    state: &AppState,
    page: &Page,
    id: i64,
    r: Result<(), ApiError>,
) -> Response {
    match r {
        Ok(()) => redirect_with_flash(&format!("/meetings/{id}"), "flash-saved"),
        Err(e) => match error_text(&page.ctx, &e) {
            Some(msg) => {
                let status = match e {
                    ApiError::Conflict(_) => axum::http::StatusCode::CONFLICT,
                    _ => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                };
                let r = meeting_page(state, page, id, Some(msg)).await;
                let mut resp = page.finish(r);
                if resp.status().is_success() {
                    *resp.status_mut() = status;
                }
                resp
            }
            None => page.error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "meeting_edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    m: MeetingView,
    /// The form's values: what was sent when it is shown again after a refusal.
    title: String,
    start: String,
    end: String,
    time_zone: String,
    venue: String,
    link: String,
    revision: i64,
    error: Option<String>,
}

fn local_value(v: &str) -> String {
    v.get(..16).unwrap_or(v).to_owned()
}

/// The edit page of meeting `id`, for the secretariat only (others: 403; outsiders of a
/// restricted body: 404). `sent` keeps a refused form's values and revision.
async fn edit_page(
    state: &AppState,
    page: &Page,
    id: i64,
    sent: Option<&PageForm>,
    error: Option<(axum::http::StatusCode, String)>,
) -> Result<Response, ApiError> {
    let (m, may_manage, _) = meeting_view(state, page, id).await?;
    if !may_manage {
        let (_, body) = meetings::visible_meeting(state, &page.caller, id).await?;
        page.caller
            .require(state, rsm_core::access::Action::ManageDeliberation(&body))
            .await?;
    }
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (axum::http::StatusCode::OK, None),
    };
    let edit = match sent {
        Some(f) => EditPage {
            ctx: &page.ctx,
            title: f.get("title"),
            start: f.get("start"),
            end: f.get("end"),
            time_zone: f.get("time_zone"),
            venue: f.get("venue"),
            link: f.get("link"),
            revision: f.get("revision").parse().unwrap_or_default(),
            error,
            m,
        },
        None => EditPage {
            ctx: &page.ctx,
            title: m.title.clone(),
            start: local_value(&m.start),
            end: local_value(&m.end),
            time_zone: m.time_zone.clone(),
            venue: m.venue.clone().unwrap_or_default(),
            link: m.link.clone().unwrap_or_default(),
            revision: m.revision,
            error,
            m,
        },
    };
    page.render_status(status, &edit)
}

/// `GET /meetings/{id}/edit` (secretariat).
pub async fn edit(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = edit_page(&state, &page, id, None, None).await;
    page.finish(r)
}

/// `POST /meetings/{id}/edit`: changes the meeting from the revision the form was loaded
/// at; if someone changed it meanwhile, the form comes back with the conflict explained and
/// nothing is lost or overwritten.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let r = async {
        let (m, body) = meetings::visible_meeting(&state, &page.caller, id).await?;
        let items = state.store_items(m.id).await?;
        let current = meetings::view(&m, &body, &items, state.clock.now());
        let input = meetings::UpdateMeeting {
            expected_revision: form.get("revision").parse().unwrap_or_default(),
            title: form.get("title"),
            start: form.get("start"),
            end: form.get("end"),
            time_zone: form.get("time_zone"),
            venue: form.opt("venue"),
            link: form.opt("link"),
            chair: current
                .chair_override_reason
                .as_ref()
                .map(|_| current.chair.clone()),
            chair_reason: current.chair_override_reason.clone(),
            delegations: current.delegations.clone(),
            timetable: current.timetable.clone(),
        };
        meetings::reschedule(&state, &page.caller, id, input).await
    }
    .await;
    match r {
        Ok(()) => redirect_with_flash(&format!("/meetings/{id}"), "flash-saved"),
        Err(e) => match error_text(&page.ctx, &e) {
            Some(msg) => {
                let status = match e {
                    ApiError::Conflict(_) => axum::http::StatusCode::CONFLICT,
                    _ => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                };
                let r = edit_page(&state, page, id, Some(&form), Some((status, msg))).await;
                page.finish(r)
            }
            None => page.error_page(e),
        },
    }
}
