//! C2SP `signed-note`: Ed25519 note signing, verifier keys (vkeys), and strict parsing and
//! verification of notes (which also carry `tlog-cosignature` witness cosignatures).
//!
//! Compatible with `golang.org/x/mod/sumdb/note` (same key ID, vkey and signature line
//! formats; checked against its published example in the tests).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::hash::from_hex;

/// Largest note accepted by [`Note::parse`], in bytes.
pub const MAX_NOTE_BYTES: usize = 256 * 1024;
/// Most signature lines accepted in one note (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Signature type byte of plain Ed25519 note signatures.
pub const SIG_TYPE_ED25519: u8 = 0x01;
/// Signature type byte of `cosignature/v1` timestamped Ed25519 witness cosignatures.
pub const SIG_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// The em dash (U+2014) that opens every signature line.
const DASH: &str = "\u{2014}";

/// What is wrong with a note, a key or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_BYTES`].
    #[error("note too large: {0} bytes")]
    TooLarge(usize),
    /// Not UTF-8, a control character, or a missing final newline.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// A signature line does not have the `— name base64` form.
    #[error("malformed signature line {line}: {reason}")]
    BadSignatureLine {
        /// 1-based line number within the signature block.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("too many signatures: {0}")]
    TooManySignatures(usize),
    /// A key name is empty, contains a space or a `+`.
    #[error("invalid key name {0:?}")]
    BadKeyName(String),
    /// A vkey or skey string is malformed.
    #[error("malformed key: {0}")]
    BadKey(&'static str),
    /// A signature from a known key does not verify: the note is rejected.
    #[error("invalid signature by known key {name} ({id:08x})")]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key ID.
        id: u32,
    },
    /// No signature from any known key.
    #[error("no signature from a known key")]
    NoKnownSignature,
    /// The text to sign is not a valid note text.
    #[error("invalid note text: {0}")]
    BadText(&'static str),
}

/// Checks a key name: non-empty, no Unicode white space, no `+`.
pub fn check_key_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(NoteError::BadKeyName(name.to_owned()));
    }
    Ok(())
}

/// `SHA-256(name || 0x0A || sig_type || public key)[:4]` as a big-endian `u32`.
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Checks note text: UTF-8 is given by `&str`; no control characters but newline, ends in
/// a newline, and is not empty.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::BadText(
            "must be non-empty and end with a newline",
        ));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::BadText("contains a control character"));
    }
    Ok(())
}

/// The kind of key behind a verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Plain Ed25519 note signatures (type 0x01), e.g. the log's checkpoint key.
    Ed25519,
    /// `cosignature/v1` witness cosignatures (type 0x04).
    CosignatureV1,
}

impl KeyKind {
    /// The signature type byte.
    pub fn type_byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => SIG_TYPE_ED25519,
            KeyKind::CosignatureV1 => SIG_TYPE_COSIGNATURE_V1,
        }
    }
}

/// A public key with its name, able to verify note signatures (a parsed vkey).
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    kind: KeyKind,
    key: VerifyingKey,
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({})", self.to_vkey())
    }
}

impl NoteVerifier {
    /// A verifier of the given kind.
    pub fn new(name: &str, kind: KeyKind, key: VerifyingKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            id: key_id(name, kind.type_byte(), key.as_bytes()),
            kind,
            key,
        })
    }

    /// Parses a vkey `name+hexkeyid+base64(type || public key)` (types 0x01 and 0x04).
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hex_id), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::BadKey("expected name+keyid+key"));
        };
        check_key_name(name)?;
        if hex_id.len() != 8 {
            return Err(NoteError::BadKey("key ID must be 8 hex digits"));
        }
        let id_bytes = from_hex(hex_id).ok_or(NoteError::BadKey("key ID is not hex"))?;
        let id = u32::from_be_bytes([id_bytes[0], id_bytes[1], id_bytes[2], id_bytes[3]]);
        let raw = B64
            .decode(b64)
            .map_err(|_| NoteError::BadKey("key is not base64"))?;
        let kind = match raw.first() {
            Some(&SIG_TYPE_ED25519) => KeyKind::Ed25519,
            Some(&SIG_TYPE_COSIGNATURE_V1) => KeyKind::CosignatureV1,
            _ => return Err(NoteError::BadKey("unsupported signature type")),
        };
        let pk: [u8; 32] = raw[1..]
            .try_into()
            .map_err(|_| NoteError::BadKey("Ed25519 public key must be 32 bytes"))?;
        let key =
            VerifyingKey::from_bytes(&pk).map_err(|_| NoteError::BadKey("invalid Ed25519 key"))?;
        let v = Self::new(name, kind, key)?;
        if v.id != id {
            return Err(NoteError::BadKey("key ID does not match name and key"));
        }
        Ok(v)
    }

    /// Parses a witness vkey for `cosignature/v1`: a native type-0x04 vkey, or (as Go's
    /// `formats/note` also accepts) a plain Ed25519 type-0x01 vkey of the same key, whose key
    /// ID is then recomputed with type 0x04.
    pub fn cosigner_from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let v = Self::from_vkey(vkey)?;
        match v.kind {
            KeyKind::CosignatureV1 => Ok(v),
            KeyKind::Ed25519 => Self::new(&v.name, KeyKind::CosignatureV1, v.key),
        }
    }

    /// The vkey string.
    pub fn to_vkey(&self) -> String {
        let mut raw = vec![self.kind.type_byte()];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, B64.encode(raw))
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// Key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Verifies one signature (without the key ID prefix) over `text`. Returns the cosignature
    /// timestamp for cosigners.
    pub fn verify(&self, text: &str, sig: &[u8]) -> Result<Option<u64>, NoteError> {
        let bad = || NoteError::InvalidSignature {
            name: self.name.clone(),
            id: self.id,
        };
        match self.kind {
            KeyKind::Ed25519 => {
                let s = Signature::from_slice(sig).map_err(|_| bad())?;
                self.key
                    .verify_strict(text.as_bytes(), &s)
                    .map_err(|_| bad())?;
                Ok(None)
            }
            KeyKind::CosignatureV1 => {
                if sig.len() != 8 + 64 {
                    return Err(bad());
                }
                let ts = u64::from_be_bytes(sig[..8].try_into().map_err(|_| bad())?);
                if ts > i64::MAX as u64 {
                    return Err(bad());
                }
                let s = Signature::from_slice(&sig[8..]).map_err(|_| bad())?;
                let msg = crate::cosign::cosigned_message(text, ts);
                self.key.verify_strict(&msg, &s).map_err(|_| bad())?;
                Ok(Some(ts))
            }
        }
    }
}

/// An Ed25519 note signer (type 0x01): the log's checkpoint key, for example.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteSigner({}+{:08x}+<redacted>)", self.name, self.id)
    }
}

impl NoteSigner {
    /// A signer from a name and an Ed25519 signing key.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        let id = key_id(name, SIG_TYPE_ED25519, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// A signer from a 32-byte seed (the caller draws it from its RNG).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    /// Parses a Go-style skey `PRIVATE+KEY+name+hexkeyid+base64(0x01 || seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::BadKey("skey must start with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hex_id), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::BadKey("expected PRIVATE+KEY+name+keyid+key"));
        };
        let raw = B64
            .decode(b64)
            .map_err(|_| NoteError::BadKey("key is not base64"))?;
        if raw.first() != Some(&SIG_TYPE_ED25519) {
            return Err(NoteError::BadKey("unsupported signature type"));
        }
        let seed: [u8; 32] = raw[1..]
            .try_into()
            .map_err(|_| NoteError::BadKey("Ed25519 seed must be 32 bytes"))?;
        let s = Self::from_seed(name, &seed)?;
        if hex_id.len() != 8 || format!("{:08x}", s.id) != hex_id.to_ascii_lowercase() {
            return Err(NoteError::BadKey("key ID does not match name and key"));
        }
        Ok(s)
    }

    /// The skey string (secret!).
    pub fn to_skey(&self) -> String {
        let mut raw = vec![SIG_TYPE_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            B64.encode(raw)
        )
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            kind: KeyKind::Ed25519,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` (a valid note text).
    pub fn sign(&self, text: &str) -> Result<NoteSignature, NoteError> {
        check_text(text)?;
        let sig = self.key.sign(text.as_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.id,
            signature: sig.to_bytes().to_vec(),
        })
    }
}

/// One signature line: key name, key ID and signature bytes (without the key ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: u32,
    /// Signature bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line `— name base64(keyid || sig)\n`.
    pub fn to_line(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("{DASH} {} {}\n", self.name, B64.encode(raw))
    }

    /// Parses one signature line without its newline.
    fn parse_line(line: &str, n: usize) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::BadSignatureLine { line: n, reason };
        let rest = line
            .strip_prefix(DASH)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(bad("must start with an em dash and a space"))?;
        let (name, b64) = rest.split_once(' ').ok_or(bad("missing signature"))?;
        check_key_name(name).map_err(|_| bad("invalid key name"))?;
        let raw = B64
            .decode(b64)
            .map_err(|_| bad("signature is not base64"))?;
        if raw.len() < 5 {
            return Err(bad("signature too short"));
        }
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            signature: raw[4..].to_vec(),
        })
    }
}

/// A signature that verified under a known key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: u32,
    /// Key kind.
    pub kind: KeyKind,
    /// Cosignature timestamp (cosigners only).
    pub timestamp: Option<u64>,
}

/// A signed note: text plus signature lines. Parsing checks syntax only; call
/// [`Note::verify`] before trusting the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note with `text` and no signatures yet.
    pub fn new(text: &str) -> Result<Self, NoteError> {
        check_text(text)?;
        Ok(Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// The note text (including its final newline).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line (for instance a cosignature returned by a witness).
    pub fn add_signature(&mut self, sig: NoteSignature) {
        self.signatures.push(sig);
    }

    /// Signs the text with `signer` and adds the signature.
    pub fn sign(&mut self, signer: &NoteSigner) -> Result<(), NoteError> {
        let s = signer.sign(&self.text)?;
        self.signatures.push(s);
        Ok(())
    }

    /// The serialised note: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(self.text.len() + 1 + 128 * self.signatures.len());
        s.push_str(&self.text);
        s.push('\n');
        for sig in &self.signatures {
            s.push_str(&sig.to_line());
        }
        s
    }

    /// Parses a note strictly (size, UTF-8, control characters, signature line syntax).
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge(bytes.len()));
        }
        let s = std::str::from_utf8(bytes).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        if s.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("control character"));
        }
        if !s.ends_with('\n') {
            return Err(NoteError::Malformed("does not end with a newline"));
        }
        let split = s
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let text = &s[..split + 1];
        let block = &s[split + 2..];
        if block.is_empty() {
            return Err(NoteError::Malformed("no signatures"));
        }
        let lines: Vec<&str> = block[..block.len() - 1].split('\n').collect();
        if lines.len() > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures(lines.len()));
        }
        let signatures = lines
            .iter()
            .enumerate()
            .map(|(i, l)| NoteSignature::parse_line(l, i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        check_text(text).map_err(|_| NoteError::Malformed("empty text"))?;
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Verifies the signatures made by `known` keys: signatures of unknown keys (name and key
    /// ID not both matching) are ignored, any failing signature of a known key rejects the
    /// note, and at least one known signature must verify. Each known key is reported once.
    pub fn verify(&self, known: &[NoteVerifier]) -> Result<Vec<VerifiedSignature>, NoteError> {
        let mut out: Vec<VerifiedSignature> = Vec::new();
        for sig in &self.signatures {
            let Some(v) = known
                .iter()
                .find(|v| v.id == sig.key_id && v.name == sig.name)
            else {
                continue;
            };
            let timestamp = v.verify(&self.text, &sig.signature)?;
            if !out.iter().any(|o| o.key_id == v.id && o.name == v.name) {
                out.push(VerifiedSignature {
                    name: v.name.clone(),
                    key_id: v.id,
                    kind: v.kind,
                    timestamp,
                });
            }
        }
        if out.is_empty() {
            return Err(NoteError::NoKnownSignature);
        }
        Ok(out)
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names() {
        assert!(check_key_name("example.com/log").is_ok());
        for bad in ["", "a b", "a+b", "a\u{a0}b", "a\tb"] {
            assert!(check_key_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parse_rejects_garbage() {
        for bad in [
            &b""[..],
            b"text\n",
            b"text\n\n",
            b"text\n\n\xe2\x80\x94 name AAAAAAA=",
            b"text\n\n- name AAAAAAAA\n",
            b"text\n\n\xe2\x80\x94 name AAAA\n",
            b"text\r\n\n\xe2\x80\x94 name AAAAAAAA\n",
            b"\xff\n\n\xe2\x80\x94 name AAAAAAAA\n",
            b"text\n\n\xe2\x80\x94 na+me AAAAAAAA\n",
        ] {
            assert!(
                Note::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let ok = Note::parse("text\n\n\u{2014} name AAAAAAAA\n".as_bytes()).unwrap();
        assert_eq!(ok.text(), "text\n");
        assert_eq!(ok.signatures()[0].key_id, 0);
    }
}
