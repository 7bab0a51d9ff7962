//! Registry invariants.
//!
//! Most tests check the built-in table alone and run in every `cargo test`. The
//! cross-check against the project's fact table,
//! `shared/registry/status-codes.tsv`, lives outside the repository, so it is
//! `#[ignore]`d and run with `--include-ignored`; run that way, a missing fact
//! table is a failure, not a silent pass.

use std::collections::BTreeMap;
use std::path::PathBuf;

use logstat::registry::{self, Class, Entry, Kind, NO_STATUS};

/// The codes that two parties use with different meanings; the data has two
/// rows for each and the registry two entries.
const SHARED: [u16; 4] = [103, 420, 451, 530];

/// Every entry the registry holds, the no-status one last, as the data lists
/// them.
fn all_entries() -> impl Iterator<Item = &'static Entry> {
    registry::entries().iter().chain([&NO_STATUS])
}

/// The code column for `e`: the number, or `-` for [`NO_STATUS`].
fn code_cell(e: &Entry) -> String {
    if std::ptr::eq(e, &NO_STATUS) {
        "-".to_string()
    } else {
        e.code.to_string()
    }
}

/// Splits a `; `-separated list cell; empty means no names.
fn names(cell: &str) -> Vec<String> {
    cell.split("; ")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The built table is `data/registry.tsv`, cell for cell and in order: what
/// `build.rs` compiles in is exactly what a translator reviews.
#[test]
fn table_is_the_data_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/registry.tsv");
    let text = std::fs::read_to_string(&path).expect("data/registry.tsv is in the repository");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "code\treason\treason_zh\tkind\tdefined_by\tvendor\tformer_names\tdescription_en\tdescription_zh"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), all_entries().count(), "one entry per data row");
    for (row, e) in rows.iter().zip(all_entries()) {
        let want = [
            code_cell(e),
            e.reason.to_string(),
            e.reason_zh.to_string(),
            e.kind.as_str().to_string(),
            e.defined_by.to_string(),
            e.vendor.to_string(),
            e.former_names.join("; "),
            e.en.to_string(),
            e.zh.to_string(),
        ];
        assert_eq!(row[..], want[..], "data row for {} {}", e.code, e.reason);
        assert_eq!(e.former_names, names(row[6]), "{}: former names", e.code);
    }
}

#[test]
fn kinds_are_valid_tokens() {
    let valid = [
        "standard",
        "deprecated",
        "unused",
        "experimental",
        "non-standard",
    ];
    for e in all_entries() {
        assert!(valid.contains(&e.kind.as_str()), "{}", e.code);
    }
}

#[test]
fn class_agrees_with_first_digit() {
    for e in registry::entries() {
        match e.code {
            100..=599 => {
                let c = e.class().expect("class for 100-599");
                assert_eq!(c.digit() as u16, e.code / 100, "{}", e.code);
                assert_eq!(c.label().as_bytes()[0] - b'0', c.digit());
                assert_eq!(Class::parse(c.label()), Some(c));
            }
            _ => assert!(e.class().is_none(), "{}", e.code),
        }
    }
    assert!(NO_STATUS.class().is_none());
}

#[test]
fn texts_are_present_and_say_more_than_the_reason() {
    let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for e in all_entries() {
        let c = e.code;
        assert!(!e.reason.trim().is_empty(), "{c} reason");
        assert!(has_cjk(e.reason_zh), "{c} reason_zh is not Chinese");
        for d in [e.en, e.zh] {
            assert!(!d.trim().is_empty(), "{c} description empty");
            assert_ne!(d, e.reason, "{c} description is the reason");
            assert_ne!(d, e.reason_zh, "{c} description is the reason");
            assert!(!d.contains('\n') && !d.contains('\t'), "{c}: one line");
        }
        assert_ne!(e.en, e.zh, "{c}: zh is a copy of en");
        assert!(has_cjk(e.zh), "{c}: zh description is not Chinese");
        assert!(!has_cjk(e.en), "{c}: en description has Chinese");
    }
}

#[test]
fn vendor_marks_non_standard_codes_only() {
    for e in all_entries() {
        match e.kind {
            Kind::Standard => assert!(e.vendor.is_empty(), "{}", e.code),
            Kind::NonStandard => assert!(!e.vendor.is_empty(), "{}", e.code),
            _ => {}
        }
    }
    assert_eq!(registry::lookup(499).unwrap().vendor, "nginx");
    assert_eq!(registry::lookup(522).unwrap().vendor, "Cloudflare");
    assert_eq!(registry::lookup(460).unwrap().vendor, "AWS ELB");
}

#[test]
fn only_documented_codes_are_shared() {
    let mut count: BTreeMap<u16, usize> = BTreeMap::new();
    for e in registry::entries() {
        *count.entry(e.code).or_default() += 1;
    }
    let shared: Vec<u16> = count
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(shared, SHARED);
    for code in SHARED {
        let all: Vec<&Entry> = registry::lookup_all(code).collect();
        assert_eq!(all.len(), 2);
        // The leading entry is the standard one where there is one, and its
        // description warns about the other use.
        if all[1].kind == Kind::Standard {
            panic!("{code}: standard meaning must lead");
        }
        assert!(all[0].en.contains(all[1].reason), "{code} en");
        assert!(
            all[0].zh.contains(all[1].reason) || all[0].zh.contains(all[1].reason_zh),
            "{code} zh"
        );
    }
}

#[test]
fn index_agrees_with_linear_scan() {
    let entries = registry::entries();
    assert!(entries.windows(2).all(|w| w[0].code <= w[1].code));
    for code in 0..1000u16 {
        let linear: Vec<&Entry> = entries.iter().filter(|e| e.code == code).collect();
        let got = registry::lookup(code);
        assert_eq!(
            got.map(|e| e as *const Entry),
            linear.first().map(|e| *e as *const Entry),
            "lookup({code})"
        );
        let all: Vec<*const Entry> = registry::lookup_all(code)
            .map(|e| e as *const Entry)
            .collect();
        let want: Vec<*const Entry> = linear.iter().map(|e| *e as *const Entry).collect();
        assert_eq!(all, want, "lookup_all({code})");
    }
    for code in [1000u16, 4242, u16::MAX] {
        assert!(registry::lookup(code).is_none());
        assert_eq!(registry::lookup_all(code).count(), 0);
    }
}

#[test]
fn well_known_names_follow_rfc_9110() {
    assert_eq!(registry::lookup(413).unwrap().reason, "Content Too Large");
    assert_eq!(
        registry::lookup(422).unwrap().reason,
        "Unprocessable Content"
    );
    assert_eq!(registry::lookup(0).unwrap().code, 0);
    assert!(registry::lookup(NO_STATUS.code).is_none());
}

struct Row {
    code: String,
    reason: String,
    class: String,
    kind: String,
    defined_by: String,
    former: Vec<String>,
}

/// The fact table's rows, from `$LOGSTAT_SHARED/registry/status-codes.tsv`
/// (default `../shared`). Panics when it is missing: this is only called by a
/// test that was asked to run.
fn fact_rows() -> Vec<Row> {
    let base = std::env::var_os("LOGSTAT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let path = base.join("registry/status-codes.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the registry fact table {} is not readable ({e}); set LOGSTAT_SHARED to the folder \
             that holds registry/status-codes.tsv",
            path.display()
        )
    });
    let mut lines = text.lines();
    let header = lines.next().expect("fact table has a header");
    assert_eq!(
        header,
        "code\treason_phrase\tclass\tkind\tdefined_by\tformer_names\tnotes"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "fact table row with {} fields: {l}", f.len());
            Row {
                code: f[0].to_string(),
                reason: f[1].to_string(),
                class: f[2].to_string(),
                kind: f[3].to_string(),
                defined_by: f[4].to_string(),
                former: names(f[5]),
            }
        })
        .collect()
}

fn check_row_matches(row: &Row, e: &Entry) {
    let what = format!("{} {}", row.code, row.reason);
    assert_eq!(e.reason, row.reason, "{what}: reason");
    assert_eq!(e.kind.as_str(), row.kind, "{what}: kind");
    assert_eq!(e.defined_by, row.defined_by, "{what}: defined_by");
    let former: Vec<String> = e.former_names.iter().map(|s| s.to_string()).collect();
    assert_eq!(former, row.former, "{what}: former names");
    let class = e.class().map_or("none", Class::label);
    assert_eq!(class, row.class, "{what}: class");
}

#[test]
#[ignore = "needs ../shared/registry/status-codes.tsv (LOGSTAT_SHARED): .ci/run runs it with --include-ignored"]
fn every_fact_table_row_is_in_the_registry_in_order() {
    let rows = fact_rows();
    let mut code_rows: Vec<&Row> = Vec::new();
    for row in &rows {
        if row.code == "-" {
            check_row_matches(row, &NO_STATUS);
            continue;
        }
        code_rows.push(row);
    }
    assert_eq!(
        registry::entries().len(),
        code_rows.len(),
        "one entry per fact table code row"
    );
    // Same rows, same order: the fact table lists the leading meaning of a
    // shared code first, and so must the registry.
    for (row, e) in code_rows.iter().zip(registry::entries()) {
        assert_eq!(e.code.to_string(), row.code, "row order");
        check_row_matches(row, e);
    }
    assert_eq!(rows.iter().filter(|r| r.code == "-").count(), 1);
}
