//! Collection: each input's running totals, folded in chunk order.
//!
//! Workers finish chunks in any order; counts merge in any order, but line
//! numbers of malformed examples and the `--dump-malformed` stream must come
//! out as if one thread had read the input front to back, so a chunk's other
//! results wait here until every chunk before it is folded.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::format::{AnyExtractor, Format};
use crate::input;
use crate::lines::{Counts, Detail, Sink, TimePlan, TimeWork, count_capped};
use crate::summary::MalformedExample;
use crate::time::Stamp;
use crate::top::TopWork;

use super::EXAMPLES_PER_INPUT;
use super::time::{TimeFold, TimeOut};

/// A chunk's results other than its counts, folded in chunk order.
pub(super) struct ChunkMeta {
    pub(super) lines: u64,
    pub(super) examples: Vec<(u64, Vec<u8>)>,
    pub(super) dump: Option<Vec<u8>>,
    /// What the time work found, when the options asked for it.
    pub(super) time: Option<TimeOut>,
}

/// One input's running totals, shared by the workers counting its chunks.
pub(super) struct Collector {
    pub(super) name: PathBuf,
    pub(super) format: Option<Format>,
    /// What detection picks when the format is forced (`InputSummary::detected`).
    pub(super) detected: Option<String>,
    pub(super) counts: Counts,
    pub(super) bytes: u64,
    pub(super) error: Option<String>,
    /// Next chunk sequence number to fold, and the lines folded before it.
    pub(super) next_seq: u64,
    pub(super) lines_before: u64,
    pub(super) pending: BTreeMap<u64, ChunkMeta>,
    pub(super) examples: Vec<MalformedExample>,
    /// Every byte of the input was read (not cut short by Ctrl-C). Ranged
    /// inputs know how many chunks make them whole.
    pub(super) complete: bool,
    pub(super) chunks: Option<u64>,
    /// The offset of the input's first dated line: its own clock.
    pub(super) offset: Option<i32>,
    /// Time results, when the options read times.
    pub(super) time: Option<TimeFold>,
    /// Without them: the times of the first and the last dated line.
    pub(super) ends: (Option<Stamp>, Option<Stamp>),
    /// Bytes a bisection skipped.
    pub(super) unread: u64,
}

impl Collector {
    pub(super) fn new(name: PathBuf) -> Self {
        Collector {
            name,
            format: None,
            detected: None,
            counts: Counts::default(),
            bytes: 0,
            error: None,
            next_seq: 0,
            lines_before: 0,
            pending: BTreeMap::new(),
            examples: Vec::new(),
            complete: false,
            chunks: None,
            offset: None,
            time: None,
            ends: (None, None),
            unread: 0,
        }
    }

    /// Adds one chunk's results and folds every chunk now in order.
    pub(super) fn add(
        &mut self,
        seq: u64,
        counts: &Counts,
        bytes: u64,
        meta: ChunkMeta,
        dump: &Mutex<Option<&mut (dyn Write + Send)>>,
    ) {
        self.counts.merge(counts);
        self.bytes += bytes;
        let mut meta = meta;
        if let (Some(fold), Some(out)) = (&mut self.time, meta.time.take()) {
            fold.add(out, &mut self.counts);
        }
        self.pending.insert(seq, meta);
        while let Some(meta) = self.pending.remove(&self.next_seq) {
            for (index, text) in meta.examples {
                if self.examples.len() < EXAMPLES_PER_INPUT {
                    self.examples.push(MalformedExample {
                        path: self.name.clone(),
                        line: self.lines_before + index + 1,
                        text,
                    });
                }
            }
            if let Some(bytes) = meta.dump.filter(|d| !d.is_empty()) {
                let mut guard = dump.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(w) = guard.as_mut()
                    && let Err(e) = w.write_all(&bytes)
                {
                    self.error
                        .get_or_insert(format!("--dump-malformed: {}", input::describe(&e)));
                }
            }
            self.lines_before += meta.lines;
            self.next_seq += 1;
        }
        if self.chunks == Some(self.next_seq) {
            self.complete = true;
        }
    }

    pub(super) fn fail(&mut self, msg: String) {
        self.error.get_or_insert(msg);
    }
}

/// Counts one buffer of whole lines into `counts`, doing the time work of
/// `plan` if any and counting into `top` (the thread's `--top` counts) if
/// asked; a line longer than `max` bytes is booked as malformed without the
/// extractor seeing it.
pub(super) fn count_buffer(
    ex: &mut AnyExtractor,
    data: &[u8],
    max: usize,
    counts: &mut Counts,
    dump: bool,
    plan: Option<&TimePlan>,
    top: &mut Option<TopWork>,
) -> ChunkMeta {
    let mut detail = (plan.is_some() || top.is_some()).then(|| Detail {
        time: plan.map(|p| TimeWork::new(*p)),
        top: top.take(),
    });
    let mut sink = Sink::new(counts, dump);
    sink.detail = detail.as_mut();
    count_capped(data, max, &mut sink, |lines, sink| ex.count(lines, sink));
    let meta = ChunkMeta {
        lines: sink.lines,
        examples: std::mem::take(&mut sink.examples),
        dump: sink.dump.take(),
        time: None,
    };
    let (time, counted) = detail.map_or((None, None), |d| (d.time, d.top));
    *top = counted;
    ChunkMeta {
        time: time.map(TimeOut::of),
        ..meta
    }
}
