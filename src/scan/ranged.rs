//! Regular files, counted by byte ranges.
//!
//! A file is cut into fixed ranges; each worker `pread`s its own range (no
//! data crosses cores, no single reader becomes the bottleneck) and owns every
//! line that *starts* in it, reading a little past its end to finish the last
//! one.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::format::AnyExtractor;
use crate::input::{self, read_at_full};
use crate::lines::{Counts, TimePlan};
use crate::top::TopWork;

use super::collect::count_buffer;
use super::{Ctx, Permit, shrank};

/// A regular file counted by byte ranges; closed when the last of its
/// chunks is done with it.
pub(super) struct Ranged {
    pub(super) input: usize,
    pub(super) file: std::fs::File,
    /// Size at open: the chunks cover `0..size`.
    pub(super) size: u64,
    /// The first chunk read (a time filter may skip those before it): the
    /// collector numbers chunks from it.
    pub(super) first_chunk: usize,
    pub(super) extractor: AnyExtractor,
    /// The time work, when options read times.
    pub(super) plan: Option<TimePlan>,
    /// Its place in the open-file budget.
    pub(super) _permit: Permit,
    /// The next chunk to count: workers claim chunks here rather than
    /// each chunk being queued, so a worker hands off with the others only
    /// once per file (a queue hand-off per 1 MiB chunk woke a sleeping
    /// thread each time, which cost more than the counting on one thread).
    pub(super) next: AtomicUsize,
    /// The end of the chunks to count.
    pub(super) end: usize,
}

impl Ranged {
    /// Claims the next chunk to count, if any is left.
    pub(super) fn claim(&self) -> Option<usize> {
        let idx = self.next.fetch_add(1, Ordering::Relaxed);
        (idx < self.end).then_some(idx)
    }
}

/// Counts the lines that start in chunk `idx` of a ranged file.
pub(super) fn count_range(
    ctx: &Ctx,
    r: &Ranged,
    idx: usize,
    buf: &mut Vec<u8>,
    counts: &mut Counts,
    top: &mut Option<TopWork>,
) {
    let a = idx as u64 * ctx.chunk as u64;
    let b = (a + ctx.chunk as u64).min(r.size);
    let (data, got, err) = match read_chunk(&r.file, a, b, ctx.max_line, buf) {
        Ok(c) if c.short => {
            let now = r.file.metadata().map_or(0, |m| m.len());
            (&buf[c.lines], c.got, Some(shrank(r.size, now)))
        }
        Ok(c) => (&buf[c.lines], c.got, None),
        Err(e) => (&buf[..0], 0, Some(input::describe(&e))),
    };
    let mut ex = r.extractor.clone();
    let meta = count_buffer(
        &mut ex,
        data,
        ctx.max_line,
        counts,
        ctx.want_dump,
        r.plan.as_ref(),
        top,
    );
    {
        let mut c = ctx.collector(r.input);
        if let Some(e) = err {
            c.fail(e);
        }
        let seq = (idx - r.first_chunk) as u64;
        c.add(seq, counts, got as u64, meta, &ctx.dump);
    }
    ctx.progress(got as u64);
    counts.clear();
    // A long line may have grown the buffer; do not keep that memory.
    if buf.capacity() > 2 * ctx.chunk + (1 << 20) {
        *buf = Vec::new();
    }
}

/// What [`read_chunk`] read.
struct Chunk {
    /// Where in the buffer the lines starting in the range are.
    lines: std::ops::Range<usize>,
    /// Bytes of the range itself that were read.
    got: usize,
    /// The file ended before the range did: it shrank since it was opened.
    short: bool,
}

/// Reads the lines starting in `[a, b)` into `buf`, through the end of the
/// line running past `b`, or through its first `max + 1` bytes when it is
/// longer than `max`: that is enough for the counting to know it is too long
/// ([`crate::lines::count_capped`]), and the chunk where the next line starts
/// finds that start itself.
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
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Chunk> {
    let want = (b - a) as usize;
    if buf.capacity() < want + 64 + 4096 {
        buf.reserve(want + 64 + 4096 - buf.len());
    }
    let pad = buf.as_ptr().align_offset(64).min(63);
    buf.resize(pad + want, 0);
    let got = read_at_full(file, &mut buf[pad..pad + want], a)?;
    let short = got < want;
    let mut begin = pad;
    if a > 0 {
        let mut prev = [0u8; 1];
        match read_at_full(file, &mut prev, a - 1)? {
            0 => {
                return Ok(Chunk {
                    lines: 0..0,
                    got,
                    short: true,
                });
            }
            _ if prev[0] == b'\n' => {}
            _ => match memchr::memchr(b'\n', &buf[pad..pad + got]) {
                Some(p) => begin = pad + p + 1,
                // The line running through this range started before it.
                None => {
                    return Ok(Chunk {
                        lines: 0..0,
                        got,
                        short,
                    });
                }
            },
        }
    }
    let mut end = pad + got;
    if begin < end && !short && buf[end - 1] != b'\n' {
        // Finish the last line, which runs past `b`: a small read first
        // (most lines are short), doubling for the rare long one, and no
        // further than its first `max + 1` bytes.
        let start = memchr::memrchr(b'\n', &buf[begin..end]).map_or(begin, |p| begin + p + 1);
        let limit = start.saturating_add(max).saturating_add(1);
        let mut step = 1024;
        while end < limit {
            let n = step.min(limit - end);
            buf.resize(end + n, 0);
            let off = a + (end - pad) as u64;
            let read = read_at_full(file, &mut buf[end..end + n], off)?;
            if let Some(p) = memchr::memchr(b'\n', &buf[end..end + read]) {
                end += p + 1;
                break;
            }
            end += read;
            if read < n {
                break;
            }
            step = (step * 2).min(1 << 20);
        }
    }
    Ok(Chunk {
        lines: begin.min(end)..end,
        got,
        short,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The chunk where a too-long line starts reads only its first `max + 1`
    /// bytes, and later chunks within the line read none of it as lines.
    #[test]
    fn a_long_line_is_read_only_to_the_limit() {
        let mut f = tempfile::tempfile().unwrap();
        let mut data = b"ok\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 10 << 20));
        data.extend_from_slice(b"\nok\n");
        f.write_all(&data).unwrap();
        let (chunk, max) = (4096u64, 1000);
        let mut buf = Vec::new();
        let c = read_chunk(&f, 0, chunk, max, &mut buf).unwrap();
        assert_eq!(&buf[c.lines.clone()][..3], b"ok\n");
        assert_eq!(c.lines.len(), chunk as usize);
        assert!(!c.short);
        let c = read_chunk(&f, chunk * 2, chunk * 3, max, &mut buf).unwrap();
        assert!(c.lines.is_empty());
        // Past a chunk: the line that starts at its end is read up to the limit.
        let c = read_chunk(&f, 0, 3 + 10, max, &mut buf).unwrap();
        assert_eq!(c.lines.len(), 3 + max + 1);
        assert!(buf.capacity() < 2 * 4096 + 2 * max);
        let end = data.len() as u64;
        let c = read_chunk(&f, end - 4096, end, max, &mut buf).unwrap();
        assert_eq!(&buf[c.lines], b"ok\n");
    }

    #[test]
    fn a_file_shorter_than_planned_reads_short() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"a\nb\n").unwrap();
        let mut buf = Vec::new();
        let c = read_chunk(&f, 0, 10, 100, &mut buf).unwrap();
        assert!(c.short);
        assert_eq!(&buf[c.lines], b"a\nb\n");
        let c = read_chunk(&f, 10, 20, 100, &mut buf).unwrap();
        assert!(c.short && c.lines.is_empty() && c.got == 0);
    }
}
