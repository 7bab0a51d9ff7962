//! The time axis of a scan: what the time options ask of each input, what
//! each input's chunks found folded together, the series and `--last` made
//! whole once every input is read, and the bisection that lets a time
//! filter skip the parts of a large file it does not ask for.
//!
//! # Zones
//!
//! A time written without a zone (HAProxy's accept date, a `%{%T}t`
//! pattern) is read in `--tz`, else in this machine's local zone. The
//! series is aligned to `--tz`, else to the offset of the first dated line
//! of the first input that has one (the log's own clock), else UTC; a
//! `--since` / `--until` value without a zone is read the same way, per
//! input. Until the offset of the series is known (every input is read),
//! intervals are kept on a finer grid that every offset of a real zone
//! (a whole number of quarter hours) aligns with: the gcd of the step and
//! 15 minutes.
//!
//! # `--last D`
//!
//! The final D of the inputs together, ending at the newest time of any of
//! their lines inside `--since` / `--until`: `[newest + 1 - D, newest + 1)`.
//! That time is known only once everything is read, so each input keeps
//! the lines that may fall in the window per second, and drops (as
//! `filtered`) those already older than D before a line it has seen.

use std::collections::BTreeMap;
use std::fs::File;

use crate::format::AnyExtractor;
use crate::input::read_at_full;
use crate::lines::{NO_STATUS, TimePlan, TimeWork};
use crate::summary::{Bucket, Counts, InputSummary, Series};
use crate::time::{Clock, Stamp, When, Zone};

/// The interval every real zone's offset is a multiple of.
const QUARTER_HOUR: u32 = 900;

/// How far out of order lines may be for a bisection to skip part of a
/// file: lines are written when a response ends (long requests log late),
/// servers buffer them (nginx `flush=`), and several workers append to one
/// file. A line out of order by more than this, before the cut, is not
/// read.
pub const MARGIN: i64 = 10 * 60;

/// Files smaller than this are read whole even with a time filter: reading
/// them costs little, and then no assumption about order is made.
pub const DEFAULT_BISECT_FROM: u64 = 64 << 20;

/// Bytes read at each probe of a bisection.
const PROBE: usize = 16 << 10;

/// Bytes read at each end of an input for its first and last times when no
/// option reads every line's.
const END_BYTES: usize = 64 << 10;

/// Time options of a scan.
#[derive(Clone, Debug, Default)]
pub struct TimeOptions {
    /// `--since`, `--until`: lines dated outside `[since, until)` are
    /// `filtered`.
    pub since: Option<When>,
    pub until: Option<When>,
    /// `--last`, seconds.
    pub last: Option<u32>,
    /// `--tz`: seconds east of UTC.
    pub tz: Option<i32>,
    /// Regular files at least this large are bisected on time when a
    /// filter allows skipping part of them; 0 means
    /// [`DEFAULT_BISECT_FROM`], `u64::MAX` never.
    pub bisect_from: u64,
}

impl TimeOptions {
    /// Whether a time filter is set.
    pub fn filters(&self) -> bool {
        self.since.is_some() || self.until.is_some() || self.last.is_some()
    }

    fn zone(&self) -> Zone {
        self.tz.map_or(Zone::Local, Zone::Fixed)
    }
}

/// The plan for one input whose own clock is at `offset` (the offset of
/// its first dated line, if it has one); `floor` is a time before which
/// lines are surely outside `--last`.
pub(super) fn plan(
    t: &TimeOptions,
    step: Option<u32>,
    offset: Option<i32>,
    floor: i64,
) -> TimePlan {
    let own = t.tz.or(offset).unwrap_or(0);
    let (grain, align) = match (step, t.tz) {
        (Some(s), Some(tz)) => (s, tz),
        (Some(s), None) => (gcd(s, QUARTER_HOUR), 0),
        (None, _) => (0, 0),
    };
    TimePlan {
        since: t.since.map_or(i64::MIN, |w| w.resolve(own)),
        until: t.until.map_or(i64::MAX, |w| w.resolve(own)),
        filter: t.filters(),
        grain,
        align,
        last: t.last.unwrap_or(0),
        floor,
        zone: t.zone(),
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// What one chunk's time work found, for its input's [`TimeFold`].
pub(super) struct TimeOut {
    first: Option<Stamp>,
    last: Option<Stamp>,
    newest: Option<i64>,
    undated: u64,
    series: Vec<(i64, u16, u64)>,
    pending: Vec<(i64, u16, u64)>,
}

impl TimeOut {
    pub(super) fn of(mut w: TimeWork) -> TimeOut {
        TimeOut {
            first: w.first(),
            last: w.last(),
            newest: w.newest(),
            undated: w.undated,
            series: w.series.as_mut().map(|t| t.take()).unwrap_or_default(),
            pending: w.pending.as_mut().map(|t| t.take()).unwrap_or_default(),
        }
    }
}

/// An input's time results, folded chunk by chunk in any order.
#[derive(Debug)]
pub(super) struct TimeFold {
    pub(super) plan: TimePlan,
    first: Option<Stamp>,
    last: Option<Stamp>,
    newest: Option<i64>,
    /// Intervals of the plan's grain, aligned to its offset.
    series: Series,
    /// `--last`: lines per second that may fall in the window.
    pending: BTreeMap<i64, Bucket>,
}

impl TimeFold {
    pub(super) fn new(plan: TimePlan) -> TimeFold {
        TimeFold {
            plan,
            first: None,
            last: None,
            newest: None,
            series: Series::new(plan.grain.max(1), plan.align),
            pending: BTreeMap::new(),
        }
    }

    /// Adds a chunk's results; lines held for `--last` that are now older
    /// than it before the newest line seen go to `counts.filtered`.
    pub(super) fn add(&mut self, out: TimeOut, counts: &mut Counts) {
        self.first = min_some(self.first, out.first);
        self.last = max_some(self.last, out.last);
        self.newest = max_some(self.newest, out.newest);
        self.series.undated += out.undated;
        for (t, slot, n) in out.series {
            self.series.add(t, slot, n);
        }
        for (t, slot, n) in out.pending {
            self.pending.entry(t).or_default().add(slot, n);
        }
        if let (Some(newest), last @ 1..) = (self.newest, self.plan.last) {
            let keep = self.pending.split_off(&(newest + 1 - last as i64));
            for b in std::mem::replace(&mut self.pending, keep).values() {
                counts.filtered += b.total();
            }
        }
    }
}

fn min_some<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_some<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Once every input is read: settles `--last` (the lines held per second
/// are counted or `filtered` by the newest time of all inputs), sets each
/// input's first and last times, and returns the series, if one was asked
/// (`step`), aligned to `--tz` or to the first input's own clock.
pub(super) fn finish(
    inputs: &mut [InputSummary],
    folds: Vec<Option<TimeFold>>,
    offsets: &[Option<i32>],
    t: &TimeOptions,
    step: Option<u32>,
) -> Option<Series> {
    let newest = folds.iter().flatten().filter_map(|f| f.newest).max();
    let mut series: Option<Series> = None;
    for (input, fold) in inputs.iter_mut().zip(folds) {
        let Some(mut fold) = fold else { continue };
        if let (Some(n), last @ 1..) = (newest, fold.plan.last) {
            let cutoff = n + 1 - last as i64;
            for (sec, b) in std::mem::take(&mut fold.pending) {
                if sec < cutoff {
                    input.counts.filtered += b.total();
                    continue;
                }
                for (&code, &k) in &b.codes {
                    input.counts.codes[code as usize] += k;
                }
                input.counts.no_status += b.no_status;
                if fold.plan.grain > 0 {
                    for (&code, &k) in &b.codes {
                        fold.series.add(sec, code, k);
                    }
                    fold.series.add(sec, NO_STATUS as u16, b.no_status);
                }
            }
        }
        input.first = fold.first;
        input.last = fold.last;
        if fold.plan.grain > 0 {
            // Every input's plan has the same grid.
            series
                .get_or_insert_with(|| Series::new(fold.series.step, fold.series.offset))
                .merge(&fold.series);
        }
    }
    let step = step?;
    let offset =
        t.tz.or_else(|| offsets.iter().flatten().next().copied())
            .unwrap_or(0);
    let series = series.unwrap_or_else(|| Series::new(step, offset));
    // An offset that is not on the grid of the intervals kept (not a real
    // zone's) is moved back onto it, so that intervals stay exact.
    let (g, a) = (series.step as i32, series.offset);
    let offset = offset - (offset - a).rem_euclid(g);
    let mut out = series.coarsen(step, offset);
    out.buckets.retain(|_, b| b.total() > 0);
    Some(out)
}

/// The lines of `data` that `data` holds whole, `\r` dropped: all of them
/// but a first one cut at `data`'s start (when `cut_start`) and a last one
/// cut at its end (when `cut_end`).
fn whole_lines(
    data: &[u8],
    cut_start: bool,
    cut_end: bool,
) -> impl DoubleEndedIterator<Item = &[u8]> {
    let begin = if cut_start {
        memchr::memchr(b'\n', data).map_or(data.len(), |p| p + 1)
    } else {
        0
    };
    let end = if cut_end {
        memchr::memrchr(b'\n', data).map_or(0, |p| p + 1).max(begin)
    } else {
        data.len()
    };
    data[begin..end]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
}

/// The time of the first dated line of an input's first bytes. `ex` reads
/// the lines in order (a W3C extractor learns the layout on the way).
pub(super) fn first_stamp(
    ex: &mut AnyExtractor,
    zone: Zone,
    sample: &[u8],
    whole: bool,
) -> Option<Stamp> {
    let mut clock = Clock::new(zone);
    whole_lines(sample, false, !whole).find_map(|l| ex.stamp_of(l, &mut clock))
}

/// The time of the last dated line of `data`, which may start inside a
/// line (`cut_start`).
pub(super) fn last_stamp(
    ex: &mut AnyExtractor,
    zone: Zone,
    data: &[u8],
    cut_start: bool,
) -> Option<Stamp> {
    let mut clock = Clock::new(zone);
    whole_lines(data, cut_start, false)
        .rev()
        .find_map(|l| ex.stamp_of(l, &mut clock))
}

/// Reads up to `n` bytes of `file` ending at `end`: `(bytes, whether they
/// start inside the file)`.
fn read_before(file: &File, end: u64, n: usize) -> Option<(Vec<u8>, bool)> {
    let start = end.saturating_sub(n as u64);
    let mut buf = vec![0; (end - start) as usize];
    let got = read_at_full(file, &mut buf, start).ok()?;
    buf.truncate(got);
    Some((buf, start > 0))
}

/// The time of the last dated line of a regular file (its last
/// [`END_BYTES`]).
pub(super) fn file_last(
    ex: &mut AnyExtractor,
    zone: Zone,
    file: &File,
    size: u64,
) -> Option<Stamp> {
    let (tail, cut) = read_before(file, size, END_BYTES)?;
    last_stamp(ex, zone, &tail, cut)
}

/// What the times of a window of a file say: their least and greatest.
fn probe(ex: &AnyExtractor, zone: Zone, file: &File, at: u64) -> Option<(i64, i64)> {
    let mut buf = vec![0; PROBE];
    let got = read_at_full(file, &mut buf, at).ok()?;
    let mut ex = ex.clone();
    let mut clock = Clock::new(zone);
    let mut range: Option<(i64, i64)> = None;
    for l in whole_lines(&buf[..got], at > 0, got == PROBE) {
        if let Some(s) = ex.stamp_of(l, &mut clock) {
            range = Some(match range {
                Some((a, b)) => (a.min(s.unix), b.max(s.unix)),
                None => (s.unix, s.unix),
            });
        }
    }
    range
}

/// The chunks of a large regular file a time filter needs read: `(first,
/// end)` chunk indices. Skipped at the start: chunks whose lines are all
/// dated before `lower` (by the probes, [`MARGIN`] allowed for disorder);
/// at the end, those dated at or after `upper`. Access logs are written in
/// nearly the order of their times, so the probes bisect the file on time;
/// a probe that finds no time counts as one not to skip past.
pub(super) fn bisect(
    ex: &AnyExtractor,
    zone: Zone,
    file: &File,
    size: u64,
    chunk: usize,
    lower: Option<i64>,
    upper: Option<i64>,
) -> (usize, usize) {
    let chunks = size.div_ceil(chunk as u64) as usize;
    let step = PROBE as u64;
    // The last window (probe at `lo`) whose times are all before the bound.
    let first = lower.map_or(0, |l| {
        let target = l.saturating_sub(MARGIN);
        let (mut lo, mut hi) = (0u64, size);
        let before = |at| probe(ex, zone, file, at).is_some_and(|(_, max)| max < target);
        if !before(0) {
            return 0;
        }
        while hi - lo > step {
            let mid = lo + (hi - lo) / 2;
            if before(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo / chunk as u64) as usize
    });
    let end = upper.map_or(chunks, |u| {
        let target = u.saturating_add(MARGIN);
        let (mut lo, mut hi) = (0u64, size);
        let after = |at| probe(ex, zone, file, at).is_some_and(|(min, _)| min >= target);
        if !after(size.saturating_sub(step)) {
            return chunks;
        }
        while hi - lo > step {
            let mid = lo + (hi - lo) / 2;
            if after(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        ((hi / chunk as u64) as usize + 1).min(chunks)
    });
    (first.min(end), end)
}

/// For `--last` on a regular file: the newest time of the lines inside
/// `[since, until)` among its last [`END_BYTES`], a time the newest of all
/// can only be later than (`None` when none is there: with `--until`
/// before the file's end, nothing is skipped for `--last`).
pub(super) fn newest_near_end(
    ex: &AnyExtractor,
    plan: &TimePlan,
    file: &File,
    size: u64,
) -> Option<i64> {
    let mut ex = ex.clone();
    let (tail, cut) = read_before(file, size, END_BYTES)?;
    let mut clock = Clock::new(plan.zone);
    whole_lines(&tail, cut, false)
        .rev()
        .filter_map(|l| ex.stamp_of(l, &mut clock))
        .map(|s| s.unix)
        .filter(|&t| t >= plan.since && t < plan.until)
        .max()
}
