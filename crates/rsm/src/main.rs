//! `rsm`: the command line of the regional security mechanism's platform.
//!
//! Glue only: configuration, logging, choosing the backend, and calling the libraries.

mod admin;
mod bench;
mod config;
mod demo;
mod demo_aid;
mod demo_cases;
mod demo_deliberation;
mod demo_documents;
mod demo_energy;
mod demo_kin;
mod demo_notifications;
mod kin;
mod kin_draw;
mod ledger;
mod notify;
mod plan;
mod witness;

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use clap::{Parser, Subcommand};
use rsm_store::Store;
use rsm_web::{AppState, clock::SystemClock};

use crate::config::{Config, redact_url};

#[derive(Debug, Parser)]
#[command(
    name = "rsm",
    version,
    about = "The platform of the Northeast Asia regional security mechanism"
)]
struct Cli {
    /// Configuration file (TOML); `rsm.toml` in the working folder when present.
    #[arg(long, global = true, env = "RSM_CONFIG")]
    config: Option<PathBuf>,
    /// Root certificates (PEM) that `https://` servers are checked against by the party-side
    /// commands (submit, sign, ledger): a private CA. Mozilla's roots when absent.
    #[arg(long, global = true, env = "RSM_CA", value_name = "PEM")]
    ca: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform with the configured database.
    Serve,
    /// Start a demonstration: a fresh SQLite database with the parties, the bodies and one
    /// account per role (passwords printed once), then serve it.
    Demo {
        /// Folder for the demo database; a temporary folder when absent.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts (host operator).
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens (host operator).
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Show or record parties' participation.
    #[command(subcommand)]
    Party(admin::PartyCommand),
    /// Separated families: batch matching and general CSV linkage.
    #[command(subcommand)]
    Kin(kin::KinCommand),
    /// The gas network planner.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Write a consistent copy of the live SQLite database to FILE.
    Backup { file: PathBuf },
    /// Make a party's log signing key pair on this machine (the private key stays here).
    Keygen(ledger::KeygenArgs),
    /// Sign an entry with the party's key on this machine and submit it to the log; saves and
    /// checks the receipt.
    Submit(ledger::SubmitArgs),
    /// Sign a notification (or an acknowledgement) with the party's key on this machine and
    /// submit it with its content; every field the regime refuses is listed.
    Sign(notify::SignArgs),
    /// Recompute the compliance table of a year from a party's mirror alone.
    Compliance(notify::ComplianceArgs),
    /// Run a witness: cosign a log's checkpoints (C2SP tlog-witness), refusing any that is
    /// not consistent with what it cosigned before.
    Witness(witness::WitnessArgs),
    /// Read, audit and check the notification log.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Replace the SQLite database with the backup FILE (refuses a database with data
    /// unless --force).
    Restore {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn load_config(path: Option<&PathBuf>) -> anyhow::Result<Config> {
    let (file, required) = match path {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("rsm.toml"), false),
    };
    Config::load(&file, required, std::env::vars())
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.database_url)
        .await
        .with_context(|| format!("opening {}", redact_url(&config.database_url)))
}

/// Serves until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn serve(
    config: &Config,
    store: Store,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let log = ledger::start_log(config, &store, Arc::new(SystemClock)).await?;
    serve_with_log(config, store, log, on_ready).await
}

/// [`serve`] with a log service already started (the demo seeds it first).
pub async fn serve_with_log(
    config: &Config,
    store: Store,
    log: Arc<rsm_web::log::Log>,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let tls = config.tls()?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, database = %redact_url(&config.database_url), "serving");
    on_ready(&format!("{scheme}://{addr}"));
    let state = AppState::new(store, Arc::new(SystemClock), config.web()).with_log(log);
    // Planner runs a previous process acknowledged but did not finish.
    let resumed = rsm_web::energy::resume(&state).await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming energy planner runs");
    }
    let mailer = match config.smtp()? {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, "sending e-mail notices");
            let mailer = Arc::new(rsm_web::mail::Mailer::new(&smtp)?);
            Some(rsm_web::mail::spawn(
                state.clone(),
                mailer,
                std::time::Duration::from_secs(u64::from(config.mail_poll_secs)),
            ))
        }
        None => None,
    };
    match tls {
        Some(tls) => rsm_web::serve_tls(listener, tls, state, shutdown_signal()).await?,
        None => rsm_web::serve(listener, state, shutdown_signal()).await?,
    }
    if let Some(task) = mailer {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("backup and restore work on SQLite; for PostgreSQL use pg_dump and pg_restore")?;
    Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Engine and party-side commands work on files or a remote server and need no
    // database or server configuration.
    let command = match cli.command {
        Command::Kin(cmd) => return kin::run(cmd),
        Command::Plan(cmd) => return plan::run_command(cmd),
        Command::Keygen(args) => return ledger::keygen(args),
        Command::Submit(args) => return ledger::submit(&ledger::agent(cli.ca.as_deref())?, args),
        Command::Sign(args) => return notify::sign(&ledger::agent(cli.ca.as_deref())?, args),
        Command::Compliance(args) => return notify::compliance(args),
        Command::Witness(args) => return witness::run(args).await,
        Command::Ledger(cmd) => {
            if ledger::run(&ledger::agent(cli.ca.as_deref())?, cmd).await? {
                return Ok(());
            }
            std::process::exit(1);
        }
        other => other,
    };
    let mut config = load_config(cli.config.as_ref())?;
    match command {
        Command::Demo { dir, listen } => {
            config.listen = listen;
            init_logging(&config);
            demo::run(config, dir).await
        }
        command => {
            init_logging(&config);
            match command {
                Command::Serve => {
                    let store = open_store(&config).await?;
                    serve(&config, store, |base| {
                        println!("RSM serving on {base}/ (API under /api/v1)");
                    })
                    .await
                }
                Command::Migrate => {
                    let store = open_store(&config).await?;
                    store.migrate().await?;
                    println!(
                        "database is up to date: {}",
                        redact_url(&config.database_url)
                    );
                    Ok(())
                }
                Command::User(cmd) => admin::user(&open_store(&config).await?, cmd).await,
                Command::Token(cmd) => admin::token(&open_store(&config).await?, cmd).await,
                Command::Party(cmd) => admin::party(&open_store(&config).await?, cmd).await,
                Command::Backup { file } => {
                    let store = open_store(&config).await?;
                    rsm_store::backup_sqlite(&store, &file).await?;
                    println!("backup written to {}", file.display());
                    Ok(())
                }
                Command::Restore { file, force } => {
                    let target = sqlite_path(&config.database_url)?;
                    rsm_store::restore_sqlite(&file, &target, force).await?;
                    println!("restored {} into {}", file.display(), target.display());
                    Ok(())
                }
                Command::Demo { .. }
                | Command::Kin(_)
                | Command::Plan(_)
                | Command::Keygen(_)
                | Command::Submit(_)
                | Command::Sign(_)
                | Command::Compliance(_)
                | Command::Witness(_)
                | Command::Ledger(_) => unreachable!("handled above"),
            }
        }
    }
}
