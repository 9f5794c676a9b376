#!/bin/sh
# Local zones as unbound 1.17 answers them, side by side with a real
# unbound given the same local-zone and local-data lines: rcode, flags and
# every section of each answer must match.  Covers a static zone's apex
# with records below it (NOERROR, an empty non-terminal) and without
# (NXDOMAIN), empty non-terminals below the apex, redirect, and a
# transparent zone's own data.  Names unbound would resolve are left out:
# neither server has an upstream here.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
PU=$(free_port)
PR=$(free_port)
zones='    local-zone: "lab.internal." static
    local-data: "a.lab.internal. A 10.0.0.1"
    local-data: "b.c.lab.internal. A 10.0.0.2"
    local-zone: "empty.internal." static
    local-zone: "rd.internal." redirect
    local-data: "rd.internal. A 10.0.0.3"
    local-zone: "tr.internal." transparent
    local-data: "x.tr.internal. TXT \"hi\""'
printf 'server:
    interface: 127.0.0.1@%s
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "%s"
    pidfile: ""
    use-syslog: no
    logfile: ""
    access-control: 127.0.0.0/8 allow
%s
' "$PU" "$R" "$zones" >"$R/up.conf"
printf 'server:\n    interface: 127.0.0.1@%s\n%s\n' "$PR" "$zones" >"$R/runbound.conf"
start_bg unbound -d -c "$R/up.conf" 2>"$R/up.log"
UPID=$!
wait_for 10 sh -c "dig @127.0.0.1 -p $PU +time=1 +tries=1 a.lab.internal | grep -q NOERROR" ||
	bail "unbound did not start: $(cat "$R/up.log")"
rb-data -d "$R" >/dev/null || bail "rb-data"
start_ready rb-dnsd "$R"

# The answer without what differs by nature: id, cookie, query time.
answer() { # answer PORT NAME TYPE
	dig @127.0.0.1 -p "$1" +nocookie +time=2 +tries=1 "$2" "$3" |
		grep -E '^;; ->>HEADER|^;; flags|^[^;].*IN' |
		sed 's/id: [0-9]*//; s/ADDITIONAL: [0-9]*//'
}
for q in "lab.internal SOA" "lab.internal A" "c.lab.internal A" \
    "a.lab.internal A" "a.lab.internal MX" "x.lab.internal A" \
    "empty.internal A" "x.empty.internal A" "rd.internal A" \
    "x.y.rd.internal A" "rd.internal MX" "x.tr.internal TXT" \
    "x.tr.internal A"; do
	set -- $q
	is "$(answer "$PR" "$1" "$2")" "$(answer "$PU" "$1" "$2")" \
		"$1 $2: as unbound answers it"
done
stop_pid "$UPID"
finish
