/*
 * entry: request objects to stored entries.  A dns entry keeps what the
 * client sent (name with a final dot, type upper-case, value, ttl capped
 * at 86400, Runbound's per-type fields of its type such as priority, and
 * a description; any other field is dropped); the rdata
 * text fed to ldns is composed from those fields the same way at add time
 * and at every rebuild, so the store alone decides the cdb.
 */

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "state/entry.h"
#include "wire/dname.h"

/* Per-type fields composed before the value, in rdata order. */
static const struct {
	const char *type;
	const char *fields[5];
	const char *after; /* a field that follows the value, or NULL */
} layouts[] = {
	{ "MX", { "priority" }, NULL },
	{ "SRV", { "priority", "weight", "port" }, NULL },
	{ "CAA", { "flags", "tag" }, NULL },
	{ "NAPTR",
	    { "order", "preference_naptr", "flags_naptr", "services",
	        "regexp" },
	    "replacement" },
	{ "SSHFP", { "algorithm", "fp_type" }, NULL },
	{ "TLSA", { "cert_usage", "selector", "matching_type" }, NULL },
};

static const char *const text_fields[] = { "flags_naptr", "services", "regexp",
	"tag" };

/* The numeric fields that are 8 bits wide; the others are 16. */
static const char *const byte_fields[] = { "flags", "algorithm", "fp_type",
	"cert_usage", "selector", "matching_type" };

static long
field_max(const char *f)
{
	for (size_t i = 0; i < sizeof byte_fields / sizeof byte_fields[0]; i++)
		if (strcmp(f, byte_fields[i]) == 0)
			return 255;
	return 65535;
}

int
rb_entry_is_uuid(const char *s)
{
	return rb_uuid_valid(s);
}

static int
is_text_field(const char *f)
{
	for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++)
		if (strcmp(f, text_fields[i]) == 0)
			return 1;
	return 0;
}

/* Append one per-type field to buf as rdata text. */
static int
put_field(const json_t *o, const char *f, char *buf, size_t len,
    struct rb_err *e)
{
	const json_t *v = json_object_get(o, f);
	size_t n = strlen(buf);

	if (is_text_field(f)) {
		const char *s = json_string_value(v);
		if (s == NULL || strpbrk(s, "\"\\") != NULL)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
			    "'%s' must be a string without quotes", f);
		snprintf(buf + n, len - n, strcmp(f, "tag") ? "\"%s\" " : "%s ",
		    s);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > field_max(f))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
		    "'%s' must be an integer 0..%ld", f, field_max(f));
	snprintf(buf + n, len - n, "%lld ", (long long)json_integer_value(v));
	return 0;
}

/* A value that is the whole rdata of a type with numeric fields first
 * ("10 5 5060 sip.example." for SRV): those numbers get the checks the
 * per-type fields get (ldns would wrap 70000 to 4464 and read "x" as 0),
 * so both forms take the same records.  At add time only: what is stored
 * is rebuilt as it is. */
static int
check_numbers(const json_t *req, const char *type, const char *value,
    struct rb_err *e)
{
	const char *p = value;
	size_t layout;

	for (layout = 0; layout < sizeof layouts / sizeof layouts[0]; layout++)
		if (strcmp(type, layouts[layout].type) == 0)
			break;
	if (layout == sizeof layouts / sizeof layouts[0] ||
	    json_object_get(req, layouts[layout].fields[0]) != NULL)
		return 0;

	for (size_t k = 0; k < 5 && layouts[layout].fields[k]; k++) {
		const char *f = layouts[layout].fields[k];
		char *end;
		long n;

		if (is_text_field(f))
			break;
		while (*p == ' ' || *p == '\t')
			p++;
		n = (*p >= '0' && *p <= '9') ? strtol(p, &end, 10) : -1;
		if (n < 0 || n > field_max(f) ||
		    (*end != ' ' && *end != '\t' && *end != '\0'))
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_VALUE",
			    "%s value '%.200s': %s must be an integer 0..%ld",
			    layouts[layout].type, value, f, field_max(f));
		p = end;
	}
	return 0;
}

/* The rdata text for ldns: per-type fields, then the value.  When the
 * entry has none of its type's fields, the value is the whole rdata. */
static int
compose(const json_t *o, const char *type, const char *value, char *buf,
    size_t len, struct rb_err *e)
{
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		if (strcmp(type, layouts[i].type) != 0 ||
		    json_object_get(o, layouts[i].fields[0]) == NULL)
			continue;
		for (size_t k = 0; k < 5 && layouts[i].fields[k]; k++)
			if (put_field(o, layouts[i].fields[k], buf, len, e) < 0)
				return -1;
		if (strcmp(type, "CAA") == 0 && strpbrk(value, "\"\\") == NULL)
			snprintf(buf + strlen(buf), len - strlen(buf), "\"%s\"",
			    value);
		else if (layouts[i].after != NULL &&
		    json_string_value(json_object_get(o, layouts[i].after)))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s",
			    json_string_value(
			        json_object_get(o, layouts[i].after)));
		else /* the value is the last rdata field */
			snprintf(buf + strlen(buf), len - strlen(buf), "%s",
			    value);
		return 0;
	}
	/* A bare TXT value is one string; quoted text is taken as written. */
	if (strcmp(type, "TXT") == 0 && value[0] != '"') {
		size_t o2 = 0;
		buf[o2++] = '"';
		for (const char *p = value; *p && o2 + 3 < len; p++) {
			if (*p == '"' || *p == '\\')
				buf[o2++] = '\\';
			buf[o2++] = *p;
		}
		buf[o2++] = '"';
		buf[o2] = '\0';
		return 0;
	}
	snprintf(buf, len, "%s", value);
	return 0;
}

static int
get_ttl(const json_t *req, long long *ttl, struct rb_err *e)
{
	const json_t *t = json_object_get(req, "ttl");

	*ttl = RB_TTL_DEFAULT;
	if (t == NULL || json_is_null(t))
		return 0;
	if (!json_is_integer(t))
		return rb_err_set(e, RB_ERR_REJECTED, "INVALID_TTL",
		    "ttl must be an integer in 0..2147483647");
	*ttl = json_integer_value(t);
	if (*ttl < 0 || *ttl > 2147483647LL)
		return rb_err_set(e, RB_ERR_REJECTED, "INVALID_TTL",
		    "ttl %lld out of range 0..2147483647", *ttl);
	if (*ttl > RB_TTL_CAP)
		*ttl = RB_TTL_CAP;
	return 0;
}

static const char *
req_string(const json_t *req, const char *k, struct rb_err *e)
{
	const char *s = json_string_value(json_object_get(req, k));

	if (s == NULL)
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "'%s' is required and must be a string", k);
	return s;
}

static int
parse_dns(const json_t *o, const char *name, const char *type,
    const char *value, long long ttl, struct rb_rr *rr, struct rb_err *e)
{
	char rdata[70000];

	if (compose(o, type, value, rdata, sizeof rdata, e) < 0)
		return -1;
	return rb_rr_parse(name, type, rdata, (uint32_t)ttl, rr, e);
}

static int
with_description(const json_t *req, json_t *o, struct rb_err *e)
{
	const json_t *d = json_object_get(req, "description");
	const char *s = json_string_value(d);

	if (d == NULL)
		return 0;
	if (s == NULL || strlen(s) > 1024)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
		    "'description' must be a string of at most 1024 bytes");
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
			    "control character in 'description'");
	return json_object_set(o, "description", (json_t *)d);
}

/* The per-type fields of type that req holds, into o: nothing else a
 * client sends is stored (or replicated). */
static int
with_type_fields(const json_t *req, const char *type, json_t *o)
{
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		if (strcmp(type, layouts[i].type) != 0)
			continue;
		for (size_t k = 0; k < 6; k++) {
			const char *f = k < 5 ? layouts[i].fields[k] :
			                        layouts[i].after;
			json_t *v = f ? json_object_get(req, f) : NULL;
			if (v != NULL && json_object_set(o, f, v) < 0)
				return -1;
		}
	}
	return 0;
}

/* Whether req gives type's per-type fields (then the value is the last
 * rdata field only). */
static int
fields_form(const json_t *req, const char *type)
{
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
		if (strcmp(type, layouts[i].type) == 0)
			return json_object_get(req, layouts[i].fields[0]) !=
			    NULL;
	return 0;
}

/* The value to store, so that one record has one value (the duplicate
 * check compares values): the whole rdata in ldns's canonical text
 * (rr->rdtext: " 1.2.3.4" and "A.TEST. " become "1.2.3.4" and
 * "a.test."); a TXT's text as sent (its spaces and case are data); with
 * per-type fields, the value trimmed, lower-cased where it is a name or
 * hex (MX and SRV targets, SSHFP and TLSA data).  malloc'd. */
static char *
canonical(const json_t *req, const char *type, const char *value,
    const struct rb_rr *rr)
{
	static const char *const folded[] = { "MX", "SRV", "SSHFP", "TLSA" };
	const char *end;
	char *out;
	size_t n;
	int fold = 0;

	if (strcmp(type, "TXT") == 0)
		return strdup(value);
	if (!fields_form(req, type))
		return strdup(rr->rdtext);
	for (size_t i = 0; i < sizeof folded / sizeof folded[0]; i++)
		fold |= strcmp(type, folded[i]) == 0;
	while (*value == ' ' || *value == '\t')
		value++;
	for (end = value + strlen(value);
	     end > value && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	n = (size_t)(end - value);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = fold ? (char)tolower((unsigned char)value[i]) :
		                value[i];
	out[n] = '\0';
	return out;
}

/* rr as the stored entry o rebuilds it (rb_entry_dns_rr): parsed again
 * from o when its value is not the one sent (a name lower-cased). */
static int
same_as_stored(const json_t *o, const char *type, const char *sent,
    long long ttl, struct rb_rr *rr, struct rb_err *e)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *value = json_string_value(json_object_get(o, "value"));

	if (strcmp(value, sent) == 0)
		return 0;
	rb_rr_fini(rr);
	memset(rr, 0, sizeof *rr);
	return parse_dns(o, name, type, value, ttl, rr, e);
}

int
rb_entry_dns(const json_t *req, json_t **out, struct rb_rr *rr,
    struct rb_err *e)
{
	const char *name, *type, *value;
	char fqdn[300], utype[16], id[37], *canon;
	long long ttl;
	json_t *o;

	memset(rr, 0, sizeof *rr);
	if (!json_is_object(req))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "body must be a JSON object");
	if ((name = req_string(req, "name", e)) == NULL ||
	    (type = req_string(req, "type", e)) == NULL ||
	    (value = req_string(req, "value", e)) == NULL)
		return -1;
	if (get_ttl(req, &ttl, e) < 0)
		return -1;
	if (strlen(type) >= sizeof utype || rb_rr_api_type(type) == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_TYPE",
		    "type '%.32s' is not one of A AAAA CNAME TXT MX SRV CAA "
		    "PTR "
		    "NAPTR SSHFP TLSA NS",
		    type);
	for (size_t i = 0; i <= strlen(type); i++)
		utype[i] = (char)toupper((unsigned char)type[i]);
	snprintf(fqdn, sizeof fqdn, "%.254s%s", name,
	    name[0] && name[strlen(name) - 1] == '.' ? "" : ".");
	if (strcmp(fqdn, ".") == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME",
		    "the root '.' cannot hold local data");
	if (rb_uuid_v4(id) < 0)
		return rb_err_sys(e, "make an id");
	if (check_numbers(req, utype, value, e) < 0 ||
	    parse_dns(req, fqdn, utype, value, ttl, rr, e) < 0)
		return -1;
	if (strcmp(utype, "CNAME") == 0 && strcmp(rr->rdtext, ".") == 0) {
		rb_rr_fini(rr);
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_VALUE",
		    "a CNAME cannot point at the root '.'");
	}
	if ((canon = canonical(req, utype, value, rr)) == NULL) {
		rb_rr_fini(rr);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", id, "name", fqdn,
	    "type", utype, "value", canon, "ttl", (json_int_t)ttl);
	free(canon);
	if (o == NULL)
		goto oom;
	if (with_type_fields(req, utype, o) < 0)
		goto oom;
	if (same_as_stored(o, utype, value, ttl, rr, e) < 0) {
		json_decref(o);
		return -1;
	}
	if (with_description(req, o, e) < 0) {
		json_decref(o);
		rb_rr_fini(rr);
		return -1;
	}
	*out = o;
	return 0;
oom:
	json_decref(o);
	rb_rr_fini(rr);
	return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
}

/* Rebuilding data/ reads every stored entry: A and AAAA, most of them,
 * are converted here without ldns (which costs microseconds each).  Any
 * value this does not take goes the ldns way, so the result is the same. */
static int
fast_address(const char *name, const char *type, const char *value,
    json_int_t ttl, struct rb_rr *rr)
{
	uint8_t addr[16];
	const char *why;
	int v6 = strcmp(type, "AAAA") == 0;

	if ((!v6 && strcmp(type, "A") != 0) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, value, addr) != 1 ||
	    (rr->owner_len = rb_dname_from_text(name, rr->owner, &why)) < 0 ||
	    (rr->rdata = malloc(v6 ? 16 : 4)) == NULL)
		return -1;
	memcpy(rr->rdata, addr, v6 ? 16 : 4);
	rr->rdlen = v6 ? 16 : 4;
	rr->type = v6 ? 28 : 1;
	rr->ttl = (uint32_t)ttl;
	rr->text = NULL; /* not needed to build data/ */
	return 0;
}

int
rb_entry_dns_rr(const json_t *entry, struct rb_rr *rr, struct rb_err *e)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	const char *type = json_string_value(json_object_get(entry, "type"));
	const char *value = json_string_value(json_object_get(entry, "value"));
	json_int_t ttl = json_integer_value(json_object_get(entry, "ttl"));

	memset(rr, 0, sizeof *rr);
	if (!name || !type || !value)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store entry lacks name, type or value");
	if (fast_address(name, type, value, ttl, rr) == 0)
		return 0;
	rb_rr_fini(rr);
	memset(rr, 0, sizeof *rr);
	return parse_dns(entry, name, type, value, ttl, rr, e);
}

/* Domain for block and allow lists: host-name rules, stored lower-case
 * without the final dot, as Runbound shows it. */
static int
get_domain(const json_t *req, char *out, size_t len, struct rb_err *e)
{
	const char *d, *why = NULL;
	uint8_t w[RB_DNAME_MAX];

	if (!json_is_object(req))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "body must be a JSON object");
	if ((d = req_string(req, "domain", e)) == NULL)
		return -1;
	if (strcmp(d, ".") == 0 || rb_dname_from_text(d, w, &why) < 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME",
		    "domain '%.260s': %s", d,
		    why ? why : "the root cannot be listed");
	rb_dname_to_text(w, out, len);
	out[strlen(out) - 1] = '\0';
	return 0;
}

int
rb_entry_block(const json_t *req, json_t **out, struct rb_err *e)
{
	char dom[300], id[37];
	const json_t *a;
	const char *action = "refuse";
	json_t *o;

	if (get_domain(req, dom, sizeof dom, e) < 0)
		return -1;
	a = json_object_get(req, "action");
	if (a != NULL && !json_is_null(a)) {
		action = json_string_value(a);
		if (action == NULL ||
		    (strcmp(action, "refuse") && strcmp(action, "nxdomain")))
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
			    "action must be 'refuse' or 'nxdomain'");
	}
	if (rb_uuid_v4(id) < 0)
		return rb_err_sys(e, "make an id");
	o = json_pack("{s:s, s:s, s:s}", "id", id, "domain", dom, "action",
	    action);
	if (o == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (with_description(req, o, e) < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

int
rb_entry_allow(const json_t *req, json_t **out, struct rb_err *e)
{
	char dom[300], id[37];
	json_t *o;

	if (get_domain(req, dom, sizeof dom, e) < 0)
		return -1;
	if (rb_uuid_v4(id) < 0)
		return rb_err_sys(e, "make an id");
	o = json_pack("{s:s, s:s}", "id", id, "domain", dom);
	if (o == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (with_description(req, o, e) < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}
