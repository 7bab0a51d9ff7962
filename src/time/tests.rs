use super::*;
use proptest::prelude::*;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `unix` as a CLF time at `offset`, without brackets.
fn clf_text(unix: i64, offset: i32) -> String {
    let c = Civil::at(unix, offset);
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!(
        "{:02}/{}/{:04}:{} {sign}{:02}{:02}",
        c.day,
        MONTHS[c.month as usize - 1],
        c.year,
        c.hms(),
        a / 3600,
        a / 60 % 60
    )
}

/// `unix` in RFC 3339 at `offset`.
fn rfc3339(unix: i64, offset: i32) -> String {
    format_stamp(Stamp { unix, offset }, offset)
}

#[test]
fn civil_days_known_values() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(days_from_civil(1969, 12, 31), -1);
    assert_eq!(days_from_civil(0, 3, 1), -719_468);
}

proptest! {
    #[test]
    fn civil_days_round_trip(z in -1_000_000i64..1_000_000) {
        let c = Civil::at(z * DAY, 0);
        prop_assert_eq!(days_from_civil(c.year, c.month as u32, c.day as u32), z);
        prop_assert!(c.day as u32 <= days_in_month(c.year, c.month as u32));
    }

    /// Any instant written as CLF at any offset reads back, also through
    /// the minute cache: consecutive times share a minute, or not.
    #[test]
    fn clf_reads_back(start in 0i64..4_000_000_000, steps in prop::collection::vec((0i64..130, -1i64..2), 1..30), off in -50_400i32..50_400) {
        let off = off - off % 60;
        let mut clock = Clock::new(Zone::Fixed(0));
        let mut t = start;
        for (dt, sign) in steps {
            t += dt * sign;
            let s = clf_text(t, off);
            prop_assert_eq!(clock.clf(s.as_bytes()), Some(Stamp { unix: t, offset: off }), "{}", s);
            let iso = rfc3339(t, off);
            prop_assert_eq!(clock.iso(iso.as_bytes()), Some(Stamp { unix: t, offset: off }), "{}", iso);
        }
    }

    /// No reader panics on any bytes.
    #[test]
    fn readers_never_panic(b in prop::collection::vec(prop::sample::select(b"0123456789/:-+. TZJanOct[]".to_vec()), 0..40)) {
        let mut clock = Clock::new(Zone::Fixed(3600));
        let _ = clock.clf(&b);
        let _ = clock.iso(&b);
        let _ = clock.iso_utc(&b);
        let _ = clock.epoch(&b, Epoch::Guess);
        let p = Pattern::compile("%d/%b/%Y:%H:%M:%S %z").unwrap();
        let _ = clock.pattern(&p, &b);
        if let Ok(s) = std::str::from_utf8(&b) {
            let _ = parse_when(s, 0);
            let _ = parse_duration(s);
            let _ = parse_tz(s);
        }
    }
}

#[test]
fn clf_times() {
    let mut c = Clock::new(Zone::Fixed(0));
    let apache = Stamp {
        unix: 971_211_336,
        offset: -7 * 3600,
    };
    assert_eq!(c.clf(b"10/Oct/2000:13:55:36 -0700"), Some(apache));
    assert_eq!(
        c.clf(b"10/Oct/2000:13:55:37 -0700").map(|s| s.unix),
        Some(971_211_337)
    );
    // The same minute at another offset is another instant.
    assert_eq!(
        c.clf(b"10/Oct/2000:13:55:36 +0000").map(|s| s.unix),
        Some(971_186_136)
    );
    // A line whose minute does not read leaves the cache as it was.
    assert_eq!(c.clf(b"10/Oct/2000:13:55:xx -0700"), None);
    assert_eq!(c.clf(b"99/Oct/2000:13:55:36 -0700"), None);
    assert_eq!(c.clf(b"10/Oct/2000:13:55:36 -0700"), Some(apache));
    for bad in [
        &b"10/Oct/2000:13:55:36 -07000"[..],
        b"10/Oct/2000:13:55:36-0700",
        b"10/Oct/2000:13:55:36 -0700 ",
        b"10/Oct/2000:13:55:61 -0700",
        b"10/Xyz/2000:13:55:36 -0700",
        b"30/Feb/2000:13:55:36 -0700",
        b"10/Oct/2000:24:00:00 -0700",
        b"10/Oct/2000",
        b"",
    ] {
        assert_eq!(c.clf(bad), None, "{}", String::from_utf8_lossy(bad));
    }
    // A leap second first in its minute: the minute's later lines are
    // still read in that minute, not in the next.
    let mut c = Clock::new(Zone::Fixed(0));
    let midnight = 1_483_228_800; // 2017-01-01T00:00:00Z
    assert_eq!(
        c.clf(b"31/Dec/2016:23:59:60 +0000").map(|s| s.unix),
        Some(midnight)
    );
    assert_eq!(
        c.clf(b"31/Dec/2016:23:59:30 +0000").map(|s| s.unix),
        Some(midnight - 30)
    );
    // HAProxy: milliseconds, no zone: read at the clock's zone.
    let mut c = Clock::new(Zone::Fixed(3600));
    assert_eq!(
        c.clf(b"12/Mar/2024:08:00:00.123"),
        Some(Stamp {
            unix: 1_710_226_800,
            offset: 3600
        })
    );
}

#[test]
fn iso_times() {
    let mut c = Clock::new(Zone::Fixed(-3600));
    let t = 1_710_230_400; // 2024-03-12T08:00:00Z
    for (s, unix, offset) in [
        ("2024-03-12T08:00:00Z", t, 0),
        ("2024-03-12T08:00:00.123456Z", t, 0),
        ("2024-03-12T09:00:00+01:00", t, 3600),
        ("2024-03-12T09:00:00+0100", t, 3600),
        ("2024-03-12T09:00:00+01", t, 3600),
        ("2024-03-12 08:00:00 +00:00", t, 0),
        ("2024-03-12t08:00:00z", t, 0),
        ("2024-03-12T08:00Z", t, 0),
        // No zone: the clock's.
        ("2024-03-12T07:00:00", t, -3600),
        ("2024-03-12T07:00", t, -3600),
    ] {
        assert_eq!(c.iso(s.as_bytes()), Some(Stamp { unix, offset }), "{s}");
    }
    assert_eq!(c.iso_utc(b"2024-03-12T08:00:00").map(|s| s.unix), Some(t));
    for bad in [
        "2024-03-12",
        "2024-03-12T08",
        "2024-13-12T08:00:00Z",
        "2024-03-12T08:00:00Q",
        "2024-03-12T08:00:00.Z",
        "2024-03-12X08:00:00Z",
    ] {
        assert_eq!(c.iso(bad.as_bytes()), None, "{bad}");
    }
}

#[test]
fn epochs() {
    let mut c = Clock::default();
    let t = Some(Stamp {
        unix: 1_710_230_400,
        offset: 0,
    });
    assert_eq!(c.epoch(b"1710230400.200", Epoch::Guess), t);
    assert_eq!(c.epoch(b"1710230400", Epoch::Seconds), t);
    assert_eq!(c.epoch(b"1710230400999", Epoch::Guess), t);
    assert_eq!(c.epoch(b"1710230400999", Epoch::Millis), t);
    assert_eq!(c.epoch(b"1710230400999999", Epoch::Guess), t);
    assert_eq!(c.epoch(b"1710230400999999", Epoch::Micros), t);
    for bad in ["", ".5", "1.2.3", "-1", "1e9", "12a"] {
        assert_eq!(c.epoch(bad.as_bytes(), Epoch::Guess), None, "{bad}");
    }
}

#[test]
fn strftime_patterns() {
    let mut c = Clock::new(Zone::Fixed(7200));
    let t = 1_710_230_400;
    for (p, s, unix, offset) in [
        (
            "%d/%b/%Y:%H:%M:%S %z",
            "12/Mar/2024:09:00:00 +0100",
            t,
            3600,
        ),
        ("%Y-%m-%dT%H:%M:%S", "2024-03-12T10:00:00", t, 7200),
        ("%F %T %Z", "2024-03-12 08:00:00 UTC", t, 0),
        (
            "%a, %d %B %Y %I:%M:%S %p %z",
            "Tue, 12 March 2024 08:00:00 AM +0000",
            t,
            0,
        ),
        ("%D %r", "03/12/24 10:00:00 AM", t, 7200),
        ("%Y %j %H:%M", "2024 072 10:00", t, 7200),
        (
            "%e.%m.%Y %k:%M",
            " 9.03.2024  8:00",
            t - 3 * DAY - 7200,
            7200,
        ),
        ("%s", "1710230400", t, 0),
        ("[%d/%b/%Y %T]", "[12/Mar/2024 10:00:00]", t, 7200),
    ] {
        let pat = Pattern::compile(p).unwrap_or_else(|| panic!("{p}"));
        assert_eq!(
            c.pattern(&pat, s.as_bytes()),
            Some(Stamp { unix, offset }),
            "{p} on {s}"
        );
    }
    // Without a full date and time, or with a conversion that cannot be
    // read back, there is no pattern.
    for p in ["%H:%M:%S", "%Y-%m-%d", "%c", "%U %Y", "%"] {
        assert_eq!(Pattern::compile(p), None, "{p}");
    }
    let pat = Pattern::compile("%d/%b/%Y:%H:%M:%S").unwrap();
    for bad in [
        "12/Mar/2024:10:00:00 ",
        "12/Mar/2024:10:00",
        "31/Feb/2024:10:00:00",
    ] {
        assert_eq!(c.pattern(&pat, bad.as_bytes()), None, "{bad}");
    }
}

#[test]
fn durations() {
    for (s, n) in [
        ("90", 90),
        ("90s", 90),
        ("1m", 60),
        ("15min", 900),
        ("1h30m", 5400),
        ("1d", 86_400),
        ("2w", 1_209_600),
        ("4294967295", u32::MAX),
    ] {
        assert_eq!(parse_duration(s), Ok(n), "{s}");
    }
    for (s, col) in [
        ("", 0),
        ("0", 0),
        ("0m", 0),
        ("15x", 2),
        ("m", 0),
        ("1h-5m", 2),
        ("1.5h", 1),
        ("10 m", 2),
        ("4294967296", 0),
        ("1h 30", 2),
    ] {
        let e = parse_duration(s).unwrap_err();
        assert_eq!(e.column, col, "{s}: {e}");
    }
}

#[test]
fn zones() {
    for (s, o) in [
        ("UTC", 0),
        ("utc", 0),
        ("Z", 0),
        ("+02:00", 7200),
        ("-0700", -25_200),
        ("+2", 7200),
        ("-03", -10_800),
        ("+05:45", 20_700),
    ] {
        assert_eq!(parse_tz(s), Ok(o), "{s}");
    }
    for s in [
        "Europe/Paris",
        "local",
        "+24:00",
        "+01:60",
        "02:00",
        "",
        "+",
        "+1:2:3",
    ] {
        assert!(parse_tz(s).is_err(), "{s}");
    }
}

#[test]
fn since_and_until_values() {
    let now = 1_710_230_400;
    for (s, want) in [
        ("now", When::Instant(now)),
        ("-15m", When::Instant(now - 900)),
        ("2h ago", When::Instant(now - 7200)),
        ("1h30m ago", When::Instant(now - 5400)),
        ("@1700000000", When::Instant(1_700_000_000)),
        ("2024-03-12T08:00:00Z", When::Instant(now)),
        ("2024-03-12T09:00:00+01:00", When::Instant(now)),
        ("2024-03-12 09:00:00 +0100", When::Instant(now)),
        ("2024-03-12T08:00:00.5Z", When::Instant(now)),
        ("2024-03-12 08:00", When::Civil(now)),
        ("2024-03-12 08:00:00", When::Civil(now)),
        ("2024-03-12", When::Civil(now - 8 * 3600)),
        ("12/Mar/2024:09:00:00 +0100", When::Instant(now)),
        ("[12/Mar/2024:09:00:00 +0100]", When::Instant(now)),
        ("12/Mar/2024:08:00:00", When::Civil(now)),
        ("  2024-03-12 08:00  ", When::Civil(now)),
    ] {
        assert_eq!(parse_when(s, now), Ok(want), "{s}");
    }
    assert_eq!(When::Civil(now).resolve(3600), now - 3600);
    assert_eq!(When::Instant(now).resolve(3600), now);
}

#[test]
fn bad_times_point_at_the_fault() {
    for (s, col) in [
        ("2024-03-12T25:00", 11),
        ("2024-02-30", 5),
        ("2024-03-12X08:00", 10),
        ("2024-03-12 08:00 +25:00", 17),
        ("2024-3-12", 5),
        ("12/Mxr/2024:08:00:00", 3),
        ("[12/Mar/2024:08:00:00", 21),
        ("12/Mar/2024:08:00", 17),
        ("-15q", 3),
        ("5 parsecs ago", 1),
        ("yesterday", 0),
        ("@12x", 1),
        ("  junk", 2),
    ] {
        let e = parse_when(s, 0).unwrap_err();
        assert_eq!(e.column, col, "{s}: {e}");
    }
    let e = parse_when("2024-03-12T25:00", 0).unwrap_err();
    assert_eq!(e.pointer(), "  2024-03-12T25:00\n             ^\n");
}
