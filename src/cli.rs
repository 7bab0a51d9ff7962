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

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::check::{self, CheckResult, Verdict};
use crate::escape;
use crate::explain;
use crate::format::{self, FormatOptions};
use crate::input;
use crate::interrupt;
use crate::lang::Lang;
use crate::report::{self, ReportOptions};
use crate::scan::{self, ScanOptions};
use crate::summary::Summary;

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
    /// The `--dump-malformed` file could not be created.
    #[error("--dump-malformed {}: {}", .path.display(), input::describe(.source))]
    DumpCreate { path: PathBuf, source: io::Error },
    /// Writing the `--dump-malformed` file failed when it was flushed.
    #[error("--dump-malformed: {}", input::describe(.0))]
    DumpWrite(#[source] io::Error),
    /// An input gave no full answer (unreadable, undetectable, interrupted);
    /// the others still count.
    #[error("{}: {message}", escape::escape_bytes(.path.as_bytes()))]
    Input { path: String, message: String },
    /// Writing the report or the verdicts to stdout or stderr failed.
    #[error("{0}")]
    Write(#[source] io::Error),
    /// A `--csv` / `--json` file could not be created or written.
    #[error("{}: {source}", .path.display())]
    WriteFile { path: PathBuf, source: io::Error },
    /// The `--junit` file could not be created or written.
    #[error("--junit {}: {}", .path.display(), input::describe(.source))]
    Junit { path: PathBuf, source: io::Error },
    /// Checks were asked but fewer than `--min-requests` requests were counted.
    #[error("{0}")]
    TooFewRequests(String),
}

impl Error {
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
            // clap's header is styled; anstream keeps the styles only where
            // stderr shows them (a terminal, NO_COLOR unset).
            let text = c
                .render()
                .ansi()
                .to_string()
                .replacen("error:", "logstat:", 1);
            let _ = write!(anstream::stderr(), "{text}");
            return;
        }
        Error::Expression(p) => format!("logstat: {p}\n{}", p.pointer()),
        Error::Explain(explain::Error::NotTargets(bad)) => {
            bad.iter().map(|b| format!("logstat: {b}\n")).collect()
        }
        e if e.is_broken_pipe() => return,
        e => format!("logstat: {e}\n"),
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
    after_help = "EXAMPLES:\n  logstat access.log\n  logstat access.log access.log.*.gz --per-input\n  logstat access.log --csv out.csv\n  zcat old.log.gz | logstat - -o json\n  logstat - --fail-if '5xx > 1%' --warn-if 'rate(4xx,!404) > 5%'\n  logstat --explain 499 5xx --lang zh\n\nEXIT STATUS:\n  0  no --fail-if threshold held\n  1  a --fail-if threshold held\n  2  no full answer: usage error, unreadable input, bad expression, too few requests"
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

    /// Language of every human-facing word [default: from LC_ALL, LC_MESSAGES, LANG]. Example: `--lang zh`
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Worker threads [default: all cores]. Results never depend on it. Example: `-j 4`
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<usize>,

    /// Bytes per chunk handed to a worker (testing and tuning). Example: `--chunk-size 65536`
    #[arg(long, value_name = "BYTES", hide = true)]
    pub chunk_size: Option<usize>,

    /// Longest line read, in bytes (or with K, M, G); a longer line counts as malformed [default: 1M]. Example: `--max-line-length 4M`
    #[arg(long, value_name = "BYTES", value_parser = scan::parse_line_length)]
    pub max_line_length: Option<usize>,

    /// Write every malformed line, verbatim, to PATH. Example: `--dump-malformed bad.txt`
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

    /// When to color the table. NO_COLOR is honoured with `auto`. Example: `--color never`
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// With several inputs, add a per-input class table. Example: `logstat a.log b.log --per-input`
    #[arg(long)]
    pub per_input: bool,

    /// Exit 1 when EXPR holds (repeatable). Example: `--fail-if '5xx > 1%'`
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,

    /// Warn when EXPR holds, never changing the exit code (repeatable). Example: `--warn-if '4xx > 10%'`
    #[arg(long, value_name = "EXPR")]
    pub warn_if: Vec<String>,

    /// With checks, exit 2 when fewer requests were counted. Example: `--min-requests 1000`
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_requests: u64,

    /// Write the checks as JUnit XML to PATH. Example: `--junit checks.xml`
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Print failed and warned checks as CI annotations [default: github when GITHUB_ACTIONS=true]. Example: `--annotations github`
    #[arg(long, value_enum, value_name = "KIND")]
    pub annotations: Option<Annotations>,
}

/// Runs logstat with the process arguments; returns the exit status.
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
    Args::from_arg_matches(&command().try_get_matches()?)
}

pub fn main() -> ExitCode {
    let result = match parse_args() {
        Ok(args) => run(args),
        // `--help` and `--version` arrive as clap "errors" but are the answer
        // asked for: stdout, success.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            Ok(Outcome::Clean)
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
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    if args.codes || !args.explain.is_empty() {
        return explain(&args, lang);
    }

    // With no FILE, stdin is read; at a terminal that would silently wait
    // for typed lines, which nobody means. `-` still reads a terminal.
    if args.files.is_empty() && io::stdin().is_terminal() {
        return Err(Error::NoInput);
    }

    // Everything that can be refused is refused before reading any input.
    let gate = check::Gate::from_args(&args.fail_if, &args.warn_if, args.min_requests, lang)?;
    let format_options = FormatOptions {
        status_key: args.status_key.clone(),
        upstream: args.status == StatusChoice::Upstream,
    };
    let format =
        format::parse_choice(&args.log_format, &format_options).map_err(Error::LogFormat)?;
    let mut dump_file = match &args.dump_malformed {
        Some(p) => Some(io::BufWriter::new(File::create(p).map_err(|source| {
            Error::DumpCreate {
                path: p.clone(),
                source,
            }
        })?)),
        None => None,
    };

    let mut opts = ScanOptions {
        threads: args.threads.unwrap_or(0),
        chunk_size: args.chunk_size.unwrap_or(0),
        format,
        format_options,
        progress: None,
        cancel: interrupt::Cancel::new(),
        max_line: args.max_line_length.unwrap_or(0),
    };
    interrupt::install(&opts.cancel);
    interrupt::mask(true);
    let progress = report::progress::Progress::start(&args.files, &mut opts);
    let summary = scan::scan(
        &args.files,
        &opts,
        dump_file.as_mut().map(|f| f as &mut (dyn Write + Send)),
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
    if let Some(Err(e)) = dump_file.map(|mut f| f.flush()) {
        print_error(&Error::DumpWrite(e));
        outcome = Outcome::Partial;
    }

    let results = gate.evaluate(&summary);
    let ropts = ReportOptions {
        lang,
        color: color_enabled(args.color),
        per_input: args.per_input,
    };
    write_reports(&args, &summary, &ropts, &results)?;
    if !gate.is_empty() {
        // Verdicts go to stderr when stdout carries CSV or JSON data.
        let to_stderr = args.output != Output::Table;
        let r = if to_stderr {
            gate.write_verdicts(&mut io::stderr().lock(), &results)
        } else {
            gate.write_verdicts(&mut io::stdout().lock(), &results)
        };
        // The report itself is out, so a lost verdict line is reported but
        // does not make the answer partial.
        if let Err(e) = r {
            print_error(&Error::Write(e));
        }
        if let Some(p) = &args.junit {
            if let Err(source) =
                File::create(p).and_then(|mut f| gate.write_junit(&mut f, &summary, &results))
            {
                print_error(&Error::Junit {
                    path: p.clone(),
                    source,
                });
                outcome = Outcome::Partial;
            }
        }
        let github = match args.annotations {
            Some(a) => a == Annotations::Github,
            None => std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
        };
        if github {
            // The runner reads workflow commands from both streams; keep
            // them out of stdout when it carries CSV or JSON.
            let _ = if to_stderr {
                gate.write_github(&mut io::stderr().lock(), &summary, &results)
            } else {
                gate.write_github(&mut io::stdout().lock(), &summary, &results)
            };
        }
        if let Some(msg) = gate.too_few_message(&summary) {
            print_error(&Error::TooFewRequests(msg));
        }
        outcome = outcome.max(gate.verdict(&summary, &results).into());
    }
    Ok(outcome)
}

/// `--codes` / `--explain` on stdout.
fn explain(args: &Args, lang: Lang) -> Result<Outcome, Error> {
    let out = &mut io::stdout().lock();
    match explain::run(args.codes, &args.explain, args.output, lang, out) {
        Ok(()) => Ok(Outcome::Clean),
        // `logstat --codes | head` is a normal thing to do, not an error.
        Err(explain::Error::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            Ok(Outcome::Clean)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the table gets ANSI colors: `always`/`never` as said; `auto` only
/// when stdout is a terminal, `NO_COLOR` is unset or empty and `TERM` is not `dumb`.
pub fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|v| v != "dumb")
                && io::stdout().is_terminal()
        }
    }
}

/// Writes the main report to stdout and the `--csv` / `--json` side files.
fn write_reports(
    args: &Args,
    s: &Summary,
    o: &ReportOptions,
    results: &[CheckResult],
) -> Result<(), Error> {
    let checks = (!results.is_empty()).then_some(results);
    {
        let mut out = io::BufWriter::new(io::stdout().lock());
        match args.output {
            Output::Table => report::write_table(&mut out, s, o),
            Output::Csv => report::write_csv(&mut out, s, o),
            Output::Json => report::write_json(&mut out, s, o, checks),
        }
        .and_then(|()| out.flush())
        .map_err(Error::Write)?;
    }
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
    Ok(())
}

/// Runs `f` on stdout for `-`, else on a new file at `p`; errors name the file.
fn with_output(p: &Path, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    if p.as_os_str() == "-" {
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
