//! CSV input: encoding detection (UTF-8 with or without BOM, else EUC-KR /
//! CP949), header lookup, and row-level problems with file and line.

use std::io::Read;

use crate::error::{KinError, Result, RowIssue};

/// What to do with a row that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRowPolicy {
    /// Report it and go on without it.
    #[default]
    Skip,
    /// Refuse the whole file.
    Refuse,
}

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (a BOM, if any, was removed).
    Utf8,
    /// EUC-KR / CP949 (Windows Korean).
    EucKr,
}

/// Reads all bytes and decodes them: UTF-8 when valid, otherwise EUC-KR
/// (CP949, the superset `encoding_rs` implements). Fails when neither fits.
pub fn decode(mut input: impl Read, label: &str) -> Result<(String, Encoding)> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| KinError::Io {
        file: label.to_string(),
        source: e,
    })?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok((s.to_string(), Encoding::Utf8)),
        Err(_) => {
            match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(body) {
                Some(s) => Ok((s.into_owned(), Encoding::EucKr)),
                None => Err(KinError::Format {
                    file: label.to_string(),
                    reason: "neither UTF-8 nor EUC-KR/CP949 text".into(),
                }),
            }
        }
    }
}

/// A decoded CSV table: header and rows with their line numbers.
#[derive(Debug)]
pub struct Table {
    /// The file's label.
    pub label: String,
    /// Lower-cased, trimmed header names.
    pub header: Vec<String>,
    /// Detected encoding.
    pub encoding: Encoding,
    text: String,
}

/// One row, borrowed from a [`Table`].
#[derive(Debug)]
pub struct Row {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The fields.
    pub fields: csv::StringRecord,
}

impl Table {
    /// Decodes and reads the header.
    pub fn read(input: impl Read, label: &str) -> Result<Self> {
        let (text, encoding) = decode(input, label)?;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .map_err(|e| KinError::Format {
                file: label.to_string(),
                reason: format!("header: {e}"),
            })?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect::<Vec<_>>();
        if header.iter().all(String::is_empty) {
            return Err(KinError::Format {
                file: label.to_string(),
                reason: "empty file or header".into(),
            });
        }
        Ok(Self {
            label: label.to_string(),
            header,
            encoding,
            text,
        })
    }

    /// Index of a required column.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| KinError::MissingColumn {
                file: self.label.clone(),
                column: name.to_string(),
            })
    }

    /// Index of an optional column.
    pub fn opt_col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Iterates over rows; a row that is not CSV (bad quoting) or has the
    /// wrong number of fields comes back as an issue.
    pub fn rows(&self) -> impl Iterator<Item = std::result::Result<Row, RowIssue>> + '_ {
        let width = self.header.len();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(self.text.as_bytes());
        let label = self.label.clone();
        let mut rec = csv::StringRecord::new();
        std::iter::from_fn(move || {
            loop {
                match rdr.read_record(&mut rec) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line());
                        if rec.len() == 1 && rec[0].trim().is_empty() {
                            continue; // blank line
                        }
                        if rec.len() != width {
                            return Some(Err(RowIssue {
                                file: label.clone(),
                                line,
                                reason: format!("{} fields, header has {width}", rec.len()),
                            }));
                        }
                        return Some(Ok(Row {
                            line,
                            fields: rec.clone(),
                        }));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        return Some(Err(RowIssue {
                            file: label.clone(),
                            line,
                            reason: format!("not CSV: {e}"),
                        }));
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euc_kr_is_detected() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode("id,name\n1,김순희\n");
        let t = Table::read(&bytes[..], "x.csv").unwrap();
        assert_eq!(t.encoding, Encoding::EucKr);
        let rows: Vec<_> = t.rows().collect();
        assert_eq!(rows[0].as_ref().unwrap().fields.get(1), Some("김순희"));
    }

    #[test]
    fn bom_and_bad_rows() {
        let t = Table::read(&b"\xEF\xBB\xBFid,name\n1,a\n2\n3,c\n"[..], "y.csv").unwrap();
        assert_eq!(t.header, vec!["id", "name"]);
        let rows: Vec<_> = t.rows().collect();
        assert!(rows[0].is_ok());
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!(bad.line, 3);
        assert!(rows[2].is_ok());
    }
}
