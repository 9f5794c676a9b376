#!/bin/sh
# rb-auditd: each audit event produced by its real trigger (rb-dns,
# rb-block, rb-allow, rb-feed, rb-apid over curl, signals, a wiped
# journal, a malformed spool file), with Runbound's fields; the log
# checked by rb-audit verify and by an independent verifier written from
# doc/audit.md; rb-audit tail against GET /audit/tail; audit-log: no.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

P=$(free_port)
A=$(free_port)
feed_setup "audit-log: yes" "interface: 127.0.0.1@$P" "api-port: $A"
L=$R/audit/audit.log

start_auditd() {
	rm -f "$R/ready.audit"
	start_bg rb-auditd -d "$R" -r 3 "$@" 3>"$R/ready.audit" \
	    2>>"$R/auditd.log"
	AUDITD=$!
	wait_for 10 test -s "$R/ready.audit" || bail "rb-auditd not ready"
}
count() { # count EVENT: lines of that event in the log
	cat "$R"/audit/audit.log* 2>/dev/null | grep -c "\"event\":\"$1\""
}
wait_count() { # wait_count EVENT N: until the log has N of EVENT
	_end=$(($(date +%s) + 10))
	while [ "$(count "$1")" -lt "$2" ]; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}
fields() { # fields EVENT: the fields of the last EVENT, compact
	grep "\"event\":\"$1\"" "$L" | tail -1 | jq -c .fields
}
event() { # event EVENT N FIELDS DESC: waits for the Nth, checks fields
	wait_count "$1" "$2"
	ok $? "$4: $1 logged"
	is "$(fields "$1")" "$3" "$4: $1 fields"
}

start_auditd
event startup 1 '{"program":"rb-auditd"}' "rb-auditd start"
ok "$([ "$(stat -c %a "$R/audit/hmac.key")" = 600 ]; echo $?)" \
	"a generated audit/hmac.key, mode 0600"
like "$(cat "$R/auditd.log")" "generated a new audit key" "and says so"
grep -q "$(cat "$R/audit/hmac.key")" "$R/auditd.log"
is $? 1 "never logging the key"

# --- store changes from the rb-* commands --------------------------------
id=$(rb-dns -d "$R" add nas.home. A 192.168.1.10 | jq -r .entry.id)
event dns_add 1 '{"name":"nas.home.","type":"A","value":"192.168.1.10"}' \
	"rb-dns add"
rb-dns -d "$R" del "$id" >/dev/null
event dns_delete 1 "{\"id\":\"$id\"}" "rb-dns del"
id=$(rb-block -d "$R" add ads.example.com | jq -r .entry.id)
event blacklist_add 1 '{"domain":"ads.example.com"}' "rb-block add"
rb-block -d "$R" del "$id" >/dev/null
event blacklist_delete 1 "{\"id\":\"$id\"}" "rb-block del"
id=$(rb-allow -d "$R" add good.example.com | jq -r .entry.id)
event allow_add 1 '{"domain":"good.example.com"}' "rb-allow add"
rb-allow -d "$R" del "$id" >/dev/null
event allow_delete 1 "{\"id\":\"$id\"}" "rb-allow del"

# --- feeds -----------------------------------------------------------------
printf '0.0.0.0 one.example\n0.0.0.0 two.example\n' >"$W/hosts"
id=$(rb-feed -d "$R" add f1 "$FURL/hosts" hosts | jq -r .feed.id)
event feed_add 1 "{\"id\":\"$id\",\"name\":\"f1\",\"url\":\"$FURL/hosts\"}" \
	"rb-feed add"
rb-feed -d "$R" update "$id" >/dev/null
event feed_update 1 "{\"id\":\"$id\",\"entry_count\":2,\"last_error\":null}" \
	"rb-feed update"
rb-feed -d "$R" del "$id" >/dev/null
event feed_delete 1 "{\"id\":\"$id\"}" "rb-feed del"

# --- rb-apid: auth_failure, config_reload, logs_clear, key_rotate ---------
if [ -x "$RB_BIN/rb-apid" ] && [ -x "$RB_BIN/rb-dnsd" ]; then
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/dready" 2>>"$R/dnsd.log"
	wait_for 5 test -s "$R/dready" || bail "rb-dnsd did not start"
	start_bg rb-apid -d "$R" -r 3 3>"$R/aready" 2>>"$R/apid.log"
	wait_for 5 test -s "$R/aready" || bail "rb-apid did not start"
	K=$(cat "$R/api.key")
	api() { curl -s -H "Authorization: Bearer $K" "$@"; }
	is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer \
	    wrong' "http://127.0.0.1:$A/dns")" 401 "a wrong key: 401"
	event auth_failure 1 '{"path":"/dns"}' "curl with a wrong key"
	api -X POST "http://127.0.0.1:$A/reload" >/dev/null
	event config_reload 1 '{}' "POST /reload"
	for n in 1 2 3; do
		dig @127.0.0.1 -p "$P" +time=1 +tries=1 "q$n.example." \
		    >/dev/null 2>&1
	done
	n=$(api -X DELETE "http://127.0.0.1:$A/logs" | jq .entries_deleted)
	event logs_clear 1 "{\"entries_deleted\":$n}" "DELETE /logs"
	ok "$([ "$n" -ge 3 ]; echo $?)" "entries_deleted counts the queries"
	api -X POST -d "{\"new_key\":\"$K-rotated-0123456789\"}" \
	    "http://127.0.0.1:$A/rotate-key" >/dev/null
	event key_rotate 1 '{}' "POST /rotate-key"
	K=$K-rotated-0123456789
	a=$(api "http://127.0.0.1:$A/audit/tail?n=5" | jq -S -c .)
	b=$(rb-audit -d "$R" tail -n 5 | jq -S -c .)
	is "$a" "$b" "rb-audit tail -n 5 is GET /audit/tail?n=5"
else
	for t in 1 2 3 4 5 6 7 8 9 10 11; do
		echo "ok $((_tap_n + 1)) # skip rb-apid or rb-dnsd not built"
		_tap_n=$((_tap_n + 1))
	done
fi

# sync_full: a slave's full sync replaces its journal (a new epoch, seen
# as journal_reset above) and spools sync_full; that needs two nodes, so
# 70-sync.t checks it.

# --- a malformed spool file is kept aside, and recorded -------------------
printf 'not json' >"$R/audit/spool/.x.tmp"
mv "$R/audit/spool/.x.tmp" "$R/audit/spool/00000000000000000001-1-1.json"
event spool_invalid 1 \
	'{"file":"00000000000000000001-1-1.json","error":"not valid JSON"}' \
	"a malformed spool file"
ok "$([ -f "$R/audit/rejected/00000000000000000001-1-1.json" ]; echo $?)" \
	"moved to audit/rejected/"

# --- an event too large for one line keeps its name, not its fields -------
perl -e 'print "{\"ts\":1,\"event\":\"big_event\",\"fields\":{\"x\":\"",
	"a" x 65400, "\"}}"' >"$R/audit/spool/.big.tmp"
mv "$R/audit/spool/.big.tmp" "$R/audit/spool/00000000000000000002-1-1.json"
event big_event 1 '{"fields_omitted":true}' "a 64 KiB spool file"

# --- signals ---------------------------------------------------------------
kill -HUP "$AUDITD"
wait_for 5 grep -q "SIGHUP" "$R/auditd.log"
ok $? "SIGHUP: the configuration is read again"
kill -TERM "$AUDITD"
wait "$AUDITD"
is $? 0 "SIGTERM: exit 0"
is "$(count shutdown)" 1 "shutdown logged"
is "$(fields shutdown)" '{"program":"rb-auditd"}' "shutdown fields"
start_auditd
event startup 2 '{"program":"rb-auditd"}' "a restart"

# --- a wiped journal: a new epoch ------------------------------------------
old=$(cat "$R/journal/epoch")
oldseq=$(grep '"src":"journal:' "$L" | tail -1 | jq -r .src | cut -d: -f3)
rm -rf "$R/journal"
rb-dns -d "$R" add after.home. A 10.0.0.9 >/dev/null
new=$(cat "$R/journal/epoch")
event journal_reset 1 \
	"{\"old_epoch\":\"$old\",\"old_seq\":$oldseq,\"new_epoch\":\"$new\"}" \
	"a wiped journal"
event dns_add 2 '{"name":"after.home.","type":"A","value":"10.0.0.9"}' \
	"the new journal's first event"

# --- the whole log ---------------------------------------------------------
stop_pid "$AUDITD"
v=$(rb-audit -d "$R" verify)
is $? 0 "rb-audit verify: intact"
is "$(echo "$v" | jq -r .status)" intact "status intact"
n=$(wc -l <"$L")
is "$(echo "$v" | jq .entries)" "$n" "every line verified"
is "$(perl "$TOP/test/integ/60-audit-verify.pl" "$R/audit/hmac.key" "$L")" \
	"$n" "an independent verifier (doc/audit.md) agrees"
is "$(jq -s '[.[].seq] == [range(1; length + 1)]' "$L")" true \
	"seqs 1..N without a gap"
h=$(rb-audit -d "$R" head)
is "$(echo "$h" | jq .seq)" "$n" "rb-audit head: the last seq"
is "$(echo "$h" | jq -r .chain)" "$(tail -1 "$L" | jq -r .chain)" \
	"and its chain"
rb-audit -d "$R" verify --head "$(echo "$h" | jq -r '"\(.seq):\(.chain)"')" \
	>/dev/null
is $? 0 "verify --head: intact"
t=$(rb-audit -d "$R" tail -n 3)
is "$(echo "$t" | jq .count)" 3 "tail -n 3: 3 lines"
is "$(echo "$t" | jq -c '[.lines[].seq]')" "[$((n - 2)),$((n - 1)),$n]" \
	"oldest first"

# --- journal events pruned before rb-auditd saw them: journal_gap ---------
R4=$(tmproot)
printf 'server:\n    audit-log: yes\n    journal-retention: 2\n' \
	>"$R4/runbound.conf"
rb-dns -d "$R4" add g0.home. A 10.9.0.1 >/dev/null
start_bg rb-auditd -d "$R4" -r 3 3>"$R4/ready" 2>>"$R4/auditd.log"
p=$!
wait_for 5 test -s "$R4/ready" || bail "rb-auditd not ready"
stop_pid $p
for i in 1 2 3 4 5 6; do
	rb-dns -d "$R4" add "g$i.home." A "10.9.0.$((i + 1))" >/dev/null
done
first=$(ls "$R4/journal" | grep -m1 jnl | sed 's/^0*//; s/\.jnl$//')
rm -f "$R4/ready"
start_bg rb-auditd -d "$R4" -r 3 3>"$R4/ready" 2>>"$R4/auditd.log"
p=$!
wait_for 5 test -s "$R4/ready" || bail "rb-auditd not ready"
stop_pid $p
is "$(grep '"event":"journal_gap"' "$R4/audit/audit.log" | jq -c .fields)" \
	"{\"from\":2,\"to\":$((first - 1))}" "pruned events: journal_gap"
is "$(grep -c '"event":"dns_add"' "$R4/audit/audit.log")" $((1 + 8 - first)) \
	"then the events still in the journal"
like "$(cat "$R4/auditd.log")" "were pruned before they were audited" \
	"and a warning"
rb-audit -d "$R4" verify >/dev/null
is $? 0 "the log verifies"

# --- audit-log: no -----------------------------------------------------------
R2=$(tmproot)
printf 'server:\n    audit-log: no\n' >"$R2/runbound.conf"
start_bg rb-auditd -d "$R2" -r 3 3>"$R2/ready" 2>>"$R2/auditd.log"
p=$!
wait_for 5 test -s "$R2/ready"
ok $? "audit-log: no: ready all the same"
like "$(cat "$R2/auditd.log")" "audit log is off" "and says it idles"
ok "$([ ! -e "$R2/audit/audit.log" ]; echo $?)" "no audit.log"
printf 'server:\n    audit-log: yes\n' >"$R2/runbound.conf"
kill -HUP "$p"
wait_for 5 test -s "$R2/audit/audit.log"
ok $? "SIGHUP with audit-log: yes opens the log"
kill -TERM "$p"
wait "$p"
is $? 0 "exit 0"
is "$(jq -r .event "$R2/audit/audit.log" | tr '\n' ' ')" "startup shutdown " \
	"startup, shutdown"

finish
