//! `rsm ledger audit` run on a schedule is a monitor: a second run fetches only the tiles
//! that grew since the state it saved (counted by a proxy between the auditor and the log);
//! `rsm witness` serves HTTPS and cosigns over it; `rsm serve` serves HTTPS and
//! `rsm ledger audit --ca` audits it through a private CA.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Mutex},
};

use rsm_ledger::tiles::hash_tiles_grown;

use crate::log::{Demo, audit, envelope, next, post_batch, rsm, wait_for_checkpoint};

/// An HTTP/1.1 proxy on 127.0.0.1 that records every request path and forwards it to the
/// log. GET and POST with a Content-Length body only (all the auditor sends).
struct CountingProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl CountingProxy {
    fn start(upstream: &str) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (up, log) = (upstream.to_owned(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (up, log) = (up.clone(), log.clone());
                std::thread::spawn(move || {
                    let _ = forward(stream, &up, &log);
                });
            }
        });
        CountingProxy { url, seen }
    }

    /// The request paths seen since the last call.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn forward(stream: TcpStream, upstream: &str, seen: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut length = 0usize;
        let mut auth = None;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    "authorization" => auth = Some(v.trim().to_owned()),
                    _ => {}
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        seen.lock().unwrap().push(path.clone());
        let target = format!("{upstream}{path}");
        let response = if method == "POST" {
            let mut r = agent.post(&target);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.send(&body[..])
        } else {
            let mut r = agent.get(&target);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()
        };
        let mut response = response.map_err(std::io::Error::other)?;
        let status = response.status().as_u16();
        let ct = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .map_err(std::io::Error::other)?;
        write!(
            out,
            "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
            bytes.len()
        )?;
        out.write_all(&bytes)?;
    }
}

/// Appends `n` KR entries through the batch API and waits until a checkpoint covers them.
fn append(demo: &Demo, token: &str, n: u64, tag: &str) -> u64 {
    let kr = demo.key("KR");
    let (seq, mut prev, anchor) = next(&demo.url, "KR");
    let mut batch = Vec::new();
    for i in 0..n {
        let e = envelope(&kr, "KR", seq + i, prev, anchor, &format!("{tag} {i}"));
        prev = rsm_ledger::leaf_hash(&e);
        batch.push(e);
    }
    let mut size = 0;
    for chunk in batch.chunks(200) {
        let (status, body) = post_batch(&demo.url, token, chunk);
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["accepted"].as_u64(),
            Some(chunk.len() as u64),
            "{body}"
        );
        size = body["items"].as_array().unwrap().last().unwrap()["index"]
            .as_u64()
            .unwrap()
            + 1;
    }
    wait_for_checkpoint(&demo.url, size);
    size
}

/// The size the audit reports as verified ("OK: N entries verified ...").
fn verified(out: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix("OK: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no OK line in {out}"))
}

fn tiles(paths: &[String]) -> Vec<String> {
    let mut t: Vec<String> = paths
        .iter()
        .filter_map(|p| p.strip_prefix("/log/"))
        .filter(|p| p.starts_with("tile/"))
        .map(str::to_owned)
        .collect();
    t.sort();
    t
}

#[test]
fn a_second_audit_fetches_only_the_tiles_that_grew() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path());
    let token = demo.token("kr.delegate");
    // More than two full tiles, so that a second run has old tiles it must not fetch.
    append(&demo, &token, 600, "first");
    let proxy = CountingProxy::start(&demo.url);
    let state = dir.path().join("mirror");

    let (ok, out) = audit(&proxy.url, &state);
    assert!(ok, "{out}");
    let first = verified(&out);
    let first_tiles = tiles(&proxy.take());
    assert!(first >= 600, "{out}");
    // The first run reads every bundle and every hash tile.
    let bundles = first.div_ceil(256) as usize;
    assert_eq!(
        first_tiles
            .iter()
            .filter(|t| t.starts_with("tile/entries/"))
            .count(),
        bundles,
        "{first_tiles:?}"
    );

    // Nothing new: no tile at all.
    wait_for_checkpoint(&demo.url, first);
    let (ok, out) = audit(&proxy.url, &state);
    assert!(ok, "{out}");
    let again = verified(&out);
    let seen = tiles(&proxy.take());
    if again == first {
        assert!(seen.is_empty(), "{seen:?}");
    }

    // A few new entries: only the partial bundle they land in (fetched again, grown) and
    // the hash tiles that grew.
    append(&demo, &token, 5, "second");
    let (ok, out) = audit(&proxy.url, &state);
    assert!(ok, "{out}");
    let second = verified(&out);
    assert!(second >= again + 5, "{out}");
    let seen = tiles(&proxy.take());
    let mut expected: Vec<String> = (again / 256..second.div_ceil(256))
        .map(|n| {
            rsm_ledger::TileId {
                kind: rsm_ledger::TileKind::Entries,
                index: n,
                width: (second - n * 256).min(256) as u16,
            }
            .path()
        })
        .chain(hash_tiles_grown(again, second).iter().map(|t| t.path()))
        .collect();
    expected.sort();
    assert_eq!(seen, expected, "{out}");
    assert!(
        !seen
            .iter()
            .any(|t| t == "tile/entries/000" || t == "tile/0/000"),
        "an old full tile was fetched again: {seen:?}"
    );
    assert!(
        out.contains(&format!("({} new)", second - again)),
        "only the new entries are verified: {out}"
    );
}

/// A self-signed certificate for `localhost` and its key, written as PEM files in `dir`.
fn self_signed_localhost(
    dir: &std::path::Path,
) -> (
    rcgen::CertifiedKey<rcgen::KeyPair>,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (ck, cert, key)
}

/// An agent that trusts only `ck`'s certificate; statuses are answers.
fn trusting(ck: &rcgen::CertifiedKey<rcgen::KeyPair>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[
                    ureq::tls::Certificate::from_der(ck.cert.der()).to_owned(),
                ]))
                .build(),
        )
        .build()
        .into()
}

#[test]
fn rsm_witness_over_tls_cosigns_a_checkpoint() {
    use rsm_ledger::{AddCheckpointRequest, Checkpoint, NoteSigner, leaf_hash};
    let dir = tempfile::tempdir().unwrap();
    let (ck, cert, key) = self_signed_localhost(dir.path());
    let log = NoteSigner::from_seed("rsm.test/log", &[5; 32]).unwrap();
    let mut child = crate::log::rsm()
        .args(["witness", "--name", "witness.kr.test", "--dir"])
        .arg(dir.path().join("w"))
        .args(["--log-vkey", &log.verifier().to_vkey()])
        .args(["--listen", "127.0.0.1:0", "--public-host", "localhost"])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .env("RSM_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let policy = lines.next().unwrap().unwrap();
    let addr = first
        .split("serving on https://")
        .nth(1)
        .unwrap_or_else(|| panic!("{first}"))
        .trim_end_matches('/')
        .to_owned();
    let port = addr.rsplit_once(':').unwrap().1;
    assert!(
        policy.ends_with(&format!(" https://localhost:{port}")),
        "{policy}"
    );

    let root = leaf_hash(b"the only entry");
    let note = Checkpoint::new("rsm.test/log", 1, root)
        .sign(&log)
        .unwrap()
        .to_text();
    let body = AddCheckpointRequest {
        old_size: 0,
        proof: vec![],
        checkpoint: note.into_bytes(),
    }
    .encode();
    let post = |agent: &ureq::Agent| {
        agent
            .post(format!("https://localhost:{port}/add-checkpoint"))
            .send(&body[..])
    };
    // Trusting the witness's certificate: a cosignature line from witness.kr.test.
    let trusted = trusting(&ck);
    let mut r = post(&trusted).unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(text.starts_with("— witness.kr.test "), "{text}");
    // Mozilla's roots only: the self-signed certificate is refused, no cosignature.
    let untrusted: ureq::Agent = ureq::Agent::config_builder().build().into();
    assert!(post(&untrusted).is_err());
    // Plain HTTP to the TLS port gets no answer from the witness.
    let plain: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(3)))
        .build()
        .into();
    assert!(
        plain
            .post(format!("http://127.0.0.1:{port}/add-checkpoint"))
            .send(&body[..])
            .is_err()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_platform_over_https_is_audited_through_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ck, cert, key) = self_signed_localhost(dir.path());
    let demo = Demo::start_with(
        dir.path(),
        &[
            ("RSM_TLS_CERT", cert.to_str().unwrap()),
            ("RSM_TLS_KEY", key.to_str().unwrap()),
        ],
    );
    let port = demo
        .url
        .strip_prefix("https://127.0.0.1:")
        .unwrap_or_else(|| panic!("the demo announces https: {}", demo.url))
        .to_owned();
    let url = format!("https://localhost:{port}");
    let audit_with = |state: &str, ca: Option<&std::path::Path>| {
        let mut cmd = rsm();
        cmd.args(["ledger", "audit", &url, "--quiet", "--state"])
            .arg(dir.path().join(state))
            .env("RUST_BACKTRACE", "0");
        if let Some(ca) = ca {
            cmd.arg("--ca").arg(ca);
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    // Mozilla's roots do not vouch for a private certificate: refused, and the error says so.
    let (ok, text) = audit_with("mirror-untrusting", None);
    assert!(!ok, "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    // Trusting the private CA: the whole log is audited over TLS.
    let (ok, text) = audit_with("mirror", Some(&cert));
    assert!(ok, "{text}");
    assert!(text.starts_with("OK: "), "{text}");
    // A --ca file that holds no certificate is refused by name before anything is fetched.
    let (ok, text) = audit_with("mirror-bad-ca", Some(&key));
    assert!(!ok, "{text}");
    assert!(text.contains("--ca"), "{text}");
    // The pages are served over the same TLS setup.
    let agent = trusting(&ck);
    let r = agent.get(format!("{url}/sign-in")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
}
