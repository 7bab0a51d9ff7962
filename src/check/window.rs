//! Judging a series window by window: sliding windows for `over` checks and
//! the minute-by-minute burn-rate replay.
//!
//! Neither walks every window. A window's counts change only where an
//! interval enters or leaves it, so both sweep those edges and judge each
//! *run* of windows with the same counts once: the cost follows the number of
//! intervals that hold lines, not the time the input spans, and a line dated
//! 1970 among lines of today costs nothing more than any other. The tests
//! check both against brute force, window by window.

use std::cmp::Ordering;

/// One interval of a series as a check sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    /// Start, Unix seconds, a whole number of steps from the first point's.
    pub start: i64,
    /// What the check selects, and what a rate of it is over.
    pub num: u64,
    pub den: u64,
}

/// A window's `(selected, denominator)`.
pub type Pair = (u64, u64);

/// `a.0 / a.1` against `b.0 / b.1`, exactly; both denominators above zero.
pub fn cmp_rates(a: Pair, b: Pair) -> Ordering {
    (a.0 as u128 * b.1 as u128).cmp(&(b.0 as u128 * a.1 as u128))
}

/// `a * b` as a 256-bit number `(high, low)`, so that products of two `u128`
/// compare exactly.
pub fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & LOW);
    let (b1, b0) = (b >> 64, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // Each term is below 2^64, so three of them cannot overflow.
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// Where one interval counts: indices `[enter, leave)` of lane `lane`.
struct Span {
    enter: u64,
    leave: u64,
    lane: usize,
    pair: Pair,
}

/// Calls `f(from, to, sums)` for each run `[from, to)` of indices in
/// `[0, n)` over which every lane's sums stay the same, in order, covering
/// `[0, n)` without gaps.
fn runs<const L: usize>(spans: &[Span], n: u64, mut f: impl FnMut(u64, u64, &[Pair; L])) {
    // (index, adds, lane, pair); every edge at an index applies before the
    // run that starts there, so their order among themselves is free.
    let mut edges: Vec<(u64, bool, usize, Pair)> = Vec::with_capacity(spans.len() * 2);
    for s in spans.iter().filter(|s| s.enter < s.leave && s.enter < n) {
        edges.push((s.enter, true, s.lane, s.pair));
        edges.push((s.leave.min(n), false, s.lane, s.pair));
    }
    edges.sort_unstable_by_key(|e| e.0);
    let mut sums = [(0u64, 0u64); L];
    let (mut from, mut i) = (0, 0);
    while from < n {
        while let Some(&(_, add, lane, (num, den))) = edges.get(i).filter(|e| e.0 <= from) {
            let s = &mut sums[lane];
            *s = if add {
                (s.0 + num, s.1 + den)
            } else {
                (s.0 - num, s.1 - den)
            };
            i += 1;
        }
        let to = edges.get(i).map_or(n, |e| e.0.min(n));
        f(from, to, &sums);
        from = to;
    }
}

/// What the sliding windows of one check gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slide {
    /// Windows in the input's span.
    pub windows: u64,
    /// Windows with enough requests to be judged.
    pub judged: u64,
    /// Judged windows where the condition held.
    pub breached: u64,
    /// Start of the first window that held.
    pub first_breach: Option<i64>,
    /// Start and counts of the worst judged window (the earliest of equals).
    pub worst: Option<(i64, Pair)>,
}

/// Judges every window `[t, t + width)` with `t` from the first point's start
/// in steps of `step`, as long as the window ends by the end of the last
/// point's interval; an input shorter than `width` is one window from its
/// start. `width` is a multiple of `step`; `points` are sorted by start and
/// not empty. `judged` says whether a window has enough requests, `holds`
/// whether the condition holds in it, `worse(a, b)` whether `a` is strictly
/// worse than `b`.
pub fn slide(
    points: &[Point],
    step: u32,
    width: u32,
    judged: impl Fn(Pair) -> bool,
    holds: impl Fn(Pair) -> bool,
    worse: impl Fn(Pair, Pair) -> bool,
) -> Slide {
    let (step_s, first) = (step as i64, points[0].start);
    let index = |p: &Point| ((p.start - first) / step_s) as u64;
    let w = (width / step) as u64;
    let span = index(&points[points.len() - 1]) + 1;
    let n = if span >= w { span - w + 1 } else { 1 };
    // Interval j is in windows j - w + 1 ..= j.
    let spans: Vec<Span> = points
        .iter()
        .map(|p| {
            let j = index(p);
            Span {
                enter: (j + 1).saturating_sub(w),
                leave: j + 1,
                lane: 0,
                pair: (p.num, p.den),
            }
        })
        .collect();
    let mut out = Slide {
        windows: n,
        ..Slide::default()
    };
    runs::<1>(&spans, n, |from, to, [pair]| {
        if !judged(*pair) {
            return;
        }
        let start = first + from as i64 * step_s;
        out.judged += to - from;
        if holds(*pair) {
            out.breached += to - from;
            out.first_breach.get_or_insert(start);
        }
        if out.worst.is_none_or(|(_, w)| worse(*pair, w)) {
            out.worst = Some((start, *pair));
        }
    });
    out
}

/// What replaying one burn-rate alert minute by minute gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    /// Minutes evaluated: every minute boundary after the first interval's
    /// start, up to the first one at or after the last interval's end.
    pub minutes: u64,
    /// Minutes where both windows had enough requests to be judged.
    pub judged: u64,
    /// Minutes the alert fired (both windows over the factor).
    pub firing: u64,
    /// Separate stretches of firing minutes.
    pub episodes: u64,
    /// The first minute it fired at (the end of its windows).
    pub first_fired: Option<i64>,
    /// Whether it was still firing at the last minute.
    pub firing_at_end: bool,
    /// The judged minute whose slower window burned fastest, with that
    /// window's counts: the nearest the alert came to firing, or the
    /// hardest it fired.
    pub peak: Option<(i64, Pair)>,
}

/// The first instant at or after `t` that is a whole minute on the clock of
/// `offset` (seconds east of UTC).
pub fn minute_ceil(t: i64, offset: i32) -> i64 {
    t + (60 - (t + offset as i64).rem_euclid(60)) % 60
}

/// Replays an alert over `points` (sorted, not empty, aligned to `step`,
/// which divides 60): at every minute boundary `e` of the input (on the
/// clock of `offset`) the long window is `[e - long, e)` and the short one
/// `[e - short, e)`; the alert fires at `e` when both are judged and both
/// exceed. Time before the first interval holds no requests. Both widths are
/// multiples of `step`.
pub fn replay(
    points: &[Point],
    step: u32,
    offset: i32,
    long: u32,
    short: u32,
    judged: impl Fn(Pair) -> bool,
    exceeds: impl Fn(Pair) -> bool,
) -> Replay {
    let first = points[0].start;
    let end = points[points.len() - 1].start + step as i64;
    let m0 = minute_ceil(first + 1, offset);
    let n = ((minute_ceil(end, offset) - m0) / 60 + 1) as u64;
    // Interval `b` is in the window of width `w` ending at `e` when
    // `b < e <= b + w`: from the first minute after `b` to the last at or
    // before `b + w`.
    let mut spans = Vec::with_capacity(points.len() * 2);
    for p in points {
        for (lane, w) in [(0, long), (1, short)] {
            let enter = (p.start - m0).div_euclid(60) + 1;
            let leave = (p.start + w as i64 - m0).div_euclid(60) + 1;
            spans.push(Span {
                enter: enter.max(0) as u64,
                leave: leave.max(0) as u64,
                lane,
                pair: (p.num, p.den),
            });
        }
    }
    let mut out = Replay {
        minutes: n,
        ..Replay::default()
    };
    let mut last_firing_end = None;
    runs::<2>(&spans, n, |from, to, [l, s]| {
        if !(judged(*l) && judged(*s)) {
            return;
        }
        let at = m0 + from as i64 * 60;
        out.judged += to - from;
        // The slower window decides whether both exceed.
        let slower = if cmp_rates(*l, *s) == Ordering::Less {
            *l
        } else {
            *s
        };
        if out
            .peak
            .is_none_or(|(_, p)| cmp_rates(slower, p) == Ordering::Greater)
        {
            out.peak = Some((at, slower));
        }
        if exceeds(*l) && exceeds(*s) {
            out.firing += to - from;
            out.first_fired.get_or_insert(at);
            if last_firing_end != Some(from) {
                out.episodes += 1;
            }
            last_firing_end = Some(to);
            out.firing_at_end = to == n;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Sums the points whose start is in `[from, to)`.
    fn sum(points: &[Point], from: i64, to: i64) -> Pair {
        points
            .iter()
            .filter(|p| from <= p.start && p.start < to)
            .fold((0, 0), |a, p| (a.0 + p.num, a.1 + p.den))
    }

    /// [`slide`], one window at a time.
    fn slide_ref(
        points: &[Point],
        step: u32,
        width: u32,
        judged: impl Fn(Pair) -> bool,
        holds: impl Fn(Pair) -> bool,
        worse: impl Fn(Pair, Pair) -> bool,
    ) -> Slide {
        let first = points[0].start;
        let end = points.last().unwrap().start + step as i64;
        let mut out = Slide::default();
        let mut t = first;
        loop {
            out.windows += 1;
            let pair = sum(points, t, t + width as i64);
            if judged(pair) {
                out.judged += 1;
                if holds(pair) {
                    out.breached += 1;
                    out.first_breach.get_or_insert(t);
                }
                if out.worst.is_none_or(|(_, w)| worse(pair, w)) {
                    out.worst = Some((t, pair));
                }
            }
            t += step as i64;
            if t + width as i64 > end {
                break;
            }
        }
        out
    }

    /// [`replay`], one minute at a time.
    fn replay_ref(
        points: &[Point],
        step: u32,
        offset: i32,
        long: u32,
        short: u32,
        judged: impl Fn(Pair) -> bool,
        exceeds: impl Fn(Pair) -> bool,
    ) -> Replay {
        let first = points[0].start;
        let end = points.last().unwrap().start + step as i64;
        let mut out = Replay::default();
        let mut e = first + 1;
        while (e + offset as i64).rem_euclid(60) != 0 {
            e += 1;
        }
        let mut was_firing = false;
        loop {
            out.minutes += 1;
            let l = sum(points, e - long as i64, e);
            let s = sum(points, e - short as i64, e);
            let mut firing = false;
            if judged(l) && judged(s) {
                out.judged += 1;
                let slower = if cmp_rates(l, s) == Ordering::Less {
                    l
                } else {
                    s
                };
                if out
                    .peak
                    .is_none_or(|(_, p)| cmp_rates(slower, p) == Ordering::Greater)
                {
                    out.peak = Some((e, slower));
                }
                if exceeds(l) && exceeds(s) {
                    firing = true;
                    out.firing += 1;
                    out.first_fired.get_or_insert(e);
                    if !was_firing {
                        out.episodes += 1;
                    }
                }
            }
            was_firing = firing;
            if e >= end {
                out.firing_at_end = firing;
                break;
            }
            e += 60;
        }
        out
    }

    /// Up to 40 intervals among the first 120 steps, with small counts and
    /// some empty or request-less ones, so that runs of thin windows, ties
    /// and empty stretches all occur.
    fn points_strategy() -> impl Strategy<Value = Vec<(i64, u64, u64)>> {
        prop::collection::btree_map(0i64..120, (0u64..6, 0u64..6), 1..40)
            .prop_map(|m| m.into_iter().map(|(j, (a, b))| (j, a, a + b)).collect())
    }

    fn spaced(raw: &[(i64, u64, u64)], base: i64, step: u32) -> Vec<Point> {
        raw.iter()
            .map(|&(j, num, den)| Point {
                start: base + j * step as i64,
                num,
                den,
            })
            .collect()
    }

    fn rate_over(pair: Pair, hundredths: u64) -> bool {
        // pair.0 / pair.1 > hundredths / 100
        pair.1 > 0 && pair.0 as u128 * 100 > hundredths as u128 * pair.1 as u128
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn sliding_windows_match_brute_force(
            step in prop::sample::select(vec![1u32, 10, 30, 60, 300]),
            w in 1u32..25,
            min in 0u64..8,
            hundredths in 0u64..100,
            count in any::<bool>(),
            raw in points_strategy(),
        ) {
            let points = spaced(&raw, 1_000_000_020, step);
            let width = w * step;
            let judged = |p: Pair| p.1 >= min && (count || p.1 > 0);
            let holds = |p: Pair| if count { p.0 > hundredths / 10 } else { rate_over(p, hundredths) };
            let worse = |a: Pair, b: Pair| if count { a.0 > b.0 } else { cmp_rates(a, b) == Ordering::Greater };
            let fast = slide(&points, step, width, judged, holds, worse);
            let slow = slide_ref(&points, step, width, judged, holds, worse);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn burn_replay_matches_brute_force(
            step in prop::sample::select(vec![1u32, 5, 15, 30, 60]),
            offset in prop::sample::select(vec![0i32, 3600, -25_200, 19_800, 20_700]),
            short in 1u32..12,
            extra in 0u32..40,
            min in 1u64..5,
            hundredths in 0u64..100,
            raw in points_strategy(),
        ) {
            // Aligned to the zone's clock, as the engine aligns intervals.
            let mut base = 1_700_000_000i64;
            base -= (base + offset as i64).rem_euclid(step as i64);
            let points = spaced(&raw, base, step);
            let (long, short) = ((short + extra) * step, short * step);
            let judged = |p: Pair| p.1 >= min;
            let exceeds = |p: Pair| rate_over(p, hundredths);
            let fast = replay(&points, step, offset, long, short, judged, exceeds);
            let slow = replay_ref(&points, step, offset, long, short, judged, exceeds);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn wide_products_compare_exactly(a in any::<u128>(), b in any::<u64>(), c in any::<u64>(), d in any::<u64>()) {
            // Against u128 where it fits, and the high half where it does not.
            let (x, y) = (mul_wide(b as u128, c as u128), mul_wide(c as u128, d as u128));
            prop_assert_eq!(x, (0, b as u128 * c as u128));
            prop_assert_eq!(x.cmp(&y), (b as u128 * c as u128).cmp(&(c as u128 * d as u128)));
            let (hi, lo) = mul_wide(a, 1 << 64);
            prop_assert_eq!((hi, lo), (a >> 64, a << 64));
        }
    }

    #[test]
    fn wide_products_at_the_top() {
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul_wide(u128::MAX, 2), (1, u128::MAX - 1));
        assert_eq!(mul_wide(0, u128::MAX), (0, 0));
    }

    #[test]
    fn a_short_input_is_one_window() {
        let p = [
            Point {
                start: 600,
                num: 1,
                den: 10,
            },
            Point {
                start: 720,
                num: 0,
                den: 10,
            },
        ];
        let s = slide(
            &p,
            60,
            300,
            |p| p.1 > 0,
            |p| p.0 > 0,
            |a, b| cmp_rates(a, b).is_gt(),
        );
        assert_eq!((s.windows, s.judged, s.breached), (1, 1, 1));
        assert_eq!(s.worst, Some((600, (1, 20))));
    }

    #[test]
    fn windows_stay_inside_the_input() {
        // Ten minutes, an error only in the last: a 5-minute window that
        // ends past the input would judge that minute nearly alone.
        let mut p: Vec<Point> = (0..10)
            .map(|i| Point {
                start: i * 60,
                num: 0,
                den: 100,
            })
            .collect();
        p[9].num = 3;
        let s = slide(
            &p,
            60,
            300,
            |p| p.1 > 0,
            |p| rate_over(p, 1),
            |a, b| cmp_rates(a, b).is_gt(),
        );
        assert_eq!(s.windows, 6);
        assert_eq!(s.first_breach, None, "3 of 500 is 0.6%");
        assert_eq!(s.worst, Some((300, (3, 500))));
    }

    #[test]
    fn far_apart_times_cost_nothing_extra() {
        // A line from 1970 and one from 2100 in 1-second steps: billions of
        // windows, judged as a few runs.
        let p = [
            Point {
                start: 0,
                num: 1,
                den: 1,
            },
            Point {
                start: 4_102_444_800,
                num: 0,
                den: 1,
            },
        ];
        let s = slide(
            &p,
            1,
            60,
            |p| p.1 > 0,
            |p| p.0 > 0,
            |a, b| cmp_rates(a, b).is_gt(),
        );
        assert_eq!(s.windows, 4_102_444_800 + 1 - 60 + 1);
        // Windows start at the first interval and end by the last one's end:
        // each line is in one judged window.
        assert_eq!((s.judged, s.breached), (2, 1));
        let r = replay(&p, 1, 0, 3600, 60, |p| p.1 > 0, |p| p.0 > 0);
        assert_eq!(r.minutes, 4_102_444_800 / 60 + 1);
        // Both windows hold a line only at 00:01 and at the last minute.
        assert_eq!((r.judged, r.firing, r.episodes), (2, 1, 1));
    }

    #[test]
    fn episodes_and_the_end() {
        // Minutes 0-2 bad, 3 good, 4 bad (the last): two episodes of a
        // one-minute alert, still firing at the end.
        let p: Vec<Point> = [1, 1, 1, 0, 1]
            .iter()
            .enumerate()
            .map(|(i, &bad)| Point {
                start: i as i64 * 60,
                num: bad,
                den: 1,
            })
            .collect();
        let r = replay(&p, 60, 0, 60, 60, |p| p.1 > 0, |p| p.0 > 0);
        assert_eq!(
            (
                r.minutes,
                r.judged,
                r.firing,
                r.episodes,
                r.first_fired,
                r.firing_at_end
            ),
            (5, 5, 4, 2, Some(60), true)
        );
    }
}
