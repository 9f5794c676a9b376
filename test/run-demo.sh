#!/bin/sh
# make run: a demo state root in ./var (made once), its s6 service
# directories, and s6-svscan in the foreground.  Ctrl-C stops everything.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/gcc/bin
V=${RB_DEMO_ROOT:-$top/var}

make_root() {
	mkdir -p "$V"
	cat > "$V/runbound.conf" <<'CONF'
# runbound-c demo configuration (unbound.conf syntax; doc/runbound.conf.md)
server:
	interface: 127.0.0.1
	port: 5353
	access-control: 127.0.0.0/8 allow
	access-control: ::1/128 allow
	# Names under home. answer from local data; anything else under it is
	# NXDOMAIN.
	local-zone: "home." static
	local-data: "router.home. 300 IN A 192.168.1.1"
	local-data-ptr: "192.168.1.1 router.home"
	log-retention: 1000
	log-client-ip: yes
	api-port: 8081
	sync-port: 8082
CONF
	umask 077
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$V/api.key"
	umask 022
	"$bin/rb-dns" -d "$V" add nas.home. A 192.168.1.10 >/dev/null
	"$bin/rb-dns" -d "$V" add printer.home. A 192.168.1.20 >/dev/null
	"$bin/rb-dns" -d "$V" add www.home. CNAME nas.home. >/dev/null
	"$bin/rb-dns" -d "$V" add home. MX "10 nas.home." >/dev/null
	"$bin/rb-block" -d "$V" add ads.example.com nxdomain >/dev/null
	"$bin/rb-block" -d "$V" add tracker.example.net refuse >/dev/null
	echo "run: created the demo state root $V"
}

make_service() { # make_service NAME
	d=$V/service/$1
	rm -rf "$d"
	mkdir -p "$d/log" "$V/log/$1"
	for f in run finish notification-fd log/run; do
		sed -e "s|@ROOT@|$V|g" -e "s|@BIN@|$bin|g" \
		    -e "s|@LOGDIR@|$V/log/$1|g" "$top/svc/$1/$f" > "$d/$f"
	done
	chmod +x "$d/run" "$d/finish" "$d/log/run"
}

[ -f "$V/runbound.conf" ] || make_root
"$bin/rb-check" -d "$V" >/dev/null
for s in rb-dnsd; do make_service "$s"; done
echo "run: DNS on 127.0.0.1:5353; logs in $V/log; Ctrl-C stops"
echo "run: try: dig @127.0.0.1 -p 5353 nas.home"
exec s6-svscan "$V/service"
