//! A solver-neutral linear (or mixed-integer) program and the small solver trait, with HiGHS behind it.

use std::num::NonZeroU32;

use highs::{ColProblem, HighsModelStatus, Sense};

use crate::error::{EnergyError, Result};

/// One variable: objective coefficient, bounds, integrality and its nonzeros `(row, coefficient)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Objective coefficient.
    pub cost: f64,
    /// Lower bound (may be `-inf`).
    pub lower: f64,
    /// Upper bound (may be `inf`).
    pub upper: f64,
    /// Whether the variable must take an integer value.
    pub integer: bool,
    /// Nonzeros of the column.
    pub entries: Vec<(usize, f64)>,
}

/// A minimisation problem `min cost·x + offset` s.t. `row_lower ≤ A x ≤ row_upper`, `lower ≤ x ≤ upper`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinearProgram {
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Row bounds `(lower, upper)` in order.
    pub rows: Vec<(f64, f64)>,
    /// Constant added to the objective.
    pub offset: f64,
}

impl LinearProgram {
    /// Adds a row and returns its index.
    pub fn add_row(&mut self, lower: f64, upper: f64) -> usize {
        self.rows.push((lower, upper));
        self.rows.len() - 1
    }

    /// Adds a continuous column and returns its index.
    pub fn add_col(
        &mut self,
        cost: f64,
        lower: f64,
        upper: f64,
        entries: Vec<(usize, f64)>,
    ) -> usize {
        self.columns.push(Column {
            cost,
            lower,
            upper,
            integer: false,
            entries,
        });
        self.columns.len() - 1
    }

    /// Number of nonzeros of the constraint matrix.
    pub fn nonzeros(&self) -> usize {
        self.columns.iter().map(|c| c.entries.len()).sum()
    }

    /// Whether any column is integer.
    pub fn is_mip(&self) -> bool {
        self.columns.iter().any(|c| c.integer)
    }
}

/// The optimum of a program.
#[derive(Debug, Clone, PartialEq)]
pub struct LpSolution {
    /// Objective value, offset included.
    pub objective: f64,
    /// Values of the columns.
    pub columns: Vec<f64>,
    /// Duals of the rows: the change of the objective per unit increase of the row's bound.
    pub row_duals: Vec<f64>,
    /// Simplex iterations (0 for a MIP or interior point).
    pub iterations: i64,
}

/// A solver of linear programs.
pub trait LpSolver: Sync {
    /// Solves `lp` to optimality; `start` is an optional primal starting point (warm start).
    fn solve(&self, lp: &LinearProgram, start: Option<&[f64]>) -> Result<LpSolution>;
}

/// HiGHS options used by [`HighsSolver`].
#[derive(Debug, Clone, PartialEq)]
pub struct HighsSolver {
    /// Threads HiGHS may use (1 reproduces the reference figures).
    pub threads: u32,
    /// `"simplex"`, `"ipm"`, `"pdlp"` or `"choose"`.
    pub method: String,
    /// Whether HiGHS presolves.
    pub presolve: bool,
}

impl Default for HighsSolver {
    fn default() -> Self {
        HighsSolver {
            threads: 1,
            method: "simplex".into(),
            presolve: true,
        }
    }
}

impl LpSolver for HighsSolver {
    fn solve(&self, lp: &LinearProgram, start: Option<&[f64]>) -> Result<LpSolution> {
        let mut pb = ColProblem::default();
        let rows: Vec<_> = lp
            .rows
            .iter()
            .map(|&(lo, hi)| pb.add_row(lo..=hi))
            .collect();
        for c in &lp.columns {
            let factors = c.entries.iter().map(|&(r, v)| (rows[r], v));
            if c.integer {
                pb.add_integer_column(c.cost, c.lower..=c.upper, factors);
            } else {
                pb.add_column(c.cost, c.lower..=c.upper, factors);
            }
        }
        let mut model = pb
            .try_optimise(Sense::Minimise)
            .map_err(|e| EnergyError::Solver(format!("HiGHS rejected the model: {e:?}")))?;
        model.make_quiet();
        if let Some(n) = NonZeroU32::new(self.threads) {
            model.set_threads(n);
        }
        let opt = |e| EnergyError::Solver(format!("HiGHS option: {e}"));
        if lp.is_mip() {
            model.try_set_option("mip_rel_gap", 1e-9).map_err(opt)?;
        } else {
            model
                .try_set_option("solver", self.method.as_str())
                .map_err(opt)?;
        }
        model
            .try_set_option("presolve", if self.presolve { "on" } else { "off" })
            .map_err(opt)?;
        if let Some(x) = start {
            model
                .try_set_solution(Some(x), None, None, None)
                .map_err(|e| EnergyError::Solver(format!("HiGHS warm start: {e:?}")))?;
        }
        let solved = model
            .try_solve()
            .map_err(|e| EnergyError::Solver(format!("HiGHS run failed: {e:?}")))?;
        match solved.status() {
            HighsModelStatus::Optimal => {}
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
                return Err(EnergyError::Infeasible(format!(
                    "HiGHS status {:?}",
                    solved.status()
                )));
            }
            other => return Err(EnergyError::Solver(format!("HiGHS status {other:?}"))),
        }
        let sol = solved.get_solution();
        Ok(LpSolution {
            objective: solved.objective_value() + lp.offset,
            columns: sol.columns().to_vec(),
            row_duals: sol.dual_rows().to_vec(),
            iterations: if lp.is_mip() {
                0
            } else {
                solved.simplex_iteration_count()
            },
        })
    }
}
