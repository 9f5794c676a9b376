/*
 * routes: every endpoint rb-apid serves, in one table that both dispatch
 * and GET /help read, so the help can never list a path that does not
 * exist.  Paths are Runbound's seed paths; /api/<path> reaches the same
 * entry (lib/http/request strips the prefix).  HEAD is served wherever GET is.
 */

#include <stdio.h>
#include <string.h>

#include "apid.h"

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define DEL EVHTTP_REQ_DELETE

static const struct route routes[] = {
	{ "/help", GET, h_help, RQ_NOBODY, "API documentation" },
	{ "/health", GET, h_health, RQ_NOBODY,
	    "Liveness: uptime and total queries" },
	{ "/dns", GET, h_dns_list, RQ_NOBODY, "List all local DNS entries" },
	{ "/dns", POST, h_dns_add, RQ_JSON,
	    "Add a local DNS entry (A/AAAA/CNAME/TXT/MX/SRV/CAA/PTR/NAPTR/"
	    "SSHFP/TLSA/NS)" },
	{ "/dns/:id", DEL, h_dns_del, RQ_NOBODY, "Remove a DNS entry by UUID" },
	{ "/blacklist", GET, h_block_list, RQ_NOBODY,
	    "List blacklist entries" },
	{ "/blacklist", POST, h_block_add, RQ_JSON,
	    "Add a domain to the blacklist (refuse/nxdomain)" },
	{ "/blacklist/:id", DEL, h_block_del, RQ_NOBODY,
	    "Remove a blacklist entry" },
	{ "/allowlist", GET, h_allow_list, RQ_NOBODY,
	    "List allowlist entries (beyond Runbound)" },
	{ "/allowlist", POST, h_allow_add, RQ_JSON,
	    "Add a domain to the allowlist: it wins over every block" },
	{ "/allowlist/:id", DEL, h_allow_del, RQ_NOBODY,
	    "Remove an allowlist entry" },
	{ "/feeds", GET, h_feeds_list, RQ_NOBODY,
	    "List feed subscriptions with their status" },
	{ "/feeds", POST, h_feeds_add, RQ_JSON,
	    "Subscribe to a blocklist feed (HTTPS; hosts/domains/adblock)" },
	{ "/feeds/presets", GET, h_feeds_presets, RQ_NOBODY,
	    "Built-in feed presets" },
	{ "/feeds/update", POST, h_feeds_update, RQ_NOBODY,
	    "Refresh every feed now" },
	{ "/feeds/:id/update", POST, h_feed_update, RQ_NOBODY,
	    "Refresh one feed now" },
	{ "/feeds/:id", DEL, h_feeds_del, RQ_NOBODY,
	    "Unsubscribe a feed by UUID" },
	{ "/stats", GET, h_stats, RQ_NOBODY, "Query statistics snapshot" },
	{ "/stats/stream", GET, h_stream, RQ_NOBODY,
	    "Live stats as Server-Sent Events (1-second interval)" },
	{ "/metrics", GET, h_metrics, RQ_NOBODY,
	    "Prometheus exposition (text/plain; version=0.0.4)" },
	{ "/upstreams", GET, h_upstreams, RQ_NOBODY,
	    "Upstream DNS resolver health" },
	{ "/logs", GET, h_logs, RQ_NOBODY,
	    "Recent query log (newest first): ?limit=100&page=0&"
	    "action=blocked&client=1.2.3.4&since=<unix>" },
	{ "/logs", DEL, h_logs_clear, RQ_NOBODY,
	    "Clear the query log ring buffer (GDPR right-to-erasure)" },
	{ "/config", GET, h_config, RQ_NOBODY,
	    "Running configuration (sanitised)" },
	{ "/reload", POST, h_reload, RQ_NOBODY,
	    "Re-read runbound.conf and rebuild the DNS data" },
	{ "/rotate-key", POST, h_rotate_key, RQ_JSON,
	    "Replace the API key: {\"new_key\":\"...\"}" },
	{ "/tls", GET, h_tls, RQ_NOBODY, "DoT/DoH/DoQ status" },
	{ "/audit/tail", GET, h_audit_tail, RQ_NOBODY,
	    "Last N audit log entries: ?n=100" },
};

#define NROUTES (sizeof routes / sizeof routes[0])

static const char *
method_name(int m)
{
	switch (m) {
	case GET:
		return "GET";
	case POST:
		return "POST";
	case DEL:
		return "DELETE";
	default:
		return "?";
	}
}

/* Add "GET, HEAD" or "POST" to the Allow list. */
static void
allow_add(char *allow, size_t len, int method)
{
	size_t n = strlen(allow);

	snprintf(allow + n, len - n, "%s%s%s", n ? ", " : "",
	    method_name(method), method == GET ? ", HEAD" : "");
}

const struct route *
route_find(const char *path, int method, char *arg, size_t arglen, char *allow,
    size_t allowlen)
{
	allow[0] = '\0';
	for (size_t i = 0; i < NROUTES; i++) {
		if (!rb_http_request_route_match(routes[i].path, path, arg,
		        arglen))
			continue;
		if (routes[i].method == method)
			return &routes[i];
		allow_add(allow, allowlen, routes[i].method);
	}
	return NULL;
}

void
h_help(struct rq *r)
{
	json_t *eps = json_array(), *j;

	for (size_t i = 0; eps != NULL && i < NROUTES; i++)
		json_array_append_new(eps,
		    json_pack("{s:s, s:s, s:s}", "method",
		        method_name(routes[i].method), "path", routes[i].path,
		        "description", routes[i].help));
	j = json_pack("{s:s, s:[s, s], s:o*, s:s}", "service", "runbound-c DNS",
	    "protocols", "DNS/UDP", "DNS/TCP", "endpoints", eps, "aliases",
	    "every path is also served under /api");
	reply_json(r, 200, j);
}
