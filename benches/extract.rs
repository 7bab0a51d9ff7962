//! Single-thread extractor throughput in bytes/s: the generated Combined log,
//! and every format's fixture (`fixtures/formats/<name>.log`) repeated to the
//! same size, each counted by the very loop the engine runs per chunk.
//!
//! `cargo bench --bench extract`

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
criterion_main!(benches);
