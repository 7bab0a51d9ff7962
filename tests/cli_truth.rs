//! What the command line says is true, through the real binary: a partial
//! answer says so in its last line, a forced format that does not fit is
//! named, warnings never fail a job, stdout is one thing (and a closed one is
//! an error), no output overwrites an input, and arguments are bounded.
//!
//! Streams are checked as the user sees them: where the order of stdout and
//! stderr matters, both go to one pipe through `sh -c '… 2>&1'`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

mod common;

/// A Combined log of `n` requests, `errors` of them 503.
fn combined(n: usize, errors: usize) -> String {
    (0..n)
        .map(|i| {
            let code = if i < errors { 503 } else { 200 };
            format!(
                "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /p{i} HTTP/1.1\" {code} 12 \"-\" \"curl/8\"\n"
            )
        })
        .collect()
}

fn logstat() -> Command {
    let mut c = common::logstat();
    c.args(["--color", "never"]);
    c
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logstat")
}

/// A directory with `access.log` (100 Combined requests, 2 of them 503).
fn dir_with_log() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, combined(100, 2)).unwrap();
    (dir, log)
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// Runs `script` in `sh` with `$0` the logstat binary and `$1`, `$2`, … the
/// arguments; returns the exit status, stdout and stderr.
#[cfg(unix)]
fn sh(script: &str, args: &[&Path]) -> (i32, String, String) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

// ---- a partial answer says so, last ----

#[cfg(unix)]
#[test]
fn the_last_line_of_a_partial_answer_says_so_after_the_verdicts() {
    let (dir, log) = dir_with_log();
    let missing = dir.path().join("missing.log");
    // stdout and stderr in one pipe, in the order the user reads them.
    let (code, out, _) = sh(
        r#""$0" "$1" "$2" --fail-if '5xx > 3%' --color never 2>&1"#,
        &[&log, &missing],
    );
    assert_eq!(code, 2, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let pass = lines
        .iter()
        .position(|l| l.starts_with("PASS 5xx > 3%"))
        .expect("the verdict line");
    assert_eq!(lines[pass + 1], "logstat: the 1 check passed", "{out}");
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "logstat: 1 of 2 inputs could not be read ({}: No such file or directory); exit 2",
                missing.display()
            )
            .as_str()
        ),
        "{out}"
    );
    // The readable input is still reported, and the failed one is named as
    // failed, not as an input of zero lines.
    assert!(out.contains("Requests: 100"), "{out}");
    assert!(
        out.contains(&format!("{} (error)", missing.display())),
        "{out}"
    );
}

#[test]
fn an_undetectable_input_is_named_with_its_reason_last() {
    let (dir, log) = dir_with_log();
    let junk = dir.path().join("error.log");
    std::fs::write(&junk, "hello\nworld\n").unwrap();
    let out = logstat().arg(&log).arg(&junk).assert().code(2);
    let stderr = text(&out.get_output().stderr);
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "logstat: 1 of 2 inputs could not be read ({}: no known log format fits its first lines); exit 2",
                junk.display()
            )
            .as_str()
        ),
        "{stderr}"
    );
}

#[test]
fn with_no_input_read_there_is_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.log");
    for args in [&[][..], &["-o", "json"], &["--fail-if", "5xx > 1%"]] {
        let out = logstat().args(args).arg(&missing).assert().code(2);
        let out = out.get_output();
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert_eq!(
            stderr.lines().collect::<Vec<_>>(),
            [
                format!("logstat: {}: No such file or directory", missing.display()),
                format!(
                    "logstat: 1 of 1 input could not be read ({}: No such file or directory); exit 2",
                    missing.display()
                ),
            ],
            "{args:?}"
        );
    }
}

#[test]
fn many_failed_inputs_are_counted_after_the_first_three() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<PathBuf> = (1..=5)
        .map(|i| dir.path().join(format!("{i}.log")))
        .collect();
    let out = logstat().args(&names).assert().code(2);
    let stderr = text(&out.get_output().stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with("logstat: 5 of 5 inputs could not be read (")
            && last.ends_with(": No such file or directory, and 2 more); exit 2"),
        "{last}"
    );
    assert!(!last.contains("4.log"), "{last}");
}

// ---- a forced format that does not fit ----

#[test]
fn a_forced_format_that_leaves_most_lines_malformed_names_the_detected_one() {
    let (_dir, log) = dir_with_log();
    logstat()
        .args(["--log-format", "iis"])
        .arg(&log)
        .assert()
        .code(0)
        .stderr(format!(
            "logstat: warning: {}: 100 of 100 lines are malformed for --log-format iis; auto-detection picks combined\n",
            log.display()
        ));
}

#[test]
fn a_forced_json_key_that_no_line_has_names_the_detected_key() {
    let json = "{\"status\":200,\"path\":\"/\"}\n".repeat(3);
    logstat()
        .args(["--log-format", "json", "--status-key", "http.code", "-"])
        .write_stdin(json)
        .assert()
        .code(0)
        .stderr(
            "logstat: warning: <stdin>: 3 of 3 lines are records without a status (not requests) for --log-format json --status-key http.code; auto-detection picks json (--status-key status)\n",
        );
}

#[test]
fn a_forced_format_that_fits_or_fits_nothing_better_says_no_more() {
    let (_dir, log) = dir_with_log();
    // It fits: no warning.
    logstat()
        .args(["--log-format", "nginx"])
        .arg(&log)
        .assert()
        .code(0)
        .stderr("");
    // Nothing fits: the warning says detection has nothing better either.
    logstat()
        .args(["--log-format", "squid", "-"])
        .write_stdin("hello\nworld\n")
        .assert()
        .code(0)
        .stderr(predicate::str::ends_with(
            "2 of 2 lines are malformed for --log-format squid; auto-detection finds no known format either\n",
        ));
}

#[test]
fn format_names_are_matched_in_any_case_and_typos_get_a_suggestion() {
    let (_dir, log) = dir_with_log();
    for name in ["COMBINED", "nginx", "Apache", "clf", "AUTO"] {
        logstat()
            .args(["-o", "json", "--log-format", name])
            .arg(&log)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("\"requests\": 100"));
    }
    logstat()
        .args(["--log-format", "ngnix"])
        .arg(&log)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "logstat: --log-format: unknown log format 'ngnix' (did you mean 'nginx'?); try: auto, w3c,",
        ));
    logstat()
        .args(["--log-format", "CLOUDSTORAGE"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean").not());
}

// ---- warnings never fail a job ----

#[test]
fn warn_only_with_too_few_requests_has_no_verdict_and_exits_0() {
    logstat()
        .args(["-", "--warn-if", "5xx > 1%", "--min-requests", "1000"])
        .write_stdin(combined(100, 2))
        .assert()
        .code(0)
        .stderr("logstat: no verdict: checks need at least 1,000 requests, counted 100\n");
    logstat()
        .args(["-", "--warn-if", "5xx > 1%"])
        .write_stdin("")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no verdict"));
    // A --fail-if among them keeps the gate's rule: exit 2.
    logstat()
        .args(["-", "--warn-if", "5xx > 1%", "--fail-if", "5xx > 50%"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr("logstat: checks need at least 1 request, counted 0\n");
}

// ---- stdout: one thing, and closed is an error ----

#[cfg(unix)]
#[test]
fn a_closed_stdout_or_stdin_is_an_error() {
    let (_dir, log) = dir_with_log();
    let closed = "logstat: stdout is closed, so the report has nowhere to go; redirect it (`> /dev/null` to discard it)\n";
    assert_eq!(
        sh(r#""$0" "$1" >&-"#, &[&log]),
        (2, String::new(), closed.into())
    );
    assert_eq!(
        sh(r#""$0" --version >&-"#, &[]),
        (2, String::new(), closed.into())
    );
    // Sent to /dev/null on purpose: fine.
    assert_eq!(sh(r#""$0" "$1" >/dev/null"#, &[&log]).0, 0);
    let (code, _, stderr) = sh(r#""$0" <&-"#, &[]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "logstat: stdin is closed; give a FILE, or pipe a log into logstat\n"
        )
    );
}

#[test]
fn dump_malformed_to_stdout_moves_the_table_to_stderr() {
    let mut log = combined(3, 0);
    log.push_str("garbage one\n");
    log.push_str(&combined(2, 0));
    log.push_str("garbage two\n");
    logstat()
        .args(["-", "--dump-malformed", "-"])
        .write_stdin(log.clone())
        .assert()
        .code(0)
        .stdout("garbage one\ngarbage two\n")
        .stderr(predicate::str::contains("Status classes"));
    // The same for --csv -: stdout is pure CSV.
    let out = logstat()
        .args(["-", "--csv", "-"])
        .write_stdin(log)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("Status classes"));
    let csv = text(&out.get_output().stdout);
    assert!(csv.starts_with("code,class,"), "{csv}");
    assert!(!csv.contains("Status classes"), "{csv}");
}

#[test]
fn two_claims_on_stdout_are_refused_before_reading() {
    for (args, msg) in [
        (&["--csv", "-", "--json", "-"][..], "--csv - and --json -"),
        (
            &["-o", "json", "--dump-malformed", "-"],
            "-o json and --dump-malformed -",
        ),
        (&["-o", "csv", "--csv", "-"], "-o csv and --csv -"),
        (
            &["--by", "1m", "--series-csv", "-", "--dump-malformed", "-"],
            "--series-csv - and --dump-malformed -",
        ),
        (
            &["-o", "json", "--by", "1m", "--series-csv", "-"],
            "-o json and --series-csv -",
        ),
    ] {
        logstat()
            .arg("-")
            .args(args)
            .write_stdin(combined(3, 0))
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "logstat: {msg} both write to stdout; send one of them to a file\n"
            ));
    }
}

// ---- no output overwrites an input ----

#[cfg(unix)]
#[test]
fn no_output_may_be_an_input_even_through_a_link() {
    let (dir, log) = dir_with_log();
    let before = std::fs::read(&log).unwrap();
    let symlink = dir.path().join("link.log");
    std::os::unix::fs::symlink(&log, &symlink).unwrap();
    let hardlink = dir.path().join("hard.log");
    std::fs::hard_link(&log, &hardlink).unwrap();
    for flag in [
        "--dump-malformed",
        "--csv",
        "--json",
        "--series-csv",
        "--junit",
    ] {
        for out in [&log, &symlink, &hardlink] {
            logstat()
                .arg(&log)
                .args(["--fail-if", "5xx > 1%", "--by", "1m", flag])
                .arg(out)
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!(
                    "logstat: {flag} {} is the input {}; refusing to overwrite it\n",
                    out.display(),
                    log.display()
                ));
            assert_eq!(std::fs::read(&log).unwrap(), before, "{flag} {out:?}");
        }
    }
    // stdin redirected from the log is an input like any other.
    let (code, _, stderr) = sh(r#""$0" - --json "$2" <"$1""#, &[&log, &symlink]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "logstat: --json {} is the input <stdin>; refusing to overwrite it\n",
            symlink.display()
        )
    );
    // So is stdout appended to the log.
    let (code, _, stderr) = sh(r#""$0" "$1" >>"$1""#, &[&log]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "logstat: stdout is the input {}; refusing to overwrite it\n",
            log.display()
        )
    );
    assert_eq!(std::fs::read(&log).unwrap(), before);
    // A new file beside it is fine.
    logstat()
        .arg(&log)
        .arg("--csv")
        .arg(dir.path().join("out.csv"))
        .assert()
        .code(0);
}

// ---- arguments are bounded ----

#[test]
fn absurd_thread_counts_and_chunk_sizes_are_usage_errors() {
    for (flag, value, msg) in [
        ("-j", "18446744073709551615", "must be 0 to 1024 threads"),
        ("-j", "99999999999999999999999", "must be 0 to 1024 threads"),
        ("-j", "1000000000", "must be 0 to 1024 threads"),
        ("-j", "1025", "must be 0 to 1024 threads"),
        ("-j", "four", "expected a whole number, 0 to 1024 threads"),
        ("--chunk-size", "0", "must be 1 to 67108864 bytes"),
        ("--chunk-size", "1073741824", "must be 1 to 67108864 bytes"),
    ] {
        logstat()
            .args(["-", flag, value])
            .write_stdin(combined(3, 0))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(format!(
                "logstat: invalid value '{value}' for '"
            )))
            .stderr(predicate::str::contains(msg));
    }
    // The bounds themselves are accepted.
    for (flag, value) in [("-j", "1024"), ("-j", "0"), ("--chunk-size", "1")] {
        logstat()
            .args(["-o", "json", "-", flag, value])
            .write_stdin(combined(50, 0))
            .assert()
            .code(0)
            .stdout(predicate::str::contains("\"requests\": 50"));
    }
}

#[test]
fn stdin_given_twice_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("bad.txt");
    logstat()
        .args(["-", "-", "--dump-malformed"])
        .arg(&dump)
        .write_stdin(combined(3, 0))
        .assert()
        .code(2)
        .stdout("")
        .stderr("logstat: `-` (stdin) is given more than once; stdin can be read only once\n");
    assert!(!dump.exists());
}

/// Detection never judges the line its sample cut off: a log of 40 KB
/// Combined lines is recognised, whichever format would read it.
#[test]
fn long_lines_are_detected_whatever_the_sample_cuts() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("long.log");
    let agent = "a".repeat(40 << 10);
    let line = format!(
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 503 1 \"-\" \"{agent}\"\n"
    );
    std::fs::write(&log, line.repeat(3)).unwrap();
    let out = logstat().args(["-o", "json"]).arg(&log).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["format"], "combined");
    assert_eq!(v["requests"], 3);
}
