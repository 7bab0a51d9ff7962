//! Counting values in bounded memory: exact while they fit, a mergeable
//! Space-Saving summary once they do not.
//!
//! # The summary and its bound
//!
//! A [`ValueCounts`] keeps, for each value it monitors, a count `c` and an
//! error `e`, and one number for the whole summary, its floor `F`. With
//! `f(x)` the true number of lines of value `x` counted into it, it keeps
//! this invariant:
//!
//! - (a) for a monitored `x`: `c(x) - e(x) <= f(x) <= c(x)`, `e(x) <= F`
//!   and `c(x) >= F`;
//! - (b) for an `x` not monitored: `f(x) <= F`.
//!
//! So every reported count is over by at most `F` and never under, and a
//! value with more than `F` lines is monitored: `F` is the error bound
//! reports print (`±F`), and `F = 0` means every count is exact.
//!
//! It holds empty (`F = 0`, nothing monitored), and every step keeps it:
//!
//! - **A line of a monitored value**: `c` and `f` grow by one.
//! - **A line of a new value `x`**: first, while memory is short, the
//!   value with the least count `m` is dropped and `F` becomes `m`. Counts
//!   of monitored values are at least `F` by (a), so `m >= F` and `F` only
//!   grows; the dropped value had `f <= m`, so (b) holds for it. Then `x`
//!   is monitored with `c = F + 1`, `e = F`: before this line `f(x) <= F`
//!   by (b), so `f(x) <= F + 1 = c` and `c - e = 1 <= f(x)`. While nothing
//!   was ever dropped `F` is 0, and this is exact counting: `c = 1`.
//! - **Merging** summaries `S1` and `S2` (floors `F1`, `F2`) of disjoint
//!   lines, as threads do at the end (Agarwal et al., "Mergeable
//!   summaries", for Space-Saving): a value monitored in both gets
//!   `c1 + c2`, `e1 + e2`; one monitored only in `S1` gets `c1 + F2`,
//!   `e1 + F2` (in `S2` it had at most `F2` lines, by (b)), and the same
//!   the other way; the floor becomes `F1 + F2`. Since `f = f1 + f2`, each
//!   part's bounds add up to (a), and a value monitored in neither has
//!   `f <= F1 + F2`. Merging needs no more memory than the two parts held.
//!
//! With `k` values held, the least count is at most `N / k` of the `N`
//! lines counted, so `F <= N / k` for one summary, and `F` of a merge is
//! the sum of its parts'.
//!
//! The split of a value's lines by status code is kept for the lines seen
//! since it was last monitored: its codes add up to `c - e`, a lower bound
//! per code, exact when `F` is 0.
//!
//! # Memory
//!
//! What a summary holds is counted as it grows: its slots, its hash table
//! and heap by their capacities, each value's bytes and code list with the
//! allocator's overhead. While that fits its allowance (a share of the
//! [`super::Pool`], grown in steps) it counts exactly; refused a step, it
//! keeps a heap of its slots by count and from then on drops the least
//! counted value to make room for a new one. A value longer than
//! [`MAX_VALUE`] bytes is held as its first [`MAX_VALUE`] bytes and a hash
//! of the rest, so no single value holds much memory.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Longest value held whole. A longer one is held as its first this many
/// bytes and a hash of all of it: two long values that start alike still
/// count apart, and show as their first bytes and `…`.
pub const MAX_VALUE: usize = 1024;

/// How a long value's key ends: 8 bytes of hash and this marker, making
/// the key one byte longer than any hashed value could be otherwise.
const CUT_MARK: u8 = 0xff;

/// The per-code lines of one value: the first code inline (most values are
/// answered with one code), others in a list allocated only when there are
/// some.
#[derive(Clone, Debug, Default)]
struct Codes {
    first: u16,
    n: u64,
    more: Vec<(u16, u64)>,
}

impl Codes {
    fn one(code: u16) -> Codes {
        Codes {
            first: code,
            n: 1,
            more: Vec::new(),
        }
    }

    #[inline(always)]
    fn add(&mut self, code: u16, k: u64) {
        if self.first == code || self.n == 0 {
            self.first = code;
            self.n += k;
        } else {
            self.add_more(code, k);
        }
    }

    #[cold]
    fn add_more(&mut self, code: u16, k: u64) {
        match self.more.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += k,
            None => self.more.push((code, k)),
        }
    }

    fn merge(&mut self, other: &Codes) {
        for (c, n) in other.iter() {
            self.add(c, n);
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        (self.n > 0)
            .then_some((self.first, self.n))
            .into_iter()
            .chain(self.more.iter().copied())
    }

    /// Heap bytes of the list, with an allocation's overhead.
    fn heap_bytes(&self) -> usize {
        match self.more.capacity() {
            0 => 0,
            n => n * 16 + ALLOC_OVERHEAD,
        }
    }
}

/// What an allocation costs beyond the bytes asked for (header, rounding).
const ALLOC_OVERHEAD: usize = 16;

/// One monitored value.
#[derive(Clone, Debug)]
struct Slot {
    key: Box<[u8]>,
    hash: u64,
    count: u64,
    err: u64,
    /// Position in the heap, once the summary keeps one.
    pos: u32,
    codes: Codes,
}

impl Slot {
    /// Heap bytes of the key and code list.
    fn heap_bytes(&self) -> usize {
        key_bytes(self.key.len()) + self.codes.heap_bytes()
    }
}

fn key_bytes(len: usize) -> usize {
    len.next_multiple_of(16) + ALLOC_OVERHEAD
}

/// One row of a finished count: a value, its count (over by at most the
/// summary's floor) and its lines by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The value's bytes; a long value's first [`MAX_VALUE`] bytes and `…`.
    pub value: Vec<u8>,
    pub count: u64,
    /// Codes ascending.
    pub codes: Vec<(u16, u64)>,
}

/// Counts of the values of one field among the selected requests: exact,
/// then a Space-Saving summary (see the module documentation for the
/// invariant and the memory rules).
#[derive(Clone, Debug)]
pub struct ValueCounts {
    table: HashTable<u32>,
    slots: Vec<Slot>,
    /// Min-heap of slot indices by count, kept once memory ran short.
    heap: Vec<u32>,
    sketch: bool,
    floor: u64,
    /// Heap bytes of every slot's key and codes.
    keys: usize,
    allowance: usize,
    /// A long value's key, built here.
    scratch: Vec<u8>,
    /// Requests counted, with or without a value.
    pub selected: u64,
    /// Requests counted without a value.
    pub missing: u64,
}

fn hash(key: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(key)
}

impl ValueCounts {
    /// An empty count that may use `allowance` bytes before asking a pool.
    pub fn new(allowance: usize) -> ValueCounts {
        ValueCounts {
            table: HashTable::new(),
            slots: Vec::new(),
            heap: Vec::new(),
            sketch: false,
            floor: 0,
            keys: 0,
            allowance,
            scratch: Vec::new(),
            selected: 0,
            missing: 0,
        }
    }

    /// The most any count may be over (0: every count is exact).
    pub fn error_bound(&self) -> u64 {
        self.floor
    }

    /// Values monitored.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Bytes held, as the memory rules count them.
    pub fn memory(&self) -> usize {
        self.slots.capacity() * size_of::<Slot>()
            + self.table.allocation_size()
            + self.heap.capacity() * 4
            + self.keys
            + self.scratch.capacity()
    }

    /// The count and error of `value`, if monitored.
    pub fn get(&self, value: &[u8]) -> Option<(u64, u64)> {
        let long;
        let key = if value.len() > MAX_VALUE {
            long = [&value[..MAX_VALUE], &hash(value).to_le_bytes(), &[CUT_MARK]].concat();
            &long[..]
        } else {
            value
        };
        let h = hash(key);
        self.table
            .find(h, |&j| *self.slots[j as usize].key == *key)
            .map(|&i| (self.slots[i as usize].count, self.slots[i as usize].err))
    }

    /// Counts one request of `code` with value `value`, taking memory from
    /// `pool` while it gives some.
    #[inline]
    pub fn add(&mut self, code: u16, value: &[u8], pool: &super::Pool) {
        self.selected += 1;
        if value.len() > MAX_VALUE {
            let mut key = std::mem::take(&mut self.scratch);
            key.clear();
            key.extend_from_slice(&value[..MAX_VALUE]);
            key.extend_from_slice(&hash(value).to_le_bytes());
            key.push(CUT_MARK);
            self.count(code, &key, pool);
            self.scratch = key;
        } else {
            self.count(code, value, pool);
        }
    }

    #[inline(always)]
    fn count(&mut self, code: u16, key: &[u8], pool: &super::Pool) {
        let h = hash(key);
        let slots = &mut self.slots;
        if let Some(&i) = self.table.find(h, |&j| *slots[j as usize].key == *key) {
            let s = &mut slots[i as usize];
            s.count += 1;
            if s.codes.first == code {
                s.codes.n += 1;
            } else {
                let before = s.codes.heap_bytes();
                s.codes.add(code, 1);
                self.keys += s.codes.heap_bytes() - before;
            }
            if self.sketch {
                let p = s.pos as usize;
                self.sift_down(p);
            }
            return;
        }
        self.insert(code, key.into(), h, pool);
    }

    /// Monitors a new value (the second step of the module's invariant).
    fn insert(&mut self, code: u16, key: Box<[u8]>, h: u64, pool: &super::Pool) {
        let cost = key_bytes(key.len());
        if !self.sketch {
            let need = self.need(cost);
            if need > self.allowance {
                match pool.grant(need - self.allowance) {
                    0 => self.start_sketch(),
                    n => self.allowance += n,
                }
            }
        }
        if self.sketch {
            // The table is left to grow once if its tombstones make it
            // (its growth counts in `memory` from then on).
            while !self.slots.is_empty()
                && (self.slots.len() == self.slots.capacity()
                    || self.memory() + cost > self.allowance)
            {
                self.drop_least();
            }
        } else if self.slots.len() == self.slots.capacity() {
            self.slots.reserve_exact((self.slots.len() / 2).max(16));
        }
        let i = self.slots.len();
        self.slots.push(Slot {
            key,
            hash: h,
            count: self.floor + 1,
            err: self.floor,
            pos: i as u32,
            codes: Codes::one(code),
        });
        let slots = &self.slots;
        self.table
            .insert_unique(h, i as u32, |&j| slots[j as usize].hash);
        self.keys += cost;
        if self.sketch {
            self.heap.push(i as u32);
            self.sift_up(i);
        }
    }

    /// Memory after monitoring one more value of `cost` key bytes, with the
    /// growth of the slots and the table that may take.
    fn need(&self, cost: usize) -> usize {
        let mut m = self.memory() + cost;
        if self.slots.len() == self.slots.capacity() {
            m += (self.slots.len() / 2).max(16) * size_of::<Slot>();
        }
        if self.table.len() == self.table.capacity() {
            // The table doubles.
            m += self.table.allocation_size().max(64);
        }
        m
    }

    /// Memory ran short: from now on the least counted value makes room.
    ///
    /// The table is given room for twice the slots first: values come and
    /// go, and a table at most half full cleans up after them in place,
    /// where a fuller one would double when it runs out of room.
    #[cold]
    fn start_sketch(&mut self) {
        self.sketch = true;
        let slots = &self.slots;
        let room = 2 * slots.capacity();
        self.table
            .reserve(room.saturating_sub(self.table.len()), |&j| {
                slots[j as usize].hash
            });
        self.heap = Vec::with_capacity(self.slots.capacity());
        for (i, s) in self.slots.iter_mut().enumerate() {
            s.pos = i as u32;
            self.heap.push(i as u32);
        }
        for p in (0..self.heap.len() / 2).rev() {
            self.sift_down(p);
        }
    }

    /// Drops the value with the least count, which becomes the floor.
    fn drop_least(&mut self) {
        let i = self.heap[0] as usize;
        self.floor = self.floor.max(self.slots[i].count);
        let last = self.heap.pop().expect("a slot to drop");
        if !self.heap.is_empty() {
            self.heap[0] = last;
            self.slots[last as usize].pos = 0;
            self.sift_down(0);
        }
        self.remove(i);
    }

    /// Removes slot `i` from the table and the slots, moving the last slot
    /// into its place.
    fn remove(&mut self, i: usize) {
        let h = self.slots[i].hash;
        if let Ok(e) = self.table.find_entry(h, |&j| j as usize == i) {
            e.remove();
        }
        self.keys -= self.slots[i].heap_bytes();
        let last = self.slots.len() - 1;
        self.slots.swap_remove(i);
        if i != last {
            let moved = &self.slots[i];
            if let Some(e) = self.table.find_mut(moved.hash, |&j| j as usize == last) {
                *e = i as u32;
            }
            if self.sketch {
                self.heap[moved.pos as usize] = i as u32;
            }
        }
    }

    fn count_at(&self, p: usize) -> u64 {
        self.slots[self.heap[p] as usize].count
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        let (ia, ib) = (self.heap[a] as usize, self.heap[b] as usize);
        self.slots[ia].pos = a as u32;
        self.slots[ib].pos = b as u32;
    }

    fn sift_up(&mut self, mut p: usize) {
        while p > 0 {
            let parent = (p - 1) / 2;
            if self.count_at(parent) <= self.count_at(p) {
                break;
            }
            self.swap(p, parent);
            p = parent;
        }
    }

    fn sift_down(&mut self, mut p: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * p + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.count_at(r) < self.count_at(l) {
                r
            } else {
                l
            };
            if self.count_at(p) <= self.count_at(c) {
                break;
            }
            self.swap(p, c);
            p = c;
        }
    }

    /// Adds what `other` counted, of other lines (the merge step of the
    /// module's invariant). The result counts exactly or with the sum of
    /// the two floors as its bound, holds what both held and no more, and
    /// may go on counting.
    pub fn merge(&mut self, other: ValueCounts) {
        let (f1, f2) = (self.floor, other.floor);
        if self.sketch {
            self.sketch = false;
            self.heap = Vec::new();
        }
        if f2 > 0 {
            for s in &mut self.slots {
                s.count += f2;
                s.err += f2;
            }
        }
        self.slots.reserve(other.slots.len());
        for o in other.slots {
            let slots = &mut self.slots;
            match self
                .table
                .find(o.hash, |&j| *slots[j as usize].key == *o.key)
            {
                Some(&i) => {
                    let s = &mut slots[i as usize];
                    s.count = s.count + o.count - f2;
                    s.err = s.err + o.err - f2;
                    let before = s.codes.heap_bytes();
                    s.codes.merge(&o.codes);
                    self.keys += s.codes.heap_bytes() - before;
                }
                None => {
                    let i = slots.len();
                    self.keys += o.heap_bytes();
                    slots.push(Slot {
                        count: o.count + f1,
                        err: o.err + f1,
                        pos: i as u32,
                        ..o
                    });
                    let slots = &self.slots;
                    self.table
                        .insert_unique(slots[i].hash, i as u32, |&j| slots[j as usize].hash);
                }
            }
        }
        self.floor = f1 + f2;
        self.allowance += other.allowance;
        self.selected += other.selected;
        self.missing += other.missing;
    }

    /// The `n` values with the most lines, most first, ties by value.
    pub fn rows(&self, n: usize) -> Vec<Row> {
        let mut idx: Vec<usize> = (0..self.slots.len()).collect();
        let order = |a: &usize, b: &usize| {
            let (a, b) = (&self.slots[*a], &self.slots[*b]);
            b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key))
        };
        if n < idx.len() {
            idx.select_nth_unstable_by(n, order);
            idx.truncate(n);
        }
        idx.sort_unstable_by(order);
        idx.into_iter()
            .map(|i| {
                let s = &self.slots[i];
                let value = if s.key.len() == MAX_VALUE + 9 && s.key.last() == Some(&CUT_MARK) {
                    let mut v = s.key[..MAX_VALUE].to_vec();
                    v.extend_from_slice("…".as_bytes());
                    v
                } else {
                    s.key.to_vec()
                };
                let mut codes: Vec<(u16, u64)> = s.codes.iter().collect();
                codes.sort_unstable();
                Row {
                    value,
                    count: s.count,
                    codes,
                }
            })
            .collect()
    }

    /// Every monitored value with its count and error, for tests.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], u64, u64)> {
        self.slots.iter().map(|s| (&*s.key, s.count, s.err))
    }
}
