//! Command-line interface: argument parsing, wiring of the pipeline, exit codes.
//!
//! Exit codes follow ripgrep's spirit: 0 all good, 1 a `--fail-if` threshold
//! held, 2 anything that prevented a full answer (usage, unreadable input, bad
//! expression, too few requests for checks); 2 wins over 1.
//!
//! They are decided here and only here, in [`exit_code`]: `check` returns a
//! [`Verdict`], `explain` a `Result`, and [`run`] folds those
//! and every failure of its own into one [`Outcome`] or [`Error`]. Keeping the
//! numbers out of the other modules means no module can disagree with the
//! contract above, and "2 wins over 1" is one `max` rather than a rule each
//! caller must remember.
//!
//! Every error line has one style, `logstat: MESSAGE` on stderr
//! ([`print_error`]); clap's usage errors are rewritten to match.
//!
//! What a run prints, in order, so that whoever reads only the end of it
//! (a CI log, a terminal) reads the truth: the report (stdout), the verdict
//! lines and the overall check line, then, on stderr, the `--min-requests`
//! line if any, and last the line saying the answer is partial and why
//! (`logstat: 1 of 12 inputs could not be read (…); exit 2`). Each failed
//! input's own error line comes earlier, as soon as the scan is done.
//!
//! stdout carries one thing. The report goes there, unless `--csv -`,
//! `--json -`, `--series-csv -`, `--top-csv -` or `--dump-malformed -`
//! claims it: then the table goes to stderr, as the verdicts do whenever
//! stdout carries data.
//! Two claims on stdout are refused before anything is read.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::check::{self, CheckResult, Verdict};
use crate::escape;
use crate::explain;
use crate::format::{self, FormatChoice, FormatOptions};
use crate::input;
use crate::interrupt;
use crate::lang::{Lang, Langs};
use crate::report::{self, ReportOptions};
use crate::scan::{self, ScanOptions};
use crate::summary::Summary;
use crate::text::{self, group};
use crate::top::{CodeMask, Field, Grouping, TopSpec, Wanted};

pub use crate::report::Output;

/// How a run that got to its end went. Ordered so that the worse outcome is
/// the greater: combining two is `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// A full answer, and no `--fail-if` held.
    Clean,
    /// A full answer, and a `--fail-if` held.
    ThresholdHeld,
    /// An answer with a hole: an input or a side file failed, or too few
    /// requests were counted for the checks to mean anything.
    Partial,
}

impl From<Verdict> for Outcome {
    fn from(v: Verdict) -> Outcome {
        match v {
            Verdict::Pass => Outcome::Clean,
            Verdict::Fail => Outcome::ThresholdHeld,
            Verdict::TooFewRequests => Outcome::Partial,
            Verdict::NoVerdict => Outcome::Clean,
        }
    }
}

/// Everything logstat reports on stderr. `Display` is the message that
/// follows `logstat: `; [`print_error`] adds the prefix and any detail lines.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Arguments clap refused (unknown flag, bad value, …).
    #[error("{}", clap_message(.0))]
    Usage(clap::Error),
    /// No FILE, and stdin is a terminal nobody means to type a log into.
    #[error("no input: give a FILE (or `-` for stdin), or pipe a log into logstat; see --help")]
    NoInput,
    /// A `--fail-if` / `--warn-if` expression that does not parse.
    #[error(transparent)]
    Expression(#[from] check::ParseError),
    /// `--log-format` names no preset, or a format string logstat cannot use.
    #[error("--log-format: {0}")]
    LogFormat(#[source] format::ChoiceError),
    /// `--codes` / `--explain` refused an argument or could not write.
    #[error(transparent)]
    Explain(#[from] explain::Error),
    /// stdout was closed when logstat started (`logstat … >&-`): the report
    /// would go nowhere.
    #[error(
        "stdout is closed, so the report has nowhere to go; redirect it (`> /dev/null` to discard it)"
    )]
    StdoutClosed,
    /// stdin is to be read but was closed when logstat started (`<&-`).
    #[error("stdin is closed; give a FILE, or pipe a log into logstat")]
    StdinClosed,
    /// `-` given more than once: one stdin split between two readers.
    #[error("`-` (stdin) is given more than once; stdin can be read only once")]
    StdinTwice,
    /// Two outputs claim stdout (`--csv - --json -`, `-o json --dump-malformed -`).
    #[error("{0} and {1} both write to stdout; send one of them to a file")]
    StdoutTwice(&'static str, &'static str),
    /// An output path is the same file as an input (also through a symlink
    /// or a hard link): writing it would destroy the log being read.
    #[error("{output} is the input {input}; refusing to overwrite it")]
    OutputIsInput { output: String, input: String },
    /// The `--dump-malformed` file could not be created.
    #[error("--dump-malformed {}: {}", escape::escape_path(.path), input::describe(.source))]
    DumpCreate { path: PathBuf, source: io::Error },
    /// Writing the `--dump-malformed` file failed when it was flushed.
    #[error("--dump-malformed: {}", input::describe(.0))]
    DumpWrite(#[source] io::Error),
    /// An input gave no full answer (unreadable, undetectable, interrupted);
    /// the others still count.
    #[error("{}: {message}", escape::escape_path(.path))]
    Input { path: PathBuf, message: String },
    /// Writing the report or the verdicts to stdout or stderr failed.
    #[error("{0}")]
    Write(#[source] io::Error),
    /// A `--csv` / `--json` file could not be created or written.
    #[error("{}: {}", escape::escape_path(.path), input::describe(.source))]
    WriteFile { path: PathBuf, source: io::Error },
    /// `--series-csv` was given but the run made no series to write.
    #[error("--series-csv needs a series: add --by D (e.g. `--by 5m`)")]
    NoSeries,
    /// The `--junit` file could not be created or written.
    #[error("--junit {}: {}", escape::escape_path(.path), input::describe(.source))]
    Junit { path: PathBuf, source: io::Error },
    /// Checks were asked but fewer than `--min-requests` requests were counted.
    #[error("{0}")]
    TooFewRequests(String),
    /// `--by` intervals that cannot judge a check over time.
    #[error("--by: {0}")]
    Step(String),
    /// A `--top`, `--where`, `-n` or `--group-paths` that cannot be used
    /// as given (the message names the option).
    #[error("{0}")]
    Top(String),
    /// A `--where` selector that does not parse.
    #[error("--where '{}': {}", escape::escape_str(&.0.source), .0.message)]
    Where(check::ParseError),
    /// `--slo` with nothing to measure against it.
    #[error(
        "--slo is the target of burn-rate alerts: add --burn-alerts, or a check such as --fail-if 'burn(1h,5m) > 14.4'"
    )]
    SloWithoutAlerts,
    /// A `--since`, `--until`, `--last`, `--by` or `--tz` value that does
    /// not read as one.
    #[error("{flag}: {error}")]
    Time {
        flag: &'static str,
        error: crate::time::ArgError,
    },
}

/// The language of the messages on stderr, once the command line said it
/// (`--lang`, else the locale); English before that.
static HUMAN: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

fn human() -> Lang {
    HUMAN.get().copied().unwrap_or_default()
}

impl Error {
    /// The message in Chinese where logstat wrote it itself; `None` where it
    /// quotes a text that is only in English (an operating-system error, a
    /// time value's parser) and the English [`Display`](std::fmt::Display)
    /// is used.
    fn zh(&self) -> Option<String> {
        Some(match self {
            Error::NoInput => "没有输入：请给出文件（或用 `-` 表示标准输入），或通过管道把日志传给 logstat；参见 --help".into(),
            Error::LogFormat(format::ChoiceError::Unknown(name)) => {
                let mut m = format!("--log-format: 未知的日志格式 '{}'", escape::escape_str(name));
                if let Some(near) = format::presets::suggest(name) {
                    m.push_str(&format!("（是不是 '{near}'？）"));
                }
                m.push_str(&format!(
                    "；可用：auto、{}，或服务器自己的 nginx log_format / Apache LogFormat 字符串",
                    format::presets::names().collect::<Vec<_>>().join("、")
                ));
                m
            }
            Error::StdoutClosed => "标准输出已关闭，报告无处可写；请重定向（用 `> /dev/null` 丢弃报告）".into(),
            Error::StdinClosed => "标准输入已关闭；请给出文件，或通过管道把日志传给 logstat".into(),
            Error::StdinTwice => "`-`（标准输入）给出了不止一次；标准输入只能读取一次".into(),
            Error::StdoutTwice(a, b) => format!("{a} 和 {b} 都写入标准输出；请把其中一个写到文件"),
            Error::OutputIsInput { output, input } => {
                format!("{output} 就是输入 {input}；拒绝覆盖它")
            }
            Error::NoSeries => "--series-csv 需要时间序列：请加上 --by D（例如 `--by 5m`）".into(),
            Error::SloWithoutAlerts => "--slo 是燃烧率告警的目标：请加上 --burn-alerts，或类似 --fail-if 'burn(1h,5m) > 14.4' 的检查".into(),
            _ => return None,
        })
    }

    /// True for a write to a reader that went away (`logstat … | head`): the
    /// reader left on purpose, so there is nothing to tell it.
    fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Write(e) | Error::WriteFile { source: e, .. } => {
                e.kind() == io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
}

/// clap's error without its `error: ` header or final newline.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    text.trim_end().to_string()
}

/// Maps how a run went to the process exit status: the one place the numbers
/// of the contract (0 / 1 / 2) are written.
pub fn exit_code(result: &Result<Outcome, Error>) -> ExitCode {
    ExitCode::from(match result {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::ThresholdHeld) => 1,
        Ok(Outcome::Partial) | Err(_) => 2,
    })
}

/// Prints `e` on stderr as `logstat: MESSAGE`. An expression error adds the
/// expression with a caret under the fault, a usage error clap's usage line
/// and hint, and each bad `--explain` argument gets a line of its own. A write
/// to a closed pipe prints nothing.
pub fn print_error(e: &Error) {
    let text = match e {
        Error::Usage(c) => {
            // clap's message quotes the argument it refused, which may hold
            // anything the user (or a script) passed: shown plain and escaped
            // line by line, like every other echoed value.
            let text = c.render().to_string().replacen("error:", "logstat:", 1);
            text.lines().map(|l| escape::escape_str(l) + "\n").collect()
        }
        Error::Expression(p) => format!("logstat: {p}\n{}", p.pointer()),
        Error::Where(p) => format!("logstat: {e}\n{}", p.pointer()),
        Error::Time { error, .. } => format!("logstat: {e}\n{}", error.pointer()),
        Error::Explain(explain::Error::NotTargets(bad)) => {
            bad.iter().map(|b| format!("logstat: {b}\n")).collect()
        }
        e if e.is_broken_pipe() => return,
        e => match e.zh().filter(|_| human() == Lang::Zh) {
            Some(zh) => format!("logstat: {zh}\n"),
            None => format!("logstat: {e}\n"),
        },
    };
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusChoice {
    /// What the client saw (ALB/ELB `elb_status_code`, Traefik `DownstreamStatus`).
    Client,
    /// What the backend answered (ALB/ELB `target_status_code`, Traefik `OriginStatus`).
    Upstream,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Annotations {
    Github,
    None,
}

/// Exact HTTP status-code statistics for access logs, with a CI gate.
#[derive(Debug, Parser)]
#[command(
    name = "logstat",
    version,
    about,
    after_help = "EXAMPLES:\n  logstat access.log\n  logstat access.log access.log.*.gz --per-input\n  logstat access.log --csv out.csv\n  zcat old.log.gz | logstat - -o json\n  logstat - --fail-if '5xx > 1%' --warn-if 'rate(4xx,!404) > 5%'\n  logstat --explain 499 5xx --lang zh\n\nEXIT STATUS:\n  0  no --fail-if threshold held\n  1  a --fail-if threshold held\n  2  no full answer: usage error, unreadable input, bad expression, too few requests for a --fail-if"
)]
pub struct Args {
    /// Log files to read; gzip is recognised by content. No FILE, or `-`, reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print the whole status-code registry and exit. Example: `logstat --codes -o csv`
    #[arg(long, conflicts_with = "explain")]
    pub codes: bool,

    /// Explain status codes or classes and exit. Example: `logstat --explain 499 000 5xx`
    #[arg(long, value_name = "CODE|CLASS", num_args = 1.., allow_negative_numbers = true)]
    pub explain: Vec<String>,

    /// Output format of the report. Example: `-o json`
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    pub output: Output,

    /// Language of the words [default: from LC_ALL, LC_MESSAGES, LANG for the table and messages; English for CSV and JSON]. Example: `--lang zh`
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Leave the code descriptions out of the table and `--explain`. Example: `--no-descriptions`
    #[arg(long)]
    pub no_descriptions: bool,

    /// Print a completion script for SHELL and exit. Example: `--completions bash`
    #[arg(long, value_enum, value_name = "SHELL", exclusive = true)]
    pub completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit. Example: `logstat --man > logstat.1`
    #[arg(long, exclusive = true)]
    pub man: bool,

    /// Worker threads, 0 to 1024; at most 4 per core are started [default: 0, one per core]. Results never depend on it. Example: `-j 4`
    #[arg(short = 'j', long = "threads", value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Bytes per chunk handed to a worker, 1 to 64 MiB (testing and tuning). Example: `--chunk-size 65536`
    #[arg(long, value_name = "BYTES", hide = true, value_parser = parse_chunk_size)]
    pub chunk_size: Option<usize>,

    /// Longest line read, in bytes (or with K, M, G); a longer line counts as malformed [default: 1M]. Example: `--max-line-length 4M`
    #[arg(long, value_name = "BYTES", value_parser = scan::parse_line_length)]
    pub max_line_length: Option<usize>,

    /// Write every malformed line, verbatim, to PATH (`-` for stdout). Example: `--dump-malformed bad.txt`
    #[arg(long, value_name = "PATH")]
    pub dump_malformed: Option<PathBuf>,

    /// Log format; the help text is built from the preset table ([`command`]).
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub log_format: String,

    /// JSON logs: key (dotted path) holding the status. Example: `--status-key http.status`
    #[arg(long, value_name = "KEY")]
    pub status_key: Option<String>,

    /// Which status to count where a format logs two. Example: `--status upstream`
    #[arg(long, value_enum, default_value_t = StatusChoice::Client)]
    pub status: StatusChoice,

    /// Also write the CSV summary to PATH (`-` for stdout). Example: `--csv out.csv`
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,

    /// Also write the full JSON report to PATH (`-` for stdout). Example: `--json report.json`
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write requests per interval of the series (`--by`) as CSV to PATH (`-` for stdout), one row per interval. Example: `--by 5m --series-csv series.csv`
    #[arg(long, value_name = "PATH")]
    pub series_csv: Option<PathBuf>,

    /// Write the `--top` answers as CSV to PATH (`-` for stdout), one row per value. Example: `--top path --where 5xx --top-csv top.csv`
    #[arg(long, value_name = "PATH")]
    pub top_csv: Option<PathBuf>,

    /// CSV text cells as they are: no `'` before a value starting with = + - @, a tab or CR (the guard that keeps spreadsheets from running log text as formulas). Example: `--top-csv top.csv --csv-raw`
    #[arg(long)]
    pub csv_raw: bool,

    /// When to color the table. NO_COLOR is honoured with `auto`. Example: `--color never`
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// With several inputs, add a per-input class table. Example: `logstat a.log b.log --per-input`
    #[arg(long)]
    pub per_input: bool,

    /// Exit 1 when EXPR holds (repeatable); `over D` judges every window of D. Example: `--fail-if '5xx > 1%'`, `--fail-if '5xx > 1% over 5m'`
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,

    /// Warn when EXPR holds, never changing the exit code (repeatable). Example: `--warn-if '4xx > 10%'`
    #[arg(long, value_name = "EXPR")]
    pub warn_if: Vec<String>,

    /// With checks, give no verdict when fewer requests were counted (exit 2 with a --fail-if). Example: `--min-requests 1000`
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_requests: u64,

    /// SLO target for burn-rate checks: the share of requests that must be good. Example: `--slo 99.9% --burn-alerts`
    #[arg(long, value_name = "TARGET", value_parser = check::parse_target)]
    pub slo: Option<check::Threshold>,

    /// Requests that spend the SLO's error budget [default: 5xx]. Example: `--slo-bad '5xx,429'`
    #[arg(long, value_name = "SELECTOR", requires = "slo", value_parser = check::parse_bad)]
    pub slo_bad: Option<check::BadSelector>,

    /// Period the SLO is kept over, for the budget the log consumed [default: 30d]. Example: `--slo-period 28d`
    #[arg(long, value_name = "DURATION", requires = "slo", value_parser = check::parse_duration)]
    pub slo_period: Option<u32>,

    /// Replay the SRE workbook's burn-rate alerts minute by minute: pages (1h & 5m at 14.4×, 6h & 30m at 6×) fail, tickets (1d & 2h at 3×, 3d & 6h at 1×) warn. Example: `--slo 99.9% --burn-alerts`
    #[arg(long, requires = "slo")]
    pub burn_alerts: bool,

    /// Count only lines dated at or after T: RFC 3339, `YYYY-MM-DD[ HH:MM[:SS]]`, the CLF form, or relative (`-15m`, `2h ago`); without a zone, on the log's clock (or --tz). Example: `--since '2024-03-12 10:00'`
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Count only lines dated before T (forms as --since). Example: `--until -5m`
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// Count only the final D of the input, ending at its newest time (replaying an old log works). Example: `--last 15m`
    #[arg(long, value_name = "D")]
    pub last: Option<String>,

    /// Count requests per interval of D (`1m`, `5m`, `1h`, `1d`, any whole seconds). Example: `--by 5m`
    #[arg(long, value_name = "D")]
    pub by: Option<String>,

    /// Zone for intervals and for times written without one: `UTC` or a fixed offset [default: the log's own offset, else UTC]. Example: `--tz +02:00`
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,

    /// JSON logs: key (dotted path) holding the time [default: the first of time, timestamp, @timestamp, ts, date, StartUTC, start_time]. Example: `--time-key request.start`
    #[arg(long, value_name = "KEY")]
    pub time_key: Option<String>,

    /// Write the checks as JUnit XML to PATH. Example: `--junit checks.xml`
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Print failed and warned checks as CI annotations [default: github when GITHUB_ACTIONS=true]. Example: `--annotations github`
    #[arg(long, value_enum, value_name = "KIND")]
    pub annotations: Option<Annotations>,

    /// The values of FIELD with most requests (repeatable): path, url, method, protocol, host, client, agent, referer, upstream, bytes, or json:KEY; `--where` and `-n` after it narrow it. Example: `--top path --where 5xx`
    #[arg(long, value_name = "FIELD", value_parser = Wanted::parse)]
    pub top: Vec<Wanted>,

    /// The requests the `--top` before it counts: a selector as in --fail-if (`5xx`, `404,499`, `500-504`, `!2xx`) [default: every request]. Example: `--top path --where 5xx`
    #[arg(long = "where", id = "where", value_name = "SELECTOR")]
    pub where_: Vec<String>,

    /// Rows the `--top` before it shows [default: 10]. Example: `--top client -n 20`
    #[arg(short = 'n', long = "top-rows", value_name = "N", value_parser = parse_top_rows)]
    pub top_rows: Vec<usize>,

    /// Memory for counting `--top` values, all of them together (K, M, G); beyond it counts are shown with their error bound [default: 256M]. Example: `--top-memory 1G`
    #[arg(long, value_name = "SIZE", value_parser = parse_top_memory)]
    pub top_memory: Option<usize>,

    /// For `--top path`: fold path segments that are ids (numbers, UUIDs, long hex, base64-like tokens) into {id}; `=REGEX=NAME` adds a rule for whole segments (repeatable). Example: `--group-paths`, `--group-paths='[a-z]{2}-[A-Z]{2}=locale'`
    #[arg(long, value_name = "REGEX=NAME", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub group_paths: Vec<String>,

    /// Where each `--top`, `--where` and `-n` stood on the command line.
    #[arg(skip)]
    pub top_order: TopOrder,
}

/// The positions of `--top`, `--where` and `-n` among the arguments, to
/// give each `--where` and `-n` to the `--top` before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopOrder {
    pub top: Vec<usize>,
    pub where_: Vec<usize>,
    pub rows: Vec<usize>,
}

impl TopOrder {
    /// The positions in parsed arguments.
    pub fn of(m: &clap::ArgMatches) -> TopOrder {
        let at = |id: &str| m.indices_of(id).map(|i| i.collect()).unwrap_or_default();
        TopOrder {
            top: at("top"),
            where_: at("where"),
            rows: at("top_rows"),
        }
    }
}

/// Rows shown for a `--top` without `-n`.
pub const DEFAULT_TOP_ROWS: usize = 10;

/// Most rows `-n` takes.
pub const MAX_TOP_ROWS: usize = 1_000_000;

/// `-n N`: 1 to [`MAX_TOP_ROWS`].
fn parse_top_rows(s: &str) -> Result<usize, String> {
    bounded(s, 1, MAX_TOP_ROWS, "rows")
}

/// `--top-memory SIZE`: bytes, or a number with K, M or G (powers of
/// 1024), at least 64K.
fn parse_top_memory(s: &str) -> Result<usize, String> {
    match scan::parse_size(s, "512M")? {
        Some(b) if b < 64 << 10 => Err("too small: at least 64K".into()),
        Some(b) if b <= isize::MAX as usize => Ok(b),
        _ => Err("too large".into()),
    }
}

/// Most worker threads `-j` takes. Far above any machine's cores; beyond it
/// a typo (`-j 10000`) would spend its time starting threads, and absurd
/// values would exhaust memory before the first line is read.
pub const MAX_THREADS: usize = 1024;

/// Most worker threads started per core. Counting is CPU-bound, so more
/// threads than cores gain nothing but some overlap of reads, while hundreds
/// of idle threads per core cost seconds to start and stop. A `-j` taken
/// from a bigger machine's script is clamped to this rather than refused:
/// results never depend on the thread count.
const THREADS_PER_CORE: usize = 4;

/// The worker threads to start for `-j N` (0: one per core).
fn worker_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        0 => cores,
        n => n.min(cores * THREADS_PER_CORE),
    }
}

/// Largest `--chunk-size`: every worker and every stream reader holds a few
/// buffers of this size, so larger chunks cost memory and gain nothing.
pub const MAX_CHUNK: usize = 64 * 1024 * 1024;

/// `-j N`: 0 (all cores) to [`MAX_THREADS`].
fn parse_threads(s: &str) -> Result<usize, String> {
    bounded(s, 0, MAX_THREADS, "threads (0 = one per core)")
}

/// `--chunk-size BYTES`: 1 to [`MAX_CHUNK`].
fn parse_chunk_size(s: &str) -> Result<usize, String> {
    bounded(s, 1, MAX_CHUNK, "bytes")
}

/// A whole number in `lo..=hi`; the error says the bounds, however far off
/// the value is (even past `u64`).
fn bounded(s: &str, lo: usize, hi: usize, unit: &str) -> Result<usize, String> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match s.parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ if digits => Err(format!("must be {lo} to {hi} {unit}")),
        _ => Err(format!("expected a whole number, {lo} to {hi} {unit}")),
    }
}

/// Which standard streams were closed when the process started: bit 0
/// stdin, bit 1 stdout, bit 2 stderr.
static CLOSED_AT_START: AtomicU8 = AtomicU8::new(0);

/// Records which of stdin, stdout and stderr were closed when the process
/// started. Rust's runtime start-up reopens a closed one on `/dev/null` (so
/// that a file opened later cannot take its number), after which
/// `logstat … >&-` looks like `> /dev/null` and the report would vanish
/// without a word. The binary calls this before that start-up, from the
/// platform's constructor list, so [`run`] can refuse instead.
pub extern "C" fn note_closed_stdio() {
    #[cfg(unix)]
    {
        let mut closed = 0;
        for fd in 0..3 {
            // SAFETY: F_GETFD only reads the descriptor's flags; on a
            // descriptor that is not open it fails with EBADF.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
                closed |= 1 << fd;
            }
        }
        CLOSED_AT_START.store(closed, Ordering::Relaxed);
    }
}

/// Whether standard stream `fd` (0–2) was closed when the process started.
fn closed_at_start(fd: u8) -> bool {
    CLOSED_AT_START.load(Ordering::Relaxed) & (1 << fd) != 0
}

/// The clap command, with the `--log-format` help listed from the preset
/// table so that it names every format `--log-format` accepts.
pub fn command() -> clap::Command {
    let names: Vec<String> = format::PRESETS
        .iter()
        .map(|p| {
            std::iter::once(p.name)
                .chain(p.aliases.iter().copied())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    let short = format!(
        "Log format: `auto` (detected per input), a preset ({}), or your server's nginx `log_format` / Apache `LogFormat` string. Example: `--log-format '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent'`",
        names.join(", ")
    );
    let mut long = String::from(
        "Log format: `auto` detects it per input from its first lines; a preset name or alias forces one; \
         or paste your server's nginx `log_format` / Apache `LogFormat` string.\n\nPresets, in detection order:",
    );
    for (p, n) in format::PRESETS.iter().zip(&names) {
        long.push_str(&format!("\n  {n:<14} {}", p.what));
    }
    long.push_str(
        "\n\nExample: --log-format '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent'",
    );
    Args::command().mut_arg("log_format", |a| a.help(short).long_help(long))
}

/// Parses the process arguments with [`command`].
fn parse_args() -> Result<Args, clap::Error> {
    let m = command().try_get_matches()?;
    let mut args = Args::from_arg_matches(&m)?;
    args.top_order = TopOrder::of(&m);
    Ok(args)
}

pub fn main() -> ExitCode {
    let result = match parse_args() {
        Ok(args) => run(args),
        // `--help` and `--version` arrive as clap "errors" but are the answer
        // asked for: stdout, success.
        Err(e) if !e.use_stderr() => {
            if closed_at_start(1) {
                Err(Error::StdoutClosed)
            } else {
                let _ = e.print();
                Ok(Outcome::Clean)
            }
        }
        Err(e) => Err(Error::Usage(e)),
    };
    if let Err(e) = &result {
        print_error(e);
    }
    exit_code(&result)
}

/// Runs logstat with parsed arguments. Problems that leave the answer partial
/// but let the run go on (an unreadable input, a `--junit` file that cannot be
/// written) are printed as they happen and make the outcome
/// [`Outcome::Partial`]; the error that stops the run is returned, unprinted.
pub fn run(args: Args) -> Result<Outcome, Error> {
    if closed_at_start(1) {
        return Err(Error::StdoutClosed);
    }
    let langs = Langs::resolve(args.lang, Lang::from_env);
    let lang = langs.human;
    let _ = HUMAN.set(lang);
    let github = match args.annotations {
        Some(a) => a == Annotations::Github,
        None => std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
    };
    escape::guard_workflow_commands(
        github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
    );
    if let Some(shell) = args.completions {
        return docs(|w| {
            clap_complete::generate(shell, &mut command(), "logstat", w);
            Ok(())
        });
    }
    if args.man {
        return docs(|w| clap_mangen::Man::new(command()).render(w));
    }
    if args.codes || !args.explain.is_empty() {
        return explain(&args, langs);
    }

    // Everything that can be refused is refused before reading any input
    // or creating any file.
    let from_stdin = args.files.is_empty() || args.files.iter().any(|p| is_dash(p));
    if args.files.iter().filter(|p| is_dash(p)).count() > 1 {
        return Err(Error::StdinTwice);
    }
    if from_stdin && closed_at_start(0) {
        return Err(Error::StdinClosed);
    }
    // With no FILE, stdin is read; at a terminal that would silently wait
    // for typed lines, which nobody means. `-` still reads a terminal.
    if args.files.is_empty() && io::stdin().is_terminal() {
        return Err(Error::NoInput);
    }
    let gate = gate(&args, lang)?;
    let format_options = FormatOptions {
        status_key: args.status_key.clone(),
        upstream: args.status == StatusChoice::Upstream,
        time_key: args.time_key.clone(),
    };
    let (time, by) = time_options(&args)?;
    // One series serves the report (`--by`) and the checks over time: with
    // `--by`, the checks slide by its intervals, so it must divide them.
    let series_step = match (by, gate.series_step()) {
        (Some(b), Some(_)) => {
            gate.check_step(b).map_err(Error::Step)?;
            Some(b)
        }
        (b, g) => b.or(g),
    };
    if args.series_csv.is_some() && series_step.is_none() {
        return Err(Error::NoSeries);
    }
    let format =
        format::parse_choice(&args.log_format, &format_options).map_err(Error::LogFormat)?;
    let top = top_specs(&args, lang)?;
    if !top.is_empty() && args.last.is_some() {
        return Err(Error::Top(
            "--top cannot be combined with --last yet: give the window with --since (e.g. --since -15m)".into(),
        ));
    }
    if let FormatChoice::Fixed(f) = &format
        && let Some(why) = top.iter().find_map(|t| f.refusal(&t.wanted))
    {
        return Err(Error::Top(why));
    }
    let data_on_stdout = stdout_claim(&args)?;
    refuse_overwriting_inputs(&args)?;
    let mut dump: Option<Box<dyn Write + Send>> = match &args.dump_malformed {
        Some(p) if is_dash(p) => Some(Box::new(io::BufWriter::new(io::stdout()))),
        Some(p) => Some(Box::new(io::BufWriter::new(File::create(p).map_err(
            |source| Error::DumpCreate {
                path: p.clone(),
                source,
            },
        )?))),
        None => None,
    };

    let mut opts = ScanOptions {
        threads: worker_threads(args.threads.unwrap_or(0)),
        chunk_size: args.chunk_size.unwrap_or(0),
        format,
        format_options,
        progress: None,
        cancel: interrupt::Cancel::new(),
        max_line: args.max_line_length.unwrap_or(0),
        series_step,
        time,
        top,
        top_memory: args.top_memory.unwrap_or(0),
    };
    interrupt::install(&opts.cancel);
    interrupt::mask(true);
    let progress = report::progress::Progress::start(&args.files, &mut opts);
    let summary = scan::scan(
        &args.files,
        &opts,
        dump.as_deref_mut().map(|d| d as &mut (dyn Write + Send)),
    );
    drop(progress);
    interrupt::mask(false);
    let mut outcome = Outcome::Clean;
    for i in &summary.inputs {
        if let Some(e) = &i.error {
            print_error(&Error::Input {
                path: i.path.clone(),
                message: e.clone(),
            });
            outcome = Outcome::Partial;
        }
    }
    if let FormatChoice::Fixed(_) = &opts.format {
        warn_unfit_format(&args, &summary);
    }
    if let Some(Err(e)) = dump.map(|mut f| f.flush()) {
        print_error(&Error::DumpWrite(e));
        outcome = Outcome::Partial;
    }

    // With no input read at all there is no answer to report: a report of
    // zeros would read as "the log is empty".
    let answered = summary
        .inputs
        .iter()
        .any(|i| i.error.is_none() || i.counts.lines() > 0);
    let results = gate.evaluate(&summary);
    // Verdicts and the table go to stderr when stdout carries data.
    let to_stderr = args.output != Output::Table || data_on_stdout;
    let ropts = ReportOptions {
        lang: langs,
        color: color_enabled(
            args.color,
            if data_on_stdout {
                io::stderr().is_terminal()
            } else {
                io::stdout().is_terminal()
            },
        ),
        per_input: args.per_input,
        width: text::terminal_width(),
        no_descriptions: args.no_descriptions,
        csv_raw: args.csv_raw,
    };
    if answered {
        write_reports(&args, &summary, &ropts, &results, data_on_stdout)?;
    }
    if !gate.is_empty() {
        outcome = outcome.max(gate_outputs(
            &args, &gate, &summary, &results, answered, to_stderr,
        ));
    }
    if let Some(line) = partial_line(&summary, opts.cancel.is_cancelled()) {
        let _ = writeln!(io::stderr().lock(), "logstat: {line}");
    }
    Ok(outcome)
}

/// The `--top`s, each with the `--where` and `-n` that follow it (before
/// the next `--top`) and, for `path`, the `--group-paths` rules.
fn top_specs(args: &Args, lang: Lang) -> Result<Vec<TopSpec>, Error> {
    let o = &args.top_order;
    // Arguments not parsed from a command line: in the order of each list.
    let order = if o.top.len() == args.top.len()
        && o.where_.len() == args.where_.len()
        && o.rows.len() == args.top_rows.len()
    {
        o.clone()
    } else {
        TopOrder {
            top: (0..args.top.len()).map(|i| 3 * i).collect(),
            where_: (0..args.where_.len()).map(|i| 3 * i + 1).collect(),
            rows: (0..args.top_rows.len()).map(|i| 3 * i + 2).collect(),
        }
    };
    // The `--top` each option belongs to: the last one before it.
    let owner = |at: usize, flag: &str, value: &str| {
        order
            .top
            .iter()
            .rposition(|&t| t < at)
            .ok_or_else(|| {
                Error::Top(format!(
                    "{flag} {} comes before any --top: put it after the --top it is for (e.g. --top path {flag} {})",
                    escape::escape_str(value),
                    escape::escape_str(value)
                ))
            })
    };
    let mut wheres: Vec<Option<&String>> = vec![None; args.top.len()];
    for (w, at) in args.where_.iter().zip(&order.where_) {
        let i = owner(*at, "--where", w)?;
        if wheres[i].replace(w).is_some() {
            return Err(Error::Top(format!(
                "--top {} has two --where: join them in one selector (e.g. --where '404,5xx')",
                escape::escape_str(&args.top[i].label())
            )));
        }
    }
    let mut rows: Vec<Option<usize>> = vec![None; args.top.len()];
    for (n, at) in args.top_rows.iter().zip(&order.rows) {
        let i = owner(*at, "-n", &n.to_string())?;
        if rows[i].replace(*n).is_some() {
            return Err(Error::Top(format!(
                "--top {} has two -n",
                escape::escape_str(&args.top[i].label())
            )));
        }
    }
    if args.top.is_empty() && args.top_csv.is_some() {
        return Err(Error::Top(
            "--top-csv writes the --top answers: add a --top (e.g. --top path --where 5xx --top-csv top.csv)".into(),
        ));
    }
    let group = if args.group_paths.is_empty() {
        None
    } else {
        let rules = args
            .group_paths
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| {
                crate::top::parse_rule(r).map_err(|e| {
                    Error::Top(format!(
                        "--group-paths '{}': {}",
                        escape::escape_str(r),
                        escape::escape_str(&e)
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !args.top.iter().any(|t| t.field == Field::Path) {
            return Err(Error::Top(
                "--group-paths folds the paths of --top path: add --top path".into(),
            ));
        }
        Some(std::sync::Arc::new(
            Grouping::new(&rules).map_err(Error::Top)?,
        ))
    };
    args.top
        .iter()
        .zip(wheres)
        .zip(rows)
        .map(|((wanted, w), n)| {
            let mask = match w {
                Some(w) => {
                    let m = check::parse_where(w, lang).map_err(Error::Where)?;
                    CodeMask::from_fn(|c| m[c as usize])
                }
                None => CodeMask::all(),
            };
            Ok(TopSpec {
                wanted: wanted.clone(),
                mask,
                selector: w.map(|w| w.trim().to_string()),
                rows: n.unwrap_or(DEFAULT_TOP_ROWS),
                group: group.clone().filter(|_| wanted.field == Field::Path),
            })
        })
        .collect()
}

/// The gate from `--fail-if`, `--warn-if`, `--min-requests` and the `--slo`
/// options. An SLO without a burn-rate check would measure nothing, so it is
/// refused rather than ignored.
fn gate(args: &Args, lang: Lang) -> Result<check::Gate, Error> {
    let slo = args.slo.map(|target| check::Slo {
        period: args.slo_period.unwrap_or(check::DEFAULT_PERIOD),
        bad: args
            .slo_bad
            .clone()
            .unwrap_or_else(|| check::Slo::new(target).bad),
        burn_alerts: args.burn_alerts,
        ..check::Slo::new(target)
    });
    let gate = check::Gate::with_slo(&args.fail_if, &args.warn_if, args.min_requests, lang, slo)?;
    if gate.slo.is_some() && !gate.has_burn() {
        return Err(Error::SloWithoutAlerts);
    }
    Ok(gate)
}

/// The time options: `--since`, `--until` (relative ones from now),
/// `--last`, `--tz`, and the `--by` interval.
fn time_options(args: &Args) -> Result<(scan::TimeOptions, Option<u32>), Error> {
    use crate::time;
    let now = time::now();
    let fail = |flag| move |error| Error::Time { flag, error };
    let when = |v: &Option<String>, flag| {
        v.as_deref()
            .map(|s| time::parse_when(s, now).map_err(fail(flag)))
            .transpose()
    };
    let span = |v: &Option<String>, flag| {
        v.as_deref()
            .map(|s| time::parse_duration(s).map_err(fail(flag)))
            .transpose()
    };
    let t = scan::TimeOptions {
        since: when(&args.since, "--since")?,
        until: when(&args.until, "--until")?,
        last: span(&args.last, "--last")?,
        tz: args
            .tz
            .as_deref()
            .map(|s| time::parse_tz(s).map_err(fail("--tz")))
            .transpose()?,
        bisect_from: 0,
    };
    Ok((t, span(&args.by, "--by")?))
}

/// The gate's outputs after the report: verdict lines (on stderr when
/// `to_stderr`), the `--junit` file, GitHub annotations and the
/// `--min-requests` line; returns the outcome they make. With no input
/// `answered`, only the JUnit file is written, so the CI test tab still
/// shows why the run failed.
fn gate_outputs(
    args: &Args,
    gate: &check::Gate,
    summary: &Summary,
    results: &[CheckResult],
    answered: bool,
    to_stderr: bool,
) -> Outcome {
    let mut outcome = Outcome::Clean;
    if answered {
        let r = if to_stderr {
            gate.write_verdicts(&mut io::stderr().lock(), results)
        } else {
            gate.write_verdicts(&mut io::stdout().lock(), results)
        };
        // The report itself is out, so a lost verdict line is reported but
        // does not make the answer partial.
        if let Err(e) = r {
            print_error(&Error::Write(e));
        }
    }
    if let Some(p) = &args.junit
        && let Err(source) =
            File::create(p).and_then(|mut f| gate.write_junit(&mut f, summary, results))
    {
        print_error(&Error::Junit {
            path: p.clone(),
            source,
        });
        outcome = Outcome::Partial;
    }
    let github = match args.annotations {
        Some(a) => a == Annotations::Github,
        None => std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
    };
    if github && answered {
        // The runner reads workflow commands from both streams; keep
        // them out of stdout when it carries CSV or JSON.
        let _ = if to_stderr {
            gate.write_github(&mut io::stderr().lock(), summary, results)
        } else {
            gate.write_github(&mut io::stdout().lock(), summary, results)
        };
    }
    if answered && let Some(msg) = gate.too_few_message(summary, results) {
        print_error(&Error::TooFewRequests(msg));
    }
    outcome.max(gate.verdict(summary, results).into())
}

/// `-` as a path: stdin for an input, stdout for an output.
fn is_dash(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Whether `--csv -`, `--json -`, `--series-csv -`, `--top-csv -` or
/// `--dump-malformed -` takes stdout (the table then goes to stderr);
/// refuses two things on stdout, counting a CSV or JSON report (`-o`) as one.
fn stdout_claim(args: &Args) -> Result<bool, Error> {
    let report = match args.output {
        Output::Table => None,
        Output::Csv => Some("-o csv"),
        Output::Json => Some("-o json"),
    };
    let sides = [
        ("--csv -", &args.csv),
        ("--json -", &args.json),
        ("--series-csv -", &args.series_csv),
        ("--top-csv -", &args.top_csv),
        ("--dump-malformed -", &args.dump_malformed),
    ]
    .into_iter()
    .filter(|(_, p)| p.as_deref().is_some_and(is_dash))
    .map(|(flag, _)| flag);
    let claims: Vec<&'static str> = report.into_iter().chain(sides).collect();
    match claims[..] {
        [a, b, ..] => Err(Error::StdoutTwice(a, b)),
        [_] => Ok(report.is_none()),
        [] => Ok(false),
    }
}

/// Refuses any output (`--dump-malformed`, `--csv`, `--json`,
/// `--series-csv`, `--top-csv`, `--junit`, and stdout redirected to a file)
/// that is the same file as an input, by device and inode, so neither a
/// symlink nor a hard link gets past it.
/// Runs before anything is opened for writing: `File::create` would
/// truncate the log before it is read. Only regular files count: writing
/// to `/dev/null` while reading it harms nothing.
#[cfg(unix)]
fn refuse_overwriting_inputs(args: &Args) -> Result<(), Error> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;

    let id = |m: std::fs::Metadata| m.is_file().then(|| (m.dev(), m.ino()));
    let stdio = |fd: std::os::fd::BorrowedFd| {
        let f = File::from(fd.try_clone_to_owned().ok()?);
        id(f.metadata().ok()?)
    };
    let stdin_only = [PathBuf::from("-")];
    let files = if args.files.is_empty() {
        &stdin_only[..]
    } else {
        &args.files[..]
    };
    let inputs: Vec<(PathBuf, (u64, u64))> = files
        .iter()
        .filter_map(|p| {
            let file = if is_dash(p) {
                stdio(io::stdin().as_fd())
            } else {
                std::fs::metadata(p).ok().and_then(id)
            };
            Some((scan::display_name(p), file?))
        })
        .collect();
    let clash = |file: Option<(u64, u64)>| {
        let file = file?;
        inputs.iter().find(|(_, i)| *i == file).map(|(n, _)| n)
    };
    let outputs = [
        ("--dump-malformed", &args.dump_malformed),
        ("--csv", &args.csv),
        ("--json", &args.json),
        ("--series-csv", &args.series_csv),
        ("--top-csv", &args.top_csv),
        ("--junit", &args.junit),
    ];
    for (flag, path) in outputs {
        let Some(p) = path.as_deref().filter(|p| !is_dash(p)) else {
            continue;
        };
        if let Some(input) = clash(std::fs::metadata(p).ok().and_then(id)) {
            return Err(Error::OutputIsInput {
                output: format!("{flag} {}", escape::escape_path(p)),
                input: escape::escape_path(input),
            });
        }
    }
    if let Some(input) = clash(stdio(io::stdout().as_fd())) {
        return Err(Error::OutputIsInput {
            output: "stdout".into(),
            input: escape::escape_path(input),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_overwriting_inputs(_: &Args) -> Result<(), Error> {
    Ok(())
}

/// Warns, for each input, when the forced `--log-format` leaves more than
/// half of its lines (skipped ones aside) malformed, naming the format
/// detection would pick: a forced format that does not fit otherwise shows
/// only as a report of malformed lines.
fn warn_unfit_format(args: &Args, s: &Summary) {
    let forced = if format::presets::by_name(&args.log_format).is_some() {
        format!("--log-format {}", args.log_format)
    } else {
        "your --log-format string".to_string()
    };
    let key = args
        .status_key
        .as_ref()
        .map(|k| format!(" --status-key {}", escape::escape_str(k)))
        .unwrap_or_default();
    for i in &s.inputs {
        let c = &i.counts;
        // Records without the status (a JSON key no line has) are skipped as
        // not requests, but read no better than malformed lines.
        let unread = c.malformed + c.not_requests;
        let read = c.lines() - c.blank() - c.directives;
        if unread * 2 <= read {
            continue;
        }
        let verb = if unread == 1 { "is" } else { "are" };
        let what = match (c.malformed, c.not_requests) {
            (_, 0) => "malformed",
            (0, _) => "records without a status (not requests)",
            _ => "malformed or records without a status",
        };
        let noun = if read == 1 { "line" } else { "lines" };
        let path = escape::escape_path(&i.path);
        let (bad, read) = (group(unread), group(read));
        let line = match human() {
            Lang::En => {
                let advice = match &i.detected {
                    Some(d) if *d == i.format => String::new(),
                    Some(d) => format!("; auto-detection picks {d}"),
                    None => "; auto-detection finds no known format either".to_string(),
                };
                format!(
                    "warning: {path}: {bad} of {read} {noun} {verb} {what} for {forced}{key}{advice}"
                )
            }
            Lang::Zh => {
                let advice = match &i.detected {
                    Some(d) if *d == i.format => String::new(),
                    Some(d) => format!("；自动识别会选 {d}"),
                    None => "；自动识别也找不到合适的格式".to_string(),
                };
                let what = match (c.malformed, c.not_requests) {
                    (_, 0) => "格式错误",
                    (0, _) => "是没有状态码的记录（不是请求）",
                    _ => "格式错误或是没有状态码的记录",
                };
                format!("警告：{path}：按 {forced}{key} 读，{read} 行中有 {bad} 行{what}{advice}")
            }
        };
        let _ = writeln!(io::stderr().lock(), "logstat: {line}");
    }
}

/// The last line of a run whose answer is partial because inputs failed:
/// how many of how many, and which, with the start of each reason
/// (`1 of 12 inputs could not be read (error.log: no known log format fits
/// its first lines); exit 2`). After Ctrl-C it says so instead.
fn partial_line(s: &Summary, interrupted: bool) -> Option<String> {
    /// Inputs named in full; the rest are counted.
    const NAMED: usize = 3;
    let failed: Vec<_> = s.inputs.iter().filter(|i| i.error.is_some()).collect();
    if failed.is_empty() {
        return None;
    }
    let mut list: Vec<String> = failed
        .iter()
        .take(NAMED)
        .map(|i| {
            let e = i.error.as_deref().unwrap_or_default();
            // The reason's first clause; the input's own line has the rest.
            let short = e.split(" (").next().unwrap_or(e);
            let short = short.split("; ").next().unwrap_or(short);
            format!("{}: {short}", escape::escape_path(&i.path))
        })
        .collect();
    if failed.len() > NAMED {
        list.push(format!("and {} more", failed.len() - NAMED));
    }
    let (n, m) = (failed.len(), s.inputs.len());
    let noun = if m == 1 { "input" } else { "inputs" };
    let list = list.join(", ");
    Some(match (human(), interrupted) {
        (Lang::En, true) => {
            format!("interrupted by Ctrl-C: {n} of {m} {noun} not read in full ({list}); exit 2")
        }
        (Lang::En, false) => format!("{n} of {m} {noun} could not be read ({list}); exit 2"),
        (Lang::Zh, true) => {
            format!("被 Ctrl-C 中断：{m} 个输入中有 {n} 个没有读完（{list}）；退出码 2")
        }
        (Lang::Zh, false) => format!("{m} 个输入中有 {n} 个无法读取（{list}）；退出码 2"),
    })
}

/// `--completions` / `--man` on stdout, rendered whole first: clap_complete
/// panics on a failed write, and `… | head` is no reason to.
fn docs(render: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    render(&mut buf).map_err(Error::Write)?;
    match io::stdout().lock().write_all(&buf) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write(e)),
        _ => Ok(Outcome::Clean),
    }
}

/// `--codes` / `--explain` on stdout.
fn explain(args: &Args, lang: Langs) -> Result<Outcome, Error> {
    let out = &mut io::stdout().lock();
    let o = explain::Options {
        output: args.output,
        lang,
        width: text::terminal_width(),
        no_descriptions: args.no_descriptions,
    };
    match explain::run(args.codes, &args.explain, &o, out) {
        Ok(()) => Ok(Outcome::Clean),
        // `logstat --codes | head` is a normal thing to do, not an error.
        Err(explain::Error::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            Ok(Outcome::Clean)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the table gets ANSI colors: `always`/`never` as said; `auto` only
/// when the table goes to a terminal, `NO_COLOR` is unset or empty and
/// `TERM` is not `dumb`.
pub fn color_enabled(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|v| v != "dumb")
                && terminal
        }
    }
}

/// Writes the main report (to stderr when `table_to_stderr`, because a side
/// output took stdout) and the `--csv`, `--json`, `--series-csv` and
/// `--top-csv` side outputs.
fn write_reports(
    args: &Args,
    s: &Summary,
    o: &ReportOptions,
    results: &[CheckResult],
    table_to_stderr: bool,
) -> Result<(), Error> {
    let checks = (!results.is_empty()).then_some(results);
    let report = |out: &mut dyn Write| match args.output {
        Output::Table => {
            report::write_table(out, s, o).and_then(|()| report::table::write_slo(out, results, o))
        }
        Output::Csv => report::write_csv(out, s, o),
        Output::Json => report::write_json(out, s, o, checks),
    };
    if table_to_stderr {
        let mut out = io::BufWriter::new(io::stderr().lock());
        report(&mut out).and_then(|()| out.flush())
    } else {
        let mut out = io::BufWriter::new(io::stdout().lock());
        report(&mut out).and_then(|()| out.flush())
    }
    .map_err(Error::Write)?;
    let plain = ReportOptions {
        color: false,
        ..o.clone()
    };
    if let Some(p) = &args.csv {
        with_output(p, |w| report::write_csv(w, s, &plain))?;
    }
    if let Some(p) = &args.json {
        with_output(p, |w| report::write_json(w, s, &plain, checks))?;
    }
    if let (Some(p), Some(series)) = (&args.series_csv, &s.series) {
        with_output(p, |w| report::series::write_csv(w, series, &plain))?;
    }
    if let Some(p) = &args.top_csv {
        with_output(p, |w| report::top::write_csv(w, &s.top, &plain))?;
    }
    Ok(())
}

/// Runs `f` on stdout for `-`, else on a new file at `p`; errors name the file.
fn with_output(p: &Path, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    if is_dash(p) {
        let mut out = io::BufWriter::new(io::stdout().lock());
        f(&mut out).and_then(|()| out.flush()).map_err(Error::Write)
    } else {
        File::create(p)
            .and_then(|file| {
                let mut out = io::BufWriter::new(file);
                f(&mut out)?;
                out.flush()
            })
            .map_err(|source| Error::WriteFile {
                path: p.to_path_buf(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_keep_the_contract() {
        assert_eq!(exit_code(&Ok(Outcome::Clean)), ExitCode::from(0));
        assert_eq!(exit_code(&Ok(Outcome::ThresholdHeld)), ExitCode::from(1));
        assert_eq!(exit_code(&Ok(Outcome::Partial)), ExitCode::from(2));
        assert_eq!(exit_code(&Err(Error::NoInput)), ExitCode::from(2));
        // 2 wins over 1, whichever comes first.
        assert_eq!(
            Outcome::Partial.max(Outcome::ThresholdHeld),
            Outcome::Partial
        );
        assert_eq!(
            Outcome::ThresholdHeld.max(Verdict::TooFewRequests.into()),
            Outcome::Partial
        );
        assert_eq!(
            Outcome::Clean.max(Verdict::Fail.into()),
            Outcome::ThresholdHeld
        );
        // Warnings never fail a job, not even for lack of data.
        assert_eq!(Outcome::from(Verdict::NoVerdict), Outcome::Clean);
    }

    #[test]
    fn thread_counts_are_clamped_to_a_few_per_core() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(worker_threads(0), cores);
        assert_eq!(worker_threads(1), 1);
        assert_eq!(worker_threads(MAX_THREADS), cores * THREADS_PER_CORE);
    }

    #[test]
    fn bounded_numbers_say_their_bounds() {
        assert_eq!(bounded("0", 0, 8, "x"), Ok(0));
        assert_eq!(bounded("8", 0, 8, "x"), Ok(8));
        assert_eq!(bounded("9", 0, 8, "x"), Err("must be 0 to 8 x".into()));
        assert_eq!(
            bounded("99999999999999999999999", 0, 8, "x"),
            Err("must be 0 to 8 x".into())
        );
        for bad in ["", "-1", "1e3", " 1", "four"] {
            assert_eq!(
                bounded(bad, 0, 8, "x"),
                Err("expected a whole number, 0 to 8 x".into()),
                "{bad:?}"
            );
        }
    }

    /// The specs `args` make, as the command line parses them.
    fn specs(args: &[&str]) -> Result<Vec<TopSpec>, Error> {
        let m = command()
            .try_get_matches_from(std::iter::once("logstat").chain(args.iter().copied()))
            .unwrap();
        let mut a = Args::from_arg_matches(&m).unwrap();
        a.top_order = TopOrder::of(&m);
        top_specs(&a, Lang::En)
    }

    #[test]
    fn where_and_rows_belong_to_the_top_before_them() {
        let s = specs(&[
            "--top",
            "path",
            "--where",
            "5xx",
            "-n",
            "3",
            "--top",
            "client",
            "--top",
            "host",
            "-n",
            "7",
            "--where",
            "404,499",
            "--group-paths",
        ])
        .unwrap();
        let got: Vec<_> = s
            .iter()
            .map(|t| {
                (
                    t.wanted.label(),
                    t.selector.clone(),
                    t.rows,
                    t.group.is_some(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("path".into(), Some("5xx".into()), 3, true),
                ("client".into(), None, DEFAULT_TOP_ROWS, false),
                ("host".into(), Some("404,499".into()), 7, false),
            ]
        );
        assert!(s[0].mask.picks(503) && !s[0].mask.picks(404));
        assert!(s[1].mask.picks(200) && s[1].mask.picks(0));
        assert!(s[2].mask.picks(499) && !s[2].mask.picks(500));
        // `!` items subtract, as in --fail-if.
        let s = specs(&["--top", "path", "--where", "!2xx,!304"]).unwrap();
        assert!(s[0].mask.picks(404) && !s[0].mask.picks(204) && !s[0].mask.picks(304));
    }

    #[test]
    fn top_memory_sizes() {
        assert_eq!(parse_top_memory("64K"), Ok(64 << 10));
        assert_eq!(parse_top_memory("256M"), Ok(256 << 20));
        assert_eq!(parse_top_memory("2g"), Ok(2 << 30));
        assert!(parse_top_memory("1K").is_err());
        assert!(parse_top_memory("12Q").is_err());
        assert!(parse_top_memory("").is_err());
    }

    #[test]
    fn usage_errors_lose_clap_header() {
        let e = Args::try_parse_from(["logstat", "--bogus"]).unwrap_err();
        let msg = Error::Usage(e).to_string();
        assert!(
            msg.starts_with("unexpected argument '--bogus' found"),
            "{msg}"
        );
        assert!(
            msg.ends_with("For more information, try '--help'."),
            "{msg}"
        );
    }
}
