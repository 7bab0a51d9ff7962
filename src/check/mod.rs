//! `--fail-if` / `--warn-if`: threshold expressions over the counts.
//!
//! An expression is `[AGG '('] SELECTOR [')'] OP NUMBER ['%']` (see [`parse`]
//! for the grammar). Decisions behind the semantics, so that a CI gate never
//! surprises whoever reads its verdict:
//!
//! - **Whitespace** is free between tokens (`rate( 4xx , !404 )>=5 %`) and
//!   never inside one (`5 xx`, `> =` are errors).
//! - **Selectors**: `!` items subtract from the union of the positive items; a
//!   selector of only negations (`!404`) means every request except those.
//!   Duplicates and overlaps count once.
//! - **Buckets** `malformed` and `no_status` are lines, not requests: their
//!   rate is over the lines that were not skipped. They cannot be mixed with
//!   codes in one selector (the denominator would be ambiguous) and cannot be
//!   negated; both are rejected with an error pointing at the item.
//! - **Aggregates**: without `rate(`/`count(`, a `%` means a rate and a plain
//!   number a count. `rate(...)` needs a `%`; `count(...)` refuses one.
//! - **Numbers** are non-negative decimals with at most 9 decimal places,
//!   parsed exactly (`1.5` is 15/10) and compared as rationals, so `5xx > 1%`
//!   at exactly 100 of 10,000 does *not* hold and `==` means exactly equal.
//!   A count threshold must be whole (`5xx > 1.5` is almost certainly a
//!   missing `%`, and the error says so); a rate above 100% is rejected.
//! - **Codes** are three digits (`503`, `000` = code 0); range bounds must be
//!   ordered; classes are `1xx`–`5xx`.
//! - **No data**: a rate over zero requests (or lines) is undefined; the check
//!   does not hold and is shown as skipped. The gate's verdict is still
//!   [`Verdict::TooFewRequests`] through `--min-requests` unless the user
//!   lowered it to 0 to accept empty input.
//! - **Warnings never fail a job**: with only `--warn-if` checks, too few
//!   requests is [`Verdict::NoVerdict`], said as such, not a failure.
//!
//! This module returns a [`Verdict`], never an exit status: `cli` decides the
//! exit code in one place, where it also knows about unreadable inputs and
//! failed writes, so "2 wins over 1" is one comparison instead of a rule
//! every module has to remember.

mod parse;
mod render;

use std::io::{self, Write};

use crate::escape;
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Counts, SLOTS, Summary};

pub use parse::MAX_DECIMALS;

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

/// What an expression measures: a share of the denominator or a plain count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    Rate,
    Count,
}

/// The comparison of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
        }
    }
}

/// One selector item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Code(u16),
    Class(Class),
    /// Inclusive bounds, `lo <= hi`.
    Range(u16, u16),
    Malformed,
    NoStatus,
}

impl Item {
    /// Buckets count lines, not requests.
    pub fn is_bucket(self) -> bool {
        matches!(self, Item::Malformed | Item::NoStatus)
    }

    /// The inclusive code range the item covers; `None` for buckets.
    fn code_span(self) -> Option<(u16, u16)> {
        match self {
            Item::Code(c) => Some((c, c)),
            Item::Range(lo, hi) => Some((lo, hi)),
            Item::Class(k) => {
                let base = k.digit() as u16 * 100;
                Some((base, base + 99))
            }
            Item::Malformed | Item::NoStatus => None,
        }
    }
}

/// A comma list of items, each with its negation flag. Never empty; either
/// all buckets or all codes (the parser guarantees both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub items: Vec<(Item, bool)>,
}

impl Selector {
    /// True when the selector counts lines (`malformed`, `no_status`).
    pub fn is_buckets(&self) -> bool {
        self.items.iter().any(|(i, _)| i.is_bucket())
    }

    /// `(numerator, denominator)` over `c`: the selected count and what a rate
    /// of it is over (requests, or non-skipped lines for buckets).
    pub fn count(&self, c: &Counts) -> (u64, u64) {
        if self.is_buckets() {
            // `has` rather than a sum over items: selecting a bucket twice
            // must not count it twice.
            let mut n = 0;
            if self.has(Item::Malformed) {
                n += c.malformed;
            }
            if self.has(Item::NoStatus) {
                n += c.no_status;
            }
            return (n, c.requests() + c.no_status + c.malformed);
        }
        let mask = self.mask();
        let n = c
            .codes
            .iter()
            .zip(mask.iter())
            .filter(|(_, m)| **m)
            .map(|(n, _)| *n)
            .sum();
        (n, c.requests())
    }

    fn has(&self, item: Item) -> bool {
        self.items.iter().any(|(i, _)| *i == item)
    }

    /// Which codes the selector takes: the union of the positive items (every
    /// code when there is none), minus the negated ones.
    fn mask(&self) -> Box<[bool; SLOTS]> {
        let any_positive = self.items.iter().any(|(_, neg)| !neg);
        let mut mask = Box::new([!any_positive; SLOTS]);
        // Positives first, then negatives, so order in the list never matters.
        for want_negated in [false, true] {
            for (item, neg) in &self.items {
                if *neg != want_negated {
                    continue;
                }
                if let Some((lo, hi)) = item.code_span() {
                    mask[lo as usize..=hi as usize].fill(!neg);
                }
            }
        }
        mask
    }
}

/// A non-negative decimal, exactly: `mantissa / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    pub mantissa: u128,
    /// Decimal places, at most [`MAX_DECIMALS`].
    pub scale: u32,
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// The expression as the user wrote it.
    pub source: String,
    /// Resolved: `Rate` when written as `rate(...)` or with a `%`.
    pub agg: Agg,
    pub selector: Selector,
    pub op: Op,
    /// For rates, in percent (`1.5%` is 15/10).
    pub threshold: Threshold,
}

/// A bad expression: the message and the 0-based column it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub source: String,
    /// Display column (terminal cells) of the offending spot; may equal the
    /// source's width when something is missing at the end.
    pub column: usize,
    /// What is wrong, in `lang`.
    pub message: String,
    pub lang: Lang,
}

impl ParseError {
    /// The lines shown under the message: the expression, indented, and a
    /// caret under the column; newline-terminated. The expression is escaped
    /// like any echoed argument, and the caret moves with what escaping
    /// lengthened before it.
    pub fn pointer(&self) -> String {
        // The shortest prefix as wide as `column` ends where the fault is.
        let mut end = self.source.len();
        let mut width = 0;
        for (i, c) in self.source.char_indices() {
            if width >= self.column {
                end = i;
                break;
            }
            width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        let column = if width >= self.column {
            unicode_width::UnicodeWidthStr::width(escape::escape_str(&self.source[..end]).as_str())
        } else {
            self.column
        };
        format!(
            "  {}\n  {}^\n",
            escape::escape_str(&self.source),
            " ".repeat(column)
        )
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = escape::escape_str(&self.source);
        match self.lang {
            Lang::En => write!(f, "invalid expression '{source}': {}", self.message),
            Lang::Zh => write!(f, "无效的表达式 '{source}'：{}", self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses an expression like `5xx > 1%`, with English error messages.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    parse::parse(src, Lang::En)
}

/// [`parse`] with error messages in `lang`.
pub fn parse_in(src: &str, lang: Lang) -> Result<Expr, ParseError> {
    parse::parse(src, lang)
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
    /// Requests, or non-skipped lines for `malformed` / `no_status`.
    pub denominator: u64,
    /// True when the condition held (a `--fail-if` that held fails the run).
    pub held: bool,
}

impl CheckResult {
    /// `passed` as JSON and JUnit mean it: the condition did not hold.
    pub fn passed(&self) -> bool {
        !self.held
    }

    /// A rate over nothing: undefined, so neither held nor really passed.
    pub fn no_data(&self) -> bool {
        self.is_rate && self.denominator == 0
    }
}

/// Evaluates `expr` over `counts`, comparing exactly: for a rate,
/// `numerator * 100 * 10^scale` against `mantissa * denominator`, all in
/// `u128` (the parser bounds `mantissa` and `scale` so neither side overflows).
pub fn evaluate(expr: &Expr, level: Level, counts: &Counts) -> CheckResult {
    let (num, den) = expr.selector.count(counts);
    let is_rate = expr.agg == Agg::Rate;
    let t = expr.threshold;
    let (value, held) = if is_rate {
        if den == 0 {
            (0.0, false)
        } else {
            let lhs = num as u128 * 100 * 10u128.pow(t.scale);
            let rhs = t.mantissa * den as u128;
            (num as f64 / den as f64, expr.op.holds(lhs.cmp(&rhs)))
        }
    } else {
        let lhs = num as u128 * 10u128.pow(t.scale);
        (num as f64, expr.op.holds(lhs.cmp(&t.mantissa)))
    };
    CheckResult {
        expr: expr.source.clone(),
        level,
        value,
        is_rate,
        numerator: num,
        denominator: den,
        held,
    }
}

/// The gate's verdict over one run. A verdict, not an exit status: `cli`
/// alone turns it into one, together with everything else that went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No `--fail-if` held (or there were no checks).
    Pass,
    /// A `--fail-if` held.
    Fail,
    /// Checks were asked but fewer than `min_requests` requests were counted,
    /// so whatever they held says nothing.
    TooFewRequests,
    /// Too few requests, but every check is a `--warn-if`: there is nothing
    /// to say, and a warning must not fail a job, not even for lack of data.
    NoVerdict,
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
            checks.push((parse_in(s, lang)?, Level::Fail));
        }
        for s in warn_if {
            checks.push((parse_in(s, lang)?, Level::Warn));
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

    /// True when some check is a `--fail-if`: only then can the gate fail a
    /// run, including for too few requests.
    pub fn can_fail(&self) -> bool {
        self.checks.iter().any(|(_, l)| *l == Level::Fail)
    }

    pub fn evaluate(&self, s: &Summary) -> Vec<CheckResult> {
        self.checks
            .iter()
            .map(|(e, l)| evaluate(e, *l, &s.total))
            .collect()
    }

    /// True when checks were asked but too few requests were counted for
    /// their verdict to mean anything.
    pub fn too_few_requests(&self, s: &Summary) -> bool {
        !self.is_empty() && s.total.requests() < self.min_requests
    }

    /// Why the verdicts mean nothing, when too few requests were counted:
    /// a line for stderr, not part of the verdicts. With a `--fail-if` it is
    /// an error (the run exits 2); with only `--warn-if` it says there is no
    /// verdict.
    pub fn too_few_message(&self, s: &Summary) -> Option<String> {
        self.too_few_requests(s).then(|| render::too_few(self, s))
    }

    /// One line per check, then an overall line.
    pub fn write_verdicts(&self, w: &mut dyn Write, r: &[CheckResult]) -> io::Result<()> {
        render::verdicts(self, w, r)
    }

    /// JUnit XML, one testcase per check.
    pub fn write_junit(&self, w: &mut dyn Write, s: &Summary, r: &[CheckResult]) -> io::Result<()> {
        render::junit(self, w, s, r)
    }

    /// GitHub workflow commands for failed and warned checks.
    pub fn write_github(
        &self,
        w: &mut dyn Write,
        s: &Summary,
        r: &[CheckResult],
    ) -> io::Result<()> {
        render::github(self, w, s, r)
    }

    /// What the checks say about the run. Too few requests wins over a held
    /// `--fail-if`: verdicts over too little data mean nothing. Warnings never
    /// change it.
    pub fn verdict(&self, s: &Summary, r: &[CheckResult]) -> Verdict {
        if self.too_few_requests(s) && !self.can_fail() {
            Verdict::NoVerdict
        } else if self.too_few_requests(s) {
            Verdict::TooFewRequests
        } else if r.iter().any(|c| c.level == Level::Fail && c.held) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }
}

#[cfg(test)]
mod tests;
