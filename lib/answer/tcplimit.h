#ifndef RB_ANSWER_TCPLIMIT_H
#define RB_ANSWER_TCPLIMIT_H

/*
 * tcp-connection-limit: at most limit simultaneous TCP connections from
 * the addresses of a netblock, as unbound counts them: the longest
 * matching netblock decides, and its entry holds one count shared by every
 * address inside it.  Built at startup and on reload; taking and releasing
 * a connection does not allocate.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/ipaddr.h"

struct rb_tcplimit_entry {
	struct rb_ipaddr net;
	int prefix;     /* 0..128, IPv4 counted from 96 */
	uint32_t limit; /* connections allowed at once; 0 = none */
	uint32_t count; /* connections open now */
};

/* Entries sorted by prefix, longest first: the first match is the longest
 * prefix. */
struct rb_tcplimit {
	size_t n, cap;
	struct rb_tcplimit_entry *v;
};

/* rb_tcplimit_take's answers besides an entry index. */
#define RB_TCPLIMIT_NONE (-1) /* no netblock matches: not limited */
#define RB_TCPLIMIT_FULL (-2) /* the netblock is at its limit */

/* Start an empty table in caller-owned storage; release with
 * rb_tcplimit_fini. */
void rb_tcplimit_init(struct rb_tcplimit *t);

/* Free what rb_tcplimit_add allocated; the table is empty again. */
void rb_tcplimit_fini(struct rb_tcplimit *t);

/* Add "netblock" with limit (0..UINT32_MAX).  A netblock already listed
 * keeps its first limit, as in unbound.  Returns 0, or -1 with d filled
 * (file and line left to the caller) and errno EINVAL or ENOMEM. */
int rb_tcplimit_add(struct rb_tcplimit *t, const char *netblock, long limit,
    struct rb_diag *d);

/* The index of the longest netblock holding a, or RB_TCPLIMIT_NONE. */
long rb_tcplimit_lookup(const struct rb_tcplimit *t, const struct rb_ipaddr *a);

/* Count a new connection from a.  Returns the index of the entry now
 * counting it (give it back to rb_tcplimit_release), RB_TCPLIMIT_NONE when
 * no netblock holds a (nothing counted), or RB_TCPLIMIT_FULL when its
 * netblock is at its limit (nothing counted: close the connection). */
long rb_tcplimit_take(struct rb_tcplimit *t, const struct rb_ipaddr *a);

/* Count an existing connection from a whatever the limit (after a reload
 * rebuilt the table).  Returns the entry index or RB_TCPLIMIT_NONE. */
long rb_tcplimit_recount(struct rb_tcplimit *t, const struct rb_ipaddr *a);

/* A connection counted by entry idx closed; idx < 0 does nothing. */
void rb_tcplimit_release(struct rb_tcplimit *t, long idx);

#endif
