#!/bin/sh
# One exit-code rule for every program (doc/exit-codes.md, issue #24):
# 0 done (an empty answer is an answer); 100 permanent: running it again
# fails the same way until someone changes something (usage, bad input or
# config, a name, file or root that does not exist, an entry that exists,
# a limit, a slave refusing writes, a missing key); 111 temporary: the
# system or a peer failed (I/O, memory, a daemon not running).  rb-audit
# verify adds 1: tampered.  Each failure also says why on stderr.
. "$(dirname "$0")/../lib.sh"

T=$(tmproot)
R=$(tmproot) # a root as mkdir makes it: no runbound.conf, the defaults
S=$(tmproot) # a slave
printf 'server:\n\tmode: slave\n\tsync-master: 127.0.0.1:1\n\tsync-key: "%s"\n' \
    "$(openssl rand -hex 32)" >"$S/runbound.conf"
X=$(tmproot) # an invalid config
printf 'server:\n\tbogus: 1\n' >"$X/runbound.conf"
F=$(tmproot) # the system fails: its store and journal are not directories
touch "$F/store" "$F/journal"
K=$(tmproot) # an audit key, no audit log yet
mkdir "$K/audit"
openssl rand -hex 32 >"$K/audit/hmac.key"
chmod 600 "$K/audit/hmac.key"
N=$T/typo # no root at all
UUID=0b0e6f0e-8c1f-4f5e-9d3a-6f1c2a3b4c5d

code() { # code WANT CMD...: CMD exits WANT, and says why when it fails
	_want=$1
	shift
	"$@" >"$T/out" 2>"$T/err" </dev/null
	_got=$?
	[ "$_want" != 0 ] && [ ! -s "$T/err" ] && _got="$_got, silently"
	is "$_got" "$_want" "$(short "$*")"
	[ -s "$T/err" ] && diag "$(short "$(head -1 "$T/err")")"
}
short() { # the roots by their letters, in test names and messages
	echo "$1" | sed "s|$R|R|g; s|$S|S|g; s|$X|X|g; s|$F|F|g; s|$K|K|g;
	    s|$T/||g; s|$TOP/||g"
}

# --- rb-dns, rb-block, rb-allow ----------------------------------------------
code 100 rb-dns
code 100 rb-dns -d "$R" frob
code 100 rb-dns -d "$R" add bad..name. A 192.0.2.1
code 0 rb-dns -d "$R" add a.home. A 192.0.2.1
code 100 rb-dns -d "$R" add a.home. A 192.0.2.1 # ALREADY_EXISTS
code 100 rb-dns -d "$R" add b.home. A 192.0.2.1 x # INVALID_TTL
code 100 rb-dns -d "$R" del "$UUID"              # NOT_FOUND
code 100 rb-dns -d "$R" del not-an-id
code 100 rb-dns -d "$R" import "$T/no-such-file"
code 100 rb-dns -d "$S" add a.home. A 192.0.2.1 # READ_ONLY
code 100 rb-dns -d "$X" add a.home. A 192.0.2.1 # INVALID_CONFIG
code 100 rb-dns -d "$N" add a.home. A 192.0.2.1
code 111 rb-dns -d "$F" add a.home. A 192.0.2.1
code 0 rb-dns -d "$R" list
code 100 rb-block -d "$R" add ads.example bogus-action
code 100 rb-block -d "$R" del ads.example # NOT_FOUND
printf '{"domain":"a.example"}\n' >"$T/lines"
code 100 rb-block -d "$S" import "$T/lines"
code 100 rb-allow -d "$R" add 'bad..name'
code 100 rb-allow -d "$S" add ok.example

# --- rb-feed ------------------------------------------------------------------
code 100 rb-feed
code 100 rb-feed -d "$R" add x http://example.com/hosts # INVALID_URL
code 100 rb-feed -d "$R" del "$UUID"
code 100 rb-feed -d "$R" update "$UUID"
code 100 rb-feed -d "$S" add x https://example.com/hosts
code 100 rb-feed -d "$S" update # READ_ONLY (doc/rb-feed.md said 111)
code 100 rb-feed -d "$N" list
code 0 rb-feed -d "$R" list
code 0 rb-feed presets
code 100 rb-feed show "$T/no-such-set"
code 100 rb-feed show "$TOP/test/integ/83-exit-codes.t" # INVALID_FILE
code 100 rb-feed compile "$T/no-such-list" "$T/set"

# --- rb-audit -----------------------------------------------------------------
code 100 rb-audit
code 0 rb-audit -d "$R" tail # no log yet: no lines
code 0 rb-audit -d "$R" head # no log yet: the genesis
code 100 rb-audit -d "$R" verify  # NO_KEY
code 100 rb-audit -d "$K" verify  # a key but no log: nothing to prove
code 100 rb-audit -d "$K" verify --head nonsense
code 100 rb-audit -d "$K" verify "$T/no-such-log"
code 100 rb-audit -d "$X" verify
code 100 rb-audit -d "$N" tail

# --- rb-stats, rb-logs: rb-dnsd not running is temporary ----------------------
code 111 rb-stats -d "$R"
code 111 rb-logs -d "$R"
code 100 rb-logs -d "$R" -n 0
code 100 rb-stats -d "$N"

# --- rb-sync ------------------------------------------------------------------
code 100 rb-sync -d "$R"
code 0 rb-sync -d "$R" status
code 100 rb-sync -d "$R" resync # not a slave
code 100 rb-sync -d "$X" status
code 100 rb-sync -d "$N" status

# --- rb-zone ------------------------------------------------------------------
printf 'not a zone\n' >"$T/zones.bad"
code 100 rb-zone -d "$R"
code 100 rb-zone -d "$R" build "$T/zones.bad"
code 100 rb-zone -d "$R" build "$T/no-such-zone"
code 100 rb-zone -d "$R" rollback "$UUID"
code 0 rb-zone -d "$R" versions
code 100 rb-zone -d "$S" build
code 100 rb-zone -d "$X" build
code 100 rb-zone -d "$N" build

# --- rb-data, rb-check, rb-conf -----------------------------------------------
code 100 rb-data -d "$R" -f
code 100 rb-data -d "$X"
code 100 rb-data -d "$N"
code 111 rb-data -d "$F"
code 0 rb-data -d "$R"
code 100 rb-check -d "$X"
code 100 rb-check -c "$T/no-such.conf"
code 100 rb-conf --templates "$TOP/svc" "$R" # exists
code 100 rb-conf --slave nocolon "$T/new"
code 100 rb-conf --templates "$T/no-svc" "$T/new"

# --- started by rb-dnsd: rb-axfr, rb-notify -----------------------------------
code 100 rb-axfr -d "$R" # fd 0 is not a socket
code 100 rb-axfr -d "$N"
code 100 rb-notify -d "$X"
code 100 rb-notify -d "$N"
code 0 rb-notify -d "$R"

# --- daemons: what s6 must not retry is 100 (finish makes it 125) -------------
for d in rb-dnsd rb-apid rb-auditd rb-feedd rb-syncd; do
	code 100 "$d" -x
	code 100 "$d" -d "$X"
	code 100 timeout 10 "$d" -d "$N"
done

finish
