//! Wrappers: access lines carried inside another line, as container
//! runtimes, log shippers and `docker compose` / `kubectl` / `journalctl`
//! write them.
//!
//! A wrapper is a preset row ([`super::Detect::Wrapper`]) whose format has an
//! inner format as its parameter: `cri+combined` is a Combined log whose
//! lines each carry a CRI prefix. The [`Wrapped`] extractor takes each line's
//! inner line (strips the prefix, or reads a JSON envelope's string member,
//! unescaping it into a buffer it keeps and reuses) and hands it to the
//! inner format's extractor: an Envoy or nginx line inside JSON counts as
//! that line would on its own. A line without the wrapper's shape is
//! malformed; an envelope without the member is a record that is not a
//! request (skipped), as a JSON object without the status key is.
//!
//! Detection tries a wrapper when most of the sample's lines have its shape,
//! and names it only when it changes the reading: if the wrapped lines are
//! detected as the inner format anyway (HAProxy reads a syslog header
//! itself), the plain format is named.

use super::{AnyExtractor, Format, FormatOptions, Param, Preset, Sample, json};
use crate::lines::{Extractor, Line, is_blank};
use crate::time::{Clock, Stamp};
use crate::top::Wanted;

/// How a wrapper finds the line it carries.
#[derive(Clone, Copy)]
pub enum Unwrap {
    /// A JSON object whose top-level string member with this key holds the
    /// line (escaped, often with its `\n`).
    Envelope(&'static [u8]),
    /// A prefix: the function returns where the inner line starts, or
    /// `None` for a line without the prefix.
    Prefix(fn(&[u8]) -> Option<usize>),
}

impl std::fmt::Debug for Unwrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unwrap::Envelope(k) => write!(f, "Envelope({})", String::from_utf8_lossy(k)),
            Unwrap::Prefix(_) => f.write_str("Prefix"),
        }
    }
}

/// An inner line without its final `\n` or `\r\n` (an envelope's string keeps the
/// one the program wrote).
fn without_line_end(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Docker's json-file driver, Fluent Bit and Fluentd records: `{"log":…}`.
pub const DOCKER_JSON: Unwrap = Unwrap::Envelope(b"log");
/// Elastic Agent / Filebeat / Logstash and other shippers' documents:
/// `{"message":…}`.
pub const JSON_MESSAGE: Unwrap = Unwrap::Envelope(b"message");
/// The CRI log format (containerd, CRI-O: Kubernetes node logs).
pub const CRI: Unwrap = Unwrap::Prefix(cri);
/// `docker compose logs`: `name  | `.
pub const COMPOSE: Unwrap = Unwrap::Prefix(compose);
/// `kubectl logs --prefix`: `[pod/NAME/CONTAINER] `.
pub const KUBECTL: Unwrap = Unwrap::Prefix(kubectl);
/// An RFC 3339 time: `kubectl logs --timestamps`, `docker logs -t`,
/// `docker compose logs -t` (inside the service prefix).
pub const TIMESTAMPS: Unwrap = Unwrap::Prefix(timestamps);
/// A syslog header (`journalctl`'s short formats, rsyslog files, nginx's
/// `access_log syslog:`).
pub const SYSLOG: Unwrap = Unwrap::Prefix(syslog);

impl Unwrap {
    /// The line `line` carries, without a final `\n` (envelopes keep the
    /// line's own); `Err` with what the line is when it carries none.
    /// Envelope strings with escapes are unescaped into `buf`.
    pub fn inner<'a>(&self, line: &'a [u8], buf: &'a mut Vec<u8>) -> Result<&'a [u8], Line> {
        let inner = match *self {
            Unwrap::Prefix(strip) => match strip(line) {
                Some(at) => &line[at..],
                None => return Err(Line::Malformed),
            },
            Unwrap::Envelope(key) => match json::string_member(line, key) {
                json::Member::String(a, b) => {
                    let s = &line[a..b];
                    if memchr::memchr(b'\\', s).is_none() {
                        s
                    } else if unescape(s, buf) {
                        &buf[..]
                    } else {
                        return Err(Line::Malformed);
                    }
                }
                json::Member::Absent => return Err(Line::NotRequest),
                json::Member::Other => return Err(Line::Malformed),
            },
        };
        Ok(without_line_end(inner))
    }

    /// Whether `line` has this wrapper's shape.
    fn fits(&self, line: &[u8]) -> bool {
        match *self {
            Unwrap::Prefix(strip) => strip(line).is_some(),
            Unwrap::Envelope(key) => {
                matches!(json::string_member(line, key), json::Member::String(..))
            }
        }
    }
}

/// Reads each line's inner line with the inner format's extractor. `SEQ`:
/// whether the inner format is sequential (W3C), so the engine keeps this
/// one in order too.
#[derive(Clone)]
pub struct Wrapped<const SEQ: bool> {
    unwrap: Unwrap,
    inner: AnyExtractor,
    /// Unescaped envelope strings, reused from line to line.
    buf: Vec<u8>,
}

impl<const SEQ: bool> Extractor for Wrapped<SEQ> {
    const SEQUENTIAL: bool = SEQ;

    fn classify(&mut self, line: &[u8]) -> Line {
        let Wrapped { unwrap, inner, buf } = self;
        match unwrap.inner(line, buf) {
            Ok(l) if is_blank(l) => Line::Blank,
            Ok(l) => inner.classify(l),
            Err(kind) => kind,
        }
    }

    /// The inner line's time, read by the inner format (a prefix's own time,
    /// CRI's or kubectl's, is when the runtime wrote the line, not when the
    /// request was served).
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let Wrapped { unwrap, inner, buf } = self;
        match unwrap.inner(line, buf) {
            Ok(l) => inner.timestamp(l, clock),
            Err(_) => None,
        }
    }

    /// The inner line's field, read by the inner format. A value read from
    /// an unescaped envelope string lives in this extractor's buffer, so it
    /// is copied to `out`; a prefix's inner line is a slice of `line`.
    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        out: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let Wrapped { unwrap, inner, buf } = self;
        if let Unwrap::Prefix(strip) = *unwrap {
            return inner.field(without_line_end(&line[strip(line)?..]), want, out);
        }
        let l = unwrap.inner(line, buf).ok()?;
        let mut scratch = Vec::new();
        let v = inner.field(l, want, &mut scratch)?;
        out.extend_from_slice(v);
        Some(&out[..])
    }
}

/// The extractor of a wrapper preset: `param` is the inner format
/// ([`Param::Inner`]); without one (a preset built outside detection) every
/// line is malformed.
pub fn build(unwrap: Unwrap, param: &Param, opts: &FormatOptions) -> AnyExtractor {
    let inner = match param {
        Param::Inner(f) => f.extractor(opts),
        _ => AnyExtractor::new(Unread),
    };
    let buf = Vec::new();
    if inner.sequential() {
        AnyExtractor::new(Wrapped::<true> { unwrap, inner, buf })
    } else {
        AnyExtractor::new(Wrapped::<false> { unwrap, inner, buf })
    }
}

/// The inner extractor of a wrapper whose inner format is not known.
#[derive(Clone, Copy)]
struct Unread;

impl Extractor for Unread {
    fn classify(&mut self, _: &[u8]) -> Line {
        Line::Malformed
    }
}

/// The non-blank inner lines of the sample's lines that carry one.
pub fn inner_lines(lines: &[&[u8]], unwrap: Unwrap) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    lines
        .iter()
        .filter_map(|l| unwrap.inner(l, &mut buf).ok().map(<[u8]>::to_vec))
        .filter(|l| !is_blank(l))
        .collect()
}

/// The wrapper `p` (inside the wrappers `around`) with the inner format
/// detected from the sample's inner lines, when most of the sample's first
/// lines have its shape. `None` when no known format fits the inner lines.
pub fn pick(
    s: &Sample,
    p: &'static Preset,
    unwrap: Unwrap,
    opts: &FormatOptions,
    around: &[&'static Preset],
) -> Option<Format> {
    let fit = s.lines().iter().filter(|l| unwrap.fits(l)).count();
    if fit * 2 <= s.lines().len() {
        return None;
    }
    let owned = inner_lines(s.all(), unwrap);
    let lines: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let mut within = around.to_vec();
    within.push(p);
    let inner = super::detect_lines(&lines, opts, Some(&within))?;
    Some(Format::with(p, Param::Inner(Box::new(inner))))
}

/// [`pick`] as auto-detection uses it: the wrapper is named only when the
/// rows without wrappers do not name the inner format from the wrapped lines
/// already (Combined lines behind a prefix read as `vcombined`, behind
/// `[pod/…]` as `envoy`); a format that reads most of its lines with the
/// prefix on is that format (HAProxy after a syslog header).
pub fn detect(
    s: &Sample,
    p: &'static Preset,
    unwrap: Unwrap,
    opts: &FormatOptions,
    around: &[&'static Preset],
) -> Option<Format> {
    let f = pick(s, p, unwrap, opts, around)?;
    let Param::Inner(inner) = f.param() else {
        unreachable!("pick names the inner format")
    };
    if super::by_rows(s, opts, None).is_some_and(|g| g.name() == inner.name()) {
        return None;
    }
    Some(f)
}

/// Unescapes the contents of a JSON string into `out`; `false` for an
/// invalid escape. A `\u` escape of a lone surrogate becomes U+FFFD, as
/// lossy UTF-8 decoding would show it.
pub fn unescape(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut i = 0;
    while let Some(n) = memchr::memchr(b'\\', &s[i..]) {
        out.extend_from_slice(&s[i..i + n]);
        i += n;
        let c = match s.get(i + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'n') => b'\n',
            Some(b't') => b'\t',
            Some(b'r') => b'\r',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'u') => {
                let Some(hi) = hex4(s, i + 2) else {
                    return false;
                };
                i += 6;
                let ch = match hi {
                    0xd800..0xdc00 => match (s.get(i..i + 2), hex4(s, i + 2)) {
                        (Some(b"\\u"), Some(lo @ 0xdc00..0xe000)) => {
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                        }
                        _ => None,
                    },
                    _ => char::from_u32(hi),
                };
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(
                    ch.unwrap_or(char::REPLACEMENT_CHARACTER)
                        .encode_utf8(&mut utf8)
                        .as_bytes(),
                );
                continue;
            }
            _ => return false,
        };
        out.push(c);
        i += 2;
    }
    out.extend_from_slice(&s[i..]);
    true
}

/// The four hex digits at `at`, as a number.
fn hex4(s: &[u8], at: usize) -> Option<u32> {
    let digits = s.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// End of an RFC 3339 timestamp at `p` (`2025-03-12T08:00:00.123456789Z`,
/// offsets `+00:00` and `+0000` too), as container runtimes, `kubectl
/// --timestamps` and journald's `short-iso` write them.
fn rfc3339(line: &[u8], p: usize) -> Option<usize> {
    let t = line.get(p..p + 19)?;
    let d = |r: std::ops::Range<usize>| t[r].iter().all(u8::is_ascii_digit);
    let shaped = d(0..4)
        && t[4] == b'-'
        && d(5..7)
        && t[7] == b'-'
        && d(8..10)
        && t[10] == b'T'
        && d(11..13)
        && t[13] == b':'
        && d(14..16)
        && t[16] == b':'
        && d(17..19);
    if !shaped {
        return None;
    }
    let mut q = p + 19;
    if line.get(q) == Some(&b'.') {
        q += 1;
        let n = line[q..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        q += n;
    }
    match line.get(q)? {
        b'Z' => Some(q + 1),
        b'+' | b'-' => {
            let z = line.get(q + 1..)?;
            match z {
                [a, b, b':', c, d, ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => {
                    Some(q + 6)
                }
                [a, b, c, d, ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => Some(q + 5),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `p` if the byte there is a space, plus one; the end of the line also ends
/// a prefix (the line it carries is empty).
fn space(line: &[u8], p: usize) -> Option<usize> {
    match line.get(p) {
        Some(b' ') => Some(p + 1),
        None => Some(p),
        _ => None,
    }
}

/// The token at `p` up to the next space: its end.
fn token(line: &[u8], p: usize) -> usize {
    memchr::memchr(b' ', &line[p.min(line.len())..]).map_or(line.len(), |n| p + n)
}

/// CRI: `2025-03-12T08:00:00.123456789Z stdout F ` (a `P` tag marks a part of
/// a line split by the runtime: read as a line of its own).
pub fn cri(line: &[u8]) -> Option<usize> {
    let p = space(line, rfc3339(line, 0)?)?;
    let end = token(line, p);
    if !matches!(&line[p..end], b"stdout" | b"stderr") {
        return None;
    }
    let p = end + 1;
    let end = token(line, p);
    match line.get(p)? {
        b'F' | b'P' if end == p + 1 || line.get(p + 1) == Some(&b':') => space(line, end),
        _ => None,
    }
}

/// `docker compose logs`: `web-1  | ` (the service padded with spaces).
pub fn compose(line: &[u8]) -> Option<usize> {
    let name = line
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        .count();
    if name == 0 {
        return None;
    }
    let pad = line[name..].iter().take_while(|&&b| b == b' ').count();
    if pad == 0 || line.get(name + pad) != Some(&b'|') {
        return None;
    }
    space(line, name + pad + 1)
}

/// `kubectl logs --prefix`: `[pod/NAME/CONTAINER] `.
pub fn kubectl(line: &[u8]) -> Option<usize> {
    if !line.starts_with(b"[pod/") {
        return None;
    }
    let close = memchr::memchr(b']', line)?;
    space(line, close + 1)
}

/// `--timestamps`: an RFC 3339 time and a space.
pub fn timestamps(line: &[u8]) -> Option<usize> {
    space(line, rfc3339(line, 0)?)
}

/// A syslog header: an optional `<PRI>`, a time (`Mar 12 08:00:00`, with a
/// fraction or not, or RFC 3339), the host and the tag (`nginx[123]:`).
pub fn syslog(line: &[u8]) -> Option<usize> {
    let mut p = 0;
    if line.first() == Some(&b'<') {
        let n = line[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=3).contains(&n) || line.get(n + 1) != Some(&b'>') {
            return None;
        }
        p = n + 2;
    }
    p = match rfc3339(line, p) {
        Some(end) => end,
        None => bsd_time(line, p)?,
    };
    if line.get(p) != Some(&b' ') {
        return None;
    }
    // The host.
    let host = token(line, p + 1);
    if host == p + 1 || line.get(host) != Some(&b' ') {
        return None;
    }
    // The tag: a name, an optional `[pid]`, a colon.
    let t = host + 1;
    let name = line[t..]
        .iter()
        .take_while(|&&b| !b" :[]".contains(&b))
        .count();
    if name == 0 {
        return None;
    }
    let mut q = t + name;
    if line.get(q) == Some(&b'[') {
        let n = line[q + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || line.get(q + 1 + n) != Some(&b']') {
            return None;
        }
        q += n + 2;
    }
    if line.get(q) != Some(&b':') {
        return None;
    }
    space(line, q + 1)
}

/// End of a BSD syslog time at `p`: `Mar 12 08:00:00`, the day padded with a
/// space (`Mar  2`), seconds maybe with a fraction (journald's
/// `short-precise`).
fn bsd_time(line: &[u8], p: usize) -> Option<usize> {
    let t = line.get(p..p + 15)?;
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let d = |b: u8| b.is_ascii_digit();
    let shaped = MONTHS.contains(&&t[..3])
        && t[3] == b' '
        && (d(t[4]) || t[4] == b' ')
        && d(t[5])
        && t[6] == b' '
        && d(t[7])
        && d(t[8])
        && t[9] == b':'
        && d(t[10])
        && d(t[11])
        && t[12] == b':'
        && d(t[13])
        && d(t[14]);
    if !shaped {
        return None;
    }
    let mut q = p + 15;
    if line.get(q) == Some(&b'.') {
        q += 1 + line[q + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    }
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        type Strip = fn(&[u8]) -> Option<usize>;
        let cases: [(Strip, &str, Option<&str>); 23] = [
            (
                cri,
                "2025-03-12T08:00:00.123456789Z stdout F 1.2.3.4 x",
                Some("1.2.3.4 x"),
            ),
            (
                cri,
                "2025-03-12T08:00:00.123456789+01:00 stderr P abc",
                Some("abc"),
            ),
            (cri, "2025-03-12T08:00:00Z stdout F", Some("")),
            (cri, "2025-03-12T08:00:00Z stdout X abc", None),
            (cri, "2025-03-12T08:00:00Z stdin F abc", None),
            (cri, "2025-03-12 08:00:00Z stdout F abc", None),
            (compose, "web-1  | 1.2.3.4 - -", Some("1.2.3.4 - -")),
            (compose, "web_1 | x", Some("x")),
            (
                compose,
                "web-1  | 2025-03-12T08:00:00.5Z x",
                Some("2025-03-12T08:00:00.5Z x"),
            ),
            (compose, "web-1  |", Some("")),
            (compose, "web-1| x", None),
            (compose, "| x", None),
            (kubectl, "[pod/web-5d9/nginx] 1.2.3.4", Some("1.2.3.4")),
            (
                kubectl,
                "[pod/web/nginx] 2025-03-12T08:00:00.1Z [x]",
                Some("2025-03-12T08:00:00.1Z [x]"),
            ),
            (
                timestamps,
                "2025-03-12T08:00:00.123456789Z 1.2.3.4",
                Some("1.2.3.4"),
            ),
            (timestamps, "2025-03-12T08:00:00+01:00 [x]", Some("[x]")),
            (kubectl, "1.2.3.4 - -", None),
            (
                syslog,
                "Mar 12 08:00:00 web nginx[123]: 1.2.3.4 - -",
                Some("1.2.3.4 - -"),
            ),
            (
                syslog,
                "<190>Mar  2 08:00:00.123456 web nginx: x",
                Some("x"),
            ),
            (
                syslog,
                "2025-03-12T08:00:00+0000 web nginx[1]: x",
                Some("x"),
            ),
            (syslog, "Mar 12 08:00:00 web nginx[x]: x", None),
            (syslog, "Mar 12 08:00:00 web: x", None),
            (syslog, "Foo 12 08:00:00 web nginx: x", None),
        ];
        for (strip, line, want) in cases {
            let got = strip(line.as_bytes()).map(|at| &line[at..]);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn envelopes_are_unescaped() {
        let line = br#"{"log":"1.2.3.4 - - [12/Mar/2024:08:00:00 +0000] \"GET /a\\b \u0026 \u00e9 \ud83d\ude00 HTTP/1.1\" 200 1\n","stream":"stdout","time":"t"}"#;
        let mut buf = Vec::new();
        let got = DOCKER_JSON.inner(line, &mut buf).unwrap();
        assert_eq!(
            std::str::from_utf8(got).unwrap(),
            "1.2.3.4 - - [12/Mar/2024:08:00:00 +0000] \"GET /a\\b & é 😀 HTTP/1.1\" 200 1"
        );
        assert_eq!(
            DOCKER_JSON.inner(br#"{"stream":"stdout"}"#, &mut buf),
            Err(Line::NotRequest)
        );
        for bad in [
            &br#"{"log":1}"#[..],
            br#"{"log":"a\qb"}"#,
            br#"{"log":"\u12"}"#,
            br#"{"log":"x"#,
            b"not json",
        ] {
            assert_eq!(
                DOCKER_JSON.inner(bad, &mut buf),
                Err(Line::Malformed),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // A lone surrogate reads as U+FFFD.
        assert!(unescape(br"a\ud800b", &mut buf));
        assert_eq!(buf, "a\u{fffd}b".as_bytes());
    }
}
