/*
 * json: the effective configuration as JSON, for rb-check and for
 * anyone who wants to see what the programs will read.  Keys are the
 * field names of struct rb_conf; yes/no fields are booleans; a string that
 * is absent is null.  Secrets are replaced by "***" when asked, so the
 * output can be pasted into a bug report.  Building keeps a sticky error:
 * each step is checked once, at the end.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf/conf.h"

/* Set key to v (a new reference, taken even on failure). */
static void
put(json_t *o, const char *key, json_t *v, int *err)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		*err = 1;
}

static void
append(json_t *a, json_t *v, int *err)
{
	if (v == NULL || json_array_append_new(a, v) < 0)
		*err = 1;
}

/* A JSON string of s; bytes of text that is not UTF-8 become '?'. */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char *t;

	if (j != NULL || s == NULL || (t = strdup(s)) == NULL)
		return j;
	for (char *p = t; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	j = json_string(t);
	free(t);
	return j;
}

static json_t *
str_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *
secret(const char *s, int redact)
{
	if (s == NULL)
		return json_null();
	return jstr(redact ? "***" : s);
}

static json_t *
strv(char *const *v, size_t n, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		append(a, jstr(v[i]), err);
	return a;
}

static json_t *
where(json_t *o, const char *file, int line, int *err)
{
	if (o == NULL)
		return NULL;
	put(o, "file", str_or_null(file), err);
	put(o, "line", json_integer(line), err);
	return o;
}

static json_t *
ifaces(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nifaces; i++) {
		append(a,
		    json_pack("{s:o, s:i, s:b}", "addr",
		        jstr(c->ifaces[i].addr), "port", c->ifaces[i].port,
		        "name", c->ifaces[i].name),
		    err);
	}
	return a;
}

static json_t *
notifies(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nalso_notify; i++) {
		append(a,
		    json_pack("{s:o, s:i}", "addr",
		        jstr(c->also_notify[i].addr), "port",
		        c->also_notify[i].port),
		    err);
	}
	return a;
}

static json_t *
acls(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nacls; i++) {
		append(a,
		    json_pack("{s:o, s:o}", "netblock",
		        jstr(c->acls[i].netblock), "action",
		        jstr(c->acls[i].action)),
		    err);
	}
	return a;
}

static json_t *
tcp_limits(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->ntcp_limits; i++) {
		append(a,
		    json_pack("{s:o, s:I}", "netblock",
		        jstr(c->tcp_limits[i].netblock), "limit",
		        (json_int_t)c->tcp_limits[i].limit),
		    err);
	}
	return a;
}

static json_t *
zones(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nzones; i++) {
		const struct rb_conf_zone *z = &c->zones[i];

		if (z->builtin)
			continue; /* what the config says, not unbound's */
		append(a,
		    where(json_pack("{s:o, s:o}", "name", jstr(z->name), "type",
		              jstr(z->type)),
		        z->file, z->line, err),
		    err);
	}
	return a;
}

static json_t *
data(const struct rb_conf_data *d, size_t n, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (d[i].builtin)
			continue;
		append(a,
		    where(json_pack("{s:o}", "text", jstr(d[i].text)),
		        d[i].file, d[i].line, err),
		    err);
	}
	return a;
}

static json_t *
fwd_zone(const struct rb_conf_fwd_zone *z, int *err)
{
	json_t *o = json_object(), *a = json_array();

	for (size_t i = 0; a && i < z->naddrs; i++) {
		const struct rb_conf_fwd_addr *x = &z->addrs[i];
		append(a,
		    json_pack("{s:o, s:i, s:o}", "addr", jstr(x->addr), "port",
		        x->port, "tls_name", str_or_null(x->tls_name)),
		    err);
	}
	if (o == NULL) {
		json_decref(a);
		return NULL;
	}
	put(o, "name", str_or_null(z->name), err);
	put(o, "tls_upstream", json_boolean(z->tls_upstream), err);
	put(o, "tls_hostname", str_or_null(z->tls_hostname), err);
	put(o, "addrs", a, err);
	return where(o, z->file, z->line, err);
}

static json_t *
fwd(const struct rb_conf *c, int *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nfwd; i++)
		append(a, fwd_zone(&c->fwd[i], err), err);
	return a;
}

static void
listen_part(json_t *o, const struct rb_conf *c, int *err)
{
	put(o, "path", str_or_null(c->path), err);
	put(o, "files", strv(c->files, c->nfiles, err), err);
	put(o, "interface", ifaces(c, err), err);
	put(o, "port", json_integer(c->port), err);
	put(o, "unblock_lan_zones", json_boolean(c->unblock_lan_zones), err);
	put(o, "do_ip4", json_boolean(c->do_ip4), err);
	put(o, "do_ip6", json_boolean(c->do_ip6), err);
	put(o, "do_udp", json_boolean(c->do_udp), err);
	put(o, "do_tcp", json_boolean(c->do_tcp), err);
	put(o, "access_control", acls(c, err), err);
	put(o, "rate_limit", json_integer(c->rate_limit), err);
	put(o, "incoming_num_tcp", json_integer(c->incoming_num_tcp), err);
	put(o, "tcp_idle_timeout", json_integer(c->tcp_idle_timeout), err);
	put(o, "tcp_connection_limit", tcp_limits(c, err), err);
	put(o, "cache_max_ttl", json_integer(c->cache_max_ttl), err);
	put(o, "cache_min_ttl", json_integer(c->cache_min_ttl), err);
	put(o, "private_address",
	    strv(c->private_addrs, c->nprivate_addrs, err), err);
	put(o, "private_domain",
	    strv(c->private_domains, c->nprivate_domains, err), err);
	put(o, "allow_transfer",
	    strv(c->allow_transfer, c->nallow_transfer, err), err);
	put(o, "also_notify", notifies(c, err), err);
	put(o, "local_zone", zones(c, err), err);
	put(o, "local_data", data(c->data, c->ndata, err), err);
	put(o, "local_data_ptr", data(c->ptrs, c->nptrs, err), err);
	put(o, "forward_zone", fwd(c, err), err);
}

static void
runbound_part(json_t *o, const struct rb_conf *c, int redact, int *err)
{
	put(o, "mode", json_string(rb_conf_mode_name(c->mode)), err);
	put(o, "sync_port", json_integer(c->sync_port), err);
	put(o, "sync_interface", json_string(rb_conf_sync_addr(c)), err);
	put(o, "sync_key", secret(c->sync_key, redact), err);
	put(o, "sync_master", str_or_null(c->sync_master), err);
	put(o, "sync_interval", json_integer(c->sync_interval), err);
	put(o, "api_port", json_integer(c->api_port), err);
	put(o, "log_retention", json_integer(c->log_retention), err);
	put(o, "log_client_ip", json_boolean(c->log_client_ip), err);
	put(o, "audit_log", json_boolean(c->audit_log), err);
	put(o, "audit_log_hmac_key", secret(c->audit_log_hmac_key, redact),
	    err);
	put(o, "dnssec_validation", json_boolean(c->dnssec_validation), err);
	put(o, "trust_anchor_file",
	    strv(c->trust_anchor_files, c->ntrust_anchor_files, err), err);
	put(o, "tls_cert_bundle", str_or_null(c->tls_cert_bundle), err);
	put(o, "verbosity", json_integer(c->verbosity), err);
	put(o, "logfile", str_or_null(c->logfile), err);
	put(o, "username", str_or_null(c->username), err);
	put(o, "journal_retention", json_integer(c->journal_retention), err);
	put(o, "feed_interval", json_integer(c->feed_interval), err);
	put(o, "feed_max_bytes", json_integer(c->feed_max_bytes), err);
	put(o, "feed_ca_file", str_or_null(c->feed_ca_file), err);
	put(o, "feed_allow_address", strv(c->feed_allow, c->nfeed_allow, err),
	    err);
}

char *
rb_conf_json(const struct rb_conf *c, int redact)
{
	json_t *o = json_object();
	char *s = NULL;
	int err = 0;

	if (o == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	listen_part(o, c, &err);
	runbound_part(o, c, redact, &err);
	if (!err)
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		errno = ENOMEM;
	return s;
}
