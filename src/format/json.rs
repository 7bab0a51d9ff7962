//! JSON-lines logs: Caddy (`status`), Traefik (`DownstreamStatus`, or
//! `OriginStatus` for `--status upstream`) and any JSON log through
//! `--status-key` (a dotted path for nested keys).
//!
//! Nothing is parsed into a DOM: the line is scanned once, byte by byte, for
//! the key among the members of the top-level object only, stepping over
//! nested values and over strings with their escapes, so a `"status"` inside
//! a header value or a nested object is never mistaken for the record's.
//! Scanning stops once the status is read; the rest of the line is not
//! validated.
//!
//! A dotted path `a.b.c` matches both the nested `{"a":{"b":{"c":…}}}` and
//! flat keys that contain dots (`{"a.b.c":…}`, as ECS-style loggers write);
//! at each level a key equal to the whole remaining path wins, a key equal to
//! its first segment(s) is descended into.
//!
//! Values: a non-negative integer up to 999 or a string holding a status token
//! (`"200"`, `"000"`) is a status; `0` is code 0. `null` and `"-"` are
//! `no_status`: the record is well formed and says explicitly that there was
//! no status. An absent key, a line without an object (other log messages
//! interleaved in the same file) and any other value are malformed.
//!
//! Keys are compared as raw bytes: a key spelled with `\u` escapes is not
//! recognised (no logger writes ASCII key names that way).
//!
//! Anything before the first `{` is ignored, which accepts Caddy v2's older
//! console-encoder lines (`ts\tlevel\tlogger\tmsg\t{…}`).

use memchr::memchr;

use super::{Extractor, Line, status_token};

/// Status keys tried, in order, when the format is plain `json` and
/// `--status-key` is not given.
pub const WELL_KNOWN_KEYS: [&str; 12] = [
    "status",
    "status_code",
    "statusCode",
    "http_status",
    "response_status",
    "DownstreamStatus",
    "http.response.status_code",
    "response.status",
    "res.statusCode",
    // Google Cloud LogEntry (Cloud Run, load balancers).
    "httpRequest.status",
    // Azure Front Door / Application Gateway.
    "httpStatusCode",
    "http.status_code",
];

/// The JSON extractor for one key path.
#[derive(Clone, Debug)]
pub struct Json {
    path: Box<[u8]>,
}

impl Json {
    pub fn new(path: &str) -> Self {
        Json {
            path: path.as_bytes().into(),
        }
    }
}

impl Extractor for Json {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        classify(line, &self.path)
    }
}

/// Classifies one line for a key path.
#[inline]
pub fn classify(line: &[u8], path: &[u8]) -> Line {
    let Some(open) = memchr(b'{', line) else {
        return Line::Malformed;
    };
    match find(line, open + 1, path) {
        Found::Value(at) => value(line, at),
        Found::Absent(_) | Found::Broken => Line::Malformed,
    }
}

enum Found {
    /// Offset of the first byte of the key's value.
    Value(usize),
    /// The object ended without the key; offset just past its `}`.
    Absent(usize),
    /// Not valid JSON where it mattered.
    Broken,
}

/// Looks for `path` among the members of the object whose contents start at `p`.
fn find(line: &[u8], mut p: usize, path: &[u8]) -> Found {
    p = ws(line, p);
    if line.get(p) == Some(&b'}') {
        return Found::Absent(p + 1);
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return Found::Broken;
        }
        let Some(kend) = string_end(line, p + 1) else {
            return Found::Broken;
        };
        let key = &line[p + 1..kend];
        p = ws(line, kend + 1);
        if line.get(p) != Some(&b':') {
            return Found::Broken;
        }
        p = ws(line, p + 1);
        if key == path {
            return Found::Value(p);
        }
        let descend = path.len() > key.len()
            && path.starts_with(key)
            && path[key.len()] == b'.'
            && line.get(p) == Some(&b'{');
        if descend {
            match find(line, p + 1, &path[key.len() + 1..]) {
                Found::Absent(end) => p = end,
                other => return other,
            }
        } else {
            match skip_value(line, p) {
                Some(end) => p = end,
                None => return Found::Broken,
            }
        }
        p = ws(line, p);
        match line.get(p) {
            Some(b',') => p = ws(line, p + 1),
            Some(b'}') => return Found::Absent(p + 1),
            _ => return Found::Broken,
        }
    }
}

/// Reads the status value at `p`.
fn value(line: &[u8], p: usize) -> Line {
    match line.get(p) {
        Some(b'"') => match string_end(line, p + 1) {
            Some(end) => status_token(&line[p + 1..end]),
            None => Line::Malformed,
        },
        Some(b'0'..=b'9') => {
            let end = line[p..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(line.len(), |n| p + n);
            // `200.5`, `2e2`: not an integer status.
            if matches!(line.get(end), Some(b'.' | b'e' | b'E')) {
                return Line::Malformed;
            }
            status_token(&line[p..end])
        }
        _ if line[p.min(line.len())..].starts_with(b"null") => Line::NoStatus,
        _ => Line::Malformed,
    }
}

/// Skips spaces, tabs and other JSON whitespace.
#[inline]
fn ws(line: &[u8], mut p: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(p) {
        p += 1;
    }
    p
}

/// Offset of the `"` closing a string whose contents start at `p`.
#[inline]
fn string_end(line: &[u8], mut p: usize) -> Option<usize> {
    loop {
        // Strings (URIs, user agents, headers) are most of a JSON log's bytes:
        // a SIMD search for the two bytes that can end or escape them.
        let q = p + memchr::memchr2(b'"', b'\\', &line[p.min(line.len())..])?;
        if line[q] == b'"' {
            return Some(q);
        }
        p = q + 2;
    }
}

/// Offset just past the value starting at `p` (string, object, array, scalar).
fn skip_value(line: &[u8], p: usize) -> Option<usize> {
    match line.get(p)? {
        b'"' => string_end(line, p + 1).map(|e| e + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut q = p;
            loop {
                match line.get(q)? {
                    b'"' => q = string_end(line, q + 1)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(q + 1);
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
        }
        _ => {
            let n = line[p..]
                .iter()
                .position(|&b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t'))
                .unwrap_or(line.len() - p);
            (n > 0).then_some(p + n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(line: &str, key: &str) -> Line {
        Json::new(key).classify(line.as_bytes())
    }

    #[test]
    fn top_level_key_only() {
        let l = r#"{"request":{"status":500,"headers":{"X":["\"status\":404"]}},"msg":"a \"status\": 1","status":200}"#;
        assert_eq!(st(l, "status"), Line::Status(200));
        assert_eq!(st(l, "request.status"), Line::Status(500));
        assert_eq!(
            st(r#"{"request":{"status":500}}"#, "status"),
            Line::Malformed
        );
    }

    #[test]
    fn values() {
        assert_eq!(st(r#"{"status":0}"#, "status"), Line::Status(0));
        assert_eq!(st(r#"{"status": "404" }"#, "status"), Line::Status(404));
        assert_eq!(st(r#"{"status":"000"}"#, "status"), Line::Status(0));
        assert_eq!(st(r#"{"status":null}"#, "status"), Line::NoStatus);
        assert_eq!(st(r#"{"status":"-"}"#, "status"), Line::NoStatus);
        assert_eq!(st(r#"{"status":200.5}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":1000}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":-1}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":true}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"status":[200]}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{"other":200}"#, "status"), Line::Malformed);
        assert_eq!(st(r#"{}"#, "status"), Line::Malformed);
    }

    #[test]
    fn dotted_paths_nested_and_flat() {
        let nested = r#"{"http":{"request":{},"response":{"body":{"bytes":1},"status_code":503}}}"#;
        assert_eq!(st(nested, "http.response.status_code"), Line::Status(503));
        let flat = r#"{"http.response.status_code":201}"#;
        assert_eq!(st(flat, "http.response.status_code"), Line::Status(201));
        let mixed = r#"{"http":{"x":1},"http.response":{"status_code":202}}"#;
        assert_eq!(st(mixed, "http.response.status_code"), Line::Status(202));
    }

    #[test]
    fn prefix_before_object_and_traefik_keys() {
        let caddy = "1.6e+09\tinfo\thttp.log.access\thandled request\t{\"request\": {\"uri\": \"/\"}, \"status\": 0}";
        assert_eq!(st(caddy, "status"), Line::Status(0));
        let t = r#"{"DownstreamStatus":502,"OriginStatus":0}"#;
        assert_eq!(st(t, "DownstreamStatus"), Line::Status(502));
        assert_eq!(st(t, "OriginStatus"), Line::Status(0));
    }

    #[test]
    fn broken_json_is_malformed_not_panic() {
        for l in [
            "",
            "{",
            "{\"",
            "{\"status\"",
            "{\"status\":",
            "{\"a\":\"\\",
            "{\"a\":{\"b\":[}",
            "{\"a\" 1, \"status\": 200}",
            "{a:1,\"status\":200}",
            "{\"a\":1 \"status\":200}",
            "}{",
            "{\"a\":\"x\\\"}",
        ] {
            assert_eq!(st(l, "status"), Line::Malformed, "{l:?}");
        }
    }
}
