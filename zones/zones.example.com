; example.com: a small zone showing what rb-dnsd serves authoritatively.
; Origin example.com. comes from the file name (zones.example.com).
$TTL 3600
@		IN SOA	ns1.example.com. hostmaster.example.com. (
			2026112501 ; serial
			7200       ; refresh
			3600       ; retry
			1209600    ; expire
			300 )      ; minimum: negative answers' TTL
		IN NS	ns1
		IN NS	ns2
		IN A	192.0.2.1
		IN AAAA	2001:db8::1
		IN MX	10 mail
		IN TXT	"v=spf1 mx -all"
ns1		IN A	192.0.2.53
ns2		IN A	192.0.2.54
mail		IN A	192.0.2.25
www		IN CNAME @
; an empty non-terminal: b.example.com exists (NODATA), with no records
a.b		IN A	192.0.2.3
; a wildcard: anything.users.example.com that does not exist gets this
*.users		IN A	192.0.2.99
; a delegation with glue
lab		IN NS	ns.lab
ns.lab		IN A	192.0.2.200
