//! Compiles `data/registry.tsv` into the status-code table of `src/registry.rs`.
//!
//! The TSV is the one place a reviewer or translator edits the registry's
//! words; this script checks every row and writes two Rust expressions into
//! `OUT_DIR` that `src/registry.rs` `include!`s: `registry_table.rs` (the
//! `TABLE` slice, one `Entry` per code row, in file order) and
//! `registry_no_status.rs` (the `NO_STATUS` entry, from the `-` row).
//!
//! A row the registry could not use stops the build with
//! `data/registry.tsv:LINE: message`, so a slip in the data never reaches a
//! binary. Only std is used: the format is plain tab-separated text without
//! quoting, so a cell can hold anything except tabs and control characters.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

const TSV: &str = "data/registry.tsv";

/// The header line, which also fixes the column order.
const COLUMNS: [&str; 9] = [
    "code",
    "reason",
    "reason_zh",
    "kind",
    "defined_by",
    "vendor",
    "former_names",
    "description_en",
    "description_zh",
];

/// Columns that may be empty; every other cell must have text.
const OPTIONAL: [&str; 2] = ["vendor", "former_names"];

/// Separator between former names inside the `former_names` cell.
const NAME_SEP: &str = "; ";

/// A build error: the 1-based line of the TSV and what is wrong there.
struct Error(usize, String);

/// The generated sources: the `TABLE` slice expression and the `NO_STATUS`
/// entry expression.
struct Generated {
    table: String,
    no_status: String,
}

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={TSV}");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let text = match std::fs::read_to_string(Path::new(&manifest).join(TSV)) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{TSV}: cannot read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let generated = match compile(&text) {
        Ok(g) => g,
        Err(Error(line, msg)) => {
            eprintln!("{TSV}:{line}: {msg}");
            return ExitCode::FAILURE;
        }
    };
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    for (name, src) in [
        ("registry_table.rs", &generated.table),
        ("registry_no_status.rs", &generated.no_status),
    ] {
        if let Err(e) = std::fs::write(out.join(name), src) {
            eprintln!("{}: cannot write: {e}", out.join(name).display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Checks the whole file and renders it; the first bad row is the error.
fn compile(text: &str) -> Result<Generated, Error> {
    // `split('\n')` rather than `lines()`: a `\r` left by a CRLF editor must
    // reach the control-character check instead of being dropped silently.
    let mut lines = text.strip_suffix('\n').unwrap_or(text).split('\n');
    let header = lines.next().unwrap_or("");
    if header != COLUMNS.join("\t") {
        return Err(Error(
            1,
            format!(
                "the header must be the tab-separated column names: {}",
                COLUMNS.join(" ")
            ),
        ));
    }

    let mut table = String::from("&[\n");
    let mut no_status: Option<String> = None;
    let mut previous: Option<u16> = None;
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut last_line = 1;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        last_line = n;
        let err = |msg: String| Error(n, msg);
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != COLUMNS.len() {
            return Err(err(format!(
                "{} columns, expected {} (a tab or line break inside a cell splits the row)",
                cells.len(),
                COLUMNS.len()
            )));
        }
        for (cell, column) in cells.iter().zip(COLUMNS) {
            check_cell(cell, column).map_err(&err)?;
        }
        let [
            code,
            reason,
            reason_zh,
            kind,
            defined_by,
            vendor,
            former,
            en,
            zh,
        ] = cells[..].try_into().expect("column count checked");

        let kind = kind_variant(kind).ok_or_else(|| {
            err(format!(
                "unknown kind {kind:?}: one of standard, deprecated, unused, experimental, non-standard"
            ))
        })?;
        match kind {
            "Standard" if !vendor.is_empty() => {
                return Err(err(format!(
                    "standard code with vendor {vendor:?}: vendor names who emits a non-standard code"
                )));
            }
            "NonStandard" if vendor.is_empty() => {
                return Err(err("non-standard code without a vendor".to_string()));
            }
            _ => {}
        }
        let names: Vec<&str> = if former.is_empty() {
            Vec::new()
        } else {
            former.split(NAME_SEP).collect()
        };
        if names.iter().any(|name| name.trim().is_empty()) {
            return Err(err(format!(
                "empty name in former_names {former:?} (names are separated by {NAME_SEP:?})"
            )));
        }
        if !seen.insert((code.to_string(), reason.to_string())) {
            return Err(err(format!(
                "duplicate row: code {code} {reason:?} is already listed"
            )));
        }

        let code_expr = if code == "-" {
            if no_status.is_some() {
                return Err(err(
                    "a second '-' row: there is one no-status entry".to_string()
                ));
            }
            "NO_STATUS_CODE".to_string()
        } else {
            let value = parse_code(code).ok_or_else(|| {
                err(format!(
                    "code {code:?} is neither '-' nor a number 0-999 (no sign, no leading zeros)"
                ))
            })?;
            match previous {
                Some(prev) if value < prev => {
                    return Err(err(format!(
                        "code {value} after {prev}: rows must be in ascending code order"
                    )));
                }
                _ => {}
            }
            previous = Some(value);
            value.to_string()
        };

        let mut entry = String::new();
        write!(
            entry,
            "Entry {{ code: {code_expr}, reason: {reason:?}, reason_zh: {reason_zh:?}, \
             kind: Kind::{kind}, defined_by: {defined_by:?}, vendor: {vendor:?}, \
             former_names: &{names:?}, en: {en:?}, zh: {zh:?} }}"
        )
        .expect("writing to a String");
        if code == "-" {
            no_status = Some(entry);
        } else {
            writeln!(table, "    {entry},").expect("writing to a String");
        }
    }
    table.push_str("]\n");
    let no_status = no_status.ok_or_else(|| {
        Error(
            last_line,
            "no '-' row: the no-status entry is missing".to_string(),
        )
    })?;
    Ok(Generated {
        table,
        no_status: no_status + "\n",
    })
}

/// Rejects cells the table could not hold as written: control characters
/// (including a stray `\r`), padding that would print, and empty required text.
fn check_cell(cell: &str, column: &str) -> Result<(), String> {
    if let Some(c) = cell.chars().find(|c| c.is_control()) {
        return Err(format!(
            "control character U+{:04X} in column {column}",
            u32::from(c)
        ));
    }
    if cell.trim() != cell {
        return Err(format!("leading or trailing space in column {column}"));
    }
    if cell.is_empty() && !OPTIONAL.contains(&column) {
        return Err(format!("column {column} is empty"));
    }
    Ok(())
}

/// The `Kind` variant for a TSV kind token.
fn kind_variant(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "standard" => "Standard",
        "deprecated" => "Deprecated",
        "unused" => "Unused",
        "experimental" => "Experimental",
        "non-standard" => "NonStandard",
        _ => return None,
    })
}

/// A code cell in canonical decimal form, 0–999.
fn parse_code(cell: &str) -> Option<u16> {
    let value: u16 = cell.parse().ok()?;
    (value < 1000 && value.to_string() == cell).then_some(value)
}
