//! The separated-family registry on each backend: imports all-or-nothing, runs and their
//! candidates, review decisions and replies, exports, audited reads, append-only tables.

use jiff::Timestamp;
use rsm_store::{
    Attribution, AuditFilter, AuditStore, CandidateFilter, KinKind, KinStore, NewKinCandidate,
    NewKinDraw, NewKinImport, Store, StoreError,
};

fn who(at: &str) -> Attribution {
    Attribution {
        actor: "kr.focal".into(),
        account_id: Some(7),
        source: "127.0.0.1".into(),
        at: at.parse::<Timestamp>().unwrap(),
    }
}

fn import(kind: KinKind, ids: &[&str]) -> NewKinImport {
    NewKinImport {
        party: "KR".into(),
        kind,
        filename: "list.csv".into(),
        format: "csv".into(),
        policy: "skip".into(),
        content_sha256: "ab".repeat(32),
        rows_read: ids.len() as i64 + 1,
        issues: r#"[{"line":3,"reason":"empty name"}]"#.into(),
        records: ids
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    format!(r#"{{"id":"{id}","name":"이용호"}}"#),
                )
            })
            .collect(),
    }
}

async fn audits(store: &Store, action: &str) -> usize {
    store
        .list_audit(&AuditFilter {
            action: Some(action.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn story(store: &Store, url: &str) {
    let w = who("2027-03-01T00:00:00Z");
    let i1 = store
        .kin_import(&import(KinKind::Request, &["S1", "S2"]), &w)
        .await
        .unwrap();
    store
        .kin_import(&import(KinKind::Person, &["N1", "N2", "N3"]), &w)
        .await
        .unwrap();
    // A duplicate id refuses the whole import: nothing of it is stored.
    let dup = store
        .kin_import(&import(KinKind::Request, &["S3", "S1"]), &w)
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict(ref m) if m.contains("S1")),
        "{dup}"
    );
    let counts = store.kin_counts("KR").await.unwrap();
    assert_eq!((counts.requests, counts.persons), (2, 3));
    assert_eq!(store.kin_counts("KP").await.unwrap().requests, 0);
    let imports = store.kin_imports("KR").await.unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[1].id, i1);
    assert_eq!(imports[1].rows_kept, 2);

    // Reading personal data leaves an audit event each time.
    assert_eq!(audits(store, "kin.read-records").await, 0);
    let recs = store.kin_records("KR", KinKind::Request, &w).await.unwrap();
    assert_eq!(
        recs.iter()
            .map(|r| r.record_id.as_str())
            .collect::<Vec<_>>(),
        ["S1", "S2"]
    );
    assert_eq!(audits(store, "kin.read-records").await, 1);

    // A run; a second one is refused while it runs.
    let run = store.kin_start_run("KR", 2, 3, &w).await.unwrap();
    assert!(matches!(
        store.kin_start_run("KR", 2, 3, &w).await,
        Err(StoreError::Conflict(_))
    ));
    // Its progress is recorded while it runs.
    store.kin_run_progress(run, "score", 1, 2).await.unwrap();
    let r = store.kin_run("KR", run).await.unwrap().unwrap();
    assert_eq!((r.stage.as_str(), r.done, r.total), ("score", 1, 2));
    let cands = [
        NewKinCandidate {
            request_id: "S1".into(),
            person_id: "N2".into(),
            score: 0.97,
            weight: 21.5,
            assigned: true,
            explanation: r#"{"summary":"surname same class 李"}"#.into(),
        },
        NewKinCandidate {
            request_id: "S2".into(),
            person_id: "N3".into(),
            score: 0.61,
            weight: 4.0,
            assigned: true,
            explanation: "{}".into(),
        },
    ];
    store
        .kin_finish_run(run, &cands, "2 candidates", &w)
        .await
        .unwrap();
    assert!(
        store
            .kin_finish_run(run, &cands, "again", &w)
            .await
            .is_err()
    );
    let r = store.kin_run("KR", run).await.unwrap().unwrap();
    assert_eq!((r.state.as_str(), r.candidates), ("finished", 2));
    assert!(
        store.kin_run("KP", run).await.unwrap().is_none(),
        "another registry's run"
    );

    let queue = store
        .kin_candidates("KR", CandidateFilter::Queue, &w)
        .await
        .unwrap();
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[0].request_id, "S1", "best score first");
    assert!(queue[0].request.as_deref().unwrap().contains("S1"));
    assert!(queue[0].person.as_deref().unwrap().contains("N2"));
    assert_eq!(queue[0].status, "open");
    let first = queue[0].id;

    // Decisions: more information keeps it in the queue; accept takes it out.
    store
        .kin_decide(
            "KR",
            first,
            "more-information",
            "ask for the father's name",
            &w,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .kin_candidates("KR", CandidateFilter::Queue, &w)
            .await
            .unwrap()
            .len(),
        2
    );
    store
        .kin_decide("KR", first, "accept", "", &w)
        .await
        .unwrap();
    let queue = store
        .kin_candidates("KR", CandidateFilter::Queue, &w)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert!(
        store
            .kin_decide("KR", first, "maybe", "", &w)
            .await
            .is_err()
    );
    assert!(matches!(
        store.kin_decide("KP", first, "reject", "", &w).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .kin_reply("KR", first, "alive", "lives in Pyongyang", &w)
        .await
        .unwrap();
    let c = store.kin_candidate("KR", first, &w).await.unwrap().unwrap();
    assert_eq!(c.status, "accept");
    assert_eq!(c.decisions.len(), 2);
    assert_eq!(c.replies[0].reply, "alive");
    assert!(
        store
            .kin_candidate("KP", first, &w)
            .await
            .unwrap()
            .is_none()
    );
    let counts = store.kin_counts("KR").await.unwrap();
    assert_eq!((counts.candidates, counts.open, counts.accepted), (2, 1, 1));
    assert_eq!(audits(store, "kin.read-candidates").await, 3);
    assert_eq!(audits(store, "kin.read-candidate").await, 1);

    // A second run proposing the same pairs: the queue shows its candidates only, and the
    // accepted pair stays decided (decisions follow the pair).
    let run2 = store.kin_start_run("KR", 2, 3, &w).await.unwrap();
    store
        .kin_finish_run(run2, &cands, "again", &w)
        .await
        .unwrap();
    let queue = store
        .kin_candidates("KR", CandidateFilter::Queue, &w)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1, "S2/N3 of the new run only");
    assert_eq!(
        (queue[0].run_id, queue[0].request_id.as_str()),
        (run2, "S2")
    );
    let all = store
        .kin_candidates("KR", CandidateFilter::All, &w)
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let s1_new = all
        .iter()
        .find(|c| c.run_id == run2 && c.request_id == "S1")
        .unwrap();
    assert_eq!(
        (s1_new.status.as_str(), s1_new.replies.len()),
        ("accept", 1)
    );
    let counts = store.kin_counts("KR").await.unwrap();
    assert_eq!((counts.open, counts.accepted), (1, 1));

    // A run left `running` by a stopped server no longer blocks once it is stale.
    let stuck = store.kin_start_run("KR", 2, 3, &w).await.unwrap();
    assert!(
        store
            .kin_start_run("KR", 2, 3, &who("2027-03-01T05:00:00Z"))
            .await
            .is_err()
    );
    let later = who("2027-03-01T07:00:00Z");
    let next = store.kin_start_run("KR", 2, 3, &later).await.unwrap();
    let r = store.kin_run("KR", stuck).await.unwrap().unwrap();
    assert_eq!(r.state, "failed");
    assert!(r.message.contains("interrupted"));
    store.kin_fail_run(next, "test", &later).await.unwrap();

    let e = store
        .kin_record_export("KR", KinKind::Request, "{}", &"cd".repeat(32), Some(5), &w)
        .await
        .unwrap();
    assert_eq!(store.kin_exports("KR").await.unwrap()[0].id, e);

    // A draw: recorded once, read back whole (audited), never changed.
    let draw = NewKinDraw {
        party: "KR".into(),
        title: "Round 1".into(),
        count: 1,
        weights: "reference_year = 2026".into(),
        eligible: "applicant_id,birth_year,relationship\nA1,1930,mother\n".into(),
        applicants: 1,
        salt: "ab".repeat(32),
        list_digest: "cd".repeat(32),
        log_index: 7,
    };
    let id = store.kin_record_draw(&draw, &w).await.unwrap();
    let back = store.kin_draw("KR", id, &w).await.unwrap().unwrap();
    assert_eq!(
        (
            back.draw.eligible.as_str(),
            back.draw.salt.as_str(),
            back.draw.log_index
        ),
        (draw.eligible.as_str(), draw.salt.as_str(), 7)
    );
    assert!(store.kin_draw("KP", id, &w).await.unwrap().is_none());
    assert_eq!(store.kin_draws("KR", &w).await.unwrap().len(), 1);
    assert_eq!(audits(store, "kin.read-draw").await, 1);
    assert_eq!(audits(store, "kin.read-draws").await, 1);

    for sql in [
        "UPDATE kin_decisions SET decision = 'reject'",
        "DELETE FROM kin_replies",
        "UPDATE kin_candidates SET score = 1",
        "DELETE FROM kin_imports",
        "UPDATE kin_exports SET manifest = 'x'",
        "UPDATE kin_draws SET salt = 'x'",
        "DELETE FROM kin_draws",
    ] {
        assert!(super::raw_sql(url, sql).await.is_err(), "{sql} was allowed");
    }
}

#[tokio::test]
async fn kin_on_sqlite() {
    let (store, url, _dir) = super::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn kin_on_postgres() {
    let Some((store, url)) = super::postgres("kin").await else {
        eprintln!("RSM_TEST_POSTGRES_URL not set: skipping the PostgreSQL story");
        return;
    };
    story(&store, &url).await;
}
