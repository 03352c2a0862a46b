//! Interop with Go's `golang.org/x/mod/sumdb/note` (the reference signed-note
//! implementation) and a cosignature/v1 signer and verifier written in Go from the spec
//! (`tests/interop/note_interop.go`). Runs when `go` and Debian's `golang-golang-x-mod-dev`
//! sources are installed; otherwise it prints why it is skipped.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use rsm_ledger::{Checkpoint, CosignatureSigner, Hash, Note, NoteSigner, hash::to_hex};

const GOPATH: &str = "/usr/share/gocode";

fn go(args: &[&str], stdin: &[u8]) -> Result<String, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/note_interop.go");
    let mut child = Command::new("go")
        .arg("run")
        .arg(&src)
        .args(args)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOCACHE", dir.join("go-cache"))
        .env("GOFLAGS", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(stdin)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn available() -> bool {
    let ok = Command::new("go").arg("version").output().is_ok()
        && Path::new(GOPATH)
            .join("src/golang.org/x/mod/sumdb/note/note.go")
            .exists();
    if !ok {
        println!("skipped: needs `go` and golang-golang-x-mod-dev (apt) for the Go interop check");
    }
    ok
}

#[test]
fn go_sumdb_note_interop() {
    if !available() {
        return;
    }
    let log = NoteSigner::from_seed("rsm.example/log", &[21; 32]).unwrap();
    let seed = [22u8; 32];
    let w = CosignatureSigner::from_seed("witness.example/w1", &seed).unwrap();
    let cp = Checkpoint {
        origin: "rsm.example/log".into(),
        size: 123_456,
        root: Hash([0x3c; 32]),
        extensions: vec!["ext line".into()],
    };
    let mut note = cp.sign(&log).unwrap();
    let text = note.text().to_owned();
    note.add_signature(w.cosign(&text, 1_795_000_000).unwrap());

    // Rust-signed and cosigned checkpoint opens in Go with both keys.
    let out = go(
        &["verify", &log.verifier().to_vkey(), &w.verifier().to_vkey()],
        note.to_text().as_bytes(),
    )
    .map(|o| o.lines().map(str::to_owned).collect::<Vec<_>>());
    let out = out.unwrap_or_else(|e| panic!("Go rejected our note: {e}"));
    assert_eq!(out[0], "OK 2", "{out:?}");

    // Go refuses a tampered one.
    let bad = note.to_text().replace("123456", "123457");
    assert!(go(&["verify", &log.verifier().to_vkey()], bad.as_bytes()).is_err());

    // Go-signed note is byte-identical to ours and verifies here.
    let go_signed = go(&["sign", &log.to_skey()], text.as_bytes()).unwrap();
    assert_eq!(go_signed, cp.sign(&log).unwrap().to_text());
    Note::parse(go_signed.as_bytes())
        .unwrap()
        .verify(&[log.verifier()])
        .unwrap();

    // Go cosignature (from the spec) equals ours and verifies here.
    let line = go(
        &["cosign", "witness.example/w1", &to_hex(&seed), "1795000000"],
        text.as_bytes(),
    )
    .unwrap();
    assert_eq!(line, w.cosign(&text, 1_795_000_000).unwrap().to_line());
    let full = format!("{}{}", cp.sign(&log).unwrap().to_text(), line);
    let v = Note::parse(full.as_bytes())
        .unwrap()
        .verify(&[w.verifier()])
        .unwrap();
    assert_eq!(v[0].timestamp, Some(1_795_000_000));
}
