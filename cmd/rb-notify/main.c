/*
 * rb-notify: tell secondaries that zones changed (RFC 1996; doc/rb-notify.md).
 * rb-dnsd starts it each time it maps a new data/zones.cdb.  For every
 * zone of that file whose serial differs from the one recorded in
 * ROOT/run/notify/serials by the previous run (every zone with -a), it
 * sends a NOTIFY to each also-notify address over UDP and retries, 1, 2,
 * 4 and 8 s apart, until a response with the same ID, opcode and zone
 * arrives or 5 tries went unanswered.  At most WINDOW notifications are
 * in flight at once, so that a rollback of thousands of zones neither
 * floods the secondaries nor scans every job for each response.  Then it
 * records the serials of every zone and exits.
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

#include "atomic.h"
#include "conf.h"
#include "dname.h"
#include "log.h"
#include "notify.h"
#include "root.h"
#include "zonedb.h"

#define TRIES 5
#define WINDOW 256 /* notifications in flight at once */

struct zone {
	struct rb_zonedb_rr soa; /* points into the open zones.cdb */
	uint32_t serial;
	char name[4 * RB_DNAME_MAX + 2];
	int changed;
};

struct peer {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 8];
};

struct job {
	const struct zone *z;
	const struct peer *p;
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
	struct job *act[WINDOW]; /* in flight (done ones until compacted) */
	size_t nact, started;	 /* jobs[0..started) have been in flight */
	int fd4, fd6;
} n = {.fd4 = -1, .fd6 = -1};

static void
usage(void)
{
	rb_die(100, "usage: rb-notify [-d ROOT] [-a] [-v]");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail */
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* also-notify from runbound.conf, as socket addresses. */
static void
load_peers(void)
{
	char path[PATH_MAX + 16], msg[1024], port[8];
	struct rb_diag d = {0};
	struct rb_conf *c;

	if (snprintf(path, sizeof path, "%s/runbound.conf", n.root) >=
	    (int)sizeof path)
		rb_die(100, "state root path too long");
	c = access(path, F_OK) < 0 && errno == ENOENT
	    ? rb_conf_default()
	    : rb_conf_load(path, &d, NULL, NULL);
	if (c == NULL)
		rb_die(100, "%s", rb_diag_str(&d, msg, sizeof msg));
	n.peers = calloc(c->nalso_notify + 1, sizeof *n.peers);
	if (n.peers == NULL)
		rb_die(111, "out of memory");
	for (size_t i = 0; i < c->nalso_notify; i++) {
		struct addrinfo hints = {.ai_flags =
		                             AI_NUMERICHOST | AI_NUMERICSERV,
		                    .ai_socktype = SOCK_DGRAM},
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
	if (rb_mkdirs(dir, 0755) < 0 ||
	    rb_file_replace(path, buf, len, 0644) < 0)
		rb_warn("unable to write %s: %s (the next run notifies every "
		        "zone)",
		    path, strerror(errno));
	free(buf);
}

static int
sock_for(int family)
{
	int *fd = family == AF_INET6 ? &n.fd6 : &n.fd4;

	if (*fd < 0) {
		*fd = socket(
		    family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (*fd < 0)
			rb_die(111, "unable to open a UDP socket: %s",
			    strerror(errno));
	}
	return *fd;
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
	    sendto(sock_for(j->p->sa.ss_family), pkt, len, 0,
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

/* Match one response to the job it answers. */
static void
receive(int fd)
{
	uint8_t pkt[4096];
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	ssize_t len;

	while ((len = recvfrom(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&from,
	            &fl)) >= 0) {
		for (size_t i = 0; i < n.nact; i++) {
			struct job *j = n.act[i];
			int rc;
			if (j->done || !same_peer(&from, j->p) ||
			    (rc = rb_notify_response(pkt, (size_t)len, j->id,
			         j->z->soa.owner, j->z->soa.olen)) < 0)
				continue;
			rb_log(rc == 0 ? RB_LOG_INFO : RB_LOG_WARNING,
			    "notify zone=%s "
			    "serial=%u to=%s rcode=%d tries=%d",
			    j->z->name, j->z->serial, j->p->text, rc, j->tries);
			j->done = 1;
			n.open--;
			break;
		}
		fl = sizeof from;
	}
}

/* Drop the finished jobs from the window and fill it up again. */
static void
slide(void)
{
	size_t k = 0;

	for (size_t i = 0; i < n.nact; i++) {
		if (!n.act[i]->done)
			n.act[k++] = n.act[i];
	}
	n.nact = k;
	while (n.nact < WINDOW && n.started < n.njobs)
		n.act[n.nact++] = &n.jobs[n.started++];
}

/* Send what is due, then wait for responses until the next is due. */
static void
run(void)
{
	while (n.open > 0) {
		int64_t now = now_ms(), next = INT64_MAX;
		struct pollfd pf[2];

		slide();
		for (size_t i = 0; i < n.nact; i++) {
			struct job *j = n.act[i];
			if (!j->done && j->next_ms <= now)
				send_one(j, now);
			if (!j->done && j->next_ms < next)
				next = j->next_ms;
		}
		if (n.open == 0)
			break;
		/* A job that gave up frees its place for the next one. */
		for (size_t i = 0; n.started < n.njobs && i < n.nact; i++) {
			if (n.act[i]->done)
				next = now;
		}
		/* After the sends: they open the sockets. */
		pf[0] = (struct pollfd){n.fd4, POLLIN, 0};
		pf[1] = (struct pollfd){n.fd6, POLLIN, 0};
		if (poll(pf, 2, (int)(next - now > 0 ? next - now : 0)) < 0 &&
		    errno != EINTR)
			rb_die(111, "poll: %s", strerror(errno));
		if (n.fd4 >= 0 && (pf[0].revents & POLLIN))
			receive(n.fd4);
		if (n.fd6 >= 0 && (pf[1].revents & POLLIN))
			receive(n.fd6);
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
	for (size_t i = 0; i < n.nzones; i++) {
		for (size_t k = 0; n.zones[i].changed && k < n.npeers; k++) {
			n.jobs[n.njobs].z = &n.zones[i];
			n.jobs[n.njobs++].p = &n.peers[k];
		}
	}
	n.open = n.njobs;
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX + 32], run_dir[PATH_MAX + 8], state[PATH_MAX + 32];
	const char *root = NULL;
	struct rb_zonedb *db;
	int opt, verbose = 0;

	rb_log_init("rb-notify", 0);
	while ((opt = getopt(argc, argv, "ad:v")) != -1) {
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
			usage();
		}
	}
	if (optind != argc)
		usage();
	rb_log_init("rb-notify", verbose);
	if (rb_root_resolve(root, n.root, sizeof n.root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
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
	free(n.peers);
	return 0;
}
