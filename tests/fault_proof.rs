//! Inputs that used to take the process down or hang it, through the binary:
//! lines without an end, Ctrl-C at every stage of reading, files truncated
//! while read, gzip with padding, more inputs than open files allowed.

use std::io::Write;
use std::path::PathBuf;

use serde_json::Value;

const LINE: &str =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 12 \"-\" \"ua\"\n";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logstat")
}

fn logstat() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON report")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

// Lines without an end

/// A stream of zeros without a newline: one malformed line, read to its end
/// in bounded memory (the memory itself is measured by `benches/rss.sh`).
#[test]
fn an_endless_line_on_stdin_is_one_malformed_line() {
    let zeros = vec![0u8; 8 << 20];
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let out = logstat()
        .args(["--log-format", "combined", "-o", "json", "-"])
        .arg("--dump-malformed")
        .arg(&dump)
        .write_stdin(zeros)
        .assert()
        .code(0);
    let v = json(&out.get_output().stdout);
    assert_eq!(v["lines"], 1);
    assert_eq!(v["malformed"], 1);
    assert_eq!(v["inputs"][0]["bytes"], 8 << 20);
    // Only its start was kept: the dump has it cut to the default limit.
    assert_eq!(std::fs::read(&dump).unwrap().len(), (1 << 20) + 1);
}

/// The same as a file, through a gzip member that inflates to it, and with a
/// smaller limit set on the command line.
#[test]
fn a_line_past_max_line_length_is_malformed_in_every_kind_of_input() {
    let mut data = LINE.as_bytes().to_vec();
    let long = LINE.replace("GET /", &format!("GET /{}", "a".repeat(3000)));
    data.extend_from_slice(long.as_bytes());
    data.extend_from_slice(LINE.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.log");
    let gz = dir.path().join("log.gz");
    std::fs::write(&plain, &data).unwrap();
    std::fs::write(&gz, gzip(&data)).unwrap();
    for f in [&plain, &gz] {
        let out = logstat()
            .args(["--max-line-length", "2K", "-o", "json"])
            .arg(f)
            .assert()
            .code(0);
        let v = json(&out.get_output().stdout);
        assert_eq!(v["requests"], 2, "{}", f.display());
        assert_eq!(v["malformed"], 1);
        assert_eq!(v["malformed_examples"][0]["line"], 2);
        // Without the limit, the long line is read.
        let out = logstat()
            .args(["--max-line-length", "4096", "-o", "json"])
            .arg(f)
            .assert()
            .code(0);
        assert_eq!(json(&out.get_output().stdout)["requests"], 3);
    }
}

#[test]
fn max_line_length_refuses_what_it_cannot_use() {
    for bad in ["0", "2G", "-1", "lots", "1T"] {
        let out = logstat()
            .arg(format!("--max-line-length={bad}"))
            .arg("-")
            .write_stdin(LINE)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.starts_with("logstat: invalid value") && err.contains("--max-line-length"),
            "{bad}: {err}"
        );
        assert!(
            err.contains("out of range") || err.contains("not a size"),
            "{bad}: {err}"
        );
    }
    logstat()
        .args(["--max-line-length", "64k", "-"])
        .write_stdin(LINE)
        .assert()
        .code(0);
}

/// JSON examples are cut like the table's: a huge malformed line makes a
/// small report.
#[test]
fn json_examples_are_cut() {
    let line = format!("{}\n", "x".repeat(100_000));
    let out = logstat()
        .args(["--log-format", "combined", "-o", "json", "-"])
        .write_stdin(line)
        .assert()
        .code(0);
    let v = json(&out.get_output().stdout);
    let text = v["malformed_examples"][0]["text"].as_str().unwrap();
    assert_eq!(text.chars().count(), 200, "{text}");
    assert!(text.ends_with('…'));
    assert!(out.get_output().stdout.len() < 10_000);
}

// gzip as gzip -d reads it

/// Zero padding after the last member (a tape block, a preallocated file) is
/// read as `gzip -d` reads it: ignored. Anything else after it is an error
/// that names the input, after what came before it was counted.
#[test]
fn gzip_trailing_zeros_are_padding_and_other_trailing_bytes_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let member = gzip(LINE.repeat(3).as_bytes());
    let cases: [(&str, Vec<u8>, bool); 4] = [
        ("zeros", vec![0; 1024], true),
        (
            "zeros-after-two-members",
            [member.clone(), vec![0; 10]].concat(),
            true,
        ),
        ("garbage", b"garbage".to_vec(), false),
        (
            "zeros-then-garbage",
            [vec![0; 600], b"x".to_vec()].concat(),
            false,
        ),
    ];
    for (name, tail, ok) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, [member.clone(), tail].concat()).unwrap();
        let want = if name.contains("two") { 6 } else { 3 };
        for stdin in [false, true] {
            let mut cmd = logstat();
            cmd.args(["-o", "json"]);
            if stdin {
                cmd.arg("-").pipe_stdin(&path).unwrap();
            } else {
                cmd.arg(&path);
            }
            let out = cmd.assert().code(if ok { 0 } else { 2 });
            let out = out.get_output();
            assert_eq!(json(&out.stdout)["requests"], want, "{name}");
            let err = String::from_utf8_lossy(&out.stderr);
            if ok {
                assert!(err.is_empty(), "{name}: {err}");
            } else {
                assert!(err.contains("trailing garbage"), "{name}: {err}");
            }
        }
    }
}
