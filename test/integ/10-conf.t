#!/bin/sh
# rb-check and the runbound.conf parser: malformed configs fail with the
# right file:line and exit 100, Debian's unbound.conf and a full unbound
# config load with one summary of what is ignored, and the JSON shows the
# effective values.
. "$(dirname "$0")/../lib.sh"

DATA=$TOP/test/integ/data/conf
tmp=$(tmproot)

# Each line of bad/cases.txt: a config, a tab, the start of the message.
tab=$(printf '\t')
while IFS="$tab" read -r file want; do
	case $file in '#'* | '') continue ;; esac
	err=$(cd "$DATA/bad" && rb-check -c "$file" 2>&1 >/dev/null)
	rc=$?
	is "$rc" 100 "$file: exit 100"
	# Warnings may come first; the fatal line is the last.
	err=$(printf '%s\n' "$err" | tail -n 1)
	case $err in
	"rb-check: fatal: $want"*) ok 0 "$file: $want" ;;
	*)
		ok 1 "$file: $want"
		diag "got: $err"
		;;
	esac
done <"$DATA/bad/cases.txt"

# Debian's own unbound.conf and its conf.d/ load with one line on stderr:
# the summary of what runbound-c ignores.
deb=${DEBIAN_UNBOUND_CONF:-/etc/unbound/unbound.conf}
if [ -r "$deb" ]; then
	rb-check -c "$deb" >"$tmp/deb.json" 2>"$tmp/deb.err"
	is "$?" 0 "Debian $deb loads"
	n=$(grep -cv '^rb-check: ignored (not implemented): ' "$tmp/deb.err")
	is "$n" 0 "Debian $deb: only the summary of what is ignored"
else
	ok 0 "# skip $deb absent"
	ok 0 "# skip $deb absent"
fi

# A full unbound config: exit 0, and one summary line naming every ignored
# directive with its count, not one warning per line.
rb-check -c "$DATA/unbound-full.conf" >"$tmp/full.json" 2>"$tmp/full.err"
is "$?" 0 "unbound-full.conf loads"
is "$(wc -l <"$tmp/full.err" | tr -d ' ')" 1 "unbound-full.conf: one line on stderr"
like "$(cat "$tmp/full.err")" \
    '^rb-check: ignored \(not implemented\): statistics-interval \(1\), ' \
    "unbound-full.conf: the summary, first seen first"
like "$(cat "$tmp/full.err")" ', num-threads \(1\), .*, so-reuseport \(2\), ' \
    "unbound-full.conf: names with their counts"
n=$(tr ',' '\n' <"$tmp/full.err" | grep -c ' ([0-9]*)$')
[ "$n" -gt 100 ]
ok $? "unbound-full.conf: $n names ignored"
is "$(jq -r '.forward_zone | length' "$tmp/full.json")" 2 \
    "unbound-full.conf: two forward zones"
is "$(jq -r '.local_zone | length' "$tmp/full.json")" 7 \
    "unbound-full.conf: server local-zones only, not the view's"

# The JSON of a runbound.conf.
rb-check -c "$DATA/runbound.conf" >"$tmp/rb.json" 2>"$tmp/rb.err"
is "$?" 0 "runbound.conf loads"
is "$(cat "$tmp/rb.err")" "" "runbound.conf: no warnings"
j() { jq -r "$1" "$tmp/rb.json"; }
is "$(j .port)" 5300 "port"
is "$(j '.interface[0].addr + " " + (.interface[0].port | tostring)')" \
    "127.0.0.1 5353" "interface with @port"
is "$(j '.interface[1].port')" 5300 "interface takes port:"
is "$(j .do_ip6)" false "do-ip6: no"
is "$(j '.access_control[2].netblock + " " + .access_control[2].action')" \
    "0.0.0.0/0 refuse" "access-control"
is "$(j .rate_limit)" 500 "rate-limit"
is "$(j '.local_data[1].text')" 'txt.home. TXT "hello # not a comment"' \
    "single-quoted local-data keeps # and inner quotes"
like "$(j '.local_data[2].file')" '/runbound\.d/printer\.conf$' \
    "glob include relative to the config's directory"
is "$(j '.forward_zone[0].addrs[0].tls_name')" cloudflare-dns.com \
    "forward-addr #name"
is "$(j '.forward_zone[0].addrs[1].port')" 853 "tls upstream implies 853"
is "$(j .sync_key)" '***' "sync-key redacted"
is "$(j .audit_log_hmac_key)" '***' "audit-log-hmac-key redacted"
grep -q 'must-not-be-printed\|0123456789abcdef' "$tmp/rb.json"
is "$?" 1 "no secret anywhere in the output"
is "$(j .logfile)" null "logfile \"\" is null"
is "$(j .log_client_ip)" true "log-client-ip"
is "$(j .journal_retention)" 20000 "journal-retention"

# Where rb-check looks: -d, then RB_ROOT, then the current directory.
root=$(tmproot)
printf 'server:\n\tport: 1053\n' >"$root/runbound.conf"
is "$(rb-check -d "$root" | jq .port)" 1053 "-d ROOT"
is "$(RB_ROOT=$root rb-check | jq .port)" 1053 "RB_ROOT"
is "$(cd "$root" && rb-check | jq .port)" 1053 "current directory"
empty=$(tmproot)
err=$(rb-check -d "$empty" 2>&1 >/dev/null)
is "$?" 100 "missing runbound.conf: exit 100"
is "$err" "rb-check: fatal: unable to open $empty/runbound.conf: No such file or directory" \
    "missing runbound.conf message"
err=$(cd "$empty" && rb-check 2>&1 >/dev/null)
is "$err" "rb-check: fatal: unable to open runbound.conf: No such file or directory" \
    "missing runbound.conf in the current directory"
rb-check -x >/dev/null 2>&1
is "$?" 100 "bad option: exit 100"
rb-check extra >/dev/null 2>&1
is "$?" 100 "stray argument: exit 100"
printf 'server:\n\tverbosity: 4\n' >"$root/runbound.conf"
out=$(rb-check -d "$root" -c "$DATA/runbound.conf" | jq .verbosity)
is "$out" 2 "-c wins over -d"

finish
