//! Aid tracking: pledges, commitments and disbursements by donor, recipient, sector and year,
//! in the original currency with a dated conversion table.
//!
//! Money is never a float: an amount is an integer count of the currency's minor units
//! (ISO 4217 exponent: KRW and JPY have none, USD and CNY two), and a conversion rate is an
//! exact decimal. Conversion to US cents rounds once, half away from zero, at the end.
//! Sectors and currencies are data ([`SECTORS`], [`CURRENCIES`]); the conversion table
//! ([`RateTable`]) is data too, dated: a flow converts at the rate in force on its date.

use std::{collections::BTreeMap, fmt, str::FromStr};

use jiff::civil::Date;
use rsm_core::party::PartyCode;

/// A field that breaks a rule: the one error of this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    pub field: String,
    pub rule: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

/// What a flow is: the three stages OCHA's Financial Tracking Service tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowKind {
    /// A promise, not yet binding.
    Pledge,
    /// A binding obligation (an agreement signed).
    Commitment,
    /// Money paid out.
    Disbursement,
}

impl FlowKind {
    pub const ALL: [Self; 3] = [Self::Pledge, Self::Commitment, Self::Disbursement];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pledge => "pledge",
            Self::Commitment => "commitment",
            Self::Disbursement => "disbursement",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                FieldError::new("kind", "must be one of pledge, commitment, disbursement")
            })
    }
}

/// One humanitarian sector, as data: id (stored, in CSV) and English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorDef {
    pub id: &'static str,
    pub name: &'static str,
}

/// The sectors aid is recorded under (the fixed list).
pub const SECTORS: [SectorDef; 5] = [
    SectorDef {
        id: "food",
        name: "Food",
    },
    SectorDef {
        id: "health",
        name: "Health",
    },
    SectorDef {
        id: "shelter",
        name: "Shelter",
    },
    SectorDef {
        id: "water-sanitation",
        name: "Water and sanitation",
    },
    SectorDef {
        id: "protection",
        name: "Protection",
    },
];

/// A sector from [`SECTORS`]; parsing refuses anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sector(u8);

impl Sector {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        SECTORS
            .iter()
            .position(|d| d.id == s)
            .map(|i| Self(i as u8))
            .ok_or_else(|| {
                let ids: Vec<_> = SECTORS.iter().map(|d| d.id).collect();
                FieldError::new("sector", format!("must be one of {}", ids.join(", ")))
            })
    }
    pub fn all() -> impl Iterator<Item = Self> {
        (0..SECTORS.len() as u8).map(Self)
    }
    pub fn id(self) -> &'static str {
        SECTORS[usize::from(self.0)].id
    }
    pub fn name(self) -> &'static str {
        SECTORS[usize::from(self.0)].name
    }
}

impl fmt::Display for Sector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// ISO 4217 codes this mechanism records, with their minor-unit exponent (data).
pub const CURRENCIES: [(&str, u8); 10] = [
    ("USD", 2),
    ("EUR", 2),
    ("CNY", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("KPW", 2),
    ("RUB", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("MNT", 2),
];

/// A currency from [`CURRENCIES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(u8);

impl Currency {
    pub const USD: Self = Self(0);

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        CURRENCIES
            .iter()
            .position(|(c, _)| *c == s)
            .map(|i| Self(i as u8))
            .ok_or_else(|| {
                let codes: Vec<_> = CURRENCIES.iter().map(|(c, _)| *c).collect();
                FieldError::new(
                    "currency",
                    format!(
                        "must be an ISO 4217 code this mechanism records: {}",
                        codes.join(", ")
                    ),
                )
            })
    }
    pub fn code(self) -> &'static str {
        CURRENCIES[usize::from(self.0)].0
    }
    /// Digits after the decimal point (ISO 4217 minor unit).
    pub fn exponent(self) -> u8 {
        CURRENCIES[usize::from(self.0)].1
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The largest amount accepted, in minor units (a sanity bound far above any real flow).
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// An amount in a currency, as an integer number of its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    pub currency: Currency,
    pub minor: i64,
}

impl Money {
    /// Parses a positive decimal amount (`1234.50`, `1234`) with at most the currency's
    /// number of decimals. Errors name the field `amount`.
    pub fn parse(currency: Currency, s: &str) -> Result<Self, FieldError> {
        let exp = u32::from(currency.exponent());
        let bad = |rule: String| FieldError::new("amount", rule);
        let s = s.trim();
        if s.starts_with('-') {
            return Err(bad("must not be negative".into()));
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (s.contains('.') && !digits(frac)) {
            return Err(bad(format!(
                "must be a decimal number such as 1250{}",
                if exp > 0 { ".50" } else { "" }
            )));
        }
        if frac.len() > exp as usize {
            return Err(bad(format!(
                "{} has {exp} decimal place{}; {} given",
                currency.code(),
                if exp == 1 { "" } else { "s" },
                frac.len()
            )));
        }
        let too_large = || {
            bad(format!(
                "must be at most {}",
                Self {
                    currency,
                    minor: MAX_MINOR
                }
            ))
        };
        let int: i64 = int.parse().map_err(|_| too_large())?;
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| too_large())?
        };
        let scale = 10i64.pow(exp);
        let minor = int
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_value * 10i64.pow(exp - frac.len() as u32)))
            .filter(|v| *v <= MAX_MINOR)
            .ok_or_else(too_large)?;
        if minor == 0 {
            return Err(bad("must be greater than zero".into()));
        }
        Ok(Self { currency, minor })
    }
}

impl fmt::Display for Money {
    /// `1234.50` (no currency code, no grouping): the form CSV export writes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = u32::from(self.currency.exponent());
        if exp == 0 {
            return write!(f, "{}", self.minor);
        }
        let scale = 10i64.pow(exp);
        let sign = if self.minor < 0 { "-" } else { "" };
        let m = self.minor.unsigned_abs();
        write!(
            f,
            "{sign}{}.{:0width$}",
            m / scale as u64,
            m % scale as u64,
            width = exp as usize
        )
    }
}

/// Who receives a flow: a party of the mechanism, or a named organisation or country
/// outside it (`UNHCR`, `Mongolia`). In text a party is its two-letter code; anything else
/// is a name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Recipient {
    Party(PartyCode),
    Named(String),
}

/// The longest recipient name accepted.
pub const MAX_NAME: usize = 120;

impl Recipient {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if let Ok(p) = s.parse::<PartyCode>() {
            return Ok(Self::Party(p));
        }
        if s.is_empty() {
            return Err(FieldError::new(
                "recipient",
                "must be a party code (CN, JP, KP, KR, RU, US) or the name of an organisation or country",
            ));
        }
        if s.chars().count() > MAX_NAME || s.chars().any(char::is_control) {
            return Err(FieldError::new(
                "recipient",
                format!("a name must be at most {MAX_NAME} characters without control characters"),
            ));
        }
        Ok(Self::Named(s.to_owned()))
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Party(p) => f.write_str(p.as_str()),
            Self::Named(n) => f.write_str(n),
        }
    }
}

/// The earliest and latest dates a flow may carry.
pub const FIRST_DATE: Date = jiff::civil::date(1990, 1, 1);
pub const LAST_DATE: Date = jiff::civil::date(2100, 12, 31);

/// One aid flow, valid by construction (through [`FlowInput::validate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub kind: FlowKind,
    pub donor: PartyCode,
    pub recipient: Recipient,
    pub sector: Sector,
    pub date: Date,
    pub amount: Money,
    /// A short free text: the appeal, project or agreement referred to.
    pub description: String,
}

impl Flow {
    pub fn year(&self) -> i16 {
        self.date.year()
    }
}

/// The longest description accepted.
pub const MAX_DESCRIPTION: usize = 500;

/// A flow as it arrives (form, JSON or CSV row): text fields, checked by [`Self::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowInput {
    pub kind: String,
    pub donor: String,
    pub recipient: String,
    pub sector: String,
    pub date: String,
    pub currency: String,
    pub amount: String,
    pub description: String,
}

impl FlowInput {
    /// Checks every field and the flow against the conversion table; returns every error.
    /// `today` bounds disbursements (money paid cannot be paid tomorrow).
    pub fn validate(&self, table: &RateTable, today: Date) -> Result<Flow, Vec<FieldError>> {
        let mut errors = Vec::new();
        fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        let kind = keep(&mut errors, FlowKind::parse(self.kind.trim()));
        let donor = keep(
            &mut errors,
            self.donor.trim().parse::<PartyCode>().map_err(|_| {
                FieldError::new("donor", "must be a party code: CN, JP, KP, KR, RU or US")
            }),
        );
        let recipient = keep(&mut errors, Recipient::parse(&self.recipient));
        let sector = keep(&mut errors, Sector::parse(self.sector.trim()));
        let date = keep(&mut errors, parse_flow_date("date", &self.date));
        let currency = keep(&mut errors, Currency::parse(self.currency.trim()));
        let amount = currency.and_then(|c| keep(&mut errors, Money::parse(c, &self.amount)));
        let description = self.description.trim();
        if description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                "description",
                format!("must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        if let (Some(FlowKind::Disbursement), Some(d)) = (kind, date)
            && d > today
        {
            errors.push(FieldError::new(
                "date",
                format!("a disbursement is money paid: its date cannot be after today ({today})"),
            ));
        }
        if let (Some(Recipient::Party(r)), Some(d)) = (&recipient, donor)
            && *r == d
        {
            errors.push(FieldError::new("recipient", "must differ from the donor"));
        }
        if let (Some(c), Some(d)) = (currency, date)
            && let Err(e) = table.rate_on(c, d)
        {
            errors.push(FieldError::new("currency", e.to_string()));
        }
        match (kind, donor, recipient, sector, date, amount) {
            (Some(kind), Some(donor), Some(recipient), Some(sector), Some(date), Some(amount))
                if errors.is_empty() =>
            {
                Ok(Flow {
                    kind,
                    donor,
                    recipient,
                    sector,
                    date,
                    amount,
                    description: description.to_owned(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// Parses a date between [`FIRST_DATE`] and [`LAST_DATE`].
pub fn parse_flow_date(field: &str, s: &str) -> Result<Date, FieldError> {
    let rule = format!("must be a date YYYY-MM-DD between {FIRST_DATE} and {LAST_DATE}");
    let d = Date::from_str(s.trim()).map_err(|_| FieldError::new(field, rule.clone()))?;
    if d < FIRST_DATE || d > LAST_DATE {
        return Err(FieldError::new(field, rule));
    }
    Ok(d)
}

/// An exact decimal rate: how many units of a currency one US dollar buys on a date
/// (`KRW 1385.20`). `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    mantissa: i64,
    scale: u8,
}

/// The most decimals a rate may have.
pub const MAX_RATE_DECIMALS: usize = 9;

impl Rate {
    /// Parses a positive decimal with at most [`MAX_RATE_DECIMALS`] decimals.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "units_per_usd",
                format!(
                    "must be a positive decimal (units of the currency per US dollar) with at most {MAX_RATE_DECIMALS} decimals"
                ),
            )
        };
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (s.contains('.') && !digits(frac)) || frac.len() > MAX_RATE_DECIMALS {
            return Err(bad());
        }
        let mantissa: i64 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        if mantissa <= 0 || int.len() > 9 {
            return Err(bad());
        }
        Ok(Self {
            mantissa,
            scale: frac.len() as u8,
        })
    }

    pub const ONE: Self = Self {
        mantissa: 1,
        scale: 0,
    };
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let scale = 10i64.pow(u32::from(self.scale));
        write!(
            f,
            "{}.{:0width$}",
            self.mantissa / scale,
            self.mantissa % scale,
            width = usize::from(self.scale)
        )
    }
}

/// One dated rate of the conversion table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateEntry {
    pub currency: Currency,
    /// The first day the rate is in force.
    pub effective: Date,
    pub units_per_usd: Rate,
    /// Where the rate comes from (e.g. `IMF IFS annual average`, or `synthetic`).
    pub source: String,
}

/// Why a flow cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error("the conversion table has no rate for {0}")]
    UnknownCurrency(String),
    #[error(
        "the conversion table's first rate for {currency} is in force from {first}; {date} is earlier"
    )]
    BeforeFirstRate {
        currency: String,
        first: Date,
        date: Date,
    },
}

/// The dated conversion table: for each currency, rates in force from a date on. US dollars
/// convert at one without an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateTable {
    rates: BTreeMap<Currency, BTreeMap<Date, RateEntry>>,
}

impl RateTable {
    /// Builds the table; two rates for one currency on one day are an error.
    pub fn new(entries: impl IntoIterator<Item = RateEntry>) -> Result<Self, FieldError> {
        let mut t = Self::default();
        for e in entries {
            t.insert(e)?;
        }
        Ok(t)
    }

    /// Adds one rate, refusing a second rate for the same currency and day, and a rate for USD.
    pub fn insert(&mut self, e: RateEntry) -> Result<(), FieldError> {
        if e.currency == Currency::USD {
            return Err(FieldError::new(
                "currency",
                "US dollars convert at one: the table holds the other currencies",
            ));
        }
        let day = self.rates.entry(e.currency).or_default();
        if day.contains_key(&e.effective) {
            return Err(FieldError::new(
                "effective",
                format!(
                    "{} already has a rate in force from {}",
                    e.currency, e.effective
                ),
            ));
        }
        day.insert(e.effective, e);
        Ok(())
    }

    /// Every rate, by currency then date.
    pub fn entries(&self) -> impl Iterator<Item = &RateEntry> {
        self.rates.values().flat_map(BTreeMap::values)
    }

    /// The rate in force on `date`: the latest one effective on or before it.
    pub fn rate_on(&self, currency: Currency, date: Date) -> Result<Rate, ConversionError> {
        if currency == Currency::USD {
            return Ok(Rate::ONE);
        }
        let by_date = self
            .rates
            .get(&currency)
            .ok_or_else(|| ConversionError::UnknownCurrency(currency.code().into()))?;
        by_date
            .range(..=date)
            .next_back()
            .map(|(_, e)| e.units_per_usd)
            .ok_or_else(|| ConversionError::BeforeFirstRate {
                currency: currency.code().into(),
                first: *by_date
                    .keys()
                    .next()
                    .expect("a currency in the table has a rate"),
                date,
            })
    }

    /// The amount in US cents at the rate in force on `date`, rounded half away from zero.
    pub fn to_usd_cents(&self, amount: Money, date: Date) -> Result<i64, ConversionError> {
        let rate = self.rate_on(amount.currency, date)?;
        Ok(convert(amount, rate))
    }
}

/// `minor × 10^(2 − exponent) × 10^scale / mantissa`, rounded half away from zero, exactly.
fn convert(amount: Money, rate: Rate) -> i64 {
    let exp = i32::from(amount.currency.exponent());
    let mut num = i128::from(amount.minor) * 10i128.pow(u32::from(rate.scale));
    let mut den = i128::from(rate.mantissa);
    if exp <= 2 {
        num *= 10i128.pow((2 - exp) as u32);
    } else {
        den *= 10i128.pow((exp - 2) as u32);
    }
    let q = num / den;
    let r = num % den;
    let rounded = if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    };
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// Sums in US cents of the three stages, with the number of flows counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub pledged: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub flows: u64,
}

impl Totals {
    fn add(&mut self, kind: FlowKind, cents: i64) {
        let slot = match kind {
            FlowKind::Pledge => &mut self.pledged,
            FlowKind::Commitment => &mut self.committed,
            FlowKind::Disbursement => &mut self.disbursed,
        };
        *slot = slot.saturating_add(cents);
        self.flows += 1;
    }

    /// Pledged but not (yet) disbursed, in US cents; negative when more was paid than pledged.
    pub fn gap(&self) -> i64 {
        self.pledged - self.disbursed
    }

    /// Disbursed as a share of pledged, in whole percent (`None` when nothing was pledged).
    pub fn disbursed_percent(&self) -> Option<i64> {
        (self.pledged > 0).then(|| (self.disbursed * 100 + self.pledged / 2) / self.pledged)
    }
}

/// The flows converted once, ready to aggregate by any key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted<'a> {
    pub flow: &'a Flow,
    pub usd_cents: i64,
}

/// Converts every flow; the first flow the table cannot convert is the error.
pub fn convert_all<'a>(
    flows: &'a [Flow],
    table: &RateTable,
) -> Result<Vec<Converted<'a>>, ConversionError> {
    flows
        .iter()
        .map(|f| {
            Ok(Converted {
                flow: f,
                usd_cents: table.to_usd_cents(f.amount, f.date)?,
            })
        })
        .collect()
}

/// Totals by any key of the flows.
pub fn totals_by<K: Ord>(flows: &[Converted<'_>], key: impl Fn(&Flow) -> K) -> BTreeMap<K, Totals> {
    let mut out = BTreeMap::new();
    for c in flows {
        out.entry(key(c.flow))
            .or_insert_with(Totals::default)
            .add(c.flow.kind, c.usd_cents);
    }
    out
}

/// Totals by sector and year.
pub fn by_sector_and_year(flows: &[Converted<'_>]) -> BTreeMap<(Sector, i16), Totals> {
    totals_by(flows, |f| (f.sector, f.year()))
}

/// The donor × recipient matrix.
pub fn donor_recipient_matrix(flows: &[Converted<'_>]) -> BTreeMap<(PartyCode, Recipient), Totals> {
    totals_by(flows, |f| (f.donor, f.recipient.clone()))
}

/// Totals by donor: the pledged-versus-disbursed gap of each.
pub fn by_donor(flows: &[Converted<'_>]) -> BTreeMap<PartyCode, Totals> {
    totals_by(flows, |f| f.donor)
}

/// All flows together.
pub fn overall(flows: &[Converted<'_>]) -> Totals {
    totals_by(flows, |_| ()).remove(&()).unwrap_or_default()
}

/// The columns of the aid CSV, in order.
pub const CSV_HEADER: [&str; 8] = [
    "kind",
    "donor",
    "recipient",
    "sector",
    "date",
    "currency",
    "amount",
    "description",
];

/// A refused row of an import: its line in the file, the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub rule: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.rule)
    }
}

/// The most rows one import accepts.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// Parses an aid CSV (header [`CSV_HEADER`], in any column order; `description` optional).
/// All or nothing: any bad row refuses the whole file, and every bad row is reported.
pub fn import_csv(text: &str, table: &RateTable, today: Date) -> Result<Vec<Flow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header_error = |rule: String| {
        vec![RowError {
            line: 1,
            field: "header".into(),
            rule,
        }]
    };
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("cannot be read: {e}")))?
        .clone();
    let mut column = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !CSV_HEADER.contains(&h) {
            return Err(header_error(format!(
                "unknown column `{h}`: the columns are {}",
                CSV_HEADER.join(",")
            )));
        }
        if column.insert(h, i).is_some() {
            return Err(header_error(format!("column `{h}` appears twice")));
        }
    }
    let missing: Vec<_> = CSV_HEADER[..7]
        .iter()
        .filter(|c| !column.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(header_error(format!(
            "missing column{}: {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.iter().map(|c| **c).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut flows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line: e.position().map_or(0, |p| p.line()),
                    field: "row".into(),
                    rule: format!("{e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if flows.len() + errors.len() >= MAX_IMPORT_ROWS {
            errors.push(RowError {
                line,
                field: "row".into(),
                rule: format!("an import holds at most {MAX_IMPORT_ROWS} rows"),
            });
            break;
        }
        let get = |c: &str| {
            column
                .get(c)
                .and_then(|i| record.get(*i))
                .unwrap_or_default()
                .to_owned()
        };
        let input = FlowInput {
            kind: get("kind"),
            donor: get("donor"),
            recipient: get("recipient"),
            sector: get("sector"),
            date: get("date"),
            currency: get("currency"),
            amount: get("amount"),
            description: get("description"),
        };
        match input.validate(table, today) {
            Ok(f) => flows.push(f),
            Err(es) => errors.extend(es.into_iter().map(|e| RowError {
                line,
                field: e.field,
                rule: e.rule,
            })),
        }
    }
    if errors.is_empty() {
        Ok(flows)
    } else {
        Err(errors)
    }
}

/// Writes flows as CSV ([`CSV_HEADER`]); [`import_csv`] reads it back to the same flows.
pub fn export_csv<'a>(flows: impl IntoIterator<Item = &'a Flow>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for f in flows {
        let _ = w.write_record([
            f.kind.as_str(),
            f.donor.as_str(),
            &f.recipient.to_string(),
            f.sector.id(),
            &f.date.to_string(),
            f.amount.currency.code(),
            &f.amount.to_string(),
            &f.description,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A US-cent amount as dollars with thousands grouped: `12,345,678` (cents dropped,
/// rounded half away from zero) — for pages and charts.
pub fn usd_whole(cents: i64) -> String {
    let dollars = (cents.unsigned_abs() + 50) / 100;
    let s = dollars.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if cents < 0 && dollars > 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_rounds_half_away_from_zero_exactly() {
        let krw = Currency::parse("KRW").unwrap();
        // 1,000 won at 1,300.00 per dollar = 76.923… cents → 77.
        let m = Money {
            currency: krw,
            minor: 1000,
        };
        assert_eq!(convert(m, Rate::parse("1300.00").unwrap()), 77);
        // 1 yen at 200 per dollar: exactly half a cent → rounds up to 1.
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            convert(
                Money {
                    currency: jpy,
                    minor: 1
                },
                Rate::parse("200").unwrap()
            ),
            1
        );
    }
}
