//! The language of the words logstat prints.
//!
//! Two kinds of output speak differently ([`Langs`]): what a person reads (the
//! table, verdicts, `--explain`, error messages) follows the locale, while what
//! a script reads (CSV and JSON) stays English unless `--lang` says otherwise,
//! so a script written on one desktop does not break on a Chinese one.

/// English or Simplified Chinese.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Picks the language from the locale variables in POSIX precedence order
    /// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`): the first one that is set
    /// and non-empty decides ([`Lang::from_locale`]).
    pub fn from_env() -> Lang {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Lang::from_env`] over any variable source, so tests need not touch the
    /// process environment.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|key| get(key).filter(|v| !v.is_empty()))
            .map_or(Lang::En, |v| Lang::from_locale(&v))
    }

    /// The language for one locale name (`zh_CN.UTF-8`, `zh_Hant_TW`, `C`).
    /// Chinese locales get Simplified Chinese, except those that write
    /// Traditional characters (the `Hant` script, or Taiwan, Hong Kong and
    /// Macau without an explicit `Hans`): logstat has no Traditional text, and
    /// Simplified is not what those readers read, so they get English.
    pub fn from_locale(locale: &str) -> Lang {
        // language[_territory][.codeset][@modifier]; BCP 47 tags use `-`.
        let name = locale.split(['.', '@']).next().unwrap_or("");
        let mut parts = name.split(['_', '-']);
        if !parts.next().is_some_and(|l| l.eq_ignore_ascii_case("zh")) {
            return Lang::En;
        }
        let parts: Vec<&str> = parts.collect();
        let is = |want: &[&str]| {
            parts
                .iter()
                .any(|p| want.iter().any(|w| p.eq_ignore_ascii_case(w)))
        };
        if is(&["hans"]) || !is(&["hant", "tw", "hk", "mo"]) {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// Picks between an English and a Chinese text.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// The language of each kind of output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Langs {
    /// What a person reads: the table, verdicts, `--explain`, annotations,
    /// JUnit messages and error messages.
    pub human: Lang,
    /// What a script reads: CSV and JSON, to stdout or to a file.
    pub data: Lang,
}

impl Langs {
    /// `--lang`, when given, decides both; otherwise the locale (asked only
    /// then) decides the human words and data stays English.
    pub fn resolve(explicit: Option<Lang>, locale: impl FnOnce() -> Lang) -> Langs {
        match explicit {
            Some(l) => Langs::both(l),
            None => Langs {
                human: locale(),
                data: Lang::En,
            },
        }
    }

    /// One language for everything.
    pub fn both(lang: Lang) -> Langs {
        Langs {
            human: lang,
            data: lang,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn precedence_follows_posix() {
        assert_eq!(Lang::from_vars(vars(&[])), Lang::En);
        assert_eq!(Lang::from_vars(vars(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            Lang::from_vars(vars(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_vars(vars(&[("LC_MESSAGES", "zh_SG"), ("LANG", "en_US")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_vars(vars(&[("LC_ALL", ""), ("LANG", "zh")])),
            Lang::Zh
        );
        // A Traditional locale decides too: it does not fall through to LANG.
        assert_eq!(
            Lang::from_vars(vars(&[("LC_MESSAGES", "zh_TW"), ("LANG", "zh_CN")])),
            Lang::En
        );
    }

    #[test]
    fn traditional_chinese_locales_get_english() {
        for l in [
            "zh_TW",
            "zh_TW.UTF-8",
            "zh_HK.Big5-HKSCS",
            "zh_MO",
            "zh-Hant",
            "zh_Hant_TW",
            "zh-hant-hk",
            "ZH_tw.utf8",
        ] {
            assert_eq!(Lang::from_locale(l), Lang::En, "{l}");
        }
        for l in [
            "zh",
            "zh_CN",
            "zh_CN.GB18030",
            "zh_SG.UTF-8",
            "zh-Hans",
            "zh_Hans_HK",
            "zh_CN@pinyin",
        ] {
            assert_eq!(Lang::from_locale(l), Lang::Zh, "{l}");
        }
        for l in ["C", "POSIX", "en_US.UTF-8", "zhx", "", "de_DE@euro"] {
            assert_eq!(Lang::from_locale(l), Lang::En, "{l}");
        }
    }

    #[test]
    fn data_stays_english_unless_asked() {
        let zh = || Lang::Zh;
        assert_eq!(
            Langs::resolve(None, zh),
            Langs {
                human: Lang::Zh,
                data: Lang::En
            }
        );
        assert_eq!(
            Langs::resolve(Some(Lang::Zh), || Lang::En),
            Langs::both(Lang::Zh)
        );
        assert_eq!(Langs::resolve(Some(Lang::En), zh), Langs::both(Lang::En));
    }
}
