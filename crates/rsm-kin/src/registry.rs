//! Uploads to a tracing registry: a CSV (UTF-8 or EUC-KR) or JSON list of requests or
//! persons in the `data/kin` layouts, checked row by row with the same rules the matcher's
//! loaders apply, plus duplicate ids in the file and ids already registered. The result
//! says which rows are kept (with their fields, for storage) and which are bad, each with
//! its line (CSV) or item number (JSON) and reason, so the caller can refuse the whole
//! upload or keep the good rows — never half of a row.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::csvin::{BadRowPolicy, Table};
use crate::error::{KinError, Result, RowIssue};
use crate::records::{self, Person, Request};

/// Columns of a tracing request (the South's and the diaspora's layout).
pub const REQUEST_COLUMNS: [&str; 15] = [
    "request_id",
    "applicant_id",
    "applicant_name",
    "applicant_birth_date",
    "sought_name",
    "sought_sex",
    "sought_birth_year",
    "relationship",
    "sought_father_name",
    "hometown_province",
    "hometown_county",
    "hometown_township",
    "hometown_village",
    "registration_date",
    "applicant_country",
];

/// Columns of a person on the North's list.
pub const PERSON_COLUMNS: [&str; 11] = [
    "person_id",
    "name",
    "sex",
    "birth_date",
    "calendar",
    "father_name",
    "birthplace_province",
    "birthplace_county",
    "birthplace_village",
    "residence_province",
    "relatives_in_south",
];

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Tracing requests.
    Requests,
    /// Persons.
    Persons,
}

impl ListKind {
    /// The column names of this kind, in file order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Requests => &REQUEST_COLUMNS,
            Self::Persons => &PERSON_COLUMNS,
        }
    }
    /// The id column.
    pub fn id_column(self) -> &'static str {
        self.columns()[0]
    }
}

/// The upload's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header.
    Csv,
    /// A JSON array of objects keyed by column name.
    Json,
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRow {
    /// The record's id.
    pub id: String,
    /// Line (CSV) or item number (JSON).
    pub line: u64,
    /// The row as a JSON object keyed by column name (known columns only).
    pub fields: Map<String, Value>,
}

/// The checked upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Rows read (not counting the header).
    pub rows_read: usize,
    /// Good rows, in file order.
    pub kept: Vec<KeptRow>,
    /// Bad rows: each refused with line and reason.
    pub bad: Vec<RowIssue>,
    /// Notes on kept rows (e.g. the sought name is not known).
    pub notes: Vec<RowIssue>,
}

fn json_to_csv(bytes: &[u8], kind: ListKind, label: &str) -> Result<(String, Vec<RowIssue>)> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| KinError::Format {
        file: label.into(),
        reason: format!("not JSON: {e}"),
    })?;
    let items = value.as_array().ok_or_else(|| KinError::Format {
        file: label.into(),
        reason: "expected a JSON array of objects".into(),
    })?;
    let cols = kind.columns();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let csv_err = |e: csv::Error| KinError::Format {
        file: label.into(),
        reason: e.to_string(),
    };
    w.write_record(cols).map_err(csv_err)?;
    let mut bad = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = i as u64 + 1;
        let fields: Vec<String> = match item.as_object() {
            None => {
                bad.push(RowIssue {
                    file: label.into(),
                    line: n,
                    reason: "not an object".into(),
                });
                vec![String::new(); cols.len()]
            }
            Some(o) => {
                if let Some(k) = o.keys().find(|k| !cols.contains(&k.as_str())) {
                    bad.push(RowIssue {
                        file: label.into(),
                        line: n,
                        reason: format!("unknown field `{k}`"),
                    });
                }
                cols.iter()
                    .map(|c| match o.get(*c) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                    })
                    .collect()
            }
        };
        w.write_record(&fields).map_err(csv_err)?;
    }
    let text = String::from_utf8(w.into_inner().map_err(|e| KinError::Format {
        file: label.into(),
        reason: e.to_string(),
    })?)
    .expect("UTF-8 in, UTF-8 out");
    Ok((text, bad))
}

/// Checks an upload. `existing` holds ids already in the registry (a row repeating one is
/// bad). Fails only when the file as a whole cannot be read (not CSV or JSON, unknown
/// encoding, missing id column).
pub fn read_upload(
    bytes: &[u8],
    format: Format,
    kind: ListKind,
    label: &str,
    existing: &HashSet<String>,
) -> Result<Upload> {
    let (text, mut bad, json) = match format {
        Format::Csv => (crate::csvin::decode(bytes, label)?.0, Vec::new(), false),
        Format::Json => {
            let (t, b) = json_to_csv(bytes, kind, label)?;
            (t, b, true)
        }
    };
    // In JSON, item n is on CSV line n + 1.
    let line_of = |csv_line: u64| if json { csv_line - 1 } else { csv_line };
    let table = Table::read(text.as_bytes(), label)?;
    let id_col = table.col(kind.id_column())?;
    for h in &table.header {
        if !h.is_empty() && !kind.columns().contains(&h.as_str()) {
            return Err(KinError::Format {
                file: label.into(),
                reason: format!(
                    "unknown column `{h}` (expected {})",
                    kind.columns().join(", ")
                ),
            });
        }
    }
    let loaded_ids: HashSet<String>;
    let mut issues_by_line: HashMap<u64, Vec<RowIssue>> = HashMap::new();
    {
        let (ids, issues) = match kind {
            ListKind::Requests => {
                let l = records::load_requests(text.as_bytes(), label, BadRowPolicy::Skip)?;
                (
                    l.records
                        .into_iter()
                        .map(|r: Request| r.id)
                        .collect::<HashSet<_>>(),
                    l.issues,
                )
            }
            ListKind::Persons => {
                let l = records::load_persons(text.as_bytes(), label, BadRowPolicy::Skip)?;
                (
                    l.records
                        .into_iter()
                        .map(|p: Person| p.id)
                        .collect::<HashSet<_>>(),
                    l.issues,
                )
            }
        };
        loaded_ids = ids;
        for i in issues {
            issues_by_line.entry(i.line).or_default().push(i);
        }
    }
    let json_bad: HashSet<u64> = bad.iter().map(|i| i.line).collect();
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut rows_read = 0;
    for row in table.rows() {
        rows_read += 1;
        let row = match row {
            Ok(r) => r,
            Err(mut i) => {
                i.line = line_of(i.line);
                bad.push(i);
                continue;
            }
        };
        let line = line_of(row.line);
        let here: Vec<RowIssue> = issues_by_line
            .remove(&row.line)
            .unwrap_or_default()
            .into_iter()
            .map(|mut i| {
                i.line = line;
                i
            })
            .collect();
        if json_bad.contains(&line) {
            continue;
        }
        let id = row.fields.get(id_col).unwrap_or("").trim().to_string();
        if !loaded_ids.contains(&id) {
            bad.extend(here);
            continue;
        }
        if let Some(first) = first_seen.get(&id) {
            bad.push(RowIssue {
                file: label.into(),
                line,
                reason: format!("{id}: the same {} as line {first}", kind.id_column()),
            });
            continue;
        }
        if existing.contains(&id) {
            bad.push(RowIssue {
                file: label.into(),
                line,
                reason: format!("{id}: already in the registry"),
            });
            continue;
        }
        first_seen.insert(id.clone(), line);
        notes.extend(here);
        let mut fields = Map::new();
        for (i, h) in table.header.iter().enumerate() {
            let v = row.fields.get(i).unwrap_or("").trim();
            if !h.is_empty() && !v.is_empty() {
                fields.insert(h.clone(), Value::String(v.to_string()));
            }
        }
        kept.push(KeptRow { id, line, fields });
    }
    bad.sort_by_key(|i| i.line);
    Ok(Upload {
        rows_read,
        kept,
        bad,
        notes,
    })
}

/// Writes stored rows (JSON objects keyed by column name) back as CSV in the kind's
/// column order: what the matcher reads and what an export carries.
pub fn to_csv<'a>(
    kind: ListKind,
    rows: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Vec<u8> {
    let cols = kind.columns();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(cols).expect("writing to memory");
    for r in rows {
        let fields: Vec<&str> = cols
            .iter()
            .map(|c| r.get(*c).and_then(Value::as_str).unwrap_or(""))
            .collect();
        w.write_record(&fields).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date\n\
S1,A1,이옥례,1926-05-10,이용호,M,1940,brother,이영식,함남,함주,내원면,,2002-07-20\n\
S2,A1,이옥례,1926-05-10,,,,father,,함남,함주,,,2002-07-20\n\
S3,A1,이옥례,1926-05-10,이용수,M,19x0,brother,,함남,함주,,,2002-07-20\n\
S1,A2,김순희,1930-01-01,김철수,M,1941,brother,,평남,평양,,,2002-07-20\n\
S4,A3,박영자,1931-02-30,박철,M,1940,brother,,평남,평양,,,2002-07-20\n\
S5,A3\n";

    #[test]
    fn bad_rows_are_named_by_line_and_good_rows_kept_whole() {
        let existing: HashSet<String> = ["S9".to_string()].into();
        let u = read_upload(
            CSV.as_bytes(),
            Format::Csv,
            ListKind::Requests,
            "south.csv",
            &existing,
        )
        .unwrap();
        assert_eq!(u.rows_read, 6);
        assert_eq!(
            u.kept.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            ["S1", "S2"]
        );
        assert_eq!(u.kept[0].fields["sought_name"], "이용호");
        let bad: Vec<(u64, &str)> = u.bad.iter().map(|i| (i.line, i.reason.as_str())).collect();
        assert_eq!(bad.len(), 4, "{bad:?}");
        assert_eq!(bad[0].0, 4);
        assert!(bad[0].1.contains("not a number"), "{bad:?}");
        assert_eq!(bad[1], (5, "S1: the same request_id as line 2"));
        assert_eq!(bad[2].0, 6);
        assert_eq!(bad[3].0, 7);
        assert!(bad[3].1.contains("fields"), "{bad:?}");
        assert_eq!(
            u.notes.len(),
            1,
            "S2's unknown name is a note, not a refusal"
        );
        // An id already registered is bad.
        let existing: HashSet<String> = ["S2".to_string()].into();
        let u = read_upload(
            CSV.as_bytes(),
            Format::Csv,
            ListKind::Requests,
            "south.csv",
            &existing,
        )
        .unwrap();
        assert!(
            u.bad
                .iter()
                .any(|i| i.line == 3 && i.reason.contains("already"))
        );
    }

    #[test]
    fn json_items_are_checked_like_rows_and_numbered() {
        let json = r#"[
            {"person_id": "N1", "name": "리만섭", "sex": "M", "birth_date": "1938-09-07", "calendar": "solar"},
            {"person_id": "N2", "name": ""},
            "not an object",
            {"person_id": "N3", "name": "박순덕", "birth_date": "1917-02-30"},
            {"person_id": "N4", "name": "김철", "colour": "red"}
        ]"#;
        let u = read_upload(
            json.as_bytes(),
            Format::Json,
            ListKind::Persons,
            "north.json",
            &HashSet::new(),
        )
        .unwrap();
        assert_eq!(u.kept.len(), 1);
        assert_eq!(u.kept[0].line, 1);
        let lines: Vec<u64> = u.bad.iter().map(|i| i.line).collect();
        assert_eq!(lines, [2, 3, 4, 5], "{:?}", u.bad);
        assert!(u.bad[3].reason.contains("colour"));
        // Back to CSV in column order, readable by the matcher's loader.
        let csv = to_csv(ListKind::Persons, u.kept.iter().map(|k| &k.fields));
        let l = records::load_persons(&csv[..], "x", BadRowPolicy::Refuse).unwrap();
        assert_eq!(l.records[0].name, "리만섭");
    }

    #[test]
    fn euc_kr_and_unknown_columns() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(CSV);
        let u = read_upload(
            &bytes,
            Format::Csv,
            ListKind::Requests,
            "s.csv",
            &HashSet::new(),
        )
        .unwrap();
        assert_eq!(u.kept[0].fields["applicant_name"], "이옥례");
        let e = read_upload(
            b"request_id,shoe_size\nS1,9\n",
            Format::Csv,
            ListKind::Requests,
            "s.csv",
            &HashSet::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("shoe_size"), "{e}");
        assert!(
            read_upload(
                b"\xff\xfe\x00",
                Format::Csv,
                ListKind::Requests,
                "s.csv",
                &HashSet::new()
            )
            .is_err()
        );
    }
}
