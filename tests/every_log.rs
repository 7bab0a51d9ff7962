//! Real logs as they arrive (issue 17): access lines inside JSON envelopes
//! and behind container, `kubectl` and syslog prefixes, after start-up
//! messages, mixed Envoy text and JSON, W3C and CloudFront lines without
//! their `#Fields:`, Squid's `%tl` time, nginx upstream status lists, empty
//! statuses and records that are not requests, through the binary. Each case
//! has a fixture in `fixtures/formats/` with hand-counted
//! `.expected.json`; the shared corpus (ignored unless `LOGSTAT_CORPUS` is
//! set) is read again wrapped, without its directives and after start-up
//! banners.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{corpus_dir, corpus_formats, counts_of, expected_for, logstat};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/formats");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{name}.log"))
}

/// The JSON report of a run that must succeed.
fn run_json(args: &[&str]) -> Value {
    let out = logstat().args(["-o", "json"]).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "logstat {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A run's exit code and stderr.
fn run_err(args: &[&str]) -> (Option<i32>, String) {
    let out = logstat().args(["-o", "json"]).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Each case's fixture and the format it is read as: the report names the
/// format of the inner lines and the wrapper.
const CASES: [(&str, &str); 17] = [
    // 1. Access lines inside a JSON envelope.
    ("docker-json", "docker-json+combined"),
    ("json-message", "json-message+envoy"),
    // 2. Prefixed and mixed streams, start-up messages first.
    ("cri", "cri+combined"),
    ("compose", "compose+combined"),
    ("kubectl", "kubectl+combined"),
    ("timestamps", "timestamps+envoy"),
    ("compose-timestamps", "compose+timestamps+combined"),
    ("syslog", "syslog+combined"),
    // HAProxy reads a syslog header itself: no wrapper is named.
    ("haproxy", "haproxy"),
    ("caddy-startup", "caddy"),
    ("envoy-mixed", "envoy-mixed"),
    // 3. W3C and CloudFront without `#Fields:`.
    ("w3c-headerless", "w3c:iis-8.5"),
    ("cloudfront-headerless", "cloudfront:standard"),
    // 4. Squid, epoch and `%tl` times in one file.
    ("squid-tl", "squid"),
    // 6. Empty statuses, records that are not requests.
    ("json-empty-status", "json"),
    ("w3c-empty-status", "w3c"),
    ("json", "json"),
];

#[test]
fn every_case_is_detected_and_counted() {
    for (name, format) in CASES {
        let log = fixture(name);
        for extra in [&[][..], &["-j", "3", "--chunk-size", "61"][..]] {
            let mut args = extra.to_vec();
            args.push(log.to_str().unwrap());
            let r = run_json(&args);
            assert_eq!(r["inputs"][0]["format"], format, "{name}.log {extra:?}");
            assert_eq!(
                counts_of(&r),
                expected_for(&log),
                "counts of {name}.log {extra:?}"
            );
        }
    }
}

#[test]
fn every_case_reads_the_same_through_stdin() {
    for (name, format) in CASES {
        let log = fixture(name);
        let out = logstat()
            .args(["-o", "json", "-"])
            .write_stdin(std::fs::read(&log).unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["inputs"][0]["format"], format, "{name}.log on stdin");
        assert_eq!(counts_of(&r), expected_for(&log), "{name}.log on stdin");
    }
}

#[test]
fn wrappers_and_layouts_can_be_forced() {
    for (name, forced, format) in [
        ("cri", "cri", "cri+combined"),
        ("cri", "cri+combined", "cri+combined"),
        ("cri", "CONTAINERD+nginx", "cri+combined"),
        ("docker-json", "docker", "docker-json+combined"),
        ("json-message", "json-message+envoy", "json-message+envoy"),
        ("compose", "compose", "compose+combined"),
        ("kubectl", "kubectl+auto", "kubectl+combined"),
        (
            "compose-timestamps",
            "compose",
            "compose+timestamps+combined",
        ),
        (
            "compose-timestamps",
            "compose+timestamps",
            "compose+timestamps+combined",
        ),
        ("timestamps", "timestamps+envoy", "timestamps+envoy"),
        ("syslog", "journald", "syslog+combined"),
        ("w3c-headerless", "w3c", "w3c:iis-8.5"),
        ("w3c-headerless", "iis:iis-8.5", "w3c:iis-8.5"),
        ("cloudfront-headerless", "cloudfront", "cloudfront:standard"),
    ] {
        let log = fixture(name);
        let r = run_json(&["--log-format", forced, log.to_str().unwrap()]);
        assert_eq!(r["inputs"][0]["format"], format, "--log-format {forced}");
        assert_eq!(
            counts_of(&r),
            expected_for(&log),
            "{name}.log, --log-format {forced}"
        );
    }
    // A format string behind a wrapper.
    let nginx = r#"cri+$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;
    let r = run_json(&["--log-format", nginx, fixture("cri").to_str().unwrap()]);
    assert_eq!(r["inputs"][0]["format"], "cri+custom");
    assert_eq!(counts_of(&r), expected_for(&fixture("cri")));
    // The wrong layout reads nothing but directives and the lines after them.
    let r = run_json(&[
        "--log-format",
        "w3c:iis-7",
        fixture("w3c-headerless").to_str().unwrap(),
    ]);
    assert_eq!(r["requests"], 1);
}

#[test]
fn a_wrapper_or_layout_that_does_not_exist_is_refused() {
    for bad in [
        "cri+cri",
        "cri+nosuch",
        "w3c:iis-5",
        "combined:iis-8.5",
        "nosuch+combined",
        "compose+timestamps+compose",
        "compose+timestamps+cri+combined",
    ] {
        let (code, err) = run_err(&["--log-format", bad, fixture("cri").to_str().unwrap()]);
        assert_eq!(code, Some(2), "{bad}");
        assert!(err.contains("unknown log format"), "{bad}: {err}");
    }
}

#[test]
fn a_forced_wrapper_around_lines_it_does_not_carry_is_an_input_error() {
    let log = fixture("combined");
    let (code, err) = run_err(&["--log-format", "cri", log.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "{}: no known log format fits the lines inside its cri wrapping",
            log.display()
        )),
        "{err}"
    );
    assert!(err.contains("--log-format cri+FORMAT"), "{err}");
}

#[test]
fn look_further_than_start_up_messages() {
    let dir = tempfile::tempdir().unwrap();
    let banner = "app: starting worker pool, configuration /etc/app/app.conf loaded\n".repeat(100);
    let line = |code: u16| {
        format!(
            "203.0.113.7 - - [12/Mar/2024:08:00:00 +0000] \"GET / HTTP/1.1\" {code} 1 \"-\" \"ua\"\n"
        )
    };
    let haproxy = "lb haproxy[1]: 10.0.0.1:1 [12/Mar/2024:08:00:00.1] fe be/s 0/0/0/1/1 503 1 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n";
    // More start-up lines than the first lines detection judges by.
    let later = dir.path().join("later.log");
    std::fs::write(
        &later,
        format!("{banner}{}{}{}", line(200), line(404), line(200)),
    )
    .unwrap();
    let r = run_json(&[later.to_str().unwrap()]);
    assert_eq!(r["inputs"][0]["format"], "combined");
    assert_eq!(r["requests"], 3);
    assert_eq!(r["malformed"], 100);
    // Fewer access lines than the minimum (3, or a tenth of the lines).
    let few = dir.path().join("few.log");
    std::fs::write(&few, format!("{banner}{}{}", line(200), line(404))).unwrap();
    let (code, err) = run_err(&[few.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no known log format fits"), "{err}");
    // A tenth of a short input is enough.
    let short = dir.path().join("short.log");
    std::fs::write(
        &short,
        format!("{}{}", "banner line\n".repeat(9), line(301)),
    )
    .unwrap();
    let r = run_json(&[short.to_str().unwrap()]);
    assert_eq!(r["inputs"][0]["format"], "combined");
    assert_eq!(r["requests"], 1);
    // Access lines of two formats decide nothing.
    let two = dir.path().join("two.log");
    std::fs::write(
        &two,
        format!(
            "{banner}{}{}{}{haproxy}{haproxy}{haproxy}",
            line(200),
            line(404),
            line(200)
        ),
    )
    .unwrap();
    let (code, _) = run_err(&[two.to_str().unwrap()]);
    assert_eq!(code, Some(2));
}

#[test]
fn upstream_lists_are_never_malformed_and_upstream_counts_the_last() {
    let log = fixture("upstream");
    let fmt = std::fs::read_to_string(Path::new(FIXTURES).join("upstream.format")).unwrap();
    let fmt = fmt.trim();
    let r = run_json(&["--log-format", fmt, log.to_str().unwrap()]);
    assert_eq!(counts_of(&r), expected_for(&log));
    let r = run_json(&[
        "--log-format",
        fmt,
        "--status",
        "upstream",
        log.to_str().unwrap(),
    ]);
    assert_eq!(
        counts_of(&r)["codes"],
        serde_json::json!({"200": 2, "404": 1, "499": 1, "503": 1, "504": 1})
    );
    assert_eq!(r["no_status"], 1, "no upstream answered: `-`");
    assert_eq!(r["malformed"], 0);
    // The status last in the format, a list too.
    let dir = tempfile::tempdir().unwrap();
    let last = dir.path().join("last.log");
    std::fs::write(&last, "1.2.3.4 200 502, 200\n1.2.3.4 504 502 : 504\n").unwrap();
    let r = run_json(&[
        "--log-format",
        "$remote_addr $status $upstream_status",
        "--status",
        "upstream",
        last.to_str().unwrap(),
    ]);
    assert_eq!(
        counts_of(&r)["codes"],
        serde_json::json!({"200": 1, "504": 1})
    );
}

#[test]
fn upstream_without_an_upstream_status_is_an_error() {
    let combined = fixture("combined");
    // Forced: refused before any input is read.
    for forced in [
        "combined",
        "caddy",
        "json",
        "cri+combined",
        "%h %t \\\"%r\\\" %>s %b",
    ] {
        let (code, err) = run_err(&[
            "--status",
            "upstream",
            "--log-format",
            forced,
            combined.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(2), "{forced}");
        assert!(
            err.starts_with("logstat: --log-format: "),
            "{forced}: {err}"
        );
        assert!(err.contains("upstream"), "{forced}: {err}");
    }
    let (code, err) = run_err(&[
        "--status",
        "upstream",
        "--log-format",
        "$remote_addr [$time_local] \"$request\" $status",
        combined.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("the format has no $upstream_status field"),
        "{err}"
    );
    // Detected: an error for that input, naming it; the others are counted.
    let alb = fixture("alb");
    let out = logstat()
        .args(["-o", "json", "--status", "upstream"])
        .arg(&combined)
        .arg(&alb)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "logstat: {}: --status upstream: combined logs no upstream status",
            combined.display()
        )),
        "{err}"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["inputs"][0]["error"]
            .as_str()
            .map(|e| e.contains("upstream")),
        Some(true)
    );
    assert_eq!(r["inputs"][1]["error"], Value::Null);
    assert!(r["inputs"][1]["lines"].as_u64().unwrap() > 0);
    // Nginx Proxy Manager logs the upstream list: its last status.
    let r = run_json(&[
        "--status",
        "upstream",
        fixture("nginx-proxy-manager").to_str().unwrap(),
    ]);
    assert_eq!(r["inputs"][0]["error"], Value::Null);
}

#[test]
fn skipped_lines_are_broken_down_by_reason() {
    let r = run_json(&[
        fixture("json-empty-status").to_str().unwrap(),
        fixture("w3c-empty-status").to_str().unwrap(),
    ]);
    assert_eq!(
        r["skipped_by_reason"],
        serde_json::json!({"blank": 1, "directive": 2, "not_request": 1})
    );
    assert_eq!(r["skipped"], 4);
    assert_eq!(
        r["inputs"][0]["skipped_by_reason"],
        serde_json::json!({"blank": 1, "directive": 0, "not_request": 1})
    );
    assert_eq!(r["inputs"][1]["skipped_by_reason"]["directive"], 2);
    // The table's footer names the reasons.
    let out = logstat()
        .arg(fixture("json-empty-status"))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(
            "10 lines = 3 requests + 3 no status + 2 skipped (1 blank, 1 not a request) + 2 malformed"
        ),
        "{table}"
    );
    let out = logstat().arg(fixture("caddy-startup")).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("+ 8 skipped (not a request) +"), "{table}");
    let out = logstat()
        .arg(fixture("json-empty-status"))
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("2 行跳过（1 行空行，1 行非请求记录）+"),
        "{table}"
    );
}

#[test]
fn an_assumed_layout_is_noted() {
    let r = run_json(&[
        fixture("w3c-headerless").to_str().unwrap(),
        fixture("w3c").to_str().unwrap(),
    ]);
    assert_eq!(
        r["inputs"][0]["note"],
        "layout assumed (no #Fields:): IIS 8.5 and later default fields"
    );
    assert_eq!(r["inputs"][1]["note"], Value::Null);
    let out = logstat()
        .arg(fixture("cloudfront-headerless"))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(
            "(cloudfront:standard, layout assumed (no #Fields:): CloudFront standard log columns)"
        ),
        "{table}"
    );
}

// ---- the shared corpus, read again as other tools hand it over ----

/// Every corpus log with its expected counts.
fn corpus_logs() -> Vec<(String, PathBuf)> {
    let mut logs = Vec::new();
    for dir in std::fs::read_dir(corpus_dir()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "log") {
                logs.push((folder.clone(), f));
            }
        }
    }
    logs.sort();
    assert!(!logs.is_empty(), "no corpus logs");
    logs
}

/// `bytes` with each line (the last one may lack its `\n`) rewritten.
fn each_line(bytes: &[u8], mut f: impl FnMut(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return out;
    }
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(&f(line));
    }
    if bytes.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

/// A line as Docker's json-file driver writes it: the bytes escaped into a
/// JSON string with the line's `\n` (Go escapes `<`, `>` and `&` too).
fn docker_line(line: &[u8]) -> Vec<u8> {
    let mut s = b"{\"log\":\"".to_vec();
    for &b in line.iter().chain(b"\n") {
        match b {
            b'"' => s.extend_from_slice(b"\\\""),
            b'\\' => s.extend_from_slice(b"\\\\"),
            b'\n' => s.extend_from_slice(b"\\n"),
            b'&' => s.extend_from_slice(b"\\u0026"),
            b'<' => s.extend_from_slice(b"\\u003c"),
            b'>' => s.extend_from_slice(b"\\u003e"),
            0..0x20 => s.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => s.push(b),
        }
    }
    s.extend_from_slice(b"\",\"stream\":\"stdout\",\"time\":\"2024-03-12T08:00:00.000000001Z\"}");
    s
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_files_read_the_same_inside_every_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    type Wrap = fn(&[u8]) -> Vec<u8>;
    let wrappers: [(&str, Wrap); 7] = [
        ("docker-json", docker_line),
        ("cri", |l| {
            [&b"2024-03-12T08:00:00.123456789Z stdout F "[..], l].concat()
        }),
        ("compose", |l| [&b"web-1  | "[..], l].concat()),
        ("kubectl", |l| [&b"[pod/web-1/app] "[..], l].concat()),
        ("timestamps", |l| {
            [&b"2024-03-12T08:00:00.123456789Z "[..], l].concat()
        }),
        ("compose+timestamps", |l| {
            [&b"web-1  | 2024-03-12T08:00:00.123456789Z "[..], l].concat()
        }),
        ("syslog", |l| {
            [&b"Mar 12 08:00:00 host app[1]: "[..], l].concat()
        }),
    ];
    let mut failures = Vec::new();
    for (folder, log) in corpus_logs() {
        let bytes = std::fs::read(&log).unwrap();
        let want = expected_for(&log);
        for (name, wrap) in wrappers {
            let wrapped = dir.path().join(format!("{}.log", name.replace('+', "-")));
            std::fs::write(&wrapped, each_line(&bytes, wrap)).unwrap();
            let r = run_json(&[wrapped.to_str().unwrap()]);
            let format = r["inputs"][0]["format"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // The folder's format inside the wrappers, or without those it
            // reads the prefix of itself (JSON after a prefix, HAProxy).
            let (wrappers, inner) = format.rsplit_once('+').unwrap_or(("", &format));
            let named =
                wrappers.is_empty() || name.starts_with(wrappers) || name.ends_with(wrappers);
            if !corpus_formats(&folder).contains(&inner) || !named {
                failures.push(format!("{} in {name}: read as {format}", log.display()));
            }
            if counts_of(&r) != want {
                failures.push(format!(
                    "{} in {name}: {} instead of {want}",
                    log.display(),
                    counts_of(&r)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_w3c_lines_without_directives_read_by_a_default_layout_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut read = 0;
    for (folder, log) in corpus_logs() {
        if folder != "w3c-iis" && folder != "cloudfront" {
            continue;
        }
        let bytes = std::fs::read(&log).unwrap();
        let data: Vec<u8> = bytes
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| !l.starts_with(b"#"))
            .flatten()
            .copied()
            .collect();
        let grepped = dir.path().join("grepped.log");
        std::fs::write(&grepped, data).unwrap();
        let out = logstat()
            .args(["-o", "json"])
            .arg(&grepped)
            .output()
            .unwrap();
        if !out.status.success() {
            // Not a default layout: refused rather than guessed at.
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("no known log format fits"),
                "{}: {err}",
                log.display()
            );
            continue;
        }
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = expected_for(&log);
        let format = r["inputs"][0]["format"].as_str().unwrap();
        assert!(format.contains(':'), "{}: {format}", log.display());
        assert!(r["inputs"][0]["note"].is_string(), "{}", log.display());
        for key in ["requests", "codes", "no_status", "malformed"] {
            assert_eq!(counts_of(&r)[key], want[key], "{key} of {}", log.display());
        }
        read += 1;
    }
    assert!(read >= 3, "only {read} corpus files have a default layout");
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_files_are_detected_after_start_up_banners() {
    const BANNERS: u64 = 80;
    let dir = tempfile::tempdir().unwrap();
    let banner = "2024-03-12 08:00:00,000 INFO  [main] Starting service (pid 1); loading modules\n"
        .repeat(BANNERS as usize);
    let mut checked = 0;
    for (folder, log) in corpus_logs() {
        // W3C's directives start its files; banners before them are not a
        // case.
        if folder == "w3c-iis" || folder == "cloudfront" {
            continue;
        }
        let want = expected_for(&log);
        let read = want["requests"].as_u64().unwrap() + want["no_status"].as_u64().unwrap();
        if read < 3 {
            continue;
        }
        let with_banners = dir.path().join("banners.log");
        let mut bytes = banner.clone().into_bytes();
        bytes.extend(std::fs::read(&log).unwrap());
        std::fs::write(&with_banners, bytes).unwrap();
        let r = run_json(&[with_banners.to_str().unwrap()]);
        let format = r["inputs"][0]["format"].as_str().unwrap();
        assert!(
            corpus_formats(&folder).contains(&format),
            "{}: {format}",
            log.display()
        );
        let mut want = want;
        want["lines"] = (want["lines"].as_u64().unwrap() + BANNERS).into();
        want["malformed"] = (want["malformed"].as_u64().unwrap() + BANNERS).into();
        assert_eq!(counts_of(&r), want, "{}", log.display());
        checked += 1;
    }
    assert!(checked > 10, "only {checked} corpus files checked");
}

/// A wrapped line's time is its inner line's, read by the inner format: a
/// series over every wrapper's fixture dates every request.
#[test]
fn wrapped_lines_are_dated_by_their_inner_format() {
    for name in [
        "docker-json",
        "json-message",
        "cri",
        "compose",
        "compose-timestamps",
        "kubectl",
        "syslog",
        "timestamps",
        "envoy-mixed",
        "w3c-headerless",
        "cloudfront-headerless",
        "squid-tl",
    ] {
        let log = fixture(name);
        let r = run_json(&["--by", "1m", log.to_str().unwrap()]);
        assert_eq!(r["series"]["undated"], 0, "{name}: {}", r["series"]);
        let dated: u64 = r["series"]["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["requests"].as_u64().unwrap() + b["no_status"].as_u64().unwrap())
            .sum();
        let counted = r["requests"].as_u64().unwrap() + r["no_status"].as_u64().unwrap();
        assert_eq!(dated, counted, "{name}");
        assert!(r["inputs"][0]["first"].is_string(), "{name}");
    }
}
