//! The append-only audit trail: who did or read what, when, and from where.

use jiff::Timestamp;
use sqlx::{Any, Executor};

use crate::{Attribution, Store, StoreError, from_micros, micros};

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub account_id: Option<i64>,
    /// What was done, e.g. `account.create`, `body.read`, `participation.set`.
    pub action: String,
    /// What it was done to, e.g. `account:12`, `body:peace-regime-talks`.
    pub target: String,
    pub source: String,
    /// A short human-readable detail (never a secret).
    pub detail: String,
}

/// Which events to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only events with an id below this (for paging).
    pub before_id: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub limit: u32,
}

/// Access to the audit trail. There is deliberately no update or delete.
#[allow(async_fn_in_trait)]
pub trait AuditStore {
    /// Appends one event on its own (e.g. a read of restricted data).
    async fn record_audit(
        &self,
        who: &Attribution,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError>;
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;
}

pub(crate) async fn append<'e, E>(
    executor: E,
    who: &Attribution,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (at, actor, account_id, action, target, source, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(micros(who.at))
    .bind(&who.actor)
    .bind(who.account_id)
    .bind(action)
    .bind(target)
    .bind(&who.source)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}

type AuditRow = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
);

impl AuditStore for Store {
    async fn record_audit(
        &self,
        who: &Attribution,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        append(self.pool(), who, action, target, detail).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = i64::from(filter.limit.clamp(1, 1000));
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at, actor, account_id, action, target, source, detail FROM audit_events \
             WHERE ($1 IS NULL OR id < $1) AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $3) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(filter.before_id)
        .bind(filter.actor.as_deref())
        .bind(filter.action.as_deref())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(id, at, actor, account_id, action, target, source, detail)| {
                    Ok(AuditEvent {
                        id,
                        at: from_micros(at)?,
                        actor,
                        account_id,
                        action,
                        target,
                        source,
                        detail,
                    })
                },
            )
            .collect()
    }
}
