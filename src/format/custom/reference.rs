//! A plain interpreter over the compiled ops, kept as the reference
//! [`Custom`](super::Custom) must agree with.

use super::compile::Op;
use crate::format::clf::closing_quote;
use crate::lines::{Line, status_token};

/// The status of `line` as the program `ops` reads it.
pub(super) fn classify(ops: &[Op], line: &[u8]) -> Line {
    let mut p = 0;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Lit(l) => {
                if !line[p..].starts_with(l) {
                    return Line::Malformed;
                }
                p += l.len();
            }
            Op::Field {
                status,
                quoted,
                list,
            } => {
                let next = match ops.get(i + 1) {
                    Some(Op::Lit(l)) => Some(l.as_slice()),
                    _ => None,
                };
                let end = match next {
                    None if *status && *list => list_end(line, p),
                    None if *status => line[p..]
                        .iter()
                        .position(|&b| b == b' ' || b == b'\t')
                        .map_or(line.len(), |n| p + n),
                    None => line.len(),
                    Some(l) if *list && !*quoted && l[0] == b' ' => list_end(line, p),
                    Some(l) if *quoted => match closing_quote(line, p) {
                        Some(q) if line[q..].starts_with(l) => q,
                        _ => return Line::Malformed,
                    },
                    Some(l) if l[0] == b' ' => line[p..]
                        .iter()
                        .position(|&b| b == b' ')
                        .map_or(line.len(), |n| p + n),
                    Some(l) => match line[p..].windows(l.len()).position(|w| w == l) {
                        Some(q) => p + q,
                        None => return Line::Malformed,
                    },
                };
                if *status && *list {
                    let last = line[p..end].split(|&b| b == b' ').next_back();
                    return status_token(last.unwrap_or_default());
                }
                if *status {
                    return status_token(&line[p..end]);
                }
                p = end;
            }
        }
    }
    Line::Malformed
}

/// Where a list field starting at `p` ends: at the first space or tab that
/// is not part of a `, ` or ` : ` separator.
fn list_end(line: &[u8], p: usize) -> usize {
    let mut q = p;
    while q < line.len() {
        if line[q] == b'\t' {
            return q;
        }
        if line[q] == b' ' {
            if q > p && line[q - 1] == b',' {
                q += 1;
                continue;
            }
            if line[q + 1..].starts_with(b": ") {
                q += 3;
                continue;
            }
            return q;
        }
        q += 1;
    }
    line.len()
}
