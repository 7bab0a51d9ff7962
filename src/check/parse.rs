//! The expression parser: a hand-written recursive descent over bytes, so that
//! every error can point at the exact column where the expression went wrong.
//!
//! Grammar (whitespace is free between tokens, never inside one):
//!
//! ```text
//! expr     := [agg '('] selector [')'] op number ['%']
//! agg      := 'rate' | 'count'                      (case-insensitive)
//! selector := item (',' item)*
//! item     := ['!'] (code | code '-' code | class | 'malformed' | 'no_status')
//! code     := three digits, 000-999                 (`000` is code 0)
//! class    := 1xx .. 5xx                            (case-insensitive x)
//! op       := '>' | '>=' | '<' | '<=' | '==' | '!='
//! number   := digits ['.' digits]                   (at most 9 decimal places)
//! ```

use unicode_width::UnicodeWidthStr;

use super::{Agg, Expr, Item, Op, ParseError, Selector, Threshold};
use crate::lang::Lang;
use crate::registry::Class;

/// Most decimal places a threshold may have. Bounding the scale keeps the
/// exact rational comparison inside `u128` for any `u64` count.
pub const MAX_DECIMALS: u32 = 9;

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
        if !self.at_end() {
            return Err(self.err_at(
                self.pos,
                &format!("unexpected {} after the number", self.found()),
                &format!("数字后面出现了多余的{}", self.found()),
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
        })
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
