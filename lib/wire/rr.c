/*
 * rr: records from text, through ldns.  The owner name is checked with
 * rb_dname_from_text first (Runbound's host-name rules, stricter than
 * ldns's); names inside rdata (CNAME, MX, NS, PTR, SRV targets, NAPTR
 * replacement) get the same check, so nothing the API accepts can put an
 * odd name into an answer.  Text must not carry control characters: a CR or
 * LF in a value would let one record smuggle in another.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "wire/rr.h"

static const struct {
	const char *name;
	uint16_t type;
} api_types[] = {
	{ "A", LDNS_RR_TYPE_A },
	{ "AAAA", LDNS_RR_TYPE_AAAA },
	{ "CNAME", LDNS_RR_TYPE_CNAME },
	{ "TXT", LDNS_RR_TYPE_TXT },
	{ "MX", LDNS_RR_TYPE_MX },
	{ "SRV", LDNS_RR_TYPE_SRV },
	{ "CAA", LDNS_RR_TYPE_CAA },
	{ "PTR", LDNS_RR_TYPE_PTR },
	{ "NAPTR", LDNS_RR_TYPE_NAPTR },
	{ "SSHFP", LDNS_RR_TYPE_SSHFP },
	{ "TLSA", LDNS_RR_TYPE_TLSA },
	{ "NS", LDNS_RR_TYPE_NS },
};

uint16_t
rb_rr_api_type(const char *mnemonic)
{
	for (size_t i = 0; i < sizeof api_types / sizeof api_types[0]; i++) {
		if (strcasecmp(mnemonic, api_types[i].name) == 0)
			return api_types[i].type;
	}
	return 0;
}

static int
has_control(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

void
rb_rr_fini(struct rb_rr *rr)
{
	free(rr->rdata);
	free(rr->text);
	free(rr->rdtext);
	rr->rdata = NULL;
	rr->text = NULL;
	rr->rdtext = NULL;
	rr->rdlen = 0;
}

/* Names inside rdata must follow the same host-name rules as owners. */
static int
check_rdata_names(const ldns_rr *r, struct rb_err *e)
{
	for (size_t i = 0; i < ldns_rr_rd_count(r); i++) {
		ldns_rdf *f = ldns_rr_rdf(r, i);
		char *s;
		const char *why = NULL;
		uint8_t w[RB_DNAME_MAX];

		if (ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
			continue;
		s = ldns_rdf2str(f);
		if (s == NULL)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		if (rb_dname_from_text(s, w, &why) < 0) {
			rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME",
			    "target '%s': %s", s, why);
			free(s);
			return -1;
		}
		free(s);
	}
	return 0;
}

/* Runbound's rr text: "owner ttl TYPE rdata" with single spaces. */
static char *
rr_text(const ldns_rr *r)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(r));
	char *type = ldns_rr_type2str(ldns_rr_get_type(r));
	ldns_buffer *b = ldns_buffer_new(256);
	char *out = NULL;

	if (owner == NULL || type == NULL || b == NULL)
		goto fail;
	ldns_buffer_printf(b, "%s %u %s", owner, (unsigned)ldns_rr_ttl(r),
	    type);
	for (size_t i = 0; i < ldns_rr_rd_count(r); i++) {
		ldns_buffer_printf(b, " ");
		if (ldns_rdf2buffer_str(b, ldns_rr_rdf(r, i)) != LDNS_STATUS_OK)
			goto fail;
	}
	out = ldns_buffer_export2str(b);
fail:
	free(owner);
	free(type);
	ldns_buffer_free(b);
	return out;
}

/* The rdata in one canonical text: ldns's presentation of each field,
 * single spaces, the names in it lower-cased (RFC 4034 6.2's form), so
 * that " a.test.", "A.TEST." and "a.test.  " are one value. */
static char *
rdata_text(const ldns_rr *r)
{
	ldns_buffer *b = ldns_buffer_new(256);
	char *out = NULL;

	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(r); i++) {
		const ldns_rdf *f = ldns_rr_rdf(r, i);
		size_t from = ldns_buffer_position(b);

		if (i > 0)
			ldns_buffer_printf(b, " ");
		if (ldns_rdf2buffer_str(b, f) != LDNS_STATUS_OK)
			goto fail;
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME)
			for (size_t k = from; k < ldns_buffer_position(b); k++)
				ldns_buffer_begin(b)[k] = (uint8_t)tolower(
				    ldns_buffer_begin(b)[k]);
	}
	out = ldns_buffer_export2str(b);
fail:
	ldns_buffer_free(b);
	return out;
}

/* Fill rr from a parsed ldns record (owner already checked). */
static int
from_ldns(const ldns_rr *r, struct rb_rr *rr, struct rb_err *e)
{
	ldns_buffer *b = ldns_buffer_new(512);
	char *owner = NULL;
	const char *why = NULL;

	if (b == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	owner = ldns_rdf2str(ldns_rr_owner(r));
	if (owner == NULL)
		goto oom;
	rr->owner_len = rb_dname_from_text(owner, rr->owner, &why);
	if (rr->owner_len < 0) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME", "name '%s': %s",
		    owner, why);
		goto fail;
	}
	rr->type = (uint16_t)ldns_rr_get_type(r);
	rr->ttl = ldns_rr_ttl(r);
	if (ldns_rr_rdata2buffer_wire(b, r) != LDNS_STATUS_OK)
		goto oom;
	rr->rdlen = ldns_buffer_position(b);
	rr->rdata = malloc(rr->rdlen ? rr->rdlen : 1);
	rr->text = rr_text(r);
	rr->rdtext = rdata_text(r);
	if (rr->rdata == NULL || rr->text == NULL || rr->rdtext == NULL)
		goto oom;
	memcpy(rr->rdata, ldns_buffer_begin(b), rr->rdlen);
	free(owner);
	ldns_buffer_free(b);
	return 0;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
fail:
	free(owner);
	ldns_buffer_free(b);
	rb_rr_fini(rr);
	return -1;
}

static int
parse_text(const char *line, struct rb_rr *rr, struct rb_err *e,
    int check_targets)
{
	ldns_rr *r = NULL;
	ldns_status st;
	int ret;

	memset(rr, 0, sizeof *rr);
	if (has_control(line))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_VALUE",
		    "control character in record");
	st = ldns_rr_new_frm_str(&r, line, 3600, NULL, NULL);
	if (st != LDNS_STATUS_OK)
		return rb_err_set(e, RB_ERR_INVALID, "PARSE_FAILED", "%s",
		    ldns_get_errorstr_by_id(st));
	if (ldns_rr_get_class(r) != LDNS_RR_CLASS_IN) {
		ldns_rr_free(r);
		return rb_err_set(e, RB_ERR_INVALID, "PARSE_FAILED",
		    "only class IN is supported");
	}
	ret = check_targets ? check_rdata_names(r, e) : 0;
	if (ret == 0)
		ret = from_ldns(r, rr, e);
	ldns_rr_free(r);
	return ret;
}

int
rb_rr_parse(const char *name, const char *type, const char *rdata, uint32_t ttl,
    struct rb_rr *rr, struct rb_err *e)
{
	uint8_t w[RB_DNAME_MAX];
	const char *why = NULL;
	char *line;
	size_t n;
	int ret;

	memset(rr, 0, sizeof *rr);
	if (has_control(name) || rb_dname_from_text(name, w, &why) < 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME",
		    "name '%s': %s", name, why ? why : "control character");
	if (rb_rr_api_type(type) == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_TYPE",
		    "type '%s' is not one of A AAAA CNAME TXT MX SRV CAA PTR "
		    "NAPTR SSHFP TLSA NS",
		    type);
	if (rdata[0] == '\0')
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_VALUE",
		    "empty value");
	n = strlen(name) + strlen(type) + strlen(rdata) + 32;
	line = malloc(n);
	if (line == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	/* The name is absolute whether or not it ends in a dot. */
	snprintf(line, n, "%s%s %u IN %s %s", name,
	    name[strlen(name) - 1] == '.' ? "" : ".", (unsigned)ttl, type,
	    rdata);
	ret = parse_text(line, rr, e, 1);
	free(line);
	if (ret < 0 && strcmp(e->code, "PARSE_FAILED") == 0)
		e->code = "INVALID_VALUE";
	if (ret < 0 && strcmp(e->code, "INVALID_VALUE") == 0) {
		char reason[sizeof e->details];

		memcpy(reason, e->details, sizeof reason);
		snprintf(e->details, sizeof e->details,
		    "%s value '%.200s' does not parse: %.200s", type, rdata,
		    reason);
	}
	return ret;
}

int
rb_rr_parse_line(const char *line, struct rb_rr *rr, struct rb_err *e)
{
	return parse_text(line, rr, e, 0);
}

int
rb_rr_parse_ptr(const char *line, struct rb_rr *rr, struct rb_err *e)
{
	char addr[64], name[1024], third[1024], buf[1200];
	ldns_rdf *a = NULL, *rev = NULL;
	unsigned long ttl = 3600;
	char *revs, *end;
	int n;

	memset(rr, 0, sizeof *rr);
	/* unbound's form: "address [ttl] name". */
	n = sscanf(line, "%63s %1023s %1023s", addr, name, third);
	if (n == 3) {
		ttl = strtoul(name, &end, 10);
		if (*end != '\0' || end == name || ttl > 2147483647UL)
			return rb_err_set(e, RB_ERR_INVALID, "PARSE_FAILED",
			    "local-data-ptr TTL '%.32s' is not a number", name);
		snprintf(name, sizeof name, "%s", third);
	} else if (n != 2) {
		return rb_err_set(e, RB_ERR_INVALID, "PARSE_FAILED",
		    "local-data-ptr needs an address and a name");
	}
	if (ldns_str2rdf_a(&a, addr) != LDNS_STATUS_OK &&
	    ldns_str2rdf_aaaa(&a, addr) != LDNS_STATUS_OK)
		return rb_err_set(e, RB_ERR_INVALID, "PARSE_FAILED",
		    "invalid address '%s'", addr);
	rev = ldns_rdf_address_reverse(a);
	ldns_rdf_deep_free(a);
	if (rev == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	revs = ldns_rdf2str(rev);
	ldns_rdf_deep_free(rev);
	if (revs == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	snprintf(buf, sizeof buf, "%s %lu IN PTR %s%s", revs, ttl, name,
	    name[strlen(name) - 1] == '.' ? "" : ".");
	free(revs);
	return parse_text(buf, rr, e, 0);
}
