//! Nginx Proxy Manager's `proxy` log format, kept by its forks (NPMplus):
//!
//! ```text
//! [$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] …
//! ```
//!
//! The status is the token before ` - METHOD scheme `. It is found from that
//! anchor rather than by position because `$upstream_status` is a list when
//! nginx tried several upstreams (`502, 200`, `502 : 504`), which moves every
//! later token. With `--status upstream` the list's last token is read: the
//! status of the upstream that answered last.

use crate::lines::{Extractor, Line, status_token};
use crate::time::{Clock, Stamp};

/// The Nginx Proxy Manager extractor: `$status`, or with `upstream` the last
/// `$upstream_status`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Npm {
    pub upstream: bool,
}

impl Extractor for Npm {
    fn classify(&mut self, line: &[u8]) -> Line {
        let Some(close) = line.iter().position(|&b| b == b']') else {
            return Line::Malformed;
        };
        if line.first() != Some(&b'[') {
            return Line::Malformed;
        }
        // Tokens after `[time] `: cache status, one or more upstream status
        // tokens, the status, `-`, the method, the scheme.
        let tokens: Tokens = line[close + 1..]
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .take(MAX_TOKENS)
            .collect();
        let t = &tokens.0[..tokens.1];
        for i in 2..t.len().saturating_sub(3) {
            if t[i + 1] == b"-" && is_method(t[i + 2]) && matches!(t[i + 3], b"http" | b"https") {
                // The upstream list is `t[1..i]`; its last token is `t[i - 1]`.
                return status_token(t[i - usize::from(self.upstream)]);
            }
        }
        Line::Malformed
    }

    /// `[$time_local]`, which starts the line.
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let close = memchr::memchr(b']', line)?;
        clock.clf(line.get(1..close)?)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        _: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        field(line, want.field)
    }
}

/// How many tokens after the time are looked at: the anchor comes well
/// before this even with a long upstream list.
const MAX_TOKENS: usize = 24;

/// The first tokens of a line, without allocating.
struct Tokens<'a>([&'a [u8]; MAX_TOKENS], usize);

impl<'a> FromIterator<&'a [u8]> for Tokens<'a> {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(iter: I) -> Self {
        let mut t = Tokens([&[][..]; MAX_TOKENS], 0);
        for tok in iter.into_iter().take(MAX_TOKENS) {
            t.0[t.1] = tok;
            t.1 += 1;
        }
        t
    }
}

/// An HTTP method as nginx logs it: upper-case letters.
fn is_method(t: &[u8]) -> bool {
    !t.is_empty() && t.iter().all(u8::is_ascii_uppercase)
}

/// Detection signature: the format's `[Client $remote_addr]` field.
pub fn looks_npm(line: &[u8]) -> bool {
    line.first() == Some(&b'[') && memchr::memmem::find(line, b" [Client ").is_some()
}

/// Field `f` of a line: the method and host around the scheme after the
/// status's anchor, the quoted `$request_uri` after the host, the
/// bracketed `[Client …]`, `[Length …]` and `[Sent-to …]`, then the agent
/// and referer quoted.
pub fn field(line: &[u8], f: crate::top::Field) -> Option<&[u8]> {
    use super::fields::{path, quoted};
    use crate::top::Field;
    use memchr::memmem;
    let close = memchr::memchr(b']', line)?;
    let tail = &line[close + 1..];
    let tokens: Tokens = tail
        .split(|&b| b == b' ')
        .filter(|t| !t.is_empty())
        .collect();
    let t = &tokens.0[..tokens.1];
    let anchor = (2..t.len().saturating_sub(4)).find(|&i| {
        t[i + 1] == b"-" && is_method(t[i + 2]) && matches!(t[i + 3], b"http" | b"https")
    })?;
    let bracket = |name: &[u8]| {
        let at = memmem::find(line, name)? + name.len();
        let end = at + memchr::memchr(b']', &line[at..])?;
        Some(&line[at..end])
    };
    let sent = memmem::find(line, b"[Sent-to ")?;
    let value = match f {
        Field::Method => Some(t[anchor + 2]),
        Field::Host => Some(t[anchor + 4]),
        Field::Url | Field::Path => {
            let host = t[anchor + 4];
            let from = host.as_ptr() as usize - line.as_ptr() as usize + host.len();
            let uri = quoted(&line[from..], 0)?;
            if f == Field::Path {
                path(uri)
            } else {
                Some(uri)
            }
        }
        Field::Client => bracket(b"[Client "),
        Field::Bytes => bracket(b"[Length "),
        Field::Upstream => bracket(b"[Sent-to "),
        Field::Agent => quoted(&line[sent..], 0),
        Field::Referer => quoted(&line[sent..], 1),
        _ => None,
    };
    value.filter(|v| !v.is_empty() && *v != b"-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(line: &str) -> Line {
        Npm::default().classify(line.as_bytes())
    }

    #[test]
    fn upstream_reads_the_last_upstream_status() {
        let tail = r#" GET https example.com "/x" [Client 203.0.113.7] [Length 1] [Gzip -] [Sent-to 10.0.0.2] "curl/8" "-""#;
        let mut up = Npm { upstream: true };
        for (list, want) in [
            ("502, 200", Line::Status(200)),
            ("502 : 504", Line::Status(504)),
            ("-", Line::NoStatus),
            ("200", Line::Status(200)),
        ] {
            let l = format!("[12/Mar/2024:08:15:42 +0000] MISS {list} 499 -{tail}");
            assert_eq!(up.classify(l.as_bytes()), want, "{list}");
        }
    }

    #[test]
    fn reads_the_status_before_the_method() {
        let tail = r#" GET https example.com "/x?a=1" [Client 203.0.113.7] [Length 12] [Gzip -] [Sent-to 10.0.0.2] "curl/8" "-""#;
        assert_eq!(
            st(&format!("[12/Mar/2024:08:15:42 +0000] - 200 200 -{tail}")),
            Line::Status(200)
        );
        // An upstream list moves the status along.
        assert_eq!(
            st(&format!(
                "[12/Mar/2024:08:15:42 +0000] MISS 502, 200 200 -{tail}"
            )),
            Line::Status(200)
        );
        assert_eq!(
            st(&format!(
                "[12/Mar/2024:08:15:42 +0000] - 502 : 504 504 -{tail}"
            )),
            Line::Status(504)
        );
        // No upstream answered: its status is `-`.
        assert_eq!(
            st(&format!("[12/Mar/2024:08:15:42 +0000] - - 499 -{tail}")),
            Line::Status(499)
        );
        assert_eq!(
            st(&format!("[12/Mar/2024:08:15:42 +0000] - - - -{tail}")),
            Line::NoStatus
        );
        assert_eq!(st("[12/Mar/2024:08:15:42 +0000] - 200"), Line::Malformed);
        assert_eq!(st("garbage"), Line::Malformed);
        assert_eq!(st("["), Line::Malformed);
    }
}
