//! Streams (stdin, pipes, gzip) and sequential formats, read front to back.
//!
//! One reader thread per stream fills line-aligned buffers from a small
//! recycled pool and hands them to the workers, so memory stays constant
//! however long the stream, and however long its lines: a line is kept only
//! up to the scan's limit ([`fill_lines`]). Formats whose lines depend on
//! earlier lines (W3C `#Fields:`) are counted by the reader itself, in order.

use std::io::Read;
use std::sync::mpsc::{SyncSender, sync_channel};

use crate::format::AnyExtractor;
use crate::input;
use crate::lines::{Counts, TimePlan};

use super::collect::count_buffer;
use super::time::{self, TimeFold};
use super::{Cancel, Ctx, SAMPLE_BYTES, TopCounts, Work, shrank};

/// A line-aligned buffer from a stream, for a worker to count.
pub(super) struct StreamJob {
    pub(super) input: usize,
    pub(super) seq: u64,
    /// Full-length storage; the data is `buf[..len]`.
    pub(super) buf: Vec<u8>,
    pub(super) len: usize,
    /// Bytes of the stream these lines took, with the part of a too-long
    /// line that was dropped rather than kept.
    pub(super) bytes: u64,
    pub(super) extractor: AnyExtractor,
    /// The time work, when options read times.
    pub(super) plan: Option<TimePlan>,
    pub(super) recycle: SyncSender<Vec<u8>>,
}

/// What a reader reads.
pub(super) enum Source {
    /// stdin, a FIFO, a device, a gzip file (decompressed).
    Stream(Box<dyn Read + Send>),
    /// A plain regular file (of a sequential format), `size` bytes at open:
    /// ending before that means it shrank under us.
    File { file: std::fs::File, size: u64 },
}

/// Reads one stream front to back in line-aligned buffers. Counting is handed
/// to the workers, except for sequential formats (and when there are no
/// workers, `inline`), which are counted here in order by one extractor.
pub(super) fn read_stream(
    ctx: &Ctx,
    input: usize,
    mut source: Source,
    jobs: SyncSender<Work>,
    inline: bool,
) {
    // Made once this thread counts a buffer itself.
    let mut top = TopCounts::new(ctx, false);
    let mut file_reader;
    let reader: &mut dyn Read = match &mut source {
        Source::Stream(r) => r.as_mut(),
        Source::File { file, .. } => {
            file_reader = &*file;
            &mut file_reader
        }
    };
    let chunk = ctx.chunk;
    // Enough buffers in flight to keep every worker busy while the reader
    // fills the next one; no more, so memory does not grow with the input.
    let max_buffers = ctx.threads.min(8) + 2;
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<u8>>(max_buffers);
    let mut allocated = 0usize;
    let mut carry: Vec<u8> = Vec::new();
    let mut extractor: Option<AnyExtractor> = ctx
        .collector(input)
        .format
        .as_ref()
        .map(|f| f.extractor(&ctx.opts.format_options));
    // A regular file handed over by the feeder has its format, and its
    // time set up, already.
    let from_feeder = extractor.is_some();
    let mut plan: Option<TimePlan> = ctx.collector(input).time.as_ref().map(|f| f.plan);
    let mut seq = 0u64;
    let mut counts = Counts::default();
    let mut fill = Fill::default();
    // Stream bytes already attributed to a buffer.
    let mut accounted = 0u64;
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
        let (eof, cut) = match fill_lines(
            reader,
            &mut buf,
            &mut len,
            chunk,
            ctx.max_line,
            &ctx.opts.cancel,
            &mut fill,
        ) {
            Ok(r) => r,
            Err(e) => {
                // Ctrl-C wakes a blocked read with an error: that is the end.
                if !ctx.cancelled() {
                    ctx.collector(input).fail(input::describe(&e));
                }
                (true, len)
            }
        };
        carry.extend_from_slice(&buf[cut..len]);
        let len = cut;
        let bytes = fill.consumed - carry.len() as u64 - accounted;
        accounted += bytes;
        if extractor.is_none() {
            let sample = &buf[..len.min(SAMPLE_BYTES)];
            match ctx.opts.format.resolve(sample, &ctx.opts.format_options) {
                Ok(f) if let Some(why) = ctx.top_refusal(&f) => {
                    ctx.collector(input).fail(why);
                    return;
                }
                Ok(f) => {
                    extractor = Some(f.extractor(&ctx.opts.format_options));
                    let mut c = ctx.collector(input);
                    c.detected = ctx.opts.format.auto_pick(sample, &ctx.opts.format_options);
                    c.format = Some(f);
                }
                Err(e) => {
                    ctx.collector(input).fail(e.to_string());
                    return;
                }
            }
        }
        let ex = extractor.as_mut().expect("format chosen above");
        if seq == 0 && !from_feeder {
            plan = stream_time(ctx, input, ex, &buf[..len], eof);
        }
        if plan.is_none() && !from_feeder {
            note_last(ctx, input, ex, &buf[..len]);
        }
        if len > 0 || bytes > 0 {
            if ex.sequential() || inline || ctx.readers_fill_every_thread() {
                let meta = count_buffer(
                    ex,
                    &buf[..len],
                    ctx.max_line,
                    &mut counts,
                    ctx.want_dump,
                    plan.as_ref(),
                    top.get(),
                );
                ctx.collector(input)
                    .add(seq, &counts, bytes, meta, &ctx.dump);
                ctx.progress(bytes);
                counts.clear();
                let _ = recycle_tx.try_send(buf);
            } else {
                let job = StreamJob {
                    input,
                    seq,
                    buf,
                    len,
                    bytes,
                    extractor: ex.clone(),
                    plan,
                    recycle: recycle_tx.clone(),
                };
                if jobs.send(Work::Buffer(job)).is_err() {
                    return;
                }
            }
            seq += 1;
        }
        if eof {
            let mut c = ctx.collector(input);
            c.complete = !ctx.cancelled();
            if let Source::File { file, size } = &source
                && c.complete
                && fill.consumed < *size
            {
                let now = file.metadata().map_or(fill.consumed, |m| m.len());
                c.fail(shrank(*size, now));
            }
            return;
        }
    }
}

/// Sets up the time work of a stream from its first buffer (`whole`: all of
/// it): its own clock from its first dated line, and the plan when options
/// read times, else the time of that first line.
fn stream_time(
    ctx: &Ctx,
    input: usize,
    ex: &AnyExtractor,
    first: &[u8],
    whole: bool,
) -> Option<TimePlan> {
    let t = &ctx.opts.time;
    let zone =
        t.tz.map_or(crate::time::Zone::Local, crate::time::Zone::Fixed);
    let stamp = time::first_stamp(&mut ex.clone(), zone, first, whole);
    let mut c = ctx.collector(input);
    c.offset = stamp.map(|s| s.offset);
    if !ctx.opts.timed() {
        c.ends.0 = stamp;
        return None;
    }
    let plan = time::plan(t, ctx.opts.series_step, c.offset, i64::MIN);
    c.time = Some(TimeFold::new(plan));
    Some(plan)
}

/// Without time work: the time of the last dated line of a buffer, read
/// from its end, is the stream's last so far.
fn note_last(ctx: &Ctx, input: usize, ex: &AnyExtractor, data: &[u8]) {
    let zone = ctx
        .opts
        .time
        .tz
        .map_or(crate::time::Zone::Local, crate::time::Zone::Fixed);
    if let Some(s) = time::last_stamp(&mut ex.clone(), zone, data, false) {
        let mut c = ctx.collector(input);
        c.ends.1 = Some(s);
        if c.ends.0.is_none() {
            c.ends.0 = Some(s);
        }
    }
}

/// What [`fill_lines`] carries from one buffer to the next.
#[derive(Default)]
struct Fill {
    /// Bytes read from the stream so far.
    consumed: u64,
    /// The rest of a too-long line is being dropped, up to its `\n`.
    skipping: bool,
}

/// Reads until `buf[..len]` holds at least `want` bytes and a newline, or the
/// stream ends. Returns whether it ended and where the last whole line ends
/// (`len` at the end of the stream). A line longer than the buffer grows it
/// rather than taking another buffer from the pool, but only up to `max`
/// bytes: of a longer line the first `max + 1` bytes are kept, ended by a
/// `\n` of our own, and the rest is dropped as it is read, so the counting
/// sees a line too long to be read ([`crate::lines::count_capped`]) and
/// memory stays bounded whatever the stream.
fn fill_lines(
    r: &mut dyn Read,
    buf: &mut Vec<u8>,
    len: &mut usize,
    want: usize,
    max: usize,
    cancel: &Cancel,
    st: &mut Fill,
) -> std::io::Result<(bool, usize)> {
    // `buf[..searched]` has been searched; its last line ends at `lines`.
    let mut searched = 0;
    let mut lines = 0;
    loop {
        if let Some(p) = memchr::memrchr(b'\n', &buf[searched..*len]) {
            lines = searched + p + 1;
        }
        searched = *len;
        if lines > 0 && *len >= want {
            return Ok((false, lines));
        }
        if *len - lines > max {
            // Too long: keep what shows it is, end it, drop the rest.
            let end = lines + max + 1;
            if buf.len() <= end {
                buf.resize(end + 1, 0);
            }
            buf[end] = b'\n';
            *len = end + 1;
            searched = *len;
            lines = *len;
            st.skipping = true;
            continue;
        }
        // Ctrl-C: what was read so far is the end of this input.
        if cancel.is_cancelled() {
            return Ok((true, *len));
        }
        let target = if *len < want {
            want
        } else {
            // A line running past `want`: read on, doubling, but never more
            // than it takes to know whether it is too long.
            (*len * 2).max(*len + 4096).min(lines + max + 1)
        };
        if buf.len() < target {
            buf.resize(target, 0);
        }
        let mut n = match r.read(&mut buf[*len..target]) {
            Ok(0) => return Ok((true, *len)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        st.consumed += n as u64;
        if st.skipping {
            let fresh = *len..*len + n;
            match memchr::memchr(b'\n', &buf[fresh.clone()]) {
                Some(p) => {
                    buf.copy_within(fresh.start + p + 1..fresh.end, fresh.start);
                    n -= p + 1;
                    st.skipping = false;
                }
                None => n = 0,
            }
        }
        *len += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of `n` bytes that are never a newline.
    struct Endless(u64);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = (buf.len() as u64).min(self.0) as usize;
            buf[..n].fill(b'x');
            self.0 -= n as u64;
            Ok(n)
        }
    }

    /// A line without an end is held only up to the limit: the buffer stays
    /// small while the whole stream is read.
    #[test]
    fn a_line_without_end_is_kept_only_to_the_limit() {
        let total = 64 << 20;
        let (want, max) = (4096, 1000);
        let mut r = Endless(total).chain(&b"\nok\n"[..]);
        let mut buf = vec![0; want];
        let mut st = Fill::default();
        let mut seen = Vec::new();
        loop {
            let mut len = 0;
            let (eof, cut) = fill_lines(
                &mut r,
                &mut buf,
                &mut len,
                want,
                max,
                &Cancel::new(),
                &mut st,
            )
            .unwrap();
            assert!(buf.len() <= want + max + 2, "{}", buf.len());
            seen.extend_from_slice(&buf[..cut]);
            if eof {
                break;
            }
        }
        assert_eq!(st.consumed, total + 4);
        let mut expect = vec![b'x'; max + 1];
        expect.extend_from_slice(b"\nok\n");
        assert_eq!(seen, expect);
    }
}
