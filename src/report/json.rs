//! The JSON report. Its keys (`lines`, `requests`, `no_status`, `skipped`,
//! `malformed`, `codes`, `classes`, `inputs`) are a stable contract that
//! scripts read; everything else is added around them, never renamed.
//! `skipped_by_reason` breaks `skipped` down (`blank`, `directive`,
//! `not_request`, summing to it), and each input's `note` says how it was
//! read where its format's name does not (a W3C layout assumed).
//!
//! `"schema": "logstat/1"` comes first so a consumer can check it before
//! reading on; it changes only when a key changes meaning or disappears.

use serde_json::{Map, Value, json};

use super::{ReportOptions, code_rows, share};
use crate::check::CheckResult;
use crate::escape;
use crate::summary::{Counts, Summary};

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

/// Shares are rounded to 6 decimals like the CSV, so the two agree and the
/// JSON does not show float noise such as `0.044444444444444446`.
fn rounded(x: f64) -> f64 {
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
    let other_label = lang.pick("Other", "其他");
    let classes: Vec<Value> = t
        .class_counts()
        .iter()
        .map(|&(c, n)| (c.label(), c.name(lang), n))
        .chain(std::iter::once(("other", other_label, t.other_class())))
        .map(|(class, label, n)| {
            json!({
                "class": class,
                "count": n,
                "label": label,
                "share": rounded(share(n, requests)),
            })
        })
        .collect();
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|i| {
            json!({
                "path": i.path.to_string_lossy(),
                "format": i.format,
                "lines": i.counts.lines(),
                "requests": i.counts.requests(),
                "no_status": i.counts.no_status,
                "skipped": i.counts.skipped,
                "malformed": i.counts.malformed,
                "bytes": i.bytes,
                "error": i.error,
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
                "text": escape::escape_bytes(&e.text),
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
    if let Some(checks) = checks {
        let v: Vec<Value> = checks
            .iter()
            .map(|c| {
                json!({
                    "expr": c.expr,
                    "level": c.level.as_str(),
                    "value": c.value,
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "passed": c.passed(),
                })
            })
            .collect();
        m.insert("checks".into(), v.into());
    }
    Value::Object(m)
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
        };
        let v = to_value(&s, &o, Some(&[c]));
        assert_eq!(v["checks"][0]["passed"], false);
        assert_eq!(v["checks"][0]["level"], "fail");
        assert_eq!(v["checks"][0]["denominator"], 3);
    }
}
