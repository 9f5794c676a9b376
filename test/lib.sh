# test/lib.sh: helpers for integration tests (POSIX sh, TAP output).
# Source it first thing: . "$(dirname "$0")/../lib.sh"
# Provides: ok, is, like, plan, done_testing, bail, bail_log, tmproot, free_port,
# start_bg, start_ready, cdb_view, tmpfs_at, wait_for, stop_pid, and a cleanup trap that stops every process
# started with start_bg and removes every tmproot, once any compaction a
# write started there is done.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
RB_BIN=${RB_BIN:-$TOP/build/gcc/bin}
PATH=$RB_BIN:$PATH
export PATH RB_BIN TOP
unset RB_ROOT RUNBOUND_API_KEY RUNBOUND_AUDIT_HMAC_KEY

_tap_n=0
_tap_fail=0
_pids=""
# Every temporary root lives under one directory made now, so that roots
# made in a subshell ($(tmproot)) are removed too.
_top=$(mktemp -d "${TMPDIR:-/tmp}/rbtest.XXXXXX") || {
	echo "Bail out! mktemp"
	exit 255
}
# Daemons that drop privileges must still reach their root inside it.
chmod 711 "$_top"

ok() { # ok COND-EXIT-STATUS DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "# got:  '$1'"
		echo "# want: '$2'"
	fi
}

like() { # like GOT EXTENDED-REGEX DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "# got:  '$1'"
		echo "# want match: '$2'"
	fi
}

diag() { echo "# $*"; }

plan() { echo "1..$1"; }

done_testing() { echo "1..$_tap_n"; }

bail() {
	echo "Bail out! $*"
	exit 255
}

bail_log() { # bail_log LOG MESSAGE: LOG's last lines on stderr, then bail
	tail -20 "$1" 2>/dev/null | sed "s|^|$1: |" >&2
	shift
	bail "$*"
}

tmproot() { # prints a new temporary state root, removed at exit
	mktemp -d "$_top/root.XXXXXX" || bail "mktemp"
}

free_port() { # free_port [ADDR]: a TCP+UDP port free on ADDR (127.0.0.1;
	# 0.0.0.0 for a port a daemon binds on every address, as rb-syncd does)
	perl -MIO::Socket::INET -e '
		my $a = shift || "127.0.0.1";
		for (1..200) {
			# below the ephemeral range of Linux (32768-60999),
			# so that no outgoing connection takes it before use
			my $p = 10000 + int(rand(22768));
			my $t = IO::Socket::INET->new(LocalAddr=>$a, LocalPort=>$p,
			    Proto=>"tcp", ReuseAddr=>1, Listen=>1) or next;
			my $u = IO::Socket::INET->new(LocalAddr=>$a, LocalPort=>$p,
			    Proto=>"udp") or next;
			print "$p\n"; exit 0;
		}
		exit 1;' "${1:-127.0.0.1}"
}

cdb_view() { # cdb_view DIR NAME: the keys data/NAME.cdb answers with
	# DIR/NAME.delta laid over it (doc/cdb.md, "Deltas"), one "key value"
	# line each in hex, sorted; the meta key (0xff) left out
	perl -e '
		sub pairs {
			my %h; open(my $f, "-|", "cdb", "-d", $_[0]) or return %h;
			local $/; my $d = <$f>; close $f;
			while ($d =~ /\G\+(\d+),(\d+):/gc) {
				my ($kl, $vl) = ($1, $2);
				my $k = substr($d, pos($d), $kl);
				$h{$k} = substr($d, pos($d) + $kl + 2, $vl);
				pos($d) += $kl + 2 + $vl + 1;
			}
			return %h;
		}
		my %v = pairs("$ARGV[0]/$ARGV[1].cdb");
		if (-e "$ARGV[0]/$ARGV[1].delta") {
			my %d = pairs("$ARGV[0]/$ARGV[1].delta");
			while (my ($k, $x) = each %d) {
				if ($x =~ s/^S//s) { $v{$k} = $x } else { delete $v{$k} }
			}
		}
		delete $v{"\xff"};
		print unpack("H*", $_), " ", unpack("H*", $v{$_}), "\n"
		    for sort keys %v;' "$1" "$2"
}

start_bg() { # start_bg CMD ARGS...: runs in the background, pid in $!
	"$@" &
	_pids="$_pids $!"
}

start_ready() { # start_ready PROG ROOT: PROG -d ROOT -r 3, ready within 10 s
	# (else bail with its log); stderr to ROOT/PROG.log, pid in $LAST
	rm -f "$2/$1.ready"
	start_bg "$1" -d "$2" -r 3 3>"$2/$1.ready" 2>>"$2/$1.log"
	LAST=$!
	wait_for 10 test -s "$2/$1.ready" ||
		bail_log "$2/$1.log" "$1 on $2 did not start"
}

wait_for() { # wait_for SECONDS CMD ARGS...: retry CMD until it succeeds
	_limit=$1
	shift
	_end=$(($(date +%s) + _limit))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
	return 0
}

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL
	kill -TERM "$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# tmpfs_at DIR SIZE [OPTIONS]: mount a tmpfs of SIZE (mount's -o size=)
# on DIR (made if need be), unmounted at exit; needs root.
_mounts=""
tmpfs_at() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2${3:+,$3}" tmpfs "$1" &&
	    _mounts="$1 $_mounts"
}

_cleanup() {
	for _p in $_pids; do stop_pid "$_p"; done
	# A write may have started a compaction (rb-data -c, detached): it
	# holds store/.compact until done; wait for it (30 s at most).
	find "$_top" -path '*/store/.compact' 2>/dev/null | while read -r _c; do
		timeout 30 flock "$_c" true 2>/dev/null
	done
	for _m in $_mounts; do umount "$_m" 2>/dev/null; done
	rm -rf "$_top"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

finish() { # print the plan and exit non-zero on failure
	done_testing
	[ "$_tap_fail" -eq 0 ]
	exit $?
}
