//! The tabled term-frequency adjustment ([`TermFreq::adjustment_of`]:
//! per-person count positions, log2 per distinct count) gives the hashed
//! one's bits ([`TermFreq::adjustment`]) for every level a pair can show.

use rsm_kin::compare::{self, Vector};
use rsm_kin::features::{PerFeatures, ReqFeatures};
use rsm_kin::linker::{Options, PersonSide, Training};

#[test]
fn tabled_adjustments_equal_hashed_ones_to_the_bit() {
    let Some((requests, persons)) = crate::dev_set("dev-2k-hard") else {
        eprintln!("shared data not present; skipped");
        return;
    };
    assert!(persons.len() >= 1_000, "a list long enough to count names");
    let rf: Vec<ReqFeatures> = requests.iter().map(ReqFeatures::new).collect();
    let pf = PerFeatures::for_list(&persons);
    let side = PersonSide::build(&pf);
    let opts = Options::default();
    let all: Vec<(usize, &ReqFeatures)> = rf.iter().enumerate().collect();
    let mut training = Training::new(&side, rf.len(), &opts);
    training.add(&all);
    let model = training.finish();
    let bits = side.tf.bits(&model);
    // Each request against a spread of persons, with the levels that
    // take an adjustment on and off (given name 5, father 4, surname 3).
    let mut nonzero = 0;
    for (ri, r) in rf.iter().enumerate().step_by(7) {
        for pi in (ri % 13..pf.len()).step_by(97) {
            let mut v: Vector = compare::compare(r, &pf[pi]);
            for (given, father, surname) in [(5, 4, 3), (v[1], v[2], v[0]), (1, 1, 1)] {
                (v[1], v[2], v[0]) = (given, father, surname);
                let tabled = side.tf.adjustment_of(&bits, &model, r, &pf, pi as u32, &v);
                let hashed = side.tf.adjustment(&model, r, &pf[pi], &v);
                assert_eq!(
                    tabled.to_bits(),
                    hashed.to_bits(),
                    "request {ri}, person {pi}, {v:?}"
                );
                nonzero += usize::from(tabled != 0.0);
            }
        }
    }
    assert!(nonzero > 1_000, "only {nonzero} adjustments were not zero");
}
