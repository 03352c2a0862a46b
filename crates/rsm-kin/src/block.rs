//! Blocking: several keys per record, unioned. A pair is a candidate when
//! the request and the person share any key. Keys are script-independent
//! (surname class + phonetic key of the given name …) so Hangul and
//! romanised records meet. Blocks larger than a cap are skipped for that key.

use std::hash::{DefaultHasher, Hash, Hasher};

use smallvec::SmallVec;

use crate::features::{PerFeatures, ReqFeatures};
use crate::hangul;
use crate::names::{Name, Text};

/// Which blocking rule produced a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Rule {
    /// Surname class + given-name key (and childhood forms).
    SurnameGiven = 1,
    /// Given-name key + birth year + old province (surname mistyped or changed).
    Given = 2,
    /// Surname class + birth year (±2 on the request side).
    SurnameYear = 3,
    /// Surname class + old county (through the gazetteer).
    SurnameCounty = 4,
    /// The father's surname class and given-name key + old province.
    SurnameFather = 5,
    /// The applicant's name among the person's relatives in the South.
    Relative = 6,
    /// Old county + birth year, for requests without a usable name.
    CountyYear = 7,
    /// Surname class + old county + birth year (±2 on the request side).
    SurnameCountyYear = 8,
    /// Surname class + first syllable of a Hangul given name + birth year
    /// (±2 on the request side): childhood forms (영이 for 영순) and a
    /// misremembered second syllable (순자 for 순숙).
    SurnameInitialYear = 9,
    /// Given-name key + exact birth year: only to train the model (the
    /// "same given name and year" session), never for candidates.
    TrainGivenYear = 10,
}

/// The rules in order.
pub const RULES: [Rule; 9] = [
    Rule::SurnameGiven,
    Rule::Given,
    Rule::SurnameYear,
    Rule::SurnameCounty,
    Rule::SurnameFather,
    Rule::Relative,
    Rule::CountyYear,
    Rule::SurnameCountyYear,
    Rule::SurnameInitialYear,
];

fn key(rule: Rule, parts: &[&dyn KeyPart]) -> u64 {
    let mut h = DefaultHasher::new();
    (rule as u8).hash(&mut h);
    for p in parts {
        p.feed(&mut h);
    }
    h.finish()
}

/// The hasher of a key's rule and leading parts: a request's keys that
/// share them (years × provinces …) go on from a copy, which gives the
/// hash [`key`] gives the whole key.
fn key_prefix(rule: Rule, parts: &[&dyn KeyPart]) -> DefaultHasher {
    let mut h = DefaultHasher::new();
    (rule as u8).hash(&mut h);
    for p in parts {
        p.feed(&mut h);
    }
    h
}

/// `prefix` followed by `parts`, as a hasher to go on from.
fn key_extend(prefix: &DefaultHasher, parts: &[&dyn KeyPart]) -> DefaultHasher {
    let mut h = prefix.clone();
    for p in parts {
        p.feed(&mut h);
    }
    h
}

/// The key of `prefix` followed by `parts`.
fn key_after(prefix: &DefaultHasher, parts: &[&dyn KeyPart]) -> u64 {
    key_extend(prefix, parts).finish()
}

trait KeyPart {
    fn feed(&self, h: &mut DefaultHasher);
}
impl KeyPart for str {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}
impl KeyPart for &str {
    fn feed(&self, h: &mut DefaultHasher) {
        (**self).hash(h);
    }
}
impl KeyPart for String {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}
impl KeyPart for Text {
    fn feed(&self, h: &mut DefaultHasher) {
        self.as_str().hash(h);
    }
}
impl KeyPart for i32 {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}
impl KeyPart for u16 {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}

/// A key part written as a tag and a number ("c:12") or as text: hashed
/// exactly as that text is (`str::hash`), but a number's text is made on
/// the stack, not allocated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tagged {
    /// A tag and a number: the text `format!("{tag}{n}")`.
    Num(&'static str, u16),
    /// Text as it is.
    Text(Text),
}

impl KeyPart for Tagged {
    fn feed(&self, h: &mut DefaultHasher) {
        match self {
            Tagged::Num(tag, n) => {
                // A two-byte tag and at most five digits.
                let mut buf = [0u8; 8];
                let t = tag.as_bytes();
                buf[..t.len()].copy_from_slice(t);
                let digits = if *n == 0 { 1 } else { n.ilog10() as usize + 1 };
                let end = t.len() + digits;
                let mut x = *n;
                for b in buf[t.len()..end].iter_mut().rev() {
                    *b = b'0' + (x % 10) as u8;
                    x /= 10;
                }
                // `str::hash` is the bytes and a 0xff terminator.
                h.write(&buf[..end]);
                h.write_u8(0xff);
            }
            Tagged::Text(s) => s.as_str().hash(h),
        }
    }
}

/// Adds `x` unless already there (key parts are few: a linear scan).
fn push_new<A: smallvec::Array>(v: &mut SmallVec<A>, x: A::Item)
where
    A::Item: PartialEq,
{
    if !v.contains(&x) {
        v.push(x);
    }
}

/// A record's few key parts of one kind, on the stack.
type Parts<T> = SmallVec<[T; 4]>;

/// Surname keys: class ids, or the South-spelled surname when unknown.
/// Without duplicates, in no particular order (keys are sorted later).
fn surname_keys(n: &Name) -> Parts<Tagged> {
    let mut out = Parts::new();
    for p in &n.parses {
        if p.surname.is_empty() {
            continue;
        }
        if p.classes.is_empty() {
            // surname_key is the surname's phonetic key, made once per parse.
            let t = smol_str::format_smolstr!("s:{}", p.surname_key);
            push_new(&mut out, Tagged::Text(t));
        } else {
            for &c in p.classes {
                push_new(&mut out, Tagged::Num("c:", c));
            }
        }
    }
    out
}

/// Given-name keys (phonetic), with childhood forms; without duplicates,
/// in no particular order.
fn given_keys(n: &Name) -> Parts<&str> {
    let mut out = Parts::new();
    for p in &n.parses {
        if p.given_key.is_empty() {
            continue;
        }
        push_new(&mut out, p.given_key.as_str());
        for v in &p.variant_keys {
            push_new(&mut out, v.as_str());
        }
    }
    out
}

/// First syllables (South spelling) of Hangul given names of two or more
/// syllables, and of one-syllable childhood stems (영이 → 영).
fn initial_syllables(n: &Name) -> Parts<char> {
    let mut out = Parts::new();
    for p in &n.parses {
        if p.pet || p.script != crate::names::Script::Hangul {
            continue;
        }
        let forms = std::iter::once(&p.given).chain(&p.variants);
        for f in forms {
            if let Some(c) = f.chars().next()
                && hangul::has_hangul(f)
            {
                out.push(c);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl KeyPart for char {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}

/// Surname keys of a father: his own surname when written, else the
/// child's (a Korean takes the father's surname).
fn father_surname_keys(father: &Name, own: &[Tagged]) -> Parts<Tagged> {
    let f = surname_keys(father);
    if f.is_empty() {
        own.iter().cloned().collect()
    } else {
        f
    }
}

fn county_parts(place: &crate::features::Place) -> Parts<Tagged> {
    if !place.county_ids.is_empty() {
        place
            .county_ids
            .iter()
            .map(|&i| Tagged::Num("g:", i))
            .collect()
    } else if !place.county_stem.is_empty() {
        smallvec::smallvec![Tagged::Text(smol_str::format_smolstr!(
            "k:{}",
            hangul::phonetic_key_text(&place.county_stem)
        ))]
    } else {
        Parts::new()
    }
}

/// Old-province bits as key parts; 255 stands for "unknown". The index
/// side files an unknown province under 255; the query side asks for its
/// provinces and 255.
fn province_bits(set: crate::gazetteer::ProvinceSet, index_side: bool) -> SmallVec<[u16; 9]> {
    let mut v: SmallVec<[u16; 9]> = (0..8u16).filter(|b| set & (1 << b) != 0).collect();
    if v.is_empty() == index_side {
        v.push(255);
    }
    v
}

/// Old-province bits a request asks for when a key must hold a province:
/// its provinces and "unknown", or every province when it names none.
fn query_province_bits(set: crate::gazetteer::ProvinceSet) -> SmallVec<[u16; 9]> {
    if set == 0 {
        (0..8u16).chain([255]).collect()
    } else {
        province_bits(set, false)
    }
}

/// Keys of a person (index side), sorted, without duplicates.
pub fn person_keys(p: &PerFeatures) -> Vec<u64> {
    let mut out = Vec::with_capacity(24);
    each_person_key(p, &mut |rule, parts| out.push(key(rule, parts)));
    out.sort_unstable();
    out.dedup();
    out
}

/// At least the number of a person's keys ([`person_keys`]), counted
/// without hashing: sizes the index build.
pub fn person_key_bound(p: &PerFeatures) -> usize {
    let mut n = 0;
    each_person_key(p, &mut |_, _| n += 1);
    n
}

/// Calls `emit(rule, parts)` for each key of a person (duplicates
/// possible).
fn each_person_key(p: &PerFeatures, emit: &mut dyn FnMut(Rule, &[&dyn KeyPart])) {
    let sur = surname_keys(&p.name);
    let given = given_keys(&p.name);
    let counties = county_parts(&p.place);
    let years: Parts<i32> = match p.years() {
        Some((a, Some(b))) => smallvec::smallvec![a, b],
        Some((a, None)) => smallvec::smallvec![a],
        None => Parts::new(),
    };
    let provinces = province_bits(p.place.provinces, true);
    let initials = if sur.is_empty() || years.is_empty() {
        Parts::new()
    } else {
        initial_syllables(&p.name)
    };
    for s in &sur {
        for g in &given {
            emit(Rule::SurnameGiven, &[s, g]);
        }
        for y in &years {
            for b in &provinces {
                emit(Rule::SurnameYear, &[s, y, b]);
            }
        }
        for c in &counties {
            emit(Rule::SurnameCounty, &[s, c]);
            for y in &years {
                emit(Rule::SurnameCountyYear, &[s, c, y]);
            }
        }
        for i in &initials {
            for y in &years {
                emit(Rule::SurnameInitialYear, &[s, i, y]);
            }
        }
    }
    let father_given = given_keys(&p.father);
    if !father_given.is_empty() {
        for s in father_surname_keys(&p.father, &sur) {
            for f in &father_given {
                for b in &provinces {
                    emit(Rule::SurnameFather, &[&s, f, b]);
                }
            }
        }
    }
    for g in &given {
        for y in &years {
            for b in &provinces {
                emit(Rule::Given, &[g, y, b]);
            }
            emit(Rule::TrainGivenYear, &[g, y]);
        }
    }
    for (_, rel) in &p.relatives {
        let rel_given = given_keys(rel);
        if rel_given.is_empty() {
            continue;
        }
        for s in surname_keys(rel) {
            for g in &rel_given {
                emit(Rule::Relative, &[&s, g]);
            }
        }
    }
    for c in &counties {
        for y in &years {
            emit(Rule::CountyYear, &[c, y]);
        }
    }
}

/// Keys of a request (query side), each with its rule.
pub fn request_keys(r: &ReqFeatures) -> Vec<(Rule, u64)> {
    let mut out = Vec::with_capacity(64);
    let sur = surname_keys(&r.name);
    let given = given_keys(&r.name);
    let counties = county_parts(&r.place);
    let years: SmallVec<[i32; 5]> = r
        .year
        .map(|y| (y - 2..=y + 2).collect())
        .unwrap_or_default();
    // Keys sharing leading parts are hashed from a copy of the shared
    // prefix's hasher (`key_prefix`): the same keys as `key`.
    for s in &sur {
        let given_prefix = key_prefix(Rule::SurnameGiven, &[s]);
        for g in &given {
            out.push((Rule::SurnameGiven, key_after(&given_prefix, &[g])));
        }
        // Surname and year: narrowed by the county when there is one (a
        // common surname's block over a whole province grows with the list),
        // by the province otherwise; surname and county alone when the year
        // is not known.
        if counties.is_empty() {
            let year_prefix = key_prefix(Rule::SurnameYear, &[s]);
            let provinces = province_bits(r.place.provinces, false);
            for y in &years {
                let h = key_extend(&year_prefix, &[y]);
                for b in &provinces {
                    out.push((Rule::SurnameYear, key_after(&h, &[b])));
                }
            }
        } else if years.is_empty() {
            let county_prefix = key_prefix(Rule::SurnameCounty, &[s]);
            for c in &counties {
                out.push((Rule::SurnameCounty, key_after(&county_prefix, &[c])));
            }
        } else {
            for c in &counties {
                let h = key_prefix(Rule::SurnameCountyYear, &[s, c]);
                for y in &years {
                    out.push((Rule::SurnameCountyYear, key_after(&h, &[y])));
                }
            }
        }
        for i in initial_syllables(&r.name) {
            let h = key_prefix(Rule::SurnameInitialYear, &[s, &i]);
            for y in &years {
                out.push((Rule::SurnameInitialYear, key_after(&h, &[y])));
            }
        }
    }
    // The father's full name (his surname, or the sought person's): works
    // when the sought name is unknown; for a child's request without a
    // father, the applicant is taken as the father.
    // Both also hold the old province: a common father's or given name
    // over the whole country makes blocks that grow with the list.
    let provinces = query_province_bits(r.place.provinces);
    for s in father_surname_keys(&r.father, &sur) {
        for f in given_keys(&r.father) {
            let h = key_prefix(Rule::SurnameFather, &[&s, &f]);
            for b in &provinces {
                out.push((Rule::SurnameFather, key_after(&h, &[b])));
            }
        }
    }
    for g in &given {
        let given_prefix = key_prefix(Rule::Given, &[g]);
        for y in &years {
            let h = key_extend(&given_prefix, &[y]);
            for b in &provinces {
                out.push((Rule::Given, key_after(&h, &[b])));
            }
        }
    }
    for s in surname_keys(&r.applicant) {
        for g in given_keys(&r.applicant) {
            out.push((Rule::Relative, key(Rule::Relative, &[&s, &g])));
        }
    }
    if given.is_empty() {
        // Name unknown or surname only: county and year must carry it.
        let ys: SmallVec<[i32; 3]> = r
            .year
            .map(|y| (y - 1..=y + 1).collect())
            .unwrap_or_default();
        for c in &counties {
            let h = key_prefix(Rule::CountyYear, &[c]);
            for y in &ys {
                out.push((Rule::CountyYear, key_after(&h, &[y])));
            }
        }
    }
    out.sort_unstable_by_key(|x| x.1);
    out.dedup_by_key(|x| x.1);
    out
}

/// What a model-training session blocks on (see [`training_keys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingBlock {
    /// Same given-name key and birth year.
    GivenYear,
    /// Same surname class and given-name key.
    SurnameGiven,
    /// Same surname class, old county and birth year.
    SurnameCountyYear,
}

/// Keys of a request for one training session's blocking: all pairs that
/// share the session's fields, whatever the candidate rules let through.
pub fn training_keys(r: &ReqFeatures, block: TrainingBlock) -> Vec<(Rule, u64)> {
    let sur = surname_keys(&r.name);
    let given = given_keys(&r.name);
    let mut out = Vec::new();
    match (block, r.year) {
        (TrainingBlock::GivenYear, Some(y)) => {
            for g in &given {
                out.push((Rule::TrainGivenYear, key(Rule::TrainGivenYear, &[g, &y])));
            }
        }
        (TrainingBlock::SurnameGiven, _) => {
            for s in &sur {
                for g in &given {
                    out.push((Rule::SurnameGiven, key(Rule::SurnameGiven, &[s, g])));
                }
            }
        }
        (TrainingBlock::SurnameCountyYear, Some(y)) => {
            for s in &sur {
                for c in county_parts(&r.place) {
                    out.push((
                        Rule::SurnameCountyYear,
                        key(Rule::SurnameCountyYear, &[s, &c, &y]),
                    ));
                }
            }
        }
        _ => {}
    }
    out.sort_unstable_by_key(|x| x.1);
    out.dedup_by_key(|x| x.1);
    out
}

/// The person index: every distinct key once (sorted), the persons of each
/// key in one flat vector (offsets delimit the blocks), and an
/// open-addressing table from key to its position, so a lookup is one probe
/// sequence instead of a binary search. No per-key allocation: about
/// 4 bytes per (key, person) entry plus 17–22 per distinct key.
#[derive(Debug, Default)]
pub struct Index {
    keys: Vec<u64>,
    /// `persons[offsets[i]..offsets[i + 1]]` is the block of `keys[i]`.
    offsets: Vec<u32>,
    persons: Vec<u32>,
    /// Slot → key position + 1 in the low `position_bits` bits (0 =
    /// empty), the high bits of the key's upper half above them (a
    /// fingerprint: a probe passes over other keys without reading
    /// `keys`); length a power of two, at most 80 % full.
    table: Vec<u32>,
    position_bits: u32,
}

impl Index {
    /// Builds the index from per-person key lists.
    pub fn build(keys: &[Vec<u64>]) -> Self {
        Self::build_with(keys.len(), |i| keys[i].clone())
    }

    /// Builds the index over `n` persons, asking for each person's keys
    /// twice (to count, then to fill; in parallel, a slice of persons at a
    /// time).
    pub fn build_with(n: usize, keys_of: impl Fn(usize) -> Vec<u64> + Sync) -> Self {
        Self::build_bounded(n, |i| keys_of(i).len(), &keys_of)
    }

    /// Builds the index over `n` persons from each person's keys
    /// (`keys_of`, asked once per person) and a bound on their number
    /// (`bound_of`, cheap: no hashing). The (key, person) entries are
    /// written in parallel into one vector sized by the bounds (slots a
    /// person leaves unused hold a filler that sorts last), sorted, and
    /// compacted: an entry takes 12 bytes (the key's halves and the
    /// person, three `u32`s) instead of a padded 16, and the blocks'
    /// persons are written over the sorted entries themselves, so the
    /// build's transient peak is the entries plus the distinct keys, not
    /// the entries plus the whole index.
    pub fn build_bounded(
        n: usize,
        bound_of: impl Fn(usize) -> usize + Sync,
        keys_of: impl Fn(usize) -> Vec<u64> + Sync,
    ) -> Self {
        use rayon::prelude::*;
        /// The key's high and low halves and the person: sorts as
        /// (key, person). The filler is above every real entry, whose
        /// person number is below `u32::MAX`.
        type Entry = [u32; 3];
        const FILLER: Entry = [u32::MAX; 3];
        const SLICE: usize = 4096;
        let slices = n.div_ceil(SLICE);
        let range = |c: usize| c * SLICE..((c + 1) * SLICE).min(n);
        let counts: Vec<usize> = (0..slices)
            .into_par_iter()
            .map(|c| range(c).map(&bound_of).sum())
            .collect();
        // The entries, three u32s each, in one flat vector (it becomes the
        // persons' vector below).
        let mut flat: Vec<u32> = vec![u32::MAX; 3 * counts.iter().sum::<usize>()];
        let (entries, _) = flat.as_chunks_mut::<3>();
        let mut parts: Vec<(usize, &mut [Entry])> = Vec::with_capacity(slices);
        let mut rest: &mut [Entry] = entries;
        for (c, &k) in counts.iter().enumerate() {
            let (head, tail) = rest.split_at_mut(k);
            parts.push((c, head));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(c, out)| {
            let mut at = 0;
            for i in range(c) {
                let keys = keys_of(i);
                assert!(
                    at + keys.len() <= out.len(),
                    "a person has more keys than its bound"
                );
                for k in keys {
                    out[at] = [(k >> 32) as u32, k as u32, i as u32];
                    at += 1;
                }
            }
        });
        entries.par_sort_unstable();
        let used = entries.partition_point(|e| *e < FILLER);
        let entries = &entries[..used];
        let key_of = |e: &Entry| (u64::from(e[0]) << 32) | u64::from(e[1]);
        let distinct = if entries.is_empty() {
            0
        } else {
            1 + entries
                .par_windows(2)
                .filter(|w| key_of(&w[0]) != key_of(&w[1]))
                .count()
        };
        let mut keys: Vec<u64> = Vec::with_capacity(distinct);
        let mut offsets: Vec<u32> = Vec::with_capacity(distinct + 1);
        // Entry j is read (from flat[3j..3j + 3]) before its person is
        // written to flat[j], and j ≤ 3j: each write lands on an entry
        // already read.
        for j in 0..used {
            let e = [flat[3 * j], flat[3 * j + 1], flat[3 * j + 2]];
            let k = key_of(&e);
            if keys.last() != Some(&k) {
                keys.push(k);
                offsets.push(j as u32);
            }
            flat[j] = e[2];
        }
        offsets.push(used as u32);
        flat.truncate(used);
        flat.shrink_to_fit();
        let mut out = Self {
            keys,
            offsets,
            persons: flat,
            table: Vec::new(),
            position_bits: 0,
        };
        let n_keys = out.keys.len();
        let size = (n_keys + n_keys / 4).next_power_of_two().max(16);
        out.position_bits = (u32::BITS - (n_keys as u32).leading_zeros()).max(1);
        let fingerprint = out.fingerprint_mask();
        let mut table = vec![0u32; size];
        let mask = size - 1;
        for (i, &k) in out.keys.iter().enumerate() {
            let mut slot = (k as usize) & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = (i as u32 + 1) | ((k >> 32) as u32 & fingerprint);
        }
        out.table = table;
        out
    }

    /// The table bits that hold a key's fingerprint.
    fn fingerprint_mask(&self) -> u32 {
        u32::MAX.checked_shl(self.position_bits).unwrap_or(0)
    }

    fn block(&self, key: u64) -> &[u32] {
        if self.table.is_empty() {
            return &[];
        }
        let mask = self.table.len() - 1;
        let fingerprint = self.fingerprint_mask();
        let want = (key >> 32) as u32 & fingerprint;
        let mut slot = (key as usize) & mask;
        loop {
            match self.table[slot] {
                0 => return &[],
                e if e & fingerprint == want => {
                    let i = ((e & !fingerprint) - 1) as usize;
                    if self.keys[i] == key {
                        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
                        return &self.persons[a..b];
                    }
                }
                _ => {}
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Each key's block with its size and the key ([`Index::block`] for
    /// each). The keys' first table slots are read in one pass before any
    /// is examined: a request has tens of keys, each slot is a cache miss
    /// in a table larger than the core's cache, and loads issued together
    /// overlap instead of waiting one after the other. A first slot that
    /// is empty, or holds the key, settles the key; otherwise the probe
    /// starts over as [`Index::block`] does, so the blocks are the same.
    fn blocks_of<'a>(
        &'a self,
        keys: &'a [(Rule, u64)],
    ) -> impl Iterator<Item = (usize, u64, &'a [u32])> + 'a {
        let mask = self.table.len().wrapping_sub(1);
        let first_slots: SmallVec<[u32; 64]> = if self.table.is_empty() {
            SmallVec::new()
        } else {
            keys.iter()
                .map(|&(_, k)| self.table[(k as usize) & mask])
                .collect()
        };
        let fingerprint = self.fingerprint_mask();
        keys.iter().enumerate().map(move |(j, &(_, k))| {
            let b = match first_slots.get(j) {
                None => &[][..],
                Some(0) => &[][..],
                Some(&e) if e & fingerprint == (k >> 32) as u32 & fingerprint => {
                    let i = ((e & !fingerprint) - 1) as usize;
                    if self.keys[i] == k {
                        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
                        &self.persons[a..b]
                    } else {
                        self.block(k)
                    }
                }
                Some(_) => self.block(k),
            };
            (b.len(), k, b)
        })
    }

    /// Candidate persons for a request: union over its keys, skipping
    /// blocks larger than `max_block`. Sorted, without duplicates.
    pub fn candidates(&self, keys: &[(Rule, u64)], max_block: usize) -> Vec<u32> {
        let mut out = Vec::new();
        for (_, k) in keys {
            let b = self.block(*k);
            if b.len() <= max_block {
                out.extend_from_slice(b);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Candidate persons for a request within a budget: blocks are taken
    /// from the smallest (the most specific key) up, and a block is added
    /// only while the candidates gathered so far plus the block stay within
    /// `budget` (the smallest block is always taken, if within `max_block`).
    /// Large blocks say least about the request, and a list ten times
    /// longer makes every block ten times larger; the budget keeps the work
    /// per request bounded whatever the list's length. Sorted, without
    /// duplicates.
    pub fn candidates_within(
        &self,
        keys: &[(Rule, u64)],
        max_block: usize,
        budget: usize,
    ) -> Vec<u32> {
        let mut blocks: SmallVec<[(usize, u64, &[u32]); 64]> = self
            .blocks_of(keys)
            .filter(|(n, _, _)| *n > 0 && *n <= max_block)
            .collect();
        blocks.sort_unstable_by_key(|&(n, k, _)| (n, k));
        // The blocks taken, then one allocation of their total length.
        let (mut taken, mut total) = (0, 0);
        for (i, &(n, _, _)) in blocks.iter().enumerate() {
            if i > 0 && total + n > budget {
                break;
            }
            (taken, total) = (i + 1, total + n);
        }
        let mut out: Vec<u32> = Vec::with_capacity(total);
        for &(_, _, b) in &blocks[..taken] {
            out.extend_from_slice(b);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Size of one block (debugging, reports).
    pub fn block_len(&self, key: u64) -> usize {
        self.block(key).len()
    }

    /// Number of (key, person) entries.
    pub fn len(&self) -> usize {
        self.persons.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }

    /// Bytes the index holds (keys, offsets, persons, lookup table).
    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.offsets.capacity() * 4
            + self.persons.capacity() * 4
            + self.table.capacity() * 4
    }

    /// Number of distinct keys.
    pub fn distinct_keys(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parts_hash_like_their_text() {
        for n in [0u16, 7, 10, 99, 100, 1234, 12345, 65535] {
            for tag in ["c:", "g:"] {
                let text = format!("{tag}{n}");
                assert_eq!(
                    key(Rule::SurnameCounty, &[&Tagged::Num(tag, n), &1950i32]),
                    key(Rule::SurnameCounty, &[&text, &1950i32]),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn keys_from_a_prefix_are_the_whole_keys() {
        let given = Tagged::Text("kimcheolsu".into());
        let whole = key(Rule::Given, &[&given, &1950i32, &3u16]);
        let prefix = key_prefix(Rule::Given, &[&given]);
        let with_year = key_extend(&prefix, &[&1950i32]);
        assert_eq!(key_after(&with_year, &[&3u16]), whole);
        assert_eq!(key_after(&prefix, &[&1950i32, &3u16]), whole);
        // The prefix is copied, not used up: another year from it.
        assert_eq!(
            key_after(&prefix, &[&1951i32, &3u16]),
            key(Rule::Given, &[&given, &1951i32, &3u16])
        );
        assert_ne!(key_after(&prefix, &[&1951i32, &3u16]), whole);
    }

    #[test]
    fn merged_slices_give_the_index_of_one_sort() {
        // 10,000 persons (three slices), keys shared within and across
        // slices, one person with a key twice.
        let n = 10_000usize;
        let keys: Vec<Vec<u64>> = (0..n)
            .map(|i| {
                let mut k = vec![
                    (i % 97) as u64,
                    1_000 + (i * 7 % 1_313) as u64,
                    u64::MAX - i as u64,
                ];
                if i == 5_000 {
                    k.push(3);
                    k.push(3);
                }
                k
            })
            .collect();
        let index = Index::build(&keys);
        let mut entries: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .flat_map(|(i, ks)| ks.iter().map(move |&k| (k, i as u32)))
            .collect();
        entries.sort_unstable();
        let mut want_keys: Vec<u64> = entries.iter().map(|e| e.0).collect();
        want_keys.dedup();
        assert_eq!(index.keys, want_keys);
        assert_eq!(index.len(), entries.len());
        for k in want_keys {
            let want: Vec<u32> = entries.iter().filter(|e| e.0 == k).map(|e| e.1).collect();
            assert_eq!(index.block(k), &want[..], "key {k}");
        }
        assert!(index.block(999_999).is_empty());
        assert_eq!(index.block(3).iter().filter(|&&p| p == 5_000).count(), 2);
    }
}
