//! Envoy's text and JSON access logs in one stream: two access loggers on
//! one stdout (a listener logging text, another JSON), or a configuration
//! changed from one to the other while the container kept its log.
//!
//! Only this pair is read mixed, and only when the sample shows both: a line
//! that starts with `{` is read as JSON with Envoy's (and Istio's)
//! `response_code` key, any other line as Envoy's default text format. Both
//! kinds count; a JSON record without the key is skipped as not a request,
//! as in a JSON log.

use super::clf::Clf;
use super::json::Json;
use super::{Format, FormatOptions, Preset, Sample};
use crate::lines::{Extractor, Line};
use crate::time::{Clock, Stamp};
use crate::top::Wanted;

/// The key Envoy's JSON access logs (and Istio's) hold the status in.
pub const KEY: &str = "response_code";

/// Envoy text lines and JSON lines.
#[derive(Clone, Debug)]
pub struct EnvoyMixed {
    json: Json,
}

impl Default for EnvoyMixed {
    fn default() -> Self {
        EnvoyMixed {
            json: Json::new(KEY),
        }
    }
}

impl Extractor for EnvoyMixed {
    fn classify(&mut self, line: &[u8]) -> Line {
        if line.first() == Some(&b'{') {
            self.json.classify(line)
        } else {
            Clf.classify(line)
        }
    }

    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        if line.first() == Some(&b'{') {
            self.json.timestamp(line, clock)
        } else {
            super::clf::timestamp(line, clock)
        }
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        if line.first() == Some(&b'{') {
            self.json.field(line, want, buf)
        } else {
            super::clf::field(super::clf::Layout::Envoy, line, want.field)
        }
    }
}

/// The mixed format, when the sample's lines have both kinds (at least one
/// of each: a single text line among JSON ones is still a request) and
/// together they are most of its lines. Text lines must start with Envoy's
/// `[time]`.
pub fn pick(s: &Sample, p: &'static Preset, _: &FormatOptions) -> Option<Format> {
    let objects = s
        .lines()
        .iter()
        .filter(|l| l.first() == Some(&b'{'))
        .count();
    if objects == 0 || objects == s.lines().len() {
        return None;
    }
    let read = |l: Line| matches!(l, Line::Status(_) | Line::NoStatus);
    let mut json = Json::new(KEY);
    let (mut text, mut objects) = (0usize, 0usize);
    for l in s.lines() {
        match l.first() {
            Some(b'{') if read(json.classify(l)) => objects += 1,
            Some(b'[') if read(Clf.classify(l)) => text += 1,
            _ => {}
        }
    }
    (text > 0 && objects > 0 && (text + objects) * 2 > s.lines().len()).then(|| Format::of(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_kinds() {
        let mut ex = EnvoyMixed::default();
        let text = br#"[2024-03-12T08:00:00.123Z] "GET / HTTP/1.1" 503 UF 0 0 1 - "-" "curl" "id" "x" "10.0.0.1:80""#;
        assert_eq!(ex.classify(text), Line::Status(503));
        assert_eq!(
            ex.classify(br#"{"start_time":"t","response_code":200}"#),
            Line::Status(200)
        );
        assert_eq!(ex.classify(br#"{"msg":"draining"}"#), Line::NotRequest);
        assert_eq!(ex.classify(b"[info] starting"), Line::Malformed);
    }
}
