//! Replays fuzz inputs through the targets' invariant checks, on stable Rust
//! and without libFuzzer, so CI checks the committed corpus on every change.
//!
//! `replay` runs every file under `corpus/<target>/` and `regressions/<target>/`
//! for every target and fails if any input panics or a corpus is missing.
//! `replay TARGET PATH...` runs just those files (or directories), e.g. a
//! crash that `cargo fuzz run` left under `artifacts/TARGET/`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use logstat_fuzz::{TARGETS, Target};

fn files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            files(&e, out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Runs `target` on every file; returns how many ran and how many failed.
fn run(name: &str, target: Target, paths: &[PathBuf]) -> (usize, usize) {
    let mut failed = 0;
    for p in paths {
        let data = match std::fs::read(p) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("replay: {name}: cannot read {}: {e}", p.display());
                failed += 1;
                continue;
            }
        };
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            eprintln!("replay: {name}: {} fails (panic above)", p.display());
            failed += 1;
        }
    }
    (paths.len(), failed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failed = 0;
    let start = Instant::now();
    match args.split_first() {
        None => {
            for (name, target) in TARGETS {
                let mut paths = Vec::new();
                for dir in ["corpus", "regressions"] {
                    let d = root.join(dir).join(name);
                    if d.exists()
                        && let Err(e) = files(&d, &mut paths)
                    {
                        eprintln!("replay: {}: {e}", d.display());
                        failed += 1;
                    }
                }
                if paths.is_empty() {
                    eprintln!(
                        "replay: {name}: no corpus under {}",
                        root.join("corpus").display()
                    );
                    failed += 1;
                    continue;
                }
                let t = Instant::now();
                let (n, bad) = run(name, *target, &paths);
                println!("{name}: {n} inputs, {bad} failed, {:.1?}", t.elapsed());
                failed += bad;
            }
        }
        Some((name, paths)) => {
            let Some((_, target)) = TARGETS.iter().find(|(n, _)| n == name) else {
                let names: Vec<_> = TARGETS.iter().map(|(n, _)| *n).collect();
                eprintln!(
                    "replay: unknown target {name} (targets: {})",
                    names.join(", ")
                );
                return ExitCode::from(2);
            };
            let mut all = Vec::new();
            for p in paths {
                if let Err(e) = files(Path::new(p), &mut all) {
                    eprintln!("replay: {p}: {e}");
                    failed += 1;
                }
            }
            let (n, bad) = run(name, *target, &all);
            println!("{name}: {n} inputs, {bad} failed");
            failed += bad;
        }
    }
    println!("replay: {failed} failed, {:.1?}", start.elapsed());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
