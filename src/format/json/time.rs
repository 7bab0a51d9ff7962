//! The time of a JSON line: the value of `--time-key`, else of the first
//! top-level member named as loggers name their time.

use memchr::memchr;

use super::blocks::Blocks;
use super::key::{Key, Needle, Quoted, same};
use super::walk::{Found, find};
use crate::bytes::Baseline;
use crate::time::{Clock, Epoch, Stamp};

/// Keys read for a line's time when `--time-key` is not given, any of them
/// at the top level of the object: the first one the line holds counts
/// (Traefik writes `StartUTC` before `time`, which is when the line was
/// written, not when the request came). `start_time` is Envoy's and Istio's
/// `%START_TIME%`.
pub const TIME_KEYS: [&str; 7] = [
    "time",
    "timestamp",
    "@timestamp",
    "ts",
    "date",
    "StartUTC",
    "start_time",
];

/// Any of [`TIME_KEYS`].
#[derive(Clone, Copy)]
struct AnyTimeKey;

impl Needle for AnyTimeKey {
    /// No dotted path to descend along.
    fn path(&self) -> &[u8] {
        b""
    }

    fn is(&self, line: &[u8], p: usize, kend: usize) -> bool {
        let name = &line[p + 1..kend];
        TIME_KEYS.iter().any(|k| same(name, k.as_bytes()))
    }
}

/// `--time-key`: a key path, as `--status-key` takes one.
#[derive(Clone, Debug)]
pub(super) struct TimeKey {
    path: Box<[u8]>,
    quoted: Quoted,
}

impl TimeKey {
    pub(super) fn new(path: &str) -> TimeKey {
        TimeKey {
            path: path.as_bytes().into(),
            quoted: Quoted::new(path.as_bytes()),
        }
    }
}

/// The time of `line`: the value of `key`, else of the first of
/// [`TIME_KEYS`]: an RFC 3339 (or CLF) string, or a number (or a string
/// of one) of epoch seconds, milliseconds, microseconds or nanoseconds,
/// told apart by size.
pub(super) fn stamp(line: &[u8], key: Option<&TimeKey>, clock: &mut Clock) -> Option<Stamp> {
    let open = memchr(b'{', line)?;
    let mut blocks = Blocks::new(Baseline, line, open + 1);
    let found = match key {
        Some(k) => find(
            line,
            &mut blocks,
            open + 1,
            Key {
                path: &k.path,
                quoted: k.quoted,
            },
        ),
        None => find(line, &mut blocks, open + 1, AnyTimeKey),
    };
    let Found::Value(at) = found else {
        return console_time(&line[..open]);
    };
    let v = &line[at..];
    let (text, quoted) = match v.first()? {
        b'"' => (&v[1..1 + memchr(b'"', &v[1..])?], true),
        _ => {
            let n = v
                .iter()
                .take_while(|b| b.is_ascii_digit() || **b == b'.')
                .count();
            (&v[..n], false)
        }
    };
    if text.first()?.is_ascii_digit() && text.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return clock.epoch(text, Epoch::Guess);
    }
    if !quoted {
        return None;
    }
    if text.get(2) == Some(&b'/') {
        clock.clf(text)
    } else {
        clock.iso(text)
    }
}

/// The time of Caddy's console-encoder lines (`1.7102304e+09\tinfo\t…\t{…}`),
/// which write it before the object, as a float.
fn console_time(head: &[u8]) -> Option<Stamp> {
    let first = head.split(|&b| b == b'\t' || b == b' ').next()?;
    if !first.first()?.is_ascii_digit() {
        return None;
    }
    let x: f64 = std::str::from_utf8(first).ok()?.parse().ok()?;
    (x.is_finite() && (0.0..1e11).contains(&x)).then_some(Stamp {
        unix: x as i64,
        offset: 0,
    })
}
