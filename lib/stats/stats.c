/*
 * stats: the shared statistics mapping.  One writer (rb-dnsd's single
 * thread) and any number of readers in other processes.
 *
 * The counter block uses a seqlock: the writer makes seq odd, updates,
 * makes it even again, with release ordering; a reader copies the block
 * between two reads of an equal, even seq, or tries again.  Log records
 * carry their own seq the same way, so a reader never sees a record half
 * written; a record the writer has lapped since is reported as gone.
 * The file is created under a temporary name, sized and initialised, then
 * renamed into run/, so a reader never maps a half-made file.  Its blocks
 * are allocated before it is mapped: a page of a sparse file that the
 * filesystem has no room for kills the writer with SIGBUS when touched,
 * so a full disk must fail the creation instead.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "stats/stats.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

const uint32_t rb_stats_lat_bounds[RB_LAT_BUCKETS] = { 100, 250, 500, 1000,
	2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
	1500000, 2000000, UINT32_MAX };

static const char *const action_names[] = { NULL, "forwarded", "cached",
	"local", "blocked", "nxdomain", "refused", "servfail" };

const char *
rb_stats_action_name(int act)
{
	if (act < 1 || act > RB_ACT_SERVFAIL)
		return NULL;
	return action_names[act];
}

static size_t
shm_size(uint32_t log_cap)
{
	return sizeof(struct rb_stats_shm) +
	    (size_t)log_cap * sizeof(struct rb_log_rec);
}

struct rb_stats_shm *
rb_stats_create(const char *root, uint32_t log_cap, int redact)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX];
	struct rb_atomic a;
	struct rb_stats_shm *s;
	size_t size;

	if (log_cap > RB_LOG_MAX)
		log_cap = RB_LOG_MAX;
	size = shm_size(log_cap);
	snprintf(dir, sizeof dir, "%s/run", root);
	if (rb_file_mkdirs(dir, 0755) < 0 || rb_atomic_clean(dir) < 0)
		return NULL;
	rb_path(path, sizeof path, "%s/stats.shm", dir);
	if (rb_atomic_open(&a, path, 0644) < 0)
		return NULL;
	if ((errno = posix_fallocate(a.fd, 0, (off_t)size)) != 0)
		goto fail;
	s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (s == MAP_FAILED)
		goto fail;
	s->size = (uint32_t)size;
	s->start_time = (int64_t)time(NULL);
	s->pid = (uint64_t)getpid();
	s->log_cap = log_cap;
	s->log_redact = redact != 0;
	__atomic_store_n(&s->magic, RB_STATS_MAGIC, __ATOMIC_RELEASE);
	/* The mapping outlives the descriptor; no fsync: run/ is volatile. */
	if (rb_atomic_commit(&a) < 0) {
		munmap(s, size);
		return NULL;
	}
	return s;
fail:
	rb_atomic_abort(&a);
	return NULL;
}

static void
write_begin(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
write_end(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
}

/* Move the qps ring to second now, zeroing the seconds skipped. */
static void
qps_advance(struct rb_stats_shm *s, int64_t now)
{
	int64_t from = s->qps_sec;

	if (now <= from)
		return;
	if (from > 0) {
		uint64_t last = s->qps[from % RB_QPS_SLOTS];
		if (last > s->qps_peak)
			s->qps_peak = last;
	}
	if (now - from >= RB_QPS_SLOTS || from == 0)
		memset(s->qps, 0, sizeof s->qps);
	else
		for (int64_t t = from + 1; t <= now; t++)
			s->qps[t % RB_QPS_SLOTS] = 0;
	s->qps_sec = now;
}

/* Runbound's semantics: blocked counts blocks answered REFUSED,
 * nxdomain every NXDOMAIN (blocked or not), refused and servfail every
 * such reply, local_hits answers from local data.  Ours beside them:
 * every block by its action, every reply by its code. */
static void
count_action(struct rb_stats_shm *s, enum rb_log_action act, int rcode)
{
	if (rcode == 3)
		s->counters[RB_STAT_NXDOMAIN]++;
	else if (rcode == 5 || rcode < 0)
		s->counters[RB_STAT_REFUSED]++;
	else if (rcode == 2)
		s->counters[RB_STAT_SERVFAIL]++;
	if (act == RB_ACT_BLOCKED && rcode == 5) {
		s->counters[RB_STAT_BLOCKED]++;
		s->counters[RB_STAT_BLOCK_REFUSE]++;
	}
	if (act == RB_ACT_BLOCKED && rcode == 3)
		s->counters[RB_STAT_BLOCK_NXDOMAIN]++;
	if (act == RB_ACT_LOCAL)
		s->counters[RB_STAT_LOCAL_HITS]++;
	if (rcode < 0)
		s->counters[RB_STAT_DROPPED]++;
	else
		s->rcodes[rcode < RB_STATS_RCODES ? rcode :
		                                    RB_STATS_RCODES - 1]++;
}

void
rb_stats_query(struct rb_stats_shm *s, const struct rb_stats_answer *a)
{
	int b = 0;

	while (b < RB_LAT_BUCKETS - 1 && a->elapsed_us > rb_stats_lat_bounds[b])
		b++;
	write_begin(&s->seq);
	s->counters[RB_STAT_TOTAL]++;
	s->counters[a->tcp ? RB_STAT_TCP : RB_STAT_UDP]++;
	count_action(s, a->act, a->rcode);
	qps_advance(s, a->now);
	s->qps[a->now % RB_QPS_SLOTS]++;
	s->latency[b]++;
	s->counters[RB_STAT_LATENCY_US] += a->elapsed_us;
	write_end(&s->seq);
}

void
rb_stats_add(struct rb_stats_shm *s, enum rb_stat c, uint64_t n)
{
	write_begin(&s->seq);
	s->counters[c] += n;
	write_end(&s->seq);
}

void
rb_stats_log(struct rb_stats_shm *s, const uint8_t *name, size_t namelen,
    uint16_t qtype, enum rb_log_action act, const struct rb_ipaddr *client,
    int64_t now, uint32_t elapsed_us)
{
	struct rb_log_rec *r;

	if (s->log_cap == 0)
		return;
	r = &s->log[s->log_head % s->log_cap];
	write_begin(&r->seq);
	r->idx = s->log_head;
	r->qtype = qtype;
	r->action = (uint8_t)act;
	if (namelen > sizeof r->name)
		namelen = 0;
	r->namelen = (uint8_t)(namelen > 255 ? 255 : namelen);
	memcpy(r->name, name, r->namelen);
	r->ts = now;
	r->elapsed_us = elapsed_us;
	if (s->log_redact)
		memset(&r->client, 0, sizeof r->client);
	else
		r->client = *client;
	write_end(&r->seq);
	__atomic_store_n(&s->log_head, s->log_head + 1, __ATOMIC_RELEASE);
}

uint64_t
rb_stats_log_clear(struct rb_stats_shm *s)
{
	uint64_t head = s->log_head, kept = head - s->log_cleared;

	if (kept > s->log_cap)
		kept = s->log_cap;
	for (uint32_t i = 0; i < s->log_cap; i++) {
		write_begin(&s->log[i].seq);
		memset((char *)&s->log[i] + sizeof s->log[i].seq, 0,
		    sizeof s->log[i] - sizeof s->log[i].seq);
		write_end(&s->log[i].seq);
	}
	__atomic_store_n(&s->log_cleared, head, __ATOMIC_RELEASE);
	return kept;
}

void
rb_stats_set_data(struct rb_stats_shm *s, int which, uint64_t ino)
{
	write_begin(&s->seq);
	s->data_ino[which & 3] = ino;
	write_end(&s->seq);
}

void
rb_stats_ack_reload(struct rb_stats_shm *s, uint64_t nonce)
{
	write_begin(&s->seq);
	s->reload_done = nonce;
	write_end(&s->seq);
}

void
rb_stats_ack_clear(struct rb_stats_shm *s, uint64_t nonce, uint64_t deleted)
{
	write_begin(&s->seq);
	s->clear_deleted = deleted;
	s->clear_total += deleted;
	s->clear_done = nonce;
	write_end(&s->seq);
}

void
rb_stats_set_cache(struct rb_stats_shm *s, uint64_t entries)
{
	write_begin(&s->seq);
	s->cache_entries = entries;
	write_end(&s->seq);
}

void
rb_stats_set_upstream(struct rb_stats_shm *s, uint32_t i, uint32_t n,
    const struct rb_stats_upstream *u)
{
	if (i >= RB_UPSTREAM_MAX)
		return;
	write_begin(&s->seq);
	s->up[i] = *u;
	s->nupstreams = n < RB_UPSTREAM_MAX ? n : RB_UPSTREAM_MAX;
	write_end(&s->seq);
}

void
rb_stats_close(struct rb_stats_shm *s)
{
	if (s != NULL)
		munmap((void *)s, s->size);
}

const struct rb_stats_shm *
rb_stats_open(const char *root)
{
	char path[RB_PATH_MAX];
	struct stat st;
	struct rb_stats_shm *s;
	int fd;

	snprintf(path, sizeof path, "%s/run/stats.shm", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof *s) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	s = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED)
		return NULL;
	if (s->magic != RB_STATS_MAGIC || s->size != (uint32_t)st.st_size ||
	    s->log_cap > RB_LOG_MAX || shm_size(s->log_cap) != s->size) {
		munmap(s, (size_t)st.st_size);
		errno = EINVAL;
		return NULL;
	}
	return s;
}

void
rb_stats_snapshot(const struct rb_stats_shm *s, struct rb_stats_shm *out)
{
	uint32_t a, b;

	do {
		while ((a = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1)
			;
		memcpy(out, s, offsetof(struct rb_stats_shm, log_head));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		b = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	} while (a != b);
	out->log_head = __atomic_load_n(&s->log_head, __ATOMIC_ACQUIRE);
	out->log_cleared = __atomic_load_n(&s->log_cleared, __ATOMIC_ACQUIRE);
}

int
rb_stats_log_get(const struct rb_stats_shm *s, uint64_t index,
    struct rb_log_rec *out)
{
	const struct rb_log_rec *r;
	uint32_t a, b;

	if (s->log_cap == 0)
		return -1;
	r = &s->log[index % s->log_cap];
	a = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
	if (a & 1)
		return -1;
	memcpy(out, r, sizeof *out);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	b = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	if (a != b)
		return -1;
	/* Lapped or erased since the caller chose index. */
	if (out->idx != index ||
	    index < __atomic_load_n(&s->log_cleared, __ATOMIC_ACQUIRE))
		return -1;
	return 0;
}
