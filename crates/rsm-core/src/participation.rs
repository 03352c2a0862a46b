//! Participation as a dated timeline per party: who participates on a given date, and why.
//!
//! The timeline is append-only. A change takes effect on a date that is not before the
//! date it is recorded on, and not before the party's previous change, so an answer given
//! for a past date never changes afterwards.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::party::PartyCode;

/// A party's standing in the mechanism on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParticipationStatus {
    /// Takes part fully: must agree to decisions, owes and receives notifications.
    Participating,
    /// Invited to join; not yet bound and not counted for consensus.
    Invited,
    /// Temporarily suspended by decision.
    Suspended,
    /// Has left the mechanism.
    Withdrawn,
}

impl ParticipationStatus {
    pub const ALL: [Self; 4] = [
        Self::Participating,
        Self::Invited,
        Self::Suspended,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Participating => "participating",
            Self::Invited => "invited",
            Self::Suspended => "suspended",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for ParticipationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded change of a party's status, with the decision or act that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub party: PartyCode,
    pub status: ParticipationStatus,
    /// First day on which the new status holds.
    pub effective: Date,
    /// The decision symbol or act that made the change, e.g. `MC.DEC/1/27`.
    pub basis: String,
    /// The day the change was recorded (the caller's "today").
    pub recorded_on: Date,
}

/// Why a status change cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipationError {
    #[error(
        "effective date {effective} is before today ({today}): a change may not rewrite past answers"
    )]
    Retroactive { effective: Date, today: Date },
    #[error(
        "effective date {effective} is before {party}'s previous change on {previous}: changes are recorded in date order"
    )]
    OutOfOrder {
        party: PartyCode,
        effective: Date,
        previous: Date,
    },
    #[error("{party} is already {status} on {effective}")]
    Unchanged {
        party: PartyCode,
        status: ParticipationStatus,
        effective: Date,
    },
    #[error("basis must name the decision or act that made the change (it is empty)")]
    MissingBasis,
}

/// Every party's status history. Before its first recorded change a party counts as invited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    changes: BTreeMap<PartyCode, Vec<StatusChange>>,
}

impl Timeline {
    /// The founding timeline: five parties participating from `founded`, KP invited.
    pub fn founding(founded: Date, basis: &str) -> Self {
        let mut timeline = Self::default();
        for party in PartyCode::ALL {
            let status = if party == PartyCode::KP {
                ParticipationStatus::Invited
            } else {
                ParticipationStatus::Participating
            };
            timeline
                .changes
                .entry(party)
                .or_default()
                .push(StatusChange {
                    party,
                    status,
                    effective: founded,
                    basis: basis.to_owned(),
                    recorded_on: founded,
                });
        }
        timeline
    }

    /// Rebuilds a timeline from stored changes, in any order. Used by the store.
    pub fn from_changes(changes: impl IntoIterator<Item = StatusChange>) -> Self {
        let mut timeline = Self::default();
        for change in changes {
            timeline
                .changes
                .entry(change.party)
                .or_default()
                .push(change);
        }
        for list in timeline.changes.values_mut() {
            list.sort_by_key(|c| (c.effective, c.recorded_on));
        }
        timeline
    }

    /// Checks that `change` may be recorded on `change.recorded_on` without altering any
    /// answer already given, then records it.
    pub fn record(&mut self, change: StatusChange) -> Result<(), ParticipationError> {
        self.check(&change)?;
        self.changes.entry(change.party).or_default().push(change);
        Ok(())
    }

    /// The checks of [`Timeline::record`], without recording.
    pub fn check(&self, change: &StatusChange) -> Result<(), ParticipationError> {
        if change.basis.trim().is_empty() {
            return Err(ParticipationError::MissingBasis);
        }
        if change.effective < change.recorded_on {
            return Err(ParticipationError::Retroactive {
                effective: change.effective,
                today: change.recorded_on,
            });
        }
        if let Some(last) = self.history(change.party).last()
            && change.effective < last.effective
        {
            return Err(ParticipationError::OutOfOrder {
                party: change.party,
                effective: change.effective,
                previous: last.effective,
            });
        }
        if self.status_on(change.party, change.effective) == change.status {
            return Err(ParticipationError::Unchanged {
                party: change.party,
                status: change.status,
                effective: change.effective,
            });
        }
        Ok(())
    }

    /// The party's recorded changes, oldest first.
    pub fn history(&self, party: PartyCode) -> &[StatusChange] {
        self.changes.get(&party).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The party's status on `date`.
    pub fn status_on(&self, party: PartyCode, date: Date) -> ParticipationStatus {
        self.change_in_force(party, date)
            .map(|c| c.status)
            .unwrap_or(ParticipationStatus::Invited)
    }

    /// The change that set the party's status on `date`, if any.
    pub fn change_in_force(&self, party: PartyCode, date: Date) -> Option<&StatusChange> {
        self.history(party)
            .iter()
            .rev()
            .find(|c| c.effective <= date)
    }

    pub fn is_participating(&self, party: PartyCode, date: Date) -> bool {
        self.status_on(party, date) == ParticipationStatus::Participating
    }

    /// The parties participating on `date`, in code order.
    pub fn participating_on(&self, date: Date) -> Vec<PartyCode> {
        PartyCode::ALL
            .into_iter()
            .filter(|p| self.is_participating(*p, date))
            .collect()
    }

    /// Parties that owe notifications on `date`: exactly the participating ones.
    pub fn owe_notifications_on(&self, date: Date) -> Vec<PartyCode> {
        self.participating_on(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParticipationStatus::*;
    use PartyCode::*;
    use jiff::civil::date;

    fn change(
        party: PartyCode,
        status: ParticipationStatus,
        on: Date,
        today: Date,
    ) -> StatusChange {
        StatusChange {
            party,
            status,
            effective: on,
            basis: "MC.DEC/1/27".into(),
            recorded_on: today,
        }
    }

    #[test]
    fn five_before_kp_joins_and_six_after_with_past_answers_unchanged() {
        let founded = date(2026, 1, 1);
        let mut t = Timeline::founding(founded, "Founding Declaration");
        let before = date(2027, 3, 1);
        assert_eq!(t.participating_on(before), vec![CN, JP, KR, RU, US]);
        assert_eq!(t.status_on(KP, before), Invited);

        let joined = date(2027, 6, 1);
        t.record(change(KP, Participating, joined, date(2027, 5, 20)))
            .unwrap();
        assert_eq!(t.participating_on(joined), vec![CN, JP, KP, KR, RU, US]);
        assert_eq!(t.participating_on(before), vec![CN, JP, KR, RU, US]);
        assert_eq!(t.participating_on(date(2027, 5, 31)).len(), 5);
        assert_eq!(t.change_in_force(KP, joined).unwrap().basis, "MC.DEC/1/27");
        assert_eq!(t.status_on(KP, date(2025, 12, 31)), Invited);
    }

    #[test]
    fn retroactive_and_out_of_order_changes_are_refused() {
        let mut t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let err = t
            .record(change(
                KP,
                Participating,
                date(2027, 1, 1),
                date(2027, 2, 1),
            ))
            .unwrap_err();
        assert!(matches!(err, ParticipationError::Retroactive { .. }));
        t.record(change(RU, Suspended, date(2027, 6, 1), date(2027, 2, 1)))
            .unwrap();
        let err = t
            .record(change(
                RU,
                Participating,
                date(2027, 3, 1),
                date(2027, 2, 1),
            ))
            .unwrap_err();
        assert!(matches!(err, ParticipationError::OutOfOrder { .. }));
        let err = t
            .record(change(
                JP,
                Participating,
                date(2027, 3, 1),
                date(2027, 2, 1),
            ))
            .unwrap_err();
        assert!(matches!(err, ParticipationError::Unchanged { .. }));
        let mut no_basis = change(KP, Participating, date(2027, 3, 1), date(2027, 2, 1));
        no_basis.basis = " ".into();
        assert_eq!(t.record(no_basis), Err(ParticipationError::MissingBasis));
        assert_eq!(t.history(JP).len(), 1, "refused changes leave no trace");
    }

    proptest::proptest! {
        /// Whatever valid changes are recorded later, answers for days before the
        /// recording day never change.
        #[test]
        fn past_answers_never_change(steps in proptest::collection::vec((0usize..6, 0usize..4, 0i32..400, 0i32..30), 1..30)) {
            let founded = date(2026, 1, 1);
            let mut t = Timeline::founding(founded, "Founding Declaration");
            let mut today = founded;
            for (p, s, advance, lead) in steps {
                today = today.checked_add(jiff::Span::new().days(advance)).unwrap();
                let snapshot: Vec<_> = (0..60)
                    .map(|back| today.checked_sub(jiff::Span::new().days(back)).unwrap())
                    .filter(|d| *d < today)
                    .map(|d| t.participating_on(d))
                    .collect();
                let effective = today.checked_add(jiff::Span::new().days(lead)).unwrap();
                let _ = t.record(change(PartyCode::ALL[p], ParticipationStatus::ALL[s], effective, today));
                let after: Vec<_> = (0..60)
                    .map(|back| today.checked_sub(jiff::Span::new().days(back)).unwrap())
                    .filter(|d| *d < today)
                    .map(|d| t.participating_on(d))
                    .collect();
                proptest::prop_assert_eq!(snapshot, after);
            }
        }
    }
}
