//! `--top` in a scan: a [`TopWork`] per counting thread, all drawing on one
//! memory [`Pool`], merged into the answers once every input is read.
//!
//! Counts of values are kept per thread, not per input: `--top` answers
//! over all inputs, and a thread's counts then grow with the distinct
//! values it sees rather than with the inputs. An input whose format lacks
//! a field asked for is not read at all (its error says which field), so
//! every line counted in the totals is also in every `--top`'s.

use std::sync::{Arc, Mutex};

use crate::format::Format;
use crate::summary::{Top, TopRow};
use crate::top::{Pool, TopSpec, TopWork, ValueCounts};

/// Default memory for all `--top` counting together (`--top-memory`).
pub const DEFAULT_TOP_MEMORY: usize = 256 << 20;

/// What the counting threads of a scan share for `--top`.
pub(super) struct TopShared {
    specs: Arc<[TopSpec]>,
    pool: Arc<Pool>,
    /// Each thread's counts, handed in when it is done.
    done: Mutex<Vec<TopWork>>,
}

impl TopShared {
    /// The shared state for `specs` (none: `None`), for at most `counters`
    /// counting threads at once.
    pub(super) fn new(specs: &[TopSpec], memory: usize, counters: usize) -> Option<TopShared> {
        if specs.is_empty() {
            return None;
        }
        let memory = if memory == 0 {
            DEFAULT_TOP_MEMORY
        } else {
            memory
        };
        Some(TopShared {
            specs: specs.into(),
            pool: Arc::new(Pool::new(memory, counters)),
            done: Mutex::new(Vec::new()),
        })
    }

    /// Fresh counts for a thread that starts counting.
    pub(super) fn work(&self) -> TopWork {
        TopWork::new(self.specs.clone(), self.pool.clone())
    }

    /// A thread's counts, once it counts no more.
    pub(super) fn done(&self, w: Option<TopWork>) {
        if let Some(w) = w {
            self.done.lock().unwrap_or_else(|e| e.into_inner()).push(w);
        }
    }

    /// Why an input of format `f` cannot answer the `--top`s: the first
    /// field asked for that the format does not have.
    pub(super) fn refusal(&self, f: &Format) -> Option<String> {
        self.specs.iter().find_map(|s| f.refusal(&s.wanted))
    }

    /// The answers, merging what every thread counted.
    pub(super) fn finish(self) -> Vec<Top> {
        let mut done = self.done.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut merged: Vec<Option<ValueCounts>> = self.specs.iter().map(|_| None).collect();
        // Each thread's counts are freed as they are merged, so the merge
        // holds no more than the threads held.
        while let Some(w) = done.pop() {
            for (acc, counts) in merged.iter_mut().zip(w.into_counts()) {
                match acc {
                    Some(a) => a.merge(counts),
                    None => *acc = Some(counts),
                }
            }
        }
        self.specs
            .iter()
            .zip(merged)
            .map(|(spec, counts)| {
                let counts = counts.unwrap_or_else(|| ValueCounts::new(0));
                let bound = counts.error_bound();
                Top {
                    field: spec.wanted.label(),
                    selector: spec.selector.clone(),
                    selected: counts.selected,
                    missing: counts.missing,
                    rows: counts
                        .rows(spec.rows)
                        .into_iter()
                        .map(|r| TopRow {
                            value: r.value,
                            count: r.count,
                            codes: r.codes.into_iter().collect(),
                        })
                        .collect(),
                    exact: bound == 0,
                    error_bound: bound,
                    grouping: spec
                        .group
                        .as_ref()
                        .map(|g| g.describe())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}
