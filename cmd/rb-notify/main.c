/*
 * rb-notify: tell secondaries that zones changed (RFC 1996; doc/rb-notify.md).
 * rb-dnsd starts it each time it maps a new data/zones.cdb.  For every
 * zone of that file whose serial differs from the one recorded in
 * ROOT/run/notify/serials by the previous run (every zone with -a), it
 * sends a NOTIFY to each also-notify address over UDP and retries, 1, 2,
 * 4 and 8 s apart, until a response with the same ID, opcode and zone
 * arrives or 5 tries went unanswered.  At most WINDOW notifications per
 * secondary are in flight at once, so that a rollback of thousands of
 * zones neither floods a secondary nor scans every job for each response,
 * and a secondary that stays silent for SILENT_MAX notifications in a row
 * is told no more (it finds the changes at its next refresh), so that it
 * cannot hold up a run for long.  Then it records the serials of every
 * zone and exits.
 *
 *   rb-notify: info: notify zone=example.com. serial=7 to=127.0.0.1@5301
 * rcode=0 tries=1
 */

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "conf/conf.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "wire/dname.h"
#include "zone/notify.h"
#include "zone/zonedb.h"

#define TRIES 5
#define WINDOW 256    /* notifications in flight at once, per secondary */
#define SILENT_MAX 16 /* given up on in a row: the secondary is not there */

struct zone {
	struct rb_zonedb_rr soa; /* points into the open zones.cdb */
	uint32_t serial;
	char name[4 * RB_DNAME_MAX + 2];
	int changed;
};

struct job;

struct peer {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 8];
	size_t started,
	    end; /* its jobs not yet started: n.jobs[started..end) */
	struct job *act[WINDOW]; /* in flight (done ones until slid) */
	size_t nact;
	unsigned silent; /* jobs given up on since its last response */
	int fd;          /* its own socket, so that a window of responses
	                    fits the receive buffer; -1 until the first send */
};

struct job {
	const struct zone *z;
	struct peer *p;
	uint16_t id;
	int tries, done;
	int64_t next_ms;
};

static struct {
	char root[PATH_MAX];
	int all;
	struct zone *zones;
	size_t nzones, cap;
	struct peer *peers;
	size_t npeers;
	struct job *jobs;
	size_t njobs, open;
	struct pollfd *pf; /* one per secondary */
} n;

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print("usage: rb-notify [-d ROOT] [-a] [-v]\n", help));
}

/* also-notify from runbound.conf, as socket addresses. */
static void
load_peers(void)
{
	char path[PATH_MAX + 16], msg[1024], port[8];
	struct rb_diag d = { 0 };
	struct rb_conf *c;

	if (snprintf(path, sizeof path, "%s/runbound.conf", n.root) >=
	    (int)sizeof path)
		rb_die(100, "state root path too long");
	c = access(path, F_OK) < 0 && errno == ENOENT ?
	    rb_conf_default() :
	    rb_conf_load(path, &d, NULL, NULL);
	if (c == NULL)
		rb_die(100, "%s", rb_diag_str(&d, msg, sizeof msg));
	n.peers = calloc(c->nalso_notify + 1, sizeof *n.peers);
	n.pf = calloc(c->nalso_notify + 1, sizeof *n.pf);
	if (n.peers == NULL || n.pf == NULL)
		rb_die(111, "out of memory");
	for (size_t i = 0; i < c->nalso_notify; i++) {
		struct addrinfo hints = { .ai_flags = AI_NUMERICHOST |
			    AI_NUMERICSERV,
			.ai_socktype = SOCK_DGRAM },
		                *ai;
		struct peer *p = &n.peers[n.npeers];
		snprintf(port, sizeof port, "%d", c->also_notify[i].port);
		if (getaddrinfo(c->also_notify[i].addr, port, &hints, &ai) != 0)
			rb_die(100, "also-notify: bad address '%s'",
			    c->also_notify[i].addr);
		memcpy(&p->sa, ai->ai_addr, ai->ai_addrlen);
		p->len = ai->ai_addrlen;
		freeaddrinfo(ai);
		snprintf(p->text, sizeof p->text, "%s@%d",
		    c->also_notify[i].addr, c->also_notify[i].port);
		p->fd = -1;
		n.npeers++;
	}
	rb_conf_free(c);
}

static int
add_zone(void *arg, const struct rb_zonedb_rr *soa)
{
	struct zone *z;

	if (n.nzones == n.cap) {
		size_t cap = n.cap ? 2 * n.cap : 16;
		struct zone *v = reallocarray(n.zones, cap, sizeof *v);
		if (v == NULL)
			rb_die(111, "out of memory");
		n.zones = v;
		n.cap = cap;
	}
	z = &n.zones[n.nzones];
	z->soa = *soa;
	if (rb_zonedb_serial(soa->rdata, soa->rdlen, &z->serial) < 0 ||
	    rb_dname_to_text(soa->owner, z->name, sizeof z->name) < 0)
		return 0; /* not a SOA: skip it */
	z->changed = n.all;
	n.nzones++;
	return 0;
}

static int
zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zone *)a)->name,
	    ((const struct zone *)b)->name);
}

/* Mark the zones whose serial differs from run/notify/serials.  The
 * zones are sorted by name first, so that each line costs a search. */
static void
compare_state(const char *path)
{
	size_t len;
	char *text = rb_file_read(path, 1 << 24, &len), *line, *save = NULL;

	for (size_t i = 0; i < n.nzones; i++)
		n.zones[i].changed = 1;
	if (n.nzones > 0)
		qsort(n.zones, n.nzones, sizeof *n.zones, zone_cmp);
	if (text == NULL) {
		if (errno != ENOENT)
			rb_warn("unable to read %s: %s (notifying every zone)",
			    path, strerror(errno));
		return;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' '), *end;
		struct zone key, *z;
		unsigned long s;
		if (sp == NULL || sp - line >= (ptrdiff_t)sizeof key.name)
			continue;
		*sp = '\0';
		s = strtoul(sp + 1, &end, 10);
		memcpy(key.name, line, (size_t)(sp - line) + 1);
		if (*end == '\0' && n.nzones > 0 &&
		    (z = bsearch(&key, n.zones, n.nzones, sizeof *n.zones,
		         zone_cmp)) != NULL &&
		    z->serial == s)
			z->changed = 0;
	}
	free(text);
}

/* Record every zone's serial for the next run. */
static void
save_state(const char *dir, const char *path)
{
	size_t size = n.nzones * (sizeof n.zones[0].name + 12) + 1, len = 0;
	char *buf = malloc(size);

	if (buf == NULL)
		rb_die(111, "out of memory");
	/* Each line fits its share of size: snprintf cannot truncate. */
	for (size_t i = 0; i < n.nzones; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s %u\n",
		    n.zones[i].name, n.zones[i].serial);
	/* Without it the next run only notifies too much: not fatal. */
	if (rb_file_mkdirs(dir, 0755) < 0 ||
	    rb_atomic_replace(path, buf, len, 0644) < 0)
		rb_warn("unable to write %s: %s (the next run notifies every "
		        "zone)",
		    path, strerror(errno));
	free(buf);
}

static int
sock_for(struct peer *p)
{
	if (p->fd < 0) {
		p->fd = socket(p->sa.ss_family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->fd < 0)
			rb_die(111, "unable to open a UDP socket: %s",
			    strerror(errno));
	}
	return p->fd;
}

static void
send_one(struct job *j, int64_t now)
{
	uint8_t pkt[512 + 2 * RB_DNAME_MAX];
	size_t len;

	if (j->tries == TRIES) {
		rb_warn("notify zone=%s serial=%u to=%s: no response after %d "
		        "tries",
		    j->z->name, j->z->serial, j->p->text, TRIES);
		j->p->silent++;
		j->done = 1;
		n.open--;
		return;
	}
	/* One ID for every try: a late response to any of them counts. */
	if (j->tries == 0 &&
	    getrandom(&j->id, sizeof j->id, 0) != (ssize_t)sizeof j->id)
		j->id = (uint16_t)(now ^ (int64_t)(j - n.jobs));
	len = rb_notify_query(pkt, sizeof pkt, j->id, &j->z->soa);
	if (len == 0 ||
	    sendto(sock_for(j->p), pkt, len, 0,
	        (const struct sockaddr *)&j->p->sa, j->p->len) < 0)
		rb_debug("notify zone=%s to=%s: send: %s", j->z->name,
		    j->p->text, len ? strerror(errno) : "too big");
	j->next_ms = now + (1000 << j->tries);
	j->tries++;
}

/* Same address and port? */
static int
same_peer(const struct sockaddr_storage *a, const struct peer *p)
{
	const struct sockaddr_in *a4 = (const void *)a,
	                         *p4 = (const void *)&p->sa;
	const struct sockaddr_in6 *a6 = (const void *)a,
	                          *p6 = (const void *)&p->sa;

	if (a->ss_family != p->sa.ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return a4->sin_port == p4->sin_port &&
		    a4->sin_addr.s_addr == p4->sin_addr.s_addr;
	return a6->sin6_port == p6->sin6_port &&
	    memcmp(&a6->sin6_addr, &p6->sin6_addr, sizeof a6->sin6_addr) == 0;
}

/* A response from peer p: the job in its window it answers, if any. */
static void
answer(struct peer *p, const uint8_t *pkt, size_t len)
{
	for (size_t i = 0; i < p->nact; i++) {
		struct job *j = p->act[i];
		int rc;
		if (j->done ||
		    (rc = rb_notify_response(pkt, len, j->id, j->z->soa.owner,
		         j->z->soa.olen)) < 0)
			continue;
		rb_log(rc == 0 ? RB_LOG_INFO : RB_LOG_WARNING,
		    "notify zone=%s serial=%u to=%s rcode=%d tries=%d",
		    j->z->name, j->z->serial, p->text, rc, j->tries);
		j->done = 1;
		n.open--;
		p->silent = 0;
		return;
	}
}

/* Match each response waiting on p's socket to the job it answers. */
static void
receive(struct peer *p)
{
	uint8_t pkt[4096];
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	ssize_t len;

	while ((len = recvfrom(p->fd, pkt, sizeof pkt, 0,
	            (struct sockaddr *)&from, &fl)) >= 0) {
		if (same_peer(&from, p))
			answer(p, pkt, (size_t)len);
		fl = sizeof from;
	}
}

/* A silent secondary: its jobs not yet started are given up at once. */
static void
skip_rest(struct peer *p)
{
	if (p->started == p->end)
		return;
	rb_warn("notify to=%s: %u notifications in a row unanswered, "
	        "skipping %zu more",
	    p->text, p->silent, p->end - p->started);
	for (; p->started < p->end; p->started++) {
		n.jobs[p->started].done = 1;
		n.open--;
	}
}

/* Drop p's finished jobs from its window and fill it up again. */
static void
slide(struct peer *p)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nact; i++) {
		if (!p->act[i]->done)
			p->act[k++] = p->act[i];
	}
	p->nact = k;
	if (p->silent >= SILENT_MAX)
		skip_rest(p);
	while (p->nact < WINDOW && p->started < p->end)
		p->act[p->nact++] = &n.jobs[p->started++];
}

/* Send what is due in p's window; the time the next is due, or now when
 * a place in it is free for a job not yet started. */
static int64_t
send_due(struct peer *p, int64_t now)
{
	int64_t next = INT64_MAX;

	slide(p);
	for (size_t i = 0; i < p->nact; i++) {
		struct job *j = p->act[i];
		if (!j->done && j->next_ms <= now)
			send_one(j, now);
		if (j->done && p->started < p->end)
			next = now; /* gave up: the next one may start */
		else if (!j->done && j->next_ms < next)
			next = j->next_ms;
	}
	return next;
}

/* Send what is due, then wait for responses until the next is due. */
static void
run(void)
{
	while (n.open > 0) {
		int64_t now = rb_clock_ms(), next = INT64_MAX;
		int wait; /* ms: at most 8 s, the longest retry gap */

		for (size_t k = 0; k < n.npeers; k++) {
			int64_t t = send_due(&n.peers[k], now);
			if (t < next)
				next = t;
		}
		if (n.open == 0)
			break;
		/* After the sends: they open the sockets (poll skips -1). */
		for (size_t k = 0; k < n.npeers; k++)
			n.pf[k] = (struct pollfd){ n.peers[k].fd, POLLIN, 0 };
		wait = next - now > 0 ? (int)(next - now) : 0;
		if (poll(n.pf, n.npeers, wait) < 0 && errno != EINTR)
			rb_die(111, "poll: %s", strerror(errno));
		for (size_t k = 0; k < n.npeers; k++) {
			if (n.pf[k].revents & POLLIN)
				receive(&n.peers[k]);
		}
	}
}

static void
make_jobs(void)
{
	size_t changed = 0;

	for (size_t i = 0; i < n.nzones; i++)
		changed += n.zones[i].changed != 0;
	n.jobs = calloc(changed * n.npeers + 1, sizeof *n.jobs);
	if (n.jobs == NULL)
		rb_die(111, "out of memory");
	for (size_t k = 0; k < n.npeers; k++) {
		struct peer *p = &n.peers[k];
		p->started = n.njobs;
		for (size_t i = 0; i < n.nzones; i++) {
			if (!n.zones[i].changed)
				continue;
			n.jobs[n.njobs].z = &n.zones[i];
			n.jobs[n.njobs++].p = p;
		}
		p->end = n.njobs;
	}
	n.open = n.njobs;
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX + 32], run_dir[PATH_MAX + 8], state[PATH_MAX + 32];
	const char *root = NULL;
	struct rb_zonedb *db;
	struct rb_err e = { 0 };
	int opt, verbose = 0;

	rb_log_init("rb-notify", 0);
	while ((opt = rb_usage_getopt(argc, argv, "ad:vh")) != -1) {
		switch (opt) {
		case 'a':
			n.all = 1;
			break;
		case 'd':
			root = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(opt == 'h');
		}
	}
	if (optind != argc)
		usage(0);
	rb_log_init("rb-notify", verbose);
	if (rb_command_root(root, n.root, sizeof n.root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (snprintf(path, sizeof path, "%s/data/zones.cdb", n.root) >=
	        (int)sizeof path ||
	    snprintf(run_dir, sizeof run_dir, "%s/run/notify", n.root) >=
	        (int)sizeof run_dir ||
	    snprintf(state, sizeof state, "%s/serials", run_dir) >=
	        (int)sizeof state)
		rb_die(100, "state root path too long");
	load_peers();
	db = rb_zonedb_open(path);
	if (db == NULL && errno != ENOENT)
		rb_die(111, "unable to open %s: %s", path, strerror(errno));
	if (db != NULL && rb_zonedb_zones(db, add_zone, NULL) < 0)
		rb_die(111, "%s is damaged", path);
	if (!n.all)
		compare_state(state);
	make_jobs();
	run();
	save_state(run_dir, state);
	rb_zonedb_close(db);
	free(n.zones);
	free(n.jobs);
	for (size_t k = 0; k < n.npeers; k++) {
		if (n.peers[k].fd >= 0)
			(void)close(n.peers[k].fd); /* nothing to flush */
	}
	free(n.peers);
	free(n.pf);
	return 0;
}
