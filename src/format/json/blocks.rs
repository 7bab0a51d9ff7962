//! Where JSON strings and brackets are in a line, 64 bytes at a time.
//!
//! The JSON extractor walks the members of the top-level object and has to
//! step over strings (most of a JSON log's bytes: URIs, user agents, headers)
//! and over nested objects. Searching for each string's end with `memchr2`
//! restarts a SIMD search per string, and JSON log strings are so short that
//! the set-up costs more than the search; a nested object was walked byte by
//! byte. [`Blocks`] instead classifies 64 bytes at once, as simdjson's first
//! stage does: bitmaps of the quotes that are not escaped (the escaped ones
//! found from runs of backslashes without a loop), of the bytes inside
//! strings (a prefix XOR of those quotes) and of the brackets outside strings.
//! A string's end is then one bit scan, and a nested value's end a count over
//! its brackets outside strings, one step per bracket.
//!
//! The bitmaps assume every backslash escapes and every quote opens or closes
//! a string, which holds inside strings but not in the old byte-by-byte
//! scanner's view of two invalid cases: a quote or backslash inside a bare
//! value (`tru"e`) and a backslash between the members of a nested value
//! (`[\"x"]`). The walker calls [`Blocks::resync`] after such a bare value,
//! and a quote escaped outside a string is reported as a `stray` event in
//! [`Blocks::close_from`], which restarts the bitmaps there too. Restarting
//! at a byte known to be outside a string is always exact, so the results
//! equal the byte-by-byte scanner's for every input.

use crate::bytes::prefix_xor;

/// The bitmaps of one 64-byte block of a line (bit `i` is byte `base + i`),
/// and the state carried into the next block.
///
/// Only the quotes are found for every block; the brackets and the bytes
/// inside strings only for blocks a nested value is stepped over in
/// ([`Blocks::close_from`]): finding them for every block made the json
/// fixture, whose nested values are few and short, about a tenth slower.
///
/// `Blocks<true>` reads whole blocks with AVX2 ([`gather`]) and finds the
/// bytes inside strings with a carry-less multiply ([`clmul_prefix_xor`]):
/// the module is private to the crate, and only `Json::count_chunk` makes
/// those, on a CPU it has checked.
pub struct Blocks<'a, const WIDE: bool = false> {
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

impl<'a, const WIDE: bool> Blocks<'a, WIDE> {
    /// The bitmaps of `line` from `start` (outside any string), where `rest`
    /// starts with the line and runs on past it (the rest of its chunk).
    ///
    /// The first block is read whole from `rest` and the bits past the line's
    /// end cleared: on a line shorter than a block that is one load instead
    /// of [`gather`]'s lanes pieced together from the line (a sixth of the
    /// instructions spent on a 45-byte line), and no branch on the line's
    /// length, as lines of all lengths alternate in a log. Later blocks are
    /// read from the line alone: keeping `rest` for them cost more in spilled
    /// registers than it saved.
    #[inline(always)]
    pub fn within(line: &'a [u8], rest: &[u8], start: usize) -> Self {
        debug_assert!(rest.as_ptr() == line.as_ptr() && rest.len() >= line.len());
        match rest.get(start..).and_then(|b| b.first_chunk::<64>()) {
            Some(block) if start < line.len() => {
                let mut b = Blocks::at(line, start);
                let [quote, backslash] = whole::<2, WIDE>(block, quotes, quotes32);
                let keep = match line.len() - start {
                    n @ 0..64 => !(u64::MAX << n),
                    _ => u64::MAX,
                };
                b.set_quotes(quote & keep, backslash & keep);
                b
            }
            _ => Blocks::new(line, start),
        }
    }

    /// The bitmaps of `line` from `start`, which must be outside any string.
    #[inline]
    pub fn new(line: &'a [u8], start: usize) -> Self {
        let mut b = Blocks::at(line, start);
        b.load();
        b
    }

    /// Blocks at `start` with no bits found yet.
    #[inline(always)]
    fn at(line: &'a [u8], start: usize) -> Self {
        #[cfg(target_arch = "x86_64")]
        debug_assert!(
            !WIDE
                || std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("pclmulqdq")
        );
        Blocks {
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
        *self = Blocks::new(self.line, p);
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

    /// [`Blocks::quote_from`] across blocks. Not `inline(never)` as it was:
    /// inlined, it is compiled with the JSON loop's CPU features
    /// (`Json::count_chunk`).
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
    /// strings), counting `{`/`[` and `}`/`]` alike as the old scanner did.
    ///
    /// One step per bracket, without a branch on its kind: counting a block's
    /// brackets with `count_ones` to skip blocks that cannot close the value
    /// was slower, as x86_64's baseline has no `popcnt` instruction and
    /// the software count cost more than the steps it saved. The next
    /// block's quotes and brackets come from one pass over its bytes.
    #[inline(always)]
    pub fn close_from(&mut self, p: usize) -> Option<usize> {
        let mut from = self.seek(p)?;
        let mut depth = 0usize;
        let [mut open, mut close] = gather::<2, WIDE>(self.line, self.base, brackets, brackets32);
        loop {
            // The bytes inside strings: from an opening quote up to (not
            // including) its closing one.
            let in_string = if WIDE {
                // SAFETY: see `clmul_prefix_xor`.
                unsafe { clmul_prefix_xor(self.quote) }
            } else {
                prefix_xor(self.quote)
            } ^ self.in_string;
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
                [open, close] = gather::<2, WIDE>(self.line, self.base, brackets, brackets32);
            } else {
                // Quotes and brackets of the next block from one load per
                // 16 bytes: a nested value usually spans several blocks.
                self.advance()?;
                let [quote, backslash, o, c] =
                    gather::<4, WIDE>(self.line, self.base, quotes_brackets, quotes_brackets32);
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
        let [quote, backslash] = gather::<2, WIDE>(self.line, self.base, quotes, quotes32);
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
/// the first `,` `}` `]` space or tab, as the old scanner read it; and whether
/// it holds a quote or backslash, which the bitmaps took for a string or an
/// escape. One 16-byte compare instead of a loop per byte: bare values are
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

/// Bitmaps of the bytes that end a bare value and of quotes and backslashes
/// in 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn bare_lane(lane: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load
    // reads the 16 bytes of `lane`.
    unsafe {
        let v = _mm_loadu_si128(lane.as_ptr() as *const __m128i);
        let eq = |b: u8, v: __m128i| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let ends = _mm_or_si128(
            _mm_or_si128(eq(b',', v), eq(b'}', folded)),
            _mm_or_si128(eq(b' ', v), eq(b'\t', v)),
        );
        let odds = _mm_or_si128(eq(b'"', v), eq(b'\\', v));
        (
            _mm_movemask_epi8(ends) as u32,
            _mm_movemask_epi8(odds) as u32,
        )
    }
}

/// Portable version of the x86_64 SSE2 bitmaps.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn bare_lane(lane: &[u8; 16]) -> (u32, u32) {
    let (mut ends, mut odds) = (0, 0);
    for (i, &b) in lane.iter().enumerate() {
        ends |= u32::from(matches!(b, b',' | b'}' | b']' | b' ' | b'\t')) << i;
        odds |= u32::from(matches!(b, b'"' | b'\\')) << i;
    }
    (ends, odds)
}

/// The bitmaps that `lane` finds in 16 bytes, for the 64 bytes of `line`
/// from `base` (bits past its end are clear).
///
/// The last block of a line is not copied into a zeroed buffer, which cost a
/// store-forwarding stall, a sixth of the time on short lines. In a line of
/// 64 bytes or more it is read from the line's last 64 bytes and its bitmaps
/// moved down into place. A shorter line is read 16 bytes at a time, each
/// lane that would run past the end read from the line's last 16 bytes
/// instead and moved down, without a branch per lane (lines of different
/// lengths made those branches mispredict).
///
/// `WIDE` reads a whole block as two 32-byte lanes (`lane32`, AVX2) instead
/// of four 16-byte ones: about half the compares and moves. Only
/// `Json::count_chunk`'s loop, compiled for AVX2 and run on a CPU that has
/// it, sets it.
#[inline(always)]
fn gather<const N: usize, const WIDE: bool>(
    line: &[u8],
    base: usize,
    lane: impl Fn(&[u8; 16]) -> [u64; N],
    lane32: impl Fn(&[u8; 32]) -> [u64; N],
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
        return whole::<N, WIDE>(block, lane, lane32).map(|m| m >> skip);
    }
    if let Some(last) = line.len().checked_sub(16) {
        for k in 0..4 {
            let o = base + 16 * k;
            let start = o.min(last);
            if let Some(l) = line[start..].first_chunk::<16>() {
                // Lanes at or past the end move out entirely.
                add(lane(l), (o - start).min(63), 16 * k);
            }
        }
    } else {
        // Zeros match none of the bytes looked for.
        let mut l = [0u8; 16];
        l[..rest.len()].copy_from_slice(rest);
        add(lane(&l), 0, 0);
    }
    r
}

/// The bitmaps that `lane` (or `lane32` when `WIDE`, see [`gather`]) finds
/// in 64 bytes.
#[inline(always)]
fn whole<const N: usize, const WIDE: bool>(
    block: &[u8; 64],
    lane: impl Fn(&[u8; 16]) -> [u64; N],
    lane32: impl Fn(&[u8; 32]) -> [u64; N],
) -> [u64; N] {
    let mut r = [0u64; N];
    let mut add = |m: [u64; N], at: usize| {
        for (r, m) in r.iter_mut().zip(m) {
            *r |= m << at;
        }
    };
    if WIDE {
        for (k, l) in block.chunks_exact(32).enumerate() {
            if let Some(l) = l.first_chunk::<32>() {
                add(lane32(l), 32 * k);
            }
        }
    } else {
        for (k, l) in block.chunks_exact(16).enumerate() {
            if let Some(l) = l.first_chunk::<16>() {
                add(lane(l), 16 * k);
            }
        }
    }
    r
}

/// Bitmaps of `"` and `\\` in 16 bytes.
#[inline(always)]
fn quotes(lane: &[u8; 16]) -> [u64; 2] {
    [eq(lane, b'"', 0), eq(lane, b'\\', 0)]
}

/// Bitmaps of `"`, `\\`, `{`/`[` and `}`/`]` in 16 bytes (one load).
#[inline(always)]
fn quotes_brackets(lane: &[u8; 16]) -> [u64; 4] {
    let [q, b] = quotes(lane);
    let [o, c] = brackets(lane);
    [q, b, o, c]
}

/// Bitmaps of `{`/`[` and `}`/`]` in 16 bytes: 0x7B/0x5B differ only in bit
/// 0x20, as do 0x7D/0x5D, so one compare after setting that bit finds both.
#[inline(always)]
fn brackets(lane: &[u8; 16]) -> [u64; 2] {
    [eq(lane, b'{', 0x20), eq(lane, b'}', 0x20)]
}

/// [`quotes`] in 32 bytes.
#[inline(always)]
fn quotes32(lane: &[u8; 32]) -> [u64; 2] {
    // SAFETY: see `eq32`.
    unsafe { [eq32(lane, b'"', 0), eq32(lane, b'\\', 0)] }
}

/// [`brackets`] in 32 bytes.
#[inline(always)]
fn brackets32(lane: &[u8; 32]) -> [u64; 2] {
    // SAFETY: see `eq32`.
    unsafe { [eq32(lane, b'{', 0x20), eq32(lane, b'}', 0x20)] }
}

/// [`quotes_brackets`] in 32 bytes.
#[inline(always)]
fn quotes_brackets32(lane: &[u8; 32]) -> [u64; 4] {
    let [q, b] = quotes32(lane);
    let [o, c] = brackets32(lane);
    [q, b, o, c]
}

/// [`eq`] for 32 bytes with AVX2, for `Blocks<true>` only (see [`gather`]):
/// only `Json::count_chunk` makes those, after checking that the CPU has
/// AVX2, which is what callers must ensure.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn eq32(lane: &[u8; 32], byte: u8, or: u8) -> u64 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    // SAFETY: the unaligned load reads the 32 bytes of `lane`.
    let v = unsafe { _mm256_loadu_si256(lane.as_ptr() as *const __m256i) };
    let v = _mm256_or_si256(v, _mm256_set1_epi8(or as i8));
    _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(byte as i8))) as u32 as u64
}

/// Portable version of the x86_64 AVX2 bitmap.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn eq32(lane: &[u8; 32], byte: u8, or: u8) -> u64 {
    let (lo, hi) = lane.split_at(16);
    let half = |h: &[u8]| eq(h.try_into().expect("16 bytes"), byte, or);
    half(lo) | half(hi) << 16
}

/// Bitmap of the bytes of `lane` that equal `byte` once `or` is set in them.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn eq(lane: &[u8; 16], byte: u8, or: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load
    // reads the 16 bytes of `lane`.
    unsafe {
        let v = _mm_loadu_si128(lane.as_ptr() as *const __m128i);
        let v = _mm_or_si128(v, _mm_set1_epi8(or as i8));
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u16 as u64
    }
}

/// Portable version of the x86_64 SSE2 bitmap.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn eq(lane: &[u8; 16], byte: u8, or: u8) -> u64 {
    let mut m = 0;
    for (i, &b) in lane.iter().enumerate() {
        m |= u64::from(b | or == byte) << i;
    }
    m
}

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

/// [`prefix_xor`] as one carry-less multiply by all ones (simdjson's way),
/// for `Blocks<true>` only: `Json::count_chunk` makes those after checking
/// that the CPU has PCLMULQDQ (and AVX2), which is what callers must ensure.
/// Twelve shifts and XORs fewer per block a nested value is stepped over.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
#[inline]
fn clmul_prefix_xor(x: u64) -> u64 {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
    let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0);
    _mm_cvtsi128_si64(product) as u64
}

/// Portable version of the x86_64 carry-less multiply.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn clmul_prefix_xor(x: u64) -> u64 {
    prefix_xor(x)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn quotes_of<const WIDE: bool>(mut b: Blocks<WIDE>) -> Vec<usize> {
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
        fn prefix_xor_is_a_running_parity(x in any::<u64>()) {
            let mut parity = 0;
            for i in 0..64 {
                parity ^= x >> i & 1;
                prop_assert_eq!(prefix_xor(x) >> i & 1, parity);
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("pclmulqdq") {
                // SAFETY: the CPU has the instruction.
                prop_assert_eq!(unsafe { clmul_prefix_xor(x) }, prefix_xor(x));
            }
        }

        #[test]
        fn quotes_are_the_unescaped_ones(line in prop::collection::vec(prop::sample::select(b"\"\\a{]".to_vec()), 0..300), start in 0usize..300) {
            let start = start.min(line.len());
            let esc = escaped_slowly(&line[start..].iter().map(|&b| b == b'\\').collect::<Vec<_>>());
            let want: Vec<usize> = (start..line.len()).filter(|&i| line[i] == b'"' && !esc[i - start]).collect();
            prop_assert_eq!(&quotes_of(Blocks::<false>::new(&line, start)), &want);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("pclmulqdq") {
                prop_assert_eq!(quotes_of(Blocks::<true>::new(&line, start)), want);
            }
        }

        #[test]
        fn bytes_past_the_line_are_not_read(line in prop::collection::vec(prop::sample::select(b"\"\\a{]".to_vec()), 0..150), after in prop::collection::vec(prop::sample::select(b"\"\\a".to_vec()), 0..80), start in 0usize..150) {
            let start = start.min(line.len());
            let buf = [&line[..], &after].concat();
            let want = quotes_of(Blocks::<false>::new(&line, start));
            prop_assert_eq!(&quotes_of(Blocks::<false>::within(&buf[..line.len()], &buf, start)), &want);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("pclmulqdq") {
                prop_assert_eq!(quotes_of(Blocks::<true>::within(&buf[..line.len()], &buf, start)), want);
            }
        }

        #[test]
        #[cfg(target_arch = "x86_64")]
        fn wide_lanes_find_the_same(line in prop::collection::vec(prop::sample::select(b"\"\\a{}[]".to_vec()), 0..200), start in 0usize..200, at in 0usize..260) {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("pclmulqdq") {
                let start = start.min(line.len());
                let n = gather::<4, false>(&line, at, quotes_brackets, quotes_brackets32);
                prop_assert_eq!(n, gather::<4, true>(&line, at, quotes_brackets, quotes_brackets32));
                let (a, b) = (Blocks::<false>::new(&line, start), Blocks::<true>::new(&line, start));
                prop_assert_eq!(quotes_of(a), quotes_of(b));
            }
        }
    }
}
