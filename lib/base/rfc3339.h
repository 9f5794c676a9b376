#ifndef RB_BASE_RFC3339_H
#define RB_BASE_RFC3339_H

/*
 * rfc3339: a Unix time as the API writes timestamps, RFC 3339 in UTC
 * with second precision ("2026-12-07T22:34:41Z").
 */

#include <stddef.h>
#include <stdint.h>

/* 20 characters and a NUL. */
#define RB_RFC3339_LEN 21

/* Write t into buf (len bytes, at least RB_RFC3339_LEN); a time gmtime
 * cannot take gives the epoch. */
void rb_rfc3339(int64_t t, char *buf, size_t len);

#endif
