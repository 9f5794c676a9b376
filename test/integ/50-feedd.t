#!/bin/sh
# rb-feedd against the local HTTPS test server: readiness, a new feed
# fetched at once without being asked, the refresh every feed-interval
# with a conditional GET, `rb-feed update` and a second rb-feedd at the
# same time, SIGHUP with a broken config, delete while running, the files
# a killed delete left, SIGTERM in the middle of a download, and a slave that fetches nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

feed_setup "feed-interval: 2"
printf '0.0.0.0 a.example\n0.0.0.0 b.example\n' >"$W/one"
printf '0.0.0.0 c.example\n' >"$W/two"

start_feedd() { # start_feedd NAME: rb-feedd on $R, pid in $PID_NAME
	rm -f "$R/$1.ready"
	start_bg rb-feedd -d "$R" -r 3 3>"$R/$1.ready" 2>>"$R/$1.log"
	eval "PID_$1=\$!"
	wait_for 5 test -s "$R/$1.ready"
}
requests() { # requests PATH: how many GET /PATH the server saw
	_n=$(grep -c "^GET /$1 " "$W/requests.log" 2>/dev/null)
	echo "${_n:-0}"
}
has_checked() { [ "$(feed_field "$1" last_checked)" != null ]; }

start_feedd d1
ok $? "rb-feedd announces readiness"
is "$(od -An -c "$R/d1.ready" | tr -d ' ')" '\n' "readiness is one newline"

ID1=$(rb-feed -d "$R" add one "$FURL/one" | jq -r .feed.id)
wait_for 5 has_checked one
ok $? "a new feed is fetched at once, unasked"
is "$(feed_field one entry_count)" 2 "with its entries"
test -f "$R/feeds/$ID1.set"; ok $? "and its set file"

wait_for 6 sh -c "grep -q '^GET /one inm=\"' '$W/requests.log'"
ok $? "refreshed after feed-interval with a conditional GET"
is "$(feed_field one last_error)" null "304: no error"

rb-feed -d "$R" update >/dev/null
ok $? "rb-feed update while rb-feedd runs"

start_feedd d2
ok $? "a second rb-feedd on the same root"
ID2=$(rb-feed -d "$R" add two "$FURL/two" | jq -r .feed.id)
wait_for 5 has_checked two
ok $? "the new feed is fetched"
sleep 3 # both daemons refresh both feeds meanwhile
stop_pid "$PID_d2"
is "$(cat "$R"/journal/*.jnl | jq -s '[.[].seq] == [range(1; length + 1)]')" true \
	"two daemons and rb-feed: journal seqs gapless"
is "$(set_count "$R/feeds/$ID2.set")" 1 "set of the second feed whole"
like "$(cat "$R/d1.log" "$R/d2.log")" "status=(updated|unchanged)" \
	"results logged as key=value"
grep -q "status=error" "$R/d1.log" "$R/d2.log"
is $? 1 "no fetch failed"

cp "$R/runbound.conf" "$R/conf.good"
echo "    feed-interval: 0" >>"$R/runbound.conf"
kill -HUP "$PID_d1"
wait_for 5 grep -q "keeping the previous configuration" "$R/d1.log"
ok $? "SIGHUP with a broken config keeps the old one"
kill -0 "$PID_d1"; ok $? "and rb-feedd keeps running"
cp "$R/conf.good" "$R/runbound.conf"

rb-feed -d "$R" del "$ID2" >/dev/null
ok $? "delete a feed while rb-feedd runs"
n=$(requests two)
sleep 3
is "$(requests two)" "$n" "a deleted feed is not fetched again"
test ! -e "$R/feeds/$ID2.set"; ok $? "its set is gone"
# What a delete killed between its commit and its unlink leaves: the set
# and lock of a feed no longer subscribed.  The next resync removes them.
ORPH=11111111-2222-4333-8444-555555555555
cp "$R/feeds/$ID1.set" "$R/feeds/$ORPH.set"
: >"$R/feeds/$ORPH.lock"
wait_for 6 sh -c "test ! -e '$R/feeds/$ORPH.set' && test ! -e '$R/feeds/$ORPH.lock'"
ok $? "a deleted feed's leftover set and lock go at the next resync"
# A sweep may run between the two files' creation: count over every line.
is "$(sed -n 's/.*removed \([0-9]*\) files of deleted feeds.*/\1/p' "$R/d1.log" |
	awk '{n += $1} END {print n + 0}')" 2 "... and say so"
test -e "$R/feeds/$ID1.set"; ok $? "a subscribed feed's set stays"

# SIGTERM during a download: an endless body under a 2 GiB cap.
echo "    feed-max-bytes: 2147483648" >>"$R/runbound.conf"
kill -HUP "$PID_d1"
wait_for 5 sh -c "[ \$(grep -c 'SIGHUP' '$R/d1.log') -ge 2 ]"
rb-feed -d "$R" add endless "$FURL/endless" >/dev/null
wait_for 5 grep -q "^GET /endless" "$W/requests.log"
ok $? "rb-feedd downloads the endless feed"
sleep 0.5
t0=$(date +%s)
kill -TERM "$PID_d1"
wait "$PID_d1"
rc=$?
t1=$(date +%s)
is "$rc" 0 "SIGTERM during a download: exit 0"
ok $((t1 - t0 > 2)) "promptly (within 2 s)"
is "$(feed_field endless last_checked)" null "an abandoned download records nothing"
test ! -e "$R/feeds/$(feed_field endless id).set"
ok $? "and writes no set"

# A slave's feeds come from its master: rb-feedd fetches nothing there.
printf '    mode: slave\n    sync-master: 127.0.0.1:8082\n' >>"$R/runbound.conf"
rb-feed -d "$R" add slavefeed "$FURL/one?slave" >/dev/null
start_feedd d3
ok $? "rb-feedd starts on a slave"
like "$(cat "$R/d3.log")" "mode: slave: feeds come from the master" \
	"and says it will not fetch"
sleep 1
is "$(requests 'one?slave')" 0 "a new feed is not fetched on a slave"
stop_pid "$PID_d3"

finish
