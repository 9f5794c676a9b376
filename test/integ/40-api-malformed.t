#!/bin/sh
# 1,000 malformed requests against a live rb-apid: truncated and oversized
# request lines and headers, bad methods and versions, invalid JSON and
# UTF-8, NUL bytes, wrong types, huge numbers, oversized and chunked
# bodies, bad Content-Length values, bad paths and query strings, bad
# credentials.  Each goes on its own connection, spread over 20 loopback
# source addresses so the per-address rate limit lets them through.
# Afterwards the daemon still serves, nothing was created and the store
# and journal are byte-identical.  Then a request trickled a byte at a time
# is cut off, and a CONNECT with "Connection: close" is closed after its
# answer.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
A=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    api-port: $A
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"
rb-block -d "$R" add ads.example.com nxdomain >/dev/null || bail "rb-block"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/dready" 2>>"$R/dnsd.log"
wait_for 5 test -s "$R/dready" || bail "rb-dnsd did not start"
start_bg rb-apid -d "$R" -r 3 3>"$R/aready" 2>>"$R/apid.log"
APID_PID=$!
wait_for 5 test -s "$R/aready" || bail "rb-apid did not start"
K=$(cat "$R/api.key")

snap() { (cd "$R" && find store journal data -type f ! -name .lock -print0 |
	sort -z | xargs -0 sha256sum); }
before=$(snap)
list=$(curl -s -H "Authorization: Bearer $K" http://127.0.0.1:$A/dns)

perl -MIO::Socket::INET -MIO::Select -e '
use strict; use warnings;
my ($port, $key, $n) = @ARGV;
srand(4242);
$SIG{PIPE} = "IGNORE";
my $auth = "Authorization: Bearer $key\r\n";
my $h = "Host: x\r\n";
sub pick { $_[int rand @_] }
sub post { my ($path, $body, $extra) = @_;
	"POST $path HTTP/1.1\r\n$h$auth" . ($extra // "Content-Type: application/json\r\n") .
	"Content-Length: " . length($body) . "\r\n\r\n$body" }
my @valid = (q({"name":"m.home.","type":"A","value":"10.1.2.3","ttl":300}),
	q({"domain":"new.example.com","action":"nxdomain"}));
my %wrong = (
	"/dns" => [q({"name":1,"type":"A","value":"1.2.3.4"}),
		q({"name":"w.home.","type":["A"],"value":"1.2.3.4"}),
		q({"name":"w.home.","type":"A","value":{"a":1}}),
		q({"name":"w.home.","type":"A","value":"1.2.3.4","ttl":"300"}),
		q({"name":"w.home.","type":"A","value":"1.2.3.4","ttl":true}),
		q({"name":"w.home.","type":"MX","value":"m.home.","priority":"10"}),
		q([]), q("str"), q(42), q(null), q({})],
	"/blacklist" => [q({"domain":null}), q({"domain":["a.example"]}),
		q({"domain":"a.example","action":5}),
		q({"domain":"a.example","description":7}), q({"domain":true})],
	"/allowlist" => [q({"domain":null}), q({"domain":5}),
		q({"domain":"a.example","description":[]})],
	"/rotate-key" => [q({"new_key":12}), q({"new_key":null}),
		q({"new_key":["0123456789abcdef0123456789abcdef"]}), q({})],
);
my @gen = (
	sub { # truncated request line or headers
		my $r = "GET /dns HTTP/1.1\r\n$h$auth\r\n";
		substr($r, 0, int rand(length($r) - 1)) },
	sub { # oversized header
		"GET /dns HTTP/1.1\r\n$h${auth}X-Big: " . ("a" x (16000 + int rand 20000)) . "\r\n\r\n" },
	sub { # oversized request line
		"GET /" . ("d" x (5000 + int rand 20000)) . " HTTP/1.1\r\n$h$auth\r\n" },
	sub { # bad methods
		pick("FOO", "get", "G ET", "PO\0ST", "DELETEX", "\x01\x02", "PATCH",
		    "OPTIONS", "TRACE", "CONNECT", "PUT", "") . " /dns HTTP/1.1\r\n$h$auth\r\n" },
	sub { # bad request lines and versions
		pick("GET /dns HTTP/9.9", "GET /dns", "GET  /dns HTTP/1.1",
		    "GET /dns HTTP/1.1 x", "", "GET /dns HTTP/1.1\n", "/dns",
		    "GET /dns HTTP/1.") . "\r\n$h$auth\r\n" },
	sub { # invalid JSON: a valid body cut short
		my $v = pick(@valid); post(pick("/dns", "/blacklist"), substr($v, 0, int rand length $v)) },
	sub { # invalid UTF-8
		post(pick("/dns", "/blacklist"), q({"name":") . chr(0x80 + int rand 128) .
		    q(x.home.","type":"A","value":"1.2.3.4","domain":"a) . "\xc3\x28" . q(.example"})) },
	sub { # NUL bytes in the body, the path, a header
		pick(post("/dns", qq({"name":"a\0b.home.","type":"A","value":"1.2.3.4"})),
		    post("/blacklist", qq({"domain":"x.example"}\0)),
		    "GET /d\0ns HTTP/1.1\r\n$h$auth\r\n",
		    "GET /dns HTTP/1.1\r\nHost: x\0y\r\n$auth\r\n") },
	sub { # wrong types
		my $p = pick(keys %wrong); post($p, pick(@{$wrong{$p}})) },
	sub { # huge and odd numbers
		post("/dns", q({"name":"h.home.","type":"A","value":"1.2.3.4","ttl":) .
		    pick("1e400", "-1e400", "99999999999999999999999", "-99999999999999999999",
		    "2147483648", "-1", "1" . ("0" x 400), "0.5", "1e3", "-1.0") . "}") },
	sub { # oversized bodies with a Content-Length
		post("/dns", q({"name":") . ("a" x (65537 + int rand 150000)) . q("})) },
	sub { # chunked bodies
		my $b = q({"name":"c.home.","type":"A"});
		my $te = "POST /dns HTTP/1.1\r\n$h${auth}Transfer-Encoding: chunked\r\n";
		pick($te . "Content-Type: application/json\r\n\r\n" .
		    sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b),
		    $te . "\r\n" . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b),
		    $te . "\r\nzz\r\n$b\r\n0\r\n\r\n",
		    $te . "\r\n" . join("", map { "1000\r\n" . ("x" x 4096) . "\r\n" } 1..80) . "0\r\n\r\n",
		    $te . "\r\nffffffffffffffff\r\nabc",
		    $te . "\r\n5\r\nabc") },
	sub { # bad Content-Length values
		"POST /dns HTTP/1.1\r\n$h${auth}Content-Length: " .
		    pick("abc", "-1", "+2", "2 2", "", "99999999999999999999999", "0x2", " 2", "2, 2") .
		    "\r\n\r\n{}" },
	sub { # bad paths and query strings
		"GET " . pick("/logs?limit=%zz", "/logs?limit=1&limit=2", "/logs?%00=1",
		    "/logs?limit=99999999999999999999", "/logs?page=1e9", "/dns/../../etc/passwd",
		    "/dns/%2e%2e%2f", "//dns", "/api//dns", "/dns/" . ("f" x 300),
		    "/logs?" . join("&", map { "k$_=v" } 1..40), "/logs?client=" . ("9" x 100),
		    "/audit/tail?n=-5", "/dns?\x7f", "/%", "/dns#x", "http://x/dns", "*",
		    "/logs?action=" . ("\xff" x 3)) . " HTTP/1.1\r\n$h$auth\r\n" },
	sub { # DELETE with bad ids
		"DELETE /" . pick("dns", "blacklist", "allowlist") . "/" .
		    pick("x", "00000000-0000-4000-8000-00000000000g", "%00", "1" x 64,
		    "00000000-0000-4000-8000-000000000000") . " HTTP/1.1\r\n$h$auth\r\n" },
	sub { # bad credentials (never 50 in a row: others succeed between)
		"GET /dns HTTP/1.1\r\n${h}Authorization: " .
		    pick("Bearer", "Bearer  ", "Basic abc", "Bearer ${key}x", "Bearer " . substr($key, 1),
		    "Bearer " . ("k" x 2000), "Bearer \xff\xfe") . "\r\n\r\n" },
);
my (%codes, $sent);
for my $i (0 .. $n - 1) {
	my $req = $gen[$i % @gen]->();
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
	    LocalAddr => "127.0.0." . (30 + $i % 20), Timeout => 3) or die "connect: $!";
	$s->blocking(0);
	my $sel = IO::Select->new($s);
	my ($off, $got, $deadline) = (0, "", time + 3);
	while ($off < length $req && time < $deadline) {
		$sel->can_write(1) or next;
		my $w = syswrite($s, $req, 65536, $off);
		last unless defined $w;
		$off += $w;
	}
	shutdown($s, 1);
	while (time < $deadline && $sel->can_read(1)) {
		my $r = sysread($s, my $buf, 65536);
		last unless $r;
		$got .= $buf;
	}
	close $s;
	my ($c) = $got =~ /^HTTP\/1\.\d (\d{3})/;
	$codes{$c // "none"}++;
	$sent++;
}
print join(" ", map { "$_:$codes{$_}" } sort keys %codes), "\n";
print "sent $sent\n";
' "$A" "$K" 1000 >"$R/tally" 2>&1
ok $? "1,000 malformed requests sent"
tally=$(head -1 "$R/tally")
diag "status codes: $tally"
is "$(sed -n 2p "$R/tally")" "sent 1000" "all 1,000"
# 501 is HTTP's answer to a method nobody knows (RFC 9110 9.1).
echo "$tally" | grep -Eq '(^| )(2[0-9][1-9]|50[02-9]):'
is $? 1 "none created anything, none was a server error"
echo "$tally" | grep -Eq '(^| )4[0-9][0-9]:'
ok $? "they were refused with 4xx"

kill -0 "$APID_PID"
ok $? "rb-apid still running"
is "$(curl -s -H "Authorization: Bearer $K" http://127.0.0.1:$A/dns)" "$list" "GET /dns answers as before"
is "$(snap)" "$before" "store, journal and data are byte-identical"
is "$(dig @127.0.0.1 -p "$P" +short nas.home A)" 192.168.1.10 "rb-dnsd still answers"
grep -Eq 'fatal|AddressSanitizer|runtime error' "$R/apid.log"
is $? 1 "nothing fatal in rb-apid's log"
out=$(curl -s -w ' %{http_code}' -X POST -H "Authorization: Bearer $K" -H 'Content-Type: application/json' \
	-d '{"name":"after.home.","type":"A","value":"10.0.0.9"}' http://127.0.0.1:$A/dns)
is "${out##* }" 201 "and still takes a valid write"

# A client that trickles its request a byte every 2 s restarts the idle
# timeout with each byte; it gets 10 s for the whole request, then is
# closed.  Prints the seconds until the server closed (or "open" at 20 s).
got=$(perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die;
	$SIG{PIPE} = "IGNORE";
	syswrite($s, "GET /health HTTP/1.1\r\n");
	my ($t0, $sel) = (time, IO::Select->new($s));
	while (time - $t0 < 20) {
		if ($sel->can_read(2)) {
			my $b; my $n = sysread($s, $b, 4096);
			if (!$n) { printf "%d\n", time - $t0; exit }
		}
		syswrite($s, "X") or do { printf "%d\n", time - $t0; exit };
	}
	print "open\n";' "$A")
ok "$([ "$got" != open ] && [ "$got" -ge 9 ] && [ "$got" -le 13 ]; echo $?)" \
	"a request trickled a byte at a time is cut off after 10 s ($got)"

# CONNECT with "Connection: close": libevent keeps a CONNECT's connection
# open whatever its headers say (it expects a tunnel); rb-apid tunnels
# nothing, so the connection goes with the answer, as for any method.
# Prints the status and "closed" or "open" (after 3 s).
for key in "$K" ""; do
	got=$(perl -MIO::Socket::INET -MIO::Select -e '
		my ($port, $key) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die;
		$SIG{PIPE} = "IGNORE";
		syswrite($s, "CONNECT /dns HTTP/1.1\r\nHost: x\r\n" .
		    ($key eq "" ? "" : "Authorization: Bearer $key\r\n") .
		    "Connection: close\r\n\r\n");
		my ($sel, $got) = (IO::Select->new($s), "");
		while ($sel->can_read(3)) {
			my $n = sysread($s, my $b, 4096);
			if (!$n) { print +($got =~ /^HTTP\/1\.1 (\d+)/)[0], " closed\n"; exit }
			$got .= $b;
		}
		print +($got =~ /^HTTP\/1\.1 (\d+)/)[0] // "none", " open\n";' \
		"$A" "$key")
	want="405 closed"
	[ -n "$key" ] || want="401 closed"
	is "$got" "$want" "CONNECT with Connection: close: ${want% *}, then closed"
done

finish
