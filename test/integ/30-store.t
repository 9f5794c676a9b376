#!/bin/sh
# rb-dns, rb-block, rb-allow and rb-data against a real state root: JSON
# shapes, validation that changes nothing, cdb contents, determinism, limits.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
snap() { (cd "$R" && find store data journal -type f ! -name .lock -print0 |
	sort -z | xargs -0 sha256sum 2>/dev/null); }

out=$(rb-dns -d "$R" add nas.home. A 192.168.1.10)
ok $? "rb-dns add nas.home. A 192.168.1.10"
is "$(echo "$out" | jq -r .rr)" "nas.home. 3600 A 192.168.1.10" "rr text as Runbound"
is "$(echo "$out" | jq -r .status)" "ok" "status ok"
id=$(echo "$out" | jq -r .entry.id)
like "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "id is a UUID v4"

list=$(rb-dns -d "$R" list)
is "$(echo "$list" | jq -r '.total')" 1 "list total"
is "$(echo "$list" | jq -c '.entries[0] | [.name,.type,.value,.ttl]')" \
	'["nas.home.","A","192.168.1.10",3600]' "list entry fields"

# The cdb holds the precompiled answer: key D + wire name + type A,
# value ttl(4) rdlen(2) rdata; looked up as rb-dnsd does, in the delta a
# write leaves (data/local.delta) over the base.
has_kv() { # has_kv CDB PERL-KEY PERL-VALUE
	_kv=$(perl -e 'print unpack("H*", eval $ARGV[0]), " ",
	    unpack("H*", eval $ARGV[1])' "$2" "$3")
	cdb_view "$(dirname "$1")" "$(basename "$1" .cdb)" | grep -qx "$_kv"
}
has_kv "$R/data/local.cdb" '"D\x03nas\x04home\x00\x00\x01"' \
	'"\x00\x00\x0e\x10\x00\x04\xc0\xa8\x01\x0a"'
ok $? "local.cdb has the wire answer of nas.home A"
has_kv "$R/data/local.cdb" '"E\x03nas\x04home\x00"' '"\x00\x01"'
ok $? "local.cdb lists the types of nas.home"
has_kv "$R/data/local.cdb" '"Z\x03nas\x04home\x00"' '"\x04"'
ok $? "local data outside any zone gets a transparent zone"

before=$(snap)
err=$(rb-dns -d "$R" add bad..name A 1.2.3.4 2>&1)
is $? 100 "bad..name exits 100"
like "$err" "INVALID_NAME.*empty label" "bad..name says why"
err=$(rb-dns -d "$R" add x.home. A 300.1.1.1 2>&1)
is $? 100 "300.1.1.1 exits 100"
like "$err" "INVALID_VALUE.*300\.1\.1\.1" "300.1.1.1 says why"
err=$(rb-dns -d "$R" add x.home. A 1.2.3.4 2147483648 2>&1)
is $? 100 "TTL over 2^31-1 exits 100"
like "$err" "INVALID_TTL" "INVALID_TTL"
err=$(rb-dns -d "$R" add x.home. SOA "a. b. 1 2 3 4 5" 2>&1)
is $? 100 "unsupported type exits 100"
err=$(rb-dns -d "$R" add nas.home. A 192.168.1.10 2>&1)
is $? 100 "exact duplicate exits 100"
like "$err" "ALREADY_EXISTS" "ALREADY_EXISTS"

# One record, one value: values are stored canonical, so spellings of
# the same record are duplicates (#24); RFC 1034's CNAME rules hold; the
# whole-rdata form of SRV gets the per-field checks; the root is refused.
CV=$(tmproot)
rb-dns -d "$CV" add c.test. CNAME a.test. >/dev/null
for v in " a.test." "A.TEST.  " "a.test"; do
	err=$(rb-dns -d "$CV" add c.test. CNAME "$v" 2>&1)
	like "$err" "ALREADY_EXISTS" "CNAME '$v' is the same record"
done
rb-dns -d "$CV" add x.test. A " 1.2.3.4" >/dev/null
is "$(rb-dns -d "$CV" list | jq -r '.entries[] | select(.name == "x.test.") | .value')" \
	1.2.3.4 "A ' 1.2.3.4' stored as 1.2.3.4"
err=$(rb-dns -d "$CV" add x.test. A 1.2.3.4 2>&1)
like "$err" "ALREADY_EXISTS" "and 1.2.3.4 is then a duplicate"
err=$(rb-dns -d "$CV" add c.test. CNAME b.test. 2>&1)
is "$? $(echo "$err" | grep -o CNAME_CONFLICT)" "100 CNAME_CONFLICT" "a second CNAME at a name: refused"
err=$(rb-dns -d "$CV" add c.test. A 10.0.0.1 2>&1)
is "$? $(echo "$err" | grep -o CNAME_CONFLICT)" "100 CNAME_CONFLICT" "other data beside a CNAME: refused"
err=$(rb-dns -d "$CV" add x.test. CNAME y.test. 2>&1)
is "$? $(echo "$err" | grep -o CNAME_CONFLICT)" "100 CNAME_CONFLICT" "a CNAME beside other data: refused"
for p in 70000 -1 x; do
	rb-dns -d "$CV" add s.test. SRV "10 5 $p t.test." >/dev/null 2>&1
	is $? 100 "SRV whole-rdata port $p refused, as the port field would be"
done
rb-dns -d "$CV" add s.test. SRV "10 5 5060 T.test." >/dev/null
is "$(rb-dns -d "$CV" list | jq -r '.entries[] | select(.type == "SRV") | .value')" \
	"10 5 5060 t.test." "SRV stored canonical"
rb-dns -d "$CV" add . A 1.2.3.4 >/dev/null 2>&1
is $? 100 "the root as a name: refused"
rb-dns -d "$CV" add d.test. CNAME . >/dev/null 2>&1
is $? 100 "the root as a CNAME target: refused"
rb-dns -d "$CV" add t.test. TXT "  Keep Me  " >/dev/null
is "$(rb-dns -d "$CV" list | jq -r '.entries[] | select(.type == "TXT") | .value')" \
	"  Keep Me  " "TXT text kept as sent (spaces and case are data)"
err=$(rb-dns -d "$R" del 00000000-0000-4000-8000-000000000000 2>&1)
is $? 100 "unknown id exits 100"
like "$err" "NOT_FOUND" "NOT_FOUND"
err=$(rb-dns -d "$R" del ../../etc/passwd 2>&1)
is $? 100 "non-UUID id exits 100"
is "$(snap)" "$before" "refused writes changed no file"

out=$(rb-dns -d "$R" add x.home. A 1.2.3.4 100000)
is "$(echo "$out" | jq .entry.ttl)" 86400 "TTL capped at 86400"
rb-dns -d "$R" add mail.home. MX "10 nas.home." >/dev/null
ok $? "MX with full value"
rb-dns -d "$R" add t.home. TXT "hello world" >/dev/null
ok $? "TXT"
rb-dns -d "$R" add v6.home. AAAA fd00::10 >/dev/null
ok $? "AAAA"
out=$(rb-dns -d "$R" del "$id")
is "$(echo "$out" | jq -r .deleted_id)" "$id" "delete answers deleted_id"
is "$(rb-dns -d "$R" list | jq '[.entries[] | select(.name=="nas.home.")] | length')" 0 "entry gone"
has_kv "$R/data/local.cdb" '"D\x03nas\x04home\x00\x00\x01"' \
	'"\x00\x00\x0e\x10\x00\x04\xc0\xa8\x01\x0a"'
is $? 1 "and gone from local.cdb"

out=$(rb-block -d "$R" add Ads.Example.com nxdomain)
is "$(echo "$out" | jq -c '.entry | [.domain,.action]')" '["ads.example.com","nxdomain"]' "rb-block add"
bid=$(echo "$out" | jq -r .entry.id)
rb-block -d "$R" add tracker.example refuse >/dev/null
has_kv "$R/data/block.cdb" '"\x03ads\x07example\x03com\x00"' '"N"'
ok $? "block.cdb: ads.example.com NXDOMAIN"
has_kv "$R/data/block.cdb" '"\x07tracker\x07example\x00"' '"R"'
ok $? "block.cdb: tracker.example REFUSED"
rb-block -d "$R" add x.example drop >/dev/null 2>&1
is $? 100 "unknown action exits 100"
rb-block -d "$R" add ads.example.com >/dev/null 2>&1
is $? 100 "duplicate domain exits 100"
is "$(rb-block -d "$R" list | jq -c '[.total, (.blacklist|length)]')" '[2,2]' "rb-block list shape"
rb-allow -d "$R" add ads.example.com >/dev/null
has_kv "$R/data/block.cdb" '"\x03ads\x07example\x03com\x00"' '"A"'
ok $? "allowlist overrides the blacklist entry in block.cdb"
is "$(rb-allow -d "$R" list | jq -r '.allowlist[0].domain')" "ads.example.com" "rb-allow list"
rb-block -d "$R" del "$bid" >/dev/null
ok $? "rb-block del"

# import: one bad line refuses the whole file.
before=$(snap)
printf '%s\n' '{"name":"i1.home.","type":"A","value":"10.0.0.1"}' \
	'{"name":"i2.home.","type":"A","value":"10.0.0.999"}' > "$R/imp"
err=$(rb-dns -d "$R" import "$R/imp" 2>&1)
is $? 100 "import with a bad line exits 100"
like "$err" "line 2" "and names the line"
is "$(snap)" "$before" "and writes nothing"
# The same at Runbound's limit (100,000 entries): 99,999 lines to add to
# the one there, the last bad, then good.
RB=$(tmproot)
perl -e 'printf "{\"domain\":\"d%d.big.example\",\"action\":\"nxdomain\"}\n", $_ for 1..99998;
    print "{\"domain\":\"bad..example\"}\n"' >"$RB/imp"
rb-block -d "$RB" add first.example >/dev/null
before=$(cd "$RB" && find store data journal -type f ! -name .lock -print0 | sort -z | xargs -0 sha256sum)
err=$(rb-block -d "$RB" import "$RB/imp" 2>&1)
is $? 100 "99,999-line import whose last line is bad exits 100"
like "$err" "line 99999" "and names the line"
is "$(cd "$RB" && find store data journal -type f ! -name .lock -print0 | sort -z | xargs -0 sha256sum)" \
	"$before" "and writes nothing"
sed -i '$s/.*/{"domain":"d99999.big.example"}/' "$RB/imp"
rb-block -d "$RB" import "$RB/imp" >/dev/null
ok $? "then the 99,999 good lines"
is "$(rb-block -d "$RB" list | jq '.blacklist | length')" 100000 "all of them, at once"
printf '%s\n' '{"name":"i1.home.","type":"A","value":"10.0.0.1"}' \
	'' '{"name":"i2.home.","type":"A","value":"10.0.0.2","ttl":60}' > "$R/imp"
out=$(rb-dns -d "$R" import < "$R/imp")
is "$(echo "$out" | jq -c '[.imported,.skipped]')" '[2,0]' "import of 2 lines"
jn=$(cat "$R"/journal/*.jnl | wc -l)
last=$(cat "$R"/journal/*.jnl | tail -1 | jq .seq)
is "$jn" "$last" "journal seqs are gapless from 1"
is "$(cat "$R"/journal/*.jnl | jq -s '[.[].seq] == ([.[].seq] | sort)')" true "journal in seq order"

# What the writes left (bases and their deltas) answers as a full
# rebuild does; rb-data rebuilds the same bytes; a second root with the
# same content added in another order has the same keys and values.
cdb_view "$R/data" local >"$R/v-local"
cdb_view "$R/data" block >"$R/v-block"
ok "$([ -s "$R/data/local.delta" ] && echo 0 || echo 1)" "the writes left a local.delta"
rb-data -d "$R" >/dev/null
ok $? "rb-data"
ok "$([ -e "$R/data/local.delta" ] && echo 1 || echo 0)" "which a full rebuild folds in"
is "$(cdb_view "$R/data" local)" "$(cat "$R/v-local")" "the delta over the base answered as the rebuild does (local)"
is "$(cdb_view "$R/data" block)" "$(cat "$R/v-block")" "the delta over the base answered as the rebuild does (block)"
cp "$R/data/local.cdb" "$R/l1"
rb-data -d "$R" >/dev/null
cmp -s "$R/l1" "$R/data/local.cdb"
ok $? "rb-data gives the same bytes"
R2=$(tmproot)
rb-dns -d "$R" list | jq -c '.entries | reverse | .[]' | rb-dns -d "$R2" import >/dev/null
rb-block -d "$R" list | jq -c '.blacklist[]' | rb-block -d "$R2" import >/dev/null
rb-allow -d "$R" list | jq -c '.allowlist[]' | rb-allow -d "$R2" import >/dev/null
rb-data -d "$R2" >/dev/null
# (Byte for byte but the meta key: the store seqs each was built from.)
is "$(cdb_view "$R2/data" local)" "$(cdb_view "$R/data" local)" \
	"same records in another order: same local.cdb"
is "$(cdb_view "$R2/data" block)" "$(cdb_view "$R/data" block)" \
	"same lists in another order: same block.cdb"

# Config local data and zones compile into the same files.
cat > "$R/runbound.conf" <<'CONF'
server:
	local-zone: "lan." static
	local-zone: "bad.example." always_nxdomain
	local-zone: "worse.example." always_refuse
	local-data: "printer.lan. 300 IN A 192.168.1.20"
	local-data-ptr: "192.168.1.20 printer.lan"
CONF
rb-data -d "$R" >/dev/null
ok $? "rb-data with config local data"
has_kv "$R/data/local.cdb" '"Z\x03lan\x00"' '"\x03"'
ok $? "local-zone static compiled"
has_kv "$R/data/local.cdb" '"D\x07printer\x03lan\x00\x00\x01"' '"\x00\x00\x01\x2c\x00\x04\xc0\xa8\x01\x14"'
ok $? "local-data compiled"
has_kv "$R/data/local.cdb" '"D\x0220\x011\x03168\x03192\x07in-addr\x04arpa\x00\x00\x0c"' '"\x00\x00\x0e\x10\x00\x0d\x07printer\x03lan\x00"'
ok $? "local-data-ptr compiled"
has_kv "$R/data/block.cdb" '"\x03bad\x07example\x00"' '"N"'
ok $? "always_nxdomain in block.cdb"
has_kv "$R/data/block.cdb" '"\x05worse\x07example\x00"' '"R"'
ok $? "always_refuse in block.cdb"

# A slave's store changes only through replication.
S=$(tmproot)
printf 'server:\n    mode: slave\n    sync-master: 127.0.0.1:8082\n' > "$S/runbound.conf"
err=$(rb-dns -d "$S" add x.home. A 10.0.0.1 2>&1)
is $? 100 "a local write on a slave exits 100"
like "$err" "READ_ONLY" "READ_ONLY"
is "$(find "$S/journal" -name '*.jnl' 2>/dev/null | wc -l)" 0 "and journals nothing"

# Limits: 10,000 dns entries, then LIMIT_EXCEEDED.
R3=$(tmproot)
perl -e 'printf "{\"name\":\"h%d.home.\",\"type\":\"A\",\"value\":\"10.%d.%d.%d\"}\n", $_, $_>>16, ($_>>8)&255, $_&255 for 1..10000' |
	rb-dns -d "$R3" import >/dev/null
ok $? "import 10,000 entries"
err=$(rb-dns -d "$R3" add one.more. A 1.1.1.1 2>&1)
is $? 100 "entry 10,001 refused"
like "$err" "LIMIT_EXCEEDED" "LIMIT_EXCEEDED"

finish
