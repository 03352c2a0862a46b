//! Consistent online backup and restore of a SQLite database.

use std::path::{Path, PathBuf};

use crate::{Backend, Store, StoreError};

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup of PostgreSQL is pg_dump's job: run `pg_dump --format=custom` against the same URL"
    )]
    NotSqlite,
    #[error("{0} already exists: choose a new file for the backup")]
    TargetExists(PathBuf),
    #[error(
        "{0} holds a database with data; restoring would replace it. Stop the server and pass --force to overwrite"
    )]
    LiveDatabase(PathBuf),
    #[error("{0} is not an RSM SQLite backup: {1}")]
    NotABackup(PathBuf, String),
    #[error("I/O on {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes a consistent copy of the live database to `target` with `VACUUM INTO`, which
/// reads one snapshot while writers go on.
pub async fn backup_sqlite(store: &Store, target: &Path) -> Result<(), BackupError> {
    if store.backend() != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_owned()));
    }
    let path = target.to_str().ok_or_else(|| {
        BackupError::Io(
            target.to_owned(),
            std::io::Error::other("path is not UTF-8"),
        )
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

/// Restores `backup` as the database file `database`. Refuses to replace a database that
/// holds data unless `force` is set. The backup is checked first by opening it.
pub async fn restore_sqlite(
    backup: &Path,
    database: &Path,
    force: bool,
) -> Result<(), BackupError> {
    let url = |p: &Path| format!("sqlite://{}?mode=ro", p.display());
    {
        let check = Store::open_read_only(&url(backup))
            .await
            .map_err(|e| BackupError::NotABackup(backup.to_owned(), e.to_string()))?;
        check
            .ping()
            .await
            .map_err(|e| BackupError::NotABackup(backup.to_owned(), e.to_string()))?;
        check.close().await;
    }
    if database.exists() && !force {
        let existing = Store::open_read_only(&url(database)).await;
        let has_data = match existing {
            Ok(s) => {
                let empty = s.is_empty().await.unwrap_or(false);
                s.close().await;
                !empty
            }
            Err(_) => true,
        };
        if has_data {
            return Err(BackupError::LiveDatabase(database.to_owned()));
        }
    }
    let tmp = database.with_extension("restoring");
    std::fs::copy(backup, &tmp).map_err(|e| BackupError::Io(tmp.clone(), e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::Io(tmp.clone(), e))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", database.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(|e| BackupError::Io(side.clone(), e))?;
        }
    }
    std::fs::rename(&tmp, database).map_err(|e| BackupError::Io(database.to_owned(), e))?;
    Ok(())
}

impl Store {
    /// Opens without migrating (for checking files that are not ours to change).
    async fn open_read_only(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?;
        let store = Self {
            pool,
            backend: Backend::Sqlite,
        };
        // A backup must carry our schema.
        sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
            .execute(store.pool())
            .await?;
        Ok(store)
    }
}
