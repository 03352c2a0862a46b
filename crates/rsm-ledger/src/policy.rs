//! Witness policies (the sigsum / C2SP policy file: `log`, `witness`, `group`, `quorum`) and
//! the check "is this checkpoint signed by a known log and cosigned by a quorum?".

use std::collections::{BTreeMap, BTreeSet};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::from_hex;
use crate::note::{KeyKind, Note, NoteError, NoteVerifier, VerifiedSignature};

/// Largest policy file accepted.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

/// A malformed policy, or a checkpoint that does not satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A syntax or reference error, with its 1-based line.
    #[error("policy line {line}: {reason}")]
    Syntax {
        /// Line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file is too large.
    #[error("policy too large")]
    TooLarge,
    /// No `quorum` line, or no `log` line.
    #[error("policy incomplete: {0}")]
    Incomplete(&'static str),
    /// The checkpoint is malformed or not signed by a policy log.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The cosignatures present do not satisfy the quorum.
    #[error("quorum not reached: cosigned by {cosigned:?}")]
    NoQuorum {
        /// Witnesses whose cosignature verified.
        cosigned: Vec<String>,
    },
}

/// One log of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLog {
    /// The log's checkpoint key.
    pub key: NoteVerifier,
    /// Optional URL.
    pub url: Option<String>,
}

/// One witness of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWitness {
    /// Name used in the policy.
    pub name: String,
    /// Its cosignature key.
    pub key: NoteVerifier,
    /// Optional URL.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Witness(usize),
    Group { k: usize, members: Vec<Node> },
}

/// A parsed witness policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPolicy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    /// `None` = `quorum none`.
    quorum: Option<Node>,
}

/// A checkpoint that satisfies a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The full note.
    pub note: Note,
    /// Policy witnesses whose cosignature verified, with their timestamps.
    pub cosigners: Vec<(String, u64)>,
}

fn parse_key(s: &str, name_for_hex: Option<&str>, kind: KeyKind) -> Result<NoteVerifier, String> {
    let parsed = match kind {
        KeyKind::CosignatureV1 => NoteVerifier::cosigner_from_vkey(s),
        KeyKind::Ed25519 => NoteVerifier::from_vkey(s),
    };
    if let Ok(v) = parsed {
        if v.kind() != kind {
            return Err(format!("key must be of type {:?}", kind));
        }
        return Ok(v);
    }
    if let (Some(name), Some(raw)) = (name_for_hex, from_hex(s)) {
        let pk: [u8; 32] = raw
            .try_into()
            .map_err(|_| "hex key must be 32 bytes".to_owned())?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&pk)
            .map_err(|_| "invalid Ed25519 key".to_owned())?;
        return NoteVerifier::new(name, kind, key).map_err(|e| e.to_string());
    }
    Err("expected a vkey (name+keyid+base64)".to_owned())
}

impl WitnessPolicy {
    /// Parses a policy file. Keys are vkeys (a witness vkey may be of type 0x04 or 0x01, see
    /// [`NoteVerifier::cosigner_from_vkey`]); a witness key may also be 64 hex digits, in
    /// which case the witness name is its key name. Names must be defined before use.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        if text.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge);
        }
        let mut logs = Vec::new();
        let mut witnesses: Vec<PolicyWitness> = Vec::new();
        let mut names: BTreeMap<String, Node> = BTreeMap::new();
        let mut quorum: Option<Option<Node>> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |reason: String| PolicyError::Syntax { line, reason };
            let content = raw.split('#').next().unwrap_or_default();
            let f: Vec<&str> = content.split_whitespace().collect();
            let Some(&kw) = f.first() else { continue };
            let define = |names: &BTreeMap<String, Node>, n: &str| {
                if n == "none" || names.contains_key(n) {
                    Err(err(format!("name {n:?} already defined")))
                } else {
                    Ok(())
                }
            };
            match kw {
                "log" => {
                    if !(2..=3).contains(&f.len()) {
                        return Err(err("expected `log KEY [URL]`".into()));
                    }
                    let key = parse_key(f[1], None, KeyKind::Ed25519).map_err(err)?;
                    logs.push(PolicyLog {
                        key,
                        url: f.get(2).map(|s| (*s).to_owned()),
                    });
                }
                "witness" => {
                    if !(3..=4).contains(&f.len()) {
                        return Err(err("expected `witness NAME KEY [URL]`".into()));
                    }
                    define(&names, f[1])?;
                    let key = parse_key(f[2], Some(f[1]), KeyKind::CosignatureV1).map_err(err)?;
                    names.insert(f[1].to_owned(), Node::Witness(witnesses.len()));
                    witnesses.push(PolicyWitness {
                        name: f[1].to_owned(),
                        key,
                        url: f.get(3).map(|s| (*s).to_owned()),
                    });
                }
                "group" => {
                    if f.len() < 4 {
                        return Err(err("expected `group NAME all|any|K MEMBER...`".into()));
                    }
                    define(&names, f[1])?;
                    let mut members = Vec::new();
                    let mut seen = BTreeSet::new();
                    for m in &f[3..] {
                        if !seen.insert(*m) {
                            return Err(err(format!("member {m:?} listed twice")));
                        }
                        members.push(
                            names
                                .get(*m)
                                .cloned()
                                .ok_or_else(|| err(format!("unknown name {m:?}")))?,
                        );
                    }
                    let n = members.len();
                    let k = match f[2] {
                        "all" => n,
                        "any" => 1,
                        k => crate::checkpoint::parse_decimal(k)
                            .filter(|&k| k >= 1 && k as usize <= n)
                            .ok_or_else(|| err(format!("threshold must be 1..={n}, all or any")))?
                            as usize,
                    };
                    names.insert(f[1].to_owned(), Node::Group { k, members });
                }
                "quorum" => {
                    if f.len() != 2 {
                        return Err(err("expected `quorum NAME`".into()));
                    }
                    if quorum.is_some() {
                        return Err(err("second quorum line".into()));
                    }
                    quorum = Some(if f[1] == "none" {
                        None
                    } else {
                        Some(
                            names
                                .get(f[1])
                                .cloned()
                                .ok_or_else(|| err(format!("unknown name {:?}", f[1])))?,
                        )
                    });
                }
                other => return Err(err(format!("unknown keyword {other:?}"))),
            }
        }
        let quorum = quorum.ok_or(PolicyError::Incomplete("no quorum line"))?;
        if logs.is_empty() {
            return Err(PolicyError::Incomplete("no log line"));
        }
        Ok(WitnessPolicy {
            logs,
            witnesses,
            quorum,
        })
    }

    /// The logs.
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The witnesses.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// Whether the witnesses `cosigned` (indices into [`witnesses`](Self::witnesses))
    /// satisfy the quorum.
    pub fn quorum_met(&self, cosigned: &BTreeSet<usize>) -> bool {
        fn eval(n: &Node, s: &BTreeSet<usize>) -> bool {
            match n {
                Node::Witness(i) => s.contains(i),
                Node::Group { k, members } => members.iter().filter(|m| eval(m, s)).count() >= *k,
            }
        }
        self.quorum.as_ref().is_none_or(|q| eval(q, cosigned))
    }

    /// Verifies a checkpoint note: signed by a policy log, origin `origin`, and cosigned by a
    /// quorum of policy witnesses. Unknown signatures are ignored; a bad signature from a
    /// known key rejects the note.
    pub fn verify_checkpoint(
        &self,
        note_bytes: &[u8],
        origin: &str,
    ) -> Result<CosignedCheckpoint, PolicyError> {
        let note = Note::parse(note_bytes).map_err(CheckpointError::from)?;
        self.verify_note(note, origin)
    }

    /// As [`verify_checkpoint`](Self::verify_checkpoint), for an already parsed note.
    pub fn verify_note(&self, note: Note, origin: &str) -> Result<CosignedCheckpoint, PolicyError> {
        let mut keys: Vec<NoteVerifier> = self.logs.iter().map(|l| l.key.clone()).collect();
        keys.extend(self.witnesses.iter().map(|w| w.key.clone()));
        let verified: Vec<VerifiedSignature> = note.verify(&keys).map_err(CheckpointError::from)?;
        let by_log = verified.iter().any(|v| {
            self.logs
                .iter()
                .any(|l| l.key.name() == v.name && l.key.key_id() == v.key_id)
        });
        if !by_log {
            return Err(CheckpointError::Note(NoteError::NoKnownSignature).into());
        }
        let checkpoint = Checkpoint::parse_text(note.text())?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            }
            .into());
        }
        let mut set = BTreeSet::new();
        let mut cosigners = Vec::new();
        for v in &verified {
            if let Some(i) = self
                .witnesses
                .iter()
                .position(|w| w.key.name() == v.name && w.key.key_id() == v.key_id)
            {
                set.insert(i);
                cosigners.push((self.witnesses[i].name.clone(), v.timestamp.unwrap_or(0)));
            }
        }
        if !self.quorum_met(&set) {
            return Err(PolicyError::NoQuorum {
                cosigned: cosigners.into_iter().map(|c| c.0).collect(),
            });
        }
        Ok(CosignedCheckpoint {
            checkpoint,
            note,
            cosigners,
        })
    }
}
