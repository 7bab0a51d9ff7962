//! Log formats: one status extractor per format, chosen once per input.
//!
//! An [`Extractor`] classifies one line (without its `\n`, with a trailing `\r`
//! already removed) into a [`Line`]. The scan engine calls it through
//! [`AnyExtractor::count`], which matches on the format **once per chunk** and
//! then runs a loop monomorphised for that format, so no format pays for
//! another's checks and the per-line loop has no dynamic dispatch.

pub mod clf;

use crate::scan::{Sink, count_lines};

/// What one line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// A status code 0–999 was read (`000` is 0).
    Status(u16),
    /// A well-formed record whose status field is `-`.
    NoStatus,
    /// A blank line or a directive (W3C `#Fields:` …).
    Skipped,
    /// No status could be read.
    Malformed,
}

/// A per-format status reader. `classify` must never panic and must not
/// allocate; state (e.g. the current W3C `#Fields:` layout) lives in `self`.
pub trait Extractor: Clone + Send {
    fn classify(&mut self, line: &[u8]) -> Line;
}

/// Settings that change what an extractor reads, from the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// `--status-key`: JSON key (dotted path) holding the status.
    pub status_key: Option<String>,
    /// `--status upstream`: count the backend's status where a format logs two.
    pub upstream: bool,
}

/// A log format, detected or forced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// The Common Log Format family; all flavors share one extractor.
    Clf(clf::Flavor),
}

impl Format {
    /// Short name shown in reports (`combined`, `w3c`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Format::Clf(f) => f.name(),
        }
    }

    /// A fresh extractor for one input (or one chunk of it).
    pub fn extractor(&self, _opts: &FormatOptions) -> AnyExtractor {
        match self {
            Format::Clf(_) => AnyExtractor::Clf(clf::Clf),
        }
    }
}

/// Every extractor, in one enum so the scan engine can hold any of them
/// without boxing and dispatch once per chunk.
#[derive(Clone, Debug)]
pub enum AnyExtractor {
    Clf(clf::Clf),
}

impl AnyExtractor {
    /// True when lines depend on earlier lines (W3C `#Fields:`), so chunks of
    /// one input must be counted in order by one extractor.
    pub fn sequential(&self) -> bool {
        match self {
            AnyExtractor::Clf(_) => false,
        }
    }

    /// Counts every line of `chunk` into `sink`.
    pub fn count(&mut self, chunk: &[u8], sink: &mut Sink) {
        match self {
            AnyExtractor::Clf(e) => count_lines(e, chunk, sink),
        }
    }
}

/// `--log-format`: automatic detection or one format for every input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FormatChoice {
    #[default]
    Auto,
    Fixed(Format),
}

/// Parses a `--log-format` value: `auto` or a preset name.
pub fn parse_choice(s: &str) -> Result<FormatChoice, String> {
    match s {
        "auto" => Ok(FormatChoice::Auto),
        other => clf::Flavor::from_name(other)
            .map(|f| FormatChoice::Fixed(Format::Clf(f)))
            .ok_or_else(|| {
                format!(
                    "unknown log format '{other}' (try: auto, common, combined, vcommon, vcombined)"
                )
            }),
    }
}

/// Why no format fits an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectError {
    /// Names of the formats tried.
    pub tried: Vec<&'static str>,
}

impl std::fmt::Display for DetectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no known log format fits its first lines (tried: {}); pass --log-format with a preset name or your server's format string",
            self.tried.join(", ")
        )
    }
}

/// Picks the format of an input from a sample of its first bytes (whole lines;
/// the last may be cut). A sample with no non-blank line is `Ok` with the
/// default format, since an empty input is a valid (empty) log.
pub fn detect(sample: &[u8], _opts: &FormatOptions) -> Result<Format, DetectError> {
    match clf::detect(sample) {
        Some(f) => Ok(Format::Clf(f)),
        None if sample_lines(sample).next().is_none() => Ok(Format::Clf(clf::Flavor::Combined)),
        None => Err(DetectError {
            tried: vec!["common", "combined", "vcommon", "vcombined"],
        }),
    }
}

/// The non-blank lines of a detection sample (at most 64), `\r` removed.
pub fn sample_lines(sample: &[u8]) -> impl Iterator<Item = &[u8]> {
    sample
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !is_blank(l))
        .take(64)
}

/// A blank line: empty or only spaces and tabs. Counted as `skipped`.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Reads a status token: `-` is [`Line::NoStatus`], 1–3 ASCII digits a code
/// (`000` is 0), anything else [`Line::Malformed`].
#[inline]
pub fn status_token(tok: &[u8]) -> Line {
    match *tok {
        [a] if a.is_ascii_digit() => Line::Status((a - b'0') as u16),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 10 + (b - b'0') as u16)
        }
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 100 + (b - b'0') as u16 * 10 + (c - b'0') as u16)
        }
        [b'-'] => Line::NoStatus,
        _ => Line::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_tokens() {
        assert_eq!(status_token(b"200"), Line::Status(200));
        assert_eq!(status_token(b"000"), Line::Status(0));
        assert_eq!(status_token(b"009"), Line::Status(9));
        assert_eq!(status_token(b"7"), Line::Status(7));
        assert_eq!(status_token(b"42"), Line::Status(42));
        assert_eq!(status_token(b"-"), Line::NoStatus);
        assert_eq!(status_token(b"1000"), Line::Malformed);
        assert_eq!(status_token(b"abc"), Line::Malformed);
        assert_eq!(status_token(b""), Line::Malformed);
        assert_eq!(status_token(b"2x0"), Line::Malformed);
        assert_eq!(status_token(b"--"), Line::Malformed);
    }

    #[test]
    fn blank_lines() {
        assert!(is_blank(b""));
        assert!(is_blank(b" \t "));
        assert!(!is_blank(b" x"));
    }
}
