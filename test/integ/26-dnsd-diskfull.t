#!/bin/sh
# A full filesystem under the state root: rb-dnsd allocates run/stats.shm
# whole when it starts, so a disk that fills later cannot kill it with
# SIGBUS when a query touches a page of the mapping (the counters, the log
# ring), and a start on a full disk fails cleanly (exit 111, one line
# saying why) instead of dying of SIGBUS at every restart.  The root sits
# on a 2 MB tmpfs: needs root to mount it.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: mounting a small tmpfs needs root"
	exit 0
fi
M="$_top/mnt"
mkdir "$M" || bail "mkdir $M"
if ! mount -t tmpfs -o size=2m,mode=0755 tmpfs "$M" 2>/dev/null; then
	echo "1..0 # SKIP unable to mount a tmpfs (no CAP_SYS_ADMIN?)"
	exit 0
fi
_diskfull_cleanup() {
	for _p in $_pids; do stop_pid "$_p"; done
	umount "$M" 2>/dev/null || umount -l "$M"
	_cleanup
}
trap _diskfull_cleanup EXIT

R="$M/root"
P=$(free_port)
mkdir "$R" && cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
EOF
rb-dns -d "$R" add nas.home. A 192.168.1.10 >/dev/null || bail "unable to fill $R"

fill() { dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null; }
alive() { # alive PID: running, not a zombie
	[ -r "/proc/$1/stat" ] && [ "$(cut -d')' -f2 </proc/$1/stat | cut -d' ' -f2)" != Z ]
}
answer() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 +short "$@"; }

# --- the disk fills while rb-dnsd runs ---------------------------------------
start_ready rb-dnsd "$R"
DNSD=$LAST
fill
is "$(df -k "$M" | awk 'NR == 2 { print $4 }')" 0 "the filesystem is full"
for i in 1 2 3 4 5 6 7 8 9 10; do
	answer "q$i.example" >/dev/null
done
ok "$(alive "$DNSD"; echo $?)" "rb-dnsd survives ten queries on a full disk"
is "$(answer nas.home)" 192.168.1.10 "and still answers"
is "$(rb-stats -d "$R" | jq .total)" 11 "every query counted"
is "$(rb-logs -d "$R" | jq .total)" 11 "and logged"
stop_pid "$DNSD"

# --- a start on a full disk -----------------------------------------------------
rm -f "$R/ready"
timeout 10 rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>"$_top/start.log"
is $? 111 "a start on a full disk exits 111, not SIGBUS (135)"
like "$(cat "$_top/start.log")" '^rb-dnsd: fatal: .*No space left on device' \
	"with one line saying why"
ok "$([ ! -s "$R/ready" ]; echo $?)" "never announcing readiness"
is "$(find "$R/run" -name '.*.tmp.*' | wc -l)" 0 "no temporary file left behind"

# --- room again --------------------------------------------------------------
rm -f "$M/fill"
start_ready rb-dnsd "$R"
is "$(answer nas.home)" 192.168.1.10 "with room again, rb-dnsd starts and answers"
stop_pid "$LAST"
finish
