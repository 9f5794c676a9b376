#!/bin/sh
# Replication over loopback HTTPS, with about 10,000 DNS entries and
# 100,000 blacklist entries on the master (Runbound's limits, less the
# room the writes need):
#   - a full sync of a fresh slave (from its start to sync/state saying
#     synced), and that it then lists what the master does;
#   - the lag from a write on the master (POST /blacklist answered, one
#     keep-alive connection, rate limit off) to the slave having applied
#     it (journal, store, data/ and sync/state written), over 10,000
#     writes one after the other (target: p99 < 50 ms).
# BENCH_SYNC_WRITES changes the number of writes.
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

port() {
	perl -MIO::Socket::INET -e 'for (1..200) { my $p = 20000 +
	    int(rand(40000)); IO::Socket::INET->new(LocalAddr => "127.0.0.1",
	    LocalPort => $p, Listen => 1, ReuseAddr => 1) or next; print $p;
	    exit 0 } exit 1'
}
sport=$(port)
aport=$(port)
key=$(openssl rand -hex 32)
mkdir -p "$R/m" "$R/s"
conf() { # conf DIR ROLE-LINES
	printf 'server:\n%s\n    sync-key: "%s"\n' "$2" "$key" >"$1/runbound.conf"
}
conf "$R/m" "    mode: master
    sync-port: $sport
    api-port: $aport"
conf "$R/s" "    mode: slave
    sync-master: 127.0.0.1:$sport"

start() { # start ROOT PROG: PROG on ROOT, ready
	RB_API_RATELIMIT=0 "$bin/$2" -d "$1" -r 3 3>"$1/ready.$2" 2>>"$1/log" &
	pids="$pids $!"
	while [ ! -s "$1/ready.$2" ]; do sleep 0.01; done
}

perl -e 'printf "{\"name\":\"h%d.bench.\",\"type\":\"A\",\"value\":\"10.0.%d.%d\"}\n",
    $_, $_ >> 8, $_ & 255 for 1..8000' >"$R/d"
perl -e 'printf "{\"domain\":\"d%d.block.example\",\"action\":\"nxdomain\"}\n",
    $_ for 1..88000' >"$R/b"
"$bin/rb-dns" -d "$R/m" import "$R/d" >/dev/null
"$bin/rb-block" -d "$R/m" import "$R/b" >/dev/null
"$bin/rb-data" -d "$R/m" -c -f
start "$R/m" rb-syncd
start "$R/m" rb-apid

# --- full sync of a fresh slave ---------------------------------------------
t0=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
start "$R/s" rb-syncd
until grep -q '"synced":true' "$R/s/sync/state" 2>/dev/null; do sleep 0.01; done
t1=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
perl -e 'printf "sync: full sync of a fresh slave (8,000 dns, 88,000 blacklist): %.2f s\n",
    $ARGV[1] - $ARGV[0]' "$t0" "$t1"
for c in rb-dns rb-block; do
	[ "$("$bin/$c" -d "$R/m" list | md5sum)" = "$("$bin/$c" -d "$R/s" list | md5sum)" ] ||
	    echo "sync: full sync: $c lists differ"
done

# --- lag over 10,000 writes ---------------------------------------------------
# One perl process writes and watches: after each 201, poll the slave's
# sync/state every 0.1 ms until its applied_seq reaches the write's seq.
n=${BENCH_SYNC_WRITES:-10000}
# (A request is one write on one kept-alive connection: HTTP::Tiny writes
# headers and body apart, and Nagle and delayed ACKs then add 40 ms.)
perl -MTime::HiRes=time,sleep -MIO::Socket::INET -e '
	my ($aport, $key, $s, $n) = @ARGV;
	sub applied { open(my $f, "<", "$s/sync/state") or return 0;
		local $/; my $t = <$f>; $t =~ /"applied_seq":(\d+)/ ? $1 : 0 }
	my $c = IO::Socket::INET->new("127.0.0.1:$aport") or die "connect: $!\n";
	sub post { my ($body) = @_;
		syswrite($c, "POST /blacklist HTTP/1.1\r\nHost: x\r\n" .
		    "Authorization: Bearer $key\r\nContent-Type: application/json\r\n" .
		    "Content-Length: " . length($body) . "\r\n\r\n$body");
		my $buf = "";
		until ($buf =~ /\r\n\r\n/ && $buf =~ /Content-Length: (\d+)/i &&
		    length($buf) >= index($buf, "\r\n\r\n") + 4 + $1) {
			sysread($c, $buf, 65536, length $buf) or die "read: $!\n";
		}
		return $buf =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0 }
	my $seq = applied();
	my @lag;
	for my $i (1 .. $n) {
		my $st = post("{\"domain\":\"s$i.sync.example\"}");
		die "POST /blacklist: $st\n" unless $st == 201;
		my $t0 = time;
		$seq++;
		until (applied() >= $seq) {
			die "no progress\n" if time - $t0 > 30;
			sleep 0.0001;
		}
		push @lag, time - $t0;
	}
	@lag = sort { $a <=> $b } @lag;
	my $p = sub { $lag[int($_[0] * $#lag + 0.5)] * 1000 };
	printf "sync: lag over %d writes, one after the other: p50 %.1f ms, " .
	    "p99 %.1f ms, max %.1f ms (target p99 < 50 ms)\n", $n,
	    $p->(0.5), $p->(0.99), $lag[-1] * 1000;
' "$aport" "$(cat "$R/m/api.key")" "$R/s" "$n"
[ "$("$bin/rb-block" -d "$R/m" list | md5sum)" = "$("$bin/rb-block" -d "$R/s" list | md5sum)" ] ||
    echo "sync: after the writes: blacklists differ"
