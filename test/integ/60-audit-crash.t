#!/bin/sh
# kill -9 of rb-auditd at random instants while a burst arrives: one
# rb-dns import of 5,000 lines (one journal transaction of 5,000 events),
# single adds, and spool files dropped as rb-apid drops them; the log is
# rotated every 64 KiB so crashes land in rotations too.  After a last
# restart: every journal event and spool file is in the log exactly once,
# the seqs have no gap, the chain verifies, the spool is empty.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
printf 'server:\n    audit-log: yes\n' >"$R/runbound.conf"
mkdir -p "$R/audit/spool"
i=1
while [ $i -le 5000 ]; do
	printf '{"name":"b%d.burst.","type":"A","value":"10.1.%d.%d"}\n' \
	    $i $((i / 256)) $((i % 256))
	i=$((i + 1))
done >"$R/import"

# Writers, in the background.
(
	sleep 0.3
	rb-dns -d "$R" import "$R/import" >/dev/null
) &
w1=$!
(
	i=1
	while [ $i -le 150 ]; do
		rb-dns -d "$R" add "s$i.single." A "10.2.0.$((i % 250))" \
		    >/dev/null
		i=$((i + 1))
	done
) &
w2=$!
(
	i=1
	while [ $i -le 300 ]; do
		n=$(date +%s%N)-$$-$i.json
		printf '{"ts":%s,"event":"auth_failure","fields":{"path":"/p%d"}}\n' \
		    "$(date +%s)" $i >"$R/audit/spool/.$n.tmp"
		mv "$R/audit/spool/.$n.tmp" "$R/audit/spool/$n"
		echo "$n" >>"$R/spooled"
		i=$((i + 1))
	done
) &
w3=$!

# The killer: start, wait a random 0-60 ms, kill -9; again and again.
kills=0
while kill -0 $w1 2>/dev/null || kill -0 $w2 2>/dev/null ||
    kill -0 $w3 2>/dev/null || [ $kills -lt 20 ]; do
	rb-auditd -d "$R" -s 64k 2>>"$R/auditd.log" &
	p=$!
	perl -MTime::HiRes=usleep -e 'usleep(int(rand(60000)))'
	kill -9 $p 2>/dev/null && kills=$((kills + 1))
	wait $p 2>/dev/null
done
wait $w1 $w2 $w3
diag "rb-auditd killed $kills times; $(grep -c 'torn last line' \
	"$R/auditd.log") torn lines cut"
ok "$([ $kills -ge 20 ]; echo $?)" "at least 20 kills"

# The last start catches up, then stops cleanly.
rb-auditd -d "$R" -s 64k -r 3 3>"$R/ready" 2>>"$R/auditd.log" &
p=$!
wait_for 20 test -s "$R/ready"
ok $? "restarted and caught up"
kill -TERM $p
wait $p
is $? 0 "clean exit"

cd "$R/audit" || bail "cd"
files=$(ls audit.log.*; ls audit.log)
ok "$([ "$(echo "$files" | wc -l)" -gt 10 ]; echo $?)" \
	"rotated into $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086
cat $files >"$R/all"
J=$(cat "$R"/journal/*.jnl | tail -1 | jq .seq)
jq -r 'select(.src | startswith("journal:")) |
    select(.event | test("^(log_rotate|journal_reset|journal_gap)$") | not) |
    .src | split(":")[2]' "$R/all" | sort -n >"$R/jseqs"
is "$(wc -l <"$R/jseqs")" "$J" "$J journal events audited"
is "$(sort -u -n "$R/jseqs" | wc -l)" "$J" "none twice"
is "$(head -1 "$R/jseqs"):$(tail -1 "$R/jseqs")" "1:$J" "seqs 1..$J: no gap"
jq -r 'select(.src | startswith("spool:")) | .src[6:]' "$R/all" |
	sort >"$R/sseqs"
is "$(wc -l <"$R/sseqs")" 300 "300 spool events audited"
sort "$R/spooled" | cmp -s - "$R/sseqs"
ok $? "each spool file exactly once"
is "$(ls "$R/audit/spool" | wc -l)" 0 "the spool is empty"
is "$(jq -s '[.[].seq] == [range(1; length + 1)]' "$R/all")" true \
	"audit seqs 1..N, no gap, no repeat"
is "$(grep -c '"event":"journal_gap"' "$R/all")" 0 "no journal_gap"
rb-audit -d "$R" verify >"$R/v"
is $? 0 "rb-audit verify: intact"
diag "$(jq -c '{entries, last_seq, files: (.files | length)}' "$R/v")"

finish
