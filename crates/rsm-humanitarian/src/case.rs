//! Case referral between parties' focal points: referral types as data, consent or legal
//! basis, the fields each referral type carries, and the referral life cycle.
//!
//! - [`ReferralTypes::parse`] reads the referral types file (TOML, unknown keys refused);
//!   [`default_referral_types`] is the one shipped with the crate (`referral-types.toml`).
//! - [`check_referral`] judges a new referral: its fields against its type (every failing
//!   field named with its rule; unknown fields refused, so a case holds only what its type
//!   needs), its [`Basis`] (the person's recorded consent, or a legal basis from a fixed list
//!   when consent cannot be given — never neither), and the parties (the receiving party must
//!   participate on the day of referral, and differ from the referring one).
//! - [`next_status`] is the life cycle. Who may take which step follows ICRC and UNHCR
//!   practice: the *receiving* party's focal point, who now holds the person's file, answers
//!   (accepts or declines with a reason), records progress and closes with an outcome; the
//!   *referring* party's focal point, who holds the consent, may withdraw the referral while
//!   it is open (the person withdrew consent, or the need went away), with a reason.
//!
//!   ```text
//!   referred ──accept──▶ accepted ──progress──▶ in progress ──close(outcome)──▶ closed
//!      │                    │                     │  ▲ progress
//!      └─decline(reason)─▶ declined               └──┘
//!   referred | accepted | in progress ──withdraw(reason, referring side)──▶ withdrawn
//!   ```
//! - [`deadline`] says what is due next (the answer, then each follow-up) and
//!   [`Deadline::urgency`] whether it is overdue or due soon, from the `now` it is given.
//! - [`ReferralType::referred_fields`] is need-to-know: the receiving side sees only the
//!   fields the type marks as referred.

use std::{collections::BTreeMap, fmt};

use jiff::{SignedDuration, Timestamp, civil::Date};
use rsm_core::{
    participation::{ParticipationStatus, Timeline},
    party::PartyCode,
};
use serde::Deserialize;

/// The text of the shipped referral types file.
pub const DEFAULT_REFERRAL_TYPES_TOML: &str = include_str!("../referral-types.toml");

/// The shipped referral types, parsed.
pub fn default_referral_types() -> Result<ReferralTypes, TypesError> {
    ReferralTypes::parse(DEFAULT_REFERRAL_TYPES_TOML)
}

/// How long before a deadline it counts as "due soon".
pub const DUE_SOON: SignedDuration = SignedDuration::from_hours(48);

/// Longest free text (reasons, notes, explanations) in characters.
pub const MAX_NOTE_LEN: usize = 4000;

/// A validated referral types file.
#[derive(Debug, Clone)]
pub struct ReferralTypes {
    pub id: String,
    pub version: String,
    pub title: String,
    types: Vec<ReferralType>,
}

/// One kind of referral.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralType {
    /// `a-z`, `0-9`, `-`, e.g. `trafficking-victim`.
    pub id: String,
    pub title: String,
    /// The practice the type follows.
    pub origin: String,
    /// Days the receiving focal point has to accept or decline.
    pub response_days: i64,
    /// Days between follow-ups once accepted.
    pub follow_up_days: i64,
    /// The outcomes a case of this type may be closed with.
    pub outcomes: Vec<String>,
    /// In file order.
    pub fields: Vec<FieldSpec>,
}

/// One field a referral type carries.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub title: String,
    pub required: bool,
    /// Shown to the receiving party; `false`: kept by the referring party alone.
    pub referred: bool,
    pub kind: FieldKind,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text {
        max_len: usize,
    },
    /// `YYYY-MM-DD`, from 1900-01-01; not after the day of referral if `not_after_today`.
    Date {
        not_after_today: bool,
    },
    Choice {
        values: Vec<String>,
    },
    /// An ISO 3166-1 alpha-2 code (two capital letters).
    Country,
    Integer {
        min: i64,
        max: i64,
    },
}

impl FieldKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Date { .. } => "date",
            Self::Choice { .. } => "choice",
            Self::Country => "country",
            Self::Integer { .. } => "integer",
        }
    }
}

/// A referral types file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid referral types file: {}", .issues.join("; "))]
pub struct TypesError {
    pub issues: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    id: String,
    version: String,
    title: String,
    types: Vec<RawType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: String,
    title: String,
    origin: String,
    response_days: i64,
    follow_up_days: i64,
    outcomes: Vec<String>,
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    title: String,
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default = "yes")]
    referred: bool,
    max_len: Option<usize>,
    values: Option<Vec<String>>,
    min: Option<i64>,
    max: Option<i64>,
    #[serde(default)]
    not_after_today: bool,
}

fn yes() -> bool {
    true
}

fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_field_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl ReferralTypes {
    /// Parses and checks a referral types file; every problem is reported.
    pub fn parse(src: &str) -> Result<Self, TypesError> {
        let raw: RawFile = toml::from_str(src).map_err(|e| TypesError {
            issues: vec![e.to_string().trim().replace('\n', " ")],
        })?;
        let mut issues = Vec::new();
        let mut types = Vec::new();
        for (i, t) in raw.types.into_iter().enumerate() {
            let at = format!("types[{i}]");
            if !is_id(&t.id) {
                issues.push(format!("{at}.id: `{}` is not an id (a-z, 0-9, -)", t.id));
            }
            if types.iter().any(|x: &ReferralType| x.id == t.id) {
                issues.push(format!("{at}.id: `{}` is used twice", t.id));
            }
            if !(1..=365).contains(&t.response_days) {
                issues.push(format!("{at}.response_days: must be 1 to 365"));
            }
            if !(1..=365).contains(&t.follow_up_days) {
                issues.push(format!("{at}.follow_up_days: must be 1 to 365"));
            }
            if t.outcomes.is_empty() {
                issues.push(format!("{at}.outcomes: name at least one outcome"));
            }
            for o in &t.outcomes {
                if !is_id(o) {
                    issues.push(format!("{at}.outcomes: `{o}` is not an id (a-z, 0-9, -)"));
                }
            }
            let mut fields: Vec<FieldSpec> = Vec::new();
            for (j, f) in t.fields.into_iter().enumerate() {
                let fat = format!("{at}.fields[{j}]");
                if !is_field_name(&f.name) {
                    issues.push(format!(
                        "{fat}.name: `{}` is not a field name (a-z, 0-9, _)",
                        f.name
                    ));
                }
                if fields.iter().any(|x| x.name == f.name) {
                    issues.push(format!("{fat}.name: `{}` is used twice", f.name));
                }
                let extra = |key: &str, set: bool, issues: &mut Vec<String>| {
                    if set {
                        issues.push(format!("{fat}.{key}: not used by kind {}", f.kind));
                    }
                };
                let kind = match f.kind.as_str() {
                    "text" => {
                        extra("values", f.values.is_some(), &mut issues);
                        extra("min", f.min.is_some() || f.max.is_some(), &mut issues);
                        match f.max_len {
                            Some(n) if (1..=MAX_NOTE_LEN).contains(&n) => {
                                FieldKind::Text { max_len: n }
                            }
                            _ => {
                                issues.push(format!(
                                    "{fat}.max_len: a text field needs max_len from 1 to {MAX_NOTE_LEN}"
                                ));
                                FieldKind::Text { max_len: 1 }
                            }
                        }
                    }
                    "date" => {
                        extra("values", f.values.is_some(), &mut issues);
                        extra("max_len", f.max_len.is_some(), &mut issues);
                        FieldKind::Date {
                            not_after_today: f.not_after_today,
                        }
                    }
                    "choice" => {
                        extra("max_len", f.max_len.is_some(), &mut issues);
                        let values = f.values.clone().unwrap_or_default();
                        if values.is_empty() || values.iter().any(|v| !is_id(v)) {
                            issues.push(format!(
                                "{fat}.values: a choice needs values, each an id (a-z, 0-9, -)"
                            ));
                        }
                        FieldKind::Choice { values }
                    }
                    "country" => {
                        extra("values", f.values.is_some(), &mut issues);
                        extra("max_len", f.max_len.is_some(), &mut issues);
                        FieldKind::Country
                    }
                    "integer" => {
                        extra("values", f.values.is_some(), &mut issues);
                        let (min, max) = (f.min.unwrap_or(0), f.max.unwrap_or(i64::MAX));
                        if min > max {
                            issues.push(format!("{fat}.min: above max"));
                        }
                        FieldKind::Integer { min, max }
                    }
                    other => {
                        issues.push(format!(
                            "{fat}.kind: `{other}` is not a kind: expected text, date, choice, country or integer"
                        ));
                        FieldKind::Country
                    }
                };
                if f.not_after_today && !matches!(kind, FieldKind::Date { .. }) {
                    issues.push(format!("{fat}.not_after_today: only for dates"));
                }
                fields.push(FieldSpec {
                    name: f.name,
                    title: f.title,
                    required: f.required,
                    referred: f.referred,
                    kind,
                });
            }
            if !fields.iter().any(|f| f.referred) {
                issues.push(format!("{at}.fields: refer at least one field"));
            }
            types.push(ReferralType {
                id: t.id,
                title: t.title,
                origin: t.origin,
                response_days: t.response_days,
                follow_up_days: t.follow_up_days,
                outcomes: t.outcomes,
                fields,
            });
        }
        if types.is_empty() {
            issues.push("types: define at least one referral type".into());
        }
        if issues.is_empty() {
            Ok(Self {
                id: raw.id,
                version: raw.version,
                title: raw.title,
                types,
            })
        } else {
            Err(TypesError { issues })
        }
    }

    /// The types, in file order.
    pub fn types(&self) -> &[ReferralType] {
        &self.types
    }

    pub fn get(&self, id: &str) -> Option<&ReferralType> {
        self.types.iter().find(|t| t.id == id)
    }
}

/// One problem with a referral or a step, naming the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// e.g. `fields.nationality`, `consent.recorded_on`, `receiving_party`, `outcome`.
    pub field: String,
    /// A stable code: `required`, `unknown_field`, `too_long`, `bad_date`, …
    pub rule: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.rule)
    }
}

impl ReferralType {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Checks `fields` against the type on `today`: every failing field, in the type's
    /// order, unknown fields after. An empty value counts as absent.
    pub fn validate(&self, fields: &BTreeMap<String, String>, today: Date) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for spec in &self.fields {
            let path = format!("fields.{}", spec.name);
            let value = fields.get(&spec.name).map(|v| v.trim());
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                if spec.required {
                    errors.push(FieldError::new(path, "required", "is required"));
                }
                continue;
            };
            if let Err((rule, message)) = check_value(&spec.kind, value, today) {
                errors.push(FieldError::new(path, rule, message));
            }
        }
        for name in fields.keys() {
            if self.field(name).is_none() {
                errors.push(FieldError::new(
                    format!("fields.{name}"),
                    "unknown_field",
                    format!(
                        "is not a field of {}: a referral carries only its type's fields",
                        self.id
                    ),
                ));
            }
        }
        errors
    }

    /// The fields the receiving party may see: those the type marks as referred.
    pub fn referred_fields(&self, fields: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        fields
            .iter()
            .filter(|(k, _)| self.field(k).is_some_and(|f| f.referred))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Whether `outcome` closes a case of this type.
    pub fn allows_outcome(&self, outcome: &str) -> bool {
        self.outcomes.iter().any(|o| o == outcome)
    }
}

fn check_value(kind: &FieldKind, value: &str, today: Date) -> Result<(), (&'static str, String)> {
    match kind {
        FieldKind::Text { max_len } => {
            let n = value.chars().count();
            if n > *max_len {
                return Err((
                    "too_long",
                    format!("must be at most {max_len} characters (it has {n})"),
                ));
            }
            if value.chars().any(|c| c.is_control() && c != '\n') {
                return Err((
                    "control_character",
                    "must not hold control characters".into(),
                ));
            }
        }
        FieldKind::Date { not_after_today } => {
            let date: Date = value
                .parse()
                .map_err(|_| ("bad_date", "must be a date YYYY-MM-DD".to_owned()))?;
            if date < jiff::civil::date(1900, 1, 1) || date > jiff::civil::date(2200, 12, 31) {
                return Err((
                    "out_of_range",
                    "must be between 1900-01-01 and 2200-12-31".into(),
                ));
            }
            if *not_after_today && date > today {
                return Err((
                    "in_future",
                    format!("must not be after the day of referral ({today})"),
                ));
            }
        }
        FieldKind::Choice { values } => {
            if !values.iter().any(|v| v == value) {
                return Err((
                    "not_in_list",
                    format!("must be one of {}", values.join(", ")),
                ));
            }
        }
        FieldKind::Country => {
            if !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())) {
                return Err((
                    "not_a_country",
                    "must be an ISO 3166-1 alpha-2 code such as KR".into(),
                ));
            }
        }
        FieldKind::Integer { min, max } => {
            let n: i64 = value
                .parse()
                .map_err(|_| ("not_an_integer", "must be a whole number".to_owned()))?;
            if n < *min || n > *max {
                return Err(("out_of_range", format!("must be from {min} to {max}")));
            }
        }
    }
    Ok(())
}

/// What the person consented to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentScope {
    /// Sharing the referred fields with the receiving party's focal point, for this referral.
    Referral,
    /// That, and sharing with the service providers the receiving focal point engages.
    ReferralAndServices,
}

impl ConsentScope {
    pub const ALL: [Self; 2] = [Self::Referral, Self::ReferralAndServices];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referral => "referral",
            Self::ReferralAndServices => "referral-and-services",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The lawful grounds for referring without consent (after the ICRC Handbook on Data
/// Protection in Humanitarian Action): the fixed list, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegalBasis {
    /// The person's life, health or safety is at stake and they cannot consent (e.g.
    /// unconscious, or cannot be reached in time).
    VitalInterest,
    /// A child who cannot consent, referred in their best interests (a best-interests
    /// determination).
    BestInterestsOfChild,
    /// A humanitarian mandate or task in the public interest that requires the referral.
    ImportantPublicInterest,
    /// A legal obligation of the referring party.
    LegalObligation,
}

impl LegalBasis {
    pub const ALL: [Self; 4] = [
        Self::VitalInterest,
        Self::BestInterestsOfChild,
        Self::ImportantPublicInterest,
        Self::LegalObligation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VitalInterest => "vital-interest",
            Self::BestInterestsOfChild => "best-interests-of-child",
            Self::ImportantPublicInterest => "important-public-interest",
            Self::LegalObligation => "legal-obligation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why the person's data may be shared: their consent, or a legal basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    Consent {
        /// Who took the consent (the caseworker), as they sign.
        recorded_by: String,
        recorded_on: Date,
        scope: ConsentScope,
    },
    Legal {
        basis: LegalBasis,
        /// Why consent cannot be given.
        explanation: String,
    },
}

impl Basis {
    /// Checks the record on the day of referral.
    pub fn check(&self, today: Date) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match self {
            Self::Consent {
                recorded_by,
                recorded_on,
                ..
            } => {
                if recorded_by.trim().is_empty() {
                    errors.push(FieldError::new(
                        "consent.recorded_by",
                        "required",
                        "name who recorded the consent",
                    ));
                } else if recorded_by.chars().count() > 200 {
                    errors.push(FieldError::new(
                        "consent.recorded_by",
                        "too_long",
                        "must be at most 200 characters",
                    ));
                }
                if *recorded_on > today {
                    errors.push(FieldError::new(
                        "consent.recorded_on",
                        "in_future",
                        format!(
                            "consent must be recorded before it is relied on (today is {today})"
                        ),
                    ));
                } else if *recorded_on < today - jiff::Span::new().years(1) {
                    errors.push(FieldError::new(
                        "consent.recorded_on",
                        "stale",
                        "consent older than a year must be confirmed again with the person",
                    ));
                }
            }
            Self::Legal { explanation, .. } => {
                let n = explanation.trim().chars().count();
                if n == 0 {
                    errors.push(FieldError::new(
                        "legal_basis.explanation",
                        "required",
                        "say why the person cannot consent",
                    ));
                } else if n > MAX_NOTE_LEN {
                    errors.push(FieldError::new(
                        "legal_basis.explanation",
                        "too_long",
                        format!("must be at most {MAX_NOTE_LEN} characters"),
                    ));
                }
            }
        }
        errors
    }
}

/// A referral as its referring focal point submits it.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub type_id: String,
    pub referring: PartyCode,
    pub receiving: PartyCode,
    pub fields: BTreeMap<String, String>,
    /// `None` when neither consent nor a legal basis was given: refused.
    pub basis: Option<Basis>,
}

/// Judges a new referral on `today` (the day of referral in UTC): every problem found.
pub fn check_referral(
    types: &ReferralTypes,
    referral: &NewReferral,
    timeline: &Timeline,
    today: Date,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if referral.receiving == referral.referring {
        errors.push(FieldError::new(
            "receiving_party",
            "same_party",
            "a referral goes to another party's focal point",
        ));
    } else {
        let status = timeline.status_on(referral.receiving, today);
        if status != ParticipationStatus::Participating {
            errors.push(FieldError::new(
                "receiving_party",
                "not_participating",
                format!(
                    "{} is {status} on {today}, not participating: cases are referred only to participating parties",
                    referral.receiving
                ),
            ));
        }
    }
    let referring_status = timeline.status_on(referral.referring, today);
    if referring_status != ParticipationStatus::Participating {
        errors.push(FieldError::new(
            "referring_party",
            "not_participating",
            format!(
                "{} is {referring_status} on {today}: only a participating party refers cases",
                referral.referring
            ),
        ));
    }
    match types.get(&referral.type_id) {
        None => errors.push(FieldError::new(
            "type",
            "unknown_type",
            format!(
                "must be one of {}",
                types
                    .types()
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Some(t) => errors.extend(t.validate(&referral.fields, today)),
    }
    match &referral.basis {
        None => errors.push(FieldError::new(
            "consent",
            "consent_or_legal_basis",
            "record the person's consent, or the legal basis when consent cannot be given",
        )),
        Some(b) => errors.extend(b.check(today)),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    Referred,
    Accepted,
    Declined,
    InProgress,
    Closed,
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [Self; 6] = [
        Self::Referred,
        Self::Accepted,
        Self::Declined,
        Self::InProgress,
        Self::Closed,
        Self::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referred => "referred",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::InProgress => "in-progress",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Declined, closed and withdrawn cases are over.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Referred | Self::Accepted | Self::InProgress)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which end of a referral an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Referring,
    Receiving,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referring => "referring",
            Self::Receiving => "receiving",
        }
    }
}

/// A step of the life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Accept,
    Decline { reason: String },
    Progress { note: String },
    Close { outcome: String, note: String },
    Withdraw { reason: String },
}

impl Step {
    /// The step's name as stored in the case's history.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline { .. } => "decline",
            Self::Progress { .. } => "progress",
            Self::Close { .. } => "close",
            Self::Withdraw { .. } => "withdraw",
        }
    }

    /// The side that takes this step.
    pub fn taken_by(&self) -> Side {
        match self {
            Self::Withdraw { .. } => Side::Referring,
            _ => Side::Receiving,
        }
    }
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The other side's step: the policy says who may act; this says who must.
    #[error("only the {} party's focal point may {step} a case", .side.as_str())]
    WrongSide { step: &'static str, side: Side },
    /// The case is not where the step starts from.
    #[error("a {status} case cannot be {step}ed")]
    WrongStatus {
        step: &'static str,
        status: CaseStatus,
    },
    /// A field of the step breaks a rule.
    #[error("{0}")]
    Field(FieldError),
}

fn text_field(field: &str, value: &str, what: &str) -> Result<(), StepError> {
    let n = value.trim().chars().count();
    if n == 0 {
        return Err(StepError::Field(FieldError::new(
            field,
            "required",
            format!("give {what}"),
        )));
    }
    if n > MAX_NOTE_LEN {
        return Err(StepError::Field(FieldError::new(
            field,
            "too_long",
            format!("must be at most {MAX_NOTE_LEN} characters"),
        )));
    }
    Ok(())
}

/// The life cycle: the status after `step`, taken by `side`, from `current`.
pub fn next_status(
    rt: &ReferralType,
    current: CaseStatus,
    side: Side,
    step: &Step,
) -> Result<CaseStatus, StepError> {
    use CaseStatus::*;
    if side != step.taken_by() {
        return Err(StepError::WrongSide {
            step: step.kind(),
            side: step.taken_by(),
        });
    }
    let wrong = || StepError::WrongStatus {
        step: step.kind(),
        status: current,
    };
    match step {
        Step::Accept => match current {
            Referred => Ok(Accepted),
            _ => Err(wrong()),
        },
        Step::Decline { reason } => match current {
            Referred => {
                text_field("reason", reason, "the reason for declining")?;
                Ok(Declined)
            }
            _ => Err(wrong()),
        },
        Step::Progress { note } => match current {
            Accepted | InProgress => {
                text_field("note", note, "a progress note")?;
                Ok(InProgress)
            }
            _ => Err(wrong()),
        },
        Step::Close { outcome, note } => match current {
            InProgress => {
                if !rt.allows_outcome(outcome) {
                    return Err(StepError::Field(FieldError::new(
                        "outcome",
                        "not_in_list",
                        format!(
                            "a {} case closes with one of {}",
                            rt.id,
                            rt.outcomes.join(", ")
                        ),
                    )));
                }
                if note.chars().count() > MAX_NOTE_LEN {
                    return Err(StepError::Field(FieldError::new(
                        "note",
                        "too_long",
                        format!("must be at most {MAX_NOTE_LEN} characters"),
                    )));
                }
                Ok(Closed)
            }
            _ => Err(wrong()),
        },
        Step::Withdraw { reason } => match current {
            Referred | Accepted | InProgress => {
                text_field("reason", reason, "the reason for withdrawing")?;
                Ok(Withdrawn)
            }
            _ => Err(wrong()),
        },
    }
}

/// Which deadline is next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineKind {
    /// The receiving side's answer (accept or decline).
    Response,
    /// The receiving side's next progress note.
    FollowUp,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::FollowUp => "follow-up",
        }
    }
}

/// What is due next on an open case, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: Timestamp,
}

/// How a deadline stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    Overdue,
    DueSoon,
    OnTime,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueSoon => "due-soon",
            Self::OnTime => "on-time",
        }
    }
}

impl Deadline {
    /// Overdue once `now` is past `due`; due soon within [`DUE_SOON`] before it.
    pub fn urgency(&self, now: Timestamp) -> Urgency {
        if now > self.due {
            Urgency::Overdue
        } else if self.due.duration_since(now) <= DUE_SOON {
            Urgency::DueSoon
        } else {
            Urgency::OnTime
        }
    }
}

/// The next deadline of a case: the answer is due `response_days` after the referral; once
/// accepted, a follow-up is due `follow_up_days` after the receiving side's last step
/// (acceptance or progress note). Over cases have none.
pub fn deadline(
    rt: &ReferralType,
    status: CaseStatus,
    referred_at: Timestamp,
    last_receiving_step_at: Option<Timestamp>,
) -> Option<Deadline> {
    let days = |n: i64| SignedDuration::from_hours(24 * n);
    match status {
        CaseStatus::Referred => Some(Deadline {
            kind: DeadlineKind::Response,
            due: referred_at + days(rt.response_days),
        }),
        CaseStatus::Accepted | CaseStatus::InProgress => Some(Deadline {
            kind: DeadlineKind::FollowUp,
            due: last_receiving_step_at.unwrap_or(referred_at) + days(rt.follow_up_days),
        }),
        _ => None,
    }
}

/// The outcome as the yearly report counts it (`report::CaseFact::outcome`): `None` while
/// open; `declined`, `withdrawn` or `closed:<outcome>`.
pub fn report_outcome(status: CaseStatus, outcome: Option<&str>) -> Option<String> {
    match status {
        CaseStatus::Declined => Some("declined".into()),
        CaseStatus::Withdrawn => Some("withdrawn".into()),
        CaseStatus::Closed => Some(format!("closed:{}", outcome.unwrap_or("unknown"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses() {
        let types = default_referral_types().unwrap();
        let ids: Vec<_> = types.types().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "trafficking-victim",
                "refugee-assistance",
                "medical-evacuation"
            ]
        );
    }

    #[test]
    fn a_bad_file_names_every_problem() {
        let err = ReferralTypes::parse(
            r#"
id = "x"
version = "1"
title = "t"
[[types]]
id = "Bad Id"
title = "t"
origin = "o"
response_days = 0
follow_up_days = 3
outcomes = []
[[types.fields]]
name = "a"
title = "A"
kind = "colour"
"#,
        )
        .unwrap_err();
        let text = err.to_string();
        for needle in ["types[0].id", "response_days", "outcomes", "fields[0].kind"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        let unknown =
            ReferralTypes::parse("id='x'\nversion='1'\ntitle='t'\ncolour=1\ntypes=[]").unwrap_err();
        assert!(unknown.to_string().contains("colour"), "{unknown}");
    }
}
