//! Meetings of a body: when and where (in an IANA time zone), who chairs (the body's
//! rotation unless overridden with a reason), which delegations attend, and the warning
//! that the Ministerial Council has gone too long without a meeting.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp, ToSpan, Zoned, civil::Date};

use crate::{
    body::{Body, BodyId},
    participation::Timeline,
    party::PartyCode,
};

/// Where a meeting takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Venue(String),
    /// An `https://` link.
    Video(String),
    Hybrid {
        venue: String,
        link: String,
    },
}

/// The chair named instead of the rotation's, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChairOverride {
    pub party: PartyCode,
    pub reason: String,
}

/// A party's delegation: its head and other members, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub head: String,
    pub members: Vec<String>,
}

/// What the secretariat fills in to schedule a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPlan {
    pub body: BodyId,
    pub title: String,
    pub start: Zoned,
    pub end: Zoned,
    pub place: Place,
    pub chair_override: Option<ChairOverride>,
    pub delegations: BTreeMap<PartyCode, Delegation>,
}

/// A scheduled meeting that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    plan: MeetingPlan,
    chair: PartyCode,
    /// The rotation's chair, when it was overridden.
    rotation_chair: Option<PartyCode>,
}

/// Why a meeting cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("title must not be empty")]
    EmptyTitle,
    #[error("the plan is for body {plan}, not {body}")]
    WrongBody { plan: BodyId, body: BodyId },
    #[error("the meeting ends ({end}) before or when it starts ({start})")]
    EndNotAfterStart { start: Zoned, end: Zoned },
    #[error("times must be given in an IANA time zone (such as Asia/Seoul), not a fixed offset")]
    NotIanaZone,
    #[error("start is in {start} but end is in {end}: a meeting has one time zone")]
    ZoneMismatch { start: String, end: String },
    #[error("{body} is not active on {date} and cannot meet")]
    BodyInactive { body: BodyId, date: Date },
    #[error("{party} is not a participating member of {body} on {date} and cannot chair")]
    ChairNotMember {
        party: PartyCode,
        body: BodyId,
        date: Date,
    },
    #[error("overriding the rotation's chair needs a reason")]
    OverrideWithoutReason,
    #[error("no member of {body} can chair on {date}: the rotation has no participating member")]
    NoChair { body: BodyId, date: Date },
    #[error("{party} is not a member of {body} on {date} and cannot send a delegation")]
    DelegationNotMember {
        party: PartyCode,
        body: BodyId,
        date: Date,
    },
    #[error("the delegation of {0} needs a head")]
    NoHead(PartyCode),
    #[error("venue must not be empty")]
    EmptyVenue,
    #[error("video link `{0}` must be an https:// address")]
    BadLink(String),
}

impl Meeting {
    /// Checks `plan` against the body and the timeline on the start date (in the meeting's
    /// zone) and fixes the chair.
    pub fn schedule(
        plan: MeetingPlan,
        body: &Body,
        timeline: &Timeline,
    ) -> Result<Self, MeetingError> {
        if plan.title.trim().is_empty() {
            return Err(MeetingError::EmptyTitle);
        }
        if plan.body != body.id {
            return Err(MeetingError::WrongBody {
                plan: plan.body.clone(),
                body: body.id.clone(),
            });
        }
        let (Some(zs), Some(ze)) = (
            plan.start.time_zone().iana_name(),
            plan.end.time_zone().iana_name(),
        ) else {
            return Err(MeetingError::NotIanaZone);
        };
        if zs != ze {
            return Err(MeetingError::ZoneMismatch {
                start: zs.to_owned(),
                end: ze.to_owned(),
            });
        }
        if plan.end.timestamp() <= plan.start.timestamp() {
            return Err(MeetingError::EndNotAfterStart {
                start: plan.start.clone(),
                end: plan.end.clone(),
            });
        }
        check_place(&plan.place)?;
        let date = plan.start.date();
        if !body.is_active_on(date, timeline) {
            return Err(MeetingError::BodyInactive {
                body: body.id.clone(),
                date,
            });
        }
        let rotation = body.chair_on(date, timeline);
        let (chair, rotation_chair) = match &plan.chair_override {
            Some(o) => {
                if o.reason.trim().is_empty() {
                    return Err(MeetingError::OverrideWithoutReason);
                }
                if !body.must_agree_on(date, timeline).contains(&o.party) {
                    return Err(MeetingError::ChairNotMember {
                        party: o.party,
                        body: body.id.clone(),
                        date,
                    });
                }
                (o.party, rotation)
            }
            None => (
                rotation.ok_or_else(|| MeetingError::NoChair {
                    body: body.id.clone(),
                    date,
                })?,
                None,
            ),
        };
        for (party, delegation) in &plan.delegations {
            if !body.has_member(*party, date, timeline) {
                return Err(MeetingError::DelegationNotMember {
                    party: *party,
                    body: body.id.clone(),
                    date,
                });
            }
            if delegation.head.trim().is_empty() {
                return Err(MeetingError::NoHead(*party));
            }
        }
        Ok(Self {
            plan,
            chair,
            rotation_chair,
        })
    }

    pub fn plan(&self) -> &MeetingPlan {
        &self.plan
    }
    pub fn body(&self) -> &BodyId {
        &self.plan.body
    }
    pub fn title(&self) -> &str {
        &self.plan.title
    }
    pub fn start(&self) -> &Zoned {
        &self.plan.start
    }
    pub fn end(&self) -> &Zoned {
        &self.plan.end
    }
    /// The meeting's IANA zone name.
    pub fn zone_name(&self) -> &str {
        self.plan
            .start
            .time_zone()
            .iana_name()
            .expect("checked when scheduled")
    }
    pub fn length(&self) -> SignedDuration {
        self.plan
            .end
            .timestamp()
            .duration_since(self.plan.start.timestamp())
    }
    pub fn chair(&self) -> PartyCode {
        self.chair
    }
    /// The override, with the rotation's chair it replaced (if the rotation had one).
    pub fn chair_override(&self) -> Option<(&ChairOverride, Option<PartyCode>)> {
        self.plan
            .chair_override
            .as_ref()
            .map(|o| (o, self.rotation_chair))
    }
    pub fn delegations(&self) -> &BTreeMap<PartyCode, Delegation> {
        &self.plan.delegations
    }
    /// Whether the meeting is under way at `at` (start inclusive, end exclusive).
    pub fn in_session(&self, at: Timestamp) -> bool {
        self.plan.start.timestamp() <= at && at < self.plan.end.timestamp()
    }
}

fn check_place(place: &Place) -> Result<(), MeetingError> {
    let venue = |v: &str| {
        if v.trim().is_empty() {
            Err(MeetingError::EmptyVenue)
        } else {
            Ok(())
        }
    };
    let link = |l: &str| {
        let rest = l.strip_prefix("https://").unwrap_or_default();
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            Err(MeetingError::BadLink(l.to_owned()))
        } else {
            Ok(())
        }
    };
    match place {
        Place::Venue(v) => venue(v),
        Place::Video(l) => link(l),
        Place::Hybrid { venue: v, link: l } => venue(v).and(link(l)),
    }
}

/// The Ministerial Council has no meeting scheduled within twelve months of its last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinisterialGap {
    /// Start of the last meeting held.
    pub last_held: Zoned,
    /// Twelve calendar months after it (in the last meeting's zone).
    pub due_by: Zoned,
    /// `now` is already past `due_by`.
    pub overdue: bool,
}

/// Warns when no meeting starting after `last_held` and no later than twelve months after
/// it is in `scheduled`. `now` only decides whether the warning says "overdue".
pub fn ministerial_gap(
    last_held: &Zoned,
    scheduled: &[Zoned],
    now: Timestamp,
) -> Option<MinisterialGap> {
    let due_by = last_held
        .checked_add(12.months())
        .expect("twelve months after a meeting is a representable date");
    let covered = scheduled
        .iter()
        .any(|m| m.timestamp() > last_held.timestamp() && m.timestamp() <= due_by.timestamp());
    (!covered).then(|| MinisterialGap {
        last_held: last_held.clone(),
        overdue: now > due_by.timestamp(),
        due_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        body::default_bodies,
        participation::{ParticipationStatus, StatusChange},
    };
    use PartyCode::*;
    use jiff::civil::date;

    fn z(s: &str) -> Zoned {
        s.parse().unwrap()
    }

    fn plan() -> MeetingPlan {
        MeetingPlan {
            body: BodyId::parse("ministerial-council").unwrap(),
            title: "First Ministerial Council".into(),
            start: z("2026-05-12T09:30[Asia/Seoul]"),
            end: z("2026-05-12T18:00[Asia/Seoul]"),
            place: Place::Venue("Seoul, Lotte Hotel".into()),
            chair_override: None,
            delegations: [CN, JP, KR, RU, US]
                .into_iter()
                .map(|p| {
                    (
                        p,
                        Delegation {
                            head: format!("Minister of {p}"),
                            members: vec![],
                        },
                    )
                })
                .collect(),
        }
    }

    fn setting() -> (Body, Timeline) {
        (
            default_bodies(2026).remove(0),
            Timeline::founding(date(2026, 1, 1), "Founding Declaration"),
        )
    }

    #[test]
    fn chair_follows_rotation_and_override_needs_reason_and_a_participating_member() {
        let (body, t) = setting();
        let m = Meeting::schedule(plan(), &body, &t).unwrap();
        assert_eq!(m.chair(), CN, "2026 is the first year of the rotation");
        assert_eq!(m.length(), SignedDuration::from_mins(510));
        assert_eq!(m.zone_name(), "Asia/Seoul");

        let mut p = plan();
        p.chair_override = Some(ChairOverride {
            party: KR,
            reason: String::new(),
        });
        assert_eq!(
            Meeting::schedule(p.clone(), &body, &t),
            Err(MeetingError::OverrideWithoutReason)
        );
        p.chair_override = Some(ChairOverride {
            party: KP,
            reason: "host".into(),
        });
        assert_eq!(
            Meeting::schedule(p.clone(), &body, &t),
            Err(MeetingError::ChairNotMember {
                party: KP,
                body: body.id.clone(),
                date: date(2026, 5, 12)
            })
        );
        p.chair_override = Some(ChairOverride {
            party: KR,
            reason: "host country".into(),
        });
        let m = Meeting::schedule(p, &body, &t).unwrap();
        assert_eq!(m.chair(), KR);
        assert_eq!(m.chair_override().unwrap().1, Some(CN));
    }

    #[test]
    fn bad_plans_are_refused_with_the_rule() {
        let (body, t) = setting();
        let mut p = plan();
        p.end = z("2026-05-12T09:30[Asia/Seoul]");
        assert!(matches!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::EndNotAfterStart { .. })
        ));
        let mut p = plan();
        p.end = z("2026-05-12T18:00[Asia/Tokyo]");
        assert!(matches!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::ZoneMismatch { .. })
        ));
        let mut p = plan();
        p.start = z("2026-05-12T09:30+09:00[+09:00]");
        assert_eq!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::NotIanaZone)
        );
        let mut p = plan();
        p.delegations.insert(
            KP,
            Delegation {
                head: "x".into(),
                members: vec![],
            },
        );
        assert!(matches!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::DelegationNotMember { party: KP, .. })
        ));
        let mut p = plan();
        p.place = Place::Video("http://meet.example".into());
        assert!(matches!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::BadLink(_))
        ));
        let talks = default_bodies(2026).remove(4);
        let mut p = plan();
        p.body = talks.id.clone();
        p.delegations.clear();
        assert!(matches!(
            Meeting::schedule(p, &talks, &t),
            Err(MeetingError::BodyInactive { .. })
        ));
        let mut p = plan();
        p.title = " ".into();
        assert_eq!(
            Meeting::schedule(p, &body, &t),
            Err(MeetingError::EmptyTitle)
        );
    }

    #[test]
    fn kp_may_chair_once_it_participates() {
        let (body, mut t) = setting();
        t.record(StatusChange {
            party: KP,
            status: ParticipationStatus::Participating,
            effective: date(2027, 6, 1),
            basis: "MC.DEC/2/27".into(),
            recorded_on: date(2027, 5, 20),
        })
        .unwrap();
        let mut p = plan();
        p.start = z("2027-07-01T10:00[Asia/Pyongyang]");
        p.end = z("2027-07-01T17:00[Asia/Pyongyang]");
        p.chair_override = Some(ChairOverride {
            party: KP,
            reason: "host country".into(),
        });
        assert_eq!(Meeting::schedule(p, &body, &t).unwrap().chair(), KP);
    }

    #[test]
    fn ministerial_gap_warns_without_a_meeting_within_twelve_months() {
        let last = z("2026-05-12T09:30[Asia/Seoul]");
        let now = "2026-11-01T00:00:00Z".parse().unwrap();
        let w = ministerial_gap(&last, &[], now).unwrap();
        assert_eq!(w.due_by, z("2027-05-12T09:30[Asia/Seoul]"));
        assert!(!w.overdue);
        assert_eq!(
            ministerial_gap(&last, &[z("2027-05-12T09:30[Asia/Seoul]")], now),
            None,
            "exactly twelve months is in time"
        );
        let late = [z("2027-05-12T09:31[Asia/Seoul]"), last.clone()];
        assert!(ministerial_gap(&last, &late, now).is_some());
        let overdue = ministerial_gap(&last, &late, "2027-06-01T00:00:00Z".parse().unwrap());
        assert!(overdue.unwrap().overdue);
    }
}
