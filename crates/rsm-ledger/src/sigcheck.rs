//! Checking many entry signatures at once, for the auditor: ed25519-dalek's batch
//! verification, and the one-by-one checks it falls back to to name a failure.
//!
//! # What a batch accepts
//!
//! The log server admits an entry only if `verify_strict` accepts its signature (RFC 8032
//! with the equation `[s]B = R + [k]A`, canonical `s` and `R`, neither `R` nor `A` of small
//! order). Checking 200,000 entries that way costs one double-scalar multiplication each; a
//! batch of `n` signatures instead checks the random linear combination
//!
//! ```text
//! [−Σ zᵢsᵢ]B + Σ [zᵢ]Rᵢ + Σ [zᵢkᵢ]Aᵢ = O
//! ```
//!
//! in one multi-scalar multiplication. The equation is ed25519-dalek's own `verify_batch`
//! (feature `batch`); this module only frames the entries, splits them over the cores and
//! names the failures — no curve arithmetic of its own.
//!
//! Every signature `verify_strict` accepts passes. A batch that passes proves — except with
//! probability about 2⁻¹²⁸ — that every signature's prime-order part satisfies the equation
//! under the key in force, i.e. that the key holder signed that entry. What a batch may
//! accept beyond `verify_strict` is a signature whose `R` carries a small-order component
//! (the random coefficient cancels it with probability 1/8, fixed by the batch's transcript)
//! or is encoded non-canonically: only the holder of the private key can make one, so the
//! difference is malleability by the signer, not forgery. Keys of small order, which would
//! weaken the check for anyone, are refused when a key is registered or rotated in
//! ([`crate::keys`]). An auditor that must reproduce the server's exact rule uses the strict
//! mode ([`SignatureCheck::Strict`], `rsm ledger audit --strict`).
//!
//! # Determinism
//!
//! Engines read no randomness: ed25519-dalek 2 derives the coefficients `zᵢ` from a Merlin
//! transcript of the batch itself (every `H(R‖A‖M)`, every signature and key, no system
//! randomness), so the signer of an entry cannot know them before its signature is fixed
//! (Fiat–Shamir), and the same batch always gives the same answer. A batch that fails is
//! re-checked one signature at a time with the same cofactored equation (a batch of one), so
//! a finding names the exact entries, and the verdict on each
//! entry does not depend on which other entries shared its batch.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::envelope::ENTRY_SIGNING_DOMAIN;

/// How the auditor checks ordinary entries' signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// ed25519-dalek batches, each failed batch re-checked one signature at a time to name the
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
        self.message()
            .is_some_and(|(msg, sig)| self.key.verify_strict(&msg, &sig).is_ok())
    }

    /// This one signature checked by the batch equation alone (a batch of one), so its
    /// verdict does not depend on the other entries of a failed batch.
    pub fn verify_alone(&self) -> bool {
        verify_batched(std::slice::from_ref(self))
    }

    /// The signed message (`"rsm-entry/v1\n" ‖ body`) and the signature.
    fn message(&self) -> Option<(Vec<u8>, Signature)> {
        let (body, sig) = self.parts()?;
        let mut msg = Vec::with_capacity(ENTRY_SIGNING_DOMAIN.len() + body.len());
        msg.extend_from_slice(ENTRY_SIGNING_DOMAIN);
        msg.extend_from_slice(body);
        Some((msg, Signature::from_bytes(sig)))
    }
}

/// Checks all `entries` together with `ed25519_dalek::verify_batch` (a random linear
/// combination of the verification equations, its coefficients derived from a transcript of
/// the whole batch, no system randomness). `true` means every signature was made with the
/// key in force (up to probability ≈ 2⁻¹²⁸); `false` means at least one fails or does not
/// decode (check them one by one to find which).
pub fn verify_batched(entries: &[SignedEntry<'_>]) -> bool {
    if entries.is_empty() {
        return true;
    }
    let Some(parts) = entries
        .iter()
        .map(SignedEntry::message)
        .collect::<Option<Vec<(Vec<u8>, Signature)>>>()
    else {
        return false;
    };
    let messages: Vec<&[u8]> = parts.iter().map(|(m, _)| m.as_slice()).collect();
    let signatures: Vec<Signature> = parts.iter().map(|(_, s)| *s).collect();
    let keys: Vec<VerifyingKey> = entries.iter().map(|e| *e.key).collect();
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
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
                    let bad: Vec<usize> = if verify_batched(part) {
                        Vec::new()
                    } else {
                        part.iter()
                            .enumerate()
                            .filter(|(_, e)| !e.verify_alone())
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
    use curve25519_dalek::{EdwardsPoint, Scalar};
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::{Digest, Sha512};

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
                verify_batched(&v),
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
    fn a_signature_with_a_small_order_r_component_fails_strict_and_gets_a_fixed_verdict() {
        // R' = R + T for a point T of order 8, with s recomputed for the new R: only the key
        // holder can do this. verify_strict refuses it (and so does the strict audit); the
        // batch equation's verdict on it is fixed by its transcript: the same on every run.
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
        assert_eq!(failing(&[e], SignatureCheck::Strict), vec![0]);
        let verdict = e.verify_alone();
        for _ in 0..3 {
            assert_eq!(e.verify_alone(), verdict);
            assert_eq!(verify_batched(&[e]), verdict);
        }
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
            assert!(verify_batched(&v));
            assert_eq!(failing(&v, SignatureCheck::Batch), Vec::<usize>::new());
        }
    }
}
