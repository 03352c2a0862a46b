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
/// romanised name (then on the heap). Read as a slice. Which of the three
/// it is lies in the first reading's [`Script`] byte (the enum's niche), so
/// finding the first reading reads the cache line of its hot fields and no
/// other (a `SmallVec` kept its length after the inline reading, 256 bytes
/// further: one more cache miss per name compared).
pub type Parses = Few<NameParse>;

/// None, one held inline, or several on the heap; read as a slice. For
/// lists that are mostly of one item (a name's readings, a person's
/// relatives): no allocation for one, and no length word beside it — the
/// variant lies in a niche of the item, so the enum is the item's size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "the one item is held inline on purpose: no allocation of its own"
)]
pub enum Few<T> {
    /// Nothing.
    #[default]
    None,
    /// One item.
    One(T),
    /// Several items.
    Many(Box<[T]>),
}

impl<T> Few<T> {
    /// Nothing.
    pub fn new() -> Self {
        Self::None
    }

    /// Adds an item after the others.
    pub fn push(&mut self, item: T) {
        *self = match std::mem::take(self) {
            Self::None => Self::One(item),
            Self::One(a) => Self::Many(vec![a, item].into_boxed_slice()),
            Self::Many(b) => {
                let mut v = b.into_vec();
                v.push(item);
                Self::Many(v.into_boxed_slice())
            }
        };
    }
}

impl<T> std::ops::Deref for Few<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Self::None => &[],
            Self::One(p) => std::slice::from_ref(p),
            Self::Many(ps) => ps,
        }
    }
}

impl<'a, T> IntoIterator for &'a Few<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> From<T> for Few<T> {
    fn from(item: T) -> Self {
        Self::One(item)
    }
}

impl<T> From<Vec<T>> for Few<T> {
    fn from(mut items: Vec<T>) -> Self {
        match items.len() {
            0 => Self::None,
            1 => Self::One(items.pop().expect("one item")),
            _ => Self::Many(items.into_boxed_slice()),
        }
    }
}

impl<T> FromIterator<T> for Few<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut it = iter.into_iter();
        let Some(first) = it.next() else {
            return Self::None;
        };
        let Some(second) = it.next() else {
            return Self::One(first);
        };
        let mut v = vec![first, second];
        v.extend(it);
        Self::Many(v.into_boxed_slice())
    }
}

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
///
/// Laid out hot first (`repr(C)`): what every comparison reads — script,
/// childhood-name flag, the syllable signature, surname, given name,
/// surname classes — lies in the first 80 bytes, the variants (read when
/// two given names share a syllable) right after them; the texts fewer
/// comparisons read (the given name's key, as written, the variants' keys,
/// the surname's key) come last.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C)]
pub struct NameParse {
    /// The script.
    pub script: Script,
    /// The given name is a traditional childhood name (개똥이).
    pub pet: bool,
    /// The common length in characters of the given name and its variants
    /// (0 when they differ in length): with `syllables`, what
    /// [`NameParse::signature`] says, made once.
    forms_len: u8,
    /// The syllables of the given name and its variants as a 64-bit set.
    syllables: u64,
    /// Surname as written (cleaned).
    pub surname: Text,
    /// Given name in South spelling (Hangul), or the Latin text.
    pub given: Text,
    /// Surname classes it may stand for (empty when unknown).
    pub classes: &'static [ClassId],
    /// Childhood/alias forms of the given name (South spelling, Hangul;
    /// phonetic keys for Latin), not including `given` itself.
    pub variants: Forms,
    /// Phonetic key of the given name (script-independent).
    pub given_key: Text,
    /// Given name as written, without separators (Hangul, or lower-case Latin).
    pub given_raw: Text,
    /// Phonetic keys of the variants.
    pub variant_keys: Forms,
    /// Phonetic key of the surname.
    pub surname_key: Text,
}

impl NameParse {
    /// The syllables of the given name and its variants as a 64-bit set,
    /// and their common length in characters (0 when the forms differ in
    /// length): made once when the reading is made ([`NameParse::signed`]).
    pub fn signature(&self) -> (u64, usize) {
        (self.syllables, usize::from(self.forms_len))
    }

    /// The reading with its signature made from its given name and variants.
    fn signed(mut self) -> Self {
        let (mask, len) = syllable_signature(&self.given, &self.variants);
        self.syllables = mask;
        self.forms_len = u8::try_from(len).unwrap_or(0);
        self
    }
}

/// The syllables of a given name and its variants as a 64-bit set, and
/// their common length in characters (0 when the forms differ in length).
fn syllable_signature(given: &Text, variants: &Forms) -> (u64, usize) {
    let mut mask = 0u64;
    let mut len = None;
    for form in std::iter::once(given).chain(variants) {
        let mut n = 0;
        for c in form.chars() {
            mask |= 1u64 << ((u32::from(c).wrapping_mul(0x9E37_79B1)) >> 26);
            n += 1;
        }
        match len {
            None => len = Some(n),
            Some(l) if l != n => return (mask, 0),
            Some(_) => {}
        }
    }
    (mask, len.unwrap_or(0))
}

/// A parsed name with all its readings (first: comparisons read them, the
/// text only explanations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Name {
    /// Readings, best first. Empty when the name is empty.
    pub parses: Parses,
    /// Cleaned full text.
    pub text: Text,
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
        parses.push(
            NameParse {
                given_raw: Text::default(),
                given: Text::default(),
                given_key: Text::default(),
                variants: Forms::new(),
                variant_keys: Forms::new(),
                pet: false,
                ..p.clone()
            }
            .signed(),
        );
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
    Parses::from(
        NameParse {
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
            forms_len: 0,
            syllables: 0,
        }
        .signed(),
    )
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
        forms_len: 0,
        syllables: 0,
    }
    .signed()
}

fn latin_parses(text: &str) -> Parses {
    let t = Surnames::get();
    // "KIM, Jaemo": a comma marks the surname.
    if let Some((sur, given)) = text.split_once(',') {
        let words: Vec<&str> = given
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .collect();
        return Parses::from(latin_parse(sur.trim(), &words));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Parses::new();
    }
    if words.len() == 1 {
        let w = words[0];
        let parts: Vec<&str> = w.split('-').filter(|p| !p.is_empty()).collect();
        let mut both = Parses::from(latin_parse(w, &[]));
        both.push(latin_parse("", &parts));
        return both;
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
    fn a_readings_hot_fields_come_first() {
        use std::mem::{offset_of, size_of};
        // The readings' kind lies in a niche of the first reading: no
        // length word after it.
        assert_eq!(size_of::<Parses>(), size_of::<NameParse>());
        assert_eq!(offset_of!(Name, parses), 0);
        for end in [
            offset_of!(NameParse, surname) + size_of::<Text>(),
            offset_of!(NameParse, given) + size_of::<Text>(),
            offset_of!(NameParse, classes) + size_of::<&[ClassId]>(),
        ] {
            assert!(end <= 80, "{end}");
        }
        assert_eq!(offset_of!(NameParse, variants), 80);
    }

    #[test]
    fn few_holds_what_a_vector_would() {
        for n in 0..5u32 {
            let items: Vec<u32> = (0..n).collect();
            let collected: Few<u32> = items.iter().copied().collect();
            let converted = Few::from(items.clone());
            let mut pushed = Few::new();
            for &i in &items {
                pushed.push(i);
            }
            for few in [&collected, &converted, &pushed] {
                assert_eq!(&few[..], &items[..]);
                assert_eq!(few.iter().count(), items.len());
            }
            assert_eq!(matches!(collected, Few::One(_)), n == 1);
        }
    }

    #[test]
    fn signatures_are_made_with_the_reading() {
        for text in [
            "김순이",
            "리성호",
            "김복",
            "Won-il-i Kwak",
            "KIM, Jaemo",
            "김씨",
        ] {
            for p in parse(text)
                .parses
                .iter()
                .chain(&surname_of(&parse(text)).parses)
            {
                assert_eq!(
                    p.signature(),
                    syllable_signature(&p.given, &p.variants),
                    "{text}"
                );
            }
        }
        // 순희 and its form 순이: two characters each.
        let p = &parse("김순희").parses[0];
        assert_eq!(p.signature().1, 2);
        assert_ne!(p.signature().0, 0);
        // 복 and 복이 differ in length.
        assert_eq!(parse("김복").parses[0].signature().1, 0);
        assert_eq!(surname_of(&parse("김순이")).parses[0].signature(), (0, 0));
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
