/*
 * writer: appending to the audit log so that kill -9 at any instant
 * neither loses nor repeats an event.
 *
 * Invariants: (1) a line reaches audit.log only through one write(2) of a
 * whole batch followed by fsync; a crash can leave a torn last line, which
 * the next open cuts away (its event is read again from its source).
 * (2) The position (seq, chain, journal cursor) is read back from the
 * log's last lines at open, never from a side file that could disagree
 * with it.  (3) The caller removes a batch's spool files, durably, before
 * it commits the next batch; so spool files that survive a crash belong
 * to the last two batches at most, whose "spool:<name>" sources open
 * collects.  (4) A rotation renames a file whose lines are all durable and
 * whose spool files are gone, then writes log_rotate as the first line of
 * the new file; open completes a rotation cut short between the two.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit/files.h"
#include "audit/writer.h"
#include "base/hex.h"
#include "base/path.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define MAX_READ (1u << 30)                       /* largest log read back */
#define DONE_WINDOW (2 * RB_AUDIT_BATCH_MAX + 16) /* lines searched */

int
rb_audit_writer_src_journal(const char *src, char *epoch, size_t elen,
    uint64_t *seq)
{
	const char *p, *colon;
	char *end;
	unsigned long long v;

	if (strncmp(src, "journal:", 8) != 0)
		return -1;
	p = src + 8;
	if ((colon = strrchr(p, ':')) == NULL || colon == p ||
	    (size_t)(colon - p) >= elen || colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	v = strtoull(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	memcpy(epoch, p, (size_t)(colon - p));
	epoch[colon - p] = '\0';
	*seq = v;
	return 0;
}

static int
lock_dir(struct rb_audit_writer *w, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	rb_path(path, sizeof path, "%s/.lock", w->dir);
	w->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (w->lockfd < 0)
		return rb_err_sys(e, "open audit/.lock");
	if (flock(w->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return rb_err_set(e, RB_ERR_CONFLICT, "LOCKED",
			    "another rb-auditd "
			    "holds %s",
			    path);
		return rb_err_sys(e, "lock audit/.lock");
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add_done(struct rb_audit_writer *w, const char *name)
{
	char **nv;

	if ((nv = realloc(w->done, (w->ndone + 1) * sizeof *nv)) == NULL)
		return -1;
	w->done = nv;
	if ((w->done[w->ndone] = strdup(name)) == NULL)
		return -1;
	w->ndone++;
	return 0;
}

int
rb_audit_writer_consumed(const struct rb_audit_writer *w, const char *name)
{
	return w->ndone > 0 &&
	    bsearch(&name, w->done, w->ndone, sizeof *w->done, cmp_str) != NULL;
}

/* The newest line: where the chain continues.  It must parse, carry a
 * chain and verify under our key. */
static int
take_last(struct rb_audit_writer *w, const char *line, size_t n,
    struct rb_err *e)
{
	struct rb_audit_entry ent;
	unsigned char mac[RB_AUDIT_HASH];
	const char *why;

	if (rb_audit_line_parse(line, n, &ent, &why) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "DAMAGED",
		    "the last line of the "
		    "audit log is damaged (%s): run rb-audit verify",
		    why);
	if (!ent.has_chain)
		return rb_err_set(e, RB_ERR_SYSTEM, "DAMAGED",
		    "the last line of the "
		    "audit log has no chain value (not written by rb-auditd)");
	if (rb_audit_line_mac(w->key, ent.seq, ent.ts, ent.event, ent.fields,
	        ent.fields_len, mac) < 0)
		return rb_err_sys(e, "compute a mac");
	if (CRYPTO_memcmp(mac, ent.mac, RB_AUDIT_HASH) != 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "KEY_MISMATCH",
		    "the audit key does "
		    "not verify the log's last entry (seq %" PRIu64 "): "
		    "restore the key it was written with, or move the log "
		    "aside",
		    ent.seq);
	w->seq = ent.seq;
	memcpy(w->chain, ent.chain, RB_AUDIT_HASH);
	return 0;
}

/* Walk text's lines from the newest: the position from the last line,
 * the journal cursor from the last journal src, the spool names of the
 * last DONE_WINDOW lines. */
static int
scan_back(struct rb_audit_writer *w, const char *text, size_t len,
    struct rb_err *e)
{
	struct rb_audit_entry ent;
	size_t end = len, count = 0;
	int cursor = 0;
	const char *why;

	while (end > 0 && (!cursor || count < DONE_WINDOW)) {
		const char *nl = end > 1 ? memrchr(text, '\n', end - 1) : NULL;
		size_t start = nl ? (size_t)(nl - text) + 1 : 0;
		size_t n = end - 1 - start;

		if (++count == 1 && take_last(w, text + start, n, e) < 0)
			return -1;
		if (n > 0 &&
		    rb_audit_line_parse(text + start, n, &ent, &why) == 0) {
			if (!cursor &&
			    rb_audit_writer_src_journal(ent.src, w->epoch,
			        sizeof w->epoch, &w->jseq) == 0)
				cursor = 1;
			if (count <= DONE_WINDOW &&
			    strncmp(ent.src, "spool:", 6) == 0 &&
			    add_done(w, ent.src + 6) < 0)
				return rb_err_set(e, RB_ERR_SYSTEM,
				    "INTERNAL_ERROR", "out of memory");
		}
		end = start;
	}
	if (w->ndone > 1)
		qsort(w->done, w->ndone, sizeof *w->done, cmp_str);
	return 0;
}

/* The first seq of text (its first line that parses). */
static uint64_t
first_seq(const char *text, size_t len)
{
	struct rb_audit_entry ent;
	const char *why;

	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		if (rb_audit_line_parse(text + off, n, &ent, &why) == 0)
			return ent.seq;
		off += n + 1;
	}
	return 0;
}

/* Cut a torn last line (no newline): the write a crash interrupted. */
static int
cut_torn(struct rb_audit_writer *w, const char *text, size_t *len,
    struct rb_err *e)
{
	const char *nl;
	size_t keep;

	if (*len == 0 || text[*len - 1] == '\n')
		return 0;
	nl = memrchr(text, '\n', *len);
	keep = nl ? (size_t)(nl - text) + 1 : 0;
	if (ftruncate(w->fd, (off_t)keep) < 0 || fsync(w->fd) < 0)
		return rb_err_sys(e, "cut the torn end of audit/audit.log");
	w->truncated = *len - keep;
	*len = keep;
	return 0;
}

static void
reset_stage(struct rb_audit_writer *w)
{
	w->len = 0;
	w->nstaged = 0;
	w->sseq = w->seq;
	w->sjseq = w->jseq;
	memcpy(w->schain, w->chain, RB_AUDIT_HASH);
	memcpy(w->sepoch, w->epoch, sizeof w->sepoch);
}

/* Stage and commit log_rotate, the first line of a new audit.log. */
static int
write_header(struct rb_audit_writer *w, const char *prev_file, struct rb_err *e)
{
	char hex[2 * RB_AUDIT_HASH + 1], src[RB_AUDIT_SRC_MAX + 1];
	json_t *f;
	int r;

	rb_hex_encode(w->chain, RB_AUDIT_HASH, hex);
	if (w->epoch[0] != '\0')
		snprintf(src, sizeof src, "journal:%s:%" PRIu64, w->epoch,
		    w->jseq);
	else
		snprintf(src, sizeof src, "rb-auditd");
	f = json_pack("{s:s, s:I, s:s}", "prev_file", prev_file, "prev_seq",
	    (json_int_t)w->seq, "prev_chain", hex);
	if (f == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	r = rb_audit_writer_add(w, (int64_t)time(NULL), "log_rotate", f, src);
	json_decref(f);
	if (r < 0)
		return rb_err_sys(e, "format log_rotate");
	return rb_audit_writer_commit(w, e);
}

/* An empty audit.log beside rotated files: a rotation cut short, so the
 * position comes from the newest rotated file and log_rotate follows. */
static int
resume_rotation(struct rb_audit_writer *w, struct rb_err *e)
{
	char **names = NULL, path[RB_PATH_MAX];
	size_t n = 0, len = 0;
	const char *prev = NULL;
	char *text;
	int r;

	if (rb_audit_files(w->dir, &names, &n) < 0)
		return rb_err_sys(e, "list audit/");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "audit.log") != 0)
			prev = names[i];
	}
	if (prev == NULL) {
		rb_audit_files_free(names, n);
		return 0; /* a new log: seq 1 chains to genesis */
	}
	rb_path(path, sizeof path, "%s/%s", w->dir, prev);
	if ((text = rb_file_read(path, MAX_READ, &len)) == NULL) {
		rb_audit_files_free(names, n);
		return rb_err_sys(e, "read the newest rotated audit log");
	}
	while (len > 0 && text[len - 1] != '\n')
		len--;
	r = len > 0 ? scan_back(w, text, len, e) : 0;
	free(text);
	reset_stage(w);
	if (r == 0 && len > 0)
		r = write_header(w, prev, e);
	rb_audit_files_free(names, n);
	return r;
}

static int
read_back(struct rb_audit_writer *w, struct rb_err *e)
{
	char path[RB_PATH_MAX], *text;
	size_t len = 0;
	int r = 0;

	rb_path(path, sizeof path, "%s/audit.log", w->dir);
	if ((text = rb_file_read(path, MAX_READ, &len)) == NULL)
		return rb_err_sys(e, "read audit/audit.log");
	if (cut_torn(w, text, &len, e) < 0) {
		free(text);
		return -1;
	}
	w->size = (off_t)len;
	if (len > 0) {
		w->file_first = first_seq(text, len);
		r = scan_back(w, text, len, e);
	}
	free(text);
	reset_stage(w);
	if (r == 0 && len == 0)
		r = resume_rotation(w, e);
	return r;
}

static int
open_current(struct rb_audit_writer *w, int excl, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	rb_path(path, sizeof path, "%s/audit.log", w->dir);
	w->fd = open(path,
	    O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : 0),
	    0640);
	if (w->fd < 0)
		return rb_err_sys(e, "open audit/audit.log");
	if (rb_file_dir_sync(w->dir, 1) < 0)
		return rb_err_sys(e, "sync audit/");
	return 0;
}

int
rb_audit_writer_open(struct rb_audit_writer *w, const char *root,
    const struct rb_audit_key *k, size_t max_size, struct rb_err *e)
{
	memset(w, 0, sizeof *w);
	w->fd = w->lockfd = -1;
	w->key = k;
	w->max_size = max_size ? max_size : RB_AUDIT_DEFAULT_MAX_SIZE;
	memcpy(w->chain, rb_audit_line_genesis, RB_AUDIT_HASH);
	if (snprintf(w->dir, sizeof w->dir, "%s/audit", root) >=
	    (int)sizeof w->dir)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if (rb_file_mkdirs(w->dir, 0750) < 0) {
		rb_err_sys(e, "create audit/");
		goto fail;
	}
	if (lock_dir(w, e) < 0)
		goto fail;
	if (rb_atomic_clean(w->dir) < 0) {
		rb_err_sys(e, "clean audit/");
		goto fail;
	}
	if (open_current(w, 0, e) < 0 || read_back(w, e) < 0)
		goto fail;
	return 0;
fail:
	rb_audit_writer_close(w);
	return -1;
}

int
rb_audit_writer_add(struct rb_audit_writer *w, int64_t ts, const char *event,
    const json_t *fields, const char *src)
{
	unsigned char chain[RB_AUDIT_HASH];
	size_t n;
	char *line;

	line = rb_audit_line_format(w->key, w->sseq + 1, ts, event, fields, src,
	    w->schain, NULL, chain, &n);
	if (line == NULL)
		return -1;
	if (w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 65536;
		char *nb;

		while (nc < w->len + n)
			nc *= 2;
		if ((nb = realloc(w->buf, nc)) == NULL) {
			free(line);
			return -1;
		}
		w->buf = nb;
		w->cap = nc;
	}
	memcpy(w->buf + w->len, line, n);
	free(line);
	w->len += n;
	w->nstaged++;
	w->sseq++;
	memcpy(w->schain, chain, RB_AUDIT_HASH);
	(void)rb_audit_writer_src_journal(src, w->sepoch, sizeof w->sepoch,
	    &w->sjseq); /* leaves the cursor alone for other sources */
	return 0;
}

int
rb_audit_writer_full(const struct rb_audit_writer *w)
{
	return w->nstaged >= RB_AUDIT_BATCH_MAX ||
	    (size_t)w->size + w->len >= w->max_size;
}

void
rb_audit_writer_drop(struct rb_audit_writer *w)
{
	reset_stage(w);
}

int
rb_audit_writer_commit(struct rb_audit_writer *w, struct rb_err *e)
{
	size_t off = 0;

	if (w->nstaged == 0)
		return 0;
	while (off < w->len) {
		ssize_t k = write(w->fd, w->buf + off, w->len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto fail;
		off += (size_t)k;
	}
	if (fsync(w->fd) < 0)
		goto fail;
	if (w->file_first == 0)
		w->file_first = w->seq + 1;
	w->size += (off_t)w->len;
	w->seq = w->sseq;
	w->jseq = w->sjseq;
	memcpy(w->chain, w->schain, RB_AUDIT_HASH);
	memcpy(w->epoch, w->sepoch, sizeof w->epoch);
	reset_stage(w);
	return 0;
fail:
	rb_err_sys(e, "append to audit/audit.log");
	/* Best effort: leave no partial batch behind (open cuts one too). */
	if (ftruncate(w->fd, w->size) < 0 || fsync(w->fd) < 0)
		e->kind = RB_ERR_SYSTEM;
	reset_stage(w);
	return -1;
}

int
rb_audit_writer_rotate(struct rb_audit_writer *w, struct rb_err *e)
{
	char cur[RB_PATH_MAX], old[RB_PATH_MAX], name[64];

	if (w->size < (off_t)w->max_size || w->size == 0 || w->nstaged > 0)
		return 0;
	snprintf(name, sizeof name, "audit.log.%020" PRIu64, w->file_first);
	rb_path(cur, sizeof cur, "%s/audit.log", w->dir);
	rb_path(old, sizeof old, "%s/%s", w->dir, name);
	if (renameat2(AT_FDCWD, cur, AT_FDCWD, old, RENAME_NOREPLACE) < 0)
		return rb_err_sys(e, "rotate audit/audit.log");
	if (rb_file_dir_sync(w->dir, 1) < 0)
		return rb_err_sys(e, "sync audit/");
	close(w->fd);
	w->fd = -1;
	w->size = 0;
	w->file_first = 0;
	if (open_current(w, 1, e) < 0 || write_header(w, name, e) < 0)
		return -1;
	return 1;
}

void
rb_audit_writer_close(struct rb_audit_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->lockfd >= 0)
		close(w->lockfd); /* releases the lock */
	w->fd = w->lockfd = -1;
	for (size_t i = 0; i < w->ndone; i++)
		free(w->done[i]);
	free(w->done);
	w->done = NULL;
	w->ndone = 0;
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = w->nstaged = 0;
}
