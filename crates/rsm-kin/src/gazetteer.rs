//! The gazetteer: pre-1950 provinces and counties mapped to their current
//! Northern names (1949 Chagang, 1952 county reorganisation, 1954 Hwanghae
//! split and Ryanggang), in Hangul (either spelling) and romanised.
//!
//! Data: `data/gazetteer.tsv`, compiled in. Coverage: counties and cities
//! of the northern provinces and of the parts of Gyeonggi and Gangwon north of
//! the armistice line; townships and villages are compared by name only.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use crate::hangul;

/// Bit set over the seven pre-1945 provinces that matter here.
pub type ProvinceSet = u8;

/// The pre-1945 provinces, in bit order.
pub const OLD_PROVINCES: [&str; 7] = [
    "황해도",
    "경기도",
    "강원도",
    "평안남도",
    "평안북도",
    "함경남도",
    "함경북도",
];

/// The current Northern provinces and provincial-level cities, each with
/// the ways a record writes it (full name first).
const CURRENT_PROVINCES: [&[&str]; 13] = [
    &["황해남도", "황남"],
    &["황해북도", "황북"],
    &["평안남도", "평남"],
    &["평안북도", "평북"],
    &["함경남도", "함남"],
    &["함경북도", "함북"],
    &["강원도", "강원"],
    &["자강도", "자강"],
    &["량강도", "량강", "양강도", "양강"],
    &["개성시", "개성"],
    &["평양시", "평양"],
    &["남포시", "남포"],
    &["라선시", "라선", "나선시", "나선"],
];

/// Bit set over [`CURRENT_PROVINCES`].
pub type CurrentSet = u16;

/// The current province a province text names (full or short), as a bit
/// of [`CurrentSet`]; 0 when it names none (an old province such as
/// 황해도 or 경기도).
pub fn current_province(s: &str) -> CurrentSet {
    let t = s.trim();
    CURRENT_PROVINCES
        .iter()
        .position(|names| names.contains(&t))
        .map_or(0, |i| 1 << i)
}

/// One old county and its successors.
#[derive(Debug, Clone)]
pub struct OldCounty {
    /// Old province (South spelling).
    pub province: String,
    /// Old county name, without suffix.
    pub name: String,
    /// Current Northern successors (North spelling).
    pub successors: Vec<String>,
    /// What happened, for explanations.
    pub note: String,
    /// The current provinces it lies in (중화: 황해북도, since 2010).
    pub now: CurrentSet,
}

/// The compiled gazetteer.
#[derive(Debug)]
pub struct Gazetteer {
    counties: Vec<OldCounty>,
    /// Key: South-spelled stem or phonetic key of a stem → old county ids.
    by_stem: HashMap<String, Vec<u16>>,
    by_key: HashMap<String, Vec<u16>>,
    prov_by_stem: HashMap<String, ProvinceSet>,
    prov_by_key: HashMap<String, ProvinceSet>,
    /// A province name's own old province: the first `prov` line that
    /// lists it (강원 → 강원도, though 함경남도's line lists it too).
    prov_home: HashMap<String, ProvinceSet>,
}

const TABLE: &str = include_str!("../data/gazetteer.tsv");

const COUNTY_SUFFIXES: [&str; 6] = ["구역", "군", "시", "부", "읍", "구"];
const LATIN_SUFFIXES: [&str; 14] = [
    "county", "city", "province", "gun", "kun", "goon", "shi", "si", "bu", "pu", "eup", "up",
    "guyok", "kuyok",
];

/// A county or city name without its administrative suffix, South spelling
/// (녕변군 → 영변, 평양부 → 평양, 진남포시 → 진남포).
pub fn county_stem(s: &str) -> String {
    county_stem_text(s).into()
}

/// [`county_stem`] as inline text.
pub fn county_stem_text(s: &str) -> smol_str::SmolStr {
    let s = hangul::clean_cow(s);
    let s: std::borrow::Cow<'_, str> = if s.contains(' ') {
        s.replace(' ', "").into()
    } else {
        s
    };
    let mut t: &str = &s;
    for suf in COUNTY_SUFFIXES {
        if let Some(x) = t.strip_suffix(suf)
            && x.chars().count() >= 1
        {
            t = x;
            break;
        }
    }
    hangul::to_south_text(t)
}

/// A romanised place name without suffix words, as a phonetic key
/// ("Ongjin-gun" → key of 옹진; "Hamheung City" → key of 함흥).
pub fn latin_place_key(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut words: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LATIN_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    let mut joined: String = words.concat();
    for suf in ["gun", "kun", "shi", "guyok"] {
        if joined.len() > suf.len() + 2
            && let Some(x) = joined.strip_suffix(suf)
        {
            joined = x.to_string();
            break;
        }
    }
    hangul::phonetic_key(&joined)
}

fn province_stem(s: &str) -> smol_str::SmolStr {
    let s = hangul::clean_cow(s);
    if s.contains(' ') {
        hangul::to_south_text(&s.replace(' ', ""))
    } else {
        hangul::to_south_text(&s)
    }
}

fn latin_province_variants(s: &str) -> Vec<String> {
    let lower = s.to_lowercase().replace(['-', ','], " ");
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    words.retain(|w| *w != "province");
    let mut side = "";
    if let Some(first) = words.first() {
        if *first == "south" {
            side = "nam";
            words.remove(0);
        } else if *first == "north" {
            side = "buk";
            words.remove(0);
        }
    }
    let base = words.concat();
    let mut out = vec![format!("{base}{side}")];
    if let Some(b) = base.strip_suffix("do") {
        out.push(format!("{b}{side}"));
    }
    if !side.is_empty() {
        out.push(format!("{base}{side}do"));
    }
    out.into_iter().map(|v| hangul::phonetic_key(&v)).collect()
}

impl Gazetteer {
    fn parse(text: &str) -> Self {
        let mut g = Gazetteer {
            counties: Vec::new(),
            by_stem: HashMap::default(),
            by_key: HashMap::default(),
            prov_by_stem: HashMap::default(),
            prov_by_key: HashMap::default(),
            prov_home: HashMap::default(),
        };
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let c: Vec<&str> = line.split('\t').collect();
            match c.first().copied() {
                Some("prov") if c.len() >= 3 => {
                    let Some(bit) = OLD_PROVINCES.iter().position(|p| *p == c[1]) else {
                        continue;
                    };
                    for name in c[2].split(',').chain([c[1]]) {
                        let stem = province_stem(name);
                        *g.prov_by_stem.entry(stem.to_string()).or_default() |= 1 << bit;
                        g.prov_home.entry(stem.to_string()).or_insert(1 << bit);
                        // Romanised keys with and without 도.
                        let mut keys = vec![hangul::phonetic_key(&stem)];
                        if let Some(x) = stem.strip_suffix('도') {
                            keys.push(hangul::phonetic_key(x));
                        }
                        for k in keys {
                            *g.prov_by_key.entry(k).or_default() |= 1 << bit;
                        }
                    }
                }
                Some("old") if c.len() >= 5 => {
                    let id = g.counties.len() as u16;
                    let name = county_stem(c[2]);
                    let successors: Vec<String> =
                        c[4].split(',').map(|s| s.trim().to_string()).collect();
                    let mut stems = vec![name.clone()];
                    stems.extend(successors.iter().map(|s| county_stem(s)));
                    for st in stems {
                        let key = hangul::phonetic_key(&st);
                        let v = g.by_stem.entry(st).or_default();
                        if !v.contains(&id) {
                            v.push(id);
                        }
                        let v = g.by_key.entry(key).or_default();
                        if !v.contains(&id) {
                            v.push(id);
                        }
                    }
                    g.counties.push(OldCounty {
                        province: c[1].to_string(),
                        name,
                        successors,
                        note: c.get(5).copied().unwrap_or("").trim().to_string(),
                        now: c[3].split(',').fold(0, |acc, p| acc | current_province(p)),
                    });
                }
                _ => {}
            }
        }
        g
    }

    /// The shared gazetteer.
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::parse(TABLE))
    }

    /// Old provinces a province name (old or current, abbreviated,
    /// Hangul or romanised) may stand for; 0 when unknown.
    pub fn provinces(&self, s: &str) -> ProvinceSet {
        if s.trim().is_empty() {
            return 0;
        }
        if hangul::has_hangul(s) {
            let st = province_stem(s);
            if let Some(p) = self.prov_by_stem.get(st.as_str()) {
                return *p;
            }
            return st
                .strip_suffix('도')
                .and_then(|x| self.prov_by_stem.get(x))
                .copied()
                .unwrap_or(0);
        }
        latin_province_variants(s)
            .iter()
            .find_map(|k| self.prov_by_key.get(k))
            .copied()
            .unwrap_or(0)
    }

    /// Old counties a county name (old or current, either script) may
    /// descend from.
    pub fn counties(&self, s: &str) -> &[u16] {
        if s.trim().is_empty() {
            return &[];
        }
        if hangul::has_hangul(s) {
            self.counties_of_stem(&county_stem_text(s))
        } else {
            self.counties_of_key(&latin_place_key(s))
        }
    }

    /// Old counties of a county stem ([`county_stem`] of a Hangul name).
    pub fn counties_of_stem(&self, stem: &str) -> &[u16] {
        self.by_stem.get(stem).map_or(&[], Vec::as_slice)
    }

    /// Old counties of a romanised county's key ([`latin_place_key`]).
    pub fn counties_of_key(&self, key: &str) -> &[u16] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The old county record.
    pub fn county(&self, id: u16) -> &OldCounty {
        &self.counties[id as usize]
    }

    /// Why two hometowns whose provinces are named differently count as
    /// one province, for explanations: a county that lay in another
    /// province before (원산, 안변: 함경남도 until 1946), or a current
    /// province that took in part of an old one (강원 takes in part of old
    /// 함경남도). `None` when the named provinces are the same old one, or
    /// do not meet.
    pub fn province_link(
        &self,
        (a_province, a_county): (&str, &str),
        (b_province, b_county): (&str, &str),
    ) -> Option<String> {
        let (pa, pb) = (self.provinces(a_province), self.provinces(b_province));
        if pa == 0 || pb == 0 {
            return None;
        }
        // A county that lies in the other side's current province now.
        for (county, other) in [(a_county, b_province), (b_county, a_province)] {
            let now = current_province(other);
            if pa & pb == 0 && now != 0 {
                for &id in self.counties(county) {
                    let c = self.county(id);
                    if c.now & now != 0 {
                        return Some(format!("{} lies in {other} now: {}", c.name, c.note));
                    }
                }
            }
        }
        let home = |name: &str| {
            self.prov_home
                .get(province_stem(name).as_str())
                .copied()
                .unwrap_or(0)
        };
        let (ha, hb) = (home(a_province), home(b_province));
        if ha != 0 && ha == hb {
            return None;
        }
        for (county, own, other) in [(a_county, ha, pb), (b_county, hb, pa)] {
            for &id in self.counties(county) {
                let was = self.county_province(id);
                if was & other != 0 && was & own == 0 {
                    let c = self.county(id);
                    return Some(format!("{} lay in {}: {}", c.name, c.province, c.note));
                }
            }
        }
        let shared = pa & pb;
        for (name, own) in [(b_province, hb), (a_province, ha)] {
            if shared != 0 && own != 0 && shared & own == 0 {
                let bit = shared.trailing_zeros() as usize;
                return Some(format!(
                    "{name} takes in part of old {}",
                    OLD_PROVINCES[bit]
                ));
            }
        }
        None
    }

    /// Old province bits of an old county.
    pub fn county_province(&self, id: u16) -> ProvinceSet {
        let p = &self.counties[id as usize].province;
        OLD_PROVINCES
            .iter()
            .position(|x| x == p)
            .map_or(0, |b| 1 << b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(county_stem("녕변군"), "영변");
        assert_eq!(county_stem("평양부"), "평양");
        assert_eq!(county_stem("모란봉구역"), "모란봉");
        assert_eq!(county_stem("라진시"), "나진");
    }

    #[test]
    fn ongjin_to_kangryong_after_1952() {
        let g = Gazetteer::get();
        let old = g.counties("옹진");
        let new = g.counties("강령군");
        let shared: Vec<_> = old.iter().filter(|x| new.contains(x)).collect();
        assert_eq!(shared.len(), 1);
        assert!(g.county(*shared[0]).note.contains("1952"));
    }

    #[test]
    fn renames_and_splits() {
        let g = Gazetteer::get();
        for (old, new) in [
            ("연백군", "배천군"),
            ("연백", "연안"),
            ("후창군", "김형직군"),
            ("풍산", "김형권군"),
            ("성진", "김책시"),
            ("영변군", "녕변"),
            ("영변", "구장군"),
            ("장단군", "판문군"),
            ("평양부", "모란봉구역"),
            ("용천군", "룡천군"),
        ] {
            let a = g.counties(old);
            assert!(
                g.counties(new).iter().any(|x| a.contains(x)),
                "{old} → {new}"
            );
        }
        assert!(
            !g.counties("옹진")
                .iter()
                .any(|x| g.counties("함흥").contains(x))
        );
    }

    #[test]
    fn provinces_old_and_new() {
        let g = Gazetteer::get();
        let hwanghae = g.provinces("황해도");
        assert_eq!(g.provinces("황해남도"), hwanghae);
        assert_eq!(g.provinces("황북"), hwanghae);
        assert_eq!(g.provinces("황해"), hwanghae);
        assert_ne!(g.provinces("자강도") & g.provinces("평안북도"), 0);
        assert_ne!(g.provinces("량강도") & g.provinces("함남"), 0);
        assert_eq!(g.provinces("South Hwanghae"), hwanghae);
        assert_eq!(g.provinces("Hwanghae-do"), hwanghae);
        assert_eq!(g.provinces("Hamgyŏng-namdo"), g.provinces("함경남도"));
        assert_eq!(g.provinces("South Hamgyong"), g.provinces("함경남도"));
        assert_eq!(g.provinces("Pyongbuk"), g.provinces("평안북도"));
        assert_eq!(g.provinces("Kyonggi"), g.provinces("경기도"));
    }

    #[test]
    fn romanised_counties() {
        let g = Gazetteer::get();
        for (lat, h) in [
            ("Ongjin-gun", "옹진"),
            ("Yonbaek", "연백"),
            ("Hamheung City", "함흥"),
            ("Changdan-gun", "장단"),
            ("Jangjin", "장진"),
        ] {
            assert!(!g.counties(lat).is_empty(), "{lat}");
            assert!(
                g.counties(lat).iter().any(|x| g.counties(h).contains(x)),
                "{lat}"
            );
        }
    }
}
