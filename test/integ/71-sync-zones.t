#!/bin/sh
# Zones replication: builds and rollbacks made on the master reach the
# slave through rb-syncd, with the same bytes and serials (data/zones.cdb,
# store/zones.d and store/zones.json equal the master's), whether by full
# sync or by delta, and the slave's rb-dnsd serves them.
. "$(dirname "$0")/../lib.sh"

M=$(tmproot)
S=$(tmproot)
MP=$(free_port)
SP=$(free_port)
SYNC=$(free_port 0.0.0.0)
KEY=$(openssl rand -hex 32)
cat >"$M/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$MP
    mode: master
    sync-port: $SYNC
    sync-key: "$KEY"
    journal-retention: 30000
EOF
cat >"$S/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$SP
    mode: slave
    sync-master: 127.0.0.1:$SYNC
    sync-key: "$KEY"
    sync-interval: 5
EOF
mkdir -p "$M/zones"
zone() { # zone ADDRESS
	cat >"$M/zones/zones.one.test" <<EOF
\$TTL 300
@	IN SOA ns1.one.test. admin.one.test. 1 3600 600 86400 60
@	IN NS ns1.one.test.
ns1	IN A 192.0.2.1
www	IN A $1
EOF
}
build() { rb-zone -d "$M" -s "$1" build | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/'; }
start() { start_ready "$@"; } # start PROG ROOT: pid in $LAST
same() { # same: the slave's zones equal the master's, file for file
	cmp -s "$M/data/zones.cdb" "$S/data/zones.cdb" &&
	    cmp -s "$M/store/zones.json" "$S/store/zones.json" &&
	    [ "$(ls "$M/store/zones.d")" = "$(ls "$S/store/zones.d")" ]
}
swww() { dig @127.0.0.1 -p "$SP" +short www.one.test; }

# Three builds before the slave exists: it gets them by full sync.
zone 192.0.2.10; V1=$(build 1)
zone 192.0.2.20; V2=$(build 2)
zone 192.0.2.30; V3=$(build 3)
start rb-syncd "$M"; MSYNC=$LAST
start rb-dnsd "$S"; SDNS=$LAST
start rb-syncd "$S"; SSYNC=$LAST
wait_for 15 same
ok $? "a full sync brings the master's zones builds, byte for byte"
is "$(ls "$S/store/zones.d" | wc -l)" 3 "all three kept builds"
wait_for 5 sh -c "dig @127.0.0.1 -p $SP +short www.one.test | grep -q 192.0.2.30"
ok $? "the slave's rb-dnsd serves the newest"
is "$(dig @127.0.0.1 -p "$SP" +short one.test SOA | awk '{print $3}')" 3 \
	"with the master's serial"

zone 192.0.2.40; V4=$(build 4)
wait_for 10 same
ok $? "a new build reaches the slave by delta"
wait_for 5 sh -c "dig @127.0.0.1 -p $SP +short www.one.test | grep -q 192.0.2.40"
ok $? "and is served there"
like "$(cat "$S"/journal/*.jnl)" '"event":"zones_update","fields":\{"id":"'"$V4"'"' \
	"the slave's journal holds the master's event"

rb-zone -d "$M" -s 10 rollback "$V2" >/dev/null
ok $? "a rollback on the master"
wait_for 10 same
ok $? "reaches the slave"
wait_for 5 sh -c "dig @127.0.0.1 -p $SP +short www.one.test | grep -q 192.0.2.20"
ok $? "which serves the restored records"
is "$(dig @127.0.0.1 -p "$SP" +short one.test SOA | awk '{print $3}')" 10 \
	"under the rollback's serial"

# Twelve builds while the slave's rb-syncd is down: the kept ten, as on
# the master.
stop_pid $SSYNC
i=0
while [ $i -lt 12 ]; do
	i=$((i + 1))
	zone "192.0.2.$((100 + i))"
	build $((100 + i)) >/dev/null
done
start rb-syncd "$S"; SSYNC=$LAST
wait_for 15 same
ok $? "twelve builds made while the slave was away arrive"
is "$(ls "$S/store/zones.d" | wc -l)" "$(ls "$M/store/zones.d" | wc -l)" \
	"the slave keeps what the master keeps"
wait_for 5 sh -c "dig @127.0.0.1 -p $SP +short www.one.test | grep -q 192.0.2.112"
ok $? "and serves the newest"
curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
	"https://127.0.0.1:$SYNC/sync/zones/$V1" >"$M/code"
is "$(cat "$M/code")" 404 "a build no longer kept is 404 on the master"
curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
	"https://127.0.0.1:$SYNC/sync/zones/nothex" >"$M/code"
is "$(cat "$M/code")" 400 "a bad id is 400"
curl -sk -o /dev/null -w '%{http_code}' \
	"https://127.0.0.1:$SYNC/sync/zones/$V4" >"$M/code"
is "$(cat "$M/code")" 401 "and the endpoint wants the sync key"
# A delta page (10,000 events) that ends on a build the master no longer
# keeps: the slave cannot serve that build, so it takes a full sync
# rather than journal an event whose bytes it lacks.
stop_pid $SSYNC
zone 192.0.2.50; build 50 >/dev/null
perl -e 'print "{\"domain\":\"d$_.page.example\"}\n" for 1..9999' >"$M/page.list"
rb-block -d "$M" import "$M/page.list" >/dev/null || bail "rb-block import"
i=0
while [ $i -lt 11 ]; do
	i=$((i + 1))
	zone "192.0.2.$((150 + i))"
	build $((150 + i)) >/dev/null
done
start rb-syncd "$S"; SSYNC=$LAST
wait_for 30 same
ok $? "a page ending on a pruned build: the slave catches up all the same"
like "$(cat "$S/rb-syncd.log")" "no longer kept by the master: full sync" \
	"by a full sync, saying why"
wait_for 5 sh -c "dig @127.0.0.1 -p $SP +short www.one.test | grep -q 192.0.2.161"
ok $? "and serves the newest build"
stop_pid $SSYNC
stop_pid $SDNS
stop_pid $MSYNC
finish
