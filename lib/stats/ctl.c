/*
 * ctl: the requester's side of rb-dnsd's control files.  rb-dnsd is the
 * only writer of run/stats.shm, so another program never changes it: it
 * drops a request file in run/ctl/ and watches the mapping for the answer.
 * A nonce makes each answer belong to one request, so two requesters (two
 * rb-apid calls, or rb-apid and a shell tool) never take each other's
 * acknowledgement.  Liveness is the pid rb-dnsd wrote into the mapping.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/path.h"
#include "stats/ctl.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

void
rb_ctl_init(struct rb_ctl_view *v, const char *root)
{
	memset(v, 0, sizeof *v);
	snprintf(v->root, sizeof v->root, "%s", root);
}

void
rb_ctl_fini(struct rb_ctl_view *v)
{
	if (v->shm != NULL)
		rb_stats_close((struct rb_stats_shm *)v->shm);
	v->shm = NULL;
	v->dev = v->ino = 0;
}

const struct rb_stats_shm *
rb_ctl_stats(struct rb_ctl_view *v)
{
	char path[RB_PATH_MAX];
	struct stat st;

	rb_path(path, sizeof path, "%s/run/stats.shm", v->root);
	if (stat(path, &st) < 0) {
		rb_ctl_fini(v);
		return NULL;
	}
	if (v->shm != NULL && (uint64_t)st.st_dev == v->dev &&
	    (uint64_t)st.st_ino == v->ino)
		return v->shm;
	rb_ctl_fini(v);
	/* A file replaced between the stat and the open is mapped now and
	 * re-mapped on the next call: never a stale mapping for long. */
	if ((v->shm = rb_stats_open(v->root)) == NULL)
		return NULL;
	v->dev = (uint64_t)st.st_dev;
	v->ino = (uint64_t)st.st_ino;
	return v->shm;
}

int
rb_ctl_alive(const struct rb_stats_shm *s)
{
	pid_t pid = (pid_t)__atomic_load_n(&s->pid, __ATOMIC_RELAXED);

	if (pid <= 0)
		return 0;
	return kill(pid, 0) == 0 || errno == EPERM;
}

int
rb_ctl_request(const char *root, const char *name, uint64_t *nonce,
    struct rb_err *e)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], text[32];
	uint64_t n = 0;
	int len;

	do {
		if (getrandom(&n, sizeof n, 0) != (ssize_t)sizeof n) {
			if (errno == EINTR)
				continue;
			return rb_err_sys(e, "get a nonce");
		}
		n &= 0x7fffffffffffffffull; /* 63 bits: a positive number */
	} while (n == 0);
	if (snprintf(dir, sizeof dir, "%s/run/ctl", root) >= (int)sizeof dir)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if (rb_file_mkdirs(dir, 0770) < 0)
		return rb_err_sys(e, "create run/ctl");
	rb_path(path, sizeof path, "%s/%s", dir, name);
	len = snprintf(text, sizeof text, "%llu\n", (unsigned long long)n);
	if (rb_atomic_replace(path, text, (size_t)len, 0660) < 0)
		return rb_err_sys(e, "write a control request");
	*nonce = n;
	return 0;
}

int
rb_ctl_issue(struct rb_ctl_issued *h, const char *root, const char *name,
    uint64_t *ticket, struct rb_err *e)
{
	uint64_t n;

	if (rb_ctl_request(root, name, &n, e) < 0)
		return -1;
	*ticket = h->count;
	h->nonce[h->count++ % RB_CTL_KEPT] = n;
	return 0;
}

int
rb_ctl_answers(const struct rb_ctl_issued *h, uint64_t ticket, uint64_t ack)
{
	uint64_t i = ticket;

	if (ack == 0 || h->count - ticket > RB_CTL_KEPT)
		return 0; /* nothing yet, or forgotten: wait for the timeout */
	for (; i < h->count; i++) {
		if (h->nonce[i % RB_CTL_KEPT] == ack)
			return 1;
	}
	return 0;
}

static uint64_t
ino_of(const char *root, const char *name)
{
	char path[RB_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof path, "%s/data/%s", root, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int
rb_ctl_data_live(const char *root, const struct rb_stats_shm *s)
{
	static const char *const files[4] = { "local.cdb", "block.cdb",
		"local.delta", "block.delta" };

	for (int i = 0; i < 4; i++)
		if (__atomic_load_n(&s->data_ino[i], __ATOMIC_ACQUIRE) !=
		    ino_of(root, files[i]))
			return 0;
	return 1;
}

void
rb_ctl_acks(const struct rb_stats_shm *s, struct rb_ctl_acks *out)
{
	struct rb_stats_shm snap;

	rb_stats_snapshot(s, &snap);
	out->reload_done = snap.reload_done;
	out->clear_done = snap.clear_done;
	out->clear_deleted = snap.clear_deleted;
	out->clear_total = snap.clear_total;
}
