//! Report renderers. The layout snapshots render a hand-built [`Summary`]
//! (every kind of row: codes of each class, `000`, a vendor code, unregistered
//! `777`, no-status, skipped and malformed lines, malformed examples holding
//! control bytes, an unreadable input), so a change to scanning cannot move
//! them; one end-to-end snapshot scans `fixtures/sample-combined.log` and
//! renders the table. Properties that hold whatever the registry says (CSV
//! counts sum to the requests, JSON shares sum to 1, no ESC byte without
//! color) run on scanned fixtures, the layout ones on the hand-built summary
//! too.
//!
//! Snapshots still show the registry's reasons and descriptions; after an
//! intended change, regenerate them with `INSTA_UPDATE=always cargo test --test
//! report` (or `cargo insta review`) and review the diff.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use logstat::check::{CheckResult, Level};
use logstat::lang::{Lang, Langs};
use logstat::report::{self, ReportOptions};
use logstat::scan::{self, ScanOptions};
use logstat::summary::{Counts, InputSummary, MalformedExample, Summary};
use proptest::prelude::*;

mod common;
use common::table;

const SAMPLE: &str = "fixtures/sample-combined.log";

/// Scans `paths` and pins the elapsed time so snapshots are stable.
fn scan_paths(paths: &[&str]) -> Summary {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let mut s = scan::scan(&paths, &ScanOptions::default(), None);
    s.elapsed = Duration::from_millis(12);
    s
}

/// `Counts` with `codes` set as given and the other buckets.
fn counts(codes: &[(u16, u64)], no_status: u64, skipped: u64, malformed: u64) -> Counts {
    let mut c = Counts {
        no_status,
        skipped,
        malformed,
        ..Counts::default()
    };
    for &(code, n) in codes {
        c.codes[code as usize] = n;
    }
    c
}

fn example(path: &str, line: u64, text: &[u8]) -> MalformedExample {
    MalformedExample {
        path: path.into(),
        line,
        text: text.to_vec(),
    }
}

/// A summary built by hand, for layout snapshots that no scan change can
/// move: three inputs (one unreadable), counts large enough to group digits,
/// codes of every class plus `000`, nginx's `499`, `418` (unused) and
/// unregistered `777`, a tie in counts (502/503, listed in code order),
/// no-status, skipped and malformed lines, and four malformed examples (the
/// table shows three) holding ESC, BEL, CR, a tab, a C1 CSI, invalid UTF-8 and
/// a line too long to show whole.
fn hand_built() -> Summary {
    let access = InputSummary {
        path: "access.log".into(),
        format: "combined".to_string(),
        counts: counts(
            &[
                (0, 5),
                (101, 2),
                (200, 1_234_567),
                (204, 1_024),
                (301, 512),
                (304, 20_000),
                (404, 3_141),
                (499, 77),
                (502, 12),
                (503, 12),
            ],
            42,
            3,
            9,
        ),
        bytes: 287_654_321,
        error: None,
        detected: None,
        first: None,
        last: None,
        unread: 0,
    };
    let edge = InputSummary {
        path: "edge/u_ex250314.log".into(),
        format: "w3c".to_string(),
        counts: counts(&[(200, 65_433), (404, 59), (418, 1), (777, 3)], 0, 4, 1),
        bytes: 12_345_678,
        error: None,
        detected: None,
        first: None,
        last: None,
        unread: 0,
    };
    let missing = InputSummary {
        path: "missing.log.gz".into(),
        format: String::new(),
        counts: Counts::default(),
        bytes: 0,
        error: Some("No such file or directory (os error 2)".to_string()),
        detected: None,
        first: None,
        last: None,
        unread: 0,
    };
    let long = format!(
        "2025-03-14 09:00:00 W3SVC1 GET /搜索 q={} 80 - 203.0.113.9",
        "x".repeat(120)
    );
    let examples = vec![
        example(
            "access.log",
            17,
            b"\x1b[31mERROR\x1b[0m upstream timed out\x07",
        ),
        example("access.log", 230, b"GET /caf\xe9\tHTTP/1.1 \xc2\x9b2J\r"),
        example("edge/u_ex250314.log", 9, long.as_bytes()),
        example("access.log", 4_096, b"not shown in the table"),
    ];
    Summary::from_inputs(
        vec![access, edge, missing],
        examples,
        Duration::from_micros(1_234_567),
    )
}

fn opts(lang: Lang, color: bool, per_input: bool) -> ReportOptions {
    ReportOptions {
        lang: Langs::both(lang),
        color,
        per_input,
        ..ReportOptions::default()
    }
}

fn csv(s: &Summary, o: &ReportOptions) -> String {
    let mut out = Vec::new();
    report::write_csv(&mut out, s, o).unwrap();
    String::from_utf8(out).unwrap()
}

fn json(s: &Summary, o: &ReportOptions, checks: Option<&[CheckResult]>) -> String {
    let mut out = Vec::new();
    report::write_json(&mut out, s, o, checks).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn sample_fixture_counts_are_what_the_report_documents() {
    // Other tests (and the lead's report) rely on these exact counts.
    let t = scan_paths(&[SAMPLE]).total;
    assert_eq!(
        (t.lines(), t.requests(), t.no_status, t.skipped, t.malformed),
        (50, 45, 1, 1, 3)
    );
    assert_eq!(t.codes[200], 17);
    assert_eq!(t.codes[0], 1);
    assert_eq!(t.codes[404], 5);
    assert_eq!(t.observed().count(), 16);
}

#[test]
fn table_en_snapshot() {
    let s = hand_built();
    insta::assert_snapshot!("table_en", table(&s, &opts(Lang::En, false, false)));
}

#[test]
fn table_zh_snapshot() {
    let s = hand_built();
    insta::assert_snapshot!("table_zh", table(&s, &opts(Lang::Zh, false, false)));
}

/// Where color goes, with each ESC shown as `␛` so the snapshot reads (and
/// diffs) as text.
#[test]
fn table_color_snapshot() {
    let s = hand_built();
    let plain = table(&s, &opts(Lang::En, false, false));
    assert!(!plain.contains('␛'), "plain output already holds ␛");
    let colored = table(&s, &opts(Lang::En, true, false)).replace('\x1b', "␛");
    insta::assert_snapshot!("table_en_color", colored);
}

#[test]
fn table_per_input_snapshot() {
    let s = hand_built();
    let with = table(&s, &opts(Lang::En, false, true));
    insta::assert_snapshot!("table_per_input", with);
    let without = table(&s, &opts(Lang::En, false, false));
    assert!(with.contains("Per input") && !without.contains("Per input"));
}

#[test]
fn per_input_is_ignored_for_one_input() {
    let s = scan_paths(&[SAMPLE]);
    assert_eq!(
        table(&s, &opts(Lang::En, false, true)),
        table(&s, &opts(Lang::En, false, false))
    );
}

/// A Chinese CSV starts with a UTF-8 byte-order mark so Excel reads it as
/// UTF-8; an English one (what scripts read) never does.
#[test]
fn csv_snapshots() {
    let s = hand_built();
    let en = csv(&s, &opts(Lang::En, false, false));
    assert!(en.starts_with("code,"), "no BOM in English");
    insta::assert_snapshot!("csv_en", en);
    let zh = csv(&s, &opts(Lang::Zh, false, false));
    let rest = zh.strip_prefix('\u{feff}').expect("BOM first in Chinese");
    assert!(rest.starts_with("code,"));
    insta::assert_snapshot!("csv_zh", rest);
}

/// The data language, not the human one, picks the CSV's and JSON's words.
#[test]
fn csv_and_json_follow_the_data_language() {
    let s = hand_built();
    let o = ReportOptions {
        lang: Langs {
            human: Lang::Zh,
            data: Lang::En,
        },
        ..ReportOptions::default()
    };
    assert_eq!(csv(&s, &o), csv(&s, &opts(Lang::En, false, false)));
    assert_eq!(
        json(&s, &o, None),
        json(&s, &opts(Lang::En, false, false), None)
    );
    assert_eq!(table(&s, &o), table(&s, &opts(Lang::Zh, false, false)));
}

fn fitted(lang: Lang, width: Option<usize>, no_descriptions: bool) -> ReportOptions {
    ReportOptions {
        width,
        no_descriptions,
        ..opts(lang, false, false)
    }
}

/// Lines wider than `width` cells, except the per-input table's (its counts
/// have nowhere to go).
fn overflowing(text: &str, width: usize) -> Vec<&str> {
    text.lines()
        .filter(|l| unicode_width::UnicodeWidthStr::width(*l) > width)
        .collect()
}

/// At 60 columns the description column would be too narrow: notes and
/// descriptions go beneath each code, wrapped; reasons, bars and examples are
/// cut to fit; no line is wider than the terminal.
#[test]
fn table_narrow_snapshot() {
    let s = hand_built();
    for (lang, name) in [(Lang::En, "table_en_60"), (Lang::Zh, "table_zh_60")] {
        let t = table(&s, &fitted(lang, Some(60), false));
        assert_eq!(overflowing(&t, 60), Vec::<&str>::new(), "{t}");
        insta::assert_snapshot!(name, t);
    }
}

/// Wide enough for a description column: descriptions wrap inside it, their
/// continuation lines starting under the column.
#[test]
fn table_wide_wraps_descriptions_in_their_column() {
    let s = hand_built();
    let t = table(&s, &fitted(Lang::En, Some(130), false));
    assert_eq!(overflowing(&t, 130), Vec::<&str>::new(), "{t}");
    let head = t.lines().find(|l| l.contains("description")).unwrap();
    let column = head.find("description").unwrap();
    let start = t.lines().position(|l| l.starts_with("  499")).unwrap();
    let row = t.lines().nth(start).unwrap();
    assert_eq!(&row[column..column + 10], "The client");
    let more = t.lines().nth(start + 1).unwrap();
    assert!(more[..column].trim().is_empty(), "{more:?}");
    assert!(!more[column..].starts_with(' '), "{more:?}");
    insta::assert_snapshot!("table_en_130", t);
    // Without a width (a pipe) every code stays on one line.
    let whole = table(&s, &fitted(Lang::En, None, false));
    assert_eq!(whole, table(&s, &opts(Lang::En, false, false)));
    assert!(overflowing(&whole, 130).len() > 3);
}

#[test]
fn no_descriptions_snapshot() {
    let s = hand_built();
    let with = table(&s, &opts(Lang::En, false, false));
    let t = table(&s, &fitted(Lang::En, None, true));
    let description = "The request succeeded";
    assert!(with.contains(description) && !t.contains(description));
    assert!(!t.contains("description"));
    insta::assert_snapshot!("table_en_no_descriptions", t);
    // Narrow, the notes still show beneath their codes.
    let narrow = table(&s, &fitted(Lang::En, Some(60), true));
    assert_eq!(overflowing(&narrow, 60), Vec::<&str>::new(), "{narrow}");
    assert!(
        narrow.contains("\n        non-standard (nginx)\n"),
        "{narrow}"
    );
    assert!(!narrow.contains(description));
    // CSV and JSON keep their descriptions.
    let o = fitted(Lang::En, None, true);
    assert!(csv(&s, &o).contains(description));
    assert!(json(&s, &o, None).contains(description));
}

#[test]
fn json_snapshot() {
    let s = hand_built();
    insta::assert_snapshot!("json_en", json(&s, &opts(Lang::En, false, false), None));
}

/// The one end-to-end snapshot: the sample fixture scanned and rendered, so
/// scanning and rendering are seen working together. It moves when either
/// does; the snapshots above move only with the renderers (and the registry).
#[test]
fn scanned_sample_table_snapshot() {
    let s = scan_paths(&[SAMPLE]);
    insta::assert_snapshot!(
        "scanned_sample_table_en",
        table(&s, &opts(Lang::En, false, false))
    );
}

#[test]
fn table_columns_align_in_chinese() {
    for s in [scan_paths(&[SAMPLE]), hand_built()] {
        let t = table(&s, &opts(Lang::Zh, false, false));
        // In the code section every row's share ends in the same display column.
        let lines: Vec<&str> = t
            .lines()
            .skip_while(|l| *l != "状态码")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(lines.len() > 5);
        let share_end = |l: &str| {
            let i = l
                .find('%')
                .unwrap_or_else(|| l.find("占比").unwrap() + "占比".len() - 1);
            unicode_width::UnicodeWidthStr::width(&l[..=i])
        };
        let first = share_end(lines[0]);
        for l in &lines {
            assert_eq!(share_end(l), first, "misaligned: {l:?}");
        }
    }
}

#[test]
fn csv_parses_back_and_sums_to_requests() {
    let s = scan_paths(&[SAMPLE, "fixtures/report-multi-b.log"]);
    for lang in [Lang::En, Lang::Zh] {
        let text = csv(&s, &opts(lang, false, false));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            r.headers().unwrap(),
            vec![
                "code",
                "class",
                "reason",
                "kind",
                "count",
                "share",
                "description"
            ]
        );
        let mut sum = 0u64;
        let mut shares = 0.0;
        let mut last = None;
        for rec in r.records() {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), 7);
            let code: u16 = rec[0].parse().unwrap();
            assert!(last < Some(code), "codes must ascend");
            last = Some(code);
            sum += rec[4].parse::<u64>().unwrap();
            assert_eq!(rec[5].split('.').nth(1).unwrap().len(), 6);
            shares += rec[5].parse::<f64>().unwrap();
        }
        assert_eq!(sum, s.total.requests());
        assert!((shares - 1.0).abs() < 1e-4, "{shares}");
    }
}

#[test]
fn json_keeps_the_contract_and_shares_sum_to_one() {
    let s = scan_paths(&[SAMPLE]);
    let v: serde_json::Value =
        serde_json::from_str(&json(&s, &opts(Lang::Zh, false, false), None)).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().next().unwrap(), "schema");
    assert_eq!(v["schema"], "logstat/1");
    for k in common::JSON_KEYS {
        assert!(obj.contains_key(k), "missing {k}");
    }
    for k in ["blank", "directive", "not_request"] {
        assert!(v["skipped_by_reason"][k].is_u64(), "skipped_by_reason.{k}");
    }
    let input = v["inputs"][0].as_object().unwrap();
    for k in common::JSON_INPUT_KEYS {
        assert!(input.contains_key(k), "inputs[0] missing {k}");
    }
    // Only asked for: a series with --by, drill-down with --top, checks
    // when gating.
    for k in ["checks", "series", "top"] {
        assert!(!obj.contains_key(k), "{k} without being asked for");
    }
    assert_eq!(v["requests"], 45);
    assert_eq!(v["elapsed_ms"], 12.0);

    let codes = v["codes"].as_array().unwrap();
    assert_eq!(codes[0]["code"], 0, "000 is the number 0");
    let counted: u64 = codes.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, 45);
    let code_shares: f64 = codes.iter().map(|c| c["share"].as_f64().unwrap()).sum();
    assert!((code_shares - 1.0).abs() < 1e-4, "{code_shares}");
    let classes = v["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 6);
    assert_eq!(classes[3]["label"], "客户端错误");
    let class_shares: f64 = classes.iter().map(|c| c["share"].as_f64().unwrap()).sum();
    assert!((class_shares - 1.0).abs() < 1e-4, "{class_shares}");

    let ex = v["malformed_examples"].as_array().unwrap();
    assert_eq!(ex.len(), 3);
    assert_eq!(ex[0]["line"], 26);
    assert!(
        ex[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("\\x1b[31mERROR")
    );
}

#[test]
fn json_lists_checks_when_given() {
    let s = scan_paths(&[SAMPLE]);
    let checks = [CheckResult {
        expr: "5xx > 1%".into(),
        level: Level::Warn,
        value: 6.0 / 45.0,
        is_rate: true,
        numerator: 6,
        denominator: 45,
        held: true,
        timed: None,
    }];
    let v: serde_json::Value =
        serde_json::from_str(&json(&s, &opts(Lang::En, false, false), Some(&checks))).unwrap();
    let c = &v["checks"][0];
    assert_eq!(c["expr"], "5xx > 1%");
    assert_eq!(c["level"], "warn");
    assert_eq!(c["numerator"], 6);
    assert_eq!(c["passed"], false);
    assert!((c["value"].as_f64().unwrap() - 0.1333).abs() < 1e-3);
}

#[test]
fn color_only_when_asked() {
    let s = hand_built();
    let colored = table(&s, &opts(Lang::En, true, false));
    assert!(colored.contains("\x1b[32m2xx Success"), "2xx green");
    assert!(colored.contains("\x1b[31m5xx Server error"), "5xx red");
    assert!(colored.contains("\x1b[36m"), "3xx cyan");
    assert!(colored.contains("\x1b[33m"), "4xx yellow");
    let plain = table(&s, &opts(Lang::En, false, false));
    assert!(!plain.contains('\x1b'));
    // Color must not change anything but the escape sequences.
    assert_eq!(strip_ansi(&colored), plain);
}

/// Removes `ESC [ ... m` sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\x1b' {
            for d in it.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn cli_pipes_get_no_color_and_csv_only_with_o_csv() {
    let out = assert_cmd::Command::cargo_bin("logstat")
        .unwrap()
        .args([SAMPLE, "--lang", "en"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b));
    assert!(!out.stderr.contains(&0x1b));

    let out = assert_cmd::Command::cargo_bin("logstat")
        .unwrap()
        .args([SAMPLE, "-o", "csv", "--color", "always"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("code,class,reason,kind,count,share,description\n"));
    assert!(!text.contains('\x1b'));
}

/// A valid combined line, so inputs of mostly garbage still detect as logs.
const VALID: &[u8] =
    b"192.0.2.1 - - [14/Mar/2025:09:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"";

fn any_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(VALID.to_vec()),
        proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..200),
        // Garbage that is sure to hold escape sequences.
        "[a-z ]{0,20}".prop_map(|s| format!("\x1b[31m{s}\x1b]0;title\x07\u{9b}2J").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_escape_byte_without_color(lines in proptest::collection::vec(any_line(), 1..30), zh in any::<bool>()) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        for l in &lines {
            f.write_all(l).unwrap();
            f.write_all(b"\n").unwrap();
        }
        f.flush().unwrap();
        let path = f.path().to_str().unwrap().to_string();
        let s = scan_paths(&[&path]);
        let o = opts(if zh { Lang::Zh } else { Lang::En }, false, true);
        for out in [table(&s, &o), csv(&s, &o), json(&s, &o, None)] {
            prop_assert!(!out.contains('\x1b'), "{out}");
            prop_assert!(!out.contains('\u{9b}'), "C1 CSI in {out}");
            prop_assert!(!out.contains('\x07'));
        }
    }
}
