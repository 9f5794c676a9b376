#!/bin/sh
# rb-dnsd end to end over UDP on 127.0.0.1 and ::1: readiness, the health
# name, local records, blocklist and allowlist, CNAME chains, step 1
# (malformed and unsupported queries), privileges, SIGTERM.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    interface: ::1@$P
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null &&
rb-dns -d "$R" add nas.home. AAAA fd00::10 >/dev/null &&
rb-dns -d "$R" add www.home. CNAME web.home. >/dev/null &&
rb-dns -d "$R" add web.home. CNAME nas.home. >/dev/null &&
rb-dns -d "$R" add ext.home. CNAME www.example.com. >/dev/null &&
rb-dns -d "$R" add mx.home. MX "10 mail.home." >/dev/null &&
rb-dns -d "$R" add ads.example.com. A 10.9.9.9 >/dev/null &&
rb-block -d "$R" add ads.example.com nxdomain >/dev/null &&
rb-block -d "$R" add tracker.example.com refuse >/dev/null &&
rb-allow -d "$R" add ok.ads.example.com >/dev/null ||
	bail "unable to fill $R"

start_dnsd() { # start_dnsd: rb-dnsd on $R in the background, $DNSD_PID
	rm -f "$R/ready"
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/ready"
}
q() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
fl() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }
raw() { # raw HEX: send a UDP packet, print the reply in hex ("" if none)
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Proto => "udp") or die;
		$s->send(pack("H*", $ARGV[1]));
		my $r = "";
		my $rin = ""; vec($rin, fileno($s), 1) = 1;
		$s->recv($r, 4096) if select($rin, undef, undef, 1);
		print unpack("H*", $r), "\n";' "$P" "$1"
}

start_dnsd
ok $? "rb-dnsd writes its readiness line"
is "$(od -An -c "$R/ready" | tr -d ' ')" '\n' "readiness is one newline"

is "$(q +short runbound.health A)" "127.0.0.1" "runbound.health A"
like "$(q runbound.health A)" "runbound\.health\.[[:space:]]+0[[:space:]]+IN" \
	"runbound.health TTL 0"
is "$(st runbound.health AAAA)" "NOERROR" "runbound.health AAAA: NODATA"
is "$(q runbound.health AAAA | grep -c 'ANSWER: 0')" 1 "... with no answer"

is "$(q +short nas.home A)" "192.168.1.10" "local A"
is "$(q +short nas.home AAAA)" "fd00::10" "local AAAA"
# RFC 3225: the DO bit comes back in the reply's OPT, as unbound and NSD do.
like "$(q +dnssec nas.home A)" "EDNS: version: 0, flags: do;" "DO echoed (dig +dnssec)"
like "$(q +dnssec nope.home A)" "EDNS: version: 0, flags: do;" "also on NXDOMAIN"
like "$(q nas.home A)" "EDNS: version: 0, flags:;" "and not set when not asked"
is "$(q +short mx.home MX)" "10 mail.home." "local MX"
is "$(fl nas.home A)" "qr aa rd ra" "AA set, RD copied, RA set"
is "$(fl +norec nas.home A)" "qr aa ra" "RD not set when not asked"
like "$(q NaS.HoMe A)" ";NaS\.HoMe\.[[:space:]]+IN[[:space:]]+A" \
	"question echoed with its case"
is "$(dig @::1 -p "$P" +time=2 +tries=1 +short nas.home A)" "192.168.1.10" \
	"answers on ::1"
is "$(st nas.home TXT)" "NOERROR" "name with other types: NODATA"
is "$(st other.home A)" "REFUSED" "unknown name: REFUSED (no forwarding)"

is "$(q +short www.home A | tr '\n' ' ')" "web.home. nas.home. 192.168.1.10 " \
	"CNAME chain followed in local data"
is "$(q +short ext.home A | tr '\n' ' ')" "www.example.com. " \
	"CNAME to a name outside local data: the CNAME alone"
is "$(q +short www.home CNAME)" "web.home." "CNAME query: not chased"
is "$(q www.home ANY | grep -c 'IN[[:space:]]CNAME')" 1 "ANY: one RRset"

is "$(st ads.example.com A)" "NXDOMAIN" "blocked: NXDOMAIN"
is "$(st x.y.ads.example.com A)" "NXDOMAIN" "blocked: subdomain too"
is "$(st tracker.example.com A)" "REFUSED" "blocked: REFUSED action"
is "$(st www.ok.ads.example.com A)" "REFUSED" \
	"allowlist wins (then nothing answers: REFUSED)"

is "$(st +opcode=status nas.home A)" "NOTIMP" "opcode STATUS: NOTIMP"
is "$(st version.bind CH TXT)" "REFUSED" "class CHAOS: REFUSED"
# id 0x1234, flags, QDCOUNT, 0, 0, 0, then nas.home A IN
qn=036e617304686f6d650000010001
is "$(raw "123401000001000000000000036e617304686f6d650000fc0001")" \
	"123481850001000000000000036e617304686f6d650000fc0001" \
	"AXFR: REFUSED"
is "$(raw "12348100000100000000000$qn")" "" "QR set: no reply"
like "$(raw "123401000002000000000000$qn$qn")" '^12348[0-9a-f]{2}1' \
	"QDCOUNT 2: FORMERR"
like "$(raw "1234010000010000000000000f6e")" '^12348[0-9a-f]{2}1' \
	"cut question: FORMERR"
is "$(raw "1234")" "" "2 bytes: no reply"
is "$(q +short nas.home A)" "192.168.1.10" "still serving after junk"

stop_pid "$DNSD_PID"
wait "$DNSD_PID" 2>/dev/null
is "$?" 0 "SIGTERM: exit 0"
like "$(cat "$R/log")" "rb-dnsd: info: exiting" "logged its exit"

# Privileges: root binds, then runs as username:.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$R"
	chmod -R a+rX "$R/data"
	printf '    username: nobody\n' >>"$R/runbound.conf"
	start_dnsd
	ok $? "started with username: nobody"
	is "$(awk '/^Uid:/ {print $2 $3}' "/proc/$DNSD_PID/status")" \
		"$(id -u nobody)$(id -u nobody)" "running as nobody"
	is "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$DNSD_PID/status")" 1 \
		"no_new_privs set"
	is "$(q +short nas.home A)" "192.168.1.10" "serving as nobody"
	stop_pid "$DNSD_PID"
else
	diag "not root: privilege tests skipped"
fi

printf 'server:\n    bogus-directive: 1\n' >"$R/runbound.conf"
rb-dnsd -d "$R" 2>/dev/null
is "$?" 100 "invalid config: exit 100"
rb-dnsd -d "$R" extra 2>/dev/null
is "$?" 100 "usage error: exit 100"
rb-dnsd -d "$R" -r 99 2>/dev/null
is "$?" 100 "-r with a closed fd: exit 100"

finish
