#!/bin/sh
# Hot data swap under load: dnsperf queries rb-dnsd steadily while 40
# writes each rename a new data/local.delta in (over local.cdb, which a
# write does not touch); no query is lost and
# every answer is NOERROR (a query in flight finishes on the old mapping).
. "$(dirname "$0")/../lib.sh"
command -v dnsperf >/dev/null || bail "dnsperf missing (make deps)"

R=$(tmproot)
P=$(free_port)
printf 'server:\n    interface: 127.0.0.1@%s\n    rate-limit: 0\n' "$P" >"$R/runbound.conf"
perl -e 'print "{\"name\":\"h$_.swap.home.\",\"type\":\"A\",\"value\":\"10.0.0.1\"}\n" for 1..200' |
	rb-dns -d "$R" import >/dev/null || bail "import"
perl -e 'print "h", 1 + $_ % 200, ".swap.home. A\n" for 0..9999' >"$R/queries"
start_bg rb-dnsd -d "$R" -r 3 -v 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"

dnsperf -s 127.0.0.1 -p "$P" -d "$R/queries" -l 6 -Q 3000 -c 4 >"$R/perf" 2>&1 &
PERF=$!
i=0
while [ $i -lt 40 ]; do
	rb-dns -d "$R" add "new$i.swap.home." A 10.0.1.1 >/dev/null || break
	i=$((i + 1))
done
is "$i" 40 "40 writes, each a new local.delta renamed in, during the load"
wait "$PERF"
sent=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$R/perf")
lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$R/perf")
diag "dnsperf: $sent sent, $lost lost"
ok "$([ "${sent:-0}" -gt 1000 ] && echo 0 || echo 1)" "over 1,000 queries were sent"
is "$lost" 0 "no query lost across the swaps"
like "$(grep -A2 'Response codes' "$R/perf")" "NOERROR [0-9]+ \(100\.00%\)" "every answer NOERROR"
maps=$(grep -c 'debug: reloaded data/local\.delta' "$R/log")
diag "$maps re-maps of local.delta (renames close together make one)"
ok "$([ "$maps" -gt 0 ] && echo 0 || echo 1)" "the swaps were served (re-maps logged at -v)"
ok "$(grep -q 'reloaded data/local\.cdb' "$R/log" && echo 1 || echo 0)" \
	"local.cdb was never replaced"
is "$(dig @127.0.0.1 -p "$P" +short new39.swap.home)" 10.0.1.1 "the last write is answered"
finish
