#!/bin/sh
# rb-apid's connections from one address are capped
# (api-connections-per-address, default 256 of its 512): one client
# holding 600 connections that never finish a request must not delay
# another client's request, and only the cap's worth of them stay open.
# Then the cap as configured, changed by SIGHUP, and 0 (no cap per
# address).
. "$(dirname "$0")/../lib.sh"

# hold PORT N [SECONDS]: from 127.0.0.2, open N connections that each send
# half a request; then time GET /health from 127.0.0.3; then count the
# held connections the server has closed.  Prints "STATUS SECONDS OPEN".
hold() {
	perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time,sleep -e '
		my ($port, $n, $key) = @ARGV;
		$SIG{PIPE} = "IGNORE";
		my @held;
		for (1 .. $n) {
			my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
			    LocalAddr => "127.0.0.2", Timeout => 30) or die "connect: $!";
			syswrite($s, "GET /health HTTP/1.1\r\nHost: x\r\n");
			push @held, $s;
		}
		my $t0 = time;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
		    LocalAddr => "127.0.0.3", Timeout => 30) or die "connect: $!";
		syswrite($s, "GET /health HTTP/1.1\r\nHost: x\r\n" .
		    "Authorization: Bearer $key\r\nConnection: close\r\n\r\n");
		my ($sel, $got) = (IO::Select->new($s), "");
		while ($sel->can_read(30)) {
			my $r = sysread($s, my $b, 4096);
			last unless $r;
			$got .= $b;
		}
		my $took = time - $t0;
		my ($code) = $got =~ /^HTTP\/1\.1 (\d+)/;
		sleep 0.5;
		my $open = 0;
		for my $h (@held) {
			my $sel = IO::Select->new($h);
			$open++ unless $sel->can_read(0) && !sysread($h, my $b, 1);
		}
		printf "%s %.1f %d\n", $code // "none", $took, $open;' "$@"
}

R=$(tmproot)
A=$(free_port)
printf 'server:\n    api-port: %s\n' "$A" >"$R/runbound.conf"
start_ready rb-apid "$R"
K=$(cat "$R/api.key")
set -- $(hold "$A" 600 "$K")
is "$1" 200 "another address is answered while one holds 600 connections"
perl -e 'exit !($ARGV[0] < 2)' "$2"
ok $? "at once, not once the holder's connections time out ($2 s)"
is "$3" 256 "256 of the 600 held: the default cap per address"
kill -0 "$LAST"
ok $? "rb-apid still running"
grep -q 'connections from one address at their cap' "$R/rb-apid.log"
ok $? "the cap is logged"
# The cap on all connections (512) still holds across addresses.
perl -MIO::Socket::INET -e '
	my @s;
	for (1 .. 530) {
		my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
		    LocalAddr => "127.0.0." . (4 + $_ % 3), Timeout => 2) or last;
		push @s, $c;
	}' "$A"
wait_for 5 grep -q 'connection cap reached: conns=512' "$R/rb-apid.log"
ok $? "530 from three addresses: accepting pauses at the cap of 512"
stop_pid "$LAST"

printf 'server:\n    api-port: %s\n    api-connections-per-address: 5\n' \
	"$A" >"$R/runbound.conf"
start_ready rb-apid "$R"
set -- $(hold "$A" 20 "$K")
is "$1:$3" 200:5 "api-connections-per-address: 5 holds 5"
printf 'server:\n    api-port: %s\n    api-connections-per-address: 3\n' \
	"$A" >"$R/runbound.conf"
kill -HUP "$LAST"
wait_for 5 grep -q 'SIGHUP: reloaded' "$R/rb-apid.log"
set -- $(hold "$A" 20 "$K")
is "$1:$3" 200:3 "after SIGHUP, the new cap: 3"
stop_pid "$LAST"

printf 'server:\n    api-port: %s\n    api-connections-per-address: 0\n' \
	"$A" >"$R/runbound.conf"
start_ready rb-apid "$R"
set -- $(hold "$A" 300 "$K")
is "$1:$3" 200:300 "api-connections-per-address: 0 caps nothing per address"
stop_pid "$LAST"

grep -Eq 'fatal|AddressSanitizer|runtime error' "$R/rb-apid.log"
is $? 1 "nothing fatal in rb-apid's log"

printf 'server:\n    api-connections-per-address: -1\n' >"$R/runbound.conf"
rb-check -d "$R" >/dev/null 2>"$R/err"
is $? 100 "a negative cap is refused"
like "$(cat "$R/err")" 'runbound.conf:2: .*api-connections-per-address' \
	"naming the line"

finish
