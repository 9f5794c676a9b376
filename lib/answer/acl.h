#ifndef RB_ANSWER_ACL_H
#define RB_ANSWER_ACL_H

/*
 * access-control: netblock -> action, longest prefix wins, as unbound
 * decides.  Built at startup and on reload from runbound.conf; looked up
 * once per query without allocating.
 */

#include <stddef.h>

#include "base/diag.h"
#include "base/ipaddr.h"

enum rb_acl_action {
	RB_ACL_REFUSE,           /* answer REFUSED */
	RB_ACL_DENY,             /* drop silently */
	RB_ACL_ALLOW,            /* allow, allow_setrd, allow_cookie */
	RB_ACL_ALLOW_SNOOP,      /* allow, also without RD */
	RB_ACL_DENY_NON_LOCAL,   /* local answers only, drop the rest */
	RB_ACL_REFUSE_NON_LOCAL, /* local answers only, refuse the rest */
};

struct rb_acl_entry {
	struct rb_ipaddr net;
	int prefix; /* 0..128, IPv4 counted from 96 */
	enum rb_acl_action action;
};

/* Entries sorted by prefix, longest first, so the first match is the
 * longest prefix. */
struct rb_acl {
	size_t n, cap;
	struct rb_acl_entry *v;
};

/* Start an empty list in caller-owned storage; release with rb_acl_fini. */
void rb_acl_init(struct rb_acl *acl);

/* Free what rb_acl_add allocated; the list is empty again. */
void rb_acl_fini(struct rb_acl *acl);

/* Add "netblock action" as access-control: writes it.  A netblock already
 * listed keeps its first action.  Returns 0, or -1 with d filled (file and
 * line are left to the caller) and errno EINVAL or ENOMEM. */
int rb_acl_add(struct rb_acl *acl, const char *netblock, const char *action,
    struct rb_diag *d);

/* Add unbound's defaults under whatever was configured: 127.0.0.0/8 and
 * ::1 allow; 0.0.0.0/0 and ::/0 refuse.  (unbound's ::ffff:127.0.0.1 is
 * 127.0.0.1 here.)  Returns 0 or -1 (ENOMEM). */
int rb_acl_add_defaults(struct rb_acl *acl);

/* The action for client a: the longest matching prefix; REFUSE when
 * nothing matches. */
enum rb_acl_action rb_acl_lookup(const struct rb_acl *acl,
    const struct rb_ipaddr *a);

/* The access-control keyword of an action ("allow", "deny", ...). */
const char *rb_acl_action_name(enum rb_acl_action action);

#endif
