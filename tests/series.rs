//! Requests over time as the reports show them: the table's section (rows
//! for a short run, a chart for a long one), the JSON's `series` object, the
//! `--series-csv` file, first and last times per input, and the footer's
//! time-filter buckets.
//!
//! Every summary here is built by hand, consistent the way a scan makes it
//! (the total is the intervals plus the undated lines), so a change to
//! scanning cannot move these snapshots. Regenerate after an intended change
//! with `INSTA_UPDATE=always cargo test --test series` and review the diff.

use std::collections::BTreeMap;
use std::time::Duration;

use logstat::lang::{Lang, Langs};
use logstat::report::{self, ReportOptions};
use logstat::summary::{Bucket, Counts, InputSummary, Series, Stamp, Summary};
use proptest::prelude::*;
use unicode_width::UnicodeWidthStr;

mod common;
use common::table;

/// 2025-03-14T08:00:00Z: 10:00 at +02:00.
const T0: i64 = 1_741_939_200;
const PLUS2: i32 = 7_200;

/// One interval: its index from the first, its codes and no-status lines.
type Spec = (i64, Vec<(u16, u64)>, u64);

/// A summary whose series holds `specs` (interval `i` starts `T0 + i *
/// step`) and `undated` lines (given as 200s, counted in the total but in no
/// interval), one input dated from its first to its last interval.
fn dated(step: u32, offset: i32, specs: &[Spec], undated: u64) -> Summary {
    let mut buckets = BTreeMap::new();
    let mut counts = Counts::default();
    for (i, codes, no_status) in specs {
        let mut b = Bucket {
            no_status: *no_status,
            ..Bucket::default()
        };
        for &(c, n) in codes {
            *b.codes.entry(c).or_default() += n;
            counts.codes[c as usize] += n;
        }
        counts.no_status += no_status;
        buckets.insert(T0 + i * i64::from(step), b);
    }
    counts.codes[200] += undated;
    let first = specs.iter().map(|s| s.0).min().unwrap_or(0);
    let last = specs.iter().map(|s| s.0).max().unwrap_or(0);
    let input = InputSummary {
        path: "access.log".into(),
        format: "combined".into(),
        counts,
        bytes: 1,
        first: Some(Stamp {
            unix: T0 + first * i64::from(step) + 3,
            offset,
        }),
        last: Some(Stamp {
            unix: T0 + last * i64::from(step) + i64::from(step) - 2,
            offset,
        }),
        ..InputSummary::default()
    };
    let mut s = Summary::from_inputs(vec![input], vec![], Duration::from_millis(12));
    s.series = Some(Series {
        step,
        offset,
        buckets,
        undated,
    });
    s
}

/// Twelve 5-minute intervals with a gap of two, every kind of count.
fn short_run() -> Summary {
    let specs: Vec<Spec> = vec![
        (0, vec![(200, 120), (304, 8), (404, 3)], 0),
        (1, vec![(200, 131), (301, 2), (404, 1), (502, 1)], 1),
        (2, vec![(101, 1), (200, 140), (404, 2)], 0),
        (3, vec![(200, 90), (500, 12), (503, 30)], 0),
        (4, vec![(0, 2), (200, 118), (503, 4)], 0),
        (5, vec![(200, 125), (404, 4)], 0),
        // 6 and 7: nothing logged.
        (8, vec![(200, 7)], 0),
        (9, vec![(200, 122), (304, 5)], 2),
        (10, vec![(200, 133), (499, 3)], 0),
        (11, vec![(200, 64)], 0),
    ];
    dated(300, PLUS2, &specs, 3)
}

/// Nine hours of minutes: a daily-looking swell, a 5xx burst at 11:05, a
/// twenty-minute outage with no lines at 14:00.
fn long_run() -> Summary {
    let mut specs = Vec::new();
    for i in 0..540i64 {
        if (240..260).contains(&i) {
            continue;
        }
        let base = 80 + (i * 37 % 29) as u64 + (i as u64 * (540 - i as u64)) / 900;
        let mut codes = vec![(200, base), (404, (i % 7) as u64)];
        if (65..70).contains(&i) {
            codes.push((503, base / 4 + i as u64 - 60));
        } else if i % 97 == 0 {
            codes.push((500, 1));
        }
        specs.push((i, codes, 0));
    }
    dated(60, PLUS2, &specs, 0)
}

fn opts(lang: Lang, color: bool, width: Option<usize>) -> ReportOptions {
    ReportOptions {
        lang: Langs::both(lang),
        color,
        width,
        ..ReportOptions::default()
    }
}

fn json(s: &Summary) -> serde_json::Value {
    let mut out = Vec::new();
    report::write_json(&mut out, s, &opts(Lang::En, false, None), None).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn series_csv(s: &Summary, lang: Lang) -> String {
    let mut out = Vec::new();
    report::series::write_csv(
        &mut out,
        s.series.as_ref().unwrap(),
        &opts(lang, false, None),
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// The lines of the table's series section, title included.
fn section(t: &str) -> Vec<&str> {
    let title = |l: &str| {
        let l = strip_ansi(l);
        l.starts_with("Requests over time") || l.starts_with("请求随时间")
    };
    t.lines()
        .skip_while(|l| !title(l))
        .take_while(|l| !l.is_empty())
        .collect()
}

fn overflowing(text: &str, width: usize) -> Vec<&str> {
    text.lines().filter(|l| l.width() > width).collect()
}

/// The text without its ANSI styles (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn short_run_is_one_row_per_interval_gaps_included() {
    let s = short_run();
    let t = table(&s, &opts(Lang::En, false, Some(100)));
    assert_eq!(overflowing(&t, 100), Vec::<&str>::new(), "{t}");
    let sec = section(&t);
    assert_eq!(sec[0], "Requests over time (every 5m, UTC+02:00)");
    // Title, column heads, twelve intervals, the undated line.
    assert_eq!(sec.len(), 15, "{t}");
    assert!(sec[8].starts_with("  2025-03-14 10:30         0"), "{t}");
    assert!(sec[8].contains('—'), "an empty interval has no rate: {t}");
    insta::assert_snapshot!("table_short_en", t);
}

#[test]
fn short_run_in_chinese_and_in_color() {
    let s = short_run();
    let zh = table(&s, &opts(Lang::Zh, false, Some(100)));
    assert_eq!(overflowing(&zh, 100), Vec::<&str>::new(), "{zh}");
    insta::assert_snapshot!("table_short_zh", section(&zh).join("\n"));
    let colored = table(&s, &opts(Lang::En, true, Some(100)));
    let plain = table(&s, &opts(Lang::En, false, Some(100)));
    assert_eq!(strip_ansi(&colored), plain, "color changes nothing else");
    let sec = section(&colored).join("\n").replace('\x1b', "␛");
    assert!(sec.contains("␛[31m"), "5xx rates red");
    insta::assert_snapshot!("table_short_en_color", sec);
}

#[test]
fn long_run_is_a_chart_that_fits_the_width() {
    let s = long_run();
    let t = table(&s, &opts(Lang::En, false, Some(80)));
    assert_eq!(overflowing(&t, 80), Vec::<&str>::new(), "{t}");
    let sec = section(&t);
    assert!(sec.len() < 20, "no row per interval: {t}");
    let spark = sec.iter().find(|l| l.starts_with("  requests")).unwrap();
    // 540 intervals in what 80 columns leave beside the labels and the
    // widest possible top value: 10 to a character, 54 characters.
    assert_eq!(sec[1], "  540 intervals, 10 per character (10m)", "{t}");
    let line: String = spark.chars().skip(12).take(54).collect();
    assert!(spark.ends_with(&format!("{line}  max 1,789")), "{spark}");
    // The outage (14:00–14:20, characters 24 and 25) shows as blanks.
    let outage: String = line.chars().skip(23).take(4).collect();
    assert_eq!(outage, "█  █", "{line:?}");
    // The burst at 11:05–11:09 is the worst interval.
    let worst = sec
        .iter()
        .position(|l| l.contains("Worst intervals"))
        .unwrap();
    assert!(sec[worst + 2].starts_with("    2025-03-14 11:09"), "{t}");
    insta::assert_snapshot!("table_long_en_80", sec.join("\n"));

    let zh = table(&s, &opts(Lang::Zh, false, Some(80)));
    assert_eq!(overflowing(&zh, 80), Vec::<&str>::new(), "{zh}");
    insta::assert_snapshot!("table_long_zh_80", section(&zh).join("\n"));
}

#[test]
fn long_run_chart_fits_any_width_and_a_pipe_gets_80() {
    let s = long_run();
    for width in [50, 60, 100, 132, 200, 600] {
        let t = table(&s, &opts(Lang::En, false, Some(width)));
        let sec = section(&t).join("\n");
        assert_eq!(overflowing(&sec, width), Vec::<&str>::new(), "{sec}");
    }
    // 600 columns hold every interval: one per character.
    let wide = table(&s, &opts(Lang::En, false, Some(600)));
    assert!(wide.contains("540 intervals, one per character"), "{wide}");
    assert_eq!(
        section(&table(&s, &opts(Lang::En, false, None))),
        section(&table(&s, &opts(Lang::En, false, Some(80))))
    );
    let colored = table(&s, &opts(Lang::En, true, Some(80)));
    assert_eq!(
        strip_ansi(&colored),
        table(&s, &opts(Lang::En, false, Some(80)))
    );
}

#[test]
fn a_run_without_5xx_says_so_and_an_empty_series_too() {
    let specs: Vec<Spec> = (0..100).map(|i| (i, vec![(200, 5)], 0)).collect();
    let t = table(&dated(60, 0, &specs, 0), &opts(Lang::En, false, Some(80)));
    assert!(t.contains("Requests over time (every 1m, UTC)"), "{t}");
    assert!(t.contains("No 5xx in any interval."), "{t}");
    let t = table(&dated(60, 0, &[], 4), &opts(Lang::En, false, Some(80)));
    let sec = section(&t);
    assert_eq!(sec[1], "  (no dated lines)");
    assert_eq!(
        sec[2],
        "  4 lines had no readable time and are in no interval"
    );
}

#[test]
fn labels_show_seconds_below_a_minute_and_dates_for_days() {
    let s = dated(30, 0, &[(0, vec![(200, 1)], 0), (1, vec![(200, 1)], 0)], 0);
    let t = table(&s, &opts(Lang::En, false, None));
    assert!(
        t.contains("(every 30s, UTC)") && t.contains("  2025-03-14 08:00:30"),
        "{t}"
    );
    let s = dated(
        86_400,
        0,
        &[(0, vec![(200, 1)], 0), (2, vec![(200, 1)], 0)],
        0,
    );
    let t = table(&s, &opts(Lang::En, false, None));
    assert!(
        t.contains("(every 1d, UTC)") && t.contains("\n  2025-03-15  "),
        "{t}"
    );
}

#[test]
fn header_names_each_inputs_time_range() {
    let s = short_run();
    let t = table(&s, &opts(Lang::En, false, None));
    assert_eq!(
        t.lines().next().unwrap(),
        "Input: access.log (combined) 2025-03-14 10:00:03 → 10:59:58 UTC+02:00"
    );
    // Narrow, the range goes to a line of its own rather than past the edge.
    let t = table(&s, &opts(Lang::En, false, Some(50)));
    let mut lines = t.lines();
    assert_eq!(lines.next().unwrap(), "Input: access.log (combined)");
    assert_eq!(
        lines.next().unwrap(),
        "  2025-03-14 10:00:03 → 10:59:58 UTC+02:00"
    );
    // Two inputs, the second without times: a comma after each input.
    let mut s = short_run();
    let mut other = s.inputs[0].clone();
    other.path = "b.log".into();
    other.first = None;
    other.last = None;
    s.inputs.push(other);
    let t = table(&s, &opts(Lang::En, false, None));
    assert_eq!(
        t.lines().next().unwrap(),
        "Inputs (2): access.log (combined) 2025-03-14 10:00:03 → 10:59:58 UTC+02:00, b.log (combined)"
    );
    let per = table(
        &s,
        &ReportOptions {
            per_input: true,
            ..opts(Lang::En, false, None)
        },
    );
    let head = per.lines().find(|l| l.contains("malformed")).unwrap();
    assert!(head.ends_with("time range"), "{per}");
    assert!(
        per.contains("  2025-03-14 10:00:03 → 10:59:58 UTC+02:00\n"),
        "{per}"
    );
}

#[test]
fn footer_shows_filtered_and_undated_only_when_there_are_any() {
    let mut s = short_run();
    let t = table(&s, &opts(Lang::En, false, None));
    assert!(!t.contains("outside the time range") && !t.contains("undated ("));
    s.inputs[0].counts.filtered = 1_200;
    s.inputs[0].counts.undated = 7;
    let s = Summary::from_inputs(s.inputs, vec![], s.elapsed);
    let t = table(&s, &opts(Lang::En, false, None));
    let footer = t.lines().last().unwrap();
    assert_eq!(
        footer,
        "2,341 lines = 1,131 requests + 3 no status + 0 skipped + 0 malformed \
         + 1,200 outside the time range + 7 undated (no readable time)"
    );
    let zh = table(&s, &opts(Lang::Zh, false, None));
    assert!(
        zh.ends_with("+ 0 行格式错误 + 1,200 行在时间范围外 + 7 行无法读取时间\n"),
        "{zh}"
    );
    let v = json(&s);
    assert_eq!(
        (v["filtered"].as_u64(), v["undated"].as_u64()),
        (Some(1_200), Some(7))
    );
    assert_eq!(v["inputs"][0]["filtered"], 1_200);
    assert_eq!(v["inputs"][0]["undated"], 7);
}

#[test]
fn json_series_lists_intervals_with_lines() {
    let s = short_run();
    let v = json(&s);
    let obj = v.as_object().unwrap();
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    // New keys sit beside the contract's, never replacing one.
    for k in common::JSON_KEYS {
        assert!(keys.contains(&k), "missing {k}");
    }
    assert_eq!(v["filtered"], 0, "always a number");
    let input = &v["inputs"][0];
    assert_eq!(input["first"], "2025-03-14T10:00:03+02:00");
    assert_eq!(input["last"], "2025-03-14T10:59:58+02:00");
    let series = &v["series"];
    assert_eq!(series["interval_seconds"], 300);
    assert_eq!(series["interval"], "5m");
    assert_eq!(series["zone"], "+02:00");
    assert_eq!(series["undated"], 3);
    let buckets = series["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 10, "empty intervals are left out");
    let b = &buckets[4];
    assert_eq!(b["start"], "2025-03-14T10:20:00+02:00");
    assert_eq!(b["start_unix"], T0 + 4 * 300);
    assert_eq!(b["requests"], 124);
    assert_eq!(
        b["classes"],
        serde_json::json!({"1xx": 0, "2xx": 118, "3xx": 0, "4xx": 0, "5xx": 4, "other": 2})
    );
    assert_eq!(
        b["codes"],
        serde_json::json!({"0": 2, "200": 118, "503": 4})
    );
    assert_eq!(buckets[1]["no_status"], 1);
    insta::assert_snapshot!("json_series", serde_json::to_string_pretty(series).unwrap());

    // Without a series, no `series` key; without times, first/last are null.
    let mut plain = short_run();
    plain.series = None;
    plain.inputs[0].first = None;
    plain.inputs[0].last = None;
    let v = json(&plain);
    assert!(v.get("series").is_none());
    assert!(v["inputs"][0]["first"].is_null() && v["inputs"][0]["last"].is_null());
}

#[test]
fn csv_has_every_interval_and_english_headers() {
    let s = short_run();
    let en = series_csv(&s, Lang::En);
    insta::assert_snapshot!("csv_short", en);
    let mut r = csv::Reader::from_reader(en.as_bytes());
    assert_eq!(
        r.headers().unwrap(),
        vec![
            "start",
            "end",
            "requests",
            "1xx",
            "2xx",
            "3xx",
            "4xx",
            "5xx",
            "other",
            "no_status",
            "5xx_rate"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 12);
    assert_eq!(&rows[6][0], "2025-03-14T10:30:00+02:00");
    assert_eq!(&rows[6][1], "2025-03-14T10:35:00+02:00");
    assert_eq!(&rows[6][2], "0");
    assert_eq!(&rows[6][10], "", "no rate without requests");
    assert_eq!(&rows[3][10], "0.318182");
    // Chinese: a byte-order mark, the same header.
    let zh = series_csv(&s, Lang::Zh);
    assert_eq!(zh.strip_prefix('\u{feff}'), Some(en.as_str()));
}

/// Series with random sparse intervals, steps and offsets.
fn any_series() -> impl Strategy<Value = Summary> {
    let spec = (
        0i64..90,
        proptest::collection::vec(
            (
                prop_oneof![Just(0u16), 100u16..600, Just(999u16)],
                0u64..1_000,
            ),
            0..5,
        ),
        0u64..3,
    );
    (
        prop_oneof![Just(60u32), Just(300), Just(3_600)],
        -50_400i32..50_400,
        proptest::collection::vec(spec, 0..40),
        0u64..5,
    )
        .prop_map(|(step, offset, specs, undated)| {
            // One spec per interval index: the last one given wins.
            let specs: BTreeMap<i64, Spec> = specs.into_iter().map(|s| (s.0, s)).collect();
            let specs: Vec<Spec> = specs.into_values().collect();
            dated(step, offset - offset % 60, &specs, undated)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every rendering of a series accounts for the totals the report shows:
    /// its intervals plus the undated lines are the requests and no-status
    /// lines, in the CSV, the JSON and the table's rows alike.
    #[test]
    fn series_sums_are_the_totals(s in any_series(), width in 30usize..160) {
        let t = &s.total;
        let dated_lines = t.requests() + t.no_status - s.series.as_ref().unwrap().undated;

        let text = series_csv(&s, Lang::En);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let (mut req, mut ns, mut classes) = (0, 0, 0);
        for rec in r.records() {
            let rec = rec.unwrap();
            req += rec[2].parse::<u64>().unwrap();
            classes += (3..9).map(|i| rec[i].parse::<u64>().unwrap()).sum::<u64>();
            ns += rec[9].parse::<u64>().unwrap();
        }
        prop_assert_eq!(req + ns, dated_lines);
        prop_assert_eq!(classes, req);

        let v = json(&s);
        let buckets = v["series"]["buckets"].as_array().unwrap();
        let jr: u64 = buckets.iter().map(|b| b["requests"].as_u64().unwrap()).sum();
        let jn: u64 = buckets.iter().map(|b| b["no_status"].as_u64().unwrap()).sum();
        let jc: u64 = buckets
            .iter()
            .flat_map(|b| b["codes"].as_object().unwrap().values())
            .map(|n| n.as_u64().unwrap())
            .sum();
        prop_assert_eq!(jr + jn, dated_lines);
        prop_assert_eq!(jc, jr);
        prop_assert_eq!(v["series"]["undated"].as_u64().unwrap() + jr + jn, t.requests() + t.no_status);

        let text = table(&s, &opts(Lang::En, false, Some(width)));
        let sec = section(&text);
        let starts: Vec<i64> = buckets.iter().map(|b| b["start_unix"].as_i64().unwrap()).collect();
        let step = i64::from(s.series.as_ref().unwrap().step);
        let intervals = match (starts.first(), starts.last()) {
            (Some(a), Some(b)) => (b - a) / step + 1,
            _ => 0,
        };
        let chart = sec.iter().any(|l| l.starts_with("  requests  "));
        prop_assert_eq!(chart, intervals > 60, "{}", text);
        if chart {
            if width >= 60 {
                let joined = sec.join("\n");
                prop_assert_eq!(overflowing(&joined, width), Vec::<&str>::new());
            }
        } else {
            // One row per interval, `date time requests …`, summing to the total.
            let rows: Vec<&str> = sec.iter().copied().filter(|l| l.starts_with("  2025-03-1")).collect();
            prop_assert_eq!(rows.len() as i64, intervals);
            let shown: u64 = rows
                .iter()
                .map(|l| l.split_whitespace().nth(2).unwrap().replace(',', "").parse::<u64>().unwrap())
                .sum();
            prop_assert_eq!(shown, jr, "{}", text);
        }
    }
}

/// `--series-csv` with nothing that makes a series is refused before any
/// report is written, and no file is left behind.
#[test]
fn series_csv_without_a_series_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("series.csv");
    let run = assert_cmd::Command::cargo_bin("logstat")
        .unwrap()
        .args([
            "fixtures/sample-combined.log",
            "--lang",
            "en",
            "--series-csv",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(run.stdout, b"");
    assert_eq!(
        String::from_utf8(run.stderr).unwrap(),
        "logstat: --series-csv needs a series: add --by D (e.g. `--by 5m`)\n"
    );
    assert!(!out.exists());
}
