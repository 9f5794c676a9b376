/*
 * h_admin: the configuration and administration endpoints: /config (the
 * sanitised view: no key of any kind), /reload (validate, rebuild data,
 * journal config_reload, then have rb-dnsd re-read its config),
 * /rotate-key, /tls and /audit/tail.  Events that change no list
 * (config_reload, key_rotate, logs_clear) still go through a transaction
 * so they are journalled, in order, with everything else.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "audit/files.h"
#include "audit/line.h"
#include "conf/defzones.h"
#include "base/log.h"
#include "base/path.h"
#include "state/store.h"
#include "state/txn.h"
#include "sys/root.h"

#define TAIL_MAX (16u << 20) /* bytes of audit.log read at most */

int
apid_journal(struct apid *a, const char *event, json_t *fields,
    struct rb_err *e)
{
	struct rb_txn t;

	if (rb_txn_begin(&t, a->dm.root, e) < 0) {
		json_decref(fields);
		return -1;
	}
	if (rb_txn_event(&t, event, fields, e) < 0 ||
	    rb_txn_commit(&t, e) < 0) {
		rb_txn_end(&t);
		return -1;
	}
	rb_txn_end(&t);
	return 0;
}

/* --- GET /config ------------------------------------------------------ */

static json_t *
str_array(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* "addr", "addr@port" when the port is not the default, "#name" after. */
static json_t *
addr_text(const char *addr, int port, int dflt, const char *name)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s", addr);
	if (port != dflt)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "@%d",
		    port);
	if (name != NULL)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "#%s",
		    name);
	return json_string(buf);
}

static json_t *
conf_ifaces(const struct rb_conf *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < c->nifaces; i++)
		json_array_append_new(a,
		    addr_text(c->ifaces[i].addr, c->ifaces[i].port, c->port,
		        NULL));
	return a;
}

static json_t *
conf_forwards(const struct rb_conf *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < c->nfwd; i++) {
		const struct rb_conf_fwd_zone *z = &c->fwd[i];
		json_t *addrs = json_array();

		for (size_t k = 0; addrs != NULL && k < z->naddrs; k++)
			json_array_append_new(addrs,
			    addr_text(z->addrs[k].addr, z->addrs[k].port, 53,
			        z->addrs[k].tls_name));
		json_array_append_new(a,
		    json_pack("{s:s, s:o*, s:b}", "name", z->name, "addrs",
		        addrs, "tls", z->tls_upstream));
	}
	return a;
}

static json_t *
conf_acls(const struct rb_conf *c)
{
	json_t *a = json_array();
	char buf[512];

	for (size_t i = 0; a != NULL && i < c->nacls; i++) {
		snprintf(buf, sizeof buf, "%s %s", c->acls[i].netblock,
		    c->acls[i].action);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

void
h_config(struct rq *r)
{
	const struct rb_conf *c = r->a->dm.conf;
	struct rb_store s;
	struct rb_err e = { 0 };
	json_t *j;

	if (rb_txn_read(&s, r->a->dm.root, 0, NULL, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	j = json_pack("{s:i, s:o*, s:o*, s:I, s:I, s:I, s:I, s:I, s:I, "
	              "s:o*, s:o*, s:I, s:I, s:b, s:I, s:b, s:i, s:s?, s:s}",
	    "port", c->port, "interfaces", conf_ifaces(c), "forward_zones",
	    conf_forwards(c), "file_local_zones",
	    (json_int_t)rb_conf_defzones_own_zones(c), "file_local_data",
	    (json_int_t)rb_conf_defzones_own_data(c), "api_dns_entries",
	    (json_int_t)rb_store_count(&s, RB_COLL_DNS), "api_blacklist",
	    (json_int_t)rb_store_count(&s, RB_COLL_BLACKLIST), "api_allowlist",
	    (json_int_t)rb_store_count(&s, RB_COLL_ALLOWLIST), "api_feeds",
	    (json_int_t)rb_store_count(&s, RB_COLL_FEEDS), "access_control",
	    conf_acls(c), "private_addresses",
	    str_array(c->private_addrs, c->nprivate_addrs), "rate_limit",
	    (json_int_t)c->rate_limit, "cache_max_ttl",
	    (json_int_t)c->cache_max_ttl, "dnssec_validation",
	    c->dnssec_validation, "log_retention", (json_int_t)c->log_retention,
	    "log_client_ip", c->log_client_ip, "api_port", c->api_port,
	    "logfile", c->logfile, "mode", rb_conf_mode_name(c->mode));
	rb_store_fini(&s);
	reply_json(r, 200, j);
}

/* --- POST /reload ----------------------------------------------------- */

static int
reload_poll(struct rq *r, int timed_out)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);
	struct rb_ctl_acks acks = { 0 };
	json_t *resp;
	int done;

	if (s != NULL)
		rb_ctl_acks(s, &acks);
	done = rb_ctl_answers(&r->a->reloads, r->ticket, acks.reload_done);
	if (!done && !timed_out && s != NULL && rb_ctl_alive(s))
		return 0;
	if (!done) {
		reply_error(r, 503, "UNAVAILABLE",
		    "configuration checked and "
		    "data rebuilt, but rb-dnsd did not confirm the reload");
		return 1;
	}
	resp = r->resp;
	r->resp = NULL;
	reply_json(r, 200, resp);
	return 1;
}

/* An included file outside the state root is named by its last
 * component only: no absolute path reaches a client. */
static void
conf_file_name(char *details)
{
	char *colon = strchr(details, ':'), *slash;

	if (details[0] != '/' || colon == NULL)
		return;
	*colon = '\0';
	slash = strrchr(details, '/');
	*colon = ':';
	memmove(details, slash + 1, strlen(slash + 1) + 1);
}

void
h_reload(struct rq *r)
{
	static const struct rb_ipaddr everyone;
	struct apid *a = r->a;
	const struct rb_stats_shm *s;
	struct rb_err e = { 0 };
	struct rb_conf *c;
	struct rb_txn t;

	if (!rb_ratelimit_take(&a->rl_reload, &everyone,
	        (uint64_t)rb_clock_ms() * 1000000u)) {
		reply_error(r, 429, "RATE_LIMITED",
		    "reload endpoint is limited to 2 requests per second");
		return;
	}
	if (rb_txn_begin(&t, a->dm.root, &e) < 0) {
		rb_warn("reload refused: %s", e.details);
		if (e.code != NULL && strcmp(e.code, "INVALID_CONFIG") == 0) {
			e.kind = RB_ERR_INVALID;
			conf_file_name(e.details);
		}
		reply_err(r, &e);
		return;
	}
	if (rb_txn_event(&t, "config_reload", json_object(), &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		reply_err(r, &e);
		return;
	}
	c = t.conf;
	t.conf = NULL; /* kept as the running config */
	rb_txn_end(&t);
	r->resp = json_pack("{s:s, s:s, s:I, s:I}", "status", "ok", "cfg_path",
	    "runbound.conf", "local_zones",
	    (json_int_t)rb_conf_defzones_own_zones(c), "local_data",
	    (json_int_t)rb_conf_defzones_own_data(c));
	apid_use_conf(a, c);
	rb_info("reloaded runbound.conf from=%s", r->peer_text);
	s = rb_ctl_stats(&a->view);
	if (s == NULL || !rb_ctl_alive(s)) {
		/* No rb-dnsd to tell: it reads the new data when it starts. */
		json_t *resp = r->resp;
		r->resp = NULL;
		reply_json(r, 200, resp);
		return;
	}
	if (rb_ctl_issue(&a->reloads, a->dm.root, "reload", &r->ticket, &e) <
	    0) {
		reply_err(r, &e);
		return;
	}
	rq_wait(r, reload_poll, APID_POLL_MS, APID_WAIT_MS);
}

/* --- POST /rotate-key ------------------------------------------------- */

void
h_rotate_key(struct rq *r)
{
	const json_t *nk = json_object_get(r->body, "new_key");
	struct rb_err e = { 0 };
	const char *key;
	size_t len;

	if (!json_is_string(nk)) {
		reply_error(r, 400, "INVALID_REQUEST",
		    "new_key (a string) is required");
		return;
	}
	key = json_string_value(nk);
	len = json_string_length(nk);
	if (rb_apikey_check(key, len, &e) < 0 ||
	    rb_apikey_save(r->a->dm.root, key, len, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	/* From here on only the new key opens the API. */
	rb_apikey_set(&r->a->key, key, len);
	r->a->auth_failures = 0;
	if (apid_journal(r->a, "key_rotate", json_object(), &e) < 0)
		rb_error("unable to journal key_rotate: %s", e.details);
	rb_info("API key rotated from=%s", r->peer_text);
	reply_json(r, 200,
	    json_pack("{s:s, s:s}", "status", "ok", "message",
	        "API key rotated \xe2\x80\x94 old token is immediately "
	        "invalid"));
}

/* --- GET /tls --------------------------------------------------------- */

void
h_tls(struct rq *r)
{
	/* No DoT, DoH or DoQ listener exists yet: all report disabled. */
	reply_json(r, 200,
	    json_pack("{s:{s:b, s:i, s:s}, s:{s:b, s:i, s:s}, "
	              "s:{s:b, s:i, s:s}, s:s}",
	        "dot", "enabled", 0, "port", 853, "rfc", "RFC 7858", "doh",
	        "enabled", 0, "port", 443, "rfc", "RFC 8484", "doq", "enabled",
	        0, "port", 853, "rfc", "RFC 9250", "cert", "not configured"));
}

/* --- GET /audit/tail -------------------------------------------------- */

static int
tail_n(struct rq *r, long *n)
{
	const char *v = rb_http_request_param(&r->tgt, "n");
	char *end;

	*n = 100;
	if (v == NULL)
		return 0;
	errno = 0;
	*n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *n < 1) {
		reply_error(r, 400, "INVALID_PARAM",
		    "n must be an integer 1..1000");
		return -1;
	}
	if (*n > 1000)
		*n = 1000;
	return 0;
}

void
h_audit_tail(struct rq *r)
{
	char dir[RB_PATH_MAX];
	struct rb_err e = { 0 };
	long n, bad = 0;
	json_t *lines;

	if (tail_n(r, &n) < 0)
		return;
	if (!r->a->dm.conf->audit_log) {
		reply_error(r, 404, "AUDIT_LOG_UNAVAILABLE",
		    "audit-log: yes is not set in runbound.conf");
		return;
	}
	/* Reads back through rotated files too (lib/audit/line). */
	rb_path(dir, sizeof dir, "%s/audit", r->a->dm.root);
	if ((lines = rb_audit_files_tail(dir, n, &bad, &e)) == NULL) {
		if (e.kind == RB_ERR_NOT_FOUND)
			reply_error(r, 404, "AUDIT_LOG_UNAVAILABLE",
			    "the audit log does not exist yet");
		else
			reply_error(r, 500, "INTERNAL_ERROR",
			    "the audit log could not be read");
		return;
	}
	if (bad > 0)
		rb_warn("audit log: %ld lines are not JSON", bad);
	reply_json(r, 200,
	    json_pack("{s:o, s:I}", "lines", lines, "count",
	        (json_int_t)json_array_size(lines)));
}
