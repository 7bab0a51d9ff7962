//! The crate's modules form layers that point one way: a module may use only
//! modules listed before it in [`LAYERS`]. That rules out import cycles and
//! keeps, for example, formats from reaching into the scan engine or the
//! report from deciding exit codes.
//!
//! The graph is read from the source: every `crate::NAME` path outside
//! comments and `#[cfg(test)]` modules (tests may build whatever they need).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. Leaf utilities first, then the data flow of a scan:
/// bitmaps → lines (the per-chunk contract) → formats → input → summary →
/// scan → registry annotation → checks and reports → the command line.
const LAYERS: &[&str] = &[
    "escape",
    "lang",
    "text",
    "status",
    "time",
    "interrupt",
    "bytes",
    "top",
    "lines",
    "format",
    "input",
    "summary",
    "scan",
    "registry",
    "check",
    "report",
    "explain",
    "cli",
];

/// Top-level module of a source file: `src/format/json.rs` → `format`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without the `#[cfg(test)]`
/// modules (from the attribute to the end of the file, where they are kept).
fn production_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module named as `crate::NAME`.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            refs.insert(name);
        }
        rest = after;
    }
    refs
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(m) = module_of(&src, &f) else {
            continue;
        };
        let code = production_code(&std::fs::read_to_string(&f).unwrap());
        let refs = g.entry(m.clone()).or_default();
        refs.extend(crate_refs(&code).into_iter().filter(|r| *r != m));
    }
    g
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let g = graph();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for (m, refs) in &g {
        let Some(mine) = rank(m) else {
            wrong.push(format!(
                "module `{m}` is not in LAYERS (tests/layers.rs): place it"
            ));
            continue;
        };
        for r in refs {
            match rank(r) {
                Some(theirs) if theirs < mine => {}
                Some(_) => wrong.push(format!("`{m}` uses `{r}`, which is above it")),
                None => wrong.push(format!("`{m}` uses `{r}`, which is not in LAYERS")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_reader_finds_references() {
    // The checker itself must see what it is meant to see, or the test above
    // could pass on nothing.
    let g = graph();
    assert!(g["scan"].contains("format"), "{:?}", g["scan"]);
    assert!(g["format"].contains("lines"), "{:?}", g["format"]);
    assert!(g["cli"].contains("scan"), "{:?}", g["cli"]);
    let code =
        production_code("use crate::a::b; // crate::c\n#[cfg(test)]\nmod tests { use crate::d; }");
    assert_eq!(crate_refs(&code), BTreeSet::from(["a".to_string()]));
}
