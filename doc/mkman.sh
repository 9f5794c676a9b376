#!/bin/sh
# mkman.sh OUTDIR [DOCDIR]: the manual pages, made from doc/*.md with lowdown.
# The daemons go to section 8, commands to 1, runbound.conf to 5;
# commands documented on another's page get a .so link to it.  Each page
# opens with a NAME section ("name, ... \- what it is", from the table
# below), which whatis, apropos and lexgrog read; the page's own title
# heading gives way to it.  With DOCDIR (where make install puts doc/*.md),
# the pages cite DOCDIR/x.md instead of doc/x.md.
set -eu
out=$1
docdir=${2:-}
doc=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/man1" "$out/man5" "$out/man8"

whatis() { # whatis NAME: the NAME line's text after "\-"
	case $1 in
	rb-apid) echo "Runbound's REST API over a runbound-c state root" ;;
	rb-audit) echo "read, tail and verify the HMAC-chained audit log" ;;
	rb-auditd) echo "write the journal and the audit spool into the HMAC-chained audit log" ;;
	rb-axfr) echo "serve AXFR and IXFR of the authoritative zones on a TCP connection" ;;
	rb-check) echo "check runbound.conf and print the effective configuration" ;;
	rb-conf) echo "make a runbound-c state root and its s6 service directories" ;;
	rb-data) echo "compact the store and rebuild the data files rb-dnsd serves" ;;
	rb-dns) echo "manage local DNS records, the blacklist and the allowlist" ;;
	rb-dnsd) echo "runbound-c DNS server: local data, blocklists, zones, forwarding" ;;
	rb-feed) echo "manage blocklist feed subscriptions" ;;
	rb-feedd) echo "keep subscribed blocklist feeds fresh" ;;
	rb-notify) echo "send DNS NOTIFY to the secondaries of the authoritative zones" ;;
	rb-stats) echo "print rb-dnsd's statistics and query log as JSON" ;;
	rb-sync) echo "show and control master/slave replication" ;;
	rb-syncd) echo "master/slave replication daemon" ;;
	rb-zone) echo "build, check and roll back authoritative zones" ;;
	runbound.conf) echo "runbound-c configuration file" ;;
	*)
		echo "mkman.sh: no NAME line for $1: add it to doc/mkman.sh" >&2
		return 1
		;;
	esac
}

page() { # page MD NAME SECTION
	names=$(sed -n '1s/^# *\([^:]*\).*/\1/p' "$1")
	what=$(whatis "$2")
	lowdown -s -Tman -M "title=$2" -M "section=$3" -M "date=" \
	    -M "source=runbound-c" "$1" |
	    awk -v names="$names" -v what="$what" '
		# The title heading (".SH", then the text of "# title").
		!done && $0 == ".SH" { skip = 1; next }
		skip == 1 {
			skip = 0; done = 1
			print ".SH NAME"
			print names " \\- " what
			print ".SH DESCRIPTION"
			next
		}
		{ print }' |
	    if [ -n "$docdir" ]; then
		sed -e "s|doc/\([A-Za-z0-9._-]*\.md\)|$docdir/\1|g" \
		    -e "s|<\\\\fI\([A-Za-z0-9._-]*\.md\)\\\\fR>|<\\\\fI$docdir/\1\\\\fR>|g"
	    else
		cat
	    fi >"$out/man$3/$2.$3"
	grep -q '^\.SH NAME$' "$out/man$3/$2.$3" || {
		echo "mkman.sh: $1: no title heading to name the page" >&2
		return 1
	}
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
