//! The counts a scan produces: per input and in total.
//!
//! Every line lands in exactly one bucket: a status code (`codes`), `no_status`
//! (the status field is `-`), `skipped` (blank lines, format directives and
//! records that are not requests, each counted by reason) or `malformed` (no
//! status could be read). `lines` is always their sum, which is why it is
//! computed rather than stored.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::lines::{Counts, SLOTS};

/// A line that could not be read, kept as an example for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedExample {
    /// The input's display name (`-` shows as `<stdin>`). Escape before
    /// showing ([`crate::escape::escape_path`]).
    pub path: PathBuf,
    /// 1-based line number within that input (after decompression).
    pub line: u64,
    /// The raw bytes of the line, without its terminator. Escape before showing.
    pub text: Vec<u8>,
}

/// What one input gave.
#[derive(Clone, Debug, Default)]
pub struct InputSummary {
    /// Display name: the path as given, or `<stdin>`. A path rather than a
    /// `String` so a name that is not UTF-8 keeps its bytes for the report.
    pub path: PathBuf,
    /// Name of the format used (detected or forced), e.g. `combined`; empty when
    /// the input could not be read at all.
    pub format: String,
    pub counts: Counts,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Why this input gave no full answer (unreadable, undetectable), if so.
    pub error: Option<String>,
    /// When `--log-format` forced the format: what detection would have
    /// picked from the same first lines (`None` when nothing fits, or when
    /// the format was detected anyway). Lets a forced format that leaves most
    /// lines malformed name the one that would read them.
    pub detected: Option<String>,
}

impl InputSummary {
    /// What the report says about how the input was read, beyond its
    /// format's name: that a W3C field layout was assumed for lines no
    /// `#Fields:` declares ([`crate::format::note`]).
    pub fn note(&self) -> Option<String> {
        crate::format::note(&self.format)
    }
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
