//! The scan engine: line-aligned chunks counted in parallel.
//!
//! SKELETON: `Sink` and `count_lines` are final; the driver is being written.

use memchr::memchr_iter;

use crate::format::{Extractor, Line, is_blank};
use crate::summary::Counts;

/// How many malformed examples each chunk keeps (the report shows 3).
pub const EXAMPLES_PER_CHUNK: usize = 5;

/// Where the lines of one chunk are counted.
pub struct Sink<'a> {
    pub counts: &'a mut Counts,
    /// Lines seen in this chunk so far.
    pub lines: u64,
    /// The first few malformed lines: (0-based line index in the chunk, bytes).
    pub examples: Vec<(u64, Vec<u8>)>,
    /// Every malformed line verbatim, each followed by `\n`, when
    /// `--dump-malformed` asked for them.
    pub dump: Option<Vec<u8>>,
}

impl<'a> Sink<'a> {
    pub fn new(counts: &'a mut Counts, dump: bool) -> Self {
        Sink {
            counts,
            lines: 0,
            examples: Vec::new(),
            dump: dump.then(Vec::new),
        }
    }

    /// Books one classified line. Kept out of line for the rare buckets so the
    /// common `Status` path stays small.
    #[inline(always)]
    fn record(&mut self, kind: Line, line: &[u8], index: u64) {
        match kind {
            Line::Status(code) => match self.counts.codes.get_mut(code as usize) {
                Some(slot) => *slot += 1,
                None => self.malformed(line, index),
            },
            Line::NoStatus => self.counts.no_status += 1,
            Line::Skipped => self.counts.skipped += 1,
            Line::Malformed => self.malformed(line, index),
        }
    }

    #[cold]
    #[inline(never)]
    fn malformed(&mut self, line: &[u8], index: u64) {
        // A line of only spaces and tabs is blank whatever the format says.
        if is_blank(line) {
            self.counts.skipped += 1;
            return;
        }
        self.counts.malformed += 1;
        if self.examples.len() < EXAMPLES_PER_CHUNK {
            self.examples.push((index, line.to_vec()));
        }
        if let Some(d) = &mut self.dump {
            d.extend_from_slice(line);
            d.push(b'\n');
        }
    }
}

/// Counts every line of `chunk`. The chunk holds whole lines; only the last
/// chunk of an input may end without `\n`, and that last line still counts.
///
/// Newlines are found in batches first and lines classified afterwards: a
/// tight SIMD search followed by independent per-line parses runs several
/// times faster than alternating one search with one parse.
#[inline]
pub fn count_lines<E: Extractor>(ex: &mut E, chunk: &[u8], sink: &mut Sink) {
    const BATCH: usize = 256;
    let mut ends = [0usize; BATCH];
    let mut start = 0usize;
    let mut index = sink.lines;
    let mut it = memchr_iter(b'\n', chunk);
    loop {
        let mut n = 0;
        for e in it.by_ref() {
            ends[n] = e;
            n += 1;
            if n == BATCH {
                break;
            }
        }
        for &end in &ends[..n] {
            let line = &chunk[start..end];
            start = end + 1;
            classify_one(ex, line, sink, index);
            index += 1;
        }
        if n < BATCH {
            break;
        }
    }
    if start < chunk.len() {
        classify_one(ex, &chunk[start..], sink, index);
        index += 1;
    }
    sink.lines = index;
}

#[inline(always)]
fn classify_one<E: Extractor>(ex: &mut E, line: &[u8], sink: &mut Sink, index: u64) {
    let line = match line.split_last() {
        Some((b'\r', rest)) => rest,
        _ => line,
    };
    if line.is_empty() {
        sink.counts.skipped += 1;
        return;
    }
    let kind = ex.classify(line);
    sink.record(kind, line, index);
}

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::format::{FormatChoice, FormatOptions};
use crate::summary::{InputSummary, MalformedExample, Summary};

/// How to scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Worker threads; 0 means all cores.
    pub threads: usize,
    /// Bytes per chunk; 0 means the default.
    pub chunk_size: usize,
    pub format: FormatChoice,
    pub format_options: FormatOptions,
    /// Bytes read so far, over all inputs, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
}

/// Display name of an input path: `-` is stdin.
pub fn display_name(p: &std::path::Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        p.display().to_string()
    }
}

/// TEMPORARY driver (reads each input whole); replaced by the chunked engine.
pub fn scan(
    paths: &[PathBuf],
    opts: &ScanOptions,
    mut dump: Option<&mut (dyn Write + Send)>,
) -> Summary {
    let start = Instant::now();
    let mut inputs = Vec::new();
    let mut examples = Vec::new();
    let default_stdin = [PathBuf::from("-")];
    let paths = if paths.is_empty() {
        &default_stdin[..]
    } else {
        paths
    };
    for p in paths {
        let mut inp = InputSummary {
            path: display_name(p),
            ..Default::default()
        };
        let mut data = Vec::new();
        let r = if p.as_os_str() == "-" {
            std::io::stdin().read_to_end(&mut data)
        } else {
            std::fs::File::open(p).and_then(|mut f| f.read_to_end(&mut data))
        };
        if let Err(e) = r {
            inp.error = Some(e.to_string());
            inputs.push(inp);
            continue;
        }
        if data.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            if let Err(e) = flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut out) {
                inp.error = Some(e.to_string());
            }
            data = out;
        }
        let format = match &opts.format {
            FormatChoice::Fixed(f) => f.clone(),
            FormatChoice::Auto => {
                match crate::format::detect(&data[..data.len().min(65536)], &opts.format_options) {
                    Ok(f) => f,
                    Err(e) => {
                        inp.error = Some(e.to_string());
                        inputs.push(inp);
                        continue;
                    }
                }
            }
        };
        inp.format = format.name().to_string();
        inp.bytes = data.len() as u64;
        let mut ex = format.extractor(&opts.format_options);
        let mut counts = crate::summary::Counts::default();
        let mut sink = Sink::new(&mut counts, dump.is_some());
        ex.count(&data, &mut sink);
        for (i, text) in sink.examples.drain(..) {
            examples.push(MalformedExample {
                path: inp.path.clone(),
                line: i + 1,
                text,
            });
        }
        if let (Some(d), Some(w)) = (sink.dump.take(), dump.as_mut()) {
            let _ = w.write_all(&d);
        }
        inp.counts = counts;
        inputs.push(inp);
    }
    Summary::from_inputs(inputs, examples, start.elapsed())
}
