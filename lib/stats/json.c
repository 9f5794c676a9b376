/*
 * json: turn a consistent snapshot of run/stats.shm into the JSON of
 * Runbound's /stats, /logs and /upstreams.  Derived figures (rates,
 * percentiles, uptime) are computed here, at read time, so rb-dnsd's hot
 * path only counts.  /stats carries Runbound's fields with Runbound's
 * meanings, then ours: every block by action (Runbound's "blocked" counts
 * only those answered REFUSED), replies by code, queries by transport and
 * the latency histogram in seconds, all from the same snapshot, which is
 * what /metrics renders.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/rfc3339.h"
#include "stats/json.h"
#include "wire/dname.h"

static double
one_decimal(double v)
{
	return round(v * 10.0) / 10.0;
}

/* Queries in the seconds (now - window, now], as far as the ring holds. */
static uint64_t
qps_sum(const struct rb_stats_shm *s, int64_t now, int window)
{
	uint64_t sum = 0;

	for (int64_t t = now - window + 1; t <= now; t++) {
		if (t > s->qps_sec || t <= s->qps_sec - RB_QPS_SLOTS || t <= 0)
			continue;
		sum += s->qps[t % RB_QPS_SLOTS];
	}
	return sum;
}

static double
percentile_ms(const struct rb_stats_shm *s, double p)
{
	uint64_t total = 0, acc = 0;

	for (int i = 0; i < RB_LAT_BUCKETS; i++)
		total += s->latency[i];
	if (total == 0)
		return 0;
	for (int i = 0; i < RB_LAT_BUCKETS; i++) {
		acc += s->latency[i];
		if ((double)acc >= p * (double)total) {
			/* The open bucket reports its lower bound. */
			int b = i == RB_LAT_BUCKETS - 1 ? i - 1 : i;
			return rb_stats_lat_bounds[b] / 1000.0;
		}
	}
	return rb_stats_lat_bounds[RB_LAT_BUCKETS - 2] / 1000.0;
}

/* Reply codes by their IANA names; the rest add up under "other". */
static const char *const rcode_names[RB_STATS_RCODES] = { "NOERROR", "FORMERR",
	"SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSET", "NOTAUTH", "NOTZONE", [16] = "BADVERS" };

static json_t *
rcodes_json(const struct rb_stats_shm *s)
{
	json_t *o = json_object();
	uint64_t other = 0;

	for (int i = 0; i < RB_STATS_RCODES && o != NULL; i++) {
		if (rcode_names[i] == NULL)
			other += s->rcodes[i];
		else if (json_object_set_new(o, rcode_names[i],
		             json_integer((json_int_t)s->rcodes[i])) < 0)
			goto fail;
	}
	if (o != NULL &&
	    json_object_set_new(o, "other", json_integer((json_int_t)other)) <
	        0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The latency histogram as Prometheus sees it: cumulative counts of
 * queries answered within le seconds (the open bucket is the count). */
static json_t *
duration_json(const struct rb_stats_shm *s)
{
	json_t *b = json_array();
	uint64_t acc = 0;

	for (int i = 0; i < RB_LAT_BUCKETS && b != NULL; i++) {
		acc += s->latency[i];
		if (i < RB_LAT_BUCKETS - 1 &&
		    json_array_append_new(b,
		        json_pack("{s:f, s:I}", "le",
		            rb_stats_lat_bounds[i] / 1e6, "count",
		            (json_int_t)acc)) < 0) {
			json_decref(b);
			return NULL;
		}
	}
	return json_pack("{s:o, s:I, s:f}", "buckets", b, "count",
	    (json_int_t)acc, "sum",
	    (double)s->counters[RB_STAT_LATENCY_US] / 1e6);
}

/* Our fields, added to Runbound's /stats object o. */
static json_t *
add_ours(json_t *o, const struct rb_stats_shm *s)
{
	const uint64_t *c = s->counters;
	json_t *more = json_pack("{s:{s:I, s:I, s:I}, s:o, s:{s:I, s:I}, "
	                         "s:I, s:I, s:o}",
	    "blocks", "total",
	    (json_int_t)(c[RB_STAT_BLOCK_NXDOMAIN] + c[RB_STAT_BLOCK_REFUSE]),
	    "nxdomain", (json_int_t)c[RB_STAT_BLOCK_NXDOMAIN], "refuse",
	    (json_int_t)c[RB_STAT_BLOCK_REFUSE], "rcodes", rcodes_json(s),
	    "transport", "udp", (json_int_t)c[RB_STAT_UDP], "tcp",
	    (json_int_t)c[RB_STAT_TCP], "dropped",
	    (json_int_t)c[RB_STAT_DROPPED], "cache_lookups",
	    (json_int_t)c[RB_STAT_CACHE_LOOKUPS], "query_duration_seconds",
	    duration_json(s));

	if (o == NULL || more == NULL || json_object_update(o, more) < 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(more);
	return o;
}

json_t *
rb_stats_json(const struct rb_stats_shm *shm, int64_t now)
{
	struct rb_stats_shm s; /* the counter block only */
	const uint64_t *c = s.counters;
	uint64_t last, peak;
	double total, lookups;

	rb_stats_snapshot(shm, &s);
	total = (double)c[RB_STAT_TOTAL];
	lookups = (double)c[RB_STAT_CACHE_LOOKUPS];
	/* The ring's newest second counts for the peak even when no query
	 * has moved the ring on since (qps_peak takes it only then). */
	last = s.qps_sec > 0 ? s.qps[s.qps_sec % RB_QPS_SLOTS] : 0;
	peak = s.qps_peak > last ? s.qps_peak : last;
	return add_ours(
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, "
	              "s:f, s:f, s:I, s:f, s:f, s:f, s:f, s:I, s:{s:I, s:I, "
	              "s:I}}",
	        "total", (json_int_t)c[RB_STAT_TOTAL], "blocked",
	        (json_int_t)c[RB_STAT_BLOCKED], "forwarded",
	        (json_int_t)c[RB_STAT_FORWARDED], "nxdomain",
	        (json_int_t)c[RB_STAT_NXDOMAIN], "refused",
	        (json_int_t)c[RB_STAT_REFUSED], "servfail",
	        (json_int_t)c[RB_STAT_SERVFAIL], "local_hits",
	        (json_int_t)c[RB_STAT_LOCAL_HITS], "cached",
	        (json_int_t)c[RB_STAT_CACHED], "blocked_percent",
	        total > 0 ?
	            one_decimal(100.0 * (double)c[RB_STAT_BLOCKED] / total) :
	            0.0,
	        "uptime_secs", (json_int_t)(now - s.start_time), "qps_1m",
	        one_decimal((double)qps_sum(&s, now, 60) / 60.0), "qps_5m",
	        one_decimal((double)qps_sum(&s, now, 300) / 300.0), "qps_peak",
	        (json_int_t)peak, "latency_p50_ms", percentile_ms(&s, 0.50),
	        "latency_p95_ms", percentile_ms(&s, 0.95), "latency_p99_ms",
	        percentile_ms(&s, 0.99), "cache_hit_rate",
	        lookups > 0 ?
	            one_decimal(100.0 * (double)c[RB_STAT_CACHED] / lookups) :
	            0.0,
	        "cache_entries", (json_int_t)s.cache_entries, "dnssec",
	        "secure", (json_int_t)c[RB_STAT_DNSSEC_SECURE], "bogus",
	        (json_int_t)c[RB_STAT_DNSSEC_BOGUS], "insecure",
	        (json_int_t)c[RB_STAT_DNSSEC_INSECURE]),
	    &s);
}

static json_t *
log_entry(const struct rb_stats_shm *s, const struct rb_log_rec *r)
{
	char ts[32], name[1024], client[RB_IPADDR_TEXT];

	rb_rfc3339(r->ts, ts, sizeof ts);
	if (rb_dname_wire_len(r->name, r->namelen) != (int)r->namelen ||
	    rb_dname_to_text(r->name, name, sizeof name) < 0)
		snprintf(name, sizeof name, ".");
	name[253] = '\0'; /* Runbound truncates to 253 characters */
	if (s->log_redact)
		snprintf(client, sizeof client, "[redacted]");
	else if (rb_ipaddr_to_text(&r->client, client, sizeof client) < 0)
		client[0] = '\0';
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:I}", "ts", ts, "name",
	    name, "client", client, "qtype", (int)r->qtype, "action",
	    rb_stats_action_name(r->action) ? rb_stats_action_name(r->action) :
	                                      "refused",
	    "elapsed_ms", (json_int_t)(r->elapsed_us / 1000));
}

static int
log_match(const struct rb_stats_shm *s, const struct rb_log_rec *r,
    const struct rb_logs_query *q)
{
	if (q->action && r->action != q->action)
		return 0;
	if (q->since && r->ts < q->since)
		return 0;
	if (q->has_client &&
	    (s->log_redact ||
	        memcmp(&r->client, &q->client, sizeof r->client) != 0))
		return 0;
	return 1;
}

json_t *
rb_stats_json_logs(const struct rb_stats_shm *s, const struct rb_logs_query *q)
{
	uint64_t head = __atomic_load_n(&s->log_head, __ATOMIC_ACQUIRE);
	uint64_t low = __atomic_load_n(&s->log_cleared, __ATOMIC_ACQUIRE);
	uint64_t skip = (uint64_t)q->page * (uint64_t)q->limit, matched = 0;
	json_t *arr = json_array();
	struct rb_log_rec r;

	if (arr == NULL)
		return NULL;
	if (head - low > s->log_cap)
		low = head - s->log_cap;
	for (uint64_t i = head; i > low; i--) {
		if (rb_stats_log_get(s, i - 1, &r) < 0 || !log_match(s, &r, q))
			continue;
		if (matched++ < skip ||
		    json_array_size(arr) >= (size_t)q->limit)
			continue;
		if (json_array_append_new(arr, log_entry(s, &r)) < 0)
			break;
	}
	return json_pack("{s:o, s:I, s:I, s:I}", "entries", arr, "total",
	    (json_int_t)matched, "page", (json_int_t)q->page, "limit",
	    (json_int_t)q->limit);
}

json_t *
rb_stats_json_upstreams(const struct rb_stats_shm *shm)
{
	struct rb_stats_shm s;
	json_t *arr = json_array();
	long healthy = 0;
	char ts[32];

	if (arr == NULL)
		return NULL;
	rb_stats_snapshot(shm, &s);
	for (uint32_t i = 0; i < s.nupstreams && i < RB_UPSTREAM_MAX; i++) {
		const struct rb_stats_upstream *u = &s.up[i];

		rb_rfc3339(u->last_check, ts, sizeof ts);
		healthy += u->healthy != 0;
		json_array_append_new(arr,
		    json_pack("{s:s%, s:s%, s:b, s:I, "
		              "s:s?}",
		        "addr", u->addr, strnlen(u->addr, sizeof u->addr),
		        "zone", u->zone, strnlen(u->zone, sizeof u->zone),
		        "healthy", u->healthy != 0, "latency_ms",
		        (json_int_t)u->latency_ms, "last_check",
		        u->last_check ? ts : NULL));
	}
	return json_pack("{s:o, s:I, s:I}", "upstreams", arr, "total",
	    (json_int_t)json_array_size(arr), "healthy", (json_int_t)healthy);
}

int
rb_stats_json_action(const char *name)
{
	for (int a = RB_ACT_FORWARDED; a <= RB_ACT_SERVFAIL; a++)
		if (strcmp(name, rb_stats_action_name(a)) == 0)
			return a;
	return 0;
}

static int
parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

int
rb_stats_json_logs_query(struct rb_logs_query *q, const char *limit,
    const char *page, const char *action, const char *client, const char *since,
    struct rb_err *e)
{
	long v;

	memset(q, 0, sizeof *q);
	q->limit = 100;
	if (limit != NULL) {
		if (parse_long(limit, &v) < 0 || v < 1)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
			    "limit must be an integer 1..1000");
		if (v > 1000)
			return rb_err_set(e, RB_ERR_REJECTED, "INVALID_PARAM",
			    "limit %ld is over 1000", v);
		q->limit = v;
	}
	if (page != NULL &&
	    (parse_long(page, &q->page) < 0 || q->page < 0 ||
	        q->page > 1000000))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "page must be a non-negative integer");
	if (action != NULL && (q->action = rb_stats_json_action(action)) == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "action must be one of forwarded, cached, local, blocked, "
		    "nxdomain, refused, servfail");
	if (client != NULL) {
		if (rb_ipaddr_parse(client, &q->client) < 0)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
			    "client is not an IP address");
		q->has_client = 1;
	}
	if (since != NULL && (parse_long(since, &v) < 0 || v < 0))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "since must be a Unix timestamp");
	if (since != NULL)
		q->since = v;
	return 0;
}
