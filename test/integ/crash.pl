#!/usr/bin/perl
# crash.pl ROOT N: run N `rb-dns add` writes against ROOT, killing about a
# third of them with SIGKILL at a random instant.  Prints one line per
# attempt: "ack NAME" when the command exited 0 (acknowledged), "killed
# NAME" when it was killed, "fail NAME RC" otherwise.
use strict;
use warnings;
use POSIX ":sys_wait_h";
use Time::HiRes qw(usleep);

my ($root, $n) = @ARGV;
srand($ENV{CRASH_SEED} // time);
$| = 1;
for my $i (1 .. $n) {
	my $name = "c$i.crash.";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', '/dev/null');
		open(STDERR, '>', '/dev/null');
		exec('rb-dns', '-d', $root, 'add', $name, 'A',
		    sprintf('10.%d.%d.%d', $i >> 16, ($i >> 8) & 255, $i & 255))
		    or exit 127;
	}
	my $killed = 0;
	if (rand() < 0.35) {
		usleep(int(rand(15000)));
		$killed = kill('KILL', $pid);
	}
	waitpid($pid, 0);
	my $st = $?;
	if (($st & 127) == 9) {
		print "killed $name\n";
	} elsif ($st == 0) {
		print "ack $name\n";
	} else {
		printf "fail %s %d\n", $name, $st >> 8;
	}
}
