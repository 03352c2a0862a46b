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
    crate::serve(&config, store, move |addr| {
        println!();
        println!("RSM demo is running: http://{addr}/");
        println!("  API:      http://{addr}/api/v1/parties");
        println!("  OpenAPI:  http://{addr}/api/v1/openapi.json");
        println!("  database: {}", db.display());
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
