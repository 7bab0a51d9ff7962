//! The documentation stays true: README's format table and `--help` are the
//! preset table, and README's quick start names a fixture that exists.

const README: &str = include_str!("../README.md");

#[test]
fn the_format_table_is_the_preset_table() {
    let marker =
        "<!-- presets: generated from src/format/presets.rs; tests/readme.rs checks it -->\n";
    let start = README.find(marker).expect("README's preset table marker") + marker.len();
    let end = README[start..]
        .find("\n\n")
        .map_or(README.len(), |i| start + i + 1);
    let want = logstat::format::presets::markdown_table();
    assert_eq!(
        &README[start..end],
        want,
        "README's format table differs from src/format/presets.rs; paste this:\n{want}"
    );
}

#[test]
fn the_quick_start_fixture_exists() {
    let cmd = "cargo run --release -- fixtures/sample-combined.log";
    assert!(
        README.contains(cmd),
        "README's quick start changed: update this test"
    );
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(root)
            .join("fixtures/sample-combined.log")
            .is_file()
    );
}

#[test]
fn help_names_every_preset_and_alias() {
    let out = assert_cmd::Command::cargo_bin("logstat")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for p in &logstat::format::PRESETS {
        for name in std::iter::once(p.name).chain(p.aliases.iter().copied()) {
            assert!(help.contains(name), "--help lacks {name}");
        }
    }
}
