#ifndef RB_ANSWER_FWD_H
#define RB_ANSWER_FWD_H

/*
 * fwd: the upstream resolver, libunbound in thread mode behind a small
 * interface, so that rb-dnsd sees a file descriptor, a request it owns and
 * a callback with wire bytes; libunbound's types stay in fwd.c.  The
 * context is configured from a file (run/unbound.conf, lib/answer/fwdconf).
 * Results arrive on rb_fwd_fd; rb_fwd_process runs the callbacks in the
 * caller's thread.
 */

#include <stddef.h>
#include <stdint.h>

struct rb_fwd;

struct rb_fwd_result {
	int err;            /* 0, or the query failed (no answer) */
	const uint8_t *pkt; /* the answer, ID 0 (borrowed for the call) */
	size_t len;
	int secure, bogus;     /* DNSSEC verdict; both 0: insecure or off */
	const char *why_bogus; /* borrowed, may be NULL */
};

/* A request, owned by the caller (embed it in a larger slot).  done runs
 * exactly once, from rb_fwd_process, unless the request is cancelled or
 * the context freed. */
struct rb_fwd_req {
	void (*done)(struct rb_fwd_req *req, const struct rb_fwd_result *r);
	int id; /* libunbound's, while pending */
};

/* A context configured from the unbound.conf at conf_path.  NULL on
 * failure, with a message in err (errlen bytes). */
struct rb_fwd *rb_fwd_new(const char *conf_path, char *err, size_t errlen);

/* Free f; pending requests are dropped without their callbacks. */
void rb_fwd_free(struct rb_fwd *f);

/* Readable when results are waiting. */
int rb_fwd_fd(const struct rb_fwd *f);

/* Run the callbacks of every result that has arrived.  0, or -1. */
int rb_fwd_process(struct rb_fwd *f);

/* Ask for name (presentation form), type, class IN; req (borrowed until
 * done runs or it is cancelled) gets the answer.  0, or -1. */
int rb_fwd_resolve(struct rb_fwd *f, const char *name, uint16_t type,
    struct rb_fwd_req *req);

/* Forget a pending request: its callback will not run. */
void rb_fwd_cancel(struct rb_fwd *f, struct rb_fwd_req *req);

#endif
