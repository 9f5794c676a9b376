#!/bin/sh
# rb-zone build speed: 100,000 A records in one zone written as a
# tinydns-data file and as an RFC 1035 master file, and 10,000 zones of
# ten hosts each in one tinydns-data file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT

now() { perl -MTime::HiRes=time -e 'printf "%.3f\n", time'; }
build() { # build NAME: rb-zone build of $R/NAME/zones, timed
	t0=$(now)
	"$bin/rb-zone" -d "$R/$1" -s 1 build >/dev/null
	t1=$(now)
	perl -e 'printf "zone: %s: %.3f s\n", $ARGV[0], $ARGV[2]-$ARGV[1]' \
	    "$2" "$t0" "$t1"
}

mkdir -p "$R/td/zones" "$R/m/zones" "$R/many/zones"
perl -e 'print ".bench.test:192.0.2.1:a\n";
	printf "+h%d.bench.test:10.%d.%d.%d\n", $_, $_ >> 16, ($_ >> 8) & 255,
	    $_ & 255 for 1..100000' >"$R/td/zones/zones.bench"
perl -e 'print "\$TTL 86400\n\@ 2560 IN SOA a.ns hostmaster 1 16384 2048 1048576 2560\n",
	"\@ 259200 IN NS a.ns\na.ns 259200 IN A 192.0.2.1\n";
	printf "h%d IN A 10.%d.%d.%d\n", $_, $_ >> 16, ($_ >> 8) & 255,
	    $_ & 255 for 1..100000' >"$R/m/zones/zones.bench.test"
perl -e 'for my $z (1..10000) { print ".z$z.bench::a\n";
	printf "+h%d.z%d.bench:10.0.%d.%d\n", $_, $z, $z & 255, $_ for 1..10 }' \
	>"$R/many/zones/zones.many"
build td "100,000 A records, tinydns-data"
build m "100,000 A records, master file"
cmp -s "$R/td/data/zones.cdb" "$R/m/data/zones.cdb" ||
	echo "zone: tinydns and master file gave different cdbs"
build many "10,000 zones of 10 hosts, one tinydns-data file"
