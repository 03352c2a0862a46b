//! The yearly report's benchmark: the time (median of several runs) and the process's peak
//! memory to compute the yearly humanitarian report over generated case facts and aid flows.
//! The data comes from a seed, so every run (and the pandas peer in `bench/humanitarian/`,
//! reading the CSV this writes with `--write-csv`) sees the same input. Not a test: it
//! prints numbers.
//!
//! ```text
//! cargo bench -p rsm-humanitarian --bench yearly_report -- \
//!     --cases 1000000 --flows 100000 --seed 42 --runs 5 [--write-csv DIR]
//! ```

use std::{path::PathBuf, time::Instant};

use jiff::civil::{Date, date};
use rsm_core::party::PartyCode;
use rsm_humanitarian::{
    aid::{Currency, Flow, FlowKind, Money, Rate, RateEntry, RateTable, Recipient, Sector},
    report::{CaseFact, yearly_report},
};

/// The options, from `--name value` pairs (cargo's own `--bench` flag is ignored).
struct Options {
    cases: usize,
    flows: usize,
    seed: u64,
    runs: usize,
    write_csv: Option<PathBuf>,
}

fn options() -> Result<Options, Box<dyn std::error::Error>> {
    let mut o = Options {
        cases: 1_000_000,
        flows: 100_000,
        seed: 42,
        runs: 5,
        write_csv: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .cloned()
                .ok_or(format!("{} needs a value", args[i]))
        };
        match args[i].as_str() {
            "--cases" => o.cases = value()?.parse()?,
            "--flows" => o.flows = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--runs" => o.runs = value()?.parse()?,
            "--write-csv" => o.write_csv = Some(PathBuf::from(value()?)),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    Ok(o)
}

/// A deterministic generator (no RNG is read).
fn next(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *x >> 33
}

const KINDS: [&str; 4] = [
    "trafficking-victim",
    "refugee-assistance",
    "medical-evacuation",
    "family-tracing",
];
const OUTCOMES: [&str; 4] = [
    "declined",
    "closed:assisted",
    "closed:returned-home",
    "closed:resettled",
];
const YEAR: i16 = 2026;

fn day(start: Date, n: u64) -> Date {
    start
        .checked_add(jiff::Span::new().days(n as i64))
        .expect("generated dates are in range")
}

fn generate(cases: usize, flows: usize, seed: u64) -> (Vec<CaseFact>, Vec<Flow>, RateTable) {
    let mut x = seed;
    let facts = (0..cases)
        .map(|_| {
            let from = PartyCode::ALL[next(&mut x) as usize % 6];
            let to = PartyCode::ALL[next(&mut x) as usize % 6];
            // Skewed kinds: a very rare kind (3 in 100,000) makes small cells to suppress.
            let k = next(&mut x) % 100_000;
            let kind = KINDS[match k {
                0..50_000 => 1,
                50_000..80_000 => 2,
                80_000..99_997 => 0,
                _ => 3,
            }];
            let referred = day(date(YEAR - 1, 7, 1), next(&mut x) % 550);
            let resolved = (next(&mut x) % 10 < 7).then(|| day(referred, 1 + next(&mut x) % 300));
            let outcome = resolved.map(|_| OUTCOMES[next(&mut x) as usize % 4].to_owned());
            CaseFact {
                referring_party: from,
                receiving_party: to,
                kind: kind.into(),
                referred_on: referred,
                outcome,
                resolved_on: resolved,
            }
        })
        .collect();
    let currencies = ["USD", "KRW", "JPY", "CNY", "RUB", "EUR"];
    let mut table = RateTable::default();
    for (c, r) in [
        ("KRW", 1300u64),
        ("JPY", 140),
        ("CNY", 7),
        ("RUB", 90),
        ("EUR", 1),
    ] {
        for y in 2020..=YEAR {
            table
                .insert(RateEntry {
                    currency: Currency::parse(c).expect("listed"),
                    effective: date(y, 1, 1),
                    units_per_usd: Rate::parse(&(r + (y as u64 % 7)).to_string())
                        .expect("positive"),
                    source: "synthetic benchmark rate".into(),
                })
                .expect("one rate per day");
        }
    }
    let recipients = ["UNHCR", "WFP", "UNICEF", "IOM", "Mongolia"];
    let flows = (0..flows)
        .map(|_| {
            let donor = PartyCode::ALL[next(&mut x) as usize % 6];
            let recipient = match next(&mut x) % 3 {
                0 => Recipient::Party(PartyCode::ALL[next(&mut x) as usize % 6]),
                _ => Recipient::Named(recipients[next(&mut x) as usize % 5].into()),
            };
            let currency = Currency::parse(currencies[next(&mut x) as usize % 6]).expect("listed");
            Flow {
                kind: FlowKind::ALL[next(&mut x) as usize % 3],
                donor,
                recipient,
                sector: Sector::all()
                    .nth(next(&mut x) as usize % 5)
                    .expect("five sectors"),
                date: day(date(2020, 1, 1), next(&mut x) % 2500),
                amount: Money {
                    currency,
                    minor: 1 + (next(&mut x) % 1_000_000_000) as i64,
                },
                description: String::new(),
            }
        })
        .collect();
    (facts, flows, table)
}

/// The process's peak resident memory (Linux `VmHWM`), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn write_csv(
    dir: &std::path::Path,
    facts: &[CaseFact],
    flows: &[Flow],
    table: &RateTable,
) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("cases.csv"))?);
    writeln!(
        w,
        "referring_party,receiving_party,kind,referred_on,outcome,resolved_on"
    )?;
    for c in facts {
        writeln!(
            w,
            "{},{},{},{},{},{}",
            c.referring_party,
            c.receiving_party,
            c.kind,
            c.referred_on,
            c.outcome.as_deref().unwrap_or(""),
            c.resolved_on.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    std::fs::write(
        dir.join("flows.csv"),
        rsm_humanitarian::aid::export_csv(flows),
    )?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("rates.csv"))?);
    writeln!(w, "currency,effective,units_per_usd")?;
    for e in table.entries() {
        writeln!(w, "{},{},{}", e.currency, e.effective, e.units_per_usd)?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Options {
        cases,
        flows,
        seed,
        runs,
        write_csv: csv_dir,
    } = options()?;
    let t = Instant::now();
    let (facts, flows, table) = generate(cases, flows, seed);
    println!(
        "generated {} case facts and {} aid flows (seed {seed}) in {:.2} s",
        facts.len(),
        flows.len(),
        t.elapsed().as_secs_f64()
    );
    if let Some(dir) = &csv_dir {
        write_csv(dir, &facts, &flows, &table)?;
        println!("wrote cases.csv, flows.csv, rates.csv to {}", dir.display());
    }
    let as_of = date(YEAR + 1, 3, 1);
    let mut times = Vec::new();
    let mut withheld = 0;
    let mut check = String::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let converted = rsm_humanitarian::aid::convert_all(&flows, &table)?;
        let report = yearly_report(YEAR, as_of, &facts, &converted);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        withheld = report.by_kind.withheld() + report.by_outcome.withheld();
        check = format!(
            "cases in the year: {:?}; median days, all: {:?}",
            report.by_kind.total.value(),
            report
                .median_days
                .last()
                .and_then(|m| m.median.value().map(ToString::to_string))
        );
        std::hint::black_box(report);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "yearly report {YEAR}: median {:.1} ms over {} runs (min {:.1}, max {:.1}); {withheld} numbers withheld",
        times[times.len() / 2],
        times.len(),
        times[0],
        times[times.len() - 1]
    );
    println!("{check}");
    if let Some(mib) = peak_mib() {
        println!("peak resident memory of the process (data included): {mib:.0} MiB");
    }
    Ok(())
}
