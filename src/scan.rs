//! The scan engine: line-aligned chunks counted in parallel.
//!
//! Regular files are cut into fixed byte ranges; each worker `pread`s its own
//! range (no data crosses cores, no single reader becomes the bottleneck) and
//! owns every line that *starts* in it, reading a little past its end to
//! finish the last one. Streams (stdin, pipes, gzip) and formats whose lines
//! depend on earlier lines (W3C `#Fields:`) are read front to back by one
//! reader thread each, which hands line-aligned buffers from a small recycled
//! pool to the workers, so memory stays constant however long the stream.
//!
//! Workers count into a private 1000-slot [`Counts`] per chunk and merge it
//! into their input's total once per chunk. Per-chunk line counts and
//! malformed examples are folded in chunk order, so line numbers (and the
//! `--dump-malformed` file) come out the same for every thread count and
//! chunk size.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::format::bytes::mask64;
use crate::format::{
    AnyExtractor, Extractor, Format, FormatChoice, FormatOptions, Line, detect, is_blank,
    json_with_well_known_key,
};
use crate::input::{self, Opened, read_at_full};
use crate::summary::{Counts, InputSummary, MalformedExample, Summary};

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
    pub(crate) fn record(&mut self, kind: Line, line: &[u8], index: u64) {
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
/// Newlines are found 64 bytes at a time as a bitmap ([`mask64`]) and popped
/// one bit per line, so finding a line end costs a few instructions rather
/// than a call into a SIMD search: access-log lines are short (60–300 bytes),
/// and `memchr_iter`'s per-call set-up was a fifth of the W3C extractor's
/// profile. (The issue's calibration experiment found alternating a whole
/// SIMD search with one parse several times slower than batching; a bitmap
/// of one block is cheaper still.) The CLF family has its own loop:
/// `clf::count_chunk`.
#[inline(always)]
pub fn count_lines<E: Extractor>(ex: &mut E, chunk: &[u8], sink: &mut Sink) {
    let mut index = sink.lines;
    let mut start = 0usize;
    let mut base = 0usize;
    let blocks = chunk.chunks_exact(64);
    let tail = blocks.remainder();
    for block in blocks {
        let block: &[u8; 64] = block.try_into().expect("chunks_exact(64)");
        let mut m = mask64(block, b'\n');
        while m != 0 {
            let end = base + m.trailing_zeros() as usize;
            m &= m - 1;
            classify_in(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
        base += 64;
    }
    for (i, &b) in tail.iter().enumerate() {
        if b == b'\n' {
            let end = base + i;
            classify_in(ex, chunk, start..end, sink, index);
            index += 1;
            start = end + 1;
        }
    }
    if start < chunk.len() {
        classify_in(ex, chunk, start..chunk.len(), sink, index);
        index += 1;
    }
    sink.lines = index;
}

/// The loop shared by extractors that turn each window of a chunk into
/// bitmaps before reading its lines (`clf::count_chunk`,
/// `custom::Custom::count_chunk`): cuts `chunk` into windows of whole lines
/// of at most `window` bytes and hands each to `each` with the running line
/// index; a line longer than a window is classified on its own by `ex`.
#[inline(always)]
pub(crate) fn for_each_window<E: Extractor>(
    ex: &mut E,
    chunk: &[u8],
    sink: &mut Sink,
    window: usize,
    mut each: impl FnMut(&mut E, &[u8], &mut Sink, &mut u64),
) {
    let mut index = sink.lines;
    let mut base = 0;
    while base < chunk.len() {
        let rest = &chunk[base..];
        let cut = if rest.len() <= window {
            Some(rest.len())
        } else {
            memchr::memrchr(b'\n', &rest[..window]).map(|p| p + 1)
        };
        match cut {
            Some(n) => {
                each(ex, &rest[..n], sink, &mut index);
                base += n;
            }
            None => {
                let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |p| p + 1);
                let line = &rest[..len];
                classify_one(ex, line.strip_suffix(b"\n").unwrap_or(line), sink, index);
                index += 1;
                base += len;
            }
        }
    }
    sink.lines = index;
}

/// The lines of a window, from its newline bitmap: `(start, end)` with the
/// `\n` and a `\r` before it left out (`start == end` for an empty line).
pub(crate) struct WindowLines<'a> {
    w: &'a [u8],
    newlines: &'a [u64],
    s: usize,
}

impl<'a> WindowLines<'a> {
    #[inline(always)]
    pub(crate) fn new(w: &'a [u8], newlines: &'a [u64]) -> Self {
        WindowLines { w, newlines, s: 0 }
    }
}

impl Iterator for WindowLines<'_> {
    type Item = (usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        let (w, s) = (self.w, self.s);
        if s >= w.len() {
            return None;
        }
        let nl = crate::format::bytes::next_bit(self.newlines, s).min(w.len());
        let mut e = nl;
        if e > s && w[e - 1] == b'\r' {
            e -= 1;
        }
        self.s = nl + 1;
        Some((s, e))
    }
}

#[inline(always)]
pub(crate) fn classify_one<E: Extractor>(ex: &mut E, line: &[u8], sink: &mut Sink, index: u64) {
    classify_in(ex, line, 0..line.len(), sink, index);
}

/// Classifies and records the line `chunk[span]`, which the extractor may
/// read on past ([`Extractor::classify_in`]): a trailing `\r` is not part of
/// the line, and an empty line is `skipped`.
#[inline(always)]
fn classify_in<E: Extractor>(
    ex: &mut E,
    chunk: &[u8],
    span: std::ops::Range<usize>,
    sink: &mut Sink,
    index: u64,
) {
    // In this order the second bounds check follows from the first.
    let line = &chunk[span.clone()];
    let rest = &chunk[span.start..];
    let line = match line.split_last() {
        Some((b'\r', body)) => body,
        _ => line,
    };
    if line.is_empty() {
        sink.counts.skipped += 1;
        return;
    }
    let kind = ex.classify_in(line, rest);
    sink.record(kind, line, index);
}

/// Default bytes per chunk. Measured on the 1 GiB benchmark log: 1 MiB reads
/// cost the kernel less per byte than 256 KiB ones (fewer page-cache lookups
/// per call) and the CLF loop works through a chunk in 64 KiB windows that
/// stay in cache anyway; larger chunks gained nothing and cost memory per
/// worker.
pub const DEFAULT_CHUNK: usize = 1024 * 1024;

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
}

/// Display name of an input path: `-` is stdin.
pub fn display_name(p: &Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        p.display().to_string()
    }
}

/// A chunk's results other than its counts, folded in chunk order.
struct ChunkMeta {
    lines: u64,
    examples: Vec<(u64, Vec<u8>)>,
    dump: Option<Vec<u8>>,
}

/// One input's running totals, shared by the workers counting its chunks.
struct Collector {
    name: String,
    format: Option<Format>,
    counts: Counts,
    bytes: u64,
    error: Option<String>,
    /// Next chunk sequence number to fold, and the lines folded before it.
    next_seq: u64,
    lines_before: u64,
    pending: BTreeMap<u64, ChunkMeta>,
    examples: Vec<MalformedExample>,
    /// Every byte of the input was read (not cut short by Ctrl-C). Ranged
    /// inputs know how many chunks make them whole.
    complete: bool,
    chunks: Option<u64>,
}

impl Collector {
    fn new(name: String) -> Self {
        Collector {
            name,
            format: None,
            counts: Counts::default(),
            bytes: 0,
            error: None,
            next_seq: 0,
            lines_before: 0,
            pending: BTreeMap::new(),
            examples: Vec::new(),
            complete: false,
            chunks: None,
        }
    }

    /// Adds one chunk's results and folds every chunk now in order.
    fn add(
        &mut self,
        seq: u64,
        counts: &Counts,
        bytes: u64,
        meta: ChunkMeta,
        dump: &Mutex<Option<&mut (dyn Write + Send)>>,
    ) {
        self.counts.merge(counts);
        self.bytes += bytes;
        self.pending.insert(seq, meta);
        while let Some(meta) = self.pending.remove(&self.next_seq) {
            for (index, text) in meta.examples {
                if self.examples.len() < EXAMPLES_PER_INPUT {
                    self.examples.push(MalformedExample {
                        path: self.name.clone(),
                        line: self.lines_before + index + 1,
                        text,
                    });
                }
            }
            if let Some(bytes) = meta.dump.filter(|d| !d.is_empty()) {
                let mut guard = dump.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(w) = guard.as_mut() {
                    if let Err(e) = w.write_all(&bytes) {
                        self.error
                            .get_or_insert(format!("--dump-malformed: {}", input::describe(&e)));
                    }
                }
            }
            self.lines_before += meta.lines;
            self.next_seq += 1;
        }
        if self.chunks == Some(self.next_seq) {
            self.complete = true;
        }
    }

    fn fail(&mut self, msg: String) {
        self.error.get_or_insert(msg);
    }
}

/// A regular file counted by byte ranges.
struct Ranged {
    input: usize,
    file: std::fs::File,
    size: u64,
    extractor: AnyExtractor,
    /// Index of this file's first chunk in the global chunk numbering.
    first_chunk: usize,
    chunks: usize,
}

/// A line-aligned buffer from a stream, for a worker to count.
struct StreamJob {
    input: usize,
    seq: u64,
    /// Full-length storage; the data is `buf[..len]`.
    buf: Vec<u8>,
    len: usize,
    extractor: AnyExtractor,
    recycle: SyncSender<Vec<u8>>,
}

/// What every worker shares.
struct Ctx<'a> {
    opts: &'a ScanOptions,
    chunk: usize,
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

    fn progress(&self, bytes: usize) {
        if let Some(p) = &self.opts.progress {
            p.fetch_add(bytes as u64, Ordering::Relaxed);
        }
    }
}

/// Counts every input and returns the summary. Inputs that cannot be read (or
/// whose format cannot be told) carry an `error`; the others are still counted.
/// `dump` receives every malformed line verbatim, each ended by `\n`.
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
                    Ok(n) => match choose_format(opts, &sample[..n]) {
                        Err(e) => c.fail(e),
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
        crate::interrupt::mask(false);
    }
    std::thread::scope(|s| {
        for (input, reader) in streams {
            let tx = job_tx.clone();
            let ctx = &ctx;
            s.spawn(move || {
                crate::interrupt::mask(false);
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

/// The forced format, or the one detected from `sample`; for a forced `json`
/// without `--status-key`, the key is picked from `sample`.
fn choose_format(opts: &ScanOptions, sample: &[u8]) -> Result<Format, String> {
    match &opts.format {
        FormatChoice::Fixed(Format::Json(_)) if opts.format_options.status_key.is_none() => {
            Ok(json_with_well_known_key(sample, &opts.format_options))
        }
        FormatChoice::Fixed(f) => Ok(f.clone()),
        FormatChoice::Auto => detect(sample, &opts.format_options).map_err(|e| e.to_string()),
    }
}

/// A worker: ranged chunks first (claimed in order through one atomic
/// counter, so chunks finish roughly in order and little is pending), then
/// stream buffers until every reader is done.
fn worker(ctx: &Ctx) {
    let mut counts = Counts::default();
    let mut buf = Vec::new();
    loop {
        let t = ctx.next_chunk.fetch_add(1, Ordering::Relaxed);
        if t < ctx.total_chunks && !crate::interrupt::requested() {
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
        let meta = count_buffer(&mut job.extractor, data, &mut counts, ctx.want_dump);
        ctx.collector(job.input)
            .add(job.seq, &counts, job.len as u64, meta, &ctx.dump);
        ctx.progress(job.len);
        counts.clear();
        // The reader may have finished already; then the buffer is just freed.
        let _ = job.recycle.try_send(std::mem::take(&mut job.buf));
    }
}

/// Counts one buffer of whole lines into `counts`.
fn count_buffer(ex: &mut AnyExtractor, data: &[u8], counts: &mut Counts, dump: bool) -> ChunkMeta {
    let mut sink = Sink::new(counts, dump);
    ex.count(data, &mut sink);
    ChunkMeta {
        lines: sink.lines,
        examples: std::mem::take(&mut sink.examples),
        dump: sink.dump.take(),
    }
}

/// Counts the lines that start in chunk `idx` of a ranged file.
fn count_range(ctx: &Ctx, r: &Ranged, idx: usize, buf: &mut Vec<u8>, counts: &mut Counts) {
    let a = idx as u64 * ctx.chunk as u64;
    let b = (a + ctx.chunk as u64).min(r.size);
    let (data, err) = match read_chunk(&r.file, a, b, buf) {
        Ok(range) => (&buf[range], None),
        Err(e) => (&buf[..0], Some(input::describe(&e))),
    };
    let mut ex = r.extractor.clone();
    let meta = count_buffer(&mut ex, data, counts, ctx.want_dump);
    let read = data.len();
    {
        let mut c = ctx.collector(r.input);
        if let Some(e) = err {
            c.fail(e);
        }
        c.add(idx as u64, counts, read as u64, meta, &ctx.dump);
    }
    ctx.progress(read);
    counts.clear();
    // A giant line may have grown the buffer; do not keep that memory.
    if buf.capacity() > 4 * ctx.chunk + (1 << 20) {
        *buf = Vec::new();
    }
}

/// Reads the lines starting in `[a, b)` into `buf`, through the end of the
/// line running past `b`, and returns the range of `buf` holding them.
///
/// The read lands at a 64-byte-aligned address and starts at `a` (itself
/// aligned when the chunk size is a multiple of 4 KiB): the kernel's copy out
/// of the page cache runs several times slower when source and destination
/// are misaligned to each other. Whether `a` starts a line is told by a
/// separate one-byte read of `a - 1`.
fn read_chunk(
    file: &std::fs::File,
    a: u64,
    b: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<std::ops::Range<usize>> {
    let want = (b - a) as usize;
    if buf.capacity() < want + 64 + 4096 {
        buf.reserve(want + 64 + 4096 - buf.len());
    }
    let pad = buf.as_ptr().align_offset(64).min(63);
    buf.resize(pad + want, 0);
    let got = read_at_full(file, &mut buf[pad..pad + want], a)?;
    let mut begin = pad;
    if a > 0 {
        let mut prev = [0u8; 1];
        if read_at_full(file, &mut prev, a - 1)? == 1 && prev[0] != b'\n' {
            match memchr::memchr(b'\n', &buf[pad..pad + got]) {
                Some(p) => begin = pad + p + 1,
                // The line running through this range started before it.
                None => return Ok(0..0),
            }
        }
    }
    let mut end = pad + got;
    if begin < end && got == want && buf[end - 1] != b'\n' {
        // Finish the last line, which runs past `b`: a small read first
        // (most lines are short), doubling for the rare long one.
        let mut step = 1024;
        loop {
            buf.resize(end + step, 0);
            let off = a + (end - pad) as u64;
            let n = read_at_full(file, &mut buf[end..end + step], off)?;
            if let Some(p) = memchr::memchr(b'\n', &buf[end..end + n]) {
                end += p + 1;
                break;
            }
            end += n;
            if n < step {
                break;
            }
            step = (step * 2).min(1 << 20);
        }
    }
    Ok(begin.min(end)..end)
}

/// Reads one stream front to back in line-aligned buffers. Counting is handed
/// to the workers, except for sequential formats, which are counted here in
/// order by one extractor.
fn read_stream(
    ctx: &Ctx,
    input: usize,
    mut reader: Box<dyn Read + Send>,
    jobs: SyncSender<StreamJob>,
    threads: usize,
) {
    let chunk = ctx.chunk;
    // Enough buffers in flight to keep every worker busy while the reader
    // fills the next one; no more, so memory does not grow with the input.
    let max_buffers = threads.min(8) + 2;
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<u8>>(max_buffers);
    let mut allocated = 0usize;
    let mut carry: Vec<u8> = Vec::new();
    let mut extractor: Option<AnyExtractor> = ctx
        .collector(input)
        .format
        .as_ref()
        .map(|f| f.extractor(&ctx.opts.format_options));
    let mut seq = 0u64;
    let mut counts = Counts::default();
    loop {
        let mut buf = match recycle_rx.try_recv() {
            Ok(b) => b,
            Err(_) if allocated < max_buffers => {
                allocated += 1;
                vec![0; chunk + 4096]
            }
            Err(_) => match recycle_rx.recv() {
                Ok(b) => b,
                Err(_) => return,
            },
        };
        // Buffers stay at their full length (zeroed once, when allocated);
        // `len` says how much of one holds data, so refilling never re-zeroes.
        let mut len = carry.len();
        if buf.len() < len + chunk {
            buf.resize(len + chunk, 0);
        }
        buf[..len].copy_from_slice(&carry);
        carry.clear();
        let (eof, cut) = match fill_lines(&mut reader, &mut buf, &mut len, chunk) {
            Ok(r) => r,
            Err(e) => {
                ctx.collector(input).fail(input::describe(&e));
                (true, len)
            }
        };
        carry.extend_from_slice(&buf[cut..len]);
        let len = cut;
        if extractor.is_none() {
            let sample = &buf[..len.min(SAMPLE_BYTES)];
            match choose_format(ctx.opts, sample) {
                Ok(f) => {
                    extractor = Some(f.extractor(&ctx.opts.format_options));
                    ctx.collector(input).format = Some(f);
                }
                Err(e) => {
                    ctx.collector(input).fail(e);
                    return;
                }
            }
        }
        let ex = extractor.as_mut().expect("format chosen above");
        if len > 0 {
            if ex.sequential() {
                let meta = count_buffer(ex, &buf[..len], &mut counts, ctx.want_dump);
                ctx.collector(input)
                    .add(seq, &counts, len as u64, meta, &ctx.dump);
                ctx.progress(len);
                counts.clear();
                let _ = recycle_tx.try_send(buf);
            } else {
                let job = StreamJob {
                    input,
                    seq,
                    buf,
                    len,
                    extractor: ex.clone(),
                    recycle: recycle_tx.clone(),
                };
                if jobs.send(job).is_err() {
                    return;
                }
            }
            seq += 1;
        }
        if eof {
            ctx.collector(input).complete = !crate::interrupt::requested();
            return;
        }
    }
}

/// Reads until `buf[..len]` holds at least `want` bytes and a newline, or the
/// stream ends. Returns whether it ended and where the last whole line ends
/// (`len` at the end of the stream). A line longer than the buffer grows it
/// rather than taking another buffer from the pool.
fn fill_lines(
    r: &mut dyn Read,
    buf: &mut Vec<u8>,
    len: &mut usize,
    want: usize,
) -> std::io::Result<(bool, usize)> {
    let mut searched = 0;
    let mut target = want.max(1);
    loop {
        if target > buf.len() {
            buf.resize(target, 0);
        }
        while *len < target {
            // Ctrl-C: what was read so far is the end of this input.
            if crate::interrupt::requested() {
                return Ok((true, *len));
            }
            match r.read(&mut buf[*len..target]) {
                Ok(0) => return Ok((true, *len)),
                Ok(n) => *len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if let Some(p) = memchr::memrchr(b'\n', &buf[searched..*len]) {
            return Ok((false, searched + p + 1));
        }
        searched = *len;
        target = (*len).max(1) * 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records every line it is shown; calls lines of "x" malformed.
    #[derive(Clone, Default)]
    struct Recorder(Vec<Vec<u8>>);

    impl Extractor for Recorder {
        fn classify(&mut self, line: &[u8]) -> Line {
            self.0.push(line.to_vec());
            if line == b"x" {
                Line::Malformed
            } else {
                Line::Status(200)
            }
        }
    }

    proptest! {
        /// The bitmap line loop cuts lines exactly where a plain split does,
        /// across block boundaries, for every chunk shape.
        #[test]
        fn count_lines_is_a_split(data in prop::collection::vec(
            prop::sample::select(b"ab\n\r x".to_vec()), 0..400)) {
            let mut ex = Recorder::default();
            let mut counts = Counts::default();
            let mut sink = Sink::new(&mut counts, false);
            sink.lines = 7;
            count_lines(&mut ex, &data, &mut sink);
            let mut want: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
            if data.ends_with(b"\n") || data.is_empty() {
                want.pop();
            }
            prop_assert_eq!(sink.lines, 7 + want.len() as u64);
            let malformed: Vec<u64> = sink.examples.iter().map(|e| e.0).collect();
            let want_malformed: Vec<u64> = want
                .iter()
                .enumerate()
                .filter(|(_, l)| l.strip_suffix(b"\r").unwrap_or(l) == b"x")
                .map(|(i, _)| 7 + i as u64)
                .take(EXAMPLES_PER_CHUNK)
                .collect();
            prop_assert_eq!(malformed, want_malformed);
            let shown: Vec<&[u8]> = want
                .into_iter()
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .filter(|l| !l.is_empty())
                .collect();
            prop_assert_eq!(ex.0.iter().map(Vec::as_slice).collect::<Vec<_>>(), shown);
        }
    }
}
