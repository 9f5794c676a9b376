/* Unit tests for lib/stats/stats and lib/stats/json: writer, reader, JSON. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/status.h"
#include "stats/json.h"

#include "../../tap.h"

static json_int_t
ival(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The integer at o.k1.k2. */
static json_int_t
ival2(json_t *o, const char *k1, const char *k2)
{
	return ival(json_object_get(o, k1), k2);
}

static void
query(struct rb_stats_shm *w, enum rb_log_action act, int rcode, int tcp,
    int64_t now, uint32_t us)
{
	struct rb_stats_answer a = { act, rcode, tcp, us, now };

	rb_stats_query(w, &a);
}

int
main(void)
{
	char root[256], cmd[300];
	struct rb_stats_shm *w;
	const struct rb_stats_shm *r;
	struct rb_ipaddr cl;
	struct rb_logs_query q;
	struct rb_err e = { 0 };
	const uint8_t name[] = "\3ads\7example\3com";
	json_t *j;
	int64_t t0 = 1800000000;

	snprintf(root, sizeof root, "/tmp/t_stats.%d", (int)getpid());
	w = rb_stats_create(root, 4, 0);
	ok(w != NULL, "writer creates run/stats.shm");
	r = rb_stats_open(root);
	ok(r != NULL, "reader maps it");
	if (w == NULL || r == NULL)
		bail("no mapping");
	rb_ipaddr_parse("192.168.1.42", &cl);
	for (int i = 0; i < 10; i++)
		query(w, RB_ACT_LOCAL, 0, i < 3, t0, 300);
	query(w, RB_ACT_BLOCKED, 5, 0, t0 + 1, 50);
	query(w, RB_ACT_BLOCKED, 3, 0, t0 + 1, 50);
	for (int i = 0; i < 6; i++)
		rb_stats_log(w, name, sizeof name, 1,
		    i % 2 ? RB_ACT_BLOCKED : RB_ACT_LOCAL, &cl, t0 + i, 1500);
	j = rb_stats_json(r, t0 + 1);
	is_int(ival(j, "total"), 12, "total");
	is_int(ival(j, "blocked"), 1, "blocked");
	is_int(ival(j, "refused"), 1, "a blocked REFUSED is also refused");
	is_int(ival(j, "nxdomain"), 1, "nxdomain");
	is_int(ival(j, "local_hits"), 10, "local_hits");
	is_int(ival(j, "qps_peak"), 10, "peak second");
	ok(json_real_value(json_object_get(j, "blocked_percent")) == 8.3,
	    "blocked_percent to one decimal");
	ok(json_real_value(json_object_get(j, "latency_p50_ms")) == 0.5,
	    "p50 from the histogram");
	ok(json_is_object(json_object_get(j, "dnssec")), "dnssec object");
	is_int(ival2(j, "blocks", "total"), 2, "blocks counts every action");
	is_int(ival2(j, "blocks", "nxdomain"), 1, "blocks.nxdomain");
	is_int(ival2(j, "blocks", "refuse"), 1, "blocks.refuse");
	is_int(ival2(j, "rcodes", "NOERROR"), 10, "rcodes.NOERROR");
	is_int(ival2(j, "rcodes", "NXDOMAIN"), 1, "rcodes.NXDOMAIN");
	is_int(ival2(j, "rcodes", "REFUSED"), 1, "rcodes.REFUSED");
	is_int(ival2(j, "transport", "tcp"), 3, "transport.tcp");
	is_int(ival2(j, "transport", "udp"), 9, "transport.udp");
	{
		json_t *h = json_object_get(j, "query_duration_seconds");
		json_t *b = json_object_get(h, "buckets");

		is_int(ival(h, "count"), 12, "histogram count");
		ok(json_real_value(json_object_get(h, "sum")) == 0.0031,
		    "histogram sum in seconds");
		is_int((long)json_array_size(b), RB_LAT_BUCKETS - 1,
		    "a bucket per finite bound");
		ok(json_real_value(
		       json_object_get(json_array_get(b, 0), "le")) == 0.0001,
		    "first bound 100 us");
		is_int(ival(json_array_get(b, 0), "count"), 2,
		    "first bucket: the two 50 us queries");
		is_int(ival(json_array_get(b, 1), "count"), 2,
		    "cumulative: none in (100, 250] us");
		is_int(ival(json_array_get(b, 2), "count"), 12,
		    "the 300 us queries in (250, 500] us");
	}
	json_decref(j);

	/* A block whose data is corrupt answers SERVFAIL: no block hit, and
	 * Runbound's blocked counts only blocks answered REFUSED.  A query
	 * dropped is a refused, and no reply. */
	query(w, RB_ACT_BLOCKED, 2, 0, t0 + 1, 50);
	query(w, RB_ACT_REFUSED, -1, 0, t0 + 1, 50);
	query(w, RB_ACT_FORWARDED, 9, 1, t0 + 1, 50);
	query(w, RB_ACT_FORWARDED, 23, 1, t0 + 1, 50);
	j = rb_stats_json(r, t0 + 1);
	is_int(ival(j, "blocked"), 1, "a SERVFAIL block is not blocked");
	is_int(ival2(j, "blocks", "total"), 2, "nor a block hit");
	is_int(ival(j, "servfail"), 1, "but a servfail");
	is_int(ival(j, "dropped"), 1, "a dropped query");
	is_int(ival(j, "refused"), 2, "counts as refused");
	is_int(ival2(j, "rcodes", "NOTAUTH"), 1, "rcode 9 by name");
	is_int(ival2(j, "rcodes", "other"), 1, "unnamed codes are other");
	is_int(ival2(j, "transport", "tcp"), 5, "transport.tcp");
	json_decref(j);

	rb_stats_json_logs_query(&q, NULL, NULL, NULL, NULL, NULL, &e);
	j = rb_stats_json_logs(r, &q);
	is_int(json_array_size(json_object_get(j, "entries")), 4,
	    "the ring keeps log-retention records");
	is_str(json_string_value(
	           json_object_get(json_array_get(json_object_get(j, "entries"),
	                               0),
	               "name")),
	    "ads.example.com.", "newest first, name as text");
	is_str(json_string_value(
	           json_object_get(json_array_get(json_object_get(j, "entries"),
	                               0),
	               "client")),
	    "192.168.1.42", "client");
	is_int(ival(json_array_get(json_object_get(j, "entries"), 0),
	           "elapsed_ms"),
	    1, "elapsed_ms");
	json_decref(j);
	rb_stats_json_logs_query(&q, "10", "0", "blocked", "192.168.1.42", NULL,
	    &e);
	j = rb_stats_json_logs(r, &q);
	is_int(ival(j, "total"), 2, "filter by action and client");
	json_decref(j);
	ok(rb_stats_json_logs_query(&q, "1001", NULL, NULL, NULL, NULL, &e) <
	            0 &&
	        rb_http_status(&e) == 422,
	    "limit over 1000 is 422");
	ok(rb_stats_json_logs_query(&q, NULL, NULL, "bogus", NULL, NULL, &e) <
	            0 &&
	        rb_http_status(&e) == 400,
	    "unknown action is 400");
	ok(rb_stats_json_logs_query(&q, NULL, NULL, NULL, "1.2.3", NULL, &e) <
	            0 &&
	        rb_http_status(&e) == 400,
	    "bad client is 400");
	ok(rb_stats_json_logs_query(&q, NULL, "-1", NULL, NULL, NULL, &e) < 0 &&
	        rb_http_status(&e) == 400,
	    "negative page is 400");
	is_int(rb_stats_log_clear(w), 4, "clear reports what the ring held");
	rb_stats_json_logs_query(&q, NULL, NULL, NULL, NULL, NULL, &e);
	j = rb_stats_json_logs(r, &q);
	is_int(json_array_size(json_object_get(j, "entries")), 0,
	    "cleared ring is empty");
	json_decref(j);
	rb_stats_close((struct rb_stats_shm *)r);
	rb_stats_close(w);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
