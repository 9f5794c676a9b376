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

# ready_time PORT NAME CMD...: start CMD in the background and print "PID
# SECONDS", the seconds from its start until it answers an A query for
# NAME on 127.0.0.1@PORT (probed every millisecond; -1 after 60 s).  The
# probe is one process made before the clock starts, so the time is the
# server's own, not that of starting dig.  CMD is left running (stop it
# by PID); its file descriptors are this shell's.
ready_time() {
	perl -MTime::HiRes=time -MSocket -e '
		my ($port, $name, @cmd) = @ARGV;
		my $q = pack("n6", 0x5242, 0x0100, 1, 0, 0, 0);
		$q .= pack("C/a*", $_) for split /\./, $name;
		$q .= pack("Cnn", 0, 1, 1);
		socket(my $s, PF_INET, SOCK_DGRAM, 0) or die "socket: $!";
		my $to = sockaddr_in($port, inet_aton("127.0.0.1"));
		my $t0 = time;
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			open STDOUT, ">", "/dev/null";	# not the $(...) pipe
			exec @cmd or exit 127;
		}
		while (time - $t0 < 60) {
			send($s, $q, 0, $to);
			my $r = "";
			vec($r, fileno $s, 1) = 1;
			next unless select($r, undef, undef, 0.001);
			recv($s, my $a, 512, 0) // next;
			next unless length $a >= 12 && unpack("n", $a) == 0x5242;
			printf "%d %.3f\n", $pid, time - $t0;
			exit 0;
		}
		print "$pid -1\n";
		exit 1;' "$@"
}
# stop_server PID: TERM, then wait until PID is gone or a zombie (a server
# from ready_time is not this shell's child, so wait cannot).
stop_server() {
	kill "$1" 2>/dev/null
	for _ in $(seq 200); do
		[ -r "/proc/$1/stat" ] || return 0
		case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in Z | "") return 0 ;; esac
		sleep 0.05
	done
}
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

# run_dnsperf PORT QUERYFILE PID LABEL: one measurement line.
run_dnsperf() {
	perf_cpu "$3" "$W/dnsperf.out" -s 127.0.0.1 -p "$1" -d "$2" \
	    -l "$secs" -c 20 -q 200
	out=$(cat "$W/dnsperf.out")
	echo "$out" | perl -e '
		my ($label, $ticks, $hz, $uticks) = @ARGV; local $/; my $o = <STDIN>;
		my ($done) = $o =~ /Queries completed:\s+(\d+)/;
		my ($qps) = $o =~ /Queries per second:\s+([\d.]+)/;
		my ($lat) = $o =~ /Average Latency \(s\):\s+([\d.]+)/;
		my ($sd) = $o =~ /Latency StdDev \(s\):\s+([\d.]+)/;
		$done ||= 1;
		my $us = $ticks / $hz * 1e6 / $done;
		my $uus = $uticks / $hz * 1e6 / $done;
		# dnsperf 2.x reports mean and stddev; p99 is estimated as
		# mean + 2.33 sd (normal approximation), labelled as such.
		printf "%-26s qps %8.0f  p99~ %6.3f ms  cpu/query %5.2f us (user %5.2f us)\n",
		    $label, $qps, 1000 * ($lat + 2.33 * $sd), $us, $uus;
		print "RESULT $label $us $uus\n";' "$4" "$((UTICKS + STICKS))" "$HZ" "$UTICKS"
}

# ratio X LABEL: the rb-dnsd/unbound ratios of CPU per query (and of user
# CPU alone) for LABEL, from the RESULT lines run_dnsperf wrote to
# $W/results.
ratio() {
	perl -e 'my (%v, %u); while (<STDIN>) { ($v{$1}, $u{$1}) = ($2, $3) if /^RESULT (\S+) (\S+) (\S+)/ }
		my ($a, $b) = @ARGV;
		printf "ratio rb-dnsd/unbound %-16s cpu/query %.2f (user only %.2f)\n", $b,
		    $v{"rb-dnsd/$b"} / $v{"unbound/$b"}, $u{"rb-dnsd/$b"} / ($u{"unbound/$b"} || 1e-9)
		    if $v{"unbound/$b"};' "$@" < "$W/results"
}

# base_ratio LABEL: this build's rb-dnsd against the one of
# BENCH_BASE_BIN (label base/LABEL), CPU per query, same run.
base_ratio() {
	perl -e 'my %v; while (<STDIN>) { $v{$1} = $2 if /^RESULT (\S+) (\S+)/ }
		my ($b) = @ARGV;
		printf "ratio rb-dnsd/base %-19s cpu/query %.2f (%.2f us against %.2f us)\n",
		    $b, $v{"rb-dnsd/$b"} / $v{"base/$b"}, $v{"rb-dnsd/$b"}, $v{"base/$b"}
		    if $v{"base/$b"};' "$@" < "$W/results"
}

# floor_ratio N LABEL: CPU per query of bench/udpfloor (label floor/N) as
# a share of unbound's for LABEL: the least ratio a server on kernel UDP
# sockets could print there, whatever its own code does.
floor_ratio() {
	perl -e 'my %v; while (<STDIN>) { $v{$1} = $2 if /^RESULT (\S+) (\S+)/ }
		my ($n, $b) = @ARGV;
		printf "floor: a no-work UDP responder costs %.2f us/query = %.2f of unbound %s, the least ratio any kernel-socket server can reach\n",
		    $v{"floor/$n"}, $v{"floor/$n"} / $v{"unbound/$b"}, $b
		    if $v{"unbound/$b"} && defined $v{"floor/$n"};' "$@" < "$W/results"
}

command -v dnsperf >/dev/null || { echo "bench: dnsperf missing (make deps)"; exit 1; }
