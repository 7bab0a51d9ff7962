//! The per-chunk contract every log format implements.
//!
//! This module owns lines: it cuts a chunk of bytes into lines, books each
//! one into exactly one bucket, and defines what a format must say about a
//! line. A format never reads files, never sees threads and never imports the
//! scan engine; the engine never looks inside a line. That split is what lets
//! the engine cut inputs into chunks at any boundary, on any number of
//! threads, and still give the same answer.
//!
//! # Writing a format
//!
//! 1. Implement [`Extractor::classify`]: given one line, return a [`Line`].
//!    - The line comes without its `\n` and without a `\r` before it, and is
//!      never empty (empty lines are booked as skipped before you see them).
//!    - Return [`Line::Status`] with the code read (use [`status_token`] for a
//!      field that holds the status as text: `-` is [`Line::NoStatus`], one to
//!      three digits a code, `000` code 0), [`Line::Skipped`] for a directive
//!      your format defines (W3C `#Fields:`), [`Line::NotRequest`] for a
//!      well-formed record your format says is not a request (a complete JSON
//!      object without the status key), [`Line::Malformed`] for anything you
//!      cannot read. Never guess: a malformed line is shown to the user as an
//!      example, a wrong guess is silently wrong.
//!    - It must not panic on any bytes and must not allocate: it runs once
//!      per line, billions of times.
//!    - State that later lines depend on (the current `#Fields:` layout) lives
//!      in `self`; then set [`Extractor::SEQUENTIAL`] so the engine hands your
//!      chunks to one extractor, in order.
//! 2. That is enough: the default [`Extractor::count_chunk`] runs
//!    [`count_lines`], which finds line ends 64 bytes at a time and calls
//!    `classify` per line. A format whose lines are worth reading as a whole
//!    window first (bitmaps of its separators, as CLF and custom formats do)
//!    overrides `count_chunk`, usually through [`for_each_window`] and
//!    [`WindowLines`], and must book exactly the lines `count_lines` would,
//!    with the same results; a proptest against `classify` keeps it honest.
//! 3. Books go through the [`Sink`]: [`Sink::record`] for a classified line,
//!    or `sink.counts` directly on a fast path (a status slot, `skipped` for
//!    an empty line), and `sink.lines` must end up counting every line of
//!    the chunk. The last line of a chunk may lack its `\n`; it still counts.
//!
//! 4. Implement [`Extractor::timestamp`]: the time of a line `classify` just
//!    read as a request or a no-status line, read through the [`Clock`]
//!    it is given (which knows the zone for times written without one and
//!    remembers the last minute read). It runs only when an option asked
//!    for times (`--since`, `--by` …), through [`count_lines_detailed`] or
//!    a format's own [`Extractor::count_chunk_detailed`]; the plain loops
//!    never call it.
//!
//! 5. Implement [`Extractor::field`]: the fields other than the status
//!    that `--top` reads (`path`, `client` …), for the line `classify`
//!    just read as a request. Like `timestamp` it runs only when asked,
//!    and only for the requests a `--top` selects.
//!
//! Then add one row to the preset table (`format::presets`), listing the
//! fields, and a fixture.

use crate::bytes::{mask64, next_bit};
use crate::status::Class;
use crate::time::{self, Clock, Stamp, Zone};
use crate::top::{CodeMask, TopWork, Wanted};

/// What one line is. Every line lands in exactly one of these buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// A status code 0–999 was read (`000` is 0).
    Status(u16),
    /// A well-formed record whose status field is `-` (or empty, or JSON
    /// `null`).
    NoStatus,
    /// A directive (W3C `#Fields:` …). Counted as skipped.
    Skipped,
    /// A blank line inside a wrapper (`{"log":"\n"}`): the engine books the
    /// blank lines it sees itself. Counted as skipped.
    Blank,
    /// A well-formed record of the format that is not a request: a complete
    /// JSON object without the status key (a start-up message). Counted as
    /// skipped.
    NotRequest,
    /// No status could be read.
    Malformed,
}

/// A per-format status reader; see the module documentation for the rules.
pub trait Extractor: Clone + Send {
    /// True when a line's meaning depends on earlier lines (W3C `#Fields:`),
    /// so an input's chunks must be counted in order by one extractor.
    const SEQUENTIAL: bool = false;

    fn classify(&mut self, line: &[u8]) -> Line;

    /// [`Extractor::classify`] for `line`, given `rest`, the chunk from the
    /// line's first byte on ([`count_lines`]): an extractor that reads
    /// 64-byte blocks can load one that runs past the line's end whole
    /// instead of piecing it together. The bytes of `rest` past the line are
    /// not the line's and must not change the result.
    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        let _ = rest;
        self.classify(line)
    }

    /// Counts every line of `chunk` into `sink`. Override only with a loop
    /// that books exactly what [`count_lines`] would.
    #[inline]
    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        count_lines(self, chunk, sink);
    }

    /// The time of `line`, which [`Extractor::classify`] has just read as a
    /// [`Line::Status`] or [`Line::NoStatus`] (so state it keeps is that of
    /// this line), read with `clock`'s readers; `None` when the format has
    /// no time or this line's does not read. Like `classify`: no panic, no
    /// allocation.
    #[inline(always)]
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let _ = (line, clock);
        None
    }

    /// [`Extractor::count_chunk`] doing the work `sink.detail` asks of each
    /// line besides. Override only with a loop that books exactly what
    /// [`count_lines_detailed`] would.
    #[inline]
    fn count_chunk_detailed(&mut self, chunk: &[u8], sink: &mut Sink) {
        count_lines_detailed(self, chunk, sink);
    }

    /// The value of field `want` in `line`, which [`Extractor::classify`]
    /// has just read as a [`Line::Status`]: a slice of the line, or of
    /// `buf` when the value must be rewritten (an unescaped JSON string;
    /// `buf` comes empty). `None` when the line has no such value; `-` and
    /// an empty value count as none too. Only fields the format's preset
    /// lists are asked for. Like `classify`: no panic; it allocates only
    /// to grow `buf`.
    #[inline(always)]
    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let _ = (line, want, buf);
        None
    }
}

/// A blank line: empty or only spaces and tabs. Counted as `skipped`.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Reads a status token: `-` is [`Line::NoStatus`], 1–3 ASCII digits a code
/// (`000` is 0), anything else [`Line::Malformed`].
#[inline]
pub fn status_token(tok: &[u8]) -> Line {
    match *tok {
        [a] if a.is_ascii_digit() => Line::Status((a - b'0') as u16),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 10 + (b - b'0') as u16)
        }
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 100 + (b - b'0') as u16 * 10 + (c - b'0') as u16)
        }
        [b'-'] => Line::NoStatus,
        _ => Line::Malformed,
    }
}

/// One slot per status code 0–999; `000` is code 0.
pub const SLOTS: usize = 1000;

/// Line counts by bucket. Cheap to merge; the 1000-slot array is boxed so that
/// moving a `Counts` between workers copies a pointer, not 8 KB.
///
/// `skipped` is every skipped line; `directives` and `not_requests` say why
/// some of them were, and the rest are blank ([`Counts::blank`]). Blank lines
/// are the ones the chunk loops' fast paths meet, so they cost one add there,
/// as before the reasons were kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub codes: Box<[u64; SLOTS]>,
    pub no_status: u64,
    pub skipped: u64,
    pub malformed: u64,
    /// With a time filter (`--since`, `--until`, `--last`): requests and
    /// no-status lines dated outside the range.
    pub filtered: u64,
    /// With a time filter: requests and no-status lines whose time could
    /// not be read, so no time decision was possible.
    pub undated: u64,
    /// Skipped lines that are directives ([`Line::Skipped`]).
    pub directives: u64,
    /// Skipped lines that are records but not requests ([`Line::NotRequest`]).
    pub not_requests: u64,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            codes: Box::new([0; SLOTS]),
            no_status: 0,
            skipped: 0,
            malformed: 0,
            filtered: 0,
            undated: 0,
            directives: 0,
            not_requests: 0,
        }
    }
}

impl Counts {
    /// Lines from which a status code was read.
    pub fn requests(&self) -> u64 {
        self.codes.iter().sum()
    }

    /// Every line seen: the sum of all buckets.
    pub fn lines(&self) -> u64 {
        self.requests()
            + self.no_status
            + self.skipped
            + self.malformed
            + self.filtered
            + self.undated
    }

    /// Skipped lines that are blank: neither directives nor records that
    /// are not requests.
    pub fn blank(&self) -> u64 {
        self.skipped - self.directives - self.not_requests
    }

    /// Back to all zeros, keeping the allocation: a worker reuses one
    /// `Counts` for every chunk it counts.
    pub fn clear(&mut self) {
        self.codes.fill(0);
        self.no_status = 0;
        self.skipped = 0;
        self.malformed = 0;
        self.filtered = 0;
        self.undated = 0;
        self.directives = 0;
        self.not_requests = 0;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.codes.iter_mut().zip(other.codes.iter()) {
            *a += *b;
        }
        self.no_status += other.no_status;
        self.skipped += other.skipped;
        self.malformed += other.malformed;
        self.filtered += other.filtered;
        self.undated += other.undated;
        self.directives += other.directives;
        self.not_requests += other.not_requests;
    }

    /// `(code, count)` for every code seen, ascending.
    pub fn observed(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.codes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (c as u16, *n))
    }

    /// Requests per class 1xx–5xx, in that order.
    pub fn class_counts(&self) -> [(Class, u64); 5] {
        Class::ALL.map(|c| {
            let base = c.digit() as usize * 100;
            (c, self.codes[base..base + 100].iter().sum())
        })
    }

    /// Requests whose code lies outside 100–599 (e.g. `000`, nginx `009`, `999`).
    pub fn other_class(&self) -> u64 {
        self.codes[..100].iter().sum::<u64>() + self.codes[600..].iter().sum::<u64>()
    }
}

/// How many malformed examples each chunk keeps (the report shows 3).
pub const EXAMPLES_PER_CHUNK: usize = 5;

/// How much of a malformed line is kept as its example: more than any report
/// shows (they cut examples to a few hundred characters, and a character
/// takes at most 4 bytes), so a report can still tell it was cut, while a
/// megabyte line is not copied whole for an example nobody reads.
pub const EXAMPLE_BYTES: usize = 1024;

/// Where the lines of one chunk are counted.
pub struct Sink<'a> {
    pub counts: &'a mut Counts,
    /// Lines seen in this chunk so far.
    pub lines: u64,
    /// The first few malformed lines: (0-based line index in the chunk, the
    /// line's first [`EXAMPLE_BYTES`] bytes).
    pub examples: Vec<(u64, Vec<u8>)>,
    /// Every malformed line verbatim, each followed by `\n`, when
    /// `--dump-malformed` asked for them.
    pub dump: Option<Vec<u8>>,
    /// Work an option asked of each line besides booking it (its time);
    /// `None` keeps every chunk loop on its plain path.
    pub detail: Option<&'a mut Detail>,
}

impl<'a> Sink<'a> {
    pub fn new(counts: &'a mut Counts, dump: bool) -> Self {
        Sink {
            counts,
            lines: 0,
            examples: Vec::new(),
            dump: dump.then(Vec::new),
            detail: None,
        }
    }

    /// Books one classified line, `index` being its 0-based number in the
    /// chunk. The rare buckets are kept out of line so the common `Status`
    /// path stays small.
    #[inline(always)]
    pub fn record(&mut self, kind: Line, line: &[u8], index: u64) {
        match kind {
            Line::Status(code) => match self.counts.codes.get_mut(code as usize) {
                Some(slot) => *slot += 1,
                None => self.malformed(line, index),
            },
            Line::NoStatus => self.counts.no_status += 1,
            Line::Skipped => {
                self.counts.skipped += 1;
                self.counts.directives += 1;
            }
            Line::Blank => self.counts.skipped += 1,
            Line::NotRequest => {
                self.counts.skipped += 1;
                self.counts.not_requests += 1;
            }
            Line::Malformed => self.malformed(line, index),
        }
    }

    #[cold]
    #[inline(never)]
    fn malformed(&mut self, line: &[u8], index: u64) {
        // A line of only spaces and tabs is blank whatever the format says.
        if is_blank(line) {
            self.counts.skipped += 1;
            return;
        }
        self.book_malformed(line, index);
    }

    /// Books a line longer than the scan's limit as malformed: `start` is
    /// its first bytes, at least `max + 1` of them (how many more depends on
    /// where the chunks were cut), so the line is shown and dumped cut to
    /// its first `max` bytes, the same for every chunking.
    #[cold]
    #[inline(never)]
    pub fn too_long(&mut self, start: &[u8], max: usize) {
        let index = self.lines;
        self.lines += 1;
        self.book_malformed(&start[..start.len().min(max)], index);
    }

    fn book_malformed(&mut self, line: &[u8], index: u64) {
        self.counts.malformed += 1;
        if self.examples.len() < EXAMPLES_PER_CHUNK {
            self.examples
                .push((index, line[..line.len().min(EXAMPLE_BYTES)].to_vec()));
        }
        if let Some(d) = &mut self.dump {
            d.extend_from_slice(line);
            d.push(b'\n');
        }
    }
}

/// Where a status goes in a [`Tally`]: its code, or this slot for a
/// no-status line.
pub const NO_STATUS: usize = SLOTS;

/// Work an option asks of each request and no-status line besides booking
/// its status: its time (filters, intervals, first and last) and the
/// fields `--top` counts. A chunk loop does it only when [`Sink::detail`]
/// holds one, and takes its plain path otherwise.
#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub time: Option<TimeWork>,
    /// `--top`: the counting thread's counts, read after the time decision
    /// for the requests booked as counted.
    pub top: Option<TopWork>,
}

/// What the time options ask of the lines of one input, fixed for the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimePlan {
    /// A line dated outside `[since, until)` (Unix seconds) is `filtered`.
    pub since: i64,
    pub until: i64,
    /// A time filter is set (`--since`, `--until`, `--last`): a request
    /// whose time cannot be read is `undated` rather than counted.
    pub filter: bool,
    /// Interval width of the series, in seconds (0: no series), and the
    /// offset (seconds east of UTC) whose clock interval starts follow.
    pub grain: u32,
    pub align: i32,
    /// `--last`, in seconds (0: not set). Which lines it keeps is known only
    /// once the newest time is, so lines inside `[since, until)` are held
    /// per second ([`TimeWork::pending`]) until then, except those already
    /// older than `last` before a newer line seen, or before `floor`.
    pub last: u32,
    pub floor: i64,
    /// How a time written without a zone is read.
    pub zone: Zone,
}

impl Default for TimePlan {
    fn default() -> Self {
        TimePlan {
            since: i64::MIN,
            until: i64::MAX,
            filter: false,
            grain: 0,
            align: 0,
            last: 0,
            floor: i64::MIN,
            zone: Zone::Local,
        }
    }
}

/// A chunk's time work: the plan, the reader and what it found.
#[derive(Clone, Debug)]
pub struct TimeWork {
    pub plan: TimePlan,
    pub clock: Clock,
    /// Earliest and latest time of the chunk's dated lines, filtered or not,
    /// as [`pack`]ed stamps: a min and a max per line, without branches.
    earliest: i64,
    latest: i64,
    /// Latest time of a line inside `[since, until)`: where `--last` ends
    /// (`i64::MIN`: none).
    newest: i64,
    /// Requests and no-status lines counted without a time (no filter set).
    pub undated: u64,
    /// The counted lines per interval of the series, when one is asked.
    pub series: Option<Tally>,
    /// With `--last`: the lines inside `[since, until)` not yet known to be
    /// too old, per second. They are in no bucket of `counts` yet.
    pub pending: Option<Tally>,
    /// The minute of CLF times [`TimeWork::book_clf`] books without a
    /// decision per line.
    run: Run,
}

/// A minute whose every line is booked alike, so a line of it needs no
/// decision of its own: inside `[since, until)` from its `:00` to its
/// `:59`, within one interval of the series (the one being filled), and no
/// `--last`. Consecutive lines of a log nearly always share their minute,
/// and this is what makes `--by` cost little more than the plain scan.
#[derive(Clone, Debug)]
struct Run {
    /// Whether the fields below hold such a minute. Any booking outside the
    /// run ends it, since that may move the series to another interval.
    live: bool,
    /// [`time::clf_minute_key`] of the minute's text.
    key: [u64; 3],
    /// Its `:00`, and its offset.
    base: i64,
    offset: i32,
    /// Earliest and latest time of the lines booked in the run (its first
    /// line's at the start), folded into [`TimeWork`]'s `earliest`,
    /// `latest` and `newest` when it ends.
    lo: i64,
    hi: i64,
}

impl Run {
    const NONE: Run = Run {
        live: false,
        key: [0; 3],
        base: 0,
        offset: 0,
        lo: 0,
        hi: 0,
    };
}

/// Bias that makes an offset (under a day either way) a non-negative
/// 18-bit number.
const OFFSET_BIAS: i64 = 1 << 17;

/// A stamp as one integer ordered as stamps are (by time, then offset).
#[inline(always)]
fn pack(s: Stamp) -> i64 {
    // No log's time is half a million years away; one that claims to be is
    // kept at that edge rather than overflowing.
    (s.unix.clamp(-(1 << 44), 1 << 44) << 18)
        | (s.offset.clamp(-86_399, 86_399) as i64 + OFFSET_BIAS)
}

fn unpack(k: i64) -> Stamp {
    Stamp {
        unix: k >> 18,
        offset: ((k & ((1 << 18) - 1)) - OFFSET_BIAS) as i32,
    }
}

/// What [`TimeWork::decide`] made of a line.
#[derive(Debug, PartialEq, Eq)]
enum Booking {
    Count,
    Filtered,
    Undated,
    /// Held in [`TimeWork::pending`].
    Pending,
}

impl TimeWork {
    pub fn new(plan: TimePlan) -> TimeWork {
        TimeWork {
            plan,
            clock: Clock::new(plan.zone),
            earliest: i64::MAX,
            latest: i64::MIN,
            newest: i64::MIN,
            undated: 0,
            series: (plan.grain > 0).then(|| Tally::new(plan.grain, plan.align)),
            pending: (plan.last > 0).then(|| Tally::new(1, 0)),
            run: Run::NONE,
        }
    }

    /// Earliest time of the chunk's dated lines, filtered or not.
    pub fn first(&self) -> Option<Stamp> {
        let run = self.run_bounds().map_or(i64::MAX, |(lo, _)| lo);
        let k = self.earliest.min(run);
        (k != i64::MAX).then(|| unpack(k))
    }

    /// Latest time of the chunk's dated lines, filtered or not.
    pub fn last(&self) -> Option<Stamp> {
        let run = self.run_bounds().map_or(i64::MIN, |(_, hi)| hi);
        let k = self.latest.max(run);
        (k != i64::MIN).then(|| unpack(k))
    }

    /// Latest time of a line inside `[since, until)`.
    pub fn newest(&self) -> Option<i64> {
        let run = self
            .run_bounds()
            .map_or(i64::MIN, |(_, hi)| unpack(hi).unix);
        let t = self.newest.max(run);
        (t != i64::MIN).then_some(t)
    }

    /// The [`pack`]ed earliest and latest time of the run's lines, if any.
    fn run_bounds(&self) -> Option<(i64, i64)> {
        let r = &self.run;
        r.live.then(|| {
            let at = |unix| {
                pack(Stamp {
                    unix,
                    offset: r.offset,
                })
            };
            (at(r.lo), at(r.hi))
        })
    }

    /// Books a request (`slot` its code) or no-status line ([`NO_STATUS`])
    /// whose time is the 26 bytes between the brackets of a CLF line
    /// (`10/Oct/2000:13:55:36 -0700`), as [`Sink::record_dated_by`] would
    /// with [`Clock::clf`]: a line of the [`Run`]'s minute costs the compare
    /// of the minute's text, its seconds and the counts.
    #[inline(always)]
    fn book_clf(&mut self, s: &[u8; 26], slot: usize) -> Booking {
        let key = time::clf_minute_key(s);
        let run = &mut self.run;
        // One test of the three words, without the array compare's trip
        // through memory.
        let differ = (run.key[0] ^ key[0]) | (run.key[1] ^ key[1]) | (run.key[2] ^ key[2]);
        if run.live
            && differ == 0
            && let Some(sec) = time::clf_second_of_minute(s)
        {
            let t = run.base + sec;
            run.lo = run.lo.min(t);
            run.hi = run.hi.max(t);
            if let Some(series) = &mut self.series {
                series.bump(slot);
            }
            return Booking::Count;
        }
        self.book_clf_anew(s, key, slot)
    }

    /// [`TimeWork::book_clf`] for the first line of a minute (or one it
    /// cannot book alike): decided on its own, and its minute made the run
    /// when every line of it would be booked alike.
    #[inline(never)]
    fn book_clf_anew(&mut self, s: &[u8; 26], key: [u64; 3], slot: usize) -> Booking {
        let stamp = self.clock.clf(s);
        let booking = self.decide(slot, stamp);
        if let (Booking::Count, Some(st), Some(sec)) =
            (&booking, stamp, time::clf_second_of_minute(s))
        {
            let base = st.unix - sec;
            let p = &self.plan;
            let inside = base >= p.since && base.saturating_add(60) <= p.until;
            // The line just booked made the series fill this interval.
            let one_interval = self
                .series
                .as_ref()
                .is_none_or(|t| t.start_of(base) == t.start_of(base + 59));
            // (`--last` books no line `Count`: each is held or filtered.)
            if inside && one_interval {
                self.run = Run {
                    live: true,
                    key,
                    base,
                    offset: st.offset,
                    lo: st.unix,
                    hi: st.unix,
                };
            }
        }
        booking
    }

    /// Folds the run's times into the chunk's and ends it.
    #[cold]
    fn end_run(&mut self) {
        if let Some((lo, hi)) = self.run_bounds() {
            self.earliest = self.earliest.min(lo);
            self.latest = self.latest.max(hi);
            self.newest = self.newest.max(unpack(hi).unix);
        }
        self.run = Run::NONE;
    }

    /// Where the line of status `slot` and time `stamp` goes.
    #[inline(always)]
    fn decide(&mut self, slot: usize, stamp: Option<Stamp>) -> Booking {
        if self.run.live {
            self.end_run();
        }
        let Some(s) = stamp else {
            if self.plan.filter {
                return Booking::Undated;
            }
            self.undated += 1;
            return Booking::Count;
        };
        let k = pack(s);
        self.earliest = self.earliest.min(k);
        self.latest = self.latest.max(k);
        let t = s.unix;
        if t < self.plan.since || t >= self.plan.until {
            return Booking::Filtered;
        }
        self.newest = self.newest.max(t);
        if let Some(p) = &mut self.pending {
            // The newest time of all can only be later than this one: a
            // line `last` older than a line seen is out, now.
            if t < self.plan.floor.max(self.newest - self.plan.last as i64 + 1) {
                return Booking::Filtered;
            }
            p.add(t, slot);
            return Booking::Pending;
        }
        if let Some(series) = &mut self.series {
            series.add(t, slot);
        }
        Booking::Count
    }
}

/// Lines counted per interval and status slot ([`NO_STATUS`] for no
/// status). Consecutive lines of a log nearly always share their interval,
/// so the interval being filled is a dense array, and what an interval held
/// is moved to sparse `entries` when a line of another one comes.
#[derive(Clone, Debug)]
pub struct Tally {
    grain: u64,
    align: i64,
    /// Start of the interval being filled (`i64::MIN`: none yet).
    cur: i64,
    dense: Box<[u32; SLOTS + 1]>,
    touched: Vec<u16>,
    /// `(interval start, slot, lines)`; an interval may appear more than
    /// once.
    entries: Vec<(i64, u16, u64)>,
}

impl Tally {
    /// Intervals of `grain` seconds, starting on the clock of `align`
    /// (seconds east of UTC): a 1-day interval at that clock's midnight.
    pub fn new(grain: u32, align: i32) -> Tally {
        Tally {
            grain: grain.max(1) as u64,
            align: align as i64,
            cur: i64::MIN,
            dense: Box::new([0; SLOTS + 1]),
            touched: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Start of the interval that holds `t`.
    pub fn start_of(&self, t: i64) -> i64 {
        t - (t + self.align).rem_euclid(self.grain as i64)
    }

    #[inline(always)]
    pub fn add(&mut self, t: i64, slot: usize) {
        if t.wrapping_sub(self.cur) as u64 >= self.grain {
            self.switch(t);
        }
        self.bump(slot);
    }

    /// [`Tally::add`] for a line of the interval being filled.
    #[inline(always)]
    fn bump(&mut self, slot: usize) {
        let n = &mut self.dense[slot];
        if *n == 0 {
            self.touched.push(slot as u16);
        }
        *n += 1;
    }

    #[cold]
    #[inline(never)]
    fn switch(&mut self, t: i64) {
        self.flush();
        self.cur = self.start_of(t);
    }

    fn flush(&mut self) {
        for &slot in &self.touched {
            let n = std::mem::take(&mut self.dense[slot as usize]);
            self.entries.push((self.cur, slot, n as u64));
        }
        self.touched.clear();
    }

    /// Everything tallied, as `(interval start, slot, lines)`, and empties
    /// the tally.
    pub fn take(&mut self) -> Vec<(i64, u16, u64)> {
        self.flush();
        self.cur = i64::MIN;
        std::mem::take(&mut self.entries)
    }
}

impl Sink<'_> {
    /// [`Sink::record`] doing the time work of [`Sink::detail`] (read the
    /// time through `ex`, then book the line by it) for a request or a
    /// no-status line; any other line is booked as `record` would.
    #[inline(always)]
    pub fn record_detailed<E: Extractor>(
        &mut self,
        ex: &mut E,
        kind: Line,
        line: &[u8],
        index: u64,
    ) {
        let slot = match kind {
            Line::Status(c) if (c as usize) < SLOTS => c as usize,
            Line::NoStatus => NO_STATUS,
            _ => return self.record(kind, line, index),
        };
        if self.record_dated_by(slot, |clock| ex.timestamp(line, clock)) {
            self.record_top(ex, line, slot as u16);
        }
    }

    /// Books a request (`slot` its code) or no-status line ([`NO_STATUS`])
    /// by the time `read` gives with the reader of the time work of
    /// [`Sink::detail`]: counted, `filtered`, `undated`, or held for
    /// `--last`. Without time work it is counted. Returns whether it was a
    /// request booked as counted (the ones `--top` counts:
    /// [`Sink::record_top`]).
    #[inline(always)]
    pub fn record_dated_by(
        &mut self,
        slot: usize,
        read: impl FnOnce(&mut Clock) -> Option<Stamp>,
    ) -> bool {
        let booking = match self.time_work() {
            Some(work) => {
                let stamp = read(&mut work.clock);
                work.decide(slot, stamp)
            }
            None => Booking::Count,
        };
        self.book(slot, booking)
    }

    /// [`Sink::record_dated_by`] for a line whose time is the 26 bytes
    /// between the brackets of a CLF line (`10/Oct/2000:13:55:36 -0700`),
    /// read as [`Clock::clf`] reads them: the fast path of the CLF family's
    /// chunk loop, where consecutive lines share their minute.
    #[inline(always)]
    pub fn record_clf_dated(&mut self, slot: usize, time: &[u8; 26]) -> bool {
        let booking = match self.time_work() {
            Some(work) => work.book_clf(time, slot),
            None => Booking::Count,
        };
        self.book(slot, booking)
    }

    /// Books a request or no-status line as `booking` says; whether it was
    /// a request booked as counted.
    #[inline(always)]
    fn book(&mut self, slot: usize, booking: Booking) -> bool {
        match booking {
            Booking::Count if slot == NO_STATUS => self.counts.no_status += 1,
            Booking::Count => {
                self.counts.codes[slot] += 1;
                return true;
            }
            Booking::Filtered => self.counts.filtered += 1,
            Booking::Undated => self.counts.undated += 1,
            Booking::Pending => {}
        }
        false
    }

    /// The `--top` work of [`Sink::detail`] for a request of `code` just
    /// booked as counted: each `--top` that selects the code counts the
    /// value of its field, read through `ex` ([`Extractor::field`]). A
    /// code no `--top` selects costs one bit test.
    #[inline(always)]
    pub fn record_top<E: Extractor>(&mut self, ex: &mut E, line: &[u8], code: u16) {
        let Some(top) = self.detail.as_deref_mut().and_then(|d| d.top.as_mut()) else {
            return;
        };
        if top.picks(code) {
            count_top(top, ex, line, code);
        }
    }

    /// The codes the `--top` work of [`Sink::detail`] takes (none without
    /// it): a chunk loop tests a request's code against it before
    /// [`Sink::record_top`].
    pub fn top_mask(&self) -> CodeMask {
        self.detail
            .as_deref()
            .and_then(|d| d.top.as_ref())
            .map_or(CodeMask::NONE, TopWork::mask)
    }

    /// The time work of [`Sink::detail`], if any.
    #[inline(always)]
    pub fn time_work(&mut self) -> Option<&mut TimeWork> {
        self.detail.as_deref_mut().and_then(|d| d.time.as_mut())
    }
}

/// The fields of one selected request, counted for each `--top` that
/// selects its code; kept out of the line loops.
#[inline(never)]
fn count_top<E: Extractor>(top: &mut TopWork, ex: &mut E, line: &[u8], code: u16) {
    let mut buf = std::mem::take(&mut top.buf);
    for i in 0..top.len() {
        let Some(want) = top.wants(i, code) else {
            continue;
        };
        buf.clear();
        let value = ex.field(line, want, &mut buf);
        top.add(i, code, value);
    }
    top.buf = buf;
}

/// Counts every line of `chunk` through `count` (a format's
/// [`Extractor::count_chunk`]), except the lines longer than `max` bytes
/// (before their `\n`), which are booked by [`Sink::too_long`]: no format
/// ever sees a line past the limit, so none can read a status off the start
/// of a line the engine kept only the start of. `count` gets runs of whole
/// lines; the last run may end without `\n` where the chunk does.
///
/// The search costs nothing when `max` is at least the chunk's length and
/// one look per `max` bytes otherwise ([`long_line`]).
#[inline]
pub fn count_capped(
    chunk: &[u8],
    max: usize,
    sink: &mut Sink,
    mut count: impl FnMut(&[u8], &mut Sink),
) {
    let mut rest = chunk;
    while !rest.is_empty() {
        let Some((s, e)) = long_line(rest, max) else {
            count(rest, sink);
            return;
        };
        if s > 0 {
            count(&rest[..s], sink);
        }
        sink.too_long(&rest[s..e], max);
        rest = rest.get(e + 1..).unwrap_or_default();
    }
}

/// The first line of `data` longer than `max` bytes, as `(start, end)`, `end`
/// being its `\n` or the end of `data`.
///
/// Such a line covers `max + 1` consecutive bytes, so it holds one of every
/// `max + 1` positions: only those are looked at, each by finding the line
/// around it, and the look resumes past that line.
pub fn long_line(data: &[u8], max: usize) -> Option<(usize, usize)> {
    let step = max.checked_add(1)?;
    let mut probe = max;
    while probe < data.len() {
        if data[probe] == b'\n' {
            probe += step;
            continue;
        }
        let s = memchr::memrchr(b'\n', &data[..probe]).map_or(0, |p| p + 1);
        let e = memchr::memchr(b'\n', &data[probe..]).map_or(data.len(), |p| probe + p);
        if e - s > max {
            return Some((s, e));
        }
        // The first probe position past `e`.
        probe += (e - probe) / step * step + step;
    }
    None
}

/// Counts every line of `chunk`. The chunk holds whole lines; only the last
/// chunk of an input may end without `\n`, and that last line still counts.
///
/// Newlines are found 64 bytes at a time as a bitmap ([`mask64`]) and popped
/// one bit per line, so finding a line end costs a few instructions rather
/// than a call into a SIMD search, whose set-up outweighs the search over a
/// 60–300 byte access-log line.
#[inline(always)]
pub fn count_lines<E: Extractor>(ex: &mut E, chunk: &[u8], sink: &mut Sink) {
    line_loop::<E, false>(ex, chunk, sink);
}

/// [`count_lines`] doing the work `sink.detail` asks of each line, which
/// must be there ([`Sink::record_detailed`]).
#[inline(always)]
pub fn count_lines_detailed<E: Extractor>(ex: &mut E, chunk: &[u8], sink: &mut Sink) {
    line_loop::<E, true>(ex, chunk, sink);
}

/// The loop of [`count_lines`] and [`count_lines_detailed`]: `DETAIL` is a
/// constant, so the plain loop is compiled without a trace of the other.
#[inline(always)]
fn line_loop<E: Extractor, const DETAIL: bool>(ex: &mut E, chunk: &[u8], sink: &mut Sink) {
    let mut index = sink.lines;
    let mut start = 0usize;
    let mut base = 0usize;
    let blocks = chunk.chunks_exact(64);
    let tail = blocks.remainder();
    for block in blocks {
        let block: &[u8; 64] = block.try_into().expect("chunks_exact(64)");
        let mut m = mask64(block, b'\n');
        while m != 0 {
            let end = base + m.trailing_zeros() as usize;
            m &= m - 1;
            classify_in::<E, DETAIL>(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
        base += 64;
    }
    for (i, &b) in tail.iter().enumerate() {
        if b == b'\n' {
            let end = base + i;
            classify_in::<E, DETAIL>(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
    }
    if start < chunk.len() {
        classify_in::<E, DETAIL>(ex, chunk, start..chunk.len(), sink, index);
        index += 1;
    }
    sink.lines = index;
}

/// The loop shared by extractors that turn each window of a chunk into
/// bitmaps before reading its lines: cuts `chunk` into windows of whole lines
/// of at most `window` bytes and hands each to `each` with the running line
/// index; a line longer than a window is classified on its own by `ex`.
#[inline(always)]
pub fn for_each_window<E: Extractor>(
    ex: &mut E,
    chunk: &[u8],
    sink: &mut Sink,
    window: usize,
    mut each: impl FnMut(&mut E, &[u8], &mut Sink, &mut u64),
) {
    let mut index = sink.lines;
    let mut base = 0;
    while base < chunk.len() {
        let rest = &chunk[base..];
        let cut = if rest.len() <= window {
            Some(rest.len())
        } else {
            memchr::memrchr(b'\n', &rest[..window]).map(|p| p + 1)
        };
        match cut {
            Some(n) => {
                each(ex, &rest[..n], sink, &mut index);
                base += n;
            }
            None => {
                let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |p| p + 1);
                let line = &rest[..len];
                classify_one(ex, line.strip_suffix(b"\n").unwrap_or(line), sink, index);
                index += 1;
                base += len;
            }
        }
    }
    sink.lines = index;
}

/// The lines of a window, from its newline bitmap: `(start, end)` with the
/// `\n` and a `\r` before it left out (`start == end` for an empty line).
pub struct WindowLines<'a> {
    w: &'a [u8],
    newlines: &'a [u64],
    s: usize,
}

impl<'a> WindowLines<'a> {
    #[inline(always)]
    pub fn new(w: &'a [u8], newlines: &'a [u64]) -> Self {
        WindowLines { w, newlines, s: 0 }
    }
}

impl Iterator for WindowLines<'_> {
    type Item = (usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        let (w, s) = (self.w, self.s);
        if s >= w.len() {
            return None;
        }
        let nl = next_bit(self.newlines, s).min(w.len());
        let mut e = nl;
        if e > s && w[e - 1] == b'\r' {
            e -= 1;
        }
        self.s = nl + 1;
        Some((s, e))
    }
}

/// Classifies and records one line (without its `\n`) outside a chunk loop,
/// doing the work `sink.detail` asks if any.
#[inline(always)]
pub fn classify_one<E: Extractor>(ex: &mut E, line: &[u8], sink: &mut Sink, index: u64) {
    if sink.detail.is_some() {
        classify_in::<E, true>(ex, line, 0..line.len(), sink, index);
    } else {
        classify_in::<E, false>(ex, line, 0..line.len(), sink, index);
    }
}

/// Classifies and records the line `chunk[span]`, which the extractor may
/// read on past ([`Extractor::classify_in`]): a trailing `\r` is not part of
/// the line, and an empty line is `skipped`.
#[inline(always)]
fn classify_in<E: Extractor, const DETAIL: bool>(
    ex: &mut E,
    chunk: &[u8],
    span: std::ops::Range<usize>,
    sink: &mut Sink,
    index: u64,
) {
    // In this order the second bounds check follows from the first.
    let line = &chunk[span.clone()];
    let rest = &chunk[span.start..];
    let line = match line.split_last() {
        Some((b'\r', body)) => body,
        _ => line,
    };
    if line.is_empty() {
        sink.counts.skipped += 1;
        return;
    }
    let kind = ex.classify_in(line, rest);
    if DETAIL {
        sink.record_detailed(ex, kind, line, index);
    } else {
        sink.record(kind, line, index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records every line it is shown; calls lines of "x" malformed.
    #[derive(Clone, Default)]
    struct Recorder(Vec<Vec<u8>>);

    impl Extractor for Recorder {
        fn classify(&mut self, line: &[u8]) -> Line {
            self.0.push(line.to_vec());
            if line == b"x" {
                Line::Malformed
            } else {
                Line::Status(200)
            }
        }
    }

    proptest! {
        /// The bitmap line loop cuts lines exactly where a plain split does,
        /// across block boundaries, for every chunk shape.
        #[test]
        fn count_lines_is_a_split(data in prop::collection::vec(
            prop::sample::select(b"ab\n\r x".to_vec()), 0..400)) {
            let mut ex = Recorder::default();
            let mut counts = Counts::default();
            let mut sink = Sink::new(&mut counts, false);
            sink.lines = 7;
            count_lines(&mut ex, &data, &mut sink);
            let mut want: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
            if data.ends_with(b"\n") || data.is_empty() {
                want.pop();
            }
            prop_assert_eq!(sink.lines, 7 + want.len() as u64);
            let malformed: Vec<u64> = sink.examples.iter().map(|e| e.0).collect();
            let want_malformed: Vec<u64> = want
                .iter()
                .enumerate()
                .filter(|(_, l)| l.strip_suffix(b"\r").unwrap_or(l) == b"x")
                .map(|(i, _)| 7 + i as u64)
                .take(EXAMPLES_PER_CHUNK)
                .collect();
            prop_assert_eq!(malformed, want_malformed);
            let shown: Vec<&[u8]> = want
                .into_iter()
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .filter(|l| !l.is_empty())
                .collect();
            prop_assert_eq!(ex.0.iter().map(Vec::as_slice).collect::<Vec<_>>(), shown);
        }
    }

    proptest! {
        /// The probing search finds the first line longer than `max`
        /// exactly where looking at every line does.
        #[test]
        fn long_line_is_the_first_line_past_max(
            data in prop::collection::vec(prop::sample::select(b"ab\n".to_vec()), 0..300),
            max in 0usize..40,
        ) {
            let mut want = None;
            let mut s = 0;
            for (i, &b) in data.iter().chain(std::iter::once(&b'\n')).enumerate() {
                if b == b'\n' {
                    if i - s > max {
                        want = Some((s, i.min(data.len())));
                        break;
                    }
                    s = i + 1;
                }
            }
            prop_assert_eq!(long_line(&data, max), want);
        }
    }

    #[test]
    fn lines_past_the_limit_are_booked_without_the_extractor() {
        let mut ex = Recorder::default();
        let mut counts = Counts::default();
        let mut sink = Sink::new(&mut counts, true);
        let chunk = b"ok\nxxxxxxxx\nok\n\nlonger than four";
        count_capped(chunk, 4, &mut sink, |c, sink| count_lines(&mut ex, c, sink));
        assert_eq!(sink.lines, 5);
        assert_eq!(sink.counts.malformed, 2);
        assert_eq!(sink.counts.skipped, 1);
        assert_eq!(sink.counts.codes[200], 2);
        assert_eq!(
            sink.examples,
            [(1, b"xxxx".to_vec()), (4, b"long".to_vec())]
        );
        assert_eq!(sink.dump.as_deref(), Some(&b"xxxx\nlong\n"[..]));
        assert_eq!(ex.0, [b"ok".to_vec(), b"ok".to_vec()]);
    }

    #[test]
    fn examples_keep_only_a_start() {
        let mut counts = Counts::default();
        let mut sink = Sink::new(&mut counts, true);
        let line = vec![b'x'; EXAMPLE_BYTES * 3];
        sink.record(Line::Malformed, &line, 0);
        assert_eq!(sink.examples[0].1.len(), EXAMPLE_BYTES);
        assert_eq!(sink.dump.as_ref().unwrap().len(), line.len() + 1);
    }

    /// A 26-byte CLF time of the minute that holds `unix` at `offset`,
    /// with `sec` for its seconds (which may be no seconds at all).
    fn clf_minute(unix: i64, offset: i32, sec: &str) -> [u8; 26] {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let c = crate::time::Civil::at(unix, offset);
        let a = offset.unsigned_abs();
        let text = format!(
            "{:02}/{}/{:04}:{:02}:{:02}:{sec} {}{:02}{:02}",
            c.day,
            MONTHS[c.month as usize - 1],
            c.year,
            c.hour,
            c.minute,
            if offset < 0 { '-' } else { '+' },
            a / 3600,
            a / 60 % 60
        );
        text.as_bytes().try_into().unwrap()
    }

    /// One line for [`book_clf_is_decide`]: a CLF time (minute, offset,
    /// seconds) and a status slot, or a line booked without a time.
    #[derive(Clone, Debug)]
    enum Dated {
        Clf(i64, i32, String, usize),
        Undated(usize),
    }

    fn dated_lines() -> impl Strategy<Value = Vec<Dated>> {
        let sec = prop_oneof![
            8 => (0u8..60).prop_map(|s| format!("{s:02}")),
            1 => Just("60".to_string()),
            1 => prop::sample::select(vec!["6x", "7:", "-1", "99"]).prop_map(String::from),
        ];
        let slot = || prop::sample::select(vec![200, 404, 503, NO_STATUS]);
        // Runs of lines in one minute, as logs have them, and lines
        // without a time between them.
        let run = (
            0i64..4,
            prop::sample::select(vec![0, 3600, -19_800]),
            prop::collection::vec((sec, slot()), 1..12),
        )
            .prop_map(|(m, off, lines)| {
                lines
                    .into_iter()
                    .map(|(sec, slot)| Dated::Clf(m, off, sec, slot))
                    .collect::<Vec<_>>()
            });
        let runs = prop_oneof![
            8 => run,
            1 => slot().prop_map(|s| vec![Dated::Undated(s)]),
        ];
        prop::collection::vec(runs, 0..30).prop_map(|r| r.concat())
    }

    proptest! {
        /// The CLF fast path books every line, and finds the same times,
        /// intervals and held lines, as deciding each line on its own with
        /// a fresh clock does: leap and unreadable seconds, runs ended by
        /// other lines, filters and intervals that cut a minute.
        #[test]
        fn book_clf_is_decide(
            lines in dated_lines(),
            since in prop::sample::select(vec![None, Some(0i64), Some(30), Some(60), Some(150)]),
            until in prop::sample::select(vec![None, Some(60i64), Some(90), Some(200)]),
            grain in prop::sample::select(vec![0u32, 1, 30, 60, 90, 300]),
            align in prop::sample::select(vec![0i32, 1_800, -19_800, 45]),
            last in prop::sample::select(vec![0u32, 100]),
        ) {
            const BASE: i64 = 1_710_230_400; // 2024-03-12T08:00:00Z
            let plan = TimePlan {
                since: since.map_or(i64::MIN, |s| BASE + s),
                until: until.map_or(i64::MAX, |u| BASE + u),
                filter: since.is_some() || until.is_some() || last > 0,
                grain,
                align,
                last,
                floor: i64::MIN,
                zone: Zone::Fixed(0),
            };
            let mut fast = TimeWork::new(plan);
            let mut slow = TimeWork::new(plan);
            for (i, line) in lines.iter().enumerate() {
                let (got, want) = match line {
                    Dated::Clf(m, off, sec, slot) => {
                        let text = clf_minute(BASE + m * 60, *off, sec);
                        let stamp = Clock::new(Zone::Fixed(0)).clf(&text);
                        (fast.book_clf(&text, *slot), slow.decide(*slot, stamp))
                    }
                    Dated::Undated(slot) => (fast.decide(*slot, None), slow.decide(*slot, None)),
                };
                prop_assert_eq!(got, want, "line {}: {:?}", i, line);
            }
            prop_assert_eq!(fast.first(), slow.first());
            prop_assert_eq!(fast.last(), slow.last());
            prop_assert_eq!(fast.newest(), slow.newest());
            prop_assert_eq!(fast.undated, slow.undated);
            let sum = |t: &mut Option<Tally>| {
                let mut m = std::collections::BTreeMap::new();
                for (start, slot, n) in t.as_mut().map(Tally::take).unwrap_or_default() {
                    *m.entry((start, slot)).or_insert(0) += n;
                }
                m
            };
            prop_assert_eq!(sum(&mut fast.series), sum(&mut slow.series));
            prop_assert_eq!(sum(&mut fast.pending), sum(&mut slow.pending));
        }
    }

    #[test]
    fn status_tokens() {
        assert_eq!(status_token(b"200"), Line::Status(200));
        assert_eq!(status_token(b"000"), Line::Status(0));
        assert_eq!(status_token(b"009"), Line::Status(9));
        assert_eq!(status_token(b"7"), Line::Status(7));
        assert_eq!(status_token(b"42"), Line::Status(42));
        assert_eq!(status_token(b"-"), Line::NoStatus);
        assert_eq!(status_token(b"1000"), Line::Malformed);
        assert_eq!(status_token(b"abc"), Line::Malformed);
        assert_eq!(status_token(b""), Line::Malformed);
        assert_eq!(status_token(b"2x0"), Line::Malformed);
        assert_eq!(status_token(b"--"), Line::Malformed);
    }

    #[test]
    fn blank_lines() {
        assert!(is_blank(b""));
        assert!(is_blank(b" \t "));
        assert!(!is_blank(b" x"));
    }

    #[test]
    fn lines_is_the_sum_of_buckets_and_classes_partition_requests() {
        let mut c = Counts::default();
        c.codes[0] = 1;
        c.codes[200] = 5;
        c.codes[499] = 2;
        c.codes[999] = 1;
        c.no_status = 3;
        c.skipped = 4;
        c.directives = 2;
        c.not_requests = 1;
        c.malformed = 5;
        assert_eq!(c.requests(), 9);
        assert_eq!(c.lines(), 21);
        assert_eq!(c.blank(), 1);
        let classes: u64 = c.class_counts().iter().map(|(_, n)| n).sum();
        assert_eq!(classes + c.other_class(), c.requests());
        let mut d = c.clone();
        d.merge(&c);
        assert_eq!(d.lines(), 42);
        assert_eq!((d.directives, d.not_requests, d.blank()), (4, 2, 2));
        assert_eq!(
            d.observed().collect::<Vec<_>>(),
            vec![(0, 2), (200, 10), (499, 4), (999, 2)]
        );
        d.clear();
        assert_eq!(d, Counts::default());
    }
}
