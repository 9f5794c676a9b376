#!/bin/sh
# Every error rb-apid documents (doc/api.md), provoked at least once, with
# its status, its Runbound error name and a JSON body: auth failures (and
# their audit spool events, and the brute-force brake), size limits, rate
# limits, validation, limits, unknown ids and paths, a slave root that
# refuses writes, rb-dnsd away, and bodies that never name a file.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
A=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    api-port: $A
    audit-log: yes
EOF
printf '%s' "errors-test-key-0123456789abcdef0123" >"$R/api.key"
chmod 600 "$R/api.key"
K=$(cat "$R/api.key")

start_bg rb-apid -d "$R" -r 3 3>"$R/aready" 2>>"$R/apid.log"
APID_PID=$!
wait_for 5 test -s "$R/aready" || bail "rb-apid did not start"

U=http://127.0.0.1:$A
# call [CURL-ARGS...]: prints "STATUS BODY" (body compacted by jq)
call() {
	_o=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $K" "$@")
	_c=$(printf '%s\n' "$_o" | tail -1)
	_b=$(printf '%s\n' "$_o" | sed '$d' | jq -c . 2>/dev/null || echo NOT-JSON)
	echo "$_c $_b"
}
post() { # post PATH JSON
	call -X POST "$U$1" -H 'Content-Type: application/json' -d "$2"
}
err() { # err "STATUS BODY": prints "STATUS ERROR-NAME"
	echo "$1" | sed 's/^\([0-9]*\) .*/\1/' | tr '\n' ' '
	echo "${1#* }" | jq -r .error
}

# --- rb-dnsd not running -------------------------------------------------------
is "$(err "$(call $U/stats)")" "503 UNAVAILABLE" "GET /stats without rb-dnsd: 503 UNAVAILABLE"
is "$(call $U/stats | cut -d' ' -f2- | jq -r .details)" "rb-dnsd is not running" "says why"
is "$(err "$(call $U/logs)")" "503 UNAVAILABLE" "GET /logs too"
is "$(err "$(call -X DELETE $U/logs)")" "503 UNAVAILABLE" "DELETE /logs too"
is "$(call $U/health | cut -d' ' -f2- | jq -c '[.status,.queries,.dns_running]')" '["ok",0,false]' \
	"GET /health still 200: a liveness probe of the API"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/dready" 2>>"$R/dnsd.log"
wait_for 5 test -s "$R/dready" || bail "rb-dnsd did not start"
is "$(call $U/stats | cut -d' ' -f1)" 200 "and 200 once rb-dnsd runs"

# --- 401 ------------------------------------------------------------------------
out=$(curl -s -D "$R/h" -w '\n%{http_code}' $U/dns)
is "$(echo "$out" | tail -1)" 401 "no Authorization: 401"
is "$(echo "$out" | head -1 | jq -c .)" '{"error":"UNAUTHORIZED","details":"missing or invalid Bearer token"}' \
	"JSON body"
grep -qi '^WWW-Authenticate: Bearer' "$R/h"
ok $? "WWW-Authenticate: Bearer"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${K}x" $U/dns)" 401 "wrong key: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${K%?}" $U/dns)" 401 "key prefix: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $K" $U/dns)" 401 "Basic: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: 10.0.0.1" $U/api/help?x=1)" 401 \
	"/help needs the key too"
is "$(curl -s -o /dev/null -w '%{http_code}' $U/nope)" 401 "unknown paths too (no fingerprinting)"
wait_for 2 sh -c "ls '$R'/audit/spool/*.json" || true
spool=$(cat "$R"/audit/spool/*.json | jq -sc '[.[] | select(.event=="auth_failure") | .fields.path]')
is "$spool" '["/dns","/dns","/dns","/dns","/api/help","/nope"]' \
	"each failure spooled as auth_failure {path} (no query string)"
is "$(cat "$R"/audit/spool/*.json | jq -s 'all(.ts > 1700000000)')" true "with a ts"
ls "$R"/audit/spool/ | grep -Evq '^[0-9]{20}-[0-9]+-[0-9]+\.json$'
is $? 1 "spool names: <ns>-<pid>-<n>.json"
grep -q "$K" "$R"/audit/spool/* "$R/apid.log"
is $? 1 "no key in the spool or the log"

# --- 400 / 422 / 409 from validation ----------------------------------------------
is "$(err "$(post /dns '{"name":')")" "400 INVALID_REQUEST" "malformed JSON: 400 INVALID_REQUEST"
is "$(err "$(post /dns '["name"]')")" "400 INVALID_REQUEST" "not an object: 400 INVALID_REQUEST"
is "$(err "$(call -X POST $U/dns -H 'Content-Length: 0')")" "400 INVALID_REQUEST" "empty body: 400 INVALID_REQUEST"
is "$(err "$(post /dns '{"name":"a\u0000b.home.","type":"A","value":"1.2.3.4"}')")" \
	"400 INVALID_REQUEST" "escaped NUL: 400 INVALID_REQUEST"
is "$(err "$(printf '{"name":"\377.home.","type":"A","value":"1.2.3.4"}' |
	call -X POST $U/dns -H 'Content-Type: application/json' --data-binary @-)")" \
	"400 INVALID_REQUEST" "invalid UTF-8: 400 INVALID_REQUEST"
is "$(err "$(post /dns '{"name":"bad..name","type":"A","value":"1.2.3.4"}')")" "400 INVALID_NAME" \
	"bad..name: 400 INVALID_NAME"
long=$(perl -e 'print join(".", "a" x 63, "b" x 63, "c" x 63, "d" x 62)')
is "$(err "$(post /dns "{\"name\":\"$long\",\"type\":\"A\",\"value\":\"1.2.3.4\"}")")" "400 INVALID_NAME" \
	"254-character name: 400 INVALID_NAME"
is "$(err "$(post /dns '{"name":"x.home.","type":"SOA","value":"a. b. 1 2 3 4 5"}')")" "400 INVALID_TYPE" \
	"SOA: 400 INVALID_TYPE"
is "$(err "$(post /dns '{"name":"x.home.","type":"A","value":"300.1.1.1"}')")" "400 INVALID_VALUE" \
	"300.1.1.1: 400 INVALID_VALUE"
is "$(err "$(post /dns '{"name":"x.home.","type":"MX","value":"m.home.","priority":"ten"}')")" \
	"400 INVALID_FIELD" "priority as a string: 400 INVALID_FIELD"
is "$(err "$(post /blacklist '{"domain":"x.example","description":"a\r\nb"}')")" "400 INVALID_FIELD" \
	"CR LF in description: 400 INVALID_FIELD"
is "$(err "$(post /blacklist '{"domain":"x.example","action":"drop"}')")" "400 INVALID_FIELD" \
	"unknown action: 400 INVALID_FIELD"
is "$(err "$(post /dns '{"name":"x.home.","type":"A","value":"1.2.3.4","ttl":-1}')")" "422 INVALID_TTL" \
	"ttl -1: 422 INVALID_TTL"
is "$(err "$(post /dns '{"name":"x.home.","type":"A","value":"1.2.3.4","ttl":2147483648}')")" \
	"422 INVALID_TTL" "ttl 2^31: 422 INVALID_TTL"
is "$(err "$(post /dns '{"name":"x.home.","type":"A","value":"1.2.3.4","ttl":"300"}')")" "422 INVALID_TTL" \
	"ttl as a string: 422 INVALID_TTL"
is "$(err "$(post /dns '{"name":"x.home.","type":"A","value":"1.2.3.4","ttl":99999999999999999999}')")" \
	"400 INVALID_REQUEST" "ttl past 64 bits: 400 INVALID_REQUEST"
is "$(post /dns '{"name":"dup.home.","type":"A","value":"10.0.0.1"}' | cut -d' ' -f1)" 201 "an entry"
is "$(err "$(post /dns '{"name":"dup.home.","type":"A","value":"10.0.0.1"}')")" "409 ALREADY_EXISTS" \
	"the same again: 409 ALREADY_EXISTS"

# --- 404 / 400 on ids, 404 and 405 on paths ---------------------------------------
is "$(call -X DELETE $U/dns/00000000-0000-4000-8000-000000000000 | cut -d' ' -f2- | jq -c '[.error,.id]')" \
	'["NOT_FOUND","00000000-0000-4000-8000-000000000000"]' "unknown id: 404 {error:NOT_FOUND, id}"
is "$(call -X DELETE $U/blacklist/00000000-0000-4000-8000-000000000000 | cut -d' ' -f1)" 404 \
	"unknown blacklist id: 404"
is "$(err "$(call -X DELETE $U/dns/not-a-uuid)")" "400 INVALID_ID" "not a UUID: 400 INVALID_ID"
is "$(err "$(call -X DELETE $U/dns/..%2F..%2Fetc%2Fpasswd)")" "400 INVALID_ID" "no path games in ids"
is "$(err "$(call $U/nope)")" "404 NOT_FOUND" "unknown path: 404 NOT_FOUND"
is "$(err "$(call $U/api/nope)")" "404 NOT_FOUND" "unknown /api path: 404 NOT_FOUND"
is "$(err "$(call $U/dns/)")" "404 NOT_FOUND" "trailing slash: 404"
out=$(curl -s -D "$R/h" -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $K" $U/dns)
is "$out" 405 "PUT /dns: 405"
is "$(tr -d '\r' <"$R/h" | sed -n 's/^Allow: //p')" "GET, HEAD, POST" "Allow: GET, HEAD, POST"
is "$(err "$(call -X POST $U/stats)")" "405 METHOD_NOT_ALLOWED" "POST /stats: 405 METHOD_NOT_ALLOWED"

# --- body size, lengths --------------------------------------------------------------
big=$(perl -e 'print "{\"name\":\"", "a" x 70000, "\"}"')
is "$(err "$(echo "$big" | call -X POST $U/dns -H 'Content-Type: application/json' --data-binary @-)")" \
	"413 REQUEST_TOO_LARGE" "70 KB body: 413 REQUEST_TOO_LARGE"
is "$(err "$(echo "$big" | call -X POST $U/dns -H 'Transfer-Encoding: chunked' --data-binary @-)")" \
	"413 REQUEST_TOO_LARGE" "70 KB chunked body: 413 too"
is "$(perl -e 'print "x" x 300000' | curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K" \
	-X POST $U/dns -H 'Transfer-Encoding: chunked' --data-binary @-)" 413 \
	"300 KB chunked body: 413 (libevent's own)"
is "$(err "$(call -X POST $U/dns -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	-d '{"name":"c.home.","type":"A","value":"1.1.1.1"}')")" "411 LENGTH_REQUIRED" \
	"JSON without Content-Length: 411 LENGTH_REQUIRED"
raw() { # raw REQUEST-TEXT: send bytes, print the status line and JSON body
	printf '%s' "$1" | perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new("127.0.0.1:'"$A"'") or die;
		local $/; print $s <STDIN>; $s->shutdown(1); my $r = <$s>;
		$r =~ /^HTTP\/1\.\d (\d+)/; my $c = $1;
		my ($b) = $r =~ /\r\n\r\n(.*)$/s; print "$c $b\n";'
}
out=$(raw "$(printf 'POST /dns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: +2\r\n\r\n{}' "$K")")
is "$(err "$out")" "400 BAD_REQUEST" "Content-Length +2: 400 BAD_REQUEST"
out=$(raw "$(printf 'POST /dns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 70000\r\n\r\n%s' "$K" "$(perl -e 'print "x" x 70000')")")
is "$(err "$out")" "413 REQUEST_TOO_LARGE" "Content-Length 70000: 413 REQUEST_TOO_LARGE"
out=$(printf 'POST /dns HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n{}' |
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new("127.0.0.1:'"$A"'") or die;
		local $/; print $s <STDIN>; $SIG{ALRM} = sub { print "no answer\n"; exit };
		alarm 3; $/ = "\r\n"; print scalar <$s>;')
like "$out" "^HTTP/1.1 413" "Content-Length 10 MB: 413 at once, the body never read"

# --- query parameters -------------------------------------------------------------------
is "$(err "$(call "$U/logs?limit=2000")")" "422 INVALID_PARAM" "limit 2000: 422"
is "$(err "$(call "$U/logs?limit=0")")" "400 INVALID_PARAM" "limit 0: 400"
is "$(err "$(call "$U/logs?action=bogus")")" "400 INVALID_PARAM" "bad action: 400"
is "$(err "$(call "$U/logs?client=notanip")")" "400 INVALID_PARAM" "bad client: 400"
is "$(err "$(call "$U/logs?page=-1")")" "400 INVALID_PARAM" "negative page: 400"
is "$(err "$(call "$U/logs?since=yesterday")")" "400 INVALID_PARAM" "bad since: 400"
is "$(err "$(call "$U/logs?limit=1&limit=2")")" "400 INVALID_PARAM" "duplicate parameter: 400"
is "$(err "$(call "$U/logs?x=%zz")")" "400 INVALID_PARAM" "bad escape: 400"
is "$(err "$(call "$U/audit/tail?n=0")")" "400 INVALID_PARAM" "audit tail n=0: 400"
is "$(err "$(call "$U/audit/tail?n=5")")" "404 AUDIT_LOG_UNAVAILABLE" "audit log off: 404 AUDIT_LOG_UNAVAILABLE"

# --- key rotation errors -----------------------------------------------------------------
is "$(err "$(post /rotate-key '{"new_key":"short"}')")" "400 WEAK_KEY" "short key: 400 WEAK_KEY"
is "$(err "$(post /rotate-key '{"new_key":"0123456789abcdef0123456789abcde\u0001"}')")" "400 INVALID_KEY" \
	"control character: 400 INVALID_KEY"
is "$(err "$(post /rotate-key '{"new_key":"0123456789abcdef0123456789abcde\u007f"}')")" "400 INVALID_KEY" \
	"DEL: 400 INVALID_KEY"
is "$(err "$(post /rotate-key '{"new_key":"0123456789abcdef0123456789abcdé"}')")" "400 INVALID_KEY" \
	"non-ASCII: 400 INVALID_KEY"
is "$(err "$(post /rotate-key '{"key":"0123456789abcdef0123456789abcdef"}')")" "400 INVALID_REQUEST" \
	"no new_key: 400 INVALID_REQUEST"
is "$(err "$(post /rotate-key '{"new_key":12345678901234567890123456789012}')")" "400 INVALID_REQUEST" \
	"new_key a number: 400 INVALID_REQUEST"
is "$(cat "$R/api.key")" "$K" "refused rotations change nothing"

# --- reload: bad config, its own rate limit ------------------------------------------------
cp "$R/runbound.conf" "$R/good.conf"
printf 'server:\n    no-such-directive: 1\n' >"$R/runbound.conf"
out=$(call -X POST $U/reload)
is "$(err "$out")" "400 INVALID_CONFIG" "bad runbound.conf: 400 INVALID_CONFIG"
like "$(echo "${out#* }" | jq -r .details)" '^runbound\.conf:2: ' "details name the line, not the path"
echo "$out" | grep -q "$R"
is $? 1 "no state-root path in the body"
cp "$R/good.conf" "$R/runbound.conf"
sleep 1.1
c1=$(call -X POST $U/reload | cut -d' ' -f1)
c2=$(call -X POST $U/reload | cut -d' ' -f1)
out=$(call -X POST $U/reload)
is "$c1 $c2 $(err "$out")" "200 200 429 RATE_LIMITED" "POST /reload: burst of 2, then 429 RATE_LIMITED"

# --- 500: never a file path --------------------------------------------------------------
mv "$R/store/applied" "$R/store/applied.saved"
mkdir "$R/store/applied"
out=$(call $U/dns)
is "$(err "$out")" "500 INTERNAL_ERROR" "unreadable store: 500"
echo "$out" | grep -q "/"
is $? 1 "and the details name no file"
rmdir "$R/store/applied"
mv "$R/store/applied.saved" "$R/store/applied"
is "$(call $U/dns | cut -d' ' -f1)" 200 "back to 200"

# --- rate limit per client address ----------------------------------------------------------
# many URL N [CURL-ARGS...]: N requests on one connection, each with its
# own X-Forwarded-For; prints "code:count" pairs.  The last request's body
# is kept in $R/many.last and its code and Retry-After in $R/many.out's
# last line, so that what the limit answered is read from the burst
# itself: a request made after it could find a token refilled (30/s).
many() {
	perl -e 'my $u = shift; my $n = shift; my $last = shift;
		for (1..$n) {
			my $o = $_ == $n ? $last : "/dev/null";
			print "url = \"$u\"\noutput = \"$o\"\nheader = \"X-Forwarded-For: 10.9.$_.1\"\n";
		}' "$1" "$2" "$R/many.last" >"$R/many.cfg"
	shift 2
	curl -s -w '%{http_code} %header{retry-after}\n' -K "$R/many.cfg" "$@" >"$R/many.out"
	cut -d' ' -f1 "$R/many.out" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}'
}
codes=$(many "$U/health" 80 --interface 127.0.0.9 -H "Authorization: Bearer $K")
like "$codes" "^200:6[0-9] 429:[0-9]+ $" \
	"80 requests at once from one address, each with its own X-Forwarded-For: 60 pass, then 429 ($codes)"
is "$(jq -r .error "$R/many.last")" RATE_LIMITED "429 RATE_LIMITED, JSON"
is "$(tail -1 "$R/many.out")" "429 1" "Retry-After: 1"
is "$(curl -s --interface 127.0.0.10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K" $U/health)" 200 \
	"another address is not limited"

# --- brute-force brake -------------------------------------------------------------------
codes=$(many "$U/dns" 50 --interface 127.0.0.11 -H "Authorization: Bearer wrong")
is "$codes" "401:50 " "50 bad keys in a row"
t=$(curl -s --interface 127.0.0.12 -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $K" $U/health)
is "${t% *}" 200 "after 50 failures the right key still works"
ok "$(echo "${t#* }" | awk '{exit !($1 >= 0.45)}'; echo $?)" "but only after the brake's 500 ms (${t#* } s)"
t=$(curl -s --interface 127.0.0.12 -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $K" $U/health)
ok "$(echo "$t" | awk '{exit !($1 < 0.4)}'; echo $?)" "a success resets the brake ($t s)"
like "$(cat "$R/apid.log")" "failures=50" "every 10th failure is logged"

# --- 422 LIMIT_EXCEEDED at 10,000 entries ---------------------------------------------------
perl -e 'printf "{\"name\":\"h%d.home.\",\"type\":\"A\",\"value\":\"10.%d.%d.%d\"}\n", $_, $_>>16, ($_>>8)&255, $_&255 for 1..9999' |
	rb-dns -d "$R" import >/dev/null
is "$(call $U/dns | cut -d' ' -f2- | jq .total)" 10000 "10,000 entries"
is "$(err "$(post /dns '{"name":"one.more.","type":"A","value":"1.1.1.1"}')")" "422 LIMIT_EXCEEDED" \
	"entry 10,001: 422 LIMIT_EXCEEDED"

# --- the connection cap ---------------------------------------------------------------------
out=$(perl -MIO::Socket::INET -e '
	my @s;
	for (1..530) { my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:'"$A"'", LocalAddr => "127.0.0." . (4 + $_ % 3), Timeout => 2) or last; push @s, $c; }
	print scalar(@s), "\n";' 2>&1)
like "$(cat "$R/apid.log")" "connection cap reached: conns=512" "530 idle connections from three addresses: accepting pauses at the cap"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $K" $U/health)" 200 \
	"and resumes once they close"

# --- a slave root -----------------------------------------------------------------------------
S=$(tmproot)
SA=$(free_port)
# Filled before it becomes a slave: a slave takes no local writes.
rb-dns -d "$S" add nas.home. A 192.168.1.10 >/dev/null
cat >"$S/runbound.conf" <<EOF
server:
    api-port: $SA
    mode: slave
    sync-master: 127.0.0.1:8082
EOF
start_bg env RUNBOUND_API_KEY="$K" rb-apid -d "$S" -r 3 3>"$S/aready" 2>>"$S/apid.log"
wait_for 5 test -s "$S/aready" || bail "slave rb-apid did not start"
U=http://127.0.0.1:$SA
ro='{"error":"READ_ONLY","details":"This node is a slave replica — write operations are disabled"}'
is "$(post /dns '{"name":"x.home.","type":"A","value":"1.2.3.4"}')" "503 $ro" "slave: POST /dns 503 READ_ONLY"
is "$(post /blacklist '{"domain":"x.example"}')" "503 $ro" "slave: POST /blacklist 503"
is "$(call -X DELETE $U/dns/00000000-0000-4000-8000-000000000000)" "503 $ro" "slave: DELETE /dns/:id 503"
is "$(call -X DELETE $U/logs)" "503 $ro" "slave: DELETE /logs 503"
is "$(call -X POST $U/reload)" "503 $ro" "slave: POST /reload 503"
is "$(post /rotate-key '{"new_key":"0123456789abcdef0123456789abcdef"}')" "503 $ro" "slave: POST /rotate-key 503"
is "$(call $U/dns | cut -d' ' -f2- | jq -r '.entries[0].name')" nas.home. "slave: GET /dns 200"
is "$(call $U/config | cut -d' ' -f2- | jq -r .mode)" slave "slave: GET /config 200"
is "$(call -I $U/blacklist | cut -d' ' -f1)" 200 "slave: HEAD is a read"

finish
