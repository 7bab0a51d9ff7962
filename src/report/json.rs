//! The JSON report. The scan issue's keys (`lines`, `requests`, `no_status`,
//! `skipped`, `malformed`, `codes`, `classes`, `inputs`) are a stable contract.

use serde_json::{Value, json};

use super::ReportOptions;
use crate::check::CheckResult;
use crate::summary::Summary;

pub fn to_value(s: &Summary, _o: &ReportOptions, _checks: Option<&[CheckResult]>) -> Value {
    let t = &s.total;
    let codes: Vec<Value> = t
        .observed()
        .map(|(code, count)| json!({"code": code, "count": count}))
        .collect();
    let classes: Vec<Value> = t
        .class_counts()
        .iter()
        .map(|(c, n)| json!({"class": c.label(), "count": n}))
        .chain(std::iter::once(
            json!({"class": "other", "count": t.other_class()}),
        ))
        .collect();
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|i| {
            json!({
                "path": i.path,
                "format": i.format,
                "lines": i.counts.lines(),
                "requests": i.counts.requests(),
                "no_status": i.counts.no_status,
                "skipped": i.counts.skipped,
                "malformed": i.counts.malformed,
            })
        })
        .collect();
    json!({
        "lines": t.lines(),
        "requests": t.requests(),
        "no_status": t.no_status,
        "skipped": t.skipped,
        "malformed": t.malformed,
        "codes": codes,
        "classes": classes,
        "inputs": inputs,
    })
}
