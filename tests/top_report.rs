//! The drill-down's rendering (`--top`: the table sections, the JSON's `top`,
//! the `--top-csv` file), the CSV formula guard and `--csv-raw`, and the
//! per-input detail of every output (`--per-input` table shares and CSV
//! rows, `inputs[]` codes and classes in JSON).
//!
//! The `--top` answers are built by hand, so no change to how they are
//! counted can move these snapshots: an exact one for `5xx` with more codes
//! than the table has columns, grouping rules and lines without a value; an
//! approximate one over all requests; a `404,499` one over a JSON key; one
//! with no rows; and one whose values are hostile (ESC, a bidi override,
//! invalid UTF-8, spreadsheet formulas, a tab and a CR in front, a
//! backslash, a value too long for any line). After an intended change,
//! regenerate with `INSTA_UPDATE=always cargo test --test top_report` and
//! review the diff.

use std::collections::BTreeMap;
use std::time::Duration;

use logstat::lang::{Lang, Langs};
use logstat::report::{self, ReportOptions};
use logstat::summary::{Counts, InputSummary, Summary, Top, TopRow};
use unicode_width::UnicodeWidthStr;

mod common;
use common::{logstat, table};

fn counts(codes: &[(u16, u64)]) -> Counts {
    let mut c = Counts::default();
    for &(code, n) in codes {
        c.codes[code as usize] = n;
    }
    c
}

fn row(value: &[u8], codes: &[(u16, u64)]) -> TopRow {
    TopRow {
        value: value.to_vec(),
        count: codes.iter().map(|e| e.1).sum(),
        codes: codes.iter().copied().collect::<BTreeMap<_, _>>(),
    }
}

/// `--top path --where 5xx --group-paths`: eight 5xx codes (the table shows
/// six and a `rest` column), two grouping rules, 7 lines without a path.
fn top_5xx() -> Top {
    Top {
        field: "path".into(),
        selector: Some("5xx".into()),
        selected: 1_500,
        missing: 7,
        rows: vec![
            row(
                b"/api/orders/{id}",
                &[(500, 400), (502, 300), (503, 200), (504, 100)],
            ),
            row(b"/user/{id}/cart", &[(500, 150), (501, 3), (599, 2)]),
            row(b"/search", &[(503, 90), (507, 5), (520, 5)]),
            row(b"/", &[(502, 40)]),
        ],
        exact: true,
        error_bound: 0,
        grouping: vec!["ids → {id}".into(), "^/static/.*=static".into()],
    }
}

/// `--top host` over all requests, past the memory budget.
fn top_hosts() -> Top {
    Top {
        field: "host".into(),
        selector: None,
        selected: 1_324_848,
        missing: 0,
        rows: vec![
            row(
                b"www.example.com",
                &[(200, 1_000_000), (304, 20_000), (404, 3_000), (503, 12)],
            ),
            row(b"api.example.com", &[(200, 200_000), (101, 2), (0, 5)]),
            row(b"cdn.example.com", &[(200, 34_567), (499, 77)]),
        ],
        exact: false,
        error_bound: 1_234,
        grouping: vec![],
    }
}

/// `--top json:user.id --where 404,499`, and one with nothing picked.
fn top_json_key() -> Top {
    Top {
        field: "json:user.id".into(),
        selector: Some("404,499".into()),
        selected: 3_218,
        missing: 1,
        rows: vec![
            row(b"42", &[(404, 3_000), (499, 70)]),
            row(b"7", &[(404, 147)]),
        ],
        exact: true,
        error_bound: 0,
        grouping: vec![],
    }
}

fn top_empty() -> Top {
    Top {
        field: "upstream".into(),
        selector: Some("500-504".into()),
        exact: true,
        ..Top::default()
    }
}

/// Values nobody should see raw or have run: ESC sequences, a right-to-left
/// override, invalid UTF-8, the four formula starts and a tab and a CR in
/// front, a backslash, and a path longer than any terminal line.
fn hostile_values() -> Vec<Vec<u8>> {
    let mut long = b"/".to_vec();
    long.extend(b"very-long-segment/".repeat(60));
    vec![
        b"/\x1b[2J\x1b]0;pwned\x07home".to_vec(),
        "/files/\u{202e}fdp.exe".as_bytes().to_vec(),
        b"/caf\xe9".to_vec(),
        b"=cmd|' /C calc'!A0".to_vec(),
        b"+1+1".to_vec(),
        b"-2+3".to_vec(),
        b"@SUM(A1:A9)".to_vec(),
        b"\t=1+1".to_vec(),
        b"\r=1+1".to_vec(),
        b"C:\\x1b".to_vec(),
        long,
    ]
}

fn top_hostile() -> Top {
    let rows: Vec<TopRow> = hostile_values()
        .iter()
        .enumerate()
        .map(|(i, v)| row(v, &[(200, 20 - i as u64)]))
        .collect();
    Top {
        field: "path".into(),
        selector: None,
        selected: rows.iter().map(|r| r.count).sum(),
        rows,
        exact: true,
        ..Top::default()
    }
}

/// Two inputs, and the tops above.
fn summary(tops: Vec<Top>) -> Summary {
    let inputs = vec![
        InputSummary {
            path: "access.log".into(),
            format: "combined".into(),
            counts: counts(&[(200, 900), (404, 60), (500, 30), (503, 10)]),
            ..Default::default()
        },
        InputSummary {
            path: "=HYPERLINK(\"x\").log".into(),
            format: "common".into(),
            counts: counts(&[(200, 95), (502, 5)]),
            ..Default::default()
        },
    ];
    let mut s = Summary::from_inputs(inputs, vec![], Duration::from_millis(12));
    s.top = tops;
    s
}

fn all_tops() -> Summary {
    summary(vec![top_5xx(), top_hosts(), top_json_key(), top_empty()])
}

fn opts(lang: Lang) -> ReportOptions {
    ReportOptions {
        lang: Langs::both(lang),
        ..ReportOptions::default()
    }
}

fn json(s: &Summary, o: &ReportOptions) -> serde_json::Value {
    let mut out = Vec::new();
    report::write_json(&mut out, s, o, None).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn top_csv(s: &Summary, o: &ReportOptions) -> String {
    let mut out = Vec::new();
    report::top::write_csv(&mut out, &s.top, o).unwrap();
    String::from_utf8(out).unwrap()
}

fn summary_csv(s: &Summary, o: &ReportOptions) -> String {
    let mut out = Vec::new();
    report::write_csv(&mut out, s, o).unwrap();
    String::from_utf8(out).unwrap()
}

/// The table from the first `Top ` section (or `排行`) to the footer.
fn sections(t: &str) -> String {
    let start = t
        .find("\nTop ")
        .or_else(|| t.find("\n路径排行"))
        .expect("a top section")
        + 1;
    let end = t[start..].rfind("\n\n").map_or(t.len(), |i| start + i + 1);
    t[start..end].to_string()
}

// ---- the table ----

#[test]
fn table_sections_snapshot() {
    let s = all_tops();
    let t = table(&s, &opts(Lang::En));
    insta::assert_snapshot!("sections_en", sections(&t));
}

#[test]
fn table_sections_zh_snapshot() {
    let s = all_tops();
    let t = table(&s, &opts(Lang::Zh));
    insta::assert_snapshot!("sections_zh", sections(&t));
}

/// A one-class selector splits by code: the six codes with most lines, in
/// code order, and the rest summed; otherwise by the classes present.
#[test]
fn one_class_splits_by_code_and_the_others_by_class() {
    let t = table(&all_tops(), &opts(Lang::En));
    let head = |title: &str| {
        let at = t.find(title).unwrap_or_else(|| panic!("{title}\n{t}"));
        t[at..]
            .lines()
            .find(|l| l.trim_start().starts_with("count "))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        head("Top paths for 5xx"),
        "count share 500 502 503 504 507 520 rest path"
    );
    assert_eq!(
        head("Top hosts for all requests"),
        "count share 1xx 2xx 3xx 4xx 5xx other host"
    );
    assert_eq!(
        head("Top json:user.id values for 404,499"),
        "count share 404 499 json:user.id"
    );
    // The rest column holds 501 and 599 of the second row.
    let cart = t.lines().find(|l| l.ends_with("/user/{id}/cart")).unwrap();
    let cells: Vec<&str> = cart.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "155",
            "10.33%",
            "150",
            "0",
            "0",
            "0",
            "0",
            "0",
            "5",
            "/user/{id}/cart"
        ]
    );
}

#[test]
fn exactness_grouping_and_missing_are_said() {
    let t = table(&all_tops(), &opts(Lang::En));
    assert!(t.contains("\n  1,500 lines, counts exact\n"), "{t}");
    assert!(
        t.contains(
            "\n  1,324,848 lines, counts ±1,234: none under, none over by more than 1,234 (memory budget reached)\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("\n  paths grouped: ids → {id}, ^/static/.*=static\n"),
        "{t}"
    );
    assert!(t.contains("\n  (7 lines without a value)\n"), "{t}");
    assert!(t.contains("\n  (1 line without a value)\n"), "{t}");
    assert!(
        t.contains("Top upstreams for 500-504\n  0 lines, counts exact\n  (no values)\n"),
        "{t}"
    );
    // Without tops the table has no section.
    let plain = table(&summary(vec![]), &opts(Lang::En));
    assert!(!plain.contains("Top "), "{plain}");
}

/// The sections sit after the codes and before the per-input table.
#[test]
fn sections_come_after_the_codes_and_before_per_input() {
    let o = ReportOptions {
        per_input: true,
        ..opts(Lang::En)
    };
    let t = table(&all_tops(), &o);
    let codes = t.find("Status codes").unwrap();
    let top = t.find("Top paths for 5xx").unwrap();
    let per = t.find("Per input").unwrap();
    assert!(codes < top && top < per, "{t}");
}

#[test]
fn hostile_values_are_escaped_and_cut_to_the_terminal() {
    let s = summary(vec![top_hostile()]);
    for lang in [Lang::En, Lang::Zh] {
        for width in [None, Some(80), Some(60)] {
            let o = ReportOptions {
                width,
                ..opts(lang)
            };
            let t = table(&s, &o);
            for bad in ['\x1b', '\x07', '\u{202e}', '\r', '\t', '\u{fffd}'] {
                assert!(!t.contains(bad), "{bad:?} in\n{t}");
            }
            if let Some(width) = width {
                let part = sections(&t);
                let wide: Vec<&str> = part.lines().filter(|l| l.width() > width).collect();
                assert_eq!(wide, Vec::<&str>::new(), "{t}");
            }
        }
    }
    let t = table(&s, &opts(Lang::En));
    insta::assert_snapshot!("hostile_en", sections(&t));
    // Piped, a long value is cut all the same, to 500 characters.
    let long = t.lines().find(|l| l.contains("very-long")).unwrap();
    assert!(long.ends_with('…') && long.chars().count() < 560, "{long}");
}

/// At 80 columns: the value is cut with `…` so its row fits; the notes wrap.
#[test]
fn table_fits_80_columns_snapshot() {
    let mut top = top_5xx();
    top.rows[0].value = b"/api/v2/organisations/{id}/projects/{id}/pipelines/{id}/jobs".to_vec();
    top.grouping
        .push("^/assets/[0-9a-f]{32}\\.(js|css)$=asset".into());
    let s = summary(vec![top]);
    let o = ReportOptions {
        width: Some(80),
        ..opts(Lang::En)
    };
    let t = sections(&table(&s, &o));
    assert!(t.lines().all(|l| l.width() <= 80), "{t}");
    assert!(t.contains("  /api/v2/organisations/{id}…\n"), "{t}");
    // A rule is shown as written: its backslashes are not doubled.
    assert!(t.contains("{32}\\.(js|css)$=asset"), "{t}");
    insta::assert_snapshot!("sections_en_80", t);
}

/// Code and class headings take their class's color; the rest of the row
/// stays as it is without color.
#[test]
fn color_marks_the_split_headings() {
    let s = all_tops();
    let o = ReportOptions {
        color: true,
        ..opts(Lang::En)
    };
    let colored = table(&s, &o);
    assert!(colored.contains("\x1b[31m500"), "{colored:?}");
    assert!(colored.contains("\x1b[33m404"), "{colored:?}");
    assert!(colored.contains("\x1b[1mTop paths for 5xx"), "{colored:?}");
    let plain = table(&s, &opts(Lang::En));
    assert!(!plain.contains('\x1b'));
}

// ---- JSON ----

#[test]
fn json_top_keeps_its_contract() {
    let s = all_tops();
    let v = json(&s, &opts(Lang::En));
    let top = v["top"].as_array().expect("top array");
    assert_eq!(top.len(), 4);
    for t in top {
        let keys: Vec<&str> = t.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "field",
                "where",
                "selected",
                "missing",
                "exact",
                "error_bound",
                "grouping",
                "rows"
            ]
        );
        for r in t["rows"].as_array().unwrap() {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(keys, ["value", "count", "share", "classes", "codes"]);
            // Classes and codes both add up to the count.
            let sum = |k: &str| -> u64 {
                r[k].as_object()
                    .unwrap()
                    .values()
                    .map(|n| n.as_u64().unwrap())
                    .sum()
            };
            assert_eq!(sum("classes"), r["count"].as_u64().unwrap());
            assert_eq!(sum("codes"), r["count"].as_u64().unwrap());
            assert_eq!(r["classes"].as_object().unwrap().len(), 6);
        }
    }
    let t = &top[0];
    assert_eq!(t["field"], "path");
    assert_eq!(t["where"], "5xx");
    assert_eq!(t["selected"], 1_500);
    assert_eq!(t["missing"], 7);
    assert_eq!(t["exact"], true);
    assert_eq!(t["error_bound"], 0);
    assert_eq!(t["grouping"][0], "ids → {id}");
    let r = &t["rows"][0];
    assert_eq!(r["value"], "/api/orders/{id}");
    assert_eq!(r["count"], 1_000);
    assert_eq!(r["share"], 0.666667);
    assert_eq!(r["classes"]["5xx"], 1_000);
    assert_eq!(r["codes"]["502"], 300);
    let hosts = &top[1];
    assert_eq!(hosts["where"], serde_json::Value::Null);
    assert_eq!(hosts["exact"], false);
    assert_eq!(hosts["error_bound"], 1_234);
    assert_eq!(hosts["rows"][1]["codes"]["0"], 5);
    assert_eq!(hosts["rows"][1]["classes"]["other"], 5);
    assert_eq!(top[3]["rows"], serde_json::json!([]));
    // No `top` key when nothing asked for one.
    let v = json(&summary(vec![]), &opts(Lang::En));
    assert!(v.get("top").is_none());
}

/// Values are escaped as malformed examples are: reversibly, and a plain
/// value as it is.
#[test]
fn json_values_are_escaped() {
    let v = json(&summary(vec![top_hostile()]), &opts(Lang::En));
    let values: Vec<&str> = v["top"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert_eq!(values[0], "/\\x1b[2J\\x1b]0;pwned\\x07home");
    assert_eq!(values[1], "/files/\\u{202e}fdp.exe");
    assert_eq!(values[2], "/caf\\xe9");
    // No formula guard in JSON: it is not opened by spreadsheets.
    assert_eq!(values[3], "=cmd|' /C calc'!A0");
    assert_eq!(values[7], "\\t=1+1");
    assert_eq!(values[8], "\\x0d=1+1");
    assert_eq!(values[9], "C:\\\\x1b");
    assert!(values[10].len() > 1_000, "whole, not cut");
}

// ---- CSV ----

fn records(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn top_csv_snapshot_and_shape() {
    let s = all_tops();
    let text = top_csv(&s, &opts(Lang::En));
    insta::assert_snapshot!("top_csv", text);
    let rows = records(&text);
    assert_eq!(
        rows[0],
        [
            "field",
            "where",
            "value",
            "count",
            "1xx",
            "2xx",
            "3xx",
            "4xx",
            "5xx",
            "other",
            "share",
            "exact",
            "error_bound"
        ]
    );
    // One row per value of every top, the empty one adding none.
    assert_eq!(rows.len(), 1 + 4 + 3 + 2);
    for r in &rows[1..] {
        let count: u64 = r[3].parse().unwrap();
        let split: u64 = r[4..10].iter().map(|n| n.parse::<u64>().unwrap()).sum();
        assert_eq!(count, split, "{r:?}");
        assert_eq!(r[10].split('.').nth(1).unwrap().len(), 6);
    }
    assert_eq!(rows[5][1], "", "all requests: empty `where`");
    assert_eq!(rows[5][11..], ["false", "1234"]);
    // Chinese: a byte-order mark, the same English header.
    let zh = top_csv(&s, &opts(Lang::Zh));
    assert_eq!(zh.strip_prefix('\u{feff}'), Some(text.as_str()));
}

/// Cells that a spreadsheet would run as a formula get a `'` in front;
/// `--csv-raw` writes them as they are. Escaping stays either way, so a tab
/// or CR in front is already `\t` / `\x0d` and is not a formula start.
#[test]
fn the_formula_guard_and_csv_raw() {
    let s = summary(vec![top_hostile()]);
    let guarded = records(&top_csv(&s, &opts(Lang::En)));
    let values: Vec<&str> = guarded[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(values[3], "'=cmd|' /C calc'!A0");
    assert_eq!(values[4], "'+1+1");
    assert_eq!(values[5], "'-2+3");
    assert_eq!(values[6], "'@SUM(A1:A9)");
    assert_eq!(values[7], "\\t=1+1");
    assert_eq!(values[8], "\\x0d=1+1");
    assert_eq!(values[0], "/\\x1b[2J\\x1b]0;pwned\\x07home");
    for v in &values {
        assert!(!v.starts_with(['=', '+', '-', '@', '\t', '\r']), "{v}");
    }
    let raw = ReportOptions {
        csv_raw: true,
        ..opts(Lang::En)
    };
    let text = top_csv(&s, &raw);
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'));
    let raw = records(&text);
    assert_eq!(raw[4][2], "=cmd|' /C calc'!A0");
    assert_eq!(raw[6][2], "-2+3");
    assert_eq!(raw[7][2], "@SUM(A1:A9)");
}

/// The guard itself, on every trigger and on what is not one.
#[test]
fn csv_text_guards_exactly_the_formula_starts() {
    let o = opts(Lang::En);
    for t in ["=1", "+1", "-1", "@a", "\tx", "\rx"] {
        assert_eq!(report::csv_text(t, &o), format!("'{t}"));
    }
    for t in ["", "/a", "a=1", " =1", "'=1", "1-2", "中=1"] {
        assert_eq!(report::csv_text(t, &o), t);
    }
    let raw = ReportOptions { csv_raw: true, ..o };
    assert_eq!(report::csv_text("=1", &raw), "=1");
}

// ---- per input ----

/// `--per-input` CSV: one row per input and code, shares within the input,
/// the input's name guarded.
#[test]
fn per_input_csv() {
    let s = all_tops();
    let o = ReportOptions {
        per_input: true,
        ..opts(Lang::En)
    };
    let text = summary_csv(&s, &o);
    insta::assert_snapshot!("per_input_csv", text);
    let rows = records(&text);
    assert_eq!(
        rows[0],
        [
            "input",
            "format",
            "code",
            "class",
            "reason",
            "kind",
            "count",
            "share",
            "description"
        ]
    );
    assert_eq!(rows.len(), 1 + 4 + 2);
    assert_eq!(rows[1][..4], ["access.log", "combined", "200", "2xx"]);
    assert_eq!(rows[1][6..8], ["900", "0.900000"]);
    assert_eq!(rows[5][0], "'=HYPERLINK(\"x\").log");
    assert_eq!(rows[6][6..8], ["5", "0.050000"]);
    // Summed over inputs, the counts are the total's.
    let sum: u64 = rows[1..].iter().map(|r| r[6].parse::<u64>().unwrap()).sum();
    assert_eq!(sum, s.total.requests());
    let raw = ReportOptions { csv_raw: true, ..o };
    assert_eq!(
        records(&summary_csv(&s, &raw))[5][0],
        "=HYPERLINK(\"x\").log"
    );
    // Without --per-input the summary CSV is unchanged.
    let plain = summary_csv(&s, &opts(Lang::En));
    assert!(plain.starts_with("code,class,reason,kind,count,share,description\n"));
    assert_eq!(records(&plain).len(), 1 + 5);
}

/// `inputs[]` carries each input's codes and classes, shares within it.
#[test]
fn per_input_json() {
    let v = json(&all_tops(), &opts(Lang::En));
    let i = &v["inputs"][1];
    assert_eq!(i["path"], "=HYPERLINK(\"x\").log", "JSON is not guarded");
    assert_eq!(
        i["codes"],
        serde_json::json!([
            {"code": 200, "count": 95, "class": "2xx", "share": 0.95},
            {"code": 502, "count": 5, "class": "5xx", "share": 0.05},
        ])
    );
    let classes = i["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 6);
    assert_eq!(
        classes[4],
        serde_json::json!({"class": "5xx", "count": 5, "label": "Server error", "share": 0.05})
    );
    // The contract's keys are all still there.
    for k in common::JSON_INPUT_KEYS {
        assert!(i.get(k).is_some(), "{k}");
    }
}

/// The per-input table: counts, and beneath each input with requests its
/// share of all requests and its classes' shares of its own.
#[test]
fn per_input_table_shows_shares() {
    let o = ReportOptions {
        per_input: true,
        ..opts(Lang::En)
    };
    let t = table(&summary(vec![]), &o);
    let per: Vec<&str> = t
        .lines()
        .skip_while(|l| *l != "Per input")
        .take_while(|l| !l.is_empty())
        .collect();
    let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        cells(per[3]),
        [
            "90.91%", "0.00%", "90.00%", "0.00%", "6.00%", "4.00%", "0.00%"
        ]
    );
    assert_eq!(
        cells(per[5]),
        [
            "9.09%", "0.00%", "95.00%", "0.00%", "0.00%", "5.00%", "0.00%"
        ]
    );
    // Each share ends where its count ends: `requests` is the 4th cell of a
    // count row and the 1st of a share row, `2xx` the 6th and the 3rd.
    let rows = per.join("\n");
    assert_eq!(cell_end(per[2], 4), cell_end(per[3], 1), "{rows}");
    assert_eq!(cell_end(per[2], 6), cell_end(per[3], 3), "{rows}");
    insta::assert_snapshot!("per_input_table", per.join("\n"));
}

/// Where the `n`th space-separated cell of an ASCII line ends.
fn cell_end(line: &str, n: usize) -> usize {
    let mut seen = 0;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if c != ' ' && prev == ' ' {
            seen += 1;
        }
        if c == ' ' && prev != ' ' && seen == n {
            return i;
        }
        prev = c;
    }
    line.len()
}

// ---- the command line ----

const SAMPLE: &str = "fixtures/sample-combined.log";

#[test]
fn top_csv_on_stdout_is_one_claim_like_the_others() {
    for (args, msg) in [
        (
            &["-o", "json", "--top-csv", "-"][..],
            "-o json and --top-csv -",
        ),
        (&["--csv", "-", "--top-csv", "-"], "--csv - and --top-csv -"),
        (
            &["--top-csv", "-", "--dump-malformed", "-"],
            "--top-csv - and --dump-malformed -",
        ),
    ] {
        logstat()
            .args([SAMPLE, "--top", "path"])
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "logstat: {msg} both write to stdout; send one of them to a file\n"
            ));
    }
    // Alone it takes stdout, and the table goes to stderr.
    let out = logstat()
        .args([SAMPLE, "--top", "path", "--top-csv", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("field,where,value,count,1xx,"), "{csv}");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("Status classes")
    );
}

#[cfg(unix)]
#[test]
fn top_csv_never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::copy(SAMPLE, &log).unwrap();
    let before = std::fs::read(&log).unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&log, &link).unwrap();
    for out in [&log, &link] {
        logstat()
            .arg(&log)
            .args(["--top", "path", "--top-csv"])
            .arg(out)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "logstat: --top-csv {} is the input {}; refusing to overwrite it\n",
                out.display(),
                log.display()
            ));
    }
    assert_eq!(std::fs::read(&log).unwrap(), before);
    let fresh = dir.path().join("top.csv");
    logstat()
        .arg(&log)
        .args(["--top", "path", "--top-csv"])
        .arg(&fresh)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&fresh).unwrap();
    assert_eq!(
        text.lines().next(),
        Some(report::top::CSV_HEADER.join(",").as_str())
    );
}

/// `-o csv --per-input` and `--csv PATH --per-input` write a row per input
/// and code, a file name that starts a formula guarded unless `--csv-raw`.
#[test]
fn per_input_csv_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let evil = dir.path().join("=1+1.log");
    std::fs::copy(SAMPLE, &a).unwrap();
    std::fs::copy(SAMPLE, &evil).unwrap();
    let run = |extra: &[&str]| {
        let out = logstat()
            .current_dir(dir.path())
            .args(["a.log", "=1+1.log", "--per-input"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{extra:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = run(&["-o", "csv"]);
    let rows = records(&csv);
    assert_eq!(rows[0][..3], ["input", "format", "code"]);
    let names: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["'=1+1.log", "a.log"].into_iter().collect());
    // Both inputs are the sample: 16 codes each.
    assert_eq!(rows.len(), 1 + 2 * 16);
    let raw = records(&run(&["-o", "csv", "--csv-raw"]));
    assert!(raw.iter().any(|r| r[0] == "=1+1.log"));
    // The --csv file is the same.
    run(&["--csv", "out.csv"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        csv
    );
}
