//! End-to-end tests of the CI gate: exit codes, verdict lines on the right
//! stream, JUnit XML parsed back, GitHub workflow commands.

use std::collections::BTreeMap;

use assert_cmd::Command;
use predicates::prelude::*;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// A Combined-format log of `total` lines, `errors` of them 5xx (`503` and
/// `500` alternating) and `not_found` of them 404; the rest 200.
fn log(total: usize, errors: usize, not_found: usize) -> String {
    let mut s = String::new();
    for i in 0..total {
        let code = if i < errors {
            if i % 2 == 0 { 503 } else { 500 }
        } else if i < errors + not_found {
            404
        } else {
            200
        };
        s.push_str(&format!(
            "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /p{i} HTTP/1.1\" {code} 12 \"-\" \"curl/8\"\n"
        ));
    }
    s
}

fn logstat(args: &[&str], stdin: String) -> assert_cmd::assert::Assert {
    Command::cargo_bin("logstat")
        .unwrap()
        .args(["-", "--color", "never", "--lang", "en"])
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .write_stdin(stdin)
        .assert()
}

// ---- the "done when" ----

#[test]
fn two_percent_5xx_fails_a_1_percent_gate() {
    logstat(&["--fail-if", "5xx > 1%"], log(100, 2, 0))
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL 5xx > 1%: 2.00% (2 of 100 requests)",
        ))
        .stdout(predicate::str::contains("logstat: 1 of 1 check failed"));
}

#[test]
fn two_percent_5xx_passes_a_3_percent_gate() {
    logstat(&["--fail-if", "5xx > 3%"], log(100, 2, 0))
        .code(0)
        .stdout(predicate::str::contains(
            "PASS 5xx > 3%: 2.00% (2 of 100 requests)",
        ));
}

#[test]
fn warn_if_alone_never_exits_1() {
    logstat(
        &["--warn-if", "5xx > 1%", "--warn-if", "count(503) > 0"],
        log(100, 2, 0),
    )
    .code(0)
    .stdout(predicate::str::contains("WARN 5xx > 1%"))
    .stdout(predicate::str::contains("WARN count(503) > 0: 1 (1 of 100"))
    .stdout(predicate::str::contains("0 of 2 checks failed, 2 warned"));
}

#[test]
fn missing_number_exits_2_pointing_at_it() {
    logstat(&["--fail-if", "5xx >"], log(100, 2, 0))
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "invalid expression '5xx >': expected a number after '>'",
        ))
        .stderr(predicate::str::contains("  5xx >\n       ^\n"));
}

#[test]
fn empty_log_exits_2_saying_there_were_no_requests() {
    logstat(&["--fail-if", "5xx > 1%"], String::new())
        .code(2)
        .stderr(predicate::str::contains(
            "logstat: checks need at least 1 request, counted 0",
        ));
}

// ---- exit codes ----

#[test]
fn exactly_at_the_threshold_does_not_hold() {
    // 1 of 100 is exactly 1%.
    logstat(&["--fail-if", "5xx > 1%"], log(100, 1, 0)).code(0);
    logstat(&["--fail-if", "5xx >= 1%"], log(100, 1, 0)).code(1);
    logstat(&["--fail-if", "count(5xx) > 1"], log(100, 1, 0)).code(0);
    logstat(&["--fail-if", "count(5xx) >= 1"], log(100, 1, 0)).code(1);
}

#[test]
fn any_held_fail_exits_1_among_passing_checks() {
    logstat(
        &[
            "--fail-if",
            "5xx > 50%",
            "--fail-if",
            "rate(4xx,!404) > 0%",
            "--fail-if",
            "2xx < 90%",
            "--warn-if",
            "404 > 0",
        ],
        log(100, 2, 10),
    )
    .code(1)
    .stdout(predicate::str::contains(
        "FAIL 2xx < 90%: 88.00% (88 of 100 requests)",
    ))
    .stdout(predicate::str::contains(
        "PASS rate(4xx,!404) > 0%: 0.00% (0 of 100",
    ))
    .stdout(predicate::str::contains("1 of 4 checks failed, 1 warned"));
}

#[test]
fn min_requests_exits_2_even_when_a_check_held() {
    logstat(
        &["--fail-if", "5xx > 1%", "--min-requests", "1000"],
        log(100, 2, 0),
    )
    .code(2)
    .stdout(predicate::str::contains("FAIL 5xx > 1%"))
    .stderr(predicate::str::contains(
        "logstat: checks need at least 1,000 requests, counted 100",
    ));
}

#[test]
fn min_requests_zero_accepts_an_empty_log() {
    logstat(
        &["--fail-if", "5xx > 1%", "--min-requests", "0"],
        String::new(),
    )
    .code(0)
    .stdout(predicate::str::contains("SKIP 5xx > 1%: no requests"));
}

#[test]
fn unreadable_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.log");
    Command::cargo_bin("logstat")
        .unwrap()
        .arg(&missing)
        .args(["--fail-if", "5xx > 1%", "--min-requests", "0"])
        .assert()
        .code(2);
}

#[test]
fn every_bad_expression_exits_2_before_reading() {
    for e in [
        "6xx > 1%",
        "count(5xx) > 1%",
        "rate(5xx) > 1",
        "5xx > 1.5",
        "rate(5xx,malformed) > 1%",
        "504-500 > 0",
        "5xx = 1%",
        "",
    ] {
        logstat(&["--warn-if", e], log(10, 0, 0))
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("invalid expression"))
            .stderr(predicate::str::contains("^"));
    }
}

#[test]
fn malformed_rate_is_over_non_skipped_lines() {
    let mut input = log(98, 0, 0);
    input.push_str("this is not a log line\n\n");
    input.push_str("neither is this\n");
    // 2 malformed of 100 non-skipped lines (the blank line is skipped).
    logstat(&["--fail-if", "malformed > 1.5%"], input.clone())
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL malformed > 1.5%: 2.00% (2 of 100 lines)",
        ));
    logstat(&["--fail-if", "malformed > 2%"], input).code(0);
}

// ---- output placement ----

#[test]
fn with_json_output_verdicts_go_to_stderr() {
    let out = logstat(&["-o", "json", "--fail-if", "5xx > 1%"], log(100, 2, 0))
        .code(1)
        .stderr(predicate::str::contains("FAIL 5xx > 1%: 2.00%"))
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("stdout stays pure JSON");
    assert_eq!(v["requests"], 100);
}

#[test]
fn with_csv_output_verdicts_go_to_stderr() {
    logstat(&["-o", "csv", "--warn-if", "5xx > 1%"], log(100, 2, 0))
        .code(0)
        .stdout(predicate::str::contains("WARN").not())
        .stderr(predicate::str::contains("WARN 5xx > 1%"));
}

#[test]
fn chinese_verdicts() {
    Command::cargo_bin("logstat")
        .unwrap()
        .args(["-", "--lang", "zh", "--fail-if", "5xx > 1%"])
        .write_stdin(log(100, 2, 0))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "失败 5xx > 1%: 2.00% (100 个请求中有 2 个)",
        ))
        .stdout(predicate::str::contains("1 项检查中 1 项失败，0 项警告"));
}

// ---- GitHub annotations ----

#[test]
fn github_annotations_for_failed_and_warned_checks() {
    logstat(
        &[
            "--fail-if",
            "5xx > 1%",
            "--fail-if",
            "5xx > 3%",
            "--warn-if",
            "count(503) > 0",
            "--annotations",
            "github",
        ],
        log(100, 2, 0),
    )
    .code(1)
    .stdout(predicate::str::contains(
        "::error title=logstat check failed::5xx > 1%25: 2.00%25 (2 of 100 requests)\n",
    ))
    .stdout(predicate::str::contains(
        "::warning title=logstat check warned::count(503) > 0: 1 (1 of 100 requests)\n",
    ))
    .stdout(predicate::str::contains("5xx > 3%25").not());
}

#[test]
fn github_actions_env_turns_annotations_on_and_flag_off() {
    let run = |annotations: Option<&str>| {
        let mut c = Command::cargo_bin("logstat").unwrap();
        c.args(["-", "--lang", "en", "--fail-if", "5xx > 1%"])
            .env("GITHUB_ACTIONS", "true");
        if let Some(a) = annotations {
            c.args(["--annotations", a]);
        }
        c.write_stdin(log(100, 2, 0)).assert().code(1)
    };
    run(None).stdout(predicate::str::contains("::error title="));
    run(Some("none")).stdout(predicate::str::contains("::error").not());
    logstat(&["--fail-if", "5xx > 1%"], log(100, 2, 0))
        .stdout(predicate::str::contains("::error").not());
}

#[test]
fn github_annotations_stay_out_of_json_on_stdout() {
    let out = logstat(
        &[
            "-o",
            "json",
            "--fail-if",
            "5xx > 1%",
            "--annotations",
            "github",
        ],
        log(100, 2, 0),
    )
    .code(1)
    .stderr(predicate::str::contains(
        "::error title=logstat check failed::",
    ));
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["checks"][0]["passed"], false);
}

// ---- JUnit, validated by parsing it back ----

/// One element of interest: its name and attributes, unescaped.
#[derive(Debug)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
}

fn el(e: &BytesStart) -> El {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                AsRef::<str>::as_ref(&a.key).to_string(),
                a.normalized_value(XmlVersion::Implicit1_0)
                    .expect("valid escapes")
                    .into_owned(),
            )
        })
        .collect();
    El {
        name: AsRef::<str>::as_ref(&e.name()).to_string(),
        attrs,
    }
}

/// Parses the whole document (failing on any XML error or unbalanced tag)
/// and returns every start or empty element in order.
fn parse_xml(xml: &str) -> Vec<El> {
    let mut r = Reader::from_str(xml);
    r.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut depth = 0i32;
    loop {
        match r.read_event().expect("JUnit must be well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                out.push(el(&e));
            }
            Event::Empty(e) => out.push(el(&e)),
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    out
}

fn junit(args: &[&str], input: String, code: i32) -> Vec<El> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checks.xml");
    let mut all = args.to_vec();
    let p = path.to_str().unwrap();
    all.extend(["--junit", p]);
    logstat(&all, input).code(code);
    parse_xml(&std::fs::read_to_string(&path).unwrap())
}

#[test]
fn junit_has_one_testcase_per_check() {
    let els = junit(
        &[
            "--fail-if",
            "5xx > 1%",
            "--fail-if",
            "count(503) < 1 ",
            "--warn-if",
            "rate(4xx,!404) >= 0%",
        ],
        log(100, 2, 0),
        1,
    );
    assert_eq!(els[0].name, "testsuites");
    let suite = els.iter().find(|e| e.name == "testsuite").unwrap();
    assert_eq!(suite.attrs["name"], "logstat");
    assert_eq!(suite.attrs["tests"], "3");
    assert_eq!(suite.attrs["failures"], "1");
    let cases: Vec<&El> = els.iter().filter(|e| e.name == "testcase").collect();
    let names: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.attrs["name"].as_str(), c.attrs["classname"].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("5xx > 1%", "logstat.fail"),
            ("count(503) < 1 ", "logstat.fail"),
            ("rate(4xx,!404) >= 0%", "logstat.warn"),
        ]
    );
    let failures: Vec<&El> = els.iter().filter(|e| e.name == "failure").collect();
    assert_eq!(failures.len(), 1, "only the held --fail-if fails");
    assert_eq!(
        failures[0].attrs["message"],
        "5xx > 1%: 2.00% (2 of 100 requests)"
    );
}

#[test]
fn junit_escapes_markup_in_expressions() {
    // A raw `<` inside an attribute is an XML error; parsing back proves it
    // was escaped and round-trips to the expression as written.
    let els = junit(&["--warn-if", "2xx < 100%"], log(10, 0, 0), 0);
    let case = els.iter().find(|e| e.name == "testcase").unwrap();
    assert_eq!(case.attrs["name"], "2xx < 100%");
    assert!(els.iter().all(|e| e.name != "failure"));
}

#[test]
fn junit_reports_too_few_requests_as_an_error() {
    let els = junit(&["--fail-if", "5xx > 1%"], String::new(), 2);
    let suite = els.iter().find(|e| e.name == "testsuite").unwrap();
    assert_eq!(suite.attrs["tests"], "2");
    assert_eq!(suite.attrs["errors"], "1");
    assert_eq!(suite.attrs["skipped"], "1");
    let error = els.iter().find(|e| e.name == "error").unwrap();
    assert_eq!(
        error.attrs["message"],
        "checks need at least 1 request, counted 0"
    );
    assert!(els.iter().any(|e| e.name == "skipped"));
}

#[test]
fn junit_and_annotations_name_an_input_that_failed() {
    let dir = tempfile::tempdir().unwrap();
    let access = dir.path().join("access.log");
    std::fs::write(&access, log(100, 2, 0)).unwrap();
    let missing = dir.path().join("missing.log");
    let xml = dir.path().join("checks.xml");
    let out = Command::cargo_bin("logstat")
        .unwrap()
        .arg(&access)
        .arg(&missing)
        .args([
            "--lang",
            "en",
            "--fail-if",
            "5xx > 3%",
            "--annotations",
            "github",
        ])
        .arg("--junit")
        .arg(&xml)
        .assert()
        .code(2);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let reason = format!("{}: No such file or directory", missing.display());
    assert!(
        stdout.contains(&format!("::error title=logstat input failed::{reason}\n")),
        "{stdout}"
    );
    let els = parse_xml(&std::fs::read_to_string(&xml).unwrap());
    let suite = els.iter().find(|e| e.name == "testsuite").unwrap();
    assert_eq!(suite.attrs["tests"], "2");
    assert_eq!(suite.attrs["errors"], "1");
    assert_eq!(suite.attrs["failures"], "0");
    let case = els
        .iter()
        .find(|e| e.name == "testcase" && e.attrs["classname"] == "logstat.input")
        .expect("a testcase for the failed input");
    assert_eq!(case.attrs["name"], missing.display().to_string());
    let error = els.iter().find(|e| e.name == "error").unwrap();
    assert_eq!(error.attrs["message"], reason);
    assert_eq!(error.attrs["type"], "input");
}

#[test]
fn warn_only_with_too_few_requests_is_skipped_not_an_error() {
    let els = junit(
        &["--warn-if", "5xx > 1%", "--min-requests", "1000"],
        log(100, 2, 0),
        0,
    );
    let suite = els.iter().find(|e| e.name == "testsuite").unwrap();
    assert_eq!(suite.attrs["errors"], "0");
    assert_eq!(suite.attrs["skipped"], "1");
    assert!(els.iter().all(|e| e.name != "error"));
    let skipped = els.iter().find(|e| e.name == "skipped").unwrap();
    assert_eq!(
        skipped.attrs["message"],
        "no verdict: checks need at least 1,000 requests, counted 100"
    );
    logstat(
        &[
            "--warn-if",
            "5xx > 1%",
            "--min-requests",
            "1000",
            "--annotations",
            "github",
        ],
        log(100, 2, 0),
    )
    .code(0)
    .stdout(predicate::str::contains(
        "::warning title=logstat checks incomplete::no verdict: checks need at least 1,000 requests, counted 100\n",
    ))
    .stdout(predicate::str::contains("::error").not());
}

// ---- checks over time that work without timestamps ----
//
// A format string without a time field reads no time whatever the engine
// does, so these hold before and after timestamps exist.

const NO_TIME: &str = "$remote_addr \"$request\" $status";

/// `total` lines of [`NO_TIME`] format, `errors` of them 503.
fn untimed(total: usize, errors: usize) -> String {
    (0..total)
        .map(|i| {
            let code = if i < errors { 503 } else { 200 };
            format!("1.2.3.4 \"GET /p{i} HTTP/1.1\" {code}\n")
        })
        .collect()
}

fn untimed_run(args: &[&str], input: String) -> assert_cmd::assert::Assert {
    let mut all = vec!["--log-format", NO_TIME];
    all.extend_from_slice(args);
    logstat(&all, input)
}

#[test]
fn a_window_without_times_exits_2_saying_so() {
    untimed_run(&["--fail-if", "5xx > 1% over 5m"], untimed(100, 5))
        .code(2)
        .stdout(predicate::str::contains(
            "SKIP 5xx > 1% over 5m: no request has a readable time",
        ))
        .stderr(predicate::str::ends_with(
            "logstat: 5xx > 1% over 5m: no request has a readable time\n",
        ));
}

#[test]
fn a_warn_window_without_times_is_no_verdict() {
    untimed_run(&["--warn-if", "5xx > 1% over 5m"], untimed(100, 5))
        .code(0)
        .stderr(predicate::str::contains(
            "logstat: no verdict: 5xx > 1% over 5m: no request has a readable time",
        ));
}

#[test]
fn bad_windows_and_burn_rates_exit_2_with_a_caret() {
    for (e, msg) in [
        ("5xx > 1% over 5", "a duration needs a unit"),
        ("5xx > 1% over 0m", "longer than zero"),
        ("malformed > 1% over 5m", "no time"),
        ("burn(5m,1h) > 14.4", "the long window comes first"),
        ("burn(1h,5m) > 14.4%", "not a percentage"),
        ("burn(1h,5m) < 1", "use > or >="),
    ] {
        logstat(&["--slo", "99.9%", "--fail-if", e], log(10, 0, 0))
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(msg))
            .stderr(predicate::str::contains("^"));
    }
}

#[test]
fn burn_needs_an_slo_and_an_slo_needs_an_alert() {
    logstat(&["--fail-if", "burn(1h,5m) > 14.4"], log(10, 0, 0))
        .code(2)
        .stderr(predicate::str::contains(
            "invalid expression 'burn(1h,5m) > 14.4': a burn rate is measured against an SLO: add --slo",
        ))
        .stderr(predicate::str::contains("  burn(1h,5m) > 14.4\n  ^\n"));
    logstat(&["--burn-alerts"], log(10, 0, 0))
        .code(2)
        .stderr(predicate::str::starts_with("logstat: "))
        .stderr(predicate::str::contains("--slo <TARGET>"));
    logstat(&["--slo", "99.9%"], log(10, 0, 0))
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "logstat: --slo is the target of burn-rate alerts: add --burn-alerts",
        ));
    for (flag, value) in [("--slo-bad", "5xx"), ("--slo-period", "28d")] {
        logstat(&[flag, value, "--fail-if", "5xx > 1%"], log(10, 0, 0))
            .code(2)
            .stderr(predicate::str::contains("--slo <TARGET>"));
    }
}

#[test]
fn bad_slo_values_are_usage_errors() {
    for (args, msg) in [
        (&["--slo", "100%"][..], "leaves no error budget"),
        (&["--slo", "0.999"][..], "as a percentage"),
        (
            &["--slo", "99.9%", "--slo-period", "30"][..],
            "needs a unit",
        ),
        (
            &["--slo", "99.9%", "--slo-bad", "no_status"][..],
            "counts requests",
        ),
        (&["--slo", "99.9%", "--slo-bad", "6xx"][..], "unknown item"),
    ] {
        let mut all = args.to_vec();
        all.push("--burn-alerts");
        logstat(&all, log(10, 0, 0))
            .code(2)
            .stderr(predicate::str::starts_with("logstat: invalid value"))
            .stderr(predicate::str::contains(msg));
    }
}

#[test]
fn burn_alerts_show_in_every_output_even_without_times() {
    let dir = tempfile::tempdir().unwrap();
    let (xml, json) = (dir.path().join("c.xml"), dir.path().join("r.json"));
    untimed_run(
        &[
            "--slo",
            "99.5%",
            "--slo-bad",
            "5xx,429",
            "--slo-period",
            "28d",
            "--burn-alerts",
            "--junit",
            xml.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        untimed(50, 1),
    )
    .code(2)
    .stdout(predicate::str::contains(
        "SLO burn-rate replay: 99.5% over 28d, bad requests 5xx,429",
    ))
    .stdout(predicate::str::contains(
        "burn(1h,5m) > 14.4  page      no data",
    ))
    .stdout(predicate::str::contains(
        "SKIP burn(3d,6h) > 1: no request has a readable time",
    ))
    .stderr(predicate::str::ends_with(
        "logstat: burn(1h,5m) > 14.4, burn(6h,30m) > 6: no request has a readable time\n",
    ));
    let els = parse_xml(&std::fs::read_to_string(&xml).unwrap());
    let cases: Vec<(&str, &str)> = els
        .iter()
        .filter(|e| e.name == "testcase")
        .map(|c| (c.attrs["name"].as_str(), c.attrs["classname"].as_str()))
        .collect();
    assert_eq!(
        cases,
        [
            ("burn(1h,5m) > 14.4", "logstat.fail"),
            ("burn(6h,30m) > 6", "logstat.fail"),
            ("burn(1d,2h) > 3", "logstat.warn"),
            ("burn(3d,6h) > 1", "logstat.warn"),
            ("min-requests", "logstat.gate"),
        ]
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["slo"]["target"], 0.995);
    assert_eq!(v["slo"]["period"], 28 * 86_400);
    assert_eq!(v["slo"]["bad_selector"], "5xx,429");
    assert_eq!(v["slo"]["budget_consumed"], serde_json::Value::Null);
    let alerts = v["slo"]["alerts"].as_array().unwrap();
    let severities: Vec<&str> = alerts
        .iter()
        .map(|a| a["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["page", "page", "ticket", "ticket"]);
    assert_eq!(v["checks"].as_array().unwrap().len(), 4);
}

#[test]
fn a_window_check_in_json_says_what_it_judged() {
    let out = untimed_run(
        &["--warn-if", "5xx > 1% over 5m", "-o", "json"],
        untimed(20, 1),
    )
    .code(0);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = &v["checks"][0];
    assert_eq!(c["window"], 300);
    assert_eq!(c["windows_judged"], 0);
    assert_eq!(c["worst"], serde_json::Value::Null);
    assert_eq!(c["first_breach"], serde_json::Value::Null);
}

/// An hour of Combined lines, 10 a minute from 10:00 UTC, with 4 of the 10
/// answered 503 in each minute from 10:20 to 10:24: 3.3% over the hour,
/// 40% in its worst five minutes.
fn outage_log() -> String {
    let mut s = String::new();
    for m in 0..60 {
        for k in 0..10 {
            let status = if (20..25).contains(&m) && k < 4 {
                503
            } else {
                200
            };
            s.push_str(&format!(
                "10.0.0.{k} - - [14/Mar/2025:10:{m:02}:{:02} +0000] \"GET /x HTTP/1.1\" {status} 10 \"-\" \"ua\"\n",
                k * 6
            ));
        }
    }
    s
}

#[test]
fn a_windowed_gate_names_the_worst_window_and_the_first_breach() {
    logstat(
        &["--fail-if", "5xx > 1% over 5m", "--fail-if", "5xx > 5%"],
        outage_log(),
    )
    .code(1)
    .stdout(predicate::str::contains(
        "FAIL 5xx > 1% over 5m: 40.00% in [10:20, 10:25) (first breach 10:16); 9 of 56 windows\n",
    ))
    .stdout(predicate::str::contains(
        "PASS 5xx > 5%: 3.33% (20 of 600 requests)\n",
    ));
    // --min-requests applies per window: none has 51 requests, so no answer.
    logstat(
        &["--fail-if", "5xx > 1% over 5m", "--min-requests", "51"],
        outage_log(),
    )
    .code(2);
    // With --by, windows slide by its intervals, which must divide them.
    logstat(
        &["--fail-if", "5xx > 1% over 5m", "--by", "2m"],
        outage_log(),
    )
    .code(2)
    .stderr(predicate::str::starts_with("logstat: --by: "));
}

#[test]
fn burn_rate_replay_pages_fail_and_tickets_warn() {
    logstat(&["--slo", "99.9%", "--burn-alerts"], outage_log())
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL burn(1h,5m) > 14.4: fired 9 of 60 minutes in 1 episode, first at 10:21",
        ))
        .stdout(predicate::str::contains("WARN burn(1d,2h) > 3: fired"));
    // A looser SLO: only the tickets fire, and tickets never fail the job.
    logstat(&["--slo", "95%", "--burn-alerts"], outage_log())
        .code(0)
        .stdout(predicate::str::contains("PASS burn(1h,5m) > 14.4"));
    // `--slo-bad` chooses what spends the budget: 503s are not 404s.
    logstat(
        &["--slo", "99.9%", "--slo-bad", "404", "--burn-alerts"],
        outage_log(),
    )
    .code(0);
}
