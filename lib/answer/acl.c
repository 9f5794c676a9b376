/*
 * acl: access-control by longest prefix.  The list is kept sorted by
 * prefix length, longest first, so a lookup is a scan that stops at the
 * first match; configs hold tens of netblocks, where a scan beats a trie.
 * Addresses are in rb_ipaddr's mapped form, so an IPv4 rule matches a
 * client seen as ::ffff:a.b.c.d.  Only rb_acl_add allocates.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer/acl.h"

static const struct {
	const char *name;
	enum rb_acl_action action;
} actions[] = {
	{ "allow", RB_ACL_ALLOW },
	{ "deny", RB_ACL_DENY },
	{ "refuse", RB_ACL_REFUSE },
	{ "allow_snoop", RB_ACL_ALLOW_SNOOP },
	{ "allow_setrd", RB_ACL_ALLOW },
	{ "allow_cookie", RB_ACL_ALLOW },
	{ "deny_non_local", RB_ACL_DENY_NON_LOCAL },
	{ "refuse_non_local", RB_ACL_REFUSE_NON_LOCAL },
};

void
rb_acl_init(struct rb_acl *acl)
{
	acl->n = 0;
	acl->cap = 0;
	acl->v = NULL;
}

void
rb_acl_fini(struct rb_acl *acl)
{
	free(acl->v);
	rb_acl_init(acl);
}

static int
insert(struct rb_acl *acl, const struct rb_acl_entry *e)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		if (acl->v[i].prefix == e->prefix &&
		    memcmp(&acl->v[i].net, &e->net, sizeof e->net) == 0)
			return 0; /* the first line for a netblock wins */
	}
	if (acl->n == acl->cap) {
		size_t cap = acl->cap ? acl->cap * 2 : 16;
		struct rb_acl_entry *v = reallocarray(acl->v, cap, sizeof *v);
		if (v == NULL)
			return -1;
		acl->v = v;
		acl->cap = cap;
	}
	/* Keep longest prefixes first; equal prefixes keep config order. */
	for (i = acl->n; i > 0 && acl->v[i - 1].prefix < e->prefix; i--)
		acl->v[i] = acl->v[i - 1];
	acl->v[i] = *e;
	acl->n++;
	return 0;
}

int
rb_acl_add(struct rb_acl *acl, const char *netblock, const char *action,
    struct rb_diag *d)
{
	struct rb_acl_entry e;
	size_t i;

	for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (strcmp(action, actions[i].name) == 0)
			break;
	}
	if (i == sizeof actions / sizeof actions[0]) {
		rb_diag_set(d, NULL, 0, "unknown access-control action '%s'",
		    action);
		errno = EINVAL;
		return -1;
	}
	e.action = actions[i].action;
	if (rb_ipaddr_parse_net(netblock, &e.net, &e.prefix) < 0) {
		rb_diag_set(d, NULL, 0, "invalid access-control netblock '%s'",
		    netblock);
		errno = EINVAL;
		return -1;
	}
	if (insert(acl, &e) < 0) {
		rb_diag_set(d, NULL, 0, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
rb_acl_add_defaults(struct rb_acl *acl)
{
	static const struct {
		const char *net, *action;
	} defs[] = {
		{ "127.0.0.0/8", "allow" },
		{ "::1", "allow" },
		{ "0.0.0.0/0", "refuse" },
		{ "::/0", "refuse" },
	};
	struct rb_diag d;

	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		if (rb_acl_add(acl, defs[i].net, defs[i].action, &d) < 0)
			return -1;
	}
	return 0;
}

enum rb_acl_action
rb_acl_lookup(const struct rb_acl *acl, const struct rb_ipaddr *a)
{
	for (size_t i = 0; i < acl->n; i++) {
		if (rb_ipaddr_in_net(a, &acl->v[i].net, acl->v[i].prefix))
			return acl->v[i].action;
	}
	return RB_ACL_REFUSE;
}

const char *
rb_acl_action_name(enum rb_acl_action action)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (actions[i].action == action)
			return actions[i].name;
	}
	return "?";
}
