#!/bin/sh
# Replication end to end: two complete nodes (rb-dnsd, rb-apid, rb-syncd
# each) on loopback.  Changes made on the master reach dig on the slave
# within a second (long poll); 20,000 changes while the slave is down
# end in 410 and a full sync; the slave serves through master outages and
# its own restarts; a wiped master journal (new epoch) forces a full sync;
# a different master certificate and a wrong key are refused; the slave's
# API is read-only; the slave's journal, store and data/ equal the
# master's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

M=$(tmproot)
S=$(tmproot)
MP=$(free_port)
SP=$(free_port)
SYNC=$(free_port 0.0.0.0)
MA=$(free_port)
SA=$(free_port)
KEY=$(openssl rand -hex 32)
APID=0
[ -x "$RB_BIN/rb-apid" ] && APID=1

# The master fetches one feed from a local HTTPS server; the slave cannot
# (no CA for it, no exemption for 127.0.0.1) and never needs to.
FEEDS=0
if perl -MIO::Socket::SSL -e 1 2>/dev/null && mkdir -p "$M/www" "$M/tls" &&
    feed_cert "$M/tls"; then
	FP=$(free_port)
	start_bg perl "$TOP/test/integ/50-feed-https.pl" "$FP" \
	    "$M/tls/srv.pem" "$M/tls/srv.key" "$M/www" 2>>"$M/https.log"
	wait_for 10 test -f "$M/www/ready" && FEEDS=1
fi

cat >"$M/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$MP
    api-port: $MA
    mode: master
    sync-port: $SYNC
    sync-key: "$KEY"
    journal-retention: 1000
EOF
[ $FEEDS = 1 ] && printf '    feed-ca-file: %s\n    feed-allow-address: 127.0.0.1\n' \
    "$M/tls/ca.pem" >>"$M/runbound.conf"
slave_conf() { # slave_conf KEY
	cat >"$S/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$SP
    api-port: $SA
    mode: slave
    sync-master: 127.0.0.1:$SYNC
    sync-key: "$1"
    sync-interval: 5
    audit-log: yes
EOF
}
slave_conf "$KEY"

rb-dns -d "$M" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"

start() { start_ready "$@"; } # start PROG ROOT: pid in $LAST
stop() { # stop PID: TERM, and the exit code in $RC
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	RC=$?
}
ms() { date +%s%3N; }
within() { # within MS CMD...: CMD succeeds within MS milliseconds
	_end=$(($(ms) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(ms)" -ge "$_end" ] && return 1
		sleep 0.02
	done
	return 0
}
sdig() { dig @127.0.0.1 -p "$SP" +time=1 +tries=1 "$@"; }
sa() { [ "$(sdig +short "$1" A)" = "$2" ]; }      # sa NAME ADDR
sst() { sdig "$1" A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
sstatus() { [ "$(sst "$1")" = "$2" ]; }          # sstatus NAME RCODE
status() { rb-sync -d "$S" status; }
field() { status | jq -r ".$1"; }
caught_up() { # caught_up: the slave applied everything the master has
	_m=$(rb-sync -d "$M" status | jq .master_seq)
	[ "$(field applied_seq)" = "$_m" ]
}

# --- configuration a role cannot run with: exit 100 ---------------------------------
B=$(tmproot)
printf 'server:\n    mode: master\n    sync-key: "x"\n' >"$B/runbound.conf"
rb-syncd -d "$B" 2>/dev/null
is $? 100 "a master without sync-port: exit 100"
printf 'server:\n    mode: slave\n    sync-master: 127.0.0.1:1\n' >"$B/runbound.conf"
rb-syncd -d "$B" 2>/dev/null
is $? 100 "a slave without sync-key: exit 100"
printf 'server:\n    mode: master\n    sync-port: 1\n    sync-key: "x"\n    sync-interface: eth0\n' >"$B/runbound.conf"
rb-syncd -d "$B" 2>/dev/null
is $? 100 "a sync-interface that is not an address: exit 100"

start rb-dnsd "$M"; MDNS=$LAST
start rb-syncd "$M"; MSYNCD=$LAST
start rb-dnsd "$S"; SDNS=$LAST
start rb-syncd "$S"; SSYNCD=$LAST
if [ $APID = 1 ]; then
	start rb-apid "$M"; MAPI=$LAST
	start rb-apid "$S"
fi

# --- first contact: certificate, TOFU, full sync -----------------------------
FPR=$(openssl x509 -fingerprint -sha256 -noout -in "$M/sync/sync-cert.pem" |
	sed 's/.*=//')
is "$(ss -Hltn "sport = :$SYNC" | awk '{print $4}')" "127.0.0.1:$SYNC" \
	"the sync port listens where interface: does (loopback here), not on every address"
like "$(cat "$M/rb-syncd.log")" "Sync HTTPS server starting  port=$SYNC  sha256=$FPR" \
	"master logs its fingerprint as Runbound does"
is "$(stat -c %a "$M/sync/sync-key.pem")" 600 "sync-key.pem is 0600"
like "$(openssl x509 -noout -dates -in "$M/sync/sync-cert.pem" | tail -1)" \
	"notAfter=.* $(($(date +%Y) + 10)) GMT" "certificate valid ten years"
wait_for 10 sh -c "rb-sync -d '$S' status | jq -e .synced" >/dev/null
ok $? "slave took a full snapshot"
is "$(cat "$S/sync/sync-master.fingerprint" 2>/dev/null)" "$FPR" \
	"slave pinned the master's fingerprint (TOFU)"
is "$(stat -c %a "$S/sync/sync-master.fingerprint")" 640 "pin file is 0640"
like "$(cat "$S/rb-syncd.log")" "warning: TOFU: first connection to master" \
	"TOFU logged as a warning"
is "$(sdig +short nas.home. A)" 192.168.1.10 "dig on the slave: snapshot data"
is "$(cat "$S/journal/epoch")" "$(cat "$M/journal/epoch")" \
	"slave adopted the master's epoch"
is "$(cat "$S"/audit/spool/*.json 2>/dev/null | jq -sr '[.[] | select(.event == "sync_full")][0].fields | [.seq > 0, .dns] | @csv')" \
	"true,1" "the full sync is spooled for the audit log as sync_full"

# --- changes reach the slave within a second -----------------------------------
if [ $APID = 1 ]; then
	AK=$(cat "$M/api.key")
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $AK" \
	    -H 'Content-Type: application/json' \
	    -d '{"name":"api.home.","type":"A","value":"10.0.0.7","ttl":60}' \
	    "http://127.0.0.1:$MA/dns"
else
	rb-dns -d "$M" add api.home. A 10.0.0.7 60 >/dev/null
fi
within 1000 sa api.home. 10.0.0.7
ok $? "add on the master: dig on the slave sees it within 1 s"
id=$(rb-dns -d "$M" list | jq -r '.entries[] | select(.name=="api.home.") | .id')
rb-dns -d "$M" del "$id" >/dev/null
within 1000 sa api.home. ""
ok $? "delete: gone from the slave within 1 s"
rb-dns -d "$M" add ok.ads.example.com. A 10.1.2.3 >/dev/null
rb-block -d "$M" add ads.example.com nxdomain >/dev/null
within 1000 sstatus x.ads.example.com NXDOMAIN
ok $? "blacklist: NXDOMAIN on the slave within 1 s"
is "$(sst ok.ads.example.com)" NXDOMAIN "and below it"
rb-allow -d "$M" add ok.ads.example.com >/dev/null
within 1000 sa ok.ads.example.com 10.1.2.3
ok $? "allowlist: the slave answers the allowed name within 1 s"

if [ $FEEDS = 1 ]; then
	printf '0.0.0.0 feed1.example\n0.0.0.0 feed2.example\n' >"$M/www/hosts"
	fid=$(rb-feed -d "$M" add f1 "https://127.0.0.1:$FP/hosts" hosts refuse |
	    jq -r .feed.id)
	rb-feed -d "$M" update "$fid" >/dev/null
	within 2000 cmp -s "$M/feeds/$fid.set" "$S/feeds/$fid.set"
	ok $? "feed: the slave has the master's set, byte for byte"
	within 2000 sh -c "rb-feed -d '$S' list |
	    jq -e '[.total, .feeds[0].entry_count] == [1,2]'"
	ok $? "feed: the subscription and its status replicated"
	if dnsd_has_feeds "$RB_BIN/rb-dnsd" "$TOP/doc/rb-dnsd.md"; then
		is "$(sst feed1.example)" REFUSED "feed: blocked on the slave"
	else
		echo "ok $((_tap_n + 1)) # skip rb-dnsd has no feed lookup yet"
		_tap_n=$((_tap_n + 1))
	fi
	rm -f "$S/feeds/$fid.set"
	rb-sync -d "$S" resync >/dev/null
	within 3000 cmp -s "$M/feeds/$fid.set" "$S/feeds/$fid.set"
	ok $? "feed: a full snapshot brings the set too"
	rb-feed -d "$M" add f2 "https://127.0.0.1:$FP/other" hosts >/dev/null
	fid2=$(rb-feed -d "$M" list | jq -r '.feeds[] | select(.name=="f2") | .id')
	rb-feed -d "$M" del "$fid" >/dev/null
	within 1000 sh -c "! test -e '$S/feeds/$fid.set'"
	ok $? "feed delete: its set leaves the slave"
	[ -n "$fid2" ]
	ok $? "second feed subscribed (kept for the snapshot)"
else
	for _ in 1 2 3 4 5 6; do
		echo "ok $((_tap_n + 1)) # skip no HTTPS feed server (IO::Socket::SSL)"
		_tap_n=$((_tap_n + 1))
	done
fi

within 2000 caught_up
ok $? "slave caught up"
n=$(cat "$S"/journal/*.jnl | wc -l)
[ "$n" -ge 2 ] && [ "$(cat "$S"/journal/*.jnl)" = "$(cat "$M"/journal/*.jnl | tail -n "$n")" ]
ok $? "slave journal equals the master's, event for event ($n events)"
lists() { # lists ROOT: every collection as the commands list it
	rb-dns -d "$1" list && rb-block -d "$1" list && rb-allow -d "$1" list &&
	    rb-feed -d "$1" list
}
is "$(lists "$S" | md5sum)" "$(lists "$M" | md5sum)" \
	"the slave lists what the master does, entry for entry"
is "$(cdb_view "$S/data" local; cdb_view "$S/data" block)" \
	"$(cdb_view "$M/data" local; cdb_view "$M/data" block)" \
	"and answers from the same data (bases and deltas as rb-dnsd reads them)"
# Each wrote its own checkpoints and deltas as its transactions came;
# folded in (rb-data), the same store gives the same bytes.
rb-data -d "$M" >/dev/null && rb-data -d "$S" >/dev/null
ok $? "rb-data on both"
same=0
for f in store/dns.cdb store/blacklist.cdb store/allowlist.cdb \
    store/feeds.cdb store/applied data/local.cdb data/block.cdb; do
	cmp -s "$M/$f" "$S/$f" || { echo "# differs: $f"; same=1; }
done
ok $same "then store and data/ files equal, byte for byte"

st=$(status)
is "$(echo "$st" | jq -r '[.role, .master, (.lag_events|tostring),
    (.lag_seconds|tostring), (.last_error|tostring)] | join(" ")')" \
    "slave 127.0.0.1:$SYNC 0 0 null" "rb-sync status: role, master, lag, no error"
ok "$(echo "$st" | jq -e '(.master_seq == .applied_seq) and (.epoch|length == 36)
    and (.last_contact > 0)' >/dev/null; echo $?)" "rb-sync status: seqs, epoch, contact"
is "$(rb-sync -d "$M" status | jq -r .role)" master "rb-sync status on the master"

# --- read-only slave API --------------------------------------------------------
if [ $APID = 1 ]; then
	SK=$(cat "$S/api.key")
	out=$(curl -s -w ' %{http_code}' -X POST -H "Authorization: Bearer $SK" \
	    -H 'Content-Type: application/json' \
	    -d '{"name":"w.home.","type":"A","value":"10.0.0.9"}' \
	    "http://127.0.0.1:$SA/dns")
	like "$out" '"error":"READ_ONLY".* 503$' "a write on the slave: 503 READ_ONLY"
	is "$(curl -s -H "Authorization: Bearer $SK" "http://127.0.0.1:$SA/dns" |
	    jq .total)" "$(rb-dns -d "$M" list | jq .total)" "reads on the slave work"
else
	echo "ok $((_tap_n + 1)) # skip no rb-apid"
	echo "ok $((_tap_n + 2)) # skip no rb-apid"
	_tap_n=$((_tap_n + 2))
fi

# --- the endpoints themselves ----------------------------------------------------
U=https://127.0.0.1:$SYNC
out=$(curl -sk -w ' %{http_code}' -H "Authorization: Bearer wrong" "$U/sync/config")
is "$out" '{"error":"UNAUTHORIZED"} 401' "wrong key: 401, and no data"
like "$(cat "$M/rb-syncd.log")" "warning: bad sync key from 127.0.0.1 path=/sync/config" \
	"and logged"
grep -q "$KEY" "$M/rb-syncd.log" "$S/rb-syncd.log"
is $? 1 "the key is never logged"
is "$(curl -sk -o /dev/null -w '%{http_code}' "$U/sync/state")" 401 "no key: 401"
auth() { curl -sk -H "Authorization: Bearer $KEY" "$@"; }
is "$(auth "$U/sync/state" | jq -r '.epoch')" "$(cat "$M/journal/epoch")" \
	"/sync/state: epoch"
is "$(auth -w ' %{http_code}' "$U/sync/delta?since=1&epoch=6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11" |
    sed 's/,"details":"[^"]*"//')" '{"error":"TOO_FAR_BEHIND"} 410' \
	"delta of another epoch: 410 TOO_FAR_BEHIND"
is "$(auth -o /dev/null -w '%{http_code}' "$U/sync/delta?since=x")" 400 "bad since: 400"
is "$(auth -o /dev/null -w '%{http_code}' "$U/sync/nope")" 404 "unknown path: 404"
is "$(auth -o /dev/null -w '%{http_code}' -X POST "$U/sync/state")" 405 "POST: 405"
seq=$(auth "$U/sync/state" | jq .seq)
t0=$(ms)
auth "$U/sync/delta?since=$seq&wait=1" >/dev/null
t1=$(ms)
ok "$([ $((t1 - t0)) -ge 900 ] && [ $((t1 - t0)) -lt 3000 ]; echo $?)" \
	"long poll with nothing new waits wait=1 s ($((t1 - t0)) ms)"
codes=""
for _ in 1 2 3 4 5 6 7 8 9 10 11; do
	codes="$codes $(curl -sk -o /dev/null -w '%{http_code}' "$U/sync/cert")"
done
like "$codes" "429$" "/sync/cert: rate-limited (10 per 60 s per source)"

# --- a kill between applying a delta and saving sync/state -------------------
# (as if sync/state's last save was lost: it says less than the journal
# holds): the restart resumes with a delta, not a full snapshot.
stop "$SSYNCD"
full0=$(field full_syncs)
jq -c '.applied_seq -= 1' "$S/sync/state" >"$S/state.older" &&
    mv "$S/state.older" "$S/sync/state"
start rb-syncd "$S"; SSYNCD=$LAST
rb-dns -d "$M" add resume.home. A 10.0.9.9 >/dev/null
within 5000 sa resume.home. 10.0.9.9
ok $? "after a lost sync/state save the slave resumes"
is "$(field full_syncs)" "$full0" "with a delta, not a full snapshot"

# --- 20,000 changes while the slave is down: 410, full sync ---------------------
stop "$SSYNCD"
is "$RC" 0 "slave rb-syncd: SIGTERM during a long poll exits 0"
perl -e 'print "{\"domain\":\"b$_.bulk.example\",\"action\":\"nxdomain\"}\n"
    for 1..19000' >"$M/bulk1"
perl -e 'print "{\"domain\":\"c$_.bulk.example\",\"action\":\"nxdomain\"}\n"
    for 1..1000' >"$M/bulk2"
# (An import that large waits in the journal for the compaction it
# starts; once that is done, the next writes prune the journal to its
# retention.)
perl -e 'print "{\"domain\":\"p$_.prune.example\"}\n" for 1..100' >"$M/bulk3"
rb-block -d "$M" import "$M/bulk1" >/dev/null && rb-block -d "$M" import "$M/bulk2" >/dev/null &&
    rb-data -d "$M" -c -f && rb-allow -d "$M" import "$M/bulk3" >/dev/null
ok $? "20,000 blacklist changes on the master"
full0=$(field full_syncs)
start rb-syncd "$S"; SSYNCD=$LAST
within 20000 caught_up
ok $? "slave caught up after its restart"
like "$(cat "$S/rb-syncd.log")" "410 Gone" "it was told 410 Gone"
is "$(field full_syncs)" $((full0 + 1)) "and took a full snapshot"
is "$(rb-block -d "$S" list | md5sum)" "$(rb-block -d "$M" list | md5sum)" \
	"the slave lists the master's blacklist"
is "$(cdb_view "$S/data" block)" "$(cdb_view "$M/data" block)" \
	"and answers from the same block data"
is "$(sst c1000.bulk.example)" NXDOMAIN "dig: the last bulk change is served"

# --- master down: the slave serves everything, across its own restart -----------
stop "$MSYNCD"
is "$RC" 0 "master rb-syncd: SIGTERM exits 0"
stop "$MDNS"
[ $APID = 1 ] && stop "$MAPI"
is "$(sdig +short nas.home. A)" 192.168.1.10 "master down: slave answers local data"
is "$(sst c5.bulk.example)" NXDOMAIN "and blocks"
stop "$SSYNCD"
stop "$SDNS"
start rb-dnsd "$S"; SDNS=$LAST
is "$(sdig +short nas.home. A)" 192.168.1.10 "slave restarted: answers before reaching the master"
start rb-syncd "$S"; SSYNCD=$LAST
# start_ready bails unless the daemon wrote its readiness line: check that
# it is still up once ready, and that the master really is down.
[ -s "$S/rb-syncd.ready" ] && kill -0 "$SSYNCD" 2>/dev/null &&
    ! curl -sk --max-time 2 -o /dev/null "https://127.0.0.1:$SYNC/sync/state"
ok $? "slave rb-syncd ready with the master down"
within 5000 sh -c "rb-sync -d '$S' status | jq -e '.last_error != null'"
ok $? "rb-sync status reports the master unreachable"
is "$(sst c6.bulk.example)" NXDOMAIN "still serving"

# --- master journal wiped: new epoch, full sync ------------------------------------
start rb-dnsd "$M"; MDNS=$LAST
start rb-syncd "$M"; MSYNCD=$LAST
kill -HUP "$SSYNCD" # skip the backoff the outage built up
within 10000 sh -c "rb-sync -d '$S' status | jq -e '.last_error == null'"
ok $? "slave back in touch with the master"
old=$(cat "$M/journal/epoch")
full0=$(field full_syncs)
rm -rf "$M/journal"
rb-dns -d "$M" add wiped.home. A 10.0.0.8 >/dev/null
within 5000 sa wiped.home. 10.0.0.8
ok $? "after the wipe the slave sees the next write"
new=$(cat "$M/journal/epoch")
ok "$([ "$new" != "$old" ]; echo $?)" "the master journal has a new epoch"
is "$(cat "$S/journal/epoch")" "$new" "the slave follows the new epoch"
# data/ and the journal are in place just before sync/state says so
within 2000 sh -c "[ \$(rb-sync -d '$S' status | jq .full_syncs) -gt $full0 ]"
ok $? "through a full sync, not a stale delta"

# --- a different certificate is refused until the pin is deleted ------------------
stop "$MSYNCD"
rm -f "$M/sync/sync-cert.pem" "$M/sync/sync-key.pem"
start rb-syncd "$M"; MSYNCD=$LAST
kill -HUP "$SSYNCD"
within 5000 grep -q "CRITICAL: master 127.0.0.1:$SYNC presented" "$S/rb-syncd.log"
ok $? "new master certificate: refused, logged as critical"
rb-dns -d "$M" add mitm.home. A 10.6.6.6 >/dev/null
sleep 1
is "$(sdig +short mitm.home. A)" "" "nothing is taken from it"
like "$(field last_error)" "not the pinned" "rb-sync status says why"
rm "$S/sync/sync-master.fingerprint"
within 5000 sa mitm.home. 10.6.6.6
ok $? "pin deleted: TOFU again, and the slave catches up"
is "$(cat "$S/sync/sync-master.fingerprint")" \
	"$(openssl x509 -fingerprint -sha256 -noout -in "$M/sync/sync-cert.pem" | sed 's/.*=//')" \
	"the new fingerprint is pinned"

# --- sync-key rotation (HA guide): master first, then the slave -------------------
KEY2=$(openssl rand -hex 32)
sed -i "s/$KEY/$KEY2/" "$M/runbound.conf"
kill -HUP "$MSYNCD"
rb-dns -d "$M" add rot.home. A 10.0.0.11 >/dev/null
within 8000 sh -c "rb-sync -d '$S' status | jq -e '.last_error | test(\"401\")'"
ok $? "old key on the slave: 401, reported"
is "$(sdig +short rot.home. A)" "" "and no data"
slave_conf "$KEY2"
kill -HUP "$SSYNCD"
within 5000 sa rot.home. 10.0.0.11
ok $? "new key on the slave: replication resumes"

# --- rb-sync resync -----------------------------------------------------------------
full0=$(field full_syncs)
rb-sync -d "$S" resync >/dev/null
within 5000 sh -c "[ \$(rb-sync -d '$S' status | jq .full_syncs) -gt $full0 ]"
ok $? "rb-sync resync: a full snapshot at once"
ok "$([ ! -e "$S/sync/resync" ]; echo $?)" "and the request is cleared"
rb-sync -d "$M" resync >/dev/null 2>&1
is $? 100 "resync on a master: exit 100"

stop "$SSYNCD"
is "$RC" 0 "slave exits 0"
if [ "$_tap_fail" -gt 0 ]; then
	for f in "$M/rb-syncd.log" "$S/rb-syncd.log"; do
		diag "--- $f"
		tail -25 "$f" | sed 's/^/# /'
	done
fi
finish
