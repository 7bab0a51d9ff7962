//! A deterministic generator of realistic Combined access logs for benchmarks.
//!
//! Same seed, same bytes: figures in the README can be reproduced exactly.
//! The mix is meant to look like a busy public nginx: mostly IPv4 clients with
//! some IPv6, long URLs with query strings, escaped quotes, browser and bot
//! user agents, vendor codes (499, 444, 000, Cloudflare 52x) and a little
//! garbage (TLS bytes on a plain port, truncated lines, blank lines).

use std::io::{self, Write};

/// SplitMix64: tiny, fast and good enough to pick log fields.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Status codes with weights out of 10,000.
const STATUSES: &[(u16, u64)] = &[
    (200, 7200),
    (304, 700),
    (301, 300),
    (302, 250),
    (206, 120),
    (204, 80),
    (404, 600),
    (400, 90),
    (401, 60),
    (403, 80),
    (429, 60),
    (499, 120),
    (444, 20),
    (500, 80),
    (502, 60),
    (503, 50),
    (504, 40),
    (520, 10),
    (0, 10),
    (101, 10),
];

const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/static/js/app.3f9a1c.js",
    "/static/css/main.8d2e.css",
    "/api/v1/users/me",
    "/api/v2/orders",
    "/images/products/large/sku-88123-front.webp",
    "/wp-login.php",
    "/search",
    "/healthz",
    "/favicon.ico",
    "/.env",
];

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.5.0",
    "Go-http-client/2.0",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
];

const REFERERS: &[&str] = &[
    "-",
    "-",
    "https://www.example.com/",
    "https://www.example.com/products?category=shoes&sort=price_asc",
    "https://duckduckgo.com/",
];

const METHODS: &[&str] = &["GET", "GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE"];

fn status(rng: &mut Rng) -> u16 {
    let mut r = rng.below(10_000);
    for &(code, w) in STATUSES {
        if r < w {
            return code;
        }
        r -= w;
    }
    200
}

/// Writes one line (with its `\n`) into `out`.
pub fn line(rng: &mut Rng, n: u64, out: &mut Vec<u8>) {
    let roll = rng.below(10_000);
    if roll < 3 {
        out.extend_from_slice(b"\n");
        return;
    }
    if roll < 8 {
        out.extend_from_slice(
            b"10.0.3.7 - - [26/Nov/2026:10:00:00 +0000] \"GET /cut-off-by-a-crash",
        );
        out.push(b'\n');
        return;
    }
    // Client: IPv4 mostly, some IPv6.
    if rng.below(10) == 0 {
        let _ = write!(
            out,
            "2001:db8:{:x}:{:x}::{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff)
        );
    } else {
        let _ = write!(
            out,
            "{}.{}.{}.{}",
            rng.below(223) + 1,
            rng.below(256),
            rng.below(256),
            rng.below(254) + 1
        );
    }
    let secs = n / 20;
    let _ = write!(
        out,
        " - - [26/Nov/2026:{:02}:{:02}:{:02} +0000] \"",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    );
    if roll < 20 {
        // TLS handshake sent to a plain-HTTP port, as nginx escapes it.
        out.extend_from_slice(br"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\xB5");
        out.extend_from_slice(b"\" 400 157 \"-\" \"-\"\n");
        return;
    }
    let _ = write!(out, "{} {}", rng.pick(METHODS), rng.pick(PATHS));
    match rng.below(8) {
        0 => {
            let _ = write!(
                out,
                "?q=running+shoes&page={}&utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale-2026&session={:016x}{:016x}",
                rng.below(50),
                rng.next(),
                rng.next()
            );
        }
        1 => out.extend_from_slice(br#"?name=\"quoted\"&path=C:\\temp"#),
        _ => {}
    }
    let code = status(rng);
    let size = if code == 304 || code == 204 {
        0
    } else {
        rng.below(80_000)
    };
    let _ = writeln!(
        out,
        " HTTP/1.1\" {:03} {} \"{}\" \"{}\"",
        code,
        size,
        rng.pick(REFERERS),
        rng.pick(AGENTS)
    );
}

/// Writes about `bytes` bytes of log (whole lines) to `w`.
pub fn write_log(w: &mut dyn Write, bytes: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut buf = Vec::with_capacity(1 << 20);
    let mut written = 0u64;
    let mut n = 0u64;
    while written < bytes {
        buf.clear();
        while buf.len() < (1 << 20) - 4096 {
            line(&mut rng, n, &mut buf);
            n += 1;
        }
        w.write_all(&buf)?;
        written += buf.len() as u64;
    }
    Ok(written)
}

/// About `bytes` bytes of log in memory.
pub fn log_bytes(bytes: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 4096);
    write_log(&mut out, bytes as u64, seed).expect("writing to memory");
    out
}

/// The JSON access-log shapes [`json_line`] writes.
#[derive(Clone, Copy, Debug)]
pub enum JsonShape {
    /// Caddy v2's access log: the request as a nested object with its
    /// headers, then the response's fields, `status` near the end.
    Caddy,
    /// A flat structured-logger line (zap, pino, logrus style), `status`
    /// in the middle.
    Flat,
}

/// Writes one JSON access-log line (with its `\n`) of `shape` into `out`,
/// with the Combined generator's mix of clients, paths, agents and
/// statuses, and a little of what real JSON logs interleave: other log
/// messages without a status, a line cut short by a crash, blank lines.
pub fn json_line(rng: &mut Rng, n: u64, shape: JsonShape, out: &mut Vec<u8>) {
    let roll = rng.below(10_000);
    if roll < 3 {
        out.push(b'\n');
        return;
    }
    let ts = 1_795_600_000 + n / 20;
    let frac = rng.below(1000);
    if roll < 8 {
        let _ = writeln!(
            out,
            "{{\"level\":\"info\",\"ts\":{ts}.{frac:03},\"msg\":\"cut-off"
        );
        return;
    }
    if roll < 60 {
        let _ = writeln!(
            out,
            "{{\"level\":\"info\",\"ts\":{ts}.{frac:03},\"logger\":\"tls.cache.maintenance\",\"msg\":\"certificate is in configured renewal window\",\"remaining\":{}}}",
            rng.below(5_000_000)
        );
        return;
    }
    let ip = if rng.below(10) == 0 {
        format!(
            "2001:db8:{:x}:{:x}::{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff)
        )
    } else {
        format!(
            "{}.{}.{}.{}",
            rng.below(223) + 1,
            rng.below(256),
            rng.below(256),
            rng.below(254) + 1
        )
    };
    let method = rng.pick(METHODS);
    let mut uri = rng.pick(PATHS).to_string();
    match rng.below(8) {
        0 => {
            uri.push_str(&format!(
                "?q=running+shoes&page={}&utm_source=newsletter&session={:016x}",
                rng.below(50),
                rng.next()
            ));
        }
        1 => uri.push_str(r#"?name=\"quoted\"&path=C:\\temp"#),
        _ => {}
    }
    let agent = rng.pick(AGENTS);
    let code = status(rng);
    let size = if code == 304 || code == 204 {
        0
    } else {
        rng.below(80_000)
    };
    let dur = rng.below(2_000_000);
    match shape {
        JsonShape::Caddy => {
            let _ = writeln!(
                out,
                "{{\"level\":\"info\",\"ts\":{ts}.{frac:03},\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{ip}\",\"remote_port\":\"{}\",\"client_ip\":\"{ip}\",\"proto\":\"HTTP/2.0\",\"method\":\"{method}\",\"host\":\"www.example.com\",\"uri\":\"{uri}\",\"headers\":{{\"User-Agent\":[\"{agent}\"],\"Accept\":[\"*/*\"],\"Accept-Encoding\":[\"gzip, br\"]}},\"tls\":{{\"resumed\":false,\"version\":772,\"cipher_suite\":4865,\"proto\":\"h2\",\"server_name\":\"www.example.com\"}}}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.{dur:06},\"size\":{size},\"status\":{code},\"resp_headers\":{{\"Server\":[\"Caddy\"],\"Content-Type\":[\"text/html; charset=utf-8\"]}}}}",
                rng.below(64_000) + 1024
            );
        }
        JsonShape::Flat => {
            let _ = writeln!(
                out,
                "{{\"level\":\"info\",\"time\":\"2026-11-26T{:02}:{:02}:{:02}.{frac:03}Z\",\"caller\":\"httpserver/middleware.go:87\",\"msg\":\"request completed\",\"remote_addr\":\"{ip}\",\"method\":\"{method}\",\"path\":\"{uri}\",\"status\":{code},\"bytes\":{size},\"duration_ms\":{}.{:03},\"user_agent\":\"{agent}\",\"request_id\":\"{:016x}\"}}",
                (ts / 3600) % 24,
                (ts / 60) % 60,
                ts % 60,
                dur / 1000,
                dur % 1000,
                rng.next()
            );
        }
    }
}

/// About `bytes` bytes of JSON access log of `shape` in memory.
pub fn json_log_bytes(bytes: usize, seed: u64, shape: JsonShape) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(bytes + 4096);
    let mut n = 0;
    while out.len() < bytes {
        json_line(&mut rng, n, shape, &mut out);
        n += 1;
    }
    out
}
