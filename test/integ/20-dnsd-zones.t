#!/bin/sh
# rb-dnsd's step 6 against unbound's local-zone semantics: every zone type
# configured in runbound.conf and compiled by rb-data, queried with dig.
. "$(dirname "$0")/../lib.sh"

R=$(tmproot)
P=$(free_port)
cat >"$R/runbound.conf" <<EOF
server:
    interface: 127.0.0.1@$P
    rate-limit: 0
    local-zone: "st.test." static
    local-data: "st.test. 3600 IN SOA ns.st.test. host.st.test. 1 3600 1200 604800 300"
    local-data: "a.st.test. 60 IN A 10.0.0.1"
    local-data: "www.st.test. 60 IN CNAME a.st.test."
    local-zone: "nosoa.test." static
    local-zone: "tr.test." transparent
    local-data: "tr.test. 3600 IN SOA ns.tr.test. host.tr.test. 1 3600 1200 604800 600"
    local-data: "h.tr.test. 60 IN A 10.0.0.3"
    local-zone: "tt.test." typetransparent
    local-data: "h.tt.test. 60 IN A 10.0.0.4"
    local-zone: "rd.test." redirect
    local-data: "rd.test. 60 IN A 10.0.0.5"
    local-zone: "rf.test." refuse
    local-data: "ok.rf.test. 60 IN A 10.0.0.6"
    local-zone: "dn.test." deny
    local-data: "ok.dn.test. 60 IN A 10.0.0.7"
    local-zone: "in.test." inform
    local-data: "h.in.test. 60 IN A 10.0.0.8"
    local-zone: "id.test." inform_deny
    local-zone: "ir.test." inform_redirect
    local-data: "ir.test. 60 IN A 10.0.0.9"
    local-zone: "nd.test." nodefault
    local-data: "h.nd.test. 60 IN A 10.0.0.10"
    local-zone: "at.test." always_transparent
    local-data: "h.at.test. 60 IN A 10.0.0.11"
    local-zone: "nx.test." always_nxdomain
    local-zone: "ar.test." always_refuse
    local-data: "implicit.example. 60 IN A 10.0.0.12"
    local-data-ptr: "10.0.0.1 a.st.test."
EOF
rb-data -d "$R" >/dev/null || bail "rb-data failed"
rm -f "$R/ready"
start_bg rb-dnsd -d "$R" -r 3 3>"$R/ready" 2>>"$R/log"
wait_for 5 test -s "$R/ready" || bail "rb-dnsd did not start"

q() { dig @127.0.0.1 -p "$P" +time=1 +tries=1 "$@"; }
st() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# "STATUS flags ANSWER AUTHORITY" in one line
sum() {
	q "$@" | awk '/status:/ { s = $6; sub(",", "", s) }
		/^;; flags:/ { split($0, a, ";"); f = a[3]; sub(" flags: ", "", f)
			an = $0; sub(".*ANSWER: ", "", an); sub(",.*", "", an)
			au = $0; sub(".*AUTHORITY: ", "", au); sub(",.*", "", au) }
		END { print s, f, an, au }'
}
soa_ttl() { q "$@" | awk '$4 == "SOA" { print $2 }'; }

is "$(q +short a.st.test A)" "10.0.0.1" "static: data"
is "$(sum zz.st.test A)" "NXDOMAIN qr aa rd ra 0 1" "static: NXDOMAIN + SOA"
is "$(soa_ttl zz.st.test A)" 300 "static: SOA TTL is min(TTL, minimum)"
is "$(sum a.st.test AAAA)" "NOERROR qr aa rd ra 0 1" "static: NODATA + SOA"
is "$(sum zz.nosoa.test A)" "NXDOMAIN qr aa rd ra 0 0" "static, no SOA"
is "$(q +short www.st.test A | tr '\n' ' ')" "a.st.test. 10.0.0.1 " \
	"static: CNAME followed"
is "$(q +short -x 10.0.0.1)" "a.st.test." "local-data-ptr"

is "$(q +short h.tr.test A)" "10.0.0.3" "transparent: data"
is "$(sum h.tr.test AAAA)" "NOERROR qr aa rd ra 0 1" \
	"transparent: other type is NODATA + SOA"
is "$(soa_ttl h.tr.test AAAA)" 600 "transparent: SOA TTL"
is "$(sum zz.tr.test A)" "REFUSED qr rd ra 0 0" \
	"transparent: other name goes on (REFUSED, no forwarding)"

is "$(q +short h.tt.test A)" "10.0.0.4" "typetransparent: data"
is "$(st h.tt.test AAAA)" "REFUSED" "typetransparent: other type goes on"

is "$(q +short x.y.rd.test A)" "10.0.0.5" "redirect: any name gets the apex"
like "$(q x.y.rd.test A)" "x\.y\.rd\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A" \
	"redirect: owner is the query name"
is "$(sum x.rd.test AAAA)" "NOERROR qr aa rd ra 0 0" "redirect: NODATA"

is "$(sum zz.rf.test A)" "REFUSED qr aa rd ra 0 0" "refuse: REFUSED, AA"
is "$(q +short ok.rf.test A)" "10.0.0.6" "refuse: local data answered"

is "$(st zz.dn.test A)" "" "deny: no answer (dig times out)"
is "$(q +short ok.dn.test A)" "10.0.0.7" "deny: local data answered"

is "$(q +short h.in.test A)" "10.0.0.8" "inform: answered"
like "$(cat "$R/log")" "inform zone=in\.test\. client=127\.0\.0\.1@[0-9]+ name=h\.in\.test\. type=1" \
	"inform: client logged"
is "$(st x.id.test A)" "" "inform_deny: dropped"
like "$(cat "$R/log")" "inform zone=id\.test\." "inform_deny: logged"
is "$(q +short x.ir.test A)" "10.0.0.9" "inform_redirect: redirected"
is "$(q +short h.nd.test A)" "10.0.0.10" "nodefault: as transparent"
is "$(st zz.nd.test A)" "REFUSED" "nodefault: other names go on"

is "$(st h.at.test A)" "REFUSED" "always_transparent: ignores data"
is "$(sum x.nx.test A)" "NXDOMAIN qr aa rd ra 0 0" "always_nxdomain"
is "$(sum x.ar.test A)" "REFUSED qr aa rd ra 0 0" "always_refuse"
is "$(q +short implicit.example A)" "10.0.0.12" \
	"data outside zones: implicit transparent zone"
is "$(st zz.implicit.example A)" "REFUSED" "implicit zone: other names go on"

finish
