//! The scan engine against a plain line-by-line reference: the same counts
//! and the same malformed examples (with line numbers) for every thread count
//! and chunk size, whatever the bytes.

use std::io::Write;
use std::path::PathBuf;

use logstat::format::clf::Clf;
use logstat::format::{Format, FormatChoice};
use logstat::lines::{Extractor, Line, is_blank};
use logstat::scan::{ScanOptions, scan};
use logstat::summary::Counts;
use proptest::prelude::*;

/// The obvious, slow way: split on `\n`, drop one `\r`, classify.
fn reference(data: &[u8]) -> (Counts, Vec<u64>) {
    let mut c = Counts::default();
    let mut malformed_lines = Vec::new();
    if data.is_empty() {
        return (c, malformed_lines);
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
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

fn opts(threads: usize, chunk: usize) -> ScanOptions {
    ScanOptions {
        threads,
        chunk_size: chunk,
        format: FormatChoice::Fixed(Format::from_name("combined").unwrap()),
        ..Default::default()
    }
}

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
    prop_oneof![
        6 => valid,
        2 => garbage,
        1 => Just(Vec::new()),
        1 => Just(b" \t".to_vec()),
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
    fn engine_equals_reference(data in log_strategy(), threads in 1usize..5, chunk in 1usize..300, gz in any::<bool>()) {
        // gzip takes the stream path (one reader, recycled buffers), plain
        // files the pread path; both must agree with the reference.
        let f = if gz { write_temp(&gzip(&data)) } else { write_temp(&data) };
        let (want, want_malformed) = reference(&data);
        let s = scan(&[f.path().to_path_buf()], &opts(threads, chunk), None);
        prop_assert!(s.inputs[0].error.is_none());
        prop_assert_eq!(&s.total, &want);
        let got_lines: Vec<u64> = s.examples.iter().map(|e| e.line).collect();
        let n = want_malformed.len().min(got_lines.len());
        prop_assert_eq!(&got_lines[..], &want_malformed[..n]);
        prop_assert_eq!(got_lines.len(), want_malformed.len().min(logstat::scan::EXAMPLES_PER_INPUT));
    }

    #[test]
    fn dump_holds_every_malformed_line_in_order(data in log_strategy(), threads in 1usize..4, chunk in 1usize..200) {
        let f = write_temp(&data);
        let (want, want_malformed) = reference(&data);
        let mut dump = Vec::new();
        let s = scan(&[f.path().to_path_buf()], &opts(threads, chunk), Some(&mut dump));
        prop_assert_eq!(s.total.malformed, want.malformed);
        let body = data.strip_suffix(b"\n").unwrap_or(&data);
        let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let mut expect = Vec::new();
        for n in want_malformed {
            let l = lines[n as usize - 1];
            expect.extend_from_slice(l.strip_suffix(b"\r").unwrap_or(l));
            expect.push(b'\n');
        }
        prop_assert_eq!(dump, expect);
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
        let s = scan(&[f.path().to_path_buf()], &opts(2, chunk), None);
        assert_eq!(s.total.codes[414], 1, "chunk {chunk}");
        assert_eq!(s.total.codes[200], 1);
        assert_eq!(s.total.lines(), 2);
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
