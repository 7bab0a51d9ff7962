//! Squid's native access log:
//! `time elapsed client CODE/STATUS bytes method URL user hierarchy type`.
//!
//! Squid right-aligns `elapsed` with spaces, so fields are separated by runs
//! of spaces. The status is what follows the `/` of the 4th field
//! (`TCP_MISS/200`, `NONE/000` for no reply, which is code 0).
//!
//! A `logformat` that writes the time as `%tl` (`12/Mar/2024:08:00:00
//! +0000`, local time, two tokens, bracketed or not) instead of `%ts.%03tu`
//! moves the result field one token on; such lines are read too, also mixed
//! with native ones in one file (a configuration changed mid-file). They are
//! told apart by their first token, so the native lines' path is unchanged.

use crate::bytes::{Positions, mask64};
use crate::lines::{Extractor, Line, status_token};
use crate::time::{Clock, Epoch, Stamp};

/// The Squid extractor. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct Squid;

impl Extractor for Squid {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify_in_block(line).unwrap_or_else(|| classify_walked(line))
    }

    /// The first field: `%ts.%03tu` (`1710230400.200`, Unix seconds), or a
    /// `%tl` time (`12/Mar/2024:08:00:00 +0000`, brackets optional).
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let t = line.strip_prefix(b"[").unwrap_or(line);
        if t.get(2) == Some(&b'/') {
            return clock.clf(t.get(..26)?);
        }
        let end = memchr::memchr(b' ', line).unwrap_or(line.len());
        clock.epoch(&line[..end], Epoch::Seconds)
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

/// [`Squid::classify`] by walking the spaces ([`result_field`]): for lines
/// whose first five fields do not fit in 64 bytes, and for lines whose time
/// is `%tl`.
#[cold]
#[inline(never)]
fn classify_walked(line: &[u8]) -> Line {
    let field = match local_time(line) {
        Some(after) => result_field(&line[after..]),
        None => result_field(line),
    };
    match field.and_then(|f| f.iter().position(|&b| b == b'/').map(|p| (f, p))) {
        Some((f, p)) if p > 0 => status_token(&f[p + 1..]),
        _ => Line::Malformed,
    }
}

/// When `line` starts with a `%tl` time (`dd/Mon/yyyy:HH:MM:SS zone`, in
/// brackets or not), the offset of its zone token: the line from there on
/// has the native layout's field count before the result field (the zone
/// standing where the epoch time stands).
#[inline(always)]
fn local_time(line: &[u8]) -> Option<usize> {
    // Most lines that come here are native ones with a long client name.
    if line.get(2) != Some(&b'/') && line.first() != Some(&b'[') {
        return None;
    }
    let t = line.strip_prefix(b"[").unwrap_or(line);
    let skip = line.len() - t.len();
    let stamp = t.get(..20)?;
    let digits = |r: std::ops::Range<usize>| stamp[r].iter().all(u8::is_ascii_digit);
    let shaped = digits(0..2)
        && stamp[2] == b'/'
        && stamp[3..6].iter().all(u8::is_ascii_alphabetic)
        && stamp[6] == b'/'
        && digits(7..11)
        && stamp[11] == b':'
        && digits(12..14)
        && stamp[14] == b':'
        && digits(15..17)
        && stamp[17] == b':'
        && digits(18..20);
    (shaped && t.get(20) == Some(&b' ')).then_some(skip + 21)
}

/// [`Squid::classify`] from bitmaps of the line's first 64 bytes, where the
/// first five fields of a Squid line are (the 5th must start there too, as
/// [`result_field`] wants one after the result code); `None` when they are
/// not, or the line is shorter. A field starts where a non-space follows a
/// space (runs of blanks pad `elapsed`), so all field starts come from one
/// bitmap, where walking the spaces one at a time ([`result_field`], the
/// way for longer first fields) costs a step per space (benches/NOTES.md).
#[inline(always)]
fn classify_in_block(line: &[u8]) -> Option<Line> {
    let block = line.first_chunk::<64>()?;
    let space = mask64(block, b' ');
    let starts = !space & (space << 1 | 1);
    // Drop the first three field starts: the lowest left is the 4th's.
    let fourth = starts & starts.wrapping_sub(1);
    let fourth = fourth & fourth.wrapping_sub(1);
    let fourth = fourth & fourth.wrapping_sub(1);
    let fifth = fourth & fourth.wrapping_sub(1);
    if fifth == 0 {
        return None;
    }
    let start = fourth.trailing_zeros() as usize;
    let from = u64::MAX << start;
    let end = (space & from).trailing_zeros() as usize;
    // The first `/`: before the 4th field it is not the native time,
    // elapsed and client (a `%tl` time), which the walk reads.
    let slash = mask64(block, b'/').trailing_zeros() as usize;
    if slash < start {
        return None;
    }
    Some(match slash {
        s if s > start && s < end => status_token(&line[s + 1..end]),
        _ => Line::Malformed,
    })
}

#[inline]
fn result_field(line: &[u8]) -> Option<&[u8]> {
    // The 4th non-empty space-separated token, provided a 5th follows.
    let mut n = 0;
    let mut start = 0;
    let mut field = None;
    for i in Positions::new(line, b' ').chain(std::iter::once(line.len())) {
        if i > start {
            match n {
                3 => field = Some(&line[start..i]),
                4 => return field,
                _ => {}
            }
            n += 1;
        }
        start = i + 1;
    }
    None
}

/// Detection signature: a `seconds.millis` timestamp (or a `%tl` time)
/// first and an upper-case result code before the `/`.
pub fn looks_squid(line: &[u8]) -> bool {
    let (ts_ok, rest) = match local_time(line) {
        Some(after) => (true, &line[after..]),
        None => {
            let first = line.split(|&b| b == b' ').next().unwrap_or(b"");
            let epoch =
                first.contains(&b'.') && first.iter().all(|&b| b.is_ascii_digit() || b == b'.');
            (epoch, line)
        }
    };
    let code_ok = result_field(rest).is_some_and(|f| {
        f.split(|&b| b == b'/').next().is_some_and(|c| {
            !c.is_empty() && c.iter().all(|&b| b.is_ascii_uppercase() || b == b'_')
        })
    });
    ts_ok && code_ok
}

/// Field `f` of a line, counted from its result field (`TCP_MISS/200`),
/// the first token whose part before `/` is an upper-case code, so that a
/// time written with a space in it (`%tl`) moves nothing: the client
/// before it, then size, method, URL, user and `HIERARCHY/peer` after.
pub fn field(line: &[u8], f: crate::top::Field) -> Option<&[u8]> {
    use super::fields::{path, url_host};
    use crate::top::Field;
    let mut toks: [&[u8]; 12] = [&[]; 12];
    let mut n = 0;
    for t in line
        .split(|&b| b == b' ')
        .filter(|t| !t.is_empty())
        .take(12)
    {
        toks[n] = t;
        n += 1;
    }
    let tokens = &toks[..n];
    let r = tokens.iter().position(|t| {
        t.iter()
            .position(|&b| b == b'/')
            .is_some_and(|p| p > 0 && t[..p].iter().all(|&b| b.is_ascii_uppercase() || b == b'_'))
    })?;
    let at = |i: usize| tokens.get(i).copied();
    let value = match f {
        Field::Client => at(r.checked_sub(1)?),
        Field::Bytes => at(r + 1),
        Field::Method => at(r + 2),
        Field::Url => at(r + 3),
        Field::Path => path(at(r + 3)?),
        Field::Host => url_host(at(r + 3)?),
        Field::Upstream => {
            let h = at(r + 5)?;
            h.iter().position(|&b| b == b'/').map(|p| &h[p + 1..])
        }
        _ => None,
    };
    value.filter(|v| !v.is_empty() && *v != b"-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn bitmaps_read_as_the_walk(line in prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(b" /a0-".to_vec()).prop_map(|b| vec![b]),
                1 => prop::sample::select(vec![
                    &b"1710230400.200"[..], b"    ", b"TCP_MISS/200", b"NONE/000", b"/404", b"X/", b"2000",
                    b"12/Mar/2024:08:00:00 +0000", b"[12/Mar/2024:08:00:00", b"1.2.3.4", b"x/200",
                ]).prop_map(<[u8]>::to_vec),
            ],
            0..40,
        )) {
            let line = line.concat();
            prop_assert_eq!(Squid.classify(&line), classify_walked(&line));
        }
    }

    #[test]
    fn statuses() {
        let l = b"1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://x/ - DIRECT/1.2.3.4 text/html";
        assert_eq!(Squid.classify(l), Line::Status(200));
        assert!(looks_squid(l));
        let l = b"1286536309.000      0 ::1 NONE/000 0 NONE error:invalid-request - HIER_NONE/- -";
        assert_eq!(Squid.classify(l), Line::Status(0));
        let l = b"1286536309.000 5 10.0.0.1 TCP_DENIED/403 3 CONNECT x:443 - HIER_NONE/- text/html";
        assert_eq!(Squid.classify(l), Line::Status(403));
    }

    #[test]
    fn local_time_lines_beside_epoch_ones() {
        for l in [
            "12/Mar/2024:08:00:00 +0000    180 192.168.0.224 TCP_MISS/504 411 GET http://x/ - DIRECT/1.2.3.4 text/html",
            "[12/Mar/2024:08:00:00 -0700] 180 192.168.0.224 TCP_MISS/504 411 GET http://x/ - DIRECT/1.2.3.4 text/html",
            "12/Mar/2024:08:00:00 +0000 5 a-very-long-client-name-that-pushes-fields.example.org TCP_MISS/504 1 GET u",
        ] {
            assert_eq!(Squid.classify(l.as_bytes()), Line::Status(504), "{l}");
            assert!(looks_squid(l.as_bytes()), "{l}");
        }
        for l in [
            "12/Mar/2024:08:00:00 +0000 180 192.168.0.224 TCP_MISS 411 GET",
            "12/Mar/2024:08:00:00 +0000 180 TCP_MISS/200",
            "12/Mar/24:08:00:00 +0000 180 1.2.3.4 TCP_MISS/200 1 GET",
        ] {
            assert_eq!(Squid.classify(l.as_bytes()), Line::Malformed, "{l}");
        }
    }

    #[test]
    fn malformed() {
        for l in [
            "x",
            "1 2 3 TCP_MISS/200",
            "1 2 3 TCP_MISS 200 x",
            "1 2 3 /200 5",
            "1 2 3 TCP_MISS/2000 5",
        ] {
            assert_eq!(Squid.classify(l.as_bytes()), Line::Malformed, "{l}");
        }
        assert!(!looks_squid(b"1.2.3.4 - - [t] \"GET /\" 200 1"));
    }
}
