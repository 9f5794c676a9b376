#!/bin/sh
# rb-dnsd over TCP (RFC 7766) and EDNS (RFC 6891): pipelined local queries
# answered in order, connection reuse, truncation and the TCP retry, the
# idle timeout (tcp-idle-timeout, also changed by SIGHUP), the connection
# cap (incoming-num-tcp), OPT echo, BADVERS, duplicate OPT.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    incoming-num-tcp: 2
    tcp-idle-timeout: 1000
EOF
long=$(printf '%0200d' 0 | tr 0 x)
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null &&
rb-dns -d "$R" add www.home. CNAME nas.home. >/dev/null || bail "rb-dns"
for i in 1 2 3 4; do
	rb-dns -d "$R" add big.home. TXT "$i$long" >/dev/null || bail "rb-dns"
done

# A small DNS client over raw sockets for what dig cannot do.
cat >"$R/client.pl" <<'EOF'
use strict;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOL_SOCKET SO_LINGER);
use Time::HiRes qw(time sleep);
my ($mode, $port) = (shift, shift);
sub wire { join("", map { chr(length) . $_ } split /\./, shift) . "\0" }
sub query { my ($id, $name, $type, $extra, $ar) = @_;
	pack("n6", $id, 0x0100, 1, 0, 0, $ar // 0) . wire($name) .
	    pack("n2", $type // 1, 1) . ($extra // "") }
sub conn { IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
	Proto => "tcp") or die "connect: $!" }
sub readn { my ($s, $n) = @_; my $b = "";
	while (length($b) < $n) {
		IO::Select->new($s)->can_read(3) or return undef;
		my $r = sysread($s, $b, $n - length($b), length($b));
		return undef unless $r;
	}
	$b }
sub reply { my $s = shift; my $l = readn($s, 2) // return undef;
	readn($s, unpack("n", $l)) }
sub closed { my ($s, $t) = @_;
	IO::Select->new($s)->can_read($t) or return 0;
	my $b; return sysread($s, $b, 1) == 0 }
if ($mode eq "pipeline") {	# three queries in one write, replies in order
	my $s = conn();
	my @q = ([1, "nas.home", 1], [2, "www.home", 1], [3, "big.home", 16]);
	syswrite($s, join "", map { my $m = query(@$_);
		pack("n", length $m) . $m } @q);
	for (@q) { my $r = reply($s) // die "no reply";
		my ($id, $fl, $qd, $an) = unpack("n4", $r);
		print "$id:", $fl & 15, ":$an "; }
	print "\n";
} elsif ($mode eq "split") {	# one query written a byte at a time
	my $s = conn();
	my $m = query(7, "nas.home"); $m = pack("n", length $m) . $m;
	for my $c (split //, $m) { syswrite($s, $c); sleep 0.01; }
	my $r = reply($s) // die "no reply";
	print unpack("n", $r), ":", unpack("n", substr($r, 6, 2)), "\n";
} elsif ($mode eq "idle") {	# does the server close within 5 s?
	my $s = conn();
	print closed($s, 5) ? "closed" : "open", "\n";
} elsif ($mode eq "stays") {	# still open after 3 s?
	my $s = conn();
	print closed($s, 3) ? "closed" : "open", "\n";
} elsif ($mode eq "cap") {	# cap 2: a third client evicts the oldest idle
	my $a = conn(); sleep 0.2; my $b = conn(); sleep 0.2;
	my $c = conn(); my $m = query(9, "nas.home");
	syswrite($c, pack("n", length $m) . $m);
	my $r = reply($c);
	print defined $r ? "answered" : "none", " ",
	    closed($a, 1) ? "oldest-closed" : "oldest-open", " ",
	    closed($b, 0.3) ? "second-closed" : "second-open", "\n";
} elsif ($mode eq "stale") {	# cap 2: the evicted one's last event
	# rb-dnsd stopped, a third client connects, then the oldest idle one
	# resets: on waking, one batch holds the accept, which evicts the
	# oldest and gives its slot to the third, and the reset's error
	# event, which was the evicted one's and must not close the third.
	my $pid = shift;
	my $a = conn(); sleep 0.2; my $b = conn(); sleep 0.2;
	kill "STOP", $pid; sleep 0.1;
	my $c = conn(); sleep 0.1;
	setsockopt($a, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0)) or die;
	close $a; sleep 0.1;
	kill "CONT", $pid;
	my $m = query(9, "nas.home");
	syswrite($c, pack("n", length $m) . $m);
	print defined reply($c) ? "answered" : "none", "\n";
} elsif ($mode eq "twoopt") {	# two OPT records: FORMERR
	my $opt = "\0" . pack("nnNn", 41, 1232, 0, 0);
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $port, Proto => "udp") or die;
	$s->send(query(5, "nas.home", 1, $opt . $opt, 2));
	my $r; IO::Select->new($s)->can_read(2) or die "no reply";
	$s->recv($r, 4096);
	print unpack("n", substr($r, 2, 2)) & 15, "\n";
}
EOF
client() { perl "$R/client.pl" "$1" "$P"; }

rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
like "$(cat "$R/log")" "ready .*tcp_max=2" "incoming-num-tcp sets the cap"
q() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@"; }

is "$(q +tcp +short nas.home A)" "192.168.1.10" "TCP query"
out=$(q +tcp +keepopen nas.home A www.home A nas.home AAAA)
is "$(echo "$out" | grep -c 'status: NOERROR')" 3 \
	"three queries on one kept-open connection"
is "$(client pipeline)" "1:0:1 2:0:2 3:0:4 " \
	"pipelined queries answered in order"
is "$(client split)" "7:1" "a query arriving a byte at a time"

out=$(q +noedns big.home TXT 2>&1)
like "$out" "Truncated, retrying in TCP mode" "big answer over UDP: TC"
is "$(echo "$out" | grep -c '^big\.home\..*TXT')" 4 "dig's TCP retry gets it all"
like "$(q +noedns +ignore big.home TXT)" "flags: qr aa tc rd ra;" \
	"TC flag, no partial answer"
like "$(q +noedns +ignore big.home TXT)" "ANSWER: 0," "TC reply has no records"
like "$(q +bufsize=512 +ignore big.home TXT)" "flags: qr aa tc rd ra;" \
	"EDNS 512: TC"
is "$(q +bufsize=1232 big.home TXT | grep -c '^big\.home\..*TXT')" 4 \
	"EDNS 1232: fits over UDP"
like "$(q +bufsize=4096 nas.home A)" "EDNS: version: 0, flags:; udp: 1232" \
	"OPT echoed, offering 1232"
like "$(q +noedns nas.home A)" "ADDITIONAL: 0" "no OPT without EDNS"
like "$(q +edns=1 +noednsneg nas.home A)" "status: BADVERS" \
	"EDNS version 1: BADVERS"
is "$(client twoopt)" 1 "two OPT records: FORMERR"

is "$(client idle)" closed "idle connection closed after tcp-idle-timeout"
is "$(client cap)" "answered oldest-closed second-open" \
	"at the cap the oldest idle connection makes room"
is "$(perl "$R/client.pl" stale "$P" "$DNSD")" answered \
	"an evicted connection's leftover event leaves its slot's new owner be"

# SIGHUP: a new tcp-idle-timeout applies at once; a new incoming-num-tcp
# needs a restart and says so.
reloads() { grep -c "info: reloaded .*runbound.conf" "$R/log"; }
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }
n=$(reloads)
sed -i -e 's/tcp-idle-timeout: 1000/tcp-idle-timeout: 60000/' \
    -e 's/incoming-num-tcp: 2/incoming-num-tcp: 5/' "$R/runbound.conf"
kill -HUP "$DNSD"
wait_for 5 reloaded_since "$n" || bail "no reload"
is "$(client stays)" open "SIGHUP to 60 s: an idle connection stays"
like "$(cat "$R/log")" "warning: incoming-num-tcp: 5 needs a restart, keeping 2" \
	"a new incoming-num-tcp is logged as needing a restart"
is "$(client cap)" "answered oldest-closed second-open" "the cap is still 2"
n=$(reloads)
sed -i 's/tcp-idle-timeout: 60000/tcp-idle-timeout: 1000/' "$R/runbound.conf"
kill -HUP "$DNSD"
wait_for 5 reloaded_since "$n" || bail "no reload"
is "$(client idle)" closed "SIGHUP back to 1 s: closed again"

# incoming-num-tcp: 0 accepts no TCP at all, as unbound.
stop_pid "$DNSD"
P2=$(free_port)
sed -i -e "s/@$P/@$P2/" -e 's/incoming-num-tcp: 5/incoming-num-tcp: 0/' \
    "$R/runbound.conf"
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
is "$(dig @127.0.0.1 -p "$P2" +time=2 +tries=1 +short nas.home A)" \
	192.168.1.10 "incoming-num-tcp: 0: UDP answers"
like "$(dig @127.0.0.1 -p "$P2" +time=2 +tries=1 +tcp nas.home A 2>&1)" \
	"connection refused|communications error|timed out" \
	"incoming-num-tcp: 0: no TCP"

finish
