//! Fields of a custom format besides the status (`--top`): read from the
//! variables that hold them (`$request_uri`, `$host`, `%r`, `%U`,
//! `%{User-Agent}i` …), found by walking the format's fields up to the
//! variable's with the status program's rules for where a field ends.

use super::compile::Op;
use super::time::field_span;
use crate::format::fields::{path, request_field};
use crate::top::Field;

/// How a variable holds a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// The variable is the field.
    Whole,
    /// A request line (`$request`, `%r`): the field is a part of it.
    Request,
    /// A request target (`$request_uri`): the field is its path.
    Path,
}

/// Which variables hold each field, preferred first, with how they hold
/// it. Names are the compiler's: nginx without `$`, Apache's letter and
/// `:arg` for `%{arg}x`.
const SOURCES: &[(Field, &[(&str, Read)])] = &[
    (
        Field::Path,
        &[
            ("request_uri", Read::Path),
            ("uri", Read::Path),
            ("document_uri", Read::Path),
            ("request", Read::Request),
            ("U", Read::Path),
            ("r", Read::Request),
        ],
    ),
    (
        Field::Url,
        &[
            ("request_uri", Read::Whole),
            ("request", Read::Request),
            ("r", Read::Request),
        ],
    ),
    (
        Field::Method,
        &[
            ("request_method", Read::Whole),
            ("request", Read::Request),
            ("m", Read::Whole),
            ("r", Read::Request),
        ],
    ),
    (
        Field::Protocol,
        &[
            ("server_protocol", Read::Whole),
            ("request", Read::Request),
            ("H", Read::Whole),
            ("r", Read::Request),
        ],
    ),
    (
        Field::Host,
        &[
            ("host", Read::Whole),
            ("http_host", Read::Whole),
            ("server_name", Read::Whole),
            ("v", Read::Whole),
            ("V", Read::Whole),
            ("i:host", Read::Whole),
        ],
    ),
    (
        Field::Client,
        &[
            ("remote_addr", Read::Whole),
            ("realip_remote_addr", Read::Whole),
            ("a", Read::Whole),
            ("h", Read::Whole),
        ],
    ),
    (
        Field::Agent,
        &[
            ("http_user_agent", Read::Whole),
            ("i:user-agent", Read::Whole),
        ],
    ),
    (
        Field::Referer,
        &[("http_referer", Read::Whole), ("i:referer", Read::Whole)],
    ),
    (
        Field::Upstream,
        &[
            ("upstream_addr", Read::Whole),
            ("e:balancer_worker_name", Read::Whole),
        ],
    ),
    (
        Field::Bytes,
        &[
            ("body_bytes_sent", Read::Whole),
            ("bytes_sent", Read::Whole),
            ("b", Read::Whole),
            ("B", Read::Whole),
            ("O", Read::Whole),
        ],
    ),
];

/// Where one field of a custom format is: the program up to its variable
/// (and the literal after it) and how the variable holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    field: Field,
    ops: Vec<Op>,
    at: usize,
    read: Read,
}

/// The fields a format's variables hold: `names` are its variables in
/// order, `at` where each is among `ops`, the whole compiled program.
pub(super) fn spans(names: &[String], at: &[usize], ops: &[Op]) -> Vec<FieldSpan> {
    let find = |want: &str| {
        names.iter().position(|n| {
            // Apache's header and environment names are any case.
            match n.split_once(':') {
                Some((l, arg)) if l.len() == 1 => want
                    .split_once(':')
                    .is_some_and(|(wl, wa)| wl == l && arg.eq_ignore_ascii_case(wa)),
                _ => n == want,
            }
        })
    };
    SOURCES
        .iter()
        .filter_map(|(field, vars)| {
            vars.iter().find_map(|&(v, read)| {
                let i = find(v)?;
                let op = at[i];
                Some(FieldSpan {
                    field: *field,
                    ops: ops[..(op + 2).min(ops.len())].to_vec(),
                    at: op,
                    read,
                })
            })
        })
        .collect()
}

impl FieldSpan {
    pub fn field(&self) -> Field {
        self.field
    }

    /// The field's value in `line`, or `None` when the line does not follow
    /// the format up to it.
    pub fn read<'a>(&self, line: &'a [u8]) -> Option<&'a [u8]> {
        let (a, b) = field_span(&self.ops, self.at, line)?;
        let raw = &line[a..b];
        match self.read {
            Read::Whole => Some(raw),
            Read::Path => path(raw),
            Read::Request => request_field(raw, self.field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Program;
    use crate::top::Field;

    fn read(format: &str, line: &str, f: Field) -> Option<String> {
        let p = Program::compile(format, false).unwrap();
        p.field_spans()
            .iter()
            .find(|s| s.field() == f)
            .and_then(|s| s.read(line.as_bytes()))
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    #[test]
    fn nginx_variables_hold_their_fields() {
        let fmt = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $host $upstream_addr"#;
        let line = r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a/b?x=1 HTTP/1.1" 502 17 "https://r/" "ua \"q\"" x.example 10.0.0.2:80"#;
        for (f, want) in [
            (Field::Path, Some("/a/b")),
            (Field::Url, Some("/a/b?x=1")),
            (Field::Method, Some("GET")),
            (Field::Protocol, Some("HTTP/1.1")),
            (Field::Client, Some("1.2.3.4")),
            (Field::Bytes, Some("17")),
            (Field::Referer, Some("https://r/")),
            (Field::Agent, Some(r#"ua \"q\""#)),
            (Field::Host, Some("x.example")),
            (Field::Upstream, Some("10.0.0.2:80")),
        ] {
            assert_eq!(read(fmt, line, f).as_deref(), want, "{f:?}");
        }
        // A line that does not follow the format up to the field.
        assert_eq!(read(fmt, "1.2.3.4 junk", Field::Upstream), None);
    }

    #[test]
    fn apache_directives_hold_their_fields() {
        let fmt = r#"%v %h %l %u %t \"%m %U %H\" %>s %B \"%{Referer}i\" \"%{user-agent}i\""#;
        let line = r#"x.example 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST /p HTTP/2.0" 200 5 "-" "curl/8""#;
        for (f, want) in [
            (Field::Host, Some("x.example")),
            (Field::Client, Some("1.2.3.4")),
            (Field::Method, Some("POST")),
            (Field::Path, Some("/p")),
            (Field::Protocol, Some("HTTP/2.0")),
            (Field::Bytes, Some("5")),
            (Field::Referer, Some("-")),
            (Field::Agent, Some("curl/8")),
            (Field::Url, None),
        ] {
            assert_eq!(read(fmt, line, f).as_deref(), want, "{f:?}");
        }
        let p = Program::compile(fmt, false).unwrap();
        assert!(!p.fields().contains(&Field::Url));
        assert!(!p.fields().contains(&Field::Upstream));
    }
}
