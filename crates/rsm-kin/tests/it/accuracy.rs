//! Model rules of the accuracy rounds, each on a small literal example:
//! the relationship word fixes the sought person's sex, a same given name
//! does not count the sex agreement a second time (round 2); two given names
//! one letter apart that are both names in use are not a slip, a person
//! another request claims is weighed by that claim, and the applicant listed
//! under another relation is a relative, not the one sought (round 3); a
//! county's old province, a one-syllable name remembered in part and
//! syllables reordered through a childhood form (round 5); a mother's or
//! wife's hometown weighed as a woman who married in (round 6).

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
    // says where his name came from. (Her brother is on the list too: on a
    // list without him his request, the same applicant's, would claim her
    // — a two-person list makes every claim certain.)
    let north = format!(
        "{NORTH_HEAD}\
N1,김영희,F,1929-04-01,solar,김철호,평안북도,위원군,,평안북도,
N2,김영희,F,1929-06-11,solar,김상호,평안북도,위원군,,평안북도,
N3,김영수,M,1926-02-01,solar,김철호,평안북도,위원군,,평안북도,
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

/// Given names counted on a North list (by phonetic key).
struct CountedNames(std::collections::HashMap<String, u32>);

impl CountedNames {
    fn of(givens: &[&str]) -> Self {
        let mut m = std::collections::HashMap::new();
        for g in givens {
            *m.entry(rsm_kin::hangul::phonetic_key(g)).or_default() += 1;
        }
        Self(m)
    }
}

impl compare::NamesInUse for CountedNames {
    fn bearers(&self, given_key: &str) -> Option<u32> {
        Some(self.0.get(given_key).copied().unwrap_or(0))
    }
}

#[test]
fn one_letter_apart_between_two_names_in_use_is_not_a_slip() {
    let g = Field::Given as usize;
    // A sister sought as 정옥숙; the list holds her sister 정옥순, and both
    // 옥숙 and 옥순 are names other persons on the list bear: as likely two
    // sisters as a mistyped letter.
    let list = CountedNames::of(&["옥숙", "옥순", "옥순", "경규", "영철"]);
    let (r, p) = pair(
        "S1,A1,정덕일,1918-01-01,정옥숙,F,1930,sister,정재성,황해도,벽성,,,2001-01-01",
        "N1,정옥순,F,1930-03-21,solar,정재성,황해남도,벽성군,,황해남도,",
    );
    assert_eq!(
        compare::compare(&r, &p)[g],
        3,
        "without a list: nearly the same"
    );
    assert_eq!(
        compare::compare_in(&r, &p, &list)[g],
        compare::GIVEN_BOTH_IN_USE
    );
    // 김경규 on the North list as 김겅규: nobody else is called 겅규, a slip.
    let (r, p) = pair(
        "S2,A2,김향희,1933-01-01,김경규,M,1934,brother,김종수,황해도,안악,,,2001-01-01",
        "N2,김겅규,M,1935-04-06,solar,김종수,황해도,안악군,,황해남도,",
    );
    assert_eq!(compare::compare_in(&r, &p, &list)[g], 3);
    // The request's spelling is the slip (겅규 sought, 경규 on the list).
    let (r, p) = pair(
        "S3,A2,김향희,1933-01-01,김겅규,M,1934,brother,김종수,황해도,안악,,,2001-01-01",
        "N3,김경규,M,1935-04-06,solar,김종수,황해도,안악군,,황해남도,",
    );
    assert_eq!(compare::compare_in(&r, &p, &list)[g], 3);
    // The comparer used for scoring says the same.
    let mut c = compare::Comparer::on_list(&r, &list);
    assert_eq!(c.compare(&p)[g], 3);
    // An exact name is untouched.
    let (r, p) = pair(
        "S4,A3,김태근,1917-01-01,김영철,M,1949,child,김태근,평안남도,평양시,,,2001-01-01",
        "N4,김영철,M,1949-03-21,solar,,평양시,중구역,,평양시,",
    );
    assert_eq!(compare::compare_in(&r, &p, &list)[g], 5);
    assert_eq!(
        Field::Given.level_label(compare::GIVEN_BOTH_IN_USE),
        "given name one letter apart, both spellings names in use"
    );
}

/// Scores of each request for each person (runners-up included), with the
/// explanations.
fn run_lists(
    south_rows: &str,
    north_rows: &str,
) -> Vec<(String, String, f64, rsm_kin::explain::Explanation)> {
    let south = format!("{SOUTH_HEAD}{south_rows}");
    let north = format!("{NORTH_HEAD}{north_rows}");
    let r = records::load_requests(south.as_bytes(), "south", BadRowPolicy::Refuse).unwrap();
    let p = records::load_persons(north.as_bytes(), "north", BadRowPolicy::Refuse).unwrap();
    let mut opts = rsm_kin::batch::BatchOptions {
        explain: true,
        include_runners_up: true,
        ..Default::default()
    };
    opts.linker.threshold = 1e-9;
    let out =
        rsm_kin::batch::run_records(&r.records, &p.records, Vec::new(), &opts, &|_| {}).unwrap();
    out.predictions
        .into_iter()
        .map(|x| (x.request_id, x.person_id, x.score, x.explanation.unwrap()))
        .collect()
}

fn score_of(
    preds: &[(String, String, f64, rsm_kin::explain::Explanation)],
    request: &str,
    person: &str,
) -> (f64, String) {
    preds
        .iter()
        .find(|p| p.0 == request && p.1 == person)
        .map(|p| (p.2, p.3.summary.clone()))
        .unwrap_or_else(|| panic!("{request} → {person} not predicted: {preds:?}"))
}

#[test]
fn a_person_another_request_claims_is_weakened_unless_both_may_seek_them() {
    const NORTH: &str = "\
N1,리영녀,F,1933-04-18,solar,리학중,황해남도,연안군,신촌리,황해남도,
N2,김철수,M,1950-01-01,solar,김영남,평안북도,신의주시,,평안북도,
";
    // 심만석 seeks his wife 이영녀 (1933, 황해도); 이용현 seeks his sister
    // 이영녀 (1934, 연백 신촌리), and 리영녀 of 신촌리 fits her better. One
    // woman is not both one applicant's sister and a stranger's wife.
    let wife = "S1,A1,심만석,1929-05-08,이영녀,F,1933,spouse,,황해도,,문산,,2005-03-18\n";
    let sister = "S2,A2,이용현,1915-04-18,이영녀,F,1934,sister,이학중,황해도,연백군,도촌,신촌리,2006-11-14\n";
    let alone = run_lists(wife, NORTH);
    let both = run_lists(&format!("{wife}{sister}"), NORTH);
    let (p_alone, _) = score_of(&alone, "S1", "N1");
    let (p_both, text) = score_of(&both, "S1", "N1");
    let (p_sister, _) = score_of(&both, "S2", "N1");
    assert!(p_sister > p_both, "{p_sister} {p_both}");
    assert!(p_both < p_alone / 2.0, "{p_alone} → {p_both}");
    assert!(
        text.contains("another applicant's request S2 seeks this person as a brother or sister"),
        "{text}"
    );

    // Two sisters seeking their brother 김인수 may both be right: neither
    // weakens the other.
    const NORTH2: &str = "\
N1,김인수,M,1926-05-02,solar,김억만,평안북도,위원군,,평안북도,
N2,김철수,M,1950-01-01,solar,김영남,평안북도,신의주시,,평안북도,
";
    let one = "S1,A1,김성순,1924-03-01,김인수,M,1926,brother,,평안북도,위원,,,2001-01-01\n";
    let other =
        "S2,A2,김현숙,1928-01-01,김인수,M,1926,brother,김억만,평안북도,위원군,,,2003-01-01\n";
    let alone = run_lists(one, NORTH2);
    let both = run_lists(&format!("{one}{other}"), NORTH2);
    let (p_alone, _) = score_of(&alone, "S1", "N1");
    let (p_both, text) = score_of(&both, "S1", "N1");
    assert_eq!(p_alone, p_both);
    assert!(!text.contains("another applicant"), "{text}");

    // One applicant seeks two sisters, 정금이 (1938) and 정금옥 (1936); the
    // list holds 정금옥: she is one of the two, not both.
    const NORTH3: &str = "\
N1,정금옥,F,1936-09-04,solar,정점동,평안북도,신의주시,동산리,평안북도,
N2,김철수,M,1950-01-01,solar,김영남,평안북도,신의주시,,평안북도,
";
    let younger =
        "S1,A1,정재석,1943-01-01,정금이,F,1938,sister,정점동,평안북도,신의주,,,2001-01-01\n";
    let elder =
        "S2,A1,정재석,1943-01-01,정금옥,F,1936,sister,정점동,평안북도,신의주,,,2001-01-01\n";
    let alone = run_lists(younger, NORTH3);
    let both = run_lists(&format!("{younger}{elder}"), NORTH3);
    let (p_alone, _) = score_of(&alone, "S1", "N1");
    let (p_both, text) = score_of(&both, "S1", "N1");
    assert!(p_both < p_alone / 2.0, "{p_alone} → {p_both}");
    assert!(
        text.contains("the applicant's own request S2 seeks this person as a brother or sister"),
        "{text}"
    );
}

#[test]
fn the_applicant_listed_under_another_relation_is_a_relative_not_the_one_sought() {
    let r = Field::Relatives as usize;
    // 김경복 seeks his sister; 김명숙 on the list names a cousin 김경복 in the
    // South (and 량순숙 a cousin 량호석 for 양석호, the syllables swapped): a
    // cousin of the applicant, not his sister.
    let (q, p) = pair(
        "S1,A1,김경복,1924-01-01,,F,1937,sister,,함경남도,북청군,,,2001-01-01",
        "N1,김명숙,F,1937-05-18,solar,,함경남도,덕성군,,함경남도,cousin:김경복",
    );
    assert_eq!(
        compare::compare(&q, &p)[r],
        compare::RELATIVES_OTHER_RELATION
    );
    let (q, p) = pair(
        "S2,A2,양석호,1921-01-01,양경숙,F,1922,sister,,경기도,개풍군,,,2001-01-01",
        "N2,량순숙,F,1922-06-25,solar,량병길,황해북도,개풍,,황해북도,cousin:량호석",
    );
    assert_eq!(
        compare::compare(&q, &p)[r],
        compare::RELATIVES_OTHER_RELATION
    );
    // Listed as her brother: the stated relation (4).
    let (q, p) = pair(
        "S3,A1,김경복,1924-01-01,,F,1937,sister,,함경남도,북청군,,,2001-01-01",
        "N3,김명숙,F,1937-05-18,solar,,함경남도,덕성군,,함경남도,cousin:김철수;brother:김경복",
    );
    assert_eq!(compare::compare(&q, &p)[r], 4);
    // Both listings: the stated relation wins.
    let (q, p) = pair(
        "S4,A1,김경복,1924-01-01,,F,1937,sister,,함경남도,북청군,,,2001-01-01",
        "N4,김명숙,F,1937-05-18,solar,,함경남도,덕성군,,함경남도,cousin:김경복;brother:김경복",
    );
    assert_eq!(compare::compare(&q, &p)[r], 4);
    assert_eq!(
        Field::Relatives.level_label(compare::RELATIVES_OTHER_RELATION),
        "applicant listed among relatives in the South under another relation: a relative, not the one sought"
    );
}

#[test]
fn a_county_that_changed_province_still_meets_its_old_province() {
    // 원산 lay in 함경남도 until 1946; the North records it under 강원. A
    // request that names only the old province meets the record's county.
    let (r, p) = pair(
        "S1,A1,김영수,1930-01-01,김철호,M,1926,brother,,함경남도,,,,2001-01-01",
        "N1,김철호,M,1926-05-02,solar,,강원,원산시,,강원도,",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Place as usize], 2);
    // A request that names the county (안변, moved to 강원 in 1946) meets a
    // record that gives only the province, written short.
    let (r, p) = pair(
        "S2,A2,리순자,1935-01-01,이영숙,F,1933,sister,,함경남도,안변군,,,2001-01-01",
        "N2,리영숙,F,1933-02-02,solar,,강원,,,강원도,",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Place as usize], 2);
    // 량강 took in part of 함경북도 as well as 함경남도; 자강 part of 함경남도.
    let (r, p) = pair(
        "S3,A3,박동수,1935-01-01,박동철,M,1931,brother,,함경북도,,,,2001-01-01",
        "N3,박동철,M,1931-02-02,solar,,량강,,,량강도,",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Place as usize], 2);
    // Another province stays another province.
    let (r, p) = pair(
        "S4,A4,최영호,1930-01-01,최철수,M,1928,brother,,평안북도,,,,2001-01-01",
        "N4,최철수,M,1928-02-02,solar,,강원,원산시,,강원도,",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Place as usize], 1);
    // The explanation says why, in a caseworker's words.
    let g = rsm_kin::gazetteer::Gazetteer::get();
    let why = g
        .province_link(("함경남도", ""), ("강원", "원산시"))
        .expect("a link");
    assert!(why.contains("원산") && why.contains("함경남도"), "{why}");
    let why = g
        .province_link(("함경남도", "안변군"), ("강원", ""))
        .expect("a link");
    assert_eq!(why, "강원 takes in part of old 함경남도");
    assert_eq!(g.province_link(("강원도", ""), ("강원", "")), None);
    assert_eq!(g.province_link(("함경남도", "함흥"), ("함남", "")), None);
}

#[test]
fn a_one_syllable_name_found_later_in_the_persons_is_a_name_remembered_in_part() {
    let g = Field::Given as usize;
    // A sister remembered as 김옥; the list holds 김순옥, same father, year
    // and county: 옥 is her name's second syllable.
    let (r, p) = pair(
        "S1,A1,김태현,1922-01-01,김옥,F,1950,sister,김태현,평안북도,정주,,,2001-01-01",
        "N1,김순옥,F,1950-04-02,solar,김태현,평안북도,정주군,,평안북도,",
    );
    assert_eq!(compare::compare(&r, &p)[g], compare::GIVEN_PART_OF_NAME);
    let mut c = compare::Comparer::new(&r);
    assert_eq!(c.compare(&p)[g], compare::GIVEN_PART_OF_NAME);
    // The first syllable makes a first-syllable form (순 → 순이 for 순자):
    // "nearly the same", as before.
    let (r, p) = pair(
        "S2,A1,김태현,1922-01-01,김순,F,1948,sister,김태현,평안북도,정주,,,2001-01-01",
        "N2,김순자,F,1948-04-02,solar,김태현,평안북도,정주군,,평안북도,",
    );
    assert_eq!(compare::compare(&r, &p)[g], 3);
    // Sisters sharing the generation syllable in the same place stay "partly
    // the same", and a one-syllable name on the list's side stays "differs".
    let (r, p) = pair(
        "S3,A2,박석복,1945-01-01,박봉옥,F,1934,sister,박봉우,평안남도,덕천,,,2001-01-01",
        "N3,박정옥,F,1934-08-05,lunar,박봉우,평안남도,덕천시,,평안남도,",
    );
    assert_eq!(compare::compare(&r, &p)[g], 2);
    let (r, p) = pair(
        "S4,A2,박석복,1945-01-01,박순옥,F,1934,sister,박봉우,평안남도,덕천,,,2001-01-01",
        "N4,박옥,F,1934-08-05,lunar,박봉우,평안남도,덕천시,,평안남도,",
    );
    assert_eq!(compare::compare(&r, &p)[g], 1);
    // The father's name compared the same way keeps its level (different).
    let (r, p) = pair(
        "S5,A3,전영자,1930-01-01,전철,M,1916,brother,전수,함경남도,북청,,,2001-01-01",
        "N5,전벙철,M,1917-01-01,solar,전만수,함경남도,북청군,,함경남도,",
    );
    assert_eq!(compare::compare(&r, &p)[g], compare::GIVEN_PART_OF_NAME);
    assert_eq!(compare::compare(&r, &p)[Field::Father as usize], 1);
    // The explanation says it in words.
    let preds = run_lists(
        "S1,A1,김태현,1922-01-01,김옥,F,1950,sister,김태현,평안북도,정주,,,2001-01-01\n",
        "N1,김순옥,F,1950-04-02,solar,김태현,평안북도,정주군,,평안북도,\n",
    );
    let (_, summary) = score_of(&preds, "S1", "N1");
    assert!(
        summary.contains("given name 옥 is a later syllable of 순옥: a name remembered in part"),
        "{summary}"
    );
}

#[test]
fn the_same_syllables_reordered_count_through_a_childhood_form() {
    // 안현식이 is the childhood form of 현식; the list's 안식현 has its
    // syllables the other way round.
    let (r, p) = pair(
        "S1,A1,안순숙,1940-01-01,안현식이,M,1936,brother,,함경남도,북청,,,2001-01-01",
        "N1,안식현,M,1936-01-01,solar,안근수,함경남도,북청군,,함경남도,sister:안순숙",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Given as usize], 3);
    let d = compare::compare_detail(&r, &p);
    assert_eq!(d.name.given_how, compare::GivenHow::Typo);
    // Without the childhood form it was "differs": 현식이 and 식현 do not
    // have the same syllables.
    let (r, p) = pair(
        "S2,A1,안순숙,1940-01-01,안현식이,M,1936,brother,,함경남도,북청,,,2001-01-01",
        "N2,안석현,M,1936-01-01,solar,안근수,함경남도,북청군,,함경남도,",
    );
    assert_eq!(compare::compare(&r, &p)[Field::Given as usize], 1);
}

#[test]
fn a_county_that_lies_in_another_province_now_meets_it() {
    let place = Field::Place as usize;
    // 중화 was in 평안남도 and has been in 황해북도 since 2010; a record
    // giving only 황북 is the same province, not another.
    let (r, p) = pair(
        "S1,A1,김영수,1930-01-01,김철호,M,1926,brother,,평안남도,중화군,,,2001-01-01",
        "N1,김철호,M,1926-05-02,solar,,황북,,,황해북도,",
    );
    assert_eq!(compare::compare(&r, &p)[place], 2);
    // 개성 (경기도 before the war) was under 황해북도 2003–2019.
    let (r, p) = pair(
        "S2,A2,박순자,1930-01-01,박영철,M,1928,brother,,경기도,개성시,,,2001-01-01",
        "N2,박영철,M,1928-05-02,solar,,황해북도,,,황해북도,",
    );
    assert_eq!(compare::compare(&r, &p)[place], 2);
    // Another 평안남도 county is still another province than 황해북도.
    let (r, p) = pair(
        "S3,A3,최영호,1930-01-01,최철수,M,1928,brother,,평안남도,덕천군,,,2001-01-01",
        "N3,최철수,M,1928-02-02,solar,,황해북도,,,황해북도,",
    );
    assert_eq!(compare::compare(&r, &p)[place], 1);
    let why = rsm_kin::gazetteer::Gazetteer::get()
        .province_link(("평안남도", "중화군"), ("황북", ""))
        .expect("a link");
    assert!(why.starts_with("중화 lies in 황북 now"), "{why}");
}

#[test]
fn a_fathers_surname_slipped_in_north_spelling_is_nearly_the_same_father() {
    let father = Field::Father as usize;
    // A father written 의종철 on the request, 리종철 (= 이종철) on the North
    // record: 의 is no surname, one letter from 이 once 리 is read the South
    // way (two letters from 리 as written).
    let (r, p) = pair(
        "S1,A1,이영수,1930-01-01,이철호,M,1926,brother,의종철,평안남도,순천,,,2001-01-01",
        "N1,리철호,M,1926-05-02,solar,리종철,평안남도,순천군,,평안남도,",
    );
    assert_eq!(compare::compare(&r, &p)[father], 3);
    // The sought person's own surname field is not moved by it.
    let (r, p) = pair(
        "S2,A2,박영수,1930-01-01,의철호,M,1926,brother,,평안남도,순천,,,2001-01-01",
        "N2,리철호,M,1926-05-02,solar,,평안남도,순천군,,평안남도,",
    );
    let d = compare::compare_detail(&r, &p);
    assert_eq!(d.vector[Field::Surname as usize], 1);
    assert_eq!(d.name.surname_how, compare::SurnameHow::SouthSlip);
    // Two real surnames one letter apart in South spelling stay different
    // fathers (유 and 리 = 이).
    let (r, p) = pair(
        "S3,A3,유영수,1930-01-01,유철호,M,1926,brother,유종철,평안남도,순천,,,2001-01-01",
        "N3,유철호,M,1926-05-02,solar,리종철,평안남도,순천군,,평안남도,",
    );
    assert_eq!(compare::compare(&r, &p)[father], 2);
}

#[test]
fn a_mother_or_wife_born_in_another_county_is_weighed_as_such() {
    let place = Field::Place as usize;
    // 김동호 seeks his mother 이순희 and his wife 박옥분; the family's
    // hometown is 평안남도 순천, the women were born in 개천 and 안주.
    let (mother, p) = pair(
        "S1,A1,김동호,1930-01-01,이순희,F,1905,mother,,평안남도,순천,,,2001-01-01",
        "N1,리순희,F,1905-03-02,solar,리만석,평안남도,개천군,,평안남도,",
    );
    assert!(mother.married_in());
    assert_eq!(compare::compare(&mother, &p)[place], 3);
    let (wife, _) = pair(
        "S2,A1,김동호,1930-01-01,박옥분,F,1931,spouse,,평안남도,순천,,,2001-01-01",
        "N2,박옥분,F,1931-03-02,solar,,평안남도,안주군,,평안남도,",
    );
    assert!(wife.married_in());
    // A sister, a father and a husband were born where the family lived.
    for row in [
        "S3,A1,김동호,1930-01-01,김순희,F,1932,sister,,평안남도,순천,,,2001-01-01",
        "S4,A1,김동호,1930-01-01,김철수,M,1900,father,,평안남도,순천,,,2001-01-01",
        "S5,A2,박옥분,1931-01-01,김동호,M,1930,spouse,,평안남도,순천,,,2001-01-01",
    ] {
        let (r, _) = pair(
            row,
            "N9,김철수,M,1900-01-01,solar,,평안남도,순천군,,평안남도,",
        );
        assert!(!r.married_in(), "{row}");
    }

    // Sampled requests, each with its match and a stranger: among the
    // others the match is nearly always of the same county; among requests
    // for a mother or wife four in ten were born in another county.
    let matched = |home: u8| -> Vector { [3, 5, 0, 6, 2, home, 0, 0, 0] };
    let stranger: Vector = [1, 1, 0, 1, 1, 1, 0, 0, 0];
    let mut requests: Vec<(bool, Vec<Vector>)> = Vec::new();
    for i in 0..400 {
        let home = if i % 20 == 0 { 3 } else { 5 };
        requests.push((false, vec![matched(home), stranger]));
    }
    for i in 0..100 {
        let home = if i % 5 < 2 { 3 } else { 5 };
        requests.push((true, vec![matched(home), stranger]));
    }
    let mut m = model::default_kin_model();
    let requests: Vec<(bool, [f64; model::HOMETOWN_LEVELS])> = requests
        .iter()
        .map(|(kind, vs)| {
            let mut levels = [f64::NEG_INFINITY; model::HOMETOWN_LEVELS];
            for v in vs {
                let l = &mut levels[usize::from(v[place])];
                *l = model::log2_sum_exp2([*l, m.weight(v)].into_iter());
            }
            (*kind, levels)
        })
        .collect();
    let bits = model::hometown_by_kind(&requests, 5_000.0);
    // Different county: pooled 0.1 of the matches, 0.05 of the others',
    // 0.4 of the married-in ones' (shrunk by 20 pseudo-matches).
    assert!(bits[1][3] > 1.5 && bits[0][3] < -0.5, "{bits:?}");
    assert!(bits[1][5] < 0.0 && bits[0][5] > 0.0, "{bits:?}");
    // Unknown and another province are left alone.
    assert_eq!((bits[1][0], bits[1][1]), (0.0, 0.0));
    m.hometown_by_kind = Some(bits);
    let v = compare::compare(&mother, &p);
    let as_mother = m.weight_tf_m(&v, 0.0, m.hometown_bits(true, v[place]));
    let as_sister = m.weight_tf_m(&v, 0.0, m.hometown_bits(false, v[place]));
    assert!(as_mother - as_sister > 2.0, "{as_mother} {as_sister}");
}
