#!/bin/sh
# Replication over loopback HTTPS: the lag from a write on the master
# (`rb-dns add` returned) to the slave having applied it (journal, store,
# data/ and sync/state written), over 1,000 writes with the long poll
# (target: p99 under 1 s); then a full sync of 100,000 entries (a fresh
# slave, from its start to sync/state saying synced).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
R=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$R"
}
trap cleanup EXIT

port=$(perl -MIO::Socket::INET -e 'for (1..200) { my $p = 20000 +
    int(rand(40000)); IO::Socket::INET->new(LocalAddr => "127.0.0.1",
    LocalPort => $p, Listen => 1, ReuseAddr => 1) or next; print $p;
    exit 0 } exit 1')
key=$(openssl rand -hex 32)
mkdir -p "$R/m" "$R/s" "$R/f"
conf() { # conf DIR ROLE-LINES
	printf 'server:\n%s\n    sync-key: "%s"\n' "$2" "$key" >"$1/runbound.conf"
}
conf "$R/m" "    mode: master
    sync-port: $port"
conf "$R/s" "    mode: slave
    sync-master: 127.0.0.1:$port"
conf "$R/f" "    mode: slave
    sync-master: 127.0.0.1:$port"

start() { # start ROOT: rb-syncd on ROOT, ready
	"$bin/rb-syncd" -d "$1" -r 3 3>"$1/ready" 2>>"$1/log" &
	pids="$pids $!"
	while [ ! -s "$1/ready" ]; do sleep 0.01; done
}
"$bin/rb-dns" -d "$R/m" add first.bench. A 10.0.0.1 >/dev/null
start "$R/m"
start "$R/s"
until grep -q '"synced":true' "$R/s/sync/state" 2>/dev/null; do sleep 0.05; done

# One perl process writes and watches: after each `rb-dns add` returns,
# poll the slave's sync/state every 0.2 ms until its applied_seq reaches
# the master's seq.
n=${BENCH_SYNC_WRITES:-1000}
perl -MTime::HiRes=time,sleep -e '
	my ($bin, $m, $s, $n) = @ARGV;
	sub applied { open(my $f, "<", "$s/sync/state") or return 0;
		local $/; my $t = <$f>; $t =~ /"applied_seq":(\d+)/ ? $1 : 0 }
	my $seq = applied();
	my @lag;
	open(STDOUT, ">", "/dev/null") or die;
	for my $i (1 .. $n) {
		system("$bin/rb-dns", "-d", $m, "add", "h$i.bench.", "A",
		    sprintf("10.1.%d.%d", $i >> 8, $i & 255)) == 0 or die;
		my $t0 = time;
		$seq++;
		until (applied() >= $seq) {
			die "no progress\n" if time - $t0 > 30;
			sleep 0.0002;
		}
		push @lag, time - $t0;
	}
	@lag = sort { $a <=> $b } @lag;
	my $p = sub { $lag[int($_[0] * $#lag + 0.5)] * 1000 };
	printf STDERR "sync: lag over %d writes with long poll: p50 %.1f ms, " .
	    "p99 %.1f ms, max %.1f ms (target p99 < 1000 ms)\n", $n,
	    $p->(0.5), $p->(0.99), $lag[-1] * 1000;
' "$bin" "$R/m" "$R/s" "$n" 2>"$R/out" ||
	{ cat "$R/out"; exit 1; }
cat "$R/out"

# Full sync of 100,000 entries: 90,000 blacklist, 9,000 allowlist, 1,000 dns.
perl -e 'printf "{\"domain\":\"d%d.block.example\",\"action\":\"nxdomain\"}\n",
    $_ for 1..90000' >"$R/b"
perl -e 'printf "{\"domain\":\"a%d.allow.example\"}\n", $_ for 1..9000' >"$R/a"
perl -e 'printf "{\"name\":\"n%d.bench.\",\"type\":\"A\",\"value\":\"10.2.%d.%d\"}\n",
    $_, $_ >> 8, $_ & 255 for 1..1000' >"$R/d"
"$bin/rb-block" -d "$R/m" import "$R/b" >/dev/null
"$bin/rb-allow" -d "$R/m" import "$R/a" >/dev/null
"$bin/rb-dns" -d "$R/m" import "$R/d" >/dev/null
t0=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
start "$R/f"
until grep -q '"synced":true' "$R/f/sync/state" 2>/dev/null; do sleep 0.01; done
t1=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
total=$(cat "$R/m/store/"*.json | jq -s 'map(.entries | length) | add')
perl -e 'printf "sync: full sync of %d entries (%.1f MB of store): %.2f s\n",
    $ARGV[2], $ARGV[3] / 1e6, $ARGV[1] - $ARGV[0]' "$t0" "$t1" "$total" \
    "$(cat "$R/m/store/"*.json | wc -c)"
cmp -s "$R/m/store/blacklist.json" "$R/f/store/blacklist.json" &&
    cmp -s "$R/m/data/block.cdb" "$R/f/data/block.cdb" ||
    echo "sync: full sync: stores differ"
