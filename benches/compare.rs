//! Whole-process comparison on a generated Combined log, side by side in one
//! run: logstat (all threads, `-j 1`, stdin, gzip) against `wc -l`,
//! `mawk '{c[$9]++}'`, `zcat | wc -l` and GoAccess, with peak RSS.
//!
//! ```text
//! apt-get install hyperfine mawk goaccess time
//! cargo bench --bench compare
//! ```
//!
//! Environment: `LOGSTAT_BENCH_MB` (log size, default 1024), `LOGSTAT_BENCH_DIR`
//! (where the generated files live, default `target/bench-data`; kept between
//! runs), `LOGSTAT_BENCH_RUNS` (hyperfine runs, default 10),
//! `LOGSTAT_BENCH_GOACCESS=0` to leave GoAccess out (it takes minutes per GiB),
//! `LOGSTAT_BENCH_GOACCESS_MB` (the slice GoAccess reads, default 64),
//! `LOGSTAT_BENCH_GENERATE_ONLY=1` to write the logs and stop.
//! Prints a Markdown table of medians and ratios to `wc -l` for the README.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/gen.rs"]
#[allow(dead_code)]
mod gen_log;

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

fn sh(cmd: &str) -> String {
    let out = Command::new("sh").args(["-c", cmd]).output().expect("sh");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Generates the log (and its gzip) unless a file of that size is there.
fn prepare(dir: &Path, mb: u64) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("bench dir");
    let log = dir.join(format!("combined-{mb}M.log"));
    let gz = dir.join(format!("combined-{mb}M.log.gz"));
    let want = mb << 20;
    if std::fs::metadata(&log).map_or(true, |m| m.len() < want) {
        eprintln!("generating {} ...", log.display());
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&log).unwrap());
        gen_log::write_log(&mut w, want, 42).unwrap();
        w.flush().unwrap();
        let _ = std::fs::remove_file(&gz);
    }
    if !gz.exists() {
        eprintln!("compressing {} ...", gz.display());
        let status = Command::new("sh")
            .args([
                "-c",
                &format!("gzip -c -6 '{}' > '{}'", log.display(), gz.display()),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "gzip failed");
    }
    (log, gz)
}

/// Peak RSS in MiB of `cmd`, through GNU time.
fn peak_rss_mib(cmd: &str) -> Option<f64> {
    let out = Command::new("sh")
        .args([
            "-c",
            &format!("/usr/bin/time -f '%M' sh -c \"{cmd}\" 2>&1 >/dev/null | tail -n 1"),
        ])
        .output()
        .ok()?;
    let kb: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let mb = env_u64("LOGSTAT_BENCH_MB", 1024);
    let runs = env_u64("LOGSTAT_BENCH_RUNS", 10);
    let dir = std::env::var_os("LOGSTAT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    let (log, gz) = prepare(&dir, mb);
    if env_u64("LOGSTAT_BENCH_GENERATE_ONLY", 0) == 1 {
        // For benches/scaling.sh on a machine without cargo: just the files.
        println!("{}\n{}", log.display(), gz.display());
        return;
    }
    for tool in ["hyperfine", "mawk", "wc", "zcat"] {
        if !have(tool) {
            eprintln!("compare: `{tool}` is missing (apt-get install hyperfine mawk); skipped");
            return;
        }
    }

    let bin = env!("CARGO_BIN_EXE_logstat");
    let l = log.display();
    let z = gz.display();
    // Page cache: every command reads from memory.
    sh(&format!("cat '{l}' '{z}' > /dev/null"));

    let cmds: Vec<(&str, String)> = vec![
        ("wc -l", format!("wc -l '{l}'")),
        ("logstat", format!("{bin} -o json '{l}'")),
        ("logstat -j 1", format!("{bin} -j 1 -o json '{l}'")),
        (
            "mawk '{c[$9]++}'",
            format!("mawk '{{c[$9]++}} END {{for (k in c) print k, c[k]}}' '{l}'"),
        ),
        ("cat | wc -l", format!("cat '{l}' | wc -l")),
        ("cat | logstat -", format!("cat '{l}' | {bin} -o json -")),
        ("zcat | wc -l", format!("zcat '{z}' | wc -l")),
        ("logstat .gz", format!("{bin} -o json '{z}'")),
    ];
    let export = dir.join("hyperfine.json");
    let mut hf = Command::new("hyperfine");
    hf.args([
        "--warmup",
        "1",
        "--runs",
        &runs.to_string(),
        "--style",
        "basic",
        "-N",
    ]);
    hf.arg("--export-json").arg(&export);
    for (name, cmd) in &cmds {
        hf.args(["-n", name]);
        // -N runs commands without a shell; pipelines need one.
        hf.arg(format!("sh -c \"{}\"", cmd.replace('"', "\\\"")));
    }
    let status = hf.status().expect("hyperfine");
    assert!(status.success(), "hyperfine failed");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    let medians: Vec<(String, f64)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["command"].as_str().unwrap().to_string(),
                r["median"].as_f64().unwrap(),
            )
        })
        .collect();

    // GoAccess needs minutes per GiB (and GiBs of memory), so it runs once on
    // a slice of the log, side by side with logstat on the same slice.
    let ga_mb = env_u64("LOGSTAT_BENCH_GOACCESS_MB", 64);
    let mut goaccess = None;
    if env_u64("LOGSTAT_BENCH_GOACCESS", 1) == 1 && have("goaccess") {
        let slice = dir.join(format!("slice-{ga_mb}M.log"));
        sh(&format!(
            "head -c {} '{l}' > '{}'",
            ga_mb << 20,
            slice.display()
        ));
        let time = |cmd: &str| {
            let t = std::time::Instant::now();
            let ok = sh(&format!("{cmd} >/dev/null 2>&1 && echo ok")) == "ok";
            ok.then(|| t.elapsed().as_secs_f64())
        };
        let ga = time(&format!(
            "goaccess '{}' --log-format=COMBINED --no-global-config -o '{}'",
            slice.display(),
            dir.join("goaccess.json").display()
        ));
        let ls = time(&format!("{bin} -o json '{}'", slice.display()));
        match (ga, ls) {
            (Some(ga), Some(ls)) => goaccess = Some((ga, ls)),
            _ => eprintln!("compare: goaccess failed; left out"),
        }
        let _ = std::fs::remove_file(slice);
    }

    let wc = medians[0].1;
    let cat_wc = medians
        .iter()
        .find(|m| m.0 == "cat | wc -l")
        .map_or(wc, |m| m.1);
    let zcat_wc = medians
        .iter()
        .find(|m| m.0 == "zcat | wc -l")
        .map_or(wc, |m| m.1);
    let cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2");
    println!();
    println!(
        "{} MiB generated Combined log, page cache, {} cores ({}), medians of {} runs:",
        mb,
        sh("nproc"),
        cpu.trim(),
        runs
    );
    println!();
    println!("| command | median | vs `wc -l` | vs its baseline |");
    println!("|---|---:|---:|---:|");
    for (name, secs) in &medians {
        let base = match name.as_str() {
            "cat | logstat -" => format!("{:.2} × `cat | wc -l`", secs / cat_wc),
            "logstat .gz" => format!("{:.2} × `zcat | wc -l`", secs / zcat_wc),
            _ => String::new(),
        };
        println!(
            "| `{}` | {:.3} s | {:.2} | {} |",
            name,
            secs,
            secs / wc,
            base
        );
    }
    if let Some((ga, ls)) = goaccess {
        println!(
            "GoAccess on the first {ga_mb} MiB (one run each): goaccess {ga:.2} s, logstat {ls:.3} s, {:.0} × faster.",
            ga / ls
        );
    }
    println!();
    let quarter = dir.join("quarter.log");
    sh(&format!(
        "head -c {} '{l}' > '{}'",
        (mb << 20) / 4,
        quarter.display()
    ));
    let rss = [
        (
            "logstat (1/4 of the log)",
            format!("{bin} -o json '{}'", quarter.display()),
        ),
        ("logstat", format!("{bin} -o json '{l}'")),
        ("cat | logstat -", format!("cat '{l}' | {bin} -o json -")),
        ("logstat .gz", format!("{bin} -o json '{z}'")),
    ];
    println!("| peak RSS | MiB |");
    println!("|---|---:|");
    for (name, cmd) in rss {
        match peak_rss_mib(&cmd) {
            Some(m) => println!("| `{name}` | {m:.1} |"),
            None => println!("| `{name}` | (GNU time missing) |"),
        }
    }
    let _ = std::fs::remove_file(quarter);
}
