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

use super::{Extractor, Line, status_token};

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
}

/// Finds the status token of a CLF-family line: `(start, end)` byte offsets,
/// or `None` when the line has no `[timestamp] "request" STATUS` shape.
#[inline]
pub fn locate(line: &[u8]) -> Option<(usize, usize)> {
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
        if p < line.len() && line[p] == b'"' {
            let req_end = closing_quote(line, p + 1)?;
            return status_span(line, req_end + 1);
        }
        from = close + 1;
    }
}

/// Index of the `"` that ends a quoted field whose contents start at `from`:
/// the first quote preceded by an even number of backslashes.
#[inline]
fn closing_quote(line: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let q = from + memchr(b'"', &line[from..])?;
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

/// Recognises the family from a sample and names the flavor: most sample lines
/// must yield a status; quoted fields after the size mean Combined; a token
/// before the client, or a line starting with a space (empty nginx `$host`),
/// means a vhost prefix.
pub fn detect(sample: &[u8]) -> Option<Flavor> {
    let mut total = 0usize;
    let mut ok = 0usize;
    let mut combined = 0usize;
    let mut vhost = 0usize;
    for line in super::sample_lines(sample) {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn detects_flavors() {
        let c = b"1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1\n";
        let cb = b"1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1 \"-\" \"ua\"\n";
        let v = b"ex.com:80 1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1 \"-\" \"ua\"\n";
        let vc = b"ex.com 1.2.3.4 - - [t] \"GET / HTTP/1.0\" 200 1\n";
        assert_eq!(detect(c), Some(Flavor::Common));
        assert_eq!(detect(cb), Some(Flavor::Combined));
        assert_eq!(detect(v), Some(Flavor::VhostCombined));
        assert_eq!(detect(vc), Some(Flavor::VhostCommon));
        assert_eq!(detect(b"{\"status\":200}\n"), None);
        assert_eq!(detect(b""), None);
    }
}
