//! A meeting's agenda: items by basket with one level of sub-items, planned durations,
//! linked documents (another body's too, such as a working group's report before the
//! Council), proposals by members, ordering and numbering (1, 1.1, 1.2, 2 …).
//!
//! The agenda is adopted like any decision ([`crate::decision::DecisionKind::Agenda`]).

use jiff::{SignedDuration, civil::Date};

use crate::{
    body::{Basket, Body, BodyId},
    document::{Distribution, Document, Symbol},
    meeting::Meeting,
    participation::Timeline,
    party::PartyCode,
};

/// An item's identifier within its agenda; stable when items move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(pub u32);

/// Who proposed an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proposer {
    Secretariat,
    Party(PartyCode),
}

/// A document an item refers to, with the body it belongs to (which may be another body's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub symbol: Symbol,
    pub body: BodyId,
}

/// What is needed to add an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSpec {
    pub title: String,
    /// `None` for procedural items (opening, adoption of the agenda, closing).
    pub basket: Option<Basket>,
    pub duration: Option<SignedDuration>,
    pub proposed_by: Proposer,
}

/// One agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: ItemId,
    pub title: String,
    pub basket: Option<Basket>,
    /// Planned time. For an item with sub-items, a duration set on the item covers them;
    /// if it has none, the sub-items' durations add up.
    pub duration: Option<SignedDuration>,
    pub proposed_by: Proposer,
    pub documents: Vec<DocumentLink>,
    pub sub_items: Vec<Item>,
}

impl Item {
    /// The time this item takes in the plan (see [`Item::duration`]).
    pub fn planned(&self) -> SignedDuration {
        self.duration.unwrap_or_else(|| {
            self.sub_items
                .iter()
                .map(|s| s.duration.unwrap_or(SignedDuration::ZERO))
                .sum()
        })
    }
}

/// An item with its number, in agenda order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered<'a> {
    /// `"1"`, `"1.2"`…
    pub number: String,
    /// 0 for an item, 1 for a sub-item.
    pub depth: u8,
    pub item: &'a Item,
}

/// A refused change of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    #[error("item title must not be empty")]
    EmptyTitle,
    #[error("{party} is not a participating member of {body} on {date} and cannot propose items")]
    NotAMember {
        party: PartyCode,
        body: BodyId,
        date: Date,
    },
    #[error("item {0:?} is itself a sub-item: the agenda has one level of sub-items")]
    TooDeep(ItemId),
    #[error("no item {0:?} on this agenda")]
    NoSuchItem(ItemId),
    #[error("planned duration must be positive")]
    BadDuration,
    #[error("{symbol} is restricted to {owner}: it cannot be put on another body's agenda")]
    RestrictedElsewhere { symbol: Symbol, owner: BodyId },
    #[error("{0} is already linked to this item")]
    AlreadyLinked(Symbol),
    #[error("the agenda is for {agenda}, not {body}")]
    WrongBody { agenda: BodyId, body: BodyId },
}

/// Something an officer should look at before adoption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaWarning {
    /// The planned durations add up to more than the meeting lasts.
    OverLength {
        planned: SignedDuration,
        available: SignedDuration,
    },
}

/// The agenda of one meeting of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    body: BodyId,
    /// The meeting's date (in its zone): membership for proposals is checked on it.
    date: Date,
    items: Vec<Item>,
    next_id: u32,
}

impl Agenda {
    /// An empty agenda for `meeting`.
    pub fn for_meeting(meeting: &Meeting) -> Self {
        Self::new(meeting.body().clone(), meeting.start().date())
    }

    pub fn new(body: BodyId, date: Date) -> Self {
        Self {
            body,
            date,
            items: Vec::new(),
            next_id: 1,
        }
    }

    pub fn body(&self) -> &BodyId {
        &self.body
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Adds an item at the end (of the agenda, or of `parent`'s sub-items). A party may
    /// propose only while it is a participating member of the body on the meeting's date.
    pub fn add(
        &mut self,
        body: &Body,
        timeline: &Timeline,
        parent: Option<ItemId>,
        spec: ItemSpec,
    ) -> Result<ItemId, AgendaError> {
        if body.id != self.body {
            return Err(AgendaError::WrongBody {
                agenda: self.body.clone(),
                body: body.id.clone(),
            });
        }
        if spec.title.trim().is_empty() {
            return Err(AgendaError::EmptyTitle);
        }
        if spec.duration.is_some_and(|d| d <= SignedDuration::ZERO) {
            return Err(AgendaError::BadDuration);
        }
        if let Proposer::Party(party) = spec.proposed_by
            && !body.must_agree_on(self.date, timeline).contains(&party)
        {
            return Err(AgendaError::NotAMember {
                party,
                body: self.body.clone(),
                date: self.date,
            });
        }
        let siblings = match parent {
            None => &mut self.items,
            Some(pid) => {
                if self
                    .items
                    .iter()
                    .any(|i| i.sub_items.iter().any(|s| s.id == pid))
                {
                    return Err(AgendaError::TooDeep(pid));
                }
                &mut self
                    .items
                    .iter_mut()
                    .find(|i| i.id == pid)
                    .ok_or(AgendaError::NoSuchItem(pid))?
                    .sub_items
            }
        };
        let id = ItemId(self.next_id);
        siblings.push(Item {
            id,
            title: spec.title.trim().to_owned(),
            basket: spec.basket,
            duration: spec.duration,
            proposed_by: spec.proposed_by,
            documents: Vec::new(),
            sub_items: Vec::new(),
        });
        self.next_id += 1;
        Ok(id)
    }

    fn find_mut(&mut self, id: ItemId) -> Option<&mut Item> {
        self.items.iter_mut().find_map(|i| {
            if i.id == id {
                Some(i)
            } else {
                i.sub_items.iter_mut().find(|s| s.id == id)
            }
        })
    }

    pub fn item(&self, id: ItemId) -> Option<&Item> {
        self.items.iter().find_map(|i| {
            if i.id == id {
                Some(i)
            } else {
                i.sub_items.iter().find(|s| s.id == id)
            }
        })
    }

    /// Moves an item to `position` among its siblings (clamped to the end).
    pub fn move_to(&mut self, id: ItemId, position: usize) -> Result<(), AgendaError> {
        let siblings = if self.items.iter().any(|i| i.id == id) {
            &mut self.items
        } else {
            &mut self
                .items
                .iter_mut()
                .find(|i| i.sub_items.iter().any(|s| s.id == id))
                .ok_or(AgendaError::NoSuchItem(id))?
                .sub_items
        };
        let from = siblings
            .iter()
            .position(|i| i.id == id)
            .expect("found above");
        let item = siblings.remove(from);
        let to = position.min(siblings.len());
        siblings.insert(to, item);
        Ok(())
    }

    /// Removes an item with its sub-items.
    pub fn remove(&mut self, id: ItemId) -> Result<Item, AgendaError> {
        if let Some(i) = self.items.iter().position(|i| i.id == id) {
            return Ok(self.items.remove(i));
        }
        for item in &mut self.items {
            if let Some(i) = item.sub_items.iter().position(|s| s.id == id) {
                return Ok(item.sub_items.remove(i));
            }
        }
        Err(AgendaError::NoSuchItem(id))
    }

    /// Links `document` to an item. Another body's document may be linked (a working
    /// group's report before the Council) unless it is restricted to that other body.
    pub fn link(&mut self, id: ItemId, document: &Document) -> Result<(), AgendaError> {
        if let Distribution::Restricted(owner) = &document.distribution
            && *owner != self.body
        {
            return Err(AgendaError::RestrictedElsewhere {
                symbol: document.symbol().clone(),
                owner: owner.clone(),
            });
        }
        let item = self.find_mut(id).ok_or(AgendaError::NoSuchItem(id))?;
        if item
            .documents
            .iter()
            .any(|d| d.symbol == *document.symbol())
        {
            return Err(AgendaError::AlreadyLinked(document.symbol().clone()));
        }
        item.documents.push(DocumentLink {
            symbol: document.symbol().clone(),
            body: document.body.clone(),
        });
        Ok(())
    }

    /// Items in order with their numbers: `1`, `1.1`, `1.2`, `2` …
    pub fn numbered(&self) -> Vec<Numbered<'_>> {
        let mut out = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            out.push(Numbered {
                number: (i + 1).to_string(),
                depth: 0,
                item,
            });
            for (j, sub) in item.sub_items.iter().enumerate() {
                out.push(Numbered {
                    number: format!("{}.{}", i + 1, j + 1),
                    depth: 1,
                    item: sub,
                });
            }
        }
        out
    }

    /// The number of an item, if it is on the agenda.
    pub fn number_of(&self, id: ItemId) -> Option<String> {
        self.numbered()
            .into_iter()
            .find(|n| n.item.id == id)
            .map(|n| n.number)
    }

    /// The planned time of the whole agenda.
    pub fn planned(&self) -> SignedDuration {
        self.items.iter().map(Item::planned).sum()
    }

    /// Warnings against the meeting's length.
    pub fn warnings(&self, available: SignedDuration) -> Vec<AgendaWarning> {
        let planned = self.planned();
        let mut out = Vec::new();
        if planned > available {
            out.push(AgendaWarning::OverLength { planned, available });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        body::default_bodies,
        document::{Language, SymbolRegistry},
    };
    use PartyCode::*;
    use jiff::civil::date;

    fn spec(title: &str, mins: Option<i64>, by: Proposer) -> ItemSpec {
        ItemSpec {
            title: title.into(),
            basket: Some(Basket::Security),
            duration: mins.map(SignedDuration::from_mins),
            proposed_by: by,
        }
    }

    #[test]
    fn items_number_move_and_add_up() {
        let bodies = default_bodies(2026);
        let council = &bodies[0];
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let mut a = Agenda::new(council.id.clone(), date(2026, 5, 12));
        let open = a
            .add(
                council,
                &t,
                None,
                spec("Opening", Some(15), Proposer::Secretariat),
            )
            .unwrap();
        let csbm = a
            .add(council, &t, None, spec("CSBMs", None, Proposer::Party(KR)))
            .unwrap();
        let launch = a
            .add(
                council,
                &t,
                Some(csbm),
                spec("Launches", Some(60), Proposer::Party(JP)),
            )
            .unwrap();
        let exchange = a
            .add(
                council,
                &t,
                Some(csbm),
                spec("Exchange", Some(45), Proposer::Secretariat),
            )
            .unwrap();
        assert_eq!(
            a.add(
                council,
                &t,
                Some(launch),
                spec("Deeper", None, Proposer::Secretariat)
            ),
            Err(AgendaError::TooDeep(launch))
        );
        assert_eq!(
            a.add(council, &t, None, spec("Ours", None, Proposer::Party(KP))),
            Err(AgendaError::NotAMember {
                party: KP,
                body: council.id.clone(),
                date: date(2026, 5, 12)
            })
        );
        let numbers: Vec<_> = a
            .numbered()
            .iter()
            .map(|n| format!("{} {}", n.number, n.item.title))
            .collect();
        assert_eq!(
            numbers,
            ["1 Opening", "2 CSBMs", "2.1 Launches", "2.2 Exchange"]
        );
        a.move_to(csbm, 0).unwrap();
        a.move_to(exchange, 0).unwrap();
        assert_eq!(a.number_of(exchange).as_deref(), Some("1.1"));
        assert_eq!(a.number_of(open).as_deref(), Some("2"));
        assert_eq!(a.planned(), SignedDuration::from_mins(120));
        assert_eq!(a.warnings(SignedDuration::from_mins(120)), vec![]);
        assert_eq!(
            a.warnings(SignedDuration::from_mins(90)),
            vec![AgendaWarning::OverLength {
                planned: SignedDuration::from_mins(120),
                available: SignedDuration::from_mins(90)
            }]
        );
        a.remove(launch).unwrap();
        assert_eq!(a.planned(), SignedDuration::from_mins(60));
        assert_eq!(a.remove(launch), Err(AgendaError::NoSuchItem(launch)));
        assert_eq!(
            a.add(council, &t, None, spec(" ", None, Proposer::Secretariat)),
            Err(AgendaError::EmptyTitle)
        );
    }

    #[test]
    fn another_bodys_report_can_be_linked_unless_restricted_to_it() {
        let bodies = default_bodies(2026);
        let (council, wg, peace) = (&bodies[0], &bodies[2], &bodies[5]);
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let mut r = SymbolRegistry::default();
        let report = Document::create(
            &mut r,
            Symbol::parse("WGE.REP/1/26").unwrap(),
            wg.id.clone(),
            "Report of the Working Group on Economic Cooperation",
            Distribution::Limited,
            Language::En,
        )
        .unwrap();
        let secret = Document::create(
            &mut r,
            Symbol::parse("PRT.GAL/1/26").unwrap(),
            peace.id.clone(),
            "Draft framework",
            Distribution::Restricted(peace.id.clone()),
            Language::En,
        )
        .unwrap();
        let mut a = Agenda::new(council.id.clone(), date(2026, 5, 12));
        let item = a
            .add(
                council,
                &t,
                None,
                spec("Reports", Some(30), Proposer::Secretariat),
            )
            .unwrap();
        a.link(item, &report).unwrap();
        assert_eq!(a.item(item).unwrap().documents[0].body, wg.id);
        assert_eq!(
            a.link(item, &report),
            Err(AgendaError::AlreadyLinked(report.symbol().clone()))
        );
        assert!(matches!(
            a.link(item, &secret),
            Err(AgendaError::RestrictedElsewhere { .. })
        ));
    }
}
