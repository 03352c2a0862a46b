//! Notifications on a party's side: `rsm sign` (validate nothing locally; sign with the
//! party's key on this machine and submit the content beside the signed entry), the
//! notification part of a mirror (`rsm ledger audit --token`), and `rsm compliance
//! --mirror`, which recomputes the compliance table from the mirror alone.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use clap::Args;
use jiff::Timestamp;
use rsm_core::{
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode,
};
use rsm_ledger::{
    Anchor, EntryBody, EntryType, Envelope, Hash, commit_public, commit_salted, leaf_hash,
    open_checkpoint, verify_inclusion,
};
use rsm_web::notify::{self, Kind, Record, Viewer};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct SignArgs {
    /// Base URL of the RSM server.
    #[arg(long, env = "RSM_SERVER")]
    server: String,
    /// API token of the party's delegate.
    #[arg(long, env = "RSM_TOKEN")]
    token: String,
    /// The party's private key file (from `rsm keygen`).
    #[arg(long)]
    key: PathBuf,
    /// Regime type id (e.g. `military-activity`); not needed with --ack.
    #[arg(long = "type", required_unless_present = "ack")]
    type_id: Option<String>,
    /// The notification's content: a JSON or TOML file (TOML is converted to JSON).
    #[arg(long)]
    content: Option<PathBuf>,
    /// Amend the notification at this log index.
    #[arg(long, conflicts_with_all = ["cancels", "ack"])]
    amends: Option<u64>,
    /// Cancel the notification at this log index.
    #[arg(long, conflicts_with_all = ["amends", "ack"])]
    cancels: Option<u64>,
    /// Acknowledge the notification at this log index (type `notification-ack`).
    #[arg(long, conflicts_with_all = ["amends", "cancels"])]
    ack: Option<u64>,
    /// Commit with a random salt (required for types restricted to a body).
    #[arg(long)]
    salted: bool,
    /// The log's verifier key; the server's announced key when absent.
    #[arg(long)]
    vkey: Option<String>,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// A party's mirror folder (`rsm ledger audit URL --state DIR --token T`).
    #[arg(long)]
    mirror: PathBuf,
    #[arg(long)]
    year: i16,
    /// The instant to compute at (RFC 3339); now when absent.
    #[arg(long)]
    as_of: Option<String>,
    /// csv or json.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Only this party's rows.
    #[arg(long)]
    party: Option<String>,
}

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

fn get_json(agent: &ureq::Agent, url: &str, token: Option<&str>) -> anyhow::Result<Value> {
    let mut req = agent.get(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().with_context(|| format!("GET {url}"))?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_string()?;
    if !(200..300).contains(&status) {
        bail!("GET {url}: {status}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("{url}: not JSON"))
}

/// Reads a content file: JSON as it is, TOML converted to (compact) JSON text.
fn content_text(path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "toml") {
        let v: toml::Value =
            toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
        Ok(serde_json::to_string(&v)?)
    } else {
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        if !v.is_object() {
            bail!("{}: the content must be a JSON object", path.display());
        }
        Ok(text.trim_end().to_owned())
    }
}

pub fn sign(agent: &ureq::Agent, args: SignArgs) -> anyhow::Result<()> {
    let (party, key) = crate::ledger::read_key_file(&args.key)?;
    let server = base(&args.server);
    let info = get_json(agent, &format!("{server}/api/v1/log"), None)?;
    let origin = info["origin"].as_str().context("log info: origin")?;
    let announced = info["vkey"].as_str().context("log info: vkey")?;
    if let Some(v) = &args.vkey
        && v != announced
    {
        bail!("the server announces log key {announced}, not the expected {v}");
    }
    let verifier = rsm_ledger::NoteVerifier::from_vkey(announced).context("log vkey")?;
    let head = get_json(agent, &format!("{server}/api/v1/log/parties/{party}"), None)?;
    let seq = head["next_seq"].as_u64().context("party head: next_seq")?;
    let prev = Hash::from_hex(head["prev"].as_str().context("party head: prev")?)?;
    let note = head["checkpoint"]
        .as_str()
        .context("the log has no checkpoint yet; try again in a few seconds")?;
    let cp = open_checkpoint(note.as_bytes(), origin, &verifier, &[])
        .context("the server's checkpoint does not verify under the log key")?
        .checkpoint;
    let type_id = args.type_id.clone().unwrap_or_default();
    let (entry_type, kind) = match (args.ack, args.amends, args.cancels) {
        (Some(n), _, _) => (notify::ACK_ENTRY_TYPE.to_owned(), Kind::Ack(n)),
        (_, Some(n), _) => (format!("notification.{type_id}"), Kind::Amends(n)),
        (_, _, Some(n)) => (format!("notification.{type_id}"), Kind::Cancels(n)),
        _ => (format!("notification.{type_id}"), Kind::Original),
    };
    let content = match (&args.content, kind) {
        (Some(p), _) => content_text(p)?,
        (None, Kind::Ack(n)) => json!({"of": n.to_string()}).to_string(),
        (None, Kind::Cancels(n)) => json!({"cancels": n.to_string()}).to_string(),
        (None, _) => bail!("--content FILE is required"),
    };
    let mut salt = None;
    let commitment = if args.salted {
        let s = crate::ledger::getrandom32()?;
        salt = Some(s);
        commit_salted(&s, content.as_bytes())
    } else {
        commit_public(content.as_bytes())
    };
    let env = EntryBody {
        party: party.clone(),
        seq,
        prev,
        entry_type: EntryType::new(&entry_type)?,
        commitment,
        anchor: Anchor {
            size: cp.size,
            root: cp.root,
        },
        data: kind.data().into_bytes(),
    }
    .sign(&key)?;
    let bytes = env.encode()?;
    let url = format!("{server}/api/v1/notifications");
    let mut body = json!({"envelope": B64.encode(&bytes), "content": content});
    if let Some(s) = salt {
        body["salt"] = json!(rsm_ledger::hash::to_hex(&s));
    }
    let mut r = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", args.token))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .with_context(|| format!("POST {url}"))?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string()?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != 201 {
        if let Some(errors) = v["errors"].as_array() {
            eprintln!(
                "refused ({status}): {} field(s) fail the regime:",
                errors.len()
            );
            for e in errors {
                eprintln!(
                    "  {}: {} ({}){}",
                    e["path"].as_str().unwrap_or("?"),
                    e["rule"].as_str().unwrap_or("?"),
                    e["message"].as_str().unwrap_or(""),
                    match &e["value"] {
                        Value::Null => String::new(),
                        x => format!(", value {x}"),
                    }
                );
            }
            bail!("nothing was stored");
        }
        bail!("refused ({status}): {text}");
    }
    let index = v["index"].as_u64().context("answer: index")?;
    println!("appended {party} #{seq} {entry_type} at index {index}");
    if let Some(s) = v["status"].as_str() {
        match v["delay_seconds"].as_i64() {
            Some(d) => println!("status: {s} ({})", rsm_regime::render::human_delay(d)),
            None => println!("status: {s}"),
        }
    }
    if let Some(receipt) = v["receipt"].as_str() {
        let proof = rsm_ledger::TlogProof::parse(receipt.as_bytes())?;
        proof
            .verify_with_log_key(&leaf_hash(&bytes), origin, &verifier)
            .context("the receipt does not verify")?;
        let out = args
            .key
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("receipt-{index}.tlog-proof"));
        std::fs::write(&out, receipt)?;
        println!("receipt verified and saved to {}", out.display());
    }
    if let Some(s) = salt {
        let p = args
            .key
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("notification-{index}.salt"));
        std::fs::write(&p, rsm_ledger::hash::to_hex(&s))?;
        println!("salt saved to {}", p.display());
    }
    Ok(())
}

/// Fetches into the mirror folder the notifications `token` may see (each checked against
/// its entry's commitment and the entry's inclusion in the audited checkpoint), the regime
/// versions (each text checked against its hash), the participation timeline and who the
/// viewer is. Returns the number of notifications kept.
pub fn mirror(
    agent: &ureq::Agent,
    url: &str,
    dir: &Path,
    token: Option<&str>,
    size: u64,
    root: &Hash,
) -> anyhow::Result<usize> {
    let url = base(url);
    let ndir = dir.join("notifications");
    std::fs::create_dir_all(&ndir)?;
    let list = get_json(agent, &format!("{url}/api/v1/notifications"), token)?;
    let mut kept = 0;
    for n in list.as_array().context("notifications: a list")? {
        let index = n["index"].as_u64().context("notification index")?;
        if index >= size {
            continue; // not yet covered by the audited checkpoint
        }
        let file = ndir.join(format!("{index}.json"));
        if file.exists() {
            kept += 1;
            continue;
        }
        let e = get_json(agent, &format!("{url}/api/v1/log/entries/{index}"), None)?;
        let bytes = B64.decode(e["envelope"].as_str().context("entry envelope")?)?;
        let env = Envelope::parse(&bytes)?;
        let text = n["content_text"].as_str().context("content_text")?;
        let ok = match n["salt"].as_str() {
            Some(s) => {
                let salt: [u8; 32] = rsm_ledger::hash::from_hex(s)
                    .and_then(|b| b.try_into().ok())
                    .context("salt")?;
                commit_salted(&salt, text.as_bytes()) == env.body.commitment
            }
            None => commit_public(text.as_bytes()) == env.body.commitment,
        };
        if !ok {
            bail!("FINDING: the content of notification {index} does not match its commitment");
        }
        let proof = get_json(
            agent,
            &format!("{url}/api/v1/log/proof/inclusion?index={index}&size={size}"),
            None,
        )?;
        let hashes = proof["proof"]
            .as_array()
            .context("inclusion proof")?
            .iter()
            .map(|h| Hash::from_base64(h.as_str().unwrap_or("")))
            .collect::<Result<Vec<_>, _>>()?;
        verify_inclusion(&leaf_hash(&bytes), index, size, &hashes, root).map_err(|e| {
            anyhow::anyhow!("FINDING: notification {index} is not in the audited log: {e}")
        })?;
        let kind = Kind::parse(env.body.entry_type.as_str(), &env.body.data)
            .map_err(|e| anyhow::anyhow!("notification {index}: {e}"))?;
        let rec = json!({
            "index": index,
            "party": env.body.party.as_str(),
            "entry_type": env.body.entry_type.as_str(),
            "data": kind.data(),
            "received_at": e["received_at"],
            "content": text,
            "salt": n["salt"],
        });
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&rec)?)?;
        std::fs::rename(&tmp, &file)?;
        kept += 1;
    }
    // The regime versions, each text against its hash.
    let regime = get_json(agent, &format!("{url}/api/v1/regime"), None)?;
    let mut versions = Vec::new();
    for v in regime["versions"].as_array().context("regime versions")? {
        if let (Some(text), Some(sha)) = (v["text"].as_str(), v["text_sha256"].as_str()) {
            if rsm_ledger::hash::sha256(text.as_bytes()).to_hex() != sha {
                bail!("FINDING: a regime version's text does not match its hash {sha}");
            }
            versions.push(json!({"effective": v["effective"], "basis": v["basis"], "text": text}));
        }
    }
    std::fs::write(
        dir.join("regime-versions.json"),
        serde_json::to_vec_pretty(&versions)?,
    )?;
    // The participation timeline.
    let mut changes = Vec::new();
    for p in PartyCode::ALL {
        let d = get_json(agent, &format!("{url}/api/v1/parties/{p}"), None)?;
        for c in d["history"].as_array().context("party history")? {
            changes.push(json!({
                "party": p.as_str(), "status": c["status"], "effective": c["effective"],
                "basis": c["basis"], "recorded_on": c["recorded_on"],
            }));
        }
    }
    std::fs::write(
        dir.join("timeline.json"),
        serde_json::to_vec_pretty(&changes)?,
    )?;
    // Who this mirror sees as.
    let viewer = match token {
        Some(_) => {
            let me = get_json(agent, &format!("{url}/api/v1/me"), token)?;
            match me["role"].as_str() {
                Some("secretariat-admin" | "secretariat-officer") => json!("all"),
                _ => me["party"].clone(),
            }
        }
        None => Value::Null,
    };
    std::fs::write(
        dir.join("viewer.json"),
        serde_json::to_vec(&json!({ "viewer": viewer }))?,
    )?;
    Ok(kept)
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let b = std::fs::read(path).with_context(|| {
        format!(
            "reading {} (run `rsm ledger audit URL --state DIR --token T` first)",
            path.display()
        )
    })?;
    serde_json::from_slice(&b).with_context(|| format!("{}: not JSON", path.display()))
}

/// Recomputes the compliance table from a mirror folder alone.
pub fn compliance(args: ComplianceArgs) -> anyhow::Result<()> {
    let dir = &args.mirror;
    let changes = read_json(&dir.join("timeline.json"))?;
    let mut list = Vec::new();
    for c in changes.as_array().context("timeline: a list")? {
        let s = |k: &str| c[k].as_str().unwrap_or("").to_owned();
        list.push(StatusChange {
            party: s("party").parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            status: ParticipationStatus::parse(&s("status")).context("timeline: status")?,
            effective: s("effective").parse().context("timeline: effective")?,
            basis: s("basis"),
            recorded_on: s("recorded_on").parse().context("timeline: recorded_on")?,
        });
    }
    let timeline = Timeline::from_changes(list);
    let versions: Vec<notify::VersionText> = read_json(&dir.join("regime-versions.json"))?
        .as_array()
        .context("regime versions: a list")?
        .iter()
        .map(|v| {
            Ok(notify::VersionText {
                effective: v["effective"]
                    .as_str()
                    .unwrap_or("")
                    .parse()
                    .context("version effective")?,
                basis: v["basis"].as_str().unwrap_or("").to_owned(),
                text: v["text"].as_str().unwrap_or("").to_owned(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let history = notify::history(notify::founding_instant(&timeline), &versions)
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut records = BTreeMap::new();
    let ndir = dir.join("notifications");
    if ndir.exists() {
        for entry in std::fs::read_dir(&ndir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let v = read_json(&path)?;
            let entry_type = v["entry_type"].as_str().unwrap_or("");
            let kind = Kind::parse(entry_type, v["data"].as_str().unwrap_or("").as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let index = v["index"].as_u64().context("index")?;
            records.insert(
                index,
                Record {
                    index,
                    party: v["party"].as_str().unwrap_or("").to_owned(),
                    type_id: notify::type_of_entry(entry_type).unwrap_or("").to_owned(),
                    kind,
                    received: v["received_at"]
                        .as_str()
                        .unwrap_or("")
                        .parse()
                        .with_context(|| format!("{}: received_at", path.display()))?,
                    content: v["content"].as_str().unwrap_or("").to_owned(),
                },
            );
        }
    }
    let records: Vec<Record> = records.into_values().collect();
    let viewer = match read_json(&dir.join("viewer.json"))?["viewer"].as_str() {
        Some("all") => Viewer::All,
        Some(p) => Viewer::Party(p.parse().map_err(|e| anyhow::anyhow!("viewer: {e}"))?),
        None => Viewer::Public,
    };
    let as_of: Timestamp = match &args.as_of {
        Some(s) => s.parse().context("--as-of must be an RFC 3339 instant")?,
        None => rsm_web::clock::Clock::now(&rsm_web::clock::SystemClock),
    };
    // Restricted bodies are not part of the mirror yet: the default regime restricts no type.
    let mut report =
        notify::compliance(&history, &timeline, &[], &records, args.year, as_of, viewer);
    if let Some(p) = &args.party {
        let p: PartyCode = p.parse().map_err(|e| anyhow::anyhow!("--party: {e}"))?;
        report.rows.retain(|r| r.party == p.as_str());
        report.patterns.retain(|x| x.party == p.as_str());
        report.acknowledgements.retain(|x| x.party == p.as_str());
        report
            .consultations
            .retain(|x| x.from == p.as_str() || x.to == p.as_str());
    }
    match args.format.as_str() {
        "csv" => print!("{}", rsm_regime::to_csv(&report)),
        "json" => print!("{}", rsm_regime::to_json(&report)),
        other => bail!("--format must be csv or json, not {other}"),
    }
    Ok(())
}
