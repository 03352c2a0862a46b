//! `rsm demo`: a fresh database with the parties, the bodies and one account per role,
//! served on localhost so a newcomer sees RSM alive in one command.

use std::path::PathBuf;

use anyhow::Context;
use rsm_core::{
    access::Role,
    body::{BodyId, default_bodies},
    participation::Timeline,
    party::PartyCode,
};
use rsm_store::{AccountStore, Attribution, BodyStore, NewAccount, ParticipationStore, Store};
use rsm_web::{
    auth::{hash_password, random_token},
    clock::{Clock, SystemClock},
};

use crate::config::Config;

/// The day the demo mechanism was founded.
const FOUNDED: jiff::civil::Date = jiff::civil::date(2026, 1, 1);

/// One demo account: user name, display name, role, language, time zone.
fn demo_accounts() -> Vec<(&'static str, &'static str, Role, &'static str, &'static str)> {
    use PartyCode::*;
    let wg = BodyId::parse("wg-economic").expect("valid id");
    vec![
        (
            "admin",
            "Secretariat Administrator",
            Role::SecretariatAdmin,
            "en",
            "Asia/Seoul",
        ),
        (
            "officer",
            "Secretariat Officer",
            Role::SecretariatOfficer,
            "en",
            "Asia/Seoul",
        ),
        (
            "kr.delegate",
            "Delegate of the Republic of Korea",
            Role::Delegate(KR),
            "ko",
            "Asia/Seoul",
        ),
        (
            "us.delegate",
            "Delegate of the United States",
            Role::Delegate(US),
            "en",
            "America/New_York",
        ),
        (
            "jp.delegate",
            "Delegate of Japan",
            Role::Delegate(JP),
            "ja",
            "Asia/Tokyo",
        ),
        (
            "ru.auditor",
            "Auditor of the Russian Federation",
            Role::Auditor(RU),
            "ru",
            "Europe/Moscow",
        ),
        (
            "kr.redcross",
            "Korean Red Cross focal point",
            Role::FocalPoint(KR),
            "ko",
            "Asia/Seoul",
        ),
        (
            "cn.energy",
            "China, economic working group",
            Role::WorkingGroupMember(CN, wg),
            "zh",
            "Asia/Shanghai",
        ),
    ]
}

/// Seeds an empty store; returns the generated passwords (shown once).
pub async fn seed(
    store: &Store,
    who: &Attribution,
) -> anyhow::Result<Vec<(String, String, String)>> {
    store
        .seed_timeline(&Timeline::founding(FOUNDED, "Founding Declaration"), who)
        .await?;
    for body in default_bodies(FOUNDED.year()) {
        store
            .create_body(&body, "Founding Declaration", who)
            .await?;
    }
    let mut out = Vec::new();
    for (username, display, role, language, tz) in demo_accounts() {
        let password = random_token(12);
        let kind = match role.party() {
            Some(p) => format!("{} {p}", role.kind()),
            None => role.kind().to_owned(),
        };
        store
            .create_account(
                &NewAccount {
                    username: username.into(),
                    display_name: display.into(),
                    role,
                    password_hash: Some(hash_password(password.clone()).await?),
                    language: language.into(),
                    time_zone: tz.into(),
                },
                who,
            )
            .await?;
        out.push((username.to_owned(), kind, password));
    }
    crate::demo_deliberation::seed(store, who).await?;
    crate::demo_aid::seed(store, who).await?;
    crate::demo_energy::seed(store, who).await?;
    out.extend(crate::demo_cases::seed(store, who).await?);
    crate::demo_kin::seed(store, who).await?;
    Ok(out)
}

pub async fn run(mut config: Config, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let (dir, _temp) = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("rsm-demo-").tempdir()?;
            (t.path().to_owned(), Some(t))
        }
    };
    let db = dir.join("rsm.db");
    config.database_url = format!("sqlite://{}", db.display());
    // The demo serves plain HTTP on localhost, where browsers refuse Secure cookies.
    config.secure_cookies = false;
    let store = Store::open(&config.database_url).await?;
    let accounts = if store.is_empty().await? {
        let who = Attribution::host_cli(SystemClock.now());
        Some(seed(&store, &who).await?)
    } else {
        None
    };
    let witnesses = start_demo_witnesses(&mut config, &dir).await?;
    let log = crate::ledger::start_log(&config, &store, std::sync::Arc::new(SystemClock)).await?;
    let keys_dir = dir.join("demo-party-keys");
    seed_log(&log, &keys_dir).await?;
    crate::demo_documents::seed(&store, &log, SystemClock.now()).await?;
    crate::demo_aid::publish_last_year(&store, &log, SystemClock.now()).await?;
    crate::serve_with_log(&config, store, log, move |base| {
        println!();
        println!("RSM demo is running: {base}/");
        println!("  API:      {base}/api/v1/parties");
        println!("  OpenAPI:  {base}/api/v1/openapi.json");
        println!("  database: {}", db.display());
        println!("  log:      {base}/api/v1/log  (tiles under {base}/log/)");
        println!("  audit it: rsm ledger audit {base} --state /tmp/rsm-mirror");
        for (name, url) in &witnesses {
            println!("  witness:  {name} at {url} (checkpoints need both cosignatures)");
        }
        println!("  DEMO party keys (held by the demo operator for convenience; a real server never");
        println!("  sees a party's private key): {}", keys_dir.display());
        match &accounts {
            Some(list) => {
                println!();
                println!("Sign in (POST /api/v1/session) with one of these accounts; passwords are shown once:");
                println!("  {:<14} {:<28} password", "user", "role");
                for (user, role, password) in list {
                    println!("  {user:<14} {role:<28} {password}");
                }
            }
            None => println!("  (existing demo database: use the passwords printed when it was created)"),
        }
        println!();
        println!("Press Ctrl-C to stop.");
    })
    .await
}

/// Seeds the demo's log once: for the five founding parties, DEMO keys generated here and
/// written to `keys_dir` (a real party generates its own with `rsm keygen`), the
/// secretariat's pins of them, the parties' own key registrations, and a few sample
/// notifications, so the log is not empty.
async fn seed_log(log: &rsm_web::log::Log, keys_dir: &std::path::Path) -> anyhow::Result<()> {
    use rsm_ledger::Party;
    if log.party_head(&Party::new("KR")?).2.is_some() {
        return Ok(());
    }
    std::fs::create_dir_all(keys_dir)?;
    std::fs::write(
        keys_dir.join("README.txt"),
        "DEMO ONLY. These are party signing keys generated by `rsm demo` and held by the demo\n\
         operator for convenience, so the demo log has signed entries. In a real deployment each\n\
         party runs `rsm keygen` on its own machine and the server never sees the private key.\n",
    )?;
    // The demo's history starts 90 days ago, so its notifications have a past to be judged in.
    let now = SystemClock.now();
    let who = Attribution::host_cli(now - jiff::SignedDuration::from_hours(24 * 90));
    let mut keys = Vec::new();
    for code in ["CN", "JP", "KR", "RU", "US"] {
        let party = Party::new(code)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        crate::ledger::write_key_file(&keys_dir.join(format!("{code}.key")), &party, &seed)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let pk = key.verifying_key().to_bytes();
        let mut data = code.as_bytes().to_vec();
        data.extend_from_slice(&pk);
        log.append_secretariat(
            "key.pin",
            rsm_ledger::commit_public(&data),
            data,
            Some((code.to_owned(), pk)),
            who.clone(),
        )
        .await?;
        keys.push((party, key));
    }
    for (party, key) in &keys {
        let bytes = crate::ledger::demo_entry(log, key, party, "key.register", b"", b"")?;
        log.submit(bytes, who.clone()).await?;
    }
    crate::demo_notifications::seed(log, &keys, now).await?;
    crate::demo_kin::seed_draw(log, &Attribution::host_cli(now)).await?;
    Ok(())
}

/// Runs two witnesses (as the Korean and Japanese delegations might) inside the demo process
/// and writes a policy that needs both, so every published checkpoint is cosigned. A policy
/// set in the configuration is kept as it is.
async fn start_demo_witnesses(
    config: &mut Config,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<(String, String)>> {
    if !config.ledger_witness_policy.is_empty() {
        return Ok(Vec::new());
    }
    let seed = crate::ledger::load_or_create_log_key(
        &crate::ledger::key_file_path(config)?,
        &config.ledger_origin,
    )?;
    let log_vkey = rsm_ledger::NoteSigner::from_seed(&config.ledger_origin, &seed)
        .map_err(|e| anyhow::anyhow!("log key: {e}"))?
        .verifier()
        .to_vkey();
    let mut policy = format!("# demo witness policy\nlog {log_vkey}\n");
    let mut out = Vec::new();
    for party in ["kr", "jp"] {
        let name = format!("witness.{party}.demo");
        let svc = crate::witness::open_service(
            &dir.join(format!("witness-{party}")),
            &name,
            std::slice::from_ref(&log_vkey),
        )?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        policy += &format!(
            "witness {} {} {url}\n",
            party.to_uppercase(),
            svc.verifier().to_vkey()
        );
        tokio::spawn(rsm_web::witness::serve(
            listener,
            svc,
            std::future::pending(),
        ));
        out.push((name, url));
    }
    policy += "group both all KR JP\nquorum both\n";
    let path = dir.join("witness-policy.txt");
    std::fs::write(&path, policy).with_context(|| format!("writing {}", path.display()))?;
    config.ledger_witness_policy = path.display().to_string();
    Ok(out)
}
