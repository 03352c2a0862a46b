//! Draft decisions and how they are taken: text revisions with optimistic versioning,
//! consensus (positions of the members who must agree), the silence procedure, statements
//! and reservations, numbering of adopted decisions, and participation decisions.
//!
//! Nothing here is stored or scheduled. A draft's state is a pure function of its recorded
//! events and the instant of reading ([`state`], [`review`]): a silence procedure whose
//! deadline has passed unbroken reads as adopted at the deadline, with no job to run.
//! [`check`] says whether a new event may be recorded; the state function ignores events
//! that `check` would have refused, so a bad row cannot change an outcome.

use std::collections::BTreeMap;

use jiff::{Timestamp, civil::Date, tz::TimeZone};

use crate::{
    body::{Body, BodyId},
    document::{Series, Sha256, Symbol, SymbolPrefix},
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode,
};

/// Who did something to a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Author {
    /// A member party (through its delegation).
    Party(PartyCode),
    /// The secretariat, or the chair acting as such; never speaks for a party.
    Secretariat,
}

/// What a decision is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionKind {
    /// An ordinary decision of the body.
    Substantive,
    /// The adoption of a meeting's agenda.
    Agenda,
    /// A change of a party's participation (e.g. KP joining); applied to the
    /// [`Timeline`] once adopted.
    Participation(ParticipationChange),
}

/// A party's change of participation, decided by the Council.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationChange {
    pub party: PartyCode,
    pub status: ParticipationStatus,
    /// First day of the new status.
    pub effective: Date,
    /// The joining party's acceptance of the decisions already taken (required to join).
    pub accepts_decisions_taken: bool,
}

impl ParticipationChange {
    /// A change; joining (becoming participating) requires accepting the decisions taken.
    pub fn new(
        party: PartyCode,
        status: ParticipationStatus,
        effective: Date,
        accepts_decisions_taken: bool,
    ) -> Result<Self, DecisionError> {
        if status == ParticipationStatus::Participating && !accepts_decisions_taken {
            return Err(DecisionError::JoinWithoutAcceptance(party));
        }
        Ok(Self {
            party,
            status,
            effective,
            accepts_decisions_taken,
        })
    }

    /// The timeline entry this decision makes, with the adopted decision's symbol as basis.
    /// Record it with [`Timeline::record`], which checks it against past answers.
    pub fn status_change(&self, decision: &Symbol, recorded_on: Date) -> StatusChange {
        StatusChange {
            party: self.party,
            status: self.status,
            effective: self.effective,
            basis: decision.to_string(),
            recorded_on,
        }
    }
}

/// A draft decision as created. Everything that happens to it afterwards is an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub body: BodyId,
    pub title: String,
    pub kind: DecisionKind,
    /// The text of revision 1.
    pub text: String,
    pub created_at: Timestamp,
    pub created_by: Author,
}

impl Draft {
    pub fn new(
        body: BodyId,
        title: &str,
        kind: DecisionKind,
        text: &str,
        created_at: Timestamp,
        created_by: Author,
    ) -> Result<Self, DecisionError> {
        if title.trim().is_empty() {
            return Err(DecisionError::Empty("title"));
        }
        if text.trim().is_empty() {
            return Err(DecisionError::Empty("text"));
        }
        Ok(Self {
            body,
            title: title.trim().to_owned(),
            kind,
            text: text.to_owned(),
            created_at,
            created_by,
        })
    }
}

/// A member's position on a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Joins,
    NoObjection,
    /// Does not block.
    Abstains,
    /// Blocks consensus; the reason is mandatory.
    Objects {
        reason: String,
    },
}

impl Position {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Joins => "joins",
            Self::NoObjection => "no objection",
            Self::Abstains => "abstains",
            Self::Objects { .. } => "objects",
        }
    }
}

/// An interpretative statement or a formal reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatementKind {
    Interpretative,
    Reservation,
}

/// One recorded event. Events are ordered by `at`, then by `seq` (unique per draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEvent {
    pub seq: u64,
    pub at: Timestamp,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A new revision of the text, made on revision `base` (optimistic versioning).
    /// A new text puts the draft to the members afresh: earlier positions lapse.
    Revised { base: u32, text: String, by: Author },
    /// The draft is put before the body for consideration.
    Tabled,
    /// A member's position; a later one replaces an earlier one.
    Position {
        party: PartyCode,
        position: Position,
    },
    /// A member proposes an amendment (which breaks a silence procedure).
    AmendmentProposed { party: PartyCode, text: String },
    /// The draft is put under silence until `until` (exclusive).
    PutUnderSilence { until: Timestamp },
    /// The chair establishes that no member objects: adopted by consensus.
    ConsensusEstablished,
    /// A member attaches a statement or reservation.
    Statement {
        party: PartyCode,
        kind: StatementKind,
        text: String,
    },
    /// The draft is withdrawn (by its sponsor or the secretariat) and will not be taken up.
    Withdrawn { by: Author },
}

impl EventKind {
    fn name(&self) -> &'static str {
        match self {
            Self::Revised { .. } => "revision",
            Self::Tabled => "tabling",
            Self::Position { .. } => "position",
            Self::AmendmentProposed { .. } => "amendment proposal",
            Self::PutUnderSilence { .. } => "silence procedure",
            Self::ConsensusEstablished => "adoption by consensus",
            Self::Statement { .. } => "statement",
            Self::Withdrawn { .. } => "withdrawal",
        }
    }

    fn party(&self) -> Option<PartyCode> {
        match self {
            Self::Position { party, .. }
            | Self::AmendmentProposed { party, .. }
            | Self::Statement { party, .. } => Some(*party),
            Self::Revised {
                by: Author::Party(p),
                ..
            } => Some(*p),
            _ => None,
        }
    }
}

/// How a decision was adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoptedBy {
    Consensus,
    Silence,
}

/// Why a silence procedure was broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    Objection(String),
    Amendment(String),
}

/// A standing objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub party: PartyCode,
    pub reason: String,
    pub at: Timestamp,
}

/// Where a draft stands at the instant of reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionState {
    /// Written, not yet before the body.
    Draft,
    /// Before the body; no member objects.
    UnderConsideration,
    /// Under silence until `until` (exclusive).
    UnderSilence { until: Timestamp },
    /// The silence procedure was broken by a member's objection or amendment.
    SilenceBroken {
        by: PartyCode,
        at: Timestamp,
        reason: BreakReason,
    },
    /// Adopted at `at` (for silence: the deadline), on text revision `revision`.
    Adopted {
        at: Timestamp,
        by: AdoptedBy,
        revision: u32,
    },
    /// Members object; consensus cannot be established.
    Blocked { objections: Vec<Objection> },
    /// Withdrawn at `at`; nothing more happens to it.
    Withdrawn { at: Timestamp, by: Author },
}

impl DecisionState {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::UnderConsideration => "under consideration",
            Self::UnderSilence { .. } => "under silence",
            Self::SilenceBroken { .. } => "silence broken",
            Self::Adopted { .. } => "adopted",
            Self::Blocked { .. } => "blocked",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// A statement attached to a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub party: PartyCode,
    pub kind: StatementKind,
    pub text: String,
    pub at: Timestamp,
}

/// An amendment proposed by a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub party: PartyCode,
    pub text: String,
    pub at: Timestamp,
}

/// Everything a page shows about a draft at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub state: DecisionState,
    /// Current text revision (1 = the draft's own text).
    pub revision: u32,
    pub text: String,
    /// Each member's latest position on the current revision.
    pub positions: BTreeMap<PartyCode, Position>,
    pub amendments: Vec<Amendment>,
    pub statements: Vec<Statement>,
}

impl Review {
    /// The SHA-256 of the current text's UTF-8 bytes: what the log records for an adopted
    /// decision's text.
    pub fn text_digest(&self) -> Sha256 {
        Sha256::of(self.text.as_bytes())
    }

    /// The members who must agree on `date` and have given no position (absent or silent;
    /// they do not block).
    pub fn silent(&self, ctx: &Context<'_>, date: Date) -> Vec<PartyCode> {
        ctx.body
            .must_agree_on(date, ctx.timeline)
            .into_iter()
            .filter(|p| !self.positions.contains_key(p))
            .collect()
    }
}

/// What a decision's state depends on besides its events: the body, the participation
/// timeline, and the body's time zone (dates of membership are the body's dates).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub body: &'a Body,
    pub timeline: &'a Timeline,
    pub zone: &'a TimeZone,
}

impl Context<'_> {
    /// The body's calendar date at instant `at`.
    pub fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.zone.clone()).date()
    }

    /// Whether `party` must agree (is a participating member) at instant `at`.
    pub fn must_agree(&self, party: PartyCode, at: Timestamp) -> bool {
        let date = self.date_of(at);
        self.body.has_member(party, date, self.timeline)
            && self.timeline.is_participating(party, date)
    }
}

/// A refused draft or event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("the draft belongs to body {draft}, not {body}")]
    WrongBody { draft: BodyId, body: BodyId },
    #[error(
        "{party} is not a participating member of {body} on {date}: only members may take positions, propose amendments or attach statements"
    )]
    NotAMember {
        party: PartyCode,
        body: BodyId,
        date: Date,
    },
    #[error(
        "conflicting edit: it was made on revision {based_on}, but the text is now at revision {current}; reload revision {current} and apply the change again"
    )]
    Conflict { based_on: u32, current: u32 },
    #[error("an objection needs a reason")]
    ReasonRequired,
    #[error("the silence deadline {until} is not after {at}, when the procedure is started")]
    DeadlineNotInFuture { until: Timestamp, at: Timestamp },
    #[error("objections by {} stand: they must be withdrawn before the draft can be adopted or put under silence", list(.0))]
    ObjectionsStand(Vec<PartyCode>),
    #[error("a {event} is not possible while the draft is {state}")]
    NotNow {
        event: &'static str,
        state: &'static str,
    },
    #[error(
        "event {seq} at {at} comes before the last recorded event (seq {last_seq} at {last_at}): events are appended in order"
    )]
    OutOfOrder {
        seq: u64,
        at: Timestamp,
        last_seq: u64,
        last_at: Timestamp,
    },
    #[error("joining the mechanism requires {0}'s acceptance of the decisions already taken")]
    JoinWithoutAcceptance(PartyCode),
}

fn list(parties: &[PartyCode]) -> String {
    parties
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
enum Phase {
    Draft,
    Consideration,
    Silence {
        until: Timestamp,
    },
    Broken {
        by: PartyCode,
        at: Timestamp,
        reason: BreakReason,
    },
    Adopted {
        at: Timestamp,
        by: AdoptedBy,
        revision: u32,
    },
    Withdrawn {
        at: Timestamp,
        by: Author,
    },
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Consideration => "under consideration",
            Self::Silence { .. } => "under silence",
            Self::Broken { .. } => "silence broken",
            Self::Adopted { .. } => "adopted",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }
}

struct Machine {
    phase: Phase,
    revision: u32,
    text: String,
    positions: BTreeMap<PartyCode, (Position, Timestamp)>,
    amendments: Vec<Amendment>,
    statements: Vec<Statement>,
}

impl Machine {
    fn new(draft: &Draft) -> Self {
        Self {
            phase: Phase::Draft,
            revision: 1,
            text: draft.text.clone(),
            positions: BTreeMap::new(),
            amendments: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// Lets time pass up to `t`: a silence whose deadline is at or before `t` ends in
    /// adoption at the deadline.
    fn advance(&mut self, t: Timestamp) {
        if let Phase::Silence { until } = self.phase
            && until <= t
        {
            self.phase = Phase::Adopted {
                at: until,
                by: AdoptedBy::Silence,
                revision: self.revision,
            };
        }
    }

    fn objections(&self) -> Vec<Objection> {
        self.positions
            .iter()
            .filter_map(|(party, (pos, at))| match pos {
                Position::Objects { reason } => Some(Objection {
                    party: *party,
                    reason: reason.clone(),
                    at: *at,
                }),
                _ => None,
            })
            .collect()
    }

    /// Why `event` may not be applied now, if it may not.
    fn refusal(&self, ctx: &Context<'_>, event: &DecisionEvent) -> Option<DecisionError> {
        if let Some(party) = event.kind.party()
            && !ctx.must_agree(party, event.at)
        {
            return Some(DecisionError::NotAMember {
                party,
                body: ctx.body.id.clone(),
                date: ctx.date_of(event.at),
            });
        }
        let not_now = || DecisionError::NotNow {
            event: event.kind.name(),
            state: self.phase.name(),
        };
        let open = matches!(self.phase, Phase::Consideration | Phase::Broken { .. });
        let standing = || {
            let o: Vec<_> = self.objections().into_iter().map(|o| o.party).collect();
            (!o.is_empty()).then_some(DecisionError::ObjectionsStand(o))
        };
        match &event.kind {
            EventKind::Revised { base, text, .. } => {
                if !(open || matches!(self.phase, Phase::Draft)) {
                    return Some(not_now());
                }
                if *base != self.revision {
                    return Some(DecisionError::Conflict {
                        based_on: *base,
                        current: self.revision,
                    });
                }
                text.trim()
                    .is_empty()
                    .then_some(DecisionError::Empty("text"))
            }
            EventKind::Tabled => {
                (!matches!(self.phase, Phase::Draft | Phase::Broken { .. })).then(not_now)
            }
            EventKind::Position { position, .. } => {
                if let Position::Objects { reason } = position
                    && reason.trim().is_empty()
                {
                    return Some(DecisionError::ReasonRequired);
                }
                (!(open || matches!(self.phase, Phase::Silence { .. }))).then(not_now)
            }
            EventKind::AmendmentProposed { text, .. } => {
                if text.trim().is_empty() {
                    return Some(DecisionError::Empty("amendment"));
                }
                (!(open || matches!(self.phase, Phase::Silence { .. }))).then(not_now)
            }
            EventKind::PutUnderSilence { until } => {
                if !(open || matches!(self.phase, Phase::Draft)) {
                    return Some(not_now());
                }
                if *until <= event.at {
                    return Some(DecisionError::DeadlineNotInFuture {
                        until: *until,
                        at: event.at,
                    });
                }
                standing()
            }
            EventKind::ConsensusEstablished => {
                if !open {
                    return Some(not_now());
                }
                standing()
            }
            EventKind::Statement { text, .. } => {
                if text.trim().is_empty() {
                    return Some(DecisionError::Empty("statement"));
                }
                matches!(self.phase, Phase::Draft | Phase::Withdrawn { .. }).then(not_now)
            }
            EventKind::Withdrawn { by } => {
                if let Author::Party(p) = by
                    && !ctx.must_agree(*p, event.at)
                {
                    return Some(DecisionError::NotAMember {
                        party: *p,
                        body: ctx.body.id.clone(),
                        date: ctx.date_of(event.at),
                    });
                }
                matches!(self.phase, Phase::Adopted { .. } | Phase::Withdrawn { .. }).then(not_now)
            }
        }
    }

    fn apply(&mut self, event: &DecisionEvent) {
        let at = event.at;
        match &event.kind {
            EventKind::Revised { text, .. } => {
                self.revision += 1;
                self.text = text.clone();
                self.positions.clear();
            }
            EventKind::Tabled => self.phase = Phase::Consideration,
            EventKind::Position { party, position } => {
                if let (Phase::Silence { .. }, Position::Objects { reason }) =
                    (&self.phase, position)
                {
                    self.phase = Phase::Broken {
                        by: *party,
                        at,
                        reason: BreakReason::Objection(reason.clone()),
                    };
                }
                self.positions.insert(*party, (position.clone(), at));
            }
            EventKind::AmendmentProposed { party, text } => {
                if let Phase::Silence { .. } = self.phase {
                    self.phase = Phase::Broken {
                        by: *party,
                        at,
                        reason: BreakReason::Amendment(text.clone()),
                    };
                }
                self.amendments.push(Amendment {
                    party: *party,
                    text: text.clone(),
                    at,
                });
            }
            EventKind::PutUnderSilence { until } => {
                self.phase = Phase::Silence { until: *until };
            }
            EventKind::ConsensusEstablished => {
                self.phase = Phase::Adopted {
                    at,
                    by: AdoptedBy::Consensus,
                    revision: self.revision,
                };
            }
            EventKind::Statement { party, kind, text } => self.statements.push(Statement {
                party: *party,
                kind: *kind,
                text: text.clone(),
                at,
            }),
            EventKind::Withdrawn { by } => self.phase = Phase::Withdrawn { at, by: *by },
        }
    }

    fn state(&self) -> DecisionState {
        match &self.phase {
            Phase::Draft => DecisionState::Draft,
            Phase::Silence { until } => DecisionState::UnderSilence { until: *until },
            Phase::Adopted { at, by, revision } => DecisionState::Adopted {
                at: *at,
                by: *by,
                revision: *revision,
            },
            Phase::Withdrawn { at, by } => DecisionState::Withdrawn { at: *at, by: *by },
            Phase::Broken { by, at, reason } => DecisionState::SilenceBroken {
                by: *by,
                at: *at,
                reason: reason.clone(),
            },
            Phase::Consideration => {
                let objections = self.objections();
                if objections.is_empty() {
                    DecisionState::UnderConsideration
                } else {
                    DecisionState::Blocked { objections }
                }
            }
        }
    }
}

/// Events in recorded order: by instant, ties by sequence number.
fn sorted(events: &[DecisionEvent]) -> Vec<&DecisionEvent> {
    let mut sorted: Vec<_> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.seq));
    sorted
}

fn run(ctx: &Context<'_>, draft: &Draft, events: &[DecisionEvent], as_of: Timestamp) -> Machine {
    let mut m = Machine::new(draft);
    for event in sorted(events) {
        if event.at > as_of {
            break;
        }
        m.advance(event.at);
        if m.refusal(ctx, event).is_none() {
            m.apply(event);
        }
    }
    m.advance(as_of);
    m
}

/// The draft's state at `as_of`, from its events alone (events after `as_of` are not yet
/// known; events [`check`] would refuse are ignored).
pub fn state(
    ctx: &Context<'_>,
    draft: &Draft,
    events: &[DecisionEvent],
    as_of: Timestamp,
) -> DecisionState {
    run(ctx, draft, events, as_of).state()
}

/// The state with the current text, positions, amendments and statements.
pub fn review(
    ctx: &Context<'_>,
    draft: &Draft,
    events: &[DecisionEvent],
    as_of: Timestamp,
) -> Review {
    let m = run(ctx, draft, events, as_of);
    Review {
        state: m.state(),
        revision: m.revision,
        text: m.text.clone(),
        positions: m
            .positions
            .iter()
            .map(|(p, (pos, _))| (*p, pos.clone()))
            .collect(),
        amendments: m.amendments.clone(),
        statements: m.statements.clone(),
    }
}

/// Whether `new` may be appended to `events`: it must come after every recorded event
/// (instant, then sequence number), be made by a member who must agree on its date in the
/// body's zone, and fit the draft's state at its instant.
pub fn check(
    ctx: &Context<'_>,
    draft: &Draft,
    events: &[DecisionEvent],
    new: &DecisionEvent,
) -> Result<(), DecisionError> {
    if draft.body != ctx.body.id {
        return Err(DecisionError::WrongBody {
            draft: draft.body.clone(),
            body: ctx.body.id.clone(),
        });
    }
    if let Some(last) = events.iter().max_by_key(|e| (e.at, e.seq))
        && ((new.at, new.seq) <= (last.at, last.seq) || events.iter().any(|e| e.seq == new.seq))
    {
        return Err(DecisionError::OutOfOrder {
            seq: new.seq,
            at: new.at,
            last_seq: last.seq,
            last_at: last.at,
        });
    }
    let m = run(ctx, draft, events, new.at);
    match m.refusal(ctx, new) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Symbols of adopted decisions, numbered per calendar year (in the body's zone) in order of
/// adoption (ties by key): `MC.DEC/1/26`, `MC.DEC/2/26`, … The numbers are stable: an
/// adoption is only known once its instant has passed, so no later reading can slip an
/// earlier adoption in.
pub fn number_adopted<K: Clone + Ord>(
    prefix: &SymbolPrefix,
    adopted: &[(K, Timestamp)],
    zone: &TimeZone,
) -> Vec<(K, Symbol)> {
    let mut order: Vec<_> = adopted.iter().collect();
    order.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let mut counters: BTreeMap<i16, u32> = BTreeMap::new();
    order
        .into_iter()
        .map(|(key, at)| {
            let year = at.to_zoned(zone.clone()).year();
            let n = counters.entry(year).or_default();
            *n += 1;
            let symbol = Symbol::new(prefix.clone(), Series::decisions(), *n, Some(year))
                .expect("numbers start at 1");
            (key.clone(), symbol)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::default_bodies;
    use PartyCode::*;
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn fixture() -> (Body, Timeline, TimeZone) {
        (
            default_bodies(2026).remove(0),
            Timeline::founding(date(2026, 1, 1), "Founding Declaration"),
            TimeZone::get("Asia/Seoul").unwrap(),
        )
    }

    fn draft(body: &Body) -> Draft {
        Draft::new(
            body.id.clone(),
            "Launch pre-notification",
            DecisionKind::Substantive,
            "The Council decides …",
            ts("2026-03-01T00:00:00Z"),
            Author::Secretariat,
        )
        .unwrap()
    }

    fn ev(seq: u64, at: &str, kind: EventKind) -> DecisionEvent {
        DecisionEvent {
            seq,
            at: ts(at),
            kind,
        }
    }

    fn objects(party: PartyCode) -> EventKind {
        EventKind::Position {
            party,
            position: Position::Objects {
                reason: "not ready".into(),
            },
        }
    }

    #[test]
    fn non_member_positions_are_refused_and_ignored() {
        let (body, t, zone) = fixture();
        let ctx = Context {
            body: &body,
            timeline: &t,
            zone: &zone,
        };
        let d = draft(&body);
        let events = vec![ev(1, "2026-03-02T00:00:00Z", EventKind::Tabled)];
        let kp = ev(2, "2026-03-03T00:00:00Z", objects(KP));
        assert!(matches!(
            check(&ctx, &d, &events, &kp),
            Err(DecisionError::NotAMember { party: KP, .. })
        ));
        let mut with = events.clone();
        with.push(kp);
        assert_eq!(
            state(&ctx, &d, &with, ts("2026-03-04T00:00:00Z")),
            DecisionState::UnderConsideration
        );
    }

    #[test]
    fn silence_deadline_must_be_in_the_future() {
        let (body, t, zone) = fixture();
        let ctx = Context {
            body: &body,
            timeline: &t,
            zone: &zone,
        };
        let d = draft(&body);
        let at = "2026-03-02T00:00:00Z";
        for until in [at, "2026-03-01T23:59:59Z"] {
            let e = ev(1, at, EventKind::PutUnderSilence { until: ts(until) });
            assert_eq!(
                check(&ctx, &d, &[], &e),
                Err(DecisionError::DeadlineNotInFuture {
                    until: ts(until),
                    at: ts(at)
                })
            );
        }
    }

    #[test]
    fn conflicting_edit_names_both_revisions() {
        let (body, t, zone) = fixture();
        let ctx = Context {
            body: &body,
            timeline: &t,
            zone: &zone,
        };
        let d = draft(&body);
        let edit = |seq, base| {
            ev(
                seq,
                "2026-03-02T00:00:00Z",
                EventKind::Revised {
                    base,
                    text: format!("text {seq}"),
                    by: Author::Secretariat,
                },
            )
        };
        let events = vec![edit(1, 1)];
        check(&ctx, &d, &[], &events[0]).unwrap();
        let err = check(&ctx, &d, &events, &edit(2, 1)).unwrap_err();
        assert_eq!(
            err,
            DecisionError::Conflict {
                based_on: 1,
                current: 2
            }
        );
        assert!(err.to_string().contains("revision 1") && err.to_string().contains("revision 2"));
        check(&ctx, &d, &events, &edit(2, 2)).unwrap();
        let r = review(&ctx, &d, &events, ts("2026-03-03T00:00:00Z"));
        assert_eq!((r.revision, r.text.as_str()), (2, "text 1"));
    }

    #[test]
    fn objection_needs_a_reason_and_blocks_until_withdrawn() {
        let (body, t, zone) = fixture();
        let ctx = Context {
            body: &body,
            timeline: &t,
            zone: &zone,
        };
        let d = draft(&body);
        let mut events = vec![
            ev(1, "2026-03-02T00:00:00Z", EventKind::Tabled),
            ev(2, "2026-03-02T01:00:00Z", objects(RU)),
        ];
        let bare = ev(
            3,
            "2026-03-02T02:00:00Z",
            EventKind::Position {
                party: JP,
                position: Position::Objects { reason: " ".into() },
            },
        );
        assert_eq!(
            check(&ctx, &d, &events, &bare),
            Err(DecisionError::ReasonRequired)
        );
        let gavel = ev(3, "2026-03-02T02:00:00Z", EventKind::ConsensusEstablished);
        assert_eq!(
            check(&ctx, &d, &events, &gavel),
            Err(DecisionError::ObjectionsStand(vec![RU]))
        );
        let silence = ev(
            3,
            "2026-03-02T02:00:00Z",
            EventKind::PutUnderSilence {
                until: ts("2026-03-09T09:00:00Z"),
            },
        );
        assert_eq!(
            check(&ctx, &d, &events, &silence),
            Err(DecisionError::ObjectionsStand(vec![RU]))
        );
        assert!(matches!(
            state(&ctx, &d, &events, ts("2026-03-03T00:00:00Z")),
            DecisionState::Blocked { objections } if objections.len() == 1 && objections[0].party == RU
        ));
        events.push(ev(
            3,
            "2026-03-02T03:00:00Z",
            EventKind::Position {
                party: RU,
                position: Position::NoObjection,
            },
        ));
        let gavel = ev(4, "2026-03-02T04:00:00Z", EventKind::ConsensusEstablished);
        check(&ctx, &d, &events, &gavel).unwrap();
        events.push(gavel);
        assert_eq!(
            state(&ctx, &d, &events, ts("2026-03-03T00:00:00Z")),
            DecisionState::Adopted {
                at: ts("2026-03-02T04:00:00Z"),
                by: AdoptedBy::Consensus,
                revision: 1
            }
        );
        let late = ev(5, "2026-03-02T05:00:00Z", objects(JP));
        assert!(matches!(
            check(&ctx, &d, &events, &late),
            Err(DecisionError::NotNow { .. })
        ));
        let early = ev(4, "2026-03-02T03:30:00Z", EventKind::Tabled);
        assert!(matches!(
            check(&ctx, &d, &events, &early),
            Err(DecisionError::OutOfOrder { .. })
        ));
    }

    #[test]
    fn a_withdrawn_draft_takes_nothing_more() {
        let (body, t, zone) = fixture();
        let ctx = Context {
            body: &body,
            timeline: &t,
            zone: &zone,
        };
        let d = draft(&body);
        let events = vec![
            ev(1, "2026-03-02T00:00:00Z", EventKind::Tabled),
            ev(
                2,
                "2026-03-02T01:00:00Z",
                EventKind::Withdrawn {
                    by: Author::Party(KR),
                },
            ),
        ];
        assert_eq!(
            state(&ctx, &d, &events, ts("2026-03-03T00:00:00Z")),
            DecisionState::Withdrawn {
                at: ts("2026-03-02T01:00:00Z"),
                by: Author::Party(KR)
            }
        );
        for kind in [
            EventKind::ConsensusEstablished,
            EventKind::Tabled,
            EventKind::Withdrawn {
                by: Author::Secretariat,
            },
            EventKind::Statement {
                party: JP,
                kind: StatementKind::Reservation,
                text: "x".into(),
            },
        ] {
            assert!(matches!(
                check(&ctx, &d, &events, &ev(3, "2026-03-02T02:00:00Z", kind)),
                Err(DecisionError::NotNow {
                    state: "withdrawn",
                    ..
                })
            ));
        }
        let by_kp = ev(
            2,
            "2026-03-02T01:00:00Z",
            EventKind::Withdrawn {
                by: Author::Party(KP),
            },
        );
        assert!(matches!(
            check(&ctx, &d, &events[..1], &by_kp),
            Err(DecisionError::NotAMember { party: KP, .. })
        ));
    }

    #[test]
    fn adopted_decisions_are_numbered_per_year_in_the_bodys_zone() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let mc = SymbolPrefix::parse("MC").unwrap();
        // 2026-12-31T16:00Z is already 2027-01-01 in Seoul.
        let adopted = [
            ("c", ts("2026-12-31T16:00:00Z")),
            ("a", ts("2026-05-01T00:00:00Z")),
            ("b", ts("2026-05-01T00:00:00Z")),
        ];
        let numbered: Vec<_> = number_adopted(&mc, &adopted, &seoul)
            .into_iter()
            .map(|(k, s)| (k, s.to_string()))
            .collect();
        assert_eq!(
            numbered,
            vec![
                ("a", "MC.DEC/1/26".to_owned()),
                ("b", "MC.DEC/2/26".to_owned()),
                ("c", "MC.DEC/1/27".to_owned())
            ]
        );
    }

    #[test]
    fn joining_requires_acceptance_and_yields_the_timeline_change() {
        assert_eq!(
            ParticipationChange::new(
                KP,
                ParticipationStatus::Participating,
                date(2027, 6, 1),
                false
            ),
            Err(DecisionError::JoinWithoutAcceptance(KP))
        );
        let c = ParticipationChange::new(
            KP,
            ParticipationStatus::Participating,
            date(2027, 6, 1),
            true,
        )
        .unwrap();
        let sym = Symbol::parse("MC.DEC/2/27").unwrap();
        let change = c.status_change(&sym, date(2027, 5, 20));
        let mut t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        t.record(change).unwrap();
        assert_eq!(
            t.change_in_force(KP, date(2027, 6, 1)).unwrap().basis,
            "MC.DEC/2/27"
        );
    }
}
