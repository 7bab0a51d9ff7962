//! Finding bytes in log lines without a search call per byte found.
//!
//! Access-log lines are 60–300 bytes and their fields a few to a few dozen:
//! `memchr` restarts a SIMD search per call, and its set-up costs more than
//! the search over so few bytes. Instead, 64 bytes at a time become a bitmap
//! once and each byte found is one bit popped: [`Positions`] and
//! [`field_span`] for the field-based formats (W3C, CloudFront, ELB, Squid),
//! [`block_mask`] for the engine's line loop and HAProxy, [`fill_bitmaps`]
//! and [`next_bit`] for loops that map a whole window first (CLF, custom
//! formats); [`find_near`] searches eight bytes at a time where a single
//! short search is all there is.
//!
//! This is the one module that issues vector compares. SSE2 is part of
//! x86_64, so its 16-byte lanes are used everywhere on that target; other
//! targets get plain integer code. Instructions a CPU may lack (AVX2, BMI,
//! PCLMULQDQ) run only behind a token that a runtime check returned
//! ([`Avx2`], [`Avx2Bmi`]): a function compiled for them is either private
//! here and reached through a token's methods, or takes a token as an
//! argument (the JSON loop), so no safe code can run one on a CPU without
//! them.

/// Positions of one byte value in a slice, ascending.
pub struct Positions<'a> {
    hay: &'a [u8],
    byte: u8,
    /// Offset of the block `mask` describes.
    base: usize,
    mask: u64,
}

impl<'a> Positions<'a> {
    #[inline]
    pub fn new(hay: &'a [u8], byte: u8) -> Self {
        Positions {
            hay,
            byte,
            base: 0,
            mask: block_mask(hay, byte),
        }
    }
}

impl Iterator for Positions<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.mask != 0 {
                let p = self.base + self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                return Some(p);
            }
            self.base += 64;
            if self.base >= self.hay.len() {
                return None;
            }
            self.mask = block_mask(&self.hay[self.base..], self.byte);
        }
    }
}

/// Offset of the first `byte` in `hay` at or after `from`, for short
/// distances: eight bytes at a time in plain integer arithmetic (SWAR). The
/// fields searched on a log line (a client, a request, a status) are a few to
/// a few dozen bytes, where the set-up and call of a SIMD `memchr` cost more
/// than the search itself, and where even a 64-byte bitmap ([`find`]) does
/// more work than needed.
#[inline(always)]
pub fn find_near(hay: &[u8], from: usize, byte: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let needle = LO * u64::from(byte);
    let mut i = from;
    while i + 8 <= hay.len() {
        let w = u64::from_le_bytes(hay[i..i + 8].try_into().expect("8 bytes"));
        let x = w ^ needle;
        // A byte of `x` is zero where `w` holds `byte`; this sets its high
        // bit (and possibly some above the first match, which trailing_zeros
        // skips).
        let m = x.wrapping_sub(LO) & !x & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i.min(hay.len())..]
        .iter()
        .position(|&b| b == byte)
        .map(|p| i + p)
}

/// Offset of the first `byte` in `hay` at or after `from`. Scans a 64-byte
/// bitmap at a time: for the short distances inside a log line this costs
/// less than `memchr`, whose SIMD set-up is paid on every call.
#[inline]
pub fn find(hay: &[u8], mut from: usize, byte: u8) -> Option<usize> {
    while from < hay.len() {
        let m = block_mask(&hay[from..], byte);
        if m != 0 {
            return Some(from + m.trailing_zeros() as usize);
        }
        from += 64;
    }
    None
}

/// Position of the first set bit at or after `pos` in a bitmap of one bit
/// per byte (`masks[i]` covers bytes `64 * i ..`), or `usize::MAX`.
#[inline(always)]
pub fn next_bit(masks: &[u64], pos: usize) -> usize {
    let mut word = pos / 64;
    let Some(&first) = masks.get(word) else {
        return usize::MAX;
    };
    // Usually the bit is in the same word: one shift, one count.
    let m = first >> (pos % 64);
    if m != 0 {
        return pos + m.trailing_zeros() as usize;
    }
    loop {
        word += 1;
        match masks.get(word) {
            None => return usize::MAX,
            Some(&0) => {}
            Some(&m) => return word * 64 + m.trailing_zeros() as usize,
        }
    }
}

/// How many `sep` bytes `line` holds, and the span of field `col` (0-based;
/// fields are what the separators delimit, so there is one more field than
/// separators). One bitmap and one population count per 64 bytes: columnar
/// formats (W3C, CloudFront) need every line's separator count, to tell a
/// line that does not match its header, and one field.
#[inline(always)]
pub fn field_span(line: &[u8], sep: u8, col: usize) -> (usize, Option<(usize, usize)>) {
    let mut count = 0usize;
    // Field `col` starts after separator `col - 1` and ends at separator `col`.
    let mut start = if col == 0 { Some(0) } else { None };
    let mut end = None;
    let mut base = 0;
    while base < line.len() {
        let m = block_mask(&line[base..], sep);
        let c = m.count_ones() as usize;
        if start.is_none() && col - 1 < count + c {
            start = Some(base + nth_bit(m, col - 1 - count) + 1);
        }
        if end.is_none() && col < count + c {
            end = Some(base + nth_bit(m, col - count));
        }
        count += c;
        base += 64;
    }
    let span = start.map(|s| (s, end.unwrap_or(line.len())));
    (count, span)
}

/// Position of the `k`-th (0-based) set bit of `m`, which has more than `k`.
#[inline(always)]
pub fn nth_bit(mut m: u64, k: usize) -> usize {
    for _ in 0..k {
        m &= m - 1;
    }
    m.trailing_zeros() as usize
}

/// Bit `i` is the XOR of bits `0..=i`: of a block's quotes, the bytes from
/// an opening quote up to (not including) its closing one.
#[inline(always)]
pub fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// One bit per byte of `hay[..64]` that equals `byte` (bits past the end of a
/// shorter `hay` are clear).
#[inline(always)]
pub fn block_mask(hay: &[u8], byte: u8) -> u64 {
    match hay.first_chunk::<64>() {
        Some(block) => mask64(block, byte),
        None => tail_mask(hay, byte),
    }
}

/// [`block_mask`] of fewer than 64 bytes: the end of every line. The bytes
/// are read in place, not copied into a zeroed 64-byte block first, whose
/// vector loads would wait on the copy's stores (a store-forwarding stall):
/// whole 16-byte groups, the last partial group as the 16 bytes ending at the
/// end of `hay`, a tail of 8 to 15 bytes as two overlapping words ([`eq8`])
/// and only one under 8 bytes a byte at a time.
#[inline(always)]
fn tail_mask(hay: &[u8], byte: u8) -> u64 {
    let n = hay.len();
    if n < 16 {
        if n >= 8 {
            // Two overlapping words: the first 8 bytes and the last 8.
            let lo = eq8(hay[..8].try_into().expect("8 bytes"), byte);
            let hi = eq8(hay[n - 8..].try_into().expect("8 bytes"), byte);
            return u64::from(lo) | u64::from(hi) << (n - 8);
        }
        let mut m = 0u64;
        for (i, &b) in hay.iter().enumerate() {
            m |= u64::from(b == byte) << i;
        }
        return m;
    }
    let mut m = 0u64;
    let mut k = 0;
    while k + 16 <= n {
        m |= u64::from(mask16(hay[k..k + 16].try_into().expect("16 bytes"), byte)) << k;
        k += 16;
    }
    if k < n {
        // The 16 bytes ending at `n` overlap the last whole group; keep only
        // the bits of bytes `k..n`.
        let last = u64::from(mask16(hay[n - 16..n].try_into().expect("16 bytes"), byte));
        m |= (last >> (16 - (n - k))) << k;
    }
    m
}

/// Bitmap of `byte` in 8 bytes, in integer arithmetic (SWAR): the bytes
/// equal to `byte` become zero, each zero byte gets its high bit set (exactly,
/// without the borrow that makes the shorter zero-byte test over-report), and
/// a multiply gathers the eight high bits into one byte.
#[inline(always)]
fn eq8(bytes: &[u8; 8], byte: u8) -> u8 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = u64::from_le_bytes(*bytes) ^ (LO * u64::from(byte));
    let nonzero = ((x & LOW7) + LOW7) | x;
    let zero = !nonzero & !LOW7;
    ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// A byte looked for: byte `b` of the input matches when `b | fold == byte`.
/// With `fold` 0 that is `b == byte`; with a bit set in `fold` (and in
/// `byte`), the two values that differ only in that bit match one compare:
/// `{` (0x7B) and `[` (0x5B) differ only in 0x20, as do `}` and `]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Byte {
    byte: u8,
    fold: u8,
}

impl Byte {
    /// Exactly `byte`.
    pub const fn is(byte: u8) -> Byte {
        Byte { byte, fold: 0 }
    }

    /// `byte` and `byte & !fold`; `fold` must be set in `byte`.
    pub const fn either(byte: u8, fold: u8) -> Byte {
        assert!(byte & fold == fold);
        Byte { byte, fold }
    }

    /// Whether `b` matches.
    #[inline(always)]
    pub const fn matches(self, b: u8) -> bool {
        b | self.fold == self.byte
    }
}

/// Bitmap of `byte` in 16 bytes.
#[inline(always)]
fn mask16(group: &[u8; 16], byte: u8) -> u16 {
    let [m] = bitmaps16(group, [Byte::is(byte)]);
    m
}

/// Bitmaps of `N` bytes in 16: bit `i` of `out[j]` is set when `lane[i]`
/// matches `bytes[j]`. The 16 bytes are loaded once for all of them.
#[inline(always)]
pub fn bitmaps16<const N: usize>(lane: &[u8; 16], bytes: [Byte; N]) -> [u16; N] {
    let mut out = [0u16; N];
    #[cfg(target_arch = "x86_64")]
    {
        let v = sse2::load(lane);
        for j in 0..N {
            out[j] = sse2::bits(sse2::eq(v, bytes[j]));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for j in 0..N {
        for (i, &x) in lane.iter().enumerate() {
            out[j] |= u16::from(bytes[j].matches(x)) << i;
        }
    }
    out
}

/// One bitmap of the bytes of `lane` that match any of `bytes`: the
/// compares are combined before the one move to a bitmap.
#[inline(always)]
pub fn any16<const N: usize>(lane: &[u8; 16], bytes: [Byte; N]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    {
        let v = sse2::load(lane);
        let mut hits = sse2::eq(v, bytes[0]);
        for &b in &bytes[1..] {
            hits = sse2::or(hits, sse2::eq(v, b));
        }
        sse2::bits(hits)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut m = 0u16;
        for (i, &x) in lane.iter().enumerate() {
            m |= u16::from(bytes.iter().any(|b| b.matches(x))) << i;
        }
        m
    }
}

/// Bitmaps of `N` bytes in a 64-byte block (bit `i` of `out[j]`: byte `i`
/// matches `bytes[j]`), as four 16-byte lanes: SSE2, which every x86_64 CPU
/// has.
#[inline(always)]
pub fn bitmaps64<const N: usize>(block: &[u8; 64], bytes: [Byte; N]) -> [u64; N] {
    let mut out = [0u64; N];
    for k in 0..4 {
        let lane = block[16 * k..16 * k + 16].try_into().expect("16 bytes");
        let m = bitmaps16(lane, bytes);
        for j in 0..N {
            out[j] |= u64::from(m[j]) << (16 * k);
        }
    }
    out
}

/// How a loop reads 64-byte blocks into bitmaps: with the instructions
/// every CPU of the target has ([`Baseline`]), or with those a runtime check
/// found ([`Avx2`], [`Avx2Bmi`]). A loop generic over `Lanes` takes one as a
/// value, so its wide version runs only where the check passed: the tokens
/// can only be made by their `detect`.
pub trait Lanes: Copy {
    /// Whether blocks are read as 32-byte lanes.
    const WIDE: bool;

    /// [`bitmaps64`]: bit `i` of `out[j]` is set when byte `i` of `block`
    /// matches `bytes[j]`.
    fn bitmaps64<const N: usize>(self, block: &[u8; 64], bytes: [Byte; N]) -> [u64; N];

    /// [`prefix_xor`].
    #[inline(always)]
    fn prefix_xor(self, x: u64) -> u64 {
        prefix_xor(x)
    }
}

/// The instructions every CPU of the target has: 16-byte SSE2 lanes on
/// x86_64, plain integer code elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct Baseline;

impl Lanes for Baseline {
    const WIDE: bool = false;

    #[inline(always)]
    fn bitmaps64<const N: usize>(self, block: &[u8; 64], bytes: [Byte; N]) -> [u64; N] {
        bitmaps64(block, bytes)
    }
}

/// Proof that the CPU running this process has AVX2: only
/// [`Avx2::detect`] makes one, after asking the CPU. Every function here
/// that runs AVX2 instructions is reached through a value of this type (or
/// of [`Avx2Bmi`], which gives one), so safe code cannot run them on a CPU
/// without AVX2. Zero-sized: holding one costs nothing.
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// `Some` when the CPU has AVX2 (the standard library caches the
    /// answer: a load and a test per call).
    #[inline]
    pub fn detect() -> Option<Avx2> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Some(Avx2(()));
        }
        None
    }
}

/// 32-byte lanes: half the loads, compares and moves of [`Baseline`]. The
/// compares are compiled for AVX2 and inlined only into code compiled for
/// it, a `#[target_feature(enable = "avx2")]` loop given the token; called
/// from elsewhere they are a call per block.
impl Lanes for Avx2 {
    const WIDE: bool = true;

    #[inline(always)]
    fn bitmaps64<const N: usize>(self, block: &[u8; 64], bytes: [Byte; N]) -> [u64; N] {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `self` exists, so `Avx2::detect` found AVX2 on this CPU.
        let out = unsafe { avx2::bitmaps64(block, bytes) };
        #[cfg(not(target_arch = "x86_64"))]
        let out = bitmaps64(block, bytes);
        out
    }
}

/// Proof that the CPU has AVX2, BMI1, BMI2, POPCNT, LZCNT and PCLMULQDQ
/// (x86_64 CPUs since Intel Haswell and AMD Excavator): what the JSON loop
/// is compiled for. Only [`Avx2Bmi::detect`] makes one; see [`Avx2`].
#[derive(Clone, Copy, Debug)]
pub struct Avx2Bmi(());

impl Avx2Bmi {
    /// `Some` when the CPU has every feature listed on [`Avx2Bmi`]. A
    /// function compiled for them and reached through this token must enable
    /// no other.
    #[inline]
    pub fn detect() -> Option<Avx2Bmi> {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2")
                && has!("bmi1")
                && has!("bmi2")
                && has!("popcnt")
                && has!("lzcnt")
                && has!("pclmulqdq")
            {
                return Some(Avx2Bmi(()));
            }
        }
        None
    }

    /// The AVX2 this token also proves.
    #[inline(always)]
    pub fn avx2(self) -> Avx2 {
        Avx2(())
    }
}

/// [`Avx2`]'s lanes, and the bytes inside strings as one carry-less multiply
/// by all ones (simdjson's way) instead of [`prefix_xor`]'s twelve shifts
/// and XORs.
impl Lanes for Avx2Bmi {
    const WIDE: bool = true;

    #[inline(always)]
    fn bitmaps64<const N: usize>(self, block: &[u8; 64], bytes: [Byte; N]) -> [u64; N] {
        self.avx2().bitmaps64(block, bytes)
    }

    #[inline(always)]
    fn prefix_xor(self, x: u64) -> u64 {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `self` exists, so `Avx2Bmi::detect` found PCLMULQDQ on
        // this CPU.
        let out = unsafe { clmul::prefix_xor(x) };
        #[cfg(not(target_arch = "x86_64"))]
        let out = prefix_xor(x);
        out
    }
}

/// Bitmap of `byte` in a 64-byte block.
#[inline(always)]
pub fn mask64(block: &[u8; 64], byte: u8) -> u64 {
    let [m] = bitmaps64(block, [Byte::is(byte)]);
    m
}

/// Bitmaps of `N` byte values over `w` at once: bit `b` of `out[j][i]` is set
/// when byte `64 * i + b` of `w` equals `needles[j]` (bits past the end of
/// `w` are clear). Each 64-byte block is loaded once for all the needles,
/// with AVX2 when the CPU has it; `out[j]` needs `w.len().div_ceil(64)`
/// words. For loops that turn a window into bitmaps before reading its
/// lines (CLF, custom formats).
pub fn fill_bitmaps<const N: usize>(w: &[u8], needles: [u8; N], out: &mut [&mut [u64]; N]) {
    #[cfg(target_arch = "x86_64")]
    if let Some(cpu) = Avx2::detect() {
        // SAFETY: `cpu` proves the CPU has AVX2, the one feature
        // `fill_bitmaps_avx2` is compiled for.
        unsafe { fill_bitmaps_avx2(cpu, w, needles, out) };
        return;
    }
    fill_bitmaps_with(w, out, |b| Baseline.bitmaps64(b, exactly(needles)));
}

/// [`fill_bitmaps`] compiled for AVX2, so that the 32-byte compares are
/// inlined into its loop; only a holder of the token can call it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_bitmaps_avx2<const N: usize>(
    cpu: Avx2,
    w: &[u8],
    needles: [u8; N],
    out: &mut [&mut [u64]; N],
) {
    // The closure inherits this function's AVX2 target feature.
    fill_bitmaps_with(w, out, |b| cpu.bitmaps64(b, exactly(needles)));
}

/// [`Byte::is`] of each needle, made where the compares are: there the
/// compiler sees that no needle folds a bit, and emits no `or` and no test
/// for one.
#[inline(always)]
fn exactly<const N: usize>(needles: [u8; N]) -> [Byte; N] {
    let mut out = [Byte::is(0); N];
    for j in 0..N {
        out[j] = Byte::is(needles[j]);
    }
    out
}

/// The block loop of [`fill_bitmaps`]; a partial last block is padded with
/// zero bytes and its padding bits cleared.
///
/// Each bitmap is cut to the window's words first, so the loop's index runs
/// below every bitmap's length and needs no bounds check per block.
#[inline(always)]
fn fill_bitmaps_with<const N: usize>(
    w: &[u8],
    out: &mut [&mut [u64]; N],
    masks: impl Fn(&[u8; 64]) -> [u64; N],
) {
    let words = w.len().div_ceil(64);
    let out = out.each_mut().map(|o| &mut o[..words]);
    let blocks = w.chunks_exact(64);
    let tail = blocks.remainder();
    for (b, i) in blocks.zip(0..words) {
        let m = masks(b.try_into().expect("64 bytes"));
        for j in 0..N {
            out[j][i] = m[j];
        }
    }
    if !tail.is_empty() {
        let mut last = [0u8; 64];
        last[..tail.len()].copy_from_slice(tail);
        let valid = u64::MAX >> (64 - tail.len());
        let m = masks(&last);
        for j in 0..N {
            out[j][words - 1] = m[j] & valid;
        }
    }
}

/// The SSE2 compares behind the 16-byte bitmaps; SSE2 is part of the x86_64
/// baseline, so these need no runtime check.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    use super::Byte;

    #[inline(always)]
    pub(super) fn load(lane: &[u8; 16]) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load
        // reads exactly the 16 bytes of `lane`.
        unsafe { _mm_loadu_si128(lane.as_ptr().cast()) }
    }

    /// All ones in the bytes of `v` that match `b`.
    #[inline(always)]
    pub(super) fn eq(v: __m128i, b: Byte) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline; no memory is read.
        unsafe {
            let v = if b.fold != 0 {
                _mm_or_si128(v, _mm_set1_epi8(b.fold as i8))
            } else {
                v
            };
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b.byte as i8))
        }
    }

    #[inline(always)]
    pub(super) fn or(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline; no memory is read.
        unsafe { _mm_or_si128(a, b) }
    }

    /// The top bit of each byte.
    #[inline(always)]
    pub(super) fn bits(v: __m128i) -> u16 {
        // SAFETY: SSE2 is part of the x86_64 baseline; no memory is read.
        unsafe { _mm_movemask_epi8(v) as u16 }
    }
}

/// The AVX2 compares behind [`Avx2`]'s lanes. Private: the only way in is
/// through the token.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };

    use super::Byte;

    /// `bitmaps64` of two 32-byte lanes.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn bitmaps64<const N: usize>(block: &[u8; 64], bytes: [Byte; N]) -> [u64; N] {
        let (lo, hi) = block.split_at(32);
        let (lo, hi) = (load(lo), load(hi));
        let mut out = [0u64; N];
        for j in 0..N {
            out[j] = bits(eq(lo, bytes[j])) | bits(eq(hi, bytes[j])) << 32;
        }
        out
    }

    /// The first 32 bytes of `lane`.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn load(lane: &[u8]) -> __m256i {
        assert!(lane.len() >= 32);
        // SAFETY: an unaligned load of 32 bytes, which `lane` has.
        unsafe { _mm256_loadu_si256(lane.as_ptr().cast()) }
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn eq(v: __m256i, b: Byte) -> __m256i {
        let v = if b.fold != 0 {
            _mm256_or_si256(v, _mm256_set1_epi8(b.fold as i8))
        } else {
            v
        };
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b.byte as i8))
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn bits(v: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(v) as u32)
    }
}

/// The carry-less multiply behind [`Avx2Bmi`]'s `prefix_xor`. Private: the
/// only way in is through the token.
#[cfg(target_arch = "x86_64")]
mod clmul {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};

    /// Bit `i` is the XOR of bits `0..=i` of `x`: `x` times all ones,
    /// without carries.
    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    pub(super) fn prefix_xor(x: u64) -> u64 {
        let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0);
        _mm_cvtsi128_si64(product) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn field_span_is_split(hay in prop::collection::vec(prop_oneof![Just(b' '), Just(b'a')], 0..300), col in 0usize..12) {
            let fields: Vec<&[u8]> = hay.split(|&b| b == b' ').collect();
            let (n, span) = field_span(&hay, b' ', col);
            prop_assert_eq!(n + 1, fields.len());
            match span {
                Some((s, e)) => prop_assert_eq!(&hay[s..e], fields[col]),
                None => prop_assert!(col >= fields.len()),
            }
        }

        #[test]
        fn block_mask_is_a_plain_scan(hay in prop::collection::vec(prop_oneof![Just(b' '), Just(0u8), any::<u8>()], 0..70), byte in prop_oneof![Just(b' '), Just(0u8)]) {
            let want = hay.iter().take(64).enumerate().fold(0u64, |m, (i, &b)| m | (u64::from(b == byte) << i));
            prop_assert_eq!(block_mask(&hay, byte), want);
        }

        #[test]
        fn fill_bitmaps_is_block_mask(w in prop::collection::vec(prop_oneof![Just(b' '), Just(b'\n'), Just(0u8), any::<u8>()], 0..300)) {
            let needles = [b' ', b'\n', 0u8];
            let words = w.len().div_ceil(64);
            let (mut a, mut b, mut c) = (vec![0u64; words], vec![0u64; words], vec![0u64; words]);
            fill_bitmaps(&w, needles, &mut [&mut a[..], &mut b[..], &mut c[..]]);
            for (i, block) in w.chunks(64).enumerate() {
                prop_assert_eq!(a[i], block_mask(block, b' '));
                prop_assert_eq!(b[i], block_mask(block, b'\n'));
                prop_assert_eq!(c[i], block_mask(block, 0));
            }
        }

        #[test]
        fn wide_lanes_are_the_narrow_ones(block in prop::collection::vec(prop_oneof![Just(b'{'), Just(b'['), Just(b'"'), Just(0u8), any::<u8>()], 64)) {
            let block: &[u8; 64] = block.as_slice().try_into().unwrap();
            let bytes = [Byte::is(b'"'), Byte::either(b'{', 0x20), Byte::is(0)];
            let want = Baseline.bitmaps64(block, bytes);
            for (j, b) in bytes.iter().enumerate() {
                let plain = block.iter().enumerate().fold(0u64, |m, (i, &x)| m | u64::from(b.matches(x)) << i);
                prop_assert_eq!(want[j], plain);
            }
            if let Some(cpu) = Avx2::detect() {
                prop_assert_eq!(cpu.bitmaps64(block, bytes), want);
            }
            if let Some(cpu) = Avx2Bmi::detect() {
                prop_assert_eq!(cpu.bitmaps64(block, bytes), want);
            }
        }

        #[test]
        fn prefix_xor_is_a_running_parity(x in any::<u64>()) {
            let mut parity = 0;
            for i in 0..64 {
                parity ^= x >> i & 1;
                prop_assert_eq!(prefix_xor(x) >> i & 1, parity);
            }
            if let Some(cpu) = Avx2Bmi::detect() {
                prop_assert_eq!(cpu.prefix_xor(x), prefix_xor(x));
            }
        }

        #[test]
        fn next_bit_is_a_plain_scan(masks in prop::collection::vec(prop_oneof![Just(0u64), Just(1u64 << 63), any::<u64>()], 0..5), pos in 0usize..330) {
            let want = (pos..masks.len() * 64).find(|&i| masks[i / 64] >> (i % 64) & 1 == 1).unwrap_or(usize::MAX);
            prop_assert_eq!(next_bit(&masks, pos), want);
        }

        #[test]
        fn find_near_is_position(hay in prop::collection::vec(prop_oneof![Just(b' '), Just(0u8), Just(0x80u8), any::<u8>()], 0..100), from in 0usize..110, byte in prop_oneof![Just(b' '), Just(0u8), Just(0x80u8)]) {
            let want = hay.get(from..).and_then(|r| r.iter().position(|&b| b == byte)).map(|p| from + p);
            prop_assert_eq!(find_near(&hay, from, byte), want);
        }

        #[test]
        fn find_is_position(hay in prop::collection::vec(prop_oneof![Just(b' '), Just(0u8), any::<u8>()], 0..300), from in 0usize..320, byte in prop_oneof![Just(b' '), Just(0u8)]) {
            let want = hay.get(from..).and_then(|r| r.iter().position(|&b| b == byte)).map(|p| from + p);
            prop_assert_eq!(find(&hay, from, byte), want);
        }

        #[test]
        fn same_as_a_plain_scan(hay in prop::collection::vec(prop_oneof![Just(b' '), Just(0u8), any::<u8>()], 0..300), byte in prop_oneof![Just(b' '), Just(0u8)]) {
            let want: Vec<usize> = hay.iter().enumerate().filter(|(_, b)| **b == byte).map(|(i, _)| i).collect();
            let got: Vec<usize> = Positions::new(&hay, byte).collect();
            prop_assert_eq!(got, want);
        }
    }
}
