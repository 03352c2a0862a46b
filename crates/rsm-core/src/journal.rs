//! The journal of a meeting, generated from what was recorded: opening and closing in the
//! meeting's zone, chair, attendance, agenda items with their speakers, documents, decisions
//! with their statements and reservations, and attachments. A structured value for a page
//! or a printed view to render; the same records always give the same journal.

use std::collections::BTreeSet;

use jiff::{Timestamp, Zoned, tz::TimeZone};

use crate::{
    agenda::{Agenda, DocumentLink, ItemId},
    body::{Basket, BodyId},
    decision::{DecisionState, Statement},
    document::{Sha256, Symbol},
    meeting::{Delegation, Meeting},
    party::PartyCode,
};

/// Who took the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Speaker {
    Chair,
    Secretariat,
    Party(PartyCode),
}

/// One intervention under an agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub item: ItemId,
    pub speaker: Speaker,
    pub at: Timestamp,
    /// Breaks ties between interventions recorded at the same instant.
    pub seq: u64,
}

/// A decision taken up at the meeting, as it stands when the journal is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// Its symbol once adopted and numbered.
    pub symbol: Option<Symbol>,
    pub title: String,
    /// The agenda item it was taken under, if any.
    pub item: Option<ItemId>,
    pub state: DecisionState,
    pub statements: Vec<Statement>,
}

/// A file attached to the journal (a statement's text, a list of participants…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub title: String,
    pub symbol: Option<Symbol>,
    pub digest: Sha256,
    pub submitted_by: Option<PartyCode>,
}

/// Everything recorded for one meeting.
#[derive(Debug, Clone)]
pub struct Recorded<'a> {
    pub symbol: Symbol,
    pub meeting: &'a Meeting,
    pub agenda: &'a Agenda,
    pub opened: Timestamp,
    pub closed: Option<Timestamp>,
    pub interventions: Vec<Intervention>,
    /// Documents introduced or circulated at the meeting.
    pub documents: Vec<Symbol>,
    pub decisions: Vec<DecisionRecord>,
    pub attachments: Vec<Attachment>,
}

/// Why a journal cannot be made from the records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("the meeting closed ({closed}) before it opened ({opened})")]
    ClosedBeforeOpened {
        opened: Timestamp,
        closed: Timestamp,
    },
    #[error("the agenda is for {agenda}, the meeting for {meeting}")]
    AgendaOfAnotherBody { agenda: BodyId, meeting: BodyId },
    #[error("item {0:?} is not on the meeting's agenda")]
    UnknownItem(ItemId),
    #[error("{0} spoke but has no delegation at the meeting")]
    NotPresent(PartyCode),
    #[error("an intervention at {at} falls outside the session ({opened} – {closed:?})")]
    OutsideSession {
        at: Timestamp,
        opened: Timestamp,
        closed: Option<Timestamp>,
    },
}

/// One intervention as shown: who, and when in the meeting's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Floor {
    pub speaker: Speaker,
    pub at: Zoned,
}

/// A decision as shown in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalDecision {
    pub symbol: Option<Symbol>,
    pub title: String,
    pub state: DecisionState,
    /// In order of time, then party, then kind.
    pub statements: Vec<Statement>,
}

/// An agenda item as shown in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalItem {
    pub id: ItemId,
    pub number: String,
    pub depth: u8,
    pub title: String,
    pub basket: Option<Basket>,
    pub documents: Vec<DocumentLink>,
    pub speakers: Vec<Floor>,
    pub decisions: Vec<JournalDecision>,
}

/// The journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    pub symbol: Symbol,
    pub body: BodyId,
    pub title: String,
    pub zone: String,
    pub opened: Zoned,
    pub closed: Option<Zoned>,
    pub chair: PartyCode,
    /// The reason given when the rotation's chair was overridden.
    pub chair_override: Option<String>,
    pub attendance: Vec<(PartyCode, Delegation)>,
    pub items: Vec<JournalItem>,
    /// Decisions taken outside any agenda item.
    pub other_decisions: Vec<JournalDecision>,
    /// Every document of the meeting (linked to items or circulated), sorted, once each.
    pub documents: Vec<Symbol>,
    /// Sorted by title, then symbol.
    pub attachments: Vec<Attachment>,
}

/// Builds the journal from the records.
pub fn journal(rec: &Recorded<'_>) -> Result<Journal, JournalError> {
    let meeting = rec.meeting;
    if rec.agenda.body() != meeting.body() {
        return Err(JournalError::AgendaOfAnotherBody {
            agenda: rec.agenda.body().clone(),
            meeting: meeting.body().clone(),
        });
    }
    if let Some(closed) = rec.closed
        && closed < rec.opened
    {
        return Err(JournalError::ClosedBeforeOpened {
            opened: rec.opened,
            closed,
        });
    }
    let zone: TimeZone = meeting.start().time_zone().clone();
    let local = |t: Timestamp| t.to_zoned(zone.clone());

    let mut interventions: Vec<&Intervention> = rec.interventions.iter().collect();
    interventions.sort_by_key(|i| (i.at, i.seq));
    for i in &interventions {
        if rec.agenda.item(i.item).is_none() {
            return Err(JournalError::UnknownItem(i.item));
        }
        if let Speaker::Party(p) = i.speaker
            && !meeting.delegations().contains_key(&p)
        {
            return Err(JournalError::NotPresent(p));
        }
        if i.at < rec.opened || rec.closed.is_some_and(|c| i.at > c) {
            return Err(JournalError::OutsideSession {
                at: i.at,
                opened: rec.opened,
                closed: rec.closed,
            });
        }
    }
    for d in &rec.decisions {
        if let Some(item) = d.item
            && rec.agenda.item(item).is_none()
        {
            return Err(JournalError::UnknownItem(item));
        }
    }

    let shown = |d: &DecisionRecord| {
        let mut statements = d.statements.clone();
        statements.sort_by_key(|s| (s.at, s.party, s.kind));
        JournalDecision {
            symbol: d.symbol.clone(),
            title: d.title.clone(),
            state: d.state.clone(),
            statements,
        }
    };
    let decisions_under = |item: Option<ItemId>| {
        let mut out: Vec<_> = rec
            .decisions
            .iter()
            .filter(|d| d.item == item)
            .map(shown)
            .collect();
        out.sort_by(|a, b| (&a.symbol, &a.title).cmp(&(&b.symbol, &b.title)));
        out
    };

    let mut documents: BTreeSet<Symbol> = rec.documents.iter().cloned().collect();
    let items = rec
        .agenda
        .numbered()
        .into_iter()
        .map(|n| {
            documents.extend(n.item.documents.iter().map(|d| d.symbol.clone()));
            JournalItem {
                id: n.item.id,
                number: n.number,
                depth: n.depth,
                title: n.item.title.clone(),
                basket: n.item.basket,
                documents: n.item.documents.clone(),
                speakers: interventions
                    .iter()
                    .filter(|i| i.item == n.item.id)
                    .map(|i| Floor {
                        speaker: i.speaker,
                        at: local(i.at),
                    })
                    .collect(),
                decisions: decisions_under(Some(n.item.id)),
            }
        })
        .collect();
    documents.extend(rec.decisions.iter().filter_map(|d| d.symbol.clone()));
    let mut attachments = rec.attachments.clone();
    attachments
        .sort_by(|a, b| (&a.title, &a.symbol, a.digest).cmp(&(&b.title, &b.symbol, b.digest)));

    Ok(Journal {
        symbol: rec.symbol.clone(),
        body: meeting.body().clone(),
        title: meeting.title().to_owned(),
        zone: meeting.zone_name().to_owned(),
        opened: local(rec.opened),
        closed: rec.closed.map(local),
        chair: meeting.chair(),
        chair_override: meeting.chair_override().map(|(o, _)| o.reason.clone()),
        attendance: meeting
            .delegations()
            .iter()
            .map(|(p, d)| (*p, d.clone()))
            .collect(),
        items,
        other_decisions: decisions_under(None),
        documents: documents.into_iter().collect(),
        attachments,
    })
}
