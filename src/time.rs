//! Time as access logs write it: instants with the zone offset they were
//! written in.
//!
//! An instant is kept as Unix seconds plus the offset of the line it came
//! from, so that filters and intervals work on one absolute clock (a DST
//! change mid-file is a change of offset, not a jump in time) while reports
//! can still show a time the way the log wrote it.
//!
//! Two kinds of reader live here. [`Clock`] reads the times of log lines:
//! it runs once per line when an option asked for times, so it never
//! allocates and remembers the minute it read last (consecutive lines share
//! their minute, and then only the seconds are read). The `parse_*`
//! functions read what a user typed (`--since`, `--last`, `--by`, `--tz`)
//! and say where a value went wrong, for an error with a caret under it.
//!
//! Times are whole seconds: a fraction a log writes is read and dropped, so
//! a line of `08:00:00.999` is in the second `08:00:00`, as `--since
//! 08:00:00` would expect.

use crate::escape;

/// One instant read from a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix: i64,
    /// The line's offset east of UTC, in seconds (0 for `Z` and for formats
    /// that write UTC).
    pub offset: i32,
}

// ---------------------------------------------------------------------------
// Formatting: instants and durations as reports show them.
// ---------------------------------------------------------------------------

/// A calendar date and wall-clock time in some offset (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Civil {
    /// The wall-clock time `offset` seconds east of UTC shows at `unix`.
    pub fn at(unix: i64, offset: i32) -> Civil {
        let local = unix.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        // Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a
        // date, exact for every i64 day count the division above yields.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (secs / 3_600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
        }
    }

    /// `2025-03-14`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `10:05`.
    pub fn hm(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    /// `10:05:00`.
    pub fn hms(&self) -> String {
        format!("{}:{:02}", self.hm(), self.second)
    }
}

/// An offset as RFC 3339 writes it: `+02:00`, `-05:30`, `+00:00` for UTC
/// (one pattern for every zone, which every date parser reads; seconds,
/// which only historical local mean times have, are added as `:SS`).
pub fn format_offset(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let (h, m, s) = (a / 3_600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// The zone as a person reads it: `UTC`, `UTC+02:00`.
pub fn zone_label(offset: i32) -> String {
    if offset == 0 {
        "UTC".to_string()
    } else {
        format!("UTC{}", format_offset(offset))
    }
}

/// `stamp` in RFC 3339 as seen `offset` seconds east of UTC:
/// `2025-03-14T10:05:00+02:00`. Pass `stamp.offset` to show it as the log
/// wrote it, or a series' offset to show it on that clock.
pub fn format_stamp(stamp: Stamp, offset: i32) -> String {
    let c = Civil::at(stamp.unix, offset);
    format!("{}T{}{}", c.date(), c.hms(), format_offset(offset))
}

impl Stamp {
    /// RFC 3339 in the line's own offset, as the log wrote it.
    pub fn to_rfc3339(self) -> String {
        format_stamp(self, self.offset)
    }
}

/// A duration in whole seconds, in the largest unit that divides it:
/// `1d`, `6h`, `5m`, `90m`, `45s`. The same syntax `--by` and `over` take,
/// so what a report shows can be pasted back.
pub fn format_duration(secs: u64) -> String {
    match secs {
        0 => "0s".to_string(),
        s if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        s if s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
        s if s.is_multiple_of(60) => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`): exact for every year, no table, no loop.
pub const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds of a wall-clock time as if it were UTC ("civil seconds"): the
/// date is checked (no 30 February), the time within the day too.
fn civil(y: i64, m: u32, d: u32, hh: i64, mm: i64, ss: i64) -> Option<i64> {
    let ok = (1..=12).contains(&m)
        && d >= 1
        && d <= days_in_month(y, m)
        && (0..24).contains(&hh)
        && (0..60).contains(&mm)
        && (0..=60).contains(&ss);
    ok.then(|| days_from_civil(y, m, d) * DAY + hh * 3600 + mm * 60 + ss)
}

/// A 26-byte CLF time (`10/Oct/2000:13:55:36 -0700`) as three words that
/// are equal for two times exactly when they differ at most in their
/// seconds: the words of the text, with the minute's last two bytes
/// (`5:` of `13:55:`) where the seconds stand.
#[inline(always)]
pub fn clf_minute_key(b: &[u8; 26]) -> [u64; 3] {
    let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    [
        w(0),
        w(8),
        (w(18) & !0xffff) | b[16] as u64 | (b[17] as u64) << 8,
    ]
}

/// The seconds of a 26-byte CLF time as written (up to 99: the caller
/// says which it accepts).
#[inline(always)]
fn clf_seconds(b: &[u8; 26]) -> Option<i64> {
    d2(b[18], b[19])
}

/// The seconds of a 26-byte CLF time when they are `00` to `59`: those of
/// a minute that holds no leap second.
#[inline(always)]
pub fn clf_second_of_minute(b: &[u8; 26]) -> Option<i64> {
    let (tens, ones) = (b[18].wrapping_sub(b'0'), b[19].wrapping_sub(b'0'));
    (tens < 6 && ones < 10).then_some(tens as i64 * 10 + ones as i64)
}

/// Two ASCII digits as a number.
#[inline(always)]
fn d2(a: u8, b: u8) -> Option<i64> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a < 10 && b < 10).then_some(a as i64 * 10 + b as i64)
}

/// Digits as a number (at most 18 of them, so it cannot overflow).
fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    b.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + (c - b'0') as i64)
    })
}

/// `Jan`–`Dec` in any case: 1–12.
fn month3(b: &[u8]) -> Option<u32> {
    let [a, b, c] = *b else { return None };
    Some(match [a | 0x20, b | 0x20, c | 0x20] {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    })
}

/// A zone as logs write it: `Z`, `UTC`, `GMT`, `+hh`, `+hhmm` or `+hh:mm`
/// (either sign). Seconds east of UTC.
fn zone(b: &[u8]) -> Option<i32> {
    match b {
        b"Z" | b"z" | b"UTC" | b"GMT" => return Some(0),
        [] => return None,
        _ => {}
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = match b[1..] {
        [a, b] => (d2(a, b)?, 0),
        [a, b, c, d] => (d2(a, b)?, d2(c, d)?),
        [a, b, b':', c, d] => (d2(a, b)?, d2(c, d)?),
        _ => return None,
    };
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60) as i32)
}

/// The rest of a time after its seconds: an optional fraction, then
/// optionally `sep` (if not 0) and a zone. `Some(None)`: no zone.
#[inline]
fn fraction_and_zone(rest: &[u8], sep: u8) -> Option<Option<i32>> {
    let mut i = 0;
    if let Some(b'.' | b',') = rest.first() {
        i = 1;
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == 1 {
            return None;
        }
    }
    let rest = &rest[i..];
    if rest.is_empty() {
        return Some(None);
    }
    let z = match rest.first() {
        Some(&c) if sep != 0 && c == sep => &rest[1..],
        _ if sep == 0 => rest.strip_prefix(b" ").unwrap_or(rest),
        _ => return None,
    };
    zone(z).map(Some)
}

/// `dd/Mon/yyyy:HH:MM` (the first 17 bytes of a CLF time) as civil seconds.
fn clf_minute(s: &[u8]) -> Option<i64> {
    if s.len() < 17 || s[2] != b'/' || s[6] != b'/' || s[11] != b':' || s[14] != b':' {
        return None;
    }
    let y = d2(s[7], s[8])? * 100 + d2(s[9], s[10])?;
    civil(
        y,
        month3(&s[3..6])?,
        d2(s[0], s[1])? as u32,
        d2(s[12], s[13])?,
        d2(s[15], s[16])?,
        0,
    )
}

/// `YYYY-MM-DDTHH:MM` (the first 16 bytes of an ISO 8601 time; `t` or a
/// space may stand for the `T`) as civil seconds.
fn iso_minute(s: &[u8]) -> Option<i64> {
    if s.len() < 16
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't' | b' ')
        || s[13] != b':'
    {
        return None;
    }
    let y = d2(s[0], s[1])? * 100 + d2(s[2], s[3])?;
    civil(
        y,
        d2(s[5], s[6])? as u32,
        d2(s[8], s[9])? as u32,
        d2(s[11], s[12])?,
        d2(s[14], s[15])?,
        0,
    )
}

/// How a time written without a zone is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    /// In this machine's local time zone, with its daylight-saving rules
    /// (HAProxy writes its accept date so).
    #[default]
    Local,
    /// At this fixed offset, seconds east of UTC (`--tz`).
    Fixed(i32),
}

/// The first bytes of a time that name its minute, as words: equal words,
/// same minute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct MinuteKey(u64, u64, u8);

impl MinuteKey {
    /// The first `n` (16 or 17) bytes of `s`, which holds at least 17.
    #[inline(always)]
    fn of(s: &[u8], n: usize) -> MinuteKey {
        let w = |i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        MinuteKey(w(0), w(8), if n > 16 { s[16] } else { 0 })
    }
}

/// The minute a reader read last: its key and civil seconds.
#[derive(Clone, Copy, Debug, Default)]
struct Minute {
    key: Option<MinuteKey>,
    civil: i64,
}

/// Reads the times of log lines, one reader per chunk of lines.
///
/// Each reader keeps the last minute it parsed: a time whose first bytes
/// (`10/Oct/2000:13:55`) are those of the previous line's costs two word
/// compares and its seconds, which is what most lines of a log are. For a
/// time without a zone read in local time, the local offset of that minute
/// is kept too.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    zone: Zone,
    clf: Minute,
    /// A 26-byte CLF time's words without its seconds, and the instant and
    /// offset of its minute.
    clf26: Option<([u64; 3], i64, i32)>,
    iso: Minute,
    /// Civil minute → local offset, for times without a zone.
    local: Option<(i64, i32)>,
}

/// What an epoch number counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Epoch {
    Seconds,
    Millis,
    Micros,
    /// Told by its size: seconds below 10^11 (the year 5138), else
    /// milliseconds below 10^14, microseconds below 10^17, else
    /// nanoseconds. JSON loggers write any of them.
    Guess,
}

impl Clock {
    pub fn new(zone: Zone) -> Clock {
        Clock {
            zone,
            ..Clock::default()
        }
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// A CLF time without its brackets: `10/Oct/2000:13:55:36 -0700`, also
    /// with a fraction after the seconds and without a zone (HAProxy's
    /// `12/Mar/2024:08:00:00.123`, read in [`Zone`]).
    ///
    /// The usual 26 bytes are compared with the previous line's as three
    /// words, its seconds left out: the same minute at the same offset is
    /// the previous instant's minute plus these seconds.
    #[inline(always)]
    pub fn clf(&mut self, s: &[u8]) -> Option<Stamp> {
        if let Ok(b) = <&[u8; 26]>::try_from(s) {
            let key = clf_minute_key(b);
            if let Some((k, base, offset)) = self.clf26
                && k == key
            {
                let sec = clf_seconds(b).filter(|&n| n <= 60)?;
                return Some(Stamp {
                    unix: base + sec,
                    offset,
                });
            }
            let stamp = self.clf_general(s)?;
            // The seconds as written, not as the instant's clock reads
            // them: a leap second's `:60` is the next minute's `:00`.
            let sec = clf_seconds(b)?;
            self.clf26 = Some((key, stamp.unix - sec, stamp.offset));
            return Some(stamp);
        }
        self.clf_general(s)
    }

    #[inline(never)]
    fn clf_general(&mut self, s: &[u8]) -> Option<Stamp> {
        if s.len() < 20 || s[17] != b':' {
            return None;
        }
        let key = MinuteKey::of(s, 17);
        if self.clf.key != Some(key) {
            self.clf = Minute {
                key: Some(key),
                civil: clf_minute(s)?,
            };
        }
        let sec = d2(s[18], s[19]).filter(|&n| n <= 60)?;
        let zone = fraction_and_zone(&s[20..], b' ')?;
        Some(self.at(self.clf.civil + sec, zone))
    }

    /// An ISO 8601 / RFC 3339 time: `2024-03-12T08:00:00.123Z`,
    /// `2024-03-12 08:00:00+01:00`, seconds optional; without a zone read
    /// in [`Zone`].
    #[inline]
    pub fn iso(&mut self, s: &[u8]) -> Option<Stamp> {
        let (civil, zone) = self.iso_parts(s)?;
        Some(self.at(civil, zone))
    }

    /// [`Clock::iso`] for formats that write UTC without saying so (W3C).
    #[inline]
    pub fn iso_utc(&mut self, s: &[u8]) -> Option<Stamp> {
        let (civil, zone) = self.iso_parts(s)?;
        let offset = zone.unwrap_or(0);
        Some(Stamp {
            unix: civil - offset as i64,
            offset,
        })
    }

    fn iso_parts(&mut self, s: &[u8]) -> Option<(i64, Option<i32>)> {
        if s.len() < 17 {
            // `YYYY-MM-DDTHH:MM`, nothing after.
            return (s.len() == 16).then(|| iso_minute(s).map(|c| (c, None)))?;
        }
        let key = MinuteKey::of(s, 16);
        if self.iso.key != Some(key) {
            self.iso = Minute {
                key: Some(key),
                civil: iso_minute(s)?,
            };
        }
        let mut rest = &s[16..];
        let mut sec = 0;
        if let [b':', a, b, ..] = *rest {
            sec = d2(a, b).filter(|&n| n <= 60)?;
            rest = &rest[3..];
        }
        Some((self.iso.civil + sec, fraction_and_zone(rest, 0)?))
    }

    /// A number of seconds (or `unit`) since the epoch, with an optional
    /// fraction: Squid's `1710230400.200`, Caddy's `ts`, nginx `$msec`.
    pub fn epoch(&mut self, s: &[u8], unit: Epoch) -> Option<Stamp> {
        let (int, frac) = match memchr::memchr(b'.', s) {
            Some(p) => (&s[..p], &s[p + 1..]),
            None => (s, &b""[..]),
        };
        if !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = digits(int)?;
        let div = match unit {
            Epoch::Seconds => 1,
            Epoch::Millis => 1_000,
            Epoch::Micros => 1_000_000,
            Epoch::Guess => [1, 1_000, 1_000_000]
                .into_iter()
                .find(|&d| n < 100_000_000_000 * d)
                .unwrap_or(1_000_000_000),
        };
        Some(Stamp {
            unix: n / div,
            offset: 0,
        })
    }

    /// A time as `pattern` writes it (Apache `%{…}t`).
    pub fn pattern(&mut self, pattern: &Pattern, s: &[u8]) -> Option<Stamp> {
        let (civil, zone) = pattern.read(s)?;
        match civil {
            Read::Wall(c) => Some(self.at(c, zone)),
            Read::Unix(u) => Some(Stamp { unix: u, offset: 0 }),
        }
    }

    /// The instant of civil seconds `civil` at `zone`, or when it has none,
    /// at this reader's [`Zone`].
    #[inline(always)]
    fn at(&mut self, civil: i64, zone: Option<i32>) -> Stamp {
        let offset = match (zone, self.zone) {
            (Some(z), _) => z,
            (None, Zone::Fixed(z)) => z,
            (None, Zone::Local) => self.local_offset(civil),
        };
        Stamp {
            unix: civil - offset as i64,
            offset,
        }
    }

    /// The local offset at civil time `civil`, looked up once per minute.
    #[cold]
    fn local_offset(&mut self, civil: i64) -> i32 {
        let minute = civil - civil.rem_euclid(60);
        match self.local {
            Some((m, o)) if m == minute => o,
            _ => {
                let o = local_offset_at(minute);
                self.local = Some((minute, o));
                o
            }
        }
    }
}

/// The offset of this machine's time zone at a civil time, from the C
/// library's `mktime` (which reads `TZ` and the system's zone files). A
/// time that falls in a gap or a fold of a daylight-saving change gets one
/// of the offsets around it; 0 where the library cannot tell.
#[cfg(unix)]
pub fn local_offset_at(civil: i64) -> i32 {
    let c = Civil::at(civil, 0);
    // SAFETY: `tm` is plain data for which all zeros is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = (c.year - 1900) as libc::c_int;
    tm.tm_mon = c.month as libc::c_int - 1;
    tm.tm_mday = c.day as libc::c_int;
    tm.tm_hour = c.hour as libc::c_int;
    tm.tm_min = c.minute as libc::c_int;
    tm.tm_sec = c.second as libc::c_int;
    tm.tm_isdst = -1;
    // SAFETY: `mktime` reads and normalises the `tm` it is given, which
    // lives through the call; it is thread-safe in the C libraries Rust
    // supports on unix.
    let t = unsafe { libc::mktime(&mut tm) };
    if t == -1 {
        return 0;
    }
    i32::try_from(civil - t as i64)
        .ok()
        .filter(|o| o.abs() < 86_400)
        .unwrap_or(0)
}

#[cfg(not(unix))]
pub fn local_offset_at(_civil: i64) -> i32 {
    0
}

/// What a [`Pattern`] read: a wall-clock time, or `%s`, an instant.
enum Read {
    Wall(i64),
    Unix(i64),
}

/// One step of a [`Pattern`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Lit(u8),
    /// Any run of blanks (`%n`, `%t`).
    Blank,
    /// Digits of a field: at most `max` of them, at least `min`; a space
    /// may pad (`%e`).
    Num(Field, u8, u8),
    /// Month name, abbreviated or in full.
    MonthName,
    /// Weekday name, abbreviated or in full: read and ignored.
    DayName,
    /// `AM` / `PM`.
    Meridian,
    /// `%z`: `+hhmm`, `+hh:mm`, `Z`.
    Offset,
    /// `%Z`: a zone name; `UTC` and `GMT` are offset 0, others unknown.
    ZoneName,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Year,
    Year2,
    Month,
    Day,
    YearDay,
    Hour,
    Hour12,
    Minute,
    Second,
    Epoch,
}

/// A compiled strftime pattern (Apache `%{%d/%b/%Y:%H:%M:%S %z}t`): read
/// back into a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    steps: Vec<Step>,
}

impl Pattern {
    /// Compiles a strftime pattern; `None` for a conversion it cannot read
    /// back (`%U`, locale forms like `%c`) or one without a date and a time.
    pub fn compile(p: &str) -> Option<Pattern> {
        let steps = Pattern::steps(p)?;
        let has = |f: Field| {
            steps
                .iter()
                .any(|s| matches!(s, Step::Num(g, ..) if *g == f))
        };
        let dated = has(Field::Epoch)
            || ((has(Field::Year) || has(Field::Year2))
                && (has(Field::YearDay)
                    || (has(Field::Day)
                        && (has(Field::Month) || steps.contains(&Step::MonthName))))
                && (has(Field::Hour) || has(Field::Hour12)));
        dated.then_some(Pattern { steps })
    }

    fn steps(p: &str) -> Option<Vec<Step>> {
        let mut steps = Vec::new();
        let mut chars = p.bytes();
        while let Some(c) = chars.next() {
            if c != b'%' {
                steps.push(if c == b' ' { Step::Blank } else { Step::Lit(c) });
                continue;
            }
            let mut conv = chars.next()?;
            // GNU flags and the E/O modifiers change nothing that is read.
            while matches!(conv, b'-' | b'_' | b'0' | b'^' | b'#' | b'E' | b'O') {
                conv = chars.next()?;
            }
            let num = |f, max| Step::Num(f, 1, max);
            match conv {
                b'Y' => steps.push(Step::Num(Field::Year, 4, 4)),
                b'y' => steps.push(num(Field::Year2, 2)),
                b'm' => steps.push(num(Field::Month, 2)),
                b'd' | b'e' => steps.push(num(Field::Day, 2)),
                b'j' => steps.push(num(Field::YearDay, 3)),
                b'H' | b'k' => steps.push(num(Field::Hour, 2)),
                b'I' | b'l' => steps.push(num(Field::Hour12, 2)),
                b'M' => steps.push(num(Field::Minute, 2)),
                b'S' => steps.push(num(Field::Second, 2)),
                b's' => steps.push(Step::Num(Field::Epoch, 1, 18)),
                b'b' | b'h' | b'B' => steps.push(Step::MonthName),
                b'a' | b'A' => steps.push(Step::DayName),
                b'p' | b'P' => steps.push(Step::Meridian),
                b'z' => steps.push(Step::Offset),
                b'Z' => steps.push(Step::ZoneName),
                b'n' | b't' => steps.push(Step::Blank),
                b'%' => steps.push(Step::Lit(b'%')),
                b'T' => steps.extend(Pattern::steps("%H:%M:%S")?),
                b'R' => steps.extend(Pattern::steps("%H:%M")?),
                b'D' => steps.extend(Pattern::steps("%m/%d/%y")?),
                b'F' => steps.extend(Pattern::steps("%Y-%m-%d")?),
                b'r' => steps.extend(Pattern::steps("%I:%M:%S %p")?),
                _ => return None,
            }
        }
        Some(steps)
    }

    /// Reads `s` whole; `None` when it does not match.
    fn read(&self, s: &[u8]) -> Option<(Read, Option<i32>)> {
        let (mut y, mut mo, mut d, mut yd) = (1970i64, 1u32, 1u32, None);
        let (mut h, mut mi, mut sec, mut pm, mut h12) = (0i64, 0i64, 0i64, None, false);
        let mut zone_at = None;
        let mut epoch = None;
        let mut p = 0;
        for step in &self.steps {
            match *step {
                Step::Lit(c) => {
                    (s.get(p) == Some(&c)).then_some(())?;
                    p += 1;
                }
                Step::Blank => {
                    while s.get(p).is_some_and(|b| *b == b' ' || *b == b'\t') {
                        p += 1;
                    }
                }
                Step::Num(f, min, max) => {
                    if f == Field::Day || f == Field::Hour {
                        // `%e` and `%k` pad with a space.
                        if s.get(p) == Some(&b' ') {
                            p += 1;
                        }
                    }
                    let n = s[p.min(s.len())..]
                        .iter()
                        .take(max as usize)
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    if n < min as usize {
                        return None;
                    }
                    let v = digits(&s[p..p + n])?;
                    p += n;
                    match f {
                        Field::Year => y = v,
                        Field::Year2 => y = if v < 69 { 2000 + v } else { 1900 + v },
                        Field::Month => mo = v as u32,
                        Field::Day => d = v as u32,
                        Field::YearDay => yd = Some(v),
                        Field::Hour => h = v,
                        Field::Hour12 => {
                            h = v;
                            h12 = true;
                        }
                        Field::Minute => mi = v,
                        Field::Second => sec = v,
                        Field::Epoch => epoch = Some(v),
                    }
                }
                Step::MonthName => {
                    mo = month3(s.get(p..p + 3)?)?;
                    p += 3;
                    while s.get(p).is_some_and(u8::is_ascii_alphabetic) {
                        p += 1;
                    }
                }
                Step::DayName => {
                    let n = s[p.min(s.len())..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphabetic())
                        .count();
                    if n < 3 {
                        return None;
                    }
                    p += n;
                }
                Step::Meridian => {
                    let w = s.get(p..p + 2)?;
                    pm = Some(match [w[0] | 0x20, w[1] | 0x20] {
                        [b'a', b'm'] => false,
                        [b'p', b'm'] => true,
                        _ => return None,
                    });
                    p += 2;
                }
                Step::Offset => {
                    let n = s[p.min(s.len())..]
                        .iter()
                        .take(6)
                        .take_while(|b| matches!(b, b'+' | b'-' | b':' | b'Z' | b'0'..=b'9'))
                        .count();
                    zone_at = Some(zone(&s[p..p + n])?);
                    p += n;
                }
                Step::ZoneName => {
                    let n = s[p.min(s.len())..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphabetic())
                        .count();
                    if matches!(&s[p..p + n], b"UTC" | b"GMT" | b"Z") {
                        zone_at = Some(0);
                    }
                    p += n;
                }
            }
        }
        if p != s.len() {
            return None;
        }
        if let Some(e) = epoch {
            return Some((Read::Unix(e), Some(0)));
        }
        if h12 {
            if !(1..=12).contains(&h) {
                return None;
            }
            h = h % 12 + if pm == Some(true) { 12 } else { 0 };
        }
        let civil = match yd {
            Some(yd) if (1..=365 + leap(y) as i64).contains(&yd) => {
                let base = civil(y, 1, 1, h, mi, sec)?;
                base + (yd - 1) * DAY
            }
            Some(_) => return None,
            None => civil(y, mo, d, h, mi, sec)?,
        };
        Some((Read::Wall(civil), zone_at))
    }
}

/// A value a user typed that could not be read: the value, where (in
/// characters from its start) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError {
    pub source: String,
    pub column: usize,
    pub message: String,
}

impl ArgError {
    fn at(source: &str, column: usize, message: impl Into<String>) -> ArgError {
        ArgError {
            source: source.to_string(),
            column,
            message: message.into(),
        }
    }

    /// The value, indented and escaped as any echoed argument, and a caret
    /// under the fault (moved by what escaping lengthened before it);
    /// newline-terminated.
    pub fn pointer(&self) -> String {
        let before: String = self.source.chars().take(self.column).collect();
        let column = unicode_width::UnicodeWidthStr::width(escape::escape_str(&before).as_str());
        format!(
            "  {}\n  {}^\n",
            escape::escape_str(&self.source),
            " ".repeat(column)
        )
    }
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArgError {}

/// Longest duration accepted: a step or window of `u32` seconds (136 years).
const MAX_SECONDS: u64 = u32::MAX as u64;

/// A duration as `--last` and `--by` take it: whole seconds, or numbers with
/// units `s`, `m` (or `min`), `h`, `d`, `w`, which add up (`1h30m`).
pub fn parse_duration(s: &str) -> Result<u32, ArgError> {
    duration_at(s, s, 0)
}

/// [`parse_duration`] of `s`, which is found at char `col` of `source`.
fn duration_at(source: &str, s: &str, col: usize) -> Result<u32, ArgError> {
    const HINT: &str = "give seconds, or a number with s, m, h, d or w (e.g. 15m, 1h30m)";
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(ArgError::at(source, col, format!("empty duration: {HINT}")));
    }
    let mut total: u64 = 0;
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(ArgError::at(
                source,
                col + start,
                format!("expected a number: {HINT}"),
            ));
        }
        let n: u64 = s[start..i].parse().unwrap_or(u64::MAX);
        let ustart = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = match &s[ustart..i] {
            "" if i == b.len() && start == 0 => 1,
            "s" | "sec" | "secs" => 1,
            "m" | "min" | "mins" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            _ => {
                return Err(ArgError::at(
                    source,
                    col + ustart,
                    format!("unknown unit: {HINT}"),
                ));
            }
        };
        total = total.saturating_add(n.saturating_mul(unit));
        if total > MAX_SECONDS {
            return Err(ArgError::at(
                source,
                col + start,
                "too long: at most 4294967295 seconds (136 years)",
            ));
        }
    }
    if total == 0 {
        return Err(ArgError::at(
            source,
            col,
            "a duration must be at least one second",
        ));
    }
    Ok(total as u32)
}

/// A zone as `--tz` takes it: `UTC` (or `Z`, `GMT`), or a fixed offset
/// `+02:00`, `-0700`, `+2`. Seconds east of UTC.
pub fn parse_tz(s: &str) -> Result<i32, ArgError> {
    let t = s.trim();
    let b = t.as_bytes();
    let named = ["UTC", "Z", "GMT"]
        .iter()
        .any(|n| t.eq_ignore_ascii_case(n));
    if named {
        return Ok(0);
    }
    let hint = "give UTC or a fixed offset such as +02:00 or -0700 (zone names like Europe/Paris are not supported)";
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(ArgError::at(s, 0, hint)),
    };
    let body = &t[1..];
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None if body.len() == 4 => body.split_at(2),
        None => (body, "0"),
    };
    let ok = |x: &str, max: u32| {
        (!x.is_empty() && x.len() <= 2 && x.bytes().all(|c| c.is_ascii_digit()))
            .then(|| x.parse::<u32>().ok())
            .flatten()
            .filter(|&n| n <= max)
    };
    match (ok(h, 23), ok(m, 59)) {
        (Some(h), Some(m)) => Ok(sign * (h * 3600 + m * 60) as i32),
        (None, _) => Err(ArgError::at(s, 1, format!("bad hours: {hint}"))),
        (_, None) => Err(ArgError::at(s, 1 + h.len(), format!("bad minutes: {hint}"))),
    }
}

/// A point in time as `--since` and `--until` take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// An instant (a zone was given, or the time is relative to now).
    Instant(i64),
    /// A wall-clock time without a zone, in civil seconds: read on the
    /// clock of `--tz`, else of the log it filters ([`When::resolve`]).
    Civil(i64),
}

impl When {
    /// The instant, reading a time without a zone at `offset`.
    pub fn resolve(self, offset: i32) -> i64 {
        match self {
            When::Instant(t) => t,
            When::Civil(c) => c - offset as i64,
        }
    }
}

/// Reads a `--since` / `--until` value: RFC 3339 (`2024-03-12T08:00:00Z`),
/// `YYYY-MM-DD[ HH:MM[:SS]]` with an optional zone, the CLF form
/// (`12/Mar/2024:08:00:00 +0100`, brackets optional), `@` and Unix
/// seconds, `now`, or a time before `now`: `-15m`, `2h ago`.
pub fn parse_when(s: &str, now: i64) -> Result<When, ArgError> {
    let t = s.trim_end();
    let lead = t.len() - t.trim_start().len();
    let t = t.trim_start();
    let col = s[..lead].chars().count();
    let expected = "expected a time: 2024-03-12T08:00:00Z, 2024-03-12 08:00, 12/Mar/2024:08:00:00 +0100, @1710230400, or one relative to now: -15m, 2h ago";
    if t.eq_ignore_ascii_case("now") {
        return Ok(When::Instant(now));
    }
    if let Some(d) = t.strip_prefix('-') {
        return Ok(When::Instant(now - duration_at(s, d, col + 1)? as i64));
    }
    if let Some(d) = t.strip_suffix("ago") {
        return Ok(When::Instant(
            now - duration_at(s, d.trim_end(), col)? as i64,
        ));
    }
    if let Some(e) = t.strip_prefix('@') {
        return match e.parse::<i64>() {
            Ok(n) if e.bytes().all(|c| c.is_ascii_digit()) => Ok(When::Instant(n)),
            _ => Err(ArgError::at(s, col + 1, "expected Unix seconds after @")),
        };
    }
    let b = t.as_bytes();
    let bad = |at: usize, what: &str| ArgError::at(s, col + t[..at].chars().count(), what);
    if b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) && b.get(4) == Some(&b'-') {
        return user_iso(b).map_err(|(at, what)| bad(at, what));
    }
    if b.len() >= 3 && b[0].is_ascii_digit() || b.first() == Some(&b'[') {
        return user_clf(b).map_err(|(at, what)| bad(at, what));
    }
    Err(ArgError::at(s, col, expected))
}

/// Reads the digits at `b[*p..]` (exactly `n` of them), advancing `*p`.
fn take_num(
    b: &[u8],
    p: &mut usize,
    n: usize,
    what: &'static str,
) -> Result<i64, (usize, &'static str)> {
    let ds = b
        .get(*p..*p + n)
        .filter(|d| d.iter().all(u8::is_ascii_digit));
    let v = ds.and_then(digits).ok_or((*p, what))?;
    *p += n;
    Ok(v)
}

/// Expects `c` at `b[*p]`, advancing `*p`.
fn take_lit(
    b: &[u8],
    p: &mut usize,
    c: u8,
    what: &'static str,
) -> Result<(), (usize, &'static str)> {
    if b.get(*p) != Some(&c) {
        return Err((*p, what));
    }
    *p += 1;
    Ok(())
}

/// The zone and end of a user time from `b[p..]`: nothing (`Civil`), or a
/// zone after an optional space.
fn user_end(b: &[u8], p: usize, civil: i64) -> Result<When, (usize, &'static str)> {
    let mut p = p;
    if let Some(b'.' | b',') = b.get(p) {
        p += 1;
        let d = b[p..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 {
            return Err((p, "expected digits of a fraction"));
        }
        p += d;
    }
    if p == b.len() {
        return Ok(When::Civil(civil));
    }
    let z = if b[p] == b' ' { p + 1 } else { p };
    match zone(&b[z..]) {
        Some(o) => Ok(When::Instant(civil - o as i64)),
        None => Err((z, "expected a zone: Z, +01:00 or -0700")),
    }
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][zone]`.
fn user_iso(b: &[u8]) -> Result<When, (usize, &'static str)> {
    let mut p = 0;
    let y = take_num(b, &mut p, 4, "expected a year")?;
    take_lit(b, &mut p, b'-', "expected '-'")?;
    let mo = take_num(b, &mut p, 2, "expected a two-digit month")?;
    take_lit(b, &mut p, b'-', "expected '-'")?;
    let d = take_num(b, &mut p, 2, "expected a two-digit day")?;
    if civil(y, mo as u32, d as u32, 0, 0, 0).is_none() {
        return Err((5, "no such date"));
    }
    if p == b.len() {
        return Ok(When::Civil(days_from_civil(y, mo as u32, d as u32) * DAY));
    }
    if !matches!(b[p], b'T' | b't' | b' ') {
        return Err((p, "expected 'T' or a space before the time"));
    }
    p += 1;
    let tpos = p;
    let h = take_num(b, &mut p, 2, "expected two-digit hours")?;
    take_lit(b, &mut p, b':', "expected ':'")?;
    let mi = take_num(b, &mut p, 2, "expected two-digit minutes")?;
    let mut sec = 0;
    if b.get(p) == Some(&b':') {
        p += 1;
        sec = take_num(b, &mut p, 2, "expected two-digit seconds")?;
    }
    let c = civil(y, mo as u32, d as u32, h, mi, sec).ok_or((tpos, "no such time"))?;
    user_end(b, p, c)
}

/// `[dd/Mon/yyyy:HH:MM:SS zone]`, brackets and zone optional.
fn user_clf(b: &[u8]) -> Result<When, (usize, &'static str)> {
    let (b, open) = match b.strip_prefix(b"[") {
        Some(inner) => (
            inner.strip_suffix(b"]").ok_or((b.len(), "expected ']'"))?,
            1,
        ),
        None => (b, 0),
    };
    let err = |(p, w): (usize, &'static str)| (p + open, w);
    let mut p = 0;
    let d = take_num(b, &mut p, 2, "expected a two-digit day").map_err(err)?;
    take_lit(b, &mut p, b'/', "expected '/'").map_err(err)?;
    let mo = b
        .get(p..p + 3)
        .and_then(month3)
        .ok_or((p + open, "expected a month name (Jan, Feb, …)"))?;
    p += 3;
    take_lit(b, &mut p, b'/', "expected '/'").map_err(err)?;
    let y = take_num(b, &mut p, 4, "expected a year").map_err(err)?;
    take_lit(b, &mut p, b':', "expected ':'").map_err(err)?;
    let tpos = p;
    let h = take_num(b, &mut p, 2, "expected two-digit hours").map_err(err)?;
    take_lit(b, &mut p, b':', "expected ':'").map_err(err)?;
    let mi = take_num(b, &mut p, 2, "expected two-digit minutes").map_err(err)?;
    take_lit(b, &mut p, b':', "expected ':'").map_err(err)?;
    let sec = take_num(b, &mut p, 2, "expected two-digit seconds").map_err(err)?;
    let c = civil(y, mo, d as u32, h, mi, sec).ok_or((tpos + open, "no such date or time"))?;
    user_end(b, p, c).map_err(err)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn civil_dates_round_known_instants() {
        let c = Civil::at(0, 0);
        assert_eq!(
            (c.date(), c.hms()),
            ("1970-01-01".into(), "00:00:00".into())
        );
        // 2025-03-14T08:05:07Z, shown two hours east.
        let c = Civil::at(1_741_939_507, 7_200);
        assert_eq!(
            (c.date(), c.hms()),
            ("2025-03-14".into(), "10:05:07".into())
        );
        // A leap day, and the day before the epoch.
        assert_eq!(Civil::at(951_782_400, 0).date(), "2000-02-29");
        assert_eq!(Civil::at(-1, 0).hms(), "23:59:59");
        assert_eq!(Civil::at(-1, 0).date(), "1969-12-31");
        // An offset that crosses midnight backwards.
        assert_eq!(Civil::at(1_741_910_400, -18_000).date(), "2025-03-13");
        // Any instant a log could claim gives some date, never a panic.
        for unix in [i64::MIN, i64::MAX] {
            for offset in [i32::MIN, 0, i32::MAX] {
                let c = Civil::at(unix, offset);
                assert!((1..=12).contains(&c.month) && (1..=31).contains(&c.day));
            }
        }
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut prev = Civil::at(-86_400 * 146_097, 0);
        for d in -146_096..146_097i64 {
            let c = Civil::at(d * 86_400 + 43_200, 0);
            let next_day = (prev.year, prev.month, prev.day + 1) == (c.year, c.month, c.day);
            let next_month = c.day == 1
                && ((prev.year, prev.month + 1) == (c.year, c.month)
                    || (prev.month == 12 && c.month == 1 && prev.year + 1 == c.year));
            assert!(next_day || next_month, "{prev:?} → {c:?}");
            prev = c;
        }
    }

    #[test]
    fn stamps_offsets_and_durations() {
        let s = Stamp {
            unix: 1_741_939_500,
            offset: -16_200,
        };
        assert_eq!(s.to_rfc3339(), "2025-03-14T03:35:00-04:30");
        assert_eq!(format_stamp(s, 0), "2025-03-14T08:05:00+00:00");
        assert_eq!(format_offset(3_600 + 17), "+01:00:17");
        assert_eq!(zone_label(0), "UTC");
        assert_eq!(zone_label(19_800), "UTC+05:30");
        let d: Vec<String> = [0, 45, 60, 90, 300, 5_400, 3_600, 86_400, 172_800]
            .into_iter()
            .map(format_duration)
            .collect();
        assert_eq!(d, ["0s", "45s", "1m", "90s", "5m", "90m", "1h", "1d", "2d"]);
    }
}

#[cfg(test)]
mod tests;
