//! README stays true: its format table is the preset table, and its quick
//! start names a fixture that exists.

const README: &str = include_str!("../README.md");

#[test]
fn the_format_table_is_the_preset_table() {
    let marker = "<!-- presets: generated from src/format/presets.rs; tests/readme.rs checks it -->\n";
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
    assert!(README.contains(cmd), "README's quick start changed: update this test");
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(std::path::Path::new(root).join("fixtures/sample-combined.log").is_file());
}
