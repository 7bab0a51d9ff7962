//! HAProxy HTTP log lines (`option httplog`), with or without a syslog prefix.
//!
//! The status is the field right after the timers field `Tq/Tw/Tc/Tr/Tt`
//! (five slash-separated integers, `-1` for a phase that did not happen, `+`
//! before `Tt` with `option logasap`). Finding the timers instead of counting
//! fields makes the syslog prefix (absent, RFC 3164, RFC 5424) irrelevant.
//! Status `-1` (no response sent) is `no_status`. TCP-mode lines (three
//! timers) and startup/SSL messages have no such field and are malformed.

use super::bytes::Positions;
use super::{Extractor, Line, status_token};

/// The HAProxy extractor. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct Haproxy;

impl Extractor for Haproxy {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        match locate(line) {
            Some(tok) if tok == b"-1" => Line::NoStatus,
            Some(tok) => status_token(tok),
            None => Line::Malformed,
        }
    }
}

/// The token after the timers field, if the line has one.
#[inline]
pub fn locate(line: &[u8]) -> Option<&[u8]> {
    let mut start = 0;
    let mut timers = false;
    for i in Positions::new(line, b' ').chain(std::iter::once(line.len())) {
        let tok = &line[start..i];
        start = i + 1;
        if timers {
            return Some(tok);
        }
        timers = is_timers(tok);
    }
    None
}

/// `Tq/Tw/Tc/Tr/Tt`: five integers, each optionally negative, the last
/// optionally prefixed by `+`.
#[inline]
fn is_timers(tok: &[u8]) -> bool {
    // Cheap rejection first: most tokens do not start like a number.
    if !matches!(tok.first(), Some(b'0'..=b'9' | b'-')) {
        return false;
    }
    let mut parts = 0;
    for part in tok.split(|&b| b == b'/') {
        parts += 1;
        let p = part
            .strip_prefix(b"+")
            .filter(|_| parts == 5)
            .unwrap_or(part);
        let p = p.strip_prefix(b"-").unwrap_or(p);
        if p.is_empty() || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    parts == 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(l: &str) -> Line {
        Haproxy.classify(l.as_bytes())
    }

    #[test]
    fn with_and_without_syslog_prefix() {
        assert_eq!(
            st(
                r#"Mar  1 10:00:00 lb haproxy[12]: 10.0.0.1:5000 [01/Mar/2024:10:00:00.000] fe be/s1 0/0/1/2/3 503 10 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1""#
            ),
            Line::Status(503)
        );
        assert_eq!(
            st(
                r#"10.0.0.1:5000 [01/Mar/2024:10:00:00.000] fe be/s1 10/0/-1/-1/+12 -1 0 - - CD-- 1/1/0/0/0 0/0 "GET / HTTP/1.1""#
            ),
            Line::NoStatus
        );
        assert_eq!(
            st(
                r#"[fe80::1]:5000 [t] fe~ be/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#
            ),
            Line::Status(400)
        );
    }

    #[test]
    fn non_http_lines_are_malformed() {
        for l in [
            "Mar  1 10:00:00 lb haproxy[1]: Proxy fe started.",
            "10.0.0.1:5000 [t] fe be/s1 0/0/5 100 -- 1/1/0/0/0 0/0",
            "10.0.0.1:5000 [t] fe/1: SSL handshake failure",
            "1/2/3/4/5",
            "1/2/3/4/5 x",
            "1/2/3/4/x 200 0",
            "1/2/3/4/5/6 200 0",
        ] {
            assert_eq!(st(l), Line::Malformed, "{l}");
        }
    }

    #[test]
    fn timers_shape() {
        assert!(is_timers(b"0/0/1/0/2"));
        assert!(is_timers(b"-1/-1/-1/-1/+0"));
        assert!(!is_timers(b"+1/0/0/0/0"));
        assert!(!is_timers(b"1//0/0/0"));
        assert!(!is_timers(b"6/6/0/0/0/"));
    }
}
