#!/bin/sh
# make run: a demo state root in ./var, made once with rb-conf (DNS on
# 127.0.0.1:5353, demo records and blocklist, the audit log on), its s6
# service directories refreshed from svc/, and s6-svscan in the
# foreground.  Ctrl-C stops every daemon.  Started as root, the daemons
# and their loggers run as the system user runbound (make deps adds it):
# the root is made with rb-conf --user runbound.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${RB_BIN:-$top/build/gcc/bin}
V=${RB_DEMO_ROOT:-$top/var}
user=""
if [ "$(id -u)" = 0 ]; then
	user=runbound
	# The daemons, once they are runbound, must reach ./var: a checkout
	# under a private directory (/root) keeps them out.
	if [ -z "${RB_DEMO_ROOT:-}" ] &&
	    ! s6-setuidgid "$user" test -x "$top"; then
		V=/var/lib/runbound-demo
		echo "run: $user cannot enter $top: the demo root is $V"
	fi
fi

# The ports (for tests, which pick free ones).
dns_port=${RB_DEMO_DNS_PORT:-5353}
api_port=${RB_DEMO_API_PORT:-8081}
sync_port=${RB_DEMO_SYNC_PORT:-8082}

make_root() {
	"$bin/rb-conf" --templates "$top/svc" --bin "$bin" --port "$dns_port" \
	    --api-port "$api_port" --sync-port "$sync_port" --audit-log \
	    ${user:+--user "$user"} "$V" >/dev/null
	cat >> "$V/runbound.conf" <<'CONF'

# Demo data (make run): names under home. answer from local data; other
# names under home. are NXDOMAIN.
server:
	local-zone: "home." static
	local-data: "router.home. 300 IN A 192.168.1.1"
	local-data-ptr: "192.168.1.1 router.home"
	log-client-ip: yes
CONF
	"$bin/rb-dns" -d "$V" add nas.home. A 192.168.1.10 >/dev/null
	"$bin/rb-dns" -d "$V" add printer.home. A 192.168.1.20 >/dev/null
	"$bin/rb-dns" -d "$V" add www.home. CNAME nas.home. >/dev/null
	"$bin/rb-dns" -d "$V" add home. MX "10 nas.home." >/dev/null
	"$bin/rb-block" -d "$V" add ads.example.com nxdomain >/dev/null
	"$bin/rb-block" -d "$V" add tracker.example.net refuse >/dev/null
	echo "run: created the demo state root $V"
}

[ -f "$V/runbound.conf" ] || make_root
"$bin/rb-check" -d "$V" >/dev/null
"$bin/rb-conf" --refresh-services --templates "$top/svc" --bin "$bin" "$V"
echo "run: DNS on 127.0.0.1:$dns_port; logs in $V/log; Ctrl-C stops"
echo "run: try: dig @127.0.0.1 -p $dns_port nas.home"
exec s6-svscan "$V/service"
