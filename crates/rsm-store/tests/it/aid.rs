//! Aid flows and the conversion table on each backend: an import lands whole with one
//! audit event, filters, the table round-trips exactly, duplicates conflict, and rows cannot
//! be changed behind the store's back.

use jiff::{Timestamp, civil::date};
use rsm_core::party::PartyCode;
use rsm_humanitarian::aid::{Currency, FlowInput, FlowKind, Rate, RateEntry, RateTable, Sector};
use rsm_store::{
    AidFilter, AidStore, Attribution, AuditFilter, AuditStore, PublishedReport, Store, StoreError,
};

fn who() -> Attribution {
    Attribution {
        actor: "kr.redcross".into(),
        account_id: Some(7),
        source: "127.0.0.1".into(),
        at: "2026-05-01T00:00:00Z".parse::<Timestamp>().unwrap(),
    }
}

fn krw(effective: jiff::civil::Date, rate: &str) -> RateEntry {
    RateEntry {
        currency: Currency::parse("KRW").unwrap(),
        effective,
        units_per_usd: Rate::parse(rate).unwrap(),
        source: "synthetic".into(),
    }
}

async fn story(store: &Store, url: &str) {
    store
        .add_aid_rate(&krw(date(2025, 1, 1), "1385.20"), &who())
        .await
        .unwrap();
    store
        .add_aid_rate(&krw(date(2026, 1, 1), "1402.125"), &who())
        .await
        .unwrap();
    let dup = store
        .add_aid_rate(&krw(date(2026, 1, 1), "1"), &who())
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let table = store.aid_rates().await.unwrap();
    let rate = table
        .rate_on(Currency::parse("KRW").unwrap(), date(2026, 3, 1))
        .unwrap();
    assert_eq!(
        rate.to_string(),
        "1402.125",
        "exact decimal survives the round trip"
    );
    assert_eq!(table.entries().count(), 2);

    let input = |kind: &str, donor: &str, recipient: &str, d: &str, amount: &str| FlowInput {
        kind: kind.into(),
        donor: donor.into(),
        recipient: recipient.into(),
        sector: "health".into(),
        date: d.into(),
        currency: "KRW".into(),
        amount: amount.into(),
        description: "Winter appeal".into(),
    };
    let flows: Vec<_> = [
        input("pledge", "KR", "UNICEF", "2025-03-01", "5000000"),
        input("disbursement", "KR", "UNICEF", "2026-02-01", "2500000"),
        input("pledge", "KR", "KP", "2026-04-01", "9000000"),
    ]
    .iter()
    .map(|i| i.validate(&table, date(2026, 5, 1)).unwrap())
    .collect();
    let ids = store.record_aid_flows(&flows, &who()).await.unwrap();
    assert_eq!(ids.len(), 3);
    let all = store.aid_flows(&AidFilter::default()).await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.flow.clone()).collect::<Vec<_>>(),
        flows
    );
    assert_eq!(all[0].recorded_by, "kr.redcross");
    let in_2026 = store
        .aid_flows(&AidFilter {
            from: Some(date(2026, 1, 1)),
            until: Some(date(2026, 12, 31)),
            kind: Some(FlowKind::Pledge),
            ..AidFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(in_2026.len(), 1);
    assert_eq!(in_2026[0].flow.amount.minor, 9_000_000);
    let to_kp = store
        .aid_flows(&AidFilter {
            recipient: Some("KP".into()),
            donor: Some(PartyCode::KR),
            sector: Some(Sector::parse("health").unwrap()),
            ..AidFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(to_kp.len(), 1);

    let audit = store
        .list_audit(&AuditFilter {
            action: Some("aid.record".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target, format!("aid:{}-{}", ids[0], ids[2]));
    assert_eq!(audit[0].detail, "3 flows");

    // Append-only, even to someone with the database file.
    assert!(
        super::raw_sql(url, "UPDATE aid_flows SET amount_minor = 1")
            .await
            .is_err()
    );
    assert!(super::raw_sql(url, "DELETE FROM aid_rates").await.is_err());
    assert_eq!(
        store.aid_flows(&AidFilter::default()).await.unwrap().len(),
        3
    );
    let _: RateTable = store.aid_rates().await.unwrap();

    // A reversal: once per flow, unknown flows refused, the flow kept, one audit event.
    store
        .reverse_aid_flow(ids[1], "recorded twice", &who())
        .await
        .unwrap();
    let again = store.reverse_aid_flow(ids[1], "again", &who()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let unknown = store.reverse_aid_flow(99_999, "x", &who()).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    let all = store.aid_flows(&AidFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3, "the reversed flow stays in the ledger");
    let reversal = all[1].reversal.as_ref().expect("flow 2 reversed");
    assert_eq!(reversal.reason, "recorded twice");
    assert_eq!(reversal.recorded_by, "kr.redcross");
    assert!(all[0].reversal.is_none() && all[2].reversal.is_none());
    assert!(
        super::raw_sql(url, "DELETE FROM aid_reversals")
            .await
            .is_err()
    );

    // A published report: stored byte for byte, once per year, append-only.
    let published = PublishedReport {
        year: 2025,
        cut_off: date(2026, 1, 31),
        body_json: "{\"year\":2025}".into(),
        body_csv: "table,row,column,value\n".into(),
        sha256: "ab".repeat(32),
        log_index: Some(4),
        published_at: who().at,
        published_by: "officer".into(),
    };
    assert_eq!(store.humanitarian_report(2025).await.unwrap(), None);
    store
        .publish_humanitarian_report(&published, &who())
        .await
        .unwrap();
    let twice = store
        .publish_humanitarian_report(
            &PublishedReport {
                body_json: "{}".into(),
                ..published.clone()
            },
            &who(),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(
        store.humanitarian_report(2025).await.unwrap(),
        Some(published.clone())
    );
    assert!(
        super::raw_sql(url, "UPDATE humanitarian_reports SET body_json = '{}'")
            .await
            .is_err()
    );
    let audit = store
        .list_audit(&AuditFilter {
            action: Some("report.publish".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn aid_on_sqlite() {
    let (store, url, _dir) = super::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn aid_on_postgres() {
    let Some((store, url)) = super::postgres("aid").await else {
        eprintln!("RSM_TEST_POSTGRES_URL not set: skipping the PostgreSQL story");
        return;
    };
    story(&store, &url).await;
}
