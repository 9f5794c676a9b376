#!/bin/sh
# GET /metrics against a live rb-dnsd: Runbound's families under their
# documented names, and beside them families in base units (the
# runbound_query_duration_seconds histogram, replies by rcode, queries by
# transport, blocks by action, the cache counters), each figure checked
# against the queries sent; promtool (Debian's prometheus) parses it all
# and notes nothing but a documented Runbound name.
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || {
	echo "1..0 # SKIP promtool not installed (Debian package prometheus)"
	exit 0
}

R=$(tmproot)
P=$(free_port)
A=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    api-port: $A
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null &&
rb-block -d "$R" add ads.example.com nxdomain >/dev/null &&
rb-block -d "$R" add tracker.example.com refuse >/dev/null ||
	bail "unable to fill $R"
start_ready rb-dnsd "$R"
start_ready rb-apid "$R"
KEY=$(cat "$R/api.key")

q() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@" >/dev/null; }
# UDP: 2 NOERROR, a block NXDOMAIN, a block REFUSED, a REFUSED for a name
# under no forward zone; TCP: a NOERROR and a block NXDOMAIN.
q nas.home; q nas.home; q ads.example.com; q x.tracker.example.com
q nope.example; q +tcp nas.home; q +tcp www.ads.example.com

m=$(curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$A/metrics")
v() { # v SERIES: its value in $m
	echo "$m" | awk -v s="$1" '$1 == s { print $2; f = 1 } END { exit !f }'
}

# --- promtool -------------------------------------------------------------
# The names Runbound's reference documents (reference/runbound-rest-api.md
# and the inventory's /metrics row): only these may draw a lint note.
documented='runbound_queries_total runbound_blocked_total runbound_nxdomain_total
runbound_refused_total runbound_servfail_total runbound_forwarded_total
runbound_local_hits_total runbound_uptime_seconds runbound_qps
runbound_latency_ms runbound_cache_hit_rate runbound_cache_entries
runbound_dnssec_total'
lint=$(echo "$m" | promtool check metrics 2>&1)
rc=$?
ok "$([ $rc -eq 0 ] || [ $rc -eq 3 ]; echo $?)" "promtool parses /metrics (rc $rc)"
bad=$(echo "$lint" | awk -v d="$documented" '
	BEGIN { n = split(d, a, /[ \n]+/); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
	NF && !($1 in ok) { print }')
is "$bad" "" "promtool notes nothing but documented Runbound names"
is "$lint" "runbound_latency_ms metric names should not contain abbreviated units" \
	"its one note: runbound_latency_ms's unit, Runbound's name"

# --- Runbound's names, as documented ---------------------------------------
is "$(v runbound_queries_total)" 7 "runbound_queries_total"
is "$(v runbound_blocked_total)" 1 "runbound_blocked_total: blocks answered REFUSED (Runbound)"
is "$(v runbound_nxdomain_total)" 2 "runbound_nxdomain_total"
is "$(v runbound_refused_total)" 2 "runbound_refused_total"
is "$(v runbound_local_hits_total)" 3 "runbound_local_hits_total"
for s in 'runbound_qps{window="1m"}' 'runbound_qps{window="5m"}' \
	'runbound_qps{window="peak"}' runbound_cache_hit_rate \
	runbound_cache_entries runbound_uptime_seconds \
	'runbound_dnssec_total{status="secure"}'; do
	v "$s" >/dev/null
	ok $? "still there: $s"
done
like "$m" '# TYPE runbound_latency_ms summary' "runbound_latency_ms is a summary"
is "$(v runbound_latency_ms_count)" 7 "with _count"
like "$(v runbound_latency_ms_sum)" '^[0-9.e+-]+$' "and _sum (ms)"

# --- the histogram ----------------------------------------------------------
like "$m" '# TYPE runbound_query_duration_seconds histogram' \
	"runbound_query_duration_seconds is a histogram"
is "$(v 'runbound_query_duration_seconds_bucket{le="+Inf"}')" 7 "+Inf bucket: every query"
is "$(v runbound_query_duration_seconds_count)" 7 "_count"
sum_ms=$(v runbound_latency_ms_sum)
sum_s=$(v runbound_query_duration_seconds_sum)
is "$(awk -v a="$sum_ms" -v b="$sum_s" 'BEGIN { d = a - 1000 * b; print (d < 1e-6 && d > -1e-6) }')" 1 \
	"_sum in seconds, the summary's in ms"
buckets=$(echo "$m" | sed -n 's/^runbound_query_duration_seconds_bucket{le="\([^"]*\)"} \(.*\)/\1 \2/p')
is "$(echo "$buckets" | wc -l)" 16 "15 bounds and +Inf"
is "$(echo "$buckets" | awk 'NR > 1 && ($1 != "+Inf" && $1 + 0 <= le || $2 < c) { bad = 1 }
	{ le = $1 + 0; c = $2 } END { print bad + 0 }')" 0 "bounds rise, counts are cumulative"
is "$(echo "$buckets" | sed -n 1p | cut -d' ' -f1)" 0.0001 "first bound 100 us, in seconds"

# --- by rcode, transport, action ---------------------------------------------
is "$(v 'runbound_dns_responses_total{rcode="NOERROR"}')" 3 "responses NOERROR"
is "$(v 'runbound_dns_responses_total{rcode="NXDOMAIN"}')" 2 "responses NXDOMAIN"
is "$(v 'runbound_dns_responses_total{rcode="REFUSED"}')" 2 "responses REFUSED"
is "$(v 'runbound_dns_responses_total{rcode="SERVFAIL"}')" 0 "responses SERVFAIL"
is "$(v runbound_dns_requests_dropped_total)" 0 "nothing dropped"
is "$(echo "$m" | awk '/^runbound_dns_responses_total\{/ { s += $2 } END { print s }')" 7 \
	"the rcodes add up to every reply"
is "$(v 'runbound_dns_requests_total{transport="udp"}')" 5 "requests over UDP"
is "$(v 'runbound_dns_requests_total{transport="tcp"}')" 2 "requests over TCP"
is "$(v 'runbound_blocklist_hits_total{action="nxdomain"}')" 2 "blocklist hits, action nxdomain"
is "$(v 'runbound_blocklist_hits_total{action="refuse"}')" 1 "blocklist hits, action refuse"
is "$(v runbound_cache_hits_total):$(v runbound_cache_lookups_total)" 0:0 \
	"cache counters (nothing forwarded)"

# /stats carries the same figures.
s=$(curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$A/stats")
is "$(echo "$s" | jq -c '[.blocks.total, .rcodes.NOERROR, .transport.tcp, .query_duration_seconds.count]')" \
	'[3,3,2,7]' "/stats: blocks, rcodes, transport, histogram"
finish
