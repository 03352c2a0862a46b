//! The compliance engine: from the regime history, participation, bodies and the events
//! the server received, the table of obligations per party and type for a year, as seen
//! at an "as of" instant; near-threshold patterns; consultations; missing acknowledgements.
//!
//! Everything is computed when read from the events' received instants and `as_of`: no
//! background job has to run for a deadline state to be right. Events received after
//! `as_of` are ignored, so a past table can be recomputed exactly. The result does not
//! depend on the order of the input events.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};
use rsm_core::{body::Body, participation::Timeline, party::PartyCode};
use serde::Serialize;

use crate::{
    history::{RegimeHistory, RegimeVersion},
    notice::Notice,
    regime::{Deadline, DeadlineZone, Distribution, Lead, NotificationType, Owers, Threshold},
    zone::capital_zone,
};

/// A notification as logged: who sent it, when the server received it, what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The log id of the entry.
    pub id: String,
    pub party: PartyCode,
    pub type_id: String,
    pub received: Timestamp,
    pub kind: SubmissionKind,
}

/// An original notice, an amendment of an earlier one, or a cancellation.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmissionKind {
    Original(Notice),
    /// Replaces the content of the notice `of` (an original or an earlier amendment).
    Amends {
        of: String,
        notice: Notice,
    },
    Cancels {
        of: String,
    },
}

/// A request for clarification of an unusual activity, from one party to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: String,
    pub from: PartyCode,
    pub to: PartyCode,
    /// What it is about (free reference, e.g. a notification id), if anything.
    pub about: Option<String>,
    pub received: Timestamp,
}

/// A reply to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: String,
    pub request: String,
    pub from: PartyCode,
    pub received: Timestamp,
}

/// A party's acknowledgement of receipt of a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    pub party: PartyCode,
    pub of: String,
    pub received: Timestamp,
}

/// One event the server received.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Submitted(Submission),
    Request(Request),
    Reply(Reply),
    Ack(Ack),
}

impl Event {
    pub fn received(&self) -> Timestamp {
        match self {
            Self::Submitted(s) => s.received,
            Self::Request(r) => r.received,
            Self::Reply(r) => r.received,
            Self::Ack(a) => a.received,
        }
    }

    /// A total order key: received instant, then kind, then ids.
    fn sort_key(&self) -> (Timestamp, u8, String, String) {
        match self {
            Self::Submitted(s) => (s.received, 0, s.id.clone(), String::new()),
            Self::Request(r) => (r.received, 1, r.id.clone(), String::new()),
            Self::Reply(r) => (r.received, 2, r.id.clone(), String::new()),
            Self::Ack(a) => (a.received, 3, a.of.clone(), a.party.to_string()),
        }
    }
}

/// Tunable parts of the analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceOptions {
    /// A value counts as near a threshold when within this many percent below it.
    pub near_margin_percent: u32,
    /// How many near-threshold activities of one party in a year make a pattern.
    pub near_min_count: usize,
}

impl Default for ComplianceOptions {
    fn default() -> Self {
        Self {
            near_margin_percent: 10,
            near_min_count: 2,
        }
    }
}

/// What the engine reads besides the events.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub history: &'a RegimeHistory,
    pub timeline: &'a Timeline,
    /// Bodies, for `owed_by = "body:…"` and `distribution = "body:…"`.
    pub bodies: &'a [Body],
}

/// Why a notice is recorded as voluntary rather than judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoluntaryReason {
    /// The type is voluntary in the regime in force.
    VoluntaryType,
    /// No condition of the threshold is met.
    BelowThreshold,
    /// The party did not owe it on the deadline day (not participating, or not a member).
    NotOwed,
    /// The type has no deadline.
    NoDeadline,
    /// The regime in force when it was due has no such type.
    NotInRegime,
    /// An annual notice that covers no obligation of the year (e.g. the wrong year).
    NoMatchingObligation,
}

/// The status of one obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    OnTime,
    Late {
        by_seconds: i64,
    },
    /// The deadline has passed and nothing was received.
    Missing,
    /// Not yet due, nothing received yet.
    Pending,
    /// Received at or after the start of the activity it announces.
    NotifiedAtStart {
        after_start_seconds: i64,
    },
    /// Received on time, but amended after the deadline.
    AmendedLate {
        by_seconds: i64,
    },
    Voluntary {
        reason: VoluntaryReason,
    },
    Cancelled,
}

impl Status {
    /// The status code used in CSV.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OnTime => "on_time",
            Self::Late { .. } => "late",
            Self::Missing => "missing",
            Self::Pending => "pending",
            Self::NotifiedAtStart { .. } => "notified_at_start",
            Self::AmendedLate { .. } => "amended_late",
            Self::Voluntary { .. } => "voluntary",
            Self::Cancelled => "cancelled",
        }
    }

    /// The delay in seconds for late, notified-at-start and amended-late statuses.
    pub fn delay_seconds(&self) -> Option<i64> {
        match *self {
            Self::Late { by_seconds } | Self::AmendedLate { by_seconds } => Some(by_seconds),
            Self::NotifiedAtStart {
                after_start_seconds,
            } => Some(after_start_seconds),
            _ => None,
        }
    }
}

/// One row of the compliance table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationRow {
    pub party: String,
    pub type_id: String,
    pub basket: String,
    /// `year 2028` for annual obligations (the year the notice covers), else the notice id.
    pub subject: String,
    /// The version of the regime the obligation is judged under.
    pub regime_version: Option<String>,
    pub due: Option<Timestamp>,
    /// The deadline in its own zone, e.g. `2027-12-16T00:00 Asia/Seoul`.
    pub due_local: Option<String>,
    /// When the notice that counts (the original) was received.
    pub received: Option<Timestamp>,
    #[serde(flatten)]
    pub status: Status,
    /// Log ids involved: originals, amendments and cancellations, in order received.
    pub notices: Vec<String>,
    /// The restricted body the type is distributed to, if any: only its members may see
    /// this row (see [`ComplianceReport::visible_to`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_to: Option<String>,
}

/// One near-threshold activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearMiss {
    pub notice: String,
    pub value: i64,
}

/// Repeated activities of one party just under one threshold in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearThresholdPattern {
    pub party: String,
    pub type_id: String,
    pub field: String,
    pub threshold: i64,
    pub margin_percent: u32,
    pub activities: Vec<NearMiss>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_to: Option<String>,
}

/// The state of a consultation, computed from the clock when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConsultState {
    AwaitingReply,
    AnsweredOnTime,
    AnsweredLate {
        by_seconds: i64,
        /// The escalation step that was due when the reply came, if any.
        escalation_reached: Option<String>,
    },
    /// No reply; the escalation step now due. `step_overdue` once the last step's time passed.
    Escalated {
        step: String,
        step_due: Timestamp,
        step_overdue: bool,
    },
    /// No reply and the regime defines no escalation.
    Unanswered {
        overdue_seconds: i64,
    },
    /// The regime in force defines no reply deadline.
    NoRule,
}

/// One request for clarification and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationRow {
    pub request: String,
    pub from: String,
    pub to: String,
    pub about: Option<String>,
    pub received: Timestamp,
    pub reply_due: Option<Timestamp>,
    pub reply: Option<String>,
    pub replied: Option<Timestamp>,
    #[serde(flatten)]
    pub state: ConsultState,
}

/// Who was entitled to a notification and who has acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AckRow {
    pub notification: String,
    pub party: String,
    pub type_id: String,
    pub received: Timestamp,
    pub entitled: Vec<String>,
    pub acknowledged: Vec<String>,
    pub missing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_to: Option<String>,
}

/// An event that could not be applied as it stands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    pub event: String,
    pub problem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_to: Option<String>,
}

/// The whole result for one year as of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceReport {
    pub regime: String,
    pub year: i16,
    pub as_of: Timestamp,
    pub rows: Vec<ObligationRow>,
    pub patterns: Vec<NearThresholdPattern>,
    pub consultations: Vec<ConsultationRow>,
    pub acknowledgements: Vec<AckRow>,
    pub anomalies: Vec<Anomaly>,
}

impl ComplianceReport {
    /// The report as `viewer` may see it: rows, patterns, acknowledgements and anomalies of
    /// types distributed to a restricted body are kept only for the body's members.
    /// `None` is the public, which sees nothing restricted. Consultations are kept: a missed
    /// reply must be visible to all.
    pub fn visible_to(&self, viewer: Option<PartyCode>, bodies: &[Body]) -> Self {
        let may_see = |restricted: &Option<String>| match restricted {
            None => true,
            Some(id) => viewer.is_some_and(|p| {
                bodies
                    .iter()
                    .any(|b| b.id.as_str() == id && b.names_member(p))
            }),
        };
        let mut out = self.clone();
        out.rows.retain(|r| may_see(&r.restricted_to));
        out.patterns.retain(|p| may_see(&p.restricted_to));
        out.acknowledgements.retain(|a| may_see(&a.restricted_to));
        out.anomalies.retain(|a| may_see(&a.restricted_to));
        out
    }
}

// ---- deadlines ----------------------------------------------------------------------

/// A computed deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub at: Timestamp,
    pub zone: TimeZone,
    /// The activity's start, for `before_start` rules.
    pub start: Option<Timestamp>,
}

impl Due {
    /// The last day on which the obligation can be met, in the deadline's zone.
    pub fn day(&self) -> Date {
        let last = self
            .at
            .checked_sub(SignedDuration::from_secs(1))
            .unwrap_or(self.at);
        last.to_zoned(self.zone.clone()).date()
    }

    /// The deadline in its zone; a deadline at midnight reads as 24:00 of the day before,
    /// e.g. `2027-12-15 24:00 Asia/Seoul`.
    pub fn local(&self) -> String {
        let z = self.at.to_zoned(self.zone.clone());
        let zone = self.zone.iana_name().unwrap_or("UTC");
        let dt = z.datetime();
        if dt.time() == jiff::civil::Time::midnight()
            && let Ok(day) = dt.date().yesterday()
        {
            return format!("{day} 24:00 {zone}");
        }
        format!("{} {zone}", dt.strftime("%Y-%m-%d %H:%M:%S"))
    }
}

fn day_end(date: Date, tz: &TimeZone) -> Option<Timestamp> {
    let next = date.tomorrow().ok()?;
    next.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

fn zone_for(zone: &DeadlineZone, party: PartyCode, activity: Option<&TimeZone>) -> TimeZone {
    match zone {
        DeadlineZone::Party => capital_zone(party).unwrap_or(TimeZone::UTC),
        DeadlineZone::Activity => activity.cloned().unwrap_or(TimeZone::UTC),
        DeadlineZone::Fixed(tz) => tz.clone(),
    }
}

/// The deadline of a notice of `ty` from `party` with content `notice`, for per-notice
/// rules (`before_start`, `after_event`). `None` for other rules or missing fields.
pub fn notice_due(ty: &NotificationType, party: PartyCode, notice: &Notice) -> Option<Due> {
    match &ty.deadline {
        Deadline::BeforeStart { lead, start, zone } => {
            let value = notice.get(start)?;
            let activity_zone = value.start_zoned().map(|z| z.time_zone().clone());
            let tz = zone_for(zone, party, activity_zone.as_ref());
            let start_at = value.start_instant(&tz)?;
            let at = match lead {
                Lead::Days(n) => {
                    let start_day = match value.start_zoned() {
                        Some(z) => z.timestamp().to_zoned(tz.clone()).date(),
                        None => value.start_date()?,
                    };
                    let last = start_day.checked_sub(jiff::Span::new().days(*n)).ok()?;
                    day_end(last, &tz)?
                }
                Lead::Hours(n) => start_at.checked_sub(SignedDuration::from_hours(*n)).ok()?,
            };
            Some(Due {
                at,
                zone: tz,
                start: Some(start_at),
            })
        }
        Deadline::AfterEvent { hours, event, .. } => {
            let value = notice.get(event)?;
            let z = value.start_zoned()?;
            let at = z
                .timestamp()
                .checked_add(SignedDuration::from_hours(*hours))
                .ok()?;
            Some(Due {
                at,
                zone: z.time_zone().clone(),
                start: None,
            })
        }
        _ => None,
    }
}

/// The deadline of an annual obligation of `party` for notices due in `year`.
pub fn annual_due(ty: &NotificationType, party: PartyCode, year: i16) -> Option<Due> {
    let Deadline::Annual {
        month, day, zone, ..
    } = &ty.deadline
    else {
        return None;
    };
    let first = Date::new(year, *month, 1).ok()?;
    // 29 February falls back to 28 February in common years.
    let d = Date::new(year, *month, (*day).min(first.days_in_month())).ok()?;
    let tz = zone_for(zone, party, None);
    Some(Due {
        at: day_end(d, &tz)?,
        zone: tz,
        start: None,
    })
}

fn threshold_met(t: &Threshold, n: &Notice) -> bool {
    t.any.iter().any(|c| {
        let applies = c.when.as_ref().is_none_or(|w| {
            n.get(&w.field)
                .and_then(|v| v.as_enum())
                .is_some_and(|v| w.any_of.iter().any(|x| x == v))
        });
        applies && n.integer(&c.field).is_some_and(|v| v >= c.at_least)
    })
}

fn secs(d: SignedDuration) -> i64 {
    d.as_secs()
}

// ---- the engine ---------------------------------------------------------------------

struct Chain<'e> {
    root: &'e Submission,
    amendments: Vec<&'e Submission>,
    cancel: Option<&'e Submission>,
}

impl Chain<'_> {
    fn notice(&self) -> Option<&Notice> {
        let last = self.amendments.last().copied().unwrap_or(self.root);
        match &last.kind {
            SubmissionKind::Original(n) | SubmissionKind::Amends { notice: n, .. } => Some(n),
            SubmissionKind::Cancels { .. } => None,
        }
    }
    fn ids(&self) -> Vec<String> {
        let mut all: Vec<&Submission> = vec![self.root];
        all.extend(self.amendments.iter().copied());
        all.extend(self.cancel);
        all.sort_by_key(|s| (s.received, s.id.clone()));
        all.into_iter().map(|s| s.id.clone()).collect()
    }
    fn first_amendment_after(&self, due: Timestamp) -> Option<&Submission> {
        self.amendments.iter().copied().find(|a| a.received > due)
    }
}

struct Engine<'a> {
    ctx: Context<'a>,
    anomalies: BTreeSet<Anomaly>,
}

impl<'a> Engine<'a> {
    fn anomaly(&mut self, event: &str, problem: String) {
        self.anomalies.insert(Anomaly {
            event: event.to_owned(),
            problem,
            restricted_to: None,
        });
    }

    fn body(&mut self, id: &str, event: &str) -> Option<&'a Body> {
        let b = self.ctx.bodies.iter().find(|b| b.id.as_str() == id);
        if b.is_none() {
            self.anomaly(
                event,
                format!("the regime names body `{id}`, which is unknown"),
            );
        }
        b
    }

    fn owes(&mut self, ty: &NotificationType, party: PartyCode, day: Date, event: &str) -> bool {
        if !self.ctx.timeline.is_participating(party, day) {
            return false;
        }
        match &ty.owed_by {
            Owers::AllParticipating => true,
            Owers::BodyMembers(id) => self
                .body(id.as_str(), event)
                .is_some_and(|b| b.has_member(party, day, self.ctx.timeline)),
        }
    }

    fn version_for_notice(
        &self,
        type_id: &str,
        party: PartyCode,
        received: Timestamp,
        notice: &Notice,
    ) -> Option<(&'a RegimeVersion, Option<Due>)> {
        let history = self.ctx.history;
        let v0 = history
            .in_force_at(received)
            .or_else(|| history.versions().first())?;
        let due0 = v0
            .regime
            .get(type_id)
            .and_then(|t| notice_due(t, party, notice));
        let Some(d0) = due0 else {
            return Some((v0, None));
        };
        let v = history.in_force_at(d0.at).unwrap_or(v0);
        if std::ptr::eq(v, v0) {
            return Some((v0, Some(d0)));
        }
        let due = v
            .regime
            .get(type_id)
            .and_then(|t| notice_due(t, party, notice));
        Some((v, due))
    }
}

/// Computes the compliance report for `year` as seen at `as_of`.
pub fn compute(
    ctx: Context<'_>,
    events: &[Event],
    year: i16,
    as_of: Timestamp,
    options: &ComplianceOptions,
) -> ComplianceReport {
    let mut engine = Engine {
        ctx,
        anomalies: BTreeSet::new(),
    };
    let mut events: Vec<&Event> = events.iter().filter(|e| e.received() <= as_of).collect();
    events.sort_by_key(|e| e.sort_key());

    // Submissions into chains.
    let mut root_of: BTreeMap<String, String> = BTreeMap::new();
    let mut chains: BTreeMap<String, Chain<'_>> = BTreeMap::new();
    let mut requests: BTreeMap<String, &Request> = BTreeMap::new();
    let mut replies: Vec<&Reply> = Vec::new();
    let mut acks: Vec<&Ack> = Vec::new();
    let mut submissions: Vec<&Submission> = Vec::new();
    for e in &events {
        match e {
            Event::Submitted(s) => {
                if root_of.contains_key(&s.id) || requests.contains_key(&s.id) {
                    engine.anomaly(
                        &s.id,
                        "duplicate event id; the later event is ignored".into(),
                    );
                    continue;
                }
                match &s.kind {
                    SubmissionKind::Original(_) => {
                        root_of.insert(s.id.clone(), s.id.clone());
                        chains.insert(
                            s.id.clone(),
                            Chain {
                                root: s,
                                amendments: Vec::new(),
                                cancel: None,
                            },
                        );
                    }
                    SubmissionKind::Amends { of, .. } | SubmissionKind::Cancels { of } => {
                        let Some(root) = root_of.get(of).cloned() else {
                            engine.anomaly(
                                &s.id,
                                format!("refers to `{of}`, which was not received before it"),
                            );
                            continue;
                        };
                        let chain = chains.get_mut(&root).expect("roots have chains");
                        if chain.root.party != s.party {
                            engine.anomaly(
                                &s.id,
                                format!(
                                    "{} may not amend or cancel `{of}`, sent by {}",
                                    s.party, chain.root.party
                                ),
                            );
                            continue;
                        }
                        if chain.root.type_id != s.type_id {
                            engine.anomaly(
                                &s.id,
                                format!(
                                    "type `{}` differs from `{of}`'s type `{}`",
                                    s.type_id, chain.root.type_id
                                ),
                            );
                            continue;
                        }
                        if chain.cancel.is_some() {
                            engine.anomaly(&s.id, format!("`{of}` was already cancelled"));
                            continue;
                        }
                        root_of.insert(s.id.clone(), root);
                        if matches!(s.kind, SubmissionKind::Cancels { .. }) {
                            chain.cancel = Some(s);
                        } else {
                            chain.amendments.push(s);
                        }
                    }
                }
                submissions.push(s);
            }
            Event::Request(r) => {
                if root_of.contains_key(&r.id) || requests.contains_key(&r.id) {
                    engine.anomaly(
                        &r.id,
                        "duplicate event id; the later event is ignored".into(),
                    );
                    continue;
                }
                requests.insert(r.id.clone(), r);
            }
            Event::Reply(r) => replies.push(r),
            Event::Ack(a) => acks.push(a),
        }
    }

    let mut rows = Vec::new();
    let mut near: BTreeMap<(String, String, String, i64), Vec<NearMiss>> = BTreeMap::new();

    // Per-notice obligations and voluntary notices.
    let mut annual_chains: Vec<&Chain<'_>> = Vec::new();
    for chain in chains.values() {
        let root = chain.root;
        let Some(notice) = chain.notice() else {
            continue;
        };
        let party = root.party;
        let Some((version, due)) =
            engine.version_for_notice(&root.type_id, party, root.received, notice)
        else {
            engine.anomaly(&root.id, "no regime version exists".into());
            continue;
        };
        let Some(ty) = version.regime.get(&root.type_id) else {
            if ctx
                .history
                .versions()
                .iter()
                .all(|v| v.regime.get(&root.type_id).is_none())
            {
                engine.anomaly(
                    &root.id,
                    format!("type `{}` is in no version of the regime", root.type_id),
                );
            }
            if root.received.to_zoned(TimeZone::UTC).year() == year {
                rows.push(row(
                    party,
                    &root.type_id,
                    "",
                    root.id.clone(),
                    Some(version),
                    None,
                    Some(root.received),
                    Status::Voluntary {
                        reason: VoluntaryReason::NotInRegime,
                    },
                    chain.ids(),
                ));
            }
            continue;
        };
        let basket = ty.basket.as_str();
        match &ty.deadline {
            Deadline::Annual { .. } => {
                annual_chains.push(chain);
                continue;
            }
            Deadline::AfterRequest { .. } => continue,
            Deadline::None => {
                if root.received.to_zoned(TimeZone::UTC).year() == year {
                    rows.push(row(
                        party,
                        &root.type_id,
                        basket,
                        root.id.clone(),
                        Some(version),
                        None,
                        Some(root.received),
                        if chain.cancel.is_some() {
                            Status::Cancelled
                        } else {
                            Status::Voluntary {
                                reason: VoluntaryReason::NoDeadline,
                            }
                        },
                        chain.ids(),
                    ));
                }
                continue;
            }
            Deadline::BeforeStart { .. } | Deadline::AfterEvent { .. } => {}
        }
        let Some(due) = due else {
            engine.anomaly(
                &root.id,
                "its deadline cannot be computed from its content".into(),
            );
            continue;
        };
        if due.day().year() != year {
            continue;
        }
        let below = ty
            .threshold
            .as_ref()
            .is_some_and(|t| !threshold_met(t, notice));
        let status = if chain.cancel.is_some() {
            Status::Cancelled
        } else if ty.voluntary {
            Status::Voluntary {
                reason: VoluntaryReason::VoluntaryType,
            }
        } else if below {
            Status::Voluntary {
                reason: VoluntaryReason::BelowThreshold,
            }
        } else if !engine.owes(ty, party, due.day(), &root.id) {
            Status::Voluntary {
                reason: VoluntaryReason::NotOwed,
            }
        } else {
            judge(root.received, &due, chain)
        };
        if below
            && chain.cancel.is_none()
            && let Some(t) = &ty.threshold
        {
            for c in &t.any {
                let applies = c.when.as_ref().is_none_or(|w| {
                    notice
                        .get(&w.field)
                        .and_then(|v| v.as_enum())
                        .is_some_and(|v| w.any_of.iter().any(|x| x == v))
                });
                let Some(v) = notice.integer(&c.field) else {
                    continue;
                };
                let lower =
                    i128::from(c.at_least) * i128::from(100 - options.near_margin_percent.min(100));
                if applies && v < c.at_least && i128::from(v) * 100 >= lower {
                    near.entry((
                        party.to_string(),
                        root.type_id.clone(),
                        c.field.clone(),
                        c.at_least,
                    ))
                    .or_default()
                    .push(NearMiss {
                        notice: root.id.clone(),
                        value: v,
                    });
                }
            }
        }
        rows.push(row(
            party,
            &root.type_id,
            basket,
            root.id.clone(),
            Some(version),
            Some(&due),
            Some(root.received),
            status,
            chain.ids(),
        ));
    }

    // Follow-up obligations: a notice owed after each notice of another type (a post-launch
    // report after each pre-notification). Shown only while unanswered: once a follow-up
    // names the notice, the follow-up's own row shows its timeliness.
    for chain in chains.values() {
        let root = chain.root;
        let Some(notice) = chain.notice() else {
            continue;
        };
        if chain.cancel.is_some() {
            continue;
        }
        let Some(v0) = ctx
            .history
            .in_force_at(root.received)
            .or_else(|| ctx.history.versions().first())
        else {
            continue;
        };
        let Some(pred) = v0.regime.get(&root.type_id) else {
            continue;
        };
        if pred.voluntary
            || pred
                .threshold
                .as_ref()
                .is_some_and(|t| !threshold_met(t, notice))
        {
            continue;
        }
        for candidate in v0.regime.types() {
            let Deadline::AfterEvent {
                hours,
                follows: Some(f),
                ..
            } = &candidate.deadline
            else {
                continue;
            };
            if f.type_id != root.type_id {
                continue;
            }
            let Some(end) = notice.get(&f.field).and_then(|v| v.end_zoned()) else {
                continue;
            };
            let Ok(at) = end
                .timestamp()
                .checked_add(SignedDuration::from_hours(*hours))
            else {
                continue;
            };
            let due = Due {
                at,
                zone: end.time_zone().clone(),
                start: None,
            };
            if due.day().year() != year {
                continue;
            }
            // Judged under the version in force when due, if it still has the rule.
            let (version, ty) = match ctx.history.in_force_at(due.at).and_then(|v| {
                v.regime
                    .get(candidate.id.as_str())
                    .filter(|t| {
                        matches!(&t.deadline, Deadline::AfterEvent { follows: Some(g), .. } if g == f)
                    })
                    .map(|t| (v, t))
            }) {
                Some(found) => found,
                None if ctx.history.in_force_at(due.at).is_none() => (v0, candidate),
                None => continue,
            };
            if ty.voluntary || !engine.owes(ty, root.party, due.day(), &root.id) {
                continue;
            }
            let ids = chain.ids();
            let answered = chains.values().any(|c| {
                c.root.party == root.party
                    && c.root.type_id == ty.id.as_str()
                    && c.cancel.is_none()
                    && c.notice()
                        .and_then(|n| n.get(&f.reference))
                        .and_then(|v| v.as_text())
                        .is_some_and(|r| ids.iter().any(|id| id == r.trim()))
            });
            if answered {
                continue;
            }
            rows.push(row(
                root.party,
                ty.id.as_str(),
                ty.basket.as_str(),
                format!("after {}", root.id),
                Some(version),
                Some(&due),
                None,
                if as_of > due.at {
                    Status::Missing
                } else {
                    Status::Pending
                },
                Vec::new(),
            ));
        }
    }

    // Annual obligations: one per party and annual type, judged under the version in force
    // at the party's own deadline.
    let mut annual: BTreeMap<(PartyCode, String), (&RegimeVersion, &NotificationType, Due)> =
        BTreeMap::new();
    for v in ctx.history.versions() {
        for ty in v.regime.types() {
            if !matches!(ty.deadline, Deadline::Annual { .. }) {
                continue;
            }
            for party in PartyCode::ALL {
                let Some(due) = annual_due(ty, party, year) else {
                    continue;
                };
                if ctx
                    .history
                    .in_force_at(due.at)
                    .is_some_and(|f| std::ptr::eq(f, v))
                {
                    annual.insert((party, ty.id.as_str().to_owned()), (v, ty, due));
                }
            }
        }
    }
    let mut used: BTreeSet<String> = BTreeSet::new();
    for ((party, type_id), (version, ty, due)) in &annual {
        let Deadline::Annual {
            for_next_year,
            year_field,
            ..
        } = &ty.deadline
        else {
            continue;
        };
        let covers = i64::from(year) + i64::from(*for_next_year);
        let mut matching: Vec<&Chain<'_>> = annual_chains
            .iter()
            .copied()
            .filter(|c| {
                c.root.party == *party
                    && &c.root.type_id == type_id
                    && c.notice().and_then(|n| n.integer(year_field)) == Some(covers)
            })
            .collect();
        // The first notice received is the one that counts.
        matching.sort_by_key(|c| (c.root.received, c.root.id.clone()));
        let subject = format!("year {covers}");
        let owed = !ty.voluntary && engine.owes(ty, *party, due.day(), type_id);
        if !owed {
            for c in &matching {
                used.insert(c.root.id.clone());
                rows.push(row(
                    *party,
                    type_id,
                    ty.basket.as_str(),
                    subject.clone(),
                    Some(version),
                    Some(due),
                    Some(c.root.received),
                    if c.cancel.is_some() {
                        Status::Cancelled
                    } else if ty.voluntary {
                        Status::Voluntary {
                            reason: VoluntaryReason::VoluntaryType,
                        }
                    } else {
                        Status::Voluntary {
                            reason: VoluntaryReason::NotOwed,
                        }
                    },
                    c.ids(),
                ));
            }
            continue;
        }
        let ids: Vec<String> = matching.iter().flat_map(|c| c.ids()).collect();
        for c in &matching {
            used.insert(c.root.id.clone());
        }
        let counting = matching.iter().find(|c| c.cancel.is_none());
        let (status, received) = match counting {
            Some(c) => (judge(c.root.received, due, c), Some(c.root.received)),
            None if as_of > due.at => (Status::Missing, None),
            None => (Status::Pending, None),
        };
        rows.push(row(
            *party,
            type_id,
            ty.basket.as_str(),
            subject,
            Some(version),
            Some(due),
            received,
            status,
            ids,
        ));
    }
    for c in annual_chains {
        if used.contains(&c.root.id) {
            continue;
        }
        // An annual notice that covers no obligation of this year: shown in the year it
        // was received, as voluntary, so that nothing received is invisible.
        if c.root.received.to_zoned(TimeZone::UTC).year() == year {
            let basket = ctx
                .history
                .in_force_at(c.root.received)
                .and_then(|v| v.regime.get(&c.root.type_id))
                .map_or("", |t| t.basket.as_str());
            rows.push(row(
                c.root.party,
                &c.root.type_id,
                basket,
                c.root.id.clone(),
                ctx.history.in_force_at(c.root.received),
                None,
                Some(c.root.received),
                if c.cancel.is_some() {
                    Status::Cancelled
                } else {
                    Status::Voluntary {
                        reason: VoluntaryReason::NoMatchingObligation,
                    }
                },
                c.ids(),
            ));
        }
    }
    rows.sort_by(|a, b| {
        (&a.party, &a.type_id, a.due, &a.subject).cmp(&(&b.party, &b.type_id, b.due, &b.subject))
    });

    let patterns: Vec<NearThresholdPattern> = near
        .into_iter()
        .filter(|(_, v)| v.len() >= options.near_min_count.max(1))
        .map(
            |((party, type_id, field, threshold), activities)| NearThresholdPattern {
                party,
                type_id,
                field,
                threshold,
                margin_percent: options.near_margin_percent,
                activities,
                restricted_to: None,
            },
        )
        .collect();

    let consultations = consultations(&mut engine, &requests, &replies, year, as_of);
    let acknowledgements = acknowledgements(&mut engine, &submissions, &acks, &root_of, year);

    // Mark everything about restricted types, so that views can conceal it. A type counts
    // as restricted if any version distributes it to a body: concealment errs on the safe side.
    let restricted: BTreeMap<&str, String> = ctx
        .history
        .versions()
        .iter()
        .flat_map(|v| v.regime.types())
        .filter_map(|t| match &t.distribution {
            Distribution::Body(b) => Some((t.id.as_str(), b.as_str().to_owned())),
            _ => None,
        })
        .collect();
    let type_of: BTreeMap<&str, &str> = submissions
        .iter()
        .map(|s| (s.id.as_str(), s.type_id.as_str()))
        .collect();
    let restricted_event = |event: &str| -> Option<String> {
        let id = event
            .strip_prefix("ack:")
            .and_then(|rest| rest.split_once(':'))
            .map_or(event, |(_, of)| of);
        type_of.get(id).and_then(|t| restricted.get(t)).cloned()
    };
    for r in &mut rows {
        r.restricted_to = restricted.get(r.type_id.as_str()).cloned();
    }
    let mut patterns = patterns;
    for p in &mut patterns {
        p.restricted_to = restricted.get(p.type_id.as_str()).cloned();
    }
    let mut acknowledgements = acknowledgements;
    for a in &mut acknowledgements {
        a.restricted_to = restricted.get(a.type_id.as_str()).cloned();
    }
    let anomalies = engine
        .anomalies
        .into_iter()
        .map(|mut a| {
            a.restricted_to = restricted_event(&a.event);
            a
        })
        .collect();

    ComplianceReport {
        regime: ctx
            .history
            .versions()
            .first()
            .map(|v| v.regime.id.clone())
            .unwrap_or_default(),
        year,
        as_of,
        rows,
        patterns,
        consultations,
        acknowledgements,
        anomalies,
    }
}

fn judge(received: Timestamp, due: &Due, chain: &Chain<'_>) -> Status {
    if let Some(start) = due.start
        && received >= start
    {
        return Status::NotifiedAtStart {
            after_start_seconds: secs(received.duration_since(start)),
        };
    }
    if received > due.at {
        return Status::Late {
            by_seconds: secs(received.duration_since(due.at)),
        };
    }
    match chain.first_amendment_after(due.at) {
        Some(a) => Status::AmendedLate {
            by_seconds: secs(a.received.duration_since(due.at)),
        },
        None => Status::OnTime,
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    party: PartyCode,
    type_id: &str,
    basket: &str,
    subject: String,
    version: Option<&RegimeVersion>,
    due: Option<&Due>,
    received: Option<Timestamp>,
    status: Status,
    notices: Vec<String>,
) -> ObligationRow {
    ObligationRow {
        party: party.to_string(),
        type_id: type_id.to_owned(),
        basket: basket.to_owned(),
        subject,
        regime_version: version.map(|v| v.regime.version.clone()),
        due: due.map(|d| d.at),
        due_local: due.map(Due::local),
        received,
        status,
        notices,
        restricted_to: None,
    }
}

fn consultations(
    engine: &mut Engine<'_>,
    requests: &BTreeMap<String, &Request>,
    replies: &[&Reply],
    year: i16,
    as_of: Timestamp,
) -> Vec<ConsultationRow> {
    let mut first_reply: BTreeMap<&str, &Reply> = BTreeMap::new();
    for r in replies {
        let Some(req) = requests.get(&r.request) else {
            engine.anomaly(
                &r.id,
                format!(
                    "replies to `{}`, which is not a request received before it",
                    r.request
                ),
            );
            continue;
        };
        if r.received < req.received {
            engine.anomaly(&r.id, format!("received before request `{}`", r.request));
            continue;
        }
        if r.from != req.to {
            engine.anomaly(
                &r.id,
                format!(
                    "{} replies to `{}`, which was addressed to {}",
                    r.from, r.request, req.to
                ),
            );
            continue;
        }
        first_reply.entry(r.request.as_str()).or_insert(r);
    }
    let mut out = Vec::new();
    for req in requests.values() {
        if req.received.to_zoned(TimeZone::UTC).year() != year {
            continue;
        }
        let rule = engine
            .ctx
            .history
            .in_force_at(req.received)
            .and_then(|v| v.regime.reply_type())
            .map(|t| t.deadline.clone());
        let reply = first_reply.get(req.id.as_str()).copied();
        let (reply_due, state) = match rule {
            Some(Deadline::AfterRequest { hours, escalation }) => {
                let due = req
                    .received
                    .checked_add(SignedDuration::from_hours(hours))
                    .unwrap_or(Timestamp::MAX);
                // The escalation step due at instant `t` (if past the reply deadline).
                let step_at = |t: Timestamp| -> Option<(String, Timestamp, bool)> {
                    if t <= due {
                        return None;
                    }
                    let mut cursor = due;
                    for (i, s) in escalation.iter().enumerate() {
                        let step_due = cursor
                            .checked_add(SignedDuration::from_hours(s.within_hours))
                            .unwrap_or(Timestamp::MAX);
                        if t <= step_due || i + 1 == escalation.len() {
                            return Some((s.step.clone(), step_due, t > step_due));
                        }
                        cursor = step_due;
                    }
                    None
                };
                let state = match reply {
                    Some(r) if r.received <= due => ConsultState::AnsweredOnTime,
                    Some(r) => ConsultState::AnsweredLate {
                        by_seconds: secs(r.received.duration_since(due)),
                        escalation_reached: step_at(r.received).map(|s| s.0),
                    },
                    None if as_of <= due => ConsultState::AwaitingReply,
                    None => match step_at(as_of) {
                        Some((step, step_due, step_overdue)) => ConsultState::Escalated {
                            step,
                            step_due,
                            step_overdue,
                        },
                        None => ConsultState::Unanswered {
                            overdue_seconds: secs(as_of.duration_since(due)),
                        },
                    },
                };
                (Some(due), state)
            }
            _ => (None, ConsultState::NoRule),
        };
        out.push(ConsultationRow {
            request: req.id.clone(),
            from: req.from.to_string(),
            to: req.to.to_string(),
            about: req.about.clone(),
            received: req.received,
            reply_due,
            reply: reply.map(|r| r.id.clone()),
            replied: reply.map(|r| r.received),
            state,
        });
    }
    out.sort_by(|a, b| (a.received, &a.request).cmp(&(b.received, &b.request)));
    out
}

fn acknowledgements(
    engine: &mut Engine<'_>,
    submissions: &[&Submission],
    acks: &[&Ack],
    known: &BTreeMap<String, String>,
    year: i16,
) -> Vec<AckRow> {
    let mut by_notice: BTreeMap<&str, BTreeSet<PartyCode>> = BTreeMap::new();
    for a in acks {
        if !known.contains_key(&a.of) {
            engine.anomaly(
                &format!("ack:{}:{}", a.party, a.of),
                format!("acknowledges `{}`, which was not received before it", a.of),
            );
            continue;
        }
        by_notice.entry(a.of.as_str()).or_default().insert(a.party);
    }
    let mut out = Vec::new();
    for s in submissions {
        let day = s.received.to_zoned(TimeZone::UTC).date();
        let acked = by_notice.get(s.id.as_str()).cloned().unwrap_or_default();
        let distribution = engine
            .ctx
            .history
            .in_force_at(s.received)
            .and_then(|v| v.regime.get(&s.type_id))
            .map(|t| t.distribution.clone())
            .unwrap_or(Distribution::AllParticipating);
        let entitled: Vec<PartyCode> = match &distribution {
            Distribution::AllParticipating | Distribution::Public => {
                engine.ctx.timeline.participating_on(day)
            }
            Distribution::Body(id) => match engine.body(id.as_str(), &s.id) {
                Some(b) => PartyCode::ALL
                    .into_iter()
                    .filter(|p| {
                        b.has_member(*p, day, engine.ctx.timeline)
                            && engine.ctx.timeline.is_participating(*p, day)
                    })
                    .collect(),
                None => Vec::new(),
            },
        }
        .into_iter()
        .filter(|p| *p != s.party)
        .collect();
        for p in &acked {
            if !entitled.contains(p) && *p != s.party {
                engine.anomaly(
                    &format!("ack:{p}:{}", s.id),
                    format!("{p} acknowledges `{}` but was not entitled to it", s.id),
                );
            }
        }
        if day.year() != year {
            continue;
        }
        let missing: Vec<String> = entitled
            .iter()
            .filter(|p| !acked.contains(p))
            .map(ToString::to_string)
            .collect();
        out.push(AckRow {
            notification: s.id.clone(),
            party: s.party.to_string(),
            type_id: s.type_id.clone(),
            received: s.received,
            entitled: entitled.iter().map(ToString::to_string).collect(),
            acknowledged: acked
                .iter()
                .filter(|p| entitled.contains(p))
                .map(ToString::to_string)
                .collect(),
            missing,
            restricted_to: None,
        });
    }
    out.sort_by(|a, b| (a.received, &a.notification).cmp(&(b.received, &b.notification)));
    out
}
