//! `/bodies`: the bodies I may see, one body (members, chair rotation, revisions), and the
//! secretariat's forms to create and edit a body. Parsing and rules are the API's
//! (`api::bodies::parse_fields`, `Body::validate`); a body I may not see is the 404 page.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use jiff::civil::Date;
use rsm_core::{
    access::{Action, visible_bodies},
    body::{Activation, Body, BodyId, Membership, Visibility},
    participation::Timeline,
    party::PartyCode,
};
use rsm_store::{AuditStore, BodyStore, StoreError};

use super::{Ctx, FieldErrors, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::bodies::{BodyFields, parse_fields, visible},
    error::ApiError,
};

/// A body as the tables show it.
pub struct BodyRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub restricted: bool,
    pub members: String,
    pub chair: Option<String>,
    pub active: bool,
}

pub fn body_row(ctx: &Ctx, b: &Body, today: Date, t: &Timeline) -> BodyRow {
    BodyRow {
        id: b.id.to_string(),
        name: b.name.clone(),
        kind: ctx.label("kind", b.kind.as_str()),
        restricted: b.visibility == Visibility::Restricted,
        members: match &b.membership {
            Membership::AllParticipating => ctx.t("members-all"),
            Membership::Parties(set) => set
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        },
        chair: b.chair_on(today, t).map(|p| p.as_str().to_owned()),
        active: b.is_active_on(today, t),
    }
}

#[derive(Template)]
#[template(path = "bodies.html")]
struct BodiesPage<'a> {
    ctx: &'a Ctx,
    bodies: Vec<BodyRow>,
}

/// `GET /bodies`: only the bodies the policy lets me see (the same filter as the API's).
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        let (today, timeline) = state.today_and_timeline().await?;
        let bodies = state.store.bodies().await?;
        let shown = visible_bodies(&page.caller.actor, &bodies, today, &timeline);
        if shown.iter().any(|b| b.visibility == Visibility::Restricted) {
            state
                .store
                .record_audit(
                    &page.caller.attribution(state.clock.now()),
                    "body.list",
                    "bodies",
                    "list included restricted bodies",
                )
                .await?;
        }
        page.render(&BodiesPage {
            ctx: &page.ctx,
            bodies: shown
                .into_iter()
                .map(|b| body_row(&page.ctx, b, today, &timeline))
                .collect(),
        })
    }
    .await;
    page.finish(r)
}

/// One revision in the history table.
pub struct RevisionRow {
    pub revision: i64,
    pub when: String,
    pub by: String,
    pub name: String,
    pub members: String,
    pub rotation: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "body.html")]
struct BodyPage<'a> {
    ctx: &'a Ctx,
    row: BodyRow,
    visibility: String,
    must_agree: Vec<String>,
    active_while: Option<String>,
    /// (year, chair) for this year and the next four.
    rotation: Vec<(i16, String)>,
    revisions: Vec<RevisionRow>,
    may_edit: bool,
}

fn members_text(ctx: &Ctx, m: &Membership) -> String {
    match m {
        Membership::AllParticipating => ctx.t("members-all"),
        Membership::Parties(set) => set
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `GET /bodies/{id}`: audited like the API's read when the body is restricted.
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let r = async {
        let (rev, today, timeline) = visible(&state, &page.caller, &id).await?;
        let b = &rev.body;
        let may_edit = page
            .caller
            .require(&state, Action::EditBody(b))
            .await
            .is_ok();
        let rotation = (0..5)
            .filter_map(|i| {
                let year = today.year() + i;
                let day = jiff::civil::date(year, 7, 1);
                b.chair_on(day, &timeline)
                    .map(|p| (year, page.ctx.party(p.as_str())))
            })
            .collect();
        let history = state.store.body_history(&b.id).await?;
        page.render(&BodyPage {
            ctx: &page.ctx,
            row: body_row(&page.ctx, b, today, &timeline),
            visibility: page.ctx.label("visibility", b.visibility.as_str()),
            must_agree: b
                .must_agree_on(today, &timeline)
                .into_iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            active_while: match b.activation {
                Activation::Always => None,
                Activation::WhileParticipating(p) => Some(page.ctx.party(p.as_str())),
            },
            rotation,
            revisions: history
                .iter()
                .rev()
                .map(|r| RevisionRow {
                    revision: r.revision,
                    when: page.ctx.when(&r.changed_at),
                    by: r.changed_by.clone(),
                    name: r.body.name.clone(),
                    members: members_text(&page.ctx, &r.body.membership),
                    rotation: r
                        .body
                        .chair_rotation
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(" → "),
                    reason: r.reason.clone(),
                })
                .collect(),
            may_edit,
        })
    }
    .await;
    page.finish(r)
}

/// The body form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct BodyForm {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub visibility: String,
    pub all_members: bool,
    pub members: Vec<String>,
    pub active_while: String,
    pub chair_rotation: String,
    pub rotation_start_year: String,
    pub reason: String,
    pub expected_revision: i64,
}

impl BodyForm {
    fn from_body(b: &Body, revision: i64) -> Self {
        let (all_members, members) = match &b.membership {
            Membership::AllParticipating => (true, vec![]),
            Membership::Parties(set) => (false, set.iter().map(|p| p.as_str().into()).collect()),
        };
        Self {
            id: b.id.to_string(),
            name: b.name.clone(),
            kind: b.kind.as_str().into(),
            visibility: b.visibility.as_str().into(),
            all_members,
            members,
            active_while: match b.activation {
                Activation::Always => String::new(),
                Activation::WhileParticipating(p) => p.as_str().into(),
            },
            chair_rotation: b
                .chair_rotation
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            rotation_start_year: b.rotation_start_year.to_string(),
            reason: String::new(),
            expected_revision: revision,
        }
    }

    fn from_post(f: &PageForm) -> Self {
        Self {
            id: f.get("id").trim().to_owned(),
            name: f.get("name"),
            kind: f.get("kind"),
            visibility: f.get("visibility"),
            all_members: f.get("all_members") == "on",
            members: f.all("members"),
            active_while: f.get("active_while_participating"),
            chair_rotation: f.get("chair_rotation"),
            rotation_start_year: f.get("rotation_start_year").trim().to_owned(),
            reason: f.get("reason"),
            expected_revision: f.get("expected_revision").parse().unwrap_or(-1),
        }
    }

    fn has_member(&self, code: &str) -> bool {
        self.members.iter().any(|m| m == code)
    }

    /// The API's input type, so the API's parser judges it.
    fn fields(&self) -> Result<BodyFields, ApiError> {
        let year = self.rotation_start_year.parse::<i16>().map_err(|_| {
            ApiError::invalid(
                "rotation_start_year",
                "must be a year between 1945 and 2200",
            )
        })?;
        Ok(BodyFields {
            name: self.name.clone(),
            kind: self.kind.clone(),
            visibility: self.visibility.clone(),
            members: (!self.all_members).then(|| self.members.clone()),
            active_while_participating: Some(self.active_while.trim().to_owned())
                .filter(|s| !s.is_empty()),
            chair_rotation: self
                .chair_rotation
                .split([',', ' ', '→'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_uppercase)
                .collect(),
            rotation_start_year: year,
            reason: self.reason.clone(),
        })
    }
}

const FIELDS: [&str; 9] = [
    "id",
    "name",
    "kind",
    "visibility",
    "members",
    "active_while_participating",
    "chair_rotation",
    "rotation_start_year",
    "reason",
];

#[derive(Template)]
#[template(path = "body_form.html")]
struct BodyFormPage<'a> {
    ctx: &'a Ctx,
    creating: bool,
    form: BodyForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
    parties: Vec<&'static str>,
}

fn form_page(
    page: &Page,
    status: StatusCode,
    creating: bool,
    form: BodyForm,
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    let kinds = [
        "ministerial-council",
        "working-group:security",
        "working-group:economic",
        "working-group:humanitarian",
        "talks",
    ]
    .into_iter()
    .map(|k| (k, page.ctx.label("kind", k)))
    .collect();
    page.render_status(
        status,
        &BodyFormPage {
            ctx: &page.ctx,
            creating,
            form,
            errors,
            kinds,
            parties: PartyCode::ALL.into_iter().map(PartyCode::as_str).collect(),
        },
    )
}

/// Parses the form with the API's rules, including the body's own (`Body::validate`).
fn parse(form: &BodyForm, id: BodyId) -> Result<(Body, BodyFields), ApiError> {
    let fields = form.fields()?;
    let body = parse_fields(id, &fields)?;
    body.validate()
        .map_err(|e| ApiError::from(StoreError::Body(e)))?;
    Ok((body, fields))
}

/// `GET /bodies/new` (secretariat).
pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        page.caller.require(&state, Action::CreateBody).await?;
        let today = state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let form = BodyForm {
            kind: "talks".into(),
            visibility: "public".into(),
            all_members: true,
            rotation_start_year: today.year().to_string(),
            ..BodyForm::default()
        };
        form_page(&page, StatusCode::OK, true, form, FieldErrors::default())
    }
    .await;
    page.finish(r)
}

/// `POST /bodies/new` (secretariat).
pub async fn create(State(state): State<AppState>, post: PageForm) -> Response {
    let page = &post.page;
    let form = BodyForm::from_post(&post);
    let r = async {
        page.caller.require(&state, Action::CreateBody).await?;
        let attempt = async {
            let id = BodyId::parse(&form.id).map_err(|e| ApiError::invalid("id", e.to_string()))?;
            let (body, fields) = parse(&form, id)?;
            if state.store.body(&body.id).await?.is_some() {
                // Whether or not I may see it, only "taken" is said.
                return Err(ApiError::invalid("id", "already exists"));
            }
            state
                .store
                .create_body(
                    &body,
                    fields.reason.trim(),
                    &page.caller.attribution(state.clock.now()),
                )
                .await?;
            Ok(body.id)
        }
        .await;
        match attempt {
            Ok(id) => Ok(redirect_with_flash(
                &format!("/bodies/{id}"),
                "flash-body-created",
            )),
            Err(e) => {
                let errors = FieldErrors::from_error(&page.ctx, e, &FIELDS)?;
                form_page(
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    true,
                    form.clone(),
                    errors,
                )
            }
        }
    }
    .await;
    page.finish(r)
}

/// `GET /bodies/{id}/edit` (secretariat; a body I may not see is not found).
pub async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let (rev, _, _) = visible(&state, &page.caller, &id).await?;
        page.caller
            .require(&state, Action::EditBody(&rev.body))
            .await?;
        let form = BodyForm::from_body(&rev.body, rev.revision);
        form_page(&page, StatusCode::OK, false, form, FieldErrors::default())
    }
    .await;
    page.finish(r)
}

/// `POST /bodies/{id}/edit` (secretariat): a new revision, from the revision shown.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: PageForm,
) -> Response {
    let page = &post.page;
    let mut form = BodyForm::from_post(&post);
    let r = async {
        let body_id = BodyId::parse(&id).map_err(|_| ApiError::NotFound)?;
        let current = state
            .store
            .body(&body_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        page.caller
            .require(&state, Action::EditBody(&current.body))
            .await?;
        form.id = body_id.to_string();
        let attempt = async {
            let (body, fields) = parse(&form, body_id.clone())?;
            state
                .store
                .update_body(
                    &body,
                    form.expected_revision,
                    fields.reason.trim(),
                    &page.caller.attribution(state.clock.now()),
                )
                .await?;
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => Ok(redirect_with_flash(
                &format!("/bodies/{body_id}"),
                "flash-body-saved",
            )),
            Err(e) => {
                let errors = FieldErrors::from_error(&page.ctx, e, &FIELDS)?;
                form_page(
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    false,
                    form.clone(),
                    errors,
                )
            }
        }
    }
    .await;
    page.finish(r)
}
