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
pub mod mixed;
pub mod npm;
pub mod presets;
pub mod squid;
pub mod w3c;
pub mod wrap;

use std::borrow::Cow;

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
    /// The W3C field layout assumed for lines before any `#Fields:`.
    Layout(&'static w3c::Layout),
    /// A wrapper's inner format: the format of the lines it carries.
    Inner(Box<Format>),
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

    /// Name shown in reports, as `--log-format` accepts it: the preset's
    /// (`combined`, `w3c`, `custom`, …), a wrapper's with its inner
    /// format's (`cri+combined`), a W3C preset's with the layout it assumes
    /// (`w3c:iis-8.5`).
    pub fn name(&self) -> Cow<'static, str> {
        match &self.param {
            Param::Inner(f) => format!("{}+{}", self.preset.name, f.name()).into(),
            Param::Layout(l) => format!("{}:{}", self.preset.name, l.name).into(),
            _ => self.preset.name.into(),
        }
    }

    pub fn preset(&self) -> &'static Preset {
        self.preset
    }

    pub fn param(&self) -> &Param {
        &self.param
    }

    /// The format of that name ([`Format::name`]'s forms): a preset's name
    /// or alias with its default parameters, `WRAPPER+NAME`, or a W3C
    /// preset with an assumed layout (`w3c:iis-8.5`).
    pub fn from_name(s: &str) -> Option<Format> {
        if let Some((w, inner)) = s.split_once('+') {
            let p = presets::by_name(w).filter(|p| p.wraps())?;
            let inner = Format::from_name(inner)?;
            return Format::wrapping(p, inner);
        }
        if let Some((name, layout)) = s.split_once(':') {
            let p = presets::by_name(name)?;
            let Detect::Header(sep) = p.detect else {
                return None;
            };
            return w3c::layout_named(sep, layout).map(|l| Format::with(p, Param::Layout(l)));
        }
        presets::by_name(s).map(Format::of)
    }

    /// Wrapper `p` around `inner`, if wrappers may nest that way: at most
    /// [`MAX_WRAPPERS`] deep, each a different one (`compose+timestamps+…`).
    pub fn wrapping(p: &'static Preset, inner: Format) -> Option<Format> {
        let mut around = vec![p];
        let mut f = &inner;
        while let Param::Inner(g) = &f.param {
            if around.iter().any(|w| std::ptr::eq(*w, f.preset)) {
                return None;
            }
            around.push(f.preset);
            f = g;
        }
        let open = f.preset.wraps();
        if open && around.iter().any(|w| std::ptr::eq(*w, f.preset)) {
            return None;
        }
        (around.len() + usize::from(open) <= MAX_WRAPPERS)
            .then(|| Format::with(p, Param::Inner(Box::new(inner))))
    }

    /// The name, with the parameter a user would have to pass to get the
    /// same reading (`json (--status-key status)`).
    pub fn describe(&self) -> String {
        match &self.param {
            Param::Key(k) => format!("{} (--status-key {k})", self.preset.name),
            Param::Inner(f) => format!("{}+{}", self.preset.name, f.describe()),
            _ => self.name().into_owned(),
        }
    }

    /// Whether the format logs a status from the upstream (backend) besides
    /// the one sent to the client, which `--status upstream` counts.
    pub fn has_upstream(&self) -> bool {
        match &self.param {
            Param::Inner(f) => f.has_upstream(),
            Param::Custom(p) => p.has_upstream(),
            _ => self.preset.upstream,
        }
    }

    /// Whether detection names part of the format per input: a wrapper
    /// (around wrappers) whose inner format is left open.
    pub(crate) fn is_open(&self) -> bool {
        match &self.param {
            Param::Inner(f) => f.is_open(),
            Param::None => self.preset.wraps(),
            _ => false,
        }
    }

    /// A fresh extractor for one input (or one chunk of it).
    pub fn extractor(&self, opts: &FormatOptions) -> AnyExtractor {
        (self.preset.build)(&self.param, opts)
    }
}

/// What the report says about how an input was read, from its format's name
/// ([`Format::name`]): that a W3C layout was assumed, and which.
pub fn note(name: &str) -> Option<String> {
    let mut f = Format::from_name(name)?;
    while let Param::Inner(inner) = f.param {
        f = *inner;
    }
    match f.param {
        Param::Layout(l) => Some(format!("layout assumed (no #Fields:): {}", l.what)),
        _ => None,
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

    /// The time of a line this extractor has classified as a request or a
    /// no-status line (a wrapper passes its inner line on).
    pub fn timestamp(&mut self, line: &[u8], clock: &mut Clock) -> Option<Stamp> {
        self.0.timestamp(line, clock)
    }

    /// Field `want` of `line`, which [`AnyExtractor::classify`] has just
    /// read as a request ([`Extractor::field`]); a wrapper asks its inner
    /// format this way.
    pub fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &Wanted,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        self.0.field(line, want, buf)
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

    /// Classifies one line outside the engine's chunk loop (detection,
    /// wrappers, tests), with the engine's rule for blank lines.
    pub fn classify(&mut self, line: &[u8]) -> Line {
        if is_blank(line) {
            return Line::Blank;
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
    /// its parameters from the sample (the JSON key, the W3C layout assumed
    /// without `#Fields:`, a wrapper's inner format) takes them from each
    /// input's sample, so it reads the same logs as `auto` does; where the
    /// sample does not decide, the preset's defaults apply (a wrapper's inner
    /// format must be found: the input is refused otherwise).
    ///
    /// With `--status upstream`, a format that logs no upstream status is
    /// refused for this input: counting the client's status instead would
    /// answer another question than the one asked.
    pub fn resolve(&self, sample: &[u8], opts: &FormatOptions) -> Result<Format, DetectError> {
        let f = match self {
            FormatChoice::Fixed(f) => resolve_fixed(f, &Sample::new(sample), opts, &[])?,
            FormatChoice::Auto => detect(sample, opts)?,
        };
        if opts.upstream && !f.has_upstream() {
            return Err(DetectError::NoUpstream {
                format: f.name().into_owned(),
            });
        }
        Ok(f)
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

/// A forced format with the parameters the sample names, where it leaves
/// them open ([`FormatChoice::resolve`]); `around`: the wrappers around it.
fn resolve_fixed(
    f: &Format,
    s: &Sample,
    opts: &FormatOptions,
    around: &[&'static Preset],
) -> Result<Format, DetectError> {
    if let Detect::Wrapper(unwrap) = f.preset.detect {
        let owned = wrap::inner_lines(s.all(), unwrap);
        let inner = Sample::of(owned.iter().map(Vec::as_slice).collect());
        let mut within = around.to_vec();
        within.push(f.preset);
        let found = match &f.param {
            Param::Inner(g) => Some(resolve_fixed(g, &inner, opts, &within)?),
            // An empty input is an empty log whatever its lines would be.
            _ if s.all().is_empty() => Format::from_name("combined"),
            _ => detect_lines(inner.all(), opts, Some(&within)),
        };
        return match found {
            Some(g) => Ok(Format::with(f.preset, Param::Inner(Box::new(g)))),
            None => Err(DetectError::NoInner {
                wrapper: f.preset.name,
                tried: tried(within.len() < MAX_WRAPPERS),
            }),
        };
    }
    Ok(match (&f.param, f.preset.detect) {
        (Param::None, Detect::Sample(pick)) => pick(s, f.preset, opts).unwrap_or_else(|| f.clone()),
        (Param::None, Detect::Header(sep)) => w3c::assume_before_directives(s.lines(), sep)
            .map(|l| Format::with(f.preset, Param::Layout(l)))
            .unwrap_or_else(|| f.clone()),
        _ => f.clone(),
    })
}

/// Why a `--log-format` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceError {
    /// Neither `auto`, a preset name nor a format string.
    Unknown(String),
    /// A format string that does not compile.
    BadFormatString { source: String, reason: String },
    /// `--status upstream` with a preset that logs no upstream status.
    NoUpstream(String),
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
            ChoiceError::NoUpstream(name) => f.write_str(&no_upstream(name)),
        }
    }
}

impl std::error::Error for ChoiceError {}

/// Why `--status upstream` cannot be read from format `name`.
fn no_upstream(name: &str) -> String {
    let have: Vec<&str> = PRESETS
        .iter()
        .filter(|p| p.upstream)
        .map(|p| p.name)
        .collect();
    format!(
        "--status upstream: {} logs no upstream status (formats that do: {}, and format strings with $upstream_status)",
        escape_str(name),
        have.join(", ")
    )
}

/// Parses a `--log-format` value: `auto`, a preset name, a name with its
/// parameter (`cri+combined`, `w3c:iis-8.5`), or a format string in nginx
/// (`$var`) or Apache (`%x`) syntax, also behind a wrapper
/// (`cri+$remote_addr …`). A format string is compiled here, once, for the
/// status `opts` asks for, so that mistakes are reported before any input is
/// read; so is `--status upstream` with a format that has no upstream status
/// (a wrapper whose inner format is left to detection is checked per input).
pub fn parse_choice(s: &str, opts: &FormatOptions) -> Result<FormatChoice, ChoiceError> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(FormatChoice::Auto);
    }
    if let Some((w, rest)) = s.split_once('+')
        && let Some(p) = presets::by_name(w).filter(|p| p.wraps())
    {
        let f = match parse_choice(rest, opts)? {
            FormatChoice::Auto => Format::of(p),
            FormatChoice::Fixed(f) => {
                Format::wrapping(p, f).ok_or_else(|| ChoiceError::Unknown(s.to_string()))?
            }
        };
        if opts.upstream && !f.is_open() && !f.has_upstream() {
            return Err(ChoiceError::NoUpstream(f.name().into_owned()));
        }
        return Ok(FormatChoice::Fixed(f));
    }
    if custom::Program::is_format_string(s) {
        return custom::Program::compile(s, opts.upstream)
            .map(|p| FormatChoice::Fixed(Format::with(&presets::CUSTOM, Param::Custom(p))))
            .map_err(|reason| ChoiceError::BadFormatString {
                source: s.to_string(),
                reason,
            });
    }
    let f = Format::from_name(s).ok_or_else(|| ChoiceError::Unknown(s.to_string()))?;
    if opts.upstream && !f.is_open() && !f.has_upstream() {
        return Err(ChoiceError::NoUpstream(f.name().into_owned()));
    }
    Ok(FormatChoice::Fixed(f))
}

/// Why an input's format could not be settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetectError {
    /// No known format fits its lines; `tried` names the formats tried.
    NoFormat { tried: Vec<&'static str> },
    /// A wrapper was forced, and no known format fits the lines it carries.
    NoInner {
        wrapper: &'static str,
        tried: Vec<&'static str>,
    },
    /// `--status upstream`, and the input's format logs no upstream status.
    NoUpstream { format: String },
}

impl std::fmt::Display for DetectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DetectError::NoFormat { tried } => write!(
                f,
                "no known log format fits its first lines (tried: {}); pass --log-format with a preset name or your server's format string (JSON logs: --log-format json --status-key KEY)",
                tried.join(", ")
            ),
            DetectError::NoInner { wrapper, tried } => write!(
                f,
                "no known log format fits the lines inside its {wrapper} wrapping (tried: {}); pass --log-format {wrapper}+FORMAT",
                tried.join(", ")
            ),
            DetectError::NoUpstream { format } => f.write_str(&no_upstream(format)),
        }
    }
}

impl std::error::Error for DetectError {}

/// The names of the formats detection tries (wrappers too, or not).
fn tried(wrappers: bool) -> Vec<&'static str> {
    PRESETS
        .iter()
        .filter(|p| !matches!(p.detect, Detect::Never) && (wrappers || !p.wraps()))
        .map(|p| p.name)
        .collect()
}

/// How many wrappers may nest: `docker compose logs --timestamps` puts a
/// time inside the service prefix (`compose+timestamps+combined`).
pub const MAX_WRAPPERS: usize = 2;

/// Which wrapper rows detection may try: none (`None`), or those not already
/// around the lines (`Some(around)`, outermost first) while fewer than
/// [`MAX_WRAPPERS`] are.
pub(crate) type Wrappers<'a> = Option<&'a [&'static Preset]>;

fn may_wrap(wrappers: Wrappers, p: &'static Preset) -> bool {
    wrappers.is_some_and(|around| {
        around.len() < MAX_WRAPPERS && !around.iter().any(|w| std::ptr::eq(*w, p))
    })
}

/// The non-blank lines of an input's first bytes, as detection judges them.
pub struct Sample<'a> {
    /// Whole lines, `\r` removed, at most [`LOOK_FURTHER`].
    all: Vec<&'a [u8]>,
    /// How many of them the format is judged by first: [`FIRST_LINES`].
    first: usize,
    /// The CLF flavour of the first lines, once worked out.
    clf: std::cell::OnceCell<Option<clf::Flavor>>,
}

/// Lines most formats are judged by: the first ones.
pub const FIRST_LINES: usize = 64;

/// Lines detection looks at when the first ones do not decide (start-up
/// messages before the access lines).
pub const LOOK_FURTHER: usize = 4096;

/// Of the lines [`look_further`] looks at, this many must be access lines
/// of one format, or a tenth of them.
pub const MIN_ACCESS_LINES: usize = 3;

impl<'a> Sample<'a> {
    /// The whole non-blank lines of a sample of an input's first bytes (the
    /// last line is left out when the sample ends inside it, unless it is
    /// the only one).
    pub fn new(bytes: &'a [u8]) -> Self {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
        let mut start = 0;
        let mut all: Vec<&[u8]> = ends
            .map(|end| {
                let line = &bytes[start.min(end)..end];
                start = end + 1;
                line.strip_suffix(b"\r").unwrap_or(line)
            })
            .filter(|l| !is_blank(l))
            .take(LOOK_FURTHER + 1)
            .collect();
        if all.len() > 1 && (!bytes.ends_with(b"\n") || all.len() > LOOK_FURTHER) {
            all.pop();
        }
        Sample::of(all)
    }

    /// A sample of these lines (non-blank, whole).
    pub fn of(all: Vec<&'a [u8]>) -> Self {
        let first = all.len().min(FIRST_LINES);
        Sample {
            all,
            first,
            clf: std::cell::OnceCell::new(),
        }
    }

    /// The first lines ([`FIRST_LINES`]): what most formats are judged by.
    pub fn lines(&self) -> &[&'a [u8]] {
        &self.all[..self.first]
    }

    /// Every line of the sample ([`LOOK_FURTHER`] at most).
    pub fn all(&self) -> &[&'a [u8]] {
        &self.all
    }

    /// [`clf::detect`] on the first lines, computed on first use: the four
    /// CLF rows ask for it in turn.
    pub fn clf_flavor(&self) -> Option<clf::Flavor> {
        *self.clf.get_or_init(|| clf::detect(self.lines()))
    }

    /// Whether `fmt` reads (a status, or a directive it skips) more than half
    /// of the first lines, counting only those with signature `sig`. A
    /// record the format says is not a request is not read: a JSON key
    /// that most lines lack does not name the format.
    pub fn read_by_most(
        &self,
        fmt: &Format,
        opts: &FormatOptions,
        sig: impl Fn(&[u8]) -> bool,
    ) -> bool {
        // Most rows' signatures rule most samples out: no extractor is
        // built for those.
        let signed: Vec<&[u8]> = self.lines().iter().copied().filter(|l| sig(l)).collect();
        if signed.len() * 2 <= self.lines().len() {
            return false;
        }
        let mut ex = fmt.extractor(opts);
        let n = signed
            .iter()
            .filter(|l| {
                matches!(
                    ex.classify(l),
                    Line::Status(_) | Line::NoStatus | Line::Skipped
                )
            })
            .count();
        n * 2 > self.lines().len()
    }
}

/// Picks the format of an input from a sample of its first bytes (whole lines;
/// the last may be cut). A sample with no non-blank line is `Ok` with the
/// default format, since an empty input is a valid (empty) log.
///
/// With `--status-key`, lines that hold that key are JSON with it. Otherwise
/// the rows of [`PRESETS`] are tried in order, from the most to the least
/// specific, each by its [`Detect`] rule; the first that reads more than half
/// of the sample's first lines wins. Requiring a majority rather than every
/// line keeps a few odd lines (HAProxy startup messages) from defeating
/// detection, and those lines are then counted as malformed, not dropped.
///
/// When no row reads most of the first lines (a container's start-up
/// messages before its access lines), detection looks further: at every line
/// of the sample, keeping those some format reads as access lines
/// ([`look_further`]).
pub fn detect(sample: &[u8], opts: &FormatOptions) -> Result<Format, DetectError> {
    let s = Sample::new(sample);
    if s.all().is_empty() {
        return Ok(Format::from_name("combined").expect("the combined preset"));
    }
    detect_in(&s, opts, Some(&[])).ok_or_else(|| DetectError::NoFormat { tried: tried(true) })
}

/// [`detect`] on whole non-blank lines; `wrappers`: which wrapper rows are
/// tried.
pub(crate) fn detect_lines(
    lines: &[&[u8]],
    opts: &FormatOptions,
    wrappers: Wrappers,
) -> Option<Format> {
    detect_in(&Sample::of(lines.to_vec()), opts, wrappers)
}

fn detect_in(s: &Sample, opts: &FormatOptions, wrappers: Wrappers) -> Option<Format> {
    if s.all().is_empty() {
        return None;
    }
    by_rows(s, opts, wrappers)
        .or_else(|| look_further(s, opts, wrappers))
        .or_else(|| named_by_header(s))
}

/// The first row of [`PRESETS`] whose rule reads most of the first lines.
pub(crate) fn by_rows(s: &Sample, opts: &FormatOptions, wrappers: Wrappers) -> Option<Format> {
    if let Some(key) = &opts.status_key {
        let f = Format::json(key);
        if s.read_by_most(&f, opts, looks_json) {
            return Some(f);
        }
    }
    PRESETS.iter().find_map(|p| match p.detect {
        Detect::Never => None,
        Detect::Lines(sig) => {
            let f = Format::of(p);
            s.read_by_most(&f, opts, sig).then_some(f)
        }
        Detect::Header(sep) => {
            let named = w3c::detect_sep(s.lines()) == Some(sep);
            let f = Format::of(p);
            if named && s.read_by_most(&f, opts, |_| true) {
                return Some(f);
            }
            // Lines before any directive, read by an assumed layout until
            // one comes.
            let l = w3c::assume_before_directives(s.lines(), sep)?;
            let f = Format::with(p, Param::Layout(l));
            s.read_by_most(&f, opts, |_| true).then_some(f)
        }
        Detect::Sample(pick) => pick(s, p, opts),
        Detect::Wrapper(unwrap) if may_wrap(wrappers, p) => {
            wrap::detect(s, p, unwrap, opts, wrappers.unwrap_or_default())
        }
        Detect::Wrapper(_) => None,
    })
}

/// Detection from the access lines alone: every line of the sample that some
/// format reads on its own (a status, not a directive or a start-up record)
/// is an access line. When there are at least [`MIN_ACCESS_LINES`] of them
/// (or a tenth of the lines), and the format the rows pick from them reads
/// every one, that is the format; the other lines are then malformed.
/// Access lines of two formats (but the Envoy pair, [`mixed`]) decide
/// nothing.
fn look_further(s: &Sample, opts: &FormatOptions, wrappers: Wrappers) -> Option<Format> {
    let reads = |f: &Format, l: &[u8]| {
        matches!(
            f.extractor(opts).classify(l),
            Line::Status(_) | Line::NoStatus
        )
    };
    // One line was judged by the rows already.
    if s.all().len() < 2 {
        return None;
    }
    // A line read without a wrapper is an access line whatever a wrapper
    // would read: the rows without wrappers are tried first, as they cost
    // less.
    let access_line = |l: &[u8], w: Wrappers| {
        by_rows(&Sample::of(vec![l]), opts, w).is_some_and(|f| reads(&f, l))
    };
    let access: Vec<&[u8]> = s
        .all()
        .iter()
        .copied()
        .filter(|&l| access_line(l, None) || (wrappers.is_some() && access_line(l, wrappers)))
        .collect();
    let enough = access.len() >= MIN_ACCESS_LINES || access.len() * 10 >= s.all().len();
    if access.is_empty() || !enough {
        return None;
    }
    let f = by_rows(&Sample::of(access.clone()), opts, wrappers)?;
    let mut ex = f.extractor(opts);
    access
        .iter()
        .all(|l| matches!(ex.classify(l), Line::Status(_) | Line::NoStatus))
        .then_some(f)
}

/// A W3C header directive names the format when no row reads the lines:
/// they are then malformed, which says more than refusing the input.
fn named_by_header(s: &Sample) -> Option<Format> {
    PRESETS.iter().find_map(|p| match p.detect {
        Detect::Header(sep) if w3c::detect_sep(s.lines()) == Some(sep) => Some(Format::of(p)),
        _ => None,
    })
}

/// A line that holds a JSON object somewhere: the signature every JSON
/// format's lines must also pass in detection.
pub(crate) fn looks_json(line: &[u8]) -> bool {
    memchr::memchr(b'{', line).is_some()
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
    fn names_round_trip_and_note_an_assumed_layout() {
        for name in [
            "combined",
            "cri+combined",
            "compose+timestamps+envoy",
            "w3c:iis-8.5",
            "docker-json+cloudfront:standard",
        ] {
            assert_eq!(Format::from_name(name).unwrap().name(), name);
        }
        for bad in [
            "cri+cri",
            "cri+compose+kubectl+combined",
            "combined:iis-7",
            "w3c:nope",
        ] {
            assert!(Format::from_name(bad).is_none(), "{bad}");
        }
        let note = "layout assumed (no #Fields:): IIS 7 to 8 default fields";
        assert_eq!(super::note("w3c:iis-7").as_deref(), Some(note));
        assert_eq!(
            super::note("compose+timestamps+w3c:iis-7").as_deref(),
            Some(note)
        );
        assert_eq!(super::note("cri+combined"), None);
        assert_eq!(super::note("custom"), None);
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
