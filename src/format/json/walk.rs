//! The walk over a JSON line's top-level members: each member's grammar
//! checked byte by byte, string contents and nested values stepped over
//! with the bitmaps of [`Blocks`], and the status value read.

use super::blocks::{Blocks, bare_end};
use super::key::{Key, Needle, Quoted, same};
use crate::bytes::Lanes;
use crate::lines::{Line, status_token};

pub(super) enum Found {
    /// Offset of the first byte of the key's value.
    Value(usize),
    /// The object ended without the key; offset just past its `}`.
    Absent(usize),
    /// Not valid JSON where it mattered.
    Broken,
}

/// Looks for `path` among the members of the object whose contents start at
/// `p`. The grammar of each member is checked byte by byte (key, `:`, value,
/// `,` or `}`), so a broken line is malformed; only string contents and
/// nested values are stepped over with the bitmaps of `blocks`.
#[inline(always)]
pub(super) fn find<L: Lanes>(
    line: &[u8],
    blocks: &mut Blocks<L>,
    mut p: usize,
    key: impl Needle,
) -> Found {
    let path = key.path();
    p = ws(line, p);
    if line.get(p) == Some(&b'}') {
        return Found::Absent(p + 1);
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return Found::Broken;
        }
        // `"key":"value"` without blanks, the commonest member, from the
        // next three quotes of one bitmap: no search waits on another.
        if let Some([kend, open, close]) = blocks.three_quotes_from(p + 1)
            && open == kend + 2
            && line.get(kend + 1) == Some(&b':')
        {
            if key.is(line, p, kend) {
                return Found::Value(open);
            }
            // Compact JSON goes on with `,"`: the next key's quote at once.
            if line.get(close + 1..close + 3) == Some(b",\"") {
                p = close + 2;
                continue;
            }
            p = ws(line, close + 1);
            match line.get(p) {
                Some(b',') => p = ws(line, p + 1),
                Some(b'}') => return Found::Absent(p + 1),
                _ => return Found::Broken,
            }
            continue;
        }
        let Some(kend) = blocks.quote_from(p + 1) else {
            return Found::Broken;
        };
        let found = key.is(line, p, kend);
        let name = &line[p + 1..kend];
        p = ws(line, kend + 1);
        if line.get(p) != Some(&b':') {
            return Found::Broken;
        }
        p = ws(line, p + 1);
        if found {
            return Found::Value(p);
        }
        // The wide loop only runs for paths without a dot
        // (`Json::count_chunk`): no descent to look for, and no branch on
        // each key's length that mispredicts from member to member.
        debug_assert!(!L::WIDE || !path.contains(&b'.'));
        let descend = !L::WIDE
            && path.len() > name.len()
            && path[name.len()] == b'.'
            && same(&path[..name.len()], name)
            && line.get(p) == Some(&b'{');
        if descend {
            match find_nested(line, blocks, p + 1, &path[name.len() + 1..]) {
                Found::Absent(end) => p = end,
                other => return other,
            }
        } else {
            match skip_value(line, blocks, p) {
                Some(end) => p = end,
                None => return Found::Broken,
            }
        }
        if line.get(p..p + 2) == Some(b",\"") {
            p += 1;
            continue;
        }
        p = ws(line, p);
        match line.get(p) {
            Some(b',') => p = ws(line, p + 1),
            Some(b'}') => return Found::Absent(p + 1),
            _ => return Found::Broken,
        }
    }
}

/// [`find`] in a nested object: kept out of line, so that the top level's
/// walk is inlined into [`classify`](super::classify) (a call per line is a
/// cost worth avoiding on short lines) while the recursion stays a call.
#[inline(never)]
fn find_nested<L: Lanes>(line: &[u8], blocks: &mut Blocks<L>, p: usize, path: &[u8]) -> Found {
    let key = Key {
        path,
        quoted: Quoted::NONE,
    };
    find(line, blocks, p, key)
}

/// Reads the status value at `p`.
#[inline(always)]
pub(super) fn value<L: Lanes>(line: &[u8], blocks: &mut Blocks<L>, p: usize) -> Line {
    match line.get(p) {
        Some(b'"') => match blocks.quote_from(p + 1) {
            // `""`: the logger had no status to write.
            Some(end) if end == p + 1 => Line::NoStatus,
            Some(end) => status_token(&line[p + 1..end]),
            None => Line::Malformed,
        },
        Some(b'0'..=b'9') => {
            // `200,` or `404}`: three digits and what ends them, the
            // commonest value, read without the loop below.
            if let Some(&[a, b, c, d]) = line.get(p..p + 4) {
                let digit = |x: u8| x.wrapping_sub(b'0') < 10;
                if digit(b) & digit(c) & !digit(d) & !matches!(d, b'.' | b'e' | b'E') {
                    let [a, b, c] = [a, b, c].map(|x| u16::from(x - b'0'));
                    return Line::Status(a * 100 + b * 10 + c);
                }
            }
            let end = line[p..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(line.len(), |n| p + n);
            // `200.5`, `2e2`: not an integer status.
            if matches!(line.get(end), Some(b'.' | b'e' | b'E')) {
                return Line::Malformed;
            }
            status_token(&line[p..end])
        }
        _ if line[p.min(line.len())..].starts_with(b"null") => Line::NoStatus,
        _ => Line::Malformed,
    }
}

/// Skips spaces, tabs and other JSON whitespace. Loggers write compact
/// JSON, so the first byte is almost always something else: one compare
/// (every whitespace byte is below `!`) before the loop.
#[inline(always)]
fn ws(line: &[u8], mut p: usize) -> usize {
    if line.get(p).is_none_or(|&b| b > b' ') {
        return p;
    }
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(p) {
        p += 1;
    }
    p
}

/// Offset just past the value starting at `p` (string, object, array, scalar).
#[inline(always)]
fn skip_value<L: Lanes>(line: &[u8], blocks: &mut Blocks<L>, p: usize) -> Option<usize> {
    match line.get(p)? {
        b'"' => blocks.quote_from(p + 1).map(|e| e + 1),
        b'{' | b'[' => blocks.close_from(p),
        _ => {
            // Quotes and backslashes in a bare value are part of it, not the
            // strings and escapes the bitmaps took them for.
            let (end, odd) = bare_end(line, p);
            if odd {
                blocks.resync(end);
            }
            (end > p).then_some(end)
        }
    }
}
