//! Documents: symbols by series, their allocation, distribution levels, language versions
//! and the content digest of every issued version.
//!
//! A [`Symbol`] is parsed once and is valid from then on: `MC.DEC/3/26` is body `MC`, series
//! `DEC`, number 3, year 2026 (two digits); `MC.JOUR/5` is a series without a year;
//! suffixes follow in the fixed order `/Rev.n`, `/Add.n`, `/Corr.n` (a revision, an addendum
//! to it, a corrigendum to that), each at most once.

use std::{collections::BTreeMap, collections::BTreeSet, fmt, str::FromStr};

use jiff::Timestamp;
use sha2::Digest as _;

use crate::body::BodyId;

/// Why a symbol, an allocation or a language version is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error(
        "`{input}` is not a document symbol ({why}); expected e.g. MC.DEC/3/26, MC.JOUR/5 or SEC.GAL/12/26/Rev.1"
    )]
    BadSymbol { input: String, why: &'static str },
    #[error("`{0}` is not a symbol prefix: use 1–8 characters A-Z and 0-9, starting with a letter")]
    BadPrefix(String),
    #[error("`{0}` is not a series: use 2–8 characters A-Z")]
    BadSeries(String),
    #[error("symbol {0} is already assigned")]
    DuplicateSymbol(Symbol),
    #[error("no document has the symbol {0}")]
    NoSuchSymbol(Symbol),
    #[error("{0}: a new document needs a base symbol, without /Rev., /Add. or /Corr.")]
    NotBase(Symbol),
    #[error("`{0}` is not a language: expected one of en, zh, ja, ko, ru")]
    UnknownLanguage(String),
    #[error("{symbol} already has a {language} version")]
    VersionExists { symbol: Symbol, language: Language },
    #[error("{symbol} has no {language} version")]
    NoSuchVersion { symbol: Symbol, language: Language },
    #[error(
        "the {language} version of {symbol} was issued at {at}: an issued version never changes; issue a revision or a corrigendum under a new symbol"
    )]
    AlreadyIssued {
        symbol: Symbol,
        language: Language,
        at: Timestamp,
    },
    #[error(
        "the {language} version of {symbol} is still in translation: it cannot be issued before its original"
    )]
    OriginalNotIssued { symbol: Symbol, language: Language },
    #[error("`{0}` is not a SHA-256 digest: expected 64 lower-case hex digits")]
    BadDigest(String),
    #[error("document title must not be empty")]
    EmptyTitle,
    #[error("{symbol} has {count} original versions: a document has exactly one")]
    OriginalCount { symbol: Symbol, count: usize },
}

/// The organ part of a symbol: `MC`, `SEC`, `WGS`… (1–8 of `A-Z0-9`, starting with a letter).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SymbolPrefix(String);

impl SymbolPrefix {
    pub fn parse(s: &str) -> Result<Self, DocumentError> {
        let ok = (1..=8).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DocumentError::BadPrefix(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SymbolPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document series: `DEC` (decisions), `JOUR` (journals), `GAL` (general distribution)…
/// (2–8 of `A-Z`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Series(String);

impl Series {
    pub fn parse(s: &str) -> Result<Self, DocumentError> {
        if (2..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(DocumentError::BadSeries(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The decisions series, `DEC`.
    pub fn decisions() -> Self {
        Self("DEC".into())
    }
    /// The journals series, `JOUR`.
    pub fn journals() -> Self {
        Self("JOUR".into())
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The suffixes of a symbol, in their fixed order: `/Rev.n`, then `/Add.n`, then `/Corr.n`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Suffixes {
    pub rev: Option<u32>,
    pub add: Option<u32>,
    pub corr: Option<u32>,
}

impl Suffixes {
    pub fn is_empty(&self) -> bool {
        self.rev.is_none() && self.add.is_none() && self.corr.is_none()
    }
}

/// A document symbol. Its fields can only be set through [`Symbol::parse`] or the
/// constructors, so every value formats to a symbol that parses back to itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol {
    prefix: SymbolPrefix,
    series: Series,
    number: u32,
    /// Two-digit year (0–99), or none for series numbered without a year.
    year: Option<u8>,
    suffixes: Suffixes,
}

impl Symbol {
    /// A base symbol (no suffixes). `number` must be at least 1; `year` is the full
    /// calendar year (only its last two digits are written) or `None`.
    pub fn new(
        prefix: SymbolPrefix,
        series: Series,
        number: u32,
        year: Option<i16>,
    ) -> Result<Self, DocumentError> {
        if number == 0 {
            return Err(DocumentError::BadSymbol {
                input: format!("{prefix}.{series}/0"),
                why: "numbers start at 1",
            });
        }
        Ok(Self {
            prefix,
            series,
            number,
            year: year.map(|y| y.rem_euclid(100) as u8),
            suffixes: Suffixes::default(),
        })
    }

    pub fn parse(s: &str) -> Result<Self, DocumentError> {
        let bad = |why| DocumentError::BadSymbol {
            input: s.to_owned(),
            why,
        };
        let mut parts = s.split('/');
        let head = parts.next().unwrap_or_default();
        let (prefix, series) = head
            .split_once('.')
            .ok_or_else(|| bad("no `.` between body and series"))?;
        let prefix = SymbolPrefix::parse(prefix).map_err(|_| bad("bad body prefix"))?;
        let series = Series::parse(series).map_err(|_| bad("bad series"))?;
        let number = parts
            .next()
            .ok_or_else(|| bad("no number"))
            .and_then(|n| parse_positive(n).ok_or_else(|| bad("bad number")))?;
        let mut year = None;
        let mut suffixes = Suffixes::default();
        // 0: year allowed; 1: Rev allowed; 2: Add allowed; 3: Corr allowed; 4: nothing.
        let mut stage = 0;
        for part in parts {
            if stage == 0 && part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()) {
                year = Some(part.parse::<u8>().map_err(|_| bad("bad year"))?);
                stage = 1;
                continue;
            }
            let (kind, n) = part
                .split_once('.')
                .ok_or_else(|| bad("a suffix is /Rev.n, /Add.n or /Corr.n"))?;
            let n = parse_positive(n).ok_or_else(|| bad("bad suffix number"))?;
            let order = match kind {
                "Rev" => 1,
                "Add" => 2,
                "Corr" => 3,
                _ => return Err(bad("a suffix is /Rev.n, /Add.n or /Corr.n")),
            };
            if order < stage.max(1) {
                return Err(bad(
                    "suffixes go in the order /Rev., /Add., /Corr., each once",
                ));
            }
            match order {
                1 => suffixes.rev = Some(n),
                2 => suffixes.add = Some(n),
                _ => suffixes.corr = Some(n),
            }
            stage = order + 1;
        }
        Ok(Self {
            prefix,
            series,
            number,
            year,
            suffixes,
        })
    }

    pub fn prefix(&self) -> &SymbolPrefix {
        &self.prefix
    }
    pub fn series(&self) -> &Series {
        &self.series
    }
    pub fn number(&self) -> u32 {
        self.number
    }
    /// The two-digit year, if the series carries one.
    pub fn year(&self) -> Option<u8> {
        self.year
    }
    pub fn suffixes(&self) -> Suffixes {
        self.suffixes
    }
    pub fn is_base(&self) -> bool {
        self.suffixes.is_empty()
    }

    /// The symbol without its suffixes.
    pub fn base(&self) -> Self {
        Self {
            suffixes: Suffixes::default(),
            ..self.clone()
        }
    }

    /// The symbol of the next revision: `/Rev.n+1` of the base (a revision replaces the
    /// whole text, so addenda and corrigenda of the old text do not carry over).
    pub fn next_revision(&self) -> Self {
        Self {
            suffixes: Suffixes {
                rev: Some(self.suffixes.rev.map_or(1, |n| n + 1)),
                add: None,
                corr: None,
            },
            ..self.clone()
        }
    }

    /// An addendum `n` to this symbol's text (keeps a revision, drops a corrigendum).
    pub fn with_addendum(&self, n: u32) -> Self {
        Self {
            suffixes: Suffixes {
                add: Some(n.max(1)),
                corr: None,
                ..self.suffixes
            },
            ..self.clone()
        }
    }

    /// A corrigendum `n` to this symbol's text.
    pub fn with_corrigendum(&self, n: u32) -> Self {
        Self {
            suffixes: Suffixes {
                corr: Some(n.max(1)),
                ..self.suffixes
            },
            ..self.clone()
        }
    }
}

fn parse_positive(s: &str) -> Option<u32> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}/{}", self.prefix, self.series, self.number)?;
        if let Some(y) = self.year {
            write!(f, "/{y:02}")?;
        }
        if let Some(n) = self.suffixes.rev {
            write!(f, "/Rev.{n}")?;
        }
        if let Some(n) = self.suffixes.add {
            write!(f, "/Add.{n}")?;
        }
        if let Some(n) = self.suffixes.corr {
            write!(f, "/Corr.{n}")?;
        }
        Ok(())
    }
}

impl FromStr for Symbol {
    type Err = DocumentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The symbols already assigned, and the next free number per (prefix, series, year).
///
/// Build it from every stored symbol; it refuses duplicates, so a unique symbol is never
/// handed out twice.
#[derive(Debug, Clone, Default)]
pub struct SymbolRegistry {
    assigned: BTreeSet<Symbol>,
    highest: BTreeMap<(SymbolPrefix, Series, Option<u8>), u32>,
}

impl SymbolRegistry {
    /// A registry of `existing` symbols; the first duplicate is an error.
    pub fn from_existing(
        existing: impl IntoIterator<Item = Symbol>,
    ) -> Result<Self, DocumentError> {
        let mut registry = Self::default();
        for s in existing {
            registry.register(s)?;
        }
        Ok(registry)
    }

    /// Records `symbol` as assigned, refusing a duplicate.
    pub fn register(&mut self, symbol: Symbol) -> Result<(), DocumentError> {
        if self.assigned.contains(&symbol) {
            return Err(DocumentError::DuplicateSymbol(symbol));
        }
        let key = (symbol.prefix.clone(), symbol.series.clone(), symbol.year);
        let high = self.highest.entry(key).or_default();
        *high = (*high).max(symbol.number);
        self.assigned.insert(symbol);
        Ok(())
    }

    pub fn contains(&self, symbol: &Symbol) -> bool {
        self.assigned.contains(symbol)
    }

    /// The next base symbol of a series: one past the highest number used for that
    /// (prefix, series, year), gaps left as they are. Not yet registered.
    pub fn next(&self, prefix: &SymbolPrefix, series: &Series, year: Option<i16>) -> Symbol {
        let year2 = year.map(|y| y.rem_euclid(100) as u8);
        let high = self
            .highest
            .get(&(prefix.clone(), series.clone(), year2))
            .copied()
            .unwrap_or(0);
        Symbol {
            prefix: prefix.clone(),
            series: series.clone(),
            number: high + 1,
            year: year2,
            suffixes: Suffixes::default(),
        }
    }

    /// [`SymbolRegistry::next`], registered at once.
    pub fn allocate(
        &mut self,
        prefix: &SymbolPrefix,
        series: &Series,
        year: Option<i16>,
    ) -> Symbol {
        let symbol = self.next(prefix, series, year);
        self.register(symbol.clone())
            .expect("one past the highest number is free");
        symbol
    }
}

/// What follows an existing document: a revision (`/Rev.n`, the whole text again), an
/// addendum (`/Add.n`) or a corrigendum (`/Corr.n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUp {
    Revision,
    Addendum,
    Corrigendum,
}

impl FollowUp {
    pub const ALL: [Self; 3] = [Self::Revision, Self::Addendum, Self::Corrigendum];

    /// `rev`, `add` or `corr`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revision => "rev",
            Self::Addendum => "add",
            Self::Corrigendum => "corr",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl SymbolRegistry {
    /// The symbol of the next revision, addendum or corrigendum of `of`, which must be
    /// assigned: a revision is `/Rev.n` of the base, one past the highest revision of that
    /// base; an addendum keeps `of`'s revision and takes the next `/Add.n` of that text; a
    /// corrigendum keeps the revision and addendum of `of` and takes the next `/Corr.n`.
    /// Not yet registered.
    pub fn next_follow_up(&self, of: &Symbol, kind: FollowUp) -> Result<Symbol, DocumentError> {
        if !self.contains(of) {
            return Err(DocumentError::NoSuchSymbol(of.clone()));
        }
        let same_base = |s: &&Symbol| s.base() == of.base();
        let next = |n: Option<u32>| n.map_or(1, |n| n + 1);
        let suffixes = match kind {
            FollowUp::Revision => Suffixes {
                rev: Some(next(
                    self.assigned
                        .iter()
                        .filter(same_base)
                        .filter_map(|s| s.suffixes.rev)
                        .max(),
                )),
                add: None,
                corr: None,
            },
            FollowUp::Addendum => Suffixes {
                rev: of.suffixes.rev,
                add: Some(next(
                    self.assigned
                        .iter()
                        .filter(same_base)
                        .filter(|s| s.suffixes.rev == of.suffixes.rev)
                        .filter_map(|s| s.suffixes.add)
                        .max(),
                )),
                corr: None,
            },
            FollowUp::Corrigendum => Suffixes {
                rev: of.suffixes.rev,
                add: of.suffixes.add,
                corr: Some(next(
                    self.assigned
                        .iter()
                        .filter(same_base)
                        .filter(|s| {
                            s.suffixes.rev == of.suffixes.rev && s.suffixes.add == of.suffixes.add
                        })
                        .filter_map(|s| s.suffixes.corr)
                        .max(),
                )),
            },
        };
        Ok(Symbol {
            suffixes,
            ..of.base()
        })
    }
}

/// Who may read a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Distribution {
    /// Anyone, including the public.
    Public,
    /// Delegations of participating parties and the secretariat.
    Limited,
    /// Members of one body only (and the secretariat); others must not learn it exists.
    Restricted(BodyId),
}

impl Distribution {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Limited => "limited",
            Self::Restricted(_) => "restricted",
        }
    }
}

/// The five working languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    En,
    Zh,
    Ja,
    Ko,
    Ru,
}

impl Language {
    pub const ALL: [Self; 5] = [Self::En, Self::Zh, Self::Ja, Self::Ko, Self::Ru];
    /// The BCP 47 tag: `en`, `zh`, `ja`, `ko`, `ru`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh",
            Self::Ja => "ja",
            Self::Ko => "ko",
            Self::Ru => "ru",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = DocumentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| DocumentError::UnknownLanguage(s.to_owned()))
    }
}

/// A SHA-256 digest, shown as 64 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(sha2::Sha256::digest(bytes).into())
    }

    pub fn parse(s: &str) -> Result<Self, DocumentError> {
        let bad = || DocumentError::BadDigest(s.to_owned());
        if s.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let hex = |b: u8| match b {
                b'0'..=b'9' => Some(b - b'0'),
                b'a'..=b'f' => Some(b - b'a' + 10),
                _ => None,
            };
            out[i] = hex(chunk[0]).ok_or_else(bad)? << 4 | hex(chunk[1]).ok_or_else(bad)?;
        }
        Ok(Self(out))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Where a language version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    /// The text in the language it was written in, not yet issued.
    Original,
    /// A translation being prepared.
    InTranslation,
    /// Issued: its content is fixed and its digest is in the log.
    Issued { digest: Sha256, at: Timestamp },
}

impl VersionStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::InTranslation => "in translation",
            Self::Issued { .. } => "issued",
        }
    }
}

/// One language version of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageVersion {
    pub language: Language,
    /// Whether this is the language the document was written in (exactly one is).
    pub original: bool,
    pub status: VersionStatus,
}

/// What gets entered in the log when a version is issued: the symbol, the language and the
/// SHA-256 of the exact bytes issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedVersion {
    pub symbol: Symbol,
    pub language: Language,
    pub digest: Sha256,
    pub at: Timestamp,
}

/// A document under one symbol. A revision is a new `Document` under
/// [`Symbol::next_revision`]; an issued version never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    symbol: Symbol,
    /// The body whose document it is (a working group's report stays the working group's
    /// even when it is on the Council's agenda).
    pub body: BodyId,
    pub title: String,
    pub distribution: Distribution,
    versions: BTreeMap<Language, LanguageVersion>,
}

impl Document {
    /// A new document whose original is in `original`. The symbol must not be assigned
    /// yet; it is registered.
    pub fn create(
        registry: &mut SymbolRegistry,
        symbol: Symbol,
        body: BodyId,
        title: &str,
        distribution: Distribution,
        original: Language,
    ) -> Result<Self, DocumentError> {
        if title.trim().is_empty() {
            return Err(DocumentError::EmptyTitle);
        }
        registry.register(symbol.clone())?;
        let versions = BTreeMap::from([(
            original,
            LanguageVersion {
                language: original,
                original: true,
                status: VersionStatus::Original,
            },
        )]);
        Ok(Self {
            symbol,
            body,
            title: title.trim().to_owned(),
            distribution,
            versions,
        })
    }

    /// Rebuilds a stored document; checks there is exactly one original.
    pub fn from_parts(
        symbol: Symbol,
        body: BodyId,
        title: String,
        distribution: Distribution,
        versions: Vec<LanguageVersion>,
    ) -> Result<Self, DocumentError> {
        let mut map = BTreeMap::new();
        for v in versions {
            if map.insert(v.language, v.clone()).is_some() {
                return Err(DocumentError::VersionExists {
                    symbol,
                    language: v.language,
                });
            }
        }
        let originals = map.values().filter(|v| v.original).count();
        if originals != 1 {
            return Err(DocumentError::OriginalCount {
                symbol,
                count: originals,
            });
        }
        Ok(Self {
            symbol,
            body,
            title,
            distribution,
            versions: map,
        })
    }

    pub fn symbol(&self) -> &Symbol {
        &self.symbol
    }

    /// The language versions, in language order.
    pub fn versions(&self) -> impl Iterator<Item = &LanguageVersion> {
        self.versions.values()
    }

    pub fn version(&self, language: Language) -> Option<&LanguageVersion> {
        self.versions.get(&language)
    }

    /// The original version (there is always exactly one).
    pub fn original(&self) -> &LanguageVersion {
        self.versions
            .values()
            .find(|v| v.original)
            .expect("a document has exactly one original")
    }

    /// Starts a translation into `language`.
    pub fn request_translation(&mut self, language: Language) -> Result<(), DocumentError> {
        if self.versions.contains_key(&language) {
            return Err(DocumentError::VersionExists {
                symbol: self.symbol.clone(),
                language,
            });
        }
        self.versions.insert(
            language,
            LanguageVersion {
                language,
                original: false,
                status: VersionStatus::InTranslation,
            },
        );
        Ok(())
    }

    /// Issues the `language` version with exactly `content`. Translations are issued
    /// after their original; a version is issued once.
    pub fn issue(
        &mut self,
        language: Language,
        content: &[u8],
        at: Timestamp,
    ) -> Result<IssuedVersion, DocumentError> {
        let original_issued = matches!(self.original().status, VersionStatus::Issued { .. });
        let symbol = self.symbol.clone();
        let version =
            self.versions
                .get_mut(&language)
                .ok_or_else(|| DocumentError::NoSuchVersion {
                    symbol: symbol.clone(),
                    language,
                })?;
        if let VersionStatus::Issued { at, .. } = version.status {
            return Err(DocumentError::AlreadyIssued {
                symbol,
                language,
                at,
            });
        }
        if !version.original && !original_issued {
            return Err(DocumentError::OriginalNotIssued { symbol, language });
        }
        let digest = Sha256::of(content);
        version.status = VersionStatus::Issued { digest, at };
        Ok(IssuedVersion {
            symbol,
            language,
            digest,
            at,
        })
    }

    /// A revision of this document: a new symbol (`/Rev.n+1`, registered), the same body,
    /// title and distribution, and a fresh original in `original`.
    pub fn revise(
        &self,
        registry: &mut SymbolRegistry,
        original: Language,
    ) -> Result<Self, DocumentError> {
        let mut symbol = self.symbol.next_revision();
        while registry.contains(&symbol) {
            symbol = symbol.next_revision();
        }
        Self::create(
            registry,
            symbol,
            self.body.clone(),
            &self.title,
            self.distribution.clone(),
            original,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_parse_and_format() {
        for s in [
            "MC.DEC/3/26",
            "MC.JOUR/5",
            "SEC.GAL/12/26",
            "MC.DEC/3/26/Rev.1",
            "MC.DEC/3/26/Corr.2",
            "WGS.INF/7/05/Rev.2/Add.1/Corr.1",
            "MC.JOUR/5/Add.1",
        ] {
            assert_eq!(Symbol::parse(s).unwrap().to_string(), s);
        }
        let s = Symbol::parse("MC.DEC/3/26").unwrap();
        assert_eq!(
            (
                s.prefix().as_str(),
                s.series().as_str(),
                s.number(),
                s.year()
            ),
            ("MC", "DEC", 3, Some(26))
        );
        assert_eq!(Symbol::parse("MC.JOUR/5").unwrap().year(), None);
        for bad in [
            "MC/3/26",
            "mc.DEC/3/26",
            "MC.DEC/03/26",
            "MC.DEC/0/26",
            "MC.DEC/3/2026",
            "MC.DEC/3/26/Corr.1/Rev.1",
            "MC.DEC/3/26/Rev.1/Rev.2",
            "MC.DEC/3/26/Rev.0",
            "MC.DEC/3/26/Amd.1",
            "MC.DEC",
            "MC.DEC/3/26/",
        ] {
            assert!(
                matches!(Symbol::parse(bad), Err(DocumentError::BadSymbol { .. })),
                "{bad} must be refused"
            );
        }
    }

    #[test]
    fn registry_numbers_per_series_and_year_and_refuses_duplicates() {
        let mc = SymbolPrefix::parse("MC").unwrap();
        let dec = Series::decisions();
        let existing = ["MC.DEC/1/26", "MC.DEC/2/26", "MC.DEC/1/27", "MC.JOUR/4"]
            .map(|s| Symbol::parse(s).unwrap());
        let mut r = SymbolRegistry::from_existing(existing.clone()).unwrap();
        assert_eq!(r.next(&mc, &dec, Some(2026)).to_string(), "MC.DEC/3/26");
        assert_eq!(r.next(&mc, &dec, Some(2028)).to_string(), "MC.DEC/1/28");
        assert_eq!(
            r.allocate(&mc, &Series::journals(), None).to_string(),
            "MC.JOUR/5"
        );
        assert_eq!(
            r.register(Symbol::parse("MC.DEC/2/26").unwrap()),
            Err(DocumentError::DuplicateSymbol(
                Symbol::parse("MC.DEC/2/26").unwrap()
            ))
        );
        let dup = existing.iter().chain(&existing[..1]).cloned();
        assert!(matches!(
            SymbolRegistry::from_existing(dup),
            Err(DocumentError::DuplicateSymbol(_))
        ));
    }

    #[test]
    fn follow_ups_take_the_next_free_suffix_of_their_text() {
        let existing = [
            "MC.DEC/3/26",
            "MC.DEC/3/26/Rev.1",
            "MC.DEC/3/26/Corr.1",
            "MC.DEC/3/26/Rev.1/Add.1",
            "MC.DEC/3/26/Rev.1/Add.1/Corr.1",
            "MC.DEC/4/26",
        ]
        .map(|s| Symbol::parse(s).unwrap());
        let r = SymbolRegistry::from_existing(existing).unwrap();
        let next = |of: &str, k| {
            r.next_follow_up(&Symbol::parse(of).unwrap(), k)
                .map(|s| s.to_string())
        };
        use FollowUp::*;
        assert_eq!(next("MC.DEC/3/26", Revision).unwrap(), "MC.DEC/3/26/Rev.2");
        assert_eq!(
            next("MC.DEC/3/26/Rev.1/Add.1", Revision).unwrap(),
            "MC.DEC/3/26/Rev.2"
        );
        assert_eq!(
            next("MC.DEC/3/26", Corrigendum).unwrap(),
            "MC.DEC/3/26/Corr.2"
        );
        assert_eq!(next("MC.DEC/3/26", Addendum).unwrap(), "MC.DEC/3/26/Add.1");
        assert_eq!(
            next("MC.DEC/3/26/Rev.1", Addendum).unwrap(),
            "MC.DEC/3/26/Rev.1/Add.2"
        );
        assert_eq!(
            next("MC.DEC/3/26/Rev.1/Add.1", Corrigendum).unwrap(),
            "MC.DEC/3/26/Rev.1/Add.1/Corr.2"
        );
        assert_eq!(next("MC.DEC/4/26", Revision).unwrap(), "MC.DEC/4/26/Rev.1");
        assert_eq!(
            next("MC.DEC/9/26", Revision),
            Err(DocumentError::NoSuchSymbol(
                Symbol::parse("MC.DEC/9/26").unwrap()
            ))
        );
        for k in FollowUp::ALL {
            assert_eq!(FollowUp::parse(k.as_str()), Some(k));
            let s = r
                .next_follow_up(&Symbol::parse("MC.DEC/3/26/Rev.1").unwrap(), k)
                .unwrap();
            assert!(!r.contains(&s), "{s} is free");
            assert_eq!(Symbol::parse(&s.to_string()).unwrap(), s);
        }
    }

    #[test]
    fn versions_have_one_original_and_are_issued_once() {
        let mut r = SymbolRegistry::default();
        let sym = Symbol::parse("SEC.GAL/12/26").unwrap();
        let body = BodyId::parse("ministerial-council").unwrap();
        let mut d = Document::create(
            &mut r,
            sym.clone(),
            body.clone(),
            "Annual report",
            Distribution::Public,
            Language::En,
        )
        .unwrap();
        assert!(matches!(
            Document::create(
                &mut r,
                sym.clone(),
                body,
                "x",
                Distribution::Public,
                Language::En
            ),
            Err(DocumentError::DuplicateSymbol(_))
        ));
        d.request_translation(Language::Ko).unwrap();
        assert!(matches!(
            d.request_translation(Language::En),
            Err(DocumentError::VersionExists { .. })
        ));
        let at: Timestamp = "2026-05-01T01:00:00Z".parse().unwrap();
        assert!(matches!(
            d.issue(Language::Ko, b"ko", at),
            Err(DocumentError::OriginalNotIssued { .. })
        ));
        let issued = d.issue(Language::En, b"text", at).unwrap();
        assert_eq!(issued.digest, Sha256::of(b"text"));
        assert_eq!(
            issued.digest.to_string(),
            "982d9e3eb996f559e633f4d194def3761d909f5a3b647d1a851fead67c32c9d1"
        );
        assert_eq!(Sha256::parse(&issued.digest.to_string()), Ok(issued.digest));
        assert!(matches!(
            d.issue(Language::En, b"changed", at),
            Err(DocumentError::AlreadyIssued { .. })
        ));
        assert!(matches!(
            d.issue(Language::Ru, b"ru", at),
            Err(DocumentError::NoSuchVersion { .. })
        ));
        d.issue(Language::Ko, b"ko", at).unwrap();
        assert_eq!(d.original().language, Language::En);
        let rev = d.revise(&mut r, Language::En).unwrap();
        assert_eq!(rev.symbol().to_string(), "SEC.GAL/12/26/Rev.1");
        assert_eq!(rev.original().status, VersionStatus::Original);
        let rev2 = d.revise(&mut r, Language::En).unwrap();
        assert_eq!(rev2.symbol().to_string(), "SEC.GAL/12/26/Rev.2");
        assert_eq!(
            "xx".parse::<Language>(),
            Err(DocumentError::UnknownLanguage("xx".into()))
        );
    }

    proptest::proptest! {
        /// Outside input: parsing never panics, and whatever parses formats back to itself.
        #[test]
        fn parsing_any_text_is_total_and_canonical(text in "[A-Za-z0-9./]{0,30}|[A-Z]{2,3}\\.[A-Z]{3,4}/[0-9]{1,3}(/[0-9]{2})?(/(Rev|Add|Corr)\\.[0-9]{1,2}){0,3}") {
            if let Ok(symbol) = Symbol::parse(&text) {
                proptest::prop_assert_eq!(symbol.to_string(), text);
            }
        }

        #[test]
        fn every_constructed_symbol_round_trips(
            prefix in "[A-Z][A-Z0-9]{0,7}", series in "[A-Z]{2,8}", number in 1u32..100_000,
            year in proptest::option::of(0i16..3000),
            rev in proptest::option::of(1u32..50), add in proptest::option::of(1u32..50),
            corr in proptest::option::of(1u32..50),
        ) {
            let mut s = Symbol::new(SymbolPrefix::parse(&prefix).unwrap(), Series::parse(&series).unwrap(), number, year).unwrap();
            if let Some(r) = rev { for _ in 0..r { s = s.next_revision(); } }
            if let Some(a) = add { s = s.with_addendum(a); }
            if let Some(c) = corr { s = s.with_corrigendum(c); }
            let text = s.to_string();
            proptest::prop_assert_eq!(Symbol::parse(&text).unwrap(), s);
        }
    }
}
