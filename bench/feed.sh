#!/bin/sh
# Feed compile speed and memory: a 1,000,000-line hosts file parsed and
# compiled to its set file by `rb-feed compile` (target: under 1 s), then the
# whole refresh path, `rb-feed update` over HTTPS from a local server
# (TLS, parse, compile, journal).  Peak RSS from GNU time.  When rb-dnsd
# reads feeds, also its CPU per query on blocked names with that feed
# loaded (dnsperf).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
R=$(mktemp -d)
srv=""
dnsd=""
cleanup() {
	for p in $srv $dnsd; do kill "$p" 2>/dev/null || true; done
	rm -rf "$R"
}
trap cleanup EXIT
n=${BENCH_FEED_LINES:-1000000}
. "$top/test/integ/50-feed-lib.sh"

now() { perl -MTime::HiRes=time -e 'printf "%.3f\n", time'; }
measure() { # measure CMD...: "SECONDS PEAK_KB" of one run
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$R/time" "$@" >/dev/null
		cat "$R/time"
	else
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		perl -e 'printf "%.2f ?\n", $ARGV[1] - $ARGV[0]' "$t0" "$t1"
	fi
}
report() { # report WHAT "SECONDS PEAK_KB"
	set -- "$1" $2
	perl -e 'printf "feed: %s: %.2f s, peak RSS %s\n", $ARGV[0], $ARGV[1],
	    $ARGV[2] eq "?" ? "unknown (no /usr/bin/time)" :
	    sprintf("%.1f MB", $ARGV[2] / 1024)' "$1" "$2" "$3"
}

perl -e 'print "# bench feed\n";
	printf "0.0.0.0 host%d.d%d.example.com\n", $_, $_ % 977 for 1 .. $ARGV[0]' \
	"$n" >"$R/hosts"
report "compile $n-line hosts file (target < 1 s)" \
	"$(measure "$bin/rb-feed" compile "$R/hosts" "$R/hosts.set")"
report "compile it again (page cache warm)" \
	"$(measure "$bin/rb-feed" compile "$R/hosts" "$R/hosts.set")"

# The whole refresh over HTTPS, as rb-feedd does it.
if perl -MIO::Socket::SSL -e 1 2>/dev/null; then
	mkdir -p "$R/tls" "$R/www" "$R/root"
	feed_cert "$R/tls"
	port=$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(
	    LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1) or die;
	    print $s->sockport, "\n"')
	cp "$R/hosts" "$R/www/hosts"
	perl "$top/test/integ/50-feed-https.pl" "$port" "$R/tls/srv.pem" \
	    "$R/tls/srv.key" "$R/www" 2>/dev/null &
	srv=$!
	i=0
	while [ ! -f "$R/www/ready" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	printf 'server:\n feed-ca-file: %s\n feed-allow-address: 127.0.0.1\n' \
	    "$R/tls/ca.pem" >"$R/root/runbound.conf"
	"$bin/rb-feed" -d "$R/root" add bench "https://127.0.0.1:$port/hosts" \
	    >/dev/null
	report "rb-feed update of that feed over HTTPS" \
	    "$(measure "$bin/rb-feed" -d "$R/root" update)"
	report "rb-feed update again (304 Not Modified)" \
	    "$(measure "$bin/rb-feed" -d "$R/root" update)"
else
	echo "feed: HTTPS refresh: skipped (perl IO::Socket::SSL missing)"
fi

# rb-dnsd's CPU per query for blocked names, once it reads feeds/.
if dnsd_has_feeds "$bin/rb-dnsd" "$top/doc/rb-dnsd.md"; then
	dport=$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(
	    LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "udp") or die;
	    print $s->sockport, "\n"')
	printf ' interface: 127.0.0.1@%s\n access-control: 127.0.0.0/8 allow\n rate-limit: 0\n' \
	    "$dport" >>"$R/root/runbound.conf"
	"$bin/rb-dnsd" -d "$R/root" -r 3 3>"$R/dnsd.ready" 2>/dev/null &
	dnsd=$!
	i=0
	while [ ! -s "$R/dnsd.ready" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	perl -e 'printf "x.host%d.d%d.example.com A\n", $_, $_ % 977
	    for map { 1 + int(rand(1000000)) } 1 .. 100000' >"$R/queries"
	cpu() { awk '{ print $14 + $15 }' "/proc/$dnsd/stat"; }
	c0=$(cpu)
	dnsperf -s 127.0.0.1 -p "$dport" -d "$R/queries" -l 10 -q 200 \
	    >"$R/perf" 2>&1 || true
	c1=$(cpu)
	q=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$R/perf")
	perl -e 'my ($c, $q, $hz) = @ARGV; printf "feed: rb-dnsd with a " .
	    "1,000,000-name feed: %d blocked queries, %.2f us CPU per query\n",
	    $q, $q ? ($c / $hz) * 1e6 / $q : 0' "$((c1 - c0))" "${q:-0}" \
	    "$(getconf CLK_TCK)"
else
	echo "feed: rb-dnsd CPU per blocked query: not measured (rb-dnsd has no feed lookup yet)"
fi
