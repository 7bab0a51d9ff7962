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
//! Then add one row to the preset table (`format::presets`) and a fixture.

use crate::bytes::{mask64, next_bit};
use crate::status::Class;

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
        self.requests() + self.no_status + self.skipped + self.malformed
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

/// Where the lines of one chunk are counted.
pub struct Sink<'a> {
    pub counts: &'a mut Counts,
    /// Lines seen in this chunk so far.
    pub lines: u64,
    /// The first few malformed lines: (0-based line index in the chunk, bytes).
    pub examples: Vec<(u64, Vec<u8>)>,
    /// Every malformed line verbatim, each followed by `\n`, when
    /// `--dump-malformed` asked for them.
    pub dump: Option<Vec<u8>>,
}

impl<'a> Sink<'a> {
    pub fn new(counts: &'a mut Counts, dump: bool) -> Self {
        Sink {
            counts,
            lines: 0,
            examples: Vec::new(),
            dump: dump.then(Vec::new),
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
        self.counts.malformed += 1;
        if self.examples.len() < EXAMPLES_PER_CHUNK {
            self.examples.push((index, line.to_vec()));
        }
        if let Some(d) = &mut self.dump {
            d.extend_from_slice(line);
            d.push(b'\n');
        }
    }
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
            classify_in(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
        base += 64;
    }
    for (i, &b) in tail.iter().enumerate() {
        if b == b'\n' {
            let end = base + i;
            classify_in(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
    }
    if start < chunk.len() {
        classify_in(ex, chunk, start..chunk.len(), sink, index);
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

/// Classifies and records one line (without its `\n`) outside a chunk loop.
#[inline(always)]
pub fn classify_one<E: Extractor>(ex: &mut E, line: &[u8], sink: &mut Sink, index: u64) {
    classify_in(ex, line, 0..line.len(), sink, index);
}

/// Classifies and records the line `chunk[span]`, which the extractor may
/// read on past ([`Extractor::classify_in`]): a trailing `\r` is not part of
/// the line, and an empty line is `skipped`.
#[inline(always)]
fn classify_in<E: Extractor>(
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
    sink.record(kind, line, index);
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
