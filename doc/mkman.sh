#!/bin/sh
# mkman.sh OUTDIR: the manual pages, made from doc/*.md with lowdown.
# The daemons go to section 8, commands to 1, runbound.conf to 5;
# commands documented on another's page get a .so link to it.
set -eu
out=$1
doc=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/man1" "$out/man5" "$out/man8"
page() { # page MD NAME SECTION
	lowdown -s -Tman -M "title=$2" -M "section=$3" -M "date=" \
	    -M "source=runbound-c" "$1" > "$out/man$3/$2.$3"
}
for md in "$doc"/rb-*.md; do
	name=$(basename "$md" .md)
	case $name in
	rb-dnsd|rb-apid|rb-feedd|rb-auditd|rb-syncd|rb-axfr|rb-notify) page "$md" "$name" 8 ;;
	*) page "$md" "$name" 1 ;;
	esac
done
page "$doc/runbound.conf.md" runbound.conf 5
for alias in rb-block:rb-dns rb-allow:rb-dns rb-logs:rb-stats; do
	printf '.so man1/%s.1\n' "${alias#*:}" > "$out/man1/${alias%%:*}.1"
done
