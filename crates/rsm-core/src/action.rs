//! Action items that follow from decisions: who owes what by when, and whether it is open,
//! done or overdue at the instant of reading (due dates are the body's calendar dates).

use jiff::{Timestamp, civil::Date, tz::TimeZone};

use crate::{document::Symbol, party::PartyCode};

/// Who must carry out an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    Party(PartyCode),
    Secretariat,
}

/// One action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    pub title: String,
    pub owner: Owner,
    /// Last day (in the body's zone) on which it is on time.
    pub due: Date,
    /// The decision it follows from.
    pub decision: Option<Symbol>,
    /// When it was reported done.
    pub done_at: Option<Timestamp>,
}

/// Where an action item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    Open,
    /// Done; `late` when reported after its due date.
    Done {
        at: Timestamp,
        late: bool,
    },
    /// Not done and its due date has passed.
    Overdue {
        days: i32,
    },
}

impl ActionStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done { .. } => "done",
            Self::Overdue { .. } => "overdue",
        }
    }
}

/// A refused action item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("action title must not be empty")]
    EmptyTitle,
    #[error("the action is already done (at {0})")]
    AlreadyDone(Timestamp),
}

impl ActionItem {
    pub fn new(
        title: &str,
        owner: Owner,
        due: Date,
        decision: Option<Symbol>,
    ) -> Result<Self, ActionError> {
        if title.trim().is_empty() {
            return Err(ActionError::EmptyTitle);
        }
        Ok(Self {
            title: title.trim().to_owned(),
            owner,
            due,
            decision,
            done_at: None,
        })
    }

    /// Records completion at `at`.
    pub fn complete(&mut self, at: Timestamp) -> Result<(), ActionError> {
        if let Some(done) = self.done_at {
            return Err(ActionError::AlreadyDone(done));
        }
        self.done_at = Some(at);
        Ok(())
    }

    /// The status at `as_of`, with dates taken in `zone` (the body's). A completion recorded
    /// after `as_of` is not yet known.
    pub fn status(&self, as_of: Timestamp, zone: &TimeZone) -> ActionStatus {
        let date = |t: Timestamp| t.to_zoned(zone.clone()).date();
        match self.done_at {
            Some(at) if at <= as_of => ActionStatus::Done {
                at,
                late: date(at) > self.due,
            },
            _ => {
                let today = date(as_of);
                if today > self.due {
                    let days = (today - self.due).get_days();
                    ActionStatus::Overdue { days }
                } else {
                    ActionStatus::Open
                }
            }
        }
    }
}

/// The items `owner` must see on its dashboard at `as_of`: not done, overdue first (most
/// overdue first), then by due date and title.
pub fn dashboard<'a>(
    items: &'a [ActionItem],
    owner: Owner,
    as_of: Timestamp,
    zone: &TimeZone,
) -> Vec<(&'a ActionItem, ActionStatus)> {
    let mut out: Vec<_> = items
        .iter()
        .filter(|i| i.owner == owner)
        .map(|i| (i, i.status(as_of, zone)))
        .filter(|(_, s)| !matches!(s, ActionStatus::Done { .. }))
        .collect();
    out.sort_by(|(a, _), (b, _)| (a.due, &a.title).cmp(&(b.due, &b.title)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn status_follows_the_clock_in_the_bodys_zone() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let mut a = ActionItem::new(
            "Circulate the launch template",
            Owner::Secretariat,
            date(2026, 6, 30),
            Some(Symbol::parse("MC.DEC/1/26").unwrap()),
        )
        .unwrap();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            a.status(t("2026-06-30T14:59:59Z"), &seoul),
            ActionStatus::Open
        );
        // 15:00Z on 30 June is 1 July in Seoul.
        assert_eq!(
            a.status(t("2026-06-30T15:00:00Z"), &seoul),
            ActionStatus::Overdue { days: 1 }
        );
        assert_eq!(
            a.status(t("2026-07-10T15:00:00Z"), &seoul),
            ActionStatus::Overdue { days: 11 }
        );
        a.complete(t("2026-07-02T00:00:00Z")).unwrap();
        assert_eq!(
            a.status(t("2026-07-01T00:00:00Z"), &seoul),
            ActionStatus::Overdue { days: 1 },
            "completion not yet recorded at that instant"
        );
        assert_eq!(
            a.status(t("2026-08-01T00:00:00Z"), &seoul),
            ActionStatus::Done {
                at: t("2026-07-02T00:00:00Z"),
                late: true
            }
        );
        assert_eq!(
            a.complete(t("2026-08-01T00:00:00Z")),
            Err(ActionError::AlreadyDone(t("2026-07-02T00:00:00Z")))
        );
        assert_eq!(
            ActionItem::new(" ", Owner::Secretariat, date(2026, 1, 1), None),
            Err(ActionError::EmptyTitle)
        );
    }

    #[test]
    fn dashboard_shows_the_owners_open_items_by_due_date() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let kr = Owner::Party(PartyCode::KR);
        let mut done = ActionItem::new("done", kr, date(2026, 5, 1), None).unwrap();
        done.complete("2026-04-01T00:00:00Z".parse().unwrap())
            .unwrap();
        let items = vec![
            ActionItem::new("later", kr, date(2026, 9, 1), None).unwrap(),
            ActionItem::new("sooner", kr, date(2026, 6, 1), None).unwrap(),
            ActionItem::new("not mine", Owner::Secretariat, date(2026, 6, 1), None).unwrap(),
            done,
        ];
        let board = dashboard(&items, kr, "2026-07-01T00:00:00Z".parse().unwrap(), &seoul);
        let titles: Vec<_> = board
            .iter()
            .map(|(i, s)| (i.title.as_str(), s.as_str()))
            .collect();
        assert_eq!(titles, [("sooner", "overdue"), ("later", "open")]);
    }
}
