//! Comparison vectors: for a (request, person) pair, one agreement level
//! per field, and the reasons behind each level for explanations.

use std::sync::Arc;

use crate::features::{PerFeatures, Place, ReqFeatures};
use crate::hangul;
use crate::names::{self, Name, NameParse, Script};
use crate::surname::{self, ClassId};

/// The compared fields, in vector order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Surname (class by hanja).
    Surname,
    /// Given name.
    Given,
    /// Father's name.
    Father,
    /// Birth year.
    Year,
    /// Sex.
    Sex,
    /// Hometown province/county.
    Place,
    /// Hometown village.
    Village,
    /// The applicant among the North person's relatives in the South.
    Relatives,
    /// Age gap fits the stated relationship.
    AgeFit,
}

/// Number of fields.
pub const FIELDS: usize = 9;

/// All fields in order.
pub const ALL_FIELDS: [Field; FIELDS] = [
    Field::Surname,
    Field::Given,
    Field::Father,
    Field::Year,
    Field::Sex,
    Field::Place,
    Field::Village,
    Field::Relatives,
    Field::AgeFit,
];

/// Levels per field (level 0 is always "not known on one side").
pub const LEVELS: [usize; FIELDS] = [4, 8, 5, 7, 3, 6, 3, 7, 3];

/// Relatives level for the applicant (or a near spelling) listed under a
/// relation that contradicts the request: a sister sought, and the person
/// lists the applicant as a cousin. A relative of the applicant, not the
/// one sought (a sought parent's sister lists the applicant as a niece).
pub const RELATIVES_OTHER_RELATION: u8 = 6;

/// Given-name level for two spellings one jamo (or one letter) apart that
/// are both names in use on the list ([`NamesInUse`]): a sibling named
/// 옥순 next to a sought 옥숙, rather than a slip (a slip makes a spelling
/// nobody else bears, 겅규 for 경규). Level 3 keeps the slips. Numbered
/// after the others so that the levels before it keep their meaning.
pub const GIVEN_BOTH_IN_USE: u8 = 6;

/// Given-name level for a request whose given name is one syllable that is
/// a syllable of the person's name other than its first (옥 sought, 순옥 on
/// the list; 진 and 광진, 수 and 만수): a name remembered in part. Among
/// pairs whose given names differ, this is about one in twelve true pairs
/// on the dev sets and one in a thousand of the sought person's siblings:
/// brothers and sisters share a syllable in the same place (the
/// generation syllable: 봉옥, 정옥), which is "partly the same" (level 2).
/// The name comparison still calls it "different" (level 1, so the
/// father's name and the relatives are compared as before); only the
/// given-name field of the vector takes this level. A one-syllable name
/// that is the first syllable of the other is a childhood form already
/// (순 → 순이 for 순자).
pub const GIVEN_PART_OF_NAME: u8 = 7;

/// One level per field.
pub type Vector = [u8; FIELDS];

impl Field {
    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Surname => "surname",
            Field::Given => "given_name",
            Field::Father => "father",
            Field::Year => "birth_year",
            Field::Sex => "sex",
            Field::Place => "hometown",
            Field::Village => "village",
            Field::Relatives => "relatives",
            Field::AgeFit => "age_fit",
        }
    }

    /// What the hometown's level means when the sought person is a woman
    /// who married into the family (a mother, a wife): the request's
    /// hometown is her husband's family's, her birthplace her own parents'
    /// (see [`crate::model::Model::hometown_by_kind`]).
    pub fn married_in_label(self, level: u8) -> Option<&'static str> {
        match (self, level) {
            (Field::Place, 3) => Some(
                "a mother or wife was born in her own parents' place: a different county is common",
            ),
            (Field::Place, 2..=5) => Some(
                "weighed for a mother or wife, whose birthplace is often not the family's hometown",
            ),
            _ => None,
        }
    }

    /// What a level means, for a person to read.
    pub fn level_label(self, level: u8) -> &'static str {
        match (self, level) {
            (_, 0) => "not known on one side",
            (Field::Surname, 3) => "same surname class",
            (Field::Surname, 2) => "surname differs by one letter",
            (Field::Surname, _) => "different surname",
            (Field::Given, 5) => "same given name",
            (Field::Given, 4) => "childhood/alias form of the given name",
            (Field::Given, 3) => "given name nearly the same",
            (Field::Given, GIVEN_BOTH_IN_USE) => {
                "given name one letter apart, both spellings names in use"
            }
            (Field::Given, 2) => "given name partly the same",
            (Field::Given, GIVEN_PART_OF_NAME) => {
                "given name of one syllable that is a later syllable of the person's: remembered in part"
            }
            (Field::Given, _) => "different given name",
            (Field::Father, 4) => "same father's name",
            (Field::Father, 3) => "father's name nearly the same",
            (Field::Father, 2) => "father's name partly the same",
            (Field::Father, _) => "different father's name",
            (Field::Year, 6) => "same birth year",
            (Field::Year, 5) => "birth year 1 apart",
            (Field::Year, 4) => "birth year 2 apart",
            (Field::Year, 3) => "birth year 3 apart",
            (Field::Year, 2) => "birth year 4–6 apart",
            (Field::Year, _) => "birth year more than 6 apart",
            (Field::Sex, 2) => "same sex",
            (Field::Sex, _) => "different sex",
            (Field::Place, 5) => "same county",
            (Field::Place, 4) => "county matches through the gazetteer",
            (Field::Place, 3) => "different county",
            (Field::Place, 2) => "same province (county unknown)",
            (Field::Place, _) => "different province",
            (Field::Village, 2) => "same village",
            (Field::Village, _) => "different village",
            (Field::Relatives, 5) => {
                "applicant listed among relatives in the South, in a relation the sought person's siblings do not have"
            }
            (Field::Relatives, 4) => "applicant listed among relatives in the South",
            (Field::Relatives, RELATIVES_OTHER_RELATION) => {
                "applicant listed among relatives in the South under another relation: a relative, not the one sought"
            }
            (Field::Relatives, 3) => "applicant nearly matches a listed relative",
            (Field::Relatives, 2) => "a listed relative partly matches the applicant",
            (Field::Relatives, _) => "relatives listed, applicant not among them",
            (Field::AgeFit, 2) => "ages fit the relationship",
            (Field::AgeFit, _) => "ages do not fit the relationship",
        }
    }
}

/// How two surnames agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurnameHow {
    /// One side empty.
    Missing,
    /// Same spelling.
    SameText,
    /// Same class, different spelling (리/이, Lee/이).
    SameClass(ClassId),
    /// One jamo or letter apart.
    Typo,
    /// Different as written, but one side is no known surname and the two
    /// are one jamo apart in South spelling (의 for 리 = 이, 링 for 림 = 임):
    /// likely a slip in writing a North surname. Level 1 for the surname
    /// field; a father's name with this surname and the same given name is
    /// "nearly the same" ([`father_level`]).
    SouthSlip,
    /// Different.
    Differ,
}

/// How two given names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenHow {
    /// One side empty.
    Missing,
    /// Same spelling.
    Exact,
    /// Same after the initial-sound rule (룡진/용진).
    InitialRule,
    /// Romanisation of the same Hangul.
    Romanised,
    /// Childhood or alias form (순이/순희, 복이/복).
    Childhood,
    /// A traditional childhood name (개똥이) on one side: no evidence.
    PetName,
    /// One jamo apart, or the same syllables in another order.
    Typo,
    /// Shares a syllable.
    Partial,
    /// Different, but the first name is one syllable that is a later
    /// syllable of the second (옥 / 순옥): level 1 in the name comparison,
    /// [`GIVEN_PART_OF_NAME`] in the given-name field.
    PartOfName,
    /// Different.
    Differ,
}

/// Result of comparing two names.
#[derive(Debug, Clone, Copy)]
pub struct NameCmp {
    /// Surname level 0..=3.
    pub surname: u8,
    /// Given-name level 0..=5.
    pub given: u8,
    /// Why the surname level.
    pub surname_how: SurnameHow,
    /// Why the given-name level.
    pub given_how: GivenHow,
}

fn compare_surname(a: &NameParse, b: &NameParse) -> (u8, SurnameHow) {
    // Each text read once (a `SmolStr` is an enum to look into).
    let (sa, sb) = (a.surname.as_str(), b.surname.as_str());
    if sa.is_empty() || sb.is_empty() {
        return (0, SurnameHow::Missing);
    }
    if a.script == b.script && sa.eq_ignore_ascii_case(sb) {
        return (3, SurnameHow::SameText);
    }
    if let Some(c) = surname::shared(a.classes, b.classes) {
        return (3, SurnameHow::SameClass(c));
    }
    let close = if a.script == Script::Hangul && b.script == Script::Hangul {
        hangul::within_one_jamo(sa, sb)
    } else {
        // The parse's surname_key is phonetic_key(surname), made once.
        let (ka, kb) = (&a.surname_key, &b.surname_key);
        ka == kb || hangul::jaro_winkler(ka, kb) >= 0.85
    };
    if close {
        (2, SurnameHow::Typo)
    } else if (a.classes.is_empty() || b.classes.is_empty())
        && a.script == Script::Hangul
        && b.script == Script::Hangul
        && south_spellings_one_jamo_apart(sa, sb)
    {
        (1, SurnameHow::SouthSlip)
    } else {
        (1, SurnameHow::Differ)
    }
}

/// Two one-syllable surnames one jamo apart once both are in South
/// spelling (the initial-sound rule on each) but not as written: 의 and 리
/// (= 이), 링 and 임 (림).
fn south_spellings_one_jamo_apart(a: &str, b: &str) -> bool {
    let one = |s: &str| {
        let mut cs = s.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let (Some(x), Some(y)) = (one(a), one(b)) else {
        return false;
    };
    let (sx, sy) = (
        hangul::south_initial_syllable(x),
        hangul::south_initial_syllable(y),
    );
    (sx != x || sy != y)
        && hangul::within_one_jamo(sx.encode_utf8(&mut [0; 4]), sy.encode_utf8(&mut [0; 4]))
}

/// Up to eight characters of a short string on the stack (names are one to
/// four syllables); `None` when longer. Comparisons run per candidate pair,
/// so they must not allocate.
fn short_chars(s: &str) -> Option<([char; 8], usize)> {
    let mut buf = ['\0'; 8];
    let mut n = 0;
    for c in s.chars() {
        if n == 8 {
            return None;
        }
        buf[n] = c;
        n += 1;
    }
    Some((buf, n))
}

/// Sum of a short string's code points: equal for two orderings of the
/// same syllables, so unequal sums rule a reordering out without sorting.
fn char_sum(s: &str) -> u32 {
    s.chars().map(u32::from).sum()
}

fn same_syllables(a: &str, b: &str) -> bool {
    // The same characters in another order have the same bytes in
    // another order: a cheap test that rules most pairs out.
    if a.len() != b.len() || byte_sum(a) != byte_sum(b) {
        return false;
    }
    match (short_chars(a), short_chars(b)) {
        (Some((mut x, n)), Some((mut y, m))) => {
            x[..n].sort_unstable();
            y[..m].sort_unstable();
            n > 1 && x[..n] == y[..m]
        }
        _ => {
            let mut x: Vec<char> = a.chars().collect();
            let mut y: Vec<char> = b.chars().collect();
            x.sort_unstable();
            y.sort_unstable();
            x.len() > 1 && x == y
        }
    }
}

/// Sum of a string's bytes (see [`same_syllables`]).
fn byte_sum(s: &str) -> u32 {
    s.bytes().map(u32::from).sum()
}

fn shares_syllable(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if three_byte_chars(x) && three_byte_chars(y) {
        // Hangul syllables: the characters are the byte triples, compared
        // without decoding; more than one character is more than 3 bytes.
        return x
            .chunks_exact(3)
            .zip(y.chunks_exact(3))
            .any(|(p, q)| p == q)
            || (x.len() > 3 && holds(b, a))
            || (y.len() > 3 && holds(a, b));
    }
    a.chars().zip(b.chars()).any(|(p, q)| p == q)
        || (a.chars().nth(1).is_some() && holds(b, a))
        || (b.chars().nth(1).is_some() && holds(a, b))
}

/// True when every character of the UTF-8 text is three bytes long: a lead
/// byte 1110xxxx every third byte (valid UTF-8 continues each lead with
/// its own two bytes), so the characters are the byte triples.
fn three_byte_chars(s: &[u8]) -> bool {
    s.len().is_multiple_of(3) && s.chunks_exact(3).all(|t| t[0] >> 4 == 0xE)
}

/// `haystack.contains(needle)`, answered from the lengths when the needle
/// is not shorter (most pairs of given names are as long as each other):
/// no search and no library call then.
#[inline(always)]
fn holds(haystack: &str, needle: &str) -> bool {
    match haystack.len().cmp(&needle.len()) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => haystack.bytes().eq(needle.bytes()),
        std::cmp::Ordering::Greater => haystack.contains(needle),
    }
}

/// True when `short`'s given name is one syllable that is a syllable of
/// `long`'s given name (or of its childhood form: 상진이 → 상진) other than
/// the first (the first would make a childhood form: 순 → 순이 for 순자).
fn one_syllable_within(short: &NameParse, long: &NameParse) -> bool {
    let mut cs = short.given.chars();
    let (Some(c), None) = (cs.next(), cs.next()) else {
        return false;
    };
    std::iter::once(&long.given)
        .chain(&long.variants)
        .any(|y| y.chars().skip(1).any(|d| d == c))
}

/// A quick "different given name" for two Hangul names whose forms all have
/// the same length (two syllables or more) and share no syllable: one jamo
/// apart, a childhood form, the same syllables reordered and a shared
/// syllable all need a common syllable, so the full comparison would say
/// "differs" too. Most candidate pairs end here.
fn clearly_different(a: &NameParse, b: &NameParse) -> bool {
    // Made once per reading (NameParse::signature): no variant is read.
    let (ma, la) = a.signature();
    let (mb, lb) = b.signature();
    ma & mb == 0 && la >= 2 && la == lb
}

/// The given-name level of two Hangul readings whose forms share no
/// syllable at all (disjoint [`NameParse::signature`] sets; `None` when
/// they may share one). A childhood form, the same syllables reordered, a
/// shared syllable and a syllable within the other all need a common
/// syllable, and so does "one jamo apart" for two forms of the same length
/// of two syllables or more (they differ in at least two places): only a
/// pair of one-syllable forms, or of forms of different lengths, can still
/// be one jamo apart ([`hangul::within_one_jamo`]). The same answer as the
/// full comparison, without the tests that cannot succeed.
fn given_without_shared_syllable(a: &NameParse, b: &NameParse) -> Option<(u8, GivenHow)> {
    let (ma, la) = a.signature();
    let (mb, lb) = b.signature();
    if ma & mb != 0 {
        return None;
    }
    let count = |s: &str, common: usize| {
        if common != 0 {
            common
        } else {
            s.chars().count()
        }
    };
    let close = std::iter::once(&a.given).chain(&a.variants).any(|x| {
        let x = x.as_str();
        let nx = count(x, la);
        std::iter::once(&b.given).chain(&b.variants).any(|y| {
            let y = y.as_str();
            let ny = count(y, lb);
            (nx != ny || nx == 1) && hangul::within_one_jamo(x, y)
        })
    });
    Some(if close {
        (3, GivenHow::Typo)
    } else {
        (1, GivenHow::Differ)
    })
}

/// The Hangul given-name comparison after the exact, pet-name and quick
/// "different" tests ([`compare_given`]).
fn hangul_given_rest(a: &NameParse, b: &NameParse) -> (u8, GivenHow) {
    // Each text read once (a `SmolStr` is an enum to look into).
    let (ga, gb) = (a.given.as_str(), b.given.as_str());
    if a.variants.iter().any(|v| v.as_str() == gb)
        || b.variants.iter().any(|v| v.as_str() == ga)
        || a.variants.iter().any(|v| b.variants.contains(v))
        || names::is_first_syllable_form(ga, gb)
        || names::is_first_syllable_form(gb, ga)
    {
        return (4, GivenHow::Childhood);
    }
    let forms_a = std::iter::once(&a.given).chain(&a.variants);
    let close = forms_a.clone().any(|x| {
        let x = x.as_str();
        std::iter::once(&b.given).chain(&b.variants).any(|y| {
            let y = y.as_str();
            hangul::within_one_jamo(x, y)
                || names::is_first_syllable_form(x, y)
                || names::is_first_syllable_form(y, x)
        })
    });
    // The same syllables in another order, a childhood form's too
    // (현식이 → 현식 for 식현; only a name ending in 이 has that form).
    // Asked only when the names are not one jamo apart already.
    let reordered = || {
        same_syllables(ga, gb)
            || ((ga.ends_with('이') || gb.ends_with('이'))
                && forms_a.clone().any(|x| {
                    let x = x.as_str();
                    std::iter::once(&b.given).chain(&b.variants).any(|y| {
                        let y = y.as_str();
                        x.len() == y.len() && char_sum(x) == char_sum(y) && same_syllables(x, y)
                    })
                }))
    };
    if close || reordered() {
        return (3, GivenHow::Typo);
    }
    if shares_syllable(ga, gb) {
        return (2, GivenHow::Partial);
    }
    // The request's side comes first (compare_names(request, person)).
    if one_syllable_within(a, b) {
        return (1, GivenHow::PartOfName);
    }
    (1, GivenHow::Differ)
}

fn compare_given(a: &NameParse, b: &NameParse) -> (u8, GivenHow) {
    let (ga, gb) = (a.given.as_str(), b.given.as_str());
    if ga.is_empty() || gb.is_empty() {
        return (0, GivenHow::Missing);
    }
    if a.script == Script::Hangul && b.script == Script::Hangul {
        if ga == gb {
            let how = if a.given_raw == b.given_raw {
                GivenHow::Exact
            } else {
                GivenHow::InitialRule
            };
            return (5, how);
        }
        if a.pet || b.pet {
            return (0, GivenHow::PetName);
        }
        if clearly_different(a, b) {
            return (1, GivenHow::Differ);
        }
        if let Some(level) = given_without_shared_syllable(a, b) {
            return level;
        }
        return hangul_given_rest(a, b);
    }
    // At least one side romanised: compare phonetic keys.
    let (ka, kb) = (&a.given_key, &b.given_key);
    if ka == kb {
        return (5, GivenHow::Romanised);
    }
    let (va, vb) = (&a.variant_keys, &b.variant_keys);
    if va.contains(kb) || vb.contains(ka) || va.iter().any(|v| vb.contains(v)) {
        return (4, GivenHow::Childhood);
    }
    let jw = hangul::jaro_winkler(ka, kb);
    if jw >= 0.92 {
        (3, GivenHow::Typo)
    } else if jw >= 0.82 {
        (2, GivenHow::Partial)
    } else {
        (1, GivenHow::Differ)
    }
}

/// Compares two names over all their readings; the best pair of readings wins.
pub fn compare_names(a: &Name, b: &Name) -> NameCmp {
    let mut best = NameCmp {
        surname: 0,
        given: 0,
        surname_how: SurnameHow::Missing,
        given_how: GivenHow::Missing,
    };
    let mut best_score = -1i32;
    for pa in &a.parses {
        for pb in &b.parses {
            let (s, sh) = compare_surname(pa, pb);
            let (g, gh) = compare_given(pa, pb);
            // Rank: agreement counts, "missing" counts as neutral.
            let score = i32::from(g) * 4 + i32::from(s) * 3;
            if score > best_score {
                best_score = score;
                best = NameCmp {
                    surname: s,
                    given: g,
                    surname_how: sh,
                    given_how: gh,
                };
            }
        }
    }
    best
}

/// Father level 0..=4 from a name comparison.
pub fn father_level(c: &NameCmp) -> u8 {
    if c.surname_how == SurnameHow::SouthSlip && c.given == 5 {
        return 3;
    }
    match (c.surname, c.given) {
        (_, 0) => 0,
        (0 | 2 | 3, 5) => 4,
        (_, 4) | (0 | 2 | 3, 3) => 3,
        (_, 2 | 3) | (_, 5) => 2,
        _ => 1,
    }
}

/// How two places agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceHow {
    /// Not comparable.
    Missing,
    /// Provinces disjoint.
    ProvinceDiffer,
    /// Same province, a county missing.
    ProvinceOnly,
    /// Counties differ.
    CountyDiffer,
    /// Counties linked through this old county.
    Gazetteer(u16),
    /// Same county name.
    SameCounty,
}

/// True when one side's county lies now in the current province the other
/// side names (중화, once 평안남도, in 황해북도 since 2010; 개성 under 황해북도
/// 2003–2019): the old provinces differ, the place does not.
fn lies_now(a: &Place, b: &Place) -> bool {
    a.county_now & b.province_now != 0 || b.county_now & a.province_now != 0
}

/// Compares hometowns: level 0..=5 and why.
pub fn compare_place(a: &Place, b: &Place) -> (u8, PlaceHow) {
    if !a.county_stem.is_empty() && !b.county_stem.is_empty() {
        if a.county_stem == b.county_stem {
            return (5, PlaceHow::SameCounty);
        }
        if let Some(id) = a.county_ids.iter().find(|x| b.county_ids.contains(x)) {
            return (4, PlaceHow::Gazetteer(*id));
        }
        if a.provinces != 0 && b.provinces != 0 && a.provinces & b.provinces == 0 && !lies_now(a, b)
        {
            return (1, PlaceHow::ProvinceDiffer);
        }
        return (3, PlaceHow::CountyDiffer);
    }
    if a.provinces == 0 || b.provinces == 0 {
        return (0, PlaceHow::Missing);
    }
    if a.provinces & b.provinces == 0 && !lies_now(a, b) {
        (1, PlaceHow::ProvinceDiffer)
    } else {
        (2, PlaceHow::ProvinceOnly)
    }
}

/// The relatives field: level 0..=5 and the index of the matching relative.
/// Level 5 is level 4 (the applicant listed under the inverse of the stated
/// relation) for a relation the sought person's siblings do not share with
/// them ([`crate::features::Relation::shared_by_siblings`]): a sought mother's sister lists
/// the applicant as a niece, not as a child, so this evidence tells the
/// person from a sibling.
pub fn compare_relatives(r: &ReqFeatures, p: &PerFeatures) -> (u8, Option<usize>) {
    relatives_with(r, p, |name| compare_names(&r.applicant, name))
}

/// [`compare_relatives`] with the applicant-to-relative name comparison
/// given (so a [`Comparer`] can answer it from its memo).
fn relatives_with(
    r: &ReqFeatures,
    p: &PerFeatures,
    mut applicant_vs: impl FnMut(&Arc<Name>) -> NameCmp,
) -> (u8, Option<usize>) {
    if p.relatives.is_empty() || r.applicant.is_empty() {
        return (0, None);
    }
    let mut best = (1u8, None);
    let labels = r.relation.inverse_labels();
    let consistent = if r.relation.shared_by_siblings() {
        4
    } else {
        5
    };
    // Which listing says most: the applicant under the stated relation, a
    // near spelling of them, the applicant under another relation, a
    // partial match, none.
    let rank = |level: u8| match level {
        5 => 6,
        4 => 5,
        3 => 4,
        RELATIVES_OTHER_RELATION => 3,
        l => l,
    };
    for (i, (rel, name)) in p.relatives.iter().enumerate() {
        let c = applicant_vs(name);
        let surname_ok = matches!(c.surname, 0 | 2 | 3);
        // The listed relation is read only for a name that matches (most
        // listed relatives are not the applicant): no label compared then.
        let stated = || labels.is_empty() || labels.contains(&rel.as_str());
        let level = match c.given {
            5 | 4 if surname_ok && stated() => consistent,
            3..=5 if surname_ok && !stated() => RELATIVES_OTHER_RELATION,
            3 if surname_ok => 3,
            2 if surname_ok => 2,
            _ => 1,
        };
        if rank(level) > rank(best.0) {
            best = (level, Some(i));
        }
    }
    best
}

fn year_level(r: &ReqFeatures, p: &PerFeatures) -> u8 {
    match (r.year, p.years()) {
        (Some(y), Some(ys)) => match crate::calendar::year_gap(y, ys) {
            0 => 6,
            1 => 5,
            2 => 4,
            3 => 3,
            4..=6 => 2,
            _ => 1,
        },
        _ => 0,
    }
}

fn age_fit_level(r: &ReqFeatures, p: &PerFeatures) -> u8 {
    match (r.applicant_year, p.years(), r.relation.age_gap_range()) {
        (Some(a), Some((y, _)), Some((lo, hi))) => {
            let gap = y - a;
            if (lo..=hi).contains(&gap) { 2 } else { 1 }
        }
        _ => 0,
    }
}

/// Everything behind one comparison, for explanations.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    /// The levels.
    pub vector: Vector,
    /// Name comparison.
    pub name: NameCmp,
    /// Father comparison.
    pub father: NameCmp,
    /// Place comparison.
    pub place: PlaceHow,
    /// Index of the matching relative.
    pub relative: Option<usize>,
}

/// How many persons on the North list bear a given name (by its phonetic
/// key, [`NameParse::given_key`]); `None` when the list is too short for
/// the count to say anything. Tells a spelling that is a name in use from
/// one nobody bears (see [`GIVEN_BOTH_IN_USE`]).
pub trait NamesInUse: Sync {
    /// Persons whose given name has this key.
    fn bearers(&self, given_key: &str) -> Option<u32>;
}

/// No list to count on: one-jamo-apart names all stay at level 3.
pub struct NoList;

impl NamesInUse for NoList {
    fn bearers(&self, _: &str) -> Option<u32> {
        None
    }
}

/// Whether the request's given name is borne by someone on the list
/// (`None`: not known).
fn request_named(r: &ReqFeatures, names: &dyn NamesInUse) -> Option<bool> {
    let key = &r.name.parses.first()?.given_key;
    if key.is_empty() {
        return None;
    }
    names.bearers(key).map(|n| n >= 1)
}

/// The given-name level of the vector: the name comparison's, with a name
/// remembered in part on its own level ([`GIVEN_PART_OF_NAME`]) and level 3
/// split by whether both spellings are names in use — the request's borne
/// by someone on the list and the person's by someone besides the person.
fn given_level(
    name: &NameCmp,
    request_named: Option<bool>,
    p: &PerFeatures,
    names: &dyn NamesInUse,
) -> u8 {
    if name.given_how == GivenHow::PartOfName {
        return GIVEN_PART_OF_NAME;
    }
    if name.given != 3 || name.given_how != GivenHow::Typo || request_named != Some(true) {
        return name.given;
    }
    let Some(key) = p.name.parses.first().map(|x| &x.given_key) else {
        return name.given;
    };
    match names.bearers(key) {
        Some(n) if n >= 2 => GIVEN_BOTH_IN_USE,
        _ => name.given,
    }
}

/// Compares a request with a person (no list to count names on: see
/// [`compare_in`]).
pub fn compare(r: &ReqFeatures, p: &PerFeatures) -> Vector {
    compare_detail(r, p).vector
}

/// Compares a request with a person of a list whose names are counted.
pub fn compare_in(r: &ReqFeatures, p: &PerFeatures, names: &dyn NamesInUse) -> Vector {
    compare_detail_in(r, p, names).vector
}

/// Compares a request with a person, keeping the reasons.
pub fn compare_detail(r: &ReqFeatures, p: &PerFeatures) -> Detail {
    compare_detail_in(r, p, &NoList)
}

/// [`compare_detail`] on a list whose names are counted ([`NamesInUse`]).
pub fn compare_detail_in(r: &ReqFeatures, p: &PerFeatures, names: &dyn NamesInUse) -> Detail {
    let name = compare_names(&r.name, &p.name);
    let given = given_level(&name, request_named(r, names), p, names);
    detail_with(
        r,
        p,
        name,
        given,
        compare_names(&r.father, &p.father),
        |name| compare_names(&r.applicant, name),
    )
}

/// [`compare_detail`] with the name comparisons given.
fn detail_with(
    r: &ReqFeatures,
    p: &PerFeatures,
    name: NameCmp,
    given: u8,
    father: NameCmp,
    applicant_vs: impl FnMut(&Arc<Name>) -> NameCmp,
) -> Detail {
    let (place, place_how) = compare_place(&r.place, &p.place);
    let village = if r.place.village.is_empty() || p.place.village.is_empty() {
        0
    } else if r.place.village == p.place.village {
        2
    } else {
        1
    };
    let sex = match (r.sex, p.sex) {
        (Some(a), Some(b)) => 1 + u8::from(a == b),
        _ => 0,
    };
    let (relatives, relative) = relatives_with(r, p, applicant_vs);
    Detail {
        vector: [
            name.surname,
            given,
            father_level(&father),
            year_level(r, p),
            sex,
            place,
            village,
            relatives,
            age_fit_level(r, p),
        ],
        name,
        father,
        place: place_how,
        relative,
    }
}

/// Name comparisons of one request side remembered per person name: the
/// persons share their parsed names ([`crate::features::PersonInterner`]),
/// and the candidates of one request often share a name, a father's name
/// or a relative. A small direct-mapped table keyed by the shared name's
/// address; a collision only means comparing again. A slot counts only
/// when it carries the table's current stamp: a new request bumps the
/// stamp instead of clearing the slots, and the tables are kept per thread
/// ([`MEMO_POOL`]) rather than allocated per request.
struct NameMemo {
    stamp: u32,
    slots: Box<[MemoSlot]>,
}

#[derive(Clone, Copy)]
struct MemoSlot {
    key: usize,
    stamp: u32,
    cmp: NameCmp,
}

const MEMO_SLOTS: usize = 256;

const NO_CMP: NameCmp = NameCmp {
    surname: 0,
    given: 0,
    surname_how: SurnameHow::Missing,
    given_how: GivenHow::Missing,
};

const EMPTY_SLOT: MemoSlot = MemoSlot {
    key: 0,
    stamp: 0,
    cmp: NO_CMP,
};

thread_local! {
    /// Name memos no comparer holds: taken by [`Comparer::on_list`], given
    /// back when the comparer is dropped.
    static MEMO_POOL: std::cell::RefCell<Vec<NameMemo>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl NameMemo {
    /// A memo with no name remembered: one from this thread's pool,
    /// emptied by a new stamp, or a new one.
    fn take() -> Self {
        let mut memo = MEMO_POOL
            .with(|pool| pool.borrow_mut().pop())
            .unwrap_or_else(|| Self {
                stamp: 0,
                slots: vec![EMPTY_SLOT; MEMO_SLOTS].into_boxed_slice(),
            });
        memo.stamp = memo.stamp.wrapping_add(1);
        if memo.stamp == 0 {
            // Stamps went round: old slots could carry the new stamp.
            memo.slots.fill(EMPTY_SLOT);
            memo.stamp = 1;
        }
        memo
    }

    /// Gives the memo back to this thread's pool.
    fn give_back(self) {
        MEMO_POOL.with(|pool| pool.borrow_mut().push(self));
    }

    fn get(&mut self, side: &Name, person: &Arc<Name>) -> NameCmp {
        let key = Arc::as_ptr(person) as usize;
        // Fibonacci hashing: the top 8 bits of the product pick the slot.
        let slot =
            &mut self.slots[((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize];
        if slot.key != key || slot.stamp != self.stamp {
            *slot = MemoSlot {
                key,
                stamp: self.stamp,
                cmp: compare_names(side, person),
            };
        }
        slot.cmp
    }
}

/// Compares one request with many persons (its candidates), remembering
/// the name comparisons per shared person name (see [`NameMemo`]). The
/// same vectors as [`compare`]. It borrows the persons' names for its
/// lifetime, so a remembered address cannot be reused by another name.
pub struct Comparer<'a> {
    r: &'a ReqFeatures,
    names_in_use: &'a dyn NamesInUse,
    request_named: Option<bool>,
    names: NameMemo,
    fathers: NameMemo,
    applicants: NameMemo,
    _persons: std::marker::PhantomData<&'a PerFeatures>,
}

impl<'a> Comparer<'a> {
    /// A comparer for one request (no list to count names on).
    pub fn new(r: &'a ReqFeatures) -> Self {
        Self::on_list(r, &NoList)
    }

    /// A comparer for one request against a list whose given names are
    /// counted ([`compare_in`]).
    pub fn on_list(r: &'a ReqFeatures, names_in_use: &'a dyn NamesInUse) -> Self {
        Self {
            r,
            names_in_use,
            request_named: request_named(r, names_in_use),
            names: NameMemo::take(),
            fathers: NameMemo::take(),
            applicants: NameMemo::take(),
            _persons: std::marker::PhantomData,
        }
    }

    /// Reads the first bytes of what comparing with these persons will
    /// read — their names' readings, their places — so that the memory
    /// loads of many candidates overlap instead of waiting one after the
    /// other (the parsed names lie scattered over the heap, and a miss per
    /// pointer was most of the comparison's time). Changes nothing.
    pub fn warm(persons: &[PerFeatures], candidates: &[u32]) {
        let first = |s: &str| u64::from(s.as_bytes().first().copied().unwrap_or(0));
        let mut acc = 0u64;
        // First the person records alone (independent loads, many in
        // flight), then what they point to (the pointers now at hand).
        for &pi in candidates {
            acc = acc.wrapping_add(Arc::as_ptr(&persons[pi as usize].name) as u64);
        }
        for &pi in candidates {
            let p = &persons[pi as usize];
            let relatives = p.relatives.iter().map(|(_, n)| n);
            for n in [&p.name, &p.father].into_iter().chain(relatives) {
                if let Some(q) = n.parses.first() {
                    let class = q.classes.first().copied().unwrap_or(0);
                    acc = acc.wrapping_add(first(&q.surname) + first(&q.given) + u64::from(class));
                }
            }
            acc = acc.wrapping_add(first(&p.place.county_stem) + first(&p.place.village));
        }
        std::hint::black_box(acc);
    }

    /// The comparison vector of the request with `p` ([`compare`]).
    pub fn compare(&mut self, p: &'a PerFeatures) -> Vector {
        let r = self.r;
        let name = self.names.get(&r.name, &p.name);
        let given = given_level(&name, self.request_named, p, self.names_in_use);
        let father = self.fathers.get(&r.father, &p.father);
        let applicants = &mut self.applicants;
        detail_with(r, p, name, given, father, |n| {
            applicants.get(&r.applicant, n)
        })
        .vector
    }
}

impl Drop for Comparer<'_> {
    fn drop(&mut self) {
        let empty = || NameMemo {
            stamp: 0,
            slots: Box::default(),
        };
        for memo in [&mut self.names, &mut self.fathers, &mut self.applicants] {
            std::mem::replace(memo, empty()).give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::parse;

    #[test]
    fn shares_syllable_by_triples_is_by_characters() {
        let by_chars = |a: &str, b: &str| {
            a.chars().zip(b.chars()).any(|(p, q)| p == q)
                || (a.chars().nth(1).is_some() && b.contains(a))
                || (b.chars().nth(1).is_some() && a.contains(b))
        };
        let texts = [
            "",
            "순",
            "순자",
            "자순",
            "순자순",
            "영수",
            "수",
            "영수이",
            "철수",
            "中순",
            "ab",
            "a순",
            "순a",
            "가나다",
            "나다",
            "다",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(shares_syllable(a, b), by_chars(a, b), "{a} / {b}");
            }
        }
    }

    #[test]
    fn holds_is_contains() {
        let texts = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "순",
            "순자",
            "자순",
            "순자순",
            "영수",
            "수",
        ];
        for h in texts {
            for n in texts {
                assert_eq!(holds(h, n), h.contains(n), "{h} / {n}");
            }
        }
    }

    #[test]
    fn the_no_shared_syllable_shortcut_agrees_with_the_full_comparison() {
        let texts = [
            "김옥",
            "김옥이",
            "김순이",
            "김순희",
            "김복",
            "김복이",
            "김영",
            "김연",
            "김영수",
            "김연수",
            "김수영",
            "김각",
            "김가가",
            "김갑",
            "김가",
            "김가비",
            "김진",
            "김광진",
            "김성진이",
            "김성진",
            "김현식이",
            "김식현",
            "김철호",
            "김옥순",
            "김순옥",
            "김봉옥",
            "김정옥",
            "김영숙",
            "김영순",
            "김경규",
            "김겅규",
            "김가ㅇ",
            "김강",
            "김갑돌",
            "김간단한",
            "김가나다하",
            "김순",
            "김수니",
            "김명",
            "김며",
            "김ab",
            "김abc",
        ];
        let parses: Vec<NameParse> = texts
            .iter()
            .flat_map(|t| parse(t).parses.iter().cloned().collect::<Vec<_>>())
            .filter(|p| p.script == Script::Hangul && !p.given.is_empty() && !p.pet)
            .collect();
        let mut shortcut = 0;
        for a in &parses {
            for b in &parses {
                if a.given == b.given {
                    continue;
                }
                if let Some(level) = given_without_shared_syllable(a, b) {
                    shortcut += 1;
                    assert_eq!(level, hangul_given_rest(a, b), "{} / {}", a.given, b.given);
                }
            }
        }
        assert!(shortcut > 100, "{shortcut} pairs took the shortcut");
    }

    #[test]
    fn north_and_south_spellings_agree() {
        let c = compare_names(&parse("이용진"), &parse("리룡진"));
        assert_eq!((c.surname, c.given), (3, 5));
        assert!(matches!(c.surname_how, SurnameHow::SameClass(_)));
        assert_eq!(c.given_how, GivenHow::InitialRule);
    }

    #[test]
    fn romanised_against_hangul() {
        let c = compare_names(&parse("Ko Kee Mo"), &parse("고기모"));
        assert_eq!((c.surname, c.given), (3, 5));
        let c = compare_names(&parse("Sun Ja Yi"), &parse("리순자"));
        assert_eq!((c.surname, c.given), (3, 5));
        let c = compare_names(&parse("Won-il-i Kwak"), &parse("곽원일"));
        assert_eq!((c.surname, c.given), (3, 4));
    }

    #[test]
    fn childhood_and_typos() {
        let c = compare_names(&parse("김순이"), &parse("김순희"));
        assert_eq!(c.given, 4);
        let c = compare_names(&parse("권성복이"), &parse("권성복"));
        assert_eq!(c.given, 4);
        let c = compare_names(&parse("김진군"), &parse("김진근"));
        assert_eq!(c.given, 3);
        let c = compare_names(&parse("김경덕"), &parse("김덕경"));
        assert_eq!(c.given, 3);
        let c = compare_names(&parse("김영수"), &parse("긤영수"));
        assert_eq!((c.surname, c.given), (2, 5));
        let c = compare_names(&parse("김영수"), &parse("박철호"));
        assert_eq!((c.surname, c.given), (1, 1));
    }

    fn request(applicant: &str, relationship: &str) -> ReqFeatures {
        ReqFeatures::new(&crate::records::Request {
            applicant_name: applicant.into(),
            name: "김순희".into(),
            relationship: relationship.into(),
            ..Default::default()
        })
    }

    #[test]
    fn the_comparer_gives_the_pairwise_vectors() {
        // Persons sharing parsed names (as the interner makes them), the
        // same name met again after others: the memo must answer as
        // compare does, including for a relative listed by several.
        let persons: Vec<crate::records::Person> = [
            ("김영수", "김철호", "박순희"),
            ("김영수", "김철호", ""),
            ("이영수", "리철호", "박순희"),
            ("김순이", "김철호", "박영호"),
            ("Kim Young Su", "Kim Chul Ho", "Pak Sun Hui"),
            ("김영수", "김철오", "박순희"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (name, father, relative))| crate::records::Person {
            id: format!("N{i}"),
            name: name.into(),
            sex: None,
            birth: None,
            calendar: crate::calendar::CalendarKind::Solar,
            father_name: father.into(),
            province: "황해도".into(),
            county: "옹진".into(),
            village: String::new(),
            residence: String::new(),
            relatives: if relative.is_empty() {
                Vec::new()
            } else {
                vec![("child".into(), relative.into())]
            },
        })
        .collect();
        let pf = PerFeatures::for_list(&persons);
        let r = ReqFeatures::new(&crate::records::Request {
            name: "김영수".into(),
            father_name: "김철호".into(),
            father_from_family: false,
            applicant_name: "박순희".into(),
            relationship: "mother".into(),
            ..Default::default()
        });
        let mut comparer = Comparer::new(&r);
        for _ in 0..2 {
            for p in &pf {
                assert_eq!(comparer.compare(p), compare(&r, p));
            }
        }
        drop(comparer);
        // The next request's comparer takes the same memos back from the
        // thread's pool: nothing the first remembered may answer for it.
        let other = ReqFeatures::new(&crate::records::Request {
            name: "김순이".into(),
            father_name: "박철호".into(),
            father_from_family: false,
            applicant_name: "김영수".into(),
            relationship: "sister".into(),
            ..Default::default()
        });
        for r in [&other, &r, &other] {
            let mut comparer = Comparer::new(r);
            for p in &pf {
                assert_eq!(comparer.compare(p), compare(r, p));
            }
        }
    }

    #[test]
    fn a_memo_whose_stamps_went_round_is_emptied() {
        let name = Arc::new(parse("김영수"));
        let (a, b) = (parse("김영수"), parse("박철호"));
        let mut memo = NameMemo::take();
        assert_eq!(memo.get(&a, &name).given, 5);
        // The stamp about to wrap: the next taker must not read this slot.
        memo.stamp = u32::MAX;
        assert_eq!(memo.get(&a, &name).given, 5);
        memo.give_back();
        let mut memo = NameMemo::take();
        assert_eq!(memo.stamp, 1);
        assert_eq!(memo.get(&b, &name).given, 1);
        memo.give_back();
    }

    #[test]
    fn a_person_is_one_cache_line_and_keeps_its_years() {
        use crate::features::Relatives;
        assert_eq!(std::mem::size_of::<PerFeatures>(), 64);
        assert_eq!(std::mem::align_of::<PerFeatures>(), 64);
        assert_eq!(std::mem::size_of::<Relatives>(), 32);
        for years in [
            None,
            Some((1936, None)),
            Some((1937, Some(1936))),
            Some((1950, Some(1951))),
            Some((0, None)),
        ] {
            let p = PerFeatures::from_parts(
                Arc::new(parse("김순희")),
                Arc::new(parse("")),
                None,
                years,
                Arc::new(Place::default()),
                Relatives::new(),
            );
            assert_eq!(p.years(), years);
        }
        // A lunar birth early in the solar year: both years, as the
        // calendar gives them.
        let birth = crate::calendar::Date::new(1936, 12, 20).expect("a date");
        let years = crate::calendar::candidate_years(birth, crate::calendar::CalendarKind::Lunar);
        assert_eq!(years.1, Some(1936));
        let p = PerFeatures::new(&crate::records::Person {
            id: "N1".into(),
            name: "김순희".into(),
            sex: None,
            birth: Some(birth),
            calendar: crate::calendar::CalendarKind::Lunar,
            father_name: String::new(),
            province: String::new(),
            county: String::new(),
            village: String::new(),
            residence: String::new(),
            relatives: Vec::new(),
        });
        assert_eq!(p.years(), Some(years));
    }

    fn person_listing(relation: &str, name: &str) -> PerFeatures {
        PerFeatures::from_parts(
            std::sync::Arc::new(parse("김순희")),
            std::sync::Arc::new(parse("")),
            None,
            None,
            std::sync::Arc::new(Place::default()),
            vec![(relation.into(), std::sync::Arc::new(parse(name)))].into(),
        )
    }

    #[test]
    fn relatives_level_says_whether_a_sibling_could_show_it() {
        // The applicant 박영수 seeks his mother 김순희: the person lists him as
        // her child (5: her sister would list him as a nephew instead).
        let mother = request("박영수", "mother");
        assert_eq!(
            compare_relatives(&mother, &person_listing("child", "박영수")).0,
            5
        );
        assert_eq!(
            compare_relatives(&mother, &person_listing("nephew", "박영수")).0,
            RELATIVES_OTHER_RELATION
        );
        // A wife sought by her husband 리영수 (North spelling on the list).
        let wife = request("이영수", "spouse");
        assert_eq!(
            compare_relatives(&wife, &person_listing("spouse", "리영수")).0,
            5
        );
        // A sought sister: her sister lists the applicant as a sister too (4).
        let sister = request("김영희", "sister");
        assert_eq!(
            compare_relatives(&sister, &person_listing("sister", "김영희")).0,
            4
        );
        // A sought child: the child's sibling lists the applicant as father too.
        let child = request("김동호", "child");
        assert_eq!(
            compare_relatives(&child, &person_listing("father", "김동호")).0,
            4
        );
        assert_eq!(
            compare_relatives(&child, &person_listing("father", "박철호")).0,
            1
        );
    }

    #[test]
    fn unknown_sought_name_takes_the_fathers_surname() {
        // A wife whose name the husband does not remember; her father was 조영남.
        let r = ReqFeatures::new(&crate::records::Request {
            applicant_name: "홍현근".into(),
            father_name: "조영남".into(),
            father_from_family: false,
            relationship: "spouse".into(),
            ..Default::default()
        });
        assert!(r.surname_from_father);
        assert_eq!(compare_names(&r.name, &parse("조금자")).surname, 3);
        assert_eq!(compare_names(&r.name, &parse("조금자")).given, 0);
        assert_eq!(compare_names(&r.name, &parse("오춘희")).surname, 2); // one letter off
        assert_eq!(compare_names(&r.name, &parse("박춘희")).surname, 1);
        // North spelling of the father's surname: 리 for 이.
        let r = ReqFeatures::new(&crate::records::Request {
            father_name: "리성근".into(),
            father_from_family: false,
            relationship: "brother".into(),
            ..Default::default()
        });
        assert_eq!(compare_names(&r.name, &parse("이창진")).surname, 3);
        // A child's request with no father given: the applicant stands in as
        // the father, but the applicant may be the mother — no surname.
        let r = ReqFeatures::new(&crate::records::Request {
            applicant_name: "김순희".into(),
            relationship: "child".into(),
            ..Default::default()
        });
        assert!(!r.surname_from_father);
        assert!(r.name.is_empty());
    }

    #[test]
    fn places() {
        let a = Place::new("황해도", "옹진", "");
        let b = Place::new("황해남도", "강령군", "");
        assert!(matches!(compare_place(&a, &b), (4, PlaceHow::Gazetteer(_))));
        let c = Place::new("황해남도", "옹진군", "");
        assert_eq!(compare_place(&a, &c).0, 5);
        let d = Place::new("함경남도", "", "");
        assert_eq!(compare_place(&a, &d).0, 1);
        let e = Place::new("Hwanghae", "Ongjin-gun", "");
        assert!(compare_place(&e, &b).0 >= 4);
    }
}
