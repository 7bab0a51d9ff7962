//! Inputs that used to take the process down or hang it, through the binary:
//! lines without an end, Ctrl-C at every stage of reading, files truncated
//! while read, gzip with padding, more inputs than open files allowed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::logstat;

const LINE: &str =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 12 \"-\" \"ua\"\n";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logstat")
}

fn spawn(args: &[&str], stdin: Stdio) -> Child {
    common::logstat_process()
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` at most `limit`; kills it and fails when it is still
/// running then.
fn finish_within(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Sends Ctrl-C's signal once `child` handles it (before that it would just
/// die of it) and has had time to block where the test means it to.
#[cfg(unix)]
fn sigint(child: &Child) {
    #[cfg(target_os = "linux")]
    {
        let start = Instant::now();
        let status = format!("/proc/{}/status", child.id());
        while !std::fs::read_to_string(&status).is_ok_and(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
                .is_some_and(|m| m & (1 << (libc::SIGINT - 1)) != 0)
        }) {
            assert!(start.elapsed() < PROMPTLY, "SIGINT never handled");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    std::thread::sleep(SETTLE);
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON report")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// How long a test lets logstat run before calling it hung: generous, so a
/// loaded machine does not fail it, but finite, so a hang is a failure.
const PROMPTLY: Duration = Duration::from_secs(10);

/// How long a test waits, once logstat handles SIGINT, for it to reach the
/// state the signal is meant to find it in (blocked in an open or a read).
/// Arriving earlier would not fail a test, only test less.
const SETTLE: Duration = Duration::from_millis(500);

// Ctrl-C at every stage

/// Opening a FIFO nobody writes to blocks in `open` itself; Ctrl-C ends it.
#[cfg(unix)]
#[test]
fn ctrl_c_ends_the_wait_for_a_fifo_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("nobody-writes");
    mkfifo(&fifo);
    let child = spawn(&["-o", "json", fifo.to_str().unwrap()], Stdio::null());
    sigint(&child);
    let out = finish_within(child, PROMPTLY);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // Nothing was read, so there is no report of zeros, only the reason.
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = stderr(&out);
    assert!(err.contains("nobody-writes: interrupted"), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("logstat: interrupted by Ctrl-C"),
        "{err}"
    );
}

/// Two quiet streams, each with a reader blocked in `read`: one SIGINT wakes
/// both, and both are named as cut short.
#[cfg(unix)]
#[test]
fn one_ctrl_c_wakes_every_quiet_reader() {
    let dir = tempfile::tempdir().unwrap();
    let fifos = [dir.path().join("quiet-a"), dir.path().join("quiet-b")];
    for f in &fifos {
        mkfifo(f);
    }
    let child = spawn(
        &[
            "-o",
            "json",
            fifos[0].to_str().unwrap(),
            fifos[1].to_str().unwrap(),
        ],
        Stdio::null(),
    );
    // One line each, then the writers stay open and say nothing more.
    let writers: Vec<std::fs::File> = fifos
        .iter()
        .map(|f| {
            let mut w = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            w.write_all(LINE.as_bytes()).unwrap();
            w
        })
        .collect();
    sigint(&child);
    let out = finish_within(child, PROMPTLY);
    drop(writers);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(json(&out.stdout)["requests"], 2);
    let err = stderr(&out);
    assert!(err.contains("quiet-a: interrupted"), "{err}");
    assert!(err.contains("quiet-b: interrupted"), "{err}");
}

/// stdin is looked at for gzip's magic bytes before anything is counted; a
/// pipe that stays open and empty blocks that look, and Ctrl-C ends it.
#[cfg(unix)]
#[test]
fn ctrl_c_ends_the_gzip_sniff_of_a_silent_stdin() {
    let child = spawn(&["-o", "json", "-"], Stdio::piped());
    sigint(&child);
    let out = finish_within(child, PROMPTLY);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>: interrupted"),
        "{}",
        stderr(&out)
    );
}

/// The look at stdin's first bytes waits for more only while they may
/// still start a magic number (here zstd's, two bytes of four); a writer
/// that goes quiet there is a quiet stream like any other, and Ctrl-C ends
/// it.
#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_stdin_gone_quiet_inside_a_magic_number() {
    let mut child = spawn(&["-o", "json", "-"], Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&[0x28, 0xb5]).unwrap();
    stdin.flush().unwrap();
    sigint(&child);
    let out = finish_within(child, PROMPTLY);
    drop(stdin);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>: interrupted"),
        "{}",
        stderr(&out)
    );
}

/// A quiet stream beside many regular files: Ctrl-C stops the files being
/// opened and counted and wakes the stream's reader.
#[cfg(unix)]
#[test]
fn ctrl_c_with_files_and_a_quiet_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("quiet");
    mkfifo(&fifo);
    let log = dir.path().join("a.log");
    std::fs::write(&log, LINE.repeat(1000)).unwrap();
    let child = spawn(
        &[
            "-o",
            "json",
            log.to_str().unwrap(),
            fifo.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        Stdio::null(),
    );
    let writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    sigint(&child);
    let out = finish_within(child, PROMPTLY);
    drop(writer);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let v = json(&out.stdout);
    assert_eq!(v["requests"], 2000, "{v}");
    let err = stderr(&out);
    assert!(err.contains("quiet: interrupted"), "{err}");
    // The input's own line, then the run's last word: a partial answer.
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("logstat: interrupted by Ctrl-C: 1 of 3 inputs"),
        "{err}"
    );
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

// Files that shrink while read

/// `--dump-malformed` into a FIFO this test does not read: once the pipe is
/// full, logstat's one worker is held in the middle of the file, so the test
/// can truncate the file under it at a known point, then let it go on.
#[cfg(target_os = "linux")]
#[test]
fn a_file_that_shrinks_while_read_is_named_and_exits_2() {
    use std::io::Read;
    use std::os::fd::AsRawFd;

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rotated.log");
    let bad: String = (0..40_000).map(|i| format!("garbage line {i}\n")).collect();
    std::fs::write(&log, &bad).unwrap();
    let size = bad.len();
    let dump = dir.path().join("dump");
    mkfifo(&dump);
    let child = spawn(
        &[
            "-j",
            "1",
            "--chunk-size",
            "4096",
            "--log-format",
            "combined",
            "--dump-malformed",
            dump.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        Stdio::null(),
    );
    let mut reader = std::fs::File::open(&dump).unwrap();
    // Wait for the pipe to fill up.
    let start = Instant::now();
    loop {
        let mut queued: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer.
        unsafe { libc::ioctl(reader.as_raw_fd(), libc::FIONREAD, &mut queued) };
        if queued >= 60_000 {
            break;
        }
        assert!(start.elapsed() < PROMPTLY, "the dump never filled the pipe");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(100)
        .unwrap();
    let drain = std::thread::spawn(move || {
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        all
    });
    let out = finish_within(child, PROMPTLY);
    let dumped = drain.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.lines().next().unwrap().contains(&format!(
            "rotated.log: shrank from {size} to 100 bytes while being read"
        )),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("logstat: 1 of 1 input could not be read"),
        "{err}"
    );
    // What was read before the cut was counted (and dumped).
    assert!(
        dumped.len() > 60_000 && dumped.len() < size,
        "{}",
        dumped.len()
    );
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

// More inputs than open files

/// Files are opened as their turn comes, so far more inputs than open files
/// allowed are counted, each on its own and in order.
#[cfg(unix)]
#[test]
fn more_inputs_than_open_files_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..1000 {
        let p = dir.path().join(format!("{i}.log"));
        let mut data = LINE.repeat(i % 7 + 1);
        if i % 4 == 0 {
            // gzip files are read by reader threads.
            std::fs::write(&p, gzip(data.as_bytes())).unwrap();
        } else {
            if i % 3 == 0 {
                data.push_str("bad\n");
            }
            std::fs::write(&p, data).unwrap();
        }
        paths.push(p);
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
        .arg(bin())
        .args(["-j", "4", "--log-format", "combined", "-o", "json"])
        .args(&paths)
        .env("LANG", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out.stdout);
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1000);
    for (i, input) in inputs.iter().enumerate() {
        assert_eq!(input["path"], paths[i].to_str().unwrap());
        assert_eq!(input["requests"], i % 7 + 1, "{input}");
        let bad = u64::from(i % 3 == 0 && i % 4 != 0);
        assert_eq!(input["malformed"], bad, "{input}");
    }
}
