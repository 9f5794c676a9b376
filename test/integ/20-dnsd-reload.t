#!/bin/sh
# rb-dnsd picks up changes without a restart: cdb files renamed into data/
# (inotify), data/ created after start, runbound.conf on SIGHUP (a bad one
# is refused and the running config kept); SIGTERM with a TCP client
# connected still exits 0.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
EOF

# No data/ at all: empty data, then data/ appears with the first write.
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD_PID=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
ok "$([ ! -d "$R/data" ]; echo $?)" "started without data/"

q() { dig @127.0.0.1 -p "$P" +time=1 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
sees() { # sees ANSWER DIG-ARGS...: wait up to 3 s for dig +short to say it
	_want=$1
	shift
	wait_for 3 sh -c '[ "$(dig @127.0.0.1 -p '"$P"' +time=1 +tries=1 +short '"$*"')" = "'"$_want"'" ]'
}

is "$(st nas.home A)" "REFUSED" "no data: REFUSED"
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"
sees 192.168.1.10 nas.home A
ok $? "data/ created after start: record seen"

rb-dns -d "$R" add new.home. A 10.1.1.1 >/dev/null || bail "rb-dns"
sees 10.1.1.1 new.home A
ok $? "record added while running: seen without restart"
rb-block -d "$R" add new.home nxdomain >/dev/null || bail "rb-block"
wait_for 3 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 new.home |
	grep -q 'status: NXDOMAIN'"
ok $? "block added while running: NXDOMAIN"
id=$(rb-block -d "$R" list | jq -r '.blacklist[0].id')
rb-block -d "$R" del "$id" >/dev/null || bail "rb-block del"
sees 10.1.1.1 new.home A
ok $? "block removed: answered again"
like "$(cat "$R/log")" "info: reloaded data/local\.cdb" "re-map logged"

# SIGHUP: the ACL and rate limit come from runbound.conf.
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    access-control: 127.0.0.0/8 refuse
EOF
kill -HUP "$DNSD_PID"
wait_for 3 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 nas.home |
	grep -q 'status: REFUSED'"
ok $? "SIGHUP: new access-control applied"
like "$(cat "$R/log")" "info: reloaded .*runbound\.conf" "reload logged"

printf 'server:\n    no-such-directive: 1\n' >"$R/runbound.conf"
kill -HUP "$DNSD_PID"
wait_for 3 grep -q "config not reloaded" "$R/log"
ok $? "bad config on SIGHUP: refused and logged"
is "$(st nas.home A)" "REFUSED" "... the running config stays"
ok "$(kill -0 "$DNSD_PID"; echo $?)" "... and rb-dnsd keeps running"

cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
EOF
kill -HUP "$DNSD_PID"
sees 192.168.1.10 nas.home A
ok $? "fixed config on SIGHUP: serving again"

# SIGTERM while a TCP client sits on an open connection.
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $ARGV[0], Proto => "tcp") or exit 1;
	sleep 10;' "$P" &
CLIENT=$!
wait_for 3 sh -c "ss -tn state established '( sport = :$P )' |
	grep -q $P"
kill -TERM "$DNSD_PID"
wait "$DNSD_PID"
is "$?" 0 "SIGTERM with a client connected: exit 0"
kill "$CLIENT" 2>/dev/null
wait "$CLIENT" 2>/dev/null

finish
