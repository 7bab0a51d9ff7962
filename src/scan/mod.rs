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
//! Three kinds of thread share the work. The thread that calls [`scan`]
//! opens the regular files in turn, a bounded number at a time
//! ([`Budget`]), and queues their chunks; each stream has a reader thread
//! that opens it and queues line-aligned buffers; workers take both from one
//! queue in order. Once the files are all queued, the calling thread waits
//! for the workers and, if the scan is cancelled, wakes the readers still
//! blocked (see [`crate::interrupt`]).
//!
//! Memory is bounded whatever the input: no buffer holds more than a chunk
//! plus one line, and a line is held only up to [`ScanOptions::max_line`]
//! bytes; past that it is counted as malformed ([`crate::lines::count_capped`]).

mod collect;
mod ranged;
mod stream;
pub mod time;
mod top;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::Scope;
use std::time::{Duration, Instant};

use crate::format::{AnyExtractor, FormatChoice, FormatOptions};
use crate::input::{self, Kind, Opened, read_at_full};
use crate::interrupt::{self, Wakers};
use crate::lines::{self, Counts};
use crate::summary::{InputSummary, Summary};
use crate::top::{TopSpec, TopWork};

pub use crate::interrupt::Cancel;
pub use crate::lines::{EXAMPLE_BYTES, EXAMPLES_PER_CHUNK};

use collect::{Collector, count_buffer};
use ranged::{Ranged, count_range};
use stream::{Source, StreamJob, read_stream};
pub use time::TimeOptions;
pub use top::DEFAULT_TOP_MEMORY;

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

/// How often the thread waiting for the workers looks at the cancel flag, to
/// wake readers blocked in a call only a signal interrupts.
const WATCH: Duration = Duration::from_millis(50);

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
    /// Stops the scan early: readers take it as the end of their input
    /// (those blocked in a read or an open are woken), workers stop taking
    /// chunks, no further input is opened, and every input not read in full
    /// is reported as cut short.
    pub cancel: Cancel,
    /// Longest line, in bytes, handed to a format; 0 means
    /// [`DEFAULT_MAX_LINE`]. A longer line is counted as one malformed line
    /// whose example (and `--dump-malformed` entry) is its start, and only
    /// that start is ever held in memory.
    pub max_line: usize,
    /// Keep requests per interval of this many seconds
    /// ([`Summary::series`]): `--by`, or the step windowed checks slide by.
    pub series_step: Option<u32>,
    /// Time filters and zones.
    pub time: TimeOptions,
    /// `--top`: the values of a field among selected requests, over all
    /// inputs ([`Summary::top`]), counted for the requests counted in the
    /// totals. (Requests held for `--last` are not among them: the
    /// command line refuses `--top` with `--last`.)
    pub top: Vec<TopSpec>,
    /// Memory for all `--top` counting, in bytes; 0 means
    /// [`DEFAULT_TOP_MEMORY`].
    pub top_memory: usize,
}

impl TimeOptions {
    fn bisect_from(&self) -> u64 {
        match self.bisect_from {
            0 => time::DEFAULT_BISECT_FROM,
            n => n,
        }
    }
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

    /// Whether an option reads every line's time.
    pub fn timed(&self) -> bool {
        self.series_step.is_some() || self.time.filters()
    }
}

/// Parses a line length for `--max-line-length`: bytes, or a number with a
/// `K`, `M` or `G` suffix (powers of 1024), from 1 to [`MAX_MAX_LINE`].
pub fn parse_line_length(s: &str) -> Result<usize, String> {
    match parse_size(s, "4M")? {
        Some(b) if (1..=MAX_MAX_LINE).contains(&b) => Ok(b),
        _ => Err("out of range: a line length is 1 byte to 1G".into()),
    }
}

/// Reads a size: bytes, or a number with a `K`, `M` or `G` suffix (powers
/// of 1024); `None` when it overflows. The error gives `example`.
pub fn parse_size(s: &str, example: &str) -> Result<Option<usize>, String> {
    let not_a_size =
        || format!("not a size: give bytes, or a number with K, M or G (e.g. {example})");
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
        _ => return Err(not_a_size()),
    };
    // Digits past `usize` are a size too large, not a bad one.
    if digits.is_empty() {
        return Err(not_a_size());
    }
    Ok(digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit)))
}

/// Display name of an input path: `-` is stdin.
pub fn display_name(p: &Path) -> PathBuf {
    if p.as_os_str() == "-" {
        PathBuf::from("<stdin>")
    } else {
        p.to_path_buf()
    }
}

/// The error of a file found shorter than it was when opened (logrotate's
/// `copytruncate`, or any truncation): what was read is counted, but it is
/// not the whole file.
fn shrank(size: u64, now: u64) -> String {
    format!(
        "shrank from {size} to {now} bytes while being read (truncated or rotated?): counted only what was read"
    )
}

/// What a worker counts next.
enum Work {
    /// A regular file, whose chunks the worker claims until none is left.
    File(Arc<Ranged>),
    /// A line-aligned buffer read from a stream.
    Buffer(StreamJob),
}

/// What every worker shares.
struct Ctx<'a> {
    opts: &'a ScanOptions,
    chunk: usize,
    max_line: usize,
    threads: usize,
    collectors: Vec<Mutex<Collector>>,
    jobs: Mutex<Receiver<Work>>,
    dump: Mutex<Option<&'a mut (dyn Write + Send)>>,
    want_dump: bool,
    /// Stream readers, woken when the scan is cancelled.
    wakers: Wakers,
    budget: Arc<Budget>,
    /// `--top`, when asked.
    top: Option<top::TopShared>,
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

    fn cancelled(&self) -> bool {
        self.opts.cancel.is_cancelled()
    }

    /// Whether there are as many reader threads as threads (two or more):
    /// then a reader counts what it reads itself, while the lines are still
    /// in its core's cache, rather than hand them to a worker (every core
    /// already has a reader to keep busy). With fewer readers, handing over
    /// lets a reader decompress while workers count.
    fn readers_fill_every_thread(&self) -> bool {
        self.threads > 1 && self.budget.readers() >= self.threads
    }

    /// Fresh `--top` counts for a thread that counts, when asked.
    fn top_work(&self) -> Option<TopWork> {
        self.top.as_ref().map(|t| t.work())
    }

    /// A counting thread's `--top` counts, when it counts no more.
    fn top_done(&self, w: Option<TopWork>) {
        if let Some(t) = &self.top {
            t.done(w);
        }
    }

    /// Why an input of format `f` cannot answer the `--top`s, if it cannot.
    fn top_refusal(&self, f: &crate::format::Format) -> Option<String> {
        self.top.as_ref().and_then(|t| t.refusal(f))
    }
}

/// Counts every input and returns the summary. Inputs that cannot be read (or
/// whose format cannot be told) carry an `error`; the others are still counted.
/// `dump` receives every malformed line verbatim, each ended by `\n` (a line
/// longer than [`ScanOptions::max_line`] cut to that length).
///
/// Regular files are opened in turn, as the workers get to them, and closed
/// when counted, so the number of inputs is not bounded by the number of
/// open files allowed; streams (stdin, FIFOs) are each opened and read by a
/// thread of their own from the start, since any of them may be endless.
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
    let threads = opts.threads().max(1);

    let mut collectors = Vec::with_capacity(paths.len());
    let mut files = Vec::new();
    let mut streams = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let mut c = Collector::new(display_name(p));
        match input::kind(p) {
            Err(e) => c.fail(input::describe(&e)),
            Ok(Kind::File) => files.push(i),
            Ok(Kind::Stream) => streams.push(i),
        }
        collectors.push(Mutex::new(c));
    }

    let (job_tx, job_rx) = sync_channel::<Work>(threads * 2);
    let want_dump = dump.is_some();
    let ctx = Ctx {
        opts,
        chunk: opts.chunk().max(1),
        max_line: opts.max_line(),
        threads,
        collectors,
        jobs: Mutex::new(job_rx),
        dump: Mutex::new(dump),
        want_dump,
        wakers: Wakers::default(),
        budget: Arc::new(Budget::new(threads)),
        // Workers, reader threads (at most one per worker) and this
        // thread, when no worker could be started, count.
        top: top::TopShared::new(&opts.top, opts.top_memory, 2 * threads + 1),
    };
    std::thread::scope(|s| {
        let (done_tx, done_rx) = sync_channel::<()>(0);
        let mut workers = 0;
        for i in 0..threads {
            let done = done_tx.clone();
            let ctx = &ctx;
            let spawned = std::thread::Builder::new()
                .name(format!("logstat-worker-{i}"))
                .spawn_scoped(s, move || {
                    worker(ctx);
                    drop(done);
                });
            match spawned {
                Ok(_) => workers += 1,
                Err(_) => break,
            }
        }
        drop(done_tx);
        // Ctrl-C lands here or in a reader (see `interrupt`); the workers,
        // started above, keep it blocked.
        interrupt::mask(false);
        for &i in &streams {
            let tx = job_tx.clone();
            let ctx = &ctx;
            let spawned = std::thread::Builder::new()
                .name(format!("logstat-reader-{i}"))
                .spawn_scoped(s, move || {
                    interrupt::mask(false);
                    let _woken = ctx.wakers.register();
                    let source = match input::open(&paths[i], &ctx.opts.cancel) {
                        Ok(Opened::Stream(r)) => Ok(Source::Stream(r)),
                        // Replaced by a regular file since `kind` looked:
                        // read front to back all the same.
                        Ok(Opened::Ranged { file, size }) => Ok(Source::File { file, size }),
                        Err(e) => Err(e),
                    };
                    match source {
                        Ok(source) => read_stream(ctx, i, source, tx, workers == 0),
                        Err(e) => {
                            if !ctx.cancelled() {
                                ctx.collector(i).fail(input::describe(&e));
                            }
                        }
                    }
                });
            if let Err(e) = spawned {
                ctx.collector(i)
                    .fail(format!("cannot start a reader: {}", input::describe(&e)));
            }
        }
        feed(&ctx, s, paths, &files, job_tx, workers == 0);
        // Wait for the workers, which end once every reader has; while the
        // scan is cancelled, keep waking the readers still blocked.
        if workers > 0 {
            while let Err(RecvTimeoutError::Timeout) = done_rx.recv_timeout(WATCH) {
                if ctx.cancelled() {
                    ctx.wakers.wake_all();
                }
            }
        }
    });

    let mut inputs = Vec::with_capacity(ctx.collectors.len());
    let mut examples = Vec::new();
    let mut folds = Vec::with_capacity(ctx.collectors.len());
    let mut offsets = Vec::with_capacity(ctx.collectors.len());
    for c in ctx.collectors {
        let mut c = c.into_inner().unwrap_or_else(|e| e.into_inner());
        if !c.complete && c.error.is_none() {
            c.error = Some("interrupted: counted only what was read before Ctrl-C".into());
        }
        examples.extend(c.examples);
        folds.push(c.time.take());
        offsets.push(c.offset);
        inputs.push(InputSummary {
            path: c.name,
            format: c.format.map(|f| f.name().to_string()).unwrap_or_default(),
            counts: c.counts,
            bytes: c.bytes,
            error: c.error,
            detected: c.detected,
            first: c.ends.0,
            last: c.ends.1,
            unread: c.unread,
        });
    }
    let series = time::finish(&mut inputs, folds, &offsets, &opts.time, opts.series_step);
    let tops = ctx.top.map(top::TopShared::finish).unwrap_or_default();
    let mut summary = Summary::from_inputs(inputs, examples, start.elapsed());
    summary.series = series;
    summary.top = tops;
    summary
}

/// Sets up the time work of regular file `i` once its format is known:
/// its own clock from its first dated line, and either its first and last
/// times from its two ends (no option reads times) or the plan of its
/// time work, with the chunks a time filter needs read (a bisection on
/// time, for a large file of a format read in parallel). Returns the plan
/// and the chunk range to read.
fn file_time(
    ctx: &Ctx,
    i: usize,
    ex: &AnyExtractor,
    sample: &[u8],
    file: &std::fs::File,
    size: u64,
) -> (Option<lines::TimePlan>, std::ops::Range<usize>) {
    let t = &ctx.opts.time;
    let chunks = size.div_ceil(ctx.chunk as u64) as usize;
    let zone =
        t.tz.map_or(crate::time::Zone::Local, crate::time::Zone::Fixed);
    let whole = sample.len() as u64 == size;
    let mut reader = ex.clone();
    let first = time::first_stamp(&mut reader, zone, sample, whole);
    ctx.collector(i).offset = first.map(|s| s.offset);
    if !ctx.opts.timed() {
        let last = if whole {
            time::last_stamp(&mut reader, zone, sample, false)
        } else {
            time::file_last(&mut reader, zone, file, size)
        };
        ctx.collector(i).ends = (first, last);
        return (None, 0..chunks);
    }
    let mut plan = time::plan(t, ctx.opts.series_step, first.map(|s| s.offset), i64::MIN);
    let parallel = !ex.sequential();
    if let Some(last) = t.last
        && parallel
        && let Some(n) = time::newest_near_end(ex, &plan, file, size)
    {
        plan.floor = n + 1 - last as i64;
    }
    let lower = plan.since.max(plan.floor);
    let (a, b) =
        if parallel && size >= t.bisect_from() && (lower > i64::MIN || plan.until < i64::MAX) {
            time::bisect(
                ex,
                plan.zone,
                file,
                size,
                ctx.chunk,
                (lower > i64::MIN).then_some(lower),
                (plan.until < i64::MAX).then_some(plan.until),
            )
        } else {
            (0, chunks)
        };
    let mut c = ctx.collector(i);
    c.time = Some(time::TimeFold::new(plan));
    c.unread =
        (a as u64 * ctx.chunk as u64).min(size) + size.saturating_sub(b as u64 * ctx.chunk as u64);
    // Skipped is done, as far as a progress bar goes.
    ctx.progress(c.unread);
    (Some(plan), a..b)
}

/// Opens the regular files in order, each once the open-file budget allows,
/// and hands them on: plain files as chunks to the workers, gzip and
/// sequential formats to a reader thread each. `inline` (no worker could be
/// started) counts everything on this thread instead.
fn feed<'s>(
    ctx: &'s Ctx,
    s: &'s Scope<'s, '_>,
    paths: &'s [PathBuf],
    files: &[usize],
    jobs: SyncSender<Work>,
    inline: bool,
) {
    let cancel = &ctx.opts.cancel;
    let mut buf = Vec::new();
    let mut counts = Counts::default();
    let mut top = TopCounts::new(ctx, inline);
    for &i in files {
        let Some(permit) = ctx.budget.acquire(Slot::File, cancel) else {
            return;
        };
        let (file, size) = match input::open(&paths[i], cancel) {
            Err(e) => {
                if !ctx.cancelled() {
                    ctx.collector(i).fail(input::describe(&e));
                }
                continue;
            }
            Ok(Opened::Stream(r)) => {
                read_file_stream(ctx, s, i, Source::Stream(r), &jobs, permit, inline);
                continue;
            }
            Ok(Opened::Ranged { file, size }) => (file, size),
        };
        let mut sample = vec![0u8; SAMPLE_BYTES.min(size as usize)];
        let (format, sample) = match read_at_full(&file, &mut sample, 0) {
            Err(e) => {
                ctx.collector(i).fail(input::describe(&e));
                continue;
            }
            Ok(n) => match ctx
                .opts
                .format
                .resolve(&sample[..n], &ctx.opts.format_options)
            {
                Err(e) => {
                    ctx.collector(i).fail(e.to_string());
                    continue;
                }
                Ok(format) => (format, &sample[..n]),
            },
        };
        if let Some(why) = ctx.top_refusal(&format) {
            ctx.collector(i).fail(why);
            continue;
        }
        let extractor = format.extractor(&ctx.opts.format_options);
        {
            let mut c = ctx.collector(i);
            c.format = Some(format);
            c.detected = ctx.opts.format.auto_pick(sample, &ctx.opts.format_options);
        }
        let (plan, range) = file_time(ctx, i, &extractor, sample, &file, size);
        if extractor.sequential() {
            let r = Source::File { file, size };
            read_file_stream(ctx, s, i, r, &jobs, permit, inline);
            continue;
        }
        {
            let mut c = ctx.collector(i);
            c.chunks = Some(range.len() as u64);
            c.complete = range.is_empty();
        }
        let r = Arc::new(Ranged {
            input: i,
            file,
            size,
            first_chunk: range.start,
            extractor,
            plan,
            _permit: permit,
            next: AtomicUsize::new(range.start),
            end: range.end,
        });
        if inline {
            while let Some(idx) = r.claim() {
                if ctx.cancelled() {
                    return;
                }
                count_range(ctx, &r, idx, &mut buf, &mut counts, &mut top.work);
            }
            continue;
        }
        // As many workers as it has chunks may count it at once.
        for _ in 0..ctx.threads.min(range.len()) {
            if ctx.cancelled() || jobs.send(Work::File(r.clone())).is_err() {
                return;
            }
        }
    }
}

/// Reads a gzip file, or a file of a sequential format, on a reader thread of
/// its own once one is free, or on this thread when none can be started.
fn read_file_stream<'s>(
    ctx: &'s Ctx,
    s: &'s Scope<'s, '_>,
    input: usize,
    reader: Source,
    jobs: &SyncSender<Work>,
    permit: Permit,
    inline: bool,
) {
    let Some(permit) = permit.with_reader(&ctx.opts.cancel) else {
        return;
    };
    let tx = jobs.clone();
    // The reader is handed back when no thread could take it.
    let slot = Arc::new(Mutex::new(Some((reader, tx, permit))));
    let theirs = slot.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("logstat-reader-{input}"))
        .spawn_scoped(s, move || {
            let taken = theirs.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some((reader, tx, _permit)) = taken {
                read_stream(ctx, input, reader, tx, inline);
            }
        });
    if spawned.is_err() {
        let taken = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((reader, tx, _permit)) = taken {
            read_stream(ctx, input, reader, tx, inline);
        }
    }
}

/// A worker: takes chunks and stream buffers in the order they were queued
/// (so chunks of an input finish roughly in order and little is pending)
/// until the feeder and every reader are done.
fn worker(ctx: &Ctx) {
    let mut counts = Counts::default();
    let mut buf = Vec::new();
    let mut top = TopCounts::new(ctx, true);
    loop {
        let work = {
            let rx = ctx.jobs.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        match work {
            Err(_) => break,
            // Once cancelled, chunks not yet claimed are left unread (the
            // file closes with its last job); buffers already read are still counted.
            Ok(Work::File(r)) => {
                while !ctx.cancelled()
                    && let Some(idx) = r.claim()
                {
                    count_range(ctx, &r, idx, &mut buf, &mut counts, &mut top.work);
                }
            }
            Ok(Work::Buffer(mut job)) => {
                let data = &job.buf[..job.len];
                let meta = count_buffer(
                    &mut job.extractor,
                    data,
                    ctx.max_line,
                    &mut counts,
                    ctx.want_dump,
                    job.plan.as_ref(),
                    &mut top.work,
                );
                ctx.collector(job.input)
                    .add(job.seq, &counts, job.bytes, meta, &ctx.dump);
                ctx.progress(job.bytes);
                counts.clear();
                // The reader may have finished already; then the buffer is just freed.
                let _ = job.recycle.try_send(std::mem::take(&mut job.buf));
            }
        }
    }
}

/// The `--top` counts of a thread that counts, handed to the scan when
/// the thread is done, however it ends.
struct TopCounts<'a, 'o> {
    ctx: &'a Ctx<'o>,
    work: Option<TopWork>,
}

impl<'a, 'o> TopCounts<'a, 'o> {
    /// Counts for `ctx`'s `--top`s, made now when `now`, else by whoever
    /// first needs them ([`TopCounts::get`]).
    fn new(ctx: &'a Ctx<'o>, now: bool) -> Self {
        TopCounts {
            ctx,
            work: if now { ctx.top_work() } else { None },
        }
    }

    /// The counts, made on first use.
    fn get(&mut self) -> &mut Option<TopWork> {
        if self.work.is_none() {
            self.work = self.ctx.top_work();
        }
        &mut self.work
    }
}

impl Drop for TopCounts<'_, '_> {
    fn drop(&mut self) {
        self.ctx.top_done(self.work.take());
    }
}

/// What a [`Permit`] holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// An open regular file.
    File,
    /// An open regular file read by a reader thread of its own.
    Reader,
}

/// How many regular files may be open, and how many of them read by reader
/// threads, at once. Files wait their turn here rather than all being opened
/// up front, so the open-file limit (`ulimit -n`) never bounds the number of
/// inputs; reader threads are bounded because each holds a pool of buffers.
struct Budget {
    /// Open files and reader threads now.
    used: Mutex<(usize, usize)>,
    freed: Condvar,
    max_files: usize,
    max_readers: usize,
}

impl Budget {
    fn new(threads: usize) -> Budget {
        Budget {
            used: Mutex::new((0, 0)),
            freed: Condvar::new(),
            max_files: threads * 2 + 2,
            max_readers: threads,
        }
    }

    /// Reader threads now.
    fn readers(&self) -> usize {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Waits for a free slot; `None` once the scan is cancelled.
    fn acquire(self: &Arc<Self>, slot: Slot, cancel: &Cancel) -> Option<Permit> {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if cancel.is_cancelled() {
                return None;
            }
            let free = match slot {
                Slot::File => used.0 < self.max_files,
                Slot::Reader => used.1 < self.max_readers,
            };
            if free {
                match slot {
                    Slot::File => used.0 += 1,
                    Slot::Reader => used.1 += 1,
                }
                return Some(Permit {
                    budget: self.clone(),
                    slot,
                });
            }
            used = self
                .freed
                .wait_timeout(used, WATCH)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// One slot of the [`Budget`], given back when dropped.
struct Permit {
    budget: Arc<Budget>,
    slot: Slot,
}

impl Permit {
    /// A file's permit that also holds a reader thread's slot, once one is
    /// free; `None` (and both given back) once the scan is cancelled.
    fn with_reader(self, cancel: &Cancel) -> Option<(Permit, Permit)> {
        let reader = self.budget.acquire(Slot::Reader, cancel)?;
        Some((self, reader))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|e| e.into_inner());
        match self.slot {
            Slot::File => used.0 -= 1,
            Slot::Reader => used.1 -= 1,
        }
        self.budget.freed.notify_all();
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
