//! Renderers: the terminal table, the CSV summary and the full JSON.
//!
//! SKELETON (reports helper): the signatures below are what `cli` calls.

pub mod json;
pub mod progress;

use std::io::{self, Write};

use crate::check::CheckResult;
use crate::lang::Lang;
use crate::summary::Summary;

/// What every renderer needs besides the summary.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    pub lang: Lang,
    /// Emit ANSI colors (already resolved from `--color`, NO_COLOR and isatty).
    pub color: bool,
    /// `--per-input`: add a per-input class table.
    pub per_input: bool,
}

/// The annotated terminal table.
pub fn write_table(w: &mut dyn Write, s: &Summary, _o: &ReportOptions) -> io::Result<()> {
    writeln!(
        w,
        "lines {} requests {}",
        s.total.lines(),
        s.total.requests()
    )?;
    for (code, n) in s.total.observed() {
        writeln!(w, "{code:03} {n}")?;
    }
    Ok(())
}

/// The CSV summary: one row per observed code.
pub fn write_csv(w: &mut dyn Write, s: &Summary, _o: &ReportOptions) -> io::Result<()> {
    writeln!(w, "code,count")?;
    for (code, n) in s.total.observed() {
        writeln!(w, "{code},{n}")?;
    }
    Ok(())
}

/// The full JSON object (one line of pretty JSON, newline-terminated).
pub fn write_json(
    w: &mut dyn Write,
    s: &Summary,
    o: &ReportOptions,
    checks: Option<&[CheckResult]>,
) -> io::Result<()> {
    let v = json::to_value(s, o, checks);
    serde_json::to_writer_pretty(&mut *w, &v)?;
    writeln!(w)
}
