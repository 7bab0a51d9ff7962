//! Regular files, counted by byte ranges.
//!
//! A file is cut into fixed ranges; each worker `pread`s its own range (no
//! data crosses cores, no single reader becomes the bottleneck) and owns every
//! line that *starts* in it, reading a little past its end to finish the last
//! one.

use crate::format::AnyExtractor;
use crate::input::{self, read_at_full};
use crate::lines::Counts;

use super::Ctx;
use super::collect::count_buffer;

/// A regular file counted by byte ranges.
pub(super) struct Ranged {
    pub(super) input: usize,
    pub(super) file: std::fs::File,
    pub(super) size: u64,
    pub(super) extractor: AnyExtractor,
    /// Index of this file's first chunk in the global chunk numbering.
    pub(super) first_chunk: usize,
    pub(super) chunks: usize,
}

/// Counts the lines that start in chunk `idx` of a ranged file.
pub(super) fn count_range(
    ctx: &Ctx,
    r: &Ranged,
    idx: usize,
    buf: &mut Vec<u8>,
    counts: &mut Counts,
) {
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
