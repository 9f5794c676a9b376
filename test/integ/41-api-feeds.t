#!/bin/sh
# The /feeds endpoints of runbound-rest-api.md against a live rb-apid and
# rb-dnsd, with a local HTTPS feed server (50-feed-lib.sh): the spec's curl
# examples as written, the error codes, and a refresh that blocks names.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/50-feed-lib.sh"

P=$(free_port)
A=$(free_port)
feed_setup "interface: 127.0.0.1@$P" "api-port: $A"
export RUNBOUND_API_KEY=feeds-test-key-0123456789abcdef01234
printf '0.0.0.0 ads.feed.example tracker.feed.example\n' >"$W/hosts"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/dnsd.ready" 2>>"$R/dnsd.log"
wait_for 5 test -s "$R/dnsd.ready" || bail "rb-dnsd did not start"
RB_API_LISTEN=127.0.0.1:$A start_bg rb-apid -d "$R" -r 3 3>"$R/apid.ready" 2>>"$R/apid.log"
wait_for 5 test -s "$R/apid.ready" || bail "rb-apid did not start"
U=http://localhost:$A
H="Authorization: Bearer $RUNBOUND_API_KEY"
st() { dig @127.0.0.1 -p "$P" +time=2 +tries=1 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

# GET /feeds (spec example)
out=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/feeds)
is "$(echo "$out" | jq -c '[.feeds, .total]')" '[[],0]' "GET /feeds: empty list"
# POST /feeds (spec example, with our server's URL)
out=$(curl -s -w '\n%{http_code}' -X POST http://localhost:$A/feeds \
  -H "Authorization: Bearer $RUNBOUND_API_KEY" \
  -H "Content-Type: application/json" \
  -d "{\"name\":\"urlhaus\",\"url\":\"$FURL/hosts\",\"format\":\"hosts\",\"action\":\"nxdomain\"}")
is "$(echo "$out" | tail -1)" 201 "POST /feeds: 201"
body=$(echo "$out" | head -1)
is "$(echo "$body" | jq -r .status)" ok "status ok"
ID=$(echo "$body" | jq -r .feed.id)
like "$ID" '^[0-9a-f-]{36}$' "feed id is a UUID"
is "$(echo "$body" | jq -c '.feed | [.name,.format,.action]')" '["urlhaus","hosts","nxdomain"]' "feed fields"
# GET /feeds/presets (spec example)
out=$(curl -s -H "Authorization: Bearer $RUNBOUND_API_KEY" http://localhost:$A/feeds/presets)
is "$(echo "$out" | jq '.presets | length')" 9 "GET /feeds/presets: 9 presets"
# POST /feeds/:id/update (spec example)
out=$(curl -s -X POST "http://localhost:$A/feeds/$ID/update" \
  -H "Authorization: Bearer $RUNBOUND_API_KEY")
is "$(echo "$out" | jq -c '[.status, .results[0].status, .results[0].entry_count]')" \
	'["ok","updated",2]' "POST /feeds/:id/update fetches and compiles"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 ads.feed.example | grep -q NXDOMAIN"
ok $? "rb-dnsd blocks the feed's names at once"
# POST /feeds/update (spec example): unchanged body -> 304 -> unchanged
out=$(curl -s -X POST http://localhost:$A/feeds/update \
  -H "Authorization: Bearer $RUNBOUND_API_KEY")
is "$(echo "$out" | jq -c '[.status, .summary.errors, .results[0].status]')" \
	'["ok",0,"unchanged"]' "POST /feeds/update: summary and results"
is "$(curl -s -H "$H" "$U/feeds" | jq -c '.feeds[0] | [.entry_count, .last_error]')" \
	'[2,null]' "GET /feeds shows entry_count and last_error"
is "$(curl -s -H "$H" "$U/api/feeds" | jq .total)" 1 "/api/feeds alias"

# Errors
code() { curl -s -o "$R/body" -w '%{http_code}' "$@"; }
is "$(code -X POST -H "$H" -d '{"name":"x","url":"http://example.com/h"}' "$U/feeds") $(jq -r .error "$R/body")" \
	"400 INVALID_URL" "http:// feed: 400 INVALID_URL"
is "$(code -X POST -H "$H" -d "{\"name\":\"dup\",\"url\":\"$FURL/hosts\"}" "$U/feeds") $(jq -r .error "$R/body")" \
	"409 ALREADY_EXISTS" "same URL twice: 409"
is "$(code -X POST -H "$H" "$U/feeds/00000000-0000-4000-8000-000000000000/update") $(jq -r .error "$R/body")" \
	"404 NOT_FOUND" "update of an unknown feed: 404"
is "$(code -X DELETE -H "$H" "$U/feeds/not-a-uuid") $(jq -r .error "$R/body")" \
	"400 INVALID_ID" "delete with a non-UUID id: 400"
is "$(code -X POST "$U/feeds/update")" 401 "no key: 401"

# DELETE /feeds/:id (spec example)
out=$(curl -s -X DELETE "http://localhost:$A/feeds/$ID" \
  -H "Authorization: Bearer $RUNBOUND_API_KEY")
is "$(echo "$out" | jq -r .deleted_id)" "$ID" "DELETE /feeds/:id"
ok "$([ ! -e "$R/feeds/$ID.set" ] && echo 0 || echo 1)" "its set file is gone"
wait_for 5 sh -c "dig @127.0.0.1 -p $P +time=1 +tries=1 ads.feed.example | grep -qv NXDOMAIN"
is "$(st ads.feed.example)" REFUSED "and rb-dnsd no longer blocks its names (no data: REFUSED)"
finish
