//! Single-thread extractor throughput in bytes/s: the generated Combined log,
//! and every format's fixture (`fixtures/formats/<name>.log`) repeated to the
//! same size, each counted by the very loop the engine runs per chunk.
//!
//! `cargo bench --bench extract`
//!
//! After criterion's own report it times every extractor again, all of them
//! in turn for a number of rounds, and prints each one's ratio to the
//! Combined fixture (see [`side_by_side`]): the project's bar for a format is
//! to stay within 2 × the Combined extractor's time per byte.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use logstat::format::{self, AnyExtractor, FormatChoice, FormatOptions};
use logstat::lines::{Counts, Sink};

#[path = "support/gen.rs"]
#[allow(dead_code)]
mod gen_log;

const SIZE: usize = 16 << 20;

fn count(ex: &AnyExtractor, data: &[u8]) -> u64 {
    let mut counts = Counts::default();
    let mut ex = ex.clone();
    let mut sink = Sink::new(&mut counts, false);
    ex.count(data, &mut sink);
    sink.lines
}

fn extractor_for(name: &str, sample: &[u8], dir: &Path) -> AnyExtractor {
    if name == "custom" {
        let spec = std::fs::read_to_string(dir.join("custom.format")).expect("custom.format");
        return custom_extractor(spec.trim());
    }
    let opts = FormatOptions::default();
    let fmt = format::detect(sample, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    fmt.extractor(&opts)
}

/// The extractor of an nginx or Apache format string.
fn custom_extractor(spec: &str) -> AnyExtractor {
    match format::parse_choice(spec, &FormatOptions::default()).expect("custom format compiles") {
        FormatChoice::Fixed(f) => f.extractor(&FormatOptions::default()),
        FormatChoice::Auto => unreachable!("a format string is not `auto`"),
    }
}

/// One benchmark: a name, an extractor and the bytes it counts.
struct Case {
    name: String,
    ex: AnyExtractor,
    data: Vec<u8>,
}

/// Every benchmark: the generated Combined log through the Combined
/// extractor and through the custom-format one (the same bytes, so the two
/// extractors are compared on one input), then each fixture repeated to
/// `SIZE`.
fn cases() -> Vec<Case> {
    let data = gen_log::log_bytes(SIZE, 42);
    let mut cases = vec![Case {
        name: "generated-combined".into(),
        ex: extractor_for("combined", &data[..64 * 1024], Path::new(".")),
        data: data.clone(),
    }];
    let nginx_combined = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
    cases.push(Case {
        name: "generated-combined-as-custom".into(),
        ex: custom_extractor(nginx_combined),
        data,
    });
    // JSON logs as servers write them (the fixtures below are collections of
    // quirks, a fifth of their lines malformed or blank).
    for (name, shape) in [
        ("generated-caddy", gen_log::JsonShape::Caddy),
        ("generated-json", gen_log::JsonShape::Flat),
    ] {
        let data = gen_log::json_log_bytes(SIZE, 42, shape);
        cases.push(Case {
            name: name.into(),
            ex: extractor_for(name, &data[..64 * 1024], Path::new(".")),
            data,
        });
    }

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/formats")
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.strip_suffix(".log").map(str::to_string)
        })
        .collect();
    names.sort();
    for name in names {
        let one = std::fs::read(dir.join(format!("{name}.log"))).unwrap();
        let ex = extractor_for(&name, &one, &dir);
        // W3C-style fixtures start with their directives; repeating the file
        // repeats them too, which real logs also do.
        let mut data = Vec::with_capacity(SIZE + one.len());
        while data.len() < SIZE {
            data.extend_from_slice(&one);
            if !one.ends_with(b"\n") {
                data.push(b'\n');
            }
        }
        cases.push(Case {
            name: format!("fixture-{name}"),
            ex,
            data,
        });
    }
    cases
}

fn bench(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("extract");
    g.sample_size(20);
    for case in cases {
        g.throughput(Throughput::Bytes(case.data.len() as u64));
        g.bench_function(&case.name, |b| b.iter(|| count(&case.ex, &case.data)));
    }
    g.finish();
}

fn main() {
    let cases = cases();
    // `LOGSTAT_BENCH_SIDE_ONLY=1` skips criterion and prints only the
    // side-by-side table.
    if std::env::var_os("LOGSTAT_BENCH_SIDE_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        bench(&mut c, &cases);
        c.final_summary();
    }
    side_by_side(&cases);
}

/// The speed clause's comparison, made robust to a noisy machine: every
/// extractor is timed once per round, all of them in turn, for
/// `LOGSTAT_BENCH_ROUNDS` rounds (default 30); each one's ratio to the
/// Combined fixture is taken within a round, so both saw the same machine,
/// and the median over rounds is printed with the median GiB/s. (Criterion's
/// medians above are measured one benchmark after another, minutes apart; on
/// the shared 2-core VM the Combined fixture alone moved by a third between
/// two such runs.) Skipped when a filter argument selected only some
/// benchmarks.
fn side_by_side(cases: &[Case]) {
    if filtered() {
        return;
    }
    let rounds: usize = std::env::var("LOGSTAT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let reference = cases
        .iter()
        .position(|c| c.name == "fixture-combined")
        .expect("the Combined fixture");
    let mut secs: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for _ in 0..rounds.max(1) {
        for (case, times) in cases.iter().zip(&mut secs) {
            let t = Instant::now();
            black_box(count(&case.ex, &case.data));
            times.push(t.elapsed().as_secs_f64());
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut rows: Vec<(&str, f64, f64)> = cases
        .iter()
        .zip(&secs)
        .map(|(case, times)| {
            let gib_s = case.data.len() as f64 / median(times.clone()) / f64::from(1u32 << 30);
            let ratios = times
                .iter()
                .zip(&secs[reference])
                .map(|(t, r)| r / t)
                .collect();
            (case.name.as_str(), gib_s, median(ratios))
        })
        .collect();
    rows.sort_by(|a, b| b.2.total_cmp(&a.2));
    println!(
        "\nside by side, {rounds} interleaved rounds, single thread (median GiB/s; median ratio to fixture-combined within a round; the bar is 0.50):"
    );
    for (name, gib_s, ratio) in rows {
        println!("  {name:<30} {gib_s:6.2} GiB/s  {ratio:5.2}");
    }
}

/// Whether the command line names a benchmark filter (a positional argument
/// that is not the value of one of criterion's options).
fn filtered() -> bool {
    const TAKES_VALUE: [&str; 14] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--profile-time",
        "--color",
        "--format",
        "--plotting-backend",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if TAKES_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            return true;
        }
    }
    false
}
