//! The built-in status-code registry: what every code means.
//!
//! The words live apart from this code, in `data/registry.tsv`: one row per
//! entry with every column in both languages, so that a reviewer or translator
//! reads one plain file and no Rust. `build.rs` checks that file and compiles
//! it into the table below and [`NO_STATUS`]: there is no file to ship or find
//! at run time, and a malformed row (column count, kind, order, missing text,
//! vendor) fails the build with its line number instead of reaching a binary.
//!
//! The rows mirror every row of `shared/registry/status-codes.tsv`: the reason
//! phrases, kinds, `defined_by` and former names are that fact table's, the
//! one-line descriptions are written for an operator reading an access-log
//! report.
//!
//! A code that two parties use differently (103, 420, 451, 530) has one entry
//! per meaning, adjacent, the standard (or first-listed) meaning first; that
//! leading entry's description also names the other use, so a report that
//! shows only [`lookup`] still warns the reader.

use crate::lang::Lang;
pub use crate::status::Class;

/// Standing of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Standard,
    Deprecated,
    Unused,
    Experimental,
    NonStandard,
}

impl Kind {
    /// `standard`, `deprecated`, `unused`, `experimental`, `non-standard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Standard => "standard",
            Kind::Deprecated => "deprecated",
            Kind::Unused => "unused",
            Kind::Experimental => "experimental",
            Kind::NonStandard => "non-standard",
        }
    }
}

/// One registry entry.
#[derive(Debug)]
pub struct Entry {
    pub code: u16,
    pub reason: &'static str,
    pub reason_zh: &'static str,
    pub kind: Kind,
    /// RFC section or vendor, e.g. `RFC 9110 §15.5.5`, `nginx`.
    pub defined_by: &'static str,
    /// Short name of who emits a non-standard code, for table markers (`nginx`,
    /// `Cloudflare`, `AWS ELB`). Empty for codes that come from an IETF
    /// document (standard, but also deprecated, unused or draft codes such as
    /// 102, 305, 104), because no single product is behind them.
    pub vendor: &'static str,
    pub former_names: &'static [&'static str],
    pub en: &'static str,
    pub zh: &'static str,
}

impl Entry {
    pub fn reason(&self, lang: Lang) -> &'static str {
        lang.pick(self.reason, self.reason_zh)
    }
    pub fn description(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }
    pub fn class(&self) -> Option<Class> {
        Class::of(self.code)
    }
}

/// `code` value of [`NO_STATUS`]: outside 0–999 so it can never collide with a
/// real code (code 0 is the real `000`), and [`Class::of`] gives it no class.
pub const NO_STATUS_CODE: u16 = u16::MAX;

/// The no-status bucket: lines whose status field is `-` (the TSV's `-` row).
/// It is not a status code, so it is neither in [`entries`] nor reachable by
/// [`lookup`]; its `code` is [`NO_STATUS_CODE`] and is never printed as a
/// number (output shows `-`).
pub static NO_STATUS: Entry = include!(concat!(env!("OUT_DIR"), "/registry_no_status.rs"));

/// The table, ascending by code, as `build.rs` renders `data/registry.tsv`. A
/// `const` (not only a `static`) so that [`INDEX`] can be computed from it at
/// compile time.
const TABLE: &[Entry] = include!(concat!(env!("OUT_DIR"), "/registry_table.rs"));

static ENTRIES: &[Entry] = TABLE;

/// Marks an empty slot in [`INDEX`].
const NONE: u8 = u8::MAX;

/// Slot `code` holds the position in [`TABLE`] of the leading entry for `code`,
/// or [`NONE`]. Built by the compiler, so a lookup is one array read and a
/// mistake in the table's order fails the build instead of a test.
static INDEX: [u8; 1000] = build_index();

const fn build_index() -> [u8; 1000] {
    assert!(TABLE.len() < NONE as usize, "table outgrew the u8 index");
    let mut index = [NONE; 1000];
    let mut i = 0;
    while i < TABLE.len() {
        let code = TABLE[i].code as usize;
        assert!(code < 1000, "registry code outside 0-999");
        if i > 0 {
            // Ascending order keeps both `entries()` and `lookup_all` simple.
            assert!(
                TABLE[i - 1].code <= TABLE[i].code,
                "registry table not sorted"
            );
        }
        if index[code] == NONE {
            index[code] = i as u8;
        }
        i += 1;
    }
    index
}

/// Every entry, ascending by code; a code two parties use differently has
/// several entries, the standard meaning first. [`NO_STATUS`] is not included.
pub fn entries() -> &'static [Entry] {
    ENTRIES
}

/// The leading entry for `code`, in O(1) through a 1000-slot index; `None` for
/// unregistered codes and anything above 999.
pub fn lookup(code: u16) -> Option<&'static Entry> {
    match INDEX.get(code as usize) {
        Some(&i) if i != NONE => Some(&ENTRIES[i as usize]),
        _ => None,
    }
}

/// Every entry for `code`: the leading one first, then other uses.
pub fn lookup_all(code: u16) -> impl Iterator<Item = &'static Entry> {
    let start = match INDEX.get(code as usize) {
        Some(&i) if i != NONE => i as usize,
        _ => ENTRIES.len(),
    };
    ENTRIES[start..].iter().take_while(move |e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_matches_linear_scan() {
        for code in 0..1100u16 {
            let linear: Vec<_> = ENTRIES.iter().filter(|e| e.code == code).collect();
            assert_eq!(
                lookup(code).map(|e| e as *const Entry),
                linear.first().map(|e| *e as *const Entry)
            );
            assert_eq!(lookup_all(code).count(), linear.len(), "code {code}");
        }
    }

    #[test]
    fn shared_codes_name_the_other_use() {
        for code in [103u16, 420, 451, 530] {
            let all: Vec<_> = lookup_all(code).collect();
            assert_eq!(all.len(), 2, "code {code}");
            assert!(all[0].en.contains(all[1].reason), "{code} en");
            assert!(
                all[0].zh.contains(all[1].reason) || all[0].zh.contains(all[1].reason_zh),
                "{code} zh"
            );
        }
        assert_eq!(lookup(103).unwrap().kind, Kind::Standard);
        assert_eq!(lookup(451).unwrap().kind, Kind::Standard);
    }

    #[test]
    fn vendor_only_for_non_ietf_codes() {
        for e in ENTRIES {
            if e.kind == Kind::Standard {
                assert!(e.vendor.is_empty(), "{}", e.code);
            }
            if e.kind == Kind::NonStandard {
                assert!(!e.vendor.is_empty(), "{}", e.code);
            }
        }
    }

    #[test]
    fn no_status_is_not_a_code() {
        assert!(NO_STATUS.class().is_none());
        assert!(lookup(NO_STATUS.code).is_none());
        assert_eq!(lookup(0).unwrap().code, 0);
    }
}
