#!/bin/sh
# interface: given by name, as unbound allows: lo@PORT listens on every
# address lo has (127.0.0.1, and ::1 when present); an unknown name is a
# startup error (exit 100); rb-check keeps the name.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: lo@$P
    rate-limit: 0
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "rb-dns"

is "$(rb-check -d "$R" | jq -c '.interface')" \
	"[{\"addr\":\"lo\",\"port\":$P,\"name\":true}]" "rb-check: lo is a name"

start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
like "$(cat "$R/log")" "info: interface lo: address 127\.0\.0\.1@$P" \
	"lo resolved to 127.0.0.1"
is "$(dig @127.0.0.1 -p "$P" +time=2 +tries=1 +short nas.home A)" \
	192.168.1.10 "dig @127.0.0.1 over UDP"
is "$(dig @127.0.0.1 -p "$P" +time=2 +tries=1 +tcp +short nas.home A)" \
	192.168.1.10 "dig @127.0.0.1 over TCP"
if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
	like "$(cat "$R/log")" "info: interface lo: address ::1@$P" \
		"lo resolved to ::1"
	is "$(dig @::1 -p "$P" +time=2 +tries=1 +short nas.home A)" \
		192.168.1.10 "dig @::1 over UDP"
	is "$(dig @::1 -p "$P" +time=2 +tries=1 +tcp +short nas.home A)" \
		192.168.1.10 "dig @::1 over TCP"
else
	ok 0 "# skip no ::1 on lo"
	ok 0 "# skip no ::1 on lo"
	ok 0 "# skip no ::1 on lo"
fi
stop_pid "$DNSD"

# do-ip6: no keeps lo's IPv6 address out.
P2=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: lo@$P2
    do-ip6: no
EOF
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -v -r 3 3>"$R/ready" 2>"$R/log2"
DNSD=$!
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"
is "$(grep -c 'debug: listening on ' "$R/log2")" 2 \
	"do-ip6: no: only 127.0.0.1, UDP and TCP"
unlike_log=$(grep -c 'interface lo: address ::1' "$R/log2")
is "$unlike_log" 0 "and only the addresses served are logged"
stop_pid "$DNSD"

# An interface listed by name and by one of its addresses: one socket.
P3=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: lo@$P3
    interface: 127.0.0.1@$P3
    do-ip6: no
EOF
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -v -r 3 3>"$R/ready" 2>"$R/log3"
DNSD=$!
wait_for 5 test -s "$R/ready"
ok $? "lo and 127.0.0.1 on one port: rb-dnsd starts"
is "$(dig @127.0.0.1 -p "$P3" +time=2 +tries=1 +short nas.home A)" \
	192.168.1.10 "and answers"
stop_pid "$DNSD"

# A name no interface has: exit 100 with a clear message.
cat >"$R/runbound.conf" <<EOF
server:
    interface: nosuchif0@$P2
EOF
err=$(rb-dnsd -d "$R" 2>&1)
is "$?" 100 "unknown interface: exit 100"
like "$err" "fatal: interface nosuchif0: no such network interface" \
	"and says which"
finish
