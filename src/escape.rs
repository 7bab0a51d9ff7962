//! Making untrusted text safe to show. A log line may hold anything (terminal
//! escape sequences sent by an attacker, TLS handshakes, invalid UTF-8), and so
//! may a file name or an argument; logstat never echoes such bytes raw.
//!
//! Every echo of such text goes through [`escape_bytes`] (or its wrappers
//! [`escape_path`], [`escape_str`], [`escape_shortened`]), which is what lets
//! [`guard_workflow_commands`] neutralise CI workflow commands in all of them
//! at once.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a CI runner reads logstat's output for workflow commands.
static GUARD: AtomicBool = AtomicBool::new(false);

/// Turns on (or off) the neutralising of GitHub workflow commands in every
/// escaped text from now on.
///
/// GitHub's runner reads each line of a step's stdout and stderr: a line whose
/// first characters after whitespace are `::` (`::error::…`,
/// `::stop-commands::TOKEN`, `::add-mask::…`) is a command, and so is
/// `##[name]…` anywhere in a line (the legacy syntax). Echoed log text or a
/// crafted file name could thus forge an annotation, or silence logstat's own
/// with `stop-commands`. With the guard on, the first `:` of every `::` becomes
/// `\x3a` and the first `#` of every `##[` becomes `\x23`, so no escaped text
/// can start or hold a command wherever it lands in a line. A process-wide
/// switch rather than a parameter: the streams are what the runner reads, so
/// the setting belongs to the process, and the echoes are spread over every
/// renderer and error message. `cli` sets it once, before anything is written.
pub fn guard_workflow_commands(on: bool) {
    GUARD.store(on, Ordering::Relaxed);
}

/// Whether [`guard_workflow_commands`] is on.
pub fn workflow_commands_guarded() -> bool {
    GUARD.load(Ordering::Relaxed)
}

/// Renders `bytes` as printable text, reversibly: valid UTF-8 stays as it is
/// except for
/// - control characters (C0, DEL, C1), which become `\xNN` / `\u{NN}` (a tab
///   `\t`, so one example stays one line);
/// - invisible characters that change how the text around them reads: the
///   format characters (Unicode category Cf: bidi overrides such as U+202E,
///   which would reverse the rest of a report row, zero-width spaces and
///   joiners, the byte-order mark, soft hyphen, tags) and the line and
///   paragraph separators, which become `\u{…}`;
/// - the backslash itself, which becomes `\\`, so the text `\x1b` and an
///   escaped ESC byte never look alike;
///
/// and invalid UTF-8 bytes become `\xNN`. With [`guard_workflow_commands`] on,
/// workflow commands are neutralised too.
pub fn escape_bytes(bytes: &[u8]) -> String {
    escape_with(bytes, workflow_commands_guarded(), true)
}

/// [`escape_bytes`] for text that is already a `str` (an argument, a message).
pub fn escape_str(s: &str) -> String {
    escape_bytes(s.as_bytes())
}

/// A path as [`escape_bytes`] renders it, from its bytes, so a name that is not
/// UTF-8 shows its bytes (`\xff`) rather than `�`. On Windows the backslash is
/// the separator and file names cannot hold control characters, so it stays as
/// it is there.
pub fn escape_path(p: &Path) -> String {
    escape_with(
        p.as_os_str().as_encoded_bytes(),
        workflow_commands_guarded(),
        !cfg!(windows),
    )
}

/// [`escape_bytes`] with the guard given rather than read from the process.
pub fn escape_with(bytes: &[u8], guard: bool, backslash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut chars = valid.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\t' => out.push_str("\\t"),
                '\\' if backslash => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if (0x80..0xa0).contains(&(c as u32)) || is_invisible(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                ':' if guard && chars.peek().is_some_and(|&(_, n)| n == ':') => {
                    out.push_str("\\x3a");
                }
                '#' if guard && valid[i + 1..].starts_with("#[") => out.push_str("\\x23"),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Format characters (general category Cf, Unicode 16) and the line and
/// paragraph separators: nothing a reader can see, but they reorder, join,
/// hide or break the text around them.
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x2028..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    )
}

/// [`escape_bytes`], shortened to at most `max_chars` characters with a
/// trailing `…` when it was longer, so a multi-megabyte line cannot flood a report.
pub fn escape_shortened(bytes: &[u8], max_chars: usize) -> String {
    // Escaping can only lengthen text, so escaping a prefix is enough.
    let cut = bytes.len().min(max_chars.saturating_mul(4));
    let s = escape_bytes(&bytes[..cut]);
    if s.chars().count() > max_chars || cut < bytes.len() {
        let mut t: String = s.chars().take(max_chars.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(b: &[u8]) -> String {
        escape_with(b, false, true)
    }

    #[test]
    fn control_bytes_are_escaped() {
        assert_eq!(plain(b"a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(plain(b"x\x00y\x7f"), "x\\x00y\\x7f");
        assert_eq!(plain(b"\xff\xfeok"), "\\xff\\xfeok");
        assert_eq!(plain("中文\u{85}".as_bytes()), "中文\\u{85}");
        assert_eq!(plain(b"a\tb\r"), "a\\tb\\x0d");
    }

    #[test]
    fn backslash_is_escaped_so_text_and_escapes_differ() {
        assert_eq!(plain(b"\\x1b"), "\\\\x1b");
        assert_eq!(plain(b"\x1b"), "\\x1b");
        assert_ne!(plain(b"\\x1b"), plain(b"\x1b"));
        assert_eq!(escape_with(b"C:\\logs", false, false), "C:\\logs");
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(plain("a\u{202e}gol.exe".as_bytes()), "a\\u{202e}gol.exe");
        for c in [
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{200e}',
            '\u{200f}',
            '\u{61c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{2028}',
            '\u{2029}',
            '\u{e0041}',
        ] {
            let s = plain(c.to_string().as_bytes());
            assert_eq!(s, format!("\\u{{{:x}}}", c as u32));
        }
        // Visible text, Chinese and emoji included, is left alone.
        assert_eq!(plain("客户端 café 🙂 ▏".as_bytes()), "客户端 café 🙂 ▏");
    }

    #[test]
    fn the_guard_breaks_every_workflow_command() {
        let g = |b: &[u8]| escape_with(b, true, true);
        assert_eq!(g(b"::error::pwned"), "\\x3a:error\\x3a:pwned");
        assert_eq!(g(b"x ##[error]y"), "x \\x23#[error]y");
        assert_eq!(g(b":::"), "\\x3a\\x3a:");
        assert_eq!(g(b"###["), "#\\x23#[");
        // Single colons and hashes stay.
        assert_eq!(g(b"10:00 #1 [a]"), "10:00 #1 [a]");
        assert_eq!(plain(b"::error::x ##[y]"), "::error::x ##[y]");
    }

    #[cfg(unix)]
    #[test]
    fn paths_show_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"a\xffb\x1b.log"));
        assert_eq!(escape_path(p), "a\\xffb\\x1b.log");
    }

    #[test]
    fn shortening_marks_the_cut() {
        assert_eq!(escape_shortened(b"abcdef", 10), "abcdef");
        assert_eq!(escape_shortened(b"abcdefghijkl", 5), "abcd…");
        let long = vec![b'x'; 1 << 20];
        assert_eq!(escape_shortened(&long, 8).chars().count(), 8);
    }
}
