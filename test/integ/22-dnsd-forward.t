#!/bin/sh
# rb-dnsd step 8 end to end: forwarding through libunbound to a real
# unbound and a real nsd on loopback.  The packet cache (hits, TTL aging,
# expiry), the longest forward zone, cache-max-ttl and cache-min-ttl,
# private-address, truncation and the TCP retry, counters and log actions,
# upstream health, and a dead upstream that SERVFAILs without holding up
# local answers.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
PU=$(free_port)
PN=$(free_port)
PD=$(free_port)
long=$(printf '%0200d' 0 | tr 0 x)

# Upstream 1: unbound, authoritative-style local data for fw.test.
{
	cat <<EOF
server:
	interface: 127.0.0.1@$PU
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$R"
	pidfile: ""
	use-syslog: no
	logfile: ""
	access-control: 127.0.0.0/8 allow
	local-zone: "." refuse
	local-zone: "fw.test." static
	local-data: "fw.test. 300 IN SOA ns.fw.test. h.fw.test. 1 3600 600 86400 60"
	local-data: "www.fw.test. 300 IN A 192.0.2.10"
	local-data: "short.fw.test. 2 IN A 192.0.2.11"
	local-data: "host.sub.fw.test. 300 IN A 192.0.2.99"
	local-data: "rebind.fw.test. 300 IN A 10.1.2.3"
	local-data: "lan.home.fw.test. 300 IN A 192.168.1.7"
	local-data: "long.fw.test. 100000 IN A 192.0.2.12"
EOF
	for i in 1 2 3 4 5 6 7 8; do
		echo "	local-data: 'big.fw.test. 300 IN TXT \"$i$long\"'"
	done
	printf 'remote-control:\n\tcontrol-enable: no\n'
} >"$R/up.conf"

# Upstream 2: nsd, authoritative for sub.fw.test.
mkdir "$R/nsd"
cat >"$R/nsd/sub.zone" <<EOF
\$ORIGIN sub.fw.test.
\$TTL 300
@	IN SOA ns h 1 3600 600 86400 60
	IN NS ns
ns	IN A 127.0.0.1
host	IN A 192.0.2.20
EOF
cat >"$R/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$PN
	username: ""
	chroot: ""
	zonesdir: "$R/nsd"
	database: ""
	zonelistfile: "$R/nsd/zone.list"
	xfrdfile: "$R/nsd/xfrd.state"
	xfrdir: "$R/nsd"
	pidfile: ""
	logfile: "$R/nsd/nsd.log"
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: "sub.fw.test."
	zonefile: "sub.zone"
EOF

conf() { # conf EXTRA-SERVER-LINES: write runbound.conf
	cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    private-address: 10.0.0.0/8
    private-address: 192.168.0.0/16
    private-domain: home.fw.test
    allow-transfer: 127.0.0.1
$1
forward-zone:
    name: fw.test
    forward-addr: 127.0.0.1@$PU
forward-zone:
    name: sub.fw.test
    forward-addr: 127.0.0.1@$PN
forward-zone:
    name: down.test
    forward-addr: 127.0.0.1@$PD
EOF
}

start_dnsd() {
	rm -f "$R/ready"
	RB_DNSD_PROBE_INTERVAL=1 RB_DNSD_FWD_TIMEOUT=2 \
	    start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/ready"
}
q() { dig @127.0.0.1 -p "$P" +time=4 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
ttl() { q +noall +answer "$@" | awk '{print $2; exit}'; }
stat() { rb-stats -d "$R" | jq -r "$1"; }

start_bg unbound -d -c "$R/up.conf" 2>"$R/up.log"
start_bg nsd -d -c "$R/nsd/nsd.conf"
wait_for 5 sh -c "dig @127.0.0.1 -p $PU +time=1 +tries=1 www.fw.test | grep -q NOERROR" ||
	bail "unbound upstream did not start: $(cat "$R/up.log")"
wait_for 5 sh -c "dig @127.0.0.1 -p $PN +time=1 +tries=1 host.sub.fw.test | grep -q NOERROR" ||
	bail "nsd upstream did not start: $(cat "$R/nsd/nsd.log")"

conf ""
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"
mkdir "$R/zones"
printf '%s\n' '$ORIGIN zx.test.' '@ 300 IN SOA ns h 7 3600 600 86400 60' \
    '@ 300 IN NS ns' 'ns 300 IN A 192.0.2.53' >"$R/zones/zones.zx.test"
rb-zone -d "$R" build >/dev/null || bail "rb-zone"
start_dnsd || bail "rb-dnsd did not start: $(cat "$R/log")"

# Forwarding, the client's case and flags, the cache.
is "$(q +short www.fw.test)" "192.0.2.10" "forwarded A"
is "$(q +short www.fw.test)" "192.0.2.10" "again, from the cache"
is "$(stat '[.forwarded,.cached,.cache_entries] | @csv')" "1,1,1" \
	"forwarded 1, cached 1, one cache entry"
like "$(q WwW.Fw.TeSt)" ";WwW\.Fw\.TeSt\.[[:space:]]+IN[[:space:]]+A" \
	"question echoed with the client's case (cache hit)"
is "$(q +norec www.fw.test | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')" \
	"qr ra" "flags: RD copied, RA set, no AA"
is "$(q +noedns www.fw.test | grep -c 'OPT PSEUDOSECTION')" 0 \
	"no OPT for a client without EDNS"
is "$(q www.fw.test | grep -c 'udp: 1232')" 1 "OPT with 1232 for an EDNS client"
is "$(stat '[.forwarded,.cached,.cache_entries] | @csv')" "1,5,1" \
	"with or without EDNS, any case: the same entry"
t=$(ttl short.fw.test)
ok "$([ "$t" -le 2 ] && echo 0 || echo 1)" "short TTL as given ($t)"
sleep 3
f0=$(stat .forwarded)
q short.fw.test >/dev/null
is "$(stat .forwarded)" "$((f0 + 1))" "an expired entry goes upstream again"

# The longest forward zone wins: nsd for sub.fw.test, not unbound.
is "$(q +short host.sub.fw.test)" "192.0.2.20" "longest forward zone (nsd)"
is "$(q +tcp +short host.sub.fw.test)" "192.0.2.20" "over TCP too"
is "$(st nope.sub.fw.test)" "NXDOMAIN" "NXDOMAIN from upstream"
is "$(q nope.sub.fw.test | grep -c 'IN[[:space:]]SOA')" 1 "... with its SOA"

# Local data still wins; names under no forward zone are REFUSED.
is "$(q +short nas.home)" "192.168.1.10" "local data before forwarding"
is "$(st www.example.org)" "REFUSED" "no forward zone: REFUSED"

# Rebinding protection.
is "$(st rebind.fw.test)" "SERVFAIL" "private address for a public name: SERVFAIL"
is "$(q +short lan.home.fw.test)" "192.168.1.7" "private-domain may hold private addresses"
is "$(rb-logs -d "$R" -a servfail | jq -r '.entries[0].name')" "rebind.fw.test." \
	"logged as servfail"

# Truncation over UDP, then the TCP retry.
is "$(q +ignore big.fw.test TXT | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')" \
	"qr tc rd ra" "large answer over UDP: TC"
is "$(q +ignore big.fw.test TXT | grep -c 'ANSWER: 0')" 1 "... and no records"
is "$(q +short big.fw.test TXT | wc -l)" 8 "dig retries over TCP: all 8 records"
is "$(q +noedns +ignore big.fw.test TXT | grep -c ' tc ')" 1 "TC at 512 without EDNS (cache hit)"

# A dead upstream: SERVFAIL, while local answers keep flowing.
t0=$(date +%s%N)
q +short down.test >"$R/down.out" 2>&1 &
DIG=$!
sleep 0.2
is "$(q +short runbound.health)" "127.0.0.1" "local answer while a forward is pending"
t1=$(date +%s%N)
ok "$([ $(( (t1 - t0) / 1000000 )) -lt 1500 ] && echo 0 || echo 1)" \
	"... not held up ($(( (t1 - t0) / 1000000 )) ms)"
wait "$DIG"
is "$(st down.test)" "SERVFAIL" "dead upstream: SERVFAIL"

# Over one TCP connection, replies go out as they are ready (RFC 7766
# 6.2.1.1): the dead upstream's SERVFAIL comes last, after the local answer,
# a cache hit and a fresh forward that were queued behind it.  Prints each
# reply as id:rcode in arrival order.
cat >"$R/pipe.pl" <<'PLEOF'
use strict;
use IO::Socket::INET;
use IO::Select;
use Socket;
my ($port, $rcvbuf, $pause, @names) = @ARGV;
sub wire { join("", map { chr(length) . $_ } split /\./, shift) . "\0" }
socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
# Before connect, so that the window offered stays small.
!$rcvbuf or setsockopt($s, SOL_SOCKET, SO_RCVBUF, 0 + $rcvbuf) or die "SO_RCVBUF: $!";
connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1"))) or die "connect: $!";
my ($id, $out) = (0, "");
for (@names) { my ($n, $t) = split /\//; $id++;
	my $m = pack("n6", $id, 0x0100, 1, 0, 0, 0) . wire($n) . pack("n2", $t // 1, 1);
	$out .= pack("n", length $m) . $m; }
syswrite($s, $out) == length $out or die "short write";
select(undef, undef, undef, $pause);
my ($buf, @seen) = ("");
while (@seen < $id) {
	IO::Select->new($s)->can_read(6) or last;
	sysread($s, $buf, 65536, length $buf) or last;
	while (length $buf >= 2 && length $buf >= 2 + unpack("n", $buf)) {
		my $r = substr($buf, 2, unpack("n", $buf));
		substr($buf, 0, 2 + length $r) = "";
		my ($rid, $fl) = unpack("n2", $r);
		push @seen, "$rid:" . ($fl & 15);
	}
}
print "@seen\n";
PLEOF
is "$(perl "$R/pipe.pl" "$P" 0 0 down.test nas.home www.fw.test host.sub.fw.test)" \
	"2:0 3:0 4:0 1:2" "TCP: a slow forward does not hold up the replies behind it"
is "$(perl "$R/pipe.pl" "$P" 0 0 down.test zx.test/252)" "1:2 2:0" \
	"TCP: an AXFR behind a pending forward waits for its reply, then goes"
# The dead upstream's SERVFAIL comes after 2 s, when 10 MB of cache hits
# behind it fill the kernel's buffers (at most 4 MB on Debian) and
# rb-dnsd's own: it is held, then sent.
names=$(perl -e 'print join " ", "down.test", ("big.fw.test/16") x 6000')
got=$(perl "$R/pipe.pl" "$P" 4096 3 $names | tr ' ' '\n')
is "$(echo "$got" | grep -c .)" 6001 \
	"TCP: all 6,001 replies arrive through a full output buffer"
is "$(echo "$got" | cut -d: -f1 | sort -n | uniq | wc -l)" 6001 "... each id once"
is "$(echo "$got" | grep -c '^1:2$')" 1 "... the forward's SERVFAIL among them"

# Counters, log actions, upstream health.
q www.fw.test >/dev/null
s=$(rb-stats -d "$R")
ok "$(echo "$s" | jq -e '.forwarded >= 5 and .cached >= 4 and .servfail >= 2' >/dev/null; echo $?)" \
	"forwarded, cached and servfail counted"
is "$(echo "$s" | jq '.cache_hit_rate > 0')" true "cache_hit_rate"
wait_for 5 sh -c "rb-stats -d '$R' -u | jq -e '.total == 3 and .healthy == 2' >/dev/null"
ok $? "rb-stats -u: 3 upstreams, 2 healthy"
u=$(rb-stats -d "$R" -u)
is "$(echo "$u" | jq -r '.upstreams[] | select(.addr == "127.0.0.1@'$PN'") | [.zone, .healthy] | @csv')" \
	'"sub.fw.test.",true' "nsd upstream healthy"
is "$(echo "$u" | jq -r '.upstreams[] | select(.addr == "127.0.0.1@'$PD'") | .healthy')" \
	false "dead upstream unhealthy"
is "$(echo "$u" | jq -r '.upstreams[0].last_check | test("^20")')" true "last_check set"
grep -q "warning: upstream addr=127.0.0.1@$PD zone=down.test. failed" "$R/log"
ok $? "a failed probe logs a warning"
stop_pid "$DNSD_PID"

# cache-max-ttl and cache-min-ttl show in the answers.
conf "    cache-max-ttl: 1000
    cache-min-ttl: 60
    verbosity: 2
    tcp-idle-timeout: 300"
start_dnsd || bail "rb-dnsd did not restart"
is "$(st +tcp down.test)" "SERVFAIL" \
	"TCP: a reply due from upstream (2 s) outlasts tcp-idle-timeout (300 ms)"
is "$(ttl long.fw.test)" 1000 "cache-max-ttl caps a TTL"
is "$(ttl short.fw.test)" 60 "cache-min-ttl raises a TTL"
sleep 1.1
t=$(ttl short.fw.test)
ok "$([ "$t" -lt 60 ] && [ "$t" -ge 57 ] && echo 0 || echo 1)" "a cached TTL ages ($t)"
is "$(cat "$R/run/unbound.conf" | grep -c 'local-zone: "test." nodefault')" 1 \
	"run/unbound.conf turns unbound's test. zone off"
is "$(grep -c 'cache-min-ttl: 60' "$R/run/unbound.conf")" 1 "run/unbound.conf has the TTL bounds"
is "$(rb-logs -d "$R" | jq -r '.entries[0].action,.entries[2].action' | tr '\n' ' ')" \
	"cached forwarded " "log actions cached and forwarded"

# A reload with new forwarders: a new libunbound context, the cache flushed.
sed -i "s/forward-addr: 127.0.0.1@$PU/forward-addr: 127.0.0.1@$PD/" "$R/runbound.conf"
kill -HUP "$DNSD_PID"
wait_for 5 grep -q "reloaded" "$R/log"
is "$(st long.fw.test)" "SERVFAIL" "after a reload to a dead forwarder: SERVFAIL, not the cache"
stop_pid "$DNSD_PID"
finish
