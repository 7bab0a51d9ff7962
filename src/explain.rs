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

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::escape::escape_bytes;
use crate::lang::Lang;
use crate::registry::{self, Class, Entry, Kind, NO_STATUS};
use crate::report::Output;

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
        let arg = escape_bytes(self.arg.as_bytes());
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

/// Prints the whole registry (`codes`) or the entries for `args` (codes such as
/// `499`/`000`, classes such as `4xx`) in `output` format.
pub fn run(
    codes: bool,
    args: &[String],
    output: Output,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), Error> {
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

    match output {
        Output::Table => write_table(out, &items, lang, terminal_width()),
        Output::Csv => write_csv(out, &items, lang),
        Output::Json => write_json(out, &items, lang),
    }
    .and_then(|()| out.flush())
    .map_err(Error::Write)
}

/// Width to wrap the table to: `COLUMNS` when set (shells export it, and it
/// lets tests pin the layout), else 100; never below 40 so the description
/// column keeps a usable width.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(100)
        .max(40)
}

/// Longest reason shown unclipped; longer ones end in `…`.
const MAX_REASON_WIDTH: usize = 36;
/// Code column: wide enough for `CODE`/`代码` and `000`.
const CODE_WIDTH: usize = 4;
const GAP: &str = "  ";

fn write_table(out: &mut dyn Write, items: &[Item], lang: Lang, width: usize) -> io::Result<()> {
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
    let source_at = indent + reason_w + GAP.len() + kind_w + GAP.len();
    let source_w = width.saturating_sub(source_at).max(12);
    let desc_w = width.saturating_sub(indent).max(20);

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

/// Pads `s` with spaces to `width` display columns (Chinese characters count two).
fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    format!("{s}{:1$}", "", width.saturating_sub(w))
}

/// Shortens `s` to at most `width` display columns, ending in `…` when cut.
fn clip(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut used = 0;
    let mut t = String::new();
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        t.push(c);
    }
    t.push('…');
    t
}

/// Greedy wrap to `width` display columns. A line may break at a space (which
/// is dropped) or next to a wide (CJK) character, since Chinese has no spaces;
/// but never before closing punctuation such as `，。）` nor after an opening
/// one, so no line starts with a comma. Without any such place in the line it
/// breaks between any two characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    const NO_START: &str = "，。、；：！？）」』”’》…,.;:!?)";
    const NO_END: &str = "（「『“‘《(";
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    // Where `line` may be split: (byte offset, bytes to drop there).
    let mut brk: Option<(usize, usize)> = None;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        // May the line break right before `c`?
        let before = match prev {
            // After a space the space itself is the break (see below).
            None | Some(' ') => false,
            Some(p) => {
                (w > 1 || p.width().unwrap_or(0) > 1)
                    && !NO_START.contains(c)
                    && !NO_END.contains(p)
            }
        };
        if before && c != ' ' {
            brk = Some((line.len(), 0));
        }
        if used + w > width && !line.is_empty() {
            if c == ' ' {
                // Overflowing on a space: end the line here, drop the space.
                lines.push(std::mem::take(&mut line));
                used = 0;
                brk = None;
                prev = None;
                continue;
            }
            match brk.filter(|&(at, _)| at > 0) {
                Some((at, skip)) => {
                    let rest = line[at + skip..].to_string();
                    line.truncate(at);
                    lines.push(std::mem::replace(&mut line, rest));
                }
                None => lines.push(std::mem::take(&mut line)),
            }
            used = line.width();
            brk = None;
            if used + w > width && !line.is_empty() {
                // The carried-over tail still has no room for `c`: the
                // punctuation rules lose to the width.
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
        }
        if c == ' ' && !line.is_empty() {
            brk = Some((line.len(), 1));
        }
        if c != ' ' || !line.is_empty() {
            line.push(c);
            used += w;
        }
        prev = Some(c);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn class_text(item: Item) -> &'static str {
    item.class().map_or("", Class::label)
}

fn write_csv(out: &mut dyn Write, items: &[Item], lang: Lang) -> io::Result<()> {
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
    fn wrap_respects_display_width() {
        let zh = registry::lookup(499).unwrap().zh;
        for w in [10, 21, 40] {
            let lines = wrap(zh, w);
            assert!(lines.iter().all(|l| l.width() <= w), "{lines:?}");
            // Only the spaces a line was broken at may disappear.
            assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
            assert!(
                lines
                    .iter()
                    .skip(1)
                    .all(|l| !l.starts_with(['，', '。', '；']))
            );
        }
        let en = registry::lookup(499).unwrap().en;
        let lines = wrap(en, 30);
        assert!(lines.iter().all(|l| l.width() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), en);
    }

    proptest::proptest! {
        #[test]
        fn wrap_never_loses_text_or_overflows(text in "[a-z ，。（）客户端关闭 ]{0,80}", width in 2usize..30) {
            let lines = wrap(&text, width);
            for l in &lines {
                proptest::prop_assert!(l.width() <= width, "{:?}", lines);
            }
            let squash = |s: &str| s.replace(' ', "");
            proptest::prop_assert_eq!(squash(&lines.concat()), squash(&text));
        }
    }

    #[test]
    fn clip_and_pad_count_double_width() {
        assert_eq!(pad("客户", 6).width(), 6);
        assert_eq!(pad("客户", 6), "客户  ");
        let c = clip("客户端关闭请求", 7);
        assert!(c.width() <= 7 && c.ends_with('…'), "{c}");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn table_columns_align_in_chinese() {
        let items = all_items();
        let mut buf = Vec::new();
        write_table(&mut buf, &items, Lang::Zh, 100).unwrap();
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
