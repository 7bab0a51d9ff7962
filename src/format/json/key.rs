//! Comparing a member's key with the key path looked for.

/// The key path looked for.
pub(super) trait Needle: Copy {
    fn path(&self) -> &[u8];

    /// Whether the key between the quotes at `p` and `kend` is the path.
    fn is(&self, line: &[u8], p: usize, kend: usize) -> bool;
}

/// Any key path, and its [`Quoted`] form.
#[derive(Clone, Copy)]
pub(super) struct Key<'a> {
    pub(super) path: &'a [u8],
    pub(super) quoted: Quoted,
}

/// The path `status`, known when compiling: `"status"` is exactly one word.
/// For the wide loop, which only x86_64 has.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(super) struct Status;

#[cfg(target_arch = "x86_64")]
impl Needle for Status {
    #[inline(always)]
    fn path(&self) -> &[u8] {
        b"status"
    }

    /// A line too short for the word after `p` cannot hold the key `status`
    /// and its closing quote there either.
    #[inline(always)]
    fn is(&self, line: &[u8], p: usize, _kend: usize) -> bool {
        line.get(p..p + 8) == Some(b"\"status\"")
    }
}

impl Needle for Key<'_> {
    #[inline(always)]
    fn path(&self) -> &[u8] {
        self.path
    }

    #[inline(always)]
    fn is(&self, line: &[u8], p: usize, kend: usize) -> bool {
        let q = &self.quoted;
        let word = |i: usize| {
            line.get(p + 8 * i..p + 8 * i + 8)
                .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
        };
        let differs = |w: u64, i: usize| (w ^ q.bytes[i]) & q.masks[i];
        match q.words {
            1 => {
                if let Some(a) = word(0) {
                    return differs(a, 0) == 0;
                }
            }
            2 => {
                if let (Some(a), Some(b)) = (word(0), word(1)) {
                    return differs(a, 0) | differs(b, 1) == 0;
                }
            }
            _ => {}
        }
        same(&line[p + 1..kend], self.path)
    }
}

/// A key path as the bytes of its quoted key (`"status"`, exactly 8), so
/// that a member's key is compared with one or two masked words read from
/// its opening quote: no branch on the key's length first, which goes one
/// way and the other from member to member and so mispredicts.
///
/// The bytes `"path"` at a key's opening quote are that key and no other:
/// a path without quotes or backslashes cannot hold the key's closing quote,
/// and the quote after it follows a byte that is not a backslash, so it is
/// the closing one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quoted {
    /// `"path"` in little-endian words, and the masks of its bytes.
    bytes: [u64; 2],
    masks: [u64; 2],
    /// Words compared from the opening quote: 1 or 2; 0 where the path
    /// cannot be compared this way (see [`Quoted::new`]) and `same` does
    /// it. Not 3: a third word would add to every key's compare what it
    /// saves on the few long ones (`DownstreamStatus`).
    words: usize,
}

impl Quoted {
    pub(super) const NONE: Quoted = Quoted {
        bytes: [0; 2],
        masks: [0; 2],
        words: 0,
    };

    /// Only for a path of 1 to 14 bytes without quotes or backslashes.
    pub(super) fn new(path: &[u8]) -> Quoted {
        let n = path.len() + 2;
        if path.is_empty() || n > 16 || path.iter().any(|&b| b == b'"' || b == b'\\') {
            return Quoted::NONE;
        }
        let (mut bytes, mut mask) = ([0u8; 16], [0u8; 16]);
        bytes[0] = b'"';
        bytes[1..n - 1].copy_from_slice(path);
        bytes[n - 1] = b'"';
        mask[..n].fill(0xff);
        let words = |b: &[u8; 16]| {
            [0, 1].map(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes")))
        };
        Quoted {
            bytes: words(&bytes),
            masks: words(&mask),
            words: n.div_ceil(8),
        }
    }
}

/// `a == b` without a `memcmp` call, which costs more than comparing the few
/// bytes of a key (most differ in their length anyway): equal lengths are
/// compared a word at a time, the last word overlapping the one before
/// (`status` is two 4-byte compares instead of a six-step loop).
#[inline(always)]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], i: usize| {
        s.get(i..i + 8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
    };
    let w4 = |s: &[u8], i: usize| {
        s.get(i..i + 4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
    };
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if w8(a, i) != w8(b, i) {
                    return false;
                }
                i += 8;
            }
            w8(a, n - 8) == w8(b, n - 8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_is_slice_equality(a in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..20), b in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..20)) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a.clone()));
        }
    }
}
