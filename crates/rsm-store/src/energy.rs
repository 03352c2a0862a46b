//! The economic working group's planning: scenarios kept as the planner's TOML, runs of the
//! planner (queued, running with progress, done with their result or failed with the reason),
//! and results attached to agenda items and draft decisions with their input and result hashes.
//!
//! A run freezes its scenario text when it is requested, so a run interrupted by a crash is
//! simply run again from the same input at the next start (the planner is deterministic).

use jiff::Timestamp;

use crate::{Attribution, Store, StoreError, audit, from_micros, micros};

/// A stored scenario or network: a named text the working group edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlanInput {
    pub id: i64,
    pub name: String,
    /// A scenario as rsm-energy reads it (TOML), or a network's CSV files as a JSON object
    /// of file name → text.
    pub text: String,
    /// Starts at 1; every edit adds one (optimistic versioning).
    pub revision: i64,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// A scenario (its text is the planner's TOML).
pub type StoredScenario = StoredPlanInput;
/// A network (its text is a JSON object of CSV file name → contents).
pub type StoredNetwork = StoredPlanInput;

/// Which kind of named input.
#[derive(Debug, Clone, Copy)]
enum InputKind {
    Scenario,
    Network,
}

impl InputKind {
    fn table(self) -> &'static str {
        match self {
            Self::Scenario => "energy_scenarios",
            Self::Network => "energy_networks",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Self::Scenario => "toml",
            Self::Network => "files",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Self::Scenario => "scenario",
            Self::Network => "network",
        }
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A run of the planner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRun {
    pub id: i64,
    /// The network's name (`nea14-daily`, or a stored network's name).
    pub network: String,
    /// A stored network's files as run (JSON); `None` for the shipped network.
    pub network_files: Option<String>,
    /// The scenario's name when it came from a stored scenario; `None` for the base case.
    pub scenario_name: Option<String>,
    /// The scenario text as run (empty for the base case).
    pub scenario_toml: String,
    pub status: RunStatus,
    pub steps_done: i64,
    pub steps_total: i64,
    pub requested_at: Timestamp,
    pub requested_by: String,
    pub finished_at: Option<Timestamp>,
    pub input_hash: Option<String>,
    pub result_hash: Option<String>,
    /// The result as JSON (written by the web layer; the store keeps it as text).
    pub result: Option<String>,
    pub error: Option<String>,
}

/// A finished run's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Done {
        input_hash: String,
        result_hash: String,
        result: String,
    },
    Failed(String),
}

/// What a result can be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachTarget {
    AgendaItem(i64),
    Draft(i64),
}

impl AttachTarget {
    fn kind(self) -> &'static str {
        match self {
            Self::AgendaItem(_) => "agenda-item",
            Self::Draft(_) => "draft",
        }
    }
    fn id(self) -> i64 {
        match self {
            Self::AgendaItem(id) | Self::Draft(id) => id,
        }
    }
}

/// A result attached to an agenda item or a draft decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub id: i64,
    pub run_id: i64,
    pub target: AttachTarget,
    pub input_hash: String,
    pub result_hash: String,
    pub attached_at: Timestamp,
    pub attached_by: String,
}

/// Scenarios, runs and attachments of the planner.
#[allow(async_fn_in_trait)]
pub trait EnergyStore {
    async fn energy_scenarios(&self) -> Result<Vec<StoredScenario>, StoreError>;
    async fn energy_scenario(&self, id: i64) -> Result<Option<StoredScenario>, StoreError>;
    /// Creates a scenario; a name already taken is a conflict.
    async fn create_energy_scenario(
        &self,
        name: &str,
        toml: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Replaces a scenario's name and text if it is still at `revision`.
    async fn update_energy_scenario(
        &self,
        id: i64,
        revision: i64,
        name: &str,
        toml: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    async fn energy_networks(&self) -> Result<Vec<StoredNetwork>, StoreError>;
    async fn energy_network(&self, id: i64) -> Result<Option<StoredNetwork>, StoreError>;
    /// Creates a network from its files (JSON); a name already taken is a conflict.
    async fn create_energy_network(
        &self,
        name: &str,
        files: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// Replaces a network's name and files if it is still at `revision`.
    async fn update_energy_network(
        &self,
        id: i64,
        revision: i64,
        name: &str,
        files: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Queues a run with its frozen input: the network by name (and its files when stored),
    /// the scenario's name and text.
    async fn queue_energy_run(
        &self,
        network: &str,
        network_files: Option<&str>,
        scenario_name: Option<&str>,
        scenario_toml: &str,
        steps_total: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    async fn energy_run(&self, id: i64) -> Result<Option<StoredRun>, StoreError>;
    /// Runs, newest first.
    async fn energy_runs(&self, limit: i64) -> Result<Vec<StoredRun>, StoreError>;
    /// Runs that were queued or running (to resume after a restart), oldest first.
    async fn unfinished_energy_runs(&self) -> Result<Vec<StoredRun>, StoreError>;
    /// Marks a run running and records its progress.
    async fn energy_run_progress(
        &self,
        id: i64,
        steps_done: i64,
        steps_total: i64,
    ) -> Result<(), StoreError>;
    /// Records a run's outcome (once).
    async fn finish_energy_run(
        &self,
        id: i64,
        outcome: &RunOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Attaches a finished run's result, with its hashes, to an agenda item or a draft.
    async fn attach_energy_run(
        &self,
        run_id: i64,
        target: AttachTarget,
        who: &Attribution,
    ) -> Result<i64, StoreError>;
    /// The results attached to one agenda item or draft.
    async fn energy_attachments(
        &self,
        target: AttachTarget,
    ) -> Result<Vec<StoredAttachment>, StoreError>;
    /// Where one run's result is attached.
    async fn energy_run_attachments(
        &self,
        run_id: i64,
    ) -> Result<Vec<StoredAttachment>, StoreError>;
}

type InputRow = (i64, String, String, i64, i64, String);

fn input_select(kind: InputKind) -> String {
    format!(
        "SELECT id, name, {}, revision, updated_at, updated_by FROM {}",
        kind.column(),
        kind.table()
    )
}

fn plan_input(r: InputRow) -> Result<StoredPlanInput, StoreError> {
    let (id, name, text, revision, at, by) = r;
    Ok(StoredPlanInput {
        id,
        name,
        text,
        revision,
        updated_at: from_micros(at)?,
        updated_by: by,
    })
}

type RunRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
const RUN_SELECT: &str = "SELECT id, network, network_files, scenario_name, scenario_toml, status, steps_done, \
     steps_total, requested_at, requested_by, finished_at, input_hash, result_hash, result, error \
     FROM energy_runs";

fn run(r: RunRow) -> Result<StoredRun, StoreError> {
    let (
        id,
        network,
        network_files,
        scenario_name,
        scenario_toml,
        status,
        done,
        total,
        at,
        by,
        fin,
        ih,
        rh,
        res,
        err,
    ) = r;
    Ok(StoredRun {
        id,
        network,
        network_files,
        scenario_name,
        scenario_toml,
        status: RunStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("energy run {id}: status {status:?}")))?,
        steps_done: done,
        steps_total: total,
        requested_at: from_micros(at)?,
        requested_by: by,
        finished_at: fin.map(from_micros).transpose()?,
        input_hash: ih,
        result_hash: rh,
        result: res,
        error: err,
    })
}

type AttachmentRow = (i64, i64, String, i64, String, String, i64, String);
const ATTACHMENT_SELECT: &str = "SELECT id, run_id, target_kind, target_id, input_hash, \
     result_hash, attached_at, attached_by FROM energy_attachments";

fn attachment(r: AttachmentRow) -> Result<StoredAttachment, StoreError> {
    let (id, run_id, kind, target_id, ih, rh, at, by) = r;
    let target = match kind.as_str() {
        "agenda-item" => AttachTarget::AgendaItem(target_id),
        "draft" => AttachTarget::Draft(target_id),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "energy attachment {id}: kind {kind:?}"
            )));
        }
    };
    Ok(StoredAttachment {
        id,
        run_id,
        target,
        input_hash: ih,
        result_hash: rh,
        attached_at: from_micros(at)?,
        attached_by: by,
    })
}

impl Store {
    async fn plan_inputs(&self, kind: InputKind) -> Result<Vec<StoredPlanInput>, StoreError> {
        let rows: Vec<InputRow> = sqlx::query_as(&format!("{} ORDER BY name", input_select(kind)))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(plan_input).collect()
    }

    async fn plan_input(
        &self,
        kind: InputKind,
        id: i64,
    ) -> Result<Option<StoredPlanInput>, StoreError> {
        let row: Option<InputRow> =
            sqlx::query_as(&format!("{} WHERE id = $1", input_select(kind)))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(plan_input).transpose()
    }

    async fn create_plan_input(
        &self,
        kind: InputKind,
        name: &str,
        text: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let (id,): (i64,) = sqlx::query_as(&format!(
            "INSERT INTO {} (name, {}, revision, updated_at, updated_by) \
             VALUES ($1, $2, 1, $3, $4) RETURNING id",
            kind.table(),
            kind.column()
        ))
        .bind(name)
        .bind(text)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("{} `{name}`", kind.noun())))?;
        audit::append(
            &mut *tx,
            who,
            &format!("energy.{}.create", kind.noun()),
            &format!("energy-{}:{id}", kind.noun()),
            name,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_plan_input(
        &self,
        kind: InputKind,
        id: i64,
        revision: i64,
        name: &str,
        text: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let noun = kind.noun();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(&format!(
            "UPDATE {} SET name = $1, {} = $2, revision = revision + 1, \
             updated_at = $3, updated_by = $4 WHERE id = $5 AND revision = $6",
            kind.table(),
            kind.column()
        ))
        .bind(name)
        .bind(text)
        .bind(micros(who.at))
        .bind(&who.actor)
        .bind(id)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("{noun} `{name}`")))?;
        if done.rows_affected() != 1 {
            let current: Option<(i64,)> = sqlx::query_as(&format!(
                "SELECT revision FROM {} WHERE id = $1",
                kind.table()
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match current {
                None => StoreError::NotFound(format!("{noun} {id}")),
                Some((c,)) => StoreError::Conflict(format!(
                    "revision {} of {noun} `{name}` (you edited revision {revision}; it is now \
                     at revision {c}: reload and edit again)",
                    c + 1
                )),
            });
        }
        audit::append(
            &mut *tx,
            who,
            &format!("energy.{noun}.update"),
            &format!("energy-{noun}:{id}"),
            &format!("revision {}", revision + 1),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl EnergyStore for Store {
    async fn energy_scenarios(&self) -> Result<Vec<StoredScenario>, StoreError> {
        self.plan_inputs(InputKind::Scenario).await
    }

    async fn energy_scenario(&self, id: i64) -> Result<Option<StoredScenario>, StoreError> {
        self.plan_input(InputKind::Scenario, id).await
    }

    async fn create_energy_scenario(
        &self,
        name: &str,
        toml: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        self.create_plan_input(InputKind::Scenario, name, toml, who)
            .await
    }

    async fn update_energy_scenario(
        &self,
        id: i64,
        revision: i64,
        name: &str,
        toml: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        self.update_plan_input(InputKind::Scenario, id, revision, name, toml, who)
            .await
    }

    async fn energy_networks(&self) -> Result<Vec<StoredNetwork>, StoreError> {
        self.plan_inputs(InputKind::Network).await
    }

    async fn energy_network(&self, id: i64) -> Result<Option<StoredNetwork>, StoreError> {
        self.plan_input(InputKind::Network, id).await
    }

    async fn create_energy_network(
        &self,
        name: &str,
        files: &str,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        self.create_plan_input(InputKind::Network, name, files, who)
            .await
    }

    async fn update_energy_network(
        &self,
        id: i64,
        revision: i64,
        name: &str,
        files: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        self.update_plan_input(InputKind::Network, id, revision, name, files, who)
            .await
    }

    async fn queue_energy_run(
        &self,
        network: &str,
        network_files: Option<&str>,
        scenario_name: Option<&str>,
        scenario_toml: &str,
        steps_total: i64,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO energy_runs (network, network_files, scenario_name, scenario_toml, \
             status, steps_done, steps_total, requested_at, requested_by) \
             VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7) RETURNING id",
        )
        .bind(network)
        .bind(network_files.map(str::to_owned))
        .bind(scenario_name.map(str::to_owned))
        .bind(scenario_toml)
        .bind(steps_total)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            who,
            "energy.run.queue",
            &format!("energy-run:{id}"),
            scenario_name.unwrap_or("base case"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn energy_run(&self, id: i64) -> Result<Option<StoredRun>, StoreError> {
        let row: Option<RunRow> = sqlx::query_as(&format!("{RUN_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(run).transpose()
    }

    async fn energy_runs(&self, limit: i64) -> Result<Vec<StoredRun>, StoreError> {
        let rows: Vec<RunRow> = sqlx::query_as(&format!("{RUN_SELECT} ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(run).collect()
    }

    async fn unfinished_energy_runs(&self) -> Result<Vec<StoredRun>, StoreError> {
        let rows: Vec<RunRow> = sqlx::query_as(&format!(
            "{RUN_SELECT} WHERE status IN ('queued', 'running') ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(run).collect()
    }

    async fn energy_run_progress(
        &self,
        id: i64,
        steps_done: i64,
        steps_total: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE energy_runs SET status = 'running', steps_done = $1, steps_total = $2 \
             WHERE id = $3 AND status IN ('queued', 'running')",
        )
        .bind(steps_done)
        .bind(steps_total)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn finish_energy_run(
        &self,
        id: i64,
        outcome: &RunOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, ih, rh, result, error) = match outcome {
            RunOutcome::Done {
                input_hash,
                result_hash,
                result,
            } => (
                "done",
                Some(input_hash.clone()),
                Some(result_hash.clone()),
                Some(result.clone()),
                None,
            ),
            RunOutcome::Failed(e) => ("failed", None, None, None, Some(e.clone())),
        };
        let done = sqlx::query(
            "UPDATE energy_runs SET status = $1, input_hash = $2, result_hash = $3, result = $4, \
             error = $5, finished_at = $6, steps_done = steps_total \
             WHERE id = $7 AND status IN ('queued', 'running')",
        )
        .bind(status)
        .bind(ih)
        .bind(rh)
        .bind(result)
        .bind(error)
        .bind(micros(at))
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "energy run {id} is already finished"
            )));
        }
        Ok(())
    }

    async fn attach_energy_run(
        &self,
        run_id: i64,
        target: AttachTarget,
        who: &Attribution,
    ) -> Result<i64, StoreError> {
        // Reads, then writes: the write lock first.
        let mut tx = self
            .begin_write("UPDATE energy_runs SET id = id WHERE id = -1")
            .await?;
        let hashes: Option<(Option<String>, Option<String>, String)> =
            sqlx::query_as("SELECT input_hash, result_hash, status FROM energy_runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (ih, rh) = match hashes {
            None => return Err(StoreError::NotFound(format!("energy run {run_id}"))),
            Some((Some(ih), Some(rh), status)) if status == "done" => (ih, rh),
            Some(_) => {
                return Err(StoreError::Conflict(format!(
                    "energy run {run_id} has no result to attach yet"
                )));
            }
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO energy_attachments (run_id, target_kind, target_id, input_hash, \
             result_hash, attached_at, attached_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(run_id)
        .bind(target.kind())
        .bind(target.id())
        .bind(&ih)
        .bind(&rh)
        .bind(micros(who.at))
        .bind(&who.actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_or(e, || {
                format!("run {run_id} attached to {} {}", target.kind(), target.id())
            })
        })?;
        audit::append(
            &mut *tx,
            who,
            "energy.run.attach",
            &format!("{}:{}", target.kind(), target.id()),
            &format!("energy-run:{run_id} input {ih} result {rh}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn energy_attachments(
        &self,
        target: AttachTarget,
    ) -> Result<Vec<StoredAttachment>, StoreError> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(&format!(
            "{ATTACHMENT_SELECT} WHERE target_kind = $1 AND target_id = $2 ORDER BY id"
        ))
        .bind(target.kind())
        .bind(target.id())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(attachment).collect()
    }

    async fn energy_run_attachments(
        &self,
        run_id: i64,
    ) -> Result<Vec<StoredAttachment>, StoreError> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(&format!(
            "{ATTACHMENT_SELECT} WHERE run_id = $1 ORDER BY id"
        ))
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(attachment).collect()
    }
}
