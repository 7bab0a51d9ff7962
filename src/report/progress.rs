//! Progress bar on stderr for long scans.
//!
//! The scan engine adds the bytes it reads to `ScanOptions::progress` (an
//! `Arc<AtomicU64>`); a small thread polls that counter and draws with
//! indicatif. Polling instead of calling into indicatif from the workers keeps
//! the hot loop down to one relaxed `fetch_add` per chunk.
//!
//! The bar appears only when stderr is a terminal, `CI` is unset, and the scan
//! is still running after [`DELAY`]: short runs and pipes never see it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{
    BinaryBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};

use crate::scan::ScanOptions;

/// How long a scan runs before the bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// How often the bar reads the counter.
const TICK: Duration = Duration::from_millis(100);

/// A running progress display; dropping it stops and clears it.
pub struct Progress {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts a progress display when stderr is a terminal and `CI` is unset
    /// (never in pipes or CI). On success it puts a fresh byte counter into
    /// `opts.progress` for the scan engine to advance; otherwise it leaves
    /// `opts` untouched and returns `None`.
    pub fn start(files: &[PathBuf], opts: &mut ScanOptions) -> Option<Progress> {
        if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
            return None;
        }
        let counter = Arc::new(AtomicU64::new(0));
        opts.progress = Some(counter.clone());
        Some(Self::spawn(
            total_size(files),
            counter,
            DELAY,
            ProgressDrawTarget::stderr(),
        ))
    }

    /// Draws to `target` after `delay` until dropped. Separate from
    /// [`Progress::start`] so tests can run it against a hidden target.
    fn spawn(
        total: Option<u64>,
        counter: Arc<AtomicU64>,
        delay: Duration,
        target: ProgressDrawTarget,
    ) -> Progress {
        let (tx, rx) = mpsc::channel::<()>();
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            // Either a stop (or the sender dropped) before the delay: nothing
            // was drawn, nothing to clear.
            if !matches!(rx.recv_timeout(delay), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            // Rate and ETA come from the average since the scan began:
            // indicatif's own estimator only starts when the bar appears, so
            // it would take everything read during the delay as read at once.
            let started = start;
            let rate = move |pos: u64| pos as f64 / started.elapsed().as_secs_f64().max(1e-3);
            let style = |template: &str| {
                ProgressStyle::with_template(template)
                    .expect("static template")
                    .with_key(
                        "rate",
                        move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{}/s", BinaryBytes(rate(s.pos()) as u64));
                        },
                    )
                    .with_key(
                        "eta",
                        move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let left = s.len().unwrap_or(0).saturating_sub(s.pos());
                            let secs = left as f64 / rate(s.pos()).max(1.0);
                            let _ = write!(w, "{}", HumanDuration(Duration::from_secs_f64(secs)));
                        },
                    )
            };
            let bar = match total {
                Some(len) => ProgressBar::with_draw_target(Some(len), target)
                    .with_style(style("{bar:30} {bytes}/{total_bytes} · {rate} · {eta}")),
                None => ProgressBar::with_draw_target(None, target)
                    .with_style(style("{spinner} {bytes} · {rate}")),
            };
            loop {
                bar.set_position(counter.load(Ordering::Relaxed));
                bar.tick();
                if !matches!(rx.recv_timeout(TICK), Err(RecvTimeoutError::Timeout)) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Progress {
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread at once; joining makes sure the
        // bar is cleared before the report is written.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Total bytes the scan will count, when known in advance: the sum of the
/// sizes of regular, uncompressed files. Stdin (`-` or no file), pipes and
/// gzip inputs (counted after decompression) make it unknown.
pub fn total_size(files: &[PathBuf]) -> Option<u64> {
    if files.is_empty() {
        return None;
    }
    let mut total = 0u64;
    for f in files {
        if f.as_os_str() == "-" {
            return None;
        }
        let meta = std::fs::metadata(f).ok()?;
        if !meta.is_file() || crate::input::is_gzip(f) {
            return None;
        }
        total = total.saturating_add(meta.len());
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Instant;

    #[test]
    fn size_known_only_for_plain_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, b"0123456789").unwrap();
        let gz = dir.path().join("b.log.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"x").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();

        assert_eq!(total_size(std::slice::from_ref(&plain)), Some(10));
        assert_eq!(total_size(&[plain.clone(), plain.clone()]), Some(20));
        assert_eq!(total_size(&[plain.clone(), gz]), None);
        assert_eq!(total_size(&[plain.clone(), PathBuf::from("-")]), None);
        assert_eq!(total_size(&[]), None);
        assert_eq!(total_size(&[dir.path().join("missing")]), None);
    }

    #[test]
    fn drop_stops_the_thread_promptly() {
        let counter = Arc::new(AtomicU64::new(0));
        // Dropped before the delay: returns at once.
        let t = Instant::now();
        let p = Progress::spawn(
            Some(100),
            counter.clone(),
            Duration::from_secs(30),
            ProgressDrawTarget::hidden(),
        );
        drop(p);
        assert!(t.elapsed() < Duration::from_secs(5));
        // Past the delay, drawing: still stops when dropped.
        let p = Progress::spawn(
            None,
            counter.clone(),
            Duration::ZERO,
            ProgressDrawTarget::hidden(),
        );
        counter.fetch_add(42, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(250));
        let t = Instant::now();
        drop(p);
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
