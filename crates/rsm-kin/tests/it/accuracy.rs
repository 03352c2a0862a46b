//! Model rules of the second accuracy round, each on a small literal
//! example: the relationship word fixes the sought person's sex, and a same
//! given name does not count the sex agreement a second time.

use rsm_kin::compare::{self, Field, LEVELS, Vector};
use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::features::{PerFeatures, ReqFeatures, sex_of_relation};
use rsm_kin::model;
use rsm_kin::records::{self, Sex};

const SOUTH_HEAD: &str = "request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date\n";
const NORTH_HEAD: &str = "person_id,name,sex,birth_date,calendar,father_name,birthplace_province,birthplace_county,birthplace_village,residence_province,relatives_in_south\n";

fn pair(south_row: &str, north_row: &str) -> (ReqFeatures, PerFeatures) {
    let s = format!("{SOUTH_HEAD}{south_row}\n");
    let n = format!("{NORTH_HEAD}{north_row}\n");
    let r = records::load_requests(s.as_bytes(), "south", BadRowPolicy::Refuse).unwrap();
    let p = records::load_persons(n.as_bytes(), "north", BadRowPolicy::Refuse).unwrap();
    (
        ReqFeatures::new(&r.records[0]),
        PerFeatures::new(&p.records[0]),
    )
}

#[test]
fn the_relationship_word_outranks_the_sex_column() {
    // A brother whose sex box says F: the North's 김인수 is a man.
    let (r, p) = pair(
        "S1,A1,김성수,1924-03-01,김인수,F,1926,brother,,평안북도,위원군,,,2001-01-01",
        "N1,김인수,M,1926-05-02,solar,,평안북도,위원군,,평안북도,",
    );
    assert_eq!(r.sex, Some(Sex::M));
    assert_eq!(compare::compare(&r, &p)[Field::Sex as usize], 2);
    // A relationship that names no sex leaves the column as it is.
    assert_eq!(sex_of_relation("cousin"), None);
    assert_eq!(sex_of_relation("어머니"), Some(Sex::F));
    let (r, _) = pair(
        "S2,A2,박영철,1930-01-01,박순자,F,1932,cousin,,함경남도,북청군,,,2001-01-01",
        "N2,박순자,F,1932-01-01,solar,,함경남도,북청군,,함경남도,",
    );
    assert_eq!(r.sex, Some(Sex::F));
}

/// Random pairs as the generator of u sees them: a same given name always
/// with the same sex (names are gendered), any other given name with
/// either sex half the time.
fn random_vectors() -> Vec<Vector> {
    let g = Field::Given as usize;
    let s = Field::Sex as usize;
    (0..2_000)
        .map(|i| {
            let mut v: Vector = [1; compare::FIELDS];
            if i % 20 == 0 {
                v[g] = 5;
                v[s] = 2;
            } else {
                v[s] = if i % 2 == 0 { 2 } else { 1 };
            }
            v
        })
        .collect()
}

#[test]
fn a_same_given_name_does_not_count_the_sex_twice() {
    let (r, p) = pair(
        "S1,A1,이석근,1924-01-01,김숙옥,F,1928,spouse,,함경남도,함흥시,,,2001-01-01",
        "N1,김숙옥,F,1926-07-09,solar,김재수,함경남도,함흥시,,함경남도,",
    );
    let same = compare::compare(&r, &p);
    assert_eq!(same[Field::Given as usize], 5);
    assert_eq!(same[Field::Sex as usize], 2);
    let (r2, p2) = pair(
        "S2,A2,이석근,1924-01-01,김숙옥,F,1928,spouse,,함경남도,함흥시,,,2001-01-01",
        "N2,김영희,F,1928-02-01,solar,,함경남도,함흥시,,함경남도,",
    );
    let other = compare::compare(&r2, &p2);
    assert_eq!(other[Field::Given as usize], 1);

    let plain = model::default_kin_model();
    let mut dep = plain.clone();
    let random = random_vectors();
    let u = model::estimate_u(&LEVELS, &random);
    dep.u[Field::Sex as usize] = u[Field::Sex as usize].clone();
    dep.dependence = Some(model::estimate_dependence(
        &LEVELS,
        &random,
        Field::Sex as usize,
        Field::Given as usize,
        &dep.u[Field::Sex as usize],
    ));
    let mut indep = dep.clone();
    indep.dependence = None;
    // Strangers named 숙옥 are women anyway: the sex agreement is worth
    // about nothing on top of the name (−log2(1/0.5) ≈ −1 bit against the
    // independent model).
    let d = dep.weight_tf(&same, 0.0) - indep.weight_tf(&same, 0.0);
    assert!((-1.0..-0.7).contains(&d), "{d}");
    assert!(dep.dependence_bits(&same) < -0.7);
    // With another given name, the sex says what it said.
    assert!(dep.dependence_bits(&other).abs() < 0.1);
    // A same name with the other sex is not rewarded (the rule only weakens).
    let mut flipped = same;
    flipped[Field::Sex as usize] = 1;
    assert_eq!(dep.dependence_bits(&flipped), 0.0);
    assert_eq!(plain.dependence_bits(&same), 0.0);
}
