//! C2SP `tlog-proof`: a self-contained, offline-verifiable receipt (index, inclusion proof
//! and the cosigned checkpoint) that an entry is in the log.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::checkpoint::{CheckpointError, SignedCheckpoint, open_checkpoint, parse_decimal};
use crate::hash::Hash;
use crate::merkle::{VerifyError, verify_inclusion};
use crate::note::{MAX_NOTE_BYTES, Note, NoteVerifier};
use crate::policy::{CosignedCheckpoint, PolicyError, WitnessPolicy};

/// First line of every proof.
pub const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";
/// Most inclusion proof hashes accepted (a tree of 2^64 leaves needs 64).
pub const MAX_PROOF_HASHES: usize = 64;
/// Largest extra data accepted, in bytes.
pub const MAX_EXTRA_BYTES: usize = 16 * 1024;

/// A parsed `tlog-proof`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Optional unauthenticated extra data.
    pub extra: Option<Vec<u8>>,
    /// Index of the entry.
    pub index: u64,
    /// Inclusion proof, from the leaf's sibling upwards.
    pub proof: Vec<Hash>,
    /// The checkpoint note, verbatim (with its signatures and cosignatures).
    pub checkpoint: Vec<u8>,
}

/// A malformed or failing proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogProofError {
    /// The text is not a `tlog-proof`.
    #[error("malformed tlog-proof: {0}")]
    Malformed(&'static str),
    /// The checkpoint is not signed as required.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint does not satisfy the witness policy.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The inclusion proof does not verify.
    #[error("inclusion proof: {0}")]
    Inclusion(#[from] VerifyError),
}

impl TlogProof {
    /// Encodes the proof.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = format!("{PROOF_HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&h.to_base64());
            s.push('\n');
        }
        s.push('\n');
        let mut b = s.into_bytes();
        b.extend_from_slice(&self.checkpoint);
        b
    }

    /// Parses a proof strictly; the checkpoint part must be a syntactically valid note.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogProofError> {
        let bad = TlogProofError::Malformed;
        if bytes.len() > MAX_NOTE_BYTES + MAX_EXTRA_BYTES * 2 + MAX_PROOF_HASHES * 64 {
            return Err(bad("too large"));
        }
        let mut rest = bytes;
        let mut line = || -> Result<&str, TlogProofError> {
            let i = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or(bad("unterminated line"))?;
            let l = std::str::from_utf8(&rest[..i]).map_err(|_| bad("not UTF-8"))?;
            rest = &rest[i + 1..];
            Ok(l)
        };
        if line()? != PROOF_HEADER {
            return Err(bad("missing c2sp.org/tlog-proof@v1 header"));
        }
        let mut l = line()?;
        let mut extra = None;
        if let Some(e) = l.strip_prefix("extra ") {
            if e.len() > MAX_EXTRA_BYTES * 2 {
                return Err(bad("extra data too large"));
            }
            extra = Some(B64.decode(e).map_err(|_| bad("extra is not base64"))?);
            l = line()?;
        }
        let index = l
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(bad("expected `index <decimal>`"))?;
        let mut proof = Vec::new();
        loop {
            let l = line()?;
            if l.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_HASHES {
                return Err(bad("too many proof hashes"));
            }
            proof.push(Hash::from_base64(l).map_err(|_| bad("proof line is not a hash"))?);
        }
        let checkpoint = rest.to_vec();
        Note::parse(&checkpoint).map_err(CheckpointError::from)?;
        Ok(TlogProof {
            extra,
            index,
            proof,
            checkpoint,
        })
    }

    /// Verifies against the log key only (no witness quorum): the checkpoint is signed by
    /// `log_key` with `origin`, and `leaf` is included at `index`.
    pub fn verify_with_log_key(
        &self,
        leaf: &Hash,
        origin: &str,
        log_key: &NoteVerifier,
    ) -> Result<SignedCheckpoint, TlogProofError> {
        let sc = open_checkpoint(&self.checkpoint, origin, log_key, &[])?;
        verify_inclusion(
            leaf,
            self.index,
            sc.checkpoint.size,
            &self.proof,
            &sc.checkpoint.root,
        )?;
        Ok(sc)
    }

    /// Verifies against a witness policy: signed by a policy log, cosigned by a quorum, and
    /// `leaf` included at `index`.
    pub fn verify(
        &self,
        leaf: &Hash,
        origin: &str,
        policy: &WitnessPolicy,
    ) -> Result<CosignedCheckpoint, TlogProofError> {
        let cc = policy.verify_checkpoint(&self.checkpoint, origin)?;
        verify_inclusion(
            leaf,
            self.index,
            cc.checkpoint.size,
            &self.proof,
            &cc.checkpoint.root,
        )?;
        Ok(cc)
    }
}
