//! A C2SP `tlog-witness` server (`POST /add-checkpoint`) that a party runs beside its mirror,
//! and the client the log uses to collect cosignatures from the witnesses of its policy.
//!
//! The witness's memory is one small file of `origin size root` lines. Checking a request
//! against it and persisting the new state happen under one lock, and the file is replaced
//! atomically (write, fsync, rename, fsync the directory) before the cosignature leaves, so a
//! crash can never make the witness forget a size it has cosigned.

use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use rsm_ledger::{
    AddCheckpointRequest, Hash, Note, NoteSignature, NoteVerifier, Witness, WitnessError,
    WitnessState, note::KeyKind,
};
use tokio::sync::Mutex;

use crate::clock::Clock;

/// Content type of the 409 answer, per the spec.
pub const TLOG_SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// Why the witness state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {reason}")]
    Syntax {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// The witness's durable record: for each log origin, the latest cosigned size and root.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the state; a missing file is an empty state (a witness that never cosigned).
    pub fn load(&self) -> Result<BTreeMap<String, WitnessState>, StateFileError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(source) => {
                return Err(StateFileError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut out = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let syntax = |reason: &str| StateFileError::Syntax {
                path: self.path.clone(),
                line: i + 1,
                reason: reason.to_owned(),
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(origin), Some(size), Some(root), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(syntax("expected `origin<TAB>size<TAB>root`"));
            };
            let size = size
                .parse::<u64>()
                .map_err(|_| syntax("size is not a number"))?;
            let root = Hash::from_base64(root).map_err(|_| syntax("root is not a hash"))?;
            if out
                .insert(origin.to_owned(), WitnessState { size, root })
                .is_some()
            {
                return Err(syntax("origin listed twice"));
            }
        }
        Ok(out)
    }

    /// Replaces the state durably: a temporary file is written and synced, renamed over the
    /// old one, and the directory synced.
    pub fn store(&self, states: &BTreeMap<String, WitnessState>) -> Result<(), StateFileError> {
        let io = |source| StateFileError::Io {
            path: self.path.clone(),
            source,
        };
        let mut text = String::from("# rsm witness state: origin, latest cosigned size, root\n");
        for (origin, s) in states {
            text.push_str(&format!("{origin}\t{}\t{}\n", s.size, s.root.to_base64()));
        }
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok(())
    }
}

/// A running witness: its keys, the logs it follows and its state.
pub struct WitnessService {
    witness: Witness,
    file: StateFile,
    states: Mutex<BTreeMap<String, WitnessState>>,
    clock: Arc<dyn Clock>,
}

impl WitnessService {
    /// Loads the state file and serves `witness`.
    pub fn open(
        witness: Witness,
        file: StateFile,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>, StateFileError> {
        let states = file.load()?;
        Ok(Arc::new(Self {
            witness,
            file,
            states: Mutex::new(states),
            clock,
        }))
    }

    /// The witness's cosigner verifier key (type 0x04), for policy files.
    pub fn verifier(&self) -> NoteVerifier {
        self.witness.verifier()
    }

    /// Handles one `add-checkpoint` body: checks it against the stored state and persists the
    /// new state before returning the cosignature lines.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Result<String, AddError> {
        let req = AddCheckpointRequest::parse(body)?;
        let now = u64::try_from(self.clock.now().as_second()).unwrap_or(0);
        let mut states = self.states.lock().await;
        let origin = Note::parse(&req.checkpoint)
            .ok()
            .and_then(|n| n.text().lines().next().map(str::to_owned));
        let stored = origin.as_ref().and_then(|o| states.get(o).copied());
        let cosigned = self.witness.add_checkpoint(&req, stored, now)?;
        let mut next = states.clone();
        next.insert(cosigned.checkpoint.origin.clone(), cosigned.state);
        let file = StateFile::new(self.file.path.clone());
        let next_for_disk = next.clone();
        tokio::task::spawn_blocking(move || file.store(&next_for_disk))
            .await
            .map_err(|e| AddError::Persist(e.to_string()))?
            .map_err(|e| AddError::Persist(e.to_string()))?;
        *states = next;
        Ok(cosigned.response_body())
    }

    /// The state as served at `GET /`: what the witness last cosigned for each log.
    pub async fn states(&self) -> BTreeMap<String, WitnessState> {
        self.states.lock().await.clone()
    }
}

/// Why `add-checkpoint` failed.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error(transparent)]
    Refused(#[from] WitnessError),
    #[error("persisting the witness state failed: {0}")]
    Persist(String),
}

impl IntoResponse for AddError {
    fn into_response(self) -> Response {
        match self {
            AddError::Refused(WitnessError::Conflict { size }) => (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, TLOG_SIZE_CONTENT_TYPE)],
                format!("{size}\n"),
            )
                .into_response(),
            AddError::Refused(e) => (
                StatusCode::from_u16(e.spec_status()).unwrap_or(StatusCode::BAD_REQUEST),
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{e}\n"),
            )
                .into_response(),
            AddError::Persist(e) => {
                tracing::error!(error = %e, "witness state not persisted; no cosignature given");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the witness could not persist its state\n",
                )
                    .into_response()
            }
        }
    }
}

async fn add_checkpoint(
    State(svc): State<Arc<WitnessService>>,
    body: Bytes,
) -> Result<Response, AddError> {
    let lines = svc.add_checkpoint(&body).await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        lines,
    )
        .into_response())
}

async fn index(State(svc): State<Arc<WitnessService>>) -> Response {
    let mut text = format!("rsm witness\nvkey {}\n", svc.verifier().to_vkey());
    for (origin, s) in svc.states().await {
        text.push_str(&format!(
            "log {origin} size {} root {}\n",
            s.size,
            s.root.to_base64()
        ));
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// The witness's routes: `POST /add-checkpoint` and a plain-text `GET /` status.
pub fn router(svc: Arc<WitnessService>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/", get(index))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(svc)
}

/// One witness of the log's policy, as the log's client sees it.
#[derive(Debug, Clone)]
pub struct WitnessEndpoint {
    pub name: String,
    pub key: NoteVerifier,
    /// Submission prefix; `<url>/add-checkpoint` is posted to.
    pub url: String,
}

/// What one witness said to one `add-checkpoint` call from the log.
#[derive(Debug)]
pub enum WitnessAnswer {
    /// Verified cosignature(s) from the witness's key.
    Cosigned(Vec<NoteSignature>),
    /// 409: the witness is at this size.
    AtSize(u64),
    /// Anything else: unreachable, refused, or an answer that does not verify.
    Failed(String),
}

/// Posts `body` to the witness and checks its answer against its key and the checkpoint.
pub fn request_cosignature(
    agent: &ureq::Agent,
    witness: &WitnessEndpoint,
    checkpoint_text: &str,
    body: &[u8],
) -> WitnessAnswer {
    let url = format!("{}/add-checkpoint", witness.url.trim_end_matches('/'));
    let mut r = match agent.post(&url).send(body) {
        Ok(r) => r,
        Err(e) => return WitnessAnswer::Failed(format!("POST {url}: {e}")),
    };
    let status = r.status().as_u16();
    let text = match r.body_mut().with_config().limit(64 * 1024).read_to_string() {
        Ok(t) => t,
        Err(e) => return WitnessAnswer::Failed(format!("reading {url}: {e}")),
    };
    match status {
        200 => {
            // The answer's lines appended to the checkpoint make a note; verify it under the
            // witness's key alone and keep only that key's cosignatures.
            let full = format!("{checkpoint_text}\n{text}");
            let Ok(note) = Note::parse(full.as_bytes()) else {
                return WitnessAnswer::Failed(format!("{url}: the answer is not signature lines"));
            };
            let key = &witness.key;
            let verified = note.verify(std::slice::from_ref(key)).is_ok_and(|v| {
                v.iter()
                    .any(|v| v.kind == KeyKind::CosignatureV1 && v.key_id == key.key_id())
            });
            if !verified {
                return WitnessAnswer::Failed(format!("{url}: no valid cosignature in the answer"));
            }
            WitnessAnswer::Cosigned(
                note.signatures()
                    .iter()
                    .filter(|s| s.name == key.name() && s.key_id == key.key_id())
                    .cloned()
                    .collect(),
            )
        }
        409 => match text.trim_end_matches('\n').parse::<u64>() {
            Ok(size) => WitnessAnswer::AtSize(size),
            Err(_) => WitnessAnswer::Failed(format!("{url}: 409 without a size")),
        },
        s => WitnessAnswer::Failed(format!("{url}: {s} {}", text.trim())),
    }
}

/// The HTTP agent the log uses for witnesses: statuses are answers, not errors; a witness
/// that does not answer within `timeout` counts as absent. `https://` witness URLs are
/// checked against Mozilla's roots, or only against `root_certs` (DER) when some are given
/// (a private CA for the parties' witnesses, or a test's self-signed certificate).
pub fn witness_agent(timeout: Duration, root_certs: &[Vec<u8>]) -> ureq::Agent {
    crate::tls::client_agent(root_certs, Some(timeout))
}

pub use crate::tls::{pem_certificates, tls_config};

/// Serves a witness over HTTPS on `listener` until `shutdown` completes.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    svc: Arc<WitnessService>,
    tls: Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(crate::tls::TlsListener::new(listener, tls), router(svc))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves a witness on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    svc: Arc<WitnessService>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(svc))
        .with_graceful_shutdown(shutdown)
        .await
}
