//! Compressed inputs through the binary: every format logstat decodes, made
//! by the real tools (`fixtures/compressed/`, how each was made is in its
//! README), counts as the plain log does, from a file and from stdin, for
//! every thread count; concatenated members are one log; padding is read as
//! each tool reads it; formats logstat does not decode are named.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::logstat;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compressed");

/// Every fixture that decodes to `access.log`: one member each, then the
/// log cut in two and each half compressed on its own and concatenated, and
/// pzstd's output (a skippable frame before the data).
const DECODED: [&str; 9] = [
    "access.log.gz",
    "access.log.zst",
    "access.log.xz",
    "access.log.bz2",
    "members.gz",
    "frames.zst",
    "streams.xz",
    "streams.bz2",
    "pzstd.zst",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

/// A JSON report without what differs between two reads of the same lines:
/// the input's name and the time taken. Null when there is none (no input
/// could be read).
fn report(stdout: &[u8]) -> Value {
    if stdout.is_empty() {
        return Value::Null;
    }
    let mut v: Value = serde_json::from_slice(stdout).expect("JSON report");
    v.as_object_mut().unwrap().remove("elapsed_ms");
    for e in v["malformed_examples"].as_array_mut().unwrap() {
        e["path"] = Value::Null;
    }
    for i in v["inputs"].as_array_mut().unwrap() {
        i["path"] = Value::Null;
    }
    v
}

/// Runs logstat on `input` (`None`: `data` on stdin) and returns the exit
/// code, the report, the `--dump-malformed` bytes and stderr.
fn run(args: &[&str], input: Option<&Path>, stdin: &[u8]) -> (i32, Value, Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let mut cmd = logstat();
    cmd.args(["-o", "json", "--dump-malformed"])
        .arg(&dump)
        .args(args);
    match input {
        Some(p) => {
            cmd.arg(p);
        }
        None => {
            cmd.arg("-").write_stdin(stdin.to_vec());
        }
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        report(&out.stdout),
        std::fs::read(&dump).unwrap_or_default(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The plain log's counts are the hand-counted ones, and every compressed
/// form of it gives the same report (counts, malformed examples with their
/// line numbers, the dump) from a file and from stdin, with one thread or
/// several, and with chunks so small that every member boundary falls
/// inside one.
#[test]
fn every_compressed_fixture_reads_as_the_plain_log() {
    let plain = fixture("access.log");
    let (code, want, want_dump, err) = run(&[], Some(&plain), b"");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        common::counts_of(&want),
        common::expected_for(&plain),
        "access.log"
    );
    assert!(!want_dump.is_empty());
    for name in DECODED {
        let path = fixture(name);
        for args in [
            &["-j", "1"][..],
            &["-j", "2"],
            &["-j", "3", "--chunk-size", "97"],
        ] {
            let (code, got, dump, err) = run(args, Some(&path), b"");
            assert_eq!(code, 0, "{name} {args:?}: {err}");
            assert_eq!(got, want, "{name} {args:?}");
            assert_eq!(dump, want_dump, "{name} {args:?}");
        }
        let bytes = std::fs::read(&path).unwrap();
        let (code, got, dump, err) = run(&["--chunk-size", "200"], None, &bytes);
        assert_eq!(code, 0, "{name} on stdin: {err}");
        assert_eq!(got, want, "{name} on stdin");
        assert_eq!(dump, want_dump, "{name} on stdin");
    }
}

/// Many compressed inputs at once, of every format: each input's report is
/// its own, the same for any thread count.
#[test]
fn many_compressed_inputs_count_each_on_its_own_for_any_thread_count() {
    let paths: Vec<PathBuf> = DECODED
        .iter()
        .chain(&["access.log"])
        .map(|n| fixture(n))
        .collect();
    let mut first: Option<Value> = None;
    for j in ["1", "2", "4", "16"] {
        let mut cmd = logstat();
        cmd.args(["-o", "json", "-j", j]).args(&paths);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "-j {j}");
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("elapsed_ms");
        assert_eq!(v["inputs"].as_array().unwrap().len(), paths.len());
        for (input, path) in v["inputs"].as_array().unwrap().iter().zip(&paths) {
            assert_eq!(input["path"], path.to_str().unwrap());
            assert_eq!(input["lines"], 64, "{}", path.display());
            assert!(input["error"].is_null(), "{input}");
        }
        match &first {
            None => first = Some(v),
            Some(f) => assert_eq!(&v, f, "-j {j}"),
        }
    }
}

/// Readers count what they read themselves once there are as many of them
/// as threads, and hand it to the workers otherwise: the reports (counts,
/// series, `--top`, first and last times) are the same either way, for
/// inputs of many buffers each.
#[test]
fn compressed_inputs_count_alike_read_by_readers_or_handed_to_workers() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("access.log")).unwrap();
    let files: Vec<PathBuf> = (1..=4)
        .map(|i| {
            let log = plain.repeat(40 * i);
            let (name, bytes) = if i % 2 == 0 {
                ("zst", zstd::encode_all(&log[..], 1).unwrap())
            } else {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(&log).unwrap();
                ("gz", gz.finish().unwrap())
            };
            let p = dir.path().join(format!("access.log.{i}.{name}"));
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    let mut first: Option<Value> = None;
    // -j 1 and -j 16 (four readers, more threads) hand buffers over; -j 2
    // and -j 4 have a reader on every thread.
    for j in ["1", "2", "4", "16"] {
        let out = logstat()
            .args([
                "-o",
                "json",
                "--chunk-size",
                "4096",
                "--by",
                "1m",
                "--top",
                "path",
            ])
            .args(["-j", j])
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "-j {j}");
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("elapsed_ms");
        let lines = plain.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(v["lines"], lines * 40 * 10, "-j {j}");
        match &first {
            None => first = Some(v),
            Some(f) => assert_eq!(&v, f, "-j {j}"),
        }
    }
}

/// Bytes after the last member, as each format's own tool reads them:
/// `gzip -d` and `bzip2 -d` ignore zeros, `xz -d` takes zeros four at a
/// time (also between streams), `zstd -d` refuses them. Anything refused is
/// an error naming the input, exit 2, after what came before was counted.
#[test]
fn trailing_bytes_are_read_as_each_tool_reads_them() {
    let member = |n: &str| std::fs::read(fixture(n)).unwrap();
    let zeros = |n: usize| vec![0u8; n];
    // (fixture, bytes after it, then the fixture again?, read whole?)
    let cases: Vec<(&str, Vec<u8>, bool, bool)> = vec![
        ("access.log.gz", zeros(1024), false, true),
        ("access.log.bz2", zeros(1024), false, true),
        ("access.log.bz2", zeros(3), false, true),
        ("access.log.xz", zeros(512), false, true),
        ("access.log.xz", zeros(8), true, true),
        ("access.log.xz", zeros(3), false, false),
        ("access.log.xz", zeros(6), true, false),
        ("access.log.zst", zeros(4), false, false),
        ("access.log.zst", zeros(1), false, false),
        ("access.log.gz", b"garbage".to_vec(), false, false),
        ("access.log.zst", b"garbage".to_vec(), false, false),
        ("access.log.xz", b"garbage!".to_vec(), false, false),
        ("access.log.bz2", b"garbage".to_vec(), false, false),
        (
            "access.log.bz2",
            [zeros(9), b"x".to_vec()].concat(),
            false,
            false,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, tail, again, ok)) in cases.into_iter().enumerate() {
        let mut bytes = [member(name), tail.clone()].concat();
        if again {
            bytes.extend(member(name));
        }
        let path = dir.path().join(format!("{i}"));
        std::fs::write(&path, &bytes).unwrap();
        let at = format!("{name} + {:?}…{}", &tail[..tail.len().min(4)], tail.len());
        // With `again`, an accepted input is the log twice; a refused one
        // has been counted up to the bytes refused.
        let lines = if again && ok { 128 } else { 64 };
        for stdin in [false, true] {
            let (code, v, _, err) = if stdin {
                run(&[], None, &bytes)
            } else {
                run(&[], Some(&path), b"")
            };
            assert_eq!(v["lines"], lines, "{at}: {err}");
            if ok {
                assert_eq!(code, 0, "{at}: {err}");
                assert!(err.is_empty(), "{at}: {err}");
            } else {
                assert_eq!(code, 2, "{at}");
                let codec = name.rsplit('.').next().unwrap();
                let codec = match codec {
                    "gz" => "gzip",
                    "zst" => "zstd",
                    "bz2" => "bzip2",
                    c => c,
                };
                assert!(
                    err.contains(&format!("trailing garbage after the last {codec}")),
                    "{at}: {err}"
                );
            }
        }
    }
}

/// A truncated or corrupt compressed input is an error that names the
/// format, never a short count passed off as the whole.
#[test]
fn truncated_and_corrupt_inputs_are_errors_naming_the_format() {
    let dir = tempfile::tempdir().unwrap();
    for (name, codec) in [
        ("access.log.gz", "gzip"),
        ("access.log.zst", "zstd"),
        ("access.log.xz", "xz"),
        ("access.log.bz2", "bzip2"),
    ] {
        let whole = std::fs::read(fixture(name)).unwrap();
        let mut corrupt = whole.clone();
        let mid = corrupt.len() / 2;
        for b in &mut corrupt[mid..mid + 8] {
            *b ^= 0x55;
        }
        for (what, bytes) in [
            ("truncated", whole[..whole.len() - 9].to_vec()),
            ("corrupt", corrupt),
        ] {
            let path = dir.path().join(format!("{what}-{name}"));
            std::fs::write(&path, &bytes).unwrap();
            let (code, _, _, err) = run(&[], Some(&path), b"");
            assert_eq!(code, 2, "{what} {name}");
            assert!(
                err.contains(&format!("{what}-{name}: {codec}")),
                "{what} {name}: {err}"
            );
        }
    }
}

/// The magic numbers of compressed formats logstat does not decode: each
/// such input is refused by the name of its format with the command that
/// decodes it (exit 2), not reported as a log of no known format, from a
/// file and from stdin; the other inputs are still counted. lz4, zip and
/// legacy .lzma are files their tools made; the others are their formats'
/// headers as their specifications give them.
#[test]
fn formats_logstat_does_not_decode_are_named_with_the_command_that_does() {
    let dir = tempfile::tempdir().unwrap();
    let headers: [(&str, &[u8], &str, &str); 6] = [
        ("z", &[0x1f, 0x9d, 0x90], "compress (.Z)", "gzip -dc FILE"),
        (
            "7z",
            &[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4],
            "7z",
            "7z x -so FILE",
        ),
        ("lz", b"LZIP\x01\x0c", "lzip", "lzip -dc FILE"),
        (
            "lzo",
            &[0x89, b'L', b'Z', b'O', 0, 0x0d, 0x0a, 0x1a, 0x0a, 0x10],
            "lzop",
            "lzop -dc FILE",
        ),
        ("rar", b"Rar!\x1a\x07\x01\x00", "rar", "unrar p -inul FILE"),
        (
            "lz4-legacy",
            &[0x02, 0x21, 0x4c, 0x18, 9],
            "lz4",
            "lz4 -dc FILE",
        ),
    ];
    let mut cases: Vec<(PathBuf, &str, &str)> = vec![
        (fixture("access.log.lz4"), "lz4", "lz4 -dc FILE"),
        (fixture("access.log.zip"), "zip", "unzip -p FILE"),
        (fixture("access.log.lzma"), "lzma", "xz -dc FILE"),
    ];
    for (file, head, name, command) in headers {
        let path = dir.path().join(file);
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(head).unwrap();
        f.write_all(&[0x5a; 64]).unwrap();
        cases.push((path, name, command));
    }
    let plain = fixture("access.log");
    for (path, name, command) in cases {
        let want = format!(
            "{name}-compressed, which logstat does not read; decompress it first (`{command} | logstat -`)"
        );
        let out = logstat()
            .args(["-o", "json"])
            .arg(&path)
            .arg(&plain)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(
            err.contains(&format!("{}: {want}", path.display())),
            "{}: {err}",
            path.display()
        );
        assert!(!err.contains("no known log format"), "{err}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["lines"], 64, "the plain input is still counted");

        let (code, _, _, err) = run(&[], None, &std::fs::read(&path).unwrap());
        assert_eq!(code, 2, "{} on stdin", path.display());
        assert!(err.contains(&format!("<stdin>: {want}")), "{err}");
    }
}

/// A log shorter than a magic number, or one that starts like one and then
/// is not, is read as the log it is.
#[test]
fn logs_that_start_like_a_magic_number_are_logs() {
    for text in [
        &b"B"[..],
        b"BZh9 - - [t] \"GET /\" 200 1\n",
        b"PK - - [t] \"GET /\" 200 1\n",
        b"LZIP - - [t] \"GET /\" 200 1\n",
        b"7z - - [t] \"GET /\" 200 1\n",
    ] {
        for stdin in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("log");
            std::fs::write(&path, text).unwrap();
            let mut cmd = logstat();
            cmd.args(["-o", "json", "--log-format", "combined"]);
            if stdin {
                cmd.arg("-").write_stdin(text.to_vec());
            } else {
                cmd.arg(&path);
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{text:?}: {err}");
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["lines"], 1, "{text:?}");
        }
    }
}

/// With `-j 2`, compressed files are decompressed two at a time, each by a
/// reader thread of its own, and never more at once however many files
/// there are (each reader holds its own buffers): seen in the threads of the
/// running process. A reader counts as running once seen in two polls in a
/// row beside the others; a third may be seen while one that has just
/// handed over its slot exits.
#[cfg(target_os = "linux")]
#[test]
fn compressed_files_are_decompressed_as_many_at_once_as_there_are_threads() {
    use std::collections::HashSet;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("access.log")).unwrap();
    let log = plain.repeat((8 << 20) / plain.len());
    let compressed = zstd::encode_all(&log[..], 1).unwrap();
    let files: Vec<PathBuf> = (0..6)
        .map(|i| {
            let p = dir.path().join(format!("access.log.{i}.zst"));
            std::fs::write(&p, &compressed).unwrap();
            p
        })
        .collect();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("logstat"))
        .args(["-o", "json", "-j", "2"])
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let tasks = format!("/proc/{}/task", child.id());
    let readers = || -> HashSet<String> {
        let Ok(dir) = std::fs::read_dir(&tasks) else {
            return HashSet::new();
        };
        dir.filter_map(|t| {
            let t = t.ok()?.path();
            let comm = std::fs::read_to_string(t.join("comm")).ok()?;
            comm.starts_with("logstat-reader")
                .then(|| t.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect()
    };
    let (mut most, mut prev) = (0, HashSet::new());
    while child.try_wait().unwrap().is_none() {
        let now = readers();
        most = most.max(now.intersection(&prev).count());
        prev = now;
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = log.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(v["lines"], 6 * lines);
    assert!((2..=3).contains(&most), "{most} readers at once");
}
