//! Every log format through the binary: per-format fixtures (hand-written,
//! with each format's quirks) counted under auto-detection and under the
//! forced preset, custom nginx/Apache format strings, the undetectable-input
//! error, and (ignored unless run with `--include-ignored` and `LOGSTAT_CORPUS`
//! pointing at the shared corpus) detection of every corpus file's format from
//! its folder name.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{corpus_dir, corpus_formats, counts_of, expected_for};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/formats");

/// Every preset of the table, each with a fixture `fixtures/formats/<name>.log`
/// that auto-detection must recognise (`custom` needs its format string).
fn presets() -> impl Iterator<Item = &'static str> {
    logstat::format::presets::names()
}

fn run_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("logstat")
        .unwrap()
        .args(["-o", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "logstat {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{name}.log"))
}

/// Whether a report's format is preset `name`'s: its name, or for a
/// wrapper its name with the inner format's (`cri+combined`).
fn is_preset(format: &Value, name: &str) -> bool {
    let format = format.as_str().unwrap_or_default();
    let wraps = logstat::format::presets::by_name(name).is_some_and(|p| p.wraps());
    match format.split_once('+') {
        Some((w, _)) => wraps && w == name,
        None => !wraps && format == name,
    }
}

#[test]
fn every_fixture_is_detected_and_counted() {
    for name in presets() {
        let log = fixture(name);
        let r = run_json(&[log.to_str().unwrap()]);
        assert!(
            is_preset(&r["inputs"][0]["format"], name),
            "detected format of {name}.log: {}",
            r["inputs"][0]["format"]
        );
        assert_eq!(
            counts_of(&r),
            expected_for(&log),
            "counts of {name}.log (auto)"
        );
    }
}

#[test]
fn every_fixture_counts_the_same_when_forced_by_name_or_alias() {
    for p in &logstat::format::PRESETS {
        let log = fixture(p.name);
        for forced in std::iter::once(p.name).chain(p.aliases.iter().copied()) {
            let r = run_json(&["--log-format", forced, log.to_str().unwrap()]);
            assert!(
                is_preset(&r["inputs"][0]["format"], p.name),
                "--log-format {forced}: {}",
                r["inputs"][0]["format"]
            );
            assert_eq!(
                counts_of(&r),
                expected_for(&log),
                "counts of {}.log (--log-format {forced})",
                p.name
            );
        }
    }
}

#[test]
fn custom_nginx_and_apache_format_strings() {
    let log = fixture("custom");
    let nginx = std::fs::read_to_string(Path::new(FIXTURES).join("custom.format")).unwrap();
    let apache = r#"%h [%{%d/%b/%Y:%H:%M:%S %z}t] \"%r\" %>s %b"#;
    for fmt in [nginx.trim(), apache] {
        let r = run_json(&["--log-format", fmt, log.to_str().unwrap()]);
        assert_eq!(r["inputs"][0]["format"], "custom");
        assert_eq!(
            counts_of(&r),
            expected_for(&log),
            "counts with --log-format {fmt}"
        );
    }
}

#[test]
fn issue_example_custom_format() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    std::fs::write(
        &log,
        "10.0.0.1 [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 503 1\n\
         10.0.0.2 [01/Jan/2024:00:00:01 +0000] \"GET /x y HTTP/1.1\" 200 2\n",
    )
    .unwrap();
    let r = run_json(&[
        "--log-format",
        "$remote_addr [$time_local] \"$request\" $status $body_bytes_sent",
        log.to_str().unwrap(),
    ]);
    assert_eq!(r["requests"], 2);
    assert_eq!(r["malformed"], 0);
    assert_eq!(
        counts_of(&r)["codes"],
        serde_json::json!({"200": 1, "503": 1})
    );
}

#[test]
fn forced_json_picks_a_well_known_key_per_input() {
    let dir = tempfile::tempdir().unwrap();
    let pino = dir.path().join("pino.log");
    std::fs::write(
        &pino,
        "{\"req\":{\"headers\":{\"status\":\"x\"}},\"res\":{\"statusCode\":404},\"msg\":\"request completed\"}\n\
         {\"res\":{\"statusCode\":200},\"msg\":\"request completed\"}\n\
         {\"msg\":\"server listening\"}\n",
    )
    .unwrap();
    let istio = dir.path().join("istio.log");
    std::fs::write(
        &istio,
        "{\"method\":\"GET\",\"response_code\":503,\"response_flags\":\"UF\"}\n",
    )
    .unwrap();
    let r = run_json(&[
        "--log-format",
        "json",
        pino.to_str().unwrap(),
        istio.to_str().unwrap(),
    ]);
    assert_eq!(r["inputs"][0]["format"], "json");
    assert_eq!(
        counts_of(&r)["codes"],
        serde_json::json!({"200": 1, "404": 1, "503": 1})
    );
    assert_eq!(r["malformed"], 0);
    assert_eq!(
        r["skipped_by_reason"]["not_request"], 1,
        "the record without a status"
    );
    // A key given is the only one read.
    let r = run_json(&[
        "--log-format",
        "json",
        "--status-key",
        "status",
        pino.to_str().unwrap(),
    ]);
    assert_eq!(r["requests"], 0);
    assert_eq!(r["skipped_by_reason"]["not_request"], 3);
}

#[test]
fn upstream_status_where_formats_log_two() {
    // ALB fixture: target status differs from the client's on several lines.
    let r = run_json(&["--status", "upstream", fixture("alb").to_str().unwrap()]);
    let client = run_json(&[fixture("alb").to_str().unwrap()]);
    assert_ne!(counts_of(&r)["codes"], counts_of(&client)["codes"]);
    assert!(r["no_status"].as_u64().unwrap() > client["no_status"].as_u64().unwrap());
    let r = run_json(&["--status", "upstream", fixture("elb").to_str().unwrap()]);
    assert_eq!(counts_of(&r)["codes"]["500"], 1);
}

#[test]
fn bad_format_strings_and_names_are_refused() {
    for bad in ["nosuchformat", "$remote_addr $body_bytes_sent", "%h %b"] {
        Command::cargo_bin("logstat")
            .unwrap()
            .args(["--log-format", bad, fixture("combined").to_str().unwrap()])
            .assert()
            .code(2);
    }
}

#[test]
fn undetectable_input_exits_2_listing_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("notes.txt");
    std::fs::write(&log, "dear diary\ntoday I parsed logs\n").unwrap();
    let out = Command::cargo_bin("logstat")
        .unwrap()
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tried:"), "{err}");
    for name in ["w3c", "combined", "haproxy", "json"] {
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    assert!(err.contains("--log-format"), "{err}");
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_files_are_detected_by_folder() {
    let root = corpus_dir();
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let folder = dir.file_name().unwrap().to_string_lossy().to_string();
        let allowed = corpus_formats(&folder);
        assert!(
            !allowed.is_empty(),
            "no format known for corpus folder {folder}"
        );
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_none_or(|e| e != "log") {
                continue;
            }
            let r = run_json(&[f.to_str().unwrap()]);
            let got = r["inputs"][0]["format"].as_str().unwrap().to_string();
            assert!(
                allowed.contains(&got.as_str()),
                "{}: detected {got}, expected one of {allowed:?}",
                f.display()
            );
            assert_eq!(counts_of(&r), expected_for(&f), "counts of {}", f.display());
            seen += 1;
        }
    }
    assert!(seen > 0, "no corpus files under {root:?}");
}

#[test]
fn readme_lists_every_well_known_json_key() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for key in logstat::format::json::WELL_KNOWN_KEYS {
        assert!(readme.contains(&format!("`{key}`")), "README lacks `{key}`");
    }
}
