//! The Fellegi–Sunter model: u-probabilities from random pairs, m and the
//! match share λ by expectation–maximisation over candidate pairs, without
//! labels; term-frequency adjustments for exact name agreement.

use std::collections::HashMap;

/// Per-field, per-level probabilities and the prior.
#[derive(Debug, Clone)]
pub struct Model {
    /// Share of candidate pairs that are matches.
    pub lambda: f64,
    /// P(level | match), per field.
    pub m: Vec<Vec<f64>>,
    /// P(level | non-match), per field.
    pub u: Vec<Vec<f64>>,
    /// EM iterations run.
    pub iterations: usize,
    /// The related-non-match class, when trained (see [`train_mixture`]).
    pub family: Option<Family>,
    /// Among strangers, one field's level conditional on another's (see
    /// [`Dependence`]); `None`: fields independent.
    pub dependence: Option<Dependence>,
    /// The hometown's m for requests whose sought person married into the
    /// family and for the others, as bits added to the hometown's match (and
    /// related) log-likelihood: `[kind][level]`, kind 1 married in (see
    /// [`crate::features::ReqFeatures::married_in`], [`hometown_by_kind`]).
    pub hometown_by_kind: Option<[[f64; HOMETOWN_LEVELS]; 2]>,
}

/// The hometown field's levels (see [`crate::compare::compare_place`]).
pub const HOMETOWN_LEVELS: usize = 6;

/// Pseudo-matches pulling each kind's hometown distribution toward the
/// pooled one.
const HOMETOWN_KIND_PSEUDO: f64 = 20.0;

/// At most this many EM rounds in [`hometown_by_kind`].
const HOMETOWN_KIND_ROUNDS: usize = 10;

/// Estimates [`Model::hometown_by_kind`] without labels, from the sampled
/// requests' candidates, by EM with every other parameter fixed. Each
/// request gives whether its sought person married in and, per hometown
/// level, log2 Σ 2^weight over its candidates at that level (weights by the
/// model, before this correction; −∞ for none). Each round gives every
/// candidate its probability of being the request's match as scoring would
/// (one match at most per request; π per kind over `persons` persons, set
/// once from the uncorrected weights) with its kind's bits so far; these
/// probabilities summed per hometown level give each kind's m, shrunk
/// toward the pooled one by [`HOMETOWN_KIND_PSEUDO`] pseudo-matches; the
/// bits are log2 m(level | kind) − log2 m(level), for the levels 2–5 (same
/// province, different county, gazetteer link, same county). Rounds stop
/// when no bit moves by more than 0.001 (three or four on the dev sets).
pub fn hometown_by_kind(
    requests: &[(bool, [f64; HOMETOWN_LEVELS])],
    persons: f64,
) -> [[f64; HOMETOWN_LEVELS]; 2] {
    let mut bits = [[0.0; HOMETOWN_LEVELS]; 2];
    let log_sum = |levels: &[f64; HOMETOWN_LEVELS], bits: &[f64; HOMETOWN_LEVELS]| {
        log2_sum_exp2(levels.iter().zip(bits).map(|(l, b)| l + b))
    };
    let log_o: [f64; 2] = [false, true].map(|kind| {
        let sums: Vec<f64> = requests
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, levels)| log_sum(levels, &[0.0; HOMETOWN_LEVELS]))
            .collect();
        per_pair_prior(&sums, persons).1
    });
    for _ in 0..HOMETOWN_KIND_ROUNDS {
        let mut m = [[0.0; HOMETOWN_LEVELS]; 2];
        for (kind, levels) in requests {
            let k = usize::from(*kind);
            // P(candidate) = o·BF / (1 + o·Σ BF), summed per level.
            let denom = log2_sum_exp2([0.0, log_o[k] + log_sum(levels, &bits[k])].into_iter());
            for (l, x) in levels.iter().enumerate() {
                if *x > f64::NEG_INFINITY {
                    m[k][l] += (log_o[k] + x + bits[k][l] - denom).exp2();
                }
            }
        }
        let pooled: Vec<f64> = (0..HOMETOWN_LEVELS).map(|l| m[0][l] + m[1][l]).collect();
        let pooled_total: f64 = pooled.iter().sum();
        if pooled_total <= 0.0 {
            return [[0.0; HOMETOWN_LEVELS]; 2];
        }
        let mut moved: f64 = 0.0;
        for (kind, row) in bits.iter_mut().enumerate() {
            let total: f64 = m[kind].iter().sum();
            for (l, b) in row.iter_mut().enumerate() {
                let share = pooled[l] / pooled_total;
                // Levels 0 (unknown) and 1 (another province) are left
                // alone: a wife from another province is rare, and the
                // probabilities there are mostly strangers' mass.
                if share <= 0.0 || l < 2 {
                    continue;
                }
                let this =
                    (m[kind][l] + HOMETOWN_KIND_PSEUDO * share) / (total + HOMETOWN_KIND_PSEUDO);
                let next = (this / share).log2();
                moved = moved.max((next - *b).abs());
                *b = next;
            }
        }
        if moved < 1e-3 {
            break;
        }
    }
    bits
}

/// Among unrelated pairs, `field`'s level depends on `on`'s: Korean given
/// names are gendered, so two strangers with the same given name are
/// nearly always of the same sex, and the sex agreement the independent
/// model would count again says next to nothing. `u[l_on][l_field]` is
/// P(field level | on level, unrelated), from random pairs.
#[derive(Debug, Clone)]
pub struct Dependence {
    /// The dependent field (sex).
    pub field: usize,
    /// The field it depends on (given name).
    pub on: usize,
    /// P(level of `field` | level of `on`), per level of `on`.
    pub u: Vec<Vec<f64>>,
}

/// Pseudo-pairs pulling each conditional distribution toward the marginal
/// (a level of `on` rare among random pairs keeps the marginal).
const DEPENDENCE_PSEUDO: f64 = 20.0;

/// Estimates [`Dependence`] from random pairs' vectors: per level of `on`,
/// the distribution of `field`'s levels, shrunk toward the marginal
/// `marginal` by [`DEPENDENCE_PSEUDO`] pseudo-pairs.
pub fn estimate_dependence<const F: usize>(
    levels: &[usize; F],
    random: &[[u8; F]],
    field: usize,
    on: usize,
    marginal: &[f64],
) -> Dependence {
    let mut joint = vec![vec![0u64; marginal.len()]; levels[on]];
    for v in random {
        let (a, b) = (usize::from(v[on]), usize::from(v[field]));
        if let Some(c) = joint.get_mut(a).and_then(|row| row.get_mut(b)) {
            *c += 1;
        }
    }
    dependence_from_counts(&joint, field, on, marginal)
}

/// [`estimate_dependence`] from the random pairs' counts by (level of `on`,
/// level of `field`), e.g. tallied while training.
pub fn dependence_from_counts(
    joint: &[Vec<u64>],
    field: usize,
    on: usize,
    marginal: &[f64],
) -> Dependence {
    let u = joint
        .iter()
        .map(|row| {
            let mut v: Vec<f64> = marginal.iter().map(|x| x * DEPENDENCE_PSEUDO).collect();
            if let Some(x) = v.first_mut() {
                *x = 0.0;
            }
            for (x, &c) in v.iter_mut().zip(row) {
                *x += c as f64;
            }
            normalise(&mut v);
            v
        })
        .collect();
    Dependence { field, on, u }
}

/// A second non-match class: pairs that agree on what a family shares
/// (surname, father, hometown, relatives) but are different people —
/// the sought person's siblings. Its level distributions are learnt by EM.
#[derive(Debug, Clone)]
pub struct Family {
    /// P(level | related non-match), per field.
    pub f: Vec<Vec<f64>>,
    /// Share of non-matches in this class, π_F / (π_F + π_U).
    pub share: f64,
}

fn log2_prob(t: &[Vec<f64>], v: &[u8]) -> f64 {
    v.iter()
        .enumerate()
        .map(|(f, &l)| {
            let l = usize::from(l);
            if l == 0 || l >= t[f].len() {
                0.0
            } else {
                t[f][l].log2()
            }
        })
        .sum()
}

const FLOOR: f64 = 1e-6;

fn normalise(v: &mut [f64]) {
    // Level 0 means "missing" and takes no part.
    let s: f64 = v.iter().skip(1).sum();
    for x in v.iter_mut().skip(1) {
        *x = (*x / s.max(FLOOR)).max(FLOOR);
    }
    if let Some(x) = v.first_mut() {
        *x = 1.0;
    }
}

/// u-probabilities from comparison vectors of random (mostly non-matching)
/// pairs, with add-one smoothing.
pub fn estimate_u<const F: usize>(levels: &[usize; F], random: &[[u8; F]]) -> Vec<Vec<f64>> {
    let mut u: Vec<Vec<f64>> = levels.iter().map(|&n| vec![1.0; n]).collect();
    for v in random {
        for (f, &l) in v.iter().enumerate() {
            if usize::from(l) < u[f].len() {
                u[f][usize::from(l)] += 1.0;
            }
        }
    }
    for x in &mut u {
        normalise(x);
    }
    u
}

/// u-probabilities from level counts of random pairs (`counts[f][l]`:
/// pairs at level `l` of field `f`), with add-one smoothing: the same
/// numbers as [`estimate_u`] over those pairs.
pub fn u_from_counts(counts: &[&[u64]]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|c| {
            // Integer counts below 2^53 are exact in f64: 1 + n equals
            // adding one n times.
            let mut v: Vec<f64> = c.iter().map(|&n| 1.0 + n as f64).collect();
            normalise(&mut v);
            v
        })
        .collect()
}

/// log2(1 + 2^t) without overflow.
pub fn log2_1p_exp2(t: f64) -> f64 {
    if t > 0.0 {
        t + (1.0 + (-t).exp2()).log2()
    } else {
        (1.0 + t.exp2()).log2()
    }
}

/// log2 Σ 2^w over weights in bits (−∞ for none).
pub fn log2_sum_exp2(ws: impl Iterator<Item = f64> + Clone) -> f64 {
    let mx = ws.clone().fold(f64::NEG_INFINITY, f64::max);
    if mx.is_finite() {
        mx + ws.map(|w| (w - mx).exp2()).sum::<f64>().log2()
    } else {
        f64::NEG_INFINITY
    }
}

/// The per-pair prior when each query has at most one match among `n`
/// records: π, the share of queries that have one, by EM over each query's
/// log2 Σ BF of its candidates; returns (π, log2 of the prior odds
/// π / ((1 − π) · n)).
pub fn per_pair_prior(log_sums: &[f64], n: f64) -> (f64, f64) {
    let n = n.max(1.0);
    let log_odds = |pi: f64| (pi / ((1.0 - pi) * n)).log2();
    let mut pi = 0.5;
    for _ in 0..200 {
        let lo = log_odds(pi);
        let mean = log_sums
            .iter()
            .map(|&ls| 1.0 / (1.0 + (-(lo + ls)).exp2()))
            .sum::<f64>()
            / log_sums.len().max(1) as f64;
        let next = mean.clamp(1e-4, 1.0 - 1e-4);
        let done = (next - pi).abs() < 1e-7;
        pi = next;
        if done {
            break;
        }
    }
    (pi, log_odds(pi))
}

/// A generic model for inputs too small to train on: hand-set m and u per
/// level of the kin comparison vector (agreement likely among matches, rare
/// among random pairs). Used when the random-pair space is tiny.
pub fn default_kin_model() -> Model {
    let m: Vec<Vec<f64>> = vec![
        vec![1.0, 0.03, 0.05, 0.92],
        vec![1.0, 0.10, 0.08, 0.07, 0.05, 0.70, 0.02, 0.02],
        vec![1.0, 0.05, 0.02, 0.08, 0.85],
        vec![1.0, 0.02, 0.03, 0.05, 0.10, 0.30, 0.50],
        vec![1.0, 0.03, 0.97],
        vec![1.0, 0.05, 0.15, 0.10, 0.20, 0.50],
        vec![1.0, 0.10, 0.90],
        vec![1.0, 0.25, 0.05, 0.10, 0.30, 0.30, 0.005],
        vec![1.0, 0.02, 0.98],
    ];
    let u: Vec<Vec<f64>> = vec![
        vec![1.0, 0.88, 0.03, 0.09],
        vec![1.0, 0.93, 0.05, 0.01, 0.002, 0.003, 0.01, 0.005],
        vec![1.0, 0.88, 0.12, 0.001, 0.001],
        vec![1.0, 0.78, 0.10, 0.03, 0.03, 0.03, 0.02],
        vec![1.0, 0.5, 0.5],
        vec![1.0, 0.78, 0.03, 0.17, 0.005, 0.01],
        vec![1.0, 0.975, 0.025],
        vec![1.0, 0.99, 0.007, 0.002, 0.0005, 0.0005, 0.0005],
        vec![1.0, 0.33, 0.67],
    ];
    Model {
        lambda: 0.5,
        m,
        u,
        iterations: 0,
        family: None,
        dependence: None,
        hometown_by_kind: None,
    }
}

/// A starting m: agreement levels likelier than disagreement.
pub fn initial_m(levels: &[usize]) -> Vec<Vec<f64>> {
    levels
        .iter()
        .map(|&n| {
            let mut v: Vec<f64> = (0..n)
                .map(|l| if l == 0 { 1.0 } else { 2f64.powi(l as i32 * 2) })
                .collect();
            normalise(&mut v);
            v
        })
        .collect()
}

impl Model {
    /// log2 Bayes factor of one field level.
    pub fn field_weight(&self, field: usize, level: u8) -> f64 {
        let l = usize::from(level);
        if l == 0 || l >= self.m[field].len() {
            return 0.0;
        }
        (self.m[field][l] / self.u[field][l]).log2()
    }

    /// log2 of the prior odds λ/(1−λ).
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// Sum of field weights (no prior, no term-frequency adjustment).
    pub fn independent_weight(&self, v: &[u8]) -> f64 {
        v.iter()
            .enumerate()
            .map(|(f, &l)| self.field_weight(f, l))
            .sum()
    }

    /// log2 likelihood ratio of match against non-match (no prior, no
    /// term-frequency adjustment). With a family class, the non-match
    /// likelihood is the mixture of unrelated and related pairs.
    pub fn weight(&self, v: &[u8]) -> f64 {
        self.independent_weight(v) + self.family_adjustment(v)
    }

    /// What the family class takes away (≤ 0 bits): evidence a sibling
    /// would share counts for less.
    pub fn family_adjustment(&self, v: &[u8]) -> f64 {
        self.family_adjustment_tf(v, 0.0)
    }

    /// Match weight with a term-frequency adjustment `tf_bits` (how much
    /// rarer than average an agreement is among strangers): it scales the
    /// unrelated class's likelihood only — a sibling shares a rare surname
    /// or father's name as surely as a common one.
    pub fn weight_tf(&self, v: &[u8], tf_bits: f64) -> f64 {
        self.weight_tf_m(v, tf_bits, 0.0)
    }

    /// [`Model::weight_tf`] with `m_bits` added to the match class's and the
    /// related class's log-likelihood (a per-request correction of m on a
    /// family field, such as [`Model::hometown_bits`]).
    pub fn weight_tf_m(&self, v: &[u8], tf_bits: f64, m_bits: f64) -> f64 {
        let bits = tf_bits + self.dependence_bits(v);
        self.independent_weight(v) + m_bits + bits + self.family_adjustment_tfm(v, bits, m_bits)
    }

    /// The correction of the hometown's m for a request (see
    /// [`Model::hometown_by_kind`]): bits for its level, by whether the sought
    /// person married into the family.
    pub fn hometown_bits(&self, married_in: bool, level: u8) -> f64 {
        self.hometown_by_kind
            .as_ref()
            .and_then(|t| t[usize::from(married_in)].get(usize::from(level)))
            .copied()
            .unwrap_or(0.0)
    }

    /// How much likelier (bits ≤ 0) the unrelated class makes the pair
    /// once the dependent field is read given the field it depends on (see
    /// [`Dependence`]): log2 u(level) − log2 u(level | other level). Only
    /// weakens: a disagreement the dependence makes rare among strangers
    /// (same given name, other sex) rests on a handful of random pairs.
    pub fn dependence_bits(&self, v: &[u8]) -> f64 {
        let Some(d) = &self.dependence else {
            return 0.0;
        };
        let (a, b) = (usize::from(v[d.on]), usize::from(v[d.field]));
        if a == 0 || b == 0 || a >= d.u.len() || b >= d.u[a].len() || b >= self.u[d.field].len() {
            return 0.0;
        }
        (self.u[d.field][b] / d.u[a][b]).log2().min(0.0)
    }

    /// The family class's correction (≤ 0 bits) when the unrelated class's
    /// likelihood is scaled by 2^−`tf_bits` (see [`Model::weight_tf`]).
    pub fn family_adjustment_tf(&self, v: &[u8], tf_bits: f64) -> f64 {
        self.family_adjustment_tfm(v, tf_bits, 0.0)
    }

    /// [`Model::family_adjustment_tf`] with the related class's
    /// log-likelihood raised by `m_bits` (see [`Model::weight_tf_m`]).
    pub fn family_adjustment_tfm(&self, v: &[u8], tf_bits: f64, m_bits: f64) -> f64 {
        let Some(fam) = &self.family else {
            return 0.0;
        };
        let share = fam.share;
        let lu = log2_prob(&self.u, v) - tf_bits;
        let lf = log2_prob(&fam.f, v) + m_bits;
        // log2((1-s)·2^lu + s·2^lf) − lu
        let a = (1.0 - share).log2() + lu;
        let b = share.log2() + lf;
        let mx = a.max(b);
        let mix = mx + ((a - mx).exp2() + (b - mx).exp2()).log2();
        (lu - mix).min(0.0)
    }

    /// Runs EM from `u`, `m0` and `lambda0` over distinct comparison
    /// patterns and their counts. With `learn_u` the u-probabilities are
    /// re-estimated too (u conditional on being a candidate pair); without,
    /// they stay as given (e.g. from random pairs).
    pub fn train<const F: usize>(
        patterns: &HashMap<[u8; F], u64>,
        u: Vec<Vec<f64>>,
        m0: Vec<Vec<f64>>,
        lambda0: f64,
        max_iter: usize,
        learn_u: bool,
        exclude: &[usize],
    ) -> Model {
        let mut model = Model {
            lambda: lambda0,
            m: m0,
            u,
            iterations: 0,
            family: None,
            dependence: None,
            hometown_by_kind: None,
        };
        // Sorted, so the floating-point sums do not depend on the map's
        // (randomised) iteration order: same input, same model.
        let mut pats: Vec<(&[u8; F], f64)> = patterns.iter().map(|(k, &c)| (k, c as f64)).collect();
        pats.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for it in 0..max_iter {
            let mut m_acc: Vec<Vec<f64>> = model.m.iter().map(|v| vec![0.0; v.len()]).collect();
            let mut u_acc: Vec<Vec<f64>> = model.u.iter().map(|v| vec![0.0; v.len()]).collect();
            let mut match_mass = 0.0;
            let mut total = 0.0;
            let prior = model.prior_weight();
            for (v, c) in &pats {
                let w = prior
                    + v.iter()
                        .enumerate()
                        .filter(|(f, _)| !exclude.contains(f))
                        .map(|(f, &l)| model.field_weight(f, l))
                        .sum::<f64>();
                let p = 1.0 / (1.0 + (-w).exp2());
                match_mass += p * c;
                total += c;
                for (f, &l) in v.iter().enumerate() {
                    m_acc[f][usize::from(l)] += p * c;
                    u_acc[f][usize::from(l)] += (1.0 - p) * c;
                }
            }
            let new_lambda = (match_mass / total.max(1.0)).clamp(1e-6, 1.0 - 1e-6);
            let mut delta = (new_lambda - model.lambda).abs();
            if learn_u {
                for (f, mut acc) in u_acc.into_iter().enumerate() {
                    normalise(&mut acc);
                    for (a, b) in acc.iter().zip(&model.u[f]) {
                        delta = delta.max((a - b).abs());
                    }
                    model.u[f] = acc;
                }
            }
            for (f, mut acc) in m_acc.into_iter().enumerate() {
                if exclude.contains(&f) {
                    continue;
                }
                normalise(&mut acc);
                for (a, b) in acc.iter().zip(&model.m[f]) {
                    delta = delta.max((a - b).abs());
                }
                model.m[f] = acc;
            }
            model.lambda = new_lambda;
            model.iterations = it + 1;
            if delta < 1e-5 {
                break;
            }
        }
        model
    }
}

/// EM with three classes over one session's patterns: matches (m on every
/// field), related non-matches (m on the `related` fields, which a sibling
/// shares with the sought person, and u on the others) and unrelated
/// non-matches (u). Without the second class, siblings — who agree on
/// surname, father, hometown and relatives — fall into the match class and
/// teach m that a different given name or sex is common among matches. The
/// related class takes u on the person fields (a sibling's given name, year
/// and sex are a stranger's, as far as the person goes): left free, its
/// distribution also absorbs true matches whose given name changed. Fields in
/// `exclude` take no part. With `learn_u`, the unrelated class's
/// distribution is re-estimated within the session (starting from `u`): a
/// session blocked on the name holds same-name strangers, who are not like
/// random pairs (a name clusters by birth cohort and region), and with u from
/// random pairs EM would take the ones born near the sought person's year for
/// matches and teach m that a different province is common among matches.
/// The returned model keeps the given `u` (scoring uses u from random pairs).
/// Returns m, and the match share as λ; the related class's own distribution
/// is learnt later on all candidates ([`add_family_class`]).
pub fn train_related<const F: usize>(
    patterns: &HashMap<[u8; F], u64>,
    u: Vec<Vec<f64>>,
    m0: Vec<Vec<f64>>,
    max_iter: usize,
    exclude: &[usize],
    related: &[usize],
    learn_u: bool,
) -> Model {
    let mut pats: Vec<(&[u8; F], f64)> = patterns.iter().map(|(k, &c)| (k, c as f64)).collect();
    pats.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut m = m0;
    let mut pi = [0.1f64, 0.1, 0.8];
    let used: Vec<usize> = (0..F).filter(|x| !exclude.contains(x)).collect();
    let lp = |t: &[Vec<f64>], fi: usize, l: u8| -> f64 {
        let l = usize::from(l);
        if l == 0 || l >= t[fi].len() {
            0.0
        } else {
            t[fi][l].log2()
        }
    };
    let mut iterations = 0;
    let mut u = u;
    let u_random = u.clone();
    for it in 0..max_iter {
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut u_acc: Vec<Vec<f64>> = m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut mass = [0.0f64; 3];
        for (v, c) in &pats {
            // log2 of π_k · P(v | class k): match, related, unrelated.
            let mut e = [pi[0].log2(), pi[1].log2(), pi[2].log2()];
            for &fi in &used {
                let (lm, lu) = (lp(&m, fi, v[fi]), lp(&u, fi, v[fi]));
                e[0] += lm;
                e[1] += if related.contains(&fi) { lm } else { lu };
                e[2] += lu;
            }
            let mx = e[0].max(e[1]).max(e[2]);
            let w = e.map(|x| (x - mx).exp2());
            let z = w[0] + w[1] + w[2];
            let post = w.map(|x| x / z * c);
            for k in 0..3 {
                mass[k] += post[k];
            }
            for &fi in &used {
                // The related class speaks for m on the fields it shares.
                let share = if related.contains(&fi) {
                    post[0] + post[1]
                } else {
                    post[0]
                };
                m_acc[fi][usize::from(v[fi])] += share;
                u_acc[fi][usize::from(v[fi])] += post[2];
            }
        }
        let total = (mass[0] + mass[1] + mass[2]).max(1.0);
        let mut delta: f64 = 0.0;
        for k in 0..3 {
            let n = (mass[k] / total).clamp(1e-6, 1.0 - 1e-6);
            delta = delta.max((n - pi[k]).abs());
            pi[k] = n;
        }
        for &fi in &used {
            normalise(&mut m_acc[fi]);
            for (a, b) in m_acc[fi].iter().zip(&m[fi]) {
                delta = delta.max((a - b).abs());
            }
            m[fi] = std::mem::take(&mut m_acc[fi]);
            if learn_u {
                normalise(&mut u_acc[fi]);
                u[fi] = std::mem::take(&mut u_acc[fi]);
            }
        }
        iterations = it + 1;
        if delta < 1e-5 {
            break;
        }
    }
    Model {
        lambda: pi[0],
        m,
        u: u_random,
        iterations,
        family: None,
        dependence: None,
        hometown_by_kind: None,
    }
}

/// A training session: the candidate patterns a filter keeps (as if
/// blocked on some fields), and the fields the filter fixes, which take no
/// part in that session's EM (Splink's way of training m without labels).
pub struct Session<'a, const F: usize> {
    /// Name for reports.
    pub name: &'static str,
    /// Keeps a pattern.
    pub keep: &'a dyn Fn(&[u8; F]) -> bool,
    /// Fields fixed by the filter.
    pub fixed: &'a [usize],
}

/// Trains m over several sessions with u fixed; a field's m is the mean over
/// the sessions that did not fix it. Returns the model and each session's λ.
pub fn train_sessions<const F: usize>(
    patterns: &HashMap<[u8; F], u64>,
    u: &[Vec<f64>],
    levels: &[usize; F],
    sessions: &[Session<'_, F>],
    max_iter: usize,
) -> (Model, Vec<f64>) {
    let all: Vec<&HashMap<[u8; F], u64>> = sessions.iter().map(|_| patterns).collect();
    train_session_sets(&all, u, levels, sessions, max_iter)
}

/// Like [`train_sessions`], but each session has its own candidate
/// patterns (pairs blocked on that session's own key, Splink's way), so
/// that no other blocking rule shapes a session's population; each
/// session's filter still applies.
pub fn train_session_sets<const F: usize>(
    patterns: &[&HashMap<[u8; F], u64>],
    u: &[Vec<f64>],
    levels: &[usize; F],
    sessions: &[Session<'_, F>],
    max_iter: usize,
) -> (Model, Vec<f64>) {
    train_session_sets_related(patterns, u, levels, sessions, max_iter, &[], &[])
}

/// Like [`train_session_sets`], each session's EM with a related-non-match
/// class that shares m on the `related` fields (see [`train_related`]);
/// empty `related`: two classes. `learn_u[i]`: session i re-estimates the
/// unrelated class within its population (three classes only).
pub fn train_session_sets_related<const F: usize>(
    patterns: &[&HashMap<[u8; F], u64>],
    u: &[Vec<f64>],
    levels: &[usize; F],
    sessions: &[Session<'_, F>],
    max_iter: usize,
    related: &[usize],
    learn_u: &[bool],
) -> (Model, Vec<f64>) {
    let mut sum: Vec<Vec<f64>> = levels.iter().map(|&n| vec![0.0; n]).collect();
    let mut count = vec![0usize; F];
    let mut lambdas = Vec::new();
    let mut iterations = 0;
    for (si, (s, patterns)) in sessions.iter().zip(patterns).enumerate() {
        let sub: HashMap<[u8; F], u64> = patterns
            .iter()
            .filter(|(k, _)| (s.keep)(k))
            .map(|(k, v)| (*k, *v))
            .collect();
        let m = if related.is_empty() {
            Model::train(
                &sub,
                u.to_vec(),
                initial_m(levels),
                0.1,
                max_iter,
                false,
                s.fixed,
            )
        } else {
            train_related(
                &sub,
                u.to_vec(),
                initial_m(levels),
                max_iter,
                s.fixed,
                related,
                learn_u.get(si).copied().unwrap_or(false),
            )
        };
        iterations += m.iterations;

        lambdas.push(m.lambda);
        for f in 0..F {
            if s.fixed.contains(&f) {
                continue;
            }
            for (a, b) in sum[f].iter_mut().zip(&m.m[f]) {
                *a += b;
            }
            count[f] += 1;
        }
    }
    let init = initial_m(levels);
    let m: Vec<Vec<f64>> = (0..F)
        .map(|f| {
            if count[f] == 0 {
                init[f].clone()
            } else {
                let mut v: Vec<f64> = sum[f].iter().map(|x| x / count[f] as f64).collect();
                normalise(&mut v);
                v
            }
        })
        .collect();
    (
        Model {
            lambda: 0.5,
            m,
            u: u.to_vec(),
            iterations,
            family: None,
            dependence: None,
            hometown_by_kind: None,
        },
        lambdas,
    )
}

impl Family {
    /// A level of `field` that the related class never shows — it shows
    /// `instead` (a sibling of a sought parent lists the applicant as a
    /// nephew, not as a child): moves the level's mass there.
    pub fn move_level(&mut self, field: usize, level: usize, instead: usize) {
        let t = &mut self.f[field];
        if level < t.len() && instead < t.len() {
            t[instead] += t[level];
            t[level] = 0.0;
            normalise(t);
        }
    }
}

/// Adds a related-non-match class to a trained model.
///
/// A sibling of the sought person agrees on what the family shares
/// (surname, father, hometown, village, the applicant as relative) exactly as
/// often as the person does, so on those `family_fields` the class uses m.
/// On the person fields (given name, year, sex …) its distribution f is learnt
/// by EM over the patterns with strong family evidence (`family_keep`), with
/// m fixed. Then the shares of the three classes over all candidate patterns
/// are estimated with every distribution fixed.
pub fn add_family_class<const F: usize>(
    model: &mut Model,
    patterns: &HashMap<[u8; F], u64>,
    family_fields: &[usize],
    family_keep: &dyn Fn(&[u8; F]) -> bool,
    max_iter: usize,
) {
    let person: Vec<usize> = (0..F).filter(|f| !family_fields.contains(f)).collect();
    let proj = |t: &[Vec<f64>], v: &[u8; F]| -> f64 {
        person
            .iter()
            .map(|&fi| {
                let l = usize::from(v[fi]);
                if l == 0 || l >= t[fi].len() {
                    0.0
                } else {
                    t[fi][l].log2()
                }
            })
            .sum()
    };
    // Step 1: f on person fields, within the family session.
    let mut fam: Vec<(&[u8; F], f64)> = patterns
        .iter()
        .filter(|(k, _)| family_keep(k))
        .map(|(k, &c)| (k, c as f64))
        .collect();
    fam.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut f: Vec<Vec<f64>> = model.u.clone();
    let mut lam = 0.3f64;
    for _ in 0..max_iter {
        let mut acc: Vec<Vec<f64>> = f.iter().map(|v| vec![0.0; v.len()]).collect();
        let (mut mm, mut tot) = (0.0, 0.0);
        for (v, c) in &fam {
            let a = lam.log2() + proj(&model.m, v);
            let b = (1.0 - lam).log2() + proj(&f, v);
            let p = 1.0 / (1.0 + (b - a).exp2());
            mm += p * c;
            tot += c;
            for &fi in &person {
                acc[fi][usize::from(v[fi])] += (1.0 - p) * c;
            }
        }
        let mut delta: f64 = 0.0;
        for &fi in &person {
            normalise(&mut acc[fi]);
            for (x, y) in acc[fi].iter().zip(&f[fi]) {
                delta = delta.max((x - y).abs());
            }
            f[fi] = acc[fi].clone();
        }
        let nl = (mm / tot.max(1.0)).clamp(1e-6, 1.0 - 1e-6);
        delta = delta.max((nl - lam).abs());
        lam = nl;
        if delta < 1e-6 {
            break;
        }
    }
    for &fi in family_fields {
        f[fi] = model.m[fi].clone();
    }
    // Step 2: class shares over all candidates, distributions fixed.
    let mut all: Vec<(&[u8; F], f64, [f64; 3])> = patterns
        .iter()
        .map(|(k, &c)| {
            (
                k,
                c as f64,
                [
                    log2_prob(&model.m, &k[..]),
                    log2_prob(&f, &k[..]),
                    log2_prob(&model.u, &k[..]),
                ],
            )
        })
        .collect();
    all.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut pi = [0.01f64, 0.09, 0.90];
    for _ in 0..max_iter {
        let mut mass = [0.0f64; 3];
        for (_, c, l) in &all {
            let e: Vec<f64> = (0..3).map(|k| pi[k].log2() + l[k]).collect();
            let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = e.iter().map(|x| (x - mx).exp2()).collect();
            let z: f64 = w.iter().sum();
            for k in 0..3 {
                mass[k] += w[k] / z * c;
            }
        }
        let t: f64 = mass.iter().sum::<f64>().max(1.0);
        let np = [mass[0] / t, mass[1] / t, mass[2] / t].map(|x| x.clamp(1e-6, 1.0));
        let d = (0..3).map(|k| (np[k] - pi[k]).abs()).fold(0.0, f64::max);
        pi = np;
        if d < 1e-7 {
            break;
        }
    }
    model.family = Some(Family {
        f,
        share: pi[1] / (pi[1] + pi[2]),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_class_keeps_siblings_out_of_m() {
        // Field 0 is family evidence (a father's name: siblings agree as the
        // person does); fields 1 and 2 are person fields (given name, birth
        // year: siblings agree no more often than strangers). 2 = agree,
        // 1 = disagree. 100 matches (agree 90 % on every field), 200
        // siblings, 1,000 strangers (agree 10 %).
        let classes = [
            (100.0, [0.9, 0.9, 0.9]),
            (200.0, [0.9, 0.1, 0.1]),
            (1000.0, [0.1, 0.1, 0.1]),
        ];
        let mut pats: HashMap<[u8; 3], u64> = HashMap::new();
        for bits in 0..8u8 {
            let v = [1 + (bits & 1), 1 + ((bits >> 1) & 1), 1 + ((bits >> 2) & 1)];
            let expected: f64 = classes
                .iter()
                .map(|(n, p)| {
                    n * (0..3)
                        .map(|f| if v[f] == 2 { p[f] } else { 1.0 - p[f] })
                        .product::<f64>()
                })
                .sum();
            pats.insert(v, expected.round() as u64);
        }
        let levels = [3usize; 3];
        let u = vec![vec![1.0, 0.9, 0.1]; 3];
        let two = Model::train(&pats, u.clone(), initial_m(&levels), 0.1, 500, false, &[]);
        let three = train_related(&pats, u, initial_m(&levels), 500, &[], &[0], false);
        // Two classes: the siblings' different given names land in m.
        assert!(two.m[1][1] > 0.3, "{:?}", two.m);
        // Three classes: m of a different given name stays near the truth.
        assert!(three.m[1][1] < 0.15, "{:?}", three.m);
        assert!(three.m[0][2] > 0.8, "{:?}", three.m);
        assert!(
            (three.lambda - 100.0 / 1300.0).abs() < 0.02,
            "{}",
            three.lambda
        );
    }

    #[test]
    fn u_learnt_in_session_when_strangers_are_look_alikes() {
        // Fields 0 (birth year), 1 (province) and 2 (sex), 2 = agree. 100
        // matches (agree 90 %, 95 %, 99 %); 1,000 same-name strangers who
        // agree half the time on each, against random pairs' 10 %, 30 %, 50 %.
        let classes = [(100.0, [0.9, 0.95, 0.99]), (1000.0, [0.5, 0.5, 0.5])];
        let mut pats: HashMap<[u8; 3], u64> = HashMap::new();
        for bits in 0..8u8 {
            let v = [1 + (bits & 1), 1 + ((bits >> 1) & 1), 1 + ((bits >> 2) & 1)];
            let expected: f64 = classes
                .iter()
                .map(|(n, p)| {
                    n * (0..3)
                        .map(|f| if v[f] == 2 { p[f] } else { 1.0 - p[f] })
                        .product::<f64>()
                })
                .sum();
            pats.insert(v, expected.round() as u64);
        }
        let levels = [3usize; 3];
        let u = vec![
            vec![1.0, 0.9, 0.1],
            vec![1.0, 0.7, 0.3],
            vec![1.0, 0.5, 0.5],
        ];
        let fixed = train_related(&pats, u.clone(), initial_m(&levels), 500, &[], &[], false);
        let learnt = train_related(&pats, u.clone(), initial_m(&levels), 500, &[], &[], true);
        // With u from random pairs, strangers born in the year count as
        // matches and "province differs" looks common among matches.
        assert!(fixed.m[1][1] > 0.15, "{:?}", fixed.m);
        assert!(
            learnt.m[1][1] < 0.12 && learnt.m[1][1] < fixed.m[1][1] / 2.0,
            "{:?} {:?}",
            learnt.m,
            fixed.m
        );
        // The model returned keeps the random-pair u for scoring.
        assert_eq!(learnt.u, u);
    }

    #[test]
    fn em_separates_two_clusters() {
        // Field 0: 2 = agree, 1 = disagree. Matches agree 95 %, non-matches 10 %.
        let mut pats: HashMap<[u8; 2], u64> = HashMap::new();
        pats.insert([2, 2], 90 + 1);
        pats.insert([2, 1], 5 + 9);
        pats.insert([1, 2], 5 + 9);
        pats.insert([1, 1], 81);
        let levels = [3usize, 3];
        let random: Vec<[u8; 2]> = (0..1000)
            .map(|i| {
                [
                    if i % 10 == 0 { 2 } else { 1 },
                    if i % 10 == 1 { 2 } else { 1 },
                ]
            })
            .collect();
        let u = estimate_u(&levels, &random);
        let m = Model::train(&pats, u, initial_m(&levels), 0.3, 200, false, &[]);
        assert!(m.m[0][2] > 0.8, "{:?}", m.m);
        assert!(m.lambda > 0.3 && m.lambda < 0.6, "{}", m.lambda);
        assert!(m.field_weight(0, 2) > 2.0);
        assert!(m.field_weight(0, 1) < 0.0);
        assert_eq!(m.field_weight(0, 0), 0.0);
    }
}
