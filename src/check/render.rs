//! How check results are shown: verdict lines for people, JUnit XML for CI
//! test tabs, GitHub workflow commands for inline annotations. All three
//! share one message text so a failure reads the same everywhere.

use std::io::{self, Write};

use super::clock::Clock;
use super::{BurnAlert, CheckResult, Gap, Gate, Level, Timed, Verdict, Windows, duration_text};
use crate::lang::Lang;
use crate::summary::Summary;
use crate::text::group;

/// `num / den` as a percentage with two decimals, computed in integers so the
/// shown value never disagrees with the exact comparison: a rate that is not
/// zero never shows as `0.00%` (it shows `<0.01%`) and one below 100% never
/// shows as `100.00%` (it shows `>99.99%`).
pub fn percent(num: u64, den: u64) -> String {
    if den == 0 {
        return "n/a".to_string();
    }
    let (num, den) = (num as u128, den as u128);
    // Basis points, rounded half up.
    let bp = (num * 20_000 + den) / (2 * den);
    if bp == 0 && num > 0 {
        "<0.01%".to_string()
    } else if bp >= 10_000 && num < den {
        ">99.99%".to_string()
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

/// Whether the check's counts are lines (`malformed`, `no_status`) rather
/// than requests; known from the expression, not the result.
fn over_lines(g: &Gate, i: usize) -> bool {
    g.checks
        .get(i)
        .is_some_and(|(e, _)| e.selector.is_buckets())
}

/// The message without prefix, e.g. `5xx > 1%: 2.31% (231 of 10,000 requests)`.
pub fn message(lang: Lang, r: &CheckResult, lines: bool) -> String {
    match &r.timed {
        Some(Timed::Windows(w)) => return windows_message(lang, r, w, lines),
        Some(Timed::Burn(b)) => return burn_message(lang, r, b),
        None => {}
    }
    let one = r.denominator == 1;
    let unit = match (lines, lang) {
        (false, Lang::En) if one => "request",
        (true, Lang::En) if one => "line",
        (false, Lang::En) => "requests",
        (true, Lang::En) => "lines",
        (false, Lang::Zh) => "个请求",
        (true, Lang::Zh) => "行",
    };
    if r.no_data() {
        let none = match (lines, lang) {
            (false, _) => lang.pick("no requests", "没有请求"),
            (true, _) => lang.pick("no lines", "没有日志行"),
        };
        return format!("{}: {none}", r.expr);
    }
    let value = if r.is_rate {
        percent(r.numerator, r.denominator)
    } else {
        group(r.numerator)
    };
    let (n, d) = (group(r.numerator), group(r.denominator));
    match lang {
        Lang::En => format!("{}: {value} ({n} of {d} {unit})", r.expr),
        Lang::Zh => {
            let measure = if lines { "行" } else { "个" };
            format!("{}: {value} ({d} {unit}中有 {n} {measure})", r.expr)
        }
    }
}

/// `N request(s)` / `N line(s)`, for "at least N" in English.
fn at_least(n: u64, lines: bool) -> String {
    let unit = match (lines, n == 1) {
        (false, true) => "request",
        (false, false) => "requests",
        (true, true) => "line",
        (true, false) => "lines",
    };
    format!("{} {unit}", group(n))
}

/// Why a check over time judged nothing, after `EXPR: `.
fn gap_text(lang: Lang, gap: Gap, width: Option<u32>, step: u32, min: u64, lines: bool) -> String {
    let min = min.max(1);
    match (gap, lang) {
        (Gap::NoTimes, Lang::En) => "no request has a readable time".into(),
        (Gap::NoTimes, Lang::Zh) => "没有能读出时间的请求".into(),
        (Gap::NoSlo, Lang::En) => "no SLO to measure it against (--slo)".into(),
        (Gap::NoSlo, Lang::Zh) => "没有可作为基准的 SLO（--slo）".into(),
        (Gap::Step, Lang::En) => format!(
            "intervals of {} do not fit its windows",
            duration_text(step.max(1))
        ),
        (Gap::Step, Lang::Zh) => format!("{} 的间隔与其窗口不相容", duration_text(step.max(1))),
        (Gap::Thin, Lang::En) => match width {
            Some(w) => format!(
                "no {} window has at least {}",
                duration_text(w),
                at_least(min, lines)
            ),
            None => format!(
                "no minute has at least {} in both windows",
                at_least(min, false)
            ),
        },
        (Gap::Thin, Lang::Zh) => {
            let unit = if lines { "行" } else { "个请求" };
            match width {
                Some(w) => format!(
                    "没有哪个 {} 窗口至少有 {} {unit}",
                    duration_text(w),
                    group(min)
                ),
                None => format!("没有哪一分钟两个窗口都至少有 {} 个请求", group(min)),
            }
        }
    }
}

/// Why a check over time judged nothing, or `None` when it judged windows.
fn gap_reason(lang: Lang, r: &CheckResult, lines: bool) -> Option<String> {
    match &r.timed {
        Some(Timed::Windows(w)) if w.worst.is_none() || w.gap.is_some() => {
            let gap = w.gap.unwrap_or(Gap::Thin);
            Some(gap_text(
                lang,
                gap,
                Some(w.width),
                w.step,
                w.min_requests,
                lines,
            ))
        }
        Some(Timed::Burn(b)) => b
            .gap
            .map(|gap| gap_text(lang, gap, None, b.step, b.min_requests, false)),
        _ => None,
    }
}

/// `5xx > 1% over 5m: 7.40% in [10:05, 10:10) (first breach 10:03); 12 of
/// 288 windows`: the worst window, the first that breached, and how many
/// did of those judged.
fn windows_message(lang: Lang, r: &CheckResult, w: &Windows, lines: bool) -> String {
    if let Some(why) = gap_reason(lang, r, lines) {
        return format!("{}: {why}", r.expr);
    }
    let Some(worst) = w.worst else {
        return String::new();
    };
    let end = worst + w.width as i64;
    let clock = Clock::new(w.offset, [worst].into_iter().chain(w.first_breach), [end]);
    let value = if r.is_rate {
        percent(r.numerator, r.denominator)
    } else {
        group(r.numerator)
    };
    let (from, to) = (clock.show(worst), clock.show(end));
    let (judged, breached) = (group(w.judged), group(w.breached));
    match lang {
        Lang::En => {
            let first = w
                .first_breach
                .map(|t| format!(" (first breach {})", clock.show(t)))
                .unwrap_or_default();
            let noun = if w.judged == 1 { "window" } else { "windows" };
            let undated = match w.undated {
                0 => String::new(),
                1 => "; 1 request without a time is in no window".into(),
                n => format!("; {} requests without a time are in no window", group(n)),
            };
            format!(
                "{}: {value} in [{from}, {to}){first}; {breached} of {judged} {noun}{undated}",
                r.expr
            )
        }
        Lang::Zh => {
            let first = w
                .first_breach
                .map(|t| format!("（首次超出 {}）", clock.show(t)))
                .unwrap_or_default();
            let undated = match w.undated {
                0 => String::new(),
                n => format!("；{} 个请求没有时间，不在任何窗口中", group(n)),
            };
            format!(
                "{}: [{from}, {to}) 内为 {value}{first}；{judged} 个窗口中 {breached} 个超出{undated}",
                r.expr
            )
        }
    }
}

/// A burn rate as a factor: `14.4×`.
pub fn factor(x: f64) -> String {
    format!("{x:.1}×")
}

/// `burn(1h,5m) > 14.4: fired 23 of 1,440 minutes in 2 episodes, first at
/// 10:07; peak 31.2× at 10:12`, or `never fired in 1,440 minutes; peak …`.
fn burn_message(lang: Lang, r: &CheckResult, b: &BurnAlert) -> String {
    if let Some(why) = gap_reason(lang, r, false) {
        return format!("{}: {why}", r.expr);
    }
    let peak_at = b.peak.map(|p| p.0);
    let clock = Clock::new(b.offset, [], b.first_fired.into_iter().chain(peak_at));
    let peak = b
        .peak
        .map(|(t, x)| match lang {
            Lang::En => format!("; peak {} at {}", factor(x), clock.show(t)),
            Lang::Zh => format!("；峰值 {}（{}）", factor(x), clock.show(t)),
        })
        .unwrap_or_default();
    let (minutes, firing) = (group(b.minutes), group(b.firing));
    match (lang, b.first_fired) {
        (Lang::En, Some(first)) => {
            let episodes = match b.episodes {
                1 => "1 episode".to_string(),
                n => format!("{} episodes", group(n)),
            };
            let still = if b.firing_at_end {
                ", still firing at the end"
            } else {
                ""
            };
            format!(
                "{}: fired {firing} of {minutes} minutes in {episodes}, first at {}{still}{peak}",
                r.expr,
                clock.show(first)
            )
        }
        (Lang::En, None) => format!("{}: never fired in {minutes} minutes{peak}", r.expr),
        (Lang::Zh, Some(first)) => {
            let still = if b.firing_at_end {
                "，结束时仍在触发"
            } else {
                ""
            };
            format!(
                "{}: {minutes} 分钟中触发 {firing} 分钟，共 {} 次，首次在 {}{still}{peak}",
                r.expr,
                group(b.episodes),
                clock.show(first)
            )
        }
        (Lang::Zh, None) => format!("{}: {minutes} 分钟中从未触发{peak}", r.expr),
    }
}

/// The stderr line for checks over time that judged nothing: the checks
/// that share a reason listed before it (`5xx > 1% over 5m, burn(1h,5m) >
/// 14.4: no request has a readable time`); led by `no verdict: ` when the
/// gate has only `--warn-if` checks.
pub fn unjudged(g: &Gate, r: &[&CheckResult]) -> String {
    let lead = if g.can_fail() {
        ""
    } else {
        g.lang.pick("no verdict: ", "无结论：")
    };
    let mut reasons: Vec<(String, Vec<&str>)> = Vec::new();
    for c in r {
        let lines = g
            .checks
            .iter()
            .find(|(e, _)| e.source == c.expr)
            .is_some_and(|(e, _)| e.selector.is_buckets());
        let why = gap_reason(g.lang, c, lines).unwrap_or_default();
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, exprs)) => exprs.push(&c.expr),
            None => reasons.push((why, vec![&c.expr])),
        }
    }
    let text: Vec<String> = reasons
        .iter()
        .map(|(why, exprs)| format!("{}: {why}", exprs.join(g.lang.pick(", ", "、"))))
        .collect();
    format!("{lead}{}", text.join(g.lang.pick("; ", "；")))
}

/// `FAIL`, `WARN`, `PASS` or `SKIP` (a rate over nothing), padded alike so
/// expressions line up.
fn prefix(lang: Lang, r: &CheckResult) -> &'static str {
    if r.no_data() {
        lang.pick("SKIP", "跳过")
    } else if !r.held {
        lang.pick("PASS", "通过")
    } else if r.level == Level::Fail {
        lang.pick("FAIL", "失败")
    } else {
        lang.pick("WARN", "警告")
    }
}

/// `checks need at least 1 request, counted 0`; with only `--warn-if`
/// checks, which cannot fail the run, led by `no verdict: `.
pub fn too_few(g: &Gate, s: &Summary) -> String {
    let (min, got) = (g.min_requests, s.total.requests());
    let lead = if g.can_fail() {
        ""
    } else {
        g.lang.pick("no verdict: ", "无结论：")
    };
    match g.lang {
        Lang::En => format!(
            "{lead}checks need at least {} request{}, counted {}",
            group(min),
            if min == 1 { "" } else { "s" },
            group(got)
        ),
        Lang::Zh => format!(
            "{lead}检查至少需要 {} 个请求，实际只统计到 {} 个",
            group(min),
            group(got)
        ),
    }
}

/// Inputs that gave no full answer, each as `PATH: reason` with the path's
/// control characters escaped.
fn failed_inputs(s: &Summary) -> impl Iterator<Item = (String, String)> + '_ {
    s.inputs.iter().filter_map(|i| {
        let e = i.error.as_ref()?;
        let path = crate::escape::escape_path(&i.path);
        Some((path.clone(), format!("{path}: {e}")))
    })
}

/// The overall line, e.g. `1 of 3 checks failed, 1 warned`.
fn overall(g: &Gate, r: &[CheckResult]) -> String {
    let total = r.len();
    let failed = r
        .iter()
        .filter(|c| c.level == Level::Fail && c.held)
        .count();
    let warned = r
        .iter()
        .filter(|c| c.level == Level::Warn && c.held)
        .count();
    let skipped = r.iter().filter(|c| c.no_data()).count();
    match g.lang {
        Lang::En => {
            let noun = if total == 1 { "check" } else { "checks" };
            let mut s = if failed == 0 && warned == 0 && skipped == 0 {
                return format!(
                    "{} {total} {noun} passed",
                    if total == 1 { "the" } else { "all" }
                );
            } else {
                format!("{failed} of {total} {noun} failed, {warned} warned")
            };
            if skipped > 0 {
                s.push_str(&format!(", {skipped} skipped"));
            }
            s
        }
        Lang::Zh => {
            if failed == 0 && warned == 0 && skipped == 0 {
                return format!("{total} 项检查全部通过");
            }
            let mut s = format!("{total} 项检查中 {failed} 项失败，{warned} 项警告");
            if skipped > 0 {
                s.push_str(&format!("，{skipped} 项跳过"));
            }
            s
        }
    }
}

pub fn verdicts(g: &Gate, w: &mut dyn Write, r: &[CheckResult]) -> io::Result<()> {
    for (i, c) in r.iter().enumerate() {
        writeln!(
            w,
            "{} {}",
            prefix(g.lang, c),
            message(g.lang, c, over_lines(g, i))
        )?;
    }
    writeln!(w, "logstat: {}", overall(g, r))
}

/// Escapes text for XML attributes and content. Characters XML 1.0 cannot
/// carry at all (most C0 controls) become U+FFFD: an expression comes from a
/// command line and may hold anything, and a JUnit file that fails to parse
/// hides every result.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `<testcase>` per check, classname `logstat.fail` or
/// `logstat.warn`. A held `--fail-if` is a `<failure>`; a held `--warn-if`
/// passes (warnings never fail a build) but carries its verdict in
/// `<system-out>`; a rate over nothing is `<skipped>`. When too few requests
/// were counted, an extra `min-requests` testcase reports an `<error>` (a
/// `<skipped>` when only `--warn-if` checks were asked, which never fail a
/// build), and each input that gave no full answer gets a `logstat.input`
/// testcase with an `<error>`, so the test tab explains the exit status 2
/// instead of showing all green.
pub fn junit(g: &Gate, w: &mut dyn Write, s: &Summary, r: &[CheckResult]) -> io::Result<()> {
    let failures = r
        .iter()
        .filter(|c| c.level == Level::Fail && c.held)
        .count();
    let gap = g.too_few_message(s, r);
    let short = gap.is_some();
    let short_fails = short && g.verdict(s, r) == Verdict::TooFewRequests;
    let skipped = r.iter().filter(|c| c.no_data()).count() + usize::from(short && !short_fails);
    let inputs: Vec<(String, String)> = failed_inputs(s).collect();
    let tests = r.len() + usize::from(short) + inputs.len();
    let errors = usize::from(short_fails) + inputs.len();
    let secs = s.elapsed.as_secs_f64();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="logstat" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{secs:.3}">"#
    )?;
    writeln!(
        w,
        r#"  <testsuite name="logstat" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{secs:.3}">"#
    )?;
    for (i, c) in r.iter().enumerate() {
        let msg = xml_escape(&message(g.lang, c, over_lines(g, i)));
        writeln!(
            w,
            r#"    <testcase name="{}" classname="logstat.{}" time="0">"#,
            xml_escape(&c.expr),
            c.level.as_str()
        )?;
        if c.no_data() {
            writeln!(w, r#"      <skipped message="{msg}"/>"#)?;
        } else if c.held && c.level == Level::Fail {
            writeln!(
                w,
                r#"      <failure message="{msg}" type="threshold">{msg}</failure>"#
            )?;
        }
        writeln!(
            w,
            "      <system-out>{} {msg}</system-out>",
            xml_escape(prefix(g.lang, c))
        )?;
        writeln!(w, "    </testcase>")?;
    }
    if let Some(gap) = &gap {
        let msg = xml_escape(gap);
        writeln!(
            w,
            r#"    <testcase name="min-requests" classname="logstat.gate" time="0">"#
        )?;
        if short_fails {
            writeln!(
                w,
                r#"      <error message="{msg}" type="min-requests">{msg}</error>"#
            )?;
        } else {
            writeln!(w, r#"      <skipped message="{msg}"/>"#)?;
        }
        writeln!(w, "    </testcase>")?;
    }
    for (path, line) in &inputs {
        let msg = xml_escape(line);
        writeln!(
            w,
            r#"    <testcase name="{}" classname="logstat.input" time="0">"#,
            xml_escape(path)
        )?;
        writeln!(
            w,
            r#"      <error message="{msg}" type="input">{msg}</error>"#
        )?;
        writeln!(w, "    </testcase>")?;
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}

/// Escapes a workflow-command message: `%`, CR and LF, which GitHub would
/// otherwise read as the end of the command or an escape.
pub fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value: the data escapes plus `:` and
/// `,`, which separate properties.
pub fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::error title=logstat check failed::5xx > 1%25: 2.31%25 (…)` for each held
/// `--fail-if`, `::warning …` for each held `--warn-if`, an `::error` when
/// too few requests were counted (a `::warning` with only `--warn-if`
/// checks), and an `::error` for each input that gave no full answer.
pub fn github(g: &Gate, w: &mut dyn Write, s: &Summary, r: &[CheckResult]) -> io::Result<()> {
    for (i, c) in r.iter().enumerate().filter(|(_, c)| c.held) {
        let (cmd, title) = match c.level {
            Level::Fail => (
                "error",
                g.lang.pick("logstat check failed", "logstat 检查失败"),
            ),
            Level::Warn => (
                "warning",
                g.lang.pick("logstat check warned", "logstat 检查警告"),
            ),
        };
        writeln!(
            w,
            "::{cmd} title={}::{}",
            gh_property(title),
            gh_data(&message(g.lang, c, over_lines(g, i)))
        )?;
    }
    if let Some(gap) = g.too_few_message(s, r) {
        writeln!(
            w,
            "::{} title={}::{}",
            if g.can_fail() { "error" } else { "warning" },
            gh_property(
                g.lang
                    .pick("logstat checks incomplete", "logstat 检查不完整")
            ),
            gh_data(&gap)
        )?;
    }
    for (_, line) in failed_inputs(s) {
        writeln!(
            w,
            "::error title={}::{}",
            gh_property(g.lang.pick("logstat input failed", "logstat 输入出错")),
            gh_data(&line)
        )?;
    }
    Ok(())
}
