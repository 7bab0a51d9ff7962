//! Log formats: one status extractor per format, chosen once per input.
//!
//! Each format lives in its own file and implements the per-line contract of
//! [`crate::lines`]; [`presets::PRESETS`] lists the formats logstat knows by
//! name. This module turns a `--log-format` value or a sample of an input
//! into a [`Format`], and a `Format` into the [`AnyExtractor`] the scan
//! engine runs: the format's own chunk loop behind one virtual call per
//! chunk, so no format pays for another's checks and the per-line loop has
//! no dynamic dispatch.

pub mod aws;
pub mod clf;
pub mod custom;
pub mod fields;
pub mod haproxy;
pub mod json;
pub mod npm;
pub mod presets;
pub mod squid;
pub mod w3c;

use crate::escape::escape_str;
use crate::lines::{Extractor, Line, Sink, is_blank};
use crate::time::{Clock, Stamp};
use crate::top::Wanted;
pub use presets::{Detect, PRESETS, Preset};

/// Settings that change what an extractor reads, from the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// `--status-key`: JSON key (dotted path) holding the status.
    pub status_key: Option<String>,
    /// `--status upstream`: count the backend's status where a format logs two.
    pub upstream: bool,
    /// `--time-key`: JSON key (dotted path) holding the time.
    pub time_key: Option<String>,
}

/// What a format needs besides its preset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    None,
    /// The JSON status key.
    Key(String),
    /// A compiled format string.
    Custom(custom::Program),
}

/// A log format, detected or forced: a preset and its parameters.
#[derive(Clone, Debug)]
pub struct Format {
    preset: &'static Preset,
    param: Param,
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.preset, other.preset) && self.param == other.param
    }
}

impl Eq for Format {}

impl Format {
    /// A preset without parameters.
    pub fn of(preset: &'static Preset) -> Format {
        Format::with(preset, Param::None)
    }

    pub fn with(preset: &'static Preset, param: Param) -> Format {
        Format { preset, param }
    }

    /// JSON with this status key.
    pub fn json(key: &str) -> Format {
        let preset = presets::by_name("json").expect("the json preset");
        Format::with(preset, Param::Key(key.to_string()))
    }

    /// Short name shown in reports (`combined`, `w3c`, `custom`, …).
    pub fn name(&self) -> &'static str {
        self.preset.name
    }

    pub fn preset(&self) -> &'static Preset {
        self.preset
    }

    pub fn param(&self) -> &Param {
        &self.param
    }

    /// The preset of that name or alias, with its default parameters.
    pub fn from_name(s: &str) -> Option<Format> {
        presets::by_name(s).map(Format::of)
    }

    /// The name, with the parameter a user would have to pass to get the
    /// same reading (`json (--status-key status)`).
    pub fn describe(&self) -> String {
        match &self.param {
            Param::Key(k) => format!("{} (--status-key {k})", self.preset.name),
            _ => self.preset.name.to_string(),
        }
    }

    /// A fresh extractor for one input (or one chunk of it).
    pub fn extractor(&self, opts: &FormatOptions) -> AnyExtractor {
        (self.preset.build)(&self.param, opts)
    }
}

/// An extractor as the engine holds it: any format's, cloned per chunk or
/// per input, counting a chunk through one virtual call.
pub struct AnyExtractor(Box<dyn Counter>);

/// [`Extractor`] as an object: what the engine needs of every format.
trait Counter: Send + Sync {
    fn count(&mut self, chunk: &[u8], sink: &mut Sink);
    fn classify(&mut self, line: &[u8]) -> Line;
    fn sequential(&self) -> bool;
    fn clone_box(&self) -> Box<dyn Counter>;
    fn count_detailed(&mut self, chunk: &[u8], sink: &mut Sink);
    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp>;
    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]>;
}

impl<E: Extractor + Sync + 'static> Counter for E {
    fn count(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.count_chunk(chunk, sink);
    }

    fn classify(&mut self, line: &[u8]) -> Line {
        Extractor::classify(self, line)
    }

    fn sequential(&self) -> bool {
        E::SEQUENTIAL
    }

    fn clone_box(&self) -> Box<dyn Counter> {
        Box::new(self.clone())
    }

    fn count_detailed(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.count_chunk_detailed(chunk, sink);
    }

    fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        Extractor::timestamp(self, line, clock)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        Extractor::field(self, line, want, buf)
    }
}

impl AnyExtractor {
    pub fn new<E: Extractor + Sync + 'static>(e: E) -> Self {
        AnyExtractor(Box::new(e))
    }

    /// True when lines depend on earlier lines (W3C `#Fields:`), so chunks of
    /// one input must be counted in order by one extractor.
    pub fn sequential(&self) -> bool {
        self.0.sequential()
    }

    /// Counts every line of `chunk` into `sink`, doing the work
    /// `sink.detail` asks if any (a loop of its own, so that the plain one
    /// pays nothing for it).
    pub fn count(&mut self, chunk: &[u8], sink: &mut Sink) {
        if sink.detail.is_some() {
            self.0.count_detailed(chunk, sink);
        } else {
            self.0.count(chunk, sink);
        }
    }

    /// The time of one line outside the engine (the ends of an input, the
    /// probes of a bisection): the line's time when the format reads it as
    /// a request or a no-status line, with the engine's rule for blank
    /// lines.
    pub fn stamp_of(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        match self.classify(line) {
            Line::Status(_) | Line::NoStatus => self.0.timestamp(line, clock),
            _ => None,
        }
    }

    /// Field `want` of one line outside the engine (tests, a reference
    /// count): its value when the format reads the line as a request, as
    /// `--top` counts it (`-` and empty are none).
    pub fn field_of(&mut self, line: &[u8], want: &Wanted) -> Option<Vec<u8>> {
        if !matches!(self.classify(line), Line::Status(_)) {
            return None;
        }
        let mut buf = Vec::new();
        self.0
            .field(line, want, &mut buf)
            .filter(|v| !v.is_empty() && *v != b"-")
            .map(<[u8]>::to_vec)
    }

    /// Classifies one line outside the engine (detection, tests), with the
    /// engine's rule for blank lines.
    pub fn classify(&mut self, line: &[u8]) -> Line {
        if is_blank(line) {
            return Line::Skipped;
        }
        self.0.classify(line)
    }
}

impl Clone for AnyExtractor {
    fn clone(&self) -> Self {
        AnyExtractor(self.0.clone_box())
    }
}

impl std::fmt::Debug for AnyExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnyExtractor")
    }
}

/// `--log-format`: automatic detection or one format for every input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FormatChoice {
    #[default]
    Auto,
    Fixed(Format),
}

impl FormatChoice {
    /// The format of one input, given a sample of its first bytes: the
    /// detected one, or the forced one. A forced preset whose detection names
    /// its parameters from the sample (the JSON key) takes them from each
    /// input's sample, so it reads the same logs as `auto` does; where the
    /// sample does not decide, the preset's defaults apply.
    pub fn resolve(&self, sample: &[u8], opts: &FormatOptions) -> Result<Format, DetectError> {
        match self {
            FormatChoice::Fixed(f) => Ok(match (f.preset.detect, &f.param) {
                (Detect::Sample(pick), Param::None) => {
                    pick(&Sample::new(sample), f.preset, opts).unwrap_or_else(|| f.clone())
                }
                _ => f.clone(),
            }),
            FormatChoice::Auto => detect(sample, opts),
        }
    }

    /// For a forced format, what `auto` would pick from the same sample, as
    /// [`Format::describe`] shows it (`None` when nothing fits); `None` for
    /// `auto` itself. A forced format that leaves most lines malformed can
    /// then say which one would read them. Detection runs without
    /// `--status-key`, so the answer is what a plain `logstat FILE` does.
    pub fn auto_pick(&self, sample: &[u8], opts: &FormatOptions) -> Option<String> {
        match self {
            FormatChoice::Auto => None,
            FormatChoice::Fixed(_) => {
                let plain = FormatOptions {
                    status_key: None,
                    ..opts.clone()
                };
                detect(sample, &plain).ok().map(|f| f.describe())
            }
        }
    }
}

/// Why a `--log-format` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceError {
    /// Neither `auto`, a preset name nor a format string.
    Unknown(String),
    /// A format string that does not compile.
    BadFormatString { source: String, reason: String },
}

impl std::fmt::Display for ChoiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChoiceError::Unknown(s) => {
                write!(f, "unknown log format '{}'", escape_str(s))?;
                if let Some(near) = presets::suggest(s) {
                    write!(f, " (did you mean '{near}'?)")?;
                }
                write!(
                    f,
                    "; try: auto, {}, or your server's nginx log_format / Apache LogFormat string",
                    presets::names().collect::<Vec<_>>().join(", ")
                )
            }
            ChoiceError::BadFormatString { source, reason } => {
                write!(
                    f,
                    "cannot use format string '{}': {}",
                    escape_str(source),
                    escape_str(reason)
                )
            }
        }
    }
}

impl std::error::Error for ChoiceError {}

/// Parses a `--log-format` value: `auto`, a preset name, or a format string in
/// nginx (`$var`) or Apache (`%x`) syntax. A format string is compiled here,
/// once, for the status `opts` asks for, so that mistakes are reported before
/// any input is read.
pub fn parse_choice(s: &str, opts: &FormatOptions) -> Result<FormatChoice, ChoiceError> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(FormatChoice::Auto);
    }
    if custom::Program::is_format_string(s) {
        return custom::Program::compile(s, opts.upstream)
            .map(|p| FormatChoice::Fixed(Format::with(&presets::CUSTOM, Param::Custom(p))))
            .map_err(|reason| ChoiceError::BadFormatString {
                source: s.to_string(),
                reason,
            });
    }
    Format::from_name(s)
        .map(FormatChoice::Fixed)
        .ok_or_else(|| ChoiceError::Unknown(s.to_string()))
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

impl std::error::Error for DetectError {}

/// The first lines of an input, as detection judges them.
pub struct Sample<'a> {
    /// Whole lines; the last may be cut.
    pub bytes: &'a [u8],
    /// The non-blank lines (at most 64), without the last one when the
    /// sample ends inside it (and others are left to judge by).
    pub lines: Vec<&'a [u8]>,
    /// The CLF flavour of the lines, worked out once for the four CLF rows.
    clf: std::cell::OnceCell<Option<clf::Flavor>>,
}

impl<'a> Sample<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut lines: Vec<&[u8]> = sample_lines(bytes).collect();
        if lines.len() > 1 && !bytes.ends_with(b"\n") {
            lines.pop();
        }
        Sample {
            bytes,
            lines,
            clf: std::cell::OnceCell::new(),
        }
    }

    /// [`clf::detect`] on the lines, computed on first use.
    pub fn clf_flavor(&self) -> Option<clf::Flavor> {
        *self.clf.get_or_init(|| clf::detect(&self.lines))
    }

    /// Whether `fmt` reads (a status, or a directive it skips) more than half
    /// of the lines, counting only those with signature `sig`.
    pub fn read_by_most(
        &self,
        fmt: &Format,
        opts: &FormatOptions,
        sig: impl Fn(&[u8]) -> bool,
    ) -> bool {
        let mut ex = fmt.extractor(opts);
        let n = self
            .lines
            .iter()
            .filter(|l| ex.classify(l) != Line::Malformed && sig(l))
            .count();
        n * 2 > self.lines.len()
    }
}

/// Picks the format of an input from a sample of its first bytes (whole lines;
/// the last may be cut). A sample with no non-blank line is `Ok` with the
/// default format, since an empty input is a valid (empty) log.
///
/// With `--status-key`, lines that hold that key are JSON with it. Otherwise
/// the rows of [`PRESETS`] are tried in order, from the most to the least
/// specific, each by its [`Detect`] rule; the first that reads more than half
/// of the sample's lines wins. Requiring a majority rather than every line
/// keeps a few odd lines (HAProxy startup messages) from defeating detection,
/// and those lines are then counted as malformed, not dropped.
pub fn detect(sample: &[u8], opts: &FormatOptions) -> Result<Format, DetectError> {
    let s = Sample::new(sample);
    if s.lines.is_empty() {
        return Ok(Format::from_name("combined").expect("the combined preset"));
    }
    if let Some(key) = &opts.status_key {
        let f = Format::json(key);
        if s.read_by_most(&f, opts, looks_json) {
            return Ok(f);
        }
    }
    for p in &PRESETS {
        let found = match p.detect {
            Detect::Never => None,
            Detect::Lines(sig) => {
                let f = Format::of(p);
                s.read_by_most(&f, opts, sig).then_some(f)
            }
            Detect::Header(named) => {
                let f = Format::of(p);
                (named(&s) && s.read_by_most(&f, opts, |_| true)).then_some(f)
            }
            Detect::Sample(pick) => pick(&s, p, opts),
        };
        if let Some(f) = found {
            return Ok(f);
        }
    }
    for p in &PRESETS {
        if let Detect::Header(named) = p.detect
            && named(&s)
        {
            return Ok(Format::of(p));
        }
    }
    Err(DetectError {
        tried: PRESETS
            .iter()
            .filter(|p| !matches!(p.detect, Detect::Never))
            .map(|p| p.name)
            .collect(),
    })
}

/// A line that holds a JSON object somewhere: the signature every JSON
/// format's lines must also pass in detection.
pub(crate) fn looks_json(line: &[u8]) -> bool {
    memchr::memchr(b'{', line).is_some()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every extractor, every preset, on junk and truncated lines: no panics.
    #[test]
    fn no_extractor_panics_on_junk() {
        let mut formats: Vec<Format> = PRESETS.iter().map(Format::of).collect();
        formats.push(Format::json("a.b"));
        for f in [
            r#"$remote_addr [$time_local] "$request" $status"#,
            r#"%h %t \"%r\" %>s %b"#,
        ] {
            let FormatChoice::Fixed(f) = parse_choice(f, &FormatOptions::default()).unwrap() else {
                unreachable!("a format string is not auto")
            };
            formats.push(f);
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
                    time_key: Some("a.t".into()),
                },
            ] {
                let mut ex = f.extractor(&opts);
                for s in samples {
                    for cut in 0..=s.len() {
                        let _ = ex.classify(&s[..cut]);
                        let _ = ex.classify(&s[cut..]);
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
                    let _ = ex.classify(&line);
                }
            }
            let _ = detect(samples.concat().as_slice(), &FormatOptions::default());
        }
    }

    #[test]
    fn a_forced_format_knows_what_detection_would_pick() {
        let opts = FormatOptions::default();
        let combined =
            br#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "ua""#;
        let forced = parse_choice("iis", &opts).unwrap();
        assert_eq!(
            forced.auto_pick(combined, &opts).as_deref(),
            Some("combined")
        );
        assert_eq!(FormatChoice::Auto.auto_pick(combined, &opts), None);
        assert_eq!(forced.auto_pick(b"hello\nworld\n", &opts), None);
        // Detection ignores --status-key, to say what a plain run would read.
        let keyed = FormatOptions {
            status_key: Some("nope".into()),
            ..opts
        };
        let json = parse_choice("json", &keyed).unwrap();
        assert_eq!(
            json.auto_pick(br#"{"status":200}"#, &keyed).as_deref(),
            Some("json (--status-key status)")
        );
    }

    #[test]
    fn a_fields_directive_names_w3c_even_when_its_lines_do_not_fit() {
        let sample =
            b"#Fields: date time cs-uri-stem sc-status\n2015-01-13 00:32:17 / - 80 404 0\n";
        assert_eq!(
            detect(sample, &FormatOptions::default()),
            Ok(Format::from_name("w3c").unwrap())
        );
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
            assert_eq!(f, Format::json(key));
            let mut ex = f.extractor(&FormatOptions::default());
            assert_eq!(ex.classify(line), Line::Status(code));
        }
    }
}
