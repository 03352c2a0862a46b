//! The reunion draw in the app: fixed by a focal point, committed (salted) to the log, seeded
//! by the first published checkpoint that covers the commitment — so later checkpoints do
//! not change it — and verifiable offline from the downloadable bundle with the same checks
//! `rsm kin verify-draw` makes. Bad input stores nothing; nobody but the registry's focal
//! points sees a draw. Also: a match run's progress is recorded and shown.

use std::time::Duration;

use rsm_kin::draw::{self, EligibleList, Weights};
use rsm_ledger::{
    Envelope, NoteVerifier, TlogProof, commit_salted, leaf_hash, open_checkpoint, verify_inclusion,
};
use rsm_store::{Attribution, AuditStore, KinStore, LedgerStore};
use serde_json::{Value, json};

use crate::TestApp;

const SOUTH: &str = include_str!("../../../rsm-kin/data/demo/south.csv");
const NORTH: &str = include_str!("../../../rsm-kin/data/demo/north.csv");

async fn import_requests(app: &TestApp) {
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(json!({"kind": "request", "format": "csv", "policy": "refuse", "content": SOUTH})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn draw_detail(app: &TestApp, id: u64) -> Value {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/kin/draws/{id}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// What `rsm kin verify-draw` checks, on the bundle as downloaded.
fn verify_bundle(bundle: &Value, vkey: &str) -> (u64, Vec<String>) {
    let s = |k: &str| bundle[k].as_str().unwrap().to_owned();
    let list = EligibleList::read_csv(s("eligible").as_bytes()).unwrap();
    let weights = Weights::parse(&s("weights")).unwrap();
    let verifier = NoteVerifier::from_vkey(vkey).unwrap();
    let cp = open_checkpoint(s("checkpoint").as_bytes(), verifier.name(), &verifier, &[])
        .expect("the seed checkpoint verifies under the log key")
        .checkpoint;
    let proof = TlogProof::parse(s("receipt").as_bytes()).unwrap();
    let entry = proof.extra.clone().unwrap();
    let env = Envelope::parse(&entry).unwrap();
    assert_eq!(env.body.entry_type.as_str(), "kin.draw-list");
    let salt: [u8; 32] = rsm_ledger::hash::from_hex(s("salt").trim())
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(
        env.body.commitment,
        commit_salted(&salt, &draw::canonical_bytes(&list, &weights)),
        "the logged commitment is that of this list and these weights"
    );
    assert!(proof.index < cp.size, "the list came before the seed");
    verify_inclusion(
        &leaf_hash(&entry),
        proof.index,
        cp.size,
        &proof.proof,
        &cp.root,
    )
    .expect("the commitment is in the seed checkpoint's tree");
    let d = draw::verify_result(&list, &weights, cp.root.0, &s("result"))
        .expect("the result is exactly the draw's");
    (
        cp.size,
        d.drawn.into_iter().map(|x| x.applicant_id).collect(),
    )
}

#[tokio::test]
async fn a_draw_is_committed_then_seeded_by_the_next_checkpoint_and_verifies_offline() {
    let app = TestApp::new().await;
    import_requests(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/kin/draws",
            "kr.redcross",
            Some(json!({"title": "Reunion round 1", "count": 5})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_u64().unwrap();
    let index = r.json["log_index"].as_u64().unwrap();
    // The registry's demo requests have 50 distinct applicants.
    assert_eq!(r.json["applicants"], 50, "{}", r.text);

    // The log entry commits to the list without showing it.
    let entry = app
        .call(
            "GET",
            &format!("/api/v1/log/entries/{index}"),
            "public",
            None,
        )
        .await;
    assert_eq!(entry.status, 200, "{}", entry.text);
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(entry.json["envelope"].as_str().unwrap())
        .unwrap();
    let env = Envelope::parse(&bytes).unwrap();
    assert_eq!(env.body.data, b"KR reunion draw");
    assert!(!String::from_utf8_lossy(&bytes).contains("A000"));

    let first = app
        .log
        .checkpoint_covering(index, Duration::from_secs(20))
        .await
        .expect("a checkpoint covers the commitment");
    let d = draw_detail(&app, id).await;
    assert_eq!(d["state"], "drawn", "{d}");
    assert_eq!(d["drawn"].as_array().unwrap().len(), 5);
    let (seed_size, drawn) = verify_bundle(&d["bundle"], app.log.vkey());
    let stored_first = app
        .store
        .first_checkpoint_covering(index)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seed_size, stored_first.size);
    assert!(seed_size <= first.size);
    let shown: Vec<String> = d["drawn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["applicant_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, drawn);
    let mut distinct = drawn.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "nobody is drawn twice");

    // Later entries and checkpoints do not move the seed: the result stays the same.
    let who = Attribution::host_cli("2026-03-02T04:00:00Z".parse().unwrap());
    let later = app
        .log
        .append_secretariat(
            "test.later",
            rsm_ledger::commit_public(b"later"),
            b"later".to_vec(),
            None,
            who,
        )
        .await
        .unwrap();
    app.log
        .checkpoint_covering(later.index, Duration::from_secs(20))
        .await
        .expect("a later checkpoint");
    let again = draw_detail(&app, id).await;
    assert_eq!(again["seed"], d["seed"]);
    assert_eq!(again["drawn"], d["drawn"]);

    // The page shows the result; the files download; the result file is the bundle's.
    let page = app
        .call("GET", &format!("/kin/draws/{id}"), "kr.redcross", None)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&drawn[0]), "{}", page.text);
    assert!(page.text.contains("rsm kin verify-draw"));
    let file = app
        .call(
            "GET",
            &format!("/kin/draws/{id}/files/result.csv"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.text, d["bundle"]["result"].as_str().unwrap());
    assert_eq!(
        app.call(
            "GET",
            &format!("/kin/draws/{id}/files/secret.txt"),
            "kr.redcross",
            None
        )
        .await
        .status,
        404
    );
    let list = app.call("GET", "/kin/draws", "kr.redcross", None).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("Reunion round 1"));
}

#[tokio::test]
async fn a_pasted_list_is_drawn_as_given_and_bad_input_stores_nothing() {
    let app = TestApp::new().await;
    let eligible =
        "applicant_id,birth_year,relationship\nA1,1930,mother\nA2,1945,cousin\nA3,1938,brother\n";
    let size_before = app.log.head().size;
    for (body, field) in [
        (
            json!({"title": "", "count": 1, "eligible": eligible}),
            "title",
        ),
        (
            json!({"title": "t", "count": 0, "eligible": eligible}),
            "count",
        ),
        (
            json!({"title": "t", "count": 4, "eligible": eligible}),
            "count",
        ),
        (
            json!({"title": "t", "count": 1, "eligible": eligible, "weights": "reference_year = x"}),
            "weights",
        ),
        (
            json!({"title": "t", "count": 1, "eligible": "applicant_id,birth_year,relationship\nA1,1930,mother\nA1,1931,father\n"}),
            "eligible",
        ),
        (
            json!({"title": "t", "count": 1, "eligible": "applicant_id,birth_year,relationship\nA1,19x0,mother\n"}),
            "eligible",
        ),
        // A relationship the weights do not rate (no "*" here).
        (
            json!({"title": "t", "count": 1, "eligible": eligible,
                   "weights": "reference_year = 2026\n[age]\n0 = 1\n[relationship]\nmother = 2\n"}),
            "weights",
        ),
    ] {
        let r = app
            .call("POST", "/api/v1/kin/draws", "kr.redcross", Some(body))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        assert_eq!(r.json["field"], field, "{}", r.text);
    }
    let list = app
        .call("GET", "/api/v1/kin/draws", "kr.redcross", None)
        .await;
    assert_eq!(list.json.as_array().unwrap().len(), 0, "nothing stored");
    assert_eq!(
        app.log.head().size,
        size_before,
        "nothing entered in the log"
    );

    let r = app
        .call(
            "POST",
            "/api/v1/kin/draws",
            "kr.redcross",
            Some(json!({"title": "Pasted", "count": 3, "eligible": eligible})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_u64().unwrap();
    app.log
        .checkpoint_covering(
            r.json["log_index"].as_u64().unwrap(),
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    let d = draw_detail(&app, id).await;
    let (_, mut drawn) = verify_bundle(&d["bundle"], app.log.vkey());
    drawn.sort();
    assert_eq!(drawn, ["A1", "A2", "A3"], "a full order of the pasted list");
    // The page form refuses bad input with the field named, and stores nothing.
    let before = app.log.head().size;
    let r = crate::kin::post_form(&app, "/kin/draws", "title=x&count=abc&weights=&eligible=").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(app.log.head().size, before);
}

#[tokio::test]
async fn nobody_but_the_registrys_focal_points_sees_a_draw() {
    let app = TestApp::new().await;
    import_requests(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/kin/draws",
            "kr.redcross",
            Some(json!({"title": "Round", "count": 2})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_u64().unwrap();
    for who in [
        "admin",
        "officer",
        "kr.delegate",
        "jp.delegate",
        "ru.auditor",
        "cn.energy",
    ] {
        for path in [
            "/api/v1/kin/draws".to_owned(),
            format!("/api/v1/kin/draws/{id}"),
            "/kin/draws".to_owned(),
            format!("/kin/draws/{id}"),
            format!("/kin/draws/{id}/files/eligible.csv"),
        ] {
            let r = app.call("GET", &path, who, None).await;
            assert_eq!(r.status, 404, "{who} {path}: {}", r.text);
        }
        let r = app
            .call(
                "POST",
                "/api/v1/kin/draws",
                who,
                Some(json!({"title": "Mine", "count": 1})),
            )
            .await;
        assert_eq!(r.status, 404, "{who}: {}", r.text);
    }
    assert_eq!(
        app.call("GET", "/api/v1/kin/draws", "public", None)
            .await
            .status,
        401
    );
    // Reads are audited.
    let reads = app
        .store
        .list_audit(&rsm_store::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "kin.draw")
        .count();
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn a_running_match_shows_its_stage_and_progress() {
    let app = TestApp::new().await;
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    let run = app.store.kin_start_run("KR", 50, 80, &who).await.unwrap();
    app.store
        .kin_run_progress(run, "score", 20, 50)
        .await
        .unwrap();
    let r = app
        .call(
            "GET",
            &format!("/api/v1/kin/runs/{run}"),
            "kr.redcross",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (&r.json["stage"], &r.json["done"], &r.json["total"]),
        (&json!("score"), &json!(20), &json!(50))
    );
    let page = app.call("GET", "/kin/runs", "kr.redcross", None).await;
    assert!(
        page.text.contains(r#"max="50" value="20""#),
        "{}",
        page.text
    );
    assert!(page.text.contains("scoring candidates"));
    // The matcher reports its stages to the recorder, up to the last one finished.
    crate::kin::kp_participates(&app).await;
    import_requests(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/kin/imports",
            "kr.redcross",
            Some(json!({"kind": "person", "format": "csv", "policy": "refuse", "content": NORTH})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let requests = app
        .store
        .kin_records("KR", rsm_store::KinKind::Request, &who)
        .await
        .unwrap();
    let persons = app
        .store
        .kin_records("KR", rsm_store::KinKind::Person, &who)
        .await
        .unwrap();
    let progress = rsm_web::api::kin::RunProgress::default();
    assert!(progress.get().is_none());
    rsm_web::api::kin::match_records(&requests, &persons, &progress).unwrap();
    let last = progress.get().expect("progress was reported");
    assert_eq!(last.stage, rsm_kin::linker::Stage::Assign);
    assert_eq!(last.done, last.total);
}
