//! The witness server over HTTP (spec status codes, durable state) and the log's quorum rule:
//! no checkpoint is published until the policy's witnesses have cosigned it.

use std::{sync::Arc, time::Duration};

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use jiff::Timestamp;
use rsm_ledger::{
    AddCheckpointRequest, Checkpoint, CosignatureSigner, MemoryTree, NoteSigner, Witness,
    WitnessPolicy,
};
use rsm_store::Store;
use rsm_web::{
    clock::ManualClock,
    log::{Log, LogConfig, WitnessSetup},
    witness::{StateFile, TLOG_SIZE_CONTENT_TYPE, WitnessService, router},
};
use tower::ServiceExt;

const ORIGIN: &str = "rsm.test/log";
const LOG_SEED: [u8; 32] = [7; 32];

fn log_key() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, &LOG_SEED).unwrap()
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        "2026-03-02T03:00:00Z".parse::<Timestamp>().unwrap(),
    ))
}

fn service(dir: &std::path::Path, seed: u8) -> Arc<WitnessService> {
    let signer = CosignatureSigner::from_seed(&format!("w{seed}.test"), &[seed; 32]).unwrap();
    let mut w = Witness::new(signer);
    w.add_log(ORIGIN, log_key().verifier());
    WitnessService::open(
        w,
        StateFile::new(dir.join(format!("w{seed}.state"))),
        clock(),
    )
    .unwrap()
}

fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(&i.to_be_bytes());
    }
    t
}

fn body(t: &MemoryTree, old: u64, size: u64, signer: &NoteSigner) -> Vec<u8> {
    let note = Checkpoint::new(signer.name(), size, t.root_at(size).unwrap())
        .sign(signer)
        .unwrap();
    let proof = if old == 0 || old >= size {
        Vec::new()
    } else {
        t.consistency_proof(old, size).unwrap()
    };
    AddCheckpointRequest {
        old_size: old,
        proof,
        checkpoint: note.to_text().into_bytes(),
    }
    .encode()
}

async fn post(svc: &Arc<WitnessService>, bytes: Vec<u8>) -> (StatusCode, Option<String>, String) {
    let req = Request::post("/add-checkpoint")
        .body(Body::from(bytes))
        .unwrap();
    let res = router(svc.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let text =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, ct, text)
}

#[tokio::test]
async fn witness_answers_every_case_with_the_status_the_spec_assigns() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service(dir.path(), 1);
    let t = tree(20);

    // First contact: old size 0, empty proof: cosigned with one `—` line of the witness key.
    let (s, _, text) = post(&svc, body(&t, 0, 5, &log_key())).await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert!(text.starts_with("— w1.test "), "{text}");

    // A wrong old size: 409, the witness's size in the spec's content type.
    let (s, ct, text) = post(&svc, body(&t, 3, 10, &log_key())).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(ct.as_deref(), Some(TLOG_SIZE_CONTENT_TYPE));
    assert_eq!(text, "5\n");

    // The same size with another root (a fork): 409.
    let mut forked = tree(4);
    forked.append(b"not what the log holds");
    let (s, _, _) = post(&svc, body(&forked, 5, 5, &log_key())).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A consistency proof that does not verify: 422.
    let mut bad = body(&t, 5, 10, &log_key());
    let pos = bad.iter().position(|&b| b == b'\n').unwrap() + 1;
    bad[pos] = if bad[pos] == b'A' { b'B' } else { b'A' };
    let (s, _, _) = post(&svc, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Old size above the checkpoint size: 400. Garbage: 400.
    let (s, _, _) = post(&svc, body(&t, 12, 10, &log_key())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = post(&svc, b"hello".to_vec()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Signed by a key the witness does not trust for this origin: 403.
    let impostor = NoteSigner::from_seed(ORIGIN, &[9; 32]).unwrap();
    let (s, _, _) = post(&svc, body(&t, 5, 10, &impostor)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // An origin the witness does not follow: 404.
    let stranger = NoteSigner::from_seed("other.test/log", &[7; 32]).unwrap();
    let (s, _, _) = post(&svc, body(&t, 0, 10, &stranger)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // None of the refusals moved the witness: 5 -> 10 with a good proof is cosigned.
    let (s, _, text) = post(&svc, body(&t, 5, 10, &log_key())).await;
    assert_eq!(s, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn witness_remembers_what_it_cosigned_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let t = tree(30);
    {
        let svc = service(dir.path(), 2);
        let (s, _, _) = post(&svc, body(&t, 0, 12, &log_key())).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, _) = post(&svc, body(&t, 12, 20, &log_key())).await;
        assert_eq!(s, StatusCode::OK);
    }
    // A new process over the same state file refuses to go back to 12 (a rollback).
    let svc = service(dir.path(), 2);
    let (s, _, text) = post(&svc, body(&t, 0, 12, &log_key())).await;
    assert_eq!((s, text.as_str()), (StatusCode::CONFLICT, "20\n"));
    let (s, _, _) = post(&svc, body(&t, 20, 30, &log_key())).await;
    assert_eq!(s, StatusCode::OK);
    // A corrupt state file stops the witness rather than letting it forget.
    std::fs::write(dir.path().join("w2.state"), "rsm.test/log\tmany\tAAAA\n").unwrap();
    let signer = CosignatureSigner::from_seed("w2.test", &[2; 32]).unwrap();
    let err = WitnessService::open(
        Witness::new(signer),
        StateFile::new(dir.path().join("w2.state")),
        clock(),
    )
    .err()
    .expect("a corrupt state is refused");
    assert!(err.to_string().contains("line 1"), "{err}");
}

/// Serves a witness on a free local port; returns its URL.
async fn spawn_witness(svc: Arc<WitnessService>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(svc)).await });
    format!("http://{addr}")
}

/// A URL where nothing listens.
async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

fn policy(witnesses: &[(&str, &Arc<WitnessService>, &str)], quorum: &str) -> String {
    let mut s = format!("log {}\n", log_key().verifier().to_vkey());
    for (name, svc, url) in witnesses {
        s += &format!("witness {name} {} {url}\n", svc.verifier().to_vkey());
    }
    s + quorum + "\n"
}

async fn start_log(dir: &std::path::Path, policy_text: &str) -> Arc<Log> {
    let store = Store::open(&format!("sqlite://{}", dir.join("log.db").display()))
        .await
        .unwrap();
    let mut config = LogConfig::new(ORIGIN, LOG_SEED);
    config.checkpoint_interval = Duration::from_millis(50);
    let mut setup = WitnessSetup::parse(policy_text, &log_key().verifier().to_vkey()).unwrap();
    setup.timeout = Duration::from_secs(2);
    config.witnesses = Some(setup);
    Log::start(store, clock(), config).await.unwrap()
}

#[tokio::test]
async fn log_publishes_no_checkpoint_without_its_witness_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let w1 = service(dir.path(), 1);
    let w2 = service(dir.path(), 2);
    let url1 = spawn_witness(w1.clone()).await;
    let dead = dead_url().await;
    let text = policy(
        &[("W1", &w1, &url1), ("W2", &w2, &dead)],
        "group both all W1 W2\nquorum both",
    );
    let log = start_log(dir.path(), &text).await;
    assert!(log.head().size >= 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(log.published(), None, "published without W2: fail-open");
    assert_eq!(log.witness_policy(), Some(text.as_str()));
}

#[tokio::test]
async fn log_publishes_checkpoints_cosigned_by_a_quorum_and_catches_witnesses_up() {
    let dir = tempfile::tempdir().unwrap();
    let w1 = service(dir.path(), 1);
    let w2 = service(dir.path(), 2);
    let url1 = spawn_witness(w1.clone()).await;
    let dead = dead_url().await;
    let text = policy(
        &[("W1", &w1, &url1), ("W2", &w2, &dead)],
        "group one any W1 W2\nquorum one",
    );
    // W1 has already cosigned size 0 of nothing; the log finds its size through a 409.
    let log = start_log(dir.path(), &text).await;
    let mut published = None;
    for _ in 0..100 {
        if let Some(p) = log.published() {
            published = Some(p);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = published.expect("checkpoint published with W1's cosignature");
    let policy = WitnessPolicy::parse(&text).unwrap();
    let ok = policy.verify_checkpoint(p.note.as_bytes(), ORIGIN).unwrap();
    assert_eq!(ok.cosigners.len(), 1);
    assert_eq!(ok.cosigners[0].0, "W1");
    assert_eq!(w1.states().await[ORIGIN].size, p.size);

    // The log grows; the next checkpoint is cosigned from W1's size with a proof.
    let who = rsm_store::Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    for i in 0..5u8 {
        log.append_secretariat(
            "test.entry",
            rsm_ledger::commit_public(&[i]),
            vec![i],
            None,
            who.clone(),
        )
        .await
        .unwrap();
    }
    let size = log.head().size;
    for _ in 0..100 {
        if log.published().is_some_and(|p| p.size == size) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = log.published().unwrap();
    assert_eq!(p.size, size);
    policy.verify_checkpoint(p.note.as_bytes(), ORIGIN).unwrap();
    assert_eq!(w1.states().await[ORIGIN].size, size);
}

/// A self-signed certificate for `localhost` and 127.0.0.1: (certificate PEM, key PEM).
fn self_signed() -> (String, String) {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// Serves a witness over HTTPS on a free local port; returns its URL.
async fn spawn_tls_witness(svc: Arc<WitnessService>, cert: &str, key: &str) -> String {
    let tls = rsm_web::witness::tls_config(cert.as_bytes(), key.as_bytes()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(rsm_web::witness::serve_tls(
        listener,
        svc,
        tls,
        std::future::pending(),
    ));
    format!("https://localhost:{}", addr.port())
}

async fn wait_published(log: &Log) -> Option<rsm_web::log::Published> {
    for _ in 0..150 {
        if let Some(p) = log.published() {
            return Some(p);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_witness_over_tls_cosigns_and_an_unknown_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w1 = service(dir.path(), 1);
    let (cert, key) = self_signed();
    let url = spawn_tls_witness(w1.clone(), &cert, &key).await;
    let text = policy(&[("W1", &w1, &url)], "quorum W1");

    // The log trusts the witness's certificate (given as its root): W1 cosigns over TLS.
    let store = Store::open(&format!("sqlite://{}", dir.path().join("log.db").display()))
        .await
        .unwrap();
    let mut config = LogConfig::new(ORIGIN, LOG_SEED);
    config.checkpoint_interval = Duration::from_millis(50);
    let mut setup = WitnessSetup::parse(&text, &log_key().verifier().to_vkey()).unwrap();
    setup.timeout = Duration::from_secs(2);
    setup.root_certs = rsm_web::witness::pem_certificates(cert.as_bytes()).unwrap();
    config.witnesses = Some(setup);
    let log = Log::start(store, clock(), config).await.unwrap();
    let p = wait_published(&log)
        .await
        .expect("checkpoint cosigned by the TLS witness");
    let ok = WitnessPolicy::parse(&text)
        .unwrap()
        .verify_checkpoint(p.note.as_bytes(), ORIGIN)
        .unwrap();
    assert_eq!(ok.cosigners.len(), 1);
    assert_eq!(ok.cosigners[0].0, "W1");
    assert_eq!(w1.states().await[ORIGIN].size, p.size);

    // A log that does not trust that certificate (Mozilla's roots only) gets no cosignature:
    // nothing is published.
    let dir2 = tempfile::tempdir().unwrap();
    let w2 = service(dir2.path(), 2);
    let url2 = spawn_tls_witness(w2.clone(), &cert, &key).await;
    let text2 = policy(&[("W2", &w2, &url2)], "quorum W2");
    let log2 = start_log(dir2.path(), &text2).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        log2.published(),
        None,
        "cosigned over an untrusted certificate"
    );
    assert!(!w2.states().await.contains_key(ORIGIN));

    // Bad PEM is refused with a reason.
    assert!(rsm_web::witness::tls_config(b"nonsense", key.as_bytes()).is_err());
    assert!(rsm_web::witness::tls_config(cert.as_bytes(), b"nonsense").is_err());
}
