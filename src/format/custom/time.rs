//! The time field of a custom format: which variable holds the time, how
//! it is written, and reading it off a line.
//!
//! The status program ([`super::Custom`]) stops at the status field, and a
//! format may write its time after it (`… $status $msec`), so the time is
//! found by a walk of its own over the format's fields up to the time's,
//! with the status program's rules for where a field ends.

use super::compile::Op;
use crate::format::clf::closing_quote;
use crate::time::{Clock, Epoch, Pattern, Stamp};

/// How a time variable writes the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Written {
    /// `$time_local`, Apache `%t`: `10/Oct/2000:13:55:36 -0700`.
    Clf,
    /// `$time_iso8601`: `2000-10-10T13:55:36-07:00`.
    Iso,
    /// `$msec` (seconds with milliseconds), `%{sec}t`, `%{msec}t`, `%{usec}t`.
    Epoch(Epoch),
    /// `%{…}t` with a strftime pattern.
    Pattern(Pattern),
}

impl Written {
    /// What variable `name` (as the compiler names them: `time_local`, `t`,
    /// `t:%d/%b/%Y`) writes, if a time it can read back: a fraction alone
    /// (`%{msec_frac}t`) or an unreadable pattern is not.
    pub(super) fn of(name: &str) -> Option<Written> {
        match name {
            "time_local" | "t" => return Some(Written::Clf),
            "time_iso8601" => return Some(Written::Iso),
            "msec" => return Some(Written::Epoch(Epoch::Seconds)),
            _ => {}
        }
        let arg = name.strip_prefix("t:")?;
        let arg = arg
            .strip_prefix("begin:")
            .or_else(|| arg.strip_prefix("end:"))
            .unwrap_or(arg);
        match arg {
            "sec" => Some(Written::Epoch(Epoch::Seconds)),
            "msec" => Some(Written::Epoch(Epoch::Millis)),
            "usec" => Some(Written::Epoch(Epoch::Micros)),
            "" => Some(Written::Clf),
            _ => Pattern::compile(arg).map(Written::Pattern),
        }
    }
}

/// The time field of a format: its program up to that field (and the
/// literal after it), the field's place in it, and how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeField {
    pub(super) ops: Vec<Op>,
    pub(super) field: usize,
    pub(super) written: Written,
}

impl TimeField {
    /// The time of `line`, or `None` when the line does not follow the
    /// format up to the time field or the field does not read.
    pub(super) fn stamp(&self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let (a, b) = self.span(line)?;
        let text = &line[a..b];
        match &self.written {
            Written::Clf => clock.clf(text),
            Written::Iso => clock.iso(text),
            Written::Epoch(unit) => clock.epoch(text, *unit),
            Written::Pattern(p) => clock.pattern(p, text),
        }
    }

    /// Where the time field is in `line`.
    fn span(&self, line: &[u8]) -> Option<(usize, usize)> {
        field_span(&self.ops, self.field, line)
    }
}

/// Where field `at` of the program `ops` is in `line`: literals must match
/// where they are expected and each field ends as the status program ends
/// it.
pub(super) fn field_span(ops: &[Op], at: usize, line: &[u8]) -> Option<(usize, usize)> {
    let mut p = 0;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Lit(l) => {
                line[p..].starts_with(l).then_some(())?;
                p += l.len();
            }
            Op::Field { quoted, .. } => {
                let next = match ops.get(i + 1) {
                    Some(Op::Lit(l)) => Some(l.as_slice()),
                    _ => None,
                };
                let end = field_end(line, p, next, *quoted)?;
                if i == at {
                    return Some((p, end));
                }
                p = end;
            }
        }
    }
    None
}

/// Where a field starting at `p` ends, given the literal after it: at the
/// first unescaped quote for a quoted field, at the first space when the
/// literal starts with one, else at the literal's first occurrence; a last
/// field ends at the first blank.
pub(super) fn field_end(line: &[u8], p: usize, next: Option<&[u8]>, quoted: bool) -> Option<usize> {
    let blank = |stop: &dyn Fn(u8) -> bool| {
        line[p..]
            .iter()
            .position(|&b| stop(b))
            .map_or(line.len(), |n| p + n)
    };
    match next {
        None => Some(blank(&|b| b == b' ' || b == b'\t')),
        Some(l) if quoted => closing_quote(line, p).filter(|&q| line[q..].starts_with(l)),
        Some(l) if l[0] == b' ' => Some(blank(&|b| b == b' ')),
        Some(l) => memchr::memmem::find(&line[p..], l).map(|q| p + q),
    }
}
