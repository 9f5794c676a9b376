/*
 * zonehist: kept builds of the authoritative zones, as a store collection
 * whose entries name content-addressed files (zonehist.h).
 *
 * Order of a build, under the store lock: the cdb is written whole to
 * store/zones.d/incoming.cdb, renamed to <sha256>.cdb, then the event is
 * journaled, then store/zones.json and data/zones.cdb follow.  A kill
 * before the journal leaves a file no entry names, removed by the next
 * install; a kill after it is finished by recovery (data/built is stale).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cdb.h>

#include "base/bytes.h"
#include "base/digest.h"
#include "state/data.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"
#include "wire/dname.h"
#include "zone/zone.h"
#include "zone/zonehist.h"

#define ZONES_MAX ((size_t)1 << 30) /* bytes of one build, at most */

int
rb_zonehist_incoming(const struct rb_txn *t, char *buf, size_t len,
    struct rb_err *e)
{
	if (snprintf(buf, len, "%s/store/zones.d", t->root) >= (int)len)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if (rb_file_mkdirs(buf, 0750) < 0)
		return rb_err_sys(e, "create store/zones.d");
	snprintf(buf + strlen(buf), len - strlen(buf), "/incoming.cdb");
	return 0;
}

/* The serial's offset in a value ttl(4) rdlen(2) rdata holding one SOA
 * record, or -1. */
static long
serial_in_value(const uint8_t *v, size_t len)
{
	long at;

	if (len < 6 || (size_t)(v[4] << 8 | v[5]) != len - 6 ||
	    (at = rb_zone_soa_serial_at(v + 6, len - 6)) < 0)
		return -1;
	return 6 + at;
}

static int
is_soa_rrset_key(const uint8_t *k, size_t len)
{
	return len >= 4 && k[0] == 'D' && k[len - 2] == 0 && k[len - 1] == 6;
}

static int
open_cdb(const char *path, struct cdb *c, struct rb_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return rb_err_sys(e, "open zones cdb");
	if (cdb_init(c, fd) < 0) {
		close(fd);
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ZONES",
		    "%s is not a cdb", path);
	}
	return fd;
}

static void
close_cdb(struct cdb *c, int fd)
{
	cdb_free(c);
	close(fd);
}

/* One Z record into out: its apex as text and its SOA serial. */
static int
add_serial(json_t *out, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen)
{
	char name[1100];
	long at = serial_in_value(v, vlen);

	if (at < 0 || rb_dname_wire_len(k + 1, klen - 1) != (int)klen - 1 ||
	    rb_dname_to_text(k + 1, name, sizeof name) < 0)
		return -1;
	return json_object_set_new(out, name,
	    json_integer((json_int_t)rb_get32(v + at)));
}

json_t *
rb_zonehist_serials(const char *path, struct rb_err *e)
{
	struct cdb c;
	unsigned pos;
	int fd, r;
	json_t *out;

	if ((fd = open_cdb(path, &c, e)) < 0)
		return NULL;
	if ((out = json_object()) == NULL) {
		close_cdb(&c, fd);
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	cdb_seqinit(&pos, &c);
	while ((r = cdb_seqnext(&pos, &c)) > 0) {
		const uint8_t *k = cdb_getkey(&c), *v = cdb_getdata(&c);

		if (k == NULL || v == NULL) {
			r = -1;
			break;
		}
		if (cdb_keylen(&c) < 2 || k[0] != 'Z')
			continue;
		if (add_serial(out, k, cdb_keylen(&c), v, cdb_datalen(&c)) <
		    0) {
			r = -1;
			break;
		}
	}
	close_cdb(&c, fd);
	if (r < 0) {
		json_decref(out);
		rb_err_set(e, RB_ERR_INVALID, "INVALID_ZONES",
		    "%s is not a zones cdb", path);
		return NULL;
	}
	return out;
}

/* The id of the newest kept build, or "". */
static json_t *
new_entry(const char *id, uint64_t size, json_t *serials, const json_t *extra)
{
	json_t *f = json_pack("{s:s, s:I, s:I, s:o}", "id", id, "ts",
	    (json_int_t)time(NULL), "size", (json_int_t)size, "zones", serials);

	if (f != NULL && extra != NULL &&
	    json_object_update_missing(f, (json_t *)extra) < 0) {
		json_decref(f);
		return NULL;
	}
	return f;
}

int
rb_zonehist_record(struct rb_txn *t, const json_t *extra, int *changed,
    json_t **entry, struct rb_err *e)
{
	char in[RB_PATH_MAX], path[RB_PATH_MAX], id[65];
	uint64_t size;
	json_t *serials, *f;

	*changed = 0;
	if (entry != NULL)
		*entry = NULL;
	if (rb_zonehist_incoming(t, in, sizeof in, e) < 0)
		goto drop;
	if (rb_digest_file_hex(in, id, &size) < 0) {
		rb_err_sys(e, "hash the zones build");
		goto drop;
	}
	if (strcmp(id, rb_data_zones_newest(&t->store)) == 0) {
		(void)unlink(in);
		return 0;
	}
	/* The bound on one build is checked before the journal: a build
	 * refused after it would leave every later write failing recovery. */
	if (size > ZONES_MAX) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_ZONES",
		    "the compiled zones are "
		    "%llu bytes; at most %zu",
		    (unsigned long long)size, ZONES_MAX);
		goto drop;
	}
	if ((serials = rb_zonehist_serials(in, e)) == NULL)
		goto drop;
	if ((f = new_entry(id, size, serials, extra)) == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto drop;
	}
	if (rb_txn_event(t, "zones_update", json_incref(f), e) < 0) {
		json_decref(f);
		goto drop;
	}
	rb_data_zones_path(t->root, id, path, sizeof path);
	if (rename(in, path) < 0 || rb_file_dir_sync(path, 0) < 0) {
		json_decref(f);
		rb_err_sys(e, "keep the zones build");
		goto drop;
	}
	if (rb_txn_commit(t, e) < 0) {
		json_decref(f);
		return -1;
	}
	*changed = 1;
	if (entry != NULL)
		*entry = f;
	else
		json_decref(f);
	return 0;
drop:
	(void)unlink(in);
	return -1;
}

/* Remove what zones.d holds beyond the kept builds' files. */
/* A copy of one record, its SOA serial replaced when it holds one. */
static int
copy_record(struct cdb_make *cm, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen, uint32_t serial)
{
	uint8_t *copy;
	long at = -1;
	int r;

	if (klen >= 2 && (k[0] == 'Z' || is_soa_rrset_key(k, klen)) &&
	    (at = serial_in_value(v, vlen)) < 0)
		return -2;
	if (at < 0)
		return cdb_make_add(cm, k, (unsigned)klen, v, (unsigned)vlen);
	if ((copy = malloc(vlen)) == NULL)
		return -1;
	memcpy(copy, v, vlen);
	rb_put32(copy + at, serial);
	r = cdb_make_add(cm, k, (unsigned)klen, copy, (unsigned)vlen);
	free(copy);
	return r;
}

int
rb_zonehist_reserial(const char *src, const char *dst, uint32_t serial,
    struct rb_err *e)
{
	struct rb_atomic at;
	struct cdb_make cm;
	struct cdb c;
	unsigned pos;
	int fd, r = 0;

	if ((fd = open_cdb(src, &c, e)) < 0)
		return -1;
	if (rb_atomic_open(&at, dst, 0644) < 0) {
		close_cdb(&c, fd);
		return rb_err_sys(e, "create the zones cdb");
	}
	if (cdb_make_start(&cm, at.fd) < 0)
		r = -1;
	cdb_seqinit(&pos, &c);
	while (r == 0 && (r = cdb_seqnext(&pos, &c)) > 0) {
		const uint8_t *k = cdb_getkey(&c), *v = cdb_getdata(&c);

		r = k == NULL || v == NULL ? -2 :
		                             copy_record(&cm, k, cdb_keylen(&c),
		                                 v, cdb_datalen(&c), serial);
	}
	close_cdb(&c, fd);
	if (r == 0 && cdb_make_finish(&cm) == 0 && rb_atomic_commit(&at) == 0)
		return 0;
	rb_atomic_abort(&at);
	if (r == -2)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ZONES",
		    "%s is not a zones "
		    "cdb",
		    src);
	return rb_err_sys(e, "write the zones cdb");
}
