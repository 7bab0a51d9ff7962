//! The expression parser: a hand-written recursive descent over bytes, so that
//! every error can point at the exact column where the expression went wrong.
//!
//! Grammar (whitespace is free between tokens, never inside one):
//!
//! ```text
//! expr     := [agg '('] selector [')'] op number ['%'] ['over' duration]
//!           | 'burn' '(' duration ',' duration ')' ('>' | '>=') number
//! agg      := 'rate' | 'count'                      (case-insensitive)
//! selector := item (',' item)*
//! item     := ['!'] (code | code '-' code | class | 'malformed' | 'no_status')
//! code     := three digits, 000-999                 (`000` is code 0)
//! class    := 1xx .. 5xx                            (case-insensitive x)
//! op       := '>' | '>=' | '<' | '<=' | '==' | '!='
//! number   := digits ['.' digits]                   (at most 9 decimal places)
//! duration := digits ('s' | 'm' | 'h' | 'd')         (whole seconds, above 0)
//! ```
//!
//! `over` and `burn` are case-insensitive words like the aggregates. In
//! `burn(LONG, SHORT)` the long window comes first and the number is a factor
//! of the SLO's budget rate (`14.4`), never a percentage.

use unicode_width::UnicodeWidthStr;

use super::{Agg, Burn, Expr, Item, Op, ParseError, Selector, Threshold, duration_text};
use crate::lang::Lang;
use crate::registry::Class;

/// Most decimal places a threshold may have. Bounding the scale keeps the
/// exact rational comparison inside `u128` for any `u64` count.
pub const MAX_DECIMALS: u32 = 9;

/// Burn-rate factors stay below this: no budget rate is that small (an SLO
/// has at most [`MAX_DECIMALS`] decimals), and the bound keeps the exact
/// comparison of a window's rate with factor × budget inside `u128` factors.
pub const MAX_FACTOR: u128 = 1_000_000_000_000;

/// The longest duration a window or an SLO period may have: ten years, far
/// beyond any log, and small enough that times in seconds never overflow.
pub const MAX_DURATION: u32 = 3650 * 86_400;

/// What the parser expects where an item should start, for error messages.
const ITEM_HINT: &str =
    "a status code (503, 000), a class (5xx), a range (500-504), malformed or no_status";
const ITEM_HINT_ZH: &str =
    "状态码（503、000）、状态类别（5xx）、范围（500-504）、malformed 或 no_status";

/// Parses `src`; error messages are in `lang`.
pub(super) fn parse(src: &str, lang: Lang) -> Result<Expr, ParseError> {
    let mut p = Parser { src, pos: 0, lang };
    p.expr()
}

/// A selector alone (`--slo-bad`): codes, classes and ranges only, since the
/// SLO counts requests.
pub(super) fn selector(src: &str, lang: Lang) -> Result<Selector, ParseError> {
    requests_selector(
        src,
        lang,
        (
            "an SLO counts requests: malformed and no_status are lines, not requests",
            "SLO 统计的是请求：malformed 和 no_status 是行而不是请求",
        ),
    )
}

/// A selector of requests alone: codes, classes and ranges; a bucket is
/// refused with `refusal` (English, Chinese), which says what counts
/// requests.
pub(super) fn requests_selector(
    src: &str,
    lang: Lang,
    refusal: (&str, &str),
) -> Result<Selector, ParseError> {
    let mut p = Parser { src, pos: 0, lang };
    p.ws();
    if p.at_end() {
        return Err(p.err_at(p.pos, "the selector is empty", "选择器为空"));
    }
    let sel = p.selector()?;
    p.ws();
    if !p.at_end() {
        return Err(p.err_at(
            p.pos,
            &format!(
                "expected ',' or the end of the selector, found {}",
                p.found()
            ),
            &format!("应为 ',' 或选择器结尾，实际为{}", p.found()),
        ));
    }
    if sel.is_buckets() {
        return Err(p.err_at(0, refusal.0, refusal.1));
    }
    Ok(sel)
}

/// A duration alone (`--slo-period`), surrounding whitespace allowed.
pub(super) fn duration(src: &str, lang: Lang) -> Result<u32, ParseError> {
    let mut p = Parser { src, pos: 0, lang };
    p.ws();
    let d = p.duration()?;
    p.ws();
    if !p.at_end() {
        return Err(p.err_at(
            p.pos,
            &format!("unexpected {} after the duration", p.found()),
            &format!("时长后面出现了多余的{}", p.found()),
        ));
    }
    Ok(d)
}

/// An SLO target (`--slo`): a percentage above 0 and below 100, the `%`
/// optional. A bare number below 1 is refused rather than read as a
/// fraction: `0.999` is 99.9% to one reader and 0.999% to another.
pub(super) fn target(src: &str, lang: Lang) -> Result<Threshold, ParseError> {
    let mut p = Parser { src, pos: 0, lang };
    p.ws();
    let start = p.pos;
    if !p.peek().is_some_and(|b| b.is_ascii_digit()) {
        return Err(p.err_at(
            start,
            &format!("expected a percentage such as 99.9%, found {}", p.found()),
            &format!("应为百分比，例如 99.9%，实际为{}", p.found()),
        ));
    }
    let (t, _) = p.number(Op::Gt)?;
    p.ws();
    let percent = p.eat(b'%');
    p.ws();
    if !p.at_end() {
        return Err(p.err_at(
            p.pos,
            &format!("unexpected {} after the target", p.found()),
            &format!("目标后面出现了多余的{}", p.found()),
        ));
    }
    let one = 10u128.pow(t.scale);
    if t.mantissa == 0 {
        return Err(p.err_at(start, "the target must be above 0%", "目标必须大于 0%"));
    }
    if !percent && t.mantissa < one {
        return Err(p.err_at(
            start,
            "write the target as a percentage, e.g. 99.9%",
            "请把目标写成百分比，例如 99.9%",
        ));
    }
    if t.mantissa >= 100 * one {
        return Err(p.err_at(
            start,
            "a target of 100% or more leaves no error budget; use less than 100%",
            "100% 或更高的目标没有错误预算；请用小于 100% 的值",
        ));
    }
    Ok(t)
}

struct Parser<'a> {
    src: &'a str,
    lang: Lang,
    /// Byte offset of the next unread byte; always on a char boundary because
    /// the parser only ever steps over ASCII bytes.
    pos: usize,
}

impl<'a> Parser<'a> {
    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.ws();
        if self.at_end() {
            return Err(self.err_at(self.pos, "the expression is empty", "表达式为空"));
        }
        // An aggregate is a word followed by '('; a bare `rate` is a typo.
        let start = self.pos;
        let word = self.word();
        if word.eq_ignore_ascii_case("burn") {
            self.ws();
            if !self.eat(b'(') {
                return Err(self.err_at(
                    self.pos,
                    "expected '(' after 'burn', as in burn(1h,5m) > 14.4",
                    "'burn' 后面应为 '('，例如 burn(1h,5m) > 14.4",
                ));
            }
            return self.burn();
        }
        let agg = match word.to_ascii_lowercase().as_str() {
            w @ ("rate" | "count") => {
                self.ws();
                if !self.eat(b'(') {
                    return Err(self.err_at(
                        self.pos,
                        &format!("expected '(' after '{w}'"),
                        &format!("'{w}' 后面应为 '('"),
                    ));
                }
                Some(if w == "rate" { Agg::Rate } else { Agg::Count })
            }
            _ => {
                self.pos = start;
                None
            }
        };
        let selector = self.selector()?;
        if agg.is_some() {
            self.ws();
            if !self.eat(b')') {
                let (en, zh) = if self.peek() == Some(b'(') || self.peek().is_none() {
                    (
                        "expected ')' to close the selector".to_string(),
                        "缺少闭合选择器的 ')'".to_string(),
                    )
                } else {
                    (
                        format!(
                            "expected ',' or ')' after the selector item, found {}",
                            self.found()
                        ),
                        format!("选择器项后面应为 ',' 或 ')'，实际为{}", self.found()),
                    )
                };
                return Err(self.err_at(self.pos, &en, &zh));
            }
        }
        self.ws();
        let op = self.op()?;
        self.ws();
        let (threshold, num_start) = self.number(op)?;
        self.ws();
        let pct_pos = self.pos;
        let percent = self.eat(b'%');
        self.ws();
        let over_pos = self.pos;
        let window = if self.word().eq_ignore_ascii_case("over") {
            self.ws();
            let w = self.duration()?;
            self.ws();
            Some(w)
        } else {
            self.pos = over_pos;
            None
        };
        if !self.at_end() {
            return Err(self.err_at(
                self.pos,
                &format!(
                    "unexpected {} after the {}",
                    self.found(),
                    if window.is_some() { "window" } else { "number" }
                ),
                &format!(
                    "{}后面出现了多余的{}",
                    if window.is_some() { "窗口" } else { "数字" },
                    self.found()
                ),
            ));
        }
        // A malformed line has no time, so no window can hold it.
        if window.is_some() && selector.has(Item::Malformed) {
            return Err(self.err_at(
                over_pos,
                "malformed lines have no time, so no window can judge them; drop 'over …'",
                "格式错误的行没有时间，无法按窗口判断；请去掉 'over …'",
            ));
        }

        let is_rate = match (agg, percent) {
            (Some(Agg::Count), true) => {
                return Err(self.err_at(
                    pct_pos,
                    "count(...) takes a plain number; drop the '%' or use rate(...)",
                    "count(...) 只接受普通数字；去掉 '%' 或改用 rate(...)",
                ));
            }
            (Some(Agg::Rate), false) => {
                return Err(self.err_at(
                    self.src.trim_end().len(),
                    "rate(...) needs a percentage, e.g. 1%",
                    "rate(...) 需要百分比，例如 1%",
                ));
            }
            (Some(a), _) => a == Agg::Rate,
            (None, p) => p,
        };
        if is_rate {
            // 100% is the most any rate can be; beyond it the check is a typo.
            if threshold.mantissa > 100 * 10u128.pow(threshold.scale) {
                return Err(self.err_at(
                    num_start,
                    "a rate cannot exceed 100%",
                    "比率不能超过 100%",
                ));
            }
        } else if threshold.scale > 0 {
            // Without `count(`, a fraction is almost surely a missing `%`.
            let (en, zh) = if agg.is_none() {
                let n = self.src[num_start..pct_pos].trim_end();
                (
                    format!("a count is a whole number (did you mean {n}%?)"),
                    format!("计数必须是整数（是否想写 {n}%？）"),
                )
            } else {
                (
                    "a count is a whole number".to_string(),
                    "计数必须是整数".to_string(),
                )
            };
            return Err(self.err_at(num_start, &en, &zh));
        } else if threshold.mantissa > u64::MAX as u128 {
            return Err(self.err_at(num_start, "the count is too large", "计数太大"));
        }

        Ok(Expr {
            source: self.src.to_string(),
            agg: if is_rate { Agg::Rate } else { Agg::Count },
            selector,
            op,
            threshold,
            window,
            burn: None,
        })
    }

    /// `burn(LONG, SHORT) OP FACTOR`, after `burn(`. The selector is the
    /// default bad one; the gate replaces it with `--slo-bad`.
    fn burn(&mut self) -> Result<Expr, ParseError> {
        self.ws();
        let long_pos = self.pos;
        let long = self.duration()?;
        self.ws();
        if !self.eat(b',') {
            return Err(self.err_at(
                self.pos,
                &format!(
                    "expected ',' and the short window after the long one, found {}",
                    self.found()
                ),
                &format!("长窗口后面应为 ',' 和短窗口，实际为{}", self.found()),
            ));
        }
        self.ws();
        let short = self.duration()?;
        self.ws();
        if !self.eat(b')') {
            return Err(self.err_at(
                self.pos,
                &format!(
                    "expected ')' after the short window, found {}",
                    self.found()
                ),
                &format!("短窗口后面应为 ')'，实际为{}", self.found()),
            ));
        }
        if short > long {
            let (l, s) = (duration_text(long), duration_text(short));
            return Err(self.err_at(
                long_pos,
                &format!("the long window comes first: burn({s},{l})"),
                &format!("长窗口在前：burn({s},{l})"),
            ));
        }
        self.ws();
        let op_pos = self.pos;
        let op = self.op()?;
        if !matches!(op, Op::Gt | Op::Ge) {
            return Err(self.err_at(
                op_pos,
                "a burn-rate alert fires when both windows burn faster than the factor: use > or >=",
                "燃烧率告警在两个窗口都超过倍数时触发：请用 > 或 >=",
            ));
        }
        self.ws();
        let (threshold, num_start) = self.number(op)?;
        self.ws();
        if self.peek() == Some(b'%') {
            return Err(self.err_at(
                self.pos,
                "a burn rate is a factor of the error-budget rate (14.4 = 14.4 times), not a percentage",
                "燃烧率是错误预算速率的倍数（14.4 即 14.4 倍），不是百分比",
            ));
        }
        if !self.at_end() {
            return Err(self.err_at(
                self.pos,
                &format!("unexpected {} after the factor", self.found()),
                &format!("倍数后面出现了多余的{}", self.found()),
            ));
        }
        if threshold.mantissa >= MAX_FACTOR * 10u128.pow(threshold.scale) {
            return Err(self.err_at(num_start, "the factor is too large", "倍数太大"));
        }
        Ok(Expr {
            source: self.src.to_string(),
            agg: Agg::Rate,
            selector: Selector::default_bad(),
            op,
            threshold,
            window: None,
            burn: Some(Burn { long, short }),
        })
    }

    /// `30s`, `5m`, `1h`, `1d`: whole seconds, above zero.
    fn duration(&mut self) -> Result<u32, ParseError> {
        let start = self.pos;
        let digits = self.digits();
        if digits.is_empty() {
            return Err(self.err_at(
                start,
                &format!(
                    "expected a duration such as 30s, 5m, 1h or 1d, found {}",
                    self.found()
                ),
                &format!("应为时长，例如 30s、5m、1h 或 1d，实际为{}", self.found()),
            ));
        }
        let unit_pos = self.pos;
        let unit = self.word();
        let scale: u64 = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "" => {
                return Err(self.err_at(
                    unit_pos,
                    &format!("a duration needs a unit: s, m, h or d (e.g. {digits}m)"),
                    &format!("时长需要单位：s、m、h 或 d（例如 {digits}m）"),
                ));
            }
            _ => {
                return Err(self.err_at(
                    unit_pos,
                    &format!("unknown unit '{unit}': use s, m, h or d"),
                    &format!("未知的单位 '{unit}'：请用 s、m、h 或 d"),
                ));
            }
        };
        match digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(scale))
        {
            Some(0) => Err(self.err_at(
                start,
                "a duration must be longer than zero",
                "时长必须大于零",
            )),
            Some(n) if n <= MAX_DURATION as u64 => Ok(n as u32),
            _ => Err(self.err_at(
                start,
                &format!(
                    "the duration is too long (at most {}d)",
                    MAX_DURATION / 86_400
                ),
                &format!("时长太长（最多 {}d）", MAX_DURATION / 86_400),
            )),
        }
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        let mut items: Vec<(Item, bool, usize)> = Vec::new();
        loop {
            self.ws();
            let start = self.pos;
            let negated = self.eat(b'!');
            if negated {
                self.ws();
            }
            let item_start = self.pos;
            let item = self.item()?;
            if negated && item.is_bucket() {
                return Err(self.err_at(
                    start,
                    "malformed and no_status cannot be negated; select the other bucket instead",
                    "malformed 和 no_status 不能取反；请改为选择另一个",
                ));
            }
            items.push((item, negated, item_start));
            self.ws();
            if !self.eat(b',') {
                break;
            }
        }
        // Buckets are lines, codes are requests: one rate cannot be over both.
        let first_bucket = items.iter().find(|(i, _, _)| i.is_bucket());
        let first_code = items.iter().find(|(i, _, _)| !i.is_bucket());
        if let (Some(b), Some(c)) = (first_bucket, first_code) {
            let at = b.2.max(c.2);
            return Err(self.err_at(
                at,
                "malformed and no_status count lines, not requests; they cannot share a selector with status codes",
                "malformed 和 no_status 统计的是行而不是请求，不能与状态码放在同一个选择器中",
            ));
        }
        Ok(Selector {
            items: items.into_iter().map(|(i, n, _)| (i, n)).collect(),
        })
    }

    fn item(&mut self) -> Result<Item, ParseError> {
        let start = self.pos;
        let word = self.word();
        if word.is_empty() {
            return Err(self.err_at(
                start,
                &format!("expected {ITEM_HINT}, found {}", self.found()),
                &format!("应为{ITEM_HINT_ZH}，实际为{}", self.found()),
            ));
        }
        if word.bytes().all(|b| b.is_ascii_digit()) {
            let lo = code(word).ok_or_else(|| {
                self.err_at(
                    start,
                    &format!(
                        "'{word}' is not a status code: codes have three digits, e.g. 503 or 000"
                    ),
                    &format!("'{word}' 不是状态码：状态码是三位数字，例如 503 或 000"),
                )
            })?;
            let save = self.pos;
            self.ws();
            if !self.eat(b'-') {
                self.pos = save;
                return Ok(Item::Code(lo));
            }
            self.ws();
            let hi_start = self.pos;
            let hi_word = self.word();
            let hi = code(hi_word).ok_or_else(|| {
                self.err_at(
                    hi_start,
                    "a range ends with a three-digit status code, e.g. 500-504",
                    "范围的结尾必须是三位数字的状态码，例如 500-504",
                )
            })?;
            if hi < lo {
                return Err(self.err_at(
                    start,
                    &format!("the range {lo:03}-{hi:03} is backwards; write {hi:03}-{lo:03}"),
                    &format!("范围 {lo:03}-{hi:03} 写反了；应写作 {hi:03}-{lo:03}"),
                ));
            }
            return Ok(Item::Range(lo, hi));
        }
        if let Some(c) = Class::parse(word) {
            return Ok(Item::Class(c));
        }
        match word.to_ascii_lowercase().as_str() {
            "malformed" => Ok(Item::Malformed),
            "no_status" => Ok(Item::NoStatus),
            _ => Err(self.err_at(
                start,
                &format!("unknown item '{word}': expected {ITEM_HINT}"),
                &format!("未知的项 '{word}'：应为{ITEM_HINT_ZH}"),
            )),
        }
    }

    fn op(&mut self) -> Result<Op, ParseError> {
        let at = self.pos;
        let two = self.src.as_bytes().get(at..at + 2);
        let (op, len) = match (self.peek(), two) {
            (_, Some(b">=")) => (Op::Ge, 2),
            (_, Some(b"<=")) => (Op::Le, 2),
            (_, Some(b"==")) => (Op::Eq, 2),
            (_, Some(b"!=")) => (Op::Ne, 2),
            (Some(b'>'), _) => (Op::Gt, 1),
            (Some(b'<'), _) => (Op::Lt, 1),
            (Some(b'='), _) => {
                return Err(self.err_at(
                    at,
                    "use '==' to compare for equality",
                    "比较相等请用 '=='",
                ));
            }
            _ => {
                return Err(self.err_at(
                    at,
                    &format!(
                        "expected a comparison (> >= < <= == !=), found {}",
                        self.found()
                    ),
                    &format!("应为比较运算符（> >= < <= == !=），实际为{}", self.found()),
                ));
            }
        };
        self.pos += len;
        Ok(op)
    }

    /// Parses the threshold exactly: "1.5" is 15 / 10^1, never a float.
    fn number(&mut self, op: Op) -> Result<(Threshold, usize), ParseError> {
        let start = self.pos;
        match self.peek() {
            None => {
                return Err(self.err_at(
                    start,
                    &format!("expected a number after '{}'", op.as_str()),
                    &format!("'{}' 后面应为数字", op.as_str()),
                ));
            }
            Some(b'-') => {
                return Err(self.err_at(start, "thresholds cannot be negative", "阈值不能为负数"));
            }
            Some(b'0'..=b'9') => {}
            Some(_) => {
                return Err(self.err_at(
                    start,
                    &format!(
                        "expected a number after '{}', found {}",
                        op.as_str(),
                        self.found()
                    ),
                    &format!("'{}' 后面应为数字，实际为{}", op.as_str(), self.found()),
                ));
            }
        }
        let int = self.digits();
        let mut frac = "";
        if self.eat(b'.') {
            frac = self.digits();
            if frac.is_empty() {
                return Err(self.err_at(
                    self.pos,
                    "expected digits after the decimal point",
                    "小数点后面应为数字",
                ));
            }
        }
        if frac.len() > MAX_DECIMALS as usize {
            return Err(self.err_at(
                start,
                &format!("at most {MAX_DECIMALS} decimal places are supported"),
                &format!("最多支持 {MAX_DECIMALS} 位小数"),
            ));
        }
        let too_large = || self.err_at(start, "the number is too large", "数字太大");
        let mut mantissa: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add((b - b'0') as u128))
                .ok_or_else(too_large)?;
        }
        // Keeps every later product (mantissa * u64 denominator) in u128.
        if mantissa > u64::MAX as u128 * 10u128.pow(MAX_DECIMALS) {
            return Err(too_large());
        }
        let threshold = Threshold {
            mantissa,
            scale: frac.len() as u32,
        };
        Ok((threshold, start))
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A run of ASCII letters, digits and `_`: one item or keyword.
    fn word(&mut self) -> &'a str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 1;
        }
        let src: &'a str = self.src;
        &src[start..self.pos]
    }

    fn digits(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let src: &'a str = self.src;
        &src[start..self.pos]
    }

    /// What sits at the cursor, quoted, for "found ..." messages.
    fn found(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => self
                .lang
                .pick("the end of the expression", "表达式结尾")
                .to_string(),
            Some(c) => format!("'{}'", c.escape_debug()),
        }
    }

    /// An error at byte offset `at`, worded `en` or `zh` as the language says;
    /// the column is the display width of the text before it, so the caret
    /// lines up under wide (CJK) characters too.
    fn err_at(&self, at: usize, en: &str, zh: &str) -> ParseError {
        let at = at.min(self.src.len());
        let column = if self.src.is_char_boundary(at) {
            self.src[..at].width()
        } else {
            at
        };
        ParseError {
            source: self.src.to_string(),
            column,
            message: self.lang.pick(en, zh).to_string(),
            lang: self.lang,
        }
    }
}

/// A three-digit status code; `000` is code 0.
fn code(word: &str) -> Option<u16> {
    if word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok()
    } else {
        None
    }
}
