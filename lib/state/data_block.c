/*
 * data_block: the base of data/block.cdb (doc/cdb.md).  One key per
 * listed name, one byte of action.  Sources in rising precedence: config
 * local-zone always_nxdomain / always_refuse, the API blacklist, the
 * allowlist; after sorting, the first of equal keys has the highest
 * precedence and is the one written.  The config's own action is also
 * kept under RB_DATA_BLOCK_CONF and the name, for lib/state/data_delta.
 */

#include <stdio.h>
#include <string.h>

#include "state/cdbw.h"
#include "state/data.h"
#include "state/data_int.h"
#include "wire/dname.h"

enum { PRIO_CONF = 1, PRIO_BLACKLIST = 2, PRIO_ALLOW = 3 };

static int
stage(struct rb_cdbw *a, const char *domain, char action, int prio,
    struct rb_err *e)
{
	uint8_t w[RB_DNAME_MAX];
	const char *why = NULL;
	int n = rb_dname_from_text(domain, w, &why);

	if (n < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "listed domain '%s': %s", domain, why);
	if (rb_cdbw_add(a, w, (size_t)n, &action, 1, prio) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	return 0;
}

char
rb_data_block_action(const json_t *entry)
{
	const char *act = json_string_value(json_object_get(entry, "action"));

	return act && strcmp(act, "nxdomain") == 0 ? 'N' : 'R';
}

static int
stage_list(struct rb_cdbw *a, const json_t *list, int prio, struct rb_err *e)
{
	size_t i;
	json_t *v;

	json_array_foreach (list, i, v) {
		const char *d = json_string_value(json_object_get(v, "domain"));
		char c = prio == PRIO_BLACKLIST ? rb_data_block_action(v) : 'A';

		if (stage(a, d ? d : "", c, prio, e) < 0)
			return -1;
	}
	return 0;
}

static int
prio_cmp(const void *pa, const void *pb)
{
	const struct rb_cdbw_kv *a = pa, *b = pb;
	int c = rb_cdbw_bytes_cmp(a->key, a->klen, b->key, b->klen);

	return c ? c : (a->prio < b->prio) - (a->prio > b->prio);
}

/* The config's always_* zones, as keys prefixed with
 * RB_DATA_BLOCK_CONF, the first line of a name winning. */
static int
emit_conf(struct rb_cdbw *out, const struct rb_cdbw *a)
{
	uint8_t key[1 + 255];

	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].prio != PRIO_CONF || a->v[i].klen > 255 ||
		    (i > 0 && a->v[i - 1].prio == PRIO_CONF &&
		        a->v[i - 1].klen == a->v[i].klen &&
		        memcmp(a->v[i - 1].key, a->v[i].key, a->v[i].klen) ==
		            0))
			continue;
		key[0] = RB_DATA_BLOCK_CONF;
		memcpy(key + 1, a->v[i].key, a->v[i].klen);
		if (rb_cdbw_add(out, key, a->v[i].klen + 1, a->v[i].val, 1, 0) <
		    0)
			return -1;
	}
	return 0;
}

int
rb_data_block_build(const char *path, const struct rb_conf *conf,
    const json_t *black, const json_t *allow, const char *meta,
    struct rb_err *e)
{
	struct rb_cdbw a = { 0 }, out = { 0 };
	int ret = -1;

	for (size_t i = 0; conf && i < conf->nzones; i++) {
		int code = rb_data_zone_code(conf->zones[i].type);
		if (code != RB_ZONE_ALWAYS_NXDOMAIN &&
		    code != RB_ZONE_ALWAYS_REFUSE)
			continue;
		if (stage(&a, conf->zones[i].name,
		        code == RB_ZONE_ALWAYS_NXDOMAIN ? 'N' : 'R', PRIO_CONF,
		        e) < 0)
			goto done;
	}
	if (stage_list(&a, black, PRIO_BLACKLIST, e) < 0 ||
	    stage_list(&a, allow, PRIO_ALLOW, e) < 0)
		goto done;
	/* Precedence, not the action byte, orders equal names. */
	if (a.n > 1)
		qsort(a.v, a.n, sizeof *a.v, prio_cmp);
	for (size_t i = 0; i < a.n; i++) {
		if (i > 0 && a.v[i - 1].klen == a.v[i].klen &&
		    memcmp(a.v[i - 1].key, a.v[i].key, a.v[i].klen) == 0)
			continue;
		if (rb_cdbw_add(&out, a.v[i].key, a.v[i].klen, a.v[i].val, 1,
		        0) < 0) {
			rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
			goto done;
		}
	}
	if (emit_conf(&out, &a) < 0 ||
	    rb_cdbw_add(&out, RB_DATA_META, 1, meta, strlen(meta), 0) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	rb_cdbw_sort(&out);
	ret = rb_cdbw_write(&out, path, e);
done:
	rb_cdbw_free(&a);
	rb_cdbw_free(&out);
	return ret;
}
