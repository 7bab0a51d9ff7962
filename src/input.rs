//! Opening inputs: regular files are read by byte ranges (so workers can
//! `pread` their own chunks in parallel); stdin, pipes and gzip are streams
//! read front to back.
//!
//! Files are deliberately not memory-mapped: a log truncated under us
//! (logrotate `copytruncate`) would turn a mapped read into SIGBUS, while a
//! plain read just comes back short.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use crate::interrupt::Cancel;

/// The two magic bytes every gzip member starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Read-ahead of the compressed side of a gzip input.
const GZIP_BUFFER: usize = 256 * 1024;

/// What an input is, told without opening it: opening a FIFO waits for its
/// writer, so the engine must know which inputs to open on a thread of their
/// own before it opens any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (plain or gzip): opening it never waits.
    File,
    /// stdin, a FIFO, `<(...)` process substitution, a character device.
    Stream,
}

/// Tells what `path` (`-` is stdin) is; a directory or a missing path is an
/// error.
pub fn kind(path: &Path) -> io::Result<Kind> {
    if path.as_os_str() == "-" {
        return Ok(Kind::Stream);
    }
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ))
    } else if meta.is_file() {
        Ok(Kind::File)
    } else {
        Ok(Kind::Stream)
    }
}

/// An opened input.
pub enum Opened {
    /// A regular, uncompressed file of `size` bytes (at open time).
    Ranged { file: File, size: u64 },
    /// Anything read front to back: stdin, pipes, devices, gzip (decompressed).
    Stream(Box<dyn Read + Send>),
}

/// Opens `path` (`-` is stdin), recognising gzip by its magic bytes rather than
/// by name, and decoding concatenated gzip members (`cat a.gz b.gz`) as one.
///
/// Every step that can wait (opening a FIFO that has no writer yet, reading
/// a quiet pipe's first bytes to look for gzip) gives up with an error once
/// `cancel` is raised and the waiting call is interrupted by a signal
/// ([`crate::interrupt::Wakers`]); so do the returned stream's reads.
pub fn open(path: &Path, cancel: &Cancel) -> io::Result<Opened> {
    if path.as_os_str() == "-" {
        grow_stdin_pipe();
        return stream(Box::new(Wakeable::new(io::stdin(), cancel)));
    }
    if kind(path)? == Kind::Stream {
        // Not opened with `File::open`: it retries an interrupted `open`,
        // so a FIFO without a writer could never be given up.
        let file = open_read(path, cancel)?;
        return stream(Box::new(Wakeable::new(file, cancel)));
    }
    let file = open_read(path, cancel)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        // Replaced by a FIFO or device since `kind` looked.
        return stream(Box::new(Wakeable::new(file, cancel)));
    }
    if gzip_magic(&file)? {
        return Ok(Opened::Stream(Box::new(Gunzip::new(
            io::BufReader::with_capacity(GZIP_BUFFER, file),
        ))));
    }
    Ok(Opened::Ranged {
        file,
        size: meta.len(),
    })
}

/// Opens `path` read-only; an `open` interrupted by a signal is retried
/// unless `cancel` is raised.
fn open_read(path: &Path, cancel: &Cancel) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
        loop {
            if cancel.is_cancelled() {
                return Err(cancelled());
            }
            // SAFETY: a valid NUL-terminated path and plain flags; a
            // returned descriptor is ours alone to own.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
            if fd >= 0 {
                // SAFETY: `fd` was just opened and is owned by nothing else.
                return Ok(unsafe { File::from_raw_fd(fd) });
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = cancel;
        File::open(path)
    }
}

/// The error a read or open gives up with once the scan is cancelled. Not of
/// kind `Interrupted`: std's own loops (`read_exact`) would retry that.
fn cancelled() -> io::Error {
    io::Error::other("interrupted")
}

/// A stream whose reads retry when a signal interrupts them, unless `cancel`
/// is raised: then they fail with [`cancelled`], so a reader blocked on a
/// quiet pipe wakes when it is signalled and stops.
struct Wakeable<R> {
    inner: R,
    cancel: Cancel,
}

impl<R> Wakeable<R> {
    fn new(inner: R, cancel: &Cancel) -> Self {
        Wakeable {
            inner,
            cancel: cancel.clone(),
        }
    }
}

impl<R: Read> Read for Wakeable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.cancel.is_cancelled() {
                return Err(cancelled());
            }
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => return r,
            }
        }
    }
}

/// Decompresses every gzip member of a stream, one after the other, as
/// `gzip -d` does: zero bytes after the last member (the padding of a tape
/// block or a preallocated file) are accepted and ignored; anything else
/// after a member that is not another member is an error, once what came
/// before it has been read.
struct Gunzip<R: BufRead> {
    /// The member being decoded; `None` once the stream ended.
    member: Option<GzDecoder<R>>,
}

impl<R: BufRead> Gunzip<R> {
    fn new(r: R) -> Self {
        Gunzip {
            member: Some(GzDecoder::new(r)),
        }
    }
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The member ended (a decoder returns 0 only after its trailer).
            let mut rest = self.member.take().expect("checked above").into_inner();
            if after_member(&mut rest)? {
                self.member = Some(GzDecoder::new(rest));
            }
        }
    }
}

/// What follows a gzip member: `true` for another member, `false` for the
/// end of the stream, possibly after zero padding; an error for anything
/// else.
fn after_member(r: &mut impl BufRead) -> io::Result<bool> {
    let mut padding = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(false);
        }
        let zeros = buf.iter().position(|&b| b != 0).unwrap_or(buf.len());
        if zeros == 0 && !padding && buf[0] == GZIP_MAGIC[0] {
            return Ok(true);
        }
        if zeros < buf.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "trailing garbage after the last gzip member (what came before it was counted)",
            ));
        }
        padding = true;
        let n = buf.len();
        r.consume(n);
    }
}

/// When stdin is a pipe, asks the kernel for a 1 MiB pipe buffer (Linux
/// `F_SETPIPE_SZ`; the default is 64 KiB): the writer (`cat`, `zcat`, `ssh`)
/// then blocks and wakes far less often, which is most of the cost of
/// reading a pipe at gigabytes per second. Failure (not a pipe, above
/// `/proc/sys/fs/pipe-max-size`, not Linux) just leaves the default.
fn grow_stdin_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on file descriptor 0 with an integer argument touches no
    // memory of ours; an error return is ignored.
    unsafe {
        libc::fcntl(0, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

/// Whether a file starts with the gzip magic bytes.
fn gzip_magic(file: &File) -> io::Result<bool> {
    let mut magic = [0u8; 2];
    Ok(read_at_full(file, &mut magic, 0)? == 2 && magic == GZIP_MAGIC)
}

/// Whether the file at `path` is gzip (by content); false when unreadable.
pub fn is_gzip(path: &Path) -> bool {
    File::open(path)
        .and_then(|f| gzip_magic(&f))
        .unwrap_or(false)
}

/// Wraps a stream, looking at its first two bytes to decide on gzip.
fn stream(mut r: Box<dyn Read + Send>) -> io::Result<Opened> {
    let mut head = Vec::with_capacity(2);
    while head.len() < 2 {
        let mut b = [0u8; 2];
        let n = match r.read(&mut b[..2 - head.len()]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        head.extend_from_slice(&b[..n]);
    }
    let gz = head == GZIP_MAGIC;
    let whole: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(r));
    Ok(Opened::Stream(if gz {
        Box::new(Gunzip::new(io::BufReader::with_capacity(
            GZIP_BUFFER,
            whole,
        )))
    } else {
        whole
    }))
}

/// Reads into `buf` at `offset` until it is full or the file ends; returns the
/// bytes read. A file that shrank under us simply reads short.
pub fn read_at_full(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// An I/O error as a short human message, without Rust's ` (os error N)` tail.
pub fn describe(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
