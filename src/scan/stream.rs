//! Streams (stdin, pipes, gzip) and sequential formats, read front to back.
//!
//! One reader thread per stream fills line-aligned buffers from a small
//! recycled pool and hands them to the workers, so memory stays constant
//! however long the stream. Formats whose lines depend on earlier lines
//! (W3C `#Fields:`) are counted by the reader itself, in order.

use std::io::Read;
use std::sync::mpsc::{SyncSender, sync_channel};

use crate::format::AnyExtractor;
use crate::input;
use crate::lines::Counts;

use super::collect::count_buffer;
use super::{Cancel, Ctx, SAMPLE_BYTES};

/// A line-aligned buffer from a stream, for a worker to count.
pub(super) struct StreamJob {
    pub(super) input: usize,
    pub(super) seq: u64,
    /// Full-length storage; the data is `buf[..len]`.
    pub(super) buf: Vec<u8>,
    pub(super) len: usize,
    pub(super) extractor: AnyExtractor,
    pub(super) recycle: SyncSender<Vec<u8>>,
}

/// Reads one stream front to back in line-aligned buffers. Counting is handed
/// to the workers, except for sequential formats, which are counted here in
/// order by one extractor.
pub(super) fn read_stream(
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
        let (eof, cut) = match fill_lines(&mut reader, &mut buf, &mut len, chunk, &ctx.opts.cancel)
        {
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
            match ctx.opts.format.resolve(sample, &ctx.opts.format_options) {
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
            ctx.collector(input).complete = !ctx.opts.cancel.is_cancelled();
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
    cancel: &Cancel,
) -> std::io::Result<(bool, usize)> {
    let mut searched = 0;
    let mut target = want.max(1);
    loop {
        if target > buf.len() {
            buf.resize(target, 0);
        }
        while *len < target {
            // Ctrl-C: what was read so far is the end of this input.
            if cancel.is_cancelled() {
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
