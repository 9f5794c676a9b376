#!/bin/sh
# Failover: slave B of master A is promoted while slave C, ahead of B,
# followed A.  B starts a new epoch when it serves as master, so C, sent
# to B, takes a full sync instead of keeping A's events past the common
# seq as if they were B's (it used to end with a1 a2 a3 b4 where B had
# a1 b2 b3 b4, and report itself in sync).
. "$(dirname "$0")/../lib.sh"

A=$(tmproot)
B=$(tmproot)
C=$(tmproot)
PA=$(free_port 0.0.0.0)
PB=$(free_port 0.0.0.0)
KEY=$(openssl rand -hex 32)

master_conf() { # master_conf ROOT PORT
	printf 'server:\n    mode: master\n    sync-port: %s\n    sync-key: "%s"\n' \
	    "$2" "$KEY" >"$1/runbound.conf"
}
slave_conf() { # slave_conf ROOT MASTER-PORT
	printf 'server:\n    mode: slave\n    sync-master: 127.0.0.1:%s\n    sync-key: "%s"\n    sync-interval: 1\n' \
	    "$2" "$KEY" >"$1/runbound.conf"
}
syncd() { start_ready rb-syncd "$1"; } # syncd ROOT: pid in $LAST
seq_of() { rb-sync -d "$1" status | jq -r "$2"; }
at() { # at SLAVE MASTER: SLAVE applied all MASTER has
	[ "$(seq_of "$1" .applied_seq)" = "$(seq_of "$2" .master_seq)" ] &&
	    [ "$(seq_of "$1" .synced)" = true ]
}
names() { rb-dns -d "$1" list | jq -c '[.entries[].name] | sort'; }

master_conf "$A" "$PA"
slave_conf "$B" "$PA"
slave_conf "$C" "$PA"
rb-dns -d "$A" add a1.home. A 192.0.2.1 >/dev/null || bail "rb-dns"
syncd "$A"; SA=$LAST
syncd "$B"; SB=$LAST
syncd "$C"; SC=$LAST
wait_for 10 at "$B" "$A" && wait_for 10 at "$C" "$A"
ok $? "B and C follow A"

stop_pid "$SB"
rb-dns -d "$A" add a2.home. A 192.0.2.2 >/dev/null
rb-dns -d "$A" add a3.home. A 192.0.2.3 >/dev/null
wait_for 10 at "$C" "$A"
ok $? "C goes on to seq 3 while B is down at 1"
stop_pid "$SA"
stop_pid "$SC"

# A is gone: B is promoted, takes writes, and C is sent to B.
old_epoch=$(cat "$A/journal/epoch")
master_conf "$B" "$PB"
syncd "$B"; SB=$LAST
isnt() { [ "$1" != "$2" ]; }
isnt "$(cat "$B/journal/epoch")" "$old_epoch"
ok $? "the promoted B starts a new epoch"
like "$(cat "$B/rb-syncd.log")" "this root was a replica: new journal epoch" "... and says why"
test ! -e "$B/sync/state"; ok $? "... and leaves its slave state behind"
rb-dns -d "$B" add b2.home. A 192.0.2.12 >/dev/null
rb-dns -d "$B" add b3.home. A 192.0.2.13 >/dev/null
rb-dns -d "$B" add b4.home. A 192.0.2.14 >/dev/null

slave_conf "$C" "$PB"
rm -f "$C/sync/sync-master.fingerprint" # a new master's certificate
syncd "$C"; SC=$LAST
wait_for 15 at "$C" "$B"
ok $? "C follows B"
like "$(cat "$C/rb-syncd.log")" "full sync" "by a full sync"
is "$(names "$C")" "$(names "$B")" "C holds exactly what B holds"
is "$(names "$C")" '["a1.home.","b2.home.","b3.home.","b4.home."]' \
	"... B's history, not A's a2 and a3"

# A restart of B as master keeps its epoch: nothing more to leave.
e=$(cat "$B/journal/epoch")
stop_pid "$SB"
syncd "$B"; SB=$LAST
is "$(cat "$B/journal/epoch")" "$e" "B restarted: the same epoch"

stop_pid "$SC"
stop_pid "$SB"
finish
