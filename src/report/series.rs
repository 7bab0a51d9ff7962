//! Requests over time: the table's "Requests over time" section, the JSON's
//! `series` object and the `--series-csv` file, all drawn from one
//! [`Series`].
//!
//! The three differ in how they treat intervals without lines. The table and
//! the CSV show every interval from the first that holds lines to the last,
//! empty ones as zeros, so a gap in the log is a visible gap. The JSON lists
//! only intervals that hold lines, each with `start_unix`: its size follows
//! the data, not the span (one stray line from last year would otherwise
//! make hundreds of thousands of empty buckets), and a consumer fills the
//! gaps from `interval_seconds`.
//!
//! A run that would need more than [`MAX_ROWS`] rows gets a chart instead:
//! a sparkline of requests and one of the 5xx rate, each character
//! summarising as many consecutive intervals as it takes to fit the width,
//! and the intervals with the highest 5xx rate.

use std::io::{self, Write};

use anstyle::Style;
use serde_json::{Map, Value, json};
use unicode_width::UnicodeWidthStr;

use super::table::{
    BAR_WIDTH, Cell, MIN_BAR, Painter, bar, class_style, column_start, column_widths, dim, heading,
    left, percent, right, write_grid,
};
use super::{ReportOptions, csv_start};
use crate::lang::Lang;
use crate::registry::Class;
use crate::summary::{Bucket, Series};
use crate::text::group;
use crate::time::{self, Civil, Stamp};

/// Most intervals shown as rows, one each; a longer run gets the chart.
pub const MAX_ROWS: u64 = 60;

/// Intervals named under "worst intervals by 5xx rate".
pub const WORST_SHOWN: usize = 5;

/// Width the chart fits when the output has none (a pipe, a file): that of
/// the classic terminal, which any viewer shows whole.
const UNFITTED_WIDTH: usize = 80;

/// Sparkline levels, lowest first. A value of zero is a space, so "none"
/// never looks like "a little".
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Keys of the per-class counts, in the JSON and the CSV header.
pub const CLASS_KEYS: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

/// What one interval, or several summed, holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests per class: 1xx…5xx, then `other` (outside 100–599).
    pub classes: [u64; 6],
    pub no_status: u64,
}

impl Tally {
    pub fn of(b: &Bucket) -> Tally {
        let mut t = Tally {
            no_status: b.no_status,
            ..Tally::default()
        };
        for (&code, &n) in &b.codes {
            let i = Class::of(code).map_or(5, |c| c.digit() as usize - 1);
            t.classes[i] += n;
        }
        t
    }

    pub fn add(&mut self, o: &Tally) {
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
        self.no_status += o.no_status;
    }

    pub fn requests(&self) -> u64 {
        self.classes.iter().sum()
    }

    pub fn server_errors(&self) -> u64 {
        self.classes[4]
    }
}

/// The interval width, never 0 (a series is never built with 0; this keeps
/// a bad one from dividing by zero).
fn step(s: &Series) -> i64 {
    i64::from(s.step.max(1))
}

/// The first and last interval start holding lines, and how many intervals
/// lie from one to the other, both included.
pub fn span(s: &Series) -> Option<(i64, i64, u64)> {
    let first = *s.buckets.keys().next()?;
    let last = *s.buckets.keys().next_back()?;
    let n = (last - first) / step(s) + 1;
    Some((first, first + (n - 1) * step(s), n as u64))
}

/// Every interval from the first holding lines to the last, empty ones
/// included, with what it holds. Each interval sums the buckets that start
/// within it, so what a series holds is shown even if a bucket were off the
/// grid.
pub fn intervals(s: &Series) -> impl Iterator<Item = (i64, Tally)> + '_ {
    let (first, _, n) = span(s).unwrap_or((0, 0, 0));
    let step = step(s);
    (0..n as i64).map(move |i| {
        let start = first + i * step;
        let mut t = Tally::default();
        for b in s
            .buckets
            .range(start..start.saturating_add(step))
            .map(|e| e.1)
        {
            t.add(&Tally::of(b));
        }
        (start, t)
    })
}

/// An interval start as the table shows it, on the series' clock: the date
/// for whole days, minutes for whole minutes, else seconds.
pub fn start_label(start: i64, step: u32, offset: i32) -> String {
    let c = Civil::at(start, offset);
    if step.is_multiple_of(86_400) {
        c.date()
    } else if step.is_multiple_of(60) {
        format!("{} {}", c.date(), c.hm())
    } else {
        format!("{} {}", c.date(), c.hms())
    }
}

/// The first to the last time of an input, on the clock the log wrote:
/// `2025-03-14 09:00:03 → 17:59:58 UTC+02:00` (the date once when both fall
/// on the same day); each end names its own zone when the offset changed
/// between them (a DST change).
pub fn time_range(first: Stamp, last: Stamp) -> String {
    let (a, b) = (
        Civil::at(first.unix, first.offset),
        Civil::at(last.unix, last.offset),
    );
    if first.offset != last.offset {
        return format!(
            "{} {} {} → {} {} {}",
            a.date(),
            a.hms(),
            time::zone_label(first.offset),
            b.date(),
            b.hms(),
            time::zone_label(last.offset)
        );
    }
    let zone = time::zone_label(first.offset);
    if a.date() == b.date() {
        format!("{} {} → {} {zone}", a.date(), a.hms(), b.hms())
    } else {
        format!("{} {} → {} {} {zone}", a.date(), a.hms(), b.date(), b.hms())
    }
}

/// `unix` in RFC 3339 on the series' clock.
fn on_clock(s: &Series, unix: i64) -> String {
    time::format_stamp(
        Stamp {
            unix,
            offset: s.offset,
        },
        s.offset,
    )
}

/// `--series-csv`: a header, then one row per interval from the first
/// holding lines to the last, empty ones included.
///
/// Columns `start,end,requests,1xx,2xx,3xx,4xx,5xx,other,no_status,5xx_rate`.
/// `start` and `end` are RFC 3339 on the series' clock (the interval is
/// `[start, end)`); `5xx_rate` is a fraction of the interval's requests with
/// 6 decimals, and empty for an interval without requests: a rate of
/// nothing is no rate, and an empty cell is a gap in a chart where 0 would
/// be a false "all well". Lines without a readable time are in no row (the
/// JSON's `series.undated` counts them). The header is English in every
/// language; a Chinese CSV starts with a byte-order mark like the summary.
pub fn write_csv(w: &mut dyn Write, s: &Series, o: &ReportOptions) -> io::Result<()> {
    csv_start(w, o.lang.data)?;
    let mut out = csv::Writer::from_writer(w);
    let mut head = vec!["start", "end", "requests"];
    head.extend(CLASS_KEYS);
    head.extend(["no_status", "5xx_rate"]);
    out.write_record(&head)?;
    let stamp = |unix| on_clock(s, unix);
    for (start, t) in intervals(s) {
        let requests = t.requests();
        let mut row = vec![stamp(start), stamp(start + step(s)), requests.to_string()];
        row.extend(t.classes.iter().map(u64::to_string));
        row.push(t.no_status.to_string());
        row.push(if requests == 0 {
            String::new()
        } else {
            format!("{:.6}", t.server_errors() as f64 / requests as f64)
        });
        out.write_record(&row)?;
    }
    out.flush()
}

/// The JSON's `series` object: `interval_seconds`, `interval` (as `--by`
/// writes it), `zone` (`+02:00`), `undated`, and `buckets`, one per interval
/// holding lines, ascending: `start` (RFC 3339 on the series' clock),
/// `start_unix`, `requests`, `no_status`, `classes` (`1xx`…`5xx`, `other`,
/// always all six) and `codes` (only codes seen, keyed by the code as a
/// number, `"0"` for `000`, as the top-level `code` is a number).
pub fn to_value(s: &Series) -> Value {
    let buckets: Vec<Value> = s
        .buckets
        .iter()
        .map(|(&start, b)| {
            let t = Tally::of(b);
            let (classes, codes) = (classes_object(t.classes), codes_object(&b.codes));
            json!({
                "start": on_clock(s, start),
                "start_unix": start,
                "requests": t.requests(),
                "no_status": t.no_status,
                "classes": classes,
                "codes": codes,
            })
        })
        .collect();
    json!({
        "interval_seconds": s.step,
        "interval": time::format_duration(u64::from(s.step)),
        "zone": time::format_offset(s.offset),
        "undated": s.undated,
        "buckets": buckets,
    })
}

/// Per-class counts as a JSON object keyed `1xx`…`5xx`, `other`, all six.
pub(super) fn classes_object(classes: [u64; 6]) -> Map<String, Value> {
    CLASS_KEYS
        .iter()
        .zip(classes)
        .map(|(k, n)| (k.to_string(), n.into()))
        .collect()
}

/// Per-code counts as a JSON object keyed by the code as a number (`"0"`
/// for `000`), only codes with lines.
pub(super) fn codes_object(codes: &std::collections::BTreeMap<u16, u64>) -> Map<String, Value> {
    codes
        .iter()
        .filter(|e| *e.1 > 0)
        .map(|(c, n)| (c.to_string(), (*n).into()))
        .collect()
}

/// The table's section: its title, then rows or the chart, then how many
/// lines are in no interval.
pub(super) fn write_section(w: &mut dyn Write, s: &Series, p: &Painter) -> io::Result<()> {
    let every = time::format_duration(u64::from(s.step));
    let zone = time::zone_label(s.offset);
    let title = match p.lang {
        Lang::En => format!("Requests over time (every {every}, {zone})"),
        Lang::Zh => format!("请求随时间分布（每 {every}，{zone}）"),
    };
    writeln!(w, "{}", p.paint(&title, heading()))?;
    match span(s) {
        None => writeln!(w, "  {}", p.t("(no dated lines)", "（没有带时间的行）"))?,
        Some((_, _, n)) if n <= MAX_ROWS => write_rows(w, s, p)?,
        Some(_) => write_chart(w, s, p)?,
    }
    if s.undated > 0 {
        let n = group(s.undated);
        let line = match p.lang {
            Lang::En => format!("{n} lines had no readable time and are in no interval"),
            Lang::Zh => format!("{n} 行无法读取时间，不在任何区间内"),
        };
        writeln!(w, "  {}", p.paint(&line, dim()))?;
    }
    Ok(())
}

/// The 5xx rate cell: `—` without requests, red when any request failed.
fn rate_cell(t: &Tally) -> Cell {
    let style = if t.server_errors() > 0 {
        class_style(Some(Class::ServerError))
    } else {
        Style::new()
    };
    right(percent(t.server_errors(), t.requests())).styled(style)
}

/// One row per interval: start, requests, the classes (1xx, `other` and
/// no-status only when some interval has any), the 5xx rate, and a bar of
/// requests against the busiest interval.
fn write_rows(w: &mut dyn Write, s: &Series, p: &Painter) -> io::Result<()> {
    let rows: Vec<(i64, Tally)> = intervals(s).collect();
    let mut total = Tally::default();
    for (_, t) in &rows {
        total.add(t);
    }
    let busiest = rows.iter().map(|r| r.1.requests()).max().unwrap_or(0);
    // Classes 1xx–5xx and `other` by index; 2xx–5xx always.
    let shown: Vec<usize> = (0..6)
        .filter(|&i| (1..=4).contains(&i) || total.classes[i] > 0)
        .collect();
    let no_status = total.no_status > 0;
    let mut head = vec![
        left(p.t("start", "开始")).styled(dim()),
        right(p.t("requests", "请求数")).styled(dim()),
    ];
    for &i in &shown {
        head.push(match Class::ALL.get(i) {
            Some(&c) => right(c.label()).styled(class_style(Some(c))),
            None => right(p.t("other", "其他")).styled(dim()),
        });
    }
    if no_status {
        head.push(right(p.t("no status", "无状态码")).styled(dim()));
    }
    head.push(right(p.t("5xx rate", "5xx 比例")).styled(dim()));
    let mut grid = vec![head];
    for (start, t) in &rows {
        let mut row = vec![
            left(start_label(*start, s.step, s.offset)),
            right(group(t.requests())),
        ];
        row.extend(shown.iter().map(|&i| right(group(t.classes[i]))));
        if no_status {
            row.push(right(group(t.no_status)));
        }
        row.push(rate_cell(t));
        grid.push(row);
    }
    let start = column_start(&column_widths(&grid), grid[0].len());
    let cells = p.width.map_or(BAR_WIDTH, |w| {
        w.saturating_sub(start).clamp(MIN_BAR, BAR_WIDTH)
    });
    for (row, (_, t)) in grid.iter_mut().skip(1).zip(&rows) {
        row.push(left(bar(t.requests(), busiest, cells)));
    }
    write_grid(w, &grid, p)
}

/// Sums of consecutive intervals, `per` to a character, from the first.
/// Built from the stored buckets, so a long empty span costs nothing.
fn columns(s: &Series, first: i64, n: u64, per: u64) -> Vec<Tally> {
    let mut out = vec![Tally::default(); n.div_ceil(per) as usize];
    for (&start, b) in &s.buckets {
        let i = ((start - first) / step(s)) as u64 / per;
        out[i as usize].add(&Tally::of(b));
    }
    out
}

/// The sparkline character for `v` on a scale whose top is `max`: a space
/// for zero, else one of eight levels, the lowest for anything above zero.
fn level(v: f64, max: f64) -> char {
    if v <= 0.0 || max <= 0.0 {
        ' '
    } else {
        let i = ((v / max) * 8.0).ceil() as usize;
        LEVELS[i.clamp(1, 8) - 1]
    }
}

/// The chart for a run too long for rows: a line saying how many intervals
/// each character holds, a sparkline of requests (sums) and one of the 5xx
/// rate (5xx over requests of the summed intervals), each with its top
/// value, a time axis, and the intervals with the highest 5xx rate.
fn write_chart(w: &mut dyn Write, s: &Series, p: &Painter) -> io::Result<()> {
    let Some((first, last, n)) = span(s) else {
        return Ok(());
    };
    let mut total = Tally::default();
    for b in s.buckets.values() {
        total.add(&Tally::of(b));
    }
    let labels = [p.t("requests", "请求数"), p.t("5xx rate", "5xx 比例")];
    let label_width = labels.iter().map(|l| l.width()).max().unwrap_or(0);
    let top = p.t("max", "最高");
    // Room for the widest top value any character could have: the total.
    let suffix = 2 + top.width() + 1 + group(total.requests()).width().max(percent(1, 1).width());
    let width = p.width.unwrap_or(UNFITTED_WIDTH);
    let cells = width
        .saturating_sub(2 + label_width + 2 + suffix)
        .max(MIN_BAR) as u64;
    let per = n.div_ceil(cells);
    let cols = columns(s, first, n, per);

    let info = match (p.lang, per) {
        (Lang::En, 1) => format!("{} intervals, one per character", group(n)),
        (Lang::En, _) => format!(
            "{} intervals, {per} per character ({})",
            group(n),
            time::format_duration(per * u64::from(s.step))
        ),
        (Lang::Zh, 1) => format!("共 {} 个区间，每个字符一个", group(n)),
        (Lang::Zh, _) => format!(
            "共 {} 个区间，每个字符 {per} 个（{}）",
            group(n),
            time::format_duration(per * u64::from(s.step))
        ),
    };
    writeln!(w, "  {}", p.paint(&info, dim()))?;

    let max_requests = cols.iter().map(Tally::requests).max().unwrap_or(0);
    let rates: Vec<f64> = cols
        .iter()
        .map(|t| super::share(t.server_errors(), t.requests()))
        .collect();
    let max_rate = rates.iter().copied().fold(0.0, f64::max);
    let spark_requests: String = cols
        .iter()
        .map(|t| level(t.requests() as f64, max_requests as f64))
        .collect();
    let spark_rate: String = rates.iter().map(|&r| level(r, max_rate)).collect();
    let red = class_style(Some(Class::ServerError));
    let lines = [
        (labels[0], spark_requests, Style::new(), group(max_requests)),
        (
            labels[1],
            spark_rate,
            red,
            format!("{:.2}%", max_rate * 100.0),
        ),
    ];
    for (label, spark, style, max) in lines {
        let pad = label_width - label.width();
        writeln!(
            w,
            "  {}{:pad$}  {}  {}",
            p.paint(label, dim()),
            "",
            p.paint(&spark, style),
            p.paint(&format!("{top} {max}"), dim()),
        )?;
    }
    let chars = cols.len();
    // The axis: the first interval's start under the chart's left end, the
    // last one's end under its right end, when both fit.
    let from = start_label(first, s.step, s.offset);
    let to = start_label(last + step(s), s.step, s.offset);
    if from.width() + to.width() + 2 <= chars {
        let gap = chars - from.width() - to.width();
        writeln!(
            w,
            "  {:label_width$}  {}{:gap$}{}",
            "",
            p.paint(&from, dim()),
            "",
            p.paint(&to, dim())
        )?;
    }
    write_worst(w, s, p)
}

/// The [`WORST_SHOWN`] intervals with the highest 5xx rate (then the most
/// 5xx, then the earliest), or a line saying no interval had any.
fn write_worst(w: &mut dyn Write, s: &Series, p: &Painter) -> io::Result<()> {
    let mut bad: Vec<(i64, Tally)> = s
        .buckets
        .iter()
        .map(|(&start, b)| (start, Tally::of(b)))
        .filter(|(_, t)| t.server_errors() > 0)
        .collect();
    if bad.is_empty() {
        let none = p.t("No 5xx in any interval.", "没有任何区间出现 5xx。");
        return writeln!(w, "  {none}");
    }
    // Rates compared exactly, as cross products.
    bad.sort_by(|(sa, a), (sb, b)| {
        let ra = u128::from(a.server_errors()) * u128::from(b.requests());
        let rb = u128::from(b.server_errors()) * u128::from(a.requests());
        rb.cmp(&ra)
            .then(b.server_errors().cmp(&a.server_errors()))
            .then(sa.cmp(sb))
    });
    let title = p.t("Worst intervals by 5xx rate", "5xx 比例最高的区间");
    writeln!(w, "  {}", p.paint(title, heading()))?;
    let mut grid = vec![vec![
        left(p.t("start", "开始")).styled(dim()),
        right(p.t("requests", "请求数")).styled(dim()),
        right("5xx").styled(class_style(Some(Class::ServerError))),
        right(p.t("5xx rate", "5xx 比例")).styled(dim()),
    ]];
    for (start, t) in bad.iter().take(WORST_SHOWN) {
        grid.push(vec![
            left(start_label(*start, s.step, s.offset)),
            right(group(t.requests())),
            right(group(t.server_errors())),
            rate_cell(t),
        ]);
    }
    // Indented under its title.
    let mut out = Vec::new();
    write_grid(&mut out, &grid, p)?;
    for line in String::from_utf8_lossy(&out).lines() {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// An interval start, its codes and its no-status lines.
    type Spec<'a> = (i64, &'a [(u16, u64)], u64);

    fn series(step: u32, offset: i32, buckets: &[Spec]) -> Series {
        Series {
            step,
            offset,
            buckets: buckets
                .iter()
                .map(|&(start, codes, no_status)| {
                    (
                        start,
                        Bucket {
                            codes: codes.iter().copied().collect::<BTreeMap<_, _>>(),
                            no_status,
                        },
                    )
                })
                .collect(),
            undated: 0,
        }
    }

    #[test]
    fn intervals_fill_gaps_between_first_and_last() {
        let s = series(
            60,
            0,
            &[(120, &[(200, 3)], 0), (300, &[(503, 1), (0, 2)], 4)],
        );
        let got: Vec<(i64, u64)> = intervals(&s).map(|(t, c)| (t, c.requests())).collect();
        assert_eq!(got, [(120, 3), (180, 0), (240, 0), (300, 3)]);
        let last = intervals(&s).last().unwrap().1;
        assert_eq!(last.classes, [0, 0, 0, 0, 1, 2]);
        assert_eq!(last.no_status, 4);
        assert_eq!(span(&s), Some((120, 300, 4)));
        assert_eq!(span(&Series::default()), None);
        assert_eq!(intervals(&Series::default()).count(), 0);
    }

    #[test]
    fn columns_sum_consecutive_intervals() {
        let s = series(
            60,
            0,
            &[
                (0, &[(200, 1)], 0),
                (60, &[(200, 2)], 0),
                (600, &[(500, 5)], 0),
            ],
        );
        let cols = columns(&s, 0, 11, 4);
        let req: Vec<u64> = cols.iter().map(Tally::requests).collect();
        assert_eq!(req, [3, 0, 5]);
    }

    #[test]
    fn levels_keep_zero_blank_and_anything_else_visible() {
        assert_eq!(level(0.0, 10.0), ' ');
        assert_eq!(level(0.001, 10.0), '▁');
        assert_eq!(level(10.0, 10.0), '█');
        assert_eq!(level(5.0, 10.0), '▄');
        assert_eq!(level(5.1, 10.0), '▅');
    }

    #[test]
    fn labels_follow_the_step() {
        // 2025-03-14T08:05:00Z.
        let t = 1_741_939_500;
        assert_eq!(start_label(t, 300, 7_200), "2025-03-14 10:05");
        assert_eq!(start_label(t + 30, 30, 7_200), "2025-03-14 10:05:30");
        assert_eq!(start_label(t, 86_400, 7_200), "2025-03-14");
    }

    #[test]
    fn ranges_name_the_date_once_and_each_zone_when_it_changed() {
        let at = |unix, offset| Stamp { unix, offset };
        let t = 1_741_939_500;
        assert_eq!(
            time_range(at(t, 7_200), at(t + 3_661, 7_200)),
            "2025-03-14 10:05:00 → 11:06:01 UTC+02:00"
        );
        assert_eq!(
            time_range(at(t, 0), at(t + 86_400, 0)),
            "2025-03-14 08:05:00 → 2025-03-15 08:05:00 UTC"
        );
        assert_eq!(
            time_range(at(t, 3_600), at(t + 60, 7_200)),
            "2025-03-14 09:05:00 UTC+01:00 → 2025-03-14 10:06:00 UTC+02:00"
        );
    }
}
