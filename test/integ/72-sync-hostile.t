#!/bin/sh
# A slave whose sync-master answers more than it may: an HTTPS server that
# is not a runbound master (test/integ/50-feed-https.pl) gives 5 KB for
# /sync/cert, where a slave reads 4 KB at most, before any pin or key is
# checked.  The slave says so and keeps running (it used to crash, and
# crash again at every restart).  Then a peer of the master's sync port
# that opens 300 connections from one address and sends nothing: it may
# hold 32 (SOURCE_MAX), each for 10 s (REQUEST_MS), and a slave keeps
# syncing meanwhile (it used to take all 256 slots, for ever).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

perl -MIO::Socket::SSL -e 1 2>/dev/null ||
    bail "perl IO::Socket::SSL missing (Debian: libio-socket-ssl-perl)"
S=$(tmproot)
mkdir -p "$S/www" "$S/tls"
feed_cert "$S/tls" || bail "openssl"
FP=$(free_port)
start_bg perl "$TOP/test/integ/50-feed-https.pl" "$FP" \
    "$S/tls/srv.pem" "$S/tls/srv.key" "$S/www" 2>>"$S/https.log"
HTTPS=$!
wait_for 10 test -f "$S/www/ready" || bail "https server did not start"
head -c 5000 /dev/zero | tr '\0' x >"$S/www/sync_cert"

cat >"$S/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$(free_port)
    mode: slave
    sync-master: 127.0.0.1:$FP
    sync-key: "$(openssl rand -hex 32)"
    sync-interval: 5
EOF
start_bg rb-syncd -d "$S" 2>>"$S/log"
SYNCD=$!
wait_for 10 grep -q "answer over 4096 bytes" "$S/log"
ok $? "a /sync/cert answer over 4 KB is an error the slave names"
sleep 0.5
kill -0 "$SYNCD" 2>/dev/null
ok $? "... and the slave keeps running"
like "$(grep -c 'GET /sync/cert' "$S/www/requests.log")" '^[1-9]' \
	"it did ask the server"

stop_pid "$SYNCD"
stop_pid "$HTTPS"

# --- a peer holding connections to the master ------------------------------
M=$(tmproot)
T=$(tmproot)
SYNC=$(free_port 0.0.0.0)
KEY=$(openssl rand -hex 32)
printf 'server:\n    mode: master\n    sync-port: %s\n    sync-key: "%s"\n' \
    "$SYNC" "$KEY" >"$M/runbound.conf"
printf 'server:\n    mode: slave\n    sync-master: 127.0.0.1:%s\n    sync-key: "%s"\n    sync-interval: 1\n' \
    "$SYNC" "$KEY" >"$T/runbound.conf"
syncd() { start_ready rb-syncd "$1"; } # syncd ROOT: pid in $LAST
syncd "$M"
syncd "$T"
SLAVE=$LAST
seq_of() { rb-sync -d "$1" status | jq -r "$2"; }
caught_up() { [ "$(seq_of "$T" .applied_seq)" = "$(seq_of "$M" .master_seq)" ]; }
rb-dns -d "$M" add one.home. A 192.0.2.1 >/dev/null
wait_for 10 caught_up
ok $? "the slave synced before the peer came"

# hog PORT N: N connections from 127.0.0.9 that send nothing.  Prints how
# many it opened, how many were still open 2 s later, how many the server
# closed in all and after how many seconds the last of them.
start_bg perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time -e '
	my ($port, $n) = @ARGV;
	my @s;
	for (1 .. $n) {
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
		    LocalAddr => "127.0.0.9") or last;
		push @s, $s;
	}
	my ($t0, %closed, $at2) = (time);
	$| = 1;
	print "opened ", scalar @s, "\n";
	while (time - $t0 < 20 && keys %closed < @s) {
		my @open = grep { !exists $closed{fileno $_} } @s;
		for my $s (IO::Select->new(@open)->can_read(0.1)) {
			my $k = sysread($s, my $b, 512);
			$closed{fileno $s} = time - $t0 unless $k;
		}
		if (!defined $at2 && time - $t0 >= 2) {
			$at2 = @s - keys %closed;
			print "open at 2 s $at2\n";
		}
	}
	my ($last) = sort { $b <=> $a } values %closed;
	printf "closed %d last %.0f\n", scalar keys %closed, $last // -1;
	sleep 30;' "$SYNC" 300 >"$M/hog.out"
HOG=$!
wait_for 10 grep -q "^open at 2 s" "$M/hog.out"
is "$(sed -n 's/^opened //p' "$M/hog.out")" 300 "the peer opened 300 connections"
n=$(sed -n 's/^open at 2 s //p' "$M/hog.out")
ok "$([ "$n" -ge 1 ] && [ "$n" -le 32 ]; echo $?)" \
	"it holds 32 at most; the rest are closed at once ($n open)"
like "$(cat "$M/rb-syncd.log")" "connections from one address at their cap: peer=127.0.0.9 cap=32" \
	"the master says so, naming the address"
stop_pid "$SLAVE" # its next start needs a new connection
rb-dns -d "$M" add two.home. A 192.0.2.2 >/dev/null
syncd "$T"
SLAVE=$LAST
wait_for 10 caught_up
ok $? "meanwhile a slave restarted connects and syncs"
wait_for 20 grep -q "^closed" "$M/hog.out"
set -- $(sed -n 's/^closed \([0-9]*\) last \([0-9-]*\)$/\1 \2/p' "$M/hog.out")
is "${1:-none}" 300 "every connection of the peer is closed in the end"
ok "$([ "${2:-99}" -ge 9 ] && [ "${2:-99}" -le 13 ]; echo $?)" \
	"the last ones after 10 s without a request (${2:-none} s)"
stop_pid "$HOG"
stop_pid "$SLAVE"
finish
