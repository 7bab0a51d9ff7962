//! Compiling an nginx `log_format` or Apache `LogFormat` string into a
//! [`Program`] of literals and fields.

/// One step of a compiled format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Op {
    /// Bytes that must appear verbatim.
    Lit(Vec<u8>),
    /// A field that is skipped (`status` false) or read as the status.
    /// `list`: nginx writes one value per upstream tried (`502, 200`,
    /// `502 : 504`), so the spaces of those separators are inside the field.
    Field {
        status: bool,
        quoted: bool,
        list: bool,
    },
}

/// A compiled custom format. Two programs are equal when compiled from the
/// same source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    source: String,
    pub(super) ops: Vec<Op>,
    /// Where the time is, if the format writes one it can read.
    pub(super) time: Option<super::time::TimeField>,
    /// Whether the format logs `$upstream_status`.
    upstream: bool,
    /// Where the fields `--top` reads are, for those it has.
    pub(super) fields: std::sync::Arc<[super::FieldSpan]>,
}

/// Which syntax a format string is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Nginx,
    Apache,
}

/// A parsed variable, before choosing which one is the status.
enum Piece {
    Lit(Vec<u8>),
    Var(String),
}

impl Program {
    /// True when `s` looks like a format string rather than a preset name.
    pub fn is_format_string(s: &str) -> bool {
        s.contains('$') || s.contains('%')
    }

    /// Compiles an nginx or Apache format string.
    pub fn compile(source: &str, upstream: bool) -> Result<Program, String> {
        let body = unwrap_directive(source.trim());
        let syntax = if body.contains('$') {
            Syntax::Nginx
        } else {
            Syntax::Apache
        };
        let pieces = match syntax {
            Syntax::Nginx => parse_nginx(body)?,
            Syntax::Apache => parse_apache(body)?,
        };
        let has = |n: &str| pieces.iter().any(|p| matches!(p, Piece::Var(v) if v == n));
        let status_var = match syntax {
            Syntax::Nginx if upstream => "upstream_status",
            Syntax::Nginx => "status",
            Syntax::Apache if upstream => {
                return Err(
                    "--status upstream: an Apache format logs no upstream status".to_string(),
                );
            }
            Syntax::Apache if has(">s") => ">s",
            Syntax::Apache if has("s") => "s",
            Syntax::Apache => "<s",
        };
        let upstream_status = syntax == Syntax::Nginx && has("upstream_status");
        if !has(status_var) {
            return Err(match syntax {
                Syntax::Nginx if upstream => {
                    "--status upstream: the format has no $upstream_status field".to_string()
                }
                Syntax::Nginx => "the format has no $status field".to_string(),
                Syntax::Apache => "the format has no %>s or %s field".to_string(),
            });
        }
        let time_var = time_variable(&pieces);
        let mut ops: Vec<Op> = Vec::new();
        let mut status_seen = false;
        let mut var_ops = Vec::new();
        let mut names = Vec::new();
        for p in pieces {
            match p {
                Piece::Lit(l) => match ops.last_mut() {
                    Some(Op::Lit(prev)) => prev.extend_from_slice(&l),
                    _ => ops.push(Op::Lit(l)),
                },
                Piece::Var(v) => {
                    if matches!(ops.last(), Some(Op::Field { .. })) {
                        return Err(format!(
                            "two fields with nothing between them (before '{v}'): their boundary cannot be found"
                        ));
                    }
                    let status = !status_seen && v == status_var;
                    names.push(v.clone());
                    status_seen |= status;
                    var_ops.push(ops.len());
                    ops.push(Op::Field {
                        status,
                        quoted: false,
                        list: syntax == Syntax::Nginx && is_list(&v),
                    });
                }
            }
        }
        // A field between `"` literals is a quoted field.
        for i in 0..ops.len() {
            let before = i > 0 && matches!(&ops[i - 1], Op::Lit(l) if l.ends_with(b"\""));
            let after = matches!(ops.get(i + 1), Some(Op::Lit(l)) if l.starts_with(b"\""));
            if let Op::Field { quoted, .. } = &mut ops[i] {
                *quoted = before && after;
            }
        }
        let time = time_var.map(|(var, written)| {
            let field = var_ops[var];
            super::time::TimeField {
                ops: ops[..(field + 2).min(ops.len())].to_vec(),
                field,
                written,
            }
        });
        let fields = super::fields::spans(&names, &var_ops, &ops).into();
        // Nothing after the status is ever run.
        if let Some(s) = ops
            .iter()
            .position(|o| matches!(o, Op::Field { status: true, .. }))
        {
            ops.truncate(s + 2);
        }
        Ok(Program {
            source: source.to_string(),
            ops,
            time,
            upstream: upstream_status,
            fields,
        })
    }

    /// The format string as the user gave it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the format logs the upstream's status (`$upstream_status`).
    pub fn has_upstream(&self) -> bool {
        self.upstream
    }
}

/// nginx variables that hold one value per upstream server tried, separated
/// by `, ` (servers of one group) and ` : ` (groups, after an internal
/// redirect): every `$upstream_…` variable but the cache status.
fn is_list(var: &str) -> bool {
    var.starts_with("upstream_") && var != "upstream_cache_status"
}

/// The first variable that holds a time logstat can read back: its index
/// among the variables, and how it is written.
fn time_variable(pieces: &[Piece]) -> Option<(usize, super::time::Written)> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v),
            Piece::Lit(_) => None,
        })
        .enumerate()
        .find_map(|(i, v)| super::time::Written::of(v).map(|w| (i, w)))
}

/// Accepts a pasted directive: `log_format main '…' '…';` or
/// `LogFormat "…" nickname`, keeping only the format itself.
fn unwrap_directive(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("LogFormat ") {
        let rest = rest.trim();
        if let (Some(inner), Some(end)) = (rest.strip_prefix('"'), rest.rfind('"'))
            && end > 0
        {
            return &inner[..end - 1];
        }
        return rest;
    }
    s
}

/// nginx: `$name` / `${name}`; `log_format name '…' '…';` is unwrapped by
/// joining its quoted parts.
fn parse_nginx(s: &str) -> Result<Vec<Piece>, String> {
    let joined;
    let s = if s.starts_with("log_format ") {
        joined = s
            .split('\'')
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .concat();
        joined.as_str()
    } else if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
        &s[1..s.len() - 1]
    } else {
        s
    };
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (name, next) = if b.get(i + 1) == Some(&b'{') {
                let end = s[i + 2..]
                    .find('}')
                    .ok_or("unterminated ${…} in the format")?;
                (&s[i + 2..i + 2 + end], i + 3 + end)
            } else {
                let n = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                (&s[i + 1..i + 1 + n], i + 1 + n)
            };
            if name.is_empty() {
                lit.push(b'$');
                i += 1;
                continue;
            }
            if !lit.is_empty() {
                out.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            out.push(Piece::Var(name.to_string()));
            i = next;
        } else {
            lit.push(b[i]);
            i += 1;
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    Ok(out)
}

/// Apache: `%x`, `%>x`, `%<x`, `%{arg}x`, conditions like `%400,501{X}i` or
/// `%!200i`, `%%`, and the C escapes `\"`, `\\`, `\t`, `\n` used inside
/// `LogFormat "…"`. `%t` writes its own brackets.
fn parse_apache(s: &str) -> Result<Vec<Piece>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                lit.push(match b[i + 1] {
                    b't' => b'\t',
                    b'n' => b'\n',
                    c => c,
                });
                i += 2;
            }
            b'%' if b.get(i + 1) == Some(&b'%') => {
                lit.push(b'%');
                i += 2;
            }
            b'%' => {
                let mut j = i + 1;
                let mut modifier = String::new();
                while j < b.len() && matches!(b[j], b'!' | b',' | b'0'..=b'9') {
                    j += 1;
                }
                while j < b.len() && matches!(b[j], b'<' | b'>') {
                    modifier.push(b[j] as char);
                    j += 1;
                }
                let mut arg = None;
                if b.get(j) == Some(&b'{') {
                    let end = s[j + 1..]
                        .find('}')
                        .ok_or("unterminated %{…} in the format")?;
                    arg = Some(&s[j + 1..j + 1 + end]);
                    j += end + 2;
                }
                let Some(&letter) = b.get(j) else {
                    return Err("the format ends with a lone '%'".to_string());
                };
                if !letter.is_ascii_alphabetic() {
                    return Err(format!("unknown directive '%{}'", letter as char));
                }
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                if letter == b't' && arg.is_none() {
                    // `%t` is `[10/Oct/2000:13:55:36 -0700]`, brackets included.
                    out.push(Piece::Lit(b"[".to_vec()));
                    out.push(Piece::Var("t".to_string()));
                    lit.push(b']');
                } else {
                    let name = match (letter, arg) {
                        (b's', None) => format!("{modifier}s"),
                        // The time's form, for reading it back.
                        (b't', Some(a)) => format!("t:{a}"),
                        // The header, variable … a field reads.
                        (l, Some(a)) => format!("{}:{a}", l as char),
                        (l, None) => (l as char).to_string(),
                    };
                    out.push(Piece::Var(name));
                }
                i = j + 1;
            }
            c => {
                lit.push(c);
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    Ok(out)
}

impl Program {
    /// The fields besides the status `--top` can read from this format.
    pub fn fields(&self) -> Vec<crate::top::Field> {
        self.fields.iter().map(super::FieldSpan::field).collect()
    }

    /// Where each of [`Program::fields`] is.
    pub fn field_spans(&self) -> &std::sync::Arc<[super::FieldSpan]> {
        &self.fields
    }
}
