//! Times as verdicts and reports show them: on the clock of the zone the
//! series is aligned to, so a window reads as the log's own times do.

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The proleptic Gregorian `(year, month, day)` of a day counted from
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` and the seconds into that day, on the clock of `offset`.
fn split(unix: i64, offset: i32) -> (String, i64) {
    let local = unix + offset as i64;
    let (y, m, d) = civil(local.div_euclid(DAY));
    (format!("{y:04}-{m:02}-{d:02}"), local.rem_euclid(DAY))
}

/// `+05:30`, `-07:00`, `+00:00`.
fn zone(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// RFC 3339 on the clock of `offset`: `2000-10-10T13:55:00-07:00`.
pub fn rfc3339(unix: i64, offset: i32) -> String {
    let (date, s) = split(unix, offset);
    format!(
        "{date}T{:02}:{:02}:{:02}{}",
        s / 3600,
        s % 3600 / 60,
        s % 60,
        zone(offset)
    )
}

/// How the instants of one verdict are shown: `10:05`, with seconds when one
/// of them is not on a whole minute, with the date when they are not all on
/// one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    offset: i32,
    date: bool,
    seconds: bool,
}

impl Clock {
    /// A clock for showing `starts` (instants, or where intervals start)
    /// and `ends` (where intervals end: one at midnight closes the day
    /// before) on the clock of `offset`.
    pub fn new(
        offset: i32,
        starts: impl IntoIterator<Item = i64>,
        ends: impl IntoIterator<Item = i64>,
    ) -> Clock {
        let mut c = Clock {
            offset,
            date: false,
            seconds: false,
        };
        let mut day = None;
        let mut see = |local: i64, d: i64| {
            c.seconds |= local.rem_euclid(60) != 0;
            c.date |= day.is_some_and(|x| x != d);
            day = Some(d);
        };
        for t in starts {
            let local = t + offset as i64;
            see(local, local.div_euclid(DAY));
        }
        for t in ends {
            let local = t + offset as i64;
            see(local, (local - 1).div_euclid(DAY));
        }
        c
    }

    pub fn show(&self, t: i64) -> String {
        let (date, s) = split(t, self.offset);
        let mut out = String::new();
        if self.date {
            out.push_str(&date);
            out.push(' ');
        }
        out.push_str(&format!("{:02}:{:02}", s / 3600, s % 3600 / 60));
        if self.seconds {
            out.push_str(&format!(":{:02}", s % 60));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_on_the_logs_clock() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00+00:00");
        // 10/Oct/2000:13:55:36 -0700
        assert_eq!(rfc3339(971_211_336, -25_200), "2000-10-10T13:55:36-07:00");
        assert_eq!(rfc3339(971_211_336, 19_800), "2000-10-11T02:25:36+05:30");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00+00:00");
        assert_eq!(rfc3339(-1, 0), "1969-12-31T23:59:59+00:00");
    }

    #[test]
    fn clock_adds_seconds_and_dates_only_when_needed() {
        let t = 971_211_300; // 2000-10-10 20:55:00 UTC
        assert_eq!(Clock::new(0, [t], [t + 300]).show(t), "20:55");
        assert_eq!(Clock::new(0, [t], [t + 30]).show(t), "20:55:00");
        let c = Clock::new(0, [t, t + 4 * 3600], []);
        assert_eq!(c.show(t + 4 * 3600), "2000-10-11 00:55");
        // A window ending at midnight closes the day it started in; one
        // starting at midnight opens the next.
        let midnight = 971_222_400;
        let c = Clock::new(0, [midnight - 300], [midnight]);
        assert_eq!(c.show(midnight), "00:00");
        assert!(Clock::new(0, [midnight - 300, midnight], []).date);
        assert_eq!(Clock::new(-25_200, [t], []).show(t), "13:55");
        assert_eq!(Clock::new(0, [], []).show(t), "20:55");
    }
}
