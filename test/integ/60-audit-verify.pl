#!/usr/bin/perl
# 60-audit-verify.pl KEYFILE [FILE...]: an independent verifier of the
# audit log, written from doc/audit.md alone (Perl core modules only), to
# check that the format is what the page says.  Reads the files in order
# (stdin when none), prints the number of entries verified, dies at the
# first problem.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256);

my $kf = shift or die "usage: $0 KEYFILE [FILE...]\n";
open(my $kh, '<', $kf) or die "$kf: $!\n";
my $text = do { local $/; <$kh> };
$text =~ s/^\s+|\s+$//g;
# Hex that decodes to 32 bytes or more is those bytes; else raw bytes.
my $key = ($text =~ /^(?:[0-9a-fA-F]{2}){32,}$/) ? pack('H*', $text) : $text;

my ($prev, $expect, $n) = ("\0" x 32, undef, 0);
while (my $line = <>) {
	chomp $line;
	my ($seq, $ts, $ev, $fields, $src, $mac, $chain) = $line =~
	    /^\{"seq":(\d+),"ts":(\d+),"event":"([a-z0-9_]+)","fields":(\{.*\}),"src":"([^"\\]*)","mac":"([0-9a-f]{64})","chain":"([0-9a-f]{64})"\}$/
	    or die "line $.: not an audit line\n";
	if (!defined $expect) {
		# The oldest file starts at seq 1 or with log_rotate.
		if ($ev eq 'log_rotate') {
			$fields =~ /"prev_chain":"([0-9a-f]{64})"/ or die "rotate\n";
			$prev = pack('H*', $1);
		} else {
			die "seq $seq: the log does not start at 1\n" if $seq != 1;
		}
		$expect = $seq;
	}
	die "seq $seq: expected $expect\n" if $seq != $expect;
	my $m = hmac_sha256(pack('Q<Q<', $seq, $ts) . $ev . $fields, $key);
	die "seq $seq: mac mismatch\n" if unpack('H*', $m) ne $mac;
	my $c = hmac_sha256($prev . $m . $src, $key);
	die "seq $seq: chain mismatch\n" if unpack('H*', $c) ne $chain;
	($prev, $expect, $n) = ($c, $expect + 1, $n + 1);
}
print "$n\n";
