#!/bin/sh
# run/stats.shm end to end: rb-dnsd counts and logs real queries, rb-stats
# and rb-logs read them as Runbound's /stats and /logs JSON, run/ctl
# requests clear the log and reload, log-client-ip and log-retention.
# Runbound's "blocked" counts blocks answered REFUSED (its reference,
# "Counter semantics"); "blocks" counts every block, whatever its action.
# Every query goes to the log ring, whatever the verbosity.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    log-client-ip: yes
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null &&
rb-block -d "$R" add ads.example.com nxdomain >/dev/null &&
rb-block -d "$R" add tracker.example.com refuse >/dev/null ||
	bail "unable to fill $R"

start_dnsd() {
	rm -f "$R/ready"
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/ready"
}
q() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@" >/dev/null; }

start_dnsd || bail "rb-dnsd did not start"
# 2 local answers, 5 blocks with action nxdomain, 1 with action refuse, and
# a REFUSED for a name under no forward zone.
q nas.home; q nas.home
for n in ads.example.com a.ads.example.com b.ads.example.com \
	c.ads.example.com d.ads.example.com; do q "$n"; done
q x.tracker.example.com; q nope.example
s=$(rb-stats -d "$R")
ok $? "rb-stats reads run/stats.shm"
is "$(echo "$s" | jq -c '[.total,.local_hits,.nxdomain,.blocked,.refused]')" \
	'[9,2,5,1,2]' "total, local_hits, nxdomain, blocked (REFUSED blocks), refused"
is "$(echo "$s" | jq -c '.blocks')" '{"total":6,"nxdomain":5,"refuse":1}' \
	"blocks: every blocklist hit, split by action"
is "$(echo "$s" | jq '.blocked_percent')" 11.1 "blocked_percent: blocked / total"
is "$(echo "$s" | jq -r '.dnssec | keys | join(",")')" "bogus,insecure,secure" "dnssec counters present"
is "$(echo "$s" | jq '.qps_peak >= 1')" true "qps_peak"
l=$(rb-logs -d "$R")
is "$(echo "$l" | jq '.total')" 9 "the default verbosity logs every query"
is "$(echo "$l" | jq -r '[.entries[] | select(.action == "local")] | length')" 2 \
	"NOERROR answers included"
is "$(echo "$l" | jq -r '.entries[0].name')" "nope.example." "newest first"
is "$(echo "$l" | jq -r '.entries[1].action')" "blocked" "block logged as blocked"
is "$(echo "$l" | jq -r '.entries[2].action')" "blocked" "whatever its action"
is "$(echo "$l" | jq -r '.entries[0].client')" "127.0.0.1" "client address"
like "$(echo "$l" | jq -r '.entries[0].ts')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "RFC 3339 ts"
is "$(rb-logs -d "$R" -a blocked | jq .total)" 6 "filter by action"
is "$(rb-logs -d "$R" -c 127.0.0.2 | jq .total)" 0 "filter by client"
is "$(rb-logs -d "$R" -n 1 -p 1 | jq -c '[.entries[0].name,.page,.limit]')" \
	'["x.tracker.example.com.",1,1]' "paging"
rb-logs -d "$R" -n 1001 >/dev/null 2>&1
is $? 100 "limit over 1000 refused"
rb-logs -d "$R" -a bogus >/dev/null 2>&1
is $? 100 "unknown action refused"

# A clear-logs request through run/ctl is served and acknowledged.
echo 4242 > "$R/run/ctl/.req" && mv "$R/run/ctl/.req" "$R/run/ctl/clear-logs"
wait_for 5 sh -c "[ \"\$(rb-logs -d '$R' | jq .total)\" = 0 ]"
ok $? "clear-logs empties the ring"
ok "$([ ! -e "$R/run/ctl/clear-logs" ] && echo 0 || echo 1)" "the request file is consumed"

# A reload request re-reads runbound.conf (here: a new local-data line).
echo '    local-data: "cfg.home. 60 IN A 10.1.2.3"' >> "$R/runbound.conf"
rb-data -d "$R" >/dev/null
echo 99 > "$R/run/ctl/.req" && mv "$R/run/ctl/.req" "$R/run/ctl/reload"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short cfg.home | grep -q 10.1.2.3"
ok $? "reload request served"
stop_pid "$DNSD_PID"

# log-client-ip: no (the default), and the least verbosity.
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    verbosity: 0
EOF
start_dnsd || bail "rb-dnsd did not restart"
q nas.home
l=$(rb-logs -d "$R")
is "$(echo "$l" | jq -r '.entries[0].client')" "[redacted]" "log-client-ip defaults to no: redacted"
is "$(echo "$l" | jq -r '.entries[0].action')" "local" "verbosity 0 logs NOERROR answers too"
is "$(rb-logs -d "$R" -c 127.0.0.1 | jq .total)" 0 "no client filter match when redacted"
is "$(rb-stats -d "$R" | jq .total)" 1 "a restart starts counting anew"
stop_pid "$DNSD_PID"

cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    log-retention: 0
EOF
start_dnsd || bail "rb-dnsd did not restart"
q ads.example.com
is "$(rb-logs -d "$R" | jq .total)" 0 "log-retention 0 keeps no log"
is "$(rb-stats -d "$R" | jq -c '[.nxdomain, .blocks.nxdomain]')" '[1,1]' "but still counts"
finish
