//! Progress bar on stderr. SKELETON (reports helper).

use std::path::PathBuf;

use crate::scan::ScanOptions;

/// A running progress display; dropping it clears it.
pub struct Progress;

impl Progress {
    /// Starts a progress display when stderr is a terminal (never in pipes or CI).
    pub fn start(_files: &[PathBuf], _opts: &ScanOptions) -> Option<Progress> {
        None
    }
}
