//! Storage for RSM: one trait per aggregate, implemented over SQLite (default) or PostgreSQL.
//!
//! The backend is chosen by the database URL (`sqlite:` or `postgres://`). Each backend owns
//! its migrations (`migrations/sqlite`, `migrations/postgres`), applied on [`Store::open`].
//! Every write takes an [`Attribution`] and appends its audit event in the same
//! transaction, so no write exists without its audit record.

mod accounts;
mod aid;
mod audit;
mod backup;
mod bodies;
mod cases;
mod deliberation;
mod energy;
mod kin;
mod ledger;
mod mail;
mod notifications;
mod participation;

use std::{str::FromStr, time::Duration};

use jiff::Timestamp;
use sqlx::{
    AnyPool, Executor,
    any::{AnyPoolOptions, install_default_drivers},
};

pub use accounts::{Account, AccountStore, ApiToken, NewAccount, Session, TokenScope};
pub use aid::{AidFilter, AidReversal, AidStore, PublishedReport, StoredFlow};
pub use audit::{AuditEvent, AuditFilter, AuditStore};
pub use backup::{BackupError, backup_sqlite, restore_sqlite};
pub use bodies::{BodyRevision, BodyStore};
pub use cases::{CaseEvent, CaseFile, CaseStore, NewCase, StoredCase};
pub use deliberation::{
    Adoption, DeliberationStore, DistributionKind, ItemStatus, NewItem, NewMeeting, Slot,
    StoredAction, StoredDocument, StoredDraft, StoredIntervention, StoredItem, StoredMeeting,
    StoredVersion,
};
pub use energy::{
    AttachTarget, EnergyStore, RunOutcome, RunStatus, StoredAttachment, StoredNetwork,
    StoredPlanInput, StoredRun, StoredScenario,
};
pub use kin::{
    CandidateFilter, DECISIONS, KinCandidate, KinCounts, KinDecision, KinDraw, KinExport,
    KinImport, KinKind, KinRecord, KinReply, KinRun, KinStore, NewKinCandidate, NewKinDraw,
    NewKinImport, REPLIES,
};
pub use ledger::{LedgerStore, NewLogEntry, StoredCheckpoint, StoredLogEntry};
pub use mail::{MailEvent, MailEventKind, MailMode, MailSettings, MailStore, NewMail, QueuedMail};
pub use notifications::{
    EntryKind, NewContent, NewNotificationEntry, NotificationFilter, NotificationStore,
    StoredNotification, StoredRegimeVersion,
};
pub use participation::ParticipationStore;

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::BadUrl)
        }
    }
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite: or postgres://")]
    BadUrl,
    #[error("{0} already exists")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Participation(#[from] rsm_core::participation::ParticipationError),
    #[error(transparent)]
    Body(#[from] rsm_core::body::BodyError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `what`.
    fn conflict_or(err: sqlx::Error, what: impl FnOnce() -> String) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict(what()),
            _ => Self::Database(err),
        }
    }
}

/// Who made a write, from where and when; becomes the write's audit event.
#[derive(Debug, Clone)]
pub struct Attribution {
    /// The acting username, or `host-cli` for the host operator's command line.
    pub actor: String,
    pub account_id: Option<i64>,
    /// Where the request came from: a peer address, or `cli`.
    pub source: String,
    pub at: Timestamp,
}

impl Attribution {
    /// The host operator, acting through the `rsm` command line on the database itself.
    pub fn host_cli(at: Timestamp) -> Self {
        Self {
            actor: "host-cli".into(),
            account_id: None,
            source: "cli".into(),
            at,
        }
    }
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects and applies the backend's pending migrations.
    ///
    /// SQLite files are created when missing, run in WAL mode with `synchronous=FULL`, so
    /// a committed (acknowledged) write survives a crash of the process or the machine.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations (done by [`Store::open`]; idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers whether the database responds (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database holds any data yet (used before seeding and restoring).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM participation_changes")
            .fetch_one(&self.pool)
            .await?;
        let (m,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0 && m == 0)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that holds SQLite's write lock from its start: `lock` is a no-op write
    /// (an `UPDATE` that matches no row, so per-row triggers do not fire) run first. A
    /// transaction that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT if
    /// another connection, such as the log writer, committed in between; its first write
    /// instead waits under `busy_timeout`. PostgreSQL takes the no-op write in its stride.
    pub(crate) async fn begin_write(
        &self,
        lock: &'static str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(lock).execute(&mut *tx).await?;
        Ok(tx)
    }
}

pub(crate) fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn from_micros(us: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("instant {us}: {e}")))
}

pub(crate) fn parse_date(s: &str) -> Result<jiff::civil::Date, StoreError> {
    jiff::civil::Date::from_str(s).map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

pub(crate) fn parse_party(s: &str) -> Result<rsm_core::party::PartyCode, StoreError> {
    s.parse()
        .map_err(|e: rsm_core::party::UnknownParty| StoreError::Corrupt(e.to_string()))
}
