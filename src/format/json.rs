//! JSON-lines logs: Caddy (`status`), Traefik (`DownstreamStatus`, or
//! `OriginStatus` for `--status upstream`) and any JSON log through
//! `--status-key` (a dotted path for nested keys).
//!
//! Nothing is parsed into a DOM: the line is scanned once for the key among
//! the members of the top-level object only, stepping over nested values and
//! over strings with their escapes, so a `"status"` inside a header value or
//! a nested object is never mistaken for the record's. Each member's grammar
//! is checked byte by byte; string contents and nested values are stepped
//! over with per-64-byte bitmaps of quotes and brackets
//! ([`super::json_blocks`]). Against the `memchr2` per string and loop per
//! nested byte this replaced, on the bench fixtures (same process, shared
//! VM): Caddy 1.5–1.75×, plain JSON 1.6×, Traefik 1.3× as fast.
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

use super::json_blocks::{Blocks, bare_end};
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
    // Records start with their object; other lines are searched for one.
    let open = match line.first() {
        Some(b'{') => 0,
        _ => match memchr(b'{', line) {
            Some(open) => open,
            None => return Line::Malformed,
        },
    };
    let mut blocks = Blocks::new(line, open + 1);
    match find(line, &mut blocks, open + 1, path) {
        Found::Value(at) => value(line, &mut blocks, at),
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

/// Looks for `path` among the members of the object whose contents start at
/// `p`. The grammar of each member is checked byte by byte (key, `:`, value,
/// `,` or `}`), so a broken line is malformed; only string contents and
/// nested values are stepped over with the bitmaps of `blocks`.
#[inline(always)]
fn find(line: &[u8], blocks: &mut Blocks, mut p: usize, path: &[u8]) -> Found {
    p = ws(line, p);
    if line.get(p) == Some(&b'}') {
        return Found::Absent(p + 1);
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return Found::Broken;
        }
        // `"key":"value"` without blanks, the commonest member, from the
        // next three quotes of one bitmap: no search waits on another.
        if let Some([kend, open, close]) = blocks.three_quotes_from(p + 1)
            && open == kend + 2
            && line.get(kend + 1) == Some(&b':')
        {
            if same(&line[p + 1..kend], path) {
                return Found::Value(open);
            }
            p = ws(line, close + 1);
            match line.get(p) {
                Some(b',') => p = ws(line, p + 1),
                Some(b'}') => return Found::Absent(p + 1),
                _ => return Found::Broken,
            }
            continue;
        }
        let Some(kend) = blocks.quote_from(p + 1) else {
            return Found::Broken;
        };
        let key = &line[p + 1..kend];
        p = ws(line, kend + 1);
        if line.get(p) != Some(&b':') {
            return Found::Broken;
        }
        p = ws(line, p + 1);
        if same(key, path) {
            return Found::Value(p);
        }
        let descend = path.len() > key.len()
            && path[key.len()] == b'.'
            && same(&path[..key.len()], key)
            && line.get(p) == Some(&b'{');
        if descend {
            match find_nested(line, blocks, p + 1, &path[key.len() + 1..]) {
                Found::Absent(end) => p = end,
                other => return other,
            }
        } else {
            match skip_value(line, blocks, p) {
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

/// [`find`] in a nested object: kept out of line, so that the top level's
/// walk is inlined into [`classify`] (a call per line was measurable on short
/// lines) while the recursion stays a call.
#[inline(never)]
fn find_nested(line: &[u8], blocks: &mut Blocks, p: usize, path: &[u8]) -> Found {
    find(line, blocks, p, path)
}

/// `a == b` without a `memcmp` call, which cost more than comparing the few
/// bytes of a key (most differ in their length or first byte anyway).
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Reads the status value at `p`.
#[inline]
fn value(line: &[u8], blocks: &mut Blocks, p: usize) -> Line {
    match line.get(p) {
        Some(b'"') => match blocks.quote_from(p + 1) {
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

/// Offset just past the value starting at `p` (string, object, array, scalar).
#[inline]
fn skip_value(line: &[u8], blocks: &mut Blocks, p: usize) -> Option<usize> {
    match line.get(p)? {
        b'"' => blocks.quote_from(p + 1).map(|e| e + 1),
        b'{' | b'[' => blocks.close_from(p),
        _ => {
            // Quotes and backslashes in a bare value are part of it, not the
            // strings and escapes the bitmaps took them for.
            let (end, odd) = bare_end(line, p);
            if odd {
                blocks.resync(end);
            }
            (end > p).then_some(end)
        }
    }
}

/// The byte-by-byte scanner this module used before [`Blocks`], kept as the
/// reference the bitmap walk must agree with on every input.
#[cfg(test)]
mod reference {
    use memchr::memchr;

    use crate::format::{Line, status_token};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Key paths the property tests read every line with.
    const PATHS: [&str; 7] = [
        "status",
        "request.status",
        "a",
        "a.b",
        "a.b.c",
        "http.response.status_code",
        "DownstreamStatus",
    ];

    fn same_as_reference(line: &[u8]) -> Result<(), TestCaseError> {
        for path in PATHS {
            let want = reference::classify(line, path.as_bytes());
            let got = classify(line, path.as_bytes());
            prop_assert_eq!(got, want, "{} in {:?}", path, String::from_utf8_lossy(line));
        }
        Ok(())
    }

    fn blank() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "", "", " ", "\t", " \r ", "  "]).prop_map(String::from)
    }

    /// String contents: text, escapes, runs of backslashes, brackets and
    /// decoy members, long enough to cross 64-byte blocks.
    fn string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9 /:.]{0,12}",
            2 => Just(r#"\""#.to_string()),
            1 => Just(r"\\".to_string()),
            1 => (1usize..6).prop_map(|n| "\\".repeat(n) + "x"),
            1 => Just(r#"{\"status\":999}"#.to_string()),
            1 => Just(r#"\"status\": 500, \"a\":{\"b\":1}"#.to_string()),
            1 => prop::sample::select(vec!["{", "}", "[", "]", ",", ":", "\\u0022"]).prop_map(String::from),
            1 => "[a-z]{40,90}",
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| format!("\"{}\"", v.concat()))
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => prop::sample::select(vec![
                "status", "request", "a", "b", "c", "http", "response", "status_code",
                "a.b", "b.c", "http.response", "DownstreamStatus", "x",
            ]).prop_map(|k| format!("\"{k}\"")),
            1 => string(),
        ]
    }

    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            6 => prop::sample::select(vec![
                "0", "200", "404", "999", "1000", "-1", "200.5", "2e2", "007", "\"200\"",
                "\"-\"", "\"000\"", "\"2x0\"", "null", "true", "false", "1710230400.123",
            ]).prop_map(String::from),
            4 => string(),
            // Invalid: quotes and backslashes in bare values and between the
            // items of nested values, where a byte-by-byte reading and the
            // bitmaps part ways.
            1 => prop::sample::select(vec![
                r#"tru"e"#, r#"1""#, r#"x\"y"#, r#"x\\"y"#, r#"\"x""#, r#"\\"x""#, r"\",
            ]).prop_map(String::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let member = (blank(), key(), blank(), blank(), inner.clone(), blank())
                .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
            prop_oneof![
                3 => prop::collection::vec(member, 0..6).prop_map(|m| format!("{{{}}}", m.join(","))),
                1 => prop::collection::vec(inner, 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            ]
        })
    }

    /// JSON-ish lines: an object of random members after an optional prefix,
    /// sometimes with one byte inserted, removed or the line cut short.
    fn json_line() -> impl Strategy<Value = Vec<u8>> {
        let member = (blank(), key(), blank(), blank(), json_value(), blank())
            .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
        let prefix = prop::sample::select(vec!["", "", "", "ts\tinfo\t", "\"x\\\" ", "]} "]);
        let edit = prop_oneof![
            4 => Just(None),
            1 => (any::<prop::sample::Index>(), prop::sample::select(b"{}[]\":,\\ 0t".to_vec()))
                .prop_map(|(i, b)| Some((i, Some(b)))),
            1 => any::<prop::sample::Index>().prop_map(|i| Some((i, None))),
            1 => any::<prop::sample::Index>().prop_map(|i| Some((i, Some(0)))),
        ];
        (prefix, prop::collection::vec(member, 0..10), edit).prop_map(|(pre, members, edit)| {
            let mut line = format!("{pre}{{{}}}", members.join(",")).into_bytes();
            match edit {
                Some((i, Some(0))) => line.truncate(i.index(line.len() + 1)),
                Some((i, Some(b))) => line.insert(i.index(line.len() + 1), b),
                Some((i, None)) if !line.is_empty() => {
                    line.remove(i.index(line.len()));
                }
                _ => {}
            }
            line
        })
    }

    /// Arbitrary bytes from JSON's punctuation, digits and key letters, and
    /// whole tokens, so that members and escapes do form now and then.
    fn junk_line() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            8 => prop::sample::select(b"{}[]\":,\\ 0123456789statusabc\t.".to_vec()).prop_map(|b| vec![b]),
            1 => prop::sample::select(vec![
                &b"\"status\":"[..], b"\"a\":", b"\"b\":{", b"\\\"", b"\\\\", b"{\"", b"\",\"", b"200",
            ]).prop_map(<[u8]>::to_vec),
        ];
        prop::collection::vec(token, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn json_lines_as_the_reference(line in json_line()) {
            same_as_reference(&line)?;
        }

        #[test]
        fn junk_as_the_reference(line in junk_line()) {
            same_as_reference(&line)?;
        }

        #[test]
        fn any_bytes_as_the_reference(line in prop::collection::vec(any::<u8>(), 0..300)) {
            same_as_reference(&line)?;
        }
    }

    #[test]
    fn fixtures_as_the_reference() {
        for name in ["caddy", "json", "traefik-json"] {
            let path = format!("{}/fixtures/formats/{name}.log", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read(path).unwrap();
            for line in data.split(|&b| b == b'\n') {
                same_as_reference(line).unwrap();
            }
        }
    }

    #[test]
    fn invalid_json_read_as_before() {
        for l in [
            r#"{"a":tru"e,"status":200}"#,
            r#"{"a":x\"y,"status":201}"#,
            r#"{"a":x\\"y,"status":202}"#,
            r#"{"a":[\"],"status":1}"#,
            r#"{"a":[\\"],"status":2}"#,
            r#"{"a":{"b":"c"\"d"},"status":3}"#,
            r#"{"a":[1]\,"status":4}"#,
            r#"{"a":tru"e,"b":{"x":1},"status":5}"#,
            r#"{"a":x\\"y,"b":[1],"status":6}"#,
        ] {
            for path in PATHS {
                assert_eq!(
                    classify(l.as_bytes(), path.as_bytes()),
                    reference::classify(l.as_bytes(), path.as_bytes()),
                    "{path} in {l}"
                );
            }
        }
    }
}
