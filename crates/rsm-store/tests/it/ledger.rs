//! The log's storage story on each backend: group-committed appends, hashes read back into
//! proofs, checkpoints, key pins, and the append-only guarantees.

use jiff::Timestamp;
use rsm_ledger::{Frontier, MemoryTree, inclusion_plan, root_plan, verify_inclusion};
use rsm_store::{
    Attribution, AuditFilter, AuditStore, LedgerStore, NewLogEntry, Store, StoreError,
    StoredCheckpoint,
};

fn who() -> Attribution {
    Attribution {
        actor: "kr.delegate".into(),
        account_id: Some(3),
        source: "127.0.0.1".into(),
        at: "2026-03-01T09:00:00Z".parse::<Timestamp>().unwrap(),
    }
}

fn batch(frontier: &mut Frontier, tree: &mut MemoryTree, n: usize, seq0: u64) -> Vec<NewLogEntry> {
    (0..n)
        .map(|i| {
            let bytes = format!("entry {}", frontier.size()).into_bytes();
            let out = frontier.append(&bytes);
            tree.append(&bytes);
            NewLogEntry {
                index: out.index,
                party: "KR".into(),
                seq: seq0 + i as u64,
                entry_type: "notification.test".into(),
                leaf_hash: out.leaf_hash,
                bytes,
                nodes: out.nodes,
                who: who(),
                pin: None,
            }
        })
        .collect()
}

async fn story(store: &Store, url: &str) {
    assert_eq!(store.log_size().await.unwrap(), 0);
    assert!(store.latest_checkpoint().await.unwrap().is_none());
    let mut f = Frontier::new();
    let mut tree = MemoryTree::new();
    let first = batch(&mut f, &mut tree, 5, 0);
    store.append_log_entries(&first).await.unwrap();
    // A batch larger than one INSERT chunk.
    let second = batch(&mut f, &mut tree, 450, 5);
    store.append_log_entries(&second).await.unwrap();
    assert_eq!(store.log_size().await.unwrap(), 455);

    // Replaying an index, or skipping one, is refused and changes nothing.
    let err = store.append_log_entries(&first[..1]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let mut gap = batch(&mut f.clone(), &mut MemoryTree::new(), 1, 999);
    gap[0].index = 500;
    assert!(store.append_log_entries(&gap).await.is_err());
    assert_eq!(store.log_size().await.unwrap(), 455);

    // Stored hashes rebuild the frontier and give proofs that verify.
    let ids = Frontier::ids(455);
    let again = Frontier::from_hashes(455, store.log_hashes(&ids).await.unwrap()).unwrap();
    assert_eq!(again.root(), f.root());
    let plan = root_plan(300);
    let root300 = plan
        .assemble(&store.log_hashes(plan.ids()).await.unwrap())
        .unwrap();
    assert_eq!(root300, vec![tree.root_at(300).unwrap()]);
    for index in [0, 17, 254, 255, 256, 454] {
        let plan = inclusion_plan(index, 455).unwrap();
        let proof = plan
            .assemble(&store.log_hashes(plan.ids()).await.unwrap())
            .unwrap();
        let e = store.log_entry(index).await.unwrap().unwrap();
        assert_eq!(e.seq, index);
        verify_inclusion(&e.leaf_hash, index, 455, &proof, &f.root()).unwrap();
    }
    assert_eq!(store.log_hash_range(0, 256, 455).await.unwrap().len(), 199);
    assert_eq!(store.log_hash_range(8, 0, 1).await.unwrap().len(), 1);
    assert!(
        store.log_hash_range(8, 0, 2).await.is_err(),
        "no second full tile yet"
    );
    let missing = store.log_hashes(&[rsm_ledger::NodeId::new(0, 9999)]).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    let es = store.log_entries(10, 20).await.unwrap();
    assert_eq!(
        es.iter().map(|e| e.index).collect::<Vec<_>>(),
        (10..20).collect::<Vec<_>>()
    );
    assert_eq!(es[0].bytes, b"entry 10");
    assert!(store.log_entry(455).await.unwrap().is_none());

    // Every append is in the audit trail.
    let events = store
        .list_audit(&AuditFilter {
            action: Some("log.append".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 455);
    assert_eq!(events[0].target, "log:454");

    // Checkpoints: one per size.
    let cp = StoredCheckpoint {
        size: 455,
        root: f.root(),
        note: "rsm.example/log\n455\n…\n".into(),
        signed_at: who().at,
    };
    store.record_checkpoint(&cp).await.unwrap();
    assert!(matches!(
        store.record_checkpoint(&cp).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(cp.clone()));
    assert_eq!(
        store.checkpoint_of_size(455).await.unwrap(),
        Some(cp.clone())
    );
    assert!(store.checkpoint_of_size(1).await.unwrap().is_none());
    // The first checkpoint covering an entry (a reunion draw's seed): the smallest whose
    // tree includes it, whatever was published later.
    let small = StoredCheckpoint {
        size: 100,
        note: "rsm.example/log\n100\n…\n".into(),
        ..cp.clone()
    };
    store.record_checkpoint(&small).await.unwrap();
    assert_eq!(
        store.first_checkpoint_covering(99).await.unwrap(),
        Some(small)
    );
    assert_eq!(
        store.first_checkpoint_covering(100).await.unwrap(),
        Some(cp.clone())
    );
    assert_eq!(store.first_checkpoint_covering(455).await.unwrap(), None);

    // Key pins ride with a secretariat entry, atomically; a second pin for a party conflicts.
    let mut pinned = batch(&mut f.clone(), &mut MemoryTree::new(), 1, 455);
    pinned[0].party = "SEC".into();
    pinned[0].seq = 0;
    pinned[0].pin = Some(("KR".into(), [7; 32]));
    store.append_log_entries(&pinned).await.unwrap();
    assert_eq!(
        store.log_key_pins().await.unwrap(),
        vec![("KR".to_owned(), [7; 32])]
    );
    let mut twice = pinned.clone();
    twice[0].index = 456;
    twice[0].seq = 1;
    twice[0].nodes = vec![];
    assert!(store.append_log_entries(&twice).await.is_err());
    assert_eq!(
        store.log_size().await.unwrap(),
        456,
        "the failed batch left nothing"
    );

    // Append-only, enforced by the database itself.
    for sql in [
        "UPDATE log_entries SET bytes = X'00' WHERE idx = 3",
        "DELETE FROM log_entries WHERE idx = 3",
        "DELETE FROM log_hashes WHERE level = 0",
        "UPDATE log_checkpoints SET note = 'x'",
        "DELETE FROM log_key_pins",
    ] {
        let sql = sql.replace(
            "X'00'",
            if url.starts_with("postgres") {
                "'\\x00'::bytea"
            } else {
                "X'00'"
            },
        );
        assert!(
            crate::raw_sql(url, &sql).await.is_err(),
            "{sql} must be refused"
        );
    }
    assert_eq!(store.log_entry(3).await.unwrap().unwrap().bytes, b"entry 3");
}

#[tokio::test]
async fn ledger_story_sqlite() {
    let (store, url, _dir) = crate::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn ledger_story_postgres() {
    let Some((store, url)) = crate::postgres("ledger").await else {
        eprintln!("RSM_TEST_POSTGRES_URL not set: PostgreSQL story skipped");
        return;
    };
    story(&store, &url).await;
}
