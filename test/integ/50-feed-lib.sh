# test/integ/50-feed-lib.sh: what the feed tests share (sourced after
# lib.sh).  feed_setup makes a test CA and a server certificate for
# 127.0.0.1 with openssl, starts 50-feed-https.pl on a free port with
# docroot $W, and writes $R/runbound.conf trusting that CA and exempting
# 127.0.0.1 (only) from the internal-address rule.  Sets R, W, FP, FURL.

feed_cert() { # feed_cert DIR: ca.pem, srv.pem, srv.key in DIR
	_ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	# shellcheck disable=SC2086
	openssl req -x509 $_ec -keyout "$1/ca.key" -out "$1/ca.pem" -days 2 \
	    -subj "/CN=runbound-c test CA" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
	# shellcheck disable=SC2086
	openssl req $_ec -keyout "$1/srv.key" -out "$1/srv.csr" \
	    -subj "/CN=127.0.0.1" 2>/dev/null &&
	printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:127.0.0.2" \
	    "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" \
	    >"$1/ext" &&
	openssl x509 -req -in "$1/srv.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
	    -CAcreateserial -out "$1/srv.pem" -days 2 -extfile "$1/ext" \
	    2>/dev/null
}

feed_setup() { # feed_setup [EXTRA-CONF-LINE...]
	perl -MIO::Socket::SSL -e 1 2>/dev/null ||
	    bail "perl IO::Socket::SSL missing (Debian: libio-socket-ssl-perl)"
	R=$(tmproot)
	W=$R/www
	mkdir -p "$W" "$R/tls"
	feed_cert "$R/tls" || bail "openssl could not make the test CA"
	FP=$(free_port) || bail "no free port"
	start_bg perl "$TOP/test/integ/50-feed-https.pl" "$FP" \
	    "$R/tls/srv.pem" "$R/tls/srv.key" "$W" 2>>"$R/https.log"
	wait_for 10 test -f "$W/ready" || bail "test HTTPS server not ready"
	FURL=https://127.0.0.1:$FP
	{
		echo "server:"
		echo "    feed-ca-file: $R/tls/ca.pem"
		echo "    feed-allow-address: 127.0.0.1"
		for _l in "$@"; do echo "    $_l"; done
	} >"$R/runbound.conf"
}

# feed_field NAME FIELD: a field of the feed named NAME in `rb-feed list`
feed_field() {
	rb-feed -d "$R" list | jq -r --arg n "$1" \
	    ".feeds[] | select(.name == \$n) | .$2"
}

# cdb_has CDB DOMAIN VALUE: DOMAIN (presentation) maps to VALUE in CDB
cdb_has() {
	cdb -d "$1" | perl -e '
		my ($d, $v) = @ARGV;
		my $k = join("", map { chr(length) . $_ } split /\./, lc $d) . "\0";
		local $/; my $all = <STDIN>;
		while ($all =~ /\G\+(\d+),(\d+):/gc) {
			my ($kl, $vl) = ($1, $2);
			my $key = substr($all, pos($all), $kl);
			my $val = substr($all, pos($all) + $kl + 2, $vl);
			pos($all) += $kl + 2 + $vl + 1;
			exit 0 if $key eq $k && $val eq $v;
		}
		exit 1;' "$2" "$3"
}

# dnsd_has_feeds RB_DNSD DOC: does rb-dnsd look names up in ROOT/feeds/?
# Its usage says so, or its page (doc/rb-dnsd.md) names feeds/ outside
# its "Not yet" section.
dnsd_has_feeds() {
	"$1" -h 2>&1 | grep -q feeds && return 0
	sed '/^## Not yet/,/^## /d' "$2" | grep -q 'feeds/'
}

cdb_count() { # cdb_count CDB: number of records
	cdb -s "$1" | sed -n 's/^number of records: *//p'
}
