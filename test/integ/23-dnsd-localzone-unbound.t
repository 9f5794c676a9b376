#!/bin/sh
# Local zones as unbound 1.17 answers them, side by side with a real
# unbound given the same local-zone and local-data lines: rcode, flags and
# every section of each answer must match.  Covers a static zone's apex
# with records below it (NOERROR, an empty non-terminal) and without
# (NXDOMAIN), empty non-terminals below the apex, redirect, a transparent
# zone's own data, refuse, typetransparent, always_nxdomain,
# always_refuse, inform, inform_redirect and deny, and unbound's default
# zones (localhost, the loopback reverse zones, home.arpa, onion, test,
# invalid, AS112), one of them replaced by the config and one holding a
# local-data-ptr.  Names unbound
# would resolve are left out: neither server has an upstream here.
# Then, on rb-dnsd alone: unblock-lan-zones and nodefault; a forward-zone
# inside a default zone is forwarded (here to the unbound above, which
# serves fw.test. itself); a root fresh from rb-conf answers them too.
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
    local-data: "x.tr.internal. TXT \"hi\""
    local-zone: "rf.internal." refuse
    local-data: "a.rf.internal. A 10.0.1.1"
    local-zone: "tt.internal." typetransparent
    local-data: "a.tt.internal. A 10.0.1.2"
    local-zone: "an.internal." always_nxdomain
    local-data: "a.an.internal. A 10.0.1.3"
    local-zone: "ar.internal." always_refuse
    local-zone: "inf.internal." inform
    local-data: "a.inf.internal. A 10.0.1.5"
    local-zone: "ir.internal." inform_redirect
    local-data: "ir.internal. A 10.0.1.6"
    local-zone: "dn.internal." deny
    local-data: "a.dn.internal. A 10.0.1.7"
    local-zone: "16.172.in-addr.arpa." transparent
    local-data-ptr: "172.16.0.5 nas.lab.internal"
    local-data-ptr: "192.168.1.20 printer.lab.internal"'
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
    local-zone: "fw.test." static
    local-data: "a.fw.test. A 10.9.9.9"
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
    "x.tr.internal A" "a.rf.internal A" "b.rf.internal A" "rf.internal A" \
    "a.tt.internal A" "a.an.internal A" "x.an.internal A" "an.internal A" \
    "x.ar.internal A" "a.inf.internal A" \
    "x.ir.internal A" "a.dn.internal A" "b.dn.internal A" "localhost A" "localhost AAAA" "localhost NS" \
    "x.localhost A" "x.y.localhost AAAA" "localhost TXT" \
    "127.in-addr.arpa SOA" "1.0.0.127.in-addr.arpa PTR" \
    "2.0.0.127.in-addr.arpa PTR" \
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa PTR" \
    "home.arpa SOA" "x.home.arpa A" "onion NS" "x.onion A" "test SOA" \
    "x.test A" "invalid MX" "10.in-addr.arpa SOA" "1.2.10.in-addr.arpa PTR" \
    "20.1.168.192.in-addr.arpa PTR" "21.1.168.192.in-addr.arpa PTR" \
    "5.0.16.172.in-addr.arpa PTR" "100.100.in-addr.arpa NS" \
    "1.255.255.255.255.in-addr.arpa PTR" "d.f.ip6.arpa SOA" \
    "8.b.d.0.1.0.0.2.ip6.arpa SOA"; do
	set -- $q
	is "$(answer "$PR" "$1" "$2")" "$(answer "$PU" "$1" "$2")" \
		"$1 $2: as unbound answers it"
done

# unblock-lan-zones: yes takes the AS112 zones away (here nothing
# answers them: REFUSED, no upstream), not localhost's; nodefault takes
# one zone away.
st() { dig @127.0.0.1 -p "$PR" +time=2 +tries=1 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
is "$(st 1.2.10.in-addr.arpa PTR)" NXDOMAIN "10.in-addr.arpa. is answered by default"
printf 'server:\n    interface: 127.0.0.1@%s\n    unblock-lan-zones: yes\n    local-zone: "test." nodefault\n' \
	"$PR" >"$R/runbound.conf"
rb-data -d "$R" >/dev/null || bail "rb-data"
kill -HUP "$LAST"
wait_for 5 sh -c "[ \"\$(dig @127.0.0.1 -p $PR +time=1 +tries=1 1.2.10.in-addr.arpa PTR | grep -c REFUSED)\" = 1 ]"
ok $? "unblock-lan-zones: yes: 10.in-addr.arpa. is not answered here"
is "$(st x.test A)" REFUSED "nodefault: test. is not answered here"
is "$(st x.invalid A)" NXDOMAIN "invalid. still is"
is "$(dig @127.0.0.1 -p "$PR" +short localhost A)" 127.0.0.1 "and localhost."

printf 'server:\n    interface: 127.0.0.1@%s\nforward-zone:\n    name: fw.test\n    forward-addr: 127.0.0.1@%s\n' \
	"$PR" "$PU" >"$R/runbound.conf"
rb-data -d "$R" >/dev/null || bail "rb-data"
kill -HUP "$LAST"
wait_for 5 sh -c "dig @127.0.0.1 -p $PR +time=1 +tries=1 +short a.fw.test | grep -q 10.9.9.9"
ok $? "a forward-zone inside test. is forwarded"
is "$(dig @127.0.0.1 -p "$PR" +time=2 +tries=1 b.test A | grep -c 'status: NXDOMAIN')" 1 \
	"the rest of test. is still answered here"
stop_pid "$LAST"
stop_pid "$UPID"

F=$(tmproot)
PF=$(free_port)
rb-conf --templates "$TOP/svc" --bin "$RB_BIN" --port "$PF" "$F/r" >/dev/null ||
	bail "rb-conf"
sed -i "s/^\( *interface:\).*/\1 127.0.0.1/" "$F/r/runbound.conf"
start_ready rb-dnsd "$F/r"
is "$(dig @127.0.0.1 -p "$PF" +time=2 +tries=1 +short localhost A)" 127.0.0.1 \
	"a root fresh from rb-conf answers localhost."
is "$(dig @127.0.0.1 -p "$PF" +time=2 +tries=1 1.1.168.192.in-addr.arpa PTR |
    grep -c 'status: NXDOMAIN')" 1 "and the AS112 zones"
stop_pid "$LAST"
finish
