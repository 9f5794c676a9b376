#!/bin/sh
# rb-dnsd's step 7 against NSD: one zone compiled by rb-zone and served by
# rb-dnsd, the same master file served by nsd (minimal-responses, as
# rb-dnsd answers), and the same queries to both.  Compared: rcode, the aa
# and tc flags, and the sorted answer, authority and additional sections
# with their TTLs.  ANY (RFC 8482: the responder picks the one RRset)
# compares rcode, flags and that the answer holds exactly one RRset.
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
EOF
big=$(printf '%0200d' 0 | tr 0 a)
cat >"$R/zones/zones.auth.test" <<EOF
; the differential test's zone: one of each case step 7 handles
\$TTL 3600
@	IN SOA	ns1.auth.test. hostmaster.auth.test. (
		2026112501 7200 3600 1209600 300 )
	IN NS	ns1
	IN NS	ns2.auth.test.
	IN A	192.0.2.1
	IN AAAA	2001:db8::1
	IN MX	10 mail
	IN MX	20 mx.elsewhere.example.
	IN TXT	"v=spf1 -all"
ns1	IN A	192.0.2.53
ns2	IN A	192.0.2.54
ns2	IN AAAA	2001:db8::54
mail	IN A	192.0.2.25
www	IN CNAME web
web	IN CNAME host
host	60 IN A	192.0.2.80
host	60 IN A	192.0.2.81
ext	IN CNAME www.elsewhere.example.
dangling IN CNAME nothere
a.b.c	IN A	192.0.2.3
*.wild	IN A	192.0.2.99
*.wild	IN TXT	"wildcard"
real.wild IN A	192.0.2.98
*.wc	IN CNAME host
sub	IN NS	ns1.sub
sub	IN NS	ns.elsewhere.example.
ns1.sub	IN A	192.0.2.201
ns1.sub	IN AAAA	2001:db8::201
tosub	IN CNAME x.sub
loop1	IN CNAME loop2
loop2	IN CNAME loop1
big	IN TXT	"${big}01"
big	IN TXT	"${big}02"
big	IN TXT	"${big}03"
big	IN TXT	"${big}04"
big	IN TXT	"${big}05"
big	IN TXT	"${big}06"
big	IN TXT	"${big}07"
EOF
cat >"$R/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $N
	zonesdir: "$R/zones"
	chroot: ""
	username: ""
	pidfile: "$R/nsd/nsd.pid"
	database: ""
	zonelistfile: "$R/nsd/zone.list"
	xfrdfile: "$R/nsd/xfrd.state"
	xfrdir: "$R/nsd"
	minimal-responses: yes
	verbosity: 0
remote-control:
	control-enable: no
zone:
	name: auth.test
	zonefile: zones.auth.test
EOF

out=$(rb-zone -d "$R" check)
is "$?" 0 "rb-zone check"
is "$out" '{"files":1,"zones":1,"records":37,"written":false}' \
	"rb-zone check: counts, nothing written"
ok "$(test ! -e "$R/data/zones.cdb"; echo $?)" "check writes no cdb"
rb-zone -d "$R" build >/dev/null
ok $? "rb-zone build"
cp "$R/data/zones.cdb" "$R/first.cdb"
rb-zone -d "$R" build >/dev/null
ok "$(cmp -s "$R/data/zones.cdb" "$R/first.cdb"; echo $?)" \
	"rb-zone build is deterministic"
rb-data -d "$R" >/dev/null || bail "rb-data failed"

rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
start_bg nsd -d -c "$R/nsd/nsd.conf" 2>>"$R/nsd/log"
wait_for 10 sh -c "dig @127.0.0.1 -p $N +time=1 +tries=1 auth.test SOA |
	grep -q 'status: NOERROR'" || bail "nsd did not start"

# "STATUS[ aa][ tc]", then every record of the three sections, sorted,
# blanks squeezed, lower-cased: nsd compresses names in rdata against the
# question as the client spelled it, rb-dnsd writes them as the zone does;
# names compare without case (RFC 4343).
norm() { # norm PORT DIG-ARGS...
	_p=$1
	shift
	dig @127.0.0.1 -p "$_p" +time=2 +tries=1 +norec +nocookie +noall \
	    +comments +answer +authority +additional "$@" >"$R/dig.out" 2>&1
	awk '/status:/ { s = $6; sub(",", "", s) }
		/^;; flags:/ { split($0, a, ";"); f = " " a[3] " " }
		END { print s ((f ~ / aa /) ? " aa" : "") \
		    ((f ~ / tc /) ? " tc" : "") }' "$R/dig.out"
	grep -v '^;' "$R/dig.out" | grep -v '^$' | tr -s ' \t' ' ' |
	    tr A-Z a-z | sort
}

# ANY: the header line and how many RRsets the answer holds.
norm_any() {
	norm "$@" | awk 'NR == 1 { print; next }
		{ seen[$1 " " $4] = 1 }
		END { n = 0; for (k in seen) n++; print n " RRset(s)" }'
}

while read -r name type extra; do
	[ -n "$name" ] || continue
	want=$(norm "$N" "$name" "$type" $extra)
	got=$(norm "$P" "$name" "$type" $extra)
	is "$got" "$want" "same as nsd: $name $type $extra"
done <<CASES
auth.test SOA
auth.test NS
auth.test A
auth.test AAAA
auth.test MX
auth.test TXT
auth.test SRV
ns2.auth.test AAAA
mail.auth.test A
www.auth.test A
www.auth.test CNAME
www.auth.test TXT
web.auth.test AAAA
ext.auth.test A
dangling.auth.test A
a.b.c.auth.test A
b.c.auth.test A
c.auth.test TXT
nope.auth.test A
x.nope.auth.test AAAA
host.auth.test MX
x.wild.auth.test A
y.x.wild.auth.test TXT
x.wild.auth.test AAAA
wild.auth.test A
*.wild.auth.test A
real.wild.auth.test A
real.wild.auth.test TXT
x.real.wild.auth.test A
a.wc.auth.test A
a.wc.auth.test CNAME
sub.auth.test NS
sub.auth.test A
x.sub.auth.test A
ns1.sub.auth.test A
www.sub.auth.test AAAA
sub.auth.test DS
x.sub.auth.test DS
tosub.auth.test A
loop1.auth.test A
big.auth.test TXT +noedns
big.auth.test TXT +bufsize=1232
big.auth.test TXT +tcp
WWW.Auth.Test A
elsewhere.example A
CASES

for name in auth.test host.auth.test x.wild.auth.test ns2.auth.test; do
	is "$(norm_any "$P" "$name" ANY)" "$(norm_any "$N" "$name" ANY)" \
		"ANY: one RRset, as nsd: $name"
done
is "$(norm "$P" nope.auth.test ANY)" "$(norm "$N" nope.auth.test ANY)" \
	"ANY: NXDOMAIN as nsd"

# A rebuilt zone is served without a restart (inotify on data/).
echo 'new	IN A	192.0.2.77' >>"$R/zones/zones.auth.test"
rb-zone -d "$R" build >/dev/null
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short new.auth.test A |
	grep -q 192.0.2.77"
ok $? "rebuilt zones.cdb is re-mapped"

# Authoritative answers count as local answers, not as refused ones.
before=$(rb-stats -d "$R" | jq -c '[.local_hits, .refused]')
dig @127.0.0.1 -p "$P" +short new.auth.test A >/dev/null
dig @127.0.0.1 -p "$P" nope.auth.test A >/dev/null
after=$(rb-stats -d "$R" | jq -c '[.local_hits, .refused]')
is "$(echo "$before $after" | jq -sc '[.[1][0] - .[0][0], .[1][1] - .[0][1]]')" '[2,0]' \
	"zone answers (and a zone NXDOMAIN) count as local_hits"

# The sample zones shipped in zones/ are valid.
samples=$(cd "$(dirname "$0")/../../zones" && pwd)
rb-zone -d "$R" check "$samples"/zones.* >/dev/null
ok $? "rb-zone check: the sample zones in zones/"

# Errors name file and line.
printf '$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nx IN A 1.2.3.4\nx IN BOGUS foo\n' \
	>"$R/zones.bad.test"
err=$(rb-zone -d "$R" check "$R/zones.bad.test" 2>&1)
is "$?" 100 "rb-zone check: bad zone exits 100"
like "$err" "zones\.bad\.test:4: " "rb-zone check: error names the line"

finish
