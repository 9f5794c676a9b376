# bench/lib.sh: helpers shared by bench/*.sh, which source it first
# (bench/run.sh skips this file).  Sets top, bin (BENCH_BIN, else the gcc
# build; another build's bin/ gives before/after numbers), secs
# (BENCH_SECONDS, default 10) and W, a temporary directory; on exit every
# pid listed in $pids is stopped and W is removed.  Servers run on core 0
# and dnsperf on core 1 (taskset), so that the server's CPU time is its
# own and the load generator does not share its core.
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${BENCH_BIN:-$top/build/gcc/bin}
secs=${BENCH_SECONDS:-10}
W=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM # so that the EXIT trap cleans up then too

free_port() {
	perl -MIO::Socket::INET -e 'for (1..100) { my $p = 20000 + int(rand(30000));
	    IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>$p,
	    Proto=>"udp") or next; print "$p\n"; exit }'
}
now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
anon_kb() { awk '/^RssAnon/ {print $2}' "/proc/$1/status"; }

# tree_cpu PID: "user system ns": the clock ticks of user and system
# time, and the exact nanoseconds on CPU (schedstat, every thread), used
# so far by PID and every process below it (nsd answers in a forked
# grandchild; rb-dnsd, and unbound with one thread, have none).
tree_cpu() {
	perl -e '
		my ($root, %ppid, %t) = @ARGV;
		for my $f (glob "/proc/[0-9]*/stat") {
			open my $fh, "<", $f or next;
			my $s = <$fh> // next;
			my ($pid) = $s =~ /^(\d+)/;
			$s =~ s/.*\) //s;	# comm may hold spaces
			my @f = split / /, $s;	# $f[0] is field 3 (state)
			$ppid{$pid} = $f[1];
			$t{$pid} = [$f[11], $f[12]];
		}
		my ($u, $sy, $ns) = (0, 0, 0);
		for my $p (keys %t) {
			my $q = $p;
			$q = $ppid{$q} while defined $q && $q != $root && $q > 1;
			next unless defined $q && $q == $root;
			$u += $t{$p}[0];
			$sy += $t{$p}[1];
			for my $task (glob "/proc/$p/task/*/schedstat") {
				open my $fh, "<", $task or next;
				$ns += (split / /, scalar <$fh>)[0];
			}
		}
		print "$u $sy $ns\n";' "$1"
}

# perf_cpu PID OUT DNSPERF-ARGS...: run dnsperf on core 1 with the given
# arguments (server, port, data, limits), its output into OUT, and set
# UTICKS and STICKS to the user and system ticks PID's tree used
# meanwhile (HZ a second), CPUNS to its nanoseconds on CPU.
HZ=$(getconf CLK_TCK)
perf_cpu() {
	_pid=$1
	_out=$2
	shift 2
	set -- $(tree_cpu "$_pid") "$@"
	_u0=$1
	_s0=$2
	_n0=$3
	shift 3
	taskset -c 1 dnsperf "$@" >"$_out" 2>&1
	set -- $(tree_cpu "$_pid")
	UTICKS=$(($1 - _u0))
	STICKS=$(($2 - _s0))
	CPUNS=$(($3 - _n0))
}

command -v dnsperf >/dev/null || { echo "bench: dnsperf missing (make deps)"; exit 1; }
