//! Case referrals on each backend: open, header without audit, the file read only with its
//! audit event, steps with optimistic revisions, the append-only history and files, and the
//! facts the yearly report counts.

use std::collections::BTreeMap;

use jiff::{Timestamp, civil::date};
use rsm_core::party::PartyCode::*;
use rsm_humanitarian::case::{Basis, CaseStatus, ConsentScope, LegalBasis, Side, Step};
use rsm_store::{Attribution, AuditFilter, AuditStore, CaseStore, NewCase, Store, StoreError};

fn who(name: &str, at: &str) -> Attribution {
    Attribution {
        actor: name.into(),
        account_id: Some(7),
        source: "127.0.0.1".into(),
        at: at.parse::<Timestamp>().unwrap(),
    }
}

fn new_case(given: &str, basis: Basis) -> NewCase {
    NewCase {
        type_id: "trafficking-victim".into(),
        referring: KR,
        receiving: JP,
        fields: BTreeMap::from([
            ("given_name".to_owned(), given.to_owned()),
            ("internal_reference".to_owned(), "KR-1".to_owned()),
        ]),
        basis,
        commitment: Some(("ab".repeat(32), "cd".repeat(32))),
    }
}

async fn reads_of(store: &Store, id: i64) -> usize {
    store
        .list_audit(&AuditFilter {
            action: Some("case.read".into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.target == format!("case:{id}"))
        .count()
}

async fn story(store: &Store, url: &str) {
    let kr = who("kr.focal", "2026-12-30T23:00:00Z");
    let consent = Basis::Consent {
        recorded_by: "Caseworker Synthetic".into(),
        recorded_on: date(2026, 12, 29),
        scope: ConsentScope::Referral,
    };
    let a = store
        .open_case(&new_case("Synthetic-A", consent.clone()), &kr)
        .await
        .unwrap();
    let legal = Basis::Legal {
        basis: LegalBasis::VitalInterest,
        explanation: "unconscious".into(),
    };
    let b = store
        .open_case(
            &new_case("Synthetic-B", legal.clone()),
            &who("kr.focal", "2027-01-02T01:00:00Z"),
        )
        .await
        .unwrap();

    // The header holds nothing personal and reading it is not audited.
    let head = store.case(a).await.unwrap().unwrap();
    assert_eq!(
        (head.status, head.revision, head.referring, head.receiving),
        (CaseStatus::Referred, 1, KR, JP)
    );
    assert_eq!(head.opened_by, "kr.focal");
    assert_eq!(head.commitment.as_deref(), Some("ab".repeat(32).as_str()));
    assert_eq!(reads_of(store, a).await, 0);
    assert_eq!(store.cases_of_party(JP).await.unwrap().len(), 2);
    assert_eq!(
        store.cases_of_party(KR).await.unwrap()[0].id,
        b,
        "newest first"
    );
    assert!(store.cases_of_party(CN).await.unwrap().is_empty());

    // Every read of the file is audited, in the same transaction.
    let jp = who("jp.focal", "2026-12-31T02:00:00Z");
    let file = store
        .read_case_file(a, Side::Receiving, &jp)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.fields["given_name"], "Synthetic-A");
    assert_eq!(file.basis, consent);
    assert_eq!(file.events.len(), 1);
    assert_eq!(file.events[0].kind, "refer");
    assert_eq!(reads_of(store, a).await, 1);
    let legal_file = store
        .read_case_file(b, Side::Referring, &kr)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(legal_file.basis, legal);
    assert!(
        store
            .read_case_file(999, Side::Referring, &kr)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        reads_of(store, 999).await,
        0,
        "no read of nothing is recorded"
    );

    // Steps move the revision; a stale one is a conflict and changes nothing.
    let r = store
        .record_case_step(
            a,
            1,
            Side::Receiving,
            &Step::Accept,
            CaseStatus::Accepted,
            &jp,
        )
        .await
        .unwrap();
    assert_eq!(r, 2);
    let stale = store
        .record_case_step(
            a,
            1,
            Side::Receiving,
            &Step::Accept,
            CaseStatus::Accepted,
            &jp,
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale}");
    assert!(matches!(
        store
            .record_case_step(
                999,
                1,
                Side::Receiving,
                &Step::Accept,
                CaseStatus::Accepted,
                &jp
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let later = who("jp.focal", "2027-01-05T03:00:00Z");
    let note = Step::Progress {
        note: "Shelter place found".into(),
    };
    store
        .record_case_step(a, 2, Side::Receiving, &note, CaseStatus::InProgress, &later)
        .await
        .unwrap();
    let close = Step::Close {
        outcome: "reunited-with-family".into(),
        note: "with her sister".into(),
    };
    let end = who("jp.focal", "2027-02-01T03:00:00Z");
    store
        .record_case_step(a, 3, Side::Receiving, &close, CaseStatus::Closed, &end)
        .await
        .unwrap();
    let head = store.case(a).await.unwrap().unwrap();
    assert_eq!(head.status, CaseStatus::Closed);
    assert_eq!(head.outcome.as_deref(), Some("reunited-with-family"));
    assert_eq!(head.last_receiving_step_at, Some(later.at));
    assert_eq!(head.resolved_at, Some(end.at));
    assert_eq!(head.revision, 4);
    let decline = Step::Decline {
        reason: "no capacity".into(),
    };
    store
        .record_case_step(b, 1, Side::Receiving, &decline, CaseStatus::Declined, &end)
        .await
        .unwrap();
    let file = store
        .read_case_file(a, Side::Referring, &kr)
        .await
        .unwrap()
        .unwrap();
    let kinds: Vec<_> = file
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("refer", ""),
            ("accept", ""),
            ("progress", "Shelter place found"),
            ("close", "reunited-with-family: with her sister")
        ]
    );

    // The commitment's log index is set once.
    store.set_case_log_index(a, 42, &kr).await.unwrap();
    assert_eq!(store.case(a).await.unwrap().unwrap().log_index, Some(42));
    assert!(store.set_case_log_index(a, 43, &kr).await.is_err());

    // What the yearly report counts: referral day in UTC, outcome, resolution day.
    let facts = store
        .case_facts(date(2026, 1, 1), date(2026, 12, 31))
        .await
        .unwrap();
    assert_eq!(facts.len(), 1, "case B was referred in 2027 (UTC)");
    assert_eq!(facts[0].referred_on, date(2026, 12, 30));
    assert_eq!(
        facts[0].outcome.as_deref(),
        Some("closed:reunited-with-family")
    );
    assert_eq!(facts[0].resolved_on, Some(date(2027, 2, 1)));
    assert_eq!(facts[0].kind, "trafficking-victim");
    let facts = store
        .case_facts(date(2027, 1, 2), date(2027, 1, 2))
        .await
        .unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].outcome.as_deref(), Some("declined"));

    // Files and history cannot be rewritten behind the store's back.
    for sql in [
        "UPDATE case_files SET fields = '{}'",
        "DELETE FROM case_files",
        "UPDATE case_events SET text = 'x'",
        "DELETE FROM case_events",
    ] {
        assert!(
            super::raw_sql(url, sql).await.is_err(),
            "{sql} must be refused"
        );
    }
}

#[tokio::test]
async fn cases_on_sqlite() {
    let (store, url, _dir) = super::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn cases_on_postgres() {
    let Some((store, url)) = super::postgres("cases").await else {
        return;
    };
    story(&store, &url).await;
}
