//! General two-file (or one-file dedupe) CSV linkage with a column mapping:
//! the same Fellegi–Sunter machinery (u from random pairs, m by EM sessions
//! blocked on each field, term-frequency-free) for data that is not in the
//! kin layout — FEBRL, Splink's fake_1000.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;

use rayon::prelude::*;

use crate::csvin::Table;
use crate::error::{KinError, Result};
use crate::hangul;
use crate::linker::SplitMix;
use crate::model::{self, Model};

/// How a field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A name: Hangul is canonicalised (initial-sound rule), Latin compared
    /// by Jaro–Winkler on the lower-cased text.
    Name,
    /// Free text: Jaro–Winkler levels.
    Text,
    /// Equal or not.
    Exact,
    /// A date (yyyy-mm-dd or yyyymmdd): same, one component differs, differs.
    Date,
}

/// One compared field: its column on each side.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// Left column.
    pub left: String,
    /// Right column (same as left in dedupe mode).
    pub right: String,
    /// Comparison kind.
    pub kind: FieldKind,
}

/// The column mapping.
#[derive(Debug, Clone)]
pub struct LinkSpec {
    /// Left id column.
    pub left_id: String,
    /// Right id column.
    pub right_id: String,
    /// Compared fields.
    pub fields: Vec<FieldSpec>,
}

/// Options of a general linkage run.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Keep pairs with at least this probability.
    pub threshold: f64,
    /// Skip blocks larger than this.
    pub max_block: usize,
    /// Random pairs for u.
    pub u_samples: usize,
    /// Seed for the pair sampler.
    pub seed: u64,
    /// Link mode: each left record matches at most one right record, and
    /// only the best is reported. Off for many-to-many and dedupe.
    pub one_to_one: bool,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            max_block: 500,
            u_samples: 200_000,
            seed: 7,
            one_to_one: true,
        }
    }
}

/// A linked pair.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkPair {
    /// Left id.
    pub left: String,
    /// Right id.
    pub right: String,
    /// Match probability.
    pub score: f64,
}

/// Candidates of one left record: right index and comparison vector.
type Candidates = Vec<(u32, Vec<u8>)>;

struct Rec {
    id: String,
    vals: Vec<String>,
}

fn read(
    input: impl Read,
    label: &str,
    id: &str,
    cols: &[&str],
    kinds: &[FieldKind],
) -> Result<Vec<Rec>> {
    let t = Table::read(input, label)?;
    let ci = t.col(&id.to_lowercase())?;
    let cs: Vec<usize> = cols
        .iter()
        .map(|c| t.col(&c.to_lowercase()))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for row in t.rows() {
        let Ok(row) = row else { continue };
        let id = row.fields.get(ci).unwrap_or("").trim().to_string();
        if id.is_empty() {
            continue;
        }
        let vals = cs
            .iter()
            .zip(kinds)
            .map(|(&c, k)| normalise(row.fields.get(c).unwrap_or(""), *k))
            .collect();
        out.push(Rec { id, vals });
    }
    Ok(out)
}

fn normalise(s: &str, kind: FieldKind) -> String {
    let c = hangul::clean(s).to_lowercase();
    match kind {
        FieldKind::Name if hangul::has_hangul(&c) => hangul::to_south(&c),
        FieldKind::Date => c.chars().filter(char::is_ascii_digit).collect(),
        _ => c,
    }
}

const LEVELS: usize = 5;

fn level(a: &str, b: &str, kind: FieldKind) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    if a == b {
        return 4;
    }
    match kind {
        FieldKind::Exact => 1,
        FieldKind::Date => {
            if a.len() == 8 && b.len() == 8 {
                let same = (0..3)
                    .filter(|&i| {
                        let r = [0..4, 4..6, 6..8][i].clone();
                        a[r.clone()] == b[r]
                    })
                    .count();
                let swapped_md = a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6];
                if same == 2 || swapped_md {
                    3
                } else if same == 1 {
                    2
                } else {
                    1
                }
            } else {
                1
            }
        }
        FieldKind::Name | FieldKind::Text => {
            let jw = if hangul::has_hangul(a) {
                hangul::jamo_similarity(a, b)
            } else {
                hangul::jaro_winkler(a, b)
            };
            if jw >= 0.95 {
                3
            } else if jw >= 0.88 {
                2
            } else {
                1
            }
        }
    }
}

fn vector(a: &Rec, b: &Rec, kinds: &[FieldKind]) -> Vec<u8> {
    a.vals
        .iter()
        .zip(&b.vals)
        .zip(kinds)
        .map(|((x, y), k)| level(x, y, *k))
        .collect()
}

fn block_keys(r: &Rec, kinds: &[FieldKind]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut push = |parts: &[&str], tag: usize| {
        let mut h = DefaultHasher::new();
        tag.hash(&mut h);
        parts.hash(&mut h);
        out.push(h.finish());
    };
    for (i, (v, k)) in r.vals.iter().zip(kinds).enumerate() {
        if v.is_empty() {
            continue;
        }
        push(&[v], i);
        if matches!(k, FieldKind::Name) {
            // Name prefix with each other field's value: survives typos late in the name.
            let pre: String = v.chars().take(3).collect();
            for (j, w) in r.vals.iter().enumerate() {
                if j != i && !w.is_empty() {
                    push(&[&pre, w], 1000 + i * 100 + j);
                }
            }
        }
    }
    out
}

/// Links two CSV files (or one file with itself when `right` is `None`:
/// deduplication, pairs reported once with left id < right id by position).
pub fn link(
    left: impl Read,
    right: Option<Box<dyn Read>>,
    spec: &LinkSpec,
    opts: &LinkOptions,
) -> Result<Vec<LinkPair>> {
    if spec.fields.is_empty() {
        return Err(KinError::Options("no fields to compare".into()));
    }
    let kinds: Vec<FieldKind> = spec.fields.iter().map(|f| f.kind).collect();
    let lcols: Vec<&str> = spec.fields.iter().map(|f| f.left.as_str()).collect();
    let rcols: Vec<&str> = spec.fields.iter().map(|f| f.right.as_str()).collect();
    let l = read(left, "left", &spec.left_id, &lcols, &kinds)?;
    let dedupe = right.is_none();
    let r = match right {
        Some(rd) => read(rd, "right", &spec.right_id, &rcols, &kinds)?,
        None => Vec::new(),
    };
    let rr: &[Rec] = if dedupe { &l } else { &r };
    let nf = kinds.len();

    // Index.
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, rec) in rr.iter().enumerate() {
        for k in block_keys(rec, &kinds) {
            index.entry(k).or_default().push(i as u32);
        }
    }
    let candidates = |li: usize| -> Vec<u32> {
        let mut c: Vec<u32> = Vec::new();
        for k in block_keys(&l[li], &kinds) {
            if let Some(v) = index.get(&k)
                && v.len() <= opts.max_block
            {
                c.extend(v.iter().filter(|&&j| !dedupe || (j as usize) > li));
            }
        }
        c.sort_unstable();
        c.dedup();
        c
    };

    // u from random pairs.
    let mut rng = SplitMix::new(opts.seed);
    let mut u_counts = vec![vec![1.0f64; LEVELS]; nf];
    if !l.is_empty() && !rr.is_empty() {
        for _ in 0..opts.u_samples {
            let (a, b) = (rng.below(l.len()), rng.below(rr.len()));
            if dedupe && a == b {
                continue;
            }
            for (f, lv) in vector(&l[a], &rr[b], &kinds).into_iter().enumerate() {
                u_counts[f][usize::from(lv)] += 1.0;
            }
        }
    }
    let u: Vec<Vec<f64>> = u_counts
        .into_iter()
        .map(|mut v| {
            let s: f64 = v.iter().skip(1).sum();
            for x in v.iter_mut().skip(1) {
                *x /= s;
            }
            v[0] = 1.0;
            v
        })
        .collect();

    // Candidate vectors (kept: these sets are small) and patterns.
    let pairs: Vec<(usize, Candidates)> = (0..l.len())
        .into_par_iter()
        .map(|li| {
            let c = candidates(li);
            (
                li,
                c.into_iter()
                    .map(|j| (j, vector(&l[li], &rr[j as usize], &kinds)))
                    .collect(),
            )
        })
        .collect();
    let mut patterns: HashMap<Vec<u8>, u64> = HashMap::new();
    for (_, cs) in &pairs {
        for (_, v) in cs {
            *patterns.entry(v.clone()).or_default() += 1;
        }
    }
    // Sessions: for each field, the candidates that agree exactly on it.
    let mut m_sum = vec![vec![0.0f64; LEVELS]; nf];
    let mut m_n = vec![0usize; nf];
    for f in 0..nf {
        let sub: HashMap<[u8; 16], u64> = patterns
            .iter()
            .filter(|(k, _)| k[f] == 4)
            .map(|(k, c)| (pad(k), *c))
            .collect();
        if sub.is_empty() {
            continue;
        }
        let levels = [LEVELS; 16];
        let mut uu = u.clone();
        uu.resize(16, vec![1.0; LEVELS]);
        let mut exclude: Vec<usize> = (nf..16).collect();
        exclude.push(f);
        let m0 = model::initial_m(&levels);
        let mm = Model::train(&sub, uu, m0, 0.1, 100, false, &exclude);
        for g in 0..nf {
            if g != f {
                for (a, b) in m_sum[g].iter_mut().zip(&mm.m[g]) {
                    *a += b;
                }
                m_n[g] += 1;
            }
        }
    }
    let init = model::initial_m(&vec![LEVELS; nf]);
    let m: Vec<Vec<f64>> = (0..nf)
        .map(|g| {
            if m_n[g] == 0 {
                init[g].clone()
            } else {
                m_sum[g].iter().map(|x| x / m_n[g] as f64).collect()
            }
        })
        .collect();
    let model = Model {
        lambda: 0.5,
        m,
        u,
        iterations: 0,
        family: None,
        dependence: None,
        hometown_by_kind: None,
    };
    // Prior: share π of left records with a match, by EM over the sums.
    let weights: Vec<(usize, Vec<(u32, f64)>)> = pairs
        .into_iter()
        .map(|(li, cs)| {
            (
                li,
                cs.into_iter().map(|(j, v)| (j, model.weight(&v))).collect(),
            )
        })
        .collect();
    let n_r = rr.len().max(1) as f64;
    let log_sums: Vec<f64> = weights
        .iter()
        .map(|(_, cs)| model::log2_sum_exp2(cs.iter().map(|x| x.1)))
        .collect();
    let (_pi, lo) = model::per_pair_prior(&log_sums, n_r);
    let mut out = Vec::new();
    for ((li, cs), ls) in weights.iter().zip(&log_sums) {
        let mut scored: Vec<(u32, f64)> = cs
            .iter()
            .map(|&(j, w)| {
                let p = if opts.one_to_one {
                    (lo + w - model::log2_1p_exp2(lo + ls)).exp2()
                } else {
                    1.0 / (1.0 + (-(lo + w)).exp2())
                };
                (j, p)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if opts.one_to_one {
            scored.truncate(1);
        }
        for (j, p) in scored {
            if p >= opts.threshold {
                out.push(LinkPair {
                    left: l[*li].id.clone(),
                    right: rr[j as usize].id.clone(),
                    score: p,
                });
            }
        }
    }
    Ok(out)
}

fn pad(v: &[u8]) -> [u8; 16] {
    let mut a = [0u8; 16];
    for (x, y) in a.iter_mut().zip(v) {
        *x = *y;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_two_small_files() {
        let a = "id,first,last,dob\n1,michaela,neumann,19151111\n2,courtney,painter,19161214\n3,john,smith,19500101\n";
        let b = "id,first,last,dob\nx,michaela,neuman,19151111\ny,courtney,paintr,19161241\nz,peter,jones,19700707\n";
        let spec = LinkSpec {
            left_id: "id".into(),
            right_id: "id".into(),
            fields: vec![
                FieldSpec {
                    left: "first".into(),
                    right: "first".into(),
                    kind: FieldKind::Name,
                },
                FieldSpec {
                    left: "last".into(),
                    right: "last".into(),
                    kind: FieldKind::Name,
                },
                FieldSpec {
                    left: "dob".into(),
                    right: "dob".into(),
                    kind: FieldKind::Date,
                },
            ],
        };
        let opts = LinkOptions {
            threshold: 0.0,
            u_samples: 1000,
            ..Default::default()
        };
        let out = link(a.as_bytes(), Some(Box::new(b.as_bytes())), &spec, &opts).unwrap();
        let best: HashMap<&str, &str> = out
            .iter()
            .map(|p| (p.left.as_str(), p.right.as_str()))
            .collect();
        assert_eq!(best.get("1"), Some(&"x"));
        assert_eq!(best.get("2"), Some(&"y"));
    }
}
