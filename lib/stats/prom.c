/*
 * prom: the /stats object rendered as Prometheus text.  Built from
 * the JSON view rather than from the mapping, so /stats and /metrics can
 * never disagree on a figure.  Every family gets # HELP and # TYPE; a
 * field missing from the object is reported as 0 rather than dropped, so
 * the set of series is fixed.
 *
 * Runbound's families come first, under its names, which dashboards
 * use: runbound_latency_ms (a summary, with _sum and _count), the
 * percentage runbound_cache_hit_rate and the precomputed runbound_qps.
 * promtool's linter objects to the abbreviated unit of the first, and
 * that must stay its only note.  Beside them, families in base units as
 * Prometheus would have them: the runbound_query_duration_seconds
 * histogram, replies by code, queries by transport, blocks by action,
 * and the cache counters behind the rate; rate() gives the qps.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats/prom.h"

#define SERIES_MAX 16

enum kind {
	PLAIN,     /* the series as listed */
	SUMMARY,   /* and _sum (ms) and _count from query_duration_seconds */
	HISTOGRAM, /* query_duration_seconds as buckets, _sum and _count */
};

struct family {
	const char *name, *type, *help;
	const char *obj;   /* the sub-object holding the fields, or NULL */
	const char *label; /* NULL for a single series */
	enum kind kind;
	struct {
		const char *lvalue, *field;
	} series[SERIES_MAX];
};

#define ONE(field) \
	{ \
		{ \
			NULL, field \
		} \
	}

static const struct family families[] = {
	{ "runbound_queries_total", "counter", "Total DNS queries received",
	    NULL, NULL, PLAIN, ONE("total") },
	{ "runbound_blocked_total", "counter",
	    "Queries answered with REFUSED (blacklist/feeds)", NULL, NULL,
	    PLAIN, ONE("blocked") },
	{ "runbound_nxdomain_total", "counter",
	    "Queries answered with NXDOMAIN", NULL, NULL, PLAIN,
	    ONE("nxdomain") },
	{ "runbound_refused_total", "counter",
	    "Queries answered with REFUSED (any reason)", NULL, NULL, PLAIN,
	    ONE("refused") },
	{ "runbound_servfail_total", "counter",
	    "Queries answered with SERVFAIL", NULL, NULL, PLAIN,
	    ONE("servfail") },
	{ "runbound_forwarded_total", "counter",
	    "Queries forwarded to upstream resolvers", NULL, NULL, PLAIN,
	    ONE("forwarded") },
	{ "runbound_local_hits_total", "counter",
	    "Queries answered from local zone data", NULL, NULL, PLAIN,
	    ONE("local_hits") },
	{ "runbound_uptime_seconds", "gauge", "DNS server uptime in seconds",
	    NULL, NULL, PLAIN, ONE("uptime_secs") },
	{ "runbound_qps", "gauge", "Queries per second", NULL, "window", PLAIN,
	    { { "1m", "qps_1m" }, { "5m", "qps_5m" },
	        { "peak", "qps_peak" } } },
	{ "runbound_latency_ms", "summary",
	    "DNS query latency percentiles in milliseconds", NULL, "quantile",
	    SUMMARY,
	    { { "0.5", "latency_p50_ms" }, { "0.95", "latency_p95_ms" },
	        { "0.99", "latency_p99_ms" } } },
	{ "runbound_cache_hit_rate", "gauge",
	    "Cache hit rate percentage (0-100)", NULL, NULL, PLAIN,
	    ONE("cache_hit_rate") },
	{ "runbound_cache_entries", "gauge", "Approximate cached DNS entries",
	    NULL, NULL, PLAIN, ONE("cache_entries") },
	{ "runbound_dnssec_total", "counter", "DNSSEC validation results",
	    "dnssec", "status", PLAIN,
	    { { "secure", "secure" }, { "bogus", "bogus" },
	        { "insecure", "insecure" } } },

	{ "runbound_query_duration_seconds", "histogram",
	    "Time from a query's arrival to its reply, in seconds",
	    "query_duration_seconds", NULL, HISTOGRAM, { { NULL, NULL } } },
	{ "runbound_dns_requests_total", "counter",
	    "DNS queries received, by transport", "transport", "transport",
	    PLAIN, { { "udp", "udp" }, { "tcp", "tcp" } } },
	{ "runbound_dns_requests_dropped_total", "counter",
	    "DNS queries given no reply (deny, unparseable)", NULL, NULL, PLAIN,
	    ONE("dropped") },
	{ "runbound_dns_responses_total", "counter",
	    "DNS replies sent, by response code", "rcodes", "rcode", PLAIN,
	    { { "NOERROR", "NOERROR" }, { "FORMERR", "FORMERR" },
	        { "SERVFAIL", "SERVFAIL" }, { "NXDOMAIN", "NXDOMAIN" },
	        { "NOTIMP", "NOTIMP" }, { "REFUSED", "REFUSED" },
	        { "YXDOMAIN", "YXDOMAIN" }, { "YXRRSET", "YXRRSET" },
	        { "NXRRSET", "NXRRSET" }, { "NOTAUTH", "NOTAUTH" },
	        { "NOTZONE", "NOTZONE" }, { "BADVERS", "BADVERS" },
	        { "other", "other" } } },
	{ "runbound_blocklist_hits_total", "counter",
	    "Queries blocked by the blacklist, a feed or a blocking "
	    "local-zone, by the entry's action",
	    "blocks", "action", PLAIN,
	    { { "nxdomain", "nxdomain" }, { "refuse", "refuse" } } },
	{ "runbound_cache_hits_total", "counter",
	    "Forwarded queries answered from the cache", NULL, NULL, PLAIN,
	    ONE("cached") },
	{ "runbound_cache_lookups_total", "counter",
	    "Forwarded queries looked up in the cache", NULL, NULL, PLAIN,
	    ONE("cache_lookups") },
};

static void
put_number(FILE *f, const json_t *v, double scale)
{
	if (json_is_integer(v) && scale == 1)
		fprintf(f, "%lld\n", (long long)json_integer_value(v));
	else if (json_is_number(v))
		fprintf(f, "%.10g\n", json_number_value(v) * scale);
	else
		fputs("0\n", f);
}

/* _sum (times scale) and _count of the histogram object h. */
static void
put_sum_count(FILE *f, const char *name, const json_t *h, double scale)
{
	fprintf(f, "%s_sum ", name);
	put_number(f, json_object_get(h, "sum"), scale);
	fprintf(f, "%s_count ", name);
	put_number(f, json_object_get(h, "count"), 1);
}

/* Cumulative buckets as json.c lays them out, then +Inf, _sum, _count. */
static void
put_histogram(FILE *f, const char *name, const json_t *h)
{
	const json_t *b = json_object_get(h, "buckets");

	for (size_t i = 0; i < json_array_size(b); i++) {
		const json_t *e = json_array_get(b, i);

		fprintf(f, "%s_bucket{le=\"%.10g\"} ", name,
		    json_number_value(json_object_get(e, "le")));
		put_number(f, json_object_get(e, "count"), 1);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} ", name);
	put_number(f, json_object_get(h, "count"), 1);
	put_sum_count(f, name, h, 1);
}

static void
put_family(FILE *f, const struct family *m, const json_t *stats)
{
	const json_t *src = m->obj ? json_object_get(stats, m->obj) : stats;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
	    m->type);
	if (m->kind == HISTOGRAM) {
		put_histogram(f, m->name, src);
		return;
	}
	for (int i = 0; i < SERIES_MAX && m->series[i].field != NULL; i++) {
		if (m->label != NULL)
			fprintf(f, "%s{%s=\"%s\"} ", m->name, m->label,
			    m->series[i].lvalue);
		else
			fprintf(f, "%s ", m->name);
		put_number(f, json_object_get(src, m->series[i].field), 1);
	}
	if (m->kind == SUMMARY)
		put_sum_count(f, m->name,
		    json_object_get(stats, "query_duration_seconds"), 1000);
}

char *
rb_stats_prom(const json_t *stats, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
		put_family(f, &families[i], stats);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
