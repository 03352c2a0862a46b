//! rsm-ledger: the tamper-evident, independently verifiable notification log of RSM.
//!
//! A pure library (no I/O, no clock, no randomness): RFC 6962 Merkle tree with stored
//! hashes ([`merkle`]), and the C2SP formats built on it.

pub mod hash;
pub mod merkle;

pub use hash::{Hash, HashParseError, empty_root, leaf_hash, node_hash, sha256};
pub use merkle::{
    AppendOutcome, Frontier, HashReader, MemoryHashStore, MemoryTree, NodeId, ProofPlan,
    StorageError, TreeError, VerifyError, consistency_plan, inclusion_plan, prove_consistency,
    prove_inclusion, root_at, root_from_inclusion_proof, root_plan, verify_consistency,
    verify_inclusion,
};
pub mod checkpoint;
pub mod cosign;
pub mod note;

pub use audit::{AuditConfig, Auditor, Finding, StateError};
pub use checkpoint::{
    Checkpoint, CheckpointError, Checkpointer, SignedCheckpoint, open_checkpoint,
};
pub use cosign::{
    AddCheckpointRequest, CosignatureSigner, Cosigned, Witness, WitnessError, WitnessState,
};
pub use envelope::{
    Anchor, EntryBody, EntryType, Envelope, EnvelopeError, Party, commit_public, commit_salted,
    verify_salted,
};
pub use keys::{
    AdmissionError, Admitted, ChainError, KeyChange, KeyError, KeyRegistry, LedgerState,
    PartyChains,
};
pub use note::{
    KeyKind, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier, VerifiedSignature,
};
pub use policy::{CosignedCheckpoint, PolicyError, WitnessPolicy};
pub use proof::{TlogProof, TlogProofError};
pub mod audit;
pub mod envelope;
pub mod keys;
pub mod policy;
pub mod proof;
pub mod tiles;
