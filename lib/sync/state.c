/*
 * state: the slave's notes in ROOT/sync/.
 *
 * state is a small JSON object replaced whole by atomic rename.  It is a
 * record, not the truth: the journal and store say what the slave holds,
 * and rb-syncd takes a full snapshot whenever state and store disagree
 * or state cannot be read.  synced is cleared before a snapshot starts
 * and set when it is complete, so a snapshot cut short by a crash is
 * taken again.  The pin file holds one fingerprint line; a damaged one is
 * an error, never a reason to trust a new certificate.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/journal.h"
#include "sync/source.h"
#include "sync/state.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

int
rb_sync_state_path(const char *root, const char *name, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/sync/%s", root, name) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void
get_text(const json_t *o, const char *k, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(o, k));

	snprintf(out, len, "%s", s ? s : "");
}

static uint64_t
get_u(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));

	return v > 0 ? (uint64_t)v : 0;
}

int
rb_sync_state_parse(struct rb_sync_state *s, const char *buf, size_t len,
    struct rb_err *e)
{
	json_error_t jerr;
	json_t *o = json_loadb(buf, len, 0, &jerr);

	memset(s, 0, sizeof *s);
	if (!json_is_object(o)) {
		json_decref(o);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "sync/state is "
		    "damaged");
	}
	s->synced = json_is_true(json_object_get(o, "synced"));
	get_text(o, "epoch", s->epoch, sizeof s->epoch);
	get_text(o, "master", s->master, sizeof s->master);
	get_text(o, "phase", s->phase, sizeof s->phase);
	get_text(o, "last_error", s->last_error, sizeof s->last_error);
	s->applied_seq = get_u(o, "applied_seq");
	s->master_seq = get_u(o, "master_seq");
	s->last_contact = (int64_t)get_u(o, "last_contact");
	s->current_at = (int64_t)get_u(o, "current_at");
	s->last_full = (int64_t)get_u(o, "last_full");
	s->full_syncs = get_u(o, "full_syncs");
	s->last_error_at = (int64_t)get_u(o, "last_error_at");
	json_decref(o);
	if (s->synced && s->epoch[0] == '\0')
		s->synced = 0;
	return 0;
}

int
rb_sync_state_load(const char *root, struct rb_sync_state *s, struct rb_err *e)
{
	char path[RB_PATH_MAX], *buf;
	size_t len;
	int r;

	memset(s, 0, sizeof *s);
	if (rb_sync_state_path(root, RB_SYNC_STATE, path, sizeof path) < 0)
		return rb_err_sys(e, "sync/state");
	if ((buf = rb_file_read(path, 65536, &len)) == NULL)
		return errno == ENOENT ? 0 : rb_err_sys(e, "read sync/state");
	r = rb_sync_state_parse(s, buf, len, e);
	free(buf);
	return r;
}

static json_t *
opt_text(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

int
rb_sync_state_save(const char *root, const struct rb_sync_state *s,
    struct rb_err *e)
{
	char path[RB_PATH_MAX], dir[RB_PATH_MAX];
	json_t *o = json_pack("{s:b, s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:I, "
	                      "s:s, s:o, s:I}",
	    "synced", s->synced, "epoch", opt_text(s->epoch), "applied_seq",
	    (json_int_t)s->applied_seq, "master_seq", (json_int_t)s->master_seq,
	    "master", opt_text(s->master), "last_contact",
	    (json_int_t)s->last_contact, "current_at",
	    (json_int_t)s->current_at, "last_full", (json_int_t)s->last_full,
	    "full_syncs", (json_int_t)s->full_syncs, "phase", s->phase,
	    "last_error", opt_text(s->last_error), "last_error_at",
	    (json_int_t)s->last_error_at);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int r;

	json_decref(o);
	if (text == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	snprintf(dir, sizeof dir, "%s/sync", root);
	if (rb_file_mkdirs(dir, 0755) < 0 ||
	    rb_sync_state_path(root, RB_SYNC_STATE, path, sizeof path) < 0) {
		free(text);
		return rb_err_sys(e, "create sync/");
	}
	{
		struct rb_atomic a;

		r = rb_atomic_open(&a, path, 0644);
		if (r == 0 &&
		    (rb_atomic_write(&a, text, strlen(text)) < 0 ||
		        rb_atomic_write(&a, "\n", 1) < 0)) {
			rb_atomic_abort(&a);
			r = -1;
		} else if (r == 0) {
			r = rb_atomic_commit(&a);
		}
	}
	free(text);
	return r < 0 ? rb_err_sys(e, "write sync/state") : 0;
}

int
rb_sync_state_pin_load(const char *root, char out[RB_SYNC_FP_LEN],
    struct rb_err *e)
{
	char path[RB_PATH_MAX], *buf;
	size_t len;
	int r = 1;

	if (rb_sync_state_path(root, RB_SYNC_PIN, path, sizeof path) < 0)
		return rb_err_sys(e, "sync pin");
	if ((buf = rb_file_read(path, 4096, &len)) == NULL)
		return errno == ENOENT ? 0 : rb_err_sys(e, "read the pin file");
	if (memchr(buf, '\0', len) != NULL ||
	    rb_sync_proto_fp_parse(buf, len, out) < 0)
		r = rb_err_set(e, RB_ERR_SYSTEM, "BAD_PIN",
		    "%s does not hold a SHA-256 "
		    "fingerprint",
		    path);
	free(buf);
	return r;
}

int
rb_sync_state_pin_save(const char *root, const char *fp, struct rb_err *e)
{
	char path[RB_PATH_MAX], dir[RB_PATH_MAX], line[RB_SYNC_FP_LEN + 1];
	int n = snprintf(line, sizeof line, "%s\n", fp);

	snprintf(dir, sizeof dir, "%s/sync", root);
	if (rb_file_mkdirs(dir, 0755) < 0 ||
	    rb_sync_state_path(root, RB_SYNC_PIN, path, sizeof path) < 0 ||
	    rb_atomic_replace(path, line, (size_t)n, 0640) < 0)
		return rb_err_sys(e, "write the pin file");
	return 0;
}

int
rb_sync_state_resync_request(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX], dir[RB_PATH_MAX];

	snprintf(dir, sizeof dir, "%s/sync", root);
	if (rb_file_mkdirs(dir, 0755) < 0 ||
	    rb_sync_state_path(root, RB_SYNC_RESYNC, path, sizeof path) < 0 ||
	    rb_atomic_replace(path, "resync\n", 7, 0644) < 0)
		return rb_err_sys(e, "write sync/resync");
	return 0;
}

int
rb_sync_state_resync_pending(const char *root)
{
	char path[RB_PATH_MAX];

	if (rb_sync_state_path(root, RB_SYNC_RESYNC, path, sizeof path) < 0)
		return 0;
	return access(path, F_OK) == 0;
}

void
rb_sync_state_resync_clear(const char *root)
{
	char path[RB_PATH_MAX];

	if (rb_sync_state_path(root, RB_SYNC_RESYNC, path, sizeof path) == 0)
		(void)unlink(path); /* gone already is what we want */
}

static json_t *
master_status(const char *root, struct rb_err *e)
{
	struct rb_sync_head h;
	struct rb_err e2 = { 0 };

	if (rb_sync_source_head(root, &h, &e2) < 0) {
		if (e2.kind != RB_ERR_NOT_FOUND) {
			*e = e2;
			return NULL;
		}
		memset(&h, 0, sizeof h);
		h.oldest = 1;
	}
	return json_pack("{s:s, s:n, s:I, s:I, s:i, s:i, s:o, s:n, s:n, "
	                 "s:I}",
	    "role", "master", "master", "master_seq", (json_int_t)h.seq,
	    "applied_seq", (json_int_t)h.seq, "lag_events", 0, "lag_seconds", 0,
	    "epoch", opt_text(h.epoch), "last_error", "last_contact",
	    "oldest_seq", (json_int_t)h.oldest);
}

/* Connected and caught up at the last answer: 0; else the time since the
 * slave last knew it had everything (doc/rb-sync.md). */
static int64_t
lag_seconds(const struct rb_sync_state *s, uint64_t lag, int64_t now, long wait)
{
	if (s->current_at == 0)
		return -1;
	if (lag == 0 && now - s->last_contact <= wait + 10)
		return 0;
	return now > s->current_at ? now - s->current_at : 0;
}

json_t *
rb_sync_state_status(const char *root, const struct rb_conf *conf, int64_t now,
    struct rb_err *e)
{
	struct rb_sync_state s;
	uint64_t lag;
	int64_t ls;
	json_t *o;

	if (conf->mode != RB_MODE_SLAVE)
		return master_status(root, e);
	if (rb_sync_state_load(root, &s, e) < 0)
		return NULL;
	lag = s.master_seq > s.applied_seq ? s.master_seq - s.applied_seq : 0;
	ls = lag_seconds(&s, lag, now,
	    conf->sync_interval < 25 ? conf->sync_interval : 25);
	o = json_pack("{s:s, s:s?, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:b, "
	              "s:s, s:I, s:I}",
	    "role", "slave", "master", conf->sync_master, "master_seq",
	    (json_int_t)s.master_seq, "applied_seq", (json_int_t)s.applied_seq,
	    "lag_events", (json_int_t)lag, "lag_seconds",
	    ls >= 0 ? json_integer((json_int_t)ls) : json_null(), "epoch",
	    opt_text(s.epoch), "last_error", opt_text(s.last_error),
	    "last_contact",
	    s.last_contact ? json_integer((json_int_t)s.last_contact) :
	                     json_null(),
	    "synced", s.synced, "phase", s.phase[0] ? s.phase : "starting",
	    "full_syncs", (json_int_t)s.full_syncs, "last_full",
	    (json_int_t)s.last_full);
	if (o == NULL)
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
	return o;
}
