/* Unit tests for lib/conf/conf: defaults, every directive, quoting, includes,
 * @port and #name, warnings for unbound's directives, and errors with the
 * right file and line. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/defzones.h"

#include "../../tap.h"

struct warns {
	int n;
	char last[65536]; /* room for a long summary */
};

static void
collect(void *ctx, const char *file, int line, const char *msg)
{
	struct warns *w = ctx;

	w->n++;
	if (file == NULL) /* the summary of what was ignored */
		snprintf(w->last, sizeof w->last, "%s", msg);
	else
		snprintf(w->last, sizeof w->last, "%s:%d: %s", file, line, msg);
}

static struct warns W;
static struct rb_diag D;
static char errbuf[1024];

/* Parse text as "t.conf"; warnings land in W, errors in errbuf. */
/* The config's own local-data lines, not those of unbound's default
 * zones. */
static size_t
own_data(const struct rb_conf *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ndata; i++)
		n += !c->data[i].builtin;
	return n;
}

/* The type of the zone named name in c, "" when absent. */
static const char *
zone_type(const struct rb_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i].name, name) == 0)
			return c->zones[i].type;
	return "";
}

static struct rb_conf *
parse(const char *text)
{
	struct rb_conf *c;

	memset(&W, 0, sizeof W);
	memset(&D, 0, sizeof D);
	errbuf[0] = '\0';
	c = rb_conf_parse("t.conf", text, strlen(text), &D, collect, &W);
	if (c == NULL)
		rb_diag_str(&D, errbuf, sizeof errbuf);
	return c;
}

/* Expect text to fail with exactly want ("t.conf:2: ..."). */
static void
bad(const char *text, const char *want)
{
	struct rb_conf *c = parse(text);

	if (!ok(c == NULL, "refused: %s", want))
		rb_conf_free(c);
	is_str(errbuf, want, "message: %s", want);
}

/* unbound's default local zones (lib/conf/defzones), as unbound 1.17
 * enters them: after the config's, replaced by a zone of the same name,
 * nodefault included; the AS112 ones unless unblock-lan-zones. */
static void
test_default_zones(void)
{
	struct rb_conf *c = parse("server:\n");
	size_t soa = 0;

	if (c == NULL)
		return;
	is_int(c->nzones, 102, "102 default zones with an empty config");
	is_str(zone_type(c, "localhost."), "redirect", "localhost.: redirect");
	is_str(zone_type(c, "168.192.in-addr.arpa."), "static",
	    "168.192.in-addr.arpa.: static");
	for (size_t i = 0; i < c->ndata; i++)
		soa +=
		    strstr(c->data[i].text,
		        " 10800 IN SOA localhost. nobody.invalid. 1 3600 1200 "
		        "604800 10800") != NULL;
	is_int(soa, 102, "each with unbound's SOA");
	ok(c->zones[0].builtin && c->data[0].builtin, "marked builtin");
	rb_conf_free(c);
	c = parse("server:\n local-zone: \"168.192.in-addr.arpa.\" "
	          "nodefault\n local-zone: localhost transparent\n"
	          " local-zone: TEST. typetransparent\n");
	if (c == NULL)
		return;
	is_int(c->nzones, 102, "three replaced, by the config's three");
	is_str(zone_type(c, "168.192.in-addr.arpa."), "nodefault",
	    "nodefault replaces a default");
	is_str(zone_type(c, "localhost."), "transparent",
	    "a configured zone of the same name replaces it");
	is_str(zone_type(c, "test."), "", "names compare without case");
	rb_conf_free(c);
	c = parse("server:\n unblock-lan-zones: yes\n");
	if (c == NULL)
		return;
	is_int(c->nzones, 7, "unblock-lan-zones: yes: the AS112 zones go");
	is_str(zone_type(c, "10.in-addr.arpa."), "",
	    "10.in-addr.arpa. among them");
	is_str(zone_type(c, "invalid."), "static", "invalid. stays");
	rb_conf_free(c);
}

static void
test_defaults(void)
{
	struct rb_conf *c = rb_conf_default();

	ok(c != NULL, "rb_conf_default");
	if (c == NULL)
		return;
	is_int(c->nifaces, 1, "one default interface");
	is_str(c->ifaces[0].addr, "0.0.0.0", "default interface 0.0.0.0");
	is_int(c->ifaces[0].port, 53, "default interface port 53");
	is_int(c->port, 53, "port 53");
	ok(c->do_ip4 && c->do_ip6 && c->do_udp && c->do_tcp, "do-* yes");
	is_int(c->nacls, 0, "no access-control");
	is_int(c->rate_limit, 200, "rate-limit 200");
	is_int(c->cache_max_ttl, 86400, "cache-max-ttl 86400");
	is_int(c->cache_min_ttl, 0, "cache-min-ttl 0");
	is_str(rb_conf_mode_name(c->mode), "master", "mode master");
	is_int(c->sync_port, 0, "sync-port off");
	ok(c->sync_key == NULL && c->sync_master == NULL, "no sync-key/master");
	is_int(c->sync_interval, 30, "sync-interval 30");
	is_int(c->api_port, 8081, "api-port 8081");
	is_int(c->log_retention, 1000, "log-retention 1000");
	is_int(c->log_client_ip, 0, "log-client-ip no");
	is_int(c->audit_log, 0, "audit-log no");
	ok(c->audit_log_hmac_key == NULL, "no audit key");
	is_int(c->dnssec_validation, 0, "dnssec-validation no");
	is_int(c->verbosity, 1, "verbosity 1");
	ok(c->logfile == NULL && c->username == NULL, "logfile, username");
	is_int(c->journal_retention, 10000, "journal-retention 10000");
	is_int(c->incoming_num_tcp, 1024, "incoming-num-tcp 1024");
	is_int(c->tcp_idle_timeout, 30000, "tcp-idle-timeout 30000");
	is_int(c->ntcp_limits, 0, "no tcp-connection-limit");
	is_int(c->ifaces[0].name, 0, "default interface is an address");
	rb_conf_free(c);

	c = parse("# nothing but a comment\n\n   \n");
	ok(c != NULL, "empty file parses");
	if (c != NULL) {
		is_int(c->nifaces, 1, "empty file: default interface");
		is_str(c->path, "t.conf", "path recorded");
		is_int(c->nfiles, 1, "one file");
		rb_conf_free(c);
	}
	rb_conf_free(NULL);
}

static void
test_scalars(void)
{
	struct rb_conf *c = parse("server:\n"
	                          "\tport: 5353\n"
	                          "\tdo-ip4: no\n"
	                          "\tdo-ip6:no\n"
	                          "\tdo-udp: yes\n"
	                          "\tdo-tcp:   no\n"
	                          "\trate-limit: 0\n"
	                          "\tcache-max-ttl: 3600\n"
	                          "\tcache-min-ttl: 60\n"
	                          "\tmode: slave\n"
	                          "\tsync-port: 8082\n"
	                          "\tsync-key: \"k3y\"\n"
	                          "\tsync-master: 192.168.1.10:8082\n"
	                          "\tsync-interval: 5\n"
	                          "\tapi-port: 8083\n"
	                          "\tlog-retention: 10000\n"
	                          "\tlog-client-ip: yes\n"
	                          "\taudit-log: yes\n"
	                          "\taudit-log-hmac-key: 'hm\"ac'\n"
	                          "\tdnssec-validation: yes\n"
	                          "\tverbosity: 5\n"
	                          "\tlogfile: \"/var/log/rb.log\"\n"
	                          "\tusername: \"unbound\"\n"
	                          "\tjournal-retention: 1\n");

	ok(c != NULL, "every scalar directive parses");
	if (c == NULL) {
		diag("%s", errbuf);
		return;
	}
	is_int(c->port, 5353, "port");
	ok(!c->do_ip4 && !c->do_ip6 && c->do_udp && !c->do_tcp, "do-*");
	is_int(c->rate_limit, 0, "rate-limit 0 (off)");
	is_int(c->cache_max_ttl, 3600, "cache-max-ttl");
	is_int(c->cache_min_ttl, 60, "cache-min-ttl");
	is_str(rb_conf_mode_name(c->mode), "slave", "mode");
	is_int(c->sync_port, 8082, "sync-port");
	is_str(c->sync_key, "k3y", "sync-key unquoted");
	is_str(c->sync_master, "192.168.1.10:8082", "sync-master");
	is_int(c->sync_interval, 5, "sync-interval");
	is_int(c->api_port, 8083, "api-port");
	is_int(c->log_retention, 10000, "log-retention max");
	is_int(c->log_client_ip, 1, "log-client-ip");
	is_int(c->audit_log, 1, "audit-log");
	is_str(c->audit_log_hmac_key, "hm\"ac", "single quotes keep \"");
	is_int(c->dnssec_validation, 1, "dnssec-validation");
	is_int(c->verbosity, 5, "verbosity");
	is_str(c->logfile, "/var/log/rb.log", "logfile");
	is_str(c->username, "unbound", "username");
	is_int(c->journal_retention, 1, "journal-retention");
	is_int(c->ifaces[0].port, 5353, "default interface takes port:");
	is_int(W.n, 0, "no warnings");
	rb_conf_free(c);

	c = parse("server:\n mode: slave\n sync-master: [fd00::1]:8082\n");
	ok(c != NULL && strcmp(c->sync_master, "[fd00::1]:8082") == 0,
	    "sync-master [ipv6]:port");
	rb_conf_free(c);
	c = parse("server:\n sync-master: master.home:8082\n");
	ok(c != NULL, "sync-master host:port");
	rb_conf_free(c);
	c = parse("server:\n logfile: \"\"\n username: \"\"\n port: 1\n"
	          " port: 65535\n");
	ok(c != NULL && c->logfile == NULL && c->username == NULL,
	    "empty logfile and username mean none");
	ok(c != NULL && c->port == 65535, "last value wins");
	rb_conf_free(c);
}

static void
test_lists(void)
{
	struct rb_conf *c = parse(
	    "server:\n"
	    "  interface: 127.0.0.1@5353\n"
	    "  interface: ::1\n"
	    "  interface: 0.0.0.0\n"
	    "  port: 5300\n"
	    "  access-control: 127.0.0.0/8 allow\n"
	    "  access-control: ::1 allow_snoop\n"
	    "  access-control: 0.0.0.0/0 refuse\n"
	    "  access-control: 10.1.2.3/32 deny_non_local\n"
	    "  private-address: 10.0.0.0/8\n"
	    "  private-address: fd00::/8\n"
	    "  private-address: 192.0.2.1\n"
	    "  allow-transfer: 127.0.0.1\n"
	    "  allow-transfer: 10.1.0.0/16\n"
	    "  also-notify: 127.0.0.1@5301\n"
	    "  also-notify: ::1\n"
	    "  private-domain: \"home\"\n"
	    "  private-domain: lan.\n"
	    "  local-zone: \"home.\" static\n"
	    "  local-zone: ads.example always_nxdomain\n"
	    "  local-zone: \"10.in-addr.arpa.\" nodefault\n"
	    "  local-data: \"nas.home. 300 IN A 192.168.1.10\"\n"
	    "  local-data: 'txt.home. TXT \"hi there\"'\n"
	    "  local-data: v6.home AAAA 2001:db8::1\n"
	    "  local-data-ptr: \"192.168.1.10 nas.home\"\n"
	    "  local-data-ptr: \"2001:db8::1 7200 v6.home.\"\n");

	ok(c != NULL, "list directives parse");
	if (c == NULL) {
		diag("%s", errbuf);
		return;
	}
	is_int(c->nifaces, 3, "three interfaces");
	is_str(c->ifaces[0].addr, "127.0.0.1", "interface without @port");
	is_int(c->ifaces[0].port, 5353, "@port kept");
	is_str(c->ifaces[1].addr, "::1", "IPv6 interface");
	is_int(c->ifaces[1].port, 5300, "port: given later applies");
	is_int(c->nacls, 4, "four access-control");
	is_str(c->acls[1].netblock, "::1/128", "bare address gets /128");
	is_str(c->acls[1].action, "allow_snoop", "action");
	is_str(c->acls[2].netblock, "0.0.0.0/0", "netblock kept");
	is_int(c->nprivate_addrs, 3, "private-address");
	is_int(c->nallow_transfer, 2, "allow-transfer");
	is_str(c->allow_transfer[0], "127.0.0.1/32", "allow-transfer address");
	is_str(c->allow_transfer[1], "10.1.0.0/16", "allow-transfer netblock");
	is_int(c->nalso_notify, 2, "also-notify");
	is_int(c->also_notify[0].port, 5301, "also-notify @port");
	is_str(c->also_notify[1].addr, "::1", "also-notify ipv6");
	is_int(c->also_notify[1].port, 53, "also-notify default port");
	is_str(c->private_addrs[2], "192.0.2.1/32", "bare address gets /32");
	is_int(c->nprivate_domains, 2, "private-domain");
	is_str(c->private_domains[0], "home.", "dot added");
	is_int(rb_conf_defzones_own_zones(c), 3, "local-zone");
	is_str(c->zones[0].name, "home.", "zone name");
	is_str(c->zones[0].type, "static", "zone type");
	is_str(c->zones[1].name, "ads.example.", "unquoted zone name");
	is_str(c->zones[0].file, "t.conf", "zone file");
	is_int(c->zones[1].line, 20, "zone line");
	is_int(own_data(c), 3, "local-data");
	is_str(c->data[0].text, "nas.home. 300 IN A 192.168.1.10", "unquoted");
	is_str(c->data[1].text, "txt.home. TXT \"hi there\"",
	    "single quotes keep inner double quotes");
	is_str(c->data[2].text, "v6.home AAAA 2001:db8::1",
	    "unquoted local-data takes the rest of the line");
	is_int(c->data[2].line, 24, "local-data line");
	is_int(c->nptrs, 2, "local-data-ptr");
	is_str(c->ptrs[1].text, "2001:db8::1 7200 v6.home.", "ptr with ttl");
	rb_conf_free(c);
}

static void
test_lexing(void)
{
	struct rb_conf *c = parse(
	    "# leading comment\r\n"
	    "server: # comment after the clause\r\n"
	    "\tlocal-data: \"a.home. TXT \\\"x # y\\\"\" # trailing\r\n"
	    "\tsync-key:\"ab#cd\"\r\n"
	    "\taudit-log-hmac-key: ab#cd\r\n"
	    "server: verbosity: 3\n"
	    "forward-zone: name: \"example.\"\n"
	    "  forward-addr: 192.0.2.53 # not part of the address\n"
	    "\n"
	    "server:\n"
	    "port: 99");

	ok(c != NULL, "comments, CRLF, no final newline");
	if (c == NULL) {
		diag("%s", errbuf);
		return;
	}
	is_str(c->data[0].text, "a.home. TXT \\\"x # y\\\"",
	    "# and escaped quotes inside quotes");
	is_str(c->sync_key, "ab#cd", "no blank after colon, # in quotes");
	is_str(c->audit_log_hmac_key, "ab#cd", "# inside a word is no comment");
	is_int(c->verbosity, 3, "directive on the clause line");
	is_int(c->nfwd, 1, "forward-zone with name on its line");
	is_str(c->fwd[0].addrs[0].addr, "192.0.2.53", "comment after addr");
	is_int(c->port, 99, "last line without newline");
	rb_conf_free(c);
}

static void
test_forward(void)
{
	struct rb_conf *c = parse(
	    "forward-zone:\n"
	    "  name: \".\"\n"
	    "  forward-addr: 1.1.1.1@853#cloudflare-dns.com\n"
	    "  forward-addr: 9.9.9.9\n"
	    "  forward-addr: 2620:fe::fe@8853\n"
	    "  forward-tls-upstream: yes\n"
	    "  forward-tls-hostname: dns.quad9.net\n"
	    "  forward-first: no\n"
	    "forward-zone:\n"
	    "  name: corp.example.com\n"
	    "  forward-addr: 10.0.0.53\n"
	    "  forward-addr: 10.0.0.54@5353\n"
	    "forward-zone:\n"
	    "  name: ssl.example\n"
	    "  forward-addr: 10.0.0.55\n"
	    "  forward-ssl-upstream: yes\n");

	ok(c != NULL, "forward zones parse");
	if (c == NULL) {
		diag("%s", errbuf);
		return;
	}
	is_int(c->nfwd, 3, "three zones");
	ok(c->nfwd == 3 && c->fwd[2].tls_upstream &&
	        c->fwd[2].addrs[0].port == 853,
	    "forward-ssl-upstream alias");
	is_str(c->fwd[0].name, ".", "root zone");
	is_int(c->fwd[0].tls_upstream, 1, "tls upstream");
	is_str(c->fwd[0].tls_hostname, "dns.quad9.net", "tls hostname");
	is_int(c->fwd[0].naddrs, 3, "three addresses");
	is_str(c->fwd[0].addrs[0].addr, "1.1.1.1", "addr without @ and #");
	is_int(c->fwd[0].addrs[0].port, 853, "@853");
	is_str(c->fwd[0].addrs[0].tls_name, "cloudflare-dns.com", "#name");
	is_int(c->fwd[0].addrs[1].port, 853, "tls upstream implies 853");
	ok(c->fwd[0].addrs[1].tls_name == NULL, "no #name: NULL");
	is_str(c->fwd[0].addrs[2].addr, "2620:fe::fe", "IPv6 forward-addr");
	is_int(c->fwd[0].addrs[2].port, 8853, "IPv6 @port");
	is_str(c->fwd[1].name, "corp.example.com.", "dot added");
	is_int(c->fwd[1].tls_upstream, 0, "plain upstream");
	is_int(c->fwd[1].addrs[0].port, 53, "plain implies 53");
	is_int(c->fwd[1].addrs[1].port, 5353, "@5353");
	is_int(c->fwd[1].line, 9, "zone line");
	is_int(W.n, 1, "forward-first: one summary");
	is_str(W.last, "ignored (not implemented): forward-first (1)",
	    "forward-first summary text");
	rb_conf_free(c);
}

/* Prefix families have no end of names: past the cap they are counted. */
static void
test_ignored_cap(void)
{
	size_t len = 1100 * 32 + 16, off;
	char *text = malloc(len), *tail;
	struct rb_conf *c;

	if (text == NULL)
		bail("out of memory");
	off = (size_t)snprintf(text, len, "server:\n");
	for (int i = 0; i < 1100; i++)
		off += (size_t)snprintf(text + off, len - off, " acme-x%d: 1\n",
		    i);
	c = parse(text);
	ok(c != NULL, "1100 distinct ignored names load");
	tail = strrchr(W.last, ',');
	is_str(tail ? tail : "", ", 76 more lines", "past 1024 names, counted");
	rb_conf_free(c);
	free(text);
}

static void
test_warnings(void)
{
	struct rb_conf *c = parse("server:\n"
	                          "  num-threads: 4\n"
	                          "  msg-cache-size: 50m\n"
	                          "  api-key: \"secret\"\n"
	                          "remote-control:\n"
	                          "  control-enable: yes\n"
	                          "python:\n"
	                          "  python-script: \"x.py\"\n"
	                          "view:\n"
	                          "  name: \"v\"\n"
	                          "  local-zone: \"x.\" static\n"
	                          "server:\n"
	                          "  port: 53\n");

	ok(c != NULL, "unbound directives and clauses load");
	is_int(W.n, 1, "one summary, not one warning per line");
	is_str(W.last,
	    "ignored (not implemented): num-threads (1), "
	    "msg-cache-size (1), api-key (1), remote-control (1), "
	    "python (1), view (1)",
	    "clauses counted by their name, not their directives");
	rb_conf_free(c);
	c = parse("server:\n num-threads: 2\n"
	          "stub-zone:\n name: \"a.\"\n"
	          "server:\n num-threads: 3\n"
	          "stub-zone: name: \"b.\"\n"
	          "server:\n tcp-idle-timeout: 500000\n num-threads: 4\n");
	is_int(W.n, 2, "a real warning, then the summary");
	is_str(W.last,
	    "ignored (not implemented): num-threads (3), stub-zone (2)",
	    "counts, in the order first seen");
	rb_conf_free(c);
	c = parse("server:\n api-key: \"x\"\n acme-email: a@b\n");
	is_str(W.last, "ignored (not implemented): api-key (1), acme-email (1)",
	    "Runbound-only directives counted");
	rb_conf_free(c);
	c = parse("server:\n num-threads: 2\n nosuch: 1\n");
	ok(c == NULL, "unknown directive still an error");
	is_int(W.n, 0, "no summary when the parse fails");
	is_str(errbuf, "t.conf:3: unknown directive 'nosuch'",
	    "unknown directive message");
	c = parse("server:\n port: 53\n");
	is_int(W.n, 0, "nothing ignored: no summary");
	rb_conf_free(c);
	test_ignored_cap();
	c = rb_conf_parse("t.conf", "server:\n num-threads: 2\n", 24, NULL,
	    NULL, NULL);
	ok(c != NULL, "NULL diag and warn callback accepted");
	rb_conf_free(c);
}

static void
test_errors(void)
{
	bad("server:\n\n x: 1\n", "t.conf:3: unknown directive 'x'");
	bad("port: 53\n",
	    "t.conf:1: directive 'port' outside a clause (a line "
	    "'server:' is missing)");
	bad("server:\n port 53\n",
	    "t.conf:2: syntax error: expected ':' "
	    "after the directive name");
	bad("server:\n local-data: \"x.home. A 1.2.3.4\n",
	    "t.conf:2: unterminated quoted string");
	bad("server:\n do-ip4: maybe\n",
	    "t.conf:2: do-ip4: expected yes or no, got 'maybe'");
	bad("server:\n port: 0\n",
	    "t.conf:2: port: '0' is not a number in 1..65535");
	bad("server:\n port: 65536\n",
	    "t.conf:2: port: '65536' is not a number in 1..65535");
	bad("server:\n port: 5x\n",
	    "t.conf:2: port: '5x' is not a number in 1..65535");
	bad("server:\n port:\n", "t.conf:2: port: expected 1 value, got 0");
	bad("server:\n port: 1 2\n", "t.conf:2: port: expected 1 value, got 2");
	bad("server:\n log-retention: 10001\n",
	    "t.conf:2: log-retention: '10001' is not a number in 0..10000");
	bad("server:\n rate-limit: 1000001\n",
	    "t.conf:2: rate-limit: '1000001' is not a number in 0..1000000");
	bad("server:\n rate-limit: -1\n",
	    "t.conf:2: rate-limit: '-1' is not a number in 0..1000000");
	bad("server:\n journal-retention: 0\n",
	    "t.conf:2: journal-retention: "
	    "'0' is not a number in 1..1000000000");
	bad("server:\n verbosity: 99999999999999999999\n",
	    "t.conf:2: "
	    "verbosity: '99999999999999999999' is not a number in 0..5");
	bad("server:\n access-control: 10.0.0.0/33 allow\n",
	    "t.conf:2: access-control: '10.0.0.0/33' is not a netblock");
	bad("server:\n access-control: 10.0.0/8 allow\n",
	    "t.conf:2: access-control: '10.0.0/8' is not a netblock");
	bad("server:\n access-control: ::/-0 allow\n",
	    "t.conf:2: access-control: '::/-0' is not a netblock");
	bad("server:\n access-control: 10.0.0.0/8 permit\n",
	    "t.conf:2: access-control: unknown action 'permit' (deny, refuse, "
	    "allow, allow_setrd, allow_snoop, deny_non_local, "
	    "refuse_non_local)");
	bad("server:\n access-control: 10.0.0.0/8\n",
	    "t.conf:2: access-control: expected 2 values, got 1");
	bad("server:\n private-address: 300.0.0.0/8\n",
	    "t.conf:2: private-address: '300.0.0.0/8' is not a netblock");
	bad("server:\n allow-transfer: 10.0.0.0/33\n",
	    "t.conf:2: allow-transfer: '10.0.0.0/33' is not an address or "
	    "netblock");
	bad("server:\n\n also-notify: nsd.example\n",
	    "t.conf:3: also-notify: 'nsd.example' is not an IP address");
	bad("server:\n also-notify: 127.0.0.1@0\n",
	    "t.conf:2: also-notify: '0' is not a port (1..65535)");
	bad("server:\n private-domain: a..b\n",
	    "t.conf:2: private-domain: invalid name 'a..b': empty label in "
	    "name");
	bad("server:\n local-zone: \"home.\" bogus\n",
	    "t.conf:2: local-zone: unknown type 'bogus'");
	bad("server:\n local-zone: \"ho me.\" static\n",
	    "t.conf:2: local-zone: invalid name 'ho me.': invalid character "
	    "in name");
	bad("server:\n local-data: \"x.home. A 1.2.3\"\n",
	    "t.conf:2: local-data: invalid record 'x.home. A 1.2.3': Syntax "
	    "error, could not parse the RR's rdata");
	bad("server:\n local-data: \"x.home.\"\n",
	    "t.conf:2: local-data: invalid record 'x.home.': Syntax error, "
	    "could not parse the RR's TTL");
	bad("server:\n local-data: \"$ORIGIN x.\"\n",
	    "t.conf:2: local-data: invalid record '$ORIGIN x.': name "
	    "'$ORIGIN.': invalid character in name");
	/* rb-data's parser decides (lib/wire/rr): a wildcard owner that
	 * would build no local data at all is refused here. */
	bad("server:\n local-data: \"*.apps.lab.internal. A 10.0.10.4\"\n",
	    "t.conf:2: local-data: invalid record '*.apps.lab.internal. A "
	    "10.0.10.4': name '*.apps.lab.internal.': invalid character in "
	    "name");
	bad("server:\n local-data:\n", "t.conf:2: local-data: missing value");
	bad("server:\n local-data-ptr: \"1.2.3.4\"\n",
	    "t.conf:2: "
	    "local-data-ptr: expected \"address [ttl] name\"");
	bad("server:\n local-data-ptr: \"1.2.3 x.home\"\n",
	    "t.conf:2: local-data-ptr: '1.2.3' is not an IP address");
	bad("server:\n local-data-ptr: \"1.2.3.4 -5 x.home\"\n",
	    "t.conf:2: local-data-ptr: '-5' is not a TTL");
	bad("server:\n local-data-ptr: \"1.2.3.4 x..home\"\n",
	    "t.conf:2: local-data-ptr: invalid name 'x..home': empty label in "
	    "name");
	bad("server:\n interface: eth/0\n",
	    "t.conf:2: interface: 'eth/0' "
	    "is not an IP address or an interface name");
	bad("server:\n interface: 192.168.1\n",
	    "t.conf:2: interface: "
	    "'192.168.1' is not an IP address or an interface name");
	bad("server:\n interface: a-name-of-16-chr\n",
	    "t.conf:2: interface: "
	    "'a-name-of-16-chr' is not an IP address or an interface name");
	bad("server:\n incoming-num-tcp: 65537\n",
	    "t.conf:2: "
	    "incoming-num-tcp: '65537' is not a number in 0..65536");
	bad("server:\n incoming-num-tcp: -1\n",
	    "t.conf:2: "
	    "incoming-num-tcp: '-1' is not a number in 0..65536");
	bad("server:\n tcp-idle-timeout: 30s\n",
	    "t.conf:2: "
	    "tcp-idle-timeout: '30s' is not a number of milliseconds in "
	    "0..2147483647");
	bad("server:\n tcp-connection-limit: 10.0.0.0/33 5\n",
	    "t.conf:2: "
	    "tcp-connection-limit: '10.0.0.0/33' is not a netblock");
	bad("server:\n tcp-connection-limit: 10.0.0.0/8 -1\n",
	    "t.conf:2: "
	    "tcp-connection-limit: '-1' is not a number in 0..2147483647");
	bad("server:\n tcp-connection-limit: 10.0.0.0/8\n",
	    "t.conf:2: "
	    "tcp-connection-limit: expected 2 values, got 1");
	bad("server:\n interface: 127.0.0.1@0\n",
	    "t.conf:2: interface: '0' is not a port (1..65535)");
	bad("server:\n mode: primary\n",
	    "t.conf:2: mode: expected master or slave, got 'primary'");
	bad("server:\n mode: slave\n port: 53\n",
	    "t.conf:2: mode: slave requires sync-master:");
	bad("server:\n sync-master: 10.0.0.1\n",
	    "t.conf:2: sync-master: expected host:port, got '10.0.0.1'");
	bad("server:\n sync-master: ::1:8082\n",
	    "t.conf:2: sync-master: "
	    "invalid host '::1' (use [addr]:port for IPv6)");
	bad("server:\n sync-key: \"\"\n", "t.conf:2: sync-key: empty value");
	bad("forward-zone:\n forward-addr: 1.1.1.1\n",
	    "t.conf:1: forward-zone: missing name:");
	bad("forward-zone:\n name: x.\n",
	    "t.conf:1: forward-zone 'x.': no forward-addr:");
	bad("forward-zone:\n name: x.\n name: y.\n",
	    "t.conf:3: name: forward-zone already named 'x.'");
	bad("forward-zone:\n name: a.\n forward-addr: 1.1.1.1\n"
	    "forward-zone:\n name: A\n forward-addr: 1.1.1.1\n",
	    "t.conf:4: duplicate forward-zone 'A.' (first at t.conf:1)");
	bad("forward-zone:\n name: x\n forward-addr: one.one.one.one\n",
	    "t.conf:3: forward-addr: 'one.one.one.one' is not an IP address");
	bad("forward-zone:\n name: x\n forward-addr: 1.1.1.1@853#bad..name\n",
	    "t.conf:3: forward-addr: invalid TLS name 'bad..name': empty "
	    "label in name");
	bad("forward-zone:\n name: x\n forward-addr: 1.1.1.1@99999\n",
	    "t.conf:3: forward-addr: '99999' is not a port (1..65535)");
	bad("forward-zone:\n name: x\n forward-tls-upstream: 1\n",
	    "t.conf:3: forward-tls-upstream: expected yes or no, got '1'");
	bad("forward-zone:\n name: x\n port: 53\n",
	    "t.conf:3: unknown directive 'port' in forward-zone:");
	bad("server: forward-zone:\n", "t.conf:1: two clauses on one line");
	bad("server:\n sync-master: [10.0.0.1]:8082\n",
	    "t.conf:2: "
	    "sync-master: invalid host '10.0.0.1' (use [addr]:port for IPv6)");
	bad("server:\n sync-master: a_b..c:1\n",
	    "t.conf:2: sync-master: "
	    "invalid host 'a_b..c' (use [addr]:port for IPv6)");
	bad("server:\n \"port\": 1\n",
	    "t.conf:2: syntax error: expected a directive name");
	bad("server:\n include: \n",
	    "t.conf:2: include: expected one file "
	    "name");
	bad("server:\n a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
	    "t.conf:2: too many values on one line");
	{
		static const char nul[] = "server:\n port: 5\0\n";
		struct rb_conf *c = rb_conf_parse("t.conf", nul, sizeof nul - 1,
		    &D, NULL, NULL);
		ok(c == NULL && errno == EINVAL, "NUL byte refused, EINVAL");
		is_str(rb_diag_str(&D, errbuf, sizeof errbuf),
		    "t.conf:2: NUL byte in line", "NUL byte message");
	}
}

/* A directory with files for the include tests; removed at the end. */
static char dir[64];

static void
put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		bail("cannot write test file");
}

static struct rb_conf *
load(const char *name)
{
	char path[256];
	struct rb_conf *c;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	memset(&W, 0, sizeof W);
	memset(&D, 0, sizeof D);
	errbuf[0] = '\0';
	c = rb_conf_load(path, &D, collect, &W);
	if (c == NULL)
		rb_diag_str(&D, errbuf, sizeof errbuf);
	return c;
}

static void
test_includes(void)
{
	struct rb_conf *c;
	char want[512];
	char sub[128];

	snprintf(dir, sizeof dir, "/tmp/t_conf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(sub, sizeof sub, "%s/sub", dir);
	if (mkdir(sub, 0755) < 0)
		bail("mkdir");
	put("main.conf",
	    "server:\n  port: 1\n  include: \"sub/a.conf\"\n"
	    "  include: sub/g*.conf\n  include: nothing-*.conf\n"
	    "include-toplevel: \"sub/top.conf\"\n");
	put("sub/a.conf",
	    "  port: 2  # still in server:\n"
	    "  include: b.conf\n");
	put("sub/b.conf", "  verbosity: 4\n");
	put("sub/g1.conf", "  local-zone: g1 static\n");
	put("sub/g2.conf", "  local-zone: g2 static\n");
	put("sub/top.conf",
	    "forward-zone:\n name: .\n forward-addr: 1.1.1.1\n");
	c = load("main.conf");
	ok(c != NULL, "includes load");
	if (c != NULL) {
		is_int(c->port, 2, "include: continues the clause");
		is_int(c->verbosity, 4, "nested include relative to its file");
		is_int(rb_conf_defzones_own_zones(c), 2,
		    "glob includes both files");
		ok(rb_conf_defzones_own_zones(c) == 2 &&
		        strcmp(c->zones[0].name, "g1.") == 0,
		    "glob matches in order");
		snprintf(want, sizeof want, "%s/sub/g2.conf", dir);
		ok(rb_conf_defzones_own_zones(c) == 2 &&
		        strcmp(c->zones[1].file, want) == 0,
		    "zone file is the included file");
		is_int(c->nfwd, 1, "include-toplevel");
		is_int(c->nfiles, 6, "six files read");
		rb_conf_free(c);
	}

	put("err.conf", "server:\n  include: \"sub/e1.conf\"\n");
	put("sub/e1.conf", "\n\n  include: e2.conf\n");
	put("sub/e2.conf", "# line 1\n  bogus-directive: 1\n");
	c = load("err.conf");
	snprintf(want, sizeof want,
	    "%s/sub/e2.conf:2: unknown directive "
	    "'bogus-directive'",
	    dir);
	ok(c == NULL, "error inside a nested include");
	is_str(errbuf, want, "error names the included file and its line");

	put("missing.conf", "server:\n\n  include: \"nope.conf\"\n");
	c = load("missing.conf");
	snprintf(want, sizeof want,
	    "%s/missing.conf:3: unable to open "
	    "%s/nope.conf: No such file or directory",
	    dir, dir);
	ok(c == NULL && errno == ENOENT, "missing include: ENOENT");
	is_str(errbuf, want, "missing include names the include line");

	put("loop.conf", "server:\n  include: \"sub/loop2.conf\"\n");
	put("sub/loop2.conf", "  include: ../loop.conf\n");
	c = load("loop.conf");
	snprintf(want, sizeof want,
	    "%s/sub/loop2.conf:1: include loop: "
	    "%s/sub/../loop.conf is already being read",
	    dir, dir);
	ok(c == NULL, "include loop refused");
	is_str(errbuf, want, "loop message");

	put("sub/self.conf", "server:\n  include: \"sel*.conf\"\n");
	c = load("sub/self.conf");
	ok(c == NULL && strstr(errbuf, "include loop") != NULL,
	    "glob that matches the including file is a loop");
	rb_conf_free(c);

	put("dir.conf", "server:\n  include: sub\n");
	c = load("dir.conf");
	snprintf(want, sizeof want, "%s/dir.conf:2: not a regular file: %s/sub",
	    dir, dir);
	ok(c == NULL, "directory include refused");
	is_str(errbuf, want, "directory include message");

	put("top2.conf", "server:\n  include-toplevel: sub/b.conf\n");
	c = load("top2.conf");
	snprintf(want, sizeof want,
	    "%s/sub/b.conf:1: directive 'verbosity' "
	    "outside a clause (a line 'server:' is missing)",
	    dir);
	ok(c == NULL, "include-toplevel closes the clause");
	is_str(errbuf, want, "include-toplevel message");

	for (int i = 0; i < 20; i++) {
		char name[32], text[64];
		snprintf(name, sizeof name, "sub/d%d.conf", i);
		snprintf(text, sizeof text, "include: d%d.conf\n", i + 1);
		put(name, text);
	}
	put("sub/d20.conf", "server:\n");
	c = load("sub/d0.conf");
	snprintf(want, sizeof want,
	    "%s/sub/d15.conf:1: include: nested more "
	    "than 16 deep",
	    dir);
	ok(c == NULL, "include depth limited");
	is_str(errbuf, want, "depth message");

	c = load("absent.conf");
	snprintf(want, sizeof want,
	    "unable to open %s/absent.conf: No such "
	    "file or directory",
	    dir);
	ok(c == NULL && errno == ENOENT, "missing top file");
	is_str(errbuf, want, "missing top file message has no line");

	c = rb_conf_load("/dev/null", &D, NULL, NULL);
	ok(c == NULL, "/dev/null is not a regular file");
	rb_conf_free(c);
}

static void
test_limits(void)
{
	size_t n = 1024 * 1024 + 64;
	char *big = malloc(n + 1);
	struct rb_conf *c;

	if (big == NULL)
		bail("malloc");
	memcpy(big, "server:\n sync-key: ", 19);
	memset(big + 19, 'k', n - 19);
	big[n] = '\0';
	c = parse(big);
	ok(c == NULL, "line over 1 MiB refused");
	is_str(errbuf, "t.conf:2: line longer than 1048576 bytes",
	    "long line message");
	rb_conf_free(c);
	big[1024 * 1024 - 16] = '\0';
	c = parse(big);
	ok(c != NULL && strlen(c->sync_key) == 1024 * 1024 - 35,
	    "line just under 1 MiB accepted");
	rb_conf_free(c);
	free(big);
}

static void
test_tcp(void)
{
	struct rb_conf *c = parse("server:\n"
	                          "  interface: lo@5353\n"
	                          "  interface: eth0\n"
	                          "  ip-address: 127.0.0.1\n"
	                          "  incoming-num-tcp: 0\n"
	                          "  tcp-idle-timeout: 1500\n"
	                          "  tcp-connection-limit: 127.0.0.1 2\n"
	                          "  tcp-connection-limit: 2001:db8::/32 0\n");

	ok(c != NULL, "interface names and TCP directives parse");
	if (c == NULL) {
		diag("%s", errbuf);
		return;
	}
	is_int(W.n, 0, "no warnings");
	is_str(c->ifaces[0].addr, "lo", "interface name without @port");
	ok(c->ifaces[0].name && c->ifaces[0].port == 5353, "lo@5353: a name");
	ok(c->ifaces[1].name && c->ifaces[1].port == 53, "eth0: port: 53");
	ok(!c->ifaces[2].name && strcmp(c->ifaces[2].addr, "127.0.0.1") == 0,
	    "ip-address, unbound's alias: an address");
	bad("server:\n ip-address: eth/0\n",
	    "t.conf:2: ip-address: 'eth/0' "
	    "is not an IP address or an interface name");
	is_int(c->incoming_num_tcp, 0, "incoming-num-tcp 0");
	is_int(c->tcp_idle_timeout, 1500, "tcp-idle-timeout");
	is_int(c->ntcp_limits, 2, "two tcp-connection-limit");
	is_str(c->tcp_limits[0].netblock, "127.0.0.1/32", "bare address /32");
	is_int(c->tcp_limits[0].limit, 2, "limit");
	is_int(c->tcp_limits[1].limit, 0, "limit 0");
	rb_conf_free(c);

	c = parse("server:\n tcp-idle-timeout: 500000\n");
	ok(c && c->tcp_idle_timeout == 120000,
	    "tcp-idle-timeout held to "
	    "120000 as unbound does");
	is_str(W.last,
	    "t.conf:2: tcp-idle-timeout: 500000 is taken as 120000, "
	    "as unbound does",
	    "and warned");
	rb_conf_free(c);
	c = parse("server:\n tcp-idle-timeout: 0\n");
	ok(c && c->tcp_idle_timeout == 1, "tcp-idle-timeout 0 taken as 1");
	rb_conf_free(c);
}

static void
test_json(void)
{
	struct rb_conf *c = parse(
	    "server:\n sync-key: s3cret\n"
	    " audit-log-hmac-key: k3y\n local-data: \"x. TXT \\\"\xff\\\"\"\n");
	char *j;

	ok(c != NULL, "conf for json");
	if (c == NULL)
		return;
	j = rb_conf_json(c, 1);
	ok(j != NULL, "json built (non-UTF-8 text included)");
	ok(j && strstr(j, "s3cret") == NULL && strstr(j, "k3y") == NULL,
	    "secrets redacted");
	ok(j && strstr(j, "\"sync_key\": \"***\"") != NULL, "*** in place");
	free(j);
	j = rb_conf_json(c, 0);
	ok(j && strstr(j, "s3cret") != NULL, "unredacted on request");
	free(j);
	rb_conf_free(c);
}

int
main(void)
{
	test_defaults();
	test_default_zones();
	test_scalars();
	test_lists();
	test_lexing();
	test_forward();
	test_warnings();
	test_errors();
	test_includes();
	test_limits();
	test_tcp();
	test_json();
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (dir[0] != '\0' && system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	done_testing();
	return exit_status();
}
