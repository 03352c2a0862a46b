//! E-mail notices of deliberation: what is worth a message, who may receive it, how it
//! reads in the recipient's time zone, and the sender task that drains the outbox.
//!
//! How it fits together:
//! - the store writes a `mail_events` row in the transaction of each notable event (a
//!   meeting scheduled or changed, a decision event, an action item assigned), so delivery
//!   never blocks or fails the request that recorded it;
//! - [`run_once`] (called by the task [`spawn`] starts, or by a test with a manual clock)
//!   expands new events into one message per concerned account with immediate notices,
//!   queues the daily digests that are due, and sends what is due, retrying failures with
//!   exponential backoff ([`retry_at`]) until [`MAX_ATTEMPTS`];
//! - what a decision event means (silence started, broken, adoption by consensus) is
//!   computed by replaying the draft's recorded events, like every read; adoption by silence
//!   has no event — the deadline passing is not recorded — so the daily digest reports it,
//!   computed from the events and the clock when the digest runs;
//! - a recipient must be concerned (the secretariat's officers; the delegates and working
//!   group members of a member party; an action item's owner) **and** pass
//!   `access::decide(ReadBody)`: a restricted body's notices reach its members only.
//!
//! The pure parts ([`retry_at`], [`digest_period_end`], [`Notice`] rendering) take the
//! instant as an argument. Notices and digests are written in the recipient's language
//! (their account's language; the `mailpref-` texts of the Fluent catalogues, English
//! where a catalogue lacks one) and read in their time zone.

use std::{collections::BTreeMap, fmt, sync::Arc, time::Duration};

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use rsm_core::{
    access::{Action, Actor, Role},
    action::{ActionStatus, Owner},
    body::{Body, BodyId},
    decision::{self, AdoptedBy, BreakReason, Context, DecisionState, EventKind},
    participation::Timeline,
    party::PartyCode,
};
use rsm_store::{
    Account, AccountStore, BodyStore, DeliberationStore, MailEvent, MailEventKind, MailMode,
    MailSettings, MailStore, NewMail, ParticipationStore,
};

use crate::{AppState, error::ApiError, pages::i18n::Lang};

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a test sink only).
    None,
    /// SMTP upgraded with STARTTLS (port 587), required.
    StartTls,
    /// SMTP inside TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }
}

/// Where and how to send mail.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The `From:` address, e.g. `RSM Secretariat <notices@rsm.example>`.
    pub from: String,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The local hour (in each recipient's zone) after which the daily digest is sent.
    pub digest_hour: i8,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("digest_hour", &self.digest_hour)
            .finish()
    }
}

/// A configuration that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("smtp_from {0:?} is not a mailbox: {1}")]
    From(String, String),
    #[error("smtp_host {0:?}: {1}")]
    Host(String, String),
    #[error("mail_digest_hour must be between 0 and 23")]
    DigestHour,
}

/// Sends messages through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    digest_hour: i8,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailConfigError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| {
                MailConfigError::From(config.from.clone(), e.to_string())
            })?;
        if !(0..=23).contains(&config.digest_hour) {
            return Err(MailConfigError::DigestHour);
        }
        let host_error = |e: lettre::transport::smtp::Error| {
            MailConfigError::Host(config.host.clone(), e.to_string())
        };
        let builder = match config.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(host_error)?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(host_error)?
            }
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(pass)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            digest_hour: config.digest_hour,
        })
    }

    /// Sends one message; the error is the server's or the connection's, in words.
    pub async fn deliver(&self, mail: &NewMail) -> Result<(), String> {
        let to: Mailbox = mail
            .address
            .parse()
            .map_err(|e: lettre::address::AddressError| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Whether `address` is an e-mail address the sender can use.
pub fn valid_address(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// Attempts after which a message is abandoned.
pub const MAX_ATTEMPTS: i64 = 8;

/// When to try again after the failure of attempt number `attempts + 1` at `now`: one minute,
/// doubling each time, at most six hours; `None` once [`MAX_ATTEMPTS`] have failed.
pub fn retry_at(attempts: i64, now: Timestamp) -> Option<Timestamp> {
    if attempts + 1 >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = (1i64 << attempts.clamp(0, 20)).min(6 * 60);
    now.checked_add(SignedDuration::from_mins(minutes)).ok()
}

/// The end of the digest period that is due at `now` for a recipient in `zone`: the latest
/// `hour:00` local time that is after `since` and not after `now`; `None` if there is none
/// yet (the last digest already covered it).
pub fn digest_period_end(
    since: Timestamp,
    now: Timestamp,
    zone: &TimeZone,
    hour: i8,
) -> Option<Timestamp> {
    let today = now.to_zoned(zone.clone()).date();
    let at = |d: Date| {
        d.at(hour, 0, 0, 0)
            .to_zoned(zone.clone())
            .ok()
            .map(|z| z.timestamp())
    };
    let mut end = at(today)?;
    if end > now {
        end = at(today.yesterday().ok()?)?;
    }
    (end > since).then_some(end)
}

/// An instant as a recipient reads it: in their zone, and in UTC.
pub fn both_times(t: Timestamp, zone: &TimeZone) -> String {
    let local = t.to_zoned(zone.clone());
    let name = zone.iana_name().unwrap_or("UTC");
    let utc = t.to_zoned(TimeZone::UTC);
    if name == "UTC" {
        format!("{} UTC", utc.strftime("%Y-%m-%d %H:%M"))
    } else {
        format!(
            "{} {} ({name}) = {} UTC",
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%Z"),
            utc.strftime("%Y-%m-%d %H:%M"),
        )
    }
}

/// Something worth telling a person about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Meeting {
        body: String,
        title: String,
        start: Timestamp,
        end: Timestamp,
        /// The meeting's own zone (IANA).
        zone: String,
        /// Venue and link; empty when neither is known yet.
        place: String,
        changed: bool,
    },
    SilenceStarted {
        body: String,
        title: String,
        until: Timestamp,
    },
    SilenceBroken {
        body: String,
        title: String,
        by: PartyCode,
        at: Timestamp,
        amendment: bool,
    },
    Adopted {
        body: String,
        title: String,
        at: Timestamp,
        by: AdoptedBy,
    },
    ActionAssigned {
        body: String,
        title: String,
        owner: Owner,
        due: Date,
    },
    ActionDue {
        body: String,
        title: String,
        owner: Owner,
        due: Date,
        overdue_days: Option<i32>,
    },
}

fn owner_name(o: Owner, lang: Lang) -> String {
    match o {
        Owner::Secretariat => lang.t("mailpref-owner-secretariat"),
        Owner::Party(p) => p.as_str().into(),
    }
}

impl Notice {
    /// The message's subject line in `lang` (English where the catalogue lacks a text).
    pub fn subject(&self, lang: Lang) -> String {
        let (key, body, title) = match self {
            Self::Meeting {
                body,
                title,
                changed: false,
                ..
            } => ("mailpref-subject-meeting-scheduled", Some(body), title),
            Self::Meeting { body, title, .. } => {
                ("mailpref-subject-meeting-changed", Some(body), title)
            }
            Self::SilenceStarted { body, title, .. } => {
                ("mailpref-subject-under-silence", Some(body), title)
            }
            Self::SilenceBroken { body, title, .. } => {
                ("mailpref-subject-silence-broken", Some(body), title)
            }
            Self::Adopted { body, title, .. } => ("mailpref-subject-adopted", Some(body), title),
            Self::ActionAssigned { title, .. } => ("mailpref-subject-action-assigned", None, title),
            Self::ActionDue { title, .. } => ("mailpref-subject-action-due", None, title),
        };
        let body = body.map_or("", String::as_str);
        format!(
            "[RSM] {}",
            lang.t_args(key, &[("title", title), ("body", body)])
        )
    }

    /// The message's text in `lang`, with instants in `zone` and UTC.
    pub fn text(&self, zone: &TimeZone, lang: Lang) -> String {
        let mut lines: Vec<String> = Vec::new();
        let mut line = |key: &str, args: &[(&str, &str)]| lines.push(lang.t_args(key, args));
        match self {
            Self::Meeting {
                body,
                title,
                start,
                end,
                zone: meeting_zone,
                place,
                changed,
            } => {
                let mz = TimeZone::get(meeting_zone).unwrap_or(TimeZone::UTC);
                let local = start.to_zoned(mz.clone());
                let local = format!(
                    "{} {}",
                    local.strftime("%Y-%m-%d %H:%M"),
                    local.strftime("%Z")
                );
                let key = if *changed {
                    "mailpref-meeting-changed"
                } else {
                    "mailpref-meeting-scheduled"
                };
                line(key, &[("body", body), ("title", title)]);
                line(
                    "mailpref-meeting-starts",
                    &[("local", &local), ("zone", meeting_zone)],
                );
                line(
                    "mailpref-meeting-starts-for-you",
                    &[("when", &both_times(*start, zone))],
                );
                line(
                    "mailpref-meeting-ends",
                    &[("when", &both_times(*end, zone))],
                );
                let place = if place.is_empty() {
                    lang.t("mailpref-place-tba")
                } else {
                    place.clone()
                };
                line("mailpref-meeting-where", &[("place", &place)]);
            }
            Self::SilenceStarted { body, title, until } => {
                line(
                    "mailpref-silence-started",
                    &[("body", body), ("title", title)],
                );
                line(
                    "mailpref-silence-deadline",
                    &[("when", &both_times(*until, zone))],
                );
                line("mailpref-silence-rule", &[]);
            }
            Self::SilenceBroken {
                body,
                title,
                by,
                at,
                amendment,
            } => {
                let how = lang.t(if *amendment {
                    "mailpref-by-amendment"
                } else {
                    "mailpref-by-objection"
                });
                line(
                    "mailpref-silence-broken",
                    &[
                        ("body", body),
                        ("title", title),
                        ("party", by.as_str()),
                        ("how", &how),
                        ("when", &both_times(*at, zone)),
                    ],
                );
            }
            Self::Adopted {
                body,
                title,
                at,
                by,
            } => {
                let how = lang.t(match by {
                    AdoptedBy::Consensus => "mailpref-by-consensus",
                    AdoptedBy::Silence => "mailpref-by-silence",
                });
                line(
                    "mailpref-adopted",
                    &[
                        ("body", body),
                        ("title", title),
                        ("how", &how),
                        ("when", &both_times(*at, zone)),
                    ],
                );
            }
            Self::ActionAssigned {
                body,
                title,
                owner,
                due,
            } => {
                let owner = owner_name(*owner, lang);
                line(
                    "mailpref-action",
                    &[("body", body), ("owner", &owner), ("title", title)],
                );
                line("mailpref-action-due", &[("due", &due.to_string())]);
            }
            Self::ActionDue {
                body,
                title,
                owner,
                due,
                overdue_days,
            } => {
                let owner = owner_name(*owner, lang);
                line(
                    "mailpref-action",
                    &[("body", body), ("owner", &owner), ("title", title)],
                );
                match overdue_days {
                    Some(d) => line(
                        "mailpref-action-overdue",
                        &[("due", &due.to_string()), ("days", &d.to_string())],
                    ),
                    None => line("mailpref-action-due", &[("due", &due.to_string())]),
                }
            }
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// The daily digest of `notices` for the period `(from, to]`, read in `zone`, in `lang`.
pub fn digest(
    notices: &[Notice],
    from: Timestamp,
    to: Timestamp,
    zone: &TimeZone,
    lang: Lang,
) -> (String, String) {
    let day = to.to_zoned(zone.clone()).date().to_string();
    let count = notices.len().to_string();
    let subject = format!(
        "[RSM] {}",
        lang.t_args(
            "mailpref-digest-subject",
            &[("day", &day), ("count", &count)]
        )
    );
    let mut body = lang.t_args(
        "mailpref-digest-period",
        &[
            ("from", &both_times(from, zone)),
            ("to", &both_times(to, zone)),
        ],
    );
    body.push('\n');
    for n in notices {
        body.push_str("\n* ");
        body.push_str(n.subject(lang).trim_start_matches("[RSM] "));
        body.push('\n');
        for line in n.text(zone, lang).lines() {
            body.push_str("  ");
            body.push_str(line);
            body.push('\n');
        }
    }
    (subject, body)
}

/// Who a notice is for (before the access check).
#[derive(Debug, Clone, Copy)]
enum Audience {
    /// Everyone concerned with the body.
    Body,
    /// The action item's owner.
    Owner(Owner),
}

/// Whether `account` should hear of `body`'s business on `date`: it must be concerned and
/// allowed to see the body (a restricted body's outsiders never are).
fn concerned(
    account: &Account,
    body: &Body,
    audience: Audience,
    date: Date,
    timeline: &Timeline,
) -> bool {
    if account.disabled {
        return false;
    }
    let actor = Actor::Account {
        id: account.id,
        role: account.role.clone(),
    };
    if rsm_core::access::decide(&actor, Action::ReadBody(body), date, timeline).is_err() {
        return false;
    }
    let member = |p: PartyCode| body.has_member(p, date, timeline);
    match (audience, &account.role) {
        (Audience::Body | Audience::Owner(Owner::Secretariat), Role::SecretariatOfficer) => true,
        (Audience::Body, Role::Delegate(p)) => member(*p),
        (Audience::Body, Role::WorkingGroupMember(p, b)) => *b == body.id && member(*p),
        (Audience::Owner(Owner::Party(o)), Role::Delegate(p)) => o == *p,
        (Audience::Owner(Owner::Party(o)), Role::WorkingGroupMember(p, b)) => {
            o == *p && *b == body.id
        }
        _ => false,
    }
}

async fn body_of(state: &AppState, id: &BodyId) -> Result<Option<Body>, ApiError> {
    Ok(state.store.body(id).await?.map(|r| r.body))
}

/// What a recorded event means, for whom, and on which date its audience is judged.
async fn notice_of(
    state: &AppState,
    event: &MailEvent,
) -> Result<Option<(Body, Notice, Audience)>, ApiError> {
    match event.kind {
        MailEventKind::MeetingScheduled | MailEventKind::MeetingChanged => {
            let Some(m) = state.store.meeting(event.subject_id).await? else {
                return Ok(None);
            };
            let Some(body) = body_of(state, &m.meeting.body).await? else {
                return Ok(None);
            };
            let place = match (&m.meeting.venue, &m.meeting.link) {
                (Some(v), Some(l)) => format!("{v}; {l}"),
                (Some(v), None) => v.clone(),
                (None, Some(l)) => l.clone(),
                // Said in the recipient's language when the text is written.
                (None, None) => String::new(),
            };
            let notice = Notice::Meeting {
                body: body.name.clone(),
                title: m.meeting.title.clone(),
                start: m.meeting.start,
                end: m.meeting.end,
                zone: m.meeting.zone.clone(),
                place,
                changed: event.kind == MailEventKind::MeetingChanged,
            };
            Ok(Some((body, notice, Audience::Body)))
        }
        MailEventKind::DraftEvent => {
            let Some(d) = state.store.draft(event.subject_id).await? else {
                return Ok(None);
            };
            let Some(body) = body_of(state, &d.draft.body).await? else {
                return Ok(None);
            };
            let events = state.store.decision_events(d.id).await?;
            let Some(seq) = event.seq.and_then(|s| usize::try_from(s).ok()) else {
                return Ok(None);
            };
            if seq == 0 || seq > events.len() {
                return Ok(None);
            }
            let this = &events[seq - 1];
            let zone = crate::api::decisions::draft_zone(state, &d).await?;
            let timeline = state.store.timeline().await?;
            let ctx = Context {
                body: &body,
                timeline: &timeline,
                zone: &zone,
            };
            let before = decision::state(&ctx, &d.draft, &events[..seq - 1], this.at);
            let after = decision::state(&ctx, &d.draft, &events[..seq], this.at);
            let title = d.draft.title.clone();
            let name = body.name.clone();
            let notice = match (&before, &after, &this.kind) {
                (
                    DecisionState::UnderSilence { .. },
                    DecisionState::UnderSilence { .. },
                    EventKind::PutUnderSilence { .. },
                ) => None,
                (_, DecisionState::UnderSilence { until }, EventKind::PutUnderSilence { .. }) => {
                    Some(Notice::SilenceStarted {
                        body: name,
                        title,
                        until: *until,
                    })
                }
                (
                    DecisionState::UnderSilence { .. },
                    DecisionState::SilenceBroken { by, at, reason },
                    _,
                ) => Some(Notice::SilenceBroken {
                    body: name,
                    title,
                    by: *by,
                    at: *at,
                    amendment: matches!(reason, BreakReason::Amendment(_)),
                }),
                (DecisionState::Adopted { .. }, ..) => None,
                (_, DecisionState::Adopted { at, by, .. }, _) => Some(Notice::Adopted {
                    body: name,
                    title,
                    at: *at,
                    by: *by,
                }),
                _ => None,
            };
            Ok(notice.map(|n| (body, n, Audience::Body)))
        }
        MailEventKind::ActionAssigned => {
            let Some(a) = state
                .store
                .actions()
                .await?
                .into_iter()
                .find(|a| a.id == event.subject_id)
            else {
                return Ok(None);
            };
            let Some(body) = body_of(state, &a.body).await? else {
                return Ok(None);
            };
            let notice = Notice::ActionAssigned {
                body: body.name.clone(),
                title: a.item.title.clone(),
                owner: a.item.owner,
                due: a.item.due,
            };
            Ok(Some((body, notice, Audience::Owner(a.item.owner))))
        }
    }
}

fn zone_of_account(a: &Account) -> TimeZone {
    TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC)
}

fn utc_date(t: Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

/// The accounts with e-mail settings, by id.
async fn subscribers(state: &AppState) -> Result<Vec<(Account, MailSettings)>, ApiError> {
    let accounts: BTreeMap<i64, Account> = state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(state
        .store
        .all_mail_settings()
        .await?
        .into_iter()
        .filter_map(|s| accounts.get(&s.account_id).cloned().map(|a| (a, s)))
        .collect())
}

/// Expands the recorded events not yet expanded into immediate messages. Returns how many
/// messages were queued.
pub async fn expand_pending(state: &AppState) -> Result<usize, ApiError> {
    let now = state.clock.now();
    let people = subscribers(state).await?;
    let timeline = state.store.timeline().await?;
    let mut queued = 0;
    for event in state.store.pending_mail_events(200).await? {
        let mut mails = Vec::new();
        if let Some((body, notice, audience)) = notice_of(state, &event).await? {
            let date = utc_date(event.at);
            for (account, settings) in &people {
                if settings.mode == MailMode::Immediate
                    && concerned(account, &body, audience, date, &timeline)
                {
                    let lang = Lang::from_code(&account.language);
                    mails.push(NewMail {
                        account_id: account.id,
                        address: settings.address.clone(),
                        subject: notice.subject(lang),
                        body: notice.text(&zone_of_account(account), lang),
                    });
                }
            }
        }
        if state.store.expand_mail_event(event.id, &mails, now).await? {
            queued += mails.len();
        }
    }
    Ok(queued)
}

/// Queues the daily digests due at the clock's instant (one per account whose local digest
/// hour has passed since its last digest). An account with a daily digest gets the period's
/// events, adoptions by silence and its due action items; one with immediate notices gets
/// what no event announced: adoptions by silence and due action items. A digest with
/// nothing in it is not sent, but its period is closed. Returns how many were queued.
pub async fn queue_digests(state: &AppState, hour: i8) -> Result<usize, ApiError> {
    let now = state.clock.now();
    let timeline = state.store.timeline().await?;
    let mut queued = 0;
    for (account, settings) in subscribers(state).await? {
        if settings.mode == MailMode::None {
            continue;
        }
        let zone = zone_of_account(&account);
        let Some(until) = digest_period_end(settings.digest_since, now, &zone, hour) else {
            continue;
        };
        let since = settings.digest_since;
        let notices =
            digest_notices(state, &account, settings.mode, since, until, &timeline).await?;
        let mail = (!notices.is_empty()).then(|| {
            let lang = Lang::from_code(&account.language);
            let (subject, body) = digest(&notices, since, until, &zone, lang);
            NewMail {
                account_id: account.id,
                address: settings.address.clone(),
                subject,
                body,
            }
        });
        if state
            .store
            .queue_digest(account.id, since, until, mail.as_ref(), now)
            .await?
            && mail.is_some()
        {
            queued += 1;
        }
    }
    Ok(queued)
}

async fn digest_notices(
    state: &AppState,
    account: &Account,
    mode: MailMode,
    since: Timestamp,
    until: Timestamp,
    timeline: &Timeline,
) -> Result<Vec<Notice>, ApiError> {
    let mut notices = Vec::new();
    if mode == MailMode::Digest {
        for event in state.store.mail_events_between(since, until).await? {
            if let Some((body, notice, audience)) = notice_of(state, &event).await?
                && concerned(account, &body, audience, utc_date(event.at), timeline)
            {
                notices.push(notice);
            }
        }
    }
    let today = utc_date(until);
    let mut bodies: BTreeMap<BodyId, Option<Body>> = BTreeMap::new();
    for d in state.store.drafts().await? {
        if !bodies.contains_key(&d.draft.body) {
            let b = body_of(state, &d.draft.body).await?;
            bodies.insert(d.draft.body.clone(), b);
        }
        let Some(Some(body)) = bodies.get(&d.draft.body) else {
            continue;
        };
        if !concerned(account, body, Audience::Body, today, timeline) {
            continue;
        }
        let events = state.store.decision_events(d.id).await?;
        if !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::PutUnderSilence { .. }))
        {
            continue;
        }
        let zone = crate::api::decisions::draft_zone(state, &d).await?;
        let ctx = Context {
            body,
            timeline,
            zone: &zone,
        };
        if let DecisionState::Adopted {
            at,
            by: AdoptedBy::Silence,
            ..
        } = decision::state(&ctx, &d.draft, &events, until)
            && at > since
            && at <= until
        {
            notices.push(Notice::Adopted {
                body: body.name.clone(),
                title: d.draft.title.clone(),
                at,
                by: AdoptedBy::Silence,
            });
        }
    }
    for a in state.store.actions().await? {
        if !bodies.contains_key(&a.body) {
            let b = body_of(state, &a.body).await?;
            bodies.insert(a.body.clone(), b);
        }
        let Some(Some(body)) = bodies.get(&a.body) else {
            continue;
        };
        if !concerned(
            account,
            body,
            Audience::Owner(a.item.owner),
            today,
            timeline,
        ) {
            continue;
        }
        let zone = zone_of_account(account);
        let overdue_days = match a.item.status(until, &zone) {
            ActionStatus::Done { .. } => continue,
            ActionStatus::Overdue { days } => Some(days),
            ActionStatus::Open => {
                let local = until.to_zoned(zone.clone()).date();
                // Due within the next two days: worth a reminder.
                if (a.item.due - local).get_days() > 2 {
                    continue;
                }
                None
            }
        };
        notices.push(Notice::ActionDue {
            body: body.name.clone(),
            title: a.item.title.clone(),
            owner: a.item.owner,
            due: a.item.due,
            overdue_days,
        });
    }
    Ok(notices)
}

/// Tries every message due now; failures are retried later with backoff. Returns (sent,
/// failed).
pub async fn send_due(state: &AppState, mailer: &Mailer) -> Result<(usize, usize), ApiError> {
    let (mut sent, mut failed) = (0, 0);
    for m in state.store.due_mail(state.clock.now(), 50).await? {
        let result = mailer.deliver(&m.mail).await;
        let now = state.clock.now();
        match result {
            Ok(()) => {
                state.store.mark_mail_sent(m.id, now).await?;
                sent += 1;
            }
            Err(e) => {
                let retry = retry_at(m.attempts, now);
                tracing::warn!(mail = m.id, attempts = m.attempts + 1, error = %e, retry = ?retry, "mail not delivered");
                state.store.mark_mail_failed(m.id, &e, retry, now).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// What one round of the sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub queued: usize,
    pub digests: usize,
    pub sent: usize,
    pub failed: usize,
}

/// One round: expand new events, queue due digests, send due messages.
pub async fn run_once(state: &AppState, mailer: &Mailer) -> Result<Round, ApiError> {
    let queued = expand_pending(state).await?;
    let digests = queue_digests(state, mailer.digest_hour).await?;
    let (sent, failed) = send_due(state, mailer).await?;
    Ok(Round {
        queued,
        digests,
        sent,
        failed,
    })
}

/// Starts the sender task: a round every `every`, errors logged and the round retried.
pub fn spawn(state: AppState, mailer: Arc<Mailer>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&state, &mailer).await {
                Ok(r) if r != Round::default() => tracing::info!(?r, "mail round"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "mail round failed"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
