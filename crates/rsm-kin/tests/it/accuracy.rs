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

#[test]
fn a_sibling_without_a_fathers_name_borrows_the_one_the_applicant_gives_elsewhere() {
    let south = format!(
        "{SOUTH_HEAD}\
S1,A1,김성수,1924-03-01,김영수,M,1926,brother,김철호,평안북도,위원군,,,2001-01-01
S2,A1,김성수,1924-03-01,김영희,F,1929,sister,,평안북도,위원군,,,2001-01-01
S3,A2,박영철,1930-01-01,박순자,F,1932,sister,,함경남도,북청군,,,2001-01-01
S4,A3,이정호,1931-01-01,이만석,M,1900,father,,황해도,연백군,,,2001-01-01
S5,A3,이정호,1931-01-01,이철,M,1934,brother,,황해도,연백군,,,2001-01-01
S6,A3,이정호,1931-01-01,최옥순,F,1905,mother,,황해도,연백군,,,2001-01-01
S7,A4,정대식,1930-01-01,정씨,M,1901,father,,평안남도,,,,2001-01-01
S8,A4,정대식,1930-01-01,정영자,F,1935,sister,,평안남도,,,,2001-01-01
"
    );
    let r = records::load_requests(south.as_bytes(), "south", BadRowPolicy::Refuse).unwrap();
    let families = records::Families::of(&r.records);
    let lent = |i: usize| families.father_for(i, &r.records[i]);
    // The brother's father is his sister's; the father sought is his son's.
    assert_eq!(lent(1), Some("김철호"));
    assert_eq!(lent(4), Some("이만석"));
    // A request that names its father, another applicant's request, a
    // mother, and a father known only as "정씨" lend or take nothing.
    assert_eq!(lent(0), None);
    assert_eq!(lent(2), None);
    assert_eq!(lent(5), None);
    assert_eq!(lent(7), None);

    // Matched: the sister is found through her father, and the explanation
    // says where his name came from.
    let north = format!(
        "{NORTH_HEAD}\
N1,김영희,F,1929-04-01,solar,김철호,평안북도,위원군,,평안북도,
N2,김영희,F,1929-06-11,solar,김상호,평안북도,위원군,,평안북도,
"
    );
    let p = records::load_persons(north.as_bytes(), "north", BadRowPolicy::Refuse).unwrap();
    let opts = rsm_kin::batch::BatchOptions {
        explain: true,
        include_runners_up: true,
        ..Default::default()
    };
    let out =
        rsm_kin::batch::run_records(&r.records, &p.records, Vec::new(), &opts, &|_| {}).unwrap();
    let of_sister: Vec<_> = out
        .predictions
        .iter()
        .filter(|p| p.request_id == "S2")
        .collect();
    let best = of_sister
        .iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .expect("the sister has candidates");
    assert_eq!(best.person_id, "N1", "{of_sister:?}");
    let text = &best.explanation.as_ref().unwrap().summary;
    assert!(
        text.contains("from the applicant's other requests"),
        "{text}"
    );
    // Without the lent name the two 김영희 would be alike on the father.
    let mut alone = r.records[1].clone();
    alone.applicant_id = "A9".into();
    let out =
        rsm_kin::batch::run_records(&[alone], &p.records, Vec::new(), &opts, &|_| {}).unwrap();
    assert!(
        out.predictions
            .iter()
            .filter_map(|p| p.explanation.as_ref())
            .all(|e| !e.summary.contains("other requests"))
    );
}
