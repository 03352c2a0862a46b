//! Notifications beside the log: contents keyed by their commitment, the link from each
//! notification log entry to its content, and the regime versions adopted after the
//! founding. Append-only: no update or delete here, and the tables' triggers refuse them.
//!
//! The content is stored *before* its entry is appended (idempotently: the same commitment
//! twice is one row), so an acknowledged entry always has its content; the link row is
//! written once the log has committed the entry.

use jiff::Timestamp;

use crate::{Attribution, Store, StoreError, audit, from_micros, micros};

/// A content to keep beside the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContent {
    /// The commitment in the envelope, 64 lower-case hex digits.
    pub commitment: String,
    /// The exact JSON text committed to.
    pub content: String,
    /// The salt of a salted commitment, 64 hex digits.
    pub salt: Option<String>,
    /// The body the content is restricted to, if its distribution is restricted.
    pub restricted_to: Option<String>,
}

/// What a notification entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Original,
    Amends,
    Cancels,
    Ack,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Amends => "amends",
            Self::Cancels => "cancels",
            Self::Ack => "ack",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "original" => Self::Original,
            "amends" => Self::Amends,
            "cancels" => Self::Cancels,
            "ack" => Self::Ack,
            _ => return None,
        })
    }
}

/// The link of a committed log entry to its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotificationEntry {
    pub index: u64,
    pub commitment: String,
    pub party: String,
    /// The regime type id (`ack` for acknowledgements).
    pub type_id: String,
    pub kind: EntryKind,
    /// The entry amended, cancelled or acknowledged.
    pub reference: Option<u64>,
    /// When the log received the entry (as stored with the log entry).
    pub received_at: Timestamp,
}

/// A stored notification entry with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotification {
    pub index: u64,
    pub party: String,
    pub type_id: String,
    pub kind: EntryKind,
    pub reference: Option<u64>,
    pub received_at: Timestamp,
    pub commitment: String,
    pub content: String,
    pub salt: Option<String>,
    pub restricted_to: Option<String>,
}

/// Which notification entries to list (all conditions must hold), oldest first.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub party: Option<String>,
    pub type_id: Option<String>,
    /// Received at or after.
    pub from: Option<Timestamp>,
    /// Received strictly before.
    pub until: Option<Timestamp>,
    /// Only entries referring to this one (its amendments, cancellations, acks).
    pub reference: Option<u64>,
}

/// A regime version adopted after the founding (the default regime is in force from the
/// founding and is not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRegimeVersion {
    pub effective_at: Timestamp,
    /// The act or decision that adopted it.
    pub basis: String,
    /// The regime file (TOML).
    pub text: String,
    /// SHA-256 of the text, hex: the commitment of its `regime.version` log entry.
    pub text_sha256: String,
    pub recorded_at: Timestamp,
}

/// Notification contents, their log links and the regime versions.
#[allow(async_fn_in_trait)]
pub trait NotificationStore {
    /// Stores a content under its commitment; `false` when it was already there (the
    /// same commitment is the same content). Audited when new.
    async fn put_notification_content(
        &self,
        content: &NewContent,
        who: &Attribution,
    ) -> Result<bool, StoreError>;
    /// The content stored under `commitment`.
    async fn notification_content(
        &self,
        commitment: &str,
    ) -> Result<Option<NewContent>, StoreError>;
    /// Links a committed log entry to its (already stored) content.
    async fn link_notification(
        &self,
        entry: &NewNotificationEntry,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    async fn notification(&self, index: u64) -> Result<Option<StoredNotification>, StoreError>;
    async fn notifications(
        &self,
        filter: &NotificationFilter,
    ) -> Result<Vec<StoredNotification>, StoreError>;
    /// Records a regime version (before its `regime.version` log entry is appended).
    async fn add_regime_version(
        &self,
        version: &StoredRegimeVersion,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Every stored regime version, oldest first.
    async fn regime_versions(&self) -> Result<Vec<StoredRegimeVersion>, StoreError>;
}

type NotifRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

const NOTIF_SELECT: &str = "SELECT e.idx, e.party, e.type_id, e.kind, e.ref_idx, e.received_at, \
     e.commitment, c.content, c.salt, c.restricted_to \
     FROM notification_entries e JOIN notification_contents c ON c.commitment = e.commitment";

fn decode(r: NotifRow) -> Result<StoredNotification, StoreError> {
    let (idx, party, type_id, kind, reference, at, commitment, content, salt, restricted_to) = r;
    Ok(StoredNotification {
        index: u64::try_from(idx).map_err(|_| StoreError::Corrupt(format!("index {idx}")))?,
        kind: EntryKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("notification {idx}: kind {kind:?}")))?,
        party,
        type_id,
        reference: reference.and_then(|r| u64::try_from(r).ok()),
        received_at: from_micros(at)?,
        commitment,
        content,
        salt,
        restricted_to,
    })
}

fn idx(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("index {n} out of range")))
}

impl NotificationStore for Store {
    async fn put_notification_content(
        &self,
        c: &NewContent,
        who: &Attribution,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO notification_contents (commitment, content, salt, restricted_to, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (commitment) DO NOTHING",
        )
        .bind(&c.commitment)
        .bind(&c.content)
        .bind(c.salt.clone())
        .bind(c.restricted_to.clone())
        .bind(micros(who.at))
        .execute(&mut *tx)
        .await?;
        let new = done.rows_affected() == 1;
        if new {
            audit::append(
                &mut *tx,
                who,
                "notification.content",
                &format!("commitment:{}", c.commitment),
                if c.salt.is_some() { "salted" } else { "public" },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn notification_content(
        &self,
        commitment: &str,
    ) -> Result<Option<NewContent>, StoreError> {
        let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT commitment, content, salt, restricted_to FROM notification_contents \
             WHERE commitment = $1",
        )
        .bind(commitment)
        .fetch_optional(self.pool())
        .await?;
        Ok(
            row.map(|(commitment, content, salt, restricted_to)| NewContent {
                commitment,
                content,
                salt,
                restricted_to,
            }),
        )
    }

    async fn link_notification(
        &self,
        e: &NewNotificationEntry,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO notification_entries (idx, commitment, party, type_id, kind, ref_idx, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(idx(e.index)?)
        .bind(&e.commitment)
        .bind(&e.party)
        .bind(&e.type_id)
        .bind(e.kind.as_str())
        .bind(e.reference.map(idx).transpose()?)
        .bind(micros(e.received_at))
        .execute(&mut *tx)
        .await
        .map_err(|err| StoreError::conflict_or(err, || format!("notification {}", e.index)))?;
        audit::append(
            &mut *tx,
            who,
            "notification.link",
            &format!("log:{}", e.index),
            &format!("{} {} {}", e.party, e.kind.as_str(), e.type_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn notification(&self, index: u64) -> Result<Option<StoredNotification>, StoreError> {
        let row: Option<NotifRow> = sqlx::query_as(&format!("{NOTIF_SELECT} WHERE e.idx = $1"))
            .bind(idx(index)?)
            .fetch_optional(self.pool())
            .await?;
        row.map(decode).transpose()
    }

    async fn notifications(
        &self,
        f: &NotificationFilter,
    ) -> Result<Vec<StoredNotification>, StoreError> {
        // Conditions are fixed text; values are bound in order.
        let mut conds = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.party.is_some() {
            conds.push(format!("e.party = {}", next()));
        }
        if f.type_id.is_some() {
            conds.push(format!("e.type_id = {}", next()));
        }
        if f.from.is_some() {
            conds.push(format!("e.received_at >= {}", next()));
        }
        if f.until.is_some() {
            conds.push(format!("e.received_at < {}", next()));
        }
        if f.reference.is_some() {
            conds.push(format!("e.ref_idx = {}", next()));
        }
        let sql = if conds.is_empty() {
            format!("{NOTIF_SELECT} ORDER BY e.idx")
        } else {
            format!(
                "{NOTIF_SELECT} WHERE {} ORDER BY e.idx",
                conds.join(" AND ")
            )
        };
        let mut q = sqlx::query_as::<_, NotifRow>(&sql);
        if let Some(p) = &f.party {
            q = q.bind(p.clone());
        }
        if let Some(t) = &f.type_id {
            q = q.bind(t.clone());
        }
        if let Some(t) = f.from {
            q = q.bind(micros(t));
        }
        if let Some(t) = f.until {
            q = q.bind(micros(t));
        }
        if let Some(r) = f.reference {
            q = q.bind(idx(r)?);
        }
        q.fetch_all(self.pool())
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }

    async fn add_regime_version(
        &self,
        v: &StoredRegimeVersion,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO regime_versions (effective_at, basis, text, text_sha256, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(micros(v.effective_at))
        .bind(&v.basis)
        .bind(&v.text)
        .bind(&v.text_sha256)
        .bind(micros(v.recorded_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_or(e, || {
                format!("a regime version effective {}", v.effective_at)
            })
        })?;
        audit::append(
            &mut *tx,
            who,
            "regime.version",
            &format!("regime:{}", v.text_sha256),
            &format!("effective {} by {}", v.effective_at, v.basis),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn regime_versions(&self) -> Result<Vec<StoredRegimeVersion>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT effective_at, basis, text, text_sha256, recorded_at FROM regime_versions \
             ORDER BY effective_at",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(at, basis, text, text_sha256, rec)| {
                Ok(StoredRegimeVersion {
                    effective_at: from_micros(at)?,
                    basis,
                    text,
                    text_sha256,
                    recorded_at: from_micros(rec)?,
                })
            })
            .collect()
    }
}
