#!/bin/sh
# lib/answer/cdbmap's own cdb lookup against tinycdb's cdb_find on the
# same files (bench/cdbmap.c says what is measured).  cdbmap.c keeps its
# own lookup only while this shows it faster; rb-dnsd's CPU per query
# (bench/dnsd.sh, BENCH_BASE_BIN=a build on tinycdb's lookup) is the
# end-to-end check.  Builds against the librb.a beside BENCH_BIN.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${BENCH_BIN:-$top/build/gcc/bin}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -iquote "$top/lib" \
    -o "$W/cdbmap" "$top/bench/cdbmap.c" "$bin/../lib/librb.a" -lcdb ||
	{ echo "bench: cdbmap did not build"; exit 1; }
taskset -c 0 "$W/cdbmap" "$W"
