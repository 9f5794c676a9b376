/*
 * server: the directives of server:.  Each value is checked where it
 * is read, so an error names the line that holds it: yes/no, integer
 * ranges, ports, addresses, interface names (their syntax only: whether
 * one exists is rb-dnsd's concern), netblocks, domain names, access-control
 * actions, local-zone types, and local-data and local-data-ptr, which
 * must parse as rb-data parses them (lib/wire/rr: TTL 3600, names
 * relative to the root, host-name rules for owners).  A directive
 * given twice keeps its last value, as in unbound; list directives append.
 * What depends on several directives (interface ports, mode: slave's need
 * for sync-master) waits for rb_conf_forward_finish in conf/forward.c.
 */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "wire/dname.h"
#include "wire/rr.h"

static const char *const acl_actions[] = { "deny", "refuse", "allow",
	"allow_setrd", "allow_snoop", "deny_non_local", "refuse_non_local",
	NULL };

static const char *const zone_types[] = { "deny", "refuse", "static",
	"transparent", "typetransparent", "redirect", "inform", "inform_deny",
	"inform_redirect", "nodefault", "always_transparent", "always_refuse",
	"always_nxdomain", "noview", NULL };

/* An interface name as Linux allows it (1..15 bytes, no '/', ':' or
 * blank, not "." or ".."), and not digits and dots alone, which are a
 * mistyped IPv4 address rather than a name. */
static int
iface_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strpbrk(s, "/: \t") != NULL)
		return 0;
	return strspn(s, "0123456789.") != n;
}

static int
d_interface(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;
	char *s = strdup(l->args[0].s);
	int port, name;

	if (s == NULL)
		return rb_conf_nomem(ps, l);
	if (rb_conf_value_at_port(ps, l, s, &port) < 0)
		goto fail;
	name = rb_conf_value_address(s) == 0;
	if (name && !iface_name(s)) {
		rb_conf_err(ps, l,
		    "%s: '%s' is not an IP address or an "
		    "interface name",
		    l->key, s);
		goto fail;
	}
	if (rb_conf_grow((void **)&c->ifaces, c->nifaces, sizeof *c->ifaces) <
	    0) {
		rb_conf_nomem(ps, l);
		goto fail;
	}
	c->ifaces[c->nifaces].addr = s;
	c->ifaces[c->nifaces].name = name;
	c->ifaces[c->nifaces++].port = port;
	return 0;
fail:
	free(s);
	return -1;
}

/* tcp-idle-timeout: msec.  unbound's parser holds the value within
 * 1..120000; so do we, with a warning. */
static int
d_tcp_idle_timeout(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	const char *v = l->args[0].s;
	char msg[160];
	long ms;

	if (rb_conf_value_number(v, 0, INT32_MAX, &ms) < 0)
		return rb_conf_err(ps, l,
		    "tcp-idle-timeout: '%s' is not a "
		    "number of milliseconds in 0..%ld",
		    v, (long)INT32_MAX);
	ps->c->tcp_idle_timeout = ms < 1 ? 1 : ms > 120000 ? 120000 : ms;
	if (ps->c->tcp_idle_timeout != ms && ps->warn != NULL) {
		snprintf(msg, sizeof msg,
		    "tcp-idle-timeout: %ld is taken as "
		    "%ld, as unbound does",
		    ms, ps->c->tcp_idle_timeout);
		ps->warn(ps->ctx, l->file, l->line, msg);
	}
	return 0;
}

/* tcp-connection-limit: netblock limit */
static int
d_tcp_connection_limit(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;
	char *nb;
	long limit;
	int bad;

	nb = rb_conf_value_netblock(l->args[0].s, &bad);
	if (bad)
		return rb_conf_err(ps, l,
		    "tcp-connection-limit: '%s' is not a "
		    "netblock",
		    l->args[0].s);
	if (nb == NULL)
		return rb_conf_nomem(ps, l);
	if (rb_conf_value_number(l->args[1].s, 0, INT32_MAX, &limit) < 0) {
		free(nb);
		return rb_conf_err(ps, l,
		    "tcp-connection-limit: '%s' is not a "
		    "number in 0..%ld",
		    l->args[1].s, (long)INT32_MAX);
	}
	if (rb_conf_grow((void **)&c->tcp_limits, c->ntcp_limits,
	        sizeof *c->tcp_limits) < 0) {
		free(nb);
		return rb_conf_nomem(ps, l);
	}
	c->tcp_limits[c->ntcp_limits].netblock = nb;
	c->tcp_limits[c->ntcp_limits++].limit = limit;
	return 0;
}

static int
d_access_control(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;
	const char *act = l->args[1].s;
	char *nb, *a;
	int bad;

	if (!rb_conf_value_one_of(act, acl_actions))
		return rb_conf_err(ps, l,
		    "access-control: unknown action "
		    "'%s' (deny, refuse, allow, allow_setrd, allow_snoop, "
		    "deny_non_local, refuse_non_local)",
		    act);
	nb = rb_conf_value_netblock(l->args[0].s, &bad);
	if (bad)
		return rb_conf_err(ps, l,
		    "access-control: '%s' is not a "
		    "netblock",
		    l->args[0].s);
	a = strdup(act);
	if (nb == NULL || a == NULL ||
	    rb_conf_grow((void **)&c->acls, c->nacls, sizeof *c->acls) < 0) {
		free(nb);
		free(a);
		return rb_conf_nomem(ps, l);
	}
	c->acls[c->nacls].netblock = nb;
	c->acls[c->nacls++].action = a;
	return 0;
}

static int
d_private_address(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	int bad;
	char *nb = rb_conf_value_netblock(l->args[0].s, &bad);

	if (bad)
		return rb_conf_err(ps, l,
		    "private-address: '%s' is not a "
		    "netblock",
		    l->args[0].s);
	return rb_conf_value_push_str(ps, l, &ps->c->private_addrs,
	    &ps->c->nprivate_addrs, nb);
}

/* allow-transfer: a netblock that may ask for AXFR and IXFR. */
static int
d_allow_transfer(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	int bad;
	char *nb = rb_conf_value_netblock(l->args[0].s, &bad);

	if (bad)
		return rb_conf_err(ps, l,
		    "allow-transfer: '%s' is not an "
		    "address or netblock",
		    l->args[0].s);
	return rb_conf_value_push_str(ps, l, &ps->c->allow_transfer,
	    &ps->c->nallow_transfer, nb);
}

/* also-notify: ip[@port], told by NOTIFY when a zone changes. */
static int
d_also_notify(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;
	char *s = strdup(l->args[0].s);
	int port;

	if (s == NULL)
		return rb_conf_nomem(ps, l);
	if (rb_conf_value_at_port(ps, l, s, &port) < 0)
		goto fail;
	if (rb_conf_value_address(s) == 0) {
		rb_conf_err(ps, l, "also-notify: '%s' is not an IP address", s);
		goto fail;
	}
	if (rb_conf_grow((void **)&c->also_notify, c->nalso_notify,
	        sizeof *c->also_notify) < 0) {
		rb_conf_nomem(ps, l);
		goto fail;
	}
	c->also_notify[c->nalso_notify].addr = s;
	c->also_notify[c->nalso_notify++].port = port ? port : 53;
	return 0;
fail:
	free(s);
	return -1;
}

static int
d_private_domain(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	char *name = rb_conf_value_domain(ps, l, l->args[0].s);

	if (name == NULL)
		return -1;
	return rb_conf_value_push_str(ps, l, &ps->c->private_domains,
	    &ps->c->nprivate_domains, name);
}

/* trust-anchor-file: as unbound's (repeatable); rb-dnsd reads it.  So is
 * an auto-trust-anchor-file (Debian's default): read, never written, so
 * without RFC 5011's updates (doc/runbound.conf.md). */
static int
d_trust_anchor_file(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	return rb_conf_value_push_str(ps, l, &ps->c->trust_anchor_files,
	    &ps->c->ntrust_anchor_files, strdup(l->args[0].s));
}

static int
d_local_zone(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;
	struct rb_conf_zone *z;
	const char *type = l->args[1].s;
	char *name, *t;

	if (!rb_conf_value_one_of(type, zone_types))
		return rb_conf_err(ps, l, "local-zone: unknown type '%s'",
		    type);
	name = rb_conf_value_domain(ps, l, l->args[0].s);
	if (name == NULL)
		return -1;
	t = strdup(type);
	if (t == NULL ||
	    rb_conf_grow((void **)&c->zones, c->nzones, sizeof *c->zones) < 0) {
		free(name);
		free(t);
		return rb_conf_nomem(ps, l);
	}
	z = &c->zones[c->nzones++];
	z->name = name;
	z->type = t;
	z->file = l->file;
	z->line = l->line;
	z->builtin = 0;
	return 0;
}

/* The value of local-data and local-data-ptr: one quoted string, or, as a
 * convenience, the rest of the line as written. */
static char *
text_value(const struct rb_conf_line *l)
{
	const struct rb_conf_tok *a = &l->args[0], *z = &l->args[l->nargs - 1];

	if (l->nargs == 1)
		return strdup(a->s);
	return strndup(l->raw + a->start, z->end - a->start);
}

static int
push_data(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    struct rb_conf_data **v, size_t *n, char *text)
{
	if (rb_conf_grow((void **)v, *n, sizeof **v) < 0) {
		free(text);
		return rb_conf_nomem(ps, l);
	}
	(*v)[*n].text = text;
	(*v)[*n].file = l->file;
	(*v)[*n].builtin = 0;
	(*v)[(*n)++].line = l->line;
	return 0;
}

/* 0 when text is one record as rb-data reads it (lib/wire/rr: the same
 * parser decides, so what loads here builds), else -1 with e set. */
static int
check_rr(const char *text, struct rb_err *e)
{
	struct rb_rr rr;

	if (rb_rr_parse_line(text, &rr, e) < 0)
		return -1;
	rb_rr_fini(&rr);
	return 0;
}

static int
d_local_data(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_err e = { 0 };
	char *text = text_value(l);

	if (text == NULL)
		return rb_conf_nomem(ps, l);
	if (check_rr(text, &e) < 0) {
		rb_conf_err(ps, l, "local-data: invalid record '%s': %s", text,
		    e.details);
		free(text);
		return -1;
	}
	return push_data(ps, l, &ps->c->data, &ps->c->ndata, text);
}

/* "addr name" or "addr ttl name", as unbound's local-data-ptr takes. */
static int
check_ptr(struct rb_conf_ps *ps, const struct rb_conf_line *l, char *text)
{
	char *f[4], *save = NULL, *name;
	size_t n = 0;
	long ttl;

	for (char *t = strtok_r(text, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == 4)
			break;
		f[n++] = t;
	}
	if (n < 2 || n > 3)
		return rb_conf_err(ps, l,
		    "local-data-ptr: expected \"address "
		    "[ttl] name\"");
	if (rb_conf_value_address(f[0]) == 0)
		return rb_conf_err(ps, l,
		    "local-data-ptr: '%s' is not an IP "
		    "address",
		    f[0]);
	if (n == 3 && rb_conf_value_number(f[1], 0, INT32_MAX, &ttl) < 0)
		return rb_conf_err(ps, l, "local-data-ptr: '%s' is not a TTL",
		    f[1]);
	name = rb_conf_value_domain(ps, l, f[n - 1]);
	free(name);
	return name == NULL ? -1 : 0;
}

static int
d_local_data_ptr(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	char *text = text_value(l), *copy;
	struct rb_err e = { 0 };
	struct rb_rr rr;
	int r;

	if (text == NULL || (copy = strdup(text)) == NULL) {
		free(text);
		return rb_conf_nomem(ps, l);
	}
	r = check_ptr(ps, l, copy);
	free(copy);
	if (r == 0 && rb_rr_parse_ptr(text, &rr, &e) < 0)
		r = rb_conf_err(ps, l, "local-data-ptr: invalid '%s': %s", text,
		    e.details);
	else if (r == 0)
		rb_rr_fini(&rr);
	if (r < 0) {
		free(text);
		return -1;
	}
	return push_data(ps, l, &ps->c->ptrs, &ps->c->nptrs, text);
}

static int
d_mode(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	const char *v = l->args[0].s;

	if (strcmp(v, "master") == 0)
		ps->c->mode = RB_MODE_MASTER;
	else if (strcmp(v, "slave") == 0)
		ps->c->mode = RB_MODE_SLAVE;
	else
		return rb_conf_err(ps, l,
		    "mode: expected master or slave, got '%s'", v);
	ps->mode_file = l->file;
	ps->mode_line = l->line;
	return 0;
}

/* The host part of sync-master: an IPv6 address inside brackets, else an
 * IPv4 address or a host name. */
static int
valid_host(const char *host, int bracket)
{
	uint8_t wire[RB_DNAME_MAX];
	const char *why;

	if (bracket)
		return rb_conf_value_address(host) == AF_INET6;
	if (strchr(host, ':') != NULL)
		return 0;
	return rb_conf_value_address(host) == AF_INET ||
	    rb_dname_from_text(host, wire, &why) >= 0;
}

/* sync-interface: the IP address rb-syncd's master listens on. */
static int
d_sync_interface(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	struct rb_conf *c = ps->c;

	if (rb_conf_value_address(l->args[0].s) == 0)
		return rb_conf_err(ps, l,
		    "sync-interface: '%s' is not an IP "
		    "address",
		    l->args[0].s);
	if (c->sync_interface != NULL)
		return rb_conf_err(ps, l,
		    "sync-interface: given twice (one "
		    "address)");
	if ((c->sync_interface = strdup(l->args[0].s)) == NULL)
		return rb_conf_nomem(ps, l);
	return 0;
}

/* sync-master: "ip:port", "[ipv6]:port" or "host:port". */
static int
d_sync_master(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	const char *v = l->args[0].s, *colon = strrchr(v, ':');
	char host[256], *m;
	size_t n;
	long port;
	int bracket = 0;

	if (colon == NULL ||
	    rb_conf_value_number(colon + 1, 1, 65535, &port) < 0)
		return rb_conf_err(ps, l,
		    "sync-master: expected host:port, "
		    "got '%s'",
		    v);
	n = (size_t)(colon - v);
	if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		v++;
		n -= 2;
		bracket = 1;
	}
	if (n == 0 || n >= sizeof host)
		return rb_conf_err(ps, l, "sync-master: invalid host in '%s'",
		    l->args[0].s);
	memcpy(host, v, n);
	host[n] = '\0';
	if (!valid_host(host, bracket))
		return rb_conf_err(ps, l,
		    "sync-master: invalid host '%s' (use "
		    "[addr]:port for IPv6)",
		    host);
	m = strdup(l->args[0].s);
	if (m == NULL)
		return rb_conf_nomem(ps, l);
	free(ps->c->sync_master);
	ps->c->sync_master = m;
	return 0;
}

/* feed-ca-file: an absolute path, "" for the system's CAs.  Whether it
 * exists is the fetcher's concern: a feed reports it in last_error. */
static int
d_feed_ca_file(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	const char *v = l->args[0].s;
	char *s = NULL;

	if (v[0] != '\0' && v[0] != '/')
		return rb_conf_err(ps, l,
		    "feed-ca-file: '%s' is not an "
		    "absolute path",
		    v);
	if (v[0] != '\0' && (s = strdup(v)) == NULL)
		return rb_conf_nomem(ps, l);
	free(ps->c->feed_ca_file);
	ps->c->feed_ca_file = s;
	return 0;
}

static int
d_feed_allow_address(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	int bad;
	char *nb = rb_conf_value_netblock(l->args[0].s, &bad);

	if (bad)
		return rb_conf_err(ps, l,
		    "feed-allow-address: '%s' is not an "
		    "address or netblock",
		    l->args[0].s);
	return rb_conf_value_push_str(ps, l, &ps->c->feed_allow,
	    &ps->c->nfeed_allow, nb);
}

#define OFF(field) offsetof(struct rb_conf, field)

static const struct rb_conf_directive server[] = {
	{ "interface", RB_CONF_FN, 0, 0, 0, d_interface, 1 },
	/* unbound's alias of interface: (from nsd.conf) */
	{ "ip-address", RB_CONF_FN, 0, 0, 0, d_interface, 1 },
	{ "port", RB_CONF_INT, OFF(port), 1, 65535, NULL, 1 },
	{ "unblock-lan-zones", RB_CONF_BOOL, OFF(unblock_lan_zones), 0, 0, NULL,
	    1 },
	{ "do-ip4", RB_CONF_BOOL, OFF(do_ip4), 0, 0, NULL, 1 },
	{ "do-ip6", RB_CONF_BOOL, OFF(do_ip6), 0, 0, NULL, 1 },
	{ "do-udp", RB_CONF_BOOL, OFF(do_udp), 0, 0, NULL, 1 },
	{ "do-tcp", RB_CONF_BOOL, OFF(do_tcp), 0, 0, NULL, 1 },
	{ "access-control", RB_CONF_FN, 0, 0, 0, d_access_control, 2 },
	{ "rate-limit", RB_CONF_LONG, OFF(rate_limit), 0, 1000000, NULL, 1 },
	{ "incoming-num-tcp", RB_CONF_LONG, OFF(incoming_num_tcp), 0, 65536,
	    NULL, 1 },
	{ "tcp-idle-timeout", RB_CONF_FN, 0, 0, 0, d_tcp_idle_timeout, 1 },
	{ "tcp-connection-limit", RB_CONF_FN, 0, 0, 0, d_tcp_connection_limit,
	    2 },
	{ "cache-max-ttl", RB_CONF_LONG, OFF(cache_max_ttl), 0, INT32_MAX, NULL,
	    1 },
	{ "cache-min-ttl", RB_CONF_LONG, OFF(cache_min_ttl), 0, INT32_MAX, NULL,
	    1 },
	{ "private-address", RB_CONF_FN, 0, 0, 0, d_private_address, 1 },
	{ "allow-transfer", RB_CONF_FN, 0, 0, 0, d_allow_transfer, 1 },
	{ "also-notify", RB_CONF_FN, 0, 0, 0, d_also_notify, 1 },
	{ "private-domain", RB_CONF_FN, 0, 0, 0, d_private_domain, 1 },
	{ "local-zone", RB_CONF_FN, 0, 0, 0, d_local_zone, 2 },
	{ "local-data", RB_CONF_FN, 0, 0, 0, d_local_data, 0 },
	{ "local-data-ptr", RB_CONF_FN, 0, 0, 0, d_local_data_ptr, 0 },
	{ "mode", RB_CONF_FN, 0, 0, 0, d_mode, 1 },
	{ "sync-port", RB_CONF_INT, OFF(sync_port), 0, 65535, NULL, 1 },
	{ "sync-interface", RB_CONF_FN, 0, 0, 0, d_sync_interface, 1 },
	{ "sync-key", RB_CONF_STR, OFF(sync_key), 0, 0, NULL, 1 },
	{ "sync-master", RB_CONF_FN, 0, 0, 0, d_sync_master, 1 },
	{ "sync-interval", RB_CONF_LONG, OFF(sync_interval), 1, 86400, NULL,
	    1 },
	{ "api-port", RB_CONF_INT, OFF(api_port), 1, 65535, NULL, 1 },
	{ "api-connections-per-address", RB_CONF_LONG, OFF(api_addr_cap), 0,
	    65536, NULL, 1 },
	{ "log-retention", RB_CONF_LONG, OFF(log_retention), 0, 10000, NULL,
	    1 },
	{ "log-client-ip", RB_CONF_BOOL, OFF(log_client_ip), 0, 0, NULL, 1 },
	{ "audit-log", RB_CONF_BOOL, OFF(audit_log), 0, 0, NULL, 1 },
	{ "audit-log-hmac-key", RB_CONF_STR, OFF(audit_log_hmac_key), 0, 0,
	    NULL, 1 },
	{ "dnssec-validation", RB_CONF_BOOL, OFF(dnssec_validation), 0, 0, NULL,
	    1 },
	{ "trust-anchor-file", RB_CONF_FN, 0, 0, 0, d_trust_anchor_file, 1 },
	{ "auto-trust-anchor-file", RB_CONF_FN, 0, 0, 0, d_trust_anchor_file,
	    1 },
	{ "tls-cert-bundle", RB_CONF_OPTSTR, OFF(tls_cert_bundle), 0, 0, NULL,
	    1 },
	{ "verbosity", RB_CONF_INT, OFF(verbosity), 0, 5, NULL, 1 },
	{ "logfile", RB_CONF_OPTSTR, OFF(logfile), 0, 0, NULL, 1 },
	{ "username", RB_CONF_OPTSTR, OFF(username), 0, 0, NULL, 1 },
	{ "journal-retention", RB_CONF_LONG, OFF(journal_retention), 1,
	    1000000000, NULL, 1 },
	{ "feed-interval", RB_CONF_LONG, OFF(feed_interval), 1, 31536000, NULL,
	    1 },
	{ "feed-max-bytes", RB_CONF_LONG, OFF(feed_max_bytes), 1024,
	    2147483648L, NULL, 1 },
	{ "feed-ca-file", RB_CONF_FN, 0, 0, 0, d_feed_ca_file, 1 },
	{ "feed-allow-address", RB_CONF_FN, 0, 0, 0, d_feed_allow_address, 1 },
	{ NULL, RB_CONF_FN, 0, 0, 0, NULL, 0 },
};

int
rb_conf_server(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	for (const struct rb_conf_directive *d = server; d->name != NULL; d++) {
		if (strcmp(l->key, d->name) == 0)
			return rb_conf_value_apply(ps, l, d);
	}
	if (rb_conf_names_server(l->key) || rb_conf_names_runbound(l->key))
		return rb_conf_ignored(ps, l, l->key);
	return rb_conf_err(ps, l, "unknown directive '%s'", l->key);
}
