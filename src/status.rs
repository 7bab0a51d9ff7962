//! Status-code vocabulary that every layer speaks: the 1xx–5xx class.
//!
//! A bottom-layer module (it depends only on [`crate::lang`]) so that the
//! counting layer ([`crate::summary`]) and the gate ([`crate::check`]) can name
//! a class without depending on the registry, which is the annotation layer
//! above them. `logstat::registry::Class` re-exports it.

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
