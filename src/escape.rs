//! Making log bytes safe to show. A log line may hold anything (terminal escape
//! sequences sent by an attacker, TLS handshakes, invalid UTF-8); logstat never
//! echoes such bytes raw to a terminal.

use std::fmt::Write as _;

/// Renders `bytes` as printable text: valid UTF-8 stays as it is except for
/// control characters (C0, DEL, C1), which become `\xNN` / `\u{..}`; invalid
/// UTF-8 bytes become `\xNN`. Tabs become `\t` so one example stays one line.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push_str("\\t"),
                '\\' => out.push('\\'),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if (0x80..0xa0).contains(&(c as u32)) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
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

    #[test]
    fn control_bytes_are_escaped() {
        assert_eq!(escape_bytes(b"a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(escape_bytes(b"x\x00y\x7f"), "x\\x00y\\x7f");
        assert_eq!(escape_bytes(b"\xff\xfeok"), "\\xff\\xfeok");
        assert_eq!(escape_bytes("中文\u{85}".as_bytes()), "中文\\u{85}");
        assert_eq!(escape_bytes(b"a\tb\r"), "a\\tb\\x0d");
    }

    #[test]
    fn shortening_marks_the_cut() {
        assert_eq!(escape_shortened(b"abcdef", 10), "abcdef");
        assert_eq!(escape_shortened(b"abcdefghijkl", 5), "abcd…");
        let long = vec![b'x'; 1 << 20];
        assert_eq!(escape_shortened(&long, 8).chars().count(), 8);
    }
}
