/*
 * h_feeds: /feeds, on lib/feed/subs as `rb-feed` is.  Listing, presets,
 * adding and deleting are quick library calls.  A refresh downloads
 * feeds, which takes seconds to minutes, so it never runs on the event
 * loop: rb-apid starts `rb-feed -d ROOT update [ID]` (the same code
 * `rb-feed update` runs), reads its JSON through a non-blocking pipe on
 * a timer, and answers with it.  SIGCHLD is ignored, so finished
 * children are reaped by the kernel.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "feed/preset.h"
#include "feed/subs.h"
#include "state/txn.h"
#include "sys/selfpath.h"

#include "apid.h"

#define FEED_UPDATE_MS (15 * 60 * 1000) /* a refresh may take this long */
#define FEED_OUT_MAX (4u << 20)         /* JSON read from rb-feed at most */

void
h_feeds_list(struct rq *r)
{
	struct rb_err e = { 0 };
	json_t *resp = NULL;

	if (rb_feed_subs_list(r->a->dm.root, &resp, &e) < 0)
		reply_err(r, &e);
	else
		reply_json(r, 200, resp);
}

void
h_feeds_presets(struct rq *r)
{
	json_t *p = rb_feed_preset_all();

	if (p == NULL)
		reply_error(r, 500, "INTERNAL_ERROR", "out of memory");
	else
		reply_json(r, 200, p);
}

void
h_feeds_add(struct rq *r)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_feed_subs_add(&t, r->body, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	rb_txn_end(&t);
	rb_info("feed added id=%s from=%s",
	    json_string_value(
	        json_object_get(json_object_get(resp, "feed"), "id")),
	    r->peer_text);
	reply_json(r, 201, resp);
}

void
h_feeds_del(struct rq *r)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_feed_subs_delete(&t, r->arg, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	/* Still holding the lock, as doc/feeds.md asks of deletes. */
	if (rb_feed_subs_delete_files(r->a->dm.root, r->arg) < 0)
		rb_warn("feed %s: unable to remove its files: %s", r->arg,
		    strerror(errno));
	rb_txn_end(&t);
	rb_info("feed deleted id=%s from=%s", r->arg, r->peer_text);
	reply_json(r, 200, resp);
}

/* Start rb-feed update [id]; its stdout is *fd (non-blocking). */
static pid_t
spawn_update(const char *root, const char *id, int *fd)
{
	char prog[PATH_MAX];
	int p[2];
	pid_t pid;

	if (rb_selfpath_beside(prog, sizeof prog, "rb-feed") < 0 ||
	    pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			_exit(111);
		execl(prog, "rb-feed", "-d", root, "update", id, (char *)NULL);
		_exit(111);
	}
	close(p[1]);
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		close(p[0]);
		return -1;
	}
	*fd = p[0];
	return pid;
}

/* Read what rb-feed wrote; 1 (and the reply sent) at its end. */
static int
update_poll(struct rq *r, int timed_out)
{
	char buf[65536];
	ssize_t n;
	json_t *j;

	while ((n = read(r->child_fd, buf, sizeof buf)) > 0) {
		if (r->out_len + (size_t)n > FEED_OUT_MAX)
			break;
		char *grown = realloc(r->out, r->out_len + (size_t)n + 1);
		if (grown == NULL)
			break;
		r->out = grown;
		memcpy(r->out + r->out_len, buf, (size_t)n);
		r->out_len += (size_t)n;
	}
	if (n < 0 && errno == EAGAIN && !timed_out)
		return 0;
	close(r->child_fd);
	r->child_fd = -1;
	if (timed_out) {
		(void)kill(r->child, SIGTERM);
		reply_error(r, 504, "TIMEOUT", "the feed update took too long");
		return 1;
	}
	j = r->out ? json_loadb(r->out, r->out_len, 0, NULL) : NULL;
	free(r->out);
	r->out = NULL;
	if (!json_is_object(j) || json_object_get(j, "results") == NULL) {
		json_decref(j);
		reply_error(r, 500, "FEED_ERROR", "the feed update failed");
		return 1;
	}
	reply_json(r, 200, j);
	return 1;
}

static void
update(struct rq *r, const char *id)
{
	struct rb_err e = { 0 };

	if (id != NULL) {
		json_t *all = rb_feed_subs_load(r->a->dm.root, &e), *v;
		size_t i;
		int found = 0;

		if (all == NULL) {
			reply_err(r, &e);
			return;
		}
		json_array_foreach (all, i, v) {
			const char *vid = json_string_value(
			    json_object_get(v, "id"));
			found |= vid != NULL && strcmp(vid, id) == 0;
		}
		json_decref(all);
		if (!found) {
			reply_json(r, 404,
			    json_pack("{s:s, s:s}", "error", "NOT_FOUND", "id",
			        id));
			return;
		}
	}
	r->child_fd = -1;
	if ((r->child = spawn_update(r->a->dm.root, id, &r->child_fd)) < 0) {
		reply_error(r, 500, "INTERNAL_ERROR",
		    "unable to start rb-feed");
		return;
	}
	rb_info("feed update id=%s from=%s", id ? id : "all", r->peer_text);
	rq_wait(r, update_poll, 50, FEED_UPDATE_MS);
}

void
h_feeds_update(struct rq *r)
{
	update(r, NULL);
}

void
h_feed_update(struct rq *r)
{
	update(r, r->arg);
}
