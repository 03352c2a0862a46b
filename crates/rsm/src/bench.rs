//! `rsm ledger bench`: the log's figures on this machine, with the machine's own limits
//! (SHA-256 and Ed25519) measured in the same run. Not a test: it prints numbers.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use ed25519_dalek::{Signer, SigningKey, Verifier};
use rsm_ledger::{
    Anchor, AuditConfig, Auditor, EntryBody, EntryType, Hash, NoteVerifier, Party, SignatureCheck,
    commit_public, leaf_hash,
};
use rsm_store::{Attribution, LedgerStore, Store};
use rsm_web::{
    clock::{Clock, SystemClock},
    log::{Log, LogConfig},
};

/// A deterministic generator for sample indices (no RNG needed for a benchmark).
fn lcg(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *x >> 11
}

fn rate(n: u64, d: Duration) -> String {
    format!("{:.0}/s", n as f64 / d.as_secs_f64())
}

pub async fn run(entries: u64, in_flight: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let (dir, _tmp) = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("rsm-bench-").tempdir()?;
            (t.path().to_owned(), Some(t))
        }
    };
    let db = dir.join("bench.db");
    let store = Store::open(&format!("sqlite://{}", db.display())).await?;
    anyhow::ensure!(
        store.log_size().await? == 0,
        "{} is not empty",
        db.display()
    );
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let log = Log::start(
        store.clone(),
        clock.clone(),
        LogConfig::new("bench.example/log", seed),
    )
    .await
    .context("starting the log")?;
    let who = Attribution::host_cli(clock.now());

    // 16 parties (two-letter codes), each registering a key; their entries are pre-signed
    // (signing happens on the parties' machines, not on the server).
    let parties: Vec<(Party, SigningKey)> = (0..16u8)
        .map(|i| {
            let code = format!("{}{}", (b'A' + i) as char, 'Z');
            let mut k = [0u8; 32];
            k[0] = i;
            k[1] = 0xb7;
            (Party::new(&code).expect("code"), SigningKey::from_bytes(&k))
        })
        .collect();
    for (p, k) in &parties {
        let head = log.head();
        let pk = k.verifying_key().to_bytes().to_vec();
        let env = EntryBody {
            party: p.clone(),
            seq: 0,
            prev: Hash::ZERO,
            entry_type: EntryType::new("key.register")?,
            commitment: commit_public(&pk),
            anchor: Anchor {
                size: head.size,
                root: head.root,
            },
            data: pk,
        }
        .sign(k)?;
        log.submit(env.encode()?, who.clone()).await?;
    }
    let head = log.head();
    let anchor = Anchor {
        size: head.size,
        root: head.root,
    };
    let t = Instant::now();
    let per = entries.div_ceil(parties.len() as u64);
    let mut streams: Vec<Vec<Vec<u8>>> = Vec::new();
    for (p, k) in &parties {
        let mut prev = log.party_head(p).1;
        let mut v = Vec::with_capacity(per as usize);
        for seq in 1..=per {
            let content = format!("{p} notification {seq}");
            let bytes = EntryBody {
                party: p.clone(),
                seq,
                prev,
                entry_type: EntryType::new("record.bench")?,
                commitment: commit_public(content.as_bytes()),
                anchor,
                data: content.into_bytes(),
            }
            .sign(k)?
            .encode()?;
            prev = leaf_hash(&bytes);
            v.push(bytes);
        }
        streams.push(v);
    }
    let total = per * parties.len() as u64;
    println!(
        "pre-signed {total} envelopes in {:.1?} (party side, not timed)",
        t.elapsed()
    );

    // Durable appends: every party pipelines its chain; the writer batches whatever is
    // pending into one transaction and answers each submission after the commit.
    let sem = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for stream in streams {
        let (log, sem, who) = (log.clone(), sem.clone(), who.clone());
        tasks.spawn(async move {
            let mut pending = tokio::task::JoinSet::new();
            for bytes in stream {
                let permit = sem.clone().acquire_owned().await.expect("semaphore");
                let ack = log.enqueue(bytes, who.clone()).await?;
                pending.spawn(async move {
                    let r = ack.await;
                    drop(permit);
                    r
                });
            }
            let mut n = 0u64;
            while let Some(r) = pending.join_next().await {
                r.expect("join")?;
                n += 1;
            }
            Ok::<u64, rsm_web::log::SubmitError>(n)
        });
    }
    let mut appended = 0;
    while let Some(r) = tasks.join_next().await {
        appended += r??;
    }
    let d = t.elapsed();
    println!(
        "durable signed appends: {appended} in {d:.2?} = {} (SQLite WAL, synchronous=FULL, group commit, {in_flight} in flight)",
        rate(appended, d)
    );

    // Inclusion proofs from the store at the final size.
    let size = log.head().size;
    let mut x = 7u64;
    let mut lat = Vec::new();
    for _ in 0..2000 {
        let i = lcg(&mut x) % size;
        let t = Instant::now();
        let p = log.inclusion_proof(i, size).await?;
        lat.push(t.elapsed());
        std::hint::black_box(p);
    }
    lat.sort();
    println!(
        "inclusion proof from the store at {size} entries: p50 {:.1?}, p99 {:.1?} (2000 random indices)",
        lat[lat.len() / 2],
        lat[lat.len() * 99 / 100]
    );

    // Audit: replay every entry from the store with full signature verification, in
    // ed25519-dalek batches (the default) and strictly one by one.
    let mut pins = std::collections::BTreeMap::new();
    pins.insert(
        Party::secretariat(),
        SigningKey::from_bytes(&seed).verifying_key(),
    );
    let cfg = AuditConfig {
        origin: "bench.example/log".into(),
        log_key: NoteVerifier::from_vkey(log.vkey())?,
        pins,
        max_anchor_lag: None,
        policy: None,
    };
    for mode in [SignatureCheck::Batch, SignatureCheck::Strict] {
        let (d, findings, root) = audit_store(&store, size, cfg.clone(), mode).await?;
        println!(
            "audit (read from store, parse, hash, chains, keys, Ed25519 {}): {size} entries in {d:.2?} = {}, {findings} findings",
            match mode {
                SignatureCheck::Batch => "batches",
                SignatureCheck::Strict => "verify_strict one by one",
            },
            rate(size, d)
        );
        anyhow::ensure!(root == log.head().root, "audit root differs");
    }
    machine_limits();
    store.close().await;
    Ok(())
}

/// Replays the whole log from the store through an [`Auditor`] checking signatures by
/// `mode`; the next chunk is read while the current one is checked. Returns the time taken,
/// the number of findings and the root replayed.
async fn audit_store(
    store: &Store,
    size: u64,
    cfg: AuditConfig,
    mode: SignatureCheck,
) -> anyhow::Result<(Duration, usize, Hash)> {
    let mut a = Auditor::new(cfg);
    a.set_signature_check(mode);
    let t = Instant::now();
    let mut findings = 0;
    let read = |from: u64| {
        let store = store.clone();
        tokio::spawn(async move {
            let end = (from + 20_000).min(size);
            store.log_entries(from, end).await.map(|es| (end, es))
        })
    };
    let mut next = (size > 0).then(|| read(0));
    while let Some(pending) = next.take() {
        let (end, es) = pending.await??;
        if end < size {
            next = Some(read(end));
        }
        let (back, n) = tokio::task::spawn_blocking(move || {
            let batch: Vec<(u64, &[u8])> =
                es.iter().map(|e| (e.index, e.bytes.as_slice())).collect();
            let n = a.feed_entries(&batch).len();
            (a, n)
        })
        .await?;
        a = back;
        findings += n;
    }
    Ok((t.elapsed(), findings, a.root()))
}

/// The machine's own limits, printed beside the log's figures: SHA-256 on one core, Ed25519
/// signing and verification (RFC 8032 `verify` and `verify_strict`) on one core and on every
/// core, and ed25519-dalek batch verification of 220-byte entries on every core.
fn machine_limits() {
    use rayon::prelude::*;
    let buf = vec![0x5au8; 1 << 20];
    let t = Instant::now();
    for _ in 0..64 {
        std::hint::black_box(rsm_ledger::sha256(&buf));
    }
    let d = t.elapsed();
    println!("machine: SHA-256 {:.0} MB/s", 64.0 / d.as_secs_f64());
    let k = SigningKey::from_bytes(&[3; 32]);
    let msg = [7u8; 220];
    let sig = k.sign(&msg);
    let vk = k.verifying_key();
    let t = Instant::now();
    for _ in 0..5000 {
        vk.verify(&msg, &sig).expect("verifies");
    }
    println!(
        "machine: Ed25519 verify (one core) {}",
        rate(5000, t.elapsed())
    );
    let t = Instant::now();
    for _ in 0..5000 {
        vk.verify_strict(&msg, &sig).expect("verifies");
    }
    println!(
        "machine: Ed25519 verify_strict (one core) {}",
        rate(5000, t.elapsed())
    );
    let cores = rayon::current_num_threads();
    let t = Instant::now();
    (0..20_000).into_par_iter().for_each(|_| {
        vk.verify_strict(&msg, &sig).expect("verifies");
    });
    println!(
        "machine: Ed25519 verify_strict ({cores} threads) {}",
        rate(20_000, t.elapsed())
    );
    // 16 keys, as in the log above; the signed message is "rsm-entry/v1\n" + 156 bytes.
    let keys: Vec<SigningKey> = (0..16u8)
        .map(|i| SigningKey::from_bytes(&[i + 1; 32]))
        .collect();
    let vks: Vec<_> = keys.iter().map(SigningKey::verifying_key).collect();
    let entries: Vec<Vec<u8>> = (0..20_000usize)
        .map(|i| {
            let mut body = vec![0u8; 156];
            body[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let mut m = rsm_ledger::envelope::ENTRY_SIGNING_DOMAIN.to_vec();
            m.extend_from_slice(&body);
            body.extend_from_slice(&keys[i % 16].sign(&m).to_bytes());
            body
        })
        .collect();
    let signed: Vec<rsm_ledger::sigcheck::SignedEntry<'_>> = entries
        .iter()
        .enumerate()
        .map(|(i, b)| rsm_ledger::sigcheck::SignedEntry {
            key: &vks[i % 16],
            bytes: b,
        })
        .collect();
    let t = Instant::now();
    let bad = rsm_ledger::sigcheck::failing(&signed, SignatureCheck::Batch);
    assert!(bad.is_empty());
    println!(
        "machine: Ed25519 batch verification ({cores} threads, 16 keys) {}",
        rate(20_000, t.elapsed())
    );
    let t = Instant::now();
    for _ in 0..5000 {
        std::hint::black_box(k.sign(&msg));
    }
    println!(
        "machine: Ed25519 sign (one core) {}",
        rate(5000, t.elapsed())
    );
}

/// `rsm ledger bench --http`: the same durable appends, but through the HTTP API as parties
/// would send them: each delegation (KR, JP, US) posts its pre-signed chain in batches of
/// `batch` envelopes (`POST /api/v1/log/entries/batch`, length-prefixed bytes), one batch in
/// flight per party, answered once every entry of the batch is committed.
pub async fn run_http(entries: u64, batch: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let (dir, _tmp) = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("rsm-bench-").tempdir()?;
            (t.path().to_owned(), Some(t))
        }
    };
    let db = dir.join("bench.db");
    let store = Store::open(&format!("sqlite://{}", db.display())).await?;
    anyhow::ensure!(
        store.log_size().await? == 0,
        "{} is not empty",
        db.display()
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let who = Attribution::host_cli(clock.now());
    crate::demo::seed(&store, &who).await?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("{e}"))?;
    let log = Log::start(
        store.clone(),
        clock.clone(),
        LogConfig::new("bench.example/log", seed),
    )
    .await
    .context("starting the log")?;
    let parties = ["KR", "JP", "US"];
    let mut clients = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        use rsm_store::AccountStore as _;
        let user = format!("{}.delegate", p.to_ascii_lowercase());
        let account = store
            .account_by_username(&user)
            .await?
            .with_context(|| format!("demo account {user}"))?;
        let secret = format!("bench-token-{p}");
        store
            .create_token(
                account.id,
                "bench",
                &rsm_web::auth::secret_digest(&secret),
                rsm_store::TokenScope::Write,
                None,
                &who,
            )
            .await?;
        let mut k = [0u8; 32];
        k[0] = i as u8;
        k[1] = 0x5e;
        let key = SigningKey::from_bytes(&k);
        let party = Party::new(p)?;
        let head = log.head();
        let pk = key.verifying_key().to_bytes().to_vec();
        let env = EntryBody {
            party: party.clone(),
            seq: 0,
            prev: Hash::ZERO,
            entry_type: EntryType::new("key.register")?,
            commitment: commit_public(&pk),
            anchor: Anchor {
                size: head.size,
                root: head.root,
            },
            data: pk,
        }
        .sign(&key)?;
        log.submit(env.encode()?, who.clone()).await?;
        clients.push((party, key, secret));
    }
    let head = log.head();
    let anchor = Anchor {
        size: head.size,
        root: head.root,
    };
    let per = entries.div_ceil(parties.len() as u64);
    let mut streams = Vec::new();
    for (party, key, secret) in &clients {
        let mut prev = log.party_head(party).1;
        let mut bodies: Vec<Vec<u8>> = Vec::new();
        let mut current = Vec::new();
        let mut n = 0;
        for seq in 1..=per {
            let content = format!("{party} notification {seq}");
            let bytes = EntryBody {
                party: party.clone(),
                seq,
                prev,
                entry_type: EntryType::new("record.bench")?,
                commitment: commit_public(content.as_bytes()),
                anchor,
                data: content.into_bytes(),
            }
            .sign(key)?
            .encode()?;
            prev = leaf_hash(&bytes);
            current.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            current.extend_from_slice(&bytes);
            n += 1;
            if n == batch {
                bodies.push(std::mem::take(&mut current));
                n = 0;
            }
        }
        if !current.is_empty() {
            bodies.push(current);
        }
        streams.push((secret.clone(), bodies));
    }
    let total = per * parties.len() as u64;
    println!(
        "pre-signed {total} envelopes for {} parties in batches of {batch} (party side, not timed)",
        parties.len()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = rsm_web::AppState::new(
        store.clone(),
        clock.clone(),
        rsm_web::WebConfig {
            secure_cookies: false,
            ..rsm_web::WebConfig::default()
        },
    )
    .with_log(log.clone());
    tokio::spawn(rsm_web::serve(listener, state, std::future::pending()));
    let url = format!("http://{addr}/api/v1/log/entries/batch");
    let t = Instant::now();
    let handles: Vec<_> = streams
        .into_iter()
        .map(|(secret, bodies)| {
            let url = url.clone();
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut accepted = 0;
                for body in bodies {
                    let mut r = agent
                        .post(&url)
                        .header("Authorization", &format!("Bearer {secret}"))
                        .header("Content-Type", "application/octet-stream")
                        .send(&body[..])?;
                    let text = r
                        .body_mut()
                        .with_config()
                        .limit(16 << 20)
                        .read_to_string()?;
                    anyhow::ensure!(r.status().as_u16() == 200, "batch refused: {text}");
                    let v: serde_json::Value = serde_json::from_str(&text)?;
                    anyhow::ensure!(v["refused"] == 0, "entries refused: {text}");
                    accepted += v["accepted"].as_u64().unwrap_or(0);
                }
                Ok(accepted)
            })
        })
        .collect();
    let mut appended = 0;
    for h in handles {
        appended += h.join().map_err(|_| anyhow::anyhow!("client panicked"))??;
    }
    let d = t.elapsed();
    println!(
        "durable signed appends through HTTP: {appended} in {d:.2?} = {} ({} parties, batches of {batch}, one in flight per party; SQLite WAL, synchronous=FULL)",
        rate(appended, d),
        parties.len()
    );
    anyhow::ensure!(
        log.head().size == total + parties.len() as u64 + 1,
        "log size after the run is {}, expected {}",
        log.head().size,
        total + parties.len() as u64 + 1
    );

    // A party's mirror audits it all through the tiles, as `rsm ledger audit URL` does:
    // entry bundles fetched on a second thread, signatures in ed25519-dalek batches, every
    // hash tile compared.
    let size = log.head().size;
    for _ in 0..600 {
        if log.published().is_some_and(|p| p.size >= size) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let base = format!("http://{addr}");
    let mirror = dir.join("mirror");
    let t = Instant::now();
    let ok = tokio::task::spawn_blocking(move || {
        let options = crate::ledger::AuditOptions {
            vkey: None,
            pins: &[],
            policy_file: None,
            quiet: true,
            signatures: SignatureCheck::Batch,
        };
        crate::ledger::audit(&crate::ledger::agent(None)?, &base, &mirror, &options)
    })
    .await??;
    let d = t.elapsed();
    anyhow::ensure!(ok, "the audit over HTTP found problems");
    println!(
        "rsm ledger audit over HTTP (tiles, same two cores as the server): {size} entries in {d:.2?} = {}",
        rate(size, d)
    );
    machine_limits();
    store.close().await;
    Ok(())
}

/// `rsm ledger bench --proofs N`: inclusion-proof latency from the store at N entries. The
/// tree's stored hashes for N synthetic leaves are written straight into a fresh database's
/// `log_hashes` table (building N signed entries through the log would take hours here);
/// proofs are then read exactly as the server reads them (`Store::log_hashes` for the proof
/// plan, then assembled) and checked against the root.
pub async fn run_proofs(n: u64, samples: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    use rsm_ledger::{Frontier, inclusion_plan, verify_inclusion};
    anyhow::ensure!(n > 0, "--proofs needs at least one entry");
    let (dir, _tmp) = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("rsm-bench-").tempdir()?;
            (t.path().to_owned(), Some(t))
        }
    };
    let db = dir.join("proofs.db");
    let url = format!("sqlite://{}", db.display());
    let root = if db.exists() {
        // A tree written by an earlier run: reuse it (the write takes minutes at 10M).
        let store = Store::open(&url).await?;
        let ids = Frontier::ids(n);
        let frontier = Frontier::from_hashes(
            n,
            store
                .log_hashes(&ids)
                .await
                .with_context(|| format!("{} does not hold a tree of {n} leaves", db.display()))?,
        )?;
        store.close().await;
        println!("reusing the {n}-leaf tree in {}", db.display());
        frontier.root()
    } else {
        write_tree(&url, n).await?
    };
    let store = Store::open(&url).await?;
    let mut x = 11u64;
    let mut lat = Vec::with_capacity(samples);
    for k in 0..samples {
        let idx = lcg(&mut x) % n;
        let t = Instant::now();
        let plan = inclusion_plan(idx, n)?;
        let hashes = store.log_hashes(plan.ids()).await?;
        let proof = plan.assemble(&hashes)?;
        lat.push(t.elapsed());
        if k % 97 == 0 {
            let leaf = rsm_ledger::leaf_hash(&idx.to_be_bytes());
            verify_inclusion(&leaf, idx, n, &proof, &root)?;
        }
    }
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    println!(
        "inclusion proof from the store at {n} entries: p50 {:.1?}, p90 {:.1?}, p99 {:.1?}, max {:.1?} ({samples} random indices, proofs checked against the root)",
        pct(50),
        pct(90),
        pct(99),
        lat[lat.len() - 1]
    );
    store.close().await;
    Ok(())
}

/// Writes the stored hashes of an `n`-leaf tree of synthetic leaves into a fresh database;
/// returns its root.
async fn write_tree(url: &str, n: u64) -> anyhow::Result<Hash> {
    use rsm_ledger::Frontier;
    use sqlx::{Connection as _, Executor as _};
    Store::open(url).await?.close().await;

    let bar = indicatif::ProgressBar::new(n).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
        )?
        .progress_chars("=> "),
    );
    bar.set_message("writing tree hashes");
    let t = Instant::now();
    let mut conn = sqlx::SqliteConnection::connect(url).await?;
    conn.execute("PRAGMA synchronous=OFF").await?;
    let mut frontier = Frontier::new();
    let mut i = 0u64;
    while i < n {
        let end = (i + 100_000).min(n);
        let mut tx = conn.begin().await?;
        for j in i..end {
            let leaf = rsm_ledger::leaf_hash(&j.to_be_bytes());
            let out = frontier.append_leaf_hash(leaf);
            for (id, h) in out.nodes {
                sqlx::query("INSERT INTO log_hashes (level, idx, hash) VALUES (?, ?, ?)")
                    .bind(i64::from(id.level))
                    .bind(id.index as i64)
                    .bind(h.0.to_vec())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        bar.set_position(end);
        i = end;
    }
    conn.close().await?;
    bar.finish_and_clear();
    println!(
        "wrote the stored hashes of a {n}-leaf tree in {:.1?}",
        t.elapsed()
    );
    Ok(frontier.root())
}
