//! The two kinds of record: a Southern (or diaspora) tracing request for a
//! sought person, and a person on the North's list. Loading checks each row
//! and reports what it cannot use.

use std::io::Read;

use crate::calendar::{CalendarKind, Date};
use crate::csvin::{BadRowPolicy, Encoding, Row, RowReader, Table};
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
    /// `father_name` was empty and comes from the applicant's other requests
    /// (see [`FamilyFathers`]).
    pub father_from_family: bool,
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

/// What one CSV row gives: a record (with a note, if any), or a bad row.
#[derive(Debug)]
pub enum Parsed<T> {
    /// A usable record, and a note on it.
    Kept(T, Option<RowIssue>),
    /// A row that cannot be used.
    Bad(RowIssue),
}

/// Column positions of a request file.
#[derive(Debug, Clone)]
pub struct RequestColumns {
    id: usize,
    name: usize,
    applicant_id: Option<usize>,
    applicant_name: Option<usize>,
    applicant_birth: Option<usize>,
    sex: Option<usize>,
    year: Option<usize>,
    relationship: Option<usize>,
    father: Option<usize>,
    province: Option<usize>,
    county: Option<usize>,
    township: Option<usize>,
    village: Option<usize>,
    country: Option<usize>,
}

impl RequestColumns {
    /// Finds the columns (`col` for required ones, `opt` for the rest).
    pub fn find(
        col: impl Fn(&str) -> Result<usize>,
        opt: impl Fn(&str) -> Option<usize>,
    ) -> Result<Self> {
        Ok(Self {
            id: col("request_id")?,
            name: col("sought_name")?,
            applicant_id: opt("applicant_id"),
            applicant_name: opt("applicant_name"),
            applicant_birth: opt("applicant_birth_date"),
            sex: opt("sought_sex"),
            year: opt("sought_birth_year"),
            relationship: opt("relationship"),
            father: opt("sought_father_name"),
            province: opt("hometown_province"),
            county: opt("hometown_county"),
            township: opt("hometown_township"),
            village: opt("hometown_village"),
            country: opt("applicant_country"),
        })
    }

    /// Reads one row. An empty sought name is allowed (the name is not
    /// known) and noted; a missing id or an impossible date or year is bad.
    pub fn parse(&self, row: &Row, label: &str) -> Parsed<Request> {
        let f = |c: Option<usize>| c.and_then(|c| row.fields.get(c)).unwrap_or("").trim();
        let issue = |reason: String| RowIssue {
            file: label.to_string(),
            line: row.line,
            reason,
        };
        let id = f(Some(self.id));
        if id.is_empty() {
            return Parsed::Bad(issue("empty request_id".into()));
        }
        let year = match year_field(f(self.year)) {
            Ok(y) => y,
            Err(e) => return Parsed::Bad(issue(format!("{id}: {e}"))),
        };
        let ab = match date_field(f(self.applicant_birth), "applicant_birth_date") {
            Ok(d) => d,
            Err(e) => return Parsed::Bad(issue(format!("{id}: {e}"))),
        };
        let name = f(Some(self.name));
        let note = name
            .is_empty()
            .then(|| issue(format!("{id}: empty sought_name (kept: name unknown)")));
        Parsed::Kept(
            Request {
                id: id.to_string(),
                applicant_id: f(self.applicant_id).to_string(),
                applicant_name: f(self.applicant_name).to_string(),
                applicant_birth: ab,
                name: name.to_string(),
                sex: Sex::parse(f(self.sex)),
                birth_year: year,
                relationship: f(self.relationship).to_lowercase(),
                father_name: f(self.father).to_string(),
                father_from_family: false,
                province: f(self.province).to_string(),
                county: f(self.county).to_string(),
                township: f(self.township).to_string(),
                village: f(self.village).to_string(),
                country: f(self.country).to_string(),
            },
            note,
        )
    }
}

/// The father an applicant names for their own family. Brothers and sisters
/// share a father, and he is the applicant's father too: so the father's
/// name given in one sibling request, or the name sought in the applicant's
/// request for their father, is also the father of a sibling the applicant
/// left it out for. Collected over all of an applicant's requests
/// ([`FamilyFathers::observe`]), then lent to their sibling requests that
/// have none ([`FamilyFathers::fill`]); the most often given name wins, the
/// first given on a tie. Applicants are numbered by the caller.
#[derive(Debug, Default)]
pub struct FamilyFathers {
    /// Per applicant, the fathers' names said and how often (one name,
    /// inline, in the usual case).
    // Looked up per request, never iterated: FxHash.
    names: rustc_hash::FxHashMap<u32, smallvec::SmallVec<[(crate::names::Text, u32); 1]>>,
}

impl FamilyFathers {
    /// Takes note of what request `r` of applicant `applicant` says of the
    /// applicant's father.
    pub fn observe(&mut self, applicant: Option<u32>, r: &Request) {
        let Some(a) = applicant else { return };
        let said = if is_sibling(r) {
            r.father_name.as_str()
        } else if is_father(r) {
            r.name.as_str()
        } else {
            return;
        };
        let said = said.trim();
        // "김씨": only the surname, which the sibling's own name carries.
        if said.is_empty() || said.ends_with('씨') {
            return;
        }
        let votes = self.names.entry(a).or_default();
        match votes.iter_mut().find(|(n, _)| n == said) {
            Some((_, c)) => *c += 1,
            None => votes.push((said.into(), 1)),
        }
    }

    /// The father lent to request `r` of `applicant`: only for a brother or
    /// sister whose father's name is not given.
    pub fn father_for(&self, applicant: Option<u32>, r: &Request) -> Option<&str> {
        if !r.father_name.trim().is_empty() || !is_sibling(r) {
            return None;
        }
        let votes = self.names.get(&applicant?)?;
        let mut best: Option<&(crate::names::Text, u32)> = None;
        for v in votes {
            if best.is_none_or(|b| v.1 > b.1) {
                best = Some(v);
            }
        }
        best.map(|(n, _)| n.as_str())
    }

    /// Lends `r` its family's father (see [`FamilyFathers::father_for`]).
    pub fn fill(&self, applicant: Option<u32>, r: &mut Request) {
        if let Some(f) = self.father_for(applicant, r) {
            r.father_name = f.to_string();
            r.father_from_family = true;
        }
    }
}

fn is_sibling(r: &Request) -> bool {
    crate::features::Relation::parse(&r.relationship) == crate::features::Relation::Sibling
}

fn is_father(r: &Request) -> bool {
    crate::features::Relation::parse(&r.relationship) == crate::features::Relation::Parent
        && crate::features::sex_of_relation(&r.relationship).or(r.sex) == Some(Sex::M)
}

/// The applicants of a list of requests, numbered in order of first
/// appearance (an empty id is no applicant), and their families' fathers
/// ([`FamilyFathers`]): read every request once with [`Families::push`], then
/// [`Families::fill`] each as it is used.
#[derive(Debug, Default)]
pub struct Families {
    /// Per request (in the order pushed), its applicant's number.
    pub applicants: Vec<Option<u32>>,
    fathers: FamilyFathers,
    // Looked up per request, never iterated: FxHash.
    numbers: rustc_hash::FxHashMap<String, u32>,
}

impl Families {
    /// The families of a list held whole.
    pub fn of(requests: &[Request]) -> Self {
        let mut f = Self::default();
        for r in requests {
            f.push(r);
        }
        f.done();
        f
    }

    /// Reads the next request.
    pub fn push(&mut self, r: &Request) {
        let a = (!r.applicant_id.is_empty()).then(|| {
            // An applicant's later requests find their number without
            // copying the id.
            if let Some(&a) = self.numbers.get(r.applicant_id.as_str()) {
                return a;
            }
            let next = self.numbers.len() as u32;
            self.numbers.insert(r.applicant_id.clone(), next);
            next
        });
        self.fathers.observe(a, r);
        self.applicants.push(a);
    }

    /// Every request was pushed: the applicants' ids are no longer needed.
    pub fn done(&mut self) {
        self.numbers = Default::default();
    }

    /// The father lent to request number `ri` (see [`FamilyFathers`]).
    pub fn father_for(&self, ri: usize, r: &Request) -> Option<&str> {
        self.fathers
            .father_for(self.applicants.get(ri).copied().flatten(), r)
    }

    /// Lends request number `ri` its family's father, if it lacks one.
    pub fn fill(&self, ri: usize, r: &mut Request) {
        self.fathers
            .fill(self.applicants.get(ri).copied().flatten(), r);
    }
}

/// Column positions of a person file.
#[derive(Debug, Clone)]
pub struct PersonColumns {
    id: usize,
    name: usize,
    sex: Option<usize>,
    birth: Option<usize>,
    calendar: Option<usize>,
    father: Option<usize>,
    province: Option<usize>,
    county: Option<usize>,
    village: Option<usize>,
    residence: Option<usize>,
    relatives: Option<usize>,
}

impl PersonColumns {
    /// Finds the columns (`col` for required ones, `opt` for the rest).
    pub fn find(
        col: impl Fn(&str) -> Result<usize>,
        opt: impl Fn(&str) -> Option<usize>,
    ) -> Result<Self> {
        Ok(Self {
            id: col("person_id")?,
            name: col("name")?,
            sex: opt("sex"),
            birth: opt("birth_date"),
            calendar: opt("calendar"),
            father: opt("father_name"),
            province: opt("birthplace_province"),
            county: opt("birthplace_county"),
            village: opt("birthplace_village"),
            residence: opt("residence_province"),
            relatives: opt("relatives_in_south"),
        })
    }

    /// Reads one row. A missing id or name or an impossible birth date is bad.
    pub fn parse(&self, row: &Row, label: &str) -> Parsed<Person> {
        let f = |c: Option<usize>| c.and_then(|c| row.fields.get(c)).unwrap_or("").trim();
        let issue = |reason: String| RowIssue {
            file: label.to_string(),
            line: row.line,
            reason,
        };
        let id = f(Some(self.id));
        if id.is_empty() {
            return Parsed::Bad(issue("empty person_id".into()));
        }
        let name = f(Some(self.name));
        if name.is_empty() {
            return Parsed::Bad(issue(format!("{id}: empty name")));
        }
        let birth = match date_field(f(self.birth), "birth_date") {
            Ok(d) => d,
            Err(e) => return Parsed::Bad(issue(format!("{id}: {e}"))),
        };
        let calendar = match f(self.calendar).to_lowercase().as_str() {
            "lunar" | "음력" => CalendarKind::Lunar,
            _ => CalendarKind::Solar,
        };
        let relatives = f(self.relatives)
            .split(';')
            .filter_map(|x| {
                let (r, n) = x.split_once(':')?;
                let n = n.trim();
                (!n.is_empty()).then(|| (r.trim().to_lowercase(), n.to_string()))
            })
            .collect();
        Parsed::Kept(
            Person {
                id: id.to_string(),
                name: name.to_string(),
                sex: Sex::parse(f(self.sex)),
                birth,
                calendar,
                father_name: f(self.father).to_string(),
                province: f(self.province).to_string(),
                county: f(self.county).to_string(),
                village: f(self.village).to_string(),
                residence: f(self.residence).to_string(),
                relatives,
            },
            None,
        )
    }
}

fn load_all<T>(
    t: &Table,
    label: &str,
    policy: BadRowPolicy,
    parse: impl Fn(&Row) -> Parsed<T>,
) -> Result<Loaded<T>> {
    let mut records = Vec::new();
    let mut issues = Vec::new();
    let mut bad = Vec::new();
    for row in t.rows() {
        match row {
            Err(i) => bad.push(i),
            Ok(row) => match parse(&row) {
                Parsed::Kept(r, note) => {
                    records.push(r);
                    issues.extend(note);
                }
                Parsed::Bad(i) => bad.push(i),
            },
        }
    }
    finish(label, records, issues, bad, policy)
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
    let cols = RequestColumns::find(|n| t.col(n), |n| t.opt_col(n))?;
    load_all(&t, label, policy, |row| cols.parse(row, label))
}

/// Reads the North's person list. A missing id or name, an impossible birth
/// date, or a row of the wrong width is bad.
pub fn load_persons(input: impl Read, label: &str, policy: BadRowPolicy) -> Result<Loaded<Person>> {
    let t = Table::read(input, label)?;
    let cols = PersonColumns::find(|n| t.col(n), |n| t.opt_col(n))?;
    load_all(&t, label, policy, |row| cols.parse(row, label))
}

/// Records read one at a time from a stream in a known encoding (the
/// streaming counterpart of [`load_requests`] and [`load_persons`]).
pub struct RecordStream<R: Read, C> {
    rows: RowReader<R>,
    cols: C,
}

impl<R: Read> RecordStream<R, RequestColumns> {
    /// Opens a request file.
    pub fn requests(input: R, encoding: Encoding, label: &str) -> Result<Self> {
        let rows = RowReader::new(input, encoding, label)?;
        let cols = RequestColumns::find(|n| rows.col(n), |n| rows.opt_col(n))?;
        Ok(Self { rows, cols })
    }

    /// The next row's outcome, or `None` at the end.
    pub fn next_request(&mut self) -> Result<Option<Parsed<Request>>> {
        Ok(match self.rows.advance()? {
            None => None,
            Some(Err(i)) => Some(Parsed::Bad(i)),
            Some(Ok(())) => Some(self.cols.parse(self.rows.current(), &self.rows.label)),
        })
    }
}

impl<R: Read> RecordStream<R, PersonColumns> {
    /// Opens a person file.
    pub fn persons(input: R, encoding: Encoding, label: &str) -> Result<Self> {
        let rows = RowReader::new(input, encoding, label)?;
        let cols = PersonColumns::find(|n| rows.col(n), |n| rows.opt_col(n))?;
        Ok(Self { rows, cols })
    }

    /// The next row's outcome, or `None` at the end.
    pub fn next_person(&mut self) -> Result<Option<Parsed<Person>>> {
        Ok(match self.rows.advance()? {
            None => None,
            Some(Err(i)) => Some(Parsed::Bad(i)),
            Some(Ok(())) => Some(self.cols.parse(self.rows.current(), &self.rows.label)),
        })
    }
}

/// Orders a file's bad rows and notes as the whole-file loaders do, and
/// refuses the file under [`BadRowPolicy::Refuse`] when a row was bad.
pub fn settle_issues(
    label: &str,
    notes: Vec<RowIssue>,
    bad: Vec<RowIssue>,
    policy: BadRowPolicy,
) -> Result<(Vec<RowIssue>, usize)> {
    let l = finish::<()>(label, Vec::new(), notes, bad, policy)?;
    Ok((l.issues, l.skipped))
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
