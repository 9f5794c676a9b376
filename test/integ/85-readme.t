#!/bin/sh
# Every sh block of README.md runs as written (#24): from the checkout,
# each in a shell of its own (sh -e, bin/ as the checkout has it), and
# what a block leaves running is stopped when it ends.  A block that
# cannot run here says why in an HTML comment just above it ("not run by
# test/integ/85-readme.t: ..."); nothing else is skipped.
. "$(dirname "$0")/../lib.sh"

W=$(tmproot)
# README.md's sh blocks into $W/block.N, "N run|skip" lines on stdout.
perl -e '
	my ($dir) = @ARGV; my ($n, $in, $skip, $prev, $fh) = (0, 0, 0, "");
	while (<STDIN>) {
		if (!$in && /^```sh\s*$/) {
			$n++; $in = 1;
			$skip = $prev =~ /-->\s*$/ && $seen_comment ? 1 : 0;
			open($fh, ">", "$dir/block.$n") or die;
			next;
		}
		if ($in && /^```\s*$/) {
			$in = 0; close $fh;
			print "$n ", $skip ? "skip" : "run", "\n";
			next;
		}
		print $fh $_ if $in;
		$seen_comment = 1 if /<!-- not run by test\/integ\/85-readme\.t/;
		$seen_comment = 0 if !$in && /^\s*$/ && $prev !~ /./;
		$prev = $_ unless /^\s*$/;
		$seen_comment = 0 if $in;
	}' "$W" <"$TOP/README.md" >"$W/blocks"
ok "$([ "$(grep -c run "$W/blocks")" -ge 2 ]; echo $?)" \
	"README.md has sh blocks to run ($(grep -c run "$W/blocks") run, $(grep -c skip "$W/blocks") say why not)"

# Each block runs in a session of its own, so that what it starts in the
# background goes with it; 120 s at most.
while read -r n what; do
	[ "$what" = run ] || continue
	(cd "$TOP" && exec timeout -s KILL 120 setsid -w sh -c \
	    'echo $$ >"$1"; exec sh -e "$2"' sh "$W/pid.$n" "$W/block.$n") \
	    >"$W/out.$n" 2>&1
	rc=$?
	[ -s "$W/pid.$n" ] && kill -TERM -- "-$(cat "$W/pid.$n")" 2>/dev/null
	is "$rc" 0 "block $n runs as written ($(sed -n '1p' "$W/block.$n"))"
	[ "$rc" = 0 ] || sed 's/^/# /' "$W/out.$n" | tail -15
done <"$W/blocks"
finish
