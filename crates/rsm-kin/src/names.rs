//! Person names: split into surname and given name in Hangul or
//! romanised text (either order; joined, hyphenated or spaced given names),
//! with the South spelling and childhood-name forms (순이 for 순희,
//! 복이 for 복) as variants.

use smallvec::SmallVec;
use smol_str::SmolStr;

use crate::hangul;
use crate::surname::{ClassId, Surnames};

/// Name text: short strings (a Korean name's parts, their phonetic keys)
/// are held inline, without an allocation of their own (up to 23 bytes).
pub type Text = SmolStr;

/// Childhood/alias forms of a given name: at most two for a Hangul name
/// ([`childhood_variants`]), one for a romanised one; held inline.
pub type Forms = SmallVec<[Text; 2]>;

/// The readings of a name: one for Hangul (held inline), up to two for a
/// romanised name.
pub type Parses = SmallVec<[NameParse; 1]>;

/// The script a name was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Hangul.
    Hangul,
    /// Latin letters (a romanisation).
    Latin,
}

/// One reading of a name (romanised names may have two: surname first or
/// last). Its texts are inline ([`Text`], [`Forms`]) and its classes the
/// surname table's own: a parsed Hangul name is one allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParse {
    /// The script.
    pub script: Script,
    /// The given name is a traditional childhood name (개똥이).
    pub pet: bool,
    /// Surname as written (cleaned).
    pub surname: Text,
    /// Surname classes it may stand for (empty when unknown).
    pub classes: &'static [ClassId],
    /// Given name as written, without separators (Hangul, or lower-case Latin).
    pub given_raw: Text,
    /// Given name in South spelling (Hangul), or the Latin text.
    pub given: Text,
    /// Phonetic key of the given name (script-independent).
    pub given_key: Text,
    /// Childhood/alias forms of the given name (South spelling, Hangul;
    /// phonetic keys for Latin), not including `given` itself.
    pub variants: Forms,
    /// Phonetic keys of the variants.
    pub variant_keys: Forms,
    /// Phonetic key of the surname.
    pub surname_key: Text,
}

/// A parsed name with all its readings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// Cleaned full text.
    pub text: Text,
    /// Readings, best first. Empty when the name is empty.
    pub parses: Parses,
}

impl Name {
    /// True when nothing usable is known.
    pub fn is_empty(&self) -> bool {
        self.parses.is_empty()
    }

    /// True when only the surname is known (김씨, or a lone surname).
    pub fn surname_only(&self) -> bool {
        self.parses.iter().all(|p| p.given.is_empty())
    }
}

/// The surname readings of a name alone (given name unknown), e.g. the
/// sought person's surname taken from the father's name.
pub fn surname_of(n: &Name) -> Name {
    let mut parses = Parses::new();
    for p in &n.parses {
        if p.surname.is_empty() || parses.iter().any(|q| q.surname == p.surname) {
            continue;
        }
        parses.push(NameParse {
            given_raw: Text::default(),
            given: Text::default(),
            given_key: Text::default(),
            variants: Forms::new(),
            variant_keys: Forms::new(),
            pet: false,
            ..p.clone()
        });
    }
    Name {
        text: parses
            .first()
            .map(|p| p.surname.clone())
            .unwrap_or_default(),
        parses,
    }
}

const CHILDHOOD: &str = include_str!("../data/childhood_names.txt");

/// True when the given name is a traditional childhood name (개똥이,
/// 막동이, 간난이 …) that says nothing about the formal name.
pub fn is_pet_name(given: &str) -> bool {
    use rustc_hash::FxHashSet as HashSet;
    use std::sync::OnceLock;
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        CHILDHOOD
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
    .contains(given)
}

/// True when `short` is the childhood form "X이" of a two-syllable
/// `full` name starting with X (숙이 for 숙자, 옥이 for 옥순, 예이 for 예녀).
#[inline]
pub fn is_first_syllable_form(short: &str, full: &str) -> bool {
    // Most names do not end in 이 (EC 9D B4 in UTF-8): the last bytes
    // compared one by one, without a call.
    let s = short.as_bytes();
    let n = s.len();
    if n < 3 || s[n - 1] != 0xB4 || s[n - 2] != 0x9D || s[n - 3] != 0xEC {
        return false;
    }
    let first = &short[..n - 3];
    let mut one = first.chars();
    if one.next().is_none() || one.next().is_some() {
        return false; // `short` is not two characters
    }
    let Some(rest) = full.strip_prefix(first) else {
        return false;
    };
    let mut second = rest.chars();
    matches!((second.next(), second.next()), (Some(f1), None) if f1 != '이')
}

/// Childhood-name forms of a Hangul given name (South spelling):
/// a trailing 이 after a closed syllable (복이 → 복, 성진이 → 성진),
/// 순이 ↔ 순희, and the 이-suffixed form of a closed one-syllable name.
/// At most two forms.
pub fn childhood_variants(given: &str) -> Forms {
    let mut out = Forms::new();
    // Names are short: their characters on the stack.
    let chars: SmallVec<[char; 8]> = given.chars().collect();
    let n = chars.len();
    let mut push = |cs: &[char]| {
        let s: Text = cs.iter().copied().collect();
        if !s.is_empty() && s != given && !out.contains(&s) {
            out.push(s);
        }
    };
    if n >= 2 && chars[n - 1] == '이' {
        let prev = hangul::Syllable::of(chars[n - 2]);
        if n >= 3 || prev.is_some_and(|s| s.fin != 0) {
            push(&chars[..n - 1]);
        }
        // 순이 → 순희 (the childhood form of a -희 name).
        let mut h = chars.clone();
        h[n - 1] = '희';
        push(&h);
    }
    if n >= 2 && chars[n - 1] == '희' {
        let mut h = chars.clone();
        h[n - 1] = '이';
        push(&h);
    }
    if n == 1 || (n == 2 && hangul::Syllable::of(chars[n - 1]).is_some_and(|s| s.fin != 0)) {
        let mut h = chars.clone();
        h.push('이');
        push(&h);
    }
    out
}

fn hangul_parses(text: &str) -> Parses {
    let t = Surnames::get();
    let text_of = |cs: &[char]| -> Text { cs.iter().copied().collect() };
    // The name without its spaces, on the stack.
    let mut chars: SmallVec<[char; 16]> = text.chars().filter(|c| !c.is_whitespace()).collect();
    // "김씨": the 씨 goes when a surname (one syllable, or a compound)
    // stands before it.
    if let Some((&'씨', head)) = chars.split_last()
        && (head.len() == 1 || t.is_compound(&text_of(head)))
    {
        chars.pop();
    }
    if chars.is_empty() {
        return Parses::new();
    }
    // A spaced name "남궁 민" says where the surname ends.
    let split_at = if let Some((s, _)) = text.split_once(' ') {
        s.chars().count()
    } else if chars.len() >= 3 && t.is_compound(&text_of(&chars[..2])) {
        2
    } else {
        1
    };
    let split_at = split_at.min(chars.len());
    let surname = text_of(&chars[..split_at]);
    let given_raw = text_of(&chars[split_at..]);
    let given = hangul::to_south_text(&given_raw);
    let variants = childhood_variants(&given);
    smallvec::smallvec![NameParse {
        script: Script::Hangul,
        variant_keys: variants
            .iter()
            .map(|v| hangul::phonetic_key_text(v))
            .collect(),
        pet: is_pet_name(&given),
        surname_key: hangul::phonetic_key_text(&surname),
        classes: t.of_hangul(&surname),
        surname,
        given_key: hangul::phonetic_key_text(&given),
        given_raw,
        given,
        variants,
    }]
}

fn latin_parse(surname: &str, given_words: &[&str]) -> NameParse {
    let t = Surnames::get();
    let given_raw = Text::from(given_words.concat().to_lowercase());
    let mut variants = Forms::new();
    // Childhood suffix -i written as its own syllable ("Won-il-i").
    if given_words.len() >= 2
        && let Some(last) = given_words.last()
        && last.eq_ignore_ascii_case("i")
    {
        let k = hangul::phonetic_key_text(&given_words[..given_words.len() - 1].concat());
        variants.push(k);
    }
    NameParse {
        script: Script::Latin,
        variant_keys: variants.clone(),
        pet: false,
        surname_key: hangul::phonetic_key_text(surname),
        surname: surname.into(),
        classes: t.of_latin(surname),
        given_key: hangul::phonetic_key_text(&given_raw),
        given: given_raw.clone(),
        given_raw,
        variants,
    }
}

fn latin_parses(text: &str) -> Parses {
    let t = Surnames::get();
    // "KIM, Jaemo": a comma marks the surname.
    if let Some((sur, given)) = text.split_once(',') {
        let words: Vec<&str> = given
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .collect();
        return smallvec::smallvec![latin_parse(sur.trim(), &words)];
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Parses::new();
    }
    if words.len() == 1 {
        let w = words[0];
        let parts: Vec<&str> = w.split('-').filter(|p| !p.is_empty()).collect();
        return smallvec::smallvec![latin_parse(w, &[]), latin_parse("", &parts)];
    }
    let split = |w: &str| -> Vec<String> {
        w.split('-')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    let first = words[0];
    let last = words[words.len() - 1];
    let first_known = !t.of_latin(first).is_empty();
    let last_known = !t.of_latin(last).is_empty();
    let mut out = Parses::new();
    let surname_first = || {
        let rest: Vec<String> = words[1..].iter().flat_map(|w| split(w)).collect();
        let r: Vec<&str> = rest.iter().map(String::as_str).collect();
        latin_parse(first, &r)
    };
    let surname_last = || {
        let rest: Vec<String> = words[..words.len() - 1]
            .iter()
            .flat_map(|w| split(w))
            .collect();
        let r: Vec<&str> = rest.iter().map(String::as_str).collect();
        latin_parse(last, &r)
    };
    // Upper-case word is the passport convention for the surname.
    let upper = |w: &str| w.len() > 1 && w.chars().all(|c| !c.is_lowercase());
    let first_upper = upper(first) && !upper(last);
    let last_upper = upper(last) && !upper(first);
    if (first_known && !last_known) || first_upper {
        out.push(surname_first());
        if last_known {
            out.push(surname_last());
        }
    } else if (last_known && !first_known) || last_upper {
        out.push(surname_last());
        if first_known {
            out.push(surname_first());
        }
    } else {
        out.push(surname_first());
        out.push(surname_last());
    }
    out
}

/// Parses a name in Hangul or romanised text.
pub fn parse(text: &str) -> Name {
    let clean = hangul::clean_cow(text);
    let parses = if clean.is_empty() {
        Parses::new()
    } else if hangul::has_hangul(&clean) {
        hangul_parses(&clean)
    } else {
        latin_parses(&clean)
    };
    Name {
        text: clean.into(),
        parses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_names() {
        let n = parse("리성호");
        let p = &n.parses[0];
        assert_eq!((p.surname.as_str(), p.given.as_str()), ("리", "성호"));
        assert!(!p.classes.is_empty());
        let n = parse("김룡진");
        assert_eq!(n.parses[0].given, "용진");
        let n = parse("남궁민수");
        assert_eq!(n.parses[0].surname, "남궁");
        let n = parse("김씨");
        assert!(n.surname_only());
        assert_eq!(n.parses[0].surname, "김");
        assert!(parse("  ").is_empty());
    }

    #[test]
    fn first_syllable_forms() {
        assert!(is_first_syllable_form("숙이", "숙자"));
        assert!(is_first_syllable_form("a이", "ab"));
        assert!(!is_first_syllable_form("숙이", "숙이"));
        assert!(!is_first_syllable_form("숙이", "숙"));
        assert!(!is_first_syllable_form("숙이", "숙자자"));
        assert!(!is_first_syllable_form("이", "이자"));
        assert!(!is_first_syllable_form("숙숙이", "숙숙자"));
        assert!(!is_first_syllable_form("순이", "숙자"));
        assert!(!is_first_syllable_form("숙희", "숙자"));
        assert!(!is_first_syllable_form("", ""));
        // The char-by-char definition, on every short string of a small
        // alphabet.
        let reference = |short: &str, full: &str| {
            let mut s = short.chars();
            let mut f = full.chars();
            match (s.next(), s.next(), s.next(), f.next(), f.next(), f.next()) {
                (Some(s0), Some('이'), None, Some(f0), Some(f1), None) => s0 == f0 && f1 != '이',
                _ => false,
            }
        };
        let alphabet = ['숙', '이', '자', 'a', '희'];
        let mut words = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        words.sort();
        words.dedup();
        for a in &words {
            for b in &words {
                assert_eq!(is_first_syllable_form(a, b), reference(a, b), "{a} {b}");
            }
        }
    }

    #[test]
    fn childhood_forms() {
        assert!(childhood_variants("순이").contains(&"순희".into()));
        assert!(childhood_variants("순희").contains(&"순이".into()));
        assert!(childhood_variants("복이").contains(&"복".into()));
        assert!(childhood_variants("성진이").contains(&"성진".into()));
        assert!(childhood_variants("똘똘이").contains(&"똘똘".into()));
        assert!(childhood_variants("복").contains(&"복이".into()));
    }

    #[test]
    fn surname_keys_are_the_surnames_phonetic_keys() {
        // compare_surname reads surname_key instead of keying per pair.
        for text in [
            "리성호",
            "남궁민수",
            "Ko Kee Mo",
            "Sangchul Kwak",
            "KIM, Jaemo",
            "김씨",
        ] {
            for p in parse(text)
                .parses
                .iter()
                .chain(&surname_of(&parse(text)).parses)
            {
                assert_eq!(p.surname_key, hangul::phonetic_key(&p.surname), "{text}");
            }
        }
    }

    #[test]
    fn latin_orders() {
        let n = parse("Ko Kee Mo");
        assert_eq!(n.parses[0].surname, "Ko");
        assert_eq!(n.parses[0].given_key, hangul::phonetic_key("기모"));
        let n = parse("Sangchul Kwak");
        assert_eq!(n.parses[0].surname, "Kwak");
        let n = parse("KIM, Jaemo");
        assert_eq!(n.parses.len(), 1);
        assert_eq!(n.parses[0].given_key, hangul::phonetic_key("재모"));
        let n = parse("BOK-HWA KIM");
        assert_eq!(n.parses[0].surname, "KIM");
        assert_eq!(n.parses[0].given_key, hangul::phonetic_key("복화"));
        let n = parse("Won-il-i Kwak");
        assert_eq!(
            n.parses[0].variants.as_slice(),
            [hangul::phonetic_key("원일")]
        );
    }
}
