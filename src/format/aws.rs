//! AWS Application Load Balancer and Classic ELB access logs.
//!
//! Both are space-separated with quoted fields, but every field up to the two
//! status fields is unquoted, so the status is simply the N-th token:
//! `elb_status_code` is field 9 (1-based) for ALB, whose lines start with a
//! type (`http`, `https`, `h2`, `ws`, `wss`, `grpcs`), and field 8 for Classic
//! ELB, whose lines start with the timestamp. The backend's status
//! (`target_status_code` / `backend_status_code`) is the next field; `-` (no
//! backend answered) is `no_status`.

use crate::bytes::Positions;
use crate::lines::{Extractor, Line, status_token};
use crate::time::{Clock, Stamp};

/// Reads the space-separated token at a fixed 0-based column.
#[derive(Clone, Copy, Debug)]
pub struct Aws {
    col: usize,
}

impl Aws {
    /// ALB: `elb_status_code`, or `target_status_code` when `upstream`.
    pub fn alb(upstream: bool) -> Self {
        Aws {
            col: 8 + upstream as usize,
        }
    }

    /// Classic ELB: `elb_status_code`, or `backend_status_code` when `upstream`.
    pub fn elb(upstream: bool) -> Self {
        Aws {
            col: 7 + upstream as usize,
        }
    }
}

impl Extractor for Aws {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        let mut start = 0;
        for (n, i) in Positions::new(line, b' ').enumerate() {
            if n == self.col {
                // A real record always has more fields after the statuses;
                // requiring one rejects lines cut short.
                return status_token(&line[start..i]);
            }
            start = i + 1;
        }
        Line::Malformed
    }

    /// ALB's `time` (when the response was sent) is its second field,
    /// Classic ELB's its first: the one line of the two that starts with a
    /// digit.
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        let first = memchr::memchr(b' ', line)?;
        let tok = if line.first()?.is_ascii_digit() {
            &line[..first]
        } else {
            let rest = &line[first + 1..];
            &rest[..memchr::memchr(b' ', rest)?]
        };
        clock.iso(tok)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        _: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        field(line, want.field)
    }
}

/// ALB lines start with a request type.
pub fn looks_alb(line: &[u8]) -> bool {
    let first = line.split(|&b| b == b' ').next().unwrap_or(b"");
    matches!(
        first,
        b"http" | b"https" | b"h2" | b"ws" | b"wss" | b"grpcs"
    )
}

/// Classic ELB lines start with an ISO-8601 timestamp (`2015-05-13T23:39:43…`)
/// and the load balancer's name, and the client's `address:port` follows.
/// The client rules out other lines that start with a time (a container
/// runtime's, `kubectl --timestamps`).
pub fn looks_elb(line: &[u8]) -> bool {
    line.len() > 20
        && line[..4].iter().all(u8::is_ascii_digit)
        && line[4] == b'-'
        && line[7] == b'-'
        && line[10] == b'T'
        && line.contains(&b'"')
        && line
            .split(|&b| b == b' ')
            .nth(2)
            .and_then(|client| client.rsplit(|&b| b == b':').next())
            .is_some_and(|port| !port.is_empty() && port.iter().all(u8::is_ascii_digit))
}

/// Field `f` of an ALB or Classic ELB line (told apart by the first byte,
/// a digit for ELB's time): the unquoted fields by column, the request
/// and user agent as the first two quoted fields, the host as ALB's
/// `domain_name` (the fourth quoted field) or else the request URL's.
pub fn field(line: &[u8], f: crate::top::Field) -> Option<&[u8]> {
    use super::fields::{quoted, request_field, token, url_host, without_port};
    use crate::top::Field;
    // ELB lines have no type column before the time.
    let shift = usize::from(!line.first()?.is_ascii_digit());
    let quotes = memchr::memchr(b'"', line)?;
    let head = &line[..quotes];
    let rest = &line[quotes..];
    let value = match f {
        Field::Client => token(head, 2 + shift).map(|c| without_port(c, true)),
        Field::Upstream => token(head, 3 + shift),
        Field::Bytes => token(head, 10 + shift),
        Field::Agent => quoted(rest, 1),
        Field::Host => match quoted(rest, 3).filter(|_| shift == 1) {
            Some(d) if d != b"-" => Some(d),
            _ => request_field(quoted(rest, 0)?, Field::Url).and_then(url_host),
        },
        Field::Path | Field::Url | Field::Method | Field::Protocol => {
            request_field(quoted(rest, 0)?, f)
        }
        _ => None,
    };
    value.filter(|v| !v.is_empty() && *v != b"-")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALB: &str = r#"https 2024-01-01T00:00:00.1Z app/lb/1 10.0.0.1:1 10.0.0.2:80 0.001 0.002 0.000 502 - 10 20 "GET https://x:443/a b HTTP/1.1" "ua" - - arn "Root=1" "-" "-" 0 2024-01-01T00:00:00Z "forward" "-" "-""#;
    const ELB: &str = r#"2024-01-01T00:00:00.1Z lb 10.0.0.1:1 10.0.0.2:80 0.1 0.2 0.3 200 404 0 1 "GET http://x:80/ HTTP/1.1" "ua" - -"#;

    #[test]
    fn alb_client_and_target() {
        assert_eq!(Aws::alb(false).classify(ALB.as_bytes()), Line::Status(502));
        assert_eq!(Aws::alb(true).classify(ALB.as_bytes()), Line::NoStatus);
        assert!(looks_alb(ALB.as_bytes()));
        assert!(!looks_elb(ALB.as_bytes()));
    }

    #[test]
    fn elb_client_and_backend() {
        assert_eq!(Aws::elb(false).classify(ELB.as_bytes()), Line::Status(200));
        assert_eq!(Aws::elb(true).classify(ELB.as_bytes()), Line::Status(404));
        assert!(looks_elb(ELB.as_bytes()));
        assert!(!looks_alb(ELB.as_bytes()));
        // A container runtime's time before a Combined line.
        assert!(!looks_elb(
            br#"2024-03-12T08:00:00Z stdout F 10.0.0.2, 10.0.0.1 - - [t] "GET /" 200 1"#
        ));
    }

    #[test]
    fn short_or_odd_lines_are_malformed() {
        for l in [
            "",
            "http",
            "http a b c d e f g 200",
            "http a b c d e f g x200 -",
        ] {
            assert_eq!(
                Aws::alb(false).classify(l.as_bytes()),
                Line::Malformed,
                "{l}"
            );
        }
        assert_eq!(
            Aws::alb(false).classify(b"h2 a b c d e f g - - x"),
            Line::NoStatus
        );
    }
}
