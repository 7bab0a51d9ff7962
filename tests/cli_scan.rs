//! The scan issue's behaviour through the binary: inputs (files, stdin, gzip),
//! bad inputs, accounting, malformed examples and dumps, thread independence;
//! and how usage errors, `--help` and `--version` come out.

use std::io::Write;

use serde_json::Value;

mod common;
use common::logstat;

const LOG: &str = concat!(
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 12 \"-\" \"ua\"\r\n",
    "::1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 000 0 \"-\" \"ua\"\n",
    "\n",
    "h - - [10/Oct/2000:13:55:36 -0700] \"GET /y HTTP/1.1\" - 0\n",
    "garbage \u{1b}[31m line\n",
    "h - - [10/Oct/2000:13:55:36 -0700] \"GET /z HTTP/1.1\" 1000 0\n",
    "h - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 503 1",
);

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON report")
}

fn temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn check_buckets(v: &Value) {
    assert_eq!(v["lines"], 7);
    assert_eq!(v["requests"], 3);
    assert_eq!(v["no_status"], 1);
    assert_eq!(v["skipped"], 1);
    assert_eq!(v["malformed"], 2);
    let codes: Vec<(u64, u64)> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_u64().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(codes, vec![(0, 1), (200, 1), (503, 1)]);
}

#[test]
fn every_line_in_one_bucket_from_a_file_stdin_and_gzip() {
    let f = temp(LOG.as_bytes());
    let out = logstat()
        .args(["-o", "json"])
        .arg(f.path())
        .assert()
        .success();
    check_buckets(&json(&out.get_output().stdout));

    let out = logstat()
        .args(["-o", "json", "-"])
        .write_stdin(LOG)
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    check_buckets(&v);
    assert_eq!(v["inputs"][0]["path"], "<stdin>");

    // No FILE at all also reads stdin; gzip is recognised by its bytes.
    let out = logstat()
        .args(["-o", "json"])
        .write_stdin(gzip(LOG.as_bytes()))
        .assert()
        .success();
    check_buckets(&json(&out.get_output().stdout));
}

#[test]
fn counts_do_not_depend_on_threads_or_chunks() {
    let f = temp(LOG.repeat(50).as_bytes());
    let mut seen = Vec::new();
    for args in [
        &["-j", "1"][..],
        &["-j", "3", "--chunk-size", "7"],
        &["-j", "2", "--chunk-size", "4096"],
    ] {
        let out = logstat()
            .args(["-o", "json"])
            .args(args)
            .arg(f.path())
            .assert()
            .success();
        let mut v = json(&out.get_output().stdout);
        v.as_object_mut().unwrap().remove("elapsed_ms");
        seen.push(v);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
}

#[test]
fn malformed_examples_name_file_and_line_and_are_escaped() {
    let f = temp(LOG.as_bytes());
    let name = f.path().display().to_string();
    let out = logstat()
        .args(["-o", "json"])
        .arg(f.path())
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    let ex = &v["malformed_examples"];
    assert_eq!(ex[0]["path"], name.as_str());
    assert_eq!(ex[0]["line"], 5);
    assert_eq!(ex[1]["line"], 6);
    assert!(!ex[0]["text"].as_str().unwrap().contains('\u{1b}'));

    let out = logstat()
        .args(["--color", "never"])
        .arg(f.path())
        .assert()
        .success();
    let table = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        table.contains(&format!("{name}:5: garbage \\x1b[31m line")),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'));
}

#[test]
fn dump_malformed_writes_every_malformed_line_verbatim() {
    let f = temp(LOG.repeat(3).as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("bad.txt");
    logstat()
        .args(["-o", "json", "--chunk-size", "50", "--dump-malformed"])
        .arg(&dump)
        .arg(f.path())
        .assert()
        .success();
    let want =
        "garbage \u{1b}[31m line\nh - - [10/Oct/2000:13:55:36 -0700] \"GET /z HTTP/1.1\" 1000 0\n"
            .repeat(3);
    assert_eq!(std::fs::read_to_string(&dump).unwrap(), want);
}

#[test]
fn a_bad_input_is_named_and_the_others_still_count() {
    let f = temp(LOG.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.log");
    let out = logstat()
        .args(["-o", "json"])
        .arg(&missing)
        .arg(dir.path())
        .arg(f.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!(
            "logstat: {}: No such file or directory",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "logstat: {}: is a directory",
            dir.path().display()
        )),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "logstat: 2 of 3 inputs could not be read ({}: No such file or directory, {}: is a directory); exit 2",
                missing.display(),
                dir.path().display()
            )
            .as_str()
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    check_buckets(&json(&out.get_output().stdout));
}

#[test]
fn empty_input_is_a_zero_report() {
    let out = logstat()
        .args(["-o", "json", "-"])
        .write_stdin("")
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    assert_eq!(v["lines"], 0);
    assert_eq!(v["requests"], 0);
}

#[test]
fn an_unknown_format_is_refused_with_what_was_tried() {
    let out = logstat()
        .arg("-")
        .write_stdin("hello\nworld\n")
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("<stdin>"), "{stderr}");
    assert!(stderr.contains("--log-format"), "{stderr}");
}

/// `tail -F access.log | logstat -`: Ctrl-C ends the reading, the report of
/// what was read still comes out, the input is named as cut short, exit 2.
#[cfg(unix)]
#[test]
fn ctrl_c_on_an_endless_pipe_reports_what_was_read() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut child = common::logstat_process()
        .args(["-o", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(LOG.lines().next().unwrap().as_bytes())
        .unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    // Keep the pipe open (as tail -F would) and interrupt once the line is in.
    std::thread::sleep(Duration::from_millis(1000));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let start = Instant::now();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2), "{:?}", out);
    let v = json(&out.stdout);
    assert_eq!(v["requests"], 1);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("<stdin>: interrupted"), "{stderr}");
    // The last word says the answer is partial, and why.
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "logstat: interrupted by Ctrl-C: 1 of 1 input not read in full (<stdin>: "
        ) && last.ends_with("; exit 2"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_read_like_every_other_error() {
    let out = logstat().arg("--bogus").write_stdin("").assert().code(2);
    let out = out.get_output();
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(
        stderr.starts_with("logstat: unexpected argument '--bogus' found\n"),
        "{stderr}"
    );
    assert!(stderr.contains("\nUsage: logstat "), "{stderr}");
    assert!(
        stderr.ends_with("For more information, try '--help'.\n"),
        "{stderr}"
    );
    // Not a terminal: no styles, and clap's own `error:` header is gone.
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains("error:"),
        "{stderr}"
    );
}

#[test]
fn help_and_version_are_answers_on_stdout() {
    for flag in ["--help", "--version"] {
        let out = logstat().arg(flag).assert().success();
        let out = out.get_output();
        assert!(!out.stdout.is_empty(), "{flag}");
        assert!(out.stderr.is_empty(), "{flag}");
    }
}
