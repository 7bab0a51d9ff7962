//! Small pure text helpers that several renderers share: number grouping and
//! fitting text to a terminal's width.
//!
//! A leaf module: it imports nothing from the crate, so both `report` and
//! `check` can format numbers alike without either depending on the other,
//! and the table and `--explain` wrap text by one set of rules.
//!
//! Widths are display widths (`unicode-width`): a Chinese character takes two
//! terminal cells, so counting bytes or chars would misalign columns.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `1234567` → `1,234,567`. The comma is the usual grouping mark in Chinese
/// technical text too, so it does not change with the language.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The width human output should fit, in terminal cells: `COLUMNS` when it is
/// set to a positive number (it lets a user or a test pin the layout), else the
/// size of the terminal stdout is, else `None`: a pipe or a file gets whole
/// lines, since nobody can tell how wide its reader will be.
pub fn terminal_width() -> Option<usize> {
    width_from(std::env::var("COLUMNS").ok().as_deref(), stdout_columns)
}

/// [`terminal_width`] over any `COLUMNS` value and terminal query, so tests
/// need not touch the process environment.
pub fn width_from(
    columns: Option<&str>,
    terminal: impl FnOnce() -> Option<usize>,
) -> Option<usize> {
    columns
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(terminal)
}

/// Columns of the terminal on stdout, when stdout is one.
#[cfg(unix)]
fn stdout_columns() -> Option<usize> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given and
    // fails (returning -1, leaving it zeroed) when fd 1 is not a terminal.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0).then_some(ws.ws_col as usize)
}

#[cfg(not(unix))]
fn stdout_columns() -> Option<usize> {
    None
}

/// Pads `s` with spaces to `width` display columns (Chinese characters count two).
pub fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    format!("{s}{:1$}", "", width.saturating_sub(w))
}

/// Shortens `s` to at most `width` display columns, ending in `…` when cut.
pub fn clip(s: &str, width: usize) -> String {
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
pub fn wrap(text: &str, width: usize) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(group(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn width_prefers_columns_then_the_terminal() {
        assert_eq!(width_from(Some("60"), || Some(120)), Some(60));
        assert_eq!(width_from(Some(" 72 "), || None), Some(72));
        for bad in ["", "0", "wide", "-5"] {
            assert_eq!(width_from(Some(bad), || Some(120)), Some(120), "{bad:?}");
        }
        assert_eq!(width_from(None, || Some(120)), Some(120));
        assert_eq!(width_from(None, || None), None);
    }

    const ZH: &str =
        "客户端在 nginx 发出响应之前关闭了连接，通常是客户端超时（上游太慢）或用户离开了页面。";
    const EN: &str = "The client closed the connection before nginx sent a response, often a client-side timeout against a slow upstream.";

    #[test]
    fn wrap_respects_display_width() {
        for w in [10, 21, 40] {
            let lines = wrap(ZH, w);
            assert!(lines.iter().all(|l| l.width() <= w), "{lines:?}");
            // Only the spaces a line was broken at may disappear.
            assert_eq!(lines.concat().replace(' ', ""), ZH.replace(' ', ""));
            assert!(
                lines
                    .iter()
                    .skip(1)
                    .all(|l| !l.starts_with(['，', '。', '；', '）']))
            );
        }
        let lines = wrap(EN, 30);
        assert!(lines.iter().all(|l| l.width() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), EN);
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
}
