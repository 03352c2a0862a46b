//! The notification log's storage: entries, stored Merkle hashes, signed checkpoints and key
//! pins. Append-only: there is no update or delete here, and the tables' triggers refuse them.
//!
//! An append writes a batch of entries, their hashes and their audit events in one
//! transaction (group commit); the caller acknowledges the submissions only after it returns.

use jiff::Timestamp;
use rsm_ledger::{Hash, NodeId};
use sqlx::{Any, Executor, Row};

use crate::{Attribution, Store, StoreError, from_micros, micros};

/// Rows per multi-row INSERT statement (well below both backends' parameter limits).
const CHUNK: usize = 200;

/// One entry to append, with the stored hashes its append produced.
#[derive(Debug, Clone)]
pub struct NewLogEntry {
    pub index: u64,
    /// `XX` or `SEC`.
    pub party: String,
    pub seq: u64,
    pub entry_type: String,
    pub leaf_hash: Hash,
    /// The envelope, byte for byte as submitted.
    pub bytes: Vec<u8>,
    /// `(level, index) -> hash` from `Frontier::append`.
    pub nodes: Vec<(NodeId, Hash)>,
    pub who: Attribution,
    /// A key pin recorded with this (secretariat) entry, atomically.
    pub pin: Option<(String, [u8; 32])>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogEntry {
    pub index: u64,
    pub party: String,
    pub seq: u64,
    pub entry_type: String,
    pub leaf_hash: Hash,
    pub bytes: Vec<u8>,
    pub received_at: Timestamp,
}

/// A signed checkpoint as published (note text with every signature line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    pub note: String,
    pub signed_at: Timestamp,
}

/// The log's storage. Deliberately without update or delete.
#[allow(async_fn_in_trait)]
pub trait LedgerStore {
    /// Number of stored entries.
    async fn log_size(&self) -> Result<u64, StoreError>;
    /// Appends `entries` (contiguous, starting at the current size) with their hashes, pins
    /// and audit events in one transaction. Returns once committed (durable).
    async fn append_log_entries(&self, entries: &[NewLogEntry]) -> Result<(), StoreError>;
    /// The stored hashes `ids`, in the same order; a missing one is [`StoreError::NotFound`].
    async fn log_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError>;
    /// The stored hashes of `level` with index in `[start, end)`, in order.
    async fn log_hash_range(
        &self,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<Hash>, StoreError>;
    /// Entries with index in `[start, end)`, in order.
    async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<StoredLogEntry>, StoreError>;
    async fn log_entry(&self, index: u64) -> Result<Option<StoredLogEntry>, StoreError>;
    /// Stores a signed checkpoint (one per size; a second one for the same size conflicts).
    async fn record_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    async fn checkpoint_of_size(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// The first (smallest) published checkpoint whose tree includes entry `index`.
    async fn first_checkpoint_covering(
        &self,
        index: u64,
    ) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Every key pin: (party, Ed25519 public key).
    async fn log_key_pins(&self) -> Result<Vec<(String, [u8; 32])>, StoreError>;
}

fn to_i64(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} out of range")))
}

fn to_u64(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} is negative")))
}

fn to_hash(b: &[u8], what: &str) -> Result<Hash, StoreError> {
    Hash::from_slice(b).map_err(|_| StoreError::Corrupt(format!("{what}: not a 32-byte hash")))
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` columns.
fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

async fn insert_entries<'e, E>(executor: E, chunk: &[NewLogEntry]) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!(
        "INSERT INTO log_entries (idx, party, seq, entry_type, leaf_hash, bytes, received_at) VALUES {}",
        placeholders(chunk.len(), 7)
    );
    let mut q = sqlx::query(&sql);
    for e in chunk {
        q = q
            .bind(to_i64(e.index, "index")?)
            .bind(e.party.as_str())
            .bind(to_i64(e.seq, "seq")?)
            .bind(e.entry_type.as_str())
            .bind(e.leaf_hash.0.to_vec())
            .bind(e.bytes.clone())
            .bind(micros(e.who.at));
    }
    q.execute(executor).await?;
    Ok(())
}

async fn insert_hashes<'e, E>(executor: E, chunk: &[(NodeId, Hash)]) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!(
        "INSERT INTO log_hashes (level, idx, hash) VALUES {}",
        placeholders(chunk.len(), 3)
    );
    let mut q = sqlx::query(&sql);
    for (id, h) in chunk {
        q = q
            .bind(i64::from(id.level))
            .bind(to_i64(id.index, "hash index")?)
            .bind(h.0.to_vec());
    }
    q.execute(executor).await?;
    Ok(())
}

async fn insert_audit<'e, E>(executor: E, chunk: &[NewLogEntry]) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let sql = format!(
        "INSERT INTO audit_events (at, actor, account_id, action, target, source, detail) VALUES {}",
        placeholders(chunk.len(), 7)
    );
    let mut q = sqlx::query(&sql);
    for e in chunk {
        q = q
            .bind(micros(e.who.at))
            .bind(e.who.actor.as_str())
            .bind(e.who.account_id)
            .bind("log.append")
            .bind(format!("log:{}", e.index))
            .bind(e.who.source.as_str())
            .bind(format!(
                "{} #{} {} leaf {}",
                e.party, e.seq, e.entry_type, e.leaf_hash
            ));
    }
    q.execute(executor).await?;
    Ok(())
}

type EntryRow = (i64, String, i64, String, Vec<u8>, Vec<u8>, i64);

fn entry_from_row(r: EntryRow) -> Result<StoredLogEntry, StoreError> {
    let (index, party, seq, entry_type, leaf, bytes, at) = r;
    Ok(StoredLogEntry {
        index: to_u64(index, "index")?,
        party,
        seq: to_u64(seq, "seq")?,
        entry_type,
        leaf_hash: to_hash(&leaf, &format!("entry {index} leaf hash"))?,
        bytes,
        received_at: from_micros(at)?,
    })
}

type CheckpointRow = (i64, Vec<u8>, String, i64);

fn checkpoint_from_row(r: CheckpointRow) -> Result<StoredCheckpoint, StoreError> {
    let (size, root, note, at) = r;
    Ok(StoredCheckpoint {
        size: to_u64(size, "checkpoint size")?,
        root: to_hash(&root, &format!("checkpoint {size} root"))?,
        note,
        signed_at: from_micros(at)?,
    })
}

const ENTRY_COLUMNS: &str = "idx, party, seq, entry_type, leaf_hash, bytes, received_at";

impl LedgerStore for Store {
    async fn log_size(&self) -> Result<u64, StoreError> {
        let (n,): (Option<i64>,) = sqlx::query_as("SELECT MAX(idx) FROM log_entries")
            .fetch_one(self.pool())
            .await?;
        match n {
            None => Ok(0),
            Some(n) => Ok(to_u64(n, "index")? + 1),
        }
    }

    async fn append_log_entries(&self, entries: &[NewLogEntry]) -> Result<(), StoreError> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        for (i, e) in entries.iter().enumerate() {
            if e.index != first.index + i as u64 {
                return Err(StoreError::Corrupt(format!(
                    "log append: entries are not contiguous at {}",
                    e.index
                )));
            }
        }
        let mut tx = self.pool().begin().await?;
        // Write first: on SQLite a deferred transaction that reads before writing cannot wait
        // for the write lock (SQLITE_BUSY); its first write waits under busy_timeout instead.
        // The primary key refuses an index that exists; the predecessor check refuses a gap.
        for chunk in entries.chunks(CHUNK) {
            insert_entries(&mut *tx, chunk).await.map_err(|e| match e {
                StoreError::Database(err) => {
                    StoreError::conflict_or(err, || format!("log entry {}", first.index))
                }
                other => other,
            })?;
            insert_audit(&mut *tx, chunk).await?;
        }
        let nodes: Vec<(NodeId, Hash)> = entries
            .iter()
            .flat_map(|e| e.nodes.iter().copied())
            .collect();
        for chunk in nodes.chunks(CHUNK) {
            insert_hashes(&mut *tx, chunk).await?;
        }
        if first.index > 0 {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM log_entries WHERE idx = $1")
                .bind(to_i64(first.index - 1, "index")?)
                .fetch_one(&mut *tx)
                .await?;
            if n != 1 {
                return Err(StoreError::Conflict(format!(
                    "log entry {} (entry {} is not stored)",
                    first.index,
                    first.index - 1
                )));
            }
        }
        for e in entries {
            if let Some((party, key)) = &e.pin {
                sqlx::query(
                    "INSERT INTO log_key_pins (party, public_key, pinned_at) VALUES ($1, $2, $3)",
                )
                .bind(party.as_str())
                .bind(key.to_vec())
                .bind(micros(e.who.at))
                .execute(&mut *tx)
                .await
                .map_err(|err| {
                    StoreError::conflict_or(err, || format!("a key pin for party {party}"))
                })?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn log_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut sql = String::from("SELECT level, idx, hash FROM log_hashes WHERE ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                sql.push_str(&format!(
                    "(level = ${} AND idx = ${})",
                    2 * i + 1,
                    2 * i + 2
                ));
            }
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q
                    .bind(i64::from(id.level))
                    .bind(to_i64(id.index, "hash index")?);
            }
            for row in q.fetch_all(self.pool()).await? {
                let level: i64 = row.try_get(0)?;
                let idx: i64 = row.try_get(1)?;
                let hash: Vec<u8> = row.try_get(2)?;
                found.insert((level, idx), hash);
            }
        }
        ids.iter()
            .map(|id| {
                let key = (i64::from(id.level), to_i64(id.index, "hash index")?);
                let h = found
                    .get(&key)
                    .ok_or_else(|| StoreError::NotFound(format!("log hash {id:?}")))?;
                to_hash(h, &format!("log hash {id:?}"))
            })
            .collect()
    }

    async fn log_hash_range(
        &self,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<Hash>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT idx, hash FROM log_hashes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
        )
        .bind(i64::from(level))
        .bind(to_i64(start, "hash index")?)
        .bind(to_i64(end, "hash index")?)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (i, (idx, h)) in rows.into_iter().enumerate() {
            let want = start + i as u64;
            if to_u64(idx, "hash index")? != want {
                return Err(StoreError::NotFound(format!(
                    "log hash (level {level}, index {want})"
                )));
            }
            out.push(to_hash(&h, "log hash")?);
        }
        if (out.len() as u64) < end.saturating_sub(start) {
            return Err(StoreError::NotFound(format!(
                "log hash (level {level}, index {})",
                start + out.len() as u64
            )));
        }
        Ok(out)
    }

    async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<StoredLogEntry>, StoreError> {
        let rows: Vec<EntryRow> = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx"
        ))
        .bind(to_i64(start, "index")?)
        .bind(to_i64(end, "index")?)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(entry_from_row).collect()
    }

    async fn log_entry(&self, index: u64) -> Result<Option<StoredLogEntry>, StoreError> {
        let row: Option<EntryRow> = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM log_entries WHERE idx = $1"
        ))
        .bind(to_i64(index, "index")?)
        .fetch_optional(self.pool())
        .await?;
        row.map(entry_from_row).transpose()
    }

    async fn record_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(to_i64(cp.size, "checkpoint size")?)
        .bind(cp.root.0.to_vec())
        .bind(cp.note.as_str())
        .bind(micros(cp.signed_at))
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("a checkpoint of size {}", cp.size)))?;
        Ok(())
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row: Option<CheckpointRow> = sqlx::query_as(
            "SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        row.map(checkpoint_from_row).transpose()
    }

    async fn first_checkpoint_covering(
        &self,
        index: u64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row: Option<CheckpointRow> = sqlx::query_as(
            "SELECT size, root, note, signed_at FROM log_checkpoints WHERE size > $1 ORDER BY size ASC LIMIT 1",
        )
        .bind(to_i64(index, "entry index")?)
        .fetch_optional(self.pool())
        .await?;
        row.map(checkpoint_from_row).transpose()
    }

    async fn checkpoint_of_size(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row: Option<CheckpointRow> = sqlx::query_as(
            "SELECT size, root, note, signed_at FROM log_checkpoints WHERE size = $1",
        )
        .bind(to_i64(size, "checkpoint size")?)
        .fetch_optional(self.pool())
        .await?;
        row.map(checkpoint_from_row).transpose()
    }

    async fn log_key_pins(&self) -> Result<Vec<(String, [u8; 32])>, StoreError> {
        let rows: Vec<(String, Vec<u8>)> =
            sqlx::query_as("SELECT party, public_key FROM log_key_pins ORDER BY party")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(party, k)| {
                let key: [u8; 32] = k.as_slice().try_into().map_err(|_| {
                    StoreError::Corrupt(format!("key pin of {party}: not 32 bytes"))
                })?;
                Ok((party, key))
            })
            .collect()
    }
}
