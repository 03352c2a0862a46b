//! The running notification log: one writer task that admits submissions against the
//! [`LedgerState`], appends them to the [`Frontier`] and group-commits each batch to the
//! store before acknowledging, and one checkpoint task that signs the committed tree with the
//! secretariat's log key on an interval.
//!
//! The server holds the secretariat's key only. Parties sign their own entries on their own
//! machines; the server checks and stores the bytes it received, never re-signing them.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
    time::Duration,
};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rsm_ledger::{
    AddCheckpointRequest, AdmissionError, Anchor, Checkpointer, EntryBody, EntryType, Envelope,
    Frontier, Hash, HashReader, LedgerState, NodeId, Note, NoteSigner, Party, StorageError,
    TlogProof, WitnessPolicy, checkpoint::Checkpoint, consistency_plan, empty_root, inclusion_plan,
    root_plan,
};
use rsm_store::{Attribution, LedgerStore, NewLogEntry, Store, StoreError, StoredCheckpoint};
use tokio::sync::{mpsc, oneshot, watch};

use crate::{
    clock::Clock,
    witness::{WitnessAnswer, WitnessEndpoint, request_cosignature, witness_agent},
};

/// Settings of the log.
#[derive(Clone)]
pub struct LogConfig {
    /// The log's origin line, e.g. `rsm.example/log`.
    pub origin: String,
    /// Seed of the secretariat's Ed25519 key: signs checkpoints and secretariat entries.
    pub secretariat_seed: [u8; 32],
    /// How often a new checkpoint is signed when the log has grown.
    pub checkpoint_interval: Duration,
    /// Largest allowed distance between the log size and a submission's anchor.
    pub max_anchor_lag: u64,
    /// Most submissions committed in one transaction.
    pub max_batch: usize,
    /// The witnesses whose quorum a checkpoint needs before it is published; `None` for a
    /// log whose checkpoints carry the log's signature alone.
    pub witnesses: Option<WitnessSetup>,
}

/// The witness policy of a log and how long a witness may take to answer.
#[derive(Debug, Clone)]
pub struct WitnessSetup {
    /// The policy file's text, served at `GET /api/v1/log`.
    pub policy_text: String,
    pub policy: WitnessPolicy,
    /// A witness that does not answer within this time counts as absent for that round.
    pub timeout: Duration,
    /// Root certificates (DER) that `https://` witness URLs are checked against instead of
    /// Mozilla's roots; empty: Mozilla's roots.
    pub root_certs: Vec<Vec<u8>>,
}

impl WitnessSetup {
    /// Parses a policy file; it must name this log's key and give every witness a URL.
    pub fn parse(policy_text: &str, log_vkey: &str) -> Result<Self, String> {
        let policy = WitnessPolicy::parse(policy_text).map_err(|e| e.to_string())?;
        if !policy.logs().iter().any(|l| l.key.to_vkey() == log_vkey) {
            return Err(format!(
                "the witness policy does not name this log's key {log_vkey}"
            ));
        }
        if let Some(w) = policy.witnesses().iter().find(|w| w.url.is_none()) {
            return Err(format!(
                "witness {} has no URL in the policy, so the log cannot ask it",
                w.name
            ));
        }
        Ok(Self {
            policy_text: policy_text.to_owned(),
            policy,
            timeout: Duration::from_secs(5),
            root_certs: Vec::new(),
        })
    }
}

impl std::fmt::Debug for LogConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogConfig")
            .field("origin", &self.origin)
            .field("secretariat_seed", &"***")
            .field("checkpoint_interval", &self.checkpoint_interval)
            .field("max_anchor_lag", &self.max_anchor_lag)
            .field("max_batch", &self.max_batch)
            .field(
                "witnesses",
                &self.witnesses.as_ref().map(|w| w.policy.witnesses().len()),
            )
            .finish()
    }
}

impl LogConfig {
    pub fn new(origin: &str, secretariat_seed: [u8; 32]) -> Self {
        Self {
            origin: origin.to_owned(),
            secretariat_seed,
            checkpoint_interval: Duration::from_secs(1),
            max_anchor_lag: 1_000_000,
            max_batch: 4096,
            witnesses: None,
        }
    }
}

/// Why a submission was not appended.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Admission(#[from] AdmissionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("log: {0}")]
    Internal(String),
}

/// A durable acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acked {
    pub index: u64,
    pub leaf_hash: Hash,
}

/// The committed tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub root: Hash,
}

/// The latest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub size: u64,
    pub root: Hash,
    /// The signed note, as served at `/log/checkpoint`.
    pub note: String,
}

enum Job {
    Submit {
        bytes: Vec<u8>,
        /// The key the signature already verified under, off the writer's task.
        preverified: Option<VerifyingKey>,
        who: Attribution,
        reply: oneshot::Sender<Result<Acked, SubmitError>>,
    },
    Secretariat {
        entry_type: String,
        commitment: Hash,
        data: Vec<u8>,
        pin: Option<(String, [u8; 32])>,
        who: Attribution,
        reply: oneshot::Sender<Result<Acked, SubmitError>>,
    },
}

/// The log service shared by the handlers.
pub struct Log {
    origin: String,
    vkey: String,
    max_anchor_lag: u64,
    store: Store,
    jobs: mpsc::Sender<Job>,
    head: watch::Receiver<Head>,
    published: watch::Receiver<Option<Published>>,
    state: Arc<RwLock<LedgerState>>,
    witness_policy: Option<String>,
}

/// Prefetched hashes served to the synchronous library API.
struct Prefetched(HashMap<NodeId, Hash>);

impl HashReader for Prefetched {
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StorageError> {
        ids.iter()
            .map(|id| {
                self.0
                    .get(id)
                    .copied()
                    .ok_or_else(|| StorageError::msg(format!("hash {id:?} not prefetched")))
            })
            .collect()
    }
}

fn parse_pins(rows: Vec<(String, [u8; 32])>) -> Result<BTreeMap<Party, VerifyingKey>, String> {
    rows.into_iter()
        .map(|(p, k)| {
            let party = Party::new(&p).map_err(|e| e.to_string())?;
            let key = VerifyingKey::from_bytes(&k).map_err(|e| format!("pin of {p}: {e}"))?;
            Ok((party, key))
        })
        .collect()
}

/// A state with `pins` and everything `old` learnt from the log.
fn with_pins(old: &LedgerState, pins: BTreeMap<Party, VerifyingKey>) -> LedgerState {
    let mut s = LedgerState::new(pins);
    for (party, history) in old.keys.history() {
        for (from, key) in history {
            s.keys.restore(party.clone(), *from, *key);
        }
    }
    for (party, head) in old.chains.heads() {
        s.chains.set_head(party.clone(), *head);
    }
    s
}

impl Log {
    /// Rebuilds the log from the store (frontier, key registry, chains, last checkpoint),
    /// registers the secretariat's key on a new log, and starts the writer and checkpoint
    /// tasks on the current tokio runtime.
    pub async fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        config: LogConfig,
    ) -> Result<Arc<Self>, SubmitError> {
        let signer = NoteSigner::from_seed(&config.origin, &config.secretariat_seed)
            .map_err(|e| SubmitError::Internal(format!("log key: {e}")))?;
        let vkey = signer.verifier().to_vkey();
        let size = store.log_size().await?;
        let frontier = if size == 0 {
            Frontier::new()
        } else {
            Frontier::from_hashes(size, store.log_hashes(&Frontier::ids(size)).await?)
                .map_err(|e| SubmitError::Internal(format!("frontier: {e}")))?
        };
        let pins = parse_pins(store.log_key_pins().await?).map_err(SubmitError::Internal)?;
        let mut state = LedgerState::new(pins.clone());
        let mut start = 0;
        while start < size {
            let end = (start + 10_000).min(size);
            for e in store.log_entries(start, end).await? {
                state.replay_entry(e.index, &e.bytes)?;
            }
            start = end;
        }
        let last = store.latest_checkpoint().await?;
        let published = last.as_ref().map(|c| Published {
            size: c.size,
            root: c.root,
            note: c.note.clone(),
        });
        let checkpointer = Checkpointer::new(
            &config.origin,
            signer,
            last.as_ref().map(|c| (c.size, c.root)),
        );
        let head = Head {
            size,
            root: frontier.root(),
        };
        let (head_tx, head_rx) = watch::channel(head);
        let (pub_tx, pub_rx) = watch::channel(published);
        let (jobs_tx, jobs_rx) = mpsc::channel(65_536);
        let state = Arc::new(RwLock::new(state));
        let sec_key = SigningKey::from_bytes(&config.secretariat_seed);
        let writer = Writer {
            store: store.clone(),
            frontier,
            state: state.clone(),
            head: head_tx,
            max_anchor_lag: config.max_anchor_lag,
            max_batch: config.max_batch.max(1),
            anchors: HashMap::new(),
            sec_key: sec_key.clone(),
            pins,
        };
        tokio::spawn(writer.run(jobs_rx));
        let cp = CheckpointTask {
            store: store.clone(),
            clock: clock.clone(),
            checkpointer,
            head: head_rx.clone(),
            published: pub_tx,
            witnesses: config.witnesses.as_ref().map(WitnessClient::new),
            pending: None,
        };
        let mut cp = cp;
        match cp.sign_if_grown().await {
            Ok(()) => {}
            // Witnesses may still be starting; the checkpoint is offered again each tick.
            Err(e) if cp.witnesses.is_some() => {
                tracing::warn!(error = %e, "first checkpoint awaits its witnesses");
            }
            Err(e) => return Err(e),
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(config.checkpoint_interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = cp.sign_if_grown().await {
                    // Tried again at the next tick once the log has grown; never a fork.
                    tracing::error!(error = %e, "checkpoint signing failed");
                }
            }
        });
        let log = Arc::new(Self {
            origin: config.origin.clone(),
            vkey,
            max_anchor_lag: config.max_anchor_lag,
            store,
            jobs: jobs_tx,
            head: head_rx,
            published: pub_rx,
            state,
            witness_policy: config.witnesses.as_ref().map(|w| w.policy_text.clone()),
        });
        // A new log starts with the secretariat's own key registration, so its entries
        // (key pins, decisions) verify like any party's.
        let sec = Party::secretariat();
        let registered = log
            .state
            .read()
            .map_err(|_| SubmitError::Internal("state lock".into()))?
            .keys
            .current(&sec)
            .is_some();
        if !registered {
            let pk = sec_key.verifying_key().to_bytes().to_vec();
            log.append_secretariat(
                rsm_ledger::envelope::TYPE_KEY_REGISTER,
                rsm_ledger::commit_public(&pk),
                pk,
                None,
                Attribution {
                    actor: "log".into(),
                    account_id: None,
                    source: "server".into(),
                    at: clock.now(),
                },
            )
            .await?;
        }
        Ok(log)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's verifier key (C2SP vkey).
    pub fn vkey(&self) -> &str {
        &self.vkey
    }

    /// The witness policy published checkpoints satisfy, if the log has one.
    pub fn witness_policy(&self) -> Option<&str> {
        self.witness_policy.as_deref()
    }

    pub fn max_anchor_lag(&self) -> u64 {
        self.max_anchor_lag
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The committed tree (may be ahead of the latest checkpoint).
    pub fn head(&self) -> Head {
        *self.head.borrow()
    }

    /// The latest signed checkpoint.
    pub fn published(&self) -> Option<Published> {
        self.published.borrow().clone()
    }

    /// A party's next sequence number, previous leaf hash and key in force.
    pub fn party_head(&self, party: &Party) -> (u64, Hash, Option<VerifyingKey>) {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        let h = s.chains.head(party);
        (h.next_seq, h.last, s.keys.current(party))
    }

    /// Admits and appends a party's signed envelope; returns once it is durable.
    pub async fn submit(&self, bytes: Vec<u8>, who: Attribution) -> Result<Acked, SubmitError> {
        self.enqueue(bytes, who).await?.await
    }

    /// Queues a submission (in call order) and returns the future of its acknowledgement,
    /// so one submitter can pipeline its chain without waiting for each commit. The
    /// signature is checked here, on the blocking pool, so the single writer does not spend
    /// its time on Ed25519.
    pub async fn enqueue(
        &self,
        bytes: Vec<u8>,
        who: Attribution,
    ) -> Result<impl Future<Output = Result<Acked, SubmitError>> + use<>, SubmitError> {
        let mut all = self.enqueue_many(vec![bytes], who).await?;
        Ok(all.pop().expect("one submission, one answer"))
    }

    /// Queues several submissions in order, their signatures checked in parallel first.
    pub async fn enqueue_many(
        &self,
        submissions: Vec<Vec<u8>>,
        who: Attribution,
    ) -> Result<Vec<impl Future<Output = Result<Acked, SubmitError>> + use<>>, SubmitError> {
        // A few signatures are checked right here (tens of microseconds each, on whichever
        // runtime thread runs this submitter); a batch goes to the blocking pool and is
        // spread over the cores.
        let (submissions, keys) = if submissions.len() < 16 {
            let keys = preverify(&self.state, &submissions);
            (submissions, keys)
        } else {
            let state = self.state.clone();
            tokio::task::spawn_blocking(move || {
                let keys = preverify(&state, &submissions);
                (submissions, keys)
            })
            .await
            .map_err(|e| SubmitError::Internal(e.to_string()))?
        };
        let mut out = Vec::with_capacity(submissions.len());
        for (bytes, preverified) in submissions.into_iter().zip(keys) {
            let (reply, rx) = oneshot::channel();
            self.jobs
                .send(Job::Submit {
                    bytes,
                    preverified,
                    who: who.clone(),
                    reply,
                })
                .await
                .map_err(|_| SubmitError::Internal("the log writer stopped".into()))?;
            out.push(async move {
                rx.await
                    .map_err(|_| SubmitError::Internal("the log writer stopped".into()))?
            });
        }
        Ok(out)
    }

    /// Appends an entry signed by the secretariat's key (key pins, decisions).
    pub async fn append_secretariat(
        &self,
        entry_type: &str,
        commitment: Hash,
        data: Vec<u8>,
        pin: Option<(String, [u8; 32])>,
        who: Attribution,
    ) -> Result<Acked, SubmitError> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job::Secretariat {
                entry_type: entry_type.to_owned(),
                commitment,
                data,
                pin,
                who,
                reply,
            })
            .await
            .map_err(|_| SubmitError::Internal("the log writer stopped".into()))?;
        rx.await
            .map_err(|_| SubmitError::Internal("the log writer stopped".into()))?
    }

    /// Waits until a checkpoint covers entry `index` (at most `timeout`).
    pub async fn checkpoint_covering(&self, index: u64, timeout: Duration) -> Option<Published> {
        let mut rx = self.published.clone();
        let wait = rx.wait_for(|p| p.as_ref().is_some_and(|p| p.size > index));
        match tokio::time::timeout(timeout, wait).await {
            Ok(Ok(p)) => p.clone(),
            _ => None,
        }
    }

    /// The inclusion proof of `index` in the tree of `size`, from stored hashes.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, SubmitError> {
        let plan = inclusion_plan(index, size).map_err(|e| SubmitError::Internal(e.to_string()))?;
        let hashes = self.store.log_hashes(plan.ids()).await?;
        plan.assemble(&hashes)
            .map_err(|e| SubmitError::Internal(e.to_string()))
    }

    /// The consistency proof between trees of `old` and `new` leaves.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, SubmitError> {
        let plan = consistency_plan(old, new).map_err(|e| SubmitError::Internal(e.to_string()))?;
        let hashes = self.store.log_hashes(plan.ids()).await?;
        plan.assemble(&hashes)
            .map_err(|e| SubmitError::Internal(e.to_string()))
    }

    /// The C2SP `tlog-proof` receipt of entry `index` under checkpoint `cp`; its `extra`
    /// line carries the entry itself, so the receipt is checked offline on its own.
    pub async fn receipt(&self, index: u64, cp: &Published) -> Result<Vec<u8>, SubmitError> {
        let proof = self.inclusion_proof(index, cp.size).await?;
        let entry = self
            .store
            .log_entry(index)
            .await?
            .ok_or_else(|| SubmitError::Internal(format!("entry {index} missing")))?;
        Ok(TlogProof {
            extra: Some(entry.bytes),
            index,
            proof,
            checkpoint: cp.note.clone().into_bytes(),
        }
        .encode())
    }
}

/// For each submission, the key in force now under which its signature verifies, if any;
/// the work is spread over the machine's cores. The writer re-checks any entry whose key
/// changed in between.
fn preverify(state: &RwLock<LedgerState>, submissions: &[Vec<u8>]) -> Vec<Option<VerifyingKey>> {
    let keys: Vec<Option<(Envelope, VerifyingKey)>> = {
        let s = state.read().unwrap_or_else(|e| e.into_inner());
        submissions
            .iter()
            .map(|b| {
                let env = Envelope::parse(b).ok()?;
                let key = s.keys.current(&env.body.party)?;
                Some((env, key))
            })
            .collect()
    };
    let check = |k: &Option<(Envelope, VerifyingKey)>| {
        k.as_ref()
            .and_then(|(env, key)| env.verify(key).ok().map(|()| *key))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if keys.len() < 16 || threads == 1 {
        return keys.iter().map(check).collect();
    }
    let chunk = keys.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .chunks(chunk)
            .map(|c| {
                (
                    c.len(),
                    scope.spawn(move || c.iter().map(check).collect::<Vec<_>>()),
                )
            })
            .collect();
        // A chunk whose thread failed is left for the writer to verify: one answer per
        // submission, always.
        handles
            .into_iter()
            .flat_map(|(n, h)| h.join().unwrap_or_else(|_| vec![None; n]))
            .collect()
    })
}

struct Writer {
    store: Store,
    frontier: Frontier,
    state: Arc<RwLock<LedgerState>>,
    head: watch::Sender<Head>,
    max_anchor_lag: u64,
    max_batch: usize,
    /// Hashes of the roots of recent anchor sizes, fetched once each.
    anchors: HashMap<u64, Vec<(NodeId, Hash)>>,
    sec_key: SigningKey,
    /// Out-of-band key pins in force.
    pins: BTreeMap<Party, VerifyingKey>,
}

struct Pending {
    reply: oneshot::Sender<Result<Acked, SubmitError>>,
    acked: Acked,
}

impl Writer {
    async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(self.max_batch);
        while jobs.recv_many(&mut batch, self.max_batch).await > 0 {
            self.commit_batch(std::mem::take(&mut batch)).await;
        }
    }

    /// The hashes needed to compute the root at `size`, from cache or store.
    async fn anchor_reader(&mut self, size: u64) -> Result<Prefetched, StoreError> {
        if !self.anchors.contains_key(&size) && size > 0 && size <= self.frontier.size() {
            let plan = root_plan(size);
            let hashes = self.store.log_hashes(plan.ids()).await?;
            if self.anchors.len() > 256 {
                self.anchors.clear();
            }
            self.anchors
                .insert(size, plan.ids().iter().copied().zip(hashes).collect());
        }
        Ok(Prefetched(
            self.anchors
                .get(&size)
                .map(|v| v.iter().copied().collect())
                .unwrap_or_default(),
        ))
    }

    async fn commit_batch(&mut self, jobs: Vec<Job>) {
        let mut state = self.state.read().unwrap_or_else(|e| e.into_inner()).clone();
        let committed = Head {
            size: self.frontier.size(),
            root: self.frontier.root(),
        };
        let mut frontier = self.frontier.clone();
        let mut rows = Vec::new();
        let mut pending = Vec::new();
        let mut pins = self.pins.clone();
        for job in jobs {
            let (bytes, preverified, who, pin, reply) = match job {
                Job::Submit {
                    bytes,
                    preverified,
                    who,
                    reply,
                } => (bytes, preverified, who, None, reply),
                Job::Secretariat {
                    entry_type,
                    commitment,
                    data,
                    pin,
                    who,
                    reply,
                } => {
                    match self.sign_secretariat(&state, committed, &entry_type, commitment, data) {
                        Ok(bytes) => (bytes, None, who, pin, reply),
                        Err(e) => {
                            let _ = reply.send(Err(e));
                            continue;
                        }
                    }
                }
            };
            let anchor_size = match Envelope::parse(&bytes) {
                Ok(env) => env.body.anchor.size,
                Err(e) => {
                    let _ = reply.send(Err(AdmissionError::from(e).into()));
                    continue;
                }
            };
            // An anchor must be a committed state: never one inside this batch.
            let reader = if anchor_size <= committed.size {
                match self.anchor_reader(anchor_size).await {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = reply.send(Err(e.into()));
                        continue;
                    }
                }
            } else {
                Prefetched(HashMap::new())
            };
            let admit_size = if anchor_size > committed.size {
                committed.size
            } else {
                frontier.size()
            };
            let admitted = match state.admit_preverified(
                &bytes,
                &reader,
                admit_size,
                self.max_anchor_lag,
                preverified.as_ref(),
            ) {
                Ok(a) => a,
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                    continue;
                }
            };
            let out = frontier.append_leaf_hash(admitted.leaf_hash);
            state.commit(out.index, &admitted);
            if let Some((party, key)) = &pin
                && let (Ok(p), Ok(k)) = (Party::new(party), VerifyingKey::from_bytes(key))
            {
                // In force for every later entry, this batch included.
                pins.insert(p, k);
                state = with_pins(&state, pins.clone());
            }
            let body = &admitted.envelope.body;
            rows.push(NewLogEntry {
                index: out.index,
                party: body.party.as_str().to_owned(),
                seq: body.seq,
                entry_type: body.entry_type.as_str().to_owned(),
                leaf_hash: out.leaf_hash,
                bytes,
                nodes: out.nodes,
                who,
                pin,
            });
            pending.push(Pending {
                reply,
                acked: Acked {
                    index: out.index,
                    leaf_hash: out.leaf_hash,
                },
            });
        }
        if rows.is_empty() {
            return;
        }
        match self.store.append_log_entries(&rows).await {
            Ok(()) => {
                self.pins = pins;
                self.frontier = frontier;
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
                self.head.send_replace(Head {
                    size: self.frontier.size(),
                    root: self.frontier.root(),
                });
                for p in pending {
                    let _ = p.reply.send(Ok(p.acked));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "log append failed; nothing acknowledged");
                let msg = e.to_string();
                for p in pending {
                    let _ = p.reply.send(Err(SubmitError::Internal(msg.clone())));
                }
                // The in-memory frontier and state stay at the last commit.
            }
        }
    }

    fn sign_secretariat(
        &self,
        state: &LedgerState,
        anchor: Head,
        entry_type: &str,
        commitment: Hash,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, SubmitError> {
        let sec = Party::secretariat();
        let head = state.chains.head(&sec);
        let env = EntryBody {
            party: sec,
            seq: head.next_seq,
            prev: head.last,
            entry_type: EntryType::new(entry_type).map_err(AdmissionError::from)?,
            commitment,
            anchor: Anchor {
                size: anchor.size,
                root: if anchor.size == 0 {
                    empty_root()
                } else {
                    anchor.root
                },
            },
            data,
        }
        .sign(&self.sec_key)
        .map_err(AdmissionError::from)?;
        Ok(env.encode().map_err(AdmissionError::from)?)
    }
}

struct CheckpointTask {
    store: Store,
    clock: Arc<dyn Clock>,
    checkpointer: Checkpointer,
    head: watch::Receiver<Head>,
    published: watch::Sender<Option<Published>>,
    witnesses: Option<WitnessClient>,
    /// A signed checkpoint still waiting for its witness quorum.
    pending: Option<Unpublished>,
}

/// A checkpoint signed by the log but not yet cosigned by a quorum.
struct Unpublished {
    size: u64,
    root: Hash,
    note: Note,
}

/// The log's side of the witness protocol: the policy, the endpoints, and the size each
/// witness was last seen at.
struct WitnessClient {
    policy: WitnessPolicy,
    endpoints: Vec<WitnessEndpoint>,
    agent: ureq::Agent,
    known_size: HashMap<String, u64>,
}

impl WitnessClient {
    fn new(setup: &WitnessSetup) -> Self {
        let endpoints = setup
            .policy
            .witnesses()
            .iter()
            .filter_map(|w| {
                Some(WitnessEndpoint {
                    name: w.name.clone(),
                    key: w.key.clone(),
                    url: w.url.clone()?,
                })
            })
            .collect();
        Self {
            policy: setup.policy.clone(),
            endpoints,
            agent: witness_agent(setup.timeout, &setup.root_certs),
            known_size: HashMap::new(),
        }
    }
}

/// Asks one witness to cosign; on a 409 it retries once from the size the witness reports.
async fn ask_witness(
    store: Store,
    agent: ureq::Agent,
    endpoint: WitnessEndpoint,
    note: String,
    text: String,
    size: u64,
    mut old: u64,
) -> (
    String,
    Result<(Vec<rsm_ledger::NoteSignature>, u64), String>,
) {
    let name = endpoint.name.clone();
    for _ in 0..2 {
        if old > size {
            return (
                name,
                Err(format!(
                    "the witness is at size {old}, ahead of this checkpoint ({size})"
                )),
            );
        }
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            let plan = match consistency_plan(old, size) {
                Ok(p) => p,
                Err(e) => return (name, Err(e.to_string())),
            };
            let hashes = match store.log_hashes(plan.ids()).await {
                Ok(h) => h,
                Err(e) => return (name, Err(e.to_string())),
            };
            match plan.assemble(&hashes) {
                Ok(p) => p,
                Err(e) => return (name, Err(e.to_string())),
            }
        };
        let body = AddCheckpointRequest {
            old_size: old,
            proof,
            checkpoint: note.clone().into_bytes(),
        }
        .encode();
        let (agent2, ep, text2) = (agent.clone(), endpoint.clone(), text.clone());
        let answer =
            tokio::task::spawn_blocking(move || request_cosignature(&agent2, &ep, &text2, &body))
                .await
                .unwrap_or_else(|e| WitnessAnswer::Failed(e.to_string()));
        match answer {
            WitnessAnswer::Cosigned(sigs) => return (name, Ok((sigs, size))),
            WitnessAnswer::AtSize(s) if s != old => old = s,
            WitnessAnswer::AtSize(s) if s == size => {
                return (
                    name,
                    Err(format!(
                        "the witness cosigned another root at size {s}: this checkpoint forks from what it saw"
                    )),
                );
            }
            WitnessAnswer::AtSize(s) => {
                return (name, Err(format!("the witness refused size {s} again")));
            }
            WitnessAnswer::Failed(e) => return (name, Err(e)),
        }
    }
    (name, Err("the witness kept changing its size".into()))
}

impl CheckpointTask {
    /// Signs a checkpoint of the committed tree if it grew (or none exists), and publishes
    /// it: at once for a log without witnesses, or once a quorum of the policy's witnesses
    /// has cosigned it. Without a quorum nothing is published (no fail-open); the same or a
    /// newer checkpoint is offered again at the next tick.
    async fn sign_if_grown(&mut self) -> Result<(), SubmitError> {
        let head = *self.head.borrow();
        let last = self.checkpointer.last();
        if last.is_none_or(|(size, _)| size < head.size) {
            let proof = match last {
                Some((old, _)) if old > 0 => {
                    let plan = consistency_plan(old, head.size)
                        .map_err(|e| SubmitError::Internal(e.to_string()))?;
                    let hashes = self.store.log_hashes(plan.ids()).await?;
                    plan.assemble(&hashes)
                        .map_err(|e| SubmitError::Internal(e.to_string()))?
                }
                _ => Vec::new(),
            };
            let note = self
                .checkpointer
                .sign(head.size, head.root, &proof, &[])
                .map_err(|e| SubmitError::Internal(format!("refusing to sign: {e}")))?;
            self.pending = Some(Unpublished {
                size: head.size,
                root: head.root,
                note,
            });
        }
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let note = match self.witnesses.as_mut() {
            None => pending.note.clone(),
            Some(w) => match cosign(&self.store, w, &pending).await {
                Ok(note) => note,
                Err(e) => {
                    self.pending = Some(pending);
                    return Err(e);
                }
            },
        };
        let text = note.to_text();
        self.store
            .record_checkpoint(&StoredCheckpoint {
                size: pending.size,
                root: pending.root,
                note: text.clone(),
                signed_at: self.clock.now(),
            })
            .await?;
        self.published.send_replace(Some(Published {
            size: pending.size,
            root: pending.root,
            note: text,
        }));
        Ok(())
    }
}

/// Collects cosignatures for `pending` from every witness at once and returns the note with
/// them, or an error naming the witnesses that failed when the quorum is not reached.
async fn cosign(
    store: &Store,
    w: &mut WitnessClient,
    pending: &Unpublished,
) -> Result<Note, SubmitError> {
    let note_text = pending.note.to_text();
    let text = pending.note.text().to_owned();
    let mut tasks = tokio::task::JoinSet::new();
    for ep in &w.endpoints {
        let old = w.known_size.get(&ep.name).copied().unwrap_or(0);
        tasks.spawn(ask_witness(
            store.clone(),
            w.agent.clone(),
            ep.clone(),
            note_text.clone(),
            text.clone(),
            pending.size,
            old,
        ));
    }
    let mut note = pending.note.clone();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (name, result) = joined.map_err(|e| SubmitError::Internal(e.to_string()))?;
        match result {
            Ok((sigs, size)) => {
                w.known_size.insert(name, size);
                for s in sigs {
                    note.add_signature(s);
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    let origin = Checkpoint::parse_text(note.text())
        .map(|c| c.origin)
        .map_err(|e| SubmitError::Internal(e.to_string()))?;
    match w.policy.verify_note(note.clone(), &origin) {
        Ok(_) => {
            for f in &failures {
                tracing::warn!(witness = %f, size = pending.size, "witness did not cosign; quorum reached without it");
            }
            Ok(note)
        }
        Err(e) => Err(SubmitError::Internal(format!(
            "checkpoint {} not published: {e}; {}",
            pending.size,
            failures.join("; ")
        ))),
    }
}
