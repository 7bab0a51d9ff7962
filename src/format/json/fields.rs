//! Fields of a JSON line besides the status (`--top`): the value of the
//! first of a field's keys the line holds, or of any key (`json:KEY`).
//!
//! Keys are looked for as the status is ([`find`]: top-level members, a
//! dotted path into nested objects or as a flat key). A string value is
//! unescaped; a number, `true` or `false` is its text; `null` is no value;
//! an array is its first element (Caddy logs each header as a list); an
//! object is its text.

use super::Json;
use super::blocks::{Blocks, bare_end};
use super::key::{Key, Quoted};
use super::walk::{Found, find};
use crate::bytes::Baseline;
use crate::top::{Field, Wanted};

/// The keys each field is read from, first match wins. `target` holds the
/// request target (`url`; `path` is its path).
#[derive(Debug)]
pub struct FieldKeys {
    pub target: &'static [&'static str],
    pub method: &'static [&'static str],
    pub protocol: &'static [&'static str],
    pub host: &'static [&'static str],
    pub client: &'static [&'static str],
    pub agent: &'static [&'static str],
    pub referer: &'static [&'static str],
    pub upstream: &'static [&'static str],
    pub bytes: &'static [&'static str],
}

/// Traefik's JSON access log (headers only when kept, as `request_…`).
pub static TRAEFIK_KEYS: FieldKeys = FieldKeys {
    target: &["RequestPath"],
    method: &["RequestMethod"],
    protocol: &["RequestProtocol"],
    host: &["RequestHost"],
    client: &["ClientHost"],
    agent: &["request_User-Agent"],
    referer: &["request_Referer"],
    upstream: &["ServiceAddr", "ServiceURL"],
    bytes: &["DownstreamContentSize"],
};

/// Caddy's access log.
pub static CADDY_KEYS: FieldKeys = FieldKeys {
    target: &["request.uri"],
    method: &["request.method"],
    protocol: &["request.proto"],
    host: &["request.host"],
    client: &["request.client_ip", "request.remote_ip"],
    agent: &["request.headers.User-Agent"],
    referer: &["request.headers.Referer"],
    upstream: &[],
    bytes: &["size"],
};

/// Any JSON log: the keys loggers commonly write, nginx `escape=json`
/// formats, Envoy and Istio, Google Cloud, Azure, Cloudflare, ECS, Traefik
/// and Caddy.
pub static COMMON_KEYS: FieldKeys = FieldKeys {
    target: &[
        "request_uri",
        "uri",
        "url",
        "path",
        "request_url",
        "requestUri",
        "request.uri",
        "request.url",
        "request.path",
        "httpRequest.requestUrl",
        "url.original",
        "http.url",
        "properties.requestUri",
        "ClientRequestURI",
        "RequestPath",
    ],
    method: &[
        "method",
        "request_method",
        "requestMethod",
        "request.method",
        "httpRequest.requestMethod",
        "http.request.method",
        "http.method",
        "properties.httpMethod",
        "ClientRequestMethod",
        "RequestMethod",
    ],
    protocol: &[
        "protocol",
        "server_protocol",
        "request.proto",
        "httpRequest.protocol",
        "http.version",
        "properties.requestProtocol",
        "ClientRequestProtocol",
        "RequestProtocol",
    ],
    host: &[
        "host",
        "http_host",
        "authority",
        "request.host",
        "http.host",
        "properties.hostName",
        "ClientRequestHost",
        "RequestHost",
    ],
    client: &[
        "remote_addr",
        "client_ip",
        "clientIp",
        "remote_ip",
        "remote",
        "request.client_ip",
        "request.remote_ip",
        "httpRequest.remoteIp",
        "client.ip",
        "source.ip",
        "downstream_remote_address",
        "properties.clientIp",
        "ClientIP",
        "ClientHost",
    ],
    agent: &[
        "http_user_agent",
        "user_agent",
        "userAgent",
        "httpRequest.userAgent",
        "user_agent.original",
        "properties.userAgent",
        "ClientRequestUserAgent",
        "request_User-Agent",
        "request.headers.User-Agent",
    ],
    referer: &[
        "http_referer",
        "referer",
        "referrer",
        "httpRequest.referer",
        "http.request.referrer",
        "properties.referer",
        "ClientRequestReferer",
        "request_Referer",
        "request.headers.Referer",
    ],
    upstream: &[
        "upstream_addr",
        "upstream",
        "upstream_host",
        "backend",
        "properties.backendHostname",
        "OriginIP",
        "ServiceAddr",
    ],
    bytes: &[
        "body_bytes_sent",
        "bytes_sent",
        "bytes",
        "size",
        "response_size",
        "httpRequest.responseSize",
        "http.response.body.bytes",
        "properties.responseBytes",
        "EdgeResponseBytes",
        "DownstreamContentSize",
    ],
};

impl FieldKeys {
    fn keys(&self, f: Field) -> &'static [&'static str] {
        match f {
            Field::Path | Field::Url => self.target,
            Field::Method => self.method,
            Field::Protocol => self.protocol,
            Field::Host => self.host,
            Field::Client => self.client,
            Field::Agent => self.agent,
            Field::Referer => self.referer,
            Field::Upstream => self.upstream,
            Field::Bytes => self.bytes,
            Field::Key => &[],
        }
    }
}

impl Json {
    /// Reads the named fields from `keys` (the preset's).
    pub fn with_field_keys(mut self, keys: &'static FieldKeys) -> Self {
        self.fields = keys;
        self
    }

    /// Field `want` of `line` ([`crate::lines::Extractor::field`]).
    pub(super) fn field_of<'a>(
        &self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let open = memchr::memchr(b'{', line)?;
        let at = match want.field {
            Field::Key => lookup(line, open, want.key.as_bytes())?,
            f => self
                .fields
                .keys(f)
                .iter()
                .find_map(|k| lookup(line, open, k.as_bytes()))?,
        };
        let v = value(line, at, buf)?;
        match want.field {
            Field::Path => crate::format::fields::path(v),
            _ => Some(v),
        }
    }
}

/// Where the value of key path `path` starts, when the object at `open`
/// holds it with a value other than `null`.
fn lookup(line: &[u8], open: usize, path: &[u8]) -> Option<usize> {
    let mut blocks = Blocks::new(Baseline, line, open + 1);
    let key = Key {
        path,
        quoted: Quoted::new(path),
    };
    match find(line, &mut blocks, open + 1, key) {
        Found::Value(at) if !line[at..].starts_with(b"null") => Some(at),
        _ => None,
    }
}

/// The value that starts at `at`, as the module says: a string unescaped
/// (into `buf` when it has escapes), an array's first element, any other
/// value's text.
fn value<'a>(line: &'a [u8], at: usize, buf: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    let mut blocks = Blocks::new(Baseline, line, at);
    match *line.get(at)? {
        b'"' => {
            let end = blocks.quote_from(at + 1)?;
            let raw = &line[at + 1..end];
            if memchr::memchr(b'\\', raw).is_none() {
                return Some(raw);
            }
            unescape(raw, buf);
            Some(&buf[..])
        }
        b'[' => {
            let first = at
                + 1
                + line[at + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())?;
            match line[first] {
                b']' => None,
                b'[' => None,
                _ => value(line, first, buf),
            }
        }
        b'{' => {
            let end = blocks.close_from(at)?;
            Some(&line[at..end])
        }
        _ => {
            let (end, _) = bare_end(line, at);
            (end > at).then(|| &line[at..end])
        }
    }
}

/// The bytes a JSON string's contents stand for: escapes replaced, a
/// `\u` escape written as UTF-8 (a lone surrogate as U+FFFD).
fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' || i + 1 >= raw.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let c = raw[i + 1];
        i += 2;
        let plain = match c {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'u' => {
                let hex = |at: usize| {
                    raw.get(at..at + 4)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let Some(hi) = hex(i) else {
                    out.extend_from_slice(b"\\u");
                    continue;
                };
                i += 4;
                let mut cp = hi;
                if (0xd800..0xdc00).contains(&hi)
                    && raw.get(i..i + 2) == Some(b"\\u")
                    && let Some(lo) = hex(i + 2).filter(|lo| (0xdc00..0xe000).contains(lo))
                {
                    cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
                let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            other => other,
        };
        out.push(plain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Extractor;

    fn get(ex: &mut Json, line: &str, want: &str) -> Option<String> {
        let mut buf = Vec::new();
        let want = Wanted::parse(want).unwrap();
        ex.field(line.as_bytes(), &want, &mut buf)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    #[test]
    fn values_of_every_kind() {
        let mut ex = Json::new("status");
        let line = r#"{"status":200,"uri":"/a\"b\\c\u00e9\ud83d\ude00?x=1","n":12.5,"ok":true,"h":["curl/8",1],"o":{"a":[1,"}"]},"z":null,"e":[],"deep":{"k":{"v":"w"}},"flat.k":"f"}"#;
        assert_eq!(
            get(&mut ex, line, "url").as_deref(),
            Some("/a\"b\\c\u{e9}\u{1f600}?x=1")
        );
        assert_eq!(
            get(&mut ex, line, "path").as_deref(),
            Some("/a\"b\\c\u{e9}\u{1f600}")
        );
        assert_eq!(get(&mut ex, line, "json:n").as_deref(), Some("12.5"));
        assert_eq!(get(&mut ex, line, "json:ok").as_deref(), Some("true"));
        assert_eq!(get(&mut ex, line, "json:h").as_deref(), Some("curl/8"));
        assert_eq!(
            get(&mut ex, line, "json:o").as_deref(),
            Some(r#"{"a":[1,"}"]}"#)
        );
        assert_eq!(get(&mut ex, line, "json:z"), None);
        assert_eq!(get(&mut ex, line, "json:e"), None);
        assert_eq!(get(&mut ex, line, "json:absent"), None);
        assert_eq!(get(&mut ex, line, "json:deep.k.v").as_deref(), Some("w"));
        assert_eq!(get(&mut ex, line, "json:flat.k").as_deref(), Some("f"));
        assert_eq!(get(&mut ex, line, "method"), None);
        assert_eq!(get(&mut ex, r#"{"status":200"#, "json:x"), None);
        assert_eq!(get(&mut ex, "no object", "json:x"), None);
    }

    #[test]
    fn each_preset_reads_its_own_keys() {
        let caddy = r#"{"msg":"handled request","request":{"remote_ip":"::1","proto":"HTTP/2.0","method":"GET","host":"x.example","uri":"/a?b","headers":{"User-Agent":["ua/1"],"Referer":["https://r/"]}},"size":5,"status":503}"#;
        let mut ex = Json::new("status").with_field_keys(&CADDY_KEYS);
        for (f, want) in [
            ("path", "/a"),
            ("url", "/a?b"),
            ("method", "GET"),
            ("protocol", "HTTP/2.0"),
            ("host", "x.example"),
            ("client", "::1"),
            ("agent", "ua/1"),
            ("referer", "https://r/"),
            ("bytes", "5"),
        ] {
            assert_eq!(get(&mut ex, caddy, f).as_deref(), Some(want), "{f}");
        }
        let traefik = r#"{"ClientHost":"10.0.0.1","DownstreamContentSize":19,"DownstreamStatus":502,"RequestHost":"x","RequestMethod":"POST","RequestPath":"/p?q","RequestProtocol":"HTTP/1.1","ServiceURL":"http://10.0.0.2:80"}"#;
        let mut ex = Json::new("DownstreamStatus").with_field_keys(&TRAEFIK_KEYS);
        assert_eq!(get(&mut ex, traefik, "path").as_deref(), Some("/p"));
        assert_eq!(
            get(&mut ex, traefik, "upstream").as_deref(),
            Some("http://10.0.0.2:80")
        );
        assert_eq!(get(&mut ex, traefik, "client").as_deref(), Some("10.0.0.1"));
        // A generic log: the first common key the line holds.
        let gcp = r#"{"httpRequest":{"requestMethod":"GET","requestUrl":"https://x.example/v1/a?k","status":500,"remoteIp":"1.2.3.4"}}"#;
        let mut ex = Json::new("httpRequest.status");
        assert_eq!(get(&mut ex, gcp, "path").as_deref(), Some("/v1/a"));
        assert_eq!(get(&mut ex, gcp, "client").as_deref(), Some("1.2.3.4"));
        assert_eq!(get(&mut ex, gcp, "agent"), None);
    }
}
