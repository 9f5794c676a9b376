/*
 * tinydns: a file of tinydns-data lines into the zone set of lib/zone/zone,
 * with the records djb's tinydns-data makes from each line and its
 * default TTLs and SOA values (doc/rb-zone.md, "tinydns-data files").
 *
 * A file is read twice.  The first pass checks every line's leading
 * character and field count and collects the zones: the names of '.' and
 * 'Z' lines.  Zones do not nest and do not repeat a zone of another file.
 * The second pass makes the records; one outside those zones waits in
 * the set's loose records for rb_zone_build, which gives it to the zone
 * of another file that holds it, or drops it when none does (tinydns
 * would never serve it either).  The first '.' or 'Z' line of a zone
 * gives its SOA, as tinydns serves only the first SOA it finds.  Records
 * are collected apart and join the caller's set only when the whole file
 * is good, so a bad line changes nothing.
 *
 * What compiled data cannot express is refused, never dropped: a
 * timestamp (records that appear or expire by the clock) and a location
 * on a record (split horizon).  '%' lines are checked and change nothing.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "zone/tinydns.h"
#include "zone/tinydns_int.h"

/* tinydns-data's SOA numbers after the serial. */
#define SOA_REFRESH 16384
#define SOA_RETRY 2048
#define SOA_EXPIRE 1048576
#define SOA_MINIMUM 2560

int
rb_tinydns_bad(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    const char *fmt, ...)
{
	char msg[sizeof l->d->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return rb_diag_set(l->d, l->fname, ln ? ln->no : 0, "%s", msg);
}

int
rb_tinydns_nomem(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	rb_diag_set(l->d, l->fname, ln ? ln->no : 0, "out of memory");
	errno = ENOMEM;
	return -1;
}

static const char *
text_of(const uint8_t *w, char *buf, size_t len)
{
	return rb_dname_to_text(w, buf, len) < 0 ? "(name)" : buf;
}

static int
kv_cmp(const void *key, const void *elt)
{
	const struct rb_cdbw_kv *k = key, *z = elt;

	return rb_cdbw_bytes_cmp(k->key, k->klen, z->key, z->klen);
}

struct rb_cdbw_kv *
rb_tinydns_find(const struct rb_cdbw *a, const uint8_t *n, size_t nlen)
{
	struct rb_cdbw_kv k = { .key = (uint8_t *)n, .klen = nlen };

	return a->n == 0 ? NULL : bsearch(&k, a->v, a->n, sizeof *a->v, kv_cmp);
}

/* Each line type: its fields, and where its timestamp is (the location
 * follows; 0: neither). */
static const struct kind {
	char c;
	size_t nfields;
	size_t ttd;
} kinds[] = {
	{ '.', 6, 4 },
	{ '&', 6, 4 },
	{ '=', 5, 3 },
	{ '+', 5, 3 },
	{ '@', 7, 5 },
	{ '\'', 5, 3 },
	{ '^', 5, 3 },
	{ 'C', 5, 3 },
	{ 'Z', 11, 9 },
	{ ':', 6, 4 },
	{ '%', 2, 0 },
};

/* c as text: itself when printable, else \NNN. */
static const char *
char_text(char c, char buf[8])
{
	if (c > ' ' && c < 127)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\%03o", (unsigned char)c);
	return buf;
}

static const struct kind *
kind_of(char c)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].c == c)
			return &kinds[i];
	return NULL;
}

/* Split the data line s (n bytes, trailing blanks removed) into ln and
 * check what every line of its kind must satisfy. */
static int
split(struct rb_tinydns_load *l, const char *s, size_t n,
    struct rb_tinydns_line *ln, const struct kind **kp)
{
	const struct kind *k = kind_of(s[0]);
	char shown[8];
	size_t at = 1;

	memset(ln->f, 0, sizeof ln->f);
	ln->kind = s[0];
	ln->nf = 0;
	if (k == NULL)
		return rb_tinydns_bad(l, ln, "unknown leading character '%s'%s",
		    char_text(s[0], shown),
		    s[0] == '3' || s[0] == '6' ?
		        " (IPv6 lines are not djb's: use a ':' line)" :
		        "");
	while (at <= n && n > 1) {
		const char *c = memchr(s + at, ':', n - at);
		size_t len = c ? (size_t)(c - (s + at)) : n - at;

		if (ln->nf == k->nfields)
			return rb_tinydns_bad(l, ln,
			    "too many fields: '%c' lines have at most %zu",
			    s[0], k->nfields);
		ln->f[ln->nf].s = s + at;
		ln->f[ln->nf++].n = len;
		at += len + 1;
	}
	if (k->ttd > 0 && ln->f[k->ttd].n > 0)
		return rb_tinydns_bad(l, ln,
		    "timestamps are not supported: "
		    "records are served all the time");
	if (k->ttd > 0 && ln->f[k->ttd + 1].n > 0)
		return rb_tinydns_bad(l, ln,
		    "locations are not supported: "
		    "every client sees every record");
	*kp = k;
	return 0;
}

/* First pass: a zone name from a '.' or 'Z' line. */
static int
collect_zone(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t w[RB_DNAME_MAX];
	const char *why = "";
	int n;

	if ((n = rb_tinydns_field_name(ln->f[0], w, &why)) < 0)
		return rb_tinydns_bad(l, ln, "bad fqdn: %s", why);
	rb_dname_lower(w);
	if (w[0] == 1 && w[1] == '*')
		return rb_tinydns_bad(l, ln,
		    "a zone cannot be a wildcard name");
	if (rb_cdbw_add(&l->zones, w, (size_t)n, NULL, 0, -ln->no) < 0)
		return rb_tinydns_nomem(l, ln);
	return 0;
}

/* Run each data line of text through pass 1 (zones) or pass 2 (records). */
static int
each_line(struct rb_tinydns_load *l, const char *text, size_t len, int pass)
{
	struct rb_tinydns_line ln = { 0 };
	size_t at = 0;

	while (at < len) {
		const char *s = text + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at;
		const struct kind *k = NULL;

		at += n + 1;
		ln.no++;
		while (n > 0 &&
		    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0 || s[0] == '#' || s[0] == '-')
			continue;
		if (split(l, s, n, &ln, &k) < 0)
			return -1;
		if (pass == 1 && (k->c == '.' || k->c == 'Z') &&
		    collect_zone(l, &ln) < 0)
			return -1;
		if (pass == 2 && rb_tinydns_rr_make(l, &ln) < 0)
			return -1;
	}
	return 0;
}

/* A conflict between zones a (of this file when its prio < 0) and b, a
 * parent of a or a repeat of it. */
static int
zone_conflict(struct rb_tinydns_load *l, const struct rb_cdbw_kv *a,
    const struct rb_cdbw_kv *b)
{
	struct rb_tinydns_line ln = { .no = a->prio < 0 ? -a->prio : -b->prio };
	char ta[1024], tb[1024];

	text_of(a->key, ta, sizeof ta);
	text_of(b->key, tb, sizeof tb);
	if (a->klen == b->klen)
		return rb_tinydns_bad(l, &ln,
		    "zone %s is already loaded from another file", ta);
	if (a->prio < 0 && b->prio < 0)
		return rb_tinydns_bad(l, &ln,
		    "zone %s is inside zone %s: zones do not nest (delegate it "
		    "with a '&' line)",
		    ta, tb);
	if (a->prio < 0)
		return rb_tinydns_bad(l, &ln,
		    "zone %s is inside zone %s of another file: zones do not "
		    "nest",
		    ta, tb);
	return rb_tinydns_bad(l, &ln,
	    "zone %s holds zone %s of another file: zones do not nest", tb, ta);
}

/* The zone that all->v[i] conflicts with: a zone of another file that
 * it repeats, or a parent zone; NULL when none.  all is sorted. */
static const struct rb_cdbw_kv *
conflict_of(const struct rb_cdbw *all, size_t i)
{
	const struct rb_cdbw_kv *a = &all->v[i], *prev = i > 0 ? a - 1 : NULL,
	                        *b;
	const uint8_t *n = a->key;

	if (prev != NULL && prev->klen == a->klen &&
	    memcmp(prev->key, n, a->klen) == 0)
		return a->prio < 0 && prev->prio == 0 ? prev : NULL;
	for (size_t off = n[0] + 1u; n[0] != 0 && off < a->klen;
	     off += n[off] + 1u) {
		b = rb_tinydns_find(all, n + off, a->klen - off);
		if (b != NULL && (a->prio < 0 || b->prio < 0))
			return b;
		if (n[off] == 0)
			break;
	}
	return NULL;
}

/* Check this file's zones against each other and against the zones of
 * other files (prio 0), then keep them sorted for lookups. */
static int
check_zones(struct rb_tinydns_load *l)
{
	struct rb_cdbw all = { 0 };
	const struct rb_cdbw_kv *b = NULL;
	const struct rb_cdbw *mine = &l->zones, *theirs = &l->zs->apexes;
	size_t i;
	int ret = -1;

	for (i = 0; i < theirs->n + mine->n; i++) {
		const struct rb_cdbw_kv *z = i < theirs->n ?
		    &theirs->v[i] :
		    &mine->v[i - theirs->n];
		if (rb_cdbw_add(&all, z->key, z->klen, NULL, 0,
		        i < theirs->n ? 0 : z->prio) < 0) {
			rb_tinydns_nomem(l, NULL);
			goto fail;
		}
	}
	rb_cdbw_sort(&all);
	rb_cdbw_sort(&l->zones);
	for (i = 0; i < all.n && (b = conflict_of(&all, i)) == NULL; i++)
		;
	if (b != NULL) {
		zone_conflict(l, &all.v[i], b);
		goto fail;
	}
	ret = 0;
fail:
	rb_cdbw_free(&all);
	return ret;
}

/* Add what from holds to zs. */
static int
merge(struct rb_zoneset *zs, const struct rb_zoneset *from)
{
	for (size_t i = 0; i < from->apexes.n; i++) {
		const struct rb_cdbw_kv *kv = &from->apexes.v[i];
		if (rb_cdbw_add(&zs->apexes, kv->key, kv->klen, kv->val,
		        kv->vlen, kv->prio) < 0)
			return -1;
	}
	for (size_t i = 0; i < from->recs.n; i++) {
		const struct rb_cdbw_kv *kv = &from->recs.v[i];
		if (rb_cdbw_add(&zs->recs, kv->key, kv->klen, kv->val, kv->vlen,
		        kv->prio) < 0)
			return -1;
	}
	for (size_t i = 0; i < from->loose.n; i++) {
		const struct rb_cdbw_kv *kv = &from->loose.v[i];
		if (rb_cdbw_add(&zs->loose, kv->key, kv->klen, kv->val,
		        kv->vlen, kv->prio) < 0)
			return -1;
	}
	return 0;
}

int
rb_tinydns_load(struct rb_zoneset *zs, const char *text, size_t len,
    const char *fname, uint32_t serial, struct rb_diag *d)
{
	struct rb_tinydns_load l = { .zs = zs, .fname = fname, .d = d };
	int ret = -1;

	rb_put32(l.soa, serial);
	rb_put32(l.soa + 4, SOA_REFRESH);
	rb_put32(l.soa + 8, SOA_RETRY);
	rb_put32(l.soa + 12, SOA_EXPIRE);
	rb_put32(l.soa + 16, SOA_MINIMUM);
	if ((l.rd = malloc(2 * RB_TINYDNS_RDATA_MAX)) == NULL) {
		rb_tinydns_nomem(&l, NULL);
		goto fail;
	}
	if (each_line(&l, text, len, 1) < 0 || check_zones(&l) < 0 ||
	    each_line(&l, text, len, 2) < 0)
		goto fail;
	if (merge(zs, &l.out) < 0) {
		rb_tinydns_nomem(&l, NULL);
		goto fail;
	}
	ret = 0;
fail:
	free(l.rd);
	rb_cdbw_free(&l.zones);
	rb_zone_fini(&l.out);
	return ret;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int
rb_tinydns_sniff(const char *text, size_t len)
{
	size_t at = 0;

	while (at < len) {
		const char *s = text + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at, i = 0;

		at += n + 1;
		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			continue;
		if (s[0] == '#')
			return 1;
		if (s[0] == '\0' || strchr(".&=+@'^CZ:%-", s[0]) == NULL)
			return 0;
		for (i = 1; i < n && !is_blank(s[i]); i++)
			if (s[i] == ':')
				return 1;
		return 0;
	}
	return 0;
}
