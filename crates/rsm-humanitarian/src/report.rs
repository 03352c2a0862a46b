//! Yearly reports for the Ministerial Council: aggregates only, with every cell below the
//! suppression threshold withheld in one place.
//!
//! Every number a report publishes is a [`Published`] value, and only the private
//! `disclosure` module below can make one. Counts of cases go through its suppressor:
//!
//! - **Primary suppression**: a count of 1 to 4 ([`MIN_CELL`] − 1) is withheld — cells,
//!   row and column totals and the grand total alike (a total of 3 is a count of 3 people).
//! - **Secondary suppression**: the published numbers are a linear system (each row and
//!   column sums to its total; the tables "by kind" and "by outcome" count the *same* cases,
//!   so they share each party's total and the grand total). A withheld number is
//!   recoverable by differencing exactly when the system determines it. The suppressor
//!   solves the system over the withheld numbers (exact Gauss–Jordan elimination on
//!   integers) and, while any withheld number is determined, withholds one more published
//!   number on a line with it (the smallest non-zero cell first, totals last). Since an
//!   all-withheld table determines nothing, this ends.
//! - Zeros are published: that nobody of a party was referred under a type is not a person.
//!
//! - **Bounds**: because zeros are shown, a reader knows every withheld number is at least
//!   1, so two withheld cells of a line that must sum to 2 are both 1, though no linear
//!   combination determines them. A small count is kept only if one step along a vector of
//!   the system's null space (either way) gives another solution with every withheld number
//!   still at least 1 and that count changed; otherwise one more number is withheld. This is
//!   a sufficient test, not a full interval audit (minimum and maximum of each cell by linear
//!   programming, as τ-ARGUS does): it may withhold more than needed, never less.
//! - A median time to resolution is published only over at least [`MIN_CELL`] cases.
//! - Aid amounts are money between states, not people: published as they are, but still
//!   through [`Published`], so the type says every number was looked at.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use rsm_core::party::PartyCode;

use crate::aid::{Converted, Sector, Totals};
pub use disclosure::Published;

/// The smallest count of cases a report publishes (other than zero).
pub const MIN_CELL: u64 = 5;

/// One case as the yearly report sees it: no person, only what is counted. The case store
/// produces these; the report never sees a case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    /// The party whose focal point opened and referred the case.
    pub referring_party: PartyCode,
    /// The party the case was referred to.
    pub receiving_party: PartyCode,
    /// The referral type's id, as in the referral types file (e.g. `trafficking-victim`).
    pub kind: String,
    /// The day the case was referred.
    pub referred_on: jiff::civil::Date,
    /// How it ended: `None` while open; otherwise the outcome's id (e.g. `declined`,
    /// `closed:reunited-with-family`).
    pub outcome: Option<String>,
    /// The day it was declined or closed, if it was.
    pub resolved_on: Option<jiff::civil::Date>,
}

/// The outcome column of a case still open on the report's date.
pub const OPEN: &str = "open";

/// A table of counts: rows are parties, columns a classification of the same cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<u64>>,
}

/// A count table after suppression, with its margins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Published<u64>>>,
    pub row_totals: Vec<Published<u64>>,
    pub column_totals: Vec<Published<u64>>,
    pub total: Published<u64>,
}

impl PublishedTable {
    /// How many numbers of the table (cells and totals) are withheld.
    pub fn withheld(&self) -> usize {
        self.cells
            .iter()
            .flatten()
            .chain(&self.row_totals)
            .chain(&self.column_totals)
            .chain([&self.total])
            .filter(|p| p.is_withheld())
            .count()
    }
}

/// A median in days, exact to the half day (`twice` is twice the median).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MedianDays {
    pub twice: u64,
}

impl std::fmt::Display for MedianDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.twice.is_multiple_of(2) {
            write!(f, "{}", self.twice / 2)
        } else {
            write!(f, "{}.5", self.twice / 2)
        }
    }
}

/// The median time from referral to resolution of one party's cases (or all parties').
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedianRow {
    /// A party code, or `all`.
    pub row: String,
    pub median: Published<MedianDays>,
}

/// A donor party's aid in one sector in the year, in US cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidRow {
    pub donor: PartyCode,
    pub sector: Sector,
    pub totals: Published<Totals>,
}

/// The yearly statistics for the Ministerial Council.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearlyReport {
    pub year: i16,
    /// Outcomes are as recorded on this day; a case resolved later counts as open.
    pub as_of: Date,
    /// Cases referred in the year, by referring party and referral type.
    pub by_kind: PublishedTable,
    /// The same cases by referring party and outcome.
    pub by_outcome: PublishedTable,
    /// Median days from referral to resolution of the year's resolved cases, per party and
    /// for all.
    pub median_days: Vec<MedianRow>,
    /// Aid with a date in the year, by donor and sector (every donor × sector, zeros too).
    pub aid_by_sector: Vec<AidRow>,
}

/// Computes the report of `year` as of the cut-off `as_of` from the case facts (any range:
/// those referred in `year` by `as_of` count, outcomes recorded by `as_of`) and the converted
/// aid flows (those dated in `year` count; the caller passes those standing at the cut-off).
/// Pure: the same arguments give the same report, whatever the day it runs.
pub fn yearly_report(
    year: i16,
    as_of: Date,
    cases: &[CaseFact],
    aid: &[Converted<'_>],
) -> YearlyReport {
    let parties: Vec<String> = PartyCode::ALL
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let party_index = |p: PartyCode| PartyCode::ALL.iter().position(|q| *q == p).unwrap_or(0);
    let mut kinds: HashMap<&str, Vec<u64>> = HashMap::new();
    let mut outcomes: HashMap<&str, Vec<u64>> = HashMap::new();
    let mut days: Vec<Vec<u32>> = vec![Vec::new(); PartyCode::ALL.len()];
    for c in cases
        .iter()
        .filter(|c| c.referred_on.year() == year && c.referred_on <= as_of)
    {
        let i = party_index(c.referring_party);
        kinds.entry(c.kind.as_str()).or_insert_with(|| vec![0; 6])[i] += 1;
        let resolved = c.resolved_on.filter(|d| *d <= as_of);
        let outcome = match (&c.outcome, resolved) {
            (Some(o), Some(_)) => o.as_str(),
            _ => OPEN,
        };
        outcomes.entry(outcome).or_insert_with(|| vec![0; 6])[i] += 1;
        if let Some(d) = resolved {
            let n = (d - c.referred_on).get_days().max(0);
            days[i].push(u32::try_from(n).unwrap_or(u32::MAX));
        }
    }
    let table = |by: HashMap<&str, Vec<u64>>| {
        let columns: BTreeMap<&str, Vec<u64>> = by.into_iter().collect();
        CountTable {
            rows: parties.clone(),
            columns: columns.keys().map(|c| (*c).to_owned()).collect(),
            cells: (0..parties.len())
                .map(|i| columns.values().map(|v| v[i]).collect())
                .collect(),
        }
    };
    let mut published = disclosure::suppress(&[table(kinds), table(outcomes)]).into_iter();
    let by_kind = published.next().expect("two tables in, two out");
    let by_outcome = published.next().expect("two tables in, two out");

    let mut median_days: Vec<MedianRow> = PartyCode::ALL
        .iter()
        .zip(days.iter_mut())
        .map(|(p, d)| MedianRow {
            row: p.as_str().to_owned(),
            median: disclosure::median(d),
        })
        .collect();
    let mut all: Vec<u32> = days.concat();
    median_days.push(MedianRow {
        row: "all".into(),
        median: disclosure::median(&mut all),
    });

    let in_year: Vec<Converted<'_>> = aid
        .iter()
        .filter(|c| c.flow.year() == year)
        .cloned()
        .collect();
    let sums = crate::aid::totals_by(&in_year, |f| (f.donor, f.sector));
    let aid_by_sector = PartyCode::ALL
        .iter()
        .flat_map(|d| Sector::all().map(move |s| (*d, s)))
        .map(|(donor, sector)| AidRow {
            donor,
            sector,
            totals: disclosure::money(sums.get(&(donor, sector)).copied().unwrap_or_default()),
        })
        .collect();
    YearlyReport {
        year,
        as_of,
        by_kind,
        by_outcome,
        median_days,
        aid_by_sector,
    }
}

/// The report as CSV: `table,row,column,value`, a withheld number as `suppressed`, money
/// in whole US cents.
pub fn to_csv(r: &YearlyReport) -> String {
    let mut out = String::from("table,row,column,value\n");
    let mut line = |table: &str, row: &str, column: &str, value: String| {
        out.push_str(&format!(
            "{},{},{},{}\n",
            csv_field(table),
            csv_field(row),
            csv_field(column),
            value
        ));
    };
    let show = |p: &Published<u64>| {
        p.value()
            .map_or_else(|| "suppressed".into(), |v| v.to_string())
    };
    for (name, t) in [
        ("cases-by-kind", &r.by_kind),
        ("cases-by-outcome", &r.by_outcome),
    ] {
        for (i, row) in t.rows.iter().enumerate() {
            for (j, col) in t.columns.iter().enumerate() {
                line(name, row, col, show(&t.cells[i][j]));
            }
            line(name, row, "total", show(&t.row_totals[i]));
        }
        for (j, col) in t.columns.iter().enumerate() {
            line(name, "total", col, show(&t.column_totals[j]));
        }
        line(name, "total", "total", show(&t.total));
    }
    for m in &r.median_days {
        line(
            "median-days-to-resolution",
            &m.row,
            "median",
            m.median
                .value()
                .map_or_else(|| "suppressed".into(), ToString::to_string),
        );
    }
    for a in &r.aid_by_sector {
        if let Some(t) = a.totals.value() {
            for (col, v) in [
                ("pledged-usd-cents", t.pledged),
                ("committed-usd-cents", t.committed),
                ("disbursed-usd-cents", t.disbursed),
            ] {
                line(
                    "aid-by-sector",
                    a.donor.as_str(),
                    &format!("{}:{col}", a.sector.id()),
                    v.to_string(),
                );
            }
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The one place where published numbers are made.
mod disclosure {
    use super::{BTreeSet, CountTable, MIN_CELL, MedianDays, PublishedTable, Totals};

    /// A number fit to publish, or the mark that it is withheld. Only this module makes
    /// them: the suppressor for counts, [`median`] for medians, [`money`] for aid.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Published<T> {
        value: Option<T>,
    }

    impl<T> Published<T> {
        /// The number, or `None` when it is withheld.
        pub fn value(&self) -> Option<&T> {
            self.value.as_ref()
        }
        pub fn is_withheld(&self) -> bool {
            self.value.is_none()
        }
    }

    fn shown<T>(v: T) -> Published<T> {
        Published { value: Some(v) }
    }
    fn withheld<T>() -> Published<T> {
        Published { value: None }
    }

    /// A median over at least [`MIN_CELL`] values; `days` is reordered.
    pub(super) fn median(days: &mut [u32]) -> Published<MedianDays> {
        let n = days.len();
        if (n as u64) < MIN_CELL {
            return withheld();
        }
        let (_, hi, _) = days.select_nth_unstable(n / 2);
        let hi = u64::from(*hi);
        let twice = if n % 2 == 1 {
            2 * hi
        } else {
            let lo = u64::from(*days[..n / 2].iter().max().expect("n ≥ 5"));
            lo + hi
        };
        shown(MedianDays { twice })
    }

    /// Aid amounts: sums of money between states, about no person; published as they are.
    pub(super) fn money(t: Totals) -> Published<Totals> {
        shown(t)
    }

    /// Where one table's numbers sit among the variables: cells, row totals, column totals,
    /// grand total.
    type Layout = (Vec<Vec<usize>>, Vec<usize>, Vec<usize>, usize);

    /// One number of the system: a cell, a row total, a column total or a grand total.
    struct Var {
        value: u64,
        /// Totals are withheld for secondary suppression only when no cell will do.
        is_total: bool,
    }

    /// Suppresses tables that classify the same cases by the same rows in different ways:
    /// when their row sums agree they share the row totals and the grand total.
    pub(super) fn suppress(tables: &[CountTable]) -> Vec<PublishedTable> {
        let mut vars: Vec<Var> = Vec::new();
        let mut new_var = |value: u64, is_total: bool| {
            vars.push(Var { value, is_total });
            vars.len() - 1
        };
        let row_sums =
            |t: &CountTable| -> Vec<u64> { t.cells.iter().map(|r| r.iter().sum()).collect() };
        let shared = tables
            .windows(2)
            .all(|w| row_sums(&w[0]) == row_sums(&w[1]) && w[0].rows == w[1].rows);
        let mut equations: Vec<Vec<(usize, i128)>> = Vec::new();
        // Per table: cell ids, row total ids, column total ids, grand total id.
        let mut layout: Vec<Layout> = Vec::new();
        let mut common: Option<(Vec<usize>, usize)> = None;
        for t in tables {
            let cells: Vec<Vec<usize>> = t
                .cells
                .iter()
                .map(|r| r.iter().map(|v| new_var(*v, false)).collect())
                .collect();
            let sums = row_sums(t);
            let (rows, grand) = match (&common, shared) {
                (Some(c), true) => c.clone(),
                _ => {
                    let rows: Vec<usize> = sums.iter().map(|s| new_var(*s, true)).collect();
                    let grand = new_var(sums.iter().sum(), true);
                    if shared {
                        common = Some((rows.clone(), grand));
                    }
                    (rows, grand)
                }
            };
            let columns: Vec<usize> = (0..t.columns.len())
                .map(|j| new_var(t.cells.iter().map(|r| r[j]).sum(), true))
                .collect();
            for (i, r) in cells.iter().enumerate() {
                let mut eq: Vec<(usize, i128)> = r.iter().map(|v| (*v, 1)).collect();
                eq.push((rows[i], -1));
                equations.push(eq);
            }
            for (j, c) in columns.iter().enumerate() {
                let mut eq: Vec<(usize, i128)> = cells.iter().map(|r| (r[j], 1)).collect();
                eq.push((*c, -1));
                equations.push(eq);
            }
            let mut eq: Vec<(usize, i128)> = columns.iter().map(|c| (*c, 1)).collect();
            eq.push((grand, -1));
            equations.push(eq);
            let mut eq: Vec<(usize, i128)> = rows.iter().map(|r| (*r, 1)).collect();
            eq.push((grand, -1));
            equations.push(eq);
            layout.push((cells, rows, columns, grand));
        }

        let mut hidden: Vec<bool> = vars
            .iter()
            .map(|v| v.value > 0 && v.value < MIN_CELL)
            .collect();
        let values: Vec<u64> = vars.iter().map(|v| v.value).collect();
        while let Some(exposed) = first_exposed(&equations, &hidden, &values) {
            // Another number on a line with the exposed one: the smallest non-zero cell,
            // then totals, zeros last; failing that, any published number.
            let rank = |v: usize| (vars[v].value == 0, vars[v].is_total, vars[v].value, v);
            let neighbour = equations
                .iter()
                .filter(|eq| eq.iter().any(|(v, _)| *v == exposed))
                .flat_map(|eq| eq.iter().map(|(v, _)| *v))
                .filter(|v| !hidden[*v])
                .min_by_key(|v| rank(*v));
            let pick = neighbour.or_else(|| {
                (0..vars.len())
                    .filter(|v| !hidden[*v])
                    .min_by_key(|v| rank(*v))
            });
            match pick {
                Some(v) => hidden[v] = true,
                None => break, // everything is withheld
            }
        }

        let publish = |v: usize| {
            if hidden[v] {
                withheld()
            } else {
                shown(vars[v].value)
            }
        };
        tables
            .iter()
            .zip(&layout)
            .map(|(t, (cells, rows, columns, grand))| PublishedTable {
                rows: t.rows.clone(),
                columns: t.columns.clone(),
                cells: cells
                    .iter()
                    .map(|r| r.iter().map(|v| publish(*v)).collect())
                    .collect(),
                row_totals: rows.iter().map(|v| publish(*v)).collect(),
                column_totals: columns.iter().map(|v| publish(*v)).collect(),
                total: publish(*grand),
            })
            .collect()
    }

    /// The first withheld number that the published ones give away, if any: Gauss–Jordan
    /// elimination of the equations over the withheld numbers (the published ones are
    /// known and drop to the constant side); a pivot whose row has no free number left is
    /// determined. Failing that, the first small count that no other solution within the
    /// reader's bounds (withheld numbers are at least 1) moves.
    fn first_exposed(
        equations: &[Vec<(usize, i128)>],
        hidden: &[bool],
        values: &[u64],
    ) -> Option<usize> {
        let unknowns: Vec<usize> = (0..hidden.len()).filter(|v| hidden[*v]).collect();
        if unknowns.is_empty() {
            return None;
        }
        let column_of: std::collections::HashMap<usize, usize> =
            unknowns.iter().enumerate().map(|(c, v)| (*v, c)).collect();
        let mut m: Vec<Vec<i128>> = equations
            .iter()
            .map(|eq| {
                let mut row = vec![0i128; unknowns.len()];
                for (v, a) in eq {
                    if let Some(c) = column_of.get(v) {
                        row[*c] += a;
                    }
                }
                row
            })
            .filter(|r| r.iter().any(|a| *a != 0))
            .collect();
        let mut pivots: Vec<(usize, usize)> = Vec::new(); // (row, column)
        let mut r = 0;
        for c in 0..unknowns.len() {
            let Some(p) = (r..m.len()).find(|i| m[*i][c] != 0) else {
                continue;
            };
            m.swap(r, p);
            for i in 0..m.len() {
                if i != r && m[i][c] != 0 {
                    let (a, b) = (m[r][c], m[i][c]);
                    let pivot_row = m[r].clone();
                    for (x, y) in m[i].iter_mut().zip(&pivot_row) {
                        *x = *x * a - *y * b;
                    }
                    normalise(&mut m[i]);
                }
            }
            pivots.push((r, c));
            r += 1;
            if r == m.len() {
                break;
            }
        }
        let pivot_columns: BTreeSet<usize> = pivots.iter().map(|(_, c)| *c).collect();
        let determined = pivots
            .iter()
            .find(|(row, _)| {
                m[*row]
                    .iter()
                    .enumerate()
                    .all(|(c, a)| *a == 0 || pivot_columns.contains(&c))
            })
            .map(|(_, c)| unknowns[*c]);
        if determined.is_some() {
            return determined;
        }
        // Bounds: a reader knows every withheld number is at least 1 (zeros are shown). A
        // small count is safe only if another integer solution of the published system,
        // with every withheld number still at least 1 (or 0 where it is 0), gives it a
        // different value. Candidates: one step along each vector of the null space's basis
        // (one per free column), either way.
        let free: Vec<usize> = (0..unknowns.len())
            .filter(|c| !pivot_columns.contains(c))
            .collect();
        let basis: Vec<Vec<i128>> = free
            .iter()
            .map(|f| {
                let mut l = 1i128;
                for (r, p) in &pivots {
                    if m[*r][*f] != 0 {
                        let a = m[*r][*p].abs();
                        l = l / gcd(l, a) * a;
                    }
                }
                let mut z = vec![0i128; unknowns.len()];
                z[*f] = l;
                for (r, p) in &pivots {
                    z[*p] = -m[*r][*f] * l / m[*r][*p];
                }
                z
            })
            .collect();
        let x: Vec<i128> = unknowns.iter().map(|v| i128::from(values[*v])).collect();
        let floor: Vec<i128> = x.iter().map(|v| (*v).min(1)).collect();
        (0..unknowns.len())
            .filter(|k| x[*k] > 0 && (x[*k] as u64) < MIN_CELL)
            .find(|k| {
                !basis.iter().filter(|z| z[*k] != 0).any(|z| {
                    [1i128, -1].iter().any(|s| {
                        x.iter()
                            .zip(z)
                            .zip(&floor)
                            .all(|((xi, zi), lo)| xi + s * zi >= *lo)
                    })
                })
            })
            .map(|k| unknowns[k])
    }

    fn normalise(row: &mut [i128]) {
        let g = row.iter().fold(0i128, |g, a| gcd(g, a.abs()));
        if g > 1 {
            for a in row.iter_mut() {
                *a /= g;
            }
        }
    }

    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
}
