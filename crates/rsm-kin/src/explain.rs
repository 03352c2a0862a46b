//! Explanations: the evidence behind a candidate pair, field by field, with
//! its weight, in words a caseworker reads ("surname same class 李; given
//! name differs by the initial-sound rule; born 1936 lunar = 1937 solar").

use crate::calendar::{self, CalendarKind};
use crate::compare::{self, ALL_FIELDS, GivenHow, PlaceHow, SurnameHow};
use crate::features::Relation;
use crate::features::{PerFeatures, ReqFeatures};
use crate::gazetteer::Gazetteer;
use crate::linker::TermFreq;
use crate::model::Model;
use crate::records::{Person, Request};
use crate::surname::Surnames;

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Field name (surname, given_name, …, or name_frequency).
    pub field: &'static str,
    /// Agreement level (0 = not known on one side).
    pub level: u8,
    /// Weight in bits (log2 of the likelihood ratio); positive favours a match.
    pub weight: f64,
    /// What was seen.
    pub text: String,
}

/// The explanation of a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Evidence, in field order.
    pub evidence: Vec<Evidence>,
    /// Prior weight (bits).
    pub prior: f64,
    /// Total weight (bits).
    pub total: f64,
    /// One line joining the texts of fields with non-zero weight.
    pub summary: String,
}

fn surname_text(how: SurnameHow, a: &str, b: &str) -> String {
    match how {
        SurnameHow::Missing => "surname not known on one side".into(),
        SurnameHow::SameText => format!("surname {a} same"),
        SurnameHow::SameClass(c) => {
            let cl = Surnames::get().class(c);
            format!("surname same class {} ({a} / {b})", cl.hanja)
        }
        SurnameHow::Typo => format!("surname {a} / {b} one letter apart"),
        SurnameHow::SouthSlip => format!(
            "surname differs ({a} / {b}), one letter apart in South spelling: perhaps a slip"
        ),
        SurnameHow::Differ => format!("surname differs ({a} / {b})"),
    }
}

fn given_text(how: GivenHow, what: &str, a: &str, b: &str) -> String {
    match how {
        GivenHow::Missing => format!("{what} not known on one side"),
        GivenHow::Exact => format!("{what} {a} same"),
        GivenHow::InitialRule => {
            format!("{what} differs by the initial-sound rule ({a} / {b})")
        }
        GivenHow::Romanised => format!("{what} {a} is a romanisation of {b}"),
        GivenHow::Childhood => format!("{what} childhood/alias form ({a} / {b})"),
        GivenHow::PetName => {
            format!("{what}: a traditional childhood name, no evidence ({a} / {b})")
        }
        GivenHow::Typo => format!("{what} nearly the same ({a} / {b})"),
        GivenHow::Partial => format!("{what} partly the same ({a} / {b})"),
        GivenHow::PartOfName => {
            format!("{what} {a} is a later syllable of {b}: a name remembered in part")
        }
        GivenHow::Differ => format!("{what} differs ({a} / {b})"),
    }
}

fn parts(n: &crate::names::Name) -> (String, String) {
    n.parses
        .first()
        .map(|p| (p.surname.to_string(), p.given_raw.to_string()))
        .unwrap_or_default()
}

/// Explains one pair.
pub fn explain(
    req: &Request,
    rf: &ReqFeatures,
    per: &Person,
    pf: &PerFeatures,
    model: &Model,
    tf: &TermFreq,
) -> Explanation {
    let d = compare::compare_detail_in(rf, pf, tf);
    let (rs, rg) = parts(&rf.name);
    let (ps, pg) = parts(&pf.name);
    let mut evidence = Vec::new();
    let married_in = rf.married_in();
    let place_field = compare::Field::Place as usize;
    let hometown_bits = model.hometown_bits(married_in, d.vector[place_field]);
    for (f, field) in ALL_FIELDS.iter().enumerate() {
        let level = d.vector[f];
        let mut weight = model.field_weight(f, level);
        if f == place_field {
            weight += hometown_bits;
        }
        let text = match field {
            compare::Field::Surname => {
                let t = surname_text(d.name.surname_how, &rs, &ps);
                if rf.surname_from_father && level > 0 {
                    format!("{t} (sought name unknown: the father's surname)")
                } else {
                    t
                }
            }
            compare::Field::Given if level == compare::GIVEN_BOTH_IN_USE => format!(
                "given name one letter apart ({rg} / {pg}), but both are names borne by others on the North list: as likely two persons (a sibling) as a slip"
            ),
            compare::Field::Given => given_text(d.name.given_how, "given name", &rg, &pg),
            compare::Field::Father => {
                let who = if rf.father_is_applicant {
                    "father (the applicant)"
                } else if req.father_from_family {
                    "father's name (from the applicant's other requests)"
                } else {
                    "father's name"
                };
                if level == 0 {
                    format!("{who} not known on one side")
                } else {
                    format!(
                        "{}: {} / {}{}",
                        field.level_label(level),
                        if rf.father_is_applicant {
                            &req.applicant_name
                        } else {
                            &req.father_name
                        },
                        per.father_name,
                        if req.father_from_family && !rf.father_is_applicant {
                            " (from the applicant's other requests)"
                        } else {
                            ""
                        }
                    )
                }
            }
            compare::Field::Year => match (req.birth_year, per.birth) {
                (Some(y), Some(b)) => {
                    let north = match per.calendar {
                        CalendarKind::Lunar => match calendar::lunar_to_solar_lenient(b) {
                            Some(s) => format!("{b} lunar = {s} solar"),
                            None => format!("{b} lunar"),
                        },
                        CalendarKind::Solar => format!("{b}"),
                    };
                    format!(
                        "remembered born {y}; North record {north}: {}",
                        field.level_label(level)
                    )
                }
                _ => "birth year not known on one side".into(),
            },
            compare::Field::Sex => field.level_label(level).to_string(),
            compare::Field::Place => {
                let south = [&req.province, &req.county]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let north = [&per.province, &per.county]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                match d.place {
                    PlaceHow::Gazetteer(id) => {
                        let c = Gazetteer::get().county(id);
                        format!(
                            "county {} → {} ({}); {}",
                            c.name,
                            c.successors.join(", "),
                            north,
                            c.note
                        )
                    }
                    PlaceHow::Missing => "hometown not known on one side".into(),
                    PlaceHow::ProvinceOnly | PlaceHow::CountyDiffer => {
                        let link = Gazetteer::get().province_link(
                            (&req.province, &req.county),
                            (&per.province, &per.county),
                        );
                        match link {
                            Some(why) => {
                                format!("{}: {south} / {north} ({why})", field.level_label(level))
                            }
                            None => format!("{}: {south} / {north}", field.level_label(level)),
                        }
                    }
                    _ => format!("{}: {south} / {north}", field.level_label(level)),
                }
            }
            compare::Field::Village => {
                if level == 0 {
                    "village not known on one side".into()
                } else {
                    format!(
                        "{}: {} / {}",
                        field.level_label(level),
                        req.village,
                        per.village
                    )
                }
            }
            compare::Field::Relatives => match d.relative {
                Some(i) => {
                    let (rel, name) = &per.relatives[i];
                    format!(
                        "{}: North person lists {rel} {name}; applicant {} ({} of the sought person)",
                        field.level_label(level),
                        req.applicant_name,
                        req.relationship
                    )
                }
                None => field.level_label(level).to_string(),
            },
            compare::Field::AgeFit => {
                format!("{} ({})", field.level_label(level), req.relationship)
            }
        };
        let text = match field.married_in_label(level) {
            Some(note) if married_in && f == place_field && hometown_bits.abs() > 1e-9 => {
                format!("{text} ({note})")
            }
            _ => text,
        };
        evidence.push(Evidence {
            field: field.name(),
            level,
            weight,
            text,
        });
    }
    let adj = tf.adjustment(model, rf, pf, &d.vector);
    let dep = model.dependence_bits(&d.vector);
    let fam = model.family_adjustment_tfm(&d.vector, adj + dep, hometown_bits);
    if dep.abs() > 1e-9 {
        evidence.push(Evidence {
            field: "sex_given_name",
            level: 0,
            weight: dep,
            text:
                "the given name already implies the sex (strangers with this name agree on sex too)"
                    .into(),
        });
    }
    if fam.abs() > 1e-9 {
        evidence.push(Evidence {
            field: "family",
            level: 0,
            weight: fam,
            text: "a sibling of the sought person would share the family evidence".into(),
        });
    }
    if adj.abs() > 1e-9 {
        evidence.push(Evidence {
            field: "name_frequency",
            level: 0,
            weight: adj,
            text: if adj > 0.0 {
                "name is uncommon on the North list".into()
            } else {
                "name is common on the North list".into()
            },
        });
    }
    let prior = model.prior_weight();
    let mut e = Explanation {
        evidence,
        prior,
        total: 0.0,
        summary: String::new(),
    };
    e.sum_up();
    e
}

impl Explanation {
    /// Total and summary from the evidence.
    fn sum_up(&mut self) {
        self.total = self.prior + self.evidence.iter().map(|e| e.weight).sum::<f64>();
        self.summary = self
            .evidence
            .iter()
            .filter(|e| e.weight.abs() >= 0.05)
            .map(|e| format!("{} ({:+.1})", e.text, e.weight))
            .collect::<Vec<_>>()
            .join("; ");
    }
}

fn relation_words(r: Relation) -> &'static str {
    match r {
        Relation::Parent => "a parent",
        Relation::Child => "a child",
        Relation::Sibling => "a brother or sister",
        Relation::Spouse => "a spouse",
        Relation::UncleAunt => "an uncle or aunt",
        Relation::Cousin => "a cousin",
        Relation::Other => "a relative",
    }
}

/// Adds that another request claims the person
/// ([`crate::linker::ClaimedElsewhere`]): `other_id` is that request's id,
/// `other_relation` what it seeks. Only when it cost the pair 0.05 bits or more.
pub fn add_claim_elsewhere(
    e: &mut Explanation,
    other_id: &str,
    other_relation: Relation,
    c: &crate::linker::ClaimedElsewhere,
) {
    // A faint claim that moved nothing is not worth a caseworker's line.
    if c.bits > -0.05 {
        return;
    }
    e.evidence.push(Evidence {
        field: "claimed_elsewhere",
        level: 0,
        weight: c.bits,
        text: if c.same_applicant {
            format!(
                "the applicant's own request {other_id} seeks this person as {} (probability {:.2}); \
                 an applicant seeks each relative once",
                relation_words(other_relation),
                c.claim
            )
        } else {
            format!(
                "another applicant's request {other_id} seeks this person as {} (probability {:.2}); \
                 two applicants could not both be right (only relatives seeking the same relative, \
                 like two sisters their brother, seek one person)",
                relation_words(other_relation),
                c.claim
            )
        },
    });
    e.sum_up();
}
