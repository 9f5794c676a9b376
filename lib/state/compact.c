/*
 * compact: a new base for every collection past its old one, in three
 * steps, of which only the start of the first and the last hold
 * store/.lock, each for a moment:
 *
 * 1. Under the lock: map the store's files and pin the journal from
 *    store/applied on (store/.compact-from) so that no writer prunes
 *    it.  Then without: apply the journal's tail (files renamed in
 *    whole) and note L, the last seq applied.
 * 2. Without it: write each collection as of L to store/<name>.cdb.next
 *    and the bases of data/ to data/<name>.cdb.next.  Writers go on,
 *    their events after L in the journal and in the old deltas.
 * 3. Under the lock again: rename the data bases in, set store/applied
 *    back to L if it is past (the journal from L + 1 is replayed by every
 *    begin from now on), rename the store bases in (an old checkpoint then
 * follows another base and is ignored, lib/state/coll), remove the old
 *    checkpoints and the pin.
 *
 * A kill at any instant leaves a state that reads right: before step 3
 * nothing visible changed; a new data base with the old delta answers
 * as the store says (a delta holds the latest state of every name it
 * names); an applied set back only replays events the views skip.  The
 * next begin (or the last step here) rewrites the deltas for the new
 * bases.  store/.compact, flocked for the whole run, keeps compactions
 * one at a time.
 */

#include <sys/file.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "state/compact.h"
#include "state/data.h"
#include "state/journal.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/selfpath.h"

/* flock root/store/<name> (LOCK_EX, with LOCK_NB when nb): the fd, or -1
 * (errno EWOULDBLOCK: held by another). */
static int
lock_file(const char *root, const char *name, int nb)
{
	char path[RB_PATH_MAX];
	int fd;

	rb_path(path, sizeof path, "%s/store/%s", root, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return -1;
	while (flock(fd, LOCK_EX | (nb ? LOCK_NB : 0)) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			(void)close(fd);
			errno = saved;
			return -1;
		}
	}
	return fd;
}

uint64_t
rb_compact_pin(const char *root)
{
	char path[RB_PATH_MAX], *txt;
	uint64_t pin;

	int fd;

	rb_path(path, sizeof path, "%s/store/.compact-from", root);
	if ((txt = rb_file_read(path, 64, NULL)) == NULL)
		return 0;
	pin = strtoull(txt, NULL, 10);
	free(txt);
	/* Left by a compaction that was killed: nothing needs it. */
	if ((fd = lock_file(root, ".compact", 1)) >= 0) {
		(void)close(fd);
		return 0;
	}
	return pin;
}

static int
due(struct rb_store *s, int c, int force)
{
	size_t p = rb_coll_pending(rb_store_view(s, (enum rb_coll)c));

	return force ? p > 0 : p >= RB_COMPACT_AT;
}

void
rb_compact_due(const char *root, struct rb_store *s)
{
	char prog[RB_PATH_MAX];
	sigset_t none;
	int any = 0, fd, st;
	pid_t pid;

	for (int c = 0; c < RB_COLL_ZONES && !any; c++)
		any = due(s, c, 0);
	if (!any || rb_selfpath_beside(prog, sizeof prog, "rb-data") < 0 ||
	    access(prog, X_OK) < 0)
		return;
	/* One runs already: it took the flock at its start. */
	if ((fd = lock_file(root, ".compact", 1)) < 0)
		return;
	(void)close(fd); /* releases the flock we only tested */
	/* Twice forked, so that the compactor is nobody's child to reap. */
	if ((pid = fork()) < 0)
		return;
	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			sigemptyset(&none);
			(void)sigprocmask(SIG_SETMASK, &none, NULL);
			if (null >= 0)
				(void)dup2(null, 1);
			execl(prog, "rb-data", "-c", "-d", root, (char *)NULL);
			_exit(111);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static int
replay_one(void *ctx, json_t *ev)
{
	static struct rb_err scratch;

	return rb_store_apply(ctx, ev, &scratch);
}

static void
next_path(const char *root, const char *name, char *buf, size_t len)
{
	rb_path(buf, len, "%s/store/%s.cdb.next", root, name);
}

/* Remove the new bases staged and not renamed in (a compaction killed,
 * or one that found its store replaced). */
static int
unstage(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	for (int c = 0; c < RB_COLL_ZONES; c++) {
		next_path(root, rb_store_coll_name((enum rb_coll)c), path,
		    sizeof path);
		if (unlink(path) < 0 && errno != ENOENT)
			return rb_err_sys(e, "remove a staged base");
	}
	return rb_data_unstage(root, e);
}

/* Step 1, under the lock: conf and the store's files as they are (their
 * mappings stay ours whatever writers rename over them), the journal
 * listed, and the pin at the store's applied position. */
static int
pin_start(const char *root, struct rb_store *s, struct rb_conf **conf,
    struct rb_journal *j, struct rb_err *e)
{
	char path[RB_PATH_MAX], line[32];
	int n;

	/* What killed writers and compactions left. */
	rb_path(path, sizeof path, "%s/store", root);
	if (rb_atomic_clean(path) < 0)
		return rb_err_sys(e, "clean store directory");
	if (unstage(root, e) < 0)
		return -1;
	if ((*conf = rb_conf_load_root(root, e)) == NULL ||
	    rb_store_convert(root, e) < 0 || rb_store_load(s, root, e) < 0)
		return -1;
	/* Opened whole (listed, and cleared of what killed writers left). */
	if (rb_journal_open(j, root, (*conf)->journal_retention, e) < 0)
		return -1;
	n = snprintf(line, sizeof line, "%" PRIu64 "\n", s->next ? s->next : 1);
	rb_path(path, sizeof path, "%s/store/.compact-from", root);
	if (rb_atomic_replace(path, line, (size_t)n, 0640) < 0)
		return rb_err_sys(e, "pin the journal");
	return 0;
}

/* Step 1, without it: the journal's tail (files renamed in whole, and
 * pinned) into s; *last, the seq s is now at. */
static int
catch_up(struct rb_store *s, struct rb_journal *j, uint64_t *last,
    struct rb_err *e)
{
	if (rb_journal_each_from(j, s->next, s->applied, replay_one, s, e) < 0)
		return -1;
	*last = j->last > rb_store_max_seq(s) ? j->last : rb_store_max_seq(s);
	return 0;
}

static int
unpin(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	rb_path(path, sizeof path, "%s/store/.compact-from", root);
	if (unlink(path) < 0 && errno != ENOENT)
		return rb_err_sys(e, "remove the journal pin");
	return 0;
}

/* Step 2: the new bases, beside the old ones. */
static int
stage(const char *root, struct rb_store *s, const struct rb_conf *conf,
    const int *chosen, int *which, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	json_t *all;

	*which = 0;
	for (int c = 0; c < RB_COLL_ZONES; c++) {
		if (!chosen[c])
			continue;
		if ((all = rb_store_entries(s, (enum rb_coll)c, e)) == NULL)
			return -1;
		next_path(root, rb_store_coll_name((enum rb_coll)c), path,
		    sizeof path);
		if (rb_coll_write_base(c, c == RB_COLL_DNS, all,
		        rb_store_view(s, (enum rb_coll)c)->seq, path, e) < 0)
			return -1;
		if (c == RB_COLL_DNS)
			*which |= RB_DATA_LOCAL;
		if (c == RB_COLL_BLACKLIST || c == RB_COLL_ALLOWLIST)
			*which |= RB_DATA_BLOCK;
	}
	return *which ? rb_data_stage(root, conf, s, *which, e) : 0;
}

/* Whether the journal is still the history of epoch: a replica that
 * took a snapshot meanwhile (rb_txn_replace) has a new one, and a store
 * that no longer follows what was staged. */
static int
same_history(const char *root, const char *epoch)
{
	char path[RB_PATH_MAX], *now;
	int same;

	rb_path(path, sizeof path, "%s/journal/epoch", root);
	if ((now = rb_file_read(path, 256, NULL)) == NULL)
		return 0;
	now[strcspn(now, "\n")] = '\0';
	same = strcmp(now, epoch) == 0;
	free(now);
	return same;
}

/* Step 3. */
static int
install(const char *root, const int *chosen, int which, uint64_t last,
    int whole, struct rb_err *e)
{
	char from[RB_PATH_MAX], to[RB_PATH_MAX];
	uint64_t seq, next;

	if (which && rb_data_install(root, which, e) < 0)
		return -1;
	/* The new bases hold what the journal after L does not; the other
	 * collections' files, what it does not after applied.  So the
	 * journal is read from the lower of the two, or from L + 1 when
	 * the others had no event in the journal (whole).  Lowered before
	 * the renames, raised only after them: store/applied never claims
	 * what the files in place lack, whenever a kill falls. */
	if (rb_store_applied(root, &seq, &next, e) < 0)
		return -1;
	if (last > 0 && next > last + 1 &&
	    rb_store_set_applied(root, last + 1, e) < 0)
		return -1;
	for (int c = 0; c < RB_COLL_ZONES; c++) {
		const char *name = rb_store_coll_name((enum rb_coll)c);

		if (!chosen[c])
			continue;
		next_path(root, name, from, sizeof from);
		rb_coll_base_path(root, name, to, sizeof to);
		if (rename(from, to) < 0)
			return rb_err_sys(e, "rename a new base in");
		rb_coll_ck_path(root, name, to, sizeof to);
		if (unlink(to) < 0 && errno != ENOENT)
			return rb_err_sys(e, "remove an old checkpoint");
	}
	if (rb_file_dir_sync(to, 0) < 0)
		return rb_err_sys(e, "sync store/");
	if (last > 0 && whole && next < last + 1 &&
	    rb_store_set_applied(root, last + 1, e) < 0)
		return -1;
	return unpin(root, e);
}

int
rb_compact(const char *root, int force, struct rb_err *e)
{
	struct rb_store s;
	struct rb_conf *conf = NULL;
	struct rb_journal j;
	struct rb_txn t;
	uint64_t last = 0;
	int once, lock = -1, chosen[RB_COLL_ZONES] = { 0 }, any = 0, which;
	int whole = 1;
	int r = -1;
	char dir[RB_PATH_MAX];

	memset(&s, 0, sizeof s);
	for (int c = 0; c < RB_COLL_ZONES; c++)
		s.v[c].base.fd = s.v[c].ck.fd = -1;
	rb_path(dir, sizeof dir, "%s/store", root);
	if (rb_file_mkdirs(dir, 0750) < 0)
		return rb_err_sys(e, "create store directory");
	/* A forced run (rb-data) waits for one under way. */
	if ((once = lock_file(root, ".compact", !force)) < 0)
		return errno == EWOULDBLOCK ? 0 :
		                              rb_err_sys(e, "lock compaction");
	if ((lock = lock_file(root, ".lock", 0)) < 0) {
		rb_err_sys(e, "lock store");
		goto done;
	}
	if (pin_start(root, &s, &conf, &j, e) < 0)
		goto done;
	(void)close(lock); /* writers go on */
	lock = -1;
	if (catch_up(&s, &j, &last, e) < 0)
		goto done;
	for (int c = 0; c < RB_COLL_ZONES; c++)
		any |= chosen[c] = due(&s, c, force);
	if (!any) {
		r = unpin(root, e);
		goto done;
	}
	if (stage(root, &s, conf, chosen, &which, e) < 0)
		goto done;
	if ((lock = lock_file(root, ".lock", 0)) < 0) {
		rb_err_sys(e, "lock store");
		goto done;
	}
	if (!same_history(root, j.epoch)) {
		/* Staged for a store that is gone: the next one is due. */
		r = unpin(root, e) < 0 || unstage(root, e) < 0 ? -1 : 0;
		goto done;
	}
	for (int c = 0; c < RB_COLL_ZONES; c++)
		if (!chosen[c] && rb_store_view(&s, (enum rb_coll)c)->t_events)
			whole = 0;
	if (install(root, chosen, which, last, whole, e) < 0)
		goto done;
	(void)close(lock);
	lock = -1;
	/* The deltas of data/ for the new bases: any begin does it. */
	if (rb_txn_begin(&t, root, e) < 0)
		goto done;
	rb_txn_end(&t);
	r = 1;
done:
	if (lock >= 0)
		(void)close(lock);
	rb_store_fini(&s);
	rb_conf_free(conf);
	(void)close(once);
	return r;
}
