#!/bin/sh
# What every program's command line does alike (issue #24): -h and --help
# print the usage naming the program on stdout and exit 0, a bad option
# prints it on stderr and exits 100; no program but rb-conf makes a state
# root, so a mistyped -d fails naming the path; rb-block and rb-allow
# delete by the domain as typed; rb-sync status is one line of JSON like
# every other command's; an import on a slave says so once.
. "$(dirname "$0")/../lib.sh"

T=$(tmproot)

# --- -h, --help and a bad option, for every program --------------------------
for p in $(ls "$TOP/cmd"); do
	"$p" -h >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	is "$rc:$(wc -c <"$T/err")" "0:0" "$p -h exits 0, nothing on stderr"
	like "$(head -1 "$T/out")" "^usage: $p( |$)" "$p -h: the usage names $p"
	"$p" --help >"$T/out2" 2>/dev/null </dev/null
	is "$?:$(cmp -s "$T/out" "$T/out2"; echo $?)" "0:0" "$p --help is -h"
	"$p" -@ >"$T/out2" 2>"$T/err" </dev/null
	is "$?:$(wc -c <"$T/out2")" "100:0" "$p -@ exits 100, nothing on stdout"
	ok "$(grep -qxF "$(head -1 "$T/out")" "$T/err"; echo $?)" \
		"$p -@: the same usage on stderr"
done

# --- a root that does not exist is refused, never made -----------------------
R=$(tmproot)
printf '{"domain":"x.example"}\n' >"$T/lines"
nonroot() { # nonroot DESC CMD...: CMD on $T/typo exits 100, naming it
	_d=$1
	shift
	"$@" >/dev/null 2>"$T/err" </dev/null
	is "$?" 100 "$_d: exit 100 on a root that does not exist"
	like "$(cat "$T/err")" "$T/typo" "$_d: the message names the path"
	ok "$([ ! -e "$T/typo" ]; echo $?)" "$_d: and makes nothing"
	rm -rf "$T/typo"
}
nonroot "rb-dns add" rb-dns -d "$T/typo" add a.home. A 192.0.2.1
nonroot "rb-block add" rb-block -d "$T/typo" add ads.example
nonroot "rb-allow import" rb-allow -d "$T/typo" import "$T/lines"
nonroot "rb-dns list" rb-dns -d "$T/typo" list
nonroot "rb-feed add" rb-feed -d "$T/typo" add x https://example.com/hosts
nonroot "rb-feed update" rb-feed -d "$T/typo" update
nonroot "rb-data" rb-data -d "$T/typo"
nonroot "rb-zone build" rb-zone -d "$T/typo" build
nonroot "rb-sync resync" rb-sync -d "$T/typo" resync
nonroot "rb-audit tail" rb-audit -d "$T/typo" tail
nonroot "RB_ROOT" env RB_ROOT="$T/typo" rb-dns add a.home. A 192.0.2.1
for d in rb-dnsd rb-apid rb-auditd rb-feedd rb-syncd; do
	nonroot "$d" timeout 10 "$d" -d "$T/typo"
done
rb-dns -d "$R" add a.home. A 192.0.2.1 >/dev/null
ok $? "a directory that exists is a root (made by rb-conf or mkdir)"

# --- rb-block and rb-allow del take the domain as the user types it ----------
rb-block -d "$R" add Ads.Example.COM nxdomain >/dev/null
rb-block -d "$R" add keep.example >/dev/null
out=$(rb-block -d "$R" del ads.example.com. 2>"$T/err")
is "$?" 0 "rb-block del DOMAIN (case and final dot as typed)"
is "$(echo "$out" | jq -r .status)" ok "prints the API's reply"
is "$(rb-block -d "$R" list | jq -r '[.blacklist[].domain] | join(" ")')" \
	keep.example "and removes that entry only"
rb-block -d "$R" del ads.example.com 2>"$T/err"
is "$?" 100 "rb-block del of a domain not listed exits 100"
like "$(cat "$T/err")" "NOT_FOUND: .*ads.example.com" "NOT_FOUND names it"
id=$(rb-block -d "$R" list | jq -r '.blacklist[0].id')
rb-block -d "$R" del "$id" >/dev/null
is "$?:$(rb-block -d "$R" list | jq .total)" "0:0" "rb-block del ID still works"
rb-allow -d "$R" add Ok.Example >/dev/null
rb-allow -d "$R" del ok.example. >/dev/null 2>"$T/err"
is "$?:$(rb-allow -d "$R" list | jq .total)" "0:0" "rb-allow del DOMAIN"
rb-block -d "$R" del 'bad..name' 2>"$T/err"
is "$?" 100 "a name that is neither an id nor a domain exits 100"
like "$(cat "$T/err")" "INVALID_NAME" "as an invalid name"

# --- rb-sync status: one line ------------------------------------------------
rb-sync -d "$R" status >"$T/out"
is "$?:$(wc -l <"$T/out")" "0:1" "rb-sync status prints one line"
is "$(jq -r .role "$T/out")" master "of JSON"

# --- an import on a slave says it is a slave, once ----------------------------
S=$(tmproot)
printf 'server:\n\tmode: slave\n\tsync-master: 127.0.0.1:1\n\tsync-key: "%s"\n' \
    "$(openssl rand -hex 32)" >"$S/runbound.conf"
printf '{"domain":"a.example"}\n{"domain":"b.example"}\n' >"$T/lines"
rb-block -d "$S" import "$T/lines" >"$T/out" 2>"$T/err"
is "$?" 100 "rb-block import on a slave exits 100"
is "$(wc -l <"$T/err")" 1 "with one line on stderr"
like "$(cat "$T/err")" "^rb-block: error: READ_ONLY: .*slave" "saying it is a slave"
ok "$(grep -q 'line [0-9]' "$T/err"; [ $? = 1 ]; echo $?)" "not which line"

finish
