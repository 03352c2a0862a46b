//! The notification log through the real binary: bad input refused with problem+json, a
//! tampered database or a forked history caught by `rsm ledger audit`, and acknowledged
//! entries surviving a SIGKILL.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use ed25519_dalek::SigningKey;
use rsm_ledger::{
    Anchor, EntryBody, EntryType, Hash, NoteVerifier, Party, commit_public, leaf_hash,
    open_checkpoint,
};
use serde_json::Value;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_rsm");

/// The binary, without the test harness's own settings (RSM_* are strict configuration).
pub(crate) fn rsm() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("RSM_TEST_POSTGRES_URL");
    c
}

pub(crate) struct Demo {
    child: Child,
    pub(crate) url: String,
    pub(crate) dir: PathBuf,
}

impl Demo {
    pub(crate) fn start(dir: &Path) -> Demo {
        Demo::start_with(dir, &[])
    }

    pub(crate) fn start_with(dir: &Path, env: &[(&str, &str)]) -> Demo {
        let mut child = rsm()
            .envs(env.iter().copied())
            .args(["demo", "--dir"])
            .arg(dir)
            .args(["--listen", "127.0.0.1:0"])
            .current_dir(dir)
            .env("RSM_LEDGER_CHECKPOINT_MS", "50")
            .env("RSM_LOG", "warn")
            .stdout(Stdio::piped())
            .env_remove("RSM_TEST_POSTGRES_URL")
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let mut lines = BufReader::new(out).lines();
        let url = loop {
            let line = lines.next().expect("demo printed its address").unwrap();
            if let Some(rest) = line.strip_prefix("RSM demo is running: ") {
                break rest.trim_end_matches('/').to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Demo {
            child,
            url,
            dir: dir.to_owned(),
        }
    }

    fn kill(&mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }

    pub(crate) fn token(&self, user: &str) -> String {
        let out = rsm()
            .args([
                "token", "create", user, "--name", "test", "--scope", "write",
            ])
            .env(
                "RSM_DATABASE_URL",
                format!("sqlite://{}", self.dir.join("rsm.db").display()),
            )
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .to_owned()
    }

    pub(crate) fn key(&self, party: &str) -> SigningKey {
        let text = std::fs::read_to_string(
            self.dir
                .join("demo-party-keys")
                .join(format!("{party}.key")),
        )
        .unwrap();
        let hex = text.split_whitespace().nth(2).unwrap();
        let seed: [u8; 32] = rsm_ledger::hash::from_hex(hex).unwrap().try_into().unwrap();
        SigningKey::from_bytes(&seed)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub(crate) fn get(url: &str) -> Value {
    let mut r = agent().get(url).call().unwrap();
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

/// Posts raw envelope bytes; returns status, content type and JSON body.
fn post(url: &str, token: &str, bytes: &[u8]) -> Result<(u16, String, Value), ureq::Error> {
    let mut r = agent()
        .post(format!("{url}/api/v1/log/entries?wait=false"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/octet-stream")
        .send(bytes)?;
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = r.body_mut().read_to_string()?;
    Ok((
        r.status().as_u16(),
        ct,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    ))
}

/// What a party's next entry needs, from the server.
pub(crate) fn next(url: &str, party: &str) -> (u64, Hash, Anchor) {
    let info = get(&format!("{url}/api/v1/log"));
    let v = NoteVerifier::from_vkey(info["vkey"].as_str().unwrap()).unwrap();
    let h = get(&format!("{url}/api/v1/log/parties/{party}"));
    let cp = open_checkpoint(
        h["checkpoint"].as_str().unwrap().as_bytes(),
        info["origin"].as_str().unwrap(),
        &v,
        &[],
    )
    .unwrap()
    .checkpoint;
    (
        h["next_seq"].as_u64().unwrap(),
        Hash::from_hex(h["prev"].as_str().unwrap()).unwrap(),
        Anchor {
            size: cp.size,
            root: cp.root,
        },
    )
}

pub(crate) fn envelope(
    key: &SigningKey,
    party: &str,
    seq: u64,
    prev: Hash,
    anchor: Anchor,
    content: &str,
) -> Vec<u8> {
    EntryBody {
        party: Party::new(party).unwrap(),
        seq,
        prev,
        entry_type: EntryType::new("record.test").unwrap(),
        commitment: commit_public(content.as_bytes()),
        anchor,
        data: content.as_bytes().to_vec(),
    }
    .sign(key)
    .unwrap()
    .encode()
    .unwrap()
}

/// Runs `rsm ledger audit`; returns success and stdout.
pub(crate) fn audit(url: &str, state: &Path) -> (bool, String) {
    let out = rsm()
        .args(["ledger", "audit", url, "--quiet", "--state"])
        .env_remove("RSM_TEST_POSTGRES_URL")
        .arg(state)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn sql(dir: &Path, statements: &[&str]) {
    let url = format!("sqlite://{}", dir.join("rsm.db").display());
    let stmts: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            use sqlx::Executor;
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            for s in stmts {
                pool.execute(s.as_str()).await.unwrap();
            }
            pool.close().await;
        });
}

pub(crate) fn wait_for_checkpoint(url: &str, size: u64) {
    for _ in 0..400 {
        if get(&format!("{url}/api/v1/log"))["checkpoint_size"]
            .as_u64()
            .unwrap_or(0)
            >= size
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("no checkpoint of size {size}");
}

#[test]
fn bad_submissions_are_refused_by_reason_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path());
    let url = demo.url.clone();
    let kr = demo.token("kr.delegate");
    let key = demo.key("KR");
    let (seq, prev, anchor) = next(&url, "KR");
    let size = get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap();
    let check = |bytes: &[u8], status: u16, field: &str| {
        let (st, ct, body) = post(&url, &kr, bytes).unwrap();
        assert_eq!(st, status, "{body}");
        assert_eq!(ct, "application/problem+json");
        if !field.is_empty() {
            assert_eq!(body["field"], field, "{body}");
        }
    };
    // Garbage, a wrong signature, a wrong sequence number, a wrong previous hash, a forged
    // anchor, an anchor ahead of the log, another party's key, oversize data.
    check(b"garbage", 422, "envelope");
    let mut forged = envelope(&key, "KR", seq, prev, anchor, "x");
    let n = forged.len();
    forged[n - 1] ^= 1;
    check(&forged, 422, "signature");
    check(
        &envelope(&key, "KR", seq + 1, prev, anchor, "x"),
        422,
        "seq",
    );
    check(
        &envelope(&key, "KR", seq, Hash([9; 32]), anchor, "x"),
        422,
        "prev",
    );
    check(
        &envelope(
            &key,
            "KR",
            seq,
            prev,
            Anchor {
                size: anchor.size,
                root: Hash([1; 32]),
            },
            "x",
        ),
        422,
        "anchor",
    );
    check(
        &envelope(
            &key,
            "KR",
            seq,
            prev,
            Anchor {
                size: 10_000,
                root: anchor.root,
            },
            "x",
        ),
        422,
        "anchor",
    );
    check(
        &envelope(&demo.key("JP"), "KR", seq, prev, anchor, "x"),
        422,
        "signature",
    );
    let mut big = EntryBody {
        party: Party::new("KR").unwrap(),
        seq,
        prev,
        entry_type: EntryType::new("record.test").unwrap(),
        commitment: Hash::ZERO,
        anchor,
        data: vec![b'x'; 2000],
    };
    assert!(
        big.clone().sign(&key).is_err(),
        "the library refuses to sign oversize data"
    );
    big.data.truncate(10);
    // Another party's entry, and no token at all.
    check(
        &envelope(&demo.key("US"), "US", 0, Hash::ZERO, anchor, "x"),
        403,
        "",
    );
    let (st, _, _) = post(&url, "nope", &envelope(&key, "KR", seq, prev, anchor, "x")).unwrap();
    assert_eq!(st, 401);
    assert_eq!(
        get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap(),
        size,
        "nothing stored"
    );
    // The good one goes in; sending it again is a replay.
    let good = envelope(&key, "KR", seq, prev, anchor, "x");
    let (st, _, body) = post(&url, &kr, &good).unwrap();
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["index"].as_u64().unwrap(), size);
    check(&good, 409, "");
    // Proof endpoints refuse nonsense by name.
    let v = get(&format!(
        "{url}/api/v1/log/proof/inclusion?index=5&size=999999"
    ));
    assert_eq!(v["field"], "size");
    let v = get(&format!("{url}/api/v1/log/proof/consistency?old=0&new=3"));
    assert_eq!(v["field"], "old");
    let r = agent()
        .get(format!("{url}/log/tile/0/x001"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn audit_names_tampering_and_forks() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Demo::start(dir.path());
    let url = demo.url.clone();
    let size = get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap();
    wait_for_checkpoint(&url, size);
    let mirror = dir.path().join("mirror");
    let (ok, out) = audit(&url, &mirror);
    assert!(ok, "{out}");

    let d = dir.path();
    sql(
        d,
        &[
            "DROP TRIGGER log_entries_no_update",
            "DROP TRIGGER log_entries_no_delete",
            "DROP TRIGGER log_hashes_no_update",
            "DROP TRIGGER log_hashes_no_delete",
            "DROP TRIGGER log_checkpoints_no_delete",
        ],
    );
    let fresh = |name: &str| dir.path().join(name);
    // (a) one changed byte in an entry.
    sql(
        d,
        &[
            "CREATE TABLE saved AS SELECT * FROM log_entries",
            "UPDATE log_entries SET bytes = CAST(substr(bytes, 1, 40) || X'FF' || substr(bytes, 42) AS BLOB) WHERE idx = 12",
        ],
    );
    let (ok, out) = audit(&url, &fresh("a"));
    assert!(!ok && out.contains("entry 12"), "{out}");
    // (b) two entries swapped.
    sql(
        d,
        &[
            "UPDATE log_entries SET bytes = (SELECT bytes FROM saved WHERE idx = 12) WHERE idx = 12",
            "UPDATE log_entries SET bytes = (SELECT bytes FROM saved WHERE idx = 11) WHERE idx = 10",
            "UPDATE log_entries SET bytes = (SELECT bytes FROM saved WHERE idx = 10) WHERE idx = 11",
        ],
    );
    let (ok, out) = audit(&url, &fresh("b"));
    assert!(!ok && out.contains("entry 10"), "{out}");
    // (c) an entry deleted.
    sql(
        d,
        &[
            "UPDATE log_entries SET bytes = (SELECT bytes FROM saved WHERE idx = 10) WHERE idx = 10",
            "UPDATE log_entries SET bytes = (SELECT bytes FROM saved WHERE idx = 11) WHERE idx = 11",
            "DELETE FROM log_entries WHERE idx = 7",
        ],
    );
    let (ok, out) = audit(&url, &fresh("c"));
    assert!(!ok && out.contains("holds"), "{out}");
    // (d) a stored hash changed (what proofs are made from).
    sql(
        d,
        &[
            "INSERT INTO log_entries SELECT * FROM saved WHERE idx = 7",
            "UPDATE log_hashes SET hash = X'0000000000000000000000000000000000000000000000000000000000000000' WHERE level = 0 AND idx = 3",
        ],
    );
    let (ok, out) = audit(&url, &fresh("d"));
    assert!(
        !ok && out.contains("hash tile tile/0/000") && out.contains("level 0 position 3"),
        "{out}"
    );
    sql(
        d,
        &[
            "UPDATE log_hashes SET hash = (SELECT leaf_hash FROM saved WHERE idx = 3) WHERE level = 0 AND idx = 3",
        ],
    );
    let (ok, out) = audit(&url, &mirror);
    assert!(ok, "restored, the log audits clean again: {out}");

    // (e) a fork: the host rewrites the last entry and restarts. The demo's witnesses
    // (KR and JP) remember the first history, refuse to cosign the second, and so the
    // forked checkpoint is never published.
    demo.kill();
    let last = size - 1;
    let last_cp = format!("DELETE FROM log_checkpoints WHERE size >= {last}");
    let del_e = format!("DELETE FROM log_entries WHERE idx = {last}");
    let del_h = format!(
        "DELETE FROM log_hashes WHERE (level = 0 AND idx = {last}) OR (level > 0 AND idx * (1 << level) + (1 << level) > {last})"
    );
    sql(d, &[&last_cp, &del_e, &del_h]);
    let mut demo2 = Demo::start(dir.path());
    let url2 = demo2.url.clone();
    let (seq, prev, anchor) = next(&url2, "KR");
    let t = demo2.token("kr.delegate");
    let (st, _, body) = post(
        &url2,
        &t,
        &envelope(&demo2.key("KR"), "KR", seq, prev, anchor, "rewritten"),
    )
    .unwrap();
    assert_eq!(st, 201, "{body}");
    std::thread::sleep(std::time::Duration::from_millis(800));
    let info = get(&format!("{url2}/api/v1/log"));
    assert!(
        info["checkpoint_size"].as_u64().unwrap_or(0) < size,
        "the witnesses cosigned a fork: {info}"
    );
    demo2.kill();

    // (f) the host also drops its witnesses (a policy with `quorum none`): now it can
    // publish the fork, and the mirror, which pinned the KR+JP policy on first use and saw
    // the first history, reports it.
    let vkey = info["vkey"].as_str().unwrap().to_owned();
    let no_witnesses = dir.path().join("no-witnesses.policy");
    std::fs::write(&no_witnesses, format!("log {vkey}\nquorum none\n")).unwrap();
    let demo3 = Demo::start_with(
        dir.path(),
        &[("RSM_LEDGER_WITNESS_POLICY", no_witnesses.to_str().unwrap())],
    );
    wait_for_checkpoint(&demo3.url, size);
    let (ok, out) = audit(&demo3.url, &mirror);
    assert!(
        !ok && out.contains("lacks a witness quorum")
            && (out.contains("SPLIT VIEW") || out.contains("checkpoint at size")),
        "{out}"
    );
}

#[test]
fn acknowledged_entries_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Demo::start(dir.path());
    let url = demo.url.clone();
    let acked: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for (party, user) in [
        ("KR", "kr.delegate"),
        ("US", "us.delegate"),
        ("JP", "jp.delegate"),
    ] {
        let (token, key, url, acked, stop) = (
            demo.token(user),
            demo.key(party),
            url.clone(),
            acked.clone(),
            stop.clone(),
        );
        threads.push(std::thread::spawn(move || {
            let (mut seq, mut prev, anchor) = next(&url, party);
            while !stop.load(Ordering::Relaxed) {
                let bytes = envelope(&key, party, seq, prev, anchor, &format!("{party} {seq}"));
                match post(&url, &token, &bytes) {
                    Ok((201, _, body)) => {
                        acked.lock().unwrap().push((
                            body["index"].as_u64().unwrap(),
                            body["leaf_hash"].as_str().unwrap().to_owned(),
                        ));
                        seq += 1;
                        prev = leaf_hash(&bytes);
                    }
                    other => {
                        eprintln!("{party}: stream stopped: {other:?}");
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 150 && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    demo.kill();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150, "the streams stopped early");
    let demo = Demo::start(dir.path());
    for (index, leaf) in &acked {
        let e = get(&format!("{}/api/v1/log/entries/{index}", demo.url));
        assert_eq!(
            e["leaf_hash"].as_str(),
            Some(leaf.as_str()),
            "acknowledged entry {index} lost"
        );
    }
    let size = get(&format!("{}/api/v1/log", demo.url))["size"]
        .as_u64()
        .unwrap();
    wait_for_checkpoint(&demo.url, size);
    let (ok, out) = audit(&demo.url, &dir.path().join("mirror"));
    assert!(ok, "{out}");
    eprintln!(
        "{} acknowledged before SIGKILL, all present; log of {size} audits clean",
        acked.len()
    );
}

/// Posts a batch as length-prefixed envelopes; returns status and JSON body.
pub(crate) fn post_batch(url: &str, token: &str, envelopes: &[Vec<u8>]) -> (u16, Value) {
    let mut body = Vec::new();
    for e in envelopes {
        body.extend_from_slice(&(e.len() as u32).to_be_bytes());
        body.extend_from_slice(e);
    }
    let mut r = agent()
        .post(format!("{url}/api/v1/log/entries/batch"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/octet-stream")
        .send(&body[..])
        .unwrap();
    let text = r.body_mut().read_to_string().unwrap();
    (r.status().as_u16(), serde_json::from_str(&text).unwrap())
}

#[test]
fn batches_append_in_order_and_refuse_each_bad_envelope_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path());
    let url = demo.url.clone();
    let kr = demo.key("KR");
    let token = demo.token("kr.delegate");
    let (seq, mut prev, anchor) = next(&url, "KR");
    let mut batch = Vec::new();
    for i in 0..40u64 {
        let e = if i == 25 {
            // Signed by Japan's key: the signature does not verify under KR's.
            envelope(&demo.key("JP"), "KR", seq + i, prev, anchor, "forged")
        } else {
            envelope(&kr, "KR", seq + i, prev, anchor, &format!("batch {i}"))
        };
        prev = leaf_hash(&e);
        batch.push(e);
    }
    let size = get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap();
    let (status, body) = post_batch(&url, &token, &batch);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 25, "{body}");
    let items = body["items"].as_array().unwrap();
    for (i, item) in items.iter().enumerate().take(25) {
        assert_eq!(item["index"].as_u64(), Some(size + i as u64), "{item}");
    }
    assert_eq!(items[25]["field"], "signature", "{}", items[25]);
    // After a refused entry the party's chain no longer links.
    assert!(items[26]["field"] == "seq" || items[26]["field"] == "prev");
    assert_eq!(
        get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap(),
        size + 25
    );

    // A batch naming another party is refused whole: nothing is appended.
    let (seq, prev, anchor) = next(&url, "KR");
    let own = envelope(&kr, "KR", seq, prev, anchor, "mine");
    let (jseq, jprev, _) = next(&url, "JP");
    let other = envelope(&demo.key("JP"), "JP", jseq, jprev, anchor, "theirs");
    let (status, body) = post_batch(&url, &token, &[own, other]);
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        get(&format!("{url}/api/v1/log"))["size"].as_u64().unwrap(),
        size + 25
    );
    // A notification without its content cannot come in through a batch either.
    let note = EntryBody {
        party: Party::new("KR").unwrap(),
        seq,
        prev,
        entry_type: EntryType::new("notification.hazardous-incident").unwrap(),
        commitment: commit_public(b"{}"),
        anchor,
        data: vec![],
    }
    .sign(&kr)
    .unwrap()
    .encode()
    .unwrap();
    let (status, body) = post_batch(&url, &token, &[note]);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("envelopes[0].entry_type"),
        "{body}"
    );
    // Garbage is named by its position.
    let (status, body) = post_batch(&url, &token, &[b"garbage".to_vec()]);
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("envelopes[0]"), "{body}");
}
