#!/bin/sh
# rb-dnsd step 8 with dnssec-validation: a zone signed with ldns-signzone,
# served by nsd, its key as trust-anchor-file.  Secure answers get AD for
# clients that ask, RRSIGs and NSECs only with DO, a record changed after
# signing is bogus (SERVFAIL, data with CD), and the secure, bogus and
# insecure counters move.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
PN=$(free_port)
mkdir "$R/nsd"
cd "$R/nsd" || bail "cd"
cat >sec.zone <<EOF
\$ORIGIN sec.test.
\$TTL 300
@	IN SOA ns h 1 3600 600 86400 60
	IN NS ns
ns	IN A 127.0.0.1
good	IN A 192.0.2.30
bad	IN A 192.0.2.31
EOF
cat >plain.zone <<EOF
\$ORIGIN plain.test.
\$TTL 300
@	IN SOA ns h 1 3600 600 86400 60
	IN NS ns
www	IN A 192.0.2.40
EOF
K=$(ldns-keygen -a ECDSAP256SHA256 -k sec.test) || bail "ldns-keygen"
ldns-signzone sec.zone "$K" || bail "ldns-signzone"
# Change a signed record: its RRSIG no longer matches.
sed -i 's/^\(bad\.sec\.test\.[[:space:]].*IN[[:space:]]*A[[:space:]]*\)192\.0\.2\.31/\1192.0.2.66/' \
	sec.zone.signed
grep -q 192.0.2.66 sec.zone.signed || bail "unable to tamper with the zone"
cp "$K.key" "$R/sec.key"
cd - >/dev/null || bail "cd"

cat >"$R/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$PN
	username: ""
	chroot: ""
	zonesdir: "$R/nsd"
	database: ""
	zonelistfile: "$R/nsd/zone.list"
	xfrdfile: "$R/nsd/xfrd.state"
	xfrdir: "$R/nsd"
	pidfile: ""
	logfile: "$R/nsd/nsd.log"
remote-control:
	control-enable: no
zone:
	name: "sec.test."
	zonefile: "sec.zone.signed"
zone:
	name: "plain.test."
	zonefile: "plain.zone"
EOF
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    dnssec-validation: yes
    trust-anchor-file: sec.key
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$PN
EOF

start_bg nsd -d -c "$R/nsd/nsd.conf"
wait_for 5 sh -c "dig @127.0.0.1 -p $PN +time=1 +tries=1 good.sec.test | grep -q NOERROR" ||
	bail "nsd did not start: $(cat "$R/nsd/nsd.log")"
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD_PID=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start: $(cat "$R/log")"

q() { dig @127.0.0.1 -p "$P" +time=4 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
fl() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }

is "$(grep -c 'trust-anchor-file: "'"$R"'/sec.key"' "$R/run/unbound.conf")" 1 \
	"trust-anchor-file relative to the state root"
is "$(q +short good.sec.test)" "192.0.2.30" "secure name answers"
is "$(fl +noadflag good.sec.test)" "qr rd ra" "no AD when the client did not ask"
is "$(fl +noadflag +adflag good.sec.test)" "qr rd ra ad" "AD when the client set AD"
is "$(fl +noadflag +dnssec good.sec.test)" "qr rd ra ad" "AD when the client set DO"
is "$(q good.sec.test | grep -c RRSIG)" 0 "no RRSIG without DO"
is "$(q +dnssec good.sec.test | grep -c 'IN[[:space:]]RRSIG')" 1 "RRSIG with DO"
is "$(q +dnssec good.sec.test | grep -c 'flags: do;')" 1 "DO echoed in the OPT"
is "$(q +dnssec nope.sec.test | grep -c 'IN[[:space:]]NSEC')" 2 \
	"NXDOMAIN with DO: NSEC records"
is "$(q nope.sec.test | grep -c 'NSEC')" 0 "... and none without DO"
is "$(q nope.sec.test | grep -c 'IN[[:space:]]SOA')" 1 "... but the SOA"
is "$(st bad.sec.test)" "SERVFAIL" "bogus: SERVFAIL"
is "$(q +cd +short bad.sec.test)" "192.0.2.66" "bogus with CD: the data"
is "$(fl +cd +dnssec bad.sec.test)" "qr rd ra cd" "... without AD"
is "$(q +short www.plain.test)" "192.0.2.40" "unsigned zone: insecure, answered"
is "$(fl +dnssec www.plain.test)" "qr rd ra" "... without AD"
q good.sec.test >/dev/null
s=$(rb-stats -d "$R")
is "$(echo "$s" | jq -c '.dnssec | [.secure > 0, .bogus > 0, .insecure > 0]')" \
	"[true,true,true]" "dnssec counters secure, bogus, insecure"
is "$(echo "$s" | jq '.servfail')" 1 "one SERVFAIL (the bogus one)"
is "$(rb-logs -d "$R" -a servfail | jq -r '.entries[0].name')" "bad.sec.test." \
	"bogus logged as servfail"
stop_pid "$DNSD_PID"

# unbound's way, Debian's default: an auto-trust-anchor-file alone turns
# validation on (the file is read, not written); dnssec-validation: no
# turns it off again.
restart() {
	rm -f "$R/ready"
	start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
	DNSD_PID=$!
	wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start: $(cat "$R/log")"
}
sed -i -e '/dnssec-validation/d' \
    -e 's/trust-anchor-file: sec.key/auto-trust-anchor-file: sec.key/' "$R/runbound.conf"
restart
is "$(rb-check -d "$R" | jq -c '[.dnssec_validation, (.trust_anchor_file | length)]')" \
	"[true,1]" "auto-trust-anchor-file: validation on, one anchor"
is "$(fl +noadflag +adflag good.sec.test)" "qr rd ra ad" "auto-trust-anchor-file: AD"
is "$(st bad.sec.test)" "SERVFAIL" "auto-trust-anchor-file: bogus is SERVFAIL"
stop_pid "$DNSD_PID"
sed -i '/^forward-zone:/,$d' "$R/runbound.conf"
printf 'server:\n    dnssec-validation: no\nforward-zone:\n    name: "."\n    forward-addr: 127.0.0.1@%s\n' \
    "$PN" >>"$R/runbound.conf"
restart
is "$(rb-check -d "$R" | jq .dnssec_validation)" false "dnssec-validation: no wins"
is "$(q +short bad.sec.test)" "192.0.2.66" "... and bogus data is answered"
stop_pid "$DNSD_PID"
finish
