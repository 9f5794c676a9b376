#!/bin/sh
# rb-dnsd maps feeds/<uuid>.set while running: a feed renamed in blocks at
# once, a replaced one is re-mapped, a deleted one stops blocking, other
# files in feeds/ are ignored, the allowlist wins over every feed, and a
# feed added while inotify's queue overflowed is still found.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
printf 'server:\n    interface: 127.0.0.1@%s\n' "$P" >"$R/runbound.conf"
rb-dns -d "$R" add www.site.example. A 10.0.0.1 >/dev/null &&
rb-dns -d "$R" add ok.site.example. A 10.0.0.2 >/dev/null &&
rb-dns -d "$R" add www.other.example. A 10.0.0.3 >/dev/null &&
rb-allow -d "$R" add ok.site.example >/dev/null || bail "unable to fill $R"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
st() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

is "$(st www.site.example)" NOERROR "before any feed: local answer"
# feeds/ appears while rb-dnsd runs, and a feed is renamed into it.
mkdir "$R/feeds"
printf 'site.example\n' > "$R/list"
rb-feed compile "$R/list" "$R/feeds/.tmp" domains nxdomain >/dev/null || bail "compile"
F1=11111111-1111-4111-8111-111111111111
mv "$R/feeds/.tmp" "$R/feeds/$F1.set"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 www.site.example | grep -q NXDOMAIN"
ok $? "a feed renamed into feeds/ blocks at once (and the names below it)"
is "$(st ok.site.example)" NOERROR "the allowlist wins over the feed"
# Replaced: the same feed now refuses.
rb-feed compile "$R/list" "$R/feeds/.tmp" domains refuse >/dev/null
mv "$R/feeds/.tmp" "$R/feeds/$F1.set"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 www.site.example | grep -q REFUSED"
ok $? "a replaced feed is re-mapped"
# A second feed with the same name: the first feed in id order decides.
F0=00000000-0000-4000-8000-000000000000
rb-feed compile "$R/list" "$R/feeds/.tmp" domains nxdomain >/dev/null
mv "$R/feeds/.tmp" "$R/feeds/$F0.set"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 www.site.example | grep -q NXDOMAIN"
ok $? "two feeds list a name: the first by id decides"
# Damaged: a truncated copy renamed over F0 is refused, F0 keeps its data.
head -c 40 "$R/feeds/$F0.set" >"$R/feeds/.tmp"
mv "$R/feeds/.tmp" "$R/feeds/$F0.set"
wait_for 5 grep -q "unable to reload.*$F0.set: size does not match" "$R/log"
ok $? "a damaged replacement is refused, with the reason logged"
is "$(st www.site.example)" NXDOMAIN "and the feed keeps its previous data"
is "$(st www.other.example)" NOERROR "other names are not affected (no SERVFAIL)"
rm "$R/feeds/$F0.set" "$R/feeds/$F1.set"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 www.site.example | grep -q NOERROR"
ok $? "deleted feeds stop blocking"
F2=22222222-2222-4222-8222-222222222222
printf 'this is not a feed set at all\n' >"$R/feeds/.tmp"
mv "$R/feeds/.tmp" "$R/feeds/$F2.set"
wait_for 5 grep -q "unable to map.*$F2.set: not a feed set" "$R/log"
ok $? "a new damaged feed is not mapped"
is "$(st www.site.example)" NOERROR "and answers are unchanged"
rm "$R/feeds/$F2.set"
cp "$R/list" "$R/feeds/notes.set"
rb-feed compile "$R/list" "$R/feeds/not-a-uuid.set" domains >/dev/null
rb-feed compile "$R/list" "$R/feeds/$F1.cdb" domains >/dev/null
sleep 0.3
is "$(st www.site.example)" NOERROR "files not named <uuid>.set are ignored"

# Events lost: more files created in data/ while rb-dnsd is stopped than
# inotify queues (16,384 by default) overflow its queue, so the feed
# renamed in after them has no event of its own.  The overflow itself
# makes rb-dnsd look at feeds/ again.
qmax=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
kill -STOP "$DNSD"
(cd "$R/data" && seq $((qmax + 500)) | sed 's/^/junk./' | xargs touch)
rb-feed compile "$R/list" "$R/feeds/.tmp" domains nxdomain >/dev/null
mv "$R/feeds/.tmp" "$R/feeds/$F0.set"
kill -CONT "$DNSD"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 www.site.example | grep -q NXDOMAIN"
ok $? "a feed renamed in while inotify's queue overflowed is mapped"
is "$(grep -c fatal "$R/log")" 0 "no fatal error logged"
finish
