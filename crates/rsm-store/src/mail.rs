//! E-mail notices: each account's address and preference, the outbox of notable events and
//! the queue of messages that the sender task drains.
//!
//! Durability: a notable event (a meeting scheduled or changed, a decision event, an action
//! item assigned) is written to `mail_events` by the store method that records the event,
//! **in the same transaction**; so an acknowledged event always has its notice pending, and
//! no notice exists for an event that was rolled back. The sender task expands each event
//! into messages (one per concerned recipient who may see the body, rendered in the
//! recipient's zone) and marks it expanded in one transaction; sending is retried with
//! backoff and recorded per message. Nothing here decides who may read what: the web layer
//! does, through `rsm_core::access::decide`, before it hands messages to
//! [`MailStore::expand_mail_event`].

use jiff::Timestamp;
use sqlx::{Any, Executor};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros};

/// What an account wants to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailMode {
    /// One message per notable event, as it is recorded.
    Immediate,
    /// One message a day summarising the day's events.
    Digest,
    /// Nothing.
    None,
}

impl MailMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Digest => "digest",
            Self::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Immediate, Self::Digest, Self::None]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// An account's e-mail settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub account_id: i64,
    pub address: String,
    pub mode: MailMode,
    /// The end of the period the last daily digest covered (initially: when the settings
    /// were first saved).
    pub digest_since: Timestamp,
}

/// What kind of event a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailEventKind {
    /// `subject_id` is the meeting.
    MeetingScheduled,
    /// `subject_id` is the meeting.
    MeetingChanged,
    /// `subject_id` is the draft, `seq` the event's number.
    DraftEvent,
    /// `subject_id` is the action item.
    ActionAssigned,
}

impl MailEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MeetingScheduled => "meeting-scheduled",
            Self::MeetingChanged => "meeting-changed",
            Self::DraftEvent => "draft-event",
            Self::ActionAssigned => "action-assigned",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::MeetingScheduled,
            Self::MeetingChanged,
            Self::DraftEvent,
            Self::ActionAssigned,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A notable event recorded for notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailEvent {
    pub id: i64,
    pub kind: MailEventKind,
    pub subject_id: i64,
    pub seq: Option<i64>,
    pub at: Timestamp,
    pub expanded_at: Option<Timestamp>,
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub account_id: i64,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// A queued message and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub event_id: Option<i64>,
    pub mail: NewMail,
    pub created_at: Timestamp,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub abandoned_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// E-mail settings, the event outbox and the message queue.
#[allow(async_fn_in_trait)]
pub trait MailStore {
    async fn mail_settings(&self, account_id: i64) -> Result<Option<MailSettings>, StoreError>;
    async fn all_mail_settings(&self) -> Result<Vec<MailSettings>, StoreError>;
    /// Saves an account's address and mode; the digest period starts now on first save.
    async fn set_mail_settings(
        &self,
        account_id: i64,
        address: &str,
        mode: MailMode,
        who: &Attribution,
    ) -> Result<MailSettings, StoreError>;

    /// Events not yet expanded into messages, oldest first.
    async fn pending_mail_events(&self, limit: i64) -> Result<Vec<MailEvent>, StoreError>;
    /// Events recorded in `(from, to]`, oldest first (for digests).
    async fn mail_events_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MailEvent>, StoreError>;
    /// Queues `mails` for `event` and marks it expanded, in one transaction. Returns false
    /// (and queues nothing) if the event was already expanded.
    async fn expand_mail_event(
        &self,
        event: i64,
        mails: &[NewMail],
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Moves the account's digest period to end at `until` and queues `mail` (if any), in
    /// one transaction; false (nothing queued) if the period had moved since `since`.
    async fn queue_digest(
        &self,
        account_id: i64,
        since: Timestamp,
        until: Timestamp,
        mail: Option<&NewMail>,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Messages due for a delivery attempt at `now`, oldest first.
    async fn due_mail(&self, now: Timestamp, limit: i64) -> Result<Vec<QueuedMail>, StoreError>;
    /// Every queued message, newest first (for the operator and tests).
    async fn queued_mail(&self, limit: i64) -> Result<Vec<QueuedMail>, StoreError>;
    async fn mark_mail_sent(&self, id: i64, at: Timestamp) -> Result<(), StoreError>;
    /// Records a failed attempt: the next attempt at `retry_at`, or abandoned when `None`.
    async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}

/// Records a notable event inside the caller's transaction.
pub(crate) async fn enqueue_event<'e, E>(
    executor: E,
    kind: MailEventKind,
    subject_id: i64,
    seq: Option<i64>,
    at: Timestamp,
) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("INSERT INTO mail_events (kind, subject_id, seq, at) VALUES ($1, $2, $3, $4)")
        .bind(kind.as_str())
        .bind(subject_id)
        .bind(seq)
        .bind(micros(at))
        .execute(executor)
        .await?;
    Ok(())
}

type SettingsRow = (i64, String, String, i64);
type EventRow = (i64, String, i64, Option<i64>, i64, Option<i64>);
type QueuedRow = (
    i64,
    Option<i64>,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const QUEUED_COLUMNS: &str = "id, event_id, account_id, address, subject, body, created_at, \
     attempts, next_attempt_at, sent_at, abandoned_at, last_error";

fn decode_settings(r: SettingsRow) -> Result<MailSettings, StoreError> {
    Ok(MailSettings {
        account_id: r.0,
        address: r.1,
        mode: MailMode::parse(&r.2)
            .ok_or_else(|| StoreError::Corrupt(format!("mail mode {}", r.2)))?,
        digest_since: from_micros(r.3)?,
    })
}

fn decode_event(r: EventRow) -> Result<MailEvent, StoreError> {
    Ok(MailEvent {
        id: r.0,
        kind: MailEventKind::parse(&r.1)
            .ok_or_else(|| StoreError::Corrupt(format!("mail event kind {}", r.1)))?,
        subject_id: r.2,
        seq: r.3,
        at: from_micros(r.4)?,
        expanded_at: r.5.map(from_micros).transpose()?,
    })
}

fn decode_queued(r: QueuedRow) -> Result<QueuedMail, StoreError> {
    Ok(QueuedMail {
        id: r.0,
        event_id: r.1,
        mail: NewMail {
            account_id: r.2,
            address: r.3,
            subject: r.4,
            body: r.5,
        },
        created_at: from_micros(r.6)?,
        attempts: r.7,
        next_attempt_at: from_micros(r.8)?,
        sent_at: r.9.map(from_micros).transpose()?,
        abandoned_at: r.10.map(from_micros).transpose()?,
        last_error: r.11,
    })
}

async fn insert_mail<'e, E>(
    executor: E,
    event: Option<i64>,
    mail: &NewMail,
    at: Timestamp,
) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO mail_outbox (event_id, account_id, address, subject, body, created_at, \
         attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(event)
    .bind(mail.account_id)
    .bind(&mail.address)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(micros(at))
    .bind(micros(at))
    .execute(executor)
    .await?;
    Ok(())
}

impl MailStore for Store {
    async fn mail_settings(&self, account_id: i64) -> Result<Option<MailSettings>, StoreError> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT account_id, address, mode, digest_since FROM mail_settings WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_settings).transpose()
    }

    async fn all_mail_settings(&self) -> Result<Vec<MailSettings>, StoreError> {
        let rows: Vec<SettingsRow> = sqlx::query_as(
            "SELECT account_id, address, mode, digest_since FROM mail_settings ORDER BY account_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_settings).collect()
    }

    async fn set_mail_settings(
        &self,
        account_id: i64,
        address: &str,
        mode: MailMode,
        who: &Attribution,
    ) -> Result<MailSettings, StoreError> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE mail_settings SET address = $1, mode = $2, updated_at = $3 WHERE account_id = $4",
        )
        .bind(address)
        .bind(mode.as_str())
        .bind(micros(who.at))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO mail_settings (account_id, address, mode, digest_since, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(account_id)
            .bind(address)
            .bind(mode.as_str())
            .bind(micros(who.at))
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut *tx,
            who,
            "mail.settings",
            &format!("account:{account_id}"),
            mode.as_str(),
        )
        .await?;
        let row: SettingsRow = sqlx::query_as(
            "SELECT account_id, address, mode, digest_since FROM mail_settings WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        decode_settings(row)
    }

    async fn pending_mail_events(&self, limit: i64) -> Result<Vec<MailEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, kind, subject_id, seq, at, expanded_at FROM mail_events \
             WHERE expanded_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_event).collect()
    }

    async fn mail_events_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MailEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT id, kind, subject_id, seq, at, expanded_at FROM mail_events \
             WHERE at > $1 AND at <= $2 ORDER BY at, id",
        )
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_event).collect()
    }

    async fn expand_mail_event(
        &self,
        event: i64,
        mails: &[NewMail],
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE mail_events SET expanded_at = $1 WHERE id = $2 AND expanded_at IS NULL",
        )
        .bind(micros(at))
        .bind(event)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        for m in mails {
            insert_mail(&mut *tx, Some(event), m, at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn queue_digest(
        &self,
        account_id: i64,
        since: Timestamp,
        until: Timestamp,
        mail: Option<&NewMail>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE mail_settings SET digest_since = $1 WHERE account_id = $2 AND digest_since = $3",
        )
        .bind(micros(until))
        .bind(account_id)
        .bind(micros(since))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(m) = mail {
            insert_mail(&mut *tx, None, m, at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn due_mail(&self, now: Timestamp, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
        let rows: Vec<QueuedRow> = sqlx::query_as(&format!(
            "SELECT {QUEUED_COLUMNS} FROM mail_outbox WHERE sent_at IS NULL \
             AND abandoned_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        ))
        .bind(micros(now))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_queued).collect()
    }

    async fn queued_mail(&self, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
        let rows: Vec<QueuedRow> = sqlx::query_as(&format!(
            "SELECT {QUEUED_COLUMNS} FROM mail_outbox ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_queued).collect()
    }

    async fn mark_mail_sent(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL \
             WHERE id = $2 AND sent_at IS NULL",
        )
        .bind(micros(at))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let q = match retry_at {
            Some(next) => sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, \
                 next_attempt_at = $2 WHERE id = $3 AND sent_at IS NULL",
            )
            .bind(error.to_owned())
            .bind(micros(next))
            .bind(id),
            None => sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, \
                 abandoned_at = $2 WHERE id = $3 AND sent_at IS NULL",
            )
            .bind(error.to_owned())
            .bind(micros(at))
            .bind(id),
        };
        q.execute(self.pool()).await?;
        Ok(())
    }
}
