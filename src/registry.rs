//! The built-in status-code registry: what every code means.
//!
//! SKELETON: the registry helper replaces the table; the public API below is
//! what the rest of the crate relies on and must stay.

use crate::lang::Lang;

/// A status class, from the first digit of a code in 100–599.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Informational,
    Success,
    Redirection,
    ClientError,
    ServerError,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Informational,
        Class::Success,
        Class::Redirection,
        Class::ClientError,
        Class::ServerError,
    ];

    /// The class of `code`, or `None` outside 100–599.
    pub fn of(code: u16) -> Option<Class> {
        match code / 100 {
            1 => Some(Class::Informational),
            2 => Some(Class::Success),
            3 => Some(Class::Redirection),
            4 => Some(Class::ClientError),
            5 => Some(Class::ServerError),
            _ => None,
        }
    }

    /// First digit: 1 for 1xx … 5 for 5xx.
    pub fn digit(self) -> u8 {
        self as u8 + 1
    }

    /// `1xx` … `5xx`.
    pub fn label(self) -> &'static str {
        ["1xx", "2xx", "3xx", "4xx", "5xx"][self as usize]
    }

    /// Parses `1xx`…`5xx` (case-insensitive `x`).
    pub fn parse(s: &str) -> Option<Class> {
        let b = s.as_bytes();
        if b.len() == 3 && b[1].eq_ignore_ascii_case(&b'x') && b[2].eq_ignore_ascii_case(&b'x') {
            match b[0] {
                b'1'..=b'5' => Class::of((b[0] - b'0') as u16 * 100),
                _ => None,
            }
        } else {
            None
        }
    }

    /// Human name of the class in `lang`, e.g. "Client error" / "客户端错误".
    pub fn name(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Class::Informational => ("Informational", "信息"),
            Class::Success => ("Success", "成功"),
            Class::Redirection => ("Redirection", "重定向"),
            Class::ClientError => ("Client error", "客户端错误"),
            Class::ServerError => ("Server error", "服务器错误"),
        };
        lang.pick(en, zh)
    }
}

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
    /// Short name of who emits a non-standard code, for table markers (`nginx`).
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

static ENTRIES: &[Entry] = &[
    Entry {
        code: 200,
        reason: "OK",
        reason_zh: "成功",
        kind: Kind::Standard,
        defined_by: "RFC 9110 §15.3.1",
        vendor: "",
        former_names: &[],
        en: "The request succeeded.",
        zh: "请求成功。",
    },
    Entry {
        code: 499,
        reason: "Client Closed Request",
        reason_zh: "客户端关闭请求",
        kind: Kind::NonStandard,
        defined_by: "nginx",
        vendor: "nginx",
        former_names: &[],
        en: "The client hung up before nginx answered.",
        zh: "客户端在 nginx 回应前断开了连接。",
    },
];

/// Every entry, ascending by code; a code two parties use differently has
/// several entries, the standard meaning first.
pub fn entries() -> &'static [Entry] {
    ENTRIES
}

/// The leading entry for `code` (O(1) in the real table).
pub fn lookup(code: u16) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.code == code)
}

/// Every entry for `code`: the leading one first, then other uses.
pub fn lookup_all(code: u16) -> impl Iterator<Item = &'static Entry> {
    ENTRIES.iter().filter(move |e| e.code == code)
}
