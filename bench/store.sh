#!/bin/sh
# Store write speed: 10,000 single `rb-dns add` (each a full transaction:
# lock, journal fsync, store rewrite, cdb rebuild) and one 100,000-line
# `rb-block import` (target: under 1 s).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT

now() { perl -MTime::HiRes=time -e 'printf "%.3f\n", time'; }

n=${BENCH_ADDS:-10000}
t0=$(now)
i=1
while [ $i -le $n ]; do
	"$bin/rb-dns" -d "$R/a" add "h$i.bench." A "10.$((i >> 16)).$(((i >> 8) & 255)).$((i & 255))" >/dev/null
	i=$((i + 1))
done
t1=$(now)
perl -e 'printf "store: %d single adds: %.2f s (%.2f ms per add)\n", $ARGV[0], $ARGV[2]-$ARGV[1], 1000*($ARGV[2]-$ARGV[1])/$ARGV[0]' "$n" "$t0" "$t1"

perl -e 'printf "{\"domain\":\"d%d.block.example\",\"action\":\"nxdomain\"}\n", $_ for 1..100000' > "$R/imp"
t0=$(now)
"$bin/rb-block" -d "$R/b" import "$R/imp" >/dev/null
t1=$(now)
perl -e 'printf "store: one 100,000-line import: %.3f s (target < 1 s)\n", $ARGV[1]-$ARGV[0]' "$t0" "$t1"
id=$("$bin/rb-block" -d "$R/b" list | jq -r '.blacklist[-1].id')
t0=$(now)
"$bin/rb-block" -d "$R/b" del "$id" >/dev/null
t1=$(now)
perl -e 'printf "store: one delete with 100,000 listed: %.3f s\n", $ARGV[1]-$ARGV[0]' "$t0" "$t1"
t0=$(now)
"$bin/rb-block" -d "$R/b" add one.more.example >/dev/null
t1=$(now)
perl -e 'printf "store: one add with 99,999 listed: %.3f s\n", $ARGV[1]-$ARGV[0]' "$t0" "$t1"
