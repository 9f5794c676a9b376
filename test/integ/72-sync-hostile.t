#!/bin/sh
# A slave whose sync-master answers more than it may: an HTTPS server that
# is not a runbound master (test/integ/50-feed-https.pl) gives 5 KB for
# /sync/cert, where a slave reads 4 KB at most, before any pin or key is
# checked.  The slave says so and keeps running (it used to crash, and
# crash again at every restart).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

perl -MIO::Socket::SSL -e 1 2>/dev/null ||
    bail "perl IO::Socket::SSL missing (Debian: libio-socket-ssl-perl)"
S=$(tmproot)
mkdir -p "$S/www" "$S/tls"
feed_cert "$S/tls" || bail "openssl"
FP=$(free_port)
start_bg perl "$TOP/test/integ/50-feed-https.pl" "$FP" \
    "$S/tls/srv.pem" "$S/tls/srv.key" "$S/www" 2>>"$S/https.log"
HTTPS=$!
wait_for 10 test -f "$S/www/ready" || bail "https server did not start"
head -c 5000 /dev/zero | tr '\0' x >"$S/www/sync_cert"

cat >"$S/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$(free_port)
    mode: slave
    sync-master: 127.0.0.1:$FP
    sync-key: "$(openssl rand -hex 32)"
    sync-interval: 5
EOF
start_bg rb-syncd -d "$S" 2>>"$S/log"
SYNCD=$!
wait_for 10 grep -q "answer over 4096 bytes" "$S/log"
ok $? "a /sync/cert answer over 4 KB is an error the slave names"
sleep 0.5
kill -0 "$SYNCD" 2>/dev/null
ok $? "... and the slave keeps running"
like "$(grep -c 'GET /sync/cert' "$S/www/requests.log")" '^[1-9]' \
	"it did ask the server"

stop_pid "$SYNCD"
stop_pid "$HTTPS"
finish
