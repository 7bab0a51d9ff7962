//! Time as access logs write it: instants with the zone offset they were
//! written in.
//!
//! An instant is kept as Unix seconds plus the offset of the line it came
//! from, so that filters and intervals work on one absolute clock (a DST
//! change mid-file is a change of offset, not a jump in time) while reports
//! can still show a time the way the log wrote it.

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
