#!/bin/sh
# tcp-connection-limit: at most N simultaneous TCP connections from a
# netblock; more are accepted and closed at once, other addresses are not
# affected, a closed connection frees its place, and SIGHUP changes the
# limits of the connections already open (they are recounted).
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    tcp-connection-limit: 127.0.0.1 2
    tcp-connection-limit: 127.0.0.0/8 100
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"

# One client holds its connections across the steps and prints one line
# per step; between steps it rewrites the limit and sends SIGHUP.
cat >"$R/client.pl" <<'EOF'
use strict;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
my ($port, $pid, $conf, $log) = @ARGV;
my $id = 0;
sub conn { my $from = shift // "127.0.0.1";
	IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
	    LocalAddr => $from, Proto => "tcp") or die "connect: $!" }
# A query for nas.home. A: 1 when answered, 0 when the server closed.
sub ask { my $s = shift; $id++;
	my $m = pack("n6", $id, 0x0100, 1, 0, 0, 0) .
	    "\3nas\4home\0" . pack("n2", 1, 1);
	syswrite($s, pack("n", length $m) . $m) or return 0;
	my $b = "";
	while (length($b) < 2 || length($b) < 2 + unpack("n", $b)) {
		IO::Select->new($s)->can_read(3) or return 0;
		sysread($s, $b, 4096, length $b) or return 0;
	}
	return unpack("n", substr($b, 2, 2)) == $id ? 1 : 0 }
# Did the server close s (EOF within t seconds)?
sub closed { my ($s, $t) = @_;
	IO::Select->new($s)->can_read($t) or return 0;
	my $b; return (sysread($s, $b, 1) // 0) == 0 }
sub reloads { open(my $f, "<", $log) or return 0;
	scalar grep { /info: reloaded .*runbound\.conf/ } <$f> }
sub limit { my $n = shift; my $r = reloads();
	my $t = do { open(my $f, "<", $conf) or die; local $/; <$f> };
	$t =~ s/tcp-connection-limit: 127\.0\.0\.1 \d+/tcp-connection-limit: 127.0.0.1 $n/;
	open(my $f, ">", $conf) or die; print $f $t; close $f;
	kill "HUP", $pid;
	for (1..100) { return if reloads() > $r; sleep 0.05 }
	die "no reload" }
my $a = conn(); my $b = conn();
print ask($a) && ask($b) ? "two-answered" : "two-failed", "\n";
my $c = conn();
print closed($c, 2) ? "third-closed" : "third-open", "\n";
my $d = conn("127.0.0.2");
print ask($d) ? "other-answered" : "other-failed", "\n";
close($a);
my $e;
for (1..50) { $e = conn(); last if ask($e); undef $e; sleep 0.1 }
print $e ? "freed-answered" : "freed-failed", "\n";
my $f = conn();
print closed($f, 2) ? "full-closed" : "full-open", "\n";
limit(3);
my $g = conn();
print ask($g) ? "raised-answered" : "raised-failed", "\n";
my $h = conn();
print closed($h, 2) ? "raised-full-closed" : "raised-full-open", "\n";
limit(1);
my $i = conn();
print closed($i, 2) ? "lowered-closed" : "lowered-open", "\n";
print ask($b) && ask($e) && ask($g) ? "kept-answered" : "kept-failed", "\n";
close($b); close($e);
my $j = conn();
print closed($j, 2) ? "still-over-closed" : "still-over-open", "\n";
close($g);
my $k;
for (1..50) { $k = conn(); last if ask($k); undef $k; sleep 0.1 }
print $k ? "under-answered" : "under-failed", "\n";
EOF
out=$(perl "$R/client.pl" "$P" "$DNSD" "$R/runbound.conf" "$R/log" 2>"$R/client.err")
step() { printf '%s\n' "$out" | sed -n "$1p"; }
is "$(step 1)" two-answered "limit 2: two connections from 127.0.0.1 answered"
is "$(step 2)" third-closed "a third from 127.0.0.1 is closed at once"
is "$(step 3)" other-answered "one from 127.0.0.2 (its own /8 entry) still works"
is "$(step 4)" freed-answered "closing one lets a new one in"
is "$(step 5)" full-closed "and the limit holds again"
is "$(step 6)" raised-answered "SIGHUP raising the limit to 3: one more is let in"
is "$(step 7)" raised-full-closed "and the fourth is closed"
is "$(step 8)" lowered-closed "SIGHUP lowering it to 1: a new one is closed"
is "$(step 9)" kept-answered "the connections already open stay and answer"
is "$(step 10)" still-over-closed "one open of limit 1: still closed"
is "$(step 11)" under-answered "none open: let in again"
[ -s "$R/client.err" ] && diag "$(cat "$R/client.err")"

# 127.0.0.0/8 100 counts every address of the /8 in one entry: limit it
# to 1 and two different addresses share it.
sed -i 's/127.0.0.0\/8 100/127.0.0.0\/8 1/' "$R/runbound.conf"
reloads() { grep -c "info: reloaded .*runbound.conf" "$R/log"; }
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }
n=$(reloads)
kill -HUP "$DNSD"
wait_for 5 reloaded_since "$n" || bail "no reload"
out=$(perl -MIO::Socket::INET -MIO::Select -e '
	my $p = shift;
	my $a = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$p",
	    LocalAddr => "127.0.0.2", Proto => "tcp") or die;
	sleep 1;
	my $b = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$p",
	    LocalAddr => "127.0.0.3", Proto => "tcp") or die;
	my $r = IO::Select->new($b)->can_read(2) && !sysread($b, my $x, 1);
	print $r ? "closed" : "open", " ",
	    IO::Select->new($a)->can_read(0.3) ? "first-closed" : "first-open",
	    "\n";' "$P")
is "$out" "closed first-open" \
	"per netblock entry: 127.0.0.3 is over the /8's limit held by 127.0.0.2"

# rb-check shows the limits.
is "$(rb-check -d "$R" | jq -c '.tcp_connection_limit')" \
	'[{"netblock":"127.0.0.1/32","limit":1},{"netblock":"127.0.0.0/8","limit":1}]' \
	"rb-check: tcp_connection_limit"
finish
