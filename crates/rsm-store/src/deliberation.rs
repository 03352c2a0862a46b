//! Deliberation: meetings, agenda items, documents (language versions and content-addressed
//! blobs), draft decisions with their append-only events, adopted decision numbers, action
//! items and the interventions recorded for a meeting's journal.
//!
//! The rules live in `rsm_core` (`meeting`, `agenda`, `document`, `decision`, `journal`,
//! `action`); this module keeps what was decided. Mutable rows (meetings, agenda items,
//! document versions, action items) carry a revision: a write names the revision it starts
//! from and fails with a conflict if another write came first. Draft decisions never change:
//! everything that happens to one is an event, numbered per draft.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rsm_core::{
    agenda::Proposer,
    body::{Basket, BodyId},
    decision::{
        Author, DecisionEvent, DecisionKind, Draft, EventKind, ParticipationChange, Position,
        StatementKind,
    },
    document::{Language, Sha256, Symbol},
    journal::Speaker,
    meeting::Delegation,
    participation::ParticipationStatus,
    party::PartyCode,
};
use serde_json::{Value, json};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros, parse_date, parse_party};

/// One session of a meeting's timetable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub label: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A meeting to schedule (already checked by `rsm_core::meeting::Meeting::schedule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub body: BodyId,
    pub title: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// IANA zone name.
    pub zone: String,
    pub venue: Option<String>,
    pub link: Option<String>,
    /// The chair in force (the rotation's, or the override's).
    pub chair: PartyCode,
    /// The party named instead of the rotation's chair, with the reason.
    pub chair_override: Option<(PartyCode, String)>,
    pub delegations: BTreeMap<PartyCode, Delegation>,
    pub timetable: Vec<Slot>,
}

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeeting {
    pub id: i64,
    pub meeting: NewMeeting,
    pub opened_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub revision: i64,
}

/// Whether an agenda item is on the agenda or only proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Proposed,
    Accepted,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Accepted => "accepted",
        }
    }
}

/// An agenda item to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub meeting: i64,
    pub parent: Option<i64>,
    pub basket: Option<Basket>,
    pub title: String,
    pub minutes: Option<i64>,
    pub proposer: Proposer,
    pub status: ItemStatus,
    pub symbols: Vec<Symbol>,
}

/// A stored agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    pub id: i64,
    pub item: NewItem,
    /// Position among its siblings (0-based).
    pub position: i64,
    pub revision: i64,
}

/// Who may read a document, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionKind {
    Public,
    Limited,
    /// Restricted to the document's own body.
    Restricted,
}

impl DistributionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Limited => "limited",
            Self::Restricted => "restricted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Public, Self::Limited, Self::Restricted]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A language version of a stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub language: Language,
    pub original: bool,
    /// `original`, `in-translation` or `issued`.
    pub status: String,
    pub digest: Option<Sha256>,
    pub issued_at: Option<Timestamp>,
    /// Where the issued version's digest sits in the notification log.
    pub log_index: Option<i64>,
    pub revision: i64,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub id: i64,
    pub symbol: Symbol,
    pub body: BodyId,
    pub title: String,
    pub distribution: DistributionKind,
    pub versions: Vec<StoredVersion>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A stored draft decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub id: i64,
    pub draft: Draft,
    pub meeting: Option<i64>,
    pub item: Option<i64>,
}

/// An adopted decision's number and text digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub draft: i64,
    pub symbol: Symbol,
    pub adopted_at: Timestamp,
    pub digest: Sha256,
}

/// A stored action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAction {
    pub id: i64,
    pub body: BodyId,
    pub meeting: Option<i64>,
    pub item: rsm_core::action::ActionItem,
    pub revision: i64,
}

/// One intervention recorded under an agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIntervention {
    pub id: i64,
    pub meeting: i64,
    pub item: i64,
    pub speaker: Speaker,
    pub at: Timestamp,
}

/// Meetings, agendas, documents, decisions, action items and journal records.
#[allow(async_fn_in_trait)]
pub trait DeliberationStore {
    async fn create_meeting(&self, m: &NewMeeting, who: &Attribution) -> Result<i64, StoreError>;
    async fn meeting(&self, id: i64) -> Result<Option<StoredMeeting>, StoreError>;
    /// Every meeting, by start.
    async fn meetings(&self) -> Result<Vec<StoredMeeting>, StoreError>;
    /// Changes a scheduled meeting (its body stays); `expected_revision` must be current.
    async fn update_meeting(
        &self,
        id: i64,
        expected_revision: i64,
        m: &NewMeeting,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Records when the meeting opened and closed (for its journal).
    async fn record_session(
        &self,
        id: i64,
        expected_revision: i64,
        opened: Option<Timestamp>,
        closed: Option<Timestamp>,
        who: &Attribution,
    ) -> Result<i64, StoreError>;

    /// Adds an item at the end of its siblings.
    async fn add_item(&self, item: &NewItem, who: &Attribution) -> Result<i64, StoreError>;
    /// A meeting's items, top-level items first by position, each followed by its sub-items.
    async fn items(&self, meeting: i64) -> Result<Vec<StoredItem>, StoreError>;
    async fn item(&self, id: i64) -> Result<Option<StoredItem>, StoreError>;
    async fn accept_item(
        &self,
        id: i64,
        expected_revision: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Moves an item to `position` among its siblings (clamped).
    async fn move_item(
        &self,
        id: i64,
        expected_revision: i64,
        position: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError>;

    /// Creates a document with its original version. A used symbol is a conflict.
    async fn create_document(
        &self,
        symbol: &Symbol,
        body: &BodyId,
        title: &str,
        distribution: DistributionKind,
        original: Language,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn documents(&self) -> Result<Vec<StoredDocument>, StoreError>;
    async fn document(&self, symbol: &Symbol) -> Result<Option<StoredDocument>, StoreError>;
    async fn request_translation(
        &self,
        symbol: &Symbol,
        language: Language,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Issues a version with exactly `bytes` (stored once, under their SHA-256).
    async fn issue_version(
        &self,
        symbol: &Symbol,
        language: Language,
        expected_revision: i64,
        bytes: &[u8],
        who: &Attribution,
    ) -> Result<Sha256, StoreError>;
    /// Notes where an issued version's digest was entered in the log.
    async fn set_version_log_index(
        &self,
        symbol: &Symbol,
        language: Language,
        index: i64,
    ) -> Result<(), StoreError>;
    async fn blob(&self, digest: &Sha256) -> Result<Option<Vec<u8>>, StoreError>;

    async fn create_draft(
        &self,
        draft: &Draft,
        meeting: Option<i64>,
        item: Option<i64>,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn draft(&self, id: i64) -> Result<Option<StoredDraft>, StoreError>;
    async fn drafts(&self) -> Result<Vec<StoredDraft>, StoreError>;
    /// The draft's events in sequence order.
    async fn decision_events(&self, draft: i64) -> Result<Vec<DecisionEvent>, StoreError>;
    /// Appends `event`; its `seq` must be one past the last (a concurrent append is a
    /// conflict).
    async fn append_event(
        &self,
        draft: i64,
        event: &DecisionEvent,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    async fn record_adoption(&self, a: &Adoption, who: &Attribution) -> Result<(), StoreError>;
    async fn adoptions(&self) -> Result<Vec<Adoption>, StoreError>;

    async fn create_action(
        &self,
        body: &BodyId,
        meeting: Option<i64>,
        item: &rsm_core::action::ActionItem,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn actions(&self) -> Result<Vec<StoredAction>, StoreError>;
    async fn complete_action(
        &self,
        id: i64,
        expected_revision: i64,
        at: Timestamp,
        who: &Attribution,
    ) -> Result<i64, StoreError>;

    async fn record_intervention(
        &self,
        meeting: i64,
        item: i64,
        speaker: Speaker,
        at: Timestamp,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn interventions(&self, meeting: i64) -> Result<Vec<StoredIntervention>, StoreError>;
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn stale(what: &str, current: i64, expected: i64) -> StoreError {
    StoreError::Conflict(format!(
        "revision {} of {what} (you edited revision {expected}; it is now at revision {current}: reload and edit again)",
        current + 1
    ))
}

fn encode_delegations(d: &BTreeMap<PartyCode, Delegation>) -> String {
    let map: serde_json::Map<String, Value> = d
        .iter()
        .map(|(p, d)| {
            (
                p.as_str().to_owned(),
                json!({"head": d.head, "members": d.members}),
            )
        })
        .collect();
    Value::Object(map).to_string()
}

fn decode_delegations(s: &str) -> Result<BTreeMap<PartyCode, Delegation>, StoreError> {
    let v: Value = serde_json::from_str(s).map_err(corrupt)?;
    let obj = v.as_object().ok_or_else(|| corrupt("delegations"))?;
    let mut out = BTreeMap::new();
    for (p, d) in obj {
        let head = d["head"]
            .as_str()
            .ok_or_else(|| corrupt("head"))?
            .to_owned();
        let members = d["members"]
            .as_array()
            .ok_or_else(|| corrupt("members"))?
            .iter()
            .map(|m| {
                m.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| corrupt("member"))
            })
            .collect::<Result<_, _>>()?;
        out.insert(parse_party(p)?, Delegation { head, members });
    }
    Ok(out)
}

fn encode_timetable(t: &[Slot]) -> String {
    Value::Array(
        t.iter()
            .map(|s| json!({"label": s.label, "start": micros(s.start), "end": micros(s.end)}))
            .collect(),
    )
    .to_string()
}

fn decode_timetable(s: &str) -> Result<Vec<Slot>, StoreError> {
    let v: Value = serde_json::from_str(s).map_err(corrupt)?;
    v.as_array()
        .ok_or_else(|| corrupt("timetable"))?
        .iter()
        .map(|s| {
            Ok(Slot {
                label: s["label"].as_str().ok_or_else(|| corrupt("label"))?.into(),
                start: from_micros(s["start"].as_i64().ok_or_else(|| corrupt("start"))?)?,
                end: from_micros(s["end"].as_i64().ok_or_else(|| corrupt("end"))?)?,
            })
        })
        .collect()
}

fn proposer_str(p: Proposer) -> String {
    match p {
        Proposer::Secretariat => "secretariat".into(),
        Proposer::Party(p) => p.as_str().into(),
    }
}

fn parse_proposer(s: &str) -> Result<Proposer, StoreError> {
    if s == "secretariat" {
        Ok(Proposer::Secretariat)
    } else {
        Ok(Proposer::Party(parse_party(s)?))
    }
}

fn author_str(a: Author) -> String {
    match a {
        Author::Secretariat => "secretariat".into(),
        Author::Party(p) => p.as_str().into(),
    }
}

fn parse_author(s: &str) -> Result<Author, StoreError> {
    if s == "secretariat" {
        Ok(Author::Secretariat)
    } else {
        Ok(Author::Party(parse_party(s)?))
    }
}

fn speaker_str(s: Speaker) -> String {
    match s {
        Speaker::Chair => "chair".into(),
        Speaker::Secretariat => "secretariat".into(),
        Speaker::Party(p) => p.as_str().into(),
    }
}

fn parse_speaker(s: &str) -> Result<Speaker, StoreError> {
    match s {
        "chair" => Ok(Speaker::Chair),
        "secretariat" => Ok(Speaker::Secretariat),
        p => Ok(Speaker::Party(parse_party(p)?)),
    }
}

fn parse_symbol(s: &str) -> Result<Symbol, StoreError> {
    Symbol::parse(s).map_err(corrupt)
}

fn parse_body(s: &str) -> Result<BodyId, StoreError> {
    BodyId::parse(s).map_err(corrupt)
}

fn opt_micros(v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(from_micros).transpose()
}

type MeetingRow = (
    i64,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<i64>,
    Option<i64>,
    i64,
);

const MEETING_COLUMNS: &str = "id, body_id, title, starts_at, ends_at, zone, venue, link, chair, \
    chair_override, override_reason, delegations, timetable, opened_at, closed_at, revision";

fn decode_meeting(r: MeetingRow) -> Result<StoredMeeting, StoreError> {
    let chair_override = match (r.9, r.10) {
        (Some(p), Some(reason)) => Some((parse_party(&p)?, reason)),
        _ => None,
    };
    Ok(StoredMeeting {
        id: r.0,
        meeting: NewMeeting {
            body: parse_body(&r.1)?,
            title: r.2,
            start: from_micros(r.3)?,
            end: from_micros(r.4)?,
            zone: r.5,
            venue: r.6,
            link: r.7,
            chair: parse_party(&r.8)?,
            chair_override,
            delegations: decode_delegations(&r.11)?,
            timetable: decode_timetable(&r.12)?,
        },
        opened_at: opt_micros(r.13)?,
        closed_at: opt_micros(r.14)?,
        revision: r.15,
    })
}

type ItemRow = (
    i64,
    i64,
    Option<i64>,
    i64,
    Option<String>,
    String,
    Option<i64>,
    String,
    String,
    String,
    i64,
);

const ITEM_COLUMNS: &str = "id, meeting_id, parent_id, position, basket, title, minutes, proposer, status, symbols, revision";

fn decode_item(r: ItemRow) -> Result<StoredItem, StoreError> {
    let symbols = if r.9.is_empty() {
        Vec::new()
    } else {
        r.9.split(' ').map(parse_symbol).collect::<Result<_, _>>()?
    };
    Ok(StoredItem {
        id: r.0,
        item: NewItem {
            meeting: r.1,
            parent: r.2,
            basket: r
                .4
                .map(|b| Basket::parse(&b).ok_or_else(|| corrupt(format!("basket {b}"))))
                .transpose()?,
            title: r.5,
            minutes: r.6,
            proposer: parse_proposer(&r.7)?,
            status: match r.8.as_str() {
                "proposed" => ItemStatus::Proposed,
                "accepted" => ItemStatus::Accepted,
                s => return Err(corrupt(format!("item status {s}"))),
            },
            symbols,
        },
        position: r.3,
        revision: r.10,
    })
}

type DraftRow = (
    i64,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
);

const DRAFT_COLUMNS: &str =
    "id, body_id, meeting_id, item_id, title, kind, participation, text, author, created_at";

fn decode_draft(r: DraftRow) -> Result<StoredDraft, StoreError> {
    let kind = match r.5.as_str() {
        "substantive" => DecisionKind::Substantive,
        "agenda" => DecisionKind::Agenda,
        "participation" => {
            let v: Value =
                serde_json::from_str(r.6.as_deref().unwrap_or("null")).map_err(corrupt)?;
            DecisionKind::Participation(ParticipationChange {
                party: parse_party(v["party"].as_str().unwrap_or_default())?,
                status: ParticipationStatus::parse(v["status"].as_str().unwrap_or_default())
                    .ok_or_else(|| corrupt("participation status"))?,
                effective: parse_date(v["effective"].as_str().unwrap_or_default())?,
                accepts_decisions_taken: v["accepts"].as_bool().unwrap_or(false),
            })
        }
        k => return Err(corrupt(format!("draft kind {k}"))),
    };
    Ok(StoredDraft {
        id: r.0,
        draft: Draft {
            body: parse_body(&r.1)?,
            title: r.4,
            kind,
            text: r.7,
            created_at: from_micros(r.9)?,
            created_by: parse_author(&r.8)?,
        },
        meeting: r.2,
        item: r.3,
    })
}

type EventRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn decode_event(r: EventRow) -> Result<DecisionEvent, StoreError> {
    let (seq, at, kind, party, author, base, text, position, until, statement_kind) = r;
    let party = || parse_party(party.as_deref().unwrap_or_default());
    let text = || text.clone().unwrap_or_default();
    let kind = match kind.as_str() {
        "revised" => EventKind::Revised {
            base: u32::try_from(base.unwrap_or_default()).map_err(corrupt)?,
            text: text(),
            by: parse_author(author.as_deref().unwrap_or_default())?,
        },
        "tabled" => EventKind::Tabled,
        "position" => EventKind::Position {
            party: party()?,
            position: match position.as_deref() {
                Some("joins") => Position::Joins,
                Some("no-objection") => Position::NoObjection,
                Some("abstains") => Position::Abstains,
                Some("objects") => Position::Objects { reason: text() },
                p => return Err(corrupt(format!("position {p:?}"))),
            },
        },
        "amendment" => EventKind::AmendmentProposed {
            party: party()?,
            text: text(),
        },
        "silence" => EventKind::PutUnderSilence {
            until: from_micros(until.unwrap_or_default())?,
        },
        "consensus" => EventKind::ConsensusEstablished,
        "statement" => EventKind::Statement {
            party: party()?,
            kind: match statement_kind.as_deref() {
                Some("interpretative") => StatementKind::Interpretative,
                Some("reservation") => StatementKind::Reservation,
                k => return Err(corrupt(format!("statement kind {k:?}"))),
            },
            text: text(),
        },
        "withdrawn" => EventKind::Withdrawn {
            by: parse_author(author.as_deref().unwrap_or_default())?,
        },
        k => return Err(corrupt(format!("event kind {k}"))),
    };
    Ok(DecisionEvent {
        seq: u64::try_from(seq).map_err(corrupt)?,
        at: from_micros(at)?,
        kind,
    })
}

/// The columns of an event: kind, party, author, base, text, position, until, statement kind.
#[allow(clippy::type_complexity)]
fn encode_event(
    k: &EventKind,
) -> (
    &'static str,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<&'static str>,
    Option<i64>,
    Option<&'static str>,
) {
    match k {
        EventKind::Revised { base, text, by } => (
            "revised",
            None,
            Some(author_str(*by)),
            Some(i64::from(*base)),
            Some(text.clone()),
            None,
            None,
            None,
        ),
        EventKind::Tabled => ("tabled", None, None, None, None, None, None, None),
        EventKind::Position { party, position } => {
            let (p, text) = match position {
                Position::Joins => ("joins", None),
                Position::NoObjection => ("no-objection", None),
                Position::Abstains => ("abstains", None),
                Position::Objects { reason } => ("objects", Some(reason.clone())),
            };
            (
                "position",
                Some(party.as_str().into()),
                None,
                None,
                text,
                Some(p),
                None,
                None,
            )
        }
        EventKind::AmendmentProposed { party, text } => (
            "amendment",
            Some(party.as_str().into()),
            None,
            None,
            Some(text.clone()),
            None,
            None,
            None,
        ),
        EventKind::PutUnderSilence { until } => (
            "silence",
            None,
            None,
            None,
            None,
            None,
            Some(micros(*until)),
            None,
        ),
        EventKind::ConsensusEstablished => ("consensus", None, None, None, None, None, None, None),
        EventKind::Statement { party, kind, text } => (
            "statement",
            Some(party.as_str().into()),
            None,
            None,
            Some(text.clone()),
            None,
            None,
            Some(match kind {
                StatementKind::Interpretative => "interpretative",
                StatementKind::Reservation => "reservation",
            }),
        ),
        EventKind::Withdrawn { by } => (
            "withdrawn",
            None,
            Some(author_str(*by)),
            None,
            None,
            None,
            None,
            None,
        ),
    }
}

type VersionRow = (
    i64,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
);

type DocumentRow = (i64, String, String, String, String, i64, String);

type ActionRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
);

fn decode_action(r: ActionRow) -> Result<StoredAction, StoreError> {
    let owner = if r.4 == "secretariat" {
        rsm_core::action::Owner::Secretariat
    } else {
        rsm_core::action::Owner::Party(parse_party(&r.4)?)
    };
    Ok(StoredAction {
        id: r.0,
        body: parse_body(&r.1)?,
        meeting: r.2,
        item: rsm_core::action::ActionItem {
            title: r.3,
            owner,
            due: parse_date(&r.5)?,
            decision: r.6.as_deref().map(parse_symbol).transpose()?,
            done_at: opt_micros(r.7)?,
        },
        revision: r.8,
    })
}

/// A transaction holding SQLite's write lock from its start ([`Store::begin_write`]).
async fn write_tx(store: &Store) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    store
        .begin_write("UPDATE meetings SET revision = revision WHERE id = -1")
        .await
}

impl Store {
    async fn load_documents(
        &self,
        symbol: Option<&Symbol>,
    ) -> Result<Vec<StoredDocument>, StoreError> {
        let rows: Vec<DocumentRow> = match symbol {
            Some(s) => {
                sqlx::query_as(
                    "SELECT id, symbol, body_id, title, distribution, created_at, created_by \
                 FROM documents WHERE symbol = $1",
                )
                .bind(s.to_string())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT id, symbol, body_id, title, distribution, created_at, created_by \
                 FROM documents ORDER BY id",
                )
                .fetch_all(self.pool())
                .await?
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let versions: Vec<VersionRow> = sqlx::query_as(
                "SELECT document_id, language, original, status, digest, issued_at, log_index, revision \
                 FROM document_versions WHERE document_id = $1 ORDER BY language",
            )
            .bind(r.0)
            .fetch_all(self.pool())
            .await?;
            let versions = versions
                .into_iter()
                .map(|v| {
                    Ok(StoredVersion {
                        language: v.1.parse().map_err(corrupt)?,
                        original: v.2 != 0,
                        status: v.3,
                        digest: v
                            .4
                            .as_deref()
                            .map(Sha256::parse)
                            .transpose()
                            .map_err(corrupt)?,
                        issued_at: opt_micros(v.5)?,
                        log_index: v.6,
                        revision: v.7,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            out.push(StoredDocument {
                id: r.0,
                symbol: parse_symbol(&r.1)?,
                body: parse_body(&r.2)?,
                title: r.3,
                distribution: DistributionKind::parse(&r.4)
                    .ok_or_else(|| corrupt(format!("distribution {}", r.4)))?,
                versions,
                created_at: from_micros(r.5)?,
                created_by: r.6,
            });
        }
        Ok(out)
    }
}

impl DeliberationStore for Store {
    async fn create_meeting(&self, m: &NewMeeting, who: &Attribution) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meetings (body_id, title, starts_at, ends_at, zone, venue, link, chair, \
             chair_override, override_reason, delegations, timetable, revision, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING id",
        )
        .bind(m.body.as_str())
        .bind(m.title.trim())
        .bind(micros(m.start))
        .bind(micros(m.end))
        .bind(&m.zone)
        .bind(m.venue.clone())
        .bind(m.link.clone())
        .bind(m.chair.as_str())
        .bind(m.chair_override.as_ref().map(|(p, _)| p.as_str().to_owned()))
        .bind(m.chair_override.as_ref().map(|(_, r)| r.clone()))
        .bind(encode_delegations(&m.delegations))
        .bind(encode_timetable(&m.timetable))
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        crate::mail::enqueue_event(
            &mut *tx,
            crate::mail::MailEventKind::MeetingScheduled,
            id,
            None,
            who.at,
        )
        .await?;
        audit::append(
            &mut *tx,
            who,
            "meeting.create",
            &format!("meeting:{id}"),
            &format!("{} of {}", m.title.trim(), m.body),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn meeting(&self, id: i64) -> Result<Option<StoredMeeting>, StoreError> {
        let row: Option<MeetingRow> = sqlx::query_as(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_meeting).transpose()
    }

    async fn meetings(&self) -> Result<Vec<StoredMeeting>, StoreError> {
        let rows: Vec<MeetingRow> = sqlx::query_as(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings ORDER BY starts_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_meeting).collect()
    }

    async fn update_meeting(
        &self,
        id: i64,
        expected_revision: i64,
        m: &NewMeeting,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE meetings SET title = $1, starts_at = $2, ends_at = $3, zone = $4, venue = $5, \
             link = $6, chair = $7, chair_override = $8, override_reason = $9, delegations = $10, \
             timetable = $11, revision = revision + 1 \
             WHERE id = $12 AND revision = $13 AND body_id = $14",
        )
        .bind(m.title.trim())
        .bind(micros(m.start))
        .bind(micros(m.end))
        .bind(&m.zone)
        .bind(m.venue.clone())
        .bind(m.link.clone())
        .bind(m.chair.as_str())
        .bind(
            m.chair_override
                .as_ref()
                .map(|(p, _)| p.as_str().to_owned()),
        )
        .bind(m.chair_override.as_ref().map(|(_, r)| r.clone()))
        .bind(encode_delegations(&m.delegations))
        .bind(encode_timetable(&m.timetable))
        .bind(id)
        .bind(expected_revision)
        .bind(m.body.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(missing_or_stale(
                &mut tx,
                "meetings",
                id,
                expected_revision,
                format!("meeting {id}"),
                format!("meeting {id}"),
            )
            .await);
        }
        crate::mail::enqueue_event(
            &mut *tx,
            crate::mail::MailEventKind::MeetingChanged,
            id,
            None,
            who.at,
        )
        .await?;
        audit::append(
            &mut *tx,
            who,
            "meeting.update",
            &format!("meeting:{id}"),
            &format!("{} of {}", m.title.trim(), m.body),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn record_session(
        &self,
        id: i64,
        expected_revision: i64,
        opened: Option<Timestamp>,
        closed: Option<Timestamp>,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE meetings SET opened_at = $1, closed_at = $2, revision = revision + 1 \
             WHERE id = $3 AND revision = $4",
        )
        .bind(opened.map(micros))
        .bind(closed.map(micros))
        .bind(id)
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(missing_or_stale(
                &mut tx,
                "meetings",
                id,
                expected_revision,
                format!("meeting {id}"),
                format!("meeting {id}"),
            )
            .await);
        }
        audit::append(
            &mut *tx,
            who,
            "meeting.session",
            &format!("meeting:{id}"),
            &format!("opened {opened:?}, closed {closed:?}"),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn add_item(&self, item: &NewItem, who: &Attribution) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (next,): (Option<i64>,) = match item.parent {
            Some(p) => sqlx::query_as(
                "SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1 AND parent_id = $2",
            )
            .bind(item.meeting)
            .bind(p)
            .fetch_one(&mut *tx)
            .await?,
            None => sqlx::query_as(
                "SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1 AND parent_id IS NULL",
            )
            .bind(item.meeting)
            .fetch_one(&mut *tx)
            .await?,
        };
        let symbols = item
            .symbols
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO agenda_items (meeting_id, parent_id, position, basket, title, minutes, \
             proposer, status, symbols, revision, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11) RETURNING id",
        )
        .bind(item.meeting)
        .bind(item.parent)
        .bind(next.map_or(0, |n| n + 1))
        .bind(item.basket.map(|b| b.as_str().to_owned()))
        .bind(item.title.trim())
        .bind(item.minutes)
        .bind(proposer_str(item.proposer))
        .bind(item.status.as_str())
        .bind(symbols)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            if item.status == ItemStatus::Proposed {
                "agenda.propose"
            } else {
                "agenda.add"
            },
            &format!("meeting:{}", item.meeting),
            &format!("item {id}: {}", item.title.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn items(&self, meeting: i64) -> Result<Vec<StoredItem>, StoreError> {
        let rows: Vec<ItemRow> = sqlx::query_as(&format!(
            "SELECT {ITEM_COLUMNS} FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id"
        ))
        .bind(meeting)
        .fetch_all(self.pool())
        .await?;
        let all: Vec<StoredItem> = rows
            .into_iter()
            .map(decode_item)
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(all.len());
        for top in all.iter().filter(|i| i.item.parent.is_none()) {
            out.push(top.clone());
            out.extend(
                all.iter()
                    .filter(|s| s.item.parent == Some(top.id))
                    .cloned(),
            );
        }
        Ok(out)
    }

    async fn item(&self, id: i64) -> Result<Option<StoredItem>, StoreError> {
        let row: Option<ItemRow> = sqlx::query_as(&format!(
            "SELECT {ITEM_COLUMNS} FROM agenda_items WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_item).transpose()
    }

    async fn accept_item(
        &self,
        id: i64,
        expected_revision: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE agenda_items SET status = 'accepted', revision = revision + 1 \
             WHERE id = $1 AND revision = $2",
        )
        .bind(id)
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(item_missing_or_stale(&mut tx, id, expected_revision).await);
        }
        audit::append(&mut *tx, who, "agenda.accept", &format!("item:{id}"), "").await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn move_item(
        &self,
        id: i64,
        expected_revision: i64,
        position: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let row: Option<ItemRow> = sqlx::query_as(&format!(
            "SELECT {ITEM_COLUMNS} FROM agenda_items WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let item = decode_item(row.ok_or_else(|| StoreError::NotFound(format!("item {id}")))?)?;
        if item.revision != expected_revision {
            return Err(stale(
                &format!("agenda item {id}"),
                item.revision,
                expected_revision,
            ));
        }
        let siblings: Vec<(i64,)> = match item.item.parent {
            Some(p) => sqlx::query_as(
                "SELECT id FROM agenda_items WHERE meeting_id = $1 AND parent_id = $2 ORDER BY position, id",
            )
            .bind(item.item.meeting)
            .bind(p)
            .fetch_all(&mut *tx)
            .await?,
            None => sqlx::query_as(
                "SELECT id FROM agenda_items WHERE meeting_id = $1 AND parent_id IS NULL ORDER BY position, id",
            )
            .bind(item.item.meeting)
            .fetch_all(&mut *tx)
            .await?,
        };
        let mut order: Vec<i64> = siblings
            .into_iter()
            .map(|s| s.0)
            .filter(|s| *s != id)
            .collect();
        let to = usize::try_from(position.max(0))
            .unwrap_or(0)
            .min(order.len());
        order.insert(to, id);
        for (pos, sid) in order.iter().enumerate() {
            sqlx::query(
                "UPDATE agenda_items SET position = $1, revision = revision + 1 WHERE id = $2",
            )
            .bind(pos as i64)
            .bind(*sid)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut *tx,
            who,
            "agenda.reorder",
            &format!("item:{id}"),
            &format!("to position {to}"),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn create_document(
        &self,
        symbol: &Symbol,
        body: &BodyId,
        title: &str,
        distribution: DistributionKind,
        original: Language,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO documents (symbol, body_id, title, distribution, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(symbol.to_string())
        .bind(body.as_str())
        .bind(title.trim())
        .bind(distribution.as_str())
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("symbol {symbol}")))?;
        sqlx::query(
            "INSERT INTO document_versions (document_id, language, original, status, revision) \
             VALUES ($1, $2, 1, 'original', 1)",
        )
        .bind(id)
        .bind(original.as_str())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "document.create",
            &format!("document:{symbol}"),
            title.trim(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn documents(&self) -> Result<Vec<StoredDocument>, StoreError> {
        self.load_documents(None).await
    }

    async fn document(&self, symbol: &Symbol) -> Result<Option<StoredDocument>, StoreError> {
        Ok(self.load_documents(Some(symbol)).await?.into_iter().next())
    }

    async fn request_translation(
        &self,
        symbol: &Symbol,
        language: Language,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = write_tx(self).await?;
        let doc: Option<(i64,)> = sqlx::query_as("SELECT id FROM documents WHERE symbol = $1")
            .bind(symbol.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let (id,) = doc.ok_or_else(|| StoreError::NotFound(format!("document {symbol}")))?;
        sqlx::query(
            "INSERT INTO document_versions (document_id, language, original, status, revision) \
             VALUES ($1, $2, 0, 'in-translation', 1)",
        )
        .bind(id)
        .bind(language.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_or(e, || format!("the {language} version of {symbol}"))
        })?;
        audit::append(
            &mut *tx,
            who,
            "document.translate",
            &format!("document:{symbol}"),
            language.as_str(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn issue_version(
        &self,
        symbol: &Symbol,
        language: Language,
        expected_revision: i64,
        bytes: &[u8],
        who: &Attribution,
    ) -> Result<Sha256, StoreError> {
        let digest = Sha256::of(bytes);
        let mut tx = write_tx(self).await?;
        let doc: Option<(i64,)> = sqlx::query_as("SELECT id FROM documents WHERE symbol = $1")
            .bind(symbol.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let (id,) = doc.ok_or_else(|| StoreError::NotFound(format!("document {symbol}")))?;
        sqlx::query(
            "INSERT INTO blobs (digest, bytes, size, stored_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (digest) DO NOTHING",
        )
        .bind(digest.to_string())
        .bind(bytes.to_vec())
        .bind(bytes.len() as i64)
        .bind(micros(who.at))
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "UPDATE document_versions SET status = 'issued', digest = $1, issued_at = $2, \
             revision = revision + 1 \
             WHERE document_id = $3 AND language = $4 AND revision = $5 AND status <> 'issued'",
        )
        .bind(digest.to_string())
        .bind(micros(who.at))
        .bind(id)
        .bind(language.as_str())
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let current: Option<(i64, String)> = sqlx::query_as(
                "SELECT revision, status FROM document_versions WHERE document_id = $1 AND language = $2",
            )
            .bind(id)
            .bind(language.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match current {
                None => StoreError::NotFound(format!("the {language} version of {symbol}")),
                Some((_, s)) if s == "issued" => {
                    StoreError::Conflict(format!("an issued {language} version of {symbol}"))
                }
                Some((c, _)) => stale(
                    &format!("the {language} version of {symbol}"),
                    c,
                    expected_revision,
                ),
            });
        }
        audit::append(
            &mut *tx,
            who,
            "document.issue",
            &format!("document:{symbol}"),
            &format!("{language} sha256:{digest}"),
        )
        .await?;
        tx.commit().await?;
        Ok(digest)
    }

    async fn set_version_log_index(
        &self,
        symbol: &Symbol,
        language: Language,
        index: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE document_versions SET log_index = $1 WHERE language = $2 AND log_index IS NULL \
             AND document_id = (SELECT id FROM documents WHERE symbol = $3)",
        )
        .bind(index)
        .bind(language.as_str())
        .bind(symbol.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn blob(&self, digest: &Sha256) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT bytes FROM blobs WHERE digest = $1")
            .bind(digest.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn create_draft(
        &self,
        draft: &Draft,
        meeting: Option<i64>,
        item: Option<i64>,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let (kind, participation) = match &draft.kind {
            DecisionKind::Substantive => ("substantive", None),
            DecisionKind::Agenda => ("agenda", None),
            DecisionKind::Participation(c) => (
                "participation",
                Some(
                    json!({
                        "party": c.party.as_str(),
                        "status": c.status.as_str(),
                        "effective": c.effective.to_string(),
                        "accepts": c.accepts_decisions_taken,
                    })
                    .to_string(),
                ),
            ),
        };
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO drafts (body_id, meeting_id, item_id, title, kind, participation, text, \
             author, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(draft.body.as_str())
        .bind(meeting)
        .bind(item)
        .bind(&draft.title)
        .bind(kind)
        .bind(participation)
        .bind(&draft.text)
        .bind(author_str(draft.created_by))
        .bind(micros(draft.created_at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "draft.create",
            &format!("draft:{id}"),
            &format!("{} ({})", draft.title, draft.body),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn draft(&self, id: i64) -> Result<Option<StoredDraft>, StoreError> {
        let row: Option<DraftRow> =
            sqlx::query_as(&format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(decode_draft).transpose()
    }

    async fn drafts(&self) -> Result<Vec<StoredDraft>, StoreError> {
        let rows: Vec<DraftRow> =
            sqlx::query_as(&format!("SELECT {DRAFT_COLUMNS} FROM drafts ORDER BY id"))
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(decode_draft).collect()
    }

    async fn decision_events(&self, draft: i64) -> Result<Vec<DecisionEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, kind, party, author, base, text, position, until, statement_kind \
             FROM decision_events WHERE draft_id = $1 ORDER BY seq",
        )
        .bind(draft)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_event).collect()
    }

    async fn append_event(
        &self,
        draft: i64,
        event: &DecisionEvent,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let (kind, party, author, base, text, position, until, statement_kind) =
            encode_event(&event.kind);
        let seq = i64::try_from(event.seq).map_err(corrupt)?;
        let mut tx = write_tx(self).await?;
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(seq) FROM decision_events WHERE draft_id = $1")
                .bind(draft)
                .fetch_one(&mut *tx)
                .await?;
        if seq != last.unwrap_or(0) + 1 {
            return Err(StoreError::Conflict(format!(
                "event {seq} of draft {draft} (the draft has {} events: reload and try again)",
                last.unwrap_or(0)
            )));
        }
        sqlx::query(
            "INSERT INTO decision_events (draft_id, seq, at, kind, party, author, base, text, \
             position, until, statement_kind, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(draft)
        .bind(seq)
        .bind(micros(event.at))
        .bind(kind)
        .bind(party)
        .bind(author)
        .bind(base)
        .bind(text)
        .bind(position.map(str::to_owned))
        .bind(until)
        .bind(statement_kind.map(str::to_owned))
        .bind(&who.actor)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("event {seq} of draft {draft}")))?;
        crate::mail::enqueue_event(
            &mut *tx,
            crate::mail::MailEventKind::DraftEvent,
            draft,
            Some(seq),
            who.at,
        )
        .await?;
        audit::append(
            &mut *tx,
            who,
            &format!("draft.{kind}"),
            &format!("draft:{draft}"),
            &format!("event {seq}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_adoption(&self, a: &Adoption, who: &Attribution) -> Result<(), StoreError> {
        let mut tx = write_tx(self).await?;
        sqlx::query(
            "INSERT INTO adopted_decisions (draft_id, symbol, adopted_at, digest, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(a.draft)
        .bind(a.symbol.to_string())
        .bind(micros(a.adopted_at))
        .bind(a.digest.to_string())
        .bind(micros(who.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("adoption of draft {}", a.draft)))?;
        audit::append(
            &mut *tx,
            who,
            "decision.adopted",
            &format!("draft:{}", a.draft),
            &format!("{} sha256:{}", a.symbol, a.digest),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn adoptions(&self) -> Result<Vec<Adoption>, StoreError> {
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT draft_id, symbol, adopted_at, digest FROM adopted_decisions ORDER BY adopted_at, draft_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Adoption {
                    draft: r.0,
                    symbol: parse_symbol(&r.1)?,
                    adopted_at: from_micros(r.2)?,
                    digest: Sha256::parse(&r.3).map_err(corrupt)?,
                })
            })
            .collect()
    }

    async fn create_action(
        &self,
        body: &BodyId,
        meeting: Option<i64>,
        item: &rsm_core::action::ActionItem,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let owner = match item.owner {
            rsm_core::action::Owner::Secretariat => "secretariat".to_owned(),
            rsm_core::action::Owner::Party(p) => p.as_str().to_owned(),
        };
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO action_items (body_id, meeting_id, title, owner, due, decision, done_at, \
             revision, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id",
        )
        .bind(body.as_str())
        .bind(meeting)
        .bind(&item.title)
        .bind(owner)
        .bind(item.due.to_string())
        .bind(item.decision.as_ref().map(|s| s.to_string()))
        .bind(item.done_at.map(micros))
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        crate::mail::enqueue_event(
            &mut *tx,
            crate::mail::MailEventKind::ActionAssigned,
            id,
            None,
            who.at,
        )
        .await?;
        audit::append(
            &mut *tx,
            who,
            "action.create",
            &format!("action:{id}"),
            &item.title,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn actions(&self) -> Result<Vec<StoredAction>, StoreError> {
        let rows: Vec<ActionRow> = sqlx::query_as(
            "SELECT id, body_id, meeting_id, title, owner, due, decision, done_at, revision \
             FROM action_items ORDER BY due, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_action).collect()
    }

    async fn complete_action(
        &self,
        id: i64,
        expected_revision: i64,
        at: Timestamp,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let done = sqlx::query(
            "UPDATE action_items SET done_at = $1, revision = revision + 1 \
             WHERE id = $2 AND revision = $3 AND done_at IS NULL",
        )
        .bind(micros(at))
        .bind(id)
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(missing_or_stale(
                &mut tx,
                "action_items",
                id,
                expected_revision,
                format!("action {id}"),
                format!("action item {id}"),
            )
            .await);
        }
        audit::append(
            &mut *tx,
            who,
            "action.complete",
            &format!("action:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(expected_revision + 1)
    }

    async fn record_intervention(
        &self,
        meeting: i64,
        item: i64,
        speaker: Speaker,
        at: Timestamp,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = write_tx(self).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO interventions (meeting_id, item_id, speaker, at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(meeting)
        .bind(item)
        .bind(speaker_str(speaker))
        .bind(micros(at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "meeting.intervention",
            &format!("meeting:{meeting}"),
            &format!("item {item}: {}", speaker_str(speaker)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn interventions(&self, meeting: i64) -> Result<Vec<StoredIntervention>, StoreError> {
        let rows: Vec<(i64, i64, i64, String, i64)> = sqlx::query_as(
            "SELECT id, meeting_id, item_id, speaker, at FROM interventions \
             WHERE meeting_id = $1 ORDER BY at, id",
        )
        .bind(meeting)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredIntervention {
                    id: r.0,
                    meeting: r.1,
                    item: r.2,
                    speaker: parse_speaker(&r.3)?,
                    at: from_micros(r.4)?,
                })
            })
            .collect()
    }
}

/// Why an optimistic update of row `id` of `table` touched nothing: the row is gone
/// (`NotFound`, named `missing`) or at another revision (`Conflict`, named `stale_name`).
async fn missing_or_stale(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &'static str,
    id: i64,
    expected: i64,
    missing: String,
    stale_name: String,
) -> StoreError {
    let current: Result<Option<(i64,)>, _> =
        sqlx::query_as(&format!("SELECT revision FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await;
    match current {
        Err(e) => StoreError::Database(e),
        Ok(None) => StoreError::NotFound(missing),
        Ok(Some((c,))) => stale(&stale_name, c, expected),
    }
}

async fn item_missing_or_stale(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    expected: i64,
) -> StoreError {
    missing_or_stale(
        tx,
        "agenda_items",
        id,
        expected,
        format!("item {id}"),
        format!("agenda item {id}"),
    )
    .await
}
