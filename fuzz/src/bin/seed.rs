//! Writes the seed corpus: every target's input shape filled with the
//! fixtures under `fixtures/`, so fuzzing starts from real log lines. Run once
//! before the first `cargo fuzz run`, or again after adding a format; then
//! `cargo fuzz cmin` drops what adds no coverage.

use std::path::Path;

use logstat::format::PRESETS;
use logstat_fuzz::CUSTOM_FORMATS;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("../fixtures");
    let read = |name: &str| std::fs::read(fixtures.join(name));
    let mut logs: Vec<(String, Vec<u8>)> = Vec::new();
    for p in &PRESETS {
        logs.push((
            p.name.to_string(),
            read(&format!("formats/{}.log", p.name))?,
        ));
    }
    logs.push(("custom".into(), read("formats/custom.log")?));
    logs.push(("sample-combined".into(), read("sample-combined.log")?));
    let custom_format = read("formats/custom.format")?;
    let log = |name: &str| &logs.iter().find(|(n, _)| n == name).expect("a fixture").1;

    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();
    let mut add = |target: &'static str, name: String, head: &[u8], body: &[u8]| {
        seeds.push((target, name, [head, body].concat()));
    };
    for (i, p) in PRESETS.iter().enumerate() {
        let (_, log) = &logs[i];
        // The matching fixture, with upstream, and repeated past a window.
        add("extract", p.name.to_string(), &[i as u8, 0, 3, 0], log);
        add(
            "extract",
            format!("{}-upstream", p.name),
            &[i as u8, 1, 7, 0],
            log,
        );
        add(
            "extract",
            format!("{}-big", p.name),
            &[i as u8, 0x18, 1, 0],
            log,
        );
    }
    for (j, _) in CUSTOM_FORMATS.iter().enumerate() {
        let pick = (PRESETS.len() + j) as u8;
        for (name, log) in &logs[logs.len() - 2..] {
            add(
                "extract",
                format!("custom{j}-{name}"),
                &[pick, 1, 2, 0],
                log,
            );
        }
    }
    for (name, log) in &logs {
        add("detect", name.clone(), &[0], log);
        add("compressed", format!("{name}-gz"), &[1, 0], log);
        add("compressed", format!("{name}-gz2"), &[1, 77], log);
        add("scan_chunks", name.clone(), &[100, 0, 2, 0, 1], log);
        add("scan_chunks", format!("{name}-1"), &[1, 0, 1, 0, 0], log);
    }
    add("detect", "json-key".into(), &[2], log("json"));
    add("compressed", "plain".into(), &[0, 0], log("combined"));
    // zstd, xz and bzip2 (byte 0 bits 1-2), in two parts, then with four
    // zero bytes after the last (bit 3).
    for (codec, name) in [(2u8, "zst"), (4, "xz"), (6, "bz2")] {
        for zeros in [0u8, 8] {
            let mode = 1 | codec | zeros;
            add(
                "compressed",
                format!("combined-{name}{}", if zeros == 0 { "" } else { "-zeros" }),
                &[mode, 77],
                log("combined"),
            );
        }
    }
    add(
        "compressed",
        "combined-gz-zeros".into(),
        &[9, 0],
        log("combined"),
    );
    let mut custom = custom_format.trim_ascii_end().to_vec();
    custom.push(0);
    add(
        "custom_compile",
        "fixture".into(),
        &[0],
        &[&custom[..], log("custom")].concat(),
    );
    for (j, f) in CUSTOM_FORMATS.iter().enumerate() {
        add("custom_compile", format!("format{j}"), &[1], f.as_bytes());
    }
    for (j, f) in [
        "log_format main '$remote_addr [$time_local] \"$request\" $status';",
        "LogFormat \"%h %t \\\"%r\\\" %>s %b\" common",
        "%h %l %u %t \"%r\" %<s %b",
    ]
    .iter()
    .enumerate()
    {
        add(
            "custom_compile",
            format!("directive{j}"),
            &[0],
            f.as_bytes(),
        );
    }
    let counts: Vec<u8> = [
        (200u16, 9700u64),
        (404, 100),
        (503, 150),
        (1000, 3),
        (1002, 7),
    ]
    .iter()
    .flat_map(|(slot, n)| [&slot.to_le_bytes()[..], &n.to_le_bytes()[..6]].concat())
    .collect();
    for (j, e) in [
        "5xx > 1%",
        "5xx > 1.5%",
        "rate(4xx, !404) >= 5%",
        "count(500-504) > 10",
        "malformed > 0",
        "rate(malformed,no_status) > 0.1%",
        "000 == 0",
        "!200 != 3",
        "count(5XX)<=100",
        "RATE( 2xx ) < 99.999999999%",
    ]
    .iter()
    .enumerate()
    {
        add(
            "check_expr",
            format!("expr{j}"),
            e.as_bytes(),
            &[&[0, 20][..], &counts].concat(),
        );
    }

    for (target, name, bytes) in seeds {
        let dir = root.join("corpus").join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("seed-{name}")), bytes)?;
    }
    Ok(())
}
