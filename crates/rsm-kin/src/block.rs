//! Blocking: several keys per record, unioned. A pair is a candidate when
//! the request and the person share any key. Keys are script-independent
//! (surname class + phonetic key of the given name …) so Hangul and
//! romanised records meet. Blocks larger than a cap are skipped for that key.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::features::{PerFeatures, ReqFeatures};
use crate::hangul;
use crate::names::Name;

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

trait KeyPart {
    fn feed(&self, h: &mut DefaultHasher);
}
impl KeyPart for str {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
    }
}
impl KeyPart for String {
    fn feed(&self, h: &mut DefaultHasher) {
        self.hash(h);
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

/// Surname keys: class ids, or the South-spelled surname when unknown.
fn surname_keys(n: &Name) -> Vec<String> {
    let mut out = Vec::new();
    for p in &n.parses {
        if p.surname.is_empty() {
            continue;
        }
        if p.classes.is_empty() {
            out.push(format!("s:{}", hangul::phonetic_key(&p.surname)));
        } else {
            out.extend(p.classes.iter().map(|c| format!("c:{c}")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Given-name keys (phonetic), with childhood forms.
fn given_keys(n: &Name) -> Vec<String> {
    let mut out = Vec::new();
    for p in &n.parses {
        if p.given_key.is_empty() {
            continue;
        }
        out.push(p.given_key.clone());
        out.extend(p.variant_keys.iter().cloned());
    }
    out.sort();
    out.dedup();
    out
}

/// First syllables (South spelling) of Hangul given names of two or more
/// syllables, and of one-syllable childhood stems (영이 → 영).
fn initial_syllables(n: &Name) -> Vec<char> {
    let mut out = Vec::new();
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
fn father_surname_keys(father: &Name, own: &[String]) -> Vec<String> {
    let f = surname_keys(father);
    if f.is_empty() { own.to_vec() } else { f }
}

fn county_parts(place: &crate::features::Place) -> Vec<String> {
    if !place.county_ids.is_empty() {
        place.county_ids.iter().map(|i| format!("g:{i}")).collect()
    } else if !place.county_stem.is_empty() {
        vec![format!("k:{}", hangul::phonetic_key(&place.county_stem))]
    } else {
        Vec::new()
    }
}

/// Old-province bits as key parts; 255 stands for "unknown". The index
/// side files an unknown province under 255; the query side asks for its
/// provinces and 255.
fn province_bits(set: crate::gazetteer::ProvinceSet, index_side: bool) -> Vec<u16> {
    let mut v: Vec<u16> = (0..8u16).filter(|b| set & (1 << b) != 0).collect();
    if v.is_empty() == index_side {
        v.push(255);
    }
    v
}

/// Old-province bits a request asks for when a key must hold a province:
/// its provinces and "unknown", or every province when it names none.
fn query_province_bits(set: crate::gazetteer::ProvinceSet) -> Vec<u16> {
    if set == 0 {
        (0..8u16).chain([255]).collect()
    } else {
        province_bits(set, false)
    }
}

/// Keys of a person (index side).
pub fn person_keys(p: &PerFeatures) -> Vec<u64> {
    let mut out = Vec::new();
    let sur = surname_keys(&p.name);
    let given = given_keys(&p.name);
    let counties = county_parts(&p.place);
    let years: Vec<i32> = p
        .years
        .map(|(a, b)| b.map_or(vec![a], |b| vec![a, b]))
        .unwrap_or_default();
    for s in &sur {
        for g in &given {
            out.push(key(Rule::SurnameGiven, &[s, g]));
        }
        for y in &years {
            for b in province_bits(p.place.provinces, true) {
                out.push(key(Rule::SurnameYear, &[s, y, &b]));
            }
        }
        for c in &counties {
            out.push(key(Rule::SurnameCounty, &[s, c]));
            for y in &years {
                out.push(key(Rule::SurnameCountyYear, &[s, c, y]));
            }
        }
        for i in initial_syllables(&p.name) {
            for y in &years {
                out.push(key(Rule::SurnameInitialYear, &[s, &i, y]));
            }
        }
    }
    let provinces = province_bits(p.place.provinces, true);
    for s in father_surname_keys(&p.father, &sur) {
        for f in given_keys(&p.father) {
            for b in &provinces {
                out.push(key(Rule::SurnameFather, &[&s, &f, b]));
            }
        }
    }
    for g in &given {
        for y in &years {
            for b in &provinces {
                out.push(key(Rule::Given, &[g, y, b]));
            }
            out.push(key(Rule::TrainGivenYear, &[g, y]));
        }
    }
    for (_, rel) in &p.relatives {
        for s in surname_keys(rel) {
            for g in given_keys(rel) {
                out.push(key(Rule::Relative, &[&s, &g]));
            }
        }
    }
    for c in &counties {
        for y in &years {
            out.push(key(Rule::CountyYear, &[c, y]));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Keys of a request (query side), each with its rule.
pub fn request_keys(r: &ReqFeatures) -> Vec<(Rule, u64)> {
    let mut out = Vec::new();
    let sur = surname_keys(&r.name);
    let given = given_keys(&r.name);
    let counties = county_parts(&r.place);
    let years: Vec<i32> = r
        .year
        .map(|y| (y - 2..=y + 2).collect())
        .unwrap_or_default();
    for s in &sur {
        for g in &given {
            out.push((Rule::SurnameGiven, key(Rule::SurnameGiven, &[s, g])));
        }
        // Surname and year: narrowed by the county when there is one (a
        // common surname's block over a whole province grows with the list),
        // by the province otherwise; surname and county alone when the year
        // is not known.
        if counties.is_empty() {
            for y in &years {
                for b in province_bits(r.place.provinces, false) {
                    out.push((Rule::SurnameYear, key(Rule::SurnameYear, &[s, y, &b])));
                }
            }
        } else if years.is_empty() {
            for c in &counties {
                out.push((Rule::SurnameCounty, key(Rule::SurnameCounty, &[s, c])));
            }
        } else {
            for c in &counties {
                for y in &years {
                    out.push((
                        Rule::SurnameCountyYear,
                        key(Rule::SurnameCountyYear, &[s, c, y]),
                    ));
                }
            }
        }
        for i in initial_syllables(&r.name) {
            for y in &years {
                out.push((
                    Rule::SurnameInitialYear,
                    key(Rule::SurnameInitialYear, &[s, &i, y]),
                ));
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
            for b in &provinces {
                out.push((Rule::SurnameFather, key(Rule::SurnameFather, &[&s, &f, b])));
            }
        }
    }
    for g in &given {
        for y in &years {
            for b in &provinces {
                out.push((Rule::Given, key(Rule::Given, &[g, y, b])));
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
        let ys: Vec<i32> = r
            .year
            .map(|y| (y - 1..=y + 1).collect())
            .unwrap_or_default();
        for c in &counties {
            for y in &ys {
                out.push((Rule::CountyYear, key(Rule::CountyYear, &[c, y])));
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
/// 4 bytes per (key, person) entry plus 20 per distinct key.
#[derive(Debug, Default)]
pub struct Index {
    keys: Vec<u64>,
    /// `persons[offsets[i]..offsets[i + 1]]` is the block of `keys[i]`.
    offsets: Vec<u32>,
    persons: Vec<u32>,
    /// Slot → key position + 1 (0 = empty); length a power of two.
    table: Vec<u32>,
}

impl Index {
    /// Builds the index from per-person key lists.
    pub fn build(keys: &[Vec<u64>]) -> Self {
        Self::build_with(keys.len(), |i| keys[i].clone())
    }

    /// Builds the index over `n` persons, asking for each person's keys
    /// (in parallel, a slice of persons at a time): the keys are never all
    /// held per person, only as the flat (key, person) entries being sorted.
    pub fn build_with(n: usize, keys_of: impl Fn(usize) -> Vec<u64> + Sync) -> Self {
        use rayon::prelude::*;
        // Two passes over slices of persons: count the entries, then fill
        // one vector of exactly that size (no second copy while building).
        const SLICE: usize = 4096;
        let slices = n.div_ceil(SLICE);
        let range = |c: usize| c * SLICE..((c + 1) * SLICE).min(n);
        let counts: Vec<usize> = (0..slices)
            .into_par_iter()
            .map(|c| range(c).map(|i| keys_of(i).len()).sum())
            .collect();
        let mut entries: Vec<(u64, u32)> = vec![(0, 0); counts.iter().sum()];
        let mut parts: Vec<(usize, &mut [(u64, u32)])> = Vec::with_capacity(slices);
        let mut rest: &mut [(u64, u32)] = &mut entries;
        for (c, &k) in counts.iter().enumerate() {
            let (head, tail) = rest.split_at_mut(k);
            parts.push((c, head));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(c, out)| {
            let mut at = 0;
            for i in range(c) {
                for k in keys_of(i) {
                    out[at] = (k, i as u32);
                    at += 1;
                }
            }
        });
        entries.par_sort_unstable();
        let mut out = Self {
            keys: Vec::new(),
            offsets: Vec::new(),
            persons: Vec::with_capacity(entries.len()),
            table: Vec::new(),
        };
        for (k, p) in entries {
            if out.keys.last() != Some(&k) {
                out.keys.push(k);
                out.offsets.push(out.persons.len() as u32);
            }
            out.persons.push(p);
        }
        out.offsets.push(out.persons.len() as u32);
        out.keys.shrink_to_fit();
        out.offsets.shrink_to_fit();
        let size = (out.keys.len() * 2).next_power_of_two().max(16);
        let mut table = vec![0u32; size];
        let mask = size - 1;
        for (i, &k) in out.keys.iter().enumerate() {
            let mut slot = (k as usize) & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = i as u32 + 1;
        }
        out.table = table;
        out
    }

    fn block(&self, key: u64) -> &[u32] {
        if self.table.is_empty() {
            return &[];
        }
        let mask = self.table.len() - 1;
        let mut slot = (key as usize) & mask;
        loop {
            match self.table[slot] {
                0 => return &[],
                i => {
                    let i = (i - 1) as usize;
                    if self.keys[i] == key {
                        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
                        return &self.persons[a..b];
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
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
        let mut blocks: Vec<(usize, u64, &[u32])> = keys
            .iter()
            .map(|&(_, k)| {
                let b = self.block(k);
                (b.len(), k, b)
            })
            .filter(|(n, _, _)| *n > 0 && *n <= max_block)
            .collect();
        blocks.sort_unstable_by_key(|&(n, k, _)| (n, k));
        let mut out: Vec<u32> = Vec::new();
        for (i, (n, _, b)) in blocks.into_iter().enumerate() {
            if i > 0 && out.len() + n > budget {
                break;
            }
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
