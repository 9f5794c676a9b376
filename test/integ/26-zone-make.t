#!/bin/sh
# zones/Makefile: make compiles changed sources into data/zones.cdb with
# one serial for every zone (the make-data rule), does nothing when
# nothing changed, and make check writes nothing; rb-dnsd serves the
# result without a restart.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
mkdir -p "$R/zones"
cp "$TOP/zones/Makefile" "$R/zones/"
cat >"$R/zones/zones.one.test" <<'EOF'
$TTL 300
@	IN SOA ns1.one.test. admin.one.test. 7 3600 600 86400 60
@	IN NS ns1.one.test.
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
EOF
cat >"$R/zones/zones.two.test" <<'EOF'
$TTL 300
@	IN SOA ns1.two.test. admin.two.test. 2024010101 3600 600 86400 60
@	IN NS ns1.two.test.
ns1	IN A 192.0.2.2
EOF
printf 'server:\n    interface: 127.0.0.1@%s\n' "$P" >"$R/runbound.conf"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
serial() { dig @127.0.0.1 -p "$P" +short "$1" SOA | awk '{print $3}'; }

make -s -C "$R/zones" check RB_ZONE="$RB_BIN/rb-zone" >/dev/null
ok $? "make check validates the sources"
ok "$([ ! -e "$R/data/zones.cdb" ] && echo 0 || echo 1)" "and writes nothing"
t0=$(date +%s)
make -s -C "$R/zones" RB_ZONE="$RB_BIN/rb-zone" >/dev/null
ok $? "make builds data/zones.cdb"
t1=$(date +%s)
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.10"
ok $? "rb-dnsd serves it without a restart"
s1=$(serial one.test)
s2=$(serial two.test)
is "$s1" "$s2" "both zones have the same serial"
is "$(dig @127.0.0.1 -p "$P" nope.one.test | awk '$4 == "SOA" {print $7}')" "$s1" \
	"negative answers carry the same serial"
ok "$([ "$s1" -ge "$t0" ] && [ "$s1" -le "$t1" ] && echo 0 || echo 1)" "the serial is the time of the build"
before=$(sha256sum <"$R/data/zones.cdb")
out=$(make -C "$R/zones" RB_ZONE="$RB_BIN/rb-zone" 2>&1)
like "$out" "up to date|Nothing to be done" "nothing changed: nothing rebuilt"
is "$(sha256sum <"$R/data/zones.cdb")" "$before" "and the cdb is untouched"
echo 'bad	IN A 300.1.1.1' >>"$R/zones/zones.two.test"
err=$(make -s -C "$R/zones" RB_ZONE="$RB_BIN/rb-zone" 2>&1)
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "a broken source fails the make"
like "$err" "zones\.two\.test:5" "with its file and line"
is "$(sha256sum <"$R/data/zones.cdb")" "$before" "and the served cdb stays as it was"
rb-zone -d "$R" -s nope check >/dev/null 2>&1
is $? 100 "rb-zone -s takes a number"
finish
