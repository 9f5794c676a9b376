#!/bin/sh
# Zone transfers out (rb-axfr) and NOTIFY (rb-notify) through rb-dnsd:
# AXFR and IXFR with dig, compared record by record with the zone source;
# REFUSED outside allow-transfer and for AXFR over UDP; the one-SOA IXFR
# over UDP; and a real nsd, configured as a secondary, that gets the zone
# by AXFR after a NOTIFY, then the change by IXFR after a NOTIFY.
. "$(dirname "$0")/../lib.sh"

if ! command -v nsd >/dev/null 2>&1; then
	echo "1..0 # SKIP nsd not installed"
	exit 0
fi

R=$(tmproot)
P=$(free_port)
N=$(free_port)
mkdir -p "$R/zones" "$R/nsd"
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    access-control: 127.0.0.0/8 allow
    allow-transfer: 127.0.0.1
    also-notify: 127.0.0.1@$N
EOF
Z="$R/zones/zones.xfr.test"
{
	cat <<'EOF'
$ORIGIN xfr.test.
$TTL 300
@	IN SOA	ns1.xfr.test. hostmaster.xfr.test. 1 3600 600 86400 60
@	IN NS	ns1
@	IN NS	ns2.elsewhere.example.
@	IN MX	10 mail
@	IN TXT	"v=spf1 -all"
@	IN AAAA	2001:db8::1
ns1	IN A	192.0.2.53
mail	IN A	192.0.2.25
www	IN A	192.0.2.10
old	IN A	192.0.2.11
alias	IN CNAME www
*.wild	IN A	192.0.2.99
sub	IN NS	ns.sub
ns.sub	IN A	192.0.2.200
_sip._tcp IN SRV 0 5 5060 sip
sip	IN A	192.0.2.60
EOF
	# Enough records for several 16 KB messages.
	i=0
	while [ $i -lt 1500 ]; do
		echo "h$i	IN A	10.0.$((i / 250)).$((i % 250))"
		i=$((i + 1))
	done
} >"$Z"

cat >"$R/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $N
	zonesdir: "$R/nsd"
	chroot: ""
	username: ""
	pidfile: "$R/nsd/nsd.pid"
	database: ""
	zonelistfile: "$R/nsd/zone.list"
	xfrdfile: "$R/nsd/xfrd.state"
	xfrdir: "$R/nsd"
	verbosity: 2
remote-control:
	control-enable: no
zone:
	name: xfr.test
	zonefile: "xfr.test.zone"
	request-xfr: 127.0.0.1@$P NOKEY
	allow-notify: 127.0.0.1 NOKEY
EOF

same() { # same GOT WANT DESCRIPTION: the files are equal, else the diff
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff "$1" "$2" | head -20 | sed 's/^/# /'
	fi
}
# Records as ldns prints them canonically, SOA left out, sorted.
canon() { # canon FILE
	grep -v '^;' "$1" >"$1.rr"
	ldns-read-zone -c "$1.rr" 2>/dev/null | awk '$4 != "SOA"' | sort
}
xfr() { # xfr OUT DIG-ARGS...: the transfer into OUT (dig's output)
	_o=$1
	shift
	dig @127.0.0.1 -p "$P" +nocmd "$@" >"$_o" 2>&1
}
status() { # status DIG-ARGS...: the reply's rcode
	dig @127.0.0.1 -p "$P" +comments +time=2 +tries=1 "$@" 2>&1 |
	    sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1
}
# rcode of a query sent over UDP as raw bytes: QTYPE $1 for xfr.test.
udp_rcode() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
		    Proto => "udp") or die;
		my $q = pack("nnnnnn", 0x1234, 0, 1, 0, 0, 0) .
		    "\003xfr\004test\000" . pack("nn", $ARGV[1], 1);
		$s->send($q);
		my $r = "";
		my $rin = ""; vec($rin, fileno($s), 1) = 1;
		select($rin, undef, undef, 2) or die "timeout";
		$s->recv($r, 4096);
		print unpack("n", substr($r, 2, 2)) & 15, "\n";' "$P" "$1"
}

# rb-dnsd starts with no zones; nsd asks for its zone and is told no.
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
start_bg nsd -d -c "$R/nsd/nsd.conf" 2>>"$R/nsd/log"
wait_for 10 grep -q "not a zone of ours" "$R/log"
ok $? "nsd asked for the zone before there was one: NOTAUTH"

rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
wait_for 10 sh -c "dig @127.0.0.1 -p $N +short www.xfr.test | grep -q 192.0.2.10"
ok $? "nsd serves the zone once it is built"
like "$(grep 'notify for xfr.test' "$R/nsd/log" | head -1)" "from 127.0.0.1 serial 1" \
	"nsd got a NOTIFY for serial 1"
like "$(cat "$R/log")" "rb-notify: info: notify zone=xfr.test. serial=1 to=127.0.0.1@$N rcode=0" \
	"rb-notify saw nsd's response"
diag "$(grep "rb-axfr: info: axfr zone=xfr.test" "$R/log")"
like "$(grep 'rb-axfr: info: axfr zone=xfr.test' "$R/log")" "serial=1 records=1517 messages=[2-9]" \
	"and rb-axfr sent it by AXFR, in several messages"
n_notify=$(grep -n 'notify for xfr.test' "$R/nsd/log" | head -1 | cut -d: -f1)
n_update=$(grep -n 'received update to serial 1' "$R/nsd/log" | head -1 | cut -d: -f1)
ok "$([ -n "$n_notify" ] && [ -n "$n_update" ] && [ "$n_notify" -lt "$n_update" ] && echo 0 || echo 1)" \
	"nsd's transfer followed the NOTIFY"
is "$(dig @127.0.0.1 -p "$N" +short h1234.xfr.test)" "10.0.4.234" \
	"nsd serves records of the later messages"

# AXFR with dig, against the source.
xfr "$R/axfr1" xfr.test AXFR
is "$(grep -v '^;' "$R/axfr1" | grep -c .)" 1517 "AXFR: 1516 records, the SOA twice"
is "$(grep -v '^;' "$R/axfr1" | head -1 | awk '{print $4, $7}')" "SOA 1" "the SOA comes first"
is "$(grep -v '^;' "$R/axfr1" | grep . | tail -1 | awk '{print $4, $7}')" "SOA 1" "and last"
canon "$R/axfr1" >"$R/axfr1.canon"
cp "$Z" "$R/src1"
canon "$R/src1" >"$R/src1.canon"
is "$(wc -l <"$R/src1.canon" | tr -d ' ')" 1515 "the source has 1515 records besides its SOA"
same "$R/axfr1.canon" "$R/src1.canon" "AXFR holds exactly the records of the source"
like "$(grep 'XFR size' "$R/axfr1")" "messages [2-9]" "over several messages"
bytes=$(sed -n 's/.*bytes \([0-9]*\)).*/\1/p' "$R/axfr1")
ok "$([ "$bytes" -lt 40000 ] && echo 0 || echo 1)" "names are compressed ($bytes bytes)"

# Who may transfer.
is "$(status -b 127.0.0.2 xfr.test AXFR)" REFUSED "AXFR from 127.0.0.2: REFUSED"
is "$(status -b 127.0.0.2 +tcp xfr.test IXFR=1)" REFUSED "IXFR over TCP from 127.0.0.2: REFUSED"
is "$(status -b 127.0.0.2 +notcp xfr.test IXFR=1)" REFUSED "IXFR over UDP from 127.0.0.2: REFUSED"
is "$(udp_rcode 252)" 5 "AXFR over UDP: REFUSED"
is "$(status nope.test AXFR)" NOTAUTH "AXFR of a zone we do not have: NOTAUTH"
is "$(dig @127.0.0.1 -p "$P" +short www.xfr.test)" 192.0.2.10 "rb-dnsd answers queries as before"

# The change: one record gone, one changed, one new, serial 2.
sed -e 's/ 1 3600 600/ 2 3600 600/' -e '/^old/d' \
    -e 's/^www.*/www	IN A	192.0.2.12/' "$Z" >"$Z.new"
echo 'new	IN A	192.0.2.30' >>"$Z.new"
mv "$Z.new" "$Z"
rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
wait_for 10 sh -c "dig @127.0.0.1 -p $N +short new.xfr.test | grep -q 192.0.2.30"
ok $? "nsd serves the new record after the change"
is "$(dig @127.0.0.1 -p "$N" +short www.xfr.test)" 192.0.2.12 "and the changed one"
is "$(dig @127.0.0.1 -p "$N" +short old.xfr.test)" "" "and no longer the deleted one"
like "$(grep 'notify for xfr.test' "$R/nsd/log")" "serial 2" "after a NOTIFY for serial 2"
like "$(cat "$R/log")" "rb-axfr: info: ixfr zone=xfr.test. client=127.0.0.1 from=1 serial=2 kind=incremental deleted=2 added=2" \
	"which nsd followed with an IXFR from serial 1"
like "$(grep 'received update to serial 2' "$R/nsd/log")" "of [0-9]+ bytes" \
	"nsd committed serial 2"

# IXFR with dig: the condensed difference from the kept build.
xfr "$R/ixfr" xfr.test IXFR=1
grep -v '^;' "$R/ixfr" | grep . | awk '{print $1, $4, $5 ($4 == "SOA" ? " " $7 : "")}' \
    >"$R/ixfr.got"
cat >"$R/ixfr.want" <<'EOF'
xfr.test. SOA ns1.xfr.test. 2
xfr.test. SOA ns1.xfr.test. 1
old.xfr.test. A 192.0.2.11
www.xfr.test. A 192.0.2.10
xfr.test. SOA ns1.xfr.test. 2
new.xfr.test. A 192.0.2.30
www.xfr.test. A 192.0.2.12
xfr.test. SOA ns1.xfr.test. 2
EOF
same "$R/ixfr.got" "$R/ixfr.want" \
	"IXFR=1: new SOA, old SOA, deleted, new SOA, added, new SOA"
xfr "$R/ixfr2" xfr.test IXFR=2
is "$(grep -v '^;' "$R/ixfr2" | grep . | awk '{print $4, $7}')" "SOA 2" \
	"IXFR at the current serial: the SOA alone"
xfr "$R/ixfr0" xfr.test IXFR=0
grep -v '^;' "$R/ixfr0" | grep . >"$R/ixfr0.rr"
is "$(wc -l <"$R/ixfr0.rr" | tr -d ' ')" 1517 "IXFR from a serial never kept: the whole zone"
canon "$R/ixfr0" >"$R/ixfr0.canon"
cp "$Z" "$R/src2"
canon "$R/src2" >"$R/src2.canon"
same "$R/ixfr0.canon" "$R/src2.canon" "in AXFR form, matching the changed source"
is "$(dig @127.0.0.1 -p "$P" +notcp +short xfr.test IXFR=1 | awk '{print $3}')" 2 \
	"IXFR over UDP: the current SOA alone"
is "$(status +notcp xfr.test IXFR=1)" NOERROR "with NOERROR"

# One connection, three queries sent at once: rb-axfr answers each in
# turn (IXFR at our serial twice, then an A query, which it refuses).
tcp3=$(perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
	    Proto => "tcp") or die;
	my $soa = pack("n", 0xc00c) . pack("nnNn", 6, 1, 0, 22) . "\0\0" .
	    pack("NNNNN", 2, 0, 0, 0, 0);
	my $name = "\003xfr\004test\000";
	my $out = "";
	for my $q ([1, 251, 1], [2, 251, 1], [3, 1, 0]) {
		my $m = pack("nnnnnn", $q->[0], 0, 1, 0, $q->[2], 0) . $name .
		    pack("nn", $q->[1], 1) . ($q->[2] ? $soa : "");
		$out .= pack("n", length $m) . $m;
	}
	print $s $out;
	my @r;
	for (1..3) {
		my $l; read($s, $l, 2) == 2 or last;
		my $m; read($s, $m, unpack("n", $l));
		my ($id, $fl, $qd, $an) = unpack("nnnn", $m);
		push @r, "$id:" . ($fl & 15) . ":$an";
	}
	print join(" ", @r), "\n";' "$P")
is "$tcp3" "1:0:1 2:0:1 3:5:0" \
	"one connection: two IXFRs answered with the SOA, then an A query REFUSED"

# At most 8 transfers at once: 8 clients holding their connections keep
# 8 rb-axfr busy; a ninth transfer is REFUSED until they leave.
perl -MIO::Socket::INET -e '
	my @s;
	my $q = pack("nnnnnn", 9, 0, 1, 0, 0, 0) . "\003xfr\004test\000" .
	    pack("nn", 252, 1);
	for (1..8) {
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
		    Proto => "tcp") or die;
		print $s pack("n", length $q) . $q;
		my $b; read($s, $b, 2) == 2 or die;	# rb-axfr is answering
		push @s, $s;
	}
	open(my $f, ">", $ARGV[1]) or die; close $f;
	sleep 60;' "$P" "$R/held" &
held=$!
_pids="$_pids $held"
wait_for 10 test -e "$R/held"
ok $? "8 clients hold transfers"
is "$(status xfr.test AXFR)" REFUSED "a ninth transfer: REFUSED"
like "$(cat "$R/log")" "8 transfers running, refusing another" "and rb-dnsd says why"
stop_pid "$held"
wait_for 10 sh -c "dig @127.0.0.1 -p $P +comments xfr.test AXFR | grep -q 'status: NOERROR'"
ok $? "once they leave, transfers work again"

# tcp-connection-limit: a connection handed to rb-axfr no longer counts.
# 127.0.0.3 may transfer and hold one TCP connection: while it holds a
# transfer, a query over TCP from it is still answered; while it holds a
# plain connection, a second one is closed at once.
cat >>"$R/runbound.conf" <<EOF
    allow-transfer: 127.0.0.3
    tcp-connection-limit: 127.0.0.3 1
EOF
reloads() { grep -c "info: reloaded .*runbound.conf" "$R/log"; }
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }
n=$(reloads)
kill -HUP "$DNSD"
wait_for 5 reloaded_since "$n"
ok $? "SIGHUP: tcp-connection-limit 127.0.0.3 1"
out=$(perl -MIO::Socket::INET -MIO::Select -e '
	my $p = shift;
	sub conn { IO::Socket::INET->new(PeerAddr => "127.0.0.1:$p",
	    LocalAddr => "127.0.0.3", Proto => "tcp") or die "connect: $!" }
	sub ask { my ($s, $id, $type) = @_;
		my $q = pack("nnnnnn", $id, 0, 1, 0, 0, 0) .
		    "\003www\003xfr\004test\000" . pack("nn", $type, 1);
		$q =~ s/\003www// if $type == 252;
		syswrite($s, pack("n", length $q) . $q) or return 0;
		IO::Select->new($s)->can_read(3) or return 0;
		my $b; return sysread($s, $b, 2) == 2 }
	my $x = conn();
	print ask($x, 1, 252) ? "axfr" : "no-axfr", " ";
	my $y = conn();
	print ask($y, 2, 1) ? "answered" : "closed", " ";
	close $y;
	sleep 0.5;
	my $z = conn();
	print ask($z, 3, 1) ? "answered" : "closed", " ";
	my $w = conn();
	print ask($w, 4, 1) ? "answered" : "closed", "\n";' "$P")
is "$out" "axfr answered answered closed" \
	"a handed-over transfer does not count; a plain connection does"

# Incoming NOTIFY: we are no secondary.
is "$(dig @127.0.0.1 -p "$P" +comments +opcode=notify xfr.test SOA 2>&1 |
    sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)" NOTIMP "an incoming NOTIFY gets NOTIMP"

# rb-notify alone: nothing changed since its last run, nothing sent.
out=$(rb-notify -d "$R" 2>&1)
is "$?" 0 "rb-notify with nothing changed exits 0"
is "$out" "" "and sends nothing"
# A zone changed without a new serial: serial 2 now stands for two
# different zones among the kept builds, and the client may hold either,
# so an IXFR from 2 gets the whole zone, never a guessed difference.
echo 'same	IN A	192.0.2.40' >>"$Z"
rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
sed -e 's/ 2 3600 600/ 3 3600 600/' "$Z" >"$Z.new" && mv "$Z.new" "$Z"
rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short xfr.test SOA | grep -q ' 3 3600'"
ok $? "serial 3 is served"
xfr "$R/ixfr-amb" xfr.test IXFR=2
is "$(grep -v '^;' "$R/ixfr-amb" | grep . | sed -n 2p | awk '{print $4}')" A \
	"IXFR from a serial that two different kept zones share: the whole zone"
is "$(grep -v '^;' "$R/ixfr-amb" | grep . | grep -c 'same.xfr.test')" 1 \
	"with the record added under the old serial"
like "$(cat "$R/log")" "serial 2 stands for different contents" \
	"and rb-axfr says why"
# An IXFR over UDP gets no more than the client takes: here an SOA of
# 500 bytes of names does not fit 512 without EDNS (TC, no record), and
# fits the 1232 the client advertises with it.
L=$(perl -e 'print join(".", ("a" x 62) x 4)')
L2=$(perl -e 'print join(".", ("b" x 62) x 4)')
cat >"$R/zones/zones.long.test" <<LEOF
@	IN SOA	m.$L. r.$L2. 5 3600 600 86400 60
@	IN NS	ns.long.test.
LEOF
rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short long.test NS | grep -q ns.long.test"
flags=$(dig @127.0.0.1 -p "$P" +notcp +noedns +ignore +comments long.test IXFR=1 2>&1 |
    sed -n 's/.*flags: \([a-z ]*\);.*/\1/p' | head -1)
like "$flags" "tc" "IXFR over UDP without EDNS: a 560-byte SOA is TC"
like "$(dig @127.0.0.1 -p "$P" +notcp +bufsize=1232 +ignore long.test IXFR=1 2>&1 |
    grep -c 'IN.SOA')" "^[1-9]" "with EDNS 1232: the SOA itself"
finish
