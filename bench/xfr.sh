#!/bin/sh
# Zone transfers out: a zone of BENCH_XFR_RECORDS (default 100,000) A
# records built by rb-zone and served by rb-dnsd; then the wall time of an
# AXFR read by dig (dig's own parsing and printing included), of an IXFR
# after a one-record change (rb-axfr scans and diffs both builds), and of
# queries answered by rb-dnsd while a client holds an AXFR it does not
# read (rb-dnsd's loop does not wait for transfers).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
n=${BENCH_XFR_RECORDS:-100000}
R=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$R"' EXIT

now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }
P=$(perl -MIO::Socket::INET -e 'for (1..100) { my $p = 20000 + int(rand(30000));
    IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>$p,
    Proto=>"tcp", Listen=>1) or next; print "$p\n"; exit }')
mkdir -p "$R/zones"
printf 'server:\n  interface: 127.0.0.1@%s\n  rate-limit: 0\n  allow-transfer: 127.0.0.1\n' \
    "$P" >"$R/runbound.conf"
zone() { # zone SERIAL EXTRA
	{
		printf '$ORIGIN big.test.\n$TTL 300\n'
		printf '@ IN SOA ns.big.test. h.big.test. %s 3600 600 86400 60\n' "$1"
		printf '@ IN NS ns\nns IN A 192.0.2.1\n%s\n' "$2"
		perl -e 'printf "h%d IN A 10.%d.%d.%d\n", $_, $_ >> 16,
		    ($_ >> 8) & 255, $_ & 255 for 1..$ARGV[0]' "$n"
	} >"$R/zones/zones.big.test"
}
zone 1 ""
t0=$(now)
"$bin/rb-zone" -d "$R" build >/dev/null || exit 1
t1=$(now)
perl -e 'printf "xfr: rb-zone build of %d records: %.2f s\n", @ARGV[0], $ARGV[2]-$ARGV[1]' "$n" "$t0" "$t1"
"$bin/rb-dnsd" -d "$R" 2>"$R/log" &
pid=$!
i=0
while ! dig @127.0.0.1 -p "$P" +short +time=1 +tries=1 big.test SOA | grep -q .; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "xfr: rb-dnsd did not start"; exit 1; }
	sleep 0.05
done

t0=$(now)
dig @127.0.0.1 -p "$P" big.test AXFR >"$R/axfr" 2>&1
t1=$(now)
perl -e 'printf "xfr: AXFR of %d records to dig: %.2f s\n", @ARGV[0], $ARGV[2]-$ARGV[1]' "$n" "$t0" "$t1"
grep 'XFR size' "$R/axfr" | sed 's/^;; /xfr:   /'

tcp10() { # the time of 10 TCP queries, each a new dig
	t0=$(now)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		dig @127.0.0.1 -p "$P" +short +tcp ns.big.test >/dev/null
	done
	t1=$(now)
	perl -e 'printf "%.1f\n", 100*($ARGV[1]-$ARGV[0])' "$t0" "$t1"
}
base=$(tcp10)
# A client that asks for an AXFR and reads nothing keeps rb-axfr blocked
# in write; rb-dnsd answers on meanwhile.
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
	    Proto => "tcp") or die;
	my $q = pack("nnnnnn", 7, 0, 1, 0, 0, 0) . "\003big\004test\000" .
	    pack("nn", 252, 1);
	print $s pack("n", length $q) . $q;
	sleep 3;' "$P" &
hold=$!
sleep 0.3
during=$(tcp10)
echo "xfr: a TCP query (a new dig each): $base ms alone, $during ms while an AXFR client stalls"
kill $hold 2>/dev/null
wait $hold 2>/dev/null

zone 2 "new IN A 192.0.2.99"
"$bin/rb-zone" -d "$R" build >/dev/null || exit 1
i=0
while ! dig @127.0.0.1 -p "$P" +short new.big.test | grep -q .; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "xfr: new build not served"; exit 1; }
	sleep 0.05
done
t0=$(now)
dig @127.0.0.1 -p "$P" big.test IXFR=1 >"$R/ixfr" 2>&1
t1=$(now)
perl -e 'printf "xfr: IXFR of one added record in %d: %.3f s\n", @ARGV[0], $ARGV[2]-$ARGV[1]' "$n" "$t0" "$t1"
grep 'XFR size' "$R/ixfr" | sed 's/^;; /xfr:   /'
grep 'rb-axfr: info: ixfr' "$R/log" | sed 's/^/xfr:   /'
