#!/bin/sh
# forward-tls-upstream: rb-dnsd's libunbound has no TLS, so the zone goes
# over plain DNS to the loopback forwarder (Debian's unbound on the
# run/dot.conf that rb-dnsd writes, as svc/rb-dot runs it), which speaks
# DNS over TLS to the real upstream: here another unbound serving TLS only,
# with a certificate made by openssl and given as tls-cert-bundle.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
PB=$(free_port)
PD=$(free_port)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$R/key.pem" -out "$R/cert.pem" -days 2 -subj /CN=dot.test \
	-addext subjectAltName=DNS:dot.test 2>/dev/null || bail "openssl"
cat >"$R/up.conf" <<EOF
server:
	interface: 127.0.0.1@$PB
	tls-port: $PB
	tls-service-key: "$R/key.pem"
	tls-service-pem: "$R/cert.pem"
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$R"
	pidfile: ""
	use-syslog: no
	logfile: ""
	access-control: 127.0.0.0/8 allow
	local-zone: "tls.test." static
	local-data: "x.tls.test. 300 IN A 192.0.2.53"
remote-control:
	control-enable: no
EOF
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    tls-cert-bundle: "$R/cert.pem"
forward-zone:
    name: tls.test
    forward-tls-upstream: yes
    forward-addr: 127.0.0.1@$PB#dot.test
EOF

start_bg unbound -d -c "$R/up.conf" 2>"$R/up.log"
rm -f "$R/ready"
RB_DNSD_DOT_PORT=$PD RB_DNSD_PROBE_INTERVAL=1 start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD_PID=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start: $(cat "$R/log")"

ok "$([ -s "$R/run/dot.conf" ] && echo 0 || echo 1)" "rb-dnsd writes run/dot.conf"
unbound-checkconf "$R/run/dot.conf" >"$R/check.out" 2>&1
ok $? "unbound-checkconf accepts run/dot.conf"
is "$(grep -c "forward-addr: 127.0.0.1@$PB#dot.test" "$R/run/dot.conf")" 1 \
	"dot.conf: the TLS upstream with its name"
is "$(grep -c 'forward-tls-upstream: yes' "$R/run/dot.conf")" 1 \
	"dot.conf: forward-tls-upstream"
is "$(grep -c "forward-addr: 127.0.0.1@$PD\$" "$R/run/unbound.conf")" 1 \
	"unbound.conf: the zone goes to the loopback forwarder"
is "$(sed -n 's/^\tport: //p' "$R/run/dot.conf")" "$PD" "dot.conf: its port"

# What svc/rb-dot/run does (without the user switch: the root is 0700).
start_bg unbound -d -p -c "$R/run/dot.conf" 2>"$R/dot.log"
wait_for 5 sh -c "dig @127.0.0.1 -p $PD +time=1 +tries=1 x.tls.test | grep -q NOERROR"
ok $? "the loopback forwarder answers over TLS to the upstream"
is "$(dig @127.0.0.1 -p "$P" +time=4 +tries=1 +short x.tls.test)" "192.0.2.53" \
	"rb-dnsd -> loopback forwarder -> DoT upstream"
dig @127.0.0.1 -p "$PB" +time=1 +tries=1 +tcp x.tls.test >/dev/null 2>&1
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "the upstream speaks TLS only over TCP"
wait_for 5 sh -c "rb-stats -d '$R' -u | jq -e '.upstreams[0].healthy' >/dev/null"
ok $? "TLS upstream probed with a TCP connect: healthy"
is "$(rb-stats -d "$R" -u | jq -r '.upstreams[0].addr')" "127.0.0.1@$PB" \
	"its address with the port"
stop_pid "$DNSD_PID"

# The same path as shipped: a root made by rb-conf --user runbound (0750,
# group runbound), rb-dnsd as that user, and svc/rb-dot's run script as
# rb-conf fills it in, run as root, switching to its user itself.
if [ "$(id -u)" = 0 ] && id runbound >/dev/null 2>&1; then
	T=$(tmproot)
	chmod 711 "$T"
	P2=$(free_port)
	PD2=$(free_port)
	rb-conf --templates "$TOP/svc" --bin "$RB_BIN" --user runbound \
	    --port "$P2" "$T/u" >/dev/null || bail "rb-conf"
	cp "$R/cert.pem" "$T/u/cert.pem"
	chmod 644 "$T/u/cert.pem"
	printf '    tls-cert-bundle: "%s"\nforward-zone:\n    name: tls.test\n    forward-tls-upstream: yes\n    forward-addr: 127.0.0.1@%s#dot.test\n' \
	    "$T/u/cert.pem" "$PB" >>"$T/u/runbound.conf"
	rb-conf --templates "$TOP/svc" --bin "$RB_BIN" --refresh-services "$T/u" >/dev/null
	ok "$([ -x "$T/u/service/rb-dot/run" ]; echo $?)" "rb-conf makes the rb-dot service for it"
	rm -f "$T/ready"
	RB_DNSD_DOT_PORT=$PD2 start_bg rb-dnsd -d "$T/u" -r 3 3>"$T/ready" 2>>"$T/log"
	wait_for 5 test -s "$T/ready" || bail_log "$T/log" "rb-dnsd did not start"
	start_bg sh "$T/u/service/rb-dot/run" >"$T/dot.log" 2>&1
	wait_for 5 sh -c "dig @127.0.0.1 -p $PD2 +time=1 +tries=1 x.tls.test | grep -q NOERROR"
	ok $? "svc/rb-dot as shipped answers under a 0750 root"
	is "$(dig @127.0.0.1 -p "$P2" +time=4 +tries=1 +short x.tls.test)" "192.0.2.53" \
		"rb-dnsd -> rb-dot (as runbound) -> DoT upstream"
	is "$(ps -o user= -C unbound | sort -u | grep -c runbound)" 1 "the forwarder runs as the root's user"
else
	for i in 1 2 3 4; do echo "ok $((_tap_n + 1)) # skip not root"; _tap_n=$((_tap_n + 1)); done
fi
finish
