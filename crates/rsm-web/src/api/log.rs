//! `/api/v1/log`: the notification log's JSON API — discovery, signed submissions with
//! receipts, entries, proofs, party chain heads and key pins. The log is public to read (it
//! holds commitments and signatures only); writing needs the party's own delegate.

use std::{sync::Arc, time::Duration};

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use rsm_core::{access::Action, party::PartyCode};
use rsm_ledger::{AdmissionError, ChainError, Envelope, KeyError, Party};
use rsm_store::LedgerStore;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{ApiJson, ApiQuery};
use crate::{
    AppState,
    auth::Caller,
    error::ApiError,
    log::{Log, SubmitError},
};

/// The log and how to read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogInfo {
    /// The checkpoint origin line.
    #[schema(example = "rsm.example/log")]
    pub origin: String,
    /// The log's verifier key (C2SP signed-note vkey of the secretariat's log key).
    pub vkey: String,
    /// The witness policy checkpoints must satisfy, in the C2SP policy format; `null` while
    /// checkpoints are signed by the log key alone.
    pub witness_policy: Option<String>,
    /// URL prefix of the C2SP tlog-tiles read API (`<prefix>checkpoint`, `<prefix>tile/…`).
    pub tiles: String,
    /// Entries committed so far.
    pub size: u64,
    /// Size of the latest signed checkpoint.
    pub checkpoint_size: Option<u64>,
    /// Largest allowed distance between the log size and a submission's anchor.
    pub max_anchor_lag: u64,
}

/// A submission: the envelope the party signed, base64.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitEntry {
    /// The canonical signed envelope (`rsm-entry/v1`), standard base64.
    pub envelope: String,
}

/// Most envelopes in one batch.
pub const MAX_BATCH: usize = 1000;

/// Largest batch body: a full batch of the largest envelopes, base64 in JSON.
pub const MAX_BATCH_BYTES: usize = 2 * 1024 * 1024;

/// Several submissions at once: the envelopes, standard base64, in the order to append.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBatch {
    pub envelopes: Vec<String>,
}

/// The fate of one envelope of a batch: its index and leaf hash, or why it was refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    pub index: Option<u64>,
    pub leaf_hash: Option<String>,
    /// The refused field (envelope, seq, prev, key, signature, anchor, party).
    pub field: Option<String>,
    pub error: Option<String>,
}

/// Answers to a batch, one per envelope in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchReceipt {
    pub accepted: usize,
    pub refused: usize,
    pub items: Vec<BatchItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubmitOptions {
    /// Wait for a checkpoint covering the entry and return its receipt (default true);
    /// `false` answers as soon as the entry is durable.
    pub wait: Option<bool>,
}

/// An accepted, durable submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub index: u64,
    /// RFC 6962 leaf hash, hex.
    pub leaf_hash: String,
    /// C2SP `tlog-proof` text (inclusion proof and signed checkpoint), when waited for.
    pub receipt: Option<String>,
    /// Size of the checkpoint in the receipt.
    pub checkpoint_size: Option<u64>,
}

/// A stored entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub index: u64,
    pub party: String,
    pub seq: u64,
    pub entry_type: String,
    /// Hex.
    pub leaf_hash: String,
    /// The envelope, standard base64, byte for byte as submitted.
    pub envelope: String,
    pub received_at: String,
}

/// A Merkle proof; hashes standard base64, from the leaf's sibling upwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofView {
    pub proof: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    pub index: u64,
    pub size: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    pub old: u64,
    pub new: u64,
}

/// What a party's next entry must carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyHead {
    pub party: String,
    /// The sequence number of the party's next entry.
    pub next_seq: u64,
    /// Leaf hash (hex) of the party's previous entry; zeros before its first.
    pub prev: String,
    /// The key in force (hex), if registered.
    pub key: Option<String>,
    /// The latest signed checkpoint note, to anchor to.
    pub checkpoint: Option<String>,
}

/// A party's first key, received out of band (the delegation's letter), pinned by the
/// secretariat: the party's own `key.register` entry must then carry exactly this key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinKey {
    #[schema(example = "KR")]
    pub party: String,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
}

pub(crate) fn log(state: &AppState) -> Result<&Arc<Log>, ApiError> {
    state.log.as_ref().ok_or(ApiError::NotFound)
}

/// Maps a refusal to problem+json naming the reason; a fault of ours stays opaque.
/// The field a refusal names, as in [`submit_error`].
fn submit_field(e: &SubmitError) -> Option<&'static str> {
    match e {
        SubmitError::Admission(a) => Some(match a {
            AdmissionError::Envelope(_) => "envelope",
            AdmissionError::Chain(ChainError::Sequence { .. }) => "seq",
            AdmissionError::Chain(ChainError::PrevHash { .. }) => "prev",
            AdmissionError::Key(KeyError::Signature(_)) => "signature",
            AdmissionError::Key(_) => "key",
            AdmissionError::AnchorMismatch { .. }
            | AdmissionError::AnchorAhead { .. }
            | AdmissionError::AnchorStale { .. } => "anchor",
            AdmissionError::Tree(_) => return None,
        }),
        _ => None,
    }
}

pub(crate) fn submit_error(e: SubmitError) -> ApiError {
    match e {
        SubmitError::Admission(a) => {
            let field = match &a {
                AdmissionError::Envelope(_) => "envelope",
                AdmissionError::Chain(ChainError::Sequence { .. }) => "seq",
                AdmissionError::Chain(ChainError::PrevHash { .. }) => "prev",
                AdmissionError::Key(KeyError::Signature(_)) => "signature",
                AdmissionError::Key(_) => "key",
                AdmissionError::AnchorMismatch { .. }
                | AdmissionError::AnchorAhead { .. }
                | AdmissionError::AnchorStale { .. } => "anchor",
                AdmissionError::Tree(t) => return ApiError::internal(t),
            };
            match &a {
                // A replayed (already used) sequence number conflicts with the log.
                AdmissionError::Chain(ChainError::Sequence {
                    expected, found, ..
                }) if found < expected => ApiError::Conflict(a.to_string()),
                _ => ApiError::invalid(field, a.to_string()),
            }
        }
        SubmitError::Store(s) => s.into(),
        SubmitError::Internal(m) => ApiError::internal(&m),
    }
}

fn party_code(p: &Party) -> Option<PartyCode> {
    p.as_str().parse().ok()
}

/// The log's origin, key, witness policy and where its tiles are.
#[utoipa::path(get, path = "/api/v1/log", tag = "log",
    responses((status = 200, body = LogInfo)))]
pub async fn log_info(State(state): State<AppState>) -> Result<Json<LogInfo>, ApiError> {
    let log = log(&state)?;
    Ok(Json(LogInfo {
        origin: log.origin().to_owned(),
        vkey: log.vkey().to_owned(),
        witness_policy: log.witness_policy().map(str::to_owned),
        tiles: "/log/".into(),
        size: log.head().size,
        checkpoint_size: log.published().map(|p| p.size),
        max_anchor_lag: log.max_anchor_lag(),
    }))
}

/// Submits an envelope signed by the party on its own machine. The body is JSON
/// `{"envelope": base64}` or the raw bytes as `application/octet-stream`. Refusals name the
/// reason (`field`: envelope, seq, prev, key, signature, anchor) and store nothing.
#[utoipa::path(post, path = "/api/v1/log/entries", tag = "log",
    params(SubmitOptions),
    request_body(content = SubmitEntry, description = "JSON, or the raw envelope as application/octet-stream"),
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Receipt), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn submit_entry(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(opts): ApiQuery<SubmitOptions>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let log = log(&state)?.clone();
    // Before reading the body: may this caller submit for its own party (or, for the
    // secretariat, as the secretariat) at all? The entry's own party is checked below.
    caller
        .require(
            &state,
            Action::SubmitLogEntry(caller.actor.role().and_then(|r| r.party())),
        )
        .await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bytes = if content_type.starts_with("application/octet-stream") {
        body.to_vec()
    } else if content_type.starts_with("application/json") {
        let input: SubmitEntry = serde_json::from_slice(&body)
            .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
        B64.decode(input.envelope.trim())
            .map_err(|_| ApiError::invalid("envelope", "must be standard base64"))?
    } else {
        return Err(ApiError::Malformed(
            "send application/json {\"envelope\": base64} or application/octet-stream".into(),
        ));
    };
    let env =
        Envelope::parse(&bytes).map_err(|e| submit_error(SubmitError::Admission(e.into())))?;
    // A notification's content must be stored before its entry: those go through
    // `POST /api/v1/notifications`, never here.
    if crate::notify::type_of_entry(env.body.entry_type.as_str()).is_some() {
        return Err(ApiError::invalid(
            "entry_type",
            "notifications and acknowledgements are submitted with their content to POST /api/v1/notifications",
        ));
    }
    let party = if env.body.party == Party::secretariat() {
        None
    } else {
        Some(
            party_code(&env.body.party)
                .ok_or_else(|| ApiError::invalid("party", "not a party of the mechanism"))?,
        )
    };
    caller
        .require(&state, Action::SubmitLogEntry(party))
        .await?;
    let who = caller.attribution(state.clock.now());
    let acked = log.submit(bytes, who).await.map_err(submit_error)?;
    let mut out = Receipt {
        index: acked.index,
        leaf_hash: acked.leaf_hash.to_hex(),
        receipt: None,
        checkpoint_size: None,
    };
    if opts.wait.unwrap_or(true)
        && let Some(cp) = log
            .checkpoint_covering(acked.index, Duration::from_secs(30))
            .await
    {
        let r = log.receipt(acked.index, &cp).await.map_err(submit_error)?;
        out.receipt = Some(String::from_utf8_lossy(&r).into_owned());
        out.checkpoint_size = Some(cp.size);
    }
    Ok((StatusCode::CREATED, Json(out)))
}

/// Submits up to 1,000 signed envelopes in one request, appended in order, each judged on
/// its own (a refused one does not stop the others, though a party's later entries then fail
/// their chain check). Answers once every accepted entry is durable; receipts are fetched
/// per entry afterwards. The body is JSON `{"envelopes": [base64, …]}`, or
/// `application/octet-stream` holding each envelope prefixed by its length (u32,
/// big-endian).
#[utoipa::path(post, path = "/api/v1/log/entries/batch", tag = "log",
    request_body(content = SubmitBatch, description = "JSON, or length-prefixed envelopes as application/octet-stream"),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = BatchReceipt), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn submit_batch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<BatchReceipt>, ApiError> {
    let log = log(&state)?.clone();
    caller
        .require(
            &state,
            Action::SubmitLogEntry(caller.actor.role().and_then(|r| r.party())),
        )
        .await?;
    // A batch may exceed the server's general body limit, up to its own.
    let body = axum::body::to_bytes(body, MAX_BATCH_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let envelopes: Vec<Vec<u8>> = if content_type.starts_with("application/octet-stream") {
        split_length_prefixed(&body)?
    } else if content_type.starts_with("application/json") {
        let input: SubmitBatch = serde_json::from_slice(&body)
            .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
        input
            .envelopes
            .iter()
            .enumerate()
            .map(|(i, e)| {
                B64.decode(e.trim()).map_err(|_| {
                    ApiError::invalid(format!("envelopes[{i}]"), "must be standard base64")
                })
            })
            .collect::<Result<_, _>>()?
    } else {
        return Err(ApiError::Malformed(
            "send application/json {\"envelopes\": [base64]} or length-prefixed application/octet-stream".into(),
        ));
    };
    if envelopes.is_empty() || envelopes.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "envelopes",
            format!("a batch holds 1 to {MAX_BATCH} envelopes"),
        ));
    }
    // Every party named must be one the caller may submit for; checked before anything is
    // queued, so a batch with a forbidden envelope appends nothing.
    let mut parties = std::collections::BTreeSet::new();
    for (i, bytes) in envelopes.iter().enumerate() {
        match Envelope::parse(bytes) {
            Ok(env) if crate::notify::type_of_entry(env.body.entry_type.as_str()).is_some() => {
                return Err(ApiError::invalid(
                    format!("envelopes[{i}].entry_type"),
                    "notifications and acknowledgements are submitted with their content to POST /api/v1/notifications",
                ));
            }
            Ok(env) => parties.insert(env.body.party),
            Err(e) => return Err(ApiError::invalid(format!("envelopes[{i}]"), e.to_string())),
        };
    }
    for p in &parties {
        let party = if *p == Party::secretariat() {
            None
        } else {
            Some(
                party_code(p)
                    .ok_or_else(|| ApiError::invalid("party", "not a party of the mechanism"))?,
            )
        };
        caller
            .require(&state, Action::SubmitLogEntry(party))
            .await?;
    }
    let who = caller.attribution(state.clock.now());
    let acks = log
        .enqueue_many(envelopes, who)
        .await
        .map_err(submit_error)?;
    let mut items = Vec::with_capacity(acks.len());
    for ack in acks {
        items.push(match ack.await {
            Ok(a) => BatchItem {
                index: Some(a.index),
                leaf_hash: Some(a.leaf_hash.to_hex()),
                field: None,
                error: None,
            },
            Err(e) => {
                let field = submit_field(&e);
                BatchItem {
                    index: None,
                    leaf_hash: None,
                    field: field.map(str::to_owned),
                    error: Some(e.to_string()),
                }
            }
        });
    }
    let accepted = items.iter().filter(|i| i.index.is_some()).count();
    Ok(Json(BatchReceipt {
        accepted,
        refused: items.len() - accepted,
        items,
    }))
}

/// Splits `u32 length || envelope` records.
fn split_length_prefixed(mut b: &[u8]) -> Result<Vec<Vec<u8>>, ApiError> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let i = out.len();
        if b.len() < 4 {
            return Err(ApiError::invalid(
                format!("envelopes[{i}]"),
                "truncated length prefix",
            ));
        }
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if n > rsm_ledger::envelope::MAX_ENVELOPE_BYTES || b.len() < 4 + n {
            return Err(ApiError::invalid(
                format!("envelopes[{i}]"),
                "length prefix beyond the body or the largest envelope",
            ));
        }
        out.push(b[4..4 + n].to_vec());
        b = &b[4 + n..];
        if out.len() > MAX_BATCH {
            break;
        }
    }
    Ok(out)
}

/// One entry, as stored.
#[utoipa::path(get, path = "/api/v1/log/entries/{index}", tag = "log",
    params(("index" = u64, Path, description = "entry index")),
    responses((status = 200, body = EntryView), (status = 404, body = crate::error::Problem)))]
pub async fn get_entry(
    State(state): State<AppState>,
    Path(index): Path<u64>,
) -> Result<Json<EntryView>, ApiError> {
    let log = log(&state)?;
    let e = log
        .store()
        .log_entry(index)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(EntryView {
        index: e.index,
        party: e.party,
        seq: e.seq,
        entry_type: e.entry_type,
        leaf_hash: e.leaf_hash.to_hex(),
        envelope: B64.encode(&e.bytes),
        received_at: e.received_at.to_string(),
    }))
}

/// The receipt of an entry under the latest checkpoint (C2SP `tlog-proof`, text/plain).
#[utoipa::path(get, path = "/api/v1/log/entries/{index}/receipt", tag = "log",
    params(("index" = u64, Path, description = "entry index")),
    responses((status = 200, body = String, content_type = "text/plain"),
        (status = 404, body = crate::error::Problem)))]
pub async fn get_receipt(
    State(state): State<AppState>,
    Path(index): Path<u64>,
) -> Result<([(header::HeaderName, &'static str); 1], String), ApiError> {
    let log = log(&state)?;
    let cp = log
        .published()
        .filter(|c| c.size > index)
        .ok_or(ApiError::NotFound)?;
    let r = log.receipt(index, &cp).await.map_err(submit_error)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        String::from_utf8_lossy(&r).into_owned(),
    ))
}

fn within(log: &Log, size: u64) -> Result<(), ApiError> {
    if size > log.head().size {
        return Err(ApiError::invalid("size", "beyond the log's size"));
    }
    Ok(())
}

/// Inclusion proof of entry `index` in the tree of `size` entries (RFC 9162).
#[utoipa::path(get, path = "/api/v1/log/proof/inclusion", tag = "log", params(InclusionQuery),
    responses((status = 200, body = ProofView), (status = 422, body = crate::error::Problem)))]
pub async fn inclusion_proof(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Json<ProofView>, ApiError> {
    let log = log(&state)?;
    within(log, q.size)?;
    if q.index >= q.size {
        return Err(ApiError::invalid("index", "must be below size"));
    }
    let proof = log
        .inclusion_proof(q.index, q.size)
        .await
        .map_err(submit_error)?;
    Ok(Json(ProofView {
        proof: proof.iter().map(|h| h.to_base64()).collect(),
    }))
}

/// Consistency proof between the trees of `old` and `new` entries (RFC 9162).
#[utoipa::path(get, path = "/api/v1/log/proof/consistency", tag = "log", params(ConsistencyQuery),
    responses((status = 200, body = ProofView), (status = 422, body = crate::error::Problem)))]
pub async fn consistency_proof(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ProofView>, ApiError> {
    let log = log(&state)?;
    within(log, q.new)?;
    if q.old == 0 || q.old > q.new {
        return Err(ApiError::invalid("old", "must be between 1 and new"));
    }
    let proof = log
        .consistency_proof(q.old, q.new)
        .await
        .map_err(submit_error)?;
    Ok(Json(ProofView {
        proof: proof.iter().map(|h| h.to_base64()).collect(),
    }))
}

/// What a party's next entry must carry: sequence number, previous hash, key, anchor.
#[utoipa::path(get, path = "/api/v1/log/parties/{party}", tag = "log",
    params(("party" = String, Path, description = "party code, or SEC")),
    responses((status = 200, body = PartyHead), (status = 404, body = crate::error::Problem)))]
pub async fn party_head(
    State(state): State<AppState>,
    Path(party): Path<String>,
) -> Result<Json<PartyHead>, ApiError> {
    let log = log(&state)?;
    let p = Party::new(&party).map_err(|e| ApiError::NotFoundField {
        field: "party".into(),
        rule: e.to_string(),
    })?;
    let (next_seq, prev, key) = log.party_head(&p);
    Ok(Json(PartyHead {
        party: p.as_str().to_owned(),
        next_seq,
        prev: prev.to_hex(),
        key: key.map(|k| rsm_ledger::hash::to_hex(k.as_bytes())),
        checkpoint: log.published().map(|c| c.note),
    }))
}

/// Pins a party's first key (secretariat), recorded in the log as a secretariat-signed
/// `key.pin` entry (data: party code and key). The party then registers it with its own
/// self-signed `key.register` entry, which must carry exactly this key.
#[utoipa::path(post, path = "/api/v1/log/keys", tag = "log", request_body = PinKey,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Receipt), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn pin_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PinKey>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    caller.require(&state, Action::RegisterLogKey).await?;
    let log = log(&state)?.clone();
    let party: PartyCode = input
        .party
        .parse()
        .map_err(|e: rsm_core::party::UnknownParty| ApiError::invalid("party", e.to_string()))?;
    let key: [u8; 32] = rsm_ledger::hash::from_hex(input.public_key.trim())
        .and_then(|b| b.try_into().ok())
        .filter(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_ok())
        .ok_or_else(|| {
            ApiError::invalid("public_key", "must be an Ed25519 public key, 64 hex digits")
        })?;
    let lp = Party::new(party.as_str()).map_err(|e| ApiError::internal(&e))?;
    if log.party_head(&lp).2.is_some() {
        return Err(ApiError::Conflict(format!(
            "party {party} has already registered a key; keys change by rotation"
        )));
    }
    let mut data = party.as_str().as_bytes().to_vec();
    data.extend_from_slice(&key);
    let who = caller.attribution(state.clock.now());
    let acked = log
        .append_secretariat(
            rsm_ledger::envelope::TYPE_KEY_PIN,
            rsm_ledger::commit_public(&data),
            data,
            Some((party.as_str().to_owned(), key)),
            who,
        )
        .await
        .map_err(submit_error)?;
    Ok((
        StatusCode::CREATED,
        Json(Receipt {
            index: acked.index,
            leaf_hash: acked.leaf_hash.to_hex(),
            receipt: None,
            checkpoint_size: None,
        }),
    ))
}
