//! The counts a scan produces: per input and in total.
//!
//! Every line lands in exactly one bucket: a status code (`codes`), `no_status`
//! (the status field is `-`), `skipped` (blank lines and format directives) or
//! `malformed` (no status could be read). `lines` is always their sum, which is
//! why it is computed rather than stored.

use std::time::Duration;

use crate::status::Class;

/// One slot per status code 0–999; `000` is code 0.
pub const SLOTS: usize = 1000;

/// Line counts by bucket. Cheap to merge; the 1000-slot array is boxed so that
/// moving a `Counts` between workers copies a pointer, not 8 KB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub codes: Box<[u64; SLOTS]>,
    pub no_status: u64,
    pub skipped: u64,
    pub malformed: u64,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            codes: Box::new([0; SLOTS]),
            no_status: 0,
            skipped: 0,
            malformed: 0,
        }
    }
}

impl Counts {
    /// Lines from which a status code was read.
    pub fn requests(&self) -> u64 {
        self.codes.iter().sum()
    }

    /// Every line seen: the sum of all buckets.
    pub fn lines(&self) -> u64 {
        self.requests() + self.no_status + self.skipped + self.malformed
    }

    /// Back to all zeros, keeping the allocation: a worker reuses one
    /// `Counts` for every chunk it counts.
    pub fn clear(&mut self) {
        self.codes.fill(0);
        self.no_status = 0;
        self.skipped = 0;
        self.malformed = 0;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.codes.iter_mut().zip(other.codes.iter()) {
            *a += *b;
        }
        self.no_status += other.no_status;
        self.skipped += other.skipped;
        self.malformed += other.malformed;
    }

    /// `(code, count)` for every code seen, ascending.
    pub fn observed(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.codes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (c as u16, *n))
    }

    /// Requests per class 1xx–5xx, in that order.
    pub fn class_counts(&self) -> [(Class, u64); 5] {
        Class::ALL.map(|c| {
            let base = c.digit() as usize * 100;
            (c, self.codes[base..base + 100].iter().sum())
        })
    }

    /// Requests whose code lies outside 100–599 (e.g. `000`, nginx `009`, `999`).
    pub fn other_class(&self) -> u64 {
        self.codes[..100].iter().sum::<u64>() + self.codes[600..].iter().sum::<u64>()
    }
}

/// A line that could not be read, kept as an example for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedExample {
    /// The input's display name (`-` shows as `<stdin>`).
    pub path: String,
    /// 1-based line number within that input (after decompression).
    pub line: u64,
    /// The raw bytes of the line, without its terminator. Escape before showing.
    pub text: Vec<u8>,
}

/// What one input gave.
#[derive(Clone, Debug, Default)]
pub struct InputSummary {
    /// Display name: the path as given, or `<stdin>`.
    pub path: String,
    /// Name of the format used (detected or forced), e.g. `combined`; empty when
    /// the input could not be read at all.
    pub format: String,
    pub counts: Counts,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Why this input gave no full answer (unreadable, undetectable), if so.
    pub error: Option<String>,
}

/// Everything a scan produced, ready for reports and checks.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub inputs: Vec<InputSummary>,
    /// Sum over all inputs.
    pub total: Counts,
    /// The first few malformed lines over all inputs, in input order.
    pub examples: Vec<MalformedExample>,
    pub elapsed: Duration,
}

impl Summary {
    /// Builds the total from the inputs.
    pub fn from_inputs(
        inputs: Vec<InputSummary>,
        examples: Vec<MalformedExample>,
        elapsed: Duration,
    ) -> Summary {
        let mut total = Counts::default();
        for i in &inputs {
            total.merge(&i.counts);
        }
        Summary {
            inputs,
            total,
            examples,
            elapsed,
        }
    }

    /// True when some input could not be read in full.
    pub fn has_errors(&self) -> bool {
        self.inputs.iter().any(|i| i.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_is_the_sum_of_buckets_and_classes_partition_requests() {
        let mut c = Counts::default();
        c.codes[0] = 1;
        c.codes[200] = 5;
        c.codes[499] = 2;
        c.codes[999] = 1;
        c.no_status = 3;
        c.skipped = 4;
        c.malformed = 5;
        assert_eq!(c.requests(), 9);
        assert_eq!(c.lines(), 21);
        let classes: u64 = c.class_counts().iter().map(|(_, n)| n).sum();
        assert_eq!(classes + c.other_class(), c.requests());
        let mut d = c.clone();
        d.merge(&c);
        assert_eq!(d.lines(), 42);
        assert_eq!(
            d.observed().collect::<Vec<_>>(),
            vec![(0, 2), (200, 10), (499, 4), (999, 2)]
        );
        d.clear();
        assert_eq!(d, Counts::default());
    }
}
