//! The notification log end to end on PostgreSQL (when `RSM_TEST_POSTGRES_URL` is set, as in
//! CI): `rsm serve` on a fresh PostgreSQL database, a party's key pinned and registered,
//! signed entries submitted through the API with receipts, each receipt checked offline, and
//! the whole log audited by `rsm ledger audit`.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

use serde_json::Value;

use crate::log::{envelope, next, post_batch, wait_for_checkpoint};

/// A fresh database on the configured server: its URL, or `None` when none is configured.
fn fresh_database(name: &str) -> Option<(String, String)> {
    let base = std::env::var("RSM_TEST_POSTGRES_URL").ok()?;
    let name = format!("rsm_test_{name}_{}", std::process::id());
    admin_sql(
        &base,
        &[
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            &format!("CREATE DATABASE {name}"),
        ],
    );
    let (prefix, _) = base.rsplit_once('/').expect("URL has a database path");
    Some((format!("{prefix}/{name}"), base))
}

fn admin_sql(url: &str, statements: &[&str]) {
    let url = url.to_owned();
    let stmts: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            use sqlx::Executor;
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            for s in stmts {
                pool.execute(s.as_str()).await.unwrap();
            }
            pool.close().await;
        });
}

/// `rsm` on the PostgreSQL database, run in `dir`.
fn rsm_pg(dir: &Path, url: &str) -> Command {
    let mut c = crate::log::rsm();
    c.current_dir(dir)
        .env_remove("RSM_CONFIG")
        .env("RSM_DATABASE_URL", url)
        .env("RSM_LEDGER_KEY_FILE", dir.join("log.key"))
        .env("RSM_LEDGER_CHECKPOINT_MS", "50")
        .env("RSM_LOG", "warn");
    c
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn token(dir: &Path, url: &str, user: &str) -> String {
    let out = crate::run_ok(
        rsm_pg(dir, url).args(["token", "create", user, "--name", "pg", "--scope", "write"]),
    );
    out.lines().nth(1).unwrap().trim().to_owned()
}

#[test]
fn the_log_on_postgresql_takes_signed_entries_gives_receipts_and_audits_clean() {
    let Some((url, admin_url)) = fresh_database("ledger_e2e") else {
        eprintln!("RSM_TEST_POSTGRES_URL not set: PostgreSQL log story skipped (CI sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::run_ok(rsm_pg(d, &url).arg("migrate"));
    crate::run_ok(rsm_pg(d, &url).args([
        "user",
        "add",
        "sec.admin",
        "--role",
        "secretariat-admin",
    ]));
    crate::run_ok(rsm_pg(d, &url).args([
        "user",
        "add",
        "kr.delegate",
        "--role",
        "delegate",
        "--party",
        "KR",
    ]));
    // A participation change takes effect today at the earliest (it may not rewrite past
    // answers), and only a participating party may submit.
    #[allow(clippy::disallowed_methods)] // the test must name the server's today
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    crate::run_ok(rsm_pg(d, &url).args([
        "party",
        "status",
        "KR",
        "--set",
        "participating",
        "--effective",
        &today,
        "--basis",
        "MC.DEC/1/20",
    ]));
    let admin = token(d, &url, "sec.admin");
    let kr_token = token(d, &url, "kr.delegate");

    let mut child = rsm_pg(d, &url)
        .arg("serve")
        .env("RSM_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("serve prints its address").unwrap();
    let server = Server(child);
    let addr = line
        .strip_prefix("RSM serving on http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    let base = format!("http://{addr}");
    wait_for_checkpoint(&base, 0);

    // KR makes its key on its own machine; the secretariat pins the public key (from the
    // delegation's letter); KR registers it with a self-signed entry.
    let keys = d.join("kr-keys");
    let made = crate::run_ok(
        rsm_pg(d, &url)
            .args(["keygen", "--party", "KR", "--out"])
            .arg(&keys),
    );
    let public = made
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .expect("keygen prints the public key")
        .trim()
        .to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(format!("{base}/api/v1/log/keys"))
        .header("Authorization", &format!("Bearer {admin}"))
        .header("Content-Type", "application/json")
        .send(serde_json::json!({"party": "KR", "public_key": public}).to_string())
        .unwrap();
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap();
    assert_eq!(status, 201, "{body}");

    let key_file = keys.join("KR.key");
    let submit = |ty: &str, content: Option<&Path>, receipt: &Path| {
        let mut c = rsm_pg(d, &url);
        c.args(["submit", "--server", &base, "--token", &kr_token, "--key"])
            .arg(&key_file)
            .args(["--type", ty, "--receipt"])
            .arg(receipt);
        if let Some(p) = content {
            c.arg("--content").arg(p);
        }
        crate::run_ok(&mut c)
    };
    let out = submit("key.register", None, &d.join("register.tlog-proof"));
    assert!(out.contains("receipt verified and saved"), "{out}");
    let content = d.join("report.txt");
    std::fs::write(&content, "KR annual exchange of military information, 2026").unwrap();
    for i in 0..3 {
        let out = submit(
            "record.exchange",
            Some(&content),
            &d.join(format!("r{i}.tlog-proof")),
        );
        assert!(out.contains("receipt verified and saved"), "{out}");
    }

    // A batch through the API: 300 entries, all durable, in order.
    let kr = {
        let text = std::fs::read_to_string(&key_file).unwrap();
        let hex = text.split_whitespace().nth(2).unwrap();
        let seed: [u8; 32] = rsm_ledger::hash::from_hex(hex).unwrap().try_into().unwrap();
        ed25519_dalek::SigningKey::from_bytes(&seed)
    };
    let (seq, mut prev, anchor) = next(&base, "KR");
    let batch: Vec<Vec<u8>> = (0..300u64)
        .map(|i| {
            let e = envelope(&kr, "KR", seq + i, prev, anchor, &format!("pg batch {i}"));
            prev = rsm_ledger::leaf_hash(&e);
            e
        })
        .collect();
    for chunk in batch.chunks(150) {
        let (status, body) = post_batch(&base, &kr_token, chunk);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["accepted"].as_u64(), Some(150), "{body}");
    }
    let info: Value = crate::log::get(&format!("{base}/api/v1/log"));
    let size = info["size"].as_u64().unwrap();
    assert!(size >= 2 + 3 + 300, "{info}");
    wait_for_checkpoint(&base, size);

    // Every receipt checks offline against the log key.
    let vkey = info["vkey"].as_str().unwrap().to_owned();
    for r in ["register", "r0", "r1", "r2"] {
        let out = crate::run_ok(
            rsm_pg(d, &url)
                .args(["ledger", "verify-receipt"])
                .arg(d.join(format!("{r}.tlog-proof")))
                .args(["--vkey", &vkey]),
        );
        assert!(out.starts_with("OK: entry "), "{out}");
    }

    // The whole log, read back from PostgreSQL through the tiles, audits clean; then again,
    // strictly.
    for (state, strict) in [("mirror", false), ("mirror-strict", true)] {
        let mut c = rsm_pg(d, &url);
        c.args(["ledger", "audit", &base, "--quiet", "--state"])
            .arg(d.join(state))
            .args(["--pin", &format!("KR={public}")]);
        if strict {
            c.arg("--strict");
        }
        let out = crate::run_ok(&mut c);
        assert!(
            out.contains(&format!("OK: {size} entries verified")),
            "{out}"
        );
    }

    drop(server);
    let name = url.rsplit_once('/').unwrap().1.to_owned();
    admin_sql(
        &admin_url,
        &[&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
    );
}
