#ifndef RB_STATS_JSON_H
#define RB_STATS_JSON_H

/*
 * Runbound's JSON views of run/stats.shm: GET /stats, GET /logs and
 * GET /upstreams, shared by rb-stats, rb-logs and rb-apid.
 */

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "base/ipaddr.h"
#include "stats/stats.h"

/* GET /logs filters, already validated. */
struct rb_logs_query {
	long limit; /* 1..1000 */
	long page;  /* >= 0 */
	int action; /* enum rb_log_action, 0 = any */
	int has_client;
	struct rb_ipaddr client;
	int64_t since; /* 0 = any */
};

/* The /stats object (new reference) at Unix time now. */
json_t *rb_stats_json(const struct rb_stats_shm *s, int64_t now);

/* The /logs object (new reference), newest first. */
json_t *rb_stats_json_logs(const struct rb_stats_shm *s,
    const struct rb_logs_query *q);

/* The /upstreams object (new reference). */
json_t *rb_stats_json_upstreams(const struct rb_stats_shm *s);

/* Parse GET /logs parameters (each may be NULL) into q, with Runbound's
 * errors: INVALID_PARAM (400) for a bad action, client, page or since,
 * 422 for a limit over 1000. */
int rb_stats_json_logs_query(struct rb_logs_query *q, const char *limit,
    const char *page, const char *action, const char *client, const char *since,
    struct rb_err *e);

/* Parse an action name; 0 when unknown. */
int rb_stats_json_action(const char *name);

#endif
