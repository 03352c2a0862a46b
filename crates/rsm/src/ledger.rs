//! The log's command line: `rsm keygen` and `rsm submit` on a party's machine (its private
//! key never leaves it), `rsm ledger info|audit|verify-receipt` for anyone checking the log.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use clap::{Args, Subcommand};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rsm_ledger::{
    Anchor, AuditConfig, Auditor, EntryBody, EntryType, Envelope, Hash, NoteVerifier, Party,
    SignatureCheck, TileId, TlogProof, commit_public, commit_salted, leaf_hash, open_checkpoint,
    tiles::{decode_entry_bundle, hash_tiles_grown},
};
use serde_json::Value;

/// Entries the auditor checks at once: large enough for batch signature verification to
/// pay off on every core.
const AUDIT_GROUP: usize = 4096;

/// First word of a party key file.
const KEY_FILE_TAG: &str = "RSM-PARTY-KEY";

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The party the key signs for (e.g. KR).
    #[arg(long)]
    party: String,
    /// Folder to write `<PARTY>.key` into (created; the file is readable by its owner only).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Base URL of the RSM server, e.g. http://127.0.0.1:8080
    #[arg(long, env = "RSM_SERVER")]
    server: String,
    /// API token of the party's delegate.
    #[arg(long, env = "RSM_TOKEN")]
    token: String,
    /// The party's private key file (from `rsm keygen`).
    #[arg(long)]
    key: PathBuf,
    /// Entry type, e.g. `key.register` (registers the key itself); notifications go through
    /// `rsm sign`, which submits their content with them.
    #[arg(long = "type")]
    entry_type: String,
    /// The content to commit to (its hash goes into the log, not the content).
    #[arg(long)]
    content: Option<PathBuf>,
    /// Commit with a random salt (for confidential content); the salt is saved beside the
    /// receipt.
    #[arg(long)]
    salted: bool,
    /// Public data carried in the entry (at most 1 KiB of text).
    #[arg(long)]
    data: Option<String>,
    /// Where to save the receipt (C2SP tlog-proof); `<key folder>/receipt-<index>.tlog-proof`
    /// when absent.
    #[arg(long)]
    receipt: Option<PathBuf>,
    /// The log's verifier key; the server's announced key when absent (trust on first use).
    #[arg(long)]
    vkey: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Show the log's origin, verifier key, witness policy, size and tile prefix.
    Info { url: String },
    /// Audit the log as a party's mirror: fetch entries and tiles, check every hash,
    /// signature, chain and checkpoint, remember the state, report what is wrong.
    Audit {
        url: String,
        /// Folder holding the audit state between runs (created).
        #[arg(long)]
        state: PathBuf,
        /// The log's verifier key, from an out-of-band source; pinned in the state folder on
        /// first use otherwise.
        #[arg(long)]
        vkey: Option<String>,
        /// Out-of-band pins of parties' first keys: `KR=<64 hex digits>` (repeatable).
        #[arg(long = "pin")]
        pins: Vec<String>,
        /// The witness policy every checkpoint must satisfy (C2SP policy file). When absent,
        /// the policy the log announces is pinned in the state folder on first use, and a
        /// checkpoint without its quorum is a finding.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Check every signature with `verify_strict`, one by one (the server's own rule),
        /// instead of ed25519-dalek batches (faster; also proves each entry was signed by the
        /// key in force, see docs/BENCHMARKS.md).
        #[arg(long)]
        strict: bool,
        /// API token: also mirror the notification contents it may see (each checked
        /// against its commitment), the regime versions and the participation timeline, for
        /// `rsm compliance --mirror`. Public contents only without it.
        #[arg(long, env = "RSM_TOKEN")]
        token: Option<String>,
    },
    /// Measure the log on this machine: durable signed appends per second through the log
    /// service (admission, group commit, fsync), p99 inclusion-proof latency from the store,
    /// audit speed, beside SHA-256 and Ed25519 throughput. Uses a fresh SQLite database.
    Bench {
        /// Entries to append.
        #[arg(long, default_value_t = 100_000)]
        entries: u64,
        /// Submissions in flight at once.
        #[arg(long, default_value_t = 2048)]
        in_flight: usize,
        /// Folder for the database (a temporary folder when absent).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Go through the HTTP API instead: three delegations post their chains in batches.
        #[arg(long)]
        http: bool,
        /// Envelopes per batch with --http.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Only measure inclusion-proof latency from the store at this many entries (the
        /// tree's hashes are written directly; e.g. 10000000).
        #[arg(long)]
        proofs: Option<u64>,
    },
    /// Check a receipt offline: its checkpoint is signed by the log key and the entry it
    /// carries is included.
    VerifyReceipt {
        file: PathBuf,
        /// The log's verifier key (C2SP vkey).
        #[arg(long)]
        vkey: String,
        /// A witness policy file: the receipt's checkpoint must also carry a quorum of its
        /// witnesses' cosignatures.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

/// The HTTP agent of the party-side commands: statuses are answers, not errors; `https://`
/// servers are checked against Mozilla's roots, or only against the certificates in the PEM
/// file `ca` (a private CA, `--ca`).
pub fn agent(ca: Option<&Path>) -> anyhow::Result<ureq::Agent> {
    let roots = match ca {
        Some(path) => {
            let pem =
                std::fs::read(path).with_context(|| format!("--ca {}: reading", path.display()))?;
            rsm_web::tls::pem_certificates(&pem)
                .map_err(|e| anyhow::anyhow!("--ca {}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    Ok(rsm_web::tls::client_agent(&roots, None))
}

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// GETs `url`; fails with the problem's detail on a non-2xx status.
fn get_bytes(agent: &ureq::Agent, url: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut r = agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .with_context(|| format!("reading {url}"))?;
    Ok((status, body))
}

fn get_ok(agent: &ureq::Agent, url: &str) -> anyhow::Result<Vec<u8>> {
    let (status, body) = get_bytes(agent, url)?;
    if !(200..300).contains(&status) {
        bail!("GET {url}: {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(body)
}

fn get_json(agent: &ureq::Agent, url: &str) -> anyhow::Result<Value> {
    let body = get_ok(agent, url)?;
    serde_json::from_slice(&body).with_context(|| format!("{url}: not JSON"))
}

pub(crate) fn getrandom32() -> anyhow::Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(b)
}

/// Writes a party key file readable by its owner only.
pub fn write_key_file(path: &Path, party: &Party, seed: &[u8; 32]) -> anyhow::Result<()> {
    let text = format!(
        "{KEY_FILE_TAG} {party} {}\n",
        rsm_ledger::hash::to_hex(seed)
    );
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// Signs an entry for `party` anchored to the log's committed head (in-process, demo only).
pub fn demo_entry(
    log: &rsm_web::log::Log,
    key: &SigningKey,
    party: &Party,
    entry_type: &str,
    content: &[u8],
    data: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let (seq, prev, _) = log.party_head(party);
    let head = log.head();
    let data = if entry_type == rsm_ledger::envelope::TYPE_KEY_REGISTER {
        key.verifying_key().to_bytes().to_vec()
    } else {
        data.to_vec()
    };
    let commitment = if content.is_empty() {
        commit_public(&data)
    } else {
        commit_public(content)
    };
    let env = EntryBody {
        party: party.clone(),
        seq,
        prev,
        entry_type: EntryType::new(entry_type)?,
        commitment,
        anchor: Anchor {
            size: head.size,
            root: head.root,
        },
        data,
    }
    .sign(key)?;
    Ok(env.encode()?)
}

/// Reads a party key file: the party and its signing key.
pub fn read_key_file(path: &Path) -> anyhow::Result<(Party, SigningKey)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut words = text.split_whitespace();
    let (Some(KEY_FILE_TAG), Some(party), Some(hex), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        bail!("{} is not an RSM party key file", path.display());
    };
    let party = Party::new(party)?;
    let seed: [u8; 32] = rsm_ledger::hash::from_hex(hex)
        .and_then(|b| b.try_into().ok())
        .context("the key file's seed is not 64 hex digits")?;
    Ok((party, SigningKey::from_bytes(&seed)))
}

pub fn keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let party = Party::new(&args.party)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let path = args.out.join(format!("{party}.key"));
    let seed = getrandom32()?;
    write_key_file(&path, &party, &seed)?;
    let pk = SigningKey::from_bytes(&seed).verifying_key();
    println!(
        "private key of {party} written to {} (keep it on this machine)",
        path.display()
    );
    println!("public key: {}", rsm_ledger::hash::to_hex(pk.as_bytes()));
    println!("Send the public key to the secretariat by letter; once pinned, register it with");
    println!(
        "  rsm submit --server URL --token TOKEN --key {} --type key.register",
        path.display()
    );
    Ok(())
}

/// What the server says the log is; the vkey is checked against `pinned` when given.
struct LogRef {
    origin: String,
    verifier: NoteVerifier,
    max_anchor_lag: u64,
}

fn log_ref(agent: &ureq::Agent, server: &str, pinned: Option<&str>) -> anyhow::Result<LogRef> {
    let info = get_json(agent, &format!("{}/api/v1/log", base(server)))?;
    let origin = info["origin"]
        .as_str()
        .context("log info: origin")?
        .to_owned();
    let announced = info["vkey"].as_str().context("log info: vkey")?;
    let vkey = match pinned {
        Some(p) if p != announced => {
            bail!("the server announces log key {announced}, not the expected {p}")
        }
        Some(p) => p,
        None => announced,
    };
    Ok(LogRef {
        origin,
        verifier: NoteVerifier::from_vkey(vkey).context("log vkey")?,
        max_anchor_lag: info["max_anchor_lag"].as_u64().unwrap_or(u64::MAX),
    })
}

pub fn submit(agent: &ureq::Agent, args: SubmitArgs) -> anyhow::Result<()> {
    let (party, key) = read_key_file(&args.key)?;
    let log = log_ref(agent, &args.server, args.vkey.as_deref())?;
    let head = get_json(
        agent,
        &format!("{}/api/v1/log/parties/{party}", base(&args.server)),
    )?;
    let next_seq = head["next_seq"].as_u64().context("party head: next_seq")?;
    let prev = Hash::from_hex(head["prev"].as_str().context("party head: prev")?)?;
    let note = head["checkpoint"]
        .as_str()
        .context("the log has no checkpoint yet; try again in a few seconds")?;
    let cp = open_checkpoint(note.as_bytes(), &log.origin, &log.verifier, &[])
        .context("the server's checkpoint does not verify under the log key")?
        .checkpoint;
    let mut salt = None;
    let (commitment, data) = if args.entry_type == rsm_ledger::envelope::TYPE_KEY_REGISTER {
        let pk = key.verifying_key().to_bytes().to_vec();
        (commit_public(&pk), pk)
    } else {
        let content = match &args.content {
            Some(p) => std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
            None => Vec::new(),
        };
        let c = if args.salted {
            let s = getrandom32()?;
            salt = Some(s);
            commit_salted(&s, &content)
        } else {
            commit_public(&content)
        };
        (c, args.data.unwrap_or_default().into_bytes())
    };
    let env = EntryBody {
        party: party.clone(),
        seq: next_seq,
        prev,
        entry_type: EntryType::new(&args.entry_type)?,
        commitment,
        anchor: Anchor {
            size: cp.size,
            root: cp.root,
        },
        data,
    }
    .sign(&key)?;
    let bytes = env.encode()?;
    let url = format!("{}/api/v1/log/entries", base(&args.server));
    let mut r = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", args.token))
        .header("Content-Type", "application/octet-stream")
        .send(&bytes[..])
        .with_context(|| format!("POST {url}"))?;
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string()?;
    if status != 201 {
        bail!("the log refused the entry ({status}): {body}");
    }
    let v: Value = serde_json::from_str(&body)?;
    let index = v["index"].as_u64().context("answer: index")?;
    println!(
        "appended {party} #{next_seq} {} at index {index}",
        args.entry_type
    );
    if let Some(receipt) = v["receipt"].as_str() {
        let proof = TlogProof::parse(receipt.as_bytes())?;
        proof
            .verify_with_log_key(&leaf_hash(&bytes), &log.origin, &log.verifier)
            .context("the receipt does not verify")?;
        let out = match args.receipt {
            Some(p) => p,
            None => args
                .key
                .parent()
                .unwrap_or(Path::new("."))
                .join(format!("receipt-{index}.tlog-proof")),
        };
        std::fs::write(&out, receipt).with_context(|| format!("writing {}", out.display()))?;
        println!("receipt verified and saved to {}", out.display());
        if let Some(s) = salt {
            let sp = out.with_extension("salt");
            std::fs::write(&sp, rsm_ledger::hash::to_hex(&s))?;
            println!(
                "salt saved to {} (reveal it only to those entitled)",
                sp.display()
            );
        }
    }
    Ok(())
}

pub async fn run(agent: &ureq::Agent, cmd: LedgerCommand) -> anyhow::Result<bool> {
    match cmd {
        LedgerCommand::Info { url } => {
            let info = get_json(agent, &format!("{}/api/v1/log", base(&url)))?;
            println!(
                "origin:          {}",
                info["origin"].as_str().unwrap_or("?")
            );
            println!("verifier key:    {}", info["vkey"].as_str().unwrap_or("?"));
            println!(
                "witness policy:  {}",
                info["witness_policy"]
                    .as_str()
                    .unwrap_or("none (checkpoints are signed by the log key only)")
            );
            println!("size:            {}", info["size"]);
            println!("checkpoint size: {}", info["checkpoint_size"]);
            println!(
                "tiles:           {}{}",
                base(&url),
                info["tiles"].as_str().unwrap_or("/log/")
            );
            Ok(true)
        }
        LedgerCommand::VerifyReceipt { file, vkey, policy } => {
            let text =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let proof = TlogProof::parse(&text)?;
            let verifier = NoteVerifier::from_vkey(&vkey)?;
            let entry = proof
                .extra
                .clone()
                .context("the receipt does not carry its entry (extra line)")?;
            let env = Envelope::parse(&entry)?;
            let sc = proof.verify_with_log_key(&leaf_hash(&entry), verifier.name(), &verifier)?;
            if let Some(path) = &policy {
                let policy = read_policy(path)?;
                let cc = proof
                    .verify(&leaf_hash(&entry), verifier.name(), &policy)
                    .with_context(|| format!("witness policy {}", path.display()))?;
                let names: Vec<String> = cc.cosigners.iter().map(|c| c.0.clone()).collect();
                println!(
                    "cosigned by {} (quorum of {})",
                    names.join(", "),
                    path.display()
                );
            }
            let b = &env.body;
            println!(
                "OK: entry {} ({} #{} {}) is in the log {} of size {} (root {})",
                proof.index,
                b.party,
                b.seq,
                b.entry_type,
                verifier.name(),
                sc.checkpoint.size,
                sc.checkpoint.root.to_base64()
            );
            println!("commitment {}", b.commitment.to_hex());
            println!(
                "note: the entry's own signature is checked by `rsm ledger audit`, which knows the keys in force"
            );
            Ok(true)
        }
        LedgerCommand::Bench {
            entries,
            in_flight,
            dir,
            http,
            batch,
            proofs,
        } => {
            if let Some(n) = proofs {
                crate::bench::run_proofs(n, 10_000, dir).await?;
            } else if http {
                anyhow::ensure!(
                    (1..=rsm_web::api::log::MAX_BATCH).contains(&batch),
                    "--batch must be between 1 and {}",
                    rsm_web::api::log::MAX_BATCH
                );
                crate::bench::run_http(entries, batch, dir).await?;
            } else {
                crate::bench::run(entries, in_flight, dir).await?;
            }
            Ok(true)
        }
        LedgerCommand::Audit {
            url,
            state,
            vkey,
            pins,
            policy,
            quiet,
            strict,
            token,
        } => {
            let options = AuditOptions {
                vkey: vkey.as_deref(),
                pins: &pins,
                policy_file: policy.as_deref(),
                quiet,
                signatures: if strict {
                    SignatureCheck::Strict
                } else {
                    SignatureCheck::Batch
                },
            };
            let ok = audit(agent, &url, &state, &options)?;
            if ok {
                mirror_notifications(agent, &url, &state, token.as_deref())?;
            }
            Ok(ok)
        }
    }
}

fn read_policy(path: &Path) -> anyhow::Result<rsm_ledger::WitnessPolicy> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    rsm_ledger::WitnessPolicy::parse(&text).with_context(|| format!("in {}", path.display()))
}

/// The witness policy an audit holds the log to: the one named on the command line, else the
/// one pinned in the state folder, else the one the log announces now (then pinned).
fn audit_policy(
    agent: &ureq::Agent,
    url: &str,
    dir: &Path,
    given: Option<&Path>,
) -> anyhow::Result<Option<rsm_ledger::WitnessPolicy>> {
    if let Some(path) = given {
        return read_policy(path).map(Some);
    }
    let pinned = dir.join("witness.policy");
    if pinned.exists() {
        return read_policy(&pinned).map(Some);
    }
    let info = get_json(agent, &format!("{}/api/v1/log", base(url)))?;
    match info["witness_policy"].as_str() {
        Some(text) => {
            let policy = rsm_ledger::WitnessPolicy::parse(text)
                .context("the witness policy the log announces")?;
            std::fs::write(&pinned, text)
                .with_context(|| format!("writing {}", pinned.display()))?;
            Ok(Some(policy))
        }
        None => Ok(None),
    }
}

/// What an audit pass is held to, besides the log it reads.
#[derive(Debug, Clone, Copy)]
pub struct AuditOptions<'a> {
    /// The log's verifier key from an out-of-band source (else pinned on first use).
    pub vkey: Option<&'a str>,
    /// Out-of-band pins of parties' first keys, `PARTY=HEX`.
    pub pins: &'a [String],
    /// The witness policy every checkpoint must satisfy.
    pub policy_file: Option<&'a Path>,
    /// No progress bar.
    pub quiet: bool,
    pub signatures: SignatureCheck,
}

/// Runs one audit pass; returns whether the log is sound.
pub fn audit(
    agent: &ureq::Agent,
    url: &str,
    dir: &Path,
    options: &AuditOptions<'_>,
) -> anyhow::Result<bool> {
    let AuditOptions {
        vkey,
        pins: pin_args,
        policy_file,
        quiet,
        signatures,
    } = *options;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let vkey_file = dir.join("log.vkey");
    let pinned = match vkey {
        Some(v) => Some(v.to_owned()),
        None => std::fs::read_to_string(&vkey_file)
            .ok()
            .map(|s| s.trim().to_owned()),
    };
    let log = log_ref(agent, url, pinned.as_deref())?;
    if pinned.is_none() {
        std::fs::write(&vkey_file, log.verifier.to_vkey())?;
    }
    let mut pins: BTreeMap<Party, VerifyingKey> = BTreeMap::new();
    // The secretariat's entries are signed by the log key itself.
    pins.insert(Party::secretariat(), *log.verifier.public_key());
    for p in pin_args {
        let (party, hex) = p.split_once('=').context("a pin is PARTY=HEX")?;
        let k: [u8; 32] = rsm_ledger::hash::from_hex(hex)
            .and_then(|b| b.try_into().ok())
            .context("a pinned key is 64 hex digits")?;
        pins.insert(Party::new(party)?, VerifyingKey::from_bytes(&k)?);
    }
    let cfg = AuditConfig {
        origin: log.origin.clone(),
        log_key: log.verifier.clone(),
        pins,
        max_anchor_lag: Some(log.max_anchor_lag),
        policy: audit_policy(agent, url, dir, policy_file)?,
    };
    let state_file = dir.join("audit.state");
    let mut auditor = match std::fs::read(&state_file) {
        Ok(b) => Auditor::resume(cfg, &b)
            .map_err(|e| anyhow::anyhow!("{}: {e}", state_file.display()))?,
        Err(_) => Auditor::new(cfg),
    };
    auditor.set_signature_check(signatures);
    let tiles = format!("{}/log/", base(url));
    let note = get_ok(agent, &format!("{tiles}checkpoint"))?;
    let cp = open_checkpoint(&note, &log.origin, &log.verifier, &[])
        .context("the served checkpoint does not verify under the log key")?
        .checkpoint;
    let mut findings = Vec::new();
    let start = auditor.size();
    if cp.size < start {
        bail!(
            "ROLLBACK: the log now serves a checkpoint of size {} but this mirror has verified {start} entries",
            cp.size
        );
    }
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(cp.size - start)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} auditing [{bar:40}] {pos}/{len} entries ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    // Entries, bundle by bundle, from where the last run stopped (the partial bundle it had
    // is fetched again, grown). A second thread fetches while this one checks; bundles are
    // checked in groups so that signatures can be verified in large batches.
    let first_bundle = if start < cp.size {
        start / 256
    } else {
        cp.size.div_ceil(256)
    };
    let bundles: Vec<TileId> = (first_bundle..cp.size.div_ceil(256))
        .map(|n| TileId {
            kind: rsm_ledger::TileKind::Entries,
            index: n,
            width: (cp.size - n * 256).min(256) as u16,
        })
        .collect();
    let verdict = std::thread::scope(|scope| -> anyhow::Result<Option<String>> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(TileId, anyhow::Result<Vec<u8>>)>(32);
        let fetcher = agent.clone();
        let tiles_url = &tiles;
        let list = &bundles;
        scope.spawn(move || {
            for tile in list {
                let body = get_ok(&fetcher, &format!("{tiles_url}{}", tile.path()));
                if tx.send((*tile, body)).is_err() {
                    return;
                }
            }
        });
        let mut group: Vec<(TileId, Vec<u8>)> = Vec::new();
        let mut received = 0;
        for (tile, body) in rx.iter() {
            received += 1;
            group.push((tile, body?));
            let entries_in_group: usize = group.iter().map(|(t, _)| usize::from(t.width)).sum();
            if entries_in_group < AUDIT_GROUP && received < bundles.len() {
                continue;
            }
            let mut batch: Vec<(u64, &[u8])> = Vec::with_capacity(entries_in_group);
            for (tile, body) in &group {
                let entries = match decode_entry_bundle(body) {
                    Ok(e) => e,
                    Err(e) => return Ok(Some(format!("entry bundle {}: {e}", tile.path()))),
                };
                if entries.len() != usize::from(tile.width) {
                    return Ok(Some(format!(
                        "entry bundle {} holds {} entries, expected {}",
                        tile.path(),
                        entries.len(),
                        tile.width
                    )));
                }
                for (i, e) in entries.into_iter().enumerate() {
                    let index = tile.first_entry() + i as u64;
                    if index >= start {
                        batch.push((index, e));
                    } else if auditor.leaf(index) != Some(leaf_hash(e)) {
                        // An entry verified by an earlier run, served again with the bundle
                        // that has grown since: it must not have changed.
                        return Ok(Some(format!(
                            "entry {index} differs from the one this mirror verified before (bundle {})",
                            tile.path()
                        )));
                    }
                }
            }
            findings.extend(auditor.feed_entries(&batch));
            bar.inc(batch.len() as u64);
            group.clear();
        }
        Ok(None)
    })?;
    if let Some(problem) = verdict {
        println!("FINDING: {problem}");
        return Ok(false);
    }
    bar.finish_and_clear();
    // The checkpoint: signature, consistency with everything seen before, root of the entries.
    let proof = match auditor.last_checkpoint() {
        Some((old, _)) if old > 0 && old < cp.size => {
            let v = get_json(
                agent,
                &format!(
                    "{}/api/v1/log/proof/consistency?old={old}&new={}",
                    base(url),
                    cp.size
                ),
            )?;
            let hashes = v["proof"]
                .as_array()
                .context("consistency proof")?
                .iter()
                .map(|h| Hash::from_base64(h.as_str().unwrap_or("")))
                .collect::<Result<Vec<_>, _>>()?;
            Some(hashes)
        }
        _ => None,
    };
    findings.extend(auditor.feed_checkpoint(&note, proof.as_deref()));
    // The stored hashes the server proves from: every hash tile that grew since the last run
    // must hold exactly the hashes of the entries (those of earlier runs were compared then).
    if auditor.size() == cp.size {
        for t in hash_tiles_grown(start, cp.size) {
            let body = get_ok(agent, &format!("{tiles}{}", t.path()))?;
            if let Some(f) = auditor.check_hash_tile(&t, &body) {
                findings.push(f);
                break;
            }
        }
    }
    findings.extend(auditor.finish());
    let tmp = dir.join("audit.state.tmp");
    std::fs::write(&tmp, auditor.save())?;
    std::fs::rename(&tmp, &state_file)?;
    std::fs::write(dir.join("checkpoint"), &note)?;
    if findings.is_empty() {
        println!(
            "OK: {} entries verified ({} new), checkpoint of size {} root {} consistent with every earlier one",
            auditor.size(),
            auditor.size() - start,
            cp.size,
            cp.root.to_base64()
        );
        Ok(true)
    } else {
        for f in &findings {
            println!("FINDING: {f}");
        }
        println!("{} finding(s): the log is NOT sound", findings.len());
        Ok(false)
    }
}

/// After a sound audit: the notification contents, regime versions and timeline, checked
/// against the checkpoint this mirror verified.
fn mirror_notifications(
    agent: &ureq::Agent,
    url: &str,
    dir: &Path,
    token: Option<&str>,
) -> anyhow::Result<()> {
    let note = std::fs::read(dir.join("checkpoint"))?;
    let vkey = std::fs::read_to_string(dir.join("log.vkey"))?;
    let verifier = NoteVerifier::from_vkey(vkey.trim())?;
    let cp = open_checkpoint(&note, verifier.name(), &verifier, &[])
        .context("the mirror's checkpoint")?
        .checkpoint;
    let n = crate::notify::mirror(agent, url, dir, token, cp.size, &cp.root)?;
    println!("notifications mirrored: {n} (contents checked against their commitments)");
    Ok(())
}

/// The secretariat's log key file: where it is, per the configuration.
pub fn key_file_path(config: &crate::config::Config) -> anyhow::Result<PathBuf> {
    if !config.ledger_key_file.is_empty() {
        return Ok(PathBuf::from(&config.ledger_key_file));
    }
    match crate::sqlite_path(&config.database_url) {
        Ok(db) => Ok(PathBuf::from(format!("{}.ledger-key", db.display()))),
        Err(_) => Ok(PathBuf::from("rsm-ledger.key")),
    }
}

/// Reads the secretariat's log key (a Go-compatible note signer key, `PRIVATE+KEY+…`), or
/// creates it (owner-only permissions) on first start.
pub fn load_or_create_log_key(path: &Path, origin: &str) -> anyhow::Result<[u8; 32]> {
    let seed_of = |skey: &str| -> anyhow::Result<[u8; 32]> {
        let signer = rsm_ledger::NoteSigner::from_skey(skey.trim())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if signer.name() != origin {
            bail!(
                "{} is the key of log {:?}, but ledger_origin is {origin:?}",
                path.display(),
                signer.name()
            );
        }
        // PRIVATE+KEY+<name>+<hex id>+<base64>: the name has no '+', the base64 may.
        let b64 = skey.trim().splitn(5, '+').nth(4).unwrap_or("");
        let raw = B64.decode(b64).context("log key: base64")?;
        raw.get(1..33)
            .and_then(|s| s.try_into().ok())
            .context("log key: not an Ed25519 seed")
    };
    match std::fs::read_to_string(path) {
        Ok(text) => seed_of(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = getrandom32()?;
            let signer = rsm_ledger::NoteSigner::from_seed(origin, &seed)
                .map_err(|e| anyhow::anyhow!("log origin {origin:?}: {e}"))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            f.write_all(format!("{}\n", signer.to_skey()).as_bytes())?;
            f.sync_all()?;
            tracing::info!(file = %path.display(), vkey = %signer.verifier().to_vkey(), "created the secretariat's log key");
            Ok(seed)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Starts the log service over `store` with the configured origin and key.
pub async fn start_log(
    config: &crate::config::Config,
    store: &rsm_store::Store,
    clock: std::sync::Arc<dyn rsm_web::clock::Clock>,
) -> anyhow::Result<std::sync::Arc<rsm_web::log::Log>> {
    let path = key_file_path(config)?;
    let seed = load_or_create_log_key(&path, &config.ledger_origin)?;
    let mut lc = rsm_web::log::LogConfig::new(&config.ledger_origin, seed);
    lc.checkpoint_interval =
        std::time::Duration::from_millis(u64::from(config.ledger_checkpoint_ms));
    if !config.ledger_witness_policy.is_empty() {
        let path = &config.ledger_witness_policy;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the witness policy {path}"))?;
        let vkey = rsm_ledger::NoteSigner::from_seed(&config.ledger_origin, &seed)
            .map_err(|e| anyhow::anyhow!("log key: {e}"))?
            .verifier()
            .to_vkey();
        let mut setup = rsm_web::log::WitnessSetup::parse(&text, &vkey)
            .map_err(|e| anyhow::anyhow!("witness policy {path}: {e}"))?;
        if !config.ledger_witness_ca.is_empty() {
            let ca = &config.ledger_witness_ca;
            let pem = std::fs::read(ca).with_context(|| format!("reading {ca}"))?;
            setup.root_certs = rsm_web::witness::pem_certificates(&pem)
                .map_err(|e| anyhow::anyhow!("ledger_witness_ca {ca}: {e}"))?;
        }
        lc.witnesses = Some(setup);
    }
    let log = rsm_web::log::Log::start(store.clone(), clock, lc)
        .await
        .context("starting the notification log")?;
    let linked = rsm_web::notify::relink(store)
        .await
        .context("linking notification entries to their contents")?;
    if linked > 0 {
        tracing::warn!(
            linked,
            "linked notification entries appended before a crash"
        );
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the key's base64 may contain '+', which once cut the seed short.
    #[test]
    fn log_key_file_round_trips_whatever_its_base64() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            let path = dir.path().join(format!("k{i}"));
            let seed = load_or_create_log_key(&path, "rsm.example/log").unwrap();
            assert_eq!(
                load_or_create_log_key(&path, "rsm.example/log").unwrap(),
                seed
            );
            assert!(load_or_create_log_key(&path, "other.example/log").is_err());
        }
    }
}
