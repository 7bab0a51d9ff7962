//! No input can make logstat panic: every preset format's extractor and a few
//! custom format strings, through the very chunk loop the engine runs (the
//! CLF and custom-format bitmap paths included), over arbitrary bytes; and
//! every line lands in exactly one bucket.

use logstat::format::{self, Format, FormatChoice, FormatOptions, PRESETS};
use logstat::lines::{Counts, Detail, Sink, TimePlan, TimeWork};
use logstat::time::Zone;
use logstat::top::{CodeMask, Field, Pool, TopSpec, TopWork, Wanted};
use proptest::prelude::*;
use std::sync::Arc;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = prop_oneof![
        6 => prop::sample::select(b"{}[]\"\\/: -0123456789#\tabsxX,.%\r\n".to_vec()),
        1 => any::<u8>(),
    ];
    let tokens = prop_oneof![
        3 => prop::collection::vec(alphabet, 0..40),
        1 => Just(b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1\n".to_vec()),
        1 => Just(b"#Fields: date sc-status\n".to_vec()),
        1 => Just(b"{\"status\":200,\"request\":{\"uri\":\"/\\\"x\"}}\n".to_vec()),
        1 => Just(b"[10/Oct/2000:13:55:36 -0700] \"".to_vec()),
        1 => Just(b"2025-03-12T08:00:00.1Z stdout F ".to_vec()),
        1 => Just(b"{\"log\":\"x\\u0026\\n\",\"stream\":\"stdout\"}\n".to_vec()),
        1 => Just(b"web-1  | ".to_vec()),
        1 => Just(b" 502, 200 : 504 ".to_vec()),
        1 => Just(b"2024-03-12 08:00:00 10.0.0.5 GET / - 443 - ::1 ua - 200 0 0 15\n".to_vec()),
    ];
    prop::collection::vec(tokens, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_format_counts_any_bytes(data in bytes(), upstream in any::<bool>()) {
        let lines = if data.is_empty() {
            0
        } else {
            data.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!data.ends_with(b"\n"))
        };
        let opts = FormatOptions { status_key: None, upstream, time_key: None };
        let custom = [
            r#"$remote_addr [$time_local] "$request" $status $body_bytes_sent"#,
            r#"%h %l %u %t \"%r\" %>s %b"#,
            r#"$a|$b;$c:$d,$e!$status"#,
            r#"$remote_addr $upstream_status $status $upstream_addr"#,
            r#"$remote_addr $status "$request" $upstream_status"#,
            r#"cri+$remote_addr $upstream_status $status"#,
        ];
        // Parameters detection would name: wrappers' inner formats, assumed
        // W3C layouts.
        let named = [
            "cri+combined", "docker-json+json", "json-message+envoy", "compose+haproxy",
            "kubectl+w3c", "syslog+squid", "w3c:iis-8.5", "w3c:iis-6", "cloudfront:standard",
            "docker-json+cloudfront:standard",
        ];
        let formats = PRESETS
            .iter()
            .map(Format::of)
            .chain(named.iter().map(|n| Format::from_name(n).expect(n)))
            .chain(custom.iter().map(|f| {
                // `--status upstream` is refused for a format without
                // `$upstream_status`: such a format runs without it.
                let choice = format::parse_choice(f, &opts)
                    .or_else(|_| format::parse_choice(f, &FormatOptions::default()));
                match choice.expect("compiles") {
                    FormatChoice::Fixed(f) => f,
                    FormatChoice::Auto => unreachable!(),
                }
            }));
        for format in formats {
            let name = format.name();
            let mut ex = format.extractor(&opts);
            let mut counts = Counts::default();
            let mut sink = Sink::new(&mut counts, true);
            ex.count(&data, &mut sink);
            prop_assert_eq!(sink.lines, lines, "{}", name);
            drop(sink);
            prop_assert_eq!(counts.lines(), lines, "{}", name);
            // The loop that reads times books every line too, and no time
            // (the tokens' one or none) makes it panic.
            let mut counts = Counts::default();
            let mut detail = Detail {
                time: Some(TimeWork::new(TimePlan {
                    since: 971_211_336,
                    grain: 60,
                    filter: true,
                    zone: Zone::Fixed(0),
                    ..TimePlan::default()
                })),
                top: None,
            };
            let mut sink = Sink::new(&mut counts, true);
            sink.detail = Some(&mut detail);
            ex.count(&data, &mut sink);
            prop_assert_eq!(sink.lines, lines, "{} (times read)", name);
            drop(sink);
            prop_assert_eq!(counts.lines(), lines, "{} (times read)", name);
            // Every field the format has, read from every request, books
            // every request once per field, and no bytes make it panic.
            let specs: Arc<[TopSpec]> = format
                .fields()
                .into_iter()
                .map(|f| TopSpec {
                    wanted: match f {
                        Field::Key => Wanted::parse("json:request.uri").unwrap(),
                        f => Wanted::named(f),
                    },
                    mask: CodeMask::all(),
                    selector: None,
                    rows: 10,
                    group: None,
                })
                .collect();
            let mut counts = Counts::default();
            let mut detail = Detail {
                time: None,
                top: Some(TopWork::new(specs.clone(), Arc::new(Pool::new(1 << 20, 1)))),
            };
            let mut sink = Sink::new(&mut counts, true);
            sink.detail = Some(&mut detail);
            ex.count(&data, &mut sink);
            prop_assert_eq!(sink.lines, lines, "{} (fields read)", name);
            drop(sink);
            prop_assert_eq!(counts.lines(), lines, "{} (fields read)", name);
            let top = detail.top.take().unwrap().into_counts();
            prop_assert_eq!(top.len(), specs.len());
            for t in top {
                prop_assert_eq!(t.selected, counts.requests(), "{} (fields read)", name);
            }
        }
    }
}
