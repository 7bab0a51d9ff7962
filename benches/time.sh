#!/usr/bin/env bash
# Time options beside the plain scan, side by side in one hyperfine run:
#
#   - `--by 1m` against the plain scan of a 1 GiB generated Combined log
#     (all threads and -j 1), the issue's bar being 1.3 x: a table of
#     medians and ratios follows hyperfine's output;
#   - `--by 1m` beside angle-grinder's `timeslice` and GoAccess's time
#     distribution panel, on a slice of the same log (both take far longer);
#   - `--last 15m` and `--since` on a 10 GiB log, warm: a bisection on time
#     reads a few probes and the last minutes, whatever the file's size.
#
# Usage (after `cargo build --release`; needs python3 and hyperfine, and for
# the comparison `cargo install ag` and `apt-get install goaccess`):
#
#   bash benches/time.sh [path/to/logstat]
#
# Environment: DIR (generated logs, default target/bench-data), RUNS
# (hyperfine runs, default 10), SLICE_MB (the slice the other tools read,
# default 64), BIG_GB (size of the big log, default 10; 0 leaves it out),
# KEEP_BIG=1 to keep the big log (it is deleted at the end otherwise),
# GEN_ONLY=1 to write the logs and stop.
#
# The logs are generated here, deterministically: Combined lines with the
# compare bench's kind of mix (IPv4 and IPv6 clients, query strings,
# escaped quotes, vendor codes, blank and cut lines), 20 a second, times in
# order from 2026-11-01T00:00:00+01:00.
set -euo pipefail

BIN=${1:-target/release/logstat}
DIR=${DIR:-target/bench-data}
RUNS=${RUNS:-10}
SLICE_MB=${SLICE_MB:-64}
BIG_GB=${BIG_GB:-10}
mkdir -p "$DIR"

gen() { # gen FILE MIB
    python3 - "$1" "$2" <<'PY'
import sys, random, datetime
path, mib = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
statuses = [(200, 7200), (304, 700), (301, 300), (302, 250), (206, 120), (204, 80), (404, 600),
            (400, 90), (401, 60), (403, 80), (429, 60), (499, 120), (444, 20), (500, 80), (502, 60),
            (503, 50), (504, 40), (520, 10), (0, 10), (101, 10)]
codes = [c for c, w in statuses for _ in range(w)]
paths = ["/", "/index.html", "/static/js/app.3f9a1c.js", "/static/css/main.8d2e.css",
         "/api/v1/users/me", "/api/v2/orders", "/images/products/large/sku-88123-front.webp",
         "/wp-login.php", "/search?q=running+shoes&page=3&utm_source=newsletter&utm_campaign=autumn-sale-2026",
         "/healthz", "/favicon.ico", '/q?name=\\"quoted\\"&path=C:\\\\temp']
agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
          "curl/8.5.0", "Go-http-client/2.0", "python-requests/2.32.3",
          "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"]
methods = ["GET"] * 4 + ["POST", "HEAD", "PUT", "DELETE"]
refs = ["-", "-", "https://www.example.com/", "https://duckduckgo.com/"]
pool = []
for i in range(8192):
    r = rng.random()
    if r < 0.0003:
        pool.append((None, "\n"))
        continue
    if rng.random() < 0.1:
        client = "2001:db8:%x:%x::%x" % (rng.randrange(65535), rng.randrange(65535), rng.randrange(65535))
    else:
        client = "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
    if r < 0.0008:
        pool.append((client + " - - [", '] "GET /cut-off-by-a-crash\n'))
        continue
    code = rng.choice(codes)
    size = 0 if code in (204, 304) else rng.randrange(80000)
    rest = '] "%s %s HTTP/1.1" %03d %d "%s" "%s"\n' % (
        rng.choice(methods), rng.choice(paths), code, size, rng.choice(refs), rng.choice(agents))
    pool.append((client + " - - [", rest))
start = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
want = mib << 20
written, n, sec = 0, 0, 0
with open(path, "w", buffering=1 << 22) as f:
    while written < want:
        ts = (start + datetime.timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S %z")
        sec += 1
        out = []
        for _ in range(20):
            head, rest = pool[n % 8192]
            n += 1
            out.append(rest if head is None else head + ts + rest)
        s = "".join(out)
        f.write(s)
        written += len(s)
PY
}

LOG=$DIR/dated-1024M.log
[ -s "$LOG" ] || { echo "generating $LOG ..." >&2; gen "$LOG" 1024; }
SLICE=$DIR/dated-${SLICE_MB}M.log
[ -s "$SLICE" ] || head -c $((SLICE_MB << 20)) "$LOG" | sed '$d' > "$SLICE"
BIG=$DIR/dated-${BIG_GB}G.log
if [ "${GEN_ONLY:-0}" = 1 ]; then
    [ "$BIG_GB" -eq 0 ] || [ -s "$BIG" ] || gen "$BIG" $((BIG_GB << 10))
    exit 0
fi
cat "$LOG" "$SLICE" > /dev/null

echo "== --by 1m against the plain scan, $(du -h "$LOG" | cut -f1)" >&2
hyperfine -N -w 2 -r "$RUNS" --export-json "$DIR/time-by.json" \
    "$BIN $LOG" "$BIN --by 1m $LOG" \
    "$BIN -j 1 $LOG" "$BIN -j 1 --by 1m $LOG"
# Medians, and each --by run against the plain run above it.
python3 - "$DIR/time-by.json" <<'PY'
import json, statistics, sys
rows = json.load(open(sys.argv[1]))["results"]
print("| command | median | user CPU (mean) | vs plain |")
print("|---|---:|---:|---:|")
for i, r in enumerate(rows):
    med = statistics.median(r["times"])
    base = statistics.median(rows[i - i % 2]["times"])
    user = r["user"]
    print(f"| `{r['command']}` | {med:.3f} s | {user:.3f} s | {med / base:.2f} |")
PY

echo "== --by 1m beside angle-grinder and GoAccess, ${SLICE_MB} MiB slice" >&2
cmds=("$BIN --by 1m $SLICE")
if command -v agrind > /dev/null; then
    # Its parseDate refuses the CLF time as written (`01/Nov/2026:00:00:00
    # +0100`), so the parts are rearranged first; the zone is left out.
    cmds+=("agrind -f $SLICE '* | parse \"[*/*/*:* *]\" as day, mon, yr, t, z | timeslice(parseDate(concat(mon, \" \", day, \" \", yr, \" \", t))) 1m | count by _timeslice'")
fi
if command -v goaccess > /dev/null; then
    cmds+=("goaccess $SLICE --log-format=COMBINED --ignore-panel=VISITORS -o /dev/null --no-progress")
fi
hyperfine -w 1 -r 3 "${cmds[@]}"

if [ "$BIG_GB" -gt 0 ]; then
    [ -s "$BIG" ] || { echo "generating $BIG ..." >&2; gen "$BIG" $((BIG_GB << 10)); }
    echo "== --last 15m and --since on $(du -h "$BIG" | cut -f1), warm" >&2
    # An hour before the log's last line, as Unix seconds.
    since=$(tail -n 1 "$BIG" | python3 -c 'import sys, datetime; t = sys.stdin.read().split("[")[1].split("]")[0]; print(int(datetime.datetime.strptime(t, "%d/%b/%Y:%H:%M:%S %z").timestamp()) - 3600)')
    hyperfine -N -w 3 -r "$RUNS" \
        "$BIN --last 15m $BIG" "$BIN --last 15m --by 1m $BIG" "$BIN --since @$since $BIG"
    "$BIN" --last 15m "$BIG" | tail -n 2
    [ "${KEEP_BIG:-0}" = 1 ] || rm -f "$BIG"
fi
