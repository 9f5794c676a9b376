/*
 * h_lists: /dns, /blacklist and /allowlist, on the same lib/state/lists
 * functions as rb-dns, rb-block and rb-allow.  A write holds the store lock
 * only for its transaction; once committed, the reply waits (on a timer, never
 * blocking the loop) until rb-dnsd reports that it maps the data files
 * the commit produced, so a 201 means the name is answered.  If rb-dnsd is
 * not running there is nothing to wait for.
 *
 * A GET is built from the stored entries' own text (lib/state/lists),
 * never decoding the entries that did not change.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apid.h"
#include "base/log.h"
#include "base/path.h"
#include "state/lists.h"
#include "state/txn.h"
#include "sys/root.h"

static void
list(struct rq *r, enum rb_list l)
{
	struct rb_err e = { 0 };
	char *text;
	size_t len;

	if (rb_lists_list(r->a->dm.root, l, &text, &len, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	reply_text(r, 200, "application/json", text, len);
	free(text);
}

/* 1 (and the reply sent) once rb-dnsd serves the current data files, or
 * at once when it is not running, or at the deadline. */
static int
live_poll(struct rq *r, int timed_out)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);
	json_t *resp;

	if (s != NULL && rb_ctl_alive(s) &&
	    !rb_ctl_data_live(r->a->dm.root, s) && !timed_out)
		return 0;
	if (timed_out)
		rb_warn("rb-dnsd has not mapped the new data after %d ms",
		    APID_WAIT_MS);
	resp = r->resp;
	r->resp = NULL;
	reply_json(r, r->status, resp);
	return 1;
}

static void
reply_when_live(struct rq *r, int status, json_t *resp)
{
	r->resp = resp;
	r->status = status;
	if (!live_poll(r, 0))
		rq_wait(r, live_poll, APID_POLL_MS, APID_WAIT_MS);
}

static void
add(struct rq *r, enum rb_list l)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_lists_add(&t, l, r->body, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	rb_txn_end(&t);
	rb_info("added id=%s from=%s",
	    json_string_value(
	        json_object_get(json_object_get(resp, "entry"), "id")),
	    r->peer_text);
	reply_when_live(r, 201, resp);
}

static void
del(struct rq *r, enum rb_list l)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_lists_delete(&t, l, r->arg, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	rb_txn_end(&t);
	rb_info("deleted id=%s from=%s", r->arg, r->peer_text);
	reply_when_live(r, 200, resp);
}

void
h_dns_list(struct rq *r)
{
	list(r, RB_LIST_DNS);
}

void
h_dns_add(struct rq *r)
{
	add(r, RB_LIST_DNS);
}

void
h_dns_del(struct rq *r)
{
	del(r, RB_LIST_DNS);
}

void
h_block_list(struct rq *r)
{
	list(r, RB_LIST_BLACKLIST);
}

void
h_block_add(struct rq *r)
{
	add(r, RB_LIST_BLACKLIST);
}

void
h_block_del(struct rq *r)
{
	del(r, RB_LIST_BLACKLIST);
}

void
h_allow_list(struct rq *r)
{
	list(r, RB_LIST_ALLOWLIST);
}

void
h_allow_add(struct rq *r)
{
	add(r, RB_LIST_ALLOWLIST);
}

void
h_allow_del(struct rq *r)
{
	del(r, RB_LIST_ALLOWLIST);
}
