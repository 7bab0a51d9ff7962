//! Parser, evaluation and rendering tests for the gate.

use super::render::message;
use super::*;
use crate::summary::InputSummary;

fn p(s: &str) -> Expr {
    parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

/// The error's column and message, for `s` that must not parse.
fn bad(s: &str) -> (usize, String) {
    match parse(s) {
        Ok(e) => panic!("{s:?} should not parse, got {e:?}"),
        Err(e) => {
            assert_eq!(e.source, s);
            assert!(
                e.to_string().contains(s),
                "the message quotes the expression"
            );
            assert!(e.pointer().contains(s), "the pointer quotes the expression");
            (e.column, e.message)
        }
    }
}

fn counts(codes: &[(u16, u64)]) -> Counts {
    let mut c = Counts::default();
    for &(code, n) in codes {
        c.codes[code as usize] += n;
    }
    c
}

fn holds(expr: &str, c: &Counts) -> bool {
    evaluate(&p(expr), Level::Fail, c).held
}

fn summary(c: Counts) -> Summary {
    Summary::from_inputs(
        vec![InputSummary {
            path: "<stdin>".into(),
            counts: c,
            ..Default::default()
        }],
        vec![],
        Default::default(),
    )
}

// ---- parsing: every grammar form ----

#[test]
fn bare_class_with_percent_is_a_rate() {
    let e = p("5xx > 1%");
    assert_eq!(e.agg, Agg::Rate);
    assert_eq!(e.op, Op::Gt);
    assert_eq!(
        e.selector.items,
        vec![(Item::Class(crate::registry::Class::ServerError), false)]
    );
    assert_eq!(
        e.threshold,
        Threshold {
            mantissa: 1,
            scale: 0
        }
    );
}

#[test]
fn plain_number_is_a_count() {
    let e = p("503 > 0");
    assert_eq!(e.agg, Agg::Count);
    assert_eq!(e.selector.items, vec![(Item::Code(503), false)]);
}

#[test]
fn aggregates_and_selectors() {
    let e = p("rate(4xx,!404) > 5%");
    assert_eq!(e.agg, Agg::Rate);
    assert_eq!(
        e.selector.items,
        vec![
            (Item::Class(crate::registry::Class::ClientError), false),
            (Item::Code(404), true)
        ]
    );
    assert_eq!(p("count(503) > 0").agg, Agg::Count);
    assert_eq!(p("RATE(5XX) > 1%").agg, Agg::Rate);
    assert_eq!(
        p("count(500-504, 000) >= 3").selector.items,
        vec![(Item::Range(500, 504), false), (Item::Code(0), false)]
    );
    assert_eq!(
        p("malformed > 0.1%").selector.items,
        vec![(Item::Malformed, false)]
    );
    assert_eq!(
        p("count(no_status, malformed) == 0").selector.items,
        vec![(Item::NoStatus, false), (Item::Malformed, false)]
    );
    assert_eq!(p("!404 > 1%").selector.items, vec![(Item::Code(404), true)]);
}

#[test]
fn every_operator() {
    for (s, op) in [
        (">", Op::Gt),
        (">=", Op::Ge),
        ("<", Op::Lt),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
    ] {
        assert_eq!(p(&format!("2xx {s} 90%")).op, op, "{s}");
    }
}

#[test]
fn whitespace_is_free_between_tokens() {
    let tight = p("rate(4xx,!404)>5%");
    let loose = p("  rate ( 4xx , ! 404 ) >  5 %  ");
    assert_eq!(tight.selector, loose.selector);
    assert_eq!(tight.threshold, loose.threshold);
    assert_eq!(
        p("500 - 504 > 0").selector.items[0].0,
        Item::Range(500, 504)
    );
}

#[test]
fn decimals_are_exact() {
    assert_eq!(
        p("5xx > 1.5%").threshold,
        Threshold {
            mantissa: 15,
            scale: 1
        }
    );
    assert_eq!(
        p("5xx > 0.000000001%").threshold,
        Threshold {
            mantissa: 1,
            scale: 9
        }
    );
    assert_eq!(p("2xx <= 100%").threshold.mantissa, 100);
}

// ---- parsing: errors point at the column ----

#[test]
fn missing_number_points_past_the_operator() {
    let (col, msg) = bad("5xx >");
    assert_eq!(col, 5);
    assert!(msg.contains("expected a number"), "{msg}");
    let (col, _) = bad("5xx >   ");
    assert_eq!(col, 8);
}

#[test]
fn errors_point_at_the_offending_token() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "empty"),
        ("   ", 3, "empty"),
        ("6xx > 1%", 0, "unknown item"),
        ("foo > 1", 0, "unknown item"),
        ("50 > 1", 0, "three digits"),
        ("5000 > 1", 0, "three digits"),
        ("504-500 > 0", 0, "backwards"),
        ("500-5xx > 0", 4, "range ends"),
        ("5xx 1%", 4, "comparison"),
        ("5xx = 1%", 4, "=="),
        ("5xx => 1%", 4, "=="),
        ("5xx > -1%", 6, "negative"),
        ("5xx > x", 6, "expected a number"),
        ("5xx > 1.%", 8, "decimal point"),
        ("5xx > 1% extra", 9, "unexpected"),
        ("5xx > 1%%", 8, "unexpected"),
        ("count(503) > 1%", 14, "count(...)"),
        ("rate(503) > 1", 13, "percentage"),
        ("rate 503 > 1%", 5, "'('"),
        ("rate(503 > 1%", 9, "')'"),
        ("rate(503 404) > 1%", 9, "')'"),
        ("(503) > 1", 0, "expected a status code"),
        ("5xx, > 1", 5, "expected a status code"),
        ("5xx > 1.5", 6, "did you mean 1.5%"),
        ("count(5xx) > 1.5", 13, "whole number"),
        ("5xx > 100.01%", 6, "exceed 100%"),
        ("5xx > 0.0000000001%", 6, "decimal places"),
        ("5xx > 99999999999999999999999999", 6, "too large"),
        ("rate(5xx,malformed) > 1%", 9, "cannot share"),
        ("malformed,503 > 0", 10, "cannot share"),
        ("!malformed > 0", 0, "negated"),
        ("5xx > 1% over", 13, "expected a duration"),
        ("5xx > 1% over 5", 15, "needs a unit"),
        ("5xx > 1% over 5 m", 15, "needs a unit"),
        ("5xx > 1% over 5min", 15, "unknown unit"),
        ("5xx > 1% over 0m", 14, "longer than zero"),
        ("5xx > 1% over 3651d", 14, "too long"),
        ("5xx > 1% over 5m 1h", 17, "after the window"),
        ("5xx > 1% for 5m", 9, "unexpected"),
        ("malformed > 1% over 5m", 15, "no time"),
        ("burn 1h,5m > 14.4", 5, "'('"),
        ("burn(1h 5m) > 14.4", 8, "','"),
        ("burn(1h,5m > 14.4", 11, "')'"),
        ("burn(5m,1h) > 14.4", 5, "comes first: burn(1h,5m)"),
        ("burn(1h,5m) < 14.4", 12, "use > or >="),
        ("burn(1h,5m) > 14.4%", 18, "not a percentage"),
        ("burn(1h,5m) > 14.4 over 5m", 19, "after the factor"),
        ("burn(1h,5m) > 1000000000000", 14, "too large"),
        ("burn(1h,x) > 1", 8, "expected a duration"),
    ];
    for &(src, col, needle) in cases {
        let (c, msg) = bad(src);
        assert!(msg.contains(needle), "{src:?}: {msg:?} lacks {needle:?}");
        assert_eq!(c, col, "{src:?}: {msg}");
        // In Chinese: the same column, every message translated.
        let zh = parse_in(src, Lang::Zh).unwrap_err();
        assert_eq!(zh.column, col, "{src:?}");
        assert!(
            zh.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{src:?}: {}",
            zh.message
        );
        assert!(zh.to_string().starts_with("无效的表达式 '"), "{zh}");
    }
}

#[test]
fn every_parse_error_has_a_chinese_message() {
    // Inputs reaching each error the table above may not: empty, bad numbers.
    for src in [
        "",
        "rate 5xx",
        "count(5xx > 1",
        "5xx > 1 x",
        "count(5xx) > 1%",
        "rate(5xx) > 1",
        "5xx > 101%",
        "5xx > 1.5",
        "count(5xx) > 1.5",
        "5xx > 99999999999999999999",
        "!malformed > 1",
        "malformed,5xx > 1",
        "> 1",
        "5 > 1",
        "500- > 1",
        "504-500 > 1",
        "bogus > 1",
        "5xx = 1",
        "5xx ? 1",
        "5xx >",
        "5xx > -1",
        "5xx > x",
        "5xx > 1.",
        "5xx > 1.0000000001%",
        "5xx > 1e99",
        "5xx > 1% over",
        "5xx > 1% over 5",
        "5xx > 1% over 5x",
        "5xx > 1% over 0s",
        "5xx > 1% over 99999999999d",
        "5xx > 1% over 5m x",
        "malformed > 1% over 5m",
        "burn",
        "burn(1h",
        "burn(1h,5m",
        "burn(5m,1h) > 1",
        "burn(1h,5m) == 1",
        "burn(1h,5m) > 1%",
        "burn(1h,5m) > 1 x",
        "burn(1h,5m) > 9999999999999",
    ] {
        let en = parse(src).unwrap_err();
        let zh = parse_in(src, Lang::Zh).unwrap_err();
        assert_eq!(en.column, zh.column, "{src:?}");
        assert!(!zh.message.is_ascii(), "{src:?}: {}", zh.message);
    }
}

#[test]
fn pointer_puts_a_caret_under_the_column() {
    let e = parse("5xx >").unwrap_err();
    assert_eq!(e.pointer(), "  5xx >\n       ^\n");
    // Wide characters take two cells; the caret still lines up.
    let e = parse("5xx > 1% 中").unwrap_err();
    assert_eq!(e.column, 9);
    let e = parse("中 > 1").unwrap_err();
    assert_eq!(e.column, 0);
}

#[test]
fn no_input_panics_the_parser() {
    for s in [
        "!",
        "!!5xx>1",
        "rate(",
        "rate()",
        "count(,)>1",
        ">",
        "%",
        "5xx>1%)",
        "é > 1",
        "5xx>\u{0}",
        "000-999 > 0",
        "5xx>0.",
        "5xx>1%over",
        "burn(",
        "burn(,)",
        "burn(1h,5m)>",
        "5xx > 1% over 18446744073709551616s",
    ] {
        let _ = parse(s);
    }
}

// ---- evaluation ----

#[test]
fn boundaries_are_exact_rationals() {
    // Exactly 1%: 100 of 10,000.
    let c = counts(&[(200, 9_900), (503, 100)]);
    assert!(
        !holds("5xx > 1%", &c),
        "exactly at the threshold is not above"
    );
    assert!(holds("5xx >= 1%", &c));
    assert!(holds("5xx == 1%", &c));
    assert!(holds("5xx == 1.000%", &c));
    assert!(!holds("5xx != 1%", &c));
    assert!(!holds("5xx < 1%", &c));
    assert!(holds("5xx <= 1%", &c));
    // One request more tips it.
    let c = counts(&[(200, 9_899), (503, 101)]);
    assert!(holds("5xx > 1%", &c));
    assert!(!holds("5xx == 1%", &c));
    // 1/3 is not 33.333333333%, and a float would get this wrong either way.
    let c = counts(&[(200, 2), (500, 1)]);
    assert!(holds("5xx > 33.333333333%", &c));
    assert!(holds("5xx < 33.333333334%", &c));
    // 0.1 + 0.2 style: 3 of 10 is exactly 30%.
    let c = counts(&[(200, 7), (500, 3)]);
    assert!(holds("5xx == 30%", &c));
}

#[test]
fn counts_compare_exactly() {
    let c = counts(&[(200, 10), (503, 2)]);
    assert!(holds("count(503) > 1", &c));
    assert!(!holds("count(503) > 2", &c));
    assert!(holds("count(503) >= 2", &c));
    assert!(holds("503 == 2", &c));
    assert!(holds("count(5xx) < 3", &c));
    let r = evaluate(&p("count(503) > 0"), Level::Warn, &c);
    assert_eq!((r.numerator, r.denominator, r.value), (2, 12, 2.0));
    assert!(!r.is_rate);
}

#[test]
fn negations_subtract_from_the_union() {
    let c = counts(&[(200, 50), (404, 30), (429, 10), (500, 10)]);
    let r = evaluate(&p("rate(4xx,!404) > 5%"), Level::Fail, &c);
    assert_eq!((r.numerator, r.denominator), (10, 100));
    assert!(r.held);
    // Only negations: everything except.
    let r = evaluate(&p("count(!404) > 0"), Level::Fail, &c);
    assert_eq!(r.numerator, 70);
    let r = evaluate(&p("count(!4xx, !5xx) > 0"), Level::Fail, &c);
    assert_eq!(r.numerator, 50);
    // Order does not matter; overlaps count once.
    let a = evaluate(&p("count(!404, 4xx, 400-499, 404) > 0"), Level::Fail, &c);
    assert_eq!(a.numerator, 10);
    let a = evaluate(&p("count(4xx, 429, 500-599) > 0"), Level::Fail, &c);
    assert_eq!(a.numerator, 50);
}

#[test]
fn code_zero_and_out_of_class_codes() {
    let c = counts(&[(0, 3), (200, 5), (999, 2)]);
    assert_eq!(evaluate(&p("count(000) > 0"), Level::Fail, &c).numerator, 3);
    assert_eq!(
        evaluate(&p("count(000-999) > 0"), Level::Fail, &c).numerator,
        10
    );
    assert_eq!(
        evaluate(&p("count(!2xx) > 0"), Level::Fail, &c).numerator,
        5
    );
}

#[test]
fn buckets_are_over_non_skipped_lines() {
    let mut c = counts(&[(200, 90)]);
    c.malformed = 6;
    c.no_status = 4;
    c.skipped = 1000;
    let r = evaluate(&p("malformed > 5%"), Level::Fail, &c);
    assert_eq!((r.numerator, r.denominator), (6, 100));
    assert!(r.held);
    let r = evaluate(
        &p("count(malformed, no_status, malformed) > 0"),
        Level::Fail,
        &c,
    );
    assert_eq!(r.numerator, 10, "a repeated bucket counts once");
}

#[test]
fn zero_denominator_never_divides_or_holds() {
    let c = Counts::default();
    for e in ["5xx > 1%", "2xx < 90%", "5xx != 0%", "malformed >= 0%"] {
        let r = evaluate(&p(e), Level::Fail, &c);
        assert!(!r.held, "{e}");
        assert!(r.no_data());
        assert!(r.value.is_finite());
    }
    // Counts are defined on nothing: zero.
    assert!(holds("count(5xx) == 0", &c));
}

#[test]
fn huge_counts_do_not_overflow() {
    let c = counts(&[(500, u64::MAX / 2), (200, u64::MAX / 2)]);
    assert!(holds("5xx >= 49.999999999%", &c));
    assert!(holds("5xx <= 50%", &c));
    assert!(holds("count(5xx) > 18446744073709551", &c));
}

// ---- gate, verdicts and exit codes ----

fn gate(fail: &[&str], warn: &[&str], lang: Lang) -> Gate {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    Gate::from_args(&s(fail), &s(warn), 1, lang).unwrap()
}

fn verdict_text(g: &Gate, s: &Summary) -> String {
    let r = g.evaluate(s);
    let mut out = Vec::new();
    g.write_verdicts(&mut out, &r).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn verdict_lines_show_value_and_counts() {
    let s = summary(counts(&[(200, 9_769), (503, 231)]));
    let g = gate(&["5xx > 1%", "count(503) > 1000"], &["5xx > 2%"], Lang::En);
    let text = verdict_text(&g, &s);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "FAIL 5xx > 1%: 2.31% (231 of 10,000 requests)",
            "PASS count(503) > 1000: 231 (231 of 10,000 requests)",
            "WARN 5xx > 2%: 2.31% (231 of 10,000 requests)",
            "logstat: 1 of 3 checks failed, 1 warned",
        ]
    );
    assert_eq!(g.verdict(&s, &g.evaluate(&s)), Verdict::Fail);
}

#[test]
fn verdicts_in_chinese_have_no_english_words() {
    let s = summary(counts(&[(200, 9_769), (503, 231)]));
    let g = gate(&["5xx > 1%"], &["5xx > 50%"], Lang::Zh);
    let text = verdict_text(&g, &s);
    assert!(
        text.contains("失败 5xx > 1%: 2.31% (10,000 个请求中有 231 个)"),
        "{text}"
    );
    assert!(text.contains("通过"));
    let words = text
        .replace("logstat", "")
        .replace("5xx", "")
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .count();
    assert_eq!(words, 0, "{text}");
}

#[test]
fn bucket_verdicts_count_lines() {
    let mut c = counts(&[(200, 999)]);
    c.malformed = 1;
    let g = gate(&["malformed > 0.1%"], &[], Lang::En);
    let text = verdict_text(&g, &summary(c));
    assert!(
        text.starts_with("PASS malformed > 0.1%: 0.10% (1 of 1,000 lines)\n"),
        "{text}"
    );
    assert!(text.contains("the 1 check passed"));
}

#[test]
fn a_single_request_is_singular() {
    let s = summary(counts(&[(503, 1)]));
    let text = verdict_text(&gate(&["5xx > 1%"], &[], Lang::En), &s);
    assert!(text.contains("(1 of 1 request)\n"), "{text}");
}

#[test]
fn warnings_never_change_the_verdict() {
    let s = summary(counts(&[(500, 10)]));
    let g = gate(&[], &["5xx > 1%", "count(5xx) > 0"], Lang::En);
    let r = g.evaluate(&s);
    assert!(r.iter().all(|c| c.held));
    assert_eq!(g.verdict(&s, &r), Verdict::Pass);
}

#[test]
fn too_few_requests_is_its_own_verdict_and_says_so() {
    let s = summary(Counts::default());
    let g = gate(&["5xx > 1%"], &[], Lang::En);
    assert_eq!(
        g.too_few_message(&s, &g.evaluate(&s)).as_deref(),
        Some("checks need at least 1 request, counted 0")
    );
    assert!(!verdict_text(&g, &s).contains("at least"));
    assert_eq!(g.verdict(&s, &g.evaluate(&s)), Verdict::TooFewRequests);

    let s = summary(counts(&[(500, 5)]));
    let mut g = gate(&["5xx > 1%"], &[], Lang::En);
    g.min_requests = 1000;
    let r = g.evaluate(&s);
    assert!(r[0].held);
    assert_eq!(
        g.verdict(&s, &r),
        Verdict::TooFewRequests,
        "incomplete beats a held check"
    );
    assert_eq!(
        g.too_few_message(&s, &g.evaluate(&s)).as_deref(),
        Some("checks need at least 1,000 requests, counted 5")
    );

    g.min_requests = 0;
    let s = summary(Counts::default());
    assert_eq!(g.verdict(&s, &g.evaluate(&s)), Verdict::Pass);
}

#[test]
fn warn_only_with_too_few_requests_has_no_verdict() {
    let s = summary(counts(&[(500, 5)]));
    let mut g = gate(&[], &["5xx > 1%"], Lang::En);
    g.min_requests = 1000;
    assert!(!g.can_fail());
    assert_eq!(g.verdict(&s, &g.evaluate(&s)), Verdict::NoVerdict);
    assert_eq!(
        g.too_few_message(&s, &g.evaluate(&s)).as_deref(),
        Some("no verdict: checks need at least 1,000 requests, counted 5")
    );
    g.lang = Lang::Zh;
    assert_eq!(
        g.too_few_message(&s, &g.evaluate(&s)).as_deref(),
        Some("无结论：检查至少需要 1,000 个请求，实际只统计到 5 个")
    );
    // One --fail-if among them and too few requests is incomplete again.
    let mut g = gate(&["5xx > 50%"], &["5xx > 1%"], Lang::En);
    g.min_requests = 1000;
    assert!(g.can_fail());
    assert_eq!(g.verdict(&s, &g.evaluate(&s)), Verdict::TooFewRequests);
}

#[test]
fn from_args_reports_the_first_bad_expression() {
    let e = Gate::from_args(&["5xx > 1%".into(), "5xx >".into()], &[], 1, Lang::En).unwrap_err();
    assert_eq!(e.source, "5xx >");
}

#[test]
fn percent_formatting_never_lies() {
    use super::render::percent;
    assert_eq!(percent(231, 10_000), "2.31%");
    assert_eq!(percent(1, 3), "33.33%");
    assert_eq!(percent(2, 3), "66.67%");
    assert_eq!(percent(0, 5), "0.00%");
    assert_eq!(percent(5, 5), "100.00%");
    assert_eq!(percent(1, 1_000_000), "<0.01%");
    assert_eq!(percent(999_999, 1_000_000), ">99.99%");
    assert_eq!(percent(0, 0), "n/a");
}

#[test]
fn github_commands_are_escaped() {
    use super::render::{gh_data, gh_property};
    assert_eq!(gh_data("5xx > 1%: a\r\nb"), "5xx > 1%25: a%0D%0Ab");
    assert_eq!(gh_property("a:b,c%"), "a%3Ab%2Cc%25");

    let s = summary(counts(&[(200, 9_769), (503, 231)]));
    let g = gate(&["5xx > 1%", "5xx > 50%"], &["count(503) > 0"], Lang::En);
    let mut out = Vec::new();
    g.write_github(&mut out, &s, &g.evaluate(&s)).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "::error title=logstat check failed::5xx > 1%25: 2.31%25 (231 of 10,000 requests)\n\
         ::warning title=logstat check warned::count(503) > 0: 231 (231 of 10,000 requests)\n"
    );
}

#[test]
fn xml_escape_handles_markup_and_controls() {
    use super::render::xml_escape;
    assert_eq!(
        xml_escape("a<b>&\"'\n\u{1}"),
        "a&lt;b&gt;&amp;&quot;&apos;&#10;\u{fffd}"
    );
}

// ---- checks over time ----

/// 2000-10-10 10:00:00 -0700.
const TEN: i64 = 971_197_200;
const PDT: i32 = -25_200;

/// A summary whose series has `per_minute[i]` (codes) in the minute `i`
/// after 10:00, and whose total is their sum.
fn timed(per_minute: &[Vec<(u16, u64)>]) -> Summary {
    let mut series = crate::summary::Series {
        step: 60,
        offset: PDT,
        ..Default::default()
    };
    let mut total = Counts::default();
    for (i, codes) in per_minute.iter().enumerate() {
        if codes.is_empty() {
            continue;
        }
        let b = series.buckets.entry(TEN + 60 * i as i64).or_default();
        for &(code, n) in codes {
            *b.codes.entry(code).or_default() += n;
            total.codes[code as usize] += n;
        }
    }
    let mut s = summary(total);
    s.series = Some(series);
    s
}

/// 100 requests a minute for 20 minutes, with `errors[i]` of them 500s.
fn errors_per_minute(errors: &[u64]) -> Summary {
    let minutes: Vec<Vec<(u16, u64)>> = (0..20)
        .map(|i| {
            let e = errors.get(i).copied().unwrap_or(0);
            vec![(200, 100 - e), (500, e)]
        })
        .collect();
    timed(&minutes)
}

fn slo_gate(fail: &[&str], warn: &[&str], slo: Option<Slo>) -> Gate {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    Gate::with_slo(&s(fail), &s(warn), 1, Lang::En, slo).unwrap()
}

fn slo(target: &str) -> Slo {
    Slo::new(parse_target(target).unwrap())
}

#[test]
fn windows_parse_with_their_width() {
    assert_eq!(p("5xx > 1% over 5m").window, Some(300));
    assert_eq!(p("count(503) > 10 OVER 90s").window, Some(90));
    assert_eq!(p("rate(4xx)>5%over 1h").window, Some(3600));
    assert_eq!(p("5xx > 1% over 2d").window, Some(172_800));
    assert_eq!(p("5xx > 1%").window, None);
    let b = p(" burn( 1h , 5m ) >= 14.4 ");
    assert_eq!(
        b.burn,
        Some(Burn {
            long: 3600,
            short: 300
        })
    );
    assert_eq!(
        (b.op, b.threshold.to_string()),
        (Op::Ge, "14.4".to_string())
    );
    assert_eq!(b.selector, Selector::default_bad());
    assert_eq!(
        p("BURN(1h,1h) > 1").burn,
        Some(Burn {
            long: 3600,
            short: 3600
        })
    );
}

#[test]
fn the_verdict_names_the_worst_and_the_first_window() {
    // Windows from 10:00 to 10:15: the one at 10:02 has 2 errors of 500
    // (0.4%), 10:03 has 12 (2.4%), 10:05 the most, 37 (7.4%).
    let s = errors_per_minute(&[0, 0, 0, 0, 0, 1, 1, 10, 10, 15]);
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    let r = g.evaluate(&s);
    assert_eq!(
        verdict_text(&g, &s).lines().next().unwrap(),
        "FAIL 5xx > 1% over 5m: 7.40% in [10:05, 10:10) (first breach 10:03); 7 of 16 windows"
    );
    assert_eq!((r[0].numerator, r[0].denominator), (37, 500));
    assert_eq!(g.verdict(&s, &r), Verdict::Fail);
    // The whole input is 1.85%: at 5% only the windows see it.
    let g = gate(&["5xx > 5% over 5m", "5xx > 5%"], &[], Lang::En);
    let text = verdict_text(&g, &s);
    assert!(
        text.contains(
            "FAIL 5xx > 5% over 5m: 7.40% in [10:05, 10:10) (first breach 10:05); 3 of 16 windows"
        ),
        "{text}"
    );
    assert!(
        text.contains("PASS 5xx > 5%: 1.85% (37 of 2,000 requests)"),
        "{text}"
    );
}

#[test]
fn a_window_at_exactly_the_threshold_does_not_hold() {
    // 5 of 500 in every window: exactly 1%.
    let s = errors_per_minute(&[1; 20]);
    let g = gate(&["5xx > 1% over 5m"], &["5xx >= 1% over 5m"], Lang::En);
    let r = g.evaluate(&s);
    assert!(!r[0].held);
    assert!(r[1].held);
    assert_eq!(
        message(Lang::En, &r[0], false),
        "5xx > 1% over 5m: 1.00% in [10:00, 10:05); 0 of 16 windows"
    );
}

#[test]
fn counts_and_lower_bounds_over_windows() {
    let s = errors_per_minute(&[0, 0, 0, 0, 0, 1, 1, 10, 10, 15]);
    let g = gate(
        &["count(500) > 30 over 5m", "2xx < 95% over 10m"],
        &[],
        Lang::En,
    );
    let r = g.evaluate(&s);
    let text = verdict_text(&g, &s);
    assert!(text.contains("FAIL count(500) > 30 over 5m: 37 in [10:05, 10:10) (first breach 10:05); 3 of 16 windows"), "{text}");
    // For `<` the worst window is the lowest.
    assert!(
        text.contains("PASS 2xx < 95% over 10m: 96.30% in [10:00, 10:10); 0 of 11 windows"),
        "{text}"
    );
    assert!(r[0].held && !r[1].held);
}

#[test]
fn thin_windows_are_not_judged() {
    // Minutes 0-4 have 1 request each (a 500), 5-19 have 100 (no error).
    let mut minutes: Vec<Vec<(u16, u64)>> = vec![vec![(500, 1)]; 5];
    minutes.extend(vec![vec![(200, 100)]; 15]);
    let s = timed(&minutes);
    let mut g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    g.min_requests = 200;
    let r = g.evaluate(&s);
    // [10:00, 10:05) has 5 requests, [10:01, 10:06) 104: neither judged;
    // from [10:02, 10:07) on (203 requests, 3 errors: 1.48%) they are.
    assert_eq!(
        message(Lang::En, &r[0], false),
        "5xx > 1% over 5m: 1.48% in [10:02, 10:07) (first breach 10:02); 1 of 14 windows"
    );
    g.min_requests = 600;
    let r = g.evaluate(&s);
    assert!(r[0].no_data());
    assert_eq!(g.verdict(&s, &r), Verdict::TooFewRequests);
    assert_eq!(
        g.too_few_message(&s, &r).as_deref(),
        Some("5xx > 1% over 5m: no 5m window has at least 600 requests")
    );
    assert!(verdict_text(&g, &s).starts_with("SKIP 5xx > 1% over 5m: no 5m window"));
    // Only a --warn-if: no verdict, not a failure.
    let mut w = gate(&[], &["5xx > 1% over 5m"], Lang::En);
    w.min_requests = 600;
    let r = w.evaluate(&s);
    assert_eq!(w.verdict(&s, &r), Verdict::NoVerdict);
    assert!(
        w.too_few_message(&s, &r)
            .unwrap()
            .starts_with("no verdict: ")
    );
    // A --warn-if without windows beside a --fail-if that passes: the
    // warning's SKIP line says it, the run passes.
    let mut both = gate(&["5xx > 50%"], &["5xx > 1% over 5m"], Lang::En);
    both.min_requests = 600;
    let r = both.evaluate(&s);
    assert_eq!(both.verdict(&s, &r), Verdict::Pass);
    assert_eq!(both.too_few_message(&s, &r), None);
}

#[test]
fn windows_without_times_have_no_answer() {
    let s = summary(counts(&[(200, 100), (500, 5)]));
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    let r = g.evaluate(&s);
    assert_eq!(g.verdict(&s, &r), Verdict::TooFewRequests);
    assert_eq!(
        g.too_few_message(&s, &r).as_deref(),
        Some("5xx > 1% over 5m: no request has a readable time")
    );
    // Checks that share a reason share the line.
    let g = gate(
        &["5xx > 1% over 5m", "count(5xx) > 0 over 1m"],
        &[],
        Lang::En,
    );
    let r = g.evaluate(&s);
    assert_eq!(
        g.too_few_message(&s, &r).as_deref(),
        Some("5xx > 1% over 5m, count(5xx) > 0 over 1m: no request has a readable time")
    );
    // An empty input with --min-requests 0 is accepted, as without windows.
    let mut g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    g.min_requests = 0;
    let s = summary(Counts::default());
    let r = g.evaluate(&s);
    assert_eq!(g.verdict(&s, &r), Verdict::Pass);
}

#[test]
fn undated_requests_are_said_to_be_in_no_window() {
    let mut s = errors_per_minute(&[0, 0, 5]);
    s.series.as_mut().unwrap().undated = 7;
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    let text = verdict_text(&g, &s);
    assert!(
        text.contains("; 7 requests without a time are in no window"),
        "{text}"
    );
}

#[test]
fn windowed_verdicts_in_chinese() {
    let s = errors_per_minute(&[0, 0, 0, 0, 0, 1, 1, 10, 10, 15]);
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::Zh);
    let text = verdict_text(&g, &s);
    assert!(
        text.contains("失败 5xx > 1% over 5m: [10:05, 10:10) 内为 7.40%（首次超出 10:03）；16 个窗口中 7 个超出"),
        "{text}"
    );
}

#[test]
fn no_status_windows_count_lines_with_a_time() {
    let mut s = errors_per_minute(&[]);
    let b = s
        .series
        .as_mut()
        .unwrap()
        .buckets
        .get_mut(&(TEN + 120))
        .unwrap();
    b.no_status = 25;
    let g = gate(&["no_status > 2% over 5m"], &[], Lang::En);
    let r = g.evaluate(&s);
    assert_eq!((r[0].numerator, r[0].denominator), (25, 525));
    assert!(
        message(Lang::En, &r[0], true)
            .contains("4.76% in [10:00, 10:05) (first breach 10:00); 3 of 16 windows")
    );
}

#[test]
fn the_gate_asks_for_the_step_its_windows_need() {
    let g = gate(&["5xx > 1%"], &[], Lang::En);
    assert_eq!(g.series_step(), None);
    let g = gate(&["5xx > 1% over 5m", "5xx > 1% over 1h"], &[], Lang::En);
    assert_eq!(g.series_step(), Some(60));
    let g = gate(&["5xx > 1% over 90s"], &[], Lang::En);
    assert_eq!(g.series_step(), Some(30));
    let g = gate(&["5xx > 1% over 5s"], &["count(5xx) > 0 over 2m"], Lang::En);
    assert_eq!(g.series_step(), Some(5));
    let g = slo_gate(&["burn(1h,5m) > 14.4"], &[], Some(slo("99.9%")));
    assert_eq!(g.series_step(), Some(60));
    // A user's --by must fit every window, and divide a minute for burn.
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    assert_eq!(g.check_step(60), Ok(()));
    assert_eq!(g.check_step(300), Ok(()));
    assert_eq!(
        g.check_step(120).unwrap_err(),
        "'5xx > 1% over 5m': a 5m window is not a whole number of --by 2m intervals"
    );
    let g = slo_gate(&["burn(1h,5m) > 14.4"], &[], Some(slo("99.9%")));
    assert_eq!(g.check_step(30), Ok(()));
    assert!(g.check_step(300).unwrap_err().contains("every minute"));
}

#[test]
fn a_series_with_the_wrong_step_is_no_answer() {
    let mut s = errors_per_minute(&[1]);
    s.series.as_mut().unwrap().step = 120;
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    let r = g.evaluate(&s);
    assert_eq!(g.verdict(&s, &r), Verdict::TooFewRequests);
    assert!(message(Lang::En, &r[0], false).ends_with("intervals of 2m do not fit its windows"));
}

// ---- burn rate ----

/// 60 minutes of 100 requests, 50 of them 500s in minutes 20-24.
fn outage() -> Summary {
    let minutes: Vec<Vec<(u16, u64)>> = (0..60)
        .map(|i| {
            if (20..25).contains(&i) {
                vec![(200, 50), (500, 50)]
            } else {
                vec![(200, 100)]
            }
        })
        .collect();
    timed(&minutes)
}

#[test]
fn burn_alerts_fire_when_both_windows_burn() {
    // SLO 99%: a 10x burn is a 10% bad share. At the end of minute 21 the
    // 10-minute window holds exactly 100 of 1,000 (10%, not above); from
    // the end of minute 22 (10:23) both windows are above until the short
    // one leaves the outage after minute 25.
    let s = outage();
    let g = slo_gate(&["burn(10m,2m) > 10"], &[], Some(slo("99%")));
    let r = g.evaluate(&s);
    assert_eq!(
        message(Lang::En, &r[0], false),
        "burn(10m,2m) > 10: fired 4 of 60 minutes in 1 episode, first at 10:23; peak 25.0× at 10:25"
    );
    assert_eq!(g.verdict(&s, &r), Verdict::Fail);
    let g = slo_gate(&["burn(10m,2m) >= 10"], &[], Some(slo("99%")));
    let r = g.evaluate(&s);
    let Some(Timed::Burn(b)) = &r[0].timed else {
        panic!()
    };
    assert_eq!(
        (b.first_fired, b.firing),
        (Some(TEN + 22 * 60), 5),
        ">= fires at exactly 10x"
    );
    // The budget: 250 bad of 6,000 is 4.17x the 1% budget rate, over an
    // hour of a 30-day period.
    assert_eq!(
        (b.slo.bad_requests, b.slo.requests, b.slo.span),
        (250, 6000, 3600)
    );
    assert!((b.slo.burn_rate().unwrap() - 250.0 / 60.0).abs() < 1e-9);
    assert!((b.slo.budget_consumed().unwrap() - 250.0 / 60.0 / 720.0).abs() < 1e-12);
}

#[test]
fn the_workbook_alerts_page_and_ticket() {
    let mut o = slo("99.9%");
    o.burn_alerts = true;
    let g = slo_gate(&["5xx > 50%"], &[], Some(o));
    let names: Vec<(&str, Level)> = g
        .checks
        .iter()
        .map(|(e, l)| (e.source.as_str(), *l))
        .collect();
    assert_eq!(
        names,
        [
            ("5xx > 50%", Level::Fail),
            ("burn(1h,5m) > 14.4", Level::Fail),
            ("burn(6h,30m) > 6", Level::Fail),
            ("burn(1d,2h) > 3", Level::Warn),
            ("burn(3d,6h) > 1", Level::Warn),
        ]
    );
    // 5% bad for five minutes in an hour: 50x for 5 minutes, so the 1h
    // window holds 250 of 6,000 (4.2%, 41.7x): every alert fires.
    let s = outage();
    let r = g.evaluate(&s);
    assert!(r[1..].iter().all(|c| c.held), "{r:#?}");
    assert_eq!(g.verdict(&s, &r), Verdict::Fail);
    let text = verdict_text(&g, &s);
    assert!(
        text.contains(
            "FAIL burn(1h,5m) > 14.4: fired 9 of 60 minutes in 1 episode, first at 10:21;"
        ),
        "{text}"
    );
    assert!(text.contains("WARN burn(3d,6h) > 1: fired 40 of 60 minutes in 1 episode, first at 10:21, still firing at the end;"), "{text}");
}

#[test]
fn slo_bad_decides_what_burns() {
    let mut minutes: Vec<Vec<(u16, u64)>> = vec![vec![(200, 90), (429, 10)]; 10];
    minutes[0].push((503, 1));
    let s = timed(&minutes);
    let mut o = slo("99%");
    let g = slo_gate(&["burn(5m,1m) > 5"], &[], Some(o.clone()));
    assert!(!g.evaluate(&s)[0].held, "5xx alone: 1 in 101");
    o.bad = parse_bad("5xx, 429").unwrap();
    assert_eq!(o.bad.source, "5xx, 429");
    let g = slo_gate(&["burn(5m,1m) > 5"], &[], Some(o));
    let r = g.evaluate(&s);
    assert!(r[0].held);
    let Some(Timed::Burn(b)) = &r[0].timed else {
        panic!()
    };
    assert_eq!(
        (b.firing, b.slo.bad.as_str(), b.slo.bad_requests),
        (10, "5xx, 429", 101)
    );
}

#[test]
fn burn_needs_an_slo() {
    let e = Gate::from_args(&[" burn(1h,5m) > 14.4".into()], &[], 1, Lang::En).unwrap_err();
    assert_eq!(e.column, 1);
    assert!(e.message.contains("add --slo"), "{}", e.message);
    let e = Gate::from_args(&[], &["burn(1h,5m) > 1".into()], 1, Lang::Zh).unwrap_err();
    assert!(e.message.contains("--slo"));
    assert!(!e.message.is_ascii());
    // A hand-built gate without one has no answer rather than a guess.
    let mut g = slo_gate(&["burn(1h,5m) > 14.4"], &[], Some(slo("99%")));
    g.slo = None;
    let s = outage();
    let r = g.evaluate(&s);
    assert!(!r[0].held && r[0].no_data());
    assert_eq!(g.verdict(&s, &r), Verdict::TooFewRequests);
}

#[test]
fn burn_without_times_or_traffic_has_no_answer() {
    let g = slo_gate(&["burn(1h,5m) > 14.4"], &[], Some(slo("99.9%")));
    let s = summary(counts(&[(200, 10)]));
    let r = g.evaluate(&s);
    assert_eq!(
        g.too_few_message(&s, &r).as_deref(),
        Some("burn(1h,5m) > 14.4: no request has a readable time")
    );
    let mut g = slo_gate(&["burn(1h,5m) > 14.4"], &[], Some(slo("99.9%")));
    g.min_requests = 1000;
    let s = outage();
    let r = g.evaluate(&s);
    assert_eq!(
        g.too_few_message(&s, &r).as_deref(),
        Some("burn(1h,5m) > 14.4: no minute has at least 1,000 requests in both windows")
    );
}

#[test]
fn burn_verdicts_in_chinese() {
    let s = outage();
    let mut g = slo_gate(
        &["burn(10m,2m) > 10"],
        &["burn(10m,2m) > 100"],
        Some(slo("99%")),
    );
    g.lang = Lang::Zh;
    let text = verdict_text(&g, &s);
    assert!(text.contains("失败 burn(10m,2m) > 10: 60 分钟中触发 4 分钟，共 1 次，首次在 10:23；峰值 25.0×（10:25）"), "{text}");
    assert!(
        text.contains("通过 burn(10m,2m) > 100: 60 分钟中从未触发；峰值 25.0×（10:25）"),
        "{text}"
    );
}

#[test]
fn slo_options_parse_strictly() {
    assert_eq!(
        parse_target("99.9%"),
        Ok(Threshold {
            mantissa: 999,
            scale: 1
        })
    );
    assert_eq!(
        parse_target(" 99.95 "),
        Ok(Threshold {
            mantissa: 9995,
            scale: 2
        })
    );
    assert_eq!(
        parse_target("1%"),
        Ok(Threshold {
            mantissa: 1,
            scale: 0
        })
    );
    for (bad, why) in [
        ("0.999", "as a percentage"),
        ("100%", "no error budget"),
        ("0%", "above 0%"),
        ("", "expected a percentage"),
        ("99.9%%", "unexpected"),
        ("-5%", "expected a percentage"),
    ] {
        let e = parse_target(bad).unwrap_err();
        assert!(e.contains(why), "{bad:?}: {e}");
    }
    assert_eq!(parse_duration("30d"), Ok(30 * 86_400));
    assert_eq!(parse_duration(" 28d "), Ok(28 * 86_400));
    assert!(parse_duration("30").unwrap_err().contains("needs a unit"));
    assert!(parse_duration("1w").unwrap_err().contains("unknown unit"));
    assert_eq!(parse_bad("5xx,!503").unwrap().selector.items.len(), 2);
    assert!(
        parse_bad("5xx,no_status")
            .unwrap_err()
            .contains("cannot share")
    );
    assert!(
        parse_bad("no_status")
            .unwrap_err()
            .contains("counts requests")
    );
    assert!(
        parse_bad("5xx >")
            .unwrap_err()
            .contains("end of the selector")
    );
    assert!(parse_bad(" ").unwrap_err().contains("empty"));
}

#[test]
fn thresholds_print_as_written() {
    for (src, text) in [
        ("14.4", "14.4"),
        ("6", "6"),
        ("1.50", "1.5"),
        ("0.001", "0.001"),
        ("99.9", "99.9"),
    ] {
        let t = p(&format!("5xx > {src}%")).threshold;
        assert_eq!(t.to_string(), text);
    }
    assert_eq!(duration_text(90), "90s");
    assert_eq!(duration_text(5400), "90m");
    assert_eq!(duration_text(86_400 * 3), "3d");
    assert_eq!(span_text(90_061), "1d 1h 1m 1s");
    assert_eq!(span_text(0), "0s");
}

#[test]
fn junit_and_github_carry_windows_and_alerts() {
    let s = outage();
    let mut o = slo("99.9%");
    o.burn_alerts = true;
    let g = slo_gate(&["5xx > 10% over 5m"], &["5xx > 60% over 5m"], Some(o));
    let r = g.evaluate(&s);
    let mut xml = Vec::new();
    g.write_junit(&mut xml, &s, &r).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 6, "{xml}");
    assert!(
        xml.contains(r#"<testcase name="burn(1h,5m) &gt; 14.4" classname="logstat.fail""#),
        "{xml}"
    );
    assert!(
        xml.contains(
            "5xx &gt; 10% over 5m: 50.00% in [10:20, 10:25) (first breach 10:17); 7 of 56 windows"
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"failures="3""#), "{xml}");
    let mut out = Vec::new();
    g.write_github(&mut out, &s, &r).unwrap();
    let gh = String::from_utf8(out).unwrap();
    assert_eq!(
        gh.lines().filter(|l| l.starts_with("::error ")).count(),
        3,
        "{gh}"
    );
    assert_eq!(
        gh.lines().filter(|l| l.starts_with("::warning ")).count(),
        2,
        "{gh}"
    );
    assert!(gh.contains("::error title=logstat check failed::5xx > 10%25 over 5m: 50.00%25 in [10:20, 10:25) (first breach 10:17); 7 of 56 windows\n"), "{gh}");
}

#[test]
fn junit_says_why_a_window_check_has_no_answer() {
    let s = summary(counts(&[(200, 10)]));
    let g = gate(&["5xx > 1% over 5m"], &[], Lang::En);
    let r = g.evaluate(&s);
    let mut xml = Vec::new();
    g.write_junit(&mut xml, &s, &r).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains(r#"<error message="5xx &gt; 1% over 5m: no request has a readable time" type="min-requests">"#), "{xml}");
    assert!(xml.contains(r#"errors="1" skipped="1""#), "{xml}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text, especially near-grammatical text, parses or errors
        /// with a column inside (or just past) the expression; never panics.
        #[test]
        fn parser_never_panics(s in "[0-9a-z_xX!(),.%<>=\\- \u{4e2d}]{0,24}") {
            match parse(&s) {
                Ok(e) => {
                    let c = counts(&[(200, 7), (503, 3)]);
                    let _ = evaluate(&e, Level::Fail, &c);
                    let _ = evaluate(&e, Level::Fail, &Counts::default());
                }
                Err(e) => prop_assert!(e.column <= s.len() * 2),
            }
        }

        /// `rate > t%` holds exactly when num * 100 > t * den, checked here
        /// with integer thresholds in hundredths against an independent formula.
        #[test]
        fn rate_comparison_is_exact(num in 0u64..10_000, extra in 0u64..10_000, hundredths in 0u32..=10_000) {
            let den = num + extra;
            prop_assume!(den > 0);
            let expr = format!("5xx > {}.{:02}%", hundredths / 100, hundredths % 100);
            let c = counts(&[(500, num), (200, extra)]);
            let r = evaluate(&p(&expr), Level::Fail, &c);
            prop_assert_eq!(r.held, num as u128 * 10_000 > hundredths as u128 * den as u128);
            prop_assert_eq!((r.numerator, r.denominator), (num, den));
        }

        /// `over` checks through the gate against brute force: random
        /// minutes of 200s, 500s and 503s, every window `[t, t + w)` from
        /// the first minute on that ends by the last minute's end, each
        /// judged when it has `--min-requests`, compared exactly.
        #[test]
        fn windowed_gate_matches_brute_force(
            minutes in prop::collection::btree_map(0i64..90, (0u64..20, 0u64..5, 0u64..5), 1..30),
            w in 1i64..12,
            min in 0u64..30,
            pct in 0u64..=100,
            op in prop::sample::select(vec![">", ">=", "<", "<=", "==", "!="]),
            count in any::<bool>(),
        ) {
            let mut per: Vec<Vec<(u16, u64)>> = vec![vec![]; 90];
            for (&m, &(ok, e500, e503)) in &minutes {
                per[m as usize] = vec![(200, ok), (500, e500), (503, e503)];
            }
            let s = timed(&per);
            let expr = if count {
                format!("count(5xx) {op} {} over {w}m", pct / 5)
            } else {
                format!("5xx {op} {pct}% over {w}m")
            };
            let mut g = gate(&[&expr], &[], Lang::En);
            g.min_requests = min;
            let r = &g.evaluate(&s)[0];
            let Some(Timed::Windows(got)) = &r.timed else { panic!() };

            let cmp = |a: u128, b: u128| match op {
                ">" => a > b, ">=" => a >= b, "<" => a < b,
                "<=" => a <= b, "==" => a == b, _ => a != b,
            };
            let first = *minutes.keys().next().unwrap();
            let last = *minutes.keys().last().unwrap();
            let (mut windows, mut judged, mut breached, mut first_breach) = (0, 0, 0, None);
            let mut t = first;
            loop {
                let (mut num, mut den) = (0u64, 0u64);
                for (&m, &(ok, a, b)) in minutes.range(t..t + w) {
                    let _ = m;
                    num += a + b;
                    den += ok + a + b;
                }
                windows += 1;
                if den >= min && (count || den > 0) {
                    judged += 1;
                    let held = if count {
                        cmp(num as u128, (pct / 5) as u128)
                    } else {
                        cmp(num as u128 * 100, pct as u128 * den as u128)
                    };
                    if held {
                        breached += 1;
                        first_breach.get_or_insert(TEN + t * 60);
                    }
                }
                t += 1;
                if t + w > last + 1 {
                    break;
                }
            }
            prop_assert_eq!((got.windows, got.judged, got.breached, got.first_breach), (windows, judged, breached, first_breach));
            prop_assert_eq!(r.held, breached > 0);
        }

        /// Burn-rate alerts through the gate against brute force: at every
        /// minute both windows ending there, compared as
        /// `bad * 10^fs * 100 * 10^ts > fm * (100 * 10^ts - tm) * total`.
        #[test]
        fn burn_gate_matches_brute_force(
            minutes in prop::collection::btree_map(0i64..120, (1u64..20, 0u64..4), 1..40),
            short in 1i64..10,
            extra in 0i64..30,
            target in prop::sample::select(vec!["90", "99", "99.5", "99.9"]),
            tenths in 1u64..400,
            min in 1u64..10,
        ) {
            let mut per: Vec<Vec<(u16, u64)>> = vec![vec![]; 120];
            for (&m, &(ok, bad)) in &minutes {
                per[m as usize] = vec![(200, ok), (502, bad)];
            }
            let s = timed(&per);
            let long = short + extra;
            let expr = format!("burn({long}m,{short}m) > {}.{}", tenths / 10, tenths % 10);
            let mut g = slo_gate(&[&expr], &[], Some(slo(target)));
            g.min_requests = min;
            let r = &g.evaluate(&s)[0];
            let Some(Timed::Burn(got)) = &r.timed else { panic!() };

            let t = parse_target(target).unwrap();
            let hundred = 100 * 10u128.pow(t.scale);
            let over = |bad: u64, total: u64| {
                total > 0
                    && bad as u128 * 10 * hundred > tenths as u128 * (hundred - t.mantissa) * total as u128
            };
            let sum = |from: i64, to: i64| {
                minutes.range(from..to).fold((0, 0), |a, (_, &(ok, bad))| (a.0 + bad, a.1 + ok + bad))
            };
            let first = *minutes.keys().next().unwrap();
            let last = *minutes.keys().last().unwrap();
            let (mut firing, mut episodes, mut first_fired, mut was) = (0, 0, None, false);
            // Minute e ends minute e - 1: windows are the minutes [e - w, e).
            for e in first + 1..=last + 1 {
                let (lb, lt) = sum(e - long, e);
                let (sb, st) = sum(e - short, e);
                let fires = lt >= min && st >= min && over(lb, lt) && over(sb, st);
                if fires {
                    firing += 1;
                    first_fired.get_or_insert(TEN + e * 60);
                    if !was {
                        episodes += 1;
                    }
                }
                was = fires;
            }
            prop_assert_eq!(got.minutes, (last - first + 1) as u64);
            prop_assert_eq!((got.firing, got.episodes, got.first_fired), (firing, episodes, first_fired));
            prop_assert_eq!(r.held, firing > 0);
        }
    }
}
