//! Notifications over the log: the glue between `rsm-regime`, the log and the store, shared
//! by the API, the pages, the demo and a party's mirror (`rsm compliance --mirror`).
//!
//! Conventions (what the log entries mean):
//! - a notification of regime type `T` is a party's entry of type `notification.T`, whose
//!   commitment is `commit_public(content)` or, for a type distributed to a restricted body,
//!   `commit_salted(salt, content)`; the content (the exact JSON text) is stored beside the
//!   log under that commitment;
//! - its data field says what it is: empty for an original, `amends N` or `cancels N` for
//!   an amendment or cancellation of log entry `N`;
//! - an acknowledgement of entry `N` is an entry of type `notification-ack` with data
//!   `ack N` (content: any JSON object, by convention `{"of": "N"}`);
//! - a notice of the clarification-request type becomes a compliance `Request` (one per
//!   addressee), one of the regime's reply type a `Reply` to the request its `request` field
//!   names;
//! - a regime version is a secretariat entry `regime.version` committing to the SHA-256 of
//!   the regime file text (data: the basis).
//!
//! Log ids in compliance reports are the decimal log indexes.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use rsm_core::{
    access::{Actor, Role},
    body::Body,
    participation::{ParticipationStatus, Timeline},
    party::PartyCode,
};
use rsm_regime::{
    Ack, ComplianceOptions, ComplianceReport, Event, Regime, RegimeHistory, RegimeVersion, Reply,
    Request, Submission, SubmissionKind,
    regime::{Distribution, NotificationType},
};

/// Entry type of acknowledgements.
pub const ACK_ENTRY_TYPE: &str = "notification-ack";
/// Prefix of notification entry types.
pub const NOTIFICATION_PREFIX: &str = "notification.";
/// The type whose notices are requests for clarification.
pub const REQUEST_TYPE: &str = "clarification-request";
/// Secretariat entry type recording a regime version.
pub const REGIME_VERSION_ENTRY: &str = "regime.version";
/// Basis of the default regime.
pub const FOUNDING_BASIS: &str = "Founding Declaration (default regime)";

/// What a notification entry is, from its data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Original,
    Amends(u64),
    Cancels(u64),
    Ack(u64),
}

impl Kind {
    /// Parses the data field of an entry of type `entry_type`.
    pub fn parse(entry_type: &str, data: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(data).map_err(|_| "data is not UTF-8".to_owned())?;
        let num = |rest: &str, what: &str| {
            rest.parse::<u64>()
                .map_err(|_| format!("data `{text}`: {what} needs a log index"))
        };
        let kind = if text.is_empty() {
            Kind::Original
        } else if let Some(r) = text.strip_prefix("amends ") {
            Kind::Amends(num(r, "amends")?)
        } else if let Some(r) = text.strip_prefix("cancels ") {
            Kind::Cancels(num(r, "cancels")?)
        } else if let Some(r) = text.strip_prefix("ack ") {
            Kind::Ack(num(r, "ack")?)
        } else {
            return Err(format!(
                "data `{text}` must be empty, `amends N`, `cancels N` or `ack N`"
            ));
        };
        match (entry_type == ACK_ENTRY_TYPE, kind) {
            (true, Kind::Ack(_)) | (false, Kind::Original | Kind::Amends(_) | Kind::Cancels(_)) => {
                Ok(kind)
            }
            (true, _) => Err(format!("a {ACK_ENTRY_TYPE} entry's data must be `ack N`")),
            (false, _) => Err("`ack N` belongs in a notification-ack entry".into()),
        }
    }

    /// The data field.
    pub fn data(self) -> String {
        match self {
            Kind::Original => String::new(),
            Kind::Amends(n) => format!("amends {n}"),
            Kind::Cancels(n) => format!("cancels {n}"),
            Kind::Ack(n) => format!("ack {n}"),
        }
    }

    pub fn store_kind(self) -> (rsm_store::EntryKind, Option<u64>) {
        use rsm_store::EntryKind as K;
        match self {
            Kind::Original => (K::Original, None),
            Kind::Amends(n) => (K::Amends, Some(n)),
            Kind::Cancels(n) => (K::Cancels, Some(n)),
            Kind::Ack(n) => (K::Ack, Some(n)),
        }
    }
}

/// The regime type id of a log entry type `notification.<id>`, or `ack`.
pub fn type_of_entry(entry_type: &str) -> Option<&str> {
    if entry_type == ACK_ENTRY_TYPE {
        return Some("ack");
    }
    entry_type
        .strip_prefix(NOTIFICATION_PREFIX)
        .filter(|t| !t.is_empty())
}

/// The instant the mechanism was founded: the start (in the earliest zone on Earth, UTC+14)
/// of the earliest participation change. The default regime is in force from then.
pub fn founding_instant(timeline: &Timeline) -> Timestamp {
    let first = PartyCode::ALL
        .iter()
        .filter_map(|p| timeline.history(*p).first().map(|c| c.effective))
        .min()
        .unwrap_or(jiff::civil::date(2026, 1, 1));
    let tz = TimeZone::fixed(jiff::tz::offset(14));
    first
        .to_zoned(tz)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A regime version as stored: effective instant, basis, text.
#[derive(Debug, Clone)]
pub struct VersionText {
    pub effective: Timestamp,
    pub basis: String,
    pub text: String,
}

/// The regime history: the default regime from the founding, then each stored version.
pub fn history(founding: Timestamp, versions: &[VersionText]) -> Result<RegimeHistory, String> {
    let default = rsm_regime::default_regime().map_err(|e| format!("the default regime: {e}"))?;
    let mut h = RegimeHistory::single(default, founding, FOUNDING_BASIS);
    for v in versions {
        let regime = Regime::parse(&v.text).map_err(|e| format!("stored regime version: {e}"))?;
        h.add(
            RegimeVersion {
                effective: v.effective,
                basis: v.basis.clone(),
                regime,
            },
            v.effective,
        )
        .map_err(|e| format!("stored regime version: {e}"))?;
    }
    Ok(h)
}

/// A notification entry with its content, as the server stores it or a mirror keeps it.
#[derive(Debug, Clone)]
pub struct Record {
    pub index: u64,
    pub party: String,
    pub type_id: String,
    pub kind: Kind,
    pub received: Timestamp,
    /// The JSON text.
    pub content: String,
}

impl Record {
    pub fn from_stored(n: &rsm_store::StoredNotification) -> Self {
        use rsm_store::EntryKind as K;
        let r = n.reference.unwrap_or(0);
        Self {
            index: n.index,
            party: n.party.clone(),
            type_id: n.type_id.clone(),
            kind: match n.kind {
                K::Original => Kind::Original,
                K::Amends => Kind::Amends(r),
                K::Cancels => Kind::Cancels(r),
                K::Ack => Kind::Ack(r),
            },
            received: n.received_at,
            content: n.content.clone(),
        }
    }
}

/// The compliance events of the records. A record whose content no longer validates (it
/// cannot happen on the server, which refuses such content) is left out.
pub fn events(history: &RegimeHistory, records: &[Record]) -> Vec<Event> {
    // Requests with several addressees become one request per addressee.
    let mut multi: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::new();
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by_key(|r| r.index);
    for r in sorted {
        let Ok(party) = r.party.parse::<PartyCode>() else {
            continue;
        };
        let id = r.index.to_string();
        let value = || serde_json::from_str::<serde_json::Value>(&r.content).ok();
        let reply_type = history
            .in_force_at(r.received)
            .and_then(|v| v.regime.reply_type())
            .map(|t| t.id.as_str().to_owned());
        match r.kind {
            Kind::Ack(of) => out.push(Event::Ack(Ack {
                party,
                of: of.to_string(),
                received: r.received,
            })),
            Kind::Cancels(of) => out.push(Event::Submitted(Submission {
                id,
                party,
                type_id: r.type_id.clone(),
                received: r.received,
                kind: SubmissionKind::Cancels { of: of.to_string() },
            })),
            Kind::Original if r.type_id == REQUEST_TYPE => {
                let Some(v) = value() else { continue };
                let to: Vec<PartyCode> = v["addressee"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|p| p.as_str()?.parse().ok()).collect())
                    .unwrap_or_default();
                if to.len() > 1 {
                    multi.insert(id.clone(), to.iter().map(|p| p.to_string()).collect());
                }
                for p in &to {
                    out.push(Event::Request(Request {
                        id: if to.len() > 1 {
                            format!("{id}:{p}")
                        } else {
                            id.clone()
                        },
                        from: party,
                        to: *p,
                        about: None,
                        received: r.received,
                    }));
                }
            }
            Kind::Original if reply_type.as_deref() == Some(r.type_id.as_str()) => {
                let Some(v) = value() else { continue };
                let Some(req) = v["request"].as_str() else {
                    continue;
                };
                let req = req.trim().to_owned();
                let request = match multi.get(&req) {
                    Some(to) if to.contains(party.as_str()) => format!("{req}:{party}"),
                    _ => req,
                };
                out.push(Event::Reply(Reply {
                    id,
                    request,
                    from: party,
                    received: r.received,
                }));
            }
            Kind::Original | Kind::Amends(_) => {
                let Some(v) = value() else { continue };
                let Ok(notice) = history.validate_at(&r.type_id, &v, r.received) else {
                    continue;
                };
                out.push(Event::Submitted(Submission {
                    id,
                    party,
                    type_id: r.type_id.clone(),
                    received: r.received,
                    kind: match r.kind {
                        Kind::Amends(of) => SubmissionKind::Amends {
                            of: of.to_string(),
                            notice,
                        },
                        _ => SubmissionKind::Original(notice),
                    },
                }));
            }
        }
    }
    out
}

/// Computes the compliance report for `year` as of `as_of`, as `viewer` may see it.
pub fn compliance(
    history: &RegimeHistory,
    timeline: &Timeline,
    bodies: &[Body],
    records: &[Record],
    year: i16,
    as_of: Timestamp,
    viewer: Viewer,
) -> ComplianceReport {
    let ctx = rsm_regime::Context {
        history,
        timeline,
        bodies,
    };
    let evs = events(history, records);
    let report = rsm_regime::compute(ctx, &evs, year, as_of, &ComplianceOptions::default());
    match viewer {
        Viewer::All => report,
        Viewer::Party(p) => report.visible_to(Some(p), bodies),
        Viewer::Public => report.visible_to(None, bodies),
    }
}

/// Who a report or a notification is shown to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The secretariat: everything.
    All,
    Party(PartyCode),
    Public,
}

impl Viewer {
    pub fn of(actor: &Actor) -> Self {
        match actor.role() {
            None => Viewer::Public,
            Some(Role::SecretariatAdmin | Role::SecretariatOfficer) => Viewer::All,
            Some(r) => r.party().map(Viewer::Party).unwrap_or(Viewer::Public),
        }
    }
}

/// Why content may not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Sign in to see it.
    SignIn,
    /// Does not exist for this viewer (restricted body): answer 404.
    Concealed,
}

/// May `actor` read the content of a notification distributed as `distribution` today?
/// Public types: everyone. "All participating": the secretariat and accounts of a party
/// that has not withdrawn. A restricted body: whoever may see the body (others: concealed).
pub fn may_read(
    actor: &Actor,
    distribution: &Distribution,
    bodies: &[Body],
    today: Date,
    timeline: &Timeline,
) -> Result<(), Hidden> {
    match distribution {
        Distribution::Public => Ok(()),
        Distribution::AllParticipating => match actor.role() {
            None => Err(Hidden::SignIn),
            Some(Role::SecretariatAdmin | Role::SecretariatOfficer) => Ok(()),
            Some(r) => match r.party() {
                Some(p) if timeline.status_on(p, today) != ParticipationStatus::Withdrawn => Ok(()),
                _ => Err(Hidden::Concealed),
            },
        },
        Distribution::Body(id) => {
            let Some(body) = bodies.iter().find(|b| &b.id == id) else {
                return Err(Hidden::Concealed);
            };
            rsm_core::access::decide(
                actor,
                rsm_core::access::Action::ReadBody(body),
                today,
                timeline,
            )
            .map_err(|_| Hidden::Concealed)
        }
    }
}

/// The restricted body a type is distributed to, if any.
pub fn restricted_to(ty: &NotificationType) -> Option<String> {
    match &ty.distribution {
        Distribution::Body(b) => Some(b.as_str().to_owned()),
        _ => None,
    }
}

/// The distribution of `type_id` in the version in force at `at` (acks: that of the
/// acknowledged notification's type, decided by the caller).
pub fn distribution_of(history: &RegimeHistory, type_id: &str, at: Timestamp) -> Distribution {
    history
        .in_force_at(at)
        .and_then(|v| v.regime.get(type_id))
        .or_else(|| {
            history
                .versions()
                .iter()
                .rev()
                .find_map(|v| v.regime.get(type_id))
        })
        .map(|t| t.distribution.clone())
        .unwrap_or(Distribution::AllParticipating)
}

/// The UTC year of an instant.
pub fn utc_year(t: Timestamp) -> i16 {
    t.to_zoned(TimeZone::UTC).year()
}

/// Links every notification entry of the log that has no link to its content yet — entries
/// appended just before a crash, before the handler could link them (the content is always
/// stored before the entry). Run at start-up; returns how many were linked.
pub async fn relink(store: &rsm_store::Store) -> Result<usize, rsm_store::StoreError> {
    use rsm_store::{LedgerStore as _, NotificationStore as _};
    let size = store.log_size().await?;
    let mut linked = 0;
    let mut start = 0;
    while start < size {
        let end = (start + 10_000).min(size);
        for e in store.log_entries(start, end).await? {
            let Some(type_id) = type_of_entry(&e.entry_type) else {
                continue;
            };
            if store.notification(e.index).await?.is_some() {
                continue;
            }
            let Ok(env) = rsm_ledger::Envelope::parse(&e.bytes) else {
                continue;
            };
            let commitment = env.body.commitment.to_hex();
            if store.notification_content(&commitment).await?.is_none() {
                tracing::error!(index = e.index, "notification entry without stored content");
                continue;
            }
            let Ok(kind) = Kind::parse(&e.entry_type, &env.body.data) else {
                continue;
            };
            let (kind, reference) = kind.store_kind();
            store
                .link_notification(
                    &rsm_store::NewNotificationEntry {
                        index: e.index,
                        commitment,
                        party: e.party.clone(),
                        type_id: type_id.to_owned(),
                        kind,
                        reference,
                        received_at: e.received_at,
                    },
                    &rsm_store::Attribution {
                        actor: "log".into(),
                        account_id: None,
                        source: "start-up".into(),
                        at: e.received_at,
                    },
                )
                .await?;
            linked += 1;
        }
        start = end;
    }
    Ok(linked)
}
