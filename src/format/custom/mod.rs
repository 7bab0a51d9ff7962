//! Custom formats from a server's own directive: nginx `log_format` syntax
//! (`$remote_addr - $remote_user [$time_local] "$request" $status …`) or
//! Apache `LogFormat` syntax (`%h %l %u %t \"%r\" %>s %b`).
//!
//! The format string is compiled once into a small program of literals and
//! fields. Per line the program is run left to right without allocating: a
//! literal must match exactly where it is expected; a field extends up to the
//! next occurrence of the literal that follows it (a field between `"`
//! literals ends at the first `"` not escaped by a backslash, as both servers
//! escape quotes inside such fields; a field followed by a space ends at the
//! first space, so a format is not matched by a line with extra fields).
//! Matching stops once the status field is read: what follows it is not
//! checked, so logs that append fields after the configured ones still
//! count.
//!
//! A line's time, when an option asks for it, is read from the first time
//! variable of the format: nginx `$time_local`, `$time_iso8601`, `$msec`;
//! Apache `%t`, `%{sec}t`, `%{msec}t`, `%{usec}t` and `%{…}t` with a
//! strftime pattern.
//!
//! The status is nginx `$status` (`$upstream_status` with `--status
//! upstream`, when the format has it) or Apache `%>s` (final status), else
//! `%s`/`%<s`.

mod compile;
mod fields;
mod run;
mod time;

pub use compile::Program;
pub use fields::FieldSpan;
pub use run::Custom;

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests;
