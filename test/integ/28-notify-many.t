#!/bin/sh
# rb-notify at scale: 33,000 zones told to two secondaries (a real nsd on
# two ports, which serves none of them and answers each NOTIFY with an
# error rcode; its response rate limit is off) is 66,000 notifications,
# sent 256 at a time to each.  Then a run after one zone's change tells
# only that zone, and a secondary that never answers costs one window's
# retries, not one per zone.
. "$(dirname "$0")/../lib.sh"

if ! command -v nsd >/dev/null 2>&1; then
	echo "1..0 # SKIP nsd not installed"
	exit 0
fi

R=$(tmproot)
N1=$(free_port)
N2=$(free_port)
mkdir -p "$R/zones" "$R/nsd"
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$(free_port)
    also-notify: 127.0.0.1@$N1
    also-notify: 127.0.0.1@$N2
EOF
# One tinydns file: a SOA line per zone, serial 1.
perl -e 'print "Zz$_.many.test:ns.many.test.:h.many.test.:1\n" for 1..33000' \
    >"$R/zones/zones.many"
rb-zone -d "$R" build >/dev/null || bail "rb-zone build"

cat >"$R/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$N1
	ip-address: 127.0.0.1@$N2
	zonesdir: "$R/nsd"
	chroot: ""
	username: ""
	pidfile: "$R/nsd/nsd.pid"
	database: ""
	zonelistfile: "$R/nsd/zone.list"
	xfrdfile: "$R/nsd/xfrd.state"
	xfrdir: "$R/nsd"
	logfile: "$R/nsd/nsd.log"
	rrl-ratelimit: 0
remote-control:
	control-enable: no
EOF
start_bg nsd -d -c "$R/nsd/nsd.conf"
NSD=$!
wait_for 5 sh -c "dig @127.0.0.1 -p $N2 +time=1 +tries=1 x.test | grep -q status" ||
	bail "nsd did not start: $(cat "$R/nsd/nsd.log")"

# Every response, error or not, finishes its notification on the first try.
rb-notify -d "$R" -a 2>"$R/log1"
is $? 0 "66,000 notifications: exit 0"
is "$(grep -c 'notify zone=z[0-9]*\.many\.test\. serial=1 to=127\.0\.0\.1@[0-9]* rcode=[1-9][0-9]* tries=1$' "$R/log1")" \
	66000 "each zone told to each secondary once, answered at the first try"
is "$(grep -c "@$N1 " "$R/log1") $(grep -c "@$N2 " "$R/log1")" \
	"33000 33000" "33,000 to each"
is "$(wc -l <"$R/run/notify/serials")" 33000 "every serial recorded"

# Unchanged: nothing to tell.
rb-notify -d "$R" 2>"$R/log2"
is "$?:$(grep -c 'notify zone=' "$R/log2")" "0:0" "a run with nothing changed tells nobody"

# One zone's serial changes: that zone, to both.
sed -i 's/^Zz777\.many\.test:ns\.many\.test\.:h\.many\.test\.:1$/Zz777.many.test:ns.many.test.:h.many.test.:2/' \
    "$R/zones/zones.many"
rb-zone -d "$R" build >/dev/null || bail "rb-zone rebuild"
rb-notify -d "$R" 2>"$R/log3"
is "$(grep -o 'notify zone=[^ ]* serial=[0-9]*' "$R/log3" | sort -u)" \
	"notify zone=z777.many.test. serial=2" "after one change: that zone only"
is "$(grep -c 'notify zone=' "$R/log3")" 2 "... to both secondaries"

# A secondary that never answers gets a window of notifications, each
# tried 5 times over 15 s, and then no more; the live one gets them all
# at once meanwhile.
D=$(free_port)
sed -i "s/also-notify: 127.0.0.1@$N2/also-notify: 127.0.0.1@$D/" "$R/runbound.conf"
perl -e 'print "Zz$_.few.test:ns.few.test.:h.few.test.:1\n" for 1..1000' \
    >"$R/zones/zones.many"
rb-zone -d "$R" build >/dev/null || bail "rb-zone build of 1,000"
t0=$(date +%s)
rb-notify -d "$R" -a 2>"$R/log4"
t1=$(date +%s)
is "$?" 0 "with a silent secondary: exit 0"
is "$(grep -c "to=127.0.0.1@$N1 rcode=[0-9]* tries=1\$" "$R/log4")" 1000 \
	"the live secondary: all 1,000 at the first try"
is "$(grep -c "to=127.0.0.1@$D: no response after 5 tries" "$R/log4")" 256 \
	"the silent one: a window of 256 tried 5 times"
is "$(grep -c "notify to=127.0.0.1@$D: 256 notifications in a row unanswered, skipping 744 more" "$R/log4")" 1 \
	"... then the other 744 skipped, said once"
diag "run with a silent secondary: $((t1 - t0)) s"

stop_pid "$NSD"
finish
