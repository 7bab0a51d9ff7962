use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

/// A pool with nothing to give: every count keeps to its own allowance.
fn empty_pool() -> Pool {
    Pool::new(0, 1)
}

/// Lines per value, and per value and code.
type Truth = (HashMap<Vec<u8>, u64>, HashMap<(Vec<u8>, u16), u64>);

/// The true lines per value and per (value, code) of a stream.
fn truth(stream: &[(u16, Vec<u8>)]) -> Truth {
    let mut by_value = HashMap::new();
    let mut by_code = HashMap::new();
    for (code, v) in stream {
        *by_value.entry(v.clone()).or_default() += 1;
        *by_code.entry((v.clone(), *code)).or_default() += 1;
    }
    (by_value, by_code)
}

/// The invariant of `sketch`: every monitored count is over by at most the
/// bound and never under, its codes are a lower bound per code, and a value
/// not monitored has at most the bound's lines.
fn check_bound(vc: &ValueCounts, stream: &[(u16, Vec<u8>)]) -> Result<(), TestCaseError> {
    let (by_value, by_code) = truth(stream);
    let bound = vc.error_bound();
    prop_assert_eq!(vc.selected, stream.len() as u64);
    for (v, &f) in &by_value {
        match vc.get(v) {
            Some((c, e)) => {
                prop_assert!(
                    f <= c && c <= f + bound,
                    "{v:?}: true {f}, count {c}, bound {bound}"
                );
                prop_assert!(c - e <= f, "{v:?}: true {f}, count {c}, err {e}");
                prop_assert!(e <= bound);
            }
            None => prop_assert!(
                f <= bound,
                "{v:?} with {f} lines is missing (bound {bound})"
            ),
        }
    }
    for row in vc.rows(usize::MAX) {
        if row.value.len() > MAX_VALUE {
            continue;
        }
        let seen: u64 = row.codes.iter().map(|c| c.1).sum();
        let (c, e) = vc.get(&row.value).unwrap();
        prop_assert_eq!(seen, c - e);
        for (code, n) in row.codes {
            prop_assert!(n <= by_code[&(row.value.clone(), code)]);
        }
    }
    Ok(())
}

/// Streams that make a summary work: a few heavy values among many
/// one-off ones, in runs and interleaved, so that heavy values are dropped
/// and come back.
fn adversarial() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    let value = prop_oneof![
        3 => (0u8..4).prop_map(|h| format!("/heavy/{h}").into_bytes()),
        5 => (0u32..5000).prop_map(|n| format!("/once/{n}").into_bytes()),
        1 => (0u8..3).prop_map(|n| vec![b'x'; MAX_VALUE + n as usize]),
    ];
    let line = (prop::sample::select(vec![200u16, 404, 500, 503]), value);
    prop::collection::vec(
        prop_oneof![
            4 => line.clone().prop_map(|l| vec![l]),
            1 => (line, 1usize..40).prop_map(|(l, n)| vec![l; n]),
        ],
        0..120,
    )
    .prop_map(|runs| runs.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// On any stream and any allowance, one summary's counts keep the bound.
    #[test]
    fn one_summary_keeps_its_bound(stream in adversarial(), allowance in 0usize..6000) {
        let pool = empty_pool();
        let mut vc = ValueCounts::new(allowance);
        for (code, v) in &stream {
            vc.add(*code, v, &pool);
        }
        check_bound(&vc, &stream)?;
    }

    /// Summaries of any split of a stream, merged in any order, keep the
    /// bound of the merge: the sum of the parts' floors.
    #[test]
    fn merged_summaries_keep_their_bound(
        stream in adversarial(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        allowances in prop::collection::vec(0usize..5000, 6),
    ) {
        let pool = empty_pool();
        let mut at: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        at.push(0);
        at.push(stream.len());
        at.sort_unstable();
        let mut parts: Vec<ValueCounts> = Vec::new();
        let mut floors = 0;
        for (k, w) in at.windows(2).enumerate() {
            let mut vc = ValueCounts::new(allowances[k % allowances.len()]);
            for (code, v) in &stream[w[0]..w[1]] {
                vc.add(*code, v, &pool);
            }
            floors += vc.error_bound();
            parts.push(vc);
        }
        parts.reverse();
        let mut all = parts.pop().unwrap();
        for p in parts {
            all.merge(p);
        }
        prop_assert_eq!(all.error_bound(), floors);
        check_bound(&all, &stream)?;
    }

    /// With memory enough, counts are exact and the bound is 0.
    #[test]
    fn with_room_counts_are_exact(stream in adversarial()) {
        let pool = Pool::new(1 << 30, 1);
        let mut vc = ValueCounts::new(pool.share());
        for (code, v) in &stream {
            vc.add(*code, v, &pool);
        }
        prop_assert_eq!(vc.error_bound(), 0);
        let (by_value, _) = truth(&stream);
        prop_assert_eq!(vc.len(), by_value.len());
        for (v, &f) in &by_value {
            prop_assert_eq!(vc.get(v), Some((f, 0)));
        }
    }
}

#[test]
fn memory_stays_within_the_allowance_once_counting_approximately() {
    let pool = empty_pool();
    let allowance = 256 << 10;
    let mut vc = ValueCounts::new(allowance);
    for n in 0..200_000u32 {
        vc.add(200, format!("/item/{n}/detail").as_bytes(), &pool);
        // Room is made before a value is added: at most one value over.
        assert!(vc.memory() <= allowance + 256, "{} at {n}", vc.memory());
    }
    assert!(vc.error_bound() > 0);
    assert!(vc.len() > 500, "{}", vc.len());
}

#[test]
fn a_pool_gives_until_it_is_spent() {
    let pool = Pool::new(42 << 20, 2);
    assert_eq!(pool.share(), 42 << 17);
    assert_eq!(pool.grant(1), 1 << 20);
    assert_eq!(pool.grant(30 << 20), 30 << 20);
    // Half a step left: not a step, but what is needed.
    assert_eq!(pool.grant(1000), 1000);
    assert_eq!(pool.grant(1 << 20), 0);
}

#[test]
fn rows_are_by_count_then_value_and_long_values_show_cut() {
    let pool = Pool::new(1 << 30, 1);
    let mut vc = ValueCounts::new(pool.share());
    let long_a = [b"/a".repeat(600), b"1".to_vec()].concat();
    let long_b = [b"/a".repeat(600), b"2".to_vec()].concat();
    for (code, v) in [
        (500, &b"/b"[..]),
        (503, b"/b"),
        (500, b"/a"),
        (500, b"/c"),
        (500, b"/c"),
        (502, &long_a),
        (502, &long_b),
    ] {
        vc.add(code, v, &pool);
    }
    let rows = vc.rows(3);
    assert_eq!(
        rows.iter()
            .map(|r| (r.value.clone(), r.count))
            .collect::<Vec<_>>(),
        [
            (b"/b".to_vec(), 2),
            (b"/c".to_vec(), 2),
            (b"/a".to_vec(), 1)
        ]
    );
    assert_eq!(rows[0].codes, [(500, 1), (503, 1)]);
    // Two long values that start alike count apart, shown by their start.
    let all = vc.rows(10);
    let cut: Vec<_> = all.iter().filter(|r| r.value.len() > MAX_VALUE).collect();
    assert_eq!(cut.len(), 2);
    assert!(cut[0].value.ends_with("…".as_bytes()));
    assert_eq!(&cut[0].value[..MAX_VALUE], &long_a[..MAX_VALUE]);
}

#[test]
fn fields_parse_by_name_and_json_key() {
    assert_eq!(Wanted::parse("path"), Ok(Wanted::named(Field::Path)));
    assert_eq!(Wanted::parse("Referrer"), Ok(Wanted::named(Field::Referer)));
    let k = Wanted::parse("json:user.id").unwrap();
    assert_eq!((k.field, &*k.key), (Field::Key, "user.id"));
    assert_eq!(k.label(), "json:user.id");
    assert!(Wanted::parse("json:").is_err());
    let e = Wanted::parse("paths").unwrap_err();
    assert!(e.contains("path, url, method"), "{e}");
}

#[test]
fn code_masks_pick_their_codes() {
    let m = CodeMask::from_fn(|c| (500..600).contains(&c) || c == 0 || c == 999);
    for c in 0..1000 {
        assert_eq!(
            m.picks(c),
            (500..600).contains(&c) || c == 0 || c == 999,
            "{c}"
        );
    }
    assert!(CodeMask::all().picks(999));
    assert!(!CodeMask::NONE.picks(0));
    let u = m.union(&CodeMask::from_fn(|c| c == 404));
    assert!(u.picks(404) && u.picks(503));
}

#[test]
fn ids_are_folded_and_words_are_not() {
    let g = Grouping::new(&[("[a-z]{2}-[A-Z]{2}".into(), "locale".into())]).unwrap();
    let mut out = Vec::new();
    for (path, want) in [
        ("/user/123/orders", "/user/{id}/orders"),
        ("/user/456/orders/", "/user/{id}/orders/"),
        ("/o/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/o/{id}"),
        (
            "/blob/da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "/blob/{id}",
        ),
        ("/t/eyJhbGciOiJIUzI1NiIsInR5cCI6", "/t/{id}"),
        ("/en-US/help", "/{locale}/help"),
        ("/", "/"),
        ("", ""),
        ("//x//", "//x//"),
        // Words, slugs, versions and short hex stay.
        ("/api/v2/deadbeef", "/api/v2/deadbeef"),
        (
            "/blog/my-first-post-2024-edition",
            "/blog/my-first-post-2024-edition",
        ),
        ("/static/app.3f2a.js", "/static/app.3f2a.js"),
        ("/abcdefabcdefabcdef", "/abcdefabcdefabcdef"),
    ] {
        g.fold(path.as_bytes(), &mut out);
        assert_eq!(String::from_utf8_lossy(&out), want, "{path}");
    }
    assert_eq!(
        g.describe(),
        [
            "{locale}: [a-z]{2}-[A-Z]{2}",
            "{id}: numbers, UUIDs, long hex and base64-like tokens"
        ]
    );
}

#[test]
fn group_rules_are_checked() {
    assert_eq!(
        parse_rule("[0-9]+=num"),
        Ok(("[0-9]+".into(), "num".into()))
    );
    assert_eq!(parse_rule("a=b=c"), Ok(("a=b".into(), "c".into())));
    assert!(parse_rule("no-equals").is_err());
    assert!(parse_rule("x=").is_err());
    assert!(parse_rule("=x").is_err());
    assert!(parse_rule("x=a b").is_err());
    let e = parse_rule("(=x").unwrap_err();
    assert!(e.starts_with("not a regex"), "{e}");
}

#[test]
fn top_work_counts_missing_values_and_groups_paths() {
    let specs: Arc<[TopSpec]> = vec![
        TopSpec {
            wanted: Wanted::named(Field::Path),
            mask: CodeMask::from_fn(|c| c >= 500),
            selector: Some("5xx".into()),
            rows: 10,
            group: Some(Arc::new(Grouping::new(&[]).unwrap())),
        },
        TopSpec {
            wanted: Wanted::named(Field::Agent),
            mask: CodeMask::all(),
            selector: None,
            rows: 10,
            group: None,
        },
    ]
    .into();
    let mut w = TopWork::new(specs, Arc::new(Pool::new(1 << 20, 1)));
    assert!(w.picks(200) && w.picks(503));
    assert!(w.wants(0, 200).is_none());
    assert_eq!(w.wants(0, 503).map(|f| f.field), Some(Field::Path));
    w.add(0, 503, Some(b"/u/1"));
    w.add(0, 502, Some(b"/u/2"));
    w.add(0, 500, Some(b"-"));
    w.add(0, 500, None);
    w.add(1, 200, Some(b""));
    let counts = w.into_counts();
    assert_eq!((counts[0].selected, counts[0].missing), (4, 2));
    assert_eq!(counts[0].get(b"/u/{id}"), Some((2, 0)));
    assert_eq!((counts[1].selected, counts[1].missing), (1, 1));
}
