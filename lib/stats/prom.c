/*
 * prom: the /stats object rendered as Prometheus text.  Built from
 * the JSON view rather than from the mapping, so /stats and /metrics can
 * never disagree on a figure.  Every family gets # HELP and # TYPE; a
 * field missing from the object is reported as 0 rather than dropped, so
 * the set of series is fixed.  runbound_latency_ms is typed summary (its
 * series carry quantile labels) but has no _sum or _count: the histogram
 * behind it keeps no sum.  Its name is Runbound's; promtool's linter
 * objects to the abbreviated unit, and that is the one note it prints.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats/prom.h"

struct family {
	const char *name, *type, *help;
	const char *obj;   /* the sub-object holding the fields, or NULL */
	const char *label; /* NULL for a single series */
	struct {
		const char *lvalue, *field;
	} series[3];
};

#define ONE(field) \
	{ \
		{ \
			NULL, field \
		} \
	}

static const struct family families[] = {
	{ "runbound_queries_total", "counter", "Total DNS queries received",
	    NULL, NULL, ONE("total") },
	{ "runbound_blocked_total", "counter",
	    "Queries answered with REFUSED (blacklist/feeds)", NULL, NULL,
	    ONE("blocked") },
	{ "runbound_nxdomain_total", "counter",
	    "Queries answered with NXDOMAIN", NULL, NULL, ONE("nxdomain") },
	{ "runbound_refused_total", "counter",
	    "Queries answered with REFUSED (any reason)", NULL, NULL,
	    ONE("refused") },
	{ "runbound_servfail_total", "counter",
	    "Queries answered with SERVFAIL", NULL, NULL, ONE("servfail") },
	{ "runbound_forwarded_total", "counter",
	    "Queries forwarded to upstream resolvers", NULL, NULL,
	    ONE("forwarded") },
	{ "runbound_local_hits_total", "counter",
	    "Queries answered from local zone data", NULL, NULL,
	    ONE("local_hits") },
	{ "runbound_uptime_seconds", "gauge", "DNS server uptime in seconds",
	    NULL, NULL, ONE("uptime_secs") },
	{ "runbound_qps", "gauge", "Queries per second", NULL, "window",
	    { { "1m", "qps_1m" }, { "5m", "qps_5m" },
	        { "peak", "qps_peak" } } },
	{ "runbound_latency_ms", "summary",
	    "DNS query latency percentiles in milliseconds", NULL, "quantile",
	    { { "0.5", "latency_p50_ms" }, { "0.95", "latency_p95_ms" },
	        { "0.99", "latency_p99_ms" } } },
	{ "runbound_cache_hit_rate", "gauge",
	    "Cache hit rate percentage (0-100)", NULL, NULL,
	    ONE("cache_hit_rate") },
	{ "runbound_cache_entries", "gauge", "Approximate cached DNS entries",
	    NULL, NULL, ONE("cache_entries") },
	{ "runbound_dnssec_total", "counter", "DNSSEC validation results",
	    "dnssec", "status",
	    { { "secure", "secure" }, { "bogus", "bogus" },
	        { "insecure", "insecure" } } },
};

static void
put_value(FILE *f, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, "%lld\n", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.10g\n", json_real_value(v));
	else
		fputs("0\n", f);
}

static void
put_family(FILE *f, const struct family *m, const json_t *stats)
{
	const json_t *src = m->obj ? json_object_get(stats, m->obj) : stats;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
	    m->type);
	for (int i = 0; i < 3 && m->series[i].field != NULL; i++) {
		if (m->label != NULL)
			fprintf(f, "%s{%s=\"%s\"} ", m->name, m->label,
			    m->series[i].lvalue);
		else
			fprintf(f, "%s ", m->name);
		put_value(f, json_object_get(src, m->series[i].field));
	}
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
