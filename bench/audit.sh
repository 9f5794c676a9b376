#!/bin/sh
# Audit log speed: events per second rb-auditd appends when catching up
# (100,000 journal events from one rb-block import; 10,000 spool files as
# rb-apid drops them), and events per second rb-audit verify checks
# (two HMAC-SHA256 and one JSON parse per line).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
export RUNBOUND_AUDIT_HMAC_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

now() { perl -MTime::HiRes=time -e 'printf "%.3f\n", time'; }
rate() { # rate WHAT N T0 T1
	perl -e 'printf "audit: %s: %d events in %.3f s (%.0f events/s)\n",
	    $ARGV[0], $ARGV[1], $ARGV[3] - $ARGV[2],
	    $ARGV[1] / ($ARGV[3] - $ARGV[2])' "$@"
}
catch_up() { # run rb-auditd until it is ready (caught up), then stop it
	rm -f "$R/ready"
	"$bin/rb-auditd" -d "$R" -r 3 3>"$R/ready" 2>/dev/null &
	_p=$!
	while [ ! -s "$R/ready" ]; do sleep 0.005; done
	kill -TERM $_p
	wait $_p
}

n=${BENCH_AUDIT_EVENTS:-100000}
printf 'server:\n    audit-log: yes\n    journal-retention: %d\n' $((n + 10)) \
	>"$R/runbound.conf"
perl -e 'printf "{\"domain\":\"d%d.block.example\"}\n", $_ for 1..$ARGV[0]' \
	"$n" >"$R/imp"
"$bin/rb-block" -d "$R" import "$R/imp" >/dev/null
t0=$(now)
catch_up
t1=$(now)
rate "journal catch-up, batches of 4,096 per fsync, 10 MiB rotation" \
	"$n" "$t0" "$t1"

s=${BENCH_AUDIT_SPOOL:-10000}
mkdir -p "$R/audit/spool"
perl -e 'for my $i (1..$ARGV[1]) {
	my $n = sprintf("%020d-1-%d.json", 1e18 + $i, $i);
	open(my $f, ">", "$ARGV[0]/$n") or die;
	print $f "{\"ts\":1715000000,\"event\":\"auth_failure\",\"fields\":{\"path\":\"/dns\"}}\n";
}' "$R/audit/spool" "$s"
t0=$(now)
catch_up
t1=$(now)
rate "spool catch-up (read, append, remove, fsync)" "$s" "$t0" "$t1"

total=$(cat "$R"/audit/audit.log* | wc -l)
t0=$(now)
"$bin/rb-audit" -d "$R" verify >/dev/null
t1=$(now)
rate "rb-audit verify over $(ls "$R"/audit/audit.log* | wc -l) files" \
	"$total" "$t0" "$t1"
t0=$(now)
"$bin/rb-audit" -d "$R" tail -n 1000 >/dev/null
t1=$(now)
perl -e 'printf "audit: rb-audit tail -n 1000: %.3f s\n", $ARGV[1] - $ARGV[0]' \
	"$t0" "$t1"
