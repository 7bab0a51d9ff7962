//! What the binary writes, end to end: fitting the terminal, which language
//! each output speaks, shell completions and the man page, CI workflow
//! commands in echoed text, and terminal safety of file names and arguments.
#![cfg(unix)]

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use unicode_width::UnicodeWidthStr;

mod common;
use common::logstat;

const SAMPLE: &str = "fixtures/sample-combined.log";

fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn widest(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

// ---- the table fits the terminal ----

#[test]
fn columns_fits_the_table_and_explain() {
    for args in [
        vec![SAMPLE],
        vec![SAMPLE, "--lang", "zh"],
        vec!["--explain", "4xx", "000"],
        vec!["--codes", "--lang", "zh"],
    ] {
        let (out, _) = run(logstat().args(&args).env("COLUMNS", "60"));
        assert!(widest(&out) <= 60, "{args:?}:\n{out}");
        let (whole, _) = run(logstat().args(&args));
        assert!(widest(&whole) > 60, "{args:?} unlimited when piped");
    }
}

#[test]
fn no_descriptions_drops_them_from_the_table_and_explain() {
    let description = "The request succeeded";
    for args in [vec![SAMPLE], vec!["--explain", "200"]] {
        let (with, _) = run(logstat().args(&args));
        let (without, _) = run(logstat().args(&args).arg("--no-descriptions"));
        assert!(with.contains(description), "{with}");
        assert!(!without.contains(description), "{without}");
        assert!(without.contains("200"), "{without}");
    }
    // Machine output keeps its columns.
    let (csv, _) = run(logstat().args([SAMPLE, "-o", "csv", "--no-descriptions"]));
    assert!(csv.contains(description));
}

/// Runs logstat with stdout on a pseudo-terminal `cols` columns wide and
/// returns what it wrote there.
fn on_terminal(cols: u16, args: &[&str]) -> String {
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    let ws = libc::winsize {
        ws_row: 50,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors, which the files below own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: openpty succeeded, so both descriptors are open and owned by
    // nothing else; each File takes sole ownership of one.
    let mut master = unsafe { std::fs::File::from_raw_fd(master) };
    // SAFETY: as above.
    let slave = unsafe { std::fs::File::from_raw_fd(slave) };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_logstat"));
    cmd.args(args)
        .env_remove("COLUMNS")
        .env("LANG", "C")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .stdout(slave);
    let mut child = cmd.spawn().unwrap();
    // Our copy of the slave must close, or reading never ends.
    drop(cmd);
    let mut out = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match std::io::Read::read(&mut master, &mut buf) {
            Ok(0) | Err(_) => break, // EIO once the child closed the terminal
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    child.wait().unwrap();
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}

#[test]
fn the_terminal_size_is_used_without_columns() {
    let out = on_terminal(70, &[SAMPLE, "--color", "never"]);
    assert!(out.contains("Status codes"), "{out}");
    assert_eq!(widest(&out), 70.min(widest(&out)), "{out}");
    assert!(widest(&out) <= 70, "{out}");
    let out = on_terminal(64, &["--explain", "5xx"]);
    assert!(out.contains("Server error"), "{out}");
    assert!(widest(&out) <= 64, "{out}");
}

// ---- language ----

#[test]
fn the_locale_picks_human_words_and_data_stays_english() {
    let zh = || {
        let mut c = logstat();
        c.env("LANG", "zh_CN.UTF-8");
        c
    };
    let (table, _) = run(zh().arg(SAMPLE));
    assert!(table.contains("状态码"), "{table}");
    let (json, _) = run(zh().args([SAMPLE, "-o", "json"]));
    assert!(json.contains("\"label\": \"Client error\""), "{json}");
    assert!(!json.contains("客户端"));
    let (csv, _) = run(zh().args([SAMPLE, "-o", "csv"]));
    assert!(csv.starts_with("code,"), "English CSV, no BOM: {csv}");
    assert!(csv.contains(",OK,"));
    let (csv, _) = run(zh().args(["--codes", "-o", "csv"]));
    assert!(csv.starts_with("code,") && !csv.contains("客户端"));
    let (json, _) = run(zh().args(["--explain", "404", "-o", "json"]));
    assert!(json.contains("Not Found"), "{json}");
    // Asked for explicitly, data speaks Chinese.
    let (json, _) = run(zh().args([SAMPLE, "-o", "json", "--lang", "zh"]));
    assert!(json.contains("客户端错误"));
    // Errors follow the human language.
    let (_, err) = run(zh().args(["--explain", "abc"]));
    assert!(err.contains("不是状态码"), "{err}");
    let (_, err) = run(zh().args(["--fail-if", "5xx >", SAMPLE]));
    assert!(
        err.contains("无效的表达式 '5xx >'：'>' 后面应为数字"),
        "{err}"
    );
    let (_, err) = run(zh().args(["--fail-if", "5xx > 1%", "--min-requests", "1000", SAMPLE]));
    assert!(err.contains("检查至少需要 1,000 个请求"), "{err}");
}

#[test]
fn traditional_chinese_locales_fall_back_to_english() {
    for locale in ["zh_TW.UTF-8", "zh_HK.UTF-8", "zh_Hant_TW"] {
        let (out, _) = run(logstat().arg(SAMPLE).env("LANG", locale));
        assert!(out.contains("Status codes"), "{locale}: {out}");
        assert!(!out.contains("状态码"), "{locale}");
    }
}

#[test]
fn chinese_csv_starts_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    let out = logstat()
        .args([SAMPLE, "--lang", "zh", "--csv"])
        .arg(&file)
        .args(["-o", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let bom = "\u{feff}code,".as_bytes();
    assert!(out.stdout.starts_with(bom));
    let written = std::fs::read(&file).unwrap();
    assert!(written.starts_with(bom));
    assert_eq!(written, out.stdout);
    let codes = logstat()
        .args(["--codes", "-o", "csv", "--lang", "zh"])
        .output()
        .unwrap();
    assert!(codes.stdout.starts_with(bom));
    let en = logstat().args([SAMPLE, "-o", "csv"]).output().unwrap();
    assert!(en.stdout.starts_with(b"code,"));
}

// ---- completions and man page ----

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (out, err) = run(logstat().args(["--completions", shell]));
        assert!(
            out.contains("--log-format") || out.contains("log-format"),
            "{shell}"
        );
        assert!(out.contains("logstat"), "{shell}");
        assert!(err.is_empty(), "{shell}: {err}");
    }
    let (bash, _) = run(logstat().args(["--completions", "bash"]));
    assert!(bash.contains("--log-format"));
    assert!(bash.contains("--fail-if"));
    logstat()
        .args(["--completions", "bash", SAMPLE])
        .assert()
        .code(2);
}

#[test]
fn man_page_renders() {
    let out = logstat().arg("--man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("\n.TH logstat 1"), "{page}");
    assert!(page.contains("log\\-format"));
    // Where man is installed, it must format the page without a warning.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logstat.1");
    std::fs::write(&file, &page).unwrap();
    let Ok(man) = std::process::Command::new("man")
        .args(["--warnings", "-P", "cat", "-l"])
        .arg(&file)
        .env("MANWIDTH", "80")
        .output()
    else {
        return;
    };
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.status.success(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    assert!(
        man.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    assert!(
        text.contains("SYNOPSIS") && text.contains("--fail-if"),
        "{text}"
    );
}

// ---- CI runners cannot be commanded by log content ----

/// The workflow command GitHub's runner would read in one line of output, by
/// its documented rules (actions/runner `ActionCommand`): after leading
/// whitespace, `::NAME ...::DATA`; or, anywhere in the line, `##[NAME ...]DATA`
/// (the legacy syntax; only its first `##[` counts). Any NAME counts here,
/// which is stricter than the runner (it knows a fixed set).
fn workflow_command(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("::")
        && let Some(end) = rest.find("::")
    {
        let info = &rest[..end];
        return Some(info.split(' ').next().unwrap_or(""));
    }
    if let Some(at) = line.find("##[") {
        let rest = &line[at + 3..];
        if let Some(end) = rest.find(']') {
            return Some(rest[..end].split(' ').next().unwrap_or(""));
        }
    }
    None
}

/// Every line of `text` as the runner splits it (`\n`, `\r\n` or `\r`).
fn runner_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r'])
}

/// The commands found in stdout and stderr, logstat's own (its annotation
/// titles) apart.
fn forged(out: &str, err: &str) -> (Vec<String>, usize) {
    let mut forged = Vec::new();
    let mut own = 0;
    for line in runner_lines(out).chain(runner_lines(err)) {
        if workflow_command(line).is_some() {
            if line.starts_with("::error title=logstat ")
                || line.starts_with("::warning title=logstat ")
            {
                own += 1;
            } else {
                forged.push(line.to_string());
            }
        }
    }
    (forged, own)
}

#[test]
fn the_test_parser_reads_commands_as_the_runner_does() {
    assert_eq!(workflow_command("::error::x"), Some("error"));
    assert_eq!(
        workflow_command("  ::error file=a,line=1::x"),
        Some("error")
    );
    assert_eq!(
        workflow_command("\t::stop-commands::tok"),
        Some("stop-commands")
    );
    assert_eq!(workflow_command("x ##[error]y"), Some("error"));
    assert_eq!(workflow_command("x ::error::y"), None);
    assert_eq!(workflow_command("::error"), None);
    assert_eq!(workflow_command("\\x3a:error\\x3a:y"), None);
    assert_eq!(workflow_command("\\x23#[error]y"), None);
}

/// A directory holding a log named `::warning::x.log` whose malformed lines
/// are workflow commands, and the name of a missing input named like one;
/// both names relative to the directory, so that an echoed name can start a
/// line.
fn hostile_inputs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("::warning::x.log");
    let mut f = std::fs::File::create(&log).unwrap();
    for _ in 0..10 {
        writeln!(
            f,
            "192.0.2.1 - - [14/Mar/2025:09:00:00 +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"x\""
        )
        .unwrap();
    }
    for line in [
        "::error::pwned",
        "  ::stop-commands::tok",
        "##[error]pwned",
        "x ##[add-mask]secret",
        "\u{3000}::warning file=a::pwned",
    ] {
        writeln!(f, "{line}").unwrap();
    }
    (dir, "::warning::x.log".into(), "##[error]gone.log".into())
}

#[test]
fn annotations_on_neutralise_commands_in_echoed_text() {
    let (dir, log, missing) = hostile_inputs();
    let gate = ["--fail-if", "5xx > 1%", "--warn-if", "malformed > 0"];
    for extra in [&[][..], &["-o", "json"], &["-o", "csv", "--per-input"]] {
        let mut cmd = logstat();
        cmd.current_dir(dir.path())
            .arg(&log)
            .arg(&missing)
            .args(gate)
            .args(extra)
            .args(["--annotations", "github"]);
        let (out, err) = run(&mut cmd);
        let (forged, own) = forged(&out, &err);
        assert_eq!(forged, Vec::<String>::new(), "{extra:?}\n{out}\n{err}");
        // The failed check, the warned one and the input that failed.
        assert_eq!(own, 3, "logstat's own annotations stay: {out}{err}");
        // The text is still there to read, escaped.
        assert!(err.contains("\\x23#[error]gone.log"), "{err}");
        if extra.is_empty() {
            assert!(out.contains("\\x3a:error\\x3a:pwned"), "{out}");
        }
    }
    // GITHUB_ACTIONS alone turns it on.
    let (out, err) = run(logstat()
        .current_dir(dir.path())
        .arg(&log)
        .args(gate)
        .env("GITHUB_ACTIONS", "true"));
    assert_eq!(forged(&out, &err).0, Vec::<String>::new(), "{out}{err}");
    // JSON stays valid and means the same.
    // (An input must be read for a report to be written at all.)
    let (json, _) = run(logstat()
        .current_dir(dir.path())
        .arg(&log)
        .arg(&missing)
        .args(["-o", "json", "--annotations", "github"]));
    assert!(json.contains("\\u0023#[error]gone.log"), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["inputs"][1]["path"], "##[error]gone.log");
}

#[test]
fn without_annotations_the_commands_would_get_through() {
    // The control for the test above: the same run, annotations off, shows
    // the forged commands, so the parser does find them.
    let (dir, log, missing) = hostile_inputs();
    let (out, err) = run(logstat()
        .current_dir(dir.path())
        .arg(&log)
        .arg(&missing)
        .args(["--fail-if", "5xx > 1%"]));
    let (forged, _) = forged(&out, &err);
    assert!(forged.len() >= 4, "{forged:?}");
}

#[test]
fn arguments_echoed_in_errors_cannot_command_the_runner() {
    for args in [
        &["--fail-if", "::error::x > 1%"][..],
        &["--fail-if", "5xx > 1% ##[error]x"],
        &["--explain", "::error::x"],
        &["--explain", "##[error]x"],
    ] {
        let (out, err) = run(logstat()
            .args(args)
            .args([SAMPLE, "--annotations", "github"]));
        assert!(!err.is_empty(), "{args:?}");
        assert_eq!(
            forged(&out, &err).0,
            Vec::<String>::new(),
            "{args:?}\n{err}"
        );
    }
}

// ---- terminal safety ----

fn named(dir: &Path, name: &[u8]) -> PathBuf {
    let p = dir.join(OsStr::from_bytes(name));
    std::fs::copy(SAMPLE, &p).unwrap();
    p
}

#[test]
fn file_names_show_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let rtl = named(dir.path(), "evil\u{202e}gol.txt".as_bytes());
    let zw = named(dir.path(), "a\u{200b}b.log".as_bytes());
    let bad = named(dir.path(), b"caf\xe9.log");
    let out = logstat()
        .args([&rtl, &zw, &bad])
        .arg("--per-input")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8 even for a non-UTF-8 name");
    assert!(text.contains("evil\\u{202e}gol.txt"), "{text}");
    assert!(text.contains("a\\u{200b}b.log"), "{text}");
    assert!(text.contains("caf\\xe9.log"), "{text}");
    assert!(!text.contains('\u{202e}') && !text.contains('\u{200b}'));
    assert!(
        !text.contains('\u{fffd}'),
        "no replacement character: {text}"
    );
    // An unreadable one is named the same way in its error.
    let missing = dir.path().join(OsStr::from_bytes(b"gone\xff\x1b[2J.log"));
    let out = logstat().arg(&missing).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("gone\\xff\\x1b[2J.log: "), "{err}");
}

#[test]
fn a_backslash_in_the_log_is_not_an_escape() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    std::fs::write(&log, b"text \\x1b[31m here\nbyte \x1b[31m here\n").unwrap();
    let (out, _) = run(logstat().arg(&log).args(["--log-format", "common"]));
    assert!(out.contains("text \\\\x1b[31m here"), "{out}");
    assert!(out.contains("byte \\x1b[31m here"), "{out}");
}

#[test]
fn expressions_echoed_in_errors_are_escaped() {
    let (_, err) = run(logstat().args(["--fail-if", "5xx \u{1b}[2J> 1%\u{202e}", SAMPLE]));
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err}"
    );
    assert!(err.contains("'5xx \\x1b[2J> 1%\\u{202e}'"), "{err}");
    // The caret still points at the fault, past the escaped ESC.
    let lines: Vec<&str> = err.lines().collect();
    let expr = lines.iter().position(|l| l.starts_with("  5xx")).unwrap();
    let caret = lines[expr + 1].find('^').unwrap();
    assert_eq!(&lines[expr][caret..caret + 4], "\\x1b", "{err}");
}

/// Option values echoed in error messages are escaped like log bytes.
#[test]
fn option_values_in_errors_are_escaped() {
    for args in [
        &["--log-format", "ng\u{1b}[31mnix", "x.log"][..],
        &[
            "--csv",
            "/nonexistent/\u{1b}[31m.csv",
            "fixtures/sample-combined.log",
        ][..],
        &[
            "--log-format",
            "$remote_addr \u{202e}",
            "fixtures/sample-combined.log",
        ][..],
    ] {
        let out = logstat().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}'),
            "{err}"
        );
        assert!(err.contains("\\x1b") || err.contains("\\u{202e}"), "{err}");
    }
}

/// A value clap refuses is quoted in its usage error: escaped like any other.
#[test]
fn usage_errors_escape_the_refused_value() {
    let out = logstat()
        .args(["--lang", "a\u{7}b\u{202e}c", "x.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("logstat: "), "{err}");
    assert!(!err.contains('\u{7}') && !err.contains('\u{202e}'), "{err}");
    assert!(err.contains("\\u{202e}c"), "{err}");
}

/// Error messages follow the language of human output: `--lang`, else the
/// locale.
#[test]
fn errors_follow_the_language() {
    let out = logstat()
        .args(["--lang", "zh", "--log-format", "ngnix", "x.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("logstat: --log-format: 未知的日志格式 'ngnix'（是不是 'nginx'？）"),
        "{err}"
    );
    let out = logstat()
        .env("LANG", "zh_CN.UTF-8")
        .args(["/nonexistent.log", "fixtures/sample-combined.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("logstat: 2 个输入中有 1 个无法读取"),
        "{err}"
    );
    // Machine output stays English on a Chinese desktop; the words on
    // stderr do not.
    let out = logstat()
        .env("LANG", "zh_CN.UTF-8")
        .args(["-", "-o", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("\"label\": \"Success\"")
    );
}
