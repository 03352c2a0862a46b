//! `/`: the dashboard — my bodies, what is due soon, every party's status today, and the
//! recent entries I may see (body revisions, my own recorded actions).

use askama::Template;
use axum::{extract::State, response::Response};
use rsm_core::{
    access::{Role, visible_bodies},
    body::Body,
    party::PartyCode,
};
use rsm_store::{AuditFilter, AuditStore, BodyStore};

use super::{
    Ctx, Page,
    bodies::{BodyRow, body_row},
    parties::{PartyRow, party_row},
};
use crate::{AppState, error::ApiError};

/// One line of "recent".
pub struct Recent {
    pub when: String,
    pub at: jiff::Timestamp,
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard<'a> {
    ctx: &'a Ctx,
    today: String,
    my_bodies: Vec<BodyRow>,
    parties: Vec<PartyRow>,
    recent: Vec<Recent>,
    /// The Ministerial Council has no meeting within twelve months of its last.
    council_gap: Option<String>,
    /// Open action items of my party (or all, for the secretariat), with links.
    due: Vec<Recent>,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct Welcome<'a> {
    ctx: &'a Ctx,
    parties: Vec<PartyRow>,
}

/// Whether a visible body concerns this role: its party is a member, or the role's own
/// working group; everything for the secretariat.
fn concerns(
    role: &Role,
    body: &Body,
    today: jiff::civil::Date,
    t: &rsm_core::participation::Timeline,
) -> bool {
    match role {
        Role::SecretariatAdmin | Role::SecretariatOfficer => true,
        Role::WorkingGroupMember(_, b) => *b == body.id,
        Role::Delegate(p) | Role::Auditor(p) | Role::FocalPoint(p) => body.has_member(*p, today, t),
    }
}

/// `GET /`.
pub async fn dashboard(State(state): State<AppState>, page: Page) -> Response {
    let r = render(&state, &page).await;
    page.finish(r)
}

async fn render(state: &AppState, page: &Page) -> Result<Response, ApiError> {
    let (today, timeline) = state.today_and_timeline().await?;
    let parties: Vec<PartyRow> = PartyCode::ALL
        .into_iter()
        .map(|p| party_row(&page.ctx, &timeline, p, today))
        .collect();
    let Some(account) = page.caller.account.as_ref() else {
        return page.render(&Welcome {
            ctx: &page.ctx,
            parties,
        });
    };
    let bodies = state.store.bodies().await?;
    let visible = visible_bodies(&page.caller.actor, &bodies, today, &timeline);
    if visible
        .iter()
        .any(|b| b.visibility == rsm_core::body::Visibility::Restricted)
    {
        // Restricted names are restricted data: their reads are audited, as the API's list.
        state
            .store
            .record_audit(
                &page.caller.attribution(state.clock.now()),
                "body.list",
                "dashboard",
                "dashboard included restricted bodies",
            )
            .await?;
    }
    let mut my_bodies = Vec::new();
    let mut recent = Vec::new();
    for body in &visible {
        let Some(rev) = state.store.body(&body.id).await? else {
            continue;
        };
        if concerns(&account.role, body, today, &timeline) {
            my_bodies.push(body_row(&page.ctx, &rev.body, today, &timeline));
        }
        recent.push(Recent {
            when: page.ctx.when(&rev.changed_at),
            at: rev.changed_at,
            text: page.ctx.lang.t_args(
                "recent-revision",
                &[
                    ("body", rev.body.name.as_str()),
                    ("revision", rev.revision.to_string().as_str()),
                    ("reason", rev.reason.as_str()),
                ],
            ),
            href: Some(format!("/bodies/{}", rev.body.id)),
        });
    }
    // My own recorded actions; a body named in one is shown only while I may see it.
    let mine = state
        .store
        .list_audit(&AuditFilter {
            actor: Some(account.username.clone()),
            limit: 40,
            ..AuditFilter::default()
        })
        .await?;
    for e in mine {
        // Reads are audited but are not news.
        if e.action == "body.read" || e.action == "body.list" {
            continue;
        }
        if let Some(id) = e.target.strip_prefix("body:")
            && !visible.iter().any(|b| b.id.as_str() == id)
        {
            continue;
        }
        recent.push(Recent {
            when: page.ctx.when(&e.at),
            at: e.at,
            text: page
                .ctx
                .t1("recent-mine", "action", &page.ctx.action_label(&e.action)),
            href: None,
        });
    }
    recent.sort_by_key(|r| std::cmp::Reverse(r.at));
    recent.truncate(10);
    let now = state.clock.now();
    let meetings = crate::api::meetings::visible_meetings(state, &page.caller.actor).await?;
    let council_gap = crate::api::meetings::council_gap(&meetings, now).map(|g| {
        page.ctx
            .t1("dash-council-gap", "date", &g.last_held.date().to_string())
    });
    let mine = account.role.party().map(|p| p.as_str().to_owned());
    let mut due: Vec<Recent> = crate::api::decisions::visible_actions(state, &page.caller.actor)
        .await?
        .into_iter()
        .filter(|a| a.status != "done")
        .filter(|a| page.ctx.is_secretariat() || mine.as_deref() == Some(a.owner.as_str()))
        .map(|a| Recent {
            when: a.due.clone(),
            at: now,
            text: page.ctx.lang.t_args(
                "dash-action",
                &[
                    ("title", a.title.as_str()),
                    ("date", a.due.as_str()),
                    ("owner", a.owner.as_str()),
                ],
            ),
            href: a.meeting.map(|m| format!("/meetings/{m}")),
        })
        .collect();
    due.extend(super::cases::dashboard_reminders(state, page).await?);
    page.render(&Dashboard {
        ctx: &page.ctx,
        today: today.to_string(),
        my_bodies,
        parties,
        recent,
        council_gap,
        due,
    })
}
