//! W3C extended log files (IIS, space-separated) and CloudFront standard logs
//! (the same directives, tab-separated data lines).
//!
//! The layout is declared by `#Fields:` directives, which IIS repeats every
//! time the worker restarts and which may change mid-file, so the extractor
//! keeps the latest layout as state (and the engine feeds it lines in order,
//! see [`super::AnyExtractor::sequential`]). A data line whose field count
//! differs from its header's is malformed: reading "column N" of a line with
//! a different shape would count whatever happens to sit there.
//!
//! Lines without a `#Fields:` directive before them (`grep -v '^#'`, `tail`,
//! lines shipped one by one) can still be read when their shape is one of a
//! few layouts nobody has to declare: IIS's default field sets and
//! CloudFront's fixed column order ([`LAYOUTS`]). Detection assumes such a
//! layout only when most lines fit it field by field ([`assume`]); the
//! report then says so. A `#Fields:` directive later in the input replaces
//! the assumed layout as any directive replaces the one before.

use crate::bytes::{block_mask, field_span, nth_bit, prefix_xor};
use crate::lines::{Extractor, Line, status_token};
use crate::time::{Clock, Stamp};

/// A field layout assumed for lines that no `#Fields:` directive declares.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// The name after `:` in a format's name (`w3c:iis-8.5`).
    pub name: &'static str,
    /// What writes it, for the report's note and README.
    pub what: &'static str,
    /// The field separator: `b' '` for IIS, `b'\t'` for CloudFront.
    pub sep: u8,
    /// The field names, as a `#Fields:` directive would list them.
    pub fields: &'static str,
    /// Field counts a line may have: the whole list's first, then those of
    /// earlier versions that wrote a prefix of it (CloudFront only ever
    /// appended columns).
    pub counts: &'static [usize],
}

impl Layout {
    /// The 0-based column of `sc-status`.
    fn status(&self) -> usize {
        self.fields
            .split(' ')
            .position(|name| name == "sc-status")
            .expect("every assumed layout has sc-status")
    }
}

/// The layouts read without a `#Fields:` directive, in the order detection
/// tries them.
pub static LAYOUTS: [Layout; 4] = [
    Layout {
        name: "iis-8.5",
        what: "IIS 8.5 and later default fields",
        sep: b' ',
        fields: "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
        counts: &[15],
    },
    Layout {
        name: "iis-7",
        what: "IIS 7 to 8 default fields",
        sep: b' ',
        fields: "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken",
        counts: &[14],
    },
    Layout {
        name: "iis-6",
        what: "IIS 6 default fields",
        sep: b' ',
        fields: "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status",
        counts: &[14],
    },
    Layout {
        name: "standard",
        what: "CloudFront standard log columns",
        sep: b'\t',
        fields: "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end",
        counts: &[33, 26, 24],
    },
];

/// The assumed layout of that name for separator `sep`.
pub fn layout_named(sep: u8, name: &str) -> Option<&'static Layout> {
    LAYOUTS.iter().find(|l| l.sep == sep && l.name == name)
}

/// The W3C extractor. `sep` is `b' '` for IIS and `b'\t'` for CloudFront.
#[derive(Clone, Debug)]
pub struct W3c {
    sep: u8,
    /// 0-based column of `sc-status` in the latest `#Fields:`; `None` before
    /// any header, or when the header has no `sc-status` column.
    status: Option<usize>,
    /// Number of columns the latest header declares.
    fields: usize,
    /// The names of the latest `#Fields:` (or of the assumed layout).
    names: Vec<u8>,
    /// Where those names have the date and the time, once a time is asked
    /// for: found on first use, so a scan without a time option does not
    /// pay for it at each directive (IIS repeats them at every restart).
    times: Option<TimeColumns>,
    /// The layout assumed until the first `#Fields:`, if any.
    assumed: Option<&'static Layout>,
    /// Where they have the fields `--top` reads, once one is asked for.
    named: Option<FieldColumns>,
}

impl W3c {
    pub fn new(sep: u8) -> Self {
        W3c {
            sep,
            status: None,
            fields: 0,
            names: Vec::new(),
            times: None,
            assumed: None,
            named: None,
        }
    }

    /// Reads lines by `layout` until a `#Fields:` directive says otherwise.
    pub fn assuming(layout: &'static Layout) -> Self {
        W3c {
            sep: layout.sep,
            status: Some(layout.status()),
            fields: layout.counts[0],
            names: layout.fields.as_bytes().to_vec(),
            times: None,
            assumed: Some(layout),
            named: None,
        }
    }

    /// Takes the layout of a `#Fields:` directive (names are separated by
    /// spaces in both IIS and CloudFront headers; tabs are accepted too).
    fn set_fields(&mut self, names: &[u8]) {
        (self.fields, self.status) = layout(names);
        self.names.clear();
        self.names.extend_from_slice(names);
        self.times = None;
        self.assumed = None;
        self.named = None;
    }
}

/// Column count of a `#Fields:` directive's names and the 0-based column of
/// its first `sc-status`.
///
/// IIS repeats the directive block at every worker restart, so in a real log
/// (and in the benchmark's fixture) directives are a noticeable share of the
/// lines. Splitting them a byte at a time costs more than counting all the
/// data lines; here separators become one bitmap per 64 bytes and only the
/// first byte of each name is looked at, unless it starts like `sc-status`.
fn layout(names: &[u8]) -> (usize, Option<usize>) {
    const STATUS: &[u8] = b"sc-status";
    let mut fields = 0usize;
    let mut status = None;
    // Bit 0 of the carry: the byte before this block was a separator (the
    // start of the names counts as one).
    let mut carry = 1u64;
    let mut base = 0;
    while base < names.len() {
        let rest = &names[base..];
        let valid = match rest.len() {
            n if n >= 64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        let sep = (block_mask(rest, b' ') | block_mask(rest, b'\t')) & valid;
        let mut starts = !sep & valid & ((sep << 1) | carry);
        carry = sep >> 63;
        while starts != 0 {
            let at = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if status.is_none()
                && names[at..].starts_with(STATUS)
                && matches!(names.get(at + STATUS.len()), None | Some(b' ' | b'\t'))
            {
                status = Some(fields);
            }
            fields += 1;
        }
        base += 64;
    }
    (fields, status)
}

impl Extractor for W3c {
    const SEQUENTIAL: bool = true;

    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        // IIS logs saved by Windows tools may start with a byte-order mark.
        let line = match line.strip_prefix(super::UTF8_BOM) {
            Some(rest) if !rest.is_empty() => rest,
            _ => line,
        };
        if line[0] == b'#' {
            if let Some(names) = line.strip_prefix(b"#Fields:") {
                self.set_fields(names);
            }
            return Line::Skipped;
        }
        let Some(col) = self.status else {
            return Line::Malformed;
        };
        let (separators, span) = field_span(line, self.sep, col);
        if let Some((a, b)) = span
            && separators + 1 == self.fields
        {
            match status_token(&line[a..b]) {
                Line::Malformed => {}
                read => return read,
            }
        }
        tokenized_status(line, self.sep, col, self.fields, self.assumed)
    }

    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let names = &self.names;
        let times = *self.times.get_or_insert_with(|| time_columns(names));
        self.stamp(line, times, clock)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let names = &self.names;
        let columns = *self.named.get_or_insert_with(|| field_columns(names));
        self.named_field(line, &columns, want.field, buf)
    }
}

/// The status of a data line that one separator per field did not read,
/// read again as the W3C draft defines fields: separated by runs of
/// whitespace, a string field quoted (`"..."`, a quote inside doubled) and
/// free to hold spaces. IIS's own logging writes one space per separator and
/// no quotes, which the plain split reads; other writers do not: IIS Advanced
/// Logging and Incapsula quote fields (Incapsula its `sc-status` too), Oracle
/// Web Cache aligns columns with runs of spaces. Only lines the plain split
/// did not read come here, so an IIS line it read is never read otherwise
/// (a raw quote in a scanner's query string changes nothing), and the plain
/// split's speed is kept for every line that has it.
///
/// Lines read by an assumed layout may also have the field count of an
/// earlier version of it (CloudFront's older logs).
#[cold]
#[inline(never)]
fn tokenized_status(
    line: &[u8],
    sep: u8,
    col: usize,
    fields: usize,
    assumed: Option<&Layout>,
) -> Line {
    let split = split_by_bitmaps(line, sep, col).unwrap_or_else(|| split_walked(line, sep, col));
    let count = |n: usize| n == fields || assumed.is_some_and(|l| l.counts[1..].contains(&n));
    match split {
        // An empty quoted field: the writer had no status to log.
        (n, Some(b"\"\"")) if count(n) => Line::NoStatus,
        (n, Some(tok)) if count(n) => status_token(unquoted(tok)),
        _ => Line::Malformed,
    }
}

/// The number of fields of `line` and field `col`, as [`tokenized_status`]
/// splits them, one field at a time: the reference for
/// [`split_by_bitmaps`], and the reading of lines whose quotes it cannot
/// place. A field that starts with `"` runs at least to the quote that
/// closes it, `""` being a quote inside; without a closing quote it runs to
/// the end of the line.
fn split_walked(line: &[u8], sep: u8, col: usize) -> (usize, Option<&[u8]>) {
    let mut field = None;
    let mut n = 0usize;
    let mut p = 0usize;
    loop {
        while line.get(p) == Some(&sep) {
            p += 1;
        }
        if p >= line.len() {
            return (n, field);
        }
        let mut q = p;
        if line[p] == b'"' {
            q += 1;
            loop {
                match memchr::memchr(b'"', &line[q..]) {
                    Some(i) if line.get(q + i + 1) == Some(&b'"') => q += i + 2,
                    Some(i) => {
                        q += i + 1;
                        break;
                    }
                    None => {
                        q = line.len();
                        break;
                    }
                }
            }
        }
        let end = memchr::memchr(sep, &line[q..]).map_or(line.len(), |i| q + i);
        if n == col {
            field = Some(&line[p..end]);
        }
        n += 1;
        p = end;
    }
}

/// [`split_walked`] from bitmaps of separators and quotes, 64 bytes at a
/// time, as the plain split is read: the bytes inside quotes are a prefix
/// XOR of the quotes. That holds while every quote that opens a string by
/// that count follows a separator, the line's start or a quote (the one it
/// doubles); `None` for a line with one that does not, for the walk to read.
/// Quotes that close a string need no check: the walk reads the bytes after
/// one up to the next separator as the same field, as the bitmaps do, and
/// the first quote among them opens a string by the count and follows a
/// byte that is neither separator nor quote, so the check above sends the
/// line to the walk.
///
/// Quoting writers quote every line, so this is their per-line cost: about
/// a plain line's, where the walk's searches per field cost several times
/// that.
fn split_by_bitmaps(line: &[u8], sep: u8, col: usize) -> Option<(usize, Option<&[u8]>)> {
    let mut n = 0usize;
    let (mut start, mut end) = (None, None);
    // Carried from block to block: all ones when the block starts inside
    // quotes; bit 0 set when the byte before it is a separator or a quote,
    // and when it is a separator outside quotes (the line's start is both).
    let mut inside = 0u64;
    let (mut before_sq, mut before_sep) = (1u64, 1u64);
    for base in (0..line.len()).step_by(64) {
        let rest = &line[base..];
        let seps = block_mask(rest, sep);
        let quotes = block_mask(rest, b'"');
        let valid = if rest.len() >= 64 {
            u64::MAX
        } else {
            (1 << rest.len()) - 1
        };
        let within = prefix_xor(quotes) ^ inside;
        inside = 0u64.wrapping_sub(within >> 63);
        let sq = seps | quotes;
        if quotes & within & !((sq << 1) | before_sq) != 0 {
            return None;
        }
        let outside = seps & !within;
        let starts = !outside & valid & ((outside << 1) | before_sep);
        let c = starts.count_ones() as usize;
        if start.is_none() && col < n + c {
            start = Some(base + nth_bit(starts, col - n));
        }
        if let Some(s) = start
            && end.is_none()
        {
            let from = outside & (u64::MAX << s.saturating_sub(base));
            if from != 0 {
                end = Some(base + from.trailing_zeros() as usize);
            }
        }
        n += c;
        before_sq = sq >> 63;
        before_sep = outside >> 63;
    }
    Some((n, start.map(|s| &line[s..end.unwrap_or(line.len())])))
}

/// A field without the quotes around it (`"200"`), if it has them.
fn unquoted(field: &[u8]) -> &[u8] {
    match field {
        [b'"', inner @ .., b'"'] => inner,
        _ => field,
    }
}

/// The 0-based columns of the date and the time in a `#Fields:` layout:
/// `date` and `time` (UTC, as IIS and CloudFront write them), or IIS
/// Advanced Logging's `date-local` and `time-local` (local time).
#[derive(Clone, Copy, Debug, Default)]
struct TimeColumns {
    date: Option<usize>,
    time: Option<usize>,
    local: bool,
}

fn time_columns(names: &[u8]) -> TimeColumns {
    let names: Vec<&[u8]> = names
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
        .collect();
    let at = |n: &[u8]| names.iter().position(|m| m.eq_ignore_ascii_case(n));
    match (at(b"date"), at(b"time")) {
        (Some(d), Some(t)) => TimeColumns {
            date: Some(d),
            time: Some(t),
            local: false,
        },
        _ => TimeColumns {
            date: at(b"date-local"),
            time: at(b"time-local"),
            local: true,
        },
    }
}

impl W3c {
    /// Field `col` of a data line, split as [`Extractor::classify`] split
    /// it: one separator per field when the count fits the header, else as
    /// the W3C draft tokenizes (quotes, runs of blanks).
    fn field<'l>(&self, line: &'l [u8], col: usize) -> Option<&'l [u8]> {
        // An assumed layout also takes the field counts of its earlier
        // versions, as `tokenized_status` does.
        let count =
            |n: usize| n == self.fields || self.assumed.is_some_and(|l| l.counts.contains(&n));
        match field_span(line, self.sep, col) {
            (n, Some((a, b))) if count(n + 1) => Some(&line[a..b]),
            _ => match split_walked(line, self.sep, col) {
                (n, Some(f)) if count(n) => Some(unquoted(f)),
                _ => None,
            },
        }
    }

    /// The time of a data line: its date and time fields, in UTC as the
    /// W3C draft (and IIS, and CloudFront) writes them, or local time.
    fn stamp(&self, line: &[u8], times: TimeColumns, clock: &mut Clock) -> Option<Stamp> {
        let line = line.strip_prefix(super::UTF8_BOM).unwrap_or(line);
        let (d, t) = (times.date?, times.time?);
        let (date, time) = (self.field(line, d)?, self.field(line, t)?);
        let mut buf = [0u8; 40];
        let n = date.len() + 1 + time.len();
        if date.len() != 10 || n > buf.len() {
            return None;
        }
        buf[..10].copy_from_slice(date);
        buf[10] = b'T';
        buf[11..n].copy_from_slice(time);
        if times.local {
            clock.iso(&buf[..n])
        } else {
            clock.iso_utc(&buf[..n])
        }
    }
}

/// The layout of [`LAYOUTS`] with separator `sep` that most of `lines` fit
/// field by field ([`fits`]), if one does: how detection reads lines that no
/// `#Fields:` directive declares.
pub fn assume(lines: &[&[u8]], sep: u8) -> Option<&'static Layout> {
    LAYOUTS.iter().filter(|l| l.sep == sep).find(|l| {
        let n = lines.iter().filter(|line| fits(l, line)).count();
        n * 2 > lines.len()
    })
}

/// [`assume`] for the lines before the first directive (all of them when
/// there is none): a `tail` of a log cuts its `#Fields:` off, and the
/// directives that come later (a worker restart) name their own layout.
pub fn assume_before_directives(lines: &[&[u8]], sep: u8) -> Option<&'static Layout> {
    let before = lines
        .iter()
        .position(|l| l.first() == Some(&b'#'))
        .unwrap_or(lines.len());
    assume(&lines[..before], sep)
}

/// Whether `line` has one of the field counts of `layout` and each field the
/// shape its name says: a date, a time, an address, a method, a port, a site
/// (`W3SVC1`), a status. Field counts alone would take any line with that
/// many spaces for a W3C record.
pub fn fits(layout: &Layout, line: &[u8]) -> bool {
    // Every layout starts with `date time`: most lines of other formats
    // fail here, before their fields are counted.
    if line.get(4) != Some(&b'-') || line.get(10) != Some(&layout.sep) {
        return false;
    }
    let n = line.split(|&b| b == layout.sep).count();
    if !layout.counts.contains(&n) {
        return false;
    }
    let digits = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_digit);
    layout
        .fields
        .split(' ')
        .zip(line.split(|&b| b == layout.sep))
        .all(|(name, t)| match name {
            "date" => {
                t.len() == 10
                    && t[4] == b'-'
                    && t[7] == b'-'
                    && digits(&t[..4])
                    && digits(&t[5..7])
                    && digits(&t[8..])
            }
            "time" => {
                t.len() >= 8 && t[2] == b':' && t[5] == b':' && digits(&t[..2]) && digits(&t[3..5])
            }
            "s-ip" | "c-ip" => {
                t.iter().any(|&b| b == b'.' || b == b':')
                    && t.iter()
                        .all(|&b| b.is_ascii_hexdigit() || b".:%".contains(&b))
            }
            "cs-method" => !t.is_empty() && t.iter().all(|&b| b.is_ascii_uppercase() || b == b'-'),
            "s-port" => digits(t),
            "s-sitename" => t.strip_prefix(b"W3SVC").is_some_and(digits),
            "sc-status" => status_token(t) != Line::Malformed,
            _ => true,
        })
}

/// Which W3C variant a sample is, if it has a `#Fields:` directive: the first
/// data line after it decides the separator (tabs: CloudFront). With no data
/// line yet, CloudFront's `x-edge-` columns decide.
pub fn detect_sep(lines: &[&[u8]]) -> Option<u8> {
    let h = lines.iter().position(|l| l.starts_with(b"#Fields:"))?;
    let header = lines[h];
    match lines[h + 1..].iter().find(|l| !l.starts_with(b"#")) {
        Some(data) if data.contains(&b'\t') => Some(b'\t'),
        Some(_) => Some(b' '),
        None if header.windows(7).any(|w| w == b"x-edge-") => Some(b'\t'),
        None => Some(b' '),
    }
}

/// The 0-based columns of the fields `--top` reads in a `#Fields:` layout
/// (names in any case).
#[derive(Clone, Copy, Debug, Default)]
struct FieldColumns {
    stem: Option<usize>,
    query: Option<usize>,
    uri: Option<usize>,
    method: Option<usize>,
    protocol: Option<usize>,
    host: Option<usize>,
    client: Option<usize>,
    agent: Option<usize>,
    referer: Option<usize>,
    bytes: Option<usize>,
}

fn field_columns(names: &[u8]) -> FieldColumns {
    let mut c = FieldColumns::default();
    let names = names
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty());
    // The first column of each name; CloudFront's `cs(Host)` is its own
    // domain, so its `x-host-header` (the request's Host) comes first.
    let mut host = (None, None);
    for (i, n) in names.enumerate() {
        let is = |w: &str| n.eq_ignore_ascii_case(w.as_bytes());
        let slot = if is("cs-uri-stem") {
            &mut c.stem
        } else if is("cs-uri-query") {
            &mut c.query
        } else if is("cs-uri") {
            &mut c.uri
        } else if is("cs-method") {
            &mut c.method
        } else if is("cs-version") || is("cs-protocol-version") {
            &mut c.protocol
        } else if is("x-host-header") {
            &mut host.0
        } else if is("cs(Host)") || is("cs-host") {
            &mut host.1
        } else if is("c-ip") {
            &mut c.client
        } else if is("cs(User-Agent)") {
            &mut c.agent
        } else if is("cs(Referer)") || is("cs(Referrer)") {
            &mut c.referer
        } else if is("sc-bytes") {
            &mut c.bytes
        } else {
            continue;
        };
        slot.get_or_insert(i);
    }
    c.host = host.0.or(host.1);
    c
}

impl W3c {
    /// Field `f` of a data line, from the column the latest `#Fields:`
    /// gives it; the URL is `cs-uri-stem` and `?cs-uri-query` (written into
    /// `buf`), or `cs-uri`.
    fn named_field<'a>(
        &self,
        line: &'a [u8],
        c: &FieldColumns,
        f: crate::top::Field,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        use crate::top::Field;
        let line = line.strip_prefix(super::UTF8_BOM).unwrap_or(line);
        let col = |i: Option<usize>| {
            self.field(line, i?)
                .map(unquoted)
                .filter(|v| !v.is_empty() && *v != b"-")
        };
        match f {
            Field::Path => match col(c.stem) {
                Some(stem) => Some(stem),
                None => super::fields::path(col(c.uri)?),
            },
            Field::Url => {
                let Some(stem) = col(c.stem) else {
                    return col(c.uri);
                };
                match col(c.query) {
                    Some(q) => {
                        buf.extend_from_slice(stem);
                        buf.push(b'?');
                        buf.extend_from_slice(q);
                        Some(&buf[..])
                    }
                    None => Some(stem),
                }
            }
            Field::Method => col(c.method),
            Field::Protocol => col(c.protocol),
            Field::Host => col(c.host),
            Field::Client => col(c.client),
            Field::Agent => col(c.agent),
            Field::Referer => col(c.referer),
            Field::Bytes => col(c.bytes),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain split [`layout`] must agree with.
    fn layout_by_split(names: &[u8]) -> (usize, Option<usize>) {
        let mut n = 0;
        let mut status = None;
        for name in names
            .split(|&b| b == b' ' || b == b'\t')
            .filter(|t| !t.is_empty())
        {
            if name == b"sc-status" && status.is_none() {
                status = Some(n);
            }
            n += 1;
        }
        (n, status)
    }

    proptest::proptest! {
        #[test]
        fn layout_is_the_split(names in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(" ".to_string()),
                proptest::strategy::Just("\t".to_string()),
                proptest::strategy::Just("sc-status".to_string()),
                proptest::strategy::Just("sc-statusx".to_string()),
                proptest::strategy::Just("date".to_string()),
                "[a-z( )-]{0,12}",
            ],
            0..40,
        )) {
            let names = names.concat();
            proptest::prop_assert_eq!(layout(names.as_bytes()), layout_by_split(names.as_bytes()));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn bitmaps_split_as_the_walk(
            line in proptest::collection::vec(
                proptest::sample::select(b"  \"\"ab".to_vec()), 0..200),
            col in 0usize..12,
        ) {
            if let Some(split) = split_by_bitmaps(&line, b' ', col) {
                proptest::prop_assert_eq!(split, split_walked(&line, b' ', col));
            }
        }

        #[test]
        fn bitmaps_read_quoting_writers_lines(
            fields in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z0-9-]{1,9}",
                    "\"[a-z ()]{0,70}\"",
                    "\"a \"\"q\"\" b\"",
                ],
                1..20,
            ),
            gaps in proptest::collection::vec(1usize..4, 20),
            col in 0usize..20,
        ) {
            let mut line = String::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    line.push_str(&" ".repeat(gaps[i]));
                }
                line.push_str(f);
            }
            let want = (fields.len(), fields.get(col).map(|f| f.as_bytes()));
            proptest::prop_assert_eq!(split_by_bitmaps(line.as_bytes(), b' ', col), Some(want));
            proptest::prop_assert_eq!(split_walked(line.as_bytes(), b' ', col), want);
        }
    }

    fn run(sep: u8, lines: &[&str]) -> Vec<Line> {
        let mut w = W3c::new(sep);
        lines.iter().map(|l| w.classify(l.as_bytes())).collect()
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_directive() {
        let got = run(b' ', &["\u{feff}#Fields: date sc-status", "2020-01-01 404"]);
        assert_eq!(got, vec![Line::Skipped, Line::Status(404)]);
        let sample = "\u{feff}#Fields: date sc-status\n2020-01-01 404\n";
        let f = crate::format::detect(sample.as_bytes(), &Default::default()).unwrap();
        assert_eq!(f.name(), "w3c");
    }

    #[test]
    fn reads_the_latest_header() {
        let got = run(
            b' ',
            &[
                "#Software: IIS",
                "#Fields: date time cs-uri-stem sc-status",
                "2020-01-01 00:00:00 / 200",
                "#Fields: date sc-status time",
                "2020-01-01 404 00:00:00",
                "2020-01-01 00:00:00 / 200",
            ],
        );
        assert_eq!(
            got,
            [
                Line::Skipped,
                Line::Skipped,
                Line::Status(200),
                Line::Skipped,
                Line::Status(404),
                Line::Malformed,
            ]
        );
    }

    #[test]
    fn data_before_header_or_without_status_column_is_malformed() {
        let got = run(
            b' ',
            &["a b 200", "#Fields: a b c", "a b 200", "#Version: 1.0"],
        );
        assert_eq!(
            got,
            [
                Line::Malformed,
                Line::Skipped,
                Line::Malformed,
                Line::Skipped
            ]
        );
    }

    #[test]
    fn cloudfront_tabs_and_000() {
        let got = run(
            b'\t',
            &[
                "#Version: 1.0",
                "#Fields: date time sc-status cs-uri-stem",
                "2020-01-01\t00:00:00\t000\t/a b",
                "2020-01-01\t00:00:00\t502\t/",
                "2020-01-01 00:00:00 200 /",
                "2020-01-01\t00:00:00\t-\t/",
            ],
        );
        assert_eq!(
            got,
            [
                Line::Skipped,
                Line::Skipped,
                Line::Status(0),
                Line::Status(502),
                Line::Malformed,
                Line::NoStatus,
            ]
        );
    }

    #[test]
    fn quoted_fields_and_runs_of_spaces() {
        let got = run(
            b' ',
            &[
                "#Fields:   date   c-ip cs(User-Agent) sc-status sc-substatus time-taken",
                r#"2020-01-01 "192.0.2.1" "Mozilla/5.0 (X11; Linux)" 200 0 5"#,
                r#"2020-01-01 - "a ""quoted"" word" 301 " "" w/ spaces " 1"#,
                // Every field quoted, the status too; empty fields as `""`.
                r#""2020-01-01" "" "agent" "404" "" "1""#,
                r#""2020-01-01" "" "agent" "" "" "1""#,
                // Columns aligned with runs of spaces.
                r#"2020-01-01    192.0.2.1   "a b"   302   0     7  "#,
                // A raw quote inside an unquoted field, on a line the plain
                // split reads: the plain split stands.
                r#"2020-01-01 - x="y 503 0 1"#,
                // Unterminated: the rest of the line is one field.
                r#"2020-01-01 - "never closed 200 0 1"#,
                r#"2020-01-01 - "two" "fields" 200 0 1"#,
                "2020-01-01 - agent 200 0",
            ],
        );
        assert_eq!(
            got,
            [
                Line::Skipped,
                Line::Status(200),
                Line::Status(301),
                Line::Status(404),
                Line::NoStatus,
                Line::Status(302),
                Line::Status(503),
                Line::Malformed,
                Line::Malformed,
                Line::Malformed,
            ]
        );
    }

    #[test]
    fn headerless_lines_by_an_assumed_layout_until_a_directive() {
        let iis = "2024-03-12 08:00:00 10.0.0.5 GET /a q=1 443 - 203.0.113.7 Mozilla/5.0+(X11) - 404 0 0 12";
        let iis7 = "2024-03-12 08:00:00 10.0.0.5 GET /a - 80 - ::1 curl/8 503 0 0 3";
        let iis6 = "2024-03-12 08:00:00 W3SVC1 10.0.0.5 GET /a - 80 - 203.0.113.7 curl/8 302 0 0";
        let l85 = layout_named(b' ', "iis-8.5").unwrap();
        let l7 = layout_named(b' ', "iis-7").unwrap();
        let l6 = layout_named(b' ', "iis-6").unwrap();
        assert!(fits(l85, iis.as_bytes()) && !fits(l7, iis.as_bytes()));
        assert!(fits(l7, iis7.as_bytes()) && !fits(l6, iis7.as_bytes()));
        assert!(fits(l6, iis6.as_bytes()) && !fits(l7, iis6.as_bytes()));
        assert_eq!(assume(&[iis.as_bytes()], b' '), Some(l85));
        assert_eq!(assume(&[iis6.as_bytes()], b' '), Some(l6));
        assert_eq!(assume(&[iis.as_bytes()], b'\t'), None);
        assert_eq!(assume(&[b"a b c d e f g h i j k l m n o"], b' '), None);
        let mut w = W3c::assuming(l85);
        assert_eq!(w.classify(iis.as_bytes()), Line::Status(404));
        assert_eq!(w.classify(iis7.as_bytes()), Line::Malformed);
        assert_eq!(w.classify(b"#Fields: date sc-status"), Line::Skipped);
        assert_eq!(w.classify(iis.as_bytes()), Line::Malformed);
        assert_eq!(w.classify(b"2024-03-12 200"), Line::Status(200));
    }

    #[test]
    fn headerless_cloudfront_of_every_column_count() {
        let full = "2024-03-12\t08:00:00\tLHR62-C2\t512\t203.0.113.7\tGET\td1.cloudfront.net\t/a\t502\t-\tcurl/8\t-\t-\tError\tid==\tex.org\thttps\t100\t0.1\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tError\tHTTP/2.0\t-\t-\t443\t0.1\tError\ttext/html\t512\t-\t-";
        let cols: Vec<&str> = full.split('\t').collect();
        assert_eq!(cols.len(), 33);
        let l = layout_named(b'\t', "standard").unwrap();
        let mut w = W3c::assuming(l);
        for n in [33, 26, 24] {
            let line = cols[..n].join("\t");
            assert!(fits(l, line.as_bytes()), "{n}");
            assert_eq!(w.classify(line.as_bytes()), Line::Status(502), "{n}");
        }
        let line = cols[..25].join("\t");
        assert!(!fits(l, line.as_bytes()));
        assert_eq!(w.classify(line.as_bytes()), Line::Malformed);
    }

    #[test]
    fn an_empty_quoted_status_is_no_status() {
        let got = run(
            b' ',
            &[
                "#Fields: date sc-status time-taken",
                r#""2020-01-01" "" "1""#,
                r#""2020-01-01" "-" "1""#,
                r#""2020-01-01" " " "1""#,
            ],
        );
        assert_eq!(
            got,
            [
                Line::Skipped,
                Line::NoStatus,
                Line::NoStatus,
                Line::Malformed
            ]
        );
    }

    #[test]
    fn status_in_last_column() {
        let got = run(b' ', &["#Fields: c-ip sc-status", "::1%0 301", "::1%0 "]);
        assert_eq!(got, [Line::Skipped, Line::Status(301), Line::Malformed]);
    }

    #[test]
    fn separator_detection() {
        let iis: Vec<&[u8]> = vec![b"#Fields: a sc-status", b"x 200"];
        let cf: Vec<&[u8]> = vec![b"#Version: 1.0", b"#Fields: a sc-status", b"x\t200"];
        let cf_hdr: Vec<&[u8]> = vec![b"#Fields: x-edge-location sc-status"];
        assert_eq!(detect_sep(&iis), Some(b' '));
        assert_eq!(detect_sep(&cf), Some(b'\t'));
        assert_eq!(detect_sep(&cf_hdr), Some(b'\t'));
        assert_eq!(detect_sep(&[b"x 200"]), None);
    }
}
