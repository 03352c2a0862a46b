//! The matching pipeline over prepared records: index the persons, find
//! candidates per request, estimate u from random pairs and m by EM, score
//! every candidate, turn weights into a probability per request (a request
//! has at most one true match, so candidates compete), and assign.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::block::{self, Index};
use crate::compare::{self, LEVELS, Vector};
use crate::features::{PerFeatures, ReqFeatures, Seeker};
use crate::model::{self, Model};

/// Fields a sibling shares with the sought person: surname, father,
/// hometown, village, relatives in the South.
pub const FAMILY_FIELDS: [usize; 5] = [0, 2, 5, 6, 7];

/// Below this many possible (request, person) pairs the data cannot train
/// a model (random pairs would include the matches); a generic one is used.
pub const MIN_TRAINING_SPACE: f64 = 100_000.0;

/// At most about this many candidates per request (see
/// [`Index::candidates_within`]): the most specific blocks first. The dev
/// sets average 60 candidates a request at 62,000 persons; the budget only
/// binds for requests that would otherwise draw on large blocks, and on
/// long lists.
pub const CANDIDATE_BUDGET: usize = 300;

/// Tuning of the matcher. Defaults are general, not fitted to any data set.
#[derive(Debug, Clone)]
pub struct Options {
    /// Keep an assigned pair when its probability is at least this.
    pub threshold: f64,
    /// Skip a blocking key whose block has more persons than this.
    pub max_block: usize,
    /// Random pairs drawn to estimate u.
    pub u_samples: usize,
    /// At most this many requests feed EM (a deterministic spread sample).
    pub em_requests: usize,
    /// EM iteration cap.
    pub em_iterations: usize,
    /// Seed of the pair sampler.
    pub seed: u64,
    /// One applicant's requests go to different persons.
    pub distinct_per_applicant: bool,
    /// Candidates kept per request after scoring (for review lists).
    pub keep_per_request: usize,
    /// Requests per work chunk (bounds memory of the scoring pass).
    pub chunk: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            max_block: 2_000,
            u_samples: 100_000,
            em_requests: 5_000,
            em_iterations: 100,
            seed: 0x6b69_6e5f_7273_6d31,
            distinct_per_applicant: true,
            keep_per_request: 3,
            chunk: 1_024,
        }
    }
}

/// Stage of the run, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and checking input.
    Load,
    /// Normalising records.
    Prepare,
    /// Building the blocking index.
    Index,
    /// Training the model.
    Train,
    /// Scoring candidate pairs.
    Score,
    /// Assigning matches.
    Assign,
}

/// Progress of a run.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Stage.
    pub stage: Stage,
    /// Units done in this stage.
    pub done: u64,
    /// Units in this stage.
    pub total: u64,
}

/// A scored candidate.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    /// Person index.
    pub person: u32,
    /// Total match weight (log2 odds, prior included).
    pub weight: f64,
    /// Probability that this is the request's match.
    pub prob: f64,
    /// Comparison vector.
    pub vector: Vector,
}

/// Counts from a run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests.
    pub requests: usize,
    /// Persons.
    pub persons: usize,
    /// Candidate pairs compared.
    pub candidate_pairs: u64,
    /// Pairs compared per blocking rule (a pair can come from several).
    pub index_keys: usize,
    /// EM iterations.
    pub em_iterations: usize,
    /// Estimated share of requests that have a match (π).
    pub match_share: f64,
}

/// The result of a run over prepared records.
#[derive(Debug)]
pub struct Outcome {
    /// Per request: best candidates, best first (after assignment the
    /// first is the assigned one, if any).
    pub ranked: Ranked,
    /// Assigned person per request.
    pub assigned: Vec<Option<Scored>>,
    /// The trained model.
    pub model: Model,
    /// Counts.
    pub stats: Stats,
    /// (request, person) pairs weakened because another applicant's
    /// request claims the person ([`ClaimedElsewhere`]).
    pub contested: HashMap<(u32, u32), ClaimedElsewhere>,
}

/// Another request claims the person, in a way the two could not both be
/// right about: the same applicant's (an applicant seeks each relative
/// once), or another applicant's
/// ([`crate::features::Seeker::may_seek_the_same_person`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimedElsewhere {
    /// The other request's number.
    pub by: u32,
    /// Whether the other request is the same applicant's.
    pub same_applicant: bool,
    /// Its probability that the person is its match.
    pub claim: f64,
    /// What the pair's probability lost, in bits of odds.
    pub bits: f64,
}

/// splitmix64: a tiny deterministic generator for sampling pairs.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }
}

/// Term-frequency tables of the person side.
#[derive(Debug, Default)]
pub struct TermFreq {
    // Looked up per candidate pair, never iterated: FxHash.
    given: rustc_hash::FxHashMap<crate::names::Text, u32>,
    father: rustc_hash::FxHashMap<crate::names::Text, u32>,
    surname: rustc_hash::FxHashMap<u16, u32>,
    total: u32,
    /// Persons with a known father's name (the father table's total).
    with_father: u32,
    /// Per person (in the order of the list counted): where its counts
    /// are in the distinct-count lists, so weighing a pair reads them
    /// by person number instead of hashing names ([`TermFreq::adjustment_of`]).
    per_person: Vec<PersonCounts>,
    /// The distinct counts of given names, fathers' names and surname
    /// classes: [`TfBits`] takes one log2 per distinct count.
    distinct: [Vec<u32>; 3],
}

/// A person's term-frequency entries: positions in [`TermFreq`]'s distinct
/// counts (given name, father's name, surname class; [`NO_COUNT`] when the
/// name has none) and the surname class counted.
#[derive(Debug, Clone, Copy)]
struct PersonCounts {
    at: [u16; 3],
    class: u16,
}

/// No count: the name part is empty or unknown.
const NO_COUNT: u16 = u16::MAX;

/// A model's term-frequency adjustments by distinct count, taken once per
/// scoring pass: [`TermFreq::adjustment_of`] adds them as
/// [`TermFreq::adjustment`] computes them, to the bit.
#[derive(Debug)]
pub struct TfBits {
    /// Per kind (given name, father's name, surname class) and distinct
    /// count: the clamped bits.
    bits: [Vec<f64>; 3],
}

impl TermFreq {
    /// Counts given names and surname classes on the person side.
    pub fn for_persons(persons: &[PerFeatures]) -> Self {
        let mut t = TermFreq {
            total: persons.len() as u32,
            ..Default::default()
        };
        for p in persons {
            if let Some(x) = p.father.parses.first()
                && !x.given_key.is_empty()
            {
                *t.father.entry(x.given_key.clone()).or_default() += 1;
            }
            if p.father
                .parses
                .first()
                .is_some_and(|x| !x.given_key.is_empty())
            {
                t.with_father += 1;
            }
            if let Some(x) = p.name.parses.first() {
                if !x.given_key.is_empty() {
                    *t.given.entry(x.given_key.clone()).or_default() += 1;
                }
                if let Some(c) = x.classes.first() {
                    *t.surname.entry(*c).or_default() += 1;
                }
            }
        }
        t.count_per_person(persons);
        t
    }

    /// Fills `per_person` and `distinct` from the tables; leaves them empty
    /// (the hashed path) if a kind has more distinct counts than fit.
    fn count_per_person(&mut self, persons: &[PerFeatures]) {
        let mut distinct: [Vec<u32>; 3] = [
            self.given.values().copied().collect(),
            self.father.values().copied().collect(),
            self.surname.values().copied().collect(),
        ];
        for d in &mut distinct {
            d.sort_unstable();
            d.dedup();
            if d.len() >= usize::from(NO_COUNT) {
                return;
            }
        }
        let at = |d: &[u32], n: Option<&u32>| match n {
            Some(n) => d.binary_search(n).map_or(NO_COUNT, |i| i as u16),
            None => NO_COUNT,
        };
        self.per_person = persons
            .iter()
            .map(|p| {
                let name = p.name.parses.first();
                let given = name
                    .filter(|x| !x.given_key.is_empty())
                    .and_then(|x| self.given.get(&x.given_key));
                let father = p
                    .father
                    .parses
                    .first()
                    .filter(|x| !x.given_key.is_empty())
                    .and_then(|x| self.father.get(&x.given_key));
                let class = name.and_then(|x| x.classes.first().copied());
                let surname = class.and_then(|c| self.surname.get(&c));
                PersonCounts {
                    at: [
                        at(&distinct[0], given),
                        at(&distinct[1], father),
                        at(&distinct[2], surname),
                    ],
                    class: class.unwrap_or(0),
                }
            })
            .collect();
        self.distinct = distinct;
    }

    /// Reads the candidates' entries ahead of weighing them (as
    /// [`compare::Comparer::warm`] does for their features): the entries
    /// lie in person order, a cache miss each, and loads issued together
    /// overlap. Changes nothing.
    pub fn warm(&self, candidates: &[u32]) {
        let mut acc = 0u16;
        for &pi in candidates {
            if let Some(e) = self.per_person.get(pi as usize) {
                acc = acc.wrapping_add(e.at[0]);
            }
        }
        std::hint::black_box(acc);
    }

    /// `model`'s adjustments by distinct count (see [`TfBits`]).
    pub fn bits(&self, model: &Model) -> TfBits {
        let total = f64::from(self.total);
        let with_father = f64::from(self.with_father).max(1.0);
        let kind = |k: usize, u: Option<f64>, of: f64, high: f64| -> Vec<f64> {
            match u {
                Some(u) => self.distinct[k]
                    .iter()
                    .map(|&n| {
                        let tf = (f64::from(n) / of).max(1.0 / of);
                        (u / tf).log2().clamp(-4.0, high)
                    })
                    .collect(),
                None => Vec::new(),
            }
        };
        let u = |f: usize, l: usize| model.u.get(f).and_then(|x| x.get(l)).copied();
        TfBits {
            bits: [
                kind(0, u(1, 5), total, 4.0),
                kind(1, u(2, 4), with_father, 0.0),
                kind(2, u(0, 3), total, 4.0),
            ],
        }
    }

    /// [`TermFreq::adjustment`] for person number `pi` of the list counted,
    /// from `bits` (made by [`TermFreq::bits`] for `model`): the same bits,
    /// without hashing a name or taking a log2.
    pub fn adjustment_of(
        &self,
        bits: &TfBits,
        model: &Model,
        r: &ReqFeatures,
        persons: &[PerFeatures],
        pi: u32,
        v: &Vector,
    ) -> f64 {
        // Entries by person number: only for the list they were counted on
        // (a list of another length takes the hashed path).
        let e = match self.per_person.get(pi as usize) {
            Some(e) if self.per_person.len() == persons.len() => e,
            _ => return self.adjustment(model, r, &persons[pi as usize], v),
        };
        if self.total < 1_000 {
            return 0.0; // too few persons for frequencies to mean anything
        }
        let term = |k: usize| bits.bits[k].get(usize::from(e.at[k])).copied();
        let mut adj = 0.0;
        if v[1] == 5
            && let Some(b) = term(0)
        {
            adj += b;
        }
        if v[2] == 4
            && let Some(b) = term(1)
        {
            adj += b;
        }
        if v[0] == 3
            && let Some(b) = term(2)
            && r.name.parses.iter().any(|q| q.classes.contains(&e.class))
        {
            adj += b;
        }
        debug_assert_eq!(
            adj.to_bits(),
            self.adjustment(model, r, &persons[pi as usize], v)
                .to_bits(),
            "tabled term-frequency adjustment differs"
        );
        adj
    }

    /// Term-frequency adjustment (bits) for an exact given-name, exact
    /// father's-name and same-class surname agreement, relative to the
    /// average u (a common name agreeing says less than a rare one).
    pub fn adjustment(&self, model: &Model, r: &ReqFeatures, p: &PerFeatures, v: &Vector) -> f64 {
        if self.total < 1_000 {
            return 0.0; // too few persons for frequencies to mean anything
        }
        let total = f64::from(self.total);
        let mut adj = 0.0;
        if v[1] == 5
            && let Some(x) = p.name.parses.first()
            && let Some(&n) = self.given.get(&x.given_key)
        {
            let tf = (f64::from(n) / total).max(1.0 / total);
            adj += (model.u[1][5] / tf).log2().clamp(-4.0, 4.0);
        }
        if v[2] == 4
            && let Some(x) = p.father.parses.first()
            && let Some(&n) = self.father.get(&x.given_key)
        {
            let with_father = f64::from(self.with_father).max(1.0);
            let tf = (f64::from(n) / with_father).max(1.0 / with_father);
            // Only weakens: a rare father's name is often a spelling slip.
            adj += (model.u[2][4] / tf).log2().clamp(-4.0, 0.0);
        }
        if v[0] == 3
            && let Some(x) = p.name.parses.first()
            && let Some(c) = x.classes.first()
            && let Some(&n) = self.surname.get(c)
            && r.name.parses.iter().any(|q| q.classes.contains(c))
        {
            let tf = (f64::from(n) / total).max(1.0 / total);
            adj += (model.u[0][3] / tf).log2().clamp(-4.0, 4.0);
        }
        adj
    }
}

impl compare::NamesInUse for TermFreq {
    fn bearers(&self, given_key: &str) -> Option<u32> {
        // As for the adjustments: too short a list says nothing.
        if self.total < 1_000 {
            return None;
        }
        Some(self.given.get(given_key).copied().unwrap_or(0))
    }
}

/// The person side, indexed once: the persons' features, the blocking
/// index and the term-frequency tables. Requests are then trained on
/// ([`Training`]) and scored ([`PersonSide::score`]) chunk by chunk, so the
/// request list never has to be held whole; [`conclude`] turns the per
/// request results into probabilities and assignments.
#[derive(Debug)]
pub struct PersonSide<'p> {
    /// The persons.
    pub persons: &'p [PerFeatures],
    /// Blocking index over the persons.
    pub index: Index,
    /// Term frequencies of the persons' names, counted over `persons` in
    /// this order ([`TermFreq::for_persons`]: its per-person entries go by
    /// person number).
    pub tf: TermFreq,
}

/// How large the person side was: what [`conclude`] needs of it once every
/// request is scored (the features themselves may be freed by then).
#[derive(Debug, Clone, Copy)]
pub struct SideSize {
    /// Persons on the list.
    pub persons: usize,
    /// Entries of the blocking index.
    pub index_entries: usize,
}

impl PersonSide<'_> {
    /// The side's size, for [`conclude`].
    pub fn size(&self) -> SideSize {
        SideSize {
            persons: self.persons.len(),
            index_entries: self.index.len(),
        }
    }
}

/// What scoring one request leaves: its candidates' count, log2 Σ of their
/// Bayes factors, and the best few (probabilities not yet known).
#[derive(Debug, Clone)]
pub struct RequestScore {
    /// Candidates compared.
    pub candidates: u64,
    /// log2 of the sum of the candidates' Bayes factors (−∞ for none).
    pub log_sum: f64,
    /// The best candidates, best first (at most `keep_per_request`).
    pub ranked: Vec<Scored>,
}

/// Most levels a field may have: the room in [`Weights`]' tables and the training tallies
/// ([`LEVELS`]).
const MAX_LEVELS: usize = 8;

/// The model's per-level log2 terms, taken once per scoring pass instead
/// of nine or more `log2` calls per candidate pair. [`Weights::weight_tf`]
/// adds the same terms in the same order as [`Model::weight_tf`], so the
/// weights are the same to the last bit.
#[derive(Debug)]
pub struct Weights<'m> {
    model: &'m Model,
    /// Per field and level: [`Model::field_weight`], log2 u, log2 f;
    /// `None` when the model's shape does not fit the tables.
    tables: Option<Tables>,
}

#[derive(Debug)]
struct Tables {
    field: [[f64; MAX_LEVELS]; compare::FIELDS],
    log_u: [[f64; MAX_LEVELS]; compare::FIELDS],
    /// log2 f per field and level, log2(1 − share) and log2(share).
    family: Option<([[f64; MAX_LEVELS]; compare::FIELDS], f64, f64)>,
    /// [`Model::dependence_bits`] by (level of the field depended on, level
    /// of the dependent field), with the two fields' positions.
    dependence: Option<(usize, usize, [[f64; MAX_LEVELS]; MAX_LEVELS])>,
}

/// log2 of each level's probability (0 for level 0, as `log2_prob` in
/// [`crate::model`] counts it).
fn log_table(t: &[Vec<f64>]) -> Option<[[f64; MAX_LEVELS]; compare::FIELDS]> {
    if t.len() != compare::FIELDS || t.iter().any(|x| x.len() > MAX_LEVELS) {
        return None;
    }
    let mut out = [[0.0; MAX_LEVELS]; compare::FIELDS];
    for (row, probs) in out.iter_mut().zip(t) {
        for (l, p) in probs.iter().enumerate().skip(1) {
            row[l] = p.log2();
        }
    }
    Some(out)
}

impl<'m> Weights<'m> {
    /// Tables of `model`.
    pub fn new(model: &'m Model) -> Self {
        let tables = (|| {
            if model.m.len() != compare::FIELDS || model.m.iter().any(|x| x.len() > MAX_LEVELS) {
                return None;
            }
            let mut field = [[0.0; MAX_LEVELS]; compare::FIELDS];
            for (f, row) in field.iter_mut().enumerate() {
                for (l, w) in row.iter_mut().enumerate() {
                    *w = model.field_weight(f, l as u8);
                }
            }
            let log_u = log_table(&model.u)?;
            let family = match &model.family {
                None => None,
                Some(fam) => Some((
                    log_table(&fam.f)?,
                    (1.0 - fam.share).log2(),
                    fam.share.log2(),
                )),
            };
            let dependence = match &model.dependence {
                None => None,
                Some(d) => {
                    let mut bits = [[0.0; MAX_LEVELS]; MAX_LEVELS];
                    let mut v: Vector = [0; compare::FIELDS];
                    for (a, row) in bits.iter_mut().enumerate() {
                        for (b, x) in row.iter_mut().enumerate() {
                            (v[d.on], v[d.field]) = (a as u8, b as u8);
                            *x = model.dependence_bits(&v);
                        }
                    }
                    Some((d.on, d.field, bits))
                }
            };
            Some(Tables {
                field,
                log_u,
                family,
                dependence,
            })
        })();
        Self { model, tables }
    }

    /// [`Model::weight_tf`].
    pub fn weight_tf(&self, v: &Vector, tf_bits: f64) -> f64 {
        self.weight_tf_m(v, tf_bits, 0.0)
    }

    /// [`Model::weight_tf_m`].
    pub fn weight_tf_m(&self, v: &Vector, tf_bits: f64, m_bits: f64) -> f64 {
        let Some(t) = &self.tables else {
            return self.model.weight_tf_m(v, tf_bits, m_bits);
        };
        let level = |table: &[[f64; MAX_LEVELS]; compare::FIELDS], f: usize, l: u8| {
            table[f].get(usize::from(l)).copied().unwrap_or(0.0)
        };
        // As in `Model::weight_tf`: the dependence's bits join the term
        // frequencies' before the family correction.
        let bits = tf_bits
            + match &t.dependence {
                None => 0.0,
                Some((on, field, bits)) => bits
                    .get(usize::from(v[*on]))
                    .and_then(|row| row.get(usize::from(v[*field])))
                    .copied()
                    .unwrap_or_else(|| self.model.dependence_bits(v)),
            };
        let independent: f64 = v
            .iter()
            .enumerate()
            .map(|(f, &l)| level(&t.field, f, l))
            .sum();
        let family = match &t.family {
            None => 0.0,
            Some((log_f, log_unrelated, log_share)) => {
                let lu = v
                    .iter()
                    .enumerate()
                    .map(|(f, &l)| level(&t.log_u, f, l))
                    .sum::<f64>()
                    - bits;
                let lf: f64 = v
                    .iter()
                    .enumerate()
                    .map(|(f, &l)| level(log_f, f, l))
                    .sum::<f64>()
                    + m_bits;
                let a = log_unrelated + lu;
                let b = log_share + lf;
                let mx = a.max(b);
                // One of the two is the maximum itself: 2^0 is 1 exactly,
                // without the call.
                let exp2 = |d: f64| if d == 0.0 { 1.0 } else { d.exp2() };
                let mix = mx + (exp2(a - mx) + exp2(b - mx)).log2();
                (lu - mix).min(0.0)
            }
        };
        let w = independent + m_bits + bits + family;
        debug_assert_eq!(
            w.to_bits(),
            self.model.weight_tf_m(v, tf_bits, m_bits).to_bits(),
            "table weight differs from Model::weight_tf for {v:?}"
        );
        w
    }
}

/// Weights by (vector, term-frequency bits), kept by each worker over the
/// requests of one scoring pass: many pairs share both (every "different
/// given name, same surname, other year" pair; look-alike requests are
/// scored together), and [`Weights::weight_tf`] is a pure function of
/// them, so a remembered weight is the weight to the bit. Direct-mapped;
/// a collision only computes again.
struct WeightMemo {
    slots: Box<[(u32, u64, f64)]>,
}

/// Slots of a [`WeightMemo`] (24 KiB), a power of two.
const WEIGHT_MEMO_BITS: u32 = 10;

/// What weighs a pair in a scoring pass: the model's tables, its
/// term-frequency bits and the worker's memo of weights.
type Weighing<'a, 'm> = (&'a Weights<'m>, &'a TfBits, &'a mut WeightMemo);

/// A slot no key fills (a key is a packed vector's 27 bits and one bit
/// for married in).
const EMPTY_SLOT: u32 = u32::MAX;
const _: () = assert!(compare::FIELDS as u32 * LEVEL_BITS + 1 < u32::BITS);

impl WeightMemo {
    fn new() -> Self {
        Self {
            slots: vec![(EMPTY_SLOT, 0, 0.0); 1 << WEIGHT_MEMO_BITS].into_boxed_slice(),
        }
    }

    /// [`Weights::weight_tf_m`] of `v` with `tf` bits and the hometown's
    /// correction for a request whose sought person did or did not marry
    /// in ([`Model::hometown_bits`]), remembered: the weight is a pure
    /// function of the vector, the bits and `married_in`.
    fn weight(
        &mut self,
        model: &Model,
        weights: &Weights<'_>,
        v: &Vector,
        tf: f64,
        married_in: bool,
    ) -> f64 {
        let m_bits = || model.hometown_bits(married_in, v[compare::Field::Place as usize]);
        let Some(packed) = pack(v) else {
            return weights.weight_tf_m(v, tf, m_bits());
        };
        // Bit 27, above the packed vector's 27 bits, says married in.
        let key = packed | u32::from(married_in) << (compare::FIELDS as u32 * LEVEL_BITS);
        let tf_key = tf.to_bits();
        let h = (u64::from(key) ^ tf_key.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = &mut self.slots[(h >> (u64::BITS - WEIGHT_MEMO_BITS)) as usize];
        if slot.0 == key && slot.1 == tf_key {
            return slot.2;
        }
        let w = weights.weight_tf_m(v, tf, m_bits());
        *slot = (key, tf_key, w);
        w
    }
}

/// Requests are scored in an order that keeps look-alike requests (same
/// surname class, county, year) together: their candidates overlap, so the
/// persons' features are still in cache. Results go back to each request's
/// own slot, so the order changes no number.
fn locality(r: &ReqFeatures) -> (u16, u16, i32) {
    let class = r
        .name
        .parses
        .first()
        .and_then(|p| p.classes.first().copied())
        .unwrap_or(u16::MAX);
    let county = r.place.county_ids.first().copied().unwrap_or(u16::MAX);
    (class, county, r.year.unwrap_or(i32::MAX))
}

impl<'p> PersonSide<'p> {
    /// Indexes the persons.
    pub fn build(persons: &'p [PerFeatures]) -> Self {
        let index = Self::index_of(persons);
        let tf = TermFreq::for_persons(persons);
        Self { persons, index, tf }
    }

    /// The blocking index over `persons` (what [`PersonSide::build`] holds).
    pub fn index_of(persons: &[PerFeatures]) -> Index {
        Index::build_bounded(
            persons.len(),
            |i| block::person_key_bound(&persons[i]),
            |i| block::person_keys(&persons[i]),
        )
    }

    /// Scores a batch of requests (request number, features): the results
    /// in the batch's order. The numbers do not depend on how requests are
    /// batched.
    pub fn score(
        &self,
        model: &Model,
        opts: &Options,
        batch: &[(usize, &ReqFeatures)],
    ) -> Vec<RequestScore> {
        self.score_with(model, opts, batch, &mut Compared::default())
    }

    /// [`PersonSide::score`], taking from `compared` the candidates training
    /// already compared for requests of the batch instead of comparing them
    /// again (the same vectors: see [`Compared`]); what is taken is freed
    /// once scored.
    pub fn score_with(
        &self,
        model: &Model,
        opts: &Options,
        batch: &[(usize, &ReqFeatures)],
        compared: &mut Compared,
    ) -> Vec<RequestScore> {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        // Look-alike requests together (see [`locality`]).
        order.sort_by_key(|&i| (locality(batch[i].1), batch[i].0));
        let weights = Weights::new(model);
        let tf_bits = self.tf.bits(model);
        let tf_bits = &tf_bits;
        let known: Vec<Option<ComparedList>> =
            order.iter().map(|&bi| compared.take(batch[bi].0)).collect();
        let scored: Vec<RequestScore> = order
            .par_iter()
            .zip(known)
            .map_init(WeightMemo::new, |memo, (&bi, known)| {
                let w = (&weights, tf_bits, memo);
                match known {
                    Some(list) => self.score_compared(model, w, opts, batch[bi].1, list),
                    None => self.score_one(model, w, opts, batch[bi].1),
                }
            })
            .collect();
        let mut out: Vec<Option<RequestScore>> = vec![None; batch.len()];
        for (&bi, s) in order.iter().zip(scored) {
            out[bi] = Some(s);
        }
        out.into_iter()
            .map(|s| s.expect("every slot filled"))
            .collect()
    }

    fn score_one(
        &self,
        model: &Model,
        weights: Weighing<'_, '_>,
        opts: &Options,
        r: &ReqFeatures,
    ) -> RequestScore {
        let persons = self.persons;
        let cands = self.candidates(r, opts);
        self.tf.warm(&cands);
        compare::Comparer::warm(persons, &cands);
        let mut comparer = compare::Comparer::on_list(r, &self.tf);
        let vectors = cands
            .iter()
            .map(|&pi| (pi, comparer.compare(&persons[pi as usize])));
        self.rank(model, weights, opts, r, vectors)
    }

    /// A request's candidates, sorted by person: the one lookup training
    /// and scoring both make, so that they compare the same pairs.
    fn candidates(&self, r: &ReqFeatures, opts: &Options) -> Vec<u32> {
        let keys = block::request_keys(r);
        self.index
            .candidates_within(&keys, opts.max_block, CANDIDATE_BUDGET)
    }

    /// [`PersonSide::score_one`] over the vectors training compared for
    /// this request: the same candidates ([`PersonSide::candidates`]), the
    /// same vectors, weighed the same way, so the same score to the bit.
    fn score_compared(
        &self,
        model: &Model,
        weights: Weighing<'_, '_>,
        opts: &Options,
        r: &ReqFeatures,
        known: ComparedList,
    ) -> RequestScore {
        let cands = self.candidates(r, opts);
        self.tf.warm(&cands);
        if cands.len() != known.vectors.len() {
            debug_assert!(
                false,
                "training compared other candidates than scoring would"
            );
            return self.score_one(model, weights, opts, r);
        }
        let vectors = cands
            .iter()
            .zip(known.vectors.iter())
            .map(|(&pi, &packed)| (pi, unpack(packed)));
        self.rank(model, weights, opts, r, vectors)
    }

    /// Weighs a request's candidates (person, vector) in candidate order
    /// and keeps the best `opts.keep_per_request`, with the log-sum of all
    /// their weights: the end of [`PersonSide::score_one`] and
    /// [`PersonSide::score_compared`].
    fn rank(
        &self,
        model: &Model,
        weights: Weighing<'_, '_>,
        opts: &Options,
        r: &ReqFeatures,
        vectors: impl Iterator<Item = (u32, Vector)>,
    ) -> RequestScore {
        let persons = self.persons;
        let (weights, tf_bits, memo) = weights;
        let married_in = r.married_in();
        let mut list: Vec<Scored> = vectors
            .map(|(pi, vector)| {
                let tf = self
                    .tf
                    .adjustment_of(tf_bits, model, r, persons, pi, &vector);
                let weight = memo.weight(model, weights, &vector, tf, married_in);
                Scored {
                    person: pi,
                    weight,
                    prob: 0.0,
                    vector,
                }
            })
            .collect();
        let candidates = list.len() as u64;
        let log_sum = model::log2_sum_exp2(list.iter().map(|s| s.weight));
        // The best few only: candidates are distinct persons, so the order
        // (weight, then person) is strict and selecting the best `keep`
        // before sorting them gives what sorting the whole list would.
        let keep = opts.keep_per_request.max(1);
        let by_rank =
            |a: &Scored, b: &Scored| b.weight.total_cmp(&a.weight).then(a.person.cmp(&b.person));
        if list.len() > keep {
            list.select_nth_unstable_by(keep - 1, by_rank);
            list.truncate(keep);
        }
        list.sort_by(by_rank);
        list.shrink_to_fit(); // keep only the kept candidates in memory
        RequestScore {
            candidates,
            log_sum,
            ranked: list,
        }
    }
}

/// Bits a level takes in a packed vector: every field has at most
/// [`MAX_LEVELS`] = 8 levels.
const LEVEL_BITS: u32 = 3;
const _: () = assert!(compare::FIELDS as u32 * LEVEL_BITS <= u32::BITS);
const _: () = assert!(MAX_LEVELS <= 1 << LEVEL_BITS);

/// A vector in 27 bits, or `None` if a level does not fit its 3 bits.
fn pack(v: &Vector) -> Option<u32> {
    let mut bits = 0u32;
    for (f, &l) in v.iter().enumerate() {
        if u32::from(l) >= 1 << LEVEL_BITS {
            return None;
        }
        bits |= u32::from(l) << (LEVEL_BITS * f as u32);
    }
    Some(bits)
}

/// The vector [`pack`] packed.
fn unpack(bits: u32) -> Vector {
    let mut v: Vector = [0; compare::FIELDS];
    for (f, l) in v.iter_mut().enumerate() {
        *l = ((bits >> (LEVEL_BITS * f as u32)) & ((1 << LEVEL_BITS) - 1)) as u8;
    }
    v
}

/// One request's candidates' vectors as training compared them, packed,
/// in the order [`Index::candidates_within`] gives the candidates.
#[derive(Debug, Clone, Default)]
pub struct ComparedList {
    vectors: Box<[u32]>,
}

/// The candidates training compared for its sampled requests (about one
/// request in ten: `em_requests` of them), kept for scoring, which then
/// weighs them instead of comparing them again. A comparison is a pure
/// function of the request's and the person's features (the comparer's
/// memo only spares work), so the vectors are those scoring would
/// compute. 4 bytes a pair (a packed vector; the candidates are looked
/// up again): about 1.1 MB for dev-20k's 4,700 sampled requests and their
/// 270,000 candidates, each request's freed as it is scored.
#[derive(Debug, Default)]
pub struct Compared {
    /// By request number (sorted at the first [`Compared::take`]); `None`
    /// once taken.
    lists: Vec<(u32, Option<ComparedList>)>,
    sorted: bool,
}

impl Compared {
    /// Takes request `ri`'s list, if training compared its candidates.
    pub fn take(&mut self, ri: usize) -> Option<ComparedList> {
        if !self.sorted {
            self.lists.sort_unstable_by_key(|(r, _)| *r);
            self.sorted = true;
        }
        let at = self
            .lists
            .binary_search_by_key(&u32::try_from(ri).ok()?, |(r, _)| *r)
            .ok()?;
        self.lists[at].1.take()
    }

    /// Requests held.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// True when no request's candidates are held.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

/// Model training over requests fed in batches: u from random (request,
/// person) pairs, m by EM over the candidates of a spread sample of
/// requests. Which requests take part depends only on their number and the
/// seed, so a streaming run can read just those ([`Training::wants`]).
/// What is learnt from the pairs are integer counts (levels of the random
/// pairs, comparison patterns), so neither the batching nor the order in
/// which threads finish changes the model.
#[derive(Debug)]
pub struct Training<'s, 'p> {
    side: &'s PersonSide<'p>,
    opts: Options,
    requests: usize,
    /// Random pairs (request, person), sorted by request.
    pairs: Vec<(u32, u32)>,
    step: usize,
    tally: Tally,
}

/// What training has counted so far (see [`Training`]).
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Per field and level, random pairs showing it.
    random_levels: [[u64; MAX_LEVELS]; compare::FIELDS],
    /// Random pairs by (given-name level, sex level), for
    /// [`model::Dependence`].
    random_given_sex: [[u64; MAX_LEVELS]; MAX_LEVELS],
    /// Patterns of the sampled requests' candidates.
    patterns: HashMap<Vector, u64>,
    /// Each sampled request's number, whether its sought person married
    /// into the family ([`ReqFeatures::married_in`]) and its candidates'
    /// packed vectors, for [`model::hometown_by_kind`].
    by_kind: Vec<(u32, bool, Box<[u32]>)>,
    /// Patterns of each session's own population (see
    /// [`block::training_keys`]).
    by_session: [HashMap<Vector, u64>; 3],
    /// Sampled requests whose father is known.
    req_f: usize,
    /// The sampled requests' candidates and vectors, for scoring.
    compared: Vec<(u32, Option<ComparedList>)>,
}

const _: () = {
    let mut f = 0;
    while f < LEVELS.len() {
        assert!(LEVELS[f] <= MAX_LEVELS);
        f += 1;
    }
};

/// The training blocks, in the order of [`Tally::by_session`].
const TRAINING_BLOCKS: [block::TrainingBlock; 3] = [
    block::TrainingBlock::GivenYear,
    block::TrainingBlock::SurnameGiven,
    block::TrainingBlock::SurnameCountyYear,
];

fn merge_counts(into: &mut HashMap<Vector, u64>, from: HashMap<Vector, u64>) {
    if into.len() < from.len() {
        let small = std::mem::replace(into, from);
        return merge_counts(into, small);
    }
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        for (a, b) in self.random_levels.iter_mut().zip(&other.random_levels) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self
            .random_given_sex
            .iter_mut()
            .zip(&other.random_given_sex)
        {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        merge_counts(&mut self.patterns, other.patterns);
        self.by_kind.extend(other.by_kind);
        for (into, from) in self.by_session.iter_mut().zip(other.by_session) {
            merge_counts(into, from);
        }
        self.req_f += other.req_f;
        self.compared.extend(other.compared);
        self
    }
}

impl<'s, 'p> Training<'s, 'p> {
    /// Plans training over `requests` requests.
    pub fn new(side: &'s PersonSide<'p>, requests: usize, opts: &Options) -> Self {
        let persons = side.persons.len();
        let mut rng = SplitMix::new(opts.seed);
        let mut pairs: Vec<(u32, u32)> = if requests == 0 || persons == 0 {
            Vec::new()
        } else {
            (0..opts.u_samples)
                .map(|_| (rng.below(requests) as u32, rng.below(persons) as u32))
                .collect()
        };
        pairs.sort_unstable();
        Self {
            side,
            opts: opts.clone(),
            requests,
            pairs,
            step: requests.div_ceil(opts.em_requests.max(1)).max(1),
            tally: Tally::default(),
        }
    }

    fn em_sampled(&self, ri: usize) -> bool {
        ri.is_multiple_of(self.step)
    }

    fn random_pairs_of(&self, ri: usize) -> &[(u32, u32)] {
        let r = ri as u32;
        let a = self.pairs.partition_point(|&(x, _)| x < r);
        let b = self.pairs.partition_point(|&(x, _)| x <= r);
        &self.pairs[a..b]
    }

    /// True when request number `ri` takes part in training.
    pub fn wants(&self, ri: usize) -> bool {
        self.em_sampled(ri) || !self.random_pairs_of(ri).is_empty()
    }

    /// Feeds a batch of requests (request number, features); requests not
    /// wanted are ignored. Each request must be fed once.
    pub fn add(&mut self, batch: &[(usize, &ReqFeatures)]) {
        self.add_with(batch, |r, f| f(r));
    }

    /// Feeds a batch of requests not yet prepared: each wanted request's
    /// features are made, used and dropped within one task, so a batch
    /// never holds more than a request's features per thread.
    /// Names `known` are copied rather than parsed
    /// ([`ReqFeatures::with_known`]).
    pub fn add_requests(
        &mut self,
        batch: &[(usize, crate::records::Request)],
        known: Option<&crate::features::Known>,
    ) {
        self.add_with(batch, |r, f| f(&ReqFeatures::with_known(r, known)));
    }

    /// Tallies a batch in parallel; `with(item, f)` calls `f` with the
    /// item's features.
    fn add_with<T: Sync>(
        &mut self,
        batch: &[(usize, T)],
        with: impl Fn(&T, &mut dyn FnMut(&ReqFeatures)) + Sync,
    ) {
        let this = &*self;
        let tally = batch
            .par_iter()
            .filter(|(ri, _)| this.wants(*ri))
            .fold(Tally::default, |mut acc, (ri, item)| {
                with(item, &mut |r| this.observe(*ri, r, &mut acc));
                acc
            })
            .reduce(Tally::default, Tally::merge);
        let old = std::mem::take(&mut self.tally);
        self.tally = old.merge(tally);
    }

    /// Counts what request `ri` brings: its random pairs' levels and, when
    /// sampled, the patterns of its candidates and of each session's
    /// population. A pair in several of these is compared once.
    fn observe(&self, ri: usize, r: &ReqFeatures, acc: &mut Tally) {
        let persons = self.side.persons;
        let index = &self.side.index;
        let opts = &self.opts;
        for &(_, p) in self.random_pairs_of(ri) {
            let v = compare::compare_in(r, &persons[p as usize], &self.side.tf);
            for (f, &l) in v.iter().enumerate() {
                if let Some(c) = acc.random_levels[f].get_mut(usize::from(l)) {
                    *c += 1;
                }
            }
            let (g, x) = (
                usize::from(v[compare::Field::Given as usize]),
                usize::from(v[compare::Field::Sex as usize]),
            );
            if let Some(c) = acc
                .random_given_sex
                .get_mut(g)
                .and_then(|row| row.get_mut(x))
            {
                *c += 1;
            }
        }
        if !self.em_sampled(ri) {
            return;
        }
        if !r.father.is_empty() {
            acc.req_f += 1;
        }
        // Candidates (sorted by person), each compared once, through one
        // comparer (names read ahead, name comparisons remembered).
        let cands = self.side.candidates(r, opts);
        compare::Comparer::warm(persons, &cands);
        let mut comparer = compare::Comparer::on_list(r, &self.side.tf);
        let compared: Vec<(u32, Vector)> = cands
            .into_iter()
            .map(|pi| (pi, comparer.compare(&persons[pi as usize])))
            .collect();
        for (_, v) in &compared {
            *acc.patterns.entry(*v).or_default() += 1;
        }
        // Each session's own population: all pairs sharing its fields (not
        // the candidates, which other rules shape). Pairs outside the
        // candidates are compared once for all sessions.
        let mut extra: rustc_hash::FxHashMap<u32, Vector> = Default::default();
        for (tb, into) in TRAINING_BLOCKS.iter().zip(acc.by_session.iter_mut()) {
            let keys = block::training_keys(r, *tb);
            for pi in index.candidates(&keys, opts.max_block) {
                let v = match compared.binary_search_by_key(&pi, |&(p, _)| p) {
                    Ok(i) => compared[i].1,
                    Err(_) => *extra
                        .entry(pi)
                        .or_insert_with(|| comparer.compare(&persons[pi as usize])),
                };
                *into.entry(v).or_default() += 1;
            }
        }
        // Kept for scoring, unless a level would not pack (then scoring
        // compares again).
        let packed: Option<Box<[u32]>> = compared.iter().map(|(_, v)| pack(v)).collect();
        if let Some(vectors) = &packed {
            acc.by_kind
                .push((ri as u32, r.married_in(), vectors.clone()));
        }
        if let Some(vectors) = packed {
            acc.compared
                .push((ri as u32, Some(ComparedList { vectors })));
        }
    }

    /// Hands over what training compared for its sampled requests, for
    /// [`PersonSide::score_with`] (call before [`Training::finish`]).
    pub fn take_compared(&mut self) -> Compared {
        Compared {
            lists: std::mem::take(&mut self.tally.compared),
            sorted: false,
        }
    }

    /// Trains the model on what was fed.
    pub fn finish(self) -> Model {
        let opts = &self.opts;
        let persons = self.side.persons;
        let counts: Vec<&[u64]> = self
            .tally
            .random_levels
            .iter()
            .zip(LEVELS)
            .map(|(c, n)| &c[..n])
            .collect();
        let u = model::u_from_counts(&counts);
        let patterns = &self.tally.patterns;
        // Sessions: (A) same surname class and same given name — trains every
        // other field; (B) same surname, birth year and county — trains the
        // given name and the rest; (C) same given name and year — trains the
        // surname (which A and B fix).
        let same_name = |v: &Vector| v[0] == 3 && v[1] == 5;
        let same_year_place = |v: &Vector| v[0] == 3 && v[3] == 6 && v[5] >= 4;
        let same_given_year = |v: &Vector| v[1] == 5 && v[3] == 6;
        let sessions = [
            model::Session {
                name: "given+year",
                keep: &same_given_year,
                fixed: &[1, 3],
            },
            model::Session {
                name: "surname+given",
                keep: &same_name,
                fixed: &[0, 1, 4],
            },
            model::Session {
                name: "surname+year+county",
                keep: &same_year_place,
                fixed: &[0, 3, 5],
            },
        ];
        let space = self.requests as f64 * persons.len() as f64;
        let trainable = space >= MIN_TRAINING_SPACE;
        let mut model = if trainable {
            let sets: Vec<&HashMap<Vector, u64>> = self.tally.by_session.iter().collect();
            model::train_session_sets_related(
                &sets,
                &u,
                &LEVELS,
                &sessions,
                opts.em_iterations,
                &FAMILY_FIELDS,
                // The sessions blocked on the given name hold same-name
                // strangers: u is re-estimated within them.
                &[true, true, false],
            )
            .0
        } else {
            model::default_kin_model()
        };
        // Siblings share the family's evidence: a related-non-match class.
        let family = |v: &Vector| v[2] == 4 || v[7] == 4 || v[7] == 5;
        if trainable {
            // Given names are gendered: among strangers, sex given the
            // given-name level (see model::Dependence).
            let (sex, given) = (compare::Field::Sex as usize, compare::Field::Given as usize);
            let joint: Vec<Vec<u64>> = self.tally.random_given_sex[..LEVELS[given]]
                .iter()
                .map(|row| row[..LEVELS[sex]].to_vec())
                .collect();
            model.dependence = Some(model::dependence_from_counts(
                &joint,
                sex,
                given,
                &model.u[sex],
            ));
            model::add_family_class(
                &mut model,
                patterns,
                &FAMILY_FIELDS,
                &family,
                opts.em_iterations,
            );
            // Relatives level 5 is one a sibling cannot show (see
            // compare::compare_relatives): a sibling lists the applicant under
            // another relation.
            if let Some(f) = model.family.as_mut() {
                f.move_level(7, 5, usize::from(compare::RELATIVES_OTHER_RELATION));
            }
        }
        // The related share must be per pair over all persons, like the prior
        // below: the expected number of the sought person's relatives on the
        // list divided by the list's length. Relatives per request are counted
        // as candidates agreeing on surname, father and county, among requests
        // and persons whose father is known (the match itself included, so this
        // errs high).
        let fam_pairs: u64 = patterns
            .iter()
            .filter(|(v, _)| v[0] == 3 && v[2] == 4 && v[5] >= 4)
            .map(|(_, c)| *c)
            .sum();
        let req_f = self.tally.req_f;
        let per_f = persons.iter().filter(|p| !p.father.is_empty()).count();
        let q = per_f as f64 / persons.len().max(1) as f64;
        let relatives = if req_f > 0 && q > 0.0 {
            (fam_pairs as f64 / (req_f as f64 * q)).max(0.5)
        } else {
            1.0
        };
        if let Some(f) = model.family.as_mut() {
            f.share = (relatives / persons.len().max(1) as f64).clamp(1e-12, 0.5);
        }
        if trainable {
            // A mother's or wife's birthplace is often not the family's
            // hometown: the hometown's m by kind of request.
            let mut by_kind: Vec<&(u32, bool, Box<[u32]>)> = self.tally.by_kind.iter().collect();
            by_kind.sort_unstable_by_key(|(ri, _, _)| *ri);
            let place = compare::Field::Place as usize;
            let bits = {
                let weights = Weights::new(&model);
                // A weight per distinct vector (the sampled candidates show
                // a few thousand patterns): the same numbers, made once.
                let mut weight_of: rustc_hash::FxHashMap<u32, f64> = Default::default();
                // Per request and hometown level, log2 Σ 2^weight.
                let requests: Vec<(bool, [f64; model::HOMETOWN_LEVELS])> = by_kind
                    .iter()
                    .map(|(_, kind, vs)| {
                        let mut by_level: [smallvec::SmallVec<[f64; 16]>; model::HOMETOWN_LEVELS] =
                            Default::default();
                        for &packed in vs.iter() {
                            let v = unpack(packed);
                            if let Some(l) = by_level.get_mut(usize::from(v[place])) {
                                let w = *weight_of
                                    .entry(packed)
                                    .or_insert_with(|| weights.weight_tf(&v, 0.0));
                                l.push(w);
                            }
                        }
                        (
                            *kind,
                            by_level.map(|l| model::log2_sum_exp2(l.iter().copied())),
                        )
                    })
                    .collect();
                model::hometown_by_kind(&requests, persons.len() as f64)
            };
            model.hometown_by_kind = Some(bits);
        }
        model
    }
}

/// Every request's scores, by request number.
#[derive(Debug, Default)]
pub struct Scores {
    /// log2 Σ of each request's candidates' Bayes factors.
    pub log_sums: Vec<f64>,
    /// Each request's best candidates.
    pub ranked: Ranked,
    /// Candidate pairs compared.
    pub candidate_pairs: u64,
}

impl Scores {
    /// Room for `n` requests, none scored yet.
    pub fn new(n: usize) -> Self {
        Self {
            log_sums: vec![f64::NEG_INFINITY; n],
            ranked: Ranked::new(n),
            candidate_pairs: 0,
        }
    }

    /// Records request `ri`'s score.
    pub fn put(&mut self, ri: usize, s: RequestScore) {
        self.candidate_pairs += s.candidates;
        self.log_sums[ri] = s.log_sum;
        self.ranked.set(ri, &s.ranked);
    }
}

/// Each request's best candidates (a few each), held in one vector with a
/// span per request instead of a vector per request: no allocation per
/// request, and 24 bytes less each. Reads like a `Vec<Vec<Scored>>`:
/// `ranked[ri]` is request `ri`'s slice, [`Ranked::iter`] and
/// [`Ranked::iter_mut`] go over the requests in order.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// Per request: the start of its candidates in `all`, and their number.
    spans: Vec<(u32, u32)>,
    all: Vec<Scored>,
}

impl Ranked {
    /// `n` requests with no candidates yet.
    pub fn new(n: usize) -> Self {
        Self {
            spans: vec![(0, 0); n],
            all: Vec::new(),
        }
    }

    /// Sets request `ri`'s candidates (once per request: a second call
    /// leaves the first list's room unused).
    pub fn set(&mut self, ri: usize, list: &[Scored]) {
        if self.all.capacity() == 0 {
            // Most requests keep a full list: room for three each at once
            // rather than doubling past it.
            self.all.reserve_exact(3 * self.spans.len());
        }
        let start = u32::try_from(self.all.len()).expect("fewer than 2^32 kept candidates");
        self.all.extend_from_slice(list);
        self.spans[ri] = (start, list.len() as u32);
    }

    /// Number of requests.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no requests.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The requests' candidate lists, in request order.
    pub fn iter(&self) -> impl Iterator<Item = &[Scored]> {
        self.spans
            .iter()
            .map(|&(a, n)| &self.all[a as usize..(a + n) as usize])
    }

    /// The requests' candidate lists, mutable, in request order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut [Scored]> {
        // The spans are disjoint: cut `all` at their starts in storage
        // order, then hand the pieces out in request order.
        let mut by_start: Vec<usize> = (0..self.spans.len()).collect();
        by_start.sort_by_key(|&ri| self.spans[ri]);
        let mut pieces: Vec<Option<&mut [Scored]>> = Vec::new();
        pieces.resize_with(self.spans.len(), || None);
        let mut rest: &mut [Scored] = &mut self.all;
        let mut at = 0usize;
        for ri in by_start {
            let (a, n) = self.spans[ri];
            let (a, n) = (a as usize, n as usize);
            if n == 0 {
                pieces[ri] = Some(&mut []);
                continue;
            }
            let tail = std::mem::take(&mut rest);
            let (_, tail) = tail.split_at_mut(a - at);
            let (piece, tail) = tail.split_at_mut(n);
            pieces[ri] = Some(piece);
            rest = tail;
            at = a + n;
        }
        pieces
            .into_iter()
            .map(|p| p.expect("every request has a span"))
    }
}

impl std::ops::Index<usize> for Ranked {
    type Output = [Scored];

    fn index(&self, ri: usize) -> &[Scored] {
        let (a, n) = self.spans[ri];
        &self.all[a as usize..(a + n) as usize]
    }
}

/// Turns per-request scores into probabilities and assignments: the
/// per-pair prior from all requests' sums, candidates competing within a
/// request, claims across applicants ([`claims_across_applicants`]), and one
/// applicant's requests going to different persons. `seekers` holds each
/// request's applicant (number, relation sought, surname).
pub fn conclude(
    side: SideSize,
    mut model: Model,
    scores: Scores,
    seekers: &[Seeker],
    opts: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Outcome {
    let Scores {
        log_sums,
        mut ranked,
        candidate_pairs,
    } = scores;
    let log_sums = &log_sums[..];
    let n_requests = log_sums.len();
    // A request has at most one match among all persons: with π the share
    // of requests that have one, the prior odds of a given pair are
    // π / ((1 − π) · persons). π by EM over the requests.
    let n_p = side.persons.max(1) as f64;
    let (pi, log_o) = model::per_pair_prior(log_sums, n_p);
    model.lambda = {
        let o = log_o.exp2();
        o / (1.0 + o)
    };
    // Candidates compete: P(i is the match) = o·BF_i / (1 + o·Σ BF).
    for (list, &ls) in ranked.iter_mut().zip(log_sums) {
        for s in list.iter_mut() {
            s.weight += log_o;
            let denom_log = if ls.is_finite() {
                model::log2_1p_exp2(log_o + ls)
            } else {
                0.0
            };
            s.prob = (s.weight - denom_log).exp2();
        }
    }
    let contested = claims_across_applicants(&mut ranked, log_sums, log_o, seekers);

    // Assign: best candidate per request; one applicant's requests go to
    // different persons (the better-scored request keeps the person).
    progress(Progress {
        stage: Stage::Assign,
        done: 0,
        total: n_requests as u64,
    });
    let mut assigned: Vec<Option<Scored>> = ranked.iter().map(|l| l.first().copied()).collect();
    if opts.distinct_per_applicant {
        // Groups are disjoint, so the order they are settled in changes
        // nothing. (applicant, request) sorted: each applicant's requests
        // in order, applicants in order.
        let mut by_applicant: Vec<(u32, usize)> = seekers
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.applicant.map(|a| (a, i)))
            .collect();
        by_applicant.sort_unstable();
        let mut members: Vec<usize> = Vec::new();
        for group in by_applicant.chunk_by(|x, y| x.0 == y.0) {
            if group.len() < 2 {
                continue;
            }
            members.clear();
            members.extend(group.iter().map(|&(_, ri)| ri));
            let members = &members;
            // Greedy over all (request, candidate) options by probability.
            let mut opts_list: Vec<(f64, usize, usize)> = Vec::new();
            for &ri in members {
                for (ci, s) in ranked[ri].iter().enumerate() {
                    opts_list.push((s.prob, ri, ci));
                }
            }
            opts_list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let mut taken_p: Vec<u32> = Vec::new();
            let mut done_r: Vec<usize> = Vec::new();
            for &ri in members {
                assigned[ri] = None;
            }
            for (_, ri, ci) in opts_list {
                if done_r.contains(&ri) {
                    continue;
                }
                let s = ranked[ri][ci];
                if taken_p.contains(&s.person) {
                    continue;
                }
                taken_p.push(s.person);
                done_r.push(ri);
                assigned[ri] = Some(s);
            }
        }
    }
    progress(Progress {
        stage: Stage::Assign,
        done: n_requests as u64,
        total: n_requests as u64,
    });
    let stats = Stats {
        requests: n_requests,
        persons: side.persons,
        candidate_pairs,
        index_keys: side.index_entries,
        em_iterations: model.iterations,
        match_share: pi,
    };
    Outcome {
        ranked,
        assigned,
        model,
        stats,
        contested,
    }
}

/// The smallest claim [`claims_across_applicants`] weighs.
const MIN_CLAIM: f64 = 1e-3;

/// One person is seldom the match of two applicants' requests, unless the
/// applicants are relatives asking for the same relative (two sisters for
/// their brother; [`Seeker::may_seek_the_same_person`]), and never of two
/// requests of one applicant (who seeks each relative once). So when
/// another request j claims person p with probability P_j(p), and the two
/// could not both be seeking p, request i's Bayes factor for
/// p is weighed by 1 − P_j(p) (the chance that p is not j's), the strongest
/// such claim counting, and i's other candidates and "no match" share what
/// p loses: P'_i(p) = o·BF_i(p)·(1 − Q_p) / (1 + o·Σ_k BF_i(k)·(1 − Q_k)).
/// Every request is weighed against the others' probabilities before this
/// step, so the order of requests changes nothing; a request nobody
/// contests keeps its probabilities bit for bit.
fn claims_across_applicants(
    ranked: &mut Ranked,
    log_sums: &[f64],
    log_o: f64,
    seekers: &[Seeker],
) -> HashMap<(u32, u32), ClaimedElsewhere> {
    // Each kept candidate's claim, (person, request, P, log2(1 − P)),
    // sorted by person; a claim below 1/1000 could not move a probability
    // by a thousandth and is left out (it keeps the table small). Each
    // request's claims are worked out on their own (in parallel) and
    // gathered in request order.
    let ranked_ref = &*ranked;
    let mut claims: Vec<(u32, u32, f64, f64)> = (0..log_sums.len())
        .into_par_iter()
        .flat_map_iter(|ri| {
            let ls = log_sums[ri];
            let l = log_o + ls;
            ranked_ref[ri]
                .iter()
                .filter(move |s| ls.is_finite() && s.prob >= MIN_CLAIM)
                .map(move |s| {
                    // 1 − P = (1 + o·Σ − o·BF) / (1 + o·Σ), in logs so that a
                    // claim of 1 − 2^-60 still weighs as much as it says.
                    let rest = (l.exp2() - s.weight.exp2()).max(0.0);
                    let log_not = (1.0 + rest).log2() - model::log2_1p_exp2(l);
                    (s.person, ri as u32, s.prob, log_not)
                })
        })
        .collect();
    // (person, request) pairs are distinct: any sort gives the same order.
    claims.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    // Where each person's claims start (a table by person number rather
    // than two binary searches per candidate).
    let claimed = claims.last().map_or(0, |c| c.0 as usize + 1);
    let mut starts = vec![0u32; claimed + 1];
    for c in &claims {
        starts[c.0 as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let claims_on = |person: u32| match starts.get(person as usize..person as usize + 2) {
        Some(&[from, to]) => &claims[from as usize..to as usize],
        _ => &[],
    };
    // Each request is weighed against the others' claims as they stood
    // before this step, so requests are settled independently (in
    // parallel); what each contests is gathered in request order.
    let lists: Vec<&mut [Scored]> = ranked.iter_mut().collect();
    let found: Vec<Vec<((u32, u32), ClaimedElsewhere)>> = lists
        .into_par_iter()
        .zip(log_sums.par_iter())
        .enumerate()
        .map(|(ri, (list, &ls))| weigh_claims(ri, list, ls, log_o, seekers, &claims_on))
        .collect();
    let mut contested = HashMap::with_capacity(found.iter().map(Vec::len).sum());
    for (key, c) in found.into_iter().flatten() {
        contested.insert(key, c);
    }
    contested
}

/// [`claims_across_applicants`] for request `ri` (its candidates `list`,
/// log2 Σ of their Bayes factors `ls`): weighs its candidates by the other
/// requests' claims on them and returns the pairs contested, each with
/// the claim that weighed most.
fn weigh_claims<'c>(
    ri: usize,
    list: &mut [Scored],
    ls: f64,
    log_o: f64,
    seekers: &[Seeker],
    claims_on: &(dyn Fn(u32) -> &'c [(u32, u32, f64, f64)] + Sync),
) -> Vec<((u32, u32), ClaimedElsewhere)> {
    let mut contested: Vec<((u32, u32), ClaimedElsewhere)> = Vec::new();
    if !ls.is_finite() {
        return contested;
    }
    let me = seekers.get(ri).copied();
    let mut lost = [0.0f64; 8];
    let mut lost_more = Vec::new();
    let lost: &mut [f64] = if list.len() <= lost.len() {
        &mut lost[..list.len()]
    } else {
        lost_more.resize(list.len(), 0.0);
        &mut lost_more
    };
    for (k, s) in list.iter().enumerate() {
        for &(_, rj, claim, log_not) in claims_on(s.person) {
            let other = seekers.get(rj as usize).copied();
            let same_applicant = matches!((me, other),
                (Some(a), Some(b)) if a.applicant.is_some() && a.applicant == b.applicant);
            let apart = same_applicant
                || matches!((me, other), (Some(a), Some(b)) if !a.may_seek_the_same_person(&b));
            if rj as usize != ri && apart && log_not < lost[k] {
                lost[k] = log_not;
                let c = ClaimedElsewhere {
                    by: rj,
                    same_applicant,
                    claim,
                    bits: log_not,
                };
                // One entry per pair: a stronger claim replaces a weaker.
                let key = (ri as u32, s.person);
                match contested.iter_mut().find(|(k, _)| *k == key) {
                    Some(e) => e.1 = c,
                    None => contested.push((key, c)),
                }
            }
        }
    }
    if lost.iter().all(|&b| b == 0.0) {
        return contested;
    }
    // The denominator 1 + o·Σ BF·(1 − Q), scaled by 2^-top.
    let l = log_o + ls;
    let top = list.iter().map(|s| s.weight).fold(l.max(0.0), f64::max);
    let kept: f64 = list.iter().map(|s| (s.weight - top).exp2()).sum();
    let rest = ((l - top).exp2() - kept).max(0.0);
    let weighed: f64 = list
        .iter()
        .zip(lost.iter())
        .map(|(s, b)| (s.weight + b - top).exp2())
        .sum();
    let denom_log = top + ((-top).exp2() + rest + weighed).log2();
    let log_odds = |p: f64| (p / (1.0 - p)).log2();
    for (s, b) in list.iter_mut().zip(lost.iter()) {
        let before = s.prob;
        s.weight += b;
        s.prob = (s.weight - denom_log).exp2();
        if *b < 0.0
            && let Some((_, c)) = contested
                .iter_mut()
                .find(|(k, _)| *k == (ri as u32, s.person))
        {
            c.bits = log_odds(s.prob) - log_odds(before);
        }
    }
    list.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.person.cmp(&b.person)));
    contested
}

/// Numbers each distinct non-empty applicant id (for [`conclude`]).
pub fn number_applicants<'a>(applicants: impl IntoIterator<Item = &'a str>) -> Vec<Option<u32>> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    applicants
        .into_iter()
        .map(|a| {
            if a.is_empty() {
                None
            } else {
                let next = ids.len() as u32;
                Some(*ids.entry(a).or_insert(next))
            }
        })
        .collect()
}

/// Runs the matcher over prepared records held whole (see [`PersonSide`]
/// for the pieces a streaming run uses; this runs the same pieces).
pub fn run(
    requests: &[ReqFeatures],
    applicants: &[&str],
    persons: &[PerFeatures],
    opts: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Outcome {
    let report = |stage, done: usize, total: usize| {
        progress(Progress {
            stage,
            done: done as u64,
            total: total as u64,
        });
    };
    report(Stage::Index, 0, persons.len());
    let side = PersonSide::build(persons);
    report(Stage::Index, persons.len(), persons.len());
    report(Stage::Train, 0, 2);
    let all: Vec<(usize, &ReqFeatures)> = requests.iter().enumerate().collect();
    let mut training = Training::new(&side, requests.len(), opts);
    let wanted: Vec<(usize, &ReqFeatures)> = all
        .iter()
        .copied()
        .filter(|(ri, _)| training.wants(*ri))
        .collect();
    training.add(&wanted);
    report(Stage::Train, 1, 2);
    let mut compared = training.take_compared();
    let model = training.finish();
    report(Stage::Train, 2, 2);
    // The whole list in look-alike order, chunk by chunk.
    let mut order = all;
    order.sort_by_key(|&(ri, r)| (locality(r), ri));
    let mut scores = Scores::new(requests.len());
    let mut done = 0;
    for part in order.chunks(opts.chunk.max(1)) {
        for (&(ri, _), s) in part
            .iter()
            .zip(side.score_with(&model, opts, part, &mut compared))
        {
            scores.put(ri, s);
        }
        done += part.len();
        report(Stage::Score, done, requests.len());
    }
    let seekers: Vec<Seeker> = number_applicants(applicants.iter().copied())
        .into_iter()
        .zip(requests)
        .map(|(a, r)| Seeker::new(a, r.relation, &r.applicant))
        .collect();
    conclude(side.size(), model, scores, &seekers, opts, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_reads_like_a_list_per_request_whatever_the_order_set() {
        let scored = |person: u32| Scored {
            person,
            weight: f64::from(person),
            prob: 0.0,
            vector: [0; compare::FIELDS],
        };
        let lists: Vec<Vec<Scored>> = vec![
            vec![scored(1), scored(2)],
            vec![],
            vec![scored(3)],
            vec![scored(4), scored(5), scored(6)],
        ];
        // Set out of request order, as the whole-list run does.
        let mut ranked = Ranked::new(lists.len());
        for ri in [2, 0, 3, 1] {
            ranked.set(ri, &lists[ri]);
        }
        let persons = |l: &[Scored]| l.iter().map(|s| s.person).collect::<Vec<_>>();
        for (ri, l) in lists.iter().enumerate() {
            assert_eq!(persons(&ranked[ri]), persons(l));
        }
        let got: Vec<Vec<u32>> = ranked.iter().map(persons).collect();
        let want: Vec<Vec<u32>> = lists.iter().map(|l| persons(l)).collect();
        assert_eq!(got, want);
        for (ri, l) in ranked.iter_mut().enumerate() {
            for s in l.iter_mut() {
                s.prob = ri as f64;
            }
        }
        for ri in 0..lists.len() {
            assert!(ranked[ri].iter().all(|s| s.prob == ri as f64));
        }
        assert_eq!(ranked.len(), 4);
    }

    #[test]
    fn packed_vectors_unpack_to_themselves() {
        let mut rng = SplitMix::new(11);
        for _ in 0..2_000 {
            let mut v: Vector = [0; compare::FIELDS];
            for (f, l) in v.iter_mut().enumerate() {
                *l = rng.below(LEVELS[f]) as u8;
            }
            assert_eq!(pack(&v).map(unpack), Some(v));
        }
        // Every level at its highest, and one that does not fit.
        let top: Vector = [7; compare::FIELDS];
        assert_eq!(pack(&top).map(unpack), Some(top));
        let mut wide = top;
        wide[4] = 8;
        assert_eq!(pack(&wide), None);
    }

    #[test]
    fn tabled_weights_are_the_models_to_the_bit() {
        let mut model = model::default_kin_model();
        let check = |model: &Model| {
            let weights = Weights::new(model);
            let mut rng = SplitMix::new(7);
            for _ in 0..2_000 {
                let mut v: Vector = [0; compare::FIELDS];
                for (f, l) in v.iter_mut().enumerate() {
                    *l = rng.below(LEVELS[f]) as u8;
                }
                let tf = (rng.below(17) as f64 - 8.0) / 3.0;
                assert_eq!(
                    weights.weight_tf(&v, tf).to_bits(),
                    model.weight_tf(&v, tf).to_bits(),
                    "{v:?} {tf}"
                );
            }
        };
        check(&model);
        // With the related-non-match class.
        model.family = Some(model::Family {
            f: model.m.clone(),
            share: 0.03,
        });
        check(&model);
    }
}
