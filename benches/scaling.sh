#!/usr/bin/env bash
# Thread scaling of logstat on a machine with many cores, without cargo there:
# build here, carry the binaries, run there.
#
#   here:   cargo build --release && cargo bench --bench compare --no-run
#   there:  bash benches/scaling.sh [LOG]
#
# With no LOG, the compare bench binary generates the same deterministic 1 GiB
# Combined log as `cargo bench --bench compare` (LOGSTAT_BENCH_GENERATE_ONLY).
# Prints a Markdown table: median wall time of RUNS runs (default 7) for
# `wc -l` and `logstat -j N` for N in THREADS (default "1 2 4 8 16"), GiB/s.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LOGSTAT_BIN:-target/release/logstat}
runs=${RUNS:-7}
threads=${THREADS:-"1 2 4 8 16"}
log=${1:-}
if [ -z "$log" ]; then
  gen=$(ls -t target/release/deps/compare-* 2>/dev/null | grep -v '\.d$' | head -n 1)
  [ -n "$gen" ] || { echo "no compare bench binary; run: cargo bench --bench compare --no-run" >&2; exit 2; }
  log=$(LOGSTAT_BENCH_GENERATE_ONLY=1 LOGSTAT_BENCH_DIR=${LOGSTAT_BENCH_DIR:-/tmp/logstat-bench} "$gen" | sed -n 1p)
fi
cat "$log" > /dev/null  # page cache
bytes=$(stat -c %s "$log")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
  done | median
}

echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $((bytes >> 20)) MiB log, medians of $runs runs"
echo
echo "| command | median | GiB/s | vs \`wc -l\` |"
echo "|---|---:|---:|---:|"
wc_t=$(timeit wc -l "$log")
calc() { awk "BEGIN { print $1 }"; }
printf '| `wc -l` | %.3f s | %.1f | 1.00 |\n' "$wc_t" "$(calc "$bytes / $wc_t / 2^30")"
for j in $threads; do
  t=$(timeit "$bin" -j "$j" -o json "$log")
  printf '| `logstat -j %s` | %.3f s | %.1f | %.2f |\n' "$j" "$t" "$(calc "$bytes / $t / 2^30")" "$(calc "$t / $wc_t")"
done
