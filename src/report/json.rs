//! The JSON report. Its keys (`lines`, `requests`, `no_status`, `skipped`,
//! `malformed`, `codes`, `classes`, `inputs`) are a stable contract that
//! scripts read; everything else is added around them, never renamed.
//! `skipped_by_reason` breaks `skipped` down (`blank`, `directive`,
//! `not_request`, summing to it), and each input's `note` says how it was
//! read where its format's name does not (a W3C layout assumed).
//!
//! The time filter's buckets, `filtered` and `undated`, are always present
//! (0 without a filter), at the top and per input, so `lines` is the sum of
//! the same keys in every document; an input's `first` and `last` are null
//! when no time was read. `series` appears only when the summary has one,
//! like `checks`, and `top` only when `--top` asked for it.
//!
//! Each input carries its own `codes` and `classes`, shaped like the
//! top-level ones with shares within the input's requests; the registry's
//! words for a code (`reason`, `kind`, `description`) are only at the top,
//! since they do not change from one input to the next.
//!
//! `"schema": "logstat/1"` comes first so a consumer can check it before
//! reading on; it changes only when a key changes meaning or disappears.

use serde_json::{Map, Value, json};

use super::{ReportOptions, code_rows, series, share};
use crate::check::clock;
use crate::check::{BurnAlert, CheckResult};
use crate::escape;
use crate::lang::Lang;
use crate::summary::{Counts, Stamp, Summary};

/// `skipped`, broken down by reason.
fn skipped_by_reason(c: &Counts) -> Value {
    json!({
        "blank": c.blank(),
        "directive": c.directives,
        "not_request": c.not_requests,
    })
}

/// Identifies the shape of this document.
pub const SCHEMA: &str = "logstat/1";

/// Characters of a malformed example shown, as in the table: a line of
/// hundreds of megabytes must not make a report of gigabytes.
const EXAMPLE_CHARS: usize = 200;

/// Shares are rounded to 6 decimals like the CSV, so the two agree and the
/// JSON does not show float noise such as `0.044444444444444446`.
pub(super) fn rounded(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The report as a JSON value, in the data language. Paths are the names as
/// given; one that is not UTF-8 has its invalid bytes replaced by U+FFFD, since
/// a JSON string cannot hold them.
pub fn to_value(s: &Summary, o: &ReportOptions, checks: Option<&[CheckResult]>) -> Value {
    let lang = o.lang.data;
    let t = &s.total;
    let requests = t.requests();
    let codes: Vec<Value> = code_rows(s, lang)
        .into_iter()
        .map(|r| {
            json!({
                "code": r.code,
                "count": r.count,
                "class": r.class,
                "reason": r.reason,
                "kind": r.kind,
                "vendor": r.vendor,
                "description": r.description,
                "share": rounded(r.share),
            })
        })
        .collect();
    let classes = classes_value(t, lang);
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|i| {
            let requests = i.counts.requests();
            let codes: Vec<Value> = i
                .counts
                .observed()
                .map(|(code, count)| {
                    json!({
                        "code": code,
                        "count": count,
                        "class": super::class_label(code),
                        "share": rounded(share(count, requests)),
                    })
                })
                .collect();
            json!({
                "path": i.path.to_string_lossy(),
                "format": i.format,
                "lines": i.counts.lines(),
                "requests": requests,
                "no_status": i.counts.no_status,
                "skipped": i.counts.skipped,
                "malformed": i.counts.malformed,
                "filtered": i.counts.filtered,
                "undated": i.counts.undated,
                "bytes": i.bytes,
                "unread_bytes": i.unread,
                "error": i.error,
                "first": i.first.map(Stamp::to_rfc3339),
                "last": i.last.map(Stamp::to_rfc3339),
                "codes": codes,
                "classes": classes_value(&i.counts, lang),
                "skipped_by_reason": skipped_by_reason(&i.counts),
                "note": i.note(),
            })
        })
        .collect();
    let examples: Vec<Value> = s
        .examples
        .iter()
        .map(|e| {
            json!({
                "path": e.path.to_string_lossy(),
                "line": e.line,
                "text": escape::escape_shortened(&e.text, EXAMPLE_CHARS),
            })
        })
        .collect();

    let mut m = Map::new();
    m.insert("schema".into(), SCHEMA.into());
    m.insert("lines".into(), t.lines().into());
    m.insert("requests".into(), requests.into());
    m.insert("no_status".into(), t.no_status.into());
    m.insert("skipped".into(), t.skipped.into());
    m.insert("malformed".into(), t.malformed.into());
    m.insert("filtered".into(), t.filtered.into());
    m.insert("undated".into(), t.undated.into());
    m.insert("skipped_by_reason".into(), skipped_by_reason(t));
    m.insert("codes".into(), codes.into());
    m.insert("classes".into(), classes.into());
    m.insert("inputs".into(), inputs.into());
    m.insert("malformed_examples".into(), examples.into());
    // Milliseconds as a number with microsecond precision: small scans still
    // show a nonzero time.
    m.insert(
        "elapsed_ms".into(),
        json!((s.elapsed.as_secs_f64() * 1e6).round() / 1e3),
    );
    if let Some(series) = &s.series {
        m.insert("series".into(), series::to_value(series));
    }
    if !s.top.is_empty() {
        m.insert("top".into(), super::top::to_value(&s.top));
    }
    if let Some(checks) = checks {
        let v: Vec<Value> = checks
            .iter()
            .map(|c| {
                let mut v = json!({
                    "expr": c.expr,
                    "level": c.level.as_str(),
                    "value": c.value,
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "passed": c.passed(),
                });
                windows_fields(c, &mut v);
                v
            })
            .collect();
        m.insert("checks".into(), v.into());
        if let Some(slo) = slo_value(checks) {
            m.insert("slo".into(), slo);
        }
    }
    Value::Object(m)
}

/// The `classes` array of `c`: 1xx–5xx and `other`, each with its `count`,
/// its `label` in `lang` and its `share` of `c`'s requests.
fn classes_value(c: &Counts, lang: Lang) -> Vec<Value> {
    let requests = c.requests();
    let other_label = lang.pick("Other", "其他");
    c.class_counts()
        .iter()
        .map(|&(class, n)| (class.label(), class.name(lang), n))
        .chain(std::iter::once(("other", other_label, c.other_class())))
        .map(|(class, label, n)| {
            json!({
                "class": class,
                "count": n,
                "label": label,
                "share": rounded(share(n, requests)),
            })
        })
        .collect()
}

/// An `over` check's windows, added to its entry in `checks`: `window` and
/// `step` in seconds, the `worst` window (`start`, `end` in RFC 3339 on the
/// series' clock, and its counts), `first_breach` (the start of the first
/// window that held, or null), `windows_judged`, `windows_breached`,
/// `windows` (all in the input's span) and `undated` (requests in none).
fn windows_fields(c: &CheckResult, v: &mut Value) {
    let Some(w) = c.windows() else {
        return;
    };
    let at = |t: i64| clock::rfc3339(t, w.offset);
    v["window"] = w.width.into();
    v["step"] = w.step.into();
    v["worst"] = w.worst.map_or(Value::Null, |t| {
        json!({
            "start": at(t),
            "end": at(t + w.width as i64),
            "value": c.value,
            "numerator": c.numerator,
            "denominator": c.denominator,
        })
    });
    v["first_breach"] = w.first_breach.map(at).into();
    v["windows_judged"] = w.judged.into();
    v["windows_breached"] = w.breached.into();
    v["windows"] = w.windows.into();
    v["undated"] = w.undated.into();
}

/// The `slo` object when burn-rate checks ran: `target` (a fraction),
/// `period` (seconds), `bad_selector`, `budget_consumed` (the share of the
/// period's budget the input spent, at the input's traffic rate), `burn_rate`
/// (the input's bad share over the budget share), the counts behind them,
/// and per alert when it first fired (RFC 3339), for how many minutes, in
/// how many episodes, and its peak.
fn slo_value(checks: &[CheckResult]) -> Option<Value> {
    let alerts: Vec<(&CheckResult, &BurnAlert)> =
        checks.iter().filter_map(|c| Some((c, c.burn()?))).collect();
    let slo = &alerts.first()?.1.slo;
    let list: Vec<Value> = alerts
        .iter()
        .map(|(c, b)| {
            let at = |t: i64| clock::rfc3339(t, b.offset);
            json!({
                "name": c.expr,
                "severity": BurnAlert::severity(c.level),
                "long": b.long,
                "short": b.short,
                "factor": b.factor.as_f64(),
                "fired": c.held,
                "first_fired": b.first_fired.map(at),
                "minutes_firing": b.firing,
                "episodes": b.episodes,
                "firing_at_end": b.firing_at_end,
                "minutes": b.minutes,
                "minutes_judged": b.judged,
                "peak": b.peak.map(|(t, x)| json!({"at": at(t), "burn_rate": rounded(x)})),
            })
        })
        .collect();
    Some(json!({
        // 999 / 1000 rather than 99.9 / 100: the nearest double to 0.999.
        "target": slo.target.mantissa as f64 / 10f64.powi(slo.target.scale as i32 + 2),
        "period": slo.period,
        "bad_selector": slo.bad,
        "budget_consumed": slo.budget_consumed().map(rounded),
        "burn_rate": slo.burn_rate().map(rounded),
        "bad_requests": slo.bad_requests,
        "requests": slo.requests,
        "span": slo.span,
        "alerts": list,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Level;
    use crate::summary::{Counts, InputSummary};
    use std::time::Duration;

    #[test]
    fn schema_first_and_checks_only_when_given() {
        let mut counts = Counts::default();
        counts.codes[200] = 2;
        counts.codes[503] = 1;
        let s = Summary::from_inputs(
            vec![InputSummary {
                path: "a".into(),
                counts,
                ..Default::default()
            }],
            vec![],
            Duration::from_micros(1500),
        );
        let o = ReportOptions::default();
        let v = to_value(&s, &o, None);
        let obj = v.as_object().unwrap();
        assert_eq!(obj.keys().next().unwrap(), "schema");
        assert!(!obj.contains_key("checks"));
        assert_eq!(v["elapsed_ms"], 1.5);
        assert_eq!(v["codes"][1]["share"], 0.333333);
        assert_eq!(v["classes"][4]["label"], "Server error");

        let c = CheckResult {
            expr: "5xx > 1%".into(),
            level: Level::Fail,
            value: 1.0 / 3.0,
            is_rate: true,
            numerator: 1,
            denominator: 3,
            held: true,
            timed: None,
        };
        let v = to_value(&s, &o, Some(&[c]));
        assert_eq!(v["checks"][0]["passed"], false);
        assert_eq!(v["checks"][0]["level"], "fail");
        assert_eq!(v["checks"][0]["denominator"], 3);
    }

    /// 30 minutes of 100 requests, 20 of them 500s in minutes 10-12, from
    /// 2000-10-10 10:00 -0700.
    fn timed_summary() -> Summary {
        use crate::summary::{Bucket, Series};
        let mut series = Series {
            step: 60,
            offset: -25_200,
            ..Default::default()
        };
        let mut total = Counts::default();
        for i in 0..30 {
            let bad = if (10..13).contains(&i) { 20 } else { 0 };
            let mut b = Bucket::default();
            b.codes.insert(200, 100 - bad);
            b.codes.insert(500, bad);
            series.buckets.insert(971_197_200 + 60 * i, b);
            total.codes[200] += 100 - bad;
            total.codes[500] += bad;
        }
        let mut s = Summary::from_inputs(
            vec![InputSummary {
                path: "a".into(),
                counts: total,
                ..Default::default()
            }],
            vec![],
            Duration::ZERO,
        );
        s.series = Some(series);
        s
    }

    #[test]
    fn windowed_checks_and_the_slo_replay() {
        use crate::check::{Gate, Slo, parse_target};
        use crate::lang::Lang;
        let s = timed_summary();
        let mut slo = Slo::new(parse_target("99%").unwrap());
        slo.burn_alerts = true;
        let g = Gate::with_slo(
            &["5xx > 10% over 5m".into(), "5xx > 1%".into()],
            &[],
            1,
            Lang::En,
            Some(slo),
        )
        .unwrap();
        let r = g.evaluate(&s);
        let v = to_value(&s, &ReportOptions::default(), Some(&r));
        let c = &v["checks"][0];
        assert_eq!(c["window"], 300);
        assert_eq!(c["step"], 60);
        assert_eq!(c["worst"]["start"], "2000-10-10T10:08:00-07:00");
        assert_eq!(c["worst"]["end"], "2000-10-10T10:13:00-07:00");
        assert_eq!(c["worst"]["numerator"], 60);
        assert_eq!(c["worst"]["value"], 0.12);
        assert_eq!(c["first_breach"], "2000-10-10T10:08:00-07:00");
        assert_eq!(c["windows_judged"], 26);
        assert_eq!(c["windows_breached"], 3);
        assert_eq!(c["passed"], false);
        // A check over the whole input keeps its old keys only.
        assert!(v["checks"][1].get("window").is_none());

        let slo = &v["slo"];
        assert_eq!(slo["target"], 0.99);
        assert_eq!(slo["period"], 30 * 86_400);
        assert_eq!(slo["bad_selector"], "5xx");
        assert_eq!(
            (slo["bad_requests"].as_u64(), slo["requests"].as_u64()),
            (Some(60), Some(3000))
        );
        // 2% bad is a 2x burn for half an hour of 30 days.
        assert_eq!(slo["burn_rate"], 2.0);
        assert_eq!(slo["budget_consumed"], 0.001389);
        let alerts = slo["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 4);
        let page = &alerts[0];
        assert_eq!(page["name"], "burn(1h,5m) > 14.4");
        assert_eq!(page["severity"], "page");
        assert_eq!(
            (page["long"].as_u64(), page["short"].as_u64()),
            (Some(3600), Some(300))
        );
        assert_eq!(page["factor"], 14.4);
        // At most 60 of 1,300 (4.6%) in the hour: no page. The 1x ticket
        // fires once 20 of 1,100 are bad (1.8%), from 10:11.
        assert_eq!(page["fired"], false);
        assert_eq!(page["first_fired"], Value::Null);
        assert_eq!(alerts[3]["severity"], "ticket");
        assert_eq!(alerts[3]["fired"], true);
        assert_eq!(alerts[3]["first_fired"], "2000-10-10T10:11:00-07:00");
        assert_eq!(alerts[3]["firing_at_end"], true);
        for a in alerts {
            for k in [
                "minutes_firing",
                "episodes",
                "minutes",
                "minutes_judged",
                "peak",
            ] {
                assert!(!a[k].is_null(), "{k}: {a}");
            }
        }
    }
}
