//! The yearly report: counts by kind and outcome, medians, aid by sector, and the property
//! that no published number reveals a count below five — directly, or by differencing the
//! totals of one table or of the two tables that count the same cases.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};
use proptest::prelude::*;
use rsm_core::party::PartyCode::{self, *};
use rsm_humanitarian::{
    aid::{Currency, Flow, FlowKind, Money, RateTable, Recipient, Sector, convert_all},
    report::{CaseFact, MIN_CELL, PublishedTable, YearlyReport, to_csv, yearly_report},
};

fn fact(party: PartyCode, kind: &str, referred: Date, outcome: Option<(&str, Date)>) -> CaseFact {
    CaseFact {
        referring_party: party,
        receiving_party: if party == CN { KR } else { CN },
        kind: kind.into(),
        referred_on: referred,
        outcome: outcome.map(|(o, _)| o.to_owned()),
        resolved_on: outcome.map(|(_, d)| d),
    }
}

fn report(cases: &[CaseFact]) -> YearlyReport {
    yearly_report(2026, date(2027, 3, 1), cases, &[])
}

fn cell(t: &PublishedTable, row: &str, column: &str) -> Option<u64> {
    let i = t.rows.iter().position(|r| r == row).unwrap();
    let j = t.columns.iter().position(|c| c == column).unwrap();
    t.cells[i][j].value().copied()
}

#[test]
fn a_small_cell_is_withheld_and_its_row_total_cannot_give_it_away() {
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(fact(KR, "trafficking-victim", date(2026, 2, 1), None));
    }
    for _ in 0..20 {
        cases.push(fact(KR, "medical-evacuation", date(2026, 3, 1), None));
        cases.push(fact(JP, "medical-evacuation", date(2026, 3, 1), None));
        cases.push(fact(JP, "trafficking-victim", date(2026, 3, 1), None));
    }
    // A case of another year does not count.
    cases.push(fact(KR, "refugee-assistance", date(2025, 12, 31), None));
    let r = report(&cases);
    assert_eq!(
        r.by_kind.columns,
        ["medical-evacuation", "trafficking-victim"]
    );
    assert_eq!(cell(&r.by_kind, "KR", "trafficking-victim"), None);
    // Only KR and JP have cases: the small cell sits on a 2 × 2 block of non-zero cells,
    // and the smallest cycle that hides it is the whole block; the totals stay published.
    assert_eq!(cell(&r.by_kind, "JP", "trafficking-victim"), None);
    assert_eq!(r.by_kind.total.value(), Some(&63));
    // KR's total (23) minus its evacuation cell (20) would give the 3: one more is withheld.
    let kr = r.by_kind.rows.iter().position(|p| p == "KR").unwrap();
    let evac = cell(&r.by_kind, "KR", "medical-evacuation");
    assert!(
        evac.is_none() || r.by_kind.row_totals[kr].is_withheld(),
        "the row must not give the small cell away"
    );
    // The column of trafficking cases likewise.
    let traffic_total = r.by_kind.column_totals[1].value();
    let jp_traffic = cell(&r.by_kind, "JP", "trafficking-victim");
    assert!(traffic_total.is_none() || jp_traffic.is_none() || r.by_kind.rows.len() > 2);
    // All 23 KR cases are open, so the outcome table's KR row is one cell: it equals the
    // shared total, and is withheld exactly when the total is.
    assert_eq!(
        cell(&r.by_outcome, "KR", "open"),
        r.by_kind.row_totals[kr].value().copied()
    );
    let csv = to_csv(&r);
    assert!(
        csv.contains("cases-by-kind,KR,trafficking-victim,suppressed\n"),
        "{csv}"
    );
    assert!(csv.contains("cases-by-kind,total,total,63\n"), "{csv}");
}

#[test]
fn medians_need_five_resolved_cases_and_outcomes_follow_the_report_date() {
    let mut cases = Vec::new();
    for (i, days) in [10, 20, 30, 40, 50, 60].into_iter().enumerate() {
        let referred = date(2026, 1, 1) + jiff::Span::new().days(i as i64);
        let resolved = referred + jiff::Span::new().days(days);
        cases.push(fact(
            CN,
            "refugee-assistance",
            referred,
            Some(("closed:assisted", resolved)),
        ));
    }
    for _ in 0..4 {
        cases.push(fact(
            RU,
            "refugee-assistance",
            date(2026, 5, 1),
            Some(("declined", date(2026, 5, 9))),
        ));
    }
    // Resolved after the report's date: still open then.
    cases.push(fact(
        CN,
        "refugee-assistance",
        date(2026, 12, 1),
        Some(("declined", date(2027, 5, 1))),
    ));
    let r = report(&cases);
    let median = |row: &str| {
        r.median_days
            .iter()
            .find(|m| m.row == row)
            .unwrap()
            .median
            .value()
            .map(ToString::to_string)
    };
    assert_eq!(median("CN").as_deref(), Some("35"));
    assert_eq!(median("RU"), None, "four cases are too few");
    assert_eq!(
        median("all").as_deref(),
        Some("15"),
        "ten values 8,8,8,8,10,20,…: (10 + 20) / 2"
    );
    assert_eq!(
        cell(&r.by_outcome, "CN", "open"),
        None,
        "one open case is withheld"
    );
}

#[test]
fn aid_by_sector_counts_the_years_flows_in_dollars() {
    let flows = vec![Flow {
        kind: FlowKind::Disbursement,
        donor: KR,
        recipient: Recipient::Named("WFP".into()),
        sector: Sector::parse("food").unwrap(),
        date: date(2026, 4, 1),
        amount: Money {
            currency: Currency::USD,
            minor: 12_345,
        },
        description: String::new(),
    }];
    let converted = convert_all(&flows, &RateTable::default()).unwrap();
    let r = yearly_report(2026, date(2027, 1, 1), &[], &converted);
    assert_eq!(r.aid_by_sector.len(), 6 * 5);
    let kr_food = r
        .aid_by_sector
        .iter()
        .find(|a| a.donor == KR && a.sector.id() == "food")
        .unwrap();
    assert_eq!(kr_food.totals.value().unwrap().disbursed, 12_345);
    let r2025 = yearly_report(2025, date(2027, 1, 1), &[], &converted);
    assert!(
        r2025
            .aid_by_sector
            .iter()
            .all(|a| a.totals.value().unwrap().flows == 0)
    );
}

/// Rank of an integer matrix (fraction-free elimination; an implementation separate from
/// the suppressor's, so the property does not check the code against itself).
fn rank(mut m: Vec<Vec<i128>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|i| m[*i][c] != 0) else {
            continue;
        };
        m.swap(r, p);
        for i in r + 1..m.len() {
            if m[i][c] != 0 {
                let (a, b) = (m[r][c], m[i][c]);
                let top = m[r].clone();
                for (x, y) in m[i].iter_mut().zip(&top) {
                    *x = *x * a - *y * b;
                }
                let g = m[i].iter().fold(0i128, |g, v| num_gcd(g, v.abs()));
                if g > 1 {
                    m[i].iter_mut().for_each(|v| *v /= g);
                }
            }
        }
        r += 1;
    }
    r
}

fn num_gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { num_gcd(b, a % b) }
}

/// What an outsider sees, as a linear system: every published number of both tables (the
/// party totals and the grand total are one number each, shared), every line summing to its
/// total. Returns the withheld numbers the system determines (each with its true value).
fn recoverable(
    r: &YearlyReport,
    truth: &[BTreeMap<(String, String), u64>; 2],
) -> Vec<(String, u64)> {
    // Variables: (name, value, withheld).
    let mut vars: Vec<(String, u64, bool)> = Vec::new();
    let mut var = |name: String, value: u64, hidden: bool| {
        vars.push((name, value, hidden));
        vars.len() - 1
    };
    let rows = r.by_kind.rows.clone();
    let party_totals: Vec<usize> = rows
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let t = truth[0]
                .iter()
                .filter(|((q, _), _)| q == p)
                .map(|(_, v)| v)
                .sum();
            var(
                format!("total {p}"),
                t,
                r.by_kind.row_totals[i].is_withheld(),
            )
        })
        .collect();
    let grand_value = truth[0].values().sum();
    let grand = var(
        "grand total".into(),
        grand_value,
        r.by_kind.total.is_withheld(),
    );
    let mut equations: Vec<Vec<(usize, i128)>> = Vec::new();
    for (k, t) in [&r.by_kind, &r.by_outcome].into_iter().enumerate() {
        let cells: Vec<Vec<usize>> = rows
            .iter()
            .enumerate()
            .map(|(i, p)| {
                t.columns
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let v = truth[k].get(&(p.clone(), c.clone())).copied().unwrap_or(0);
                        var(format!("table {k} {p} {c}"), v, t.cells[i][j].is_withheld())
                    })
                    .collect()
            })
            .collect();
        let cols: Vec<usize> = t
            .columns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let v = truth[k]
                    .iter()
                    .filter(|((_, q), _)| q == c)
                    .map(|(_, v)| v)
                    .sum();
                var(
                    format!("table {k} total {c}"),
                    v,
                    t.column_totals[j].is_withheld(),
                )
            })
            .collect();
        for (i, row) in cells.iter().enumerate() {
            let mut eq: Vec<(usize, i128)> = row.iter().map(|v| (*v, 1)).collect();
            eq.push((party_totals[i], -1));
            equations.push(eq);
        }
        for (j, c) in cols.iter().enumerate() {
            let mut eq: Vec<(usize, i128)> = cells.iter().map(|row| (row[j], 1)).collect();
            eq.push((*c, -1));
            equations.push(eq);
        }
        let mut eq: Vec<(usize, i128)> = cols.iter().map(|c| (*c, 1)).collect();
        eq.push((grand, -1));
        equations.push(eq);
    }
    let mut eq: Vec<(usize, i128)> = party_totals.iter().map(|v| (*v, 1)).collect();
    eq.push((grand, -1));
    equations.push(eq);
    let hidden: Vec<usize> = (0..vars.len()).filter(|v| vars[*v].2).collect();
    let matrix = |skip: Option<usize>| -> Vec<Vec<i128>> {
        equations
            .iter()
            .map(|eq| {
                hidden
                    .iter()
                    .filter(|h| Some(**h) != skip)
                    .map(|h| eq.iter().filter(|(v, _)| v == h).map(|(_, a)| a).sum())
                    .collect()
            })
            .collect()
    };
    let full = rank(matrix(None));
    hidden
        .iter()
        .filter(|h| rank(matrix(Some(**h))) + 1 == full)
        .map(|h| (vars[*h].0.clone(), vars[*h].1))
        .collect()
}

/// The simplest bounds attack: zeros are shown, so a withheld count is at least 1; on a line
/// whose total is published, withheld cells summing to exactly their number are all 1.
fn pinned_to_one(r: &YearlyReport, truth: &[BTreeMap<(String, String), u64>; 2]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, t) in [&r.by_kind, &r.by_outcome].into_iter().enumerate() {
        let value = |i: usize, j: usize| {
            truth[k]
                .get(&(t.rows[i].clone(), t.columns[j].clone()))
                .copied()
                .unwrap_or(0)
        };
        let mut check = |name: String, total_shown: bool, cells: Vec<(bool, u64)>| {
            let withheld: Vec<u64> = cells.iter().filter(|(h, _)| *h).map(|(_, v)| *v).collect();
            if total_shown
                && !withheld.is_empty()
                && withheld.iter().sum::<u64>() == withheld.len() as u64
            {
                out.push(name);
            }
        };
        for i in 0..t.rows.len() {
            let cells = (0..t.columns.len())
                .map(|j| (t.cells[i][j].is_withheld(), value(i, j)))
                .collect();
            check(
                format!("table {k} row {}", t.rows[i]),
                !t.row_totals[i].is_withheld(),
                cells,
            );
        }
        for j in 0..t.columns.len() {
            let cells = (0..t.rows.len())
                .map(|i| (t.cells[i][j].is_withheld(), value(i, j)))
                .collect();
            check(
                format!("table {k} column {}", t.columns[j]),
                !t.column_totals[j].is_withheld(),
                cells,
            );
        }
    }
    out
}

#[test]
fn two_single_cases_on_one_line_are_not_pinned_by_the_total() {
    // KR: one case of each of two rare kinds beside ten of a common one; others have many.
    let mut cases = Vec::new();
    for kind in ["a", "b"] {
        cases.push(fact(KR, kind, date(2026, 1, 1), None));
    }
    for _ in 0..10 {
        cases.push(fact(KR, "c", date(2026, 1, 1), None));
    }
    for p in [CN, JP, US] {
        for kind in ["a", "b", "c"] {
            for _ in 0..7 {
                cases.push(fact(p, kind, date(2026, 1, 1), None));
            }
        }
    }
    let r = report(&cases);
    let mut truth: [BTreeMap<(String, String), u64>; 2] = Default::default();
    for c in &cases {
        *truth[0]
            .entry((c.referring_party.as_str().into(), c.kind.clone()))
            .or_default() += 1;
        *truth[1]
            .entry((c.referring_party.as_str().into(), "open".into()))
            .or_default() += 1;
    }
    assert!(recoverable(&r, &truth).is_empty());
    assert_eq!(pinned_to_one(&r, &truth), Vec::<String>::new());
}

fn arb_fact() -> impl Strategy<Value = CaseFact> {
    (
        0..6usize,
        prop::sample::select(vec![
            "trafficking-victim",
            "refugee-assistance",
            "medical-evacuation",
        ]),
        prop::option::of((
            prop::sample::select(vec!["declined", "closed:assisted", "closed:returned"]),
            1..200i64,
        )),
        0..365i64,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(p, kind, outcome, day, this_year)| {
            let start = if this_year {
                date(2026, 1, 1)
            } else {
                date(2025, 1, 1)
            };
            let referred = start + jiff::Span::new().days(day);
            fact(
                PartyCode::ALL[p],
                kind,
                referred,
                outcome.map(|(o, d)| (o, referred + jiff::Span::new().days(d))),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_published_number_reveals_a_count_below_five(cases in prop::collection::vec(arb_fact(), 0..160)) {
        let as_of = date(2027, 3, 1);
        let r = yearly_report(2026, as_of, &cases, &[]);
        let mut truth: [BTreeMap<(String, String), u64>; 2] = Default::default();
        for c in cases.iter().filter(|c| c.referred_on.year() == 2026) {
            let p = c.referring_party.as_str().to_owned();
            *truth[0].entry((p.clone(), c.kind.clone())).or_default() += 1;
            let outcome = match (&c.outcome, c.resolved_on) {
                (Some(o), Some(d)) if d <= as_of => o.clone(),
                _ => "open".into(),
            };
            *truth[1].entry((p, outcome)).or_default() += 1;
        }
        for (k, t) in [&r.by_kind, &r.by_outcome].into_iter().enumerate() {
            let numbers = t.cells.iter().flatten().chain(&t.row_totals).chain(&t.column_totals).chain([&t.total]);
            for n in numbers {
                if let Some(v) = n.value() {
                    prop_assert!(*v == 0 || *v >= MIN_CELL, "table {k} publishes {v}");
                }
            }
            // What is shown is true.
            for (i, p) in t.rows.iter().enumerate() {
                for (j, c) in t.columns.iter().enumerate() {
                    if let Some(v) = t.cells[i][j].value() {
                        prop_assert_eq!(*v, truth[k].get(&(p.clone(), c.clone())).copied().unwrap_or(0));
                    }
                }
            }
        }
        let exposed = recoverable(&r, &truth);
        prop_assert!(exposed.is_empty(), "recoverable by differencing: {:?}", exposed);
        let pinned = pinned_to_one(&r, &truth);
        prop_assert!(pinned.is_empty(), "pinned by bounds: {:?}", pinned);
    }
}

#[test]
fn the_checker_does_catch_a_recoverable_cell() {
    // A report with a withheld cell whose row shows everything else would be caught: build
    // one by hand through the check's own inputs (an un-suppressed truth with one secret).
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(fact(KR, "a", date(2026, 1, 1), None));
    }
    for _ in 0..9 {
        cases.push(fact(KR, "b", date(2026, 1, 1), None));
        cases.push(fact(JP, "a", date(2026, 1, 1), None));
        cases.push(fact(JP, "b", date(2026, 1, 1), None));
    }
    let r = report(&cases);
    let mut truth: [BTreeMap<(String, String), u64>; 2] = Default::default();
    truth[0].insert(("KR".into(), "a".into()), 3);
    truth[0].insert(("KR".into(), "b".into()), 9);
    truth[0].insert(("JP".into(), "a".into()), 9);
    truth[0].insert(("JP".into(), "b".into()), 9);
    truth[1].insert(("KR".into(), "open".into()), 12);
    truth[1].insert(("JP".into(), "open".into()), 18);
    assert!(recoverable(&r, &truth).is_empty());
    // Now pretend the suppressor had published KR's "b" cell and both totals: the checker
    // must find KR's "a" recoverable.
    let mut leaky = r.clone();
    let kr = leaky.by_kind.rows.iter().position(|p| p == "KR").unwrap();
    let shown = *r
        .by_kind
        .cells
        .iter()
        .flatten()
        .find(|c| !c.is_withheld())
        .expect("JP's cells are published");
    {
        // Copy a published value's wrapper over the withheld ones of KR's row (only the
        // withheld flag matters to the checker).
        leaky.by_kind.cells[kr][1] = shown;
        leaky.by_kind.row_totals[kr] = shown;
        leaky.by_outcome.cells[kr][0] = shown;
        let found = recoverable(&leaky, &truth);
        assert!(
            found
                .iter()
                .any(|(name, v)| name == "table 0 KR a" && *v == 3),
            "{found:?}"
        );
    }
}

/// The report is a function of its cut-off: a case referred after it, or resolved after
/// it, does not move the report computed as of it, whatever day the engine runs.
#[test]
fn the_cut_off_fixes_the_report() {
    let cut_off = date(2026, 6, 30);
    let before: Vec<CaseFact> = (0..6)
        .map(|_| fact(KR, "trafficking-victim", date(2026, 3, 1), None))
        .collect();
    let mut after = before.clone();
    after.push(fact(KR, "trafficking-victim", date(2026, 7, 1), None));
    after[0].outcome = Some("declined".into());
    after[0].resolved_on = Some(date(2026, 7, 2));
    let a = yearly_report(2026, cut_off, &before, &[]);
    let b = yearly_report(2026, cut_off, &after, &[]);
    assert_eq!(a, b);
    assert_eq!(to_csv(&a), to_csv(&b));
    assert_eq!(a.by_kind.total.value(), Some(&6));
    // Later cut-off: both changes count (the report differs, in what it withholds too).
    let c = yearly_report(2026, date(2027, 1, 31), &after, &[]);
    assert_ne!(a.by_kind, c.by_kind);
    assert_ne!(a.by_outcome, c.by_outcome);
}
