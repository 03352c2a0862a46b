//! `/cases`: humanitarian case referral for the parties' focal points — my cases with due
//! and overdue badges, a referral form generated from the referral type's fields with its
//! consent section, one case (what my side may see of it, its history, the steps I may
//! take), and the dashboard's reminders. Rules, authorization and auditing are the API's
//! (`api::cases`); a case I may not see is the same 404 page as a missing one.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use rsm_core::party::PartyCode;
use rsm_humanitarian::case::{ConsentScope, FieldKind, LegalBasis, Urgency};
use serde::Deserialize;
use serde_json::Value;

use super::{Ctx, Page, PageForm, dashboard::Recent, redirect_with_flash, translate_rule};
use crate::{
    AppState,
    api::cases::{
        self, CaseError, CaseSummary, CaseView, ConsentInput, LegalBasisInput, OpenCaseInput,
        StepInput, referral_types,
    },
    error::ApiError,
};

/// A list row.
pub struct CaseRow {
    pub s: CaseSummary,
    pub referred: String,
    pub due: Option<String>,
}

fn row(ctx: &Ctx, s: CaseSummary) -> CaseRow {
    CaseRow {
        referred: ctx.when(&s.referred_at),
        due: s.deadline.as_ref().map(|d| {
            ctx.t1(
                &format!("cases-deadline-{}", d.kind),
                "date",
                &ctx.when(&d.due),
            )
        }),
        s,
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<CaseRow>,
    may_refer: bool,
}

/// `GET /cases`: my cases, newest first, with their deadlines.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    let r = async {
        let now = state.clock.now();
        let rows = cases::my_cases(&state, &page.caller)
            .await?
            .iter()
            .map(|(c, s)| row(&page.ctx, cases::summary(c, *s, now)))
            .collect();
        page.render(&ListPage {
            ctx: &page.ctx,
            rows,
            may_refer: cases::focal_party(&page.caller).is_some(),
        })
    }
    .await;
    page.finish(r)
}

/// One input of the generated form.
pub struct FormField {
    pub name: String,
    pub title: String,
    pub kind: String,
    pub required: bool,
    pub referred: bool,
    pub values: Vec<String>,
    pub value: String,
    pub error: Option<String>,
    pub max_len: usize,
    pub min: String,
    pub max: String,
}

impl FormField {
    pub fn long(&self) -> bool {
        self.kind == "text" && self.max_len > 200
    }
}

/// What the form holds besides the type's fields.
#[derive(Default)]
pub struct BasisForm {
    pub receiving_party: String,
    pub basis: String,
    pub recorded_by: String,
    pub recorded_on: String,
    pub scope: String,
    pub legal_basis: String,
    pub explanation: String,
    pub commit: bool,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    /// (id, title) of every type, for the chooser.
    types: Vec<(String, String)>,
    chosen: Option<(String, String, String)>,
    fields: Vec<FormField>,
    parties: Vec<String>,
    form: BasisForm,
    scopes: Vec<String>,
    bases: Vec<String>,
    errors: BTreeMap<String, String>,
}

impl NewPage<'_> {
    fn err(&self, path: &str) -> Option<&str> {
        self.errors.get(path).map(String::as_str)
    }
    fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
    fn general_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(k, _)| {
                !k.starts_with("fields.")
                    && !matches!(
                        k.as_str(),
                        "receiving_party"
                            | "consent.recorded_by"
                            | "consent.recorded_on"
                            | "consent.scope"
                            | "legal_basis.basis"
                            | "legal_basis.explanation"
                    )
            })
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(rename = "type")]
    type_id: Option<String>,
}

async fn new_page(
    state: &AppState,
    page: &Page,
    type_id: Option<&str>,
    entered: &BTreeMap<String, String>,
    form: BasisForm,
    errors: BTreeMap<String, String>,
) -> Result<Response, ApiError> {
    let party = cases::focal_party(&page.caller);
    let Some(party) = party else {
        // The policy says why: sign in first, or not this role's to do.
        match page.caller.account.as_ref().and_then(|a| a.role.party()) {
            Some(p) => {
                page.caller
                    .require(state, rsm_core::access::Action::OpenCase(p))
                    .await?
            }
            None => {
                page.caller
                    .require(state, rsm_core::access::Action::ListCases)
                    .await?
            }
        }
        return Err(ApiError::Forbidden(
            "only a party's humanitarian focal point refers cases".into(),
        ));
    };
    page.caller
        .require(state, rsm_core::access::Action::OpenCase(party))
        .await?;
    let (today, timeline) = state.today_and_timeline().await?;
    let types = referral_types();
    let chosen = type_id.and_then(|t| types.get(t));
    let fields = chosen
        .map(|rt| {
            rt.fields
                .iter()
                .map(|f| {
                    let (values, max_len, min, max) = match &f.kind {
                        FieldKind::Choice { values } => {
                            (values.clone(), 0, String::new(), String::new())
                        }
                        FieldKind::Text { max_len } => {
                            (Vec::new(), *max_len, String::new(), String::new())
                        }
                        FieldKind::Integer { min, max } => {
                            (Vec::new(), 0, min.to_string(), max.to_string())
                        }
                        _ => (Vec::new(), 0, String::new(), String::new()),
                    };
                    FormField {
                        name: f.name.clone(),
                        title: f.title.clone(),
                        kind: f.kind.as_str().into(),
                        required: f.required,
                        referred: f.referred,
                        values,
                        value: entered.get(&f.name).cloned().unwrap_or_default(),
                        error: errors.get(&format!("fields.{}", f.name)).cloned(),
                        max_len,
                        min,
                        max,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let parties = PartyCode::ALL
        .into_iter()
        .filter(|p| *p != party)
        .filter(|p| {
            timeline.status_on(*p, today)
                == rsm_core::participation::ParticipationStatus::Participating
        })
        .map(|p| p.to_string())
        .collect();
    let form = BasisForm {
        basis: if form.basis.is_empty() {
            "consent".into()
        } else {
            form.basis
        },
        ..form
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render_status(
        status,
        &NewPage {
            ctx: &page.ctx,
            types: types
                .types()
                .iter()
                .map(|t| (t.id.clone(), t.title.clone()))
                .collect(),
            chosen: chosen.map(|t| (t.id.clone(), t.title.clone(), t.response_days.to_string())),
            fields,
            parties,
            form,
            scopes: ConsentScope::ALL
                .iter()
                .map(|s| s.as_str().into())
                .collect(),
            bases: LegalBasis::ALL.iter().map(|s| s.as_str().into()).collect(),
            errors,
        },
    )
}

/// `GET /cases/new?type=`: choose a type, then its generated form.
pub async fn new_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NewQuery>,
) -> Response {
    let r = new_page(
        &state,
        &page,
        q.type_id.as_deref(),
        &BTreeMap::new(),
        BasisForm::default(),
        BTreeMap::new(),
    )
    .await;
    page.finish(r)
}

/// `POST /cases`: the form, through the API's `open`; refused fields are shown next to
/// their inputs and nothing is stored.
pub async fn create(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let type_id = form.get("type");
    let mut values = BTreeMap::new();
    let mut fields = BTreeMap::new();
    if let Some(rt) = referral_types().get(&type_id) {
        for f in &rt.fields {
            if let Some(v) = form.opt(&format!("f.{}", f.name)) {
                values.insert(f.name.clone(), v.clone());
                fields.insert(f.name.clone(), Value::String(v));
            }
        }
    }
    let basis = BasisForm {
        receiving_party: form.get("receiving_party"),
        basis: form.get("basis"),
        recorded_by: form.get("recorded_by"),
        recorded_on: form.get("recorded_on"),
        scope: form.get("scope"),
        legal_basis: form.get("legal_basis"),
        explanation: form.get("explanation"),
        commit: form.get("commit_to_log") == "on",
    };
    let input = OpenCaseInput {
        type_id: type_id.clone(),
        receiving_party: basis.receiving_party.clone(),
        fields,
        consent: (basis.basis != "legal").then(|| ConsentInput {
            recorded_by: basis.recorded_by.clone(),
            recorded_on: basis.recorded_on.clone(),
            scope: basis.scope.clone(),
        }),
        legal_basis: (basis.basis == "legal").then(|| LegalBasisInput {
            basis: basis.legal_basis.clone(),
            explanation: basis.explanation.clone(),
        }),
        commit_to_log: basis.commit,
    };
    let errors: BTreeMap<String, String> = match cases::open(&state, &page.caller, &input).await {
        Ok(opened) => return redirect_with_flash(&format!("/cases/{}", opened.id), "flash-saved"),
        Err(CaseError::Fields(errs)) => errs
            .into_iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect(),
        Err(CaseError::Api(ApiError::Invalid { field, rule })) => {
            BTreeMap::from([(field, translate_rule(&page.ctx, &rule))])
        }
        Err(CaseError::Api(e)) => return page.error_page(e),
    };
    let r = new_page_with(&state, page, &type_id, values, basis, errors).await;
    page.finish(r)
}

async fn new_page_with(
    state: &AppState,
    page: &Page,
    type_id: &str,
    values: BTreeMap<String, String>,
    form: BasisForm,
    errors: BTreeMap<String, String>,
) -> Result<Response, ApiError> {
    let r = new_page(state, page, Some(type_id), &values, form, errors).await?;
    Ok(r)
}

/// One field as the detail page shows it.
pub struct FieldLine {
    pub title: String,
    pub value: String,
    /// Kept by the referring side (never shown to the receiving side).
    pub kept: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    c: CaseView,
    id_text: String,
    log_text: Option<String>,
    fields: Vec<FieldLine>,
    referred: String,
    due: Option<String>,
    history: Vec<(String, String, String, String)>,
    outcomes: Vec<String>,
    error: Option<String>,
}

impl DetailPage<'_> {
    fn may(&self, step: &str) -> bool {
        self.c.summary.allowed_steps.iter().any(|s| s == step)
    }
}

async fn detail_page(
    state: &AppState,
    page: &Page,
    id: i64,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let c = cases::case_view(state, &page.caller, id).await?;
    let rt = referral_types().get(&c.summary.type_id);
    let fields = match rt {
        Some(rt) => rt
            .fields
            .iter()
            .filter_map(|f| {
                c.fields.get(&f.name).map(|v| FieldLine {
                    title: f.title.clone(),
                    value: v.clone(),
                    kept: !f.referred,
                })
            })
            .collect(),
        None => c
            .fields
            .iter()
            .map(|(k, v)| FieldLine {
                title: k.clone(),
                value: v.clone(),
                kept: false,
            })
            .collect(),
    };
    let history = c
        .history
        .iter()
        .map(|e| {
            (
                page.ctx.when(&e.at),
                page.ctx.t(&format!("cases-step-{}", e.kind)),
                e.actor.clone(),
                e.text.clone(),
            )
        })
        .collect();
    let due = c.summary.deadline.as_ref().map(|d| {
        page.ctx.t1(
            &format!("cases-deadline-{}", d.kind),
            "date",
            &page.ctx.when(&d.due),
        )
    });
    page.render(&DetailPage {
        ctx: &page.ctx,
        referred: page.ctx.when(&c.summary.referred_at),
        id_text: c.summary.id.to_string(),
        log_text: c.log_index.map(|i| i.to_string()),
        due,
        fields,
        history,
        outcomes: rt.map(|t| t.outcomes.clone()).unwrap_or_default(),
        c,
        error,
    })
}

/// `GET /cases/{id}`: the case as my side may see it (the read is audited).
pub async fn detail(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    let r = detail_page(&state, &page, id, None).await;
    page.finish(r)
}

/// `POST /cases/{id}/steps`: accept, decline, progress, close or withdraw.
pub async fn step(State(state): State<AppState>, Path(id): Path<i64>, form: PageForm) -> Response {
    let page = &form.page;
    let input = StepInput {
        step: form.get("step"),
        expected_revision: form.get("expected_revision").parse().unwrap_or(-1),
        reason: form.get("reason"),
        note: form.get("note"),
        outcome: form.get("outcome"),
    };
    match cases::take_step(&state, &page.caller, id, &input).await {
        Ok(_) => redirect_with_flash(&format!("/cases/{id}"), "flash-saved"),
        Err(ApiError::Invalid { field, rule }) => {
            let msg = format!("{}: {}", field, translate_rule(&page.ctx, &rule));
            let r = detail_page(&state, page, id, Some(msg)).await;
            page.finish(r)
        }
        Err(ApiError::Conflict(_)) => {
            let r = detail_page(&state, page, id, Some(page.ctx.t("form-conflict"))).await;
            page.finish(r)
        }
        Err(e) => page.error_page(e),
    }
}

/// The dashboard's reminders: my open cases whose deadline is overdue or due soon, most
/// urgent first. Nothing personal: type, parties and the deadline.
pub async fn dashboard_reminders(state: &AppState, page: &Page) -> Result<Vec<Recent>, ApiError> {
    if cases::focal_party(&page.caller).is_none() {
        return Ok(Vec::new());
    }
    let now = state.clock.now();
    let mut due: Vec<(Urgency, CaseSummary)> = cases::my_cases(state, &page.caller)
        .await?
        .iter()
        .filter_map(|(c, s)| {
            let rt = referral_types().get(&c.type_id)?;
            let d = rsm_humanitarian::case::deadline(
                rt,
                c.status,
                c.referred_at,
                c.last_receiving_step_at,
            )?;
            let u = d.urgency(now);
            (u != Urgency::OnTime).then(|| (u, cases::summary(c, *s, now)))
        })
        .collect();
    due.sort_by_key(|(u, s)| (*u, s.deadline.as_ref().map(|d| d.due)));
    Ok(due
        .into_iter()
        .map(|(u, s)| {
            let d = s.deadline.as_ref().expect("filtered on a deadline");
            Recent {
                when: page.ctx.when(&d.due),
                at: d.due,
                text: page.ctx.lang.t_args(
                    "cases-dash-item",
                    &[
                        (
                            "urgency",
                            page.ctx
                                .t(&format!("cases-urgency-{}", u.as_str()))
                                .as_str(),
                        ),
                        ("type", s.type_title.as_str()),
                        ("from", s.referring_party.as_str()),
                        ("to", s.receiving_party.as_str()),
                        ("date", page.ctx.when(&d.due).as_str()),
                    ],
                ),
                href: Some(format!("/cases/{}", s.id)),
            }
        })
        .collect())
}
