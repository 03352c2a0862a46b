//! Scoring reuses the candidates training compared for its sampled
//! requests ([`rsm_kin::linker::Compared`]): the scores must be those of
//! comparing again, to the bit.

use rsm_kin::features::{PerFeatures, ReqFeatures};
use rsm_kin::linker::{Options, PersonSide, RequestScore, Training};

fn same(a: &RequestScore, b: &RequestScore) -> bool {
    a.candidates == b.candidates
        && a.log_sum.to_bits() == b.log_sum.to_bits()
        && a.ranked.len() == b.ranked.len()
        && a.ranked.iter().zip(&b.ranked).all(|(x, y)| {
            x.person == y.person && x.weight.to_bits() == y.weight.to_bits() && x.vector == y.vector
        })
}

#[test]
fn scores_from_training_comparisons_equal_fresh_ones() {
    let Some((requests, persons)) = crate::dev_set("dev-2k-hard") else {
        eprintln!("shared data not present; skipped");
        return;
    };
    let rf: Vec<ReqFeatures> = requests.iter().map(ReqFeatures::new).collect();
    let pf = PerFeatures::for_list(&persons);
    let side = PersonSide::build(&pf);
    let opts = Options::default();
    let all: Vec<(usize, &ReqFeatures)> = rf.iter().enumerate().collect();
    let mut training = Training::new(&side, rf.len(), &opts);
    // Fed in two batches, as a streaming run feeds chunks.
    let (a, b) = all.split_at(all.len() / 3);
    training.add(a);
    training.add(b);
    let mut compared = training.take_compared();
    let model = training.finish();
    let sampled = compared.len();
    assert!(
        sampled > 100,
        "training compared {sampled} requests' candidates"
    );
    // Scored in chunks, in an order of their own.
    for part in all.rchunks(97) {
        let fresh = side.score(&model, &opts, part);
        let again = side.score_with(&model, &opts, part, &mut compared);
        for ((ri, _), (x, y)) in part.iter().zip(fresh.iter().zip(&again)) {
            assert!(same(x, y), "request {ri}: {x:?} != {y:?}");
        }
    }
    // Every list was taken (by score_with) once.
    assert!((0..rf.len()).all(|ri| compared.take(ri).is_none()));
}
