#!/usr/bin/perl
# A small HTTPS server for the feed tests (50-feed*.t), one connection at a
# time, "Connection: close".  Usage: 50-feed-https.pl PORT CERT KEY DOCROOT
#
# GET /NAME answers from DOCROOT:
#   NAME.status    (a number): that status, empty body
#   NAME.location  (a URL, @PORT@ replaced): 302 to it
#   NAME           the file, with ETag (MD5) and Last-Modified; 304 when
#                  If-None-Match names the current ETag
#   /endless       200, chunked, a hosts line after another until the
#                  client goes away
#   else 404.
# Every request is appended to DOCROOT/requests.log as
# "METHOD PATH inm=<If-None-Match or ->".  DOCROOT/ready appears once the
# socket listens.
use strict;
use warnings;
use IO::Socket::SSL;
use Digest::MD5 qw(md5_hex);
use POSIX qw(strftime);

my ($port, $cert, $key, $root) = @ARGV;
die "usage: $0 PORT CERT KEY DOCROOT\n" unless defined $root;
$SIG{PIPE} = 'IGNORE';

my $srv = IO::Socket::SSL->new(
	LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 16,
	ReuseAddr => 1, SSL_server => 1,
	SSL_cert_file => $cert, SSL_key_file => $key,
) or die "listen: $! $SSL_ERROR\n";
open(my $r, '>', "$root/ready") or die; close $r;

sub slurp {
	open(my $f, '<', $_[0]) or return undef;
	local $/;
	my $d = <$f>;
	close $f;
	return $d;
}

sub reply {
	my ($c, $code, $hdrs, $body) = @_;
	my $h = "HTTP/1.1 $code X\r\nConnection: close\r\n";
	$h .= "$_\r\n" for @$hdrs;
	$h .= "Content-Length: " . length($body) . "\r\n\r\n";
	print $c $h . $body;
}

sub endless {
	my $c = shift;
	print $c "HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    . "Transfer-Encoding: chunked\r\n\r\n" or return;
	for (my $i = 0;; $i++) {
		my $chunk = join('', map { "0.0.0.0 e$i-$_.endless.example\n" }
		    1 .. 2000);
		print $c sprintf("%x\r\n", length $chunk), $chunk, "\r\n"
		    or return;
	}
}

sub handle {
	my $c = shift;
	my $line = <$c>;
	return unless defined $line;
	my ($method, $path) = split ' ', $line;
	my %h;
	while (defined(my $l = <$c>)) {
		$l =~ s/\r?\n$//;
		last if $l eq '';
		$h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*)$/;
	}
	$path //= '/';
	open(my $log, '>>', "$root/requests.log");
	print $log "$method $path inm=", ($h{'if-none-match'} // '-'), "\n";
	close $log;
	(my $name = $path) =~ s{^/+}{};
	$name =~ s{[^A-Za-z0-9._-]}{_}g;
	return endless($c) if $name eq 'endless';
	if (defined(my $s = slurp("$root/$name.status"))) {
		return reply($c, $s + 0, [], '');
	}
	if (defined(my $loc = slurp("$root/$name.location"))) {
		$loc =~ s/\@PORT\@/$port/g;
		$loc =~ s/\s+$//;
		return reply($c, 302, ["Location: $loc"], '');
	}
	my $body = $name ne '' ? slurp("$root/$name") : undef;
	return reply($c, 404, [], "not found\n") unless defined $body;
	my $etag = '"' . md5_hex($body) . '"';
	my $lm = strftime("%a, %d %b %Y %H:%M:%S GMT",
	    gmtime((stat "$root/$name")[9]));
	my @hdrs = ("ETag: $etag", "Last-Modified: $lm");
	if (($h{'if-none-match'} // '') eq $etag) {
		return reply($c, 304, \@hdrs, '');
	}
	reply($c, 200, [@hdrs, "Content-Type: text/plain"], $body);
}

while (1) {
	my $c = $srv->accept or next;
	$c->timeout(10);
	eval { handle($c) };
	close $c;
}
