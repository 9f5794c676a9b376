#!/usr/bin/perl
# compact-crash.pl ROOT N DUR_US: N rounds against ROOT, each a forced
# compaction (`rb-data -c -f`) killed with SIGKILL at a random instant
# within DUR_US (how long one takes), while two writers run one after the
# other: `rb-block add` of a new domain, or `rb-block del` of one added
# and acknowledged before; about a third of the writers are killed too.
# Prints one line per attempt:
#	ack add DOMAIN ID	killed add DOMAIN	fail add DOMAIN RC
#	ack del ID		killed del ID		fail del ID RC
#	compaction killed | compaction done | compaction failed RC
use strict;
use warnings;
use Time::HiRes qw(usleep);

my ($root, $n, $dur) = @ARGV;
srand($ENV{CRASH_SEED} // time);
$| = 1;
my @live; # acknowledged adds not deleted since: [domain, id]

sub run { # run KILL_AFTER_US|undef, ARGV...: (status, stdout)
	my ($after, @cmd) = @_;
	pipe(my $r, my $w) or die "pipe: $!";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		close $r;
		open(STDOUT, '>&', $w);
		open(STDERR, '>', '/dev/null');
		exec(@cmd) or exit 127;
	}
	close $w;
	if (defined $after) {
		usleep($after);
		kill('KILL', $pid);
	}
	my $out = do { local $/; <$r> } // '';
	waitpid($pid, 0);
	return ($?, $out);
}

for my $i (1 .. $n) {
	my $cpid = fork() // die "fork: $!";
	if ($cpid == 0) {
		open(STDOUT, '>', '/dev/null');
		open(STDERR, '>', '/dev/null');
		exec('rb-data', '-d', $root, '-c', '-f') or exit 127;
	}
	my $ckill = int(rand($dur));
	my $t0 = Time::HiRes::time();
	for my $w (1 .. 2) {
		my $kill = rand() < 0.35 ? int(rand(15000)) : undef;
		if (@live && rand() < 0.4) {
			my $k = int(rand(@live));
			my $id = $live[$k][1];
			my ($st) = run($kill, 'rb-block', '-d', $root, 'del', $id);
			# A killed delete may have committed: not tried again.
			if (($st & 127) == 9) {
				print "killed del $id\n";
				splice(@live, $k, 1);
			} elsif ($st == 0) {
				print "ack del $id\n";
				splice(@live, $k, 1);
			} else {
				printf "fail del %s %d\n", $id, $st >> 8;
			}
		} else {
			my $d = "w$i-$w.crash.example";
			my ($st, $out) = run($kill, 'rb-block', '-d', $root,
			    'add', $d);
			if (($st & 127) == 9) {
				print "killed add $d\n";
			} elsif ($st == 0 && $out =~ /"id":"([0-9a-f-]{36})"/) {
				print "ack add $d $1\n";
				push @live, [$d, $1];
			} else {
				printf "fail add %s %d\n", $d, $st >> 8;
			}
		}
	}
	my $left = $ckill - int(1e6 * (Time::HiRes::time() - $t0));
	usleep($left) if $left > 0;
	kill('KILL', $cpid);
	waitpid($cpid, 0);
	my $st = $?;
	if (($st & 127) == 9) {
		print "compaction killed\n";
	} elsif ($st == 0) {
		print "compaction done\n";
	} else {
		printf "compaction failed %d\n", $st >> 8;
	}
}
