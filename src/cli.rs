//! Command-line interface: argument parsing, wiring of the pipeline, exit codes.
//!
//! Exit codes follow ripgrep's spirit: 0 all good, 1 a `--fail-if` threshold
//! held, 2 anything that prevented a full answer (usage, unreadable input, bad
//! expression, too few requests for checks).

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};

use crate::check::{self, CheckResult};
use crate::escape;
use crate::explain;
use crate::format::{self, FormatOptions};
use crate::input;
use crate::interrupt;
use crate::lang::Lang;
use crate::report::{self, ReportOptions};
use crate::scan::{self, ScanOptions};
use crate::summary::Summary;

pub const EXIT_OK: i32 = 0;
pub const EXIT_THRESHOLD: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Csv,
    Json,
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

    /// Write every malformed line, verbatim, to PATH. Example: `--dump-malformed bad.txt`
    #[arg(long, value_name = "PATH")]
    pub dump_malformed: Option<PathBuf>,

    /// Log format: `auto` (detected per input), a preset (common, combined, vcombined, w3c,
    /// cloudfront, alb, elb, caddy, traefik, traefik-json, json, haproxy, squid, envoy), or your
    /// server's nginx `log_format` / Apache `LogFormat` string. Example: `--log-format '$remote_addr [$time_local] "$request" $status $body_bytes_sent'`
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

/// Runs logstat with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    run(args)
}

/// Runs logstat with parsed arguments; returns the exit code.
pub fn run(args: Args) -> i32 {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let stdout = io::stdout();
    let stderr = io::stderr();
    if args.codes || !args.explain.is_empty() {
        return explain::run(
            args.codes,
            &args.explain,
            args.output,
            lang,
            &mut stdout.lock(),
            &mut stderr.lock(),
        );
    }

    // With no FILE, stdin is read; at a terminal that would silently wait
    // for typed lines, which nobody means. `-` still reads a terminal.
    if args.files.is_empty() && io::stdin().is_terminal() {
        error("no input: give a FILE (or `-` for stdin), or pipe a log into logstat; see --help");
        return EXIT_ERROR;
    }

    // Everything that can be refused is refused before reading any input.
    let gate = match check::Gate::from_args(&args.fail_if, &args.warn_if, args.min_requests, lang) {
        Ok(g) => g,
        Err(e) => {
            let _ = write!(stderr.lock(), "{}", e.render());
            return EXIT_ERROR;
        }
    };
    let format_options = FormatOptions {
        status_key: args.status_key.clone(),
        upstream: args.status == StatusChoice::Upstream,
    };
    let format = match format::parse_choice(&args.log_format, &format_options) {
        Ok(f) => f,
        Err(e) => {
            error(&format!("--log-format: {e}"));
            return EXIT_ERROR;
        }
    };
    let mut dump_file = match &args.dump_malformed {
        Some(p) => match File::create(p) {
            Ok(f) => Some(io::BufWriter::new(f)),
            Err(e) => {
                error(&format!(
                    "--dump-malformed {}: {}",
                    p.display(),
                    input::describe(&e)
                ));
                return EXIT_ERROR;
            }
        },
        None => None,
    };

    let mut opts = ScanOptions {
        threads: args.threads.unwrap_or(0),
        chunk_size: args.chunk_size.unwrap_or(0),
        format,
        format_options,
        progress: None,
        cancel: interrupt::Cancel::new(),
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
    let mut code = EXIT_OK;
    for i in &summary.inputs {
        if let Some(e) = &i.error {
            error(&format!("{}: {e}", escape::escape_bytes(i.path.as_bytes())));
            code = EXIT_ERROR;
        }
    }
    if let Some(Err(e)) = dump_file.map(|mut f| f.flush()) {
        error(&format!("--dump-malformed: {}", input::describe(&e)));
        code = EXIT_ERROR;
    }

    let results = gate.evaluate(&summary);
    let ropts = ReportOptions {
        lang,
        color: color_enabled(args.color),
        per_input: args.per_input,
    };
    let written = write_reports(&args, &summary, &ropts, &results);
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            error(&e.to_string());
        }
        return EXIT_ERROR;
    }
    if !gate.is_empty() {
        // Verdicts go to stderr when stdout carries CSV or JSON data.
        let to_stderr = args.output != Output::Table;
        let r = if to_stderr {
            gate.write_verdicts(&mut stderr.lock(), &results)
        } else {
            gate.write_verdicts(&mut stdout.lock(), &results)
        };
        if let Err(e) = r {
            if e.kind() != io::ErrorKind::BrokenPipe {
                error(&e.to_string());
            }
        }
        if let Some(p) = &args.junit {
            if let Err(e) =
                File::create(p).and_then(|mut f| gate.write_junit(&mut f, &summary, &results))
            {
                error(&format!("--junit {}: {}", p.display(), input::describe(&e)));
                code = EXIT_ERROR;
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
                gate.write_github(&mut stderr.lock(), &summary, &results)
            } else {
                gate.write_github(&mut stdout.lock(), &summary, &results)
            };
        }
        if let Some(msg) = gate.too_few_message(&summary) {
            error(&msg);
        }
        code = code.max(gate.exit_code(&summary, &results));
    }
    code
}

/// Prints `logstat: MESSAGE` on stderr.
pub fn error(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "logstat: {msg}");
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
) -> io::Result<()> {
    let checks = (!results.is_empty()).then_some(results);
    let stdout = io::stdout();
    {
        let mut out = io::BufWriter::new(stdout.lock());
        match args.output {
            Output::Table => report::write_table(&mut out, s, o)?,
            Output::Csv => report::write_csv(&mut out, s, o)?,
            Output::Json => report::write_json(&mut out, s, o, checks)?,
        }
        out.flush()?;
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

/// Runs `f` on stdout for `-`, else on a new file at `p`; errors name the path.
fn with_output(p: &Path, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    if p.as_os_str() == "-" {
        let mut out = io::BufWriter::new(io::stdout().lock());
        f(&mut out)?;
        out.flush()
    } else {
        let mut out = io::BufWriter::new(File::create(p).map_err(named)?);
        f(&mut out).map_err(named)?;
        out.flush().map_err(named)
    }
}
