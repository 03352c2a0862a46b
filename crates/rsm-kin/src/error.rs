//! The one error type of the crate, and the row-level problems reported
//! while loading files.

use std::fmt;

/// A problem with one input row: which file, which line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// The file's label as given by the caller (usually its path).
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// What is wrong, for a person to read.
    pub reason: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum KinError {
    /// Reading the input failed.
    #[error("reading {file}: {source}")]
    Io {
        /// The file's label.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not CSV we can read (no header, unknown encoding …).
    #[error("{file}: {reason}")]
    Format {
        /// The file's label.
        file: String,
        /// Why.
        reason: String,
    },
    /// A required column is absent from the header.
    #[error("{file}: missing column `{column}`")]
    MissingColumn {
        /// The file's label.
        file: String,
        /// The column name.
        column: String,
    },
    /// The policy was to refuse a file with bad rows, and it had some.
    #[error("{file}: {count} bad row(s), first: {first}")]
    BadRows {
        /// The file's label.
        file: String,
        /// How many rows were bad.
        count: usize,
        /// The first problem.
        first: RowIssue,
    },
    /// Writing output failed.
    #[error("writing output: {0}")]
    Write(#[source] std::io::Error),
    /// Options that cannot work together.
    #[error("invalid options: {0}")]
    Options(String),
}

/// Result with [`KinError`].
pub type Result<T> = std::result::Result<T, KinError>;
