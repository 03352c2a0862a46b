//! The two kinds of record: a Southern (or diaspora) tracing request for a
//! sought person, and a person on the North's list. Loading checks each row
//! and reports what it cannot use.

use std::io::Read;

use crate::calendar::{CalendarKind, Date};
use crate::csvin::{BadRowPolicy, Table};
use crate::error::{KinError, Result, RowIssue};

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Male.
    M,
    /// Female.
    F,
}

impl Sex {
    fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "M" | "m" | "male" | "남" | "남자" => Some(Sex::M),
            "F" | "f" | "female" | "여" | "여자" => Some(Sex::F),
            _ => None,
        }
    }
}

/// A tracing request: one sought person.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// request_id.
    pub id: String,
    /// applicant_id (groups one applicant's requests).
    pub applicant_id: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Applicant's birth date.
    pub applicant_birth: Option<Date>,
    /// Sought person's name as remembered.
    pub name: String,
    /// Sought person's sex.
    pub sex: Option<Sex>,
    /// Remembered birth year.
    pub birth_year: Option<i32>,
    /// The sought person's relation to the applicant (brother, mother …).
    pub relationship: String,
    /// Sought person's father's name.
    pub father_name: String,
    /// Hometown province at separation.
    pub province: String,
    /// Hometown county.
    pub county: String,
    /// Hometown township (면).
    pub township: String,
    /// Hometown village (리).
    pub village: String,
    /// Applicant country (diaspora only).
    pub country: String,
}

/// A person on the North's list.
#[derive(Debug, Clone)]
pub struct Person {
    /// person_id.
    pub id: String,
    /// Name (North spelling).
    pub name: String,
    /// Sex.
    pub sex: Option<Sex>,
    /// Recorded birth date.
    pub birth: Option<Date>,
    /// Calendar of `birth`.
    pub calendar: CalendarKind,
    /// Father's name.
    pub father_name: String,
    /// Birthplace province (old or current name).
    pub province: String,
    /// Birthplace county.
    pub county: String,
    /// Birthplace village.
    pub village: String,
    /// Current province of residence.
    pub residence: String,
    /// Relatives said to be in the South: (relation from this person, name).
    pub relatives: Vec<(String, String)>,
}

/// Rows kept, and what was reported.
#[derive(Debug)]
pub struct Loaded<T> {
    /// Usable records.
    pub records: Vec<T>,
    /// Rows skipped (bad) and notes on rows kept.
    pub issues: Vec<RowIssue>,
    /// How many rows were skipped.
    pub skipped: usize,
}

fn finish<T>(
    label: &str,
    records: Vec<T>,
    issues: Vec<RowIssue>,
    bad: Vec<RowIssue>,
    policy: BadRowPolicy,
) -> Result<Loaded<T>> {
    if policy == BadRowPolicy::Refuse
        && let Some(first) = bad.first()
    {
        return Err(KinError::BadRows {
            file: label.to_string(),
            count: bad.len(),
            first: first.clone(),
        });
    }
    let skipped = bad.len();
    let mut all = bad;
    all.extend(issues);
    all.sort_by_key(|i| i.line);
    Ok(Loaded {
        records,
        issues: all,
        skipped,
    })
}

fn year_field(s: &str) -> std::result::Result<Option<i32>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i32>() {
        Ok(y) if (1850..=2030).contains(&y) => Ok(Some(y)),
        Ok(y) => Err(format!("impossible birth year {y}")),
        Err(_) => Err(format!("birth year is not a number: {t:?}")),
    }
}

fn date_field(s: &str, what: &str) -> std::result::Result<Option<Date>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Date::parse(t).map(Some).map_err(|e| format!("{what}: {e}"))
}

/// Reads tracing requests (south.csv or diaspora.csv). An empty sought name
/// is allowed (the name is not known) and noted; a missing id, an impossible
/// date or year, or a row of the wrong width is bad.
pub fn load_requests(
    input: impl Read,
    label: &str,
    policy: BadRowPolicy,
) -> Result<Loaded<Request>> {
    let t = Table::read(input, label)?;
    let c_id = t.col("request_id")?;
    let c_name = t.col("sought_name")?;
    let opt = |n: &str| t.opt_col(n);
    let (c_aid, c_an, c_ab) = (
        opt("applicant_id"),
        opt("applicant_name"),
        opt("applicant_birth_date"),
    );
    let (c_sex, c_year, c_rel, c_fa) = (
        opt("sought_sex"),
        opt("sought_birth_year"),
        opt("relationship"),
        opt("sought_father_name"),
    );
    let (c_pr, c_co, c_tw, c_vi, c_cn) = (
        opt("hometown_province"),
        opt("hometown_county"),
        opt("hometown_township"),
        opt("hometown_village"),
        opt("applicant_country"),
    );
    let mut records = Vec::new();
    let mut issues = Vec::new();
    let mut bad = Vec::new();
    for row in t.rows() {
        let row = match row {
            Ok(r) => r,
            Err(i) => {
                bad.push(i);
                continue;
            }
        };
        let f = |c: Option<usize>| c.and_then(|c| row.fields.get(c)).unwrap_or("").trim();
        let issue = |reason: String| RowIssue {
            file: label.to_string(),
            line: row.line,
            reason,
        };
        let id = f(Some(c_id));
        if id.is_empty() {
            bad.push(issue("empty request_id".into()));
            continue;
        }
        let year = match year_field(f(c_year)) {
            Ok(y) => y,
            Err(e) => {
                bad.push(issue(format!("{id}: {e}")));
                continue;
            }
        };
        let ab = match date_field(f(c_ab), "applicant_birth_date") {
            Ok(d) => d,
            Err(e) => {
                bad.push(issue(format!("{id}: {e}")));
                continue;
            }
        };
        let name = f(Some(c_name));
        if name.is_empty() {
            issues.push(issue(format!(
                "{id}: empty sought_name (kept: name unknown)"
            )));
        }
        records.push(Request {
            id: id.to_string(),
            applicant_id: f(c_aid).to_string(),
            applicant_name: f(c_an).to_string(),
            applicant_birth: ab,
            name: name.to_string(),
            sex: Sex::parse(f(c_sex)),
            birth_year: year,
            relationship: f(c_rel).to_lowercase(),
            father_name: f(c_fa).to_string(),
            province: f(c_pr).to_string(),
            county: f(c_co).to_string(),
            township: f(c_tw).to_string(),
            village: f(c_vi).to_string(),
            country: f(c_cn).to_string(),
        });
    }
    finish(label, records, issues, bad, policy)
}

/// Reads the North's person list. A missing id or name, an impossible birth
/// date, or a row of the wrong width is bad.
pub fn load_persons(input: impl Read, label: &str, policy: BadRowPolicy) -> Result<Loaded<Person>> {
    let t = Table::read(input, label)?;
    let c_id = t.col("person_id")?;
    let c_name = t.col("name")?;
    let opt = |n: &str| t.opt_col(n);
    let (c_sex, c_bd, c_cal, c_fa) = (
        opt("sex"),
        opt("birth_date"),
        opt("calendar"),
        opt("father_name"),
    );
    let (c_pr, c_co, c_vi, c_re, c_rel) = (
        opt("birthplace_province"),
        opt("birthplace_county"),
        opt("birthplace_village"),
        opt("residence_province"),
        opt("relatives_in_south"),
    );
    let mut records = Vec::new();
    let issues = Vec::new();
    let mut bad = Vec::new();
    for row in t.rows() {
        let row = match row {
            Ok(r) => r,
            Err(i) => {
                bad.push(i);
                continue;
            }
        };
        let f = |c: Option<usize>| c.and_then(|c| row.fields.get(c)).unwrap_or("").trim();
        let issue = |reason: String| RowIssue {
            file: label.to_string(),
            line: row.line,
            reason,
        };
        let id = f(Some(c_id));
        if id.is_empty() {
            bad.push(issue("empty person_id".into()));
            continue;
        }
        let name = f(Some(c_name));
        if name.is_empty() {
            bad.push(issue(format!("{id}: empty name")));
            continue;
        }
        let birth = match date_field(f(c_bd), "birth_date") {
            Ok(d) => d,
            Err(e) => {
                bad.push(issue(format!("{id}: {e}")));
                continue;
            }
        };
        let calendar = match f(c_cal).to_lowercase().as_str() {
            "lunar" | "음력" => CalendarKind::Lunar,
            _ => CalendarKind::Solar,
        };
        let relatives = f(c_rel)
            .split(';')
            .filter_map(|x| {
                let (r, n) = x.split_once(':')?;
                let n = n.trim();
                (!n.is_empty()).then(|| (r.trim().to_lowercase(), n.to_string()))
            })
            .collect();
        records.push(Person {
            id: id.to_string(),
            name: name.to_string(),
            sex: Sex::parse(f(c_sex)),
            birth,
            calendar,
            father_name: f(c_fa).to_string(),
            province: f(c_pr).to_string(),
            county: f(c_co).to_string(),
            village: f(c_vi).to_string(),
            residence: f(c_re).to_string(),
            relatives,
        });
    }
    finish(label, records, issues, bad, policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NORTH: &str = "person_id,name,sex,birth_date,calendar,father_name,birthplace_province,birthplace_county,birthplace_village,residence_province,relatives_in_south\n\
N1,리만섭,M,1938-09-07,solar,리삼룡,평안북도,녕변군,사동리,평안남도,mother:김순희\n\
N2,,F,1917-12-19,solar,,평안남도,평양시,,평안북도,\n\
N3,박순덕,F,1917-02-30,lunar,,함경남도,문천,,강원도,\n";

    #[test]
    fn bad_rows_are_reported_with_line_and_reason() {
        let l = load_persons(NORTH.as_bytes(), "north.csv", BadRowPolicy::Skip).unwrap();
        assert_eq!(l.records.len(), 1);
        assert_eq!(
            l.records[0].relatives,
            vec![("mother".into(), "김순희".into())]
        );
        assert_eq!(l.skipped, 2);
        assert_eq!(l.issues[0].line, 3);
        assert!(l.issues[0].reason.contains("empty name"));
        assert_eq!(l.issues[1].line, 4);
        assert!(l.issues[1].reason.contains("impossible"), "{}", l.issues[1]);
        let e = load_persons(NORTH.as_bytes(), "north.csv", BadRowPolicy::Refuse).unwrap_err();
        assert!(e.to_string().starts_with("north.csv: 2 bad row(s)"), "{e}");
    }

    #[test]
    fn requests_allow_unknown_names() {
        let s = "request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date\n\
S1,A1,이옥례,1926-05-10,이용호,M,1940,brother,이영식,함남,함주,내원면,,2002-07-20\n\
S2,A1,이옥례,1926-05-10,,,,father,,함남,함주,,,2002-07-20\n\
S3,A1,이옥례,1926-05-10,이용수,M,19x0,brother,,함남,함주,,,2002-07-20\n";
        let l = load_requests(s.as_bytes(), "south.csv", BadRowPolicy::Skip).unwrap();
        assert_eq!(l.records.len(), 2);
        assert_eq!(l.skipped, 1);
        assert_eq!(l.issues.len(), 2);
        assert_eq!(l.records[0].birth_year, Some(1940));
    }
}
