//! JSON-lines logs: Caddy (`status`), Traefik (`DownstreamStatus`, or
//! `OriginStatus` for `--status upstream`) and any JSON log through
//! `--status-key` (a dotted path for nested keys).
//!
//! Nothing is parsed into a DOM: the line is scanned once for the key among
//! the members of the top-level object only, stepping over nested values and
//! over strings with their escapes, so a `"status"` inside a header value or
//! a nested object is never mistaken for the record's. Each member's grammar
//! is checked byte by byte; string contents and nested values are stepped
//! over with per-64-byte bitmaps of quotes and brackets (`json::blocks`),
//! not a search per string and a step per nested byte: JSON log strings and
//! nested values are short, and a search's set-up costs more than the
//! search. Scanning stops once the status is read; the rest of the line is
//! not validated. The engine's line loop for this extractor
//! ([`Json::count_chunk`]) is compiled a second time for AVX2 and the
//! bit-manipulation instructions, with 64-byte blocks read as two 32-byte
//! lanes, and chosen per chunk when the CPU has them.
//!
//! A dotted path `a.b.c` matches both the nested `{"a":{"b":{"c":…}}}` and
//! flat keys that contain dots (`{"a.b.c":…}`, as ECS-style loggers write);
//! at each level a key equal to the whole remaining path wins, a key equal to
//! its first segment(s) is descended into.
//!
//! Values: a non-negative integer up to 999 or a string holding a status token
//! (`"200"`, `"000"`) is a status; `0` is code 0. `null`, `""` and `"-"` are
//! `no_status`: the record is well formed and says explicitly that there was
//! no status. A line that is one complete JSON object without the key is a
//! record of the same logger that is not a request (Caddy's and Traefik's
//! start-up messages): skipped, as [`Line::NotRequest`]. A line without an
//! object (other log messages interleaved in the same file), broken JSON and
//! any other value are malformed.
//!
//! Keys are compared as raw bytes: a key spelled with `\u` escapes is not
//! recognised (no logger writes ASCII key names that way).
//!
//! Anything before the first `{` is ignored, which accepts Caddy v2's older
//! console-encoder lines (`ts\tlevel\tlogger\tmsg\t{…}`).

mod blocks;
mod fields;
mod key;
mod time;
mod walk;

use memchr::memchr;

use self::blocks::Blocks;
#[cfg(target_arch = "x86_64")]
use self::key::Status;
use self::key::{Key, Needle, Quoted};
use self::walk::{Found, find, value};
use super::{Format, FormatOptions, Sample, looks_json};
#[cfg(target_arch = "x86_64")]
use crate::bytes::Avx2Bmi;
use crate::bytes::{Baseline, Lanes};
use crate::lines::{Extractor, Line, Sink, count_lines};
pub use fields::{CADDY_KEYS, COMMON_KEYS, FieldKeys, TRAEFIK_KEYS};
pub use time::TIME_KEYS;

/// Status keys tried, in order, when the format is plain `json` and
/// `--status-key` is not given.
pub const WELL_KNOWN_KEYS: [&str; 16] = [
    "status",
    "status_code",
    "statusCode",
    "http_status",
    "response_status",
    "DownstreamStatus",
    "http.response.status_code",
    "response.status",
    "res.statusCode",
    // Google Cloud LogEntry (Cloud Run, load balancers).
    "httpRequest.status",
    "httpStatusCode",
    "http.status_code",
    // Envoy's and Istio's JSON access logs (`%RESPONSE_CODE%`).
    "response_code",
    // Azure diagnostic logs: Front Door, then Application Gateway.
    "properties.httpStatusCode",
    "properties.httpStatus",
    // Cloudflare Logpush HTTP requests: the status the edge sent the client.
    "EdgeResponseStatus",
];

/// The first of [`WELL_KNOWN_KEYS`] that most of the sample's lines hold,
/// each in a JSON object.
pub fn well_known_key(sample: &Sample, opts: &FormatOptions) -> Option<&'static str> {
    let objects = sample.lines().iter().filter(|l| looks_json(l)).count();
    if objects * 2 <= sample.lines().len() {
        return None;
    }
    WELL_KNOWN_KEYS
        .iter()
        .copied()
        .find(|k| sample.read_by_most(&Format::json(k), opts, looks_json))
}

/// The JSON extractor for one key path.
#[derive(Clone, Debug)]
pub struct Json {
    path: Box<[u8]>,
    quoted: Quoted,
    /// `--time-key`; `None` reads the first of [`TIME_KEYS`].
    time_key: Option<time::TimeKey>,
    /// Where `--top` fields are read.
    fields: &'static FieldKeys,
}

impl Json {
    pub fn new(path: &str) -> Self {
        Json {
            path: path.as_bytes().into(),
            quoted: Quoted::new(path.as_bytes()),
            time_key: None,
            fields: &COMMON_KEYS,
        }
    }

    /// Reads each line's time from `key` (a dotted path, as `--status-key`
    /// takes), or from the first of [`TIME_KEYS`] when `None`.
    pub fn with_time_key(mut self, key: Option<&str>) -> Self {
        self.time_key = key.map(time::TimeKey::new);
        self
    }

    fn key(&self) -> Key<'_> {
        Key {
            path: &self.path,
            quoted: self.quoted,
        }
    }

    /// Counts every line of `chunk` (the contract of
    /// [`crate::lines::count_lines`]), with the line loop compiled for the
    /// CPU's AVX2 and bit-manipulation instructions when it has them
    /// (chosen once per chunk): the walk is bit twiddling over 64-byte
    /// bitmaps, which BMI1/2 (`andn`, `blsr`, `tzcnt`), 32-byte compares and
    /// a carry-less multiply make shorter.
    fn count_fast(&mut self, chunk: &[u8], sink: &mut Sink) {
        // A dotted path descends into nested objects through `find_nested`,
        // which is not inlined (it recurses) and so not compiled for AVX2:
        // `Blocks<Avx2Bmi>` there would call each AVX2 compare out of line.
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = Avx2Bmi::detect()
            && !self.path.contains(&b'.')
        {
            // SAFETY: `cpu` proves the CPU has every feature `count_x86` is
            // compiled for: `Avx2Bmi::detect` checks the same list.
            unsafe { self.count_x86(cpu, chunk, sink) };
            return;
        }
        count_lines(self, chunk, sink);
    }

    /// [`Json::count_fast`]'s loop compiled for the features `cpu` proves
    /// (the list must stay the one [`Avx2Bmi::detect`] checks).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,popcnt,lzcnt,pclmulqdq")]
    fn count_x86(&mut self, cpu: Avx2Bmi, chunk: &[u8], sink: &mut Sink) {
        // The default key and Caddy's, with its quoted form a constant: the
        // loop compiled for it compares keys against an immediate and keeps
        // a few more registers for the walk (benches/NOTES.md).
        if *self.path == *b"status" {
            count_lines(&mut Wide { key: Status, cpu }, chunk, sink);
        } else {
            let key = self.key();
            count_lines(&mut Wide { key, cpu }, chunk, sink);
        }
    }
}

/// The JSON extractor whose bitmaps read 32 bytes at a time
/// (`Blocks<Avx2Bmi>`): made only in [`Json::count_x86`], with the token.
#[cfg(target_arch = "x86_64")]
#[derive(Clone)]
struct Wide<K> {
    key: K,
    cpu: Avx2Bmi,
}

#[cfg(target_arch = "x86_64")]
impl<K: Needle + Send> Extractor for Wide<K> {
    #[inline(always)]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify_in(Baseline, line, line, self.key)
    }

    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        classify_in(self.cpu, line, rest, self.key)
    }
}

impl Extractor for Json {
    #[inline(always)]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify_in(Baseline, line, line, self.key())
    }

    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        classify_in(Baseline, line, rest, self.key())
    }

    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.count_fast(chunk, sink);
    }

    fn timestamp(
        &mut self,
        line: &[u8],
        clock: &mut crate::time::Clock,
    ) -> Option<crate::time::Stamp> {
        time::stamp(line, self.time_key.as_ref(), clock)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        self.field_of(line, want, buf)
    }
}

/// What a JSON line holds under a top-level key ([`string_member`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// A string: its contents (between the quotes, still escaped).
    String(usize, usize),
    /// The line is one complete object without the key.
    Absent,
    /// Anything else: another value, broken JSON, not an object.
    Other,
}

/// The top-level member `key` of the JSON object `line` (which starts with
/// its `{`), when its value is a string: where a log envelope
/// (`{"log":"…"}`) carries the line it wraps.
pub fn string_member(line: &[u8], key: &[u8]) -> Member {
    if line.first() != Some(&b'{') {
        return Member::Other;
    }
    let key = Key {
        path: key,
        quoted: Quoted::new(key),
    };
    let mut blocks = Blocks::new(Baseline, line, 1);
    match find(line, &mut blocks, 1, key) {
        Found::Value(at) if line.get(at) == Some(&b'"') => match blocks.quote_from(at + 1) {
            Some(end) => Member::String(at + 1, end),
            None => Member::Other,
        },
        Found::Absent(end) if absent(line, 0, end) == Line::NotRequest => Member::Absent,
        _ => Member::Other,
    }
}

/// Classifies one line for a key path.
#[inline(always)]
pub fn classify(line: &[u8], path: &[u8]) -> Line {
    let key = Key {
        path,
        quoted: Quoted::new(path),
    };
    classify_in(Baseline, line, line, key)
}

/// [`classify`] with blocks read as `cpu` reads them (see
/// [`Json::count_chunk`]); `rest` is the chunk from the line's first byte
/// on, where the first block is read ([`Blocks::within`]).
#[inline(always)]
fn classify_in<L: Lanes>(cpu: L, line: &[u8], rest: &[u8], key: impl Needle) -> Line {
    // Records start with their object; other lines are searched for one.
    let open = match line.first() {
        Some(b'{') => 0,
        _ => match memchr(b'{', line) {
            Some(open) => open,
            None => return Line::Malformed,
        },
    };
    let mut blocks = Blocks::within(cpu, line, rest, open + 1);
    match find(line, &mut blocks, open + 1, key) {
        Found::Value(at) => value(line, &mut blocks, at),
        Found::Absent(end) => absent(line, open, end),
        Found::Broken => Line::Malformed,
    }
}

/// A line whose object ended at `end` without the key: a record that is not
/// a request (a start-up or error message of the same logger) when the line
/// is that one object and nothing else; anything around it is not a record
/// this format knows.
#[cold]
#[inline(never)]
pub(super) fn absent(line: &[u8], open: usize, end: usize) -> Line {
    if open == 0
        && line[end..]
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
    {
        Line::NotRequest
    } else {
        Line::Malformed
    }
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests;
