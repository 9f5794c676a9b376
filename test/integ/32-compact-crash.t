#!/bin/sh
# Contract 3 through compaction: 150 rounds of a forced compaction killed
# with SIGKILL at a random instant, two writers (adds and deletes of the
# blacklist) running beside it, a third of them killed too.  Afterwards
# every acknowledged add is there unless an acknowledged delete took it,
# no acknowledged delete is undone, nothing never written appears,
# rb-dnsd's view of data/ (bases and deltas) is what a full rebuild
# gives, and a write still leaves the bases alone.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
perl -e 'printf "{\"domain\":\"b%d.base.example\",\"action\":\"nxdomain\"}\n", $_ for 1..3000' >"$R/imp"
rb-block -d "$R" import "$R/imp" >/dev/null || bail "import"
rb-data -d "$R" -c -f || bail "first compaction"
rb-block -d "$R" add one.more.example >/dev/null || bail "add"

# How long one forced compaction takes here: the kills fall within it.
t0=$(date +%s%N)
rb-data -d "$R" -c -f || bail "timed compaction"
t1=$(date +%s%N)
dus=$(((t1 - t0) / 1000 + 1000))
perl "$TOP/test/integ/compact-crash.pl" "$R" 150 "$dus" >"$R/log"
ok $? "150 rounds ran"
ckilled=$(grep -c '^compaction killed' "$R/log")
wkilled=$(grep -c '^killed ' "$R/log")
diag "compactions killed $ckilled, writers killed $wkilled, acknowledged $(grep -c '^ack ' "$R/log") (one compaction takes $dus us)"
ok "$([ $((ckilled + wkilled)) -ge 100 ] && echo 0 || echo 1)" "at least 100 kills"
ok "$([ "$ckilled" -gt 0 ] && echo 0 || echo 1)" "compactions among them"
is "$(grep -c -e '^fail ' -e '^compaction failed' "$R/log")" 0 "no run failed other than by a kill"

# Recovery is the next begin's (here a compaction's, which ends with one).
rb-data -d "$R" -c -f
ok $? "the next compaction recovers"
rb-block -d "$R" list | jq -r '.blacklist[] | "\(.domain) \(.id)"' | sort >"$R/have"
# What must be there: acknowledged adds that no delete tried (a killed
# one may have committed); what must not: acknowledged deletes.
awk '$1 == "ack" && $2 == "add" { print $3, $4 }' "$R/log" | sort >"$R/acked"
awk '$1 == "ack" && $2 == "del" { print $3 }' "$R/log" | sort >"$R/deleted"
awk '$2 == "del" { print $3 }' "$R/log" | sort >"$R/tried-del"
grep -v -F -f "$R/tried-del" "$R/acked" >"$R/want" || true
is "$(comm -23 "$R/want" "$R/have" | wc -l)" 0 "every acknowledged add is there"
is "$(cut -d' ' -f2 "$R/have" | grep -c -F -f "$R/deleted")" 0 "no acknowledged delete is undone"
{ awk '$2 == "add" { print $3 }' "$R/log"; sed 's/ .*//' "$R/imp" | sed 's/.*"domain":"//; s/".*//'
  echo one.more.example; } | sort -u >"$R/tried"
is "$(cut -d' ' -f1 "$R/have" | comm -23 - "$R/tried" | wc -l)" 0 "nothing never written"
is "$(cut -d' ' -f1 "$R/have" | sort | uniq -d | wc -l)" 0 "no domain twice"

# rb-dnsd's view now is what rb-data rebuilds from the store.
cdb_view "$R/data" block >"$R/v1"
rb-data -d "$R" >/dev/null
ok $? "rb-data"
is "$(cdb_view "$R/data" block | md5sum)" "$(md5sum <"$R/v1")" \
	"data/ as rb-dnsd read it equals the rebuild"
is "$(find "$R" -name '.*.tmp.*' | wc -l)" 0 "no stale temporary file is left"
is "$(find "$R" -name '*.next' | wc -l)" 0 "no staged base is left"

# A single write rewrites neither base: not the store's, not data/'s.
bases="$R/store/blacklist.cdb $R/data/block.cdb"
before=$(stat -c '%i %Y %s' $bases)
rb-block -d "$R" add single.write.example >/dev/null
ok $? "one more add"
is "$(stat -c '%i %Y %s' $bases)" "$before" "left store/blacklist.cdb and data/block.cdb as they were"
ok "$([ -s "$R/data/block.delta" ] && echo 0 || echo 1)" "and went to data/block.delta"
finish
