//! The host operator's commands: accounts, tokens and participation, on the database itself.
//!
//! They run with the database's file permissions, as the secretariat's host operator, and
//! every write is audited as `host-cli`. Input rules are the API's own.

use std::{io::Read, sync::Arc};

use anyhow::{Context, bail};
use clap::Subcommand;
use rsm_core::participation::{ParticipationStatus, StatusChange};
use rsm_store::{AccountStore, Attribution, NewAccount, ParticipationStore, Store};
use rsm_web::{
    AppState,
    api::{
        input::{check_language, check_time_zone, parse_date, parse_party},
        people::{check_username, role_from_input},
        tokens::{CreateToken, mint},
    },
    auth::{check_new_password, hash_password, random_token},
    clock::SystemClock,
};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; prints a generated password once unless --password-stdin.
    Add {
        username: String,
        /// secretariat-admin, secretariat-officer, delegate, auditor, focal-point, working-group-member
        #[arg(long)]
        role: String,
        #[arg(long)]
        party: Option<String>,
        /// The working group's body id (working-group-member only).
        #[arg(long)]
        body: Option<String>,
        /// Display name; the user name when absent.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account: its sessions end and its tokens stop working.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account; printed once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// read or write
        #[arg(long, default_value = "read")]
        scope: String,
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
    /// Revoke a token by id.
    Revoke { id: i64 },
    /// List an account's tokens.
    List { username: String },
}

#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Show every party's status on a date (today by default), or record a change.
    Status {
        /// A party code, to show its history or to record a change for it.
        party: Option<String>,
        /// Answer for this date (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
        /// Record a new status: participating, invited, suspended, withdrawn.
        #[arg(long, requires_all = ["party", "effective", "basis"])]
        set: Option<String>,
        /// First day of the new status (today or later).
        #[arg(long)]
        effective: Option<String>,
        /// The decision or act behind it, e.g. MC.DEC/1/27.
        #[arg(long)]
        basis: Option<String>,
    },
}

fn state(store: &Store) -> AppState {
    AppState::new(
        store.clone(),
        Arc::new(SystemClock),
        rsm_web::WebConfig::default(),
    )
}

pub async fn user(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    let st = state(store);
    let who = Attribution::host_cli(st.clock.now());
    match cmd {
        UserCommand::Add {
            username,
            role,
            party,
            body,
            name,
            language,
            time_zone,
            password_stdin,
        } => {
            check_username("username", &username)?;
            check_language("language", &language)?;
            check_time_zone("time_zone", &time_zone)?;
            let role = role_from_input(&st, &role, party.as_deref(), body.as_deref()).await?;
            let (password, generated) = if password_stdin {
                let mut p = String::new();
                std::io::stdin().read_to_string(&mut p)?;
                (p.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (random_token(12), true)
            };
            check_new_password("password", &password)?;
            let account = store
                .create_account(
                    &NewAccount {
                        display_name: name.unwrap_or_else(|| username.clone()),
                        username,
                        role,
                        password_hash: Some(hash_password(password.clone()).await?),
                        language,
                        time_zone,
                    },
                    &who,
                )
                .await?;
            println!(
                "created account {} (id {}) as {}",
                account.username,
                account.id,
                account.role.kind()
            );
            if generated {
                println!("password (shown once): {password}");
            }
        }
        UserCommand::List => {
            println!(
                "id     username                 role                   party  body                     state"
            );
            for a in store.accounts().await? {
                println!(
                    "{:<6} {:<24} {:<22} {:<6} {:<24} {}",
                    a.id,
                    a.username,
                    a.role.kind(),
                    a.role.party().map(|p| p.as_str()).unwrap_or("-"),
                    a.role
                        .body()
                        .map(|b| b.to_string())
                        .unwrap_or_else(|| "-".into()),
                    if a.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Disable { username } => {
            let a = find(store, &username).await?;
            store.set_disabled(a.id, true, &who).await?;
            println!("disabled {username}; its sessions ended and its tokens no longer work");
        }
        UserCommand::Enable { username } => {
            let a = find(store, &username).await?;
            store.set_disabled(a.id, false, &who).await?;
            println!("enabled {username}");
        }
    }
    Ok(())
}

async fn find(store: &Store, username: &str) -> anyhow::Result<rsm_store::Account> {
    store
        .account_by_username(username)
        .await?
        .with_context(|| format!("no account named {username}"))
}

pub async fn token(store: &Store, cmd: TokenCommand) -> anyhow::Result<()> {
    let st = state(store);
    let who = Attribution::host_cli(st.clock.now());
    match cmd {
        TokenCommand::Create {
            username,
            name,
            scope,
            expires_in_days,
        } => {
            let account = find(store, &username).await?;
            let created = mint(
                &st,
                account.id,
                &CreateToken {
                    name,
                    scope,
                    expires_in_days,
                    account_id: None,
                },
                &who,
            )
            .await?;
            println!(
                "token {} ({}) for {username}",
                created.record.id, created.record.scope
            );
            println!("{}", created.token);
            eprintln!("this token is shown once; send it as `Authorization: Bearer <token>`");
        }
        TokenCommand::Revoke { id } => {
            store.revoke_token(id, &who).await?;
            println!("revoked token {id}");
        }
        TokenCommand::List { username } => {
            let account = find(store, &username).await?;
            for t in store.tokens_of(account.id).await? {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, Some(at)) => format!("expires {at}"),
                    (None, None) => "active".into(),
                };
                println!("{:<6} {:<24} {:<6} {state}", t.id, t.name, t.scope.as_str());
            }
        }
    }
    Ok(())
}

pub async fn party(store: &Store, cmd: PartyCommand) -> anyhow::Result<()> {
    let PartyCommand::Status {
        party,
        date,
        set,
        effective,
        basis,
    } = cmd;
    let st = state(store);
    let now = st.clock.now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let date = match date {
        Some(d) => parse_date("--date", &d)?,
        None => today,
    };
    if let Some(status) = set {
        let party = parse_party("party", party.as_deref().unwrap_or_default())?;
        let Some(status) = ParticipationStatus::parse(&status) else {
            bail!("--set must be one of participating, invited, suspended, withdrawn");
        };
        let effective = parse_date("--effective", effective.as_deref().unwrap_or_default())?;
        let change = StatusChange {
            party,
            status,
            effective,
            basis: basis.unwrap_or_default().trim().to_owned(),
            recorded_on: today,
        };
        store
            .record_change(&change, &Attribution::host_cli(now))
            .await?;
        println!("recorded: {party} {status} from {effective}");
        return Ok(());
    }
    let timeline = store.timeline().await?;
    match party {
        Some(code) => {
            let party = parse_party("party", &code)?;
            println!(
                "{party} {} — {} on {date}",
                party.name(),
                timeline.status_on(party, date)
            );
            for c in timeline.history(party) {
                println!(
                    "  {} from {} ({}; recorded {})",
                    c.status, c.effective, c.basis, c.recorded_on
                );
            }
        }
        None => {
            println!("participation on {date}:");
            for p in rsm_core::party::PartyCode::ALL {
                let since = timeline
                    .change_in_force(p, date)
                    .map(|c| format!("since {} ({})", c.effective, c.basis))
                    .unwrap_or_default();
                println!(
                    "  {p}  {:<14} {since}",
                    timeline.status_on(p, date).as_str()
                );
            }
        }
    }
    Ok(())
}
