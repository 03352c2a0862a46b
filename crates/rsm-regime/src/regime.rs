//! The regime as data: notification types, their fields, thresholds, deadlines, who owes
//! them and who receives them, parsed from a TOML regime file.
//!
//! Parsing is two steps: serde reads the file into raw structs that reject unknown keys,
//! then [`Regime::parse`] checks the rules that span keys (ids, field references, kinds)
//! and builds the validated model. Every error names its path (`types[3].fields.troops.min`)
//! and rule, with the line and column when the file locates it.

use std::{collections::BTreeMap, fmt};

use jiff::tz::TimeZone;
use rsm_core::body::{Basket, BodyId};
use serde::Deserialize;
use toml::Spanned;

/// A notification type's identifier: 1–64 characters `a-z`, `0-9`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(String);

impl TypeId {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The log entry type of notifications of this type: `notification.<id>`.
    pub fn log_entry_type(&self) -> String {
        format!("notification.{}", self.0)
    }
}

impl fmt::Display for TypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated regime: one version of the set of notification types.
#[derive(Debug, Clone)]
pub struct Regime {
    pub id: String,
    pub version: String,
    pub title: String,
    types: Vec<NotificationType>,
}

/// One notification type.
#[derive(Debug, Clone)]
pub struct NotificationType {
    pub id: TypeId,
    pub title: String,
    pub basket: Basket,
    /// Which precedent the type comes from and what was changed.
    pub origin: String,
    /// A voluntary type is never owed: notices of it are recorded, never late or missing.
    pub voluntary: bool,
    /// In file order.
    pub fields: Vec<FieldSpec>,
    pub threshold: Option<Threshold>,
    pub deadline: Deadline,
    pub owed_by: Owers,
    pub distribution: Distribution,
}

/// One field of a notification type.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub title: Option<String>,
    pub required: bool,
    pub kind: FieldKind,
}

/// What a field holds, and its limits.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Integer {
        unit: String,
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    /// `"2027-03-01"`.
    Date,
    /// `{"start": "2027-03-01", "end": "2027-03-10"}`, end not before start.
    DateRange,
    /// `{"time": "2027-03-01T06:00", "zone": "Asia/Seoul"}`.
    DateTime,
    /// `{"start": "…T06:00", "end": "…T18:00", "zone": "Asia/Seoul"}`, end not before start.
    TimeWindow,
    /// `{"polygon": [[lon, lat], …]}` or `{"centre": [lon, lat], "radius_km": 40}`.
    Area,
    Enum {
        values: Vec<String>,
    },
    /// `["CN", "KR"]`, no repeats.
    Parties,
    Text {
        max_len: usize,
    },
    /// `[{"name": "…", "sha256": "<64 hex>"}]`.
    Attachments,
}

impl FieldKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Integer { .. } => "integer",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateRange => "date_range",
            Self::DateTime => "datetime",
            Self::TimeWindow => "time_window",
            Self::Area => "area",
            Self::Enum { .. } => "enum",
            Self::Parties => "parties",
            Self::Text { .. } => "text",
            Self::Attachments => "attachments",
        }
    }
    fn is_moment(&self) -> bool {
        matches!(
            self,
            Self::Date | Self::DateRange | Self::DateTime | Self::TimeWindow
        )
    }
    fn has_zone(&self) -> bool {
        matches!(self, Self::DateTime | Self::TimeWindow)
    }
}

/// The threshold that makes a notice obligatory: any one condition met.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub any: Vec<Condition>,
}

/// `field >= at_least`, optionally only when an enum field has one of some values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub at_least: i64,
    pub when: Option<EnumCondition>,
}

/// `field` is one of `any_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumCondition {
    pub field: String,
    pub any_of: Vec<String>,
}

/// How long before the start a notice is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// Whole days: due by the end (24:00) of the day N days before the start day.
    Days(i64),
    /// Exact hours before the start instant.
    Hours(i64),
}

/// Where a day-counted deadline ends at 24:00.
#[derive(Debug, Clone, PartialEq)]
pub enum DeadlineZone {
    /// The owing party's capital.
    Party,
    /// The zone of the activity's start field (a datetime or time window).
    Activity,
    /// A fixed IANA zone.
    Fixed(TimeZone),
}

/// One step of escalation of an unanswered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationStep {
    pub step: String,
    pub within_hours: i64,
}

/// When a notice is due.
#[derive(Debug, Clone, PartialEq)]
pub enum Deadline {
    /// No deadline: every notice of the type is voluntary.
    None,
    BeforeStart {
        lead: Lead,
        /// The date, date range, datetime or time window field giving the start.
        start: String,
        zone: DeadlineZone,
    },
    Annual {
        month: i8,
        day: i8,
        /// The notice covers the year after the one it is due in (e.g. a calendar).
        for_next_year: bool,
        /// The integer field naming the year a notice covers.
        year_field: String,
        zone: DeadlineZone,
    },
    /// A reply due N hours after a clarification request, escalating if unanswered.
    AfterRequest {
        hours: i64,
        escalation: Vec<EscalationStep>,
    },
    /// Due N hours after the instant given by a datetime or time window field.
    AfterEvent {
        hours: i64,
        event: String,
        /// A notice of this type is also owed after each notice of another type (e.g. a
        /// post-launch report after each pre-notification).
        follows: Option<Follows>,
    },
}

/// "One of these is owed after each notice of `type_id`": due `hours` after the end of that
/// notice's `field`; a notice of this type answers it by naming it in `reference`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follows {
    pub type_id: String,
    /// A datetime or time window field of the followed type.
    pub field: String,
    /// A text field of this type holding the log id of the followed notice.
    pub reference: String,
}

impl Deadline {
    pub fn rule_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::BeforeStart { .. } => "before_start",
            Self::Annual { .. } => "annual",
            Self::AfterRequest { .. } => "after_request",
            Self::AfterEvent { .. } => "after_event",
        }
    }
}

/// Who owes notices of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owers {
    AllParticipating,
    BodyMembers(BodyId),
}

/// Who receives notices of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distribution {
    AllParticipating,
    /// Only the members of a (restricted) body.
    Body(BodyId),
    Public,
}

/// One problem in a regime file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegimeIssue {
    /// Where: `types[3].fields.troops.min`; empty for the whole file.
    pub path: String,
    /// A stable rule code, e.g. `unknown_key`, `duplicate_id`, `not_integer`.
    pub rule: &'static str,
    pub message: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for RegimeIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(file)"
        } else {
            &self.path
        };
        write!(f, "{path}: {} ({})", self.message, self.rule)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " at line {l}, column {c}")?;
        }
        Ok(())
    }
}

/// A regime file that cannot be used: every problem found, at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RegimeError {
    pub issues: Vec<RegimeIssue>,
}

impl fmt::Display for RegimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid regime file: ")?;
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

// ---- raw file form ------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegime {
    id: String,
    version: String,
    title: String,
    #[serde(default)]
    types: Vec<Spanned<RawType>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawBasket {
    Security,
    Economic,
    Humanitarian,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: String,
    title: String,
    basket: RawBasket,
    origin: String,
    #[serde(default)]
    voluntary: bool,
    #[serde(default)]
    owed_by: Option<String>,
    #[serde(default)]
    distribution: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<RawField>>,
    #[serde(default)]
    threshold: Option<RawThreshold>,
    #[serde(default)]
    deadline: Option<RawDeadline>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Integer,
    Boolean,
    Date,
    DateRange,
    Datetime,
    TimeWindow,
    Area,
    Enum,
    Parties,
    Text,
    Attachments,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    kind: RawKind,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    max_len: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    any: Vec<RawCondition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    field: String,
    at_least: i64,
    #[serde(default)]
    when: Option<RawWhen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    field: String,
    any_of: Vec<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawRule {
    None,
    BeforeStart,
    Annual,
    AfterRequest,
    AfterEvent,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    rule: RawRule,
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    hours: Option<i64>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    month: Option<i64>,
    #[serde(default)]
    day: Option<i64>,
    #[serde(default)]
    for_next_year: Option<bool>,
    #[serde(default)]
    year_field: Option<String>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    escalation: Option<Vec<RawStep>>,
    #[serde(default)]
    follows: Option<RawFollows>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollows {
    #[serde(rename = "type")]
    type_id: String,
    field: String,
    reference: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    step: String,
    within_hours: i64,
}

// ---- parsing ------------------------------------------------------------------------

/// Longest text field a regime may declare (characters).
pub const MAX_TEXT_LEN: i64 = 100_000;

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

fn serde_rule(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "unknown_key"
    } else if message.contains("missing field") {
        "missing_key"
    } else if message.contains("unknown variant") {
        "unknown_value"
    } else if message.contains("invalid type") {
        "wrong_type"
    } else {
        "syntax"
    }
}

struct Checker<'a> {
    src: &'a str,
    issues: Vec<RegimeIssue>,
}

impl Checker<'_> {
    fn push(&mut self, path: String, rule: &'static str, message: String, at: Option<usize>) {
        let (line, column) = match at.map(|o| line_col(self.src, o)) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        self.issues.push(RegimeIssue {
            path,
            rule,
            message,
            line,
            column,
        });
    }
}

impl Regime {
    /// Parses and checks a regime file.
    pub fn parse(src: &str) -> Result<Self, RegimeError> {
        let de = toml::Deserializer::parse(src).map_err(|e| {
            let at = e.span().map(|s| line_col(src, s.start));
            RegimeError {
                issues: vec![RegimeIssue {
                    path: String::new(),
                    rule: "syntax",
                    message: e.message().to_owned(),
                    line: at.map(|a| a.0),
                    column: at.map(|a| a.1),
                }],
            }
        })?;
        let raw: RawRegime = serde_path_to_error::deserialize(de).map_err(|e| {
            // `Spanned` adds a private segment to the path; it means nothing to the reader.
            let path = e
                .path()
                .to_string()
                .replace(".$__serde_spanned_private_value", "");
            let inner = e.into_inner();
            let at = inner.span().map(|s| line_col(src, s.start));
            let message = inner.message().to_owned();
            RegimeError {
                issues: vec![RegimeIssue {
                    path: if path == "." { String::new() } else { path },
                    rule: serde_rule(&message),
                    message,
                    line: at.map(|a| a.0),
                    column: at.map(|a| a.1),
                }],
            }
        })?;
        let mut ck = Checker {
            src,
            issues: Vec::new(),
        };
        let regime = build(raw, &mut ck);
        if ck.issues.is_empty() {
            Ok(regime)
        } else {
            Err(RegimeError { issues: ck.issues })
        }
    }

    /// The types, in file order.
    pub fn types(&self) -> &[NotificationType] {
        &self.types
    }

    /// The type with this id.
    pub fn get(&self, id: &str) -> Option<&NotificationType> {
        self.types.iter().find(|t| t.id.as_str() == id)
    }

    /// The type whose notices answer clarification requests (rule `after_request`).
    pub fn reply_type(&self) -> Option<&NotificationType> {
        self.types
            .iter()
            .find(|t| matches!(t.deadline, Deadline::AfterRequest { .. }))
    }
}

impl NotificationType {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

fn is_id(s: &str) -> bool {
    TypeId::parse(s).is_some()
}

fn build(raw: RawRegime, ck: &mut Checker<'_>) -> Regime {
    if !is_id(&raw.id) {
        ck.push(
            "id".into(),
            "bad_id",
            format!("`{}` is not an id: use 1–64 of a-z, 0-9 and -", raw.id),
            None,
        );
    }
    for (key, value) in [("version", &raw.version), ("title", &raw.title)] {
        if value.trim().is_empty() {
            ck.push(
                key.into(),
                "empty",
                format!("{key} must not be empty"),
                None,
            );
        }
    }
    if raw.types.is_empty() {
        ck.push(
            "types".into(),
            "empty",
            "a regime needs at least one notification type".into(),
            None,
        );
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut types = Vec::new();
    let mut places = Vec::new();
    for (i, spanned) in raw.types.into_iter().enumerate() {
        let at = spanned.span().start;
        let raw_type = spanned.into_inner();
        let base = format!("types[{i}]");
        if let Some(first) = seen.insert(raw_type.id.clone(), i) {
            ck.push(
                format!("{base}.id"),
                "duplicate_id",
                format!(
                    "type id `{}` is already used by types[{first}]",
                    raw_type.id
                ),
                Some(at),
            );
        }
        if let Some(t) = build_type(&base, at, raw_type, ck) {
            types.push(t);
            places.push((i, at));
        }
    }
    for (t, &(i, at)) in types.iter().zip(&places) {
        let Deadline::AfterEvent {
            follows: Some(f), ..
        } = &t.deadline
        else {
            continue;
        };
        let path = format!("types[{i}].deadline.follows");
        match types.iter().find(|x| x.id.as_str() == f.type_id) {
            None => ck.push(
                format!("{path}.type"),
                "unknown_type",
                format!("`{}` is not a type of this regime", f.type_id),
                Some(at),
            ),
            Some(x) if x.id == t.id => ck.push(
                format!("{path}.type"),
                "self_reference",
                "a type cannot follow itself".into(),
                Some(at),
            ),
            Some(x) => match x.field(&f.field) {
                Some(fs) if fs.kind.has_zone() && fs.required => {}
                Some(fs) => ck.push(
                    format!("{path}.field"),
                    "wrong_kind",
                    format!(
                        "`{}` of `{}` must be a required datetime or time_window field",
                        fs.name, x.id
                    ),
                    Some(at),
                ),
                None => ck.push(
                    format!("{path}.field"),
                    "unknown_field",
                    format!("`{}` is not a field of `{}`", f.field, x.id),
                    Some(at),
                ),
            },
        }
    }
    let replies: Vec<usize> = types
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.deadline, Deadline::AfterRequest { .. }))
        .map(|(i, _)| i)
        .collect();
    if replies.len() > 1 {
        ck.push(
            "types".into(),
            "several_reply_types",
            format!(
                "only one type may use rule `after_request` (it sets the consultation schedule); found {}",
                replies.len()
            ),
            None,
        );
    }
    Regime {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        types,
    }
}

fn build_type(
    base: &str,
    at: usize,
    raw: RawType,
    ck: &mut Checker<'_>,
) -> Option<NotificationType> {
    let id = TypeId::parse(&raw.id);
    if id.is_none() {
        ck.push(
            format!("{base}.id"),
            "bad_id",
            format!("`{}` is not an id: use 1–64 of a-z, 0-9 and -", raw.id),
            Some(at),
        );
    }
    for (key, value) in [("title", &raw.title), ("origin", &raw.origin)] {
        if value.trim().is_empty() {
            ck.push(
                format!("{base}.{key}"),
                "empty",
                format!("{key} must not be empty"),
                Some(at),
            );
        }
    }
    let owed_by = match raw.owed_by.as_deref() {
        None | Some("participating") => Some(Owers::AllParticipating),
        Some(s) => match s.strip_prefix("body:").map(BodyId::parse) {
            Some(Ok(b)) => Some(Owers::BodyMembers(b)),
            _ => {
                ck.push(
                    format!("{base}.owed_by"),
                    "unknown_value",
                    format!("`{s}`: expected `participating` or `body:<body id>`"),
                    Some(at),
                );
                None
            }
        },
    };
    let distribution = match raw.distribution.as_deref() {
        None | Some("participating") => Some(Distribution::AllParticipating),
        Some("public") => Some(Distribution::Public),
        Some(s) => match s.strip_prefix("body:").map(BodyId::parse) {
            Some(Ok(b)) => Some(Distribution::Body(b)),
            _ => {
                ck.push(
                    format!("{base}.distribution"),
                    "unknown_value",
                    format!("`{s}`: expected `participating`, `public` or `body:<body id>`"),
                    Some(at),
                );
                None
            }
        },
    };

    let mut raw_fields: Vec<(String, Spanned<RawField>)> = raw.fields.into_iter().collect();
    raw_fields.sort_by_key(|(_, f)| f.span().start);
    let mut fields = Vec::new();
    for (name, spanned) in raw_fields {
        let fat = spanned.span().start;
        let path = format!("{base}.fields.{name}");
        if let Some(f) = build_field(&path, fat, name, spanned.into_inner(), ck) {
            fields.push(f);
        }
    }
    let find = |name: &str| fields.iter().find(|f| f.name == name);

    let threshold = raw.threshold.map(|t| {
        if t.any.is_empty() {
            ck.push(
                format!("{base}.threshold.any"),
                "empty",
                "a threshold needs at least one condition".into(),
                Some(at),
            );
        }
        let mut any = Vec::new();
        for (j, c) in t.any.into_iter().enumerate() {
            let cpath = format!("{base}.threshold.any[{j}]");
            match find(&c.field).map(|f| &f.kind) {
                None => ck.push(
                    format!("{cpath}.field"),
                    "unknown_field",
                    format!("threshold names `{}`, which is not a field", c.field),
                    Some(at),
                ),
                Some(FieldKind::Integer { .. }) => {}
                Some(k) => ck.push(
                    format!("{cpath}.field"),
                    "not_integer",
                    format!(
                        "threshold field `{}` is {}, not integer",
                        c.field,
                        k.as_str()
                    ),
                    Some(at),
                ),
            }
            if let Some(w) = &c.when {
                match find(&w.field).map(|f| &f.kind) {
                    None => ck.push(
                        format!("{cpath}.when.field"),
                        "unknown_field",
                        format!("condition names `{}`, which is not a field", w.field),
                        Some(at),
                    ),
                    Some(FieldKind::Enum { values }) => {
                        if w.any_of.is_empty() {
                            ck.push(
                                format!("{cpath}.when.any_of"),
                                "empty",
                                "any_of needs at least one value".into(),
                                Some(at),
                            );
                        }
                        for (k, v) in w.any_of.iter().enumerate() {
                            if !values.contains(v) {
                                ck.push(
                                    format!("{cpath}.when.any_of[{k}]"),
                                    "unknown_value",
                                    format!("`{v}` is not a value of `{}`", w.field),
                                    Some(at),
                                );
                            }
                        }
                    }
                    Some(k) => ck.push(
                        format!("{cpath}.when.field"),
                        "not_enum",
                        format!("condition field `{}` is {}, not enum", w.field, k.as_str()),
                        Some(at),
                    ),
                }
            }
            any.push(Condition {
                field: c.field,
                at_least: c.at_least,
                when: c.when.map(|w| EnumCondition {
                    field: w.field,
                    any_of: w.any_of,
                }),
            });
        }
        Threshold { any }
    });

    let deadline = match raw.deadline {
        None => Some(Deadline::None),
        Some(d) => build_deadline(&format!("{base}.deadline"), at, d, &fields, ck),
    };

    Some(NotificationType {
        id: id?,
        title: raw.title,
        basket: match raw.basket {
            RawBasket::Security => Basket::Security,
            RawBasket::Economic => Basket::Economic,
            RawBasket::Humanitarian => Basket::Humanitarian,
        },
        origin: raw.origin,
        voluntary: raw.voluntary,
        fields,
        threshold,
        deadline: deadline?,
        owed_by: owed_by?,
        distribution: distribution?,
    })
}

fn build_field(
    path: &str,
    at: usize,
    name: String,
    raw: RawField,
    ck: &mut Checker<'_>,
) -> Option<FieldSpec> {
    if !(1..=64).contains(&name.len())
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        ck.push(
            path.to_owned(),
            "bad_name",
            format!("field name `{name}`: use 1–64 of a-z, 0-9 and _"),
            Some(at),
        );
    }
    let refuse = |key: &str, present: bool, ck: &mut Checker<'_>| {
        if present {
            ck.push(
                format!("{path}.{key}"),
                "not_allowed",
                format!("`{key}` does not apply to a field of this kind"),
                Some(at),
            );
        }
    };
    let k = raw.kind;
    if k != RawKind::Integer {
        refuse("unit", raw.unit.is_some(), ck);
        refuse("min", raw.min.is_some(), ck);
        refuse("max", raw.max.is_some(), ck);
    }
    if k != RawKind::Enum {
        refuse("values", raw.values.is_some(), ck);
    }
    if k != RawKind::Text {
        refuse("max_len", raw.max_len.is_some(), ck);
    }
    let kind = match k {
        RawKind::Integer => {
            let unit = raw.unit.unwrap_or_default();
            if unit.trim().is_empty() {
                ck.push(
                    format!("{path}.unit"),
                    "missing_key",
                    "an integer field needs a unit (e.g. `troops`, `km`, `count`)".into(),
                    Some(at),
                );
            }
            if let (Some(min), Some(max)) = (raw.min, raw.max)
                && min > max
            {
                ck.push(
                    format!("{path}.min"),
                    "min_above_max",
                    format!("min {min} is above max {max}"),
                    Some(at),
                );
            }
            FieldKind::Integer {
                unit,
                min: raw.min,
                max: raw.max,
            }
        }
        RawKind::Boolean => FieldKind::Boolean,
        RawKind::Date => FieldKind::Date,
        RawKind::DateRange => FieldKind::DateRange,
        RawKind::Datetime => FieldKind::DateTime,
        RawKind::TimeWindow => FieldKind::TimeWindow,
        RawKind::Area => FieldKind::Area,
        RawKind::Parties => FieldKind::Parties,
        RawKind::Attachments => FieldKind::Attachments,
        RawKind::Enum => {
            let values = raw.values.unwrap_or_default();
            if values.is_empty() {
                ck.push(
                    format!("{path}.values"),
                    "empty",
                    "an enum field needs at least one value".into(),
                    Some(at),
                );
            }
            let mut sorted = values.clone();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                ck.push(
                    format!("{path}.values"),
                    "duplicate_value",
                    format!("`{}` is listed twice", w[0]),
                    Some(at),
                );
            }
            FieldKind::Enum { values }
        }
        RawKind::Text => match raw.max_len {
            Some(n) if (1..=MAX_TEXT_LEN).contains(&n) => FieldKind::Text {
                max_len: n as usize,
            },
            other => {
                ck.push(
                    format!("{path}.max_len"),
                    if other.is_none() {
                        "missing_key"
                    } else {
                        "out_of_range"
                    },
                    format!("a text field needs max_len between 1 and {MAX_TEXT_LEN}"),
                    Some(at),
                );
                return None;
            }
        },
    };
    Some(FieldSpec {
        name,
        title: raw.title,
        required: raw.required,
        kind,
    })
}

fn build_deadline(
    path: &str,
    at: usize,
    d: RawDeadline,
    fields: &[FieldSpec],
    ck: &mut Checker<'_>,
) -> Option<Deadline> {
    let rule = d.rule;
    let allowed = |key: &str, present: bool, ok: bool, ck: &mut Checker<'_>| {
        if present && !ok {
            ck.push(
                format!("{path}.{key}"),
                "not_allowed",
                format!("`{key}` does not apply to rule `{}`", rule_str(rule)),
                Some(at),
            );
        }
    };
    use RawRule as R;
    allowed("days", d.days.is_some(), rule == R::BeforeStart, ck);
    allowed(
        "hours",
        d.hours.is_some(),
        matches!(rule, R::BeforeStart | R::AfterRequest | R::AfterEvent),
        ck,
    );
    allowed("start", d.start.is_some(), rule == R::BeforeStart, ck);
    allowed(
        "zone",
        d.zone.is_some(),
        matches!(rule, R::BeforeStart | R::Annual),
        ck,
    );
    for (key, present) in [
        ("month", d.month.is_some()),
        ("day", d.day.is_some()),
        ("for_next_year", d.for_next_year.is_some()),
        ("year_field", d.year_field.is_some()),
    ] {
        allowed(key, present, rule == R::Annual, ck);
    }
    allowed("event", d.event.is_some(), rule == R::AfterEvent, ck);
    allowed("follows", d.follows.is_some(), rule == R::AfterEvent, ck);
    allowed(
        "escalation",
        d.escalation.is_some(),
        rule == R::AfterRequest,
        ck,
    );

    let positive = |key: &str, v: Option<i64>, ck: &mut Checker<'_>| -> Option<i64> {
        match v {
            Some(n) if (1..=24 * 3660).contains(&n) => Some(n),
            Some(n) => {
                ck.push(
                    format!("{path}.{key}"),
                    "out_of_range",
                    format!("{key} = {n}: must be a positive number, at most ten years"),
                    Some(at),
                );
                None
            }
            None => None,
        }
    };
    let field_ref = |key: &str,
                     name: Option<&String>,
                     want: &str,
                     ok: &dyn Fn(&FieldKind) -> bool,
                     ck: &mut Checker<'_>|
     -> Option<String> {
        let Some(name) = name else {
            ck.push(
                format!("{path}.{key}"),
                "missing_key",
                format!(
                    "rule `{}` needs `{key}` naming a {want} field",
                    rule_str(rule)
                ),
                Some(at),
            );
            return None;
        };
        match fields.iter().find(|f| &f.name == name) {
            None => {
                ck.push(
                    format!("{path}.{key}"),
                    "unknown_field",
                    format!("`{name}` is not a field of this type"),
                    Some(at),
                );
                None
            }
            Some(f) if !ok(&f.kind) => {
                ck.push(
                    format!("{path}.{key}"),
                    "wrong_kind",
                    format!("`{name}` is {}, expected a {want} field", f.kind.as_str()),
                    Some(at),
                );
                None
            }
            Some(f) if !f.required => {
                ck.push(
                    format!("{path}.{key}"),
                    "not_required",
                    format!("`{name}` must be required, since the deadline depends on it"),
                    Some(at),
                );
                None
            }
            Some(f) => Some(f.name.clone()),
        }
    };
    let zone = |start_kind: Option<&FieldKind>, ck: &mut Checker<'_>| -> Option<DeadlineZone> {
        match d.zone.as_deref() {
            None | Some("party") => Some(DeadlineZone::Party),
            Some("activity") => match start_kind {
                Some(k) if k.has_zone() => Some(DeadlineZone::Activity),
                _ => {
                    ck.push(
                        format!("{path}.zone"),
                        "no_activity_zone",
                        "zone `activity` needs a start field that carries a zone (datetime or time_window)".into(),
                        Some(at),
                    );
                    None
                }
            },
            Some(name) => match TimeZone::get(name) {
                Ok(tz) => Some(DeadlineZone::Fixed(tz)),
                Err(_) => {
                    ck.push(
                        format!("{path}.zone"),
                        "bad_zone",
                        format!("`{name}` is not `party`, `activity` or an IANA time zone"),
                        Some(at),
                    );
                    None
                }
            },
        }
    };

    match rule {
        R::None => Some(Deadline::None),
        R::BeforeStart => {
            let days = positive("days", d.days, ck);
            let hours = positive("hours", d.hours, ck);
            let lead = match (d.days, d.hours, days, hours) {
                (Some(_), Some(_), _, _) => {
                    ck.push(
                        format!("{path}.days"),
                        "conflict",
                        "give either days or hours, not both".into(),
                        Some(at),
                    );
                    None
                }
                (None, None, _, _) => {
                    ck.push(
                        format!("{path}.days"),
                        "missing_key",
                        "rule `before_start` needs `days` or `hours`".into(),
                        Some(at),
                    );
                    None
                }
                (_, _, Some(n), _) => Some(Lead::Days(n)),
                (_, _, _, Some(n)) => Some(Lead::Hours(n)),
                _ => None,
            };
            let start = field_ref(
                "start",
                d.start.as_ref(),
                "date, date_range, datetime or time_window",
                &FieldKind::is_moment,
                ck,
            );
            let start_kind = start
                .as_ref()
                .and_then(|s| fields.iter().find(|f| &f.name == s))
                .map(|f| &f.kind);
            let zone = zone(start_kind, ck);
            Some(Deadline::BeforeStart {
                lead: lead?,
                start: start?,
                zone: zone?,
            })
        }
        R::Annual => {
            let month = match d.month {
                Some(m) if (1..=12).contains(&m) => Some(m as i8),
                other => {
                    ck.push(
                        format!("{path}.month"),
                        if other.is_none() {
                            "missing_key"
                        } else {
                            "out_of_range"
                        },
                        "rule `annual` needs month 1–12".into(),
                        Some(at),
                    );
                    None
                }
            };
            let day = match (month, d.day) {
                // 2028 is a leap year: the check allows 29 February only in the sense that
                // every day that exists in some year is accepted; it is clamped in short years.
                (Some(m), Some(day))
                    if day >= 1 && jiff::civil::Date::new(2028, m, day as i8).is_ok() =>
                {
                    Some(day as i8)
                }
                (_, other) => {
                    ck.push(
                        format!("{path}.day"),
                        if other.is_none() {
                            "missing_key"
                        } else {
                            "out_of_range"
                        },
                        "rule `annual` needs a day that exists in its month".into(),
                        Some(at),
                    );
                    None
                }
            };
            let year_field = field_ref(
                "year_field",
                d.year_field.as_ref(),
                "integer",
                &|k| matches!(k, FieldKind::Integer { .. }),
                ck,
            );
            let zone = zone(None, ck);
            Some(Deadline::Annual {
                month: month?,
                day: day?,
                for_next_year: d.for_next_year.unwrap_or(false),
                year_field: year_field?,
                zone: zone?,
            })
        }
        R::AfterRequest => {
            let hours = positive("hours", d.hours, ck);
            if d.hours.is_none() {
                ck.push(
                    format!("{path}.hours"),
                    "missing_key",
                    "rule `after_request` needs `hours`".into(),
                    Some(at),
                );
            }
            let mut escalation = Vec::new();
            for (j, s) in d.escalation.unwrap_or_default().into_iter().enumerate() {
                if !is_id(&s.step) {
                    ck.push(
                        format!("{path}.escalation[{j}].step"),
                        "bad_id",
                        format!("`{}`: use 1–64 of a-z, 0-9 and -", s.step),
                        Some(at),
                    );
                }
                if let Some(h) = positive(
                    &format!("escalation[{j}].within_hours"),
                    Some(s.within_hours),
                    ck,
                ) {
                    escalation.push(EscalationStep {
                        step: s.step,
                        within_hours: h,
                    });
                }
            }
            Some(Deadline::AfterRequest {
                hours: hours?,
                escalation,
            })
        }
        R::AfterEvent => {
            let hours = positive("hours", d.hours, ck);
            if d.hours.is_none() {
                ck.push(
                    format!("{path}.hours"),
                    "missing_key",
                    "rule `after_event` needs `hours`".into(),
                    Some(at),
                );
            }
            let event = field_ref(
                "event",
                d.event.as_ref(),
                "datetime or time_window",
                &FieldKind::has_zone,
                ck,
            );
            let follows = match d.follows {
                None => Some(None),
                Some(f) => {
                    let ok = match fields.iter().find(|x| x.name == f.reference) {
                        Some(x) if matches!(x.kind, FieldKind::Text { .. }) => true,
                        Some(x) => {
                            ck.push(
                                format!("{path}.follows.reference"),
                                "wrong_kind",
                                format!(
                                    "`{}` is {}, expected a text field",
                                    x.name,
                                    x.kind.as_str()
                                ),
                                Some(at),
                            );
                            false
                        }
                        None => {
                            ck.push(
                                format!("{path}.follows.reference"),
                                "unknown_field",
                                format!("`{}` is not a field of this type", f.reference),
                                Some(at),
                            );
                            false
                        }
                    };
                    ok.then_some(Some(Follows {
                        type_id: f.type_id,
                        field: f.field,
                        reference: f.reference,
                    }))
                }
            };
            Some(Deadline::AfterEvent {
                hours: hours?,
                event: event?,
                follows: follows?,
            })
        }
    }
}

fn rule_str(r: RawRule) -> &'static str {
    match r {
        RawRule::None => "none",
        RawRule::BeforeStart => "before_start",
        RawRule::Annual => "annual",
        RawRule::AfterRequest => "after_request",
        RawRule::AfterEvent => "after_event",
    }
}
