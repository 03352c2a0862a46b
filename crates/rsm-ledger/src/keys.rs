//! Per-party chains (sequence numbers and previous-entry hashes), the key registry (which key
//! is in force for each party at each log index), and the server's admission check.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;

use crate::envelope::{Envelope, EnvelopeError, Party, TYPE_KEY_REGISTER, TYPE_KEY_ROTATE};
use crate::hash::{Hash, empty_root};
use crate::merkle::{HashReader, TreeError, root_at};

/// A break in a party's chain of entries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The sequence number is not the next one.
    #[error("party {party}: expected seq {expected} found {found}")]
    Sequence {
        /// Party.
        party: Party,
        /// Expected sequence number.
        expected: u64,
        /// Sequence number found.
        found: u64,
    },
    /// The previous-entry hash is not the leaf hash of the party's previous entry.
    #[error("party {party} seq {seq}: prev hash {found} is not the previous entry's {expected}")]
    PrevHash {
        /// Party.
        party: Party,
        /// Sequence number of the entry.
        seq: u64,
        /// Leaf hash of the previous entry (zeros for the first).
        expected: Hash,
        /// Hash in the entry.
        found: Hash,
    },
}

/// The head of one party's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChainHead {
    /// Sequence number the next entry must carry.
    pub next_seq: u64,
    /// Leaf hash of the last entry ([`Hash::ZERO`] before the first).
    pub last: Hash,
}

/// The chain heads of all parties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyChains {
    heads: BTreeMap<Party, ChainHead>,
}

impl PartyChains {
    /// No entries yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The head of `party` (default for a party without entries).
    pub fn head(&self, party: &Party) -> ChainHead {
        self.heads.get(party).copied().unwrap_or_default()
    }

    /// All heads.
    pub fn heads(&self) -> &BTreeMap<Party, ChainHead> {
        &self.heads
    }

    /// Sets a head (when restoring saved state).
    pub fn set_head(&mut self, party: Party, head: ChainHead) {
        self.heads.insert(party, head);
    }

    /// Checks that `env` continues its party's chain.
    pub fn check(&self, env: &Envelope) -> Result<(), ChainError> {
        let b = &env.body;
        let h = self.head(&b.party);
        if b.seq != h.next_seq {
            return Err(ChainError::Sequence {
                party: b.party.clone(),
                expected: h.next_seq,
                found: b.seq,
            });
        }
        if b.prev != h.last {
            return Err(ChainError::PrevHash {
                party: b.party.clone(),
                seq: b.seq,
                expected: h.last,
                found: b.prev,
            });
        }
        Ok(())
    }

    /// Moves `env`'s party head past `env`, whose leaf hash is `leaf`.
    pub fn advance(&mut self, env: &Envelope, leaf: Hash) {
        self.heads.insert(
            env.body.party.clone(),
            ChainHead {
                next_seq: env.body.seq.saturating_add(1),
                last: leaf,
            },
        );
    }
}

/// A key-registry violation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The party has no key yet and the entry is not its registration.
    #[error("party {0} has no registered key")]
    NoKey(Party),
    /// A second registration (keys change only by rotation).
    #[error("party {0} already has a key; use a rotation")]
    AlreadyRegistered(Party),
    /// The registered key differs from the one pinned out of band.
    #[error("party {0}: registered key differs from its pinned key")]
    PinMismatch(Party),
    /// The data field is not a valid Ed25519 public key, or is a key of small order.
    #[error("party {0}: key entry does not carry a valid public key")]
    BadKeyData(Party),
    /// The signature does not verify under the key in force.
    #[error(transparent)]
    Signature(#[from] EnvelopeError),
}

/// The effect a valid entry has on the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChange {
    /// An ordinary entry.
    None,
    /// The party's first key, in force from this entry on.
    Register(VerifyingKey),
    /// A new key, in force from the next index on.
    Rotate(VerifyingKey),
}

/// Which key is in force for each party, learnt from the log in order.
///
/// A party's first key comes from its `key.register` entry, signed by that key (proof of
/// possession). Because the host could otherwise register a key of its own for a party that
/// has not registered yet, auditors and the server should pin each party's first key from an
/// out-of-band source (the delegation's letter); a pinned party's registration must carry the
/// pinned key. `key.rotate` entries are signed by the key in force and switch to the key in
/// their data from the next index on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyRegistry {
    pins: BTreeMap<Party, VerifyingKey>,
    keys: BTreeMap<Party, Vec<(u64, VerifyingKey)>>,
}

impl KeyRegistry {
    /// A registry with out-of-band pins of first keys (may be empty).
    pub fn new(pins: BTreeMap<Party, VerifyingKey>) -> Self {
        KeyRegistry {
            pins,
            keys: BTreeMap::new(),
        }
    }

    /// Pins `party`'s first key (a pin recorded in the log, learnt in order).
    pub fn pin(&mut self, party: Party, key: VerifyingKey) {
        self.pins.insert(party, key);
    }

    /// The first-key pins in force.
    pub fn pins(&self) -> &BTreeMap<Party, VerifyingKey> {
        &self.pins
    }

    /// The key of `party` in force for an entry at `index`.
    pub fn key_at(&self, party: &Party, index: u64) -> Option<VerifyingKey> {
        self.keys
            .get(party)?
            .iter()
            .rev()
            .find(|(from, _)| *from <= index)
            .map(|(_, k)| *k)
    }

    /// The latest key of `party`.
    pub fn current(&self, party: &Party) -> Option<VerifyingKey> {
        self.keys.get(party)?.last().map(|(_, k)| *k)
    }

    /// Every party's key history: (first index in force, key).
    pub fn history(&self) -> &BTreeMap<Party, Vec<(u64, VerifyingKey)>> {
        &self.keys
    }

    /// Restores one history entry (saved state).
    pub fn restore(&mut self, party: Party, from: u64, key: VerifyingKey) {
        self.keys.entry(party).or_default().push((from, key));
    }

    /// The key an ordinary (non-key) entry at `index` must verify under.
    pub fn signing_key(&self, index: u64, env: &Envelope) -> Result<VerifyingKey, KeyError> {
        self.key_at(&env.body.party, index)
            .ok_or_else(|| KeyError::NoKey(env.body.party.clone()))
    }

    /// Fully checks `env` at `index` (signature included) without changing the registry.
    pub fn check(&self, index: u64, env: &Envelope) -> Result<KeyChange, KeyError> {
        self.check_preverified(index, env, None)
    }

    /// As [`check`](Self::check), where the caller has already verified the signature of an
    /// ordinary entry under `preverified` (e.g. on another core, before the writer). The
    /// check is skipped only when that key is exactly the key in force at `index`; key
    /// registrations and rotations are always verified here.
    pub fn check_preverified(
        &self,
        index: u64,
        env: &Envelope,
        preverified: Option<&VerifyingKey>,
    ) -> Result<KeyChange, KeyError> {
        let party = &env.body.party;
        match env.body.entry_type.as_str() {
            TYPE_KEY_REGISTER => {
                if self.current(party).is_some() {
                    return Err(KeyError::AlreadyRegistered(party.clone()));
                }
                let k = env
                    .data_key()
                    .filter(|k| !k.is_weak())
                    .ok_or_else(|| KeyError::BadKeyData(party.clone()))?;
                if self.pins.get(party).is_some_and(|p| *p != k) {
                    return Err(KeyError::PinMismatch(party.clone()));
                }
                env.verify(&k)?;
                Ok(KeyChange::Register(k))
            }
            TYPE_KEY_ROTATE => {
                let old = self.signing_key(index, env)?;
                // A key of small order would satisfy the cofactored equation for any
                // signature (see `sigcheck`): refused like a malformed key.
                let k = env
                    .data_key()
                    .filter(|k| !k.is_weak())
                    .ok_or_else(|| KeyError::BadKeyData(party.clone()))?;
                env.verify(&old)?;
                Ok(KeyChange::Rotate(k))
            }
            _ => {
                let key = self.signing_key(index, env)?;
                if preverified != Some(&key) {
                    env.verify(&key)?;
                }
                Ok(KeyChange::None)
            }
        }
    }

    /// Applies the change [`check`](Self::check) returned for `env` at `index`.
    pub fn apply(&mut self, index: u64, env: &Envelope, change: KeyChange) {
        let party = env.body.party.clone();
        match change {
            KeyChange::None => {}
            KeyChange::Register(k) => self.keys.entry(party).or_default().push((index, k)),
            KeyChange::Rotate(k) => self.keys.entry(party).or_default().push((index + 1, k)),
        }
    }

    /// Whether `env` changes keys (and so must be checked in order, before later entries).
    pub fn is_key_entry(env: &Envelope) -> bool {
        matches!(
            env.body.entry_type.as_str(),
            TYPE_KEY_REGISTER | TYPE_KEY_ROTATE
        )
    }
}

/// Why the server refuses a submitted envelope.
#[derive(Debug, thiserror::Error)]
pub enum AdmissionError {
    /// Malformed envelope.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// Breaks the party's chain.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Key or signature problem.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The anchor is not a state of this log.
    #[error("anchor ({size}, {root}) is not a state of this log")]
    AnchorMismatch {
        /// Anchor size.
        size: u64,
        /// Anchor root.
        root: Hash,
    },
    /// The anchor is ahead of the log.
    #[error("anchor size {anchor} is beyond the log size {size}")]
    AnchorAhead {
        /// Anchor size.
        anchor: u64,
        /// Log size.
        size: u64,
    },
    /// The anchor is older than the allowed lag.
    #[error("anchor size {anchor} lags the log size {size} by more than {max_lag}")]
    AnchorStale {
        /// Anchor size.
        anchor: u64,
        /// Log size.
        size: u64,
        /// Allowed lag.
        max_lag: u64,
    },
    /// Reading stored hashes failed.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// What the server keeps to admit entries: key registry and chain heads.
#[derive(Debug, Clone, Default)]
pub struct LedgerState {
    /// Keys in force.
    pub keys: KeyRegistry,
    /// Chain heads.
    pub chains: PartyChains,
}

/// An envelope that passed admission, ready to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    /// The parsed envelope.
    pub envelope: Envelope,
    /// Its key effect (pass to [`LedgerState::commit`]).
    pub change: KeyChange,
    /// Its leaf hash.
    pub leaf_hash: Hash,
}

impl LedgerState {
    /// A state with out-of-band key pins.
    pub fn new(pins: BTreeMap<Party, VerifyingKey>) -> Self {
        LedgerState {
            keys: KeyRegistry::new(pins),
            chains: PartyChains::new(),
        }
    }

    /// Checks a submitted envelope that would become entry `size` of a log of `size`
    /// entries: strict parse, chain, key and signature, and that the anchor is a state of the
    /// log no more than `max_anchor_lag` entries old. Changes nothing.
    pub fn admit(
        &self,
        bytes: &[u8],
        reader: &impl HashReader,
        size: u64,
        max_anchor_lag: u64,
    ) -> Result<Admitted, AdmissionError> {
        self.admit_preverified(bytes, reader, size, max_anchor_lag, None)
    }

    /// As [`admit`](Self::admit), skipping the signature check of an ordinary entry whose
    /// signature the caller verified under `preverified`, if that is the key in force (see
    /// [`KeyRegistry::check_preverified`]).
    pub fn admit_preverified(
        &self,
        bytes: &[u8],
        reader: &impl HashReader,
        size: u64,
        max_anchor_lag: u64,
        preverified: Option<&VerifyingKey>,
    ) -> Result<Admitted, AdmissionError> {
        let envelope = Envelope::parse(bytes)?;
        self.chains.check(&envelope)?;
        let a = envelope.body.anchor;
        if a.size > size {
            return Err(AdmissionError::AnchorAhead {
                anchor: a.size,
                size,
            });
        }
        if size - a.size > max_anchor_lag {
            return Err(AdmissionError::AnchorStale {
                anchor: a.size,
                size,
                max_lag: max_anchor_lag,
            });
        }
        let root = if a.size == 0 {
            empty_root()
        } else {
            root_at(reader, a.size)?
        };
        if root != a.root {
            return Err(AdmissionError::AnchorMismatch {
                size: a.size,
                root: a.root,
            });
        }
        let change = self.keys.check_preverified(size, &envelope, preverified)?;
        let leaf_hash = crate::hash::leaf_hash(bytes);
        Ok(Admitted {
            envelope,
            change,
            leaf_hash,
        })
    }

    /// Rebuilds the state from an entry already in the log (start-up replay, in index order):
    /// checks chain, key and signature like [`admit`](Self::admit) but not the anchor, then
    /// records it.
    pub fn replay_entry(&mut self, index: u64, bytes: &[u8]) -> Result<(), AdmissionError> {
        let envelope = Envelope::parse(bytes)?;
        self.chains.check(&envelope)?;
        let change = self.keys.check(index, &envelope)?;
        let a = Admitted {
            envelope,
            change,
            leaf_hash: crate::hash::leaf_hash(bytes),
        };
        self.commit(index, &a);
        Ok(())
    }

    /// Records an admitted envelope appended at `index` (after the append committed).
    pub fn commit(&mut self, index: u64, a: &Admitted) {
        self.keys.apply(index, &a.envelope, a.change);
        self.chains.advance(&a.envelope, a.leaf_hash);
    }
}
