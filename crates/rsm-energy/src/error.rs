//! The one error type of the energy engine, with file, row and column for bad input.

use std::path::PathBuf;

/// What is wrong with one cell (or row) of the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputProblem {
    /// A required value is empty or the column is absent.
    #[error("missing value")]
    Missing,
    /// The text is not a number (or is NaN).
    #[error("not a number: `{0}`")]
    NotANumber(String),
    /// A capacity, cost, length or demand is negative.
    #[error("negative value {0}")]
    Negative(f64),
    /// A value is infinite where a finite one is needed.
    #[error("infinite value")]
    Infinite,
    /// An efficiency outside (0, 1].
    #[error("efficiency {0} is outside (0, 1]")]
    Efficiency(f64),
    /// A component refers to a bus that `buses.csv` does not define.
    #[error("unknown bus `{0}`")]
    UnknownBus(String),
    /// Two components of one kind share a name.
    #[error("duplicate name `{0}`")]
    Duplicate(String),
    /// A 0/1 flag holds something else.
    #[error("not a 0/1 flag: `{0}`")]
    BadFlag(String),
    /// The row has another number of cells than the header.
    #[error("row has {found} cells, header has {expected}")]
    RowWidth {
        /// Cells in the header.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// Values that contradict each other (e.g. `p_nom_max` below `p_nom`).
    #[error("{0}")]
    Inconsistent(String),
}

/// Errors of the energy engine.
#[derive(Debug, thiserror::Error)]
pub enum EnergyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A bad cell of a network file. `row` is the 1-based line number (the header is line 1).
    #[error("{file}:{row}: column `{column}`: {problem}")]
    Input {
        /// File name inside the network folder, e.g. `links.csv`.
        file: String,
        /// 1-based line number.
        row: usize,
        /// Column name.
        column: String,
        /// What is wrong.
        problem: InputProblem,
    },
    /// A bus with demand that no supply can reach through the links.
    #[error("loads.csv: column `{bus}`: demand node `{bus}` is unreachable from any supply")]
    Unreachable {
        /// The demand bus.
        bus: String,
    },
    /// A scenario file that does not parse or refers to unknown components.
    #[error("scenario: {0}")]
    Scenario(String),
    /// The solver failed or found no optimum.
    #[error("solver: {0}")]
    Solver(String),
    /// The model has no feasible solution.
    #[error("infeasible: {0}")]
    Infeasible(String),
}

impl EnergyError {
    pub(crate) fn input(
        file: &str,
        row: usize,
        column: &str,
        problem: InputProblem,
    ) -> EnergyError {
        EnergyError::Input {
            file: file.to_owned(),
            row,
            column: column.to_owned(),
            problem,
        }
    }
}

/// Result alias of the engine.
pub type Result<T, E = EnergyError> = std::result::Result<T, E>;
