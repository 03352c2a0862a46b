//! `/notifications` (calendar, month and list views), `/notifications/new` (a form generated
//! from the regime type's fields, validated as you type, signed in the browser),
//! `/notifications/{index}` (content, log receipt, acknowledgements, Acknowledge) and
//! `/compliance` (per year, with an SVG chart).
//!
//! The server never signs: the page's script (`assets/notify.js`) reads the delegate's key
//! file locally, imports it into WebCrypto, asks `/api/v1/notifications/prepare` for the
//! exact bytes to sign, signs them and submits the envelope with the content. The key file
//! input has no name, so no form ever sends it.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use rsm_core::{access::Role, party::PartyCode};
use rsm_regime::{
    ComplianceReport, FieldError,
    regime::{FieldKind, FieldSpec, NotificationType},
};
use rsm_store::NotificationFilter;
use serde::Deserialize;

use super::{Ctx, Page, PageForm};
use crate::{
    AppState,
    api::notifications::{ComplianceQuery, Loaded, detail, load, report, visible},
    error::ApiError,
};

/// This module's page routes (merged into [`super::routes`]).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/notifications", get(calendar))
        .route("/notifications/new", get(new_form))
        .route("/notifications/draft", post(draft))
        .route("/notifications/{index}", get(notification))
        .route("/compliance", get(compliance))
        .route("/notifications.ics", get(ical))
        .route("/notifications/map", get(map))
}

// ---- calendar -----------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct CalendarQuery {
    pub view: Option<String>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    /// `YYYY-MM-DD`: any day of the week to show (week view).
    pub week: Option<String>,
    pub party: Option<String>,
    #[serde(rename = "type")]
    pub type_id: Option<String>,
    pub basket: Option<String>,
}

/// One notification on the calendar.
pub struct Item {
    pub index: u64,
    pub party: String,
    pub type_id: String,
    pub title: String,
    pub basket: String,
    /// The activity's date (its first date-like field), else the day received.
    pub date: String,
    pub received: String,
    pub kind: String,
    pub summary: String,
}

/// One day cell of the month view.
pub struct Day {
    pub day: String,
    pub in_month: bool,
    pub items: Vec<(u64, String, String)>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct CalendarPage<'a> {
    ctx: &'a Ctx,
    month_view: bool,
    week_view: bool,
    week: String,
    prev_week: String,
    next_week: String,
    month: String,
    prev_month: String,
    next_month: String,
    weeks: Vec<Vec<Day>>,
    day_names: Vec<String>,
    items: Vec<Item>,
    parties: Vec<(String, String)>,
    types: Vec<(String, String)>,
    baskets: Vec<String>,
    f_party: String,
    f_type: String,
    f_basket: String,
    can_submit: bool,
}

/// The activity date of a content: the first date-like field of its type.
fn activity_date(ty: Option<&NotificationType>, content: &serde_json::Value) -> Option<String> {
    let ty = ty?;
    for f in &ty.fields {
        let v = &content[&f.name];
        let s = match f.kind {
            FieldKind::TimeWindow | FieldKind::DateRange => v["start"].as_str(),
            FieldKind::DateTime => v["time"].as_str(),
            FieldKind::Date => v.as_str(),
            _ => None,
        };
        if let Some(s) = s {
            return s.get(..10).map(str::to_owned);
        }
    }
    None
}

fn summary(ty: Option<&NotificationType>, content: &serde_json::Value) -> String {
    let Some(ty) = ty else {
        return String::new();
    };
    ty.fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Text { .. } | FieldKind::Integer { .. }))
        .filter_map(|f| match &content[&f.name] {
            serde_json::Value::String(s) => Some(s.chars().take(60).collect::<String>()),
            serde_json::Value::Number(n) => Some(format!("{} {n}", f.name)),
            _ => None,
        })
        .take(2)
        .collect::<Vec<_>>()
        .join(" · ")
}

fn type_of<'a>(loaded: &'a Loaded, id: &str) -> Option<&'a NotificationType> {
    loaded
        .history
        .versions()
        .iter()
        .rev()
        .find_map(|v| v.regime.get(id))
}

fn is_delegate(ctx: &Ctx) -> Option<PartyCode> {
    match ctx.user.as_ref().map(|u| &u.role) {
        Some(Role::Delegate(p)) => Some(*p),
        _ => None,
    }
}

/// `GET /notifications`.
pub async fn calendar(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let r = async {
        let loaded = load(&state).await?;
        let rows = visible(
            &state,
            &page.caller,
            &loaded,
            &NotificationFilter {
                party: q.party.clone().filter(|p| !p.is_empty()),
                type_id: q.type_id.clone().filter(|t| !t.is_empty()),
                ..Default::default()
            },
        )
        .await?;
        let basket = q.basket.clone().unwrap_or_default();
        let mut items: Vec<Item> = rows
            .iter()
            .filter(|n| n.kind != rsm_store::EntryKind::Ack)
            .filter_map(|n| {
                let ty = type_of(&loaded, &n.type_id);
                let b = ty.map(|t| t.basket.as_str().to_owned()).unwrap_or_default();
                if !basket.is_empty() && b != basket {
                    return None;
                }
                let content: serde_json::Value =
                    serde_json::from_str(&n.content).unwrap_or_default();
                let received = page
                    .ctx
                    .when(&n.received_at)
                    .get(..10)
                    .unwrap_or("")
                    .to_owned();
                Some(Item {
                    index: n.index,
                    party: n.party.clone(),
                    type_id: n.type_id.clone(),
                    title: ty.map(|t| t.title.clone()).unwrap_or(n.type_id.clone()),
                    basket: b,
                    date: activity_date(ty, &content).unwrap_or(received.clone()),
                    received,
                    kind: n.kind.as_str().into(),
                    summary: summary(ty, &content),
                })
            })
            .collect();
        items.sort_by(|a, b| (&a.date, a.index).cmp(&(&b.date, b.index)));
        let today = state.clock.now().to_zoned(page.ctx.tz.clone()).date();
        let month = q
            .month
            .as_deref()
            .and_then(|m| format!("{m}-01").parse::<jiff::civil::Date>().ok())
            .unwrap_or(today.first_of_month());
        let first = month.first_of_month();
        let prev = first.saturating_sub(jiff::Span::new().months(1));
        let next = first.saturating_add(jiff::Span::new().months(1));
        // Weeks from the Monday on or before the 1st to the Sunday on or after the last day.
        let offset = i64::from(first.weekday().to_monday_zero_offset());
        let mut d = first.saturating_sub(jiff::Span::new().days(offset));
        let mut by_day: BTreeMap<String, Vec<(u64, String, String)>> = BTreeMap::new();
        for it in &items {
            by_day.entry(it.date.clone()).or_default().push((
                it.index,
                it.party.clone(),
                it.title.clone(),
            ));
        }
        let mut weeks = Vec::new();
        while d < next || weeks.len() < 4 {
            let mut week = Vec::new();
            for _ in 0..7 {
                let key = d.to_string();
                week.push(Day {
                    day: d.day().to_string(),
                    in_month: d.month() == first.month(),
                    items: by_day.get(&key).cloned().unwrap_or_default(),
                });
                d = d.saturating_add(jiff::Span::new().days(1));
            }
            weeks.push(week);
            if d >= next {
                break;
            }
        }
        let in_force = loaded
            .history
            .in_force_at(state.clock.now())
            .or_else(|| loaded.history.versions().first());
        let types = in_force
            .map(|v| {
                v.regime
                    .types()
                    .iter()
                    .map(|t| (t.id.to_string(), t.title.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let month_view = q.view.as_deref() == Some("month");
        if month_view {
            let prefix = first.to_string()[..7].to_owned();
            items.retain(|i| i.date.starts_with(&prefix));
        }
        // The week view: Monday to Sunday around the asked day (today by default).
        let week_view = q.view.as_deref() == Some("week");
        let any_day = q
            .week
            .as_deref()
            .and_then(|w| w.parse::<jiff::civil::Date>().ok())
            .unwrap_or(today);
        let monday = any_day.saturating_sub(
            jiff::Span::new().days(i64::from(any_day.weekday().to_monday_zero_offset())),
        );
        if week_view {
            let mut week = Vec::new();
            let mut d = monday;
            for _ in 0..7 {
                let key = d.to_string();
                week.push(Day {
                    day: format!("{} {}", d.month(), d.day()),
                    in_month: true,
                    items: by_day.get(&key).cloned().unwrap_or_default(),
                });
                d = d.saturating_add(jiff::Span::new().days(1));
            }
            weeks = vec![week];
            let (from, to) = (monday.to_string(), d.to_string());
            items.retain(|i| i.date >= from && i.date < to);
        }
        page.render(&CalendarPage {
            ctx: &page.ctx,
            month_view,
            week_view,
            week: monday.to_string(),
            prev_week: monday.saturating_sub(jiff::Span::new().days(7)).to_string(),
            next_week: monday.saturating_add(jiff::Span::new().days(7)).to_string(),
            month: first.to_string()[..7].to_owned(),
            prev_month: prev.to_string()[..7].to_owned(),
            next_month: next.to_string()[..7].to_owned(),
            weeks,
            day_names: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .map(|d| page.ctx.t(&format!("day-{d}")))
                .collect(),
            items,
            parties: PartyCode::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), page.ctx.party(p.as_str())))
                .collect(),
            types,
            baskets: vec!["security".into(), "economic".into(), "humanitarian".into()],
            f_party: q.party.clone().unwrap_or_default(),
            f_type: q.type_id.clone().unwrap_or_default(),
            f_basket: basket,
            can_submit: is_delegate(&page.ctx).is_some(),
        })
    }
    .await;
    page.finish(r)
}

// ---- one notification ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "notification.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    index: u64,
    party: String,
    title: String,
    type_id: String,
    kind: String,
    reference: Option<u64>,
    received: String,
    status: Option<String>,
    delay: Option<String>,
    fields: Vec<(String, String)>,
    commitment: String,
    receipt: Option<String>,
    acks: Vec<(String, String, u64)>,
    missing: Vec<String>,
    can_ack: bool,
    my_party: String,
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `GET /notifications/{index}`.
pub async fn notification(
    State(state): State<AppState>,
    page: Page,
    Path(index): Path<u64>,
) -> Response {
    let r = async {
        let d = detail(&state, &page.caller, index).await?;
        let loaded = load(&state).await?;
        let n = &d.notification;
        let ty = type_of(&loaded, &n.type_id);
        let fields = match ty {
            Some(t) => t
                .fields
                .iter()
                .filter(|f| !n.content[&f.name].is_null())
                .map(|f| {
                    (
                        f.title.clone().unwrap_or(f.name.replace('_', " ")),
                        show(&n.content[&f.name]),
                    )
                })
                .collect(),
            None => n
                .content
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), show(v))).collect())
                .unwrap_or_default(),
        };
        let me = is_delegate(&page.ctx);
        let can_ack = n.kind != "ack"
            && me.is_some_and(|p| d.not_acknowledged.iter().any(|m| m == p.as_str()));
        let received: jiff::Timestamp = n.received_at.parse().unwrap_or_default();
        page.render(&DetailPage {
            ctx: &page.ctx,
            index,
            party: n.party.clone(),
            title: ty.map(|t| t.title.clone()).unwrap_or(n.type_id.clone()),
            type_id: n.type_id.clone(),
            kind: n.kind.clone(),
            reference: n.reference,
            received: page.ctx.when(&received),
            status: d.status.clone(),
            delay: d.delay_seconds.map(rsm_regime::render::human_delay),
            fields,
            commitment: n.commitment.clone(),
            receipt: d.receipt.clone(),
            acks: d
                .acknowledgements
                .iter()
                .map(|a| {
                    let t: jiff::Timestamp = a.received_at.parse().unwrap_or_default();
                    (a.party.clone(), page.ctx.when(&t), a.index)
                })
                .collect(),
            missing: d.not_acknowledged.clone(),
            can_ack,
            my_party: me.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        })
    }
    .await;
    page.finish(r)
}

// ---- submit -------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    #[serde(rename = "type")]
    pub type_id: Option<String>,
}

/// A form control generated from a regime field.
pub struct Control {
    pub name: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub unit: String,
    pub min: String,
    pub max: String,
    pub values: Vec<String>,
    pub max_len: String,
    pub long_text: bool,
}

#[derive(Template)]
#[template(path = "notification_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    types: Vec<(String, String, String)>,
    type_id: String,
    type_title: String,
    deadline: String,
    controls: Vec<Control>,
    party: String,
    parties: Vec<String>,
    zones: Vec<&'static str>,
}

const ZONES: [&str; 8] = [
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Pyongyang",
    "Europe/Moscow",
    "Asia/Vladivostok",
    "America/New_York",
    "UTC",
];

fn control(f: &FieldSpec) -> Control {
    let mut c = Control {
        name: f.name.clone(),
        label: f.title.clone().unwrap_or(f.name.replace('_', " ")),
        kind: f.kind.as_str().into(),
        required: f.required,
        unit: String::new(),
        min: String::new(),
        max: String::new(),
        values: Vec::new(),
        max_len: String::new(),
        long_text: false,
    };
    match &f.kind {
        FieldKind::Integer { unit, min, max } => {
            c.unit = unit.clone();
            c.min = min.map(|m| m.to_string()).unwrap_or_default();
            c.max = max.map(|m| m.to_string()).unwrap_or_default();
        }
        FieldKind::Enum { values } => c.values = values.clone(),
        FieldKind::Text { max_len } => {
            c.max_len = max_len.to_string();
            c.long_text = *max_len > 200;
        }
        _ => {}
    }
    c
}

/// `GET /notifications/new?type=…` (delegates).
pub async fn new_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NewQuery>,
) -> Response {
    let r = async {
        let Some(party) = is_delegate(&page.ctx) else {
            return Err(if page.ctx.user.is_none() {
                ApiError::SignInRequired("sign in".into())
            } else {
                ApiError::Forbidden("only a party's delegate submits notifications".into())
            });
        };
        let loaded = load(&state).await?;
        let v = loaded
            .history
            .in_force_at(state.clock.now())
            .or_else(|| loaded.history.versions().first())
            .ok_or_else(|| ApiError::internal(&"no regime"))?;
        let types: Vec<(String, String, String)> = v
            .regime
            .types()
            .iter()
            .map(|t| (t.id.to_string(), t.title.clone(), t.basket.as_str().into()))
            .collect();
        let type_id = q
            .type_id
            .filter(|t| v.regime.get(t).is_some())
            .unwrap_or_else(|| types[0].0.clone());
        let ty = v.regime.get(&type_id).expect("checked");
        let view = crate::api::notifications::type_views(&v.regime);
        let deadline = view
            .iter()
            .find(|t| t.id == type_id)
            .map(|t| t.deadline.clone())
            .unwrap_or_default();
        page.render(&NewPage {
            ctx: &page.ctx,
            types,
            type_title: ty.title.clone(),
            deadline,
            controls: ty.fields.iter().map(control).collect(),
            type_id,
            party: party.as_str().into(),
            parties: PartyCode::ALL
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            zones: ZONES.to_vec(),
        })
    }
    .await;
    page.finish(r)
}

/// Builds the JSON content from the generated form's fields (`f.<name>`, `f.<name>.<part>`).
pub fn content_of(ty: &NotificationType, form: &PageForm) -> serde_json::Value {
    use serde_json::{Value, json};
    let mut out = serde_json::Map::new();
    for f in &ty.fields {
        let key = |part: &str| {
            if part.is_empty() {
                format!("f.{}", f.name)
            } else {
                format!("f.{}.{part}", f.name)
            }
        };
        let v = |part: &str| form.opt(&key(part));
        let value = match &f.kind {
            FieldKind::Integer { .. } => {
                v("").map(|s| match s.replace([',', ' '], "").parse::<i64>() {
                    Ok(n) => json!(n),
                    Err(_) => json!(s),
                })
            }
            FieldKind::Boolean => v("").map(|s| json!(s == "true" || s == "on")),
            FieldKind::Date | FieldKind::Enum { .. } | FieldKind::Text { .. } => {
                v("").map(Value::String)
            }
            FieldKind::DateRange => match (v("start"), v("end")) {
                (None, None) => None,
                (s, e) => Some(json!({"start": s, "end": e})),
            },
            FieldKind::DateTime => v("time").map(|t| json!({"time": t, "zone": v("zone")})),
            FieldKind::TimeWindow => match (v("start"), v("end")) {
                (None, None) => None,
                (s, e) => Some(json!({"start": s, "end": e, "zone": v("zone")})),
            },
            FieldKind::Area => {
                let num = |s: &str| s.trim().parse::<f64>().ok();
                if let Some(poly) = v("polygon") {
                    let pts: Vec<Value> = poly
                        .split([';', '\n'])
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| {
                            let xy: Vec<Option<f64>> = p
                                .split([',', ' '])
                                .filter(|s| !s.is_empty())
                                .map(num)
                                .collect();
                            json!(xy)
                        })
                        .collect();
                    Some(json!({ "polygon": pts }))
                } else if let Some(c) = v("centre") {
                    let xy: Vec<Option<f64>> = c
                        .split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(num)
                        .collect();
                    Some(json!({"centre": xy, "radius_km": v("radius_km").and_then(|r| num(&r))}))
                } else {
                    None
                }
            }
            FieldKind::Parties => {
                let all = form.all(&key(""));
                (!all.is_empty()).then(|| json!(all))
            }
            FieldKind::Attachments => v("").map(|s| {
                json!(
                    s.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| {
                            let mut w = l.split_whitespace();
                            json!({"name": w.next(), "sha256": w.next()})
                        })
                        .collect::<Vec<_>>()
                )
            }),
        };
        if let Some(value) = value {
            out.insert(f.name.clone(), value);
        }
    }
    Value::Object(out)
}

#[derive(Template)]
#[template(path = "notification_check.html")]
struct CheckFragment<'a> {
    ctx: &'a Ctx,
    errors: Vec<(String, String, String)>,
}

/// `POST /notifications/draft`: the form's content as JSON and its field errors; an HTML
/// fragment for htmx (validation as you type), JSON for the signing script.
pub async fn draft(State(state): State<AppState>, headers: HeaderMap, form: PageForm) -> Response {
    let page = &form.page;
    let r = async {
        let loaded = load(&state).await?;
        let type_id = form.get("type");
        let now = state.clock.now();
        let ty = loaded
            .history
            .in_force_at(now)
            .and_then(|v| v.regime.get(&type_id))
            .ok_or_else(|| ApiError::invalid("type", "not a notification type in force"))?;
        let content = content_of(ty, &form);
        let errors: Vec<FieldError> = ty.validate(&content).err().unwrap_or_default();
        if headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json"))
        {
            return Ok(Json(serde_json::json!({
                "type": type_id,
                "content": content.to_string(),
                "valid": errors.is_empty(),
                "errors": errors.iter().map(|e| serde_json::json!({
                    "path": e.path, "rule": e.rule.as_str(), "message": e.message
                })).collect::<Vec<_>>(),
            }))
            .into_response());
        }
        page.render(&CheckFragment {
            ctx: &page.ctx,
            errors: errors
                .iter()
                .map(|e| {
                    (
                        e.path.clone(),
                        e.rule.as_str().to_owned(),
                        e.message.clone(),
                    )
                })
                .collect(),
        })
    }
    .await;
    page.finish(r)
}

// ---- compliance ---------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i16>,
}

/// One party's bar in the chart.
pub struct Bar {
    pub party: String,
    pub y: usize,
    pub text_y: usize,
    /// (status, x, width, count)
    pub parts: Vec<(String, String, String, usize)>,
    pub total: usize,
}

/// One table row.
pub struct Line {
    pub party: String,
    pub type_id: String,
    pub subject: String,
    pub link: Option<String>,
    pub due: String,
    pub status: String,
    pub delay: String,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage<'a> {
    ctx: &'a Ctx,
    year: i16,
    prev: i16,
    next: i16,
    as_of: String,
    bars: Vec<Bar>,
    chart_height: usize,
    lines: Vec<Line>,
    consultations: Vec<(String, String, String, String)>,
    patterns: Vec<String>,
    missing_acks: Vec<(String, String, String)>,
    legend: Vec<&'static str>,
}

/// The chart's groups: a status code → on_time, late, missing or pending.
fn group(code: &str) -> Option<&'static str> {
    Some(match code {
        "on_time" => "on_time",
        "late" | "notified_at_start" | "amended_late" => "late",
        "missing" => "missing",
        "pending" => "pending",
        _ => return None,
    })
}

fn bars(report: &ComplianceReport) -> Vec<Bar> {
    let order = ["on_time", "late", "missing", "pending"];
    let mut counts: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for r in &report.rows {
        if let Some(g) = group(r.status.code()) {
            *counts
                .entry(r.party.clone())
                .or_default()
                .entry(g)
                .or_default() += 1;
        }
    }
    let max = counts
        .values()
        .map(|c| c.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    counts
        .into_iter()
        .enumerate()
        .map(|(i, (party, c))| {
            let mut x = 0.0;
            let mut parts = Vec::new();
            for g in order {
                let n = c.get(g).copied().unwrap_or(0);
                if n == 0 {
                    continue;
                }
                let w = n as f64 / max as f64 * 560.0;
                parts.push((g.to_owned(), format!("{x:.1}"), format!("{w:.1}"), n));
                x += w;
            }
            Bar {
                party,
                y: 10 + i * 34,
                text_y: 10 + i * 34 + 17,
                parts,
                total: c.values().sum(),
            }
        })
        .collect()
}

/// `GET /compliance?year=`.
pub async fn compliance(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<YearQuery>,
) -> Response {
    let r = async {
        let now = state.clock.now();
        let year = q
            .year
            .unwrap_or_else(|| now.to_zoned(page.ctx.tz.clone()).year());
        let rep = report(
            &state,
            &page.caller,
            &ComplianceQuery {
                year,
                party: None,
                as_of: None,
            },
        )
        .await?;
        let bars = bars(&rep);
        let lines = rep
            .rows
            .iter()
            .map(|r| Line {
                party: r.party.clone(),
                type_id: r.type_id.clone(),
                subject: r.subject.clone(),
                link: r
                    .subject
                    .parse::<u64>()
                    .ok()
                    .map(|i| format!("/notifications/{i}"))
                    .or_else(|| {
                        r.subject
                            .strip_prefix("after ")
                            .map(|i| format!("/notifications/{i}"))
                    }),
                due: r.due_local.clone().unwrap_or_default(),
                status: r.status.code().to_owned(),
                delay: r
                    .status
                    .delay_seconds()
                    .map(rsm_regime::render::human_delay)
                    .unwrap_or_default(),
            })
            .collect();
        page.render(&CompliancePage {
            ctx: &page.ctx,
            year,
            prev: year - 1,
            next: year + 1,
            as_of: page.ctx.when(&rep.as_of),
            chart_height: 20 + bars.len() * 34,
            bars,
            lines,
            consultations: rep
                .consultations
                .iter()
                .map(|c| {
                    let state = serde_json::to_value(&c.state)
                        .ok()
                        .and_then(|v| v["state"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    (c.request.clone(), c.from.clone(), c.to.clone(), state)
                })
                .collect(),
            patterns: rep
                .patterns
                .iter()
                .map(|p| {
                    format!(
                        "{} {}: {} × {} < {} ({})",
                        p.party,
                        p.type_id,
                        p.activities.len(),
                        p.field,
                        p.threshold,
                        p.activities
                            .iter()
                            .map(|a| format!("#{} {}", a.notice, a.value))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect(),
            missing_acks: rep
                .acknowledgements
                .iter()
                .filter(|a| !a.missing.is_empty())
                .map(|a| {
                    (
                        a.notification.clone(),
                        format!("{} {}", a.party, a.type_id),
                        a.missing.join(", "),
                    )
                })
                .collect(),
            legend: vec!["on_time", "late", "missing", "pending"],
        })
    }
    .await;
    page.finish(r)
}

// ---- iCalendar feed -----------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct FeedQuery {
    pub token: Option<String>,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), on character boundaries.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in line.chars() {
        let w = c.len_utf8();
        if n + w > 75 {
            out.push_str("\r\n ");
            n = 1;
        }
        out.push(c);
        n += w;
    }
    out.push_str("\r\n");
    out
}

/// `GET /notifications.ics?token=…`: the notified activities the token's account may see,
/// as an iCalendar feed (calendar programs cannot send a bearer header, so the API token
/// travels in the address; use a read-scope token). Without a valid token: 401.
pub async fn ical(State(state): State<AppState>, Query(q): Query<FeedQuery>) -> Response {
    let r: Result<Response, ApiError> = async {
        let token = q
            .token
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| ApiError::SignInRequired("add ?token=<API token>".into()))?;
        let now = state.clock.now();
        let (stored, account) = rsm_store::AccountStore::token_by_hash(
            &state.store,
            &crate::auth::secret_digest(token.trim()),
        )
        .await?
        .filter(|(t, a)| {
            t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now) && !a.disabled
        })
        .ok_or_else(|| ApiError::SignInRequired("the API token is not valid".into()))?;
        let caller = crate::auth::Caller {
            actor: rsm_core::access::Actor::Account {
                id: account.id,
                role: account.role.clone(),
            },
            account: Some(account),
            source: "ical".into(),
            via: crate::auth::Via::Token {
                id: stored.id,
                scope: stored.scope,
            },
        };
        let loaded = load(&state).await?;
        let rows = visible(&state, &caller, &loaded, &NotificationFilter::default()).await?;
        let mut out = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//RSM//Notifications//EN\r\nCALSCALE:GREGORIAN\r\n",
        );
        let stamp = |t: jiff::Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
        for n in rows.iter().filter(|n| n.kind == rsm_store::EntryKind::Original) {
            let ty = type_of(&loaded, &n.type_id);
            let content: serde_json::Value = serde_json::from_str(&n.content).unwrap_or_default();
            let Some(date) = activity_date(ty, &content) else {
                continue;
            };
            let Ok(day) = date.parse::<jiff::civil::Date>() else {
                continue;
            };
            let title = ty.map(|t| t.title.clone()).unwrap_or(n.type_id.clone());
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(&fold(&format!("UID:rsm-notification-{}", n.index)));
            out.push_str(&fold(&format!("DTSTAMP:{}", stamp(n.received_at))));
            out.push_str(&fold(&format!("DTSTART;VALUE=DATE:{}", day.strftime("%Y%m%d"))));
            out.push_str(&fold(&format!(
                "SUMMARY:{}",
                ics_text(&format!("{} · {title}", n.party))
            )));
            out.push_str(&fold(&format!(
                "DESCRIPTION:{}",
                ics_text(&format!(
                    "{} (log #{}; received {})",
                    summary(ty, &content),
                    n.index,
                    n.received_at
                ))
            )));
            out.push_str("END:VEVENT\r\n");
        }
        out.push_str("END:VCALENDAR\r\n");
        Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            out,
        )
            .into_response())
    }
    .await;
    r.unwrap_or_else(IntoResponse::into_response)
}

// ---- map ----------------------------------------------------------------------------

/// The region's coastlines (Natural Earth via `world-atlas`, clipped once; see
/// `assets/map/README.md`).
const LAND: &str = include_str!("../../assets/map/nea-land.json");

/// One notified area on the map.
pub struct Shape {
    pub index: u64,
    pub party: String,
    pub title: String,
    /// `circle` or `polygon`.
    pub kind: String,
    pub cx: String,
    pub cy: String,
    pub rx: String,
    pub ry: String,
    pub points: String,
    pub field: String,
    /// Whether any of it lies inside the map's frame.
    pub shown: bool,
}

#[derive(Template)]
#[template(path = "notifications_map.html")]
struct MapPage<'a> {
    ctx: &'a Ctx,
    width: String,
    height: String,
    land: String,
    shapes: Vec<Shape>,
    parties: Vec<(String, String)>,
    types: Vec<(String, String)>,
    baskets: Vec<String>,
    f_party: String,
    f_type: String,
    f_basket: String,
}

/// `GET /notifications/map`: notified areas (circles and polygons) over the region's
/// coastlines, as SVG drawn on the server; the same filters and visibility as the calendar.
pub async fn map(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let r = async {
        let land: serde_json::Value =
            serde_json::from_str(LAND).map_err(|e| ApiError::internal(&e))?;
        let num = |k: &str| land[k].as_f64().unwrap_or(0.0);
        let (west, north, k) = (num("west"), num("north"), num("px_per_degree"));
        let (width, height) = (num("width"), num("height"));
        let x = |lon: f64| (lon - west) * k;
        let y = |lat: f64| (north - lat) * k;
        let inside = |px: f64, py: f64| (0.0..=width).contains(&px) && (0.0..=height).contains(&py);
        let loaded = load(&state).await?;
        let rows = visible(
            &state,
            &page.caller,
            &loaded,
            &NotificationFilter {
                party: q.party.clone().filter(|p| !p.is_empty()),
                type_id: q.type_id.clone().filter(|t| !t.is_empty()),
                ..Default::default()
            },
        )
        .await?;
        let basket = q.basket.clone().unwrap_or_default();
        let mut shapes = Vec::new();
        for n in rows.iter().filter(|n| {
            matches!(
                n.kind,
                rsm_store::EntryKind::Original | rsm_store::EntryKind::Amends
            )
        }) {
            let Some(ty) = type_of(&loaded, &n.type_id) else {
                continue;
            };
            if !basket.is_empty() && ty.basket.as_str() != basket {
                continue;
            }
            let content: serde_json::Value = serde_json::from_str(&n.content).unwrap_or_default();
            for f in ty.fields.iter().filter(|f| f.kind == FieldKind::Area) {
                let v = &content[&f.name];
                let mut s = Shape {
                    index: n.index,
                    party: n.party.clone(),
                    title: ty.title.clone(),
                    kind: String::new(),
                    cx: String::new(),
                    cy: String::new(),
                    rx: String::new(),
                    ry: String::new(),
                    points: String::new(),
                    field: f.title.clone().unwrap_or(f.name.replace('_', " ")),
                    shown: false,
                };
                if let (Some(c), Some(r)) = (v["centre"].as_array(), v["radius_km"].as_f64()) {
                    let (Some(lon), Some(lat)) = (
                        c.first().and_then(|v| v.as_f64()),
                        c.get(1).and_then(|v| v.as_f64()),
                    ) else {
                        continue;
                    };
                    // A circle on the ground is an ellipse in this projection.
                    let ry = r / 110.57 * k;
                    let rx = r / (111.32 * lat.to_radians().cos().max(0.01)) * k;
                    s.kind = "circle".into();
                    s.cx = format!("{:.1}", x(lon));
                    s.cy = format!("{:.1}", y(lat));
                    s.rx = format!("{rx:.1}");
                    s.ry = format!("{ry:.1}");
                    s.shown = inside(x(lon), y(lat));
                } else if let Some(poly) = v["polygon"].as_array() {
                    let pts: Vec<(f64, f64)> = poly
                        .iter()
                        .filter_map(|p| Some((x(p.get(0)?.as_f64()?), y(p.get(1)?.as_f64()?))))
                        .collect();
                    if pts.len() < 3 {
                        continue;
                    }
                    s.kind = "polygon".into();
                    s.shown = pts.iter().any(|&(px, py)| inside(px, py));
                    s.points = pts
                        .iter()
                        .map(|(px, py)| format!("{px:.1},{py:.1}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                } else {
                    continue;
                }
                shapes.push(s);
            }
        }
        let in_force = loaded
            .history
            .in_force_at(state.clock.now())
            .or_else(|| loaded.history.versions().first());
        page.render(&MapPage {
            ctx: &page.ctx,
            width: format!("{width}"),
            height: format!("{height}"),
            land: land["path"].as_str().unwrap_or("").to_owned(),
            shapes,
            parties: PartyCode::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), page.ctx.party(p.as_str())))
                .collect(),
            types: in_force
                .map(|v| {
                    v.regime
                        .types()
                        .iter()
                        .map(|t| (t.id.to_string(), t.title.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            baskets: vec!["security".into(), "economic".into(), "humanitarian".into()],
            f_party: q.party.clone().unwrap_or_default(),
            f_type: q.type_id.clone().unwrap_or_default(),
            f_basket: basket,
        })
    }
    .await;
    page.finish(r)
}
