//! Hangul text: NFC, syllable decomposition into jamo, the North/South
//! initial-sound rule (두음법칙) and a romanisation-insensitive phonetic key.

use unicode_normalization::{IsNormalized, UnicodeNormalization};

const S_BASE: u32 = 0xAC00;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = 19 * N_COUNT;

/// Initial consonant index of ㄴ.
pub const L_NIEUN: u8 = 2;
/// Initial consonant index of ㄹ.
pub const L_RIEUL: u8 = 5;
/// Initial consonant index of the silent ㅇ.
pub const L_IEUNG: u8 = 11;

/// A precomposed Hangul syllable split into initial, medial and final indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Syllable {
    /// Initial consonant, 0..19 (ㄱ = 0 … ㅎ = 18).
    pub initial: u8,
    /// Vowel, 0..21 (ㅏ = 0 … ㅣ = 20).
    pub vowel: u8,
    /// Final consonant, 0..28 (0 = none).
    pub fin: u8,
}

impl Syllable {
    /// True when the two differ in at most one of initial, vowel and final.
    fn within_one_jamo_of(self, other: Syllable) -> bool {
        u8::from(self.initial != other.initial)
            + u8::from(self.vowel != other.vowel)
            + u8::from(self.fin != other.fin)
            <= 1
    }

    /// Splits a precomposed syllable (가..힣); other characters give `None`.
    pub fn of(c: char) -> Option<Self> {
        let code = c as u32;
        if !(S_BASE..S_BASE + S_COUNT).contains(&code) {
            return None;
        }
        let i = code - S_BASE;
        Some(Self {
            initial: (i / N_COUNT) as u8,
            vowel: ((i % N_COUNT) / T_COUNT) as u8,
            fin: (i % T_COUNT) as u8,
        })
    }

    /// The precomposed character.
    pub fn to_char(self) -> char {
        let code = S_BASE
            + u32::from(self.initial) * N_COUNT
            + u32::from(self.vowel) * T_COUNT
            + u32::from(self.fin);
        char::from_u32(code).unwrap_or('\u{FFFD}')
    }
}

/// True when the text contains at least one Hangul syllable.
pub fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| Syllable::of(c).is_some())
}

/// NFC-normalises, trims, and collapses runs of white space to one space.
/// Conjoining jamo sequences (ᄀ ᅡ) become precomposed syllables (가).
pub fn clean(s: &str) -> String {
    clean_cow(s).into_owned()
}

/// [`clean`] without a copy when the text is clean already (the usual
/// case: NFC, single spaces between words, none at the ends).
pub fn clean_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if is_plain_and_clean(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    // Most text is NFC already (precomposed syllables, ASCII): the quick
    // check answers "yes" without building a normalised copy.
    let nfc: std::borrow::Cow<'_, str> =
        if unicode_normalization::is_nfc_quick(s.chars()) == IsNormalized::Yes {
            std::borrow::Cow::Borrowed(s)
        } else {
            std::borrow::Cow::Owned(s.nfc().collect())
        };
    if is_spaced_cleanly(&nfc) {
        return nfc;
    }
    let mut out = String::with_capacity(nfc.len());
    for w in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    std::borrow::Cow::Owned(out)
}

/// True when `s` is made of ASCII and precomposed Hangul syllables only
/// (so it is NFC: neither composes with what follows it) and its words are
/// joined as [`clean`] joins them. One pass over the bytes, for names.
fn is_plain_and_clean(s: &str) -> bool {
    let b = s.as_bytes();
    let mut prev_space = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            let space = c.is_ascii_whitespace() || c == 0x0b;
            if space && (c != b' ' || prev_space) {
                return false;
            }
            prev_space = space;
            i += 1;
        } else if (0xEA..=0xED).contains(&c) && i + 2 < b.len() {
            // A three-byte sequence: a syllable (가 U+AC00 ..= 힣 U+D7A3)?
            let code = (u32::from(c & 0x0F) << 12)
                | (u32::from(b[i + 1] & 0x3F) << 6)
                | u32::from(b[i + 2] & 0x3F);
            if !(S_BASE..S_BASE + S_COUNT).contains(&code) {
                return false;
            }
            prev_space = false;
            i += 3;
        } else {
            return false;
        }
    }
    !prev_space || b.is_empty()
}

/// True when the words of `s` are already joined as [`clean`] joins them:
/// no white space at the ends, and only single plain spaces between words.
fn is_spaced_cleanly(s: &str) -> bool {
    let mut prev_space = true; // at the start, a space would be leading
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || prev_space {
                return false;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
    }
    !prev_space || s.is_empty()
}

/// Decomposes syllables into conjoining jamo (NFD for Hangul); other
/// characters pass through.
pub fn jamo(s: &str) -> String {
    s.nfd().collect()
}

/// Vowels before which the South drops an initial ㄹ/ㄴ to ㅇ:
/// ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ (and ㅒ).
fn is_i_vowel(v: u8) -> bool {
    matches!(v, 2 | 3 | 6 | 7 | 12 | 17 | 20)
}

/// Applies the South's initial-sound rule to one syllable:
/// 리 → 이, 녀 → 여, 로 → 노, 라 → 나. Returns the syllable unchanged when the
/// rule does not apply.
pub fn south_initial_syllable(c: char) -> char {
    let Some(mut s) = Syllable::of(c) else {
        return c;
    };
    match s.initial {
        L_RIEUL if is_i_vowel(s.vowel) => s.initial = L_IEUNG,
        L_RIEUL => s.initial = L_NIEUN,
        L_NIEUN if is_i_vowel(s.vowel) => s.initial = L_IEUNG,
        _ => return c,
    }
    s.to_char()
}

/// The South spelling of a word: the initial-sound rule on its first
/// syllable (리성호 → 이성호 as a surname, 룡진 → 용진 as a given name,
/// 녕변 → 영변 as a place).
pub fn to_south(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => {
            let mut out = String::with_capacity(word.len());
            out.push(south_initial_syllable(first));
            out.extend(chars);
            out
        }
        None => String::new(),
    }
}

/// [`to_south`] as inline text (no allocation for a name or a place).
pub fn to_south_text(word: &str) -> smol_str::SmolStr {
    let mut chars = word.chars();
    let mut out = smol_str::SmolStrBuilder::new();
    if let Some(first) = chars.next() {
        out.push(south_initial_syllable(first));
        out.push_str(chars.as_str());
    }
    out.finish()
}

/// The North spellings a South-spelled word may have (the rule run
/// backwards): 이 → {이, 리}, 양 → {양, 량}, 노 → {노, 로}, 여 → {여, 녀, 려}.
/// The word itself is always first.
pub fn north_variants(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return out;
    };
    let rest: String = chars.collect();
    let Some(s) = Syllable::of(first) else {
        return out;
    };
    let mut push = |initial: u8| {
        let v = Syllable { initial, ..s }.to_char();
        let w = format!("{v}{rest}");
        if !out.contains(&w) {
            out.push(w);
        }
    };
    match s.initial {
        L_IEUNG if is_i_vowel(s.vowel) => {
            push(L_RIEUL);
            push(L_NIEUN);
        }
        L_NIEUN if !is_i_vowel(s.vowel) => push(L_RIEUL),
        _ => {}
    }
    out
}

/// True when two words differ only by the initial-sound rule (리 ~ 이).
pub fn initial_rule_equivalent(a: &str, b: &str) -> bool {
    a != b && to_south(a) == to_south(b)
}

const RR_INITIAL: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const RR_VOWEL: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const RR_FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Revised Romanization of a Hangul string, syllable by syllable (no
/// sound-change rules across syllables; names are written that way).
/// Non-Hangul characters are kept.
pub fn romanize(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        push_romanized(&mut out, c);
    }
    out
}

/// One character of [`romanize`].
fn push_romanized(out: &mut String, c: char) {
    match Syllable::of(c) {
        Some(sy) => {
            out.push_str(RR_INITIAL[sy.initial as usize]);
            out.push_str(RR_VOWEL[sy.vowel as usize]);
            out.push_str(RR_FINAL[sy.fin as usize]);
        }
        None => out.push(c),
    }
}

/// A romanised word as bytes, on the stack for a name.
type LatinBytes = smallvec::SmallVec<[u8; 64]>;

/// [`push_romanized`] into bytes (a byte at a time: the pieces are one to
/// three letters).
fn push_romanized_bytes(out: &mut LatinBytes, c: char) {
    let mut push = |piece: &str| {
        for &b in piece.as_bytes() {
            out.push(b);
        }
    };
    match Syllable::of(c) {
        Some(sy) => {
            push(RR_INITIAL[sy.initial as usize]);
            push(RR_VOWEL[sy.vowel as usize]);
            push(RR_FINAL[sy.fin as usize]);
        }
        None => push(c.encode_utf8(&mut [0; 4])),
    }
}

/// Folds Latin letters with diacritics used by McCune–Reischauer
/// (ŏ ŭ) and strips apostrophes, hyphens and spaces; lower case.
fn fold_latin(s: &str, out: &mut LatinBytes) {
    if s.is_ascii() {
        // NFD leaves ASCII as it is.
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphabetic)
                .map(|b| b.to_ascii_lowercase()),
        );
        return;
    }
    for c in s.nfd() {
        if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase() as u8);
        }
    }
}

/// A phonetic key that is the same for the usual romanisations of one
/// Korean word and for its Hangul spelling: RR, McCune–Reischauer and
/// passport spellings fold together (Jeong/Jung/Chung/Chŏng → `CONG`,
/// Young/Yeong/Yong → `ONG`). The initial-sound rule is applied at the start
/// (Ryong = Yong, Ri = I), so North and South spellings share a key.
///
/// Hangul input is romanised first (after the South initial-sound rule).
pub fn phonetic_key(s: &str) -> String {
    phonetic_key_text(s).into()
}

/// [`phonetic_key`] as inline text: made without allocating for a name
/// or a place.
pub fn phonetic_key_text(s: &str) -> smol_str::SmolStr {
    let mut latin = LatinBytes::new();
    if has_hangul(s) {
        // romanize(to_south(compact)) without the intermediate strings:
        // the initial-sound rule on the first kept character.
        let cleaned = clean_cow(s);
        let mut compact = cleaned
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\'' | '.' | ','));
        if let Some(first) = compact.next() {
            push_romanized_bytes(&mut latin, south_initial_syllable(first));
        }
        for c in compact {
            push_romanized_bytes(&mut latin, c);
        }
    } else {
        fold_latin(s, &mut latin);
    }
    key_of_latin(&latin)
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w')
}

fn key_of_latin(b: &[u8]) -> smol_str::SmolStr {
    // "rh" reads as "r" (Rhee = Ree).
    let without_h: LatinBytes;
    let b = if let Some(rest) = b.strip_prefix(b"rh") {
        without_h = std::iter::once(b'r').chain(rest.iter().copied()).collect();
        &without_h[..]
    } else {
        b
    };
    let mut i = 0;
    let mut out: smallvec::SmallVec<[u8; 32]> = smallvec::SmallVec::new();
    // The initial-sound rule on romanised text: ry/ly/ny/ri/li/ni/lee drop the
    // consonant, r/l before other vowels become n.
    if b.len() >= 2 && matches!(b[0], b'r' | b'l' | b'n') {
        let i_vowel = matches!(b[1], b'y' | b'i') || (b[1] == b'e' && b.get(2) == Some(&b'e'));
        if i_vowel {
            i = 1;
        } else if b[0] != b'n' && is_vowel(b[1]) {
            i = 1;
            out.push(b'N');
        }
    }
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (sym, step): (u8, usize) = match c {
            b't' if next == Some(b'c') && b.get(i + 2) == Some(&b'h') => (b'C', 3),
            b'c' if next == Some(b'h') => (b'C', 2),
            b's' if next == Some(b'h') => (b'S', 2),
            b'k' | b'g' | b'q' => (b'K', 1),
            b'c' => (b'K', 1),
            b'j' | b'z' => (b'C', 1),
            b'p' | b'b' | b'f' | b'v' => (b'P', 1),
            b't' | b'd' => (b'T', 1),
            b'r' | b'l' => (b'L', 1),
            b's' | b'x' => (b'S', 1),
            b'n' if next == Some(b'g') => (b'G', 2),
            b'n' => (b'N', 1),
            b'm' => (b'M', 1),
            b'h' => (b'H', 1),
            b'y' | b'w' if next.is_some_and(is_vowel) => (0, 1),
            b'a' if next == Some(b'e') || next == Some(b'i') => (b'E', 2),
            b'e' if next == Some(b'e') => (b'I', 2),
            b'e' if matches!(next, Some(b'o') | Some(b'u')) => (b'O', 2),
            b'o' if matches!(next, Some(b'e') | Some(b'i')) => (b'E', 2),
            b'o' if next == Some(b'o') => (b'O', 2),
            b'e' => (b'E', 1),
            b'a' => (b'A', 1),
            b'o' | b'u' => (b'O', 1),
            b'i' | b'y' => (b'I', 1),
            b'w' => (b'O', 1),
            _ => (0, 1),
        };
        if sym != 0 && out.last() != Some(&sym) {
            out.push(sym);
        }
        i += step;
    }
    // Only the ASCII symbols above were pushed.
    smol_str::SmolStr::new(std::str::from_utf8(&out).unwrap_or_default())
}

/// Jaro–Winkler similarity of two strings, by characters.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    // Keys and names are short: on the stack, as names are compared per
    // candidate pair.
    let (mut ba, mut bb) = (['\0'; SHORT], ['\0'; SHORT]);
    match (short_chars(a, &mut ba), short_chars(b, &mut bb)) {
        (Some(na), Some(nb)) => jaro_winkler_chars(&ba[..na], &bb[..nb]),
        _ => {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            jaro_winkler_chars(&a, &b)
        }
    }
}

/// Longest string [`jaro_winkler`] handles on the stack.
const SHORT: usize = 32;

/// The characters of `s` into `buf`, and their count; `None` when longer.
fn short_chars(s: &str, buf: &mut [char; SHORT]) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

fn jaro_winkler_chars(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_buf, mut b_buf) = ([false; SHORT], [false; SHORT]);
    let (mut a_heap, mut b_heap) = (Vec::new(), Vec::new());
    let a_m: &mut [bool] = if a.len() <= SHORT {
        &mut a_buf[..a.len()]
    } else {
        a_heap.resize(a.len(), false);
        &mut a_heap
    };
    let b_m: &mut [bool] = if b.len() <= SHORT {
        &mut b_buf[..b.len()]
    } else {
        b_heap.resize(b.len(), false);
        &mut b_heap
    };
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_m[j] && a[i] == b[j] {
                a_m[i] = true;
                b_m[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut k = 0usize;
    for i in 0..a.len() {
        if a_m[i] {
            while !b_m[k] {
                k += 1;
            }
            if a[i] != b[k] {
                t += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Jaro–Winkler over the jamo of two Hangul strings (so 순희/순이 are close).
pub fn jamo_similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = jamo(a).chars().collect();
    let b: Vec<char> = jamo(b).chars().collect();
    jaro_winkler_chars(&a, &b)
}

/// True when two strings are at most one jamo apart (fast path for
/// syllable strings: same length and one syllable differing in one jamo).
///
/// Inlined into the name loops: most pairs asked are of one length in
/// bytes and answered by [`within_one_jamo_same_length`] on the spot; the
/// rest ([`within_one_jamo_rest`]) is one call.
#[inline(always)]
pub fn within_one_jamo(a: &str, b: &str) -> bool {
    if a.len() == b.len() {
        if let Some(close) = within_one_jamo_same_length(a, b) {
            return close;
        }
    } else if syllables_only(a.as_bytes()) && syllables_only(b.as_bytes()) {
        // As within_one_jamo_triples says for syllables of two lengths.
        return false;
    }
    within_one_jamo_rest(a, b)
}

/// [`within_one_jamo`] for what its inlined part does not answer.
#[inline(never)]
fn within_one_jamo_rest(a: &str, b: &str) -> bool {
    if let Some(close) = within_one_jamo_triples(a, b) {
        return close;
    }
    within_one_jamo_chars(a, b)
}

/// [`within_one_jamo`] for two strings of three-byte characters only (as
/// Hangul syllables are): the characters are compared as byte triples
/// instead of being decoded, and only a differing pair is decoded. The
/// same steps as [`within_one_jamo_chars`], so the same answer; `None`
/// for other strings.
fn within_one_jamo_triples(a: &str, b: &str) -> Option<bool> {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() == y.len() {
        return within_one_jamo_same_length(a, b);
    }
    if syllables_only(x) && syllables_only(y) {
        // Syllables only, a different number of them: one has more
        // initials and more vowels, which no single jamo inserted or
        // substituted gives (jamo_distance_at_most_one says no).
        return Some(false);
    }
    // Every character three bytes long: a lead byte 1110xxxx every third
    // byte (the text is valid UTF-8, so the two after it continue it).
    let three_byte =
        |s: &[u8]| s.len().is_multiple_of(3) && s.chunks_exact(3).all(|c| c[0] >> 4 == 0xE);
    if !three_byte(x) || !three_byte(y) {
        return None;
    }
    // Over the shorter length the characters line up: the first and last
    // differing bytes say which characters differ. Two or more differing
    // characters: the character loop says no at the second.
    let n = x.len().min(y.len());
    let (xs, ys) = (&x[..n], &y[..n]);
    if let Some(first) = xs.iter().zip(ys).position(|(p, q)| p != q) {
        let last = xs
            .iter()
            .zip(ys)
            .rposition(|(p, q)| p != q)
            .unwrap_or(first);
        if first / 3 != last / 3 {
            return Some(false);
        }
    }
    Some(jamo_distance_at_most_one(a, b))
}

/// [`within_one_jamo_triples`] for two strings of the same length in
/// bytes, in one pass over their characters as byte triples: every
/// triple must open with a three-byte lead (`None` otherwise, as for
/// strings of other characters), two differing triples say no, one is
/// decoded and compared jamo by jamo.
#[inline(always)]
fn within_one_jamo_same_length(a: &str, b: &str) -> Option<bool> {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !x.len().is_multiple_of(3) {
        return None;
    }
    let mut differing = None;
    let mut twice = false;
    for (i, (p, q)) in x.chunks_exact(3).zip(y.chunks_exact(3)).enumerate() {
        if p[0] >> 4 != 0xE || q[0] >> 4 != 0xE {
            return None;
        }
        if p != q {
            twice |= differing.is_some();
            differing = Some(i * 3);
        }
    }
    if twice {
        return Some(false);
    }
    let Some(i) = differing else {
        return Some(true);
    };
    let decode = |t: &[u8]| {
        char::from_u32(
            (u32::from(t[0] & 0x0F) << 12) | (u32::from(t[1] & 0x3F) << 6) | u32::from(t[2] & 0x3F),
        )
    };
    Some(
        match (
            decode(&x[i..i + 3]).and_then(Syllable::of),
            decode(&y[i..i + 3]).and_then(Syllable::of),
        ) {
            (Some(p), Some(q)) => p.within_one_jamo_of(q),
            _ => jamo_distance_at_most_one(a, b),
        },
    )
}

/// True for the UTF-8 of one to eight precomposed Hangul syllables
/// (가..힣) and nothing else: few enough for [`jamo_codes`] to take all
/// their jamo.
///
/// Each triple is read as one big-endian number and compared with the
/// UTF-8 of 가 (EA B0 80) and 힣 (ED 9E A3): UTF-8 keeps code-point order,
/// and a lead byte EA..ED at a triple's start is followed by its own two
/// continuation bytes (the text is valid UTF-8), so no decoding is needed.
#[inline]
fn syllables_only(s: &[u8]) -> bool {
    s.len().is_multiple_of(3)
        && !s.is_empty()
        && s.len() <= 24
        && s.chunks_exact(3).all(|t| {
            let v = (u32::from(t[0]) << 16) | (u32::from(t[1]) << 8) | u32::from(t[2]);
            (0x00EA_B080..=0x00ED_9EA3).contains(&v)
        })
}

/// [`within_one_jamo`] character by character.
fn within_one_jamo_chars(a: &str, b: &str) -> bool {
    let mut diff = None;
    let (mut ia, mut ib) = (a.chars(), b.chars());
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => break,
            (Some(x), Some(y)) => {
                if x != y {
                    if diff.is_some() {
                        return false;
                    }
                    diff = Some((x, y));
                }
            }
            _ => return jamo_distance_at_most_one(a, b),
        }
    }
    match diff {
        None => true,
        Some((x, y)) => match (Syllable::of(x), Syllable::of(y)) {
            (Some(p), Some(q)) => p.within_one_jamo_of(q),
            _ => jamo_distance_at_most_one(a, b),
        },
    }
}

/// `jamo_distance(a, b) <= 1` in one pass, without the full table: equal
/// jamo, one substituted, or one inserted (names are compared per
/// candidate pair, and most differ in length by a whole syllable).
#[inline(never)]
fn jamo_distance_at_most_one(a: &str, b: &str) -> bool {
    let mut ca = [0u32; MAX_CODES];
    let mut cb = [0u32; MAX_CODES];
    let na = jamo_codes(a, &mut ca);
    let nb = jamo_codes(b, &mut cb);
    let (x, y) = (&ca[..na], &cb[..nb]);
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(p, q)| p != q).count() <= 1,
        1 => {
            let prefix = short.iter().zip(long).take_while(|(p, q)| p == q).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

const MAX_CODES: usize = 48;

/// Jamo codes of a short string without allocating: initial, vowel and
/// (when present) final of each syllable; other characters as themselves.
fn jamo_codes(s: &str, out: &mut [u32; MAX_CODES]) -> usize {
    let mut n = 0;
    for c in s.chars() {
        if n + 3 > MAX_CODES {
            break;
        }
        match Syllable::of(c) {
            Some(sy) => {
                out[n] = u32::from(sy.initial);
                out[n + 1] = 100 + u32::from(sy.vowel);
                n += 2;
                if sy.fin != 0 {
                    out[n] = 200 + u32::from(sy.fin);
                    n += 1;
                }
            }
            None => {
                out[n] = 1000 + c as u32;
                n += 1;
            }
        }
    }
    n
}

/// Levenshtein distance over jamo (one mistyped jamo = 1). Strings longer
/// than 15 syllables are compared on their first 15.
pub fn jamo_distance(a: &str, b: &str) -> usize {
    let mut ca = [0u32; MAX_CODES];
    let mut cb = [0u32; MAX_CODES];
    let na = jamo_codes(a, &mut ca);
    let nb = jamo_codes(b, &mut cb);
    let mut prev = [0usize; MAX_CODES + 1];
    let mut cur = [0usize; MAX_CODES + 1];
    for (j, p) in prev.iter_mut().enumerate().take(nb + 1) {
        *p = j;
    }
    for i in 1..=na {
        cur[0] = i;
        for j in 1..=nb {
            let cost = usize::from(ca[i - 1] != cb[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[nb]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_only_by_byte_range_is_syllables_only_by_decoding() {
        let decoded = |s: &str| {
            !s.is_empty() && s.chars().count() <= 8 && s.chars().all(|c| Syllable::of(c).is_some())
        };
        // The edges of 가..힣 and their neighbours (꿿 = U+ABFF, 힤 = U+D7A4,
        // ퟻ = U+D7FB, ㄱ = U+3131), other three-byte characters (中, ·),
        // two-byte and ASCII characters that make up triples of bytes.
        let texts = [
            "가",
            "힣",
            "꿿",
            "힤",
            "ퟻ",
            "ㄱ",
            "中",
            "가힣",
            "가꿿",
            "힣힤",
            "각난달",
            "abc",
            "éa",
            "aé",
            "가abc",
            "abc가",
            "가나다라마바사아",
            "가나다라마바사아자",
            "",
            "가ㄴ",
            "ㄱ가",
            "中가",
        ];
        for t in texts {
            assert_eq!(syllables_only(t.as_bytes()), decoded(t), "{t}");
        }
    }

    #[test]
    fn clean_copies_only_what_needs_cleaning() {
        // The definition: NFC, then the words joined by single spaces.
        let reference = |s: &str| -> String {
            let nfc: String = s.nfc().collect();
            nfc.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for s in [
            "",
            " ",
            "김영수",
            "김 영수",
            " 김영수",
            "김영수 ",
            "김  영수",
            "김\t영수",
            "김\u{a0}영수",
            "김\u{3000}영수",
            "\u{1100}\u{1161}",
            "Kim Young-su",
            "e\u{301}",
            "김\u{b}영수",
            "김영수\n",
            "a\u{85}b",
            "ㄱ",
            "힣 가",
            "\u{d7a4}",
            "가\u{11a8}",
        ] {
            let c = clean_cow(s);
            assert_eq!(c, reference(s), "{s:?}");
            assert_eq!(
                matches!(c, std::borrow::Cow::Borrowed(_)),
                reference(s) == s,
                "{s:?}"
            );
        }
    }

    #[test]
    fn phonetic_keys_of_romanisations() {
        assert_eq!(phonetic_key("Rhee"), phonetic_key("Ree"));
        assert_eq!(phonetic_key("Rhee"), phonetic_key("이"));
        assert_eq!(phonetic_key("Chŏng"), phonetic_key("Chong"));
        assert_eq!(phonetic_key_text("김 영수"), phonetic_key("김영수"));
        assert_eq!(phonetic_key(""), "");
        assert_eq!(to_south_text("룡진"), "용진");
        assert_eq!(to_south_text(""), "");
    }

    #[test]
    fn syllable_round_trip() {
        let s = Syllable::of('림').unwrap();
        assert_eq!(s.initial, L_RIEUL);
        assert_eq!(s.to_char(), '림');
        assert_eq!(Syllable::of('A'), None);
    }

    #[test]
    fn clean_composes_conjoining_jamo() {
        assert_eq!(clean("\u{1100}\u{1175}\u{11B7}  순희 "), "김 순희");
        assert_eq!(jamo("김"), "\u{1100}\u{1175}\u{11B7}");
    }

    #[test]
    fn initial_sound_rule_south() {
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
            ("룡진", "용진"),
            ("녀", "여"),
            ("녕변", "영변"),
            ("린산", "인산"),
            ("로동리", "노동리"),
        ] {
            assert_eq!(to_south(north), south, "{north}");
        }
        assert_eq!(to_south("김"), "김");
        assert_eq!(to_south("노"), "노");
    }

    #[test]
    fn initial_sound_rule_north() {
        assert_eq!(north_variants("이"), vec!["이", "리", "니"]);
        assert_eq!(north_variants("노"), vec!["노", "로"]);
        assert_eq!(north_variants("영변"), vec!["영변", "령변", "녕변"]);
        assert_eq!(north_variants("김"), vec!["김"]);
        assert!(initial_rule_equivalent("리", "이"));
        assert!(!initial_rule_equivalent("이", "이"));
    }

    #[test]
    fn romanization() {
        assert_eq!(romanize("김영철"), "gimyeongcheol");
        assert_eq!(romanize("박"), "bak");
    }

    #[test]
    fn phonetic_keys_fold_romanisations() {
        let k = phonetic_key("정");
        for s in ["Jeong", "Jung", "Chung", "Chŏng", "JONG"] {
            assert_eq!(phonetic_key(s), k, "{s}");
        }
        assert_eq!(phonetic_key("Young"), phonetic_key("영"));
        assert_eq!(phonetic_key("Yeong"), phonetic_key("Yong"));
        assert_eq!(phonetic_key("Ryong"), phonetic_key("용"));
        assert_eq!(phonetic_key("룡"), phonetic_key("용"));
        assert_eq!(phonetic_key("Choi"), phonetic_key("Choe"));
        assert_eq!(phonetic_key("Kil-nam"), phonetic_key("길남"));
        assert_eq!(phonetic_key("Gilnam"), phonetic_key("길남"));
        assert_eq!(phonetic_key("Soon-ja"), phonetic_key("순자"));
        assert_eq!(phonetic_key("Sunja"), phonetic_key("순자"));
    }

    #[test]
    fn byte_triples_answer_as_characters_do() {
        // Hangul syllables, compatibility jamo (also three bytes), pairs of
        // other lengths (measured as jamo), and strings that are not all
        // three-byte characters.
        let forms = [
            "",
            "가",
            "각",
            "간",
            "가나",
            "각나",
            "간나",
            "각가",
            "가가가",
            "가나다",
            "영수",
            "영주",
            "명주",
            "영수이",
            "영",
            "영이",
            "순희",
            "순이",
            "진쳘",
            "진철",
            "가ㄴ",
            "ㄱ",
            "ㄱㅏ",
            "복",
            "복이",
            "A가",
            "가A",
            "Ab",
            "영 수",
            "弘",
            "弘가",
            "룡호",
            "용호",
        ];
        for a in forms {
            for b in forms {
                assert_eq!(
                    within_one_jamo(a, b),
                    within_one_jamo_chars(a, b),
                    "{a} / {b}"
                );
            }
        }
        assert!(within_one_jamo("가나", "각나"));
        assert!(!within_one_jamo("가나", "각낙"));
    }

    #[test]
    fn syllable_strings_of_different_lengths_are_never_one_jamo_apart() {
        // Open and closed syllables, silent and sounded initials: every
        // string of one to three of them against every other.
        let syllables = ["가", "각", "아", "악", "앙", "이", "익", "기", "긱", "나"];
        let mut strings: Vec<String> = Vec::new();
        for a in syllables {
            strings.push(a.to_string());
            for b in syllables {
                strings.push(format!("{a}{b}"));
                for c in ["가", "앙", "이"] {
                    strings.push(format!("{a}{b}{c}"));
                }
            }
        }
        for a in &strings {
            for b in &strings {
                if a.chars().count() != b.chars().count() {
                    assert!(jamo_distance(a, b) >= 2, "{a} / {b}");
                }
                assert_eq!(
                    within_one_jamo(a, b),
                    within_one_jamo_chars(a, b),
                    "{a} / {b}"
                );
            }
        }
    }

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.9611).abs() < 1e-3);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert!(jamo_similarity("순희", "순이") > 0.8);
        assert_eq!(jamo_distance("김", "긤"), 1);
        assert!(within_one_jamo("진쳘", "진철"));
        assert!(within_one_jamo("영수", "영수"));
        assert!(!within_one_jamo("영수", "명주"));
        assert!(!within_one_jamo("영수", "영"));
        assert!(within_one_jamo("가", "각"));
        assert!(within_one_jamo("가", "가ㄴ"));
        for a in [
            "",
            "가",
            "간",
            "가나",
            "각나",
            "가나다",
            "갂",
            "a가",
            "가b",
            "ab",
        ] {
            for b in [
                "",
                "가",
                "간",
                "가나",
                "갈나",
                "나",
                "가나다",
                "가다",
                "a",
                "ab",
            ] {
                assert_eq!(
                    jamo_distance_at_most_one(a, b),
                    jamo_distance(a, b) <= 1,
                    "{a} {b}"
                );
            }
        }
    }
}
