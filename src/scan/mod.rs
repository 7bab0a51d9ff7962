//! The scan engine: inputs counted in line-aligned chunks, in parallel.
//!
//! The engine reads; formats read lines. For each input it takes a sample of
//! the first bytes, resolves the format ([`FormatChoice::resolve`]) and then
//! hands whole-line chunks to the format's extractor through the per-chunk
//! contract of [`crate::lines`]. Its jobs, one file each:
//!
//! - [`ranged`]: regular files cut into fixed byte ranges that each worker
//!   `pread`s itself;
//! - [`stream`]: stdin, pipes, gzip and sequential formats, read front to
//!   back by one thread each into a small pool of recycled buffers;
//! - [`collect`]: each input's totals, with malformed examples and the dump
//!   folded in chunk order, so line numbers (and the `--dump-malformed` file)
//!   come out the same for every thread count and chunk size.
//!
//! Workers count into a private 1000-slot [`Counts`] per chunk and merge it
//! into their input's total once per chunk.
//!
//! Memory is bounded whatever the input: no buffer holds more than a chunk
//! plus one line, and a line is held only up to [`ScanOptions::max_line`]
//! bytes; past that it is counted as malformed ([`crate::lines::count_capped`]).

mod collect;
mod ranged;
mod stream;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::format::{FormatChoice, FormatOptions};
use crate::input::{self, Opened, read_at_full};
use crate::interrupt;
use crate::lines::Counts;
use crate::summary::{InputSummary, Summary};

pub use crate::interrupt::Cancel;
pub use crate::lines::{EXAMPLE_BYTES, EXAMPLES_PER_CHUNK};

use collect::{Collector, count_buffer};
use ranged::{Ranged, count_range};
use stream::{StreamJob, read_stream};

/// Default bytes per chunk: large enough that the kernel's per-read costs
/// (page-cache lookups) are spread over many lines, small enough that every
/// worker's buffer stays cheap and the inputs split evenly across cores. The
/// formats' window loops work through a chunk in cache-sized pieces anyway.
pub const DEFAULT_CHUNK: usize = 1024 * 1024;

/// Default longest line, in bytes. Far above any access log's lines (a few
/// hundred bytes, a few KiB with long query strings or cookies); what it
/// bounds is memory, which a line without an end (`/dev/zero`, a file of
/// zeros, a gzip bomb) would otherwise grow until the process dies.
pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;

/// The largest line length that may be asked for: every worker and stream
/// buffer may hold one such line.
pub const MAX_MAX_LINE: usize = 1024 * 1024 * 1024;

/// How much of an input's start is used to detect its format.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// How many malformed examples are kept per input.
pub const EXAMPLES_PER_INPUT: usize = 5;

/// How to scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Worker threads; 0 means all cores.
    pub threads: usize,
    /// Bytes per chunk; 0 means [`DEFAULT_CHUNK`].
    pub chunk_size: usize,
    pub format: FormatChoice,
    pub format_options: FormatOptions,
    /// Bytes read so far, over all inputs, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
    /// Stops the scan early: readers take it as the end of their input,
    /// workers stop taking chunks, and every input not read in full is
    /// reported as cut short.
    pub cancel: Cancel,
    /// Longest line, in bytes, handed to a format; 0 means
    /// [`DEFAULT_MAX_LINE`]. A longer line is counted as one malformed line
    /// whose example (and `--dump-malformed` entry) is its start, and only
    /// that start is ever held in memory.
    pub max_line: usize,
}

impl ScanOptions {
    fn threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    fn chunk(&self) -> usize {
        match self.chunk_size {
            0 => DEFAULT_CHUNK,
            n => n,
        }
    }

    fn max_line(&self) -> usize {
        match self.max_line {
            0 => DEFAULT_MAX_LINE,
            n => n.min(MAX_MAX_LINE),
        }
    }
}

/// Parses a line length for `--max-line-length`: bytes, or a number with a
/// `K`, `M` or `G` suffix (powers of 1024), from 1 to [`MAX_MAX_LINE`].
pub fn parse_line_length(s: &str) -> Result<usize, String> {
    const NOT_A_SIZE: &str = "not a size: give bytes, or a number with K, M or G (e.g. 4M)";
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let unit: usize = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(NOT_A_SIZE.into()),
    };
    let n: usize = digits.parse().map_err(|_| NOT_A_SIZE.to_string())?;
    match n.checked_mul(unit) {
        Some(b) if (1..=MAX_MAX_LINE).contains(&b) => Ok(b),
        _ => Err("out of range: a line length is 1 byte to 1G".into()),
    }
}

/// Display name of an input path: `-` is stdin.
pub fn display_name(p: &Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        p.display().to_string()
    }
}

/// What every worker shares.
struct Ctx<'a> {
    opts: &'a ScanOptions,
    chunk: usize,
    max_line: usize,
    collectors: Vec<Mutex<Collector>>,
    ranged: Vec<Ranged>,
    total_chunks: usize,
    next_chunk: AtomicUsize,
    jobs: Mutex<Receiver<StreamJob>>,
    dump: Mutex<Option<&'a mut (dyn Write + Send)>>,
    want_dump: bool,
}

impl Ctx<'_> {
    fn collector(&self, input: usize) -> std::sync::MutexGuard<'_, Collector> {
        self.collectors[input]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn progress(&self, bytes: u64) {
        if let Some(p) = &self.opts.progress {
            p.fetch_add(bytes, Ordering::Relaxed);
        }
    }
}

/// Counts every input and returns the summary. Inputs that cannot be read (or
/// whose format cannot be told) carry an `error`; the others are still counted.
/// `dump` receives every malformed line verbatim, each ended by `\n` (a line
/// longer than [`ScanOptions::max_line`] cut to that length).
pub fn scan<'a>(
    paths: &[PathBuf],
    opts: &'a ScanOptions,
    dump: Option<&'a mut (dyn Write + Send)>,
) -> Summary {
    let start = Instant::now();
    let stdin_only = [PathBuf::from("-")];
    let paths = if paths.is_empty() {
        &stdin_only[..]
    } else {
        paths
    };
    let chunk = opts.chunk().max(1);

    let mut collectors = Vec::with_capacity(paths.len());
    let mut ranged = Vec::new();
    let mut streams: Vec<(usize, Box<dyn Read + Send>)> = Vec::new();
    let mut total_chunks = 0usize;
    for (i, p) in paths.iter().enumerate() {
        let mut c = Collector::new(display_name(p));
        match input::open(p) {
            Err(e) => c.fail(input::describe(&e)),
            Ok(Opened::Stream(r)) => streams.push((i, r)),
            Ok(Opened::Ranged { file, size }) => {
                let mut sample = vec![0u8; SAMPLE_BYTES.min(size as usize)];
                match read_at_full(&file, &mut sample, 0) {
                    Err(e) => c.fail(input::describe(&e)),
                    Ok(n) => match opts.format.resolve(&sample[..n], &opts.format_options) {
                        Err(e) => c.fail(e.to_string()),
                        Ok(format) => {
                            let extractor = format.extractor(&opts.format_options);
                            c.format = Some(format);
                            if extractor.sequential() {
                                streams.push((i, Box::new(file)));
                            } else {
                                let chunks = size.div_ceil(chunk as u64) as usize;
                                c.chunks = Some(chunks as u64);
                                c.complete = chunks == 0;
                                ranged.push(Ranged {
                                    input: i,
                                    file,
                                    size,
                                    extractor,
                                    first_chunk: total_chunks,
                                    chunks,
                                });
                                total_chunks += chunks;
                            }
                        }
                    },
                }
            }
        }
        collectors.push(Mutex::new(c));
    }

    let threads = opts.threads();
    let (job_tx, job_rx) = sync_channel::<StreamJob>(threads * 2);
    let want_dump = dump.is_some();
    let ctx = Ctx {
        opts,
        chunk,
        max_line: opts.max_line(),
        collectors,
        ranged,
        total_chunks,
        next_chunk: AtomicUsize::new(0),
        jobs: Mutex::new(job_rx),
        dump: Mutex::new(dump),
        want_dump,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("logstat-worker-{i}"))
        .build();
    // Where Ctrl-C must land (see `interrupt`): in the readers, or here.
    if streams.is_empty() {
        interrupt::mask(false);
    }
    std::thread::scope(|s| {
        for (input, reader) in streams {
            let tx = job_tx.clone();
            let ctx = &ctx;
            s.spawn(move || {
                interrupt::mask(false);
                read_stream(ctx, input, reader, tx, threads)
            });
        }
        // Workers stop once the ranged chunks are done and every reader has
        // dropped its sender.
        drop(job_tx);
        match &pool {
            Ok(pool) => {
                pool.broadcast(|_| worker(&ctx));
            }
            // No pool (thread creation refused): count on this thread.
            Err(_) => worker(&ctx),
        }
    });

    let mut inputs = Vec::with_capacity(ctx.collectors.len());
    let mut examples = Vec::new();
    for c in ctx.collectors {
        let mut c = c.into_inner().unwrap_or_else(|e| e.into_inner());
        if !c.complete && c.error.is_none() {
            c.error = Some("interrupted: counted only what was read before Ctrl-C".into());
        }
        examples.extend(c.examples);
        inputs.push(InputSummary {
            path: c.name,
            format: c.format.map(|f| f.name().to_string()).unwrap_or_default(),
            counts: c.counts,
            bytes: c.bytes,
            error: c.error,
        });
    }
    Summary::from_inputs(inputs, examples, start.elapsed())
}

/// A worker: ranged chunks first (claimed in order through one atomic
/// counter, so chunks finish roughly in order and little is pending), then
/// stream buffers until every reader is done.
fn worker(ctx: &Ctx) {
    let mut counts = Counts::default();
    let mut buf = Vec::new();
    loop {
        let t = ctx.next_chunk.fetch_add(1, Ordering::Relaxed);
        if t < ctx.total_chunks && !ctx.opts.cancel.is_cancelled() {
            let r = ctx
                .ranged
                .partition_point(|r| r.first_chunk + r.chunks <= t);
            count_range(
                ctx,
                &ctx.ranged[r],
                t - ctx.ranged[r].first_chunk,
                &mut buf,
                &mut counts,
            );
            continue;
        }
        let job = {
            let rx = ctx.jobs.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok(mut job) = job else { break };
        let data = &job.buf[..job.len];
        let meta = count_buffer(
            &mut job.extractor,
            data,
            ctx.max_line,
            &mut counts,
            ctx.want_dump,
        );
        ctx.collector(job.input)
            .add(job.seq, &counts, job.bytes, meta, &ctx.dump);
        ctx.progress(job.bytes);
        counts.clear();
        // The reader may have finished already; then the buffer is just freed.
        let _ = job.recycle.try_send(std::mem::take(&mut job.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lengths_parse_with_units_and_refuse_nonsense() {
        assert_eq!(parse_line_length("4096"), Ok(4096));
        assert_eq!(parse_line_length("64k"), Ok(64 << 10));
        assert_eq!(parse_line_length("4M"), Ok(4 << 20));
        assert_eq!(parse_line_length("1GiB"), Ok(1 << 30));
        assert_eq!(parse_line_length("1"), Ok(1));
        for bad in [
            "0",
            "0M",
            "2G",
            "1025M",
            "",
            "M",
            "-1",
            "1.5M",
            "1T",
            "99999999999999999999",
        ] {
            assert!(parse_line_length(bad).is_err(), "{bad}");
        }
    }
}
