//! The one table of log formats logstat knows by name.
//!
//! Detection (its order), `--log-format` names and aliases, the `--help` text,
//! README's format table and the per-format tests are all derived from
//! [`PRESETS`], so they cannot drift apart. Adding a format is one file with
//! its extractor (see [`crate::lines`]), one row here and a fixture
//! `fixtures/formats/NAME.log` with its `NAME.log.expected.json`.

use super::{AnyExtractor, Format, FormatOptions, Param, Sample, aws, clf, custom, haproxy, json};
use super::{mixed, npm, squid, w3c, wrap};
use crate::top::Field::{self, Agent, Bytes, Client, Host, Key, Method, Path, Protocol, Referer};
use crate::top::Field::{Upstream, Url};

/// One format logstat knows by name.
pub struct Preset {
    /// The `--log-format` name, also shown in reports.
    pub name: &'static str,
    /// Other names `--log-format` accepts: what people call the format
    /// (`nginx`, `clf`) and GoAccess's preset names (`AWSELB`), so a command
    /// line copied from there works.
    pub aliases: &'static [&'static str],
    /// What writes such logs, for `--help` and README.
    pub what: &'static str,
    /// Which field is counted, for README.
    pub status: &'static str,
    /// Whether the format logs the upstream's (backend's) status besides
    /// the client's, which `--status upstream` reads; `--status upstream`
    /// with a format that does not is refused. A wrapper has the upstream
    /// status of its inner format.
    pub upstream: bool,
    /// The fields besides the status that `--top` can ask of it. W3C
    /// lists those its `#Fields:` may declare: a line whose header lacks
    /// one has no value for it. A wrapper lists none: it has its inner
    /// format's.
    pub fields: &'static [Field],
    /// How detection recognises it; rows are tried in table order, most
    /// specific first.
    pub detect: Detect,
    /// A fresh extractor for one input.
    pub build: fn(&Param, &FormatOptions) -> AnyExtractor,
}

/// How detection recognises a format from the first lines of an input.
#[derive(Clone, Copy)]
pub enum Detect {
    /// Never detected: only used when forced.
    Never,
    /// Most of the sample's lines are read by the format (a status, or a
    /// directive it skips) and have this signature, a shape real lines of
    /// the format have and lines of the formats tried later lack.
    Lines(fn(&[u8]) -> bool),
    /// W3C with this field separator: a `#Fields:` directive in the sample,
    /// followed by data lines with the separator, names the format, and most
    /// lines must be read by it; if no row fits, the directive alone decides
    /// and the lines that do not match it are malformed: that says more than
    /// refusing the input. Without a directive, lines that fit one of
    /// [`w3c::LAYOUTS`] with the separator are read by that layout
    /// ([`w3c::assume`]).
    Header(u8),
    /// The sample as a whole decides, and names the format with its
    /// parameters (the CLF flavour, the JSON key).
    Sample(fn(&Sample, &'static Preset, &FormatOptions) -> Option<Format>),
    /// A wrapper ([`wrap`]): most lines have its shape, and the lines it
    /// carries are of a format detection finds (the inner format, its
    /// parameter).
    Wrapper(wrap::Unwrap),
}

impl std::fmt::Debug for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Preset {
    /// Whether this is a wrapper, whose lines carry another format's.
    pub fn wraps(&self) -> bool {
        matches!(self.detect, Detect::Wrapper(_))
    }
}

/// The CLF rows: the sample's flavour, as [`clf::detect`] tells it, is this row's.
fn clf_flavor(s: &Sample, p: &'static Preset, _: &FormatOptions) -> Option<Format> {
    (s.clf_flavor().map(clf::Flavor::name) == Some(p.name)).then(|| Format::of(p))
}

/// A CLF-family extractor that reads the fields of `layout`.
fn clf_build(layout: clf::Layout) -> AnyExtractor {
    AnyExtractor::new(clf::ClfFields(layout))
}

/// The key `--status-key` names, else the preset's own; fields from the
/// keys `keys` lists.
fn json_key(default: &str, o: &FormatOptions, keys: &'static json::FieldKeys) -> AnyExtractor {
    AnyExtractor::new(
        json::Json::new(o.status_key.as_deref().unwrap_or(default))
            .with_time_key(o.time_key.as_deref())
            .with_field_keys(keys),
    )
}

/// The W3C extractor, with the layout assumed until a `#Fields:` if any.
fn w3c_build(sep: u8, p: &Param) -> AnyExtractor {
    match p {
        Param::Layout(l) => AnyExtractor::new(w3c::W3c::assuming(l)),
        _ => AnyExtractor::new(w3c::W3c::new(sep)),
    }
}

/// What the wrapper rows say they count.
const INNER: &str = "the inner line's, as its own format reads it";

/// Fields of the CLF family: Common's, Combined's and with a virtual host.
const COMMON_FIELDS: &[Field] = &[Path, Url, Method, Protocol, Client, Bytes];
const COMBINED_FIELDS: &[Field] = &[Path, Url, Method, Protocol, Client, Agent, Referer, Bytes];
const VCOMMON_FIELDS: &[Field] = &[Path, Url, Method, Protocol, Host, Client, Bytes];
const VCOMBINED_FIELDS: &[Field] = &[
    Path, Url, Method, Protocol, Host, Client, Agent, Referer, Bytes,
];
/// Every named field, and any JSON key.
const JSON_FIELDS: &[Field] = &[
    Path, Url, Method, Protocol, Host, Client, Agent, Referer, Upstream, Bytes, Key,
];

/// Every format logstat knows by name, in detection order.
pub static PRESETS: [Preset; 24] = [
    Preset {
        name: "w3c",
        aliases: &["iis"],
        what: "IIS W3C extended, also with quoted or aligned fields (IIS Advanced Logging, Incapsula, Oracle Web Cache)",
        status: "`sc-status` of the latest `#Fields:` (may change mid-file); a line with a different field count is malformed; without `#Fields:`, IIS's default layouts (`w3c:iis-8.5`, `w3c:iis-7`, `w3c:iis-6`)",
        upstream: false,
        fields: &[
            Path, Url, Method, Protocol, Host, Client, Agent, Referer, Bytes,
        ],
        detect: Detect::Header(b' '),
        build: |p, _| w3c_build(b' ', p),
    },
    Preset {
        name: "cloudfront",
        aliases: &[],
        what: "Amazon CloudFront standard logs (W3C directives, tab-separated)",
        status: "`sc-status` (`000` = code 0); without `#Fields:`, CloudFront's fixed column order (`cloudfront:standard`)",
        upstream: false,
        fields: &[
            Path, Url, Method, Protocol, Host, Client, Agent, Referer, Bytes,
        ],
        detect: Detect::Header(b'\t'),
        build: |p, _| w3c_build(b'\t', p),
    },
    Preset {
        name: "envoy-mixed",
        aliases: &[],
        what: "Envoy's text and JSON access logs in one stream",
        status: "the token after the quoted request; in JSON lines `response_code`",
        upstream: false,
        fields: &[Path, Url, Method, Protocol, Host, Agent, Upstream, Bytes],
        detect: Detect::Sample(mixed::pick),
        build: |_, _| AnyExtractor::new(mixed::EnvoyMixed::default()),
    },
    Preset {
        name: "traefik-json",
        aliases: &[],
        what: "Traefik JSON access logs",
        status: "`DownstreamStatus` (`--status upstream`: `OriginStatus`)",
        upstream: true,
        fields: JSON_FIELDS,
        detect: Detect::Lines(super::looks_json),
        build: |_, o| {
            json_key(
                if o.upstream {
                    "OriginStatus"
                } else {
                    "DownstreamStatus"
                },
                o,
                &json::TRAEFIK_KEYS,
            )
        },
    },
    Preset {
        name: "caddy",
        aliases: &[],
        what: "Caddy v2 JSON access logs",
        status: "`status`",
        upstream: false,
        fields: &[
            Path, Url, Method, Protocol, Host, Client, Agent, Referer, Bytes, Key,
        ],
        detect: Detect::Lines(|l| l.windows(15).any(|w| w == b"handled request")),
        build: |_, o| json_key("status", o, &json::CADDY_KEYS),
    },
    Preset {
        name: "json",
        aliases: &[],
        what: "any JSON-lines log",
        status: "`--status-key a.b`, else the first well-known key most lines hold (below)",
        upstream: false,
        fields: JSON_FIELDS,
        detect: Detect::Sample(|s, p, o| {
            json::well_known_key(s, o).map(|k| Format::with(p, Param::Key(k.into())))
        }),
        build: |p, o| match p {
            Param::Key(k) => json_key(k, o, &json::COMMON_KEYS),
            _ => json_key(json::WELL_KNOWN_KEYS[0], o, &json::COMMON_KEYS),
        },
    },
    Preset {
        name: "docker-json",
        aliases: &["docker"],
        what: "a JSON envelope with the line in `log`: Docker's json-file driver, Fluent Bit, Fluentd",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::DOCKER_JSON),
        build: |p, o| wrap::build(wrap::DOCKER_JSON, p, o),
    },
    Preset {
        name: "json-message",
        aliases: &[],
        what: "a JSON envelope with the line in `message`: Elastic Agent, Filebeat, Logstash, Vector",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::JSON_MESSAGE),
        build: |p, o| wrap::build(wrap::JSON_MESSAGE, p, o),
    },
    Preset {
        name: "cri",
        aliases: &["containerd", "cri-o"],
        what: "the CRI log prefix (`2025-…Z stdout F `): containerd and CRI-O, Kubernetes node logs",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::CRI),
        build: |p, o| wrap::build(wrap::CRI, p, o),
    },
    Preset {
        name: "alb",
        aliases: &["awsalb"],
        what: "AWS Application Load Balancer",
        status: "`elb_status_code` (`--status upstream`: `target_status_code`)",
        upstream: true,
        fields: &[
            Path, Url, Method, Protocol, Host, Client, Agent, Upstream, Bytes,
        ],
        detect: Detect::Lines(aws::looks_alb),
        build: |_, o| AnyExtractor::new(aws::Aws::alb(o.upstream)),
    },
    Preset {
        name: "elb",
        aliases: &["awselb"],
        what: "AWS Classic Load Balancer",
        status: "`elb_status_code` (`--status upstream`: `backend_status_code`)",
        upstream: true,
        fields: &[
            Path, Url, Method, Protocol, Host, Client, Agent, Upstream, Bytes,
        ],
        detect: Detect::Lines(aws::looks_elb),
        build: |_, o| AnyExtractor::new(aws::Aws::elb(o.upstream)),
    },
    Preset {
        name: "nginx-proxy-manager",
        aliases: &["npm"],
        what: "Nginx Proxy Manager's `proxy` format, and its forks' (NPMplus)",
        status: "`$status`, the token before ` - METHOD scheme` (after the upstream status list; `--status upstream`: the list's last status)",
        upstream: true,
        fields: &[
            Path, Url, Method, Host, Client, Agent, Referer, Upstream, Bytes,
        ],
        detect: Detect::Lines(npm::looks_npm),
        build: |_, o| {
            AnyExtractor::new(npm::Npm {
                upstream: o.upstream,
            })
        },
    },
    Preset {
        name: "compose",
        aliases: &["docker-compose"],
        what: "`docker compose logs`: the service's name, padded with spaces, a bar and a space before each line",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::COMPOSE),
        build: |p, o| wrap::build(wrap::COMPOSE, p, o),
    },
    Preset {
        name: "kubectl",
        aliases: &[],
        what: "`kubectl logs --prefix` (`[pod/NAME/CONTAINER] `)",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::KUBECTL),
        build: |p, o| wrap::build(wrap::KUBECTL, p, o),
    },
    Preset {
        name: "syslog",
        aliases: &["journald"],
        what: "a syslog header (`Mar 12 08:00:00 host nginx[1]: `): journalctl's short formats, rsyslog files, nginx `access_log syslog:`",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::SYSLOG),
        build: |p, o| wrap::build(wrap::SYSLOG, p, o),
    },
    Preset {
        name: "timestamps",
        aliases: &[],
        what: "an RFC 3339 time before each line: `kubectl logs --timestamps`, `docker logs -t`, `docker compose logs -t` (as `compose+timestamps+…`)",
        status: INNER,
        upstream: false,
        fields: &[],
        detect: Detect::Wrapper(wrap::TIMESTAMPS),
        build: |p, o| wrap::build(wrap::TIMESTAMPS, p, o),
    },
    Preset {
        name: "envoy",
        aliases: &[],
        what: "Envoy's default access-log format",
        status: "the token after the quoted request",
        upstream: false,
        // Envoy's default format has no client before `[time]`.
        fields: &[Path, Url, Method, Protocol, Host, Agent, Upstream, Bytes],
        detect: Detect::Lines(|l| l.first() == Some(&b'[')),
        build: |_, _| clf_build(clf::Layout::Envoy),
    },
    Preset {
        name: "traefik",
        aliases: &["traefikclf"],
        what: "Traefik's CLF access logs (Combined plus count, router, URL, duration)",
        status: "the token after the quoted request",
        upstream: false,
        // Traefik's CLF ends with the request duration in milliseconds.
        fields: &[
            Path, Url, Method, Protocol, Client, Agent, Referer, Upstream, Bytes,
        ],
        detect: Detect::Lines(|l| {
            l.strip_suffix(b"ms")
                .and_then(|r| r.split(|&b| b == b' ').next_back())
                .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
        }),
        build: |_, _| clf_build(clf::Layout::Traefik),
    },
    Preset {
        name: "common",
        aliases: &["clf"],
        what: "Apache/nginx Common Log Format",
        status: "first token after the quoted request that follows `[timestamp]`",
        upstream: false,
        fields: COMMON_FIELDS,
        detect: Detect::Sample(clf_flavor),
        build: |_, _| clf_build(clf::Layout::Common),
    },
    Preset {
        name: "combined",
        aliases: &["nginx", "apache"],
        what: "Apache/nginx Combined Log Format (Common plus referer and user agent)",
        status: "first token after the quoted request that follows `[timestamp]`",
        upstream: false,
        fields: COMBINED_FIELDS,
        detect: Detect::Sample(clf_flavor),
        build: |_, _| clf_build(clf::Layout::Combined),
    },
    Preset {
        name: "vcommon",
        aliases: &[],
        what: "Common with a virtual-host prefix (Apache `%v:%p`, nginx `$host`)",
        status: "first token after the quoted request that follows `[timestamp]`",
        upstream: false,
        fields: VCOMMON_FIELDS,
        detect: Detect::Sample(clf_flavor),
        build: |_, _| clf_build(clf::Layout::VCommon),
    },
    Preset {
        name: "vcombined",
        aliases: &[],
        what: "Combined with a virtual-host prefix (Apache `%v:%p`, nginx `$host`)",
        status: "first token after the quoted request that follows `[timestamp]`",
        upstream: false,
        fields: VCOMBINED_FIELDS,
        detect: Detect::Sample(clf_flavor),
        build: |_, _| clf_build(clf::Layout::VCombined),
    },
    Preset {
        name: "haproxy",
        aliases: &[],
        what: "HAProxy HTTP log format",
        status: "the status after the timers",
        upstream: false,
        fields: &[Path, Url, Method, Protocol, Client, Upstream, Bytes],
        detect: Detect::Lines(|_| true),
        build: |_, _| AnyExtractor::new(haproxy::Haproxy),
    },
    Preset {
        name: "squid",
        aliases: &[],
        what: "Squid native access log, the time as `%ts.%03tu` or `%tl`",
        status: "the code after `/` in the result field (`TCP_MISS/200`)",
        upstream: false,
        fields: &[Path, Url, Method, Host, Client, Upstream, Bytes],
        detect: Detect::Lines(squid::looks_squid),
        build: |_, _| AnyExtractor::new(squid::Squid),
    },
];

/// A user's own nginx `log_format` or Apache `LogFormat`: not a name, so
/// not in [`PRESETS`], but a format like the others once compiled.
pub static CUSTOM: Preset = Preset {
    name: "custom",
    aliases: &[],
    what: "your server's nginx `log_format` / Apache `LogFormat` string",
    status: "nginx `$status` (`--status upstream`: the last status of `$upstream_status`), Apache `%>s`, else `%s`",
    // Whether a format string logs one is its program's to say.
    upstream: false,
    fields: &[],
    detect: Detect::Never,
    build: |p, _| match p {
        Param::Custom(program) => AnyExtractor::new(custom::Custom::new(program)),
        _ => unreachable!("a custom format is built from its program"),
    },
};

/// The preset `--log-format NAME` names: its name or an alias, in any case
/// (GoAccess spells them `COMBINED`).
pub fn by_name(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| {
        std::iter::once(&p.name)
            .chain(p.aliases)
            .any(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The name or alias `--log-format` accepts that `typo` most likely meant:
/// the nearest by edit distance (a swap of two neighbours counts once, as in
/// `ngnix`), if it is near enough to be a slip rather than another word.
pub fn suggest(typo: &str) -> Option<&'static str> {
    let typo = typo.to_ascii_lowercase();
    // One slip in a short word, two in a longer one: further than that the
    // "suggestion" is a guess that sends people to the wrong format.
    let near = if typo.chars().count() <= 4 { 1 } else { 2 };
    std::iter::once("auto")
        .chain(
            PRESETS
                .iter()
                .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied())),
        )
        .map(|n| (edit_distance(&typo, n), n))
        .filter(|&(d, _)| d <= near)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and swaps of adjacent characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The fields column of README's table for `p`.
fn fields_cell(p: &Preset) -> String {
    if std::ptr::eq(p, &CUSTOM) {
        return "from its variables (`$request`, `$request_uri`, `$host`, `$http_user_agent`, `%r`, `%U`, `%h`, `%{User-Agent}i` …)".into();
    }
    if p.wraps() {
        return "the inner format's".into();
    }
    let names: Vec<String> = p.fields.iter().map(|f| format!("`{}`", f.name())).collect();
    let mut cell = names.join(", ");
    if matches!(p.name, "w3c" | "cloudfront") {
        cell.push_str(" (as its `#Fields:` declares)");
    }
    cell
}

/// The names `--log-format` accepts, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|p| p.name)
}

/// README's format table: one row per preset, then format strings.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| `--log-format` | what | status read | `--top` fields |\n|---|---|---|---|\n",
    );
    for p in PRESETS.iter().chain(std::iter::once(&CUSTOM)) {
        let names = if std::ptr::eq(p, &CUSTOM) {
            "a format string".to_string()
        } else {
            std::iter::once(p.name)
                .chain(p.aliases.iter().copied())
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {names} | {} | {} | {} |\n",
            p.what,
            p.status,
            fields_cell(p)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        // Unique ignoring case, since names are looked up ignoring it.
        let mut all: Vec<String> = PRESETS
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
            .chain(["auto", CUSTOM.name])
            .map(str::to_ascii_lowercase)
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a name or alias is used twice");
    }

    #[test]
    fn every_name_is_found() {
        for p in &PRESETS {
            assert!(std::ptr::eq(by_name(p.name).unwrap(), p));
            for a in p.aliases {
                assert!(std::ptr::eq(by_name(a).unwrap(), p));
            }
        }
        assert!(by_name("custom").is_none());
    }

    #[test]
    fn names_are_found_in_any_case_and_goaccess_spellings_work() {
        for (typed, preset) in [
            ("COMBINED", "combined"),
            ("VCOMBINED", "vcombined"),
            ("COMMON", "common"),
            ("VCOMMON", "vcommon"),
            ("W3C", "w3c"),
            ("CLOUDFRONT", "cloudfront"),
            ("AWSELB", "elb"),
            ("AWSALB", "alb"),
            ("SQUID", "squid"),
            ("CADDY", "caddy"),
            ("TRAEFIKCLF", "traefik"),
            ("nginx", "combined"),
            ("Apache", "combined"),
            ("clf", "common"),
            ("IIS", "w3c"),
        ] {
            assert_eq!(by_name(typed).map(|p| p.name), Some(preset), "{typed}");
        }
        // GoAccess formats logstat does not read stay unknown.
        assert!(by_name("CLOUDSTORAGE").is_none());
        assert!(by_name("AWSS3").is_none());
    }

    #[test]
    fn typos_suggest_the_nearest_name() {
        for (typo, want) in [
            ("ngnix", Some("nginx")),
            ("NGNIX", Some("nginx")),
            ("combind", Some("combined")),
            ("comon", Some("common")),
            ("jsno", Some("json")),
            ("w3", Some("w3c")),
            ("atuo", Some("auto")),
            ("haproxxy", Some("haproxy")),
            ("traefik-jsn", Some("traefik-json")),
            // Too far from every name to be a slip.
            ("apache2-vhost", None),
            ("xyz", None),
            ("CLOUDSTORAGE", None),
        ] {
            assert_eq!(suggest(typo), want, "{typo}");
        }
    }

    #[test]
    fn edit_distance_counts_a_swap_once() {
        assert_eq!(edit_distance("ngnix", "nginx"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
