#!/bin/sh
# rb-dnsd's authoritative answers (pipeline step 7) against Debian's nsd
# on the same zone: one master file of 10,000 names (A for most, some
# AAAA, MX, TXT and CNAME, delegations with glue, a wildcard), compiled by
# rb-zone for rb-dnsd and loaded as it is by nsd (minimal-responses and no
# rate limiting, as rb-dnsd here).  Both get the same query mix: names of
# several types, CNAMEs to follow, NXDOMAIN, NODATA, wildcard and
# referral.  Each server is pinned to core 0, dnsperf to core 1.
#
# Throughput runs (dnsperf saturating, BENCH_SECONDS each, default 5,
# BENCH_RUNS of them per server, default 3, the servers alternating)
# give queries/s and the server's CPU microseconds per answered query:
# the exact time on CPU (schedstat), split into user and system as the
# clock ticks split it.  The median run and the range are printed, and
# the rb-dnsd/nsd ratios of the medians.  dnsperf saturates first on two
# cores, so CPU per query is the honest comparison.  Then the query file
# is sent once at a fixed rate both servers sustain (BENCH_RATE, default
# 20000/s), twice: as dnsperf sends it, and paced by dnsperf -v (a line
# per response), which also gives p50 and p99 from every response.  Each
# prints CPU per query at that rate (small batches: most of it is the
# wakeups) and the rcode counts, which must be the same for both.  Ten
# sample queries, one of each kind, are compared answer by answer with
# dig.
set -u
. "$(dirname "$0")/lib.sh"
secs=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-3}
rate=${BENCH_RATE:-20000}
names=${BENCH_NAMES:-10000}

# make_data DIR NAMES: DIR/zones.bench.test (NAMES owner names),
# DIR/queries (100,000 queries in a fixed mix, fixed seed) and
# DIR/samples (one query of each kind).
make_data() {
	perl -e '
	use strict; use warnings;
	my ($dir, $total) = @ARGV;
	my ($naaaa, $nmx, $ntxt, $ncname, $ndeleg) = (800, 300, 300, 500, 50);
	# apex, ns1, ns2, mail, *.wild; a delegation is 3 names with its glue
	my $na = $total - 5 - $naaaa - $nmx - $ntxt - $ncname - 3 * $ndeleg;
	die "bench: too few names\n" if $na < 1000;
	sub ip4 { my $i = shift; sprintf "10.%d.%d.%d", $i >> 16 & 255, $i >> 8 & 255, $i & 255 }
	open my $z, ">", "$dir/zones.bench.test" or die "$dir: $!\n";
	print $z "\$TTL 3600\n",
	    "@ IN SOA ns1.bench.test. hostmaster.bench.test. 2026112501 7200 3600 1209600 300\n",
	    "@ IN NS ns1\n@ IN NS ns2\n@ IN A 192.0.2.1\n@ IN MX 10 mail\n",
	    "@ IN TXT \"v=spf1 -all\"\n",
	    "ns1 IN A 192.0.2.53\nns2 IN A 192.0.2.54\nmail IN A 192.0.2.25\n";
	for my $i (1 .. $na) {
		print $z "h$i IN A ", ip4($i), "\n";
		print $z "h$i IN A ", ip4($i + 65536), "\n" if $i % 10 == 0;
	}
	printf $z "v%d IN AAAA 2001:db8::%x\n", $_, $_ for 1 .. $naaaa;
	print $z "m$_ IN MX 10 h$_\nm$_ IN MX 20 mail\n" for 1 .. $nmx;
	print $z "t$_ IN TXT \"text record $_ of the bench zone\"\n" for 1 .. $ntxt;
	print $z "c$_ IN CNAME h$_\n" for 1 .. $ncname;
	for my $i (1 .. $ndeleg) {
		print $z "d$i IN NS ns1.d$i\nd$i IN NS ns2.d$i\n",
		    "ns1.d$i IN A ", ip4(200000 + $i), "\n",
		    "ns2.d$i IN A ", ip4(300000 + $i), "\n";
	}
	print $z "*.wild IN A 192.0.2.99\n";
	close $z or die "$dir: $!\n";
	srand(1);
	my @mix = (	# percent, kind, query
		[40, "A", sub { "h" . (1 + int rand $na) . ".bench.test. A" }],
		[10, "AAAA", sub { "v" . (1 + int rand $naaaa) . ".bench.test. AAAA" }],
		[5, "MX", sub { "m" . (1 + int rand $nmx) . ".bench.test. MX" }],
		[5, "TXT", sub { "t" . (1 + int rand $ntxt) . ".bench.test. TXT" }],
		[10, "CNAME", sub { "c" . (1 + int rand $ncname) . ".bench.test. A" }],
		[10, "NXDOMAIN", sub { "n" . int(rand 1e6) . ".bench.test. A" }],
		[8, "NODATA", sub { "h" . (1 + int rand $na) . ".bench.test. AAAA" }],
		[7, "wildcard", sub { "x" . int(rand 1e6) . ".wild.bench.test. A" }],
		[5, "referral", sub { "www.d" . (1 + int rand $ndeleg) . ".bench.test. A" }],
	);
	open my $q, ">", "$dir/queries" or die "$dir: $!\n";
	for (1 .. 100000) {
		my $r = rand 100;
		for my $m (@mix) {
			if (($r -= $m->[0]) < 0) { print $q $m->[2]->(), "\n"; last }
		}
	}
	close $q or die "$dir: $!\n";
	open my $s, ">", "$dir/samples" or die "$dir: $!\n";
	print $s $_->[1], " ", $_->[2]->(), "\n" for @mix;
	print $s "apex bench.test. MX\n";
	close $s or die "$dir: $!\n";' "$1" "$2"
}

start_rbdnsd() { # start_rbdnsd DIR PORT: sets RBPID
	R=$1/rb
	mkdir -p "$R/zones"
	cp "$1/zones.bench.test" "$R/zones/"
	printf 'server:\n\tinterface: 127.0.0.1@%s\n\trate-limit: 0\n\tlog-retention: 0\n' \
	    "$2" > "$R/runbound.conf"
	"$bin/rb-zone" -d "$R" build >/dev/null || return 1
	"$bin/rb-data" -d "$R" >/dev/null || return 1
	taskset -c 0 "$bin/rb-dnsd" -d "$R" -r 3 3>"$R/ready" 2>"$R/log" &
	RBPID=$!
	pids="$pids $RBPID"
	while [ ! -s "$R/ready" ]; do
		kill -0 "$RBPID" 2>/dev/null || return 1
		sleep 0.01
	done
}

start_nsd() { # start_nsd DIR PORT: sets NSDPID
	N=$1/nsd
	mkdir -p "$N"
	cat >"$N/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $2
	zonesdir: "$1"
	chroot: ""
	username: ""
	pidfile: "$N/nsd.pid"
	database: ""
	zonelistfile: "$N/zone.list"
	xfrdfile: "$N/xfrd.state"
	xfrdir: "$N"
	server-count: 1
	minimal-responses: yes
	rrl-ratelimit: 0
	verbosity: 0
remote-control:
	control-enable: no
zone:
	name: bench.test
	zonefile: zones.bench.test
EOF
	taskset -c 0 nsd -d -c "$N/nsd.conf" 2>"$N/log" &
	NSDPID=$!
	pids="$pids $NSDPID"
	_n=0
	until dig @127.0.0.1 -p "$2" +time=1 +tries=1 bench.test SOA 2>/dev/null |
	    grep -q 'status: NOERROR'; do
		kill -0 "$NSDPID" 2>/dev/null || return 1
		_n=$((_n + 1))
		[ "$_n" -lt 500 ] || return 1
		sleep 0.02
	done
}

# throughput LABEL PORT PID: one saturating run, appended to results as
# "RESULT label qps user-us sys-us" per answered query: the exact CPU
# time (schedstat), split between user and system as the clock ticks
# split it.
throughput() {
	perf_cpu "$3" "$W/tp.out" -s 127.0.0.1 -p "$2" -d "$W/queries" \
	    -l "$secs" -c 20 -q 200
	perl -e '
		my ($label, $u, $s, $ns) = @ARGV; local $/; my $o = <STDIN>;
		my ($done) = $o =~ /Queries completed:\s+(\d+)/;
		my ($qps) = $o =~ /Queries per second:\s+([\d.]+)/;
		die "bench: dnsperf gave no result:\n$o" unless $done && $qps;
		my $us = $ns / 1000 / $done;
		my $uf = $u + $s ? $u / ($u + $s) : 0;
		printf "RESULT %s %.0f %.3f %.3f\n", $label, $qps,
		    $us * $uf, $us * (1 - $uf);
	' "$1" "$UTICKS" "$STICKS" "$CPUNS" < "$W/tp.out" >> "$W/results"
}

# fixed LABEL PORT PID [-v]: the query file once at $rate/s; prints CPU
# per answered query at that rate, lost queries, mean response size and
# the rcode counts (dnsperf's own), and with -v p50 and p99 from every
# response's latency.  dnsperf sends in bursts; with -v, writing a line
# per response paces it to about one query per server wakeup.
fixed() {
	perf_cpu "$3" "$W/fixed.out" -s 127.0.0.1 -p "$2" -d "$W/queries" \
	    -n 1 -Q "$rate" -c 20 -q 200 ${4:-}
	perl -e '
		my ($label, $ns) = @ARGV; my (@l, $done, $lost, $size, $rc);
		while (<STDIN>) {
			push @l, $1 if /^> \S+ \S+ \S+ ([\d.]+)$/;
			$done = $1 if /Queries completed:\s+(\d+)/;
			$lost = $1 if /Queries lost:\s+(\d+)/;
			$size = $1 if /Average packet size:.*response (\d+)/;
			$rc = join " ", /(\w+) (\d+) \(/g if /Response codes:/;
		}
		die "bench: dnsperf gave no result\n" unless $done;
		my $lat = "";
		if (@l) {
			@l = sort { $a <=> $b } @l;
			$lat = sprintf "  p50 %6.3f ms  p99 %6.3f ms",
			    1000 * $l[int(@l * 0.5)], 1000 * $l[int(@l * 0.99)];
		}
		printf "%-8s cpu/query %5.2f us%s  lost %d  response %d bytes  rcodes %s\n",
		    $label, $ns / 1000 / $done, $lat, $lost // -1, $size // 0, $rc // "-";
	' "$1" "$CPUNS" < "$W/fixed.out"
}

# ratio_fixed A B: the rb-dnsd/nsd ratio of the cpu/query in lines A, B.
ratio_fixed() {
	perl -e 'my @c = map { open my $f, "<", $_ or die; <$f> =~ /cpu\/query\s+([\d.]+)/; $1 } @ARGV;
		printf "ratio rb-dnsd/nsd: cpu/query %.2f\n", $c[0] / $c[1] if $c[1] > 0' "$@"
}

# answer PORT NAME TYPE: rcode, flags aa/tc, sorted records, one line.
answer() {
	dig @127.0.0.1 -p "$1" +time=2 +tries=1 +norec +nocookie +noall \
	    +comments +answer +authority +additional "$2" "$3" 2>&1 |
	awk '/status:/ { s = $6; sub(",", "", s) }
		/^;; flags:/ { split($0, a, ";"); f = " " a[3] " " }
		/^[^;]/ && NF { gsub(/[ \t]+/, " "); r[n++] = tolower($0) }
		END { print s ((f ~ / aa /) ? " aa" : "") ((f ~ / tc /) ? " tc" : "")
		    for (i = 0; i < n; i++) print r[i] }' |
	{ read -r h; printf '%s|' "$h"; sort | tr '\n' '|'; }
}

summary() {
	perl -e '
		my (%r);
		while (<STDIN>) {
			my ($l, @v) = (split)[1 .. 4] or next;
			push @{$r{$l}}, [@v];
		}
		sub med { my @s = sort { $a <=> $b } @_; $s[$#s / 2] }
		sub rng { my @s = sort { $a <=> $b } @_; sprintf "%.2f-%.2f", $s[0], $s[-1] }
		my %m;
		print "median of the runs (range):\n";
		for my $l ("rb-dnsd", "nsd") {
			my @q = map { $_->[0] } @{$r{$l}};
			my @u = map { $_->[1] } @{$r{$l}};
			my @s = map { $_->[2] } @{$r{$l}};
			my @t = map { $_->[1] + $_->[2] } @{$r{$l}};
			$m{$l} = [med(@q), med(@u), med(@s), med(@t)];
			printf "%-8s qps %7.0f (%.0f-%.0f)  cpu/query %5.2f us (%s)  user %5.2f us (%s)  sys %5.2f us (%s)\n",
			    $l, $m{$l}[0], (sort { $a <=> $b } @q)[0], (sort { $a <=> $b } @q)[-1],
			    $m{$l}[3], rng(@t), $m{$l}[1], rng(@u), $m{$l}[2], rng(@s);
		}
		my ($a, $b) = ($m{"rb-dnsd"}, $m{nsd});
		printf "ratio rb-dnsd/nsd: cpu/query %.2f  user %.2f  sys %.2f  qps %.2f\n",
		    $a->[3] / $b->[3], $a->[1] / ($b->[1] || 1e-9),
		    $a->[2] / ($b->[2] || 1e-9), $a->[0] / $b->[0];
	' < "$W/results"
}

command -v nsd >/dev/null || { echo "bench: nsd missing (make deps)"; exit 1; }
make_data "$W" "$names" || exit 1
: > "$W/results"
P=$(free_port)
start_rbdnsd "$W" "$P" || { echo "bench: rb-dnsd did not start"; exit 1; }
Q=$(free_port)
start_nsd "$W" "$Q" || { echo "bench: nsd did not start"; exit 1; }
echo "== authoritative: one zone of $names names, rb-dnsd vs nsd $(nsd -v 2>&1 | awk 'NR == 1 { print $3 }') =="

same=0
total=0
while read -r kind name type; do
	total=$((total + 1))
	a=$(answer "$P" "$name" "$type")
	b=$(answer "$Q" "$name" "$type")
	if [ "$a" = "$b" ]; then
		same=$((same + 1))
	else
		printf 'answers differ: %s %s %s\n  rb-dnsd: %s\n  nsd:     %s\n' \
		    "$kind" "$name" "$type" "$a" "$b"
	fi
done < "$W/samples"
echo "sample answers, one per kind of query: $same of $total the same"

for i in $(seq "$runs"); do
	throughput rb-dnsd "$P" "$RBPID"
	throughput nsd "$Q" "$NSDPID"
done
awk '{ printf "run: %-8s qps %7.0f  cpu/query %5.2f us (user %5.2f, sys %5.2f)\n", $2, $3, $4 + $5, $4, $5 }' "$W/results"
summary

echo "fixed rate, 100,000 queries once at $rate/s, as dnsperf sends them:"
fixed rb-dnsd "$P" "$RBPID" | tee "$W/fixed.rb"
fixed nsd "$Q" "$NSDPID" | tee "$W/fixed.nsd"
ratio_fixed "$W/fixed.rb" "$W/fixed.nsd"
echo "fixed rate, paced by dnsperf -v (a line per response), latencies:"
fixed rb-dnsd "$P" "$RBPID" -v | tee "$W/lat.rb"
fixed nsd "$Q" "$NSDPID" -v | tee "$W/lat.nsd"
ratio_fixed "$W/lat.rb" "$W/lat.nsd"
rc() { sed 's/.*rcodes //' "$1"; }
if [ "$(rc "$W/fixed.rb")" = "$(rc "$W/fixed.nsd")" ] &&
    [ "$(rc "$W/lat.rb")" = "$(rc "$W/lat.nsd")" ]; then
	echo "rcode distribution: the same"
else
	echo "rcode distribution: DIFFERENT"
fi
