//! The time axis through the engine: every format's time from its fixture,
//! intervals that add up to the totals for any threads and chunking,
//! filters at the exact edges, daylight-saving changes and mixed offsets,
//! `--last` over several inputs and streams, and a bisected large file
//! against a full read of it with lines out of order near the cut.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use logstat::format::{self, FormatChoice, FormatOptions};
use logstat::scan::{ScanOptions, TimeOptions, scan};
use logstat::summary::{Series, Summary};
use logstat::time::{self, When};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn fixture(rel: &str) -> PathBuf {
    Path::new(FIXTURES).join(rel)
}

fn run(paths: &[PathBuf], o: &ScanOptions) -> Summary {
    scan(paths, o, None)
}

fn forced(name: &str) -> FormatChoice {
    format::parse_choice(name, &FormatOptions::default()).unwrap()
}

fn write_temp(data: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(data).unwrap();
    f.flush().unwrap();
    f
}

/// The `{"NAME": {"first", "last", "undated"}}` table of the format
/// fixtures' times, read with `--by 1m --tz UTC` (HAProxy's accept date has
/// no zone).
#[test]
fn every_format_fixture_has_its_times() {
    let table: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("formats/times.json")).unwrap()).unwrap();
    let custom = std::fs::read_to_string(fixture("formats/custom.format")).unwrap();
    let mut cases: Vec<(String, FormatChoice, PathBuf)> = format::PRESETS
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                FormatChoice::Auto,
                fixture(&format!("formats/{}.log", p.name)),
            )
        })
        .collect();
    for (key, f) in [
        ("custom", custom.trim()),
        (
            "custom-apache",
            r#"%h [%{%d/%b/%Y:%H:%M:%S %z}t] \"%r\" %>s %b"#,
        ),
    ] {
        cases.push((key.into(), forced(f), fixture("formats/custom.log")));
    }
    let mut got = serde_json::Map::new();
    for (key, format, path) in cases {
        let o = ScanOptions {
            format,
            series_step: Some(60),
            time: TimeOptions {
                tz: Some(0),
                ..Default::default()
            },
            ..Default::default()
        };
        let s = run(&[path], &o);
        let i = &s.inputs[0];
        assert!(i.error.is_none(), "{key}: {:?}", i.error);
        let series = s.series.as_ref().unwrap();
        got.insert(
            key.clone(),
            serde_json::json!({
                "first": i.first.map(|t| t.to_rfc3339()),
                "last": i.last.map(|t| t.to_rfc3339()),
                "undated": series.undated,
            }),
        );
        // Every dated request is in an interval; the others are undated.
        let c = &i.counts;
        assert_eq!(
            series.total() + series.undated,
            c.requests() + c.no_status,
            "{key}"
        );
    }
    if std::env::var_os("LOGSTAT_PRINT_TIMES").is_some() {
        println!("{}", serde_json::to_string_pretty(&got).unwrap());
    }
    assert_eq!(serde_json::Value::Object(got), table);
}

/// A Combined line at `unix` written at `offset` (seconds east), status
/// `code` (`None`: `-`).
fn clf_line(unix: i64, offset: i32, code: Option<u16>) -> String {
    let local = unix + offset as i64;
    let t = time::format_stamp(
        time::Stamp {
            unix: local,
            offset: 0,
        },
        0,
    );
    let (y, mo, d, hms) = (&t[..4], &t[5..7], &t[8..10], &t[11..19]);
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][mo.parse::<usize>().unwrap() - 1];
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let status = code.map_or("-".to_string(), |c| c.to_string());
    format!(
        "10.0.0.1 - - [{d}/{mon}/{y}:{hms} {sign}{:02}{:02}] \"GET / HTTP/1.1\" {status} 1 \"-\" \"ua\"\n",
        a / 3600,
        a / 60 % 60
    )
}

/// One generated line: dated at `base + dt` at one of a few offsets, or
/// without a readable time, or not a request at all.
fn any_line(base: i64) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0i64..7200, prop::sample::select(vec![0, 3600, -19_800]), prop::sample::select(vec![Some(200), Some(404), Some(503), None]))
            .prop_map(move |(dt, off, code)| clf_line(base + dt, off, code)),
        1 => Just("10.0.0.1 - - [t] \"GET / HTTP/1.1\" 500 1\n".to_string()),
        1 => Just("not a log line\n".to_string()),
        1 => Just("\n".to_string()),
    ]
}

const BASE: i64 = 1_710_230_400; // 2024-03-12T08:00:00Z

fn timed(threads: usize, chunk: usize, step: u32, t: TimeOptions) -> ScanOptions {
    ScanOptions {
        threads,
        chunk_size: chunk,
        format: forced("combined"),
        series_step: Some(step),
        time: t,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The intervals add up to the totals, and every thread count and chunk
    /// size gives the same counts, intervals and first and last times, with
    /// a filter or without.
    #[test]
    fn series_sums_equal_totals(
        lines in prop::collection::vec(any_line(BASE), 0..300),
        step in prop::sample::select(vec![1u32, 60, 90, 300, 3600, 86_400]),
        filter in prop::sample::select(vec![0u8, 1, 2]),
        tz in prop::sample::select(vec![None, Some(0), Some(19_800)]),
        threads in 1usize..4,
        chunk in 1usize..2000,
    ) {
        let data = lines.concat();
        let f = write_temp(data.as_bytes());
        let t = TimeOptions {
            since: (filter == 1).then_some(When::Instant(BASE + 600)),
            until: (filter == 1).then_some(When::Instant(BASE + 4000)),
            last: (filter == 2).then_some(1800),
            tz,
            ..Default::default()
        };
        let filtered = filter > 0;
        let one = run(&[f.path().into()], &timed(1, 1 << 20, step, t.clone()));
        let many = run(&[f.path().into()], &timed(threads, chunk, step, t));
        let c = &one.total;
        let series = one.series.clone().unwrap();
        prop_assert_eq!(c.lines(), data.lines().count() as u64);
        prop_assert_eq!(series.total() + series.undated, c.requests() + c.no_status);
        prop_assert_eq!(series.undated > 0 && filtered, false);
        prop_assert_eq!(&many.total, c);
        prop_assert_eq!(many.series, Some(series.clone()));
        prop_assert_eq!((many.inputs[0].first, many.inputs[0].last), (one.inputs[0].first, one.inputs[0].last));
        // Aligned to --tz, else to the first dated line's offset.
        let own = data.lines().find_map(|l| time::Clock::new(time::Zone::Fixed(0)).clf(l.get(14..40).unwrap_or_default().as_bytes()));
        prop_assert_eq!(series.offset, tz.or(own.map(|s| s.offset)).unwrap_or(0));
        // Each interval holds what a plain count of the lines puts there.
        let mut want = Series::new(step, series.offset);
        let mut newest = None;
        for l in data.lines() {
            let Some(s) = time::Clock::new(time::Zone::Fixed(0)).clf(l.get(14..40).unwrap_or_default().as_bytes()) else { continue };
            if !filtered || filter == 2 || (BASE + 600..BASE + 4000).contains(&s.unix) {
                newest = newest.max(Some(s.unix));
            }
        }
        for l in data.lines() {
            let Some(s) = time::Clock::new(time::Zone::Fixed(0)).clf(l.get(14..40).unwrap_or_default().as_bytes()) else { continue };
            let keep = match filter {
                1 => (BASE + 600..BASE + 4000).contains(&s.unix),
                2 => s.unix > newest.unwrap() - 1800,
                _ => true,
            };
            if keep {
                let code = l.split('"').nth(2).unwrap().split(' ').nth(1).unwrap();
                want.add(s.unix, code.parse().unwrap_or(logstat::lines::NO_STATUS as u16), 1);
            }
        }
        prop_assert_eq!(series.buckets, want.buckets);
    }
}

/// Half-open ranges, at the exact edges of the intervals.
#[test]
fn filters_at_the_exact_edges() {
    let t = BASE + 7200; // 10:00:00Z
    let data: String = [t - 1, t, t + 299, t + 300]
        .iter()
        .map(|&u| clf_line(u, 0, Some(200)))
        .collect();
    let f = write_temp(data.as_bytes());
    let o = timed(
        2,
        64,
        300,
        TimeOptions {
            since: Some(When::Instant(t)),
            until: Some(When::Instant(t + 300)),
            ..Default::default()
        },
    );
    let s = run(&[f.path().into()], &o);
    assert_eq!((s.total.requests(), s.total.filtered), (2, 2));
    let series = s.series.unwrap();
    assert_eq!(series.buckets.len(), 1);
    assert_eq!(series.buckets[&t].requests(), 2);
    // First and last are of every dated line, filtered ones too.
    assert_eq!(s.inputs[0].first.unwrap().unix, t - 1);
    assert_eq!(s.inputs[0].last.unwrap().unix, t + 300);
}

/// Offsets are read per line: across a daylight-saving change, and from
/// servers in different zones, time is one clock.
#[test]
fn dst_change_and_mixed_offsets() {
    // 2024-03-31: 01:59:59 +0100 and 03:00:00 +0200 are one second apart.
    let change = 1_711_846_800; // 2024-03-31T01:00:00Z
    let data = [
        clf_line(change - 1, 3600, Some(200)),
        clf_line(change, 7200, Some(503)),
        clf_line(change, -18_000, Some(404)),
    ]
    .concat();
    let f = write_temp(data.as_bytes());
    let s = run(
        &[f.path().into()],
        &timed(1, 0, 3600, TimeOptions::default()),
    );
    let i = &s.inputs[0];
    assert_eq!(i.first.unwrap().to_rfc3339(), "2024-03-31T01:59:59+01:00");
    assert_eq!(i.last.unwrap().to_rfc3339(), "2024-03-31T03:00:00+02:00");
    let series = s.series.unwrap();
    // Aligned to the log's own clock (its first line's +01:00), hours are
    // whole hours anyway: 00:00Z holds the first line, 01:00Z both others.
    assert_eq!(series.offset, 3600);
    assert_eq!(series.buckets[&(change - 3600)].requests(), 1);
    assert_eq!(series.buckets[&change].requests(), 2);
    // A day on the log's clock starts at its midnight, +01:00.
    let s = run(
        &[f.path().into()],
        &timed(1, 0, 86_400, TimeOptions::default()),
    );
    let days: Vec<i64> = s.series.unwrap().buckets.keys().copied().collect();
    assert_eq!(days, [1_711_839_600]);
}

/// `--last` is the final D of the inputs together, ending at the newest
/// time of any of them, read from files or a stream alike.
#[test]
fn last_spans_every_input_and_streams_alike() {
    let a: String = (0..60)
        .map(|m| clf_line(BASE + 60 * m, 0, Some(200)))
        .collect();
    let b: String = (0..60)
        .map(|m| clf_line(BASE + 1800 + 60 * m, 3600, Some(503)))
        .collect();
    let (fa, fb) = (write_temp(a.as_bytes()), write_temp(b.as_bytes()));
    let last = |t| TimeOptions {
        last: Some(t),
        ..Default::default()
    };
    let s = run(
        &[fa.path().into(), fb.path().into()],
        &timed(2, 512, 60, last(900)),
    );
    // b ends at BASE + 1800 + 3540: the window is its last 15 minutes.
    assert_eq!(s.inputs[0].counts.requests(), 0);
    assert_eq!(s.inputs[0].counts.filtered, 60);
    assert_eq!(s.inputs[1].counts.codes[503], 15);
    assert_eq!(s.inputs[1].counts.filtered, 45);
    assert_eq!(s.series.unwrap().total(), 15);
    // Replaying an old log on its own: its own final 15 minutes.
    let s = run(&[fa.path().into()], &timed(1, 0, 60, last(900)));
    assert_eq!(s.total.codes[200], 15);
    // Read from stdin, the same.
    let out = Command::cargo_bin("logstat")
        .unwrap()
        .args(["-o", "json", "--last", "15m", "-"])
        .write_stdin(b.clone())
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["requests"].as_u64(), r["filtered"].as_u64()),
        (Some(15), Some(45))
    );
}

/// A large file bisected on time counts what a full read counts inside the
/// range, lines out of order near the cut included, and skips the rest.
///
/// Four lines are written a second; a line's time is when it was written,
/// give or take a second, except in `late` runs (a worker's buffer flushed
/// late, long requests): runs of lines written up to eight minutes after
/// their time.
fn bisect_case(
    lines: usize,
    late: &[(usize, usize, i64)],
    since: i64,
    until: i64,
    last: Option<u32>,
) {
    let mut data = String::new();
    for i in 0..lines {
        let written = BASE + i as i64 / 4;
        let delay = late
            .iter()
            .find(|(at, n, _)| (*at..at + n).contains(&i))
            .map_or((i % 3) as i64 - 1, |l| l.2);
        let code = [200, 404, 503][i % 3];
        data.push_str(&clf_line(written - delay, 3600, Some(code)));
    }
    let f = write_temp(data.as_bytes());
    let t = |bisect_from| TimeOptions {
        since: (since > 0).then_some(When::Instant(BASE + since)),
        until: (until > 0).then_some(When::Instant(BASE + until)),
        last,
        bisect_from,
        ..Default::default()
    };
    let full = run(&[f.path().into()], &timed(2, 4096, 60, t(u64::MAX)));
    let cut = run(&[f.path().into()], &timed(2, 4096, 60, t(1)));
    assert_eq!(full.total.codes, cut.total.codes);
    assert_eq!(full.series, cut.series);
    assert_eq!(full.inputs[0].unread, 0);
    let skipped = cut.inputs[0].unread;
    assert_eq!(
        cut.inputs[0].bytes + skipped,
        data.len() as u64,
        "every byte read or skipped"
    );
    // What was skipped is only lines outside the range.
    assert!(full.total.filtered >= cut.total.filtered);
    if since > 1200 && last.is_none() {
        assert!(skipped > 0, "nothing skipped");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn bisect_counts_as_a_full_read(
        late in prop::collection::vec((0usize..15_000, 1usize..2000, 0i64..480), 0..12),
        since in prop_oneof![Just(0i64), 0i64..4000],
        len in 0i64..4000,
        until in prop::bool::ANY,
        last in prop_oneof![Just(None), (60u32..7200).prop_map(Some)],
    ) {
        let until = if until { since + len } else { 0 };
        bisect_case(15_000, &late, since, until, last);
    }
}

/// Late lines right at the cut: a run written eight minutes late fills the
/// windows the bisection probes around the bound.
#[test]
fn bisect_keeps_late_lines_at_the_cut() {
    // `--since` at line 8,000; normal lines after it, then a late run.
    for at in [8_000, 8_200, 8_400, 8_800] {
        bisect_case(15_000, &[(at, 2_000, 479)], 2_000, 0, None);
    }
    // `--until` at line 8,000; a run written late after it, whose times
    // fall before it, and normal lines after those.
    for at in [8_000, 8_400, 9_000] {
        bisect_case(15_000, &[(at, 2_000, 479)], 0, 2_000, None);
    }
}

/// A time without a zone is read on the log's own clock, or `--tz`'s.
#[test]
fn zoneless_since_reads_on_the_logs_clock() {
    let f = write_temp(clf_line(BASE, 3600, Some(200)).as_bytes()); // 09:00 +0100
    let count = |args: &[&str]| {
        let out = Command::cargo_bin("logstat")
            .unwrap()
            .args(["-o", "json"])
            .args(args)
            .arg(f.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        r["requests"].as_u64().unwrap()
    };
    assert_eq!(count(&["--since", "2024-03-12 09:00"]), 1);
    assert_eq!(count(&["--since", "2024-03-12 09:00:01"]), 0);
    assert_eq!(count(&["--since", "2024-03-12 09:00", "--tz", "+02:00"]), 1);
    assert_eq!(count(&["--since", "2024-03-12 08:00:01", "--tz", "UTC"]), 0);
    assert_eq!(count(&["--until", "12/Mar/2024:09:00:01 +0100"]), 1);
    assert_eq!(count(&["--until", "2024-03-12T08:00:00Z"]), 0);
    assert_eq!(count(&["--since", "-15m"]), 0);
    assert_eq!(count(&["--until", "now"]), 1);
}

/// HAProxy writes local time without a zone: read in the machine's zone
/// (`TZ`), with its daylight-saving change, or in `--tz`.
#[test]
fn haproxy_local_time_follows_the_zone_rules() {
    let line = |t: &str| {
        format!(
            "10.0.0.1:5000 [{t}] fe be/s1 0/0/1/2/3 200 10 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n"
        )
    };
    let data = line("31/Mar/2024:01:59:59.000") + &line("31/Mar/2024:03:00:00.000");
    let f = write_temp(data.as_bytes());
    let count = |tz: &[&str]| {
        let out = Command::cargo_bin("logstat")
            .unwrap()
            .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
            .args(["-o", "json", "--log-format", "haproxy"])
            .args([
                "--since",
                "2024-03-31T00:59:59Z",
                "--until",
                "2024-03-31T01:00:01Z",
            ])
            .args(tz)
            .arg(f.path())
            .output()
            .unwrap();
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        r["requests"].as_u64().unwrap()
    };
    assert_eq!(count(&[]), 2, "one second apart across the change");
    assert_eq!(count(&["--tz", "+01:00"]), 1);
}

/// A bad value is one error line with a caret under the fault, exit 2.
#[test]
fn bad_time_values_point_at_the_fault() {
    let f = write_temp(clf_line(BASE, 0, Some(200)).as_bytes());
    for (args, msg, caret) in [
        (
            ["--since", "2024-13-01"],
            "logstat: --since: no such date",
            "       ^",
        ),
        (
            ["--until", "12/Mar/2024:25:00:00"],
            "logstat: --until: no such date or time",
            "              ^",
        ),
        (["--last", "15x"], "logstat: --last: unknown unit", "    ^"),
        (
            ["--by", "0"],
            "logstat: --by: a duration must be at least one second",
            "  ^",
        ),
        (
            ["--tz", "Europe/Paris"],
            "logstat: --tz: give UTC or a fixed offset",
            "  ^",
        ),
    ] {
        let out = Command::cargo_bin("logstat")
            .unwrap()
            .args(args)
            .arg(f.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines[0].starts_with(msg), "{args:?}: {err}");
        assert_eq!(lines.len(), 3, "{err}");
        assert_eq!(lines[2].trim_end(), caret.trim_end(), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}
