//! Validation of a notification's content (JSON) against its type, into a typed [`Notice`].
//!
//! Every failing field is reported, not just the first, each with its path, a stable rule
//! code and the offending value.

use std::{collections::BTreeMap, fmt, str::FromStr};

use jiff::{
    Timestamp, Zoned,
    civil::{Date, DateTime},
    tz::TimeZone,
};
use rsm_core::party::PartyCode;
use serde_json::Value;

use crate::{
    geo::{self, Area},
    regime::{FieldKind, NotificationType, TypeId},
};

/// Why a field failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldRule {
    /// The content is not a JSON object.
    NotObject,
    Required,
    UnknownField,
    WrongType,
    BelowMin,
    AboveMax,
    UnknownValue,
    TooLong,
    BadDate,
    BadDateTime,
    BadZone,
    /// A range or window ends before it starts.
    EndBeforeStart,
    BadPolygon,
    BadCircle,
    UnknownParty,
    Duplicate,
    BadSha256,
    Empty,
}

impl FieldRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotObject => "not_object",
            Self::Required => "required",
            Self::UnknownField => "unknown_field",
            Self::WrongType => "wrong_type",
            Self::BelowMin => "below_min",
            Self::AboveMax => "above_max",
            Self::UnknownValue => "unknown_value",
            Self::TooLong => "too_long",
            Self::BadDate => "bad_date",
            Self::BadDateTime => "bad_datetime",
            Self::BadZone => "bad_zone",
            Self::EndBeforeStart => "end_before_start",
            Self::BadPolygon => "bad_polygon",
            Self::BadCircle => "bad_circle",
            Self::UnknownParty => "unknown_party",
            Self::Duplicate => "duplicate",
            Self::BadSha256 => "bad_sha256",
            Self::Empty => "empty",
        }
    }
}

/// One failing field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// `troops`, `area.polygon[3]`, `attachments[0].sha256`; empty for the whole content.
    pub path: String,
    pub rule: FieldRule,
    pub message: String,
    /// The offending value, when there is one.
    pub value: Option<Value>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(content)"
        } else {
            &self.path
        };
        write!(f, "{path}: {} ({})", self.message, self.rule.as_str())?;
        if let Some(v) = &self.value {
            let mut shown = v.to_string();
            if shown.chars().count() > 80 {
                shown = shown.chars().take(77).collect::<String>() + "...";
            }
            write!(f, "; got {shown}")?;
        }
        Ok(())
    }
}

/// An attached document, by name and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    /// Lower-case hex.
    pub sha256: String,
}

/// A validated field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Integer(i64),
    Boolean(bool),
    Date(Date),
    DateRange { start: Date, end: Date },
    DateTime(Zoned),
    TimeWindow { start: Zoned, end: Zoned },
    Area(Area),
    Enum(String),
    Parties(Vec<PartyCode>),
    Text(String),
    Attachments(Vec<Attachment>),
}

impl FieldValue {
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Self::Integer(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_enum(&self) -> Option<&str> {
        match self {
            Self::Enum(s) => Some(s),
            _ => None,
        }
    }
    /// The civil start date of a date, date range, datetime or time window.
    pub fn start_date(&self) -> Option<Date> {
        match self {
            Self::Date(d) => Some(*d),
            Self::DateRange { start, .. } => Some(*start),
            Self::DateTime(z) => Some(z.date()),
            Self::TimeWindow { start, .. } => Some(start.date()),
            _ => None,
        }
    }
    /// The end as a zoned time: a window's end, or a datetime itself.
    pub fn end_zoned(&self) -> Option<&Zoned> {
        match self {
            Self::DateTime(z) => Some(z),
            Self::TimeWindow { end, .. } => Some(end),
            _ => None,
        }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The start as a zoned time, for values that carry a zone.
    pub fn start_zoned(&self) -> Option<&Zoned> {
        match self {
            Self::DateTime(z) => Some(z),
            Self::TimeWindow { start, .. } => Some(start),
            _ => None,
        }
    }
    /// The start instant: exact for zoned values, the start of the day in `day_zone` for dates.
    pub fn start_instant(&self, day_zone: &TimeZone) -> Option<Timestamp> {
        if let Some(z) = self.start_zoned() {
            return Some(z.timestamp());
        }
        self.start_date()
            .and_then(|d| d.to_zoned(day_zone.clone()).ok())
            .map(|z| z.timestamp())
    }
}

/// Validated content of one notification of one type.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub type_id: TypeId,
    /// By field name; absent optional fields are not present.
    pub values: BTreeMap<String, FieldValue>,
}

impl Notice {
    pub fn get(&self, field: &str) -> Option<&FieldValue> {
        self.values.get(field)
    }
    pub fn integer(&self, field: &str) -> Option<i64> {
        self.get(field).and_then(FieldValue::as_integer)
    }
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, path: &str, rule: FieldRule, message: impl Into<String>, value: &Value) {
        self.0.push(FieldError {
            path: path.to_owned(),
            rule,
            message: message.into(),
            value: Some(value.clone()),
        });
    }
}

impl NotificationType {
    /// Checks `content` against this type; on success the typed notice, otherwise every
    /// failing field.
    pub fn validate(&self, content: &Value) -> Result<Notice, Vec<FieldError>> {
        let mut errs = Errors(Vec::new());
        let Some(obj) = content.as_object() else {
            errs.push(
                "",
                FieldRule::NotObject,
                "content must be a JSON object of fields",
                content,
            );
            return Err(errs.0);
        };
        for key in obj.keys() {
            if self.field(key).is_none() {
                errs.push(
                    key,
                    FieldRule::UnknownField,
                    format!("`{key}` is not a field of `{}`", self.id),
                    &obj[key],
                );
            }
        }
        let mut values = BTreeMap::new();
        for spec in &self.fields {
            match obj.get(&spec.name) {
                None | Some(Value::Null) => {
                    if spec.required {
                        errs.0.push(FieldError {
                            path: spec.name.clone(),
                            rule: FieldRule::Required,
                            message: format!("`{}` is required", spec.name),
                            value: None,
                        });
                    }
                }
                Some(v) => {
                    if let Some(fv) = check_value(&spec.name, &spec.kind, v, &mut errs) {
                        values.insert(spec.name.clone(), fv);
                    }
                }
            }
        }
        if errs.0.is_empty() {
            Ok(Notice {
                type_id: self.id.clone(),
                values,
            })
        } else {
            errs.0
                .sort_by(|a, b| a.path.cmp(&b.path).then(a.rule.cmp(&b.rule)));
            Err(errs.0)
        }
    }
}

fn wrong_type(path: &str, want: &str, v: &Value, errs: &mut Errors) -> Option<FieldValue> {
    errs.push(path, FieldRule::WrongType, format!("expected {want}"), v);
    None
}

fn parse_date(path: &str, v: &Value, errs: &mut Errors) -> Option<Date> {
    let Some(s) = v.as_str() else {
        errs.push(
            path,
            FieldRule::WrongType,
            "expected a date string YYYY-MM-DD",
            v,
        );
        return None;
    };
    match Date::from_str(s) {
        Ok(d) if s.len() == 10 => Some(d),
        _ => {
            errs.push(path, FieldRule::BadDate, "not a date YYYY-MM-DD", v);
            None
        }
    }
}

fn parse_zone(path: &str, v: Option<&Value>, errs: &mut Errors) -> Option<TimeZone> {
    let Some(v) = v else {
        errs.0.push(FieldError {
            path: path.to_owned(),
            rule: FieldRule::Required,
            message: "an IANA time zone is required, e.g. Asia/Seoul".into(),
            value: None,
        });
        return None;
    };
    // Only IANA names: offsets and POSIX strings would hide which zone was meant.
    match v.as_str().filter(|s| s.contains('/') || *s == "UTC") {
        Some(s) => match TimeZone::get(s) {
            Ok(tz) => Some(tz),
            Err(_) => {
                errs.push(path, FieldRule::BadZone, "not an IANA time zone", v);
                None
            }
        },
        None => {
            errs.push(
                path,
                FieldRule::BadZone,
                "expected an IANA time zone name, e.g. Asia/Seoul",
                v,
            );
            None
        }
    }
}

fn parse_civil(
    path: &str,
    v: Option<&Value>,
    tz: Option<&TimeZone>,
    errs: &mut Errors,
) -> Option<Zoned> {
    let Some(v) = v else {
        errs.0.push(FieldError {
            path: path.to_owned(),
            rule: FieldRule::Required,
            message: "a local date and time YYYY-MM-DDTHH:MM is required".into(),
            value: None,
        });
        return None;
    };
    let parsed = v.as_str().and_then(|s| {
        DateTime::from_str(s)
            .ok()
            .filter(|_| s.len() >= 16 && !s.ends_with('Z') && !s.contains('+'))
    });
    match parsed {
        None => {
            errs.push(
                path,
                FieldRule::BadDateTime,
                "expected a local date and time YYYY-MM-DDTHH:MM[:SS] (the zone goes in `zone`)",
                v,
            );
            None
        }
        Some(dt) => tz.and_then(|tz| dt.to_zoned(tz.clone()).ok()),
    }
}

fn object<'v>(
    path: &str,
    v: &'v Value,
    keys: &[&str],
    errs: &mut Errors,
) -> Option<&'v serde_json::Map<String, Value>> {
    let Some(obj) = v.as_object() else {
        errs.push(
            path,
            FieldRule::WrongType,
            format!("expected an object with {}", keys.join(", ")),
            v,
        );
        return None;
    };
    for k in obj.keys() {
        if !keys.contains(&k.as_str()) {
            errs.push(
                &format!("{path}.{k}"),
                FieldRule::UnknownField,
                format!("expected only {}", keys.join(", ")),
                &obj[k],
            );
        }
    }
    Some(obj)
}

fn required<'v>(
    path: &str,
    obj: &'v serde_json::Map<String, Value>,
    key: &str,
    errs: &mut Errors,
) -> Option<&'v Value> {
    let v = obj.get(key).filter(|v| !v.is_null());
    if v.is_none() {
        errs.0.push(FieldError {
            path: format!("{path}.{key}"),
            rule: FieldRule::Required,
            message: format!("`{key}` is required"),
            value: None,
        });
    }
    v
}

fn coord(path: &str, v: &Value, errs: &mut Errors) -> Option<(f64, f64)> {
    match v.as_array().map(Vec::as_slice) {
        Some([lon, lat]) if lon.is_number() && lat.is_number() => {
            Some((lon.as_f64()?, lat.as_f64()?))
        }
        _ => {
            errs.push(
                path,
                FieldRule::WrongType,
                "expected a point [longitude, latitude]",
                v,
            );
            None
        }
    }
}

fn check_value(path: &str, kind: &FieldKind, v: &Value, errs: &mut Errors) -> Option<FieldValue> {
    match kind {
        FieldKind::Integer { unit, min, max } => {
            let Some(n) = v.as_i64() else {
                return wrong_type(path, &format!("a whole number ({unit})"), v, errs);
            };
            if let Some(min) = min
                && n < *min
            {
                errs.push(
                    path,
                    FieldRule::BelowMin,
                    format!("must be at least {min} {unit}"),
                    v,
                );
                return None;
            }
            if let Some(max) = max
                && n > *max
            {
                errs.push(
                    path,
                    FieldRule::AboveMax,
                    format!("must be at most {max} {unit}"),
                    v,
                );
                return None;
            }
            Some(FieldValue::Integer(n))
        }
        FieldKind::Boolean => match v.as_bool() {
            Some(b) => Some(FieldValue::Boolean(b)),
            None => wrong_type(path, "true or false", v, errs),
        },
        FieldKind::Date => parse_date(path, v, errs).map(FieldValue::Date),
        FieldKind::DateRange => {
            let obj = object(path, v, &["start", "end"], errs)?;
            let start = required(path, obj, "start", errs)
                .and_then(|s| parse_date(&format!("{path}.start"), s, errs));
            let end = required(path, obj, "end", errs)
                .and_then(|e| parse_date(&format!("{path}.end"), e, errs));
            let (start, end) = (start?, end?);
            if end < start {
                errs.push(
                    &format!("{path}.end"),
                    FieldRule::EndBeforeStart,
                    format!("the range ends before it starts ({start})"),
                    &obj["end"],
                );
                return None;
            }
            Some(FieldValue::DateRange { start, end })
        }
        FieldKind::DateTime => {
            let obj = object(path, v, &["time", "zone"], errs)?;
            let tz = parse_zone(&format!("{path}.zone"), obj.get("zone"), errs);
            let at = parse_civil(&format!("{path}.time"), obj.get("time"), tz.as_ref(), errs);
            at.map(FieldValue::DateTime)
        }
        FieldKind::TimeWindow => {
            let obj = object(path, v, &["start", "end", "zone"], errs)?;
            let tz = parse_zone(&format!("{path}.zone"), obj.get("zone"), errs);
            let start = parse_civil(
                &format!("{path}.start"),
                obj.get("start"),
                tz.as_ref(),
                errs,
            );
            let end = parse_civil(&format!("{path}.end"), obj.get("end"), tz.as_ref(), errs);
            let (start, end) = (start?, end?);
            if end.timestamp() < start.timestamp() {
                errs.push(
                    &format!("{path}.end"),
                    FieldRule::EndBeforeStart,
                    "the window ends before it starts",
                    &obj["end"],
                );
                return None;
            }
            Some(FieldValue::TimeWindow { start, end })
        }
        FieldKind::Area => {
            let obj = v.as_object();
            if obj.is_some_and(|o| o.contains_key("polygon")) {
                let obj = object(path, v, &["polygon"], errs)?;
                let ppath = format!("{path}.polygon");
                let Some(points) = obj["polygon"].as_array() else {
                    return wrong_type(
                        &ppath,
                        "a list of [longitude, latitude] points",
                        &obj["polygon"],
                        errs,
                    );
                };
                let mut pts = Vec::with_capacity(points.len());
                let before = errs.0.len();
                for (i, p) in points.iter().enumerate() {
                    if let Some(c) = coord(&format!("{ppath}[{i}]"), p, errs) {
                        pts.push(c);
                    }
                }
                if errs.0.len() > before {
                    return None;
                }
                match geo::polygon(&pts) {
                    Ok(a) => Some(FieldValue::Area(a)),
                    Err(e) => {
                        errs.push(
                            &ppath,
                            FieldRule::BadPolygon,
                            e.to_string(),
                            &obj["polygon"],
                        );
                        None
                    }
                }
            } else if obj.is_some_and(|o| o.contains_key("centre")) {
                let obj = object(path, v, &["centre", "radius_km"], errs)?;
                let centre = coord(&format!("{path}.centre"), &obj["centre"], errs);
                let radius = required(path, obj, "radius_km", errs);
                let radius = match radius {
                    Some(r) if r.is_number() => r.as_f64(),
                    Some(r) => {
                        return wrong_type(
                            &format!("{path}.radius_km"),
                            "a number of kilometres",
                            r,
                            errs,
                        );
                    }
                    None => None,
                };
                let ((lon, lat), r) = (centre?, radius?);
                let res = geo::point(0, lon, lat).and_then(|c| geo::circle(c, r));
                match res {
                    Ok(a) => Some(FieldValue::Area(a)),
                    Err(e) => {
                        errs.push(path, FieldRule::BadCircle, e.to_string(), v);
                        None
                    }
                }
            } else {
                wrong_type(
                    path,
                    "an object with `polygon` or with `centre` and `radius_km`",
                    v,
                    errs,
                )
            }
        }
        FieldKind::Enum { values } => match v.as_str() {
            Some(s) if values.iter().any(|x| x == s) => Some(FieldValue::Enum(s.to_owned())),
            Some(_) => {
                errs.push(
                    path,
                    FieldRule::UnknownValue,
                    format!("expected one of {}", values.join(", ")),
                    v,
                );
                None
            }
            None => wrong_type(path, "a string", v, errs),
        },
        FieldKind::Parties => {
            let Some(items) = v.as_array() else {
                return wrong_type(path, "a list of party codes", v, errs);
            };
            let mut out = Vec::new();
            let before = errs.0.len();
            for (i, item) in items.iter().enumerate() {
                let ipath = format!("{path}[{i}]");
                match item.as_str().map(PartyCode::from_str) {
                    Some(Ok(p)) if out.contains(&p) => errs.push(
                        &ipath,
                        FieldRule::Duplicate,
                        format!("{p} is listed twice"),
                        item,
                    ),
                    Some(Ok(p)) => out.push(p),
                    Some(Err(e)) => errs.push(&ipath, FieldRule::UnknownParty, e.to_string(), item),
                    None => errs.push(&ipath, FieldRule::WrongType, "expected a party code", item),
                }
            }
            if items.is_empty() {
                errs.push(path, FieldRule::Empty, "name at least one party", v);
            }
            (errs.0.len() == before).then_some(FieldValue::Parties(out))
        }
        FieldKind::Text { max_len } => match v.as_str() {
            Some(s) if s.chars().count() > *max_len => {
                errs.push(
                    path,
                    FieldRule::TooLong,
                    format!("at most {max_len} characters, got {}", s.chars().count()),
                    v,
                );
                None
            }
            Some(s) => Some(FieldValue::Text(s.to_owned())),
            None => wrong_type(path, "a string", v, errs),
        },
        FieldKind::Attachments => {
            let Some(items) = v.as_array() else {
                return wrong_type(path, "a list of {name, sha256}", v, errs);
            };
            let before = errs.0.len();
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let ipath = format!("{path}[{i}]");
                let Some(obj) = object(&ipath, item, &["name", "sha256"], errs) else {
                    continue;
                };
                let name = required(&ipath, obj, "name", errs);
                let sha = required(&ipath, obj, "sha256", errs);
                let name = match name.map(|n| (n, n.as_str())) {
                    Some((_, Some(s))) if !s.trim().is_empty() && s.chars().count() <= 255 => {
                        Some(s.to_owned())
                    }
                    Some((n, _)) => {
                        errs.push(
                            &format!("{ipath}.name"),
                            FieldRule::WrongType,
                            "expected a file name of 1–255 characters",
                            n,
                        );
                        None
                    }
                    None => None,
                };
                let sha = match sha.map(|h| (h, h.as_str())) {
                    Some((_, Some(s)))
                        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        Some(s.to_ascii_lowercase())
                    }
                    Some((h, _)) => {
                        errs.push(
                            &format!("{ipath}.sha256"),
                            FieldRule::BadSha256,
                            "expected 64 hexadecimal digits",
                            h,
                        );
                        None
                    }
                    None => None,
                };
                if let (Some(name), Some(sha256)) = (name, sha) {
                    out.push(Attachment { name, sha256 });
                }
            }
            (errs.0.len() == before).then_some(FieldValue::Attachments(out))
        }
    }
}
