//! The byte-by-byte scanner, kept as the reference the bitmap walk must
//! agree with on every input.

use memchr::memchr;

use crate::lines::{Line, status_token};

/// Classifies one line for a key path.
#[inline]
pub fn classify(line: &[u8], path: &[u8]) -> Line {
    let Some(open) = memchr(b'{', line) else {
        return Line::Malformed;
    };
    match find(line, open + 1, path) {
        Found::Value(at) => value(line, at),
        Found::Absent(end) if open == 0 && line[end..].iter().all(|b| b" \t\r".contains(b)) => {
            Line::NotRequest
        }
        Found::Absent(_) | Found::Broken => Line::Malformed,
    }
}

enum Found {
    /// Offset of the first byte of the key's value.
    Value(usize),
    /// The object ended without the key; offset just past its `}`.
    Absent(usize),
    /// Not valid JSON where it mattered.
    Broken,
}

/// Looks for `path` among the members of the object whose contents start at `p`.
fn find(line: &[u8], mut p: usize, path: &[u8]) -> Found {
    p = ws(line, p);
    if line.get(p) == Some(&b'}') {
        return Found::Absent(p + 1);
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return Found::Broken;
        }
        let Some(kend) = string_end(line, p + 1) else {
            return Found::Broken;
        };
        let key = &line[p + 1..kend];
        p = ws(line, kend + 1);
        if line.get(p) != Some(&b':') {
            return Found::Broken;
        }
        p = ws(line, p + 1);
        if key == path {
            return Found::Value(p);
        }
        let descend = path.len() > key.len()
            && path.starts_with(key)
            && path[key.len()] == b'.'
            && line.get(p) == Some(&b'{');
        if descend {
            match find(line, p + 1, &path[key.len() + 1..]) {
                Found::Absent(end) => p = end,
                other => return other,
            }
        } else {
            match skip_value(line, p) {
                Some(end) => p = end,
                None => return Found::Broken,
            }
        }
        p = ws(line, p);
        match line.get(p) {
            Some(b',') => p = ws(line, p + 1),
            Some(b'}') => return Found::Absent(p + 1),
            _ => return Found::Broken,
        }
    }
}

/// Reads the status value at `p`.
fn value(line: &[u8], p: usize) -> Line {
    match line.get(p) {
        Some(b'"') => match string_end(line, p + 1) {
            Some(end) if end == p + 1 => Line::NoStatus,
            Some(end) => status_token(&line[p + 1..end]),
            None => Line::Malformed,
        },
        Some(b'0'..=b'9') => {
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

/// Skips spaces, tabs and other JSON whitespace.
#[inline]
fn ws(line: &[u8], mut p: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(p) {
        p += 1;
    }
    p
}

/// Offset of the `"` closing a string whose contents start at `p`.
#[inline]
fn string_end(line: &[u8], mut p: usize) -> Option<usize> {
    loop {
        // Strings (URIs, user agents, headers) are most of a JSON log's bytes:
        // a SIMD search for the two bytes that can end or escape them.
        let q = p + memchr::memchr2(b'"', b'\\', &line[p.min(line.len())..])?;
        if line[q] == b'"' {
            return Some(q);
        }
        p = q + 2;
    }
}

/// Offset just past the value starting at `p` (string, object, array, scalar).
fn skip_value(line: &[u8], p: usize) -> Option<usize> {
    match line.get(p)? {
        b'"' => string_end(line, p + 1).map(|e| e + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut q = p;
            loop {
                match line.get(q)? {
                    b'"' => q = string_end(line, q + 1)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(q + 1);
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
        }
        _ => {
            let n = line[p..]
                .iter()
                .position(|&b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t'))
                .unwrap_or(line.len() - p);
            (n > 0).then_some(p + n)
        }
    }
}
