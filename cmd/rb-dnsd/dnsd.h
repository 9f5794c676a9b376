#ifndef RB_DNSD_H
#define RB_DNSD_H

/*
 * rb-dnsd's private state, shared by its files: main.c (options, startup,
 * the epoll loop, signals), setup.c (config, data maps, inotify,
 * privileges), listen.c (sockets), udp.c, tcp.c and serve.c (one query
 * through lib/answer/answer).  One thread; every buffer is allocated at
 * startup.
 */

#include <sys/socket.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "answer/acl.h"
#include "answer/answer.h"
#include "answer/cdbmap.h"
#include "answer/forward.h"
#include "answer/ratelimit.h"
#include "answer/tcplimit.h"
#include "conf/conf.h"
#include "prog/daemon.h"
#include "stats/stats.h"

struct dnsd;

/* A descriptor on the loop (libevent, level-triggered), with a callback
 * that gets EPOLLIN and EPOLLOUT bits.  Its event is made at the first
 * watch_add and reused after, so a TCP slot taken again allocates
 * nothing; a watch deleted is never called again, even for an event of
 * the same turn of the loop. */
struct event;
struct watch {
	int fd;
	struct event *ev;
	void (*cb)(struct dnsd *d, struct watch *w, uint32_t events);
};

/* Blocklist feeds mapped at once (rb-feed allows 100). */
#define DNSD_MAX_FEEDS 128

/* Sockets are bound before privileges are dropped and kept for life. */
#define DNSD_MAX_SOCKS 64

struct sock {
	struct watch w;
	int tcp;
	int family;
	int wildcard; /* bound to 0.0.0.0 or ::: reply from the query's
	                 destination address (IP_PKTINFO) */
	int paused;   /* TCP: accepting stopped at the connection cap */
	struct sockaddr_storage addr; /* what it is bound to */
};

struct tconn;
struct forward;

/* Where a query came from, so that a forwarded reply can follow later
 * (borrowed for the call to serve_query). */
struct origin {
	int tcp;
	int fd;                   /* UDP: the socket */
	int wildcard;             /* UDP: reply from the query's destination */
	const struct msghdr *msg; /* UDP: client address and pktinfo */
	size_t slot;              /* TCP: the connection slot ... */
	uint32_t gen;             /* ... and its generation */
};

/* A UDP client saved for a reply sent later (udp.c fills it). */
struct udp_dest {
	int fd;
	socklen_t peerlen;
	struct sockaddr_storage peer;
	size_t ctllen;
	uint64_t ctl[8]; /* IP_PKTINFO / IPV6_PKTINFO control message */
};

struct dnsd {
	struct rb_daemon dm; /* root, conf, verbose, the loop, stopping */
	char conf_path[PATH_MAX];
	char data_dir[PATH_MAX];

	struct rb_acl acl;
	struct rb_ratelimit rl;
	struct rb_cdbmap *local, *block;             /* the bases of data/ */
	struct rb_cdbmap *local_delta, *block_delta; /* and their deltas */
	struct rb_cdbmap *zones; /* data/zones.cdb (step 7) */
	char feeds_dir[PATH_MAX];
	int wd_feeds;
	size_t nfeeds;
	char feed_ids[DNSD_MAX_FEEDS][37];
	struct rb_cdbmap *feed_maps[DNSD_MAX_FEEDS];
	struct rb_cdbmap_gen *feed_gens[DNSD_MAX_FEEDS]; /* held per batch */
	int reload_pending; /* a re-map failed: retry on the next tick */

	struct event *tick;
	struct watch inotify;
	int wd_root, wd_data; /* inotify watches, -1 when absent */

	size_t nsocks;
	struct sock socks[DNSD_MAX_SOCKS];

	size_t tcp_max;       /* incoming-num-tcp: slots, fixed at start */
	uint64_t tcp_idle_ns; /* tcp-idle-timeout */
	size_t tcp_count;
	struct tconn *conns;    /* tcp_max slots */
	struct rb_tcplimit tcl; /* tcp-connection-limit, with live counts */

	struct rb_stats_shm *stats; /* run/stats.shm, written only here */
	char ctl_dir[PATH_MAX];     /* run/ctl: requests from rb-apid */
	char shm_path[PATH_MAX];    /* run/stats.shm, touched on change */
	int wd_ctl;
	int64_t now_sec; /* wall clock, refreshed once per batch */

	struct rb_forward *fwd;       /* step 8 (lib/answer/forward) */
	struct rb_fwdnames fwd_names; /* its zones, for step 6 */

	/* xfr.c: transfers (rb-axfr) and NOTIFY (rb-notify) */
	struct rb_acl xfr_acl; /* allow-transfer */
	char axfr_prog[PATH_MAX], notify_prog[PATH_MAX];
	size_t xfr_children; /* rb-axfr processes running */
	int also_notify;     /* also-notify has addresses */
	int notify_pid;      /* the running rb-notify, -1 when none */
	int notify_pending;  /* zones changed while it ran: run again */
	int notify_all;      /* the next run notifies every zone */
};

/* serve.c: the current data, held across one batch of queries. */
void serve_begin(struct dnsd *d, struct rb_answer_ctx *ctx);
void serve_end(struct dnsd *d, struct rb_answer_ctx *ctx);

/* Answer q from client from into out through steps 1-8; counts and logs
 * it (inform zones, every query with -v).  Returns RB_ANSWER_SEND,
 * RB_ANSWER_DROP, or RB_ANSWER_LATER when the query went upstream: the
 * reply comes through serve_deliver, to where o's save put it. */
enum rb_answer_verdict serve_query(struct dnsd *d,
    const struct rb_answer_ctx *ctx, const struct sockaddr *from,
    const struct rb_answer_query *q, struct rb_answer_buf *out,
    const struct origin *o);

/* Step 8's set-up and its hooks (serve.c): forwarding from d's config. */
int serve_forward_init(struct dnsd *d);

/* Monotonic time in nanoseconds, never 0. */
uint64_t now_ns(void);

/* main.c: register w for events (EPOLLIN...) or change them; watch_init
 * makes w's event ahead of its first use (TCP slots, at startup). */
int watch_init(struct dnsd *d, struct watch *w);
int watch_add(struct dnsd *d, struct watch *w, uint32_t events);
int watch_mod(struct dnsd *d, struct watch *w, uint32_t events);
void watch_del(struct dnsd *d, struct watch *w);

/* setup.c */
int setup_apply_conf(struct dnsd *d, const struct rb_conf *c);
void setup_map_data(struct dnsd *d);
void setup_reload_data(struct dnsd *d);
void setup_reload_conf(struct dnsd *d);
int setup_inotify(struct dnsd *d);

/* feeds.c: ROOT/feeds/<uuid>.set */
void feeds_rescan(struct dnsd *d);
void feeds_watch(struct dnsd *d);
void feeds_acquire(struct dnsd *d);
void feeds_release(struct dnsd *d);

/* account.c: run/stats.shm and run/ctl (see account.c). */
int account_init(struct dnsd *d);
int account_watch(struct dnsd *d);
void account_clock(struct dnsd *d);
void account_query(struct dnsd *d, const struct rb_answer_query *q,
    const struct rb_answer_info *info);
void account_data(struct dnsd *d);
void account_forward(struct dnsd *d, const struct rb_answer_query *q,
    const struct rb_answer_info *info, enum rb_log_action act);
void account_ctl(struct dnsd *d);
int unlink_ctl_leftovers(const struct dnsd *d);

/* listen.c: bind every interface of c; exits 100/111 on failure. */
void listen_all(struct dnsd *d, const struct rb_conf *c);

/* udp.c */
void udp_event(struct dnsd *d, struct watch *w, uint32_t events);
void udp_dest_save(struct udp_dest *u, const struct origin *o);
void udp_send_later(const struct udp_dest *u, const uint8_t *pkt, size_t len);

/* tcp.c */
int tcp_init(struct dnsd *d);
/* The tcp-connection-limit table of c into *t (caller-owned, empty);
 * -1 with the reason logged. */
int tcp_build_limits(const struct rb_conf *c, struct rb_tcplimit *t);
/* Take c's idle timeout and the table t (emptied), recounting the live
 * connections; an incoming-num-tcp other than the running one is logged
 * as needing a restart. */
void tcp_apply_conf(struct dnsd *d, const struct rb_conf *c,
    struct rb_tcplimit *t);
void tcp_accept_event(struct dnsd *d, struct watch *w, uint32_t events);
void tcp_sweep(struct dnsd *d, uint64_t now);
void tcp_stop(struct dnsd *d);
void tcp_resume_accept(struct dnsd *d);
/* The reply to a query of connection slot (generation gen) that went
 * upstream; len 0 when there is none, which closes the connection. */
void tcp_send_later(struct dnsd *d, size_t slot, uint32_t gen,
    const uint8_t *pkt, size_t len);

/* xfr.c: zone transfers and NOTIFY through child programs (see xfr.c). */
int xfr_init(struct dnsd *d);
int xfr_apply_conf(struct dnsd *d, const struct rb_conf *c);
/* Does the framed query heading in (inlen bytes) from client ask for a
 * transfer that rb-axfr takes over? */
int xfr_wants_tcp(const struct dnsd *d, const uint8_t *in, size_t inlen,
    const struct rb_ipaddr *client);
/* A transfer query heads in (inlen bytes, framed) on connection fd from
 * client: 1 when handed to rb-axfr (close the connection), else 0. */
int xfr_tcp(struct dnsd *d, int fd, const uint8_t *in, size_t inlen,
    const struct rb_ipaddr *client);
/* zones.cdb is newly mapped: NOTIFY every zone (all) or the changed ones. */
void xfr_notify(struct dnsd *d, int all);
/* SIGCHLD: collect ended children. */
void xfr_reap(struct dnsd *d);

/* probe.c: upstream health in run/stats.shm (see probe.c). */
int probe_init(struct dnsd *d);
void probe_tick(struct dnsd *d, uint64_t now);
void probe_reload(struct dnsd *d);

#endif
