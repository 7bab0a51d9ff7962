//! The Common Log Format family: Common, Combined, and both with a virtual-host
//! prefix (Apache `%v:%p`, nginx `$host`, which may be empty).
//!
//! The rule is positional and deliberately independent of what comes before
//! the timestamp, so hostnames, IPv6 clients, `X-Forwarded-For` lists and empty
//! vhosts all work: the status is the first token after the quoted request
//! field that follows `[timestamp]`. The request ends at the first `"` not
//! escaped by a backslash (Apache writes `\"` and `\\`; nginx writes `\x22`,
//! which contains no quote at all).

use memchr::memchr;

use crate::bytes;
use crate::lines::{Extractor, Line, Sink, WindowLines, for_each_window, status_token};
use crate::time::{Clock, Stamp};
use crate::top::CodeMask;

/// Which member of the family an input is. Only a label for reports: all
/// flavors are read by the same [`Clf`] extractor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Common,
    Combined,
    VhostCommon,
    VhostCombined,
}

impl Flavor {
    pub const ALL: [Flavor; 4] = [
        Flavor::Common,
        Flavor::Combined,
        Flavor::VhostCommon,
        Flavor::VhostCombined,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Common => "common",
            Flavor::Combined => "combined",
            Flavor::VhostCommon => "vcommon",
            Flavor::VhostCombined => "vcombined",
        }
    }

    pub fn from_name(s: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// The CLF-family extractor. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct Clf;

impl Extractor for Clf {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        match locate(line) {
            Some((start, end)) => status_token(&line[start..end]),
            None => Line::Malformed,
        }
    }

    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        count_chunk(chunk, sink);
    }

    #[inline]
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        timestamp(line, clock)
    }

    fn count_chunk_detailed(&mut self, chunk: &[u8], sink: &mut Sink) {
        count_chunk_detailed(chunk, sink);
    }
}

/// Bytes per window of [`count_chunk`]: its two bitmaps (2 × 8 KiB) stay in L1.
const WINDOW: usize = 64 * 1024;

/// Counts every line of `chunk` (the contract of [`crate::lines::count_lines`]),
/// specialised for the CLF family, which is most of the bytes logstat sees.
///
/// Instead of searching each line for its newline and its quotes one call at
/// a time, each window of the chunk is first turned into two bitmaps (where
/// the `"` and the `\n` bytes are) by a SIMD pass; every line then costs a few
/// bit operations to find its request quotes and its end. Lines the fast path
/// cannot settle (no standard timestamp, an escaped quote, an odd status)
/// go through [`Clf::classify`], so results are exactly those of the
/// line-by-line extractor.
pub fn count_chunk(chunk: &[u8], sink: &mut Sink) {
    each_line(&mut Clf, chunk, sink, |_, w, quotes, s, e, sink, index| {
        if let Some((code, _)) = fast_status(w, quotes, s, e) {
            sink.counts.codes[code as usize] += 1;
        } else {
            let kind = Clf.classify(&w[s..e]);
            sink.record(kind, &w[s..e], index);
        }
    });
}

/// The window loop of [`count_chunk`] and [`count_chunk_detailed`]: books
/// empty lines and hands every other line to `book` as `(window, its quote
/// bitmap, start, end, sink, line index)`.
#[inline(always)]
fn each_line<E: Extractor>(
    ex: &mut E,
    chunk: &[u8],
    sink: &mut Sink,
    mut book: impl FnMut(&mut E, &[u8], &[u64], usize, usize, &mut Sink, u64),
) {
    let mut quotes = [0u64; WINDOW / 64];
    let mut newlines = [0u64; WINDOW / 64];
    for_each_window(ex, chunk, sink, WINDOW, |ex, w, sink, index| {
        let words = w.len().div_ceil(64);
        bytes::fill_bitmaps(
            w,
            [b'"', b'\n'],
            &mut [&mut quotes[..words], &mut newlines[..words]],
        );
        let quotes = &quotes[..words];
        for (s, e) in WindowLines::new(w, &newlines[..words]) {
            if e == s {
                sink.counts.skipped += 1;
            } else {
                book(ex, w, quotes, s, e, sink, *index);
            }
            *index += 1;
        }
    });
}

/// The status of line `w[s..e]` when it has the common shape: its first `"`
/// follows a `[timestamp] ` of a usual width ([`stamped`]), the next `"` is
/// not escaped and is followed by a space and three digits ending the token.
/// Exactly what [`locate`]'s fast path accepts, found through the bitmaps.
/// With the status comes where that first `"` is in `w`.
#[inline(always)]
fn fast_status(w: &[u8], quotes: &[u64], s: usize, e: usize) -> Option<(u16, usize)> {
    let q1 = bytes::next_bit(quotes, s);
    if q1 >= e || !stamped(&w[s..], q1 - s) {
        return None;
    }
    // The request ends at the first quote not escaped by an odd run of
    // backslashes (Apache's `\"` and `\\`), as in `closing_quote`.
    let mut q2 = bytes::next_bit(quotes, q1 + 1);
    loop {
        if q2 >= e {
            return None;
        }
        let mut k = 0;
        while q2 - 1 - k > q1 && w[q2 - 1 - k] == b'\\' {
            k += 1;
        }
        if k % 2 == 0 {
            break;
        }
        q2 = bytes::next_bit(quotes, q2 + 1);
    }
    let end = q2 + 5;
    if end > e || w[q2 + 1] != b' ' {
        return None;
    }
    if end < e && w[end] != b' ' && w[end] != b'\t' {
        return None;
    }
    let d = [w[q2 + 2], w[q2 + 3], w[q2 + 4]];
    if d.iter().all(u8::is_ascii_digit) {
        let code = (d[0] - b'0') as u16 * 100 + (d[1] - b'0') as u16 * 10 + (d[2] - b'0') as u16;
        Some((code, q1))
    } else {
        None
    }
}

/// Whether the quote at `q` of `line` directly follows a bracketed timestamp
/// of one of the two usual widths and a space: 28 bytes for `%t` /
/// `$time_local` (`[10/Oct/2000:13:55:36 -0700]`), 26 for Envoy's
/// `%START_TIME%` (`[2024-03-12T08:00:00.123Z]`).
#[inline(always)]
fn stamped(line: &[u8], q: usize) -> bool {
    q >= 27
        && line[q - 1] == b' '
        && line[q - 2] == b']'
        && ((q >= 29 && line[q - 29] == b'[') || line[q - 27] == b'[')
}

/// The 26 bytes in the usual-width brackets that end just before the quote
/// at `q` ([`stamped`] said there are some), when they are the CLF width's.
#[inline(always)]
fn clf_time(line: &[u8], q: usize) -> Option<&[u8; 26]> {
    if q >= 29 && line[q - 29] == b'[' {
        line[q - 28..q - 2].try_into().ok()
    } else {
        None
    }
}

/// The time of a CLF-family line: what the `[…]` before the request holds,
/// a CLF time (`10/Oct/2000:13:55:36 -0700`) or an ISO 8601 one (Envoy's
/// `2024-03-12T08:00:00.123Z`).
#[inline]
pub fn timestamp(line: &[u8], clock: &mut Clock) -> Option<Stamp> {
    if let Some(q) = find_quote(line, 0)
        && stamped(line, q)
    {
        return stamp_before(line, q, clock);
    }
    let (open, close, _) = bracketed(line)?;
    read_stamp(&line[open + 1..close], clock)
}

/// The time in the usual-width brackets that end just before the quote at
/// `q` ([`stamped`] said there are some).
#[inline(always)]
fn stamp_before(line: &[u8], q: usize, clock: &mut Clock) -> Option<Stamp> {
    match clf_time(line, q) {
        Some(time) => clock.clf(time),
        None => clock.iso(&line[q - 26..q - 2]),
    }
}

/// A bracketed time's contents, CLF or ISO 8601.
fn read_stamp(s: &[u8], clock: &mut Clock) -> Option<Stamp> {
    if s.get(2) == Some(&b'/') {
        clock.clf(s)
    } else {
        clock.iso(s)
    }
}

/// The general rule, for every line the fast path passes on: the first
/// `[…]` followed (after spaces) by a quoted field, as `(open, close,
/// quote)`: the time's brackets and the request's opening quote.
#[cold]
fn bracketed(line: &[u8]) -> Option<(usize, usize, usize)> {
    let mut from = 0;
    loop {
        // `[` opens the timestamp; a bracketed IPv6 client (`[::1]`) is passed
        // over because no quote follows its `]`.
        let open = from + memchr(b'[', &line[from..])?;
        let close = open + 1 + memchr(b']', &line[open + 1..])?;
        let mut p = close + 1;
        while p < line.len() && line[p] == b' ' {
            p += 1;
        }
        if line.get(p) == Some(&b'"') {
            return Some((open, close, p));
        }
        from = close + 1;
    }
}

/// [`count_chunk`] reading each request's time as well, for the work
/// `sink.detail` asks: on the fast path the time's brackets are where
/// [`stamped`] found them, so reading it costs the [`Clock`]'s compare of
/// the minute with the previous line's and the seconds.
pub fn count_chunk_detailed(chunk: &[u8], sink: &mut Sink) {
    count_detailed(&mut Clf, None, chunk, sink);
}

/// [`count_chunk_detailed`] reading the fields `--top` asks through `ex`,
/// or, on the fast path, of `layout` from the request's quote already
/// found (`None`: `ex` reads no fields).
fn count_detailed<E: Extractor>(ex: &mut E, layout: Option<Layout>, chunk: &[u8], sink: &mut Sink) {
    // Fixed for the chunk: whether times are read, and which codes a
    // `--top` takes; the loop is compiled for each, so that time work
    // alone pays nothing for `--top`, nor `--top` for time work.
    let picks = sink.top_mask();
    match (sink.time_work().is_some(), picks != CodeMask::NONE) {
        (true, true) => detailed_loop::<E, true, true>(ex, layout, picks, chunk, sink),
        (true, false) => detailed_loop::<E, true, false>(ex, layout, picks, chunk, sink),
        (false, true) => detailed_loop::<E, false, true>(ex, layout, picks, chunk, sink),
        (false, false) => detailed_loop::<E, false, false>(ex, layout, picks, chunk, sink),
    }
}

/// [`count_detailed`]'s loop, `TIMED` when times are read, `TOP` when a
/// `--top` takes some codes (`picks`).
#[inline(always)]
fn detailed_loop<E: Extractor, const TIMED: bool, const TOP: bool>(
    ex: &mut E,
    layout: Option<Layout>,
    picks: CodeMask,
    chunk: &[u8],
    sink: &mut Sink,
) {
    each_line(ex, chunk, sink, |ex, w, quotes, s, e, sink, index| {
        if let Some((code, q1)) = fast_status(w, quotes, s, e) {
            let line = &w[s..e];
            let quote = q1 - s;
            let counted = if TIMED {
                match clf_time(line, quote) {
                    Some(time) => sink.record_clf_dated(code as usize, time),
                    None => sink
                        .record_dated_by(code as usize, |clock| stamp_before(line, quote, clock)),
                }
            } else {
                sink.counts.codes[code as usize] += 1;
                true
            };
            if TOP && counted && picks.picks(code) {
                top_line(ex, layout, line, quote, code, sink);
            }
        } else {
            slow_line(ex, &w[s..e], sink, index);
        }
    });
}

/// The `--top` work of a line on [`count_detailed`]'s fast path, out of
/// the loop: few lines are selected.
#[inline(never)]
fn top_line<E: Extractor>(
    ex: &mut E,
    layout: Option<Layout>,
    line: &[u8],
    quote: usize,
    code: u16,
    sink: &mut Sink,
) {
    match layout {
        Some(layout) => sink.record_top(&mut Anchored { layout, quote }, line, code),
        None => sink.record_top(ex, line, code),
    }
}

/// A line [`count_detailed`]'s fast path passes on, out of the loop.
#[inline(never)]
fn slow_line<E: Extractor>(ex: &mut E, line: &[u8], sink: &mut Sink, index: u64) {
    let kind = ex.classify(line);
    sink.record_detailed(ex, kind, line, index);
}

/// Finds the status token of a CLF-family line: `(start, end)` byte offsets,
/// or `None` when the line has no `[timestamp] "request" STATUS` shape.
///
/// The fast path covers nearly every real line with two short searches: the
/// first `"` of the line, checked to follow a usual-width `[timestamp] `
/// (`stamped`), then the request's closing quote, then a 3-digit status.
/// Anything else takes the general path, [`locate_general`].
#[inline]
pub fn locate(line: &[u8]) -> Option<(usize, usize)> {
    if let Some(q) = find_quote(line, 0)
        && stamped(line, q)
    {
        let c = closing_quote(line, q + 1)?;
        let end = c + 5;
        if end <= line.len()
            && line[c + 1] == b' '
            && line[c + 2..end].iter().all(u8::is_ascii_digit)
            && (end == line.len() || line[end] == b' ' || line[end] == b'\t')
        {
            return Some((c + 2, end));
        }
        return status_span(line, c + 1);
    }
    locate_general(line)
}

/// The general rule, for every line the fast path of [`locate`] passes on:
/// the first `[…]` followed (after spaces) by a quoted field ([`bracketed`]).
#[cold]
pub fn locate_general(line: &[u8]) -> Option<(usize, usize)> {
    let (_, _, quote) = bracketed(line)?;
    let req_end = closing_quote(line, quote + 1)?;
    status_span(line, req_end + 1)
}

/// Index of the first `"` at or after `from` (see [`bytes::find_near`]: the
/// distances searched on a log line are short).
#[inline(always)]
fn find_quote(line: &[u8], from: usize) -> Option<usize> {
    bytes::find_near(line, from, b'"')
}

/// Index of the `"` that ends a quoted field whose contents start at `from`:
/// the first quote preceded by an even number of backslashes.
#[inline]
pub(crate) fn closing_quote(line: &[u8], from: usize) -> Option<usize> {
    closing_quote_by(line, from, |from| find_quote(line, from))
}

/// [`closing_quote`] with the search for the next quote at or after an
/// offset passed in (the custom-format loop finds quotes in its bitmaps).
#[inline(always)]
pub(crate) fn closing_quote_by(
    line: &[u8],
    mut from: usize,
    find: impl Fn(usize) -> Option<usize>,
) -> Option<usize> {
    loop {
        let q = find(from)?;
        let mut backslashes = 0;
        while backslashes < q - from && line[q - 1 - backslashes] == b'\\' {
            backslashes += 1;
        }
        if backslashes % 2 == 0 {
            return Some(q);
        }
        from = q + 1;
    }
}

/// The first space-delimited token at or after `p` (after at least one space).
#[inline]
fn status_span(line: &[u8], p: usize) -> Option<(usize, usize)> {
    let mut start = p;
    if start >= line.len() || line[start] != b' ' {
        return None;
    }
    while start < line.len() && line[start] == b' ' {
        start += 1;
    }
    let mut end = start;
    // A status has at most 3 bytes; look a little further only to reject
    // longer tokens (`1000`) instead of reading the whole tail.
    while end < line.len() && end - start < 5 && line[end] != b' ' && line[end] != b'\t' {
        end += 1;
    }
    (end > start).then_some((start, end))
}

/// Recognises the family from a sample's lines and names the flavor: most
/// lines must yield a status; quoted fields after the size mean Combined; a
/// token before the client, or a line starting with a space (empty nginx
/// `$host`), means a vhost prefix.
pub fn detect(lines: &[&[u8]]) -> Option<Flavor> {
    let mut total = 0usize;
    let mut ok = 0usize;
    let mut combined = 0usize;
    let mut vhost = 0usize;
    for &line in lines {
        total += 1;
        let Some((start, end)) = locate(line) else {
            continue;
        };
        if matches!(status_token(&line[start..end]), Line::Malformed) {
            continue;
        }
        ok += 1;
        if memchr(b'"', &line[end..]).is_some() {
            combined += 1;
        }
        let head = &line[..memchr(b'[', line).unwrap_or(0)];
        // Common: `client ident user ` (3 tokens). A vhost adds one more; an
        // empty nginx `$host` leaves a leading space instead.
        let tokens = head.split(|&b| b == b' ').filter(|t| !t.is_empty()).count();
        if head.first() == Some(&b' ') || tokens >= 4 {
            vhost += 1;
        }
    }
    if total == 0 || ok * 2 <= total {
        return None;
    }
    Some(match (vhost * 2 > ok, combined * 2 > ok) {
        (false, false) => Flavor::Common,
        (false, true) => Flavor::Combined,
        (true, false) => Flavor::VhostCommon,
        (true, true) => Flavor::VhostCombined,
    })
}

/// Which member of the family an input is, for the fields besides the
/// status: where the host, the client, the size and the quoted fields
/// after the status are. The status is read the same way for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `client ident user [time] "request" status size`.
    Common,
    /// Common, then `"referer" "agent"`.
    Combined,
    /// Common after a virtual host (`%v:%p`, nginx `$host`).
    VCommon,
    /// Combined after a virtual host.
    VCombined,
    /// Envoy's default: `[time] "request" status flags received sent
    /// duration upstream-time "x-forwarded-for" "agent" "request-id"
    /// "authority" "upstream-host"`.
    Envoy,
    /// Traefik's: Combined, then `count "router" "server-url" 3ms`.
    Traefik,
}

/// The CLF-family extractor that also reads the fields of its [`Layout`]
/// (the status and times as [`Clf`] reads them).
#[derive(Clone, Copy, Debug)]
pub struct ClfFields(pub Layout);

impl Extractor for ClfFields {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        Clf.classify(line)
    }

    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        count_chunk(chunk, sink);
    }

    #[inline]
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        timestamp(line, clock)
    }

    fn count_chunk_detailed(&mut self, chunk: &[u8], sink: &mut Sink) {
        let layout = self.0;
        count_detailed(self, Some(layout), chunk, sink);
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        _: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        field(self.0, line, want.field)
    }
}

/// The fields of a line on [`count_detailed`]'s fast path, whose request
/// quote the bitmaps found: [`field`] without looking for it again.
#[derive(Clone, Copy)]
struct Anchored {
    layout: Layout,
    quote: usize,
}

impl Extractor for Anchored {
    fn classify(&mut self, line: &[u8]) -> Line {
        Clf.classify(line)
    }

    #[inline]
    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        _: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        field_at(self.layout, line, self.quote, want.field)
    }
}

/// Field `f` of a CLF-family line of layout `layout`: the request's parts
/// from the request, the size and the quoted fields counted from the
/// status, the host and client from the tokens before the time.
pub fn field(layout: Layout, line: &[u8], f: crate::top::Field) -> Option<&[u8]> {
    match find_quote(line, 0) {
        Some(q) if stamped(line, q) => field_at(layout, line, q, f),
        _ => {
            let (open, _, quote) = bracketed(line)?;
            field_from(layout, line, open, quote, f)
        }
    }
}

/// [`field`] of a line whose request quote `quote` follows a usual-width
/// `[timestamp] ` ([`stamped`]).
#[inline]
fn field_at(layout: Layout, line: &[u8], quote: usize, f: crate::top::Field) -> Option<&[u8]> {
    let open = if quote >= 29 && line[quote - 29] == b'[' {
        quote - 29
    } else {
        quote - 27
    };
    field_from(layout, line, open, quote, f)
}

/// [`field`] of a line whose time opens at `open` and request at `quote`.
#[inline]
fn field_from(
    layout: Layout,
    line: &[u8],
    open: usize,
    quote: usize,
    f: crate::top::Field,
) -> Option<&[u8]> {
    use super::fields::{quoted, request_field, token};
    use crate::top::Field;
    let close = closing_quote_by(line, quote + 1, |from| {
        memchr(b'"', &line[from..]).map(|p| from + p)
    })?;
    let after = || status_span(line, close + 1).map(|(_, e)| &line[e..]);
    let head = || line[..open].split(|&b| b == b' ');
    let vhost = matches!(layout, Layout::VCommon | Layout::VCombined);
    let value = match f {
        Field::Path | Field::Url | Field::Method | Field::Protocol => {
            request_field(&line[quote + 1..close], f)
        }
        Field::Bytes if layout == Layout::Envoy => token(after()?, 2),
        Field::Bytes => token(after()?, 0),
        Field::Referer => quoted(after()?, 0),
        Field::Agent => quoted(after()?, 1),
        Field::Host if layout == Layout::Envoy => quoted(after()?, 3),
        Field::Host if vhost => head().next().map(|h| h.strip_suffix(b",").unwrap_or(h)),
        Field::Upstream if layout == Layout::Envoy => quoted(after()?, 4),
        Field::Upstream if layout == Layout::Traefik => quoted(after()?, 3),
        Field::Client => head()
            .nth(usize::from(vhost))
            .map(|c| c.strip_suffix(b",").unwrap_or(c)),
        _ => None,
    };
    value.filter(|v| !v.is_empty() && *v != b"-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Counts;

    fn status(line: &str) -> Line {
        Clf.classify(line.as_bytes())
    }

    #[test]
    fn combined_and_common() {
        assert_eq!(
            status(
                r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl""#
            ),
            Line::Status(200)
        );
        assert_eq!(
            status(r#"host.example - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 404 -"#),
            Line::Status(404)
        );
    }

    #[test]
    fn clients_of_every_shape() {
        assert_eq!(
            status(r#"::1 - - [t] "GET / HTTP/1.1" 301 0"#),
            Line::Status(301)
        );
        assert_eq!(
            status(r#"fe80::1%eth0 - - [t] "GET / HTTP/1.1" 301 0"#),
            Line::Status(301)
        );
        assert_eq!(
            status(r#"[2001:db8::1] - - [t] "GET / HTTP/1.1" 302 0"#),
            Line::Status(302)
        );
        assert_eq!(
            status(r#" - - [t] "GET / HTTP/1.1" 204 0"#),
            Line::Status(204)
        );
        assert_eq!(
            status(r#"- - - [t] "GET / HTTP/1.1" 204 0"#),
            Line::Status(204)
        );
        assert_eq!(
            status(
                r#"example.com 10.0.0.2, 10.0.0.1, 127.0.0.1 - - [t] "GET /o HTTP/1.1" 200 571"#
            ),
            Line::Status(200)
        );
        assert_eq!(
            status(r#"1.2.3.4 [t] "GET / HTTP/1.0" 404 46210"#),
            Line::Status(404)
        );
    }

    #[test]
    fn vhost_prefixes() {
        assert_eq!(
            status(r#"example.com:443 1.2.3.4 - - [t] "GET / HTTP/1.1" 200 1 "-" "ua""#),
            Line::Status(200)
        );
        assert_eq!(
            status(r#" 1.2.3.4 - - [t] "GET / HTTP/1.1" 200 1"#),
            Line::Status(200)
        );
    }

    #[test]
    fn odd_requests() {
        assert_eq!(status(r#"h - - [t] "-" 400 0 "-" "-""#), Line::Status(400));
        assert_eq!(status(r#"h - - [t] "" 400 0"#), Line::Status(400));
        assert_eq!(
            status(r#"h - - [t] "GET /a b c d HTTP/1.1" 404 0"#),
            Line::Status(404)
        );
        assert_eq!(
            status(r#"h - - [t] "GET /\"x\" HTTP/1.1" 200 0"#),
            Line::Status(200)
        );
        assert_eq!(status(r#"h - - [t] "GET /x\\" 200 0"#), Line::Status(200));
        assert_eq!(
            status(r#"h - - [t] "GET /x\\\" 1 \\" 201 0"#),
            Line::Status(201)
        );
        assert_eq!(
            status(r#"h - - [t] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-""#),
            Line::Status(400)
        );
        assert_eq!(
            status(r#"h - - [t] "GET /\x22q\x22 HTTP/1.1" 200 0"#),
            Line::Status(200)
        );
        assert_eq!(status("h - - [t] \"G\0\u{7f}\" 499 0"), Line::Status(499));
    }

    #[test]
    fn statuses() {
        assert_eq!(status(r#"h - - [t] "GET /" 000 0"#), Line::Status(0));
        assert_eq!(status(r#"h - - [t] "GET /" - 0"#), Line::NoStatus);
        assert_eq!(status(r#"h - - [t] "GET /" 1000 0"#), Line::Malformed);
        assert_eq!(status(r#"h - - [t] "GET /" abc 0"#), Line::Malformed);
        assert_eq!(status(r#"h - - [t] "GET /" 200"#), Line::Status(200));
        assert_eq!(status(r#"h - - [t] "GET /"  200  0"#), Line::Status(200));
    }

    #[test]
    fn broken_lines_are_malformed_not_panics() {
        for l in [
            "",
            "[",
            "]",
            "[]",
            "[] \"",
            "[t] \"unterminated",
            "[t] \"req\"",
            "[t] \"req\"x 200",
            "h - - [t] GET / 200",
            "\\\"\\",
            "[t] \"\\\"",
        ] {
            assert_eq!(status(l), Line::Malformed, "{l:?}");
        }
    }

    /// The fast paths (per line in `locate`, bitmaps in `count_chunk`) must
    /// agree with the general rule on every line they accept.
    #[test]
    fn fast_paths_agree_with_the_general_rule() {
        let mut lines = Vec::new();
        for ts in [
            "[10/Oct/2000:13:55:36 -0700]",
            "[2024-03-12T08:00:00.123Z]",
            "[x]",
        ] {
            for req in [
                r#""GET / HTTP/1.1""#,
                r#""""#,
                r#""a\"b""#,
                r#""a\\" "#,
                r#""x\\\"y""#,
                r#""-""#,
            ] {
                for tail in [
                    " 200 1", " 200", " 2000 1", " 20 1", " - 1", " 404\t1", "", " abc", "  301 1",
                ] {
                    for client in ["1.2.3.4 - -", "", "[::1] - -", "h ] -", "\"q\" - -"] {
                        lines.push(format!("{client} {ts} {req}{tail}"));
                    }
                }
            }
        }
        let mut chunk = Vec::new();
        let mut want = Counts::default();
        for l in &lines {
            assert_eq!(locate(l.as_bytes()), locate_general(l.as_bytes()), "{l}");
            chunk.extend_from_slice(l.as_bytes());
            chunk.extend_from_slice(b"\r\n");
            match Clf.classify(l.as_bytes()) {
                Line::Status(c) => want.codes[c as usize] += 1,
                Line::NoStatus => want.no_status += 1,
                Line::Malformed => want.malformed += 1,
                other => unreachable!("CLF lines are never {other:?}"),
            }
        }
        let mut got = Counts::default();
        let mut sink = Sink::new(&mut got, false);
        count_chunk(&chunk, &mut sink);
        assert_eq!(sink.lines, lines.len() as u64);
        assert_eq!(got, want);
    }

    fn flavor(sample: &[u8]) -> Option<Flavor> {
        crate::format::Sample::new(sample).clf_flavor()
    }

    #[test]
    fn detects_flavors() {
        let c = b"1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1\n";
        let cb = b"1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1 \"-\" \"ua\"\n";
        let v = b"ex.com:80 1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1 \"-\" \"ua\"\n";
        let vc = b"ex.com 1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1\n";
        assert_eq!(flavor(c), Some(Flavor::Common));
        assert_eq!(flavor(cb), Some(Flavor::Combined));
        assert_eq!(flavor(v), Some(Flavor::VhostCombined));
        assert_eq!(flavor(vc), Some(Flavor::VhostCommon));
        assert_eq!(flavor(b"{\"status\":200}\n"), None);
        assert_eq!(flavor(b""), None);
    }

    /// A sample that ends inside a long line is judged without that line:
    /// one whole 40 KB Combined line and the start of the next one.
    #[test]
    fn the_cut_off_last_line_of_a_sample_is_not_judged() {
        let agent = "a".repeat(40 << 10);
        let line = format!(
            "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1 \"-\" \"{agent}\"\n"
        );
        let sample = format!("{line}{line}");
        let cut = &sample.as_bytes()[..64 << 10];
        assert_eq!(flavor(cut), Some(Flavor::Combined));
        let f = crate::format::detect(cut, &Default::default()).unwrap();
        assert_eq!(f.name(), "combined");
    }
}
