#!/bin/sh
# make bench: every bench/*.sh in turn.  Each prints its own lines.
top=$(cd "$(dirname "$0")/.." && pwd)
for b in "$top"/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	sh "$b" || echo "bench: $(basename "$b") failed"
done
