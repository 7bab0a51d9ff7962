//! `--codes` and `--explain`: printing the registry.
//!
//! Both flags reduce to one list of items, rendered as a table, CSV or JSON,
//! so the three formats always agree on what is listed and in which order.
//!
//! Decisions worth knowing:
//! - Arguments are all validated before anything is printed: if any argument is
//!   neither a code nor a class, [`run`] returns every bad one
//!   ([`Error::NotTargets`]) and nothing goes to `out`. A script then never
//!   mistakes a partial answer for a full one.
//! - [`run`] returns what happened, never an exit status: `cli` decides exit
//!   codes in one place for every command, so this module need not know the
//!   numbers (nor that a closed pipe after `--codes | head` counts as success).
//! - `-` explains the no-status bucket ([`registry::NO_STATUS`]).
//! - CSV writes code 0 as `000` (codes are zero-padded to three digits, as
//!   nginx logs them) and no status as `-`; JSON writes real codes as numbers
//!   and no status as the string `"-"`, so it cannot be mistaken for a code.
//!   `class` is empty in CSV and `null` in JSON when there is none; `kind` is
//!   the untranslated token ([`Kind::as_str`]) or `unregistered`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::escape::escape_str;
use crate::lang::{Lang, Langs};
use crate::registry::{self, Class, Entry, Kind, NO_STATUS};
use crate::report::{self, Output};
use crate::text::{clip, pad, wrap};

/// One thing to print.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A registry entry, or [`NO_STATUS`].
    Entry(&'static Entry),
    /// A code in 0–999 that the registry does not know.
    Unregistered(u16),
}

impl Item {
    fn is_no_status(self) -> bool {
        matches!(self, Item::Entry(e) if std::ptr::eq(e, &NO_STATUS))
    }

    fn code(self) -> u16 {
        match self {
            Item::Entry(e) => e.code,
            Item::Unregistered(c) => c,
        }
    }

    /// The code as logstat writes it: `000`-style, or `-` for no status.
    fn code_text(self) -> String {
        if self.is_no_status() {
            "-".to_string()
        } else {
            format!("{:03}", self.code())
        }
    }

    fn class(self) -> Option<Class> {
        Class::of(self.code())
    }

    fn reason(self, lang: Lang) -> &'static str {
        match self {
            Item::Entry(e) => e.reason(lang),
            Item::Unregistered(_) => lang.pick("(not registered)", "（未登记）"),
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Item::Entry(e) => e.kind.as_str(),
            Item::Unregistered(_) => "unregistered",
        }
    }

    fn kind_label(self, lang: Lang) -> &'static str {
        match self {
            Item::Entry(e) => kind_name(e.kind, lang),
            Item::Unregistered(_) => lang.pick("unregistered", "未登记"),
        }
    }

    fn defined_by(self) -> &'static str {
        match self {
            Item::Entry(e) => e.defined_by,
            Item::Unregistered(_) => "",
        }
    }

    fn description(self, lang: Lang) -> String {
        match self {
            Item::Entry(e) => e.description(lang).to_string(),
            Item::Unregistered(code) => match Class::of(code) {
                Some(c) => match lang {
                    Lang::En => format!(
                        "Not in logstat's registry; by its first digit a {} {}.",
                        c.label(),
                        c.name(lang).to_lowercase()
                    ),
                    Lang::Zh => format!(
                        "不在 logstat 的登记表中；按首位数字属于 {} {}。",
                        c.label(),
                        c.name(lang)
                    ),
                },
                None => lang
                    .pick(
                        "Not in logstat's registry and outside 100-599, so it has no class.",
                        "不在 logstat 的登记表中，且不在 100-599 范围内，因此没有类别。",
                    )
                    .to_string(),
            },
        }
    }

    fn former_names(self) -> &'static [&'static str] {
        match self {
            Item::Entry(e) => e.former_names,
            Item::Unregistered(_) => &[],
        }
    }
}

fn kind_name(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Standard => lang.pick("standard", "标准"),
        Kind::Deprecated => lang.pick("deprecated", "已弃用"),
        Kind::Unused => lang.pick("unused", "未使用"),
        Kind::Experimental => lang.pick("experimental", "实验性"),
        Kind::NonStandard => lang.pick("non-standard", "非标准"),
    }
}

/// What one `--explain` argument asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Code(u16),
    Class(Class),
    NoStatus,
}

/// Parses `499`, `000`, `0` (one to three digits, so 0–999), `4xx`, or `-`.
fn parse_target(arg: &str) -> Option<Target> {
    if arg == "-" {
        return Some(Target::NoStatus);
    }
    if let Some(c) = Class::parse(arg) {
        return Some(Target::Class(c));
    }
    if (1..=3).contains(&arg.len()) && arg.bytes().all(|b| b.is_ascii_digit()) {
        return arg.parse().ok().map(Target::Code);
    }
    None
}

/// Everything `--codes` lists: classes 1xx–5xx in order, then the entries
/// without a class (000 and the no-status bucket).
fn all_items() -> Vec<Item> {
    let mut items: Vec<Item> = Class::ALL.iter().flat_map(|&c| class_items(c)).collect();
    items.extend(
        registry::entries()
            .iter()
            .filter(|e| e.class().is_none())
            .map(Item::Entry),
    );
    items.push(Item::Entry(&NO_STATUS));
    items
}

fn class_items(class: Class) -> impl Iterator<Item = Item> {
    registry::entries()
        .iter()
        .filter(move |e| e.class() == Some(class))
        .map(Item::Entry)
}

fn target_items(target: Target) -> Vec<Item> {
    match target {
        Target::NoStatus => vec![Item::Entry(&NO_STATUS)],
        Target::Class(c) => class_items(c).collect(),
        Target::Code(code) => {
            let found: Vec<Item> = registry::lookup_all(code).map(Item::Entry).collect();
            if found.is_empty() {
                vec![Item::Unregistered(code)]
            } else {
                found
            }
        }
    }
}

/// An `--explain` argument that is neither a status code nor a class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotATarget {
    /// The argument as given (escaped when shown).
    pub arg: String,
    /// The language of the message.
    pub lang: Lang,
}

impl std::fmt::Display for NotATarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let arg = escape_str(&self.arg);
        match self.lang {
            Lang::En => write!(f, "'{arg}' is not a status code (0-999) or class (1xx-5xx)"),
            Lang::Zh => write!(f, "'{arg}' 不是状态码（0-999）或状态类别（1xx-5xx）"),
        }
    }
}

impl std::error::Error for NotATarget {}

/// Why `--codes` / `--explain` gave no full listing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Every bad argument, in the order given; nothing was printed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NotTargets(Vec<NotATarget>),
    /// Writing the listing failed (a closed pipe included: whether that is
    /// a failure is the caller's call).
    #[error(transparent)]
    Write(io::Error),
}

/// How to print the listing.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub output: Output,
    /// The table and error messages speak `human`; CSV and JSON `data`.
    pub lang: Langs,
    /// Terminal cells the table should fit ([`crate::text::terminal_width`]);
    /// `None` writes whole lines. Never narrower than 40.
    pub width: Option<usize>,
    /// `--no-descriptions`: the table lists codes without their descriptions.
    /// CSV and JSON keep them, so their columns never depend on it.
    pub no_descriptions: bool,
}

/// Prints the whole registry (`codes`) or the entries for `args` (codes such as
/// `499`/`000`, classes such as `4xx`) as `o` says.
pub fn run(codes: bool, args: &[String], o: &Options, out: &mut dyn Write) -> Result<(), Error> {
    let lang = o.lang.human;
    let items = if codes {
        all_items()
    } else {
        let mut targets = Vec::with_capacity(args.len());
        let mut bad = Vec::new();
        for arg in args {
            match parse_target(arg) {
                Some(t) => targets.push(t),
                None => bad.push(NotATarget {
                    arg: arg.clone(),
                    lang,
                }),
            }
        }
        if !bad.is_empty() {
            return Err(Error::NotTargets(bad));
        }
        targets.into_iter().flat_map(target_items).collect()
    };

    let table = Table {
        lang,
        width: o.width.map(|w| w.max(40)),
        descriptions: !o.no_descriptions,
    };
    match o.output {
        Output::Table => write_table(out, &items, &table),
        Output::Csv => write_csv(out, &items, o.lang.data),
        Output::Json => write_json(out, &items, o.lang.data),
    }
    .and_then(|()| out.flush())
    .map_err(Error::Write)
}

/// Longest reason shown unclipped; longer ones end in `…`.
const MAX_REASON_WIDTH: usize = 36;
/// Narrowest the reason and `DEFINED BY` columns get on a narrow terminal.
const MIN_SOURCE_WIDTH: usize = 12;
/// Code column: wide enough for `CODE`/`代码` and `000`.
const CODE_WIDTH: usize = 4;
const GAP: &str = "  ";

/// How the table is drawn.
struct Table {
    lang: Lang,
    /// `None`: no limit.
    width: Option<usize>,
    descriptions: bool,
}

fn write_table(out: &mut dyn Write, items: &[Item], t: &Table) -> io::Result<()> {
    let lang = t.lang;
    let reason_w = items
        .iter()
        .map(|i| i.reason(lang).width())
        .chain([lang.pick("REASON", "原因").width()])
        .max()
        .unwrap_or(0)
        .min(MAX_REASON_WIDTH);
    let kind_w = items
        .iter()
        .map(|i| i.kind_label(lang).width())
        .chain([lang.pick("KIND", "类型").width()])
        .max()
        .unwrap_or(0);
    let indent = CODE_WIDTH + GAP.len();
    // On a narrow terminal the reason gives up room first, so that the
    // source keeps [`MIN_SOURCE_WIDTH`] cells and the row still fits.
    let reason_w = t.width.map_or(reason_w, |w| {
        let others = indent + GAP.len() + kind_w + GAP.len() + MIN_SOURCE_WIDTH;
        reason_w.min(w.saturating_sub(others).max(MIN_SOURCE_WIDTH))
    });
    let source_at = indent + reason_w + GAP.len() + kind_w + GAP.len();
    let source_w = t.width.map_or(usize::MAX, |w| {
        w.saturating_sub(source_at).max(MIN_SOURCE_WIDTH)
    });
    let desc_w = t
        .width
        .map_or(usize::MAX, |w| w.saturating_sub(indent).max(20));

    let row = |out: &mut dyn Write, code: &str, reason: &str, kind: &str, source: &str| {
        let line = format!(
            "{}{GAP}{}{GAP}{}{GAP}{}",
            pad(code, CODE_WIDTH),
            pad(&clip(reason, reason_w), reason_w),
            pad(kind, kind_w),
            clip(source, source_w)
        );
        writeln!(out, "{}", line.trim_end())
    };

    row(
        out,
        lang.pick("CODE", "代码"),
        lang.pick("REASON", "原因"),
        lang.pick("KIND", "类型"),
        lang.pick("DEFINED BY", "定义来源"),
    )?;
    let mut group: Option<Option<Class>> = None;
    for &item in items {
        if group != Some(item.class()) {
            group = Some(item.class());
            writeln!(out)?;
            match item.class() {
                Some(c) => writeln!(out, "{}  {}", c.label(), c.name(lang))?,
                None => writeln!(
                    out,
                    "{}",
                    lang.pick("No class (not 100-599)", "无类别（不在 100-599）")
                )?,
            }
        }
        row(
            out,
            &item.code_text(),
            item.reason(lang),
            item.kind_label(lang),
            item.defined_by(),
        )?;
        if !t.descriptions {
            continue;
        }
        let mut text = item.description(lang);
        let former = item.former_names();
        if !former.is_empty() {
            let sep = lang.pick("; ", "；");
            let label = lang.pick(" Former names: ", "曾用名：");
            text.push_str(label);
            text.push_str(&former.join(sep));
            text.push_str(lang.pick(".", "。"));
        }
        for line in wrap(&text, desc_w) {
            writeln!(out, "{:indent$}{line}", "")?;
        }
    }
    Ok(())
}

fn class_text(item: Item) -> &'static str {
    item.class().map_or("", Class::label)
}

fn write_csv(out: &mut dyn Write, items: &[Item], lang: Lang) -> io::Result<()> {
    report::csv_start(out, lang)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "code",
        "reason",
        "class",
        "kind",
        "defined_by",
        "description",
    ])?;
    for &item in items {
        w.write_record([
            item.code_text().as_str(),
            item.reason(lang),
            class_text(item),
            item.kind(),
            item.defined_by(),
            &item.description(lang),
        ])?;
    }
    w.flush()
}

fn write_json(out: &mut dyn Write, items: &[Item], lang: Lang) -> io::Result<()> {
    use serde_json::{Value, json};
    let rows: Vec<Value> = items
        .iter()
        .map(|&item| {
            let code = if item.is_no_status() {
                json!("-")
            } else {
                json!(item.code())
            };
            let class = item.class().map_or(Value::Null, |c| json!(c.label()));
            json!({
                "code": code,
                "reason": item.reason(lang),
                "class": class,
                "kind": item.kind(),
                "defined_by": item.defined_by(),
                "description": item.description(lang),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(parse_target("499"), Some(Target::Code(499)));
        assert_eq!(parse_target("000"), Some(Target::Code(0)));
        assert_eq!(parse_target("0"), Some(Target::Code(0)));
        assert_eq!(parse_target("4XX"), Some(Target::Class(Class::ClientError)));
        assert_eq!(parse_target("-"), Some(Target::NoStatus));
        for bad in ["abc", "1000", "6xx", "-5", "", "0499", "+5", " 5", "٤٩٩"] {
            assert_eq!(parse_target(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn table_columns_align_in_chinese() {
        let items = all_items();
        let mut buf = Vec::new();
        let t = Table {
            lang: Lang::Zh,
            width: Some(100),
            descriptions: true,
        };
        write_table(&mut buf, &items, &t).unwrap();
        let text = String::from_utf8(buf).unwrap();
        // Every entry row starts with a code; its kind column must start at
        // the same display column as the header's.
        let kind_col = |line: &str| {
            let kinds = ["类型", "标准", "已弃用", "未使用", "实验性", "非标准"];
            kinds
                .iter()
                .filter_map(|k| line.find(&format!("  {k}")).map(|i| line[..i + 2].width()))
                .min()
        };
        let header = text.lines().next().unwrap();
        let want = kind_col(header).unwrap();
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("- ")
                    || l.get(..3)
                        .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        assert_eq!(rows.len(), registry::entries().len() + 1);
        for r in rows {
            assert_eq!(kind_col(r), Some(want), "{r}");
        }
        assert!(text.lines().all(|l| l.width() <= 100));
    }
}
