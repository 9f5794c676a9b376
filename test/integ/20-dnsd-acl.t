#!/bin/sh
# rb-dnsd steps 2 and 3: access-control by source address (dig -b picks
# one of 127.0.0.0/8), and the per-source rate limit.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    access-control: 127.0.0.2/32 refuse
    access-control: 127.0.0.3/32 deny
    access-control: 127.0.0.4/32 deny_non_local
    access-control: 127.0.0.5/32 refuse_non_local
    access-control: 127.0.0.0/29 allow
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"

start_dnsd() {
	rm -f "$R/ready"
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/ready"
}
st() { # st SOURCE ARGS...: the status dig sees from SOURCE, "" on timeout
	_src=$1
	shift
	dig @127.0.0.1 -p "$P" -b "$_src" +time=1 +tries=1 "$@" |
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

start_dnsd || bail "rb-dnsd did not start"
is "$(st 127.0.0.1 nas.home A)" "NOERROR" "allow"
is "$(st 127.0.0.2 nas.home A)" "REFUSED" "refuse: REFUSED"
is "$(st 127.0.0.3 nas.home A)" "" "deny: dropped, dig times out"
is "$(st 127.0.0.6 nas.home A)" "NOERROR" "longest prefix: /29 allow"
is "$(st 127.0.0.4 nas.home A)" "NOERROR" "deny_non_local: local data"
is "$(st 127.0.0.4 runbound.health A)" "NOERROR" "deny_non_local: health"
is "$(st 127.0.0.4 other.home A)" "" "deny_non_local: the rest dropped"
is "$(st 127.0.0.5 other.home A)" "REFUSED" "refuse_non_local: REFUSED"
is "$(st 127.0.0.9 nas.home A)" "NOERROR" \
	"unbound's default 127.0.0.0/8 allow stays under the config"
stop_pid "$DNSD_PID"

# Rate limit 5 qps, burst 10: twenty queries in one dig burst through.
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 5
EOF
start_dnsd || bail "rb-dnsd did not restart"
out=$(dig @127.0.0.1 -p "$P" +time=1 +tries=1 \
	nas.home nas.home nas.home nas.home nas.home nas.home nas.home \
	nas.home nas.home nas.home nas.home nas.home nas.home nas.home \
	nas.home nas.home nas.home nas.home nas.home nas.home)
n_ok=$(echo "$out" | grep -c 'status: NOERROR')
n_ref=$(echo "$out" | grep -c 'status: REFUSED')
ok "$([ "$n_ok" -ge 10 ] && [ "$n_ok" -le 12 ]; echo $?)" \
	"burst of 10 answered ($n_ok)"
ok "$([ "$n_ref" -ge 8 ] && [ $((n_ok + n_ref)) -eq 20 ]; echo $?)" \
	"the rest REFUSED ($n_ref)"
is "$(echo "$out" | grep 'status:' | head -10 | grep -c NOERROR)" 10 \
	"the first ten pass"
is "$(st 127.0.0.2 nas.home A)" "NOERROR" "another source has its own bucket"
wait_for 3 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 nas.home |
	grep -q 'status: NOERROR'"
ok $? "tokens come back with time"
stop_pid "$DNSD_PID"

finish
