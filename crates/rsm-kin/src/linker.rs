//! The matching pipeline over prepared records: index the persons, find
//! candidates per request, estimate u from random pairs and m by EM, score
//! every candidate, turn weights into a probability per request (a request
//! has at most one true match, so candidates compete), and assign.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::block::{self, Index};
use crate::compare::{self, FIELDS, LEVELS, Vector};
use crate::features::{PerFeatures, ReqFeatures};
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
            chunk: 20_000,
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
    pub ranked: Vec<Vec<Scored>>,
    /// Assigned person per request.
    pub assigned: Vec<Option<Scored>>,
    /// The trained model.
    pub model: Model,
    /// Counts.
    pub stats: Stats,
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
    given: HashMap<String, u32>,
    father: HashMap<String, u32>,
    surname: HashMap<u16, u32>,
    total: u32,
    /// Persons with a known father's name (the father table's total).
    with_father: u32,
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
        t
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

/// Runs the matcher over prepared records.
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
    let pkeys: Vec<Vec<u64>> = persons.par_iter().map(block::person_keys).collect();
    let index = Index::build(&pkeys);
    drop(pkeys);
    let tf = TermFreq::for_persons(persons);
    report(Stage::Index, persons.len(), persons.len());

    // u from random pairs.
    report(Stage::Train, 0, 3);
    let mut rng = SplitMix::new(opts.seed);
    let sample_pairs: Vec<(usize, usize)> = if requests.is_empty() || persons.is_empty() {
        Vec::new()
    } else {
        (0..opts.u_samples)
            .map(|_| (rng.below(requests.len()), rng.below(persons.len())))
            .collect()
    };
    let random: Vec<Vector> = sample_pairs
        .par_iter()
        .map(|&(r, p)| compare::compare(&requests[r], &persons[p]))
        .collect();
    let u = model::estimate_u(&LEVELS, &random);
    drop(random);
    report(Stage::Train, 1, 3);

    // EM over candidate pairs of a spread sample of requests.
    let step = requests.len().div_ceil(opts.em_requests.max(1)).max(1);
    let sample: Vec<usize> = (0..requests.len()).step_by(step).collect();
    let patterns: HashMap<Vector, u64> = sample
        .par_iter()
        .fold(HashMap::new, |mut acc: HashMap<Vector, u64>, &ri| {
            let r = &requests[ri];
            let keys = block::request_keys(r);
            for pi in index.candidates_within(&keys, opts.max_block, CANDIDATE_BUDGET) {
                *acc.entry(compare::compare(r, &persons[pi as usize]))
                    .or_default() += 1;
            }
            acc
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    // Each session's own population: all pairs sharing its fields (not the
    // candidates, which other rules shape), filtered as before.
    let session_patterns = |tb: block::TrainingBlock| -> HashMap<Vector, u64> {
        sample
            .par_iter()
            .fold(HashMap::new, |mut acc: HashMap<Vector, u64>, &ri| {
                let r = &requests[ri];
                let keys = block::training_keys(r, tb);
                for pi in index.candidates(&keys, opts.max_block) {
                    *acc.entry(compare::compare(r, &persons[pi as usize]))
                        .or_default() += 1;
                }
                acc
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_default() += v;
                }
                a
            })
    };
    let by_session = [
        session_patterns(block::TrainingBlock::GivenYear),
        session_patterns(block::TrainingBlock::SurnameGiven),
        session_patterns(block::TrainingBlock::SurnameCountyYear),
    ];
    report(Stage::Train, 2, 3);
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
    let space = requests.len() as f64 * persons.len() as f64;
    let trainable = space >= MIN_TRAINING_SPACE;
    let mut model = if trainable {
        let sets: Vec<&HashMap<Vector, u64>> = by_session.iter().collect();
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
    let family = |v: &Vector| v[2] == 4 || v[7] >= 4;
    if trainable {
        model::add_family_class(
            &mut model,
            &patterns,
            &FAMILY_FIELDS,
            &family,
            opts.em_iterations,
        );
        // Relatives level 5 is one a sibling cannot show (see
        // compare::compare_relatives): a sibling lists the applicant under
        // another relation (level 3).
        if let Some(f) = model.family.as_mut() {
            f.move_level(7, 5, 3);
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
    let req_f = sample
        .iter()
        .filter(|&&ri| !requests[ri].father.is_empty())
        .count();
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
    report(Stage::Train, 3, 3);

    // Score, chunk by chunk: Bayes factors (bits) per candidate, and the
    // log2 of their sum per request.
    // Requests are scored in an order that keeps look-alike requests (same
    // surname class, county, year) together: their candidates overlap, so
    // the persons' features are still in cache. Results go back to each
    // request's own slot, so the order changes no number.
    let locality = |r: &ReqFeatures| {
        let class = r
            .name
            .parses
            .first()
            .and_then(|p| p.classes.first().copied())
            .unwrap_or(u16::MAX);
        let county = r.place.county_ids.first().copied().unwrap_or(u16::MAX);
        (class, county, r.year.unwrap_or(i32::MAX))
    };
    let mut order: Vec<usize> = (0..requests.len()).collect();
    order.sort_by_key(|&i| (locality(&requests[i]), i));
    let mut ranked: Vec<Vec<Scored>> = vec![Vec::new(); requests.len()];
    let mut log_sums: Vec<f64> = vec![f64::NEG_INFINITY; requests.len()];
    let mut candidate_pairs = 0u64;
    let chunk = opts.chunk.max(1);
    for (ci, part) in order.chunks(chunk).enumerate() {
        let scored: Vec<(u64, f64, Vec<Scored>)> = part
            .par_iter()
            .map(|&ri| {
                let r = &requests[ri];
                let keys = block::request_keys(r);
                let cands = index.candidates_within(&keys, opts.max_block, CANDIDATE_BUDGET);
                let mut list: Vec<Scored> = cands
                    .iter()
                    .map(|&pi| {
                        let p = &persons[pi as usize];
                        let vector = compare::compare(r, p);
                        let weight = model.weight_tf(&vector, tf.adjustment(&model, r, p, &vector));
                        Scored {
                            person: pi,
                            weight,
                            prob: 0.0,
                            vector,
                        }
                    })
                    .collect();
                let log_sum = model::log2_sum_exp2(list.iter().map(|s| s.weight));
                list.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.person.cmp(&b.person)));
                list.truncate(opts.keep_per_request.max(1));
                list.shrink_to_fit(); // keep only the kept candidates in memory
                (cands.len() as u64, log_sum, list)
            })
            .collect();
        for (&ri, (n, ls, l)) in part.iter().zip(scored) {
            candidate_pairs += n;
            log_sums[ri] = ls;
            ranked[ri] = l;
        }
        report(
            Stage::Score,
            ((ci + 1) * chunk).min(requests.len()),
            requests.len(),
        );
    }

    // A request has at most one match among all persons: with π the share
    // of requests that have one, the prior odds of a given pair are
    // π / ((1 − π) · persons). π by EM over the requests.
    let n_p = persons.len().max(1) as f64;
    let (pi, log_o) = model::per_pair_prior(&log_sums, n_p);
    model.lambda = {
        let o = log_o.exp2();
        o / (1.0 + o)
    };
    // Candidates compete: P(i is the match) = o·BF_i / (1 + o·Σ BF).
    for (list, &ls) in ranked.iter_mut().zip(&log_sums) {
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

    // Assign: best candidate per request; one applicant's requests go to
    // different persons (the better-scored request keeps the person).
    report(Stage::Assign, 0, requests.len());
    let mut assigned: Vec<Option<Scored>> = ranked.iter().map(|l| l.first().copied()).collect();
    if opts.distinct_per_applicant {
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, a) in applicants.iter().enumerate() {
            if !a.is_empty() {
                groups.entry(a).or_default().push(i);
            }
        }
        let mut keys: Vec<&&str> = groups.keys().collect();
        keys.sort();
        for k in keys {
            let members = &groups[*k];
            if members.len() < 2 {
                continue;
            }
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
    report(Stage::Assign, requests.len(), requests.len());
    let stats = Stats {
        requests: requests.len(),
        persons: persons.len(),
        candidate_pairs,
        index_keys: index.len(),
        em_iterations: model.iterations,
        match_share: pi,
    };
    let _ = FIELDS;
    Outcome {
        ranked,
        assigned,
        model,
        stats,
    }
}
