#!/usr/bin/env bash
# Peak memory of logstat on inputs whose lines never end, beside a normal
# log's: memory must stay flat however long a line is.
#
#   cargo build --release && bash benches/rss.sh
#
# Needs GNU time (`apt-get install time`) and gzip. The inputs are made once in
# DIR (default target/bench-data): a 256 MiB Combined log (the shipped sample
# repeated), a 1 GiB file that is one line, and a gzip bomb (10 GiB of zeros
# in about 10 MiB of gzip); `/dev/zero` is read through `head -c 2G` on stdin.
# Prints a Markdown table of peak RSS (GNU `time -f %M`) per input.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LOGSTAT_BIN:-target/release/logstat}
dir=${LOGSTAT_BENCH_DIR:-target/bench-data}
[ -x "$bin" ] || { echo "no $bin; run: cargo build --release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
mkdir -p "$dir"

normal=$dir/normal-256M.log
long=$dir/one-line-1G.log
bomb=$dir/zeros-10G.gz
[ -s "$normal" ] || { yes "$(cat fixtures/sample-combined.log)" || true; } | head -c 256M > "$normal"
[ -s "$long" ] || head -c 1G /dev/zero | tr '\0' a > "$long"
[ -s "$bomb" ] || head -c 10G /dev/zero | gzip -9 > "$bomb"

# Peak RSS in MiB of logstat reading ARGS; stdin is this function's.
peak() {
  local kib
  kib=$(/usr/bin/time -f %M "$bin" -o json "$@" 2>&1 > /dev/null | tail -n 1)
  awk -v k="$kib" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

echo "$(nproc) cores, logstat $("$bin" --version | cut -d' ' -f2), default --max-line-length (1 MiB)"
echo
echo "| input | peak RSS |"
echo "|---|---:|"
echo "| 256 MiB Combined log, file | $(peak "$normal") |"
echo "| 256 MiB Combined log, stdin | $(peak - < "$normal") |"
echo "| one 1 GiB line, file | $(peak --log-format combined "$long") |"
echo "| one 1 GiB line, stdin | $(peak --log-format combined - < "$long") |"
echo "| \`head -c 2G /dev/zero\`, stdin | $(head -c 2G /dev/zero | peak --log-format combined -) |"
echo "| gzip bomb, $(($(stat -c %s "$bomb") >> 20)) MiB inflating to 10 GiB of zeros, file | $(peak --log-format combined "$bomb") |"
