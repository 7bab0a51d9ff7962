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
//! - **Windows** (`5xx > 1% over 5m`): the check holds when it holds in any
//!   window `[t, t + 5m)`, with `t` from the start of the first interval of
//!   the series in steps of the series' step, every window inside the
//!   input's span (the last ends where the last interval ends; an input
//!   shorter than the window is one window). A window at the edge that
//!   reached past the input would judge a few minutes as if they were five.
//!   `--min-requests` applies per window: a thinner one is not judged, and
//!   if none is judged the check has no answer (exit 2 for a `--fail-if`).
//!   Requests without a readable time are in no window and are said so.
//! - **Burn rate** (`burn(1h,5m) > 14.4`, needs `--slo`): a window's burn
//!   rate is its bad share over the budget share `1 - SLO`. At every whole
//!   minute `e` of the input (on the series' clock), the windows are
//!   `[e - 1h, e)` and `[e - 5m, e)`; the alert fires at `e` when both are
//!   judged (each has `--min-requests`, at least one) and both exceed the
//!   factor. Time before the input holds no requests, so early on the long
//!   window is what the input has so far. `--burn-alerts` adds the SRE
//!   workbook's four alerts; pages are `--fail-if`s, tickets `--warn-if`s.
//!   The rate comparison is exact, like every other.
//!
//! This module returns a [`Verdict`], never an exit status: `cli` decides the
//! exit code in one place, where it also knows about unreadable inputs and
//! failed writes, so "2 wins over 1" is one comparison instead of a rule
//! every module has to remember.

pub mod clock;
mod parse;
mod render;
mod window;

use std::cmp::Ordering;
use std::io::{self, Write};

use crate::escape;
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Counts, SLOTS, Series, Summary};

pub use parse::{MAX_DECIMALS, MAX_DURATION, MAX_FACTOR};
pub use render::factor;
use window::{Pair, Point};

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
    /// `5xx`: what spends an SLO's error budget unless `--slo-bad` says.
    pub fn default_bad() -> Selector {
        Selector {
            items: vec![(Item::Class(Class::ServerError), false)],
        }
    }

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

impl std::fmt::Display for Threshold {
    /// The decimal as written, without trailing zeros: `14.4`, `6`, `99.9`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let one = 10u128.pow(self.scale);
        let (int, frac) = (self.mantissa / one, self.mantissa % one);
        if frac == 0 {
            return write!(f, "{int}");
        }
        let digits = format!("{frac:0width$}", width = self.scale as usize);
        write!(f, "{int}.{}", digits.trim_end_matches('0'))
    }
}

impl Threshold {
    /// The decimal as a float, for reports that show it as a number.
    pub fn as_f64(&self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

/// The two windows of a burn-rate alert, in seconds; `long >= short`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burn {
    pub long: u32,
    pub short: u32,
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
    /// For rates, in percent (`1.5%` is 15/10); for `burn(...)`, the factor.
    pub threshold: Threshold,
    /// `over DURATION`: judged in every window of this many seconds rather
    /// than over the whole input.
    pub window: Option<u32>,
    /// `burn(LONG, SHORT)`: a burn-rate alert. Its selector is the SLO's bad
    /// requests (`5xx` as parsed; the [`Gate`] sets `--slo-bad`).
    pub burn: Option<Burn>,
}

impl Expr {
    /// Whether the check needs requests over time rather than totals.
    pub fn is_timed(&self) -> bool {
        self.window.is_some() || self.burn.is_some()
    }
}

/// `30s`, `5m`, `2h`, `30d`, `90m`: the largest unit that divides `secs`.
pub fn duration_text(secs: u32) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `1d 2h 5m`: a span in its parts, down to seconds when it has them.
pub fn span_text(secs: u64) -> String {
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if text.is_empty() {
        "0s".to_string()
    } else {
        text.join(" ")
    }
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

/// `--slo`: `99.9%` as a [`Threshold`] in percent.
pub fn parse_target(s: &str) -> Result<Threshold, String> {
    parse::target(s, Lang::En).map_err(|e| e.message)
}

/// `--slo-period` (and any duration): `30s`, `5m`, `1h`, `30d`, in seconds.
pub fn parse_duration(s: &str) -> Result<u32, String> {
    parse::duration(s, Lang::En).map_err(|e| e.message)
}

/// `--slo-bad`: a selector of codes, classes and ranges.
pub fn parse_bad(s: &str) -> Result<BadSelector, String> {
    let selector = parse::selector(s, Lang::En).map_err(|e| e.message)?;
    Ok(BadSelector {
        source: s.trim().to_string(),
        selector,
    })
}

/// `--where`: the requests a `--top` counts, as a selector of codes,
/// classes and ranges; as a mask of the codes it takes, 0–999.
pub fn parse_where(s: &str, lang: Lang) -> Result<Box<[bool; SLOTS]>, ParseError> {
    parse::requests_selector(
        s,
        lang,
        (
            "--top counts requests: malformed and no_status are lines without a status",
            "--top 统计的是请求：malformed 和 no_status 是没有状态码的行",
        ),
    )
    .map(|sel| sel.mask())
}

/// What spends an SLO's error budget, with the text it was written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSelector {
    pub source: String,
    pub selector: Selector,
}

/// `--slo-period` when not given: the SRE workbook's 30 days.
pub const DEFAULT_PERIOD: u32 = 30 * 86_400;

/// The SRE workbook's multiwindow, multi-burn-rate alerts for a 30-day SLO
/// (`--burn-alerts`): the two pages fail the gate, the two tickets warn.
pub const BURN_ALERTS: [(&str, Level); 4] = [
    ("burn(1h,5m) > 14.4", Level::Fail),
    ("burn(6h,30m) > 6", Level::Fail),
    ("burn(1d,2h) > 3", Level::Warn),
    ("burn(3d,6h) > 1", Level::Warn),
];

/// A service-level objective burn-rate checks are measured against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slo {
    /// Share of requests that must be good, in percent (`99.9`), below 100.
    pub target: Threshold,
    /// Seconds the target is kept over (`--slo-period`).
    pub period: u32,
    /// Requests that spend the budget (`--slo-bad`, `5xx` by default).
    pub bad: BadSelector,
    /// `--burn-alerts`: add [`BURN_ALERTS`].
    pub burn_alerts: bool,
}

impl Slo {
    /// A target with the defaults: 30 days, bad = `5xx`, no alert set.
    pub fn new(target: Threshold) -> Slo {
        Slo {
            target,
            period: DEFAULT_PERIOD,
            bad: BadSelector {
                source: "5xx".into(),
                selector: Selector::default_bad(),
            },
            burn_alerts: false,
        }
    }

    /// The error budget as a share of requests, `1 - target`, exactly.
    fn budget(&self) -> (u128, u128) {
        let den = 100 * 10u128.pow(self.target.scale);
        (den - self.target.mantissa, den)
    }

    /// The bad share at which a window burns `factor` times the budget
    /// rate, exactly: `factor * (1 - target)`.
    fn burning_at(&self, factor: Threshold) -> (u128, u128) {
        let (b, d) = self.budget();
        (factor.mantissa * b, 10u128.pow(factor.scale) * d)
    }

    /// The burn rate of a window of `bad` in `total` requests.
    fn burn_of(&self, (bad, total): Pair) -> f64 {
        let (b, d) = self.budget();
        (bad as f64 * d as f64) / (total as f64 * b as f64)
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub expr: String,
    pub level: Level,
    /// Observed value: a fraction (0.0231 for 2.31%) for rates, a count
    /// otherwise; for a windowed check the worst window's, for a burn-rate
    /// alert the peak burn rate.
    pub value: f64,
    pub is_rate: bool,
    /// The counts behind `value`: of the whole input, of the worst window,
    /// or of the slower window at the burn-rate peak.
    pub numerator: u64,
    /// Requests, or non-skipped lines for `malformed` / `no_status`.
    pub denominator: u64,
    /// True when the condition held (a `--fail-if` that held fails the run).
    pub held: bool,
    /// How the windows went, for `over` and `burn(...)` checks.
    pub timed: Option<Timed>,
}

/// What a check judged over time found.
#[derive(Clone, Debug, PartialEq)]
pub enum Timed {
    Windows(Windows),
    Burn(Box<BurnAlert>),
}

/// Why a check over time judged nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// No request had a readable time.
    NoTimes,
    /// Every window had fewer than `--min-requests` requests.
    Thin,
    /// The series' step does not fit the windows (a `--by` that
    /// [`Gate::check_step`] would have refused).
    Step,
    /// A burn-rate check without an SLO (only a hand-built [`Gate`]).
    NoSlo,
}

/// The sliding windows of an `over` check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Windows {
    /// Window width and the step windows slide by, in seconds.
    pub width: u32,
    pub step: u32,
    /// The series' zone (seconds east of UTC), for showing times.
    pub offset: i32,
    /// Windows in the input's span, those judged, those where it held.
    pub windows: u64,
    pub judged: u64,
    pub breached: u64,
    /// Start of the first window where the check held.
    pub first_breach: Option<i64>,
    /// Start of the worst judged window (the highest value for `>`/`>=`,
    /// the lowest for `<`/`<=`, the first that held for `==`/`!=`).
    pub worst: Option<i64>,
    /// Requests without a readable time: in no window.
    pub undated: u64,
    pub min_requests: u64,
    pub gap: Option<Gap>,
}

/// A burn-rate alert replayed over the input.
#[derive(Clone, Debug, PartialEq)]
pub struct BurnAlert {
    pub long: u32,
    pub short: u32,
    pub factor: Threshold,
    /// The series' step and zone.
    pub step: u32,
    pub offset: i32,
    /// Minutes evaluated and judged; minutes the alert fired, in how many
    /// separate episodes; the first minute it fired; whether it was still
    /// firing at the input's last minute.
    pub minutes: u64,
    pub judged: u64,
    pub firing: u64,
    pub episodes: u64,
    pub first_fired: Option<i64>,
    pub firing_at_end: bool,
    /// The minute the slower of the two windows burned fastest, and that
    /// burn rate.
    pub peak: Option<(i64, f64)>,
    pub min_requests: u64,
    pub gap: Option<Gap>,
    pub slo: SloSpend,
}

impl BurnAlert {
    /// `page` for a `--fail-if`, `ticket` for a `--warn-if`.
    pub fn severity(level: Level) -> &'static str {
        match level {
            Level::Fail => "page",
            Level::Warn => "ticket",
        }
    }
}

/// What the input spent of an SLO's error budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SloSpend {
    pub target: Threshold,
    pub period: u32,
    /// `--slo-bad` as written.
    pub bad: String,
    /// Bad and all requests with a time, and the seconds they span (whole
    /// series steps from the first interval's start to the last one's end).
    pub bad_requests: u64,
    pub requests: u64,
    pub span: u64,
}

impl SloSpend {
    /// The input's own burn rate: its bad requests over the bad requests the
    /// SLO allows for its requests (1 spends the budget exactly as fast as
    /// the period allows).
    pub fn burn_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| {
            let den = 100 * 10u128.pow(self.target.scale);
            let budget = (den - self.target.mantissa) as f64 / den as f64;
            self.bad_requests as f64 / (self.requests as f64 * budget)
        })
    }

    /// The share of the whole period's budget the input spent, supposing the
    /// period's traffic runs at the input's rate: burn rate × span / period
    /// (the workbook's measure: an hour at 14.4× spends 2% of 30 days).
    pub fn budget_consumed(&self) -> Option<f64> {
        self.burn_rate()
            .map(|b| b * self.span as f64 / self.period as f64)
    }
}

impl CheckResult {
    /// `passed` as JSON and JUnit mean it: the condition did not hold.
    pub fn passed(&self) -> bool {
        !self.held
    }

    /// The windows of an `over` check.
    pub fn windows(&self) -> Option<&Windows> {
        match &self.timed {
            Some(Timed::Windows(w)) => Some(w),
            _ => None,
        }
    }

    /// The replay of a burn-rate alert.
    pub fn burn(&self) -> Option<&BurnAlert> {
        match &self.timed {
            Some(Timed::Burn(b)) => Some(b),
            _ => None,
        }
    }

    /// Nothing to judge: a rate over nothing (undefined), or a check over
    /// time that judged no window. Neither held nor really passed.
    pub fn no_data(&self) -> bool {
        match &self.timed {
            Some(Timed::Windows(w)) => w.judged == 0,
            Some(Timed::Burn(b)) => b.judged == 0,
            None => self.is_rate && self.denominator == 0,
        }
    }
}

/// Whether `(num, den)` meets `expr`'s condition, exactly: for a rate,
/// `num * 100 * 10^scale` against `mantissa * den`, all in `u128` (the
/// parser bounds `mantissa` and `scale` so neither side overflows). `None`
/// for a rate over nothing.
fn compare(expr: &Expr, (num, den): Pair) -> Option<bool> {
    let t = expr.threshold;
    if expr.agg == Agg::Rate {
        if den == 0 {
            return None;
        }
        let lhs = num as u128 * 100 * 10u128.pow(t.scale);
        let rhs = t.mantissa * den as u128;
        Some(expr.op.holds(lhs.cmp(&rhs)))
    } else {
        let lhs = num as u128 * 10u128.pow(t.scale);
        Some(expr.op.holds(lhs.cmp(&t.mantissa)))
    }
}

fn value_of(expr: &Expr, (num, den): Pair) -> f64 {
    match expr.agg {
        Agg::Rate if den == 0 => 0.0,
        Agg::Rate => num as f64 / den as f64,
        Agg::Count => num as f64,
    }
}

/// Evaluates `expr` over `counts` as one whole: `over` and `burn(...)` need
/// a series and an SLO, which [`Gate::evaluate`] has; here a window is
/// ignored and a burn-rate check never holds.
pub fn evaluate(expr: &Expr, level: Level, counts: &Counts) -> CheckResult {
    let pair = expr.selector.count(counts);
    let held = expr.burn.is_none() && compare(expr, pair) == Some(true);
    CheckResult {
        expr: expr.source.clone(),
        level,
        value: value_of(expr, pair),
        is_rate: expr.agg == Agg::Rate,
        numerator: pair.0,
        denominator: pair.1,
        held,
        timed: None,
    }
}

/// The series as `sel` sees it: per interval, what it selects and what a
/// rate of it is over (requests; for `no_status`, requests and no-status
/// lines, as malformed lines have no time).
fn points(series: &Series, sel: &Selector) -> Vec<Point> {
    let buckets = sel.is_buckets();
    let mask = sel.mask();
    series
        .buckets
        .iter()
        .map(|(&start, b)| {
            let requests = b.requests();
            let (num, den) = if buckets {
                let n = if sel.has(Item::NoStatus) {
                    b.no_status
                } else {
                    0
                };
                (n, requests + b.no_status)
            } else {
                let n = b
                    .codes
                    .iter()
                    .filter(|(c, _)| mask.get(**c as usize).copied().unwrap_or(false))
                    .map(|(_, n)| n)
                    .sum();
                (n, requests)
            };
            Point { start, num, den }
        })
        .collect()
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The gate's verdict over one run. A verdict, not an exit status: `cli`
/// alone turns it into one, together with everything else that went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No `--fail-if` held (or there were no checks).
    Pass,
    /// A `--fail-if` held.
    Fail,
    /// Checks were asked but fewer than `min_requests` requests were counted
    /// (or a `--fail-if` over time found no window with that many), so
    /// whatever they held says nothing.
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
    /// `--slo`: what `burn(...)` checks are measured against.
    pub slo: Option<Slo>,
}

impl Gate {
    /// Parses every expression; the first bad one is the error.
    pub fn from_args(
        fail_if: &[String],
        warn_if: &[String],
        min_requests: u64,
        lang: Lang,
    ) -> Result<Gate, ParseError> {
        Gate::with_slo(fail_if, warn_if, min_requests, lang, None)
    }

    /// [`Gate::from_args`] with an SLO: `burn(...)` checks count its bad
    /// requests, and its `burn_alerts` add [`BURN_ALERTS`] after the
    /// user's checks. A `burn(...)` check without an SLO is an error.
    pub fn with_slo(
        fail_if: &[String],
        warn_if: &[String],
        min_requests: u64,
        lang: Lang,
        slo: Option<Slo>,
    ) -> Result<Gate, ParseError> {
        let alerts = slo
            .as_ref()
            .filter(|s| s.burn_alerts)
            .map_or(&[][..], |_| &BURN_ALERTS[..]);
        let given = fail_if
            .iter()
            .map(|s| (s.as_str(), Level::Fail))
            .chain(warn_if.iter().map(|s| (s.as_str(), Level::Warn)));
        let mut checks = Vec::new();
        for (src, level) in given.chain(alerts.iter().copied()) {
            let mut e = parse_in(src, lang)?;
            if e.burn.is_some() {
                let Some(slo) = &slo else {
                    return Err(ParseError {
                        source: src.to_string(),
                        column: unicode_width::UnicodeWidthStr::width(
                            &src[..src.len() - src.trim_start().len()],
                        ),
                        message: lang
                            .pick(
                                "a burn rate is measured against an SLO: add --slo, e.g. --slo 99.9%",
                                "燃烧率以 SLO 为基准：请加上 --slo，例如 --slo 99.9%",
                            )
                            .to_string(),
                        lang,
                    });
                };
                e.selector = slo.bad.selector.clone();
            }
            checks.push((e, level));
        }
        Ok(Gate {
            checks,
            min_requests,
            lang,
            slo,
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

    /// True when some check is a burn-rate alert.
    pub fn has_burn(&self) -> bool {
        self.checks.iter().any(|(e, _)| e.burn.is_some())
    }

    /// The step, in seconds, of the series the checks over time need: the
    /// greatest common divisor of a minute and every window, so that each
    /// window is a whole number of intervals and burn-rate alerts, judged at
    /// every minute, find every minute's boundary. `None` when no check
    /// needs a series.
    pub fn series_step(&self) -> Option<u32> {
        self.checks
            .iter()
            .flat_map(|(e, _)| {
                e.window
                    .into_iter()
                    .chain(e.burn.into_iter().flat_map(|b| [b.long, b.short]))
            })
            .fold(None, |step, w| Some(gcd(step.unwrap_or(60), w)))
    }

    /// Refuses a series step the user chose (`--by`) that cannot judge the
    /// checks: every window must be a whole number of steps, and burn-rate
    /// alerts, judged at every minute, need a step that divides a minute.
    pub fn check_step(&self, step: u32) -> Result<(), String> {
        let by = duration_text(step);
        for (e, _) in &self.checks {
            let src = escape::escape_str(&e.source);
            if e.burn.is_some() && !60u32.is_multiple_of(step) {
                return Err(match self.lang {
                    Lang::En => format!(
                        "'{src}' is judged at every minute, which --by {by} intervals do not divide; use --by 1m or less"
                    ),
                    Lang::Zh => format!(
                        "'{src}' 每分钟判断一次，--by {by} 的间隔不能整除一分钟；请用 --by 1m 或更短"
                    ),
                });
            }
            let mut windows = e
                .window
                .into_iter()
                .chain(e.burn.into_iter().flat_map(|b| [b.long, b.short]));
            if let Some(w) = windows.find(|w| !w.is_multiple_of(step)) {
                let w = duration_text(w);
                return Err(match self.lang {
                    Lang::En => format!(
                        "'{src}': a {w} window is not a whole number of --by {by} intervals"
                    ),
                    Lang::Zh => format!("'{src}'：{w} 的窗口不是 --by {by} 间隔的整数倍"),
                });
            }
        }
        Ok(())
    }

    pub fn evaluate(&self, s: &Summary) -> Vec<CheckResult> {
        self.checks
            .iter()
            .map(|(e, l)| match (e.window, e.burn) {
                (_, Some(b)) => self.judge_burn(e, *l, b, s),
                (Some(w), None) => self.judge_windows(e, *l, w, s),
                (None, None) => evaluate(e, *l, &s.total),
            })
            .collect()
    }

    /// `expr` in every window of `width` seconds of the series.
    fn judge_windows(&self, e: &Expr, level: Level, width: u32, s: &Summary) -> CheckResult {
        let series = s.series.as_ref();
        let points = series.map(|x| points(x, &e.selector)).unwrap_or_default();
        let step = series.map_or(0, |x| x.step);
        let mut out = Windows {
            width,
            step,
            offset: series.map_or(0, |x| x.offset),
            windows: 0,
            judged: 0,
            breached: 0,
            first_breach: None,
            worst: None,
            undated: series.map_or(0, |x| x.undated),
            min_requests: self.min_requests,
            gap: None,
        };
        let mut r = evaluate(e, level, &Counts::default());
        if points.is_empty() {
            out.gap = Some(Gap::NoTimes);
        } else if step == 0 || !width.is_multiple_of(step) {
            out.gap = Some(Gap::Step);
        } else {
            let min = self.min_requests;
            let count = e.agg == Agg::Count;
            let holds = |p: Pair| compare(e, p) == Some(true);
            let value = |a: Pair, b: Pair| {
                if count {
                    a.0.cmp(&b.0)
                } else {
                    window::cmp_rates(a, b)
                }
            };
            let worse = |a: Pair, b: Pair| match e.op {
                Op::Gt | Op::Ge => value(a, b) == Ordering::Greater,
                Op::Lt | Op::Le => value(a, b) == Ordering::Less,
                Op::Eq | Op::Ne => holds(a) && !holds(b),
            };
            let judged = |p: Pair| p.1 >= min && (count || p.1 > 0);
            let sl = window::slide(&points, step, width, judged, holds, worse);
            out.windows = sl.windows;
            out.judged = sl.judged;
            out.breached = sl.breached;
            out.first_breach = sl.first_breach;
            if let Some((start, pair)) = sl.worst {
                out.worst = Some(start);
                (r.numerator, r.denominator) = pair;
                r.value = value_of(e, pair);
            }
            if sl.judged == 0 {
                out.gap = Some(Gap::Thin);
            }
            r.held = sl.breached > 0;
        }
        r.timed = Some(Timed::Windows(out));
        r
    }

    /// A burn-rate alert replayed minute by minute.
    fn judge_burn(&self, e: &Expr, level: Level, b: Burn, s: &Summary) -> CheckResult {
        let series = s.series.as_ref();
        // Without an SLO (only a hand-built gate) nothing is judged and the
        // gap says why; this one only fills the report's fields.
        let slo = self.slo.clone().unwrap_or_else(|| {
            Slo::new(Threshold {
                mantissa: 0,
                scale: 0,
            })
        });
        let points = series
            .map(|x| points(x, &slo.bad.selector))
            .unwrap_or_default();
        let step = series.map_or(0, |x| x.step);
        let (bad, requests) = points
            .iter()
            .fold((0, 0), |a, p| (a.0 + p.num, a.1 + p.den));
        let span = match (points.first(), points.last()) {
            (Some(f), Some(l)) => (l.start - f.start) as u64 + step as u64,
            _ => 0,
        };
        let mut out = BurnAlert {
            long: b.long,
            short: b.short,
            factor: e.threshold,
            step,
            offset: series.map_or(0, |x| x.offset),
            minutes: 0,
            judged: 0,
            firing: 0,
            episodes: 0,
            first_fired: None,
            firing_at_end: false,
            peak: None,
            min_requests: self.min_requests,
            gap: None,
            slo: SloSpend {
                target: slo.target,
                period: slo.period,
                bad: slo.bad.source.clone(),
                bad_requests: bad,
                requests,
                span,
            },
        };
        let mut r = evaluate(e, level, &Counts::default());
        r.is_rate = false;
        if self.slo.is_none() {
            out.gap = Some(Gap::NoSlo);
        } else if points.is_empty() {
            out.gap = Some(Gap::NoTimes);
        } else if step == 0
            || !60u32.is_multiple_of(step)
            || !b.long.is_multiple_of(step)
            || !b.short.is_multiple_of(step)
        {
            out.gap = Some(Gap::Step);
        } else {
            let (num, den) = slo.burning_at(e.threshold);
            let min = self.min_requests.max(1);
            let exceeds = |p: Pair| {
                let ord =
                    window::mul_wide(p.0 as u128, den).cmp(&window::mul_wide(num, p.1 as u128));
                p.1 > 0 && e.op.holds(ord)
            };
            let rp = window::replay(
                &points,
                step,
                out.offset,
                b.long,
                b.short,
                |p| p.1 >= min,
                exceeds,
            );
            out.minutes = rp.minutes;
            out.judged = rp.judged;
            out.firing = rp.firing;
            out.episodes = rp.episodes;
            out.first_fired = rp.first_fired;
            out.firing_at_end = rp.firing_at_end;
            if let Some((at, pair)) = rp.peak {
                let burn = slo.burn_of(pair);
                out.peak = Some((at, burn));
                (r.numerator, r.denominator) = pair;
                r.value = burn;
            }
            if rp.judged == 0 {
                out.gap = Some(Gap::Thin);
            }
            r.held = rp.firing > 0;
        }
        r.timed = Some(Timed::Burn(Box::new(out)));
        r
    }

    /// True when checks were asked but too few requests were counted for
    /// their verdict to mean anything.
    pub fn too_few_requests(&self, s: &Summary) -> bool {
        !self.is_empty() && s.total.requests() < self.min_requests
    }

    /// Checks over time that judged nothing, unless there was nothing to
    /// judge and `--min-requests 0` accepts that.
    fn unanswered<'a>(
        &self,
        s: &Summary,
        r: &'a [CheckResult],
    ) -> impl Iterator<Item = &'a CheckResult> {
        let excused = self.min_requests == 0 && s.total.requests() == 0;
        r.iter()
            .filter(move |c| c.timed.is_some() && c.no_data() && !excused)
    }

    /// Why the verdicts mean nothing, when too few requests were counted or
    /// a `--fail-if` over time judged no window: a line for stderr, not part
    /// of the verdicts. With a `--fail-if` it is an error (the run exits 2);
    /// with only `--warn-if` it says there is no verdict.
    pub fn too_few_message(&self, s: &Summary, r: &[CheckResult]) -> Option<String> {
        if self.too_few_requests(s) {
            return Some(render::too_few(self, s));
        }
        let failing: Vec<&CheckResult> = self
            .unanswered(s, r)
            .filter(|c| c.level == Level::Fail || !self.can_fail())
            .collect();
        (!failing.is_empty()).then(|| render::unjudged(self, &failing))
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
    /// `--fail-if`: verdicts over too little data mean nothing; so does a
    /// `--fail-if` over time that judged no window. Warnings never change it.
    pub fn verdict(&self, s: &Summary, r: &[CheckResult]) -> Verdict {
        let short = self.too_few_requests(s);
        let unjudged_fail = self.unanswered(s, r).any(|c| c.level == Level::Fail);
        if short && !self.can_fail() {
            Verdict::NoVerdict
        } else if short || unjudged_fail {
            Verdict::TooFewRequests
        } else if r.iter().any(|c| c.level == Level::Fail && c.held) {
            Verdict::Fail
        } else if !self.can_fail() && self.unanswered(s, r).next().is_some() {
            Verdict::NoVerdict
        } else {
            Verdict::Pass
        }
    }
}

#[cfg(test)]
mod tests;
