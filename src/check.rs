//! `--fail-if` / `--warn-if`: threshold expressions over the counts.
//!
//! SKELETON (check helper): types and signatures that `cli` and `report` use.

use std::io::{self, Write};

use crate::lang::Lang;
use crate::summary::{Counts, Summary};

/// Whether a check that holds fails the run or only warns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Fail,
    Warn,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Fail => "fail",
            Level::Warn => "warn",
        }
    }
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// The expression as the user wrote it.
    pub source: String,
}

/// A bad expression: the message and the 0-based column it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub source: String,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// The full message for stderr: the expression quoted and a caret under
    /// the column, newline-terminated.
    pub fn render(&self) -> String {
        format!(
            "logstat: {self}\n  {}\n  {}^\n",
            self.source,
            " ".repeat(self.column)
        )
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid expression '{}': {}", self.source, self.message)
    }
}

/// Parses an expression like `5xx > 1%`.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    Err(ParseError {
        source: src.to_string(),
        column: 0,
        message: "not implemented yet".into(),
    })
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub expr: String,
    pub level: Level,
    /// Observed value: a fraction (0.0231 for 2.31%) for rates, a count otherwise.
    pub value: f64,
    pub is_rate: bool,
    pub numerator: u64,
    pub denominator: u64,
    /// True when the condition held (a `--fail-if` that held fails the run).
    pub held: bool,
}

impl CheckResult {
    /// `passed` as JSON and JUnit mean it: the condition did not hold.
    pub fn passed(&self) -> bool {
        !self.held
    }
}

/// Evaluates `expr` over `counts`.
pub fn evaluate(expr: &Expr, level: Level, _counts: &Counts) -> CheckResult {
    CheckResult {
        expr: expr.source.clone(),
        level,
        value: 0.0,
        is_rate: false,
        numerator: 0,
        denominator: 0,
        held: false,
    }
}

/// Every `--fail-if` / `--warn-if` of one run.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    pub checks: Vec<(Expr, Level)>,
    pub min_requests: u64,
    pub lang: Lang,
}

impl Gate {
    /// Parses every expression; the first bad one is the error.
    pub fn from_args(
        fail_if: &[String],
        warn_if: &[String],
        min_requests: u64,
        lang: Lang,
    ) -> Result<Gate, ParseError> {
        let mut checks = Vec::new();
        for s in fail_if {
            checks.push((parse(s)?, Level::Fail));
        }
        for s in warn_if {
            checks.push((parse(s)?, Level::Warn));
        }
        Ok(Gate {
            checks,
            min_requests,
            lang,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    pub fn evaluate(&self, s: &Summary) -> Vec<CheckResult> {
        self.checks
            .iter()
            .map(|(e, l)| evaluate(e, *l, &s.total))
            .collect()
    }

    /// One line per check, then an overall line.
    pub fn write_verdicts(
        &self,
        _w: &mut dyn Write,
        _s: &Summary,
        _r: &[CheckResult],
    ) -> io::Result<()> {
        Ok(())
    }

    /// JUnit XML, one testcase per check.
    pub fn write_junit(
        &self,
        _w: &mut dyn Write,
        _s: &Summary,
        _r: &[CheckResult],
    ) -> io::Result<()> {
        Ok(())
    }

    /// GitHub workflow commands for failed and warned checks.
    pub fn write_github(
        &self,
        _w: &mut dyn Write,
        _s: &Summary,
        _r: &[CheckResult],
    ) -> io::Result<()> {
        Ok(())
    }

    /// 1 when a `--fail-if` held; 2 when checks were asked and fewer than
    /// `min_requests` requests were counted; else 0.
    pub fn exit_code(&self, _s: &Summary, r: &[CheckResult]) -> i32 {
        if r.iter().any(|c| c.level == Level::Fail && c.held) {
            1
        } else {
            0
        }
    }
}
