//! Parser, evaluation and rendering tests for the gate.

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
        g.too_few_message(&s).as_deref(),
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
        g.too_few_message(&s).as_deref(),
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
        g.too_few_message(&s).as_deref(),
        Some("no verdict: checks need at least 1,000 requests, counted 5")
    );
    g.lang = Lang::Zh;
    assert_eq!(
        g.too_few_message(&s).as_deref(),
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
    }
}
