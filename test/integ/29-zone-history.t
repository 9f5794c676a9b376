#!/bin/sh
# Zones builds are store writes: each changed build is journaled
# (zones_update), kept in store/zones.d (the newest 10), and copied to
# data/zones.cdb, which rb-dnsd serves; an unchanged build writes
# nothing; rollback serves a kept build again under a new serial; a slave
# refuses builds; a build killed at any instant leaves the history whole.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
mkdir -p "$R/zones"
zone() { # zone ADDRESS: the source of one.test with www at ADDRESS
	cat >"$R/zones/zones.one.test" <<EOF
\$TTL 300
@	IN SOA ns1.one.test. admin.one.test. 1 3600 600 86400 60
@	IN NS ns1.one.test.
ns1	IN A 192.0.2.1
www	IN A $1
EOF
}
printf 'server:\n    interface: 127.0.0.1@%s\n' "$P" >"$R/runbound.conf"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
www() { dig @127.0.0.1 -p "$P" +short www.one.test; }
serial() { dig @127.0.0.1 -p "$P" +short one.test SOA | awk '{print $3}'; }
kept() { python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(open(sys.argv[1]))["entries"]))' "$R/store/zones.json"; }
njournal() { ls "$R/journal" | grep -c '\.jnl$'; }

zone 192.0.2.10
out=$(rb-zone -d "$R" -s 101 build)
ok $? "the first build"
like "$out" '"written":true,"id":"[0-9a-f]{64}"' "reports the build id"
V1=$(printf '%s' "$out" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.10"
ok $? "rb-dnsd serves it"
is "$(kept)" "$V1" "store/zones.json keeps it"
ok "$(cmp -s "$R/data/zones.cdb" "$R/store/zones.d/$V1.cdb"; echo $?)" \
	"data/zones.cdb is the kept file, byte for byte"
like "$(cat "$R"/journal/*.jnl)" '"event":"zones_update","fields":\{"id":"'"$V1"'"' \
	"the journal holds zones_update with the id"
like "$(cat "$R"/journal/*.jnl)" '"zones":\{"one.test.":101\}' "and the serial of each zone"

zone 192.0.2.20
V2=$(rb-zone -d "$R" -s 102 build | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.20"
ok $? "a second build is served"
is "$(kept)" "$V1 $V2" "both builds are kept, oldest first"
n=$(njournal)
out=$(rb-zone -d "$R" -s 102 build)
like "$out" '"written":false,"id":"'"$V2"'"' "the same build again writes nothing"
is "$(njournal)" "$n" "and journals nothing"

out=$(rb-zone -d "$R" versions)
like "$out" '^\{"versions":\[\{"id":"'"$V1"'".*"id":"'"$V2"'"' "rb-zone versions lists them"

out=$(rb-zone -d "$R" rollback)
ok $? "rollback to the build before the newest"
like "$out" '"rollback_of":"'"$V1"'"' "names the build it restores"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.10"
ok $? "rb-dnsd serves the old records again"
s=$(serial)
ok "$([ "$s" -gt 102 ] && echo 0 || echo 1)" "under a serial above the newest ($s > 102), so secondaries follow"
like "$(cat "$R"/journal/*.jnl)" '"rollback_of":"'"$V1"'"' "the rollback is journaled"
out=$(rb-zone -d "$R" -s 500 rollback "$(printf %.10s "$V2")")
ok $? "rollback to an id prefix with -s"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.20"
ok $? "serves that build"
is "$(serial)" 500 "with the serial given"
set -- $(kept)
eval newest=\${$#}
out=$(rb-zone -d "$R" -s 500 rollback "$newest")
like "$out" '"id":"'"$newest"'".*"written":false' \
	"a rollback to the same bytes writes nothing and names the newest build"
before=$(kept)
rb-zone -d "$R" rollback 0123456789 >/dev/null 2>&1
is $? 100 "an unknown id is refused"
rb-zone -d "$R" rollback 0123 >/dev/null 2>&1
is $? 100 "so is a prefix shorter than 8"
is "$(kept)" "$before" "and nothing changed"

# Only the newest 10 builds are kept, each with its file.
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	rb-zone -d "$R" -s $((200 + i)) build >/dev/null || bail "build $i"
done
set -- $(kept)
is $# 10 "ten builds are kept"
is "$(ls "$R/store/zones.d" | wc -l)" 10 "with ten files, the others removed"
last=$(eval echo "\${10}")
ok "$(cmp -s "$R/data/zones.cdb" "$R/store/zones.d/$last.cdb"; echo $?)" \
	"data/zones.cdb is the newest"
is "$(serial)" 211 "and rb-dnsd serves it"

# kill -9 at any instant: the history stays whole.
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	zone "192.0.2.$((100 + i))"
	rb-zone -d "$R" -s $((300 + i)) build >/dev/null 2>&1 &
	k=$!
	sleep "0.0$(awk -v s=$i 'BEGIN { srand(s); printf "%02d", int(rand() * 30) }')"
	kill -9 $k 2>/dev/null
	wait $k 2>/dev/null
done
zone 192.0.2.99
rb-zone -d "$R" -s 400 build >/dev/null
ok $? "a build after 30 killed ones succeeds"
bad=0
for id in $(kept); do
	[ "$(sha256sum <"$R/store/zones.d/$id.cdb" | cut -c1-64)" = "$id" ] || bad=$((bad + 1))
done
is "$bad" 0 "every kept build has its file, with the bytes its id names"
is "$(ls "$R/store/zones.d" | wc -l)" "$(kept | wc -w)" "and no other file is left"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +short www.one.test | grep -q 192.0.2.99"
ok $? "rb-dnsd serves the last build"
seqs=$(cat "$R"/journal/*.jnl | sed 's/^{"seq":\([0-9]*\),.*/\1/' | tr '\n' ' ')
gap=$(printf '%s\n' $seqs | awk 'NR > 1 && $1 != p + 1 { g++ } { p = $1 } END { print g + 0 }')
is "$gap" 0 "the journal has no gap"

# A slave takes zones from its master only.
printf 'server:\n    mode: slave\n    sync-master: 127.0.0.1:1\n    sync-key: "%s"\n' \
	"$(openssl rand -hex 32)" >>"$R/runbound.conf"
before=$(kept)
zone 192.0.2.77
err=$(rb-zone -d "$R" -s 999 build 2>&1 >/dev/null)
is $? 100 "a build on a slave is refused"
like "$err" "slave" "as read-only"
is "$(kept)" "$before" "and changes nothing"
stop_pid $DNSD
finish
