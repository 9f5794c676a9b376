#ifndef RB_ZONE_TINYDNS_INT_H
#define RB_ZONE_TINYDNS_INT_H

/*
 * Private to lib/zone/tinydns*.c (doc/rb-zone.md, "tinydns-data files"):
 * tinydns.c reads a file's lines and zones, tinydns_rr.c makes the
 * records of one line, tinydns_field.c decodes its fields.  A field is a
 * byte range of the line, not NUL-terminated, and may hold any byte.
 * Every field decoder returns -1 with a static reason in *why on bad
 * input and writes nothing else.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "state/cdbw.h"
#include "wire/dname.h"
#include "zone/zone.h"

#define RB_TINYDNS_MAXFIELDS 11    /* of a 'Z' line, the longest */
#define RB_TINYDNS_RDATA_MAX 65535 /* bytes of one record's rdata */

struct rb_tinydns_field {
	const char *s; /* borrowed from the line */
	size_t n;
};

/* One data line: its leading character and fields. */
struct rb_tinydns_line {
	char kind;
	int no;                                          /* line number */
	size_t nf;                                       /* fields written */
	struct rb_tinydns_field f[RB_TINYDNS_MAXFIELDS]; /* the rest: empty */
};

/* One file being loaded. */
struct rb_tinydns_load {
	const struct rb_zoneset *zs; /* what other files staged */
	struct rb_zoneset out;       /* this file's apexes and records */
	/* This file's zone names, lower-case, sorted after the first pass;
	 * prio is minus the line that names it, 1 once its SOA is staged. */
	struct rb_cdbw zones;
	uint8_t soa[20]; /* default serial refresh retry expire minimum */
	uint8_t *rd;     /* 2 * RB_TINYDNS_RDATA_MAX bytes of scratch */
	const char *fname;
	struct rb_diag *d;
};

/* Fill l's diag for line ln (NULL: no line) with a printf-style message;
 * errno EINVAL.  Returns -1. */
int rb_tinydns_bad(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same for an allocation failure; errno ENOMEM.  Returns -1. */
int rb_tinydns_nomem(struct rb_tinydns_load *l,
    const struct rb_tinydns_line *ln);

/* The entry of sorted set a (borrowed) whose key is the wire name n, or
 * NULL. */
struct rb_cdbw_kv *rb_tinydns_find(const struct rb_cdbw *a, const uint8_t *n,
    size_t nlen);

/* Stage the records data line ln makes into l->out (the SOA of a zone
 * only once).  Its kind and field count are checked.  Returns 0 or -1
 * with the diag filled. */
int rb_tinydns_rr_make(struct rb_tinydns_load *l,
    const struct rb_tinydns_line *ln);

/* A name as djb's dns_domain_fromdot reads it: dots separate labels,
 * empty labels are skipped (so "" is the root), "\NNN" (1 to 3 octal
 * digits, at most \377) is that byte and "\c" is c.  Wire form, case as
 * written, into out (RB_DNAME_MAX bytes).  Returns its length or -1. */
int rb_tinydns_field_name(struct rb_tinydns_field f, uint8_t *out,
    const char **why);

/* The server name of a '.', '&' or '@' line: x itself when x holds a
 * dot, else x.KIND.fqdn (kind "ns" or "mx", fqdn a wire name).  Into out
 * (RB_DNAME_MAX bytes); returns its length or -1. */
int rb_tinydns_field_server(struct rb_tinydns_field x, const char *kind,
    const uint8_t *fqdn, size_t flen, uint8_t *out, const char **why);

/* Bytes with the octal escapes of rb_tinydns_field_name (a dot is an ordinary
 * byte here), into out (cap bytes).  Returns their count or -1. */
long rb_tinydns_field_text(struct rb_tinydns_field f, uint8_t *out, size_t cap,
    const char **why);

/* A decimal number 0..max into *v; an empty field gives def. */
int rb_tinydns_field_number(struct rb_tinydns_field f, uint32_t max,
    uint32_t def, uint32_t *v, const char **why);

/* A dotted-quad IPv4 address into ip.  Returns 1, 0 for an empty field
 * (ip untouched) or -1. */
int rb_tinydns_field_ipv4(struct rb_tinydns_field f, uint8_t ip[4],
    const char **why);

/* Check a '%' line's location (one or two ASCII letters) and IP prefix
 * (empty, or 1 to 4 dot-separated numbers 0..255).  Returns 0 or -1. */
int rb_tinydns_field_location(struct rb_tinydns_field lo,
    struct rb_tinydns_field prefix, const char **why);

#endif
