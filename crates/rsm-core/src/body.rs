//! Bodies of the mechanism (council, working groups, talks): their members, activity and chair.
//!
//! Bodies are data. The defaults below are what the founding declaration sets up; the
//! secretariat edits them later, and the store keeps every revision.

use std::{collections::BTreeSet, fmt};

use jiff::civil::Date;

use crate::{participation::Timeline, party::PartyCode};

/// A body's stable identifier: 2–40 characters of `a-z`, `0-9` and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BodyId(String);

impl BodyId {
    pub fn parse(s: &str) -> Result<Self, BodyError> {
        let ok_len = (2..=40).contains(&s.len());
        let ok_start = s.starts_with(|c: char| c.is_ascii_lowercase());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok_len && ok_start && ok_chars {
            Ok(Self(s.to_owned()))
        } else {
            Err(BodyError::BadId(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BodyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The three baskets of the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basket {
    Security,
    Economic,
    Humanitarian,
}

impl Basket {
    pub const ALL: [Self; 3] = [Self::Security, Self::Economic, Self::Humanitarian];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Economic => "economic",
            Self::Humanitarian => "humanitarian",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// What kind of body it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    MinisterialCouncil,
    WorkingGroup(Basket),
    Talks,
}

impl BodyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinisterialCouncil => "ministerial-council",
            Self::WorkingGroup(Basket::Security) => "working-group:security",
            Self::WorkingGroup(Basket::Economic) => "working-group:economic",
            Self::WorkingGroup(Basket::Humanitarian) => "working-group:humanitarian",
            Self::Talks => "talks",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ministerial-council" => Some(Self::MinisterialCouncil),
            "talks" => Some(Self::Talks),
            _ => s
                .strip_prefix("working-group:")
                .and_then(Basket::parse)
                .map(Self::WorkingGroup),
        }
    }
}

/// Who sits in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// Every party participating on the date asked about.
    AllParticipating,
    /// A fixed list of parties (each counted for decisions only while it participates).
    Parties(BTreeSet<PartyCode>),
}

/// Whether outsiders may know the body exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    /// Invisible to non-members in every view: titles, documents, meetings, calendars, search.
    Restricted,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Restricted => "restricted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "restricted" => Some(Self::Restricted),
            _ => None,
        }
    }
}

/// When the body can meet and decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Always,
    /// Active only on dates when the given party participates.
    WhileParticipating(PartyCode),
}

/// A body as configured at one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub id: BodyId,
    pub name: String,
    pub kind: BodyKind,
    pub visibility: Visibility,
    pub membership: Membership,
    pub activation: Activation,
    /// Order in which member parties take the chair, one calendar year each.
    pub chair_rotation: Vec<PartyCode>,
    /// The year in which the first party of the rotation chairs.
    pub rotation_start_year: i16,
}

/// A body definition that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("id `{0}` is not valid: use 2–40 characters a-z, 0-9 and '-', starting with a letter")]
    BadId(String),
    #[error("name must not be empty")]
    EmptyName,
    #[error("name is longer than 200 characters")]
    LongName,
    #[error("a restricted body needs an explicit list of member parties")]
    RestrictedNeedsMembers,
    #[error("members must not be empty")]
    NoMembers,
    #[error("chair_rotation names {0}, which is not a member")]
    ChairNotMember(PartyCode),
    #[error("chair_rotation names {0} twice")]
    ChairTwice(PartyCode),
}

impl Body {
    /// Checks the body's own rules.
    pub fn validate(&self) -> Result<(), BodyError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(BodyError::EmptyName);
        }
        if name.chars().count() > 200 {
            return Err(BodyError::LongName);
        }
        match (&self.membership, self.visibility) {
            (Membership::AllParticipating, Visibility::Restricted) => {
                return Err(BodyError::RestrictedNeedsMembers);
            }
            (Membership::Parties(set), _) if set.is_empty() => return Err(BodyError::NoMembers),
            _ => {}
        }
        let mut seen = BTreeSet::new();
        for &p in &self.chair_rotation {
            if !seen.insert(p) {
                return Err(BodyError::ChairTwice(p));
            }
            if let Membership::Parties(set) = &self.membership
                && !set.contains(&p)
            {
                return Err(BodyError::ChairNotMember(p));
            }
        }
        Ok(())
    }

    /// Whether `party` belongs to the body on `date` (regardless of whether it may decide).
    pub fn has_member(&self, party: PartyCode, date: Date, timeline: &Timeline) -> bool {
        match &self.membership {
            Membership::AllParticipating => timeline.is_participating(party, date),
            Membership::Parties(set) => set.contains(&party),
        }
    }

    /// Whether `party` is named in the body's membership at all (used for visibility).
    pub fn names_member(&self, party: PartyCode) -> bool {
        match &self.membership {
            Membership::AllParticipating => true,
            Membership::Parties(set) => set.contains(&party),
        }
    }

    /// The members whose agreement a consensus needs on `date`: members that participate.
    pub fn must_agree_on(&self, date: Date, timeline: &Timeline) -> Vec<PartyCode> {
        PartyCode::ALL
            .into_iter()
            .filter(|&p| self.has_member(p, date, timeline) && timeline.is_participating(p, date))
            .collect()
    }

    /// Whether the body can meet and decide on `date`.
    pub fn is_active_on(&self, date: Date, timeline: &Timeline) -> bool {
        match self.activation {
            Activation::Always => true,
            Activation::WhileParticipating(p) => timeline.is_participating(p, date),
        }
    }

    /// The chair on `date`: the rotation advances one place per calendar year from
    /// `rotation_start_year`, skipping parties that do not participate on that date.
    pub fn chair_on(&self, date: Date, timeline: &Timeline) -> Option<PartyCode> {
        let eligible: Vec<PartyCode> = self
            .chair_rotation
            .iter()
            .copied()
            .filter(|&p| self.has_member(p, date, timeline) && timeline.is_participating(p, date))
            .collect();
        if eligible.is_empty() {
            return None;
        }
        let offset = i64::from(date.year()) - i64::from(self.rotation_start_year);
        let n = eligible.len() as i64;
        let index = offset.rem_euclid(n) as usize;
        Some(eligible[index])
    }
}

/// The bodies set up by the founding declaration.
pub fn default_bodies(founded_year: i16) -> Vec<Body> {
    use PartyCode::*;
    let all_rotation = vec![CN, JP, KR, RU, US, KP];
    let open = |id: &str, name: &str, kind: BodyKind| Body {
        id: BodyId::parse(id).expect("default ids are valid"),
        name: name.to_owned(),
        kind,
        visibility: Visibility::Public,
        membership: Membership::AllParticipating,
        activation: Activation::Always,
        chair_rotation: all_rotation.clone(),
        rotation_start_year: founded_year,
    };
    vec![
        open(
            "ministerial-council",
            "Ministerial Council",
            BodyKind::MinisterialCouncil,
        ),
        open(
            "wg-security",
            "Working Group on Security",
            BodyKind::WorkingGroup(Basket::Security),
        ),
        open(
            "wg-economic",
            "Working Group on Economic Cooperation",
            BodyKind::WorkingGroup(Basket::Economic),
        ),
        open(
            "wg-humanitarian",
            "Working Group on Humanitarian Affairs",
            BodyKind::WorkingGroup(Basket::Humanitarian),
        ),
        Body {
            activation: Activation::WhileParticipating(KP),
            ..open(
                "denuclearisation-talks",
                "Talks on the Denuclearisation of the Korean Peninsula",
                BodyKind::Talks,
            )
        },
        Body {
            visibility: Visibility::Restricted,
            membership: Membership::Parties([CN, KP, KR, US].into_iter().collect()),
            chair_rotation: vec![CN, KR, US, KP],
            ..open(
                "peace-regime-talks",
                "Talks on a Peace Regime for the Korean Peninsula",
                BodyKind::Talks,
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participation::{ParticipationStatus, StatusChange};
    use PartyCode::*;
    use jiff::civil::date;

    fn timeline_with_kp_joining(on: Date) -> Timeline {
        let mut t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        t.record(StatusChange {
            party: KP,
            status: ParticipationStatus::Participating,
            effective: on,
            basis: "MC.DEC/2/27".into(),
            recorded_on: date(2027, 1, 1),
        })
        .unwrap();
        t
    }

    #[test]
    fn defaults_are_valid_and_shaped_as_founded() {
        let bodies = default_bodies(2026);
        assert_eq!(bodies.len(), 6);
        for b in &bodies {
            b.validate().unwrap();
        }
        let peace = bodies
            .iter()
            .find(|b| b.id.as_str() == "peace-regime-talks")
            .unwrap();
        assert_eq!(peace.visibility, Visibility::Restricted);
        assert!(peace.names_member(KP) && !peace.names_member(JP));
    }

    #[test]
    fn denuclearisation_talks_active_only_while_kp_participates() {
        let t = timeline_with_kp_joining(date(2027, 6, 1));
        let bodies = default_bodies(2026);
        let talks = bodies
            .iter()
            .find(|b| b.id.as_str() == "denuclearisation-talks")
            .unwrap();
        assert!(!talks.is_active_on(date(2027, 5, 31), &t));
        assert!(talks.is_active_on(date(2027, 6, 1), &t));
    }

    #[test]
    fn must_agree_follows_participation() {
        let t = timeline_with_kp_joining(date(2027, 6, 1));
        let bodies = default_bodies(2026);
        let council = &bodies[0];
        assert_eq!(
            council.must_agree_on(date(2027, 5, 1), &t),
            vec![CN, JP, KR, RU, US]
        );
        assert_eq!(council.must_agree_on(date(2027, 7, 1), &t).len(), 6);
        let peace = &bodies[5];
        assert_eq!(peace.must_agree_on(date(2027, 5, 1), &t), vec![CN, KR, US]);
        assert_eq!(
            peace.must_agree_on(date(2027, 7, 1), &t),
            vec![CN, KP, KR, US]
        );
    }

    #[test]
    fn chair_rotates_yearly_and_skips_non_participants() {
        let t = timeline_with_kp_joining(date(2031, 1, 1));
        let council = &default_bodies(2026)[0];
        let chairs: Vec<_> = (2026..=2032)
            .map(|y| council.chair_on(date(y, 3, 1), &t).unwrap())
            .collect();
        // Five participants until 2031: CN JP KR RU US, then six: 2031 → index 5 = KP.
        assert_eq!(chairs, vec![CN, JP, KR, RU, US, KP, CN]);
    }

    #[test]
    fn bad_bodies_are_refused_with_the_rule() {
        let mut b = default_bodies(2026)[5].clone();
        b.chair_rotation.push(JP);
        assert_eq!(b.validate(), Err(BodyError::ChairNotMember(JP)));
        b.chair_rotation = vec![CN, CN];
        assert_eq!(b.validate(), Err(BodyError::ChairTwice(CN)));
        b.membership = Membership::AllParticipating;
        b.chair_rotation.clear();
        assert_eq!(b.validate(), Err(BodyError::RestrictedNeedsMembers));
        assert!(BodyId::parse("Peace Talks").is_err());
        assert!(BodyId::parse("x").is_err());
        assert!(BodyId::parse("wg-1").is_ok());
    }
}
