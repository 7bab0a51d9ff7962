#!/usr/bin/env bash
# Compressed inputs across cores: N compressed files read at once, against
# the largest of them alone. The goal: with N cores and N files, within 1.2 ×
# the time of the largest single file (each file is decompressed by a reader
# thread of its own; the workers count what the readers hand them, or, once
# every thread has a reader, each reader counts its own lines).
#
#   cargo build --release && cargo bench --bench compare --no-run
#   bash benches/compressed.sh [LOG]
#
# With no LOG, the compare bench binary generates the same deterministic 1 GiB
# Combined log as `cargo bench --bench compare`. The log is cut at line ends
# into 4 parts (about 256 MiB each), each compressed with `gzip -1` and with
# `zstd -3`, into DIR (default target/bench-data). Needs hyperfine, gzip, zstd.
# Prints, per format, a Markdown table of mean wall time and CPU time over RUNS
# runs (default 5) of: the largest part alone, N parts with `-j 1`, N parts
# with `-j N`, all 4 parts with `-j N` (N = THREADS, default all cores), the
# whole log in one file; and the ratio of N parts at `-j N` to the largest
# part alone, from those means and again from the two run by turns (3 ×
# RUNS pairs, the median ratio of a pair; needs python3).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LOGSTAT_BIN:-target/release/logstat}
dir=${LOGSTAT_BENCH_DIR:-target/bench-data}
runs=${RUNS:-5}
n=${THREADS:-$(nproc)}
log=${1:-}
[ -x "$bin" ] || { echo "no $bin; run: cargo build --release" >&2; exit 2; }
for tool in hyperfine gzip zstd split; do
  command -v "$tool" > /dev/null || { echo "needs $tool (apt-get install hyperfine zstd)" >&2; exit 2; }
done
[ "$n" -le 4 ] || { echo "THREADS=$n: only 4 parts are made; set THREADS to 4 or fewer" >&2; exit 2; }
mkdir -p "$dir"
if [ -z "$log" ]; then
  gen=$(ls -t target/release/deps/compare-* 2>/dev/null | grep -v '\.d$' | head -n 1)
  [ -n "$gen" ] || { echo "no compare bench binary; run: cargo bench --bench compare --no-run" >&2; exit 2; }
  log=$(LOGSTAT_BENCH_GENERATE_ONLY=1 LOGSTAT_BENCH_DIR=$dir "$gen" | sed -n 1p)
fi

base=$dir/$(basename "$log" .log)
if [ ! -s "$base.part4.log.zst" ]; then
  split -n l/4 --numeric-suffixes=1 -a 1 --additional-suffix=.log "$log" "$base.part"
  for f in "$base".part?.log "$log"; do
    gzip -1 -c "$f" > "$f.gz"
    zstd -q -3 -f "$f" -o "$f.zst"
  done
fi

# Mean wall and user+system seconds of a command, from hyperfine's CSV.
measure() {
  local csv
  csv=$(mktemp)
  hyperfine -N --style none --warmup 1 --runs "$runs" --export-csv "$csv" "$1" > /dev/null
  awk -F, 'NR == 2 { printf "%.3f %.3f\n", $2, $5 + $6 }' "$csv"
  rm -f "$csv"
}

# A table row for a command; its wall time is left in $dir/.last.
row() {
  local t
  t=$(measure "$2")
  printf '| %s | %.3f s | %.3f s |\n' "$1" "${t% *}" "${t#* }"
  echo "${t% *}" > "$dir/.last"
}

echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), N = $n, means of $runs runs"
for ext in gz zst; do
  parts=("$base".part?.log."$ext")
  largest=$(ls -S "${parts[@]}" | head -n 1)
  cat "${parts[@]}" "$log.$ext" > /dev/null # page cache
  echo
  echo "| $ext: command | wall | CPU (user+sys) |"
  echo "|---|---:|---:|"
  row "largest part alone, \`-j $n\`" "$bin -o json -j $n $largest"
  single=$(cat "$dir/.last")
  row "$n parts, \`-j 1\`" "$bin -o json -j 1 ${parts[*]:0:$n}"
  row "$n parts, \`-j $n\`" "$bin -o json -j $n ${parts[*]:0:$n}"
  together=$(cat "$dir/.last")
  row "4 parts, \`-j $n\`" "$bin -o json -j $n ${parts[*]}"
  row "whole log in one file, \`-j $n\`" "$bin -o json -j $n $log.$ext"
  awk -v a="$together" -v b="$single" -v n="$n" \
    'BEGIN { printf "\n%s parts at -j %s: %.2f x the largest part alone (means above)\n", n, n, a / b }'
  # The bar's ratio again, from the two commands run by turns (one, then
  # the other, 3 x RUNS times), so that a slow minute of a shared machine
  # falls on both: the median of each, and the median of the ratios of
  # each pair. The means above come from separate runs minutes apart.
  python3 - "$((runs * 3))" "$n" "$bin -o json -j $n $largest" "$bin -o json -j $n ${parts[*]:0:$n}" <<'PY'
import statistics, subprocess, sys, time
runs, n, alone, together = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
once(alone), once(together)  # warm-up
pairs = [(once(alone), once(together)) for _ in range(runs)]
a = statistics.median(p[0] for p in pairs)
b = statistics.median(p[1] for p in pairs)
r = statistics.median(p[1] / p[0] for p in pairs)
print(f"by turns, {runs} pairs: largest part alone {a:.3f} s, {n} parts at -j {n} {b:.3f} s (medians); median ratio {r:.2f} x")
PY
done
rm -f "$dir/.last"
