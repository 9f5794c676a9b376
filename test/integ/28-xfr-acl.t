#!/bin/sh
# An IXFR over UDP is a query like any other: access-control and the rate
# limit decide before the zone's SOA is sent (it was answered ahead of the
# pipeline once, so a client over its rate limit still got SOAs).
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
mkdir -p "$R/zones"
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 2
    access-control: 127.0.0.0/8 allow
    access-control: 127.0.0.3/32 refuse
    allow-transfer: 127.0.0.0/8
EOF
cat >"$R/zones/zones.acl.test" <<'EOF'
$ORIGIN acl.test.
$TTL 300
@	IN SOA	ns1.acl.test. hostmaster.acl.test. 7 3600 600 86400 60
@	IN NS	ns1
ns1	IN A	192.0.2.53
EOF
rb-zone -d "$R" build >/dev/null || bail "rb-zone build failed"
start_ready rb-dnsd "$R"

status() { # status SOURCE: the rcode of an IXFR=1 over UDP from SOURCE
	dig @127.0.0.1 -p "$P" -b "$1" +notcp +comments +time=2 +tries=1 \
	    acl.test IXFR=1 2>&1 | sed -n 's/.*status: \([A-Z]*\).*/\1/p' |
	    head -1
}

is "$(status 127.0.0.1)" NOERROR "IXFR over UDP from an allowed client: answered"
is "$(dig @127.0.0.1 -p "$P" -b 127.0.0.2 +notcp +short acl.test IXFR=1 |
    awk '{print $3}')" 7 "with the zone's SOA"
is "$(status 127.0.0.3)" REFUSED "from a client access-control refuses: REFUSED"

# rate-limit: 2 (burst 4): ten at once from one client, the rest REFUSED.
refused=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(status 127.0.0.4)" = REFUSED ] && refused=$((refused + 1))
done
ok "$([ "$refused" -ge 4 ] && echo 0 || echo 1)" \
	"over its rate limit, an IXFR over UDP is REFUSED ($refused of 10)"
finish
