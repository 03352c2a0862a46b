//! Aid flows: validation naming field and rule, exact money and dated conversion, CSV import
//! (every bad row reported, all or nothing) and export, and the aggregations.

use jiff::civil::{Date, date};
use rsm_core::party::PartyCode::{self, *};
use rsm_humanitarian::aid::{
    ConversionError, Currency, Flow, FlowInput, FlowKind, Money, Rate, RateEntry, RateTable,
    Recipient, Sector, by_donor, by_sector_and_year, convert_all, donor_recipient_matrix,
    export_csv, import_csv, overall,
};

const TODAY: Date = date(2026, 6, 1);

fn table() -> RateTable {
    let rate = |c: &str, d: Date, r: &str| RateEntry {
        currency: Currency::parse(c).unwrap(),
        effective: d,
        units_per_usd: Rate::parse(r).unwrap(),
        source: "synthetic".into(),
    };
    RateTable::new([
        rate("KRW", date(2024, 1, 1), "1300"),
        rate("KRW", date(2025, 1, 1), "1400"),
        rate("JPY", date(2024, 1, 1), "150.5"),
        rate("EUR", date(2024, 1, 1), "0.9"),
    ])
    .unwrap()
}

fn input(
    kind: &str,
    donor: &str,
    recipient: &str,
    sector: &str,
    d: &str,
    cur: &str,
    amount: &str,
) -> FlowInput {
    FlowInput {
        kind: kind.into(),
        donor: donor.into(),
        recipient: recipient.into(),
        sector: sector.into(),
        date: d.into(),
        currency: cur.into(),
        amount: amount.into(),
        description: String::new(),
    }
}

fn errors(i: &FlowInput) -> Vec<String> {
    i.validate(&table(), TODAY)
        .unwrap_err()
        .into_iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn a_valid_flow_keeps_exact_minor_units() {
    let f = input(
        "pledge",
        "KR",
        "UNHCR",
        "food",
        "2025-03-01",
        "KRW",
        "1500000",
    )
    .validate(&table(), TODAY)
    .unwrap();
    assert_eq!(f.amount.minor, 1_500_000);
    assert_eq!(f.recipient, Recipient::Named("UNHCR".into()));
    assert_eq!(f.sector.id(), "food");
    let f = input(
        "disbursement",
        "US",
        "KP",
        "health",
        "2025-03-01",
        "USD",
        "1250.05",
    )
    .validate(&table(), TODAY)
    .unwrap();
    assert_eq!(
        (f.amount.minor, f.recipient),
        (125_005, Recipient::Party(KP))
    );
    assert_eq!(f.amount.to_string(), "1250.05");
}

#[test]
fn every_bad_field_is_named_with_its_rule() {
    let e = errors(&input(
        "gift",
        "XX",
        "",
        "education",
        "2025-13-01",
        "ZZZ",
        "-5",
    ));
    let fields: Vec<&str> = e.iter().map(|s| s.split(':').next().unwrap()).collect();
    assert_eq!(
        fields,
        ["kind", "donor", "recipient", "sector", "date", "currency"],
        "{e:?}"
    );
    assert!(
        e[3].contains("food, health, shelter, water-sanitation, protection"),
        "{e:?}"
    );
    assert!(e[5].contains("ISO 4217"), "{e:?}");

    let e = errors(&input(
        "pledge",
        "KR",
        "CN",
        "food",
        "2025-01-01",
        "USD",
        "-5",
    ));
    assert_eq!(e, ["amount: must not be negative"]);
    let e = errors(&input(
        "pledge",
        "KR",
        "CN",
        "food",
        "2025-01-01",
        "KRW",
        "10.5",
    ));
    assert_eq!(e, ["amount: KRW has 0 decimal places; 1 given"]);
    let e = errors(&input(
        "pledge",
        "KR",
        "CN",
        "food",
        "2025-01-01",
        "USD",
        "0",
    ));
    assert_eq!(e, ["amount: must be greater than zero"]);
    let e = errors(&input(
        "pledge",
        "KR",
        "CN",
        "food",
        "1980-01-01",
        "USD",
        "1",
    ));
    assert_eq!(
        e,
        ["date: must be a date YYYY-MM-DD between 1990-01-01 and 2100-12-31"]
    );
    let e = errors(&input(
        "disbursement",
        "KR",
        "CN",
        "food",
        "2026-06-02",
        "USD",
        "1",
    ));
    assert!(
        e[0].starts_with("date: a disbursement is money paid"),
        "{e:?}"
    );
    // A pledge for later is fine.
    assert!(
        input("pledge", "KR", "CN", "food", "2027-01-01", "USD", "1")
            .validate(&table(), TODAY)
            .is_ok()
    );
    let e = errors(&input(
        "pledge",
        "KR",
        "KR",
        "food",
        "2025-01-01",
        "USD",
        "1",
    ));
    assert_eq!(e, ["recipient: must differ from the donor"]);
}

#[test]
fn conversion_uses_the_rate_in_force_on_the_flows_date() {
    let t = table();
    let krw = Currency::parse("KRW").unwrap();
    let m = Money {
        currency: krw,
        minor: 1_400_000,
    };
    // 2024 rate 1300: 1,076.92 dollars; 2025 rate 1400: exactly 1,000.
    assert_eq!(t.to_usd_cents(m, date(2024, 12, 31)).unwrap(), 107_692);
    assert_eq!(t.to_usd_cents(m, date(2025, 1, 1)).unwrap(), 100_000);
    assert_eq!(t.to_usd_cents(m, date(2030, 1, 1)).unwrap(), 100_000);
    assert_eq!(
        t.to_usd_cents(m, date(2023, 12, 31)),
        Err(ConversionError::BeforeFirstRate {
            currency: "KRW".into(),
            first: date(2024, 1, 1),
            date: date(2023, 12, 31)
        })
    );
    let rub = Money {
        currency: Currency::parse("RUB").unwrap(),
        minor: 100,
    };
    assert_eq!(
        t.to_usd_cents(rub, date(2025, 1, 1))
            .unwrap_err()
            .to_string(),
        "the conversion table has no rate for RUB"
    );
    // Euros at 0.9 per dollar: 9.00 EUR = 10.00 USD.
    let eur = Money {
        currency: Currency::parse("EUR").unwrap(),
        minor: 900,
    };
    assert_eq!(t.to_usd_cents(eur, date(2025, 1, 1)).unwrap(), 1000);
    // A flow whose currency the table lacks is refused when recorded.
    let e = errors(&input(
        "pledge",
        "RU",
        "KP",
        "food",
        "2025-01-01",
        "RUB",
        "5",
    ));
    assert_eq!(e, ["currency: the conversion table has no rate for RUB"]);
    let e = errors(&input(
        "pledge",
        "KR",
        "KP",
        "food",
        "2023-01-01",
        "KRW",
        "5",
    ));
    assert!(
        e[0].contains("first rate for KRW is in force from 2024-01-01"),
        "{e:?}"
    );
}

#[test]
fn the_table_refuses_two_rates_on_one_day_and_rates_for_dollars() {
    let mut t = table();
    let e = t
        .insert(RateEntry {
            currency: Currency::parse("KRW").unwrap(),
            effective: date(2025, 1, 1),
            units_per_usd: Rate::parse("1").unwrap(),
            source: "x".into(),
        })
        .unwrap_err();
    assert_eq!(e.field, "effective");
    assert!(
        t.insert(RateEntry {
            currency: Currency::USD,
            effective: date(2025, 1, 1),
            units_per_usd: Rate::ONE,
            source: "x".into(),
        })
        .is_err()
    );
    for bad in ["0", "-1", "1.0000000001", "abc", "", "1e3"] {
        assert!(Rate::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Rate::parse("1385.20").unwrap().to_string(), "1385.20");
}

const CSV: &str = "kind,donor,recipient,sector,date,currency,amount,description
pledge,KR,UNHCR,food,2025-02-01,KRW,2800000,Winter appeal
commitment,KR,UNHCR,food,2025-03-01,KRW,1400000,
disbursement,KR,UNHCR,food,2025-04-01,KRW,700000,\"first tranche, paid\"
pledge,JP,KP,health,2024-05-01,JPY,1505000,
disbursement,US,Mongolia,shelter,2024-06-01,USD,5000.00,
";

#[test]
fn import_and_export_round_trip() {
    let flows = import_csv(CSV, &table(), TODAY).unwrap();
    assert_eq!(flows.len(), 5);
    assert_eq!(flows[2].description, "first tranche, paid");
    let out = export_csv(&flows);
    assert_eq!(import_csv(&out, &table(), TODAY).unwrap(), flows);
    assert!(out.starts_with("kind,donor,recipient,sector,date,currency,amount,description\n"));
}

#[test]
fn an_import_reports_every_bad_row_with_its_line_and_takes_none() {
    let bad = "kind,donor,recipient,sector,date,currency,amount
pledge,KR,UNHCR,food,2025-02-01,KRW,100
pledge,KR,UNHCR,education,2025-02-01,KRW,100
pledge,KR,UNHCR,food,2025-02-01,KRW,-3
pledge,KR,UNHCR,food,2025-02-01,KRW,100
grant,KR,UNHCR,food,2025-02-01,XYZ,100
";
    let errors = import_csv(bad, &table(), TODAY).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(
        shown[0].starts_with("line 3: sector: must be one of"),
        "{shown:?}"
    );
    assert_eq!(shown[1], "line 4: amount: must not be negative");
    assert!(shown[2].starts_with("line 6: kind:"), "{shown:?}");
    assert!(shown[3].starts_with("line 6: currency:"), "{shown:?}");

    let e = import_csv("kind,donor,colour\n", &table(), TODAY).unwrap_err();
    assert_eq!(e[0].line, 1);
    assert!(e[0].rule.contains("unknown column `colour`"), "{e:?}");
    let e = import_csv(
        "kind,donor,recipient,sector,date,currency\n",
        &table(),
        TODAY,
    )
    .unwrap_err();
    assert!(e[0].rule.contains("missing column: amount"), "{e:?}");
    let e = import_csv(
        "kind,donor,recipient,sector,date,currency,amount\npledge,KR\n",
        &table(),
        TODAY,
    )
    .unwrap_err();
    assert_eq!((e[0].line, e[0].field.as_str()), (2, "row"));
}

fn flow(
    kind: FlowKind,
    donor: PartyCode,
    recipient: &str,
    sector: &str,
    d: Date,
    usd: i64,
) -> Flow {
    Flow {
        kind,
        donor,
        recipient: Recipient::parse(recipient).unwrap(),
        sector: Sector::parse(sector).unwrap(),
        date: d,
        amount: Money {
            currency: Currency::USD,
            minor: usd * 100,
        },
        description: String::new(),
    }
}

#[test]
fn aggregation_by_sector_year_matrix_and_the_gap() {
    use FlowKind::*;
    let flows = vec![
        flow(Pledge, KR, "UNHCR", "food", date(2025, 1, 1), 1000),
        flow(Commitment, KR, "UNHCR", "food", date(2025, 2, 1), 800),
        flow(Disbursement, KR, "UNHCR", "food", date(2025, 3, 1), 300),
        flow(Pledge, JP, "KP", "health", date(2024, 1, 1), 500),
        flow(Disbursement, JP, "KP", "health", date(2024, 6, 1), 500),
        flow(Disbursement, JP, "KP", "health", date(2025, 6, 1), 100),
    ];
    let converted = convert_all(&flows, &table()).unwrap();
    let by_sy = by_sector_and_year(&converted);
    let food25 = by_sy[&(Sector::parse("food").unwrap(), 2025)];
    assert_eq!(
        (
            food25.pledged,
            food25.committed,
            food25.disbursed,
            food25.flows
        ),
        (100_000, 80_000, 30_000, 3)
    );
    assert_eq!(food25.gap(), 70_000);
    assert_eq!(food25.disbursed_percent(), Some(30));
    assert_eq!(by_sy.len(), 3);
    let matrix = donor_recipient_matrix(&converted);
    assert_eq!(matrix[&(JP, Recipient::Party(KP))].disbursed, 60_000);
    assert_eq!(
        matrix[&(JP, Recipient::Party(KP))].gap(),
        -10_000,
        "paid more than pledged"
    );
    assert_eq!(by_donor(&converted)[&KR].gap(), 70_000);
    let all = overall(&converted);
    assert_eq!((all.pledged, all.disbursed), (150_000, 90_000));
}
