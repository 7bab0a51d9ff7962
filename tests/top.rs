//! `--top`: fields read per format, counts by value against a plain
//! line-by-line count (fixtures, generated logs, the corpus) for any thread
//! count and chunking, the error bound once memory runs short, and the
//! command line's refusals.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;

use logstat::format::{Format, FormatChoice, FormatOptions, parse_choice};
use logstat::lines::Line;
use logstat::scan::{ScanOptions, scan};
use logstat::summary::Top;
use logstat::top::{CodeMask, Field, Grouping, TopSpec, Wanted};

mod common;
use common::logstat;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/formats")
        .join(name)
}

/// What a `--top` should find, counted line by line: value → (count,
/// codes), selected, missing.
#[derive(Debug, Default, PartialEq)]
struct Want {
    values: HashMap<Vec<u8>, (u64, HashMap<u16, u64>)>,
    selected: u64,
    missing: u64,
}

/// A line-by-line count of `spec` over `data`, with `format` read as the
/// scan reads it: each line without its `\r`, blank ones skipped.
fn reference(data: &[u8], format: &Format, spec: &TopSpec) -> Want {
    let mut ex = format.extractor(&FormatOptions::default());
    let mut want = Want::default();
    let mut grouped = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let Line::Status(code) = ex.classify(line) else {
            continue;
        };
        if !spec.mask.picks(code) {
            continue;
        }
        want.selected += 1;
        let Some(mut v) = ex.field_of(line, &spec.wanted) else {
            want.missing += 1;
            continue;
        };
        if let Some(g) = &spec.group {
            g.fold(&v, &mut grouped);
            v = grouped.clone();
        }
        let e = want.values.entry(v).or_default();
        e.0 += 1;
        *e.1.entry(code).or_default() += 1;
    }
    want
}

/// The same, as the scan answered it (every row asked for).
fn answered(top: &Top) -> Want {
    assert!(top.exact, "{} is not exact", top.field);
    assert_eq!(top.error_bound, 0);
    Want {
        values: top
            .rows
            .iter()
            .map(|r| {
                let codes = r.codes.iter().map(|(&c, &n)| (c, n)).collect();
                (r.value.clone(), (r.count, codes))
            })
            .collect(),
        selected: top.selected,
        missing: top.missing,
    }
}

fn spec(field: Field, mask: CodeMask) -> TopSpec {
    TopSpec {
        wanted: Wanted::named(field),
        mask,
        selector: None,
        rows: usize::MAX,
        group: None,
    }
}

/// Scans `path` with `specs` on `threads` threads in chunks of `chunk`
/// bytes (0: the default), `memory` bytes for the counts (0: default).
fn scan_top(
    path: &Path,
    specs: &[TopSpec],
    threads: usize,
    chunk: usize,
    memory: usize,
) -> Vec<Top> {
    let opts = ScanOptions {
        threads,
        chunk_size: chunk,
        top: specs.to_vec(),
        top_memory: memory,
        ..ScanOptions::default()
    };
    let s = scan(&[path.to_path_buf()], &opts, None);
    assert!(!s.has_errors(), "{:?}", s.inputs[0].error);
    s.top
}

/// Every field `path`'s format has, counted over all requests, equals the
/// line-by-line count, for default and tiny chunks and several threads.
fn check_all_fields(path: &Path) -> Result<(), String> {
    let data = std::fs::read(path).unwrap();
    let format = FormatChoice::Auto
        .resolve(&data[..data.len().min(64 << 10)], &FormatOptions::default())
        .map_err(|e| e.to_string())?;
    let specs: Vec<TopSpec> = format
        .fields()
        .into_iter()
        .filter(|&f| f != Field::Key)
        .map(|f| spec(f, CodeMask::all()))
        .collect();
    if specs.is_empty() {
        return Err(format!("{}: no fields", path.display()));
    }
    for (threads, chunk) in [(1, 0), (3, 61), (2, 4096)] {
        let tops = scan_top(path, &specs, threads, chunk, 0);
        for (s, top) in specs.iter().zip(&tops) {
            let want = reference(&data, &format, s);
            let got = answered(top);
            if got != want {
                return Err(format!(
                    "{} ({}) --top {} -j {threads} --chunk-size {chunk}:\n  want {want:?}\n  got  {got:?}",
                    path.display(),
                    format.name(),
                    s.wanted.label()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn fixture_counts_by_value_equal_a_line_by_line_count() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &logstat::format::PRESETS {
        let path = fixture(&format!("{}.log", p.name));
        if !path.exists() {
            continue;
        }
        checked += 1;
        if let Err(e) = check_all_fields(&path) {
            failures.push(e);
        }
    }
    assert!(checked >= 14, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_counts_by_value_equal_a_line_by_line_count() {
    fn logs(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                logs(&p, out);
            } else if p.to_string_lossy().ends_with(".log") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    logs(&common::corpus_dir(), &mut files);
    files.sort();
    assert!(!files.is_empty());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check_all_fields(f).err())
        .collect();
    eprintln!(
        "corpus: {} logs, {} mismatches",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One request's fields, as a format reads them.
fn fields_of(format: &Format, line: &str) -> Vec<(Field, Option<String>)> {
    let mut ex = format.extractor(&FormatOptions::default());
    format
        .fields()
        .into_iter()
        .filter(|&f| f != Field::Key)
        .map(|f| {
            let v = ex.field_of(line.as_bytes(), &Wanted::named(f));
            (f, v.map(|v| String::from_utf8_lossy(&v).into_owned()))
        })
        .collect()
}

/// A fixture, which of its requests, and the fields read from it.
type Case = (&'static str, usize, Vec<(Field, Option<String>)>);

/// Each format's fields, read from a line of its fixture; every field its
/// preset lists, and nothing else.
#[test]
fn every_format_reads_the_fields_it_lists() {
    use Field::*;
    let first_request = |name: &str, nth: usize| -> String {
        let text = std::fs::read_to_string(fixture(&format!("{name}.log"))).unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .nth(nth)
            .unwrap()
            .to_string()
    };
    let s = |v: &str| Some(v.to_string());
    let cases: Vec<Case> = vec![
        (
            "common",
            1,
            vec![
                (Path, s("/apache_pb.gif")),
                (Url, s("/apache_pb.gif")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.0")),
                (Client, s("host-12.example.net")),
                (Bytes, None),
            ],
        ),
        (
            "combined",
            1,
            vec![
                (Path, s("/api/login")),
                (Url, s("/api/login")),
                (Method, s("POST")),
                (Protocol, s("HTTP/2.0")),
                (Client, s("2001:db8::42")),
                (
                    Agent,
                    s("Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"),
                ),
                (Referer, s("https://example.org/a b")),
                (Bytes, s("0")),
            ],
        ),
        (
            "vcommon",
            1,
            vec![
                (Path, s("/v1/items")),
                (Url, s("/v1/items")),
                (Method, s("GET")),
                (Protocol, s("HTTP/2.0")),
                (Host, s("api.example.org:443")),
                (Client, s("2001:db8::7")),
                (Bytes, s("31")),
            ],
        ),
        (
            "vcombined",
            3,
            vec![
                (Path, s("/a b c")),
                (Url, s("/a b c")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Host, s("www.example.org:443")),
                (Client, s("203.0.113.9")),
                (Agent, None),
                (Referer, None),
                (Bytes, s("0")),
            ],
        ),
        (
            "envoy",
            0,
            vec![
                (Path, s("/api/v1/items")),
                (Url, s("/api/v1/items?q=a%20b")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Host, s("example.org")),
                (Agent, s("Mozilla/5.0 (X11; Linux)")),
                (Upstream, s("10.0.0.5:8080")),
                (Bytes, s("512")),
            ],
        ),
        (
            "traefik",
            0,
            vec![
                (Path, s("/a b")),
                (Url, s("/a b")),
                (Method, s("GET")),
                (Protocol, s("HTTP/2.0")),
                (Client, s("203.0.113.7")),
                (Agent, s("Mozilla/5.0 (X11)")),
                (Referer, None),
                (Upstream, s("http://172.18.0.6:80")),
                (Bytes, s("512")),
            ],
        ),
        (
            "traefik",
            1,
            vec![
                (Path, s("/a b")),
                (Url, s("/a b")),
                (Method, s("GET")),
                (Protocol, s("HTTP/2.0")),
                (Client, s("203.0.113.7")),
                (Agent, s("Mozilla/5.0 (X11)")),
                (Referer, None),
                (Upstream, None),
                (Bytes, s("512")),
            ],
        ),
        (
            "envoy",
            1,
            vec![
                (Path, None),
                (Url, None),
                (Method, None),
                (Protocol, None),
                (Host, s("example.org")),
                (Agent, s("Mozilla/5.0 (X11; Linux)")),
                (Upstream, s("10.0.0.5:8080")),
                (Bytes, s("512")),
            ],
        ),
        (
            "haproxy",
            1,
            vec![
                (Path, s("/a b")),
                (Url, s("/a b")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Client, s("203.0.113.7")),
                (Upstream, s("be_app/app1")),
                (Bytes, s("512")),
            ],
        ),
        (
            "nginx-proxy-manager",
            1,
            vec![
                (Path, s("/app.js")),
                (Url, s("/app.js?v=3")),
                (Method, s("GET")),
                (Host, s("static.example.com")),
                (Client, s("2001:db8::7")),
                (Agent, s("okhttp/4.12")),
                (Referer, s("https://example.com/")),
                (Upstream, s("10.0.0.3")),
                (Bytes, s("0")),
            ],
        ),
        (
            "squid",
            2,
            vec![
                (Path, s("example.org:443")),
                (Url, s("example.org:443")),
                (Method, s("CONNECT")),
                (Host, s("example.org")),
                (Client, s("192.168.0.224")),
                (Upstream, s("203.0.113.7")),
                (Bytes, s("4120")),
            ],
        ),
        (
            "alb",
            0,
            vec![
                (Path, s("/")),
                (Url, s("https://www.example.org:443/")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Host, s("www.example.org")),
                (Client, s("203.0.113.7")),
                (Agent, s("Mozilla/5.0 (X11; Linux)")),
                (Upstream, s("10.0.0.5:80")),
                (Bytes, s("512")),
            ],
        ),
        (
            "elb",
            1,
            vec![
                (Path, s("/a%20b")),
                (Url, s("http://www.example.org:80/a%20b")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Host, s("www.example.org")),
                (Client, s("203.0.113.7")),
                (Agent, s("Mozilla/5.0 (X11; Linux x86_64)")),
                (Upstream, None),
                (Bytes, s("612")),
            ],
        ),
        (
            "caddy",
            1,
            vec![
                (Path, s("/missing file")),
                (Url, s("/missing file")),
                (Method, s("GET")),
                (Protocol, s("HTTP/2.0")),
                (Host, s("example.org")),
                (Client, s("fe80::1%eth0")),
                (Agent, s("Mozilla/5.0 (X11; Linux)")),
                (Referer, None),
                (Bytes, s("512")),
            ],
        ),
        (
            "traefik-json",
            0,
            vec![
                (Path, s("/a b")),
                (Url, s("/a b?\"q\"")),
                (Method, s("GET")),
                (Protocol, s("HTTP/1.1")),
                (Host, None),
                (Client, s("2001:db8::7")),
                (Agent, None),
                (Referer, None),
                (Upstream, None),
                (Bytes, s("19")),
            ],
        ),
        (
            "json",
            0,
            vec![
                (Path, s("/a")),
                (Url, s("/a")),
                (Method, s("GET")),
                (Protocol, None),
                (Host, None),
                (Client, s("::1")),
                (Agent, None),
                (Referer, None),
                (Upstream, None),
                (Bytes, s("10")),
            ],
        ),
    ];
    for (name, nth, want) in cases {
        let line = first_request(name, nth);
        let data = std::fs::read(fixture(&format!("{name}.log"))).unwrap();
        let format = FormatChoice::Auto
            .resolve(&data, &FormatOptions::default())
            .unwrap();
        assert_eq!(format.name(), name);
        assert_eq!(fields_of(&format, &line), want, "{name}: {line}");
    }
}

/// A wrapper reads the fields of the line it carries by its inner format:
/// behind a prefix as a slice of the line, inside an envelope from the
/// unescaped string.
#[test]
fn wrappers_read_the_fields_of_the_lines_they_carry() {
    let inner = r#"10.244.0.1 - - [12/Mar/2024:08:00:01 +0000] "GET /healthz?x=1 HTTP/1.1" 200 2 "-" "kube-probe/1.29""#;
    let envelope = format!(
        r#"{{"log":"{}\n","stream":"stdout"}}"#,
        inner.replace('"', "\\\"")
    );
    for (format, line) in [
        (
            "cri+combined",
            format!("2024-03-12T08:00:01.000000001Z stdout F {inner}"),
        ),
        ("compose+combined", format!("web-1  | {inner}")),
        ("docker-json+combined", envelope),
    ] {
        let Ok(FormatChoice::Fixed(f)) = parse_choice(format, &FormatOptions::default()) else {
            panic!("{format} does not parse");
        };
        let got = fields_of(&f, &line);
        let get = |field: Field| {
            got.iter()
                .find(|(g, _)| *g == field)
                .and_then(|(_, v)| v.clone())
        };
        assert_eq!(
            get(Field::Path).as_deref(),
            Some("/healthz"),
            "{format}: {line}"
        );
        assert_eq!(get(Field::Url).as_deref(), Some("/healthz?x=1"), "{format}");
        assert_eq!(
            get(Field::Client).as_deref(),
            Some("10.244.0.1"),
            "{format}"
        );
        assert_eq!(
            get(Field::Agent).as_deref(),
            Some("kube-probe/1.29"),
            "{format}"
        );
        assert_eq!(get(Field::Referer), None, "{format}");
    }
}

/// W3C reads its fields from the latest `#Fields:`, and a layout without
/// one has none; the URL joins stem and query.
#[test]
fn w3c_fields_follow_the_latest_header() {
    let format = Format::from_name("w3c").unwrap();
    let mut ex = format.extractor(&FormatOptions::default());
    let get = |ex: &mut logstat::format::AnyExtractor, line: &str, f: Field| {
        ex.field_of(line.as_bytes(), &Wanted::named(f))
            .map(|v| String::from_utf8(v).unwrap())
    };
    ex.classify(b"#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) cs(Referer) sc-status sc-bytes cs-version cs-host");
    let line = "2024-03-12 08:00:01 GET /a.aspx id=3 203.0.113.7 Mozilla/5.0+(X) https://r/ 500 42 HTTP/1.1 x.example";
    for (f, want) in [
        (Field::Path, Some("/a.aspx")),
        (Field::Url, Some("/a.aspx?id=3")),
        (Field::Method, Some("GET")),
        (Field::Client, Some("203.0.113.7")),
        (Field::Agent, Some("Mozilla/5.0+(X)")),
        (Field::Referer, Some("https://r/")),
        (Field::Bytes, Some("42")),
        (Field::Protocol, Some("HTTP/1.1")),
        (Field::Host, Some("x.example")),
    ] {
        assert_eq!(get(&mut ex, line, f).as_deref(), want, "{f:?}");
    }
    ex.classify(b"#Fields: date time cs-uri-stem sc-status");
    assert_eq!(
        get(&mut ex, "2024-03-12 08:00:01 /b 200", Field::Path).as_deref(),
        Some("/b")
    );
    assert_eq!(
        get(&mut ex, "2024-03-12 08:00:01 /b 200", Field::Url).as_deref(),
        Some("/b")
    );
    assert_eq!(
        get(&mut ex, "2024-03-12 08:00:01 /b 200", Field::Client),
        None
    );
}

#[test]
fn a_format_lacking_a_field_says_so_by_name() {
    let common = Format::from_name("common").unwrap();
    let why = common.refusal(&Wanted::named(Field::Agent)).unwrap();
    assert!(
        why.contains("the common format has no agent field"),
        "{why}"
    );
    assert!(
        why.contains("(its fields: path, url, method, protocol, client, bytes)"),
        "{why}"
    );
    let key = common.refusal(&Wanted::parse("json:a.b").unwrap()).unwrap();
    assert!(key.contains("has no JSON keys"), "{key}");
    assert_eq!(common.refusal(&Wanted::named(Field::Path)), None);
    let FormatChoice::Fixed(custom) = parse_choice(
        r#"$remote_addr "$request" $status"#,
        &FormatOptions::default(),
    )
    .unwrap() else {
        unreachable!()
    };
    assert_eq!(
        custom.fields(),
        [
            Field::Path,
            Field::Url,
            Field::Method,
            Field::Protocol,
            Field::Client
        ]
    );
    let why = custom.refusal(&Wanted::named(Field::Host)).unwrap();
    assert!(
        why.starts_with("--top host: your --log-format string has no host field"),
        "{why}"
    );
}

/// A Combined log of `lines` (code, path, client), written to a temp file.
fn combined(lines: &[(u16, String, u8)]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let mut w = std::io::BufWriter::new(f.as_file_mut());
    for (code, path, client) in lines {
        writeln!(
            w,
            r#"10.0.0.{client} - - [12/Mar/2024:08:15:42 +0100] "GET {path} HTTP/1.1" {code} 5 "-" "ua""#
        )
        .unwrap();
    }
    drop(w);
    f
}

fn five_xx() -> CodeMask {
    CodeMask::from_fn(|c| (500..600).contains(&c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On generated Combined logs, `--top path --where 5xx` (grouped or
    /// not) and `--top client` count what a line-by-line count does, for
    /// any thread count and chunking.
    #[test]
    fn generated_logs_count_as_line_by_line(
        lines in prop::collection::vec(
            (
                prop::sample::select(vec![200u16, 302, 404, 500, 502, 503, 999]),
                prop_oneof![
                    prop::sample::select(vec!["/", "/a", "/a?x=1", "/b/c", "/user/42/x", "/user/7/x"]).prop_map(String::from),
                    "/[a-z0-9]{1,6}(/[0-9]{1,3})?",
                ],
                0u8..5,
            ),
            0..300,
        ),
        threads in 1usize..5,
        chunk in prop_oneof![Just(0usize), 16usize..2048],
    ) {
        let f = combined(&lines);
        let data = std::fs::read(f.path()).unwrap();
        let format = Format::from_name("combined").unwrap();
        let grouped = TopSpec {
            group: Some(Arc::new(Grouping::new(&[]).unwrap())),
            ..spec(Field::Path, five_xx())
        };
        let specs = [spec(Field::Path, five_xx()), grouped, spec(Field::Client, CodeMask::all())];
        let tops = scan_top(f.path(), &specs, threads, chunk, 0);
        for (s, top) in specs.iter().zip(&tops) {
            prop_assert_eq!(answered(top), reference(&data, &format, s));
        }
    }
}

/// Past its memory, a `--top` says so and its counts keep their bound:
/// each at least the true count and at most the bound over it, and every
/// value with more lines than the bound among the rows.
#[test]
fn past_the_memory_counts_keep_their_bound() {
    let mut lines = Vec::new();
    for i in 0..60_000u32 {
        let path = match i % 10 {
            0 | 1 => format!("/hot/{}", i % 7),
            2 => "/hottest".to_string(),
            _ => format!("/cold/{i}"),
        };
        lines.push((500 + (i % 4) as u16, path, (i % 5) as u8));
    }
    let f = combined(&lines);
    let data = std::fs::read(f.path()).unwrap();
    let format = Format::from_name("combined").unwrap();
    let specs = [TopSpec {
        rows: 100,
        ..spec(Field::Path, five_xx())
    }];
    let want = reference(&data, &format, &specs[0]);
    for threads in [1, 3] {
        let top = &scan_top(f.path(), &specs, threads, 64 << 10, 64 << 10)[0];
        assert!(!top.exact);
        let bound = top.error_bound;
        // Small enough that the hottest value (6,000 lines) must be there.
        assert!(bound > 0 && bound < 3_000, "{bound}");
        assert_eq!((top.selected, top.missing), (want.selected, want.missing));
        for r in &top.rows {
            let truth = want.values[&r.value].0;
            assert!(
                truth <= r.count && r.count <= truth + bound,
                "{:?}: {truth} {} ±{bound}",
                r.value,
                r.count
            );
            let seen: u64 = r.codes.values().sum();
            assert!(seen <= truth);
        }
        for (v, (n, _)) in &want.values {
            if *n > bound {
                assert!(
                    top.rows.iter().any(|r| &r.value == v),
                    "{v:?} ({n}) missing, bound {bound}"
                );
            }
        }
        assert_eq!(top.rows[0].value, b"/hottest");
    }
}

/// `logstat ARGS`, expecting exit 2 and a stderr that contains `msg`.
fn refused(args: &[&str], msg: &str) {
    let out = logstat().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(msg), "{args:?}:\n{err}");
}

#[test]
fn the_command_line_refuses_what_it_cannot_answer() {
    let log = fixture("combined.log");
    let log = log.to_str().unwrap();
    refused(
        &[log, "--where", "5xx", "--top", "path"],
        "logstat: --where 5xx comes before any --top",
    );
    refused(
        &[log, "-n", "3", "--top", "path"],
        "-n 3 comes before any --top",
    );
    refused(
        &[log, "--top", "path", "--where", "5xx", "--where", "404"],
        "--top path has two --where",
    );
    refused(
        &[log, "--top", "path", "-n", "2", "-n", "3"],
        "--top path has two -n",
    );
    refused(
        &[log, "--top", "path", "--where", "5yy"],
        "logstat: --where '5yy': ",
    );
    refused(
        &[log, "--top", "path", "--where", "malformed"],
        "--top counts requests",
    );
    refused(&[log, "--top", "paths"], "unknown field; try: path, url");
    refused(&[log, "--top", "path", "-n", "0"], "must be 1 to");
    refused(
        &[log, "--top", "path", "--top-memory", "1K"],
        "at least 64K",
    );
    refused(
        &[log, "--top", "client", "--group-paths"],
        "--group-paths folds the paths of --top path",
    );
    refused(
        &[log, "--top", "path", "--group-paths=(=x"],
        "--group-paths '(=x': not a regex",
    );
    refused(
        &[log, "--top", "path", "--last", "5m"],
        "--top cannot be combined with --last",
    );
    refused(
        &[log, "--log-format", "common", "--top", "agent"],
        "logstat: --top agent: the common format has no agent field (its fields: path, url, method, protocol, client, bytes)",
    );
    refused(
        &[log, "--top", "json:user"],
        "the combined format has no JSON keys",
    );
    refused(
        &[log, "--log-format", "cri+common", "--top", "referer"],
        "--top referer: the cri+common format has no referer field",
    );
    refused(
        &[log, "--top-csv", "-"],
        "--top-csv writes the --top answers: add a --top",
    );
    // A caret under the fault of a selector.
    let out = logstat()
        .args([log, "--top", "path", "--where", "5xx,4yy"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("  5xx,4yy\n      ^"), "{err}");
}

#[test]
fn an_input_whose_format_lacks_the_field_fails_alone() {
    let out = logstat()
        .args([fixture("common.log"), fixture("combined.log")])
        .args(["--top", "agent", "-o", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("common.log: --top agent: the common format has no agent field"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        common::counts_of(&v),
        common::expected_for(&fixture("combined.log"))
    );
}

/// HAProxy fields are found around the accept date, so that fields a
/// `log-format` adds before the timers (a Host) move none of them.
#[test]
fn haproxy_fields_around_the_accept_date() {
    let format = Format::from_name("haproxy").unwrap();
    let line = r#"Jun 22 12:02:53 node2 haproxy[23034]: 10.0.0.9:47625 [22/Jun/2021:12:02:53.473] www-https~ app/app-node2 app.domain.com 0/0/1/17/18 502 291 - - ---- 1/1/0/0/0 0/0 "GET /x?y HTTP/1.1""#;
    assert_eq!(
        fields_of(&format, line),
        [
            (Field::Path, Some("/x".into())),
            (Field::Url, Some("/x?y".into())),
            (Field::Method, Some("GET".into())),
            (Field::Protocol, Some("HTTP/1.1".into())),
            (Field::Client, Some("10.0.0.9".into())),
            (Field::Upstream, Some("app/app-node2".into())),
            (Field::Bytes, Some("291".into())),
        ]
    );
}
