//! Where JSON strings and brackets are in a line, 64 bytes at a time.
//!
//! The JSON extractor walks the members of the top-level object and has to
//! step over strings (most of a JSON log's bytes: URIs, user agents, headers)
//! and over nested objects. Searching for each string's end with `memchr2`
//! would restart a SIMD search per string, and JSON log strings are so short
//! that the set-up costs more than the search; walking a nested object byte
//! by byte costs a step per byte. [`Blocks`] instead classifies 64 bytes at
//! once, as simdjson's first
//! stage does: bitmaps of the quotes that are not escaped (the escaped ones
//! found from runs of backslashes without a loop), of the bytes inside
//! strings (a prefix XOR of those quotes) and of the brackets outside strings.
//! A string's end is then one bit scan, and a nested value's end a count over
//! its brackets outside strings, one step per bracket.
//!
//! The bitmaps assume every backslash escapes and every quote opens or closes
//! a string, which holds inside strings but not in the byte-by-byte reading
//! (the reference scanner in the tests) of two invalid cases: a quote or
//! backslash inside a bare
//! value (`tru"e`) and a backslash between the members of a nested value
//! (`[\"x"]`). The walker calls [`Blocks::resync`] after such a bare value,
//! and a quote escaped outside a string is reported as a `stray` event in
//! [`Blocks::close_from`], which restarts the bitmaps there too. Restarting
//! at a byte known to be outside a string is always exact, so the results
//! equal the byte-by-byte scanner's for every input.
//!
//! The compares themselves are [`crate::bytes`]' ([`bitmaps16`],
//! [`bytes::any16`], [`Lanes::bitmaps64`] with the `{`/`[` fold, and
//! [`Lanes::prefix_xor`]): they are `inline(always)` or compiled into the
//! JSON loop's AVX2 code, so they cost exactly what compares written in this
//! module would, and the crate keeps one place that issues vector compares
//! (benches/NOTES.md has the callgrind counts that check it).

use crate::bytes::{self, Baseline, Byte, Lanes, bitmaps16};

/// The bitmaps of one 64-byte block of a line (bit `i` is byte `base + i`),
/// and the state carried into the next block.
///
/// Only the quotes are found for every block; the brackets and the bytes
/// inside strings only for blocks a nested value is stepped over in
/// ([`Blocks::close_from`]): most lines have few and short nested values,
/// and finding them for every block would cost every line for those few.
///
/// `cpu` says how blocks are read: `Blocks<Avx2Bmi>` reads whole blocks
/// with AVX2 ([`gather`]) and finds the bytes inside strings with a
/// carry-less multiply, and can only be made with the token that proves the
/// CPU has them.
pub struct Blocks<'a, L: Lanes = Baseline> {
    cpu: L,
    line: &'a [u8],
    /// Offset of the block the bitmaps describe.
    base: usize,
    /// Quotes not escaped by a backslash: each opens or closes a string.
    quote: u64,
    /// Quotes escaped by a backslash. Outside strings (only in invalid JSON)
    /// the bitmaps and a byte-by-byte reading part ways there.
    escaped_quote: u64,
    /// All ones when the block starts inside a string.
    in_string: u64,
    /// 1 when the first byte of the next block is escaped.
    escaped: u64,
}

impl<'a, L: Lanes> Blocks<'a, L> {
    /// The bitmaps of `line` from `start` (outside any string), where `rest`
    /// starts with the line and runs on past it (the rest of its chunk).
    ///
    /// The first block is read whole from `rest` and the bits past the line's
    /// end cleared: on a line shorter than a block that is one load instead
    /// of [`gather`]'s lanes pieced together from the line, and no branch on
    /// the line's length, as lines of all lengths alternate in a log. Later
    /// blocks are read from the line alone: keeping `rest` for them costs
    /// more in spilled registers than it saves.
    #[inline(always)]
    pub fn within(cpu: L, line: &'a [u8], rest: &[u8], start: usize) -> Self {
        debug_assert!(rest.as_ptr() == line.as_ptr() && rest.len() >= line.len());
        match rest.get(start..).and_then(|b| b.first_chunk::<64>()) {
            Some(block) if start < line.len() => {
                let mut b = Blocks::at(cpu, line, start);
                let [quote, backslash] = cpu.bitmaps64(block, QUOTES);
                let keep = match line.len() - start {
                    n @ 0..64 => !(u64::MAX << n),
                    _ => u64::MAX,
                };
                b.set_quotes(quote & keep, backslash & keep);
                b
            }
            _ => Blocks::new(cpu, line, start),
        }
    }

    /// The bitmaps of `line` from `start`, which must be outside any string.
    #[inline]
    pub fn new(cpu: L, line: &'a [u8], start: usize) -> Self {
        let mut b = Blocks::at(cpu, line, start);
        b.load();
        b
    }

    /// Blocks at `start` with no bits found yet.
    #[inline(always)]
    fn at(cpu: L, line: &'a [u8], start: usize) -> Self {
        Blocks {
            cpu,
            line,
            base: start,
            quote: 0,
            escaped_quote: 0,
            in_string: 0,
            escaped: 0,
        }
    }

    /// Starts the bitmaps again at `p`, a byte the caller knows to be outside
    /// strings and not escaped.
    #[inline]
    pub fn resync(&mut self, p: usize) {
        *self = Blocks::new(self.cpu, self.line, p);
    }

    /// Offset of the first unescaped quote at or after `p`, which must be at
    /// or after every offset asked before (the bitmaps only move forward).
    #[inline(always)]
    pub fn quote_from(&mut self, p: usize) -> Option<usize> {
        // Most strings end in the block they start in: one bit scan, inline.
        let off = p.wrapping_sub(self.base);
        if off < 64 {
            let m = self.quote & (u64::MAX << off);
            if m != 0 {
                return Some(self.base + m.trailing_zeros() as usize);
            }
        }
        self.quote_after(p)
    }

    /// The next three unescaped quotes at or after `p` when the block holding
    /// `p` has them (see [`Blocks::quote_from`]).
    #[inline(always)]
    pub fn three_quotes_from(&self, p: usize) -> Option<[usize; 3]> {
        let off = p.wrapping_sub(self.base);
        if off >= 64 {
            return None;
        }
        let a = self.quote & (u64::MAX << off);
        let b = a & a.wrapping_sub(1);
        let c = b & b.wrapping_sub(1);
        (c != 0).then(|| [a, b, c].map(|m| self.base + m.trailing_zeros() as usize))
    }

    /// [`Blocks::quote_from`] across blocks. Inlined, so that it is compiled
    /// with the JSON loop's CPU features (`Json::count_chunk`).
    #[inline(always)]
    fn quote_after(&mut self, p: usize) -> Option<usize> {
        let mut m = self.seek(p)? & self.quote;
        loop {
            if m != 0 {
                return Some(self.base + m.trailing_zeros() as usize);
            }
            self.next()?;
            m = self.quote;
        }
    }

    /// Offset just past the bracket that closes the `{` or `[` at `p` (outside
    /// strings), counting `{`/`[` and `}`/`]` alike as the reference scanner
    /// does.
    ///
    /// One step per bracket, without a branch on its kind, and no count of a
    /// block's brackets (`count_ones`) to skip blocks that cannot close the
    /// value: x86_64's baseline has no `popcnt` instruction, and the software
    /// count costs more than the steps it would save. The next block's
    /// quotes and brackets come from one pass over its bytes.
    #[inline(always)]
    pub fn close_from(&mut self, p: usize) -> Option<usize> {
        let mut from = self.seek(p)?;
        let mut depth = 0usize;
        let [mut open, mut close] = gather(self.cpu, self.line, self.base, BRACKETS);
        loop {
            // The bytes inside strings: from an opening quote up to (not
            // including) its closing one.
            let in_string = self.cpu.prefix_xor(self.quote) ^ self.in_string;
            let stray = self.escaped_quote & !in_string & from;
            // Only up to a stray quote, where the bitmaps must restart.
            let upto = !in_string & from & (stray & stray.wrapping_neg()).wrapping_sub(1);
            let closers = close & upto;
            let mut events = (open | closers) & upto;
            while events != 0 {
                let bit = events & events.wrapping_neg();
                // +1 for an opener, -1 for a closer.
                depth = (depth + 1).wrapping_sub(usize::from(closers & bit != 0) << 1);
                if depth == 0 {
                    return Some(self.base + bit.trailing_zeros() as usize + 1);
                }
                events ^= bit;
            }
            if stray != 0 {
                // A byte-by-byte reading opens a string at this quote.
                self.resync(self.base + stray.trailing_zeros() as usize);
                [open, close] = gather(self.cpu, self.line, self.base, BRACKETS);
            } else {
                // Quotes and brackets of the next block from one load per
                // 16 bytes: a nested value usually spans several blocks.
                self.advance()?;
                let [quote, backslash, o, c] =
                    gather(self.cpu, self.line, self.base, QUOTES_BRACKETS);
                self.set_quotes(quote, backslash);
                [open, close] = [o, c];
            }
            from = u64::MAX;
        }
    }

    /// Moves to the block holding `p`; the mask of the bits from `p` on.
    #[inline(always)]
    fn seek(&mut self, p: usize) -> Option<u64> {
        if p >= self.line.len() {
            return None;
        }
        debug_assert!(p >= self.base, "bitmaps only move forward");
        while p.saturating_sub(self.base) >= 64 {
            self.next()?;
        }
        Some(u64::MAX << p.saturating_sub(self.base))
    }

    /// Moves to the next block; `None` past the end of the line.
    #[inline(always)]
    fn next(&mut self) -> Option<()> {
        self.advance()?;
        self.load();
        Some(())
    }

    /// [`Blocks::next`] without finding the new block's quotes.
    #[inline(always)]
    fn advance(&mut self) -> Option<()> {
        // An odd number of quotes leaves the next block inside a string.
        self.in_string ^= u64::from(self.quote.count_ones() & 1).wrapping_neg();
        self.base += 64;
        (self.base < self.line.len()).then_some(())
    }

    /// Finds the quotes of the block at `base`.
    #[inline(always)]
    fn load(&mut self) {
        let [quote, backslash] = gather(self.cpu, self.line, self.base, QUOTES);
        self.set_quotes(quote, backslash);
    }

    /// Takes the block's quotes and backslashes.
    #[inline(always)]
    fn set_quotes(&mut self, quote: u64, backslash: u64) {
        let escaped = escaped(backslash, &mut self.escaped);
        self.quote = quote & !escaped;
        self.escaped_quote = quote & escaped;
    }
}

/// Where the bare value (number, `true`, `null`) starting at `p` ends: at
/// the first `,` `}` `]` space or tab, as the reference scanner reads it;
/// and whether it holds a quote or backslash, which the bitmaps took for a
/// string or an escape. One 16-byte compare instead of a loop per byte: bare values are
/// short but sit between every other member (`"ts":1710230400.123`).
#[inline(always)]
pub fn bare_end(line: &[u8], p: usize) -> (usize, bool) {
    let mut q = p;
    let mut odd = false;
    while q < line.len() {
        let (ends, odds, len) = match line[q..].first_chunk::<16>() {
            Some(lane) => {
                let (e, o) = bare_lane(lane);
                (e, o, 16)
            }
            None => match line.last_chunk::<16>() {
                // The last 16 bytes of the line, moved down to `q`.
                Some(lane) => {
                    let skip = q + 16 - line.len();
                    let (e, o) = bare_lane(lane);
                    (e >> skip, o >> skip, 16 - skip)
                }
                None => {
                    let mut lane = [b','; 16];
                    lane[..line.len() - q].copy_from_slice(&line[q..]);
                    let (e, o) = bare_lane(&lane);
                    (e, o, line.len() - q)
                }
            },
        };
        let n = if ends != 0 {
            ends.trailing_zeros() as usize
        } else {
            len
        };
        odd |= odds & !(u32::MAX << n) != 0;
        q += n;
        if n < len {
            break;
        }
    }
    (q.min(line.len()), odd)
}

/// Bitmaps of the bytes that end a bare value (`,` `}` `]` space tab) and of
/// quotes and backslashes in 16 bytes.
#[inline(always)]
fn bare_lane(lane: &[u8; 16]) -> (u32, u32) {
    const ENDS: [Byte; 4] = [
        Byte::is(b','),
        Byte::either(b'}', 0x20),
        Byte::is(b' '),
        Byte::is(b'\t'),
    ];
    const ODDS: [Byte; 2] = [Byte::is(b'"'), Byte::is(b'\\')];
    (
        u32::from(bytes::any16(lane, ENDS)),
        u32::from(bytes::any16(lane, ODDS)),
    )
}

/// The bitmaps of `bytes` in the 64 bytes of `line` from `base` (bits past
/// its end are clear).
///
/// The last block of a line is not copied into a zeroed buffer, whose loads
/// would wait on the copy's stores (a store-forwarding stall). In a line of
/// 64 bytes or more it is read from the line's last 64 bytes and its bitmaps
/// moved down into place. A shorter line is read 16 bytes at a time, each
/// lane that would run past the end read from the line's last 16 bytes
/// instead and moved down, without a branch per lane (lines of different
/// lengths would make those branches mispredict).
///
/// A whole block is read as `cpu` reads blocks: with [`bytes::Avx2Bmi`], two
/// 32-byte lanes instead of four 16-byte ones, about half the compares and
/// moves (`Json::count_chunk`'s loop, compiled for AVX2).
#[inline(always)]
fn gather<const N: usize, L: Lanes>(
    cpu: L,
    line: &[u8],
    base: usize,
    bytes: [Byte; N],
) -> [u64; N] {
    let mut r = [0u64; N];
    let mut add = |m: [u64; N], shift: usize, at: usize| {
        for (r, m) in r.iter_mut().zip(m) {
            *r |= m >> shift << at;
        }
    };
    let Some(rest) = line.get(base..).filter(|r| !r.is_empty()) else {
        return r;
    };
    if let Some(block) = rest.first_chunk::<64>().or(line.last_chunk::<64>()) {
        // The line's last 64 bytes start `64 - rest.len()` before `base`.
        let skip = 64usize.saturating_sub(rest.len());
        return cpu.bitmaps64(block, bytes).map(|m| m >> skip);
    }
    if let Some(last) = line.len().checked_sub(16) {
        for k in 0..4 {
            let o = base + 16 * k;
            let start = o.min(last);
            if let Some(l) = line[start..].first_chunk::<16>() {
                // Lanes at or past the end move out entirely.
                add(lanes(l, bytes), (o - start).min(63), 16 * k);
            }
        }
    } else {
        // Zeros match none of the bytes looked for.
        let mut l = [0u8; 16];
        l[..rest.len()].copy_from_slice(rest);
        add(lanes(&l, bytes), 0, 0);
    }
    r
}

/// [`bitmaps16`] widened to the 64-bit words of a block's bitmaps.
#[inline(always)]
fn lanes<const N: usize>(lane: &[u8; 16], bytes: [Byte; N]) -> [u64; N] {
    let m = bitmaps16(lane, bytes);
    let mut out = [0u64; N];
    for j in 0..N {
        out[j] = u64::from(m[j]);
    }
    out
}

/// `"` and `\\`.
const QUOTES: [Byte; 2] = [Byte::is(b'"'), Byte::is(b'\\')];

/// `{` or `[`, and `}` or `]`: each pair differs only in bit 0x20.
const BRACKETS: [Byte; 2] = [Byte::either(b'{', 0x20), Byte::either(b'}', 0x20)];

/// [`QUOTES`] and [`BRACKETS`], from one load.
const QUOTES_BRACKETS: [Byte; 4] = [QUOTES[0], QUOTES[1], BRACKETS[0], BRACKETS[1]];

/// The escaped bytes of a block: those after an odd-length run of
/// backslashes, counted from the run's start (simdjson's
/// `json_escape_scanner::next`). `carry` is 1 when the previous block ended
/// with a backslash that escapes this block's first byte, and is updated for
/// the next block.
#[inline(always)]
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    if backslash == 0 {
        return std::mem::take(carry);
    }
    // A backslash that is itself escaped starts nothing.
    let escape = backslash & !*carry;
    let follows_escape = (escape << 1) | *carry;
    // Runs starting on an odd bit: adding the run's first bit carries through
    // the run and leaves a bit just past it.
    let odd_starts = escape & !EVEN & !follows_escape;
    let (even_runs, overflow) = odd_starts.overflowing_add(escape);
    *carry = u64::from(overflow);
    (EVEN ^ (even_runs << 1)) & follows_escape
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::Avx2Bmi;
    use proptest::prelude::*;

    /// Escaped bytes read one at a time.
    fn escaped_slowly(bits: &[bool]) -> Vec<bool> {
        let mut out = vec![false; bits.len()];
        let mut pending = false;
        for (i, &b) in bits.iter().enumerate() {
            if pending {
                out[i] = true;
                pending = false;
            } else {
                pending = b;
            }
        }
        out
    }

    /// Every quote `b` finds, in order.
    fn quotes_of<L: Lanes>(mut b: Blocks<L>) -> Vec<usize> {
        let mut got = Vec::new();
        let mut p = b.base;
        while let Some(q) = b.quote_from(p) {
            got.push(q);
            p = q + 1;
        }
        got
    }

    proptest! {
        #[test]
        fn bare_values_end_as_a_byte_loop(line in prop::collection::vec(prop::sample::select(b"1.a,}] \t\"\\[{".to_vec()), 0..60), p in 0usize..60) {
            let p = p.min(line.len());
            let n = line[p..].iter().position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t')).unwrap_or(line.len() - p);
            let odd = line[p..p + n].iter().any(|b| matches!(b, b'"' | b'\\'));
            prop_assert_eq!(bare_end(&line, p), (p + n, odd));
        }

        #[test]
        fn escapes_match_a_byte_loop(bits in prop::collection::vec(prop_oneof![3 => Just(true), 1 => Just(false)], 0..256)) {
            let mut carry = 0;
            let mut got = Vec::new();
            for chunk in bits.chunks(64) {
                let mut m = 0u64;
                for (i, &b) in chunk.iter().enumerate() {
                    m |= u64::from(b) << i;
                }
                let e = escaped(m, &mut carry);
                got.extend((0..chunk.len()).map(|i| e >> i & 1 == 1));
            }
            prop_assert_eq!(got, escaped_slowly(&bits));
        }

        #[test]
        fn quotes_are_the_unescaped_ones(line in prop::collection::vec(prop::sample::select(b"\"\\a{]".to_vec()), 0..300), start in 0usize..300) {
            let start = start.min(line.len());
            let esc = escaped_slowly(&line[start..].iter().map(|&b| b == b'\\').collect::<Vec<_>>());
            let want: Vec<usize> = (start..line.len()).filter(|&i| line[i] == b'"' && !esc[i - start]).collect();
            prop_assert_eq!(&quotes_of(Blocks::new(Baseline, &line, start)), &want);
            if let Some(cpu) = Avx2Bmi::detect() {
                prop_assert_eq!(quotes_of(Blocks::new(cpu, &line, start)), want);
            }
        }

        #[test]
        fn bytes_past_the_line_are_not_read(line in prop::collection::vec(prop::sample::select(b"\"\\a{]".to_vec()), 0..150), after in prop::collection::vec(prop::sample::select(b"\"\\a".to_vec()), 0..80), start in 0usize..150) {
            let start = start.min(line.len());
            let buf = [&line[..], &after].concat();
            let want = quotes_of(Blocks::new(Baseline, &line, start));
            prop_assert_eq!(&quotes_of(Blocks::within(Baseline, &buf[..line.len()], &buf, start)), &want);
            if let Some(cpu) = Avx2Bmi::detect() {
                prop_assert_eq!(quotes_of(Blocks::within(cpu, &buf[..line.len()], &buf, start)), want);
            }
        }

        #[test]
        fn wide_lanes_find_the_same(line in prop::collection::vec(prop::sample::select(b"\"\\a{}[]".to_vec()), 0..200), start in 0usize..200, at in 0usize..260) {
            if let Some(cpu) = Avx2Bmi::detect() {
                let start = start.min(line.len());
                let n = gather(Baseline, &line, at, QUOTES_BRACKETS);
                prop_assert_eq!(n, gather(cpu, &line, at, QUOTES_BRACKETS));
                let (a, b) = (Blocks::new(Baseline, &line, start), Blocks::new(cpu, &line, start));
                prop_assert_eq!(quotes_of(a), quotes_of(b));
            }
        }
    }
}
