//! Normalisation rules, each with literal Korean examples, and the
//! idempotence property.

use proptest::prelude::*;
use rsm_kin::calendar::{self, CalendarKind, Date};
use rsm_kin::compare::{compare_names, compare_place};
use rsm_kin::features::Place;
use rsm_kin::gazetteer::Gazetteer;
use rsm_kin::hangul::{self, clean, phonetic_key, to_south};
use rsm_kin::names::{childhood_variants, is_pet_name, parse};
use rsm_kin::surname::{Surnames, shared};

#[test]
fn initial_sound_rule_on_surnames_given_names_and_places() {
    // Surnames: the North keeps initial ㄹ/ㄴ.
    for (north, south) in [
        ("리", "이"),
        ("림", "임"),
        ("류", "유"),
        ("로", "노"),
        ("량", "양"),
        ("려", "여"),
        ("렴", "염"),
        ("륙", "육"),
        ("라", "나"),
    ] {
        assert_eq!(to_south(north), south);
    }
    // Given names: 룡진 = 용진, 련희 = 연희, 녀 = 여.
    assert_eq!(to_south("룡진"), "용진");
    assert_eq!(to_south("련희"), "연희");
    let c = compare_names(&parse("김용진"), &parse("김룡진"));
    assert_eq!((c.surname, c.given), (3, 5));
    // Places: 녕변 = 영변, 린산 = 인산, 룡천 = 용천.
    assert_eq!(to_south("녕변"), "영변");
    assert_eq!(to_south("룡천"), "용천");
    // And back: the North spellings a South word may have.
    assert!(hangul::north_variants("양강도").contains(&"량강도".to_string()));
}

#[test]
fn surname_classes_by_hanja() {
    let t = Surnames::get();
    let lee = t.of("李".chars().next().map(|_| "이").unwrap_or("이"));
    for s in ["리", "Lee", "Yi", "Rhee", "Ri", "LEE"] {
        assert!(shared(t.of(s), lee).is_some(), "{s} should be 李");
    }
    for (a, b) in [
        ("박", "Pak"),
        ("최", "Choe"),
        ("정", "Chung"),
        ("노", "Roh"),
        ("임", "Lim"),
        ("유", "Ryu"),
    ] {
        assert!(shared(t.of(a), t.of(b)).is_some(), "{a}/{b}");
    }
    assert!(shared(t.of("김"), t.of("이")).is_none());
}

#[test]
fn romanisation_in_and_out() {
    assert_eq!(hangul::romanize("박순희"), "baksunhui");
    // Revised, McCune–Reischauer and passport spellings share one key.
    assert_eq!(phonetic_key("Chŏng"), phonetic_key("정"));
    assert_eq!(phonetic_key("Jeong"), phonetic_key("Chung"));
    assert_eq!(phonetic_key("Young-ho"), phonetic_key("영호"));
    // Either order, joined, hyphenated or spaced given names.
    for s in [
        "Kim Young-ho",
        "KIM Youngho",
        "Young Ho Kim",
        "Kim, Young Ho",
        "Youngho KIM",
    ] {
        let c = compare_names(&parse(s), &parse("김영호"));
        assert_eq!((c.surname, c.given), (3, 5), "{s}");
    }
    // A North spelling romanised: Ri Ryong-chol = 이용철.
    let c = compare_names(&parse("Ri Ryong-chol"), &parse("이용철"));
    assert_eq!((c.surname, c.given), (3, 5));
}

#[test]
fn childhood_names() {
    assert!(childhood_variants("순이").contains(&"순희".into()));
    assert!(childhood_variants("복이").contains(&"복".into()));
    assert_eq!(compare_names(&parse("김숙이"), &parse("김숙자")).given, 4);
    assert_eq!(compare_names(&parse("박영이"), &parse("박영숙")).given, 4);
    assert!(is_pet_name("개똥이"));
    // A pet name says nothing: the given-name level is "unknown".
    assert_eq!(compare_names(&parse("김개똥이"), &parse("김정진")).given, 0);
}

#[test]
fn birth_years_lunar_and_korean_age() {
    // Born 1936-12-20 lunar = 1937-02-01 solar.
    let d = Date::parse("1936-12-20").unwrap();
    assert_eq!(
        calendar::lunar_to_solar(1936, 12, 20, false).unwrap(),
        Date::parse("1937-02-01").unwrap()
    );
    let years = calendar::candidate_years(d, CalendarKind::Lunar);
    assert_eq!(calendar::year_gap(1936, years), 0);
    assert_eq!(calendar::year_gap(1937, years), 0);
    // Leap month 윤4월 2020.
    assert_eq!(
        calendar::lunar_to_solar(2020, 4, 1, true).unwrap(),
        Date::parse("2020-05-23").unwrap()
    );
    // Korean age 15 in 1950 → born 1936.
    assert_eq!(calendar::year_from_korean_age(15, 1950), 1936);
    assert!(Date::parse("1950-02-30").is_err());
}

#[test]
fn gazetteer_1952_and_1954() {
    let g = Gazetteer::get();
    let old = Place::new("황해도", "옹진군", "");
    let new = Place::new("황해남도", "강령군", "");
    assert_eq!(compare_place(&old, &new).0, 4);
    assert!(g.provinces("황해북도") & g.provinces("황해도") != 0);
    assert!(g.provinces("량강도") & g.provinces("함경남도") != 0);
    assert!(g.provinces("자강도") & g.provinces("평안북도") != 0);
    let a = Place::new("평안북도", "후창군", "");
    let b = Place::new("자강도", "김형직군", "");
    assert_eq!(compare_place(&a, &b).0, 4);
}

proptest! {
    #[test]
    fn normalisation_is_idempotent(s in "[가-힣 ]{0,8}|[A-Za-z\\- ]{0,12}") {
        let c = clean(&s);
        prop_assert_eq!(clean(&c), c.clone());
        let t = to_south(&c);
        prop_assert_eq!(to_south(&t), t.clone());
        // The key ignores case, spacing and hyphens, so it is the same for
        // the cleaned text and for its upper-cased, hyphen-joined form.
        let k = phonetic_key(&c);
        prop_assert_eq!(phonetic_key(&c.to_uppercase().replace(' ', "-")), k);
        let p = parse(&c);
        prop_assert_eq!(parse(&p.text), p.clone());
    }
}
