#!/bin/sh
# rb-audit verify against each kind of tampering, on copies of a real log
# that rb-auditd wrote across rotated files: an edited field, a deleted
# line, two lines swapped, the newest lines cut (seen against a recorded
# head), a rotated file removed, the wrong key; each reported at the
# right seq, exit 1.  Keys in hex and raw, from the environment and the
# config; a Runbound-format line (no chain) verified by its mac.  Lines
# rewritten without changing their content (blanks, a CR, key order,
# escapes) are tampering too: only the one line form verifies.
. "$(dirname "$0")/../lib.sh"

HEX=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
R=$(tmproot)
printf 'server:\n    audit-log: yes\n' >"$R/runbound.conf"
export RUNBOUND_AUDIT_HMAC_KEY=$HEX
printf '%s\n' "$HEX" >"$R/key.txt"

i=1
while [ $i -le 60 ]; do
	printf '{"name":"h%d.home.","type":"A","value":"10.0.0.%d"}\n' $i $i
	i=$((i + 1))
done >"$R/import"
rb-dns -d "$R" import "$R/import" >/dev/null || bail "import"
rb-auditd -d "$R" -s 4k -r 3 3>"$R/ready" 2>>"$R/auditd.log" &
p=$!
wait_for 10 test -s "$R/ready" || bail "rb-auditd not ready"
kill -TERM $p
wait $p
A=$R/audit
files=$(cd "$A" && ls audit.log.*; ls audit.log)
nf=$(echo "$files" | wc -l)
ok "$([ "$nf" -ge 4 ]; echo $?)" "rotation by size: $nf files"
last=$(tail -1 "$A/audit.log" | jq .seq)
is "$last" $((62 + nf - 1)) \
	"startup, 60 dns_add, shutdown, one log_rotate per file after the first"
is "$(head -1 "$A/audit.log" | jq -r .event)" log_rotate \
	"a new file starts with log_rotate"
rb-audit -d "$R" verify >"$R/v"
is $? 0 "intact across $nf files"
is "$(cd "$A" && cat $files | perl "$TOP/test/integ/60-audit-verify.pl" \
	"$R/key.txt")" "$last" "the independent verifier agrees"
HEAD=$(rb-audit -d "$R" head | jq -r '"\(.seq):\(.chain)"')

chain_order() { # the files of the current directory, oldest first
	ls audit.log.* 2>/dev/null
	ls audit.log 2>/dev/null
}
# tamper CASE-NAME WANT-SEQ [VERIFY-ARGS...]: verify the copy in $T
tamper() {
	_name=$1
	_want=$2
	shift 2
	_out=$(cd "$T" && rb-audit -d "$R" verify "$@" $(chain_order))
	_rc=$?
	is "$_rc" 1 "$_name: exit 1"
	is "$(echo "$_out" | jq .first_bad_seq)" "$_want" "$_name: at seq $_want"
	diag "$(echo "$_out" | jq -c '.problems[0]')"
}
fresh() { # a copy of the log in $T
	T=$(mktemp -d "$R/t.XXXXXX")
	cp "$A"/audit.log* "$T/"
}
seqline() { # seqline FILE SEQ: the line number of SEQ in FILE
	grep -n "^{\"seq\":$2," "$1" | cut -d: -f1
}

# An edited field.
fresh
f=$(grep -l '"value":"10.0.0.30"' "$T"/audit.log*)
s=$(grep '"value":"10.0.0.30"' "$f" | jq .seq)
sed -i 's/"value":"10.0.0.30"/"value":"10.6.6.6"/' "$f"
tamper "an edited field" "$s"

# A deleted line in the middle of a file.
fresh
s=$(sed -n 3p "$T/audit.log" | jq .seq)
sed -i 3d "$T/audit.log"
tamper "a deleted line" "$s"

# Two lines swapped.
fresh
f=$(ls "$T"/audit.log.* | sed -n 2p)
s=$(sed -n 2p "$f" | jq .seq)
sed -i '2{h;d};3{G}' "$f"
tamper "two lines swapped" "$s"

# The newest lines cut: unseen without a head, seen with it.
fresh
n=$(wc -l <"$T/audit.log")
sed -i "$((n - 2)),\$d" "$T/audit.log"
s=$((last - 2))
(cd "$T" && rb-audit -d "$R" verify $(chain_order)) >/dev/null
is $? 0 "the newest lines cut, no head: unseen (as documented)"
tamper "the newest lines cut, --head" "$s" --head "$HEAD"

# A whole rotated file removed.
fresh
f=$(ls "$T"/audit.log.* | sed -n 2p)
s=$(head -1 "$f" | jq .seq)
rm "$f"
tamper "a rotated file removed" "$s"

# A line replaced by a genuine line from elsewhere (the oldest one).
fresh
a=$(sed -n 1p "$T/audit.log.00000000000000000001")
printf '%s\n' "$a" >"$T/l1"
sed -i -e "1r $T/l1" -e 1d "$T/audit.log"
tamper "a line replaced by another" "$(head -1 "$A/audit.log" | jq .seq)"

# The wrong key.
fresh
RUNBOUND_AUDIT_HMAC_KEY=another-key tamper "the wrong key" 1

# A torn last line (a crash mid-write) is not tampering.
fresh
printf '{"seq":%d,"ts":1,"ev' $((last + 1)) >>"$T/audit.log"
out=$(cd "$T" && rb-audit -d "$R" verify $(chain_order))
is $? 0 "a torn last line: intact"
is "$(echo "$out" | jq .incomplete_last_line)" true "and noted"

# A line rewritten without changing what it says: its MAC and chain still
# recompute, but it is not the one spelling rb-auditd writes, so it is not
# the line that was written.  Each is reported at its seq.
rewrite() { # rewrite CASE-NAME PERL-SUBSTITUTION: on a dns_add line
	fresh
	_f=$(ls "$T"/audit.log.* | sed -n 2p)
	_n=$(grep -n '"event":"dns_add"' "$_f" | sed -n 2p | cut -d: -f1)
	_s=$(sed -n "${_n}p" "$_f" | jq .seq)
	perl -i -pe "if (\$. == $_n) { $2 or die 'no match' }" "$_f" ||
		bail "$1: the rewrite did not apply"
	tamper "$1" "$_s"
}
rewrite "a CR before the newline" 's/\n\z/\r\n/'
rewrite "a space before the newline" 's/\n\z/ \n/'
rewrite "a space after ':'" 's/^\{"seq":/{"seq": /'
rewrite "a space after ','" 's/,"ts":/, "ts":/'
rewrite "a tab between two members" 's/,"src":/,\t"src":/'
rewrite "two keys reordered" \
	's/,"mac":("[0-9a-f]{64}"),"chain":("[0-9a-f]{64}")\}$/,"chain":$2,"mac":$1}/'
rewrite "a key escaped" 's/^\{"seq"/{"s\\u0065q"/'
rewrite "a value escaped" 's/"event":"dns_add"/"event":"\\u0064ns_add"/'

# rb-auditd refuses a key that does not verify the log (exit 100).
RUNBOUND_AUDIT_HMAC_KEY=another-key rb-auditd -d "$R" 2>"$R/err"
is $? 100 "rb-auditd with another key: exit 100"
like "$(cat "$R/err")" "does not verify" "saying why"

# --- keys: raw text and hex, from the environment and from the config ----
for k in "correct horse battery staple" "$HEX"; do
	R2=$(tmproot)
	printf 'server:\n    audit-log: yes\n' >"$R2/runbound.conf"
	RUNBOUND_AUDIT_HMAC_KEY=$k rb-auditd -d "$R2" -r 3 3>"$R2/ready" \
	    2>/dev/null &
	p=$!
	wait_for 10 test -s "$R2/ready"
	kill -TERM $p
	wait $p
	printf '%s\n' "$k" >"$R2/key.txt"
	is "$(perl "$TOP/test/integ/60-audit-verify.pl" "$R2/key.txt" \
	    "$R2/audit/audit.log")" 2 "key '$(echo "$k" | cut -c1-12)...': \
the independent verifier decodes it the same"
	unset RUNBOUND_AUDIT_HMAC_KEY
	printf 'server:\n    audit-log: yes\n    audit-log-hmac-key: "%s"\n' \
	    "$k" >"$R2/runbound.conf"
	rb-audit -d "$R2" verify >/dev/null
	is $? 0 "the same key from audit-log-hmac-key verifies"
	export RUNBOUND_AUDIT_HMAC_KEY=$HEX
done

# --- a Runbound-format log: macs and seqs, no chain ----------------------
R3=$(tmproot)
perl -MDigest::SHA=hmac_sha256_hex -e '
	my $k = pack("H*", shift);
	for my $s (0 .. 2) {
		my $f = "{\"path\":\"/dns\"}";
		my $m = hmac_sha256_hex(pack("Q<Q<", $s, 1715000000 + $s) .
		    "auth_failure" . $f, $k);
		print "{\"seq\":$s,\"ts\":", 1715000000 + $s,
		    ",\"event\":\"auth_failure\",\"fields\":$f,\"mac\":\"$m\"}\n";
	}' "$HEX" >"$R3/runbound.log"
out=$(rb-audit -d "$R3" verify "$R3/runbound.log")
is $? 0 "a Runbound log verifies"
is "$(echo "$out" | jq -c '[.chained, .entries]')" '[false,3]' \
	"unchained, 3 entries"
cp "$R3/runbound.log" "$R3/l"
sed -i 's/^{"seq":0,/{"seq":-0,/' "$R3/runbound.log"
out=$(rb-audit -d "$R3" verify "$R3/runbound.log")
is "$?:$(echo "$out" | jq .first_bad_seq)" 1:0 \
	"a Runbound line with seq 0 written -0: tampered, at seq 0"
sed -e 's/"ts":/"ts": /' "$R3/l" >"$R3/runbound.log"
out=$(rb-audit -d "$R3" verify "$R3/runbound.log")
is "$?:$(echo "$out" | jq .first_bad_seq)" 1:0 \
	"a Runbound log with a space after ':': tampered"
cp "$R3/l" "$R3/runbound.log"
sed -i 2d "$R3/runbound.log"
out=$(rb-audit -d "$R3" verify "$R3/runbound.log")
is "$?:$(echo "$out" | jq .first_bad_seq)" 1:1 \
	"a Runbound log with seq 1 removed: seq 1"

finish
