use super::*;
use crate::lines::Counts;
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
        Line::NotRequest
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
    assert_eq!(st(r#"{"status":""}"#, "status"), Line::NoStatus);
    assert_eq!(st(r#"{"status":" "}"#, "status"), Line::Malformed);
}

#[test]
fn an_object_without_the_key_is_not_a_request() {
    assert_eq!(st(r#"{"other":200}"#, "status"), Line::NotRequest);
    assert_eq!(st(r#"{}"#, "status"), Line::NotRequest);
    assert_eq!(st("{\"msg\":\"started\"} \t", "status"), Line::NotRequest);
    assert_eq!(st(r#"{"a":{"b":1}}"#, "a.c"), Line::NotRequest);
    // Not one complete object: not a record this format knows.
    assert_eq!(st(r#"{"other":200} x"#, "status"), Line::Malformed);
    assert_eq!(
        st(r#"{"other":200}{"status":200}"#, "status"),
        Line::Malformed
    );
    assert_eq!(st(r#"ts {"other":200}"#, "status"), Line::Malformed);
    assert_eq!(st(r#"{"other":200"#, "status"), Line::Malformed);
    assert_eq!(st(r#"{"other":}"#, "status"), Line::Malformed);
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
const PATHS: [&str; 9] = [
    "status",
    "status_code",
    "x",
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
            // Near misses for the word compare of quoted keys.
            "statu", "statuss", "Status", r#"status\""#, r#"a\"status"#, r"status\\",
            "status_cod", "status_codes",
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

/// Counts of a chunk by `count_chunk` (the engine's loop: on a CPU with
/// AVX2, the 32-byte-lane bitmaps) and line by line by the reference.
fn both_counts(chunk: &[u8], path: &str) -> (Counts, Counts) {
    #[derive(Clone)]
    struct Reference<'a>(&'a [u8]);
    impl Extractor for Reference<'_> {
        fn classify(&mut self, line: &[u8]) -> Line {
            reference::classify(line, self.0)
        }
    }
    let (mut got, mut want) = (Counts::default(), Counts::default());
    Json::new(path).count_chunk(chunk, &mut Sink::new(&mut got, false));
    count_lines(
        &mut Reference(path.as_bytes()),
        chunk,
        &mut Sink::new(&mut want, false),
    );
    (got, want)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn count_chunk_as_the_reference(
        lines in prop::collection::vec(
            (prop_oneof![3 => json_line(), 1 => junk_line()], prop::sample::select(vec![&b"\n"[..], b"\r\n"])),
            0..20,
        ),
        path in prop::sample::select(PATHS.to_vec()),
    ) {
        let mut chunk = Vec::new();
        for (line, end) in lines {
            chunk.extend_from_slice(&line);
            chunk.extend_from_slice(end);
        }
        let (got, want) = both_counts(&chunk, path);
        prop_assert_eq!(got, want);
    }
}

#[test]
fn fixtures_counted_as_the_reference() {
    for name in ["caddy", "json", "traefik-json"] {
        let path = format!("{}/fixtures/formats/{name}.log", env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(path).unwrap();
        for key in PATHS {
            let (got, want) = both_counts(&data, key);
            assert_eq!(got, want, "{name} with {key}");
        }
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
fn invalid_json_read_as_the_reference_reads_it() {
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
