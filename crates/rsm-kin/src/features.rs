//! Records prepared for comparison: names parsed and canonicalised, dates
//! converted, places mapped through the gazetteer. Computed once per record.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::calendar;
use crate::gazetteer::{self, Gazetteer, ProvinceSet};
use crate::hangul;
use crate::names::{self, Name, Text};
use crate::records::{Person, Request, Sex};

/// The sought person's relation to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Father or mother.
    Parent,
    /// Son or daughter.
    Child,
    /// Brother or sister.
    Sibling,
    /// Husband or wife.
    Spouse,
    /// Uncle or aunt.
    UncleAunt,
    /// Cousin.
    Cousin,
    /// Other or unknown.
    Other,
}

/// `s` trimmed and in lower case, copied only when lowering changes it:
/// ASCII without capitals and Hangul syllables lower to themselves (the
/// relationship column is read per request in every pass).
fn trimmed_lower(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    let unchanged = |c: char| {
        (c.is_ascii() && !c.is_ascii_uppercase()) || ('\u{AC00}'..='\u{D7A3}').contains(&c)
    };
    if t.chars().all(unchanged) {
        std::borrow::Cow::Borrowed(t)
    } else {
        std::borrow::Cow::Owned(t.to_lowercase())
    }
}

impl Relation {
    /// Reads the relationship column.
    pub fn parse(s: &str) -> Self {
        match trimmed_lower(s).as_ref() {
            "father" | "mother" | "parent" | "아버지" | "어머니" | "부" | "모" => {
                Self::Parent
            }
            "child" | "son" | "daughter" | "아들" | "딸" | "자녀" => Self::Child,
            "brother" | "sister" | "sibling" | "형제" | "자매" | "남매" => Self::Sibling,
            "spouse" | "husband" | "wife" | "배우자" | "남편" | "아내" | "처" => {
                Self::Spouse
            }
            "uncle" | "aunt" | "삼촌" | "고모" | "이모" | "숙부" => Self::UncleAunt,
            "cousin" | "사촌" => Self::Cousin,
            _ => Self::Other,
        }
    }

    /// Relations a Northern relative-list entry may use for the applicant,
    /// given the sought person's relation to the applicant (inverse).
    pub fn inverse_labels(self) -> &'static [&'static str] {
        match self {
            Self::Parent => &["child", "son", "daughter"],
            Self::Child => &["father", "mother", "parent"],
            Self::Sibling => &["brother", "sister", "sibling"],
            Self::Spouse => &["spouse", "husband", "wife"],
            Self::UncleAunt => &["nephew", "niece"],
            Self::Cousin => &["cousin"],
            Self::Other => &[],
        }
    }

    /// True when a sibling of the sought person stands in the same relation
    /// to the applicant (a sibling of my brother is my sibling, of my child
    /// my child), so would list the applicant under the same label; false
    /// for a sought parent (the parent's sibling is the applicant's uncle or
    /// aunt) and a sought spouse (the spouse's sibling is an in-law).
    pub fn shared_by_siblings(self) -> bool {
        !matches!(self, Self::Parent | Self::Spouse)
    }

    /// Plausible range of (sought birth year − applicant birth year).
    pub fn age_gap_range(self) -> Option<(i32, i32)> {
        match self {
            Self::Parent => Some((-55, -14)),
            Self::Child => Some((14, 55)),
            Self::Sibling => Some((-25, 25)),
            Self::Spouse => Some((-20, 20)),
            Self::UncleAunt => Some((-50, 10)),
            Self::Cousin => Some((-35, 35)),
            Self::Other => None,
        }
    }
}

/// A request's applicant as the assignment weighs claims across
/// applicants: their number (`None`: no applicant id), the relation they
/// seek and their surname class (Hangul names only: `None` when not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeker {
    /// Applicant number (see [`crate::records::Families`]).
    pub applicant: Option<u32>,
    /// The sought person's relation to the applicant.
    pub relation: Relation,
    /// The applicant's surname class.
    pub surname: Option<u16>,
}

impl Seeker {
    /// The seeker of a request whose applicant is `applicant`.
    pub fn new(applicant: Option<u32>, relation: Relation, applicant_name: &Name) -> Self {
        let surname = applicant_name
            .parses
            .first()
            .filter(|p| p.script == names::Script::Hangul)
            .and_then(|p| p.classes.first().copied());
        Self {
            applicant,
            relation,
            surname,
        }
    }

    /// The seeker of a request record.
    pub fn of(applicant: Option<u32>, r: &Request) -> Self {
        Self::new(
            applicant,
            Relation::parse(&r.relationship),
            &names::parse(&r.applicant_name),
        )
    }

    /// Whether two applicants could be seeking one and the same person.
    /// They would be relatives of each other asking for the same relative:
    /// siblings for their brother or their mother (the same relation, and
    /// the same surname — siblings bear their father's), or a father and a
    /// mother for their child (the same relation; a wife keeps her own
    /// surname). A person has one spouse to seek them, and a person sought
    /// as a sister by one applicant and as a wife by another is one of the
    /// two persons, not both. An unknown relation or surname does not
    /// tell two seekers apart.
    pub fn may_seek_the_same_person(&self, other: &Seeker) -> bool {
        if self.relation == Relation::Other || other.relation == Relation::Other {
            return true;
        }
        if self.relation != other.relation || self.relation == Relation::Spouse {
            return false;
        }
        match (self.relation, self.surname, other.surname) {
            (Relation::Child, _, _) => true,
            (_, Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// A place as compared: old provinces, old-county ids, stems. Its texts
/// are inline and its county ids the gazetteer's own (no allocation).
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// Old provinces it may lie in.
    pub provinces: ProvinceSet,
    /// County stem in South spelling (Hangul) or phonetic key (Latin).
    pub county_stem: Text,
    /// Old counties it may descend from.
    pub county_ids: &'static [u16],
    /// Village (리/동) stem, South spelling or phonetic key.
    pub village: Text,
    /// The current province its province text names, if it names one.
    pub province_now: gazetteer::CurrentSet,
    /// The current provinces its county lies in.
    pub county_now: gazetteer::CurrentSet,
}

fn village_stem(s: &str) -> Text {
    let c = hangul::clean_cow(s);
    if c.is_empty() {
        return Text::default();
    }
    if hangul::has_hangul(&c) {
        // A township and village may share the field ("유곡 백석"): keep the last word.
        let last = c.split(' ').next_back().unwrap_or("");
        let t = last
            .strip_suffix('리')
            .or_else(|| last.strip_suffix('동'))
            .filter(|x| !x.is_empty())
            .unwrap_or(last);
        hangul::to_south_text(t)
    } else {
        let lower = c.to_lowercase();
        let last = lower
            .split([' ', ','])
            .next_back()
            .unwrap_or("")
            .to_string();
        let t = last
            .strip_suffix("-ri")
            .or_else(|| last.strip_suffix("-li"))
            .or_else(|| last.strip_suffix("ri"))
            .or_else(|| last.strip_suffix("-dong"))
            .unwrap_or(&last);
        hangul::phonetic_key_text(t)
    }
}

impl Place {
    /// Prepares a place from its parts.
    pub fn new(province: &str, county: &str, village: &str) -> Self {
        let g = Gazetteer::get();
        let county_text = hangul::clean_cow(county);
        // The stem (or key) is what the gazetteer looks up: made once
        // (the same ids as `g.counties(&county_text)`).
        let (county_stem, county_ids): (Text, &'static [u16]) = if county_text.is_empty() {
            (Text::default(), &[])
        } else if hangul::has_hangul(&county_text) {
            let stem = gazetteer::county_stem_text(&county_text);
            let ids = g.counties_of_stem(&stem);
            (stem, ids)
        } else {
            let key = gazetteer::latin_place_key(&county_text);
            let ids = g.counties_of_key(&key);
            (key.into(), ids)
        };
        // The county's old province counts too: 원산, 문천 and 안변 were
        // in 함경남도 until 1946, and a record of 강원 원산 may be sought as
        // 함경남도.
        let mut provinces = g.provinces(province);
        for id in county_ids {
            provinces |= g.county_province(*id);
        }
        Self {
            provinces,
            county_stem,
            county_ids,
            village: village_stem(village),
            province_now: gazetteer::current_province(province),
            county_now: county_ids.iter().fold(0, |acc, id| acc | g.county(*id).now),
        }
    }

    /// True when the place says nothing.
    pub fn is_empty(&self) -> bool {
        self.provinces == 0 && self.county_stem.is_empty()
    }
}

/// A request ready for comparison.
#[derive(Debug, Clone)]
pub struct ReqFeatures {
    /// Sought name.
    pub name: Name,
    /// Sought person's father.
    pub father: Name,
    /// True when `father` is the applicant (a child's request with no
    /// father given).
    pub father_is_applicant: bool,
    /// Applicant's name (to find in the North's relatives list).
    pub applicant: Name,
    /// Applicant's birth year.
    pub applicant_year: Option<i32>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Remembered birth year.
    pub year: Option<i32>,
    /// Relation of the sought person to the applicant.
    pub relation: Relation,
    /// Hometown.
    pub place: Place,
    /// Romanised (diaspora) record.
    pub latin: bool,
    /// The sought name was unknown and `name` holds only the surname taken
    /// from the father's name (a Korean takes the father's surname and keeps
    /// it for life, marriage included).
    pub surname_from_father: bool,
}

impl ReqFeatures {
    /// Whether the sought person is a woman who married into the family: a
    /// mother, or a wife. A Korean wife moved to her husband's village; the
    /// hometown on the request is the family's, her birthplace is her own
    /// parents' — often another township or county. (A sought husband, father
    /// or sister was born where the family lived.)
    pub fn married_in(&self) -> bool {
        self.sex == Some(Sex::F) && matches!(self.relation, Relation::Parent | Relation::Spouse)
    }
}

/// A North person ready for comparison. Names and places are shared
/// ([`Arc`]) between persons who have the same text: a list of a million
/// persons holds far fewer distinct names, and each is parsed once (see
/// [`PersonInterner`]). A person is one cache line (64 bytes, aligned):
/// every comparison reads all of it, and candidates are read in no order
/// the caches could guess.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct PerFeatures {
    /// Name.
    pub name: Arc<Name>,
    /// Father.
    pub father: Arc<Name>,
    /// Birthplace.
    pub place: Arc<Place>,
    /// Relatives in the South: relation label and name.
    pub relatives: Relatives,
    /// Solar birth year ([`NO_YEAR`]: birth not known).
    solar_year: i32,
    /// The lunar birth year minus the solar (0: the same, or a solar date).
    lunar_gap: i16,
    /// Sex.
    pub sex: Option<Sex>,
}

/// [`PerFeatures`]' solar year when the birth is not known.
const NO_YEAR: i32 = i32::MIN;

/// A person's relatives in the South (relation label, name): the first
/// held in the person's own record (most persons list none or one, and
/// every comparison reads them: a separate allocation was one more cache
/// miss per candidate), more on the heap.
pub type Relatives = names::Few<(Text, Arc<Name>)>;

/// The sex a relationship word names (brother, 어머니 …), if it names one.
/// It outranks the request's sex column: a box ticked wrong on a form is a
/// likelier slip than calling a sister a brother.
pub fn sex_of_relation(relationship: &str) -> Option<Sex> {
    match trimmed_lower(relationship).as_ref() {
        "father" | "brother" | "son" | "husband" | "uncle" | "아버지" | "부" | "아들" | "남편"
        | "삼촌" | "숙부" | "형" | "오빠" | "남동생" => Some(Sex::M),
        "mother" | "sister" | "daughter" | "wife" | "aunt" | "어머니" | "모" | "딸" | "아내"
        | "처" | "고모" | "이모" | "누나" | "언니" | "여동생" => Some(Sex::F),
        _ => None,
    }
}

/// Names and places already read, by their text as written: the North
/// list's ([`PersonInterner::into_known`]). A request's name or hometown
/// found here is copied instead of read again ([`ReqFeatures::with_known`]):
/// reading depends on the text only, so the copy is the same reading.
#[derive(Debug, Default)]
pub struct Known {
    /// Names by text.
    pub names: HashMap<String, Arc<Name>>,
    /// Places by their three parts joined ([`place_key_of`]).
    pub places: HashMap<String, Arc<Place>>,
}

impl ReqFeatures {
    /// Prepares a request.
    pub fn new(r: &Request) -> Self {
        Self::with_known(r, None)
    }

    /// Prepares a request, copying the readings of names `known` holds
    /// (the same features as [`ReqFeatures::new`]). On dev-20k two
    /// South names in three are on the North's list too.
    pub fn with_known(r: &Request, known: Option<&Known>) -> Self {
        let parse = |text: &str| match known.and_then(|k| k.names.get(text)) {
            Some(n) => Name::clone(n),
            None => names::parse(text),
        };
        let relation = Relation::parse(&r.relationship);
        let applicant = parse(&r.applicant_name);
        let mut father = parse(&r.father_name);
        let mut father_is_applicant = false;
        if father.is_empty() && relation == Relation::Child {
            father = applicant.clone();
            father_is_applicant = !father.is_empty();
        }
        let mut name = parse(&r.name);
        // Unknown sought name, known father: the surname is his. Not when the
        // "father" is the applicant by assumption (a child's request filed by
        // the mother would give the mother's surname).
        let surname_from_father = name.is_empty() && !father.is_empty() && !father_is_applicant;
        if surname_from_father {
            name = names::surname_of(&father);
        }
        let latin = [&r.name, &r.applicant_name, &r.county]
            .iter()
            .any(|s| !s.is_empty() && !hangul::has_hangul(s));
        Self {
            name,
            father,
            father_is_applicant,
            applicant,
            applicant_year: r.applicant_birth.map(|d| d.year),
            sex: sex_of_relation(&r.relationship).or(r.sex),
            year: r.birth_year,
            relation,
            place: {
                let parts = [r.province.as_str(), &r.county, &r.village];
                let mut key = String::new();
                place_key_of(&mut key, parts);
                // A part holding the separator would make the key ambiguous.
                let plain = parts.iter().all(|p| !p.contains('\u{1f}'));
                match known
                    .filter(|_| plain)
                    .and_then(|k| k.places.get(key.as_str()))
                {
                    Some(p) => Place::clone(p),
                    None => Place::new(&r.province, &r.county, &r.village),
                }
            },
            latin,
            surname_from_father,
        }
    }
}

impl PerFeatures {
    /// A person's features from their parts.
    pub fn from_parts(
        name: Arc<Name>,
        father: Arc<Name>,
        sex: Option<Sex>,
        years: Option<(i32, Option<i32>)>,
        place: Arc<Place>,
        relatives: Relatives,
    ) -> Self {
        let (solar_year, lunar_gap) = match years {
            None => (NO_YEAR, 0),
            // A lunar date lies within a year of its solar date (the
            // calendar table's conversion): the gap is −1 or 1.
            Some((solar, lunar)) => (
                solar,
                lunar.map_or(0, |l| i16::try_from(l - solar).unwrap_or(0)),
            ),
        };
        Self {
            name,
            father,
            place,
            relatives,
            solar_year,
            lunar_gap,
            sex,
        }
    }

    /// Solar birth year, and the lunar year when it differs.
    pub fn years(&self) -> Option<(i32, Option<i32>)> {
        (self.solar_year != NO_YEAR).then(|| {
            let lunar = (self.lunar_gap != 0).then(|| self.solar_year + i32::from(self.lunar_gap));
            (self.solar_year, lunar)
        })
    }

    /// Prepares a person (on its own: lists go through [`PersonInterner`]).
    pub fn new(p: &Person) -> Self {
        Self::from_parts(
            Arc::new(names::parse(&p.name)),
            Arc::new(names::parse(&p.father_name)),
            p.sex,
            p.birth.map(|d| calendar::candidate_years(d, p.calendar)),
            Arc::new(Place::new(&p.province, &p.county, &p.village)),
            p.relatives
                .iter()
                .map(|(r, n)| (Text::from(r), Arc::new(names::parse(n))))
                .collect(),
        )
    }

    /// Prepares a list of persons: each distinct name and place is parsed
    /// once and shared. The same features as [`PerFeatures::new`] per person.
    pub fn for_list(persons: &[Person]) -> Vec<Self> {
        PersonInterner::default().prepare(persons)
    }
}

/// Parses each distinct name and place once and shares the result between
/// the persons that have it: a cache kept across chunks of one list.
#[derive(Debug, Default)]
pub struct PersonInterner {
    names: HashMap<String, Arc<Name>>,
    places: HashMap<String, Arc<Place>>,
}

/// The key of a place in the interner: its three parts joined.
fn place_key(buf: &mut String, p: &Person) {
    place_key_of(buf, [&p.province, &p.county, &p.village]);
}

/// The key of a place (province, county, village) in the interner.
fn place_key_of(buf: &mut String, parts: [&str; 3]) {
    buf.clear();
    for part in parts {
        buf.push_str(part);
        buf.push('\u{1f}');
    }
}

impl PersonInterner {
    /// Prepares persons, parsing (in parallel) only the names and places
    /// not seen before.
    pub fn prepare(&mut self, persons: &[Person]) -> Vec<PerFeatures> {
        let mut new_names: Vec<&str> = Vec::new();
        let mut new_places: Vec<(String, &Person)> = Vec::new();
        let mut buf = String::new();
        {
            let mut seen_names: HashSet<&str> = HashSet::default();
            let mut seen_places: HashSet<String> = HashSet::default();
            for p in persons {
                let texts = [p.name.as_str(), p.father_name.as_str()]
                    .into_iter()
                    .chain(p.relatives.iter().map(|(_, n)| n.as_str()));
                for t in texts {
                    if !self.names.contains_key(t) && seen_names.insert(t) {
                        new_names.push(t);
                    }
                }
                place_key(&mut buf, p);
                if !self.places.contains_key(buf.as_str()) && !seen_places.contains(&buf) {
                    seen_places.insert(buf.clone());
                    new_places.push((buf.clone(), p));
                }
            }
        }
        let parsed: Vec<Arc<Name>> = new_names
            .par_iter()
            .map(|t| Arc::new(names::parse(t)))
            .collect();
        for (t, n) in new_names.into_iter().zip(parsed) {
            self.names.insert(t.to_string(), n);
        }
        let placed: Vec<Arc<Place>> = new_places
            .par_iter()
            .map(|(_, p)| Arc::new(Place::new(&p.province, &p.county, &p.village)))
            .collect();
        for ((k, _), pl) in new_places.into_iter().zip(placed) {
            self.places.insert(k, pl);
        }
        persons
            .iter()
            .map(|p| {
                PerFeatures::from_parts(
                    Arc::clone(&self.names[p.name.as_str()]),
                    Arc::clone(&self.names[p.father_name.as_str()]),
                    p.sex,
                    p.birth.map(|d| calendar::candidate_years(d, p.calendar)),
                    {
                        place_key(&mut buf, p);
                        Arc::clone(&self.places[buf.as_str()])
                    },
                    p.relatives
                        .iter()
                        .map(|(r, n)| (Text::from(r), Arc::clone(&self.names[n.as_str()])))
                        .collect(),
                )
            })
            .collect()
    }

    /// Distinct names and places held.
    pub fn distinct(&self) -> (usize, usize) {
        (self.names.len(), self.places.len())
    }

    /// The names and places read, by their text (for
    /// [`ReqFeatures::with_known`]).
    pub fn into_known(self) -> Known {
        Known {
            names: self.names,
            places: self.places,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_lower_is_trim_then_to_lowercase() {
        for s in [
            "mother",
            " Mother ",
            "BROTHER",
            "어머니",
            " 남편\t",
            "ΣΑΣ",
            "ǅ",
            "İ",
            "",
            "  ",
            "son-in-law",
            "Ａ",
        ] {
            assert_eq!(trimmed_lower(s), s.trim().to_lowercase(), "{s:?}");
        }
        assert_eq!(Relation::parse(" Mother "), Relation::Parent);
        assert_eq!(sex_of_relation("SISTER"), Some(Sex::F));
        assert_eq!(sex_of_relation("오빠"), Some(Sex::M));
    }
}
