//! Drill-down (`--top FIELD --where SELECTOR`): which values of a field the
//! selected requests have, counted in the same pass as the statuses.
//!
//! This module knows nothing of formats or files. It names the fields an
//! extractor can read besides the status ([`Field`], [`Wanted`]), says which
//! requests a `--top` takes ([`CodeMask`], [`TopSpec`]) and counts values
//! per thread in bounded memory ([`TopWork`], [`ValueCounts`], sharing one
//! budget through a [`Pool`]). The per-line hook that reads a field and
//! hands it here is [`crate::lines::Sink::record_top`]; the scan merges what
//! every thread counted ([`ValueCounts::merge`]).

mod group;
mod sketch;

use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};

pub use group::{Grouping, parse_rule};
pub use sketch::{MAX_VALUE, Row, ValueCounts};

/// A field of a request that an extractor can read besides its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The request target without its query string (and without the
    /// scheme and host of an absolute URL).
    Path,
    /// The request target as logged, query string included.
    Url,
    Method,
    /// `HTTP/1.1`, `HTTP/2.0`, …
    Protocol,
    /// The virtual host, Host header or load balancer's domain.
    Host,
    /// The client's address.
    Client,
    /// The User-Agent header.
    Agent,
    /// The Referer header.
    Referer,
    /// The upstream (backend, target) address the request was sent to.
    Upstream,
    /// Bytes of the response.
    Bytes,
    /// Any key of a JSON line (`--top json:KEY`); the key is in [`Wanted`].
    Key,
}

impl Field {
    /// Every field but [`Field::Key`], in the order help and tables list them.
    pub const NAMED: [Field; 10] = [
        Field::Path,
        Field::Url,
        Field::Method,
        Field::Protocol,
        Field::Host,
        Field::Client,
        Field::Agent,
        Field::Referer,
        Field::Upstream,
        Field::Bytes,
    ];

    /// The name `--top` takes (`json:KEY` for [`Field::Key`]).
    pub fn name(self) -> &'static str {
        match self {
            Field::Path => "path",
            Field::Url => "url",
            Field::Method => "method",
            Field::Protocol => "protocol",
            Field::Host => "host",
            Field::Client => "client",
            Field::Agent => "agent",
            Field::Referer => "referer",
            Field::Upstream => "upstream",
            Field::Bytes => "bytes",
            Field::Key => "json:KEY",
        }
    }
}

/// A field as `--top` asked for it: a named one, or a JSON key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub field: Field,
    /// The dotted key path of [`Field::Key`]; empty otherwise.
    pub key: Box<str>,
}

impl Wanted {
    pub fn named(field: Field) -> Wanted {
        Wanted {
            field,
            key: "".into(),
        }
    }

    /// Reads a `--top` value: a field name (any case; `referrer` is
    /// `referer`) or `json:KEY`.
    pub fn parse(s: &str) -> Result<Wanted, String> {
        let t = s.trim();
        if let Some(key) = t.strip_prefix("json:") {
            if key.is_empty() {
                return Err("json: needs a key, e.g. json:user.id".into());
            }
            return Ok(Wanted {
                field: Field::Key,
                key: key.into(),
            });
        }
        let lower = t.to_ascii_lowercase();
        let lower = if lower == "referrer" {
            "referer"
        } else {
            &lower
        };
        Field::NAMED
            .into_iter()
            .find(|f| f.name() == lower)
            .map(Wanted::named)
            .ok_or_else(|| {
                format!(
                    "unknown field; try: {}, or json:KEY for a JSON log",
                    Field::NAMED.map(Field::name).join(", ")
                )
            })
    }

    /// The field as reports name it (`path`, `json:user.id`).
    pub fn label(&self) -> String {
        match self.field {
            Field::Key => format!("json:{}", self.key),
            f => f.name().to_string(),
        }
    }
}

/// Which status codes (0–999) a `--top` takes, as a bitset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeMask([u64; 16]);

impl CodeMask {
    pub const NONE: CodeMask = CodeMask([0; 16]);

    /// Every code 0–999.
    pub fn all() -> CodeMask {
        CodeMask::from_fn(|_| true)
    }

    pub fn from_fn(pick: impl Fn(u16) -> bool) -> CodeMask {
        let mut m = CodeMask::NONE;
        for c in 0..1000u16 {
            if pick(c) {
                m.0[c as usize / 64] |= 1 << (c % 64);
            }
        }
        m
    }

    /// Whether `code` (below 1000) is taken.
    #[inline(always)]
    pub fn picks(&self, code: u16) -> bool {
        self.0[(code as usize / 64) & 15] >> (code % 64) & 1 != 0
    }

    pub fn union(&self, other: &CodeMask) -> CodeMask {
        let mut m = *self;
        for (a, b) in m.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        m
    }
}

/// One `--top`: the field, the requests it counts and how many rows it shows.
#[derive(Clone, Debug)]
pub struct TopSpec {
    pub wanted: Wanted,
    pub mask: CodeMask,
    /// The selector as written (`5xx`), `None` for every request.
    pub selector: Option<String>,
    /// Rows to show (`-n`).
    pub rows: usize,
    /// `--group-paths`, for a `path` field.
    pub group: Option<Arc<Grouping>>,
}

/// The memory budget of all `--top` counting in a process, shared by the
/// threads that count.
///
/// Each counter is guaranteed a share of a quarter of the budget divided
/// among all the counters the scan may start, so that none is left with
/// nothing to count in; the rest is taken by whoever needs it first, in
/// steps. A counter refused a step stops growing and turns into a
/// heavy-hitter summary within what it holds ([`ValueCounts`]).
#[derive(Debug)]
pub struct Pool {
    left: AtomicIsize,
    share: usize,
}

/// The smallest step a counter takes from the [`Pool`]: large enough that
/// threads rarely meet on the atomic, small against any budget worth giving.
const STEP: usize = 1 << 20;

impl Pool {
    /// A pool of `budget` bytes for at most `counters` counters at once.
    pub fn new(budget: usize, counters: usize) -> Pool {
        let counters = counters.max(1);
        let share = budget / 4 / counters;
        Pool {
            left: AtomicIsize::new((budget - share * counters).min(isize::MAX as usize) as isize),
            share,
        }
    }

    /// The bytes every counter may use without asking.
    pub fn share(&self) -> usize {
        self.share
    }

    /// Takes `n` bytes if that many are left.
    pub fn take(&self, n: usize) -> bool {
        let n = n.min(isize::MAX as usize) as isize;
        if self.left.fetch_sub(n, Ordering::Relaxed) >= n {
            return true;
        }
        self.left.fetch_add(n, Ordering::Relaxed);
        false
    }

    /// Takes at least `need` bytes, a whole step when it can: how many it
    /// took (0 when not even `need` was left).
    pub fn grant(&self, need: usize) -> usize {
        let step = need.max(STEP);
        if self.take(step) {
            step
        } else if self.take(need) {
            need
        } else {
            0
        }
    }
}

/// What one counting thread counts for every `--top`: a [`ValueCounts`]
/// per spec, and the buffer fields are unescaped into.
#[derive(Clone, Debug)]
pub struct TopWork {
    specs: Arc<[TopSpec]>,
    /// The codes any spec takes: the one test a line no spec takes pays.
    union: CodeMask,
    counts: Vec<ValueCounts>,
    pool: Arc<Pool>,
    /// Where an extractor writes a value it cannot hand out as a slice of
    /// the line (an unescaped JSON string).
    pub buf: Vec<u8>,
    /// Where a grouped path is written.
    grouped: Vec<u8>,
}

impl TopWork {
    pub fn new(specs: Arc<[TopSpec]>, pool: Arc<Pool>) -> TopWork {
        let union = specs.iter().fold(CodeMask::NONE, |m, s| m.union(&s.mask));
        let each = pool.share() / specs.len().max(1);
        TopWork {
            counts: specs.iter().map(|_| ValueCounts::new(each)).collect(),
            specs,
            union,
            pool,
            buf: Vec::new(),
            grouped: Vec::new(),
        }
    }

    /// The codes any spec takes.
    pub fn mask(&self) -> CodeMask {
        self.union
    }

    /// Whether any spec takes requests of `code`.
    #[inline(always)]
    pub fn picks(&self, code: u16) -> bool {
        self.union.picks(code)
    }

    pub fn len(&self) -> usize {
        self.specs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Spec `i`'s field, if it takes requests of `code`.
    #[inline(always)]
    pub fn wants(&self, i: usize, code: u16) -> Option<&Wanted> {
        let s = &self.specs[i];
        s.mask.picks(code).then_some(&s.wanted)
    }

    /// Counts one request of `code` for spec `i`, whose field read `value`
    /// (`None`: the line has none).
    #[inline]
    pub fn add(&mut self, i: usize, code: u16, value: Option<&[u8]>) {
        let counts = &mut self.counts[i];
        let Some(v) = value.filter(|v| !v.is_empty() && *v != b"-") else {
            counts.selected += 1;
            counts.missing += 1;
            return;
        };
        match &self.specs[i].group {
            Some(g) => {
                g.fold(v, &mut self.grouped);
                counts.add(code, &self.grouped, &self.pool);
            }
            None => counts.add(code, v, &self.pool),
        }
    }

    /// What was counted, one [`ValueCounts`] per spec.
    pub fn into_counts(self) -> Vec<ValueCounts> {
        self.counts
    }
}

#[cfg(test)]
mod tests;
