//! End-to-end tests of the `rsm` binary: the demo serves and answers, and the host
//! operator's commands (accounts, tokens, participation, backup, restore) work on a database.

mod log;
mod monitor;
mod notifications;
mod postgres_log;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

fn rsm(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsm"));
    cmd.current_dir(dir)
        .env_remove("RSM_CONFIG")
        .env(
            "RSM_DATABASE_URL",
            format!("sqlite://{}", dir.join("rsm.db").display()),
        )
        .env("RSM_LOG", "warn");
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    http(addr, "GET", path, None, "").unwrap()
}

/// Starts `rsm serve` on a free port and returns the child and its address.
fn start_server(dir: &Path) -> (std::process::Child, String) {
    let mut child = rsm(dir)
        .args(["serve"])
        .env("RSM_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("serve prints its address").unwrap();
    let addr = line
        .strip_prefix("RSM serving on http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    (child, addr)
}

#[test]
fn acknowledged_writes_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(rsm(d).args(["user", "add", "sec.admin", "--role", "secretariat-admin"]));
    let token_out = run_ok(rsm(d).args([
        "token",
        "create",
        "sec.admin",
        "--name",
        "crash",
        "--scope",
        "write",
    ]));
    let token = token_out.lines().nth(1).unwrap().trim().to_owned();
    let (mut child, addr) = start_server(d);

    // A writer streams account creations; the test kills the server while it runs.
    let writer = {
        let addr = addr.clone();
        let token = token.clone();
        std::thread::spawn(move || {
            let mut acknowledged = Vec::new();
            for i in 0..100_000 {
                let name = format!("crash.user{i}");
                let body = format!(
                    r#"{{"username":"{name}","display_name":"Crash {i}","role":"delegate","party":"KR"}}"#
                );
                match http(&addr, "POST", "/api/v1/people", Some(&token), &body) {
                    Ok((201, _)) => acknowledged.push(name),
                    Ok((status, text)) => panic!("unexpected {status}: {text}"),
                    Err(_) => break,
                }
            }
            acknowledged
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let acknowledged = writer.join().unwrap();
    assert!(
        acknowledged.len() > 5,
        "the stream was running when killed ({})",
        acknowledged.len()
    );

    let (mut child, addr) = start_server(d);
    let (status, people) = http(&addr, "GET", "/api/v1/people", Some(&token), "").unwrap();
    assert_eq!(status, 200, "{people}");
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|n| !people.contains(&format!("\"{n}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but lost after the kill: {missing:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn demo_prints_url_and_sign_in_and_the_api_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = rsm(dir.path())
        .args(["demo", "--dir"])
        .arg(dir.path().join("demo"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("demo prints its URL").unwrap();
        printed.push(line.clone());
        if let Some(url) = line.strip_prefix("RSM demo is running: http://") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push(line.clone());
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let text = printed.join("\n");
    for user in [
        "admin",
        "officer",
        "kr.delegate",
        "ru.auditor",
        "kr.redcross",
        "cn.energy",
    ] {
        assert!(
            text.contains(&format!("  {user} ")),
            "{user} missing from:\n{text}"
        );
    }
    let (status, body) = http_get(&addr, "/api/v1/parties");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"KP\"") && body.contains("invited"),
        "{body}"
    );
    let (status, _) = http_get(&addr, "/readyz");
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn host_commands_manage_accounts_tokens_participation_and_backups() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(rsm(d).arg("migrate"));
    let added = run_ok(rsm(d).args(["user", "add", "sec.admin", "--role", "secretariat-admin"]));
    assert!(added.contains("password (shown once): "), "{added}");
    let bad = rsm(d)
        .args(["user", "add", "x.y", "--role", "delegate", "--party", "XX"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("party"),
        "names the field"
    );
    let listed = run_ok(rsm(d).args(["user", "list"]));
    assert!(
        listed.contains("sec.admin") && listed.contains("secretariat-admin"),
        "{listed}"
    );

    let token = run_ok(rsm(d).args([
        "token",
        "create",
        "sec.admin",
        "--name",
        "ci",
        "--scope",
        "write",
    ]));
    assert!(
        token.lines().nth(1).is_some_and(|t| t.starts_with("rsm_")),
        "{token}"
    );
    run_ok(rsm(d).args(["token", "revoke", "1"]));
    assert!(run_ok(rsm(d).args(["token", "list", "sec.admin"])).contains("revoked"));

    let shown = run_ok(rsm(d).args(["party", "status", "--date", "2026-06-01"]));
    assert!(
        shown.contains("KP  invited") || shown.contains("KP  invited "),
        "{shown}"
    );
    run_ok(rsm(d).args([
        "party",
        "status",
        "KP",
        "--set",
        "participating",
        "--effective",
        "2200-01-01",
        "--basis",
        "MC.DEC/9/99",
    ]));
    let kp = run_ok(rsm(d).args(["party", "status", "KP", "--date", "2200-01-02"]));
    assert!(
        kp.contains("participating on 2200-01-02") && kp.contains("MC.DEC/9/99"),
        "{kp}"
    );

    // Backup, then restore refuses to overwrite the live database without --force.
    let backup = d.join("backup.db");
    run_ok(rsm(d).arg("backup").arg(&backup));
    let refused = rsm(d).arg("restore").arg(&backup).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    run_ok(rsm(d).args(["user", "disable", "sec.admin"]));
    run_ok(rsm(d).arg("restore").arg(&backup).arg("--force"));
    let restored = run_ok(rsm(d).args(["user", "list"]));
    assert!(
        restored.contains("active"),
        "the restore brought back the state before disable: {restored}"
    );
}

#[test]
fn unknown_configuration_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rsm.toml"), "listen_adress = \"x\"\n").unwrap();
    let out = rsm(dir.path()).arg("migrate").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `listen_adress`"));
    let out = rsm(dir.path())
        .env("RSM_LISTEN_ADRESS", "x")
        .arg("--config")
        .arg("/nonexistent.toml")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn plan_run_prints_the_objective_and_writes_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        rsm(dir.path())
            .args(["plan", "run", "nea14-annual", "--out"])
            .arg(dir.path().join("results")),
    );
    let first = out.lines().next().unwrap();
    let objective: f64 = first
        .strip_prefix("objective ")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        (objective - 56_966_865.857).abs() / 56_966_865.857 < 1e-8,
        "{first}"
    );
    assert!(dir.path().join("results/summary.json").exists());
    let bad = rsm(dir.path())
        .args(["plan", "run", "/no/such/network"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn kin_match_writes_predictions_in_the_scorer_format() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/kin/dev-2k");
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("pred.csv");
    let explain = dir.path().join("explain.jsonl");
    let out = run_ok(
        rsm(dir.path())
            .args(["kin", "match", "--south"])
            .arg(data.join("south.csv"))
            .arg("--north")
            .arg(data.join("north.csv"))
            .arg("--out")
            .arg(&pred)
            .arg("--explain")
            .arg(&explain),
    );
    assert!(out.contains("matches written"), "{out}");
    let text = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(text.lines().next(), Some("request_id,person_id,score"));
    assert!(
        text.lines().count() > 1000,
        "dev-2k has about two thousand requests"
    );
    assert!(
        std::fs::read_to_string(&explain)
            .unwrap()
            .contains("surname")
    );
}
