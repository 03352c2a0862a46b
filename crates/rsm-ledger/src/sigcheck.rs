//! Checking many entry signatures at once, for the auditor: Ed25519 batch verification with
//! the cofactored equation, and the one-by-one checks it falls back to.
//!
//! # What a batch accepts
//!
//! The log server admits an entry only if `verify_strict` accepts its signature (RFC 8032
//! with the unbatched, cofactorless equation `[s]B = R + [k]A`, canonical `s` and `R`, neither
//! `R` nor `A` of small order). Checking 200,000 entries that way costs one double-scalar
//! multiplication each; a batch of `n` signatures instead checks the random linear
//! combination
//!
//! ```text
//! [8]( [−Σ zᵢsᵢ]B + Σ [zᵢ]Rᵢ + Σ_keys [Σ_{i signed by A} zᵢkᵢ]A ) = O
//! ```
//!
//! in one multi-scalar multiplication (signatures of the same key share one point, so a log
//! of a few parties costs about one point per signature instead of two).
//!
//! It accepts a batch exactly when — except with probability about 2⁻¹²⁸ — every signature
//! in it satisfies the **cofactored** equation `[8][s]B = [8]R + [8][k]A` with a canonical
//! `s` and a decodable `R` (RFC 8032 §5.1.7 allows either equation). The set of signatures it
//! accepts is therefore slightly larger than `verify_strict`'s: a signature whose `R` carries
//! a small-order component, or whose `R` is encoded non-canonically, passes here and not
//! there. Only the holder of the private key can make such a signature (its prime-order part
//! still has to satisfy the equation), so a batch that passes still proves that every entry
//! was signed by the key in force: the difference is malleability by the signer, not
//! forgery. Keys of small order, which would let anyone satisfy the cofactored equation, are
//! refused when a key is registered or rotated in ([`crate::keys`]). An auditor that must
//! reproduce the server's exact rule uses the strict mode ([`SignatureCheck::Strict`]).
//!
//! # Determinism
//!
//! Engines read no randomness: the coefficients `zᵢ` are derived from the batch itself
//! (SHA-512 over a domain tag, every `H(R‖A‖M)` and every `s`), so the signer of an entry
//! cannot know them before its signature is fixed (Fiat–Shamir), and the same batch always
//! gives the same answer. A batch that fails is re-checked one signature at a time with the
//! same cofactored equation, so a finding names the exact entries, and the verdict on each
//! entry does not depend on which other entries shared its batch.

use std::collections::HashMap;

use curve25519_dalek::{
    EdwardsPoint, Scalar,
    constants::ED25519_BASEPOINT_POINT,
    edwards::CompressedEdwardsY,
    traits::{IsIdentity, VartimeMultiscalarMul},
};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

use crate::envelope::ENTRY_SIGNING_DOMAIN;

/// How the auditor checks ordinary entries' signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// Batches with the cofactored equation, one-by-one cofactored checks to name the
    /// failures (see the module documentation for what that accepts).
    #[default]
    Batch,
    /// One `verify_strict` per entry: exactly the server's admission rule.
    Strict,
}

/// One signed entry to check: the key in force and the entry's encoded bytes (envelope body
/// followed by its 64-byte signature, as stored in the log).
#[derive(Debug, Clone, Copy)]
pub struct SignedEntry<'a> {
    /// The key the entry must verify under.
    pub key: &'a VerifyingKey,
    /// The encoded envelope, signature last.
    pub bytes: &'a [u8],
}

impl<'a> SignedEntry<'a> {
    /// The signed body (without the signature) and the signature; `None` if too short.
    fn parts(&self) -> Option<(&'a [u8], &'a [u8; 64])> {
        let cut = self.bytes.len().checked_sub(64)?;
        let (body, sig) = self.bytes.split_at(cut);
        Some((body, sig.try_into().ok()?))
    }

    /// `verify_strict` over `"rsm-entry/v1\n" ‖ body`: the server's own rule.
    pub fn verify_strict(&self) -> bool {
        let Some((body, sig)) = self.parts() else {
            return false;
        };
        let mut msg = Vec::with_capacity(ENTRY_SIGNING_DOMAIN.len() + body.len());
        msg.extend_from_slice(ENTRY_SIGNING_DOMAIN);
        msg.extend_from_slice(body);
        self.key
            .verify_strict(&msg, &Signature::from_bytes(sig))
            .is_ok()
    }

    /// The cofactored check of this one signature: `[8]([s]B − [k]A − R) = O`.
    pub fn verify_cofactored(&self) -> bool {
        let Some(p) = self.prepare() else {
            return false;
        };
        let a = self.key.to_edwards();
        let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&p.k, &-a, &p.s);
        (sb_minus_ka - p.r).mul_by_cofactor().is_identity()
    }

    /// Decodes `s` (canonical) and `R`, and computes `k = H(R ‖ A ‖ M)` with the message
    /// streamed into the hash (no copy of the entry).
    fn prepare(&self) -> Option<Prepared> {
        let (body, sig) = self.parts()?;
        let r_bytes: [u8; 32] = sig[..32].try_into().ok()?;
        let s_bytes: [u8; 32] = sig[32..].try_into().ok()?;
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
        let r = CompressedEdwardsY(r_bytes).decompress()?;
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(self.key.as_bytes());
        h.update(ENTRY_SIGNING_DOMAIN);
        h.update(body);
        let hram: [u8; 64] = h.finalize().into();
        Some(Prepared {
            k: Scalar::from_bytes_mod_order_wide(&hram),
            hram,
            s,
            s_bytes,
            r,
        })
    }
}

struct Prepared {
    hram: [u8; 64],
    k: Scalar,
    s: Scalar,
    s_bytes: [u8; 32],
    r: EdwardsPoint,
}

/// Domain tag of the transcript the batch coefficients are derived from.
const BATCH_DOMAIN: &[u8] = b"rsm-ledger/batch-verify/v1\n";

/// Checks all `entries` together with the cofactored batch equation. `true` means every
/// signature satisfies the cofactored equation (up to probability ≈ 2⁻¹²⁸); `false` means at
/// least one does not, or does not decode (check them one by one to find which).
pub fn verify_batch_cofactored(entries: &[SignedEntry<'_>]) -> bool {
    if entries.is_empty() {
        return true;
    }
    let Some(prepared) = entries
        .iter()
        .map(SignedEntry::prepare)
        .collect::<Option<Vec<Prepared>>>()
    else {
        return false;
    };
    // The coefficients: a transcript of everything the equation depends on.
    let mut t = Sha512::new();
    t.update(BATCH_DOMAIN);
    t.update((entries.len() as u64).to_be_bytes());
    for p in &prepared {
        t.update(p.hram);
        t.update(p.s_bytes);
    }
    let seed: [u8; 64] = t.finalize().into();
    let mut zs: Vec<Scalar> = Vec::with_capacity(entries.len());
    for block in 0..entries.len().div_ceil(4) as u64 {
        let out: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update(block.to_be_bytes())
            .finalize()
            .into();
        for c in out.chunks_exact(16) {
            let z = u128::from_le_bytes(c.try_into().unwrap_or_default()).max(1);
            zs.push(Scalar::from(z));
        }
    }
    zs.truncate(entries.len());

    let mut b_coeff = Scalar::ZERO;
    let mut scalars: Vec<Scalar> = Vec::with_capacity(entries.len() + 17);
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(entries.len() + 17);
    scalars.push(Scalar::ZERO); // the basepoint's, filled in below
    points.push(ED25519_BASEPOINT_POINT);
    let mut key_slot: HashMap<&[u8; 32], usize> = HashMap::new();
    let mut key_coeffs: Vec<(Scalar, EdwardsPoint)> = Vec::new();
    for ((e, p), z) in entries.iter().zip(&prepared).zip(&zs) {
        b_coeff -= z * p.s;
        scalars.push(*z);
        points.push(p.r);
        let slot = *key_slot.entry(e.key.as_bytes()).or_insert_with(|| {
            key_coeffs.push((Scalar::ZERO, e.key.to_edwards()));
            key_coeffs.len() - 1
        });
        key_coeffs[slot].0 += z * p.k;
    }
    scalars[0] = b_coeff;
    for (c, a) in key_coeffs {
        scalars.push(c);
        points.push(a);
    }
    EdwardsPoint::vartime_multiscalar_mul(scalars, points)
        .mul_by_cofactor()
        .is_identity()
}

/// The positions (into `entries`) of the signatures that do not verify under `mode`.
/// Batch mode checks chunks in parallel and re-checks a failed chunk one by one.
pub fn failing(entries: &[SignedEntry<'_>], mode: SignatureCheck) -> Vec<usize> {
    use rayon::prelude::*;
    match mode {
        SignatureCheck::Strict => entries
            .par_iter()
            .enumerate()
            .filter(|(_, e)| !e.verify_strict())
            .map(|(i, _)| i)
            .collect(),
        SignatureCheck::Batch => {
            // Large chunks make the multi-scalar multiplication cheaper per point; enough of
            // them keep every core busy.
            let per_core = entries
                .len()
                .div_ceil(rayon::current_num_threads().max(1) * 2);
            let chunk = per_core.clamp(64, 2048);
            entries
                .par_chunks(chunk)
                .enumerate()
                .flat_map_iter(|(c, part)| {
                    let bad: Vec<usize> = if verify_batch_cofactored(part) {
                        Vec::new()
                    } else {
                        part.iter()
                            .enumerate()
                            .filter(|(_, e)| !e.verify_cofactored())
                            .map(|(i, _)| c * chunk + i)
                            .collect()
                    };
                    bad
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn signed(key: &SigningKey, body: &[u8]) -> Vec<u8> {
        let mut msg = ENTRY_SIGNING_DOMAIN.to_vec();
        msg.extend_from_slice(body);
        let mut b = body.to_vec();
        b.extend_from_slice(&key.sign(&msg).to_bytes());
        b
    }

    #[test]
    fn valid_batches_pass_and_each_kind_of_corruption_fails() {
        let keys: Vec<SigningKey> = (0..5u8).map(|i| SigningKey::from_bytes(&[i; 32])).collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let entries: Vec<Vec<u8>> = (0..300usize)
            .map(|i| signed(&keys[i % 5], format!("entry {i:05}").as_bytes()))
            .collect();
        let items = |es: &[Vec<u8>]| -> Vec<(usize, Vec<u8>)> {
            es.iter().cloned().enumerate().collect::<Vec<_>>()
        };
        let check = |es: &[(usize, Vec<u8>)]| {
            let v: Vec<SignedEntry<'_>> = es
                .iter()
                .map(|(i, b)| SignedEntry {
                    key: &vks[i % 5],
                    bytes: b,
                })
                .collect();
            (
                verify_batch_cofactored(&v),
                failing(&v, SignatureCheck::Batch),
                failing(&v, SignatureCheck::Strict),
            )
        };
        let good = items(&entries);
        assert_eq!(check(&good), (true, vec![], vec![]));
        // Flip one bit in the message, in R, in s; use the wrong key; make s non-canonical.
        let n = entries[0].len();
        for (pos, what) in [(3, "body"), (n - 60, "R"), (n - 20, "s")] {
            let mut bad = good.clone();
            bad[177].1[pos] ^= 0x01;
            let (ok, found, strict) = check(&bad);
            assert!(!ok, "{what}");
            assert_eq!(found, vec![177], "{what}");
            assert_eq!(strict, vec![177], "{what}");
        }
        let mut wrong_key = good.clone();
        wrong_key[42].1 = signed(&keys[(42 + 1) % 5], b"entry 00042");
        assert_eq!(check(&wrong_key).1, vec![42]);
        let mut high_s = good.clone();
        high_s[7].1[n - 1] |= 0xf0;
        assert_eq!(check(&high_s).1, vec![7]);
        // Two bad signatures that would cancel out if the coefficients were all 1.
        let mut pair = good.clone();
        pair[10].1[n - 20] ^= 1;
        pair[11].1[n - 20] ^= 1;
        assert_eq!(check(&pair).1, vec![10, 11]);
    }

    #[test]
    fn a_signature_with_a_small_order_r_component_is_cofactored_valid_but_not_strict() {
        // R' = R + T for a point T of order 8, with s recomputed for the new R: only the key
        // holder can do this. The cofactored equation accepts it, verify_strict does not.
        use curve25519_dalek::constants::EIGHT_TORSION;
        let seed = [9u8; 32];
        let key = SigningKey::from_bytes(&seed);
        let vk = key.verifying_key();
        let body = b"a malleated entry".to_vec();
        let mut msg = ENTRY_SIGNING_DOMAIN.to_vec();
        msg.extend_from_slice(&body);
        let expanded: [u8; 64] = Sha512::digest(seed).into();
        let mut a_bytes = [0u8; 32];
        a_bytes.copy_from_slice(&expanded[..32]);
        a_bytes[0] &= 248;
        a_bytes[31] &= 127;
        a_bytes[31] |= 64;
        let a = Scalar::from_bytes_mod_order(a_bytes);
        let r_scalar = Scalar::from(12345u64);
        let r_point = EdwardsPoint::mul_base(&r_scalar) + EIGHT_TORSION[1];
        let r_enc = r_point.compress().to_bytes();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(r_enc)
                .chain_update(vk.as_bytes())
                .chain_update(&msg)
                .finalize()
                .into(),
        );
        let s = r_scalar + k * a;
        let mut bytes = body.clone();
        bytes.extend_from_slice(&r_enc);
        bytes.extend_from_slice(s.as_bytes());
        let e = SignedEntry {
            key: &vk,
            bytes: &bytes,
        };
        assert!(!e.verify_strict());
        assert!(e.verify_cofactored());
        assert!(verify_batch_cofactored(&[e]));
    }

    #[test]
    fn the_same_batch_always_gets_the_same_answer() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let vk = key.verifying_key();
        let es: Vec<Vec<u8>> = (0..70).map(|i| signed(&key, &[i as u8; 40])).collect();
        let v: Vec<SignedEntry<'_>> = es
            .iter()
            .map(|b| SignedEntry { key: &vk, bytes: b })
            .collect();
        for _ in 0..3 {
            assert!(verify_batch_cofactored(&v));
            assert_eq!(failing(&v, SignatureCheck::Batch), Vec::<usize>::new());
        }
    }
}
