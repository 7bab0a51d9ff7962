//! JSON-lines logs: Caddy (`status`), Traefik (`DownstreamStatus`, or
//! `OriginStatus` for `--status upstream`) and any JSON log through
//! `--status-key` (a dotted path for nested keys).
//!
//! Nothing is parsed into a DOM: the line is scanned once for the key among
//! the members of the top-level object only, stepping over nested values and
//! over strings with their escapes, so a `"status"` inside a header value or
//! a nested object is never mistaken for the record's. Each member's grammar
//! is checked byte by byte; string contents and nested values are stepped
//! over with per-64-byte bitmaps of quotes and brackets
//! (`json_blocks`). Against the `memchr2` per string and loop per
//! nested byte this replaced, on the bench fixtures (same process, shared
//! VM): Caddy 1.5–1.75×, plain JSON 1.6×, Traefik 1.3× as fast.
//! Scanning stops once the status is read; the rest of the line is not
//! validated. The engine's line loop for this extractor
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
//! (`"200"`, `"000"`) is a status; `0` is code 0. `null` and `"-"` are
//! `no_status`: the record is well formed and says explicitly that there was
//! no status. An absent key, a line without an object (other log messages
//! interleaved in the same file) and any other value are malformed.
//!
//! Keys are compared as raw bytes: a key spelled with `\u` escapes is not
//! recognised (no logger writes ASCII key names that way).
//!
//! Anything before the first `{` is ignored, which accepts Caddy v2's older
//! console-encoder lines (`ts\tlevel\tlogger\tmsg\t{…}`).

use memchr::memchr;

use super::json_blocks::{Blocks, bare_end};
use super::{Format, FormatOptions, Sample, looks_json};
use crate::lines::{Extractor, Line, Sink, count_lines, status_token};

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
}

impl Json {
    pub fn new(path: &str) -> Self {
        Json {
            path: path.as_bytes().into(),
            quoted: Quoted::new(path.as_bytes()),
        }
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
        // `Blocks<true>` there would call each AVX2 compare out of line.
        #[cfg(target_arch = "x86_64")]
        if x86_features() && !self.path.contains(&b'.') {
            // SAFETY: the CPU was just checked to have every feature
            // `count_x86` is compiled for.
            unsafe { self.count_x86(chunk, sink) };
            return;
        }
        count_lines(self, chunk, sink);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,popcnt,lzcnt,pclmulqdq")]
    fn count_x86(&mut self, chunk: &[u8], sink: &mut Sink) {
        // The default key and Caddy's, with its quoted form a constant: the
        // loop compiled for it compares keys against an immediate and keeps
        // a few more registers for the walk (3.5% fewer instructions on the
        // json fixture, callgrind).
        if *self.path == *b"status" {
            count_lines(&mut Wide { key: Status }, chunk, sink);
        } else {
            count_lines(&mut Wide { key: self.key() }, chunk, sink);
        }
    }
}

/// The JSON extractor whose bitmaps read 32 bytes at a time
/// (`Blocks<true>`): only for [`Json::count_x86`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[derive(Clone)]
struct Wide<K> {
    key: K,
}

#[cfg(target_arch = "x86_64")]
impl<K: Needle + Send> Extractor for Wide<K> {
    #[inline(always)]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify_in::<false>(line, line, self.key)
    }

    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        classify_in::<true>(line, rest, self.key)
    }
}

/// Whether the CPU has what [`Json::count_x86`] is compiled for.
#[cfg(target_arch = "x86_64")]
fn x86_features() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx2")
        && has!("bmi1")
        && has!("bmi2")
        && has!("popcnt")
        && has!("lzcnt")
        && has!("pclmulqdq")
}

impl Extractor for Json {
    #[inline(always)]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify_in::<false>(line, line, self.key())
    }

    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        classify_in::<false>(line, rest, self.key())
    }

    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.count_fast(chunk, sink);
    }
}

/// Classifies one line for a key path.
#[inline(always)]
pub fn classify(line: &[u8], path: &[u8]) -> Line {
    let key = Key {
        path,
        quoted: Quoted::new(path),
    };
    classify_in::<false>(line, line, key)
}

/// [`classify`] with `Blocks<WIDE>` (see [`Json::count_chunk`]); `rest` is
/// the chunk from the line's first byte on, where the first block is read
/// ([`Blocks::within`]).
#[inline(always)]
fn classify_in<const WIDE: bool>(line: &[u8], rest: &[u8], key: impl Needle) -> Line {
    // Records start with their object; other lines are searched for one.
    let open = match line.first() {
        Some(b'{') => 0,
        _ => match memchr(b'{', line) {
            Some(open) => open,
            None => return Line::Malformed,
        },
    };
    let mut blocks = Blocks::<WIDE>::within(line, rest, open + 1);
    match find(line, &mut blocks, open + 1, key) {
        Found::Value(at) => value(line, &mut blocks, at),
        Found::Absent(_) | Found::Broken => Line::Malformed,
    }
}

enum Found {
    /// Offset of the first byte of the key's value.
    Value(usize),
    /// The object ended without the key; offset just past its `}`.
    Absent(usize),
    /// Not valid JSON where it mattered.
    Broken,
}

/// Looks for `path` among the members of the object whose contents start at
/// `p`. The grammar of each member is checked byte by byte (key, `:`, value,
/// `,` or `}`), so a broken line is malformed; only string contents and
/// nested values are stepped over with the bitmaps of `blocks`.
#[inline(always)]
fn find<const WIDE: bool>(
    line: &[u8],
    blocks: &mut Blocks<WIDE>,
    mut p: usize,
    key: impl Needle,
) -> Found {
    let path = key.path();
    p = ws(line, p);
    if line.get(p) == Some(&b'}') {
        return Found::Absent(p + 1);
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return Found::Broken;
        }
        // `"key":"value"` without blanks, the commonest member, from the
        // next three quotes of one bitmap: no search waits on another.
        if let Some([kend, open, close]) = blocks.three_quotes_from(p + 1)
            && open == kend + 2
            && line.get(kend + 1) == Some(&b':')
        {
            if key.is(line, p, kend) {
                return Found::Value(open);
            }
            // Compact JSON goes on with `,"`: the next key's quote at once.
            if line.get(close + 1..close + 3) == Some(b",\"") {
                p = close + 2;
                continue;
            }
            p = ws(line, close + 1);
            match line.get(p) {
                Some(b',') => p = ws(line, p + 1),
                Some(b'}') => return Found::Absent(p + 1),
                _ => return Found::Broken,
            }
            continue;
        }
        let Some(kend) = blocks.quote_from(p + 1) else {
            return Found::Broken;
        };
        let found = key.is(line, p, kend);
        let name = &line[p + 1..kend];
        p = ws(line, kend + 1);
        if line.get(p) != Some(&b':') {
            return Found::Broken;
        }
        p = ws(line, p + 1);
        if found {
            return Found::Value(p);
        }
        // The wide loop only runs for paths without a dot
        // (`Json::count_chunk`): no descent to look for, and no branch on
        // each key's length that mispredicts from member to member.
        debug_assert!(!WIDE || !path.contains(&b'.'));
        let descend = !WIDE
            && path.len() > name.len()
            && path[name.len()] == b'.'
            && same(&path[..name.len()], name)
            && line.get(p) == Some(&b'{');
        if descend {
            match find_nested(line, blocks, p + 1, &path[name.len() + 1..]) {
                Found::Absent(end) => p = end,
                other => return other,
            }
        } else {
            match skip_value(line, blocks, p) {
                Some(end) => p = end,
                None => return Found::Broken,
            }
        }
        if line.get(p..p + 2) == Some(b",\"") {
            p += 1;
            continue;
        }
        p = ws(line, p);
        match line.get(p) {
            Some(b',') => p = ws(line, p + 1),
            Some(b'}') => return Found::Absent(p + 1),
            _ => return Found::Broken,
        }
    }
}

/// [`find`] in a nested object: kept out of line, so that the top level's
/// walk is inlined into [`classify`] (a call per line was measurable on short
/// lines) while the recursion stays a call.
#[inline(never)]
fn find_nested<const WIDE: bool>(
    line: &[u8],
    blocks: &mut Blocks<WIDE>,
    p: usize,
    path: &[u8],
) -> Found {
    let key = Key {
        path,
        quoted: Quoted::NONE,
    };
    find(line, blocks, p, key)
}

/// The key path looked for.
trait Needle: Copy {
    fn path(&self) -> &[u8];

    /// Whether the key between the quotes at `p` and `kend` is the path.
    fn is(&self, line: &[u8], p: usize, kend: usize) -> bool;
}

/// Any key path, and its [`Quoted`] form.
#[derive(Clone, Copy)]
struct Key<'a> {
    path: &'a [u8],
    quoted: Quoted,
}

/// The path `status`, known when compiling: `"status"` is exactly one word.
#[derive(Clone, Copy)]
struct Status;

impl Needle for Status {
    #[inline(always)]
    fn path(&self) -> &[u8] {
        b"status"
    }

    /// A line too short for the word after `p` cannot hold the key `status`
    /// and its closing quote there either.
    #[inline(always)]
    fn is(&self, line: &[u8], p: usize, _kend: usize) -> bool {
        line.get(p..p + 8) == Some(b"\"status\"")
    }
}

impl Needle for Key<'_> {
    #[inline(always)]
    fn path(&self) -> &[u8] {
        self.path
    }

    #[inline(always)]
    fn is(&self, line: &[u8], p: usize, kend: usize) -> bool {
        let q = &self.quoted;
        let word = |i: usize| {
            line.get(p + 8 * i..p + 8 * i + 8)
                .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
        };
        let differs = |w: u64, i: usize| (w ^ q.bytes[i]) & q.masks[i];
        match q.words {
            1 => {
                if let Some(a) = word(0) {
                    return differs(a, 0) == 0;
                }
            }
            2 => {
                if let (Some(a), Some(b)) = (word(0), word(1)) {
                    return differs(a, 0) | differs(b, 1) == 0;
                }
            }
            _ => {}
        }
        same(&line[p + 1..kend], self.path)
    }
}

/// A key path as the bytes of its quoted key (`"status"`, exactly 8), so
/// that a member's key is compared with one or two masked words read from
/// its opening quote: no branch on the key's length first, which went one
/// way and the other from member to member (a fifth of the branches
/// cachegrind's model mispredicted on the JSON fixture).
///
/// The bytes `"path"` at a key's opening quote are that key and no other:
/// a path without quotes or backslashes cannot hold the key's closing quote,
/// and the quote after it follows a byte that is not a backslash, so it is
/// the closing one.
#[derive(Clone, Copy, Debug)]
struct Quoted {
    /// `"path"` in little-endian words, and the masks of its bytes.
    bytes: [u64; 2],
    masks: [u64; 2],
    /// Words compared from the opening quote: 1 or 2; 0 where the path
    /// cannot be compared this way (see [`Quoted::new`]) and `same` does
    /// it. (A third word for longer keys cost more on the others than it
    /// saved on `DownstreamStatus`.)
    words: usize,
}

impl Quoted {
    const NONE: Quoted = Quoted {
        bytes: [0; 2],
        masks: [0; 2],
        words: 0,
    };

    /// Only for a path of 1 to 14 bytes without quotes or backslashes.
    fn new(path: &[u8]) -> Quoted {
        let n = path.len() + 2;
        if path.is_empty() || n > 16 || path.iter().any(|&b| b == b'"' || b == b'\\') {
            return Quoted::NONE;
        }
        let (mut bytes, mut mask) = ([0u8; 16], [0u8; 16]);
        bytes[0] = b'"';
        bytes[1..n - 1].copy_from_slice(path);
        bytes[n - 1] = b'"';
        mask[..n].fill(0xff);
        let words = |b: &[u8; 16]| {
            [0, 1].map(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes")))
        };
        Quoted {
            bytes: words(&bytes),
            masks: words(&mask),
            words: n.div_ceil(8),
        }
    }
}

/// `a == b` without a `memcmp` call, which cost more than comparing the few
/// bytes of a key (most differ in their length anyway): equal lengths are
/// compared a word at a time, the last word overlapping the one before
/// (`status` is two 4-byte compares instead of a six-step loop).
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], i: usize| {
        s.get(i..i + 8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
    };
    let w4 = |s: &[u8], i: usize| {
        s.get(i..i + 4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
    };
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if w8(a, i) != w8(b, i) {
                    return false;
                }
                i += 8;
            }
            w8(a, n - 8) == w8(b, n - 8)
        }
    }
}

/// Reads the status value at `p`.
#[inline(always)]
fn value<const WIDE: bool>(line: &[u8], blocks: &mut Blocks<WIDE>, p: usize) -> Line {
    match line.get(p) {
        Some(b'"') => match blocks.quote_from(p + 1) {
            Some(end) => status_token(&line[p + 1..end]),
            None => Line::Malformed,
        },
        Some(b'0'..=b'9') => {
            // `200,` or `404}`: three digits and what ends them, the
            // commonest value, read without the loop below.
            if let Some(&[a, b, c, d]) = line.get(p..p + 4) {
                let digit = |x: u8| x.wrapping_sub(b'0') < 10;
                if digit(b) & digit(c) & !digit(d) & !matches!(d, b'.' | b'e' | b'E') {
                    let [a, b, c] = [a, b, c].map(|x| u16::from(x - b'0'));
                    return Line::Status(a * 100 + b * 10 + c);
                }
            }
            let end = line[p..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(line.len(), |n| p + n);
            // `200.5`, `2e2`: not an integer status.
            if matches!(line.get(end), Some(b'.' | b'e' | b'E')) {
                return Line::Malformed;
            }
            status_token(&line[p..end])
        }
        _ if line[p.min(line.len())..].starts_with(b"null") => Line::NoStatus,
        _ => Line::Malformed,
    }
}

/// Skips spaces, tabs and other JSON whitespace. Loggers write compact
/// JSON, so the first byte is almost always something else: one compare
/// (every whitespace byte is below `!`) before the loop.
#[inline(always)]
fn ws(line: &[u8], mut p: usize) -> usize {
    if line.get(p).is_none_or(|&b| b > b' ') {
        return p;
    }
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(p) {
        p += 1;
    }
    p
}

/// Offset just past the value starting at `p` (string, object, array, scalar).
#[inline(always)]
fn skip_value<const WIDE: bool>(line: &[u8], blocks: &mut Blocks<WIDE>, p: usize) -> Option<usize> {
    match line.get(p)? {
        b'"' => blocks.quote_from(p + 1).map(|e| e + 1),
        b'{' | b'[' => blocks.close_from(p),
        _ => {
            // Quotes and backslashes in a bare value are part of it, not the
            // strings and escapes the bitmaps took them for.
            let (end, odd) = bare_end(line, p);
            if odd {
                blocks.resync(end);
            }
            (end > p).then_some(end)
        }
    }
}

/// The byte-by-byte scanner this module used before [`Blocks`], kept as the
/// reference the bitmap walk must agree with on every input.
#[cfg(test)]
mod reference {
    use memchr::memchr;

    use crate::lines::{Line, status_token};

    /// Classifies one line for a key path.
    #[inline]
    pub fn classify(line: &[u8], path: &[u8]) -> Line {
        let Some(open) = memchr(b'{', line) else {
            return Line::Malformed;
        };
        match find(line, open + 1, path) {
            Found::Value(at) => value(line, at),
            Found::Absent(_) | Found::Broken => Line::Malformed,
        }
    }

    enum Found {
        /// Offset of the first byte of the key's value.
        Value(usize),
        /// The object ended without the key; offset just past its `}`.
        Absent(usize),
        /// Not valid JSON where it mattered.
        Broken,
    }

    /// Looks for `path` among the members of the object whose contents start at `p`.
    fn find(line: &[u8], mut p: usize, path: &[u8]) -> Found {
        p = ws(line, p);
        if line.get(p) == Some(&b'}') {
            return Found::Absent(p + 1);
        }
        loop {
            if line.get(p) != Some(&b'"') {
                return Found::Broken;
            }
            let Some(kend) = string_end(line, p + 1) else {
                return Found::Broken;
            };
            let key = &line[p + 1..kend];
            p = ws(line, kend + 1);
            if line.get(p) != Some(&b':') {
                return Found::Broken;
            }
            p = ws(line, p + 1);
            if key == path {
                return Found::Value(p);
            }
            let descend = path.len() > key.len()
                && path.starts_with(key)
                && path[key.len()] == b'.'
                && line.get(p) == Some(&b'{');
            if descend {
                match find(line, p + 1, &path[key.len() + 1..]) {
                    Found::Absent(end) => p = end,
                    other => return other,
                }
            } else {
                match skip_value(line, p) {
                    Some(end) => p = end,
                    None => return Found::Broken,
                }
            }
            p = ws(line, p);
            match line.get(p) {
                Some(b',') => p = ws(line, p + 1),
                Some(b'}') => return Found::Absent(p + 1),
                _ => return Found::Broken,
            }
        }
    }

    /// Reads the status value at `p`.
    fn value(line: &[u8], p: usize) -> Line {
        match line.get(p) {
            Some(b'"') => match string_end(line, p + 1) {
                Some(end) => status_token(&line[p + 1..end]),
                None => Line::Malformed,
            },
            Some(b'0'..=b'9') => {
                let end = line[p..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(line.len(), |n| p + n);
                // `200.5`, `2e2`: not an integer status.
                if matches!(line.get(end), Some(b'.' | b'e' | b'E')) {
                    return Line::Malformed;
                }
                status_token(&line[p..end])
            }
            _ if line[p.min(line.len())..].starts_with(b"null") => Line::NoStatus,
            _ => Line::Malformed,
        }
    }

    /// Skips spaces, tabs and other JSON whitespace.
    #[inline]
    fn ws(line: &[u8], mut p: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(p) {
            p += 1;
        }
        p
    }

    /// Offset of the `"` closing a string whose contents start at `p`.
    #[inline]
    fn string_end(line: &[u8], mut p: usize) -> Option<usize> {
        loop {
            // Strings (URIs, user agents, headers) are most of a JSON log's bytes:
            // a SIMD search for the two bytes that can end or escape them.
            let q = p + memchr::memchr2(b'"', b'\\', &line[p.min(line.len())..])?;
            if line[q] == b'"' {
                return Some(q);
            }
            p = q + 2;
        }
    }

    /// Offset just past the value starting at `p` (string, object, array, scalar).
    fn skip_value(line: &[u8], p: usize) -> Option<usize> {
        match line.get(p)? {
            b'"' => string_end(line, p + 1).map(|e| e + 1),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut q = p;
                loop {
                    match line.get(q)? {
                        b'"' => q = string_end(line, q + 1)?,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(q + 1);
                            }
                        }
                        _ => {}
                    }
                    q += 1;
                }
            }
            _ => {
                let n = line[p..]
                    .iter()
                    .position(|&b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t'))
                    .unwrap_or(line.len() - p);
                (n > 0).then_some(p + n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Counts;
    use proptest::prelude::*;

    fn st(line: &str, key: &str) -> Line {
        Json::new(key).classify(line.as_bytes())
    }

    #[test]
    fn top_level_key_only() {
        let l = r#"{"request":{"status":500,"headers":{"X":["\"status\":404"]}},"msg":"a \"status\": 1","status":200}"#;
        assert_eq!(st(l, "status"), Line::Status(200));
        assert_eq!(st(l, "request.status"), Line::Status(500));
        assert_eq!(
            st(r#"{"request":{"status":500}}"#, "status"),
            Line::Malformed
        );
    }

    #[test]
    fn values() {
        assert_eq!(st(r#"{"status":0}"#, "status"), Line::Status(0));
        assert_eq!(st(r#"{"status": "404" }"#, "status"), Line::Status(404));
        assert_eq!(st(r#"{"status":"000"}"#, "status"), Line::Status(0));
        assert_eq!(st(r#"{"status":null}"#, "status"), Line::NoStatus);
        assert_eq!(st(r#"{"status":"-"}"#, "status"), Line::NoStatus);
        assert_eq!(st(r#"{"status":200.5}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":1000}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":-1}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":true}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":[200]}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"other":200}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{}"#, "status"), Line::Malformed);
    }

    #[test]
    fn dotted_paths_nested_and_flat() {
        let nested = r#"{"http":{"request":{},"response":{"body":{"bytes":1},"status_code":503}}}"#;
        assert_eq!(st(nested, "http.response.status_code"), Line::Status(503));
        let flat = r#"{"http.response.status_code":201}"#;
        assert_eq!(st(flat, "http.response.status_code"), Line::Status(201));
        let mixed = r#"{"http":{"x":1},"http.response":{"status_code":202}}"#;
        assert_eq!(st(mixed, "http.response.status_code"), Line::Status(202));
    }

    #[test]
    fn prefix_before_object_and_traefik_keys() {
        let caddy = "1.6e+09\tinfo\thttp.log.access\thandled request\t{\"request\": {\"uri\": \"/\"}, \"status\": 0}";
        assert_eq!(st(caddy, "status"), Line::Status(0));
        let t = r#"{"DownstreamStatus":502,"OriginStatus":0}"#;
        assert_eq!(st(t, "DownstreamStatus"), Line::Status(502));
        assert_eq!(st(t, "OriginStatus"), Line::Status(0));
    }

    #[test]
    fn broken_json_is_malformed_not_panic() {
        for l in [
            "",
            "{",
            "{\"",
            "{\"status\"",
            "{\"status\":",
            "{\"a\":\"\\",
            "{\"a\":{\"b\":[}",
            "{\"a\" 1, \"status\": 200}",
            "{a:1,\"status\":200}",
            "{\"a\":1 \"status\":200}",
            "}{",
            "{\"a\":\"x\\\"}",
        ] {
            assert_eq!(st(l, "status"), Line::Malformed, "{l:?}");
        }
    }

    /// Key paths the property tests read every line with.
    const PATHS: [&str; 9] = [
        "status",
        "status_code",
        "x",
        "request.status",
        "a",
        "a.b",
        "a.b.c",
        "http.response.status_code",
        "DownstreamStatus",
    ];

    fn same_as_reference(line: &[u8]) -> Result<(), TestCaseError> {
        for path in PATHS {
            let want = reference::classify(line, path.as_bytes());
            let got = classify(line, path.as_bytes());
            prop_assert_eq!(got, want, "{} in {:?}", path, String::from_utf8_lossy(line));
        }
        Ok(())
    }

    fn blank() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "", "", " ", "\t", " \r ", "  "]).prop_map(String::from)
    }

    /// String contents: text, escapes, runs of backslashes, brackets and
    /// decoy members, long enough to cross 64-byte blocks.
    fn string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9 /:.]{0,12}",
            2 => Just(r#"\""#.to_string()),
            1 => Just(r"\\".to_string()),
            1 => (1usize..6).prop_map(|n| "\\".repeat(n) + "x"),
            1 => Just(r#"{\"status\":999}"#.to_string()),
            1 => Just(r#"\"status\": 500, \"a\":{\"b\":1}"#.to_string()),
            1 => prop::sample::select(vec!["{", "}", "[", "]", ",", ":", "\\u0022"]).prop_map(String::from),
            1 => "[a-z]{40,90}",
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| format!("\"{}\"", v.concat()))
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => prop::sample::select(vec![
                "status", "request", "a", "b", "c", "http", "response", "status_code",
                "a.b", "b.c", "http.response", "DownstreamStatus", "x",
                // Near misses for the word compare of quoted keys.
                "statu", "statuss", "Status", r#"status\""#, r#"a\"status"#, r"status\\",
                "status_cod", "status_codes",
            ]).prop_map(|k| format!("\"{k}\"")),
            1 => string(),
        ]
    }

    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            6 => prop::sample::select(vec![
                "0", "200", "404", "999", "1000", "-1", "200.5", "2e2", "007", "\"200\"",
                "\"-\"", "\"000\"", "\"2x0\"", "null", "true", "false", "1710230400.123",
            ]).prop_map(String::from),
            4 => string(),
            // Invalid: quotes and backslashes in bare values and between the
            // items of nested values, where a byte-by-byte reading and the
            // bitmaps part ways.
            1 => prop::sample::select(vec![
                r#"tru"e"#, r#"1""#, r#"x\"y"#, r#"x\\"y"#, r#"\"x""#, r#"\\"x""#, r"\",
            ]).prop_map(String::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let member = (blank(), key(), blank(), blank(), inner.clone(), blank())
                .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
            prop_oneof![
                3 => prop::collection::vec(member, 0..6).prop_map(|m| format!("{{{}}}", m.join(","))),
                1 => prop::collection::vec(inner, 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            ]
        })
    }

    /// JSON-ish lines: an object of random members after an optional prefix,
    /// sometimes with one byte inserted, removed or the line cut short.
    fn json_line() -> impl Strategy<Value = Vec<u8>> {
        let member = (blank(), key(), blank(), blank(), json_value(), blank())
            .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
        let prefix = prop::sample::select(vec!["", "", "", "ts\tinfo\t", "\"x\\\" ", "]} "]);
        let edit = prop_oneof![
            4 => Just(None),
            1 => (any::<prop::sample::Index>(), prop::sample::select(b"{}[]\":,\\ 0t".to_vec()))
                .prop_map(|(i, b)| Some((i, Some(b)))),
            1 => any::<prop::sample::Index>().prop_map(|i| Some((i, None))),
            1 => any::<prop::sample::Index>().prop_map(|i| Some((i, Some(0)))),
        ];
        (prefix, prop::collection::vec(member, 0..10), edit).prop_map(|(pre, members, edit)| {
            let mut line = format!("{pre}{{{}}}", members.join(",")).into_bytes();
            match edit {
                Some((i, Some(0))) => line.truncate(i.index(line.len() + 1)),
                Some((i, Some(b))) => line.insert(i.index(line.len() + 1), b),
                Some((i, None)) if !line.is_empty() => {
                    line.remove(i.index(line.len()));
                }
                _ => {}
            }
            line
        })
    }

    /// Arbitrary bytes from JSON's punctuation, digits and key letters, and
    /// whole tokens, so that members and escapes do form now and then.
    fn junk_line() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            8 => prop::sample::select(b"{}[]\":,\\ 0123456789statusabc\t.".to_vec()).prop_map(|b| vec![b]),
            1 => prop::sample::select(vec![
                &b"\"status\":"[..], b"\"a\":", b"\"b\":{", b"\\\"", b"\\\\", b"{\"", b"\",\"", b"200",
            ]).prop_map(<[u8]>::to_vec),
        ];
        prop::collection::vec(token, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn json_lines_as_the_reference(line in json_line()) {
            same_as_reference(&line)?;
        }

        #[test]
        fn junk_as_the_reference(line in junk_line()) {
            same_as_reference(&line)?;
        }

        #[test]
        fn any_bytes_as_the_reference(line in prop::collection::vec(any::<u8>(), 0..300)) {
            same_as_reference(&line)?;
        }
    }

    /// Counts of a chunk by `count_chunk` (the engine's loop: on a CPU with
    /// AVX2, the 32-byte-lane bitmaps) and line by line by the reference.
    fn both_counts(chunk: &[u8], path: &str) -> (Counts, Counts) {
        #[derive(Clone)]
        struct Reference<'a>(&'a [u8]);
        impl Extractor for Reference<'_> {
            fn classify(&mut self, line: &[u8]) -> Line {
                reference::classify(line, self.0)
            }
        }
        let (mut got, mut want) = (Counts::default(), Counts::default());
        Json::new(path).count_chunk(chunk, &mut Sink::new(&mut got, false));
        count_lines(
            &mut Reference(path.as_bytes()),
            chunk,
            &mut Sink::new(&mut want, false),
        );
        (got, want)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn count_chunk_as_the_reference(
            lines in prop::collection::vec(
                (prop_oneof![3 => json_line(), 1 => junk_line()], prop::sample::select(vec![&b"\n"[..], b"\r\n"])),
                0..20,
            ),
            path in prop::sample::select(PATHS.to_vec()),
        ) {
            let mut chunk = Vec::new();
            for (line, end) in lines {
                chunk.extend_from_slice(&line);
                chunk.extend_from_slice(end);
            }
            let (got, want) = both_counts(&chunk, path);
            prop_assert_eq!(got, want);
        }

        #[test]
        fn same_is_slice_equality(a in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..20), b in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..20)) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a.clone()));
        }
    }

    #[test]
    fn fixtures_counted_as_the_reference() {
        for name in ["caddy", "json", "traefik-json"] {
            let path = format!("{}/fixtures/formats/{name}.log", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read(path).unwrap();
            for key in PATHS {
                let (got, want) = both_counts(&data, key);
                assert_eq!(got, want, "{name} with {key}");
            }
        }
    }

    #[test]
    fn fixtures_as_the_reference() {
        for name in ["caddy", "json", "traefik-json"] {
            let path = format!("{}/fixtures/formats/{name}.log", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read(path).unwrap();
            for line in data.split(|&b| b == b'\n') {
                same_as_reference(line).unwrap();
            }
        }
    }

    #[test]
    fn invalid_json_read_as_before() {
        for l in [
            r#"{"a":tru"e,"status":200}"#,
            r#"{"a":x\"y,"status":201}"#,
            r#"{"a":x\\"y,"status":202}"#,
            r#"{"a":[\"],"status":1}"#,
            r#"{"a":[\\"],"status":2}"#,
            r#"{"a":{"b":"c"\"d"},"status":3}"#,
            r#"{"a":[1]\,"status":4}"#,
            r#"{"a":tru"e,"b":{"x":1},"status":5}"#,
            r#"{"a":x\\"y,"b":[1],"status":6}"#,
        ] {
            for path in PATHS {
                assert_eq!(
                    classify(l.as_bytes(), path.as_bytes()),
                    reference::classify(l.as_bytes(), path.as_bytes()),
                    "{path} in {l}"
                );
            }
        }
    }
}
