/*
 * defzones: unbound's default local zones added to a parsed config
 * (defzones.h), as unbound enters them after the configured ones.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"
#include "conf/defzones.h"

/* Before AS112_FIRST: always added; from it on, unless unblock-lan-zones. */
#define AS112_FIRST 7

const char *const rb_conf_defzones_names[] = { "localhost.",
	"127.in-addr.arpa.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6."
	"arpa.",
	"home.arpa.", "onion.", "test.", "invalid.",
	/* util/as112.c, in its order */
	"10.in-addr.arpa.", "16.172.in-addr.arpa.", "17.172.in-addr.arpa.",
	"18.172.in-addr.arpa.", "19.172.in-addr.arpa.", "20.172.in-addr.arpa.",
	"21.172.in-addr.arpa.", "22.172.in-addr.arpa.", "23.172.in-addr.arpa.",
	"24.172.in-addr.arpa.", "25.172.in-addr.arpa.", "26.172.in-addr.arpa.",
	"27.172.in-addr.arpa.", "28.172.in-addr.arpa.", "29.172.in-addr.arpa.",
	"30.172.in-addr.arpa.", "31.172.in-addr.arpa.", "168.192.in-addr.arpa.",
	"0.in-addr.arpa.", "64.100.in-addr.arpa.", "65.100.in-addr.arpa.",
	"66.100.in-addr.arpa.", "67.100.in-addr.arpa.", "68.100.in-addr.arpa.",
	"69.100.in-addr.arpa.", "70.100.in-addr.arpa.", "71.100.in-addr.arpa.",
	"72.100.in-addr.arpa.", "73.100.in-addr.arpa.", "74.100.in-addr.arpa.",
	"75.100.in-addr.arpa.", "76.100.in-addr.arpa.", "77.100.in-addr.arpa.",
	"78.100.in-addr.arpa.", "79.100.in-addr.arpa.", "80.100.in-addr.arpa.",
	"81.100.in-addr.arpa.", "82.100.in-addr.arpa.", "83.100.in-addr.arpa.",
	"84.100.in-addr.arpa.", "85.100.in-addr.arpa.", "86.100.in-addr.arpa.",
	"87.100.in-addr.arpa.", "88.100.in-addr.arpa.", "89.100.in-addr.arpa.",
	"90.100.in-addr.arpa.", "91.100.in-addr.arpa.", "92.100.in-addr.arpa.",
	"93.100.in-addr.arpa.", "94.100.in-addr.arpa.", "95.100.in-addr.arpa.",
	"96.100.in-addr.arpa.", "97.100.in-addr.arpa.", "98.100.in-addr.arpa.",
	"99.100.in-addr.arpa.", "100.100.in-addr.arpa.",
	"101.100.in-addr.arpa.", "102.100.in-addr.arpa.",
	"103.100.in-addr.arpa.", "104.100.in-addr.arpa.",
	"105.100.in-addr.arpa.", "106.100.in-addr.arpa.",
	"107.100.in-addr.arpa.", "108.100.in-addr.arpa.",
	"109.100.in-addr.arpa.", "110.100.in-addr.arpa.",
	"111.100.in-addr.arpa.", "112.100.in-addr.arpa.",
	"113.100.in-addr.arpa.", "114.100.in-addr.arpa.",
	"115.100.in-addr.arpa.", "116.100.in-addr.arpa.",
	"117.100.in-addr.arpa.", "118.100.in-addr.arpa.",
	"119.100.in-addr.arpa.", "120.100.in-addr.arpa.",
	"121.100.in-addr.arpa.", "122.100.in-addr.arpa.",
	"123.100.in-addr.arpa.", "124.100.in-addr.arpa.",
	"125.100.in-addr.arpa.", "126.100.in-addr.arpa.",
	"127.100.in-addr.arpa.", "254.169.in-addr.arpa.",
	"2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.",
	"113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa.",
	"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6."
	"arpa.",
	"d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.",
	"a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa." };

const size_t rb_conf_defzones_count = sizeof rb_conf_defzones_names /
    sizeof rb_conf_defzones_names[0];

static const char where[] = "(unbound's default zones)";

/* Does the config name zone itself (the first nconf of c->zones)? */
static int
configured(const struct rb_conf *c, size_t nconf, const char *zone)
{
	for (size_t i = 0; i < nconf; i++)
		if (strcasecmp(c->zones[i].name, zone) == 0)
			return 1;
	return 0;
}

static int
add_record(struct rb_conf *c, char *text)
{
	struct rb_conf_data *d;

	if (text == NULL ||
	    rb_conf_grow((void **)&c->data, c->ndata, sizeof *c->data) < 0) {
		free(text);
		return -1;
	}
	d = &c->data[c->ndata++];
	memset(d, 0, sizeof *d);
	d->text = text;
	d->file = where;
	d->builtin = 1;
	return 0;
}

enum kind { SOA, NS, PTR };

/* The text of name's kind of record. malloc'd, NULL out of memory. */
static char *
record(enum kind k, const char *name)
{
	char *s = NULL;
	int n;

	if (k == SOA)
		n = asprintf(&s,
		    "%s 10800 IN SOA localhost. nobody.invalid. 1 3600 1200 "
		    "604800 10800",
		    name);
	else if (k == NS)
		n = asprintf(&s, "%s 10800 IN NS localhost.", name);
	else
		n = asprintf(&s, "%s 10800 IN PTR localhost.", name);
	return n < 0 ? NULL : s;
}

/* A default zone with its SOA and NS.  0, or -1 out of memory. */
static int
add_zone(struct rb_conf *c, const char *name, const char *type)
{
	struct rb_conf_zone *z;
	char *n = strdup(name), *t = strdup(type);

	if (n == NULL || t == NULL ||
	    rb_conf_grow((void **)&c->zones, c->nzones, sizeof *c->zones) < 0) {
		free(n);
		free(t);
		return -1;
	}
	z = &c->zones[c->nzones++];
	memset(z, 0, sizeof *z);
	z->name = n;
	z->type = t;
	z->file = where;
	z->builtin = 1;
	if (add_record(c, record(SOA, name)) < 0)
		return -1;
	return add_record(c, record(NS, name));
}

/* The records beside SOA and NS of the first three zones. */
static int
add_own_records(struct rb_conf *c, size_t i)
{
	const char *name = rb_conf_defzones_names[i];

	if (i == 0 &&
	    add_record(c, strdup("localhost. 10800 IN A 127.0.0.1")) < 0)
		return -1;
	if (i == 0)
		return add_record(c, strdup("localhost. 10800 IN AAAA ::1"));
	if (i == 1)
		return add_record(c, record(PTR, "1.0.0.127.in-addr.arpa."));
	return i == 2 ? add_record(c, record(PTR, name)) : 0;
}

int
rb_conf_defzones_add(struct rb_conf *c)
{
	size_t nconf = c->nzones;

	for (size_t i = 0; i < rb_conf_defzones_count; i++) {
		const char *name = rb_conf_defzones_names[i];

		if (i >= AS112_FIRST && c->unblock_lan_zones)
			break;
		if (configured(c, nconf, name))
			continue;
		if (add_zone(c, name, i == 0 ? "redirect" : "static") < 0 ||
		    add_own_records(c, i) < 0)
			return -1;
	}
	return 0;
}

size_t
rb_conf_defzones_own_zones(const struct rb_conf *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nzones; i++)
		n += !c->zones[i].builtin;
	return n;
}

size_t
rb_conf_defzones_own_data(const struct rb_conf *c)
{
	size_t n = c->nptrs;

	for (size_t i = 0; i < c->ndata; i++)
		n += !c->data[i].builtin;
	return n;
}
