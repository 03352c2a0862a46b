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

/// Finds a stream's encoding the way [`decode`] does (UTF-8 when the
/// whole text after an optional BOM is valid UTF-8, else EUC-KR/CP949)
/// without holding the text: one pass over the bytes.
pub fn sniff(mut input: impl Read, label: &str) -> Result<Encoding> {
    let io = |e: std::io::Error| KinError::Io {
        file: label.to_string(),
        source: e,
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let n = input.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&buf[..n]);
        if first {
            if carry.len() < 3 && b"\xEF\xBB\xBF".starts_with(&carry) {
                continue; // maybe a BOM, not all read yet
            }
            first = false;
            if carry.starts_with(b"\xEF\xBB\xBF") {
                carry.drain(..3);
            }
        }
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_none() => {
                // An incomplete sequence at the end: keep it for the next read.
                let keep = carry.split_off(e.valid_up_to());
                carry = keep;
            }
            Err(_) => return Ok(Encoding::EucKr),
        }
    }
    if carry.is_empty() || (first && b"\xEF\xBB\xBF".starts_with(&carry)) {
        Ok(Encoding::Utf8)
    } else {
        Ok(Encoding::EucKr)
    }
}

/// A reader giving UTF-8 text from a stream in a known encoding: the BOM
/// of a UTF-8 stream removed, EUC-KR/CP949 decoded as it is read.
pub struct DecodedReader<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    raw_start: usize,
    out: Vec<u8>,
    out_start: usize,
    at_start: bool,
    eof: bool,
}

impl<R: Read> DecodedReader<R> {
    /// Wraps `inner`, whose encoding is `encoding`.
    pub fn new(inner: R, encoding: Encoding) -> Self {
        Self {
            inner,
            decoder: (encoding == Encoding::EucKr)
                .then(|| encoding_rs::EUC_KR.new_decoder_without_bom_handling()),
            raw: Vec::new(),
            raw_start: 0,
            out: Vec::new(),
            out_start: 0,
            at_start: true,
            eof: false,
        }
    }

    fn fill_raw(&mut self) -> std::io::Result<()> {
        if self.raw_start > 0 {
            self.raw.drain(..self.raw_start);
            self.raw_start = 0;
        }
        let mut buf = [0u8; 1 << 15];
        let n = self.inner.read(&mut buf)?;
        if n == 0 {
            self.eof = true;
        }
        self.raw.extend_from_slice(&buf[..n]);
        Ok(())
    }
}

impl<R: Read> Read for DecodedReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out.len() {
                let n = dst.len().min(self.out.len() - self.out_start);
                dst[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            self.out.clear();
            self.out_start = 0;
            if self.at_start {
                // Enough bytes to see a BOM (or the end).
                while !self.eof && self.raw.len() - self.raw_start < 3 {
                    self.fill_raw()?;
                }
                self.at_start = false;
                if self.decoder.is_none() && self.raw[self.raw_start..].starts_with(b"\xEF\xBB\xBF")
                {
                    self.raw_start += 3;
                }
            }
            if self.raw_start >= self.raw.len() {
                if !self.eof {
                    self.fill_raw()?;
                    continue;
                }
                // The end: a decoder may still hold an unfinished sequence.
                let Some(mut d) = self.decoder.take() else {
                    return Ok(0);
                };
                let mut tail = [0u8; 16];
                let (res, _, written) = d.decode_to_utf8_without_replacement(&[], &mut tail, true);
                if let encoding_rs::DecoderResult::Malformed(_, _) = res {
                    return Err(malformed());
                }
                self.out.extend_from_slice(&tail[..written]);
                continue;
            }
            let input = &self.raw[self.raw_start..];
            match &mut self.decoder {
                None => {
                    self.out.extend_from_slice(input);
                    self.raw_start = self.raw.len();
                }
                Some(d) => {
                    let cap = d
                        .max_utf8_buffer_length_without_replacement(input.len())
                        .unwrap_or(input.len() * 3 + 16);
                    self.out.resize(cap, 0);
                    let (res, read, written) =
                        d.decode_to_utf8_without_replacement(input, &mut self.out, false);
                    self.out.truncate(written);
                    self.raw_start += read;
                    if let encoding_rs::DecoderResult::Malformed(_, _) = res {
                        return Err(malformed());
                    }
                }
            }
        }
    }
}

fn malformed() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "neither UTF-8 nor EUC-KR/CP949 text",
    )
}

/// A CSV table read row by row from a stream (the streaming counterpart of
/// [`Table`]: the same header handling, rows and issues, without holding
/// the text).
pub struct RowReader<R: Read> {
    /// The file's label.
    pub label: String,
    /// Lower-cased, trimmed header names.
    pub header: Vec<String>,
    rdr: csv::Reader<DecodedReader<R>>,
    /// The row last read (its record's buffers are reused for the next).
    row: Row,
}

impl<R: Read> RowReader<R> {
    /// Reads the header of a stream in a known encoding (see [`sniff`]).
    pub fn new(input: R, encoding: Encoding, label: &str) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(DecodedReader::new(input, encoding));
        let header = rdr
            .headers()
            .map_err(|e| {
                stream_error(label, &e).unwrap_or_else(|| KinError::Format {
                    file: label.to_string(),
                    reason: format!("header: {e}"),
                })
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
            rdr,
            row: Row {
                line: 0,
                fields: csv::StringRecord::new(),
            },
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

    /// The next row, a row issue, or the end; an unreadable stream (bad
    /// encoding, I/O) is an error.
    pub fn next_row(&mut self) -> Result<Option<std::result::Result<Row, RowIssue>>> {
        Ok(self.advance()?.map(|r| {
            r.map(|()| Row {
                line: self.row.line,
                fields: self.row.fields.clone(),
            })
        }))
    }

    /// Reads the next row into [`RowReader::current`] without copying it:
    /// `Some(Ok(()))` for a row, a row issue, or `None` at the end; an
    /// unreadable stream (bad encoding, I/O) is an error.
    pub fn advance(&mut self) -> Result<Option<std::result::Result<(), RowIssue>>> {
        let width = self.header.len();
        let rec = &mut self.row.fields;
        loop {
            match self.rdr.read_record(rec) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    let line = rec.position().map_or(0, |p| p.line());
                    if rec.len() == 1 && rec[0].trim().is_empty() {
                        continue; // blank line
                    }
                    if rec.len() != width {
                        return Ok(Some(Err(RowIssue {
                            file: self.label.clone(),
                            line,
                            reason: format!("{} fields, header has {width}", rec.len()),
                        })));
                    }
                    self.row.line = line;
                    return Ok(Some(Ok(())));
                }
                Err(e) => {
                    if let Some(fatal) = stream_error(&self.label, &e) {
                        return Err(fatal);
                    }
                    let line = e.position().map_or(0, |p| p.line());
                    return Ok(Some(Err(RowIssue {
                        file: self.label.clone(),
                        line,
                        reason: format!("not CSV: {e}"),
                    })));
                }
            }
        }
    }

    /// The row [`RowReader::advance`] read last.
    pub fn current(&self) -> &Row {
        &self.row
    }
}

/// An I/O or decoding failure under the CSV reader, as an error.
fn stream_error(label: &str, e: &csv::Error) -> Option<KinError> {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Some(KinError::Format {
                file: label.to_string(),
                reason: "neither UTF-8 nor EUC-KR/CP949 text".into(),
            })
        }
        csv::ErrorKind::Io(io) => Some(KinError::Io {
            file: label.to_string(),
            source: std::io::Error::new(io.kind(), io.to_string()),
        }),
        _ => None,
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

    /// A reader giving one byte per read.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), dst.first_mut()) {
                (Some((b, rest)), Some(d)) => {
                    *d = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn streamed_rows_equal_whole_table_rows() {
        let text = "\u{feff}id,name\n1,김순희\n2\n\n3,\"a,b\"\n4,리룡진\n";
        let (euc, _, _) = encoding_rs::EUC_KR.encode(&text[3..]);
        for bytes in [text.as_bytes().to_vec(), euc.into_owned()] {
            let t = Table::read(&bytes[..], "z.csv").unwrap();
            let enc = sniff(&bytes[..], "z.csv").unwrap();
            assert_eq!(enc, t.encoding);
            // Read one byte at a time: every carry over a read boundary.
            let mut r = RowReader::new(OneByte(&bytes), enc, "z.csv").unwrap();
            assert_eq!(r.header, t.header);
            let mut streamed = Vec::new();
            while let Some(row) = r.next_row().unwrap() {
                streamed.push(row.map(|r| (r.line, r.fields)).map_err(|i| i.to_string()));
            }
            let whole: Vec<_> = t
                .rows()
                .map(|row| row.map(|r| (r.line, r.fields)).map_err(|i| i.to_string()))
                .collect();
            assert_eq!(streamed, whole);
        }
        // A file cut inside an EUC-KR character fails at the end, not silently.
        let (mut cut, _, _) = encoding_rs::EUC_KR.encode("id,name\n1,김순희");
        let cut = cut.to_mut();
        cut.pop();
        let enc = sniff(&cut[..], "c.csv").unwrap();
        assert_eq!(enc, Encoding::EucKr);
        assert!(Table::read(&cut[..], "c.csv").is_err());
        let refused = RowReader::new(OneByte(cut), enc, "c.csv").and_then(|mut r| {
            while r.next_row()?.is_some() {}
            Ok(())
        });
        assert!(refused.is_err());
        let bad = b"id,name\n1,\xff\xff\xff\n";
        assert!(Table::read(&bad[..], "b.csv").is_err());
        let enc = sniff(&bad[..], "b.csv").unwrap();
        let refused = RowReader::new(&bad[..], enc, "b.csv").and_then(|mut r| {
            while r.next_row()?.is_some() {}
            Ok(())
        });
        assert!(refused.unwrap_err().to_string().contains("neither UTF-8"));
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
