//! Notifications through the real binary: `rsm sign` on a party's machine (every failing
//! field listed on refusal), an acknowledgement, a party's mirror with the contents, and
//! `rsm compliance --mirror` reproducing the server's table byte for byte.

use std::path::Path;

use serde_json::Value;

use crate::log::{Demo, get, rsm, wait_for_checkpoint};

fn sign(demo: &Demo, token: &str, party: &str, args: &[&str]) -> (bool, String, String) {
    let out = rsm()
        .args(["sign", "--server", &demo.url, "--token", token, "--key"])
        .arg(
            demo.dir
                .join("demo-party-keys")
                .join(format!("{party}.key")),
        )
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fetch(url: &str, token: &str) -> String {
    let mut r = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.body_mut().read_to_string().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_mirror_recomputes_the_servers_compliance_table_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path());
    let kr = demo.token("kr.delegate");
    let jp = demo.token("jp.delegate");
    let now = rsm_web::clock::Clock::now(&rsm_web::clock::SystemClock);
    // The notification's deadline (42 days before a start 60 days ahead) sets its year.
    let year = (now + jiff::SignedDuration::from_hours(24 * 18))
        .to_zoned(jiff::tz::TimeZone::get("Asia/Seoul").unwrap())
        .year();
    let start = (now + jiff::SignedDuration::from_hours(24 * 60))
        .to_zoned(jiff::tz::TimeZone::get("Asia/Seoul").unwrap())
        .strftime("%Y-%m-%dT06:00")
        .to_string();
    // Before a checkpoint exists, signing cannot anchor; wait for the demo's.
    wait_for_checkpoint(&demo.url, 1);

    // A TOML content file, converted to JSON and signed with KR's key on "KR's machine".
    let toml = format!(
        "designation = \"Ulchi 27\"\npurpose = \"Readiness\"\nactivity_type = \"amphibious\"\n\
         parties_involved = [\"KR\"]\ncommand_level = \"brigade\"\ntroops = 3200\n\
         [window]\nstart = \"{start}\"\nend = \"{start}\"\nzone = \"Asia/Seoul\"\n\
         [area]\ncentre = [129.3, 35.5]\nradius_km = 30\n"
    );
    let file = write(dir.path(), "exercise.toml", &toml);
    let (ok, out, err) = sign(
        &demo,
        &kr,
        "KR",
        &[
            "--type",
            "military-activity",
            "--content",
            file.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("status: on_time"), "{out}");
    assert!(out.contains("receipt verified"), "{out}");
    let index: u64 = out
        .split("at index ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Refused: every failing field is printed, nothing stored.
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"designation": "X", "activity_type": "space", "troops": -1}"#,
    );
    let before = get(&format!("{}/api/v1/log", demo.url))["size"].clone();
    let (ok, out, err) = sign(
        &demo,
        &kr,
        "KR",
        &[
            "--type",
            "military-activity",
            "--content",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!ok, "{out}");
    for field in ["activity_type", "troops", "window", "purpose"] {
        assert!(err.contains(field), "{field} not named in {err}");
    }
    assert_eq!(get(&format!("{}/api/v1/log", demo.url))["size"], before);

    // JP acknowledges it.
    let (ok, out, err) = sign(&demo, &jp, "JP", &["--ack", &index.to_string()]);
    assert!(ok, "{out}{err}");

    // JP's mirror: audit with its token fetches the contents it may see.
    let size = get(&format!("{}/api/v1/log", demo.url))["size"]
        .as_u64()
        .unwrap();
    wait_for_checkpoint(&demo.url, size);
    let state = dir.path().join("jp-mirror");
    let out = rsm()
        .args([
            "ledger", "audit", &demo.url, "--quiet", "--token", &jp, "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("notifications mirrored:"), "{text}");

    // The same as-of instant on both sides: byte-identical CSV and JSON.
    let as_of = rsm_web::clock::Clock::now(&rsm_web::clock::SystemClock).to_string();
    for (format, path) in [("csv", "compliance.csv"), ("json", "compliance")] {
        let server = fetch(
            &format!("{}/api/v1/{path}?year={year}&as_of={as_of}", demo.url),
            &jp,
        );
        let out = rsm()
            .args(["compliance", "--mirror"])
            .arg(&state)
            .args([
                "--year",
                &year.to_string(),
                "--as-of",
                &as_of,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mirror = String::from_utf8(out.stdout).unwrap();
        assert_eq!(mirror, server, "{format} differs");
        if format == "csv" {
            assert!(server.contains(&format!(",{index},")), "{server}");
            assert!(server.lines().count() > 5, "{server}");
        } else {
            let v: Value = serde_json::from_str(&server).unwrap();
            assert!(!v["rows"].as_array().unwrap().is_empty());
        }
    }
}
