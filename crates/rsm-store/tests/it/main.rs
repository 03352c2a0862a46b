//! Integration tests of rsm-store: one story, run on SQLite and (when
//! `RSM_TEST_POSTGRES_URL` is set, as in CI) on PostgreSQL.

mod aid;
mod cases;
mod deliberation;
mod kin;
mod ledger;
mod mail;
mod notifications;
mod story;

use rsm_store::Store;

/// A fresh SQLite database in a temporary folder, with its URL.
pub async fn sqlite() -> (Store, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rsm.db").display());
    (Store::open(&url).await.unwrap(), url, dir)
}

/// A fresh PostgreSQL database named after the test, when a server is configured.
pub async fn postgres(test: &str) -> Option<(Store, String)> {
    use sqlx::Executor;
    let base = std::env::var("RSM_TEST_POSTGRES_URL").ok()?;
    let name = format!("rsm_test_{test}_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await;
    let (prefix, _) = base.rsplit_once('/').expect("URL has a database path");
    let url = format!("{prefix}/{name}");
    Some((Store::open(&url).await.unwrap(), url))
}

/// Runs raw SQL against the database behind a store, as an attacker with file access would.
pub async fn raw_sql(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let result = pool.execute(sql).await.map(|_| ());
    pool.close().await;
    result
}
