//! Time as access logs write it: instants with the zone offset they were
//! written in.
//!
//! An instant is kept as Unix seconds plus the offset of the line it came
//! from, so that filters and intervals work on one absolute clock (a DST
//! change mid-file is a change of offset, not a jump in time) while reports
//! can still show a time the way the log wrote it.

/// One instant read from a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix: i64,
    /// The line's offset east of UTC, in seconds (0 for `Z` and for formats
    /// that write UTC).
    pub offset: i32,
}
