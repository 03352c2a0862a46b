//! The RSM entry envelope: the canonical, versioned, signed record that is a log leaf.
//!
//! # Encoding (version 1)
//!
//! All integers big-endian; every variable field length-prefixed; no optional fields, so
//! each envelope has exactly one encoding:
//!
//! ```text
//! u8     version = 1
//! u8     party length (2 or 3)   party (ASCII: two upper-case letters, or "SEC")
//! u64    sequence number of this party's entry (0 for its first)
//! [32]   leaf hash of this party's previous entry (zeros for the first)
//! u8     entry type length (1..=64)   entry type (ASCII [a-z0-9._-])
//! [32]   content commitment
//! u64    anchor size            [32] anchor root   (a recent checkpoint of the log)
//! u16    data length (0..=1024)  data (type-specific public bytes, e.g. a public key)
//! [64]   Ed25519 signature over "rsm-entry/v1\n" || all the bytes above
//! ```

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::hash::{HASH_SIZE, Hash, leaf_hash};

/// The only envelope version this code writes and reads.
pub const ENVELOPE_VERSION: u8 = 1;
/// Domain separation prefix of the signed message.
pub const ENTRY_SIGNING_DOMAIN: &[u8] = b"rsm-entry/v1\n";
/// Domain tag of salted (confidential) content commitments.
pub const SALTED_COMMITMENT_DOMAIN: &[u8] = b"rsm-salted-commitment/v1\n";
/// Longest entry type.
pub const MAX_ENTRY_TYPE: usize = 64;
/// Largest data field.
pub const MAX_DATA: usize = 1024;
/// Largest encoded envelope.
pub const MAX_ENVELOPE_BYTES: usize =
    1 + 1 + 3 + 8 + 32 + 1 + MAX_ENTRY_TYPE + 32 + 8 + 32 + 2 + MAX_DATA + 64;

/// Entry type of a key registration (data: the party's first public key, 32 bytes; signed
/// by that key).
pub const TYPE_KEY_REGISTER: &str = "key.register";
/// Entry type of a secretariat pin of a party's first key (data: the two-letter party code,
/// then the 32-byte key; signed by the secretariat). The party's registration must carry it.
pub const TYPE_KEY_PIN: &str = "key.pin";

/// Entry type of a key rotation (data: the new public key, 32 bytes; signed by the key in
/// force).
pub const TYPE_KEY_ROTATE: &str = "key.rotate";

/// Why bytes are not a valid envelope, or an envelope cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Unknown version byte.
    #[error("unsupported envelope version {0}")]
    Version(u8),
    /// The input ended early.
    #[error("truncated envelope: {0}")]
    Truncated(&'static str),
    /// Bytes after the signature.
    #[error("{0} trailing bytes after the envelope")]
    TrailingBytes(usize),
    /// Larger than [`MAX_ENVELOPE_BYTES`].
    #[error("envelope too large: {0} bytes")]
    TooLarge(usize),
    /// A party code that is not two upper-case letters or `SEC`.
    #[error("invalid party code {0:?}")]
    BadParty(String),
    /// An entry type outside `[a-z0-9._-]{1,64}`.
    #[error("invalid entry type {0:?}")]
    BadEntryType(String),
    /// A data field over [`MAX_DATA`].
    #[error("data field too large: {0} bytes")]
    DataTooLarge(usize),
    /// The signature does not verify under the given key.
    #[error("signature of {party} entry {seq} does not verify")]
    BadSignature {
        /// Party.
        party: Party,
        /// Sequence number.
        seq: u64,
    },
}

/// The submitter of an entry: a party code (two upper-case ASCII letters, e.g. `KR`) or
/// `SEC` for the secretariat.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Party(String);

impl Party {
    /// The secretariat.
    pub fn secretariat() -> Self {
        Party("SEC".to_owned())
    }

    /// Parses a party code.
    pub fn new(s: &str) -> Result<Self, EnvelopeError> {
        let ok = s == "SEC" || (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()));
        if ok {
            Ok(Party(s.to_owned()))
        } else {
            Err(EnvelopeError::BadParty(s.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Party({})", self.0)
    }
}

impl std::str::FromStr for Party {
    type Err = EnvelopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Party::new(s)
    }
}

/// A short entry type (`[a-z0-9._-]{1,64}`), e.g. `notification.launch` or `key.rotate`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EntryType(String);

impl EntryType {
    /// Parses an entry type.
    pub fn new(s: &str) -> Result<Self, EnvelopeError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_ENTRY_TYPE
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if ok {
            Ok(EntryType(s.to_owned()))
        } else {
            Err(EnvelopeError::BadEntryType(s.to_owned()))
        }
    }

    /// The type string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A recent checkpoint (size, root) the submitter saw: the entry cannot be older than it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Anchor {
    /// Checkpoint size.
    pub size: u64,
    /// Checkpoint root.
    pub root: Hash,
}

/// Commitment to public content: `SHA-256(content)`.
pub fn commit_public(content: &[u8]) -> Hash {
    crate::hash::sha256(content)
}

/// Commitment to confidential content: `SHA-256("rsm-salted-commitment/v1\n" || salt ||
/// content)`. The salt (32 random bytes from the caller's RNG) is kept with the content and
/// revealed only to those entitled to check it.
pub fn commit_salted(salt: &[u8; 32], content: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(SALTED_COMMITMENT_DOMAIN);
    h.update(salt);
    h.update(content);
    Hash(h.finalize().into())
}

/// Checks a salted commitment in constant time with respect to the hash comparison.
pub fn verify_salted(commitment: &Hash, salt: &[u8; 32], content: &[u8]) -> bool {
    let c = commit_salted(salt, content);
    c.0.iter()
        .zip(commitment.0.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// The signed fields of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryBody {
    /// Submitting party.
    pub party: Party,
    /// This party's sequence number (0 for its first entry).
    pub seq: u64,
    /// Leaf hash of this party's previous entry ([`Hash::ZERO`] for the first).
    pub prev: Hash,
    /// Entry type.
    pub entry_type: EntryType,
    /// Commitment to the content (public or salted).
    pub commitment: Hash,
    /// Freshness anchor.
    pub anchor: Anchor,
    /// Type-specific public data (at most [`MAX_DATA`] bytes).
    pub data: Vec<u8>,
}

impl EntryBody {
    /// Canonical encoding of the signed part.
    pub fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        if self.data.len() > MAX_DATA {
            return Err(EnvelopeError::DataTooLarge(self.data.len()));
        }
        let mut b = Vec::with_capacity(200 + self.data.len());
        b.push(ENVELOPE_VERSION);
        b.push(self.party.0.len() as u8);
        b.extend_from_slice(self.party.0.as_bytes());
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.prev.0);
        b.push(self.entry_type.0.len() as u8);
        b.extend_from_slice(self.entry_type.0.as_bytes());
        b.extend_from_slice(&self.commitment.0);
        b.extend_from_slice(&self.anchor.size.to_be_bytes());
        b.extend_from_slice(&self.anchor.root.0);
        b.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
        b.extend_from_slice(&self.data);
        Ok(b)
    }

    /// The message the party signs: domain prefix and canonical body.
    pub fn signing_message(&self) -> Result<Vec<u8>, EnvelopeError> {
        let mut m = ENTRY_SIGNING_DOMAIN.to_vec();
        m.extend_from_slice(&self.encode()?);
        Ok(m)
    }

    /// Signs the body (done by the party, on its own machine).
    pub fn sign(self, key: &SigningKey) -> Result<Envelope, EnvelopeError> {
        let sig = key.sign(&self.signing_message()?);
        Ok(Envelope {
            body: self,
            signature: sig.to_bytes(),
        })
    }
}

/// A signed entry: the log leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Signed fields.
    pub body: EntryBody,
    /// Ed25519 signature.
    pub signature: [u8; 64],
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], EnvelopeError> {
        if self.b.len() < n {
            return Err(EnvelopeError::Truncated(what));
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, EnvelopeError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, EnvelopeError> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, EnvelopeError> {
        let s = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_be_bytes(a))
    }
    fn hash(&mut self, what: &'static str) -> Result<Hash, EnvelopeError> {
        let s = self.take(HASH_SIZE, what)?;
        Ok(Hash::from_slice(s).unwrap_or_default())
    }
    fn ascii(&mut self, n: usize, what: &'static str) -> Result<&'a str, EnvelopeError> {
        let s = self.take(n, what)?;
        if !s.is_ascii() {
            return Err(EnvelopeError::Truncated(what));
        }
        std::str::from_utf8(s).map_err(|_| EnvelopeError::Truncated(what))
    }
}

impl Envelope {
    /// Canonical encoding (the log leaf bytes).
    pub fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        let mut b = self.body.encode()?;
        b.extend_from_slice(&self.signature);
        Ok(b)
    }

    /// Parses an envelope strictly: known version, valid fields, bounded sizes, no trailing
    /// bytes. Does not check the signature.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge(bytes.len()));
        }
        let mut r = Reader { b: bytes };
        let v = r.u8("version")?;
        if v != ENVELOPE_VERSION {
            return Err(EnvelopeError::Version(v));
        }
        let pl = usize::from(r.u8("party length")?);
        if !(2..=3).contains(&pl) {
            return Err(EnvelopeError::BadParty(format!("<{pl} bytes>")));
        }
        let party = Party::new(r.ascii(pl, "party")?)?;
        let seq = r.u64("sequence")?;
        let prev = r.hash("previous hash")?;
        let tl = usize::from(r.u8("type length")?);
        if tl == 0 || tl > MAX_ENTRY_TYPE {
            return Err(EnvelopeError::BadEntryType(format!("<{tl} bytes>")));
        }
        let entry_type = EntryType::new(r.ascii(tl, "entry type")?)?;
        let commitment = r.hash("commitment")?;
        let anchor = Anchor {
            size: r.u64("anchor size")?,
            root: r.hash("anchor root")?,
        };
        let dl = usize::from(r.u16("data length")?);
        if dl > MAX_DATA {
            return Err(EnvelopeError::DataTooLarge(dl));
        }
        let data = r.take(dl, "data")?.to_vec();
        let sig = r.take(64, "signature")?;
        if !r.b.is_empty() {
            return Err(EnvelopeError::TrailingBytes(r.b.len()));
        }
        let mut signature = [0u8; 64];
        signature.copy_from_slice(sig);
        Ok(Envelope {
            body: EntryBody {
                party,
                seq,
                prev,
                entry_type,
                commitment,
                anchor,
                data,
            },
            signature,
        })
    }

    /// Verifies the signature under `key` (strict Ed25519: no malleable or small-order
    /// signatures).
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), EnvelopeError> {
        let bad = || EnvelopeError::BadSignature {
            party: self.body.party.clone(),
            seq: self.body.seq,
        };
        let msg = self.body.signing_message()?;
        key.verify_strict(&msg, &Signature::from_bytes(&self.signature))
            .map_err(|_| bad())
    }

    /// The RFC 6962 leaf hash of the encoded envelope (what the next entry's `prev` holds).
    pub fn leaf_hash(&self) -> Result<Hash, EnvelopeError> {
        Ok(leaf_hash(&self.encode()?))
    }

    /// For key entries, the public key in the data field.
    pub fn data_key(&self) -> Option<VerifyingKey> {
        let k: [u8; 32] = self.body.data.as_slice().try_into().ok()?;
        VerifyingKey::from_bytes(&k).ok()
    }
}
