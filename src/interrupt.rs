//! Ctrl-C ends the reading, not the report.
//!
//! `tail -F access.log | logstat -` never reaches the end of its input; the
//! only way to stop it is SIGINT, and dying then would throw away everything
//! counted. The first SIGINT therefore only raises a [`Cancel`] flag: the
//! scan's readers treat it as the end of their input, workers stop taking
//! chunks, and the report of what was read is printed, with every input that
//! was cut short named and the exit status 2 (not a full answer). A second
//! SIGINT kills as usual.
//!
//! The flag is an ordinary value the scan takes from its options, so a
//! library user or a test cancels a scan by calling [`Cancel::cancel`];
//! only the command line connects it to SIGINT ([`install`]).
//!
//! A signal interrupts a blocked `read` only in the thread it is delivered
//! to, so the CLI blocks SIGINT before any thread starts ([`mask`]) and the
//! scan unblocks it where it must land: in the stream readers when there are
//! any (a reader waiting on a quiet pipe must wake), else in the thread
//! waiting for the workers, which then stop at their next chunk.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// A shared "stop reading" flag.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every reader and worker holding a clone to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The flag SIGINT raises; set once, by [`install`].
static ON_SIGINT: OnceLock<Cancel> = OnceLock::new();

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    // `OnceLock::get` is an atomic load once set, and `cancel` an atomic
    // store: both safe in a signal handler.
    if let Some(c) = ON_SIGINT.get() {
        c.cancel();
    }
    // SAFETY: signal() is async-signal-safe; restoring the default makes a
    // second Ctrl-C end the process at once.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
}

/// Makes SIGINT raise `cancel` (the first call wins; the process has one
/// handler). Without `SA_RESTART`, so a read blocked on a quiet pipe returns
/// `EINTR` and the reader sees the flag.
pub fn install(cancel: &Cancel) {
    if ON_SIGINT.set(cancel.clone()).is_err() {
        return;
    }
    #[cfg(unix)]
    // SAFETY: a zeroed sigaction is a valid empty one; the handler only
    // touches atomics and calls an async-signal-safe function.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

/// Blocks (`true`) or unblocks SIGINT in the calling thread; threads started
/// afterwards inherit the mask.
pub fn mask(block: bool) {
    #[cfg(unix)]
    // SAFETY: plain signal-mask calls on a local, initialised set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        let how = if block {
            libc::SIG_BLOCK
        } else {
            libc::SIG_UNBLOCK
        };
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
    #[cfg(not(unix))]
    let _ = block;
}
