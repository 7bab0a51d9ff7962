//! HAProxy HTTP log lines (`option httplog`), with or without a syslog prefix.
//!
//! The status is the field right after the timers field `Tq/Tw/Tc/Tr/Tt`
//! (five slash-separated integers, `-1` for a phase that did not happen, `+`
//! before `Tt` with `option logasap`). Finding the timers instead of counting
//! fields makes the syslog prefix (absent, RFC 3164, RFC 5424) irrelevant.
//! Status `-1` (no response sent) is `no_status`. TCP-mode lines (three
//! timers) and startup/SSL messages have no such field and are malformed.

use crate::bytes::{self, block_mask};
use crate::lines::{Extractor, Line, status_token};
use crate::time::{Clock, Stamp};

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

    /// The accept date, `[12/Mar/2024:08:00:00.123]`: the first bracketed
    /// CLF time (a syslog prefix's `haproxy[4242]` is passed over). It has
    /// no zone: HAProxy writes local time, read in the clock's zone.
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let mut from = 0;
        for _ in 0..4 {
            let open = from + memchr::memchr(b'[', &line[from..])?;
            let close = open + 1 + memchr::memchr(b']', &line[open + 1..])?;
            if let Some(s) = clock.clf(&line[open + 1..close]) {
                return Some(s);
            }
            from = close + 1;
        }
        None
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

/// The token after the timers field, if the line has one.
///
/// Only a space-separated token holding a `/` can be the timers, and a line
/// has few of them (the accept date, `backend/server`, the timers), so the
/// walk goes from slash to slash through 64-byte bitmaps of `/` and ` `: the
/// token around a slash is bounded by the nearest spaces on either side, read
/// off the space bitmap, and its remaining slashes are skipped. Walking every
/// space-separated token instead would step over the syslog prefix and the
/// client, which come first, token by token (benches/NOTES.md).
#[inline]
pub fn locate(line: &[u8]) -> Option<&[u8]> {
    // Where the current block starts, and the last space before it (none:
    // the token starts the line).
    let mut base = 0usize;
    let mut space_before: Option<usize> = None;
    'blocks: while base < line.len() {
        let rest = &line[base..];
        let spaces = block_mask(rest, b' ');
        let mut slashes = block_mask(rest, b'/');
        while slashes != 0 {
            let below = (1u64 << slashes.trailing_zeros()) - 1;
            let start = match spaces & below {
                0 => space_before.map_or(0, |s| s + 1),
                m => base + (63 - m.leading_zeros()) as usize + 1,
            };
            let after = spaces & !below;
            let end = match after {
                // The token runs past this block.
                0 => bytes::find(line, base + 64, b' ').unwrap_or(line.len()),
                m => base + m.trailing_zeros() as usize,
            };
            if is_timers(&line[start..end]) {
                // The timers as the last token: no status follows.
                if end == line.len() {
                    return None;
                }
                let stop = bytes::find(line, end + 1, b' ').unwrap_or(line.len());
                return Some(&line[end + 1..stop]);
            }
            if after == 0 {
                // Go on after the token, wherever it ends.
                space_before = Some(end);
                base = end + 1;
                continue 'blocks;
            }
            // Skip this token's other slashes.
            slashes &= !((after & after.wrapping_neg()) - 1);
        }
        if spaces != 0 {
            space_before = Some(base + (63 - spaces.leading_zeros()) as usize);
        }
        base += 64;
    }
    None
}

/// `Tq/Tw/Tc/Tr/Tt`: five integers, each optionally negative, the last
/// optionally prefixed by `+`. One pass over the bytes, without a `split`
/// iterator per candidate token, whose set-up costs more than the pass.
#[inline]
fn is_timers(tok: &[u8]) -> bool {
    let mut i = 0;
    for part in 1..=5 {
        if part == 5 && tok.get(i) == Some(&b'+') {
            i += 1;
        }
        if tok.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = i;
        while tok.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return false;
        }
        if part < 5 {
            if tok.get(i) != Some(&b'/') {
                return false;
            }
            i += 1;
        }
    }
    i == tok.len()
}

/// Field `f` of an HTTP log line: around the accept date (the first
/// `[dd/Mon/yyyy:…]`) `client:port [date] frontend backend/server`, so
/// that fields a `log-format` adds before the timers move nothing; after
/// the status the size, and the request the first quoted field after that.
pub fn field(line: &[u8], f: crate::top::Field) -> Option<&[u8]> {
    use super::fields::{quoted, request_field, token, without_port};
    use crate::top::Field;
    let value = match f {
        Field::Client | Field::Upstream => {
            let (open, close) = accept_date(line)?;
            match f {
                Field::Client => line[..open]
                    .rsplit(|&b| b == b' ')
                    .find(|t| !t.is_empty())
                    .map(|c| without_port(c, false)),
                _ => token(&line[close + 1..], 1),
            }
        }
        _ => {
            let status = locate(line)?;
            let at = status.as_ptr() as usize - line.as_ptr() as usize;
            match f {
                Field::Bytes => token(&line[at + status.len()..], 0),
                Field::Path | Field::Url | Field::Method | Field::Protocol => {
                    request_field(quoted(&line[at..], 0)?, f)
                }
                _ => None,
            }
        }
    };
    value.filter(|v| !v.is_empty() && *v != b"-")
}

/// Where the accept date's brackets are: the first `[…]` that holds a
/// `dd/Mon/yyyy:` date (a syslog prefix's `haproxy[4242]` does not).
fn accept_date(line: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    for _ in 0..4 {
        let open = from + memchr::memchr(b'[', &line[from..])?;
        let close = open + 1 + memchr::memchr(b']', &line[open + 1..])?;
        let d = &line[open + 1..close];
        if d.len() > 12 && d[2] == b'/' && d[6] == b'/' && d[11] == b':' {
            return Some((open, close));
        }
        from = close + 1;
    }
    None
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

    /// The plain token walk [`locate`] must agree with: every
    /// space-separated token.
    fn locate_by_split(line: &[u8]) -> Option<&[u8]> {
        let mut toks = line.split(|&b| b == b' ');
        while let Some(t) = toks.next() {
            if is_timers(t) {
                return toks.next();
            }
        }
        None
    }

    /// `Tq/Tw/Tc/Tr/Tt`: five integers, each optionally negative, the last
    /// optionally prefixed by `+`.
    fn is_timers_by_split(tok: &[u8]) -> bool {
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

    proptest::proptest! {
        #[test]
        fn timers_is_the_split(tok in proptest::prop_oneof![
            "[0-9/+-]{0,16}",
            "(\\+?-?[0-9]{0,2}/){3,5}\\+?-?[0-9]{0,2}",
        ]) {
            proptest::prop_assert_eq!(is_timers(tok.as_bytes()), is_timers_by_split(tok.as_bytes()));
        }

        #[test]
        fn locate_is_the_token_walk(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("0/0/1/2/3".to_string()),
                proptest::strategy::Just("-1/-1/-1/-1/+0".to_string()),
                proptest::strategy::Just(" ".to_string()),
                proptest::strategy::Just("be/s1".to_string()),
                "[0-9/ +-]{0,12}",
                "[a-z0-9:./\\[\\]]{0,70}",
            ],
            0..16,
        )) {
            let line = parts.concat();
            proptest::prop_assert_eq!(locate(line.as_bytes()), locate_by_split(line.as_bytes()));
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
