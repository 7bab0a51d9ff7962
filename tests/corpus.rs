//! Conformance with the real-world corpus: for every `X.log` with an
//! `X.expected.json` beside it under `$LOGSTAT_CORPUS` (searched recursively),
//! logstat's JSON counts must equal the expected ones — with the default
//! settings, and again with tiny chunks and an odd thread count, since results
//! must not depend on either.
//!
//! The corpus is test data kept outside the project, so the test is
//! `#[ignore]`d in a plain `cargo test`; `.ci/run` points the variable at
//! `../shared/corpus` and runs `cargo test -- --include-ignored`. Run without
//! the variable, the test fails rather than passing unchecked.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{corpus_dir, counts_of, expected_for};

fn expected_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            expected_files(&p, out);
        } else if p.to_string_lossy().ends_with(".expected.json") {
            out.push(p);
        }
    }
}

fn run(log: &Path, extra: &[&str]) -> Result<Value, String> {
    let out = Command::cargo_bin("logstat")
        .unwrap()
        .args(["-o", "json"])
        .args(extra)
        .arg(log)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok(counts_of(&v))
}

#[test]
#[ignore = "needs LOGSTAT_CORPUS (the shared corpus): .ci/run sets it and runs --include-ignored"]
fn corpus_counts_match_expected() {
    let dir = corpus_dir();
    let mut files = Vec::new();
    expected_files(&dir, &mut files);
    assert!(!files.is_empty(), "no *.expected.json under {dir:?}");
    let mut failures = Vec::new();
    for exp in &files {
        let log = PathBuf::from(exp.to_string_lossy().trim_end_matches(".expected.json"));
        let want = expected_for(&log);
        for extra in [&[][..], &["-j", "3", "--chunk-size", "61"][..]] {
            match run(&log, extra) {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "{} {extra:?}\n  expected {want}\n  got      {got}",
                    log.display()
                )),
                Err(e) => failures.push(format!("{} {extra:?}: {e}", log.display())),
            }
        }
    }
    eprintln!(
        "corpus: {} files checked, {} mismatches",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
