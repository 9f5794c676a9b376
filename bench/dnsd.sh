#!/bin/sh
# rb-dnsd against Debian's unbound on the same data, in one run: 1,000
# local records and 100,000 or 1,000,000 blocked names, all from one
# runbound.conf (local-data and local-zone always_nxdomain lines, which
# both servers read).  Each server is pinned to core 0, dnsperf to core 1.
# Prints, for both: queries/s, p99 latency, server CPU microseconds per
# answered query, RSS, time until ready, and rb-dnsd/unbound ratios.
# Beside them, bench/udpfloor (a responder that does no work at all: the
# kernel's share alone) gives the smallest CPU ratio that any server on
# kernel UDP sockets could reach against unbound in the same run.
# dnsperf saturates first on two cores, so CPU per query is the honest
# comparison.  On loopback the kernel charges the sender for delivering
# each reply, so most of either server's CPU is the UDP stack; user CPU is
# printed beside the total.  BENCH_SECONDS (default 10) per measurement.
# BENCH_BASE_BIN=DIR also runs the rb-dnsd (and rb-data) of DIR, an older
# build, on the same data in the same run, and prints new/old ratios: how
# a change moved CPU per query.
set -u
. "$(dirname "$0")/lib.sh"

# The data: one config both servers load.
make_conf() { # make_conf DIR NBLOCK
	perl -e '
		my $n = $ARGV[0];
		print "\tlocal-data: \"h$_.bench.home. 3600 IN A 10.0.", $_ >> 8, ".", $_ & 255, "\"\n" for 1..1000;
	' "$2" > "$1/local.conf"
	perl -e 'print "\tlocal-zone: \"b$_.block.example.\" always_nxdomain\n" for 1..$ARGV[0]' "$2" > "$1/block.conf"
	perl -e 'print "b$_.block.example\n" for 1..$ARGV[0]' "$2" > "$1/block.domains"
	perl -e 'print "h", 1 + int(rand(1000)), ".bench.home. A\n" for 1..100000' > "$1/q.local"
	perl -e 'my $n = $ARGV[0]; print "x.b", 1 + int(rand($n)), ".block.example. A\n" for 1..100000' "$2" > "$1/q.block"
}

start_rbdnsd() { # start_rbdnsd DIR PORT [BIN]: sets RBPID and RT (ready time)
	R=$1/rb${3:+-base}
	bin=${3:-$newbin}
	mkdir -p "$R"
	{ printf 'server:\n\tinterface: 127.0.0.1@%s\n\trate-limit: 0\n\tlog-retention: 0\n' "$2"
	  cat "$1/local.conf"
	  [ "$BLOCKS_AS" = conf ] && cat "$1/block.conf"; } > "$R/runbound.conf"
	t0=$(now); "$bin/rb-data" -d "$R" >/dev/null || return 1; t1=$(now)
	perl -e 'printf "rb-data compile: %.2f s\n", $ARGV[1]-$ARGV[0]' "$t0" "$t1" >&2
	if [ "$BLOCKS_AS" = feed ]; then
		# rb-dnsd's own form for a big list: a compiled feed (doc/feeds.md)
		mkdir -p "$R/feeds"
		t0=$(now)
		"$bin/rb-feed" compile "$1/block.domains" \
		    "$R/feeds/00000000-0000-4000-8000-000000000001.set" domains \
		    nxdomain >/dev/null || return 1
		t1=$(now)
		perl -e 'printf "feed compile: %.2f s\n", $ARGV[1]-$ARGV[0]' "$t0" "$t1" >&2
	fi
	set -- $(ready_time "$2" h1.bench.home taskset -c 0 "$bin/rb-dnsd" -d "$R" \
	    2>/dev/null)
	RBPID=$1
	RT=$2
	pids="$pids $RBPID"
}

start_unbound() { # start_unbound DIR PORT: sets UBPID and UT
	U=$1/ub
	mkdir -p "$U"
	{ printf 'server:\n\tinterface: 127.0.0.1@%s\n\tdo-daemonize: no\n\tnum-threads: 1\n' "$2"
	  printf '\tusername: ""\n\tchroot: ""\n\tdirectory: "%s"\n\tpidfile: ""\n\tuse-syslog: no\n\tlogfile: ""\n\tverbosity: 0\n' "$U"
	  printf '\taccess-control: 127.0.0.0/8 allow\n\tso-reuseport: no\n\tlocal-zone: "bench.home." static\n'
	  cat "$1/local.conf" "$1/block.conf"; printf 'remote-control:\n\tcontrol-enable: no\n'; } > "$U/unbound.conf"
	set -- $(ready_time "$2" h1.bench.home taskset -c 0 unbound -d \
	    -c "$U/unbound.conf" 2>/dev/null)
	UBPID=$1
	UT=$2
	pids="$pids $UBPID"
}

# start_floor PORT: bench/udpfloor, built into $W once; sets FLPID.
start_floor() {
	set -- $(ready_time "$1" h1.bench.home taskset -c 0 "$W/udpfloor" "$1")
	FLPID=$1
	pids="$pids $FLPID"
}

: > "$W/results"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$W/udpfloor" \
    "$top/bench/udpfloor.c" || { echo "bench: udpfloor did not build"; exit 1; }
# rb-dnsd gets the blocklist as a compiled feed (its form for big lists);
# BLOCKS_AS=conf gives it the same local-zone lines as unbound instead.
BLOCKS_AS=${BLOCKS_AS:-feed}
newbin=$bin
for n in 100000 1000000; do
	D=$W/n$n
	mkdir -p "$D"
	make_conf "$D" "$n"
	echo "== $n blocked names, 1,000 local records =="
	P=$(free_port)
	start_rbdnsd "$D" "$P" || { echo "bench: rb-data failed"; exit 1; }
	run_dnsperf "$P" "$D/q.local" "$RBPID" "rb-dnsd/local-$n" | tee -a "$W/results" | grep -v RESULT
	run_dnsperf "$P" "$D/q.block" "$RBPID" "rb-dnsd/blocked-$n" | tee -a "$W/results" | grep -v RESULT
	# after the queries: the pages they touched are counted too
	rrss=$(rss_kb "$RBPID")
	ranon=$(anon_kb "$RBPID")
	stop_server "$RBPID"
	P=$(free_port)
	start_unbound "$D" "$P"
	run_dnsperf "$P" "$D/q.local" "$UBPID" "unbound/local-$n" | tee -a "$W/results" | grep -v RESULT
	run_dnsperf "$P" "$D/q.block" "$UBPID" "unbound/blocked-$n" | tee -a "$W/results" | grep -v RESULT
	urss=$(rss_kb "$UBPID")
	uanon=$(anon_kb "$UBPID")
	stop_server "$UBPID"
	P=$(free_port)
	start_floor "$P"
	run_dnsperf "$P" "$D/q.local" "$FLPID" "floor/$n" | tee -a "$W/results" | grep -v RESULT
	stop_server "$FLPID"
	printf 'ready to answer: rb-dnsd %s s, unbound %s s\n' "$RT" "$UT"
	perl -e 'printf "RSS: rb-dnsd %.1f MB (anonymous %.1f MB; the rest is the shared, reclaimable page cache of the mapped cdb and feed set files), unbound %.1f MB (anonymous %.1f MB); ratio %.3f, anonymous %.3f\n", $ARGV[0]/1024, $ARGV[2]/1024, $ARGV[1]/1024, $ARGV[3]/1024, $ARGV[0]/$ARGV[1], $ARGV[2]/$ARGV[3]' "$rrss" "$urss" "$ranon" "$uanon"
	if [ -n "${BENCH_BASE_BIN:-}" ]; then
		P=$(free_port)
		start_rbdnsd "$D" "$P" "$BENCH_BASE_BIN" || exit 1
		run_dnsperf "$P" "$D/q.local" "$RBPID" "base/local-$n" | tee -a "$W/results" | grep -v RESULT
		run_dnsperf "$P" "$D/q.block" "$RBPID" "base/blocked-$n" | tee -a "$W/results" | grep -v RESULT
		stop_server "$RBPID"
		base_ratio "local-$n"
		base_ratio "blocked-$n"
	fi
	ratio x "local-$n"
	ratio x "blocked-$n"
	floor_ratio "$n" "local-$n"
	floor_ratio "$n" "blocked-$n"
done
