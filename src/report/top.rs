//! The drill-down (`--top FIELD --where SELECTOR`): the table's "Top paths
//! for 5xx" sections, the JSON's `top` array and the `--top-csv` file, all
//! drawn from the summary's [`Top`]s.
//!
//! Each row splits its count by status: by class (1xx–5xx, `other`) in
//! general, by code when the selector stays inside one class (`5xx`,
//! `500-504`, `404,499`), since "which 5xx" is then the question. The table
//! shows at most [`CODE_COLUMNS`] codes, those with the most lines, and sums
//! the others in a `rest` column; the JSON and the CSV keep every code and
//! every class.
//!
//! A value is log bytes, so it is escaped everywhere as malformed examples
//! are ([`escape::escape_bytes`]: control and invisible characters, invalid
//! UTF-8 and the backslash become `\x1b`, `\u{202e}`, `\xff`, `\\`). That
//! keeps a JSON string valid for any bytes and a CSV on a terminal harmless,
//! and it is reversible; a value of plain printable UTF-8 without a
//! backslash (nearly every path) is written as it is.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::json::rounded;
use super::series::{classes_object, codes_object};
use super::table::{
    MIN_TEXT, Painter, class_style, column_start, column_widths, dim, heading, left, percent,
    right, write_grid,
};
use super::{ReportOptions, csv_start, csv_text, share};
use crate::check::{self, Item};
use crate::escape;
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Top, TopRow};
use crate::text::{clip, group, wrap};

/// Code columns the table shows for a one-class selector; the other codes
/// are summed in one `rest` column, so a section never outgrows a terminal.
pub const CODE_COLUMNS: usize = 6;

/// Characters of a value the table shows without a width (a pipe, a file):
/// a request target can be megabytes long, and the CSV and JSON carry it
/// whole.
pub const VALUE_CHARS: usize = 500;

/// Index of `code`'s class in [`super::series::CLASS_KEYS`]: 0–4 for 1xx–5xx, 5 for
/// `other` (outside 100–599).
fn class_index(code: u16) -> usize {
    Class::of(code).map_or(5, |c| c.digit() as usize - 1)
}

/// A row's lines per class, in [`super::series::CLASS_KEYS`] order.
pub fn class_split(row: &TopRow) -> [u64; 6] {
    let mut out = [0; 6];
    for (&code, &n) in &row.codes {
        out[class_index(code)] += n;
    }
    out
}

/// Where a code falls for "one class": 0–99 and 600–999 count as one each,
/// like the `other` class splits around the real ones.
fn band(code: u16) -> u16 {
    match code {
        0..=99 => 0,
        100..=599 => code / 100,
        _ => 6,
    }
}

/// Whether `selector` picks codes of one class only: every item it adds
/// (`5xx`, `500-504`, `404`) lies in the same class, whatever it takes away
/// (`5xx,!503`). `!2xx` alone, several classes, or a selector that does not
/// parse, is not.
pub fn one_class(selector: &str) -> bool {
    let Ok(bad) = check::parse_bad(selector) else {
        return false;
    };
    let mut bands = bad
        .selector
        .items
        .iter()
        .filter(|(_, neg)| !neg)
        .map(|(item, _)| {
            let (lo, hi) = match *item {
                Item::Code(c) => (c, c),
                Item::Range(lo, hi) => (lo, hi),
                Item::Class(k) => (k.digit() as u16 * 100, k.digit() as u16 * 100 + 99),
                Item::Malformed | Item::NoStatus => return None,
            };
            (band(lo) == band(hi)).then(|| band(lo))
        });
    match bands.next() {
        Some(Some(first)) => bands.all(|b| b == Some(first)),
        _ => false,
    }
}

/// The columns a section's count is split into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Split {
    /// Indices into [`super::series::CLASS_KEYS`] of the classes some row has lines in.
    Classes(Vec<usize>),
    /// The codes shown, ascending, and whether a `rest` column sums the
    /// others.
    Codes(Vec<u16>, bool),
}

/// The split the table shows for `top`: codes for a one-class selector
/// (the [`CODE_COLUMNS`] with the most lines, ties to the lower code),
/// else the classes present.
pub fn split(top: &Top) -> Split {
    if top.selector.as_deref().is_some_and(one_class) {
        let mut per: std::collections::BTreeMap<u16, u64> = Default::default();
        for r in &top.rows {
            for (&c, &n) in &r.codes {
                *per.entry(c).or_default() += n;
            }
        }
        let mut codes: Vec<(u16, u64)> = per.into_iter().filter(|e| e.1 > 0).collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let rest = codes.len() > CODE_COLUMNS;
        let mut shown: Vec<u16> = codes.iter().take(CODE_COLUMNS).map(|e| e.0).collect();
        shown.sort_unstable();
        return Split::Codes(shown, rest);
    }
    let mut present = [false; 6];
    for r in &top.rows {
        for (i, n) in class_split(r).into_iter().enumerate() {
            present[i] |= n > 0;
        }
    }
    Split::Classes((0..6).filter(|&i| present[i]).collect())
}

/// The field as a plural noun for a title: `paths`, `user agents`; a JSON
/// key or a field logstat has no word for is `KEY values`.
pub fn field_noun(field: &str, lang: Lang) -> String {
    let known = match field {
        "path" => Some(("paths", "路径")),
        "url" => Some(("URLs", "URL")),
        "method" => Some(("methods", "请求方法")),
        "protocol" => Some(("protocols", "协议")),
        "host" => Some(("hosts", "主机")),
        "client" => Some(("clients", "客户端")),
        "agent" => Some(("user agents", "User-Agent")),
        "referer" => Some(("referers", "来源页")),
        "upstream" => Some(("upstreams", "上游")),
        "bytes" => Some(("byte sizes", "响应字节数")),
        _ => None,
    };
    match (known, lang) {
        (Some((en, zh)), _) => lang.pick(en, zh).to_string(),
        (None, Lang::En) => format!("{} values", escape::escape_str(field)),
        (None, Lang::Zh) => format!("{} 的值", escape::escape_str(field)),
    }
}

/// The section's title: `Top paths for 5xx`, `Top paths for all requests`;
/// `路径排行（5xx）` in Chinese.
pub fn title(top: &Top, lang: Lang) -> String {
    let noun = field_noun(&top.field, lang);
    let selector = top.selector.as_deref().map(escape::escape_str);
    match (lang, selector) {
        (Lang::En, Some(s)) => format!("Top {noun} for {s}"),
        (Lang::En, None) => format!("Top {noun} for all requests"),
        (Lang::Zh, s) => {
            // A Latin noun keeps a space before the Chinese word.
            let gap = if noun.ends_with(|c: char| c.is_ascii()) {
                " "
            } else {
                ""
            };
            let s = s.unwrap_or_else(|| "全部请求".to_string());
            format!("{noun}{gap}排行（{s}）")
        }
    }
}

/// How far the counts can be trusted: `exact`, or the bound on how much any
/// count may be over.
fn exactness(top: &Top, lang: Lang) -> String {
    let n = group(top.selected);
    match (top.exact, lang) {
        (true, Lang::En) => format!("{n} lines, counts exact"),
        (true, Lang::Zh) => format!("共 {n} 行，计数精确"),
        (false, Lang::En) => format!(
            "{n} lines, counts ±{b}: none under, none over by more than {b} (memory budget reached)",
            b = group(top.error_bound)
        ),
        (false, Lang::Zh) => format!(
            "共 {n} 行，计数 ±{b}：不会偏低，最多偏高 {b}（已达内存预算）",
            b = group(top.error_bound)
        ),
    }
}

/// One table section per `--top`, each preceded by a blank line.
pub(super) fn write_sections(w: &mut dyn Write, tops: &[Top], p: &Painter) -> io::Result<()> {
    for top in tops {
        writeln!(w)?;
        write_section(w, top, p)?;
    }
    Ok(())
}

/// Writes `text` indented by two spaces, wrapped to the width when there is
/// one, continuation lines indented two more.
fn write_note(w: &mut dyn Write, text: &str, style: anstyle::Style, p: &Painter) -> io::Result<()> {
    let lines = match p.width {
        Some(width) => wrap(text, width.saturating_sub(4).max(MIN_TEXT)),
        None => vec![text.to_string()],
    };
    for (i, l) in lines.iter().enumerate() {
        let indent = if i == 0 { "  " } else { "    " };
        writeln!(w, "{indent}{}", p.paint(l, style))?;
    }
    Ok(())
}

/// The section: title, exactness, grouping rules, then one row per value
/// (count, share of the picked lines, the split, and the value last, cut to
/// what the line leaves), then the picked lines that had no value.
fn write_section(w: &mut dyn Write, top: &Top, p: &Painter) -> io::Result<()> {
    writeln!(w, "{}", p.paint(&title(top, p.lang), heading()))?;
    write_note(w, &exactness(top, p.lang), dim(), p)?;
    if !top.grouping.is_empty() {
        // Rules hold regular expressions: their backslashes are shown as
        // written, not doubled; control characters are still escaped.
        let guard = escape::workflow_commands_guarded();
        let rules: Vec<String> = top
            .grouping
            .iter()
            .map(|r| escape::escape_with(r.as_bytes(), guard, false))
            .collect();
        let text = match p.lang {
            Lang::En => format!("paths grouped: {}", rules.join(", ")),
            Lang::Zh => format!("路径已归并：{}", rules.join("，")),
        };
        write_note(w, &text, dim(), p)?;
    }
    if top.rows.is_empty() {
        writeln!(w, "  {}", p.t("(no values)", "（没有值）"))?;
    } else {
        write_rows(w, top, p)?;
    }
    if top.missing > 0 {
        let n = group(top.missing);
        let text = match p.lang {
            Lang::En if top.missing == 1 => "(1 line without a value)".to_string(),
            Lang::En => format!("({n} lines without a value)"),
            Lang::Zh => format!("（{n} 行没有该字段的值）"),
        };
        write_note(w, &text, dim(), p)?;
    }
    Ok(())
}

fn write_rows(w: &mut dyn Write, top: &Top, p: &Painter) -> io::Result<()> {
    let split = split(top);
    let mut head = vec![
        right(p.t("count", "数量")).styled(dim()),
        right(p.t("share", "占比")).styled(dim()),
    ];
    match &split {
        Split::Classes(classes) => {
            for &i in classes {
                head.push(match Class::ALL.get(i) {
                    Some(&c) => right(c.label()).styled(class_style(Some(c))),
                    None => right(p.t("other", "其他")).styled(dim()),
                });
            }
        }
        Split::Codes(codes, rest) => {
            for &c in codes {
                head.push(right(format!("{c:03}")).styled(class_style(Class::of(c))));
            }
            if *rest {
                head.push(right(p.t("rest", "其余")).styled(dim()));
            }
        }
    }
    head.push(left(field_header(&top.field, p.lang)).styled(dim()));
    let mut rows = vec![head];
    for r in &top.rows {
        let mut row = vec![right(group(r.count)), right(percent(r.count, top.selected))];
        match &split {
            Split::Classes(classes) => {
                let by = class_split(r);
                row.extend(classes.iter().map(|&i| right(group(by[i]))));
            }
            Split::Codes(codes, rest) => {
                let n = |c: &u16| r.codes.get(c).copied().unwrap_or(0);
                row.extend(codes.iter().map(|c| right(group(n(c)))));
                if *rest {
                    let shown: u64 = codes.iter().map(n).sum();
                    let all: u64 = r.codes.values().sum();
                    row.push(right(group(all - shown)));
                }
            }
        }
        row.push(left(value_text(&r.value)));
        rows.push(row);
    }
    // The value is last, so it gets whatever the line leaves.
    let last = rows[0].len() - 1;
    if let Some(width) = p.width {
        let room = width
            .saturating_sub(column_start(&column_widths(&rows), last))
            .max(MIN_TEXT);
        for row in &mut rows[1..] {
            row[last].text = clip(&row[last].text, room);
        }
    }
    write_grid(w, &rows, p)
}

/// The value column's heading: the field's name as given (`path`,
/// `json:user.id`), escaped.
fn field_header(field: &str, lang: Lang) -> String {
    match (field, lang) {
        ("path", Lang::Zh) => "路径".into(),
        ("host", Lang::Zh) => "主机".into(),
        ("client", Lang::Zh) => "客户端".into(),
        ("upstream", Lang::Zh) => "上游".into(),
        ("method", Lang::Zh) => "方法".into(),
        ("protocol", Lang::Zh) => "协议".into(),
        ("referer", Lang::Zh) => "来源页".into(),
        ("bytes", Lang::Zh) => "字节数".into(),
        _ => escape::escape_str(field),
    }
}

/// A value as the table shows it: escaped, at most [`VALUE_CHARS`]
/// characters, `""` for an empty one (an empty cell would read as none).
fn value_text(value: &[u8]) -> String {
    if value.is_empty() {
        return "\"\"".to_string();
    }
    escape::escape_shortened(value, VALUE_CHARS)
}

/// The JSON's `top` array: per `--top`, in the order asked, `field`,
/// `where` (the selector as given, `null` for all requests), `selected`
/// (lines picked: the share's denominator), `missing` (picked lines without
/// a value), `exact`, `error_bound` (0 when exact), `grouping` (the path
/// rules, as shown) and `rows`, most lines first: `value` (escaped as the
/// module says), `count`, `share` (of `selected`, 6 decimals), `classes`
/// (`1xx`…`5xx`, `other`, always all six) and `codes` (only codes seen,
/// keyed by the code as a number, `"0"` for `000`).
pub fn to_value(tops: &[Top]) -> Value {
    let list: Vec<Value> = tops
        .iter()
        .map(|t| {
            let rows: Vec<Value> = t
                .rows
                .iter()
                .map(|r| {
                    json!({
                        "value": escape::escape_bytes(&r.value),
                        "count": r.count,
                        "share": rounded(share(r.count, t.selected)),
                        "classes": classes_object(class_split(r)),
                        "codes": codes_object(&r.codes),
                    })
                })
                .collect();
            json!({
                "field": t.field,
                "where": t.selector,
                "selected": t.selected,
                "missing": t.missing,
                "exact": t.exact,
                "error_bound": t.error_bound,
                "grouping": t.grouping,
                "rows": rows,
            })
        })
        .collect();
    Value::Array(list)
}

/// Columns of the `--top-csv` file.
pub const CSV_HEADER: [&str; 13] = [
    "field",
    "where",
    "value",
    "count",
    "1xx",
    "2xx",
    "3xx",
    "4xx",
    "5xx",
    "other",
    "share",
    "exact",
    "error_bound",
];

/// The `--top-csv` file: every `--top` in one file, one row per value, in
/// the order asked and most lines first. `where` is empty for all requests;
/// `value` (and `field` and `where`) is escaped as the module says, then
/// guarded against spreadsheet formulas like every text cell
/// ([`csv_text`]); `share` is a fraction of
/// the picked lines with 6 decimals; `exact` is `true` or `false` and
/// `error_bound` the most any count of the section may be over. Picked lines
/// without a value are in no row (the JSON's `missing` counts them). The
/// header is English in every language; `--lang zh` adds the byte-order
/// mark as for the other CSV.
pub fn write_csv(w: &mut dyn Write, tops: &[Top], o: &ReportOptions) -> io::Result<()> {
    csv_start(w, o.lang.data)?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CSV_HEADER)?;
    for t in tops {
        // The field and the selector are arguments: escaped like the
        // values, so no cell can carry a control character or a CI command.
        let field = escape::escape_str(&t.field);
        let selector = escape::escape_str(t.selector.as_deref().unwrap_or(""));
        for r in &t.rows {
            let value = escape::escape_bytes(&r.value);
            let mut row: Vec<String> = vec![
                csv_text(&field, o).into_owned(),
                csv_text(&selector, o).into_owned(),
                csv_text(&value, o).into_owned(),
                r.count.to_string(),
            ];
            row.extend(class_split(r).iter().map(u64::to_string));
            row.push(format!("{:.6}", share(r.count, t.selected)));
            row.push(t.exact.to_string());
            row.push(t.error_bound.to_string());
            out.write_record(&row)?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(selector: Option<&str>, rows: &[(&str, &[(u16, u64)])]) -> Top {
        let rows: Vec<TopRow> = rows
            .iter()
            .map(|(v, codes)| TopRow {
                value: v.as_bytes().to_vec(),
                count: codes.iter().map(|e| e.1).sum(),
                codes: codes.iter().copied().collect(),
            })
            .collect();
        Top {
            field: "path".into(),
            selector: selector.map(str::to_string),
            selected: rows.iter().map(|r| r.count).sum(),
            rows,
            exact: true,
            ..Top::default()
        }
    }

    #[test]
    fn one_class_selectors() {
        for s in [
            "5xx", "500-504", "404,499", "5xx,!503", " 5XX ", "000", "600-999",
        ] {
            assert!(one_class(s), "{s}");
        }
        for s in [
            "!2xx",
            "4xx,5xx",
            "404,503",
            "000-999",
            "099-100",
            "no_status",
            "zzz",
            "",
        ] {
            assert!(!one_class(s), "{s}");
        }
    }

    #[test]
    fn code_columns_keep_the_busiest_codes_in_code_order() {
        let t = top(
            Some("5xx"),
            &[
                ("/a", &[(500, 9), (501, 1), (502, 8), (503, 7)]),
                ("/b", &[(504, 6), (505, 5), (520, 4), (599, 4)]),
            ],
        );
        assert_eq!(
            split(&t),
            Split::Codes(vec![500, 502, 503, 504, 505, 520], true)
        );
        let t = top(Some("5xx"), &[("/a", &[(503, 2), (500, 1)])]);
        assert_eq!(split(&t), Split::Codes(vec![500, 503], false));
        let t = top(None, &[("/a", &[(200, 2), (0, 1)]), ("/b", &[(404, 1)])]);
        assert_eq!(split(&t), Split::Classes(vec![1, 3, 5]));
    }

    #[test]
    fn titles_name_the_field_and_the_selector() {
        let mut t = top(Some("5xx"), &[]);
        assert_eq!(title(&t, Lang::En), "Top paths for 5xx");
        assert_eq!(title(&t, Lang::Zh), "路径排行（5xx）");
        t.selector = None;
        t.field = "agent".into();
        assert_eq!(title(&t, Lang::En), "Top user agents for all requests");
        assert_eq!(title(&t, Lang::Zh), "User-Agent 排行（全部请求）");
        t.field = "json:user\x1b.id".into();
        assert_eq!(
            title(&t, Lang::En),
            "Top json:user\\x1b.id values for all requests"
        );
    }
}
