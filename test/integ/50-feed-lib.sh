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

# set_has SET DOMAIN ACTION: the feed set file SET (doc/feeds.md) holds
# DOMAIN (presentation) and its action is ACTION (N or R)
set_has() {
	rb-feed show "$1" "$2" | jq -e --arg d "$2" --arg a "$3" \
	    '.names[$d] and (.action == (if $a == "N" then "nxdomain" else "refuse" end))' \
	    >/dev/null
}

# dnsd_has_feeds RB_DNSD DOC: does rb-dnsd look names up in ROOT/feeds/?
# Its usage says so, or its page (doc/rb-dnsd.md) names feeds/ outside
# its "Not yet" section.
dnsd_has_feeds() {
	"$1" -h 2>&1 | grep -q feeds && return 0
	sed '/^## Not yet/,/^## /d' "$2" | grep -q 'feeds/'
}

set_count() { # set_count SET: number of names in a feed set file
	rb-feed show "$1" | jq -r .entry_count
}
