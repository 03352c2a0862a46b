//! C2SP `tlog-cosignature` (cosignature/v1) witness cosignatures, and the witness side of
//! C2SP `tlog-witness` `add-checkpoint`.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey};

use crate::checkpoint::{Checkpoint, parse_decimal};
use crate::hash::Hash;
use crate::merkle::verify_consistency;
use crate::note::{
    KeyKind, Note, NoteError, NoteSignature, NoteVerifier, SIG_TYPE_COSIGNATURE_V1, check_key_name,
    key_id,
};

/// Most consistency proof lines an `add-checkpoint` request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <t>\n` + checkpoint text.
pub fn cosigned_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    m.extend_from_slice(checkpoint_text.as_bytes());
    m
}

/// The timestamp of a `cosignature/v1` signature line (without verifying it), if it has the
/// cosignature shape (8-byte timestamp and 64-byte signature after the key ID).
pub fn cosignature_timestamp(sig: &NoteSignature) -> Option<u64> {
    if sig.signature.len() != 72 {
        return None;
    }
    let ts = u64::from_be_bytes(sig.signature[..8].try_into().ok()?);
    (ts <= i64::MAX as u64).then_some(ts)
}

/// A witness (cosigner) key: signs `cosignature/v1` timestamped cosignatures (type 0x04).
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CosignatureSigner({}+{:08x}+<redacted>)",
            self.name, self.id
        )
    }
}

impl CosignatureSigner {
    /// A cosigner named `name` with an Ed25519 key.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(CosignatureSigner {
            name: name.to_owned(),
            id: key_id(
                name,
                SIG_TYPE_COSIGNATURE_V1,
                key.verifying_key().as_bytes(),
            ),
            key,
        })
    }

    /// A cosigner from a 32-byte seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    /// The verifier (its vkey has type byte 0x04).
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier::new(&self.name, KeyKind::CosignatureV1, self.key.verifying_key())
            .unwrap_or_else(|_| unreachable!("name checked in new"))
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Cosigns a checkpoint text at `timestamp` (POSIX seconds, at most 2^63-1).
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, NoteError> {
        if timestamp > i64::MAX as u64 {
            return Err(NoteError::BadText("timestamp exceeds 2^63-1"));
        }
        Note::new(checkpoint_text)?;
        let sig = self.key.sign(&cosigned_message(checkpoint_text, timestamp));
        let mut raw = timestamp.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.id,
            signature: raw,
        })
    }
}

/// A parsed `add-checkpoint` request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// Size of the checkpoint the client believes the witness has.
    pub old_size: u64,
    /// Consistency proof from `old_size` to the new checkpoint.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: Vec<u8>,
}

impl AddCheckpointRequest {
    /// Encodes the request body.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = format!("old {}\n", self.old_size);
        for h in &self.proof {
            s.push_str(&h.to_base64());
            s.push('\n');
        }
        s.push('\n');
        let mut b = s.into_bytes();
        b.extend_from_slice(&self.checkpoint);
        b
    }

    /// Parses a request body strictly.
    pub fn parse(body: &[u8]) -> Result<Self, WitnessError> {
        let bad = |m: &str| WitnessError::BadRequest(m.to_owned());
        if body.len() > crate::note::MAX_NOTE_BYTES + 64 * 64 {
            return Err(bad("request too large"));
        }
        let mut rest = body;
        let next_line = |rest: &mut &[u8]| -> Result<String, WitnessError> {
            let i = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| bad("unterminated line"))?;
            let l = std::str::from_utf8(&rest[..i]).map_err(|_| bad("not UTF-8"))?;
            let l = l.to_owned();
            *rest = &rest[i + 1..];
            Ok(l)
        };
        let old = next_line(&mut rest)?;
        let old_size = old
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or_else(|| bad("first line must be `old <size>`"))?;
        let mut proof = Vec::new();
        loop {
            let l = next_line(&mut rest)?;
            if l.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("too many proof lines"));
            }
            proof.push(Hash::from_base64(&l).map_err(|_| bad("proof line is not a hash"))?);
        }
        Ok(AddCheckpointRequest {
            old_size,
            proof,
            checkpoint: rest.to_vec(),
        })
    }
}

/// What a witness last cosigned for one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WitnessState {
    /// Size of the latest cosigned checkpoint.
    pub size: u64,
    /// Its root.
    pub root: Hash,
}

/// Why a witness refuses a checkpoint (the variants follow `tlog-witness`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// Malformed request, or old size larger than the checkpoint (spec: 400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No signature of a trusted log key verified (spec: 403).
    #[error("checkpoint not signed by a trusted key of its log")]
    Forbidden,
    /// The origin is not a log this witness follows (spec: 404).
    #[error("unknown log origin {0:?}")]
    UnknownLog(String),
    /// The old size is not the witness's size, or same size with another root (spec: 409,
    /// body: the witness's size).
    #[error("conflict: the witness is at size {size}")]
    Conflict {
        /// The witness's latest cosigned size.
        size: u64,
    },
    /// The consistency proof does not verify (spec: 422).
    #[error("consistency proof does not verify: {0}")]
    BadProof(String),
}

impl WitnessError {
    /// The HTTP status the `tlog-witness` spec assigns to this refusal (for the web layer).
    pub fn spec_status(&self) -> u16 {
        match self {
            WitnessError::BadRequest(_) => 400,
            WitnessError::Forbidden => 403,
            WitnessError::UnknownLog(_) => 404,
            WitnessError::Conflict { .. } => 409,
            WitnessError::BadProof(_) => 422,
        }
    }
}

/// A witness: its cosigner key and the log keys it trusts, by origin. The state store is the
/// caller's: pass the stored state in, persist the returned one atomically.
#[derive(Debug, Clone)]
pub struct Witness {
    signer: CosignatureSigner,
    logs: BTreeMap<String, Vec<NoteVerifier>>,
}

/// A successful `add-checkpoint`: the new state and the cosignature line(s) to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The state to persist.
    pub state: WitnessState,
    /// The parsed checkpoint.
    pub checkpoint: Checkpoint,
    /// The cosignatures (response body: their lines).
    pub cosignatures: Vec<NoteSignature>,
}

impl Cosigned {
    /// The response body: one signature line per cosignature.
    pub fn response_body(&self) -> String {
        self.cosignatures
            .iter()
            .map(NoteSignature::to_line)
            .collect()
    }
}

impl Witness {
    /// A witness with no logs yet.
    pub fn new(signer: CosignatureSigner) -> Self {
        Witness {
            signer,
            logs: BTreeMap::new(),
        }
    }

    /// Trusts `key` for the log `origin`.
    pub fn add_log(&mut self, origin: &str, key: NoteVerifier) {
        self.logs.entry(origin.to_owned()).or_default().push(key);
    }

    /// The cosigner verifier.
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// Handles `add-checkpoint`: `stored` is the state for the checkpoint's origin (`None` if
    /// never cosigned), `now` the POSIX time to put in the cosignature.
    pub fn add_checkpoint(
        &self,
        req: &AddCheckpointRequest,
        stored: Option<WitnessState>,
        now: u64,
    ) -> Result<Cosigned, WitnessError> {
        let note =
            Note::parse(&req.checkpoint).map_err(|e| WitnessError::BadRequest(e.to_string()))?;
        let cp = Checkpoint::parse_text(note.text())
            .map_err(|e| WitnessError::BadRequest(e.to_string()))?;
        let keys = self
            .logs
            .get(&cp.origin)
            .ok_or_else(|| WitnessError::UnknownLog(cp.origin.clone()))?;
        note.verify(keys).map_err(|_| WitnessError::Forbidden)?;
        if req.old_size > cp.size {
            return Err(WitnessError::BadRequest(format!(
                "old size {} is larger than the checkpoint size {}",
                req.old_size, cp.size
            )));
        }
        let current = stored.map_or(0, |s| s.size);
        if req.old_size != current {
            return Err(WitnessError::Conflict { size: current });
        }
        match stored {
            Some(s) if s.size == cp.size => {
                if s.root != cp.root {
                    return Err(WitnessError::Conflict { size: current });
                }
                if !req.proof.is_empty() {
                    return Err(WitnessError::BadProof("proof must be empty".into()));
                }
            }
            Some(s) if s.size > 0 => {
                verify_consistency(s.size, cp.size, &req.proof, &s.root, &cp.root)
                    .map_err(|e| WitnessError::BadProof(e.to_string()))?;
            }
            _ => {
                if !req.proof.is_empty() {
                    return Err(WitnessError::BadProof(
                        "proof must be empty from size 0".into(),
                    ));
                }
            }
        }
        let sig = self
            .signer
            .cosign(note.text(), now)
            .map_err(|e| WitnessError::BadRequest(e.to_string()))?;
        Ok(Cosigned {
            state: WitnessState {
                size: cp.size,
                root: cp.root,
            },
            checkpoint: cp,
            cosignatures: vec![sig],
        })
    }
}
