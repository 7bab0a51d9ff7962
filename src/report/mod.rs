//! Renderers: the terminal table, the CSV summary and the full JSON.
//!
//! All three draw on [`code_rows`], so a code's class, reason, kind, share and
//! description read the same everywhere; only the presentation differs.
//!
//! Every CSV cell that holds text from a log, a file name or an argument goes
//! through [`csv_text`], which keeps a spreadsheet from running it as a
//! formula; the text logstat writes itself (reasons, descriptions, class
//! labels, numbers) needs no guard.

pub mod json;
pub mod progress;
pub mod series;
pub mod table;
pub mod top;

use std::io::{self, Write};

use crate::check::CheckResult;
use crate::escape;
use crate::lang::{Lang, Langs};
use crate::registry::{self, Class};
use crate::summary::{Counts, Summary};

pub use table::write_table;

/// The kind of the main output (`-o`). It lives here, below both `cli` and
/// `explain`, because `--codes` / `--explain` print the same three kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Table,
    Csv,
    Json,
}

/// What every renderer needs besides the summary.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// The table speaks `human`; CSV and JSON speak `data`.
    pub lang: Langs,
    /// Emit ANSI colors (already resolved from `--color`, NO_COLOR and isatty).
    pub color: bool,
    /// `--per-input`: add a per-input class table.
    pub per_input: bool,
    /// Terminal cells the table should fit ([`crate::text::terminal_width`]);
    /// `None` writes whole lines.
    pub width: Option<usize>,
    /// `--no-descriptions`: the table leaves out the code descriptions. CSV
    /// and JSON keep them, so their columns and keys never depend on it.
    pub no_descriptions: bool,
    /// `--csv-raw`: CSV text cells as they are, without the formula guard
    /// of [`csv_text`].
    pub csv_raw: bool,
}

/// Starts a CSV in `lang`. A Chinese CSV begins with the UTF-8 byte-order
/// mark: without it Excel reads the file in the system's legacy code page and
/// shows mojibake. English CSV (the default, and what scripts read) stays
/// plain, since the mark would be read as part of the first header name by
/// tools that do not expect it.
pub fn csv_start(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Zh => w.write_all("\u{feff}".as_bytes()),
        Lang::En => Ok(()),
    }
}

/// A text cell for a CSV, guarded against formula injection: a cell that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'`
/// in front, as OWASP recommends. Spreadsheets (Excel, LibreOffice, Google
/// Sheets) run such a cell as a formula when the file is opened, and a log
/// line is written by whoever sent the request: a path of
/// `=cmd|' /C calc'!A0` must not run anything. The apostrophe shows in
/// the cell; `--csv-raw` (`ReportOptions::csv_raw`) leaves cells as they
/// are for scripts that want the exact text.
pub fn csv_text<'a>(text: &'a str, o: &ReportOptions) -> std::borrow::Cow<'a, str> {
    const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    if !o.csv_raw && text.starts_with(TRIGGERS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The `kind` word of a code the registry does not know. Kept beside the
/// registry's own kinds so CSV/JSON consumers can filter on one column.
pub const UNREGISTERED: &str = "unregistered";

/// One observed code with everything the registry says about it.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeRow {
    pub code: u16,
    pub count: u64,
    /// Fraction of requests (0 when there were none).
    pub share: f64,
    /// `1xx`…`5xx`, or `other` outside 100–599.
    pub class: &'static str,
    /// Reason phrase in the report language; `None` when unregistered.
    pub reason: Option<&'static str>,
    /// `standard`, `non-standard`, … or [`UNREGISTERED`].
    pub kind: &'static str,
    /// Who emits a non-standard code (`nginx`), empty when nobody in particular.
    pub vendor: &'static str,
    /// One-line description in the report language; `None` when unregistered.
    pub description: Option<&'static str>,
}

/// `count / total`, or 0 when `total` is 0: an empty log has no shares, and
/// 0 keeps every consumer's arithmetic finite (NaN would turn into JSON null).
pub fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// `1xx`…`5xx`, or `other` for codes outside 100–599 (`000`, nginx `009`).
pub fn class_label(code: u16) -> &'static str {
    Class::of(code).map_or("other", Class::label)
}

/// Every observed code of the total, ascending, annotated from the registry.
pub fn code_rows(s: &Summary, lang: Lang) -> Vec<CodeRow> {
    annotate(&s.total, lang)
}

/// Every observed code of `counts`, ascending, annotated from the registry,
/// shares within `counts`' requests.
pub fn annotate(counts: &Counts, lang: Lang) -> Vec<CodeRow> {
    let requests = counts.requests();
    counts
        .observed()
        .map(|(code, count)| {
            let e = registry::lookup(code);
            CodeRow {
                code,
                count,
                share: share(count, requests),
                class: class_label(code),
                reason: e.map(|e| e.reason(lang)),
                kind: e.map_or(UNREGISTERED, |e| e.kind.as_str()),
                vendor: e.map_or("", |e| e.vendor),
                description: e.map(|e| e.description(lang)),
            }
        })
        .collect()
}

/// The CSV summary: a header, then one row per observed code, ascending.
///
/// Columns `code,class,reason,kind,count,share,description`. `code` is a plain
/// integer (0 for `000`) like in the JSON, so spreadsheets sort and filter it
/// numerically; `share` is a fraction of requests with 6 decimals; `reason` and
/// `description` are in the data language (empty when unregistered); `kind`
/// is a machine word that never changes with the language. Quoting follows
/// RFC 4180 via the `csv` crate; no totals rows, so every row is one code.
/// A Chinese CSV starts with a byte-order mark ([`csv_start`]).
///
/// With `--per-input` (`ReportOptions::per_input`) the rows are per input
/// instead: columns `input,format` then the same seven, one row per input
/// and code it holds, in input order then code order, `share` within that
/// input's requests. The totals are the sums over inputs by code, so the
/// file holds no total rows; an input without requests has no row. It is
/// per input whatever the number of inputs, so the columns depend on the
/// flags alone. `input` is the name as the table shows it (escaped), and,
/// like every text cell from outside logstat, guarded ([`csv_text`]).
pub fn write_csv(w: &mut dyn Write, s: &Summary, o: &ReportOptions) -> io::Result<()> {
    let lang = o.lang.data;
    csv_start(w, lang)?;
    let mut out = csv::Writer::from_writer(w);
    let head = [
        "code",
        "class",
        "reason",
        "kind",
        "count",
        "share",
        "description",
    ];
    if !o.per_input {
        out.write_record(head)?;
        for r in code_rows(s, lang) {
            out.write_record(code_record(&r))?;
        }
        return out.flush();
    }
    out.write_record(["input", "format"].iter().chain(&head))?;
    for i in &s.inputs {
        let name = escape::escape_path(&i.path);
        let name = csv_text(&name, o);
        for r in annotate(&i.counts, lang) {
            let mut row = vec![name.to_string(), i.format.clone()];
            row.extend(code_record(&r));
            out.write_record(&row)?;
        }
    }
    out.flush()
}

/// A code's seven cells in the CSV summary.
fn code_record(r: &CodeRow) -> [String; 7] {
    [
        r.code.to_string(),
        r.class.to_string(),
        r.reason.unwrap_or("").to_string(),
        r.kind.to_string(),
        r.count.to_string(),
        format!("{:.6}", r.share),
        r.description.unwrap_or("").to_string(),
    ]
}

/// The full JSON object (pretty-printed, newline-terminated), in the data
/// language.
///
/// File names and error messages in it are not escaped (JSON escapes what it
/// must, and a script wants the name itself), so with workflow commands
/// guarded ([`escape::guard_workflow_commands`]) every `##[` is written with
/// its first `#` as `\u0023`: the same string to any JSON parser, but no
/// command to a CI runner reading the line. (`::` cannot start a line of
/// pretty-printed JSON: every line starts with a quote or a bracket.)
pub fn write_json(
    w: &mut dyn Write,
    s: &Summary,
    o: &ReportOptions,
    checks: Option<&[CheckResult]>,
) -> io::Result<()> {
    let v = json::to_value(s, o, checks);
    let mut text = serde_json::to_string_pretty(&v)?;
    if escape::workflow_commands_guarded() {
        // Outside strings JSON has no `#`, so this only touches string content.
        text = text.replace("##[", "\\u0023#[");
    }
    writeln!(w, "{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{Counts, InputSummary};
    use std::time::Duration;

    fn summary(codes: &[(u16, u64)]) -> Summary {
        let mut counts = Counts::default();
        for &(c, n) in codes {
            counts.codes[c as usize] = n;
        }
        let input = InputSummary {
            path: "x.log".into(),
            format: "combined".into(),
            counts,
            ..Default::default()
        };
        Summary::from_inputs(vec![input], vec![], Duration::ZERO)
    }

    #[test]
    fn rows_are_ascending_and_annotated() {
        let s = summary(&[(499, 1), (0, 1), (200, 2), (777, 4)]);
        let rows = code_rows(&s, Lang::En);
        let codes: Vec<u16> = rows.iter().map(|r| r.code).collect();
        assert_eq!(codes, [0, 200, 499, 777]);
        assert_eq!(rows[0].class, "other");
        assert_eq!(rows[3].class, "other");
        assert_eq!(rows[1].class, "2xx");
        assert_eq!(rows[2].vendor, "nginx");
        assert_eq!(rows[2].kind, "non-standard");
        assert_eq!(rows[3].kind, UNREGISTERED);
        assert_eq!(rows[3].reason, None);
        assert!((rows[3].share - 0.5).abs() < 1e-12);
    }

    #[test]
    fn empty_summary_has_finite_shares() {
        assert_eq!(share(0, 0), 0.0);
        let s = summary(&[]);
        let mut out = Vec::new();
        write_csv(&mut out, &s, &ReportOptions::default()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "code,class,reason,kind,count,share,description\n"
        );
    }
}
