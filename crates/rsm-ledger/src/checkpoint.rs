//! C2SP `tlog-checkpoint`: the signed tree head (origin, size, root, extension lines), and
//! the [`Checkpointer`] that signs only checkpoints consistent with the last one it signed.

use crate::hash::Hash;
use crate::merkle::{
    HashReader, TreeError, VerifyError, prove_consistency, root_at, verify_consistency,
};
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier, VerifiedSignature};

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// Unique identity of the log (first line).
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// Optional extension lines (opaque, non-empty, without newlines).
    pub extensions: Vec<String>,
}

/// What is wrong with a checkpoint, or why it may not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text is not a checkpoint body.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The note around it is malformed or its signatures do not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The origin is not the expected one.
    #[error("checkpoint origin {found:?}, expected {expected:?}")]
    WrongOrigin {
        /// Expected origin.
        expected: String,
        /// Found origin.
        found: String,
    },
    /// The log signature is missing among the verified signatures.
    #[error("checkpoint is not signed by the log key {0}")]
    NotSignedByLog(String),
    /// A checkpoint smaller than one already signed.
    #[error("refusing to sign size {new}: already signed size {last}")]
    Rollback {
        /// Last signed size.
        last: u64,
        /// Requested size.
        new: u64,
    },
    /// The new root is not consistent with the last signed one.
    #[error("refusing to sign size {new}: not consistent with signed size {last}: {source}")]
    Inconsistent {
        /// Last signed size.
        last: u64,
        /// Requested size.
        new: u64,
        /// The verification failure.
        source: VerifyError,
    },
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Self {
        Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text: `origin\nsize\nbase64(root)\n[extension\n]...`.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Checks that the fields serialise to a parseable body.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        let line_ok = |l: &str| !l.is_empty() && !l.chars().any(|c| c < ' ');
        if !line_ok(&self.origin) {
            return Err(CheckpointError::Malformed(
                "origin must be one non-empty line",
            ));
        }
        if !self.extensions.iter().all(|e| line_ok(e)) {
            return Err(CheckpointError::Malformed(
                "extension lines must be non-empty single lines",
            ));
        }
        Ok(())
    }

    /// Parses a checkpoint body (the text of a note).
    pub fn parse_text(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed("must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing size line"))?;
        let root = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing root line"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        let size = parse_decimal(size).ok_or(CheckpointError::Malformed(
            "size must be decimal without leading zeros",
        ))?;
        let root = Hash::from_base64(root)
            .map_err(|_| CheckpointError::Malformed("root must be base64 of 32 bytes"))?;
        let c = Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        };
        c.validate()?;
        Ok(c)
    }

    /// Signs the checkpoint into a note with `signer` (no consistency check; see
    /// [`Checkpointer`]).
    pub fn sign(&self, signer: &NoteSigner) -> Result<Note, CheckpointError> {
        self.validate()?;
        let mut n = Note::new(&self.to_text())?;
        n.sign(signer)?;
        Ok(n)
    }
}

/// Parses an ASCII decimal `u64` with no sign and no leading zeros (except `0` itself).
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// A checkpoint read from a note whose log signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The parsed body.
    pub checkpoint: Checkpoint,
    /// The note, with every signature line (including cosignatures).
    pub note: Note,
    /// Signatures that verified under the given keys.
    pub verified: Vec<VerifiedSignature>,
}

/// Parses and verifies a signed checkpoint: the note must carry a valid signature of
/// `log_key`, and its origin must be `origin`. Other signatures verify under `others`
/// (witness keys) or are ignored if unknown.
pub fn open_checkpoint(
    bytes: &[u8],
    origin: &str,
    log_key: &NoteVerifier,
    others: &[NoteVerifier],
) -> Result<SignedCheckpoint, CheckpointError> {
    let note = Note::parse(bytes)?;
    let mut keys = Vec::with_capacity(others.len() + 1);
    keys.push(log_key.clone());
    keys.extend_from_slice(others);
    let verified = note.verify(&keys)?;
    if !verified
        .iter()
        .any(|v| v.name == log_key.name() && v.key_id == log_key.key_id())
    {
        return Err(CheckpointError::NotSignedByLog(log_key.name().to_owned()));
    }
    let checkpoint = Checkpoint::parse_text(note.text())?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::WrongOrigin {
            expected: origin.to_owned(),
            found: checkpoint.origin,
        });
    }
    Ok(SignedCheckpoint {
        checkpoint,
        note,
        verified,
    })
}

/// The log's checkpoint signer. It remembers the last signed (size, root) and refuses to
/// sign a checkpoint that is smaller or not proven consistent with it, so even a buggy or
/// compromised caller cannot make the secretariat key sign a fork.
#[derive(Debug, Clone)]
pub struct Checkpointer {
    origin: String,
    signer: NoteSigner,
    last: Option<(u64, Hash)>,
}

impl Checkpointer {
    /// A checkpointer for `origin`. `last` is the last signed (size, root), which the caller
    /// persists and passes back after a restart (`None` for a new log).
    pub fn new(origin: &str, signer: NoteSigner, last: Option<(u64, Hash)>) -> Self {
        Checkpointer {
            origin: origin.to_owned(),
            signer,
            last,
        }
    }

    /// The last signed (size, root).
    pub fn last(&self) -> Option<(u64, Hash)> {
        self.last
    }

    /// The verifier of the log key.
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// The log origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Signs (size, root) given a consistency proof from the last signed checkpoint.
    pub fn sign(
        &mut self,
        size: u64,
        root: Hash,
        proof_from_last: &[Hash],
        extensions: &[String],
    ) -> Result<Note, CheckpointError> {
        if let Some((last, last_root)) = self.last {
            if size < last {
                return Err(CheckpointError::Rollback { last, new: size });
            }
            if last > 0 {
                verify_consistency(last, size, proof_from_last, &last_root, &root).map_err(
                    |source| CheckpointError::Inconsistent {
                        last,
                        new: size,
                        source,
                    },
                )?;
            }
        }
        let cp = Checkpoint {
            origin: self.origin.clone(),
            size,
            root,
            extensions: extensions.to_vec(),
        };
        let note = cp.sign(&self.signer)?;
        self.last = Some((size, root));
        Ok(note)
    }

    /// Computes root and consistency proof from stored hashes and signs the tree of `size`.
    pub fn sign_from_reader(
        &mut self,
        reader: &impl HashReader,
        size: u64,
    ) -> Result<Note, CheckpointSignError> {
        let root = root_at(reader, size)?;
        let proof = match self.last {
            Some((last, _)) if last > 0 && last < size => prove_consistency(reader, last, size)?,
            _ => Vec::new(),
        };
        Ok(self.sign(size, root, &proof, &[])?)
    }
}

/// Failure of [`Checkpointer::sign_from_reader`].
#[derive(Debug, thiserror::Error)]
pub enum CheckpointSignError {
    /// Reading the tree failed.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// Signing was refused.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_strict() {
        let root = Hash([7; 32]).to_base64();
        assert!(Checkpoint::parse_text(&format!("o\n12\n{root}\n")).is_ok());
        assert!(Checkpoint::parse_text(&format!("o\n12\n{root}\next\n")).is_ok());
        for bad in [
            format!("o\n012\n{root}\n"),
            format!("o\n+12\n{root}\n"),
            format!("\n12\n{root}\n"),
            format!("o\n12\n{root}"),
            format!("o\n12\n{root}\n\n"),
            "o\n12\nAAAA\n".to_owned(),
            "o\n12\n".to_owned(),
            format!("o\n18446744073709551616\n{root}\n"),
        ] {
            assert!(Checkpoint::parse_text(&bad).is_err(), "{bad:?}");
        }
    }
}
