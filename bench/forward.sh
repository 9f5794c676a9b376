#!/bin/sh
# Forwarding answered from the cache (issue 3's last target: rb-dnsd's CPU
# per query no worse than unbound's).  rb-dnsd and Debian's unbound (one
# thread) forward the same zone, 1,000 names with a TTL of a day, to the
# same nsd; a first dnsperf pass fills both caches, then the measured
# pass (BENCH_SECONDS) is answered from them alone, as rb-stats shows
# for rb-dnsd.  Each server on core 0, dnsperf and nsd on core 1.
set -u
. "$(dirname "$0")/lib.sh"
command -v nsd >/dev/null || { echo "bench: nsd missing (make deps)"; exit 1; }

D=$W/fwd
mkdir -p "$D/nsd" "$D/rb" "$D/ub"
perl -e 'print "\$ORIGIN fw.bench.\n\$TTL 86400\n\@ IN SOA ns h 1 3600 600 86400 60\n",
    "\@ IN NS ns\nns IN A 127.0.0.1\n";
    print "x$_ IN A 10.1.", $_ >> 8, ".", $_ & 255, "\n" for 1..1000' >"$D/nsd/fw.zone"
perl -e 'srand(7); print "x", 1 + int(rand(1000)), ".fw.bench. A\n" for 1..100000' >"$D/q"

NP=$(free_port)
cat >"$D/nsd/nsd.conf" <<NSDEOF
server:
	ip-address: 127.0.0.1@$NP
	zonesdir: "$D/nsd"
	chroot: ""
	username: ""
	pidfile: ""
	database: ""
	zonelistfile: "$D/nsd/zone.list"
	xfrdfile: "$D/nsd/xfrd.state"
	xfrdir: "$D/nsd"
	logfile: "$D/nsd/nsd.log"
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: fw.bench
	zonefile: fw.zone
NSDEOF
taskset -c 1 nsd -d -c "$D/nsd/nsd.conf" &
NSDPID=$!
pids="$pids $NSDPID"
until dig @127.0.0.1 -p "$NP" +tries=1 +time=1 x1.fw.bench | grep -q NOERROR; do
	sleep 0.05
done

warm() { # warm PORT: every query once, so that every name is cached
	taskset -c 1 dnsperf -s 127.0.0.1 -p "$1" -d "$D/q" -n 1 -c 20 -q 200 \
	    >"$W/warm.out" 2>&1
}
measure() { # measure PORT PID LABEL
	run_dnsperf "$1" "$D/q" "$2" "$3" | tee -a "$W/results" | grep -v RESULT
}
forwarded() { "$bin/rb-stats" -d "$D/rb" | jq .forwarded; }

: >"$W/results"
P=$(free_port)
printf 'server:\n\tinterface: 127.0.0.1@%s\n\trate-limit: 0\n\tlog-retention: 0\nforward-zone:\n\tname: fw.bench\n\tforward-addr: 127.0.0.1@%s\n' \
    "$P" "$NP" >"$D/rb/runbound.conf"
taskset -c 0 "$bin/rb-dnsd" -d "$D/rb" -r 3 3>"$D/rb/ready" 2>/dev/null &
RBPID=$!
pids="$pids $RBPID"
while [ ! -s "$D/rb/ready" ]; do sleep 0.01; done
warm "$P"
f0=$(forwarded)
measure "$P" "$RBPID" "rb-dnsd/cache-hit"
echo "rb-dnsd: $(($(forwarded) - f0)) queries sent upstream in the measured pass"
kill "$RBPID"; wait "$RBPID" 2>/dev/null

P=$(free_port)
cat >"$D/ub/unbound.conf" <<UBEOF
server:
	interface: 127.0.0.1@$P
	do-daemonize: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$D/ub"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 0
	access-control: 127.0.0.0/8 allow
	so-reuseport: no
	do-not-query-localhost: no
forward-zone:
	name: "fw.bench."
	forward-addr: 127.0.0.1@$NP
remote-control:
	control-enable: no
UBEOF
taskset -c 0 unbound -d -c "$D/ub/unbound.conf" 2>/dev/null &
UBPID=$!
pids="$pids $UBPID"
until dig @127.0.0.1 -p "$P" +tries=1 +time=1 x1.fw.bench | grep -q NOERROR; do
	sleep 0.05
done
warm "$P"
measure "$P" "$UBPID" "unbound/cache-hit"
kill "$UBPID"; wait "$UBPID" 2>/dev/null
ratio x "cache-hit"
