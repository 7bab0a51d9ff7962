//! The counts a scan produces: per input and in total.
//!
//! Every line lands in exactly one bucket: a status code (`codes`), `no_status`
//! (the status field is `-`), `skipped` (blank lines, format directives and
//! records that are not requests, each counted by reason) or `malformed` (no
//! status could be read). `lines` is always their sum, which is why it is
//! computed rather than stored.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::lines::{Counts, SLOTS};
pub use crate::time::Stamp;

/// Requests over time: what was counted in each interval of `step` seconds.
///
/// Intervals are aligned to the clock of `offset` (a 1-hour step starts on
/// the hour of that zone, a 1-day step at its midnight). Only intervals that
/// hold lines are stored, so a sparse log costs little; the codes of an
/// interval are sparse for the same reason. Every dated request and no-status
/// line counted in the total is in exactly one interval; requests without a
/// readable time are counted in `undated` instead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    /// Interval width in seconds (`--by`, or the step windowed checks slide by).
    pub step: u32,
    /// Offset east of UTC, in seconds, the intervals are aligned to.
    pub offset: i32,
    /// Interval start (Unix seconds) → what was counted in it.
    pub buckets: std::collections::BTreeMap<i64, Bucket>,
    /// Requests and no-status lines counted without a readable time (only
    /// when no time filter is set: with one they are the `undated` bucket).
    pub undated: u64,
}

/// One `--top FIELD --where SELECTOR` answer: the values of a field with the
/// most lines among those the selector picked.
///
/// Counts are exact while the distinct values fit the memory budget; past it
/// they come from a mergeable heavy-hitter summary, and every count may then
/// be over by at most `error_bound` (never under). `exact` says which.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Top {
    /// The field as asked (`path`, `host`, `json:user.id`, …).
    pub field: String,
    /// The selector as asked (`5xx`, `404,499`, `!2xx`), or `None` for all
    /// requests.
    pub selector: Option<String>,
    /// Lines the selector picked (the denominator of each row's share).
    pub selected: u64,
    /// Picked lines that had no value for the field (`-`, absent key).
    pub missing: u64,
    /// The rows, most lines first, at most `-n`.
    pub rows: Vec<TopRow>,
    pub exact: bool,
    /// The most any count may be over when not `exact` (0 when exact).
    pub error_bound: u64,
    /// The path grouping rules applied (`--group-paths`), as shown.
    pub grouping: Vec<String>,
}

/// One value of a [`Top`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopRow {
    /// The value's bytes as the log wrote them (after grouping). Escape
    /// before showing.
    pub value: Vec<u8>,
    pub count: u64,
    /// The picked lines of this value by status code (0–999), only codes
    /// seen; classes are derived from it.
    pub codes: std::collections::BTreeMap<u16, u64>,
}

/// What one interval of a [`Series`] holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Requests by status code (0–999), only codes seen.
    pub codes: std::collections::BTreeMap<u16, u64>,
    pub no_status: u64,
}

impl Bucket {
    pub fn requests(&self) -> u64 {
        self.codes.values().sum()
    }

    /// Requests and no-status lines.
    pub fn total(&self) -> u64 {
        self.requests() + self.no_status
    }

    /// Adds `n` lines of status slot `slot` (a code, or
    /// [`crate::lines::NO_STATUS`]).
    pub fn add(&mut self, slot: u16, n: u64) {
        if slot as usize == crate::lines::NO_STATUS {
            self.no_status += n;
        } else {
            *self.codes.entry(slot).or_default() += n;
        }
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &Bucket) {
        for (&c, &n) in &other.codes {
            *self.codes.entry(c).or_default() += n;
        }
        self.no_status += other.no_status;
    }
}

impl Series {
    /// An empty series of `step`-second intervals aligned to `offset`.
    pub fn new(step: u32, offset: i32) -> Series {
        Series {
            step,
            offset,
            ..Series::default()
        }
    }

    /// Start of the interval that holds `t`.
    pub fn start_of(&self, t: i64) -> i64 {
        t - (t + self.offset as i64).rem_euclid(self.step.max(1) as i64)
    }

    /// Adds `n` lines of status slot `slot` at time `t`.
    pub fn add(&mut self, t: i64, slot: u16, n: u64) {
        let start = self.start_of(t);
        self.buckets.entry(start).or_default().add(slot, n);
    }

    /// Adds everything `other` holds, interval by interval (`other` has the
    /// same intervals, or ones that nest in these).
    pub fn merge(&mut self, other: &Series) {
        for (&t, b) in &other.buckets {
            let start = self.start_of(t);
            self.buckets.entry(start).or_default().merge(b);
        }
        self.undated += other.undated;
    }

    /// The same lines in intervals of `step` seconds aligned to `offset`:
    /// exact when each new interval is a union of this series' intervals
    /// (`step` a multiple of `self.step`, `offset - self.offset` too).
    pub fn coarsen(&self, step: u32, offset: i32) -> Series {
        let mut out = Series::new(step, offset);
        out.merge(self);
        out
    }

    /// Requests and no-status lines over all intervals.
    pub fn total(&self) -> u64 {
        self.buckets.values().map(Bucket::total).sum()
    }
}

/// A line that could not be read, kept as an example for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedExample {
    /// The input's display name (`-` shows as `<stdin>`). Escape before
    /// showing ([`crate::escape::escape_path`]).
    pub path: PathBuf,
    /// 1-based line number within that input (after decompression).
    pub line: u64,
    /// The raw bytes of the line, without its terminator: its first
    /// [`crate::lines::EXAMPLE_BYTES`] bytes, and a line longer than the
    /// scan's limit cut to that limit first. Escape before showing.
    pub text: Vec<u8>,
}

/// What one input gave.
#[derive(Clone, Debug, Default)]
pub struct InputSummary {
    /// Display name: the path as given, or `<stdin>`. A path rather than a
    /// `String` so a name that is not UTF-8 keeps its bytes for the report.
    pub path: PathBuf,
    /// Name of the format used (detected or forced), e.g. `combined`; empty when
    /// the input could not be read at all.
    pub format: String,
    pub counts: Counts,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Why this input gave no full answer (unreadable, undetectable), if so.
    pub error: Option<String>,
    /// When `--log-format` forced the format: what detection would have
    /// picked from the same first lines (`None` when nothing fits, or when
    /// the format was detected anyway). Lets a forced format that leaves most
    /// lines malformed name the one that would read them.
    pub detected: Option<String>,
    /// The earliest and latest time read from the input's requests and
    /// no-status lines, filtered ones included. When an option reads times
    /// (`--by`, `--since` …) they are those of every line read; otherwise
    /// only the two ends of the input are read for them: the time of its
    /// first dated line and of its last.
    pub first: Option<Stamp>,
    pub last: Option<Stamp>,
    /// Bytes a time filter let the scan skip without reading them
    /// (bisecting a large file on time: every line there is dated outside
    /// the range, so in no bucket at all); 0 when everything was read.
    pub unread: u64,
}

impl InputSummary {
    /// What the report says about how the input was read, beyond its
    /// format's name: that a W3C field layout was assumed for lines no
    /// `#Fields:` declares ([`crate::format::note`]).
    pub fn note(&self) -> Option<String> {
        crate::format::note(&self.format)
    }
}

/// Everything a scan produced, ready for reports and checks.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub inputs: Vec<InputSummary>,
    /// Sum over all inputs.
    pub total: Counts,
    /// The first few malformed lines over all inputs, in input order.
    pub examples: Vec<MalformedExample>,
    pub elapsed: Duration,
    /// Requests over time, when `--by` or a windowed check asked for it.
    pub series: Option<Series>,
    /// One answer per `--top`, in the order asked.
    pub top: Vec<Top>,
}

impl Summary {
    /// Builds the total from the inputs.
    pub fn from_inputs(
        inputs: Vec<InputSummary>,
        examples: Vec<MalformedExample>,
        elapsed: Duration,
    ) -> Summary {
        let mut total = Counts::default();
        for i in &inputs {
            total.merge(&i.counts);
        }
        Summary {
            inputs,
            total,
            examples,
            elapsed,
            series: None,
            top: Vec::new(),
        }
    }

    /// True when some input could not be read in full.
    pub fn has_errors(&self) -> bool {
        self.inputs.iter().any(|i| i.error.is_some())
    }
}
