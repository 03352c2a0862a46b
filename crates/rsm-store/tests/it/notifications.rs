//! Notification contents beside the log, on each backend: content stored before the entry
//! (idempotent by commitment), linked once appended, queried by party/type/instant,
//! regime versions, and the append-only guarantees.

use jiff::Timestamp;
use rsm_ledger::Frontier;
use rsm_store::{
    Attribution, AuditFilter, AuditStore, EntryKind, LedgerStore, NewContent, NewLogEntry,
    NewNotificationEntry, NotificationFilter, NotificationStore, Store, StoreError,
    StoredRegimeVersion,
};

fn who(at: &str) -> Attribution {
    Attribution {
        actor: "kr.delegate".into(),
        account_id: Some(3),
        source: "127.0.0.1".into(),
        at: at.parse::<Timestamp>().unwrap(),
    }
}

async fn append(store: &Store, f: &mut Frontier, party: &str, seq: u64, at: &str) -> u64 {
    let bytes = format!("entry {} {party}", f.size()).into_bytes();
    let out = f.append(&bytes);
    store
        .append_log_entries(&[NewLogEntry {
            index: out.index,
            party: party.into(),
            seq,
            entry_type: "notification.military-activity".into(),
            leaf_hash: out.leaf_hash,
            bytes,
            nodes: out.nodes,
            who: who(at),
            pin: None,
        }])
        .await
        .unwrap();
    out.index
}

fn content(c: &str, text: &str) -> NewContent {
    NewContent {
        commitment: c.repeat(64),
        content: text.into(),
        salt: None,
        restricted_to: None,
    }
}

async fn story(store: &Store, url: &str) {
    let w = who("2027-01-10T00:00:00Z");
    // Stored before the entry; the same commitment twice is one row, audited once.
    assert!(
        store
            .put_notification_content(&content("a", r#"{"x":1}"#), &w)
            .await
            .unwrap()
    );
    assert!(
        !store
            .put_notification_content(&content("a", r#"{"x":1}"#), &w)
            .await
            .unwrap()
    );
    let got = store
        .notification_content(&"a".repeat(64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.content, r#"{"x":1}"#);
    assert!(
        store
            .notification_content(&"f".repeat(64))
            .await
            .unwrap()
            .is_none()
    );
    let mut salted = content("b", r#"{"y":2}"#);
    salted.salt = Some("0".repeat(64));
    salted.restricted_to = Some("wg-security".into());
    store.put_notification_content(&salted, &w).await.unwrap();
    store
        .put_notification_content(&content("c", r#"{"of":"0"}"#), &w)
        .await
        .unwrap();

    let mut f = Frontier::new();
    let i0 = append(store, &mut f, "KR", 0, "2027-01-10T00:00:00Z").await;
    let i1 = append(store, &mut f, "JP", 0, "2027-02-10T00:00:00Z").await;
    let i2 = append(store, &mut f, "JP", 1, "2027-02-11T00:00:00Z").await;
    let link = |index, c: &str, party: &str, type_id: &str, kind, reference, at: &str| {
        NewNotificationEntry {
            index,
            commitment: c.repeat(64),
            party: party.into(),
            type_id: type_id.into(),
            kind,
            reference,
            received_at: at.parse().unwrap(),
        }
    };
    let l0 = link(
        i0,
        "a",
        "KR",
        "military-activity",
        EntryKind::Original,
        None,
        "2027-01-10T00:00:00Z",
    );
    store.link_notification(&l0, &w).await.unwrap();
    // Linking twice conflicts; linking to a missing content fails.
    let err = store.link_notification(&l0, &w).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let missing = link(
        i1,
        "e",
        "JP",
        "annual-exchange",
        EntryKind::Original,
        None,
        "2027-02-10T00:00:00Z",
    );
    assert!(store.link_notification(&missing, &w).await.is_err());
    store
        .link_notification(
            &link(
                i1,
                "b",
                "JP",
                "annual-exchange",
                EntryKind::Original,
                None,
                "2027-02-10T00:00:00Z",
            ),
            &w,
        )
        .await
        .unwrap();
    store
        .link_notification(
            &link(
                i2,
                "c",
                "JP",
                "ack",
                EntryKind::Ack,
                Some(i0),
                "2027-02-11T00:00:00Z",
            ),
            &w,
        )
        .await
        .unwrap();

    let n = store.notification(i1).await.unwrap().unwrap();
    assert_eq!(n.party, "JP");
    assert_eq!(n.salt.as_deref(), Some("0".repeat(64).as_str()));
    assert_eq!(n.restricted_to.as_deref(), Some("wg-security"));
    assert!(store.notification(99).await.unwrap().is_none());
    let all = store
        .notifications(&NotificationFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|n| n.index).collect::<Vec<_>>(),
        [i0, i1, i2]
    );
    let jp = store
        .notifications(&NotificationFilter {
            party: Some("JP".into()),
            from: Some("2027-02-10T00:00:00Z".parse().unwrap()),
            until: Some("2027-02-11T00:00:00Z".parse().unwrap()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(jp.len(), 1);
    assert_eq!(jp[0].type_id, "annual-exchange");
    let acks = store
        .notifications(&NotificationFilter {
            reference: Some(i0),
            type_id: Some("ack".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].kind, EntryKind::Ack);

    // Regime versions: in order of effect, one per instant.
    let v = StoredRegimeVersion {
        effective_at: "2027-07-01T00:00:00Z".parse().unwrap(),
        basis: "SEC.ACT/2027/4".into(),
        text: "id = \"northeast-asia\"".into(),
        text_sha256: "d".repeat(64),
        recorded_at: "2027-06-01T00:00:00Z".parse().unwrap(),
    };
    store.add_regime_version(&v, &w).await.unwrap();
    let err = store.add_regime_version(&v, &w).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.regime_versions().await.unwrap(), vec![v]);

    // Every write is audited.
    let audit = store
        .list_audit(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let count = |a: &str| audit.iter().filter(|e| e.action == a).count();
    assert_eq!(count("notification.content"), 3);
    assert_eq!(count("notification.link"), 3);
    assert_eq!(count("regime.version"), 1);

    // Append-only, even to someone with the database file.
    for sql in [
        "UPDATE notification_contents SET content = '{}'",
        "DELETE FROM notification_contents",
        "UPDATE notification_entries SET party = 'US'",
        "DELETE FROM notification_entries",
        "UPDATE regime_versions SET basis = 'forged'",
        "DELETE FROM regime_versions",
    ] {
        assert!(super::raw_sql(url, sql).await.is_err(), "{sql} was allowed");
    }
    assert_eq!(
        store.notification(i0).await.unwrap().unwrap().content,
        r#"{"x":1}"#
    );
}

#[tokio::test]
async fn notifications_on_sqlite() {
    let (store, url, _dir) = super::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn notifications_on_postgres() {
    let Some((store, url)) = super::postgres("notifications").await else {
        eprintln!("RSM_TEST_POSTGRES_URL not set: skipping the PostgreSQL story");
        return;
    };
    story(&store, &url).await;
}
