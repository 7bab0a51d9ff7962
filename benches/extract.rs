//! Single-thread extractor throughput in bytes/s: the generated Combined log,
//! and every format's fixture (`fixtures/formats/<name>.log`) repeated to the
//! same size, each counted by the very loop the engine runs per chunk.
//!
//! `cargo bench --bench extract`
//!
//! After criterion's own report it prints each benchmark run this time with
//! its median throughput and its ratio to the Combined fixture measured in
//! the same run, which is what the formats issue's speed clause compares
//! ("each extractor within 2 × the Combined extractor's bytes/s").

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use criterion::{Criterion, Throughput, criterion_group};
use logstat::format::{self, AnyExtractor, FormatChoice, FormatOptions};
use logstat::scan::Sink;
use logstat::summary::Counts;

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
    let opts = FormatOptions::default();
    let fmt = if name == "custom" {
        let spec = std::fs::read_to_string(dir.join("custom.format")).expect("custom.format");
        match format::parse_choice(spec.trim()).expect("custom format compiles") {
            FormatChoice::Fixed(f) => f,
            FormatChoice::Auto => unreachable!(),
        }
    } else {
        format::detect(sample, &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    fmt.extractor(&opts)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(20);

    let data = gen_log::log_bytes(SIZE, 42);
    let ex = extractor_for("combined", &data[..64 * 1024], Path::new("."));
    g.bench_function("generated-combined", |b| b.iter(|| count(&ex, &data)));
    // The same bytes through the custom-format extractor, given nginx's
    // `combined` log_format: the two extractors compared on one input.
    let nginx_combined = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
    let ex = match format::parse_choice(nginx_combined).expect("compiles") {
        FormatChoice::Fixed(f) => f.extractor(&FormatOptions::default()),
        FormatChoice::Auto => unreachable!(),
    };
    g.bench_function("generated-combined-as-custom", |b| {
        b.iter(|| count(&ex, &data))
    });

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
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(format!("fixture-{name}"), |b| b.iter(|| count(&ex, &data)));
    }
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    let started = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_ratios(started);
}

/// Reads back the medians criterion saved for the benchmarks it ran in this
/// process (files written after `started`) and prints GiB/s and the ratio to
/// `fixture-combined`, when that one ran too.
fn print_ratios(started: SystemTime) {
    let dir = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
                || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
                PathBuf::from,
            );
            target.join("criterion")
        })
        .join("extract");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut rows: Vec<(String, f64)> = Vec::new();
    for e in entries.flatten() {
        let new = e.path().join("new");
        let read = |f: &str| -> Option<serde_json::Value> {
            serde_json::from_slice(&std::fs::read(new.join(f)).ok()?).ok()
        };
        let fresh = std::fs::metadata(new.join("estimates.json"))
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= started);
        if !fresh {
            continue;
        }
        let (Some(est), Some(bench)) = (read("estimates.json"), read("benchmark.json")) else {
            continue;
        };
        let ns = est["median"]["point_estimate"].as_f64();
        let bytes = bench["throughput"]["Bytes"].as_f64();
        if let (Some(ns), Some(bytes)) = (ns, bytes) {
            let gib_s = bytes / ns * 1e9 / f64::from(1u32 << 30);
            rows.push((e.file_name().to_string_lossy().into_owned(), gib_s));
        }
    }
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let combined = rows
        .iter()
        .find(|(n, _)| n == "fixture-combined")
        .map(|r| r.1);
    println!("\nmedian throughput, this run (ratio to fixture-combined; the bar is 0.50):");
    for (name, gib_s) in &rows {
        match combined {
            Some(c) => println!("  {name:<28} {gib_s:6.2} GiB/s  {:5.2}", gib_s / c),
            None => println!("  {name:<28} {gib_s:6.2} GiB/s"),
        }
    }
}
