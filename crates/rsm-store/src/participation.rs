//! Stored participation changes, from which the timeline is rebuilt.

use rsm_core::participation::{ParticipationStatus, StatusChange, Timeline};

use crate::{Attribution, Store, StoreError, audit, micros, parse_date, parse_party};

/// The participation history of all parties.
#[allow(async_fn_in_trait)]
pub trait ParticipationStore {
    /// The whole timeline, rebuilt from the stored changes.
    async fn timeline(&self) -> Result<Timeline, StoreError>;
    /// Checks `change` against the timeline (no rewriting of past answers) and stores it.
    async fn record_change(
        &self,
        change: &StatusChange,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Stores the founding timeline into an empty database.
    async fn seed_timeline(&self, timeline: &Timeline, who: &Attribution)
    -> Result<(), StoreError>;
}

type ChangeRow = (String, String, String, String, String);

impl ParticipationStore for Store {
    async fn timeline(&self) -> Result<Timeline, StoreError> {
        load_timeline(self.pool()).await
    }

    async fn record_change(
        &self,
        change: &StatusChange,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        // Reads, then writes: the write lock first.
        let mut tx = self
            .begin_write("UPDATE participation_changes SET party = party WHERE id = -1")
            .await?;
        // Read inside the transaction so the check sees what the insert will follow.
        let timeline = load_timeline(&mut *tx).await?;
        timeline.check(change)?;
        insert_change(&mut *tx, change, who).await?;
        audit::append(
            &mut *tx,
            who,
            "participation.set",
            &format!("party:{}", change.party),
            &format!(
                "{} from {} ({})",
                change.status, change.effective, change.basis
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn seed_timeline(
        &self,
        timeline: &Timeline,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for party in rsm_core::party::PartyCode::ALL {
            for change in timeline.history(party) {
                insert_change(&mut *tx, change, who).await?;
            }
        }
        audit::append(
            &mut *tx,
            who,
            "participation.seed",
            "parties",
            "founding timeline",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn load_timeline<'e, E>(executor: E) -> Result<Timeline, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT party, status, effective, basis, recorded_on FROM participation_changes ORDER BY id",
        )
        .fetch_all(executor)
        .await?;
    let changes = rows
        .into_iter()
        .map(|(party, status, effective, basis, recorded_on)| {
            Ok(StatusChange {
                party: parse_party(&party)?,
                status: ParticipationStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
                effective: parse_date(&effective)?,
                basis,
                recorded_on: parse_date(&recorded_on)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Timeline::from_changes(changes))
}

async fn insert_change<'e, E>(
    executor: E,
    change: &StatusChange,
    who: &Attribution,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO participation_changes (party, status, effective, basis, recorded_on, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(change.party.as_str())
    .bind(change.status.as_str())
    .bind(change.effective.to_string())
    .bind(&change.basis)
    .bind(change.recorded_on.to_string())
    .bind(micros(who.at))
    .bind(&who.actor)
    .execute(executor)
    .await?;
    Ok(())
}
