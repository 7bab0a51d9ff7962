use super::run::WINDOW;
use super::*;
use crate::lines::{Extractor, Line, Sink, count_lines};
use proptest::prelude::*;

proptest! {
    #[test]
    fn agrees_with_the_plain_interpreter(
        fmt in prop::sample::select(vec![
            NGINX,
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer""#,
            r#"[$time_local] $host:$server_port "$request" "$status" $request_time"#,
            r#"$remote_addr|$request_time|$status|$bytes_sent"#,
            r#"%h %l %u %t \"%r\" %>s %b"#,
            r#"%v:%p %h %t \"%r\" %s"#,
            r#"$remote_addr <<<a long separator>>> [$time_local] "$request" $status"#,
            r#"$remote_addr $upstream_status $status $upstream_addr"#,
        ]),
        line in prop::collection::vec(
            prop::sample::select(b"ab1 \t\"\\[]|:-0259".to_vec()), 0..160),
        head in prop::sample::select(vec![
            &b""[..],
            b"1.2.3.4 [t] \"GET /\" 200 1",
            b"1.2.3.4 - - [t] \"GET /\" 404 1 \"-\"",
            b"[t] h:80 \"GET /\" \"503\" 0.1",
            b"::1|0.2|201|5",
            b"h.example:443 ::1 [t] \"GET /\" 302",
            b"::1 <<<a long separator>>> [t] \"GET /\" 200",
            b"::1 502, 200 : 504 504 a, b : c",
            // A quoted field that the random tail continues, after a
            // backslash.
            b"1.2.3.4 [t] \"\\",
        ]),
    ) {
        let program = Program::compile(fmt, false).unwrap();
        let line = [head, &line[..]].concat();
        let want = reference::classify(&program.ops, &line);
        prop_assert_eq!(Custom::new(&program).classify(&line), want);
        // The shipped shapes themselves, whole and cut short.
        for cut in 0..=head.len() {
            let l = &head[..cut];
            prop_assert_eq!(Custom::new(&program).classify(l), reference::classify(&program.ops, l));
        }
    }

    /// The windowed loop counts a chunk exactly as the line-by-line one;
    /// a chunk of several windows (the lines repeated) too, lines cut by
    /// a window's end included.
    #[test]
    fn windowed_loop_is_the_line_loop(
        fmt in prop::sample::select(FORMATS.to_vec()),
        lines in prop::collection::vec((
            prop::sample::select(HEADS.to_vec()),
            prop::collection::vec(prop::sample::select(b"ab1 \t\"\\[]|:-0259\r".to_vec()), 0..90),
            prop::sample::select(vec![&b"\n"[..], b"\r\n", b"\n\n"]),
        ), 0..60),
        windows in prop_oneof![3 => Just(0usize), 1 => Just(2usize)],
    ) {
        let mut chunk = Vec::new();
        loop {
            for (head, tail, end) in &lines {
                chunk.extend_from_slice(head);
                chunk.extend_from_slice(tail);
                chunk.extend_from_slice(end);
            }
            if lines.is_empty() || chunk.len() > windows * WINDOW {
                break;
            }
        }
        // Sometimes no final newline.
        if chunk.len() % 3 == 0 {
            chunk.pop();
        }
        let program = Program::compile(fmt, false).unwrap();
        let (a, b) = (count_both(&program, &chunk, true), count_both(&program, &chunk, false));
        prop_assert_eq!(a, b);
    }
}

const FORMATS: [&str; 7] = [
    NGINX,
    r#"$remote_addr [$time_local] $upstream_status $status $upstream_response_time"#,
    r#"$a|$b;$c:$status"#,
    // Five needles: counted line by line.
    r#"$a|$b;$c:$d,$e!$status"#,
    r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer""#,
    r#"[$time_local] $host:$server_port "$request" "$status" $request_time"#,
    r#"%h %l %u %t \"%r\" %>s %b"#,
];

const HEADS: [&[u8]; 9] = [
    b"",
    b"1.2.3.4 [t] 502, 200 : 504 504 0.1, 0.2 : 0.3",
    b"a|b;c:200",
    b"a|b;c:d,e!404",
    b"1.2.3.4 [t] \"GET /\" 200 1",
    b"1.2.3.4 - - [t] \"GET /\" 404 1 \"-\"",
    b"[t] h:80 \"GET /\" \"503\" 0.1",
    b"1.2.3.4 - - [t] \"GET /\\\"x\" 302",
    b"1.2.3.4 [t] \"\\",
];

/// Lines, buckets and malformed examples of `chunk`, counted by the
/// windowed loop or line by line.
fn count_both(p: &Program, chunk: &[u8], windowed: bool) -> (u64, Vec<u64>, [u64; 3], Vec<u64>) {
    let mut counts = crate::lines::Counts::default();
    let mut sink = Sink::new(&mut counts, false);
    sink.lines = 3;
    let mut ex = Custom::new(p);
    if windowed {
        ex.count_chunk(chunk, &mut sink);
    } else {
        count_lines(&mut ex, chunk, &mut sink);
    }
    let lines = sink.lines;
    let examples = sink.examples.iter().map(|e| e.0).collect();
    (
        lines,
        counts.codes.to_vec(),
        [counts.no_status, counts.skipped, counts.malformed],
        examples,
    )
}

#[test]
fn windowed_loop_takes_lines_longer_than_a_window() {
    let program = Program::compile(NGINX, false).unwrap();
    let mut chunk = b"1.2.3.4 [t] \"GET /".to_vec();
    chunk.resize(3 * WINDOW, b'a');
    chunk.extend_from_slice(b"\" 404 1\n1.2.3.4 [t] \"GET /\" 200 1\n");
    chunk.extend(std::iter::repeat_n(&b"1.2.3.4 [t] \"-\" 503 1\n"[..], 5000).flatten());
    let (a, b) = (
        count_both(&program, &chunk, true),
        count_both(&program, &chunk, false),
    );
    assert_eq!(a, b);
    assert_eq!(a.1[404] + a.1[200] + a.1[503], 5002);
}

#[test]
fn escaped_quote_at_a_field_start() {
    // The request is `\" 200 0`: its first quote is escaped although
    // the literal after a closing quote follows it.
    let line = br#"::1 [t] "\" 200 0" 404 0"#;
    let program = Program::compile(NGINX, false).unwrap();
    assert_eq!(Custom::new(&program).classify(line), Line::Status(404));
    let chunk = [&line[..], b"\n"].concat().repeat(3);
    let (a, b) = (
        count_both(&program, &chunk, true),
        count_both(&program, &chunk, false),
    );
    assert_eq!(a, b);
    assert_eq!(a.1[404], 3);
}

fn st(fmt: &str, line: &str) -> Line {
    Custom::new(&Program::compile(fmt, false).unwrap()).classify(line.as_bytes())
}

const NGINX: &str = r#"$remote_addr [$time_local] "$request" $status $body_bytes_sent"#;

#[test]
fn nginx_format() {
    assert_eq!(
        st(
            NGINX,
            r#"10.0.0.1 [01/Jan/2024:00:00:00 +0000] "GET /a b HTTP/1.1" 404 12"#
        ),
        Line::Status(404)
    );
    assert_eq!(
        st(NGINX, r#"fe80::1%eth0 [t] "GET /\"x\" HTTP/1.1" 200 0"#),
        Line::Status(200)
    );
    assert_eq!(st(NGINX, r#"::1 [t] "-" - 0"#), Line::NoStatus);
    assert_eq!(st(NGINX, r#"::1 [t] "GET /" 000 0"#), Line::Status(0));
    // Combined-shaped line does not fit this format.
    assert_eq!(
        st(NGINX, r#"10.0.0.1 - - [t] "GET / HTTP/1.1" 200 1"#),
        Line::Malformed
    );
    assert_eq!(st(NGINX, r#"10.0.0.1 [t] "GET /" 2000 0"#), Line::Malformed);
    assert_eq!(st(NGINX, "x"), Line::Malformed);
    assert_eq!(st(NGINX, ""), Line::Malformed);
}

#[test]
fn nginx_braces_directive_and_status_last() {
    let f = "log_format x '${remote_addr}|$request_time|'\n '$status';";
    assert_eq!(st(f, "1.2.3.4|0.001|503"), Line::Status(503));
    assert_eq!(st(f, "1.2.3.4|0.001|503 extra"), Line::Status(503));
}

#[test]
fn nginx_upstream_status() {
    let f = "$remote_addr $status $upstream_status";
    let p = Program::compile(f, true).unwrap();
    assert_eq!(Custom::new(&p).classify(b"1.2.3.4 502 -"), Line::NoStatus);
    assert_eq!(st(f, "1.2.3.4 502 -"), Line::Status(502));
}

#[test]
fn upstream_lists_are_one_field_and_the_last_status_is_the_upstreams() {
    let f = "$remote_addr $upstream_status $status $upstream_addr";
    let up = Custom::new(&Program::compile(f, true).unwrap());
    for (line, client, upstream) in [
        ("::1 200 200 a:80", 200, Line::Status(200)),
        ("::1 502, 200 200 a:80, b:80", 200, Line::Status(200)),
        ("::1 502 : 504 504 a:80 : c:80", 504, Line::Status(504)),
        ("::1 502, 502 : 503 503 a, b : c", 503, Line::Status(503)),
        ("::1 - 404 -", 404, Line::NoStatus),
    ] {
        assert_eq!(st(f, line), Line::Status(client), "{line}");
        assert_eq!(up.clone().classify(line.as_bytes()), upstream, "{line}");
    }
    // The list last in the format.
    let f = "$remote_addr $status $upstream_status";
    let mut up = Custom::new(&Program::compile(f, true).unwrap());
    assert_eq!(up.classify(b"::1 200 502, 200"), Line::Status(200));
    assert_eq!(up.classify(b"::1 504 502 : 504\tx"), Line::Status(504));
    // A quoted list.
    let f = r#"$remote_addr "$upstream_status" $status"#;
    let mut up = Custom::new(&Program::compile(f, true).unwrap());
    assert_eq!(up.classify(br#"::1 "502, 201" 201"#), Line::Status(201));
}

#[test]
fn upstream_without_upstream_status_is_refused() {
    let err = Program::compile("$remote_addr $status", true).unwrap_err();
    assert!(err.contains("$upstream_status"), "{err}");
    let err = Program::compile("%h %>s", true).unwrap_err();
    assert!(err.contains("Apache"), "{err}");
    assert!(
        Program::compile("$upstream_status $status", true)
            .unwrap()
            .has_upstream()
    );
    assert!(!Program::compile("$status", false).unwrap().has_upstream());
}

#[test]
fn apache_format() {
    let f = r#"%h %l %u %t \"%r\" %>s %b"#;
    assert_eq!(
        st(
            f,
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326"#
        ),
        Line::Status(200)
    );
    let f = r#"LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\"" vhost_combined"#;
    assert_eq!(
        st(f, r#"ex.com:443 ::1 - - [t] "GET / HTTP/1.1" 301 0 "-""#),
        Line::Status(301)
    );
    let f = "%a %400,501{User-agent}i %s";
    assert_eq!(st(f, "::1 curl 418"), Line::Status(418));
}

#[test]
fn compile_errors() {
    assert!(Program::compile("$remote_addr $body_bytes_sent", false).is_err());
    assert!(Program::compile("%h %b", false).is_err());
    assert!(Program::compile("$remote_addr$status", false).is_err());
    assert!(Program::compile("%h %{x", false).is_err());
    assert!(Program::compile("%h %", false).is_err());
    assert!(Program::is_format_string("$status"));
    assert!(!Program::is_format_string("combined"));
}
