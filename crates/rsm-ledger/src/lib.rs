//! rsm-ledger: the tamper-evident, independently verifiable notification log of RSM.
//!
//! A pure library: no I/O, no clock, no randomness (keys, seeds, salts and times are
//! arguments). Layers, bottom up:
//!
//! - [`hash`], [`merkle`]: RFC 6962 / RFC 9162 Merkle tree over stored hashes, appends,
//!   inclusion and consistency proofs and their verification.
//! - [`note`], [`checkpoint`], [`cosign`], [`policy`], [`tiles`], [`proof`]: the C2SP formats
//!   (`signed-note`, `tlog-checkpoint`, `tlog-cosignature`, `tlog-witness`, witness policies,
//!   `tlog-tiles`, `tlog-proof`).
//! - [`envelope`], [`keys`]: RSM's signed entry envelope, per-party chains, the key registry
//!   and the server's admission check.
//! - [`audit`], [`sigcheck`]: replaying the log and reporting what is wrong; signatures
//!   checked in ed25519-dalek batches (or strictly, one by one).

pub mod audit;
pub mod checkpoint;
pub mod cosign;
pub mod envelope;
pub mod hash;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod proof;
pub mod sigcheck;
pub mod tiles;

pub use audit::{AuditConfig, Auditor, Finding, StateError};
pub use checkpoint::{
    Checkpoint, CheckpointError, CheckpointSignError, Checkpointer, SignedCheckpoint,
    open_checkpoint,
};
pub use cosign::{
    AddCheckpointRequest, CosignatureSigner, Cosigned, Witness, WitnessError, WitnessState,
};
pub use envelope::{
    Anchor, EntryBody, EntryType, Envelope, EnvelopeError, Party, commit_public, commit_salted,
    verify_salted,
};
pub use hash::{Hash, HashParseError, empty_root, leaf_hash, node_hash, sha256};
pub use keys::{
    AdmissionError, Admitted, ChainError, ChainHead, KeyChange, KeyError, KeyRegistry, LedgerState,
    PartyChains,
};
pub use merkle::{
    AppendOutcome, Frontier, HashReader, MemoryHashStore, MemoryTree, NodeId, ProofPlan,
    StorageError, TreeError, VerifyError, consistency_plan, inclusion_plan, prove_consistency,
    prove_inclusion, root_at, root_from_inclusion_proof, root_plan, verify_consistency,
    verify_inclusion,
};
pub use note::{
    KeyKind, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier, VerifiedSignature,
};
pub use policy::{CosignedCheckpoint, PolicyError, WitnessPolicy};
pub use proof::{TlogProof, TlogProofError};
pub use sigcheck::SignatureCheck;
pub use tiles::{TileError, TileId, TileKind, TileSet};
