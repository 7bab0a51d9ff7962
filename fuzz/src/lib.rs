//! The bodies of logstat's fuzz targets, and the invariants each run checks.
//!
//! They live here rather than in `fuzz_targets/` so that two drivers run the
//! same code: libFuzzer (`cargo +nightly fuzz run TARGET`, which finds new
//! inputs) and the stable `replay` binary (which runs the committed corpus on
//! every CI run, without nightly, sanitizers or cargo-fuzz).
//!
//! Every target checks, besides "no panic":
//! - one bucket per line: the counts add up to the input's lines (`\n`s, plus
//!   one for a last line without `\n`), and so does the sink's line count;
//! - the same result for any chunking: the same data counted whole, cut in
//!   two at a line boundary, or in many chunks (one extractor for a
//!   sequential format, a fresh one per chunk otherwise, as the engine does)
//!   gives the same counts, malformed examples and dump; and end to end, a
//!   scan with a tiny chunk size on several threads gives what one thread
//!   with the default chunk size gives;
//! - a chunk loop books what classifying line by line books.
//!
//! Inputs start with a few control bytes (which format, which options, where
//! to cut) followed by the data, so one corpus file is one reproducible case.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use logstat::check::{self, Agg, Gate, Level, Op};
use logstat::format::{self, AnyExtractor, Format, FormatChoice, FormatOptions, PRESETS, Param};
use logstat::input::{self, Compression, Sniff};
use logstat::lang::Lang;
use logstat::lines::{Counts, EXAMPLES_PER_CHUNK, Line, NO_STATUS, SLOTS, Sink};
use logstat::scan::{self, DEFAULT_CHUNK, SAMPLE_BYTES, ScanOptions};
use logstat::summary::{InputSummary, Series, Summary};
use logstat::time::{Clock, Stamp, Zone};

/// A fuzz target: panics when an invariant does not hold for its input.
pub type Target = fn(&[u8]);

/// Every target by name, for the replay runner.
pub const TARGETS: &[(&str, Target)] = &[
    ("extract", extract),
    ("detect", detect),
    ("custom_compile", custom_compile),
    ("check_expr", check_expr),
    ("compressed", compressed),
    ("scan_chunks", scan_chunks),
];

/// Format strings the `extract` target picks from besides the presets: both
/// syntaxes, quoted fields, and a format with two statuses for `upstream`.
pub const CUSTOM_FORMATS: &[&str] = &[
    r#"$remote_addr [$time_local] "$request" $status $body_bytes_sent"#,
    r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
    r#"$host "$request" $upstream_status $status $request_time"#,
    r#"%h %l %u %t \"%r\" %>s %b"#,
    r#"%v:%p %h %t \"%r\" %s %b \"%{Referer}i\""#,
    "$status",
];

/// Status keys the targets pass as `--status-key`.
const STATUS_KEYS: [Option<&str>; 4] = [
    None,
    Some("status"),
    Some("a.b"),
    Some("httpRequest.status"),
];

/// Lines every compiled custom format is run on, whatever the fuzzed lines.
const FIXED_LINES: &[u8] = include_bytes!("../../fixtures/formats/custom.log");
const FIXED_COMBINED: &[u8] = include_bytes!("../../fixtures/formats/combined.log");

/// Lines as the engine counts them: one per `\n`, plus a last one without.
pub fn line_count(data: &[u8]) -> u64 {
    let nl = data.iter().filter(|&&b| b == b'\n').count() as u64;
    nl + u64::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// `--status upstream` and `--status-key` from the bits of one byte.
fn options(flags: u8) -> FormatOptions {
    FormatOptions {
        upstream: flags & 1 != 0,
        status_key: STATUS_KEYS[(flags as usize >> 1) & 3].map(str::to_string),
        time_key: None,
    }
}

/// A custom format string, compiled; without `--status upstream` when it
/// logs no upstream status (which `--status upstream` refuses).
fn custom(source: &str, opts: &FormatOptions) -> Format {
    let plain = FormatOptions {
        upstream: false,
        ..opts.clone()
    };
    match format::parse_choice(source, opts).or_else(|_| format::parse_choice(source, &plain)) {
        Ok(FormatChoice::Fixed(f)) => f,
        other => panic!("custom format {source:?} does not compile: {other:?}"),
    }
}

/// Counts in a line short enough for a panic message.
fn show(c: &Counts) -> String {
    format!(
        "codes {:?} no_status {} skipped {} malformed {}",
        c.observed().collect::<Vec<_>>(),
        c.no_status,
        c.skipped,
        c.malformed
    )
}

/// What counting some lines produced, examples and dump included.
#[derive(Debug, PartialEq, Eq)]
struct Booked {
    counts: Counts,
    lines: u64,
    /// (0-based line index in the whole data, bytes), the first
    /// [`EXAMPLES_PER_CHUNK`].
    examples: Vec<(u64, Vec<u8>)>,
    dump: Vec<u8>,
}

impl Booked {
    fn new() -> Self {
        Booked {
            counts: Counts::default(),
            lines: 0,
            examples: Vec::new(),
            dump: Vec::new(),
        }
    }

    /// Counts one chunk into `self` the way the engine does: a fresh sink
    /// per chunk, examples renumbered by the lines before it.
    fn chunk(&mut self, ex: &mut AnyExtractor, chunk: &[u8]) {
        let mut counts = Counts::default();
        let mut sink = Sink::new(&mut counts, true);
        ex.count(chunk, &mut sink);
        assert_eq!(
            sink.lines,
            line_count(chunk),
            "the sink's line count is not the chunk's lines"
        );
        let (lines, examples, dump) = (sink.lines, sink.examples, sink.dump);
        assert_eq!(
            counts.lines(),
            lines,
            "the buckets do not add up to the chunk's lines: {}",
            show(&counts)
        );
        assert!(examples.len() <= EXAMPLES_PER_CHUNK);
        for (i, _) in &examples {
            assert!(
                *i < lines,
                "example index {i} past the chunk's {lines} lines"
            );
        }
        for (i, text) in examples {
            if self.examples.len() < EXAMPLES_PER_CHUNK {
                self.examples.push((self.lines + i, text));
            }
        }
        self.dump
            .extend(dump.expect("the sink was asked for a dump"));
        self.counts.merge(&counts);
        self.lines += lines;
    }
}

/// What a chunk loop must book for `data`: each line classified on its own,
/// in order, by one extractor, through the sink's rules.
fn by_line(proto: &AnyExtractor, data: &[u8]) -> Booked {
    let mut ex = proto.clone();
    let mut counts = Counts::default();
    let mut sink = Sink::new(&mut counts, true);
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.is_empty() || data.ends_with(b"\n") {
        lines.pop();
    }
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            sink.counts.skipped += 1;
            continue;
        }
        let kind = ex.classify(line);
        sink.record(kind, line, i as u64);
    }
    let examples = sink.examples;
    let dump = sink.dump.expect("asked for");
    Booked {
        counts,
        lines: lines.len() as u64,
        examples,
        dump,
    }
}

/// Counts `pieces` (consecutive chunks of one input) as the engine would.
fn by_chunks(proto: &AnyExtractor, pieces: &[&[u8]]) -> Booked {
    let mut b = Booked::new();
    let mut one = proto.clone();
    for p in pieces {
        if proto.sequential() {
            b.chunk(&mut one, p);
        } else {
            b.chunk(&mut proto.clone(), p);
        }
    }
    b
}

fn same(what: &str, want: &Booked, got: &Booked) {
    assert!(
        want.counts == got.counts,
        "{what}: counts differ\n  want {}\n  got  {}",
        show(&want.counts),
        show(&got.counts)
    );
    assert_eq!(want.lines, got.lines, "{what}: line counts differ");
    assert_eq!(
        want.examples, got.examples,
        "{what}: malformed examples differ"
    );
    assert_eq!(want.dump, got.dump, "{what}: dumped malformed lines differ");
}

/// The per-chunk contract for one extractor over `data`: one bucket per line,
/// the same books as line-by-line classification, for the whole chunk, cut in
/// two at the line boundary `cut` picks, and in many chunks.
pub fn check_extractor(proto: &AnyExtractor, data: &[u8], cut: usize) {
    let want = by_line(proto, data);
    assert_eq!(want.lines, line_count(data));
    assert_eq!(want.counts.lines(), want.lines);

    let whole = by_chunks(proto, &[data]);
    same("whole chunk vs line by line", &want, &whole);

    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(
        data.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let at = bounds[cut % bounds.len()];
    let (a, b) = data.split_at(at);
    same("cut in two", &want, &by_chunks(proto, &[a, b]));

    // One line per chunk, or for long data 64 chunks of whole lines: as many
    // cuts as can matter, without making a long input slow to check.
    let step = bounds.len().div_ceil(64);
    let mut pieces = Vec::with_capacity(65);
    let mut from = 0;
    for &to in bounds.iter().step_by(step).skip(1).chain([&data.len()]) {
        pieces.push(&data[from..to]);
        from = to;
    }
    same("many chunks", &want, &by_chunks(proto, &pieces));
}

/// `extract`: byte 0 picks a preset or a custom format string, byte 1 the
/// options (bit 0 upstream, bits 1-2 status key, bits 3-4 both set: repeat
/// the data past 64 KiB, so that the window loops cross windows and meet a
/// line longer than a window), bytes 2-3 the cut; the rest is the chunk.
pub fn extract(data: &[u8]) {
    let [pick, flags, c0, c1, rest @ ..] = data else {
        return;
    };
    let opts = options(*flags);
    let n = *pick as usize % (PRESETS.len() + CUSTOM_FORMATS.len());
    let format = match PRESETS.get(n) {
        // A wrapper reads its inner lines by the format they are detected
        // as; lines of none are all malformed.
        Some(p) if p.wraps() => FormatChoice::Fixed(Format::of(p))
            .resolve(rest, &opts)
            .unwrap_or_else(|_| Format::of(p)),
        Some(p) => Format::of(p),
        None => custom(CUSTOM_FORMATS[n - PRESETS.len()], &opts),
    };
    let cut = u16::from_le_bytes([*c0, *c1]) as usize;
    let proto = format.extractor(&opts);
    if (flags >> 3) & 3 == 3 && !rest.is_empty() {
        let mut big = Vec::with_capacity(70_000 + rest.len());
        while big.len() <= 66_000 {
            big.extend_from_slice(rest);
        }
        check_extractor(&proto, &big, cut);
    } else {
        check_extractor(&proto, rest, cut);
    }
}

/// `detect`: byte 0 the options, the rest a sample. Detection never panics;
/// the format it names keeps the per-chunk contract on the sample; every
/// preset resolves against it (a wrapper when its inner lines are of a
/// known format, any preset with an upstream status under `--status
/// upstream`).
pub fn detect(data: &[u8]) {
    let [flags, sample @ ..] = data else {
        return;
    };
    let opts = options(*flags);
    match format::detect(sample, &opts) {
        Ok(f) => check_extractor(&f.extractor(&opts), sample, *flags as usize >> 3),
        Err(e) => {
            if let format::DetectError::NoFormat { tried }
            | format::DetectError::NoInner { tried, .. } = &e
            {
                assert!(!tried.is_empty());
            }
            let _ = e.to_string();
        }
    }
    for p in &PRESETS {
        let choice = FormatChoice::Fixed(Format::of(p));
        // A forced preset resolves, but for a wrapper whose inner lines are
        // of no known format, or a format without an upstream status under
        // `--status upstream`.
        let f = match choice.resolve(sample, &opts) {
            Ok(f) => f,
            Err(format::DetectError::NoInner { wrapper, .. }) => {
                assert!(
                    p.wraps() && wrapper == p.name,
                    "forcing {}: {wrapper}",
                    p.name
                );
                continue;
            }
            Err(format::DetectError::NoUpstream { .. }) if opts.upstream => continue,
            Err(e) => panic!("forcing {} failed: {e:?}", p.name),
        };
        assert!(
            std::ptr::eq(f.preset(), p),
            "forcing {} gave {}",
            p.name,
            f.name()
        );
    }
}

/// `custom_compile`: byte 0 the options, then a format string up to the
/// first NUL (a command-line argument cannot hold one), then lines. A string
/// that compiles counts fixed lines of its own shape, then the fuzzed lines,
/// keeping the per-chunk contract; one that does not says why.
pub fn custom_compile(data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    let opts = options(*flags);
    let (source, lines) = match rest.iter().position(|&b| b == 0) {
        Some(p) => (&rest[..p], &rest[p + 1..]),
        None => (rest, &[][..]),
    };
    let source = String::from_utf8_lossy(source);
    match format::parse_choice(&source, &opts) {
        Ok(FormatChoice::Auto) => assert_eq!(source, "auto"),
        Ok(FormatChoice::Fixed(f)) => {
            if let Param::Custom(p) = f.param() {
                assert_eq!(p.source(), source, "a program keeps its source");
            }
            let mut all = FIXED_LINES.to_vec();
            all.extend_from_slice(FIXED_COMBINED);
            all.extend_from_slice(lines);
            check_extractor(&f.extractor(&opts), &all, *flags as usize >> 3);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// Counts from bytes: 8 per entry, a slot (0-999 a code, then no_status,
/// skipped, malformed) and a count below 2^48, so sums cannot overflow.
fn counts_from(bytes: &[u8]) -> Counts {
    let mut c = Counts::default();
    for e in bytes.chunks_exact(8) {
        let slot = u16::from_le_bytes([e[0], e[1]]) % 1003;
        let n = u64::from_le_bytes([e[2], e[3], e[4], e[5], e[6], e[7], 0, 0]);
        match slot {
            1000 => c.no_status += n,
            1001 => c.skipped += n,
            1002 => c.malformed += n,
            code => c.codes[code as usize] += n,
        }
    }
    c
}

/// `check_expr`: an expression up to the first NUL, then counts (see
/// [`counts_from`]; the first byte after the NUL also picks the language and
/// `--min-requests`). A bad expression gives an error pointing inside it; a
/// good one evaluates sanely (numerator at most denominator, a rate within
/// 0-100%, the six comparisons agreeing with each other) and renders valid
/// JUnit XML and one-line GitHub commands.
pub fn check_expr(data: &[u8]) {
    let (src, rest) = match data.iter().position(|&b| b == 0) {
        Some(p) => (&data[..p], &data[p + 1..]),
        None => (data, &[][..]),
    };
    let src = String::from_utf8_lossy(src);
    let expr = match check::parse(&src) {
        Ok(e) => e,
        Err(e) => {
            assert_eq!(e.source, src);
            assert!(
                e.column <= src.chars().count() * 2,
                "error column {} past the expression",
                e.column
            );
            let _ = (e.pointer(), e.to_string());
            return;
        }
    };
    assert_eq!(expr.source, src);
    let (knobs, counts) = match rest.split_first() {
        Some((k, c)) => (*k, counts_from(c)),
        None => (0, Counts::default()),
    };

    let (num, den) = expr.selector.count(&counts);
    assert!(num <= den, "numerator {num} above denominator {den}");
    let want_den = if expr.selector.is_buckets() {
        counts.requests() + counts.no_status + counts.malformed
    } else {
        counts.requests()
    };
    assert_eq!(den, want_den);
    let r = check::evaluate(&expr, Level::Fail, &counts);
    assert_eq!((r.numerator, r.denominator), (num, den));
    assert_eq!(r.is_rate, expr.agg == Agg::Rate);
    if r.is_rate {
        assert!(
            (0.0..=1.0).contains(&r.value),
            "rate {} out of range",
            r.value
        );
        if den == 0 {
            assert!(r.no_data() && !r.held, "a rate over nothing held");
        }
    }
    let held = |op| {
        let mut e = expr.clone();
        e.op = op;
        check::evaluate(&e, Level::Fail, &counts).held
    };
    let [gt, ge, lt, le, eq, ne] = [Op::Gt, Op::Ge, Op::Lt, Op::Le, Op::Eq, Op::Ne].map(held);
    if !r.no_data() {
        assert_eq!(gt, !le, "> and <= disagree");
        assert_eq!(lt, !ge, "< and >= disagree");
        assert_eq!(eq, !ne, "== and != disagree");
        assert_eq!(ge, gt || eq, ">= is not > or ==");
        assert!(!(gt && lt), "> and < both hold");
    }

    let gate = Gate {
        checks: vec![(expr.clone(), Level::Fail), (expr, Level::Warn)],
        min_requests: u64::from(knobs >> 1),
        lang: if knobs & 1 == 0 { Lang::En } else { Lang::Zh },
        slo: None,
    };
    let input = InputSummary {
        path: "fuzz.log".into(),
        format: "combined".into(),
        counts,
        bytes: 0,
        error: None,
        ..InputSummary::default()
    };
    let s = Summary::from_inputs(vec![input], Vec::new(), Duration::ZERO);
    let results = gate.evaluate(&s);
    let _ = gate.verdict(&s, &results);
    let _ = gate.too_few_message(&s, &results);
    let mut out = Vec::new();
    gate.write_verdicts(&mut out, &results).expect("to memory");
    String::from_utf8(out).expect("verdicts are UTF-8");

    let mut xml = Vec::new();
    gate.write_junit(&mut xml, &s, &results).expect("to memory");
    let mut reader = quick_xml::Reader::from_reader(&xml[..]);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("attribute unescapes");
                }
            }
            Ok(_) => {}
            Err(e) => panic!(
                "JUnit output is not XML: {e}\n{}",
                String::from_utf8_lossy(&xml)
            ),
        }
        buf.clear();
    }
    for b in String::from_utf8_lossy(&xml).chars() {
        let c = b as u32;
        assert!(
            c >= 0x20 || b == '\n' || b == '\t' || b == '\r',
            "JUnit output holds U+{c:04X}, which XML 1.0 cannot carry"
        );
    }

    let mut gh = Vec::new();
    gate.write_github(&mut gh, &s, &results).expect("to memory");
    let gh = String::from_utf8(gh).expect("GitHub commands are UTF-8");
    for line in gh.lines() {
        assert!(
            line.starts_with("::"),
            "a GitHub command split over lines: {gh:?}"
        );
    }
}

/// The bytes every gzip member starts with.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A file that is removed when dropped, in `/dev/shm` where there is one.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(bytes: &[u8]) -> TempFile {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("logstat-fuzz-{}-{n}", std::process::id()));
        std::fs::write(&path, bytes).expect("write a temporary input");
        TempFile(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One scan of `paths`, with its dump of malformed lines.
fn scan_dump(paths: &[PathBuf], opts: &ScanOptions) -> (Summary, Vec<u8>) {
    let mut dump: Vec<u8> = Vec::new();
    let s = scan::scan(paths, opts, Some(&mut dump));
    assert_eq!(s.inputs.len(), paths.len());
    let mut total = Counts::default();
    for i in &s.inputs {
        total.merge(&i.counts);
        if i.error.is_none() {
            assert!(
                !i.format.is_empty(),
                "{}: counted without a format",
                i.path.display()
            );
        }
    }
    assert!(
        total == s.total,
        "the total is not the sum of the inputs: {} vs {}",
        show(&total),
        show(&s.total)
    );
    let malformed: u64 = s.inputs.iter().map(|i| i.counts.malformed).sum();
    assert_eq!(
        dump.iter().filter(|&&b| b == b'\n').count() as u64,
        malformed,
        "the dump does not hold one line per malformed line"
    );
    (s, dump)
}

/// One input of a scan as compared across scans: everything but its name.
fn input_view(i: &InputSummary) -> (String, u64, Option<&String>, &str) {
    (
        show(&i.counts),
        i.bytes,
        i.error.as_ref(),
        i.format.as_str(),
    )
}

/// The series of `content` in UTC minutes, and its first and last time,
/// read line by line outside the engine: each request's and no-status
/// line's time read on its own, with a clock that has seen no other line.
fn series_by_line(ex: &AnyExtractor, content: &[u8]) -> (Series, Option<Stamp>, Option<Stamp>) {
    let mut ex = ex.clone();
    let mut s = Series::new(60, 0);
    let (mut first, mut last) = (None::<Stamp>, None::<Stamp>);
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let slot = match ex.classify(line) {
            Line::Status(c) if (c as usize) < SLOTS => c,
            Line::NoStatus => NO_STATUS as u16,
            _ => continue,
        };
        match ex.timestamp(line, &mut Clock::new(Zone::Fixed(0))) {
            Some(t) => {
                s.add(t.unix, slot, 1);
                first = Some(first.map_or(t, |f| f.min(t)));
                last = Some(last.map_or(t, |l| l.max(t)));
            }
            None => s.undated += 1,
        }
    }
    (s, first, last)
}

/// The whole input was counted: one bucket per line, every byte read.
fn counted_whole(i: &InputSummary, plain: &[u8]) {
    if i.error.is_none() {
        assert_eq!(
            i.counts.lines(),
            line_count(plain),
            "{}: lines lost or doubled",
            i.path.display()
        );
        assert_eq!(
            i.bytes,
            plain.len() as u64,
            "{}: bytes lost or doubled",
            i.path.display()
        );
    }
}

/// `plain` compressed with `codec`, in two members (frames, streams) cut at
/// `split` when it is not 0.
pub fn members(codec: Compression, plain: &[u8], split: usize) -> Vec<u8> {
    let one = |d: &[u8]| -> Vec<u8> {
        match codec {
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(d).expect("to memory");
                e.finish().expect("to memory")
            }
            Compression::Zstd => zstd::encode_all(d, 1).expect("to memory"),
            Compression::Xz => {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 0);
                e.write_all(d).expect("to memory");
                e.finish().expect("to memory")
            }
            Compression::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(d).expect("to memory");
                e.finish().expect("to memory")
            }
        }
    };
    if split == 0 || plain.is_empty() {
        return one(plain);
    }
    let (a, b) = plain.split_at(split % plain.len());
    let mut out = one(a);
    out.extend(one(b));
    out
}

/// `compressed`: byte 0 bit 0 clear: the rest is a file as it is (told by
/// its magic number, whatever its name); set: the rest is compressed with
/// gzip, zstd, xz or bzip2 (bits 1-2), in two members, frames or streams
/// when byte 1 is not 0, followed by four zero bytes when bit 3 is set, and
/// that is the file. Either way the scan never panics and its totals add up.
/// A compressed input counts exactly what the same bytes uncompressed count;
/// zeros after the last member are padding to gzip, xz and bzip2 and an
/// error to zstd, as their own tools read them; a gzip file that cannot be
/// decompressed in full says so.
pub fn compressed(data: &[u8]) {
    let [mode, split, rest @ ..] = data else {
        return;
    };
    let opts = ScanOptions {
        threads: 1,
        ..ScanOptions::default()
    };
    let mut refused = false;
    let (file, plain) = if mode & 1 == 0 {
        let file = data[1..].to_vec();
        let plain = if file.starts_with(&GZIP_MAGIC) {
            let mut out = Vec::new();
            match flate2::read::MultiGzDecoder::new(&file[..]).read_to_end(&mut out) {
                Ok(_) => Some(out),
                Err(_) => None,
            }
        } else if input::sniff(&file, true) == Sniff::Plain {
            Some(file.clone())
        } else {
            // Another compression: no reference decoder here, so only "no
            // panic" and the totals are checked.
            let f = TempFile::new(&file);
            scan_dump(&[f.path().to_path_buf()], &opts);
            return;
        };
        (file, plain)
    } else {
        let codec = [
            Compression::Gzip,
            Compression::Zstd,
            Compression::Xz,
            Compression::Bzip2,
        ][(*mode as usize >> 1) & 3];
        let mut file = members(codec, rest, *split as usize);
        if mode & 8 != 0 {
            file.extend_from_slice(&[0; 4]);
            refused = codec == Compression::Zstd;
        }
        (file, Some(rest.to_vec()))
    };
    let f = TempFile::new(&file);
    let (s, _) = scan_dump(&[f.path().to_path_buf()], &opts);
    let got = &s.inputs[0];
    let Some(plain) = plain else {
        assert!(
            got.error.is_some(),
            "a corrupt gzip input was read without an error"
        );
        return;
    };
    if refused {
        assert!(
            got.error.is_some(),
            "zeros after a zstd frame were read without an error"
        );
        return;
    }
    if input::sniff(&plain, true) != Sniff::Plain {
        // Read as compressed once more when written out uncompressed.
        return;
    }
    counted_whole(got, &plain);
    let p = TempFile::new(&plain);
    let (want, _) = scan_dump(&[p.path().to_path_buf()], &opts);
    assert_eq!(
        input_view(&want.inputs[0]),
        input_view(got),
        "compressed and uncompressed inputs differ"
    );
}

/// `scan_chunks`: bytes 0-1 pick a chunk size of 1-4096 bytes, byte 2 the
/// threads (1-3), byte 3 the format (auto or a forced preset), byte 4 bit 0
/// whether to also scan it gzip-compressed; the rest is a file. Scanned with
/// that chunk size and those threads, once and twice over (two inputs), it
/// gives what one thread and the default chunk size give: counts, bytes,
/// format, errors, malformed examples with their line numbers, and the
/// dump; and a compressed copy, read as a stream, gives the same.
pub fn scan_chunks(data: &[u8]) {
    let [c0, c1, threads, pick, flags, content @ ..] = data else {
        return;
    };
    let chunk = u16::from_le_bytes([*c0, *c1]) as usize % 4096 + 1;
    let format = match *pick as usize % (PRESETS.len() + 1) {
        0 => FormatChoice::Auto,
        n => FormatChoice::Fixed(Format::of(&PRESETS[n - 1])),
    };
    let base = ScanOptions {
        threads: 1,
        chunk_size: DEFAULT_CHUNK,
        format: format.clone(),
        ..ScanOptions::default()
    };
    let small = ScanOptions {
        threads: 1 + *threads as usize % 3,
        chunk_size: chunk,
        format,
        ..ScanOptions::default()
    };
    if input::sniff(content, true) != Sniff::Plain {
        // A compressed file is a stream; the `compressed` target covers it.
        return;
    }
    let f = TempFile::new(content);
    let path = f.path().to_path_buf();
    let (want, want_dump) = scan_dump(std::slice::from_ref(&path), &base);
    counted_whole(&want.inputs[0], content);
    let (got, got_dump) = scan_dump(std::slice::from_ref(&path), &small);
    let what = format!("chunk size {chunk}, {} threads", small.threads);
    assert_eq!(
        input_view(&want.inputs[0]),
        input_view(&got.inputs[0]),
        "{what}"
    );
    assert_eq!(want.examples, got.examples, "{what}: examples differ");
    assert!(want_dump == got_dump, "{what}: dumps differ");

    let (twice, twice_dump) = scan_dump(&[path.clone(), path], &small);
    for i in &twice.inputs {
        assert_eq!(
            input_view(&want.inputs[0]),
            input_view(i),
            "{what}, two inputs"
        );
    }
    assert_eq!(
        twice.examples,
        [&want.examples[..], &want.examples[..]].concat(),
        "{what}, two inputs: examples differ"
    );
    // Compared as sorted lines: the dump keeps each input's lines in order,
    // but with several workers the inputs' lines interleave in the order
    // their chunks finish; checking the whole order would stop every run at
    // that first difference.
    fn sorted(d: &[u8]) -> Vec<&[u8]> {
        let mut l: Vec<&[u8]> = d.split_inclusive(|&b| b == b'\n').collect();
        l.sort_unstable();
        l
    }
    assert!(
        sorted(&twice_dump) == sorted(&[&want_dump[..], &want_dump[..]].concat()),
        "{what}, two inputs: dumps differ"
    );

    // With time work (`--by 1m`, and `--last 90s` with bit 2): the same
    // counts, intervals and first and last times for any chunking and
    // thread count, whichever lines a minute's run books or decides.
    if flags & 2 != 0 {
        let time = scan::TimeOptions {
            last: (flags & 4 != 0).then_some(90),
            tz: Some(0),
            ..Default::default()
        };
        let timed = |o: &ScanOptions| ScanOptions {
            series_step: Some(60),
            time: time.clone(),
            ..o.clone()
        };
        let path = f.path().to_path_buf();
        let (want, _) = scan_dump(std::slice::from_ref(&path), &timed(&base));
        counted_whole(&want.inputs[0], content);
        let (got, _) = scan_dump(std::slice::from_ref(&path), &timed(&small));
        let what = format!("{what}, --by 1m, flags {flags}");
        assert_eq!(
            input_view(&want.inputs[0]),
            input_view(&got.inputs[0]),
            "{what}"
        );
        assert_eq!(want.series, got.series, "{what}: series differ");
        let ends = |s: &Summary| (s.inputs[0].first, s.inputs[0].last);
        assert_eq!(ends(&want), ends(&got), "{what}: first or last differ");
        // Without a filter, each interval holds what reading every line on
        // its own, each time with a fresh clock, puts there.
        let sample = &content[..content.len().min(SAMPLE_BYTES)];
        if flags & 4 == 0
            && want.inputs[0].error.is_none()
            && let Ok(f) = base.format.resolve(sample, &base.format_options)
        {
            let (by_line, first, last) =
                series_by_line(&f.extractor(&base.format_options), content);
            assert_eq!(
                want.series.as_ref(),
                Some(&by_line),
                "{what}: series by line differ"
            );
            assert_eq!(
                ends(&want),
                (first, last),
                "{what}: first or last by line differ"
            );
        }
    }

    // A stream's format is detected from its first buffer, which a small
    // chunk size makes shorter than the sample a file gets, so auto can pick
    // another format or none; that difference would stop every run, so to
    // compare the counting the stream is given the format the file scan used.
    let sample = &content[..content.len().min(SAMPLE_BYTES)];
    let resolved = small.format.resolve(sample, &small.format_options);
    if flags & 1 != 0
        && let Ok(f) = resolved
    {
        let forced = ScanOptions {
            format: FormatChoice::Fixed(f),
            ..small.clone()
        };
        let gz = TempFile::new(&members(Compression::Gzip, content, 0));
        let (got, got_dump) = scan_dump(&[gz.path().to_path_buf()], &forced);
        let what = format!("{what}, gzip");
        assert_eq!(
            input_view(&want.inputs[0]),
            input_view(&got.inputs[0]),
            "{what}"
        );
        let lines = |s: &Summary| {
            s.examples
                .iter()
                .map(|e| (e.line, e.text.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(&want), lines(&got), "{what}: examples differ");
        assert!(want_dump == got_dump, "{what}: dumps differ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logstat::lines::{Extractor, Line, count_lines};
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// Reads the first byte of a line as a digit status; anything else is
    /// malformed. `Shape` says how its chunk loop goes wrong, if at all.
    #[derive(Clone)]
    struct Digit(Shape);

    #[derive(Clone, Copy, PartialEq)]
    enum Shape {
        Right,
        /// Forgets a last line that lacks its `\n`.
        DropsUnterminated,
        /// Books the first line of every chunk as malformed.
        ChunkStartMalformed,
    }

    impl Extractor for Digit {
        fn classify(&mut self, line: &[u8]) -> Line {
            match line[0] {
                b @ b'0'..=b'9' => Line::Status(u16::from(b - b'0') * 100),
                _ => Line::Malformed,
            }
        }

        fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
            match self.0 {
                Shape::Right => count_lines(self, chunk, sink),
                Shape::DropsUnterminated => {
                    let end = chunk.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                    count_lines(self, &chunk[..end], sink);
                    sink.lines = line_count(chunk);
                }
                Shape::ChunkStartMalformed => {
                    count_lines(self, chunk, sink);
                    if let Some(first) = chunk.split(|&b| b == b'\n').next()
                        && first.first().is_some_and(u8::is_ascii_digit)
                    {
                        sink.counts.codes[usize::from(first[0] - b'0') * 100] -= 1;
                        sink.counts.malformed += 1;
                    }
                }
            }
        }
    }

    fn holds(shape: Shape, data: &[u8]) -> bool {
        let proto = AnyExtractor::new(Digit(shape));
        catch_unwind(AssertUnwindSafe(|| check_extractor(&proto, data, 1))).is_ok()
    }

    #[test]
    fn a_right_chunk_loop_passes() {
        assert!(holds(Shape::Right, b"2\nx\n\n5\r\n4"));
    }

    #[test]
    fn a_lost_last_line_is_caught() {
        assert!(holds(Shape::DropsUnterminated, b"2\n5\n"));
        assert!(!holds(Shape::DropsUnterminated, b"2\n5"));
    }

    #[test]
    fn a_chunk_loop_that_books_other_than_classify_is_caught() {
        assert!(!holds(Shape::ChunkStartMalformed, b"2\n5\n4\n"));
    }

    #[test]
    fn line_count_counts_an_unterminated_last_line() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"\n"), 1);
        assert_eq!(line_count(b"a\nb"), 2);
        assert_eq!(line_count(b"a\nb\n"), 2);
    }
}
