//! Log formats: one status extractor per format, chosen once per input.
//!
//! An [`Extractor`] classifies one line (without its `\n`, with a trailing `\r`
//! already removed) into a [`Line`]. The scan engine calls it through
//! [`AnyExtractor::count`], which matches on the format **once per chunk** and
//! then runs a loop monomorphised for that format, so no format pays for
//! another's checks and the per-line loop has no dynamic dispatch.

pub mod aws;
pub mod bytes;
pub mod clf;
pub mod custom;
pub mod haproxy;
pub mod json;
pub(crate) mod json_blocks;
pub mod squid;
pub mod w3c;

use crate::scan::{Sink, count_lines};

/// What one line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// A status code 0–999 was read (`000` is 0).
    Status(u16),
    /// A well-formed record whose status field is `-`.
    NoStatus,
    /// A blank line or a directive (W3C `#Fields:` …).
    Skipped,
    /// No status could be read.
    Malformed,
}

/// A per-format status reader. `classify` must never panic and must not
/// allocate; state (e.g. the current W3C `#Fields:` layout) lives in `self`.
pub trait Extractor: Clone + Send {
    fn classify(&mut self, line: &[u8]) -> Line;

    /// [`Extractor::classify`] for `line`, given `rest`, the chunk from the
    /// line's first byte on ([`crate::scan::count_lines`]): an extractor
    /// that reads 64-byte blocks can load one that runs past the line's end
    /// whole instead of piecing it together (`json::Json`). The bytes of
    /// `rest` past the line are not the line's and must not change the
    /// result.
    #[inline(always)]
    fn classify_in(&mut self, line: &[u8], rest: &[u8]) -> Line {
        let _ = rest;
        self.classify(line)
    }
}

/// Settings that change what an extractor reads, from the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// `--status-key`: JSON key (dotted path) holding the status.
    pub status_key: Option<String>,
    /// `--status upstream`: count the backend's status where a format logs two.
    pub upstream: bool,
}

/// A log format, detected or forced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// The Common Log Format family; all flavors share one extractor.
    Clf(clf::Flavor),
    /// Traefik's CLF: Combined plus request count, router, URL and duration.
    Traefik,
    /// Envoy's default access-log format (`[time] "request" status flags …`).
    Envoy,
    /// W3C extended (IIS): space-separated, `#Fields:` directives.
    W3c,
    /// CloudFront standard logs: W3C directives, tab-separated data.
    CloudFront,
    /// AWS Application Load Balancer.
    Alb,
    /// AWS Classic Load Balancer.
    Elb,
    /// Caddy v2 JSON access logs (`status`).
    Caddy,
    /// Traefik JSON access logs (`DownstreamStatus` / `OriginStatus`).
    TraefikJson,
    /// Any JSON-lines log; holds the status key path (dotted for nesting).
    Json(String),
    /// HAProxy HTTP log lines.
    Haproxy,
    /// Squid native access log.
    Squid,
    /// A user's nginx `log_format` or Apache `LogFormat`.
    Custom(custom::Program),
}

/// Every preset `--log-format` accepts by name, in the order [`detect`] tries
/// them (most specific first), which is also the list an undetectable input's
/// error shows.
pub const PRESETS: [&str; 15] = [
    "w3c",
    "cloudfront",
    "traefik-json",
    "caddy",
    "json",
    "alb",
    "elb",
    "envoy",
    "traefik",
    "common",
    "combined",
    "vcommon",
    "vcombined",
    "haproxy",
    "squid",
];

impl Format {
    /// Short name shown in reports (`combined`, `w3c`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Format::Clf(f) => f.name(),
            Format::Traefik => "traefik",
            Format::Envoy => "envoy",
            Format::W3c => "w3c",
            Format::CloudFront => "cloudfront",
            Format::Alb => "alb",
            Format::Elb => "elb",
            Format::Caddy => "caddy",
            Format::TraefikJson => "traefik-json",
            Format::Json(_) => "json",
            Format::Haproxy => "haproxy",
            Format::Squid => "squid",
            Format::Custom(_) => "custom",
        }
    }

    /// The preset of that name. `json` holds the first well-known key here;
    /// the scan picks the key per input ([`json_with_well_known_key`]) unless
    /// `--status-key` names one.
    pub fn from_name(s: &str) -> Option<Format> {
        Some(match s {
            "traefik" => Format::Traefik,
            "envoy" => Format::Envoy,
            "w3c" | "iis" => Format::W3c,
            "cloudfront" => Format::CloudFront,
            "alb" => Format::Alb,
            "elb" => Format::Elb,
            "caddy" => Format::Caddy,
            "traefik-json" => Format::TraefikJson,
            "json" => Format::Json(json::WELL_KNOWN_KEYS[0].to_string()),
            "haproxy" => Format::Haproxy,
            "squid" => Format::Squid,
            other => Format::Clf(clf::Flavor::from_name(other)?),
        })
    }

    /// A fresh extractor for one input (or one chunk of it).
    pub fn extractor(&self, opts: &FormatOptions) -> AnyExtractor {
        let key = |default: &str| json::Json::new(opts.status_key.as_deref().unwrap_or(default));
        match self {
            Format::Clf(_) | Format::Traefik | Format::Envoy => AnyExtractor::Clf(clf::Clf),
            Format::W3c => AnyExtractor::W3c(w3c::W3c::new(b' ')),
            Format::CloudFront => AnyExtractor::W3c(w3c::W3c::new(b'\t')),
            Format::Alb => AnyExtractor::Aws(aws::Aws::alb(opts.upstream)),
            Format::Elb => AnyExtractor::Aws(aws::Aws::elb(opts.upstream)),
            Format::Caddy => AnyExtractor::Json(key("status")),
            Format::TraefikJson => AnyExtractor::Json(key(if opts.upstream {
                "OriginStatus"
            } else {
                "DownstreamStatus"
            })),
            Format::Json(k) => AnyExtractor::Json(key(k)),
            Format::Haproxy => AnyExtractor::Haproxy(haproxy::Haproxy),
            Format::Squid => AnyExtractor::Squid(squid::Squid),
            Format::Custom(p) if opts.upstream => AnyExtractor::Custom(custom::Custom::new(
                &custom::Program::compile(p.source(), true).unwrap_or_else(|_| p.clone()),
            )),
            Format::Custom(p) => AnyExtractor::Custom(custom::Custom::new(p)),
        }
    }
}

/// Every extractor, in one enum so the scan engine can hold any of them
/// without boxing and dispatch once per chunk.
#[derive(Clone, Debug)]
pub enum AnyExtractor {
    Clf(clf::Clf),
    W3c(w3c::W3c),
    Aws(aws::Aws),
    Json(json::Json),
    Haproxy(haproxy::Haproxy),
    Squid(squid::Squid),
    Custom(custom::Custom),
}

impl AnyExtractor {
    /// True when lines depend on earlier lines (W3C `#Fields:`), so chunks of
    /// one input must be counted in order by one extractor.
    pub fn sequential(&self) -> bool {
        matches!(self, AnyExtractor::W3c(_))
    }

    /// Counts every line of `chunk` into `sink`.
    pub fn count(&mut self, chunk: &[u8], sink: &mut Sink) {
        match self {
            AnyExtractor::Clf(_) => clf::count_chunk(chunk, sink),
            AnyExtractor::W3c(e) => count_lines(e, chunk, sink),
            AnyExtractor::Aws(e) => count_lines(e, chunk, sink),
            AnyExtractor::Json(e) => e.count_chunk(chunk, sink),
            AnyExtractor::Haproxy(e) => count_lines(e, chunk, sink),
            AnyExtractor::Squid(e) => count_lines(e, chunk, sink),
            AnyExtractor::Custom(e) => e.count_chunk(chunk, sink),
        }
    }
}

/// `--log-format`: automatic detection or one format for every input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FormatChoice {
    #[default]
    Auto,
    Fixed(Format),
}

/// Parses a `--log-format` value: `auto`, a preset name, or a format string in
/// nginx (`$var`) or Apache (`%x`) syntax. A format string is compiled here so
/// that mistakes are reported before any input is read.
///
/// `--status upstream` is not known here, so a format string is compiled for
/// the client's status; [`Format::extractor`] recompiles it when
/// `--status upstream` is given.
pub fn parse_choice(s: &str) -> Result<FormatChoice, String> {
    if s == "auto" {
        return Ok(FormatChoice::Auto);
    }
    if custom::Program::is_format_string(s) {
        return custom::Program::compile(s, false)
            .map(|p| FormatChoice::Fixed(Format::Custom(p)))
            .map_err(|e| format!("cannot use format string '{s}': {e}"));
    }
    Format::from_name(s).map(FormatChoice::Fixed).ok_or_else(|| {
        format!(
            "unknown log format '{s}' (try: auto, {}, or your server's nginx log_format / Apache LogFormat string)",
            PRESETS.join(", ")
        )
    })
}

/// Why no format fits an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectError {
    /// Names of the formats tried.
    pub tried: Vec<&'static str>,
}

impl std::fmt::Display for DetectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no known log format fits its first lines (tried: {}); pass --log-format with a preset name or your server's format string (JSON logs: --log-format json --status-key KEY)",
            self.tried.join(", ")
        )
    }
}

/// Picks the format of an input from a sample of its first bytes (whole lines;
/// the last may be cut). A sample with no non-blank line is `Ok` with the
/// default format, since an empty input is a valid (empty) log.
///
/// Candidates are tried from the most to the least specific, each with a
/// signature that real lines of that format have (a `#Fields:` directive, a
/// JSON object with the format's key, an ALB request type, the HAProxy
/// timers…); the first one that reads a status (or a directive) from more than
/// half of the sample's lines wins. Requiring a majority rather than every
/// line keeps a few odd lines (HAProxy startup messages) from defeating
/// detection, and those lines are then counted as malformed, not dropped.
pub fn detect(sample: &[u8], opts: &FormatOptions) -> Result<Format, DetectError> {
    let lines = judged_lines(sample);
    if lines.is_empty() {
        return Ok(Format::Clf(clf::Flavor::Combined));
    }
    let majority = |n: usize| n * 2 > lines.len();
    let fits = |fmt: &Format, sig: &dyn Fn(&[u8]) -> bool| fits(fmt, &lines, opts, sig);

    let w3c = w3c::detect_sep(&lines).map(|sep| {
        if sep == b'\t' {
            Format::CloudFront
        } else {
            Format::W3c
        }
    });
    if let Some(f) = &w3c
        && majority(fits(f, &|_| true))
    {
        return Ok(f.clone());
    }

    if let Some(key) = &opts.status_key {
        let f = Format::Json(key.clone());
        if majority(fits(&f, &looks_json)) {
            return Ok(f);
        }
    }
    if majority(fits(&Format::TraefikJson, &looks_json)) {
        return Ok(Format::TraefikJson);
    }
    let caddy_sig = |l: &[u8]| l.windows(15).any(|w| w == b"handled request");
    if majority(fits(&Format::Caddy, &caddy_sig)) {
        return Ok(Format::Caddy);
    }
    if let Some(f) = well_known_json(&lines, opts) {
        return Ok(f);
    }

    if majority(fits(&Format::Alb, &aws::looks_alb)) {
        return Ok(Format::Alb);
    }
    if majority(fits(&Format::Elb, &aws::looks_elb)) {
        return Ok(Format::Elb);
    }
    // Envoy's default format has no client before `[time]`.
    if majority(fits(&Format::Envoy, &|l| l.first() == Some(&b'['))) {
        return Ok(Format::Envoy);
    }
    // Traefik's CLF ends with the request duration in milliseconds.
    let traefik_sig = |l: &[u8]| {
        l.strip_suffix(b"ms")
            .and_then(|r| r.split(|&b| b == b' ').next_back())
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
    };
    if majority(fits(&Format::Traefik, &traefik_sig)) {
        return Ok(Format::Traefik);
    }
    if let Some(f) = clf::detect(sample) {
        return Ok(Format::Clf(f));
    }
    if majority(fits(&Format::Haproxy, &|_| true)) {
        return Ok(Format::Haproxy);
    }
    if majority(fits(&Format::Squid, &squid::looks_squid)) {
        return Ok(Format::Squid);
    }
    // A `#Fields:` directive names the format even where its data lines do
    // not fit it (a header that does not match them): they are then counted
    // as malformed, which says more than refusing the input.
    if let Some(f) = w3c {
        return Ok(f);
    }
    Err(DetectError {
        tried: PRESETS.to_vec(),
    })
}

/// The non-blank lines of a detection sample, without the last one when the
/// sample ends inside it (and others are left to judge by).
fn judged_lines(sample: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = sample_lines(sample).collect();
    if lines.len() > 1 && !sample.ends_with(b"\n") {
        lines.pop();
    }
    lines
}

/// How many of `lines` `fmt` reads (a status, or a directive it skips),
/// counting only those passing `sig`.
fn fits(fmt: &Format, lines: &[&[u8]], opts: &FormatOptions, sig: &dyn Fn(&[u8]) -> bool) -> usize {
    let mut ex = fmt.extractor(opts);
    lines
        .iter()
        .filter(|l| classify_any(&mut ex, l) != Line::Malformed && sig(l))
        .count()
}

/// The first of [`json::WELL_KNOWN_KEYS`] that reads more than half of
/// `lines`, each holding a JSON object.
fn well_known_json(lines: &[&[u8]], opts: &FormatOptions) -> Option<Format> {
    json::WELL_KNOWN_KEYS
        .iter()
        .map(|key| Format::Json(key.to_string()))
        .find(|f| fits(f, lines, opts, &looks_json) * 2 > lines.len())
}

/// `--log-format json` without `--status-key`: the key is picked per input,
/// as detection picks it among the well-known keys, so that the preset reads
/// the same logs as `auto` does. Where none reads most of the sample, the
/// first (`status`) is counted and the lines without it are malformed, as
/// for any forced format.
pub fn json_with_well_known_key(sample: &[u8], opts: &FormatOptions) -> Format {
    well_known_json(&judged_lines(sample), opts)
        .unwrap_or_else(|| Format::Json(json::WELL_KNOWN_KEYS[0].to_string()))
}

/// A line that holds a JSON object somewhere: the signature every JSON
/// format's lines must also pass in detection.
fn looks_json(line: &[u8]) -> bool {
    memchr::memchr(b'{', line).is_some()
}

/// Classifies one line outside the engine (detection), with the engine's
/// rules for blank lines.
fn classify_any(ex: &mut AnyExtractor, line: &[u8]) -> Line {
    if is_blank(line) {
        return Line::Skipped;
    }
    match ex {
        AnyExtractor::Clf(e) => e.classify(line),
        AnyExtractor::W3c(e) => e.classify(line),
        AnyExtractor::Aws(e) => e.classify(line),
        AnyExtractor::Json(e) => e.classify(line),
        AnyExtractor::Haproxy(e) => e.classify(line),
        AnyExtractor::Squid(e) => e.classify(line),
        AnyExtractor::Custom(e) => e.classify(line),
    }
}

/// The non-blank lines of a detection sample (at most 64), `\r` removed.
pub fn sample_lines(sample: &[u8]) -> impl Iterator<Item = &[u8]> {
    sample
        .strip_prefix(UTF8_BOM)
        .unwrap_or(sample)
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !is_blank(l))
        .take(64)
}

/// The byte-order mark some Windows tools put before the first line.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A blank line: empty or only spaces and tabs. Counted as `skipped`.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Reads a status token: `-` is [`Line::NoStatus`], 1–3 ASCII digits a code
/// (`000` is 0), anything else [`Line::Malformed`].
#[inline]
pub fn status_token(tok: &[u8]) -> Line {
    match *tok {
        [a] if a.is_ascii_digit() => Line::Status((a - b'0') as u16),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 10 + (b - b'0') as u16)
        }
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Line::Status((a - b'0') as u16 * 100 + (b - b'0') as u16 * 10 + (c - b'0') as u16)
        }
        [b'-'] => Line::NoStatus,
        _ => Line::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every extractor, every preset, on junk and truncated lines: no panics.
    #[test]
    fn no_extractor_panics_on_junk() {
        let mut formats: Vec<Format> = PRESETS
            .iter()
            .filter_map(|n| Format::from_name(n))
            .collect();
        formats.push(Format::Json("a.b".into()));
        for f in [
            r#"$remote_addr [$time_local] "$request" $status"#,
            r#"%h %t \"%r\" %>s %b"#,
        ] {
            formats.push(Format::Custom(custom::Program::compile(f, false).unwrap()));
        }
        let samples: [&[u8]; 6] = [
            b"#Fields: sc-status\n200\n",
            br#"http 2024 app/x 1:1 2:2 0 0 0 200 200 1 1 "GET / HTTP/1.1" "ua""#,
            br#"{"a":{"b":"200"},"status":[{"x":"\\"}],"DownstreamStatus":1}"#,
            br#"h [12/Mar/2024:08:00:00.1] fe be/s 0/0/0/0/0 200 1 - - ---- 1/1/0/0/0 0/0 "GET /""#,
            br#"1.1 5 ::1 TCP_MISS/200 1 GET http://x/ - HIER_NONE/- -"#,
            br#"::1 [t] "GET /\" 200 1"#,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for f in &formats {
            for opts in [
                FormatOptions::default(),
                FormatOptions {
                    status_key: Some("x.y".into()),
                    upstream: true,
                },
            ] {
                let mut ex = f.extractor(&opts);
                for s in samples {
                    for cut in 0..=s.len() {
                        let _ = classify_any(&mut ex, &s[..cut]);
                        let _ = classify_any(&mut ex, &s[cut..]);
                    }
                }
                for _ in 0..300 {
                    let mut line = [0u8; 24];
                    for b in &mut line {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        *b = *b"{}[]\"/: -0123456789#\tabs"
                            .iter()
                            .cycle()
                            .nth((seed % 97) as usize)
                            .unwrap();
                    }
                    let _ = classify_any(&mut ex, &line);
                }
            }
            let _ = detect(samples.concat().as_slice(), &FormatOptions::default());
        }
    }

    #[test]
    fn a_fields_directive_names_w3c_even_when_its_lines_do_not_fit() {
        let sample =
            b"#Fields: date time cs-uri-stem sc-status\n2015-01-13 00:32:17 / - 80 404 0\n";
        assert_eq!(detect(sample, &FormatOptions::default()), Ok(Format::W3c));
        let junk = b"no header here\n2015-01-13 00:32:17 / - 80 404 0\n";
        assert!(detect(junk, &FormatOptions::default()).is_err());
    }

    #[test]
    fn detects_cloud_json_keys() {
        let gcp = br#"{"severity":"INFO","httpRequest":{"requestMethod":"GET","status":503}}"#;
        let flat = br#"{"time":"t","properties":{},"httpStatusCode":"404"}"#;
        let front_door = br#"{"time":"t","category":"FrontDoorAccessLog","properties":{"httpMethod":"GET","requestUri":"https://x/","httpStatusCode":"502","httpStatusDetails":"502"}}"#;
        let app_gateway = br#"{"timeStamp":"t","category":"ApplicationGatewayAccessLog","properties":{"httpMethod":"GET","httpStatus":301,"timeTaken":0.004}}"#;
        let istio = br#"{"start_time":"t","method":"GET","path":"/","response_code":0,"response_flags":"DC","upstream_host":"10.0.0.1:80"}"#;
        let cloudflare =
            br#"{"ClientIP":"192.0.2.1","EdgeResponseStatus":520,"OriginResponseStatus":0}"#;
        for (line, key, code) in [
            (&gcp[..], "httpRequest.status", 503),
            (&flat[..], "httpStatusCode", 404),
            (&front_door[..], "properties.httpStatusCode", 502),
            (&app_gateway[..], "properties.httpStatus", 301),
            (&istio[..], "response_code", 0),
            (&cloudflare[..], "EdgeResponseStatus", 520),
        ] {
            let f = detect(line, &FormatOptions::default()).unwrap();
            assert_eq!(f, Format::Json(key.into()));
            let mut ex = f.extractor(&FormatOptions::default());
            assert_eq!(classify_any(&mut ex, line), Line::Status(code));
        }
    }

    #[test]
    fn status_tokens() {
        assert_eq!(status_token(b"200"), Line::Status(200));
        assert_eq!(status_token(b"000"), Line::Status(0));
        assert_eq!(status_token(b"009"), Line::Status(9));
        assert_eq!(status_token(b"7"), Line::Status(7));
        assert_eq!(status_token(b"42"), Line::Status(42));
        assert_eq!(status_token(b"-"), Line::NoStatus);
        assert_eq!(status_token(b"1000"), Line::Malformed);
        assert_eq!(status_token(b"abc"), Line::Malformed);
        assert_eq!(status_token(b""), Line::Malformed);
        assert_eq!(status_token(b"2x0"), Line::Malformed);
        assert_eq!(status_token(b"--"), Line::Malformed);
    }

    #[test]
    fn blank_lines() {
        assert!(is_blank(b""));
        assert!(is_blank(b" \t "));
        assert!(!is_blank(b" x"));
    }
}
