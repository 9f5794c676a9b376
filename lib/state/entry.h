#ifndef RB_STATE_ENTRY_H
#define RB_STATE_ENTRY_H

/*
 * Entries as the API and the rb-* commands give them: validation of a
 * request object into a stored entry, with Runbound's field names, error
 * names and limits.
 */

#include <jansson.h>

#include "base/err.h"
#include "wire/rr.h"

#define RB_TTL_DEFAULT 3600
#define RB_TTL_CAP 86400
#define RB_DNS_MAX 10000
#define RB_BLACKLIST_MAX 100000
#define RB_ALLOWLIST_MAX 100000

/* Validate a POST /dns body (borrowed) into a new entry object (*out, new
 * reference, with a fresh UUID v4 id) and its parsed record (rr, release
 * with rb_rr_fini).  Errors: INVALID_REQUEST, INVALID_NAME, INVALID_TYPE,
 * INVALID_VALUE, INVALID_TTL, INVALID_FIELD. */
int rb_entry_dns(const json_t *req, json_t **out, struct rb_rr *rr,
    struct rb_err *e);

/* The record of a stored dns entry (borrowed), as rb_entry_dns made it. */
int rb_entry_dns_rr(const json_t *entry, struct rb_rr *rr, struct rb_err *e);

/* Validate a POST /blacklist body: domain, action (refuse, the default, or
 * nxdomain), optional description. */
int rb_entry_block(const json_t *req, json_t **out, struct rb_err *e);

/* Validate an allowlist body: domain, optional description. */
int rb_entry_allow(const json_t *req, json_t **out, struct rb_err *e);

/* Is s a UUID in canonical text form? */
int rb_entry_is_uuid(const char *s);

#endif
