#!/bin/sh
# rb-apid against a live rb-dnsd: every curl example of Runbound's REST API
# reference run as written (the key exported as RUNBOUND_API_KEY, the port
# ours), each answer checked with jq; a 201 means dig already gets the
# record; /stats/stream, /metrics through promtool, /audit/tail, key
# rotation, HEAD and the /api/ alias.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
A=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    api-port: $A
    local-zone: "home." static
    log-client-ip: yes
    verbosity: 2
EOF

start_dnsd() {
	rm -f "$R/dready"
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/dready" 2>>"$R/dnsd.log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/dready" || bail "rb-dnsd did not start"
}
start_apid() {
	rm -f "$R/aready"
	start_bg rb-apid -d "$R" -r 3 3>"$R/aready" 2>>"$R/apid.log"
	APID_PID=$!
	wait_for 5 test -s "$R/aready" || bail "rb-apid did not start"
}
start_dnsd
start_apid
q() { dig @127.0.0.1 -p "$P" +time=1 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
code() { curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $RUNBOUND_API_KEY" "$@"; }

ok "$([ "$(stat -c %a "$R/api.key")" = 600 ]; echo $?)" \
	"a first start generates api.key, mode 0600"
like "$(cat "$R/apid.log")" "generated a new one" "and says so"
grep -q "$(cat "$R/api.key")" "$R/apid.log"
is $? 1 "never logging the key"

# --- Authentication -------------------------------------------------------
export RUNBOUND_API_KEY="$(cat "$R/api.key")"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns 2>/dev/null)
is "$(echo "$out" | jq -c .)" '{"entries":[],"total":0}' "Authentication example: GET /dns"

# --- GET /help --------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/help 2>/dev/null)
is "$(echo "$out" | jq '[.endpoints[] | select(.path=="/dns")] | length')" 2 \
	"GET /help lists GET and POST /dns"
is "$(echo "$out" | jq -r '[.endpoints[].method] | unique | join(",")')" \
	"DELETE,GET,POST" "with methods"
ok "$(echo "$out" | jq -e '.endpoints | all(has("method") and has("path") and has("description"))' >/dev/null; echo $?)" \
	"every endpoint has method, path, description"

# --- DNS entries -------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns 2>/dev/null)
is "$(echo "$out" | jq .total)" 0 "GET /dns example"
out=$(curl -X POST http://localhost:$A/dns \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"name":"nas.home.","type":"A","value":"192.168.1.10","ttl":300}' 2>/dev/null)
# Right after the reply, rb-dnsd answers: no wait, no retry.
got=$(q +short nas.home A)
is "$(echo "$out" | jq -r .status)" ok "POST /dns example: status ok"
is "$(echo "$out" | jq -r .rr)" "nas.home. 300 A 192.168.1.10" "rr"
is "$(echo "$out" | jq -c '.entry | [.name,.type,.value,.ttl]')" \
	'["nas.home.","A","192.168.1.10",300]' "entry"
like "$(echo "$out" | jq -r .entry.id)" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "entry id is a UUID"
is "$got" "192.168.1.10" "201 means dig already gets the record"
is "$(code -X POST http://localhost:$A/dns -H 'Content-Type: application/json' \
	-d '{"name":"tv.home","type":"A","value":"192.168.1.30"}')" 201 "POST /dns answers 201"
is "$(q +short tv.home A)" "192.168.1.30" "tv.home answered at once"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns |
	jq -c '[.entries[] | select(.name=="tv.home.") | .ttl]')" '[3600]' \
	"name gets its dot, TTL defaults to 3600"
out=$(curl -s -X POST http://localhost:$A/dns -H "Authorization: Bearer $RUNBOUND_API_KEY" \
	-H "Content-Type: application/json" \
	-d '{"name":"mail.home.","type":"MX","value":"nas.home.","priority":10,"ttl":100000}')
is "$(echo "$out" | jq -c '[.rr, .entry.ttl]')" '["mail.home. 86400 MX 10 nas.home.",86400]' \
	"MX with priority; TTL capped at 86400"
out=$(curl -s -X POST http://localhost:$A/dns -H "Authorization: Bearer $RUNBOUND_API_KEY" \
	-H "Content-Type: application/json" \
	-d '{"name":"junk.home.","type":"A","value":"192.168.1.40","priority":5,"x":{"y":[1,2]},"description":"printer"}')
is "$(echo "$out" | jq -c '.entry | del(.id)')" \
	'{"name":"junk.home.","type":"A","value":"192.168.1.40","ttl":3600,"description":"printer"}' \
	"only the type's own fields and a description are kept (no x, no priority on an A)"

# DELETE /dns/:id, as written (python3 picks the first id).
ID=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns \
  | python3 -c "import sys,json; print(json.load(sys.stdin)['entries'][0]['id'])")
out=$(curl -X DELETE "http://localhost:$A/dns/$ID" \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" 2>/dev/null)
is "$(echo "$out" | jq -c .)" "{\"status\":\"ok\",\"deleted_id\":\"$ID\"}" "DELETE /dns/:id example"
is "$(st nas.home A)" NXDOMAIN "deleted: the static zone answers NXDOMAIN at once"

# GET answers are cached until the store file changes, whoever changes it.
rb-dns -d "$R" add cli.home. A 192.168.1.40 >/dev/null
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns |
	jq -r '[.entries[].name] | index("cli.home.") != null')" true "a write by rb-dns shows in GET /dns"

# --- Blacklist ------------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/blacklist 2>/dev/null)
is "$(echo "$out" | jq -c .)" '{"blacklist":[],"total":0}' "GET /blacklist example"
out=$(curl -X POST http://localhost:$A/blacklist \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"domain":"ads.example.com","action":"nxdomain"}' 2>/dev/null)
got=$(st ads.example.com A)
is "$(echo "$out" | jq -c '[.status, .entry.domain, .entry.action]')" \
	'["ok","ads.example.com","nxdomain"]' "POST /blacklist example"
is "$got" NXDOMAIN "blocked at once"
is "$(st x.ads.example.com A)" NXDOMAIN "and every name below it"
ID=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/blacklist |
	jq -r '.blacklist[0].id')
out=$(curl -X DELETE "http://localhost:$A/blacklist/$ID" \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" 2>/dev/null)
is "$(echo "$out" | jq -r .deleted_id)" "$ID" "DELETE /blacklist/:id example"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/blacklist | jq .total)" 0 \
	"blacklist empty again"

# --- Allowlist (beyond Runbound) -----------------------------------------------
curl -s -X POST http://localhost:$A/blacklist -H "Authorization: Bearer $RUNBOUND_API_KEY" \
	-H "Content-Type: application/json" -d '{"domain":"example.org","action":"refuse"}' >/dev/null
is "$(st cdn.example.org A)" REFUSED "refuse action"
out=$(curl -s -X POST http://localhost:$A/allowlist -H "Authorization: Bearer $RUNBOUND_API_KEY" \
	-H "Content-Type: application/json" -d '{"domain":"cdn.example.org"}')
is "$(echo "$out" | jq -r .entry.domain)" cdn.example.org "POST /allowlist"
is "$(st cdn.example.org A)" REFUSED "allowed name is no longer blocked (no forwarding: REFUSED by policy)"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/allowlist | jq .total)" 1 \
	"GET /allowlist"
AID=$(echo "$out" | jq -r .entry.id)
is "$(code -X DELETE "http://localhost:$A/allowlist/$AID")" 200 "DELETE /allowlist/:id"

# --- /health, /stats, /stats/stream, /upstreams ------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/health 2>/dev/null)
is "$(echo "$out" | jq -r '.status')" ok "GET /health example"
ok "$(echo "$out" | jq -e '(.uptime_secs|type)=="number" and .queries >= 5' >/dev/null; echo $?)" \
	"uptime_secs and queries"
# Our fields beyond Runbound's (doc/api.md, "GET /stats").
ours='["cached","blocks","rcodes","transport","dropped","cache_lookups","query_duration_seconds"]'
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/stats 2>/dev/null)
is "$(echo "$out" | jq -c "[keys_unsorted[]] - $ours")" \
	'["total","blocked","forwarded","nxdomain","refused","servfail","local_hits","blocked_percent","uptime_secs","qps_1m","qps_5m","qps_peak","latency_p50_ms","latency_p95_ms","latency_p99_ms","cache_hit_rate","cache_entries","dnssec"]' \
	"GET /stats example: Runbound's fields in its order"
is "$(echo "$out" | jq -c '.dnssec | keys_unsorted')" '["secure","bogus","insecure"]' "dnssec object"
ok "$(echo "$out" | jq -e '.local_hits >= 2 and .nxdomain >= 2 and .blocked >= 1' >/dev/null; echo $?)" \
	"counters follow the queries made"
out=$(curl -N -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     http://localhost:$A/stats/stream --max-time 2.5 2>/dev/null)
n=$(echo "$out" | grep -c '^data: {')
ok "$([ "$n" -ge 2 ] && [ "$n" -le 4 ]; echo $?)" "GET /stats/stream example: one event a second ($n in 2.5 s)"
is "$(echo "$out" | grep '^data: ' | head -1 | sed 's/^data: //' | jq -c "[keys_unsorted[]] - $ours | length")" 18 \
	"each data: line is the /stats object"
hdrs=$(curl -s -N -D - -o /dev/null --max-time 1 -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/stats/stream)
like "$hdrs" "Content-Type: text/event-stream" "text/event-stream"
like "$hdrs" "X-Accel-Buffering: no" "X-Accel-Buffering: no"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/upstreams 2>/dev/null)
is "$(echo "$out" | jq -c .)" '{"upstreams":[],"total":0,"healthy":0}' "GET /upstreams example (no forward-zone yet)"

# --- /logs ------------------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/logs 2>/dev/null)
is "$(echo "$out" | jq -c '[.page, .limit]')" '[0,100]' "GET /logs example: page 0, limit 100"
ok "$(echo "$out" | jq -e '.total >= 5 and (.entries[0] | has("ts") and has("name") and has("client") and has("qtype") and has("action") and has("elapsed_ms"))' >/dev/null; echo $?)" \
	"entries have Runbound's fields"
is "$(echo "$out" | jq -r '.entries[0].name')" "cdn.example.org." "newest first"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     "http://localhost:$A/logs?action=blocked&limit=50" 2>/dev/null)
ok "$(echo "$out" | jq -e '.limit == 50 and .total >= 1 and all(.entries[]; .action == "blocked")' >/dev/null; echo $?)" \
	"?action=blocked&limit=50 example"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     "http://localhost:$A/logs?client=192.168.1.10" 2>/dev/null)
is "$(echo "$out" | jq .total)" 0 "?client=192.168.1.10 example (no such client)"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/logs?client=127.0.0.1" |
	jq '.total > 0 and all(.entries[]; .client == "127.0.0.1")')" true "?client=127.0.0.1 filters"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     "http://localhost:$A/logs?since=1747483200" 2>/dev/null)
ok "$(echo "$out" | jq -e '.total >= 5' >/dev/null; echo $?)" "?since=1747483200 example"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/logs?since=9999999999" | jq .total)" 0 \
	"since in the future: nothing"
before=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/logs?limit=1000" | jq .total)
out=$(curl -X DELETE -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     http://localhost:$A/logs 2>/dev/null)
is "$(echo "$out" | jq -c .)" "{\"message\":\"log buffer cleared\",\"entries_deleted\":$before}" \
	"DELETE /logs example: entries_deleted = what GET /logs held"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/logs | jq .total)" 0 "ring empty"
is "$(cat "$R"/journal/*.jnl | jq -c 'select(.event=="logs_clear") | .fields')" \
	"{\"entries_deleted\":$before}" "journalled as logs_clear {entries_deleted}"
# Three clears at once: rb-dnsd acts on the newest request file, and its
# answer counts for the requests made before it (no 503 after 2 s); the
# entries deleted add up to what the ring held, not three times that.
for i in 1 2 3 4 5; do q +short nas.home A >/dev/null; done
held=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/logs?limit=1000" | jq .total)
cp=""
for i in 1 2 3; do
	curl -s -X DELETE -H "Authorization: Bearer $RUNBOUND_API_KEY" \
	    -w ' %{http_code}\n' http://localhost:$A/logs >"$R/clear.$i" &
	cp="$cp $!"
done
for p in $cp; do wait "$p"; done
is "$(cat "$R/clear.1" "$R/clear.2" "$R/clear.3" | grep -o ' [0-9]*$' | tr -d '\n')" " 200 200 200" \
	"three DELETE /logs at once: 200 each"
is "$(cat "$R/clear.1" "$R/clear.2" "$R/clear.3" | sed 's/ [0-9]*$//' | jq -s 'map(.entries_deleted) | add')" \
	"$held" "... and their entries_deleted add up to the $held the ring held"

# --- /audit/tail --------------------------------------------------------------------
out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     "http://localhost:$A/audit/tail?n=50")
is "$(echo "$out" | tail -1)" 404 "GET /audit/tail example without audit-log: 404"
is "$(echo "$out" | head -1 | jq -r .error)" AUDIT_LOG_UNAVAILABLE "AUDIT_LOG_UNAVAILABLE"

# --- /config, /reload -----------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/config 2>/dev/null)
is "$(echo "$out" | jq -c '[keys_unsorted[]] - ["api_allowlist","mode"]')" \
	'["port","interfaces","forward_zones","file_local_zones","file_local_data","api_dns_entries","api_blacklist","api_feeds","access_control","private_addresses","rate_limit","cache_max_ttl","dnssec_validation","log_retention","log_client_ip","api_port","logfile"]' \
	"GET /config example: Runbound's fields"
is "$(echo "$out" | jq -c '[.interfaces, .file_local_zones, .api_dns_entries, .api_blacklist, .api_port]')" \
	"[[\"127.0.0.1@$P\"],1,4,1,$A]" "values"
echo "$out" | grep -qi "key\"\|$RUNBOUND_API_KEY"
is $? 1 "no key of any kind in /config"
cat >>"$R/runbound.conf" <<EOF
    local-data: "printer.home. 300 IN A 192.168.1.20"
    audit-log: yes
EOF
out=$(curl -X POST http://localhost:$A/reload \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" 2>/dev/null)
is "$(echo "$out" | jq -c .)" '{"status":"ok","cfg_path":"runbound.conf","local_zones":1,"local_data":1}' \
	"POST /reload example (cfg_path without the state root)"
is "$(q +short printer.home A)" 192.168.1.20 "config local-data answered once /reload returns"
is "$(cat "$R"/journal/*.jnl | jq -r 'select(.event=="config_reload") | .event')" config_reload \
	"journalled as config_reload"
out=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/audit/tail?n=50")
is "$(echo "$out" | jq -r .error)" AUDIT_LOG_UNAVAILABLE "audit-log: yes but no audit.log yet: 404"
mkdir -p "$R/audit"
for s in 40 41 42; do
	printf '{"seq":%d,"ts":%d,"event":"dns_add","fields":{"name":"n%d.home."},"mac":"ab"}\n' \
		$s $((1715000000 + s)) $s
done >"$R/audit/audit.log"
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" \
     "http://localhost:$A/audit/tail?n=2" 2>/dev/null)
is "$(echo "$out" | jq -c '[.count, [.lines[].seq]]')" '[2,[41,42]]' "GET /audit/tail?n=2: last two, file order"
is "$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" "http://localhost:$A/audit/tail" | jq .count)" 3 \
	"default n=100 returns all 3"

# --- /metrics ---------------------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/metrics 2>/dev/null)
for m in runbound_queries_total runbound_blocked_total runbound_nxdomain_total \
	runbound_refused_total runbound_servfail_total runbound_forwarded_total \
	runbound_local_hits_total runbound_uptime_seconds 'runbound_qps{window="1m"}' \
	'runbound_qps{window="5m"}' 'runbound_qps{window="peak"}' \
	'runbound_latency_ms{quantile="0.5"}' 'runbound_latency_ms{quantile="0.95"}' \
	'runbound_latency_ms{quantile="0.99"}' runbound_cache_hit_rate \
	runbound_cache_entries 'runbound_dnssec_total{status="secure"}' \
	'runbound_dnssec_total{status="bogus"}' 'runbound_dnssec_total{status="insecure"}'; do
	echo "$out" | grep -qF "$m "
	ok $? "GET /metrics example: $m"
done
lint=$(echo "$out" | promtool check metrics 2>&1)
rc=$?
# Runbound's name runbound_latency_ms draws promtool's one lint note (the
# abbreviated unit); anything else, or a parse error, fails.  Our families
# in base units: test/integ/42-metrics.t.
is "$rc:$lint" "3:runbound_latency_ms metric names should not contain abbreviated units" \
	"promtool check metrics: parses, only the known name note"
is "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/metrics)" \
	"text/plain; version=0.0.4; charset=utf-8" "Content-Type text/plain; version=0.0.4"

# --- /tls ----------------------------------------------------------------------------------
out=$(curl -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/tls 2>/dev/null)
is "$(echo "$out" | jq -c .)" \
	'{"dot":{"enabled":false,"port":853,"rfc":"RFC 7858"},"doh":{"enabled":false,"port":443,"rfc":"RFC 8484"},"doq":{"enabled":false,"port":853,"rfc":"RFC 9250"},"cert":"not configured"}' \
	"GET /tls example: all disabled"

# --- HEAD and the /api/ alias -----------------------------------------------------------------
hdrs=$(curl -s -I -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns)
like "$hdrs" "^HTTP/1.1 200" "HEAD /dns: 200"
is "$(curl -s -X HEAD -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/dns --max-time 2 | wc -c)" 0 \
	"and no body"
for p in dns blacklist health stats config tls help; do
	a=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/$p | jq -c 'del(.uptime_secs)')
	b=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/api/$p | jq -c 'del(.uptime_secs)')
	ok "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)" "/api/$p is /$p"
done

# --- POST /rotate-key (the procedure as written) ----------------------------------------------
OLD_KEY=$RUNBOUND_API_KEY
NEW_KEY="$(openssl rand -hex 32)"
# Call with the CURRENT (old) key in Authorization, new key in the body:
out=$(curl -X POST http://localhost:$A/rotate-key \
  -H "Authorization: Bearer $OLD_KEY" \
  -H "Content-Type: application/json" \
  -d "{\"new_key\": \"$NEW_KEY\"}" 2>/dev/null)
is "$(echo "$out" | jq -c .)" '{"status":"ok","message":"API key rotated — old token is immediately invalid"}' \
	"POST /rotate-key example"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OLD_KEY" http://localhost:$A/dns)" 401 \
	"old key dead at once"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEW_KEY" http://localhost:$A/dns)" 200 \
	"new key works"
is "$(cat "$R/api.key")" "$NEW_KEY" "persisted to api.key"
is "$(stat -c %a "$R/api.key")" 600 "mode 0600"
grep -q "$NEW_KEY" "$R"/journal/*.jnl "$R/apid.log"
is $? 1 "the key is in neither the journal nor the log"
is "$(cat "$R"/journal/*.jnl | jq -c 'select(.event=="key_rotate") | .fields')" '{}' "journalled as key_rotate {}"
export RUNBOUND_API_KEY=$NEW_KEY

# The key survives a restart (api.key), and SIGTERM exits 0.
kill -TERM "$APID_PID"
wait "$APID_PID"
is $? 0 "SIGTERM: exit 0"
start_apid
is "$(code http://localhost:$A/dns)" 200 "after a restart the rotated key is the key"

# With rb-dnsd stopped (its run/stats.shm left behind), a reload has no
# one to confirm it: 200 at once, not a 503 after waiting.
stop_pid "$DNSD_PID"
is "$(code -X POST http://localhost:$A/reload)" 200 "POST /reload with rb-dnsd stopped: 200"

finish
