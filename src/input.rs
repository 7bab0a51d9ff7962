//! Opening inputs: regular files are read by byte ranges (so workers can
//! `pread` their own chunks in parallel); stdin, pipes and compressed inputs
//! are streams read front to back.
//!
//! Compression is told by content, never by name: an input's first bytes are
//! matched against the magic numbers of the formats logstat decodes (gzip,
//! zstd, xz, bzip2) and of those it only names (lz4, zip, 7z, …), so a
//! rotated `access.log.1` that happens to be zstd is read, and an lz4 file is
//! refused as lz4 rather than as a log of no known format.
//!
//! Files are deliberately not memory-mapped: a log truncated under us
//! (logrotate `copytruncate`) would turn a mapped read into SIGBUS, while a
//! plain read just comes back short.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use crate::interrupt::Cancel;

/// Read-ahead of the compressed side of a compressed input.
const COMPRESSED_BUFFER: usize = 256 * 1024;

/// What an input is, told without opening it: opening a FIFO waits for its
/// writer, so the engine must know which inputs to open on a thread of their
/// own before it opens any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (plain or compressed): opening it never waits.
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
    /// Anything read front to back: stdin, pipes, devices, compressed
    /// inputs (decompressed).
    Stream(Box<dyn Read + Send>),
}

/// Opens `path` (`-` is stdin), recognising compression by its magic bytes
/// ([`sniff`]) rather than by name, and decoding concatenated members or
/// frames (`cat a.zst b.zst`) as one log. An input compressed in a format
/// logstat does not decode is an error that names the format.
///
/// Every step that can wait (opening a FIFO that has no writer yet, reading
/// a quiet pipe's first bytes to look for a magic number) gives up with an
/// error once `cancel` is raised and the waiting call is interrupted by a
/// signal ([`crate::interrupt::Wakers`]); so do the returned stream's reads.
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
    let mut head = [0u8; SNIFF_BYTES];
    let n = read_at_full(&file, &mut head, 0)?;
    match sniff(&head[..n], true) {
        Sniff::Plain | Sniff::More => {}
        Sniff::Decode(c) => return Ok(Opened::Stream(decoder(c, Box::new(file))?)),
        Sniff::Foreign(f) => return Err(f.error()),
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
    io::Error::other(Cancelled)
}

/// The cause of [`cancelled`], told apart from a decoder's own errors.
#[derive(Debug)]
struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Cancelled {}

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

/// A compression format logstat decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Compression {
    /// The format's name, as its tool is called.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// What the format calls the units a file may be a concatenation of.
    fn member(self) -> &'static str {
        match self {
            Compression::Gzip => "member",
            Compression::Zstd => "frame",
            Compression::Xz | Compression::Bzip2 => "stream",
        }
    }

    /// Whether a byte can start another member.
    fn starts_member(self, b: u8) -> bool {
        match self {
            Compression::Gzip => b == 0x1f,
            // A data frame, or a skippable one (0x184D2A50..5F, little-endian).
            Compression::Zstd => b == 0x28 || b & 0xf0 == 0x50,
            Compression::Xz => b == 0xfd,
            Compression::Bzip2 => b == b'B',
        }
    }

    /// Whether zero bytes after the last member are padding, as the format's
    /// own tool reads them: `gzip -d` and `bzip2 -d` ignore them, `zstd -d`
    /// refuses them, and xz has stream padding in its format ([`after_member`]).
    fn padding(self) -> bool {
        self != Compression::Zstd
    }
}

/// A compression format logstat recognises but does not decode: the input
/// is refused with the command that decodes it for a pipe into `logstat -`.
#[derive(Debug, PartialEq, Eq)]
pub struct Foreign {
    pub name: &'static str,
    /// Writes the decompressed bytes of `FILE` to stdout.
    pub command: &'static str,
}

impl Foreign {
    fn error(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}-compressed, which logstat does not read; decompress it first (`{} | logstat -`)",
                self.name, self.command
            ),
        )
    }
}

/// What an input's first bytes say it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Sniff {
    /// No magic number: a log (or anything else) read as it is.
    Plain,
    Decode(Compression),
    Foreign(&'static Foreign),
    /// The bytes so far start a magic number: more are needed to tell.
    More,
}

/// The most bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 10;

/// What a magic number says.
enum Says {
    Decode(Compression),
    Foreign(Foreign),
}

/// A magic number: the bytes an input starts with, each in `lo[i]..=hi[i]`.
struct Magic {
    lo: &'static [u8],
    hi: &'static [u8],
    says: Says,
}

const fn exact(bytes: &'static [u8], says: Says) -> Magic {
    Magic {
        lo: bytes,
        hi: bytes,
        says,
    }
}

const fn decode(c: Compression) -> Says {
    Says::Decode(c)
}

const fn foreign(name: &'static str, command: &'static str) -> Says {
    Says::Foreign(Foreign { name, command })
}

/// Magic numbers. None is a prefix of another, and none starts with a byte
/// a text log starts with unless bytes no text has follow (NUL, bzip2's
/// block magic), so a log is never mistaken for one.
const MAGICS: &[Magic] = &[
    exact(b"\x1f\x8b", decode(Compression::Gzip)),
    exact(b"\x28\xb5\x2f\xfd", decode(Compression::Zstd)),
    // A skippable frame first (seekable zstd, pzstd); lz4 shares the magic,
    // but its files start with a frame of its own.
    Magic {
        lo: b"\x50\x2a\x4d\x18",
        hi: b"\x5f\x2a\x4d\x18",
        says: decode(Compression::Zstd),
    },
    exact(b"\xfd7zXZ\x00", decode(Compression::Xz)),
    // "BZh", the block size, then the first block's magic (pi) or, for an
    // empty stream, the end-of-stream magic (sqrt pi).
    Magic {
        lo: b"BZh1\x31\x41\x59\x26\x53\x59",
        hi: b"BZh9\x31\x41\x59\x26\x53\x59",
        says: decode(Compression::Bzip2),
    },
    Magic {
        lo: b"BZh1\x17\x72\x45\x38\x50\x90",
        hi: b"BZh9\x17\x72\x45\x38\x50\x90",
        says: decode(Compression::Bzip2),
    },
    exact(b"\x04\x22\x4d\x18", foreign("lz4", "lz4 -dc FILE")),
    exact(b"\x02\x21\x4c\x18", foreign("lz4", "lz4 -dc FILE")),
    // The legacy .lzma format has no magic number; its header starts with
    // the default properties byte and a dictionary size whose low bytes are 0.
    exact(b"\x5d\x00\x00", foreign("lzma", "xz -dc FILE")),
    exact(b"\x1f\x9d", foreign("compress (.Z)", "gzip -dc FILE")),
    exact(b"LZIP\x01", foreign("lzip", "lzip -dc FILE")),
    exact(b"\x89LZO\x00\r\n\x1a\n", foreign("lzop", "lzop -dc FILE")),
    // A local file, an empty archive, a spanned one.
    Magic {
        lo: b"PK\x03\x04",
        hi: b"PK\x07\x08",
        says: foreign("zip", "unzip -p FILE"),
    },
    exact(b"7z\xbc\xaf\x27\x1c", foreign("7z", "7z x -so FILE")),
    exact(b"Rar!\x1a\x07", foreign("rar", "unrar p -inul FILE")),
];

/// Tells from an input's first bytes whether it is compressed, and how.
/// `end`: these are all the bytes there are, so a magic number begun but
/// not finished is no magic number.
pub fn sniff(head: &[u8], end: bool) -> Sniff {
    let mut more = false;
    for m in MAGICS {
        let n = m.lo.len().min(head.len());
        let fits = (0..n).all(|i| (m.lo[i]..=m.hi[i]).contains(&head[i]));
        if !fits {
            continue;
        }
        if n == m.lo.len() {
            return match &m.says {
                Says::Decode(c) => Sniff::Decode(*c),
                Says::Foreign(f) => Sniff::Foreign(f),
            };
        }
        more = true;
    }
    if more && !end {
        Sniff::More
    } else {
        Sniff::Plain
    }
}

/// The input at the start of a member, read ahead.
type Compressed = io::BufReader<Box<dyn Read + Send>>;

/// Decompresses `r`, every member of it one after the other.
fn decoder(c: Compression, r: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let r = io::BufReader::with_capacity(COMPRESSED_BUFFER, r);
    Ok(Box::new(Members {
        codec: c,
        member: Some(Member::new(c, r)?),
    }))
}

/// One member being decoded.
enum Member {
    Gzip(GzDecoder<Compressed>),
    Zstd(zstd::stream::read::Decoder<'static, Compressed>),
    Xz(liblzma::bufread::XzDecoder<Compressed>),
    Bzip2(bzip2::bufread::BzDecoder<Compressed>),
}

impl Member {
    fn new(c: Compression, r: Compressed) -> io::Result<Member> {
        Ok(match c {
            Compression::Gzip => Member::Gzip(GzDecoder::new(r)),
            Compression::Zstd => {
                Member::Zstd(zstd::stream::read::Decoder::with_buffer(r)?.single_frame())
            }
            Compression::Xz => Member::Xz(liblzma::bufread::XzDecoder::new(r)),
            Compression::Bzip2 => Member::Bzip2(bzip2::bufread::BzDecoder::new(r)),
        })
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Member::Gzip(d) => d.read(buf),
            Member::Zstd(d) => d.read(buf),
            Member::Xz(d) => d.read(buf),
            Member::Bzip2(d) => d.read(buf),
        }
    }

    fn into_inner(self) -> Compressed {
        match self {
            Member::Gzip(d) => d.into_inner(),
            Member::Zstd(d) => d.finish(),
            Member::Xz(d) => d.into_inner(),
            Member::Bzip2(d) => d.into_inner(),
        }
    }
}

/// Decompresses every member of a stream, one after the other, as the
/// format's own tool does (`gzip -d`, `zstd -d`, `xz -d`, `bzip2 -d`): anything
/// after a member that is not another member is an error once what came
/// before it has been read, except zero padding where the tool takes it
/// ([`Compression::padding`]).
struct Members {
    codec: Compression,
    /// The member being decoded; `None` once the stream ended.
    member: Option<Member>,
}

impl Read for Members {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(buf).map_err(|e| label(self.codec, e))?;
            if n > 0 {
                return Ok(n);
            }
            // The member ended (a decoder returns 0 only after its trailer).
            let mut rest = self.member.take().expect("checked above").into_inner();
            if after_member(&mut rest, self.codec)? {
                self.member = Some(Member::new(self.codec, rest)?);
            }
        }
    }
}

/// A decoder's error, prefixed with the format so that "corrupt stream"
/// says which; the scan's own cancellation passes through as it is.
fn label(c: Compression, e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::Interrupted || e.get_ref().is_some_and(|c| c.is::<Cancelled>()) {
        return e;
    }
    let msg = describe(&e);
    if msg.starts_with(c.name()) {
        return e;
    }
    io::Error::new(e.kind(), format!("{}: {msg}", c.name()))
}

/// What follows a member: `true` for another member, `false` for the end of
/// the stream, possibly after zero padding where the format allows it; an
/// error for anything else. Padding ends the stream, except in xz, whose
/// streams may be padded with zeros, four at a time, between them as after
/// the last.
fn after_member(r: &mut impl BufRead, c: Compression) -> io::Result<bool> {
    let garbage = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "trailing garbage after the last {} {} (what came before it was counted)",
                c.name(),
                c.member()
            ),
        )
    };
    let xz = c == Compression::Xz;
    let mut zeros = 0u64;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return if xz && !zeros.is_multiple_of(4) {
                Err(garbage())
            } else {
                Ok(false)
            };
        }
        let z = buf.iter().position(|&b| b != 0).unwrap_or(buf.len());
        if z == 0 {
            let between = zeros == 0 || (xz && zeros.is_multiple_of(4));
            return if between && c.starts_member(buf[0]) {
                Ok(true)
            } else {
                Err(garbage())
            };
        }
        if !c.padding() {
            return Err(garbage());
        }
        zeros += z as u64;
        r.consume(z);
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

/// Whether the file at `path` is compressed, by content, in any format
/// [`sniff`] knows (decoded or not): its size then says nothing of how many
/// bytes there are to count. False when unreadable.
pub fn is_compressed(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut head = [0u8; SNIFF_BYTES];
    match read_at_full(&file, &mut head, 0) {
        Ok(n) => !matches!(sniff(&head[..n], true), Sniff::Plain | Sniff::More),
        Err(_) => false,
    }
}

/// [`is_compressed`], by the name the progress bar calls it.
pub fn is_gzip(path: &Path) -> bool {
    is_compressed(path)
}

/// Wraps a stream, reading its first bytes until [`sniff`] can tell what it
/// is: a read returns what the writer has written so far, and a text log is
/// told from its first one or two bytes, so a slow writer is never waited
/// for beyond what a magic number needs.
fn stream(mut r: Box<dyn Read + Send>) -> io::Result<Opened> {
    let mut head = [0u8; SNIFF_BYTES];
    let mut len = 0;
    let told = loop {
        let n = match r.read(&mut head[len..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        len += n;
        match sniff(&head[..len], n == 0 || len == SNIFF_BYTES) {
            Sniff::More => {}
            told => break told,
        }
    };
    let whole: Box<dyn Read + Send> = Box::new(io::Cursor::new(head[..len].to_vec()).chain(r));
    match told {
        Sniff::Decode(c) => Ok(Opened::Stream(decoder(c, whole)?)),
        Sniff::Foreign(f) => Err(f.error()),
        Sniff::Plain | Sniff::More => Ok(Opened::Stream(whole)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every magic number is told once whole, asks for more while only
    /// begun, and is no magic number when the input ends before it does.
    #[test]
    fn magic_numbers_are_told_only_whole() {
        for m in MAGICS {
            assert_eq!(m.lo.len(), m.hi.len());
            let whole = m.lo;
            assert_ne!(sniff(whole, false), Sniff::Plain, "{whole:02x?}");
            assert_eq!(sniff(whole, false), sniff(&[whole, b"tail"].concat(), true));
            for n in 1..whole.len() {
                assert_eq!(sniff(&whole[..n], false), Sniff::More, "{whole:02x?}");
                assert_eq!(sniff(&whole[..n], true), Sniff::Plain, "{whole:02x?}");
            }
            assert!(whole.len() <= SNIFF_BYTES);
        }
    }

    #[test]
    fn each_format_is_told_by_its_magic_number() {
        let cases: [(&[u8], Sniff); 8] = [
            (&[0x1f, 0x8b, 8], Sniff::Decode(Compression::Gzip)),
            (
                &[0x28, 0xb5, 0x2f, 0xfd, 0],
                Sniff::Decode(Compression::Zstd),
            ),
            (
                &[0x5e, 0x2a, 0x4d, 0x18, 4],
                Sniff::Decode(Compression::Zstd),
            ),
            (
                &[0xfd, b'7', b'z', b'X', b'Z', 0, 0],
                Sniff::Decode(Compression::Xz),
            ),
            (b"BZh91AY&SY\x01", Sniff::Decode(Compression::Bzip2)),
            (
                &[b'B', b'Z', b'h', b'1', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90],
                Sniff::Decode(Compression::Bzip2),
            ),
            (b"BZh91AY&SX", Sniff::Plain),
            (b"PK\x03\x04\x14", Sniff::More),
        ];
        for (head, want) in cases {
            let end = want != Sniff::More;
            let got = sniff(head, end);
            if want == Sniff::More {
                assert!(matches!(got, Sniff::Foreign(_)), "{head:02x?}: {got:?}");
            } else {
                assert_eq!(got, want, "{head:02x?}");
            }
        }
    }

    /// No log the formats' fixtures hold starts like a compressed input,
    /// and each is told from its first two bytes, so a slow writer is never
    /// waited for beyond those.
    #[test]
    fn logs_are_plain_from_their_first_two_bytes() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/formats");
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.is_empty() {
                continue;
            }
            let n = bytes.len().min(2);
            assert_eq!(
                sniff(&bytes[..n], false),
                Sniff::Plain,
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn compressed_files_have_no_size_to_count() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compressed");
        let p = |n: &str| Path::new(dir).join(n);
        assert!(!is_compressed(&p("access.log")));
        for n in [
            "access.log.gz",
            "access.log.zst",
            "access.log.xz",
            "access.log.bz2",
            "access.log.lz4",
        ] {
            assert!(is_compressed(&p(n)), "{n}");
        }
    }
}
