//! Helpers shared by the integration tests: the `logstat` command they run,
//! and the comparison of logstat's JSON report with `*.expected.json` files
//! (the corpus' and the fixtures'). Each test uses some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// The `logstat` binary, without the developer's locale, terminal width,
/// color or CI settings, so what it prints is the same on every machine:
/// English (`LANG=C`), no width, no GitHub annotations.
pub fn logstat() -> assert_cmd::Command {
    assert_cmd::Command::from_std(logstat_process())
}

/// [`logstat`] as a plain process, for tests that spawn it and talk to it
/// while it runs.
pub fn logstat_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("logstat"));
    for v in [
        "LC_ALL",
        "LC_MESSAGES",
        "COLUMNS",
        "GITHUB_ACTIONS",
        "NO_COLOR",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("LANG", "C");
    cmd
}

/// The keys every JSON report has at its top level (the JSON contract;
/// `series`, `top` and `checks` come only when asked for).
pub const JSON_KEYS: [&str; 13] = [
    "lines",
    "requests",
    "no_status",
    "skipped",
    "malformed",
    "filtered",
    "undated",
    "skipped_by_reason",
    "codes",
    "classes",
    "inputs",
    "elapsed_ms",
    "malformed_examples",
];

/// The keys of every entry of a JSON report's `inputs`.
pub const JSON_INPUT_KEYS: [&str; 17] = [
    "path",
    "format",
    "lines",
    "requests",
    "no_status",
    "skipped",
    "malformed",
    "filtered",
    "undated",
    "bytes",
    "unread_bytes",
    "error",
    "first",
    "last",
    "codes",
    "classes",
    "skipped_by_reason",
];

/// The table report of `s`, as text.
pub fn table(s: &logstat::summary::Summary, o: &logstat::report::ReportOptions) -> String {
    let mut out = Vec::new();
    logstat::report::write_table(&mut out, s, o).unwrap();
    String::from_utf8(out).unwrap()
}

/// The counts of a logstat JSON report in the `expected.json` shape:
/// `lines, requests, codes {"200": n}, no_status, skipped, malformed`.
pub fn counts_of(report: &Value) -> Value {
    let mut codes = Map::new();
    for c in report["codes"].as_array().expect("codes array") {
        codes.insert(c["code"].to_string(), c["count"].clone());
    }
    json!({
        "lines": report["lines"],
        "requests": report["requests"],
        "codes": codes,
        "no_status": report["no_status"],
        "skipped": report["skipped"],
        "malformed": report["malformed"],
    })
}

/// The `X.expected.json` beside `log`, with codes in ascending order (as
/// [`counts_of`] gives them) so a failed comparison reads line by line.
pub fn expected_for(log: &Path) -> Value {
    let mut p = log.as_os_str().to_owned();
    p.push(".expected.json");
    let v: Value = serde_json::from_slice(
        &std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", Path::new(&p).display())),
    )
    .expect("expected.json");
    let mut codes: Vec<(String, Value)> = v["codes"]
        .as_object()
        .expect("codes object")
        .iter()
        .map(|(k, n)| (k.clone(), n.clone()))
        .collect();
    codes.sort_by_key(|(k, _)| k.parse::<u32>().unwrap_or(u32::MAX));
    json!({
        "lines": v["lines"],
        "requests": v["requests"],
        "codes": codes.into_iter().collect::<Map<_, _>>(),
        "no_status": v["no_status"],
        "skipped": v["skipped"],
        "malformed": v["malformed"],
    })
}

/// `$LOGSTAT_CORPUS`, the shared real-world corpus. Tests that need it are
/// `#[ignore]`d, so a plain `cargo test` lists them as ignored; run with
/// `--include-ignored` but without the variable they fail here instead of
/// passing without having checked anything.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("LOGSTAT_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!(
            "LOGSTAT_CORPUS is not set, so this corpus test cannot check anything: \
             run it as LOGSTAT_CORPUS=../shared/corpus cargo test -- --include-ignored \
             (what .ci/run does)"
        ),
    }
}

/// The formats a corpus folder's files may be detected as (the CLF flavors
/// only label the report; their counts are identical). Not every test that
/// shares this module reads the corpus by folder.
pub fn corpus_formats(folder: &str) -> &'static [&'static str] {
    match folder {
        "common" | "combined" | "vcombined" => &["common", "combined", "vcommon", "vcombined"],
        "w3c-iis" => &["w3c"],
        "elb-classic" => &["elb"],
        "caddy-json" => &["caddy"],
        "traefik" => &["traefik", "traefik-json"],
        "cloudfront" => &["cloudfront"],
        "alb" => &["alb"],
        "haproxy" => &["haproxy"],
        "envoy" => &["envoy"],
        "squid" => &["squid"],
        _ => &[],
    }
}
