#ifndef RB_STATS_PROM_H
#define RB_STATS_PROM_H

/*
 * GET /metrics: the figures of GET /stats in the Prometheus text format
 * (version 0.0.4) under Runbound's metric names, so dashboards built for
 * Runbound scrape us unchanged, and beside them families in base units
 * (doc/api.md, "GET /metrics").
 */

#include <stddef.h>

#include <jansson.h>

/* The exposition of a /stats object (borrowed, as rb_stats_json makes
 * it).  Returns a NUL-terminated string the caller frees with free(3),
 * its length in *len, or NULL with errno set. */
char *rb_stats_prom(const json_t *stats, size_t *len);

#endif
