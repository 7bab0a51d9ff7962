//! `logstat --codes` and `logstat --explain` end to end.

use assert_cmd::Command;
use logstat::registry::{self, Class};
use unicode_width::UnicodeWidthStr;

mod common;

/// A `logstat` command with a fixed, English, 100-column environment, so the
/// developer's own locale or terminal cannot change what the tests see.
fn logstat() -> Command {
    let mut cmd = common::logstat();
    cmd.env("COLUMNS", "100");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = logstat().args(args).assert().success().get_output().clone();
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn code_text(code: u16) -> String {
    format!("{code:03}")
}

#[test]
fn codes_csv_has_one_row_per_entry() {
    let (header, rows) = csv_rows(&stdout_of(&["--codes", "-o", "csv"]));
    assert_eq!(
        header,
        [
            "code",
            "reason",
            "class",
            "kind",
            "defined_by",
            "description"
        ]
    );
    let entries = registry::entries();
    assert_eq!(rows.len(), entries.len() + 1, "every entry plus no-status");
    for e in entries {
        let row = rows
            .iter()
            .find(|r| r[0] == code_text(e.code) && r[1] == e.reason)
            .unwrap_or_else(|| panic!("no row for {} {}", e.code, e.reason));
        assert_eq!(row[2], e.class().map_or("", Class::label));
        assert_eq!(row[3], e.kind.as_str());
        assert_eq!(row[4], e.defined_by);
        assert_eq!(row[5], e.en);
    }
    let dash = rows.iter().find(|r| r[0] == "-").expect("no-status row");
    assert_eq!(dash[1], registry::NO_STATUS.reason);
    assert_eq!(dash[2], "");
    assert!(rows.iter().any(|r| r[0] == "000"), "code 0 is written 000");
}

#[test]
fn codes_json_parses_with_the_same_keys() {
    let text = stdout_of(&["--codes", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), registry::entries().len() + 1);
    for obj in arr {
        let keys: Vec<&str> = obj
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "code",
                "reason",
                "class",
                "kind",
                "defined_by",
                "description"
            ]
        );
    }
    let find = |code: serde_json::Value| arr.iter().find(|o| o["code"] == code).unwrap();
    let e499 = find(499.into());
    assert_eq!(e499["class"], "4xx");
    assert_eq!(e499["kind"], "non-standard");
    assert_eq!(e499["reason"], "Client Closed Request");
    assert!(find(0.into())["class"].is_null());
    let dash = find("-".into());
    assert!(dash["class"].is_null());
}

#[test]
fn codes_table_lists_everything_within_the_width() {
    let text = stdout_of(&["--codes"]);
    for e in registry::entries() {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&code_text(e.code)) && l.contains(e.reason)),
            "{} {} missing",
            e.code,
            e.reason
        );
    }
    assert!(text.lines().any(|l| l.starts_with("- ")));
    for c in Class::ALL {
        assert!(text.contains(&format!(
            "{}  {}",
            c.label(),
            c.name(logstat::lang::Lang::En)
        )));
    }
    for l in text.lines() {
        assert!(l.width() <= 100, "too wide: {l}");
    }
}

#[test]
fn chinese_by_flag_and_by_locale() {
    let e = registry::lookup(499).unwrap();
    let by_flag = stdout_of(&["--explain", "499", "--lang", "zh"]);
    assert!(by_flag.contains(e.reason_zh), "{by_flag}");
    // The description may be wrapped; compare without line breaks/indent.
    let flat: String = by_flag.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let first_words: String = e.zh.chars().take(12).collect();
    assert!(flat.contains(&first_words), "{flat}");
    assert!(flat.contains("客户端错误"), "class heading in Chinese");
    assert!(!flat.contains(e.reason), "English reason leaked: {flat}");
    assert!(!flat.contains("Client error"));

    let by_env = logstat()
        .env("LANG", "zh_CN.UTF-8")
        .args(["--explain", "499"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(by_env).unwrap(), by_flag);

    // LC_ALL outranks LANG.
    let c = logstat()
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "C")
        .args(["--explain", "499"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(c).unwrap().contains(e.reason));
}

#[test]
fn chinese_csv_keeps_machine_columns() {
    let (_, rows) = csv_rows(&stdout_of(&[
        "--explain",
        "499",
        "-o",
        "csv",
        "--lang",
        "zh",
    ]));
    let e = registry::lookup(499).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0],
        ["499", e.reason_zh, "4xx", "non-standard", "nginx", e.zh]
    );
}

#[test]
fn unregistered_codes_are_answered() {
    let (_, rows) = csv_rows(&stdout_of(&["--explain", "432", "42", "-o", "csv"]));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "432");
    assert_eq!(rows[0][2], "4xx");
    assert_eq!(rows[0][3], "unregistered");
    assert_eq!(rows[1][0], "042");
    assert_eq!(rows[1][2], "");
    let table = stdout_of(&["--explain", "432"]);
    assert!(table.contains("not registered"), "{table}");
    assert!(table.contains("4xx"), "{table}");
}

#[test]
fn zero_and_no_status() {
    for arg in ["0", "000"] {
        let (_, rows) = csv_rows(&stdout_of(&["--explain", arg, "-o", "csv"]));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][0], "000");
        assert_eq!(rows[0][1], registry::lookup(0).unwrap().reason);
    }
    let (_, rows) = csv_rows(&stdout_of(&["--explain", "-", "-o", "csv"]));
    assert_eq!(rows[0][0], "-");
}

#[test]
fn shared_codes_list_both_meanings_standard_first() {
    let (_, rows) = csv_rows(&stdout_of(&["--explain", "451", "-o", "csv"]));
    let reasons: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(reasons, ["Unavailable For Legal Reasons", "Redirect"]);
    assert_eq!(rows[0][3], "standard");
}

#[test]
fn class_lists_heading_and_all_its_codes() {
    let (_, rows) = csv_rows(&stdout_of(&["--explain", "5xx", "-o", "csv"]));
    let want: Vec<String> = registry::entries()
        .iter()
        .filter(|e| e.class() == Some(Class::ServerError))
        .map(|e| code_text(e.code))
        .collect();
    let got: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, want);
    assert!(rows.iter().all(|r| r[2] == "5xx"));

    let table = stdout_of(&["--explain", "5xx"]);
    assert!(table.lines().any(|l| l == "5xx  Server error"), "{table}");
    let zh = stdout_of(&["--explain", "5xx", "--lang", "zh"]);
    assert!(zh.lines().any(|l| l == "5xx  服务器错误"), "{zh}");
}

#[test]
fn bad_arguments_exit_2_and_print_nothing_else() {
    for bad in ["abc", "1000", "6xx", "-5"] {
        // `=` so that clap passes `-5` as a value instead of reading a flag.
        let arg = format!("--explain={bad}");
        let out = logstat()
            .args([arg.as_str()])
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("logstat: '{bad}' is not a status code (0-999) or class (1xx-5xx)\n")
        );
        assert!(out.stdout.is_empty());
    }
    // One bad argument among good ones still refuses the whole request.
    let out = logstat()
        .args(["--explain", "499", "6xx", "5xx"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().lines().count(),
        1,
        "one line per bad argument"
    );
}

#[test]
fn bad_argument_is_escaped_and_localized() {
    let out = logstat()
        .args(["--explain", "\u{1b}[31mx", "--lang", "zh"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('\u{1b}'), "raw escape echoed: {err:?}");
    assert!(err.contains("\\x1b[31mx"), "{err:?}");
    assert!(err.contains("不是状态码"), "{err:?}");
    // One style for every error line, whatever the language.
    assert!(err.starts_with("logstat: '"), "{err:?}");
}
