#ifndef RB_STATE_LISTS_H
#define RB_STATE_LISTS_H

/*
 * The operations on local records, the blacklist and the allowlist, shared
 * by the rb-* commands and rb-apid: the same function answers
 * `rb-dns add` and `POST /dns`, with the same JSON.
 */

#include <jansson.h>

#include "base/err.h"
#include "state/store.h"
#include "state/txn.h"

/* What an operation works on: the collection and its Runbound names. */
enum rb_list { RB_LIST_DNS, RB_LIST_BLACKLIST, RB_LIST_ALLOWLIST };

/* Stage an add in t from a request body (borrowed).  *resp (new
 * reference; resp may be NULL: none wanted) is the JSON to return once t
 * commits: {"status":"ok", "entry":{...}} (plus "rr" for dns).  Errors: the
 * validators' names, LIMIT_EXCEEDED (422), ALREADY_EXISTS (409). */
int rb_lists_add(struct rb_txn *t, enum rb_list l, const json_t *req,
    json_t **resp, struct rb_err *e);

/* Stage a delete by id: {"status":"ok","deleted_id":id}; NOT_FOUND (404),
 * INVALID_ID (400) for a string that is not a UUID. */
int rb_lists_delete(struct rb_txn *t, enum rb_list l, const char *id,
    json_t **resp, struct rb_err *e);

/* The list as the API shows it: {"entries"|"blacklist"|"allowlist":[...],
 * "total":N}, as compact JSON text (malloc'd, *len bytes; caller frees),
 * read consistently (rb_txn_read) and built from the stored entries'
 * own text. */
int rb_lists_list(const char *root, enum rb_list l, char **text, size_t *len,
    struct rb_err *e);

/* The store collection behind a list. */
enum rb_coll rb_lists_coll(enum rb_list l);

#endif
