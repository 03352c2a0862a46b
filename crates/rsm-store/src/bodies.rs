//! Bodies and their revision history: every edit adds a revision, none is overwritten.

use std::collections::BTreeSet;

use jiff::Timestamp;
use rsm_core::body::{Activation, Body, BodyId, BodyKind, Membership, Visibility};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros, parse_party};

/// One stored revision of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRevision {
    pub body: Body,
    pub revision: i64,
    pub changed_at: Timestamp,
    pub changed_by: String,
    pub reason: String,
}

/// Bodies, current and past.
#[allow(async_fn_in_trait)]
pub trait BodyStore {
    /// The latest revision of every body, ordered by id.
    async fn bodies(&self) -> Result<Vec<Body>, StoreError>;
    async fn body(&self, id: &BodyId) -> Result<Option<BodyRevision>, StoreError>;
    /// Every revision of a body, oldest first.
    async fn body_history(&self, id: &BodyId) -> Result<Vec<BodyRevision>, StoreError>;
    /// Adds a new body (revision 1). Fails with a conflict if the id exists.
    async fn create_body(
        &self,
        body: &Body,
        reason: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Adds a revision to an existing body. `expected_revision` guards against lost updates.
    async fn update_body(
        &self,
        body: &Body,
        expected_revision: i64,
        reason: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
}

fn encode_parties(parties: impl IntoIterator<Item = rsm_core::party::PartyCode>) -> String {
    parties
        .into_iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_parties(s: &str) -> Result<Vec<rsm_core::party::PartyCode>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',').map(parse_party).collect()
}

fn encode_members(m: &Membership) -> String {
    match m {
        Membership::AllParticipating => "all".into(),
        Membership::Parties(set) => encode_parties(set.iter().copied()),
    }
}

fn encode_activation(a: Activation) -> String {
    match a {
        Activation::Always => "always".into(),
        Activation::WhileParticipating(p) => format!("while-participating:{p}"),
    }
}

type BodyRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
);

const BODY_COLUMNS: &str = "body_id, revision, name, kind, visibility, members, activation, \
     chair_rotation, rotation_start_year, changed_at, changed_by, reason";

fn decode(row: BodyRow) -> Result<BodyRevision, StoreError> {
    let (id, revision, name, kind, visibility, members, activation, chair, start, at, by, reason) =
        row;
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("body {id}: {what} {v:?}"));
    let membership = if members == "all" {
        Membership::AllParticipating
    } else {
        Membership::Parties(
            decode_parties(&members)?
                .into_iter()
                .collect::<BTreeSet<_>>(),
        )
    };
    let activation = match activation.as_str() {
        "always" => Activation::Always,
        other => Activation::WhileParticipating(parse_party(
            other
                .strip_prefix("while-participating:")
                .ok_or_else(|| corrupt("activation", other))?,
        )?),
    };
    let body = Body {
        id: BodyId::parse(&id)?,
        name,
        kind: BodyKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        visibility: Visibility::parse(&visibility)
            .ok_or_else(|| corrupt("visibility", &visibility))?,
        membership,
        activation,
        chair_rotation: decode_parties(&chair)?,
        rotation_start_year: i16::try_from(start)
            .map_err(|_| corrupt("rotation_start_year", &start.to_string()))?,
    };
    Ok(BodyRevision {
        body,
        revision,
        changed_at: from_micros(at)?,
        changed_by: by,
        reason,
    })
}

async fn insert_revision<'e, E>(
    executor: E,
    body: &Body,
    revision: i64,
    reason: &str,
    who: &Attribution,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(&format!(
        "INSERT INTO body_revisions ({BODY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(body.id.as_str())
    .bind(revision)
    .bind(body.name.trim())
    .bind(body.kind.as_str())
    .bind(body.visibility.as_str())
    .bind(encode_members(&body.membership))
    .bind(encode_activation(body.activation))
    .bind(encode_parties(body.chair_rotation.iter().copied()))
    .bind(i64::from(body.rotation_start_year))
    .bind(micros(who.at))
    .bind(&who.actor)
    .bind(reason)
    .execute(executor)
    .await?;
    Ok(())
}

impl BodyStore for Store {
    async fn bodies(&self) -> Result<Vec<Body>, StoreError> {
        let rows: Vec<BodyRow> = sqlx::query_as(&format!(
            "SELECT {BODY_COLUMNS} FROM body_revisions r WHERE revision = \
             (SELECT MAX(revision) FROM body_revisions WHERE body_id = r.body_id) ORDER BY body_id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| decode(r).map(|r| r.body))
            .collect()
    }

    async fn body(&self, id: &BodyId) -> Result<Option<BodyRevision>, StoreError> {
        let row: Option<BodyRow> = sqlx::query_as(&format!(
            "SELECT {BODY_COLUMNS} FROM body_revisions WHERE body_id = $1 ORDER BY revision DESC LIMIT 1"
        ))
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(decode).transpose()
    }

    async fn body_history(&self, id: &BodyId) -> Result<Vec<BodyRevision>, StoreError> {
        let rows: Vec<BodyRow> = sqlx::query_as(&format!(
            "SELECT {BODY_COLUMNS} FROM body_revisions WHERE body_id = $1 ORDER BY revision"
        ))
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode).collect()
    }

    async fn create_body(
        &self,
        body: &Body,
        reason: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        body.validate()?;
        let mut tx = self.pool().begin().await?;
        insert_revision(&mut *tx, body, 1, reason, who)
            .await
            .map_err(|e| StoreError::conflict_or(e, || format!("body {}", body.id)))?;
        audit::append(
            &mut *tx,
            who,
            "body.create",
            &format!("body:{}", body.id),
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_body(
        &self,
        body: &Body,
        expected_revision: i64,
        reason: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        body.validate()?;
        // Reads, then writes: the write lock first.
        let mut tx = self
            .begin_write("UPDATE body_revisions SET revision = revision WHERE revision = -1")
            .await?;
        let (current,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(revision) FROM body_revisions WHERE body_id = $1")
                .bind(body.id.as_str())
                .fetch_one(&mut *tx)
                .await?;
        match current {
            None => return Err(StoreError::NotFound(format!("body {}", body.id))),
            Some(current) if current != expected_revision => {
                return Err(StoreError::Conflict(format!(
                    "revision {} of body {} (you edited revision {expected_revision}; reload and edit again)",
                    current + 1,
                    body.id
                )));
            }
            Some(_) => {}
        }
        // The primary key (body_id, revision) makes a concurrent edit of the same
        // revision fail instead of silently winning.
        let revision = expected_revision + 1;
        insert_revision(&mut *tx, body, revision, reason, who)
            .await
            .map_err(|e| {
                StoreError::conflict_or(e, || {
                    format!(
                        "revision {revision} of body {} (someone else edited it since revision {expected_revision})",
                        body.id
                    )
                })
            })?;
        audit::append(
            &mut *tx,
            who,
            "body.update",
            &format!("body:{}", body.id),
            &format!("revision {revision}: {reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }
}
