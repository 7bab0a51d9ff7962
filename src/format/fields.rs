//! Fields besides the status (`--top`): which a format has, and the pieces
//! every format reads them with (the request line, a URL's path and host,
//! an address without its port, quoted and blank-separated fields).
//!
//! A value is returned as the log wrote it (escapes and all), except where
//! a field is a part of what the log wrote: the path of a request target
//! (no query string, and no scheme and host for an absolute URL), the host
//! of a URL, a client address without its port.

use memchr::{memchr, memrchr};

use super::{Format, Param};
use crate::top::{Field, Wanted};

impl Format {
    /// The fields `--top` can ask of this format (for JSON also
    /// [`Field::Key`]); a wrapper has its inner format's.
    pub fn fields(&self) -> Vec<Field> {
        match &self.param {
            Param::Custom(p) => p.fields(),
            Param::Inner(f) => f.fields(),
            _ => self.preset.fields.to_vec(),
        }
    }

    /// Whether `--top` can ask this format for `want`.
    pub fn has_field(&self, want: &Wanted) -> bool {
        self.fields().contains(&want.field)
    }

    /// Why `--top` cannot ask this format for `want`, naming the format
    /// and the fields it has; `None` when it can, or cannot tell yet (a
    /// wrapper whose inner format each input's detection names).
    pub fn refusal(&self, want: &Wanted) -> Option<String> {
        if self.has_field(want) || self.is_open() {
            return None;
        }
        let what = match want.field {
            Field::Key => "JSON keys".to_string(),
            _ => format!("{} field", want.field.name()),
        };
        let format = match &self.param {
            Param::Custom(_) => "your --log-format string".to_string(),
            _ => format!("the {} format", self.name()),
        };
        let has: Vec<&str> = self.fields().into_iter().map(Field::name).collect();
        let has = match has.len() {
            0 => "none".to_string(),
            _ => has.join(", "),
        };
        Some(format!(
            "--top {}: {format} has no {what} (its fields: {has})",
            crate::escape::escape_str(&want.label())
        ))
    }
}

/// The parts of a request line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: &'a [u8],
    pub target: &'a [u8],
    pub protocol: Option<&'a [u8]>,
}

/// The parts of a request line `METHOD TARGET [PROTOCOL]`: `None` when it
/// is not one (`-`, a TLS handshake sent to a plain port). A target with
/// spaces in it (`GET /a b HTTP/1.1`) runs from the method to the protocol.
pub fn request(req: &[u8]) -> Option<Request<'_>> {
    // A method is a few bytes: a plain loop finds its end sooner than a
    // SIMD search's set-up.
    let sp = match req.iter().take(16).position(|&b| b == b' ') {
        Some(sp) => sp,
        None => memchr(b' ', req)?,
    };
    let method = &req[..sp];
    // A method is a word (`GET`, `M-SEARCH`); `- - -` is no request.
    if !method.first().is_some_and(u8::is_ascii_alphabetic)
        || !method
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
    {
        return None;
    }
    let rest = trim(&req[sp + 1..]);
    // The usual protocol, ` HTTP/1.1`, is the last 9 bytes; else the last
    // space is looked for.
    let last = match rest.len().checked_sub(9) {
        Some(p) if rest[p] == b' ' => Some(p),
        _ => memrchr(b' ', rest),
    };
    let (target, protocol) = match last {
        Some(p) if rest[p + 1..].starts_with(b"HTTP/") => (trim(&rest[..p]), Some(&rest[p + 1..])),
        _ => (rest, None),
    };
    (!target.is_empty()).then_some(Request {
        method,
        target,
        protocol,
    })
}

/// Field `f` of a request line: its method, target (`url`), the target's
/// path, or its protocol.
pub fn request_field(req: &[u8], f: Field) -> Option<&[u8]> {
    let r = request(req)?;
    match f {
        Field::Method => Some(r.method),
        Field::Url => Some(r.target),
        Field::Path => path(r.target),
        Field::Protocol => r.protocol,
        _ => None,
    }
}

/// The path of a request target: without its query string (or fragment),
/// and without the scheme and host of an absolute URL (`/` when it has no
/// path). Other targets (`*`, a `CONNECT` authority) are their own path.
pub fn path(target: &[u8]) -> Option<&[u8]> {
    // Most targets are origin-form (`/a?b`): no scheme to look for.
    let absolute = target.first() != Some(&b'/');
    let p = match if absolute {
        authority_start(target)
    } else {
        None
    } {
        Some(a) => {
            let rest = &target[a..];
            match rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')) {
                Some(i) if rest[i] == b'/' => &rest[i..],
                _ => b"/",
            }
        }
        None => target,
    };
    let end = memchr::memchr2(b'?', b'#', p).unwrap_or(p.len());
    (end > 0).then_some(&p[..end])
}

/// The host of an absolute URL (`https://user@x.example:443/a` is
/// `x.example`) or of an authority (`x.example:443`, as `CONNECT` asks).
pub fn url_host(url: &[u8]) -> Option<&[u8]> {
    let rest = match authority_start(url) {
        Some(a) => &url[a..],
        None if !url.starts_with(b"/") => url,
        None => return None,
    };
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = match memrchr(b'@', auth) {
        Some(at) => &auth[at + 1..],
        None => auth,
    };
    let host = without_port(auth, false);
    (!host.is_empty()).then_some(host)
}

/// Where the authority of an absolute URL starts (after `scheme://`).
fn authority_start(url: &[u8]) -> Option<usize> {
    let colon = url.iter().take(16).position(|&b| b == b':')?;
    (colon > 0
        && url[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && url[colon..].starts_with(b"://"))
    .then_some(colon + 3)
}

/// An address without its port: `1.2.3.4:5000` is `1.2.3.4`, `[::1]:80`
/// is `::1`. An address with several colons and no brackets is IPv6 and
/// kept whole, unless `port` says a port always follows (AWS writes
/// `client:port` even for IPv6).
pub fn without_port(addr: &[u8], port: bool) -> &[u8] {
    if let Some(inner) = addr.strip_prefix(b"[") {
        return match memchr(b']', inner) {
            Some(e) => &inner[..e],
            None => addr,
        };
    }
    let colons = addr.iter().filter(|&&b| b == b':').count();
    match memrchr(b':', addr) {
        Some(c) if (colons == 1 || port) && addr[c + 1..].iter().all(u8::is_ascii_digit) => {
            &addr[..c]
        }
        _ => addr,
    }
}

/// Spaces off both ends.
fn trim(s: &[u8]) -> &[u8] {
    let a = s.iter().position(|&b| b != b' ').unwrap_or(s.len());
    let b = s.iter().rposition(|&b| b != b' ').map_or(a, |p| p + 1);
    &s[a..b]
}

/// The `n`-th (0-based) token of `s` separated by runs of spaces.
pub fn token(s: &[u8], n: usize) -> Option<&[u8]> {
    s.split(|&b| b == b' ').filter(|t| !t.is_empty()).nth(n)
}

/// The contents of the `n`-th (0-based) `"…"` field in `s`, each ending at
/// the first quote not escaped by a backslash; `None` past the last.
pub fn quoted(s: &[u8], n: usize) -> Option<&[u8]> {
    let mut from = 0;
    for i in 0..=n {
        let open = from + memchr(b'"', &s[from..])?;
        let close = super::clf::closing_quote(s, open + 1)?;
        if i == n {
            return Some(&s[open + 1..close]);
        }
        from = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_split_into_their_parts() {
        let r = |s: &'static str| request(s.as_bytes());
        let req = |m: &'static str, t: &'static str, p: Option<&'static str>| {
            Some(Request {
                method: m.as_bytes(),
                target: t.as_bytes(),
                protocol: p.map(str::as_bytes),
            })
        };
        assert_eq!(
            r("GET /a?b=1 HTTP/1.1"),
            req("GET", "/a?b=1", Some("HTTP/1.1"))
        );
        assert_eq!(r("GET /"), req("GET", "/", None));
        assert_eq!(
            r("GET /a b c HTTP/1.0"),
            req("GET", "/a b c", Some("HTTP/1.0"))
        );
        assert_eq!(
            r("M-SEARCH * HTTP/1.1"),
            req("M-SEARCH", "*", Some("HTTP/1.1"))
        );
        for no in [
            "-",
            "- - -",
            "- http://x:80- -",
            "GET",
            "GET  ",
            "\\x16\\x03\\x01 x",
        ] {
            assert_eq!(r(no), None, "{no}");
        }
    }

    #[test]
    fn paths_lose_query_scheme_and_host() {
        for (target, want) in [
            ("/a/b?x=1", Some("/a/b")),
            ("/a#frag", Some("/a")),
            ("https://x.example:443/p/q?z", Some("/p/q")),
            ("http://x.example", Some("/")),
            ("http://x.example?q", Some("/")),
            ("x.example:443", Some("x.example:443")),
            ("*", Some("*")),
            ("?only=query", None),
            ("/weird://thing", Some("/weird://thing")),
        ] {
            assert_eq!(path(target.as_bytes()), want.map(str::as_bytes), "{target}");
        }
    }

    #[test]
    fn hosts_of_urls_and_addresses_without_ports() {
        assert_eq!(
            url_host(b"https://u:p@x.example:443/a"),
            Some(&b"x.example"[..])
        );
        assert_eq!(url_host(b"http://[::1]:80/"), Some(&b"::1"[..]));
        assert_eq!(url_host(b"x.example:443"), Some(&b"x.example"[..]));
        assert_eq!(url_host(b"/a"), None);
        assert_eq!(without_port(b"1.2.3.4:5000", false), b"1.2.3.4");
        assert_eq!(without_port(b"[2001:db8::1]:5000", false), b"2001:db8::1");
        assert_eq!(without_port(b"2001:db8::1", false), b"2001:db8::1");
        assert_eq!(without_port(b"2001:db8::1:5000", true), b"2001:db8::1");
        assert_eq!(without_port(b"host", false), b"host");
    }

    #[test]
    fn tokens_and_quoted_fields() {
        assert_eq!(token(b"a  b c", 1), Some(&b"b"[..]));
        assert_eq!(token(b"a b", 2), None);
        let s = br#" 200 5 "ref" "ua \"x\" y" "#;
        assert_eq!(quoted(s, 0), Some(&b"ref"[..]));
        assert_eq!(quoted(s, 1), Some(&br#"ua \"x\" y"#[..]));
        assert_eq!(quoted(s, 2), None);
    }
}
