#!/bin/sh
# make install, in the order INSTALL gives: a plain `make`, then
# `make install PREFIX=...` rebuilds what has the paths compiled in (rb-conf
# finds its templates and names its binaries under the new PREFIX), and so
# does the packaging line `make install PREFIX=/usr DESTDIR=...`; nothing
# is rebuilt when the paths are unchanged.  The manual pages have a NAME
# section (lexgrog reads every one: whatis and apropos find them), and the
# docs they cite are installed, under share/doc/runbound.  Builds the tree
# into a temporary O=.
. "$(dirname "$0")/../lib.sh"

for t in make lowdown lexgrog; do
	command -v $t >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
unset MAKEFLAGS MAKELEVEL MFLAGS
T=$(tmproot)
B="$T/build"
mk() { make -C "$TOP" --no-print-directory O="$B" "$@"; }

mk -j2 >"$T/make.log" 2>&1 || bail_log "$T/make.log" "make failed"
ok 0 "a plain make"

# --- make install PREFIX=DIR ---------------------------------------------------
P="$T/rb"
mk install PREFIX="$P" >"$T/install.log" 2>&1 || bail_log "$T/install.log" "make install failed"
like "$(cat "$T/install.log")" "-c -o $B/cmd/rb-conf/main.o cmd/rb-conf/main.c" \
	"make install PREFIX=$P recompiles rb-conf, which has the paths"
is "$(grep -c -- ' -c -o ' "$T/install.log")" 1 "and nothing else"
grep -q "/usr/local/share/runbound" "$P/bin/rb-conf"
is $? 1 "the installed rb-conf no longer names /usr/local/share/runbound"
"$P/bin/rb-conf" "$T/root" >"$T/conf.out" 2>"$T/conf.err"
ok $? "the installed rb-conf finds its templates in $P/share/runbound/svc"
grep -q "exec $P/bin/rb-dnsd " "$T/root/service/rb-dnsd/run" 2>/dev/null
ok $? "and runs the binaries of $P/bin"

mk install PREFIX="$P" >"$T/install2.log" 2>&1 || bail_log "$T/install2.log" "make install failed"
is "$(grep -c -- ' -c -o ' "$T/install2.log")" 0 "installing again with the same PREFIX rebuilds nothing"

# --- the packaging line -----------------------------------------------------------
S="$T/stage"
mk install PREFIX=/usr DESTDIR="$S" >"$T/stage.log" 2>&1 || bail_log "$T/stage.log" "make install DESTDIR failed"
grep -q "/usr/share/runbound/svc" "$S/usr/bin/rb-conf"
ok $? "PREFIX=/usr DESTDIR=$S: rb-conf has /usr/share/runbound compiled in"
grep -q "$P/" "$S/usr/bin/rb-conf"
is $? 1 "and not the previous PREFIX"

# --- manual pages and docs -----------------------------------------------------------
pages=$(find "$P/share/man" -type f | sort)
# one per doc/rb-*.md, runbound.conf.5, and rb-block, rb-allow, rb-logs
n=$(($(ls "$TOP"/doc/rb-*.md | wc -l) + 4))
is "$(echo "$pages" | wc -l)" "$n" "$n manual pages"
bad=""
for f in $pages; do
	lexgrog "$f" >/dev/null 2>&1 || bad="$bad ${f#"$P"/}"
done
is "$bad" "" "lexgrog reads the NAME line of every page"
like "$(lexgrog "$P/share/man/man8/rb-dnsd.8")" '"rb-dnsd - .+"' "rb-dnsd.8: name - description"
like "$(lexgrog "$P/share/man/man1/rb-logs.1")" '"rb-logs - .+"' "an alias page (.so) too"
like "$(head -5 "$P/share/man/man1/rb-dns.1")" '^rb-dns, rb-block, rb-allow \\- ' \
	"a page for three commands names them all"
for d in README.md INSTALL api.md cdb.md feeds.md rb-dnsd.md runbound.conf.md; do
	test -f "$P/share/doc/runbound/$d"
	ok $? "installed: share/doc/runbound/$d"
done
missing=$(grep -oh "$P/share/doc/runbound/[A-Za-z0-9._-]*\.md" "$P"/share/man/man*/* | sort -u |
	while read -r d; do [ -f "$d" ] || echo "$d"; done)
is "$missing" "" "every doc a page cites is installed"
is "$(grep -l '(doc/[a-z.-]*\.md' "$P"/share/man/man*/* | wc -l)" 0 \
	"pages cite the installed docs, not doc/ of the source tree"
finish
