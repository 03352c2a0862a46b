//! The batch API the CLI calls: read the South's requests (and optionally
//! the diaspora's), read the North's list, match, and write
//! `request_id,person_id,score` rows plus optional explanations as JSON lines.

use std::io::{Read, Write};

use rayon::prelude::*;

use crate::csvin::BadRowPolicy;
use crate::error::{KinError, Result, RowIssue};
use crate::explain::{self, Explanation};
use crate::features::{PerFeatures, ReqFeatures};
use crate::linker::{self, Progress, Stage, Stats, TermFreq};
use crate::records::{self, Person, Request};

/// Options of a batch run.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Matcher tuning.
    pub linker: linker::Options,
    /// What to do with bad rows.
    pub bad_rows: BadRowPolicy,
    /// Build an explanation for every prediction.
    pub explain: bool,
    /// Also list runner-up candidates (below the threshold, for review).
    pub include_runners_up: bool,
    /// How the three inputs are named in reported issues (usually their paths).
    pub labels: FileLabels,
}

/// Names of the input files, used in [`RowIssue`]s.
#[derive(Debug, Clone)]
pub struct FileLabels {
    /// The South's requests.
    pub south: String,
    /// The diaspora's requests.
    pub diaspora: String,
    /// The North's list.
    pub north: String,
}

impl Default for FileLabels {
    fn default() -> Self {
        Self {
            south: "south".into(),
            diaspora: "diaspora".into(),
            north: "north".into(),
        }
    }
}

/// One predicted link.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// request_id.
    pub request_id: String,
    /// person_id.
    pub person_id: String,
    /// Match probability.
    pub score: f64,
    /// Total weight in bits.
    pub weight: f64,
    /// True for the assigned match; false for a runner-up listed for review.
    pub assigned: bool,
    /// Why, when asked for.
    pub explanation: Option<Explanation>,
}

/// Everything a batch run produces.
#[derive(Debug)]
pub struct BatchOutput {
    /// Predictions, by request id.
    pub predictions: Vec<Prediction>,
    /// Bad rows skipped and notes.
    pub issues: Vec<RowIssue>,
    /// Counts.
    pub stats: Stats,
    /// The trained model (m, u, λ).
    pub model: crate::model::Model,
}

/// Runs the batch match.
///
/// `south` and `north` are CSV files in the kin-synth layout (see the data
/// README); `diaspora` is an optional second request file (romanised names).
/// Files may be UTF-8 or EUC-KR.
pub fn run<S: Read, D: Read, N: Read>(
    south: S,
    diaspora: Option<D>,
    north: N,
    opts: &BatchOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BatchOutput> {
    progress(Progress {
        stage: Stage::Load,
        done: 0,
        total: 3,
    });
    let mut issues = Vec::new();
    let s = records::load_requests(south, &opts.labels.south, opts.bad_rows)?;
    issues.extend(s.issues);
    let mut requests = s.records;
    if let Some(d) = diaspora {
        let d = records::load_requests(d, &opts.labels.diaspora, opts.bad_rows)?;
        issues.extend(d.issues);
        requests.extend(d.records);
    }
    let n = records::load_persons(north, &opts.labels.north, opts.bad_rows)?;
    issues.extend(n.issues);
    let persons = n.records;
    progress(Progress {
        stage: Stage::Load,
        done: 3,
        total: 3,
    });
    run_records(&requests, &persons, issues, opts, progress)
}

/// Runs the match over records already loaded.
pub fn run_records(
    requests: &[Request],
    persons: &[Person],
    issues: Vec<RowIssue>,
    opts: &BatchOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BatchOutput> {
    if !(0.0..=1.0).contains(&opts.linker.threshold) {
        return Err(KinError::Options(format!(
            "threshold {} is not a probability",
            opts.linker.threshold
        )));
    }
    progress(Progress {
        stage: Stage::Prepare,
        done: 0,
        total: (requests.len() + persons.len()) as u64,
    });
    // Each request as matched: a sibling without a father's name borrows the
    // one the applicant gives elsewhere (records::FamilyFathers).
    let families = records::Families::of(requests);
    let as_matched = |ri: usize| -> std::borrow::Cow<'_, Request> {
        let mut r = std::borrow::Cow::Borrowed(&requests[ri]);
        if families.father_for(ri, &r).is_some() {
            families.fill(ri, r.to_mut());
        }
        r
    };
    let rf: Vec<ReqFeatures> = (0..requests.len())
        .into_par_iter()
        .map(|ri| ReqFeatures::new(&as_matched(ri)))
        .collect();
    let pf: Vec<PerFeatures> = PerFeatures::for_list(persons);
    progress(Progress {
        stage: Stage::Prepare,
        done: (requests.len() + persons.len()) as u64,
        total: (requests.len() + persons.len()) as u64,
    });
    let applicants: Vec<&str> = requests.iter().map(|r| r.applicant_id.as_str()).collect();
    let out = linker::run(&rf, &applicants, &pf, &opts.linker, progress);
    let tf = TermFreq::for_persons(&pf);
    let mut predictions: Vec<Prediction> = Vec::new();
    for ri in 0..requests.len() {
        predictions_of(&out, ri, opts, |s, assigned| {
            let explanation = opts.explain.then(|| {
                let mut e = explain::explain(
                    &as_matched(ri),
                    &rf[ri],
                    &persons[s.person as usize],
                    &pf[s.person as usize],
                    &out.model,
                    &tf,
                );
                if let Some(c) = out.contested.get(&(ri as u32, s.person)) {
                    let j = c.by as usize;
                    explain::add_claim_elsewhere(&mut e, &requests[j].id, rf[j].relation, c);
                }
                e
            });
            predictions.push(Prediction {
                request_id: requests[ri].id.clone(),
                person_id: persons[s.person as usize].id.clone(),
                score: s.prob,
                weight: s.weight,
                assigned,
                explanation,
            });
        });
    }
    Ok(BatchOutput {
        predictions,
        issues,
        stats: out.stats,
        model: out.model,
    })
}

/// Calls `push` for each prediction of request `ri`: the assigned match when
/// its probability reaches the threshold, then the runners-up if asked for.
pub fn predictions_of(
    out: &linker::Outcome,
    ri: usize,
    opts: &BatchOptions,
    mut push: impl FnMut(&linker::Scored, bool),
) {
    let a = &out.assigned[ri];
    if let Some(s) = a
        && s.prob >= opts.linker.threshold
    {
        push(s, true);
    }
    if opts.include_runners_up {
        for s in &out.ranked[ri] {
            if a.is_none_or(|x| x.person != s.person) {
                push(s, false);
            }
        }
    }
}

/// Writes `request_id,person_id,score` (the format `score.py` reads).
pub fn write_predictions(mut w: impl Write, preds: &[Prediction]) -> Result<()> {
    write_predictions_header(&mut w)?;
    for p in preds {
        write_prediction(&mut w, p)?;
    }
    w.flush().map_err(KinError::Write)
}

/// The header line of [`write_predictions`] (to stream predictions after).
pub fn write_predictions_header(mut w: impl Write) -> Result<()> {
    writeln!(w, "request_id,person_id,score").map_err(KinError::Write)
}

/// One line of [`write_predictions`].
pub fn write_prediction(mut w: impl Write, p: &Prediction) -> Result<()> {
    writeln!(
        w,
        "{},{},{:.6}",
        csv_field(&p.request_id),
        csv_field(&p.person_id),
        p.score
    )
    .map_err(KinError::Write)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes one JSON object per prediction with its explanation.
pub fn write_explanations(mut w: impl Write, preds: &[Prediction]) -> Result<()> {
    for p in preds {
        write_explanation(&mut w, p)?;
    }
    w.flush().map_err(KinError::Write)
}

/// One line of [`write_explanations`].
pub fn write_explanation(mut w: impl Write, p: &Prediction) -> Result<()> {
    let evidence: Vec<serde_json::Value> = p
        .explanation
        .iter()
        .flat_map(|e| &e.evidence)
        .map(|e| {
            serde_json::json!({
                "field": e.field,
                "level": e.level,
                "weight": (e.weight * 100.0).round() / 100.0,
                "text": e.text,
            })
        })
        .collect();
    let v = serde_json::json!({
        "request_id": p.request_id,
        "person_id": p.person_id,
        "score": p.score,
        "weight": (p.weight * 100.0).round() / 100.0,
        "assigned": p.assigned,
        "prior": p.explanation.as_ref().map(|e| (e.prior * 100.0).round() / 100.0),
        "summary": p.explanation.as_ref().map(|e| e.summary.clone()),
        "evidence": evidence,
    });
    writeln!(w, "{v}").map_err(KinError::Write)
}

/// Blocking quality against known true pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockingReport {
    /// True pairs given.
    pub true_pairs: usize,
    /// True pairs among the candidates (pairs lost in blocking are misses).
    pub found: usize,
    /// Candidate pairs.
    pub candidate_pairs: u64,
    /// 1 − candidates / all pairs.
    pub reduction_ratio: f64,
}

impl BlockingReport {
    /// found / true pairs.
    pub fn pair_completeness(&self) -> f64 {
        self.found as f64 / self.true_pairs.max(1) as f64
    }
}

/// Pair completeness and reduction ratio of the blocking for a set with
/// known truth (`(request_id, person_id)` pairs).
pub fn blocking_report(
    requests: &[Request],
    persons: &[Person],
    truth: &[(String, String)],
    opts: &linker::Options,
) -> BlockingReport {
    use std::collections::HashMap;
    let rf: Vec<ReqFeatures> = requests.par_iter().map(ReqFeatures::new).collect();
    let pf: Vec<PerFeatures> = PerFeatures::for_list(persons);
    let keys: Vec<Vec<u64>> = pf.par_iter().map(crate::block::person_keys).collect();
    let index = crate::block::Index::build(&keys);
    let pos: HashMap<&str, u32> = persons
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect();
    let want: HashMap<&str, Vec<u32>> = truth.iter().fold(HashMap::new(), |mut m, (r, p)| {
        if let Some(&i) = pos.get(p.as_str()) {
            m.entry(r.as_str()).or_default().push(i);
        }
        m
    });
    let (found, cands): (usize, u64) = requests
        .par_iter()
        .zip(rf.par_iter())
        .map(|(r, f)| {
            let c = index.candidates_within(
                &crate::block::request_keys(f),
                opts.max_block,
                linker::CANDIDATE_BUDGET,
            );
            let hit = want.get(r.id.as_str()).map_or(0, |ps| {
                ps.iter().filter(|p| c.binary_search(p).is_ok()).count()
            });
            (hit, c.len() as u64)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let all = requests.len() as f64 * persons.len() as f64;
    BlockingReport {
        true_pairs: truth.len(),
        found,
        candidate_pairs: cands,
        reduction_ratio: if all > 0.0 {
            1.0 - cands as f64 / all
        } else {
            0.0
        },
    }
}
