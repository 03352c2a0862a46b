//! `/parties`: the six parties, their participation history (with a small SVG timeline
//! each), and the secretariat's form to record a change of participation.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use jiff::civil::Date;
use rsm_core::{
    access::Action,
    participation::{ParticipationStatus, Timeline},
    party::PartyCode,
};
use rsm_store::ParticipationStore;

use super::{Ctx, FieldErrors, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::parties::{SetParticipation, parse_change},
    error::ApiError,
};

/// A party as the tables show it.
pub struct PartyRow {
    pub code: String,
    pub name: String,
    pub status: String,
    pub status_label: String,
    pub since: Option<String>,
    pub basis: Option<String>,
}

pub fn party_row(ctx: &Ctx, t: &Timeline, p: PartyCode, date: Date) -> PartyRow {
    let change = t.change_in_force(p, date);
    let status = t.status_on(p, date).as_str();
    PartyRow {
        code: p.as_str().into(),
        name: ctx.party(p.as_str()),
        status: status.into(),
        status_label: ctx.label("status", status),
        since: change.map(|c| c.effective.to_string()),
        basis: change.map(|c| c.basis.clone()),
    }
}

/// One coloured segment of a party's timeline.
pub struct Segment {
    pub x: String,
    pub width: String,
    pub status: String,
    pub label: String,
}

/// One party's history as SVG segments from its first change to a year after today.
pub struct TimelineSvg {
    pub segments: Vec<Segment>,
    pub start: String,
    pub end: String,
    pub today_x: String,
    pub summary: String,
}

fn timeline_svg(ctx: &Ctx, t: &Timeline, p: PartyCode, today: Date) -> TimelineSvg {
    let history = t.history(p);
    let start = history.first().map_or(today, |c| c.effective).min(today);
    let end = today.saturating_add(jiff::Span::new().years(1));
    let total = (end - start).get_days().max(1) as f64;
    let x_of = |d: Date| ((d - start).get_days() as f64 / total * 1000.0).clamp(0.0, 1000.0);
    let mut segments = Vec::new();
    for (i, c) in history.iter().enumerate() {
        let next = history.get(i + 1).map_or(end, |n| n.effective);
        let (x0, x1) = (x_of(c.effective), x_of(next));
        segments.push(Segment {
            x: format!("{x0:.1}"),
            width: format!("{:.1}", (x1 - x0).max(1.0)),
            status: c.status.as_str().into(),
            label: format!(
                "{}: {} ({})",
                c.effective,
                ctx.label("status", c.status.as_str()),
                c.basis
            ),
        });
    }
    let summary = history
        .iter()
        .map(|c| format!("{} {}", c.effective, ctx.label("status", c.status.as_str())))
        .collect::<Vec<_>>()
        .join("; ");
    TimelineSvg {
        segments,
        start: start.to_string(),
        end: end.to_string(),
        today_x: format!("{:.1}", x_of(today)),
        summary,
    }
}

#[derive(Template)]
#[template(path = "parties.html")]
struct PartiesPage<'a> {
    ctx: &'a Ctx,
    today: String,
    parties: Vec<(PartyRow, TimelineSvg)>,
}

/// `GET /parties`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::ReadParties).await?;
        let (today, timeline) = state.today_and_timeline().await?;
        page.render(&PartiesPage {
            ctx: &page.ctx,
            today: today.to_string(),
            parties: PartyCode::ALL
                .into_iter()
                .map(|p| {
                    (
                        party_row(&page.ctx, &timeline, p, today),
                        timeline_svg(&page.ctx, &timeline, p, today),
                    )
                })
                .collect(),
        })
    }
    .await;
    page.finish(r)
}

/// One row of a party's history.
pub struct ChangeRow {
    pub effective: String,
    pub status: String,
    pub status_label: String,
    pub basis: String,
    pub recorded_on: String,
}

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage<'a> {
    ctx: &'a Ctx,
    party: PartyRow,
    svg: TimelineSvg,
    history: Vec<ChangeRow>,
    statuses: Vec<(&'static str, String)>,
    form_status: String,
    form_effective: String,
    form_basis: String,
    errors: FieldErrors,
}

fn path_party(code: &str) -> Result<PartyCode, ApiError> {
    code.parse().map_err(|_| ApiError::NotFound)
}

async fn party_page(
    state: &AppState,
    page: &Page,
    code: &str,
    form: Option<(&SetParticipation, FieldErrors)>,
) -> Result<Response, ApiError> {
    page.caller.require(state, Action::ReadParties).await?;
    let party = path_party(code)?;
    let (today, timeline) = state.today_and_timeline().await?;
    let statuses = [
        ParticipationStatus::Participating,
        ParticipationStatus::Invited,
        ParticipationStatus::Suspended,
        ParticipationStatus::Withdrawn,
    ]
    .into_iter()
    .map(|s| (s.as_str(), page.ctx.label("status", s.as_str())))
    .collect();
    let (status_code, form_status, form_effective, form_basis, errors) = match form {
        Some((input, errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            input.status.clone(),
            input.effective.clone(),
            input.basis.clone(),
            errors,
        ),
        None => (
            StatusCode::OK,
            "participating".into(),
            today.to_string(),
            String::new(),
            FieldErrors::default(),
        ),
    };
    page.render_status(
        status_code,
        &PartyPage {
            ctx: &page.ctx,
            party: party_row(&page.ctx, &timeline, party, today),
            svg: timeline_svg(&page.ctx, &timeline, party, today),
            history: timeline
                .history(party)
                .iter()
                .rev()
                .map(|c| ChangeRow {
                    effective: c.effective.to_string(),
                    status: c.status.as_str().into(),
                    status_label: page.ctx.label("status", c.status.as_str()),
                    basis: c.basis.clone(),
                    recorded_on: c.recorded_on.to_string(),
                })
                .collect(),
            statuses,
            form_status,
            form_effective,
            form_basis,
            errors,
        },
    )
}

/// `GET /parties/{code}`.
pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
) -> Response {
    let r = party_page(&state, &page, &code, None).await;
    page.finish(r)
}

/// `POST /parties/{code}/participation` (secretariat): the API's rules, errors by the field.
pub async fn record_change(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let input = SetParticipation {
        status: form.get("status"),
        effective: form.get("effective").trim().to_owned(),
        basis: form.get("basis"),
    };
    let r = async {
        page.caller
            .require(&state, Action::SetParticipation)
            .await?;
        let party = path_party(&code)?;
        let now = state.clock.now();
        let saved = match parse_change(party, &input, now) {
            Ok(change) => state
                .store
                .record_change(&change, &page.caller.attribution(now))
                .await
                .map_err(ApiError::from),
            Err(e) => Err(e),
        };
        match saved {
            Ok(()) => Ok(redirect_with_flash(
                &format!("/parties/{}", party.as_str()),
                "flash-participation-recorded",
            )),
            Err(e) => {
                let errors =
                    FieldErrors::from_error(&page.ctx, e, &["status", "effective", "basis"])?;
                party_page(&state, page, &code, Some((&input, errors))).await
            }
        }
    }
    .await;
    page.finish(r)
}
