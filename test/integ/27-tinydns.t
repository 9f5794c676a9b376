#!/bin/sh
# tinydns-data sources (doc/rb-zone.md "tinydns-data files"), laid out as
# the make + ssh replication recipe does (reference/tinydns-replication.md,
# inventory.md 1.3): one zones.<customer> file per customer, several zones
# in one file, '.' lines and the 'Z' + '&' + '+' lines make-data turns
# them into, built by zones/Makefile with one serial, served by a real
# rb-dnsd and checked with dig.  The same zone written as an RFC 1035
# master file compiles to the same bytes.  A bad line names its file and
# line and leaves the served zones.cdb as it was.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
Z="$R/zones"
mkdir -p "$Z" || bail "mkdir"
cp "$TOP/zones/Makefile" "$Z/" || bail "cp"
printf 'server:\n    interface: 127.0.0.1@%s\n    rate-limit: 0\n' "$P" \
	>"$R/runbound.conf"
big=$(printf '%0200d' 0 | tr 0 x)

# My own domains: every line type.
cat >"$Z/zones.jms1" <<EOF
# zones.jms1: tinydns-data lines, edited on the primary
.jms1.test:192.0.2.1:a
.jms1.test:192.0.2.2:b
=www.jms1.test:192.0.2.80
+ftp.jms1.test:192.0.2.81:300
@jms1.test:192.0.2.25:mail
@jms1.test::mx.backup.test:20
'jms1.test:v=spf1 a mx \\055all
'long.jms1.test:$big
'colon.jms1.test:key\\072value
Cwebmail.jms1.test:www.jms1.test
:sip.jms1.test:33:\\000\\012\\000\\001\\023\\304\\003www\\004jms1\\004test\\000
:v6.jms1.test:28:\\040\\001\\015\\270\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\001
+*.users.jms1.test:192.0.2.99
&lab.jms1.test:192.0.2.53:a
-old.jms1.test:192.0.2.66
%in:192.0.2

# The reverse zone as make-data writes a '.' line: Z, & and +.
Z2.0.192.in-addr.arpa:a.ns.jms1.test:hostmaster.jms1.test
&2.0.192.in-addr.arpa::a.ns.jms1.test
^1.2.0.192.in-addr.arpa:a.ns.jms1.test
EOF
# A customer with several domains in one file.
cat >"$Z/zones.alfa" <<'EOF'
# customer alfa
.alfa.test:198.51.100.1:a
+www.alfa.test:198.51.100.10
.alfa-shop.test::ns1.alfa.test
+alfa-shop.test:198.51.100.20
Zalfa.example:ns1.alfa.test:admin.alfa.test:2024010101:7200:1800:604800:300:3600
&alfa.example::ns1.alfa.test
+alfa.example:198.51.100.30
+ns1.alfa.test:198.51.100.1
EOF
cat >"$Z/zones.bravo" <<'EOF'
.bravo.test:198.51.100.2:a
+www.bravo.test:198.51.100.40
EOF
# Another customer still on RFC 1035 master files: both syntaxes mix.
cat >"$Z/zones.charlie.test" <<'EOF'
$TTL 300
@	IN SOA ns1.charlie.test. admin.charlie.test. 1 3600 600 86400 60
@	IN NS ns1
ns1	IN A 198.51.100.3
EOF

start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
q() { dig @127.0.0.1 -p "$P" +norec +time=2 +tries=1 "$@"; }
# The answer section without the class, sorted.
ans() { q +noall +answer "$@" | awk '{ $3 = ""; print }' | tr -s ' ' | sort; }

# Without -s, a '.' line's serial is its file's mtime, as tinydns-data's.
out=$(rb-zone -d "$R" build)
ok $? "rb-zone build"
like "$out" '^\{"files":4,"zones":7,"records":41,"written":true,"id":"[0-9a-f]{64}"\}$' \
	"four files, seven zones"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.jms1.test | grep -q ."
is "$(q +short jms1.test SOA)" \
	"a.ns.jms1.test. hostmaster.jms1.test. $(stat -c %Y "$Z/zones.jms1") 16384 2048 1048576 2560" \
	"'.': SOA a.ns.fqdn hostmaster.fqdn mtime 16384 2048 1048576 2560"

# As in the recipe: a customer's file changes, make rebuilds, and every
# zone gets the serial of the build.
echo '+new.bravo.test:198.51.100.41' >>"$Z/zones.bravo"
t0=$(date +%s)
make -s -C "$Z" RB_ZONE="$RB_BIN/rb-zone" >/dev/null
ok $? "make in zones/ rebuilds data/zones.cdb"
t1=$(date +%s)
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short new.bravo.test | grep -q ."
s=$(q +short jms1.test SOA | awk '{ print $3 }')
ok "$([ "$s" -ge "$t0" ] && [ "$s" -le "$t1" ] && echo 0 || echo 1)" \
	"the serial is the time of the build"
for zone in 2.0.192.in-addr.arpa alfa.test alfa-shop.test alfa.example \
    bravo.test charlie.test; do
	is "$(q +short "$zone" SOA | awk '{ print $3 }')" "$s" \
		"$zone: the same serial"
done

is "$(ans jms1.test SOA)" \
	"jms1.test. 2560 SOA a.ns.jms1.test. hostmaster.jms1.test. $s 16384 2048 1048576 2560" \
	"'.': SOA TTL 2560"
is "$(ans jms1.test NS)" "jms1.test. 259200 NS a.ns.jms1.test.
jms1.test. 259200 NS b.ns.jms1.test." "two '.' lines: two NS, TTL 259200"
is "$(q +noall +additional jms1.test NS | awk '{ print $1, $2, $5 }' | sort)" \
	"a.ns.jms1.test. 259200 192.0.2.1
b.ns.jms1.test. 259200 192.0.2.2" "their A records, as glue"
is "$(ans www.jms1.test A)" "www.jms1.test. 86400 A 192.0.2.80" \
	"'=': A, TTL 86400"
is "$(ans 80.2.0.192.in-addr.arpa PTR)" \
	"80.2.0.192.in-addr.arpa. 86400 PTR www.jms1.test." "'=': its PTR"
is "$(ans ftp.jms1.test A)" "ftp.jms1.test. 300 A 192.0.2.81" "'+': A, TTL"
is "$(ans jms1.test MX)" "jms1.test. 86400 MX 0 mail.mx.jms1.test.
jms1.test. 86400 MX 20 mx.backup.test." "'@': x.mx.fqdn, dist"
is "$(q +short mail.mx.jms1.test A)" "192.0.2.25" "'@': the exchanger's A"
is "$(q +short jms1.test TXT)" '"v=spf1 a mx -all"' "''': TXT, octal escape"
is "$(q +short colon.jms1.test TXT)" '"key:value"' "''': \\072 is a colon"
is "$(q +short long.jms1.test TXT)" \
	"\"$(echo "$big" | cut -c1-127)\" \"$(echo "$big" | cut -c128-200)\"" \
	"''': split into strings of 127 bytes"
is "$(ans webmail.jms1.test A)" "webmail.jms1.test. 86400 CNAME www.jms1.test.
www.jms1.test. 86400 A 192.0.2.80" "'C': CNAME, followed"
is "$(ans 1.2.0.192.in-addr.arpa PTR)" \
	"1.2.0.192.in-addr.arpa. 86400 PTR a.ns.jms1.test." "'^': PTR"
is "$(ans sip.jms1.test SRV)" \
	"sip.jms1.test. 86400 SRV 10 1 5060 www.jms1.test." \
	"':': SRV from octal rdata"
is "$(ans v6.jms1.test AAAA)" "v6.jms1.test. 86400 AAAA 2001:db8::1" \
	"':': AAAA from octal rdata"
is "$(ans bob.users.jms1.test A)" "bob.users.jms1.test. 86400 A 192.0.2.99" \
	"wildcard"
is "$(q +short old.jms1.test A)" "" "'-' lines are ignored"
like "$(q nope.jms1.test A)" "status: NXDOMAIN" "a name not in data: NXDOMAIN"
is "$(q +noall +authority nope.jms1.test A | awk '{ print $2, $4 }')" \
	"2560 SOA" "with the SOA, TTL 2560"

# '&': a referral, not an answer.
ref=$(q host.lab.jms1.test A)
like "$ref" "status: NOERROR" "'&': below a delegation: NOERROR"
ok "$(echo "$ref" | grep -q 'flags:.* aa' && echo 1 || echo 0)" \
	"'&': not authoritative"
is "$(q +noall +authority host.lab.jms1.test A | awk '{ print $1, $2, $4, $5 }')" \
	"lab.jms1.test. 259200 NS a.ns.lab.jms1.test." "'&': NS x.ns.fqdn"
is "$(q +noall +additional host.lab.jms1.test A | awk '{ print $1, $5 }')" \
	"a.ns.lab.jms1.test. 192.0.2.53" "'&': glue"

# Many zones in one file.
is "$(q +short www.alfa.test A)" "198.51.100.10" "alfa.test from zones.alfa"
is "$(q +short alfa-shop.test NS)" "ns1.alfa.test." \
	"alfa-shop.test: x with a dot is the server"
is "$(ans alfa.example SOA)" \
	"alfa.example. 3600 SOA ns1.alfa.test. admin.alfa.test. $s 7200 1800 604800 300" \
	"'Z': every field but the serial, which make sets"
is "$(q +short alfa.example A)" "198.51.100.30" "alfa.example from zones.alfa"
is "$(q +short www.bravo.test A)" "198.51.100.40" "bravo.test"
is "$(q +short new.bravo.test A)" "198.51.100.41" "with the line just added"
is "$(q +short ns1.charlie.test A)" "198.51.100.3" "a master file beside them"

# The same records as a master file give the same cdb.
M=$(tmproot)
mkdir -p "$M/zones"
cat >"$M/zones/zones.bravo.test" <<'EOF'
bravo.test. 2560 IN SOA a.ns.bravo.test. hostmaster.bravo.test. 1 16384 2048 1048576 2560
bravo.test. 259200 IN NS a.ns.bravo.test.
a.ns.bravo.test. 259200 IN A 198.51.100.2
www.bravo.test. 86400 IN A 198.51.100.40
EOF
T=$(tmproot)
mkdir -p "$T/zones"
head -2 "$Z/zones.bravo" >"$T/zones/zones.bravo"
rb-zone -d "$M" -s 1 build >/dev/null && rb-zone -d "$T" -s 1 build >/dev/null
ok $? "both build"
ok "$(cmp -s "$M/data/zones.cdb" "$T/data/zones.cdb"; echo $?)" \
	"tinydns lines and the master file they describe: same zones.cdb"

# A bad line: file and line, exit 100, the old data stays served.
before=$(sha256sum <"$R/data/zones.cdb")
echo '+bad.bravo.test:198.51.100.300' >>"$Z/zones.bravo"
err=$(make -s -C "$Z" RB_ZONE="$RB_BIN/rb-zone" 2>&1)
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "a bad line fails the make"
like "$err" "zones/zones\.bravo:4: bad ip: not an IPv4 address" \
	"its message names file and line"
rb-zone -d "$R" build >/dev/null 2>&1
is $? 100 "rb-zone exits 100"
is "$(sha256sum <"$R/data/zones.cdb")" "$before" "zones.cdb is untouched"
is "$(q +short www.bravo.test A)" "198.51.100.40" "and still served"

# What compiled data cannot serve is refused with file and line.
check() { # check LINE: rb-zone check's message and exit status
	printf '.ex.test::a\n%s\n' "$1" >"$R/zones.ex"
	_m=$(rb-zone -d "$R" check "$R/zones.ex" 2>&1)
	echo "$_m exit $?"
}
like "$(check '+w.ex.test:192.0.2.1::4000000038af1379')" \
	"zones\.ex:2: timestamps are not supported.*exit 100" "timestamp"
like "$(check '+w.ex.test:192.0.2.1:::in')" \
	"zones\.ex:2: locations are not supported.*exit 100" "location"
like "$(check '+w.other.test:192.0.2.1')" \
	"zones\.ex:2: w\.other\.test\. A is outside every zone of this file.*exit 100" \
	"a record outside its file's zones"
like "$(check ':w.ex.test:2:\000')" \
	"zones\.ex:2: type NS cannot be given as a ':' line.*exit 100" \
	"':' refuses what tinydns-data refuses"
like "$(check '.sub.ex.test::a')" \
	"zones\.ex:2: zone sub\.ex\.test\. is inside zone ex\.test\..*exit 100" \
	"zones do not nest"
finish
