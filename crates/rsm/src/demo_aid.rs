//! The demo's aid: a synthetic conversion table (annual rates 2022 onwards, plausible but
//! labelled synthetic) and synthetic flows — each donor party's pledges, commitments and
//! disbursements by sector and year to parties and named organisations, paid out more slowly
//! than pledged, so the pledged-versus-disbursed gap shows. No real figures.

use jiff::civil::date;
use rsm_humanitarian::aid::{Currency, FlowInput, Rate, RateEntry, RateTable, SECTORS};
use rsm_store::{AidStore, Attribution, Store};

/// Units per US dollar, by year from 2022 (synthetic, rounded near historical levels).
const RATES: [(&str, [&str; 5]); 5] = [
    ("KRW", ["1292", "1306", "1364", "1398", "1385"]),
    ("JPY", ["131.5", "140.5", "151.4", "150.2", "146.8"]),
    ("CNY", ["6.73", "7.08", "7.19", "7.21", "7.15"]),
    ("RUB", ["68.5", "85.2", "92.6", "94.1", "88.0"]),
    ("EUR", ["0.951", "0.925", "0.924", "0.910", "0.885"]),
];

/// Each donor's currency.
const DONORS: [(&str, &str); 5] = [
    ("KR", "KRW"),
    ("JP", "JPY"),
    ("CN", "CNY"),
    ("RU", "RUB"),
    ("US", "USD"),
];

const RECIPIENTS: [&str; 6] = ["KP", "UNHCR", "WFP", "UNICEF", "IOM", "Mongolia"];

/// A deterministic generator (the demo must be the same on every start).
fn next(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *x >> 33
}

/// `percent` % of `usd` dollars in whole units of a currency at `rate` units per dollar
/// (integer arithmetic: money is never a float).
fn in_currency(usd: u64, rate: &str, percent: u64) -> String {
    let scale = rate.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    let mantissa: u64 = rate.replace('.', "").parse().unwrap_or(1);
    (usd * mantissa * percent / (100 * 10u64.pow(scale))).to_string()
}

pub async fn seed(store: &Store, who: &Attribution) -> anyhow::Result<()> {
    let today = who.at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut table = RateTable::default();
    for (code, by_year) in RATES {
        for (i, rate) in by_year.iter().enumerate() {
            let entry = RateEntry {
                currency: Currency::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?,
                effective: date(2022 + i as i16, 1, 1),
                units_per_usd: Rate::parse(rate).map_err(|e| anyhow::anyhow!("{e}"))?,
                source: "synthetic demo rate (annual average, rounded)".into(),
            };
            store.add_aid_rate(&entry, who).await?;
            table.insert(entry).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let mut x = 0x05ee_da1d_u64;
    let mut inputs = Vec::new();
    for year in 2022..=today.year() {
        for (donor, currency) in DONORS {
            for _ in 0..3 {
                let sector = SECTORS[next(&mut x) as usize % SECTORS.len()].id;
                let recipient = RECIPIENTS[next(&mut x) as usize % RECIPIENTS.len()];
                // Between 0.2 and 5 million dollars, in the donor's currency.
                let usd = 200_000 + next(&mut x) % 4_800_000;
                let rate = RATES
                    .iter()
                    .find(|(c, _)| *c == currency)
                    .map_or("1", |(_, r)| r[(year - 2022).min(4) as usize]);
                let amount = |percent: u64| in_currency(usd, rate, percent);
                let month = 1 + (next(&mut x) % 3) as i8;
                let pledged = date(year, month, 10);
                let committed = date(year, month + 3, 15);
                let paid = date(year, month + 7, 20);
                // Past years pay out most of a pledge; the current year little so far.
                let paid_percent = if year < today.year() {
                    55 + next(&mut x) % 40
                } else {
                    25
                };
                let mut add = |kind: &str, d: jiff::civil::Date, percent: u64| {
                    if d <= today {
                        inputs.push(FlowInput {
                            kind: kind.into(),
                            donor: donor.into(),
                            recipient: recipient.into(),
                            sector: sector.into(),
                            date: d.to_string(),
                            currency: currency.into(),
                            amount: amount(percent),
                            description: "synthetic demo flow".into(),
                        });
                    }
                };
                add("pledge", pledged, 100);
                add("commitment", committed, 80);
                add("disbursement", paid, paid_percent);
            }
        }
    }
    let flows = inputs
        .iter()
        .map(|i| i.validate(&table, today))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("demo aid flow refused: {e:?}"))?;
    store.record_aid_flows(&flows, who).await?;
    // A correction: the last flow entered a second time by mistake, then reversed. Both stay
    // in the ledger; the totals count it once.
    if let Some(last) = flows.last() {
        let ids = store
            .record_aid_flows(std::slice::from_ref(last), who)
            .await?;
        store
            .reverse_aid_flow(ids[0], "entered twice (synthetic demo correction)", who)
            .await?;
    }
    Ok(())
}

/// Publishes last year's humanitarian report as of the 31st of January (or today, if
/// earlier in the year: the cut-off is never in the future), its hash entered in the log:
/// readers see it frozen; this year's report stays a secretariat draft.
pub async fn publish_last_year(
    store: &Store,
    log: &rsm_web::log::Log,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let year = today.year() - 1;
    if store.humanitarian_report(year).await?.is_some() {
        return Ok(());
    }
    let cut_off = date(today.year(), 1, 31).min(today);
    let who = Attribution::host_cli(now);
    rsm_web::api::aid::freeze(store, Some(log), year, cut_off, &who)
        .await
        .map_err(|e| anyhow::anyhow!("demo report of {year}: {e}"))?;
    Ok(())
}
