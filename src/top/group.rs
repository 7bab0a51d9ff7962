//! `--group-paths`: path segments that are ids folded into a name, so that
//! `/user/123/orders` and `/user/456/orders` count as `/user/{id}/orders`.

use regex::bytes::Regex;

/// How paths are folded: the user's rules first, in the order given, then
/// the built-in one for ids.
#[derive(Clone, Debug)]
pub struct Grouping {
    /// `(whole-segment regex, name, regex as given)`.
    rules: Vec<(Regex, String, String)>,
}

/// Reads a `--group-paths REGEX=NAME` rule: split at the last `=`, the
/// name made of letters, digits, `_` and `-`.
pub fn parse_rule(s: &str) -> Result<(String, String), String> {
    let Some((re, name)) = s.rsplit_once('=') else {
        return Err("expected REGEX=NAME, e.g. '[a-z]{2}-[A-Z]{2}=locale'".into());
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "the name after '=' must be letters, digits, _ or - (got '{name}')"
        ));
    }
    if re.is_empty() {
        return Err("the regex before '=' is empty".into());
    }
    Regex::new(&format!("^(?:{re})$")).map_err(|e| {
        let e = e.to_string();
        format!(
            "not a regex: {}",
            e.lines().last().unwrap_or(&e).trim_start_matches("error: ")
        )
    })?;
    Ok((re.to_string(), name.to_string()))
}

impl Grouping {
    /// The built-in rule and `rules` (`(regex, name)`, checked by
    /// [`parse_rule`]).
    pub fn new(rules: &[(String, String)]) -> Result<Grouping, String> {
        let rules = rules
            .iter()
            .map(|(re, name)| {
                Regex::new(&format!("^(?:{re})$"))
                    .map(|r| (r, name.clone(), re.clone()))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(Grouping { rules })
    }

    /// The rules as reports show them, in the order they apply.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rules
            .iter()
            .map(|(_, name, re)| format!("{{{name}}}: {re}"))
            .collect();
        out.push("{id}: numbers, UUIDs, long hex and base64-like tokens".into());
        out
    }

    /// Writes `path` into `out` with each segment that a rule matches whole
    /// replaced by `{NAME}`.
    pub fn fold(&self, path: &[u8], out: &mut Vec<u8>) {
        out.clear();
        for (i, seg) in path.split(|&b| b == b'/').enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            if seg.is_empty() {
                continue;
            }
            if let Some((_, name, _)) = self.rules.iter().find(|(r, _, _)| r.is_match(seg)) {
                out.push(b'{');
                out.extend_from_slice(name.as_bytes());
                out.push(b'}');
            } else if is_id(seg) {
                out.extend_from_slice(b"{id}");
            } else {
                out.extend_from_slice(seg);
            }
        }
    }
}

/// Whether a path segment is an id: all digits, a UUID, 16 or more hex
/// digits with a digit among them, or a token of 20 or more base64 (or
/// base64url) characters with an upper-case letter, a lower-case letter
/// and a digit, as random tokens have and words and slugs do not.
pub fn is_id(seg: &[u8]) -> bool {
    if seg.iter().all(u8::is_ascii_digit) {
        return !seg.is_empty();
    }
    if is_uuid(seg) {
        return true;
    }
    let digit = seg.iter().any(u8::is_ascii_digit);
    if seg.len() >= 16 && digit && seg.iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    let body = seg
        .strip_suffix(b"==")
        .or_else(|| seg.strip_suffix(b"="))
        .unwrap_or(seg);
    body.len() >= 20
        && digit
        && body.iter().any(u8::is_ascii_uppercase)
        && body.iter().any(u8::is_ascii_lowercase)
        && body
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+'))
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}
