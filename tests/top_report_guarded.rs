//! The drill-down's outputs with CI workflow commands guarded (as under
//! GitHub Actions): no value, field or selector can forge a command in the
//! table, the JSON or the `--top-csv` file. A file of its own because the
//! guard is process-wide: turning it on here cannot change what the other
//! report tests see.

use logstat::escape;
use logstat::lang::{Lang, Langs};
use logstat::report::{self, ReportOptions};
use logstat::summary::{Summary, Top, TopRow};

/// Whether a line would be a workflow command: `::` first after
/// whitespace, or `##[` anywhere.
fn commands(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .collect()
}

#[test]
fn no_output_of_a_top_carries_a_workflow_command() {
    escape::guard_workflow_commands(true);
    let top = Top {
        field: "json:##[error]k".into(),
        selector: Some("5xx".into()),
        selected: 3,
        rows: vec![
            TopRow {
                value: b"::error::pwned".to_vec(),
                count: 2,
                codes: [(500, 2)].into_iter().collect(),
            },
            TopRow {
                value: b"/x ##[add-mask]secret".to_vec(),
                count: 1,
                codes: [(502, 1)].into_iter().collect(),
            },
        ],
        exact: true,
        grouping: vec!["ids".into(), "::stop-commands::tok".into()],
        ..Top::default()
    };
    let s = Summary {
        top: vec![top],
        ..Summary::default()
    };
    // Narrow, so the grouping rules wrap and one starts a line.
    let o = ReportOptions {
        lang: Langs::both(Lang::En),
        width: Some(30),
        ..ReportOptions::default()
    };
    let mut table = Vec::new();
    report::write_table(&mut table, &s, &o).unwrap();
    let mut json = Vec::new();
    report::write_json(&mut json, &s, &o, None).unwrap();
    let mut csv = Vec::new();
    report::top::write_csv(&mut csv, &s.top, &o).unwrap();
    for out in [table, json, csv] {
        let text = String::from_utf8(out).unwrap();
        assert_eq!(commands(&text), Vec::<&str>::new(), "{text}");
        // Still there to read, escaped (in JSON its backslashes doubled).
        assert!(text.contains("x3a:error\\"), "{text}");
        assert!(text.contains("x23#[add-mask]"), "{text}");
    }
}
