#!/bin/sh
# Run every libFuzzer target in build/fuzz/fuzz for SECONDS each on a copy
# of its seed corpus test/fuzz/corpus/<target>/.  Exits non-zero on the
# first crash; prints "N passed, N failed".
set -u
secs=${1:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
# Known leaks inside system libraries, each explained in the file.
LSAN_OPTIONS="suppressions=$top/test/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
pass=0
fail=0
for f in "$top"/build/fuzz/fuzz/fz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	work=$(mktemp -d)
	[ -d "$top/test/fuzz/corpus/$name" ] &&
	    cp -r "$top/test/fuzz/corpus/$name/." "$work/"
	if "$f" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 \
	    -print_final_stats=0 -artifact_prefix="$work/" "$work" \
	    >"$work.log" 2>&1; then
		echo "fuzz: $name: ok (${secs}s)"
		pass=$((pass + 1))
	else
		echo "fuzz: $name: FAILED"
		tail -40 "$work.log"
		fail=$((fail + 1))
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
