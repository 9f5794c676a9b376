#!/bin/sh
# Once the journal holds a write, the write is committed (DESIGN.md
# contract 3): when making it visible fails (data/ unwritable, a full
# disk) it is acknowledged all the same, with a warning, and shown by the
# next daemon start; and a delete still goes through on a disk too full
# for anything large, while a large import there fails and changes
# nothing.  Uses tmpfs mounts: root only.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # skip needs root (tmpfs mounts)"
	exit 0
fi

# --- committed, not yet visible -----------------------------------------
R=$(tmproot)
P=$(free_port)
printf 'server:\n    interface: 127.0.0.1@%s\n' "$P" >"$R/runbound.conf"
rb-block -d "$R" add first.example >/dev/null || bail "first add"
tmpfs_at "$R/data" 1m ro || bail "mount"
out=$(rb-block -d "$R" add late.example nxdomain 2>&1)
is $? 0 "a write the journal took is acknowledged though data/ is read-only"
like "$out" "committed, not yet visible" "with a warning that says so"
is "$(rb-block -d "$R" list | jq -r '[.blacklist[].domain] | join(",")')" \
	"first.example,late.example" "and listed at once"
umount "$R/data" || bail "umount"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail_log "$R/log" "rb-dnsd did not start"
is "$(dig @127.0.0.1 -p "$P" +time=1 +tries=1 late.example |
    sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" NXDOMAIN \
	"rb-dnsd's start made it visible (blocked: NXDOMAIN)"

# --- a nearly full disk -----------------------------------------------------
T=$(tmproot)
tmpfs_at "$T/fs" 8m || bail "mount"
F=$T/fs/root
mkdir "$F"
perl -e 'printf "{\"domain\":\"d%d.full.example\"}\n", $_ for 1..10000' >"$T/imp"
rb-block -d "$F" import "$T/imp" >/dev/null && rb-data -d "$F" >/dev/null ||
	bail "import"
# Fill the disk, then give back 100 KiB: room for a small write only.
dd if=/dev/zero of="$T/fs/fill" bs=64k 2>/dev/null
truncate -s -100K "$T/fs/fill"
id=$(rb-block -d "$F" list | jq -r '.blacklist[0].id')
rb-block -d "$F" del "$id" >/dev/null 2>"$T/err"
is $? 0 "a delete goes through on a nearly full disk"
is "$(rb-block -d "$F" list | jq '.blacklist | length')" 9999 "and took the entry away"
perl -e 'printf "{\"domain\":\"n%d.new.example\"}\n", $_ for 1..20000' >"$T/imp2"
before=$(cd "$F" && find store journal data -type f ! -name '.*' -print0 |
    sort -z | xargs -0 sha256sum)
rb-block -d "$F" import "$T/imp2" >/dev/null 2>"$T/err"
is $? 111 "a 20,000-line import there fails (no room for its journal file)"
like "$(cat "$T/err")" "No space left on device" "saying why"
is "$(cd "$F" && find store journal data -type f ! -name '.*' -print0 |
    sort -z | xargs -0 sha256sum)" "$before" "and changes nothing"
is "$(find "$F" -name '.*.tmp.*' | wc -l)" 0 "nor leaves a temporary file"
finish
