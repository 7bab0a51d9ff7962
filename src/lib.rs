//! logstat: exact, fast HTTP status-code statistics for access logs.
//!
//! Data flows one way through the modules of this crate:
//!
//! ```text
//! input (files, gzip, stdin) -> scan (line-aligned chunks, worker threads)
//!   -> format::* (one status extractor per log format, chosen once per input)
//!   -> summary::Counts (1000-slot counters per worker, merged at the end)
//!   -> registry (what each code means) -> report::* (table, CSV, JSON)
//!   -> check (--fail-if / --warn-if) -> exit code (cli)
//! ```
//!
//! The binary (`src/main.rs`) is a thin shell around [`cli::main`].

pub mod bytes;
pub mod check;
pub mod cli;
pub mod escape;
pub mod explain;
pub mod format;
pub mod input;
pub mod interrupt;
pub mod lang;
pub mod lines;
pub mod registry;
pub mod report;
pub mod scan;
pub mod status;
pub mod summary;
pub mod text;
pub mod time;
pub mod top;
