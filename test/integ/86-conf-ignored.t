#!/bin/sh
# What runbound.conf accepts and ignores (issue #16): every name of
# lib/conf/names.c is listed in doc/runbound.conf.md with the reason, and
# nothing else is listed there; rb-check and the daemons say what a config
# ignores in one summary line at the end, with counts, while real warnings
# and errors stay one per line and exit codes are unchanged.
. "$(dirname "$0")/../lib.sh"

W=$(tmproot)

# The names of lib/conf/names.c: directives as they are, prefix families
# with a '*', ignored clauses with a ':'.
perl -ne '
	if (/^static const char \*const (\w+)\[\]/) { $t = $1; next }
	if (/^};/) { $t = ""; next }
	if ($t =~ /^(unbound_server|unbound_forward|runbound_extra)$/ &&
	    /^\s*"([^"]+)",/) { print "$1\n" }
	if ($t eq "runbound_prefix" && /^\s*"([^"]+)",/) { print "$1*\n" }
	if (/\{ "([^"]+)", RB_CONF_(UNBOUND|RUNBOUND) \}/) { print "$1:\n" }
' "$TOP/lib/conf/names.c" | sort >"$W/names"
n=$(wc -l <"$W/names" | tr -d ' ')
[ "$n" -gt 300 ]
ok $? "names.c: $n names read"

# The names doc/runbound.conf.md lists: the lines of "Directives accepted
# and ignored" that are nothing but `name`, `name`, ... (code blocks and
# prose skipped).
perl -ne '
	if (/^## /) { $in = /^## Directives accepted and ignored/; next }
	next unless $in;
	if (/^```/) { $code = !$code; next }
	next if $code;
	next unless /^`[^`]+`(, `[^`]+`)*,?$/;
	print "$1\n" while /`([^`]+)`/g;
' "$TOP/doc/runbound.conf.md" | sort >"$W/doc"
is "$(uniq -d "$W/doc")" "" "the doc lists each name once"
is "$(comm -23 "$W/names" "$W/doc" | tr '\n' ' ')" "" \
    "every name of names.c is in doc/runbound.conf.md"
is "$(comm -13 "$W/names" "$W/doc" | tr '\n' ' ')" "" \
    "every name the doc lists is in names.c"

# Every group of names has a reason: a prose paragraph after its heading.
perl -ne '
	if (/^## /) { $in = /^## Directives accepted and ignored/; next }
	next unless $in;
	if (/^### (.*)/) { print "$h\n" if defined $h && !$why; $h = $1;
	    $why = 0; next }
	$why = 1 if defined $h && /^[A-Za-z]/ && !/^`/;
	END { print "$h\n" if defined $h && !$why }
' "$TOP/doc/runbound.conf.md" >"$W/noreason"
is "$(cat "$W/noreason")" "" "every group says why it is ignored"

# rb-check: real warnings per line, then one summary line, exit 0.
cat >"$W/ign.conf" <<'EOF'
server:
	num-threads: 2
	prefetch: yes
	port: 5300
	prefetch: no
	api-key: "not-used"
	acme-email: "a@example.com"
	tcp-idle-timeout: 500000
stub-zone:
	name: "example."
	stub-addr: 192.0.2.1
forward-zone:
	name: "."
	forward-addr: 192.0.2.53
	forward-first: yes
stub-zone: name: "example.net."
server:
	num-threads: 4
EOF
rb-check -c "$W/ign.conf" >"$W/ign.json" 2>"$W/ign.err"
is "$?" 0 "ignored directives: exit 0"
is "$(jq .port "$W/ign.json")" 5300 "the rest of the config applies"
is "$(grep -c 'ignored' "$W/ign.err")" 1 "exactly one line names what is ignored"
is "$(tail -n 1 "$W/ign.err")" \
    "rb-check: ignored (not implemented): num-threads (2), prefetch (2), api-key (1), acme-email (1), stub-zone (2), forward-first (1)" \
    "the summary comes last: names with counts, first seen first"
is "$(head -n 1 "$W/ign.err")" \
    "rb-check: warning: $W/ign.conf:8: tcp-idle-timeout: 500000 is taken as 120000, as unbound does" \
    "a real warning stays on its own line"
is "$(wc -l <"$W/ign.err" | tr -d ' ')" 2 "nothing else on stderr"

# Nothing ignored: nothing on stderr.
printf 'server:\n\tport: 5300\n' >"$W/clean.conf"
rb-check -c "$W/clean.conf" >/dev/null 2>"$W/clean.err"
is "$?" 0 "clean config: exit 0"
is "$(cat "$W/clean.err")" "" "clean config: no summary"

# An error still stops the parse with exit 100, and no summary follows.
printf 'server:\n\tnum-threads: 2\n\tno-such-thing: 1\n' >"$W/bad.conf"
rb-check -c "$W/bad.conf" >/dev/null 2>"$W/bad.err"
is "$?" 100 "unknown directive: exit 100"
is "$(cat "$W/bad.err")" \
    "rb-check: fatal: $W/bad.conf:3: unknown directive 'no-such-thing'" \
    "unknown directive: one fatal line, no summary"

# A daemon logs the same summary once, as a warning.
R=$(tmproot)
cp "$W/ign.conf" "$R/runbound.conf"
start_ready rb-feedd "$R"
stop_pid "$LAST"
is "$(grep -c 'ignored' "$R/rb-feedd.log")" 1 "rb-feedd: one summary line"
like "$(cat "$R/rb-feedd.log")" \
    "^rb-feedd: warning: ignored \(not implemented\): num-threads \(2\), prefetch \(2\), " \
    "rb-feedd: the summary as a warning"

finish
