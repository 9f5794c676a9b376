#!/bin/sh
# make run's demo (test/run-demo.sh) as shipped: started as root, every
# daemon and every logger runs as the system user runbound, never root;
# the demo answers, and the shell commands run by root write files the
# daemons can read (they become runbound too).
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! id runbound >/dev/null 2>&1; then
	echo "1..0 # skip needs root and the user runbound (make deps)"
	exit 0
fi

T=$(tmproot)
chmod 711 "$T"
D=$(free_port)
A=$(free_port)
S=$(free_port)
export RB_DEMO_ROOT="$T/demo" RB_DEMO_DNS_PORT=$D RB_DEMO_API_PORT=$A \
    RB_DEMO_SYNC_PORT=$S
start_bg sh "$TOP/test/run-demo.sh"
RUN=$!
wait_for 20 sh -c "dig @127.0.0.1 -p $D +short +time=1 +tries=1 nas.home | grep -q 192.168.1.10"
ok $? "the demo answers nas.home"
wait_for 10 sh -c "curl -sf -H 'Authorization: Bearer $(cat "$T/demo/api.key")' \
    127.0.0.1:$A/health >/dev/null"
ok $? "and its API answers"

# The audit log is on (issue #24): rb-auditd chains the demo's writes
# into it, GET /audit/tail shows them, rb-audit verify finds them intact.
audit_tail() { # jq 1.6 -e succeeds on no input: test the count
	_n=$(curl -sf -H "Authorization: Bearer $(cat "$T/demo/api.key")" \
	    "127.0.0.1:$A/audit/tail" | jq .count)
	[ "${_n:-0}" -gt 0 ]
}
wait_for 10 audit_tail
ok $? "GET /audit/tail answers with the demo's writes"
out=$(rb-audit -d "$T/demo" verify)
is "$?:$(echo "$out" | jq -r .status)" "0:intact" "rb-audit verify: intact"

# Every program of ours (and s6-log) under this demo root, with its user.
users() {
	ps -eo user=,args= | grep -F "$T/demo" | grep -vE 's6-svscan|s6-supervise|grep|run-demo'
}
n=$(users | grep -cE 'rb-(dnsd|apid|auditd|feedd|syncd) ')
is "$n" 5 "the five daemons run"
is "$(users | grep -c 's6-log')" 5 "with their five loggers"
is "$(users | awk '$1 != "runbound"' | wc -l)" 0 "none of them runs as root"
wait_for 5 sh -c "ss -Hltn 'sport = :$S' | grep -q ."
is "$(ss -Hltn "sport = :$S" | awk '{print $4}')" "127.0.0.1:$S" \
	"its sync port is on loopback only, as its DNS is"

# A write by root through the shell and one through the API: both land in
# files the daemons (runbound) own.
rb-dns -d "$T/demo" add root.home. A 192.168.1.77 >/dev/null
ok $? "rb-dns as root writes"
is "$(cd "$T/demo" && find store journal data ! -user runbound)" "" \
	"as runbound (every file of store/, journal/, data/)"
curl -sf -H "Authorization: Bearer $(cat "$T/demo/api.key")" -X POST \
    "127.0.0.1:$A/dns" -d '{"name":"api.home.","type":"A","value":"192.168.1.78"}' >/dev/null
ok $? "rb-apid (runbound) writes after it"
is "$(dig @127.0.0.1 -p $D +short api.home)" 192.168.1.78 "and rb-dnsd answers it"
is "$(stat -c '%U %a' "$T/demo/api.key")" "runbound 600" \
    "api.key is the user's, 0600: rb-apid reads it again on SIGHUP"

stop_pid "$RUN"
finish
