#!/bin/sh
# Contract 3: kill -9 the writer at random instants during 1,000 adds and
# during rb-data; afterwards every acknowledged entry is present, nothing
# unacknowledged is half-present, and the store and the cdb agree.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
perl "$TOP/test/integ/crash.pl" "$R" 1000 > "$R/log"
ok $? "1,000 adds ran"
acked=$(grep -c '^ack ' "$R/log")
killed=$(grep -c '^killed ' "$R/log")
is "$(grep -c '^fail ' "$R/log")" 0 "no add failed other than by the kill"
diag "acknowledged $acked, killed $killed"
ok "$([ "$killed" -gt 100 ] && echo 0 || echo 1)" "over 100 writers were killed"

# Kill rb-data at random instants too, within the time one run takes.  A
# run either dies of the SIGKILL (status 137) or finished before it (0);
# any other status is a failure.
t0=$(date +%s%N)
rb-data -d "$R" >/dev/null 2>&1
t1=$(date +%s%N)
dus=$(((t1 - t0) / 1000))
i=0
dkilled=0
dfailed=0
while [ $i -lt 30 ]; do
	rb-data -d "$R" >/dev/null 2>&1 &
	p=$!
	perl -MTime::HiRes=usleep -e 'usleep(int(rand($ARGV[0])))' "$dus"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	case $? in
	0) ;;
	137) dkilled=$((dkilled + 1)) ;;
	*) dfailed=$((dfailed + 1)) ;;
	esac
	i=$((i + 1))
done
diag "rb-data runs killed: $dkilled of 30 (one run takes $dus us)"
is "$dfailed" 0 "30 rb-data runs: each finished or was killed, none failed"
ok "$([ "$dkilled" -gt 0 ] && echo 0 || echo 1)" "rb-data was killed at random instants"

# Recovery happens in the next writer or rb-data.
rb-data -d "$R" >/dev/null
ok $? "rb-data recovers"
rb-dns -d "$R" list | jq -r '.entries[].name' | sort > "$R/store.names"
grep '^ack ' "$R/log" | cut -d' ' -f2 | sort > "$R/acked.names"
comm -23 "$R/acked.names" "$R/store.names" > "$R/lost"
is "$(wc -l < "$R/lost")" 0 "every acknowledged entry is in the store"
grep -E '^(ack|killed) ' "$R/log" | cut -d' ' -f2 | sort > "$R/tried.names"
is "$(comm -23 "$R/store.names" "$R/tried.names" | wc -l)" 0 "the store holds nothing never written"
is "$(sort -u "$R/store.names" | wc -l)" "$(wc -l < "$R/store.names")" "no entry twice"
grep '^killed ' "$R/log" | cut -d' ' -f2 | sort > "$R/killed.names"
diag "killed writers whose entry survived (journal written before the kill): $(comm -12 "$R/killed.names" "$R/store.names" | wc -l)"
is "$(find "$R" -name '.*.tmp.*' | wc -l)" 0 "no stale temporary file is left"

# Store and cdb agree: every name with an E key is a store entry, and
# every store entry has its E key (beside unbound's default zones, which
# a root with no entry has too).
enames() { # enames ROOT: the names of data/local.cdb's E keys, sorted
cdb -d "$1/data/local.cdb" | perl -e '
	local $/; my $d = <STDIN>;
	while ($d =~ /\G\+(\d+),(\d+):/gc) {
		my ($kl, $vl) = ($1, $2);
		my $key = substr($d, pos($d), $kl);
		pos($d) += $kl + 2 + $vl + 1;
		next unless $key =~ s/^E//;
		my @l; while (length($key) > 1) { my $n = ord($key);
		push @l, substr($key, 1, $n); $key = substr($key, $n + 1); }
		print join(".", @l), ".\n";
	}' | sort
}
E=$(tmproot)
rb-data -d "$E" >/dev/null || bail "rb-data on an empty root"
enames "$E" >"$R/default.names"
enames "$R" | comm -23 - "$R/default.names" >"$R/cdb.names"
cmp -s "$R/store.names" "$R/cdb.names"
ok $? "store and local.cdb hold the same names"
seqs=$(cat "$R"/journal/*.jnl | jq -s '[.[].seq] | (length == (last - first + 1))')
is "$seqs" true "journal seqs are gapless"
is "$(jq .seq "$R/store/applied")" "$(cat "$R"/journal/*.jnl | tail -1 | jq .seq)" \
	"after rb-data, store/applied is the journal's last seq"

finish
