//! The annotated terminal table (`-o table`, the default).
//!
//! Layout, top to bottom: a header (inputs with their formats; lines,
//! requests, time), the class section (1xx–5xx, `other`, `no status`), the code
//! section sorted by count, an optional per-input class table, and a footer
//! that accounts for every line that is not a request, with a few malformed
//! examples.
//!
//! Columns are padded by display width (`unicode-width`), not bytes or chars,
//! so Chinese text (two cells per character) keeps them aligned. Styles are
//! only written when `ReportOptions::color` is set, and then only around text
//! whose width was measured without them, so color never shifts a column.
//!
//! Fitting a width (`ReportOptions::width`, a terminal's): descriptions wrap,
//! never get cut, as in `--explain`. When the description column keeps at
//! least [`MIN_DESCRIPTION`] cells, continuation lines sit under the column;
//! on a narrower terminal the note and description move to lines of their own
//! beneath each code, indented, and the reason is clipped with `…` so the code
//! row fits. Bars shrink to what is left of the line (down to [`MIN_BAR`]),
//! malformed examples are clipped, the footer wraps. Without a width (a pipe,
//! a file) every row is one line.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::{CodeRow, ReportOptions, code_rows, share};
use crate::escape;
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Counts, Summary};
use crate::text::{clip, group, wrap};

/// Cells of a bar at 100%. Bars use `█` for whole cells and the eighth blocks
/// `▏`…`▉` for the remainder, so a 1% difference is still visible; a class
/// with any request gets at least `▏`, so "some" never looks like "none".
pub const BAR_WIDTH: usize = 30;

/// Bars never shrink below this many cells at 100%: shorter ones no longer
/// tell classes apart.
pub const MIN_BAR: usize = 10;

/// The narrowest description column: below it the description moves beneath
/// its code, where it wraps at the full width instead of a column of a few
/// words per line.
pub const MIN_DESCRIPTION: usize = 40;

/// Wrapped or clipped text never gets narrower than this, whatever the width.
const MIN_TEXT: usize = 20;

/// At most this many inputs are named in the header; the rest are counted.
const HEADER_INPUTS: usize = 5;

/// Malformed examples shown in the footer, and their length in characters.
const EXAMPLES_SHOWN: usize = 3;
const EXAMPLE_CHARS: usize = 100;

/// Renders the table, in the human language.
pub fn write_table(w: &mut dyn Write, s: &Summary, o: &ReportOptions) -> io::Result<()> {
    let p = Painter {
        color: o.color,
        lang: o.lang.human,
        width: o.width,
        descriptions: !o.no_descriptions,
    };
    write_header(w, s, &p)?;
    writeln!(w)?;
    write_classes(w, &s.total, &p)?;
    writeln!(w)?;
    write_codes(w, s, &p)?;
    if o.per_input && s.inputs.len() > 1 {
        writeln!(w)?;
        write_per_input(w, s, &p)?;
    }
    writeln!(w)?;
    write_footer(w, s, &p)
}

/// Language, color and width for one rendering.
struct Painter {
    color: bool,
    lang: Lang,
    /// Terminal cells to fit, `None` for whole lines.
    width: Option<usize>,
    /// Whether code descriptions are shown (`--no-descriptions` clears it).
    descriptions: bool,
}

impl Painter {
    fn t<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        self.lang.pick(en, zh)
    }

    /// `text` in `style`, or plain when color is off (no ESC byte at all then).
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color && style != Style::new() && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn heading() -> Style {
    Style::new().bold()
}

fn dim() -> Style {
    Style::new().dimmed()
}

/// 2xx green, 3xx cyan, 4xx yellow, 5xx red; 1xx and everything else plain.
fn class_style(class: Option<Class>) -> Style {
    let color = match class {
        Some(Class::Success) => AnsiColor::Green,
        Some(Class::Redirection) => AnsiColor::Cyan,
        Some(Class::ClientError) => AnsiColor::Yellow,
        Some(Class::ServerError) => AnsiColor::Red,
        _ => return Style::new(),
    };
    Style::new().fg_color(Some(color.into()))
}

/// A share as a percent with 2 decimals, or `—` when there were no requests
/// (0 of 0 is not 0%).
fn percent(count: u64, total: u64) -> String {
    if total == 0 {
        "—".to_string()
    } else {
        format!("{:.2}%", share(count, total) * 100.0)
    }
}

/// A bar of `cells` cells at 100%.
pub fn bar(count: u64, total: u64, cells: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if count == 0 || total == 0 {
        return String::new();
    }
    let eighths = ((share(count, total) * (cells * 8) as f64).round() as usize).max(1);
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    s
}

fn elapsed(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// One cell: its plain text (measured) and the style it is drawn in.
struct Cell {
    text: String,
    right: bool,
    style: Style,
}

fn left(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        right: false,
        style: Style::new(),
    }
}

fn right(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        right: true,
        style: Style::new(),
    }
}

impl Cell {
    fn styled(mut self, style: Style) -> Cell {
        self.style = style;
        self
    }
}

/// The display width of each column of `rows`.
fn column_widths(rows: &[Vec<Cell>]) -> Vec<usize> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.text.width());
        }
    }
    widths
}

/// Where the column after the first `n` columns of `widths` starts: the
/// two-space indent plus each column and its two-space gap.
fn column_start(widths: &[usize], n: usize) -> usize {
    2 + widths.iter().take(n).map(|w| w + 2).sum::<usize>()
}

/// Writes rows as aligned columns, two spaces apart, indented by two spaces.
/// Widths are display widths; trailing padding is never written.
fn write_grid(w: &mut dyn Write, rows: &[Vec<Cell>], p: &Painter) -> io::Result<()> {
    for line in grid_lines(rows, p) {
        writeln!(w, "{line}")?;
    }
    Ok(())
}

/// Why lines were skipped, for the footer: ` (blank)` when one reason
/// accounts for all of them, ` (3 blank, 2 not a request)` when several do,
/// nothing when none was skipped.
fn skipped_reasons(t: &Counts, p: &Painter) -> String {
    let reasons = [
        (t.blank(), p.t("blank", "空行")),
        (t.directives, p.t("directive", "指令")),
        (t.not_requests, p.t("not a request", "非请求记录")),
    ];
    let present: Vec<_> = reasons.iter().filter(|(n, _)| *n > 0).collect();
    let (open, sep, close) = match p.lang {
        Lang::En => (" (", ", ", ")"),
        Lang::Zh => ("（", "，", "）"),
    };
    match present.as_slice() {
        [] => String::new(),
        [(_, why)] => format!("{open}{why}{close}"),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|(n, why)| match p.lang {
                    Lang::En => format!("{} {why}", group(*n)),
                    Lang::Zh => format!("{} 行{why}", group(*n)),
                })
                .collect();
            format!("{open}{}{close}", parts.join(sep))
        }
    }
}

/// The lines [`write_grid`] writes.
fn grid_lines(rows: &[Vec<Cell>], p: &Painter) -> Vec<String> {
    let widths = column_widths(rows);
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        // Drop empty trailing cells so no line ends in spaces.
        let used = row
            .iter()
            .rposition(|c| !c.text.is_empty())
            .map_or(0, |i| i + 1);
        let mut line = String::from("  ");
        for (i, c) in row[..used].iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - c.text.width());
            let last = i + 1 == used;
            if c.right {
                line.push_str(&pad);
            }
            line.push_str(&p.paint(&c.text, c.style));
            if !c.right && !last {
                line.push_str(&pad);
            }
        }
        lines.push(line);
    }
    lines
}

fn input_label(path: &Path, format: &str, error: bool, p: &Painter) -> String {
    let path = escape::escape_path(path);
    if error && format.is_empty() {
        return format!("{path} ({})", p.t("error", "出错"));
    }
    match crate::format::note(format) {
        Some(note) => format!("{path} ({format}, {})", localized_note(&note, p)),
        None => format!("{path} ({format})"),
    }
}

/// A format's note ([`crate::format::note`]) in the table's language.
fn localized_note(note: &str, p: &Painter) -> String {
    match (p.lang, note.strip_prefix("layout assumed (no #Fields:): ")) {
        (Lang::Zh, Some(what)) => format!("无 #Fields:，按假定布局读取：{what}"),
        _ => note.to_string(),
    }
}

/// The header: inputs with their formats, then lines, requests and time. With
/// a width, the input list breaks between inputs (never inside a name) and
/// goes on indented.
fn write_header(w: &mut dyn Write, s: &Summary, p: &Painter) -> io::Result<()> {
    let shown = s.inputs.len().min(HEADER_INPUTS);
    let more = s.inputs.len() - shown;
    // The list in pieces that may go on separate lines.
    let mut pieces: Vec<String> = s.inputs[..shown]
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let label = input_label(&i.path, &i.format, i.error.is_some(), p);
            let last = n + 1 == shown;
            match (last, more > 0, p.lang) {
                (false, _, _) | (true, true, Lang::En) => format!("{label},"),
                (true, true, Lang::Zh) => format!("{label}，另有 {more} 个"),
                (true, false, _) => label,
            }
        })
        .collect();
    if more > 0 && p.lang == Lang::En {
        pieces.push(format!("and {more} more"));
    }
    let title = match (p.lang, s.inputs.len()) {
        (Lang::En, 1) => "Input:".to_string(),
        (Lang::En, n) => format!("Inputs ({n}):"),
        (Lang::Zh, 1) => "输入：".to_string(),
        (Lang::Zh, n) => format!("输入（{n} 个）："),
    };
    let sep = if p.lang == Lang::En { " " } else { "" };
    let width = p.width.unwrap_or(usize::MAX);
    let mut line = format!("{}{sep}", p.paint(&title, heading()));
    let mut used = title.width() + sep.len();
    let mut first = true;
    for piece in pieces {
        let gap = usize::from(!first);
        if !first && used + gap + piece.width() > width {
            writeln!(w, "{line}")?;
            line = "  ".to_string();
            used = 2;
        } else if !first {
            line.push(' ');
            used += 1;
        }
        used += piece.width();
        line.push_str(&piece);
        first = false;
    }
    writeln!(w, "{line}")?;
    let t = &s.total;
    let (lines, requests, time) = match p.lang {
        Lang::En => ("Lines:", "Requests:", "Time:"),
        Lang::Zh => ("行数：", "请求数：", "耗时："),
    };
    writeln!(
        w,
        "{}{sep}{}   {}{sep}{}   {}{sep}{}",
        p.paint(lines, heading()),
        group(t.lines()),
        p.paint(requests, heading()),
        group(t.requests()),
        p.paint(time, heading()),
        elapsed(s.elapsed)
    )
}

fn write_classes(w: &mut dyn Write, t: &Counts, p: &Painter) -> io::Result<()> {
    writeln!(
        w,
        "{}",
        p.paint(p.t("Status classes", "状态类别"), heading())
    )?;
    let requests = t.requests();
    let mut rows = vec![vec![
        left(p.t("class", "类别")).styled(dim()),
        right(p.t("count", "数量")).styled(dim()),
        right(p.t("share", "占比")).styled(dim()),
    ]];
    // Rows without their bars first: the bars get what the columns leave.
    let mut bars = vec![None];
    for (class, n) in t.class_counts() {
        let style = class_style(Some(class));
        rows.push(vec![
            left(format!("{} {}", class.label(), class.name(p.lang))).styled(style),
            right(group(n)),
            right(percent(n, requests)),
        ]);
        bars.push(Some((n, style)));
    }
    let other = t.other_class();
    rows.push(vec![
        left(p.t("other (not 100–599)", "其他（100–599 以外）")),
        right(group(other)),
        right(percent(other, requests)),
    ]);
    bars.push(Some((other, Style::new())));
    // `no status` lines are records without a request status, so they are not
    // part of the requests the other rows divide; their share is still taken
    // against requests so the column reads the same all the way down, and its
    // bar is capped at 100% (a log that is mostly `-` would pass it).
    rows.push(vec![
        left(p.t("no status (-)", "无状态码（-）")).styled(dim()),
        right(group(t.no_status)),
        right(percent(t.no_status, requests)),
    ]);
    bars.push(Some((t.no_status.min(requests), dim())));
    let start = column_start(&column_widths(&rows), 3);
    let cells = p.width.map_or(BAR_WIDTH, |w| {
        w.saturating_sub(start).clamp(MIN_BAR, BAR_WIDTH)
    });
    for (row, b) in rows.iter_mut().zip(bars) {
        if let Some((n, style)) = b {
            row.push(left(bar(n, requests, cells)).styled(style));
        }
    }
    write_grid(w, &rows, p)
}

/// The table's note for a code: its standing and who emits it, or
/// `unregistered`; empty for standard codes.
fn note(r: &CodeRow, lang: Lang) -> String {
    let kind = match r.kind {
        "standard" => return String::new(),
        "deprecated" => lang.pick("deprecated", "已弃用"),
        "unused" => lang.pick("unused", "未使用"),
        "experimental" => lang.pick("experimental", "实验性"),
        "non-standard" => lang.pick("non-standard", "非标准"),
        _ => lang.pick("unregistered", "未登记"),
    };
    match (r.vendor, lang) {
        ("", _) => kind.to_string(),
        (v, Lang::En) => format!("{kind} ({v})"),
        (v, Lang::Zh) => format!("{kind}（{v}）"),
    }
}

fn write_codes(w: &mut dyn Write, s: &Summary, p: &Painter) -> io::Result<()> {
    writeln!(w, "{}", p.paint(p.t("Status codes", "状态码"), heading()))?;
    let requests = s.total.requests();
    let mut codes = code_rows(s, p.lang);
    if codes.is_empty() {
        return writeln!(w, "  {}", p.t("(no requests)", "（没有请求）"));
    }
    // Most frequent first; ties in code order so the output is stable.
    codes.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    let head = vec![
        left(p.t("code", "状态码")).styled(dim()),
        right(p.t("count", "数量")).styled(dim()),
        right(p.t("share", "占比")).styled(dim()),
        left(p.t("reason", "原因")).styled(dim()),
        left(p.t("note", "备注")).styled(dim()),
    ];
    let mut rows = vec![head];
    let mut details = vec![(String::new(), Style::new(), "")];
    for r in &codes {
        let note = note(r, p.lang);
        let note_style = if r.reason.is_none() {
            Style::new().fg_color(Some(AnsiColor::Magenta.into()))
        } else {
            dim()
        };
        rows.push(vec![
            left(format!("{:03}", r.code)).styled(class_style(Class::of(r.code))),
            right(group(r.count)),
            right(percent(r.count, requests)),
            left(r.reason.unwrap_or("")),
            left(note.clone()).styled(note_style),
        ]);
        let description = if p.descriptions {
            r.description.unwrap_or("")
        } else {
            ""
        };
        details.push((note, note_style, description));
    }
    let widths = column_widths(&rows);
    let description_at = column_start(&widths, 5);
    let beneath = match p.width {
        None => false,
        Some(w) if p.descriptions => w.saturating_sub(description_at) < MIN_DESCRIPTION,
        Some(w) => description_at - 2 > w,
    };
    if beneath {
        return write_codes_beneath(w, rows, details, p);
    }
    if p.descriptions {
        rows[0].push(left(p.t("description", "说明")).styled(dim()));
    }
    let room = p
        .width
        .map(|w| w.saturating_sub(description_at).max(MIN_TEXT));
    let mut grid = Vec::with_capacity(rows.len());
    // The header row already has its description heading (or none).
    let mut rows = rows.into_iter().zip(details);
    grid.extend(rows.next().map(|(head, _)| head));
    for (mut row, (_, _, description)) in rows {
        let mut lines = match room {
            Some(room) if !description.is_empty() => wrap(description, room),
            _ => vec![description.to_string()],
        }
        .into_iter();
        row.extend(lines.next().map(left));
        grid.push(row);
        // Continuation lines: empty cells up to the description column.
        for more in lines {
            let mut row: Vec<Cell> = (0..5).map(|_| left("")).collect();
            row.push(left(more));
            grid.push(row);
        }
    }
    write_grid(w, &grid, p)
}

/// The code section for a terminal too narrow for a description column: each
/// code's row holds code, count, share and reason (clipped so the row fits),
/// and its note and description follow on lines of their own, indented past
/// the code and wrapped to the width.
fn write_codes_beneath(
    w: &mut dyn Write,
    mut rows: Vec<Vec<Cell>>,
    details: Vec<(String, Style, &str)>,
    p: &Painter,
) -> io::Result<()> {
    let width = p.width.unwrap_or(usize::MAX);
    for row in &mut rows {
        row.truncate(4);
    }
    let reason_room = width
        .saturating_sub(column_start(&column_widths(&rows), 3))
        .max(MIN_TEXT);
    for row in &mut rows {
        row[3].text = clip(&row[3].text, reason_room);
    }
    let indent = column_start(&column_widths(&rows), 1);
    let room = width.saturating_sub(indent).max(MIN_TEXT);
    for (line, (note, note_style, description)) in grid_lines(&rows, p).into_iter().zip(details) {
        writeln!(w, "{line}")?;
        let text = match (note.is_empty(), description.is_empty(), p.lang) {
            (true, _, _) => description.to_string(),
            (false, true, _) => note.clone(),
            (false, false, Lang::En) => format!("{note}: {description}"),
            (false, false, Lang::Zh) => format!("{note}：{description}"),
        };
        for (i, l) in wrap(&text, room).into_iter().enumerate() {
            // The note keeps its color when it is whole on the first line.
            let l = match l.strip_prefix(note.as_str()) {
                Some(rest) if i == 0 && !note.is_empty() => {
                    format!("{}{rest}", p.paint(&note, note_style))
                }
                _ => l,
            };
            writeln!(w, "{:indent$}{l}", "")?;
        }
    }
    Ok(())
}

fn write_per_input(w: &mut dyn Write, s: &Summary, p: &Painter) -> io::Result<()> {
    writeln!(w, "{}", p.paint(p.t("Per input", "各输入"), heading()))?;
    let mut head = vec![
        left(p.t("input", "输入")).styled(dim()),
        left(p.t("format", "格式")).styled(dim()),
        right(p.t("lines", "行数")).styled(dim()),
        right(p.t("requests", "请求数")).styled(dim()),
    ];
    for c in Class::ALL {
        head.push(right(c.label()).styled(class_style(Some(c))));
    }
    head.push(right(p.t("other", "其他")).styled(dim()));
    head.push(right(p.t("no status", "无状态码")).styled(dim()));
    head.push(right(p.t("malformed", "格式错误")).styled(dim()));
    let mut rows = vec![head];
    for i in &s.inputs {
        let c = &i.counts;
        let format = if i.format.is_empty() {
            p.t("error", "出错").to_string()
        } else {
            i.format.clone()
        };
        let mut row = vec![
            left(escape::escape_path(&i.path)),
            left(format),
            right(group(c.lines())),
            right(group(c.requests())),
        ];
        for (_, n) in c.class_counts() {
            row.push(right(group(n)));
        }
        row.push(right(group(c.other_class())));
        row.push(right(group(c.no_status)));
        row.push(right(group(c.malformed)));
        rows.push(row);
    }
    write_grid(w, &rows, p)
}

fn write_footer(w: &mut dyn Write, s: &Summary, p: &Painter) -> io::Result<()> {
    let t = &s.total;
    let (l, r, n, k, m) = (
        group(t.lines()),
        group(t.requests()),
        group(t.no_status),
        group(t.skipped),
        group(t.malformed),
    );
    let why = skipped_reasons(t, p);
    let sum = match p.lang {
        Lang::En => {
            format!("{l} lines = {r} requests + {n} no status + {k} skipped{why} + {m} malformed")
        }
        // A full-width parenthesis needs no space before the `+`.
        Lang::Zh if why.is_empty() => {
            format!("共 {l} 行 = {r} 个请求 + {n} 行无状态码 + {k} 行跳过 + {m} 行格式错误")
        }
        Lang::Zh => {
            format!("共 {l} 行 = {r} 个请求 + {n} 行无状态码 + {k} 行跳过{why}+ {m} 行格式错误")
        }
    };
    match p.width {
        Some(width) => {
            // Continuation lines indented, so the sum reads as one item.
            for (i, line) in wrap(&sum, width.saturating_sub(2).max(MIN_TEXT))
                .iter()
                .enumerate()
            {
                writeln!(w, "{}{line}", if i == 0 { "" } else { "  " })?;
            }
        }
        None => writeln!(w, "{sum}")?,
    }
    if s.examples.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "{}",
        p.paint(p.t("Malformed lines:", "格式错误的行："), heading())
    )?;
    for e in s.examples.iter().take(EXAMPLES_SHOWN) {
        let at = format!("  {}:{}: ", escape::escape_path(&e.path), e.line);
        let mut text = escape::escape_shortened(&e.text, EXAMPLE_CHARS);
        if let Some(width) = p.width {
            text = clip(&text, width.saturating_sub(at.width()).max(MIN_TEXT));
        }
        writeln!(w, "{at}{text}")?;
    }
    let shown = s.examples.len().min(EXAMPLES_SHOWN) as u64;
    if t.malformed > shown {
        let more = group(t.malformed - shown);
        match p.lang {
            Lang::En => writeln!(
                w,
                "  … and {more} more (--dump-malformed PATH writes them all)"
            )?,
            Lang::Zh => writeln!(w, "  ……另有 {more} 行（--dump-malformed PATH 可全部写出）")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar(0, 10, BAR_WIDTH), "");
        assert_eq!(bar(5, 0, BAR_WIDTH), "");
        assert_eq!(bar(10, 10, BAR_WIDTH), "█".repeat(BAR_WIDTH));
        assert_eq!(bar(1, 2, BAR_WIDTH), "█".repeat(BAR_WIDTH / 2));
        // 1 of 1000 rounds to nothing but still shows.
        assert_eq!(bar(1, 1000, BAR_WIDTH), "▏");
        // 1/3 of 240 eighths = 80 eighths = 10 cells exactly.
        assert_eq!(bar(1, 3, BAR_WIDTH).chars().count(), 10);
    }

    #[test]
    fn percent_and_time() {
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(elapsed(Duration::from_millis(12)), "12 ms");
        assert_eq!(elapsed(Duration::from_millis(1500)), "1.50 s");
    }

    #[test]
    fn header_names_a_few_inputs_and_counts_the_rest() {
        use crate::summary::InputSummary;
        let inputs = (0..7)
            .map(|i| InputSummary {
                path: format!("in{i}.log\x1b").into(),
                format: if i == 6 {
                    String::new()
                } else {
                    "common".into()
                },
                error: (i == 6).then(|| "gone".to_string()),
                ..Default::default()
            })
            .collect();
        let s = Summary::from_inputs(inputs, vec![], Duration::ZERO);
        let mut out = Vec::new();
        let p = Painter {
            color: false,
            lang: Lang::En,
            width: None,
            descriptions: true,
        };
        write_header(&mut out, &s, &p).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("Inputs (7): in0.log\\x1b (common)"),
            "{first}"
        );
        assert!(first.contains("in4.log"));
        assert!(!first.contains("in5.log"));
        assert!(first.ends_with(", and 2 more"), "{first}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn grid_aligns_by_display_width() {
        let p = Painter {
            color: false,
            lang: Lang::Zh,
            width: None,
            descriptions: true,
        };
        let rows = vec![
            vec![left("客户端错误"), right("1")],
            vec![left("abc"), right("22")],
        ];
        let mut out = Vec::new();
        write_grid(&mut out, &rows, &p).unwrap();
        let text = String::from_utf8(out).unwrap();
        let widths: Vec<usize> = text.lines().map(UnicodeWidthStr::width).collect();
        assert_eq!(widths[0], widths[1], "{text}");
        assert!(!text.contains('\x1b'));
    }
}
