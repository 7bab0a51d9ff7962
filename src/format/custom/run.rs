//! Running a compiled [`Program`] on lines: the [`Custom`] extractor, line
//! by line and over a window's bitmaps.

use super::compile::{Op, Program};
use crate::bytes;
use crate::format::clf::closing_quote_by;
use crate::lines::{
    Extractor, Line, SLOTS, Sink, WindowLines, count_lines, for_each_window, status_token,
};

/// Runs a [`Program`] on each line.
///
/// The program is regrouped once into a leading literal, the fields before
/// the status (each with how it ends and the literal that must follow it)
/// and the status field, so the per-line loop is one uniform step per field
/// with no look-ahead, and no dispatch on literal and field ops in turn.
/// Literals of up to eight bytes are compared as one masked word rather than
/// through `memcmp`. Where a field ends is found with bitmaps of the window
/// in the engine's loop ([`Custom::count_chunk`]) and eight bytes at a time
/// ([`bytes::find_near`]) for a lone line; a `memchr` call per field costs
/// more in set-up than the search itself.
#[derive(Clone, Debug)]
pub struct Custom {
    /// Bytes the line must start with.
    lead: Lit,
    /// The fields before the status, in order.
    skip: Box<[Skip]>,
    /// The status field (its literal is empty if nothing follows it).
    status: Skip,
    /// The distinct bytes the program searches for; bitmap `1 + i` of the
    /// windowed loop is `needles[i]`'s (bitmap 0 is `\n`).
    needles: Vec<u8>,
    /// Where the time is, for options that read it.
    time: Option<super::time::TimeField>,
    /// Where the `--top` fields are.
    fields: std::sync::Arc<[super::FieldSpan]>,
}

/// A literal, with its first eight bytes also as a word and mask so that the
/// usual short literal (`" ["`, `"] \""`) is compared in one operation.
#[derive(Clone, Debug, Default)]
struct Lit {
    bytes: Box<[u8]>,
    word: u64,
    mask: u64,
}

impl Lit {
    fn new(bytes: &[u8]) -> Lit {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        Lit {
            bytes: bytes.into(),
            word: u64::from_le_bytes(word),
            mask: u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0),
        }
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// `buf[p..end]` starts with this literal (`p <= end <= buf.len()`).
    ///
    /// The word compared may run past `end` into what follows the line in
    /// `buf` (the rest of the window): the mask keeps only the literal's
    /// bytes, and that they lie before `end` is checked first. So the word
    /// compare serves every literal of up to eight bytes that is not at the
    /// very end of a window, also one that ends within eight bytes of the
    /// line's end (`"` before `" 404 0`, on every line with a one-digit
    /// size), which a word read from the line alone could not reach.
    #[inline(always)]
    fn at(&self, buf: &[u8], p: usize, end: usize) -> bool {
        let n = self.bytes.len();
        if n <= 8
            && let Some(w) = buf.get(p..p + 8)
        {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            return n <= end - p && (w ^ self.word) & self.mask == 0;
        }
        self.at_slow(buf, p, end)
    }

    /// [`Lit::at`] for a literal of over eight bytes or at the end of `buf`.
    #[cold]
    #[inline(never)]
    fn at_slow(&self, buf: &[u8], p: usize, end: usize) -> bool {
        buf[p..end].starts_with(&self.bytes)
    }
}

/// A field stepped over: where it ends and the literal that follows it.
#[derive(Clone, Debug)]
struct Skip {
    end: End,
    /// A list of values, one per upstream tried; as the status, its last.
    list: bool,
    after: Lit,
    /// The byte this field's end is searched for (unused for `Blank`), and
    /// the index of its bitmap in the windowed loop.
    needle: u8,
    map: u8,
}

/// Where a field ends.
#[derive(Clone, Copy, Debug)]
enum End {
    /// At the first space or tab (a status with nothing after it).
    Blank,
    /// At the first space (the next literal starts with one).
    Space,
    /// At the first `"` not escaped by a backslash, which must start the
    /// next literal.
    Quote,
    /// At the first occurrence of the next literal.
    Find,
    /// At the first space or tab outside the `, ` and ` : ` separators of an
    /// nginx upstream list (`502, 200`, `502 : 504`); only in
    /// [`matched_end_slow`], so no other field pays for it.
    List,
}

/// Bytes per window of [`Custom::count_chunk`]: its bitmaps (at most
/// 5 × 8 KiB: `\n` and four needles; a program that searches for more bytes
/// is counted line by line) stay in L1/L2.
pub(super) const WINDOW: usize = 64 * 1024;

impl Custom {
    pub fn new(p: &Program) -> Self {
        let mut lead = Lit::default();
        let mut fields = Vec::new();
        let mut needles: Vec<u8> = Vec::new();
        for (i, op) in p.ops.iter().enumerate() {
            let Op::Field {
                status: is_status,
                quoted,
                list,
            } = op
            else {
                if i == 0 {
                    lead = Lit::new(op_lit(op));
                }
                continue;
            };
            let after = Lit::new(p.ops.get(i + 1).map(op_lit).unwrap_or_default());
            // A list's end is never searched for: its needle is `\n`, which
            // no line holds, so the fast path of `matched_end` passes it on
            // to `matched_end_slow` without a test of its own.
            let (end, needle) = match after.bytes.first() {
                None if *list => (End::List, b'\n'),
                None => (End::Blank, b'\n'),
                Some(_) if *quoted => (End::Quote, b'"'),
                Some(b' ') if *list => (End::List, b'\n'),
                // A space-delimited field ends at the first space:
                // `$remote_addr [` must not swallow `1.2.3.4 - -`.
                Some(b' ') => (End::Space, b' '),
                Some(&b) => (End::Find, b),
            };
            // Bitmap 0 of the windowed loop is `\n`.
            let map = match end {
                End::Blank | End::List => 0,
                _ => match needles.iter().position(|&n| n == needle) {
                    Some(i) => i + 1,
                    None => {
                        needles.push(needle);
                        needles.len()
                    }
                },
            };
            fields.push(Skip {
                end,
                list: *list,
                after,
                needle,
                map: u8::try_from(map).unwrap_or(u8::MAX),
            });
            if *is_status {
                break;
            }
        }
        let status = fields
            .pop()
            .expect("Program::compile refuses a format without a status field");
        Custom {
            lead,
            skip: fields.into(),
            status,
            needles,
            time: p.time.clone(),
            fields: p.field_spans().clone(),
        }
    }

    /// Runs the program on the line `buf[s..e]`, finding bytes with
    /// `find(step, from)`: the first position of `step.needle` in `buf` at
    /// or after `from` and before `e`. Positions are offsets into `buf`
    /// (the whole window in the windowed loop), so the bit scans need no
    /// conversion to and from line offsets.
    #[inline(always)]
    fn run(
        &self,
        buf: &[u8],
        s: usize,
        e: usize,
        find: impl Fn(&Skip, usize) -> Option<usize>,
    ) -> Line {
        // Most formats start with a field: no compare at all then.
        if !self.lead.bytes.is_empty() && !self.lead.at(buf, s, e) {
            return Line::Malformed;
        }
        let mut p = s + self.lead.len();
        for f in self.skip.iter() {
            let Some(end) = matched_end(buf, p, e, f, &find) else {
                return Line::Malformed;
            };
            p = end + f.after.len();
        }
        let f = &self.status;
        let end = match f.end {
            // A status is a few bytes: a plain loop is cheapest.
            End::Blank => buf[p..e]
                .iter()
                .position(|&b| b == b' ' || b == b'\t')
                .map_or(e, |n| p + n),
            End::Space => find(f, p).unwrap_or(e),
            End::List => {
                return match matched_end(buf, p, e, f, &find) {
                    Some(end) => last_status(&buf[p..end]),
                    None => Line::Malformed,
                };
            }
            End::Quote | End::Find => match matched_end(buf, p, e, f, &find) {
                Some(end) if f.list => return last_status(&buf[p..end]),
                Some(end) => end,
                None => return Line::Malformed,
            },
        };
        status_token(&buf[p..end])
    }

    /// Counts every line of `chunk` (the contract of
    /// [`crate::lines::count_lines`]).
    ///
    /// Custom formats are read field by field, and on short lines the
    /// searches for each field's end cost more than anything else, however
    /// they are done one at a time. So, as the CLF loop does, each 64 KiB
    /// window is first turned into bitmaps of `\n` and of each byte the
    /// program looks for (a space, a quote, the first byte of a literal);
    /// every search is then a bit scan. The program itself is the same
    /// `Custom::run` the line-by-line path uses, so results are the same.
    fn count_fast(&mut self, chunk: &[u8], sink: &mut Sink) {
        // One bitmap for `\n` and one per needle, no more: each costs a
        // compare per 32 bytes of every window.
        match self.needles.len() {
            0 => self.count_windowed::<1>(chunk, sink),
            1 => self.count_windowed::<2>(chunk, sink),
            2 => self.count_windowed::<3>(chunk, sink),
            3 => self.count_windowed::<4>(chunk, sink),
            4 => self.count_windowed::<5>(chunk, sink),
            _ => count_lines(self, chunk, sink),
        }
    }

    /// [`Custom::count_chunk`] with `N - 1` needles; bitmap 0 is `\n`.
    fn count_windowed<const N: usize>(&mut self, chunk: &[u8], sink: &mut Sink) {
        let mut needles = [b'\n'; N];
        needles[1..].copy_from_slice(&self.needles);
        let mut masks = [[0u64; WORDS]; N];
        for_each_window(self, chunk, sink, WINDOW, |ex, w, sink, index| {
            let words = w.len().div_ceil(64);
            bytes::fill_bitmaps(w, needles, &mut masks.each_mut().map(|m| &mut m[..words]));
            // Every bitmap in one slice: a step's bitmap is found from its
            // index alone, without loading a slice of its own. The search
            // captures `e` by value: captured by reference, it would be kept
            // in memory for the out-of-line slow paths.
            let all = masks.as_flattened();
            for (s, e) in WindowLines::new(w, &masks[0][..words]) {
                if e == s {
                    sink.counts.skipped += 1;
                } else {
                    let kind = ex.run(w, s, e, move |f, from| {
                        bit_before(all, usize::from(f.map) * WORDS, from, e)
                    });
                    // A program reads a status, `-` or nothing: those two
                    // booked here, without the other kinds' cases.
                    match kind {
                        Line::Status(code) if usize::from(code) < SLOTS => {
                            sink.counts.codes[usize::from(code)] += 1;
                        }
                        Line::NoStatus => sink.counts.no_status += 1,
                        _ => sink.record(kind, &w[s..e], *index),
                    }
                }
                *index += 1;
            }
        });
    }
}

/// Words per bitmap of [`Custom::count_windowed`]: one more than a window
/// needs, so that [`bit_before`] can read the word after any window's word.
const WORDS: usize = WINDOW / 64 + 1;

/// The first set bit at or after `from` and before `end` of the bitmap that
/// starts at word `base` of `maps` (one bit per byte of the window; `end` is
/// within the window). Bits of words past the window's are stale, and bits
/// past the bitmap's last word belong to the next one: both lie at or past
/// `end`, which stops the search.
///
/// The 64 bits from `from` on are read at once from the two words they span,
/// so a field that ends in the next word costs no more than one that ends in
/// the same word; a loop over words only follows a field of over 64 bytes.
/// On short lines many fields end in the word after the one they start in
/// (benches/NOTES.md).
#[inline(always)]
fn bit_before(maps: &[u64], base: usize, from: usize, end: usize) -> Option<usize> {
    let i = base + from / 64;
    let sh = from % 64;
    // Only the last bitmap has no word after a window's last one: `from`
    // is then at the end of the window, where nothing is found.
    let (Some(&a), Some(&b)) = (maps.get(i), maps.get(i + 1)) else {
        return None;
    };
    let m = a >> sh | (b << 1) << (63 - sh);
    let at = if m != 0 {
        from + m.trailing_zeros() as usize
    } else {
        far_bit(maps, base, from + 64, end)?
    };
    (at < end).then_some(at)
}

/// [`bit_before`] past the 64 bits it reads first: the first set bit at or
/// after `from`, word by word.
#[cold]
fn far_bit(maps: &[u64], base: usize, from: usize, end: usize) -> Option<usize> {
    let mut word = from / 64;
    let mut m = *maps.get(base + word)? >> (from % 64) << (from % 64);
    while m == 0 {
        word += 1;
        if word * 64 >= end {
            return None;
        }
        m = *maps.get(base + word)?;
    }
    Some(word * 64 + m.trailing_zeros() as usize)
}

impl Extractor for Custom {
    #[inline]
    fn classify(&mut self, line: &[u8]) -> Line {
        self.run(line, 0, line.len(), |f, from| {
            bytes::find_near(line, from, f.needle)
        })
    }

    fn count_chunk(&mut self, chunk: &[u8], sink: &mut Sink) {
        self.count_fast(chunk, sink);
    }

    fn timestamp(
        &mut self,
        line: &[u8],
        clock: &mut crate::time::Clock,
    ) -> Option<crate::time::Stamp> {
        self.time.as_ref()?.stamp(line, clock)
    }

    fn field<'a>(
        &mut self,
        line: &'a [u8],
        want: &crate::top::Wanted,
        _: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        self.fields
            .iter()
            .find(|f| f.field() == want.field)?
            .read(line)
    }
}

/// The bytes of a literal op (fields have none).
fn op_lit(op: &Op) -> &[u8] {
    match op {
        Op::Lit(l) => l,
        Op::Field { .. } => &[],
    }
}

/// Where the field `f` starting at `p` ends, at a byte where the literal
/// after it follows; `None` when the line `buf[..e]` does not continue as the
/// format says (for a status field other than a `Blank` one, which reads no
/// literal).
///
/// The usual case first, in straight-line code: the field ends at its first
/// needle, not after a backslash, and the literal follows. Anything else (an
/// escaped quote, a `Find` end whose needle is not yet the literal's start,
/// a line that does not match) is left to [`matched_end_slow`], which applies
/// the whole rule from `p` again. With that rule inline, the compiler keeps
/// the literal's fields and the search's state on the stack. One path
/// serves every kind of end, instead of a `match` on it, which compiles to a
/// jump table per field (benches/NOTES.md).
#[inline(always)]
fn matched_end(
    buf: &[u8],
    p: usize,
    e: usize,
    f: &Skip,
    find: &impl Fn(&Skip, usize) -> Option<usize>,
) -> Option<usize> {
    // A quoted field follows a literal that ends with `"`, so `buf[q - 1]`
    // is that quote, not a backslash, when the field is empty (`q == p`):
    // no test of `q > p` is needed.
    if let Some(q) = find(f, p)
        && !(matches!(f.end, End::Quote) && buf[q - 1] == b'\\')
        && f.after.at(buf, q, e)
    {
        return Some(q);
    }
    matched_end_slow(buf, p, e, f, find)
}

/// [`matched_end`] in full: the field ends at its first needle (the first
/// unescaped one for `Quote`), where the literal must follow, except that a
/// `Find` end moves on to the next needle.
#[cold]
#[inline(never)]
fn matched_end_slow<F>(buf: &[u8], p: usize, e: usize, f: &Skip, find: &F) -> Option<usize>
where
    F: Fn(&Skip, usize) -> Option<usize>,
{
    let mut q = match f.end {
        End::Quote => closing_quote_by(buf, p, |from| find(f, from))?,
        End::List => list_end(buf, p, e),
        _ => find(f, p)?,
    };
    loop {
        if f.after.at(buf, q, e) {
            return Some(q);
        }
        if !matches!(f.end, End::Find) {
            return None;
        }
        q = find(f, q + 1)?;
    }
}

/// Where the upstream list starting at `p` ends in the line `buf[..e]`: at
/// the first space or tab that is not part of a `, ` or ` : ` separator, or
/// at the line's end.
#[cold]
fn list_end(buf: &[u8], p: usize, e: usize) -> usize {
    let mut q = p;
    while q < e {
        match buf[q] {
            b'\t' => return q,
            b' ' if q > p && buf[q - 1] == b',' => q += 1,
            b' ' if buf[q + 1..e].starts_with(b": ") => q += 3,
            b' ' => return q,
            _ => q += 1,
        }
    }
    e
}

/// The status of the upstream that answered last: the last value of the
/// list (`502, 200` is 200, `502 : 504` is 504).
#[cold]
fn last_status(list: &[u8]) -> Line {
    status_token(list.rsplit(|&b| b == b' ').next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `bit_before` is a plain scan of the bitmap, whatever the words
        /// past the window and the next bitmap hold.
        #[test]
        fn bit_before_is_a_plain_scan(
            maps in prop::collection::vec(prop_oneof![Just(0u64), Just(0u64), Just(1u64), Just(1u64 << 63), any::<u64>()], 3 * 5),
            map in 0usize..3,
            end in 0usize..=4 * 64,
            word in 0usize..=4,
            off in prop_oneof![Just(0usize), Just(1), Just(62), Just(63), 0usize..64],
        ) {
            // Three bitmaps of five words (a window of four and the word
            // after it), as `count_windowed` lays them out; `from` is often
            // at a word's edge.
            let from = (64 * word + off).min(end);
            let bits = &maps[5 * map..5 * map + 5];
            let want = (from..end).find(|&i| bits[i / 64] >> (i % 64) & 1 == 1);
            prop_assert_eq!(bit_before(&maps, 5 * map, from, end), want);
        }

        /// `Lit::at` is `starts_with` on the line, wherever the line lies
        /// in the buffer and whatever follows it.
        #[test]
        fn lit_at_is_starts_with(
            lit in prop::collection::vec(prop::sample::select(b"ab ".to_vec()), 0..12),
            buf in prop::collection::vec(prop::sample::select(b"ab ".to_vec()), 0..40),
            p in 0usize..40,
            end in 0usize..40,
        ) {
            let end = end.min(buf.len());
            let p = p.min(end);
            let l = Lit::new(&lit);
            prop_assert_eq!(l.at(&buf, p, end), buf[p..end].starts_with(&lit));
        }
    }
}
