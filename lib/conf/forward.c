/*
 * forward: the forward-zone: clause, and the checks that wait until
 * every file is read.  A forward-zone: line opens a zone (conf.c); name,
 * forward-addr, forward-tls-upstream (alias forward-ssl-upstream) and
 * forward-tls-hostname fill it, and unbound's other forward-zone options
 * are accepted and ignored.  forward-addr's port depends on
 * forward-tls-upstream, which may come later in the clause, so ports are
 * settled in rb_conf_forward_finish, as are the default interface and the port
 * of interfaces given without @port.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"
#include "wire/dname.h"

static int
f_name(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf_fwd_zone *z = &ps->c->fwd[ps->fzi];
	char *name;

	if (z->name != NULL)
		return rb_conf_err(ps, l,
		    "name: forward-zone already named "
		    "'%s'",
		    z->name);
	name = rb_conf_value_domain(ps, l, l->args[0].s);
	if (name == NULL)
		return -1;
	z->name = name;
	return 0;
}

/* forward-addr: ip[@port][#tls-name] */
static int
f_addr(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf_fwd_zone *z = &ps->c->fwd[ps->fzi];
	struct rb_conf_fwd_addr *a;
	char *s = strdup(l->args[0].s), *hash, *tls = NULL;
	uint8_t wire[RB_DNAME_MAX];
	const char *why = NULL;
	int port;

	if (s == NULL)
		return rb_conf_nomem(ps, l);
	hash = strchr(s, '#');
	if (hash != NULL) {
		*hash++ = '\0';
		if (rb_dname_from_text(hash, wire, &why) < 0) {
			rb_conf_err(ps, l,
			    "forward-addr: invalid TLS name "
			    "'%s': %s",
			    hash, why);
			goto fail;
		}
	}
	if (rb_conf_value_at_port(ps, l, s, &port) < 0)
		goto fail;
	if (rb_conf_value_address(s) == 0) {
		rb_conf_err(ps, l, "forward-addr: '%s' is not an IP address",
		    s);
		goto fail;
	}
	if ((hash != NULL && (tls = strdup(hash)) == NULL) ||
	    rb_conf_grow((void **)&z->addrs, z->naddrs, sizeof *z->addrs) < 0) {
		rb_conf_nomem(ps, l);
		goto fail;
	}
	a = &z->addrs[z->naddrs++];
	a->addr = s;
	a->port = port;
	a->tls_name = tls;
	return 0;
fail:
	free(tls);
	free(s);
	return -1;
}

static int
f_tls_upstream(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	return rb_conf_value_yesno(ps, l, &ps->c->fwd[ps->fzi].tls_upstream);
}

static int
f_tls_hostname(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf_fwd_zone *z = &ps->c->fwd[ps->fzi];
	uint8_t wire[RB_DNAME_MAX];
	const char *why = NULL;
	char *s;

	if (rb_dname_from_text(l->args[0].s, wire, &why) < 0)
		return rb_conf_err(ps, l,
		    "forward-tls-hostname: invalid name "
		    "'%s': %s",
		    l->args[0].s, why);
	s = strdup(l->args[0].s);
	if (s == NULL)
		return rb_conf_nomem(ps, l);
	free(z->tls_hostname);
	z->tls_hostname = s;
	return 0;
}

static const struct rb_conf_directive forward[] = {
	{ "name", RB_CONF_FN, 0, 0, 0, f_name, 1 },
	{ "forward-addr", RB_CONF_FN, 0, 0, 0, f_addr, 1 },
	{ "forward-tls-upstream", RB_CONF_FN, 0, 0, 0, f_tls_upstream, 1 },
	{ "forward-ssl-upstream", RB_CONF_FN, 0, 0, 0, f_tls_upstream, 1 },
	{ "forward-tls-hostname", RB_CONF_FN, 0, 0, 0, f_tls_hostname, 1 },
	{ NULL, RB_CONF_FN, 0, 0, 0, NULL, 0 },
};

int
rb_conf_forward(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	const struct rb_conf_directive *d;

	for (d = forward; d->name != NULL; d++) {
		if (strcmp(l->key, d->name) == 0)
			return rb_conf_value_apply(ps, l, d);
	}
	if (rb_conf_names_forward(l->key))
		return rb_conf_ignored(ps, l, l->key);
	return rb_conf_err(ps, l,
	    "unknown directive '%s' in forward-zone:", l->key);
}

static int
by_name(const void *a, const void *b)
{
	const struct rb_conf_fwd_zone *x = *(
	    const struct rb_conf_fwd_zone *const *)a;
	const struct rb_conf_fwd_zone *y = *(
	    const struct rb_conf_fwd_zone *const *)b;
	int r = strcasecmp(x->name, y->name);

	if (r != 0)
		return r;
	return x < y ? -1 : x > y;
}

/* Every forward-zone has a name, an address, and a name no other has. */
static int
check_forward(struct rb_conf_ps *ps)
{
	struct rb_conf *c = ps->c;
	struct rb_conf_fwd_zone **v;
	struct rb_conf_line at = { 0 };
	int rc = 0;

	for (size_t i = 0; i < c->nfwd; i++) {
		struct rb_conf_fwd_zone *z = &c->fwd[i];

		at.file = z->file;
		at.line = z->line;
		if (z->name == NULL)
			return rb_conf_err(ps, &at,
			    "forward-zone: missing "
			    "name:");
		if (z->naddrs == 0)
			return rb_conf_err(ps, &at,
			    "forward-zone '%s': no "
			    "forward-addr:",
			    z->name);
		for (size_t j = 0; j < z->naddrs; j++) {
			if (z->addrs[j].port == 0)
				z->addrs[j].port = z->tls_upstream ? 853 : 53;
		}
	}
	if (c->nfwd < 2)
		return 0;
	v = calloc(c->nfwd, sizeof *v);
	if (v == NULL)
		return rb_conf_nomem(ps, NULL);
	for (size_t i = 0; i < c->nfwd; i++)
		v[i] = &c->fwd[i];
	qsort(v, c->nfwd, sizeof *v, by_name);
	for (size_t i = 1; i < c->nfwd && rc == 0; i++) {
		if (strcasecmp(v[i - 1]->name, v[i]->name) != 0)
			continue;
		at.file = v[i]->file;
		at.line = v[i]->line;
		rc = rb_conf_err(ps, &at,
		    "duplicate forward-zone '%s' (first "
		    "at %s:%d)",
		    v[i]->name, v[i - 1]->file, v[i - 1]->line);
	}
	free(v);
	return rc;
}

int
rb_conf_forward_finish(struct rb_conf_ps *ps)
{
	struct rb_conf *c = ps->c;
	struct rb_conf_line at = { .file = ps->mode_file,
		.line = ps->mode_line };

	if (c->nifaces == 0) {
		c->ifaces = calloc(1, sizeof *c->ifaces);
		if (c->ifaces == NULL ||
		    (c->ifaces[0].addr = strdup("0.0.0.0")) == NULL)
			return rb_conf_nomem(ps, NULL);
		c->nifaces = 1;
	}
	for (size_t i = 0; i < c->nifaces; i++) {
		if (c->ifaces[i].port == 0)
			c->ifaces[i].port = c->port;
	}
	if (check_forward(ps) < 0)
		return -1;
	/* As unbound: an anchor turns validation on, unless told not to. */
	if (c->dnssec_validation < 0)
		c->dnssec_validation = c->ntrust_anchor_files > 0;
	if (c->mode == RB_MODE_SLAVE && c->sync_master == NULL)
		return rb_conf_err(ps, &at,
		    "mode: slave requires "
		    "sync-master:");
	return 0;
}
