#ifndef RB_SYNCD_MASTER_H
#define RB_SYNCD_MASTER_H

/*
 * The master: one libevent loop serving HTTPS (evhttp over
 * bufferevent_openssl).  master.c owns the listener, the connection cap,
 * signals and the inotify watch on journal/; serve.c answers requests and
 * keeps the long polls (waiters) that the watch wakes.
 */

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "base/ipaddr.h"
#include "http/conns.h"
#include "sync/tls.h"

#include "syncd.h"

#define CONN_MAX 256     /* connections at once (slaves, probes) */
#define SOURCE_MAX 32    /* ... from one address (slaves behind a NAT) */
#define REQUEST_MS 10000 /* to send a whole request, TLS included */
#define HTTP_TIMEOUT 60  /* idle seconds; above the longest poll */
#define CERT_RATE 10     /* GET /sync/cert per source ... */
#define CERT_WINDOW 60   /* ... per this many seconds */
#define RATE_SLOTS 256
#define BUSY_RETRY_MS 20 /* a snapshot waiting for a writer */
#define BUSY_GIVEUP_MS 10000
#define SPOOL_PER_SEC 10 /* auth_failure spool files a second */

struct waiter;

struct rate_slot {
	struct rb_ipaddr ip;
	int64_t start;
	unsigned n;
};

struct master {
	struct syncd *d;
	struct evhttp *http;
	struct rb_sync_tls tls;
	unsigned char key_md[32];   /* SHA-256 of sync-key */
	struct rb_http_conns conns; /* .draining: SIGTERM came */
	struct event *reinit_ev, *ino_ev;
	int inofd, wd_journal, wd_root;
	int changed; /* on_inotify: the journal moved */
	struct waiter *waiters;
	size_t nwaiters;
	struct rate_slot rate[RATE_SLOTS];
	uint64_t auth_failures;
	int64_t spool_sec;
	unsigned spool_n;
};

/* serve.c */
void serve_request(struct evhttp_request *req, void *arg);
void serve_wake(struct master *m);  /* the journal changed */
void serve_flush(struct master *m); /* answer every waiter now */
void serve_set_key(struct master *m, const char *key);

/* master.c */
void master_reinit_journal(struct master *m);

#endif
