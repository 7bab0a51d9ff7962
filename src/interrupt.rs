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
//! A signal interrupts a blocked `open` or `read` only in the one thread it
//! is delivered to, and a reader may be blocked at any stage: opening a FIFO
//! that has no writer yet, sniffing stdin for gzip, reading a quiet pipe.
//! So the flag alone cannot wake them all. The CLI blocks SIGINT before any
//! thread starts ([`mask`]); the scan unblocks it in its readers and in the
//! thread that waits for the workers, and that thread, once it sees the flag,
//! interrupts every reader still registered in its [`Wakers`] with a signal
//! of its own ([`Wakers::wake_all`]), again and again until they are gone
//! (a signal that lands just before a reader blocks would otherwise be lost).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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

/// The signal that wakes a blocked reader: SIGURG, whose default action is to
/// be ignored, so giving it a handler that does nothing changes nothing else
/// about the process (it only makes a blocked call return `EINTR`).
#[cfg(unix)]
const WAKE: libc::c_int = libc::SIGURG;

#[cfg(unix)]
extern "C" fn on_wake(_: libc::c_int) {}

/// Installs the wake handler once per process, unless the program already
/// handles the signal itself (then nobody is woken, rather than its handler
/// replaced); ignored or default, the signal does nothing either way. Without
/// `SA_RESTART`, so the interrupted call returns.
#[cfg(unix)]
fn wake_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        // SAFETY: zeroed sigactions are valid empty ones; the first call
        // only reads the current disposition, the second sets a handler that
        // does nothing.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(WAKE, std::ptr::null(), &mut old) != 0
                || (old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN)
            {
                return false;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_wake as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = 0;
            libc::sigaction(WAKE, &sa, std::ptr::null_mut()) == 0
        }
    })
}

/// A registered thread.
#[cfg(unix)]
#[derive(Clone, Copy, PartialEq, Eq)]
struct Thread(libc::pthread_t);

// SAFETY: a pthread_t is an identifier, used here only to signal the thread
// while it is registered (alive).
#[cfg(unix)]
unsafe impl Send for Thread {}

/// The threads that may block in a call only a signal interrupts, so that a
/// cancelled scan can wake them all ([`Wakers::wake_all`]).
#[derive(Default)]
pub struct Wakers {
    #[cfg(unix)]
    threads: Mutex<Vec<Thread>>,
}

/// Keeps the calling thread registered in its [`Wakers`] until dropped.
pub struct Registered<'a> {
    #[cfg(unix)]
    wakers: &'a Wakers,
    #[cfg(unix)]
    thread: Thread,
    #[cfg(not(unix))]
    _wakers: &'a Wakers,
}

impl Wakers {
    /// Registers the calling thread; it must not end before the guard is
    /// dropped (so a signal never goes to a thread that is gone).
    pub fn register(&self) -> Registered<'_> {
        #[cfg(unix)]
        {
            // SAFETY: pthread_self has no preconditions.
            let thread = Thread(unsafe { libc::pthread_self() });
            self.threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(thread);
            Registered {
                wakers: self,
                thread,
            }
        }
        #[cfg(not(unix))]
        Registered { _wakers: self }
    }

    /// Interrupts the blocking call of every registered thread. A thread not
    /// blocked at that moment is unaffected, so callers repeat this until the
    /// threads have seen their cancel flag and left.
    pub fn wake_all(&self) {
        #[cfg(unix)]
        {
            if !wake_ready() {
                return;
            }
            // Held while signalling: a thread unregisters (and so ends) only
            // after this lock is free, so every id here is a live thread.
            let threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
            for t in threads.iter() {
                // SAFETY: `t` is a live thread (see above); the signal's
                // handler does nothing.
                unsafe {
                    libc::pthread_kill(t.0, WAKE);
                }
            }
        }
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let mut threads = self
                .wakers
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(i) = threads.iter().position(|t| *t == self.thread) {
                threads.swap_remove(i);
            }
        }
    }
}
