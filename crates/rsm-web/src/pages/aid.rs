//! `/aid` (flows, three server-drawn SVG charts — by sector and year, donor × recipient, the
//! pledged-versus-disbursed gap — the conversion table, and the forms to record, import and
//! add rates) and `/reports/humanitarian/{year}` (the yearly report, withheld numbers shown
//! as "suppressed" with the reason — not "<5", since a number withheld to protect another
//! may be large).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use rsm_core::{
    access::{Action, Role},
    party::PartyCode,
};
use rsm_humanitarian::{
    aid::{FlowInput, FlowKind, SECTORS, Sector, Totals, usd_whole},
    report::MIN_CELL,
};
use rsm_store::AidFilter;
use serde::Deserialize;

use super::{Ctx, Page, PageForm, redirect_with_flash};
use crate::{
    AppState,
    api::aid::{self as api, AidError, RateView},
    error::ApiError,
};

/// The page's query: which year the table lists and which stage the charts draw.
#[derive(Debug, Default, Deserialize)]
pub struct AidQuery {
    pub year: Option<String>,
    pub stage: Option<String>,
}

pub struct FlowRow {
    pub id: i64,
    /// The reversal's note when the flow was reversed (it counts in no total).
    pub reversed: Option<String>,
    /// Whether the reader may reverse it (its donor's focal point, or the secretariat).
    pub may_reverse: bool,
    pub date: String,
    pub kind: String,
    pub donor: String,
    pub recipient: String,
    pub sector: String,
    pub amount: String,
    pub usd: String,
    pub description: String,
}

/// One segment of a stacked bar.
pub struct BarPart {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub class: String,
    pub title: String,
}

pub struct YearBar {
    pub label: String,
    pub label_x: String,
    pub total: String,
    pub total_y: String,
    pub parts: Vec<BarPart>,
}

pub struct Gridline {
    pub y: String,
    pub label: String,
}

pub struct MatrixCell {
    pub x: String,
    pub y: String,
    pub text_x: String,
    pub text_y: String,
    pub level: u8,
    pub text: String,
    pub title: String,
}

pub struct MatrixLabel {
    pub x: String,
    pub y: String,
    pub text: String,
}

pub struct GapRow {
    pub donor: String,
    pub y: String,
    pub text_y: String,
    pub pledged_width: String,
    pub disbursed_width: String,
    pub text: String,
}

pub struct Legend {
    pub class: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "aid.html")]
struct AidPage<'a> {
    ctx: &'a Ctx,
    year: i16,
    years: Vec<i16>,
    stage: &'static str,
    stages: Vec<(&'static str, String)>,
    flows: Vec<FlowRow>,
    table_totals: String,
    bars: Vec<YearBar>,
    gridlines: Vec<Gridline>,
    legend: Vec<Legend>,
    chart_width: usize,
    matrix: Vec<MatrixCell>,
    matrix_rows: Vec<MatrixLabel>,
    matrix_columns: Vec<MatrixLabel>,
    matrix_width: usize,
    matrix_height: usize,
    gaps: Vec<GapRow>,
    gap_height: usize,
    gap_summary: String,
    rates: Vec<RateView>,
    may_record: bool,
    may_manage_rates: bool,
    donors: Vec<&'static str>,
    sectors: Vec<(&'static str, String)>,
    form: FlowInput,
    import_text: String,
    errors: Vec<String>,
}

/// `$1.2M`, `$850k`, `$90`: short amounts for chart labels.
pub fn usd_short(cents: i64) -> String {
    let d = cents as f64 / 100.0;
    let a = d.abs();
    let s = if a >= 1e9 {
        format!("{:.1}B", d / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", d / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", d / 1e3)
    } else {
        format!("{d:.0}")
    };
    format!("${s}")
}

fn stage_of(q: Option<&str>) -> FlowKind {
    match q {
        Some("pledge") => FlowKind::Pledge,
        Some("commitment") => FlowKind::Commitment,
        _ => FlowKind::Disbursement,
    }
}

fn stage_value(t: &Totals, k: FlowKind) -> i64 {
    match k {
        FlowKind::Pledge => t.pledged,
        FlowKind::Commitment => t.committed,
        FlowKind::Disbursement => t.disbursed,
    }
}

const CHART_H: f64 = 260.0;
const CHART_TOP: f64 = 20.0;
const CHART_LEFT: f64 = 70.0;

fn may_record(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| {
        matches!(
            u.role,
            Role::SecretariatAdmin | Role::SecretariatOfficer | Role::FocalPoint(_)
        )
    })
}

async fn aid_page(
    state: &AppState,
    page: &Page,
    q: &AidQuery,
    form: Option<(FlowInput, String, Vec<String>)>,
) -> Result<Response, ApiError> {
    page.caller.require(state, Action::ReadAid).await?;
    let ctx = &page.ctx;
    let today = state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let year: i16 = match q.year.as_deref().filter(|y| !y.is_empty()) {
        Some(y) => y
            .parse()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| ApiError::invalid("year", "must be a year between 1990 and 2100"))?,
        None => today.year(),
    };
    let stage = stage_of(q.stage.as_deref());
    let (stored, cents, table) = api::load(state, &AidFilter::default()).await?;
    let summary_all = {
        // Reversed flows count in no total (the table still lists them, marked).
        let (flows, cents): (Vec<_>, Vec<i64>) = stored
            .iter()
            .zip(&cents)
            .filter(|(s, _)| s.reversal.is_none())
            .map(|(s, c)| (s.flow.clone(), *c))
            .unzip();
        let converted: Vec<_> = flows
            .iter()
            .zip(&cents)
            .map(|(flow, c)| rsm_humanitarian::aid::Converted {
                flow,
                usd_cents: *c,
            })
            .collect();
        (
            rsm_humanitarian::aid::by_sector_and_year(&converted),
            rsm_humanitarian::aid::donor_recipient_matrix(&converted),
            rsm_humanitarian::aid::by_donor(&converted),
            rsm_humanitarian::aid::overall(&converted),
        )
    };
    let (by_sy, matrix, by_donor, overall) = summary_all;

    // The table: the year's flows.
    let mut year_totals = Totals::default();
    let flows: Vec<FlowRow> = stored
        .iter()
        .zip(&cents)
        .filter(|(s, _)| s.flow.year() == year)
        .map(|(s, c)| {
            let f = &s.flow;
            if s.reversal.is_none() {
                match f.kind {
                    FlowKind::Pledge => year_totals.pledged += c,
                    FlowKind::Commitment => year_totals.committed += c,
                    FlowKind::Disbursement => year_totals.disbursed += c,
                }
            }
            let may_reverse = s.reversal.is_none()
                && ctx.user.as_ref().is_some_and(|u| match u.role {
                    Role::SecretariatAdmin | Role::SecretariatOfficer => true,
                    Role::FocalPoint(p) => p == f.donor,
                    _ => false,
                });
            FlowRow {
                id: s.id,
                reversed: s.reversal.as_ref().map(|r| {
                    ctx.lang.t_args(
                        "aid-reversed-note",
                        &[
                            ("who", &r.recorded_by),
                            (
                                "date",
                                &r.recorded_at
                                    .to_zoned(jiff::tz::TimeZone::UTC)
                                    .date()
                                    .to_string(),
                            ),
                            ("reason", &r.reason),
                        ],
                    )
                }),
                may_reverse,
                date: f.date.to_string(),
                kind: ctx.t(&format!("aid-kind-{}", f.kind.as_str())),
                donor: f.donor.as_str().into(),
                recipient: f.recipient.to_string(),
                sector: ctx.t(&format!("aid-sector-{}", f.sector.id())),
                amount: format!("{} {}", f.amount, f.amount.currency.code()),
                usd: usd_whole(*c),
                description: f.description.clone(),
            }
        })
        .collect();
    let table_totals = ctx.lang.t_args(
        "aid-table-totals",
        &[
            ("pledged", &usd_whole(year_totals.pledged)),
            ("committed", &usd_whole(year_totals.committed)),
            ("disbursed", &usd_whole(year_totals.disbursed)),
        ],
    );
    let mut years: BTreeSet<i16> = stored.iter().map(|s| s.flow.year()).collect();
    years.insert(year);

    // Chart 1: stacked bars per year, one segment per sector, for the chosen stage.
    let chart_years: Vec<i16> = by_sy
        .keys()
        .map(|(_, y)| *y)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let year_total = |y: i16| -> i64 {
        Sector::all()
            .map(|s| by_sy.get(&(s, y)).map_or(0, |t| stage_value(t, stage)))
            .sum()
    };
    let max = chart_years
        .iter()
        .map(|y| year_total(*y))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = 90.0;
    let chart_width = (CHART_LEFT + slot * chart_years.len().max(1) as f64 + 20.0) as usize;
    let scale = |v: i64| v as f64 / max as f64 * CHART_H;
    let bars = chart_years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let x = CHART_LEFT + slot * i as f64 + 20.0;
            let mut top = CHART_TOP + CHART_H;
            let parts = Sector::all()
                .enumerate()
                .filter_map(|(k, s)| {
                    let v = by_sy.get(&(s, *y)).map_or(0, |t| stage_value(t, stage));
                    if v <= 0 {
                        return None;
                    }
                    let h = scale(v);
                    top -= h;
                    Some(BarPart {
                        x: format!("{x:.1}"),
                        y: format!("{top:.1}"),
                        width: "50".into(),
                        height: format!("{h:.1}"),
                        class: format!("aid-s{k}"),
                        title: format!(
                            "{y} · {} · {} USD",
                            ctx.t(&format!("aid-sector-{}", s.id())),
                            usd_whole(v)
                        ),
                    })
                })
                .collect();
            YearBar {
                label: y.to_string(),
                label_x: format!("{:.1}", x + 25.0),
                total: usd_short(year_total(*y)),
                total_y: format!("{:.1}", top - 5.0),
                parts,
            }
        })
        .collect();
    let gridlines = [0.0, 0.5, 1.0]
        .iter()
        .map(|f| Gridline {
            y: format!("{:.1}", CHART_TOP + CHART_H - f * CHART_H),
            label: usd_short((max as f64 * f) as i64),
        })
        .collect();
    let legend = SECTORS
        .iter()
        .enumerate()
        .map(|(k, s)| Legend {
            class: format!("aid-s{k}"),
            label: ctx.t(&format!("aid-sector-{}", s.id)),
        })
        .collect();

    // Chart 2: donor × recipient.
    let donors: Vec<PartyCode> = matrix
        .keys()
        .map(|(d, _)| *d)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let recipients: Vec<String> = matrix
        .keys()
        .map(|(_, r)| r.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (cw, ch, left, head) = (84.0, 34.0, 50.0, 40.0);
    let mmax = matrix
        .values()
        .map(|t| stage_value(t, stage))
        .max()
        .unwrap_or(0)
        .max(1);
    let by_text: BTreeMap<(PartyCode, String), &Totals> = matrix
        .iter()
        .map(|((d, r), t)| ((*d, r.to_string()), t))
        .collect();
    let mut cells = Vec::new();
    for (i, d) in donors.iter().enumerate() {
        for (j, r) in recipients.iter().enumerate() {
            let v = by_text
                .get(&(*d, r.clone()))
                .map_or(0, |t| stage_value(t, stage));
            let level = if v <= 0 {
                0
            } else {
                1 + ((v as f64 / mmax as f64) * 3.999) as u8
            };
            let (x, y) = (left + cw * j as f64, head + ch * i as f64);
            cells.push(MatrixCell {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                text_x: format!("{:.1}", x + cw / 2.0),
                text_y: format!("{:.1}", y + ch / 2.0 + 4.0),
                level,
                text: if v > 0 { usd_short(v) } else { "–".into() },
                title: format!("{} → {r}: {} USD", d.as_str(), usd_whole(v)),
            });
        }
    }
    let matrix_rows = donors
        .iter()
        .enumerate()
        .map(|(i, d)| MatrixLabel {
            x: format!("{:.1}", left - 8.0),
            y: format!("{:.1}", head + ch * i as f64 + ch / 2.0 + 4.0),
            text: d.as_str().into(),
        })
        .collect();
    let matrix_columns = recipients
        .iter()
        .enumerate()
        .map(|(j, r)| MatrixLabel {
            x: format!("{:.1}", left + cw * j as f64 + cw / 2.0),
            y: format!("{:.1}", head - 10.0),
            text: r.chars().take(12).collect(),
        })
        .collect();
    let matrix_width = (left + cw * recipients.len().max(1) as f64 + 10.0) as usize;
    let matrix_height = (head + ch * donors.len().max(1) as f64 + 10.0) as usize;

    // Chart 3: pledged against disbursed, per donor, with the gap in words.
    let gmax = by_donor
        .values()
        .map(|t| t.pledged.max(t.disbursed))
        .max()
        .unwrap_or(0)
        .max(1);
    let gap_w = 420.0;
    let gaps: Vec<GapRow> = by_donor
        .iter()
        .enumerate()
        .map(|(i, (d, t))| {
            let y = 10.0 + 44.0 * i as f64;
            GapRow {
                donor: d.as_str().into(),
                y: format!("{y:.1}"),
                text_y: format!("{:.1}", y + 17.0),
                pledged_width: format!("{:.1}", t.pledged as f64 / gmax as f64 * gap_w),
                disbursed_width: format!("{:.1}", t.disbursed as f64 / gmax as f64 * gap_w),
                text: gap_text(ctx, t),
            }
        })
        .collect();
    let gap_height = 20 + 44 * by_donor.len().max(1);
    let gap_summary = gap_text(ctx, &overall);

    let (status, form, import_text, errors) = match form {
        Some((f, text, errors)) => (StatusCode::UNPROCESSABLE_ENTITY, f, text, errors),
        None => (
            StatusCode::OK,
            FlowInput {
                kind: "pledge".into(),
                donor: ctx
                    .user
                    .as_ref()
                    .and_then(|u| u.role.party())
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                sector: "food".into(),
                date: today.to_string(),
                currency: "USD".into(),
                ..FlowInput::default()
            },
            String::new(),
            Vec::new(),
        ),
    };
    page.render_status(
        status,
        &AidPage {
            ctx,
            year,
            years: years.into_iter().rev().collect(),
            stage: stage.as_str(),
            stages: FlowKind::ALL
                .iter()
                .map(|k| (k.as_str(), ctx.t(&format!("aid-kind-{}", k.as_str()))))
                .collect(),
            flows,
            table_totals,
            bars,
            gridlines,
            legend,
            chart_width,
            matrix: cells,
            matrix_rows,
            matrix_columns,
            matrix_width,
            matrix_height,
            gaps,
            gap_height,
            gap_summary,
            rates: table.entries().map(api::rate_view).collect(),
            may_record: may_record(ctx),
            may_manage_rates: ctx.is_secretariat(),
            donors: PartyCode::ALL.iter().map(|p| p.as_str()).collect(),
            sectors: SECTORS
                .iter()
                .map(|s| (s.id, ctx.t(&format!("aid-sector-{}", s.id))))
                .collect(),
            form,
            import_text,
            errors,
        },
    )
}

fn gap_text(ctx: &Ctx, t: &Totals) -> String {
    let percent = t
        .disbursed_percent()
        .map_or_else(|| "–".to_owned(), |p| format!("{p} %"));
    ctx.lang.t_args(
        "aid-gap-text",
        &[
            ("pledged", &usd_whole(t.pledged)),
            ("disbursed", &usd_whole(t.disbursed)),
            ("percent", &percent),
            ("gap", &usd_whole(t.gap())),
        ],
    )
}

/// `GET /aid`.
pub async fn aid(State(state): State<AppState>, page: Page, q: Query<AidQuery>) -> Response {
    let r = aid_page(&state, &page, &q, None).await;
    page.finish(r)
}

fn input_of(form: &PageForm) -> FlowInput {
    FlowInput {
        kind: form.get("kind"),
        donor: form.get("donor"),
        recipient: form.get("recipient"),
        sector: form.get("sector"),
        date: form.get("date"),
        currency: form.get("currency"),
        amount: form.get("amount"),
        description: form.get("description"),
    }
}

/// `POST /aid`: record one flow.
pub async fn record(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let input = input_of(&form);
    let r = async {
        match api::record_one(&state, &page.caller, &input).await {
            Ok(_) => Ok(redirect_with_flash("/aid", "flash-aid-recorded")),
            Err(AidError::Api(e)) => Err(e),
            Err(e @ AidError::Fields(_)) => {
                aid_page(
                    &state,
                    page,
                    &AidQuery::default(),
                    Some((input.clone(), String::new(), e.messages())),
                )
                .await
            }
        }
    }
    .await;
    page.finish(r)
}

/// `POST /aid/import`: a CSV pasted into the form.
pub async fn import(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let text = form.get("csv");
    let r = async {
        match api::import(&state, &page.caller, &text).await {
            Ok(_) => Ok(redirect_with_flash("/aid", "flash-aid-imported")),
            Err(AidError::Api(e)) => Err(e),
            Err(e @ AidError::Fields(_)) => {
                let defaults = FlowInput {
                    kind: "pledge".into(),
                    sector: "food".into(),
                    currency: "USD".into(),
                    ..FlowInput::default()
                };
                aid_page(
                    &state,
                    page,
                    &AidQuery::default(),
                    Some((defaults, text.clone(), e.messages())),
                )
                .await
            }
        }
    }
    .await;
    page.finish(r)
}

/// `POST /aid/{id}/reversal`: reverse a flow, with a reason.
pub async fn reverse(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let reason = form.get("reason");
    let r = async {
        api::reverse(&state, &page.caller, id, &reason).await?;
        Ok(redirect_with_flash("/aid", "flash-aid-reversed"))
    }
    .await;
    page.finish(r)
}

/// `POST /aid/rates`: the secretariat adds a rate.
pub async fn add_rate(State(state): State<AppState>, form: PageForm) -> Response {
    let page = &form.page;
    let body = RateView {
        currency: form.get("currency"),
        effective: form.get("effective"),
        units_per_usd: form.get("units_per_usd"),
        source: form.get("source"),
    };
    let r = async {
        match api::add_rate_entry(&state, &page.caller, &body).await {
            Ok(_) => Ok(redirect_with_flash("/aid", "flash-aid-rate-added")),
            Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict(_))) => {
                let defaults = FlowInput {
                    kind: "pledge".into(),
                    sector: "food".into(),
                    currency: "USD".into(),
                    ..FlowInput::default()
                };
                aid_page(
                    &state,
                    page,
                    &AidQuery::default(),
                    Some((defaults, String::new(), vec![e.to_string()])),
                )
                .await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    page.finish(r)
}

/// One row of a published table on the page.
pub struct ReportRow {
    pub label: String,
    pub cells: Vec<String>,
    pub total: String,
}

pub struct ReportTable {
    pub columns: Vec<String>,
    pub rows: Vec<ReportRow>,
    pub totals: Vec<String>,
    pub total: String,
    pub withheld: usize,
}

pub struct AidReportRow {
    pub donor: String,
    pub cells: Vec<String>,
}

/// How the page shows the report: published (with its record) or the secretariat's draft.
pub struct Publication {
    pub cut_off: String,
    pub sha256: String,
    pub published_at: String,
    pub published_by: String,
    pub log_index: String,
}

#[derive(Template)]
#[template(path = "aid_report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    year: i16,
    as_of: String,
    min_cell: u64,
    tables: Vec<(String, ReportTable)>,
    medians: Vec<(String, String)>,
    sectors: Vec<String>,
    aid_rows: Vec<AidReportRow>,
    previous: i16,
    next: i16,
    /// `Some` when published; `None` for the secretariat's draft.
    publication: Option<Publication>,
    /// A refused publication's message.
    error: Option<String>,
    today: String,
    /// The earliest cut-off (the 1st of January after the year) and whether that is past.
    first_cut_off: String,
    may_publish: bool,
}

fn shown(ctx: &Ctx, p: Option<u64>) -> String {
    p.map_or_else(|| ctx.t("aid-report-withheld"), |v| v.to_string())
}

fn report_table(
    ctx: &Ctx,
    t: &api::CountTableView,
    column_label: &dyn Fn(&str) -> String,
) -> ReportTable {
    let withheld = t
        .cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.column_totals)
        .chain([&t.total])
        .filter(|p| p.is_none())
        .count();
    ReportTable {
        columns: t.columns.iter().map(|c| column_label(c)).collect(),
        rows: t
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| ReportRow {
                label: ctx.party(r),
                cells: t
                    .cells
                    .get(i)
                    .map(|row| row.iter().map(|p| shown(ctx, *p)).collect())
                    .unwrap_or_default(),
                total: shown(ctx, t.row_totals.get(i).copied().flatten()),
            })
            .collect(),
        totals: t.column_totals.iter().map(|p| shown(ctx, *p)).collect(),
        total: shown(ctx, t.total),
        withheld,
    }
}

/// The report page: the published report if there is one (its stored bytes, never a
/// recomputation); otherwise the secretariat's draft with the publish form, and 404 to
/// everyone else.
async fn report_page(
    state: &AppState,
    page: &Page,
    year: &str,
    refused: Option<ApiError>,
) -> Result<Response, ApiError> {
    let status = refused.as_ref().map_or(StatusCode::OK, |e| e.status());
    let error = refused.map(|e| e.to_string());
    let (r, publication) = match api::published(state, &page.caller, year).await {
        Ok(p) => {
            let view: api::ReportView = serde_json::from_str(&p.body_json)
                .map_err(|e| ApiError::internal(&format!("published report {}: {e}", p.year)))?;
            let publication = Publication {
                cut_off: p.cut_off.to_string(),
                sha256: p.sha256.clone(),
                published_at: p.published_at.to_string(),
                published_by: p.published_by.clone(),
                log_index: p.log_index.map_or_else(String::new, |i| i.to_string()),
            };
            (view, Some(publication))
        }
        Err(not_published @ ApiError::NotFoundField { .. }) => {
            match api::draft(state, &page.caller, year).await {
                Ok(d) => (api::report_view(&d, api::ReportStatus::Draft), None),
                Err(ApiError::NotFound) => return Err(not_published),
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    let ctx = &page.ctx;
    let outcome_label = |o: &str| match o.strip_prefix("closed:") {
        Some(how) => format!("{}: {}", ctx.t("aid-outcome-closed"), how.replace('-', " ")),
        None => {
            let key = format!("aid-outcome-{o}");
            if super::i18n::Lang::EN.has(&key) {
                ctx.t(&key)
            } else {
                o.to_owned()
            }
        }
    };
    let types = rsm_humanitarian::case::default_referral_types().ok();
    let kind_label = |k: &str| {
        types
            .as_ref()
            .and_then(|t| t.get(k))
            .map_or_else(|| k.to_owned(), |t| t.title.clone())
    };
    let by_kind = report_table(ctx, &r.cases_by_kind, &kind_label);
    let by_outcome = report_table(ctx, &r.cases_by_outcome, &outcome_label);
    let medians = r
        .median_days_to_resolution
        .iter()
        .map(|m| {
            let label = if m.row == "all" {
                ctx.t("aid-report-all-parties")
            } else {
                ctx.party(&m.row)
            };
            (
                label,
                m.median_days
                    .clone()
                    .unwrap_or_else(|| ctx.t("aid-report-median-withheld")),
            )
        })
        .collect();
    let aid_rows = PartyCode::ALL
        .iter()
        .map(|d| AidReportRow {
            donor: ctx.party(d.as_str()),
            cells: SECTORS
                .iter()
                .map(|s| {
                    r.aid_by_sector
                        .iter()
                        .find(|a| a.donor == d.as_str() && a.sector == s.id)
                        .map_or_else(
                            || ctx.t("aid-report-withheld"),
                            |t| {
                                format!(
                                    "{} / {}",
                                    usd_whole(t.pledged_usd_cents),
                                    usd_whole(t.disbursed_usd_cents)
                                )
                            },
                        )
                })
                .collect(),
        })
        .collect();
    let today = state.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let first_cut_off = jiff::civil::date(r.year, 12, 31).tomorrow().ok();
    let may_publish = first_cut_off.is_some_and(|d| d <= today);
    page.render_status(
        status,
        &ReportPage {
            ctx,
            year: r.year,
            as_of: r.as_of.clone(),
            min_cell: MIN_CELL,
            tables: vec![
                (ctx.t("aid-report-by-kind"), by_kind),
                (ctx.t("aid-report-by-outcome"), by_outcome),
            ],
            medians,
            sectors: SECTORS
                .iter()
                .map(|s| ctx.t(&format!("aid-sector-{}", s.id)))
                .collect(),
            aid_rows,
            previous: r.year - 1,
            next: r.year + 1,
            publication,
            error,
            today: today.to_string(),
            first_cut_off: first_cut_off.map_or_else(String::new, |d| d.to_string()),
            may_publish,
        },
    )
}

/// `GET /reports/humanitarian/{year}`.
pub async fn report(
    State(state): State<AppState>,
    page: Page,
    Path(year): Path<String>,
) -> Response {
    let r = report_page(&state, &page, &year, None).await;
    page.finish(r)
}

/// `POST /reports/humanitarian/{year}/publish`: the secretariat publishes the year's report.
pub async fn publish_report(
    State(state): State<AppState>,
    Path(year): Path<String>,
    form: PageForm,
) -> Response {
    let page = &form.page;
    let body = api::PublishReport {
        cut_off: Some(form.get("cut_off")),
    };
    let r = async {
        match api::publish(&state, &page.caller, &year, &body).await {
            Ok(p) => Ok(redirect_with_flash(
                &format!("/reports/humanitarian/{}", p.year),
                "flash-report-published",
            )),
            Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict(_))) => {
                report_page(&state, page, &year, Some(e)).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    page.finish(r)
}
