//! Surname classes keyed by hanja: 李 = 이 = 리 = Lee = Yi = Rhee = Ri.
//!
//! The table is `data/surnames.tsv`, compiled into the crate. A Hangul or
//! romanised surname maps to the set of classes it may stand for (유 may be
//! 柳, 劉 or 兪; 류 is only 柳).

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use crate::hangul;

/// Index of a surname class in the table.
pub type ClassId = u16;

/// One surname class.
#[derive(Debug, Clone)]
pub struct SurnameClass {
    /// The hanja that names the class (李).
    pub hanja: String,
    /// The South Hangul spelling (이).
    pub hangul: String,
}

/// The compiled surname table.
#[derive(Debug)]
pub struct Surnames {
    classes: Vec<SurnameClass>,
    by_hangul: HashMap<String, Vec<ClassId>>,
    by_latin: HashMap<String, Vec<ClassId>>,
}

const TABLE: &str = include_str!("../data/surnames.tsv");

fn add(map: &mut HashMap<String, Vec<ClassId>>, key: String, id: ClassId) {
    let v = map.entry(key).or_default();
    if !v.contains(&id) {
        v.push(id);
    }
}

impl Surnames {
    fn parse(text: &str) -> Self {
        let mut classes = Vec::new();
        let mut by_hangul = HashMap::default();
        let mut by_latin = HashMap::default();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let id = classes.len() as ClassId;
            let hangul_s = cols.get(1).copied().unwrap_or("").trim().to_string();
            classes.push(SurnameClass {
                hanja: cols[0].trim().to_string(),
                hangul: hangul_s.clone(),
            });
            add(&mut by_hangul, hangul_s, id);
            for h in cols.get(2).copied().unwrap_or("").split(',') {
                if !h.trim().is_empty() {
                    add(&mut by_hangul, h.trim().to_string(), id);
                }
            }
            for l in cols.get(3).copied().unwrap_or("").split(',') {
                let l = latin_fold(l);
                if !l.is_empty() {
                    add(&mut by_latin, l, id);
                }
            }
        }
        Self {
            classes,
            by_hangul,
            by_latin,
        }
    }

    /// The shared table.
    pub fn get() -> &'static Surnames {
        static T: OnceLock<Surnames> = OnceLock::new();
        T.get_or_init(|| Surnames::parse(TABLE))
    }

    /// The class description.
    pub fn class(&self, id: ClassId) -> &SurnameClass {
        &self.classes[id as usize]
    }

    /// Classes of a Hangul surname, in either spelling (리 or 이).
    pub fn of_hangul(&self, s: &str) -> &[ClassId] {
        if let Some(v) = self.by_hangul.get(s) {
            return v;
        }
        self.by_hangul
            .get(&hangul::to_south(s))
            .map_or(&[], Vec::as_slice)
    }

    /// Classes of a romanised surname (Lee, RHEE, Pak, Ch'oe …).
    pub fn of_latin(&self, s: &str) -> &[ClassId] {
        self.by_latin.get(&latin_fold(s)).map_or(&[], Vec::as_slice)
    }

    /// Classes of a surname in either script.
    pub fn of(&self, s: &str) -> &[ClassId] {
        if hangul::has_hangul(s) {
            self.of_hangul(s)
        } else {
            self.of_latin(s)
        }
    }

    /// True when the Hangul text is a known compound (two-syllable) surname.
    pub fn is_compound(&self, s: &str) -> bool {
        s.chars().count() == 2 && self.by_hangul.contains_key(s)
    }
}

/// Lower case ASCII letters only (diacritics, apostrophes, hyphens dropped).
pub fn latin_fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The first class two class sets share.
pub fn shared(a: &[ClassId], b: &[ClassId]) -> Option<ClassId> {
    a.iter().copied().find(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lee_class() {
        let t = Surnames::get();
        let lee = t.of("이");
        assert_eq!(t.class(lee[0]).hanja, "李");
        for s in ["리", "Lee", "YI", "Rhee", "Ri", "rhie"] {
            assert!(shared(t.of(s), lee).is_some(), "{s}");
        }
    }

    #[test]
    fn north_spellings_join_south_classes() {
        let t = Surnames::get();
        for (n, s, hanja) in [
            ("림", "임", "林"),
            ("류", "유", "柳"),
            ("로", "노", "盧"),
            ("량", "양", "梁"),
            ("렴", "염", "廉"),
            ("륙", "육", "陸"),
            ("라", "나", "羅"),
            ("려", "여", "呂"),
        ] {
            let c = shared(t.of(n), t.of(s)).unwrap();
            assert_eq!(t.class(c).hanja, hanja, "{n}/{s}");
        }
        // 류 is only 柳, never 劉.
        assert_eq!(t.of("류").len(), 1);
    }

    #[test]
    fn passport_spellings() {
        let t = Surnames::get();
        for (h, l) in [
            ("김", "GIM"),
            ("박", "PAK"),
            ("박", "Bak"),
            ("최", "CHOE"),
            ("정", "CHUNG"),
            ("노", "ROH"),
            ("임", "YIM"),
            ("임", "Rim"),
            ("허", "Hur"),
            ("곽", "Kwak"),
            ("남궁", "Namgung"),
        ] {
            assert!(shared(t.of(h), t.of(l)).is_some(), "{h}/{l}");
        }
        assert!(shared(t.of("김"), t.of("Park")).is_none());
        assert!(t.is_compound("남궁"));
    }
}
