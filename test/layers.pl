#!/usr/bin/perl
# The floor plan's check (doc/hacking.md): lib/ is folders by concern, each a
# layer, lowest first in LAYERS.  A file may include and call only its own
# layer and those below; every global symbol a file defines is named after
# it (rb_<file>... or rb_<layer>_<file>...), so that a name finds its file.
#
#   perl test/layers.pl "base sys ..." OBJ...
#
# reads lib/*/*.[ch] for includes and the objects of lib/ (nm) for calls
# and definitions.  Prints one line per offence, naming the file and line, and
# exits 1 when there is any.
use strict;
use warnings;

my ($order, @objs) = @ARGV;
die "usage: layers.pl 'LAYER ...' OBJ...\n" unless @objs;
my @layers = split ' ', $order;
my %rank;
@rank{@layers} = (0 .. $#layers);

# Symbols that keep a name older than their file's, each with its reason.
my %exempt = (
	# log.c's one fatal exit, called in every program as rb_die.
	'base/log:rb_die' => 1,
);

my @bad;

# Every file of lib/ sits in a layer folder.
for my $f (glob('lib/*')) {
	next if -d $f;
	push @bad, "$f: a file at the top of lib/: it belongs in a layer folder";
}
for my $d (glob('lib/*/')) {
	$d =~ s{^lib/|/$}{}g;
	push @bad, "lib/$d/: a folder that is not a layer (Makefile LAYERS)"
	    unless exists $rank{$d};
}

# Includes: lib/L/... may include "M/..." only when M is L or below.
for my $f (glob('lib/*/*.[ch]')) {
	my ($layer) = $f =~ m{^lib/([^/]+)/};
	next unless exists $rank{$layer};
	open my $fh, '<', $f or die "$f: $!\n";
	while (my $line = <$fh>) {
		next unless $line =~ /^\s*#\s*include\s+"([^"\/]+)\/[^"]+"/;
		my $to = $1;
		if (!exists $rank{$to}) {
			push @bad, "$f:$.: includes \"$to/...\": not a layer";
		} elsif ($rank{$to} > $rank{$layer}) {
			push @bad, "$f:$.: includes $to/, a higher layer than "
			    . "$layer/ (order: $order)";
		}
	}
	close $fh;
}

# Definitions and calls, from the objects.
my (%def, %undef);
for my $o (@objs) {
	my ($unit) = $o =~ m{/lib/([^/]+/[^/]+)\.o$} or die "$o: not in lib/\n";
	open my $nm, '-|', 'nm', $o or die "nm $o: $!\n";
	while (<$nm>) {
		if (/^\s+U (rb_\w+)$/) {
			push @{ $undef{$unit} }, $1;
		} elsif (/^[0-9a-f]+ [TDBRC] (\w+)$/) {
			$def{$1} = $unit;
		}
	}
	close $nm or die "nm $o failed\n";
}

# The first line of lib/<unit>.c that names sym, for the message.
sub line_of {
	my ($unit, $sym) = @_;
	open my $fh, '<', "lib/$unit.c" or return 0;
	while (<$fh>) {
		return $. if /\b\Q$sym\E\b/;
	}
	return 0;
}

for my $sym (sort keys %def) {
	my $unit = $def{$sym};
	my ($layer, $file) = split m{/}, $unit;
	next if $exempt{"$unit:$sym"};
	next if $sym =~ /^rb_(\Q$file\E|\Q${layer}_$file\E)(_|$)/;
	my $n = line_of($unit, $sym);
	push @bad, "lib/$unit.c:$n: defines $sym: names in $unit.c start "
	    . "with rb_${file}_ or rb_${layer}_${file}_";
}

for my $unit (sort keys %undef) {
	my ($layer) = split m{/}, $unit;
	for my $sym (@{ $undef{$unit} }) {
		my $at = $def{$sym} or next;
		my ($to) = split m{/}, $at;
		next if $rank{$to} <= $rank{$layer};
		my $n = line_of($unit, $sym);
		push @bad, "lib/$unit.c:$n: calls $sym of $at.c, a higher "
		    . "layer than $layer/ (order: $order)";
	}
}

print "layers: $_\n" for @bad;
exit(@bad ? 1 : 0);
