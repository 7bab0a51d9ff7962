//! The scan engine against a plain line-by-line reference: the same counts
//! and the same malformed examples (with line numbers) for every thread count
//! and chunk size, whatever the bytes.

use std::io::Write;
use std::path::PathBuf;

use logstat::format::clf::Clf;
use logstat::format::{Format, FormatChoice};
use logstat::lines::{Extractor, Line, is_blank};
use logstat::scan::{DEFAULT_MAX_LINE, EXAMPLE_BYTES, ScanOptions, scan};
use logstat::summary::Counts;
use proptest::prelude::*;

/// The obvious, slow way: split on `\n`, call a line longer than `max` bytes
/// malformed, drop one `\r`, classify.
fn reference(data: &[u8], max: usize) -> (Counts, Vec<u64>) {
    let mut c = Counts::default();
    let mut malformed_lines = Vec::new();
    if data.is_empty() {
        return (c, malformed_lines);
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if line.len() > max {
            c.malformed += 1;
            malformed_lines.push(i as u64 + 1);
            continue;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if is_blank(line) {
            c.skipped += 1;
            continue;
        }
        match Clf.classify(line) {
            Line::Status(code) => c.codes[code as usize] += 1,
            Line::NoStatus => c.no_status += 1,
            Line::Skipped | Line::Blank | Line::NotRequest => c.skipped += 1,
            Line::Malformed => {
                c.malformed += 1;
                malformed_lines.push(i as u64 + 1);
            }
        }
    }
    (c, malformed_lines)
}

fn write_temp(data: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(data).unwrap();
    f.flush().unwrap();
    f
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The ways an input can come: plain, or compressed by each format logstat
/// decodes.
const CODECS: [&str; 5] = ["plain", "gzip", "zstd", "xz", "bzip2"];

/// `data` as `codec` writes it, in two members (frames, streams) cut at
/// `split`, as `cat a.zst b.zst` makes them.
fn compress(codec: &str, data: &[u8], split: usize) -> Vec<u8> {
    fn one(codec: &str, data: &[u8]) -> Vec<u8> {
        match codec {
            "gzip" => gzip(data),
            "zstd" => zstd::encode_all(data, 1).unwrap(),
            "xz" => {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            "bzip2" => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            _ => unreachable!("{codec}"),
        }
    }
    if codec == "plain" {
        return data.to_vec();
    }
    let (a, b) = data.split_at(split.min(data.len()));
    [one(codec, a), one(codec, b)].concat()
}

fn opts(threads: usize, chunk: usize) -> ScanOptions {
    ScanOptions {
        threads,
        chunk_size: chunk,
        format: FormatChoice::Fixed(Format::from_name("combined").unwrap()),
        ..Default::default()
    }
}

fn capped(threads: usize, chunk: usize, max_line: usize) -> ScanOptions {
    ScanOptions {
        max_line,
        ..opts(threads, chunk)
    }
}

const NO_CAP: usize = usize::MAX;

/// One generated line: mostly valid combined lines with assorted statuses and
/// awkward requests, plus garbage, blanks, CRLF and control bytes.
fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        Just("200".to_string()),
        Just("404".to_string()),
        Just("000".to_string()),
        Just("-".to_string()),
        Just("1000".to_string()),
        Just("abc".to_string()),
        (0u16..1000).prop_map(|c| c.to_string()),
    ];
    let request = prop_oneof![
        Just("GET / HTTP/1.1".to_string()),
        Just("-".to_string()),
        Just(String::new()),
        Just(r#"GET /a\"b\\ HTTP/1.1"#.to_string()),
        Just(r"\x16\x03\x01\x00".to_string()),
        "[ -~]{0,40}".prop_map(|s| s.replace('"', "")),
    ];
    let client = prop_oneof![
        Just("1.2.3.4".to_string()),
        Just("::1".to_string()),
        Just("".to_string()),
        Just("example.com:443 10.0.0.1".to_string()),
    ];
    let valid = (client, request, status, any::<bool>()).prop_map(|(c, r, s, crlf)| {
        let mut l =
            format!(r#"{c} - - [10/Oct/2000:13:55:36 -0700] "{r}" {s} 12 "-" "ua""#).into_bytes();
        if crlf {
            l.push(b'\r');
        }
        l
    });
    let garbage = prop::collection::vec(any::<u8>(), 0..120)
        .prop_map(|v| v.into_iter().filter(|&b| b != b'\n').collect::<Vec<u8>>());
    // Long enough to pass the small line limits the tests set, in chunks
    // of every size: a valid line made long (whose status a format would
    // read off its start), a long run of blanks, a long run of anything.
    let long = prop_oneof![
        (50usize..400).prop_map(|n| format!(
            r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /{} HTTP/1.1" 200 1 "-" "ua""#,
            "a".repeat(n)
        )
        .into_bytes()),
        (50usize..400).prop_map(|n| vec![b' '; n]),
        prop::collection::vec(any::<u8>(), 50..400)
            .prop_map(|v| v.into_iter().filter(|&b| b != b'\n').collect::<Vec<u8>>()),
    ];
    prop_oneof![
        6 => valid,
        2 => garbage,
        1 => Just(Vec::new()),
        1 => Just(b" \t".to_vec()),
        1 => long,
    ]
}

fn log_strategy() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(line_strategy(), 0..80), any::<bool>()).prop_map(|(lines, last_nl)| {
        let mut out = lines.join(&b'\n');
        if last_nl && !out.is_empty() {
            out.push(b'\n');
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn engine_equals_reference(
        data in log_strategy(),
        threads in 1usize..5,
        chunk in 1usize..300,
        codec in prop::sample::select(&CODECS[..]),
        split in 0usize..4000,
        max in prop_oneof![Just(NO_CAP), 1usize..500],
    ) {
        // Compressed inputs take the stream path (one reader, recycled
        // buffers), plain files the pread path; both must agree with the
        // reference, also when lines past the limit run across chunks of
        // any size, and across the members of a compressed input.
        let f = write_temp(&compress(codec, &data, split));
        let (want, want_malformed) = reference(&data, max);
        let s = scan(&[f.path().to_path_buf()], &capped(threads, chunk, max), None);
        prop_assert_eq!(s.inputs[0].bytes, data.len() as u64);
        prop_assert!(s.inputs[0].error.is_none());
        prop_assert_eq!(&s.total, &want);
        let got_lines: Vec<u64> = s.examples.iter().map(|e| e.line).collect();
        let n = want_malformed.len().min(got_lines.len());
        prop_assert_eq!(&got_lines[..], &want_malformed[..n]);
        prop_assert_eq!(got_lines.len(), want_malformed.len().min(logstat::scan::EXAMPLES_PER_INPUT));
    }

    #[test]
    fn dump_holds_every_malformed_line_in_order(
        data in log_strategy(),
        threads in 1usize..4,
        chunk in 1usize..200,
        max in prop_oneof![Just(NO_CAP), 1usize..500],
        codec in prop::sample::select(&CODECS[..]),
        split in 0usize..4000,
    ) {
        let f = write_temp(&compress(codec, &data, split));
        let (want, want_malformed) = reference(&data, max);
        let mut dump = Vec::new();
        let s = scan(&[f.path().to_path_buf()], &capped(threads, chunk, max), Some(&mut dump));
        prop_assert_eq!(s.total.malformed, want.malformed);
        let body = data.strip_suffix(b"\n").unwrap_or(&data);
        let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let mut expect = Vec::new();
        for n in want_malformed {
            let l = lines[n as usize - 1];
            // A line past the limit is dumped cut to it.
            let l = if l.len() > max { &l[..max] } else { l.strip_suffix(b"\r").unwrap_or(l) };
            expect.extend_from_slice(l);
            expect.push(b'\n');
        }
        prop_assert_eq!(dump, expect);
        // Examples keep a line's start (cut to the limit when past it),
        // never more than EXAMPLE_BYTES.
        for e in &s.examples {
            let l = lines[e.line as usize - 1];
            let l = if l.len() > max { &l[..max] } else { l.strip_suffix(b"\r").unwrap_or(l) };
            prop_assert_eq!(&e.text[..], &l[..l.len().min(EXAMPLE_BYTES)]);
        }
    }
}

#[test]
fn several_files_are_summed_and_kept_apart() {
    let a = write_temp(b"h - - [t] \"GET /\" 200 1\nh - - [t] \"GET /\" 503 1\n");
    let b = write_temp(b"garbage\nh - - [t] \"GET /\" 200 1");
    let paths: Vec<PathBuf> = vec![a.path().into(), b.path().into()];
    for threads in [1, 2, 7] {
        let s = scan(&paths, &opts(threads, 5), None);
        assert_eq!(s.inputs.len(), 2);
        assert_eq!(s.inputs[0].counts.requests(), 2);
        assert_eq!(s.inputs[1].counts.requests(), 1);
        assert_eq!(s.inputs[1].counts.malformed, 1);
        assert_eq!(s.total.codes[200], 2);
        assert_eq!(s.total.codes[503], 1);
        assert_eq!(s.total.lines(), 4);
        assert_eq!(s.examples.len(), 1);
        assert_eq!(s.examples[0].line, 1);
        assert_eq!(s.examples[0].path, b.path());
    }
}

#[test]
fn a_line_of_several_megabytes_counts_once() {
    let mut data = b"h - - [t] \"GET /".to_vec();
    data.extend(std::iter::repeat_n(b'a', 5 << 20));
    data.extend_from_slice(b"\" 414 0\nh - - [t] \"GET /\" 200 1\n");
    let f = write_temp(&data);
    for chunk in [0, 4096, 1 << 20] {
        let s = scan(&[f.path().to_path_buf()], &capped(2, chunk, 8 << 20), None);
        assert_eq!(s.total.codes[414], 1, "chunk {chunk}");
        assert_eq!(s.total.codes[200], 1);
        assert_eq!(s.total.lines(), 2);
    }
}

/// Past the default limit (1 MiB) a line is one malformed line, shown by its
/// start, whatever the path it is read by; the lines after it keep their
/// numbers and are counted.
#[test]
fn a_line_past_the_limit_is_one_malformed_line_shown_by_its_start() {
    let mut data = b"h - - [t] \"GET /\" 200 1\nh - - [t] \"GET /".to_vec();
    data.extend(std::iter::repeat_n(b'a', 3 << 20));
    data.extend_from_slice(b"\" 414 0\nh - - [t] \"GET /\" 503 1\nbad\n");
    for gz in [false, true] {
        let f = if gz {
            write_temp(&gzip(&data))
        } else {
            write_temp(&data)
        };
        for (threads, chunk) in [(1, 0), (2, 4096), (3, 1 << 20), (2, 3 << 20)] {
            let mut dump = Vec::new();
            let s = scan(
                &[f.path().to_path_buf()],
                &opts(threads, chunk),
                Some(&mut dump),
            );
            let at = format!("gz {gz} threads {threads} chunk {chunk}");
            assert!(s.inputs[0].error.is_none(), "{at}: {:?}", s.inputs[0].error);
            assert_eq!(s.total.codes[414], 0, "{at}");
            assert_eq!(s.total.codes[200], 1, "{at}");
            assert_eq!(s.total.codes[503], 1, "{at}");
            assert_eq!(s.total.malformed, 2, "{at}");
            assert_eq!(s.total.lines(), 4, "{at}");
            assert_eq!(s.inputs[0].bytes, data.len() as u64, "{at}");
            let lines: Vec<u64> = s.examples.iter().map(|e| e.line).collect();
            assert_eq!(lines, [2, 4], "{at}");
            assert!(b"h - - [t] \"GET /aaaa".starts_with(&s.examples[0].text[..20]));
            assert_eq!(s.examples[0].text.len(), EXAMPLE_BYTES, "{at}");
            // The dump has the line cut to the limit.
            assert_eq!(dump.len(), DEFAULT_MAX_LINE + 1 + b"bad\n".len(), "{at}");
            assert_eq!(&dump[..DEFAULT_MAX_LINE], &data[24..24 + DEFAULT_MAX_LINE]);
        }
    }
}

#[test]
fn gzip_members_concatenated_are_one_log() {
    let mut all = Vec::new();
    for part in [
        &b"h - - [t] \"GET /\" 200 1\n"[..],
        b"h - - [t] \"GET /\" 404 1\nbad\n",
    ] {
        all.extend(gzip(part));
    }
    // No .gz suffix: recognised by content.
    let f = write_temp(&all);
    let s = scan(&[f.path().to_path_buf()], &opts(2, 8), None);
    assert!(s.inputs[0].error.is_none(), "{:?}", s.inputs[0].error);
    assert_eq!(s.total.codes[200], 1);
    assert_eq!(s.total.codes[404], 1);
    assert_eq!(s.total.malformed, 1);
    assert_eq!(s.examples[0].line, 3);
}

#[test]
fn unreadable_inputs_are_named_and_others_still_counted() {
    let good = write_temp(b"h - - [t] \"GET /\" 200 1\n");
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = vec![
        dir.path().join("missing.log"),
        dir.path().to_path_buf(),
        good.path().into(),
    ];
    let s = scan(&paths, &opts(2, 0), None);
    assert!(
        s.inputs[0]
            .error
            .as_deref()
            .unwrap()
            .contains("No such file")
    );
    assert!(s.inputs[1].error.as_deref().unwrap().contains("directory"));
    assert!(s.inputs[2].error.is_none());
    assert_eq!(s.total.requests(), 1);
    assert!(s.has_errors());
}

#[test]
fn a_file_that_is_not_a_log_is_refused_not_guessed() {
    let f = write_temp(b"\x00\x01binary\xff\nnothing here\n");
    let o = ScanOptions::default();
    let s = scan(&[f.path().to_path_buf()], &o, None);
    assert!(
        s.inputs[0]
            .error
            .as_deref()
            .unwrap()
            .contains("--log-format")
    );
    assert_eq!(s.total.lines(), 0);
}

#[test]
fn empty_input_is_an_empty_report() {
    let f = write_temp(b"");
    let s = scan(&[f.path().to_path_buf()], &ScanOptions::default(), None);
    assert!(s.inputs[0].error.is_none());
    assert_eq!(s.total.lines(), 0);
}

#[test]
fn a_cancelled_scan_reads_nothing_and_says_so() {
    let f = write_temp(b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1\n");
    let o = ScanOptions::default();
    o.cancel.cancel();
    let s = scan(&[f.path().to_path_buf()], &o, None);
    assert_eq!(s.total.lines(), 0);
    assert!(
        s.inputs[0]
            .error
            .as_deref()
            .unwrap()
            .contains("interrupted"),
        "{:?}",
        s.inputs[0].error
    );
}

/// A stream that never ends is stopped by its scan's own flag, from another
/// thread, and what was read is still counted.
#[cfg(unix)]
#[test]
fn cancelling_stops_an_endless_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("endless");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut w = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let line = b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1\n";
            // Ends when the reader goes away (EPIPE).
            while w.write_all(line).is_ok() {}
        })
    };
    let o = ScanOptions::default();
    let cancel = o.cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        cancel.cancel();
    });
    let s = scan(&[fifo], &o, None);
    stopper.join().unwrap();
    writer.join().unwrap();
    assert!(
        s.inputs[0]
            .error
            .as_deref()
            .unwrap()
            .contains("interrupted"),
        "{:?}",
        s.inputs[0].error
    );
    assert!(s.total.requests() > 0);
    assert_eq!(s.total.requests(), s.total.codes[200]);
}

/// A dump that truncates `path` the first time it is written to: the scan
/// folds a chunk's malformed lines into the dump before, with one thread, it
/// reads the next chunk, so the file shrinks at a known point of the scan.
struct TruncateOnFirstWrite {
    path: PathBuf,
    to: u64,
    done: bool,
}

impl Write for TruncateOnFirstWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.done {
            self.done = true;
            std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)?
                .set_len(self.to)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file cut short while read (logrotate `copytruncate`) is counted as far
/// as it was read and named as shrunk, by byte ranges and, for a sequential
/// format, read front to back.
#[test]
fn a_file_that_shrinks_while_read_says_so() {
    let combined = "h - - [t] \"GET /\" 200 1\nbad\n".repeat(2000);
    let w3c = format!(
        "#Fields: date time cs-method cs-uri-stem sc-status\n{}",
        "2024-03-12 08:00:01 GET / 200\nbad\n".repeat(2000)
    );
    for (format, data) in [("combined", combined), ("w3c", w3c)] {
        let f = write_temp(data.as_bytes());
        let mut dump = TruncateOnFirstWrite {
            path: f.path().to_path_buf(),
            to: 10,
            done: false,
        };
        let o = ScanOptions {
            threads: 1,
            chunk_size: 4096,
            format: FormatChoice::Fixed(Format::from_name(format).unwrap()),
            ..Default::default()
        };
        let s = scan(&[f.path().to_path_buf()], &o, Some(&mut dump));
        let err = s.inputs[0].error.as_deref().unwrap_or_default();
        let want = format!("shrank from {} to 10 bytes while being read", data.len());
        assert!(err.starts_with(&want), "{format}: {err}");
        assert!(s.total.requests() > 0, "{format}");
        assert!(s.inputs[0].bytes < data.len() as u64, "{format}");
    }
}

/// A dump that notes, at every write, how many files the process has open;
/// its first write takes two seconds, holding the workers back meanwhile, so
/// files would pile up open if nothing else held them back.
#[cfg(target_os = "linux")]
struct CountOpenFiles {
    most: usize,
    writes: usize,
}

#[cfg(target_os = "linux")]
impl Write for CountOpenFiles {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.writes == 0 {
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        self.writes += 1;
        let open = std::fs::read_dir("/proc/self/fd")?.count();
        self.most = self.most.max(open);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Files are opened in turn, a few at a time, whether their chunks go to the
/// workers or, gzip, to a reader thread each; counted each on its own.
#[cfg(target_os = "linux")]
#[test]
fn only_a_few_inputs_are_open_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..200 {
        let p = dir.path().join(format!("{i}.log"));
        let data = "h - - [t] \"GET /\" 200 1\nbad\n".repeat(i % 5 + 1);
        // Mostly gzip: nothing but the budget holds those back, as their
        // readers, not the thread opening them, wait for the workers.
        let data = if i % 10 != 0 {
            gzip(data.as_bytes())
        } else {
            data.into_bytes()
        };
        std::fs::write(&p, data).unwrap();
        paths.push(p);
    }
    let before = std::fs::read_dir("/proc/self/fd").unwrap().count();
    let mut dump = CountOpenFiles { most: 0, writes: 0 };
    let s = scan(&paths, &opts(2, 0), Some(&mut dump));
    for (i, input) in s.inputs.iter().enumerate() {
        assert!(input.error.is_none(), "{i}: {:?}", input.error);
        assert_eq!(input.counts.codes[200], i as u64 % 5 + 1);
    }
    // Other tests of this binary open files meanwhile: a margin for them
    // (without the budget, dozens pile up).
    assert!(
        dump.most < before + 20,
        "{} open, {before} before",
        dump.most
    );
}
