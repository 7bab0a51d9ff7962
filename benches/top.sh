#!/usr/bin/env bash
# `--top` beside the plain scan and beside the usual ways of getting "which
# URLs", on the compare bench's 1 GiB generated Combined log:
#
#   - `--top path --where 5xx` (5xx are about 3 % of its lines) against the
#     plain scan, the issue's bar being 1.2 x;
#   - `--top path` over every request against
#     `awk '{print $7}' | sort | uniq -c | sort -rn | head` (mawk, and the
#     system awk when it is another), the bar being 10 x faster;
#   - GoAccess's requested-files panel on a slice of the same log (it takes
#     minutes per GiB), beside `--top path` on that slice;
#   - peak RSS of `--top url --top-memory 64M` on a log of 50 M distinct
#     URLs (about 4 GiB, generated here and deleted after), against the
#     budget.
#
# Usage (after `cargo build --release && cargo bench --bench compare
# --no-run`; needs hyperfine, GNU time, mawk and goaccess):
#
#   bash benches/top.sh [path/to/logstat]
#
# Environment: DIR (generated logs, default target/bench-data), RUNS
# (hyperfine runs, default 5), SLICE_MB (GoAccess's slice, default 64),
# DISTINCT (distinct URLs of the memory log, default 50000000; 0 leaves it
# out), KEEP_DISTINCT=1 to keep that log.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/release/logstat}
DIR=${DIR:-target/bench-data}
RUNS=${RUNS:-5}
SLICE_MB=${SLICE_MB:-64}
DISTINCT=${DISTINCT:-50000000}
mkdir -p "$DIR"

gen=$(ls -t target/release/deps/compare-* 2>/dev/null | grep -v '\.d$' | head -n 1 || true)
[ -n "$gen" ] || { echo "no compare bench binary; run: cargo bench --bench compare --no-run" >&2; exit 2; }
log=$(LOGSTAT_BENCH_GENERATE_ONLY=1 LOGSTAT_BENCH_DIR=$DIR "$gen" | sed -n 1p)
slice="$DIR/combined-${SLICE_MB}M-slice.log"
[ -s "$slice" ] || head -c $((SLICE_MB << 20)) "$log" | sed '$d' > "$slice"
cat "$log" > /dev/null # page cache

echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(($(stat -c %s "$log") >> 20)) MiB log"
echo

awks="mawk"
if command -v awk > /dev/null && ! awk -W version 2>&1 | grep -q mawk; then
  awks="$awks awk"
fi
cmds=(
  "$BIN -o json $log"
  "$BIN -o json --top path --where 5xx $log"
  "$BIN -o json -j 1 $log"
  "$BIN -o json -j 1 --top path --where 5xx $log"
  "$BIN -o json --top path $log"
  "$BIN -o json --top path --group-paths --top client $log"
)
for a in $awks; do
  cmds+=("$a '{print \$7}' $log | sort | uniq -c | sort -rn | head")
done
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$DIR/top-times.md" "${cmds[@]}"
cat "$DIR/top-times.md"
echo

if command -v goaccess > /dev/null; then
  echo "GoAccess on a ${SLICE_MB} MiB slice (requests panel, the rest ignored where it lets us):"
  hyperfine --runs 1 --export-markdown "$DIR/top-goaccess.md" \
    "goaccess $slice --log-format=COMBINED --no-global-config -o $DIR/goaccess.json --ignore-panel=VISITORS --ignore-panel=REQUESTS_STATIC --ignore-panel=NOT_FOUND --ignore-panel=HOSTS --ignore-panel=OS --ignore-panel=BROWSERS --ignore-panel=VISIT_TIMES --ignore-panel=REFERRERS --ignore-panel=REFERRING_SITES --ignore-panel=KEYPHRASES --ignore-panel=STATUS_CODES --ignore-panel=REMOTE_USER --ignore-panel=CACHE_STATUS --ignore-panel=GEO_LOCATION --ignore-panel=MIME_TYPE --ignore-panel=TLS_TYPE" \
    "$BIN -o json --top path $slice" \
    "mawk '{print \$7}' $slice | sort | uniq -c | sort -rn | head"
  cat "$DIR/top-goaccess.md"
  echo
fi

if [ "$DISTINCT" -gt 0 ]; then
  big="$DIR/distinct-${DISTINCT}.log"
  if [ ! -s "$big" ]; then
    echo "generating $big ($DISTINCT distinct URLs) ..." >&2
    mawk -v n="$DISTINCT" 'BEGIN {
      for (i = 0; i < n; i++)
        printf "10.0.%d.%d - - [12/Mar/2024:08:15:42 +0100] \"GET /item/%d?v=%d HTTP/1.1\" %d 5\n",
          i % 256, i % 251, i, i % 7, (i % 50 == 0) ? 503 : 200
    }' > "$big"
  fi
  echo "$(($(stat -c %s "$big") >> 20)) MiB, $DISTINCT distinct URLs:"
  echo
  echo "| command | wall | peak RSS |"
  echo "|---|---:|---:|"
  for args in "" "--top url --top-memory 64M" "--top url --top-memory 256M" "--top url --where 5xx"; do
    /usr/bin/time -f "%e %M" -o "$DIR/time.out" "$BIN" -o json $args "$big" > "$DIR/top-distinct.json"
    read -r wall rss < "$DIR/time.out"
    printf '| `logstat %s` | %s s | %d MiB |\n' "$args" "$wall" $((rss >> 10))
  done
  [ "${KEEP_DISTINCT:-0}" = 1 ] || rm -f "$big"
fi
