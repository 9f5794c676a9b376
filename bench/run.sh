#!/bin/sh
# make bench: every bench/*.sh in turn.  Each prints its own lines;
# lib.sh holds their shared helpers and is not a bench.
top=$(cd "$(dirname "$0")/.." && pwd)
for b in "$top"/bench/*.sh; do
	case $(basename "$b") in run.sh | lib.sh) continue ;; esac
	sh "$b" || echo "bench: $(basename "$b") failed"
done
