//! `rsm kin draw-list | draw | verify-draw`: the reunion draw from the command line, tied to
//! the notification log (the list's salted commitment is an entry; the seed is the root of a
//! signed checkpoint that includes that entry).
//!
//! The steps for the committee:
//! 1. `rsm kin draw-list --eligible E.csv --weights W.toml --out LIST.txt` writes the canonical
//!    text (ids, birth years, relationships and the weights; no names).
//! 2. `rsm submit --type kin.draw-list --content LIST.txt --salted …` enters its salted
//!    commitment in the log and saves the receipt and the salt.
//! 3. Once a checkpoint covering that entry is published (the receipt's own checkpoint is the
//!    natural choice, announced in advance): `rsm kin draw --eligible E.csv --weights W.toml
//!    --checkpoint CP.note --vkey VKEY --count N --out DRAW.csv` (`--checkpoint` may also be
//!    the receipt itself, whose checkpoint is then the seed).
//! 4. Anyone given E.csv, W.toml and the salt runs `rsm kin verify-draw` with the checkpoint,
//!    the receipt and the log's verifier key.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use rsm_kin::draw::{self, EligibleList, Weights};
use rsm_ledger::{
    Checkpoint, Envelope, Hash, Note, NoteVerifier, TlogProof, commit_public, commit_salted,
    leaf_hash, open_checkpoint, verify_inclusion,
};

/// The entry type the list's commitment is entered under.
pub const DRAW_LIST_ENTRY_TYPE: &str = "kin.draw-list";

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads the eligible list and the weights.
pub fn inputs(eligible: &Path, weights: &Path) -> anyhow::Result<(EligibleList, Weights)> {
    let list = EligibleList::read_csv(&read(eligible)?[..])
        .with_context(|| format!("{}", eligible.display()))?;
    let text = String::from_utf8(read(weights)?).context("the weights file is not UTF-8")?;
    let w = Weights::parse(&text).with_context(|| format!("{}", weights.display()))?;
    Ok((list, w))
}

/// A checkpoint note as given: the note itself, or the one inside a `tlog-proof` receipt
/// (the receipt `rsm submit` saved for the list's entry carries its seed checkpoint).
fn checkpoint_bytes(given: &[u8]) -> anyhow::Result<Vec<u8>> {
    if given.starts_with(rsm_ledger::proof::PROOF_HEADER.as_bytes()) {
        Ok(TlogProof::parse(given)
            .context("the checkpoint file is a receipt that does not parse")?
            .checkpoint)
    } else {
        Ok(given.to_vec())
    }
}

/// The checkpoint a seed comes from, verified under `vkey` when given.
pub fn seed_checkpoint(note: &[u8], vkey: Option<&str>) -> anyhow::Result<Checkpoint> {
    let note = &checkpoint_bytes(note)?[..];
    match vkey {
        Some(v) => {
            let verifier = NoteVerifier::from_vkey(v).context("--vkey")?;
            Ok(open_checkpoint(note, verifier.name(), &verifier, &[])
                .context("the checkpoint does not verify under the log key")?
                .checkpoint)
        }
        None => {
            let n = Note::parse(note).context("the checkpoint is not a signed note")?;
            Ok(Checkpoint::parse_text(n.text()).context("the note is not a checkpoint")?)
        }
    }
}

/// What `verify-draw` established.
#[derive(Debug)]
pub struct Verified {
    pub entry_index: u64,
    pub checkpoint_size: u64,
    pub drawn: usize,
}

/// Checks a draw end to end: the checkpoint's signature under the log key; the receipt's
/// entry commits (salted, or public without a salt) to the canonical list and weights; that
/// entry is included in the seed checkpoint's tree (so it came before it); and the result
/// is exactly what the draw gives with the checkpoint's root as seed.
pub fn verify(
    list: &EligibleList,
    weights: &Weights,
    checkpoint_note: &[u8],
    receipt: &[u8],
    salt: Option<[u8; 32]>,
    vkey: &str,
    result: &str,
) -> anyhow::Result<Verified> {
    let verifier = NoteVerifier::from_vkey(vkey).context("--vkey")?;
    let checkpoint_note = &checkpoint_bytes(checkpoint_note)?[..];
    let cp = open_checkpoint(checkpoint_note, verifier.name(), &verifier, &[])
        .context("the seed checkpoint does not verify under the log key")?
        .checkpoint;
    let proof = TlogProof::parse(receipt).context("the receipt is not a tlog-proof")?;
    let entry = proof
        .extra
        .clone()
        .context("the receipt does not carry its entry (extra line)")?;
    let env = Envelope::parse(&entry).context("the receipt's entry")?;
    let canonical = draw::canonical_bytes(list, weights);
    let expect = match &salt {
        Some(s) => commit_salted(s, &canonical),
        None => commit_public(&canonical),
    };
    ensure!(
        env.body.commitment == expect,
        "the logged commitment {} is not the commitment of this list and these weights ({})",
        env.body.commitment.to_hex(),
        expect.to_hex()
    );
    ensure!(
        env.body.entry_type.as_str() == DRAW_LIST_ENTRY_TYPE,
        "the receipt's entry is a `{}`, not a `{DRAW_LIST_ENTRY_TYPE}`",
        env.body.entry_type.as_str()
    );
    ensure!(
        proof.index < cp.size,
        "the list's entry {} is not before the seed checkpoint (size {}): the seed could have been known",
        proof.index,
        cp.size
    );
    verify_inclusion(&leaf_hash(&entry), proof.index, cp.size, &proof.proof, &cp.root).context(
        "the receipt's inclusion proof is not for the seed checkpoint (fetch the proof at that checkpoint's size)",
    )?;
    let d = draw::verify_result(list, weights, cp.root.0, result)?;
    Ok(Verified {
        entry_index: proof.index,
        checkpoint_size: cp.size,
        drawn: d.drawn.len(),
    })
}

/// `rsm kin draw-list`.
pub fn draw_list(eligible: PathBuf, weights: PathBuf, out: PathBuf) -> anyhow::Result<()> {
    let (list, w) = inputs(&eligible, &weights)?;
    let bytes = draw::canonical_bytes(&list, &w);
    std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{} applicants; canonical list written to {} (SHA-256 {})",
        list.applicants().len(),
        out.display(),
        Hash(draw::list_digest(&list, &w)).to_hex()
    );
    println!(
        "commit it: rsm submit --type {DRAW_LIST_ENTRY_TYPE} --content {} --salted …",
        out.display()
    );
    Ok(())
}

/// `rsm kin draw`.
pub fn run_draw(
    eligible: PathBuf,
    weights: PathBuf,
    checkpoint: PathBuf,
    vkey: Option<String>,
    count: Option<usize>,
    out: PathBuf,
) -> anyhow::Result<()> {
    let (list, w) = inputs(&eligible, &weights)?;
    let cp = seed_checkpoint(&read(&checkpoint)?, vkey.as_deref())?;
    if vkey.is_none() {
        eprintln!("warning: the checkpoint's signature was not checked (no --vkey)");
    }
    let count = count.unwrap_or(list.applicants().len());
    let d = draw::draw(&list, &w, cp.root.0, count)?;
    std::fs::write(&out, draw::render_result(&d))
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{} of {} applicants drawn with the root of checkpoint {} size {} as seed; written to {}",
        d.drawn.len(),
        list.applicants().len(),
        cp.origin,
        cp.size,
        out.display()
    );
    Ok(())
}

/// `rsm kin verify-draw`; returns false (exit status 1) when the draw does not verify.
#[allow(clippy::too_many_arguments)]
pub fn run_verify(
    eligible: PathBuf,
    weights: PathBuf,
    checkpoint: PathBuf,
    receipt: PathBuf,
    salt: Option<PathBuf>,
    vkey: String,
    result: PathBuf,
) -> anyhow::Result<()> {
    let (list, w) = inputs(&eligible, &weights)?;
    let salt = match salt {
        Some(p) => {
            let text = String::from_utf8(read(&p)?).context("the salt file is not text")?;
            let bytes = rsm_ledger::hash::from_hex(text.trim())
                .filter(|b| b.len() == 32)
                .context("the salt file must hold 64 hex digits")?;
            Some(<[u8; 32]>::try_from(bytes).expect("32 bytes"))
        }
        None => None,
    };
    let result_text = String::from_utf8(read(&result)?).context("the result is not text")?;
    match verify(
        &list,
        &w,
        &read(&checkpoint)?,
        &read(&receipt)?,
        salt,
        &vkey,
        &result_text,
    ) {
        Ok(v) => {
            println!(
                "OK: the list's commitment is entry {} of the log, before the seed checkpoint of size {}; the {} drawn applicants are exactly the draw's",
                v.entry_index, v.checkpoint_size, v.drawn
            );
            Ok(())
        }
        Err(e) => bail!("the draw does NOT verify: {e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use rsm_ledger::{
        Anchor, EntryBody, EntryType, MemoryTree, NoteSigner, Party, prove_inclusion,
    };

    const WEIGHTS: &str =
        "reference_year = 2026\n[age]\n0 = 1\n90 = 5\n[relationship]\nparent = 3\n\"*\" = 1\n";

    fn list() -> EligibleList {
        let csv = (0..30)
            .map(|i| {
                format!(
                    "A{i:03},{},{}\n",
                    1930 + i,
                    if i % 2 == 0 { "parent" } else { "sibling" }
                )
            })
            .collect::<String>();
        EligibleList::read_csv(format!("applicant_id,birth_year,relationship\n{csv}").as_bytes())
            .unwrap()
    }

    struct Fixture {
        note: Vec<u8>,
        receipt: Vec<u8>,
        vkey: String,
        salt: [u8; 32],
        seed: [u8; 32],
    }

    /// A log with two entries before the list's commitment and three after; the seed
    /// checkpoint covers them all.
    fn fixture(list: &EligibleList, w: &Weights, entry_type: &str) -> Fixture {
        let key = SigningKey::from_bytes(&[3u8; 32]);
        let salt = [9u8; 32];
        let mut tree = MemoryTree::new();
        tree.append(b"earlier 1");
        tree.append(b"earlier 2");
        let body = EntryBody {
            party: Party::new("KR").unwrap(),
            seq: 0,
            prev: Hash([0; 32]),
            entry_type: EntryType::new(entry_type).unwrap(),
            commitment: commit_salted(&salt, &draw::canonical_bytes(list, w)),
            anchor: Anchor {
                size: tree.size(),
                root: tree.root(),
            },
            data: Vec::new(),
        };
        let entry = body.sign(&key).unwrap().encode().unwrap();
        let index = tree.append(&entry).index;
        for x in [b"later 1", b"later 2", b"later 3"] {
            tree.append(x);
        }
        let signer = NoteSigner::from_seed("log.example/rsm", &[5u8; 32]).unwrap();
        let cp = Checkpoint::new("log.example/rsm", tree.size(), tree.root());
        let note = cp.sign(&signer).unwrap().to_text().into_bytes();
        let proof = prove_inclusion(tree.store(), index, tree.size()).unwrap();
        let receipt = TlogProof {
            extra: Some(entry),
            index,
            proof,
            checkpoint: note.clone(),
        }
        .encode();
        Fixture {
            note,
            receipt,
            vkey: signer.verifier().to_vkey(),
            salt,
            seed: tree.root().0,
        }
    }

    #[test]
    fn an_honest_draw_verifies_and_a_tampered_one_does_not() {
        let (l, w) = (list(), Weights::parse(WEIGHTS).unwrap());
        let f = fixture(&l, &w, DRAW_LIST_ENTRY_TYPE);
        let result = draw::render_result(&draw::draw(&l, &w, f.seed, 5).unwrap());
        let v = verify(&l, &w, &f.note, &f.receipt, Some(f.salt), &f.vkey, &result).unwrap();
        assert_eq!((v.entry_index, v.checkpoint_size, v.drawn), (2, 6, 5));
        // The receipt may stand for the checkpoint: it carries it.
        assert!(
            verify(
                &l,
                &w,
                &f.receipt,
                &f.receipt,
                Some(f.salt),
                &f.vkey,
                &result
            )
            .is_ok()
        );
        let cp = seed_checkpoint(&f.receipt, Some(&f.vkey)).unwrap();
        assert_eq!(cp.root.0, f.seed);

        // A result with one drawn id replaced.
        let forged = result.replacen(",A0", ",B0", 1);
        let e = verify(&l, &w, &f.note, &f.receipt, Some(f.salt), &f.vkey, &forged).unwrap_err();
        assert!(format!("{e:#}").contains("does not match"), "{e:#}");
        // A draw made with another seed.
        let other = draw::render_result(&draw::draw(&l, &w, [1; 32], 5).unwrap());
        assert!(verify(&l, &w, &f.note, &f.receipt, Some(f.salt), &f.vkey, &other).is_err());
        // A list changed after the commitment.
        let mut apps = l.applicants().to_vec();
        apps.pop();
        let l2 = EligibleList::new(apps).unwrap();
        let e = verify(&l2, &w, &f.note, &f.receipt, Some(f.salt), &f.vkey, &result).unwrap_err();
        assert!(format!("{e:#}").contains("not the commitment"), "{e:#}");
        // The wrong salt.
        assert!(verify(&l, &w, &f.note, &f.receipt, Some([0; 32]), &f.vkey, &result).is_err());
        // A checkpoint signed by another key.
        let other_key = NoteSigner::from_seed("log.example/rsm", &[6u8; 32]).unwrap();
        let e = verify(
            &l,
            &w,
            &f.note,
            &f.receipt,
            Some(f.salt),
            &other_key.verifier().to_vkey(),
            &result,
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("does not verify"), "{e:#}");
    }

    #[test]
    fn a_receipt_for_another_entry_type_or_tree_is_refused() {
        let (l, w) = (list(), Weights::parse(WEIGHTS).unwrap());
        let f = fixture(&l, &w, "notification.x");
        let result = draw::render_result(&draw::draw(&l, &w, f.seed, 3).unwrap());
        let e = verify(&l, &w, &f.note, &f.receipt, Some(f.salt), &f.vkey, &result).unwrap_err();
        assert!(format!("{e:#}").contains("kin.draw-list"), "{e:#}");
        // A seed checkpoint from another log state than the receipt's proof.
        let g = fixture(&l, &w, DRAW_LIST_ENTRY_TYPE);
        let signer = NoteSigner::from_seed("log.example/rsm", &[5u8; 32]).unwrap();
        let small = Checkpoint::new("log.example/rsm", 2, Hash([4; 32]));
        let note = small.sign(&signer).unwrap().to_text().into_bytes();
        let result = draw::render_result(&draw::draw(&l, &w, [4; 32], 3).unwrap());
        let e = verify(&l, &w, &note, &g.receipt, Some(g.salt), &g.vkey, &result).unwrap_err();
        assert!(
            format!("{e:#}").contains("not before the seed checkpoint"),
            "{e:#}"
        );
    }
}
