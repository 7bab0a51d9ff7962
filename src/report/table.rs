//! The annotated terminal table (`-o table`, the default).
//!
//! Layout, top to bottom: a header (inputs with their formats and time
//! ranges; lines, requests, time), the class section (1xx–5xx, `other`, `no
//! status`), the code section sorted by count, requests over time when the
//! summary has a series ([`super::series`]), one section per `--top`
//! ([`super::top`]), an optional per-input table (each input's counts and,
//! beneath them, its shares), and a footer that accounts for every line that
//! is not a request, with a few malformed examples.
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
use crate::check::clock::Clock;
use crate::check::{BurnAlert, CheckResult, Level, duration_text, factor, span_text};
use crate::escape;
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Counts, InputSummary, Summary};
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
pub(super) const MIN_TEXT: usize = 20;

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
    if let Some(series) = &s.series {
        writeln!(w)?;
        super::series::write_section(w, series, &p)?;
    }
    super::top::write_sections(w, &s.top, &p)?;
    if o.per_input && s.inputs.len() > 1 {
        writeln!(w)?;
        write_per_input(w, s, &p)?;
    }
    writeln!(w)?;
    write_footer(w, s, &p)
}

/// Language, color and width for one rendering.
pub(super) struct Painter {
    pub(super) color: bool,
    pub(super) lang: Lang,
    /// Terminal cells to fit, `None` for whole lines.
    pub(super) width: Option<usize>,
    /// Whether code descriptions are shown (`--no-descriptions` clears it).
    pub(super) descriptions: bool,
}

impl Painter {
    pub(super) fn t<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        self.lang.pick(en, zh)
    }

    /// `text` in `style`, or plain when color is off (no ESC byte at all then).
    pub(super) fn paint(&self, text: &str, style: Style) -> String {
        if self.color && style != Style::new() && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

pub(super) fn heading() -> Style {
    Style::new().bold()
}

pub(super) fn dim() -> Style {
    Style::new().dimmed()
}

/// 2xx green, 3xx cyan, 4xx yellow, 5xx red; 1xx and everything else plain.
pub(super) fn class_style(class: Option<Class>) -> Style {
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
pub(super) fn percent(count: u64, total: u64) -> String {
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
pub(super) struct Cell {
    pub(super) text: String,
    right: bool,
    style: Style,
}

pub(super) fn left(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        right: false,
        style: Style::new(),
    }
}

pub(super) fn right(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        right: true,
        style: Style::new(),
    }
}

impl Cell {
    pub(super) fn styled(mut self, style: Style) -> Cell {
        self.style = style;
        self
    }
}

/// The display width of each column of `rows`.
pub(super) fn column_widths(rows: &[Vec<Cell>]) -> Vec<usize> {
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
pub(super) fn column_start(widths: &[usize], n: usize) -> usize {
    2 + widths.iter().take(n).map(|w| w + 2).sum::<usize>()
}

/// Writes rows as aligned columns, two spaces apart, indented by two spaces.
/// Widths are display widths; trailing padding is never written.
pub(super) fn write_grid(w: &mut dyn Write, rows: &[Vec<Cell>], p: &Painter) -> io::Result<()> {
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

/// An input's first to last time, when its lines' times were read.
fn input_range(i: &InputSummary) -> Option<String> {
    match (i.first, i.last) {
        (None, None) => None,
        (first, last) => {
            let (a, b) = (first.or(last)?, last.or(first)?);
            Some(super::series::time_range(a, b))
        }
    }
}

/// The header: inputs with their formats and time ranges, then lines,
/// requests and time. With a width, the input list breaks between inputs
/// and between a name and its range (never inside either) and goes on
/// indented.
fn write_header(w: &mut dyn Write, s: &Summary, p: &Painter) -> io::Result<()> {
    let shown = s.inputs.len().min(HEADER_INPUTS);
    let more = s.inputs.len() - shown;
    // The list in pieces that may go on separate lines: each input's name,
    // and its time range when one was read.
    let mut pieces: Vec<String> = Vec::new();
    for (n, i) in s.inputs[..shown].iter().enumerate() {
        pieces.push(input_label(&i.path, &i.format, i.error.is_some(), p));
        if let Some(range) = input_range(i) {
            pieces.push(range);
        }
        let end = pieces.last_mut().expect("just pushed");
        match (n + 1 == shown, more > 0, p.lang) {
            (false, _, _) | (true, true, Lang::En) => end.push(','),
            (true, true, Lang::Zh) => end.push_str(&format!("，另有 {more} 个")),
            (true, false, _) => {}
        }
    }
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

/// The per-input table: one row of counts per input and, beneath it, a row
/// of shares: the input's share of all requests under `requests`, and its
/// classes' shares of its own requests under each class. An input without
/// requests has no share row (0 of 0 is no share).
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
    let dated = s.inputs.iter().any(|i| input_range(i).is_some());
    if dated {
        head.push(left(p.t("time range", "时间范围")).styled(dim()));
    }
    let all = s.total.requests();
    let mut rows = vec![head];
    for i in &s.inputs {
        let c = &i.counts;
        let format = if i.format.is_empty() {
            p.t("error", "出错").to_string()
        } else {
            i.format.clone()
        };
        let requests = c.requests();
        let mut row = vec![
            left(escape::escape_path(&i.path)),
            left(format),
            right(group(c.lines())),
            right(group(requests)),
        ];
        let mut shares = vec![
            left(""),
            left(""),
            left(""),
            right(percent(requests, all)).styled(dim()),
        ];
        for (_, n) in c.class_counts() {
            row.push(right(group(n)));
            shares.push(right(percent(n, requests)).styled(dim()));
        }
        row.push(right(group(c.other_class())));
        shares.push(right(percent(c.other_class(), requests)).styled(dim()));
        row.push(right(group(c.no_status)));
        row.push(right(group(c.malformed)));
        if dated {
            row.push(left(input_range(i).unwrap_or_default()));
        }
        rows.push(row);
        if requests > 0 {
            rows.push(shares);
        }
    }
    write_grid(w, &rows, p)
}

/// The bytes a time filter let the scan skip unread, if any.
fn unread_note(s: &Summary, lang: Lang) -> String {
    let unread: u64 = s.inputs.iter().map(|i| i.unread).sum();
    if unread == 0 {
        return String::new();
    }
    let b = group(unread);
    match lang {
        Lang::En => format!("; {b} bytes dated outside the time range not read"),
        Lang::Zh => format!("；另有 {b} 字节在时间范围外，未读取"),
    }
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
    let mut sum = match p.lang {
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
    // The time filter's buckets, only when it set some lines aside: without
    // a filter they are always 0 and would only lengthen the line.
    if t.filtered > 0 {
        let f = group(t.filtered);
        sum.push_str(&match p.lang {
            Lang::En => format!(" + {f} outside the time range"),
            Lang::Zh => format!(" + {f} 行在时间范围外"),
        });
    }
    if t.undated > 0 {
        let u = group(t.undated);
        sum.push_str(&match p.lang {
            Lang::En => format!(" + {u} undated (no readable time)"),
            Lang::Zh => format!(" + {u} 行无法读取时间"),
        });
    }
    sum.push_str(&unread_note(s, p.lang));
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

/// The "SLO burn-rate replay" section, after the table when burn-rate
/// checks were asked: the target, the budget the input consumed, and for
/// each alert when it first fired, for how many minutes, in how many
/// episodes, and the peak burn rate of its slower window. Nothing otherwise.
pub fn write_slo(w: &mut dyn Write, results: &[CheckResult], o: &ReportOptions) -> io::Result<()> {
    let alerts: Vec<(&CheckResult, &BurnAlert)> = results
        .iter()
        .filter_map(|r| Some((r, r.burn()?)))
        .collect();
    let Some(&(_, first)) = alerts.first() else {
        return Ok(());
    };
    let p = Painter {
        color: o.color,
        lang: o.lang.human,
        width: o.width,
        descriptions: !o.no_descriptions,
    };
    let slo = &first.slo;
    let period = duration_text(slo.period);
    let bad = escape::escape_str(&slo.bad);
    writeln!(w)?;
    let title = match p.lang {
        Lang::En => format!(
            "SLO burn-rate replay: {}% over {period}, bad requests {bad}",
            slo.target
        ),
        Lang::Zh => format!(
            "SLO 燃烧率回放：目标 {}%，周期 {period}，坏请求 {bad}",
            slo.target
        ),
    };
    writeln!(w, "{}", p.paint(&title, heading()))?;
    let line = match (slo.burn_rate(), slo.budget_consumed(), p.lang) {
        (Some(rate), Some(used), Lang::En) => format!(
            "Budget consumed: {:.2}% of the {period} budget ({} bad of {} requests in {}, burn rate {})",
            used * 100.0,
            group(slo.bad_requests),
            group(slo.requests),
            span_text(slo.span),
            factor(rate)
        ),
        (Some(rate), Some(used), Lang::Zh) => format!(
            "已消耗预算：{period} 预算的 {:.2}%（{} 内 {} 个请求中有 {} 个坏请求，燃烧率 {}）",
            used * 100.0,
            span_text(slo.span),
            group(slo.requests),
            group(slo.bad_requests),
            factor(rate)
        ),
        (_, _, Lang::En) => "Budget consumed: no request with a time".to_string(),
        (_, _, Lang::Zh) => "已消耗预算：没有带时间的请求".to_string(),
    };
    writeln!(w, "  {line}")?;
    let clock = Clock::new(
        first.offset,
        [],
        alerts.iter().filter_map(|(_, b)| b.first_fired),
    );
    let mut rows = vec![vec![
        left(p.t("alert", "告警")).styled(dim()),
        left(p.t("severity", "级别")).styled(dim()),
        left(p.t("first fired", "首次触发")).styled(dim()),
        right(p.t("firing", "触发时长")).styled(dim()),
        right(p.t("episodes", "次数")).styled(dim()),
        right(p.t("peak", "峰值")).styled(dim()),
    ]];
    for (r, b) in &alerts {
        let severity = match (r.level, p.lang) {
            (_, Lang::En) => BurnAlert::severity(r.level),
            (Level::Fail, Lang::Zh) => "呼叫",
            (Level::Warn, Lang::Zh) => "工单",
        };
        let style = match (b.firing > 0, r.level) {
            (false, _) => Style::new(),
            (true, Level::Fail) => class_style(Some(Class::ServerError)),
            (true, Level::Warn) => class_style(Some(Class::ClientError)),
        };
        let fired = match (b.gap, b.first_fired) {
            (Some(_), _) => p.t("no data", "无数据").to_string(),
            (None, Some(t)) => clock.show(t),
            (None, None) => p.t("never", "未触发").to_string(),
        };
        let (minutes, episodes) = match (b.gap, p.lang) {
            (Some(_), _) => ("—".to_string(), "—".to_string()),
            (None, Lang::En) => (format!("{} min", group(b.firing)), group(b.episodes)),
            (None, Lang::Zh) => (format!("{} 分钟", group(b.firing)), group(b.episodes)),
        };
        rows.push(vec![
            left(escape::escape_str(&r.expr)),
            left(severity).styled(style),
            left(fired).styled(style),
            right(minutes),
            right(episodes),
            right(b.peak.map_or("—".to_string(), |(_, x)| factor(x))),
        ]);
    }
    write_grid(w, &rows, &p)
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

    #[test]
    fn slo_section_lists_each_alert() {
        use crate::check::{Gate, Slo, parse_target};
        use crate::summary::{Bucket, Series};
        // An hour of 100 requests a minute, half of them 500s in 10:20-10:24.
        let mut series = Series {
            step: 60,
            offset: 0,
            ..Default::default()
        };
        for i in 0..60 {
            let bad = if (20..25).contains(&i) { 50 } else { 0 };
            let mut b = Bucket::default();
            b.codes.insert(200, 100 - bad);
            b.codes.insert(500, bad);
            series.buckets.insert(971_172_000 + 60 * i, b);
        }
        let mut s = Summary {
            series: Some(series),
            ..Default::default()
        };
        s.total.codes[200] = 5750;
        s.total.codes[500] = 250;
        let mut slo = Slo::new(parse_target("99.9%").unwrap());
        slo.burn_alerts = true;
        let g = Gate::with_slo(&[], &[], 1, Lang::En, Some(slo)).unwrap();
        let r = g.evaluate(&s);
        let mut out = Vec::new();
        let o = ReportOptions::default();
        write_slo(&mut out, &r, &o).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "",
                "SLO burn-rate replay: 99.9% over 30d, bad requests 5xx",
                "  Budget consumed: 5.79% of the 30d budget (250 bad of 6,000 requests in 1h, burn rate 41.7×)",
                "  alert               severity  first fired  firing  episodes    peak",
                "  burn(1h,5m) > 14.4  page      10:21         9 min         1  100.0×",
                "  burn(6h,30m) > 6    page      10:21        34 min         1  100.0×",
                "  burn(1d,2h) > 3     ticket    10:21        40 min         1  100.0×",
                "  burn(3d,6h) > 1     ticket    10:21        40 min         1  100.0×",
            ]
        );
        // Without burn-rate checks there is no section.
        let mut out = Vec::new();
        write_slo(&mut out, &[], &o).unwrap();
        assert!(out.is_empty());
        // In Chinese, on a terminal with color, the fired pages are red.
        let o = ReportOptions {
            color: true,
            lang: crate::lang::Langs {
                human: Lang::Zh,
                data: Lang::En,
            },
            ..Default::default()
        };
        let mut out = Vec::new();
        write_slo(&mut out, &r, &o).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("SLO 燃烧率回放：目标 99.9%，周期 30d，坏请求 5xx"),
            "{text}"
        );
        assert!(text.contains("已消耗预算：30d 预算的 5.79%"), "{text}");
        assert!(text.contains("\x1b[31m呼叫"), "{text:?}");
        assert!(text.contains("\x1b[33m工单"), "{text:?}");
    }
}
